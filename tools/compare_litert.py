#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Compare Spry with the reference runtime (LiteRT) on this machine.

Development tooling only: Spry and its tests never need this script.

Usage
-----
    python3 tools/compare_litert.py [--threads 1,2] [--rounds 3] [--runs 10]
        [--warmup 2] [--models a,b,...] [--models-dir ../shared/models]
        [--spry build/tools/spry] [--peak-gops INT8[,F32]] [--json out.json]

Needs a built `spry` (default build/tools/spry, relative to the repository
root) and the `ai_edge_litert` Python package (`pip install ai-edge-litert`).

What is measured
----------------
For each model and each thread count, three runtimes, each in its own
process:

* spry        `spry bench MODEL --threads N --runs R --warmup W --json`
              (median_ms, init_ms, peak_rss_kb as Spry reports them);
* xnnpack     LiteRT with its default options, i.e. the XNNPACK delegate
              (`Interpreter(model_path=..., num_threads=N)`);
* builtin     LiteRT's builtin kernels without XNNPACK
              (`experimental_op_resolver_type=
              OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES`).

The LiteRT runs are this same script started again in a hidden `--child`
mode: construct the interpreter and allocate_tensors (together: init ms),
set every input to zeros (as `spry bench` does), W warm-up invokes, R timed
invokes (median ms), then `getrusage(RUSAGE_SELF).ru_maxrss` (peak RSS KB).
LiteRT's peak RSS therefore includes the Python interpreter, numpy and the
LiteRT library; the script also measures a child that only imports them and
prints that floor under the table, so the two can be told apart.  Every
child is started through /bin/sh (which forks before exec) because Linux
seeds a vfork'ed child's ru_maxrss with its parent's peak RSS; the parent
never imports numpy or LiteRT either.

Rounds: each round runs spry, xnnpack and builtin once each (R timed runs
per process), in an order that rotates from round to round, so that noise on
a shared machine falls on all three alike.  The table shows the median over
the rounds of each round's median (init and RSS likewise: median over
rounds).  All per-round numbers are in the --json file.

Noise caveat: on a shared VM or a laptop with frequency scaling, single
numbers move by 10-30 % between invocations.  Use several rounds, compare
ratios measured in the same invocation rather than absolute times across
days, and treat small differences (< ~10 %) as noise.

Arithmetic (GOPS and % of peak) -- assumptions
----------------------------------------------
MACs are counted from the .tflite file itself (the flatbuffer schema that
ships with ai_edge_litert, `schema_py_generated`, or the `tflite` package;
static tensor shapes from the file; main subgraph only), falling back to a
LiteRT interpreter's `_get_ops_details()` and tensor shapes.  Counted:
CONV_2D (out elements x KH x KW x Cin-per-group), DEPTHWISE_CONV_2D (out
elements x KH x KW), FULLY_CONNECTED (out elements x input depth),
TRANSPOSE_CONV (input elements x KH x KW x Cout) and BATCH_MATMUL (out
elements x the shared dimension).  Everything else (adds, pooling, resizes,
softmax, LSTM ops, custom ops such as MediaPipe's
Convolution2DTransposeBias, control-flow subgraphs) is ignored, so this is
a lower bound of the work.  GOPS = 2 x MACs / median time.

A MAC is "int8" when the op's input activation is 8/16-bit integer and
"f32" otherwise (hybrid ops with float activations count as f32).  The
default peak per core is that of the kernel variant Spry runs (`kernels`
in `spry bench --json`), in MACs per cycle, assuming two vector
multiply-add ports as the larger cores have:
  avx2        int8 32 (VPMADDUBSW, 256-bit)   f32 16 (8-lane FMA)
  avx512vnni  int8 128 (VPDPBUSD, 512-bit)    f32 32 (16-lane FMA)
  neon        int8 16 (SMLAL, 8 lanes)        f32 8 (4-lane FMLA)
  neondot     int8 32 (SDOT, 16 MACs)         f32 8
