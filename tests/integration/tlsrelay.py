#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A TLS relay for the channel-binding tests: what a machine in the middle
with a certificate the client trusts does.

    tlsrelay.py PORTFILE CERT KEY UPSTREAM_PORT CAFILE

Listens on 127.0.0.1 (a free port, written to PORTFILE once it listens),
ends each client's TLS with CERT and KEY, opens its own TLS to
127.0.0.1:UPSTREAM_PORT (the server's certificate verified against
CAFILE) and copies the bytes both ways. The two TLS sessions are its own:
a login bound to the client's channel (SCRAM -PLUS with tls-exporter)
does not match the channel the server sees, and the server must refuse
it. Each connection ends after 60 s idle; SIGTERM stops the relay."""
import os
import selectors
import signal
import socket
import ssl
import sys
import threading

IDLE_S = 60


def relay(client, upstream):
    """Copies what either side sends to the other until one closes."""
    sel = selectors.DefaultSelector()
    peer = {client: upstream, upstream: client}
    for s in peer:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    try:
        while True:
            # Bytes decrypted already but not read are not on the socket.
            ready = [s for s in peer if s.pending()]
            if not ready:
                ready = [k.fileobj for k, _ in sel.select(IDLE_S)]
                if not ready:
                    return
            for s in ready:
                try:
                    data = s.recv(65536)
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                    continue
                if not data:
                    return
                other = peer[s]
                other.setblocking(True)
                other.sendall(data)
                other.setblocking(False)
    except (OSError, ssl.SSLError):
        return
    finally:
        sel.close()


def serve(raw, server_ctx, client_ctx, upstream_port):
    try:
        raw.settimeout(IDLE_S)
        client = server_ctx.wrap_socket(raw, server_side=True)
    except (OSError, ssl.SSLError):
        raw.close()
        return
    try:
        up = socket.create_connection(("127.0.0.1", upstream_port), IDLE_S)
        upstream = client_ctx.wrap_socket(up, server_hostname="127.0.0.1")
    except (OSError, ssl.SSLError) as e:
        print(f"tlsrelay: upstream: {e}", file=sys.stderr)
        client.close()
        return
    relay(client, upstream)
    for s in (client, upstream):
        try:
            s.close()
        except OSError:
            pass


def main():
    if len(sys.argv) != 6:
        sys.exit("usage: tlsrelay.py PORTFILE CERT KEY UPSTREAM_PORT CAFILE")
    portfile, cert, key, upstream_port, cafile = sys.argv[1:]
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    client_ctx = ssl.create_default_context(cafile=cafile)
    client_ctx.check_hostname = False
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{ls.getsockname()[1]}\n")
    os.rename(tmp, portfile)
    while True:
        raw, _ = ls.accept()
        threading.Thread(target=serve, daemon=True,
                         args=(raw, server_ctx, client_ctx,
                               int(upstream_port))).start()


if __name__ == "__main__":
    main()
