#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden cases of DENSIFY: a sparse constant weight expanded to
its dense tensor, then combined with the graph input so the result depends on
every dense element.

Usage (from the repository root; development tooling only, never needed by the
test suite):

    python3 tools/goldens/make_densify_cases.py [--root .]

Needs numpy, ai_edge_litert and flatc. Models are written as JSON and
compiled by flatc; the sparse encoding (SparsityParameters: traversal order,
block map, DENSE / SPARSE_CSR levels with int32, uint16 or uint8 index
vectors) is produced here the way TFLite's sparsity tools lay it out: a
sparse level keeps the positions whose sub-tensor holds a non-zero.

  float32: sparse -> DENSIFY -> ADD(input)
  int8:    sparse -> DENSIFY -> DEQUANTIZE -> ADD(input)

The reference is ai_edge_litert with OpResolverType.BUILTIN_REF:

  tests/data/goldens/op_densify_<type>_<variant>/
      model.tflite, input_0.bin, output_0.bin

Everything is deterministic: rerunning the script reproduces the same bytes.
"""

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_lstm_cases import flatc_compile, run_ref, write  # noqa: E402

INDEX_TYPE = {'i32': 'Int32Vector', 'u16': 'Uint16Vector', 'u8': 'Uint8Vector'}


def expanded(dense, block_map, block_size):
    """The dense tensor with each blocked dimension split into (outer, inner),
    the inner (block) dimensions moved to the end."""
    rank = dense.ndim
    shape, axes_outer, axes_inner = [], [], []
    for d in range(rank):
        if d in block_map:
            b = block_size[block_map.index(d)]
            axes_outer.append(len(shape))
            axes_inner.append((block_map.index(d), len(shape) + 1))
            shape += [dense.shape[d] // b, b]
        else:
            axes_outer.append(len(shape))
            shape.append(dense.shape[d])
    inner = [ax for _, ax in sorted(axes_inner)]
    return dense.reshape(shape).transpose(axes_outer + inner)


def encode(dense, traversal, block_map, block_size, formats, index_type):
    """SparsityParameters (as JSON) and the stored values."""
    t = expanded(dense, block_map, block_size).transpose(traversal)
    n = len(traversal)
    segs, idx, values = [[0] for _ in range(n)], [[] for _ in range(n)], []

    def walk(level, sub):
        if level == n:
            values.append(sub)
            return
        for i in range(sub.shape[0]):
            if formats[level] == 'DENSE':
                walk(level + 1, sub[i])
            elif np.any(sub[i] != 0):
                idx[level].append(i)
                walk(level + 1, sub[i])
        if formats[level] != 'DENSE':
            segs[level].append(len(idx[level]))

    walk(0, t)
    meta = []
    for level in range(n):
        if formats[level] == 'DENSE':
            meta.append({'format': 'DENSE', 'dense_size': int(t.shape[level])})
        else:
            kind = INDEX_TYPE[index_type]
            meta.append({'format': 'SPARSE_CSR',
                         'array_segments_type': kind,
                         'array_segments': {'values': [int(v) for v in segs[level]]},
                         'array_indices_type': kind,
                         'array_indices': {'values': [int(v) for v in idx[level]]}})
    sparsity = {'traversal_order': list(traversal), 'dim_metadata': meta}
    if block_map:
        sparsity['block_map'] = list(block_map)
    return sparsity, np.array(values, dense.dtype)


def sparse_weights(rng, shape, density, block_map, block_size, dtype):
    """Random weights, zero outside a random set of blocks (or elements)."""
    bshape = list(shape)
    for d, b in zip(block_map, block_size):
        bshape[d] //= b
    keep = rng.random(bshape) < density
    for d, b in zip(block_map, block_size):
        keep = np.repeat(keep, b, axis=d)
    if dtype == np.int8:
        w = rng.integers(-127, 128, size=shape)
        w[w == 0] = 5
    else:
        w = rng.normal(size=shape)
    return np.where(keep, w, 0).astype(dtype)


def model(dense, sparsity, values, quant, densify=True):
    shape = list(dense.shape)
    int8 = dense.dtype == np.int8
    ttype = 'INT8' if int8 else 'FLOAT32'
    tensors = [{'shape': shape, 'type': 'FLOAT32', 'name': 'input', 'buffer': 1},
               {'shape': shape, 'type': ttype, 'name': 'sparse', 'buffer': 2,
                'sparsity': sparsity},
               {'shape': shape, 'type': ttype, 'name': 'dense', 'buffer': 3},
               {'shape': shape, 'type': 'FLOAT32', 'name': 'output', 'buffer': 4}]
    buffers = [{}, {}, {'data': list(values.tobytes())}, {}, {}]
    codes = [{'deprecated_builtin_code': 124, 'builtin_code': 'DENSIFY', 'version': 1},
             {'deprecated_builtin_code': 0, 'builtin_code': 'ADD', 'version': 1}]
    ops = [{'opcode_index': 0, 'inputs': [1], 'outputs': [2],
            'builtin_options_type': 'DensifyOptions', 'builtin_options': {}}]
    added = 2
    if int8:
        for t in tensors[1:3]:
            t['quantization'] = {'scale': [quant], 'zero_point': [0]}
        tensors.append({'shape': shape, 'type': 'FLOAT32', 'name': 'dequantized', 'buffer': 5})
        buffers.append({})
        codes.append({'deprecated_builtin_code': 6, 'builtin_code': 'DEQUANTIZE', 'version': 2})
        ops.append({'opcode_index': 2, 'inputs': [2], 'outputs': [4]})
        added = 4
    if not densify:  # the sparse tensor straight into ADD: must be refused
        ops, added = [], 1
    ops.append({'opcode_index': 1, 'inputs': [0, added], 'outputs': [3],
                'builtin_options_type': 'AddOptions', 'builtin_options': {}})
    return flatc_compile({'version': 3, 'operator_codes': codes,
                          'subgraphs': [{'tensors': tensors, 'inputs': [0], 'outputs': [3],
                                         'operators': ops}],
                          'buffers': buffers})


CASES = [
    # name, dtype, shape, traversal, block_map, block_size, formats, index type, density
    ('f32_csr', np.float32, (5, 12), [0, 1], [], [], ['DENSE', 'SPARSE_CSR'], 'i32', 0.3),
    ('f32_csr_2d', np.float32, (7, 9), [0, 1], [], [], ['SPARSE_CSR', 'SPARSE_CSR'], 'u16',
     0.15),
    ('f32_block_1x4', np.float32, (6, 16), [0, 1, 2], [1], [4],
     ['DENSE', 'SPARSE_CSR', 'DENSE'], 'u8', 0.4),
    ('f32_block_2x2_3d', np.float32, (3, 4, 6), [0, 1, 2, 3, 4], [1, 2], [2, 2],
     ['DENSE', 'DENSE', 'SPARSE_CSR', 'DENSE', 'DENSE'], 'i32', 0.5),
    ('s8_col_major', np.int8, (6, 10), [1, 0], [], [], ['DENSE', 'SPARSE_CSR'], 'u8', 0.3),
    ('s8_block_1x4', np.int8, (4, 8), [0, 1, 2], [1], [4], ['DENSE', 'SPARSE_CSR', 'DENSE'],
     'u16', 0.5),
]


# Broken encodings of one small sparse tensor (float32 [4, 8], CSR columns, or
# 1x4 blocks), each rejected at open with a message naming what is wrong
# (tests/engine/test_sparsity.c), plus a valid one read by ADD directly.
def corrupt_cases(root):
    rng = np.random.default_rng(7)
    dense = sparse_weights(rng, (4, 8), 0.4, [], [], np.float32)
    dense[0, 0], dense[1, :] = 1.0, 0.0
    base, values = encode(dense, [0, 1], [], [], ['DENSE', 'SPARSE_CSR'], 'i32')
    nnz = len(values)
    csr = base['dim_metadata'][1]

    def seg(v):
        return lambda sp: sp['dim_metadata'][1]['array_segments'].update(values=v)

    def idx(i, v):
        def f(sp):
            sp['dim_metadata'][1]['array_indices']['values'][i] = v
        return f

    segs = csr['array_segments']['values']
    cases = {
        'segment_decreasing': seg([0, segs[2], segs[1] - 1 if segs[1] else 0] + segs[3:]),
        'segment_end': seg(segs[:-1] + [segs[-1] - 1]),
        'segment_start': seg([1] + segs[1:]),
        'segment_count': seg(segs[:-1]),
        'index_range': idx(0, 8),
        'index_negative': idx(0, -1),
        'dense_size': lambda sp: sp['dim_metadata'][0].update(dense_size=5),
        'traversal_repeat': lambda sp: sp.update(traversal_order=[0, 0]),
        'metadata_count': lambda sp: sp['dim_metadata'].pop(),
        'segments_missing': lambda sp: [sp['dim_metadata'][1].pop(k)
                                        for k in ('array_segments_type', 'array_segments')],
    }
    out = os.path.join(root, 'tests', 'data', 'sparsity')
    os.makedirs(out, exist_ok=True)
    for name, mutate in cases.items():
        sp = json.loads(json.dumps(base))
        mutate(sp)
        open(os.path.join(out, name + '.tflite'), 'wb').write(model(dense, sp, values, 0))
    short = model(dense, base, values[:nnz - 1], 0)
    open(os.path.join(out, 'values_count.tflite'), 'wb').write(short)
    blocked, bvalues = encode(dense, [0, 1, 2], [1], [4], ['DENSE', 'SPARSE_CSR', 'DENSE'], 'u8')
    blocked['dim_metadata'][2]['dense_size'] = 3
    open(os.path.join(out, 'block_size.tflite'), 'wb').write(model(dense, blocked, bvalues, 0))
    blocked['dim_metadata'][2]['dense_size'] = 4
    blocked['block_map'] = [2]
    open(os.path.join(out, 'block_map.tflite'), 'wb').write(model(dense, blocked, bvalues, 0))
    direct = model(dense, base, values, 0, densify=False)
    open(os.path.join(out, 'read_by_add.tflite'), 'wb').write(direct)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--root', default='.')
    args = ap.parse_args()
    rng = np.random.default_rng(20240612)
    for name, dtype, shape, trav, bmap, bsize, formats, itype, density in CASES:
        dense = sparse_weights(rng, shape, density, bmap, bsize, dtype)
        sparsity, values = encode(dense, trav, bmap, bsize, formats, itype)
        m = model(dense, sparsity, values, 0.02)
        x = rng.normal(size=shape).astype(np.float32)
        runs = run_ref(m, [x], invokes=1)
        expect = dense.astype(np.float32) * (0.02 if dtype == np.int8 else 1.0) + x
        assert np.allclose(runs[0][0], expect, atol=1e-6), name
        write(args.root, 'op_densify_' + name, m, [x], runs)
    corrupt_cases(args.root)


if __name__ == '__main__':
    main()
