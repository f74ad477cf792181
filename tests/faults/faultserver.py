#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""faultserver.py - a scripted POP3 server for the fault tests: what a real
server will not do (stalls, garbage, resets, -ERR anywhere, bad TLS).

Usage: faultserver.py SCENARIO_DIR CERT_DIR PORTS_FILE

Every SCENARIO_DIR/NAME.scn gets its own listener on 127.0.0.1, on a port
of the kernel's choice; when all listen, PORTS_FILE receives "NAME PORT"
lines (written to a temporary file, then renamed). Stops on SIGTERM, or
by itself after 15 minutes.

A scenario is "key value" lines ('#' starts a comment). The server reads:

  tls none|stls|implicit    how it speaks (default none)
  tlsmax 1.2                no TLS 1.3 (default: what Python offers)
  cert NAME                 CERT_DIR/NAME.pem and NAME.key for TLS (good)
  on VERB ACTION...         what to do on a command (its first word, in
                            upper case), CONNECT on connection, AUTHDATA
                            for a line sent after AUTH, * for any other

An "on" line replaces the server's normal answer to that verb. Actions,
in order (strings take \\r, \\n and \\xNN escapes):

  send "TEXT"               write TEXT
  bytewise "TEXT"           write TEXT one byte at a time, 5 ms apart
  repeat N "TEXT"           write TEXT N times, in 64 KiB writes
  garbage N                 write N bytes of seeded random binary
  delay SECONDS             wait
  starttls                  switch to TLS (after "+OK" to STLS)
  close                     close the connection (FIN)
  reset                     close with a TCP reset (RST)
  stall                     read nothing more, answer nothing, keep open
  scramfirst N [foreign]    answer a SCRAM client-first message (the AUTH
                            line's initial response, or the line after
                            "+ ") with a server-first message of N
                            iterations whose nonce extends the client's
                            (foreign: a nonce of its own)
  scramcb                   answer a SCRAM client-final message with
                            "-ERR [AUTH] channel binding: ..." saying what
                            its c= holds: the GS2 flag n or y, or whether
                            p=tls-server-end-point carries the SHA-256 of
                            this server's certificate (RFC 5929; the test
                            certificates are signed with SHA-256)

A "*" after AUTH (the client cancelling) always gets "-ERR".

The other keys (client, expect, ...) are the test runner's."""
import asyncio
import base64
import hashlib
import os
import random
import shlex
import signal
import socket
import ssl
import struct
import sys

MESSAGE = (b"From: a@example.org\r\nSubject: fault test\r\n\r\n"
           b"Hello.\r\n..A line that starts with a dot.\r\n")


def unescape(s):
    return s.encode("latin-1").decode("unicode_escape").encode("latin-1")


def normal_answers(tls):
    capa = [b"+OK Capability list follows", b"USER", b"TOP", b"UIDL",
            b"RESP-CODES", b"AUTH-RESP-CODE", b"SASL PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256"]
    if tls == "stls":
        capa.append(b"STLS")
    msg_len = len(MESSAGE.replace(b"\r\n..", b"\r\n."))
    return {
        "CONNECT": [("send", b"+OK fault server ready <1896.697170952@fault.test>\r\n")],
        "CAPA": [("send", b"\r\n".join(capa) + b"\r\n.\r\n")],
        "USER": [("send", b"+OK\r\n")],
        "PASS": [("send", b"+OK logged in\r\n")],
        "APOP": [("send", b"+OK logged in\r\n")],
        "STAT": [("send", b"+OK 2 %d\r\n" % (2 * msg_len))],
        "LIST": [("send", b"+OK 2 messages\r\n1 %d\r\n2 %d\r\n.\r\n" % (msg_len, msg_len))],
        "UIDL": [("send", b"+OK\r\n1 uid-one\r\n2 uid-two\r\n.\r\n")],
        "TOP": [("send", b"+OK\r\nFrom: a@example.org\r\nSubject: fault test\r\n\r\n.\r\n")],
        "RETR": [("send", b"+OK %d octets\r\n" % msg_len + MESSAGE + b".\r\n")],
        "QUIT": [("send", b"+OK bye\r\n"), ("close",)],
        "STLS": [("send", b"+OK begin TLS\r\n"), ("starttls",)],
        "NOOP": [("send", b"+OK\r\n")],
        "*": [("send", b"-ERR unknown command\r\n")],
    }


