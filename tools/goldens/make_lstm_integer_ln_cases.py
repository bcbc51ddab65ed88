#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden cases of the full-integer (8x8_16) LSTM with layer
normalisation: UNIDIRECTIONAL_SEQUENCE_LSTM and the LSTM op.

Usage (from the repository root; development tooling only, never needed by the
test suite):

    python3 tools/goldens/make_lstm_integer_ln_cases.py [--root .]

Needs numpy, ai_edge_litert and flatc. Each case is a one-operator model
from make_lstm_cases.py's builder (int8 activations, int16 cell state) whose
layer-norm coefficients are then quantized to int16 (scale max |c| / 32767),
whose gate biases are requantized to the scale the integer layer norm adds
them in (coefficient scale / 1024), and whose first four intermediates carry
each gate's pre-normalisation scale. The reference is ai_edge_litert with
OpResolverType.BUILTIN_REF, invoked twice on the same input:

  tests/data/goldens/op_<op>_s8_<variant>/
      model.tflite, input_0.bin, output_0.bin (first invoke, state zeroed)
      and output_0.second.bin (the state carried over; read by
      tests/kernels/test_lstm.c).

Variants: layer norm alone with a power-of-two cell count; CIFG + layer
norm + peephole + projection + clipping, time-major, with a cell count that
is not a power of two (TFLite's variance is then inexact, and reproduced);
the LSTM op (one step per invoke) with and without CIFG.

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

# Pre-normalisation scales of the input, forget, cell and output gates.
GATE_SCALES = (0.0007, 0.0009, 0.0011, 0.0008)


def build_parts(name, **kw):
    """The tensors, inputs and options of an integer layer-norm LSTM, and its feed."""
    parts = {}

    def capture(tensors, inputs, outputs, intermediates, opts, version):
        parts.update(tensors=tensors, inputs=inputs, outputs=outputs,
                     intermediates=intermediates, opts=opts, version=version)
        return b''
    saved = make_lstm_cases.model_bytes
    make_lstm_cases.model_bytes = capture
    try:
        _, feeds = make_lstm_cases.lstm_case(name, np.random.default_rng(zlib.crc32(name.encode())),
                                             np.int8, layer_norm=True, **kw)
    finally:
        make_lstm_cases.model_bytes = saved
    tensors, inputs = parts['tensors'], parts['inputs']
    for g in range(4):
        if inputs[20 + g] < 0:
            continue
        ln = tensors[inputs[20 + g]]
        values = ln.data.astype(np.float64)
        scale = float(np.float32(np.abs(values).max() / 32767))
        ln.dtype, ln.q = np.int16, (scale, 0)
        ln.data = np.clip(np.round(values / scale), -32767, 32767).astype(np.int16)
        bias = tensors[inputs[12 + g]]
        real = bias.data.astype(np.float64) * bias.q[0]
        bias.q = (scale / 1024, 0)
        bias.data = np.round(real / (scale / 1024)).astype(np.int32)
    for g in range(4):
        tensors[parts['intermediates'][g]] = T([0], np.int16, (GATE_SCALES[g], 0))
    return parts, feeds


def compile_parts(parts, step):
    if not step:
        return make_lstm_cases.op_model_bytes(
            'UNIDIRECTIONAL_SEQUENCE_LSTM', 44, 3, parts['tensors'], parts['inputs'],
            parts['outputs'], 'UnidirectionalSequenceLSTMOptions', parts['opts'],
            parts['intermediates'])
    # The LSTM op: the time-major cell with one step, no time axis.
    for i in (parts['inputs'][0], parts['outputs'][0]):
        parts['tensors'][i].shape = parts['tensors'][i].shape[1:]
    opts = {k: v for k, v in parts['opts'].items() if k != 'time_major'}
    opts['kernel_type'] = 'FULL'
    return make_lstm_cases.op_model_bytes('LSTM', 16, 4, parts['tensors'], parts['inputs'],
                                          parts['outputs'], 'LSTMOptions', opts,
                                          parts['intermediates'])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--root', default='.')
    args = ap.parse_args()
    q8 = ((0.05, 3), (1 / 128, -2), (2 ** -11, 0), (1 / 128, -2))
    q8p = ((0.04, -5), (0.02, 1), (2 ** -12, 0), (1 / 128, 0))
    cases = [
        ('op_unidirectional_sequence_lstm_s8_layernorm', False,
         dict(batch=2, time=4, n_in=3, n_cell=8, cell_clip=3.0, quant=q8)),
        ('op_unidirectional_sequence_lstm_s8_cifg_layernorm_peephole_proj_clip_tm', False,
         dict(batch=2, time=3, n_in=5, n_cell=6, n_out=4, time_major=True, cifg=True,
              peephole=True, proj=True, proj_bias=True, cell_clip=2.0, proj_clip=1.0,
              quant=q8p)),
        ('op_lstm_s8_layernorm_peephole', True,
         dict(batch=2, time=1, n_in=4, n_cell=4, time_major=True, peephole=True, quant=q8)),
        ('op_lstm_s8_cifg_layernorm_proj', True,
         dict(batch=3, time=1, n_in=2, n_cell=5, n_out=3, time_major=True, cifg=True,
              proj=True, quant=q8p)),
    ]
    for name, step, kw in cases:
        parts, feeds = build_parts(name, **kw)
        model = compile_parts(parts, step)
        if step:
            feeds = [feeds[0][0]]
        write(args.root, name, model, feeds, run_ref(model, feeds))


if __name__ == '__main__':
    main()