times the nominal GHz from /proc/cpuinfo (`@ x.xxGHz` in `model name`, else
`cpu MHz`).  Turbo is not counted, so a kernel can in principle exceed
100 %; a core with one 512-bit port has half the avx512vnni figure.  The
portable and reference variants get no peak.  `--peak-gops INT8[,F32]`
overrides the per-core GOPS.  The peak for N threads is N x the
per-core figure (capped at the number of CPUs).  % of peak = the time the
model's MACs would take at peak / the measured median.
"""

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time

DEFAULT_MODELS = [
    "mobilenet_v2_1.0_224_quant",
    "tf2_mobilenet_v2_1.0_224_ptq",
    "mobilenet_v1_0.25_128_quant",
    "ssd_mobilenet_v1_coco_quant",
    "deeplabv3_257_float",
    "selfie_segmentation_float",
    "person_detect_int8",
    "micro_speech_int8",
]
RUNTIMES = ["spry", "xnnpack", "builtin"]
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# ---------------------------------------------------------------------------
# Child side (imports numpy / LiteRT; never run in the parent process)
# ---------------------------------------------------------------------------


def _emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def _peak_rss_kb():
    # Linux reports ru_maxrss in KB (macOS in bytes).
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss // 1024 if sys.platform == "darwin" else rss


def _import_litert():
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    return Interpreter, OpResolverType


def child_bench(args):
    """Time one runtime on one model; prints one JSON line."""
    try:
        import numpy as np
        Interpreter, OpResolverType = _import_litert()
        if args.runtime == "none":
            _emit({"peak_rss_kb": _peak_rss_kb()})
            return 0
        kw = {"model_path": args.model, "num_threads": args.threads}
        if args.runtime == "builtin":
            kw["experimental_op_resolver_type"] = (
                OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
        t0 = time.perf_counter()
        it = Interpreter(**kw)
        it.allocate_tensors()
        init_ms = (time.perf_counter() - t0) * 1e3
        for d in it.get_input_details():
            it.set_tensor(d["index"], np.zeros(d["shape"], dtype=d["dtype"]))
        # Same as spry bench: first_ms is the first invoke, warm-up or not.
        first_ms = None
        for i in range(args.warmup):
            t0 = time.perf_counter()
            it.invoke()
            if i == 0:
                first_ms = (time.perf_counter() - t0) * 1e3
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            it.invoke()
            times.append((time.perf_counter() - t0) * 1e3)
        if first_ms is None:
            first_ms = times[0]
        _emit({"init_ms": init_ms, "first_ms": first_ms,
               "median_ms": statistics.median(times),
               "min_ms": min(times), "max_ms": max(times),
               "times_ms": times, "peak_rss_kb": _peak_rss_kb()})
        return 0
    except Exception as e:  # reported as n/a by the parent
        msg = str(e).strip().splitlines()
        _emit({"error": "%s: %s" % (type(e).__name__,
                                    msg[-1] if msg else "")})
        return 1


def _prod(shape):
    n = 1
    for s in shape:
        n *= int(s)
    return n


def _load_schema():
    """The TFLite flatbuffer schema: LiteRT's copy, else the `tflite` pkg."""
    try:
        from ai_edge_litert import schema_py_generated as schema
        return schema
    except ImportError:
        import tflite as schema
        return schema


def _count_macs(name, ins, outs, shape, bmm_adj):
    """MACs of one node, and the index of its input activation tensor."""
    if name == "CONV_2D":
        w = shape(ins[1])  # [Cout, KH, KW, Cin/groups]
        return _prod(shape(outs[0])) * w[1] * w[2] * w[3], ins[0]
    if name == "DEPTHWISE_CONV_2D":
        w = shape(ins[1])  # [1, KH, KW, Cout]
        return _prod(shape(outs[0])) * w[1] * w[2], ins[0]
    if name == "FULLY_CONNECTED":
        w = shape(ins[1])  # [Out, In]
        return _prod(shape(outs[0])) * w[-1], ins[0]
    if name == "TRANSPOSE_CONV":
        w = shape(ins[1])  # inputs: output_shape, [Cout,KH,KW,Cin], input
        return _prod(shape(ins[2])) * w[0] * w[1] * w[2], ins[2]
    if name == "BATCH_MATMUL":
        a, b = shape(ins[0]), shape(ins[1])
        if bmm_adj is not None:
            k = a[-2] if bmm_adj else a[-1]
        else:  # adjoint flag unknown: guess from the shapes
            k = a[-1] if a[-1] in (b[-2], b[-1]) else a[-2]
        return _prod(shape(outs[0])) * k, ins[0]
    return None, None


