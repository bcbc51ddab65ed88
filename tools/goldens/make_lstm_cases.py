#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden cases of the LSTM family (UNIDIRECTIONAL_SEQUENCE_LSTM).

Usage (from the repository root; development tooling only, never needed by the
test suite):

    python3 tools/goldens/make_lstm_cases.py [--root .]

Needs numpy, ai_edge_litert and flatc. Every single-op case is a one-operator
.tflite model written as JSON (with variable state tensors and the op's
intermediates list) and compiled by flatc against a copy of
/work/shared/spec/schema.fbs without the "(deprecated)" attributes; weights and
inputs come from fixed seeds. The reference is ai_edge_litert with
OpResolverType.BUILTIN_REF. Written:

  tests/data/goldens/op_unidirectional_sequence_lstm_<type>_<variant>/
      model.tflite, input_0.bin, output_0.bin (first invoke, state zeroed) and
      output_0.second.bin (a second invoke on the same input, which shows the
      variable state carried over; read by tests/kernels/test_lstm.c).
  tests/data/goldens/<shared model>/ model.txt, input_0.bin, output_0.bin
      for mnist_lstm_float, mnist_lstm_int8 and keras_lstm_mnist_ptq, fed a
      rendered synthetic digit.

Variants covered: float32 plain / peephole + projection (+bias) + cell and
projection clipping, time-major / CIFG + layer normalisation with RELU cell
activation; float32 with diagonal recurrent weights (version 4, see
diagonal_case): plain / CIFG + peephole + projection + clips, time-major /
layer normalisation with RELU; int8 activations with int16 cell state (8x8_16): plain batch-major
with a non-zero input and state zero point, and CIFG + peephole + projection +
both clips, time-major.

Everything is deterministic: rerunning the script reproduces the same bytes.
"""

import argparse
import json
import os
import subprocess
import tempfile
import zlib

import numpy as np

SCHEMA = '/work/shared/spec/schema.fbs'
SHARED = '/work/shared/models'
TFL_TYPE = {np.float32: 'FLOAT32', np.int32: 'INT32', np.int8: 'INT8', np.int16: 'INT16',
            np.uint8: 'UINT8'}
OP = 'UNIDIRECTIONAL_SEQUENCE_LSTM'
OP_CODE = 44


class T:
    """A tensor: shape, dtype, optional (scale, zp), constant data, variable flag."""

    def __init__(self, shape, dtype, q=None, data=None, variable=False):
        self.shape, self.dtype, self.q, self.variable = list(shape), dtype, q, variable
        self.data = None if data is None else np.asarray(data, dtype).reshape(self.shape)


def model_bytes(tensors, inputs, outputs, intermediates, opts, version):
    return op_model_bytes(OP, OP_CODE, version, tensors, inputs, outputs,
                          'UnidirectionalSequenceLSTMOptions', opts, intermediates)


def op_model_bytes(op, code, version, tensors, inputs, outputs, opts_type, opts,
                   intermediates=()):
    """A one-operator model; graph inputs are the non-constant, non-variable inputs."""
    buffers, jt = [{}], []
    for i, t in enumerate(tensors):
        d = {'shape': t.shape, 'type': TFL_TYPE[t.dtype], 'name': 't%d' % i,
             'buffer': len(buffers), 'is_variable': t.variable}
        buffers.append({'data': list(t.data.tobytes())} if t.data is not None else {})
        if t.q is not None:  # (scale, zp), or per-channel (scales, zp) along dimension 0
            scales = [float(np.float32(q)) for q in np.atleast_1d(t.q[0])]
            d['quantization'] = {'scale': scales, 'zero_point': [t.q[1]] * len(scales)}
        jt.append(d)
    graph_inputs = [i for i in inputs if i >= 0 and tensors[i].data is None
                    and not tensors[i].variable]
    node = {'opcode_index': 0, 'inputs': inputs, 'outputs': outputs,
            'intermediates': list(intermediates),
            'builtin_options_type': opts_type, 'builtin_options': opts}
    m = {'version': 3,
         'operator_codes': [{'deprecated_builtin_code': code, 'builtin_code': op,
                             'version': version}],
         'subgraphs': [{'tensors': jt, 'inputs': graph_inputs, 'outputs': outputs,
                        'operators': [node]}],
         'buffers': buffers}
    return flatc_compile(m)


def flatc_compile(model_json):
    """Compiles a model dict with flatc against the schema minus '(deprecated)'."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = {k: os.path.join(tmp, k) for k in ('schema.fbs', 'model.json', 'model.tflite')}
        with open(paths['schema.fbs'], 'w') as f:
            f.write(open(SCHEMA).read().replace('(deprecated)', ''))
        with open(paths['model.json'], 'w') as f:
            json.dump(model_json, f)
        subprocess.run(['flatc', '-b', '-o', tmp, paths['schema.fbs'], paths['model.json']],
                       check=True)
        with open(paths['model.tflite'], 'rb') as f:
            return f.read()


