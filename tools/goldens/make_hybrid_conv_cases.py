#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden cases of hybrid (dynamic-range) CONV_2D,
DEPTHWISE_CONV_2D and TRANSPOSE_CONV: float32 activations, constant int8
filters, inputs quantized to int8 at run time.

Usage (from the repository root; development tooling only, never needed by the
test suite):

    python3 tools/goldens/make_hybrid_conv_cases.py [--root .] [--only conv,dw,tconv,cnn]

Needs numpy, tensorflow, ai_edge_litert and flatc. Two sources of models:

  * TFLiteConverter dynamic-range quantization (Optimize.DEFAULT, no
    representative data set) of small Keras Conv2D, DepthwiseConv2D and
    Conv2DTranspose layers whose kernels have at least 1024 elements (smaller
    ones stay float), and of a small CNN (conv, depthwise, dense). The
    converter emits per-channel int8 filters everywhere: CONV_2D version 5,
    DEPTHWISE_CONV_2D version 6, TRANSPOSE_CONV version 3 with a bias (4
    with a fused activation), FULLY_CONNECTED version 12 in the CNN; the
    script checks each op reads a float input and an int8 filter directly
    before writing.
  * one-operator models written as JSON and compiled by flatc for what the
    converter does not emit: per-tensor filters (CONV_2D version 2,
    TRANSPOSE_CONV), per-channel filters whose scales are all equal (TFLite
    then takes the per-tensor path), stride 2, dilation, SAME and VALID
    padding, RELU and RELU6, depth multipliers above 1, batch 2, odd sizes,
    grouped convolution, no bias (DEPTHWISE_CONV_2D, TRANSPOSE_CONV; TFLite's
    CONV_2D insists on one). None of these ops has an
    asymmetric_quantize_inputs option: the kernel decides (see
    docs/architecture.md).

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
from make_hybrid_cases import ACT, one_op_model, quantize_weights, tensor  # noqa: E402
from make_lstm_cases import run_ref, write  # noqa: E402


# ---- models from the converter ---------------------------------------------------

def convert(rng, layers, in_shape):
    """Dynamic-range conversion of Keras `layers` applied in sequence; every
    weight is set from `rng` (biases non-zero so that they are kept)."""
    import tensorflow as tf
    # Layer names (and so tensor names) count the models built before:
    # start afresh, so that any --only selection writes the same bytes.
    tf.keras.backend.clear_session()
    inp = tf.keras.Input(shape=in_shape[1:], batch_size=in_shape[0])
    x = inp
    for layer in layers:
        x = layer(x)
    model = tf.keras.Model(inp, x)
    for layer in layers:
        layer.set_weights([(rng.normal(size=w.shape) * (0.3 if w.ndim > 1 else 0.2))
                           .astype(np.float32) for w in layer.get_weights()])
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    return conv.convert()


