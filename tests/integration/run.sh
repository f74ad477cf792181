#!/bin/bash
# SPDX-License-Identifier: MIT
# Integration tests: check_pop3 against a real Dovecot that this script
# starts on loopback (tests/integration/sandbox.sh) and stops by PID, plus
# a stalling server for what Dovecot will not do. Records its counts in
# $BUILD/results/integration for tests/summary.sh.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-build}
build=$(cd "$BUILD" && pwd)
results="$build/results"
mkdir -p "$results"
check="$build/check_pop3"
export LD_LIBRARY_PATH="$build${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

if [ "$(id -u)" -ne 0 ]; then
    echo "integration: needs root (Dovecot switches users); run 'sudo make check' or 'make test'" >&2
    exit 1
fi
if ! command -v dovecot >/dev/null; then
    echo "integration: Dovecot is missing: apt-get install dovecot-core dovecot-pop3d (or run 'make test')" >&2
    exit 1
fi

work=$(mktemp -d /tmp/pop3check-it.XXXXXX)
chmod 0711 "$work"
stall_pids=()
cleanup() {
    for pid in "${stall_pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    "$here/sandbox.sh" stop "$work/sandbox" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

"$here/sandbox.sh" start "$work/sandbox" || exit 1
# shellcheck disable=SC1091
. "$work/sandbox/env"
pw="$SANDBOX_DIR/pass"

# A server that accepts and never speaks, one that greets and then stalls,
# one that offers nothing but USER, and one that hangs up after CAPA.
start_stall() {
    "$build/tests/stallserver" "$work/$1.port" "$1" > /dev/null 2>&1 &
    stall_pids+=("$!")
    for _ in $(seq 50); do [ -s "$work/$1.port" ] && return 0; sleep 0.1; done
    echo "integration: stallserver $1 did not start" >&2
    exit 1
}
start_stall silent
start_stall greet
start_stall bare
start_stall hangup
SILENT=$(cat "$work/silent.port")
GREET=$(cat "$work/greet.port")
BARE=$(cat "$work/bare.port")
HANGUP=$(cat "$work/hangup.port")

pass=0 fail=0
all_output="$work/all-output"
: > "$all_output"

# t NAME RC REGEX [--max SECONDS] [--line REGEX] -- ARGS...: runs check_pop3
# ARGS, wants exit code RC, a first line matching REGEX (extended), and
# optionally a bound on the elapsed time and a later line matching.
t() {
    local name=$1 want_rc=$2 regex=$3 max="" line=""
    shift 3
    while [ "$1" != "--" ]; do
        case $1 in
        --max) max=$2 ;;
        --line) line=$2 ;;
        esac
        shift 2
    done
    shift
    local start end out rc first why=""
    start=$(date +%s.%N)
    out=$(timeout 60 "$check" "$@" 2>&1)
    rc=$?
    end=$(date +%s.%N)
    first=${out%%$'\n'*}
    printf '%s\n' "$out" >> "$all_output"
    [ "$rc" -eq "$want_rc" ] || why="exit $rc, want $want_rc"
    [[ "$first" =~ $regex ]] || why="${why:+$why; }first line does not match /$regex/"
    if [ -n "$line" ] && ! printf '%s\n' "$out" | tail -n +2 | grep -Eq -- "$line"; then
        why="${why:+$why; }no line matches /$line/"
    fi
    if [ -n "$max" ] && awk -v s="$start" -v e="$end" -v m="$max" 'BEGIN { exit !(e - s > m) }'; then
        why="${why:+$why; }took $(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }') s, max $max"
    fi
    if [ -z "$why" ]; then
        pass=$((pass + 1))
        echo "ok   $name"
    else
        fail=$((fail + 1))
        echo "FAIL $name: $why"
        printf '%s\n' "$out" | sed 's/^/     | /' | head -20
    fi
}

H=127.0.0.1
plain=(-H "$H" -p "$PORT_PLAIN")
stls=(-H "$H" -p "$PORT_PLAIN" --tls stls --cafile "$CA_FILE")
pop3s=(-H "$H" -p "$PORT_POP3S" -S --cafile "$CA_FILE")
small=(-u "$USER_SMALL" --password-file "$pw/small")

echo "== banner checks (no login)"
t "banner plain" 0 '^POP3 OK - .*"\+OK .*ready' -- "${plain[@]}"
t "banner stls" 0 '^POP3 OK - .*\(TLSv1\.[23]\)' -- "${stls[@]}"
t "banner pop3s" 0 '^POP3 OK - .*\(TLSv1\.[23]\)' -- "${pop3s[@]}"
t "banner perfdata has greeting and capa, no auth" 0 'time_greeting=[0-9.]+s;;;0 time_capa=[0-9.]+s;;;0 time_quit=' -- "${plain[@]}"
t "banner by name localhost" 0 '^POP3 OK' -- -H localhost -p "$PORT_POP3S" -S --cafile "$CA_FILE" -4

echo "== every mechanism, plain, STLS and POP3S"
for mech in user apop plain login cram-md5 scram-sha-1 scram-sha-256; do
    t "auth $mech plain" 0 "^POP3 OK - .* login ok, $SMALL_MESSAGES messages \($SMALL_OCTETS B\)" -- "${plain[@]}" "${small[@]}" --auth "$mech"
    t "auth $mech stls" 0 "^POP3 OK - .*TLSv1.* login ok, $SMALL_MESSAGES messages" -- "${stls[@]}" "${small[@]}" --auth "$mech"
    t "auth $mech pop3s" 0 "^POP3 OK - .*TLSv1.* login ok, $SMALL_MESSAGES messages" -- "${pop3s[@]}" "${small[@]}" --auth "$mech"
