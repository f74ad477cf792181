#!/bin/bash
# SPDX-License-Identifier: MIT
# Round-trip tests: check_pop3 submits its probe to a real Postfix
# (tests/integration/mta.sh: submission with STARTTLS and AUTH, smtps, a
# plain port) that delivers over LMTP to the sandbox Dovecot, and finds it
# there over POP3. Then the safety rule: a mailbox of 200 messages of other
# people (the probe's subject, another check's identifier, a forged one, a
# real identifier copied into a body) survives 200 round trips, some killed
# between submission and QUIT and some timed out before delivery, byte for
# byte; and no probe of the check is left after the next good round trip.
# Both servers are started here and stopped by PID.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$here/../lib.sh"
check="$build/check_pop3"
export LD_LIBRARY_PATH="$build${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
suite_begin roundtrip
need_root "Dovecot and Postfix switch users"
need_tools "run 'make test', which installs them" dovecot postfix python3 curl
# ROUNDTRIP_SAFETY_RUNS: the round trips of the safety test (200).
runs=${ROUNDTRIP_SAFETY_RUNS:-200}

suite_cleanup_more() {
    "$top/tests/integration/mta.sh" stop "$work/sandbox" > /dev/null 2>&1
}
"$top/tests/integration/sandbox.sh" start "$work/sandbox" || exit 1
"$top/tests/integration/mta.sh" start "$work/sandbox" || exit 1
# shellcheck disable=SC1091
. "$work/sandbox/env"
# shellcheck disable=SC1091
. "$work/sandbox/mta.env"
pwfile="$SANDBOX_DIR/pass/$MTA_USER"
# One key for every round trip of the check, also those that read another
# mailbox (whose derived key would differ).
keyfile="$work/probe.key"
probe_key=$(head -c 24 /dev/urandom | base64)
printf '%s\n' "$probe_key" > "$keyfile"
chmod 0600 "$keyfile"

# The mailbox of the round trips, and the options every round trip takes.
pop=(-H "$HOST_GOOD" -p "$PORT_PLAIN" -u "$MTA_USER" --password-file "$pwfile")
smtp=(--smtp-host "$MTA_HOST" --smtp-port "$MTA_SUBMISSION_PORT" --cafile "$MTA_CA_FILE"
      --smtp-user "$MTA_USER" --mail-from "$MTA_ADDRESS" --rcpt-to "$MTA_ADDRESS"
      --poll-interval 0.2 --check-name "$MTA_USER@$HOST_GOOD" --probe-key-file "$keyfile")

# run NAME WANT_RC REGEX [--line REGEX | --max SECONDS]... -- ARGS:
# check_pop3 ARGS wants exit code WANT_RC, a first line matching REGEX,
# each --line somewhere, and to be done within --max seconds.
run() {
    local name=$1 want=$2 regex=$3 out rc first max="" t0 ms
    local -a lines=()
    shift 3
    while [ "$1" != "--" ]; do
        if [ "$1" = --max ]; then max=$2; else lines+=("$2"); fi
        shift 2
    done
    shift
    t0=$(now_ms)
    out=$(timeout 60 "$check" "$@" 2>&1)
    rc=$?
    ms=$(($(now_ms) - t0))
    first=${out%%$'\n'*}
    if [ "$rc" -ne "$want" ] || ! [[ $first =~ $regex ]]; then
        ko "$name: rc $rc (want $want), first line must match /$regex/" "$out"
        return
    fi
    if [ -n "$max" ] && [ "$ms" -gt "$(awk -v s="$max" 'BEGIN { printf "%d", s * 1000 }')" ]; then
        ko "$name: took $ms ms, more than $max s" "$out"
        return
    fi
    local l
    for l in "${lines[@]}"; do
        if ! grep -Eq -- "$l" <<< "$out"; then
            ko "$name: no line matches /$l/" "$out"
            return
        fi
    done
    ok "$name"
}