def parse(path):
    tls, cert, rules, tlsmax = "none", "good", {}, None
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            key, _, rest = line.partition(" ")
            if key == "tls":
                tls = rest.strip()
            elif key == "cert":
                cert = rest.strip()
            elif key == "tlsmax":
                if rest.strip() != "1.2":
                    raise SystemExit(f"{path}:{n}: tlsmax: only 1.2")
                tlsmax = ssl.TLSVersion.TLSv1_2
            elif key == "on":
                words = shlex.split(rest, posix=True)
                if not words:
                    raise SystemExit(f"{path}:{n}: on: which verb?")
                rules[words[0].upper()] = actions(words[1:], path, n)
    return tls, cert, rules, tlsmax


def actions(words, path, n):
    out, i = [], 0
    while i < len(words):
        w = words[i]
        if w in ("send", "bytewise"):
            out.append((w, unescape(words[i + 1])))
            i += 2
        elif w == "repeat":
            out.append((w, int(words[i + 1]), unescape(words[i + 2])))
            i += 3
        elif w in ("garbage", "delay"):
            out.append((w, float(words[i + 1])))
            i += 2
        elif w in ("starttls", "close", "reset", "stall", "scramcb"):
            out.append((w,))
            i += 1
        elif w == "scramfirst":
            foreign = i + 2 < len(words) and words[i + 2] == "foreign"
            out.append((w, int(words[i + 1]), foreign))
            i += 3 if foreign else 2
        else:
            raise SystemExit(f"{path}:{n}: unknown action '{w}'")
    return out


class Done(Exception):
    pass


