#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden cases of hybrid (dynamic-range) LSTMs: float32
activations, biases, states and layer-norm coefficients, constant 8-bit
weights and peepholes quantized per tensor, inputs quantized per row at run
time (symmetric, or asymmetric with asymmetric_quantize_inputs).

Usage (from the repository root; development tooling only, never needed by the
test suite):

    python3 tools/goldens/make_hybrid_lstm_cases.py [--root .]

Needs numpy, ai_edge_litert and flatc. TensorFlow 2.21's converter turns a
Keras LSTM into a WHILE loop, never into these ops, so every case is a
one-operator model from the float builders of make_lstm_cases.py (USLSTM),
make_rnn_cases.py (LSTM, one step per invoke) and make_lstm_bidi_cases.py,
with their `hybrid` option. The reference is ai_edge_litert with
OpResolverType.BUILTIN_REF, invoked twice on the same inputs:

  tests/data/goldens/op_<op>_hybrid_<variant>/
      model.tflite, input_<i>.bin, output_<i>.bin (first invoke, state zeroed)
      and output_<i>.second.bin (the state carried over; read by
      tests/kernels/test_lstm.c and test_ops3_ops.c).

Variants: plain; CIFG; peephole + projection (+bias) + cell and projection
clipping; layer normalisation; time-major and batch-major; asymmetric input
quantization; uint8 weights (the bytes of int8 ones, as TFLite reads them);
a time step whose input is all zeros (skipped products); diagonal (float32)
recurrent weights, version 4 (make_lstm_cases.diagonal_case); the bidirectional
op with aux input (cross-link weights, or feeding the backward cell) and
merged or separate outputs.

