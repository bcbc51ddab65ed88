#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden cases of the op x type cells tools/survey_op_types.py
found Spry wrong or missing on: CAST from float32 and float64 to integers
(saturating, NaN to the maximum, across every integer target), QUANTIZE
requantizing int8 and uint8 to int16, ROUND on float16 and bfloat16
(extreme values included); and the error models of RELU, RELU6
and LEAKY_RELU on float16, which TFLite's kernels refuse, NOT_EQUAL on
int16 without quantization (TFLite's kernel writes no output) and int16
PRELU with an int16 alpha (TFLite's kernel reads the alpha as int8).

Usage (from the repository root; development tooling only, never needed by the
test suite):

    python3 tools/goldens/make_type_gap3_cases.py [--root .] [--only NAME,...]

Needs numpy, ml_dtypes, ai_edge_litert and flatc. Each case is a one-operator
model built with make_misc_cases.model_bytes (flatc from JSON), run with
ai_edge_litert's BUILTIN_REF resolver (ROUND, which it does not register:
with TFLite's builtin kernels, no delegate), whose results Spry's must match
bit for bit. Written to tests/data/goldens/op_<case>/ {model.tflite,
input_<i>.bin, output_<i>.bin}; every case must be listed in
tests/engine/meson.build (the group under "cells found by the type
survey"); the script prints the names. The error models go to
tests/kernels/data/type_gap3_errors/<name>.tflite, listed with the expected
message fragment in tests/kernels/data/type_gap3_errors.h for
tests/kernels/test_type_gaps.c. Deterministic: rerunning reproduces the same
bytes.
"""

import os
import sys

import numpy as np
from ai_edge_litert.interpreter import Interpreter, OpResolverType

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_type_gap2_cases as tg2  # noqa: E402
import make_misc_cases as mm  # noqa: E402
import make_reduce_cases as mr  # noqa: E402
import make_type_gap_cases as tg  # noqa: E402

T = tg.T
f16, f32, f64 = np.float16, np.float32, np.float64
u8, s8, s16, u16, s32, u32, s64, b = (np.uint8, np.int8, np.int16, np.uint16, np.int32,
                                      np.uint32, np.int64, np.bool_)

CASES = []
WORD = {f32: 'f32', f64: 'f64', u8: 'u8', s8: 's8', s16: 's16', u16: 'u16', s32: 's32',
        u32: 'u32', s64: 's64'}

# Values past every integer range, NaNs, infinities and signed zeros, then
# fractions either side of zero and of the unsigned types' bounds.
CAST_EDGES = [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 9.3e18, -9.3e18, 5e9, -5e9,
              4294967295.0, 70000.5, -70000.5, 65535.75, 300.7, 255.5, 127.9, -128.9, -0.99,
              0.99, -1.5, 2.5, -3.3, 1e-30]


REF_ONLY = mm.run_ref


def run_ref_or_builtin(model, feeds):
    """The reference kernels' outputs, or for the ops BUILTIN_REF does not
    register, those of TFLite's builtin kernels (no delegate: XNNPACK takes
    types the kernels do not)."""
    try:
        Interpreter(model_content=model,
                    experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    except ValueError as e:
        if "Didn't find op" not in str(e):
            raise
        return mr.run_optimized(model, feeds)
    return REF_ONLY(model, feeds)


mm.run_ref = run_ref_or_builtin


def define_cases():
    for src in (f32, f64):
        for dst in (u8, s8, s16, u16, s32, u32, s64):
            name = 'cast_%s_%s_saturate' % (WORD[src], WORD[dst])
            x = np.array(CAST_EDGES, src)
            tg.case(name, 'CAST', 9 if dst in (u16, u32) else 1,
                    [T([len(x)], src)], T([len(x)], dst), feeds=[x])
    for src, q in ((s8, (0.05, -3)), (u8, (0.03, 120))):
        name = 'quantize_%s_s16' % WORD[src]
        x = tg.all_codes(src)
        tg.case(name, 'QUANTIZE', 2, [T([len(x)], src, *q)], T([len(x)], s16, 0.002, 0),
                feeds=[x])
    tg2.unary('ROUND', f16)
    tg2.unary('ROUND', tg.bf16)
    CASES.extend(tg.CASES)


def error_cases():
    """(name, message fragment, op, version, ins, outs, opt_type, opts)."""
    half = [T([2, 3], f16)]
    plain16 = [T([2, 3], s16), T([3], s16)]
    return [
        ('not_equal_s16_plain', 'int16 inputs without quantization are not supported',
         'NOT_EQUAL', 4, plain16, [T([2, 3], b)], None, None),
        ('prelu_s16_alpha_s16', 'input, alpha and output types must be int16, int8, int16',
         'PRELU', 1, [T([2, 3], s16, 0.002, 0), T([3], s16, 0.002, 0)], [T([2, 3], s16, 0.002, 0)],
         None, None),
        ('relu_f16', 'float16 input is not supported', 'RELU', 3, half, half, None, None),
        ('relu6_f16', 'float16 input is not supported', 'RELU6', 3, half, half, None, None),
        ('leaky_relu_f16', 'float16 input is not supported', 'LEAKY_RELU', 2, half, half,
         'LeakyReluOptions', {'alpha': 0.2}),
    ]


ERRORS_HEADER = tg.ERRORS_HEADER.replace('make_type_gap_cases', 'make_type_gap3_cases') \
    .replace('type_gap_errors', 'type_gap3_errors').replace('TypeGapErrorCase', 'TypeGap3ErrorCase') \
    .replace('type_gap_error_cases', 'type_gap3_error_cases')


if __name__ == '__main__':
    tg2.generate(__doc__, define_cases, CASES, error_cases, 'type_gap3_errors', ERRORS_HEADER)
