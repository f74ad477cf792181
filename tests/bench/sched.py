# SPDX-License-Identifier: MIT
"""Helpers for tests/bench/sched.sh (many scheduled targets in one
pop3_exporter, on loopback only).

  sched.py config N PORT INTERVAL_S PWFILE
      pop3check.yml with N targets t00000..., target i on its own loopback
      address (127.1.0.0 + 256 * (i // 250) + 1 + i % 250) and PORT, all
      with one USER/PASS module; written to standard output.
  sched.py lag LOG N INTERVAL_S [PROBES]
      reads fastpop3's accept log (the first PROBES accepts of each
      target, or all) ("<monotonic us> <address>") and prints one line of
      key=value figures: targets seen, probes, the largest lag of a first
      probe and of a later one (ms) and where it was, and how long each
      round of accepts took from its first to its last (s) beside how
      long its due times span.
  sched.py probes PORT
      scrapes /metrics and prints "targets=N min=M max=X sum=S" of
      pop3_probes_total{target=...}, the largest
      pop3_probe_schedule_lag_seconds{target=...} and its target
      ("lag_max_s=L lag_target=NAME"; -1 and "none" when the page has no
      such sample), plus the page's size and the time the scrape took.

How the exporter schedules (exporters/common/schedule.c): at start,
target i of N is first due at T0 + floor(i * gap) ms, T0 being when the
schedule is built and gap = min(10 ms, shortest interval * 1000 / N), so
that the first probes are spread over the whole interval (6 ms apart for
10,000 targets at 60 s); afterwards each keeps its phase: probe k of
target i is due at T0 + floor(i * gap) + k * interval (unless one is more
than an interval late; then its phase starts anew). The lag is the time
from due to start. The exporter measures it itself and shows the lag of
each target's last probe as pop3_probe_schedule_lag_seconds: that is what
sched.sh decides measure 5a on (the "probes" mode reads it).

The accept log is kept as a check from outside, since it sees every
probe, where a scrape only sees each target's last one (the first probes
of the first targets, due at start-up, are never the last one at a
scrape): the server sees the start as the accept of the connection, and
probe k of target i as accepted at a_ik has the lag a_ik - T0 -
floor(i * gap) - k * interval, as the server sees it (the exporter's lag
plus the time the connection takes to be accepted). T0 is not visible
from outside; it is inferred as min_i(a_i0 - floor(i * gap)), i.e. the
least-late first probe is taken as on time. Every lag inferred is
therefore a lower bound, short by one and the same amount: that probe's
own lag (its connect latency, about 0.1 ms, unless every first probe was
late alike); a later probe seen below 0 shows that amount. A probe more
than an interval late restarts its target's phase, and the inference for
that target's later probes no longer holds (they show as late by about
an interval or more; "phase_resets" counts the probes inferred that
late). The exporter's own figure has ms resolution; this one is finer.
"""
import re
import sys
import time
import urllib.request

BASE = (127 << 24) | (1 << 16)   # 127.1.0.0
PER_BLOCK = 250                  # host octets .1 to .250 of each /24


