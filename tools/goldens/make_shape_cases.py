#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden cases of the shape and data-movement ops: SQUEEZE,
EXPAND_DIMS, TRANSPOSE, CONCATENATION, SPLIT, SPLIT_V, PACK, UNPACK, SLICE,
STRIDED_SLICE, GATHER, GATHER_ND, PAD, PADV2, MIRROR_PAD, TILE, BROADCAST_TO,
REVERSE_V2, SPACE_TO_DEPTH, DEPTH_TO_SPACE, SHAPE, RANK, FILL and ZEROS_LIKE.

Usage (from the repository root; development tooling only):

    python3 tools/goldens/make_shape_cases.py [--root .] [--only SUBSTRING]

Builds one-operator models with the flatc-based builder of make_misc_cases.py,
runs them with ai_edge_litert's BUILTIN_REF resolver on fixed-seed inputs and
writes tests/data/goldens/op_<op>_<type>_<variant>/{model.tflite,
input_<i>.bin, output_<i>.bin}, and models whose prepare must fail to
tests/kernels/data/shape_errors/ (listed with the expected message in
tests/kernels/data/shape_errors.h for tests/kernels/test_shape_ops.c).
Shape-determining inputs (perm, begin/end,
paddings, axes, multiples, ...) are constant tensors inside the model.
Covers every element size (1/2/4/8 bytes, bool), negative axes and strides,
the strided-slice masks and offset, size-1 and zero-size dimensions, uint8
concatenation with differing scales, and 6-D transposes. Deterministic: a
rerun reproduces the same bytes. Prints the list to paste into
tests/engine/meson.build's golden_op_cases.
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_misc_cases as mm  # noqa: E402
from make_misc_cases import T  # noqa: E402

mm.TFL_TYPE[np.bool_] = 'BOOL'
f32, u8, s8, s16, i32, i64, b1 = (np.float32, np.uint8, np.int8, np.int16, np.int32, np.int64,
                                  np.bool_)
CASES = []


def case(name, op, version, tensors, inputs, outputs, opt_type=None, opts=None, feeds=None):
    CASES.append((name, op, version, tensors, inputs, outputs, opt_type, opts, feeds))


def feed_for(rng, t):
    if t.dtype == np.bool_:
        return rng.integers(0, 2, size=t.shape).astype(np.bool_)
    if t.dtype == np.int64:
        return rng.integers(-2 ** 40, 2 ** 40, size=t.shape).astype(np.int64)
    return mm.random_data(rng, t)


def c(shape, dtype, data=None):
    return T(shape, dtype, data=data)


def unary_view(name, op, version, shape, dtype, q, const, out_shape, opt_type=None, opts=None):
    """input 0 (fed), constant inputs `const` (list of (shape, dtype, data)), one output."""
    ts = [T(shape, dtype, *q)] + [c(s, d, v) for s, d, v in const] + [T(out_shape, dtype, *q)]
    n = len(ts)
    case(name, op, version, ts, list(range(n - 1)), [n - 1], opt_type, opts)


