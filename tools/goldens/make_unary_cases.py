#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden cases of the unary and activation ops: RELU, RELU6,
RELU_N1_TO_1, RELU_0_TO_1, LEAKY_RELU, PRELU, ELU, HARD_SWISH, GELU,
LOGISTIC, TANH, EXP, LOG, SQRT, RSQRT, ABS, NEG, SQUARE, SIN, COS, FLOOR,
CEIL, ROUND, SIGN and CAST.

Usage (from the repository root; development tooling only, never needed by the
test suite):

    python3 tools/goldens/make_unary_cases.py [--root .] [--list]

Needs numpy, ai_edge_litert and flatc. Models are built with the one-operator
builder of make_misc_cases.py (flatc from JSON) and run with ai_edge_litert's
BUILTIN_REF resolver. Each case becomes tests/data/goldens/op_<name>/
{model.tflite, input_0.bin, output_0.bin}; --list prints the names to register
in tests/engine/meson.build. Models whose prepare must fail go to
tests/kernels/data/unary_errors/<name>.tflite, listed with the expected
message fragment in tests/kernels/data/unary_errors.h (test_unary_ops.c).

Coverage: every type each op takes (float32; uint8/int8/int16 quantized where
TFLite quantizes the op; plain int16/32/64 and bool where it computes on
integers), all 256 codes of 8-bit inputs for the table-driven and
fixed-point kernels, requantization with scale ratios above and below 1,
power-of-two and general int16 scales, PRELU alpha broadcasting, float
specials (NaN, infinities, signed zeros, .5 ties) and CAST wrap-around.
Deterministic: rerunning reproduces the same bytes.
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_misc_cases  # noqa: E402
from make_misc_cases import T, model_bytes, rng_for, run_case, write_golden  # noqa

make_misc_cases.TFL_TYPE[np.bool_] = 'BOOL'

u8, s8, s16, s32, s64, f32 = np.uint8, np.int8, np.int16, np.int32, np.int64, np.float32
SPECIALS = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 0.5, -0.5, 1.5, -2.5, 2.5, 1e-30, -1e30],
                    f32)
CASES = []


def case(name, op, version, ins, out, opt_type=None, opts=None, feeds=None):
    CASES.append(dict(name=name, op=op, version=version, ins=ins, out=out, opt_type=opt_type,
                      opts=opts, feeds=feeds))


def all_codes(dtype, shape=(256,)):
    info = np.iinfo(dtype)
    return np.arange(info.min, info.max + 1, dtype=np.int64).astype(dtype).reshape(shape)


def floats(name, shape, lo=None, hi=None, specials=True):
    rng = rng_for(name)
    x = (rng.normal(size=int(np.prod(shape))) * 3).astype(f32)
    if lo is not None:
        x = rng.uniform(lo, hi, size=x.size).astype(f32)
    if specials:
        x[:len(SPECIALS)] = SPECIALS
    return x.reshape(shape)


def unary(name, op, version, dtype, shape=(4, 8), qi=(None, None), qo=None, opt_type=None,
          opts=None, feed=None, out_dtype=None):
    qo = qi if qo is None else qo
    case(name, op, version, [T(shape, dtype, *qi)], T(shape, out_dtype or dtype, *qo), opt_type,
         opts, [feed] if feed is not None else None)


def float_case(name, op, shape=(2, 12), lo=None, hi=None, specials=True, **kw):
    unary(name, op, 1, f32, shape, feed=floats(name, shape, lo, hi, specials), **kw)


def define_relu_family():
    for op, v8 in (('RELU', 2), ('RELU6', 2), ('RELU_N1_TO_1', 1), ('RELU_0_TO_1', 1)):
        low = op.lower()
        float_case('%s_f32' % low, op)
        unary('%s_u8_rescale' % low, op, 1, u8, (256,), (0.05, 120), (0.03, 10),
              feed=all_codes(u8))
        unary('%s_s8_downscale' % low, op, v8, s8, (256,), (0.02, -3), (0.05, -128),
              feed=all_codes(s8))
    unary('relu_s16', 'RELU', 3, s16, (4, 16), (0.001, 0), (0.0007, 0))
    unary('relu6_s16', 'RELU6', 3, s16, (4, 16), (0.0004, 0), (6.0 / 32767, 0))
    opts = {'alpha': 0.2}
    float_case('leaky_relu_f32', 'LEAKY_RELU', opt_type='LeakyReluOptions', opts=opts)
    unary('leaky_relu_u8', 'LEAKY_RELU', 1, u8, (256,), (0.1, 128), (0.06, 100),
          'LeakyReluOptions', {'alpha': 0.3}, all_codes(u8))
    unary('leaky_relu_s8', 'LEAKY_RELU', 2, s8, (256,), (0.05, 5), (0.05, 5), 'LeakyReluOptions',
          {'alpha': 1.7}, all_codes(s8))
    unary('leaky_relu_s16', 'LEAKY_RELU', 2, s16, (4, 16), (0.0005, 0), (0.0004, 0),
          'LeakyReluOptions', {'alpha': 0.1})


