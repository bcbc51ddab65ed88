#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden cases of the RNN family: RNN, UNIDIRECTIONAL_SEQUENCE_RNN,
SVDF and LSTM (one step per invoke).

Usage (from the repository root; development tooling only, never needed by the
test suite):

    python3 tools/goldens/make_rnn_cases.py [--root .]

Needs numpy, ai_edge_litert and flatc. Every case is a one-operator .tflite
model written as JSON (variable state tensors, option tables of the schema)
and compiled by flatc with make_lstm_cases.py's helper (LSTM cases reuse its
whole builder with one time step); weights and inputs come
from fixed seeds. The reference is ai_edge_litert with
OpResolverType.BUILTIN_REF, invoked twice on the same input:

  tests/data/goldens/op_<op>_<type>_<variant>/
      model.tflite, input_0.bin, output_<i>.bin (first invoke, state zeroed)
      and output_0.second.bin (second invoke: the state carried over; read by
      tests/kernels/test_lstm.c).

Types: f32 (float32), hybrid (int8 weights with float activations, symmetric
or asymmetric run-time input quantization), s8 (full integer SVDF: int8
activations, int16 state and time weights).

Everything is deterministic: rerunning the script reproduces the same bytes.
"""

import argparse
import os
import sys
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_lstm_cases  # noqa: E402
from make_lstm_cases import T, run_ref, write  # noqa: E402
from make_lstm_cases import op_model_bytes as model_bytes  # noqa: E402


class Builder:
    """Collects tensors; weights are float32 or symmetric per-tensor int8."""

    def __init__(self, rng, hybrid=False):
        self.rng, self.hybrid, self.tensors = rng, hybrid, []

    def add(self, t):
        self.tensors.append(t)
        return len(self.tensors) - 1

    def weights(self, shape, scale=0.5):
        w = self.rng.normal(size=shape) * scale
        if not self.hybrid:
            return self.add(T(shape, np.float32, data=w.astype(np.float32)))
        s = float(np.abs(w).max()) / 127
        return self.add(T(shape, np.int8, (s, 0), np.clip(np.round(w / s), -127, 127)))

    def floats(self, shape, scale=0.3):
        return self.add(T(shape, np.float32,
                          data=(self.rng.normal(size=shape) * scale).astype(np.float32)))


def emit(root, name, model, feeds):
    runs = run_ref(model, feeds)
    write(root, name, model, feeds, runs)


def feed_f32(rng, shape, offset=0.0):
    return (rng.normal(size=shape) + offset).astype(np.float32)


# ---- RNN and UNIDIRECTIONAL_SEQUENCE_RNN --------------------------------------

def rnn_case(rng, sequence, batch, n_in, units, act, hybrid=False, asym=False, time=1,
             time_major=False):
    b = Builder(rng, hybrid)
    if sequence:
        shape_in = [time, batch, n_in] if time_major else [batch, time, n_in]
    else:
        shape_in = [batch, n_in]
    x = b.add(T(shape_in, np.float32))
    w = b.weights([units, n_in])
    r = b.weights([units, units], 0.3)
    bias = b.floats([units])
    h = b.add(T([batch, units], np.float32, variable=True))
    y = b.add(T(shape_in[:-1] + [units], np.float32))
    version = 3 if asym else 2 if hybrid else 1
    if sequence:
        opts = {'time_major': time_major, 'fused_activation_function': act,
                'asymmetric_quantize_inputs': asym}
        model = model_bytes('UNIDIRECTIONAL_SEQUENCE_RNN', 35, version, b.tensors,
                            [x, w, r, bias, h], [y], 'SequenceRNNOptions', opts)
    else:
        opts = {'fused_activation_function': act, 'asymmetric_quantize_inputs': asym}
        model = model_bytes('RNN', 24, version, b.tensors, [x, w, r, bias, h], [y],
                            'RNNOptions', opts)
    return model, [feed_f32(rng, shape_in, 0.4 if asym else 0.0)]


def rnn_cases(root):
    specs = [
        ('rnn_f32_none', False, dict(batch=2, n_in=3, units=5, act='NONE')),
        ('rnn_f32_relu', False, dict(batch=2, n_in=4, units=3, act='RELU')),
        ('rnn_f32_relu_n1_to_1', False, dict(batch=1, n_in=3, units=6, act='RELU_N1_TO_1')),
        ('rnn_f32_relu6', False, dict(batch=2, n_in=5, units=3, act='RELU6')),
        ('rnn_f32_tanh', False, dict(batch=1, n_in=4, units=7, act='TANH')),
        ('rnn_f32_sign_bit', False, dict(batch=2, n_in=3, units=5, act='SIGN_BIT')),
        ('rnn_hybrid_relu', False, dict(batch=2, n_in=6, units=5, act='RELU', hybrid=True)),
        ('rnn_hybrid_asym_tanh', False, dict(batch=2, n_in=5, units=7, act='TANH', hybrid=True,
                                             asym=True)),
        ('unidirectional_sequence_rnn_f32_tanh', True,
         dict(batch=2, n_in=3, units=5, act='TANH', time=4)),
        ('unidirectional_sequence_rnn_f32_relu_tm', True,
         dict(batch=2, n_in=4, units=3, act='RELU', time=3, time_major=True)),
        ('unidirectional_sequence_rnn_hybrid_tanh_tm', True,
         dict(batch=3, n_in=5, units=6, act='TANH', time=3, time_major=True, hybrid=True)),
        ('unidirectional_sequence_rnn_hybrid_asym_relu6', True,
         dict(batch=2, n_in=4, units=5, act='RELU6', time=3, hybrid=True, asym=True)),
    ]
    for variant, sequence, kw in specs:
        name = 'op_' + variant
        rng = np.random.default_rng(zlib.crc32(name.encode()))
        model, feeds = rnn_case(rng, sequence, **kw)
        emit(root, name, model, feeds)


# ---- SVDF -------------------------------------------------------------------

def svdf_case(rng, batch, n_in, units, rank, memory, act, kind='f32', asym=False, bias=True):
    hybrid, integer = kind == 'hybrid', kind == 's8'
    b = Builder(rng, hybrid)
    filters = units * rank
    if integer:
        qin, qout, qstate = (0.05, 3), (0.06, -5), (2.0 ** -12, 0)
        x = b.add(T([batch, n_in], np.int8, qin))
        w = rng.normal(size=(filters, n_in)) * 0.5
        ws = float(np.abs(w).max()) / 127
        wf = b.add(T([filters, n_in], np.int8, (ws, 0), np.clip(np.round(w / ws), -127, 127)))
        t = rng.normal(size=(filters, memory)) * 0.5
        ts = float(np.abs(t).max()) / 32767
        wt = b.add(T([filters, memory], np.int16, (ts, 0), np.round(t / ts)))
        bs = float(np.float32(qstate[0]) * np.float32(ts))
        bi = b.add(T([units], np.int32, (bs, 0), np.round(rng.normal(size=units) * 0.3 / bs)))
        state = b.add(T([batch, memory * filters], np.int16, qstate, variable=True))
        y = b.add(T([batch, units], np.int8, qout))
        feed = rng.integers(-128, 128, size=(batch, n_in)).astype(np.int8)
    else:
        x = b.add(T([batch, n_in], np.float32))
        wf = b.weights([filters, n_in])
        wt = b.weights([filters, memory])
        bi = b.floats([units])
        state = b.add(T([batch, memory * filters], np.float32, variable=True))
        y = b.add(T([batch, units], np.float32))
        feed = feed_f32(rng, [batch, n_in], 0.4 if asym else 0.0)
    version = 4 if asym else 3 if integer else 2 if hybrid else 1
    opts = {'rank': rank, 'fused_activation_function': act, 'asymmetric_quantize_inputs': asym}
    model = model_bytes('SVDF', 27, version, b.tensors, [x, wf, wt, bi if bias else -1, state],
                        [y], 'SVDFOptions', opts)
    return model, [feed]


def svdf_cases(root):
    specs = [
        ('svdf_f32_rank1_relu', dict(batch=2, n_in=3, units=5, rank=1, memory=4, act='RELU')),
        ('svdf_f32_rank2_none_nobias', dict(batch=1, n_in=4, units=3, rank=2, memory=3,
                                            act='NONE', bias=False)),
        ('svdf_f32_rank3_tanh', dict(batch=2, n_in=5, units=3, rank=3, memory=2, act='TANH')),
        ('svdf_f32_rank1_relu6', dict(batch=2, n_in=3, units=2, rank=1, memory=5, act='RELU6')),
        ('svdf_hybrid_rank2_relu', dict(batch=2, n_in=6, units=3, rank=2, memory=4, act='RELU',
                                        kind='hybrid')),
        ('svdf_hybrid_asym_rank1_tanh', dict(batch=2, n_in=5, units=5, rank=1, memory=3,
                                             act='TANH', kind='hybrid', asym=True)),
        ('svdf_s8_rank1_relu', dict(batch=2, n_in=6, units=5, rank=1, memory=4, act='RELU',
                                    kind='s8')),
        ('svdf_s8_rank2_relu_nobias', dict(batch=1, n_in=5, units=3, rank=2, memory=3,
                                           act='RELU', kind='s8', bias=False)),
    ]
    for variant, kw in specs:
        name = 'op_' + variant
        rng = np.random.default_rng(zlib.crc32(name.encode()))
        model, feeds = svdf_case(rng, **kw)
        emit(root, name, model, feeds)


# ---- LSTM (one step per invoke) -----------------------------------------------

def lstm_step_case(rng, **kw):
    """make_lstm_cases.lstm_case with one time step, written as the LSTM op:
    its model writer is swapped for one that drops the time axis and uses
    LSTMOptions."""
    def as_lstm(tensors, inputs, outputs, intermediates, opts, version):
        for i in (inputs[0], outputs[0]):
            tensors[i].shape = tensors[i].shape[1:]
        opts = {k: v for k, v in opts.items() if k != 'time_major'}
        opts['kernel_type'] = 'FULL'
        # Hybrid LSTM is version 3, with asymmetric_quantize_inputs 4.
        hybrid_version = 4 if opts.get('asymmetric_quantize_inputs') else 3
        return model_bytes('LSTM', 16, hybrid_version if kw.get('hybrid') else 1, tensors,
                           inputs, outputs, 'LSTMOptions', opts, intermediates)
    saved = make_lstm_cases.model_bytes
    make_lstm_cases.model_bytes = as_lstm
    try:
        model, feeds = make_lstm_cases.lstm_case(None, rng, time=1, time_major=True, **kw)
    finally:
        make_lstm_cases.model_bytes = saved
    return model, [feeds[0][0]]


def lstm_cases(root):
    q8 = ((0.05, 3), (1 / 128, -2), (2 ** -11, 0), (1 / 128, -2))
    specs = [
        ('lstm_f32_basic', dict(dtype=np.float32, batch=2, n_in=3, n_cell=5)),
        ('lstm_f32_peephole_proj_clip', dict(dtype=np.float32, batch=1, n_in=4, n_cell=6,
                                             n_out=3, peephole=True, proj=True, proj_bias=True,
                                             cell_clip=1.5, proj_clip=0.8, act='RELU6')),
        ('lstm_f32_cifg_layernorm', dict(dtype=np.float32, batch=3, n_in=2, n_cell=3,
                                         cifg=True, layer_norm=True)),
        ('lstm_s8_basic', dict(dtype=np.int8, batch=2, n_in=5, n_cell=3, cell_clip=3.0,
                               quant=q8)),
    ]
    for variant, kw in specs:
        name = 'op_' + variant
        rng = np.random.default_rng(zlib.crc32(name.encode()))
        model, feeds = lstm_step_case(rng, **kw)
        emit(root, name, model, feeds)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--root', default='.')
    ap.add_argument('--only', default='', help='comma-separated families: rnn,svdf,lstm')
    args = ap.parse_args()
    families = {'rnn': rnn_cases, 'svdf': svdf_cases, 'lstm': lstm_cases}
    for fam, fn in families.items():
        if not args.only or fam in args.only.split(','):
            fn(args.root)


if __name__ == '__main__':
    main()
