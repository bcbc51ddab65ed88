#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden cases of the 16-bit float and float64 cells that
make_type_gap_cases.py leaves out: float16 and bfloat16 math (NEG, FLOOR,
SIN, COS, TANH, LOGISTIC), comparisons and MAXIMUM/MINIMUM, and SIGN on
float64, each fed the extreme values (signed zeros, subnormals, the largest
finite values, infinities, NaNs with and without payload) next to random
ones.

Usage (from the repository root; development tooling only, never needed by the
test suite):

    python3 tools/goldens/make_type_gap2_cases.py [--root .] [--only NAME,...]

Needs numpy, ml_dtypes, ai_edge_litert and flatc. Each case is a one-operator
model built with make_misc_cases.model_bytes (flatc from JSON), run with
ai_edge_litert's BUILTIN_REF resolver, whose results Spry's must match bit
for bit (16-bit floats included). Written to tests/data/goldens/op_<case>/
{model.tflite, input_<i>.bin, output_<i>.bin}; every case must be listed in
tests/engine/meson.build (the group under "16-bit float and float64
cells"); the script prints the names. Models whose prepare must fail (types
TFLite's kernels refuse, some only when invoked) go to tests/kernels/data/type_gap2_errors/
<name>.tflite, listed with the expected message fragment in
tests/kernels/data/type_gap2_errors.h for tests/kernels/test_type_gaps.c.
Deterministic: rerunning reproduces the same bytes.
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_misc_cases as mm  # noqa: E402
import make_type_gap_cases as tg  # noqa: E402

T, bf16 = tg.T, tg.bf16
f16, f32, f64, b, s8 = np.float16, np.float32, np.float64, np.bool_, np.int8


# Bit patterns every 16-bit float case starts with: +-0, the smallest and
# largest subnormals, the smallest normal, the largest finite values, +-inf,
# the quiet NaN, a NaN with a payload and a signalling NaN, both signs.
F16_EXTREMES = [0x0000, 0x8000, 0x0001, 0x8001, 0x03ff, 0x0400, 0x7bff, 0xfbff, 0x7c00, 0xfc00,
                0x7e00, 0xfe00, 0x7e01, 0x7c01, 0x3c00, 0xbc00, 0x3800, 0x4100, 0xc100]
BF16_EXTREMES = [0x0000, 0x8000, 0x0001, 0x8001, 0x007f, 0x0080, 0x7f7f, 0xff7f, 0x7f80, 0xff80,
                 0x7fc0, 0xffc0, 0x7fc1, 0x7f81, 0x3f80, 0xbf80, 0x3f00, 0x4020, 0xc020]


def half_values(dtype, name, count):
    """`count` values of a 16-bit float type: the extremes, then random ones
    (normal, times 4), then random bit patterns."""
    bits = F16_EXTREMES if dtype == f16 else BF16_EXTREMES
    rng = mm.rng_for(name)
    rest = count - len(bits)
    normal = (rng.normal(size=rest - rest // 4) * 4).astype(dtype).view(np.uint16)
    raw = rng.integers(0, 65536, size=rest // 4).astype(np.uint16)
    return np.concatenate([np.array(bits, np.uint16), normal, raw]).view(dtype)


CASES = []
WORD = {f16: 'f16', bf16: 'bf16'}


def unary(op, dtype, opt_type=None, opts=None):
    name = '%s_%s_extremes' % (op.lower(), WORD[dtype])
    x = half_values(dtype, name, 64)
    tg.CASES.append(dict(name=name, op=op, version=1, ins=[T([64], dtype)],
                         outs=[T([64], dtype)], opt_type=opt_type, opts=opts, feeds=[x],
                         kinds=None))


def binary(op, dtype, out_dtype=None):
    """A [4, 16] x [16] broadcast; the second row repeats the second input,
    so that equal values (and NaN against NaN) are compared too."""
    name = '%s_%s_extremes' % (op.lower(), WORD[dtype])
    x = half_values(dtype, name, 64).reshape(4, 16)
    y = half_values(dtype, name + '_rhs', 35)[-16:]
    y[:3] = np.array([0x7e00 if dtype == f16 else 0x7fc0, 0x8000, 0x0000], np.uint16).view(dtype)
    x[1] = y
    tg.CASES.append(dict(name=name, op=op, version=1, ins=[T([4, 16], dtype), T([16], dtype)],
                         outs=[T([4, 16], out_dtype or dtype)], opt_type=None, opts=None,
                         feeds=[x, y], kinds=None))


def define_cases():
    for dtype in (f16, bf16):
        for op in ('NEG', 'FLOOR', 'TANH', 'LOGISTIC'):
            unary(op, dtype)
        for op in ('MAXIMUM', 'MINIMUM'):
            binary(op, dtype)
        for op in ('LESS', 'GREATER'):
            binary(op, dtype, b)
    for op in ('SIN', 'COS'):
        unary(op, f16)
    for op in ('EQUAL', 'NOT_EQUAL', 'LESS_EQUAL', 'GREATER_EQUAL'):
        binary(op, f16, b)
    x = np.array([0.0, -0.0, np.nan, -np.nan, np.inf, -np.inf, 5e-324, -5e-324,
                  2.2250738585072014e-308, -1.7976931348623157e308, 1.7976931348623157e308,
                  0.5, -0.5, 3.0, -7.25, 1e-300], f64)
    tg.CASES.append(dict(name='sign_f64_extremes', op='SIGN', version=2,
                         ins=[T([16], f64)], outs=[T([16], f64)], opt_type=None, opts=None,
                         feeds=[x], kinds=None))
    CASES.extend(tg.CASES)


def error_cases():
    """(name, message fragment, op, version, ins, outs, opt_type, opts)."""
    half2 = [T([2, 3], bf16), T([2, 3], bf16)]
    return [
        ('equal_bf16', 'type bfloat16 is not supported', 'EQUAL', 1, half2, [T([2, 3], b)],
         None, None),
        ('not_equal_bf16', 'type bfloat16 is not supported', 'NOT_EQUAL', 1, half2,
         [T([2, 3], b)], None, None),
        ('greater_equal_bf16', 'type bfloat16 is not supported', 'GREATER_EQUAL', 1, half2,
         [T([2, 3], b)], None, None),
        ('sin_bf16', 'bfloat16 input is not supported', 'SIN', 1, [T([4], bf16)],
         [T([4], bf16)], None, None),
        ('sign_f16', 'float16 input is not supported', 'SIGN', 1, [T([4], f16)], [T([4], f16)],
         None, None),
        ('abs_f16', 'float16 input is not supported', 'ABS', 1, [T([4], f16)], [T([4], f16)],
         None, None),
        ('exp_bf16', 'bfloat16 input is not supported', 'EXP', 1, [T([4], bf16)],
         [T([4], bf16)], None, None),
        ('neg_f64', 'float64 input is not supported', 'NEG', 1, [T([4], f64)], [T([4], f64)],
         None, None),
        ('tanh_f64', 'type float64 is not supported', 'TANH', 1, [T([4], f64)], [T([4], f64)],
         None, None),
        ('maximum_f64', 'type float64 is not supported', 'MAXIMUM', 1,
         [T([4], f64), T([4], f64)], [T([4], f64)], None, None),
    ]


ERRORS_HEADER = tg.ERRORS_HEADER.replace('make_type_gap_cases', 'make_type_gap2_cases') \
    .replace('type_gap_errors', 'type_gap2_errors').replace('TypeGapErrorCase', 'TypeGap2ErrorCase') \
    .replace('type_gap_error_cases', 'type_gap2_error_cases')


def generate(doc, define, cases, errors, folder, header):
    """The command line of a case script: defines the cases (filling
    `cases`), writes the goldens (those of --only, else all and the error
    models to tests/kernels/data/<folder>/) and prints the case names."""
    ap = argparse.ArgumentParser(description=doc.split('\n')[0])
    ap.add_argument('--root', default='.', help='repository root')
    ap.add_argument('--only', default='', help='comma-separated case names to write')
    args = ap.parse_args()
    define()
    only = set(filter(None, args.only.split(',')))
    for c in cases:
        if only and c['name'] not in only:
            continue
        model, feeds, outs = tg.run_case(c)
        mm.write_golden(args.root, c['name'], model, feeds, outs)
    written = 0 if only else tg.write_error_models(args.root, errors(), folder, header)
    print('wrote %d goldens, %d error models' % (len(only) or len(cases), written))
    print('\n'.join("  'op_%s'," % c['name'] for c in cases))


if __name__ == '__main__':
    generate(__doc__, define_cases, CASES, error_cases, 'type_gap2_errors', ERRORS_HEADER)
