#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Throw-away OAuth 2.0 server on loopback for pop3check's integration tests.

One process, standard library only. It serves:

  POST /introspect   token introspection (RFC 7662) for Dovecot's oauth2
                     passdb / mechanism: form body token=TOKEN (Dovecot's
                     introspection_mode = post). Also accepted: GET with
                     ?token=TOKEN (mode get, the token appended to the URL)
                     and GET with "Authorization: Bearer TOKEN" (mode auth).
                     Answers 200 {"active": true, "username": USER, ...} for a
                     known, unexpired, unrevoked token, 200 {"active": false}
                     for anything else.
  POST /token        OAuth 2.0 client credentials grant (RFC 6749 4.4):
                     grant_type=client_credentials, client_id/client_secret
                     in HTTP Basic auth or in the form, optional scope. Mints
                     a random token that /introspect then knows.
  POST /token-slow   the same, answered only after --slow-seconds (30).
  GET  /stats        JSON counters: grants issued (in all and per client),
                     token requests refused, introspections (active or not).

Usage:

  oauth2-server.py PORT_FILE CONFIG_JSON [--lifetime S] [--slow-seconds S]

It listens on 127.0.0.1 on a port the kernel picks and writes "PORT\\n" to
PORT_FILE (via a temporary file and rename, so a reader never sees half a
line). It stops on SIGTERM or SIGINT, and by itself after --lifetime seconds
(900, i.e. 15 minutes) so a crashed test run leaves nothing behind.

CONFIG_JSON is read again on every request, so a test can add or change
tokens and clients while the server runs (write it to a temporary file and
rename it over the old one). Its form:

  {
    "tokens": {
      "TOKEN": {"user": "alice", "exp": 1900000000, "aud": "pop3"},
      "OLD":   {"user": "alice", "exp": 1600000000, "aud": "pop3"},
      "OTHER": {"user": "alice", "aud": "calendar"},
      "SLOW":  {"user": "alice", "delay": 5}
    },
    "clients": {
      "pop3check": {"secret": "s3cret", "user": "alice",
                    "expires_in": 3600, "aud": "pop3"}
    }
  }

Token fields: "user" (required), "exp" (UNIX seconds; absent = never
expires), "aud" (string, default "pop3"; null = none), "scope" (string,
default: the same as "aud"; null = no scope claim. Dovecot's oauth2
"scope" setting is checked against this claim, and against "aud" only when
the answer has no scope), "active" (false = revoked), "delay" (seconds to
wait before answering, for timeout tests). Top-level
entries other than "tokens" and "clients" whose value is an object with
"user" are tokens too (short form: {"TOKEN": {"user": "alice", ...}}).

Client fields: "secret" (required), "user" (required: whom the minted token
belongs to), "expires_in" (seconds, default 3600; null = the answer has no
expires_in and the token never expires), "aud" (default "pop3"), "scopes"
(list of scopes the client may ask for; absent = any). A minted token's
scope claim is the scope asked for, or else the client's "aud".

Dovecot's oauth2 introspection does not look at "exp" itself (only JWT local
validation does), so the expiry is decided here: an expired token answers
{"active": false}. The answer never carries "expires_in": Dovecot parses it
as an unsigned number and fails the login as an internal error otherwise.