# messages [USER PASSWORD]: how many the mailbox holds (STAT).
messages() {
    POP3_PASSWORD=${2:-$MTA_PASS} python3 "$top/tests/roundtrip/snapshot.py" \
        "$HOST_GOOD" "$PORT_PLAIN" "${1:-$MTA_USER}" - --count
}

# ---- the chain works, every port and TLS mode ----
run "round trip over submission (STARTTLS, AUTH)" 0 \
    '^POP3 OK - round trip .* delivered in [0-9.]+ s \(polls every 0\.2 s: [0-9]+ polls?\)' \
    --line " time_delivery=[0-9.]+s" --line " delivered=1;;;0;1" \
    --line " time_smtp_submit=" --line " time_smtp_tls=" --line " time_smtp_auth=" \
    --line "^submission: .* \(TLS\), probe [0-9a-f]{32}, last reply 250 2\.0\.0" \
    --line "^  $MTA_HOSTNAME at [0-9-]+ [0-9:]+Z \(\+0 s\)" \
    -- "${pop[@]}" "${smtp[@]}" -v
check "the probe was deleted" "$(messages)" 0
run "round trip over smtps (implicit TLS)" 0 '^POP3 OK - round trip .* delivered' \
    -- "${pop[@]}" "${smtp[@]}" --smtp-port "$MTA_SMTPS_PORT" --smtp-tls implicit
run "round trip over plain SMTP with STARTTLS optional" 0 '^POP3 OK - round trip .* delivered' \
    -- "${pop[@]}" "${smtp[@]}" --smtp-port "$MTA_PLAIN_PORT" --smtp-tls try -v
run "STARTTLS required, the plain port has none: no credentials sent" 2 \
    '^POP3 CRITICAL - round trip .* smtp_tls: the server does not offer STARTTLS' \
    --max 10.5 -- "${pop[@]}" "${smtp[@]}" --smtp-port "$MTA_PLAIN_PORT"
printf 'wrong-password\n' > "$work/wrong.pw"
chmod 0600 "$work/wrong.pw"
run "SMTP AUTH refused" 2 '^POP3 CRITICAL - round trip .* smtp_auth: .*535 5\.7\.8' \
    --max 10.5 -- "${pop[@]}" "${smtp[@]}" --smtp-password-file "$work/wrong.pw"
run "a forced SASL mechanism the server lacks: in smtp_auth, nothing sent" 2 \
    '^POP3 CRITICAL - round trip .* smtp_auth: the server does not offer the SASL mechanism asked for' \
    --max 10.5 -- "${pop[@]}" "${smtp[@]}" --smtp-auth NTLM
# OAuth 2.0 on both sides: the mailbox's token (Dovecot introspects it at
# the sandbox's endpoint) logs in to POP3 and, through Postfix's Dovecot
# SASL, to the submission server (libcurl's CURLOPT_XOAUTH2_BEARER).
oauth_pop=(-H "$HOST_GOOD" -p "$PORT_PLAIN" -u "$MTA_USER" --token-file "$SANDBOX_DIR/pass/token-trip")
for mech in XOAUTH2 OAUTHBEARER; do
    run "round trip with OAuth 2.0: SMTP AUTH $mech, POP3 with the same token" 0 \
        '^POP3 OK - round trip .* delivered' --line "^C: AUTH $mech\$" --line '^C: \*{8}$' \
        -- "${oauth_pop[@]}" "${smtp[@]}" --smtp-auth "$mech" -vvv
done
check "the OAuth probes were deleted" "$(messages)" 0
run "SMTP AUTH XOAUTH2 with an expired token: refused in smtp_auth" 2 \
    '^POP3 CRITICAL - round trip .* smtp_auth: ' \
    --max 10.5 -- -H "$HOST_GOOD" -p "$PORT_PLAIN" -u "$MTA_USER" --token-file "$SANDBOX_DIR/pass/token-expired" \
    "${smtp[@]}" --smtp-auth XOAUTH2
