#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark check_pop3 on a throw-away Dovecot (tests/integration/sandbox.sh).
# The decided measures (issue 10, section 7), each a ratio against a
# baseline timed in the same run, A and B alternating:
#   1a check_pop3 against the curl command line doing the same dialog
#      with the same libcurl: CAPA, AUTH PLAIN (initial response), STAT,
#      QUIT; 1b the same with LIST and RETR 1 (check_pop3 always sends
#      STAT, so curl does too: three URLs on one connection). Before
#      timing, a relay (dialog.py) records what each side sends and the
#      two transcripts must be equal, or the benchmark stops.
#   2  the same session in one process: libpop3check (probeloop) against
#      the plain-socket client (popclient COUNT), per session.
# For information: check_pop3 against popclient (CAPA, USER/PASS) and against
# monitoring-plugins' check_pop (banner), process start-up, peak RSS.
# Prints a table; the raw hyperfine JSON stays in $BUILD/bench/.
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
readonly TARGET_CURL=0.90
readonly TARGET_INPROC=1.00

PROG=${0##*/}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SANDBOX=$ROOT/tests/integration/sandbox.sh
# shellcheck disable=SC1091 # checked on its own
. "$ROOT/tests/bench/common.sh"
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
	command -v curl >/dev/null 2>&1 || pkgs+=(curl)
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
	command -v python3 >/dev/null 2>&1 ||
		die "missing Debian package: python3 (the dialog check needs it)"
	CURL_VERSION=$(curl --version | head -n 1)
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
	# curl's way to a password without the command line: a netrc file.
	NETRC=$SBX/netrc
	(umask 077 && printf 'machine %s login %s password %s\n' "$HOST_GOOD" \
		"$USER_SMALL" "$(head -n 1 "$PASS_FILE")" >"$NETRC")
}

# ------------------------------------------------------------- commands ----

