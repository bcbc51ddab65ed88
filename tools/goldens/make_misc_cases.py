#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden cases of ADD, AVERAGE_POOL_2D, MAX_POOL_2D, RESHAPE,
SOFTMAX, QUANTIZE, DEQUANTIZE and MEAN.

Usage (from the repository root; development tooling only, never needed by the
test suite):

    python3 tools/goldens/make_misc_cases.py [--root .]

Needs numpy, ai_edge_litert and flatc (Debian's flatbuffers-compiler 2.0.8 or
newer). Every case is a one-operator .tflite model written as JSON and compiled
by flatc against /work/shared/spec/schema.fbs (a temporary copy without the
"(deprecated)" attributes flatc 2.0.8 rejects), fed a fixed-seed input and run
with ai_edge_litert's BUILTIN_REF op resolver: TFLite's reference kernels,
which Spry's must match bit for bit on quantized types (float32 within
1e-5 * (1 + max |reference|)). The script writes:

  tests/kernels/data/misc_cases.h
      every reference-kernel case as C data (tensors, quantization, options,
      input and expected output) for tests/kernels/test_misc_reference.c,
      which calls the spry_ref_* functions directly. Float data is stored as
      IEEE bit patterns so that NaN, infinities and signed zeros survive.
  tests/data/goldens/op_<case>/model.tflite, input_<i>.bin, output_<i>.bin
      for the engine's whole-model golden runner (raw little-endian tensors),
      for the cases marked golden (and the RESHAPE cases, which have no
      reference function);
  tests/kernels/data/misc_errors/<case>.tflite
      models whose prepare must fail, with the message fragment expected,
      listed in tests/kernels/data/misc_errors.h for test_misc_ops.c.

Everything is deterministic: rerunning the script reproduces the same bytes.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile
import zlib

import numpy as np

SCHEMA = '/work/shared/spec/schema.fbs'

TFL_TYPE = {np.float32: 'FLOAT32', np.float16: 'FLOAT16', np.int32: 'INT32', np.uint8: 'UINT8',
            np.int8: 'INT8', np.int16: 'INT16', np.int64: 'INT64', np.uint32: 'UINT32',
            np.uint64: 'UINT64'}
SPRY_TYPE = {np.float32: 'SPRY_TYPE_FLOAT32', np.float16: 'SPRY_TYPE_FLOAT16',
             np.int32: 'SPRY_TYPE_INT32', np.uint8: 'SPRY_TYPE_UINT8', np.int8: 'SPRY_TYPE_INT8',
             np.int16: 'SPRY_TYPE_INT16', np.int64: 'SPRY_TYPE_INT64'}
ACT = {'NONE': 0, 'RELU': 1, 'RELU_N1_TO_1': 2, 'RELU6': 3}


def builtin_codes():
    body = re.search(r'enum BuiltinOperator\s*:\s*int32\s*\{(.*?)\}', open(SCHEMA).read(),
                     re.S).group(1)
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r'^\s*([A-Z0-9_]+)\s*=\s*(-?\d+)', body, re.M)}


BUILTIN = builtin_codes()


class T:
    """A tensor of a case: shape, numpy dtype, quantization, optional constant data."""

    def __init__(self, shape, dtype, scale=None, zp=None, data=None, qdim=0):
        self.shape, self.dtype = list(shape), np.dtype(dtype).type
        self.scale = scale  # float, list (per channel) or None
        self.zp = zp if zp is not None else (0 if scale is not None else None)
        self.data = None if data is None else np.asarray(data, dtype).reshape(self.shape)
        self.qdim = qdim

    def scales(self):
        return [float(np.float32(s)) for s in np.atleast_1d(self.scale)]

    def zps(self):
        return [int(z) for z in np.atleast_1d(self.zp)]


