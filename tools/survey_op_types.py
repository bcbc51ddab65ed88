#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Surveys which tensor types each builtin op takes in TensorFlow Lite's
reference kernels and in Spry, and whether their outputs agree.

Usage (from the repository root, after building; development tooling only,
never needed by the test suite):

    python3 tools/survey_op_types.py [--spry build/tools/spry] [--ops ADD,CAST,...]
                                     [--all]

For every op of the signature table below and every candidate type (float32,
float16, bfloat16, float64, int8, uint8, int16 -- quantized where the op
reads a scale -- uint16, int32, uint32, int64, bool; for the arithmetic ops
also int8/uint8/int16 without quantization; for QUANTIZE, DEQUANTIZE and CAST
every input/output pair) it builds a one-operator model with
tools/goldens/make_misc_cases.model_bytes (flatc from JSON) at the newest
version of the op that the reference registers (probed), feeds it fixed-seed
inputs and records:

  reference  ai_edge_litert's BUILTIN_REF interpreter (its BUILTIN one for
             the ops BUILTIN_REF lacks: CEIL, ROUND, ELU; without the
             XNNPACK delegate, which takes types the kernels do not) accepts it:
             allocate_tensors() and invoke() succeed, in a child process
             ("crashes" when it dies), and two interpreters (one invoked
             twice) give the same output bytes ("garbage" when they do not)
             of the declared types ("retypes" when the kernel sets another);
  spry       `spry run MODEL -i in0.bin ... -o DIR` exits with status 0;
  equal      when both accept: the outputs have the same bytes (float types:
             within 1e-5 * (1 + max |reference|), NaN where the reference has
             NaN).