run "relaying without AUTH refused, with the enhanced code" 2 \
    '^POP3 CRITICAL - round trip .* smtp_submit: RCPT TO refused: 55[34] 5\.7\.1' \
    -- "${pop[@]}" --smtp-host "$MTA_HOST" --smtp-port "$MTA_PLAIN_PORT" --smtp-tls none \
    --mail-from "$MTA_ADDRESS" --rcpt-to "$MTA_ADDRESS"
run "wrong mailbox password after a good submission" 2 \
    '^POP3 CRITICAL - round trip .* login failed .*-ERR \[AUTH\]' \
    -- -H "$HOST_GOOD" -p "$PORT_PLAIN" -u "$MTA_USER" --password-file "$work/wrong.pw" \
    "${smtp[@]}" --smtp-password-file "$pwfile" -t 2
# A mailbox that never receives: the probe goes to trip, the check reads
# the empty mailbox; then the next good round trip cleans the probe, once
# its sender's deadline has passed.
run "not delivered: a mailbox that never receives" 2 \
    '^POP3 CRITICAL - round trip .* delivery: the probe was not in the mailbox' \
    --line "delivered=0;;;0;1" \
    -- -H "$HOST_GOOD" -p "$PORT_PLAIN" -u "$USER_EMPTY" --password-file "$SANDBOX_DIR/pass/empty" \
    "${smtp[@]}" --smtp-password-file "$pwfile" -t 2
run "not delivered, with --not-delivered warning" 1 '^POP3 WARNING - round trip .* not in the mailbox' \
    -- -H "$HOST_GOOD" -p "$PORT_PLAIN" -u "$USER_EMPTY" --password-file "$SANDBOX_DIR/pass/empty" \
    "${smtp[@]}" --smtp-password-file "$pwfile" -t 2 --not-delivered warning
check "the empty mailbox stayed empty" "$(messages "$USER_EMPTY" "$PASS_EMPTY")" 0
sleep 2 # past the deadline written in those probes (sent + 2 s + 1 s)
run "the next round trip deletes the three stale probes" 0 \
    '^POP3 OK - round trip .* delivered .*, 3 stale probes deleted' --line "stale_cleaned=3c" \
    -- "${pop[@]}" "${smtp[@]}"
check "no probe left" "$(messages)" 0
run "--delivery-critical on a delivery slower than the range" 2 \
    '^POP3 CRITICAL - round trip .* delivered .*delivery [0-9.]+ s \(critical 0\.000001\)' \
    -- "${pop[@]}" "${smtp[@]}" --delivery-critical 0.000001
run "the transcript shows no password" 0 '^POP3 OK' \
    --line '^C: AUTH (PLAIN|LOGIN|CRAM-MD5)( \*{8})?$' --line '^C: \*{8}$' \
    -- "${pop[@]}" "${smtp[@]}" -vvv
out=$("$check" "${pop[@]}" "${smtp[@]}" -vvv 2>&1)
if grep -qF -- "$MTA_PASS" <<< "$out" ||
    grep -qF -- "$(printf '\0%s\0%s' "$MTA_USER" "$MTA_PASS" | base64)" <<< "$out"; then
    ko "a password (or its AUTH PLAIN base64) reached the output" "$out"
else
    ok "no password nor its base64 in -vvv output"
fi

# ---- faults: a scripted SMTP server for what Postfix will not do ----
python3 "$top/tests/roundtrip/smtpfault.py" "$work/smtp.ports" > "$work/smtpfault.log" 2>&1 &
pids+=("$!")
for _ in $(seq 50); do [ -s "$work/smtp.ports" ] && break; sleep 0.1; done
fport() { awk -v n="$1" '$1 == n { print $2 }' "$work/smtp.ports"; }
fault=(--smtp-host 127.0.0.1 --smtp-tls none --mail-from "$MTA_ADDRESS" --rcpt-to "$MTA_ADDRESS"
       --poll-interval 0.2 --check-name "$MTA_USER@$HOST_GOOD" --probe-key-file "$keyfile" -t 2)