def define_cases():
    q0 = (None, None)
    # CONCATENATION (ssd_mobilenet uint8 with differing scales; deeplab / face detection float).
    case('concatenation_u8_rescale', 'CONCATENATION', 1,
         [T([1, 2, 3, 2], u8, 0.1, 128), T([1, 2, 3, 3], u8, 0.05, 10),
          T([1, 2, 3, 1], u8, 0.2, 250), T([1, 2, 3, 6], u8, 0.12, 100)], [0, 1, 2], [3],
         'ConcatenationOptions', {'axis': -1})
    case('concatenation_u8_same_axis0', 'CONCATENATION', 1,
         [T([1, 3], u8, 0.5, 7), T([2, 3], u8, 0.5, 7), T([3, 3], u8, 0.5, 7)], [0, 1], [2],
         'ConcatenationOptions', {'axis': 0})
    case('concatenation_f32_axis1_4d', 'CONCATENATION', 1,
         [T([2, 1, 3, 2], f32), T([2, 3, 3, 2], f32), T([2, 4, 3, 2], f32)], [0, 1], [2],
         'ConcatenationOptions', {'axis': 1})
    case('concatenation_s8_three', 'CONCATENATION', 2,
         [T([2, 2], s8, 0.3, -4), T([2, 1], s8, 0.3, -4), T([2, 3], s8, 0.3, -4),
          T([2, 6], s8, 0.3, -4)], [0, 1, 2], [3], 'ConcatenationOptions', {'axis': 1})
    case('concatenation_s16_const_input', 'CONCATENATION', 3,
         [T([3, 2], s16, 0.01, 0), T([3, 1], s16, 0.01, 0, data=[[7], [-8], [32767]]),
          T([3, 3], s16, 0.01, 0)], [0, 1], [2], 'ConcatenationOptions', {'axis': -1})
    case('concatenation_i64_zero_size', 'CONCATENATION', 1,
         [T([2, 0, 2], i64), T([2, 3, 2], i64), T([2, 3, 2], i64)], [0, 1], [2],
         'ConcatenationOptions', {'axis': 1})
    # Outputs of 64 KB and more are joined by every thread, each its share
    # of the outer steps (289 here, odd; the threads3 variant runs them).
    case('concatenation_f32_shared', 'CONCATENATION', 1,
         [T([1, 17, 17, 48], f32), T([1, 17, 17, 32], f32), T([1, 17, 17, 80], f32)], [0, 1],
         [2], 'ConcatenationOptions', {'axis': 3})
    case('concatenation_u8_rescale_shared', 'CONCATENATION', 1,
         [T([1, 17, 17, 150], u8, 0.1, 128), T([1, 17, 17, 90], u8, 0.05, 10),
          T([1, 17, 17, 240], u8, 0.12, 100)], [0, 1], [2], 'ConcatenationOptions',
         {'axis': -1})
    case('concatenation_i32_scalar_rows', 'CONCATENATION', 1,
         [T([1], i32), T([4], i32), T([5], i32)], [0, 1], [2], 'ConcatenationOptions',
         {'axis': 0})
    # PAD / PADV2 (face_detection float; quantized pad value = output zero point).
    pads = [[0, 0], [1, 2], [2, 0], [0, 1]]
    unary_view('pad_f32_4d', 'PAD', 1, [1, 3, 2, 2], f32, q0, [([4, 2], i32, pads)],
               [1, 6, 4, 3], 'PadOptions', {})
    unary_view('pad_u8_zero_point', 'PAD', 1, [1, 2, 3, 1], u8, (0.1, 77),
               [([4, 2], i32, [[0, 1], [1, 1], [0, 2], [0, 0]])], [2, 4, 5, 1], 'PadOptions', {})
    unary_view('pad_s8_i64_paddings', 'PAD', 2, [2, 3], s8, (0.2, -9),
               [([2, 2], i64, [[1, 0], [0, 3]])], [3, 6], 'PadOptions', {})
    unary_view('pad_s16_5d', 'PAD', 4, [1, 2, 1, 2, 2], s16, (0.01, 0),
               [([5, 2], i32, [[0, 0], [1, 0], [0, 1], [1, 1], [0, 0]])], [1, 3, 2, 4, 2],
               'PadOptions', {})
    case('padv2_s8_constant', 'PADV2', 2,
         [T([2, 2, 2], s8, 0.1, 3), c([3, 2], i32, [[1, 1], [0, 2], [1, 0]]),
          T([], s8, 0.1, 3, data=-100), T([4, 4, 3], s8, 0.1, 3)], [0, 1, 2], [3],
         'PadV2Options', {})
    case('padv2_f32_constant', 'PADV2', 1,
         [T([2, 3], f32), c([2, 2], i32, [[0, 2], [3, 1]]), c([], f32, 2.5), T([4, 7], f32)],
         [0, 1, 2], [3], 'PadV2Options', {})
    case('padv2_i64', 'PADV2', 1,
         [T([3], i64), c([1, 2], i32, [[2, 1]]), c([], i64, -5), T([6], i64)], [0, 1, 2], [3],
         'PadV2Options', {})
    # MIRROR_PAD.
    unary_view('mirror_pad_f32_reflect', 'MIRROR_PAD', 1, [3, 4], f32, q0,
               [([2, 2], i32, [[2, 1], [3, 2]])], [6, 9], 'MirrorPadOptions', {'mode': 'REFLECT'})
    unary_view('mirror_pad_u8_symmetric', 'MIRROR_PAD', 2, [1, 3, 2, 2], u8, (0.1, 5),
               [([4, 2], i64, [[0, 0], [3, 2], [2, 2], [1, 0]])], [1, 8, 6, 3],
               'MirrorPadOptions', {'mode': 'SYMMETRIC'})
    # STRIDED_SLICE (audio preprocessor int types; masks, ellipsis, new axis, shrink, offset).
    def ss(name, version, shape, dtype, q, b, e, s, out_shape, bits_dtype=i32, **masks):
        n = len(b)
        unary_view(name, 'STRIDED_SLICE', version, shape, dtype, q,
                   [([n], bits_dtype, b), ([n], bits_dtype, e), ([n], bits_dtype, s)], out_shape,
                   'StridedSliceOptions', masks)
    ss('strided_slice_i32_shrink', 1, [1, 4, 6], i32, q0, [0, 1, 1], [1, 3, 6], [1, 1, 2],
       [2, 3], shrink_axis_mask=1)
    ss('strided_slice_f32_negative_stride', 1, [3, 5], f32, q0, [-1, 4], [0, 0], [-1, -2], [2, 2])
    ss('strided_slice_s8_masks', 2, [4, 5, 3], s8, (0.1, -3), [1, 7, 2], [-1, -8, 0],
       [1, -2, -1], [3, 3, 3], begin_mask=2, end_mask=5)
    ss('strided_slice_u8_ellipsis_new_axis', 3, [2, 3, 4], u8, (0.5, 10), [0, 0, 1], [0, 1, 3],
       [1, 1, 1], [2, 3, 1, 2], ellipsis_mask=1, new_axis_mask=2)
    ss('strided_slice_s16_shrink_last', 4, [3, 4], s16, (0.01, 0), [1, -1], [3, 0], [1, 1], [2],
       shrink_axis_mask=2)
    ss('strided_slice_i64_offset', 4, [6, 3], i64, q0, [1, 0], [3, 2], [2, 1], [2, 2],
       offset=True)
    ss('strided_slice_bool_partial_spec', 4, [3, 2, 2], b1, q0, [1], [3], [1], [2, 2, 2])
    ss('strided_slice_f32_empty', 1, [4, 3], f32, q0, [3, 0], [1, 3], [1, 1], [0, 3])
    # TRANSPOSE up to 6-D.
    unary_view('transpose_f32_6d', 'TRANSPOSE', 6, [2, 1, 3, 2, 2, 3], f32, q0,
               [([6], i32, [5, 2, 0, 4, 1, 3])], [3, 3, 2, 2, 1, 2], 'TransposeOptions', {})
    unary_view('transpose_u8_nhwc_nchw', 'TRANSPOSE', 2, [1, 3, 4, 5], u8, (0.1, 3),
               [([4], i32, [0, 3, 1, 2])], [1, 5, 3, 4], 'TransposeOptions', {})
    unary_view('transpose_s16_2d', 'TRANSPOSE', 5, [5, 7], s16, (0.02, 0), [([2], i32, [1, 0])],
               [7, 5], 'TransposeOptions', {})
    unary_view('transpose_i64_3d', 'TRANSPOSE', 1, [2, 3, 4], i64, q0, [([3], i32, [1, 2, 0])],
               [3, 4, 2], 'TransposeOptions', {})
    # SQUEEZE / EXPAND_DIMS.
    unary_view('squeeze_u8_listed', 'SQUEEZE', 1, [1, 3, 1, 2, 1], u8, (0.3, 4), [], [3, 1, 2],
               'SqueezeOptions', {'squeeze_dims': [0, -1]})
    unary_view('squeeze_f32_all', 'SQUEEZE', 1, [1, 1, 4, 1], f32, q0, [], [4],
               'SqueezeOptions', {})
    unary_view('expand_dims_s8_negative', 'EXPAND_DIMS', 1, [2, 3], s8, (0.1, 1),
               [([1], i32, [-1])], [2, 3, 1], 'ExpandDimsOptions', {})
    unary_view('expand_dims_f32_front_i64', 'EXPAND_DIMS', 1, [4], f32, q0, [([], i64, 0)],
               [1, 4], 'ExpandDimsOptions', {})
    # SPLIT / SPLIT_V / PACK / UNPACK.
    case('split_f32_axis1', 'SPLIT', 1,
         [c([], i32, 1), T([2, 6, 2], f32), T([2, 2, 2], f32), T([2, 2, 2], f32),
          T([2, 2, 2], f32)], [0, 1], [2, 3, 4], 'SplitOptions', {'num_splits': 3})
    case('split_s8_negative_axis', 'SPLIT', 2,
         [c([1], i32, [-1]), T([3, 4], s8, 0.1, 2), T([3, 2], s8, 0.1, 2),
          T([3, 2], s8, 0.1, 2)], [0, 1], [2, 3], 'SplitOptions', {'num_splits': 2})
    case('split_v_s16_infer', 'SPLIT_V', 2,
         [T([2, 7], s16, 0.01, 0), c([3], i32, [2, -1, 1]), c([], i32, 1),
          T([2, 2], s16, 0.01, 0), T([2, 4], s16, 0.01, 0), T([2, 1], s16, 0.01, 0)], [0, 1, 2],
         [3, 4, 5], 'SplitVOptions', {'num_splits': 3})
    case('pack_u8_axis1', 'PACK', 1,
         [T([2, 3], u8, 0.1, 9), T([2, 3], u8, 0.1, 9), T([2, 3], u8, 0.1, 9),
          T([2, 3, 3], u8, 0.1, 9)], [0, 1, 2], [3], 'PackOptions', {'values_count': 3, 'axis': 1})
    case('pack_i64_last', 'PACK', 1, [T([3], i64), T([3], i64), T([3, 2], i64)], [0, 1], [2],
         'PackOptions', {'values_count': 2, 'axis': -1})
    case('unpack_f32_axis0', 'UNPACK', 1,
         [T([3, 2, 2], f32), T([2, 2], f32), T([2, 2], f32), T([2, 2], f32)], [0], [1, 2, 3],
         'UnpackOptions', {'num': 3, 'axis': 0})
    case('unpack_s8_last', 'UNPACK', 2, [T([2, 2], s8, 0.2, 0), T([2], s8, 0.2, 0),
                                         T([2], s8, 0.2, 0)], [0], [1, 2], 'UnpackOptions',
         {'num': 2, 'axis': -1})
    # SLICE.
    unary_view('slice_s8_to_end', 'SLICE', 2, [3, 4, 5], s8, (0.1, 0),
               [([3], i32, [1, 0, 2]), ([3], i32, [2, -1, 2])], [2, 4, 2], 'SliceOptions', {})
    unary_view('slice_f32_i64', 'SLICE', 1, [4, 6], f32, q0,
               [([2], i64, [1, 3]), ([2], i64, [2, 3])], [2, 3], 'SliceOptions', {})
    # GATHER / GATHER_ND.
    case('gather_f32_axis1', 'GATHER', 1,
         [T([2, 5, 3], f32), c([4], i32, [4, 0, 0, 2]), T([2, 4, 3], f32)], [0, 1], [2],
         'GatherOptions', {'axis': 1})
    case('gather_s8_i64_indices', 'GATHER', 2,
         [T([6, 2], s8, 0.1, -1), c([2, 2], i64, [[5, 1], [0, 3]]), T([2, 2, 2], s8, 0.1, -1)],
         [0, 1], [2], 'GatherOptions', {'axis': 0})
    case('gather_i32_batch_dims', 'GATHER', 5,
         [T([2, 4, 3], i32), c([2, 2], i32, [[3, 0], [1, 1]]), T([2, 2, 3], i32)], [0, 1], [2],
         'GatherOptions', {'axis': 1, 'batch_dims': 1})
    case('gather_nd_f32', 'GATHER_ND', 1,
         [T([3, 4, 2], f32), c([3, 2], i32, [[2, 1], [0, 3], [1, 0]]), T([3, 2], f32)], [0, 1],
         [2])
    case('gather_nd_u8_full', 'GATHER_ND', 1,
         [T([2, 3], u8, 0.1, 5), c([2, 1, 2], i32, [[[1, 2]], [[0, 0]]]), T([2, 1], u8, 0.1, 5)],
         [0, 1], [2])
    # TILE / BROADCAST_TO / REVERSE_V2.
    unary_view('tile_s16', 'TILE', 2, [2, 1, 3], s16, (0.05, 0), [([3], i32, [1, 3, 2])],
               [2, 3, 6], 'TileOptions', {})
    unary_view('tile_bool_i64', 'TILE', 2, [2, 2], b1, q0, [([2], i64, [2, 1])], [4, 2],
               'TileOptions', {})
    unary_view('broadcast_to_f32', 'BROADCAST_TO', 2, [3, 1], f32, q0,
               [([4], i32, [2, 1, 3, 4])], [2, 1, 3, 4], 'BroadcastToOptions', {})
    unary_view('broadcast_to_s8', 'BROADCAST_TO', 3, [1, 2], s8, (0.1, 0),
               [([2], i64, [3, 2])], [3, 2], 'BroadcastToOptions', {})
    unary_view('reverse_v2_u8_axis1', 'REVERSE_V2', 2, [2, 3, 4], u8, (0.2, 3),
               [([1], i32, [1])], [2, 3, 4], 'ReverseV2Options', {})
    unary_view('reverse_v2_f32_two_axes', 'REVERSE_V2', 3, [2, 3, 4], f32, q0,
               [([2], i32, [1, -1])], [2, 3, 4], 'ReverseV2Options', {})
    # SPACE_TO_DEPTH / DEPTH_TO_SPACE.
    unary_view('space_to_depth_u8', 'SPACE_TO_DEPTH', 1, [1, 4, 6, 2], u8, (0.1, 0), [],
               [1, 2, 3, 8], 'SpaceToDepthOptions', {'block_size': 2})
    unary_view('depth_to_space_f32', 'DEPTH_TO_SPACE', 1, [2, 2, 3, 8], f32, q0, [],
               [2, 4, 6, 2], 'DepthToSpaceOptions', {'block_size': 2})
    unary_view('depth_to_space_s8_bs3', 'DEPTH_TO_SPACE', 1, [1, 1, 2, 9], s8, (0.1, 0), [],
               [1, 3, 6, 1], 'DepthToSpaceOptions', {'block_size': 3})
    # SHAPE / RANK / FILL / ZEROS_LIKE.
    case('shape_f32_i32', 'SHAPE', 1, [T([2, 3, 1, 4], f32), T([4], i32)], [0], [1],
         'ShapeOptions', {'out_type': 'INT32'})
    case('shape_u8_i64', 'SHAPE', 1, [T([5, 2], u8, 0.1, 0), T([2], i64)], [0], [1],
         'ShapeOptions', {'out_type': 'INT64'})
    case('rank_s8', 'RANK', 1, [T([2, 1, 3], s8, 0.1, 0), T([], i32)], [0], [1], 'RankOptions', {})
    case('fill_f32', 'FILL', 1, [c([3], i32, [2, 1, 3]), T([], f32), T([2, 1, 3], f32)], [0, 1],
         [2], 'FillOptions', {})
    case('fill_s8_i64_dims', 'FILL', 3, [c([2], i64, [2, 2]), T([], s8, 0.1, 2),
                                         T([2, 2], s8, 0.1, 2)], [0, 1], [2], 'FillOptions', {})
    case('zeros_like_i64', 'ZEROS_LIKE', 1, [T([2, 3], i64), T([2, 3], i64)], [0], [1],
         'ZerosLikeOptions', {})
    case('zeros_like_f32', 'ZEROS_LIKE', 1, [T([4], f32), T([4], f32)], [0], [1],
         'ZerosLikeOptions', {})


