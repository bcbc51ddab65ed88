#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden cases of the LSTM op's BASIC kernel type (LSTM version 2).

Usage (from the repository root; development tooling only, never needed by the
test suite):

    python3 tools/goldens/make_lstm_basic_cases.py [--root .]

Needs numpy, ai_edge_litert and flatc. Every case is a one-operator .tflite
model written as JSON and compiled by flatc with make_lstm_cases.py's helper:
the five inputs (input [batch, input_depth], prev_activ [batch, output_depth],
weights [4 * output_depth, input_depth + output_depth], bias
[4 * output_depth], prev_state [batch, output_depth]) and the four outputs
(activ_output, state_output, concat_temp, activ_temp), all four listed as
graph outputs so that every one is compared. Weights, biases and inputs come
from fixed seeds; the reference is ai_edge_litert with
OpResolverType.BUILTIN_REF:

  tests/data/goldens/op_lstm_basic_kernel_<type>_<variant>/
      model.tflite, input_<i>.bin (input, prev_activ, prev_state when they
      are graph inputs), output_<i>.bin (the four outputs of one invoke).

Types: f32 (float32 throughout) and u8 (the quantized cell: uint8 input and
prev_activ with scale 1/128 and zero point 128, uint8 weights with their own
scale and zero point, int32 bias with scale input * weights, int16 state with
scale 2^-11, i.e. 4 integer bits, int16 activ_temp in Q3.12). One case of
each type keeps prev_activ and prev_state as variable tensors: TFLite copies
the new activation and state into them after each invoke, so its step1/
folder (a second invoke on a new input) shows the state carried over.

Also writes LSTM models with the BASIC kernel type that prepare must reject
(options the kernel cannot honour, wrong tensor types and shapes):
tests/kernels/data/lstm_basic_errors/<name>.tflite, listed with the expected
message fragment in lstm_basic_errors.h (read by tests/kernels/test_lstm.c).

Everything is deterministic: rerunning the script reproduces the same bytes.
"""

import argparse
import os
import shutil
import sys
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_lstm_cases import T, op_model_bytes  # noqa: E402

ACTIV_Q = (1 / 128, 128)     # uint8 input, prev_activ, activ_output, concat_temp
STATE_Q = (2 ** -11, 0)      # int16 state: StateIntegerBits = 4
ACTIV_TEMP_Q = (2 ** -12, 0)  # int16 fully-connected output, Q3.12


def basic_model(rng, batch, n_in, n_out, quant=None, variable_state=False, weight_scale=0.5,
                bias_offset=None, opts=None, mutate=None):
    """One BASIC LSTM model; returns (model bytes, indices of its graph inputs).

    quant: None (float32) or (weights scale, weights zero point) of the
    quantized cell. bias_offset: a value added to each gate's bias, in gate
    order (input, new input, forget, output). mutate(tensors) may alter the
    tensors before the model is written (refusal cases)."""
    tensors = []

    def add(t):
        tensors.append(t)
        return len(tensors) - 1

    depth = n_in + n_out
    w = rng.normal(size=(4 * n_out, depth)) * weight_scale
    b = rng.normal(size=4 * n_out) * 0.3
    if bias_offset is not None:
        b += np.repeat(np.asarray(bias_offset, np.float64), n_out)
    if quant is None:
        act, state = (np.float32, None), (np.float32, None)
        weights = T(w.shape, np.float32, data=w.astype(np.float32))
        bias = T(b.shape, np.float32, data=b.astype(np.float32))
        temp = (np.float32, None)
    else:
        w_scale, w_zp = quant
        act, state, temp = (np.uint8, ACTIV_Q), (np.int16, STATE_Q), (np.int16, ACTIV_TEMP_Q)
        weights = T(w.shape, np.uint8, quant, np.clip(np.round(w / w_scale) + w_zp, 0, 255))
        b_scale = ACTIV_Q[0] * w_scale
        bias = T(b.shape, np.int32, (b_scale, 0), np.round(b / b_scale))
    x = add(T([batch, n_in], *act))
    h = add(T([batch, n_out], *act, variable=variable_state))
    wi = add(weights)
    bi = add(bias)
    c = add(T([batch, n_out], *state, variable=variable_state))
    outs = [add(T([batch, n_out], *act)), add(T([batch, n_out], *state)),
            add(T([batch, depth], *act)), add(T([batch, 4 * n_out], *temp))]
    if mutate:
        mutate(tensors)
    options = {'fused_activation_function': 'TANH', 'cell_clip': 0.0, 'proj_clip': 0.0,
               'kernel_type': 'BASIC'}
    options.update(opts or {})
    model = op_model_bytes('LSTM', 16, 2, tensors, [x, h, wi, bi, c], outs, 'LSTMOptions',
                           options)
    return model, [i for i in (x, h, c) if not tensors[i].variable]


def feed(rng, t_shape, quant, kind, saturate=False):
    """A graph input: activations in [-1, 1), states in [-2, 2] (near +-16,
    the int16 limit of a 4-integer-bit state, when saturate is set)."""
    if quant is None:
        scale = 2.0 if kind == 'state' else 1.0
        return (rng.uniform(-1, 1, size=t_shape) * scale).astype(np.float32)
    if kind == 'state':
        if saturate:
            return rng.integers(30000, 32768, size=t_shape).astype(np.int16)
        return rng.integers(-4096, 4097, size=t_shape).astype(np.int16)
    return rng.integers(0, 256, size=t_shape).astype(np.uint8)


def run_ref(model, feeds_per_invoke):
    """The outputs of consecutive invokes on one interpreter, each with its feeds."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    it = Interpreter(model_content=model,
                     experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    runs = []
    for feeds in feeds_per_invoke:
        for d, x in zip(it.get_input_details(), feeds):
            it.set_tensor(d['index'], x)
        it.invoke()
        runs.append([it.get_tensor(d['index']).copy() for d in it.get_output_details()])
    return runs


