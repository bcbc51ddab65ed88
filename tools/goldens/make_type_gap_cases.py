#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden cases that prove the op x type cells of docs/ops.md no
other script covers: types TFLite's kernels take that the first cases of an
op left out (plain int16 and int64 ADD, uint32 MUL, integer MEAN, int16
SOFTMAX, quantized int8/int16 NEG, SQRT, RSQRT, DIV, PRELU and GELU, wider
element types of the data-movement ops, index operands of other widths) and
the op versions that name a type (PAD 5 on bool, GATHER_ND 5 on bool, ...).

Usage (from the repository root; development tooling only, never needed by the
test suite):

    python3 tools/goldens/make_type_gap_cases.py [--root .] [--only NAME,...]

Needs numpy, ml_dtypes, ai_edge_litert and flatc. Each case is a one-operator
model built with make_misc_cases.model_bytes (flatc from JSON), fed
fixed-seed inputs and run with ai_edge_litert's BUILTIN_REF resolver: the
reference kernels, which Spry's must match bit for bit on integer types.
Written to tests/data/goldens/op_<case>/ {model.tflite, input_<i>.bin,
output_<i>.bin}; every case must be listed in tests/engine/meson.build (the
group under "op x type gaps"); the script prints the names. Models whose
prepare must fail (types TFLite's kernels refuse too, or that only its
misreading accepts) go to tests/kernels/data/type_gap_errors/<name>.tflite,
listed with the expected message fragment in
tests/kernels/data/type_gap_errors.h for tests/kernels/test_type_gaps.c.
Deterministic: rerunning reproduces the same bytes.
"""

import argparse
import os
import sys

import ml_dtypes
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_misc_cases as mm  # noqa: E402

bf16 = ml_dtypes.bfloat16
mm.TFL_TYPE.update({np.bool_: 'BOOL', np.int64: 'INT64', np.uint32: 'UINT32',
                    np.uint16: 'UINT16', np.float64: 'FLOAT64', bf16: 'BFLOAT16'})
T = mm.T
u8, s8, s16, u16 = np.uint8, np.int8, np.int16, np.uint16
s32, u32, s64 = np.int32, np.uint32, np.int64
f16, f32, f64, b = np.float16, np.float32, np.float64, np.bool_
FLOATS = (f16, f32, f64, bf16)

CASES = []


def gen(rng, t, kind='any'):
    """Input data of tensor t. kind: 'any', 'positive', 'nonzero', 'small'."""
    shape = t.shape
    if t.dtype == np.bool_:
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    if t.dtype in FLOATS:
        x = rng.normal(size=shape) * 3
        if kind == 'positive':
            x = np.abs(x) + 0.05
        return x.astype(t.dtype)
    info = np.iinfo(t.dtype)
    lo, hi = int(info.min), int(info.max)
    if kind == 'small':
        lo, hi = max(lo, -20), min(hi, 20)
    if kind == 'positive':
        lo = max(lo, 1)
    x = rng.integers(lo, hi, size=shape, endpoint=True, dtype=np.int64).astype(t.dtype)
    if kind == 'nonzero':
        x = np.where(x == 0, t.dtype(3), x).astype(t.dtype)
    return x


def case(name, op, version, ins, outs, opt_type=None, opts=None, feeds=None, kinds=None):
    """ins: input tensors (constants carry data, -1 for an absent one); outs: outputs."""
    CASES.append(dict(name=name, op=op, version=version, ins=ins,
                      outs=outs if isinstance(outs, list) else [outs], opt_type=opt_type,
                      opts=opts, feeds=feeds, kinds=kinds))


def run_case(c):
    if c.get('model') is not None:  # a whole model built elsewhere
        return c['model'], c['feeds'], mm.run_ref(c['model'], c['feeds'])
    tensors = [t for t in c['ins'] if t != -1] + c['outs']
    inputs, k = [], 0
    for t in c['ins']:
        inputs.append(-1 if t == -1 else k)
        k += t != -1
    outputs = list(range(k, k + len(c['outs'])))
    model = mm.model_bytes(c['op'], c['version'], tensors, inputs, outputs, c['opt_type'],
                           c['opts'])
    fed = [t for t in c['ins'] if t != -1 and t.data is None]
    rng = mm.rng_for(c['name'])
    kinds = c['kinds'] or ['any'] * len(fed)
    feeds = c['feeds'] or [gen(rng, t, kd) for t, kd in zip(fed, kinds)]
    feeds = [np.asarray(x).astype(t.dtype).reshape(t.shape) for x, t in zip(feeds, fed)]
    return model, feeds, mm.run_ref(model, feeds)


# ---- Elementwise arithmetic -------------------------------------------------------

def binary(name, op, version, dtype, s1, s2, q1=(None, None), q2=(None, None),
           qo=(None, None), act=None, feeds=None, kinds=None, out_dtype=None):
    opt = {'ADD': 'AddOptions', 'SUB': 'SubOptions', 'MUL': 'MulOptions',
           'DIV': 'DivOptions'}.get(op)
    shape = list(np.broadcast_shapes(tuple(s1), tuple(s2)))
    case(name, op, version, [T(s1, dtype, *q1), T(s2, dtype, *q2)],
         T(shape, out_dtype or dtype, *qo), opt,
         {'fused_activation_function': act or 'NONE'} if opt else None, feeds, kinds)


def define_arithmetic():
    wrap16 = [np.array([[30000, -30000, 5], [100, -7, 0]], s16), np.array([30000, -30000, 7], s16)]
    binary('add_s16_plain_wrap', 'ADD', 5, s16, [2, 3], [3], feeds=wrap16)
    binary('add_s16_plain_relu6', 'ADD', 5, s16, [2, 3], [3], act='RELU6', feeds=wrap16)
    binary('add_s64_relu_broadcast', 'ADD', 4, s64, [2, 3], [3], act='RELU',
           feeds=[np.array([[2**62, -5, 7], [-2**63, 0, 100]], s64),
                  np.array([2**62, 3, -200], s64)])
    binary('mul_s16_plain_wrap_relu', 'MUL', 7, s16, [2, 3], [1, 3], act='RELU',
           feeds=[np.array([[300, -300, 5], [100, -7, 0]], s16), np.array([[300, 300, -7]], s16)])
    binary('mul_u32_wrap', 'MUL', 7, u32, [2, 3], [3],
           feeds=[np.array([[70000, 3, 5], [4000000000, 1, 0]], u32),
                  np.array([70000, 300, 2], u32)])
    binary('mul_u32_relu_n1_to_1', 'MUL', 7, u32, [4], [4], act='RELU_N1_TO_1',
           feeds=[np.array([0, 1, 2, 7], u32), np.array([5, 1, 0, 9], u32)])
    # Quantized int8/int16 DIV: divisors away from their zero point, dividends
    # away from theirs (TFLite's rescaling shift leaves the valid range for
    # quotients far below the output scale; those are not compared).
    rng = mm.rng_for('div_quantized')
    a8 = rng.integers(40, 128, size=[2, 6]) * rng.choice([-1, 1], size=[2, 6])
    d8 = rng.integers(20, 128, size=[6]) * rng.choice([-1, 1], size=[6])
    binary('div_s8_relu6', 'DIV', 1, s8, [2, 6], [6], (0.05, 2), (0.02, -1), (0.1, -20),
           act='RELU6', feeds=[a8 + 2, d8 - 1])
    a16 = rng.integers(3000, 32000, size=[2, 6]) * rng.choice([-1, 1], size=[2, 6])
    d16 = rng.integers(1000, 32000, size=[6]) * rng.choice([-1, 1], size=[6])
    binary('div_s16', 'DIV', 1, s16, [2, 6], [6], (0.002, 0), (0.0005, 0), (0.01, 0),
           feeds=[a16, d16])


def all_codes(dtype, lo=None):
    info = np.iinfo(dtype)
    return np.arange(info.min if lo is None else lo, info.max + 1, dtype=np.int64).astype(dtype)


def define_reductions():
    def reduce(name, op, version, dtype, shape, axes, keep, q=(None, None), feeds=None):
        rank = len(shape)
        red = {a % rank for a in axes}
        oshape = [1 if i in red else d for i, d in enumerate(shape)] if keep else \
            [d for i, d in enumerate(shape) if i not in red]
        case(name, op, version, [T(shape, dtype, *q), T([len(axes)], s32, data=axes)],
             T(oshape, dtype, *q), 'ReducerOptions', {'keep_dims': keep}, feeds)
    reduce('mean_s32_truncation', 'MEAN', 1, s32, [2, 3, 4], [1, -1], False,
           feeds=[np.arange(-12, 12, dtype=s32).reshape(2, 3, 4) * 7 + 3])
    reduce('mean_s64_keep', 'MEAN', 1, s64, [3, 4], [0], True,
           feeds=[np.array([[10**15, -5, 7, -9], [3 * 10**15, 2, -8, 0], [-1, -1, 1, 2]], s64)])
    for op in ('SUM', 'REDUCE_MAX', 'REDUCE_MIN', 'REDUCE_PROD'):
        reduce('%s_bool_axis1' % op.lower(), op, 1, b, [2, 3, 2], [1], False)


def define_unary():
    def unary(name, op, version, dtype, shape, qi=(None, None), qo=None, feed=None, opt=None,
              opts=None):
        qo = qi if qo is None else qo
        case(name, op, version, [T(shape, dtype, *qi)], T(shape, dtype, *qo), opt, opts,
             [feed] if feed is not None else None)
    unary('neg_s8_all_codes', 'NEG', 1, s8, [256], (0.05, -3), feed=all_codes(s8))
    unary('neg_s16_plain', 'NEG', 1, s16, [8],
          feed=np.array([-32768, 32767, 0, -1, 1, 1234, -4321, 100], s16))
    unary('sqrt_s8_codes', 'SQRT', 2, s8, [131], (0.05, -3), (0.03, -10), all_codes(s8, -3))
    unary('sqrt_s16', 'SQRT', 2, s16, [64], (1.0 / 1024, 0), (1.0 / 4096, 0),
          np.arange(0, 32768, 512).astype(s16))
    unary('rsqrt_s8_codes', 'RSQRT', 2, s8, [161], (0.02, -33), (0.05, -100), all_codes(s8, -33))
    unary('rsqrt_s8_large_scale', 'RSQRT', 2, s8, [128], (0.8, 0), (0.01, -128),
          all_codes(s8, 0))
    unary('gelu_s16', 'GELU', 2, s16, [64], (0.0002, 0), (0.00015, 0),
          np.arange(-32768, 32768, 1024).astype(s16), 'GeluOptions', {'approximate': False})
    unary('gelu_s16_approx', 'GELU', 2, s16, [64], (0.0003, 0), (0.0002, 0),
          np.arange(-32768, 32768, 1024).astype(s16), 'GeluOptions', {'approximate': True})
    rng = mm.rng_for('prelu_s16')
    case('prelu_s16_alpha_s8', 'PRELU', 1,
         [T([2, 3, 4], s16, 0.001, 0),
          T([1, 4], s8, 0.02, 3, data=rng.integers(-128, 128, [1, 4]))],
         T([2, 3, 4], s16, 0.0008, 0))
    x = mm.rng_for('softmax_s16').integers(-32768, 32768, size=[3, 9]).astype(s16)
    x[1] = x[1, 0]
    case('softmax_s16', 'SOFTMAX', 3, [T([3, 9], s16, 0.0005, 0)], T([3, 9], s16, 1.0 / 32768, 0),
         'SoftmaxOptions', {'beta': 1.0}, [x])
    case('softmax_s16_beta_small_scale', 'SOFTMAX', 3, [T([2, 2, 5], s16, 0.00002, 0)],
         T([2, 2, 5], s16, 1.0 / 32768, 0), 'SoftmaxOptions', {'beta': 0.7})
    for dtype, word, version, q in ((u8, 'u8', 1, (0.05, 128)), (s8, 's8', 2, (0.08, -1))):
        case('softmax_%s_to_s16' % word, 'SOFTMAX', version, [T([2, 7], dtype, *q)],
             T([2, 7], s16, 1.0 / 65536, -32768), 'SoftmaxOptions', {'beta': 1.5})


def define_quantize():
    """QUANTIZE's other input/output pairs: float32 to uint8 and int16,
    requantization between the 8/16-bit types."""
    pairs = [((f32,), (u8, 0.1, 128), 1), ((f32,), (s16, 1.0 / 4096, 0), 2),
             ((s8, 0.05, -10), (u8, 0.05, 118), 1), ((u8, 0.05, 100), (u8, 0.08, 50), 1),
             ((s8, 0.2, 1), (s8, 0.05, -2), 1), ((s16, 1.0 / 1024, 0), (s8, 1.0 / 32, 5), 2),
             ((s16, 1.0 / 1024, 0), (s16, 1.0 / 4096, 0), 2)]
    word = {f32: 'f32', u8: 'u8', s8: 's8', s16: 's16'}
    for src, dst, version in pairs:
        name = 'quantize_%s_%s' % (word[src[0]], word[dst[0]])
        case(name, 'QUANTIZE', version, [T([2, 6], *src)], T([2, 6], *dst))
    case('quantize_f32_s8_per_channel', 'QUANTIZE', 3, [T([2, 3], f32)],
         T([2, 3], s8, [0.1, 0.2, 0.3], [0, 1, -1], qdim=1))


# ---- One case per op x type cell ------------------------------------------------
# A type key names the element type and, for 8/16-bit integers, whether the
# tensors are quantized: 'qi8' int8 with scale and zero point, 'i8' plain.

KEYS = {'f32': f32, 'f16': f16, 'bf16': bf16, 'f64': f64, 'i32': s32, 'i64': s64, 'u32': u32,
        'u16': u16, 'b': b, 'qu8': u8, 'qi8': s8, 'qi16': s16, 'u8': u8, 'i8': s8, 'i16': s16}
QPARAMS = {'qu8': (0.05, 120), 'qi8': (0.05, -3), 'qi16': (0.002, 0)}


def tk(shape, key, data=None, q=None):
    """A tensor of type key `key`; q overrides the quantization."""
    if key in QPARAMS:
        return T(shape, KEYS[key], *(q or QPARAMS[key]), data=data)
    return T(shape, KEYS[key], data=data)


def I32(shape, data):
    return T(shape, s32, data=data)


def spec(op, key):
    """(ins, outs, opt_type, opts) of a small case of `op` on type key `key`."""
    if op in ('EQUAL', 'NOT_EQUAL', 'LESS', 'LESS_EQUAL', 'GREATER', 'GREATER_EQUAL'):
        return [tk([2, 3], key), tk([3], key)], [T([2, 3], b)], None, None
    if op in ('MAXIMUM', 'MINIMUM', 'FLOOR_DIV', 'FLOOR_MOD'):
        return [tk([2, 3], key), tk([3], key)], [tk([2, 3], key)], None, None
    if op in ('SELECT', 'SELECT_V2'):
        shape = [2, 3] if op == 'SELECT' else [3]
        return [T([2, 3], b), tk([2, 3], key), tk(shape, key)], [tk([2, 3], key)], None, None
    if op in ('AVERAGE_POOL_2D', 'MAX_POOL_2D'):
        return [tk([1, 4, 5, 2], key)], [tk([1, 2, 2, 2], key)], 'Pool2DOptions', \
            {'padding': 'VALID', 'stride_w': 2, 'stride_h': 2, 'filter_width': 2,
             'filter_height': 2}
    if op == 'REDUCE_PROD':
        return [tk([2, 3, 4], key), I32([1], [1])], [tk([2, 4], key)], 'ReducerOptions', \
            {'keep_dims': False}
    if op in ('ARG_MAX', 'ARG_MIN'):
        return [tk([2, 5], key), I32([1], [1])], [T([2], s32)], \
            'ArgMaxOptions' if op == 'ARG_MAX' else 'ArgMinOptions', {'output_type': 'INT32'}
    if op == 'SOFTMAX':
        return [tk([2, 6], key)], [tk([2, 6], key)], 'SoftmaxOptions', {'beta': 1.0}
    if op == 'ZEROS_LIKE':
        return [tk([2, 3], key)], [tk([2, 3], key)], None, None
    if op == 'RESHAPE':
        return [tk([2, 3], key), I32([2], [3, 2])], [tk([3, 2], key)], None, None
    if op == 'SQUEEZE':
        return [tk([1, 3, 1, 2], key)], [tk([3, 2], key)], 'SqueezeOptions', {'squeeze_dims': []}
    if op == 'EXPAND_DIMS':
        return [tk([2, 3], key), I32([], [-1])], [tk([2, 3, 1], key)], None, None
    if op == 'TRANSPOSE':
        return [tk([2, 3, 4], key), I32([3], [2, 0, 1])], [tk([4, 2, 3], key)], None, None
    if op == 'CONCATENATION':
        return [tk([2, 3], key), tk([2, 2], key)], [tk([2, 5], key)], 'ConcatenationOptions', \
            {'axis': -1}
    if op == 'SPLIT':
        return [I32([], [1]), tk([2, 4], key)], [tk([2, 2], key), tk([2, 2], key)], \
            'SplitOptions', {'num_splits': 2}
    if op == 'SPLIT_V':
        return [tk([2, 4], key), I32([2], [1, -1]), I32([], [1])], \
            [tk([2, 1], key), tk([2, 3], key)], 'SplitVOptions', {'num_splits': 2}
    if op == 'PACK':
        return [tk([2, 3], key), tk([2, 3], key)], [tk([2, 2, 3], key)], 'PackOptions', \
            {'values_count': 2, 'axis': 1}
    if op == 'UNPACK':
        return [tk([2, 3], key)], [tk([2], key), tk([2], key), tk([2], key)], 'UnpackOptions', \
            {'num': 3, 'axis': 1}
    if op == 'SLICE':
        return [tk([3, 4], key), I32([2], [1, 1]), I32([2], [2, -1])], [tk([2, 3], key)], None, \
            None
    if op == 'STRIDED_SLICE':
        return [tk([3, 4], key), I32([2], [0, 1]), I32([2], [3, 4]), I32([2], [2, 2])], \
            [tk([2, 2], key)], 'StridedSliceOptions', {}
    if op == 'GATHER':
        return [tk([4, 3], key), I32([2], [3, 1])], [tk([2, 3], key)], 'GatherOptions', \
            {'axis': 0}
    if op == 'GATHER_ND':
        return [tk([3, 4], key), I32([2, 1], [2, 0])], [tk([2, 4], key)], None, None
    if op == 'SCATTER_ND':
        return [I32([2, 1], [3, 0]), tk([2, 3], key), I32([2], [4, 3])], [tk([4, 3], key)], \
            None, None
    if op == 'PAD':
        return [tk([2, 3], key), I32([2, 2], [1, 0, 0, 2])], [tk([3, 5], key)], None, None
    if op == 'PADV2':
        one = True if key == 'b' else 1
        return [tk([2, 3], key), I32([2, 2], [1, 0, 0, 2]), tk([], key, data=one)], \
            [tk([3, 5], key)], None, None
    if op == 'MIRROR_PAD':
        return [tk([3, 4], key), I32([2, 2], [1, 1, 2, 0])], [tk([5, 6], key)], \
            'MirrorPadOptions', {'mode': 'SYMMETRIC'}
    if op == 'TILE':
        return [tk([2, 3], key), I32([2], [2, 2])], [tk([4, 6], key)], None, None
    if op == 'SHAPE':
        return [tk([2, 3, 1], key)], [T([3], s32)], 'ShapeOptions', {'out_type': 'INT32'}
    if op == 'RANK':
        return [tk([2, 3], key)], [T([], s32)], None, None
    if op == 'FILL':
        value = True if key == 'b' else 3
        return [I32([2], [2, 3]), tk([], key, data=value)], [tk([2, 3], key)], None, None
    if op == 'ONE_HOT':
        on, off = (True, False) if key == 'b' else (5, -2 if key not in ('qu8', 'u8') else 2)
        return [I32([3], [0, 2, 5]), I32([], [4]), tk([], key, data=on), tk([], key, data=off)], \
            [tk([3, 4], key)], 'OneHotOptions', {'axis': 0}
    if op == 'REVERSE_V2':
        return [tk([2, 3], key), I32([1], [-1])], [tk([2, 3], key)], None, None
    if op == 'DEPTH_TO_SPACE':
        return [tk([1, 2, 2, 4], key)], [tk([1, 4, 4, 1], key)], 'DepthToSpaceOptions', \
            {'block_size': 2}
    if op == 'SPACE_TO_DEPTH':
        return [tk([1, 4, 4, 1], key)], [tk([1, 2, 2, 4], key)], 'SpaceToDepthOptions', \
            {'block_size': 2}
    if op == 'BATCH_TO_SPACE_ND':
        return [tk([4, 1, 2, 1], key), I32([2], [2, 2]), I32([2, 2], [0, 0, 0, 1])], \
            [tk([1, 2, 3, 1], key)], None, None
    if op == 'SPACE_TO_BATCH_ND':
        return [tk([1, 2, 3, 1], key), I32([2], [2, 2]), I32([2, 2], [0, 0, 0, 1])], \
            [tk([4, 1, 2, 1], key)], None, None
    if op == 'RESIZE_NEAREST_NEIGHBOR':
        return [tk([1, 2, 3, 1], key), I32([2], [3, 5])], [tk([1, 3, 5, 1], key)], \
            'ResizeNearestNeighborOptions', {}
    if op == 'DEQUANTIZE':
        return [tk([2, 4], key)], [T([2, 4], f32)], None, None
    if op == 'CAST':
        src, dst = key.split('>')
        return [tk([3, 4], src)], [tk([3, 4], dst)], None, None
    if op == 'BROADCAST_TO':
        return [tk([1, 3], key), I32([3], [2, 2, 3])], [tk([2, 2, 3], key)], None, None
    if op == 'QUANTIZE':
        return [T([2, 4], f32)], [tk([2, 4], key)], None, None
    if op == 'FULLY_CONNECTED':
        w = T([3, 4], f32, data=mm.rng_for('fc_cell').normal(size=[3, 4]))
        return [tk([2, 4], key), w], [tk([2, 3], key)], 'FullyConnectedOptions', {}
    raise KeyError(op)


# (op, type key, version): the cells docs/ops.md lacked, at the version the
# converter gives that type (TFLite's op_version.cc).
CELLS = [
    ('MAXIMUM', 'i64', 1), ('MAXIMUM', 'qu8', 1), ('MINIMUM', 'qi8', 2), ('MINIMUM', 'qi16', 4),
    ('FLOOR_DIV', 'i8', 3), ('FLOOR_MOD', 'i8', 2), ('FLOOR_MOD', 'i16', 2),
    ('EQUAL', 'i64', 1), ('EQUAL', 'qi8', 2), ('EQUAL', 'qi16', 5),
    ('NOT_EQUAL', 'f32', 1), ('NOT_EQUAL', 'i32', 1), ('NOT_EQUAL', 'b', 1),
    ('NOT_EQUAL', 'qu8', 1), ('NOT_EQUAL', 'qi8', 2), ('NOT_EQUAL', 'qi16', 4),
    ('LESS', 'i64', 1), ('LESS', 'qi8', 2), ('LESS', 'qi16', 3),
    ('LESS_EQUAL', 'f32', 1), ('LESS_EQUAL', 'i32', 1), ('LESS_EQUAL', 'i64', 1),
    ('LESS_EQUAL', 'qu8', 1), ('LESS_EQUAL', 'qi16', 1),
    ('GREATER', 'i64', 1), ('GREATER', 'qu8', 1), ('GREATER', 'qi16', 1),
    ('GREATER_EQUAL', 'f32', 1), ('GREATER_EQUAL', 'i32', 1), ('GREATER_EQUAL', 'i64', 1),
    ('GREATER_EQUAL', 'qu8', 1), ('GREATER_EQUAL', 'qi8', 2),
    ('SELECT', 'i64', 1), ('SELECT', 'b', 1), ('SELECT', 'qu8', 1), ('SELECT', 'qi16', 1),
    ('SELECT', 'f16', 1), ('SELECT', 'bf16', 1), ('SELECT', 'f64', 1), ('SELECT', 'u32', 4),
    ('SELECT', 'u16', 1),
    ('SELECT_V2', 'f32', 1), ('SELECT_V2', 'i32', 1), ('SELECT_V2', 'b', 1),
    ('SELECT_V2', 'qi8', 1), ('SELECT_V2', 'qi16', 1), ('SELECT_V2', 'u32', 2),
    ('ZEROS_LIKE', 'i32', 1),
    ('AVERAGE_POOL_2D', 'f32', 1), ('AVERAGE_POOL_2D', 'qi16', 3),
    ('MAX_POOL_2D', 'qu8', 1), ('MAX_POOL_2D', 'qi16', 3),
    ('REDUCE_PROD', 'u8', 1), ('ARG_MIN', 'i32', 1), ('ARG_MIN', 'b', 2),
    ('SOFTMAX', 'f32', 1),
    ('RESHAPE', 'i32', 1), ('RESHAPE', 'i64', 1), ('RESHAPE', 'b', 1), ('RESHAPE', 'f16', 1),
    ('SQUEEZE', 'i32', 1), ('SQUEEZE', 'i64', 1), ('SQUEEZE', 'b', 1), ('SQUEEZE', 'qi8', 1),
    ('SQUEEZE', 'qi16', 1),
    ('EXPAND_DIMS', 'i32', 1), ('EXPAND_DIMS', 'i64', 1), ('EXPAND_DIMS', 'b', 1),
    ('EXPAND_DIMS', 'qu8', 1), ('EXPAND_DIMS', 'qi16', 1),
    ('TRANSPOSE', 'i32', 1), ('TRANSPOSE', 'qi8', 2), ('TRANSPOSE', 'b', 3),
    ('TRANSPOSE', 'bf16', 8), ('TRANSPOSE', 'f16', 1),
    ('CONCATENATION', 'b', 1), ('CONCATENATION', 'u32', 4), ('CONCATENATION', 'f16', 1),
    ('SPLIT', 'f32', 1), ('SPLIT', 'i32', 3), ('SPLIT', 'i64', 1), ('SPLIT', 'qu8', 1),
    ('SPLIT', 'qi16', 4),
    ('SPLIT_V', 'f32', 1), ('SPLIT_V', 'i32', 1), ('SPLIT_V', 'i64', 1), ('SPLIT_V', 'qu8', 1),
    ('SPLIT_V', 'qi8', 2),
    ('PACK', 'f32', 1), ('PACK', 'i32', 1), ('PACK', 'qi8', 2), ('PACK', 'qi16', 3),
    ('PACK', 'u32', 4),
    ('UNPACK', 'i32', 1), ('UNPACK', 'qu8', 2), ('UNPACK', 'b', 3), ('UNPACK', 'qi16', 4),
    ('UNPACK', 'f16', 5), ('UNPACK', 'bf16', 5),
    ('SLICE', 'i32', 1), ('SLICE', 'i64', 1), ('SLICE', 'b', 1), ('SLICE', 'qu8', 1),
    ('SLICE', 'qi16', 4), ('SLICE', 'u32', 6), ('SLICE', 'f16', 1),
    ('STRIDED_SLICE', 'u32', 4), ('STRIDED_SLICE', 'f16', 1),
    ('GATHER', 'i64', 1), ('GATHER', 'b', 3), ('GATHER', 'qu8', 1), ('GATHER', 'qi16', 4),
    ('GATHER', 'f16', 1),
    ('GATHER_ND', 'i32', 1), ('GATHER_ND', 'i64', 1), ('GATHER_ND', 'b', 5),
    ('GATHER_ND', 'qi8', 1), ('GATHER_ND', 'qi16', 3),
    ('SCATTER_ND', 'f32', 1), ('SCATTER_ND', 'i64', 1), ('SCATTER_ND', 'b', 1),
    ('SCATTER_ND', 'qu8', 1), ('SCATTER_ND', 'qi8', 1),
    ('PAD', 'i32', 1), ('PAD', 'i64', 1), ('PAD', 'b', 5), ('PAD', 'f16', 1),
    ('PADV2', 'i32', 1), ('PADV2', 'b', 5), ('PADV2', 'qu8', 1), ('PADV2', 'qi16', 3),
    ('MIRROR_PAD', 'i32', 1), ('MIRROR_PAD', 'i64', 1), ('MIRROR_PAD', 'b', 1),
    ('MIRROR_PAD', 'qi8', 2), ('MIRROR_PAD', 'qi16', 3), ('MIRROR_PAD', 'f64', 1),
    ('TILE', 'f32', 1), ('TILE', 'i32', 1), ('TILE', 'i64', 1), ('TILE', 'qu8', 1),
    ('TILE', 'qi8', 2),
    ('SHAPE', 'i32', 1), ('SHAPE', 'b', 1), ('SHAPE', 'qi16', 1),
    ('RANK', 'f32', 1), ('RANK', 'i64', 1), ('RANK', 'b', 1),
    ('FILL', 'i32', 1), ('FILL', 'i64', 1), ('FILL', 'b', 2), ('FILL', 'qi16', 3),
    ('FILL', 'f16', 4), ('FILL', 'qu8', 1),
    ('ONE_HOT', 'f32', 1), ('ONE_HOT', 'b', 1), ('ONE_HOT', 'qu8', 1), ('ONE_HOT', 'qi8', 1),
    ('REVERSE_V2', 'i32', 1), ('REVERSE_V2', 'i64', 1), ('REVERSE_V2', 'b', 2),
    ('REVERSE_V2', 'qi8', 3), ('REVERSE_V2', 'qi16', 1),
    ('DEPTH_TO_SPACE', 'i32', 1), ('DEPTH_TO_SPACE', 'i64', 1), ('DEPTH_TO_SPACE', 'qu8', 1),
    ('SPACE_TO_DEPTH', 'f32', 1), ('SPACE_TO_DEPTH', 'i32', 1), ('SPACE_TO_DEPTH', 'qi8', 2),
    ('BATCH_TO_SPACE_ND', 'b', 1), ('BATCH_TO_SPACE_ND', 'f16', 1),
    ('BATCH_TO_SPACE_ND', 'u32', 1),
    ('SPACE_TO_BATCH_ND', 'b', 1), ('SPACE_TO_BATCH_ND', 'bf16', 1),
    ('SPACE_TO_BATCH_ND', 'f64', 1),
    ('RESIZE_NEAREST_NEIGHBOR', 'i32', 1), ('RESIZE_NEAREST_NEIGHBOR', 'b', 1),
    ('RESIZE_NEAREST_NEIGHBOR', 'f16', 1), ('RESIZE_NEAREST_NEIGHBOR', 'u16', 1),
    ('DEQUANTIZE', 'qu8', 1), ('DEQUANTIZE', 'qi16', 3),
    ('SPACE_TO_DEPTH', 'i64', 1),
    # Element types TFLite moves beyond the usual ones (float16, bfloat16,
    # float64, uint16, uint32), and SHAPE/RANK on every input type.
    ('SELECT_V2', 'f16', 1), ('SELECT_V2', 'bf16', 1), ('SELECT_V2', 'f64', 1),
    ('SELECT_V2', 'u16', 1), ('RESHAPE', 'bf16', 1), ('RESHAPE', 'f64', 1), ('RESHAPE', 'u32', 1),
    ('RESHAPE', 'u16', 1), ('SQUEEZE', 'f16', 1), ('SQUEEZE', 'bf16', 1), ('SQUEEZE', 'f64', 1),
    ('SQUEEZE', 'u32', 1), ('SQUEEZE', 'u16', 1), ('EXPAND_DIMS', 'f16', 1),
    ('EXPAND_DIMS', 'bf16', 1), ('EXPAND_DIMS', 'f64', 1), ('EXPAND_DIMS', 'u32', 1),
    ('EXPAND_DIMS', 'u16', 1), ('TRANSPOSE', 'f64', 1), ('TRANSPOSE', 'u32', 1),
    ('TRANSPOSE', 'u16', 1), ('CONCATENATION', 'bf16', 1), ('SLICE', 'bf16', 1),
    ('SLICE', 'f64', 1), ('SLICE', 'u16', 1), ('STRIDED_SLICE', 'bf16', 1),
    ('STRIDED_SLICE', 'f64', 1), ('STRIDED_SLICE', 'u16', 1), ('GATHER', 'bf16', 1),
    ('GATHER_ND', 'f16', 1), ('GATHER_ND', 'bf16', 1), ('PAD', 'bf16', 1), ('PADV2', 'f16', 1),
    ('PADV2', 'bf16', 1), ('MIRROR_PAD', 'f16', 1), ('MIRROR_PAD', 'bf16', 1),
    ('MIRROR_PAD', 'u32', 1), ('MIRROR_PAD', 'u16', 1), ('TILE', 'f16', 1), ('TILE', 'bf16', 1),
    ('TILE', 'f64', 1), ('TILE', 'u32', 1), ('TILE', 'u16', 1), ('SHAPE', 'f16', 1),
    ('SHAPE', 'bf16', 1), ('SHAPE', 'f64', 1), ('SHAPE', 'i64', 1), ('SHAPE', 'u32', 1),
    ('SHAPE', 'u16', 1), ('SHAPE', 'qi8', 1), ('SHAPE', 'i8', 1), ('RANK', 'f16', 1),
    ('RANK', 'bf16', 1), ('RANK', 'f64', 1), ('RANK', 'i32', 1), ('RANK', 'u32', 1),
    ('RANK', 'u16', 1), ('RANK', 'qu8', 1), ('RANK', 'qi16', 1), ('RANK', 'u8', 1),
    ('RANK', 'i16', 1), ('FILL', 'bf16', 1), ('FILL', 'f64', 1), ('FILL', 'u32', 1),
    ('FILL', 'u16', 1), ('REVERSE_V2', 'f16', 1), ('REVERSE_V2', 'bf16', 1),
    ('RESIZE_NEAREST_NEIGHBOR', 'bf16', 1), ('RESIZE_NEAREST_NEIGHBOR', 'u32', 1),
    ('BATCH_TO_SPACE_ND', 'bf16', 1),
    ('BATCH_TO_SPACE_ND', 'f64', 1), ('BATCH_TO_SPACE_ND', 'u16', 1),
    ('SPACE_TO_BATCH_ND', 'f16', 1), ('SPACE_TO_BATCH_ND', 'u32', 1),
    ('SPACE_TO_BATCH_ND', 'u16', 1),
    ('CAST', 'f32>f16', 5), ('CAST', 'f16>bf16', 7), ('CAST', 'bf16>f32', 7),
    ('CAST', 'bf16>i32', 7), ('CAST', 'f16>i8', 5), ('CAST', 'i32>f64', 5),
    ('CAST', 'f64>f16', 5),
]
# The newest version of each op that the reference runtime registers, where
# that version names only types Spry does not hold (int4 and smaller) or
# none: a model carrying it on an ordinary type must still run.
NEWEST = [
    ('CONCATENATION', 'f32', 7), ('SPLIT', 'f32', 5), ('SPLIT_V', 'qi16', 3), ('PACK', 'i64', 5),
    ('UNPACK', 'f32', 6), ('SLICE', 'qi8', 8), ('GATHER', 'f32', 8), ('GATHER_ND', 'f32', 6),
    ('PAD', 'qi8', 6), ('PADV2', 'f32', 6), ('BROADCAST_TO', 'qi16', 4), ('FILL', 'f32', 5),
    ('REVERSE_V2', 'f32', 4), ('QUANTIZE', 'qi8', 6), ('DEQUANTIZE', 'qi8', 9),
    ('FULLY_CONNECTED', 'f32', 14),
]
TYPE_WORD = {'f32': 'f32', 'f16': 'f16', 'bf16': 'bf16', 'f64': 'f64', 'i32': 's32',
             'i64': 's64', 'u32': 'u32', 'u16': 'u16', 'b': 'bool', 'qu8': 'u8', 'qi8': 's8',
             'qi16': 's16', 'u8': 'u8_plain', 'i8': 's8_plain', 'i16': 's16_plain'}


def cell_feeds(op, c):
    """Feeds with the values an op needs: nonzero divisors, the mean of SELECT."""
    if op not in ('FLOOR_DIV', 'FLOOR_MOD'):
        return None
    rng = mm.rng_for(c['name'])
    a, d = c['ins']
    x = gen(rng, a)
    y = gen(rng, d, 'nonzero')
    if d.dtype != np.bool_ and np.issubdtype(d.dtype, np.integer):
        y = np.where(y == -1, d.dtype(5), y).astype(d.dtype)  # no INT_MIN / -1
    return [x, y]


def define_cells():
    for op, key, version in CELLS + NEWEST:
        ins, outs, opt_type, opts = spec(op, key)
        word = '_'.join(TYPE_WORD[k] for k in key.split('>'))
        name = '%s_%s_%s' % (op.lower(), word,
                             'cell' if (op, key, version) in CELLS else 'v%d' % version)
        case(name, op, version, ins, outs, opt_type, opts)
        CASES[-1]['feeds'] = cell_feeds(op, CASES[-1])


def define_index_operands():
    """Index operands TFLite reads in int16 as well: PAD/PADV2 paddings, TOPK_V2's k."""
    pads = T([3, 2], s16, data=[1, 0, 0, 2, 2, 1])
    case('pad_f32_paddings_s16', 'PAD', 1, [T([2, 3, 1], f32), pads], T([3, 5, 4], f32))
    case('padv2_s8_paddings_s16', 'PADV2', 2,
         [T([2, 3, 1], s8, 0.1, 4), pads, T([], s8, 0.1, 4, data=-7)],
         T([3, 5, 4], s8, 0.1, 4))
    case('topk_v2_s16_k_s16', 'TOPK_V2', 3, [T([2, 6], s16), T([], s16, data=3)],
         [T([2, 3], s16), T([2, 3], s32)])


