#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes tests/data/models/normalized_image_float.tflite: a float32 image
model whose metadata prescribes NormalizationOptions (mean 16, std 64: not
spryinfer's default for float inputs, so a test can tell them apart),
for spryinfer's test that float inputs follow the model metadata
(tests/gst/test_infer.c).

    image float32 [1,2,2,3] -> RESHAPE -> values float32 [1,12]

The metadata is the TFLITE_METADATA entry of the bundled
mobilenet_v1_0.25_128_quant.tflite with its two normalisation values (127.5,
the only float32 127.5s in it) rewritten to 16 and 64; the labels file it
names is not packed, so the model has no labels.

Usage (from the repository root; development tooling only, the test suite
uses the committed file): python3 tools/goldens/make_normalized_image_model.py

Needs flatc (Debian's flatbuffers-compiler 2.0.8 or newer) and
/work/shared/spec/schema.fbs. The output is deterministic.
"""

import json
import os
import shutil
import struct
import subprocess
import tempfile

SCHEMA = '/work/shared/spec/schema.fbs'
SOURCE = 'tests/data/models/mobilenet_v1_0.25_128_quant.tflite'
OUT = 'tests/data/models/normalized_image_float.tflite'
RESHAPE = 22


def flatc_json(tmp, schema, model):
    subprocess.run(['flatc', '--json', '--strict-json', '--raw-binary', '-o', tmp, schema, '--',
                    model], check=True)
    with open(os.path.join(tmp, os.path.basename(model).replace('.tflite', '.json'))) as f:
        return json.load(f)


def patch_floats(data, old, new):
    """Replaces the float32 values `old` in a byte list, in order, by `new`."""
    old_bytes = list(struct.pack('<f', old))
    found = [i for i in range(len(data) - 3) if data[i:i + 4] == old_bytes]
    assert len(found) == len(new), found
    for i, value in zip(found, new):
        data[i:i + 4] = list(struct.pack('<f', value))
    return data


def main():
    tmp = tempfile.mkdtemp()
    try:
        schema = os.path.join(tmp, 'schema.fbs')
        with open(SCHEMA) as src, open(schema, 'w') as dst:
            dst.write(src.read().replace('(deprecated)', ''))
        source = flatc_json(tmp, schema, SOURCE)
        entry = next(m for m in source['metadata'] if m['name'] == 'TFLITE_METADATA')
        metadata = source['buffers'][entry['buffer']]['data']
        # The std's bytes come first in the file, then the mean's.
        metadata = patch_floats(metadata, 127.5, [64.0, 16.0])
        model = {
            'version': 3,
            'operator_codes': [{'deprecated_builtin_code': RESHAPE, 'builtin_code': RESHAPE,
                                'version': 1}],
            'subgraphs': [{
                'tensors': [
                    {'name': 'image', 'shape': [1, 2, 2, 3], 'type': 'FLOAT32', 'buffer': 0},
                    {'name': 'values', 'shape': [1, 12], 'type': 'FLOAT32', 'buffer': 0},
                ],
                'inputs': [0], 'outputs': [1], 'name': 'main',
                'operators': [{'opcode_index': 0, 'inputs': [0], 'outputs': [1],
                               'builtin_options_type': 'ReshapeOptions',
                               'builtin_options': {'new_shape': [1, 12]}}],
            }],
            'description': 'Float image with metadata normalisation (Spry test).',
            'buffers': [{}, {'data': metadata}],
            'metadata': [{'name': 'TFLITE_METADATA', 'buffer': 1}],
        }
        path = os.path.join(tmp, 'normalized_image_float.json')
        with open(path, 'w') as f:
            json.dump(model, f)
        subprocess.run(['flatc', '-b', '-o', tmp, schema, path], check=True)
        shutil.copyfile(os.path.join(tmp, 'normalized_image_float.tflite'), OUT)
    finally:
        shutil.rmtree(tmp)
    print(OUT)


if __name__ == '__main__':
    main()
