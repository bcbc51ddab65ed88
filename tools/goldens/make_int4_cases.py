#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden cases of the ops that take int4 (TensorType INT4 = 17)
constant weights: FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D and DEQUANTIZE
(alone, and feeding a float32 FULLY_CONNECTED, where Spry folds it).

Usage (from the repository root; development tooling only, never needed by the
test suite):

    python3 tools/goldens/make_int4_cases.py [--root .] [--only NAME,...]

Needs numpy, ai_edge_litert and flatc. Each case is a one-operator model
built with make_misc_cases.model_bytes (flatc from JSON) whose int4 weights
are stored as TFLite stores them: packed two values a byte, element 2i in the
low nibble and element 2i + 1 in the high nibble of byte i, ceil(n / 2) bytes
in all (an odd count leaves the last high nibble unused, written as 0). Every
weight tensor has an odd element count and holds each value of -8..7. Inputs
come from a fixed seed; the model runs with ai_edge_litert's BUILTIN_REF
resolver (TFLite's reference kernels, which Spry's must match bit for bit).

Written to tests/data/goldens/op_<case>/ {model.tflite, input_<i>.bin,
output_<i>.bin}; every case must be listed in tests/engine/meson.build (the
"int4 weights" group); the script prints the names. A case the reference
runtime refuses is reported and not written. Models Spry must refuse (a
buffer one byte short or long, an int4 activation, pairings TFLite's kernels
refuse or misread) go to tests/kernels/data/int4_errors/<name>.tflite, listed
with the expected message fragment in tests/kernels/data/int4_errors.h for
tests/kernels/test_int4.c, with the depthwise cases again as version 7 (the
version TFLite's converter gives int4 depthwise weights, which the reference
resolver does not register) in tests/kernels/data/int4_v7/<case>.tflite,
whose outputs must equal the golden's. The model of the cases in SEEDS goes to
tests/data/models/<case>.tflite instead (the golden names it in model.txt):
it also seeds the fuzzer and the corruption sweep. Deterministic: rerunning
reproduces the same bytes.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_misc_cases as mm  # noqa: E402


class Int4:
    """Stands for the int4 element type in make_misc_cases' type table."""


mm.TFL_TYPE[Int4] = 'INT4'
s8, s16, s32, s64, f32 = np.int8, np.int16, np.int32, np.int64, np.float32


class Packed:
    """int4 values in [-8, 7] with the byte layout of a TFLite buffer;
    `resize` bytes are added (or, negative, dropped) for the error models."""

    def __init__(self, values, resize=0):
        self.values = np.asarray(values, dtype=np.int64).ravel()
        assert self.values.min() >= -8 and self.values.max() <= 7
        self.resize = resize

    def tobytes(self):
        nibbles = (self.values & 0xF).astype(np.uint8)
        if nibbles.size % 2:
            nibbles = np.append(nibbles, np.uint8(0))
        packed = (nibbles[0::2] | (nibbles[1::2] << 4)).astype(np.uint8).tobytes()
        return packed + b'\x5a' * self.resize if self.resize >= 0 else packed[:self.resize]


class T4(mm.T):
    """An int4 tensor: constant, packed when the model is written, or (values
    None) a graph input, which only the error models have."""

    def __init__(self, shape, scale, values, zp=None, qdim=0, resize=0):
        super().__init__(shape, s8, scale, zp, None, qdim)
        self.dtype = Int4
        self.data = None if values is None else Packed(values, resize)


def int4_values(rng, count):
    """`count` int4 values (an odd count) that include every value -8..7."""
    assert count % 2 == 1 and count >= 16
    values = rng.integers(-8, 8, size=count)
    values[rng.permutation(count)[:16]] = np.arange(-8, 8)
    return values


def channel_scales(rng, n, base):
    return [float(np.float32(base * (0.5 + rng.random()))) for _ in range(n)]


CASES = []
SEEDS = ('fully_connected_int4_per_channel_relu_b2',)  # also in tests/data/models/


