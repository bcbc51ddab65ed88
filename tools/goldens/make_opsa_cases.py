#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden cases of the spatial and normalisation ops:
SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND, L2_POOL_2D, LOG_SOFTMAX,
L2_NORMALIZATION, LOCAL_RESPONSE_NORMALIZATION and BATCH_MATMUL.

Usage (from the repository root; development tooling only):

    python3 tools/goldens/make_opsa_cases.py [--root .] [--only SUBSTRING]

Builds one-operator models with the flatc-based builder of make_misc_cases.py
(shape-determining inputs such as block_shape, paddings and crops are constant
tensors in the model), runs them with ai_edge_litert's BUILTIN_REF resolver on
fixed-seed inputs and writes tests/data/goldens/op_<case>/{model.tflite,
input_<i>.bin, output_<i>.bin}, and models whose prepare must fail to
tests/kernels/data/opsa_errors/ (listed with the expected message in
tests/kernels/data/opsa_errors.h for tests/kernels/test_opsa_ops.c). Covers every supported type per op (float32,
uint8, int8, int16, int32, int64 for the data-movement ops), 3-D and 4-D
inputs, padding and crops, zero-size batches, size-1 dimensions, fused
activations of L2_POOL_2D, SAME/VALID padding, and extreme input scales for
the quantized log-softmax and L2 normalisation. Deterministic: seeds come
from case names. Prints the golden_op_cases lines to register.
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_misc_cases as mm  # noqa: E402
import make_shape_cases as ms  # noqa: E402
from make_misc_cases import T  # noqa: E402

f32, u8, s8, s16, i32, i64 = np.float32, np.uint8, np.int8, np.int16, np.int32, np.int64
CASES = []


def case(name, op, version, tensors, inputs, outputs, opt_type=None, opts=None, feeds=None):
    CASES.append((name, op, version, tensors, inputs, outputs, opt_type, opts, feeds))


# ---- SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND -----------------------------------------