Each request is logged as one line to stderr, without token or secret
values.
"""

import argparse
import base64
import binascii
import json
import os
import secrets
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"
DEFAULT_LIFETIME_S = 15 * 60
DEFAULT_SLOW_S = 30.0
DEFAULT_EXPIRES_IN = 3600
DEFAULT_AUD = "pop3"
MAX_BODY = 64 * 1024

PROG = os.path.basename(sys.argv[0])


def log(msg):
    stamp = time.strftime("%H:%M:%S", time.localtime())
    sys.stderr.write("%s %s: %s\n" % (stamp, PROG, msg))
    sys.stderr.flush()


class ConfigError(Exception):
    pass


def load_config(path):
    """Returns (tokens, clients) from the JSON file, both dicts."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return {}, {}
    except (OSError, ValueError) as e:
        raise ConfigError("cannot read %s: %s" % (path, e)) from e
    if not isinstance(data, dict):
        raise ConfigError("%s: top level is not a JSON object" % path)
    tokens = {}
    for key, value in data.items():
        if key in ("tokens", "clients"):
            continue
        if isinstance(value, dict) and "user" in value:
            tokens[key] = value
    section = data.get("tokens", {})
    if not isinstance(section, dict):
        raise ConfigError('%s: "tokens" is not an object' % path)
    tokens.update(section)
    clients = data.get("clients", {})
    if not isinstance(clients, dict):
        raise ConfigError('%s: "clients" is not an object' % path)
    return tokens, clients


