#!/bin/bash
# SPDX-License-Identifier: MIT
# Benchmark of many scheduled targets in one pop3_exporter (decided
# measure 5): N targets (default 10,000) in the config's targets:, each
# on its own loopback address 127.1.x.y of the fast scripted server
# (fastpop3 -a, which logs the time of every accept with the address
# dialled), interval INTERVAL s, watched for ROUNDS intervals. The
# exporter spreads the first probes over the interval (gap ms apart, gap =
# min(10, INTERVAL * 1000 / N): 6 ms for 10,000 targets at 60 s) and
# keeps each target's phase, so an interval's probes are spread over it
# (sched.py tells the schedule). Reports
#   5a the largest lag between a target's due time and its probe start:
#      the exporter's own measure, the largest
#      pop3_probe_schedule_lag_seconds over the window's /metrics scrapes
#      (each shows every target's last probe); the lag inferred from the
#      server's accept log, which sees every probe, is shown beside as a
#      check from outside (a lower bound; sched.py explains it);
#   5b CPU share: utime+stime of /proc/PID/stat over ROUNDS intervals of
#      wall time, in % of one core (one /metrics scrape per interval, as
#      a Prometheus scraping at the targets' interval would, is in it and
#      shown apart);
#   5c peak RSS from start-up to the window's end (VmRSS sampled every
#      50 ms, and VmHWM), RssAnon beside;
# and pop3_probes_total from those scrapes, to show that every target was
# probed in each interval. When a measure misses its target, a perf
# profile of part of one more round says where the time goes.
#
#   BENCH_SCHED_TARGETS=10000 BENCH_SCHED_INTERVAL=60 BENCH_SCHED_ROUNDS=3 \
#   BUILD=build tests/bench/sched.sh
#
# Missed targets are reported, not failed; a missing tool or a failing
# command is an error (exit 1).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${BUILD:-build}" && pwd)
export LD_LIBRARY_PATH="$build${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# shellcheck disable=SC1091 # checked on its own
. "$here/common.sh"
N=${BENCH_SCHED_TARGETS:-10000}
INTERVAL=${BENCH_SCHED_INTERVAL:-60}
ROUNDS=${BENCH_SCHED_ROUNDS:-3}
TARGET_LAG_MS=1000
TARGET_CPU_PCT=10
TARGET_RSS_MB=200
PERF_SECONDS=15
# The window starts SETTLE s after the exporter listens; each interval's
# scrape is 1 s before the interval ends, so SETTLE - 1 s after the last
# probe of that round was due (a round's due times span the whole
# interval): long enough for the probe to end, short enough to be in the
# window.
SETTLE=3

die() {
    echo "sched.sh: error: $*" >&2
    exit 1
}

for v in N INTERVAL ROUNDS; do
    [[ ${!v} =~ ^[1-9][0-9]{0,5}$ ]] || die "$v must be a whole number from 1 (got '${!v}')"
done
((N <= 60000)) || die "at most 60000 targets (got $N)"
for t in python3 perf "$build/pop3_exporter" "$build/tests/fastpop3" "$build/tests/procpeak"; do
    command -v "$t" > /dev/null || die "$t missing (perf: apt-get install linux-perf; the rest: make bench)"
done

