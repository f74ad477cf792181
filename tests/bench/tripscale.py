#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tripscale.py - the scale benchmark's helpers (tests/bench/tripscale.sh).

  tripscale.py config KIND N ENV_DIR INTERVAL   the YAML of N scheduled
      targets, one per sandbox mailbox trip1 .. tripN: KIND "trip" round
      trips through the sandbox's Postfix (submission port, STARTTLS and
      AUTH), KIND "login" plain logins to the same mailboxes (the
      baseline); reads ENV_DIR/env and ENV_DIR/mta.env
  tripscale.py metrics PORT    one /metrics scrape of the exporter on
      127.0.0.1:PORT, summed up as "key=value" words: targets, probes,
      delivered, polls (mean), delivery_s (mean), within (targets whose
      last round trip took at most 1 + delivery / interval sessions),
      failed
"""
import sys
import urllib.request


def env(path):
    out = {}
    with open(path) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.rstrip("\n").split("=", 1)
                out[k] = v.strip("'")
    return out


def config(kind, n, d, interval):
    e = env(d + "/env")
    e.update(env(d + "/mta.env"))
    print("modules:")
    for i in range(1, n + 1):
        print("  m%d:" % i)
        print("    user: trip%d" % i)
        print("    password_file: %s/pass/trip%d" % (e["SANDBOX_DIR"], i))
        print("    timeout: 30s")
        print("    allowed_targets: [\"127.0.0.1\"]")
        if kind == "trip":
            print("    cafile: %s" % e["MTA_CA_FILE"])
            print("    round_trip:")
            print("      smtp_host: %s" % e["MTA_HOST"])
            print("      smtp_port: %s" % e["MTA_SUBMISSION_PORT"])
            print("      smtp_user: trip%d" % i)
            print("      mail_from: trip%d@example.test" % i)
            print("      rcpt_to: trip%d@example.test" % i)
            print("      poll_interval: 1s")
    print("targets:")
    for i in range(1, n + 1):
        print("  - { name: t%d, target: \"127.0.0.1:%s\", module: m%d, interval: %ds }"
              % (i, e["PORT_PLAIN"], i, interval))


def series(text, name):
    """{target: value} of one family's samples."""
    out = {}
    for line in text.splitlines():
        if line.startswith(name + "{"):
            labels, value = line[len(name) + 1:].rsplit("} ", 1)
            for part in labels.split(","):
                if part.startswith("target=\""):
                    out[part[8:-1]] = float(value)
    return out


def metrics(port):
    text = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % port,
                                  timeout=30).read().decode()
    probes = series(text, "pop3_probes_total")
    polls = series(text, "pop3_roundtrip_polls")
    delivery = series(text, "pop3_roundtrip_delivery_seconds")
    interval = series(text, "pop3_roundtrip_poll_interval_seconds")
    delivered = series(text, "pop3_roundtrip_delivered")
    within = sum(1 for t in delivery
                 if polls.get(t, 99) <= 1 + delivery[t] / interval.get(t, 1))
    mean = lambda d: sum(d.values()) / len(d) if d else 0
    print("targets=%d probes=%d delivered=%d polls=%.3f delivery_s=%.3f within=%d failed=%d"
          % (len(probes), sum(probes.values()), sum(delivered.values()),
             mean(polls), mean(delivery), within,
             sum(1 for v in delivered.values() if v == 0)))


if __name__ == "__main__":
    if sys.argv[1] == "config":
        config(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
    else:
        metrics(sys.argv[2])
