#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden cases of WHERE, the op whose output shape depends on the
input values (Spry's dynamic tensors, engine/dynamic.h), and the models of
its engine test.

Usage (from the repository root; development tooling only, never needed by the
test suite, which uses the committed files):

    python3 tools/goldens/make_where_cases.py [--root .]

Needs TensorFlow (the converter), ai_edge_litert (the reference runtime) and
flatc. Models are tf.functions around tf.where converted with
tf.lite.TFLiteConverter.from_concrete_functions, except those with a constant
condition (the converter would fold them away), which are written as flatc
JSON. Reference outputs come from ai_edge_litert with
OpResolverType.BUILTIN_REF (TFLite's reference kernels); Spry matches them
byte for byte (WHERE's outputs are int64 coordinates). Feeds are fixed or
seeded from the case name, so rerunning with the same versions reproduces the
same bytes. The script checks that every model holds the operators its case is
about.

It writes:

  tests/data/goldens/op_where_<case>/   one WHERE: conditions of rank 1 to 5,
      all false (a [0, rank] output, an empty file), all true, and every
      condition type TFLite's kernel takes (bool, float32 with NaN, -0.0 and
      infinities, int32, int64 with only high bits set, int8, uint8,
      uint32); a constant condition as the graph output (static shape).
  tests/data/goldens/dyn_where_<case>/  WHERE feeding further ops, which Spry
      prepares at every invoke: GREATER -> WHERE -> CAST / GATHER_ND -> SUM
      over a sequence of invokes on one interpreter (input_<i>.bin /
      output_<i>.bin, then step<k>/...) whose number of true elements grows
      and shrinks, down to none; and a constant condition folded at prepare
      (WHERE -> CAST). The multi-step case names its model in model.txt:
  tests/data/models/dyn_where_gather_sum.tflite   it also seeds the fuzzer and
      the corruption sweep.
  tests/data/where/<name>.tflite        models Spry refuses at prepare, for
      tests/engine/test_dynamic.c: a dynamic tensor passed to a WHILE loop,
      an IF branch returning one, a scalar condition, an int16 condition.

Prints the golden case names to register in tests/engine/meson.build.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zlib

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

SCHEMA = '/work/shared/spec/schema.fbs'
SEEDS = ('dyn_where_gather_sum',)  # also in tests/data/models/
TFL_TYPE = {np.bool_: 'BOOL', np.float32: 'FLOAT32', np.int32: 'INT32', np.int64: 'INT64',
            np.int8: 'INT8', np.uint8: 'UINT8', np.uint32: 'UINT32', np.int16: 'INT16'}
BUILTIN = {'WHERE': 109, 'CAST': 53}


def rng_for(name):
    return np.random.default_rng(zlib.crc32(name.encode()))


# ---- Models ------------------------------------------------------------------------

def convert(fn, specs):
    concrete = fn.get_concrete_function(*specs)
    return tf.lite.TFLiteConverter.from_concrete_functions([concrete]).convert()


def flatc_model(doc):
    """The .tflite bytes of a model given as schema JSON."""
    with tempfile.TemporaryDirectory() as tmp:
        schema = os.path.join(tmp, 'schema.fbs')
        with open(SCHEMA) as src, open(schema, 'w') as dst:
            dst.write(src.read().replace('(deprecated)', ''))
        path = os.path.join(tmp, 'model.json')
        with open(path, 'w') as f:
            json.dump(doc, f)
        subprocess.run(['flatc', '-b', '-o', tmp, schema, path], check=True)
        with open(os.path.join(tmp, 'model.tflite'), 'rb') as f:
            return f.read()


def graph_model(tensors, ops, inputs, outputs):
    """A one-subgraph model: tensors are (name, shape, numpy dtype, constant
    data or None); ops are (op name, version, inputs, outputs)."""
    codes = sorted({(op, version) for op, version, _, _ in ops})
    buffers, jt = [{}], []
    for name, shape, dtype, data in tensors:
        jt.append({'shape': list(shape), 'type': TFL_TYPE[np.dtype(dtype).type], 'name': name,
                   'buffer': len(buffers)})
        buffers.append({'data': list(np.asarray(data, dtype).tobytes())} if data is not None
                       else {})
    jo = []
    for op, version, ins, outs in ops:
        o = {'opcode_index': codes.index((op, version)), 'inputs': ins, 'outputs': outs}
        if op == 'CAST':
            o['builtin_options_type'] = 'CastOptions'
            o['builtin_options'] = {'in_data_type': jt[ins[0]]['type'],
                                    'out_data_type': jt[outs[0]]['type']}
        jo.append(o)
    doc = {'version': 3,
           'operator_codes': [{'deprecated_builtin_code': BUILTIN[op], 'builtin_code': op,
                               'version': version} for op, version in codes],
           'subgraphs': [{'tensors': jt, 'inputs': inputs, 'outputs': outputs,
                          'operators': jo, 'name': 'main'}],
           'buffers': buffers}
    return flatc_model(doc)


def model_ops(model):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    it = Interpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    return [o['op_name'] for o in it._get_ops_details()]


def reference_steps(model, steps):
    """Outputs of each step (a list of feeds) on one BUILTIN_REF interpreter."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    it = Interpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    outs = []
    for feeds in steps:
        for d, x in zip(it.get_input_details(), feeds):
            it.set_tensor(d['index'], x)
        it.invoke()
        outs.append([fetch(it, d) for d in it.get_output_details()])
    return outs


def fetch(it, detail):
    """An output's value; ai_edge_litert cannot return an empty tensor (it
    has no buffer), so one with a zero dimension is built from its shape."""
    try:
        return it.get_tensor(detail['index']).copy()
    except ValueError:
        if 0 not in list(detail['shape']):
            raise
        return np.zeros(detail['shape'], detail['dtype'])


# ---- Writing ------------------------------------------------------------------------

def write_case(root, name, model, steps, expect_ops):
    ops = model_ops(model)
    missing = [op for op in expect_ops if op not in ops]
    if missing:
        raise SystemExit('%s: the model lacks %s (it has %s)' % (name, missing, ops))
    outs = reference_steps(model, steps)
    d = os.path.join(root, 'tests', 'data', 'goldens', name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    if name in SEEDS:  # the model seeds the fuzzer and the corruption sweep
        with open(os.path.join(root, 'tests', 'data', 'models', name + '.tflite'), 'wb') as f:
            f.write(model)
        with open(os.path.join(d, 'model.txt'), 'w') as f:
            f.write(name + '.tflite\n')
    else:
        with open(os.path.join(d, 'model.tflite'), 'wb') as f:
            f.write(model)
    for k, (feeds, results) in enumerate(zip(steps, outs)):
        sd = d if k == 0 else os.path.join(d, 'step%d' % k)
        os.makedirs(sd, exist_ok=True)
        for i, x in enumerate(feeds):
            with open(os.path.join(sd, 'input_%d.bin' % i), 'wb') as f:
                f.write(np.ascontiguousarray(x).tobytes())
        for i, y in enumerate(results):
            with open(os.path.join(sd, 'output_%d.bin' % i), 'wb') as f:
                f.write(np.ascontiguousarray(y).tobytes())
    shapes = ' '.join('x'.join(map(str, y.shape)) or 'scalar' for r in outs for y in r[:2])
    print("  '%s',  # %s" % (name, shapes))


def where_fn():
    return tf.function(lambda x: tf.where(x))


def single_cases(root):
    """One WHERE on a fed condition."""
    def one(name, condition):
        dtype = tf.as_dtype(condition.dtype)
        model = convert(where_fn(), [tf.TensorSpec(condition.shape, dtype)])
        write_case(root, 'op_where_' + name, model, [[condition]], ['WHERE'])

    one('bool_rank1', np.array([1, 0, 1, 1, 0, 0, 1], np.bool_))
    for rank, shape in enumerate([[3, 4], [2, 3, 4], [2, 2, 3, 2], [2, 1, 3, 2, 2]], 2):
        name = 'bool_rank%d' % rank
        one(name, rng_for(name).integers(0, 2, size=shape).astype(np.bool_))
    one('bool_all_false', np.zeros([3, 4], np.bool_))
    one('bool_all_true', np.ones([2, 3, 2], np.bool_))
    nan, inf = float('nan'), float('inf')
    one('f32_special', np.array([[0.0, -0.0, nan, inf], [1e-45, -1.0, 0.0, -inf]], np.float32))
    one('i32', np.array([[0, 5, 0], [-7, 0, 0], [0, 0, 2147483647]], np.int32))
    one('i64', np.array([[0, 2 ** 40, 0, -1, 0], [0, 0, 1, 0, -2 ** 63]], np.int64))
    one('i8', np.array([[0, -128, 0], [1, 0, 0], [0, 0, 0], [127, 0, -1]], np.int8))
    one('u8', np.array([[0, 255, 0, 0, 1, 0], [0, 0, 128, 0, 0, 0]], np.uint8))
    one('u32', np.array([[0, 2 ** 31, 0, 1], [2 ** 32 - 1, 0, 0, 0], [0, 0, 0, 0]], np.uint32))


def const_cases(root):
    """A constant condition: WHERE has a static shape. As the graph output it
    runs at every invoke; followed by CAST it is folded at prepare."""
    mask = np.array([[True, False, True], [False, False, True]])
    tensors = [('mask', [2, 3], np.bool_, mask), ('coords', [3, 2], np.int64, None),
               ('coords_i32', [3, 2], np.int32, None)]
    model = graph_model(tensors[:2], [('WHERE', 1, [0], [1])], [], [1])
    write_case(root, 'op_where_const_output', model, [[]], ['WHERE'])
    model = graph_model(tensors, [('WHERE', 1, [0], [1]), ('CAST', 1, [1], [2])], [], [2])
    write_case(root, 'dyn_where_const_cast', model, [[]], ['WHERE', 'CAST'])


def chain_case(root):
    """Positive elements of x pick values of p; the number of rows changes
    from invoke to invoke (3, all 6, none, 2, 5), so the nodes after WHERE
    are prepared again each time, growing and shrinking their outputs."""
    @tf.function
    def chain(x, p):
        idx = tf.where(x > 0.0)
        picked = tf.gather_nd(p, idx)
        return tf.reduce_sum(picked), tf.cast(idx, tf.int32), picked

    spec = [tf.TensorSpec([2, 3], tf.float32)] * 2
    model = convert(chain, spec)
    rng = rng_for('dyn_where_gather_sum')
    signs = [[1, -1, 1, -1, 1, -1], [1] * 6, [-1] * 6, [-1, 1, -1, -1, -1, 1],
             [1, 1, 1, -1, 1, 1]]
    steps = []
    for s in signs:
        x = (np.array(s, np.float32) * rng.uniform(0.5, 2.0, 6)).astype(np.float32).reshape(2, 3)
        steps.append([x, rng.normal(size=[2, 3]).astype(np.float32)])
    write_case(root, 'dyn_where_gather_sum', model, steps,
               ['GREATER', 'WHERE', 'CAST', 'GATHER_ND', 'SUM'])


def error_models(root):
    """Models Spry refuses at prepare (tests/engine/test_dynamic.c)."""
    d = os.path.join(root, 'tests', 'data', 'where')
    os.makedirs(d, exist_ok=True)

    @tf.function
    def loop_over_coordinates(x):
        idx = tf.where(x)
        return tf.while_loop(lambda i, n: i < 3, lambda i, n: (i + 1, n + tf.reduce_sum(idx)),
                             [tf.constant(0), tf.constant(0, tf.int64)])[1]

    @tf.function
    def branch_returns_coordinates(p, x):
        return tf.cond(p, lambda: tf.where(x), lambda: tf.zeros([0, 2], tf.int64))

    models = {
        'while_dynamic_input': (convert(loop_over_coordinates,
                                        [tf.TensorSpec([2, 3], tf.bool)]), ['WHERE', 'WHILE']),
        'if_dynamic_branch': (convert(branch_returns_coordinates,
                                      [tf.TensorSpec([], tf.bool),
                                       tf.TensorSpec([2, 3], tf.bool)]), ['IF']),
        'scalar_condition': (graph_model([('c', [], np.bool_, None), ('o', [1, 0], np.int64, None)],
                                         [('WHERE', 1, [0], [1])], [0], [1]), None),
        'int16_condition': (graph_model([('c', [4], np.int16, None), ('o', [1, 1], np.int64, None)],
                                        [('WHERE', 2, [0], [1])], [0], [1]), None),
    }
    for name, (model, expect_ops) in models.items():
        if expect_ops:
            ops = model_ops(model)
            if any(op not in ops for op in expect_ops):
                raise SystemExit('%s: expected %s, got %s' % (name, expect_ops, ops))
        with open(os.path.join(d, name + '.tflite'), 'wb') as f:
            f.write(model)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--root', default='.')
    args = ap.parse_args()
    print('golden cases (tests/engine/meson.build):')
    single_cases(args.root)
    const_cases(args.root)
    chain_case(args.root)
    error_models(args.root)


if __name__ == '__main__':
    sys.exit(main())