def s2b(name, version, dtype, shape, block, pads, q=(None, None)):
    sp = len(block)
    full = [shape[1 + i] + pads[i][0] + pads[i][1] for i in range(sp)]
    out = [shape[0] * int(np.prod(block))] + [f // b for f, b in zip(full, block)] + [shape[-1]]
    ts = [T(shape, dtype, *q), T([sp], i32, data=block), T([sp, 2], i32, data=pads),
          T(out, dtype, *q)]
    case('space_to_batch_nd_' + name, 'SPACE_TO_BATCH_ND', version, ts, [0, 1, 2], [3],
         'SpaceToBatchNDOptions', {})


def b2s(name, version, dtype, shape, block, crops, q=(None, None)):
    sp = len(block)
    out = [shape[0] // int(np.prod(block))] + \
        [shape[1 + i] * block[i] - crops[i][0] - crops[i][1] for i in range(sp)] + [shape[-1]]
    ts = [T(shape, dtype, *q), T([sp], i32, data=block), T([sp, 2], i32, data=crops),
          T(out, dtype, *q)]
    case('batch_to_space_nd_' + name, 'BATCH_TO_SPACE_ND', version, ts, [0, 1, 2], [3],
         'BatchToSpaceNDOptions', {})


def space_batch_cases():
    s2b('f32_pad', 1, f32, [2, 3, 5, 2], [2, 3], [[1, 0], [0, 1]])
    s2b('f32_3d', 3, f32, [2, 5, 3], [2], [[0, 1]])
    s2b('u8_zp_pad', 1, u8, [1, 4, 4, 1], [2, 2], [[1, 1], [2, 0]], (0.5, 77))
    s2b('s8_zp_pad', 2, s8, [1, 2, 3, 3], [3, 2], [[2, 2], [1, 0]], (0.1, -9))
    s2b('s16_nopad', 4, s16, [2, 4, 2, 2], [2, 1], [[0, 0], [0, 0]], (0.01, 0))
    s2b('i32_pad', 1, i32, [1, 3, 3, 2], [2, 2], [[0, 1], [1, 0]])
    s2b('i64_block1', 1, i64, [1, 2, 2, 1], [1, 1], [[1, 1], [0, 0]])
    s2b('f32_empty_batch', 1, f32, [0, 2, 2, 1], [2, 2], [[0, 0], [0, 0]])
    b2s('f32_crop', 1, f32, [6, 2, 3, 2], [2, 3], [[1, 0], [0, 2]])
    b2s('f32_3d', 3, f32, [4, 3, 2], [2], [[1, 1]])
    b2s('u8_nocrop', 1, u8, [4, 2, 2, 1], [2, 2], [[0, 0], [0, 0]], (0.5, 77))
    b2s('s8_crop', 2, s8, [12, 2, 2, 3], [3, 2], [[2, 1], [0, 1]], (0.1, -9))
    b2s('s16_crop', 4, s16, [4, 3, 2, 2], [2, 2], [[0, 1], [1, 0]], (0.01, 0))
    b2s('i32_batch2', 1, i32, [8, 1, 2, 2], [2, 2], [[0, 0], [1, 1]])
    b2s('i64_crop_all', 1, i64, [4, 1, 1, 2], [2, 2], [[1, 1], [0, 0]])


# ---- L2_POOL_2D ----------------------------------------------------------------------

def l2pool(name, shape, filt, stride, padding, act='NONE'):
    b, h, w, c = shape
    if padding == 'SAME':
        oh, ow = -(-h // stride[0]), -(-w // stride[1])
    else:
        oh, ow = (h - filt[0]) // stride[0] + 1, (w - filt[1]) // stride[1] + 1
    opts = {'padding': padding, 'stride_h': stride[0], 'stride_w': stride[1],
            'filter_height': filt[0], 'filter_width': filt[1], 'fused_activation_function': act}
    case('l2_pool_2d_f32_' + name, 'L2_POOL_2D', 1, [T(shape, f32), T([b, oh, ow, c], f32)], [0],
         [1], 'Pool2DOptions', opts)


def l2pool_cases():
    l2pool('same_s2', [1, 5, 5, 3], [3, 3], [2, 2], 'SAME')
    l2pool('valid', [2, 4, 6, 2], [2, 3], [1, 2], 'VALID')
    l2pool('relu6', [1, 4, 4, 2], [2, 2], [2, 2], 'VALID', 'RELU6')
    l2pool('relu_n1', [1, 3, 3, 1], [3, 3], [1, 1], 'SAME', 'RELU_N1_TO_1')
    l2pool('relu_1x1', [1, 1, 1, 4], [1, 1], [1, 1], 'VALID', 'RELU')


# ---- LOG_SOFTMAX ---------------------------------------------------------------------

def log_softmax(name, version, dtype, shape, qi=(None, None)):
    qo = (None, None) if dtype == f32 else (16.0 / 256, 255 if dtype == u8 else 127)
    case('log_softmax_' + name, 'LOG_SOFTMAX', version, [T(shape, dtype, *qi), T(shape, dtype, *qo)],
         [0], [1], 'LogSoftmaxOptions', {})


def log_softmax_cases():
    log_softmax('f32_rows', 1, f32, [3, 7])
    log_softmax('f32_4d', 1, f32, [1, 2, 3, 5])
    log_softmax('f32_depth1', 1, f32, [4, 1])
    log_softmax('u8_rows', 1, u8, [4, 9], (0.1, 128))
    log_softmax('u8_small_scale', 1, u8, [2, 16], (0.004, 3))
    log_softmax('u8_large_scale', 1, u8, [3, 6], (2.5, 100))
    log_softmax('s8_rows', 2, s8, [5, 8], (0.05, -3))
    log_softmax('s8_wide', 2, s8, [1, 300], (0.02, 0))
    log_softmax('s8_3d_large_scale', 2, s8, [2, 3, 4], (1.0, 10))


# ---- L2_NORMALIZATION / LOCAL_RESPONSE_NORMALIZATION -----------------------------------

def l2norm(name, version, dtype, shape, qi=(None, None), feeds=None):
    qo = (None, None) if dtype == f32 else (1.0 / 128, 128 if dtype == u8 else 0)
    case('l2_normalization_' + name, 'L2_NORMALIZATION', version,
         [T(shape, dtype, *qi), T(shape, dtype, *qo)], [0], [1], 'L2NormOptions',
         {'fused_activation_function': 'NONE'}, feeds)


def lrn(name, shape, radius, bias, alpha, beta):
    case('local_response_normalization_f32_' + name, 'LOCAL_RESPONSE_NORMALIZATION', 1,
         [T(shape, f32), T(shape, f32)], [0], [1], 'LocalResponseNormalizationOptions',
         {'radius': radius, 'bias': bias, 'alpha': alpha, 'beta': beta})


def norm_cases():
    l2norm('f32_rows', 1, f32, [3, 8])
    l2norm('f32_4d', 1, f32, [1, 2, 2, 5])
    l2norm('f32_zero_row', 1, f32, [2, 3], feeds=[np.array([[0, 0, 0], [1e-8, 0, -2e-8]], f32)])
    l2norm('u8_rows', 1, u8, [4, 10], (0.05, 120))
    l2norm('u8_zero_row', 1, u8, [2, 4], (0.1, 7),
           feeds=[np.array([[7, 7, 7, 7], [0, 255, 7, 100]], u8)])
    l2norm('s8_rows', 2, s8, [5, 6], (0.02, -4))
    l2norm('s8_wide', 2, s8, [1, 1, 2, 700], (1.0, 0))
    l2norm('s8_depth1', 2, s8, [6, 1], (0.5, 10))
    lrn('r2', [1, 2, 2, 7], 2, 1.0, 0.5, 0.75)
    lrn('r0', [2, 1, 1, 4], 0, 2.0, 1.0, 0.5)
    lrn('r_wide', [1, 1, 3, 5], 10, 0.5, 0.1, 1.5)


# ---- BATCH_MATMUL --------------------------------------------------------------------

def bmm(name, version, dtype, ls, rs, adj_x=False, adj_y=False, ql=(None, None),
        qr=(None, None), qo=(None, None), out_dtype=None, const_rhs=False):
    lb, rb = ls[:-2], rs[:-2]
    batch = list(np.broadcast_shapes(tuple(lb), tuple(rb)))
    rows = ls[-1] if adj_x else ls[-2]
    cols = rs[-2] if adj_y else rs[-1]
    rhs_data = None
    if const_rhs:
        rhs_data = ms.feed_for(mm.rng_for(name + '_rhs'), T(rs, dtype, *qr))
    ts = [T(ls, dtype, *ql), T(rs, dtype, *qr, data=rhs_data),
          T(batch + [rows, cols], out_dtype or dtype, *qo)]
    case('batch_matmul_' + name, 'BATCH_MATMUL', version, ts, [0, 1], [2], 'BatchMatMulOptions',
         {'adj_x': adj_x, 'adj_y': adj_y})


def bmm_cases():
    bmm('f32_2d', 1, f32, [3, 4], [4, 5])
    bmm('f32_adj_bcast', 1, f32, [2, 1, 4, 3], [3, 5, 4], adj_x=True, adj_y=True)
    bmm('f32_5d_bcast', 1, f32, [2, 1, 3, 2, 4], [1, 2, 1, 4, 3])
    bmm('f32_const_rhs', 1, f32, [2, 3, 4], [4, 2], const_rhs=True)
    bmm('f32_empty_batch', 1, f32, [0, 3, 4], [4, 2])
    bmm('s8_bcast', 2, s8, [2, 3, 8], [8, 4], ql=(0.05, -3), qr=(0.02, 5), qo=(0.1, 2))
    bmm('s8_adj_y_const', 2, s8, [3, 2, 6], [3, 5, 6], adj_y=True, ql=(0.1, 10),
        qr=(0.03, -7), qo=(0.5, -20), const_rhs=True)
    bmm('s8_adj_x_saturate', 2, s8, [1, 16, 3], [16, 2], adj_x=True, ql=(0.5, 0),
        qr=(0.5, 0), qo=(0.01, 0))
    bmm('s8_s32', 2, s8, [2, 3, 5], [2, 5, 4], ql=(0.1, 4), qr=(0.2, -2), out_dtype=i32)
    bmm('s16_bcast', 3, s16, [2, 2, 3, 7], [2, 1, 7, 3], ql=(0.001, 0), qr=(0.002, 0),
        qo=(0.05, 0))
    bmm('s16_adj_xy', 3, s16, [4, 3], [2, 4], adj_x=True, adj_y=True, ql=(0.01, 0),
        qr=(0.0005, 0), qo=(0.3, 0))


def define_cases():
    space_batch_cases()
    l2pool_cases()
    log_softmax_cases()
    norm_cases()
    bmm_cases()


# ---- Models prepare must reject ------------------------------------------------------

def error_cases():
    """(name, expected message fragment, op, version, tensors, inputs, outputs, opt_type, opts)"""
    blk, pad0 = T([2], i32, data=[2, 2]), T([2, 2], i32, data=[0, 0, 0, 0])
    sb, bs = 'SpaceToBatchNDOptions', 'BatchToSpaceNDOptions'
    l2o = {'fused_activation_function': 'NONE'}
    q8 = (0.1, 0)
    return [
        ('s2b_runtime_block', 'run-time data', 'SPACE_TO_BATCH_ND', 1,
         [T([1, 2, 2, 1], f32), T([2], i32), pad0, T([4, 1, 1, 1], f32)], [0, 1, 2], [3], sb, {}),
        ('s2b_not_divisible', 'not a multiple of the block', 'SPACE_TO_BATCH_ND', 1,
         [T([1, 3, 3, 1], f32), blk, pad0, T([4, 1, 1, 1], f32)], [0, 1, 2], [3], sb, {}),
        ('s2b_negative_pad', 'must not be negative', 'SPACE_TO_BATCH_ND', 1,
         [T([1, 2, 2, 1], f32), blk, T([2, 2], i32, data=[0, -2, 0, 0]), T([4, 1, 1, 1], f32)],
         [0, 1, 2], [3], sb, {}),
        ('s2b_quant_mismatch', 'quantization differ', 'SPACE_TO_BATCH_ND', 2,
         [T([1, 2, 2, 1], s8, 0.1, 0), blk, pad0, T([4, 1, 1, 1], s8, 0.2, 0)], [0, 1, 2], [3],
         sb, {}),
        ('s2b_block_int64', 'block_shape must be int32', 'SPACE_TO_BATCH_ND', 1,
         [T([1, 2, 2, 1], f32), T([2], np.int64, data=[2, 2]), pad0, T([4, 1, 1, 1], f32)],
         [0, 1, 2], [3], sb, {}),
        ('b2s_batch', 'not a multiple of the block size', 'BATCH_TO_SPACE_ND', 1,
         [T([3, 1, 1, 1], f32), blk, pad0, T([1, 2, 2, 1], f32)], [0, 1, 2], [3], bs, {}),
        ('b2s_crops', 'crops exceed', 'BATCH_TO_SPACE_ND', 1,
         [T([4, 1, 1, 1], f32), blk, T([2, 2], i32, data=[2, 1, 0, 0]), T([1, 1, 2, 1], f32)],
         [0, 1, 2], [3], bs, {}),
        ('b2s_block0', 'must be in [1, 65535]', 'BATCH_TO_SPACE_ND', 1,
         [T([4, 1, 1, 1], f32), T([2], i32, data=[0, 2]), pad0, T([1, 1, 2, 1], f32)],
         [0, 1, 2], [3], bs, {}),
        ('b2s_rank5', 'rank 3 or 4', 'BATCH_TO_SPACE_ND', 1,
         [T([4, 1, 1, 1, 1], f32), blk, pad0, T([1, 2, 2, 1, 1], f32)], [0, 1, 2], [3], bs, {}),
        ('l2_pool_s8', 'float32 only', 'L2_POOL_2D', 1, [T([1, 2, 2, 1], s8, *q8),
         T([1, 1, 1, 1], s8, *q8)], [0], [1], 'Pool2DOptions',
         {'padding': 'VALID', 'stride_w': 1, 'stride_h': 1, 'filter_width': 2,
          'filter_height': 2}),
        ('log_softmax_u8_zp', 'scale 16/256 and zero point 255', 'LOG_SOFTMAX', 1,
         [T([1, 4], u8, 0.1, 0), T([1, 4], u8, 16.0 / 256, 0)], [0], [1], 'LogSoftmaxOptions', {}),
        ('log_softmax_s8_scale', 'scale 16/256 and zero point 127', 'LOG_SOFTMAX', 2,
         [T([1, 4], s8, 0.1, 0), T([1, 4], s8, 1.0 / 256, 127)], [0], [1], 'LogSoftmaxOptions',
         {}),
        ('l2norm_s8_scale', 'scale 1/128 and zero point 0', 'L2_NORMALIZATION', 2,
         [T([1, 4], s8, 0.1, 0), T([1, 4], s8, 1.0 / 256, 0)], [0], [1], 'L2NormOptions', l2o),
        ('l2norm_relu', 'fused activation', 'L2_NORMALIZATION', 1,
         [T([1, 4], f32), T([1, 4], f32)], [0], [1], 'L2NormOptions',
         {'fused_activation_function': 'RELU'}),
        ('l2norm_rank5', 'rank <= 4', 'L2_NORMALIZATION', 1,
         [T([1, 1, 1, 1, 4], f32), T([1, 1, 1, 1, 4], f32)], [0], [1], 'L2NormOptions', l2o),
        ('lrn_rank3', 'rank 4', 'LOCAL_RESPONSE_NORMALIZATION', 1,
         [T([1, 2, 4], f32), T([1, 2, 4], f32)], [0], [1], 'LocalResponseNormalizationOptions',
         {'radius': 1, 'bias': 1.0, 'alpha': 1.0, 'beta': 0.5}),
        ('bmm_inner', 'inner dimensions differ', 'BATCH_MATMUL', 1,
         [T([2, 3], f32), T([4, 2], f32), T([2, 2], f32)], [0, 1], [2], 'BatchMatMulOptions', {}),
        ('bmm_batch', 'does not broadcast', 'BATCH_MATMUL', 1,
         [T([2, 2, 3], f32), T([3, 3, 2], f32), T([3, 2, 2], f32)], [0, 1], [2],
         'BatchMatMulOptions', {}),
        ('bmm_hybrid_variable_rhs', 'hybrid rhs (int8 weights with a float32 lhs) must be '
         'constant', 'BATCH_MATMUL', 1,
         [T([2, 3], f32), T([3, 2], s8, 0.1, 0), T([2, 2], f32)], [0, 1], [2],
         'BatchMatMulOptions', {}),
        ('bmm_hybrid_no_scale', 'hybrid rhs must be quantized', 'BATCH_MATMUL', 1,
         [T([2, 3], f32), T([3, 2], s8, data=np.ones([3, 2])), T([2, 2], f32)], [0, 1], [2],
         'BatchMatMulOptions', {}),
        ('bmm_hybrid_channel_axis', 'must run along its output columns', 'BATCH_MATMUL', 4,
         [T([2, 3], f32), T([3, 2], s8, [0.1, 0.2, 0.3], [0, 0, 0], data=np.ones([3, 2]), qdim=0),
          T([2, 2], f32)], [0, 1], [2], 'BatchMatMulOptions',
         {'asymmetric_quantize_inputs': True}),
        ('bmm_hybrid_s8_output', 'float32 x int8 -> int8 is not supported', 'BATCH_MATMUL', 1,
         [T([2, 3], f32), T([3, 2], s8, 0.1, 0, data=np.ones([3, 2])), T([2, 2], s8, 0.1, 0)],
         [0, 1], [2], 'BatchMatMulOptions', {}),
        ('bmm_s16_zp', 'zero point 0', 'BATCH_MATMUL', 3,
         [T([2, 3], s16, 0.1, 0), T([3, 2], s16, 0.1, 0), T([2, 2], s16, 0.1, 3)], [0, 1], [2],
         'BatchMatMulOptions', {}),
        ('bmm_rank1', 'rank 2 to 5', 'BATCH_MATMUL', 1,
         [T([3], f32), T([3, 2], f32), T([2], f32)], [0, 1], [2], 'BatchMatMulOptions', {}),
    ]


def write_errors(root):
    d = os.path.join(root, 'tests', 'kernels', 'data', 'opsa_errors')
    os.makedirs(d, exist_ok=True)
    lines = ['/* SPDX-License-Identifier: Apache-2.0 */',
             '/* opsa_errors.h — generated by tools/goldens/make_opsa_cases.py; do not edit. */',
             'typedef struct OpsaErrorCase {',
             '  const char *name;     /* opsa_errors/<name>.tflite */',
             '  const char *fragment; /* expected in the error message */',
             '} OpsaErrorCase;', '',
             'static const OpsaErrorCase opsa_error_cases[] = {']
    for name, frag, op, version, tensors, inputs, outputs, opt_type, opts in error_cases():
        model = mm.model_bytes(op, version, tensors, inputs, outputs, opt_type, opts)
        open(os.path.join(d, name + '.tflite'), 'wb').write(model)
        lines.append('    {"%s", "%s"},' % (name, frag))
    lines += ['};', '']
    open(os.path.join(root, 'tests', 'kernels', 'data', 'opsa_errors.h'), 'w').write(
        '\n'.join(lines))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--root', default='.')
    ap.add_argument('--only', default='')
    args = ap.parse_args()
    define_cases()
    if not args.only:
        write_errors(args.root)
    for cs in CASES:
        if args.only not in cs[0]:
            continue
        shapes = ms.write_case(args.root, *cs)
        declared = [cs[3][o].shape for o in cs[5]]
        if shapes != declared:
            print('warning: %s: reference output shapes %s != declared %s' % (cs[0], shapes,
                                                                            declared))
        print("  'op_%s'," % cs[0])


if __name__ == '__main__':
    main()
