#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden cases of the index and generator ops: ONE_HOT, CUMSUM,
TOPK_V2, BROADCAST_ARGS, SCATTER_ND, RANGE and quantized REDUCE_PROD.

Usage (from the repository root; development tooling only, never needed by the
test suite):

    python3 tools/goldens/make_index_cases.py [--root .] [--only SUBSTRING]

Builds one-operator models with make_misc_cases.model_bytes (flatc against a
copy of the schema), runs them with ai_edge_litert's BUILTIN_REF resolver and
writes tests/data/goldens/op_<op>_<type>_<variant>/{model.tflite,
input_<i>.bin, output_<i>.bin}. Shape-determining inputs (depth, k, shape,
start/limit/delta, axes) are constants inside the model; CUMSUM also has a
case whose axis is a graph input. Covers every type each TFLite kernel
accepts, all ONE_HOT axes positions with out-of-range and negative indices,
exclusive/reverse CUMSUM up to 6-D, TOPK_V2 ties with int32 and int16 index
outputs, BROADCAST_ARGS with size-1 and zero dimensions, SCATTER_ND duplicates
(accumulating, wrapping, OR for bool) and slices, RANGE up and down in every
type, and int8/int16 REDUCE_PROD with extreme scales. Deterministic: feeds are
fixed or seeded from the case name. Prints the golden_op_cases lines to
register. Without --only it also writes models whose prepare must fail to
tests/kernels/data/index_errors/ (listed with the expected message in
tests/kernels/data/index_errors.h) and the run-time check models used by
tests/kernels/test_index_ops.c.
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_misc_cases as mm  # noqa: E402
import make_shape_cases as ms  # noqa: E402
from make_misc_cases import T  # noqa: E402

f32, u8, s8, s16, i32, i64, b1 = (np.float32, np.uint8, np.int8, np.int16, np.int32, np.int64,
                                  np.bool_)
# Cases join make_shape_cases' list, so that its main() writes them.
case = ms.case


def arr(values, dtype):
    return np.asarray(values, dtype)


def one_hot_cases():
    def oh(name, dtype, idx, depth, axis, on, off, const_values=True, idx_dtype=i32):
        idx = arr(idx, idx_dtype)
        rank = idx.ndim
        a = rank if axis == -1 else axis
        oshape = list(idx.shape[:a]) + [depth] + list(idx.shape[a:])
        ts = [T(idx.shape, idx_dtype), T([], i32, data=depth),
              T([], dtype, data=on if const_values else None),
              T([], dtype, data=off if const_values else None), T(oshape, dtype)]
        feeds = [idx] + ([] if const_values else [arr(on, dtype), arr(off, dtype)])
        case('one_hot_' + name, 'ONE_HOT', 1, ts, [0, 1, 2, 3], [4], 'OneHotOptions',
             {'axis': axis}, feeds)
    oh('f32_last_axis', f32, [[0, 3, -1], [5, 2, 1]], 4, -1, 1.5, -0.25)
    oh('s8_axis0_i64_indices', s8, [2, 0, 1, 7], 3, 0, 127, -128, idx_dtype=i64)
    oh('u8_axis1_3d', u8, [[[0, 1], [2, 3]], [[3, 2], [1, 0]]], 4, 1, 200, 7)
    oh('i32_fed_values', i32, [[1], [0], [2]], 3, 1, -7, 9, const_values=False)
    oh('i64_scalar_indices', i64, 2, 5, -1, 2 ** 40, -3)
    oh('bool_axis_mid', b1, [[0, 1, 2], [2, 1, 0]], 3, 1, True, False)
    oh('f32_wrapped_i64_index', f32, [2 ** 32 + 1, 1, -2 ** 32], 2, -1, 1.0, 0.0, idx_dtype=i64)


def cumsum_cases():
    def cs(name, dtype, shape, axis, exclusive, reverse, fed_axis=False, feeds=None):
        ts = [T(shape, dtype), T([], i32, data=None if fed_axis else axis), T(shape, dtype)]
        if fed_axis:
            rng = mm.rng_for('cumsum_' + name)
            feeds = [ms.feed_for(rng, ts[0]), arr(axis, i32)]
        case('cumsum_' + name, 'CUMSUM', 1, ts, [0, 1], [2], 'CumsumOptions',
             {'exclusive': exclusive, 'reverse': reverse}, feeds)
    cs('f32_axis1', f32, [2, 3, 4], 1, False, False)
    cs('f32_exclusive_reverse_last', f32, [3, 5], -1, True, True)
    cs('i32_exclusive_axis0', i32, [4, 3], 0, True, False)
    cs('i64_reverse', i64, [2, 6], 1, False, True)
    cs('i32_6d_axis3', i32, [1, 2, 1, 3, 2, 2], 3, False, True)
    cs('f32_fed_axis', f32, [3, 4], -2, True, False, fed_axis=True)
    cs('i32_wrap', i32, [5], 0, False, False,
       feeds=[arr([2 ** 31 - 1, 5, -2 ** 31, -2 ** 31, 3], i32)])


