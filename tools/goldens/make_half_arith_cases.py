#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden cases of float16 arithmetic (ADD, MUL, SOFTMAX, GELU)
and of FULLY_CONNECTED with int16 activations and int16 weights.

Usage (from the repository root; development tooling only, never needed by the
test suite):

    python3 tools/goldens/make_half_arith_cases.py [--root .] [--only NAME,...]

Needs numpy, ml_dtypes, ai_edge_litert and flatc. Each case is a one-operator
model built with make_misc_cases.model_bytes (flatc from JSON), run with
ai_edge_litert's BUILTIN_REF resolver, whose results Spry's must match bit
for bit. The float16 cases feed the extreme values of make_type_gap2_cases
(signed zeros, subnormals, 65504, infinities, NaNs) next to random ones, and
sums and products past 65504, which TFLite saturates at 65504 (its
activation range on Eigen::half is finite). The 16x16 FULLY_CONNECTED cases
cover per-tensor and per-channel weights, no bias, an int32 bias and an
int64 bias (which TFLite's kernel reads as int32 words), a weights zero
point, keep_num_dims and several batches. Written to
tests/data/goldens/op_<case>/{model.tflite, input_<i>.bin, output_<i>.bin};
every case must be listed in tests/engine/meson.build (the group under
"float16 arithmetic and 16x16 FULLY_CONNECTED"); the script prints the
names. Models whose prepare must fail (bfloat16, which TFLite's kernels
refuse when invoked, and versions past the newest TFLite defines) go to
tests/kernels/data/half_arith_errors/<name>.tflite, listed with the
expected message fragment in tests/kernels/data/half_arith_errors.h for
tests/kernels/test_type_gaps.c. Deterministic: rerunning reproduces the same
bytes.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_misc_cases as mm  # noqa: E402
import make_type_gap2_cases as tg2  # noqa: E402
import make_type_gap_cases as tg  # noqa: E402

T, bf16 = tg.T, tg.bf16
f16, s16, s32, s64 = np.float16, np.int16, np.int32, np.int64

CASES = []
OPTIONS = {'ADD': 'AddOptions', 'MUL': 'MulOptions', 'SOFTMAX': 'SoftmaxOptions',
           'GELU': 'GeluOptions', 'FULLY_CONNECTED': 'FullyConnectedOptions'}


def case(name, op, version, ins, outs, opts, feeds):
    CASES.append(dict(name=name, op=op, version=version, ins=ins, outs=outs,
                      opt_type=OPTIONS[op], opts=opts, feeds=feeds, kinds=None))


def overflow_pairs(name, count):
    """Operands whose sum or product leaves the float16 range, and the
    invalid operations inf - inf and 0 * inf."""
    rng = mm.rng_for(name)
    big = rng.uniform(30000, 65504, count).astype(f16)
    sign = np.where(rng.integers(0, 2, count) == 1, 1, -1).astype(f16)
    x, y = big * sign, rng.uniform(1.5, 60000, count).astype(f16) * sign
    x[:4] = [np.inf, np.inf, 0.0, -np.inf]
    y[:4] = [-np.inf, 1.0, np.inf, -1.0]
    return x, y


def binary_cases(op):
    """Same shape with the extremes (no activation and each fused one), a
    broadcast, and overflow."""
    low = op.lower()
    for act in ('NONE', 'RELU', 'RELU6', 'RELU_N1_TO_1'):
        name = '%s_f16_%s' % (low, act.lower())
        x = tg2.half_values(f16, name, 64)
        y = tg2.half_values(f16, name + '_rhs', 64)[::-1].copy()
        case(name, op, 1, [T([64], f16), T([64], f16)], [T([64], f16)],
             {'fused_activation_function': act}, [x, y])
    name = '%s_f16_broadcast' % low
    x = tg2.half_values(f16, name, 2 * 3 * 4 * 5).reshape(2, 1, 3, 4, 5)
    y = tg2.half_values(f16, name + '_rhs', 6 * 5)[::-1].reshape(6, 1, 1, 5).copy()
    case(name, op, 2, [T([2, 1, 3, 4, 5], f16), T([6, 1, 1, 5], f16)],
         [T([2, 6, 3, 4, 5], f16)], {'fused_activation_function': 'RELU6'}, [x, y])
    name = '%s_f16_overflow' % low
    x, y = overflow_pairs(name, 32)
    case(name, op, 1, [T([32], f16), T([32], f16)], [T([32], f16)], {}, [x, y])


def softmax_cases():
    rng = mm.rng_for('softmax_f16')
    rows = (rng.normal(size=(6, 16)) * 4).astype(f16)
    rows[1, 3] = np.inf          # one infinity: NaN from inf - inf
    rows[2, :] = -np.inf         # a row of -inf
    rows[3, 5] = np.nan
    rows[4, :] = 65504           # equal, largest values
    rows[5, 7] = -np.inf
    case('softmax_f16_beta1', 'SOFTMAX', 1, [T([6, 16], f16)], [T([6, 16], f16)],
         {'beta': 1.0}, [rows])
    x = (rng.normal(size=(2, 2, 3, 8)) * 6).astype(f16)
    case('softmax_f16_beta05_4d', 'SOFTMAX', 2, [T([2, 2, 3, 8], f16)],
         [T([2, 2, 3, 8], f16)], {'beta': 0.5}, [x])
    # Signed zeros, subnormals, the smallest normal and small numbers.
    x = tg2.half_values(f16, 'softmax_f16_1d', 24)[[0, 1, 2, 3, 4, 5, 14, 15, 16, 17, 18]]
    x = np.concatenate([x, (rng.normal(size=21) * 3).astype(f16)])
    case('softmax_f16_1d', 'SOFTMAX', 3, [T([32], f16)], [T([32], f16)], {'beta': 1.0}, [x])


def gelu_cases():
    """Every 16th float16 code: each step of TFLite's float16 GELU rounds."""
    codes = np.arange(0, 65536, 16, dtype=np.uint16).view(f16)
    for approximate in (False, True):
        name = 'gelu_f16_%s' % ('approximate' if approximate else 'exact')
        case(name, 'GELU', 1 + approximate, [T([4096], f16)], [T([4096], f16)],
             {'approximate': approximate}, [codes])


def fc(name, version, batches, depth, units, weight_scale, bias=None, weight_zp=0,
       in_shape=None, opts=None, out_scale=0.05, big=False):
    """int16 x int16 FULLY_CONNECTED; `bias` is None or the bias type."""
    rng = mm.rng_for(name)
    per_channel = np.ndim(weight_scale) > 0
    limit = 32768 if big else 3000
    w = rng.integers(-limit, limit, (units, depth))
    zp = [weight_zp] * units if per_channel else weight_zp
    ins = [T(in_shape or [batches, depth], s16, 0.01, 0), T([units, depth], s16, weight_scale,
                                                            zp, data=w)]
    if bias is not None:
        scales = [float(np.float32(0.01) * np.float32(s)) for s in np.atleast_1d(weight_scale)]
        span = 10 ** 6
        ins.append(T([units], bias, scales if per_channel else scales[0],
                     [0] * units if per_channel else 0,
                     data=rng.integers(-span, span, units)))
    shape = in_shape or [batches, depth]
    x = rng.integers(-limit, limit, shape).astype(s16)
    opts = dict(opts or {})
    out_shape = shape[:-1] + [units] if opts.get('keep_num_dims') else [batches, units]
    case(name, 'FULLY_CONNECTED', version, ins, [T(out_shape, s16, out_scale, 0)], opts, [x])


def fc_cases():
    channel_scales = [0.001, 0.0025, 0.004, 0.0005, 0.003]
    fc('fully_connected_s16x16_no_bias', 1, 3, 16, 5, 0.002)
    fc('fully_connected_s16x16_bias64', 7, 4, 24, 6, 0.002, bias=s64)
    fc('fully_connected_s16x16_bias32_relu', 11, 2, 16, 5, 0.002, bias=s32,
       opts={'fused_activation_function': 'RELU'}, out_scale=0.01)
    fc('fully_connected_s16x16_per_channel', 13, 3, 20, 5, channel_scales, bias=s32)
    fc('fully_connected_s16x16_per_channel_bias64', 1, 2, 12, 5, channel_scales, bias=s64)
    fc('fully_connected_s16x16_weight_zp', 7, 3, 16, 4, 0.002, weight_zp=-32768, big=True,
       out_scale=500.0)
    fc('fully_connected_s16x16_keep_dims', 11, 6, 16, 5, 0.002, bias=s64, in_shape=[2, 3, 16],
       opts={'keep_num_dims': True})
    fc('fully_connected_s16x16_saturate', 13, 4, 64, 6, 0.002, big=True, out_scale=1.0)


def define_cases():
    binary_cases('ADD')
    binary_cases('MUL')
    softmax_cases()
    gelu_cases()
    fc_cases()


def error_cases():
    """(name, message fragment, op, version, ins, outs, opt_type, opts)."""
    def unary(name, fragment, op, version, dtype, opts):
        return (name, fragment, op, version, [T([4], dtype)], [T([4], dtype)], OPTIONS[op], opts)

    def binary(name, fragment, op, version, dtype):
        return (name, fragment, op, version, [T([4], dtype), T([4], dtype)], [T([4], dtype)],
                OPTIONS[op], {})
    fc16 = [T([2, 4], s16, 0.01, 0), T([3, 4], s16, 0.002, 0, data=np.ones((3, 4)))]
    return [
        binary('add_bf16', 'type bfloat16 is not supported', 'ADD', 1, bf16),
        binary('mul_bf16', 'type bfloat16 is not supported', 'MUL', 7, bf16),
        unary('softmax_bf16', 'bfloat16 input with bfloat16 output is not supported', 'SOFTMAX',
              1, bf16, {'beta': 1.0}),
        unary('gelu_bf16', 'bfloat16 input is not supported', 'GELU', 2, bf16, {}),
        binary('add_f16_v7', 'ADD version 7 is newer than supported (max 6)', 'ADD', 7, f16),
        binary('mul_f16_v9', 'MUL version 9 is newer than supported (max 8)', 'MUL', 9, f16),
        unary('softmax_f16_v5', 'SOFTMAX version 5 is newer than supported (max 4)', 'SOFTMAX',
              5, f16, {'beta': 1.0}),
        unary('gelu_f16_v4', 'GELU version 4 is newer than supported (max 3)', 'GELU', 4, f16,
              {}),
        ('fully_connected_s16x16_v15', 'FULLY_CONNECTED version 15 is newer than supported',
         'FULLY_CONNECTED', 15, fc16, [T([2, 3], s16, 0.05, 0)], OPTIONS['FULLY_CONNECTED'], {}),
        ('fully_connected_s16x16_input_zp', 'input zero point 3 is outside [0, 0] for int16',
         'FULLY_CONNECTED', 7, [T([2, 4], s16, 0.01, 3)] + fc16[1:], [T([2, 3], s16, 0.05, 0)],
         OPTIONS['FULLY_CONNECTED'], {}),
    ]


ERRORS_HEADER = tg.ERRORS_HEADER.replace('make_type_gap_cases', 'make_half_arith_cases') \
    .replace('type_gap_errors', 'half_arith_errors') \
    .replace('TypeGapErrorCase', 'HalfArithErrorCase') \
    .replace('type_gap_error_cases', 'half_arith_error_cases')


if __name__ == '__main__':
    tg2.generate(__doc__, define_cases, CASES, error_cases, 'half_arith_errors', ERRORS_HEADER)
