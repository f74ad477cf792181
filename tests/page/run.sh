#!/bin/bash
# SPDX-License-Identifier: MIT
# pop3_exporter's status page in a real browser: an exporter with
# scheduled targets in every state (OK and a round trip against the
# sandbox Dovecot and its Postfix, WARNING by a threshold, CRITICAL by a
# wrong password, a hostile greeting and a closed port, UNKNOWN by a
# server that never greets) and a few /probe calls; Debian's headless
# Chromium loads "/" at 1280 px and at phone width (390 px) and
# tests/page/browser.py checks what it rendered. Screenshots go to
# $BUILD/screenshots, counts to $BUILD/results/page.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-build}
build=$(cd "$BUILD" && pwd)
results="$build/results"
shots="$build/screenshots"
mkdir -p "$results" "$shots"
export LD_LIBRARY_PATH="$build${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

for tool in chromium python3 curl postfix; do
    command -v "$tool" >/dev/null || {
        echo "page tests: $tool is missing (apt-get install chromium python3 curl postfix, or run 'make test')" >&2
        exit 1
    }
done
[ "$(id -u)" -eq 0 ] || { echo "page tests: need root for the sandbox Dovecot and Postfix" >&2; exit 1; }

work=$(mktemp -d /tmp/pop3check-page.XXXXXX)
chmod 0711 "$work"
pids=()
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    "$top/tests/integration/mta.sh" stop "$work/sandbox" >/dev/null 2>&1
    "$top/tests/integration/sandbox.sh" stop "$work/sandbox" >/dev/null 2>&1
    mkdir -p "$build/logs"
    cp "$work/exporter.log" "$build/logs/page-exporter.log" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

SANDBOX_OAUTH2=0 "$top/tests/integration/sandbox.sh" start "$work/sandbox" >/dev/null || exit 1
if ! out=$("$top/tests/integration/mta.sh" start "$work/sandbox" 2>&1); then
    printf '%s\n' "$out" | tail -5 >&2
    echo "page tests: the round trip's Postfix did not start (tests/integration/mta.sh start)" >&2
    exit 1
fi
# shellcheck disable=SC1091
. "$work/sandbox/env"
# shellcheck disable=SC1091
. "$work/sandbox/mta.env"

# A server that never greets (UNKNOWN by timeout_state), and one whose
# greeting is markup that must reach the page as text.
"$build/tests/stallserver" "$work/stall.port" silent >/dev/null 2>&1 &
pids+=("$!")
mkdir "$work/scenarios"
cat > "$work/scenarios/hostile.scn" <<'EOF'
on CONNECT send "-ERR <script>alert(1)</script><img src=x onerror=alert(2)> & go 'away'\r\n" close
EOF
python3 "$top/tests/faults/faultserver.py" "$work/scenarios" "$work/sandbox/tls" "$work/fault.ports" 2> "$work/faultserver.log" &
pids+=("$!")
for _ in $(seq 100); do [ -s "$work/stall.port" ] && [ -s "$work/fault.ports" ] && break; sleep 0.1; done
STALL=$(cat "$work/stall.port" 2>/dev/null)
HOSTILE=$(awk '$1 == "hostile" {print $2}' "$work/fault.ports" 2>/dev/null)
if [ -z "$STALL" ] || [ -z "$HOSTILE" ]; then cat "$work/faultserver.log" >&2; echo "page tests: the stalling or the fault server did not start" >&2; exit 1; fi
# A port nothing listens on: taken from the kernel, then let go.
DOWN=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'not-the-password\n' > "$work/wrong.pw"
chmod 0600 "$work/wrong.pw"

