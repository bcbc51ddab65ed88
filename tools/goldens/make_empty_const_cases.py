#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes golden cases whose model holds a zero-element constant tensor.

Usage (from the repository root; development tooling only):

    python3 tools/goldens/make_empty_const_cases.py [--root .]

TFLite reads a tensor whose buffer index is not 0 and whose buffer holds no
bytes as constant when it has no elements: an empty axis list for MEAN or SUM
(reducing over no axes copies the input, requantized for MEAN) or an empty
shape for RESHAPE (a scalar). Each model is built with
make_misc_cases.model_bytes (flatc against a copy of the schema), run with
ai_edge_litert's BUILTIN_REF resolver on fixed-seed inputs, and written to
tests/data/goldens/op_<case>/{model.tflite, input_0.bin, output_0.bin}.
Cases named *_nodata drop the buffer's data vector altogether instead of
storing an empty one. Deterministic. Prints the golden_op_cases lines.
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_misc_cases as mm  # noqa: E402
from make_misc_cases import T  # noqa: E402

f32, s8, u8, s16, i32 = np.float32, np.int8, np.uint8, np.int16, np.int32


def cases():
    """(name, op, version, tensors, options type, options, drop data vector)."""
    empty = T([0], i32, data=[])
    return [
        ('mean_f32_empty_axis', 'MEAN', 1, [T([2, 3, 4], f32), empty, T([2, 3, 4], f32)],
         'ReducerOptions', {'keep_dims': False}, False),
        ('mean_s8_empty_axis_rescale', 'MEAN', 2,
         [T([3, 5], s8, 0.05, -3), empty, T([3, 5], s8, 0.1, 4)],
         'ReducerOptions', {'keep_dims': True}, False),
        ('mean_u8_empty_axis_rescale', 'MEAN', 1,
         [T([2, 7], u8, 0.02, 120), empty, T([2, 7], u8, 0.03, 100)],
         'ReducerOptions', {'keep_dims': False}, False),
        ('mean_s16_empty_axis_rescale', 'MEAN', 3,
         [T([4, 3], s16, 0.001, 0), empty, T([4, 3], s16, 0.0007, 0)],
         'ReducerOptions', {'keep_dims': False}, False),
        ('sum_f32_empty_axis_nodata', 'SUM', 1, [T([4, 2], f32), empty, T([4, 2], f32)],
         'ReducerOptions', {'keep_dims': False}, True),
        ('reshape_u8_empty_shape', 'RESHAPE', 1,
         [T([1, 1, 1], u8, 0.5, 3), empty, T([], u8, 0.5, 3)], None, None, False),
    ]


def build(name, op, version, tensors, opt_type, opts, nodata):
    """The model bytes; with `nodata`, empty buffers are written as tables
    without a data vector (make_misc_cases writes an empty vector)."""
    if not nodata:
        return mm.model_bytes(op, version, tensors, [0, 1], [2], opt_type, opts)
    dump = mm.json.dump

    def dump_without_empty_data(m, f):
        m['buffers'] = [{} if b.get('data') == [] else b for b in m['buffers']]
        dump(m, f)

    mm.json.dump = dump_without_empty_data
    try:
        return mm.model_bytes(op, version, tensors, [0, 1], [2], opt_type, opts)
    finally:
        mm.json.dump = dump


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--root', default='.')
    args = ap.parse_args()
    names = []
    for name, op, version, tensors, opt_type, opts, nodata in cases():
        model = build(name, op, version, tensors, opt_type, opts, nodata)
        x = mm.random_data(mm.rng_for(name), tensors[0])
        (y,) = mm.run_ref(model, [x])
        d = os.path.join(args.root, 'tests', 'data', 'goldens', 'op_' + name)
        os.makedirs(d, exist_ok=True)
        open(os.path.join(d, 'model.tflite'), 'wb').write(model)
        open(os.path.join(d, 'input_0.bin'), 'wb').write(np.ascontiguousarray(x).tobytes())
        open(os.path.join(d, 'output_0.bin'), 'wb').write(np.ascontiguousarray(y).tobytes())
        names.append('op_' + name)
        print('%s: in %s out %s %s' % (name, x.shape, y.shape, y.flatten()[:6]), file=sys.stderr)
    for n in names:
        print("  '%s'," % n)


if __name__ == '__main__':
    main()