work=$(mktemp -d /tmp/pop3bench-sched.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; wait "$pid" 2> /dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now_ns() { date +%s%N; }
# sleep_until NS: sleeps until the wall clock reaches NS (ns since the epoch).
sleep_until() {
    local left=$(($1 - $(now_ns)))
    if ((left > 0)); then sleep "$(awk -v n="$left" 'BEGIN { printf "%.3f", n / 1e9 }')"; fi
}
ticks() { awk '{ print $14 + $15 }' "/proc/$EX/stat"; }
alive() { [ -d "/proc/$EX" ] || die "pop3_exporter died: $(tail -n 3 "$work/exporter.log")"; }

# ---- the fast server and the exporter ----
"$build/tests/fastpop3" -a -l "$work/accept.log" "$work/fast.port" \
    $((INTERVAL * (ROUNDS + 1) + 180)) 2> "$work/fast.err" &
pids+=("$!")
for _ in $(seq 50); do [ -s "$work/fast.port" ] && break; sleep 0.1; done
[ -s "$work/fast.port" ] || die "fastpop3 did not start: $(cat "$work/fast.err")"
FAST=$(cat "$work/fast.port")
printf 'secret\n' > "$work/bench.pw"
chmod 0600 "$work/bench.pw"
python3 "$here/sched.py" config "$N" "$FAST" "$INTERVAL" "$work/bench.pw" > "$work/sched.yml"

t_exec=$(now_ns)
"$build/pop3_exporter" --config.file "$work/sched.yml" --web.listen-address 127.0.0.1:0 \
    2> "$work/exporter.log" &
EX=$!
pids+=("$EX")
"$build/tests/procpeak" "$EX" 50 > "$work/peak" &
PEAK=$!
pids+=("$PEAK")
for _ in $(seq 300); do grep -q listening "$work/exporter.log" && break; alive; sleep 0.1; done
grep -q listening "$work/exporter.log" || die "pop3_exporter did not start: $(tail -n 3 "$work/exporter.log")"
PORT=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$work/exporter.log")
t0=$(now_ns)
c_up=$(ticks)
HZ=$(getconf CLK_TCK)
# Per thread, for the breakdown: "tid comm ticks".
threads() {
    local t
    for t in /proc/"$EX"/task/*; do
        echo "${t##*/} $(cat "$t/comm") $(awk '{ print $14 + $15 }' "$t/stat")"
    done
}
kv() { awk -v k="$1" '{ for (i = 1; i <= NF; i++) { split($i, p, "="); if (p[1] == k) print p[2] } }' <<< "$2"; }
ms_of_s() { awk -v s="$1" 'BEGIN { printf "%.0f", s * 1000 }'; }
# scrape: one /metrics scrape into $line, or the script ends.
scrape() {
    line=$(python3 "$here/sched.py" probes "$PORT") || die "scraping /metrics failed"
    [ "$(kv lag_target "$line")" != none ] ||
        die "no pop3_probe_schedule_lag_seconds in /metrics: an exporter without it?"
}

echo
echo "pop3_exporter with $N scheduled targets (interval ${INTERVAL}s, fast scripted server on 127.1.0.0/16)"
echo "  start-up to listening: $(((t0 - t_exec) / 1000000)) ms, $((c_up * 1000 / HZ)) ms of CPU;" \
    "watching $ROUNDS intervals ($((ROUNDS * INTERVAL)) s) from ${SETTLE} s after"

# ---- ROUNDS intervals, a /metrics scrape at the end of each ----
# Target i's probes are due at T0 + i * gap + k * INTERVAL, T0 about t0:
# the round of an interval lasts the whole interval, and the scrape 1 s
# before the interval ends, SETTLE - 1 s after the round's last probe was
# due, finds every target probed r + 1 times (the first ones already
# r + 2 times: their next round has begun).
sleep_until $((t0 + SETTLE * 1000000000))
w0=$(now_ns)
c0=$(ticks)
threads > "$work/threads0"
scrape_ticks=0
probed_all=yes
counts=()
lag_max_ms=-1
lag_where=
lags=()
for ((r = 0; r < ROUNDS; r++)); do
    sleep_until $((w0 + ((r + 1) * INTERVAL - 1) * 1000000000))
    alive
    s0=$(ticks)
    scrape
    scrape_ticks=$((scrape_ticks + $(ticks) - s0))
    bytes=$(kv bytes "$line")
    secs=$(kv seconds "$line")
    counts+=("$(kv min "$line")/$(kv max "$line")")
    [[ $(kv targets "$line") == "$N" && $(kv min "$line") == $((r + 1)) ]] || probed_all=no
    l=$(ms_of_s "$(kv lag_max_s "$line")")
    lags+=("$l")
    if ((l > lag_max_ms)); then
        lag_max_ms=$l
        lag_where="$(kv lag_target "$line"), scrape $((r + 1))"
    fi