def child_macs(args):
    """Count MACs of the heavy ops of subgraph 0; prints one JSON line.

    Reads the .tflite flatbuffer (static shapes from the file), so it also
    works for models LiteRT cannot prepare; falls back to a LiteRT
    interpreter's op and tensor details when the schema is unavailable.
    """
    int_types = ("INT8", "UINT8", "INT16")
    macs = {"int8": 0, "f32": 0}
    per_op = {}

    def add(name, n, act_type):
        kind = "int8" if act_type in int_types else "f32"
        macs[kind] += n
        per_op[name] = per_op.get(name, 0) + n

    try:
        try:
            S = _load_schema()
        except ImportError:
            S = None
        if S is not None:
            with open(args.model, "rb") as f:
                buf = f.read()
            model = S.Model.GetRootAs(buf, 0) if hasattr(
                S.Model, "GetRootAs") else S.Model.GetRootAsModel(buf, 0)
            op_names = {v: k for k, v in vars(S.BuiltinOperator).items()
                        if not k.startswith("_")}
            type_names = {v: k for k, v in vars(S.TensorType).items()
                          if not k.startswith("_")}
            codes = []
            for i in range(model.OperatorCodesLength()):
                oc = model.OperatorCodes(i)
                code = max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode())
                codes.append(op_names.get(code, "CUSTOM"))
            sg = model.Subgraphs(0)

            def shape(t):
                return [int(x) for x in sg.Tensors(t).ShapeAsNumpy()]

            for i in range(sg.OperatorsLength()):
                op = sg.Operators(i)
                name = codes[op.OpcodeIndex()]
                ins = [int(x) for x in op.InputsAsNumpy()]
                outs = [int(x) for x in op.OutputsAsNumpy()]
                adj = None
                if name == "BATCH_MATMUL" and op.BuiltinOptions() is not None:
                    o = S.BatchMatMulOptions()
                    t = op.BuiltinOptions()
                    o.Init(t.Bytes, t.Pos)
                    adj = bool(o.AdjX())
                try:
                    n, act = _count_macs(name, ins, outs, shape, adj)
                except (IndexError, TypeError, ValueError):
                    continue
                if n:
                    add(name, n, type_names.get(sg.Tensors(act).Type()))
            source = "flatbuffer"
        else:
            import numpy as np
            Interpreter, OpResolverType = _import_litert()
            it = Interpreter(
                model_path=args.model, num_threads=1,
                experimental_op_resolver_type=(
                    OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES))
            it.allocate_tensors()
            shapes, dtypes = {}, {}
            for t in it.get_tensor_details():
                shapes[t["index"]] = [int(x) for x in t["shape"]]
                dtypes[t["index"]] = np.dtype(t["dtype"]).name.upper()
            for op in it._get_ops_details():
                ins = [int(i) for i in op["inputs"]]
                outs = [int(i) for i in op["outputs"]]
                try:
                    n, act = _count_macs(op["op_name"], ins, outs,
                                         shapes.__getitem__, None)
                except (IndexError, KeyError, TypeError, ValueError):
                    continue
                if n:
                    add(op["op_name"], n, dtypes.get(act))
            source = "litert interpreter"
        _emit({"macs_int8": macs["int8"], "macs_f32": macs["f32"],
               "macs": macs["int8"] + macs["f32"], "per_op": per_op,
               "source": source})
        return 0
    except Exception as e:
        msg = str(e).strip().splitlines()
        _emit({"error": "%s: %s" % (type(e).__name__,
                                    msg[-1] if msg else "")})
        return 1


# ---------------------------------------------------------------------------
# Parent side
# ---------------------------------------------------------------------------

T_START = time.time()


def log(msg):
    sys.stderr.write("[%7.1fs] %s\n" % (time.time() - T_START, msg))
    sys.stderr.flush()