done
t "auth any prefers scram-sha-256, -v says so" 0 '^POP3 OK' --line '^login: scram-sha-256 as small, accepted$' -- "${plain[@]}" "${small[@]}" -v
t "-v says when the password itself crossed without TLS" 0 '^POP3 OK' --line '^login: plain as small, accepted \(password sent without TLS\)$' -- "${plain[@]}" "${small[@]}" --auth plain -v
t "-v has one line per phase" 0 '^POP3 OK' --line '^retr +not performed$' -- "${pop3s[@]}" "${small[@]}" -v
t "-v shows capabilities and certificate" 0 '^POP3 OK' --line '^certificate: expires .* \(36[45]\.[0-9] days left\)$' -- "${stls[@]}" -v
POP3_PASSWORD=$PASS_SMALL t "password from POP3_PASSWORD" 0 '^POP3 OK - .* login ok' -- "${plain[@]}" -u "$USER_SMALL"
# libcurl would otherwise tunnel through a proxy named in the environment
# and time the proxy: the proxy given here does not exist (a closed port).
all_proxy=http://127.0.0.1:$SILENT ALL_PROXY=http://127.0.0.1:$SILENT pop3_proxy=http://127.0.0.1:$SILENT \
    t "a proxy in the environment is not used" 0 '^POP3 OK - 127\.0\.0\.1:[0-9]+ .*login ok' -- "${pop3s[@]}" "${small[@]}"

echo "== SCRAM keys: derived once per probe, kept for its later runs"
# One probe object run three times in one process, as a scheduled target
# is. scram's password is stored as SCRAM-SHA-256 keys (one salt, one
# count): PBKDF2 runs for the first login only. For small, stored in
# plaintext, Dovecot makes up a fresh salt at every login, so the keys
# cannot be kept: derived each time.
scram_runs() { # USER MECH: the probe's SCRAM lines over three runs
    "$build/tests/probeloop" "$H" "$PORT_PLAIN" "$1" "$pw/$1" 3 "$2" 2>&1
}
derived="SCRAM-SHA-256: 4096 iterations, keys derived now, channel not bound (GS2 flag n)"
kept="SCRAM-SHA-256: 4096 iterations, keys kept from an earlier login, channel not bound (GS2 flag n)"
out=$(scram_runs "$USER_SCRAM" scram-sha-256)
if [ "$(grep '^info:' <<< "$out")" = "$(printf 'info: %s\n' "$derived" "$kept" "$kept")" ] &&
    grep -q '^median_us [0-9]' <<< "$out"; then
    pass=$((pass + 1)); echo "ok   scram-sha-256, stored keys: three logins, PBKDF2 in the first only"
else
    fail=$((fail + 1)); echo "FAIL scram-sha-256: keys not kept between runs"; printf '%s\n' "$out" | sed 's/^/     | /'
fi
out=$(scram_runs "$USER_SMALL" scram-sha-256)
if [ "$(grep -c "^info: $derived\$" <<< "$out")" = 3 ]; then
    pass=$((pass + 1)); echo "ok   scram-sha-256, plaintext on the server: a fresh salt each login, keys derived each time"
else
    fail=$((fail + 1)); echo "FAIL scram-sha-256 with a fresh salt per login"; printf '%s\n' "$out" | sed 's/^/     | /'
fi
t "scram user, forced scram-sha-256, wrong password" 2 '^POP3 CRITICAL - .*login failed \(SASL SCRAM-SHA-256\): -ERR \[AUTH\]' -- "${plain[@]}" -u "$USER_SCRAM" --password-file "$pw/small" --auth scram-sha-256

echo "== forced mechanisms the server does not offer"
t "apop without timestamp" 2 '^POP3 CRITICAL - .*does not offer APOP' -- -H "$H" -p "$BARE" -u x --password-file "$pw/small" --auth apop
t "cram-md5 not in CAPA" 2 '^POP3 CRITICAL - .*does not offer SASL CRAM-MD5' -- -H "$H" -p "$BARE" -u x --password-file "$pw/small" --auth cram-md5
t "scram-sha-256 not in CAPA: says what CAPA lists" 2 '^POP3 CRITICAL - .*does not offer SASL SCRAM-SHA-256 \(its CAPA lists: ' -- -H "$H" -p "$BARE" -u x --password-file "$pw/small" --auth scram-sha-256
t "stls not offered: no credentials" 2 '^POP3 CRITICAL - .*stls: the server does not offer STLS' -- -H "$H" -p "$BARE" --tls stls -u x --password-file "$pw/small"

echo "== login failures"
for mech in cram-md5 scram-sha-1 scram-sha-256; do
    POP3_PASSWORD=wrong-password t "wrong password ($mech)" 2 "^POP3 CRITICAL - .*login failed \\(SASL ${mech^^}\\): -ERR \\[AUTH\\] Authentication failed" --max 3 -- "${plain[@]}" -u "$USER_SMALL" --auth "$mech"
done
POP3_PASSWORD=wrong-password t "wrong password (any: scram-sha-256)" 2 '^POP3 CRITICAL - .*login failed \(SASL SCRAM-SHA-256\)' --max 3 -- "${plain[@]}" -u "$USER_SMALL"
POP3_PASSWORD=wrong-password t "wrong password (user)" 2 '^POP3 CRITICAL - .*login failed \(USER/PASS\): -ERR \[AUTH\] Authentication failed' --max 3 -- "${plain[@]}" -u "$USER_SMALL" --auth user
t "disabled account" 2 '^POP3 CRITICAL - .*login failed .*Account disabled' --max 3 -- "${plain[@]}" -u "$USER_DISABLED" --password-file "$pw/disabled" --auth user