def topk_cases():
    def tk(name, version, dtype, shape, k, idx_dtype=i32, feeds=None, q=(None, None)):
        oshape = list(shape[:-1]) + [k]
        ts = [T(shape, dtype, *q), T([], i32, data=k), T(oshape, dtype, *q), T(oshape, idx_dtype)]
        case('topk_v2_' + name, 'TOPK_V2', version, ts, [0, 1], [2, 3], 'TopKV2Options', {},
             feeds)
    tk('f32_ties', 1, f32, [3, 6], 3,
       feeds=[arr([[1, 5, 5, 2, 5, 0], [-1, -1, -1, -1, -1, -1], [0.5, -0.0, 0.0, 7, 7, -3]],
                  f32)])
    tk('u8_full_row', 1, u8, [2, 4], 4, q=(0.1, 3))
    tk('s8_ties_idx16', 2, s8, [2, 7], 3, idx_dtype=s16,
       feeds=[arr([[3, -1, 3, 3, 9, -128, 9], [0, 0, 0, 0, 0, 0, 0]], s8)])
    tk('i32_1d', 1, i32, [7], 2)
    tk('i64_3d_k1', 1, i64, [2, 2, 5], 1)
    tk('s16_ties', 3, s16, [3, 5], 4, q=(0.01, 0),
       feeds=[arr([[5, 5, -5, 5, 0], [32767, -32768, 32767, 1, 1], [2, 3, 4, 5, 6]], s16)])


def broadcast_args_cases():
    def ba(name, dtype, a, b):
        a, b = arr(a, dtype), arr(b, dtype)
        n = max(len(a), len(b))
        ts = [T([len(a)], dtype), T([len(b)], dtype), T([n], dtype)]
        case('broadcast_args_' + name, 'BROADCAST_ARGS', 1, ts, [0, 1], [2], feeds=[a, b])
    ba('i32_longer_second', i32, [1, 5, 1], [2, 1, 5, 4])
    ba('i64_ones_and_zero', i64, [1, 0, 7, 1, 2, 1], [1, 1, 1, 3, 2, 6])


def scatter_cases():
    def sc(name, dtype, indices, upd_shape, shape, updates=None):
        indices = arr(indices, i32)
        ts = [T(indices.shape, i32), T(upd_shape, dtype), T([len(shape)], i32, data=shape),
              T(shape, dtype)]
        rng = mm.rng_for('scatter_nd_' + name)
        updates = arr(updates, dtype) if updates is not None else ms.feed_for(rng, ts[1])
        case('scatter_nd_' + name, 'SCATTER_ND', 1, ts, [0, 1, 2], [3], 'ScatterNdOptions', {},
             [indices, updates])
    sc('f32_rows_dup', f32, [[0], [2], [0]], [3, 3], [4, 3])
    sc('i32_points', i32, [[0, 1], [2, 3], [1, 0], [2, 3]], [4], [3, 4])
    sc('u8_wrap_dup', u8, [[1], [1], [1]], [3, 2], [2, 2], [[200, 1], [100, 2], [0, 255]])
    sc('s8_outer_2d', s8, [[[0], [3]], [[1], [3]]], [2, 2, 2], [5, 2])
    sc('i64_full_index', i64, [[0, 0, 1], [1, 1, 0]], [2], [2, 2, 2])
    sc('bool_or', b1, [[0], [0], [2]], [3, 2], [3, 2], [[1, 0], [0, 0], [1, 1]])


def range_cases():
    def rg(name, dtype, start, limit, delta, version=1):
        n = len(np.arange(start, limit, delta, dtype=dtype))
        ts = [T([], dtype, data=start), T([], dtype, data=limit), T([], dtype, data=delta),
              T([n], dtype)]
        case('range_' + name, 'RANGE', version, ts, [0, 1, 2], [3], 'RangeOptions', {}, [])
    rg('i32_up', i32, 1, 10, 3)
    rg('i32_down', i32, 10, -3, -4)
    rg('f32_fraction', f32, 0.1, 2.05, 0.3)
    rg('f32_down', f32, 1.0, -1.0, -0.15)
    rg('i64_big', i64, -2 ** 40, 2 ** 40, 2 ** 39 + 1)