It prints the disagreements (one accepts and the other does not, or the
outputs differ) as a table, then a count of the cells surveyed; --all prints
every cell. Needs numpy, ml_dtypes, ai_edge_litert and flatc.
Deterministic: the inputs come from generators seeded by the cell's name.
"""

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'goldens'))
import make_misc_cases as mm  # noqa: E402
import make_type_gap_cases as tg  # noqa: E402

T, I32, tk, KEYS = mm.T, tg.I32, tg.tk, tg.KEYS
s32, s64, b = np.int32, np.int64, np.bool_

# The candidate types: a type key of make_type_gap_cases (8/16-bit integers
# quantized) and the name the table prints.
TYPES = [('f32', 'float32'), ('f16', 'float16'), ('bf16', 'bfloat16'), ('f64', 'float64'),
         ('qi8', 'int8'), ('qu8', 'uint8'), ('qi16', 'int16'), ('u16', 'uint16'),
         ('i32', 'int32'), ('u32', 'uint32'), ('i64', 'int64'), ('b', 'bool')]
PLAIN = [('i8', 'int8 (plain)'), ('u8', 'uint8 (plain)'), ('i16', 'int16 (plain)')]
NAME = dict(TYPES + PLAIN)
FLOATS = {np.dtype(t) for t in tg.FLOATS}

UNARY = ['ABS', 'NEG', 'SQUARE', 'SQRT', 'RSQRT', 'EXP', 'LOG', 'SIN', 'COS', 'FLOOR', 'CEIL',
         'ROUND', 'SIGN', 'RELU', 'RELU6', 'RELU_N1_TO_1', 'RELU_0_TO_1', 'LEAKY_RELU', 'ELU',
         'HARD_SWISH', 'LOGISTIC', 'TANH', 'GELU', 'LOGICAL_NOT', 'ZEROS_LIKE']
BINARY = ['ADD', 'SUB', 'MUL', 'DIV', 'SQUARED_DIFFERENCE', 'MAXIMUM', 'MINIMUM', 'FLOOR_DIV',
          'FLOOR_MOD', 'POW', 'EQUAL', 'NOT_EQUAL', 'LESS', 'LESS_EQUAL', 'GREATER',
          'GREATER_EQUAL', 'LOGICAL_AND', 'LOGICAL_OR', 'PRELU']
REDUCE = ['MEAN', 'SUM', 'REDUCE_MAX', 'REDUCE_MIN', 'REDUCE_PROD', 'ARG_MAX', 'ARG_MIN',
          'CUMSUM']
MOVE = ['RESHAPE', 'SQUEEZE', 'EXPAND_DIMS', 'TRANSPOSE', 'CONCATENATION', 'SPLIT', 'SPLIT_V',
        'PACK', 'UNPACK', 'SLICE', 'STRIDED_SLICE', 'GATHER', 'GATHER_ND', 'SCATTER_ND', 'PAD',
        'PADV2', 'MIRROR_PAD', 'TILE', 'BROADCAST_TO', 'REVERSE_V2', 'DEPTH_TO_SPACE',
        'SPACE_TO_DEPTH', 'BATCH_TO_SPACE_ND', 'SPACE_TO_BATCH_ND', 'SELECT', 'SELECT_V2',
        'WHERE', 'FILL', 'SHAPE', 'RANK', 'ONE_HOT', 'TOPK_V2', 'RANGE']
POOL = ['AVERAGE_POOL_2D', 'MAX_POOL_2D', 'L2_POOL_2D', 'SOFTMAX', 'LOG_SOFTMAX',
        'L2_NORMALIZATION', 'LOCAL_RESPONSE_NORMALIZATION', 'RESIZE_BILINEAR',
        'RESIZE_NEAREST_NEIGHBOR']
PAIRS = ['QUANTIZE', 'DEQUANTIZE', 'CAST']
OPS = UNARY + BINARY + REDUCE + MOVE + POOL + PAIRS
COMPARE = ('EQUAL', 'NOT_EQUAL', 'LESS', 'LESS_EQUAL', 'GREATER', 'GREATER_EQUAL')

# Output quantization the quantized kernels insist on (int8, uint8, int16).
FIXED_OUT_Q = {
    'LOGISTIC': {'qi8': (1 / 256, -128), 'qu8': (1 / 256, 0), 'qi16': (1 / 32768, 0)},
    'SOFTMAX': {'qi8': (1 / 256, -128), 'qu8': (1 / 256, 0), 'qi16': (1 / 32768, 0)},
    'TANH': {'qi8': (1 / 128, 0), 'qu8': (1 / 128, 128), 'qi16': (1 / 32768, 0)},
    'LOG_SOFTMAX': {'qi8': (16 / 256, 127), 'qu8': (16 / 256, 255)},
    'L2_NORMALIZATION': {'qi8': (1 / 128, 0), 'qu8': (1 / 128, 128)},
}
OPTIONS = {
    'ADD': ('AddOptions', {}), 'SUB': ('SubOptions', {}), 'MUL': ('MulOptions', {}),
    'DIV': ('DivOptions', {}), 'LEAKY_RELU': ('LeakyReluOptions', {'alpha': 0.2}),
    'GELU': ('GeluOptions', {'approximate': False}),
}


def scalar(key, value):
    """A constant scalar of type key (bools: value != 0)."""
    return tk([], key, data=bool(value) if key == 'b' else value)


def signature(op, key):
    """(ins, outs, opt_type, opts) of a small model of `op` on type key `key`
    (for QUANTIZE, DEQUANTIZE and CAST a pair 'src>dst')."""
    if op == 'ONE_HOT' and key in ('u16', 'u32'):  # an off value the type holds
        on, off = scalar(key, 5), scalar(key, 2)
        return [I32([3], [0, 2, 5]), I32([], [4]), on, off], [tk([3, 4], key)], \
            'OneHotOptions', {'axis': 0}
    return signature_of(op, key)


def signature_of(op, key):
    if op in ('QUANTIZE', 'DEQUANTIZE', 'CAST'):
        src, dst = key.split('>')
        return [tk([2, 4], src)], [tk([2, 4], dst)], None, None
    if op in UNARY:
        out = tk([2, 6], key, q=FIXED_OUT_Q.get(op, {}).get(key))
        return [tk([2, 6], key)], [out], *OPTIONS.get(op, (None, None))
    if op in ('LOGICAL_AND', 'LOGICAL_OR', 'POW', 'SQUARED_DIFFERENCE', 'PRELU') or \
            op in OPTIONS:
        return [tk([2, 3], key), tk([3], key)], [tk([2, 3], key)], *OPTIONS.get(op, (None, None))
    if op in ('MEAN', 'SUM', 'REDUCE_MAX', 'REDUCE_MIN'):
        return tg.spec('REDUCE_PROD', key)[:2] + ('ReducerOptions', {'keep_dims': False})
    if op == 'CUMSUM':
        return [tk([2, 3], key), I32([], [1])], [tk([2, 3], key)], 'CumsumOptions', {}
    if op == 'WHERE':
        return [tk([2, 3], key)], [T([6, 2], s64)], None, None
    if op == 'TOPK_V2':
        return [tk([2, 5], key), I32([], [2])], [tk([2, 2], key), T([2, 2], s32)], None, None
    if op == 'RANGE':
        return [scalar(key, 1), scalar(key, 7), scalar(key, 2)], [tk([3], key)], None, None
    if op == 'L2_POOL_2D':
        return tg.spec('MAX_POOL_2D', key)
    if op in ('SOFTMAX', 'LOG_SOFTMAX', 'L2_NORMALIZATION'):
        opt = {'SOFTMAX': ('SoftmaxOptions', {'beta': 1.0}), 'LOG_SOFTMAX': (None, None),
               'L2_NORMALIZATION': ('L2NormOptions', {})}[op]
        out = tk([2, 6], key, q=FIXED_OUT_Q.get(op, {}).get(key))
        return [tk([2, 6], key)], [out], *opt
    if op == 'LOCAL_RESPONSE_NORMALIZATION':
        return [tk([1, 2, 2, 5], key)], [tk([1, 2, 2, 5], key)], \
            'LocalResponseNormalizationOptions', {'radius': 2, 'bias': 1.0, 'alpha': 0.5,
                                                  'beta': 0.5}
    if op == 'RESIZE_BILINEAR':
        return [tk([1, 2, 3, 1], key), I32([2], [3, 5])], [tk([1, 3, 5, 1], key)], \
            'ResizeBilinearOptions', {}
    return tg.spec(op, key)


def keys_of(op):
    if op in PAIRS:
        return ['%s>%s' % (a, c) for a, _ in TYPES for c, _ in TYPES]
    keys = [k for k, _ in TYPES]
    if op in UNARY + BINARY + REDUCE + POOL:
        keys += [k for k, _ in PLAIN]
    return keys


def type_name(key):
    return ' -> '.join(NAME[k] for k in key.split('>'))


def feeds_for(op, name, fed):
    """Inputs: nonzero divisors, positive radicands and logarithms, small
    non-negative exponents, and no INT_MIN / -1."""
    rng = mm.rng_for(name)
    out = []
    for i, t in enumerate(fed):
        kind = 'any'
        if op in ('SQRT', 'RSQRT', 'LOG') or (op == 'POW' and i == 1):
            kind = 'positive'
        if op in ('DIV', 'FLOOR_DIV', 'FLOOR_MOD') and i == 1:
            kind = 'nonzero'
        x = tg.gen(rng, t, kind)
        if np.issubdtype(t.dtype, np.integer) and op in ('POW', 'MUL', 'SQUARE',
                                                         'SQUARED_DIFFERENCE', 'REDUCE_PROD'):
            x = (np.abs(x.astype(np.int64)) % (5 if i else 9)).astype(t.dtype)
        if np.issubdtype(t.dtype, np.integer) and op in ('DIV', 'FLOOR_DIV', 'FLOOR_MOD') \
                and i == 1:
            x = np.where(x == -1, t.dtype(5), x).astype(t.dtype)
        out.append(x)
    return out


def build(op, version, key):
    ins, outs, opt_type, opts = signature(op, key)
    tensors = ins + outs
    return mm.model_bytes(op, version, tensors, list(range(len(ins))),
                          list(range(len(ins), len(tensors))), opt_type, opts), ins, outs


def interpreter(model, builtin):
    """An interpreter of the reference kernels (builtin: TFLite's builtin
    kernels without delegates, for the ops BUILTIN_REF does not register;
    XNNPACK would take types the kernels refuse)."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    kind = OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES if builtin else \
        OpResolverType.BUILTIN_REF
    return Interpreter(model_content=model, experimental_op_resolver_type=kind)


