#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""smtpfault.py PORTS_FILE: a scripted SMTP server for what a real MTA
will not do on demand. One listener on 127.0.0.1 per behaviour, on ports
of the kernel's choice, written as "NAME PORT" lines to PORTS_FILE once
all listen. Plain text, no AUTH; every behaviour answers EHLO normally:

  rcpt-451      RCPT TO gets "451 4.3.0 Temporary failure, try later"
  mail-550      MAIL FROM gets "550 5.7.1 Sender rejected by policy"
  data-stall    354 to DATA, then reads the message and never answers
  data-slow     the 250 after the message comes after 1.5 s
  greeting-554  the greeting is "554 5.3.2 No service"
  bye-after-data  250 after the message, then closes without waiting for
                QUIT (the message was taken: not a failure)

Stops on SIGTERM, or by itself after 15 minutes."""
import asyncio
import os
import signal
import sys

BEHAVIOURS = ["rcpt-451", "mail-550", "data-stall", "data-slow",
              "greeting-554", "bye-after-data"]


async def reply(w, text):
    w.write(text.encode() + b"\r\n")
    await w.drain()


async def read_message(r):
    while True:
        line = await r.readline()
        if not line or line.rstrip(b"\r\n") == b".":
            return


async def command(name, verb, r, w):
    """One command; False to end the session."""
    if verb in ("EHLO", "HELO"):
        await reply(w, "250-fault.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES")
    elif verb == "MAIL":
        await reply(w, "550 5.7.1 Sender rejected by policy" if name == "mail-550"
                    else "250 2.1.0 Ok")
    elif verb == "RCPT":
        await reply(w, "451 4.3.0 Temporary failure, try later" if name == "rcpt-451"
                    else "250 2.1.5 Ok")
    elif verb == "DATA":
        await reply(w, "354 End data with <CR><LF>.<CR><LF>")
        await read_message(r)
        if name == "data-stall":
            await asyncio.sleep(3600)
        if name == "data-slow":
            await asyncio.sleep(1.5)
        await reply(w, "250 2.0.0 Ok: queued as FAULT")
        return name != "bye-after-data"
    elif verb == "QUIT":
        await reply(w, "221 2.0.0 Bye")
        return False
    else:
        await reply(w, "502 5.5.2 Error: command not recognized")
    return True


async def session(name, r, w):
    try:
        if name == "greeting-554":
            await reply(w, "554 5.3.2 No service")
        else:
            await reply(w, "220 fault.test ESMTP scripted")
        while True:
            line = await r.readline()
            if not line:
                break
            verb = line.split(b" ", 1)[0].strip().upper().decode("latin-1")
            if not await command(name, verb, r, w):
                break
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        w.close()


async def main():
    ports_file = sys.argv[1]
    servers, lines = [], []
    for name in BEHAVIOURS:
        srv = await asyncio.start_server(
            lambda r, w, n=name: session(n, r, w), "127.0.0.1", 0)
        servers.append(srv)
        lines.append("%s %d" % (name, srv.sockets[0].getsockname()[1]))
    tmp = ports_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.rename(tmp, ports_file)
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    try:
        await asyncio.wait_for(stop, 900)
    except asyncio.TimeoutError:
        pass


if __name__ == "__main__":
    asyncio.run(main())
