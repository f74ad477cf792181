#!/bin/bash
# SPDX-License-Identifier: MIT
# Benchmark of many scheduled round trips in one pop3_exporter: N targets
# (BENCH_TRIP_TARGETS, default 500), each its own mailbox of the sandbox
# (SANDBOX_TRIP_USERS) behind the sandbox's Postfix (submission port,
# STARTTLS and AUTH, LMTP into Dovecot), interval INTERVAL s (60), a poll
# every second, watched for ROUNDS intervals (2). Reports
#   CPU share of the exporter (utime+stime over the window, % of one core),
#   peak RSS (VmHWM), against the same exporter with N plain logins to the
#   same mailboxes at the same interval, measured in the same run;
#   POP3 sessions per round trip: every target's last round trip must
#   have taken at most 1 + delivery time / poll interval sessions (target),
#   from /metrics (pop3_roundtrip_polls, _delivery_seconds).
# A figure, never a failure: exit 0 when a target is missed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$(cd "${BUILD:-build}" && pwd)
export LD_LIBRARY_PATH="$build${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# shellcheck source=tests/bench/common.sh
. "$here/common.sh"
N=${BENCH_TRIP_TARGETS:-500}
INTERVAL=${BENCH_TRIP_INTERVAL:-60}
ROUNDS=${BENCH_TRIP_ROUNDS:-2}
SETTLE=5
for v in N INTERVAL ROUNDS; do
    [[ ${!v} =~ ^[1-9][0-9]{0,3}$ ]] || { echo "tripscale.sh: $v must be 1-9999 (got '${!v}')" >&2; exit 1; }
done

work=$(mktemp -d /tmp/pop3bench-trip.XXXXXX)
chmod 0711 "$work"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; wait "$pid" 2> /dev/null || true; done
    "$top/tests/integration/mta.sh" stop "$work/sandbox" > /dev/null 2>&1 || true
    "$top/tests/integration/sandbox.sh" stop "$work/sandbox" > /dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

SANDBOX_TRIP_USERS=$N "$top/tests/integration/sandbox.sh" start "$work/sandbox" 2> /dev/null
"$top/tests/integration/mta.sh" start "$work/sandbox" 2> /dev/null

# run KIND: one exporter with N targets of KIND for SETTLE + ROUNDS
# intervals; sets cpu_pct, hwm_mb and summary (tripscale.py metrics).
run() {
    local kind=$1 ex port c0 c1 hz
    python3 "$here/tripscale.py" config "$kind" "$N" "$work/sandbox" "$INTERVAL" > "$work/$kind.yml"
    "$build/pop3_exporter" --config.file "$work/$kind.yml" --web.listen-address 127.0.0.1:0 \
        2> "$work/$kind.log" &
    ex=$!
    pids+=("$ex")
    for _ in $(seq 300); do grep -q listening "$work/$kind.log" && break; sleep 0.1; done
    port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$work/$kind.log")
    [ -n "$port" ] || { echo "tripscale.sh: pop3_exporter did not start: $(tail -3 "$work/$kind.log")" >&2; exit 1; }
    sleep "$SETTLE"
    hz=$(getconf CLK_TCK)
    c0=$(awk '{ print $14 + $15 }' "/proc/$ex/stat")
    sleep $((ROUNDS * INTERVAL))
    c1=$(awk '{ print $14 + $15 }' "/proc/$ex/stat")
    summary=$(python3 "$here/tripscale.py" metrics "$port")
    hwm_mb=$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$ex/status")
    cpu_pct=$(awk -v c=$((c1 - c0)) -v hz="$hz" -v s=$((ROUNDS * INTERVAL)) \
        'BEGIN { printf "%.2f", c / hz / s * 100 }')
    kill "$ex"
    wait "$ex" 2> /dev/null || true
}
kv() { awk -v k="$1" '{ for (i = 1; i <= NF; i++) { split($i, p, "="); if (p[1] == k) print p[2] } }' <<< "$2"; }

echo
echo "== $N scheduled round trips in one pop3_exporter (interval ${INTERVAL}s, poll 1 s), $ROUNDS intervals =="
run login
base_cpu=$cpu_pct base_hwm=$hwm_mb base_summary=$summary
run trip
bench_header
bench_measure R1 "CPU share, % of one core (vs $N logins)" "$cpu_pct" "$base_cpu" \
    "$(bench_ratio "$cpu_pct" "$base_cpu")" "-" "info"
bench_measure R2 "peak RSS (VmHWM), MB (vs $N logins)" "$hwm_mb" "$base_hwm" \
    "$(bench_ratio "$hwm_mb" "$base_hwm")" "-" "info"
within=$(kv within "$summary")
delivered=$(kv delivered "$summary")
bench_measure R3 "round trips within 1 + delivery/poll sessions" "$within/$(kv targets "$summary")" "-" "-" \
    "all" "$([ "$within" = "$(kv targets "$summary")" ] && echo PASS || echo MISS)"
bench_info "round trips (last of each target)" "$summary"
bench_info "baseline logins" "$base_summary"
[ "$delivered" -gt 0 ] || { echo "tripscale.sh: no round trip delivered" >&2; exit 1; }
