#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden cases of RELU fusion (engine/fusion.h):

- tests/data/goldens/op_conv_relu_separate/: a float model whose CONV_2D
  and DEPTHWISE_CONV_2D nodes are followed by separate RELU nodes, as in
  MediaPipe's models (Spry fuses both pairs);
- tests/data/goldens/op_conv_relu_kept/: the same model and weights, with
  the convolutions' own outputs also listed as model outputs, so nothing
  may be fused (tests/engine/test_fusion.c checks that both models' final
  outputs are equal bit for bit, and that only the first fuses);
- tests/engine/models/conv_relu_input_written.tflite: the first model with
  its first RELU's output also listed as a model input (a tensor the
  caller fills and a node overwrites, which untrusted models may do):
  that RELU must keep its own buffer. No reference output (LiteRT's
  checks are not the point); test_fusion.c compares it with the others.

Usage (from the repository root; development tooling only):

    python3 tools/goldens/make_fusion_cases.py [--root .]

The model (Conv2D 3x3 SAME + ReLU, DepthwiseConv2D 3x3 SAME + ReLU,
Conv2D 1x1, on a 1x12x13x3 input) is built with Keras and converted; the
converter fuses each ReLU into its convolution, so the ReLUs are split out
again into RELU nodes of their own by editing the flatbuffer. Reference
outputs come from ai_edge_litert's BUILTIN_REF resolver on a fixed-seed
input.
"""

import argparse
import copy
import os

import flatbuffers
import numpy as np
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter, OpResolverType
from tensorflow.lite.python import schema_py_generated as schema

CONV_2D, DEPTHWISE_CONV_2D, RELU = 3, 4, 19


def build_model():
    tf.keras.utils.set_random_seed(11)
    inp = tf.keras.Input((12, 13, 3), batch_size=1)
    x = tf.keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inp)
    x = tf.keras.layers.DepthwiseConv2D(3, padding="same", activation="relu")(x)
    x = tf.keras.layers.Conv2D(4, 1)(x)
    return tf.lite.TFLiteConverter.from_keras_model(tf.keras.Model(inp, x)).convert()


def builtin(model, op):
    code = model.operatorCodes[op.opcodeIndex]
    return max(code.builtinCode, code.deprecatedBuiltinCode)


def relu_opcode(model):
    for i, code in enumerate(model.operatorCodes):
        if max(code.builtinCode, code.deprecatedBuiltinCode) == RELU:
            return i
    code = schema.OperatorCodeT()
    code.builtinCode = RELU
    code.deprecatedBuiltinCode = RELU
    code.version = 1
    model.operatorCodes.append(code)
    return len(model.operatorCodes) - 1


def split_relus(model, keep_inputs_as_outputs):
    """Each convolution with a fused ReLU writes a new tensor, which a RELU
    node turns into the convolution's old output. Returns the new tensors."""
    graph = model.subgraphs[0]
    relu = relu_opcode(model)
    ops, split = [], []
    for op in graph.operators:
        ops.append(op)
        if builtin(model, op) not in (CONV_2D, DEPTHWISE_CONV_2D):
            continue
        if op.builtinOptions.fusedActivationFunction != schema.ActivationFunctionType.RELU:
            continue
        op.builtinOptions.fusedActivationFunction = schema.ActivationFunctionType.NONE
        raw = copy.deepcopy(graph.tensors[op.outputs[0]])
        raw.name = raw.name + b"_before_relu"
        graph.tensors.append(raw)
        raw_index = len(graph.tensors) - 1
        node = schema.OperatorT()
        node.opcodeIndex = relu
        node.inputs = [raw_index]
        node.outputs = [op.outputs[0]]
        op.outputs = [raw_index]
        ops.append(node)
        split.append(raw_index)
    graph.operators = ops
    if keep_inputs_as_outputs:
        graph.outputs = list(graph.outputs) + split
    return split


def serialize(model):
    builder = flatbuffers.Builder(0)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def write_case(root, name, content, data):
    out_dir = os.path.join(root, "tests/data/goldens", name)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "model.tflite"), "wb") as f:
        f.write(content)
    interp = Interpreter(model_content=content,
                         experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    interp.allocate_tensors()
    ops = [d["op_name"] for d in interp._get_ops_details()]
    assert ops.count("RELU") == 2, ops
    interp.set_tensor(interp.get_input_details()[0]["index"], data)
    interp.invoke()
    data.tofile(os.path.join(out_dir, "input_0.bin"))
    for i, detail in enumerate(interp.get_output_details()):
        result = interp.get_tensor(detail["index"]).astype(np.float32)
        result.tofile(os.path.join(out_dir, "output_%d.bin" % i))
    print(out_dir, ops)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", default=".")
    args = parser.parse_args()
    converted = build_model()
    data = np.random.default_rng(5).uniform(-1, 1, (1, 12, 13, 3)).astype(np.float32)
    for name, keep in (("op_conv_relu_separate", False), ("op_conv_relu_kept", True)):
        model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(converted, 0))
        assert len(split_relus(model, keep)) == 2
        write_case(args.root, name, serialize(model), data)
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(converted, 0))
    split_relus(model, False)
    graph = model.subgraphs[0]
    first_relu = next(op for op in graph.operators if builtin(model, op) == RELU)
    graph.inputs = list(graph.inputs) + [first_relu.outputs[0]]
    path = os.path.join(args.root, "tests/engine/models/conv_relu_input_written.tflite")
    with open(path, "wb") as f:
        f.write(serialize(model))
    print(path)


if __name__ == "__main__":
    main()