echo "== SCRAM channel binding (-PLUS)"
# Dovecot 2.4 offers SCRAM-SHA-*-PLUS over TLS and checks the binding
# (tls-exporter over TLS 1.3, tls-unique before; it has no
# tls-server-end-point, which tests/faults covers). 2.3 has no -PLUS.
if [ "${SANDBOX_SCRAM_PLUS:-0}" = 1 ]; then
    t "any over POP3S (TLS 1.3) binds the channel: scram-sha-256-plus" 0 '^POP3 OK - .*\(TLSv1\.3\) login ok' --line '^login: scram-sha-256-plus as small, accepted$' -- "${pop3s[@]}" "${small[@]}" -v
    t "any over STLS binds the channel, with tls-exporter" 0 '^POP3 OK - .*\(TLSv1\.3\) login ok' --line '^\* SCRAM-SHA-256-PLUS: .*channel bound with tls-exporter$' -- "${stls[@]}" "${small[@]}" -vvv
    for mech in scram-sha-1-plus scram-sha-256-plus; do
        t "forced $mech over POP3S" 0 '^POP3 OK - .* login ok, 3 messages' --line "^login: $mech as small, accepted\$" -- "${pop3s[@]}" "${small[@]}" --auth "$mech" -v
        t "forced $mech over STLS" 0 '^POP3 OK - .* login ok, 3 messages' -- "${stls[@]}" "${small[@]}" --auth "$mech"
        POP3_PASSWORD=wrong-password t "forced $mech, wrong password" 2 "^POP3 CRITICAL - .*login failed \\(SASL ${mech^^}\\): -ERR \\[AUTH\\]" --max 3 -- "${pop3s[@]}" -u "$USER_SMALL" --auth "$mech"
    done
    t "stored SCRAM-SHA-256 keys, bound: scram-sha-256-plus" 0 '^POP3 OK - .* login ok' -- "${pop3s[@]}" -u "$USER_SCRAM" --password-file "$pw/scram" --auth scram-sha-256-plus
    t "forced scram-sha-256 over TLS while -PLUS is offered: GS2 flag n" 0 '^POP3 OK - .* login ok' --line '^\* SCRAM-SHA-256: .*channel not bound \(GS2 flag n\)$' -- "${pop3s[@]}" "${small[@]}" --auth scram-sha-256 -vvv
    t "no -PLUS on plain text: any takes scram-sha-256" 0 '^POP3 OK' --line '^login: scram-sha-256 as small, accepted$' -- "${plain[@]}" "${small[@]}" -v
    t "forced -PLUS on plain text: not offered, CAPA listed" 2 '^POP3 CRITICAL - .*does not offer SASL SCRAM-SHA-256-PLUS \(its CAPA lists: ' -- "${plain[@]}" "${small[@]}" --auth scram-sha-256-plus
    # A relay in the middle with a certificate the client trusts (the
    # server's own here, tests/integration/tlsrelay.py): two TLS sessions,
    # so the tls-exporter binding the client sends is not the one Dovecot
    # sees, and Dovecot must refuse the login. Unbound, the relay passes it.
    python3 "$here/tlsrelay.py" "$work/relay.port" "$SANDBOX_DIR/tls/good.pem" \
        "$SANDBOX_DIR/tls/good.key" "$PORT_POP3S" "$CA_FILE" 2>> "$work/relay.log" &
    stall_pids+=("$!")
    for _ in $(seq 50); do [ -s "$work/relay.port" ] && break; sleep 0.1; done
    relay=(-H "$H" -p "$(cat "$work/relay.port" 2>/dev/null)" -S --cafile "$CA_FILE")
    t "through a TLS relay, unbound (scram-sha-256): the relay passes the login" 0 '^POP3 OK - .*\(TLSv1\.3\) login ok, 3 messages' -- "${relay[@]}" "${small[@]}" --auth scram-sha-256
    dovecot_log_lines=$(wc -l < "$SANDBOX_DIR/dovecot.log")
    t "through a TLS relay, bound (scram-sha-256-plus): Dovecot refuses the login" 2 '^POP3 CRITICAL - .*login failed \(SASL SCRAM-SHA-256-PLUS\): -ERR \[AUTH\]' -- "${relay[@]}" "${small[@]}" --auth scram-sha-256-plus
    said=$(tail -n +"$((dovecot_log_lines + 1))" "$SANDBOX_DIR/dovecot.log" | grep -i -m1 -o '[^:]*channel binding.*')
    if [ -n "$said" ]; then
        pass=$((pass + 1)); echo "ok   through a TLS relay: Dovecot's log names the channel binding:${said:0:120}"
    else
        fail=$((fail + 1)); echo "FAIL through a TLS relay: Dovecot's log does not name the channel binding"
        tail -n +"$((dovecot_log_lines + 1))" "$SANDBOX_DIR/dovecot.log" | tail -n 5 | sed 's/^/     | /'
    fi
    t "through a TLS relay, any: -PLUS refused, then SCRAM-SHA-256 unbound in the same session" 0 '^POP3 OK - .* login ok' \
        --line '^\* SCRAM-SHA-256-PLUS refused \(-ERR .*\): the server may not take the tls-exporter binding; SCRAM-SHA-256 again, unbound$' -- "${relay[@]}" "${small[@]}" -vvv
else
    echo "skip Dovecot $(dovecot --version | cut -d' ' -f1) offers no SCRAM-*-PLUS: channel binding is tested against Dovecot 2.4 (Debian 13)"
    t "any over POP3S without -PLUS offered: GS2 flag y, accepted" 0 '^POP3 OK - .* login ok' --line '^\* SCRAM-SHA-256: .*channel not bound \(GS2 flag y: the server offers no -PLUS\)$' -- "${pop3s[@]}" "${small[@]}" -vvv
    t "forced -PLUS that the server lacks: CAPA listed" 2 '^POP3 CRITICAL - .*does not offer SASL SCRAM-SHA-256-PLUS \(its CAPA lists: ' -- "${pop3s[@]}" "${small[@]}" --auth scram-sha-256-plus
fi

echo "== mailboxes"
t "empty mailbox" 0 '^POP3 OK - .* login ok, 0 messages \(0 B\)' -- "${plain[@]}" -u "$USER_EMPTY" --password-file "$pw/empty" --list --retr first --top last
t "empty mailbox skips RETR" 0 'messages=0;;;0 size=0B;;;0 largest=0B;;;0$' -- "${plain[@]}" -u "$USER_EMPTY" --password-file "$pw/empty" --list --retr last
t "small mailbox, all commands" 0 "login ok, 3 messages .* largest=${SMALL_LARGEST}B;;;0 top_size=[0-9]+B;;;0 retr_size=[0-9]+B;;;0" -- "${plain[@]}" "${small[@]}" --list --uidl --top first --retr last
t "large mailbox" 0 "login ok, $LARGE_MESSAGES messages \($LARGE_OCTETS B\)" -- "${pop3s[@]}" -u "$USER_LARGE" --password-file "$pw/large" --list --uidl
t "RETR of a 10 MB message" 0 "retr_size=${BIG_OCTETS}B;;;0" -- "${stls[@]}" -u "$USER_BIG" --password-file "$pw/big" --retr 1
t "RETR of a missing message" 2 '^POP3 CRITICAL - .*RETR 9 refused: -ERR' -- "${plain[@]}" "${small[@]}" --retr 9

