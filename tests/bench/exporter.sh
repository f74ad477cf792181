#!/bin/bash
# Benchmark of pop3_exporter, on loopback: 1,000 probes in flight against a
# server that accepts and never speaks (all must be answered at their
# deadline; peak RSS), then probes per second and CPU per probe at
# concurrency 1, 16 and 256 against the sandbox Dovecot (banner module).
# Prints a table; missed targets are reported, not failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$(cd "${BUILD:-build}" && pwd)
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
sleep 0.5
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
echo
echo "(Dovecot's login processes bound the rate on this machine; the comparison"
echo " with blackbox_exporter and a fast scripted server are still to come.)"
