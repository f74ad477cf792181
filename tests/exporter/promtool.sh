#!/bin/bash
# SPDX-License-Identifier: MIT
# Checks what the exporter's renderer writes. Runs a helper (expose_dump)
# that writes expositions as DIR/NAME.prom and DIR/NAME.json, then:
# `promtool check metrics` on every .prom (any exit code or output is a
# failure: lint problems come with exit 0 on some versions), every .json
# against ../shared/design/prometheus-json.schema.json when python3 has
# jsonschema and the file is there (SCHEMA=... to point elsewhere), the
# same rules built in, and text and JSON holding the same families, HELP,
# types, labels and values. The schema knows gauges and counters only:
# histogram families (prom2json's {"labels","buckets","count","sum"}) are
# left out of its check and held to the built-in rules. Builds nothing.
# Usage: tests/exporter/promtool.sh path/to/expose_dump
# With BUILD set, records "promtool PASSED FAILED" in $BUILD/results.
set -uo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 EXPOSE_DUMP (an executable that writes DIR/*.prom, DIR/*.json)" >&2
    exit 2
fi
dump=$1
here=$(cd "$(dirname "$0")" && pwd)
schema=${SCHEMA:-$here/../../../shared/design/prometheus-json.schema.json}

if ! command -v promtool >/dev/null; then
    echo "promtool: not installed: apt-get install prometheus" >&2
    exit 1
fi

pass=0 fail=0
ok() {
    echo "ok   $*"
    pass=$((pass + 1))
}
bad() {
    echo "FAIL $*"
    fail=$((fail + 1))
}

work=$(mktemp -d /tmp/pop3-promtool.XXXXXX)
trap 'rm -rf "$work"' EXIT

if out=$("$dump" "$work" 2>&1); then
    ok "$(basename "$dump") wrote $(find "$work" -type f | wc -l) files"
else
    bad "$(basename "$dump") failed: $out"
fi

shopt -s nullglob
proms=("$work"/*.prom)
[ ${#proms[@]} -gt 0 ] || bad "no .prom file written"

for f in "${proms[@]}"; do
    name=$(basename "$f")
    out=$(promtool check metrics < "$f" 2>&1)
    rc=$?
    if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
        ok "$name: promtool check metrics"
    else
        bad "$name: promtool check metrics (exit $rc)"
        printf '%s\n' "$out" | sed 's/^/     /'
    fi
done

# The JSON checks print "ok ...", "FAIL ..." and "skipped: ..." lines.
if ! command -v python3 >/dev/null; then
    echo "skipped: JSON checks (python3 is not installed)"
else
    out=$(python3 - "$schema" "$work" 2>&1 <<'EOF'
import json
import os
import re
import sys

schema_path, work = sys.argv[1], sys.argv[2]
METRIC = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
VALUE = re.compile(r"^(NaN|[+-]Inf|[+-]?[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?)$")


def schema_validator():
    """A validator for the schema, or None after saying why not."""
    try:
        import jsonschema
    except ImportError:
        print("skipped: JSON schema validation (python3 has no jsonschema: "
              "apt-get install python3-jsonschema); built-in rules only")
        return None
    if not os.path.isfile(schema_path):
        print("skipped: JSON schema validation (%s is absent); built-in "
              "rules only" % schema_path)
        return None
    with open(schema_path) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def histogram_problems(w, m):
    """prom2json's histogram metric: buckets by bound, cumulative, the
    +Inf one equal to the count."""
    out = []
    buckets = m["buckets"]
    if not isinstance(buckets, dict) or "+Inf" not in buckets:
        return ["%s: buckets is not an object with +Inf" % w]
    for k in ("count", "sum"):
        if not isinstance(m[k], str) or not VALUE.match(m[k]):
            out.append("%s: bad %s %r" % (w, k, m[k]))
    if any(not isinstance(v, str) or not VALUE.match(v) or
           not VALUE.match(k) for k, v in buckets.items()):
        return out + ["%s: bad bucket in %r" % (w, buckets)]
    counts = [float(buckets[k]) for k in
              sorted(buckets, key=lambda b: float(b.replace("Inf", "inf")))]
    if counts != sorted(counts) or buckets["+Inf"] != m["count"]:
        out.append("%s: buckets not cumulative up to the count" % w)
    return out


def metric_problems(w, typ, m):
    keys = ({"labels", "buckets", "count", "sum"} if typ == "HISTOGRAM"
            else {"labels", "value"})
    if not isinstance(m, dict) or set(m) != keys:
        return ["%s: keys are not %s" % (w, ", ".join(sorted(keys)))]
    out = []
    if not isinstance(m["labels"], dict):
        out.append("%s: labels is not an object" % w)
    else:
        for k, v in m["labels"].items():
            if not LABEL.match(k) or not isinstance(v, str) or k == "le":
                out.append("%s: bad label %r=%r" % (w, k, v))
    if typ == "HISTOGRAM":
        return out + histogram_problems(w, m)
    if not isinstance(m["value"], str) or not VALUE.match(m["value"]):
        out.append("%s: bad value %r" % (w, m["value"]))
    return out


def shape_problems(doc):
    """The schema's rules, plus ours: labels always there, no empty family."""
    if not isinstance(doc, list):
        return ["top level is not an array"]
    out = []
    for i, fam in enumerate(doc):
        where = "family %d" % i
        if not isinstance(fam, dict) or set(fam) != {"name", "help", "type",
                                                     "metrics"}:
            out.append("%s: keys are not name, help, type, metrics" % where)
            continue
        if not isinstance(fam["name"], str) or not METRIC.match(fam["name"]):
            out.append("%s: bad name %r" % (where, fam["name"]))
        if not isinstance(fam["help"], str):
            out.append("%s: help is not a string" % where)
        if fam["type"] not in ("COUNTER", "GAUGE", "HISTOGRAM"):
            out.append("%s: bad type %r" % (where, fam["type"]))
            continue
        if not isinstance(fam["metrics"], list) or not fam["metrics"]:
            out.append("%s: metrics empty or not an array" % where)
            continue
        for j, m in enumerate(fam["metrics"]):
            out += metric_problems("%s metric %d" % (where, j), fam["type"], m)
    return out


def unescape(s, quote):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            if n in "\\n" or (quote and n == '"'):
                out.append("\n" if n == "n" else n)
                i += 2
                continue
            raise ValueError("bad escape \\%s" % n)
        out.append(c)
        i += 1
    return "".join(out)


LABEL_PAIR = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|\})')
SAMPLE = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{)?")


def family_of(name, by_name):
    """The family a sample called name belongs to: its own, or the
    histogram whose _bucket, _sum or _count it is."""
    if name in by_name:
        return name
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[:-len(suffix)]
        if name.endswith(suffix) and by_name.get(base, ("", ""))[1] == "HISTOGRAM":
            return base
    return None


def parse_text(text):
    """[(name, help, TYPE, {(sample name, labels tuple): value})] in order
    of TYPE lines."""
    fams, by_name = [], {}
    helps = {}
    if text and not text.endswith("\n"):
        raise ValueError("text does not end with a newline")
    for line in text.split("\n")[:-1]:
        if line.startswith("# HELP "):
            name, _, help_text = line[7:].partition(" ")
            helps[name] = unescape(help_text, False)
        elif line.startswith("# TYPE "):
            name, _, typ = line[7:].partition(" ")
            if name in by_name:
                raise ValueError("second TYPE line for %s" % name)
            by_name[name] = (name, typ.upper(), {})
            fams.append(by_name[name])
        elif line.startswith("#"):
            raise ValueError("unexpected comment %r" % line)
        else:
            m = SAMPLE.match(line)
            fam = family_of(m.group(1), by_name) if m else None
            if fam is None:
                raise ValueError("sample before its TYPE: %r" % line)
            labels, pos = [], m.end()
            while m.group(2):
                p = LABEL_PAIR.match(line, pos)
                if not p:
                    raise ValueError("bad labels in %r" % line)
                labels.append((p.group(1), unescape(p.group(2), True)))
                pos = p.end()
                if p.group(3) == "}":
                    break
            if line[pos:pos + 1] != " ":
                raise ValueError("no value in %r" % line)
            key = (m.group(1), tuple(sorted(labels)))
            samples = by_name[fam][2]
            if key in samples:
                raise ValueError("series twice: %r" % line)
            samples[key] = line[pos + 1:]
    return [(n, helps.get(n, ""), t, s) for n, t, s in fams]


def json_samples(f):
    """The samples of a JSON family as parse_text() keys them."""
    out, name = {}, f["name"]
    for m in f["metrics"]:
        labels = tuple(sorted(m["labels"].items()))
        if f["type"] != "HISTOGRAM":
            out[(name, labels)] = m["value"]
            continue
        for le, v in m["buckets"].items():
            out[(name + "_bucket", tuple(sorted(labels + (("le", le),))))] = v
        out[(name + "_sum", labels)] = m["sum"]
        out[(name + "_count", labels)] = m["count"]
    return out


def from_json(doc):
    return [(f["name"], f["help"], f["type"], json_samples(f)) for f in doc]


validator = schema_validator()
names = sorted({os.path.splitext(n)[0] for n in os.listdir(work)})
for name in names:
    prom, js = (os.path.join(work, name + e) for e in (".prom", ".json"))
    if not os.path.isfile(prom) or not os.path.isfile(js):
        print("FAIL %s: .prom and .json do not come in pairs" % name)
        continue
    try:
        with open(js, encoding="utf-8") as f:
            doc = json.load(f)
    except ValueError as e:
        print("FAIL %s.json: does not parse: %s" % (name, e))
        continue
    if validator is not None:
        plain = [f for f in doc
                 if not (isinstance(f, dict) and f.get("type") == "HISTOGRAM")]
        errs = sorted(validator.iter_errors(plain), key=lambda e: e.path)
        if errs:
            print("FAIL %s.json: schema: %s at %s"
                  % (name, errs[0].message, list(errs[0].path)))
        else:
            print("ok   %s.json: schema" % name)
    problems = shape_problems(doc)
    if problems:
        print("FAIL %s.json: %s" % (name, "; ".join(problems[:3])))
        continue
    print("ok   %s.json: built-in rules" % name)
    try:
        with open(prom, encoding="utf-8") as f:
            text = parse_text(f.read())
    except ValueError as e:
        print("FAIL %s.prom: cannot parse: %s" % (name, e))
        continue
    data = from_json(doc)
    if text == data:
        print("ok   %s: text and JSON agree (%d families)" % (name, len(data)))
        continue
    for a, b in zip(text + [None] * len(data), data + [None] * len(text)):
        if a != b:
            print("FAIL %s: text and JSON differ: text %r, JSON %r"
                  % (name, a, b))
            break
print("end")
EOF
)
    rc=$?
    while IFS= read -r line; do
        case $line in
        "ok   "*) ok "${line#ok   }" ;;
        "FAIL "*) bad "${line#FAIL }" ;;
        end) ;;
        *) echo "$line" ;;
        esac
    done <<< "$out"
    if [ "$rc" -ne 0 ] || [ "${out##*$'\n'}" != end ]; then
        bad "JSON checks did not run to the end (python3 exit $rc)"
    fi
fi

if [ -n "${BUILD:-}" ]; then
    mkdir -p "$BUILD/results"
    echo "promtool $pass $fail" > "$BUILD/results/promtool"
fi
echo "promtool: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