run "temporary failure: 451 to RCPT TO" 2 \
    '^POP3 CRITICAL - round trip .* smtp_submit: RCPT TO refused: 451 4\.3\.0 Temporary failure' \
    --line "^SMTP server said: 451 4\.3\.0" --max 2.5 -- "${pop[@]}" "${fault[@]}" --smtp-port "$(fport rcpt-451)" -v
run "submission refused: 550 to MAIL FROM" 2 \
    '^POP3 CRITICAL - round trip .* smtp_submit: MAIL FROM refused: 550 5\.7\.1' \
    --line "last reply 550 5\.7\.1" --max 2.5 -- "${pop[@]}" "${fault[@]}" --smtp-port "$(fport mail-550)" -v
run "greeting 554: no service" 2 '^POP3 CRITICAL - round trip .* smtp_greeting: .*554' \
    --max 2.5 -- "${pop[@]}" "${fault[@]}" --smtp-port "$(fport greeting-554)"
run "a DATA that is never answered: the timeout, in phase smtp_submit" 2 \
    '^POP3 CRITICAL - round trip .* smtp_submit: .*no answer in time' \
    --max 2.5 -- "${pop[@]}" "${fault[@]}" --smtp-port "$(fport data-stall)"
run "a DATA answered in 1.5 s, with a threshold on smtp_submit" 1 \
    '^POP3 WARNING - round trip .* not in the mailbox|^POP3 WARNING - .*smtp_submit' \
    --max 3.5 -- "${pop[@]}" "${fault[@]}" --smtp-port "$(fport data-slow)" -t 3 \
    --phase-warning smtp_submit=1 --not-delivered warning
run "the server closes after its 250: the message was taken" 1 \
    '^POP3 WARNING - round trip .* delivery: the probe was not in the mailbox' \
    --max 1.5 -- "${pop[@]}" "${fault[@]}" --smtp-port "$(fport bye-after-data)" -t 1 --not-delivered warning
run "the POP3 side down after a good submission" 2 \
    '^POP3 CRITICAL - round trip .* connect: ' --line " time_smtp_submit=" --max 2.5 \
    -- -H "$HOST_GOOD" -p "$(free_port)" -u "$MTA_USER" --password-file "$pwfile" "${smtp[@]}" -t 2

# ---- a probe delivered after its deadline is cleaned by the next one ----
pfconf="$SANDBOX_DIR/postfix/conf"
# reload_postfix: 'postfix reload' only signals the master; the queue
# manager that reads defer_transports restarts a moment later (seconds on
# a loaded machine), so wait for a new one before going on.
reload_postfix() {
    local old new
    old=$(pgrep -P "$MTA_PID" -x qmgr || true)
    postfix -c "$pfconf" reload > /dev/null 2>&1
    for _ in $(seq 100); do
        new=$(pgrep -P "$MTA_PID" -x qmgr || true)
        [ -n "$new" ] && [ "$new" != "$old" ] && return 0
        sleep 0.1
    done
    echo "roundtrip: Postfix's qmgr did not restart after the reload" >&2
}
postconf -c "$pfconf" -e defer_transports=lmtp && reload_postfix
run "delivery held back by the MTA: not delivered" 2 \
    '^POP3 CRITICAL - round trip .* delivery: the probe was not in the mailbox' \
    --max 2.5 -- "${pop[@]}" "${smtp[@]}" -t 2
held=$(messages)
postconf -c "$pfconf" -X defer_transports && reload_postfix
postqueue -c "$pfconf" -f
for _ in $(seq 50); do [ "$(messages)" -gt "$held" ] && break; sleep 0.1; done
check "the held probe arrived late" "$(messages)" "$((held + 1))"
sleep 1 # its deadline passes (sent + 2 s + 1 s)
# held: the probe left by the POP3-down case, now stale too.
run "the late probe is deleted by the next round trip, not counted as delivered" 0 \
    "^POP3 OK - round trip .* delivered in 0\.[0-9]+ s .*, $((held + 1)) stale probes? deleted" \
    -- "${pop[@]}" "${smtp[@]}"
