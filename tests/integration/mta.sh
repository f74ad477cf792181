#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Start/stop a throw-away Postfix on loopback for the mail round trip's
# tests: it takes mail for the sandbox's trip@example.test over SMTP and
# hands it to the sandbox's Dovecot over LMTP.
#
#   mta.sh start DIR   DIR is a running sandbox (sandbox.sh start DIR): write
#                      a private Postfix instance under DIR/postfix, start its
#                      master, wait until every port greets, write DIR/mta.env
#   mta.sh stop DIR    stop the master started for DIR (idempotent)
#
# Three ports on 127.0.0.1 (free ones in a row in 20000-60000, or
# POP3_MTA_PORT_BASE), each with SASL AUTH checked by the sandbox's Dovecot:
#   submission  STARTTLS required, AUTH only after it
#   smtps       implicit TLS
#   plain       no TLS offered, AUTH in clear text
# The certificate is the sandbox's (DIR/tls/good.pem, from its test CA).
# Only trip@example.test is a recipient; nothing leaves the machine.
# Needs root, postfix (3.4 or later: maillog_file) and openssl.
set -euo pipefail

readonly HOST=127.0.0.1
readonly MYHOSTNAME=mta.example.test
readonly READY_TIMEOUT_S=10
readonly STOP_TIMEOUT_S=5

