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
    representative data set) of small Keras Dense layers and a batched
    tf.linalg.matmul with constant weights (the converter quantizes weights of
    at least 1024 elements): what users get. The converter
    feeds the int8 weights straight into FULLY_CONNECTED (version 12:
    per-channel weights, asymmetric_quantize_inputs=true) and BATCH_MATMUL
    (per-tensor weights); the script checks that before writing.
  * one-operator models written as JSON and compiled by flatc for the
    variants the converter does not emit: per-tensor weights, symmetric
    input quantization, keep_num_dims, TANH; BATCH_MATMUL with adj_x/adj_y,
    broadcast batch dimensions, per-channel weights, both input
    quantizations, an rhs with a 1 before its matrix (which TFLite folds
    away; with adj_x too, compared with TFLite's result on the lhs transposed
    beforehand, see bmm_adj_x_folded) and two varying batch dimensions (where
    TFLite looks up row scales and column sums at its own positions).

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


def converted_matmul(rng, lhs_shape, rhs_shape):
    import tensorflow as tf
    w = tf.constant((rng.normal(size=rhs_shape) * 0.3).astype(np.float32))

    @tf.function(input_signature=[tf.TensorSpec(lhs_shape, tf.float32)])
    def matmul(x):
        return tf.linalg.matmul(x, w)
    conv = tf.lite.TFLiteConverter.from_concrete_functions([matmul.get_concrete_function()],
                                                          matmul)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    return conv.convert()


def bmm_model(rng, lhs_shape, rhs_shape, adj_x=False, adj_y=False, asym=False,
              per_channel=False):
    """A hybrid BATCH_MATMUL: float lhs, constant int8 rhs (per tensor, or per
    output column), float output."""
    cols_axis = len(rhs_shape) - (2 if adj_y else 1)
    w, scales = quantize_weights(rng.normal(size=rhs_shape) * 0.4, per_channel, cols_axis)
    def operand(shape, adjoint):
        return np.swapaxes(np.zeros(shape), -1, -2) if adjoint else np.zeros(shape)
    out_shape = np.matmul(operand(lhs_shape, adj_x), operand(rhs_shape, adj_y)).shape
    tensors = [tensor(lhs_shape, 'FLOAT32', 'lhs', 1),
               tensor(rhs_shape, 'INT8', 'rhs', 2, (scales, cols_axis if per_channel else 0)),
               tensor(out_shape, 'FLOAT32', 'output', 3)]
    buffers = [{}, {}, {'data': list(w.tobytes())}, {}]
    opts = {'adj_x': adj_x, 'adj_y': adj_y, 'asymmetric_quantize_inputs': asym}
    return one_op_model('BATCH_MATMUL', 126, 4 if asym else 1, tensors, buffers, [0, 1], [2],
                        'BatchMatMulOptions', opts)


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


def bmm_cases(root):
    rng = np.random.default_rng(20240917)
    model = converted_matmul(rng, [3, 5, 16], [3, 16, 24])
    check_hybrid(model, 'BATCH_MATMUL')
    emit(root, 'op_batch_matmul_hybrid_conv_batch3', model, [3, 5, 16], rng)
    for name, lhs, rhs, kw in [
            ('tensor_sym_2d', [4, 7], [7, 5], {}),
            ('tensor_asym_adj_xy', [3, 6, 4], [3, 5, 6], dict(adj_x=True, adj_y=True, asym=True)),
            ('tensor_sym_adj_x_bcast', [2, 1, 5, 3], [4, 5, 6], dict(adj_x=True)),
            ('tensor_asym_two_batch_dims', [2, 3, 4, 5], [2, 3, 5, 6], dict(asym=True)),
            ('tensor_asym_rhs_one_folded', [2, 3, 4, 5], [2, 1, 5, 6], dict(asym=True)),
            ('tensor_sym_5d_bcast', [2, 1, 2, 3, 4], [1, 2, 1, 4, 3], {}),
            ('channel_asym_adj_y', [2, 3, 8], [2, 5, 8], dict(adj_y=True, asym=True,
                                                              per_channel=True)),
            ('channel_sym_bcast', [3, 4, 6], [6, 5], dict(per_channel=True))]:
        model = bmm_model(rng, lhs, rhs, **kw)
        emit(root, 'op_batch_matmul_hybrid_' + name, model, lhs, rng)
    bmm_adj_x_folded(root)


def bmm_adj_x_folded(root):
    """adj_x with an rhs 1 before its matrix: TFLite folds the lhs's batch
    dimension into rows that no longer match its transposed data (most of its
    output stays zero), so the expected output is TFLite's for the same
    product without adj_x: the lhs transposed beforehand, the same weights."""
    lhs, rhs, seed = [2, 3, 4, 5], [2, 1, 5, 6], 20240918
    plain = bmm_model(np.random.default_rng(seed), lhs, rhs, asym=True)
    adjoint = bmm_model(np.random.default_rng(seed), [2, 3, 5, 4], rhs, adj_x=True, asym=True)
    x = np.random.default_rng(seed + 1).normal(size=lhs).astype(np.float32)
    runs = run_ref(plain, [x], invokes=1)
    write(root, 'op_batch_matmul_hybrid_tensor_asym_adj_x_rhs_one', adjoint,
          [np.ascontiguousarray(np.swapaxes(x, -1, -2))], runs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--root', default='.')
    ap.add_argument('--only', default='', help='comma-separated families: fc,bmm')
    args = ap.parse_args()
    families = {'fc': fc_cases, 'bmm': bmm_cases}
    for family, write_cases in families.items():
        if not args.only or family in args.only.split(','):
            write_cases(args.root)


if __name__ == '__main__':
    main()