class State:
    """What the server learnt while running: minted tokens and counters."""

    def __init__(self, config_path, slow_seconds, stop_event):
        self.config_path = config_path
        self.slow_seconds = slow_seconds
        self.stop_event = stop_event
        self.lock = threading.Lock()
        self.minted = {}
        self.grants = 0
        self.grants_by_client = {}
        self.token_refusals = 0
        self.introspections = 0
        self.introspections_active = 0

    def stats(self):
        with self.lock:
            return {
                "grants": self.grants,
                "grants_by_client": dict(self.grants_by_client),
                "token_refusals": self.token_refusals,
                "introspections": self.introspections,
                "introspections_active": self.introspections_active,
                "minted_tokens": len(self.minted),
            }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pop3check-oauth2-test"

    def version_string(self):
        return self.server_version

    # -- plumbing ---------------------------------------------------------

    def log_message(self, format, *args):  # noqa: A002 (base class name)
        # The default line has the request target, which may hold a token
        # (introspection_mode = get): log_request below says what is safe.
        pass

    def log_request(self, code="-", size="-"):
        pass

    def setup(self):
        super().setup()
        self.note = ""

    def send_json(self, status, obj, headers=()):
        body = json.dumps(obj, separators=(",", ":")).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.status = status

    def read_form(self):
        """The request body as a dict of first values (form-encoded)."""
        length = self.headers.get("Content-Length")
        if length is None:
            return {}
        try:
            n = int(length)
        except ValueError:
            n = -1
        if n < 0 or n > MAX_BODY:
            raise ValueError("bad Content-Length")
        raw = self.rfile.read(n).decode("utf-8", "replace")
        form = urllib.parse.parse_qs(raw, keep_blank_values=True)
        return {k: v[0] for k, v in form.items()}

    def path_and_query(self):
        parts = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        return parts.path, {k: v[0] for k, v in query.items()}

    def handle_one_request(self):
        self.status = None
        self.note = ""
        self.started = time.monotonic()
        super().handle_one_request()
        if self.status is not None:
            # Path only: never the query, which may carry a token.
            path = urllib.parse.urlsplit(self.path).path
            ms = (time.monotonic() - self.started) * 1000
            log("%s %s %s %.0fms%s" % (self.command, path, self.status, ms,
                                       " " + self.note if self.note else ""))

    def dispatch(self, routes):
        path, query = self.path_and_query()
        handler = routes.get(path)
        if handler is None:
            # Read and drop a body so the connection stays usable.
            try:
                self.read_form()
            except ValueError:
                self.close_connection = True
            self.send_json(404, {"error": "not_found"})
            return
        try:
            handler(path, query)
        except ConfigError as e:
            self.note = str(e)
            self.send_json(500, {"error": "server_error"})
        except ValueError as e:
            self.note = "bad request: %s" % e
            self.close_connection = True
            self.send_json(400, {"error": "invalid_request"})

    def do_GET(self):
        self.dispatch({
            "/introspect": self.introspect,
            "/stats": self.get_stats,
        })

    def do_POST(self):
        self.dispatch({
            "/introspect": self.introspect,
            "/token": self.token,
            "/token-slow": self.token,
        })

    def abort_stopping(self):
        """The server stops during a delay: close without an answer."""
        self.close_connection = True
        self.status = "-"
        self.note = "no answer: server stopping"

    # -- endpoints --------------------------------------------------------

    def get_stats(self, path, query):
        self.send_json(200, self.server.state.stats())

    def introspect(self, path, query):
        state = self.server.state
        form = self.read_form() if self.command == "POST" else {}
        token = form.get("token") or query.get("token")
        if not token:
            auth = self.headers.get("Authorization", "")
            if auth[:7].lower() == "bearer ":
                token = auth[7:].strip()
        now = int(time.time())
        tokens, _ = load_config(state.config_path)
        entry = tokens.get(token) if token else None
        source = "config"
        if entry is None and token:
            with state.lock:
                entry = state.minted.get(token)
            source = "minted"
        reply = {"active": False}
        why = "unknown token"
        if not token:
            why = "no token"
        elif entry is not None:
            why = self.why_inactive(entry, now)
            if why is None:
                reply = self.active_reply(entry)
        delay = 0.0
        if isinstance(entry, dict):
            try:
                delay = float(entry.get("delay") or 0)
            except (TypeError, ValueError):
                delay = 0.0
        if delay > 0 and state.stop_event.wait(delay):
            self.abort_stopping()
            return
        with state.lock:
            state.introspections += 1
            if reply["active"]:
                state.introspections_active += 1
        if reply["active"]:
            self.note = "active user=%s (%s token)" % (reply["username"],
                                                      source)
        else:
            self.note = "inactive: %s" % why
        if delay > 0:
            self.note += " delayed=%gs" % delay
        self.send_json(200, reply)

    @staticmethod
    def why_inactive(entry, now):
        if not isinstance(entry, dict) or not entry.get("user"):
            return "token entry without user"
        if entry.get("active", True) is False:
            return "revoked"
        exp = entry.get("exp")
        if exp is not None:
            try:
                if int(exp) <= now:
                    return "expired"
            except (TypeError, ValueError):
                return "bad exp"
        return None

    @staticmethod
    def active_reply(entry):
        user = str(entry["user"])
        reply = {
            "active": True,
            "username": user,
            "sub": user,
            "token_type": "Bearer",
        }
        aud = entry.get("aud", DEFAULT_AUD)
        if aud is not None:
            reply["aud"] = str(aud)
        # Dovecot's "scope" check reads the scope claim and falls back to
        # aud only without one (a fallback Debian's patched 2.3.19.1 warns
        # about as deprecated): by default the claim repeats aud.
        scope = entry.get("scope", aud)
        if scope is not None:
            reply["scope"] = str(scope)
        if entry.get("exp") is not None:
            reply["exp"] = int(entry["exp"])
        if entry.get("iat") is not None:
            reply["iat"] = int(entry["iat"])
        if entry.get("client_id") is not None:
            reply["client_id"] = str(entry["client_id"])
        return reply

    def client_credentials(self, form):
        """Returns (client_id, secret, used_basic) from Basic auth or form."""
        auth = self.headers.get("Authorization", "")
        if auth[:6].lower() == "basic ":
            try:
                raw = base64.b64decode(auth[6:].strip(), validate=True)
                decoded = raw.decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return None, None, True
            if ":" not in decoded:
                return None, None, True
            cid, secret = decoded.split(":", 1)
            # RFC 6749 2.3.1: both are form-encoded before Basic encoding.
            return (urllib.parse.unquote_plus(cid),
                    urllib.parse.unquote_plus(secret), True)
        return form.get("client_id"), form.get("client_secret"), False

    def refuse(self, status, error, note):
        state = self.server.state
        with state.lock:
            state.token_refusals += 1
        self.note = note
        headers = []
        if status == 401:
            headers.append(("WWW-Authenticate",
                            'Basic realm="pop3check-oauth2-test"'))
        self.send_json(status, {"error": error}, headers)

    def token(self, path, query):
        state = self.server.state
        form = self.read_form()
        if path == "/token-slow" and state.stop_event.wait(state.slow_seconds):
            self.abort_stopping()
            return
        cid, secret, basic = self.client_credentials(form)
        grant_type = form.get("grant_type")
        if grant_type != "client_credentials":
            self.refuse(400, "unsupported_grant_type" if grant_type
                        else "invalid_request",
                        "grant_type %r" % grant_type)
            return
        _, clients = load_config(state.config_path)
        client = clients.get(cid) if cid else None
        if not cid:
            self.refuse(401, "invalid_client", "no client credentials")
            return
        if not isinstance(client, dict) or secret is None or \
                not secrets.compare_digest(str(client.get("secret", "")),
                                           secret) or \
                not client.get("secret"):
            self.refuse(401, "invalid_client",
                        "client %s: unknown or wrong secret" % cid)
            return
        if not client.get("user"):
            self.note = "client %s has no user" % cid
            self.send_json(500, {"error": "server_error"})
            return
        scope = form.get("scope")
        allowed = client.get("scopes")
        if scope and isinstance(allowed, list):
            if not set(scope.split()) <= set(map(str, allowed)):
                self.refuse(400, "invalid_scope",
                            "client %s: scope not allowed" % cid)
                return
        expires_in = client.get("expires_in", DEFAULT_EXPIRES_IN)
        now = int(time.time())
        token = secrets.token_urlsafe(32)
        entry = {
            "user": str(client["user"]),
            "aud": client.get("aud", DEFAULT_AUD),
            "iat": now,
            "client_id": cid,
        }
        if expires_in is not None:
            expires_in = int(expires_in)
            entry["exp"] = now + expires_in
        entry["scope"] = scope if scope else entry["aud"]
        with state.lock:
            state.minted[token] = entry
            state.grants += 1
            state.grants_by_client[cid] = \
                state.grants_by_client.get(cid, 0) + 1
        reply = {"access_token": token, "token_type": "Bearer"}
        if expires_in is not None:
            reply["expires_in"] = expires_in
        if scope:
            reply["scope"] = scope
        self.note = "granted client=%s user=%s via=%s expires_in=%s" % (
            cid, entry["user"], "basic" if basic else "form",
            "none" if expires_in is None else expires_in)
        self.send_json(200, reply, [("Pragma", "no-cache")])


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def write_port_file(path, port):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w", encoding="ascii") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="OAuth 2.0 introspection and client-credentials token "
                    "endpoint on 127.0.0.1 for tests.")
    parser.add_argument("port_file", help='where to write "PORT\\n"')
    parser.add_argument("config", help="JSON file of tokens and clients")
    parser.add_argument("--lifetime", type=float, default=DEFAULT_LIFETIME_S,
                        help="stop by itself after this many seconds "
                             "(default %(default)s)")
    parser.add_argument("--slow-seconds", type=float, default=DEFAULT_SLOW_S,
                        help="delay of /token-slow (default %(default)s)")
    args = parser.parse_args()

    stop = threading.Event()
    state = State(args.config, args.slow_seconds, stop)
    # Fail early on a broken config file (a missing one is fine).
    try:
        load_config(args.config)
    except ConfigError as e:
        log("error: %s" % e)
        return 1

    server = Server((HOST, 0), Handler)
    server.state = state
    port = server.server_address[1]

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    thread = threading.Thread(target=server.serve_forever,
                              kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    write_port_file(args.port_file, port)
    log("listening on %s:%d (pid %d, stops after %gs)" %
        (HOST, port, os.getpid(), args.lifetime))
    if stop.wait(args.lifetime):
        log("stopping on signal")
    else:
        log("lifetime of %gs over, stopping" % args.lifetime)
    stop.set()
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
