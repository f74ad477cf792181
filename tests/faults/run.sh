#!/bin/bash
# SPDX-License-Identifier: MIT
# Fault tests: every scenario of tests/faults/scenarios (a scripted POP3
# server, faultserver.py, doing what a real one will not) against
# check_pop3 (exit code, first line, failed phase and error kind, time
# within the timeout + 0.5 s), pop3_exporter (probe_success,
# pop3_probe_status, pop3_probe_error{kind}) and the SNMP agent's row
# (status, error kind, failed phase); check_pop3 under valgrind memcheck
# for success and each kind of failure; the test password in no output
# and in no process's command line. Records its counts in
# $BUILD/results/faults for tests/summary.sh.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$here/../lib.sh"
export LD_LIBRARY_PATH="$build${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
check="$build/check_pop3"
SECRET=fault-Secret-42
suite_begin faults
need_tools "run 'make test', which installs what is needed" \
    python3 openssl curl snmpd snmpget snmpwalk

all="$work/all-output" # everything any program printed, for the secret test
: > "$all"

"$top/tests/integration/sandbox.sh" certs "$work" > /dev/null || exit 1
CA="$work/tls/ca.pem"
printf '%s\n' "$SECRET" > "$work/pw"
chmod 0600 "$work/pw"
python3 "$here/faultserver.py" "$here/scenarios" "$work/tls" "$work/ports" 2> "$work/faultserver.log" &
pids+=("$!")
for _ in $(seq 100); do [ -s "$work/ports" ] && break; sleep 0.1; done
[ -s "$work/ports" ] || { echo "faults: the fault server did not start:" >&2; cat "$work/faultserver.log" >&2; exit 1; }
# A port bound and never listened on refuses connections, and nothing
# else can take it while the suite runs (a port only found free could be
# given to the next server started with port 0).
python3 -c "import socket, sys, time
s = socket.socket(); s.bind(('127.0.0.1', 0))
print(s.getsockname()[1], flush=True); time.sleep(3600)" > "$work/refused.port" &
pids+=("$!")
for _ in $(seq 50); do [ -s "$work/refused.port" ] && break; sleep 0.1; done
REFUSED=$(cat "$work/refused.port")

# shellcheck source=tests/faults/lib.sh
. "$here/lib.sh"
load_scenarios

