#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden case of a small float model with float16 weights
(tests/data/goldens/op_fp16_weights_conv/): every weight is a float16
constant behind a DEQUANTIZE node, as in MediaPipe's models, so the case
checks that folding those nodes at prepare (engine/constant_folding.c) and
the packed float convolutions that follow give the reference results.

Usage (from the repository root; development tooling only):

    python3 tools/goldens/make_folding_cases.py [--root .]

The model (Conv2D 3x3 SAME + ReLU, DepthwiseConv2D 3x3, Conv2D 1x1, on a
1x9x11x3 input) is built with Keras, converted with float16 weight
quantization and run with ai_edge_litert's BUILTIN_REF resolver on a
fixed-seed input.
"""

import argparse
import os

import numpy as np
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter, OpResolverType


def build_model():
    tf.keras.utils.set_random_seed(7)
    inp = tf.keras.Input((9, 11, 3), batch_size=1)
    x = tf.keras.layers.Conv2D(17, 3, padding="same", activation="relu")(inp)
    x = tf.keras.layers.DepthwiseConv2D(3, padding="valid")(x)
    x = tf.keras.layers.Conv2D(5, 1)(x)
    converter = tf.lite.TFLiteConverter.from_keras_model(tf.keras.Model(inp, x))
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_types = [tf.float16]
    return converter.convert()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", default=".")
    args = parser.parse_args()
    model = build_model()
    out_dir = os.path.join(args.root, "tests/data/goldens/op_fp16_weights_conv")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "model.tflite"), "wb") as f:
        f.write(model)
    interp = Interpreter(model_content=model,
                         experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    interp.allocate_tensors()
    ops = {d["op_name"] for d in interp._get_ops_details()}
    assert "DEQUANTIZE" in ops, ops
    data = np.random.default_rng(3).uniform(-1, 1, (1, 9, 11, 3)).astype(np.float32)
    interp.set_tensor(interp.get_input_details()[0]["index"], data)
    interp.invoke()
    result = interp.get_tensor(interp.get_output_details()[0]["index"])
    data.tofile(os.path.join(out_dir, "input_0.bin"))
    result.astype(np.float32).tofile(os.path.join(out_dir, "output_0.bin"))
    print(out_dir, sorted(ops), result.shape)


if __name__ == "__main__":
    main()