def define_prelu():
    case('prelu_f32_broadcast', 'PRELU', 1, [T([1, 2, 3, 4], f32), T([1, 1, 4], f32)],
         T([1, 2, 3, 4], f32))
    alpha_q = T([4], u8, 0.01, 100, data=[0, 90, 200, 255])
    case('prelu_u8_broadcast', 'PRELU', 1, [T([2, 3, 4], u8, 0.1, 128), alpha_q],
         T([2, 3, 4], u8, 0.08, 120))
    case('prelu_s8_same_shape', 'PRELU', 1,
         [T([2, 8], s8, 0.05, -10), T([2, 8], s8, 0.02, 3)], T([2, 8], s8, 0.04, 0))


def define_smooth_activations():
    float_case('elu_f32', 'ELU')
    unary('elu_s8_all_codes', 'ELU', 1, s8, (256,), (0.05, 20), (0.04, -30), feed=all_codes(s8))
    float_case('hard_swish_f32', 'HARD_SWISH', lo=-8, hi=8)
    unary('hard_swish_u8', 'HARD_SWISH', 1, u8, (256,), (0.05, 128), (0.04, 40),
          feed=all_codes(u8))
    unary('hard_swish_s8_all_codes', 'HARD_SWISH', 1, s8, (256,), (0.1, -10), (0.06, -100),
          feed=all_codes(s8))
    unary('hard_swish_s8_small_scale', 'HARD_SWISH', 1, s8, (256,), (0.005, 0), (0.004, -5),
          feed=all_codes(s8))
    for approx in (False, True):
        tag = '_approx' if approx else ''
        opts = {'approximate': approx}
        float_case('gelu_f32' + tag, 'GELU', opt_type='GeluOptions', opts=opts)
        unary('gelu_u8' + tag, 'GELU', 2, u8, (256,), (0.04, 150), (0.03, 20), 'GeluOptions',
              opts, all_codes(u8))
        unary('gelu_s8' + tag, 'GELU', 2, s8, (256,), (0.04, 0), (0.03, -60), 'GeluOptions',
              opts, all_codes(s8))


def define_logistic_tanh():
    for op, o8 in (('LOGISTIC', (1.0 / 256, 0)), ('TANH', (1.0 / 128, 128))):
        low = op.lower()
        float_case('%s_f32' % low, op, lo=-20, hi=20)
        unary('%s_u8' % low, op, 1, u8, (256,), (0.06, 120), o8, feed=all_codes(u8))
        o8s = (o8[0], o8[1] - 128)
        unary('%s_s8' % low, op, 2, s8, (256,), (0.08, -5), o8s, feed=all_codes(s8))
        rng = rng_for(low + '_s16')
        full = rng.integers(-32768, 32768, size=64).astype(s16)
        full[:4] = [-32768, 32767, 0, -1]
        unary('%s_s16_pot' % low, op, 3, s16, (64,), (1.0 / 4096, 0), (1.0 / 32768, 0),
              feed=full)
        unary('%s_s16_general' % low, op, 3, s16, (64,), (0.00037, 0), (1.0 / 32768, 0),
              feed=full)
    unary('tanh_s16_pot_shift1', 'TANH', 3, s16, (64,), (1.0 / 2048, 0), (1.0 / 32768, 0),
          feed=np.arange(-32768, 32768, 1024).astype(s16))


