#!/bin/bash
# SPDX-License-Identifier: MIT
# Soak test (make soak; minutes, not part of make test): pop3_exporter
# serves SOAK_PROBES (100,000) /probe requests, 256 at a time, mixing a
# fast good server and every fault scenario of tests/faults; then the SNMP
# subagent runs SOAK_SNMP_PROBES (10,000) probes of the same targets and
# a fast one, every second, walked while it runs. For each: RSS growth
# after warm-up under 1 MB, open descriptors back to where they were, no
# error in the log. Prints the figures; exits 1 when a target is missed.
set -uo pipefail

here=$(cd "$(dirname "$0")/../faults" && pwd)
# shellcheck source=tests/lib.sh
. "$here/../lib.sh"
export LD_LIBRARY_PATH="$build${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
TOTAL=${SOAK_PROBES:-100000}
WARMUP=$((TOTAL / 10))
SNMP_TOTAL=${SOAK_SNMP_PROBES:-10000}
suite_begin soak
failed=0
verdict() { # verdict WHAT OK? DETAIL
    if [ "$2" = 1 ]; then echo "  ok    $1: $3"; else echo "  MISS  $1: $3"; failed=1; fi
}
rss_kb() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }
fds() { find "/proc/$1/fd" -mindepth 1 | wc -l; }
"$top/tests/integration/sandbox.sh" certs "$work" > /dev/null || exit 1
CA="$work/tls/ca.pem"
printf 'soak-Secret-9\n' > "$work/pw"
chmod 0600 "$work/pw"
python3 "$here/faultserver.py" "$here/scenarios" "$work/tls" "$work/ports" 2> "$work/faultserver.log" &
pids+=("$!")
"$build/tests/fastpop3" "$work/fast.port" 3600 > /dev/null 2>&1 &
pids+=("$!")
for _ in $(seq 100); do [ -s "$work/ports" ] && [ -s "$work/fast.port" ] && break; sleep 0.1; done
FAST=$(cat "$work/fast.port")
REFUSED=$(free_port tcp)
# shellcheck source=tests/faults/lib.sh
. "$here/lib.sh"
load_scenarios

write_config "$work/pop3check.yml" 10s
# The good server: a module and as many targets as there are scenarios.
python3 - "$work/pop3check.yml" "$FAST" "$work/pw" "${#names[@]}" <<'PYEOF'
import sys
path, port, pw, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
text = open(path).read()
good = ("  good:\n    user: soak\n    password_file: %s\n    auth: user\n"
        "    timeout: 5s\n    allowed_targets: [\"127.0.0.1\"]\n" % pw)
targets = "".join("  - name: good%03d\n    target: 127.0.0.1:%s\n    module: good\n"
                  "    interval: 1s\n" % (i, port) for i in range(n))
text = text.replace("modules:\n", "modules:\n" + good, 1)
text = text.replace("targets:\n", "targets:\n" + targets, 1)
open(path, "w").write(text)
PYEOF
: > "$work/paths"
for n in "${names[@]}"; do
    echo "/probe?target=127.0.0.1:$FAST&module=good" >> "$work/paths"
    echo "/probe?target=${S_HOST[$n]}:${S_PORT[$n]}&module=$n" >> "$work/paths"
done

echo
echo "soak: pop3_exporter, $TOTAL probes (half good, half the ${#names[@]} fault scenarios), 256 at a time"
# The exporter gets the modules only: with no scheduled probe of its own,
# its descriptors must come back to where they started.
sed '/^targets:/,$d' "$work/pop3check.yml" > "$work/exporter.yml"
"$build/pop3_exporter" --config.file "$work/exporter.yml" --web.listen-address 127.0.0.1:0 \
    2> "$work/exporter.log" &
