#!/bin/bash
# SPDX-License-Identifier: MIT
# SNMP tests: POP3-MONITOR-MIB served by pop3_snmp_agent through a real
# snmpd (AgentX master on loopback, socket in a temporary folder) and by
# pop3monitor.so loaded into snmpd with dlmod, foreground and daemonised;
# snmptrapd receives the notifications. Every column is checked with
# snmpget/snmpwalk (numeric OIDs: no MIB files needed) against the test
# Dovecot and against check_pop3 probing the same targets. Servers are
# started here and stopped by PID. Records its counts in
# $BUILD/results/snmp for tests/summary.sh.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$here/../lib.sh"
export LD_LIBRARY_PATH="$build${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
suite_begin snmp
need_root "Dovecot switches users"
need_tools "apt-get install snmpd snmp snmptrapd, or run 'make test'" \
    snmpd snmpget snmpwalk snmpbulkwalk snmptrapd
# shellcheck disable=SC2317 # called at exit
suite_cleanup_more() { [ -s "$work/daemon.pid" ] && kill "$(cat "$work/daemon.pid")" 2> /dev/null; }

# Net-SNMP's tools and daemons: no MIB files, state in the work folder.
export MIBS='' SNMP_PERSISTENT_DIR="$work/persist"
mkdir -p "$SNMP_PERSISTENT_DIR"

"$top/tests/integration/sandbox.sh" start "$work/sandbox" || exit 1
# shellcheck disable=SC1091
. "$work/sandbox/env"
pw="$SANDBOX_DIR/pass"

wait_file() { for _ in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.1; done; return 1; }

ROOT=1.3.6.1.4.1.8072.9999.9999.110
ENTRY=$ROOT.1.1.1
SNMP_PORT=$(free_port udp)
TRAP_PORT=$(free_port udp)
AGENT=127.0.0.1:$SNMP_PORT
snmp() { "$1" -v2c -c public -On -t 2 -r 0 "${@:2}"; }

