#!/bin/bash
# SPDX-License-Identifier: MIT
# Interop: check_pop3 against POP3 servers other than Dovecot, each started
# here on loopback by its own script (tests/interop/SERVER.sh start DIR) and
# stopped by PID, each with the same fixture mailbox (the six messages of
# tests/integration/fixtures/aged) and the same matrix: banner, every
# mechanism it offers (forced), one it lacks, a wrong password, STAT, LIST,
# UIDL, TOP and RETR with the counts checked against the fixtures and the
# sizes against Python's poplib (an independent client), STLS and POP3S,
# the age of the messages, an empty mailbox, and the round trip into a
# server with LMTP or a maildir (through the test MTA, whose SASL is the
# sandbox Dovecot's, started here too). Records its counts in
# $BUILD/results/interop for tests/summary.sh.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$here/../lib.sh"
suite_begin interop
need_root "the servers switch to the mail user"
need_tools "run 'make test'" python3 openssl
check="$build/check_pop3"
export LD_LIBRARY_PATH="$build${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
read -r -a servers <<< "${INTEROP_SERVERS:-mailutils popa3d cyrus}"
started=()
# shellcheck disable=SC2317 # called by lib.sh's trap
suite_cleanup_more() {
    local s
    "$top/tests/integration/mta.sh" stop "$work/sandbox" > /dev/null 2>&1
    for s in "${started[@]}"; do "$top/tests/interop/$s.sh" stop "$work/$s"; done
}

# t NAME RC REGEX [--line REGEX] -- ARGS: check_pop3 ARGS exits RC, its
# first line matches REGEX, and a later line matches --line.
t() {
    local name=$1 want_rc=$2 regex=$3 line="" out rc first why=""
    shift 3
    while [ "$1" != "--" ]; do
        [ "$1" = --line ] && line=$2
        shift 2
    done
    shift
    out=$(timeout 60 "$check" "$@" 2>&1)
    rc=$?
    first=${out%%$'\n'*}
    [ "$rc" -eq "$want_rc" ] || why="exit $rc, want $want_rc"
    [[ $first =~ $regex ]] || why="${why:+$why; }first line does not match /$regex/"
    if [ -n "$line" ] && ! printf '%s\n' "$out" | tail -n +2 | grep -Eq -- "$line"; then
        why="${why:+$why; }no line matches /$line/"
    fi
    if [ -z "$why" ]; then ok "$SERVER: $name"; else ko "$SERVER: $name: $why" "$out"; fi
}

# poplib USER: "MESSAGES OCTETS LARGEST LASTSIZE UIDLS" as Python's poplib
# reads the maildrop (USER/PASS over STLS when offered, else plain).
# shellcheck disable=SC2153 # STLS, PORT_PLAIN...: from the server's env
poplib() {
    python3 - "$PORT_PLAIN" "$1" "$PASS_DIR/${1%%@*}" "$STLS" "$CA_FILE" << 'PY'
import poplib, ssl, sys
port, user, pwfile, stls, ca = sys.argv[1:]
p = poplib.POP3("127.0.0.1", int(port), timeout=10)
if stls == "1":
    p.stls(ssl.create_default_context(cafile=ca))
p.user(user)
p.pass_(open(pwfile).readline().strip())
n, octets = p.stat()
sizes = [int(x.split()[1]) for x in p.list()[1]]
try:
    uidls = len(p.uidl()[1])
except poplib.error_proto:
    uidls = -1
p.quit()
print(n, octets, max(sizes, default=0), sizes[-1] if sizes else 0, uidls)
PY
}

# The dates of the fixtures as date(1) reads them (not the library's
# parser): message 3's Received: is the oldest.
e3=$(date -u -d '2025-06-01 00:59:59' +%s)