cat > "$work/pop3check.yml" <<EOF
modules:
  good:
    user: $USER_SMALL
    password_file: $SANDBOX_DIR/pass/$USER_SMALL
    commands: [list, uidl]
    retr: last
    allowed_targets: ["127.0.0.1:$PORT_PLAIN"]
  slow:
    user: $USER_SMALL
    password_file: $SANDBOX_DIR/pass/$USER_SMALL
    thresholds:
      total: { warning: "0.000001" }
  wrongpw:
    user: $USER_SMALL
    password_file: $work/wrong.pw
    auth: user
    allowed_targets: ["127.0.0.1:$PORT_PLAIN"]
  banner:
    timeout: 2s
  silent:
    timeout: 1s
    timeout_state: unknown
  trip:
    cafile: $MTA_CA_FILE
    user: $MTA_USER
    password_file: $SANDBOX_DIR/pass/$MTA_USER
    round_trip:
      smtp_host: $MTA_HOST
      smtp_port: $MTA_SUBMISSION_PORT
      smtp_user: $MTA_USER
      mail_from: $MTA_ADDRESS
      rcpt_to: $MTA_ADDRESS
      poll_interval: 200ms
      check_name: page
targets:
  - { name: mail-good, target: "127.0.0.1:$PORT_PLAIN", module: good, interval: 2s }
  - { name: mail-slow, target: "127.0.0.1:$PORT_PLAIN", module: slow, interval: 2s }
  - { name: mail-wrongpw, target: "127.0.0.1:$PORT_PLAIN", module: wrongpw, interval: 2s }
  - { name: mail-banner, target: "127.0.0.1:$HOSTILE", module: banner, interval: 2s }
  - { name: mail-down, target: "127.0.0.1:$DOWN", module: banner, interval: 2s }
  - { name: mail-silent, target: "127.0.0.1:$STALL", module: silent, interval: 2s }
  - { name: mail-trip, target: "127.0.0.1:$PORT_PLAIN", module: trip, interval: 3s }
EOF

"$build/pop3_exporter" --config.file "$work/pop3check.yml" \
    --web.listen-address 127.0.0.1:0 2> "$work/exporter.log" &
EXPORTER=$!
pids+=("$EXPORTER")
for _ in $(seq 50); do grep -q 'listening' "$work/exporter.log" && break; sleep 0.1; done
PORT=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$work/exporter.log" | head -1)
[ -n "$PORT" ] || { cat "$work/exporter.log" >&2; echo "page tests: the exporter did not start" >&2; exit 1; }
base="http://127.0.0.1:$PORT"

# Every target with at least three probes, so that each has a history.
names=(mail-good mail-slow mail-wrongpw mail-banner mail-down mail-silent mail-trip)
for _ in $(seq 300); do
    curl -s --max-time 5 "$base/metrics" > "$work/metrics" || true
    done_all=1
    for n in "${names[@]}"; do
        c=$(sed -n "s/^pop3_probes_total{target=\"$n\"} \([0-9]*\)$/\1/p" "$work/metrics")
        [ "${c:-0}" -ge 3 ] || done_all=0
    done
    [ "$done_all" = 1 ] && break
    sleep 0.2
done
# A few /probe calls, which come after the scheduled targets.
for q in "127.0.0.1:$PORT_PLAIN&module=good" "127.0.0.1:$PORT_PLAIN&module=wrongpw" \
    "127.0.0.1:$HOSTILE&module=banner"; do
    code=$(curl -s --max-time 10 -o "$work/probe.body" -w '%{http_code}' "$base/probe?target=$q")
    [ "$code" = 200 ] || { echo "page tests: /probe?target=$q: HTTP $code: $(head -3 "$work/probe.body")" >&2; exit 1; }
done

python3 "$here/browser.py" --url "$base/" --shots "$shots" --results "$results/page" \
    --expect mail-good=OK mail-slow=WARNING mail-wrongpw=CRITICAL \
    mail-banner=CRITICAL mail-down=CRITICAL mail-silent=UNKNOWN mail-trip=OK \
    --trip mail-trip --hostile mail-banner --mute mail-down mail-silent --probes 3
rc=$?
if [ "$rc" -ne 0 ]; then
    echo "-- the exporter's log" >&2
    tail -20 "$work/exporter.log" >&2
fi
exit "$rc"
