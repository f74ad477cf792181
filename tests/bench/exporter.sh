#!/bin/bash
# SPDX-License-Identifier: MIT
# Benchmark of pop3_exporter, on loopback: 1,000 probes in flight against a
# server that accepts and never speaks (all must be answered at their
# deadline; peak RSS), then probes per second and CPU per probe at
# concurrency 1, 16 and 256 against the sandbox Dovecot (banner module);
# then against blackbox_exporter's tcp prober doing the same dialog on
# the fast scripted server (checked through dialog.py first), with the
# decided measure 3: private memory (RssAnon, sampled every 20 ms by
# procpeak, peak over the run up to concurrency 256) of pop3_exporter
# against blackbox_exporter's. Prints a table; missed targets are
# reported, not failed; a missing tool or a failing command is an error.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$(cd "${BUILD:-build}" && pwd)
# shellcheck disable=SC1091 # checked on its own
. "$here/common.sh"
TARGET_RSS_ANON=0.25
BLACKBOX=$(command -v prometheus-blackbox-exporter || true)
[ -n "$BLACKBOX" ] || { echo "exporter.sh: error: prometheus-blackbox-exporter missing: apt-get install prometheus-blackbox-exporter" >&2; exit 1; }
for t in python3 curl "$build/tests/procpeak" "$build/tests/fastpop3" "$build/tests/stallserver"; do
    command -v "$t" > /dev/null || { echo "exporter.sh: error: $t missing (make bench builds the tools)" >&2; exit 1; }
done
export LD_LIBRARY_PATH="$build${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
INFLIGHT=${BENCH_INFLIGHT:-1000}
SECONDS_PER_RATE=${BENCH_RATE_SECONDS:-5}

work=$(mktemp -d /tmp/pop3bench-ex.XXXXXX)
chmod 0711 "$work"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    "$top/tests/integration/sandbox.sh" stop "$work/sandbox" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

"$top/tests/integration/sandbox.sh" start "$work/sandbox" >/dev/null
# shellcheck disable=SC1091
. "$work/sandbox/env"
"$build/tests/stallserver" "$work/stall.port" silent >/dev/null 2>&1 &
pids+=("$!")
for _ in $(seq 50); do [ -s "$work/stall.port" ] && break; sleep 0.1; done
printf 'modules:\n  banner:\n    timeout: 10s\n' > "$work/bench.yml"

"$build/pop3_exporter" --config.file "$work/bench.yml" --web.listen-address 127.0.0.1:0 \
    2> "$work/exporter.log" &
EX=$!
pids+=("$EX")
for _ in $(seq 50); do grep -q listening "$work/exporter.log" && break; sleep 0.1; done
port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$work/exporter.log")
fds_before=$(find "/proc/$EX/fd" -mindepth 1 | wc -l)

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$EX/stat"; }