def reference_outputs(model, feeds, builtin):
    """The outputs of two interpreters (the second invoked twice); raises when
    the reference refuses the model, returns None when runs disagree."""
    runs = []
    for repeat in (1, 2):
        it = interpreter(model, builtin)
        it.allocate_tensors()
        for _ in range(repeat):
            for d, x in zip(it.get_input_details(), feeds):
                it.set_tensor(d['index'], x)
            it.invoke()
            runs.append([it.get_tensor(d['index']).copy() for d in it.get_output_details()])
    same = all(len(r) == len(runs[0]) and
               all(a.tobytes() == c.tobytes() and a.shape == c.shape for a, c in zip(r, runs[0]))
               for r in runs)
    return runs[0] if same else None


def reference_in_child(model, feeds, builtin):
    """reference_outputs in a forked process, as some reference kernels abort
    the process on input they do not take: ('accepts', outputs), ('garbage',
    None), ('refuses', message) or ('crashes', None)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            outs = reference_outputs(model, feeds, builtin)
            result = ('accepts', outs) if outs is not None else ('garbage', None)
        except Exception as e:  # noqa: BLE001 -- any refusal counts
            why = str(e).strip().splitlines()
            result = ('refuses', why[0][:90] if why else type(e).__name__)
        with os.fdopen(write, 'wb') as f:
            pickle.dump(result, f)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, 'rb') as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return 'crashes', None
    return pickle.loads(data)


def newest_version(op, key):
    """(version, builtin): the highest version of op that BUILTIN_REF
    resolves (model construction fails for versions it does not register),
    else the highest of TFLite's default kernels, builtin then True."""
    for builtin in (False, True):
        for version in range(12, 0, -1):
            model = build(op, version, key)[0]
            try:
                interpreter(model, builtin)
                return version, builtin
            except (ValueError, RuntimeError) as e:
                if "Didn't find op" not in str(e):
                    return version, builtin
    return 1, False