done
sleep_until $((w0 + ROUNDS * INTERVAL * 1000000000))
alive
c1=$(ticks)
t1=$(now_ns)
threads > "$work/threads1"
# Memory over the window only: the round after it may run under perf.
kill "$PEAK"
wait "$PEAK" || die "procpeak failed"

# ---- one more round: a profile, and the accept log's check ----
# Its probes are due from about t0 + ROUNDS * INTERVAL on, over the whole
# interval; it is over when every target has been probed ROUNDS + 1 times,
# which /metrics shows (a count of accepts would not: the first targets'
# next round begins before the last ones' probe of this one). When a
# measure already misses its target, perf records PERF_SECONDS of that
# round, and the accept log's check is taken from the rounds before it
# (perf slows the exporter down); the decided lag is the window's in any
# case.
peak_of() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' "$work/peak"; }
wall_s=$(awk -v a="$w0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
cpu_pct=$(awk -v t=$((c1 - c0)) -v hz="$HZ" -v w="$wall_s" 'BEGIN { printf "%.1f", 100 * t / hz / w }')
hwm_now=$(peak_of vm_hwm_kb)
profile=no
for v in "$lag_max_ms $TARGET_LAG_MS" "$cpu_pct $TARGET_CPU_PCT" "$hwm_now $((TARGET_RSS_MB * 1024))"; do
    # shellcheck disable=SC2086 # two words: the figure and its limit
    [ "$(bench_verdict ${v% *} "<" ${v#* })" = MISS ] && profile=yes
done
if [ "$profile" = yes ]; then
    perf record -F 499 --call-graph dwarf,8192 -p "$EX" -o "$work/perf.data" \
        -- sleep "$PERF_SECONDS" > "$work/perf.log" 2>&1 &
    PERF=$!
    pids+=("$PERF")
fi
# As for the window's scrapes, then every 2 s for up to 40 s more.
sleep_until $((w0 + ((ROUNDS + 1) * INTERVAL - 1) * 1000000000))
for ((try = 0; ; try++)); do
    alive
    scrape
    [[ $(kv min "$line") == $((ROUNDS + 1)) ]] && break
    ((try < 20)) || break
    sleep 2
done
counts+=("$(kv min "$line")/$(kv max "$line")")
[[ $(kv min "$line") == $((ROUNDS + 1)) ]] || probed_all=no
sum=$(kv sum "$line")
lag_after_ms=$(ms_of_s "$(kv lag_max_s "$line")")
perf_ok=no
if [ "$profile" = yes ] && wait "$PERF"; then perf_ok=yes; fi
kill -TERM "${pids[0]}" # fastpop3 closes its log at exit
wait "${pids[0]}" || die "fastpop3 failed: $(cat "$work/fast.err")"

# ---- figures ----
if [ "$profile" = yes ]; then
    lag_rounds=$ROUNDS
else
    lag_rounds=$((ROUNDS + 1))
fi
lag=$(python3 "$here/sched.py" lag "$work/accept.log" "$N" "$INTERVAL" "$lag_rounds") || die "no accepts logged"
scrape_pct=$(awk -v t="$scrape_ticks" -v hz="$HZ" -v w="$wall_s" 'BEGIN { printf "%.1f", 100 * t / hz / w }')
per_probe=$(awk -v t=$((c1 - c0 - scrape_ticks)) -v hz="$HZ" -v n=$((N * ROUNDS)) 'BEGIN { printf "%.2f", 1000 * t / hz / n }')
rss_kb=$(peak_of vm_rss_kb)
hwm_kb=$(peak_of vm_hwm_kb)
((hwm_kb > rss_kb)) && rss_kb=$hwm_kb
anon_kb=$(peak_of rss_anon_kb)
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }

echo "  accepts logged: $(kv probes "$lag") for $(kv targets "$lag") targets" \
    "($(kv min_probes "$lag") to $(kv max_probes "$lag") each; $(kv stray "$lag") from elsewhere)"
echo "  pop3_probes_total per target (min/max) $((SETTLE - 1)) s after each round's last due time: ${counts[*]};" \
    "sum $sum; every target probed in every interval: $probed_all"
