# SPDX-License-Identifier: MIT
"""Helpers for tests/bench/sched.sh (many scheduled targets in one
pop3_exporter, on loopback only).

  sched.py config N PORT INTERVAL_S PWFILE
      pop3check.yml with N targets t00000..., target i on its own loopback
      address (127.1.0.0 + 256 * (i // 250) + 1 + i % 250) and PORT, all
      with one USER/PASS module; written to standard output.
  sched.py lag LOG N INTERVAL_S [PROBES]
      reads fastpop3's accept log (the first PROBES accepts of each
      target, or all) ("<monotonic us> <address>") and prints
      one line of key=value figures: targets seen, probes, the largest lag
      of a first probe and of a later one (ms), and where it was, and how
      long each round of accepts took from its first to its last (s).
  sched.py probes PORT
      scrapes /metrics and prints "targets=N min=M max=X sum=S" of
      pop3_probes_total{target=...}, plus the page's size and the time the
      scrape took.

How the exporter schedules (exporters/common/schedule.c): at start, target
i of N is first due at T0 + floor(i * 1000 / N) ms, T0 being when the
schedule is built; afterwards a target is due one interval after its
previous probe STARTED (next_due = now + interval when the probe is
added), so lateness does not pile up across rounds. The lag is the time
from due to start; the server sees the start as the accept of the
connection. Let s_k be when the exporter added probe k of a target and
a_k >= s_k when the server accepted it; probe k is due at s_(k-1) +
interval, and its lag as the server sees it is a_k - s_(k-1) - interval.

  later probes:  lag_k >= a_k - a_(k-1) - interval, which is what is
                 reported: a lower bound, short by a_(k-1) - s_(k-1) (the
                 previous probe's own wait between being added and being
                 accepted; small on an idle loop, and negative figures show
                 its size). The exporter's own lag, s_k - due, needs a
                 metric from the exporter.
  first probes:  T0 is not visible from outside; it is inferred as
                 min_i(accept_i - floor(i * 1000 / N)), i.e. the
                 least-late first probe is taken as on time. The first
                 round's lags are therefore lower bounds: they are short
                 by that one probe's own lag (its connect latency, about
                 0.1 ms, unless every first probe was late alike).
"""
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


def lag(path, n, interval_s, keep):
    starts, stray = read_log(path, n, keep)
    interval = interval_s * 1000.0
    seen = [i for i in range(n) if starts[i]]
    if not seen:
        print('targets=0')
        return 1
    t0 = min(starts[i][0] - (i * 1000 // n) for i in seen)
    first = max((starts[i][0] - t0 - (i * 1000 // n), i) for i in seen)
    later = [(b - a - interval, i, k + 1) for i in seen
             for k, (a, b) in enumerate(zip(starts[i], starts[i][1:]))]
    worst = max(later) if later else (0.0, -1, 0)
    ordered = sorted(x[0] for x in later) or [0.0]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    counts = sorted(len(s) for s in starts)
    rounds = min(counts)
    spans = [max(starts[i][r] for i in seen) - min(starts[i][r] for i in seen)
             for r in range(rounds)]
    print(f'targets={len(seen)} probes={sum(counts)} stray={stray} '
          f'min_probes={counts[0]} max_probes={counts[-1]} '
          f'first_lag_ms={first[0]:.1f} first_worst=t{first[1]:05d} '
          f'later_lag_ms={worst[0]:.1f} later_worst=t{worst[1]:05d}'
          f'#{worst[2]} later_p99_ms={p99:.1f} '
          f'later_min_ms={ordered[0]:.1f} '
          f'lag_ms={max(first[0], worst[0]):.1f} '
          f'round_spans_s={"/".join(f"{x / 1000:.2f}" for x in spans)}')
    return 0


def probes(port):
    start = time.monotonic()
    with urllib.request.urlopen(f'http://127.0.0.1:{port}/metrics',
                                timeout=60) as r:
        body = r.read().decode()
    took = time.monotonic() - start
    values = [float(line.rsplit(' ', 1)[1]) for line in body.splitlines()
              if line.startswith('pop3_probes_total{')]
    if not values:
        values = [0.0]
    print(f'targets={len(values)} min={min(values):.0f} '
          f'max={max(values):.0f} sum={sum(values):.0f} '
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