def error_cases():
    """(name, message fragment, op, version, tensors, inputs, outputs, opt_type, opts)."""
    return [
        ('transpose_runtime_perm', 'computed at run time', 'TRANSPOSE', 1,
         [T([2, 3], f32), T([2], i32), T([3, 2], f32)], [0, 1], [2], 'TransposeOptions', {}),
        ('transpose_repeated_axis', 'names axis 0 twice', 'TRANSPOSE', 1,
         [T([2, 3], f32), c([2], i32, [0, 0]), T([2, 2], f32)], [0, 1], [2],
         'TransposeOptions', {}),
        ('strided_slice_zero_stride', 'stride of axis 0 is 0', 'STRIDED_SLICE', 1,
         [T([4], f32), c([1], i32, [0]), c([1], i32, [4]), c([1], i32, [0]), T([4], f32)],
         [0, 1, 2, 3], [4], 'StridedSliceOptions', {}),
        ('strided_slice_runtime_begin', 'computed at run time', 'STRIDED_SLICE', 1,
         [T([4], f32), T([1], i32), c([1], i32, [4]), c([1], i32, [1]), T([4], f32)],
         [0, 1, 2, 3], [4], 'StridedSliceOptions', {}),
        ('strided_slice_shrink_out_of_range', 'out of range', 'STRIDED_SLICE', 1,
         [T([3], f32), c([1], i32, [5]), c([1], i32, [6]), c([1], i32, [1]), T([], f32)],
         [0, 1, 2, 3], [4], 'StridedSliceOptions', {'shrink_axis_mask': 1}),
        ('slice_out_of_range', 'outside its 4 elements', 'SLICE', 1,
         [T([4], f32), c([1], i32, [2]), c([1], i32, [3]), T([3], f32)], [0, 1, 2], [3],
         'SliceOptions', {}),
        ('concatenation_rank_mismatch', 'differs in type or rank', 'CONCATENATION', 1,
         [T([2, 3], f32), T([3], f32), T([2, 6], f32)], [0, 1], [2], 'ConcatenationOptions',
         {'axis': 0}),
        ('concatenation_relu', 'fused activation 1', 'CONCATENATION', 1,
         [T([2], f32), T([2], f32), T([4], f32)], [0, 1], [2], 'ConcatenationOptions',
         {'axis': 0, 'fused_activation_function': 'RELU'}),
        ('concatenation_axis_out_of_range', 'axis 2 is out of range', 'CONCATENATION', 1,
         [T([2], f32), T([2], f32), T([4], f32)], [0, 1], [2], 'ConcatenationOptions',
         {'axis': 2}),
        ('split_uneven', 'not a multiple of 2 splits', 'SPLIT', 1,
         [c([], i32, 0), T([3], f32), T([1], f32), T([1], f32)], [0, 1], [2, 3], 'SplitOptions',
         {'num_splits': 2}),
        ('split_v_bad_sum', 'do not add up', 'SPLIT_V', 1,
         [T([5], f32), c([2], i32, [2, 2]), c([], i32, 0), T([2], f32), T([2], f32)], [0, 1, 2],
         [3, 4], 'SplitVOptions', {'num_splits': 2}),
        ('pad_negative', 'negative padding', 'PAD', 1,
         [T([3], f32), c([1, 2], i32, [[-1, 0]]), T([2], f32)], [0, 1], [2], 'PadOptions', {}),
        ('mirror_pad_too_wide', 'exceeds 2', 'MIRROR_PAD', 1,
         [T([3], f32), c([1, 2], i32, [[3, 0]]), T([6], f32)], [0, 1], [2], 'MirrorPadOptions',
         {'mode': 'REFLECT'}),
        ('squeeze_non_unit', 'cannot squeeze axis 1', 'SQUEEZE', 1,
         [T([1, 2], f32), T([2], f32)], [0], [1], 'SqueezeOptions', {'squeeze_dims': [1]}),
        ('gather_batch_dims', 'batch_dims 2 is invalid', 'GATHER', 1,
         [T([2, 3], f32), c([2], i32, [0, 1]), T([2], f32)], [0, 1], [2], 'GatherOptions',
         {'axis': 1, 'batch_dims': 2}),
        ('broadcast_to_mismatch', 'does not broadcast', 'BROADCAST_TO', 2,
         [T([3], f32), c([2], i32, [2, 4]), T([2, 4], f32)], [0, 1], [2], 'BroadcastToOptions',
         {}),
        ('depth_to_space_depth', 'multiple of block_size^2', 'DEPTH_TO_SPACE', 1,
         [T([1, 1, 1, 6], f32), T([1, 2, 2, 1], f32)], [0], [1], 'DepthToSpaceOptions',
         {'block_size': 2}),
        ('fill_runtime_dims', 'computed at run time', 'FILL', 1,
         [T([2], i32), T([], f32), T([2, 2], f32)], [0, 1], [2], 'FillOptions', {}),
    ]