def model_bytes(op, version, tensors, inputs, outputs, opt_type=None, opts=None):
    """The .tflite bytes of a one-operator model (flatc from JSON)."""
    buffers, jt = [{}], []
    for i, t in enumerate(tensors):
        d = {'shape': t.shape, 'type': TFL_TYPE[t.dtype], 'name': 't%d' % i,
             'buffer': len(buffers)}
        buffers.append({'data': list(t.data.tobytes())} if t.data is not None else {})
        if t.scale is not None:
            d['quantization'] = {'scale': t.scales(), 'zero_point': t.zps(),
                                 'quantized_dimension': t.qdim}
        jt.append(d)
    graph_inputs = [i for i in inputs if i >= 0 and tensors[i].data is None]
    o = {'opcode_index': 0, 'inputs': inputs, 'outputs': outputs}
    if opt_type:
        o['builtin_options_type'] = opt_type
        o['builtin_options'] = opts or {}
    m = {'version': 3,
         'operator_codes': [{'deprecated_builtin_code': min(BUILTIN[op], 127),
                             'builtin_code': op, 'version': version}],
         'subgraphs': [{'tensors': jt, 'inputs': graph_inputs, 'outputs': outputs,
                        'operators': [o]}],
         'buffers': buffers}
    with tempfile.TemporaryDirectory() as tmp:
        schema = os.path.join(tmp, 'schema.fbs')
        open(schema, 'w').write(open(SCHEMA).read().replace('(deprecated)', ''))
        path = os.path.join(tmp, 'model.json')
        json.dump(m, open(path, 'w'))
        subprocess.run(['flatc', '-b', '-o', tmp, schema, path], check=True)
        return open(os.path.join(tmp, 'model.tflite'), 'rb').read()