def case(name, op, version, ins, out, opt_type=None, opts=None):
    """ins: input tensors (constants carry data, -1 for an absent one); out: the output."""
    CASES.append(dict(name=name, op=op, version=version, ins=ins, out=out, opt_type=opt_type,
                      opts=opts))


def define_fully_connected():
    rng = mm.rng_for('fully_connected_int4')
    # Per-tensor weights, batch 3, odd depth: 5 x 13 = 65 weights.
    w = T4([5, 13], 0.11, int4_values(rng, 65))
    bias = mm.T([5], s32, 0.05 * 0.11, 0, rng.integers(-300, 300, 5))
    case('fully_connected_int4_per_tensor_b3', 'FULLY_CONNECTED', 10,
         [mm.T([3, 13], s8, 0.05, -3), w, bias], mm.T([3, 5], s8, 0.2, 4),
         'FullyConnectedOptions', {'fused_activation_function': 'NONE'})
    # Per-channel weights (one scale per unit), RELU, no bias: 7 x 9 = 63.
    w = T4([7, 9], channel_scales(rng, 7, 0.08), int4_values(rng, 63), [0] * 7)
    case('fully_connected_int4_per_channel_relu_b2', 'FULLY_CONNECTED', 12,
         [mm.T([2, 9], s8, 0.04, 5), w, -1], mm.T([2, 7], s8, 0.1, -10),
         'FullyConnectedOptions', {'fused_activation_function': 'RELU'})
    # keep_num_dims with batch 2 x 2.
    w = T4([3, 11], 0.07, int4_values(rng, 33))
    bias = mm.T([3], s32, 0.03 * 0.07, 0, rng.integers(-200, 200, 3))
    case('fully_connected_int4_keep_dims', 'FULLY_CONNECTED', 10,
         [mm.T([2, 2, 11], s8, 0.03, 0), w, bias], mm.T([2, 2, 3], s8, 0.05, 1),
         'FullyConnectedOptions', {'fused_activation_function': 'RELU6', 'keep_num_dims': True})
    # Hybrid: float32 activations with int4 weights.
    w = T4([5, 7], 0.2, int4_values(rng, 35))
    case('fully_connected_int4_hybrid', 'FULLY_CONNECTED', 10,
         [mm.T([3, 7], f32), w, mm.T([5], f32, data=rng.normal(size=5))], mm.T([3, 5], f32),
         'FullyConnectedOptions', {'fused_activation_function': 'NONE'})
    # Hybrid with per-channel weights and asymmetrically quantized inputs.
    w = T4([3, 9], channel_scales(rng, 3, 0.15), int4_values(rng, 27), [0] * 3)
    case('fully_connected_int4_hybrid_channel_asym', 'FULLY_CONNECTED', 12,
         [mm.T([2, 9], f32), w, -1], mm.T([2, 3], f32), 'FullyConnectedOptions',
         {'fused_activation_function': 'RELU', 'asymmetric_quantize_inputs': True})
    # int16 activations with int4 weights (version 13).
    w = T4([3, 7], 0.1, int4_values(rng, 21))
    case('fully_connected_int4_s16', 'FULLY_CONNECTED', 13,
         [mm.T([2, 7], s16, 0.001, 0), w, mm.T([3], s64, 0.0001, 0, rng.integers(-500, 500, 3))],
         mm.T([2, 3], s16, 0.002, 0), 'FullyConnectedOptions',
         {'fused_activation_function': 'NONE'})


def conv_out(padding, size, filt, stride):
    return (size + stride - 1) // stride if padding == 'SAME' else (size + stride - filt) // stride