def write_errors(root):
    d = os.path.join(root, 'tests', 'kernels', 'data', 'shape_errors')
    os.makedirs(d, exist_ok=True)
    lines = ['/* SPDX-License-Identifier: Apache-2.0 */',
             '/* shape_errors.h — generated by tools/goldens/make_shape_cases.py; do not edit. */',
             'typedef struct ShapeErrorCase {',
             '  const char *name;     /* shape_errors/<name>.tflite */',
             '  const char *fragment; /* expected in the error message */',
             '} ShapeErrorCase;', '',
             'static const ShapeErrorCase shape_error_cases[] = {']
    for name, frag, op, version, tensors, inputs, outputs, opt_type, opts in error_cases():
        model = mm.model_bytes(op, version, tensors, inputs, outputs, opt_type, opts)
        open(os.path.join(d, name + '.tflite'), 'wb').write(model)
        lines.append('    {"%s", "%s"},' % (name, frag))
    lines += ['};', '']
    # GATHER with indices fed at run time, for the out-of-range invoke check.
    model = mm.model_bytes('GATHER', 1, [T([3, 2], f32), T([2], i32), T([2, 2], f32)], [0, 1],
                           [2], 'GatherOptions', {'axis': 0})
    open(os.path.join(d, 'gather_runtime_indices.tflite'), 'wb').write(model)
    open(os.path.join(root, 'tests', 'kernels', 'data', 'shape_errors.h'), 'w').write(
        '\n'.join(lines))


