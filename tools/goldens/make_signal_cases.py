#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Goldens for the TFLite Micro audio front end (`Signal*` custom ops).

Usage: python3 tools/goldens/make_signal_cases.py   (from the project root;
needs numpy and the `tflite-micro` wheel, whose Python interpreter registers
the Signal ops and serves as the reference).

Writes, deterministically:
  tests/data/models/audio_preprocessor_{int8,float}.tflite
      copies of ../shared/models (Apache-2.0, TFLite Micro examples).
  tests/data/goldens/audio_preprocessor_{int8,float}_{yes,no,zeros,square}/
      one 30 ms frame (1x480 int16) through a fresh interpreter: the shared
      30 ms clips, an all-zero frame (FFT auto-scale of 0) and a full-scale
      square wave (+32767 / -32768, the int16 wrap of max |x|).
  tests/kernels/data/signal_sequence/{yes,no}_input.bin and
  {yes,no}_{int8,float}.bin
      the 1000 ms clips cut into 49 frames of 480 samples every 320 samples
      (micro_speech's front end) and every frame's 40 features from ONE
      interpreter invoked frame after frame (noise estimate carried over).
ai_edge_litert cannot run these custom ops, hence TFLM's runtime.
"""
import os
import shutil
import wave

import numpy as np
from tflite_micro.python.tflite_micro import runtime

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
SHARED = os.path.join(ROOT, '..', 'shared')
MODELS = ('audio_preprocessor_int8', 'audio_preprocessor_float')
FRAME, HOP = 480, 320


def read_wav(name):
    with wave.open(os.path.join(SHARED, 'media', name)) as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        return np.frombuffer(w.readframes(w.getnframes()), dtype='<i2')


def interpreter(model):
    return runtime.Interpreter.from_file(os.path.join(ROOT, 'tests', 'data', 'models',
                                                      model + '.tflite'))


def run_frames(model, frames):
    it = interpreter(model)
    outs = []
    for f in frames:
        it.set_input(f.reshape(1, FRAME).astype(np.int16), 0)
        it.invoke()
        outs.append(np.array(it.get_output(0)).copy())
    return np.stack(outs)


def write_case(name, model, frame):
    d = os.path.join(ROOT, 'tests', 'data', 'goldens', name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'model.txt'), 'w') as f:
        f.write(model + '.tflite\n')
    frame.astype('<i2').tofile(os.path.join(d, 'input_0.bin'))
    run_frames(model, [frame])[0].tofile(os.path.join(d, 'output_0.bin'))


def main():
    for m in MODELS:
        shutil.copyfile(os.path.join(SHARED, 'models', m + '.tflite'),
                        os.path.join(ROOT, 'tests', 'data', 'models', m + '.tflite'))
    square = np.where((np.arange(FRAME) // 16) % 2 == 0, 32767, -32768).astype(np.int16)
    singles = {'yes': read_wav('yes_30ms.wav')[:FRAME], 'no': read_wav('no_30ms.wav')[:FRAME],
               'zeros': np.zeros(FRAME, np.int16), 'square': square}
    for m in MODELS:
        for tag, frame in singles.items():
            write_case('%s_%s' % (m, tag), m, frame)
    seq = os.path.join(ROOT, 'tests', 'kernels', 'data', 'signal_sequence')
    os.makedirs(seq, exist_ok=True)
    for word in ('yes', 'no'):
        audio = read_wav(word + '_1000ms.wav')
        count = (len(audio) - FRAME) // HOP + 1
        frames = np.stack([audio[i * HOP:i * HOP + FRAME] for i in range(count)])
        frames.astype('<i2').tofile(os.path.join(seq, word + '_input.bin'))
        for m, tag in zip(MODELS, ('int8', 'float')):
            run_frames(m, frames).tofile(os.path.join(seq, '%s_%s.bin' % (word, tag)))
        print(word, count, 'frames')


if __name__ == '__main__':
    main()
