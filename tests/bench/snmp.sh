#!/bin/bash
# SPDX-License-Identifier: MIT
# Benchmark of the SNMP agent, on loopback: a table of 1,000 targets (all
# on the fast scripted POP3 server, so that the agent is what is
# measured) served by pop3_snmp_agent through snmpd, then by
# pop3monitor.so loaded into snmpd. Walks the whole table with snmpwalk
# (GETNEXT) and snmpbulkwalk (GETBULK), 5 times each, and reports the
# median time and the peak RSS; a walk of snmpd's own system group is the
# baseline of this machine. The decided measure 4: the GETBULK walk of the
# whole table through pop3monitor.so in snmpd, target < 1 s; the same
# through the AgentX subagent is reported (against the dlmod walk of the
# same run), with its bound: one AgentX round trip per cell. Missed
# targets are reported, not failed; a missing tool, or a walk that fails
# or comes back short, is an error.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${BUILD:-build}" && pwd)
export LD_LIBRARY_PATH="$build${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# shellcheck disable=SC1091 # checked on its own
. "$here/common.sh"
N=${BENCH_SNMP_TARGETS:-1000}
RUNS=5
TARGET_BULK_MS=1000

for t in snmpd snmpwalk snmpbulkwalk python3; do
    command -v "$t" > /dev/null ||
        { echo "snmp.sh: error: $t missing: apt-get install snmpd snmp python3" >&2; exit 1; }
