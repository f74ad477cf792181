# SPDX-License-Identifier: MIT
"""HTTP load for the exporter benchmark, on loopback only.

  httpload.py burst PORT PATH N SCRAPE_TIMEOUT
      N requests at once; prints how many were answered, with what status,
      and the fastest, median and slowest answer in seconds.
  httpload.py rate PORT PATH CONCURRENCY SECONDS
      CONCURRENCY clients in a loop for SECONDS; prints requests per second.
  httpload.py latency PORT PATH N
      N requests one after the other (5 s each at most); prints the median,
      99th percentile and slowest answer in milliseconds, and how many
      failed (no 200 in time).
  httpload.py mix PORT PATHFILE TOTAL CONCURRENCY
      TOTAL requests, CONCURRENCY at a time, cycling through the paths of
      PATHFILE (one a line); prints the count of each HTTP status and of
      failed connections, and the time taken.

Plain asyncio sockets (HTTP/1.0, one request per connection), so that the
load generator itself stays light."""
import asyncio
import statistics
import sys
import time


async def get(port, path, headers=''):
    start = time.monotonic()
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    writer.write(f'GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n{headers}\r\n'
                 .encode())
    await writer.drain()
    data = await reader.read()
    writer.close()
    status = int(data.split(b' ', 2)[1]) if data.startswith(b'HTTP/') else 0
    return status, time.monotonic() - start, data


async def burst(port, path, n, scrape_timeout):
    hdr = f'X-Prometheus-Scrape-Timeout-Seconds: {scrape_timeout}\r\n'
    results = await asyncio.gather(*(get(port, path, hdr) for _ in range(n)),
                                   return_exceptions=True)
    ok = [r for r in results if not isinstance(r, Exception) and r[0] == 200]
    timeouts = sum(1 for r in ok if b'pop3_probe_error{kind="timeout"} 1' in r[2])
    times = sorted(r[1] for r in ok) or [0.0]
    print(f'answered {len(ok)}/{n} with 200, {timeouts} reporting a timeout; '
          f'answer time min {times[0]:.3f} s, median '
          f'{statistics.median(times):.3f} s, max {times[-1]:.3f} s')
    return 0 if len(ok) == n and timeouts == n else 1


async def rate(port, path, concurrency, seconds):
    end = time.monotonic() + seconds
    done = 0
    failed = 0

    async def client():
        nonlocal done, failed
        while time.monotonic() < end:
            status, _, _ = await get(port, path)
            if status == 200:
                done += 1
            else:
                failed += 1

    await asyncio.gather(*(client() for _ in range(concurrency)))
    print(f'{done / seconds:.1f} {failed}')
    return 0 if failed == 0 else 1


async def latency(port, path, n):
    times = []
    failed = 0
    for _ in range(n):
        try:
            status, took, _ = await asyncio.wait_for(get(port, path), 5)
        except (OSError, asyncio.TimeoutError):
            status, took = 0, 5.0
        failed += status != 200
        times.append(took * 1000)
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f'{statistics.median(times):.2f} {p99:.2f} {times[-1]:.2f} {failed}')
    return 0


async def mix(port, pathfile, total, concurrency):
    with open(pathfile, encoding='utf-8') as f:
        paths = [line.strip() for line in f if line.strip()]
    hdr = 'X-Prometheus-Scrape-Timeout-Seconds: 30\r\n'
    counts = {}
    failed_paths = {}
    start = time.monotonic()
    next_i = 0

    async def client():
        nonlocal next_i
        while next_i < total:
            i = next_i
            next_i += 1
            try:
                status, _, _ = await get(port, paths[i % len(paths)], hdr)
            except OSError:
                status = 'connection-failed'
            counts[status] = counts.get(status, 0) + 1
            if status != 200:
                p = paths[i % len(paths)]
                failed_paths[p] = failed_paths.get(p, 0) + 1

    await asyncio.gather(*(client() for _ in range(concurrency)))
    took = time.monotonic() - start
    print(' '.join(f'{k}:{v}' for k, v in sorted(counts.items(), key=str)),
          f'in {took:.1f} s ({total / took:.0f}/s)')
    for p, n in sorted(failed_paths.items(), key=lambda kv: -kv[1])[:5]:
        print(f'    {n} failed: {p}')
    return 0 if set(counts) == {200} else 1


def main():
    mode, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if mode == 'mix':
        return asyncio.run(mix(port, path, int(sys.argv[4]), int(sys.argv[5])))
    if mode == 'latency':
        return asyncio.run(latency(port, path, int(sys.argv[4])))
    if mode == 'burst':
        return asyncio.run(burst(port, path, int(sys.argv[4]),
                                 float(sys.argv[5])))
    return asyncio.run(rate(port, path, int(sys.argv[4]),
                            float(sys.argv[5])))


sys.exit(main())
