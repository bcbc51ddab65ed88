#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes golden cases for the int16x8 model edges that TFLite Micro's
"seanet" conformance vectors (../shared/conformance/seanet) exercise, so that
the in-repository suite covers them too: QUANTIZE between int32 and int16 in
both directions, and TRANSPOSE_CONV whose output_shape is a graph input
rather than a constant.

Usage (from the repository root; development tooling only):

    python3 tools/goldens/make_int16_io_cases.py [--root .]

Models are built with make_misc_cases.model_bytes (flatc against a copy of
the schema), run with ai_edge_litert's BUILTIN_REF resolver on fixed-seed
inputs, and written to tests/data/goldens/op_<case>/{model.tflite,
input_<i>.bin, output_<i>.bin}. Prints the golden_op_cases lines.
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_misc_cases as mm  # noqa: E402
from make_misc_cases import T  # noqa: E402

s8, s16, i32, i64 = np.int8, np.int16, np.int32, np.int64


def quantize_cases(rng):
    """int32 (scale 2^-23, as the vectors use) <-> int16."""
    # Mostly inside int16's range after rescaling, plus saturating extremes.
    x32 = rng.integers(-2 ** 28, 2 ** 28, size=[2, 3, 8], dtype=np.int64).astype(i32)
    x32.flat[:2] = [-2 ** 31, 2 ** 31 - 1]
    x16 = rng.integers(-2 ** 15, 2 ** 15, size=[2, 3, 8], dtype=np.int64).astype(s16)
    return [
        ('quantize_s32_s16', 'QUANTIZE', 2,
         [T([2, 3, 8], i32, 2.0 ** -23, 0), T([2, 3, 8], s16, 0.00092, 0)], [0], [1], None, None,
         [x32]),
        ('quantize_s16_s32', 'QUANTIZE', 2,
         [T([2, 3, 8], s16, 0.00049, 0), T([2, 3, 8], i32, 2.0 ** -23, 0)], [0], [1], None, None,
         [x16]),
    ]


def tconv_case(rng):
    """int16x8 TRANSPOSE_CONV, SAME, stride 2, output_shape fed at run time."""
    out_c, in_c, k = 3, 4, 3
    ws = rng.uniform(0.002, 0.006, out_c).astype(np.float32)
    w = rng.integers(-127, 128, size=[out_c, k, k, in_c]).astype(s8)
    bias = rng.integers(-3000, 3001, size=[out_c]).astype(i64)
    in_scale = 0.0009
    tensors = [
        T([4], i32),
        T([out_c, k, k, in_c], s8, list(ws), [0] * out_c, data=w),
        T([1, 2, 5, in_c], s16, in_scale, 0),
        T([out_c], i64, [float(np.float32(in_scale) * s) for s in ws], [0] * out_c, data=bias),
        T([1, 4, 10, out_c], s16, 0.0011, 0),
    ]
    shape = np.array([1, 4, 10, out_c], i32)
    x = rng.integers(-2 ** 15, 2 ** 15, size=[1, 2, 5, in_c], dtype=np.int64).astype(s16)
    opts = {'padding': 'SAME', 'stride_w': 2, 'stride_h': 2}
    return [('transpose_conv_s16_shape_input', 'TRANSPOSE_CONV', 3, tensors, [0, 1, 2, 3], [4],
             'TransposeConvOptions', opts, [shape, x])]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--root', default='.')
    args = ap.parse_args()
    rng = np.random.default_rng(1616)
    names = []
    for name, op, version, tensors, inputs, outputs, opt_type, opts, feeds in (
            quantize_cases(rng) + tconv_case(rng)):
        model = mm.model_bytes(op, version, tensors, inputs, outputs, opt_type, opts)
        results = mm.run_ref(model, feeds)
        d = os.path.join(args.root, 'tests', 'data', 'goldens', 'op_' + name)
        os.makedirs(d, exist_ok=True)
        open(os.path.join(d, 'model.tflite'), 'wb').write(model)
        for i, x in enumerate(feeds):
            open(os.path.join(d, 'input_%d.bin' % i), 'wb').write(np.ascontiguousarray(x).tobytes())
        for i, y in enumerate(results):
            open(os.path.join(d, 'output_%d.bin' % i), 'wb').write(
                np.ascontiguousarray(y).tobytes())
        names.append('op_' + name)
        print('%s: %s %s' % (name, results[0].shape, results[0].flatten()[:6]), file=sys.stderr)
    for n in names:
        print("  '%s'," % n)


if __name__ == '__main__':
    main()
