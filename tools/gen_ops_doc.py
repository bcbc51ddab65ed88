#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generates docs/ops.md: every operator the builtin resolver registers, the
tensor types golden tests run it on, and which golden cases prove each.

Usage (from the repository root, after building):

    python3 tools/gen_ops_doc.py > docs/ops.md
    python3 tools/gen_ops_doc.py --check docs/ops.md   # exit 1 when stale

Options: --spry PATH (the built `spry` command line, default build/tools/spry),
--root DIR (the repository, default this script's parent folder).

Registrations and their version ranges come from `spry ops --json`. The
golden cases are the directories of tests/data/goldens whose model is in the
repository (model.tflite, or model.txt naming a file in tests/data/models);
cases whose model lives only in the shared folder are left out so that the
output does not depend on it. Models are read with the small FlatBuffer
reader below (standard library only): for each operator, its builtin code or
custom name, version, and the types of its data input and first output
(marked "(int4 weights)" or "(int2 weights)" when another input holds
packed sub-byte weights).
"""

import argparse
import difflib
import json
import os
import struct
import subprocess
import sys

# TFLite TensorType numbering (schema.fbs).
TENSOR_TYPES = ['float32', 'float16', 'int32', 'uint8', 'int64', 'string', 'bool', 'int16',
                'complex64', 'int8', 'float64', 'complex128', 'uint64', 'resource', 'variant',
                'uint32', 'uint16', 'int4', 'bfloat16', 'int2', 'uint4']
PACKED = ('int4', 'int2', 'uint4')  # the sub-byte types, packed in their buffers
CUSTOM = 32
# Ops whose first input is not the data the kernel is typed on.
DATA_INPUT = {'TRANSPOSE_CONV': 2, 'FILL': 1, 'SELECT': 1, 'SELECT_V2': 1, 'IF': 1,
              'ASSIGN_VARIABLE': 1}


class Table:
    """A FlatBuffer table: fields by id, bounds-checked by struct."""

    def __init__(self, buf, pos):
        self.buf, self.pos = buf, pos
        self.vtable = pos - struct.unpack_from('<i', buf, pos)[0]
        self.vsize = struct.unpack_from('<H', buf, self.vtable)[0]

    def _field(self, field):
        entry = 4 + 2 * field
        if entry + 2 > self.vsize:
            return None
        off = struct.unpack_from('<H', self.buf, self.vtable + entry)[0]
        return self.pos + off if off else None

    def scalar(self, field, fmt, default):
        p = self._field(field)
        return default if p is None else struct.unpack_from('<' + fmt, self.buf, p)[0]

    def _ref(self, field):
        p = self._field(field)
        return None if p is None else p + struct.unpack_from('<I', self.buf, p)[0]

    def string(self, field):
        p = self._ref(field)
        if p is None:
            return None
        n = struct.unpack_from('<I', self.buf, p)[0]
        return self.buf[p + 4:p + 4 + n].decode('utf-8', 'replace')

    def ints(self, field):
        p = self._ref(field)
        if p is None:
            return []
        n = struct.unpack_from('<I', self.buf, p)[0]
        return list(struct.unpack_from('<%di' % n, self.buf, p + 4))

    def tables(self, field):
        p = self._ref(field)
        if p is None:
            return []
        n = struct.unpack_from('<I', self.buf, p)[0]
        out = []
        for i in range(n):
            e = p + 4 + 4 * i
            out.append(Table(self.buf, e + struct.unpack_from('<I', self.buf, e)[0]))
        return out


def model_ops(path, names):
    """[(op name, version, type signature)] of every operator of every subgraph."""
    buf = open(path, 'rb').read()
    model = Table(buf, struct.unpack_from('<I', buf, 0)[0])
    opcodes = []
    for oc in model.tables(1):
        code = max(oc.scalar(0, 'b', 0), oc.scalar(3, 'i', 0))
        name = oc.string(1) if code == CUSTOM else names.get(code, 'BUILTIN_%d' % code)
        opcodes.append((name, oc.scalar(2, 'i', 1)))
    ops = []
    for sg in model.tables(2):
        types = [TENSOR_TYPES[t.scalar(1, 'b', 0)] for t in sg.tables(0)]
        for op in sg.tables(3):
            name, version = opcodes[op.scalar(0, 'I', 0)]
            inputs = op.ints(1)
            outputs = op.ints(2)
            data = DATA_INPUT.get(name, 0)
            t_in = types[inputs[data]] if data < len(inputs) and inputs[data] >= 0 else None
            t_out = types[outputs[0]] if outputs else None
            if t_in == 'resource' and t_out:
                t_in = None  # a variable handle (READ_VARIABLE): the output is the data
            sig = t_in if t_out is None else t_out if t_in in (None, t_out) else \
                '%s → %s' % (t_in, t_out)
            # Packed sub-byte weights are a cell of their own (the activations
            # alone do not tell an int4 FULLY_CONNECTED from an int8 one).
            data_index = inputs[data] if data < len(inputs) else -1
            packed = sorted({types[i] for i in inputs
                             if i >= 0 and i != data_index and types[i] in PACKED})
            if sig and packed:
                sig += ' (%s weights)' % ', '.join(packed)
            ops.append((name, version, sig or '—'))
    return ops


def golden_models(root):
    """{case name: model path} of the golden cases whose model is in the repository."""
    goldens = os.path.join(root, 'tests', 'data', 'goldens')
    cases = {}
    for case in sorted(os.listdir(goldens)):
        d = os.path.join(goldens, case)
        model = os.path.join(d, 'model.tflite')
        txt = os.path.join(d, 'model.txt')
        if not os.path.isfile(model) and os.path.isfile(txt):
            name = open(txt).read().strip()
            model = os.path.join(root, 'tests', 'data', 'models', name)
        if os.path.isfile(model):
            cases[case] = model
    return cases


def versions_text(versions):
    lo, hi = min(versions), max(versions)
    return str(lo) if lo == hi else '%d–%d' % (lo, hi)


def render(registrations, coverage, skipped):
    lines = [
        '<!-- SPDX-License-Identifier: Apache-2.0 -->',
        '<!-- Generated by tools/gen_ops_doc.py from `spry ops --json` and the golden',
        '     models; do not edit. Regenerate after building, from the repository root:',
        '     python3 tools/gen_ops_doc.py > docs/ops.md -->',
        '# Operators',
        '',
        'Every operator the builtin resolver registers (a full build, `spry ops`), the',
        'model operator versions it accepts, and the tensor types that golden tests',
        '(`tests/data/goldens/<case>`, run by `meson test --suite goldens`) exercise.',
        'A type reads `in → out` when the data input and the output differ, and',
        'ends in "(int4 weights)" or "(int2 weights)" when the weights are packed',
        'int4 or int2 (two or four values a byte). The',
        'golden cases compare every output with TensorFlow Lite\'s reference kernels:',
        'bit-exact for integer types, float32 within 1e-5 × (1 + max |reference|).',
        'Kernel unit tests (`tests/kernels`) and the int16x8 conformance vectors',
        '(`../shared/conformance/seanet`, suite `extended`) are not listed here.',
        '',
        '%d registrations, %d of them with golden tests.' % (
            len(registrations), sum(1 for r in registrations if coverage.get(r[0]))),
        '',
        '| Op | Versions | Type | Tested versions | Golden cases |',
        '|---|---|---|---|---|',
    ]
    for name, lo, hi, custom in registrations:
        label = name + (' (custom)' if custom else '')
        supported = versions_text([lo, hi])
        by_type = coverage.get(name, {})
        if not by_type:
            lines.append('| %s | %s | — | — | none |' % (label, supported))
            continue
        for sig in sorted(by_type):
            versions, cases = by_type[sig]
            tested = ', '.join(str(v) for v in sorted(versions))
            lines.append('| %s | %s | %s | %s | %s |' % (
                label, supported, sig, tested, ', '.join('`%s`' % c for c in sorted(cases))))
    if skipped:
        lines += ['', 'Golden cases whose model is only in the shared folder (not listed): %s.'
                  % ', '.join('`%s`' % c for c in skipped)]
    return '\n'.join(lines) + '\n'


def generate(root, spry):
    out = subprocess.run([spry, 'ops', '--json'], check=True, capture_output=True, text=True)
    regs = json.loads(out.stdout)['ops']
    names = {r['builtin_code']: r['op'] for r in regs if not r['custom']}
    merged = {}
    for r in regs:
        lo, hi, custom = merged.get(r['op'], (r['min_version'], r['max_version'], r['custom']))
        merged[r['op']] = (min(lo, r['min_version']), max(hi, r['max_version']), custom)
    registrations = sorted((n, lo, hi, c) for n, (lo, hi, c) in merged.items())
    coverage = {}
    models = golden_models(root)
    for case, path in models.items():
        for name, version, sig in model_ops(path, names):
            versions, cases = coverage.setdefault(name, {}).setdefault(sig, (set(), set()))
            versions.add(version)
            cases.add(case)
    all_cases = sorted(os.listdir(os.path.join(root, 'tests', 'data', 'goldens')))
    skipped = [c for c in all_cases if c not in models]
    return render(registrations, coverage, skipped)


def main():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--root', default=here)
    ap.add_argument('--spry', default=None, help='default: ROOT/build/tools/spry')
    ap.add_argument('--check', metavar='FILE', help='compare with FILE instead of printing')
    args = ap.parse_args()
    spry = args.spry or os.path.join(args.root, 'build', 'tools', 'spry')
    text = generate(args.root, spry)
    if not args.check:
        sys.stdout.write(text)
        return 0
    current = open(args.check, encoding='utf-8').read() if os.path.exists(args.check) else ''
    if current == text:
        print('%s is up to date' % args.check)
        return 0
    sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), text.splitlines(True),
                                               args.check, 'generated'))
    print('%s is stale: run python3 tools/gen_ops_doc.py > docs/ops.md' % args.check)
    return 1


if __name__ == '__main__':
    sys.exit(main())