done
work=$(mktemp -d /tmp/pop3bench-snmp.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
export MIBS='' SNMP_PERSISTENT_DIR="$work/persist"
mkdir -p "$SNMP_PERSISTENT_DIR"

"$build/tests/fastpop3" "$work/fast.port" 900 >/dev/null 2>&1 &
pids+=("$!")
for _ in $(seq 50); do [ -s "$work/fast.port" ] && break; sleep 0.1; done
FAST=$(cat "$work/fast.port")
printf 'secret\n' > "$work/bench.pw"
chmod 0600 "$work/bench.pw"
{
    printf 'modules:\n  login:\n    user: bench\n    password_file: %s\n    auth: user\n    timeout: 5s\n' "$work/bench.pw"
    printf 'targets:\n'
    for i in $(seq -w 1 "$N"); do
        printf '  - name: mail%s\n    target: 127.0.0.1:%s\n    module: login\n    interval: 30s\n' "$i" "$FAST"
    done
} > "$work/bench.yml"

PORT=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/snmpd.conf" <<EOF
[snmp] clientaddr 127.0.0.1
agentAddress udp:127.0.0.1:$PORT
master agentx
agentXSocket $work/agentx.sock
rocommunity public 127.0.0.1
EOF
snmpd -f -C -c "$work/snmpd.conf" -I -smux -Lf "$work/snmpd.log" &
SNMPD=$!
pids+=("$SNMPD")
for _ in $(seq 100); do [ -S "$work/agentx.sock" ] && break; sleep 0.1; done
"$build/pop3_snmp_agent" --config.file "$work/bench.yml" --agentx.socket "$work/agentx.sock" \
    2> "$work/agent.log" &
AGENT=$!
pids+=("$AGENT")

ENTRY=1.3.6.1.4.1.8072.9999.9999.110.1.1.1
runs_col="$ENTRY.33"
# Every target probed once (the first probes are spread over a second).
probed() {
    for _ in $(seq 300); do
        n=$(snmpwalk -v2c -c public -On -t 5 127.0.0.1:"$PORT" "$runs_col" 2>/dev/null | grep -c 'Counter32: [1-9]' || true)
        [ "$n" -ge "$N" ] && break
        sleep 0.5
    done
}
probed

# median_ms MIN CMD...: median wall time of RUNS runs and the varbinds of
# the last, as "N ms (V varbinds)"; a run that fails or returns fewer than
# MIN varbinds stops the benchmark.
median_ms() {
    local min=$1 times=() lines=0 start
    shift
    for _ in $(seq "$RUNS"); do
        start=$(date +%s%N)
        if ! "$@" > "$work/walk.out" 2> "$work/walk.err"; then
            echo "snmp.sh: error: '$*' failed: $(tail -n 3 "$work/walk.err")" >&2
            exit 1
        fi
        times+=($((($(date +%s%N) - start) / 1000000)))
        lines=$(wc -l < "$work/walk.out")
        if [ "$lines" -lt "$min" ]; then
            echo "snmp.sh: error: '$*' returned $lines varbinds, fewer than $min" >&2
            exit 1
        fi
    done
    printf '%s\n' "${times[@]}" | sort -n | awk -v l="$lines" '{ a[NR] = $1 } END { printf "%d ms (%d varbinds)\n", a[int((NR + 1) / 2)], l }'
}
walk() { snmpwalk -v2c -c public -On -t 10 127.0.0.1:"$PORT" "$@"; }
bulk() { snmpbulkwalk -v2c -c public -On -t 10 -Cr50 127.0.0.1:"$PORT" "$@"; }

echo
echo "SNMP subagent benchmark: $N targets (fast scripted POP3 server), snmpd on loopback"
printf '  %-58s %s\n' "what" "median of $RUNS"
printf '  %-58s %s\n' "targets probed at least once" "$n/$N"
printf '  %-58s %s\n' "baseline: snmpwalk of snmpd's own system group" "$(median_ms 1 walk 1.3.6.1.2.1.1)"
printf '  %-58s %s\n' "snmpwalk (GETNEXT) of one column (pop3ProbeLastStatus)" "$(median_ms "$N" walk "$ENTRY.7")"
full=$(median_ms "$N" walk "$ENTRY")
printf '  %-58s %s\n' "snmpwalk (GETNEXT) of the whole table" "$full"
agent_bulk=$(median_ms "$N" bulk "$ENTRY")
printf '  %-58s %s\n' "snmpbulkwalk (GETBULK, 50 per request) of the whole table" "$agent_bulk"
rss=$(awk '/VmHWM/ { print $2 }' "/proc/$AGENT/status")
printf '  %-58s %s\n' "subagent peak RSS (target < 32 MB)" \
    "$((rss / 1024)) MB $( [ "$rss" -lt 32768 ] && echo PASS || echo MISS)"

kill "$AGENT" "$SNMPD"
wait "$AGENT" "$SNMPD" 2>/dev/null || true
cat > "$work/dlmod.conf" <<EOF
[snmp] clientaddr 127.0.0.1
agentAddress udp:127.0.0.1:$PORT
rocommunity public 127.0.0.1
dlmod pop3monitor $build/pop3monitor.so
pop3monitorConfig $work/bench.yml
EOF
snmpd -f -C -c "$work/dlmod.conf" -I -smux -Lf "$work/dlmod.log" &
SNMPD=$!
pids+=("$SNMPD")
sleep 1
probed
echo
echo "the same table from pop3monitor.so inside snmpd (dlmod)"
printf '  %-58s %s\n' "targets probed at least once" "$n/$N"
printf '  %-58s %s\n' "snmpwalk (GETNEXT) of the whole table" "$(median_ms "$N" walk "$ENTRY")"
dlmod_bulk=$(median_ms "$N" bulk "$ENTRY")
printf '  %-58s %s\n' "snmpbulkwalk (GETBULK, 50 per request) of the whole table" "$dlmod_bulk"
rss=$(awk '/VmHWM/ { print $2 }' "/proc/$SNMPD/status")
printf '  %-58s %s\n' "snmpd peak RSS with the module" "$((rss / 1024)) MB"

# ---- the decided measure ----
d_ms=${dlmod_bulk%% ms*} a_ms=${agent_bulk%% ms*}
cells=$(awk -v t="$agent_bulk" 'BEGIN { sub(/.*\(/, "", t); print t + 0 }')
echo
bench_header
bench_measure 4a "bulk walk, $N targets, pop3monitor.so (snmpd)" "$d_ms ms" - - \
    "< $TARGET_BULK_MS ms" "$(bench_verdict "$d_ms" "<" "$TARGET_BULK_MS")"
bench_measure 4b "bulk walk, $N targets, AgentX subagent" "$a_ms ms" "$d_ms ms" \
    "$(bench_ratio "$a_ms" "$d_ms")" "reported" "-"
echo "  4b baseline: the same walk through pop3monitor.so above. Its bound: snmpd's"
echo "  AgentX master (agent/mibgroup/agentx/master.c) forwards a GETBULK as one"
echo "  AgentX GetNext per repetition, so the walk of $cells cells is $cells round"
echo "  trips between snmpd and the subagent over the AgentX socket:"
echo "  $(awk -v t="$a_ms" -v c="$cells" 'BEGIN { printf "%.0f us", 1000 * t / c }') each here," \
    "$(awk -v t="$a_ms" -v d="$d_ms" -v c="$cells" 'BEGIN { printf "%.0f us", 1000 * (t - d) / c }') more than a cell served inside snmpd."