Also writes UNIDIRECTIONAL_SEQUENCE_LSTM and LSTM models prepare must reject
(hybrid weights that are not constant, not quantized per tensor or of mixed
types, other tensors of the wrong type, int16 activations, which no TFLite
builtin kernel runs, 8-bit diagonal recurrent weights, which TFLite reads as
float32 bytes, the diagonal form with int8 activations, and the LSTM op's 8x8_8 form, which TFLite runs past the
end of a table): tests/kernels/data/lstm_errors/<name>.tflite, listed with the
expected message fragment in lstm_errors.h (read by
tests/kernels/test_ops3_ops.c; the bidirectional op's are
make_lstm_bidi_cases.py's).

Everything is deterministic: rerunning the script reproduces the same bytes.
"""

import argparse
import os
import shutil
import sys
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_lstm_bidi_cases  # noqa: E402
import make_lstm_cases  # noqa: E402
import make_rnn_cases  # noqa: E402
from make_lstm_cases import run_ref, write  # noqa: E402

S8, U8 = np.int8, np.uint8

UNIDIRECTIONAL = [
    ('s8_basic', dict(batch=2, time=3, n_in=4, n_cell=5)),
    ('s8_cifg_tm_asym', dict(batch=2, time=3, n_in=3, n_cell=4, cifg=True, time_major=True,
                             asym=True)),
    ('s8_peephole_proj_clip_asym', dict(batch=2, time=4, n_in=3, n_cell=6, n_out=4,
                                        peephole=True, proj=True, proj_bias=True,
                                        cell_clip=1.5, proj_clip=0.8, asym=True)),
    ('s8_layernorm_peephole_tm', dict(batch=3, time=2, n_in=5, n_cell=4, layer_norm=True,
                                      peephole=True, time_major=True, act='RELU')),
    ('s8_cifg_layernorm_proj_asym', dict(batch=1, time=3, n_in=3, n_cell=5, n_out=3,
                                         cifg=True, layer_norm=True, proj=True, asym=True)),
    ('u8_peephole_tm', dict(batch=2, time=3, n_in=4, n_cell=3, peephole=True, time_major=True,
                            hybrid=U8)),
]

# Diagonal recurrent weights (version 4): float32 vectors beside int8 input
# and projection weights (make_lstm_cases.diagonal_case).
DIAGONAL = [
    ('s8_diagonal_peephole_proj_asym', dict(batch=2, time=3, n_in=3, n_cell=4, peephole=True,
                                            proj=True, proj_bias=True, asym=True, hybrid=S8)),
    ('s8_diagonal_cifg_layernorm_tm', dict(batch=2, time=3, n_in=4, n_cell=5, cifg=True,
                                           layer_norm=True, time_major=True, hybrid=S8)),
]

LSTM_STEP = [
    ('s8_basic', dict(batch=2, n_in=3, n_cell=5)),
    ('s8_peephole_proj_clip_asym', dict(batch=2, n_in=4, n_cell=5, n_out=3, peephole=True,
                                        proj=True, proj_bias=True, cell_clip=1.2,
                                        proj_clip=0.7, asym=True)),
    ('s8_cifg_layernorm', dict(batch=3, n_in=2, n_cell=4, cifg=True, layer_norm=True)),
]

BIDIRECTIONAL = [
    ('s8_tm_merged_aux_weights_asym',
     dict(batch=2, time=3, n_in=3, n_cell=4, merge=True, aux=2, aux_weights=True, version=3,
          asym=True)),
    ('s8_bm_separate_peephole_proj',
     dict(batch=2, time=3, n_in=2, n_cell=4, n_out=3, time_major=False, peephole=True,
          proj=True, proj_bias=True, cell_clip=1.0, version=2)),
    ('s8_tm_merged_cifg_aux_bw_asym',
     dict(batch=2, time=2, n_in=3, n_cell=3, merge=True, cifg=True, peephole=True, aux=3,
          version=3, asym=True)),
    ('u8_bm_aux_weights_relu',
     dict(batch=1, time=3, n_in=2, n_cell=3, time_major=False, aux=2, aux_weights=True,
          act='RELU', version=2, hybrid=U8)),
]


def seeded(name):
    return np.random.default_rng(zlib.crc32(name.encode()))


def unidirectional_cases(root):
    for variant, kw in UNIDIRECTIONAL:
        name = 'op_unidirectional_sequence_lstm_hybrid_' + variant
        kw = dict(kw, hybrid=kw.get('hybrid', S8))
        model, feeds = make_lstm_cases.lstm_case(name, seeded(name), np.float32, **kw)
        write(root, name, model, feeds, run_ref(model, feeds))
    # A time step whose whole input is zero: TFLite skips its input products.
    name = 'op_unidirectional_sequence_lstm_hybrid_s8_zero_step_tm_asym'
    model, feeds = make_lstm_cases.lstm_case(name, seeded(name), np.float32, batch=2, time=3,
                                             n_in=3, n_cell=4, time_major=True, hybrid=S8,
                                             asym=True)
    feeds[0][1] = 0.0
    write(root, name, model, feeds, run_ref(model, feeds))
    for variant, kw in DIAGONAL:
        name = 'op_unidirectional_sequence_lstm_hybrid_' + variant
        model, feeds, runs = make_lstm_cases.diagonal_case(name, dtype=np.float32, **kw)
        write(root, name, model, feeds, runs)


def lstm_step_cases(root):
    for variant, kw in LSTM_STEP:
        name = 'op_lstm_hybrid_' + variant
        model, feeds = make_rnn_cases.lstm_step_case(seeded(name), dtype=np.float32, hybrid=S8,
                                                     **kw)
        write(root, name, model, feeds, run_ref(model, feeds))


def bidirectional_cases(root):
    for variant, kw in BIDIRECTIONAL:
        name = 'op_bidirectional_sequence_lstm_hybrid_' + variant
        kw = dict(kw, hybrid=kw.get('hybrid', S8))
        model, feeds = make_lstm_bidi_cases.bidi_case(seeded(name), **kw)
        write(root, name, model, feeds, run_ref(model, feeds))


# ---- models prepare must reject ------------------------------------------------

def uslstm_parts(name, dtype=np.float32, **kw):
    """The tensors, inputs and options of a small (by default hybrid) USLSTM,
    before compiling."""
    parts = {}
    if dtype == np.float32:
        kw.setdefault('hybrid', S8)

    def capture(tensors, inputs, outputs, intermediates, opts, version):
        parts.update(tensors=tensors, inputs=inputs, outputs=outputs,
                     intermediates=intermediates, opts=opts, version=version)
        return b''
    saved = make_lstm_cases.model_bytes
    make_lstm_cases.model_bytes = capture
    try:
        make_lstm_cases.lstm_case(name, seeded(name), dtype, batch=1, time=2, n_in=2, n_cell=2,
                                  **kw)
    finally:
        make_lstm_cases.model_bytes = saved
    return parts


def compile_uslstm(p, op='UNIDIRECTIONAL_SEQUENCE_LSTM', code=44,
                   opts_type='UnidirectionalSequenceLSTMOptions'):
    return make_lstm_cases.op_model_bytes(op, code, p['version'], p['tensors'], p['inputs'],
                                          p['outputs'], opts_type, p['opts'],
                                          p['intermediates'])


def as_lstm_op(p, version=3):
    """The same (time-major) cell as the LSTM op: one time step, LSTMOptions."""
    for i in (p['inputs'][0], p['outputs'][0]):
        p['tensors'][i].shape = p['tensors'][i].shape[1:]
    p['opts'] = {k: v for k, v in p['opts'].items() if k != 'time_major'}
    p['version'] = version
    return compile_uslstm(p, 'LSTM', 16, 'LSTMOptions')


def as_lstm_8x8_8(p):
    """The integer LSTM op with TFLite's 8x8_8 intermediates (12 of them) and
    int16 layer-norm coefficients."""
    for g in range(1, 4):
        t = p['tensors'][p['inputs'][20 + g]]
        t.q, t.data = (1 / 4096, 0), np.round(t.data.astype(np.float64) * 4096)
        retype(t, np.int16)
    p['intermediates'] = []
    for i in range(12):
        p['tensors'].append(make_lstm_cases.T([0], np.int8, (0.01 * (i + 1), 0)))
        p['intermediates'].append(len(p['tensors']) - 1)
    return as_lstm_op(p, version=4)


def retype(t, dtype):
    t.dtype = dtype
    if t.data is not None:
        t.data = t.data.astype(dtype)


def error_cases():
    """(name, expected fragment, builder kwargs, mutation of the parts, compiler)."""
    def tensor(m, i):
        return m['tensors'][m['inputs'][i]]

    def set_attr(i, **attrs):
        def mutate(m):
            for k, v in attrs.items():
                setattr(tensor(m, i), k, v)
        return mutate

    def per_channel(m):
        t = tensor(m, 6)
        t.q = (np.full(t.shape[0], t.q[0]), 0)

    def mixed(i, dtype):
        def mutate(m):
            retype(tensor(m, i), dtype)
        return mutate

    def int16_weights(m):
        for i in list(range(1, 9)):
            retype(tensor(m, i), np.int16)

    def int16_activations(m):
        for i in (0, 18):
            tensor(m, i).dtype = np.int16
            tensor(m, i).q = (1 / 4096, 0)
        m['tensors'][m['outputs'][0]].dtype = np.int16
        m['tensors'][m['outputs'][0]].q = (1 / 4096, 0)

    def diagonal(m):
        m['opts']['diagonal_recurrent_tensors'] = True
        m['version'] = 4

    def diagonal_vectors(m):
        # Diagonal weights of the model's weight type (8-bit: TFLite reads
        # their bytes as float32).
        diagonal(m)
        for g in range(4):
            t = tensor(m, 5 + g)
            t.shape, t.data = [t.shape[0]], t.data[:, 0].copy()

    none = {}
    q8 = ((0.05, 3), (1 / 128, -2), (2 ** -15, 0), (1 / 128, -2))
    integer_cifg_ln = dict(dtype=np.int8, quant=q8, time_major=True, cifg=True, layer_norm=True,
                           proj=True, proj_bias=True)
    return [
        ('uslstm_hybrid_no_scale', 'input 3 must be quantized per tensor', none,
         set_attr(3, q=None), compile_uslstm),
        ('uslstm_hybrid_per_channel', 'input 6 must be quantized per tensor', none, per_channel,
         compile_uslstm),
        ('uslstm_hybrid_variable_weights', 'input 7 must be constant', none,
         set_attr(7, data=None), compile_uslstm),
        ('uslstm_hybrid_u8_mixed', 'input 5 is uint8, expected int8', none, mixed(5, np.uint8),
         compile_uslstm),
        ('uslstm_hybrid_float_peephole', 'input 10 is float32, expected int8',
         dict(peephole=True), mixed(10, np.float32), compile_uslstm),
        ('uslstm_hybrid_int8_bias', 'input 13 is int8, expected float32', none,
         mixed(13, np.int8), compile_uslstm),
        ('uslstm_hybrid_int8_layernorm', 'input 21 is int8, expected float32',
         dict(layer_norm=True), mixed(21, np.int8), compile_uslstm),
        ('uslstm_int16_weights', 'int16 weights with a float32 input are not supported', none,
         int16_weights, compile_uslstm),
        ('uslstm_int16_activations', 'input type int16 is not supported', none,
         int16_activations, compile_uslstm),
        ('uslstm_diagonal_recurrent', 'diagonal recurrent weights', none, diagonal,
         compile_uslstm),
        ('uslstm_diagonal_int8', 'input 5 must be a float32 vector of 2', none, diagonal_vectors,
         compile_uslstm),
        ('uslstm_diagonal_integer', 'not supported with int8 activations',
         dict(dtype=np.int8, quant=q8), diagonal_vectors, compile_uslstm),
        ('lstm_hybrid_variable_projection', 'input 16 must be constant',
         dict(proj=True, time_major=True), set_attr(16, data=None), as_lstm_op),
        ('lstm_integer_8x8_8', 'the 8x8_8 integer LSTM (12 intermediate tensors)',
         integer_cifg_ln, lambda m: None, as_lstm_8x8_8),
    ]


ERRORS_HEADER = """/* SPDX-License-Identifier: Apache-2.0 */
/* lstm_errors.h — generated by tools/goldens/make_hybrid_lstm_cases.py; do not edit. */
/* A model (lstm_errors/<name>.tflite) whose prepare must fail with a
 * message containing `fragment`. */
static const Ops3ErrorCase lstm_error_cases[] = {
%s};
"""


def write_error_models(root):
    data_dir = os.path.join(root, 'tests', 'kernels', 'data')
    err_dir = os.path.join(data_dir, 'lstm_errors')
    if os.path.isdir(err_dir):
        shutil.rmtree(err_dir)
    os.makedirs(err_dir)
    cases = error_cases()
    for name, _, kw, mutate, compile_parts in cases:
        parts = uslstm_parts(name, **kw)
        mutate(parts)
        with open(os.path.join(err_dir, name + '.tflite'), 'wb') as f:
            f.write(compile_parts(parts))
    table = ''.join('    {"%s", "%s"},\n' % (c[0], c[1]) for c in cases)
    with open(os.path.join(data_dir, 'lstm_errors.h'), 'w') as f:
        f.write(ERRORS_HEADER % table)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--root', default='.')
    args = ap.parse_args()
    unidirectional_cases(args.root)
    lstm_step_cases(args.root)
    bidirectional_cases(args.root)
    write_error_models(args.root)


if __name__ == '__main__':
    main()