PROG=${0##*/}

die() {
	echo "$PROG: error: $*" >&2
	exit 1
}

note() {
	echo "$PROG: $*" >&2
}

usage() {
	echo "usage: $PROG start|stop DIR" >&2
	exit 2
}

require_root() {
	[[ $EUID -eq 0 ]] ||
		die "must run as root (postfix's master binds and switches to the postfix user); try: sudo $0 $*"
}

now_ms() {
	local s=$EPOCHREALTIME
	echo $((${s%.*} * 1000 + 10#${s#*.} / 1000))
}

# Sets POSTFIX_VERSION and MASTER (the master program's path).
require_tools() {
	local t
	for t in postfix postconf; do
		command -v "$t" >/dev/null 2>&1 || die "postfix's '$t' not found (install postfix)"
	done
	for t in openssl setpriv timeout realpath; do
		command -v "$t" >/dev/null 2>&1 || die "required program '$t' not found"
	done
	id -u postfix >/dev/null 2>&1 || die "system user 'postfix' missing (install postfix)"
	POSTFIX_VERSION=$(postconf -d -h mail_version 2>/dev/null) ||
		die "cannot read postfix's version (postconf -d -h mail_version)"
	[[ $POSTFIX_VERSION =~ ^([0-9]+)\.([0-9]+) ]] ||
		die "cannot read postfix's version: '$POSTFIX_VERSION'"
	((BASH_REMATCH[1] > 3 || (BASH_REMATCH[1] == 3 && BASH_REMATCH[2] >= 4))) ||
		die "postfix $POSTFIX_VERSION is too old: maillog_file needs 3.4 or later"
	MASTER=$(postconf -d -h daemon_directory)/master
	[[ -x $MASTER ]] || die "postfix's master program not found: $MASTER"
}

# ---------------------------------------------------------------- ports ----

# True if nothing listens on PORT (wildcard or loopback).
port_is_free() {
	local port=$1
	if command -v ss >/dev/null 2>&1 &&
		ss -ltnH "sport = :$port" 2>/dev/null | grep -q .; then
		return 1
	fi
	# A refused connect means free; a subshell so that the fd closes.
	! (exec 3<>"/dev/tcp/$HOST/$port") 2>/dev/null
}

ports_are_free() {
	local base=$1 i
	for i in 0 1 2; do
		port_is_free $((base + i)) || return 1
	done
}

# Sets PORT_SUBMISSION, PORT_SMTPS and PORT_PLAIN.
pick_ports() {
	local base tries
	if [[ -n ${POP3_MTA_PORT_BASE:-} ]]; then
		base=$POP3_MTA_PORT_BASE
		if ! [[ $base =~ ^[0-9]+$ ]] || ((base < 1024 || base > 65533)); then
			die "POP3_MTA_PORT_BASE must be a number in 1024..65533 (got '$base')"
		fi
		ports_are_free "$base" ||
			die "POP3_MTA_PORT_BASE: port $base, $((base + 1)) or $((base + 2)) is already in use"
	else
		for ((tries = 0; tries < 50; tries++)); do
			base=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
			ports_are_free "$base" && break
			base=
		done
		[[ -n $base ]] || die "could not find three free TCP ports in 20000-60000"
	fi
	PORT_SUBMISSION=$base
	PORT_SMTPS=$((base + 1))
	PORT_PLAIN=$((base + 2))
}

# --------------------------------------------------------------- config ----

# Reads DIR/env of the running sandbox in DIR.
load_sandbox() {
	[[ -r $DIR/env ]] ||
		die "$DIR/env not found: start the sandbox first (tests/integration/sandbox.sh start $DIR)"
	# shellcheck disable=SC1091
	. "$DIR/env"
	[[ -n ${SANDBOX_LMTP_PORT:-} && -n ${SANDBOX_AUTH_SOCKET:-} ]] ||
		die "the sandbox in $DIR has no LMTP or auth socket (started by an older sandbox.sh?): restart it"
	[[ -S $SANDBOX_AUTH_SOCKET ]] ||
		die "no auth socket $SANDBOX_AUTH_SOCKET: is the sandbox's dovecot running?"
	# smtpd runs as postfix and must reach the socket through every parent.
	setpriv --reuid=postfix --regid="$(id -g postfix)" --clear-groups \
		test -w "$SANDBOX_AUTH_SOCKET" ||
		die "user postfix cannot use $SANDBOX_AUTH_SOCKET: every parent directory must be world-searchable (o+x)"
}

# The recipients: trip@example.test, and trip1 .. tripN of the sandbox's
# SANDBOX_TRIP_USERS (a texthash map: read as it is, no postmap).
write_recipients() {
	local i
	echo "$TRIP_ADDRESS $USER_TRIP"
	for ((i = 1; i <= ${SANDBOX_TRIP_USERS:-0}; i++)); do
		echo "trip$i@$TRIP_DOMAIN trip$i"
	done
}

# The instance's main.cf: virtual delivery of example.test to Dovecot over
# LMTP, no local delivery, no DNS, no way out, logs in a file. The
# SANDBOX_*, TRIP_* and *_TRIP names come from the sandbox's env.
# shellcheck disable=SC2153
write_main_cf() {
	local pf=$DIR/postfix tls=$DIR/tls
	cat <<EOF
# Generated by pop3check tests/integration/mta.sh -- throw-away test MTA.
compatibility_level = 3.6
queue_directory = $pf/queue
data_directory = $pf/data
maillog_file = $pf/maillog
maillog_file_prefixes = $pf
mail_owner = postfix
setgid_group = postdrop

myhostname = $MYHOSTNAME
mydomain = $TRIP_DOMAIN
myorigin = \$myhostname
mydestination =
mynetworks = $HOST/32
inet_interfaces = $HOST
inet_protocols = ipv4
smtp_dns_support_level = disabled
lmtp_dns_support_level = disabled
smtpd_peername_lookup = no
alias_maps =
alias_database =
local_recipient_maps =
local_transport = error:5.1.1 no local delivery in the test MTA
default_transport = error:5.7.1 nothing leaves the test MTA
relay_transport = error:5.7.1 nothing leaves the test MTA
relay_domains =
biff = no

virtual_mailbox_domains = $TRIP_DOMAIN
virtual_mailbox_maps = texthash:$pf/conf/recipients
virtual_transport = lmtp:inet:$SANDBOX_LMTP_HOST:$SANDBOX_LMTP_PORT

smtpd_banner = \$myhostname ESMTP pop3check test MTA
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $SANDBOX_AUTH_SOCKET
smtpd_sasl_security_options = noanonymous
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
smtpd_tls_chain_files = $tls/good.key, $tls/good.pem
smtpd_tls_security_level = encrypt
smtpd_tls_auth_only = yes
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
EOF
}

# The instance's master.cf: the three listeners and only the services
# they need; nothing chrooted.
write_master_cf() {
	cat <<EOF
# Generated by pop3check tests/integration/mta.sh -- throw-away test MTA.
# service             type  private unpriv chroot wakeup maxproc command
$HOST:$PORT_SUBMISSION inet  n       -      n      -      -       smtpd
  -o syslog_name=postfix/submission
$HOST:$PORT_SMTPS inet  n       -      n      -      -       smtpd
  -o syslog_name=postfix/smtps
  -o smtpd_tls_wrappermode=yes
$HOST:$PORT_PLAIN inet  n       -      n      -      -       smtpd
  -o syslog_name=postfix/plain
  -o smtpd_tls_security_level=none
  -o smtpd_tls_auth_only=no
cleanup               unix  n       -      n      -      0       cleanup
pickup                unix  n       -      n      60     1       pickup
qmgr                  unix  n       -      n      300    1       qmgr
tlsmgr                unix  -       -      n      1000?  1       tlsmgr
rewrite               unix  -       -      n      -      -       trivial-rewrite
bounce                unix  -       -      n      -      0       bounce
defer                 unix  -       -      n      -      0       bounce
trace                 unix  -       -      n      -      0       bounce
verify                unix  -       -      n      -      1       verify
flush                 unix  n       -      n      1000?  0       flush
proxymap              unix  -       -      n      -      -       proxymap
error                 unix  -       -      n      -      -       error
retry                 unix  -       -      n      -      -       error
discard               unix  -       -      n      -      -       discard
lmtp                  unix  -       -      n      -      -       lmtp
anvil                 unix  -       -      n      -      1       anvil
scache                unix  -       -      n      -      1       scache
postlog               unix-dgram n  -      n      -      1       postlogd
EOF
}

# Writes the configuration; 'postfix check' creates the queue and data
# directories with their owners (postfix, postdrop) and checks the rest.
make_instance() {
	local pf=$DIR/postfix
	mkdir -p "$pf/conf"
	# Postfix wants its directories root-owned and not writable by others.
	chmod 0755 "$pf" "$pf/conf"
	install -d -m 0755 "$pf/queue"
	write_main_cf >"$pf/conf/main.cf"
	write_master_cf >"$pf/conf/master.cf"
	write_recipients >"$pf/conf/recipients"
	# Postfix pauses while a configuration file it reads is under a second
	# old (it might be half written): new ones are dated back.
	touch -d '-10 seconds' "$pf/conf/main.cf" "$pf/conf/master.cf" "$pf/conf/recipients"
	# Its output stays in a file: Debian's postfix on 13 lists the files it
	# copies into the queue for chroots (there are none here) every time.
	postfix -c "$pf/conf" check >"$pf/check.log" 2>&1 ||
		die "postfix check failed for $pf/conf: $(tail -n 8 "$pf/check.log")"
}

# ------------------------------------------------------------- postfix -----

log_tail() {
	local f
	for f in "$DIR/postfix/maillog" "$DIR/postfix/master.stderr"; do
		[[ -s $f ]] || continue
		if grep -qE '(warning|error|fatal|panic):' "$f"; then
			echo "--- last problems in $f:"
			grep -E '(warning|error|fatal|panic):' "$f" | tail -n 8
		fi
		echo "--- last lines of $f:"
		tail -n 8 "$f"
	done
}

fail_start() {
	{
		echo "$PROG: error: $*"
		log_tail
	} >&2
	exit 1
}

# Is PID a live postfix master of DIR's instance? (A recycled PID is never
# signalled.)
is_our_master() {
	local pid=$1 dir=$2 state cmdline
	[[ -r /proc/$pid/stat ]] || return 1
	state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) || return 1
	[[ $state != Z && $state != X ]] || return 1
	cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
	[[ $cmdline == *"/master "*"-c $dir/postfix/conf"* ]]
}

# The master in the foreground as our background job, so that $! is the
# master itself. It makes itself a session and process group leader, which
# it needs: on SIGTERM it signals its process group (-d would keep it in
# ours, and then it cannot stop its children). -s keeps its stdout.
launch_master() {
	"$MASTER" -s -c "$DIR/postfix/conf" \
		</dev/null >>"$DIR/postfix/master.stderr" 2>&1 &
	MTA_PID=$!
	echo "$MTA_PID" >"$DIR/mta.pid"
}

# Prints the first line a server sends on HOST:PORT (plain TCP).
plain_greeting() {
	local port=$1 fd line
	exec {fd}<>"/dev/tcp/$HOST/$port" || return 1
	if ! IFS= read -r -t 2 line <&"$fd"; then
		exec {fd}>&-
		return 1
	fi
	{ printf 'QUIT\r\n' >&"$fd"; } 2>/dev/null || true
	exec {fd}>&-
	printf '%s\n' "${line%$'\r'}"
}

# Prints the first line a server sends over implicit TLS.
tls_greeting() {
	local port=$1 out
	out=$(printf 'QUIT\r\n' | timeout 3 openssl s_client -quiet \
		-connect "$HOST:$port" -servername localhost 2>/dev/null) || true
	out=${out%%$'\n'*}
	printf '%s\n' "${out%$'\r'}"
}

# True once every port answers "220".
all_greet() {
	[[ $(plain_greeting "$PORT_SUBMISSION" 2>/dev/null) == "220 "* ]] || return 1
	[[ $(plain_greeting "$PORT_PLAIN" 2>/dev/null) == "220 "* ]] || return 1
	[[ $(tls_greeting "$PORT_SMTPS" 2>/dev/null) == "220 "* ]]
}

wait_ready() {
	local deadline
	deadline=$(($(now_ms) + READY_TIMEOUT_S * 1000))
	until all_greet; do
		is_our_master "$MTA_PID" "$DIR" || fail_start "postfix's master exited during startup"
		(($(now_ms) < deadline)) ||
			fail_start "ports $PORT_SUBMISSION/$PORT_SMTPS/$PORT_PLAIN did not all greet with 220 within ${READY_TIMEOUT_S}s"
		sleep 0.05
	done
}

# True if the master could not bind (another process took a port meanwhile).
bind_failed() {
	local i
	for ((i = 0; i < 20; i++)); do
		grep -qs 'Address already in use' "$DIR/postfix/maillog" "$DIR/postfix/master.stderr" && return 0
		(plain_greeting "$PORT_SUBMISSION") >/dev/null 2>&1 && return 1
		is_our_master "$MTA_PID" "$DIR" || break
		sleep 0.05
	done
	grep -qs 'Address already in use' "$DIR/postfix/maillog" "$DIR/postfix/master.stderr"
}

write_env() {
	local tmp=$DIR/mta.env.tmp
	{
		echo "# pop3check test MTA (Postfix) in front of the sandbox; source this file"
		printf '%s=%q\n' \
			MTA_PID "$MTA_PID" \
			MTA_HOST "$HOST" \
			MTA_HOSTNAME "$MYHOSTNAME" \
			MTA_SUBMISSION_PORT "$PORT_SUBMISSION" \
			MTA_SMTPS_PORT "$PORT_SMTPS" \
			MTA_PLAIN_PORT "$PORT_PLAIN" \
			MTA_CA_FILE "$DIR/tls/ca.pem" \
			MTA_LOG "$DIR/postfix/maillog" \
			MTA_USER "$USER_TRIP" \
			MTA_PASS "$PASS_TRIP" \
			MTA_ADDRESS "$TRIP_ADDRESS" \
			MTA_MAILDIR "$TRIP_MAILDIR"
	} >"$tmp"
	mv "$tmp" "$DIR/mta.env"
}

# ------------------------------------------------------------- commands ----

resolve_dir() {
	[[ -n ${1:-} ]] || usage
	realpath -m -- "$1"
}

START_OK=0

on_start_exit() {
	if ((START_OK == 0)) && [[ -n ${DIR:-} ]]; then
		stop_master "$DIR" >/dev/null 2>&1 || true
	fi
}

cmd_start() {
	local t0 attempt
	t0=$(now_ms)
	DIR=$(resolve_dir "${1:-}")
	require_tools
	[[ -d $DIR ]] || die "$DIR is not a directory (give a running sandbox's directory)"
	[[ ! -e $DIR/mta.pid ]] || die "$DIR/mta.pid exists: stop that MTA first ($PROG stop $DIR)"
	[[ ! -e $DIR/postfix ]] || rm -rf -- "${DIR:?}/postfix"
	load_sandbox
	trap on_start_exit EXIT
	pick_ports
	for attempt in 1 2 3; do
		((attempt == 1)) || pick_ports
		echo "$PORT_SUBMISSION $PORT_SMTPS $PORT_PLAIN" >"$DIR/mta.ports"
		make_instance
		launch_master
		if [[ -z ${POP3_MTA_PORT_BASE:-} ]] && ((attempt < 3)) && bind_failed; then
			note "ports $PORT_SUBMISSION/$PORT_SMTPS/$PORT_PLAIN taken meanwhile, retrying with others"
			stop_master "$DIR" >/dev/null 2>&1 || true
			rm -rf -- "${DIR:?}/postfix"
			continue
		fi
		break
	done
	wait_ready
	write_env
	START_OK=1
	note "postfix $POSTFIX_VERSION master pid $MTA_PID ready on $HOST ports $PORT_SUBMISSION (submission) / $PORT_SMTPS (smtps) / $PORT_PLAIN (plain) in $(($(now_ms) - t0)) ms; env: $DIR/mta.env"
}

# wait_gone PID DIR: true once the master is gone (within STOP_TIMEOUT_S).
wait_gone() {
	local deadline
	deadline=$(($(now_ms) + STOP_TIMEOUT_S * 1000))
	while is_our_master "$1" "$2" && (($(now_ms) < deadline)); do
		sleep 0.05
	done
	! is_our_master "$1" "$2"
}

# True while any of the MTA's ports still has a listener.
ports_listening() {
	local dir=$1 p
	[[ -r $dir/mta.ports ]] || return 1
	command -v ss >/dev/null 2>&1 || return 1
	for p in $(<"$dir/mta.ports"); do
		if ss -ltnH "sport = :$p" 2>/dev/null | grep -q .; then
			return 0
		fi
	done
	return 1
}

# True while a live (not zombie) process is in process group PGID. The
# master leads its own group; its children are in it.
group_alive() {
	cat /proc/[0-9]*/stat 2>/dev/null |
		awk -v g="$1" '{ sub(/^.*\) /, "") } $3 == g && $1 != "Z" { f = 1 } END { exit !f }'
}

# Waits for the master's children; SIGKILL for those that linger. (Linux
# never reuses the PID of a group that still has members.)
wait_children() {
	local pgid=$1 deadline
	deadline=$(($(now_ms) + STOP_TIMEOUT_S * 1000))
	while group_alive "$pgid" && (($(now_ms) < deadline)); do
		sleep 0.05
	done
	if group_alive "$pgid"; then
		note "postfix processes of group $pgid still there after ${STOP_TIMEOUT_S}s, sending SIGKILL"
		kill -KILL -- "-$pgid" 2>/dev/null || true
		sleep 0.2
	fi
}

# The master passes SIGTERM on to its process group and exits.
stop_master() {
	local dir=$1 pid deadline
	[[ -f $dir/mta.pid ]] || return 0
	pid=$(<"$dir/mta.pid")
	if [[ $pid =~ ^[0-9]+$ ]] && is_our_master "$pid" "$dir"; then
		kill -TERM "$pid" 2>/dev/null || true
		if ! wait_gone "$pid" "$dir"; then
			note "postfix master pid $pid ignored SIGTERM for ${STOP_TIMEOUT_S}s, sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
			wait_gone "$pid" "$dir" || die "postfix master pid $pid survived SIGKILL"
		fi
		wait_children "$pid"
		deadline=$(($(now_ms) + STOP_TIMEOUT_S * 1000))
		while ports_listening "$dir" && (($(now_ms) < deadline)); do
			sleep 0.05
		done
		ports_listening "$dir" && note "warning: ports $(<"$dir/mta.ports") still have listeners"
	fi
	rm -f "$dir/mta.pid"
	return 0
}

main() {
	(($# == 2)) || usage
	case $1 in
	start)
		require_root "$@"
		cmd_start "$2"
		;;
	stop)
		require_root "$@"
		stop_master "$(resolve_dir "$2")"
		;;
	*) usage ;;
	esac
}

main "$@"