check "no probe left" "$(messages)" 0

# ---- killed after DELE +OK, before QUIT: nothing is deleted ----
before=$(messages)
# (in a subshell whose stderr takes the shell's "Killed")
(POP3_PASSWORD=$MTA_PASS timeout 30 "$build/tests/killatdele" -H "$HOST_GOOD" -p "$PORT_PLAIN" \
    -u "$MTA_USER" "${smtp[@]}" -t 2 > "$work/killatdele.out"
    exit $?) 2> /dev/null
rc=$?
check "killed by SIGKILL right after DELE was answered (rc 137)" "$rc" 137
check "the probe it marked deleted is still there" "$(messages)" "$((before + 1))"
sleep 3 # past its deadline
run "the next round trip deletes it" 0 '^POP3 OK - round trip .* delivered .*, 1 stale probe deleted' \
    -- "${pop[@]}" "${smtp[@]}"

# ---- safety: 200 messages of others survive 200 round trips ----
PROBE_KEY=$probe_key "$top/tests/roundtrip/others.py" "$MTA_MAILDIR" 200 "$MTA_USER@$HOST_GOOD" > "$work/others.log" ||
    ko "writing the 200 messages of others" "$(cat "$work/others.log")"
chown -R --reference="$MTA_MAILDIR" "$MTA_MAILDIR"
run "a round trip among them" 0 '^POP3 OK - round trip .* delivered' --line "^polls: 1, headers read: 201," \
    -- "${pop[@]}" "${smtp[@]}" -v
# snapshot: UIDL and the SHA-256 of each message, sorted by UID.
snapshot() {
    python3 "$top/tests/roundtrip/snapshot.py" "$HOST_GOOD" "$PORT_PLAIN" "$MTA_USER" "$MTA_PASS"
}
snapshot > "$work/before" || ko "snapshot before" "$(cat "$work/before")"
check "the mailbox holds the 200 messages of others" "$(wc -l < "$work/before")" 200
killed=0 timed_out=0 good=0 bad=0
for i in $(seq "$runs"); do
    case $((i % 10)) in
    3 | 7) # killed between the submission and QUIT (one poll a second)
        "$check" "${pop[@]}" "${smtp[@]}" --poll-interval 1 > /dev/null 2>&1 &
        pid=$!
        sleep "0.$((RANDOM % 9 + 1))"
        kill -KILL "$pid" 2> /dev/null && killed=$((killed + 1))
        wait "$pid" 2> /dev/null
        ;;
    5) # timed out before delivery could be seen
        "$check" "${pop[@]}" "${smtp[@]}" -t 0.3 > /dev/null 2>&1
        timed_out=$((timed_out + 1))
        ;;
    *)
        if "$check" "${pop[@]}" "${smtp[@]}" -t 10 > "$work/last" 2>&1; then
            good=$((good + 1))
        else
            bad=$((bad + 1))
            cp "$work/last" "$work/bad-$i"
        fi
        ;;
    esac
done
want_killed=0 want_timed_out=0
for i in $(seq "$runs"); do
    case $((i % 10)) in 3 | 7) want_killed=$((want_killed + 1)) ;; 5) want_timed_out=$((want_timed_out + 1)) ;; esac
done
check "round trips killed / timed out / failed among the good ones" \
    "$killed / $timed_out / $bad" "$want_killed / $want_timed_out / 0"
[ "$bad" -eq 0 ] || ko "a round trip that should pass failed" "$(cat "$work"/bad-* | head -5)"
sleep 11 # past every deadline written in the probes left behind
run "the next good round trip" 0 '^POP3 OK - round trip .* delivered' -- "${pop[@]}" "${smtp[@]}"
snapshot > "$work/after"
if cmp -s "$work/before" "$work/after"; then
    ok "all 200 messages of others are there byte for byte, and no probe is left"
else
    ko "the mailbox changed" "$(diff "$work/before" "$work/after" | head -20)"
fi

