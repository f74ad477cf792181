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

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
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

# The mailbox of the round trips, and the options every round trip takes.
pop=(-H "$HOST_GOOD" -p "$PORT_PLAIN" -u "$MTA_USER" --password-file "$pwfile")
smtp=(--smtp-host "$MTA_HOST" --smtp-port "$MTA_SUBMISSION_PORT" --cafile "$MTA_CA_FILE"
      --smtp-user "$MTA_USER" --mail-from "$MTA_ADDRESS" --rcpt-to "$MTA_ADDRESS"
      --poll-interval 0.2)

# run NAME WANT_RC REGEX [--line REGEX]... -- ARGS: check_pop3 ARGS wants
# exit code WANT_RC, a first line matching REGEX and each --line somewhere.
run() {
    local name=$1 want=$2 regex=$3 out rc first
    local -a lines=()
    shift 3
    while [ "$1" != "--" ]; do lines+=("$2"); shift 2; done
    shift
    out=$(timeout 60 "$check" "$@" 2>&1)
    rc=$?
    first=${out%%$'\n'*}
    if [ "$rc" -ne "$want" ] || ! [[ $first =~ $regex ]]; then
        ko "$name: rc $rc (want $want), first line must match /$regex/" "$out"
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

# messages: how many the mailbox holds, by Dovecot's own count (STAT).
messages() {
    curl -s --max-time 10 -u "$MTA_USER:$MTA_PASS" -X STAT --head \
        "pop3://$HOST_GOOD:$PORT_PLAIN/" 2> /dev/null | tr -d '\r' |
        sed -n 's/^+OK \([0-9]*\) .*/\1/p'
}

# ---- the chain works, every port and TLS mode ----
run "round trip over submission (STARTTLS, AUTH)" 0 \
    '^POP3 OK - round trip .* delivered in [0-9.]+ s \(polls every 0\.2 s: [0-9]+ polls?\)' \
    --line "'time_delivery'=[0-9.]+s" --line "delivered=1;;;0;1" \
    --line "'time_smtp_submit'=" --line "'time_smtp_tls'=" --line "'time_smtp_auth'=" \
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
    -- "${pop[@]}" "${smtp[@]}" --smtp-port "$MTA_PLAIN_PORT"
printf 'wrong-password\n' > "$work/wrong.pw"
chmod 0600 "$work/wrong.pw"
run "SMTP AUTH refused" 2 '^POP3 CRITICAL - round trip .* smtp_auth: .*535 5\.7\.8' \
    -- "${pop[@]}" "${smtp[@]}" --smtp-password-file "$work/wrong.pw"
run "relaying without AUTH refused, with the enhanced code" 2 \
    '^POP3 CRITICAL - round trip .* smtp_submit: RCPT TO refused: 55[34] 5\.7\.1' \
    -- "${pop[@]}" --smtp-host "$MTA_HOST" --smtp-port "$MTA_PLAIN_PORT" --smtp-tls none \
    --mail-from "$MTA_ADDRESS" --rcpt-to "$MTA_ADDRESS"
run "wrong mailbox password after a good submission" 2 \
    '^POP3 CRITICAL - round trip .* auth: ' \
    -- -H "$HOST_GOOD" -p "$PORT_PLAIN" -u "$MTA_USER" --password-file "$work/wrong.pw" \
    "${smtp[@]}" --smtp-password-file "$pwfile"
# A mailbox that never receives: the probe goes to trip, the check reads
# the empty mailbox; then the next good round trip cleans the probe, once
# its sender's deadline has passed.
run "not delivered: a mailbox that never receives" 2 \
    '^POP3 CRITICAL - round trip .* delivery: the probe was not in the mailbox' \
    --line "delivered=0;;;0;1" \
    -- -H "$HOST_GOOD" -p "$PORT_PLAIN" -u "$USER_EMPTY" --password-file "$SANDBOX_DIR/pass/empty" \
    "${smtp[@]}" --smtp-password-file "$pwfile" --check-name "$MTA_USER@$HOST_GOOD" -t 2
run "not delivered, with --not-delivered warning" 1 '^POP3 WARNING - round trip .* not in the mailbox' \
    -- -H "$HOST_GOOD" -p "$PORT_PLAIN" -u "$USER_EMPTY" --password-file "$SANDBOX_DIR/pass/empty" \
    "${smtp[@]}" --smtp-password-file "$pwfile" --check-name "$MTA_USER@$HOST_GOOD" -t 2 \
    --not-delivered warning
check "the empty mailbox stayed empty" "$(curl -s -u "$USER_EMPTY:$PASS_EMPTY" -X STAT --head \
    "pop3://$HOST_GOOD:$PORT_PLAIN/" | tr -d '\r' | sed -n 's/^+OK \([0-9]*\) .*/\1/p')" 0
sleep 1.2 # past the deadline written in those probes
run "the next round trip deletes both stale probes" 0 \
    '^POP3 OK - round trip .* delivered .*, 2 stale probes deleted' --line "stale_cleaned=2c" \
    -- "${pop[@]}" "${smtp[@]}"
check "no probe left" "$(messages)" 0
run "--delivery-critical on a delivery slower than the range" 2 \
    '^POP3 CRITICAL - round trip .* delivered .*delivery [0-9.]+ s \(critical 0\.000001\)' \
    -- "${pop[@]}" "${smtp[@]}" --delivery-critical 0.000001
run "the transcript shows no password" 0 '^POP3 OK' --line '^C: AUTH PLAIN \*+$' \
    -- "${pop[@]}" "${smtp[@]}" -vvv
out=$("$check" "${pop[@]}" "${smtp[@]}" -vvv 2>&1)
if grep -qF -- "$MTA_PASS" <<< "$out" ||
    grep -qF -- "$(printf '\0%s\0%s' "$MTA_USER" "$MTA_PASS" | base64)" <<< "$out"; then
    ko "a password (or its AUTH PLAIN base64) reached the output" "$out"
else
    ok "no password nor its base64 in -vvv output"
fi

# ---- safety: 200 messages of others survive 200 round trips ----
USER_NAME=$MTA_USER POP3_PASSWORD=$MTA_PASS "$top/tests/roundtrip/others.py" "$MTA_MAILDIR" 200 "$MTA_USER@$HOST_GOOD" > "$work/others.log" ||
    ko "writing the 200 messages of others" "$(cat "$work/others.log")"
chown -R --reference="$MTA_MAILDIR" "$MTA_MAILDIR"
# snapshot: UIDL and the SHA-256 of each message, sorted by UID.
snapshot() {
    python3 "$top/tests/roundtrip/snapshot.py" "$HOST_GOOD" "$PORT_PLAIN" "$MTA_USER" "$MTA_PASS"
}
snapshot > "$work/before" || ko "snapshot before" "$(cat "$work/before")"
check "the mailbox holds the 200 messages of others" "$(wc -l < "$work/before")" 200
killed=0 timed_out=0 good=0 bad=0
for i in $(seq "$runs"); do
    case $((i % 10)) in
    3 | 7) # killed between the submission and QUIT
        "$check" "${pop[@]}" "${smtp[@]}" > /dev/null 2>&1 &
        pid=$!
        sleep "0.$((RANDOM % 4 + 1))"
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
check "round trips killed / timed out / failed among the good ones" \
    "$killed / $timed_out / $bad" "$((runs / 5)) / $((runs / 10)) / 0"
[ "$bad" -eq 0 ] || ko "a round trip that should pass failed" "$(cat "$work"/bad-* | head -5)"
sleep 11 # past every deadline written in the probes left behind
run "the next good round trip" 0 '^POP3 OK - round trip .* delivered' -- "${pop[@]}" "${smtp[@]}"
snapshot > "$work/after"
if cmp -s "$work/before" "$work/after"; then
    ok "all 200 messages of others are there byte for byte, and no probe is left"
else
    ko "the mailbox changed" "$(diff "$work/before" "$work/after" | head -20)"
fi

suite_end
