#!/bin/bash
# SPDX-License-Identifier: MIT
# Records the debug streams tests/unit/test_tracker.c replays, into
# tests/unit/streams/curl-VERSION/ (VERSION: the libcurl record_stream runs
# with): a sandbox Dovecot plain, with STLS and POP3S, its expired
# certificate and a CA that did not sign it; a closed port; the fault
# server's greetings that are not +OK. Every probe must end as its case
# says, and no stream may hold a password or a login command, or nothing
# is replaced. Needs root (the sandbox's Dovecot switches users).
#
# Usage: record-streams.sh [RECORD_STREAM]   (make record-streams)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$here/../lib.sh"
rec=${1:-$build/tests/record_stream}
suite_begin record-streams
need_root "the sandbox Dovecot switches users"
need_tools "run 'make test', which installs what is needed" \
    python3 openssl dovecot
[ -x "$rec" ] || { echo "record-streams: $rec is missing (make $BUILD/tests/record_stream)" >&2; exit 1; }

version=$("$rec" --curl-version) || exit 1
[[ $version =~ ^[0-9A-Za-z.+~-]+$ ]] || { echo "record-streams: odd libcurl version '$version'" >&2; exit 1; }
dest="$top/tests/unit/streams/curl-$version"
new="$work/new"
mkdir -p "$new"

"$top/tests/integration/sandbox.sh" start "$work/sandbox" > /dev/null || exit 1
# shellcheck source=/dev/null
. "$work/sandbox/env"
# A second, unrelated CA: the sandbox's certificates do not chain to it.
"$top/tests/integration/sandbox.sh" certs "$work/other" > /dev/null || exit 1
mkdir "$work/scenarios"
cp "$top/tests/faults/scenarios/greeting-err.scn" \
    "$top/tests/faults/scenarios/greeting-not-ok.scn" "$work/scenarios/"
python3 "$top/tests/faults/faultserver.py" "$work/scenarios" "$SANDBOX_DIR/tls" \
    "$work/ports" 2> "$work/faultserver.log" &
pids+=("$!")
for _ in $(seq 100); do [ -s "$work/ports" ] && break; sleep 0.1; done
[ -s "$work/ports" ] || { echo "record-streams: the fault server did not start:" >&2; cat "$work/faultserver.log" >&2; exit 1; }
fault_port() { awk -v n="$1" '$1 == n { print $2 }' "$work/ports"; }
REFUSED=$(free_port tcp)

echo "== recording libcurl $version's streams"
# record NAME WANT ARGS...: WANT is "ERROR PHASE" as record_stream prints it.
record() {
    local name=$1 want=$2 got
    shift 2
    if ! got=$("$rec" -t 5000 -o "$new/$name.stream" "$@" 2> "$work/$name.err"); then
        ko "$name: record_stream failed" "$(cat "$work/$name.err")"
        return
    fi
    check "$name" "$got" "$want"
}
record plain "ok -" -H "$HOST_GOOD" -p "$PORT_PLAIN"
record stls "ok -" -H "$HOST_GOOD" -p "$PORT_PLAIN" --tls stls --cafile "$CA_FILE"
record pop3s "ok -" -H "$HOST_GOOD" -p "$PORT_POP3S" --tls implicit --cafile "$CA_FILE"
record refused "connect connect" -H 127.0.0.1 -p "$REFUSED"
record cert-expired "certificate tls" -H "$HOST_EXPIRED" -p "$PORT_POP3S" \
    --tls implicit --cafile "$CA_FILE"
record cert-unknown-ca "certificate tls" -H "$HOST_GOOD" -p "$PORT_PLAIN" \
    --tls stls --cafile "$work/other/tls/ca.pem"
record greeting-err "protocol greeting" -H 127.0.0.1 -p "$(fault_port greeting-err)"
record greeting-not-ok "protocol greeting" -H 127.0.0.1 -p "$(fault_port greeting-not-ok)"

# No secret in any stream: the sandbox's passwords, or a login command.
for pw in "$PASS_EMPTY" "$PASS_SMALL" "$PASS_LARGE" "$PASS_BIG" "$PASS_DISABLED"; do
    if grep -rqF -- "$pw" "$new"; then ko "a sandbox password is in a stream"; fi
done
if grep -rqiE '^(HEADER|DATA)_OUT [0-9]+ [0-9]+ (USER|PASS|APOP|AUTH)' "$new"; then
    ko "a stream sends a login command"
else
    ok "no login command and no password in the streams"
fi

if [ "$fail" -ne 0 ]; then
    echo "record-streams: $pass passed, $fail failed; $dest left as it was"
    exit 1
fi
mkdir -p "$dest"
rm -f "$dest"/*.stream
mv "$new"/*.stream "$dest/"
echo "record-streams: $pass passed, 0 failed; streams in ${dest#"$top"/}"