def define_densify_f16():
    """DENSIFY on float16: sparse float16 weights (1x4 blocks) -> DENSIFY ->
    DEQUANTIZE (float16 -> float32) -> ADD(input), the layout of sparse
    float16 models."""
    import make_densify_cases as md
    from make_lstm_cases import flatc_compile
    rng = mm.rng_for('densify_f16')
    dense = md.sparse_weights(rng, (4, 8), 0.4, [1], [4], np.float16)
    sparsity, values = md.encode(dense, [0, 1, 2], [1], [4], ['DENSE', 'SPARSE_CSR', 'DENSE'],
                                 'u8')
    shape = [4, 8]
    tensors = [{'shape': shape, 'type': 'FLOAT32', 'name': 'input', 'buffer': 1},
               {'shape': shape, 'type': 'FLOAT16', 'name': 'sparse', 'buffer': 2,
                'sparsity': sparsity},
               {'shape': shape, 'type': 'FLOAT16', 'name': 'dense', 'buffer': 3},
               {'shape': shape, 'type': 'FLOAT32', 'name': 'dequantized', 'buffer': 4},
               {'shape': shape, 'type': 'FLOAT32', 'name': 'output', 'buffer': 5}]
    codes = [{'deprecated_builtin_code': 124, 'builtin_code': 'DENSIFY', 'version': 1},
             {'deprecated_builtin_code': 6, 'builtin_code': 'DEQUANTIZE', 'version': 3},
             {'deprecated_builtin_code': 0, 'builtin_code': 'ADD', 'version': 1}]
    ops = [{'opcode_index': 0, 'inputs': [1], 'outputs': [2],
            'builtin_options_type': 'DensifyOptions', 'builtin_options': {}},
           {'opcode_index': 1, 'inputs': [2], 'outputs': [3]},
           {'opcode_index': 2, 'inputs': [0, 3], 'outputs': [4],
            'builtin_options_type': 'AddOptions', 'builtin_options': {}}]
    buffers = [{}, {}, {'data': list(values.tobytes())}, {}, {}, {}]
    model = flatc_compile({'version': 3, 'operator_codes': codes,
                           'subgraphs': [{'tensors': tensors, 'inputs': [0], 'outputs': [4],
                                          'operators': ops}],
                           'buffers': buffers})
    x = rng.normal(size=shape).astype(f32)
    CASES.append(dict(name='densify_f16_block_1x4', model=model, feeds=[x]))