echo "== check_pop3: ${#names[@]} scenarios"
for n in "${names[@]}"; do
    check_args "$n"
    start=$(now_ms)
    out=$("$check" "${args[@]}" -v 2>&1)
    rc=$?
    ms=$(($(now_ms) - start))
    printf '%s\n' "$out" >> "$all"
    first=$(head -1 <<< "$out")
    failed=$(grep -m1 -o '^[a-z]\+ .*<- failed: [a-z]\+$' <<< "$out")
    phase=none kind=ok
    [ -n "$failed" ] && phase=${failed%% *} kind=${failed##* }
    limit=$((${S_TIMEOUT[$n]} * 1000 + 500))
    why=""
    [ "$rc" = "${S_STATE[$n]}" ] || why+=" exit $rc (want ${S_STATE[$n]});"
    one_of "$kind" "${S_KIND[$n]}" || why+=" kind $kind (want ${S_KIND[$n]});"
    [ "$phase" = "${S_PHASE[$n]}" ] || why+=" phase $phase (want ${S_PHASE[$n]});"
    [[ "$first" =~ ${S_LINE[$n]} ]] || why+=" first line does not match '${S_LINE[$n]}';"
    [ "$ms" -le "$limit" ] || why+=" took $ms ms (limit $limit);"
    if [ -z "$why" ]; then
        ok "$n: exit $rc, $kind in $phase, $ms ms"
    else
        ko "$n:$why" "$first"
    fi
done

echo "== pop3_exporter: the same scenarios through /probe"
write_config "$work/pop3check.yml" 600s
"$build/tests/fastpop3" "$work/fast.port" 600 > /dev/null 2>&1 &
pids+=("$!")
for _ in $(seq 50); do [ -s "$work/fast.port" ] && break; sleep 0.1; done
# A good server too (fastpop3 takes any login), for the bursts below.
sed -i "s|^modules:$|modules:\n  good:\n    user: fault\n    password_file: $work/pw\n    auth: user\n    allowed_targets: [\"127.0.0.1\"]|" "$work/pop3check.yml"
"$build/pop3_exporter" --config.file "$work/pop3check.yml" --web.listen-address 127.0.0.1:0 \
    2> "$work/exporter.log" &
pids+=("$!")
for _ in $(seq 50); do grep -q listening "$work/exporter.log" && break; sleep 0.1; done
EP=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$work/exporter.log")
[ -n "$EP" ] || { ko "exporter did not start" "$(cat "$work/exporter.log")"; EP=1; }
for n in "${names[@]}"; do
    start=$(now_ms)
    body=$(curl -s -H 'X-Prometheus-Scrape-Timeout-Seconds: 30' \
        "http://127.0.0.1:$EP/probe?target=${S_HOST[$n]}:${S_PORT[$n]}&module=$n&debug=true")
    ms=$(($(now_ms) - start))
    printf '%s\n' "$body" >> "$all"
    success=$(sed -n 's/^probe_success //p' <<< "$body")
    status=$(sed -n 's/^pop3_probe_status //p' <<< "$body")
    kinds=$(sed -n 's/^pop3_probe_error{kind="\([a-z]*\)"} 1$/\1/p' <<< "$body" | paste -sd' ')
    want_success=$([ "${S_STATE[$n]}" = 0 ] && echo 1 || echo 0)
    why=""
    [ "$success" = "$want_success" ] || why+=" probe_success '$success' (want $want_success);"
    [ "$status" = "${S_STATE[$n]}" ] || why+=" pop3_probe_status '$status' (want ${S_STATE[$n]});"
    if [ "${S_KIND[$n]}" = ok ]; then
        [ -z "$kinds" ] || why+=" error kinds '$kinds' (want none);"
    else
        one_of "$kinds" "${S_KIND[$n]}" || why+=" error kind '$kinds' (want ${S_KIND[$n]});"
    fi
    [ "$ms" -le $((${S_TIMEOUT[$n]} * 1000 + 700)) ] || why+=" took $ms ms;"
    if [ -z "$why" ]; then ok "$n: probe_success $success, status $status, kind ${kinds:-none}, $ms ms"; else ko "$n:$why"; fi
done

echo "== pop3_exporter: 256 requests at once on a fresh exporter, 6 times"
# libmicrohttpd 0.9.75 in epoll mode sometimes left such a first burst
# unread (requests in the socket queue, no event) until its 60 s timeout.
: > "$work/paths"
for n in "${names[@]}"; do
    echo "/probe?target=127.0.0.1:$(cat "$work/fast.port")&module=good" >> "$work/paths"
    echo "/probe?target=${S_HOST[$n]}:${S_PORT[$n]}&module=$n" >> "$work/paths"
done
sed '/^targets:/,$d' "$work/pop3check.yml" > "$work/modules.yml"
bursts=""
for round in 1 2 3 4 5 6; do
    "$build/pop3_exporter" --config.file "$work/modules.yml" --web.listen-address 127.0.0.1:0 \
        2> "$work/burst.log" &
    bp=$!
    # Under ASan on a slow machine a start can take seconds: wait for the
    # "listening" line (up to 30 s), never fire at a port not yet bound.
    for _ in $(seq 300); do grep -q listening "$work/burst.log" && break; sleep 0.1; done
    bport=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$work/burst.log")
    if [ -z "$bport" ]; then
        out="the exporter did not start within 30 s: $(tail -3 "$work/burst.log" | tr '\n' ' ')"
    else
        out=$(timeout 30 python3 "$top/tests/bench/httpload.py" mix "$bport" "$work/paths" 256 256 2>&1 | head -1)
    fi
    kill "$bp"
    wait "$bp" 2> /dev/null
    bursts+="$round: ${out:-no answer in 30 s}; "
    [[ "$out" == "200:256 in "* ]] || break
done
if [[ "$bursts" != *"6: 200:256 in "* ]]; then ko "a burst was not all answered" "$bursts"; else ok "6 bursts of 256 all answered (${bursts%%; *}, ...)"; fi

echo "== pop3_exporter: slow clients cannot lock others out"
# A scripted slow client (tests/tools/slowclients.py: at most 20,000
# connections for at most 120 s) floods from 127.0.0.2 past the
# per-address limit with requests that never end; scrapes from
# 127.0.0.1 must still be answered within 1 s, and from 127.0.0.2 once
# its connections have timed out. Then a client that trickles its
# headers, and kept-alive connections left idle.
"$build/pop3_exporter" --config.file "$work/modules.yml" --web.listen-address 127.0.0.1:0 \
    --web.read-header-timeout 2s --web.idle-timeout 1s --web.max-connections-per-address 300 \
    2> "$work/slow.log" &
sp=$!
for _ in $(seq 300); do grep -q listening "$work/slow.log" && break; sleep 0.1; done
sport=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$work/slow.log")
slow="$top/tests/tools/slowclients.py"
# within NAME URL [curl args]: a 200 in under 1 s
within() {
    local name=$1 url=$2 got
    shift 2
    got=$(curl -s -o /dev/null -m 5 -w '%{http_code} %{time_total}' "$@" "$url")
    if [[ "$got" == "200 "* ]] && awk -v t="${got#* }" 'BEGIN { exit !(t < 1) }'; then
        ok "$name: 200 in ${got#* } s"
    else
        ko "$name: '$got' (want 200 within 1 s)"
    fi
}
# closes NAME OUT COUNT MIN MAX: slowclients.py's line says that all COUNT
# were closed by the exporter, from MIN to MAX seconds
closes() {
    local name=$1 out=$2 count=$3 min=$4 max=$5
    if awk -v n="$count" -v lo="$min" -v hi="$max" '
        { for (i = 1; i < NF; i += 2) v[$i] = $(i + 1) }
        END { exit !(v["opened"] == n && v["closed"] == n && v["first_close"] >= lo && v["last_close"] <= hi) }' <<< "$out"; then
        ok "$name: $out"
    else
        ko "$name: want all $count closed from $min to $max s" "$out"
    fi
}
# logged CAUSE TOTAL: the lines that name CAUSE (a flag) add up to TOTAL,
# in at most 2 lines (the first at once, the rest after 10 s or at stop)
logged() {
    local cause=$1 total=$2 lines sum
    lines=$(grep -c -- "$cause" "$work/slow.log")
    sum=$(grep -- "$cause" "$work/slow.log" | sed -n 's/.*msg="\(refused\|closed\) \([0-9]*\) .*/\2/p' | awk '{ s += $1 } END { print s + 0 }')
    if [ "$lines" -ge 1 ] && [ "$lines" -le 2 ] && [ "${sum:-0}" = "$total" ]; then
        ok "log: $lines line(s) for $total events ($cause)"
    else
        ko "log for $cause: $lines lines adding up to ${sum:-0}, want 1-2 adding up to $total" "$(grep -- "$cause" "$work/slow.log")"
    fi
}
if [ -z "$sport" ]; then
    ko "the exporter did not start" "$(cat "$work/slow.log")"
else
    sbase="http://127.0.0.1:$sport"
    python3 "$slow" "$sport" 400 6 --source 127.0.0.2 --ready "$work/slow.ready" > "$work/flood.out" 2>&1 &
    fp=$!
    for _ in $(seq 100); do [ -s "$work/slow.ready" ] && break; sleep 0.1; done
    within "during the flood, /metrics from 127.0.0.1" "$sbase/metrics"
    within "during the flood, /probe from 127.0.0.1" "$sbase/probe?target=127.0.0.1:$(cat "$work/fast.port")&module=good"
    got=$(curl -s -o /dev/null -m 2 -w '%{http_code}' --interface 127.0.0.2 "$sbase/metrics")
    if [ "$got" != 200 ]; then ok "during the flood, 127.0.0.2 is refused (curl: $got)"; else ko "127.0.0.2 got 200 past its limit"; fi
    sleep 2.2 # the flood's headers are late: closed at 2 s
    within "after its connections timed out, /metrics from 127.0.0.2" "$sbase/metrics" --interface 127.0.0.2
    wait "$fp"
    closes "the flood: 100 refused at once, 300 closed at the header deadline" "$(cat "$work/flood.out")" 400 0 3.5
    closes "headers trickled a byte every 0.5 s: closed at 2 s all the same" \
        "$(python3 "$slow" "$sport" 5 6 --source 127.0.0.3 --trickle 0.5)" 5 1.9 3.5
    closes "kept alive and idle: closed at 1 s" \
        "$(python3 "$slow" "$sport" 3 5 --source 127.0.0.4 --keepalive)" 3 0.9 2.5
    get_m=$(curl -s -m 5 "$sbase/metrics")
    for want in 'pop3_exporter_http_connections_refused_total{reason="connection_limit"} 0' \
        'pop3_exporter_http_connections_timed_out_total{reason="idle"} 3'; do
        if grep -qxF "$want" <<< "$get_m"; then ok "/metrics: $want"; else ko "/metrics lacks '$want'" "$(grep http_connections <<< "$get_m")"; fi
    done
    # 101 refused (100 of the flood, curl's) and 305 late (300 + 5
    # trickled), but libmicrohttpd's 4 accepting threads may let up to 3
    # more in past the limit (README): those are refused no more and time
    # out instead, so the two add up to 406 whatever the race.
    refused=$(sed -n 's/^pop3_exporter_http_connections_refused_total{reason="address_limit"} //p' <<< "$get_m")
    late=$(sed -n 's/^pop3_exporter_http_connections_timed_out_total{reason="read_header"} //p' <<< "$get_m")
    if [ "${refused:-0}" -ge 98 ] && [ "${refused:-0}" -le 101 ] && [ $((refused + late)) -eq 406 ]; then
        ok "/metrics: $refused refused by the address limit and $late late headers (101 and 305, up to 3 let in)"
    else
        ko "/metrics: refused '$refused', late '$late' (want 98-101 adding up to 406)" "$(grep http_connections <<< "$get_m")"
    fi
    kill "$sp"
    wait "$sp" 2> /dev/null
    logged "(--web.max-connections-per-address)" "$refused"
    logged "(--web.read-header-timeout)" "$late"
fi
cat "$work/slow.log" >> "$all"

echo "== SNMP agent: the same scenarios as rows of pop3ProbeTable"
agentx_master || exit 1
AGENT=127.0.0.1:$SNMP_PORT
"$build/pop3_snmp_agent" --config.file "$work/pop3check.yml" --agentx.socket "$work/agentx.sock" \
    --agentx.ping-interval 1 2> "$work/agent.log" &
pids+=("$!")
ENTRY=1.3.6.1.4.1.8072.9999.9999.110.1.1.1
idx() {
    local s=$1 i out=${#1}
    for ((i = 0; i < ${#s}; i++)); do out+=".$(printf '%d' "'${s:i:1}")"; done
    echo "$out"
}
# The numbers of POP3-MONITOR-MIB's Pop3ErrorKind and Pop3ProbePhase.
kind_no() { local k=(ok resolve connect timeout tls certificate protocol auth command internal) i; for i in "${!k[@]}"; do [ "${k[$i]}" = "$1" ] && echo $((i + 1)); done; }
phase_no() { local p=(none resolve connect tls greeting capa stls auth stat list uidl top retr quit) i; for i in "${!p[@]}"; do [ "${p[$i]}" = "$1" ] && echo $((i + 1)); done; }
# Every row probed once: the slowest scenario takes its timeout.
for _ in $(seq 150); do
    n=$(snmpwalk -v2c -c public -On -t 2 "$AGENT" "$ENTRY.33" 2>/dev/null | grep -c 'Counter32: [1-9]')
    [ "$n" -ge "${#names[@]}" ] && break
    sleep 0.2
done
snmpwalk -v2c -c public -On -t 5 "$AGENT" "$ENTRY" > "$work/walk.txt" 2>&1
cat "$work/walk.txt" >> "$all"
cell() { sed -n "s/^.$ENTRY\.$1\.$(idx "$2") = [A-Za-z0-9]*: //p" "$work/walk.txt"; }
for n in "${names[@]}"; do
    status=$(cell 7 "$n")
    kind=$(cell 45 "$n")
    phase=$(cell 10 "$n")
    why=""
    [ "$status" = "${S_STATE[$n]}" ] || why+=" status '$status' (want ${S_STATE[$n]});"
    good_kind=0
    for k in ${S_KIND[$n]//|/ }; do [ "$kind" = "$(kind_no "$k")" ] && good_kind=1; done
    [ "$good_kind" = 1 ] || why+=" error kind '$kind' (want ${S_KIND[$n]});"
    [ "$phase" = "$(phase_no "${S_PHASE[$n]}")" ] || why+=" failed phase '$phase' (want ${S_PHASE[$n]});"
    if [ -z "$why" ]; then ok "$n: status $status, error kind $kind, failed phase $phase"; else ko "$n:$why"; fi
done

echo "== valgrind memcheck: check_pop3 on success and each kind of failure"
if ldd "$check" | grep -q 'lib[a-z]*san\.so'; then
    echo "skip valgrind: a sanitizer build (ASan and UBSan watch memory here; make check runs valgrind)"
elif command -v valgrind > /dev/null; then
    for n in ok-stls refused dns-invalid silent tls-handshake-fail cert-expired \
        greeting-not-ok pass-err-echo stat-err stat-malformed retr-cut; do
        check_args "$n"
        args[5]=10 # -t: valgrind is slow; the stalling ones still stall
        [ "$n" = silent ] && args[5]=2
        out=$(valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect \
            --show-leak-kinds=definite,indirect --error-exitcode=99 \
            --log-file="$work/vg-$n.log" "$check" "${args[@]}" 2>&1)
        rc=$?
        printf '%s\n' "$out" >> "$all"
        if [ "$rc" = "${S_STATE[$n]}" ] && [ ! -s "$work/vg-$n.log" ]; then
            ok "$n under valgrind: exit $rc, no error, no leak"
        else
            ko "$n under valgrind: exit $rc (want ${S_STATE[$n]})" "$(head -30 "$work/vg-$n.log")"
        fi
    done
else
    ko "valgrind is missing: apt-get install valgrind"
fi

echo "== secrets"
# A probe in flight: its command line is what ps and /proc show to all.
check_args silent
args[5]=5
"$check" "${args[@]}" > /dev/null 2>&1 &
cp_pid=$!
POP3_PASSWORD=$SECRET "$check" -H 127.0.0.1 -p "${S_PORT[silent]}" -u fault -t 5 > /dev/null 2>&1 &
env_pid=$!
sleep 0.5
for p in "$cp_pid:--password-file" "$env_pid:POP3_PASSWORD"; do
    pid=${p%%:*}
    if [ -r "/proc/$pid/cmdline" ] && ! tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$SECRET"; then
        ok "password given by ${p#*:}: not in /proc/$pid/cmdline"
    else
        ko "password given by ${p#*:}: in the command line, or no process to look at"
    fi
done
kill "$cp_pid" "$env_pid" 2>/dev/null
wait "$cp_pid" "$env_pid" 2>/dev/null
for f in exporter.log agent.log snmpd.log faultserver.log; do cat "$work/$f" >> "$all"; done
# The -vvv transcript of a login, and of the server echoing the password.
for n in ok-plain pass-err-echo; do
    check_args "$n"
    "$check" "${args[@]}" -vvv >> "$all" 2>&1
done
if grep -c . "$all" > /dev/null && ! grep -qF -- "$SECRET" "$all"; then
    ok "the password is in none of $(wc -l < "$all") lines of output (status lines, perfdata, -v/-vvv, metrics, debug transcripts, SNMP values, logs)"
else
    ko "the password appears in an output" "$(grep -F -- "$SECRET" "$all" | head -5)"
fi

suite_end
