# SPDX-License-Identifier: MIT
# common.sh - what the interop suite's server scripts share (sourced): the
# fixtures, passwords, ports, a start deadline, DIR/env, stop by PID.
#
# DIR/env, which tests/interop/run.sh reads:
#   SERVER, VERSION       the implementation and its version
#   PORT_PLAIN            POP3 (STLS offered when STLS=1), PORT_POP3S (or empty)
#   CA_FILE               the CA that signed the server's certificate
#   USER_SUFFIX           what follows a user's name at login (@domain, or empty)
#   PASS_DIR              DIR/pass/USER: each user's password (0600)
#   MECHS                 the --auth mechanisms the server offers
#   LACKS                 one it does not offer
# shellcheck shell=bash
set -euo pipefail

readonly READY_TIMEOUT_S=30 STOP_TIMEOUT_S=5
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly here fixtures="$here/../integration/fixtures/aged"
PROG=${0##*/}

die() {
	echo "$PROG: error: $*" >&2
	exit 1
}
usage() {
	echo "usage: $PROG start|stop DIR" >&2
	exit 2
}

# The servers switch to this user to read the maildrops.
# shellcheck disable=SC2034 # used by the scripts that source this file
MAIL_UID=$(id -u mail) MAIL_GID=$(id -g mail)

# prepare_dir DIR: an empty DIR with the test CA's certificates in DIR/tls.
prepare_dir() {
	[ "$(id -u)" -eq 0 ] || die "needs root (the server switches to the mail user)"
	rm -rf "$1"
	mkdir -p "$1/pass"
	chmod 0711 "$1"
	"$here/../integration/sandbox.sh" certs "$1" > /dev/null
}

# new_password DIR USER: a fresh password, kept in DIR/pass/USER; prints it.
new_password() {
	local pw
	pw=$(openssl rand -hex 12)
	(umask 077 && printf '%s\n' "$pw" > "$1/pass/$2")
	printf '%s\n' "$pw"
}

# trip_wanted DIR: true with INTEROP_TRIP_PASSWORD_FILE (the round trip's
# password, which the test MTA's SASL takes), copied to DIR/pass/trip.
trip_wanted() {
	[ -n "${INTEROP_TRIP_PASSWORD_FILE:-}" ] || return 1
	install -m 0600 "$INTEROP_TRIP_PASSWORD_FILE" "$1/pass/trip"
}

# password_of DIR USER: trip's from DIR/pass/trip, a fresh one for others.
password_of() {
	if [ "$2" = trip ]; then head -n 1 "$1/pass/trip"; else new_password "$1" "$2"; fi
}

# fill_maildir MAILDIR: the fixtures, in their order, as read mail in cur/.
fill_maildir() {
	local f n
	for f in "$fixtures"/*.eml; do
		n=$(basename "$f" .eml)
		cp "$f" "$1/cur/$((1700000000 + n)).M${n}P1.interop:2,"
	done
}

# fill_mbox FILE: the fixtures, in their order, as an mbox (no fixture
# line starts with "From ").
fill_mbox() {
	local f
	for f in "$fixtures"/*.eml; do
		printf 'From interop@example.test Sun Jun  1 00:00:00 2025\n'
		cat "$f"
		printf '\n'
	done > "$1"
}

# Packages that conflict with dovecot-pop3d (they provide pop3-server):
# tests/deps.sh fetches them here, not installed.
readonly DEB_CACHE=/var/cache/pop3check/debs

deb_file() {
	local f
	f=$(find "$DEB_CACHE" -maxdepth 1 -name "${1}_*.deb" 2> /dev/null | sort -V | tail -n 1)
	[ -n "$f" ] || die "no package of $1 in $DEB_CACHE: run 'tests/deps.sh test' (it fetches it; installed, it would conflict with dovecot-pop3d)"
	printf '%s\n' "$f"
}

# unpack_deb NAME DIR: the package's files under DIR.
unpack_deb() {
	dpkg-deb -x "$(deb_file "$1")" "$2" || die "cannot unpack $(deb_file "$1")"
}

deb_version() {
	dpkg-deb -f "$(deb_file "$1")" Version
}

free_port() {
	python3 -c "import socket
s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"
}

# alive DIR: the server whose PID is in DIR/pid still runs (not a zombie).
alive() {
	local pid state
	pid=$(cat "$1/pid" 2> /dev/null) || return 1
	state=$(awk '{ print $3 }' "/proc/$pid/stat" 2> /dev/null) || return 1
	[ "$state" != Z ] && [ "$state" != X ]
}

# wait_greeting DIR PORT: until 127.0.0.1:PORT greets with +OK, within the
# start deadline, while the server lives.
wait_greeting() {
	local deadline=$((SECONDS + READY_TIMEOUT_S)) fd line
	while [ "$SECONDS" -le "$deadline" ]; do
		alive "$1" || return 1
		if exec {fd}<> "/dev/tcp/127.0.0.1/$2"; then
			line=
			IFS= read -r -t 2 line <&"$fd" || true
			{ printf 'QUIT\r\n' >&"$fd"; } 2> /dev/null || true
			exec {fd}>&-
			[[ $line == "+OK"* ]] && return 0
		fi 2> /dev/null
		sleep 0.1
	done
	return 1
}

# write_env DIR SERVER VERSION USER_SUFFIX MECHS LACKS STLS
write_env() {
	cat > "$1/env" << EOF
SERVER='$2'
VERSION='$3'
PORT_PLAIN=$PORT_PLAIN
PORT_POP3S=${PORT_POP3S:-}
STLS=$7
CA_FILE=$1/tls/ca.pem
USER_SUFFIX='$4'
PASS_DIR=$1/pass
MECHS='$5'
LACKS='$6'
EOF
}

# stop_server DIR: TERM to the PID in DIR/pid, KILL after the stop
# deadline; only a process whose command line names DIR (no recycled PID).
stop_server() {
	local pid _
	pid=$(cat "$1/pid" 2> /dev/null) || return 0
	if alive "$1" && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$1"; then
		kill "$pid" 2> /dev/null || true
		for _ in $(seq $((STOP_TIMEOUT_S * 10))); do
			alive "$1" || break
			sleep 0.1
		done
		alive "$1" && kill -KILL "$pid" 2> /dev/null
	fi
	rm -f "$1/pid"
}