def check_hybrid(model, ops_wanted, weighted=None):
    """The model's ops must be `ops_wanted`, and those in `weighted` (all by
    default) must read a float input and int8 weights directly (no
    DEQUANTIZE in between); prints what the converter emitted."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    it = Interpreter(model_content=model,
                     experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    ops = it._get_ops_details()
    details = {t['index']: t for t in it.get_tensor_details()}
    names = [o['op_name'] for o in ops]
    assert names == ops_wanted, names
    for o in ops:
        if weighted and o['op_name'] not in weighted:
            continue
        data_in = o['inputs'][2] if o['op_name'] == 'TRANSPOSE_CONV' else o['inputs'][0]
        assert details[data_in]['dtype'] == np.float32, o
        w = details[o['inputs'][1]]
        assert w['dtype'] == np.int8, o
        print('  converter:', o['op_name'], 'int8 filter', w['shape'].tolist(),
              len(w['quantization_parameters']['scales']), 'scale(s)')


# ---- one-operator models by flatc ----------------------------------------------------

def bias_tensor(rng, n, tensors, buffers):
    b = (rng.normal(size=n) * 0.2).astype(np.float32)
    tensors.append(tensor([n], 'FLOAT32', 'bias', len(buffers)))
    buffers.append({'data': list(b.tobytes())})
    return len(tensors) - 1


def out_size(padding, size, k, stride, dil):
    eff = (k - 1) * dil + 1
    return (size + stride - 1) // stride if padding == 'SAME' else (size - eff + stride) // stride


def conv_model(rng, in_shape, out_c, k, stride=1, dil=1, padding='SAME', act='none',
               per_channel=True, equal_scales=False, bias=True, groups=1):
    n, h, w_, c = in_shape
    fc = c // groups
    w, scales = quantize_weights(rng.normal(size=(out_c, k, k, fc)) * 0.4, per_channel, 0)
    if equal_scales:
        scales = np.full_like(scales, scales.max())
    tensors = [tensor(in_shape, 'FLOAT32', 'input', 1),
               tensor([out_c, k, k, fc], 'INT8', 'filter', 2, (scales, 0))]
    buffers = [{}, {}, {'data': list(w.tobytes())}]
    inputs = [0, 1] + ([bias_tensor(rng, out_c, tensors, buffers)] if bias else [])
    oh, ow = out_size(padding, h, k, stride, dil), out_size(padding, w_, k, stride, dil)
    tensors.append(tensor([n, oh, ow, out_c], 'FLOAT32', 'output', len(buffers)))
    buffers.append({})
    opts = {'padding': padding, 'stride_w': stride, 'stride_h': stride,
            'fused_activation_function': ACT[act], 'dilation_w_factor': dil,
            'dilation_h_factor': dil}
    version = 5 if per_channel else 2
    return one_op_model('CONV_2D', 3, version, tensors, buffers, inputs, [len(tensors) - 1],
                        'Conv2DOptions', opts)


def dw_model(rng, in_shape, mult, k, stride=1, dil=1, padding='SAME', act='none',
             per_channel=True, bias=True):
    n, h, w_, c = in_shape
    oc = c * mult
    w, scales = quantize_weights(rng.normal(size=(1, k, k, oc)) * 0.4, per_channel, 3)
    tensors = [tensor(in_shape, 'FLOAT32', 'input', 1),
               tensor([1, k, k, oc], 'INT8', 'filter', 2, (scales, 3))]
    buffers = [{}, {}, {'data': list(w.tobytes())}]
    inputs = [0, 1] + ([bias_tensor(rng, oc, tensors, buffers)] if bias else [])
    oh, ow = out_size(padding, h, k, stride, dil), out_size(padding, w_, k, stride, dil)
    tensors.append(tensor([n, oh, ow, oc], 'FLOAT32', 'output', len(buffers)))
    buffers.append({})
    opts = {'padding': padding, 'stride_w': stride, 'stride_h': stride, 'depth_multiplier': mult,
            'fused_activation_function': ACT[act], 'dilation_w_factor': dil,
            'dilation_h_factor': dil}
    return one_op_model('DEPTHWISE_CONV_2D', 4, 6 if per_channel else 4, tensors, buffers,
                        inputs, [len(tensors) - 1], 'DepthwiseConv2DOptions', opts)


def tconv_model(rng, in_shape, out_c, k, stride, padding='SAME', act='none', per_channel=True,
                bias=True):
    n, h, w_, c = in_shape
    if padding == 'SAME':
        oh, ow = h * stride, w_ * stride
    else:
        oh, ow = (h - 1) * stride + k, (w_ - 1) * stride + k
    w, scales = quantize_weights(rng.normal(size=(out_c, k, k, c)) * 0.4, per_channel, 0)
    shape = np.array([n, oh, ow, out_c], np.int32)
    # The data input is tensor 0, the graph's input (see one_op_model).
    tensors = [tensor(in_shape, 'FLOAT32', 'input', 1),
               tensor([4], 'INT32', 'output_shape', 2),
               tensor([out_c, k, k, c], 'INT8', 'weights', 3, (scales, 0))]
    buffers = [{}, {}, {'data': list(shape.tobytes())}, {'data': list(w.tobytes())}]
    inputs = [1, 2, 0]
    if bias:
        inputs.append(bias_tensor(rng, out_c, tensors, buffers))
    tensors.append(tensor([n, oh, ow, out_c], 'FLOAT32', 'output', len(buffers)))
    buffers.append({})
    opts = {'padding': padding, 'stride_w': stride, 'stride_h': stride,
            'fused_activation_function': ACT[act]}
    return one_op_model('TRANSPOSE_CONV', 67, 4 if act != 'none' else 2, tensors, buffers,
                        inputs, [len(tensors) - 1], 'TransposeConvOptions', opts)


def emit(root, name, model, shape, rng, shift=0.0):
    """Random input (shifted by `shift`, so that asymmetric quantization has a
    zero point away from the middle) through BUILTIN_REF."""
    x = (rng.normal(size=shape) + shift).astype(np.float32)
    write(root, name, model, [x], run_ref(model, [x], invokes=1))


# ---- the families ---------------------------------------------------------------------

def conv_cases(root):
    import tensorflow as tf
    rng = np.random.default_rng(20250301)
    L = tf.keras.layers
    for name, layers, shape in [
            ('conv_same_relu', [L.Conv2D(24, 3, padding='same', activation='relu')], [1, 7, 9, 8]),
            ('conv_stride2_valid_b2', [L.Conv2D(16, 3, strides=2, padding='valid')],
             [2, 9, 8, 12])]:
        model = convert(rng, layers, shape)
        check_hybrid(model, ['CONV_2D'])
        emit(root, 'op_conv_2d_hybrid_' + name, model, shape, rng, shift=0.5)
    for name, shape, kw in [
            ('tensor_same_relu', [1, 6, 7, 5], dict(out_c=7, k=3, act='relu', per_channel=False)),
            ('tensor_stride2_valid_b2', [2, 9, 7, 4], dict(out_c=6, k=3, stride=2,
                                                           padding='VALID', per_channel=False)),
            ('tensor_dil2_relu6', [1, 9, 9, 3], dict(out_c=5, k=3, dil=2, act='relu6',
                                                     per_channel=False)),
            ('tensor_1x1_b2', [2, 4, 5, 6], dict(out_c=5, k=1, per_channel=False)),
            ('channel_dil2_same', [1, 8, 7, 3], dict(out_c=6, k=3, dil=2)),
            ('channel_stride2_same_relu6_b2', [2, 7, 8, 5], dict(out_c=4, k=3, stride=2,
                                                                 act='relu6')),
            ('channel_equal_scales', [1, 5, 6, 4], dict(out_c=5, k=3, equal_scales=True)),
            ('channel_valid_k2', [1, 6, 5, 3], dict(out_c=4, k=2, padding='VALID')),
            ('channel_groups2', [1, 5, 5, 6], dict(out_c=4, k=3, groups=2)),
            # Grouped with equal scales still takes TFLite's per-channel kernel.
            ('channel_groups2_equal_scales', [1, 4, 5, 6], dict(out_c=6, k=3, groups=3,
                                                                equal_scales=True))]:
        model = conv_model(rng, shape, **kw)
        emit(root, 'op_conv_2d_hybrid_' + name, model, shape, rng, shift=0.3)


def dw_cases(root):
    import tensorflow as tf
    rng = np.random.default_rng(20250302)
    L = tf.keras.layers
    for name, layers, shape in [
            ('conv_dm4_same', [L.DepthwiseConv2D(3, depth_multiplier=4, padding='same')],
             [1, 6, 6, 32]),
            ('conv_stride2_relu6', [L.DepthwiseConv2D(3, strides=2, padding='same',
                                                      activation='relu6')], [1, 7, 7, 128])]:
        model = convert(rng, layers, shape)
        check_hybrid(model, ['DEPTHWISE_CONV_2D'])
        emit(root, 'op_depthwise_conv_2d_hybrid_' + name, model, shape, rng, shift=0.5)
    for name, shape, kw in [
            ('channel_dm2_dil2_valid', [1, 9, 8, 3], dict(mult=2, k=3, dil=2, padding='VALID')),
            ('channel_stride2_relu_b2', [2, 7, 9, 4], dict(mult=1, k=3, stride=2, act='relu')),
            ('channel_dm3_odd_nobias', [1, 5, 7, 3], dict(mult=3, k=5, bias=False))]:
        model = dw_model(rng, shape, **kw)
        emit(root, 'op_depthwise_conv_2d_hybrid_' + name, model, shape, rng, shift=0.3)


def tconv_cases(root):
    import tensorflow as tf
    rng = np.random.default_rng(20250303)
    L = tf.keras.layers
    for name, layers, shape in [
            ('conv_stride2_same', [L.Conv2DTranspose(16, 3, strides=2, padding='same')],
             [1, 5, 5, 32]),
            ('conv_valid_relu', [L.Conv2DTranspose(12, 3, padding='valid', activation='relu')],
             [1, 4, 6, 32])]:
        model = convert(rng, layers, shape)
        check_hybrid(model, ['TRANSPOSE_CONV'])
        emit(root, 'op_transpose_conv_hybrid_' + name, model, shape, rng, shift=0.5)
    for name, shape, kw in [
            ('tensor_stride2_same', [1, 4, 5, 3], dict(out_c=5, k=3, stride=2, per_channel=False)),
            ('tensor_valid_b2_nobias', [2, 3, 4, 4], dict(out_c=3, k=2, stride=1, padding='VALID',
                                                         per_channel=False, bias=False)),
            ('channel_stride2_valid_relu6', [1, 3, 4, 5], dict(out_c=4, k=3, stride=2,
                                                               padding='VALID', act='relu6')),
            ('channel_same_b2', [2, 4, 3, 3], dict(out_c=6, k=3, stride=1))]:
        model = tconv_model(rng, shape, **kw)
        emit(root, 'op_transpose_conv_hybrid_' + name, model, shape, rng, shift=0.3)


def cnn_case(root):
    """A small Keras CNN (conv, depthwise, dense) converted end to end."""
    import tensorflow as tf
    rng = np.random.default_rng(20250304)
    L = tf.keras.layers
    layers = [L.Conv2D(32, 3, strides=2, padding='same', activation='relu'),
              L.DepthwiseConv2D(3, strides=2, depth_multiplier=4, padding='same',
                                activation='relu6'),
              L.Flatten(), L.Dense(10)]
    model = convert(rng, layers, [1, 12, 12, 4])
    check_hybrid(model, ['CONV_2D', 'DEPTHWISE_CONV_2D', 'RESHAPE', 'FULLY_CONNECTED'],
                 weighted=('CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED'))
    emit(root, 'op_hybrid_cnn_conv_dw_dense', model, [1, 12, 12, 4], rng, shift=0.5)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--root', default='.')
    ap.add_argument('--only', default='', help='comma-separated families: conv,dw,tconv,cnn')
    args = ap.parse_args()
    families = {'conv': conv_cases, 'dw': dw_cases, 'tconv': tconv_cases, 'cnn': cnn_case}
    for family, write_cases in families.items():
        if not args.only or family in args.only.split(','):
            write_cases(args.root)


if __name__ == '__main__':
    main()