def define_cases():
    define_arithmetic()
    define_reductions()
    define_unary()
    define_index_operands()
    define_quantize()
    define_densify_f16()
    define_cells()


# ---- Models prepare must refuse ---------------------------------------------------

def error_cases():
    """(name, message fragment, op, version, ins, outs, opt_type, opts)."""
    return [
        ('zeros_like_s8', 'type int8 is not supported', 'ZEROS_LIKE', 1,
         [T([4], s8, 0.1, 0)], [T([4], s8, 0.1, 0)], None, None),
        ('arg_max_s16', 'input type int16 is not supported', 'ARG_MAX', 2,
         [T([2, 5], s16), I32([1], [1])], [T([2], s32)], 'ArgMaxOptions',
         {'output_type': 'INT32'}),
        ('split_bool', 'type bool is not supported', 'SPLIT', 1,
         [I32([], [1]), T([2, 4], b)], [T([2, 2], b), T([2, 2], b)], 'SplitOptions',
         {'num_splits': 2}),
        ('gather_f64', 'type float64 is not supported', 'GATHER', 1,
         [T([4, 3], f64), I32([2], [3, 1])], [T([2, 3], f64)], 'GatherOptions', {'axis': 0}),
        ('pad_u32', 'type uint32 is not supported', 'PAD', 1,
         [T([2, 3], u32), I32([2, 2], [1, 0, 0, 2])], [T([3, 5], u32)], None, None),
        ('concatenation_f64', 'type float64 is not supported', 'CONCATENATION', 1,
         [T([2, 3], f64), T([2, 2], f64)], [T([2, 5], f64)], 'ConcatenationOptions',
         {'axis': 1}),
        ('unpack_s64', 'type int64 is not supported', 'UNPACK', 1,
         [T([2, 3], s64)], [T([3], s64), T([3], s64)], 'UnpackOptions', {'num': 2, 'axis': 0}),
        ('depth_to_space_s16', 'type int16 is not supported', 'DEPTH_TO_SPACE', 1,
         [T([1, 2, 2, 4], s16, 0.01, 0)], [T([1, 4, 4, 1], s16, 0.01, 0)],
         'DepthToSpaceOptions', {'block_size': 2}),
        ('resize_bilinear_s32', 'type int32 is not supported', 'RESIZE_BILINEAR', 1,
         [T([1, 2, 2, 1], s32), I32([2], [4, 4])], [T([1, 4, 4, 1], s32)],
         'ResizeBilinearOptions', {}),
        ('strided_slice_begin_s64', 'begin must be int32, not int64', 'STRIDED_SLICE', 1,
         [T([3, 4], f32), T([2], s64, data=[0, 1]), T([2], s64, data=[3, 4]),
          T([2], s64, data=[1, 1])], [T([3, 3], f32)], 'StridedSliceOptions', {}),
        ('reverse_axis_s64', 'axis must be int32, not int64', 'REVERSE_V2', 1,
         [T([2, 3], f32), T([1], s64, data=[1])], [T([2, 3], f32)], None, None),
        ('mirror_pad_paddings_s16', 'paddings must be int32 or int64, not int16', 'MIRROR_PAD', 1,
         [T([3, 4], f32), T([2, 2], s16, data=[1, 1, 1, 1])], [T([5, 6], f32)],
         'MirrorPadOptions', {'mode': 'REFLECT'}),
        ('topk_k_s64', 'k must be one int32 or int16 element', 'TOPK_V2', 1,
         [T([2, 5], f32), T([], s64, data=2)], [T([2, 2], f32), T([2, 2], s32)], None, None),
        ('prelu_s16_alpha_s16', 'must be int16, int8, int16', 'PRELU', 1,
         [T([2, 3], s16, 0.001, 0), T([3], s16, 0.01, 0, data=[1, 2, 3])],
         [T([2, 3], s16, 0.001, 0)], None, None),
        ('softmax_s16_output_scale', 'must have scale 1/32768 and zero point 0', 'SOFTMAX', 3,
         [T([2, 4], s16, 0.001, 0)], [T([2, 4], s16, 1.0 / 65536, 0)], 'SoftmaxOptions',
         {'beta': 1.0}),
        ('log_softmax_s16', 'int16 input with int16 output is not supported', 'LOG_SOFTMAX', 2,
         [T([2, 4], s16, 0.001, 0)], [T([2, 4], s16, 16.0 / 32768, 0)], None, None),
        ('add_s16_plain_and_quantized', 'must be quantized per tensor', 'ADD', 5,
         [T([3], s16), T([3], s16, 0.01, 0)], [T([3], s16, 0.01, 0)], 'AddOptions', {}),
        ('mul_u8_plain', 'must be quantized per tensor', 'MUL', 7,
         [T([3], u8), T([3], u8)], [T([3], u8)], 'MulOptions', {}),
        ('mean_u32', 'type uint32', 'MEAN', 1,
         [T([2, 3], u32), I32([1], [1])], [T([2], u32)], 'ReducerOptions', {'keep_dims': False}),
        ('sqrt_u8', 'input is not supported', 'SQRT', 1, [T([4], u8, 0.1, 0)],
         [T([4], u8, 0.1, 0)], None, None),
    ]


