#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes tests/data/models/two_io_float.tflite: a two-input, two-output model
for spryinfer's tensor-mode tests (tests/gst/test_infer_tensors.c).

    x float32 [2,3], y float32 [2,3]
    sum  = ADD(x, y)                float32 [2,3]   (other/tensors "3:2")
    prod = RESHAPE(MUL(x, y), [6])  float32 [6]     (other/tensors "6")

Usage (from the repository root; development tooling only, the test suite
uses the committed file): python3 tools/goldens/make_two_io_model.py [--root .]

Needs flatc (Debian's flatbuffers-compiler 2.0.8 or newer) and
/work/shared/spec/schema.fbs; a temporary copy of the schema drops the
"(deprecated)" attributes flatc 2.0.8 rejects. The output is deterministic.
"""

import argparse
import json
import os
import shutil
import subprocess
import tempfile

SCHEMA = '/work/shared/spec/schema.fbs'
ADD, MUL, RESHAPE = 0, 18, 22


def model_json():
    tensors = [
        {'name': 'x', 'shape': [2, 3], 'type': 'FLOAT32', 'buffer': 0},
        {'name': 'y', 'shape': [2, 3], 'type': 'FLOAT32', 'buffer': 0},
        {'name': 'sum', 'shape': [2, 3], 'type': 'FLOAT32', 'buffer': 0},
        {'name': 'product_2d', 'shape': [2, 3], 'type': 'FLOAT32', 'buffer': 0},
        {'name': 'prod', 'shape': [6], 'type': 'FLOAT32', 'buffer': 0},
    ]
    ops = [
        {'opcode_index': 0, 'inputs': [0, 1], 'outputs': [2],
         'builtin_options_type': 'AddOptions', 'builtin_options': {}},
        {'opcode_index': 1, 'inputs': [0, 1], 'outputs': [3],
         'builtin_options_type': 'MulOptions', 'builtin_options': {}},
        {'opcode_index': 2, 'inputs': [3], 'outputs': [4],
         'builtin_options_type': 'ReshapeOptions', 'builtin_options': {'new_shape': [6]}},
    ]
    return {
        'version': 3,
        'operator_codes': [{'deprecated_builtin_code': c, 'builtin_code': c, 'version': 1}
                           for c in (ADD, MUL, RESHAPE)],
        'subgraphs': [{'tensors': tensors, 'inputs': [0, 1], 'outputs': [2, 4],
                       'operators': ops, 'name': 'main'}],
        'description': 'Two inputs, two outputs (Spry spryinfer tensor-mode test).',
        'buffers': [{}],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--root', default='.')
    args = parser.parse_args()
    out = os.path.join(args.root, 'tests', 'data', 'models', 'two_io_float.tflite')
    tmp = tempfile.mkdtemp()
    try:
        schema = os.path.join(tmp, 'schema.fbs')
        with open(SCHEMA) as src, open(schema, 'w') as dst:
            dst.write(src.read().replace('(deprecated)', ''))
        path = os.path.join(tmp, 'two_io_float.json')
        with open(path, 'w') as f:
            json.dump(model_json(), f, indent=1)
        subprocess.run(['flatc', '-b', '-o', tmp, schema, path], check=True)
        shutil.copyfile(os.path.join(tmp, 'two_io_float.tflite'), out)
    finally:
        shutil.rmtree(tmp)
    print(out)


if __name__ == '__main__':
    main()
