#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the control-flow and resource-variable test data: WHILE, IF,
CALL_ONCE, VAR_HANDLE, READ_VARIABLE and ASSIGN_VARIABLE.

Usage (from the repository root; development tooling only, never needed by the
test suite, which uses the committed files):

    python3 tools/goldens/make_control_flow_cases.py [--root .]

Needs TensorFlow (the converter), ai_edge_litert (the reference runtime) and
flatc (Debian's flatbuffers-compiler 2.0.8 or newer). Every model is a
tf.function (tf.while_loop, tf.cond) or a tf.Module holding tf.Variables,
converted with tf.lite.TFLiteConverter.from_concrete_functions (resource
variables enabled, so that the converter emits CALL_ONCE, VAR_HANDLE,
READ_VARIABLE and ASSIGN_VARIABLE instead of freezing them); the int8 cases
are fully quantized with a fixed-seed representative dataset. The script
checks that each model holds the operators its case is about.

It writes:

  tests/data/goldens/cf_<case>/
      model.tflite (or model.txt naming a model of tests/data/models/), and
      the fixed inputs and reference outputs of a sequence of invokes on one
      interpreter: input_<i>.bin / output_<i>.bin for the first, then
      step<k>/input_<i>.bin / step<k>/output_<i>.bin for the k-th next one.
      The outputs are those of ai_edge_litert with OpResolverType.BUILTIN_REF
      (TFLite's reference kernels), which Spry matches bit for bit on integer
      types (float32 within the golden tolerance). The script also runs the
      tf.function itself and reports any disagreement with TFLite.
  tests/data/models/cf_<case>.tflite
      the models that also seed the fuzzer and the corruption sweep (their
      golden cases name them in model.txt).
  tests/data/control_flow/<name>.tflite and tests/engine/control_flow_errors.h
      malformed variants of those models (edited as flatc JSON: recursion,
      subgraph indices out of range, mismatched arities, types and shapes,
      missing options, an unsupported version, nesting deeper than the
      engine allows) with the stage that must fail (prepare or invoke) and a
      fragment of the expected message, for tests/engine/test_control_flow.c;
      while_swap_f32.tflite, a loop whose body swaps two loop variables:
      TFLite's reference WHILE copies the body's outputs into its inputs one
      after another and so reads an overwritten value from the second
      iteration on; the C test checks TensorFlow's result instead; and
      while_shared_callees_f32.tflite, cf_while_counter_f32 with a second
      WHILE on an input of another shape calling the same subgraphs.

Converter output (tensor and subgraph names) may vary between TensorFlow
versions; the inputs are fixed, so rerunning with the same versions
reproduces the same bytes.
"""

import argparse
import copy
import json
import os
import shutil
import subprocess
import tempfile

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

SCHEMA = '/work/shared/spec/schema.fbs'
SEEDS = ('cf_while_fc_s8', 'cf_if_fc_s8', 'cf_variables_f32')  # also in tests/data/models/


# ---- Conversion, inspection, reference runs ----------------------------------------

def convert(fn, module=None, representative=None):
    concrete = fn.get_concrete_function()
    converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete], module)
    converter.experimental_enable_resource_variables = True
    if representative is not None:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = representative
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    return converter.convert()


class Flatc:
    """Model <-> JSON through flatc, with a schema copy flatc 2.0.8 accepts."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp()
        self.schema = os.path.join(self.tmp, 'schema.fbs')
        with open(SCHEMA) as src, open(self.schema, 'w') as dst:
            dst.write(src.read().replace('(deprecated)', ''))

    def to_json(self, model):
        path = os.path.join(self.tmp, 'm.tflite')
        open(path, 'wb').write(model)
        subprocess.run(['flatc', '-t', '--strict-json', '--defaults-json', '--raw-binary', '-o',
                        self.tmp, self.schema, '--', path], check=True)
        return json.load(open(os.path.join(self.tmp, 'm.json')))

    def to_model(self, doc):
        path = os.path.join(self.tmp, 'e.json')
        json.dump(doc, open(path, 'w'))
        subprocess.run(['flatc', '-b', '-o', self.tmp, self.schema, path], check=True)
        return open(os.path.join(self.tmp, 'e.tflite'), 'rb').read()

    def close(self):
        shutil.rmtree(self.tmp)


def op_names(doc):
    return {doc['operator_codes'][o['opcode_index']]['builtin_code']
            for g in doc['subgraphs'] for o in g['operators']}


def reference_steps(model, steps):
    """Outputs of each step on one BUILTIN_REF interpreter."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    it = Interpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    outs = []
    for feeds in steps:
        for d, x in zip(it.get_input_details(), feeds):
            it.set_tensor(d['index'], x)
        it.invoke()
        outs.append([it.get_tensor(d['index']).copy() for d in it.get_output_details()])
    return outs


def tf_steps(fn, steps):
    outs = []
    for feeds in steps:
        r = fn(*[tf.constant(x) for x in feeds])
        r = r if isinstance(r, (tuple, list)) else [r]
        outs.append([np.asarray(v) for v in r])
    return outs


def compare_with_tf(name, ref, want):
    for k, (a, b) in enumerate(zip(ref, want)):
        for i, (x, y) in enumerate(zip(a, b)):
            if x.dtype == np.int8 or x.shape != y.shape:
                continue  # quantized: TF runs in float; shapes: output order may differ
            if not np.allclose(x.astype(np.float64), y.astype(np.float64), atol=1e-4):
                print('  note: %s step %d output %d: TFLite %s, TensorFlow %s' % (
                    name, k, i, x.ravel()[:6], y.ravel()[:6]))


# ---- Models -----------------------------------------------------------------------

def spec(shape, dtype):
    return tf.TensorSpec(shape, dtype)


def while_counter():
    @tf.function(input_signature=[spec([], tf.int32), spec([2], tf.float32)])
    def f(n, x):
        i = tf.constant(0)
        return tf.while_loop(lambda i, x: i < n, lambda i, x: (i + 1, x * 1.5 + 1.0), [i, x])[1]
    return f


def while_fibonacci():
    @tf.function(input_signature=[spec([], tf.int32), spec([3], tf.int32)])
    def f(n, seed):
        i = tf.constant(0)
        _, a, b = tf.while_loop(lambda i, a, b: i < n, lambda i, a, b: (i + 1, b, a + b),
                                [i, seed, seed + 1])
        return a, b
    return f


def while_swap():
    @tf.function(input_signature=[spec([], tf.int32), spec([2], tf.float32),
                                  spec([2], tf.float32)])
    def f(n, a, b):
        i = tf.constant(0)
        return tf.while_loop(lambda i, a, b: i < n, lambda i, a, b: (i + 1, b, a), [i, a, b])[1:]
    return f


def if_simple():
    @tf.function(input_signature=[spec([], tf.bool), spec([3], tf.float32)])
    def f(c, x):
        return tf.cond(c, lambda: x * 2.0, lambda: x - 1.0)
    return f


def if_two_outputs():
    @tf.function(input_signature=[spec([1], tf.bool), spec([2, 2], tf.float32),
                                  spec([2, 2], tf.float32)])
    def f(c, x, y):
        return tf.cond(c[0], lambda: (x * y, x + 1.0), lambda: (x - y, y))
    return f


def while_if():
    @tf.function(input_signature=[spec([], tf.int32), spec([4], tf.float32)])
    def f(n, x):
        def body(i, x):
            x = tf.cond(tf.equal(i % 2, 0), lambda: x * 2.0, lambda: x - 1.0)
            return i + 1, x
        return tf.while_loop(lambda i, x: i < n, body, [tf.constant(0), x])[1]
    return f


def if_while():
    @tf.function(input_signature=[spec([], tf.bool), spec([], tf.int32), spec([2], tf.float32)])
    def f(c, n, x):
        def loop():
            return tf.while_loop(lambda i, x: i < n, lambda i, x: (i + 1, x + 2.5),
                                 [tf.constant(0), x])[1]
        return tf.cond(c, loop, lambda: x * -1.0)
    return f


W8 = np.linspace(-1, 1, 64, dtype=np.float32).reshape(8, 8)


def while_fc_int8():
    @tf.function(input_signature=[spec([1, 8], tf.float32)])
    def f(x):
        def body(i, x):
            return i + 1, tf.nn.relu(tf.matmul(x, W8))
        return tf.while_loop(lambda i, x: i < 3, body, [tf.constant(0), x])[1]
    return f


def if_fc_int8():
    @tf.function(input_signature=[spec([1, 8], tf.float32)])
    def f(x):
        return tf.cond(tf.reduce_sum(x) > 0.0, lambda: tf.nn.relu(tf.matmul(x, W8)),
                       lambda: tf.matmul(x, -W8))
    return f


def representative():
    rng = np.random.default_rng(20240711)
    for _ in range(32):
        yield [rng.normal(size=(1, 8)).astype(np.float32)]


class Counter(tf.Module):
    """State across invokes: a float vector, a float and an int32 counter."""

    def __init__(self):
        super().__init__()
        self.total = tf.Variable(tf.constant([0.5, -1.0, 2.0]))
        self.calls = tf.Variable(0.0)
        self.steps = tf.Variable(10)

    @tf.function(input_signature=[spec([3], tf.float32)])
    def __call__(self, x):
        self.total.assign_add(x)
        self.calls.assign_add(1.0)
        self.steps.assign_add(2)
        return self.total * 2.0, self.calls, self.steps


class LoopAccumulator(tf.Module):
    """A variable updated inside a loop body (its handle enters the body)."""

    def __init__(self):
        super().__init__()
        self.acc = tf.Variable(tf.zeros([2]))

    @tf.function(input_signature=[spec([], tf.int32), spec([2], tf.float32)])
    def __call__(self, n, x):
        def body(i):
            self.acc.assign(self.acc * 0.5 + x)
            return (i + 1,)
        tf.while_loop(lambda i: i < n, body, [tf.constant(0)])
        return self.acc.read_value()


def f32(*v):
    return np.array(v, np.float32)


def i32(v):
    return np.array(v, np.int32)


def cases():
    """(name, fn, module, representative, required ops, steps)."""
    counter, acc = Counter(), LoopAccumulator()
    rng = np.random.default_rng(7)
    q = [[rng.normal(size=(1, 8)).astype(np.float32)] for _ in range(3)]
    return [
        ('cf_while_counter_f32', while_counter(), None, None, {'WHILE'},
         [[i32(3), f32(1, -2)], [i32(0), f32(0.5, 4)], [i32(1), f32(2, 3)],
          [i32(7), f32(-1, 0.25)]]),
        ('cf_while_fibonacci_i32', while_fibonacci(), None, None, {'WHILE'},
         [[i32(10), i32([0, 1, 5])], [i32(0), i32([3, 4, 5])], [i32(40), i32([1, 0, -2])]]),
        ('cf_if_f32', if_simple(), None, None, {'IF'},
         [[np.array(True), f32(1, 2, 3)], [np.array(False), f32(1, 2, 3)],
          [np.array(True), f32(-0.5, 0, 7)]]),
        ('cf_if_two_outputs_f32', if_two_outputs(), None, None, {'IF'},
         [[np.array([False]), f32(1, 2, 3, 4).reshape(2, 2), f32(5, 6, 7, 8).reshape(2, 2)],
          [np.array([True]), f32(1, 2, 3, 4).reshape(2, 2), f32(5, 6, 7, 8).reshape(2, 2)]]),
        ('cf_while_if_f32', while_if(), None, None, {'WHILE', 'IF'},
         [[i32(3), f32(1, 2, 3, 4)], [i32(0), f32(1, 2, 3, 4)], [i32(6), f32(-1, 0, 0.5, 9)]]),
        ('cf_if_while_f32', if_while(), None, None, {'WHILE', 'IF'},
         [[np.array(True), i32(3), f32(1, 2)], [np.array(False), i32(3), f32(1, 2)],
          [np.array(True), i32(0), f32(-4, 8)]]),
        ('cf_while_fc_s8', while_fc_int8(), None, representative, {'WHILE', 'FULLY_CONNECTED'},
         q),
        ('cf_if_fc_s8', if_fc_int8(), None, representative, {'IF', 'FULLY_CONNECTED'}, q),
        ('cf_variables_f32', counter.__call__, counter, None,
         {'CALL_ONCE', 'VAR_HANDLE', 'READ_VARIABLE', 'ASSIGN_VARIABLE'},
         [[f32(1, 2, 3)], [f32(0.25, -4, 1)], [f32(0, 0, 0)], [f32(-1.5, 8, 2)]]),
        ('cf_variable_in_loop_f32', acc.__call__, acc, None,
         {'WHILE', 'CALL_ONCE', 'VAR_HANDLE', 'READ_VARIABLE', 'ASSIGN_VARIABLE'},
         [[i32(2), f32(1, -1)], [i32(3), f32(0.5, 2)], [i32(0), f32(9, 9)], [i32(1), f32(4, 4)]]),
    ]


def arg_names(fn):
    return [s.name for s in fn.get_concrete_function().structured_input_signature[0]]


def model_order(model, fn, steps):
    """The feeds of each step (in the function's argument order) in the
    model's input order, which the converter may change."""
    from ai_edge_litert.interpreter import Interpreter
    names = [d['name'].split(':')[0].replace('serving_default_', '')
             for d in Interpreter(model_content=model).get_input_details()]
    position = {a: i for i, a in enumerate(arg_names(fn))}
    return [[feeds[position[n]] for n in names] for feeds in steps]


def quantize_feeds(model, steps):
    """Float feeds -> the int8 inputs of a fully quantized model."""
    from ai_edge_litert.interpreter import Interpreter
    details = Interpreter(model_content=model).get_input_details()
    out = []
    for feeds in steps:
        row = []
        for d, x in zip(details, feeds):
            if d['dtype'] == np.int8:
                scale, zp = d['quantization']
                x = np.clip(np.round(x / scale) + zp, -128, 127).astype(np.int8)
            row.append(x)
        out.append(row)
    return out


# ---- Writing goldens ----------------------------------------------------------------

def write_step(folder, feeds, outputs):
    os.makedirs(folder, exist_ok=True)
    for kind, arrays in (('input', feeds), ('output', outputs)):
        for i, a in enumerate(arrays):
            with open(os.path.join(folder, '%s_%d.bin' % (kind, i)), 'wb') as f:
                f.write(np.ascontiguousarray(a).tobytes())


def write_golden(root, name, model, steps, outs):
    case = os.path.join(root, 'tests', 'data', 'goldens', name)
    shutil.rmtree(case, ignore_errors=True)
    os.makedirs(case)
    if name in SEEDS:
        open(os.path.join(root, 'tests', 'data', 'models', name + '.tflite'), 'wb').write(model)
        open(os.path.join(case, 'model.txt'), 'w').write(name + '.tflite\n')
    else:
        open(os.path.join(case, 'model.tflite'), 'wb').write(model)
    for k, (feeds, outputs) in enumerate(zip(steps, outs)):
        write_step(case if k == 0 else os.path.join(case, 'step%d' % k), feeds, outputs)


# ---- Malformed models -------------------------------------------------------------------

def find_op(doc, graph, name):
    codes = doc['operator_codes']
    for i, o in enumerate(doc['subgraphs'][graph]['operators']):
        if codes[o['opcode_index']]['builtin_code'] == name:
            return o, i
    raise ValueError('no %s in subgraph %d' % (name, graph))


def scalar_tensor(doc, graph, name, dtype='FLOAT32'):
    """Index of a new rank-0 constant tensor in subgraph `graph`."""
    doc['buffers'].append({'data': [0, 0, 0, 0]})
    tensors = doc['subgraphs'][graph]['tensors']
    tensors.append({'shape': [], 'type': dtype, 'buffer': len(doc['buffers']) - 1, 'name': name})
    return len(tensors) - 1


def nesting_chain(depth):
    """A model whose subgraphs 0..depth-1 each call the next through IF."""
    graphs = []
    for g in range(depth + 1):
        tensors = [{'shape': [], 'type': 'BOOL', 'name': 'c%d' % g},
                   {'shape': [2], 'type': 'FLOAT32', 'name': 'x%d' % g},
                   {'shape': [2], 'type': 'FLOAT32', 'name': 'y%d' % g}]
        if g < depth:
            ops = [{'opcode_index': 0, 'inputs': [0, 0, 1], 'outputs': [2],
                    'builtin_options_type': 'IfOptions',
                    'builtin_options': {'then_subgraph_index': g + 1,
                                        'else_subgraph_index': g + 1}}]
        else:
            ops = [{'opcode_index': 1, 'inputs': [1, 1], 'outputs': [2],
                    'builtin_options_type': 'AddOptions', 'builtin_options': {}}]
        graphs.append({'tensors': tensors, 'inputs': [0, 1] if g == 0 else [0, 1],
                       'outputs': [2], 'operators': ops, 'name': 'level%d' % g})
    return {'version': 3, 'buffers': [{}],
            'operator_codes': [{'deprecated_builtin_code': 118, 'builtin_code': 'IF',
                                'version': 1},
                               {'deprecated_builtin_code': 0, 'builtin_code': 'ADD',
                                'version': 1}],
            'subgraphs': graphs}


def error_cases(docs):
    """(name, stage, message fragment, edited JSON model)."""
    out = []

    def edit(base, name, stage, fragment, change):
        """fragment: the text, or a function of the edited model giving it."""
        doc = copy.deepcopy(docs[base])
        change(doc)
        out.append((name, stage, fragment(doc) if callable(fragment) else fragment, doc))

    def set_option(graph, op, field, value):
        def change(doc):
            find_op(doc, graph, op)[0]['builtin_options'][field] = value
        return change

    w = 'cf_while_counter_f32'
    edit(w, 'while_body_is_main', 'prepare',
         "WHILE (node 0): body subgraph 0 ('main') would run recursively",
         set_option(0, 'WHILE', 'body_subgraph_index', 0))
    edit(w, 'while_cond_out_of_range', 'prepare',
         'WHILE (node 0): cond subgraph index 99 is out of range (the model has 3 subgraphs)',
         set_option(0, 'WHILE', 'cond_subgraph_index', 99))
    edit(w, 'while_body_negative', 'prepare',
         'WHILE (node 0): body subgraph index -1 is out of range',
         set_option(0, 'WHILE', 'body_subgraph_index', -1))
    edit(w, 'while_cond_is_body', 'prepare',
         'WHILE (node 0): cond and body are the same subgraph (2)',
         set_option(0, 'WHILE', 'cond_subgraph_index', 2))

    def drop_cond_input(doc):
        g = doc['subgraphs'][1]
        g['inputs'] = [g['inputs'][0], g['inputs'][2]]  # drops one the cond does not read
    edit(w, 'while_cond_arity', 'prepare',
         "WHILE (node 0): cond subgraph 1 ('while_cond') has 2 inputs, the node passes 3",
         drop_cond_input)

    def drop_output(doc):
        op = find_op(doc, 0, 'WHILE')[0]
        op['outputs'] = op['outputs'][:2]
    edit(w, 'while_output_arity', 'prepare',
         'WHILE (node 0): has 3 inputs but 2 outputs', drop_output)

    def cond_gives_float(doc):
        doc['subgraphs'][1]['outputs'] = [doc['subgraphs'][1]['inputs'][1]]
    edit(w, 'while_cond_not_bool', 'prepare',
         'WHILE (node 0): cond subgraph 1 gives float32, not bool', cond_gives_float)

    def body_changes_shape(doc):
        body = doc['subgraphs'][2]
        k = [i for i, t in enumerate(body['tensors']) if t['type'] == 'FLOAT32'
             and t['shape'] == [2]][-1]
        body['outputs'][body['outputs'].index(k)] = scalar_tensor(doc, 2, 'scalar')
    edit(w, 'while_body_changes_shape', 'prepare',
         'would change shape from one iteration to the next', body_changes_shape)

    def body_changes_type(doc):
        body = doc['subgraphs'][2]
        ints = [i for i, t in enumerate(body['tensors']) if t['type'] == 'INT32'
                and i not in body['inputs']]
        body['outputs'][body['outputs'].index(ints[-1])] = scalar_tensor(doc, 2, 'f')
    edit(w, 'while_body_changes_type', 'prepare', 'body subgraph 2 gives float32 for loop '
         'variable', body_changes_type)

    def no_options(doc):
        op = find_op(doc, 0, 'WHILE')[0]
        op['builtin_options_type'] = 'NONE'
        del op['builtin_options']
    edit(w, 'while_no_options', 'prepare', 'WHILE (node 0): has no WhileOptions', no_options)

    def version_2(doc):
        for c in doc['operator_codes']:
            if c['builtin_code'] == 'WHILE':
                c['version'] = 2
    edit(w, 'while_version_2', 'prepare', 'WHILE version 2 is newer than supported (max 1)',
         version_2)

    def body_unsupported_op(doc):
        doc['operator_codes'].append({'deprecated_builtin_code': 127, 'builtin_code': 'ATAN2',
                                      'version': 1})
        op = find_op(doc, 2, 'MUL')[0]
        op['opcode_index'] = len(doc['operator_codes']) - 1
        op['builtin_options_type'] = 'NONE'
        del op['builtin_options']
    edit(w, 'while_body_unsupported_op', 'prepare',
         "WHILE (node 0): body subgraph 2 ('while_body'): unsupported op ATAN2",
         body_unsupported_op)

    n = 'cf_while_if_f32'

    def if_calls_its_caller(doc):
        body = find_op(doc, 0, 'WHILE')[0]['builtin_options']['body_subgraph_index']
        find_op(doc, body, 'IF')[0]['builtin_options']['then_subgraph_index'] = body
    edit(n, 'if_calls_enclosing_body', 'prepare', 'would run recursively: subgraph 4 calls it',
         if_calls_its_caller)

    i = 'cf_if_f32'

    def cond_int32(doc):
        doc['subgraphs'][0]['tensors'][0]['type'] = 'INT32'
    edit(i, 'if_cond_not_bool', 'prepare', 'IF (node 0): the condition is int32, not bool',
         cond_int32)

    def branch_shape(doc):
        e = find_op(doc, 0, 'IF')[0]['builtin_options']['else_subgraph_index']
        doc['subgraphs'][e]['outputs'] = [scalar_tensor(doc, e, 'scalar')]
    edit(i, 'if_branch_shapes_differ', 'prepare',
         'IF (node 0): the then and else branches give output 0 different shapes',
         branch_shape)

    def then_extra_input(doc):
        t = find_op(doc, 0, 'IF')[0]['builtin_options']['then_subgraph_index']
        g = doc['subgraphs'][t]
        g['inputs'].append(next(k for k in range(len(g['tensors'])) if k not in g['inputs']))
    def then_arity_message(doc):
        t = find_op(doc, 0, 'IF')[0]['builtin_options']['then_subgraph_index']
        return "IF (node 0): then subgraph %d ('%s') has 2 inputs, the node passes 1" % (
            t, doc['subgraphs'][t]['name'])
    edit(i, 'if_then_arity', 'prepare', then_arity_message, then_extra_input)

    def input_type(doc):
        t = find_op(doc, 0, 'IF')[0]['builtin_options']['then_subgraph_index']
        g = doc['subgraphs'][t]
        g['tensors'][g['inputs'][0]]['type'] = 'INT32'
    edit(i, 'if_input_type', 'prepare', 'is int32 but the node passes float32', input_type)

    v = 'cf_variables_f32'
    edit(v, 'call_once_main', 'prepare',
         "CALL_ONCE (node 0): init subgraph 0 ('main') would run recursively",
         set_option(0, 'CALL_ONCE', 'init_subgraph_index', 0))

    def init_with_input(doc):
        g = doc['subgraphs'][1]
        g['inputs'] = [0]
    edit(v, 'call_once_init_arity', 'prepare', 'has 1 inputs, the node passes 0', init_with_input)

    def handle_float(doc):
        o = find_op(doc, 0, 'VAR_HANDLE')[0]
        doc['subgraphs'][0]['tensors'][o['outputs'][0]]['type'] = 'FLOAT32'
    edit(v, 'var_handle_not_resource', 'prepare', 'the output must be one resource element',
         handle_float)

    def no_init(doc):
        ops = doc['subgraphs'][0]['operators']
        doc['subgraphs'][0]['operators'] = [o for o in ops if doc['operator_codes'][
            o['opcode_index']]['builtin_code'] != 'CALL_ONCE']
    edit(v, 'read_before_assign', 'invoke', 'is read before any value was assigned', no_init)

    def read_shape(doc):
        o = find_op(doc, 0, 'READ_VARIABLE')[0]
        doc['subgraphs'][0]['tensors'][o['outputs'][0]]['shape'] = [1, 3]
    edit(v, 'read_declared_shape', 'invoke', 'the model declares [1, 3]', read_shape)

    out.append(('nesting_too_deep', 'prepare', 'subgraph calls nest deeper than 64',
                nesting_chain(70)))
    return out


def shared_callees(doc):
    """cf_while_counter_f32 with a second WHILE on another input shape ([3])
    calling the same cond and body subgraphs: each call prepares them for its
    own shapes again (inputs n, x [2], y [3]; outputs for x, for y)."""
    doc = copy.deepcopy(doc)
    main = doc['subgraphs'][0]
    op, _ = find_op(doc, 0, 'WHILE')
    t = main['tensors']
    x = next(i for i in main['inputs'] if t[i]['shape'] == [2])
    y = len(t)
    t.append({'shape': [3], 'type': 'FLOAT32', 'name': 'y'})
    outputs = []
    for k, o in enumerate(op['outputs']):
        shape = [3] if op['inputs'][k] == x else t[o]['shape']
        outputs.append(len(t))
        t.append({'shape': shape, 'type': t[o]['type'], 'name': 'second_out_%d' % k})
    second = copy.deepcopy(op)
    second['inputs'] = [y if i == x else i for i in op['inputs']]
    second['outputs'] = outputs
    main['operators'].append(second)
    main['inputs'].append(y)
    main['outputs'].append(outputs[op['inputs'].index(x)])
    return doc


def write_errors(root, flatc, docs, swap_model):
    folder = os.path.join(root, 'tests', 'data', 'control_flow')
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    open(os.path.join(folder, 'while_swap_f32.tflite'), 'wb').write(swap_model)
    open(os.path.join(folder, 'while_shared_callees_f32.tflite'), 'wb').write(
        flatc.to_model(shared_callees(docs['cf_while_counter_f32'])))
    rows = []
    for name, stage, fragment, doc in error_cases(docs):
        open(os.path.join(folder, name + '.tflite'), 'wb').write(flatc.to_model(doc))
        rows.append('    {"%s", %s,\n     "%s"},' % (
            name, 'true' if stage == 'invoke' else 'false', fragment.replace('"', '\\"')))
    header = os.path.join(root, 'tests', 'engine', 'control_flow_errors.h')
    open(header, 'w').write('''/* SPDX-License-Identifier: Apache-2.0 */
/* control_flow_errors.h — generated by tools/goldens/make_control_flow_cases.py; do not edit. */
#include <stdbool.h>

typedef struct ControlFlowErrorCase {
  const char *name;     /* tests/data/control_flow/<name>.tflite */
  bool at_invoke;       /* fails at the first invoke (else when the interpreter is created) */
  const char *fragment; /* expected in the error message */
} ControlFlowErrorCase;

static const ControlFlowErrorCase control_flow_error_cases[] = {
%s
};
''' % '\n'.join(rows))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--root', default='.')
    args = parser.parse_args()
    flatc = Flatc()
    docs = {}
    try:
        for name, fn, module, rep, ops, steps in cases():
            model = convert(fn, module, rep)
            doc = flatc.to_json(model)
            missing = ops - op_names(doc)
            if missing:
                raise SystemExit('%s: the converter emitted no %s' % (name, sorted(missing)))
            feeds = model_order(model, fn, steps)
            feeds = quantize_feeds(model, feeds) if rep else feeds
            outs = reference_steps(model, feeds)
            if not rep:
                compare_with_tf(name, outs, tf_steps(fn, steps))
            write_golden(args.root, name, model, feeds, outs)
            docs[name] = doc
            print('%-26s %5d bytes, %d subgraphs, ops %s' % (
                name, len(model), len(doc['subgraphs']), ' '.join(sorted(op_names(doc)))))
        swap = convert(while_swap())
        feeds = [i32(3), f32(1, 2), f32(3, 4)]
        print('while_swap_f32: TFLite %s, TensorFlow %s' % (
            reference_steps(swap, [feeds])[0], tf_steps(while_swap(), [feeds])[0]))
        write_errors(args.root, flatc, docs, swap)
    finally:
        flatc.close()


if __name__ == '__main__':
    main()
