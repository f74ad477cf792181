# SPDX-License-Identifier: MIT
# lib.sh - what the test suites' scripts share (sourced, after BUILD is
# known): build paths, pass/fail counters and their record for
# tests/summary.sh, a work folder that goes at exit with every server the
# suite started (stopped by PID) and the sandbox Dovecot, free ports.
# shellcheck shell=bash

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-build}
build=$(mkdir -p "$BUILD" && cd "$BUILD" && pwd)
results="$build/results"
mkdir -p "$results"
pass=0 fail=0
pids=()

ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     | /' | head -15; }
# check NAME GOT WANT
check() { if [ "$2" = "$3" ]; then ok "$1: $2"; else ko "$1: got '$2', want '$3'"; fi; }

# free_port tcp|udp: a loopback port nobody listens on, now.
free_port() {
    python3 -c "import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1] == 'udp' else socket.SOCK_STREAM)
s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])" "${1:-tcp}"
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# suite_begin NAME: the work folder $work, removed at exit with the servers
# in pids, the sandbox under $work/sandbox and whatever suite_cleanup_more
# (if the suite defines it) stops.
suite_begin() {
    suite=$1
    work=$(mktemp -d "/tmp/pop3check-$1.XXXXXX")
    chmod 0711 "$work"
    trap suite_cleanup EXIT INT TERM
}
# shellcheck disable=SC2317 # called by the trap
suite_cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null; wait "$pid" 2> /dev/null; done
    declare -F suite_cleanup_more > /dev/null && suite_cleanup_more
    "$top/tests/integration/sandbox.sh" stop "$work/sandbox" > /dev/null 2>&1
    rm -rf "$work"
}
# need_root WHY, need_tools HINT TOOL...: stop the suite with a reason.
need_root() {
    [ "$(id -u)" -eq 0 ] && return 0
    echo "$suite: needs root ($1); run 'make test'" >&2
    exit 1
}
need_tools() {
    local hint=$1 t
    shift
    for t in "$@"; do
        command -v "$t" > /dev/null || { echo "$suite: $t is missing ($hint)" >&2; exit 1; }
    done
}
# agentx_master: snmpd on 127.0.0.1:$SNMP_PORT (a free port, set here),
# read-only community public, AgentX master on $work/agentx.sock; no MIB
# files, state in $work. Returns once the socket is there.
agentx_master() {
    export MIBS='' SNMP_PERSISTENT_DIR="$work/persist"
    mkdir -p "$SNMP_PERSISTENT_DIR"
    SNMP_PORT=$(free_port udp)
    printf '[snmp] clientaddr 127.0.0.1\nagentAddress udp:127.0.0.1:%s\nmaster agentx\nagentXSocket %s\nrocommunity public 127.0.0.1\n' \
        "$SNMP_PORT" "$work/agentx.sock" > "$work/snmpd.conf"
    snmpd -f -C -c "$work/snmpd.conf" -I -smux -Lf "$work/snmpd.log" &
    pids+=("$!")
    local _
    for _ in $(seq 100); do [ -S "$work/agentx.sock" ] && return 0; sleep 0.1; done
    echo "$suite: snmpd did not start: $(tail -3 "$work/snmpd.log")" >&2
    return 1
}

# suite_end: records the counts, prints the suite's line, its exit status.
suite_end() {
    echo "$suite ${pass} ${fail}" > "$results/$suite"
    echo "$suite: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