def _last_json_line(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                pass
    return None


def _short(msg, limit=200):
    msg = " ".join(msg.split())
    return msg if len(msg) <= limit else msg[:limit - 3] + "..."


def _first_error_line(text):
    lines = [l.strip() for l in text.strip().splitlines() if l.strip()]
    spry = [l for l in lines if l.startswith("spry:")]
    if spry:
        return spry[0]
    return lines[-1] if lines else "no output"


# Linux keeps a process's ru_maxrss across execve and, with vfork (which
# Python's subprocess uses), seeds it with the *parent's* peak RSS: a child
# started straight from this script would report at least this script's RSS.
# Going through /bin/sh, which forks (a fresh, small address space) before it
# execs the command, gives the child the peak RSS it would have when started
# from a shell.  "; exit $?" stops the shell from exec'ing the command itself.
SH_PREFIX = ["/bin/sh", "-c", '"$@"; exit $?', "sh"]


def run_spry(spry, model, threads, runs, warmup, timeout):
    cmd = [spry, "bench", model, "--threads", str(threads), "--runs",
           str(runs), "--warmup", str(warmup), "--json"]
    try:
        p = subprocess.run(SH_PREFIX + cmd, capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": "timed out after %d s" % timeout}
    if p.returncode != 0:
        return {"error": "exit %d: %s" % (p.returncode,
                                          _first_error_line(p.stderr))}
    d = _last_json_line(p.stdout)
    if d is None:
        return {"error": "no JSON from spry bench"}
    return d


# Per-core multiply-adds per cycle (int8, f32) of each kernel variant, with
# two vector multiply-add ports (see the docstring).
MACS_PER_CYCLE = {"avx2": (32, 16), "avx512vnni": (128, 32),
                  "neon": (16, 8), "neondot": (32, 8)}


def spry_kernels(spry, model, timeout):
    """The kernel variant Spry runs on this CPU, from one short bench."""
    d = run_spry(spry, model, 1, 1, 0, timeout)
    return d.get("kernels", "unknown")


def run_child(extra, timeout):
    cmd = [sys.executable, os.path.abspath(__file__), "--child"] + extra
    try:
        p = subprocess.run(SH_PREFIX + cmd, capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": "timed out after %d s" % timeout}
    d = _last_json_line(p.stdout)
    if d is None:
        return {"error": "child exit %d: %s" % (
            p.returncode, _first_error_line(p.stderr))}
    return d


def cpu_info():
    model, ghz = "unknown CPU", None
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read()
        m = re.search(r"^model name\s*:\s*(.*)$", text, re.M)
        if m:
            model = m.group(1).strip()
            g = re.search(r"@\s*([\d.]+)\s*GHz", model)
            if g:
                ghz = float(g.group(1))
        if ghz is None:
            m = re.search(r"^cpu MHz\s*:\s*([\d.]+)", text, re.M)
            if m:
                ghz = float(m.group(1)) / 1000.0
    except OSError:
        pass
    return model, ghz


def fmt(v, spec="%.1f"):
    return "n/a" if v is None else spec % v


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def main():
    ap = argparse.ArgumentParser(
        description="Compare spry bench with LiteRT (XNNPACK and builtin "
                    "kernels) on the same machine.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="See the module docstring for what is measured and the "
               "assumptions.")
    ap.add_argument("--models", help="comma-separated model names "
                    "(without .tflite) or paths; default: %s"
                    % ",".join(DEFAULT_MODELS))
    ap.add_argument("--models-dir",
                    default=os.path.join(REPO_ROOT, "..", "shared", "models"))
    ap.add_argument("--spry",
                    default=os.path.join(REPO_ROOT, "build", "tools", "spry"))
    ap.add_argument("--threads", default="1,2",
                    help="comma-separated thread counts (default 1,2)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--peak-gops", help="per-core peak GOPS: INT8[,F32] "
                    "(default: AVX2 32 int8 MACs / 16 f32 FMAs per cycle "
                    "x nominal GHz)")
    ap.add_argument("--timeout", type=int, default=900,
                    help="seconds allowed per process (default 900)")
    ap.add_argument("--json", dest="json_out", help="write raw numbers here")
    # hidden child mode
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--runtime", help=argparse.SUPPRESS)
    ap.add_argument("--model", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child:
        if args.runtime == "macs":
            return child_macs(args)
        args.threads = int(args.threads.split(",")[0])
        return child_bench(args)

    # -- checks --------------------------------------------------------------
    spry = os.path.abspath(args.spry)
    if not (os.path.isfile(spry) and os.access(spry, os.X_OK)):
        sys.exit("compare_litert: spry binary not found or not executable: "
                 "%s (build it first, or pass --spry PATH)" % spry)
    probe = subprocess.run(
        [sys.executable, "-c",
         "from ai_edge_litert.interpreter import Interpreter, OpResolverType"],
        capture_output=True, text=True)
    if probe.returncode != 0:
        sys.exit("compare_litert: cannot import ai_edge_litert with %s "
                 "(pip install ai-edge-litert): %s"
                 % (sys.executable, _first_error_line(probe.stderr)))
    try:
        threads_list = [int(t) for t in args.threads.split(",") if t]
    except ValueError:
        sys.exit("compare_litert: --threads wants e.g. 1,2")
    if args.rounds < 1 or args.runs < 1 or args.warmup < 0 or \
            not threads_list or min(threads_list) < 1:
        sys.exit("compare_litert: --rounds/--runs/--threads must be >= 1, "
                 "--warmup >= 0")
    names = args.models.split(",") if args.models else DEFAULT_MODELS
    models = []
    for n in names:
        n = n.strip()
        path = n if (os.sep in n or n.endswith(".tflite")) else \
            os.path.join(args.models_dir, n + ".tflite")
        path = os.path.abspath(path)
        if not os.path.isfile(path):
            sys.exit("compare_litert: model not found: %s" % path)
        models.append((os.path.basename(path)[:-len(".tflite")]
                       if path.endswith(".tflite") else n, path))

    cpu_model, ghz = cpu_info()
    ncpu = os.cpu_count() or 1
    if args.peak_gops:
        parts = [float(x) for x in args.peak_gops.split(",")]
        peak_core = {"int8": parts[0], "f32": parts[-1]}
        peak_note = "per-core peak given: int8 %.1f GOPS, f32 %.1f GOPS" % (
            peak_core["int8"], peak_core["f32"])
    else:
        kernels = spry_kernels(spry, models[0][1], args.timeout)
        per_cycle = MACS_PER_CYCLE.get(kernels)
        if ghz and per_cycle:
            peak_core = {"int8": 2 * per_cycle[0] * ghz,
                         "f32": 2 * per_cycle[1] * ghz}
            peak_note = ("per-core peak assumed: %s, %d int8 MACs + %d f32 "
                         "FMAs per cycle x %.2f GHz nominal = int8 %.0f "
                         "GOPS, f32 %.0f GOPS (no turbo)"
                         % (kernels, per_cycle[0], per_cycle[1], ghz,
                            peak_core["int8"], peak_core["f32"]))
        else:
            peak_core = None
            peak_note = ("no %% of peak: %s (use --peak-gops)"
                         % ("CPU frequency unknown" if not ghz else
                            "no peak figure for Spry's '%s' kernels"
                            % kernels))

    log("spry: %s; LiteRT via %s; CPU: %s (%d CPUs)"
        % (spry, sys.executable, cpu_model, ncpu))
    base = run_child(["--runtime", "none"], args.timeout)
    floor_kb = base.get("peak_rss_kb")

    results = []
    for name, path in models:
        mc = run_child(["--runtime", "macs", "--model", path], args.timeout)
        if "error" in mc:
            log("%s: MAC count failed: %s" % (name, mc["error"]))
        for nt in threads_list:
            rec = {"model": name, "path": path, "threads": nt,
                   "macs": mc.get("macs"), "macs_int8": mc.get("macs_int8"),
                   "macs_f32": mc.get("macs_f32"),
                   "macs_per_op": mc.get("per_op"),
                   "rounds": {rt: [] for rt in RUNTIMES}, "error": {}}
            for r in range(args.rounds):
                order = RUNTIMES[r % 3:] + RUNTIMES[:r % 3]
                for rt in order:
                    if rt in rec["error"]:
                        continue
                    t0 = time.time()
                    if rt == "spry":
                        d = run_spry(spry, path, nt, args.runs, args.warmup,
                                     args.timeout)
                    else:
                        d = run_child(["--runtime", rt, "--model", path,
                                       "--threads", str(nt),
                                       "--runs", str(args.runs),
                                       "--warmup", str(args.warmup)],
                                      args.timeout)
                    if "error" in d:
                        rec["error"][rt] = _short(d["error"])
                        log("%s t=%d round %d/%d %s: n/a (%s)"
                            % (name, nt, r + 1, args.rounds, rt, d["error"]))
                        continue
                    d.pop("ops", None)
                    rec["rounds"][rt].append(d)
                    log("%s t=%d round %d/%d %-7s median %.2f ms "
                        "(process %.1f s)" % (name, nt, r + 1, args.rounds,
                                              rt, d["median_ms"],
                                              time.time() - t0))
            summ = {}
            for rt in RUNTIMES:
                rs = rec["rounds"][rt]
                if rt in rec["error"] or not rs:
                    summ[rt] = None
                    continue
                summ[rt] = {k: med([x.get(k) for x in rs])
                            for k in ("median_ms", "init_ms", "first_ms",
                                      "peak_rss_kb")}
            rec["summary"] = summ
            # arithmetic
            rec["gops"], rec["pct_peak"] = {}, {}
            for rt in RUNTIMES:
                s = summ[rt]
                if not s or not rec["macs"] or not s["median_ms"]:
                    continue
                rec["gops"][rt] = 2 * rec["macs"] / (s["median_ms"] * 1e6)
                if peak_core:
                    cores = min(nt, ncpu)
                    ideal_ms = 1e3 * (
                        2 * rec["macs_int8"] / (peak_core["int8"] * 1e9)
                        + 2 * rec["macs_f32"] / (peak_core["f32"] * 1e9)
                    ) / cores
                    rec["pct_peak"][rt] = 100.0 * ideal_ms / s["median_ms"]
            results.append(rec)

    # -- table ---------------------------------------------------------------
    def g(rec, rt, k):
        s = rec["summary"].get(rt)
        return s[k] if s else None

    def ratio(a, b):
        return a / b if (a is not None and b) else None

    hdr = ["model", "thr", "Spry ms", "XNNPACK ms", "builtin ms",
           "Spry/XNNPACK", "Spry/builtin", "init ms Spry", "init ms XNNPACK",
           "init ms builtin", "RSS KB Spry", "RSS KB XNNPACK",
           "RSS KB builtin", "Spry GOPS", "Spry % peak"]
    out = ["| " + " | ".join(hdr) + " |",
           "|" + "|".join(["---"] + ["---:"] * (len(hdr) - 1)) + "|"]
    notes = []
    for rec in results:
        sp, xn, bi = (g(rec, rt, "median_ms") for rt in RUNTIMES)
        row = [rec["model"], str(rec["threads"]),
               fmt(sp, "%.2f"), fmt(xn, "%.2f"), fmt(bi, "%.2f"),
               fmt(ratio(sp, xn), "%.2f"), fmt(ratio(sp, bi), "%.2f")]
        row += [fmt(g(rec, rt, "init_ms"), "%.1f") for rt in RUNTIMES]
        row += [fmt(g(rec, rt, "peak_rss_kb"), "%.0f") for rt in RUNTIMES]
        row += [fmt(rec["gops"].get("spry"), "%.2f"),
                fmt(rec["pct_peak"].get("spry"), "%.1f%%")]
        out.append("| " + " | ".join(row) + " |")
        for rt, e in rec["error"].items():
            notes.append("%s (threads %d) %s: %s"
                         % (rec["model"], rec["threads"], rt, e))
    print("\n".join(out))
    print()
    print("Median over %d round(s) of the median of %d timed invokes (%d "
          "warm-up), zero inputs; runtimes alternated in rotating order."
          % (args.rounds, args.runs, args.warmup))
    print("CPU: %s, %d CPUs. %s." % (cpu_model, ncpu, peak_note))
    print("GOPS = 2 x MACs of CONV_2D/DEPTHWISE_CONV_2D/FULLY_CONNECTED/"
          "TRANSPOSE_CONV/BATCH_MATMUL / median time.")
    if floor_kb:
        print("LiteRT RSS includes Python + numpy + the LiteRT library: a "
              "child that only imports them peaks at %d KB." % floor_kb)
    for n in notes:
        print("n/a: " + n)

    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
                       "cpu": cpu_model, "cpus": ncpu, "nominal_ghz": ghz,
                       "peak_gops_per_core": peak_core,
                       "peak_note": peak_note, "spry": spry,
                       "python": sys.executable,
                       "litert_import_only_rss_kb": floor_kb,
                       "rounds": args.rounds, "runs": args.runs,
                       "warmup": args.warmup, "results": results,
                       "elapsed_s": time.time() - T_START}, f, indent=1)
    log("done in %.1f s" % (time.time() - T_START))
    return 0


if __name__ == "__main__":
    sys.exit(main())
