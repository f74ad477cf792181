# SPDX-License-Identifier: MIT
"""Transcript of a POP3 client's dialog, for the benchmark's check that
the compared commands say the same thing (loopback only).

  dialog.py LISTEN_PORT HOST PORT -- COMMAND [ARG...]

Relays 127.0.0.1:LISTEN_PORT to HOST:PORT, runs COMMAND (which must dial
LISTEN_PORT), and prints what the client sent, one command a line, with
"connection N" before each connection's lines. Secrets are not printed:
"PASS <secret>", "AUTH PLAIN <initial response>", and "<SASL response>"
for a line sent after a "+ " continuation. Exit status: the command's,
or 1 if the relay failed."""
import socket
import subprocess
import sys
import threading


class Relay:
    def __init__(self, listen_port, host, port):
        self.target = (host, port)
        self.server = socket.create_server(('127.0.0.1', listen_port))
        self.server.settimeout(0.2)
        self.lines = []          # (connection number, text)
        self.lock = threading.Lock()
        self.count = 0
        self.stop = False
        self.threads = []

    def note(self, conn, text):
        with self.lock:
            self.lines.append((conn, text))

    def accept_loop(self):
        while not self.stop:
            try:
                client, _ = self.server.accept()
            except socket.timeout:
                continue
            self.count += 1
            t = threading.Thread(target=self.serve, args=(client, self.count))
            t.start()
            self.threads.append(t)

    def serve(self, client, conn):
        upstream = socket.create_connection(self.target, timeout=10)
        state = {'continuation': False}
        down = threading.Thread(target=self.pump_down,
                                args=(upstream, client, state))
        down.start()
        buf = b''
        while True:
            data = client.recv(65536)
            if not data:
                break
            buf += data
            while b'\n' in buf:
                line, buf = buf.split(b'\n', 1)
                self.note(conn, redact(line.decode('latin-1').rstrip('\r'),
                                       state))
            upstream.sendall(data)
        upstream.shutdown(socket.SHUT_WR)
        down.join()
        client.close()
        upstream.close()

    @staticmethod
    def pump_down(upstream, client, state):
        while True:
            data = upstream.recv(65536)
            if not data:
                break
            # A SASL exchange goes on after "+ " (RFC 5034).
            state['continuation'] = data.startswith(b'+ ') or \
                b'\n+ ' in data
            client.sendall(data)
        try:
            client.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def redact(line, state):
    if state.get('continuation'):
        state['continuation'] = False
        return '<SASL response>'
    words = line.split(' ')
    verb = words[0].upper()
    if verb == 'PASS':
        return 'PASS <secret>'
    if verb == 'APOP' and len(words) > 2:
        return f'APOP {words[1]} <digest>'
    if verb == 'AUTH' and len(words) > 2:
        return f'AUTH {words[1]} <initial response>'
    return line


def main():
    if len(sys.argv) < 6 or sys.argv[4] != '--':
        print(__doc__, file=sys.stderr)
        return 2
    relay = Relay(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))
    acceptor = threading.Thread(target=relay.accept_loop)
    acceptor.start()
    try:
        rc = subprocess.run(sys.argv[5:], stdout=subprocess.DEVNULL,
                            check=False).returncode
    finally:
        relay.stop = True
        acceptor.join()
        for t in relay.threads:
            t.join()
    last = None
    for conn, text in relay.lines:
        if conn != last:
            print(f'connection {conn}')
            last = conn
        print(f'  {text}')
    return rc


sys.exit(main())
