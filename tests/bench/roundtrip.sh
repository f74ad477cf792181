#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark of the mail round trip's delivery time (tests/bench/tripwatch.py):
# against the moment the delivered file appears in Dovecot's Maildir
# (inotify), the reported delivery time may be late by at most one poll
# interval + 50 ms, over BENCH_TRIPS (100) round trips through a real
# Postfix submission port (STARTTLS, AUTH) and LMTP. A figure, never a
# failure: exit 0 when the target is missed, 1 when the chain fails.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
[[ $BUILD == /* ]] || BUILD=$ROOT/$BUILD
TRIPS=${BENCH_TRIPS:-100}
POLL=${BENCH_TRIP_POLL:-1}
DIR=$(mktemp -d /tmp/pop3check-bench-trip.XXXXXX)
chmod 0711 "$DIR"

cleanup() {
	"$ROOT/tests/integration/mta.sh" stop "$DIR/sandbox" >/dev/null 2>&1 || true
	"$ROOT/tests/integration/sandbox.sh" stop "$DIR/sandbox" >/dev/null 2>&1 || true
	rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

"$ROOT/tests/integration/sandbox.sh" start "$DIR/sandbox" 2>/dev/null
"$ROOT/tests/integration/mta.sh" start "$DIR/sandbox" 2>/dev/null
# shellcheck disable=SC1091 # written by the sandbox
. "$DIR/sandbox/env"
# shellcheck disable=SC1091
. "$DIR/sandbox/mta.env"
export LD_LIBRARY_PATH=$BUILD
echo "== round trip: delivery time against the Maildir (inotify), $TRIPS round trips =="
python3 "$ROOT/tests/bench/tripwatch.py" "$MTA_MAILDIR" "$TRIPS" "$POLL" -- \
	"$BUILD/tests/tripfigs" "$TRIPS" -H "$HOST_GOOD" -p "$PORT_PLAIN" -u "$MTA_USER" \
	--password-file "$SANDBOX_DIR/pass/$MTA_USER" --smtp-host "$MTA_HOST" \
	--smtp-port "$MTA_SUBMISSION_PORT" --cafile "$MTA_CA_FILE" --smtp-user "$MTA_USER" \
	--mail-from "$MTA_ADDRESS" --rcpt-to "$MTA_ADDRESS" --poll-interval "$POLL" -t 30
