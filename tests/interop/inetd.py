#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""inetd.py PORTFILE COMMAND [ARG...]: what inetd does for a POP3 server
that talks on its standard input and output (popa3d without -D): listens
on 127.0.0.1 (a free port, written to PORTFILE), and for each connection
runs COMMAND with the connection as its stdin and stdout. Stopped by
SIGTERM, which it passes to the sessions still running."""
import os
import signal
import socket
import sys


def main():
    portfile, cmd = sys.argv[1], sys.argv[2:]
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(64)
    children = set()

    def stop(signum, frame):
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        sys.exit(0)

    def reap(signum, frame):
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            children.discard(pid)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGCHLD, reap)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % lsock.getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    while True:
        try:
            conn, _ = lsock.accept()
        except InterruptedError:
            continue
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            lsock.close()
            os.dup2(conn.fileno(), 0)
            os.dup2(conn.fileno(), 1)
            conn.close()
            os.execv(cmd[0], cmd)
        children.add(pid)
        conn.close()


if __name__ == "__main__":
    main()
