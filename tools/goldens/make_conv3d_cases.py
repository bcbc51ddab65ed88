#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden cases of CONV_3D and CONV_3D_TRANSPOSE.

Usage (from the repository root; development tooling only, never needed by the
test suite):

    python3 tools/goldens/make_conv3d_cases.py [--root .]

Needs numpy, ai_edge_litert and flatc. TFLiteConverter turns a Keras Conv3D
with bias into CONV_3D + ADD (and leaves activations unfused), so every case
is a one-operator model built with flatc (make_lstm_cases.op_model_bytes)
from seeded weights, run by ai_edge_litert with OpResolverType.BUILTIN_REF.
Written:

  tests/data/goldens/op_conv_3d[_transpose]_f32_<variant>/
      model.tflite, input_0.bin, output_0.bin
  tests/kernels/data/conv3d_errors/<name>.tflite and conv3d_errors.h:
      one-operator models (flatc) prepare must reject, with the expected
      message fragment (read by tests/kernels/test_ops3_ops.c).

Everything is deterministic: rerunning the script reproduces the same bytes.
"""

import argparse
import os
import shutil
import sys
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_lstm_cases import T, op_model_bytes, run_ref, write  # noqa: E402

# name, input shape (NDHWC), filter (fd, fh, fw), out channels, options, bias.
CONV_CASES = [
    ('f32_same_bias', [1, 3, 4, 4, 3], (3, 3, 3), 4, dict(padding='SAME'), True),
    ('f32_valid_s2_relu', [2, 5, 6, 5, 2], (2, 3, 2), 3,
     dict(padding='VALID', stride_d=2, stride_w=2, fused_activation_function='RELU'), True),
    ('f32_same_dilated_nobias', [1, 4, 4, 5, 2], (2, 2, 2), 3,
     dict(padding='SAME', dilation_d_factor=2, dilation_w_factor=3), False),
    ('f32_same_s2_relu6', [1, 4, 6, 4, 2], (3, 2, 3), 2,
     dict(padding='SAME', stride_h=2, stride_w=2, fused_activation_function='RELU6'), True),
    ('f32_valid_dilated_relu_n1', [1, 6, 5, 5, 1], (2, 2, 3), 2,
     dict(padding='VALID', stride_d=2, dilation_d_factor=2, dilation_h_factor=2,
          fused_activation_function='RELU_N1_TO_1'), True),
]

# name, input shape, filter (fd, fh, fw), out channels, output DHW, options, bias.
TRANSPOSE_CASES = [
    ('f32_same_s2_bias', [1, 2, 3, 3, 3], (3, 3, 3), 2, (4, 6, 6),
     dict(padding='SAME', stride_d=2, stride_h=2, stride_w=2), True),
    ('f32_valid_relu', [2, 3, 2, 3, 2], (2, 2, 3), 3, (4, 3, 5),
     dict(padding='VALID', fused_activation_function='RELU'), True),
    ('f32_valid_strided_nobias', [1, 2, 3, 2, 2], (2, 3, 3), 2, (4, 5, 6),
     dict(padding='VALID', stride_d=2, stride_w=3), False),
    ('f32_same_dilated_odd', [1, 3, 3, 2, 2], (2, 3, 2), 2, (5, 3, 3),
     dict(padding='SAME', stride_d=2, stride_w=2, dilation_h_factor=2,
          fused_activation_function='RELU6'), True),
]


def options(kw):
    o = {'padding': 'SAME', 'stride_d': 1, 'stride_h': 1, 'stride_w': 1}
    o.update(kw)
    return o


def flatc_cases(root):
    for variant, shape, k, out_c, kw, bias in CONV_CASES:
        name = 'op_conv_3d_' + variant
        rng = np.random.default_rng(zlib.crc32(name.encode()))
        ins = [T(shape, np.float32),
               T(list(k) + [shape[4], out_c], np.float32,
                 data=(rng.normal(size=list(k) + [shape[4], out_c]) * 0.5).astype(np.float32))]
        if bias:
            ins.append(T([out_c], np.float32, data=rng.normal(size=out_c).astype(np.float32)))
        # The declared output shape is only a placeholder: prepare computes it.
        model = conv_model(132, 'CONV_3D', ins, [shape[0], 1, 1, 1, out_c], options(kw))
        feeds = [rng.normal(size=shape).astype(np.float32)]
        write(root, name, model, feeds, run_ref(model, feeds, invokes=1))
    for variant, shape, k, out_c, dhw, kw, bias in TRANSPOSE_CASES:
        name = 'op_conv_3d_transpose_' + variant
        rng = np.random.default_rng(zlib.crc32(name.encode()))
        out_shape = [shape[0]] + list(dhw) + [out_c]
        ins = [T([5], np.int32, data=out_shape),
               T(list(k) + [out_c, shape[4]], np.float32,
                 data=(rng.normal(size=list(k) + [out_c, shape[4]]) * 0.5).astype(np.float32)),
               T(shape, np.float32)]
        if bias:
            ins.append(T([out_c], np.float32, data=rng.normal(size=out_c).astype(np.float32)))
        model = conv_model(141, 'CONV_3D_TRANSPOSE', ins, out_shape, options(kw))
        feeds = [rng.normal(size=shape).astype(np.float32)]
        write(root, name, model, feeds, run_ref(model, feeds, invokes=1))


def conv_model(code, op, inputs_spec, out_shape, opts):
    """A one-operator float model: inputs_spec is a list of T (data => constant)."""
    tensors = list(inputs_spec) + [T(out_shape, np.float32)]
    inputs = list(range(len(inputs_spec)))
    # deprecated_builtin_code is a byte: codes above 127 store 127 there
    # (PLACEHOLDER_FOR_GREATER_OP_CODES) and the real one in builtin_code.
    return op_model_bytes(op, min(code, 127), 1, tensors, inputs, [len(tensors) - 1],
                          'Conv3DOptions', opts)


def error_cases():
    f32, z = np.float32, np.zeros
    w = T([2, 2, 2, 3, 4], f32, data=z([2, 2, 2, 3, 4]))
    x = T([1, 4, 4, 4, 3], f32)
    same = options({})
    valid = dict(same, padding='VALID')
    tw = T([2, 2, 2, 4, 3], f32, data=z([2, 2, 2, 4, 3]))
    shape5 = T([5], np.int32, data=[1, 5, 5, 5, 4])
    return [
        ('c3d_int8', 'only float32', 132, 'CONV_3D',
         [T([1, 4, 4, 4, 3], np.int8, (0.1, 0)), T([2, 2, 2, 3, 4], np.int8, (0.1, 0),
                                                    z([2, 2, 2, 3, 4]))],
         [1, 4, 4, 4, 4], same),
        ('c3d_channels', 'filter input channels 3', 132, 'CONV_3D',
         [T([1, 4, 4, 4, 2], f32), w], [1, 4, 4, 4, 4], same),
        ('c3d_stride0', 'must be positive', 132, 'CONV_3D', [x, w], [1, 4, 4, 4, 4],
         dict(same, stride_h=0)),
        ('c3d_window', 'does not fit', 132, 'CONV_3D', [x, T([5, 2, 2, 3, 4], f32,
                                                             data=z([5, 2, 2, 3, 4]))],
         [1, 1, 3, 3, 4], valid),
        ('c3d_bias_size', 'bias must be float32 with 4', 132, 'CONV_3D',
         [x, w, T([3], f32, data=z(3))], [1, 4, 4, 4, 4], same),
        ('c3d_rank4', 'must be 5-D', 132, 'CONV_3D',
         [T([4, 4, 4, 3], f32), w], [1, 4, 4, 4, 4], same),
        ('c3dt_shape_mismatch', 'gives 5 windows, expected 4', 141, 'CONV_3D_TRANSPOSE',
         [shape5, tw, T([1, 4, 5, 5, 3], f32)], [1, 5, 5, 5, 4], same),
        ('c3dt_shape_channels', 'does not match batches 1, channels 4', 141, 'CONV_3D_TRANSPOSE',
         [T([5], np.int32, data=[1, 5, 5, 5, 3]), tw, T([1, 5, 5, 5, 3], f32)], [1, 5, 5, 5, 3],
         same),
        ('c3dt_shape_type', 'int32 vector of 5', 141, 'CONV_3D_TRANSPOSE',
         [T([4], np.int32, data=[1, 5, 5, 5]), tw, T([1, 5, 5, 5, 3], f32)], [1, 5, 5, 5, 4],
         same),
    ]


ERRORS_HEADER = """/* SPDX-License-Identifier: Apache-2.0 */
/* conv3d_errors.h — generated by tools/goldens/make_conv3d_cases.py; do not edit. */
/* A model (conv3d_errors/<name>.tflite) whose prepare must fail with a
 * message containing `fragment`. */
static const Ops3ErrorCase conv3d_error_cases[] = {
%s};
"""


def write_error_models(root):
    data_dir = os.path.join(root, 'tests', 'kernels', 'data')
    err_dir = os.path.join(data_dir, 'conv3d_errors')
    if os.path.isdir(err_dir):
        shutil.rmtree(err_dir)
    os.makedirs(err_dir)
    cases = error_cases()
    for name, _, code, op, ins, out_shape, opts in cases:
        with open(os.path.join(err_dir, name + '.tflite'), 'wb') as f:
            f.write(conv_model(code, op, ins, out_shape, opts))
    table = ''.join('    {"%s", "%s"},\n' % c[:2] for c in cases)
    with open(os.path.join(data_dir, 'conv3d_errors.h'), 'w') as f:
        f.write(ERRORS_HEADER % table)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--root', default='.')
    args = ap.parse_args()
    flatc_cases(args.root)
    write_error_models(args.root)


if __name__ == '__main__':
    main()