echo "== message age (TOP n 0 of fixtures with known dates)"
# The dates of tests/integration/fixtures/aged, as date(1) reads them (not
# the library's parser): message 3's Received: (the oldest), message 5's
# Date: (its Received: lies in 2099), message 1's newest Received:.
e3=$(date -u -d '2025-06-01 00:59:59' +%s) e5=$(date -u -d '2025-06-04 12:00:00' +%s)
e1=$(date -u -d '2025-06-02 06:00:00' +%s)
aged=(-u "$USER_AGED" --password-file "$pw/aged")
# age_perf NAME LABEL EPOCH ARGS...: the perfdata LABEL of check_pop3 ARGS
# is its age in seconds, now minus EPOCH as measured around the run.
age_perf() {
    local name=$1 label=$2 epoch=$3 t0 t1 out v
    shift 3
    t0=$(date +%s)
    out=$(timeout 60 "$check" "$@" 2>&1)
    t1=$(date +%s)
    v=$(printf '%s\n' "$out" | head -1 | sed -n "s/.*[ |]$label=\([0-9]*\)s;.*/\1/p")
    if [ -n "$v" ] && [ "$v" -ge $((t0 - epoch)) ] && [ "$v" -le $((t1 - epoch + 1)) ]; then
        pass=$((pass + 1))
        echo "ok   $name: $label=${v}s"
    else
        fail=$((fail + 1))
        echo "FAIL $name: $label '${v:-}', want $((t0 - epoch)) .. $((t1 - epoch + 1))"
        printf '%s\n' "$out" | sed 's/^/     | /' | head -10
    fi
}
t "age: every message read (6 <= 10), the oldest is message 3" 0 \
    '^POP3 OK - .* login ok, 6 messages \([0-9]+ B\), oldest [0-9]+ d [0-9]+ h in .* undated=2;;;0$' \
    --line '^age: oldest message 3 \(Received: 2025-06-01 00:59:59Z\), newest message 5 \(Date: 2025-06-04 12:00:00Z\); 6 of 6 messages read, 2 undated$' \
    -- "${plain[@]}" "${aged[@]}" --age -v
age_perf "age: the oldest's age" oldest_age "$e3" "${plain[@]}" "${aged[@]}" --age
age_perf "age: the newest's age (Date:, its Received: in the future not believed)" newest_age "$e5" "${plain[@]}" "${aged[@]}" --age
t "age: message 1 and the last only (--age-scan 2)" 0 ' undated=1;;;0$' \
    --line '^age: oldest message 1 \(Received: 2025-06-02 06:00:00Z\), newest message 1 \(Received: 2025-06-02 06:00:00Z\); 2 of 6 messages read, 1 undated$' \
    -- "${plain[@]}" "${aged[@]}" --age-scan 2 -v
age_perf "age: message 1's newest Received: (--age-scan 2)" oldest_age "$e1" "${plain[@]}" "${aged[@]}" --age-scan 2
t "age: a transcript with TOP n 0 only, never RETR" 0 '^POP3 OK' \
    --line '^C: TOP 6 0$' -- "${plain[@]}" "${aged[@]}" --age -vvv
if grep -q '^C: RETR' <(timeout 60 "$check" "${plain[@]}" "${aged[@]}" --age -vvv 2>&1); then
    fail=$((fail + 1)); echo "FAIL age: RETR sent"
else
    pass=$((pass + 1)); echo "ok   age: no RETR in the transcript"
fi
t "age warning (implies --age)" 1 '^POP3 WARNING - .*oldest message waited [0-9]+ d [0-9]+ h \([0-9]+ s, warning 3600\).*oldest_age=[0-9]+s;3600;;0' \
    -- "${plain[@]}" "${aged[@]}" --age-warning 3600
t "age critical" 2 '^POP3 CRITICAL - .*oldest message waited .*critical 86400\)' \
    -- "${plain[@]}" "${aged[@]}" --age-warning 3600 --age-critical 86400
t "age within its range" 0 '^POP3 OK - .*oldest_age=[0-9]+s;3000000000;;0' \
    -- "${plain[@]}" "${aged[@]}" --age-warning 3000000000
t "age: Date: only (the small fixtures, 2023)" 0 '^POP3 OK - .*, oldest [0-9]+ d' \
    --line '^age: oldest message 1 \(Date: 2023-11-14 22:13:01Z\), newest message 3 \(Date: 2023-11-14 22:13:03Z\); 3 of 3 messages read, 0 undated$' \
    -- "${plain[@]}" "${small[@]}" --age -v
t "age: an empty mailbox has none (and no alert)" 0 '^POP3 OK - .* login ok, 0 messages \(0 B\) in [0-9.]+ s \|' \
    --line '^age: the maildrop is empty$' \
    -- "${plain[@]}" -u "$USER_EMPTY" --password-file "$pw/empty" --age-critical 1 -v
t "age over STLS with the other commands" 0 '^POP3 OK - .*oldest_age=[0-9]+s;;;0 newest_age=[0-9]+s;;;0' \
    -- "${stls[@]}" "${aged[@]}" --age --list --uidl --top last --retr first
t "--age in a round trip is refused" 3 '^POP3 UNKNOWN - --age reads the messages of a mailbox that something else empties' \
    -- "${plain[@]}" "${aged[@]}" --age --smtp-host 127.0.0.1

