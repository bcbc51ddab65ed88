#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden cases of BIDIRECTIONAL_SEQUENCE_LSTM.

Usage (from the repository root; development tooling only, never needed by the
test suite):

    python3 tools/goldens/make_lstm_bidi_cases.py [--root .]

Needs numpy, ai_edge_litert and flatc. Keras' Bidirectional(LSTM) converts to
a WHILE loop (or two UNIDIRECTIONAL_SEQUENCE_LSTM), never to this op, so each
case is a one-operator model with the op's 48 inputs built through
make_lstm_cases.op_model_bytes (flatc). Weights and inputs come from fixed
seeds; the reference is ai_edge_litert with OpResolverType.BUILTIN_REF,
invoked twice on the same inputs (output_<i>.second.bin shows the variable
state carried over; read by tests/kernels/test_ops3_ops.c). Also writes
models prepare must reject: tests/kernels/data/lstm_bidi_errors/<name>.tflite,
listed with the expected message fragment in lstm_bidi_errors.h.

Variants: time-major with separate outputs; batch-major merged with
peephole + projection (+bias) + both clips; CIFG time-major merged where the
aux input (without aux weights) feeds the backward cell; batch-major with
aux weights (cross links) and a RELU cell activation, separate outputs.
"""

import argparse
import os
import sys
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_lstm_cases import T, hybrid_tensor, run_ref, write  # noqa: E402
from make_lstm_cases import op_model_bytes  # noqa: E402

OP = 'BIDIRECTIONAL_SEQUENCE_LSTM'
OP_CODE = 52


def build(rng, batch, time, n_in, n_cell, n_out=None, time_major=True, merge=False,
          cifg=False, peephole=False, proj=False, proj_bias=False, aux=None,
          aux_weights=False, act='TANH', cell_clip=0.0, proj_clip=0.0, version=1,
          hybrid=None, asym=False):
    """The parts of one BIDIRECTIONAL_SEQUENCE_LSTM model (a dict, see the end).

    aux: None (no aux input) or the aux input's last dimension. hybrid: None,
    or the 8-bit type of symmetric per-tensor quantized weights and peepholes
    (make_lstm_cases.hybrid_tensor); asym sets asymmetric_quantize_inputs."""
    n_out = n_out or n_cell
    tensors = []

    def add(t):
        tensors.append(t)
        return len(tensors) - 1

    def mat(rows, cols):
        w = rng.normal(size=(rows, cols)) * 0.4
        if hybrid:
            return add(hybrid_tensor(w, hybrid))
        return add(T([rows, cols], np.float32, data=w.astype(np.float32)))

    def vec(n, peephole=False):
        v = rng.normal(size=n) * 0.5
        if hybrid and peephole:
            return add(hybrid_tensor(v, hybrid))
        return add(T([n], np.float32, data=v.astype(np.float32)))

    def cell():
        """Inputs 1-17 (or 18-34) of one direction."""
        skip = cifg
        ins = [-1 if (skip and g == 0) else mat(n_cell, n_in) for g in range(4)]
        ins += [-1 if (skip and g == 0) else mat(n_cell, n_out) for g in range(4)]
        ins += [-1 if (not peephole or (skip and g == 0)) else vec(n_cell, peephole=True)
                for g in range(3)]
        ins += [-1 if (skip and g == 0) else vec(n_cell) for g in range(4)]
        ins += [mat(n_out, n_cell) if proj else -1, vec(n_out) if proj_bias else -1]
        return ins

    shape_in = [time, batch, n_in] if time_major else [batch, time, n_in]
    x = add(T(shape_in, np.float32))
    fw, bw = cell(), cell()
    states = [add(T([batch, n], np.float32, variable=True)) for n in (n_out, n_cell, n_out, n_cell)]
    aux_shape = shape_in[:2] + [aux] if aux else None
    aux_in = add(T(aux_shape, np.float32)) if aux else -1
    aux_w = [-1] * 8
    if aux_weights:
        aux_w = [-1 if (cifg and g % 4 == 0) else mat(n_cell, aux) for g in range(8)]
    width = 2 * n_out if merge else n_out
    outs = [add(T(shape_in[:2] + [width], np.float32)) for _ in range(1 if merge else 2)]
    inputs = [x] + fw + bw + states + [aux_in] + aux_w
    assert len(inputs) == 48
    opts = {'fused_activation_function': act, 'cell_clip': cell_clip, 'proj_clip': proj_clip,
            'merge_outputs': merge, 'time_major': time_major}
    if hybrid:
        opts['asymmetric_quantize_inputs'] = asym
    feeds = [rng.normal(size=shape_in).astype(np.float32)]
    if aux:
        feeds.append(rng.normal(size=aux_shape).astype(np.float32))
    return dict(tensors=tensors, inputs=inputs, outputs=outs, opts=opts, version=version,
                feeds=feeds)


def compile_parts(m):
    return op_model_bytes(OP, OP_CODE, m['version'], m['tensors'], m['inputs'], m['outputs'],
                          'BidirectionalSequenceLSTMOptions', m['opts'])


def bidi_case(rng, **kw):
    """One BIDIRECTIONAL_SEQUENCE_LSTM model; returns (model, feeds)."""
    m = build(rng, **kw)
    return compile_parts(m), m['feeds']


def drop(i):
    def f(m):
        m['inputs'][i] = -1
    return f


def error_cases():
    """(name, expected message fragment, build kwargs, mutation of the parts)."""
    small = dict(batch=1, time=2, n_in=2, n_cell=2)

    def extra_output(m):
        m['tensors'].append(T([2, 1, 2], np.float32))
        m['outputs'].append(len(m['tensors']) - 1)

    def int8_weights(m):
        t = m['tensors'][m['inputs'][4]]
        t.dtype, t.data = np.int8, np.ones(t.shape, np.int8)
        t.q = (0.1, 0)

    def not_variable(m):
        m['tensors'][m['inputs'][36]].variable = False
        m['tensors'][m['inputs'][36]].data = np.zeros(m['tensors'][m['inputs'][36]].shape,
                                                       np.float32)

    def bad_shape(m):
        t = m['tensors'][m['inputs'][20]]
        t.shape, t.data = [2, 3], np.zeros((2, 3), np.float32)

    def aux_shape(m):
        t = m['tensors'][m['inputs'][39]]
        t.shape = t.shape[:2] + [3]

    def tensor_of(i, m):
        return m['tensors'][m['inputs'][i]]

    def per_channel(m):
        t = tensor_of(5, m)
        t.q = (np.full(t.shape[0], t.q[0]), 0)

    def variable_weights(m):
        tensor_of(2, m).data = None

    def float_aux_weights(m):
        t = tensor_of(41, m)
        t.dtype, t.q = np.float32, None
        t.data = np.ones(t.shape, np.float32)

    def no_scale(m):
        tensor_of(19, m).q = None

    hybrid = dict(small, hybrid=np.int8)

    return [
        ('bidi_merge_two_outputs', 'expects 1 output(s)', dict(small, merge=True), extra_output),
        ('bidi_half_cifg', 'input-gate weights', small, drop(5)),
        ('bidi_bw_peephole_partial', 'peephole weights', dict(small, peephole=True), drop(27)),
        ('bidi_hybrid_mixed_types', 'input 1 is float32, expected int8', small, int8_weights),
        ('bidi_hybrid_per_channel', 'input 5 must be quantized per tensor', hybrid, per_channel),
        ('bidi_hybrid_variable_weights', 'input 2 must be constant', hybrid, variable_weights),
        ('bidi_hybrid_float_aux_weights', 'input 41 is float32, expected int8',
         dict(hybrid, aux=2, aux_weights=True), float_aux_weights),
        ('bidi_hybrid_no_scale', 'input 19 must be quantized per tensor', hybrid, no_scale),
        ('bidi_state_not_variable', 'variable tensors', small, not_variable),
        ('bidi_bw_weight_shape', 'must have shape [2, 2]', small, bad_shape),
        ('bidi_aux_partial_weights', 'all present or all absent',
         dict(small, aux=2, aux_weights=True), drop(46)),
        ('bidi_aux_without_input', 'need an aux input', dict(small, aux=2, aux_weights=True),
         drop(39)),
        ('bidi_aux_bw_shape', "the input's shape", dict(small, aux=2), aux_shape),
    ]


ERRORS_HEADER = """/* SPDX-License-Identifier: Apache-2.0 */
/* lstm_bidi_errors.h — generated by tools/goldens/make_lstm_bidi_cases.py; do not edit. */
/* A model (lstm_bidi_errors/<name>.tflite) whose prepare must fail with a
 * message containing `fragment`. */