matrix() {
    local d=$1 H=127.0.0.1 first='' figs='' n ANY_TLS_MECH='' LMTP='' MAILBOX='' octets largest last uidls mech v t0 t1 a
    # shellcheck disable=SC1091
    . "$d/env"
    local plain=(-H "$H" -p "$PORT_PLAIN") stls=() pop3s=()
    [ "$STLS" = 1 ] && stls=(-H "$H" -p "$PORT_PLAIN" --tls stls --cafile "$CA_FILE")
    [ -n "$PORT_POP3S" ] && pop3s=(-H "$H" -p "$PORT_POP3S" -S --cafile "$CA_FILE")
    local aged=(-u "aged$USER_SUFFIX" --password-file "$PASS_DIR/aged")
    local empty=(-u "empty$USER_SUFFIX" --password-file "$PASS_DIR/empty")
    echo "== $SERVER $VERSION (offers: $MECHS)"
    # The first session may change the mailbox (a server that writes its
    # UIDs into the messages): the second one is what the checks see.
    if ! first=$(poplib "aged$USER_SUFFIX" 2>&1) || ! figs=$(poplib "aged$USER_SUFFIX" 2>&1); then
        ko "$SERVER: poplib could not read the fixture mailbox" "$first $figs"
        return
    fi
    read -r n octets largest last uidls <<< "$figs"
    check "$SERVER: poplib sees the six fixtures" "$n" 6
    if [ "$first" != "$figs" ]; then
        echo "note $SERVER: its first session changed the maildrop: '$first', then '$figs' (messages, octets, largest, last, UIDs)"
    fi

    t "banner" 0 '^POP3 OK - .*"\+OK' -- "${plain[@]}"
    if [ ${#stls[@]} -gt 0 ]; then t "banner over STLS" 0 '^POP3 OK - .*\(TLSv1\.[23]\)' -- "${stls[@]}"; fi
    if [ ${#pop3s[@]} -gt 0 ]; then t "banner over POP3S" 0 '^POP3 OK - .*\(TLSv1\.[23]\)' -- "${pop3s[@]}"; fi

    for mech in $MECHS; do
        t "forced $mech" 0 "^POP3 OK - .* login ok, 6 messages \($octets B\)" \
            --line "^login: $mech as aged$USER_SUFFIX, accepted" -- "${plain[@]}" "${aged[@]}" --auth "$mech" -v
        t "forced $mech, wrong password" 2 "^POP3 CRITICAL - .* login failed" \
            -- "${plain[@]}" -u "aged$USER_SUFFIX" --password-file "$work/wrong.pw" --auth "$mech"
        if [ ${#stls[@]} -gt 0 ]; then
            t "forced $mech over STLS" 0 "^POP3 OK - .*TLSv1.* login ok, 6 messages \($octets B\)" -- "${stls[@]}" "${aged[@]}" --auth "$mech"
        fi
    done
    # LACKS: one of our password mechanisms the server does not offer
    # (empty when it offers them all).
    if [ -n "$LACKS" ]; then
        a=${LACKS^^}
        t "forced $LACKS, which it lacks: named, with what CAPA offers" 2 \
            "^POP3 CRITICAL - .* the server does not offer (SASL )?$a \((its CAPA lists: |no timestamp in its greeting)" -- "${plain[@]}" "${aged[@]}" --auth "$LACKS"
    fi
    t "--auth any" 0 "^POP3 OK - .* login ok, 6 messages \($octets B\)" -- "${plain[@]}" "${aged[@]}"
    # ANY_TLS_MECH: what "any" logs in with over TLS, when the env says.
    a=${ANY_TLS_MECH:-}
    if [ ${#pop3s[@]} -gt 0 ]; then
        t "--auth any over POP3S${a:+: $a}" 0 "^POP3 OK - .*TLSv1.* login ok, 6 messages \($octets B\)" \
            --line "^login: ${a:-[a-z0-9-]+} as aged$USER_SUFFIX, accepted" -- "${pop3s[@]}" "${aged[@]}" -v
    fi
    if [ ${#stls[@]} -gt 0 ]; then
        t "--auth any over STLS${a:+: $a}" 0 "^POP3 OK - .*TLSv1.* login ok, 6 messages \($octets B\)" \
            --line "^login: ${a:-[a-z0-9-]+} as aged$USER_SUFFIX, accepted" -- "${stls[@]}" "${aged[@]}" -v
    fi
    t "STAT, LIST, UIDL, TOP, RETR: the sizes poplib read" 0 \
        "login ok, 6 messages \($octets B\).* messages=6;;;0 size=${octets}B;;;0 largest=${largest}B;;;0 top_size=[0-9]+B;;;0 retr_size=${last}B;;;0" \
        --line "^UIDL: $uidls entries" -- "${plain[@]}" "${aged[@]}" --list --uidl --top first --retr last -v
    t "RETR of a missing message" 2 '^POP3 CRITICAL - .*RETR 9 refused: -ERR' -- "${plain[@]}" "${aged[@]}" --retr 9
    t "empty mailbox" 0 '^POP3 OK - .* login ok, 0 messages \(0 B\)' -- "${plain[@]}" "${empty[@]}" --list --uidl --retr last
    t "age: every message read, the oldest is message 3" 0 \
        '^POP3 OK - .* login ok, 6 messages \([0-9]+ B\), oldest [0-9]+ d [0-9]+ h in ' \
        --line '^age: oldest message 3 \(Received: 2025-06-01 00:59:59Z\), newest message 5 \(Date: 2025-06-04 12:00:00Z\); 6 of 6 messages read, 2 undated$' \
        -- "${plain[@]}" "${aged[@]}" --age -v
    t0=$(date +%s)
    v=$("$check" "${plain[@]}" "${aged[@]}" --age 2>&1 | sed -n 's/.* oldest_age=\([0-9]*\)s;.*/\1/p')
    t1=$(date +%s)
    if [ -n "$v" ] && [ "$v" -ge $((t0 - e3)) ] && [ "$v" -le $((t1 - e3 + 1)) ]; then
        ok "$SERVER: the oldest's age, $v s, is now minus its Received: date"
    else
        ko "$SERVER: oldest_age '${v:-}', want $((t0 - e3)) .. $((t1 - e3 + 1))"
    fi
    t "transcript: TOP n 0 for the age, never RETR" 0 '^POP3 OK' \
        --line '^C: TOP 6 0$' -- "${plain[@]}" "${aged[@]}" --age -vvv
    if "$check" "${plain[@]}" "${aged[@]}" --age -vvv 2>&1 | grep -q '^C: RETR'; then
        ko "$SERVER: the age check sent RETR"
    else
        ok "$SERVER: the age check sent no RETR"
    fi
    figs=$(poplib "aged$USER_SUFFIX" 2>&1)
    check "$SERVER: the mailbox afterwards (poplib)" "$figs" "$n $octets $largest $last $uidls"
    if [ -n "$LMTP" ] || [ -n "$MAILBOX" ]; then round_trip; fi
}

# The round trip into a server with LMTP (LMTP in its env) or into the
# maildir or mbox it reads (MAILBOX): the test MTA (tests/integration/
# mta.sh, its SASL the sandbox Dovecot's) delivers to the server's LMTP or
# with virtual(8) into the mailbox, check_pop3 submits, finds its probe
# over POP3 and deletes it, and the mailbox is empty again.
round_trip() {
    local out how=LMTP
    [ -d "$MAILBOX" ] && how="virtual(8) into its maildir"
    [ -f "$MAILBOX" ] && how="virtual(8) into its mbox"
    if ! out=$(MTA_LMTP=$LMTP MTA_MAILBOX=$MAILBOX "$top/tests/integration/mta.sh" start "$work/sandbox" 2>&1); then
        ko "$SERVER: the test MTA did not start" "$out"
        return
    fi
    # shellcheck disable=SC1091 # written by mta.sh
    . "$work/sandbox/mta.env"
    t "round trip: Postfix, $how, found over POP3 and deleted" 0 \
        '^POP3 OK - round trip .* delivered in [0-9.]+ s .* delivered=1;;;0;1 ' \
        -- -H 127.0.0.1 -p "$PORT_PLAIN" -u "trip$USER_SUFFIX" --password-file "$PASS_DIR/trip" \
        --smtp-host "$MTA_HOST" --smtp-port "$MTA_SUBMISSION_PORT" --cafile "$MTA_CA_FILE" \
        --smtp-user "$MTA_USER" --smtp-password-file "$PASS_DIR/trip" --mail-from "$MTA_ADDRESS" --rcpt-to "$MTA_ADDRESS" \
        --poll-interval 0.2 -t 30
    check "$SERVER: the round trip's mailbox afterwards (poplib)" "$(poplib "trip$USER_SUFFIX" 2>&1)" "0 0 0 0 0"
    "$top/tests/integration/mta.sh" stop "$work/sandbox" > /dev/null 2>&1
}

printf 'not-the-password\n' > "$work/wrong.pw"
chmod 0600 "$work/wrong.pw"
# The sandbox Dovecot: the test MTA's SASL, for the round trips.
if ! out=$(SANDBOX_OAUTH2=0 "$top/tests/integration/sandbox.sh" start "$work/sandbox" 2>&1); then
    echo "interop: the sandbox Dovecot did not start: $out" >&2
    exit 1
fi
# shellcheck disable=SC1091 # written by sandbox.sh
. "$work/sandbox/env"
export INTEROP_TRIP_PASSWORD_FILE="$SANDBOX_DIR/pass/$USER_TRIP"
for s in "${servers[@]}"; do
    if ! out=$("$top/tests/interop/$s.sh" start "$work/$s" 2>&1); then
        ko "$s did not start" "$out"
        continue
    fi
    started+=("$s")
    matrix "$work/$s"
done
suite_end