def address(i):
    v = BASE + 256 * (i // PER_BLOCK) + 1 + i % PER_BLOCK
    return '.'.join(str((v >> s) & 255) for s in (24, 16, 8, 0))


def index(text):
    a, b, c, d = (int(x) for x in text.split('.'))
    off = ((a << 24) | (b << 16) | (c << 8) | d) - BASE
    if off < 0 or not 1 <= off % 256 <= PER_BLOCK:
        return None
    return (off // 256) * PER_BLOCK + off % 256 - 1


def config(n, port, interval, pwfile):
    out = ['modules:', '  login:', '    user: bench',
           f'    password_file: {pwfile}', '    auth: user',
           '    timeout: 5s', 'targets:']
    for i in range(n):
        out += [f'  - name: t{i:05d}', f'    target: {address(i)}:{port}',
                '    module: login', f'    interval: {interval}s']
    print('\n'.join(out))
    return 0


def read_log(path, n, keep):
    starts = [[] for _ in range(n)]
    stray = 0
    with open(path, encoding='ascii') as f:
        for line in f:
            if not line.endswith('\n'):
                break   # being written
            us, addr = line.split()
            i = index(addr)
            if i is None or i >= n:
                stray += 1
                continue
            if keep is None or len(starts[i]) < keep:
                starts[i].append(int(us) / 1000.0)
    return starts, stray


def first_gap_ms(n, interval_s):
    """schedule.c's first_gap_ms() for N targets of one interval."""
    return min(interval_s * 1000.0 / n, 10.0)


def lag(path, n, interval_s, keep):
    starts, stray = read_log(path, n, keep)
    interval = interval_s * 1000.0
    gap = first_gap_ms(n, interval_s)
    phase = [float(int(i * gap)) for i in range(n)]   # (int64_t)(i * gap)
    seen = [i for i in range(n) if starts[i]]
    if not seen:
        print('targets=0')
        return 1
    t0 = min(starts[i][0] - phase[i] for i in seen)
    lags = [(a - t0 - phase[i] - k * interval, i, k) for i in seen
            for k, a in enumerate(starts[i])]
    first = max(x for x in lags if x[2] == 0)
    later = [x for x in lags if x[2] > 0]
    worst = max(later) if later else (0.0, -1, 0)
    ordered = sorted(x[0] for x in later) or [0.0]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    resets = sum(1 for x in lags if x[0] > interval)
    counts = sorted(len(s) for s in starts)
    rounds = min(counts)
    spans = [max(starts[i][r] for i in seen) - min(starts[i][r] for i in seen)
             for r in range(rounds)]
    print(f'targets={len(seen)} probes={sum(counts)} stray={stray} '
          f'min_probes={counts[0]} max_probes={counts[-1]} '
          f'gap_ms={gap:g} due_span_s={phase[n - 1] / 1000:.2f} '
          f'first_lag_ms={first[0]:.1f} first_worst=t{first[1]:05d} '
          f'later_lag_ms={worst[0]:.1f} later_worst=t{worst[1]:05d}'
          f'#{worst[2] + 1} later_p99_ms={p99:.1f} '
          f'later_min_ms={ordered[0]:.1f} phase_resets={resets} '
          f'lag_ms={max(first[0], worst[0]):.1f} '
          f'round_spans_s={"/".join(f"{x / 1000:.2f}" for x in spans)}')
    return 0


FAMILIES = ('pop3_probes_total{', 'pop3_probe_schedule_lag_seconds{')
SAMPLE = re.compile(r'^(\w+)\{(?:[^}]*,)?target="([^"]*)"[^}]*\} (\S+)$')


def probes(port):
    start = time.monotonic()
    with urllib.request.urlopen(f'http://127.0.0.1:{port}/metrics',
                                timeout=60) as r:
        body = r.read().decode()
    took = time.monotonic() - start
    values = []
    lag_max, lag_target = -1.0, 'none'
    for line in body.splitlines():
        m = SAMPLE.match(line) if line.startswith(FAMILIES) else None
        if m is None:
            continue
        name, target, value = m.group(1), m.group(2), float(m.group(3))
        if name == 'pop3_probes_total':
            values.append(value)
        elif name == 'pop3_probe_schedule_lag_seconds' and value > lag_max:
            lag_max, lag_target = value, target
    if not values:
        values = [0.0]
    print(f'targets={len(values)} min={min(values):.0f} '
          f'max={max(values):.0f} sum={sum(values):.0f} '
          f'lag_max_s={lag_max:.3f} lag_target={lag_target} '
          f'bytes={len(body)} seconds={took:.2f}')
    return 0


def main():
    mode = sys.argv[1]
    if mode == 'config':
        return config(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]),
                      sys.argv[5])
    if mode == 'lag':
        keep = int(sys.argv[5]) if len(sys.argv) > 5 else None
        return lag(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), keep)
    if mode == 'probes':
        return probes(int(sys.argv[2]))
    print(__doc__, file=sys.stderr)
    return 2


sys.exit(main())