EX=$!
pids+=("$EX")
for _ in $(seq 50); do grep -q listening "$work/exporter.log" && break; sleep 0.1; done
EP=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$work/exporter.log")
fd0=$(fds "$EX")
echo "  warm-up: $(python3 "$top/tests/bench/httpload.py" mix "$EP" "$work/paths" "$WARMUP" 256)"
sleep 3 # the probes of the scheduled targets in flight end
rss1=$(rss_kb "$EX")
fd1=$(fds "$EX")
echo "  soak:    $(python3 "$top/tests/bench/httpload.py" mix "$EP" "$work/paths" $((TOTAL - WARMUP)) 256)"
sleep 3
rss2=$(rss_kb "$EX")
fd2=$(fds "$EX")
verdict "RSS growth after warm-up (< 1 MB)" "$([ $((rss2 - rss1)) -lt 1024 ] && echo 1 || echo 0)" \
    "$((rss1 / 1024)).$((rss1 % 1024 * 10 / 1024)) MB -> $((rss2 / 1024)).$((rss2 % 1024 * 10 / 1024)) MB ($((rss2 - rss1)) KB)"
verdict "open descriptors back to the baseline" "$([ "$fd2" -le "$fd0" ] && echo 1 || echo 0)" \
    "$fd0 at start, $fd1 after warm-up, $fd2 at the end"
errors=$(grep -c 'level=error' "$work/exporter.log")
verdict "no error in the exporter's log" "$([ "$errors" = 0 ] && echo 1 || echo 0)" \
    "$errors error lines of $(wc -l < "$work/exporter.log")"
total=$(curl -s "http://127.0.0.1:$EP/metrics" | awk '/^pop3_exporter_probes_total/ { s += $2 } END { print s + 0 }')
echo "  the exporter counted $total /probe requests"
kill "$EX"
wait "$EX" 2>/dev/null

echo
echo "soak: pop3_snmp_agent, $SNMP_TOTAL probes of $((${#names[@]} * 2)) targets every second, walked every 5 s"
agentx_master || exit 1
sed -i 's/interval: 10s/interval: 1s/' "$work/pop3check.yml"
"$build/pop3_snmp_agent" --config.file "$work/pop3check.yml" --agentx.socket "$work/agentx.sock" \
    2> "$work/agent.log" &
AG=$!
pids+=("$AG")
ENTRY=1.3.6.1.4.1.8072.9999.9999.110.1.1.1
runs() { snmpwalk -v2c -c public -On -t 5 "127.0.0.1:$SNMP_PORT" "$ENTRY.33" 2>/dev/null | awk '{ s += $NF } END { print s + 0 }'; }
fd0=$(fds "$AG")
rss1="" fd1="" done=0 start=$(date +%s)
while [ "$done" -lt "$SNMP_TOTAL" ] && [ $(($(date +%s) - start)) -lt 900 ]; do
    sleep 5
    snmpwalk -v2c -c public -On -t 5 "127.0.0.1:$SNMP_PORT" "$ENTRY" > /dev/null 2>&1
    done=$(runs)
    if [ -z "$rss1" ] && [ "$done" -ge $((SNMP_TOTAL / 10)) ]; then
        rss1=$(rss_kb "$AG")
        fd1=$(fds "$AG")
    fi
done
rss2=$(rss_kb "$AG")
fd2=$(fds "$AG")
echo "  $done probes in $(($(date +%s) - start)) s"
verdict "RSS growth after warm-up (< 1 MB)" "$([ $((rss2 - rss1)) -lt 1024 ] && echo 1 || echo 0)" \
    "$((rss1 / 1024)).$((rss1 % 1024 * 10 / 1024)) MB -> $((rss2 / 1024)).$((rss2 % 1024 * 10 / 1024)) MB ($((rss2 - rss1)) KB)"
verdict "open descriptors steady" "$([ "$fd2" -le $((fd1 + 20)) ] && echo 1 || echo 0)" \
    "$fd0 at start, $fd1 after warm-up, $fd2 at the end (probes in flight hold one each)"
kill "$AG"
wait "$AG"
rc=$?
errors=$(grep -ci 'error' "$work/agent.log")
verdict "clean stop, no error in the agent's log" "$([ "$rc" = 0 ] && [ "$errors" = 0 ] && echo 1 || echo 0)" \
    "exit $rc, $errors error lines"
exit "$failed"