def define_conv():
    rng = mm.rng_for('conv_2d_int4')
    for name, in_shape, filt, stride, padding, act in (
            ('conv_2d_int4_valid', [1, 5, 5, 3], [3, 3, 3, 3], 1, 'VALID', 'NONE'),
            ('conv_2d_int4_same_stride2_b2', [2, 6, 7, 3], [5, 3, 3, 3], 2, 'SAME', 'RELU'),
            ('conv_2d_int4_1x1', [1, 4, 3, 9], [7, 1, 1, 9], 1, 'SAME', 'RELU6')):
        oc = filt[0]
        n = int(np.prod(filt))
        w = T4(filt, channel_scales(rng, oc, 0.05), int4_values(rng, n), [0] * oc)
        bias = mm.T([oc], s32, [0.06 * s for s in w.scales()], [0] * oc,
                    rng.integers(-400, 400, oc))
        oh = conv_out(padding, in_shape[1], filt[1], stride)
        ow = conv_out(padding, in_shape[2], filt[2], stride)
        case(name, 'CONV_2D', 7, [mm.T(in_shape, s8, 0.06, -2), w, bias],
             mm.T([in_shape[0], oh, ow, oc], s8, 0.15, 3), 'Conv2DOptions',
             {'padding': padding, 'stride_w': stride, 'stride_h': stride,
              'fused_activation_function': act})
    w = T4([3, 3, 3, 3], 0.04, int4_values(rng, 81))
    bias = mm.T([3], s32, 0.06 * 0.04, 0, rng.integers(-400, 400, 3))
    case('conv_2d_int4_per_tensor', 'CONV_2D', 7,
         [mm.T([1, 4, 4, 3], s8, 0.06, 0), w, bias], mm.T([1, 2, 2, 3], s8, 0.1, 0),
         'Conv2DOptions', {'padding': 'VALID', 'stride_w': 1, 'stride_h': 1})
    # int16 activations, int64 bias.
    w = T4([3, 3, 3, 3], channel_scales(rng, 3, 0.04), int4_values(rng, 81), [0] * 3)
    bias = mm.T([3], s64, [0.001 * s for s in w.scales()], [0] * 3, rng.integers(-900, 900, 3))
    case('conv_2d_int4_s16', 'CONV_2D', 7,
         [mm.T([1, 5, 4, 3], s16, 0.001, 0), w, bias], mm.T([1, 3, 2, 3], s16, 0.002, 0),
         'Conv2DOptions', {'padding': 'VALID', 'stride_w': 1, 'stride_h': 1})


def define_depthwise():
    """Written as version 6: the BUILTIN_REF resolver registers
    DEPTHWISE_CONV_2D up to version 6 only, although its kernel takes int4
    weights (TFLite's converter marks them version 7, which Spry accepts)."""
    rng = mm.rng_for('depthwise_conv_2d_int4')
    for name, in_shape, filt, mult, stride, padding in (
            ('depthwise_conv_2d_int4_same', [1, 5, 5, 5], [1, 3, 3, 5], 1, 1, 'SAME'),
            ('depthwise_conv_2d_int4_valid_stride2', [2, 7, 6, 5], [1, 3, 3, 5], 1, 2, 'VALID'),
            ('depthwise_conv_2d_int4_mult5', [1, 6, 5, 1], [1, 3, 3, 5], 5, 1, 'SAME')):
        oc = filt[3]
        n = int(np.prod(filt))
        w = T4(filt, channel_scales(rng, oc, 0.05), int4_values(rng, n), [0] * oc, qdim=3)
        bias = mm.T([oc], s32, [0.05 * s for s in w.scales()], [0] * oc,
                    rng.integers(-300, 300, oc))
        oh = conv_out(padding, in_shape[1], filt[1], stride)
        ow = conv_out(padding, in_shape[2], filt[2], stride)
        case(name, 'DEPTHWISE_CONV_2D', 6, [mm.T(in_shape, s8, 0.05, 1), w, bias],
             mm.T([in_shape[0], oh, ow, oc], s8, 0.1, -1), 'DepthwiseConv2DOptions',
             {'padding': padding, 'stride_w': stride, 'stride_h': stride,
              'depth_multiplier': mult, 'fused_activation_function': 'NONE'})
    # No int16 case: TFLite's int16 depthwise kernel accepts int4 weights but
    # does not unpack them (its results differ from those of the same weights
    # given as int8), so Spry refuses that pairing (see define_errors).