echo "  lag, the exporter's own measure (pop3_probe_schedule_lag_seconds of each target's last probe," \
    "ms resolution): largest $lag_max_ms ms ($lag_where); largest per scrape of the window: ${lags[*]} ms;" \
    "after round $((ROUNDS + 1))$([ "$profile" = yes ] && echo ", under perf"): $lag_after_ms ms"
echo "  accept log, the first $lag_rounds probes of each target: the first ones due $(kv gap_ms "$lag") ms apart," \
    "over $(kv due_span_s "$lag") s; each round's accepts, first to last: $(kv round_spans_s "$lag" | sed 's|/| s, |g') s"
echo "  lag from the accept log (the server's view of every probe; a lower bound, see sched.py): first probes" \
    "largest $(kv first_lag_ms "$lag") ms ($(kv first_worst "$lag")); later probes largest $(kv later_lag_ms "$lag") ms" \
    "($(kv later_worst "$lag")), 99th percentile $(kv later_p99_ms "$lag") ms, smallest $(kv later_min_ms "$lag") ms" \
    "(below 0: the error of the inference); more than an interval late: $(kv phase_resets "$lag")"
echo "  CPU: $(((c1 - c0) * 1000 / HZ)) ms over $wall_s s; /metrics scrapes (${bytes#bytes=} bytes, ${secs#seconds=} s" \
    "each) $scrape_pct % of one core of it; $per_probe ms per probe besides"
echo "  CPU by thread over the window: $(join -j 1 <(sort "$work/threads0") <(sort "$work/threads1") |
    awk -v hz="$HZ" -v pid="$EX" '{ printf "%s%s %.1f s", sep, ($1 == pid ? "main" : $2), ($5 - $3) / hz; sep = ", " }')"
echo "  memory from start-up to the window's end: peak RssAnon $(mb "$anon_kb"), peak VmRSS $(mb "$(peak_of vm_rss_kb)"), VmHWM $(mb "$hwm_kb")"
echo
bench_header
bench_measure 5a "$N targets: largest lag, due to start" "$lag_max_ms ms" - - "< $TARGET_LAG_MS ms" \
    "$(bench_verdict "$lag_max_ms" "<" "$TARGET_LAG_MS")"
bench_measure 5b "$N targets: CPU, % of one core" "$cpu_pct %" - - "< $TARGET_CPU_PCT %" \
    "$(bench_verdict "$cpu_pct" "<" "$TARGET_CPU_PCT")"
bench_measure 5c "$N targets: peak RSS" "$(mb "$rss_kb")" - - "< $TARGET_RSS_MB MB" \
    "$(bench_verdict "$rss_kb" "<" $((TARGET_RSS_MB * 1024)))"

# ---- where the time goes, when a measure misses its target ----
[ "$profile" = yes ] || exit 0
echo
if [ "$perf_ok" != yes ] || [ ! -s "$work/perf.data" ]; then
    echo "  perf profile not available: $(tail -n 2 "$work/perf.log")"
    exit 0
fi
echo "  a measure missed its target: perf profile of the exporter over ${PERF_SECONDS} s of round $((ROUNDS + 1))" \
    "(its probes are spread over ${INTERVAL} s: about $((PERF_SECONDS * 100 / INTERVAL)) % of them)"
echo "  (cpu-clock, dwarf call graphs)"
echo "  self time by object and function (Debian's libcurl has no symbols: addresses in it;"
echo "  the callers below tell which of its API calls reach them)"
perf report -i "$work/perf.data" --no-children --sort dso,sym --stdio -g none --percent-limit 2 2> /dev/null |
    awk '/^ +[0-9.]+%/ { printf "    %s\n", $0 }' | head -n 12
echo "  time including callees, named functions of pop3check and libcurl's API"
perf report -i "$work/perf.data" --children --sort sym --stdio -g none --percent-limit 5 2> /dev/null |
    awk '/^ +[0-9.]+%/ && $NF !~ /^0x/ && $0 ~ /curl_|p3_|p3x_|pop3check_/ { printf "    %s\n", $0 }' | head -n 16