class Session:
    def __init__(self, scenario, reader, writer):
        self.sc, self.reader, self.writer = scenario, reader, writer
        self.auth_mech, self.auth_steps = None, 0
        self.auth_data = ""  # the last SASL data from the client

    async def run_actions(self, acts):
        for a in acts:
            kind = a[0]
            if kind == "send":
                self.writer.write(a[1])
                await self.writer.drain()
            elif kind == "bytewise":
                for b in a[1]:
                    self.writer.write(bytes([b]))
                    await self.writer.drain()
                    await asyncio.sleep(0.005)
            elif kind == "repeat":
                data = a[2] * a[1]
                for off in range(0, len(data), 65536):
                    self.writer.write(data[off:off + 65536])
                    await self.writer.drain()
            elif kind == "garbage":
                rnd = random.Random(int(a[1]))
                self.writer.write(bytes(rnd.getrandbits(8) for _ in range(int(a[1]))))
                await self.writer.drain()
            elif kind == "delay":
                await asyncio.sleep(a[1])
            elif kind == "starttls":
                await self.writer.start_tls(self.sc["ctx"])
            elif kind == "close":
                self.writer.close()
                raise Done()
            elif kind == "reset":
                sock = self.writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                struct.pack("ii", 1, 0))
                self.writer.transport.abort()
                raise Done()
            elif kind == "stall":
                await asyncio.sleep(3600)
                raise Done()
            elif kind == "scramfirst":
                self.writer.write(self.scram_first(a[1], a[2]))
                await self.writer.drain()
            elif kind == "scramcb":
                self.writer.write(self.scram_cb())
                await self.writer.drain()

    def scram_first(self, iterations, foreign):
        """The server-first message for the client-first last received."""
        try:
            first = base64.b64decode(self.auth_data, validate=True).decode()
            cnonce = first.split(",r=", 1)[1].split(",")[0]
        except (ValueError, IndexError, UnicodeDecodeError):
            return b"-ERR not a SCRAM client-first message\r\n"
        nonce = "fault-server-nonce" if foreign else cnonce + "srvNONCE"
        salt = base64.b64encode(b"fault-salt-16byt").decode()
        msg = f"r={nonce},s={salt},i={iterations}".encode()
        return b"+ " + base64.b64encode(msg) + b"\r\n"

    def scram_cb(self):
        """What the c= of the client-final message last received holds."""
        say = b"-ERR [AUTH] channel binding: "
        try:
            final = base64.b64decode(self.auth_data, validate=True)
            if not final.startswith(b"c="):
                raise ValueError
            c = base64.b64decode(final.split(b",")[0][2:], validate=True)
        except ValueError:
            return say + b"no c= attribute\r\n"
        if c in (b"n,,", b"y,,"):
            return say + b"none, GS2 flag " + c[:1] + b"\r\n"
        head = b"p=tls-server-end-point,,"
        if not c.startswith(head):
            return say + b"an unexpected header\r\n"
        if self.sc["der"] is not None and \
                c[len(head):] == hashlib.sha256(self.sc["der"]).digest():
            return say + b"tls-server-end-point, the certificate's SHA-256\r\n"
        return say + b"tls-server-end-point, other data\r\n"

    def answer(self, verb, arg):
        rules = self.sc["rules"]
        if verb == "AUTH":
            self.auth_mech, self.auth_steps = arg.split(" ")[0].upper(), 0
            self.auth_data = arg.partition(" ")[2]
            if "AUTH" in rules:
                return rules["AUTH"]
            first = {"PLAIN": b"+ \r\n", "LOGIN": b"+ VXNlcm5hbWU6\r\n",
                     "CRAM-MD5": b"+ PDE4OTYuNjk3MTcwOTUyQGZhdWx0LnRlc3Q+\r\n"}
            return [("send", first.get(self.auth_mech, b"-ERR no such mechanism\r\n"))]
        if verb == "AUTHDATA":
            self.auth_data = arg
            if arg == "*":
                self.auth_mech = None
                return [("send", b"-ERR [AUTH] authentication cancelled\r\n")]
            if "AUTHDATA" in rules:
                return rules["AUTHDATA"]
            self.auth_steps += 1
            if self.auth_mech == "LOGIN" and self.auth_steps == 1:
                return [("send", b"+ UGFzc3dvcmQ6\r\n")]
            self.auth_mech = None
            return [("send", b"+OK logged in\r\n")]
        if verb in rules:
            return rules[verb]
        normal = self.sc["normal"]
        return normal.get(verb, rules.get("*", normal["*"]))

    async def serve(self):
        try:
            await self.run_actions(self.sc["rules"].get("CONNECT", self.sc["normal"]["CONNECT"]))
            while True:
                line = await self.reader.readline()
                if not line:
                    break
                text = line.decode("latin-1").rstrip("\r\n")
                if self.auth_mech is not None:
                    verb, arg = "AUTHDATA", text
                else:
                    verb, _, arg = text.partition(" ")
                    verb = verb.upper()
                await self.run_actions(self.answer(verb, arg))
        except (Done, ConnectionError, ssl.SSLError, OSError, asyncio.IncompleteReadError):
            pass
        finally:
            try:
                self.writer.close()
            except Exception:  # the transport may be gone already
                pass


async def main():
    scen_dir, cert_dir, ports_file = sys.argv[1:4]
    servers, lines = [], []
    for name in sorted(os.listdir(scen_dir)):
        if not name.endswith(".scn"):
            continue
        tls, cert, rules, tlsmax = parse(os.path.join(scen_dir, name))
        ctx, der = None, None
        if tls != "none":
            pem = os.path.join(cert_dir, cert + ".pem")
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(pem, os.path.join(cert_dir, cert + ".key"))
            if tlsmax is not None:
                ctx.maximum_version = tlsmax
            with open(pem, encoding="ascii") as f:
                first = f.read().split("-----END CERTIFICATE-----")[0]
            der = ssl.PEM_cert_to_DER_cert(first + "-----END CERTIFICATE-----\n")
        sc = {"rules": rules, "normal": normal_answers(tls), "ctx": ctx,
              "der": der}

        async def handle(reader, writer, sc=sc):
            await Session(sc, reader, writer).serve()

        srv = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512,
                                         ssl=ctx if tls == "implicit" else None)
        servers.append(srv)
        lines.append(f"{name[:-4]} {srv.sockets[0].getsockname()[1]}\n")
    tmp = ports_file + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.writelines(lines)
    os.rename(tmp, ports_file)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), 900)
    except asyncio.TimeoutError:
        pass
    for s in servers:
        s.close()


if __name__ == "__main__":
    asyncio.run(main())