echo "== thresholds"
t "total warning" 1 '^POP3 WARNING - .*total [0-9.e-]+ s \(warning 0.000001\)' -- "${plain[@]}" -w 0.000001 -c 60
t "total critical" 2 '^POP3 CRITICAL - .*total .*\(critical 0.000001\)' -- "${plain[@]}" -w 0.000001 -c 0.000001
t "total within thresholds" 0 '^POP3 OK .*time=[0-9.]+s;30;60;0' -- "${plain[@]}" -w 30 -c 60
t "phase critical" 2 '^POP3 CRITICAL - .*auth .*\(critical 0.0000001\)' -- "${plain[@]}" "${small[@]}" --phase-critical auth=0.0000001
t "phase warning, inside range" 1 '^POP3 WARNING - .*stat' -- "${plain[@]}" "${small[@]}" --phase-warning stat=@0:60
t "messages warning" 1 '^POP3 WARNING - .*messages 3 \(warning 2\).*messages=3;2;;0' -- "${plain[@]}" "${small[@]}" --messages-warning 2
t "messages critical" 2 '^POP3 CRITICAL - .*messages 5000 \(critical 4999\)' -- "${plain[@]}" -u "$USER_LARGE" --password-file "$pw/large" --messages-warning 10 --messages-critical 4999
t "octets warning" 1 '^POP3 WARNING - .*mailbox size' -- "${plain[@]}" "${small[@]}" --octets-warning 1000
t "octets fine" 0 "^POP3 OK .*size=${SMALL_OCTETS}B;100000;200000;0" -- "${plain[@]}" "${small[@]}" --octets-warning 100000 --octets-critical 200000

echo "== certificates"
t "expired certificate is refused" 2 '^POP3 CRITICAL - .*tls: .*certificate has expired' -- -H "$HOST_EXPIRED" -p "$PORT_POP3S" -S --cafile "$CA_FILE"
t "expired certificate, not verified, -D" 2 '^POP3 CRITICAL - .*certificate expired [0-9]+ days ago' -- -H "$HOST_EXPIRED" -p "$PORT_POP3S" -S --insecure -D 30,14
t "expired certificate over STLS" 2 '^POP3 CRITICAL - .*certificate has expired' -- -H "$HOST_EXPIRED" -p "$PORT_PLAIN" --tls stls --cafile "$CA_FILE" "${small[@]}"
t "soon-expiring certificate critical" 2 '^POP3 CRITICAL - .*certificate expires in [45]\.[0-9] days \(critical < 14\)' -- -H "$HOST_SOON" -p "$PORT_POP3S" -S --cafile "$CA_FILE" -D 30,14
t "soon-expiring certificate warning" 1 '^POP3 WARNING - .*certificate expires in [45]\.[0-9] days \(warning < 30\).*cert_days=[45]\.[0-9];30:;3:' -- -H "$HOST_SOON" -p "$PORT_POP3S" -S --cafile "$CA_FILE" -D 30,3
t "valid certificate with -D" 0 '^POP3 OK .*cert_days=36[45]\.[0-9];30:;14:' -- "${pop3s[@]}" -D 30,14
t "unknown CA" 2 '^POP3 CRITICAL - .*tls: SSL certificate problem' -- -H "$H" -p "$PORT_POP3S" -S
t "wrong name with --sni" 2 '^POP3 CRITICAL - .*tls: .*(match|name)' -- -H "$H" -p "$PORT_POP3S" -S --cafile "$CA_FILE" --sni mail.example.org

echo "== network failures and timeouts"
t "refused port" 2 '^POP3 CRITICAL - .*connect: Connection refused' --max 2 -- -H "$H" -p 1
t "name that does not resolve" 2 '^POP3 CRITICAL - .*resolve: ' --max 12 -- -H pop3check-test.invalid
t "silent server, timeout" 2 '^POP3 CRITICAL - .*greeting: no answer within 1000 ms' --max 1.5 -- -H "$H" -p "$SILENT" -t 1
t "silent server, timeout state warning" 1 '^POP3 WARNING - .*greeting: no answer' --max 1.5 -- -H "$H" -p "$SILENT" -t 1:warning
t "greeting then silence, fractional timeout" 2 '^POP3 CRITICAL - .*capa: no answer within 500 ms' --max 1.0 -- -H "$H" -p "$GREET" -t 0.5
t "silent server with login" 2 '^POP3 CRITICAL - .*no answer' --max 1.5 -- -H "$H" -p "$SILENT" -t 1 "${small[@]}" --retr 1

echo "== many probes at once on one thread (library multi API)"
# CRAM-MD5, as 'any' chose before SCRAM: with SCRAM-SHA-256 and a {PLAIN}
# password Dovecot's one auth process runs PBKDF2 for each of the 40 logins
# (0.7 s in all on a 2-core machine), which tests Dovecot, not the multi API.
if out=$(timeout 30 "$build/tests/multiprobe" "$H" "$PORT_PLAIN" "$USER_SMALL" "$pw/small" "$SMALL_MESSAGES" "$SILENT" 40 cram-md5 2>&1); then
    pass=$((pass + 1)); echo "ok   $out"
else
    fail=$((fail + 1)); echo "FAIL multiprobe:"; printf '%s\n' "$out" | sed 's/^/     | /' | tail -10
fi
if out=$(timeout 20 "$build/tests/deadconn" "$HANGUP" 2>&1); then
    pass=$((pass + 1)); echo "ok   hang-up while the loop is busy: $out"
else
    fail=$((fail + 1)); echo "FAIL deadconn: $out"
fi

echo "== bad options: exit 3 and one line"
t "no host" 3 '^POP3 UNKNOWN - no host given: use -H' --
t "bad port" 3 "^POP3 UNKNOWN - -p '0': the port must be 1-65535$" -- -H "$H" -p 0
t "bad range" 3 "^POP3 UNKNOWN - -w '1x' is not a range" -- -H "$H" -w 1x
t "bad phase" 3 "^POP3 UNKNOWN - --phase-warning: unknown phase 'login'" -- -H "$H" --phase-warning login=1
t "missing password" 3 '^POP3 UNKNOWN - -u needs a password' -- -H "$H" -u small
t "missing password file" 3 "^POP3 UNKNOWN - --password-file '/nonexistent': No such file or directory\$" -- -H "$H" -u small --password-file /nonexistent
t "unknown option" 3 "^POP3 UNKNOWN - unknown option '--bogus'" -- -H "$H" --bogus
t "bad timeout" 3 "^POP3 UNKNOWN - -t '0'" -- -H "$H" -t 0
t "IPv4 address with -6" 3 '^POP3 UNKNOWN - host: an IPv4 address cannot be reached over IPv6' -- -H "$H" -6
t "bad host characters" 3 '^POP3 UNKNOWN - host: ' -- -H 'mail.example.org/evil'
t "help" 3 '^check_pop3 .* check a POP3 server' -- --help
t "version" 3 '^check_pop3 [0-9]' -- -V