echo
echo "pop3_exporter benchmark (loopback; Dovecot sandbox; stalling server)"
printf '  %-52s %s\n' "what" "result"
stall="/probe?target=127.0.0.1:$(cat "$work/stall.port")&module=banner"
out=$(python3 "$here/httpload.py" burst "$port" "$stall" "$INFLIGHT" 3) || true
rss=$(awk '/VmHWM/ { print $2 }' "/proc/$EX/status")
# libcurl's multi handle (and its wake-up pair of descriptors) lingers 2 s
# after its last probe (checks/curlm.c), so count after that.
sleep 2.5
fds_after=$(find "/proc/$EX/fd" -mindepth 1 | wc -l)
printf '  %-52s %s\n' "$INFLIGHT in flight, stalled server, deadline 2.5 s" "$out"
printf '  %-52s %s\n' "peak RSS (target < 64 MB)" "$((rss / 1024)) MB $( [ "$rss" -lt 65536 ] && echo PASS || echo MISS)"
printf '  %-52s %s\n' "open fds before / after" "$fds_before / $fds_after"
banner="/probe?target=127.0.0.1:$PORT_PLAIN&module=banner"
for c in 1 16 256; do
    t0=$(cpu_ticks)
    read -r rate failed < <(python3 "$here/httpload.py" rate "$port" "$banner" "$c" "$SECONDS_PER_RATE")
    t1=$(cpu_ticks)
    per=$(awk -v t=$((t1 - t0)) -v r="$rate" -v s="$SECONDS_PER_RATE" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { n = r * s; printf "%.2f", (n > 0) ? 1000 * t / hz / n : 0 }')
    printf '  %-52s %s\n' "concurrency $c: probes/s, exporter CPU ms/probe" "$rate/s, $per ms, $failed failed"
done
echo "  (Dovecot's login processes bound the rate there.)"

# Scrapes from 127.0.0.1 while slow clients from 127.0.0.2 hold the
# per-address limit (default 5,000) with requests that never end, and
# 1,000 more are refused; against the same scrapes with no flood.
read -r idle_med idle_p99 idle_max idle_failed < <(python3 "$here/httpload.py" latency "$port" /metrics 300)
python3 "$top/tests/tools/slowclients.py" "$port" 6000 14 --source 127.0.0.2 \
    --ready "$work/flood.ready" > "$work/flood.out" 2>&1 &
FLOOD=$!
for _ in $(seq 300); do [ -s "$work/flood.ready" ] && break; sleep 0.1; done
read -r fl_med fl_p99 fl_max fl_failed < <(python3 "$here/httpload.py" latency "$port" /metrics 300)
wait "$FLOOD" || { echo "exporter.sh: error: slowclients.py failed: $(cat "$work/flood.out")" >&2; exit 1; }
printf '  %-52s %s\n' "/metrics, idle: median, p99, max" "$idle_med, $idle_p99, $idle_max ms, $idle_failed failed"
printf '  %-52s %s\n' "/metrics, 6,000 slow clients at the limit: the same" \
    "$fl_med, $fl_p99, $fl_max ms, $fl_failed failed; p99 flood/idle $(bench_ratio "$fl_p99" "$idle_p99")"
printf '  %-52s %s\n' "  (target: every scrape within 1 s)" \
    "$(awk -v m="$fl_max" -v f="$fl_failed" 'BEGIN { print (m < 1000 && f == 0) ? "PASS" : "MISS" }')"
printf '  %-52s %s\n' "  the slow clients saw" "$(cat "$work/flood.out")"

# ---- against blackbox_exporter, on a fast scripted server ----
kill "$EX"
wait "$EX" 2>/dev/null || true
"$build/tests/fastpop3" "$work/fast.port" 600 >/dev/null 2>&1 &
pids+=("$!")
for _ in $(seq 50); do [ -s "$work/fast.port" ] && break; sleep 0.1; done
sleep 0.2
FAST=$(cat "$work/fast.port")
printf 'secret\n' > "$work/bench.pw"
chmod 0600 "$work/bench.pw"
cat > "$work/ours.yml" <<EOF
modules:
  pop3_login:
    user: bench
    password_file: $work/bench.pw
    auth: user
    timeout: 5s
    allowed_targets: ["127.0.0.1"]
EOF
# blackbox's tcp prober with the same dialog (pop3_exporter sends CAPA
# first; its answer ends with a lone "."); its send adds LF, so \r here.
cat > "$work/blackbox.yml" <<'EOF'
modules:
  pop3_login:
    prober: tcp
    timeout: 5s
    tcp:
      query_response:
        - expect: "^\\+OK"
        - send: "CAPA\r"
        - expect: "^\\."
        - send: "USER bench\r"
        - expect: "^\\+OK"
        - send: "PASS secret\r"
        - expect: "^\\+OK"
        - send: "STAT\r"
        - expect: "^\\+OK"
        - send: "QUIT\r"
EOF
"$build/pop3_exporter" --config.file "$work/ours.yml" --web.listen-address 127.0.0.1:0 \
    2> "$work/ours.log" &
OURS=$!
pids+=("$OURS")
BB_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BLACKBOX" --config.file="$work/blackbox.yml" --web.listen-address="127.0.0.1:$BB_PORT" \
    > "$work/blackbox.log" 2>&1 &
BB=$!
pids+=("$BB")
for _ in $(seq 50); do grep -q listening "$work/ours.log" && break; sleep 0.1; done
OURS_PORT=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$work/ours.log")
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$BB_PORT/metrics" && break; sleep 0.1; done
path="/probe?target=127.0.0.1:$FAST&module=pop3_login"
for port in "$OURS_PORT" "$BB_PORT"; do
    curl -s "http://127.0.0.1:$port$path" | grep -qx 'probe_success 1' ||
        { echo "exporter.sh: error: exporter on port $port cannot probe the fast server" >&2; exit 1; }
done
# Both must send the same commands: one probe each through the relay.
relay=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
for side in ours:"$OURS_PORT" blackbox:"$BB_PORT"; do
    python3 "$here/dialog.py" "$relay" 127.0.0.1 "$FAST" -- curl -sS -o /dev/null \
        "http://127.0.0.1:${side#*:}/probe?target=127.0.0.1:$relay&module=pop3_login" \
        > "$work/dialog-${side%%:*}.txt"
done
if ! cmp -s "$work/dialog-ours.txt" "$work/dialog-blackbox.txt"; then
    diff -u "$work/dialog-ours.txt" "$work/dialog-blackbox.txt" >&2 || true
    echo "exporter.sh: error: pop3_exporter and blackbox_exporter do not send the same dialog" >&2
    exit 1
fi
dialog=$(sed -n 's/^  //p' "$work/dialog-ours.txt" | paste -sd, | sed 's/,/, /g')
# Memory of both, sampled from here to the end of the load.
"$build/tests/procpeak" "$OURS" 20 > "$work/peak-ours" &
PEAK_OURS=$!
pids+=("$PEAK_OURS")
"$build/tests/procpeak" "$BB" 20 > "$work/peak-bb" &
PEAK_BB=$!
pids+=("$PEAK_BB")

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# measure PID PORT C: prints "rate cpu_ms_per_probe"
measure() {
    local t0 t1 rate failed
    t0=$(ticks "$1")
    read -r rate failed < <(python3 "$here/httpload.py" rate "$2" "$path" "$3" "$SECONDS_PER_RATE")
    t1=$(ticks "$1")
    awk -v t=$((t1 - t0)) -v r="$rate" -v s="$SECONDS_PER_RATE" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { n = r * s; printf "%s %.3f\n", r, (n > 0) ? 1000 * t / hz / n : 0 }'
}

echo
echo "against blackbox_exporter $("$BLACKBOX" --version 2>&1 | awk 'NR == 1 { print $3 }') (tcp prober), fast scripted server"
echo "  dialog, both sides: $dialog"
printf '  %-14s %22s %22s %s\n' "concurrency" "pop3_exporter" "blackbox_exporter" "CPU per probe, blackbox/ours (target >= 2)"
for c in 1 16 256; do
    read -r r1 m1 < <(measure "$OURS" "$OURS_PORT" "$c")
    read -r r2 m2 < <(measure "$BB" "$BB_PORT" "$c")
    ratio=$(awk -v a="$m1" -v b="$m2" 'BEGIN { printf "%.2f", (a > 0) ? b / a : 0 }')
    printf '  %-14s %9s/s %7s ms %9s/s %7s ms  %s %s\n' "$c" "$r1" "$m1" "$r2" "$m2" "$ratio" \
        "$(awk -v r="$ratio" 'BEGIN { print (r >= 2) ? "PASS" : "MISS" }')"
done
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
# peak_of FILE KEY: a figure of procpeak's line, in kB.
peak_of() { awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' "$1"; }
kill "$PEAK_OURS" "$PEAK_BB"
wait "$PEAK_OURS" "$PEAK_BB" || { echo "exporter.sh: error: procpeak failed" >&2; exit 1; }
for k in rss_anon_kb vm_rss_kb vm_hwm_kb; do
    printf -v "ours_$k" '%s' "$(peak_of "$work/peak-ours" "$k")"
    printf -v "bb_$k" '%s' "$(peak_of "$work/peak-bb" "$k")"
done
# shellcheck disable=SC2154 # set by printf -v above
{
    printf '  %-14s %19s KB %19s KB  ours/blackbox %s\n' "peak RssAnon" "$ours_rss_anon_kb" "$bb_rss_anon_kb" \
        "$(bench_ratio "$ours_rss_anon_kb" "$bb_rss_anon_kb")"
    printf '  %-14s %19s KB %19s KB  ours/blackbox %s\n' "peak VmRSS" "$ours_vm_rss_kb" "$bb_vm_rss_kb" \
        "$(bench_ratio "$ours_vm_rss_kb" "$bb_vm_rss_kb")"
    printf '  %-14s %19s KB %19s KB  ours/blackbox %s\n' "VmHWM" "$ours_vm_hwm_kb" "$bb_vm_hwm_kb" \
        "$(bench_ratio "$ours_vm_hwm_kb" "$bb_vm_hwm_kb")"
    echo "  (RssAnon: private anonymous memory, from /proc/PID/status every 20 ms over"
    echo "  the three loads above; VmRSS adds the shared libraries' resident pages.)"
    echo
    bench_header
    r=$(bench_ratio "$ours_rss_anon_kb" "$bb_rss_anon_kb")
    bench_measure 3 "pop3_exporter / blackbox: peak RssAnon, c=256" \
        "$(mb "$ours_rss_anon_kb")" "$(mb "$bb_rss_anon_kb")" "$r" \
        "<= $TARGET_RSS_ANON" \
        "$(bench_verdict_ratio "$ours_rss_anon_kb" "$bb_rss_anon_kb" "<=" "$TARGET_RSS_ANON")"
}