def graph_model(tensors, ops, graph_inputs, outputs):
    """The .tflite bytes of a model of several operators (flatc from JSON, as
    make_misc_cases.model_bytes does for one): ops are (op, version, inputs,
    outputs, options type, options)."""
    buffers, jt = [{}], []
    for i, t in enumerate(tensors):
        d = {'shape': t.shape, 'type': mm.TFL_TYPE[t.dtype], 'name': 't%d' % i,
             'buffer': len(buffers)}
        buffers.append({'data': list(t.data.tobytes())} if t.data is not None else {})
        if t.scale is not None:
            d['quantization'] = {'scale': t.scales(), 'zero_point': t.zps(),
                                 'quantized_dimension': t.qdim}
        jt.append(d)
    codes = sorted({(op, version) for op, version, *_ in ops})
    jops = []
    for op, version, ins, outs, opt_type, opts in ops:
        o = {'opcode_index': codes.index((op, version)), 'inputs': ins, 'outputs': outs}
        if opt_type:
            o['builtin_options_type'] = opt_type
            o['builtin_options'] = opts or {}
        jops.append(o)
    m = {'version': 3,
         'operator_codes': [{'deprecated_builtin_code': min(mm.BUILTIN[op], 127),
                             'builtin_code': op, 'version': version} for op, version in codes],
         'subgraphs': [{'tensors': jt, 'inputs': graph_inputs, 'outputs': outputs,
                        'operators': jops}],
         'buffers': buffers}
    with tempfile.TemporaryDirectory() as tmp:
        schema = os.path.join(tmp, 'schema.fbs')
        open(schema, 'w').write(open(mm.SCHEMA).read().replace('(deprecated)', ''))
        path = os.path.join(tmp, 'model.json')
        json.dump(m, open(path, 'w'))
        subprocess.run(['flatc', '-b', '-o', tmp, schema, path], check=True)
        return open(os.path.join(tmp, 'model.tflite'), 'rb').read()


def define_dequantize_folded():
    """DEQUANTIZE of int4 weights feeding a float32 FULLY_CONNECTED: Spry
    folds the DEQUANTIZE at prepare (engine/constant_folding.c)."""
    rng = mm.rng_for('dequantize_int4_fully_connected')
    w = T4([5, 7], channel_scales(rng, 5, 0.1), int4_values(rng, 35), [0] * 5)
    tensors = [w, mm.T([5, 7], f32), mm.T([3, 7], f32),
               mm.T([5], f32, data=rng.normal(size=5)), mm.T([3, 5], f32)]
    ops = [('DEQUANTIZE', 6, [0], [1], None, None),
           ('FULLY_CONNECTED', 1, [2, 1, 3], [4], 'FullyConnectedOptions',
            {'fused_activation_function': 'RELU'})]
    CASES.append(dict(name='dequantize_int4_fully_connected_folded',
                      model=graph_model(tensors, ops, [2], [4]), feeds=[tensors[2]]))


def define_dequantize():
    rng = mm.rng_for('dequantize_int4')
    case('dequantize_int4_per_tensor', 'DEQUANTIZE', 6,
         [T4([3, 7], 0.25, int4_values(rng, 21), zp=1)], mm.T([3, 7], f32))
    case('dequantize_int4_per_channel', 'DEQUANTIZE', 6,
         [T4([5, 1, 5], channel_scales(rng, 5, 0.1), int4_values(rng, 25), [0] * 5)],
         mm.T([5, 1, 5], f32))


ERRORS = []


def error(name, fragment, op, version, ins, out, opt_type=None, opts=None):
    ERRORS.append(dict(name=name, fragment=fragment, op=op, version=version, ins=ins, out=out,
                       opt_type=opt_type, opts=opts))