echo "== secret files: the library's one rule, in check_pop3, pop3_exporter and the SNMP agent"
# x NAME WANT CMD...: the exit code and output (stdout and stderr) of CMD
# must be exactly WANT, written "CODE:OUTPUT" (a hang ends at 30 s: 124).
x() {
    local name=$1 want=$2 out
    shift 2
    out=$(timeout 30 "$@" 2>&1)
    out="$?:$out"
    printf '%s\n' "$out" >> "$all_output"
    if [ "$out" = "$want" ]; then
        pass=$((pass + 1)); echo "ok   $name"
    else
        fail=$((fail + 1)); echo "FAIL $name: want '$want'"; printf '%s\n' "$out" | sed 's/^/     | /' | head -10
    fi
}
open_pw="$work/open.pw" group_pw="$work/group.pw"
cp "$pw/small" "$open_pw"
cp "$pw/small" "$group_pw"
chmod 0644 "$open_pw"
chmod 0640 "$group_pw"
mkfifo -m 0600 "$work/fifo"
open_why="'$open_pw' is open to other users (mode 0644): run chmod o-rwx '$open_pw'"
x "password file others can read: exit 3, the chmod to run" "3:POP3 UNKNOWN - --password-file $open_why" \
    "$check" "${plain[@]}" -u "$USER_SMALL" --password-file "$open_pw"
x "password file is a directory" "3:POP3 UNKNOWN - --password-file '/etc' is a directory, not a file" \
    "$check" "${plain[@]}" -u "$USER_SMALL" --password-file /etc
x "password file is a FIFO: refused, not waited on" "3:POP3 UNKNOWN - --password-file '$work/fifo' is not a regular file (a FIFO)" \
    "$check" "${plain[@]}" -u "$USER_SMALL" --password-file "$work/fifo"
t "password file 0640 (its group may read it): real login" 0 "^POP3 OK - .* login ok, $SMALL_MESSAGES messages" -- "${plain[@]}" -u "$USER_SMALL" --password-file "$group_pw" --auth user
printf 'modules:\n  login:\n    user: %s\n    password_file: %s\n' "$USER_SMALL" "$open_pw" > "$work/open.yml"
x "pop3_exporter --config.check: password_file others can read" \
    "1:pop3_exporter: $work/open.yml:4: modules.login.password_file: $open_why" \
    "$build/pop3_exporter" --config.file "$work/open.yml" --config.check
x "pop3_snmp_agent --config.check: password_file others can read" \
    "1:pop3_snmp_agent: $work/open.yml:4: modules.login.password_file: $open_why" \
    "$build/pop3_snmp_agent" --config.file "$work/open.yml" --config.check
x "pop3_snmp_agent refuses to start on it" \
    "1:pop3_snmp_agent: $work/open.yml:4: modules.login.password_file: $open_why" \
    "$build/pop3_snmp_agent" --config.file "$work/open.yml" --agentx.socket "$work/no-agentx"
chmod 0640 "$open_pw"
x "pop3_exporter --config.check: password_file 0640" "0:$work/open.yml: ok, 1 modules, 0 targets" \
    "$build/pop3_exporter" --config.file "$work/open.yml" --config.check
x "pop3_snmp_agent --config.check: password_file 0640" "0:pop3_snmp_agent: $work/open.yml is valid" \
    "$build/pop3_snmp_agent" --config.file "$work/open.yml" --config.check

echo "== OAuth 2.0: bearer tokens that Dovecot introspects at a local endpoint"
# The sandbox's oauth2-server.py knows the tokens in pass/token-*: small's
# (valid, scope pop3), a 3000-character one of small's (too long for the
# 255 octets of an AUTH line: the two-step form), an expired one, one for
# another scope, and large's.
tok() { printf '%s\n' -u "$USER_SMALL" --token-file "$pw/token-$1"; }
mapfile -t tok_small < <(tok small)
mapfile -t tok_long < <(tok long)
for mech in xoauth2 oauthbearer; do
    t "auth $mech plain" 0 "^POP3 OK - .* login ok, $SMALL_MESSAGES messages \($SMALL_OCTETS B\)" -- "${plain[@]}" "${tok_small[@]}" --auth "$mech"
    t "auth $mech stls" 0 "^POP3 OK - .*TLSv1.* login ok, $SMALL_MESSAGES messages" -- "${stls[@]}" "${tok_small[@]}" --auth "$mech"
    t "auth $mech pop3s" 0 "^POP3 OK - .*TLSv1.* login ok, $SMALL_MESSAGES messages" -- "${pop3s[@]}" "${tok_small[@]}" --auth "$mech"
    t "auth $mech: the token on the AUTH line, redacted" 0 '^POP3 OK' --line "^C: AUTH ${mech^^} \\*{8}\$" -- "${plain[@]}" "${tok_small[@]}" --auth "$mech" -vvv
    t "auth $mech, 3000-character token: AUTH alone, then the token" 0 "^POP3 OK - .* login ok, $SMALL_MESSAGES messages" --line "^C: AUTH ${mech^^}\$" -- "${pop3s[@]}" "${tok_long[@]}" --auth "$mech" -vvv
