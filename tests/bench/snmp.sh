#!/bin/bash
# SPDX-License-Identifier: MIT
# Benchmark of the SNMP agent, on loopback: a table of 1,000 targets (all
# on the fast scripted POP3 server, so that the agent is what is
# measured) served by pop3_snmp_agent through snmpd, then by
# pop3monitor.so loaded into snmpd. Walks the whole table with snmpwalk
# (GETNEXT) and snmpbulkwalk (GETBULK), 5 times each, and reports the
# median time and the peak RSS; a walk of snmpd's own system group is the
# baseline of this machine. Missed targets are reported, not failed.
set -euo pipefail

build=$(cd "${BUILD:-build}" && pwd)
export LD_LIBRARY_PATH="$build${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
N=${BENCH_SNMP_TARGETS:-1000}
RUNS=5

if ! command -v snmpd >/dev/null || ! command -v snmpbulkwalk >/dev/null; then
    echo "snmp benchmark skipped: apt-get install snmpd snmp"
    exit 0
fi
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

median_ms() { # median_ms CMD...: median wall time of RUNS runs, and the line count of the last
    local times=() lines=0 start
    for _ in $(seq "$RUNS"); do
        start=$(date +%s%N)
        lines=$("$@" 2>/dev/null | wc -l)
        times+=($((($(date +%s%N) - start) / 1000000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk -v l="$lines" '{ a[NR] = $1 } END { printf "%d ms (%d varbinds)\n", a[int((NR + 1) / 2)], l }'
}
walk() { snmpwalk -v2c -c public -On -t 10 127.0.0.1:"$PORT" "$@"; }
bulk() { snmpbulkwalk -v2c -c public -On -t 10 -Cr50 127.0.0.1:"$PORT" "$@"; }

echo
echo "SNMP subagent benchmark: $N targets (fast scripted POP3 server), snmpd on loopback"
printf '  %-58s %s\n' "what" "median of $RUNS"
printf '  %-58s %s\n' "targets probed at least once" "$n/$N"
printf '  %-58s %s\n' "baseline: snmpwalk of snmpd's own system group" "$(median_ms walk 1.3.6.1.2.1.1)"
printf '  %-58s %s\n' "snmpwalk (GETNEXT) of one column (pop3ProbeLastStatus)" "$(median_ms walk "$ENTRY.7")"
full=$(median_ms walk "$ENTRY")
printf '  %-58s %s\n' "snmpwalk (GETNEXT) of the whole table" "$full"
bulkfull=$(median_ms bulk "$ENTRY")
printf '  %-58s %s %s\n' "snmpbulkwalk (GETBULK, 50 per request) of the whole table" "$bulkfull" \
    "$(awk -v t="${bulkfull%% *}" 'BEGIN { print (t < 1000) ? "PASS (target < 1 s)" : "MISS (target < 1 s)" }')"
rss=$(awk '/VmHWM/ { print $2 }' "/proc/$AGENT/status")
printf '  %-58s %s\n' "subagent peak RSS (target < 32 MB)" \
    "$((rss / 1024)) MB $( [ "$rss" -lt 32768 ] && echo PASS || echo MISS)"
echo "  (snmpd's AgentX master forwards a GETBULK as one AgentX GetNext per"
echo "  repetition: $((N * 44)) round trips between snmpd and the subagent.)"

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
printf '  %-58s %s\n' "snmpwalk (GETNEXT) of the whole table" "$(median_ms walk "$ENTRY")"
bulkfull=$(median_ms bulk "$ENTRY")
printf '  %-58s %s %s\n' "snmpbulkwalk (GETBULK, 50 per request) of the whole table" "$bulkfull" \
    "$(awk -v t="${bulkfull%% *}" 'BEGIN { print (t < 1000) ? "PASS (target < 1 s)" : "MISS (target < 1 s)" }')"
rss=$(awk '/VmHWM/ { print $2 }' "/proc/$SNMPD/status")
printf '  %-58s %s\n' "snmpd peak RSS with the module" "$((rss / 1024)) MB"