def run_ref(model, feeds):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    it = Interpreter(model_content=model,
                     experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    for d, x in zip(it.get_input_details(), feeds):
        it.set_tensor(d['index'], x)
    it.invoke()
    return [it.get_tensor(d['index']).copy() for d in it.get_output_details()]


# ---- Inputs ---------------------------------------------------------------------

def rng_for(name):
    return np.random.default_rng(zlib.crc32(name.encode()))


def random_data(rng, t):
    if t.dtype == np.float32:
        return (rng.normal(size=t.shape) * 3).astype(np.float32)
    info = np.iinfo(t.dtype)
    lo, hi = (info.min, info.max) if t.dtype != np.int32 else (-1000, 1000)
    return np.asarray(rng.integers(lo, hi + 1, size=t.shape)).astype(t.dtype)


# ---- Cases ----------------------------------------------------------------------
# A case: name, op, version, tensors (inputs then outputs), options, feeds (None:
# random), golden (also written as a whole-model golden), extra C fields.

CASES = []


def case(name, op, version, ins, out, opt_type=None, opts=None, feeds=None, golden=False,
         **extra):
    CASES.append(dict(name=name, op=op, version=version, ins=ins, out=out, opt_type=opt_type,
                      opts=opts or {}, feeds=feeds, golden=golden, extra=extra))


def add(name, dtype, s1, s2, q1=(None, None), q2=(None, None), qo=(None, None), act='NONE',
        pot=None, version=1, golden=False, feeds=None):
    out_shape = list(np.broadcast_shapes(tuple(s1), tuple(s2)))
    opts = {'fused_activation_function': act}
    if pot is not None:
        opts['pot_scale_int16'] = pot
    case(name, 'ADD', version, [T(s1, dtype, *q1), T(s2, dtype, *q2)], T(out_shape, dtype, *qo),
         'AddOptions', opts, feeds=feeds, golden=golden, activation=ACT[act],
         pot_scale_int16=bool(pot) if pot is not None else False)


def out_size(padding, size, filt, stride):
    return (size + stride - 1) // stride if padding == 'SAME' else (size + stride - filt) // stride


def pool(name, op, dtype, shape, filt, stride, padding, q=(None, None), act='NONE', version=1,
         golden=False):
    b, h, w, c = shape
    oh, ow = out_size(padding, h, filt[0], stride[0]), out_size(padding, w, filt[1], stride[1])
    opts = {'padding': padding, 'stride_w': stride[1], 'stride_h': stride[0],
            'filter_width': filt[1], 'filter_height': filt[0], 'fused_activation_function': act}
    case(name, op, version, [T(shape, dtype, *q)], T([b, oh, ow, c], dtype, *q), 'Pool2DOptions',
         opts, golden=golden, activation=ACT[act], padding=padding, stride=stride, filter=filt)


def softmax(name, dtype, shape, beta, q=(None, None), out_dtype=None, version=1, golden=False,
            feeds=None):
    out_dtype = out_dtype or dtype
    if out_dtype == np.float32:
        qo = (None, None)
    elif out_dtype == np.int16:
        qo = (1.0 / 65536, -32768)
    else:
        qo = (1.0 / 256, 0 if out_dtype == np.uint8 else -128)
    case(name, 'SOFTMAX', version, [T(shape, dtype, *q)], T(shape, out_dtype, *qo),
         'SoftmaxOptions', {'beta': beta}, feeds=feeds, golden=golden, beta=beta)


def mean(name, dtype, shape, axes, keep, qi=(None, None), qo=(None, None), version=1,
         golden=False):
    rank = len(shape)
    red = {a % rank for a in axes}
    oshape = [1 if i in red else d for i, d in enumerate(shape)] if keep else \
        [d for i, d in enumerate(shape) if i not in red]
    case(name, 'MEAN', version, [T(shape, dtype, *qi), T([len(axes)], np.int32, data=axes)],
         T(oshape, dtype, *qo), 'ReducerOptions', {'keep_dims': keep}, golden=golden, axes=axes,
         keep_dims=keep)


def quantize(name, shape, in_t, out_t, version=1, golden=False, feeds=None):
    case(name, 'QUANTIZE', version, [T(shape, *in_t)], T(shape, *out_t), feeds=feeds,
         golden=golden)


def define_cases():
    u8, s8, s16, f32 = np.uint8, np.int8, np.int16, np.float32
    # ADD: broadcasting (size-1 dims, rank mismatch, scalars), activations, int16 paths.
    add('add_u8_broadcast', u8, [1, 2, 3, 4], [3, 1], (0.05, 120), (0.1, 130), (0.12, 125),
        golden=True)
    add('add_u8_relu6_same', u8, [2, 5], [2, 5], (0.04, 10), (0.06, 200), (0.05, 30), 'RELU6')
    add('add_s8_relu6_broadcast', s8, [2, 1, 4], [1, 3, 1], (0.03, -5), (0.02, 10), (0.04, -20),
        'RELU6', version=2, golden=True)
    add('add_s8_relu_same', s8, [2, 5], [2, 5], (0.02, 3), (0.02, 3), (0.03, -1), 'RELU',
        version=2)
    add('add_s8_scalar', s8, [3, 4], [], (0.1, 0), (0.5, -7), (0.2, 4), version=2)
    add('add_s16_general', s16, [2, 6], [6], (0.0003, 0), (0.0007, 0), (0.0009, 0), pot=False,
        version=3)
    add('add_s16_pot', s16, [3, 4], [3, 4], (2.0 ** -10, 0), (2.0 ** -12, 0), (2.0 ** -10, 0),
        'RELU_N1_TO_1', pot=True, golden=True)
    add('add_f32_relu_n1_broadcast', f32, [2, 3, 1], [1, 4], act='RELU_N1_TO_1')
    add('add_f32_rank_mismatch', f32, [4], [2, 3, 4])
    add('add_s32_broadcast', np.int32, [2, 3], [3])
    # Pooling: odd windows with SAME padding, VALID, activations, every type.
    pool('average_pool_2d_u8_same_3x3_s2', 'AVERAGE_POOL_2D', u8, [1, 5, 5, 2], (3, 3), (2, 2),
         'SAME', (0.1, 128), golden=True)
    pool('average_pool_2d_u8_global_5x5', 'AVERAGE_POOL_2D', u8, [1, 5, 5, 2], (5, 5), (2, 2),
         'VALID', (0.02, 0))
    pool('average_pool_2d_s8_valid_relu', 'AVERAGE_POOL_2D', s8, [1, 6, 5, 2], (2, 3), (2, 1),
         'VALID', (0.05, -10), 'RELU', version=2, golden=True)
    pool('average_pool_2d_s8_same_4x3_s3x2', 'AVERAGE_POOL_2D', s8, [1, 7, 6, 1], (4, 3), (3, 2),
         'SAME', (0.1, 5), version=2)
    pool('average_pool_2d_s16_same', 'AVERAGE_POOL_2D', s16, [1, 4, 4, 2], (3, 3), (1, 1),
         'SAME', (0.001, 0), version=3)
    pool('average_pool_2d_f32_same_relu6', 'AVERAGE_POOL_2D', f32, [1, 5, 4, 2], (2, 2), (2, 2),
         'SAME', act='RELU6')
    pool('max_pool_2d_u8_same_3x3_s2', 'MAX_POOL_2D', u8, [1, 5, 5, 2], (3, 3), (2, 2), 'SAME',
         (0.1, 128))
    pool('max_pool_2d_s8_same_relu6', 'MAX_POOL_2D', s8, [1, 6, 6, 2], (2, 2), (2, 2), 'SAME',
         (0.05, -20), 'RELU6', version=2, golden=True)
    pool('max_pool_2d_s16_valid', 'MAX_POOL_2D', s16, [1, 5, 4, 2], (3, 2), (1, 1), 'VALID',
         (0.001, 0), version=3)
    pool('max_pool_2d_f32_same_3x4_s2x3', 'MAX_POOL_2D', f32, [1, 5, 7, 2], (3, 4), (2, 3), 'SAME',
         golden=True)
    # SOFTMAX: beta != 1, extreme inputs, differences below diff_min, int16 outputs.
    softmax('softmax_u8', u8, [1, 10], 1.0, (0.1, 100), golden=True)
    extreme = np.array([[-128, 127, 127, 0, -1, 126, -128, 5],
                        [0, 0, 0, 0, 0, 0, 0, 0]], np.int8)
    softmax('softmax_s8_beta_half_extreme', s8, [2, 8], 0.5, (0.2, -3), version=2, golden=True,
            feeds=[extreme])
    softmax('softmax_s8_beta2_fine', s8, [3, 5], 2.0, (0.01, 0), version=2)
    softmax('softmax_u8_diff_min', u8, [1, 6], 1.0, (1.0, 0),
            feeds=[np.array([[255, 254, 250, 200, 30, 0]], np.uint8)])
    softmax('softmax_u8_to_s16', u8, [1, 7], 1.0, (0.05, 128), out_dtype=s16)
    softmax('softmax_s8_to_s16', s8, [2, 4], 1.5, (0.08, -1), out_dtype=s16, version=2)
    big = np.array([[80, -80, 0, 79.5, 1e-3, -1e-3], [1, 2, 3, 4, 5, 6]], np.float32)
    softmax('softmax_f32_beta2_extreme', f32, [2, 6], 2.0, feeds=[big])
    softmax('softmax_f32_rank3', f32, [2, 2, 5], 1.0)
    # MEAN: the 4-D height/width case of MobileNet, keep_dims both ways, repeated
    # and negative axes, equal and different quantization.
    mean('mean_s8_hw_keepdims', s8, [1, 3, 3, 8], [1, 2], True, (0.05, -10), (0.02, 3), version=2,
         golden=True)
    mean('mean_u8_hw_keepdims', u8, [2, 3, 5, 2], [2, 1], True, (0.1, 128), (0.1, 128))
    mean('mean_u8_last_axis', u8, [2, 3, 5], [-1], False, (0.1, 100), (0.05, 90), golden=True)
    mean('mean_s8_same_quant', s8, [3, 4, 2], [0, 2], False, (0.07, -4), (0.07, -4), version=2)
    mean('mean_s16', s16, [2, 3, 4], [1], True, (0.001, 0), (0.0005, 0), version=3)
    mean('mean_f32_repeated_axes', f32, [2, 3, 4], [0, 2, -1], False)
    mean('mean_f32_all_keepdims', f32, [2, 3], [0, 1], True)
    # QUANTIZE: float -> int with rounding ties and clamping, uint8 <-> int8 shifts,
    # rescaling requantization, int16, per-channel output.
    ties = (np.arange(-6, 6, dtype=np.float32) + 0.5) * 0.25
    ties = np.concatenate([ties, np.array([1000, -1000, 0.0, -0.0], np.float32)])
    quantize('quantize_f32_s8_ties', [16], (f32,), (s8, 0.25, 3), golden=True, feeds=[ties])
    quantize('quantize_f32_u8', [2, 8], (f32,), (u8, 0.1, 128))
    quantize('quantize_f32_s16', [12], (f32,), (s16, 1.0 / 4096, 0), version=2)
    quantize('quantize_u8_s8', [16], (u8, 0.05, 128), (s8, 0.05, 0), golden=True)
    quantize('quantize_s8_u8', [16], (s8, 0.05, -10), (u8, 0.05, 118))
    quantize('quantize_u8_u8_rescale', [12], (u8, 0.05, 100), (u8, 0.08, 50))
    quantize('quantize_s8_s8_upscale', [12], (s8, 0.2, 1), (s8, 0.05, -2))
    quantize('quantize_s16_s8', [10], (s16, 1.0 / 1024, 0), (s8, 1.0 / 32, 5), version=2)
    quantize('quantize_s16_s16', [10], (s16, 1.0 / 1024, 0), (s16, 1.0 / 4096, 0), version=2)
    case('quantize_f32_s8_per_channel', 'QUANTIZE', 3, [T([2, 3], f32)],
         T([2, 3], s8, [0.1, 0.2, 0.3], [0, 1, -1], qdim=1))
    # DEQUANTIZE: every integer type, float16 (subnormals, infinities, NaN), per channel.
    case('dequantize_u8', 'DEQUANTIZE', 1, [T([2, 5], u8, 0.3, 7)], T([2, 5], f32))
    case('dequantize_s8', 'DEQUANTIZE', 2, [T([10], s8, 0.125, -3)], T([10], f32))
    case('dequantize_s16', 'DEQUANTIZE', 3, [T([8], s16, 1.0 / 1024, 0)], T([8], f32))
    halves = np.array([0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x3c00, 0xbc00, 0x7bff, 0xfbff,
                       0x7c00, 0xfc00, 0x7e00, 0x7c01, 0x3555, 0x0200, 0x8001],
                      np.uint16).view(np.float16)
    case('dequantize_f16_special', 'DEQUANTIZE', 3, [T([16], np.float16)], T([16], f32),
         feeds=[halves])
    case('dequantize_f16', 'DEQUANTIZE', 3, [T([2, 4], np.float16)], T([2, 4], f32),
         feeds=[np.array([[0.5, -2.25, 65504, 6.1e-5], [1e-7, -0.0, 3.14, -1000]], np.float16)],
         golden=True)
    weights = np.array([[-128, 127, 0, 5], [3, -3, 100, -100], [1, 2, -1, -2]], np.int8)
    case('dequantize_s8_per_channel', 'DEQUANTIZE', 5,
         [T([3, 4], s8, [0.5, 0.01, 0.003], [0, 0, 0], data=weights, qdim=0)], T([3, 4], f32),
         golden=True)


# ---- RESHAPE (golden runner only) -------------------------------------------------

def reshape_cases():
    """(name, tensors, inputs, outputs, options, feeds) of the RESHAPE goldens."""
    f32, s8, u8 = np.float32, np.int8, np.uint8
    r = []
    r.append(('reshape_s8_infer_dim', [T([1, 2, 3, 4], s8, 0.1, 2), T([2], np.int32, data=[-1, 6]),
                                       T([4, 6], s8, 0.1, 2)], [0, 1], [2], {'new_shape': [-1, 6]}))
    r.append(('reshape_u8_shape_input', [T([2, 6], u8, 0.5, 3), T([3], np.int32),
                                         T([3, 2, 2], u8, 0.5, 3)], [0, 1], [2],
              {'new_shape': [3, 2, 2]}))
    r.append(('reshape_f32_to_scalar', [T([1, 1], f32), T([0], np.int32), T([], f32)], [0, 1],
              [2], None))
    r.append(('reshape_f32_legacy_scalar', [T([1], f32), T([], f32)], [0], [1],
              {'new_shape': [0]}))
    return r


# ---- Error models -------------------------------------------------------------------

def error_cases():
    """(name, message fragment, op, version, tensors, inputs, outputs, opt_type, opts)."""
    f32, s8, u8 = np.float32, np.int8, np.uint8
    pool_opts = {'padding': 'VALID', 'stride_w': 1, 'stride_h': 1, 'filter_width': 2,
                 'filter_height': 2}
    return [
        ('add_output_scale_too_small', 'too small', 'ADD', 1,
         [T([4], u8, 1.0, 0), T([4], u8, 1.0, 0), T([4], u8, 1e-9, 0)], [0, 1], [2],
         'AddOptions', {}),
        ('add_shapes_do_not_broadcast', 'do not broadcast', 'ADD', 1,
         [T([2, 3], f32), T([4], f32), T([2, 3], f32)], [0, 1], [2], 'AddOptions', {}),
        ('add_uint32', 'not supported', 'ADD', 4,
         [T([2], np.uint32), T([2], np.uint32), T([2], np.uint32)], [0, 1], [2], 'AddOptions',
         {}),
        ('add_u8_zero_point_out_of_range', 'zero point', 'ADD', 1,
         [T([2], u8, 0.1, 300), T([2], u8, 0.1, 0), T([2], u8, 0.1, 0)], [0, 1], [2],
         'AddOptions', {}),
        ('average_pool_quantization_differs', 'differs from the input', 'AVERAGE_POOL_2D', 2,
         [T([1, 3, 3, 1], s8, 0.1, 0), T([1, 2, 2, 1], s8, 0.1, 5)], [0], [1], 'Pool2DOptions',
         pool_opts),
        ('max_pool_zero_stride', 'bad pooling options', 'MAX_POOL_2D', 1,
         [T([1, 3, 3, 1], f32), T([1, 2, 2, 1], f32)], [0], [1], 'Pool2DOptions',
         dict(pool_opts, stride_w=0)),
        ('reshape_two_stretch_dims', 'more than one -1', 'RESHAPE', 1,
         [T([2, 3], f32), T([2, 3], f32)], [0], [1], 'ReshapeOptions', {'new_shape': [-1, -1]}),
        ('reshape_count_mismatch', 'cannot reshape 6 elements', 'RESHAPE', 1,
         [T([2, 3], f32), T([2], np.int32, data=[4, 2]), T([4, 2], f32)], [0, 1], [2],
         'ReshapeOptions', {}),
        ('softmax_s8_output_zero_point', 'zero point -128', 'SOFTMAX', 2,
         [T([1, 4], s8, 0.1, 0), T([1, 4], s8, 1.0 / 256, 0)], [0], [1], 'SoftmaxOptions',
         {'beta': 1.0}),
        ('mean_axis_out_of_range', 'out of range', 'MEAN', 1,
         [T([2, 3], f32), T([1], np.int32, data=[2]), T([2], f32)], [0, 1], [2],
         'ReducerOptions', {'keep_dims': False}),
        ('quantize_float_output', 'cannot quantize float32 to float32', 'QUANTIZE', 1,
         [T([4], f32), T([4], f32)], [0], [1], None, None),
        ('dequantize_float_input', 'cannot dequantize float32', 'DEQUANTIZE', 1,
         [T([4], f32), T([4], f32)], [0], [1], None, None),
    ]


# ---- Writers --------------------------------------------------------------------

def c_array(ctype, name, values, per_line=12):
    vals = list(values)
    lines = []
    for i in range(0, len(vals), per_line):
        lines.append('    ' + ', '.join(vals[i:i + per_line]) + ',')
    body = '\n'.join(lines) if vals else '    0,'
    return 'static const %s %s[] = {\n%s\n};\n' % (ctype, name, body)


def data_array(name, a):
    """A tensor's data as a C array: integers as such, floats as bit patterns."""
    a = np.ascontiguousarray(a)
    if a.dtype == np.float32:
        return c_array('uint32_t', name, ['0x%08xu' % v for v in a.view(np.uint32).ravel()], 8)
    if a.dtype == np.float16:
        return c_array('uint16_t', name, ['0x%04xu' % v for v in a.view(np.uint16).ravel()], 8)
    ctype = {np.uint8: 'uint8_t', np.int8: 'int8_t', np.int16: 'int16_t',
             np.int32: 'int32_t'}[a.dtype.type]
    return c_array(ctype, name, [str(int(v)) for v in a.ravel()], 16)


def c_float(x):
    """The shortest literal that reads back as the same float32."""
    text = np.format_float_positional(np.float32(x), unique=True, trim='0')
    if len(text) > 12:
        text = np.format_float_scientific(np.float32(x), unique=True, trim='0')
    return text + 'f'


def c_tensor(t, data_name):
    dims = ','.join(str(d) for d in t.shape) or '0'
    q = 'NOQ'
    if t.scale is not None:
        if len(t.scales()) > 1:
            q = 'QC(%s,%d,%d,%d,%s)' % (c_float(t.scales()[0]), t.zps()[0], len(t.scales()),
                                        t.qdim, data_name)
        else:
            q = 'Q(%s,%d)' % (c_float(t.scales()[0]), t.zps()[0])
    return '{%s,%d,{%s},%s,DATA(%s)}' % (SPRY_TYPE[t.dtype][10:], len(t.shape), dims, q,
                                         data_name)


HEADER_TYPES = '''typedef enum MiscOp {
  MISC_ADD,
  MISC_AVERAGE_POOL_2D,
  MISC_MAX_POOL_2D,
  MISC_SOFTMAX,
  MISC_MEAN,
  MISC_QUANTIZE,
  MISC_DEQUANTIZE,
} MiscOp;

typedef struct MiscTensor {
  SpryType type;
  int32_t rank;
  int32_t dims[6];
  float scale;          /* first (or only) scale; 0 when not quantized */
  int32_t zero_point;
  int32_t num_channels; /* 0 not quantized, 1 per tensor, >1 per channel */
  int32_t channel_dim;
  const float *scales;  /* per channel only */
  const int32_t *zero_points;
  const void *data;     /* input data or expected output; floats as bit patterns */
  size_t bytes;
} MiscTensor;

typedef struct MiscCase {
  const char *name;
  MiscOp op;
  MiscTensor input1, input2, output;
  int32_t activation;   /* ADD and pooling */
  bool pot_scale_int16; /* ADD */
  int32_t padding;      /* pooling: 0 SAME, 1 VALID */
  int32_t stride_h, stride_w, filter_h, filter_w;
  float beta;           /* SOFTMAX */
  int32_t num_axes;     /* MEAN */
  int32_t axes[6];
  bool keep_dims;
} MiscCase;

/* Shorthands of the table below. */
#define FLOAT32 SPRY_TYPE_FLOAT32
#define FLOAT16 SPRY_TYPE_FLOAT16
#define INT32 SPRY_TYPE_INT32
#define UINT8 SPRY_TYPE_UINT8
#define INT8 SPRY_TYPE_INT8
#define INT16 SPRY_TYPE_INT16
#define NOQ 0.0f, 0, 0, 0, NULL, NULL
#define Q(scale, zp) scale, zp, 1, 0, NULL, NULL
#define QC(scale, zp, n, dim, name) scale, zp, n, dim, name##_scales, name##_zps
#define DATA(name) name, sizeof name
'''

OP_ENUM = {'ADD': 'MISC_ADD', 'AVERAGE_POOL_2D': 'MISC_AVERAGE_POOL_2D',
           'MAX_POOL_2D': 'MISC_MAX_POOL_2D', 'SOFTMAX': 'MISC_SOFTMAX', 'MEAN': 'MISC_MEAN',
           'QUANTIZE': 'MISC_QUANTIZE', 'DEQUANTIZE': 'MISC_DEQUANTIZE'}


def write_golden(root, name, model, feeds, outputs):
    d = os.path.join(root, 'tests', 'data', 'goldens', 'op_' + name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    open(os.path.join(d, 'model.tflite'), 'wb').write(model)
    for i, x in enumerate(feeds):
        open(os.path.join(d, 'input_%d.bin' % i), 'wb').write(np.ascontiguousarray(x).tobytes())
    for i, y in enumerate(outputs):
        open(os.path.join(d, 'output_%d.bin' % i), 'wb').write(np.ascontiguousarray(y).tobytes())


def run_case(c):
    """Builds, feeds and runs a case; returns (model, feeds, output)."""
    tensors = c['ins'] + [c['out']]
    n = len(c['ins'])
    model = model_bytes(c['op'], c['version'], tensors, list(range(n)), [n], c['opt_type'],
                        c['opts'])
    rng = rng_for(c['name'])
    feeds = c['feeds'] or [random_data(rng, t) for t in c['ins'] if t.data is None]
    (out,) = run_ref(model, feeds)
    return model, feeds, out


def case_entry(index, c, feeds, out, arrays):
    ident = 'c%d' % index  # array names: c<case>_in<i>, c<case>_out
    ins = [t for t in c['ins'] if c['op'] != 'MEAN' or t.dtype != np.int32]
    vals = list(feeds)
    for t in ins:  # constant inputs (per-channel weights) are data too
        if t.data is not None:
            vals.append(t.data)
    names = []
    for i, (t, x) in enumerate(zip(ins, vals)):
        nm = '%s_in%d' % (ident, i + 1)
        arrays.append(data_array(nm, x))
        names.append(nm)
        if t.scale is not None and len(t.scales()) > 1:
            arrays.append(c_array('float', nm + '_scales', [c_float(s) for s in t.scales()]))
            arrays.append(c_array('int32_t', nm + '_zps', [str(z) for z in t.zps()]))
    onm = ident + '_out'
    arrays.append(data_array(onm, out))
    o = c['out']
    if o.scale is not None and len(o.scales()) > 1:
        arrays.append(c_array('float', onm + '_scales', [c_float(s) for s in o.scales()]))
        arrays.append(c_array('int32_t', onm + '_zps', [str(z) for z in o.zps()]))
    e = c['extra']
    t1 = c_tensor(ins[0], names[0])
    t2 = c_tensor(ins[1], names[1]) if len(ins) > 1 else '{0}'
    to = c_tensor(o, onm)
    fields = ['.name = "%s"' % c['name'], '.op = %s' % OP_ENUM[c['op']],
              '\n     .input1 = %s' % t1, '\n     .input2 = %s' % t2, '\n     .output = %s' % to]
    opt = []
    if e.get('activation'):
        opt.append('.activation = %d' % e['activation'])
    if e.get('pot_scale_int16'):
        opt.append('.pot_scale_int16 = true')
    if 'padding' in e:
        opt.append('.padding = %d' % (1 if e['padding'] == 'VALID' else 0))
        opt.append('.stride_h = %d, .stride_w = %d' % tuple(e['stride']))
        opt.append('.filter_h = %d, .filter_w = %d' % tuple(e['filter']))
    if 'beta' in e:
        opt.append('.beta = %s' % c_float(e['beta']))
    if 'axes' in e:
        opt.append('.num_axes = %d, .axes = {%s}' % (len(e['axes']),
                                                   ', '.join(str(a) for a in e['axes'])))
        opt.append('.keep_dims = %s' % ('true' if e['keep_dims'] else 'false'))
    if opt:
        fields.append('\n     ' + ', '.join(opt))
    return ('    {' + ', '.join(fields) + '},\n').replace(', \n', ',\n')


def write_header(path, entries, what):
    text = ('/* SPDX-License-Identifier: Apache-2.0 */\n'
            '/* %s — generated by tools/goldens/make_misc_cases.py; do not edit. */\n' % what)
    text += '#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n\n'
    text += '#include "spry/spry.h"\n\n'
    text += entries
    open(path, 'w').write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--root', default='.', help='repository root')
    root = ap.parse_args().root
    define_cases()
    data_dir = os.path.join(root, 'tests', 'kernels', 'data')
    os.makedirs(data_dir, exist_ok=True)

    arrays, entries = [], []
    for i, c in enumerate(CASES):
        model, feeds, out = run_case(c)
        entries.append(case_entry(i, c, feeds, out, arrays))
        if c['golden']:
            write_golden(root, c['name'], model, feeds, [out])
    body = HEADER_TYPES + '\n' + '\n'.join(arrays) + '\nstatic const MiscCase misc_cases[] = {\n'
    body += ''.join(entries) + '};\n'
    write_header(os.path.join(data_dir, 'misc_cases.h'), body, 'misc_cases.h')

    for name, tensors, inputs, outputs, opts in reshape_cases():
        model = model_bytes('RESHAPE', 1, tensors, inputs, outputs,
                            'ReshapeOptions' if opts is not None else None, opts)
        rng = rng_for(name)
        feeds = []
        for i in inputs:
            t = tensors[i]
            if t.data is None:
                # A shape fed at run time holds the new_shape of the options.
                feeds.append(np.array(opts['new_shape'] if opts else [], np.int32)
                             if t.dtype == np.int32 else random_data(rng, t))
        outs = run_ref(model, feeds)
        write_golden(root, name, model, feeds, outs)

    err_dir = os.path.join(data_dir, 'misc_errors')
    if os.path.isdir(err_dir):
        shutil.rmtree(err_dir)
    os.makedirs(err_dir)
    rows = []
    for name, fragment, op, version, tensors, inputs, outputs, opt_type, opts in error_cases():
        model = model_bytes(op, version, tensors, inputs, outputs, opt_type, opts)
        open(os.path.join(err_dir, name + '.tflite'), 'wb').write(model)
        rows.append('    {"%s", "%s"},\n' % (name, fragment))
    errors = ('typedef struct MiscErrorCase {\n'
              '  const char *name;     /* misc_errors/<name>.tflite */\n'
              '  const char *fragment; /* expected in the error message */\n'
              '} MiscErrorCase;\n\n'
              'static const MiscErrorCase misc_error_cases[] = {\n' + ''.join(rows) + '};\n')
    write_header(os.path.join(data_dir, 'misc_errors.h'), errors, 'misc_errors.h')
    print('wrote %d kernel cases, %d goldens, %d error models' % (
        len(CASES), sum(c['golden'] for c in CASES) + len(reshape_cases()), len(rows)))


if __name__ == '__main__':
    main()