def define_math():
    for op in ('EXP', 'SQUARE', 'SIN', 'COS', 'FLOOR', 'CEIL', 'ROUND', 'SIGN', 'ABS', 'NEG'):
        float_case('%s_f32' % op.lower(), op)
    for op in ('LOG', 'SQRT', 'RSQRT'):
        float_case('%s_f32' % op.lower(), op, lo=0.001, hi=50)
    ties = (np.arange(-16, 16, dtype=f32) * 0.5).reshape(4, 8)
    unary('round_f32_ties', 'ROUND', 1, f32, (4, 8), feed=ties)
    unary('log_s8_all_codes', 'LOG', 2, s8, (256,), (0.1, -100), (0.05, 10), feed=all_codes(s8))
    unary('exp_s8_all_codes', 'EXP', 2, s8, (256,), (0.02, 0), (0.02, -128),
          feed=all_codes(s8))
    wide = np.concatenate([np.arange(-32768, 32768, 1031), [32767, -1, 0, 1, 127, 128, -129]])
    wide = wide.astype(s16)
    unary('exp_s16', 'EXP', 2, s16, wide.shape, (1.0 / 8192, 0), (1.0 / 2048, 0), feed=wide)
    unary('log_s16', 'LOG', 2, s16, wide.shape, (0.002, 0), (1.0 / 4096, 0), feed=wide)
    unary('rsqrt_s16', 'RSQRT', 3, s16, wide.shape, (0.001, 0), (1.0 / 1024, 0),
          feed=np.abs(wide.astype(np.int32)).clip(0, 32767).astype(s16))
    unary('abs_s8_rescale', 'ABS', 2, s8, (256,), (0.05, 7), (0.03, -128), feed=all_codes(s8))
    unary('abs_s8_same_scale', 'ABS', 2, s8, (256,), (0.05, -20), (0.05, -20),
          feed=all_codes(s8))
    unary('abs_s16', 'ABS', 3, s16, (32,), (0.001, 0), (0.0013, 0))
    edge = np.array([-2 ** 31, 2 ** 31 - 1, 0, -1, 5, -7, 100000, -100000], s32)
    unary('abs_s32', 'ABS', 4, s32, (8,), feed=edge)
    unary('neg_s32', 'NEG', 1, s32, (8,), feed=edge)
    e64 = np.array([-2 ** 63, 2 ** 63 - 1, 0, -1, 2 ** 40, -3, 7, 1], s64)
    unary('neg_s64', 'NEG', 1, s64, (8,), feed=e64)
    unary('sign_s32', 'SIGN', 2, s32, (8,), feed=edge)


def cast(name, src, dst, feed, version=1):
    unary('cast_' + name, 'CAST', version, src, feed.shape, feed=feed, out_dtype=dst)


def define_cast():
    fl = np.array([1.9, -1.9, 0.5, -0.5, 1e5, -3e4, 255.9, -128.7, 0.0, -0.0, 1e-3, 7.0], f32)
    cast('f32_s32', f32, s32, fl)
    cast('f32_u8', f32, u8, np.array([0.0, 1.9, 200.5, 255.0, 3.3, 17.99, 128.0, 99.0], f32))
    cast('f32_bool', f32, np.bool_, np.array([0.0, -0.0, 1e-30, -2.0, np.nan, 3.0], f32))
    cast('s32_f32', s32, f32, np.array([0, 1, -1, 16777217, -16777219, 2 ** 31 - 1, -2 ** 31, 42],
                                       s32))
    cast('s64_s32', s64, s32, np.array([2 ** 40 + 5, -2 ** 40 - 5, 2 ** 31, -1, 0, 77], s64),
         version=2)
    cast('s32_u8', s32, u8, np.array([0, 255, 256, -1, 1000, -129, 127, 128], s32))
    cast('u8_s8', u8, s8, all_codes(u8, (16, 16)))
    cast('bool_s32', np.bool_, s32, np.array([True, False, True, True], np.bool_))
    cast('s16_f32', s16, f32, np.array([-32768, 32767, 0, -1, 1234], s16), version=3)