# ---- the SNMP agent's round-trip rows and notifications ----
if command -v snmpd > /dev/null && command -v snmptrapd > /dev/null; then
    export MIBS='' SNMP_PERSISTENT_DIR="$work/persist"
    mkdir -p "$SNMP_PERSISTENT_DIR"
    ROOT=1.3.6.1.4.1.8072.9999.9999.110
    ENTRY=$ROOT.1.1.1
    SNMP_PORT=$(free_port udp)
    TRAP_PORT=$(free_port udp)
    snmp() { "$1" -v2c -c public -On -t 2 -r 0 "${@:2}"; }
    idx() {
        local s=$1 i out=${#1}
        for ((i = 0; i < ${#s}; i++)); do out+=".$(printf '%d' "'${s:i:1}")"; done
        echo "$out"
    }
    val() {
        snmp snmpget "127.0.0.1:$SNMP_PORT" "$ENTRY.$1.$(idx "$2")" 2> /dev/null |
            sed -e 's/^[^=]*= //' -e 's/^[A-Za-z0-9-]*: //' -e 's/ *$//'
    }
    traps() { grep -c "$ROOT\.0\.$1|.*\.$ENTRY\.2\.$(idx "$2") " "$work/traps.log" 2> /dev/null || true; }
    printf '[snmp] clientaddr 127.0.0.1\nagentAddress udp:127.0.0.1:%s\nmaster agentx\nagentXSocket %s\nrocommunity public 127.0.0.1\ntrap2sink 127.0.0.1:%s public\n' \
        "$SNMP_PORT" "$work/agentx.sock" "$TRAP_PORT" > "$work/snmpd.conf"
    printf 'disableAuthorization yes\n' > "$work/snmptrapd.conf"
    snmptrapd -f -C -c "$work/snmptrapd.conf" -Lf "$work/traps.log" -On \
        -F "TRAP %V|%v\n" "127.0.0.1:$TRAP_PORT" &
    pids+=("$!")
    snmpd -f -C -c "$work/snmpd.conf" -I -smux -Lf "$work/snmpd.log" &
    pids+=("$!")
    for _ in $(seq 100); do [ -S "$work/agentx.sock" ] && break; sleep 0.1; done
    # rt_lost reads the empty mailbox while its probes go to trip's;
    # rt_badauth forces a mechanism Postfix lacks (a wrong password every
    # 2 s would earn 127.0.0.1 Dovecot's auth penalty, slowing rt-good).
    cat > "$work/snmp.yml" << YAML
modules:
  rt:
    user: $MTA_USER
    password_file: $pwfile
    cafile: $MTA_CA_FILE
    timeout: 5s
    round_trip: { smtp_host: $MTA_HOST, smtp_port: $MTA_SUBMISSION_PORT, smtp_user: $MTA_USER,
                  mail_from: $MTA_ADDRESS, rcpt_to: $MTA_ADDRESS, poll_interval: 200ms,
                  check_name: snmp-good, probe_key_file: $keyfile }
    allowed_targets: ["127.0.0.1"]
  rt_badauth:
    user: $MTA_USER
    password_file: $pwfile
    cafile: $MTA_CA_FILE
    timeout: 5s
    round_trip: { smtp_host: $MTA_HOST, smtp_port: $MTA_SUBMISSION_PORT, smtp_user: $MTA_USER,
                  smtp_auth: NTLM, mail_from: $MTA_ADDRESS, rcpt_to: $MTA_ADDRESS }
    allowed_targets: ["127.0.0.1"]
  rt_lost:
    user: $USER_EMPTY
    password_file: $SANDBOX_DIR/pass/empty
    cafile: $MTA_CA_FILE
    timeout: 2s
    round_trip: { smtp_host: $MTA_HOST, smtp_port: $MTA_SUBMISSION_PORT, smtp_user: $MTA_USER,
                  smtp_password_file: $pwfile, mail_from: $MTA_ADDRESS, rcpt_to: $MTA_ADDRESS,
                  poll_interval: 200ms, check_name: snmp-lost }
    allowed_targets: ["127.0.0.1"]
  login:
    user: $MTA_USER
    password_file: $pwfile
    allowed_targets: ["127.0.0.1"]
targets:
  - { name: rt-good, target: "127.0.0.1:$PORT_PLAIN", module: rt, interval: 2s }
  - { name: rt-badauth, target: "127.0.0.1:$PORT_PLAIN", module: rt_badauth, interval: 2s }
  - { name: rt-lost, target: "127.0.0.1:$PORT_PLAIN", module: rt_lost, interval: 2s }
  - { name: plain, target: "127.0.0.1:$PORT_PLAIN", module: login, interval: 2s }
YAML
    "$build/pop3_snmp_agent" --config.file "$work/snmp.yml" --agentx.socket "$work/agentx.sock" \
        --agentx.ping-interval 1 2> "$work/agent.log" &
    pids+=("$!")
    for _ in $(seq 150); do
        [ "$(val 57 rt-good)" -ge 2 ] 2> /dev/null && [ "$(val 54 rt-lost)" -ge 1 ] 2> /dev/null && break
        sleep 0.2
    done
    check "pop3ProbeRoundTrip of a round trip / of a login" "$(val 55 rt-good) / $(val 55 plain)" "1 / 2"
    check "pop3ProbeLastDelivery: delivered, submissionFailed, notDelivered, none" \
        "$(val 56 rt-good) $(val 56 rt-badauth) $(val 56 rt-lost) $(val 56 plain)" "2 4 3 1"
    d=$(val 52 rt-good)
    if [[ $d =~ ^[0-9]+$ ]] && [ "$d" -gt 0 ]; then ok "pop3ProbeDeliveryTime of rt-good: $d us"; else ko "pop3ProbeDeliveryTime: '$d'" "$(cat "$work/agent.log")"; fi
    check "rt-badauth failed in smtp_auth (19), kind auth (8)" "$(val 10 rt-badauth) $(val 45 rt-badauth)" "19 8"
    check "rt-lost failed in delivery (21), kind notDelivered (11)" "$(val 10 rt-lost) $(val 45 rt-lost)" "21 11"
    sf=$(val 58 rt-badauth)
    if [[ $sf =~ ^[0-9]+$ ]] && [ "$sf" -ge 1 ]; then ok "pop3ProbeSubmissionFailures of rt-badauth: $sf"; else ko "pop3ProbeSubmissionFailures: '$sf'"; fi
    for _ in $(seq 50); do [ "$(traps 3 rt-lost)" -ge 1 ] && [ "$(traps 3 rt-badauth)" -ge 1 ] && break; sleep 0.2; done
    check "pop3ProbeDeliveryFailed once each for rt-badauth and rt-lost, never for rt-good" \
        "$(traps 3 rt-badauth) $(traps 3 rt-lost) $(traps 3 rt-good)" "1 1 0"
    # Postfix stopped, then started again on the same ports: rt-good fails
    # and recovers, a notification each way.
    "$top/tests/integration/mta.sh" stop "$work/sandbox" > /dev/null 2>&1
    for _ in $(seq 50); do [ "$(traps 3 rt-good)" -ge 1 ] && break; sleep 0.2; done
    check "Postfix stopped: pop3ProbeDeliveryFailed for rt-good, last delivery submissionFailed" \
        "$(traps 3 rt-good) $(val 56 rt-good)" "1 4"
    POP3_MTA_PORT_BASE=$MTA_SUBMISSION_PORT "$top/tests/integration/mta.sh" start "$work/sandbox" 2> /dev/null
    for _ in $(seq 75); do [ "$(traps 4 rt-good)" -ge 1 ] && break; sleep 0.2; done
    check "Postfix back: pop3ProbeDeliveryRecovered for rt-good, delivered again" \
        "$(traps 4 rt-good) $(val 56 rt-good)" "1 2"
else
    ko "snmpd and snmptrapd are missing (run 'make test', which installs them)"
fi

suite_end