def define_errors():
    rng = mm.rng_for('int4_errors')
    fc = {'fused_activation_function': 'NONE'}

    def fc_case(name, fragment, w, in_t=None, out_t=None):
        error(name, fragment, 'FULLY_CONNECTED', 10, [in_t or mm.T([2, 7], s8, 0.05, 0), w],
              out_t or mm.T([2, 5], s8, 0.2, 0), 'FullyConnectedOptions', fc)
    values = int4_values(rng, 35)
    fc_case('fully_connected_int4_buffer_short',
            "int4 tensor 't1': buffer 2 holds 17 bytes, expected 18 (35 values packed two a byte)",
            T4([5, 7], 0.1, values, resize=-1))
    fc_case('fully_connected_int4_buffer_long',
            "int4 tensor 't1': buffer 2 holds 19 bytes, expected 18",
            T4([5, 7], 0.1, values, resize=1))
    fc_case('fully_connected_int4_activation',
            "int4 tensor 't1' has no constant data: int4 is supported for constant weights only",
            T4([5, 7], 0.1, None))
    fc_case('fully_connected_int4_u8_input',
            'unsupported type combination: input uint8, filter int4, output uint8',
            T4([5, 7], 0.1, values), mm.T([2, 7], np.uint8, 0.05, 128),
            mm.T([2, 5], np.uint8, 0.2, 128))
    fc_case('fully_connected_int4_zero_point',
            "int4 weights 't1' have zero point 2 (channel 0); only 0 is supported",
            T4([5, 7], 0.1, values, zp=2))
    w = T4([1, 3, 3, 5], [0.05] * 5, int4_values(rng, 45), [0] * 5, qdim=3)
    error('depthwise_conv_2d_int4_s16',
          'unsupported type combination: input int16, filter int4, output int16',
          'DEPTHWISE_CONV_2D', 7, [mm.T([1, 4, 5, 5], s16, 0.001, 0), w],
          mm.T([1, 4, 5, 5], s16, 0.002, 0), 'DepthwiseConv2DOptions',
          {'padding': 'SAME', 'stride_w': 1, 'stride_h': 1, 'depth_multiplier': 1})
    w = T4([3, 3, 3, 3], [0.05] * 3, int4_values(rng, 81), [0] * 3)
    error('conv_2d_int4_hybrid', 'unsupported type combination: input float32, filter int4',
          'CONV_2D', 7, [mm.T([1, 4, 4, 3], f32), w], mm.T([1, 2, 2, 3], f32), 'Conv2DOptions',
          {'padding': 'VALID', 'stride_w': 1, 'stride_h': 1})
    error('quantize_int4_input', 'cannot requantize int4 to int8', 'QUANTIZE', 4,
          [T4([3, 7], 0.25, int4_values(rng, 21))], mm.T([3, 7], s8, 0.25, 0))


def write_errors(root, errors=None, stem='int4_errors', script='make_int4_cases.py',
                 struct='Int4ErrorCase'):
    """The error models and their header tests/kernels/data/<stem>.h, an array
    <stem>_cases of `struct` (make_subbyte_cases.py writes its own)."""
    d = os.path.join(root, 'tests', 'kernels', 'data', stem)
    os.makedirs(d, exist_ok=True)
    lines = []
    for e in ERRORS if errors is None else errors:
        n = len(e['ins'])
        model = mm.model_bytes(e['op'], e['version'], e['ins'] + [e['out']], list(range(n)),
                               [n], e['opt_type'], e['opts'])
        open(os.path.join(d, e['name'] + '.tflite'), 'wb').write(model)
        lines.append('    {"%s", "%s"},' % (e['name'], e['fragment'].replace('"', '\\"')))
    header = """/* SPDX-License-Identifier: Apache-2.0 */
/* %(stem)s.h — generated by tools/goldens/%(script)s; do not edit. */
/* A model (%(stem)s/<name>.tflite) that opening or preparing must refuse
 * with a message containing `fragment`. */
typedef struct %(struct)s {
  const char *name;
  const char *fragment;
} %(struct)s;

static const %(struct)s %(array)s[] = {
%(lines)s
};
""" % dict(stem=stem, script=script, struct=struct, array=stem[:-1] + '_cases',
           lines='\n'.join(lines))
    open(os.path.join(root, 'tests', 'kernels', 'data', stem + '.h'), 'w').write(header)