def prod_cases():
    def pr(name, dtype, shape, axes, keep, qi, qo, spread):
        """Feeds lie within zero_point +- spread, so that products stay in range."""
        rank = len(shape)
        r = {a % rank for a in axes}
        oshape = [1 if i in r else d for i, d in enumerate(shape)] if keep else \
            [d for i, d in enumerate(shape) if i not in r]
        ts = [T(shape, dtype, *qi), T([len(axes)], i32, data=axes), T(oshape, dtype, *qo)]
        info = np.iinfo(dtype)
        rng = mm.rng_for('reduce_prod_' + name)
        lo, hi = max(info.min, qi[1] - spread), min(info.max, qi[1] + spread)
        feed = rng.integers(lo, hi + 1, size=shape).astype(dtype)
        case('reduce_prod_' + name, 'REDUCE_PROD', 2, ts, [0, 1], [2], 'ReducerOptions',
             {'keep_dims': keep}, [feed])
    pr('s8_axis1', s8, [3, 4], [1], False, (0.05, -3), (0.00005, 5), 10)
    pr('s8_all_keep', s8, [2, 2, 2], [0, 1, 2], True, (0.2, 0), (0.0005, -1), 6)
    pr('s8_small_scale', s8, [2, 3, 2], [-1, 0], False, (0.001, 10), (1e-6, 0), 100)
    pr('s8_big_scale', s8, [4, 2], [0], True, (3.0, -128), (100.0, -100), 4)
    pr('s8_saturating', s8, [2, 3], [1], False, (0.5, 0), (0.01, 0), 128)
    pr('s16_axis0', s16, [3, 4], [0], False, (0.002, 0), (0.00001, 0), 300)
    pr('s16_dup_axes', s16, [2, 5], [1, -1], True, (0.0005, 0), (1e-4, 0), 2000)


def error_cases():
    """(name, expected message fragment, op, version, tensors, inputs, outputs, options)."""
    c = T
    e = []

    def err(name, frag, op, version, ts, ins, outs, opt_type=None, opts=None):
        e.append((name, frag, op, version, ts, ins, outs, opt_type, opts))
    err('range_runtime_start', 'computed at run time', 'RANGE', 1,
        [T([], i32), c([], i32, data=5), c([], i32, data=1), T([5], i32)], [0, 1, 2], [3],
        'RangeOptions', {})
    err('range_zero_delta', 'does not lead', 'RANGE', 1,
        [c([], f32, data=0), c([], f32, data=5), c([], f32, data=0), T([5], f32)], [0, 1, 2],
        [3], 'RangeOptions', {})
    err('range_wrong_direction', 'does not lead', 'RANGE', 1,
        [c([], i64, data=5), c([], i64, data=1), c([], i64, data=1), T([4], i64)], [0, 1, 2],
        [3], 'RangeOptions', {})
    err('topk_k_too_big', 'outside', 'TOPK_V2', 1,
        [T([2, 5], f32), c([], i32, data=6), T([2, 6], f32), T([2, 6], i32)], [0, 1], [2, 3],
        'TopKV2Options', {})
    err('topk_runtime_k', 'computed at run time', 'TOPK_V2', 1,
        [T([2, 5], f32), T([], i32), T([2, 2], f32), T([2, 2], i32)], [0, 1], [2, 3],
        'TopKV2Options', {})
    err('one_hot_runtime_depth', 'computed at run time', 'ONE_HOT', 1,
        [T([3], i32), T([], i32), c([], f32, data=1), c([], f32, data=0), T([3, 2], f32)],
        [0, 1, 2, 3], [4], 'OneHotOptions', {'axis': -1})
    err('one_hot_int16', 'not supported', 'ONE_HOT', 1,
        [T([3], i32), c([], i32, data=2), c([], s16, data=1), c([], s16, data=0),
         T([3, 2], s16)], [0, 1, 2, 3], [4], 'OneHotOptions', {'axis': -1})
    err('one_hot_bad_axis', 'out of range', 'ONE_HOT', 1,
        [T([3], i32), c([], i32, data=2), c([], f32, data=1), c([], f32, data=0),
         T([3, 2], f32)], [0, 1, 2, 3], [4], 'OneHotOptions', {'axis': 3})
    err('scatter_nd_runtime_shape', 'computed at run time', 'SCATTER_ND', 1,
        [T([2, 1], i32), T([2, 3], f32), T([2], i32), T([4, 3], f32)], [0, 1, 2], [3],
        'ScatterNdOptions', {})
    err('scatter_nd_int64_indices', 'not supported', 'SCATTER_ND', 1,
        [T([2, 1], i64), T([2, 3], f32), c([2], i64, data=[4, 3]), T([4, 3], f32)], [0, 1, 2],
        [3], 'ScatterNdOptions', {})
    err('scatter_nd_shape_mismatch', 'updates dimension', 'SCATTER_ND', 1,
        [T([2, 1], i32), T([2, 4], f32), c([2], i32, data=[4, 3]), T([4, 3], f32)], [0, 1, 2],
        [3], 'ScatterNdOptions', {})
    err('cumsum_bad_axis', 'out of range', 'CUMSUM', 1,
        [T([2, 3], f32), c([], i32, data=2), T([2, 3], f32)], [0, 1], [2], 'CumsumOptions', {})
    err('cumsum_int8', 'not supported', 'CUMSUM', 1,
        [T([2, 3], s8), c([], i32, data=0), T([2, 3], s8)], [0, 1], [2], 'CumsumOptions', {})
    err('broadcast_args_incompatible', 'incompatible', 'BROADCAST_ARGS', 1,
        [c([2], i32, data=[2, 3]), c([1], i32, data=[4]), T([2], i32)], [0, 1], [2])
    err('reduce_prod_u8_quantized', 'not supported', 'REDUCE_PROD', 1,
        [T([2, 3], u8, 0.1, 3), c([1], i32, data=[1]), T([2], u8, 0.1, 3)], [0, 1], [2],
        'ReducerOptions', {})
    err('reduce_prod_s16_zero_point', 'zero point', 'REDUCE_PROD', 2,
        [T([2, 3], s16, 0.1, 3), c([1], i32, data=[1]), T([2], s16, 0.1, 3)], [0, 1], [2],
        'ReducerOptions', {})
    return e


