# SPDX-License-Identifier: MIT
"""Slow HTTP clients for the exporter's fault test and benchmark, on
loopback only: COUNT connections from SOURCE that each send the start of a
request ("GET /m", no line end) and then nothing, or one more byte every
TRICKLE seconds, held until the server closes them or HOLD seconds pass.

  slowclients.py PORT COUNT HOLD [--source ADDR] [--trickle S] [--ready FILE]
                 [--keepalive]

Bounded: COUNT at most 20,000, HOLD at most 120 s, ADDR in 127.0.0.0/8.
FILE is written once every connection is opened (or refused). At the end,
one line:
  opened N refused R closed C open O first_close S last_close S
(refused: the connection failed or was reset before the request was sent;
closed: the server closed it while held, with the seconds from connect of
the first and last such close; open: still open at HOLD). --keepalive
sends a whole HTTP/1.1 request for /metrics first, reads the answer, and
then holds the idle connection: the seconds are from the answer's end."""
import argparse
import asyncio
import ipaddress
import resource
import sys
import time


async def answer(reader):
    """Reads one HTTP answer with a Content-Length body."""
    head = await reader.readuntil(b'\r\n\r\n')
    length = 0
    for line in head.split(b'\r\n'):
        if line.lower().startswith(b'content-length:'):
            length = int(line.split(b':', 1)[1])
    await reader.readexactly(length)


async def one(port, source, trickle, hold_until, out, keepalive):
    start = time.monotonic()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(
            '127.0.0.1', port, local_addr=(source, 0)), 10)
        if keepalive:
            writer.write(b'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n')
            await answer(reader)
            start = time.monotonic()
        else:
            writer.write(b'GET /m')
        await writer.drain()
    except (OSError, ValueError, asyncio.TimeoutError,
            asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        out['refused'] += 1
        return
    out['opened'] += 1
    closed = False
    try:
        while True:
            left = hold_until - time.monotonic()
            if left <= 0:
                break
            wait = min(left, trickle) if trickle else left
            try:
                data = await asyncio.wait_for(reader.read(4096), wait)
            except (asyncio.TimeoutError, TimeoutError):
                if trickle:
                    writer.write(b'e')
                    await writer.drain()
                continue
            if not data:  # the server closed it
                closed = True
                break
    except OSError:
        closed = True
    if closed:
        out['closes'].append(time.monotonic() - start)
    else:
        out['open'] += 1
    writer.close()


async def main():
    p = argparse.ArgumentParser()
    p.add_argument('port', type=int)
    p.add_argument('count', type=int)
    p.add_argument('hold', type=float)
    p.add_argument('--source', default='127.0.0.2')
    p.add_argument('--trickle', type=float, default=0)
    p.add_argument('--ready')
    p.add_argument('--keepalive', action='store_true')
    a = p.parse_args()
    if not 0 < a.count <= 20000 or not 0 < a.hold <= 120:
        sys.exit('slowclients.py: COUNT 1-20000, HOLD up to 120 s')
    if ipaddress.ip_address(a.source) not in ipaddress.ip_network('127.0.0.0/8'):
        sys.exit('slowclients.py: loopback sources only')
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, a.count + 64), hard))
    out = {'opened': 0, 'refused': 0, 'open': 0, 'closes': []}
    hold_until = time.monotonic() + a.hold
    tasks = []
    for i in range(a.count):
        tasks.append(asyncio.create_task(
            one(a.port, a.source, a.trickle, hold_until, out, a.keepalive)))
        if i % 200 == 199:
            await asyncio.sleep(0)  # let the connects go out in batches
    while out['opened'] + out['refused'] < a.count:
        await asyncio.sleep(0.05)
    if a.ready:
        with open(a.ready, 'w') as f:
            f.write(f"{out['opened']} {out['refused']}\n")
    await asyncio.gather(*tasks)
    c = sorted(out['closes'])
    print(f"opened {out['opened']} refused {out['refused']} closed {len(c)} "
          f"open {out['open']} first_close {c[0] if c else 0:.2f} "
          f"last_close {c[-1] if c else 0:.2f}")


asyncio.run(main())