def feed(rng, t):
    if t.dtype == f32:
        return (rng.normal(size=t.shape) * 2).astype(f32)
    info = np.iinfo(t.dtype)
    lo, hi = max(int(info.min), -3000), min(int(info.max), 3000)
    return rng.integers(lo, hi, size=t.shape, endpoint=True).astype(t.dtype)


def run_case(c):
    if c.get('model') is not None:  # a model of several operators
        rng = mm.rng_for(c['name'] + '/input')
        feeds = [feed(rng, t) for t in c['feeds']]
        return c['model'], feeds, mm.run_ref(c['model'], feeds)
    ins = [t for t in c['ins'] if not isinstance(t, int)]
    tensors = ins + [c['out']]
    inputs, k = [], 0
    for t in c['ins']:
        inputs.append(-1 if isinstance(t, int) else k)
        k += not isinstance(t, int)
    model = mm.model_bytes(c['op'], c['version'], tensors, inputs, [k], c['opt_type'],
                           c['opts'])
    rng = mm.rng_for(c['name'] + '/input')
    feeds = [feed(rng, t) for t in ins if t.data is None]
    return model, feeds, mm.run_ref(model, feeds)


def write_golden(root, name, model, feeds, outputs, seeds=SEEDS):
    """A golden case; a seed's model lives in tests/data/models/, named by model.txt."""
    mm.write_golden(root, name, model, feeds, outputs)
    if name not in seeds:
        return
    d = os.path.join(root, 'tests', 'data', 'goldens', 'op_' + name)
    os.remove(os.path.join(d, 'model.tflite'))
    open(os.path.join(d, 'model.txt'), 'w').write(name + '.tflite\n')
    os.makedirs(os.path.join(root, 'tests', 'data', 'models'), exist_ok=True)
    open(os.path.join(root, 'tests', 'data', 'models', name + '.tflite'), 'wb').write(model)


def write_v7(root, c):
    """The depthwise case `c` as a version 7 model (no golden of its own)."""
    ins = [t for t in c['ins'] if not isinstance(t, int)]
    model = mm.model_bytes(c['op'], 7, ins + [c['out']], list(range(len(ins))), [len(ins)],
                           c['opt_type'], c['opts'])
    d = os.path.join(root, 'tests', 'kernels', 'data', 'int4_v7')
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, c['name'] + '.tflite'), 'wb').write(model)


def write_cases(root, only, run=run_case, seeds=SEEDS):
    """Writes the golden of each case of CASES (those named in `only`, or
    all) and prints their names, and those the reference refuses; returns
    the cases written (make_subbyte_cases.py runs its own through it)."""
    written, refused = [], []
    for c in CASES:
        if only and c['name'] not in only:
            continue
        try:
            model, feeds, outputs = run(c)
        except Exception as e:  # the reference refuses it: not a golden
            refused.append((c['name'], str(e).splitlines()[0] if str(e) else repr(e)))
            continue
        write_golden(root, c['name'], model, feeds, outputs, seeds)
        written.append(c)
    for c in written:
        print("  'op_%s'," % c['name'])
    for name, why in refused:
        print('refused by the reference: %s: %s' % (name, why), file=sys.stderr)
    return written


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--root', default='.')
    ap.add_argument('--only', default='')
    args = ap.parse_args()
    define_fully_connected()
    define_conv()
    define_depthwise()
    define_dequantize()
    define_dequantize_folded()
    only = set(filter(None, args.only.split(',')))
    for c in write_cases(args.root, only):
        if c.get('op') == 'DEPTHWISE_CONV_2D':
            write_v7(args.root, c)
    if not only:
        define_errors()
        write_errors(args.root)


if __name__ == '__main__':
    main()