def write_dir(d, model, feeds, outputs):
    os.makedirs(d, exist_ok=True)
    if model is not None:
        open(os.path.join(d, 'model.tflite'), 'wb').write(model)
    for i, x in enumerate(feeds):
        open(os.path.join(d, 'input_%d.bin' % i), 'wb').write(np.ascontiguousarray(x).tobytes())
    for i, y in enumerate(outputs):
        open(os.path.join(d, 'output_%d.bin' % i), 'wb').write(np.ascontiguousarray(y).tobytes())


CASES = [
    # name, batch, n_in, n_out, quant, extra
    ('f32_b1', 1, 3, 4, None, {}),
    ('f32_b3', 3, 5, 2, None, {}),
    ('f32_b2_variable_state', 2, 4, 3, None, {'variable_state': True}),
    ('u8_b1', 1, 4, 3, (0.02, 131), {}),
    ('u8_b2', 2, 3, 5, (0.0125, 97), {}),
    # Large weights saturate the Q3.12 fully-connected output, states near
    # +16 and gates pushed to 1 saturate the new state.
    ('u8_b2_saturate', 2, 5, 4, (0.06, 140),
     {'weight_scale': 3.0, 'bias_offset': (6, 6, 6, 0), 'saturate': True}),
    ('u8_b2_variable_state', 2, 3, 4, (0.015, 120), {'variable_state': True}),
]


def golden_cases(root):
    for variant, batch, n_in, n_out, quant, extra in CASES:
        name = 'op_lstm_basic_kernel_' + variant
        rng = np.random.default_rng(zlib.crc32(name.encode()))
        extra = dict(extra)
        saturate = extra.pop('saturate', False)
        model, graph_inputs = basic_model(rng, batch, n_in, n_out, quant, **extra)
        kinds = {0: ('act', n_in), 1: ('act', n_out), 4: ('state', n_out)}
        steps = 2 if extra.get('variable_state') else 1
        feeds_per_invoke = []
        for _ in range(steps):
            feeds_per_invoke.append([
                feed(rng, (batch, kinds[i][1]), quant, kinds[i][0], saturate)
                for i in graph_inputs])
        runs = run_ref(model, feeds_per_invoke)
        d = os.path.join(root, 'tests', 'data', 'goldens', name)
        if os.path.isdir(d):
            shutil.rmtree(d)
        write_dir(d, model, feeds_per_invoke[0], runs[0])
        for k in range(1, steps):
            write_dir(os.path.join(d, 'step%d' % k), None, feeds_per_invoke[k], runs[k])
        print(name, [y.shape for y in runs[0]], 'steps', steps)