done
t "auth any with a token takes oauthbearer; -v: the token crossed without TLS" 0 '^POP3 OK' --line '^login: oauthbearer as small, accepted \(token sent without TLS\)$' -- "${plain[@]}" "${tok_small[@]}" -v
t "auth any with a token over POP3S: no warning" 0 '^POP3 OK' --line '^login: oauthbearer as small, accepted$' -- "${pop3s[@]}" "${tok_small[@]}" -v
# A refusal comes as an error challenge (base64 JSON): its status shown,
# the dummy response sent, then Dovecot's -ERR.
for mech in xoauth2 oauthbearer; do
    t "$mech, expired token: the challenge's status, kind auth" 2 "^POP3 CRITICAL - .*login failed \\(SASL ${mech^^}: status \"[a-z0-9_]+\".*\\): -ERR \\[AUTH\\] Authentication failed\\." --line '^auth +[0-9.]+ s +<- failed: auth$' -- "${plain[@]}" -u "$USER_SMALL" --token-file "$pw/token-expired" --auth "$mech" -v
    t "$mech, token for another scope (audience) refused" 2 "^POP3 CRITICAL - .*login failed \\(SASL ${mech^^}: status \"[a-z0-9_]+\"" -- "${plain[@]}" -u "$USER_SMALL" --token-file "$pw/token-scope" --auth "$mech"
done
t "xoauth2 refused: Dovecot's challenge, then the empty dummy response" 2 '^POP3 CRITICAL' --line '^C: $' -- "${plain[@]}" -u "$USER_SMALL" --token-file "$pw/token-expired" --auth xoauth2 -vvv
t "oauthbearer refused: the dummy response ^A" 2 '^POP3 CRITICAL' --line '^C: AQ==$' -- "${plain[@]}" -u "$USER_SMALL" --token-file "$pw/token-expired" --auth oauthbearer -vvv
# Upstream Dovecot 2.4.1 took a valid token of another user as this one's
# (fixed in 2.4.2); Debian's 2.4.1 and 2.3.19 refuse it (2.4.1 without an
# error challenge).
t "another user's token refused" 2 '^POP3 CRITICAL - .*login failed \(SASL XOAUTH2' -- "${plain[@]}" -u "$USER_SMALL" --token-file "$pw/token-large" --auth xoauth2
t "xoauth2 not in CAPA: says what CAPA lists" 2 '^POP3 CRITICAL - .*does not offer SASL XOAUTH2 \(its CAPA lists: ' -- -H "$H" -p "$BARE" -u x --token-file "$pw/token-small" --auth xoauth2
t "a token with a password mechanism: exit 3" 3 '^POP3 UNKNOWN - password: needed with a password mechanism \(with a token, use auth xoauth2, oauthbearer or any\)$' -- "${plain[@]}" "${tok_small[@]}" --auth plain
t "--password-file and --token-file together: exit 3" 3 '^POP3 UNKNOWN - --password-file, --token-file and --token-url: give one of them' -- "${plain[@]}" "${small[@]}" --token-file "$pw/token-small"
printf 'not a token\n' > "$work/bad.token"
chmod 0600 "$work/bad.token"
t "a token file whose line is not a token: kind auth, says so" 2 "^POP3 CRITICAL - .*token file: '$work/bad.token': its first line is not an OAuth 2.0 bearer token" -- "${plain[@]}" -u "$USER_SMALL" --token-file "$work/bad.token"
cp "$pw/token-small" "$work/open.token"
chmod 0644 "$work/open.token"
t "token file others can read: exit 3, the chmod to run" 3 "^POP3 UNKNOWN - --token-file '$work/open.token' is open to other users \\(mode 0644\\): run chmod o-rwx '$work/open.token'\$" -- "${plain[@]}" -u "$USER_SMALL" --token-file "$work/open.token"
printf 'modules:\n  oauth:\n    user: %s\n    token_file: %s\n    auth: xoauth2\n' "$USER_SMALL" "$work/open.token" > "$work/open-token.yml"
x "pop3_exporter --config.check: token_file others can read" \
    "1:pop3_exporter: $work/open-token.yml:4: modules.oauth.token_file: '$work/open.token' is open to other users (mode 0644): run chmod o-rwx '$work/open.token'" \
    "$build/pop3_exporter" --config.file "$work/open-token.yml" --config.check
x "pop3_snmp_agent --config.check: token_file others can read" \
    "1:pop3_snmp_agent: $work/open-token.yml:4: modules.oauth.token_file: '$work/open.token' is open to other users (mode 0644): run chmod o-rwx '$work/open.token'" \
    "$build/pop3_snmp_agent" --config.file "$work/open-token.yml" --config.check
# The token file is read again at every run of one probe: a refresher's
# new token is used at the next run (here an expired one, which fails).
cp "$pw/token-small" "$work/rotating.token"
chmod 0600 "$work/rotating.token"
out=$("$build/tests/probeloop" "$H" "$PORT_PLAIN" "$USER_SMALL" "$work/rotating.token" 2 xoauth2 "$pw/token-expired" 2>&1)
if grep -q '^run 1: ok$' <<< "$out" && grep -q '^run 2: auth: login failed (SASL XOAUTH2' <<< "$out"; then
    pass=$((pass + 1)); echo "ok   the token file is read at every run"
else
    fail=$((fail + 1)); echo "FAIL the token file is read at every run"; printf '%s\n' "$out" | sed 's/^/     | /'
fi

echo "== OAuth 2.0 client-credentials grant at the sandbox's token endpoint"
idp="http://127.0.0.1:$OAUTH2_PORT"
grants() { curl -s --max-time 5 "$idp/stats" | python3 -c 'import json, sys; print(json.load(sys.stdin)["grants"])'; }
grant=(-u "$USER_SMALL" --token-url "$idp/token" --client-id "$OAUTH2_CLIENT" --client-secret-file "$pw/client-secret" --token-scope pop3)
t "grant, then login with the token; -v: the token phase first" 0 "^POP3 OK - .* login ok, $SMALL_MESSAGES messages .*time_token=[0-9.]+s" --line '^token +[0-9.]+ s$' -- "${plain[@]}" "${grant[@]}" --auth xoauth2 -v
t "grant over POP3S with oauthbearer (any)" 0 "^POP3 OK - .*TLSv1.* login ok" --line '^login: oauthbearer as small, accepted$' -- "${pop3s[@]}" "${grant[@]}" -v
rm -f "$work/token.cache"
before=$(grants)
t "--token-cache: the first check asks for a token and keeps it" 0 '^POP3 OK - .*time_token=' --line '^\* token: granted for 3600 s, kept for 3540 s$' -- "${plain[@]}" "${grant[@]}" --token-cache "$work/token.cache" -vvv
t "--token-cache: the next check uses it, no token phase" 0 '^POP3 OK - .* login ok' --line '^\* token: kept from an earlier grant, used for another [0-9]+ s$' -- "${plain[@]}" "${grant[@]}" --token-cache "$work/token.cache" -vvv
after=$(grants)
if [ "$((after - before))" = 1 ] && [ "$(stat -c %a "$work/token.cache")" = 600 ]; then
    pass=$((pass + 1)); echo "ok   two checks, one grant; the cache file is 0600"