def run_ref(model, feeds, invokes=2, resolver='BUILTIN_REF'):
    """Outputs of `invokes` consecutive invokes on the same feeds (resolver
    None: the default, optimized kernels)."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    kw = {}
    if resolver:
        kw['experimental_op_resolver_type'] = getattr(OpResolverType, resolver)
    it = Interpreter(model_content=model, **kw)
    it.allocate_tensors()
    results = []
    for _ in range(invokes):
        for d, x in zip(it.get_input_details(), feeds):
            it.set_tensor(d['index'], x)
        it.invoke()
        results.append([it.get_tensor(d['index']).copy() for d in it.get_output_details()])
    return results


def lstm_case(name, rng, dtype, batch, time, n_in, n_cell, n_out=None, time_major=False,
              cifg=False, peephole=False, proj=False, proj_bias=False, layer_norm=False,
              act='TANH', cell_clip=0.0, proj_clip=0.0, quant=None, hybrid=None,
              asym=False, diagonal=False, version=None):
    """Builds one UNIDIRECTIONAL_SEQUENCE_LSTM model; returns (model, feeds).

    hybrid: None (weights of the activation type), or the 8-bit weight type
    (np.int8, np.uint8) of a hybrid model: float activations, biases and
    layer-norm coefficients, symmetric per-tensor quantized weights and
    peepholes (uint8 holds the same bytes, which TFLite reads as int8); asym
    sets asymmetric_quantize_inputs."""
    n_out = n_out or n_cell
    integer = dtype == np.int8
    tensors = []

    def add(t):
        tensors.append(t)
        return len(tensors) - 1

    def weights(rows, cols, scale=0.4):
        w = rng.normal(size=(rows, cols)) * scale
        if hybrid:
            return add(hybrid_tensor(w, hybrid))
        if not integer:
            return add(T([rows, cols], np.float32, data=w.astype(np.float32)))
        s = float(np.abs(w).max()) / 127
        return add(T([rows, cols], np.int8, (s, 0), np.clip(np.round(w / s), -127, 127)))

    def vector(n, kind):
        v = rng.normal(size=n) * 0.5
        if hybrid and kind == 'peephole':
            return add(hybrid_tensor(v, hybrid))
        if not integer:
            return add(T([n], np.float32, data=v.astype(np.float32)))
        if kind == 'peephole':
            s = float(np.abs(v).max()) / 32767
            return add(T([n], np.int16, (s, 0), np.round(v / s)))
        return add(T([n], np.int32, (1e-4, 0), np.round(v / 1e-4)))

    qin, qstate, qcell, qhidden = quant or (None, None, None, None)
    shape_in = [time, batch, n_in] if time_major else [batch, time, n_in]
    shape_out = shape_in[:2] + [n_out]
    x = add(T(shape_in, dtype, qin))
    gate_in = [-1 if (cifg and g == 0) else weights(n_cell, n_in) for g in range(4)]
    if diagonal:
        assert n_out == n_cell
        gate_rec = [-1 if (cifg and g == 0) else
                    add(T([n_cell], np.float32,
                          data=(rng.normal(size=n_cell) * 0.5).astype(np.float32)))
                    for g in range(4)]
    else:
        gate_rec = [-1 if (cifg and g == 0) else weights(n_cell, n_out) for g in range(4)]
    peep = [-1 if (not peephole or (cifg and g == 0)) else vector(n_cell, 'peephole')
            for g in range(3)]
    bias = [-1 if (cifg and g == 0) else vector(n_cell, 'bias') for g in range(4)]
    proj_w = weights(n_out, n_cell) if proj else -1
    proj_b = vector(n_out, 'bias') if proj_bias else -1
    state_dtype = dtype
    out_state = add(T([batch, n_out], state_dtype, qstate, variable=True))
    cell_state = add(T([batch, n_cell], np.int16 if integer else np.float32, qcell,
                       variable=True))
    ln = [-1] * 4
    if layer_norm:
        ln = [-1 if (cifg and g == 0) else
              add(T([n_cell], np.float32, data=(1 + 0.3 * rng.normal(size=n_cell))
                    .astype(np.float32))) for g in range(4)]
    y = add(T(shape_out, dtype, qstate))
    inters = []
    if integer:
        inters = [add(T([0], np.float32)) for _ in range(4)]
        inters.append(add(T([0], np.int8, qhidden)))
    inputs = [x] + gate_in + gate_rec + peep + bias + [proj_w, proj_b, out_state,
                                                       cell_state] + ln
    opts = {'fused_activation_function': act, 'cell_clip': cell_clip, 'proj_clip': proj_clip,
            'time_major': time_major}
    version_for_types = 3 if integer else 1
    if hybrid:
        opts['asymmetric_quantize_inputs'] = asym
        version_for_types = 3 if asym else 2
    if diagonal:
        opts['diagonal_recurrent_tensors'] = True
    # BUILTIN_REF registers versions 1..3 only (register.cc: 1..4).
    model = model_bytes(tensors, inputs, [y], inters, opts, version if version else
                        4 if diagonal else version_for_types)
    if integer:
        feed = rng.integers(-128, 128, size=shape_in).astype(np.int8)
    else:
        feed = rng.normal(size=shape_in).astype(np.float32)
    return model, [feed]


def diagonal_case(name, **kw):
    """A diagonal-recurrent (version 4) USLSTM and its reference outputs.

    BUILTIN_REF registers versions 1..3 only, but its kernel applies the
    diagonal form whenever the option is set: the golden comes from a
    version-3 copy under BUILTIN_REF and is checked against the default
    resolver on the version-4 model, which is the one written."""
    seed = zlib.crc32(name.encode())
    model, feeds = lstm_case(name, np.random.default_rng(seed), diagonal=True, **kw)
    model_v3, feeds_v3 = lstm_case(name, np.random.default_rng(seed), diagonal=True, version=3,
                                   **kw)
    assert all(np.array_equal(a, b) for a, b in zip(feeds, feeds_v3))
    runs = run_ref(model_v3, feeds)
    default = run_ref(model, feeds, resolver=None)
    for got, ref in zip(sum(default, []), sum(runs, [])):
        tol = 1e-5 * (1 + float(np.abs(ref).max()))
        assert np.abs(got - ref).max() <= tol, (name, np.abs(got - ref).max())
    return model, feeds, runs


def hybrid_tensor(values, dtype):
    """A constant of symmetric per-tensor int8 values (scale max|v| / 127),
    stored as `dtype` (np.int8, or np.uint8 holding the same bytes)."""
    s = float(np.abs(values).max()) / 127
    q = np.clip(np.round(values / s), -127, 127).astype(np.int8)
    return T(q.shape, dtype, (s, 0), q.view(dtype))


def write(root, name, model, feeds, runs, model_txt=None):
    d = os.path.join(root, 'tests', 'data', 'goldens', name)
    os.makedirs(d, exist_ok=True)
    if model_txt:
        open(os.path.join(d, 'model.txt'), 'w').write(model_txt + '\n')
    else:
        open(os.path.join(d, 'model.tflite'), 'wb').write(model)
    for i, x in enumerate(feeds):
        open(os.path.join(d, 'input_%d.bin' % i), 'wb').write(np.ascontiguousarray(x).tobytes())
    for i, y in enumerate(runs[0]):
        open(os.path.join(d, 'output_%d.bin' % i), 'wb').write(np.ascontiguousarray(y).tobytes())
    if len(runs) > 1:
        for i, y in enumerate(runs[1]):
            open(os.path.join(d, 'output_%d.second.bin' % i), 'wb').write(
                np.ascontiguousarray(y).tobytes())
    print(name, [y.shape for y in runs[0]])


def single_op_cases(root):
    q8 = ((0.05, 3), (1 / 128, -2), (2 ** -11, 0), (1 / 128, -2))
    q8p = ((0.04, -5), (0.02, 1), (2 ** -12, 0), (1 / 128, 0))
    specs = [
        ('f32_basic', dict(dtype=np.float32, batch=2, time=3, n_in=4, n_cell=5)),
        ('f32_peephole_proj_clip_tm', dict(dtype=np.float32, batch=2, time=4, n_in=3, n_cell=6,
                                           n_out=4, time_major=True, peephole=True, proj=True,
                                           proj_bias=True, cell_clip=1.5, proj_clip=0.8)),
        ('f32_cifg_layernorm_relu', dict(dtype=np.float32, batch=3, time=2, n_in=5, n_cell=4,
                                         cifg=True, layer_norm=True, peephole=True,
                                         act='RELU')),
        ('s8_basic', dict(dtype=np.int8, batch=2, time=5, n_in=4, n_cell=6, cell_clip=3.0,
                          quant=q8)),
        ('s8_cifg_peephole_proj_clip_tm', dict(dtype=np.int8, batch=2, time=4, n_in=5, n_cell=6,
                                               n_out=3, time_major=True, cifg=True,
                                               peephole=True, proj=True, proj_bias=True,
                                               cell_clip=2.0, proj_clip=1.0, quant=q8p)),
    ]
    for variant, kw in specs:
        name = 'op_unidirectional_sequence_lstm_' + variant
        rng = np.random.default_rng(zlib.crc32(name.encode()))
        model, feeds = lstm_case(name, rng, **kw)
        write(root, name, model, feeds, run_ref(model, feeds))
    diagonal = [
        ('f32_diagonal', dict(dtype=np.float32, batch=2, time=3, n_in=4, n_cell=5)),
        ('f32_diagonal_cifg_peephole_proj_clip_tm',
         dict(dtype=np.float32, batch=2, time=4, n_in=3, n_cell=4, time_major=True, cifg=True,
              peephole=True, proj=True, proj_bias=True, cell_clip=1.5, proj_clip=0.8)),
        ('f32_diagonal_layernorm_relu', dict(dtype=np.float32, batch=3, time=2, n_in=5,
                                             n_cell=4, layer_norm=True, act='RELU')),
    ]
    for variant, kw in diagonal:
        name = 'op_unidirectional_sequence_lstm_' + variant
        model, feeds, runs = diagonal_case(name, **kw)
        write(root, name, model, feeds, runs)


def digit():
    """A 28x28 synthetic '7' with soft edges, values in [0, 1]."""
    img = np.zeros((28, 28), np.float32)
    yy, xx = np.mgrid[0:28, 0:28]
    img += np.exp(-((yy - 6) ** 2) / 3.0) * ((xx > 6) & (xx < 22))
    d = np.abs((xx - 21) + (yy - 6) * 0.55)
    img += np.exp(-d ** 2 / 3.0) * ((yy > 5) & (yy < 25))
    return np.clip(img, 0, 1)


def shared_cases(root):
    x = digit()[None]
    feeds = {'mnist_lstm_float': x.astype(np.float32),
             'mnist_lstm_int8': np.round(x * 255 - 128).astype(np.int8),
             'keras_lstm_mnist_ptq': np.round(x * 255).astype(np.uint8)}
    for name, feed in feeds.items():
        model = open(os.path.join(SHARED, name + '.tflite'), 'rb').read()
        runs = run_ref(model, [feed], invokes=1)
        print(name, 'reference argmax', int(np.argmax(runs[0][0])))
        write(root, name, None, [feed], runs, model_txt=name + '.tflite')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--root', default='.')
    args = ap.parse_args()
    single_op_cases(args.root)
    shared_cases(args.root)


if __name__ == '__main__':
    main()