def write_case(root, name, op, version, tensors, inputs, outputs, opt_type, opts, feeds):
    model = mm.model_bytes(op, version, tensors, inputs, outputs, opt_type, opts)
    rng = mm.rng_for(name)
    fed = [i for i in inputs if i >= 0 and tensors[i].data is None]
    feeds = feeds or [feed_for(rng, tensors[i]) for i in fed]
    results = mm.run_ref(model, feeds)
    d = os.path.join(root, 'tests', 'data', 'goldens', 'op_' + name)
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, 'model.tflite'), 'wb').write(model)
    for i, x in enumerate(feeds):
        open(os.path.join(d, 'input_%d.bin' % i), 'wb').write(np.ascontiguousarray(x).tobytes())
    for i, y in enumerate(results):
        open(os.path.join(d, 'output_%d.bin' % i), 'wb').write(np.ascontiguousarray(y).tobytes())
    return [list(y.shape) for y in results]


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
        try:
            shapes = write_case(args.root, *cs)
        except Exception as e:  # report every failing case, not just the first
            print('error: %s: %s' % (cs[0], str(e).splitlines()[0]))
            continue
        declared = [cs[3][o].shape for o in cs[5]]
        if shapes != declared:
            print('warning: %s: reference output shapes %s != declared %s' % (cs[0], shapes,
                                                                            declared))
    for cs in CASES:
        if args.only in cs[0]:
            print("  'op_%s'," % cs[0])


if __name__ == '__main__':
    main()