def error_cases():
    """(name, message fragment, op, version, tensors, inputs, options type,
    options) of models whose prepare must fail; the output is the last tensor."""
    return [
        ('logistic_u8_output_scale', 'output scale must be 1/256', 'LOGISTIC', 1,
         [T([4], u8, 0.1, 0), T([4], u8, 0.01, 0)], [0], None, None),
        ('tanh_s16_output_scale', 'output scale must be 2^-15', 'TANH', 3,
         [T([4], s16, 1.0 / 4096, 0), T([4], s16, 1.0 / 1024, 0)], [0], None, None),
        ('relu_s16_zero_point', 'zero point 5', 'RELU', 3,
         [T([4], s16, 0.01, 5), T([4], s16, 0.01, 0)], [0], None, None),
        ('relu_type_mismatch', 'but output is', 'RELU', 1,
         [T([4], f32), T([4], s8, 0.1, 0)], [0], None, None),
        ('relu_n1_to_1_s16', 'input is not supported', 'RELU_N1_TO_1', 1,
         [T([4], s16, 0.01, 0), T([4], s16, 0.01, 0)], [0], None, None),
        ('elu_u8', 'input is not supported', 'ELU', 1,
         [T([4], u8, 0.1, 0), T([4], u8, 0.1, 0)], [0], None, None),
        ('leaky_relu_s8_negative_alpha', 'alpha >= 0', 'LEAKY_RELU', 2,
         [T([4], s8, 0.1, 0), T([4], s8, 0.1, 0)], [0], 'LeakyReluOptions', {'alpha': -0.5}),
        ('prelu_alpha_does_not_broadcast', 'does not broadcast', 'PRELU', 1,
         [T([2, 3], f32), T([4], f32), T([2, 3], f32)], [0, 1], None, None),
        ('prelu_alpha_enlarges_input', 'not enlarge', 'PRELU', 1,
         [T([3], f32), T([2, 3], f32), T([2, 3], f32)], [0, 1], None, None),
        ('prelu_broadcast_5d', 'max 4-D', 'PRELU', 1,
         [T([1, 1, 1, 2, 3], f32), T([3], f32), T([1, 1, 1, 2, 3], f32)], [0, 1], None, None),
        ('hard_swish_output_exponent', 'too large', 'HARD_SWISH', 1,
         [T([4], s8, 1000.0, 0), T([4], s8, 0.001, 0)], [0], None, None),
        ('rsqrt_u8', 'input is not supported', 'RSQRT', 1,
         [T([4], u8, 0.1, 0), T([4], u8, 0.1, 0)], [0], None, None),
        ('log_s16_zero_point', 'zero point', 'LOG', 2,
         [T([4], s16, 0.1, 3), T([4], s16, 0.1, 0)], [0], None, None),
        ('neg_u8', 'not supported', 'NEG', 1, [T([4], u8), T([4], u8)], [0], None, None),
        ('cast_to_uint64', 'cannot cast float32 to uint64', 'CAST', 1,
         [T([4], f32), T([4], np.uint64)], [0], None, None),
    ]


ERRORS_HEADER = """/* SPDX-License-Identifier: Apache-2.0 */
/* unary_errors.h — generated by tools/goldens/make_unary_cases.py; do not edit. */
/* A model (unary_errors/<name>.tflite) whose prepare must fail with a
 * message containing `fragment`. */
typedef struct UnaryErrorCase {
  const char *name;
  const char *fragment;
} UnaryErrorCase;

static const UnaryErrorCase unary_error_cases[] = {
%s};
"""


def write_error_models(root):
    """tests/kernels/data/unary_errors/<name>.tflite and unary_errors.h."""
    import shutil
    data_dir = os.path.join(root, 'tests', 'kernels', 'data')
    err_dir = os.path.join(data_dir, 'unary_errors')
    if os.path.isdir(err_dir):
        shutil.rmtree(err_dir)
    os.makedirs(err_dir)
    cases = error_cases()
    for name, _, op, version, tensors, inputs, opt_type, opts in cases:
        with open(os.path.join(err_dir, name + '.tflite'), 'wb') as f:
            f.write(model_bytes(op, version, tensors, inputs, [len(tensors) - 1], opt_type, opts))
    table = ''.join('    {"%s", "%s"},\n' % c[:2] for c in cases)
    with open(os.path.join(data_dir, 'unary_errors.h'), 'w') as f:
        f.write(ERRORS_HEADER % table)
    return len(cases)


def run_reference(c):
    """BUILTIN_REF where it has the op; the builtin resolver without XNNPACK
    for the few ops it lacks (ELU, CEIL, ROUND, int32 ABS), whose kernels are
    the same formulas or the same lookup tables."""
    try:
        return run_case(c)
    except ValueError as e:
        if "Didn't find op" not in str(e):
            raise
    import ai_edge_litert.interpreter as lite
    print('%s: not in BUILTIN_REF, using the builtin resolver' % c['name'])
    original = lite.Interpreter

    class Builtin(original):
        def __init__(self, **kw):
            kw['experimental_op_resolver_type'] = (
                lite.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
            super().__init__(**kw)

    lite.Interpreter = Builtin  # run_case imports it at call time
    try:
        return run_case(c)
    finally:
        lite.Interpreter = original


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--root', default='.', help='repository root')
    ap.add_argument('--list', action='store_true', help='print the golden case names only')
    args = ap.parse_args()
    define_relu_family()
    define_prelu()
    define_smooth_activations()
    define_logistic_tanh()
    define_math()
    define_cast()
    names = ["op_" + c['name'] for c in CASES]
    assert len(set(names)) == len(names)
    if args.list:
        print('\n'.join("  '%s'," % n for n in sorted(names)))
        return
    for c in CASES:
        model, feeds, out = run_reference(c)
        write_golden(args.root, c['name'], model, feeds, [out])
    print('wrote %d goldens, %d error models' % (len(CASES), write_error_models(args.root)))


if __name__ == '__main__':
    main()