# define_commands PORT: the compared commands, by name, dialling PORT (the
# sandbox's, or the relay's for the transcripts). LD_LIBRARY_PATH is
# exported for all of them so that every side starts with the same
# environment.
define_commands() {
	local port=$1 url="pop3://$HOST_GOOD:$1"
	local -a c3=("$CHECK_POP3" -H "$HOST_GOOD" -p "$port" -u "$USER_SMALL"
		--password-file "$PASS_FILE")
	# curl 7.88: -X STAT needs -I (no body) or curl waits for one;
	# --sasl-ir sends the credentials with AUTH PLAIN as check_pop3 does;
	# -q: no ~/.curlrc. --next keeps the connection, so three URLs make
	# one session: STAT, then LIST (no message), then RETR 1.
	local -a cu=(-sS --netrc-file "$NETRC" --login-options AUTH=PLAIN --sasl-ir)
	export LD_LIBRARY_PATH=$BUILD${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
	declare -gA CMD
	CMD[check_pop3 stat]=$(quote "${c3[@]}" --auth plain)
	CMD[curl stat]=$(quote curl -q "${cu[@]}" -X STAT -I "$url/")
	CMD[check_pop3 retr]=$(quote "${c3[@]}" --auth plain --list --retr 1)
	CMD[curl retr]=$(quote curl -q "${cu[@]}" -X STAT -I "$url/" --next \
		"${cu[@]}" "$url/" "$url/1")
	# --auth user: the same USER/PASS dialog as popclient.
	CMD[check_pop3 full]=$(quote "${c3[@]}" --auth user --list --retr 1)
	CMD[popclient]=$(quote "$POPCLIENT" "$HOST_GOOD" "$port" \
		"$USER_SMALL" "$PASS_FILE")
	CMD[check_pop3 banner]=$(quote "$CHECK_POP3" -H "$HOST_GOOD" -p "$port")
	CMD[check_pop]=$(quote "$CHECK_POP" -H "$HOST_GOOD" -p "$port")
	# Process start-up alone: no network.
	CMD[check_pop3 -V]=$(quote "$CHECK_POP3" -V)
	CMD[check_pop -V]=$(quote "$CHECK_POP" -V)
}

# transcript NAME PORT: what the named command sends, through the relay on
# PORT, into $OUT/dialog-NAME.txt (spaces become '-').
transcript() {
	local name=$1 port=$2 file
	file=$OUT/dialog-${1// /-}.txt
	eval "$(quote python3 "$ROOT/tests/bench/dialog.py" "$port" "$HOST_GOOD" \
		"$PORT_PLAIN" --) ${CMD[$name]}" >"$file" 2>&1 || {
		cat "$file" >&2
		die "'$name' failed through the dialog relay"
	}
}

# The curl command lines must send exactly what check_pop3 sends: same
# commands, same order, same mechanism, one connection.
verify_dialogs() {
	local port pair a b
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	define_commands "$port"
	for pair in stat retr; do
		a="check_pop3 $pair" b="curl $pair"
		transcript "$a" "$port"
		transcript "$b" "$port"
		if ! cmp -s "$OUT/dialog-${a// /-}.txt" "$OUT/dialog-${b// /-}.txt"; then
			diff -u "$OUT/dialog-${a// /-}.txt" "$OUT/dialog-${b// /-}.txt" >&2 || true
			die "'$a' and '$b' do not send the same dialog"
		fi
		DIALOG[$pair]=$(sed -n 's/^  //p' "$OUT/dialog-${a// /-}.txt" | paste -sd, | sed 's/,/, /g')
		[[ $(grep -c '^connection' "$OUT/dialog-${a// /-}.txt") == 1 ]] ||
			die "'$a' used more than one connection"
	done
	define_commands "$PORT_PLAIN"
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
	run_once "check_pop3 stat" "login ok"
	run_once "curl stat" ""
	run_once "check_pop3 retr" "login ok"
	run_once "curl retr" "Subject:"
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
# round, print "name<TAB>median<TAB>mean<TAB>stddev<TAB>runs<TAB>cpu" (ms;
# cpu: mean user + system time of a run, as hyperfine measured it).
stats_python3() {
	python3 - "$1" <<'EOF'
import json, statistics, sys
pooled, cpu = {}, {}
with open(sys.argv[1]) as f:
    for r in json.load(f)["results"]:
        pooled.setdefault(r["command"], []).extend(r["times"])
        cpu.setdefault(r["command"], []).append(r["user"] + r["system"])
for name, t in pooled.items():
    ms = [x * 1000 for x in t]
    print(f"{name}\t{statistics.median(ms):.3f}\t{statistics.mean(ms):.3f}"
          f"\t{statistics.stdev(ms):.3f}\t{len(ms)}"
          f"\t{1000 * statistics.mean(cpu[name]):.3f}")
EOF
}

stats_jq() {
	jq -r '
	  (reduce .results[] as $r ({}; .[$r.command] += [$r.user + $r.system])) as $cpu
	  | reduce .results[] as $r ({}; .[$r.command] += $r.times)
	  | to_entries[]
	  | .key as $name | (.value | map(. * 1000) | sort) as $t | ($t | length) as $n
	  | ($t | add / $n) as $mean
	  | (if $n % 2 == 1 then $t[($n - 1) / 2] else ($t[$n / 2 - 1] + $t[$n / 2]) / 2 end) as $med
	  | (($t | map((. - $mean) * (. - $mean)) | add) / ($n - 1) | sqrt) as $sd
	  | ($cpu[$name] | add / length * 1000) as $c
	  | [$name, $med, $mean, $sd, $n, $c] | @tsv' "$1"
}

# load_stats FILE NAME...: fills MEDIAN, MEAN, STDDEV, NRUNS, CPU for every
# NAME.
load_stats() {
	local file=$1 name med mean sd n cpu
	while IFS=$'\t' read -r name med mean sd n cpu; do
		MEDIAN[$name]=$med
		MEAN[$name]=$mean
		STDDEV[$name]=$sd
		NRUNS[$name]=$n
		CPU[$name]=$cpu
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
	bench_ratio "${MEDIAN[$1]}" "${MEDIAN[$2]}"
}

# Columns: label 40, then median 10, mean ± stddev 18, runs 6 (34 in all),
# ratio 7.
row_time() {
	local label=$1 name=$2
	printf '       %-40s %9.2f %8.2f ± %6.2f %5s\n' "$label" "${MEDIAN[$name]}" \
		"${MEAN[$name]}" "${STDDEV[$name]}" "${NRUNS[$name]}"
}

row_ratio() {
	printf '       %-40s %34s %6s\n' "$1" "" "$(ratio "$2" "$3")"
}

row_rss() {
	printf '       %-40s %9s\n' "$1" "${RSS[$2]}"
}

# measure_time ID WHAT A B TARGET: one decided measure, median(A) against
# median(B).
measure_time() {
	local r
	r=$(ratio "$3" "$4")
	bench_measure "$1" "$2" "$(printf '%.2f ms' "${MEDIAN[$3]}")" \
		"$(printf '%.2f ms' "${MEDIAN[$4]}")" "$r" "<= $5" \
		"$(bench_verdict_ratio "${MEDIAN[$3]}" "${MEDIAN[$4]}" "<=" "$5")"
}

report_measures() {
	local r
	echo "decided measures (figure = first named, baseline = second; medians)"
	bench_header
	measure_time 1a "check_pop3 / curl: AUTH PLAIN, STAT, QUIT" \
		"check_pop3 stat" "curl stat" "$TARGET_CURL"
	measure_time 1b "check_pop3 / curl: + LIST, RETR 1" \
		"check_pop3 retr" "curl retr" "$TARGET_CURL"
	r=$(bench_ratio "$INPROC_ENGINE" "$INPROC_BASE")
	bench_measure 2 "in one process: libpop3check / popclient" \
		"$(awk -v u="$INPROC_ENGINE" 'BEGIN { printf "%.3f ms", u / 1000 }')" \
		"$(awk -v u="$INPROC_BASE" 'BEGIN { printf "%.3f ms", u / 1000 }')" \
		"$r" "<= $TARGET_INPROC" \
		"$(bench_verdict_ratio "$INPROC_ENGINE" "$INPROC_BASE" "<=" "$TARGET_INPROC")"
	echo "  1a dialog, both sides: ${DIALOG[stat]} (one connection)"
	echo "  1b dialog, both sides: ${DIALOG[retr]} (one connection)"
	echo "  1a curl: curl -q -sS --netrc-file NETRC --login-options AUTH=PLAIN --sasl-ir -X STAT -I pop3://H:P/"
	echo "  1b curl: the same, then --next -sS --netrc-file NETRC --login-options AUTH=PLAIN --sasl-ir pop3://H:P/ pop3://H:P/1"
	printf '  1a/1b client CPU (user + system, mean): check_pop3 %.2f / %.2f ms, curl %.2f / %.2f ms;\n' \
		"${CPU[check_pop3 stat]}" "${CPU[check_pop3 retr]}" "${CPU[curl stat]}" "${CPU[curl retr]}"
	echo "     the rest of the wall time is the server's and the round trips', alike on both sides"
	echo "  2: per session, median of $RUNS sessions in one process, median of $((ROUNDS * 2)) alternating rounds;"
	echo "     CAPA, USER/PASS, STAT, LIST, RETR 1, QUIT on both sides"
}

report() {
	echo
	echo "pop3check benchmark - Dovecot sandbox $HOST_GOOD:$PORT_PLAIN, user $USER_SMALL"
	echo "$HF_VERSION ${HF_SHELL[*]:-(shell, corrected)}, warmup $WARMUP, $ROUNDS alternating rounds x $RUNS runs"
	echo "$CURL_VERSION"
	echo
	report_measures
	echo
	echo "for information (ms)"
	# "±" is two bytes: that column's header is padded by hand.
	printf '       %-40s %9s %s %5s %6s\n' what "median ms" \
		"    mean ± stddev" runs ratio
	echo "  the timings of 1a and 1b"
	row_time "check_pop3 --auth plain" "check_pop3 stat"
	row_time "curl (baseline)" "curl stat"
	row_time "check_pop3 --auth plain --list --retr 1" "check_pop3 retr"
	row_time "curl, 3 URLs (baseline)" "curl retr"
	echo "  full session: CAPA, USER/PASS, STAT, LIST, RETR 1, QUIT"
	row_time "check_pop3" "check_pop3 full"
	row_time "popclient (plain sockets)" popclient
	row_ratio "check_pop3 / popclient" "check_pop3 full" popclient
	echo "  banner only: greeting, QUIT (check_pop3 adds CAPA)"
	row_time "check_pop3" "check_pop3 banner"
	row_time "check_pop (monitoring-plugins)" check_pop
	row_ratio "check_pop3 / check_pop" "check_pop3 banner" check_pop
	echo "  process start-up"
	row_time "check_pop3 -V" "check_pop3 -V"
	row_time "check_pop -V" "check_pop -V"
	echo "  peak RSS in KB (median of $RSS_RUNS runs, GNU time %M)"
	row_rss "check_pop3 --auth plain --list --retr 1" "check_pop3 retr"
	row_rss "curl, 3 URLs" "curl retr"
	row_rss "check_pop3 full session" "check_pop3 full"
	row_rss "check_pop3 banner" "check_pop3 banner"
	row_rss "popclient" popclient
	row_rss "check_pop" check_pop
	echo
	echo "JSON, logs and dialog transcripts: $OUT/"
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
	declare -gA DIALOG
	verify_dialogs
	verify_commands

	declare -gA MEDIAN MEAN STDDEV NRUNS CPU RSS
	time_pair stat "check_pop3 stat" "curl stat"
	time_pair retr "check_pop3 retr" "curl retr"
	time_pair full "check_pop3 full" popclient
	time_pair banner "check_pop3 banner" check_pop
	time_pair startup "check_pop3 -V" "check_pop -V"
	time_in_process
	load_stats "$OUT/stat.json" "check_pop3 stat" "curl stat"
	load_stats "$OUT/retr.json" "check_pop3 retr" "curl retr"
	load_stats "$OUT/full.json" "check_pop3 full" popclient
	load_stats "$OUT/banner.json" "check_pop3 banner" check_pop
	load_stats "$OUT/startup.json" "check_pop3 -V" "check_pop -V"
	local name
	for name in "check_pop3 retr" "curl retr" "check_pop3 full" \
		"check_pop3 banner" popclient check_pop; do
		peak_rss "$name"
	done
	report | tee "$OUT/summary.txt"
}

main "$@"