ERRORS_HEADER = """/* SPDX-License-Identifier: Apache-2.0 */
/* type_gap_errors.h — generated by tools/goldens/make_type_gap_cases.py; do not edit. */
/* A model (type_gap_errors/<name>.tflite) whose prepare must fail with a
 * message containing `fragment`. */
typedef struct TypeGapErrorCase {
  const char *name;
  const char *fragment;
} TypeGapErrorCase;

static const TypeGapErrorCase type_gap_error_cases[] = {
%s};
"""


def write_error_models(root, cases=None, folder='type_gap_errors', header=ERRORS_HEADER):
    """Writes the error models (default: error_cases()) to
    tests/kernels/data/<folder>/ and their table to <folder>.h."""
    import shutil
    data_dir = os.path.join(root, 'tests', 'kernels', 'data')
    err_dir = os.path.join(data_dir, folder)
    if os.path.isdir(err_dir):
        shutil.rmtree(err_dir)
    os.makedirs(err_dir)
    cases = error_cases() if cases is None else cases
    for name, _, op, version, ins, outs, opt_type, opts in cases:
        tensors = ins + outs
        model = mm.model_bytes(op, version, tensors, list(range(len(ins))),
                               list(range(len(ins), len(tensors))), opt_type, opts)
        with open(os.path.join(err_dir, name + '.tflite'), 'wb') as f:
            f.write(model)
    table = ''.join('    {"%s", "%s"},\n' % c[:2] for c in cases)
    with open(os.path.join(data_dir, folder + '.h'), 'w') as f:
        f.write(header % table)
    return len(cases)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--root', default='.', help='repository root')
    ap.add_argument('--only', default='', help='comma-separated case names to write')
    args = ap.parse_args()
    define_cases()
    only = set(filter(None, args.only.split(',')))
    names = set()
    for c in CASES:
        assert c['name'] not in names, c['name']
        names.add(c['name'])
        if only and c['name'] not in only:
            continue
        model, feeds, outs = run_case(c)
        mm.write_golden(args.root, c['name'], model, feeds, outs)
    errors = 0 if only else write_error_models(args.root)
    print('wrote %d goldens, %d error models' % (len(only) or len(CASES), errors))
    print('\n'.join("  'op_%s'," % c['name'] for c in CASES))


if __name__ == '__main__':
    main()
