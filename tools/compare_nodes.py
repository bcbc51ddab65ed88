#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Compare Spry with LiteRT's XNNPACK node by node, on one-node models cut
from a model.

Development tooling only: Spry and its tests never need this script.

Usage
-----
    python3 tools/compare_nodes.py MODEL [--threads 1] [--rounds 3]
        [--runs 20] [--only OP | --prefixes K1,K2,...] [--spry build/tools/spry]
        [--keep DIR]

Needs a built `spry` and the `ai_edge_litert` Python package (`pip install
ai-edge-litert`).

What it does
------------
`spry bench --profile` says where Spry's time goes, but LiteRT's XNNPACK
path has no per-node profile to set beside it. This script cuts every
distinct node of the model's main subgraph (same op, options, input and
output shapes: DeepLab's 70 nodes are 40) into a model of its own: the
node, its tensors with their types and quantization, and the constant
inputs' data; the other inputs become the model's inputs. Each such model
then runs in `spry bench` and in LiteRT with default options (XNNPACK),
alternating, `--rounds` times `--runs` invokes; the table gives the
minimum over rounds of each round's median, the ratio, and what the
difference costs the whole model (times the node's count).

A one-node model is not the node inside its model: its input is not in
the cache from the node before, and each runtime's fixed cost per invoke
weighs more. Read the ratios of the big nodes, and compare runs made on
the same machine, in the same invocation.

`--prefixes K1,K2,...` cuts the models of nodes 0..K instead (what later
nodes read becomes their outputs) and also prints what each stretch
between two prefixes adds: a stretch runs with its inputs in the cache,
as inside the whole model.
"""
import argparse
import copy
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time


def load_schema():
    try:
        from ai_edge_litert import schema_py_generated as schema
    except ImportError:
        sys.exit("compare_nodes.py needs ai_edge_litert: pip install ai-edge-litert")
    return schema


def op_name(schema, code):
    names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    value = max(code.builtinCode, code.deprecatedBuiltinCode)
    return names.get(value, str(value))


def node_key(schema, model, graph, op):
    """What makes two nodes the same work: op, options and shapes."""
    code = model.operatorCodes[op.opcodeIndex]
    shapes = tuple(tuple(graph.tensors[t].shape) if t >= 0 else () for t in op.inputs)
    outputs = tuple(tuple(graph.tensors[t].shape) for t in op.outputs)
    options = repr(sorted(vars(op.builtinOptions).items())) if op.builtinOptions else ""
    return (op_name(schema, code), shapes, outputs, options)


def nodes_model(schema, model, graph, first, last):
    """Nodes [first, last] alone: their tensors, the constants' buffers; the
    other inputs they read become the model's inputs, and what they write
    that later nodes or the model's outputs read, its outputs."""
    import flatbuffers

    ops = graph.operators[first:last + 1]
    written = {t for op in ops for t in op.outputs}
    read_after = {t for op in graph.operators[last + 1:] for t in op.inputs}
    out = schema.ModelT()
    out.version = 3
    codes, code_index = [], {}
    buffers, tensors, index, inputs = [schema.BufferT()], [], {}, []

    def add(t):
        if t < 0:
            return -1
        if t in index:
            return index[t]
        tensor = copy.deepcopy(graph.tensors[t])
        data = model.buffers[tensor.buffer].data
        buffer = schema.BufferT()
        constant = data is not None and len(data) > 0
        if constant:
            buffer.data = data
        buffers.append(buffer)
        tensor.buffer = len(buffers) - 1
        tensors.append(tensor)
        index[t] = len(tensors) - 1
        if not constant and t not in written:
            inputs.append(index[t])
        return index[t]

    nodes = []
    for op in ops:
        node = copy.deepcopy(op)
        if op.opcodeIndex not in code_index:
            code_index[op.opcodeIndex] = len(codes)
            codes.append(model.operatorCodes[op.opcodeIndex])
        node.opcodeIndex = code_index[op.opcodeIndex]
        node.inputs = [add(t) for t in op.inputs]
        node.outputs = [add(t) for t in op.outputs]
        nodes.append(node)
    outputs = [index[t] for t in sorted(written) if t in read_after or t in graph.outputs]
    sub = schema.SubGraphT()
    sub.tensors, sub.inputs, sub.operators = tensors, inputs, nodes
    sub.outputs = outputs or nodes[-1].outputs
    out.operatorCodes, out.subgraphs, out.buffers = codes, [sub], buffers
    builder = flatbuffers.Builder(1024)
    builder.Finish(out.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def read_model(schema, path):
    """The model as objects, and its main subgraph."""
    with open(path, "rb") as f:
        data = f.read()
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(data, 0))
    return model, model.subgraphs[0]


def cut_nodes(schema, path, only, directory):
    """[(file, op name, count, node indices)], one per distinct node."""
    model, graph = read_model(schema, path)
    nodes = {}
    for i, op in enumerate(graph.operators):
        key = node_key(schema, model, graph, op)
        if only and key[0] != only:
            continue
        if key in nodes:
            nodes[key][3].append(i)
            continue
        file = os.path.join(directory, "node%03d_%s.tflite" % (i, key[0]))
        with open(file, "wb") as f:
            f.write(nodes_model(schema, model, graph, i, i))
        nodes[key] = (file, key[0], key[2], [i])
    return list(nodes.values())


def cut_prefixes(schema, path, ends, directory):
    """[(file, last node)], the model's nodes 0..last for each last in ends."""
    model, graph = read_model(schema, path)
    cuts = []
    for last in ends:
        if not 0 <= last < len(graph.operators):
            sys.exit("--prefixes: node %d is not in 0..%d" % (last, len(graph.operators) - 1))
        file = os.path.join(directory, "nodes000-%03d.tflite" % last)
        with open(file, "wb") as f:
            f.write(nodes_model(schema, model, graph, 0, last))
        cuts.append((file, last))
    return cuts


def compare(args, file):
    """(Spry ms, XNNPACK ms): the minimum over rounds of each round's median."""
    spry, xnnpack = [], []
    for _ in range(args.rounds):
        spry.append(spry_median(args.spry, file, args.runs, args.threads))
        xnnpack.append(litert_median(file, args.runs, args.threads))
    return min(spry), min(xnnpack)


def print_prefixes(args, cuts):
    print("| nodes | Spry ms | XNNPACK ms | Spry/XNNPACK | stretch Spry ms | stretch XNNPACK ms "
          "| stretch difference ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    before = (0.0, 0.0)
    for file, last in cuts:
        s, x = compare(args, file)
        print("| 0-%d | %.3f | %.3f | %.2f | %.3f | %.3f | %+.3f |"
              % (last, s, x, s / x if x else 0.0, s - before[0], x - before[1],
                 (s - before[0]) - (x - before[1])), flush=True)
        before = (s, x)


def spry_median(spry, path, runs, threads):
    result = subprocess.run([spry, "bench", path, "--runs", str(runs), "--threads", str(threads)],
                            capture_output=True, text=True)
    match = re.search(r"median\s+([\d.]+) ms", result.stdout)
    if result.returncode != 0 or not match:
        raise RuntimeError("spry bench %s: %s" % (path, result.stderr.strip() or result.stdout))
    return float(match.group(1))


def litert_median(path, runs, threads):
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=path, num_threads=threads)
    interpreter.allocate_tensors()
    for _ in range(2):
        interpreter.invoke()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        interpreter.invoke()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--only", help="one op, e.g. DEPTHWISE_CONV_2D")
    ap.add_argument("--spry", default=os.path.join(os.path.dirname(__file__), "..", "build",
                                                    "tools", "spry"))
    ap.add_argument("--keep", help="write the one-node models here and keep them")
    ap.add_argument("--prefixes", help="instead of single nodes, the nodes 0..K for each K of "
                    "this comma-separated list, e.g. 10,37,69")
    args = ap.parse_args()
    if not os.path.isfile(args.model):
        sys.exit("no model at %s" % args.model)
    if not os.access(args.spry, os.X_OK):
        sys.exit("no spry at %s (build it first, or pass --spry PATH)" % args.spry)
    if args.rounds < 1 or args.runs < 1 or args.threads < 1:
        sys.exit("--rounds, --runs and --threads must be at least 1")
    schema = load_schema()
    with tempfile.TemporaryDirectory() as scratch:
        directory = args.keep or scratch
        os.makedirs(directory, exist_ok=True)
        if args.prefixes:
            try:
                ends = sorted(int(k) for k in args.prefixes.split(","))
            except ValueError:
                sys.exit("--prefixes takes node indices, e.g. 10,37,69")
            print_prefixes(args, cut_prefixes(schema, args.model, ends, directory))
            return
        nodes = cut_nodes(schema, args.model, args.only, directory)
        print("%d distinct nodes; %d thread(s), min over %d rounds of the median of %d runs"
              % (len(nodes), args.threads, args.rounds, args.runs), file=sys.stderr)
        print("| node | op | output | count | Spry ms | XNNPACK ms | Spry/XNNPACK | "
              "difference x count ms |")
        print("|---:|---|---|---:|---:|---:|---:|---:|")
        totals = [0.0, 0.0]
        for file, op, outputs, indices in nodes:
            s, x = compare(args, file)
            totals[0] += s * len(indices)
            totals[1] += x * len(indices)
            shape = "x".join(str(int(d)) for d in outputs[0]) if outputs else ""
            print("| %d | %s | %s | %d | %.3f | %.3f | %.2f | %+.3f |"
                  % (indices[0], op, shape, len(indices), s, x, s / x if x else 0.0,
                     (s - x) * len(indices)), flush=True)
        if totals[1] > 0:
            print("| | all | | | %.3f | %.3f | %.3f | %+.3f |"
                  % (totals[0], totals[1], totals[0] / totals[1], totals[0] - totals[1]))


if __name__ == "__main__":
    main()
