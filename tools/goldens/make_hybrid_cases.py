#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden cases of hybrid (dynamic-range) FULLY_CONNECTED and
BATCH_MATMUL: float32 activations, constant int8 weights, inputs quantized
to int8 at run time.

Usage (from the repository root; development tooling only, never needed by the
test suite):

    python3 tools/goldens/make_hybrid_cases.py [--root .]

Needs numpy, tensorflow, ai_edge_litert and flatc. Two sources of models:

  * TFLiteConverter dynamic-range quantization (Optimize.DEFAULT, no
    representative data set) of small Keras Dense layers: what users get. The
    converter feeds the int8 weights straight into FULLY_CONNECTED (version
    12: per-channel weights, asymmetric_quantize_inputs=true); the script
    checks that before writing.
  * one-operator models written as JSON and compiled by flatc for the
    variants the converter does not emit: per-tensor weights, symmetric
    input quantization, keep_num_dims, TANH.

The reference is ai_edge_litert with OpResolverType.BUILTIN_REF:

  tests/data/goldens/op_<op>_hybrid_<variant>/
      model.tflite, input_0.bin, output_0.bin

Everything is deterministic: rerunning the script reproduces the same bytes
(the converter's output for a given TensorFlow version included).
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_lstm_cases import flatc_compile, run_ref, write  # noqa: E402

ACT = {'none': 'NONE', 'relu': 'RELU', 'relu6': 'RELU6', 'tanh': 'TANH'}


# ---- models from the converter ---------------------------------------------------

def converted_dense(rng, batch, depth, units, act, bias):
    import tensorflow as tf
    inp = tf.keras.Input(shape=(depth,), batch_size=batch)
    layer = tf.keras.layers.Dense(units, activation=act, use_bias=bias)
    model = tf.keras.Model(inp, layer(inp))
    w = rng.normal(size=(depth, units)).astype(np.float32) * 0.3
    layer.set_weights([w, rng.normal(size=units).astype(np.float32) * 0.2] if bias else [w])
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    return conv.convert()


def check_hybrid(model, op):
    """The op must read int8 weights directly (no DEQUANTIZE in between)."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    it = Interpreter(model_content=model,
                     experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    ops = it._get_ops_details()
    names = [o['op_name'] for o in ops]
    assert names == [op], names
    types = {t['index']: t['dtype'] for t in it.get_tensor_details()}
    assert types[ops[0]['inputs'][0]] == np.float32
    assert types[ops[0]['inputs'][1]] == np.int8


# ---- one-operator models by flatc ----------------------------------------------------

def tensor(shape, dtype, name, buffer, q=None):
    t = {'shape': list(shape), 'type': dtype, 'name': name, 'buffer': buffer}
    if q is not None:
        scales, dim = q
        t['quantization'] = {'scale': [float(np.float32(s)) for s in scales],
                             'zero_point': [0] * len(scales), 'quantized_dimension': dim}
    return t


def quantize_weights(w, per_channel, axis):
    """Symmetric int8 weights: one scale, or one per index of `axis`."""
    if per_channel:
        other = tuple(i for i in range(w.ndim) if i != axis)
        scales = np.abs(w).max(axis=other) / 127
        shape = [1] * w.ndim
        shape[axis] = -1
        q = np.round(w / scales.reshape(shape))
    else:
        scales = np.array([np.abs(w).max() / 127])
        q = np.round(w / scales[0])
    return np.clip(q, -127, 127).astype(np.int8), scales.astype(np.float32)


def one_op_model(op, code, version, tensors, buffers, inputs, outputs, opts_type, opts):
    node = {'opcode_index': 0, 'inputs': inputs, 'outputs': outputs,
            'builtin_options_type': opts_type, 'builtin_options': opts}
    return flatc_compile({
        'version': 3,
        'operator_codes': [{'deprecated_builtin_code': min(code, 127), 'builtin_code': op,
                            'version': version}],
        'subgraphs': [{'tensors': tensors, 'inputs': [0], 'outputs': outputs,
                       'operators': [node]}],
        'buffers': buffers})


def fc_model(rng, in_shape, units, per_channel, asym, act, bias, keep_dims):
    depth = in_shape[-1]
    w, scales = quantize_weights(rng.normal(size=(units, depth)) * 0.4, per_channel, 0)
    tensors = [tensor(in_shape, 'FLOAT32', 'input', 1),
               tensor([units, depth], 'INT8', 'weights', 2, (scales, 0))]
    buffers = [{}, {}, {'data': list(w.tobytes())}]
    inputs = [0, 1, -1]
    if bias:
        b = (rng.normal(size=units) * 0.2).astype(np.float32)
        tensors.append(tensor([units], 'FLOAT32', 'bias', 3))
        buffers.append({'data': list(b.tobytes())})
        inputs[2] = 2
    if keep_dims:
        out_shape = list(in_shape[:-1]) + [units]
    else:
        out_shape = [int(np.prod(in_shape)) // depth, units]
    tensors.append(tensor(out_shape, 'FLOAT32', 'output', len(buffers)))
    buffers.append({})
    opts = {'fused_activation_function': ACT[act], 'keep_num_dims': keep_dims,
            'asymmetric_quantize_inputs': asym}
    version = 12 if per_channel else (9 if asym else 3)
    return one_op_model('FULLY_CONNECTED', 9, version, tensors, buffers, inputs,
                        [len(tensors) - 1], 'FullyConnectedOptions', opts)


def emit(root, name, model, shape, rng, zero=False):
    x = np.zeros(shape, np.float32) if zero else rng.normal(size=shape).astype(np.float32)
    write(root, name, model, [x], run_ref(model, [x], invokes=1))


def fc_cases(root):
    rng = np.random.default_rng(20240611)
    for name, batch, depth, units, act, bias in [
            ('conv_relu_b1', 1, 37, 33, 'relu', True),
            ('conv_relu6_b3', 3, 23, 47, 'relu6', True),
            ('conv_nobias_b3', 3, 29, 37, None, False)]:
        model = converted_dense(rng, batch, depth, units, act, bias)
        check_hybrid(model, 'FULLY_CONNECTED')
        emit(root, 'op_fully_connected_hybrid_' + name, model, [batch, depth], rng)
    for name, shape, units, pc, asym, act, bias, keep in [
            ('tensor_sym_relu', [3, 21], 11, False, False, 'relu', True, False),
            ('tensor_asym_nobias', [1, 45], 9, False, True, 'none', False, False),
            ('channel_sym_relu6', [3, 17], 13, True, False, 'relu6', True, False),
            ('channel_asym_keep_dims', [2, 3, 15], 5, True, True, 'tanh', True, True)]:
        model = fc_model(rng, shape, units, pc, asym, act, bias, keep)
        emit(root, 'op_fully_connected_hybrid_' + name, model, shape, rng)
    model = fc_model(rng, [3, 10], 4, True, True, 'relu', True, False)
    emit(root, 'op_fully_connected_hybrid_zero_input', model, [3, 10], rng, zero=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--root', default='.')
    args = ap.parse_args()
    fc_cases(args.root)


if __name__ == '__main__':
    main()
