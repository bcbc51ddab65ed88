#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden cases of the sub-byte tensor types beyond int4 weights:
int4 GATHER params and CAST to float32, and the ops that take INT2
(TensorType 19) and UINT4 (20) constants: DEQUANTIZE (both), CAST to
float32 (both) and FULLY_CONNECTED with int2 weights (int8, int16 and hybrid
float32 activations).

Usage (from the repository root; development tooling only, never needed by the
test suite):

    python3 tools/goldens/make_subbyte_cases.py [--root .] [--only NAME,...]

Needs numpy, ai_edge_litert and flatc. Each case is a one-operator model
built with make_misc_cases.model_bytes (flatc from JSON) whose sub-byte
constants are stored as TFLite stores them, from the least significant bits
of each byte up: int4 and uint4 two values a byte (element 2i in the low
nibble of byte i), int2 four (element 4i + k in bits 2k and 2k + 1), the
unused bits of the last byte written as 0. Every weight tensor holds each
value of its type's range (int2 -2..1, uint4 0..15, int4 -8..7) and, except
GATHER's, an element count that is not a multiple of the values a byte
holds; GATHER's int4 params have an even count after the axis, the only
layout TFLite's kernel reads correctly (it gathers packed bytes). Inputs come
from a fixed seed; the model runs with ai_edge_litert's BUILTIN_REF
resolver (TFLite's reference kernels, which Spry's must match bit for bit).

Written to tests/data/goldens/op_<case>/ {model.tflite, input_<i>.bin,
output_<i>.bin}; every case must be listed in tests/engine/meson.build (the
"sub-byte types" group); the script prints the names. A case the reference
runtime refuses is reported and not written. Models Spry must refuse (a
buffer one byte short or long, an int2 activation, pairings TFLite's
kernels refuse or misread) go to tests/kernels/data/subbyte_errors/
<name>.tflite, listed with the expected message fragment in
tests/kernels/data/subbyte_errors.h for tests/kernels/test_subbyte.c; the
script checks that the reference refuses each pairing marked so. The model
of the cases in SEEDS goes to tests/data/models/<case>.tflite instead (the
golden names it in model.txt): it also seeds the fuzzer and the corruption
sweep. Deterministic: rerunning reproduces the same bytes.
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_int4_cases as m4  # noqa: E402
import make_misc_cases as mm  # noqa: E402


class Int2:
    """Stands for the int2 element type in make_misc_cases' type table."""


class UInt4:
    """Stands for the uint4 element type in make_misc_cases' type table."""


mm.TFL_TYPE.update({Int2: 'INT2', UInt4: 'UINT4'})
s8, s16, s32, s64, u8, f32 = np.int8, np.int16, np.int32, np.int64, np.uint8, np.float32

# Per type: (value range, bits per value).
LAYOUT = {m4.Int4: ((-8, 7), 4), Int2: ((-2, 1), 2), UInt4: ((0, 15), 4)}