else
    fail=$((fail + 1)); echo "FAIL two checks with a cache: $((after - before)) grants, mode $(stat -c %a "$work/token.cache" 2>&1)"
fi
if out=$("$check" "${plain[@]}" "${grant[@]}" --token-cache "$work/token.cache" -vvv 2>&1) && [[ $out != *time_token=* ]]; then
    pass=$((pass + 1)); echo "ok   a cached token: the token phase is not performed"
else
    fail=$((fail + 1)); echo "FAIL a cached token still timed a grant"; printf '%s\n' "$out" | head -3 | sed 's/^/     | /'
fi
# A token the server refuses is not kept: the next check asks again.
python3 - "$work/token.cache" "$(head -1 "$pw/token-expired")" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["access_token"] = sys.argv[2]
open(p, "w").write(json.dumps(c))
PY
t "a cached token the server refuses: kind auth" 2 '^POP3 CRITICAL - .*login failed \(SASL XOAUTH2' -- "${plain[@]}" "${grant[@]}" --auth xoauth2 --token-cache "$work/token.cache"
t "... and it is dropped: the next check gets a new one" 0 '^POP3 OK - .*time_token=' -- "${plain[@]}" "${grant[@]}" --auth xoauth2 --token-cache "$work/token.cache"
chmod 0644 "$work/token.cache"
t "a cache file others can read is not used" 0 '^POP3 OK - .*time_token=' --line "^\\* token cache: '$work/token.cache' is open to other users" -- "${plain[@]}" "${grant[@]}" --token-cache "$work/token.cache" -vvv
before=$(grants)
t "an answer without expires_in: used, not kept" 0 '^POP3 OK - .*time_token=' --line '^\* token: granted without expires_in, not kept$' -- "${plain[@]}" -u "$USER_SMALL" --token-url "$idp/token" --client-id noexpiry --client-secret-file "$pw/client-secret" --token-cache "$work/noexpiry.cache" -vvv
t "... so the next check asks again" 0 '^POP3 OK - .*time_token=' -- "${plain[@]}" -u "$USER_SMALL" --token-url "$idp/token" --client-id noexpiry --client-secret-file "$pw/client-secret" --token-cache "$work/noexpiry.cache"
after=$(grants)
if [ "$((after - before))" = 2 ] && [ ! -e "$work/noexpiry.cache" ]; then
    pass=$((pass + 1)); echo "ok   without expires_in: two checks, two grants, no cache file"
else
    fail=$((fail + 1)); echo "FAIL without expires_in: $((after - before)) grants; cache file: $(ls "$work/noexpiry.cache" 2>&1)"
fi
t "a wrong client secret: HTTP 401 from the endpoint, kind auth in the token phase" 2 '^POP3 CRITICAL - .*token endpoint: HTTP 401, error "invalid_client"' --line '^token +[0-9.]+ s  <- failed: auth$' -- "${plain[@]}" -u "$USER_SMALL" --token-url "$idp/token" --client-id "$OAUTH2_CLIENT" --client-secret-file "$pw/small" -v
t "a token endpoint that does not answer: the deadline holds" 2 '^POP3 CRITICAL - .*token endpoint: no answer within 2000 ms' --max 3 --line '^token +2\.[0-9]+ s  <- failed: timeout$' -- "${plain[@]}" -u "$USER_SMALL" --token-url "$idp/token-slow" --client-id "$OAUTH2_CLIENT" --client-secret-file "$pw/client-secret" -t 2 -v
t "a token endpoint that is down: kind connect" 2 '^POP3 CRITICAL - .*token endpoint: ' -- "${plain[@]}" -u "$USER_SMALL" --token-url "http://127.0.0.1:1/token" --client-id "$OAUTH2_CLIENT" --client-secret-file "$pw/client-secret"
t "an http:// token endpoint off loopback is refused" 3 '^POP3 UNKNOWN - --token-url: token_url: an https:// URL \(http:// only to a loopback address\)' -- "${plain[@]}" -u "$USER_SMALL" --token-url "http://login.example.com/token" --client-id "$OAUTH2_CLIENT" --client-secret-file "$pw/client-secret"
t "a grant needs its client" 3 '^POP3 UNKNOWN - an OAuth 2.0 grant needs --token-url, --client-id and --client-secret-file together$' -- "${plain[@]}" -u "$USER_SMALL" --token-url "$idp/token"
if grep -qF -- "$(head -1 "$pw/client-secret")" "$all_output"; then
    fail=$((fail + 1)); echo "FAIL the client secret appears in the output"
else
    pass=$((pass + 1)); echo "ok   the client secret is in no output"
fi

echo "== secrets"
for p in "$PASS_EMPTY" "$PASS_SMALL" "$PASS_LARGE" "$PASS_BIG" "$PASS_DISABLED" "$PASS_SCRAM" wrong-password \
    "$(head -1 "$pw/token-small")" "$(head -1 "$pw/token-long")" "$(head -1 "$pw/token-expired")"; do
    if grep -qF -- "$p" "$all_output"; then
        fail=$((fail + 1)); echo "FAIL a password appears in the output: $p"
    else
        pass=$((pass + 1)); echo "ok   password absent from every output: ${p:0:3}..."
    fi
done
t "transcript redacts the password" 0 '^POP3 OK' --line '^C: PASS \*{8}$' -- "${plain[@]}" "${small[@]}" --auth user -vvv
t "transcript of SCRAM: the proof redacted" 0 '^POP3 OK' --line '^C: \*{8}$' -- "${plain[@]}" -u "$USER_SCRAM" --password-file "$pw/scram" --auth scram-sha-256 -vvv

echo "integration ${pass} ${fail}" > "$results/integration"
echo "integration: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