def close(ref, got):
    if ref.dtype not in FLOATS:
        return ref.tobytes() == got.tobytes()
    r, g = ref.astype(np.float64), got.astype(np.float64)
    if not np.array_equal(np.isnan(r), np.isnan(g)):
        return False
    finite = ~np.isnan(r)
    tol = 1e-5 * (1 + (np.max(np.abs(r[finite & np.isfinite(r)]), initial=0)))
    inf = finite & ~np.isfinite(r)
    return bool(np.all(r[inf] == g[inf]) and
                np.all(np.abs(r[finite & ~inf] - g[finite & ~inf]) <= tol))


def run_spry(spry, model, feeds, refs, tmp):
    path = os.path.join(tmp, 'model.tflite')
    open(path, 'wb').write(model)
    args = [spry, 'run', path, '-o', os.path.join(tmp, 'out')]
    for i, x in enumerate(feeds):
        p = os.path.join(tmp, 'in%d.bin' % i)
        open(p, 'wb').write(np.ascontiguousarray(x).tobytes())
        args += ['-i', p]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        lines = (r.stderr or r.stdout).strip().splitlines()
        why = lines[-1] if lines else 'exit %d' % r.returncode
        return False, None, why.replace('spry: %s: ' % path, '')
    if refs is None:
        return True, None, ''
    equal = True
    for i, ref in enumerate(refs):
        raw = open(os.path.join(tmp, 'out', 'output_%d.bin' % i), 'rb').read()
        if len(raw) != ref.nbytes:
            equal = False
            continue
        equal &= close(ref, np.frombuffer(raw, ref.dtype).reshape(ref.shape))
    return True, equal, ''


def survey(spry, ops):
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for op in ops:
            keys = keys_of(op)
            probe = 'b' if op.startswith('LOGICAL') else 'f32>qi8' if op == 'QUANTIZE' else \
                'qi8>f32' if op == 'DEQUANTIZE' else keys[0]
            version, builtin = newest_version(op, probe)
            for key in keys:
                name = '%s_%s_v%d' % (op.lower(), key, version)
                model, ins, outs = build(op, version, key)
                fed = [t for t in ins if t.data is None]
                feeds = [np.asarray(x).astype(t.dtype).reshape(t.shape)
                         for x, t in zip(feeds_for(op, name, fed), fed)]
                ref, refs = reference_in_child(model, feeds, builtin)
                ref_why = refs if ref == 'refuses' else ''
                refs = refs if ref == 'accepts' else None
                if refs and [r.dtype for r in refs] != [np.dtype(t.dtype) for t in outs]:
                    # The kernel sets its own output type (DEQUANTIZE: float32).
                    ref, ref_why = 'retypes', 'output becomes %s' % refs[0].dtype
                    refs = None
                ok, equal, spry_why = run_spry(spry, model, feeds, refs, tmp)
                rows.append(dict(op=op, type=type_name(key),
                                 version='%d%s' % (version, ' (builtin)' if builtin else ''),
                                 ref=ref,
                                 ref_why=ref_why,
                                 spry='accepts' if ok else 'refuses', spry_why=spry_why,
                                 equal=equal))
    return rows


def disagrees(r):
    if r['ref'] == 'accepts':
        return r['spry'] == 'refuses' or r['equal'] is False
    return r['spry'] == 'accepts'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--spry', default='build/tools/spry', help='the spry command line')
    ap.add_argument('--ops', default='', help='comma-separated ops (default: all)')
    ap.add_argument('--all', action='store_true', help='print every cell')
    ap.add_argument('--json', help='also write every cell to this JSON file')
    args = ap.parse_args()
    ops = [o for o in args.ops.split(',') if o] or OPS
    rows = survey(os.path.abspath(args.spry), ops)
    shown = rows if args.all else [r for r in rows if disagrees(r)]
    print('| Op | Type | Version | Reference | Spry | Outputs equal | Why |')
    print('|---|---|---|---|---|---|---|')
    for r in shown:
        eq = '' if r['equal'] is None else 'yes' if r['equal'] else 'NO'
        why = r['ref_why'] or r['spry_why']
        print('| %s | %s | %s | %s | %s | %s | %s |' % (r['op'], r['type'], r['version'],
                                                       r['ref'], r['spry'], eq,
                                                       why.replace('|', '/')))
    print('\n%d cells surveyed, %d disagreements' % (len(rows),
                                                    sum(map(disagrees, rows))))
    if args.json:
        json.dump(rows, open(args.json, 'w'), indent=1)


if __name__ == '__main__':
    main()
