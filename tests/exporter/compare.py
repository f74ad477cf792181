# SPDX-License-Identifier: MIT
"""Compare a text exposition (format 0.0.4) with the JSON of the same
metrics (prom2json shape): same families, types, samples and values.
Usage: compare.py TEXT JSON [VARYING_REGEX]; exit 0 and a summary if they
agree. Families whose name matches VARYING_REGEX (timings of two separate
probes) are compared by their label sets only. A histogram's _bucket, _sum
and _count samples in the text are its buckets, sum and count in the
JSON."""
import json
import math
import re
import sys

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


ESCAPES = {'n': '\n', '"': '"', '\\': '\\'}


def unescape(v):
    return re.sub(r'\\(.)', lambda m: ESCAPES.get(m.group(1), m.group(0)), v)


def value(s):
    return float({'+Inf': 'inf', '-Inf': '-inf'}.get(s, s))


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


def family(name, types):
    """The family of a sample: its own, or the histogram it belongs to."""
    for suffix in ('_bucket', '_sum', '_count'):
        base = name[:-len(suffix)]
        if name.endswith(suffix) and types.get(base) == 'HISTOGRAM':
            return base
    return name


def parse_text(path):
    fams, types = {}, {}
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if line.startswith('# TYPE '):
            _, _, name, typ = line.split(' ', 3)
            types[name] = typ.upper()
            fams.setdefault(name, {})
        elif line and not line.startswith('#'):
            m = SAMPLE.match(line)
            if not m:
                sys.exit(f'unparsable sample line: {line!r}')
            labels = tuple(sorted((k, unescape(v))
                                  for k, v in LABEL.findall(m.group(3) or '')))
            samples = fams.setdefault(family(m.group(1), types), {})
            samples[(m.group(1), labels)] = value(m.group(4))
    return fams, types


def parse_json(path):
    fams, types = {}, {}
    for fam in json.load(open(path, encoding='utf-8')):
        name = fam['name']
        types[name] = fam['type']
        samples = fams.setdefault(name, {})
        for s in fam['metrics']:
            labels = tuple(sorted(s.get('labels', {}).items()))
            if fam['type'] != 'HISTOGRAM':
                samples[(name, labels)] = value(s['value'])
                continue
            for le, v in s['buckets'].items():
                samples[(name + '_bucket',
                         tuple(sorted(labels + (('le', le),))))] = value(v)
            samples[(name + '_sum', labels)] = value(s['sum'])
            samples[(name + '_count', labels)] = value(s['count'])
    return fams, types


def main():
    tf, tt = parse_text(sys.argv[1])
    jf, jt = parse_json(sys.argv[2])
    if set(tf) != set(jf):
        sys.exit(f'families differ: {sorted(set(tf) ^ set(jf))}')
    if tt != jt:
        sys.exit('types differ')
    varying = re.compile(sys.argv[3]) if len(sys.argv) > 3 else None
    n = 0
    for name, samples in tf.items():
        if set(samples) != set(jf[name]):
            sys.exit(f'{name}: label sets differ')
        for labels, v in samples.items():
            if varying and varying.search(name):
                continue
            if not same(v, jf[name][labels]):
                sys.exit(f'{name}{labels}: {v} != {jf[name][labels]}')
            n += 1
    print(f'{len(tf)} families, {n} samples')


main()