# The index of a row: the name's length, then its bytes.
idx() {
    local s=$1 i out=${#1}
    for ((i = 0; i < ${#s}; i++)); do out+=".$(printf '%d' "'${s:i:1}")"; done
    echo "$out"
}
# col COLUMN NAME: "TYPE: value" of one cell ("" when unanswered).
col() { snmp snmpget "$AGENT" "$ENTRY.$1.$(idx "$2")" 2>/dev/null | sed 's/^[^=]*= //'; }
# val COLUMN NAME: the value alone, strings without their quotes.
val() { col "$@" | sed -e 's/^[A-Za-z0-9-]*: //' -e 's/^"\(.*\)"$/\1/' -e 's/ *$//'; }
# pair COL1 COL2 NAME: "v1 v2" of two numeric cells read in one request,
# so that no probe result lands between them.
pair() {
    snmp snmpget "$AGENT" "$ENTRY.$1.$(idx "$3")" "$ENTRY.$2.$(idx "$3")" 2>/dev/null |
        sed 's/^.*: //' | paste -sd' '
}
# DateAndTime (Hex-STRING) as "YYYY-MM-DD HH:MM:SS".
date_of() {
    local -a b
    read -ra b <<< "$(val "$1" "$2")"
    [ "${#b[@]}" -ge 8 ] || { echo "(none)"; return; }
    printf '%04d-%02d-%02d %02d:%02d:%02d\n' $((16#${b[0]} * 256 + 16#${b[1]})) \
        $((16#${b[2]})) $((16#${b[3]})) $((16#${b[4]})) $((16#${b[5]})) $((16#${b[6]}))
}

# ---- servers for the targets ----
"$build/tests/stallserver" "$work/silent.port" silent > /dev/null 2>&1 &
pids+=("$!")
"$build/tests/fastpop3" "$work/flap.port" 300 > /dev/null 2>&1 &
flap_pid=$!
pids+=("$flap_pid")
if ! wait_file "$work/silent.port" || ! wait_file "$work/flap.port"; then
    echo "snmp: test servers did not start" >&2
    exit 1
fi
SILENT=$(cat "$work/silent.port")
FLAP=$(cat "$work/flap.port")
REFUSED=$(free_port tcp)
printf 'not-the-password\n' > "$work/wrong.pw"
printf 'any\n' > "$work/any.pw"
chmod 0600 "$work/wrong.pw" "$work/any.pw"

cat > "$work/pop3check.yml" <<EOF
modules:
  login:
    user: $USER_SMALL
    password_file: $pw/small
    auth: cram-md5
    timeout: 5s
  login_tls:
    tls: implicit
    cafile: $CA_FILE
    user: $USER_SMALL
    password_file: $pw/small
    timeout: 5s
  wrong:
    user: $USER_SMALL
    password_file: $work/wrong.pw
    # pinned, as in tests/exporter/run.sh, to what 'any' chose before SCRAM
    auth: cram-md5
    timeout: 5s
  banner:
    timeout: 2s
  slow:
    timeout: 8s
  fast:
    user: monitor
    password_file: $work/any.pw
    auth: user
    timeout: 1s
  plain_defaults:
    tls: none
  pop3s_defaults:
    tls: implicit
  # OAuth 2.0 client-credentials grants at the sandbox's token endpoint:
  # 'noexpiry' grants come without expires_in, so every probe asks again;
  # OAUTH2_CLIENT's are kept for an hour (the module's probes share one);
  # a wrong client secret is refused (HTTP 401).
  grant_each:
    user: $USER_SMALL
    oauth2:
      token_url: http://127.0.0.1:$OAUTH2_PORT/token
      client_id: noexpiry
      client_secret_file: $pw/client-secret
    timeout: 5s
  grant_kept:
    user: $USER_SMALL
    oauth2:
      token_url: http://127.0.0.1:$OAUTH2_PORT/token
      client_id: $OAUTH2_CLIENT
      client_secret_file: $pw/client-secret
      scope: pop3
    timeout: 5s
  # the age of tests/integration/fixtures/aged (every message read)
  aged:
    user: $USER_AGED
    password_file: $pw/aged
    age: true
    timeout: 5s
  grant_refused:
    user: $USER_SMALL
    oauth2:
      token_url: http://127.0.0.1:$OAUTH2_PORT/token
      client_id: $OAUTH2_CLIENT
      client_secret_file: $pw/small
    timeout: 5s
targets:
  - name: good
    target: 127.0.0.1:$PORT_PLAIN
    module: login
    interval: 2s
  - name: pop3s
    target: 127.0.0.1:$PORT_POP3S
    module: login_tls
    interval: 2s
  - name: wrong-password
    target: 127.0.0.1:$PORT_PLAIN
    module: wrong
    interval: 2s
  - name: refused
    target: 127.0.0.1:$REFUSED
    module: banner
    interval: 2s
  - name: stalled
    target: 127.0.0.1:$SILENT
    module: slow
    interval: 1s
  - name: flappy
    target: 127.0.0.1:$FLAP
    module: fast
    interval: 1s
  - name: default-port
    target: 127.0.0.1
    module: plain_defaults
    interval: 60s
  - name: pop3s-default-port
    target: 127.0.0.1
    module: pop3s_defaults
    interval: 60s
  - name: grant-each
    target: 127.0.0.1:$PORT_PLAIN
    module: grant_each
    interval: 2s
  - name: grant-kept
    target: 127.0.0.1:$PORT_PLAIN
    module: grant_kept
    interval: 1s
  - name: grant-refused
    target: 127.0.0.1:$PORT_PLAIN
    module: grant_refused
    interval: 2s
  - name: old-mail
    target: 127.0.0.1:$PORT_PLAIN
    module: aged
    interval: 2s
EOF
NTARGETS=12

echo "== the MIB"
mib="$top/exporters/snmp/POP3-MONITOR-MIB.txt"
shared_mibs="${SHARED_MIBS:-$top/../shared/mibs}"
if command -v smilint >/dev/null && [ -d "$shared_mibs" ]; then
    out=$(SMIPATH="$shared_mibs" smilint -l 6 "$mib" 2>&1)
    if [ -z "$out" ]; then ok "smilint -l 6: no output"; else ko "smilint -l 6" "$out"; fi
else
    echo "skip smilint: the base MIBs are not at $shared_mibs (set SHARED_MIBS)"
fi
n=$(grep -c '::= { pop3ProbeEntry ' "$mib")
check "columns in the MIB (the index and 64 read-only)" "$n" 65
# Every column and notification by its number, as the agent serves it.
n=$(for c in $(seq 1 65); do grep -c "::= { pop3ProbeEntry $c }" "$mib"; done | sort -u | paste -sd,)
check "columns 1-65 each defined once" "$n" 1
n=$(for c in 1 2 3 4; do grep -c "::= { pop3MonitorNotifications $c }" "$mib"; done | sort -u | paste -sd,)
check "notifications 1-4 each defined once" "$n" 1

echo "== pop3_snmp_agent: options and config errors"
agent="$build/pop3_snmp_agent"
out=$("$agent" --config.file "$work/pop3check.yml" --config.check 2>&1)
check "--config.check on a good file" "$?:$out" "0:pop3_snmp_agent: $work/pop3check.yml is valid"
printf 'modules:\n  m:\n    timeout: 1s\ntargets:\n  - name: x\n    target: 127.0.0.1\n    module: nosuch\n' > "$work/bad.yml"
out=$("$agent" --config.file "$work/bad.yml" 2>&1)
rc=$?
if [ "$rc" = 1 ] && [[ "$out" == "pop3_snmp_agent: $work/bad.yml:7: targets[0].module: "* ]]; then
    ok "bad config: exit 1, names file, line and key ($out)"
else
    ko "bad config: exit $rc" "$out"
fi
out=$("$agent" --bogus 2>&1)
check "unknown option" "$?:$out" "2:pop3_snmp_agent: unknown option or missing value: '--bogus' (see --help)"
out=$("$agent" --agentx.ping-interval 0 2>&1)
check "bad ping interval" "$?" 2
if "$agent" --help | grep -q -- '--agentx.socket ADDR'; then ok "--help explains the options"; else ko "--help"; fi

# ---- snmpd as AgentX master, snmptrapd ----
cat > "$work/snmpd.conf" <<EOF
[snmp] clientaddr 127.0.0.1
agentAddress udp:127.0.0.1:$SNMP_PORT
master agentx
agentXSocket $work/agentx.sock
rocommunity public 127.0.0.1
trap2sink 127.0.0.1:$TRAP_PORT public
EOF
snmpd_env=() # what snmpd runs under (see dlmod below)
start_snmpd() { # start_snmpd CONF LOG: foreground, PID in $snmpd_pid
    "${snmpd_env[@]}" snmpd -f -C -c "$1" -I -smux -Lf "$2" &
    snmpd_pid=$!
    pids+=("$snmpd_pid")
    for _ in $(seq 100); do
        snmp snmpget "$AGENT" 1.3.6.1.2.1.1.3.0 > /dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "snmp: snmpd did not start:" >&2; cat "$2" >&2
    return 1
}
stop_pid() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
# rows_ready [MIN_RUNS]: waits until every target has MIN_RUNS probes.
rows_ready() {
    local want=${1:-1} t runs
    for _ in $(seq 150); do
        local all=1
        for t in good pop3s wrong-password refused flappy grant-each grant-kept grant-refused old-mail; do
            runs=$(val 33 "$t")
            if ! [[ "$runs" =~ ^[0-9]+$ ]] || [ "$runs" -lt "$want" ]; then all=0; break; fi
        done
        [ "$all" = 1 ] && return 0
        sleep 0.2
    done
    return 1
}

printf 'disableAuthorization yes\n' > "$work/snmptrapd.conf"
snmptrapd -f -C -c "$work/snmptrapd.conf" -Lf "$work/traps.log" -On \
    -F "TRAP %V|%v\n" "127.0.0.1:$TRAP_PORT" &
pids+=("$!")
start_snmpd "$work/snmpd.conf" "$work/snmpd.log" || exit 1
for _ in $(seq 50); do [ -S "$work/agentx.sock" ] && break; sleep 0.1; done
"$agent" --config.file "$work/pop3check.yml" --agentx.socket "$work/agentx.sock" \
    --agentx.ping-interval 1 2> "$work/agent.log" &
agent_pid=$!
pids+=("$agent_pid")

echo "== subagent: every column against check_pop3"
if rows_ready 1; then ok "all targets probed and served within seconds"; else ko "rows not ready" "$(cat "$work/agent.log")"; fi

# check_pop3 on the same targets
cp_good=$("$build/check_pop3" -H 127.0.0.1 -p "$PORT_PLAIN" -u "$USER_SMALL" --password-file "$pw/small" -v)
cp_good_rc=$?
cp_tls=$("$build/check_pop3" -H 127.0.0.1 -p "$PORT_POP3S" --tls implicit --cafile "$CA_FILE" -u "$USER_SMALL" --password-file "$pw/small" -v)
cp_tls_rc=$?
cp_wrong=$("$build/check_pop3" -H 127.0.0.1 -p "$PORT_PLAIN" -u "$USER_SMALL" --password-file "$work/wrong.pw" --auth cram-md5)
cp_wrong_rc=$?
cp_refused=$("$build/check_pop3" -H 127.0.0.1 -p "$REFUSED" -t 2)
cp_refused_rc=$?
perf() { sed -n "1s/.* $2=\([0-9.]*\).*/\1/p" <<< "$1"; }

check "good: host (2)" "$(val 2 good)" "127.0.0.1"
check "good: port (3)" "$(col 3 good)" "Gauge32: $PORT_PLAIN"
check "good: TLS mode none (4)" "$(val 4 good)" 1
check "good: interval s (5)" "$(val 5 good)" 2
check "good: timeout ms (6)" "$(val 6 good)" 5000
check "good: status = check_pop3's exit code (7)" "$(val 7 good)" "$cp_good_rc"
check "good: success (8)" "$(val 8 good)" 1
t=$(date_of 9 good)
now=$(date -u +%s)
probed=$(date -u -d "$t" +%s 2>/dev/null || echo 0)
if [ $((now - probed)) -ge 0 ] && [ $((now - probed)) -le 10 ]; then ok "good: last probe time (9): $t UTC"; else ko "good: last probe time $t, now $(date -u '+%F %T')"; fi
check "good: failed phase none (10)" "$(val 10 good)" 1
check "good: error text empty (11)" "$(val 11 good)" ""
check "good: address type ipv4 (12)" "$(val 12 good)" 1
check "good: address (13)" "$(val 13 good)" "7F 00 00 01"
# resolve connect greeting capa auth stat quit: bits 0 1 3 4 6 7 12
check "good: phases completed (14)" "$(val 14 good)" "DB 08"
for c in 15 16 18 19 21 22 27 28; do
    v=$(col "$c" good)
    if [[ "$v" =~ ^Gauge32:\ ([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -gt 0 ] && [ "${BASH_REMATCH[1]}" -lt 5000000 ]; then
        ok "good: latency column $c: $v us"
    else
        ko "good: latency column $c: '$v'"
    fi
done
for c in 17 20 23 24 25 26; do check "good: phase not performed, column $c" "$(val "$c" good)" 0; done
# Every phase and the total in one request: the same probe's.
oids=()
for c in $(seq 15 28); do oids+=("$ENTRY.$c.$(idx good)"); done
times=$(snmp snmpget "$AGENT" "${oids[@]}" 2>/dev/null | sed 's/^.*: //')
total=$(tail -1 <<< "$times")
sum=$(head -13 <<< "$times" | awk '{ s += $1 } END { print s }')
if [ "$sum" -le "$total" ]; then ok "good: phases add up to at most the total ($sum <= $total us)"; else ko "good: phases $sum > total $total"; fi
check "good: messages = check_pop3's (29)" "$(val 29 good)" "$(perf "$cp_good" messages)"
check "good: messages = Dovecot's" "$(val 29 good)" "$SMALL_MESSAGES"
check "good: octets, Counter64 (30)" "$(col 30 good)" "Counter64: $(perf "$cp_good" size | tr -d B)"
check "good: no TLS version (31)" "$(val 31 good)" ""
check "good: no certificate (32)" "$(val 32 good)" "00 00 00 00 00 00 00 00"
runs=$(val 33 good)
if [ "$runs" -ge 1 ]; then ok "good: runs (33): $runs"; else ko "good: runs $runs"; fi
check "good: failures (34)" "$(val 34 good)" 0
for c in $(seq 35 43); do check "good: error counter $c" "$(col "$c" good)" "Counter32: 0"; done
d=$(date_of 44 good)
if [ "$d" != "(none)" ]; then ok "good: discontinuity time (44): $d UTC"; else ko "good: discontinuity time"; fi
check "good: error kind none (45)" "$(val 45 good)" 1
# A target whose probe is no round trip: the round trip's columns are 0,
# false or none, and walked like the others.
for c in $(seq 46 53); do check "good: round trip phase not performed, column $c" "$(col "$c" good)" "Gauge32: 0"; done
check "good: not-delivered errors (54)" "$(col 54 good)" "Counter32: 0"
check "good: no round trip, false(2) (55)" "$(val 55 good)" 2
check "good: last delivery none(1) (56)" "$(val 56 good)" 1
for c in 57 58 59; do check "good: round trip counter $c" "$(col "$c" good)" "Counter32: 0"; done
check "good: last polls (60)" "$(col 60 good)" "Gauge32: 0"
# A probe that logs in with a password: no token phase.
check "good: token phase not performed (61)" "$(col 61 good)" "Gauge32: 0"
# A module that does not measure the age: -1, -1, 0.
check "good: no oldest age (62)" "$(col 62 good)" "INTEGER: -1"
check "good: no newest age (63)" "$(col 63 good)" "INTEGER: -1"
check "good: no undated messages (64)" "$(col 64 good)" "Gauge32: 0"
check "good: no longest wait (65)" "$(col 65 good)" "INTEGER: -1"
# The aged fixtures: message 3's Received: is the oldest, message 5's Date:
# the newest (as date(1) reads them), two messages undated.
e3=$(date -u -d '2025-06-01 00:59:59' +%s) e5=$(date -u -d '2025-06-04 12:00:00' +%s)
t1=$(date +%s)
for c in 62 63; do
    e=$e3
    [ "$c" = 63 ] && e=$e5
    v=$(val "$c" old-mail)
    # probed within the last interval or two (and a second of rounding)
    if [[ $v =~ ^[0-9]+$ ]] && [ "$v" -le $((t1 - e + 1)) ] && [ "$v" -ge $((t1 - e - 10)) ]; then
        ok "old-mail: message age ($c): $v s"
    else
        ko "old-mail: message age ($c) '$v', want about $((t1 - e))"
    fi
done
check "old-mail: undated messages (64)" "$(col 64 old-mail)" "Gauge32: 2"
# First seen when the agent started, seconds ago: a small wait, growing.
v=$(val 65 old-mail)
if [[ $v =~ ^[0-9]+$ ]] && [ "$v" -le 120 ]; then ok "old-mail: longest wait since first seen (65): $v s"; else ko "old-mail: longest wait (65) '$v'"; fi

check "pop3s: status = check_pop3's" "$(val 7 pop3s)" "$cp_tls_rc"
check "pop3s: TLS mode implicit" "$(val 4 pop3s)" 2
check "pop3s: TLS version = check_pop3's" "$(val 31 pop3s)" "$(sed -n 's/^TLS: //p' <<< "$cp_tls")"
check "pop3s: certificate expiry = check_pop3's" "$(date_of 32 pop3s) UTC" \
    "$(sed -n 's/^certificate: expires \(.* UTC\).*/\1/p' <<< "$cp_tls")"
v=$(val 17 pop3s)
if [ "$v" -gt 0 ]; then ok "pop3s: TLS time $v us"; else ko "pop3s: TLS time $v"; fi
check "pop3s: phases completed (TLS bit too)" "$(val 14 pop3s)" "FB 08"

check "wrong-password: status = check_pop3's" "$(val 7 wrong-password)" "$cp_wrong_rc"
check "wrong-password: success false" "$(val 8 wrong-password)" 2
check "wrong-password: failed phase auth(8)" "$(val 10 wrong-password)" 8
check "wrong-password: error kind auth(8)" "$(val 45 wrong-password)" 8
text=$(val 11 wrong-password)
if [ -n "$text" ] && grep -qF -- "$text" <<< "$cp_wrong"; then ok "wrong-password: error text as check_pop3 says it: $text"; else ko "wrong-password: error text '$text'" "$cp_wrong"; fi
read -r runs failures <<< "$(pair 33 34 wrong-password)"
check "wrong-password: every run failed (34 = 33)" "$failures" "$runs"
read -r runs errors <<< "$(pair 33 41 wrong-password)"
check "wrong-password: auth errors (41) = runs" "$errors" "$runs"
check "wrong-password: messages unknown, 0" "$(val 29 wrong-password)" 0

check "refused: status = check_pop3's" "$(val 7 refused)" "$cp_refused_rc"
check "refused: failed phase connect(3)" "$(val 10 refused)" 3
check "refused: error kind connect(3)" "$(val 45 refused)" 3
text=$(val 11 refused)
if [ -n "$text" ] && grep -qF -- "$text" <<< "$cp_refused"; then ok "refused: error text as check_pop3 says it: $text"; else ko "refused: error text '$text'" "$cp_refused"; fi
read -r runs errors <<< "$(pair 33 36 refused)"
check "refused: connect errors (36) = runs" "$errors" "$runs"
check "refused: phases completed: resolve only" "$(val 14 refused)" "80 00"
check "refused: port" "$(val 3 refused)" "$REFUSED"
# A failed probe that is no round trip says nothing of a delivery.
check "wrong-password: round trip false, delivery none (55, 56)" "$(val 55 wrong-password)/$(val 56 wrong-password)" "2/1"
check "refused: round trip false, delivery none (55, 56)" "$(val 55 refused)/$(val 56 refused)" "2/1"
check "refused: no not-delivered error (54)" "$(col 54 refused)" "Counter32: 0"
check "refused: token phase not performed (61)" "$(col 61 refused)" "Gauge32: 0"

# OAuth 2.0 client-credentials grants: the token phase (61), its bit
# token(21) in a third octet of the phase set, token(23) as the failed
# phase. The time and the phase set of one probe, read in one request.
tok() { # tok NAME: "TIME|PHASES" of the last probe
    snmp snmpget "$AGENT" "$ENTRY.61.$(idx "$1")" "$ENTRY.14.$(idx "$1")" 2>/dev/null |
        sed -e 's/^[^=]*= [A-Za-z0-9-]*: //' -e 's/ *$//' | paste -sd'|'
}
check "grant-each: success, status ok" "$(val 8 grant-each)/$(val 7 grant-each)" "1/0"
IFS='|' read -r t bits <<< "$(tok grant-each)"
if [[ "$t" =~ ^[0-9]+$ ]] && [ "$t" -gt 0 ] && [ "$t" -lt 5000000 ]; then ok "grant-each: token time (61): $t us"; else ko "grant-each: token time '$t'"; fi
# resolve connect greeting capa auth stat quit, and token(21): DB 08 04
check "grant-each: phases completed, token bit in a third octet (14)" "$bits" "DB 08 04"
check "grant-each: failed phase none, kind none (10, 45)" "$(val 10 grant-each)/$(val 45 grant-each)" "1/1"
# The token kept from the first probe's grant: later probes perform no
# token phase, 0 and no bit, as a probe without a grant reads.
for _ in $(seq 50); do [ "$(val 33 grant-kept)" -ge 2 ] 2> /dev/null && break; sleep 0.2; done
check "grant-kept: success with a kept token" "$(val 8 grant-kept)" 1
check "grant-kept: token phase not performed: 0, no bit (61, 14)" "$(tok grant-kept)" "0|DB 08"
check "grant-refused: status critical, success false" "$(val 7 grant-refused)/$(val 8 grant-refused)" "2/2"
check "grant-refused: failed phase token(23) (10)" "$(val 10 grant-refused)" 23
check "grant-refused: error kind auth(8) (45)" "$(val 45 grant-refused)" 8
text=$(val 11 grant-refused)
if [[ "$text" == *"token endpoint: HTTP 401"* ]]; then ok "grant-refused: error text: $text"; else ko "grant-refused: error text '$text'"; fi
IFS='|' read -r t bits <<< "$(tok grant-refused)"
if [[ "$t" =~ ^[0-9]+$ ]] && [ "$t" -gt 0 ]; then ok "grant-refused: token time up to the failure (61): $t us"; else ko "grant-refused: token time '$t'"; fi
check "grant-refused: nothing completed (14)" "$bits" "00 00"
check "grant-refused: no later phase performed (15, 21)" "$(val 15 grant-refused)/$(val 21 grant-refused)" "0/0"
read -r runs errors <<< "$(pair 33 41 grant-refused)"
check "grant-refused: auth errors (41) = runs" "$errors" "$runs"

# Neither port nor timeout configured: the library's defaults, as it
# probes them (by TLS mode; 10 s).
check "default-port: port 110 (3)" "$(col 3 default-port)" "Gauge32: 110"
check "default-port: TLS mode none (4)" "$(val 4 default-port)" 1
check "default-port: timeout 10000 ms (6)" "$(val 6 default-port)" 10000
check "pop3s-default-port: port 995 (3)" "$(col 3 pop3s-default-port)" "Gauge32: 995"
check "pop3s-default-port: TLS mode implicit (4)" "$(val 4 pop3s-default-port)" 2

echo "== requests the table cannot answer"
out=$(snmp snmpget "$AGENT" "$ENTRY.7.$(idx nosuch)" 2>&1)
if grep -q 'No Such Instance' <<< "$out"; then ok "unknown target: noSuchInstance"; else ko "unknown target" "$out"; fi
out=$(snmp snmpget "$AGENT" "$ENTRY.66.$(idx good)" 2>&1)
if grep -q 'No Such Object' <<< "$out"; then ok "unknown column: noSuchObject"; else ko "unknown column" "$out"; fi
out=$(snmp snmpget "$AGENT" "$ENTRY.1.$(idx good)" 2>&1)
if grep -q 'No Such Object' <<< "$out"; then ok "the index column is not readable"; else ko "index column" "$out"; fi

echo "== walks"
snmp snmpwalk "$AGENT" "$ROOT" > "$work/walk.txt" 2>&1
n=$(grep -c "^.$ENTRY\." "$work/walk.txt")
check "snmpwalk: 64 columns x $NTARGETS targets" "$n" $((64 * NTARGETS))
n=$(grep -c "^.$ENTRY\.65\." "$work/walk.txt")
check "snmpwalk: the last column (65) of every target" "$n" "$NTARGETS"
n=$(grep -c "^.$ENTRY\.61\.$(idx good) = Gauge32: 0$" "$work/walk.txt")
check "snmpwalk: good's token time (61), not performed, is 0" "$n" 1
snmp snmpbulkwalk "$AGENT" "$ROOT" > "$work/bulkwalk.txt" 2>&1
n=$(grep -c "^.$ENTRY\." "$work/bulkwalk.txt")
check "snmpbulkwalk: the same cells" "$n" $((64 * NTARGETS))
if cut -d' ' -f1 "$work/walk.txt" | diff -q - <(cut -d' ' -f1 "$work/bulkwalk.txt") > /dev/null; then ok "GETNEXT and GETBULK walk the same OIDs in the same order"; else ko "walk and bulkwalk differ"; fi
if sed -n "s/^.$ENTRY\.2\.\([0-9.]*\) = .*/\1/p" "$work/walk.txt" | head -3 | diff -q - <(printf '%s\n' "$(idx good)" "$(idx pop3s)" "$(idx flappy)") > /dev/null; then
    ok "rows in index order (shorter names first)"
else
    ko "row order" "$(sed -n "s/^.$ENTRY\.2\.\([0-9.]*\) = .*/\1/p" "$work/walk.txt")"
fi
# A probe of the stalled target is in flight most of the time: the walk
# must not wait for it (the AgentX master gives up after 1 s).
slowest=0
for _ in 1 2 3 4 5; do
    start=$(date +%s%N)
    snmp snmpwalk "$AGENT" "$ENTRY" > /dev/null 2>&1
    ms=$((($(date +%s%N) - start) / 1000000))
    [ "$ms" -gt "$slowest" ] && slowest=$ms
done
if [ "$slowest" -lt 1000 ]; then ok "walks while a probe stalls for 8 s: slowest of 5 took $slowest ms"; else ko "walk took $slowest ms"; fi
if grep -qF -e "$PASS_SMALL" -e not-the-password -e "$(cat "$work/any.pw")x" \
    -e "$(cat "$pw/client-secret")" -e "$(cat "$pw/token-small")" "$work/walk.txt" "$work/agent.log"; then
    ko "a password, client secret or token appears in the walk or the log"
else
    ok "no password in any value or in the log"
fi

echo "== notifications"
FAILED_OID=.$ROOT.0.1
RECOVERED_OID=.$ROOT.0.2
traps() { grep -c "$1.*\.$ENTRY\.2\.$(idx "$2") " "$work/traps.log" 2>/dev/null || true; }
wait_trap() { # wait_trap OID NAME COUNT
    for _ in $(seq 100); do [ "$(traps "$1" "$2")" -ge "$3" ] && return 0; sleep 0.1; done
    return 1
}
rows_ready 3 || true
wait_trap "$FAILED_OID" wrong-password 1
check "pop3ProbeFailed once for wrong-password after $(val 33 wrong-password) failing probes" "$(traps "$FAILED_OID" wrong-password)" 1
check "pop3ProbeFailed once for refused" "$(traps "$FAILED_OID" refused)" 1
check "no notification for good" "$(traps "$ROOT" good)" 0
check "no notification for flappy while it is up" "$(traps "$ROOT" flappy)" 0
line=$(grep "$FAILED_OID" "$work/traps.log" | grep "\.$ENTRY\.2\.$(idx wrong-password) " | head -1)
if grep -q "\.$ENTRY\.10\.$(idx wrong-password) = INTEGER: 8" <<< "$line" &&
    grep -q "\.$ENTRY\.45\.$(idx wrong-password) = INTEGER: 8" <<< "$line" &&
    grep -q "\.$ENTRY\.11\.$(idx wrong-password) = STRING: \"login failed" <<< "$line"; then
    ok "pop3ProbeFailed carries host, port, status, failed phase, error kind and text"
else
    ko "pop3ProbeFailed varbinds" "$line"
fi
stop_pid "$flap_pid"
if wait_trap "$FAILED_OID" flappy 1; then ok "server stopped: pop3ProbeFailed for flappy"; else ko "no pop3ProbeFailed for flappy" "$(tail -3 "$work/traps.log")"; fi
"$build/tests/fastpop3" "$work/flap2.port" 300 "$FLAP" > /dev/null 2>&1 &
pids+=("$!")
if wait_trap "$RECOVERED_OID" flappy 1; then ok "server back: pop3ProbeRecovered for flappy"; else ko "no pop3ProbeRecovered for flappy" "$(tail -3 "$work/traps.log")"; fi
sleep 2
check "flappy: one Failed, one Recovered in all" "$(traps "$FAILED_OID" flappy)/$(traps "$RECOVERED_OID" flappy)" "1/1"
check "flappy: OK again" "$(val 7 flappy)" 0
# pop3ProbeDeliveryFailed (.0.3) and pop3ProbeDeliveryRecovered (.0.4)
# are for round trips only.
n=$(grep -c -E "OID: \.${ROOT//./\\.}\.0\.[34](\||$)" "$work/traps.log" || true)
check "no delivery notification for targets that are no round trip" "$n" 0

echo "== snmpd restarted under the subagent"
stop_pid "$snmpd_pid"
start=$(date +%s%N)
start_snmpd "$work/snmpd.conf" "$work/snmpd2.log" || exit 1
back=""
for _ in $(seq 100); do
    [ "$(val 2 good)" = 127.0.0.1 ] && { back=$((($(date +%s%N) - start) / 1000000)); break; }
    sleep 0.1
done
if [ -n "$back" ]; then ok "table back $back ms after snmpd restarted"; else ko "table not back after 10 s" "$(tail -5 "$work/agent.log")"; fi
before=$(val 33 good)
sleep 2.5
after=$(val 33 good)
if [ "$after" -gt "$before" ]; then ok "probing went on ($before -> $after runs)"; else ko "runs $before -> $after"; fi

echo "== SIGTERM"
kill -TERM "$agent_pid"
start=$(date +%s%N)
wait "$agent_pid"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
if [ "$rc" = 0 ] && [ "$ms" -lt 3000 ] && grep -q 'stopping' "$work/agent.log"; then
    ok "subagent stops on SIGTERM: exit 0 in $ms ms (a probe was in flight)"
else
    ko "SIGTERM: exit $rc after $ms ms" "$(tail -3 "$work/agent.log")"
fi
stop_pid "$snmpd_pid"

echo "== pop3monitor.so loaded with dlmod"
exports=$(nm -D --defined-only "$build/pop3monitor.so" | awk '{ print $3 }' | sort | tr '\n' ' ')
check "pop3monitor.so exports only init_ and deinit_" "$exports" "deinit_pop3monitor init_pop3monitor "
cat > "$work/dlmod.conf" <<EOF
[snmp] clientaddr 127.0.0.1
agentAddress udp:127.0.0.1:$SNMP_PORT
rocommunity public 127.0.0.1
trap2sink 127.0.0.1:$TRAP_PORT public
dlmod pop3monitor $build/pop3monitor.so
pop3monitorConfig $work/pop3check.yml
EOF
dlmod_checks() { # dlmod_checks WHAT
    if rows_ready 1; then ok "$1: all targets probed and served"; else ko "$1: rows not ready" "$(tail -5 "$work/dlmod.log")"; return; fi
    check "$1: good status = check_pop3's" "$(val 7 good)" "$cp_good_rc"
    check "$1: good messages" "$(val 29 good)" "$SMALL_MESSAGES"
    check "$1: good octets" "$(col 30 good)" "Counter64: $SMALL_OCTETS"
    check "$1: wrong-password status and kind" "$(val 7 wrong-password)/$(val 45 wrong-password)" "$cp_wrong_rc/8"
    check "$1: refused status and kind" "$(val 7 refused)/$(val 45 refused)" "$cp_refused_rc/3"
    n=$(snmp snmpwalk "$AGENT" "$ENTRY" 2>/dev/null | grep -c "^.$ENTRY\.")
    check "$1: walk" "$n" $((64 * NTARGETS))
    check "$1: good no round trip, delivery none" "$(val 55 good)/$(val 56 good)" "2/1"
}
# Built with sanitizers (make asan), the module needs their runtimes
# loaded first; snmpd's own allocations are not ours to check for leaks.
san=$(ldd "$build/pop3monitor.so" | awk '/lib(asan|ubsan)\.so/ { print $3 }' | paste -sd:)
snmpd_env=(env)
[ -n "$san" ] && snmpd_env=(env "LD_PRELOAD=$san" ASAN_OPTIONS=detect_leaks=0)
start_snmpd "$work/dlmod.conf" "$work/dlmod.log" || exit 1
dlmod_checks "dlmod, foreground snmpd"
stop_pid "$snmpd_pid"
if grep -q "pop3monitor: probing $NTARGETS targets" "$work/dlmod.log"; then ok "dlmod: logged to snmpd's log"; else ko "dlmod log" "$(cat "$work/dlmod.log")"; fi

# Daemonised: snmpd forks after loading the module; the probe thread must
# start in the child (from the alarm), or nothing would ever be probed.
: > "$work/dlmod.log"
"${snmpd_env[@]}" snmpd -C -c "$work/dlmod.conf" -I -smux -Lf "$work/dlmod.log" -p "$work/daemon.pid"
wait_file "$work/daemon.pid"
daemon_pid=$(cat "$work/daemon.pid")
dlmod_checks "dlmod, daemonised (forking) snmpd"
kill "$daemon_pid" 2>/dev/null
for _ in $(seq 50); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$daemon_pid" 2>/dev/null; then ko "daemonised snmpd did not stop"; else ok "daemonised snmpd stopped (by PID)"; fi
rm -f "$work/daemon.pid"

# A bad config: snmpd keeps running and says what to fix.
sed "s|pop3monitorConfig .*|pop3monitorConfig $work/bad.yml|" "$work/dlmod.conf" > "$work/dlmod-bad.conf"
: > "$work/dlmod.log"
start_snmpd "$work/dlmod-bad.conf" "$work/dlmod.log" || exit 1
for _ in $(seq 30); do grep -q 'pop3monitor:' "$work/dlmod.log" && break; sleep 0.1; done
if grep -qF "pop3monitor: $work/bad.yml:7: targets[0].module: 'nosuch' is not a module defined under modules:; serving no targets" "$work/dlmod.log" &&
    snmp snmpget "$AGENT" 1.3.6.1.2.1.1.3.0 > /dev/null 2>&1; then
    ok "dlmod with a bad config: file, line and key in snmpd's log; snmpd still answers"
else
    ko "dlmod with a bad config" "$(cat "$work/dlmod.log")"
fi
stop_pid "$snmpd_pid"

suite_end