# Models whose invoke must check run-time data (tests/kernels/test_index_ops.c).
RUNTIME_MODELS = [
    ('scatter_nd_runtime', 'SCATTER_ND', 1,
     [T([2, 2], i32), T([2], f32), T([2], i32, data=[3, 4]), T([3, 4], f32)], [0, 1, 2], [3],
     'ScatterNdOptions', {}),
    ('broadcast_args_runtime', 'BROADCAST_ARGS', 1, [T([2], i32), T([2], i32), T([2], i32)],
     [0, 1], [2], None, None),
    ('cumsum_runtime_axis', 'CUMSUM', 1, [T([2, 3], i32), T([], i32), T([2, 3], i32)], [0, 1],
     [2], 'CumsumOptions', {'exclusive': True}),
]


ERRORS_HEADER = """/* SPDX-License-Identifier: Apache-2.0 */
/* index_errors.h — generated by tools/goldens/make_index_cases.py; do not edit. */
typedef struct IndexErrorCase {
  const char *name;     /* index_errors/<name>.tflite */
  const char *fragment; /* expected in the error message */
} IndexErrorCase;

static const IndexErrorCase index_error_cases[] = {
%s};
"""


def write_errors(root):
    d = os.path.join(root, 'tests', 'kernels', 'data')
    os.makedirs(os.path.join(d, 'index_errors'), exist_ok=True)
    errors = error_cases()
    models = [(e[0], e[2:]) for e in errors] + [(r[0], r[1:]) for r in RUNTIME_MODELS]
    for name, spec in models:
        with open(os.path.join(d, 'index_errors', name + '.tflite'), 'wb') as f:
            f.write(mm.model_bytes(*spec))
    with open(os.path.join(d, 'index_errors.h'), 'w') as f:
        f.write(ERRORS_HEADER % ''.join('    {"%s", "%s"},\n' % e[:2] for e in errors))


def define_cases():
    one_hot_cases()
    cumsum_cases()
    topk_cases()
    broadcast_args_cases()
    scatter_cases()
    range_cases()
    prod_cases()


def main():
    ms.define_cases = define_cases
    ms.write_errors = write_errors
    ms.main()


if __name__ == '__main__':
    main()
