#!/bin/bash
# SPDX-License-Identifier: MIT
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
echo "  (Dovecot's login processes bound the rate there.)"

# ---- against blackbox_exporter, on a fast scripted server ----
BLACKBOX=$(command -v prometheus-blackbox-exporter || true)
if [ -z "$BLACKBOX" ]; then
    echo
    echo "blackbox comparison skipped: apt-get install prometheus-blackbox-exporter"
    exit 0
fi
kill "$EX"
wait "$EX" 2>/dev/null || true
"$build/tests/fastpop3" "$work/fast.port" 600 >/dev/null 2>&1 &
pids+=("$!")
for _ in $(seq 50); do [ -s "$work/fast.port" ] && break; sleep 0.1; done
sleep 0.2
FAST=$(cat "$work/fast.port")
printf 'secret\n' > "$work/bench.pw"
cat > "$work/ours.yml" <<EOF
modules:
  pop3_login:
    user: bench
    password_file: $work/bench.pw
    auth: user
    timeout: 5s
    allowed_targets: ["127.0.0.1"]
EOF
# blackbox's tcp prober with the same dialog; its send adds LF, so \r here.
cat > "$work/blackbox.yml" <<'EOF'
modules:
  pop3_login:
    prober: tcp
    timeout: 5s
    tcp:
      query_response:
        - expect: "^\\+OK"
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
        { echo "exporter on port $port cannot probe the fast server" >&2; exit 1; }
done

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
echo "against blackbox_exporter $("$BLACKBOX" --version 2>&1 | awk 'NR == 1 { print $3 }') (tcp prober, same USER/PASS/STAT/QUIT dialog), fast scripted server"
printf '  %-14s %22s %22s %s\n' "concurrency" "pop3_exporter" "blackbox_exporter" "CPU per probe, blackbox/ours (target >= 2)"
for c in 1 16 256; do
    read -r r1 m1 < <(measure "$OURS" "$OURS_PORT" "$c")
    read -r r2 m2 < <(measure "$BB" "$BB_PORT" "$c")
    ratio=$(awk -v a="$m1" -v b="$m2" 'BEGIN { printf "%.2f", (a > 0) ? b / a : 0 }')
    printf '  %-14s %9s/s %7s ms %9s/s %7s ms  %s %s\n' "$c" "$r1" "$m1" "$r2" "$m2" "$ratio" \
        "$(awk -v r="$ratio" 'BEGIN { print (r >= 2) ? "PASS" : "MISS" }')"
done
ours_rss=$(awk '/VmHWM/ { print $2 }' "/proc/$OURS/status")
bb_rss=$(awk '/VmHWM/ { print $2 }' "/proc/$BB/status")
printf '  %-14s %19s KB %19s KB  %s\n' "peak RSS" "$ours_rss" "$bb_rss" \
    "$(awk -v a="$ours_rss" -v b="$bb_rss" 'BEGIN { printf "ours/blackbox %.2f %s", a / b, (a / b <= 0.25) ? "PASS (target <= 0.25)" : "MISS (target <= 0.25)" }')"
