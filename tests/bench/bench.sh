#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark check_pop3 on a throw-away Dovecot (tests/integration/sandbox.sh):
# wall time against a plain-socket baseline (popclient) and against
# monitoring-plugins' check_pop, and peak RSS. Prints a table; the raw
# hyperfine JSON stays in $BUILD/bench/.
#
#   BUILD=build BENCH_RUNS=40 tests/bench/bench.sh
#
# BUILD (default build; a relative path is taken from the repository root)
# must hold check_pop3, libpop3check.so* and tests/popclient (make bench builds
# them). Installs nothing. Exit 0 even when a target is missed; 1 if a tool is
# missing, the sandbox does not start or a benchmarked command fails.
set -euo pipefail

readonly CHECK_POP=/usr/lib/nagios/plugins/check_pop
readonly GNU_TIME=/usr/bin/time
readonly WARMUP=3
readonly MIN_RUNS=30
readonly RSS_RUNS=10
# Each compared command is listed ROUNDS times, alternating (A B A B), so that
# slow drift in machine load falls on both sides alike.
readonly ROUNDS=2
readonly TARGET_FULL=1.15
readonly TARGET_BANNER=1.00

PROG=${0##*/}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SANDBOX=$ROOT/tests/integration/sandbox.sh
SBX=

die() {
	echo "$PROG: error: $*" >&2
	exit 1
}

note() {
	echo "$PROG: $*" >&2
}

# ---------------------------------------------------------------- setup ----

settings() {
	BUILD=${BUILD:-build}
	[[ $BUILD == /* ]] || BUILD=$ROOT/$BUILD
	RUNS=${BENCH_RUNS:-40}
	if ! [[ $RUNS =~ ^[0-9]{1,6}$ ]] || ((10#$RUNS < MIN_RUNS)); then
		die "BENCH_RUNS must be a whole number of at least $MIN_RUNS (got '$RUNS')"
	fi
	RUNS=$((10#$RUNS))
	OUT=$BUILD/bench
	CHECK_POP3=$BUILD/check_pop3
	POPCLIENT=$BUILD/tests/popclient
}

# Collects every missing Debian package, then says how to install them all.
require_tools() {
	local -a pkgs=()
	command -v hyperfine >/dev/null 2>&1 || pkgs+=(hyperfine)
	[[ -x $GNU_TIME ]] || pkgs+=(time)
	[[ -x $CHECK_POP ]] || pkgs+=(monitoring-plugins-basic)
	if command -v python3 >/dev/null 2>&1; then
		PARSER=python3
	elif command -v jq >/dev/null 2>&1; then
		PARSER=jq
	else
		pkgs+=("python3 (or jq)")
	fi
	((${#pkgs[@]} == 0)) ||
		die "missing Debian package(s): ${pkgs[*]}; install with: apt-get install ${pkgs[*]%% *}"
	[[ -x $CHECK_POP3 && -x $POPCLIENT && -x $BUILD/tests/probeloop ]] ||
		die "$CHECK_POP3, $POPCLIENT or $BUILD/tests/probeloop missing; run: make bench"
}

# Run commands without a shell (-N) where hyperfine can; otherwise it runs them
# through sh and subtracts the shell's start-up time.
hyperfine_mode() {
	HF_SHELL=()
	if hyperfine --help 2>/dev/null | grep -q -- '--shell=none'; then
		HF_SHELL=(-N)
	fi
	HF_VERSION=$(hyperfine --version 2>/dev/null) || HF_VERSION=hyperfine
}

cleanup() {
	local rc=$?
	if [[ -n $SBX ]]; then
		# sandbox.sh stop signals only the dovecot PID it recorded in $SBX.
		bash "$SANDBOX" stop "$SBX" >>"$OUT/sandbox.log" 2>&1 ||
			note "warning: could not stop the sandbox in $SBX (log: $OUT/sandbox.log)"
		rm -rf -- "$SBX"
	fi
	exit "$rc"
}

start_sandbox() {
	# Short path under /tmp: dovecot's socket paths must stay under 108 bytes.
	SBX=$(mktemp -d /tmp/pop3bench.XXXXXX)
	if ! bash "$SANDBOX" start "$SBX" >"$OUT/sandbox.log" 2>&1; then
		cat "$OUT/sandbox.log" >&2
		die "the sandbox Dovecot did not start (log: $OUT/sandbox.log)"
	fi
	# shellcheck source=/dev/null
	. "$SBX/env"
	PASS_FILE=$SBX/pass/$USER_SMALL
}

# ------------------------------------------------------------- commands ----

# The compared commands, by name. LD_LIBRARY_PATH is exported for all of them
# so that every side starts with the same environment.
define_commands() {
	export LD_LIBRARY_PATH=$BUILD${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
	declare -gA CMD
	# --auth user: the same USER/PASS dialog as popclient.
	CMD[check_pop3 full]=$(quote "$CHECK_POP3" -H "$HOST_GOOD" -p "$PORT_PLAIN" \
		-u "$USER_SMALL" --password-file "$PASS_FILE" --auth user --list --retr 1)
	CMD[popclient]=$(quote "$POPCLIENT" "$HOST_GOOD" "$PORT_PLAIN" \
		"$USER_SMALL" "$PASS_FILE")
	CMD[check_pop3 banner]=$(quote "$CHECK_POP3" -H "$HOST_GOOD" -p "$PORT_PLAIN")
	CMD[check_pop]=$(quote "$CHECK_POP" -H "$HOST_GOOD" -p "$PORT_PLAIN")
	# Process start-up alone: no network.
	CMD[check_pop3 -V]=$(quote "$CHECK_POP3" -V)
	CMD[check_pop -V]=$(quote "$CHECK_POP" -V)
}

# The same session COUNT times inside one process, libpop3check against
# popclient: the engine's cost without process start-up. Alternates the two
# ROUNDS * 2 times and keeps the median of their medians (microseconds).
time_in_process() {
	local r side out
	local -a eng=() base=()
	note "timing in-process sessions: $((ROUNDS * 2)) x $RUNS each side"
	for ((r = 0; r < ROUNDS * 2; r++)); do
		for side in probeloop popclient; do
			out=$("$BUILD/tests/$side" "$HOST_GOOD" "$PORT_PLAIN" "$USER_SMALL" \
				"$PASS_FILE" "$RUNS") || die "$side failed: $out"
			if [[ $side == probeloop ]]; then eng+=("${out#median_us }"); else base+=("${out#median_us }"); fi
		done
	done
	mapfile -t eng < <(printf '%s\n' "${eng[@]}" | sort -n)
	mapfile -t base < <(printf '%s\n' "${base[@]}" | sort -n)
	INPROC_ENGINE=${eng[ROUNDS]}
	INPROC_BASE=${base[ROUNDS]}
}

# Joins words into one command line that both sh and hyperfine -N split back.
quote() {
	local out
	printf -v out '%q ' "$@"
	echo "${out% }"
}

# True while the sandbox's dovecot master runs (a zombie does not count).
sandbox_alive() {
	local state
	state=$(awk '{ print $3 }' "/proc/$SANDBOX_PID/stat" 2>/dev/null) || return 1
	[[ -n $state && $state != Z && $state != X ]]
}

# run_once NAME EXPECT: runs the command once; it must exit 0 and, if EXPECT
# is not empty, print EXPECT.
run_once() {
	local name=$1 expect=$2 out rc=0
	out=$(eval "${CMD[$name]}" 2>&1) || rc=$?
	if ((rc != 0)) || [[ -n $expect && $out != *"$expect"* ]]; then
		# Ctrl-C reaches dovecot too; hyperfine handles it itself, so bash
		# does not act on it and we get here instead.
		sandbox_alive || die "the sandbox dovecot (pid $SANDBOX_PID) is gone (interrupted?)"
		{
			echo "$PROG: error: '$name' failed (exit $rc${expect:+, expected \"$expect\"}):"
			echo "  ${CMD[$name]}"
			printf '%s\n' "$out" | sed 's/^/  | /'
		} >&2
		exit 1
	fi
}

verify_commands() {
	run_once "check_pop3 full" "login ok"
	run_once popclient "popclient: ok"
	run_once "check_pop3 banner" "POP3 OK"
	run_once check_pop "POP OK"
}

# -------------------------------------------------------------- measure ----

# time_pair TAG NAME_A NAME_B: one hyperfine invocation, A and B alternating
# ROUNDS times; JSON to $OUT/TAG.json, hyperfine's output to $OUT/TAG.log.
time_pair() {
	local tag=$1 a=$2 b=$3 r
	local -a args=()
	for ((r = 0; r < ROUNDS; r++)); do
		args+=(-n "$a" "${CMD[$a]}" -n "$b" "${CMD[$b]}")
	done
	note "timing $tag: '$a' vs '$b', $ROUNDS x $RUNS runs each"
	# -V exits 3 (UNKNOWN) by the plugin guidelines: only there is a
	# non-zero exit expected.
	[[ $tag == startup ]] && args=(-i "${args[@]}")
	if ! hyperfine "${HF_SHELL[@]}" --style basic --warmup "$WARMUP" \
		--runs "$RUNS" --export-json "$OUT/$tag.json.tmp" "${args[@]}" \
		>"$OUT/$tag.log" 2>&1; then
		cat "$OUT/$tag.log" >&2
		# Show the failing command's own output, which hyperfine hides.
		run_once "$a" ""
		run_once "$b" ""
		die "hyperfine failed for $tag (log: $OUT/$tag.log)"
	fi
	# Only a complete run replaces the previous results.
	mv -f "$OUT/$tag.json.tmp" "$OUT/$tag.json"
}

# stats_python3 / stats_jq FILE: per command name, pooling the runs of every
# round, print "name<TAB>median<TAB>mean<TAB>stddev<TAB>runs" (ms).
stats_python3() {
	python3 - "$1" <<'EOF'
import json, statistics, sys
pooled = {}
with open(sys.argv[1]) as f:
    for r in json.load(f)["results"]:
        pooled.setdefault(r["command"], []).extend(r["times"])
for name, t in pooled.items():
    ms = [x * 1000 for x in t]
    print(f"{name}\t{statistics.median(ms):.3f}\t{statistics.mean(ms):.3f}"
          f"\t{statistics.stdev(ms):.3f}\t{len(ms)}")
EOF
}

stats_jq() {
	jq -r '
	  reduce .results[] as $r ({}; .[$r.command] += $r.times)
	  | to_entries[]
	  | .key as $name | (.value | map(. * 1000) | sort) as $t | ($t | length) as $n
	  | ($t | add / $n) as $mean
	  | (if $n % 2 == 1 then $t[($n - 1) / 2] else ($t[$n / 2 - 1] + $t[$n / 2]) / 2 end) as $med
	  | (($t | map((. - $mean) * (. - $mean)) | add) / ($n - 1) | sqrt) as $sd
	  | [$name, $med, $mean, $sd, $n] | @tsv' "$1"
}

# load_stats FILE NAME...: fills MEDIAN, MEAN, STDDEV, NRUNS for every NAME.
load_stats() {
	local file=$1 name med mean sd n
	while IFS=$'\t' read -r name med mean sd n; do
		MEDIAN[$name]=$med
		MEAN[$name]=$mean
		STDDEV[$name]=$sd
		NRUNS[$name]=$n
	done < <("stats_$PARSER" "$file")
	for name in "${@:2}"; do
		[[ -n ${MEDIAN[$name]:-} ]] || die "no timings for '$name' in $file"
	done
}

# Median peak RSS (KB) of RSS_RUNS runs of the named command.
peak_rss() {
	local name=$1 i kb
	local -a samples=()
	for ((i = 0; i < RSS_RUNS; i++)); do
		eval "$(quote "$GNU_TIME" -o "$OUT/rss.tmp" -f %M) ${CMD[$name]}" \
			>/dev/null 2>&1 || {
			run_once "$name" ""
			die "'$name' failed under $GNU_TIME"
		}
		kb=$(tail -n 1 "$OUT/rss.tmp")
		samples+=("$kb")
	done
	rm -f "$OUT/rss.tmp"
	mapfile -t samples < <(printf '%s\n' "${samples[@]}" | sort -n)
	RSS[$name]=$(((samples[RSS_RUNS / 2 - 1] + samples[RSS_RUNS / 2]) / 2))
}

# --------------------------------------------------------------- report ----

# ratio A B: median(A) / median(B) with two decimals.
ratio() {
	awk -v a="${MEDIAN[$1]}" -v b="${MEDIAN[$2]}" 'BEGIN { printf "%.2f", a / b }'
}

verdict() {
	awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t + 0) ? "PASS" : "MISS" }'
}

# Columns: label 34, then median 10, mean ± stddev 18, runs 6 (34 in all),
# ratio 7, target 10, result.
row_time() {
	local label=$1 name=$2
	printf '  %-34s %9.2f %8.2f ± %6.2f %5s\n' "$label" "${MEDIAN[$name]}" \
		"${MEAN[$name]}" "${STDDEV[$name]}" "${NRUNS[$name]}"
}

row_ratio() {
	local label=$1 a=$2 b=$3 target=$4 r
	r=$(ratio "$a" "$b")
	printf '  %-34s %34s %6s  %-8s %s\n' "$label" "" "$r" "<= $target" \
		"$(verdict "$r" "$target")"
}

row_rss() {
	printf '  %-34s %9s\n' "$1" "${RSS[$2]}"
}

report() {
	echo
	echo "pop3check benchmark - Dovecot sandbox $HOST_GOOD:$PORT_PLAIN, user $USER_SMALL"
	echo "$HF_VERSION ${HF_SHELL[*]:-(shell, corrected)}, warmup $WARMUP, $ROUNDS alternating rounds x $RUNS runs"
	echo
	# "±" is two bytes: that column's header is padded by hand.
	printf '  %-34s %9s %s %5s %6s  %-8s %s\n' what "median ms" \
		"    mean ± stddev" runs ratio target result
	echo "full session: login, STAT, LIST, RETR 1, QUIT"
	row_time "check_pop3" "check_pop3 full"
	row_time "popclient (baseline)" popclient
	row_ratio "check_pop3 / popclient" "check_pop3 full" popclient "$TARGET_FULL"
	echo "banner only: greeting, QUIT (check_pop3 adds CAPA)"
	row_time "check_pop3" "check_pop3 banner"
	row_time "check_pop (monitoring-plugins)" check_pop
	row_ratio "check_pop3 / check_pop" "check_pop3 banner" check_pop "$TARGET_BANNER"
	echo "peak RSS in KB (median of $RSS_RUNS runs, GNU time %M)"
	row_rss "check_pop3 full session" "check_pop3 full"
	row_rss "check_pop3 banner" "check_pop3 banner"
	row_rss "popclient (reference)" popclient
	row_rss "check_pop (reference)" check_pop
	echo "where the difference comes from"
	row_time "process start-up: check_pop3 -V" "check_pop3 -V"
	row_time "process start-up: check_pop -V" "check_pop -V"
	printf '  %-34s %9.2f\n' "in-process session: libpop3check" \
		"$(awk -v u="$INPROC_ENGINE" 'BEGIN { print u / 1000 }')"
	printf '  %-34s %9.2f\n' "in-process session: popclient" \
		"$(awk -v u="$INPROC_BASE" 'BEGIN { print u / 1000 }')"
	local r
	r=$(awk -v a="$INPROC_ENGINE" -v b="$INPROC_BASE" 'BEGIN { printf "%.2f", a / b }')
	printf '  %-34s %34s %6s  %-8s %s\n' "libpop3check / popclient" "" "$r" \
		"<= $TARGET_FULL" "$(verdict "$r" "$TARGET_FULL")"
	echo
	echo "JSON and logs: $OUT/"
}

main() {
	settings
	require_tools
	hyperfine_mode
	mkdir -p "$OUT"
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	start_sandbox
	define_commands
	verify_commands

	declare -gA MEDIAN MEAN STDDEV NRUNS RSS
	time_pair full "check_pop3 full" popclient
	time_pair banner "check_pop3 banner" check_pop
	time_pair startup "check_pop3 -V" "check_pop -V"
	time_in_process
	load_stats "$OUT/full.json" "check_pop3 full" popclient
	load_stats "$OUT/banner.json" "check_pop3 banner" check_pop
	load_stats "$OUT/startup.json" "check_pop3 -V" "check_pop -V"
	local name
	for name in "check_pop3 full" "check_pop3 banner" popclient check_pop; do
		peak_rss "$name"
	done
	report | tee "$OUT/summary.txt"
}

main "$@"