def error_cases():
    """(name, message fragment, basic_model keyword arguments)."""
    u8 = (0.02, 131)

    def retype(index, dtype, q=None):
        def mutate(tensors):
            tensors[index].dtype = dtype
            tensors[index].q = q
            if tensors[index].data is not None:
                tensors[index].data = tensors[index].data.astype(dtype)
        return mutate

    def reshape(index, shape):
        def mutate(tensors):
            tensors[index].shape = shape
            if tensors[index].data is not None:
                tensors[index].data = np.zeros(shape, tensors[index].dtype)
        return mutate

    def requant(index, q):
        def mutate(tensors):
            tensors[index].q = q
        return mutate

    return [
        ('lstm_basic_relu', 'the BASIC LSTM kernel needs a TANH activation',
         dict(opts={'fused_activation_function': 'RELU'})),
        ('lstm_basic_cell_clip', 'the BASIC LSTM kernel takes no cell_clip or proj_clip',
         dict(opts={'cell_clip': 1.0})),
        ('lstm_basic_proj_clip', 'the BASIC LSTM kernel takes no cell_clip or proj_clip',
         dict(opts={'proj_clip': 0.5})),
        ('lstm_basic_int8', 'input type int8 is not supported by the BASIC LSTM kernel',
         dict(quant=u8, mutate=retype(0, np.int8, ACTIV_Q))),
        ('lstm_basic_f32_int16_state', 'prev_state is int16, expected float32',
         dict(mutate=retype(4, np.int16, STATE_Q))),
        ('lstm_basic_u8_float_bias', 'bias is float32, expected int32',
         dict(quant=u8, mutate=retype(3, np.float32))),
        ('lstm_basic_weights_shape', 'weights must have shape [12, 7]',
         dict(mutate=reshape(2, [12, 6]))),
        ('lstm_basic_bias_shape', 'bias must have shape [12]',
         dict(mutate=reshape(3, [4, 3]))),
        ('lstm_basic_state_shape', 'prev_state must have shape [2, 3]',
         dict(mutate=reshape(4, [2, 4]))),
        ('lstm_basic_input_rank', 'input must be 2-D',
         dict(mutate=reshape(0, [2, 4, 1]))),
        ('lstm_basic_state_scale', 'state_output must have scale 2^-11 (4 integer bits)',
         dict(quant=u8, mutate=requant(6, (2 ** -12, 0)))),
        ('lstm_basic_input_zero_point', 'input must have scale 1/128 and zero point 128',
         dict(quant=u8, mutate=requant(0, (1 / 128, 127)))),
    ]


ERRORS_HEADER = """/* SPDX-License-Identifier: Apache-2.0 */
/* lstm_basic_errors.h — generated by tools/goldens/make_lstm_basic_cases.py; do not edit. */
/* A model (lstm_basic_errors/<name>.tflite) whose prepare must fail with a
 * message containing `fragment`. */
static const LstmErrorCase lstm_basic_error_cases[] = {
%s};
"""


def write_error_models(root):
    data_dir = os.path.join(root, 'tests', 'kernels', 'data')
    err_dir = os.path.join(data_dir, 'lstm_basic_errors')
    if os.path.isdir(err_dir):
        shutil.rmtree(err_dir)
    os.makedirs(err_dir)
    cases = error_cases()
    for name, _, kw in cases:
        rng = np.random.default_rng(zlib.crc32(name.encode()))
        model, _ = basic_model(rng, 2, 4, 3, **kw)
        with open(os.path.join(err_dir, name + '.tflite'), 'wb') as f:
            f.write(model)
    table = ''.join('    {"%s", "%s"},\n' % (c[0], c[1]) for c in cases)
    with open(os.path.join(data_dir, 'lstm_basic_errors.h'), 'w') as f:
        f.write(ERRORS_HEADER % table)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--root', default='.')
    args = ap.parse_args()
    golden_cases(args.root)
    write_error_models(args.root)


if __name__ == '__main__':
    main()
