#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Prints the expected numbers committed in tests/postprocess/ (development
tooling only; the test suite never runs it).

An independent Python transcription of MediaPipe's SsdAnchorsCalculator,
TensorsToDetections decode and weighted NMS, applied to the reference runtime
(ai_edge_litert, BUILTIN_REF) outputs of face_detection_short_range_float on
its golden input (tests/data/goldens/face_detection_short_range_float/input_0.bin).

    python3 tools/goldens/postprocess_expected.py [--shared /work/shared]
"""

import argparse
import math
import os

import numpy as np


def layer_scale(lo, hi, i, n):
    return (lo + hi) * 0.5 if n == 1 else lo + (hi - lo) * i / (n - 1.0)


def anchors(size, strides, lo, hi, ratios=(1.0,), interp=1.0, reduce=False, fixed=True):
    out, layer, n = [], 0, len(strides)
    while layer < n:
        sizes, last = [], layer
        while last < n and strides[last] == strides[layer]:
            s = layer_scale(lo, hi, last, n)
            if last == 0 and reduce:
                pairs = [(1.0, 0.1), (2.0, s), (0.5, s)]
            else:
                pairs = [(r, s) for r in ratios]
                if interp > 0:
                    nxt = 1.0 if last == n - 1 else layer_scale(lo, hi, last + 1, n)
                    pairs.append((interp, math.sqrt(s * nxt)))
            sizes += [(s * math.sqrt(r), s / math.sqrt(r)) for r, s in pairs]
            last += 1
        fm = math.ceil(size / strides[layer])
        for y in range(fm):
            for x in range(fm):
                for w, h in sizes:
                    out.append(((x + 0.5) / fm, (y + 0.5) / fm) + ((1.0, 1.0) if fixed else (w, h)))
        layer = last
    return np.array(out)


def iou(a, b):
    iw = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    ih = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if iw < 0 or ih < 0:
        return 0.0
    union = a[2] * a[3] + b[2] * b[3] - iw * ih
    return iw * ih / union if union > 0 else 0.0


def faces(shared, goldens):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    it = Interpreter(model_path=os.path.join(shared, "models", "face_detection_short_range_float.tflite"),
                     experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    x = np.fromfile(os.path.join(goldens, "face_detection_short_range_float", "input_0.bin"),
                    dtype=np.float32).reshape(1, 128, 128, 3)
    it.set_tensor(it.get_input_details()[0]["index"], x)
    it.invoke()
    od = it.get_output_details()
    reg, raw = it.get_tensor(od[0]["index"])[0], it.get_tensor(od[1]["index"])[0, :, 0]
    score = 1 / (1 + np.exp(-np.clip(raw, -100, 100)))
    anc = anchors(128, [8, 16, 16, 16], 0.1484375, 0.75)
    dets = []
    for i in np.nonzero(score >= 0.5)[0]:
        r, a = reg[i], anc[i]
        cx, cy = r[0] / 128 * a[2] + a[0], r[1] / 128 * a[3] + a[1]
        w, h = r[2] / 128 * a[2], r[3] / 128 * a[3]
        kps = [r[4 + k] / 128 * a[2 + k % 2] + a[k % 2] for k in range(12)]
        dets.append((score[i], [cx - w / 2, cy - h / 2, w, h], kps))
    dets.sort(key=lambda d: -d[0])
    while dets:  # weighted NMS, IoU 0.3
        group = [d for d in dets if iou(dets[0][1], d[1]) > 0.3]
        dets = [d for d in dets if iou(dets[0][1], d[1]) <= 0.3]
        t = sum(d[0] for d in group)
        x0 = sum(d[1][0] * d[0] for d in group) / t
        y0 = sum(d[1][1] * d[0] for d in group) / t
        x1 = sum((d[1][0] + d[1][2]) * d[0] for d in group) / t
        y1 = sum((d[1][1] + d[1][3]) * d[0] for d in group) / t
        kps = [sum(d[2][k] * d[0] for d in group) / t for k in range(12)]
        print("face score %.4f box %.4f %.4f %.4f %.4f keypoints %s" % (
            group[0][0], x0, y0, x1 - x0, y1 - y0, " ".join("%.4f" % v for v in kps)))


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.path.join(root, "..", "shared"))
    args = ap.parse_args()
    face = anchors(128, [8, 16, 16, 16], 0.1484375, 0.75)
    print("face anchors", len(face), face[[0, 1, 2, 510, 511, 512, 517, 518, 894, 895]].tolist())
    ssd = anchors(300, [16, 32, 64, 128, 256, 512], 0.2, 0.95, (1.0, 2.0, 0.5, 3.0, 0.3333),
                  reduce=True, fixed=False)
    print("ssd anchors", len(ssd))
    for i in [0, 1, 2, 3, 1082, 1083, 1087, 1088, 1916]:
        print(" ", i, " ".join("%.9g" % v for v in ssd[i]))
    faces(args.shared, os.path.join(root, "tests", "data", "goldens"))


if __name__ == "__main__":
    main()