class Packed:
    """Sub-byte values with the byte layout of a TFLite buffer; `resize`
    bytes are added (or, negative, dropped) for the error models."""

    def __init__(self, dtype, values, resize=0):
        (lo, hi), self.bits = LAYOUT[dtype]
        self.values = np.asarray(values, dtype=np.int64).ravel()
        assert self.values.min() >= lo and self.values.max() <= hi
        self.resize = resize

    def tobytes(self):
        per_byte = 8 // self.bits
        fields = (self.values & ((1 << self.bits) - 1)).astype(np.uint8)
        fields = np.append(fields, np.zeros(-fields.size % per_byte, np.uint8))
        packed = np.zeros(fields.size // per_byte, np.uint8)
        for k in range(per_byte):
            packed |= fields[k::per_byte] << (self.bits * k)
        packed = packed.tobytes()
        return packed + b'\x5a' * self.resize if self.resize >= 0 else packed[:self.resize]


class TP(mm.T):
    """A sub-byte constant (or, values None, a graph input: the error models')."""

    def __init__(self, dtype, shape, scale, values, zp=None, qdim=0, resize=0):
        super().__init__(shape, s8, scale, zp, None, qdim)
        self.dtype = dtype
        self.data = None if values is None else Packed(dtype, values, resize)


def every_value(rng, dtype, count):
    """`count` values of `dtype` that include each value of its range."""
    (lo, hi), _ = LAYOUT[dtype]
    assert count >= hi - lo + 1
    values = rng.integers(lo, hi + 1, size=count)
    values[rng.permutation(count)[:hi - lo + 1]] = np.arange(lo, hi + 1)
    return values


def odd_count(dtype, count):
    """`count`, checked not to fill whole bytes of `dtype`."""
    assert count % (8 // LAYOUT[dtype][1]) != 0
    return count


CASES = m4.CASES
SEEDS = ('fully_connected_int2_per_channel_relu_b2',)  # also in tests/data/models/
FC = 'FullyConnectedOptions'


def define_gather():
    rng = mm.rng_for('gather_subbyte')
    for name, shape, idx, axis, bd in (
            ('gather_int4_axis0', [9, 2], mm.T([4], s32), 0, 0),
            ('gather_int4_axis1_i64', [3, 5, 2], mm.T([2, 3], s64), 1, 0),
            ('gather_int4_batch_dims', [3, 3, 2], mm.T([3, 2], s32), 1, 1),
            ('gather_int4_scalar_i16', [9, 2], mm.T([], s16), 0, 0)):
        params = TP(m4.Int4, shape, 0.5, every_value(rng, m4.Int4, int(np.prod(shape))))
        out = shape[:axis] + idx.shape[bd:] + shape[axis + 1:]
        case = dict(name=name, op='GATHER', version=7, ins=[params, idx],
                    out=mm.T(out, s8, 0.5, 0), opt_type='GatherOptions',
                    opts={'axis': axis, 'batch_dims': bd})
        case['feeds'] = [index_feed(mm.rng_for(name + '/input'), idx, shape[axis])]
        CASES.append(case)


def index_feed(rng, t, size):
    """In-range indices that include the first and the last."""
    flat = rng.integers(0, size, size=int(np.prod(t.shape)))
    flat[:2] = [size - 1, 0][:flat.size]
    return flat.reshape(t.shape).astype(t.dtype)


def define_cast():
    rng = mm.rng_for('cast_subbyte')
    for name, dtype, count in (('cast_int4_f32', m4.Int4, 33), ('cast_int2_f32', Int2, 21),
                               ('cast_uint4_f32', UInt4, 21)):
        assert count % 3 == 0
        shape = [3, odd_count(dtype, count) // 3]
        m4.case(name, 'CAST', 7, [TP(dtype, shape, None, every_value(rng, dtype, count))],
                mm.T(shape, f32))


def define_dequantize():
    rng = mm.rng_for('dequantize_subbyte')
    m4.case('dequantize_int2_per_tensor', 'DEQUANTIZE', 7,
            [TP(Int2, [3, 7], 0.25, every_value(rng, Int2, odd_count(Int2, 21)), zp=-1)],
            mm.T([3, 7], f32))
    m4.case('dequantize_int2_per_channel', 'DEQUANTIZE', 7,
            [TP(Int2, [5, 1, 5], m4.channel_scales(rng, 5, 0.1), every_value(rng, Int2, 25),
                [0, 1, -1, 0, -2])], mm.T([5, 1, 5], f32))
    m4.case('dequantize_uint4_per_tensor', 'DEQUANTIZE', 8,
            [TP(UInt4, [3, 7], 0.1, every_value(rng, UInt4, odd_count(UInt4, 21)), zp=8)],
            mm.T([3, 7], f32))
    m4.case('dequantize_uint4_per_channel', 'DEQUANTIZE', 8,
            [TP(UInt4, [9, 3], m4.channel_scales(rng, 3, 0.2), every_value(rng, UInt4, 27),
                [8, 0, 15], qdim=1)], mm.T([9, 3], f32))


def define_fully_connected():
    rng = mm.rng_for('fully_connected_int2')
    relu = {'fused_activation_function': 'RELU'}
    none = {'fused_activation_function': 'NONE'}
    # Per-tensor weights, batch 3: 5 x 13 = 65 weights.
    w = TP(Int2, [5, 13], 0.11, every_value(rng, Int2, odd_count(Int2, 65)))
    bias = mm.T([5], s32, 0.05 * 0.11, 0, rng.integers(-300, 300, 5))
    m4.case('fully_connected_int2_per_tensor_b3', 'FULLY_CONNECTED', 14,
            [mm.T([3, 13], s8, 0.05, -3), w, bias], mm.T([3, 5], s8, 0.02, 4), FC, none)
    # Per-channel weights, RELU, no bias: 7 x 9 = 63.
    w = TP(Int2, [7, 9], m4.channel_scales(rng, 7, 0.08), every_value(rng, Int2, 63), [0] * 7)
    m4.case('fully_connected_int2_per_channel_relu_b2', 'FULLY_CONNECTED', 14,
            [mm.T([2, 9], s8, 0.04, 5), w, -1], mm.T([2, 7], s8, 0.05, -10), FC, relu)
    # keep_num_dims with batch 2 x 2.
    w = TP(Int2, [3, 11], 0.07, every_value(rng, Int2, odd_count(Int2, 33)))
    m4.case('fully_connected_int2_keep_dims', 'FULLY_CONNECTED', 14,
            [mm.T([2, 2, 11], s8, 0.03, 0), w, -1], mm.T([2, 2, 3], s8, 0.02, 1), FC,
            {'fused_activation_function': 'RELU6', 'keep_num_dims': True})
    # Hybrid: float32 activations with int2 weights.
    w = TP(Int2, [5, 7], 0.2, every_value(rng, Int2, odd_count(Int2, 35)))
    m4.case('fully_connected_int2_hybrid', 'FULLY_CONNECTED', 14,
            [mm.T([3, 7], f32), w, mm.T([5], f32, data=rng.normal(size=5))], mm.T([3, 5], f32),
            FC, none)
    # Hybrid, per-channel weights, asymmetrically quantized inputs.
    w = TP(Int2, [3, 9], m4.channel_scales(rng, 3, 0.15), every_value(rng, Int2, 27), [0] * 3)
    m4.case('fully_connected_int2_hybrid_channel_asym', 'FULLY_CONNECTED', 14,
            [mm.T([2, 9], f32), w, -1], mm.T([2, 3], f32), FC,
            {**relu, 'asymmetric_quantize_inputs': True})
    # int16 activations, int64 bias.
    w = TP(Int2, [3, 7], 0.1, every_value(rng, Int2, odd_count(Int2, 21)))
    m4.case('fully_connected_int2_s16', 'FULLY_CONNECTED', 14,
            [mm.T([2, 7], s16, 0.001, 0), w, mm.T([3], s64, 0.0001, 0, rng.integers(-500, 500, 3))],
            mm.T([2, 3], s16, 0.0005, 0), FC, none)


ERRORS = []


def error(name, fragment, op, version, ins, out, opt_type=None, opts=None, ref_refuses=False):
    """A model Spry must refuse; `ref_refuses`: TFLite's reference refuses it
    too (checked when the models are written)."""
    ERRORS.append(dict(name=name, fragment=fragment, op=op, version=version, ins=ins, out=out,
                       opt_type=opt_type, opts=opts, ref_refuses=ref_refuses))


def define_errors():
    rng = mm.rng_for('subbyte_errors')
    none = {'fused_activation_function': 'NONE'}

    def fc(name, fragment, w, in_t=None, out_t=None, ref_refuses=True):
        error(name, fragment, 'FULLY_CONNECTED', 14, [in_t or mm.T([2, 7], s8, 0.05, 0), w],
              out_t or mm.T([2, 5], s8, 0.2, 0), FC, none, ref_refuses)
    int2 = every_value(rng, Int2, 35)
    uint4 = every_value(rng, UInt4, 21)
    fc('fully_connected_int2_buffer_short',
       "int2 tensor 't1': buffer 2 holds 8 bytes, expected 9 (35 values packed four a byte)",
       TP(Int2, [5, 7], 0.1, int2, resize=-1), ref_refuses=False)
    fc('fully_connected_int2_buffer_long', "int2 tensor 't1': buffer 2 holds 10 bytes, expected 9",
       TP(Int2, [5, 7], 0.1, int2, resize=1), ref_refuses=False)
    fc('fully_connected_int2_activation',
       "int2 tensor 't1' has no constant data: int2 is supported for constant weights only",
       TP(Int2, [5, 7], 0.1, None), ref_refuses=False)
    fc('fully_connected_int2_u8_input',
       'unsupported type combination: input uint8, filter int2, output uint8',
       TP(Int2, [5, 7], 0.1, int2), mm.T([2, 7], u8, 0.05, 128), mm.T([2, 5], u8, 0.2, 128))
    fc('fully_connected_int2_zero_point',
       "int2 weights 't1' have zero point 1 (channel 0); only 0 is supported",
       TP(Int2, [5, 7], 0.1, int2, zp=1))
    fc('fully_connected_int2_hybrid_zero_point',
       "int2 weights 't1' have zero point 1 (channel 0); only 0 is supported",
       TP(Int2, [5, 7], 0.1, int2, zp=1), mm.T([2, 7], f32), mm.T([2, 5], f32))
    fc('fully_connected_uint4', 'unsupported type combination: input int8, filter uint4',
       TP(UInt4, [3, 7], 0.1, uint4, zp=8), out_t=mm.T([2, 3], s8, 0.2, 0))
    fc('fully_connected_uint4_hybrid', 'unsupported type combination: input float32, filter uint4',
       TP(UInt4, [3, 7], 0.1, uint4, zp=8), mm.T([2, 7], f32), mm.T([2, 3], f32))
    for name, size in (('short', -1), ('long', 1)):
        error('dequantize_uint4_buffer_' + name,
              "uint4 tensor 't0': buffer 1 holds %d bytes, expected 11" % (11 + size),
              'DEQUANTIZE', 8, [TP(UInt4, [3, 7], 0.1, uint4, zp=8, resize=size)],
              mm.T([3, 7], f32))
    error('dequantize_uint4_activation', "uint4 tensor 't0' has no constant data", 'DEQUANTIZE',
          8, [TP(UInt4, [3, 7], 0.1, None, zp=8)], mm.T([3, 7], f32))
    conv = {'padding': 'VALID', 'stride_w': 1, 'stride_h': 1}
    w = TP(Int2, [3, 3, 3, 3], [0.05] * 3, every_value(rng, Int2, 81), [0] * 3)
    bias = mm.T([3], s32, [0.05 * 0.05] * 3, [0] * 3, [1, 2, 3])
    error('conv_2d_int2', 'unsupported type combination: input int8, filter int2, output int8',
          'CONV_2D', 8, [mm.T([1, 4, 4, 3], s8, 0.05, 0), w, bias],
          mm.T([1, 2, 2, 3], s8, 0.1, 0), 'Conv2DOptions', conv, ref_refuses=True)
    # TFLite's hybrid kernel accepts int2 filters but computes with none of
    # their values (its output is the bias alone): a misread, refused.
    error('conv_2d_int2_hybrid', 'unsupported type combination: input float32, filter int2',
          'CONV_2D', 8, [mm.T([1, 4, 4, 3], f32), w], mm.T([1, 2, 2, 3], f32), 'Conv2DOptions',
          conv)
    w = TP(Int2, [1, 3, 3, 5], [0.05] * 5, every_value(rng, Int2, 45), [0] * 5, qdim=3)
    error('depthwise_conv_2d_int2', 'unsupported type combination: input int8, filter int2',
          'DEPTHWISE_CONV_2D', 6, [mm.T([1, 4, 5, 5], s8, 0.05, 0), w],
          mm.T([1, 2, 3, 5], s8, 0.1, 0), 'DepthwiseConv2DOptions',
          {**conv, 'depth_multiplier': 1}, ref_refuses=True)
    gather = {'axis': 0}
    for name, dtype, values, out_type in (('gather_int2', Int2, every_value(rng, Int2, 12), s8),
                                          ('gather_uint4', UInt4, every_value(rng, UInt4, 16),
                                           u8)):
        error(name, 'type %s is not supported' % mm.TFL_TYPE[dtype].lower(), 'GATHER', 7,
              [TP(dtype, [4, values.size // 4], 0.5, values), mm.T([2], s32)],
              mm.T([2, values.size // 4], out_type, 0.5, 0), 'GatherOptions', gather,
              ref_refuses=True)
    # TFLite gathers packed bytes: a slice of 3 values copies 1 byte.
    error('gather_int4_odd_slice',
          'int4 params with 3 values after axis 0 are not supported',
          'GATHER', 7, [TP(m4.Int4, [6, 3], 0.5, every_value(rng, m4.Int4, 18)), mm.T([2], s32)],
          mm.T([2, 3], s8, 0.5, 0), 'GatherOptions', gather)
    error('gather_nd_int4', 'type int4 is not supported', 'GATHER_ND', 5,
          [TP(m4.Int4, [8, 2], 0.5, every_value(rng, m4.Int4, 16)), mm.T([2, 1], s32)],
          mm.T([2, 2], s8, 0.5, 0), ref_refuses=True)
    for name, dtype, out_type, text in (('cast_int4_int8', m4.Int4, s8, 'int4 to int8'),
                                        ('cast_int2_int32', Int2, s32, 'int2 to int32'),
                                        ('cast_uint4_uint8', UInt4, u8, 'uint4 to uint8')):
        error(name, 'cannot cast ' + text, 'CAST', 7,
              [TP(dtype, [21], None, every_value(rng, dtype, 21))], mm.T([21], out_type),
              ref_refuses=True)
    error('quantize_int2_input', 'cannot requantize int2 to int8', 'QUANTIZE', 6,
          [TP(Int2, [21], 0.25, every_value(rng, Int2, 21))], mm.T([21], s8, 0.25, 0))


def check_reference_refusals():
    """Each error marked ref_refuses fails in TFLite's reference too."""
    for e in ERRORS:
        if not e['ref_refuses']:
            continue
        n = len(e['ins'])
        model = mm.model_bytes(e['op'], e['version'], e['ins'] + [e['out']], list(range(n)),
                               [n], e['opt_type'], e['opts'])
        feeds = [m4.feed(mm.rng_for(e['name']), t) for t in e['ins'] if t.data is None]
        try:
            mm.run_ref(model, feeds)
        except Exception:  # refused, as expected
            continue
        print('the reference accepts %s' % e['name'], file=sys.stderr)


def run_case(c):
    if 'feeds' not in c:
        return m4.run_case(c)
    model = mm.model_bytes(c['op'], c['version'], c['ins'] + [c['out']], [0, 1], [2],
                           c['opt_type'], c['opts'])
    return model, c['feeds'], mm.run_ref(model, c['feeds'])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--root', default='.')
    ap.add_argument('--only', default='')
    args = ap.parse_args()
    define_gather()
    define_cast()
    define_dequantize()
    define_fully_connected()
    only = set(filter(None, args.only.split(',')))
    m4.write_cases(args.root, only, run_case, SEEDS)
    if not only:
        define_errors()
        check_reference_refusals()
        m4.write_errors(args.root, ERRORS, 'subbyte_errors', 'make_subbyte_cases.py',
                        'SubbyteErrorCase')


if __name__ == '__main__':
    main()