static const Ops3ErrorCase lstm_bidi_error_cases[] = {
%s};
"""


def write_error_models(root):
    """tests/kernels/data/lstm_bidi_errors/<name>.tflite and lstm_bidi_errors.h."""
    import shutil
    data_dir = os.path.join(root, 'tests', 'kernels', 'data')
    err_dir = os.path.join(data_dir, 'lstm_bidi_errors')
    if os.path.isdir(err_dir):
        shutil.rmtree(err_dir)
    os.makedirs(err_dir)
    cases = error_cases()
    for name, _, kw, mutate in cases:
        m = build(np.random.default_rng(zlib.crc32(name.encode())), **kw)
        mutate(m)
        with open(os.path.join(err_dir, name + '.tflite'), 'wb') as f:
            f.write(compile_parts(m))
    table = ''.join('    {"%s", "%s"},\n' % (c[0], c[1].replace('"', '\\"')) for c in cases)
    with open(os.path.join(data_dir, 'lstm_bidi_errors.h'), 'w') as f:
        f.write(ERRORS_HEADER % table)


# Batch-major merged cases keep batch 1: TFLite offsets the output state of
# row b by b * (merged output width) there, past the end of the state tensor
# for b >= 1 (undefined behaviour, so no reference exists for larger batches).
SPECS = [
    ('f32_tm_separate', dict(batch=2, time=3, n_in=3, n_cell=4)),
    ('f32_bm_merged_peephole_proj_clip',
     dict(batch=1, time=4, n_in=3, n_cell=5, n_out=3, time_major=False, merge=True,
          peephole=True, proj=True, proj_bias=True, cell_clip=1.2, proj_clip=0.7, version=2)),
    ('f32_tm_merged_cifg_aux_bw',
     dict(batch=3, time=3, n_in=2, n_cell=4, merge=True, cifg=True, peephole=True, aux=2)),
    ('f32_bm_aux_weights_relu',
     dict(batch=2, time=3, n_in=3, n_cell=4, time_major=False, aux=2, aux_weights=True,
          act='RELU', version=2)),
    ('f32_tm_merged_aux_weights_proj',
     dict(batch=2, time=3, n_in=2, n_cell=3, n_out=2, merge=True, proj=True, aux=3,
          aux_weights=True)),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--root', default='.')
    args = ap.parse_args()
    for variant, kw in SPECS:
        name = 'op_bidirectional_sequence_lstm_' + variant
        rng = np.random.default_rng(zlib.crc32(name.encode()))
        model, feeds = bidi_case(rng, **kw)
        write(args.root, name, model, feeds, run_ref(model, feeds))
    write_error_models(args.root)


if __name__ == '__main__':
    main()
