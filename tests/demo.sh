#!/bin/bash
# SPDX-License-Identifier: MIT
# The main job for a new user: with no host, start a sandbox Dovecot on
# loopback and run check_pop3 against it plain, with STLS and with POP3S,
# showing each command, its output and its exit code; with a host, check
# that server. Usage: tests/demo.sh [HOST [check_pop3 options...]]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${BUILD:-build}" && pwd)
export LD_LIBRARY_PATH="$build${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

show() {
    printf '\n$ check_pop3'
    for a in "$@"; do
        if [[ $a =~ ^[A-Za-z0-9_./:,=@+-]+$ ]]; then printf ' %s' "$a"; else printf ' %q' "$a"; fi
    done
    printf '\n'
    "$build/check_pop3" "$@"
    printf '(exit code %d)\n' "$?"
}

if [ $# -gt 0 ] && [ -n "$1" ]; then
    host=$1
    shift
    show -H "$host" "$@"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "demo: the sandbox Dovecot needs root; run 'sudo make demo', or 'make demo HOST=your.mail.server'" >&2
    exit 1
fi
dir=$(mktemp -d /tmp/pop3check-demo.XXXXXX)
chmod 0711 "$dir"
trap '"$here/integration/mta.sh" stop "$dir/sandbox" >/dev/null 2>&1; "$here/integration/sandbox.sh" stop "$dir/sandbox" >/dev/null 2>&1; rm -rf "$dir"' EXIT INT TERM
# No OAuth 2.0 endpoint (it needs python3, which the demo does not install).
SANDBOX_OAUTH2=0 "$here/integration/sandbox.sh" start "$dir/sandbox" || exit 1
# shellcheck disable=SC1091
. "$dir/sandbox/env"

echo
echo "Sandbox Dovecot on 127.0.0.1: POP3 port $PORT_PLAIN (STLS offered), POP3S port $PORT_POP3S."
echo "The password is read from a file, never from the command line."
pw="$SANDBOX_DIR/pass/$USER_SMALL"
show -H 127.0.0.1 -p "$PORT_PLAIN"
show -H 127.0.0.1 -p "$PORT_PLAIN" -u "$USER_SMALL" --password-file "$pw" --list --retr last -w 1 -c 2
show -H 127.0.0.1 -p "$PORT_PLAIN" --tls stls --cafile "$CA_FILE" -u "$USER_SMALL" --password-file "$pw" --auth plain -D 30,14 -v
show -H 127.0.0.1 -p "$PORT_POP3S" -S --cafile "$CA_FILE" -u "$USER_SMALL" --password-file "$pw" --uidl --top first
echo
echo "And what failures look like:"
show -H 127.0.0.1 -p "$PORT_POP3S" -S --cafile "$CA_FILE" -u "$USER_DISABLED" --password-file "$SANDBOX_DIR/pass/$USER_DISABLED"
show -H "$HOST_SOON" -p "$PORT_POP3S" -S --cafile "$CA_FILE" -D 30,14
show -H 127.0.0.1 -p "$PORT_PLAIN" -u "$USER_SMALL" --password-file "$pw" --messages-warning 2
echo
echo "Is anyone collecting this mailbox? The age of its messages, from the newest Received:"
echo "header (else Date:), read with TOP n 0, never RETR; a warning after a day:"
show -H 127.0.0.1 -p "$PORT_PLAIN" -u "$USER_AGED" --password-file "$SANDBOX_DIR/pass/$USER_AGED" --age-warning 86400 -v

# A round trip through a Postfix of its own (submission port: STARTTLS,
# then AUTH) that delivers into the sandbox over LMTP.
if "$here/integration/mta.sh" start "$dir/sandbox" 2>/dev/null; then
    # shellcheck disable=SC1091 # written by mta.sh
    . "$dir/sandbox/mta.env"
    echo
    echo "A round trip: Postfix on 127.0.0.1 port $MTA_SUBMISSION_PORT (STARTTLS, AUTH) delivers over"
    echo "LMTP into the sandbox; the check submits a signed probe, finds it over POP3 and deletes it."
    show -H 127.0.0.1 -p "$PORT_PLAIN" -u "$MTA_USER" --password-file "$SANDBOX_DIR/pass/$MTA_USER" \
        --smtp-host 127.0.0.1 --smtp-port "$MTA_SUBMISSION_PORT" --cafile "$MTA_CA_FILE" \
        --smtp-user "$MTA_USER" --mail-from "$MTA_ADDRESS" --rcpt-to "$MTA_ADDRESS" \
        --poll-interval 0.5 --delivery-warning 5 -v
fi
