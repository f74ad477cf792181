#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""others.py MAILDIR COUNT CHECK_NAME: writes COUNT messages of other
people into MAILDIR/cur, the ones a careless cleanup would take for
probes. The check's key (its --probe-key-file) comes from the environment,
PROBE_KEY:
  - the probe's subject, no identifier;
  - a well-formed identifier of another check (its own key);
  - this check's name with a forged HMAC;
  - a real, valid identifier of this check, copied into the body;
  - a valid identifier of this check in the header, but a Message-ID that
    is not the probe's (a resent or forwarded copy);
  - two identifier headers, one of them valid;
  - plain mail.
The identifiers are written as the library writes them
("v1; c=NAME; n=HEX; t=MS; d=MS; m=HMAC") from RFC 2104 HMAC-SHA-256
over the text before "; m=", independently of the C code."""
import hashlib
import hmac
import os
import secrets
import sys
import time


def ident(check, key, deadline_ms, nonce=None):
    nonce = nonce or secrets.token_hex(16)
    sent = deadline_ms - 11000
    text = "v1; c=%s; n=%s; t=%d; d=%d" % (check, nonce, sent, deadline_ms)
    mac = hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
    return "%s; m=%s" % (text, mac), nonce


def message(i, subject, headers, body):
    lines = [
        "Return-Path: <someone%d@example.net>" % i,
        "Received: from mx.example.net by mta.example.test; "
        "Tue, 01 Dec 2026 10:%02d:00 +0000" % (i % 60),
        "From: Someone <someone%d@example.net>" % i,
        "To: trip@example.test",
        "Subject: %s" % subject,
        "Date: Tue, 01 Dec 2026 10:%02d:00 +0000" % (i % 60),
    ] + headers + ["", body, ""]
    return "\n".join(lines)


def kind(i, check, key, other_key, past):
    k = i % 7
    if k == 0:
        return "pop3check round trip", ["Message-ID: <plain%d@example.net>" % i], "same subject"
    if k == 1:
        v, n = ident("other-check@example.net", other_key, past)
        return "from another check", ["Message-ID: <pop3check.%s@example.net>" % n,
                                      "X-Pop3check-Probe: " + v], "another check's probe"
    if k == 2:
        v, n = ident(check, other_key, past)
        return "forged", ["Message-ID: <pop3check.%s@example.net>" % n,
                          "X-Pop3check-Probe: " + v], "forged identifier"
    if k == 3:
        v, n = ident(check, key, past)
        return "pop3check round trip", ["Message-ID: <copy%d@example.net>" % i], \
            "X-Pop3check-Probe: %s\nMessage-ID: <pop3check.%s@example.net>" % (v, n)
    if k == 4:
        v, n = ident(check, key, past)
        return "resent probe", ["Message-ID: <resent%d@example.net>" % i,
                                "X-Pop3check-Probe: " + v], "resent copy"
    if k == 5:
        v, n = ident(check, key, past)
        w, _ = ident(check, key, past, n)
        return "two identifiers", ["Message-ID: <pop3check.%s@example.net>" % n,
                                   "X-Pop3check-Probe: " + v,
                                   "X-Pop3check-Probe: " + w], "two headers"
    return "hello %d" % i, ["Message-ID: <mail%d@example.net>" % i], "just mail"


def main():
    maildir, count, check = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    key = os.environ["PROBE_KEY"].encode()
    other_key = secrets.token_bytes(32)
    past = int(time.time() * 1000) - 3600 * 1000  # stale, if it were ours
    for i in range(count):
        subject, headers, body = kind(i, check, key, other_key, past)
        name = "%d.M%06dP2.others:2," % (1700000000 + i, i)
        with open(os.path.join(maildir, "cur", name), "w") as f:
            f.write(message(i, subject, headers, body))
    print("wrote %d messages" % count)


if __name__ == "__main__":
    main()
