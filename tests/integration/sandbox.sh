#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Start/stop a throw-away Dovecot POP3 server on loopback for pop3check's
# integration tests and demo.
#
#   sandbox.sh start DIR   generate config, TLS material and mailboxes in DIR,
#                          start dovecot, wait until it answers, write DIR/env
#                          (POP3 and POP3S; LMTP delivery and SASL auth for
#                          tests/integration/mta.sh's Postfix;
#                          SANDBOX_SCRAM_PLUS=1 where Dovecot 2.4 offers
#                          SCRAM-SHA-*-PLUS over TLS, 0 for 2.3)
#   sandbox.sh stop DIR    stop the dovecot started in DIR (idempotent)
#   sandbox.sh certs DIR   only the TLS material, in DIR/tls: the test CA,
#                          good, expired, soon, notyet (valid from
#                          tomorrow), wronghost (for wrong.example only) and
#                          selfsigned certificates with their keys
#
# Needs root (dovecot switches to the mail/login uids), dovecot-core,
# dovecot-pop3d, dovecot-lmtpd and openssl; python3 for the OAuth 2.0
# endpoint (tests/integration/oauth2-server.py, stopped with dovecot), which
# SANDBOX_OAUTH2=0 leaves out (the demo), and XOAUTH2 and OAUTHBEARER with
# it. Ports: three free ones in a row in 20000-60000, or
# POP3_SANDBOX_PORT_BASE (plain = BASE, pop3s = BASE+1, lmtp = BASE+2).
set -euo pipefail

OAUTH2=${SANDBOX_OAUTH2:-1}
[[ $OAUTH2 == 0 || $OAUTH2 == 1 ]] || {
	echo "${0##*/}: error: SANDBOX_OAUTH2 must be 0 or 1" >&2
	exit 1
}

readonly HOST_GOOD=127.0.0.1
readonly HOST_EXPIRED=127.0.0.2
readonly HOST_SOON=127.0.0.3
readonly HOSTS=("$HOST_GOOD" "$HOST_EXPIRED" "$HOST_SOON")
# Reason shown for the disabled account. passwd-file splits extra fields on
# spaces: 2.3 expands %{env:} after the split, so the text reaches the auth
# process via the environment; 2.4 splits after expanding, so there a
# passdb of that account alone sets it in the config (as a field of every
# user it would also answer a failed CRAM-MD5 or APOP).
readonly NOLOGIN_REASON="Account disabled"
# The mailbox that mail arrives in over LMTP: trip@example.test, or trip.
readonly TRIP_DOMAIN=example.test
# Dovecot's name in LMTP (its greeting and Received: header).
readonly LMTP_HOSTNAME=pop.example.test
# The SASL socket for Postfix, under DIR/run (dovecot's base_dir).
readonly AUTH_SOCKET_NAME=auth-postfix
readonly READY_TIMEOUT_S=30
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
	echo "usage: $PROG start|stop|certs DIR" >&2
	exit 2
}

require_root() {
	# dovecot must start as root to bind, chroot and switch to the mail uid.
	[[ $EUID -eq 0 ]] ||
		die "must run as root (dovecot needs root to switch uids); try: sudo $0 $*"
}

require_tools() {
	local t
	for t in dovecot doveconf doveadm openssl awk setpriv timeout realpath; do
		command -v "$t" >/dev/null 2>&1 || die "required program '$t' not found"
	done
	if ((OAUTH2)); then
		command -v python3 >/dev/null 2>&1 ||
			die "required program 'python3' not found (the OAuth 2.0 endpoint; SANDBOX_OAUTH2=0 leaves it out)"
	fi
	[[ -x /usr/lib/dovecot/pop3-login && -x /usr/lib/dovecot/pop3 ]] ||
		die "dovecot POP3 support missing (install dovecot-pop3d)"
	[[ -x /usr/lib/dovecot/lmtp ]] ||
		die "dovecot LMTP support missing: /usr/lib/dovecot/lmtp not found (install dovecot-lmtpd)"
}

now_ms() {
	local s=$EPOCHREALTIME
	echo $((${s%.*} * 1000 + 10#${s#*.} / 1000))
}

# ---------------------------------------------------------------- ports ----

# shellcheck source=tests/integration/ports.sh
. "$(dirname "${BASH_SOURCE[0]}")/ports.sh"

# Sets PORT_PLAIN, PORT_POP3S and PORT_LMTP.
pick_ports() {
	pick_port_base POP3_SANDBOX_PORT_BASE "${HOSTS[@]}"
	PORT_PLAIN=$PORT_BASE
	PORT_POP3S=$((PORT_BASE + 1))
	PORT_LMTP=$((PORT_BASE + 2))
}

# ------------------------------------------------------------------ TLS ----

write_openssl_config() {
	local tls=$1
	cat >"$tls/openssl.cnf" <<EOF
# Minimal config for the sandbox test CA (independent of /etc/ssl).
[ ca ]
default_ca = sandbox_ca

[ sandbox_ca ]
dir = $tls/ca-db
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
certificate = $tls/ca.pem
private_key = $tls/ca.key
default_md = sha256
policy = policy_any
email_in_dn = no
unique_subject = no
copy_extensions = none
x509_extensions = server_ext

[ policy_any ]
organizationName = optional
organizationalUnitName = optional
commonName = supplied

[ req ]
distinguished_name = req_dn
prompt = no

[ req_dn ]
CN = unused

[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ server_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:$HOST_GOOD, IP:$HOST_EXPIRED, IP:$HOST_SOON
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ wronghost_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
}

new_ec_key() {
	# EC P-256: key generation is instant, unlike RSA.
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
	chmod 0600 "$1"
}

# issue_cert DIR NAME STARTDATE ENDDATE [EXTENSIONS]  (dates as
# YYYYMMDDHHMMSSZ, UTC; EXTENSIONS a section of openssl.cnf)
issue_cert() {
	local tls=$1 name=$2 start=$3 end=$4 ext=${5:-server_ext}
	new_ec_key "$tls/$name.key"
	openssl req -new -config "$tls/openssl.cnf" -key "$tls/$name.key" \
		-subj "/O=pop3check sandbox/OU=$name/CN=localhost" \
		-out "$tls/$name.csr" 2>/dev/null
	# 'openssl ca' is the OpenSSL 3.0 way to set arbitrary (past) dates.
	openssl ca -batch -notext -config "$tls/openssl.cnf" -extensions "$ext" \
		-startdate "$start" -enddate "$end" \
		-in "$tls/$name.csr" -out "$tls/$name.pem" 2>"$tls/$name.ca.log" ||
		die "openssl ca failed for '$name' certificate: $(tail -n 5 "$tls/$name.ca.log")"
	rm -f "$tls/$name.csr" "$tls/$name.ca.log"
}

utc_stamp() {
	date -u -d "$1" +%Y%m%d%H%M%SZ
}

make_tls() {
	local tls=$SANDBOX_DIR/tls
	mkdir -p "$tls/ca-db/new"
	# Certificates are public (tests may read ca.pem as any user); keys 0600.
	chmod 0755 "$tls"
	: >"$tls/ca-db/index.txt"
	echo 1000 >"$tls/ca-db/serial"
	write_openssl_config "$tls"

	new_ec_key "$tls/ca.key"
	openssl req -new -x509 -config "$tls/openssl.cnf" -extensions ca_ext \
		-key "$tls/ca.key" -subj "/O=pop3check sandbox/CN=pop3check sandbox test CA" \
		-days 3650 -out "$tls/ca.pem" 2>/dev/null

	# Back-date "now" a little so that a client's clock skew never matters.
	issue_cert "$tls" good "$(utc_stamp '-1 hour')" "$(utc_stamp '+365 days')"
	issue_cert "$tls" expired 20200101000000Z 20210101000000Z
	issue_cert "$tls" soon "$(utc_stamp '-1 hour')" "$(utc_stamp '+5 days')"
	chmod 0644 "$tls/ca.pem" "$tls/good.pem" "$tls/expired.pem" "$tls/soon.pem"
}

# The certificates only the fault tests need.
make_bad_tls() {
	local tls=$SANDBOX_DIR/tls
	issue_cert "$tls" notyet "$(utc_stamp '+1 day')" "$(utc_stamp '+365 days')"
	issue_cert "$tls" wronghost "$(utc_stamp '-1 hour')" "$(utc_stamp '+365 days')" wronghost_ext
	new_ec_key "$tls/selfsigned.key"
	openssl req -new -x509 -config "$tls/openssl.cnf" -extensions server_ext \
		-key "$tls/selfsigned.key" -subj "/O=pop3check sandbox/CN=localhost" \
		-days 365 -out "$tls/selfsigned.pem" 2>/dev/null
	chmod 0644 "$tls/notyet.pem" "$tls/wronghost.pem" "$tls/selfsigned.pem"
}

# ---------------------------------------------------------------- mail -----

# write_messages MAILDIR USER COUNT LINES WIDTH
#   LINES: comma-separated body line counts per message (last one repeats).
#   WIDTH: body lines are padded to this many characters.
# Messages are stored with LF endings (POP3 reports them with CRLF).
write_messages() {
	local maildir=$1 user=$2 count=$3 lines=$4 width=$5
	LC_ALL=C awk -v dir="$maildir/cur" -v user="$user" -v count="$count" \
		-v lines="$lines" -v width="$width" '
	BEGIN {
		n = split(lines, per, ",")
		for (i = 1; i <= count; i++) {
			body = (i <= n) ? per[i] : per[n]
			# Maildir name: the time part orders the UIDs Dovecot assigns.
			f = sprintf("%s/%d.M%06dP1.pop3check-sandbox:2,", dir, 1700000000 + i, i)
			printf "From: Sandbox Sender <sender@example.test>\n" > f
			printf "To: %s <%s@example.test>\n", user, user > f
			printf "Subject: %s message %d of %d\n", user, i, count > f
			printf "Date: Tue, 14 Nov 2023 22:13:%02d +0000\n", i % 60 > f
			printf "Message-ID: <%s-%d@pop3check.sandbox>\n", user, i > f
			printf "MIME-Version: 1.0\n" > f
			printf "Content-Type: text/plain; charset=us-ascii\n" > f
			printf "\n" > f
			for (l = 1; l <= body; l++) {
				text = sprintf("Line %d of message %d for %s.", l, i, user)
				if (width > 0)
					text = sprintf("%-" width "s", text)
				printf "%s\n", text > f
			}
			close(f)
		}
	}'
}

# Octets Dovecot reports for the given files: bytes + one CR per LF line.
octets_of() {
	local counts lines bytes
	counts=$(cat -- "$@" | wc -lc)
	read -r lines bytes <<<"$counts"
	echo $((bytes + lines))
}

make_mailbox() {
	local user=$1
	local maildir=$SANDBOX_DIR/mail/$user/Maildir
	mkdir -p "$maildir/cur" "$maildir/new" "$maildir/tmp"
}

make_mail() {
	local f u size big_lines
	local -a files
	mkdir -p "$SANDBOX_DIR/mail"
	for u in "${USERS[@]}"; do
		make_mailbox "$u"
	done

	write_messages "$SANDBOX_DIR/mail/small/Maildir" small 3 "1,12,60" 0
	files=("$SANDBOX_DIR"/mail/small/Maildir/cur/*)
	SMALL_MESSAGES=${#files[@]}
	SMALL_OCTETS=$(octets_of "${files[@]}")
	SMALL_LARGEST=0
	for f in "${files[@]}"; do
		size=$(octets_of "$f")
		((size > SMALL_LARGEST)) && SMALL_LARGEST=$size
	done

	write_messages "$SANDBOX_DIR/mail/large/Maildir" large 5000 2 0
	files=("$SANDBOX_DIR"/mail/large/Maildir/cur/*)
	LARGE_MESSAGES=${#files[@]}
	LARGE_OCTETS=$(octets_of "${files[@]}")

	# 76-char lines = 78 octets each with CRLF; aim at 10 MiB in total
	# (the ~260 header octets are within the tolerance).
	big_lines=$(((10485760 - 260) / 78))
	write_messages "$SANDBOX_DIR/mail/big/Maildir" big 1 "$big_lines" 76
	files=("$SANDBOX_DIR"/mail/big/Maildir/cur/*)
	BIG_OCTETS=$(octets_of "${files[@]}")

	# aged: messages with known Received: and Date: headers (fixtures/aged,
	# what each holds is its Subject:), in the order of their names.
	for f in "$(dirname "${BASH_SOURCE[0]}")/fixtures/aged"/*.eml; do
		u=$(basename "$f" .eml)
		cp "$f" "$SANDBOX_DIR/mail/aged/Maildir/cur/$((1700000000 + u)).M${u}P1.pop3check-sandbox:2,"
	done

	# Mail processes run as an unprivileged uid; Dovecot refuses root.
	chown -R "$MAIL_UID:$MAIL_GID" "$SANDBOX_DIR/mail"
	find "$SANDBOX_DIR/mail" -type d -exec chmod 0700 {} +
}

# ---------------------------------------------------------------- users ----

make_users() {
	local auth=$SANDBOX_DIR/auth pass=$SANDBOX_DIR/pass u pw extra stored
	mkdir -p "$auth" "$pass"
	chmod 0750 "$auth"
	chmod 0700 "$pass"
	: >"$auth/users"
	for u in "${USERS[@]}"; do
		pw=${PASSWORDS[$u]:-${PASSWORDS[trip]}}
		extra=
		# nologin + reason: correct password, but login refused with that text.
		if [[ $u == disabled && $DOVECOT_SERIES == 2.3 ]]; then
			extra='nologin reason=%{env:SANDBOX_NOLOGIN_REASON}'
		elif [[ $u == disabled ]]; then
			extra=nologin
		fi
		stored="{PLAIN}$pw"
		# scram: the password stored as SCRAM-SHA-256 keys (salt and count
		# fixed), as a server that never keeps plaintext does; for the
		# others Dovecot derives SCRAM keys with a fresh salt at each login.
		if [[ $u == scram ]]; then
			stored=$(doveadm pw -s SCRAM-SHA-256 -p "$pw") ||
				die "doveadm pw -s SCRAM-SHA-256 failed: $stored"
		fi
		printf '%s:%s:%s:%s::%s::%s\n' "$u" "$stored" "$MAIL_UID" "$MAIL_GID" \
			"$SANDBOX_DIR/mail/$u" "$extra" >>"$auth/users"
		printf '%s' "$pw" >"$pass/$u"
		chmod 0600 "$pass/$u"
	done
	# The auth process runs as the dovecot user and must read the file.
	chown -R "root:$INTERNAL_GROUP" "$auth"
	chmod 0640 "$auth/users"
}

# ------------------------------------------------------------- oauth2 ----

# The OAuth 2.0 side: tests/integration/oauth2-server.py on loopback answers
# Dovecot's token introspection (RFC 7662) and a client-credentials token
# endpoint. Its tokens are made up here, at random, one file each under
# pass/ (0600, as a token refresher would leave them):
#   token-small    valid for small, scope pop3
#   token-long     valid for small, 3000 characters (the two-step AUTH form)
#   token-expired  small's, expired an hour ago (introspection: inactive)
#   token-scope    small's, scope calendar (Dovecot wants pop3)
#   token-large    valid for large (used as small's: another user's token)
#   token-trip     valid for trip (the round trip's mailbox and SMTP user)
# and clients 'pop3check' (secret in pass/client-secret) whose grants are
# tokens of small for an hour, and 'noexpiry' (the same secret) whose
# grants come without expires_in.
random_token() {
	openssl rand -base64 $(($1 * 3 / 4 + 3)) | tr -d '\n=' | tr '+/' '-_' | cut -c1-"$1"
}

start_oauth2() {
	local d=$SANDBOX_DIR/oauth2 pass=$SANDBOX_DIR/pass now i
	mkdir -p "$d"
	chmod 0700 "$d"
	now=$(date +%s)
	declare -gA TOKENS=(
		[small]=$(random_token 32)
		[expired]=$(random_token 32)
		[scope]=$(random_token 32)
		[large]=$(random_token 32)
		[trip]=$(random_token 32)
		[long]=$(random_token 3000)
	)
	CLIENT_SECRET=$(random_token 24)
	for i in "${!TOKENS[@]}"; do
		printf '%s\n' "${TOKENS[$i]}" >"$pass/token-$i"
		chmod 0600 "$pass/token-$i"
	done
	printf '%s\n' "$CLIENT_SECRET" >"$pass/client-secret"
	chmod 0600 "$pass/client-secret"
	cat >"$d/config.json" <<JSON
{"tokens": {
  "${TOKENS[small]}": {"user": "small", "aud": "pop3"},
  "${TOKENS[long]}": {"user": "small", "aud": "pop3"},
  "${TOKENS[expired]}": {"user": "small", "aud": "pop3", "exp": $((now - 3600))},
  "${TOKENS[scope]}": {"user": "small", "aud": "calendar"},
  "${TOKENS[large]}": {"user": "large", "aud": "pop3"},
  "${TOKENS[trip]}": {"user": "trip", "aud": "pop3"}},
 "clients": {"pop3check": {"secret": "$CLIENT_SECRET", "user": "small", "aud": "pop3"},
             "noexpiry": {"secret": "$CLIENT_SECRET", "user": "small", "aud": "pop3", "expires_in": null}}}
JSON
	python3 "$(dirname "${BASH_SOURCE[0]}")/oauth2-server.py" "$d/port" \
		"$d/config.json" --lifetime 7200 >"$d/log" 2>&1 &
	echo $! >"$SANDBOX_DIR/oauth2.pid"
	for i in $(seq 100); do
		[[ -s $d/port ]] && break
		kill -0 "$(<"$SANDBOX_DIR/oauth2.pid")" 2>/dev/null ||
			die "oauth2-server.py failed: $(tail -3 "$d/log")"
		sleep 0.05
	done
	[[ -s $d/port ]] || die "oauth2-server.py wrote no port in 5 s: $(tail -3 "$d/log")"
	OAUTH2_PORT=$(<"$d/port")
	# Dovecot's side: introspection (2.3: the oauth2 passdb's args file)
	cat >"$SANDBOX_DIR/auth/oauth2.conf.ext" <<CONF
introspection_mode = post
introspection_url = http://127.0.0.1:$OAUTH2_PORT/introspect
username_attribute = username
active_attribute = active
active_value = true
scope = pop3
timeout_msecs = 5000
CONF
	chown "root:$INTERNAL_GROUP" "$SANDBOX_DIR/auth/oauth2.conf.ext"
	chmod 0640 "$SANDBOX_DIR/auth/oauth2.conf.ext"
}

stop_oauth2() {
	local dir=$1 pid i
	[[ -f $dir/oauth2.pid ]] || return 0
	pid=$(<"$dir/oauth2.pid")
	if [[ $pid =~ ^[0-9]+$ ]] && kill -TERM "$pid" 2>/dev/null; then
		for i in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$dir/oauth2.pid"
}

# --------------------------------------------------------------- config ----

# Sets DOVECOT_SERIES to 2.3 or 2.4 from 'dovecot --version' ("2.3.19.1
# (9b53102964)", "2.4.1-4 (7d8c0e5759)"): their configuration languages
# differ, and 2.4 refuses a 2.3 file.
detect_dovecot_series() {
	local v
	v=$(dovecot --version 2>&1) || die "'dovecot --version' failed: $v"
	[[ $v =~ ^([0-9]+)\.([0-9]+)[.-] ]] ||
		die "cannot read dovecot's version from 'dovecot --version': $v"
	DOVECOT_SERIES=${BASH_REMATCH[1]}.${BASH_REMATCH[2]}
	case $DOVECOT_SERIES in
	2.3 | 2.4) ;;
	*) die "dovecot $v is not supported: the sandbox writes configurations for 2.3 and 2.4 only" ;;
	esac
}

# Settings spelled alike in 2.3 and 2.4.
write_conf_common() {
	local d=$SANDBOX_DIR
	cat <<EOF
protocols = pop3 lmtp
listen = $LISTEN
instance_name = pop3check-sandbox-$PORT_PLAIN
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
info_log_path = $d/dovecot.log
auth_verbose = yes

default_internal_user = $INTERNAL_USER
default_internal_group = $INTERNAL_GROUP
default_login_user = $LOGIN_USER
first_valid_uid = $MAIL_UID
last_valid_uid = $MAIL_UID
first_valid_gid = $MAIL_GID
last_valid_gid = $MAIL_GID

login_greeting = pop3check sandbox ready.
auth_mechanisms = plain login cram-md5 apop scram-sha-1 scram-sha-256$( ((OAUTH2)) && echo ' xoauth2 oauthbearer')$( [[ $DOVECOT_SERIES == 2.4 ]] && echo ' scram-sha-1-plus scram-sha-256-plus')
# Tests hammer wrong passwords: no failure delay (see the passdbs below too).
auth_failure_delay = 0
# Tests and benchmarks run many sessions of one user at once (default 10).
mail_max_userip_connections = 2000
ssl = yes
EOF
}

# Failed logins must answer at once, every time. auth_failure_delay = 0 alone
# is not enough (seen in 2.3.19): failures still wait for the 0.5 s flush
# timer and raise the per-IP anvil penalty (2, 4, 8, 15 s before the next
# attempt). A failure carrying the "nodelay" field skips both, but fields of a
# failing passdb are discarded -- so an always-succeeding, non-authenticating
# passdb sets nodelay first (kept even for unknown users), then passwd-file
# decides. Both series get the same chain, in their own words.

# Dovecot 2.3's language.
write_conf_23() {
	local d=$SANDBOX_DIR
	cat <<EOF
import_environment = TZ CORE_OUTOFMEM CORE_ERROR SANDBOX_NOLOGIN_REASON
mail_location = maildir:~/Maildir
disable_plaintext_auth = no

ssl_cert = <$d/tls/good.pem
ssl_key = <$d/tls/good.key
local $HOST_EXPIRED {
  ssl_cert = <$d/tls/expired.pem
  ssl_key = <$d/tls/expired.key
}
local $HOST_SOON {
  ssl_cert = <$d/tls/soon.pem
  ssl_key = <$d/tls/soon.key
}

passdb {
  driver = static
  args = noauthenticate nodelay=yes
  result_success = continue
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN $d/auth/users
  mechanisms = plain login cram-md5 apop scram-sha-1 scram-sha-256 none
}
userdb {
  driver = passwd-file
  args = $d/auth/users
}
EOF
}

# Dovecot 2.4's language: named passdb/userdb filters, ssl_server_*_file
# (paths, not "<file"), mail_driver + mail_path, the nologin reason as a
# passdb field of the disabled account's own passdb.
write_conf_24() {
	local d=$SANDBOX_DIR
	cat <<EOF
mail_driver = maildir
mail_path = %{home}/Maildir
auth_allow_cleartext = yes

ssl_server_cert_file = $d/tls/good.pem
ssl_server_key_file = $d/tls/good.key
local $HOST_EXPIRED {
  ssl_server_cert_file = $d/tls/expired.pem
  ssl_server_key_file = $d/tls/expired.key
}
local $HOST_SOON {
  ssl_server_cert_file = $d/tls/soon.pem
  ssl_server_key_file = $d/tls/soon.key
}

passdb static {
  fields {
    noauthenticate = yes
    nodelay = yes
  }
  result_success = continue
}
passdb passwd-file {
  username_filter = * !disabled
  passwd_file_path = $d/auth/users
  default_password_scheme = PLAIN
}
passdb disabled {
  driver = passwd-file
  username_filter = disabled
  passwd_file_path = $d/auth/users
  default_password_scheme = PLAIN
  fields {
    reason = $NOLOGIN_REASON
  }
}
userdb passwd-file {
  passwd_file_path = $d/auth/users
}
EOF
}

# Bearer tokens, introspected at oauth2-server.py (RFC 7662): in 2.3 by an
# oauth2 passdb for the two mechanisms (the passwd-file passdb above
# serves the others); 2.4 has no oauth2 passdb, its mechanisms introspect
# with the global oauth2 settings.
write_conf_oauth2() {
	if [[ $DOVECOT_SERIES == 2.3 ]]; then
		cat <<EOF
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $SANDBOX_DIR/auth/oauth2.conf.ext
}
EOF
		return
	fi
	cat <<EOF
oauth2_introspection_mode = post
oauth2_introspection_url = http://127.0.0.1:$OAUTH2_PORT/introspect
oauth2_username_attribute = username
oauth2_active_attribute = active
oauth2_active_value = true
oauth2_scope = pop3
oauth2 {
  http_client_request_absolute_timeout = 5s
}
EOF
}

# LMTP looks a recipient up by its address (trip@example.test) while the
# users file knows trip: for LMTP only, the domain is cut off first. Its
# Received: header names the same host on every machine.
write_conf_lmtp() {
	local format='%Ln'
	[[ $DOVECOT_SERIES == 2.4 ]] && format='%{user | username | lower}'
	cat <<EOF
protocol lmtp {
  auth_username_format = $format
  hostname = $LMTP_HOSTNAME
}
EOF
}

# The listeners. In 2.4 a listener has no address of its own: it takes the
# global listen, which is the same list.
write_conf_services() {
	local address=
	[[ $DOVECOT_SERIES == 2.3 ]] && address="address = $LISTEN"
	cat <<EOF
service pop3-login {
  process_limit = 500
  inet_listener pop3 {
    $address
    port = $PORT_PLAIN
  }
  inet_listener pop3s {
    $address
    port = $PORT_POP3S
    ssl = yes
  }
}
# Mail for the round trip's mailbox arrives over LMTP (from mta.sh's Postfix).
service lmtp {
  inet_listener lmtp {
    $address
    port = $PORT_LMTP
  }
}
# SASL for Postfix's smtpd (mta.sh), which runs as $AUTH_CLIENT_USER:
# $SANDBOX_DIR/run/$AUTH_SOCKET_NAME.
service auth {
  unix_listener $AUTH_SOCKET_NAME {
    mode = 0600
    user = $AUTH_CLIENT_USER
    group = $AUTH_CLIENT_GROUP
  }
}
# Belt and braces: no other protocol may bind a network port.
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = 0
  }
}
service submission-login {
  inet_listener submission {
    port = 0
  }
}
EOF
}

write_dovecot_conf() {
	LISTEN=$(
		IFS=,
		echo "${HOSTS[*]}"
	)
	LISTEN=${LISTEN//,/, }
	{
		echo "# Generated by pop3check tests/integration/sandbox.sh for Dovecot $DOVECOT_SERIES -- throw-away test server."
		if [[ $DOVECOT_SERIES == 2.4 ]]; then
			# Must come first. Pinned to the first 2.4: a later 2.4.x keeps
			# these defaults and storage formats instead of changing them.
			echo "dovecot_config_version = 2.4.0"
			echo "dovecot_storage_version = 2.4.0"
		fi
		write_conf_common
		echo
		if [[ $DOVECOT_SERIES == 2.4 ]]; then write_conf_24; else write_conf_23; fi
		if ((OAUTH2)); then write_conf_oauth2; fi
		echo
		write_conf_lmtp
		echo
		write_conf_services
	} >"$SANDBOX_DIR/dovecot.conf"
}

# ------------------------------------------------------------ dovecot ------

# Prints the interesting end of dovecot's logs (for error messages): the
# last problems reported, then the last lines whatever they are.
log_tail() {
	local f
	for f in "$SANDBOX_DIR/dovecot.log" "$SANDBOX_DIR/dovecot.stderr"; do
		[[ -s $f ]] || continue
		if grep -qE ': (Warning|Error|Fatal|Panic):' "$f"; then
			echo "--- last warnings/errors in $f:"
			grep -E ': (Warning|Error|Fatal|Panic):' "$f" | tail -n 8
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

# Is PID a live dovecot master started with DIR's config? (Guards against a
# recycled PID: we only ever signal our own master.)
is_our_dovecot() {
	local pid=$1 dir=$2 state cmdline
	[[ -r /proc/$pid/stat ]] || return 1
	state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) || return 1
	[[ $state != Z && $state != X ]] || return 1
	cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
	[[ $cmdline == *"$dir/dovecot.conf"* ]]
}

launch_dovecot() {
	local pid
	# No setsid: $! must be dovecot itself, and staying in the caller's
	# process group lets a killed test run take the server down with it.
	# All fds redirected so callers capturing our output never block on it.
	SANDBOX_NOLOGIN_REASON=$NOLOGIN_REASON \
		dovecot -F -c "$SANDBOX_DIR/dovecot.conf" \
		</dev/null >>"$SANDBOX_DIR/dovecot.stderr" 2>&1 &
	pid=$!
	echo "$pid" >"$SANDBOX_DIR/dovecot.pid"
	SANDBOX_PID=$pid
}

# Reads the POP3 greeting on HOST:PORT (plain); prints it.
plain_greeting() {
	local host=$1 port=$2 line
	exec {fd}<>"/dev/tcp/$host/$port" || return 1
	if ! IFS= read -r -t 2 line <&"$fd"; then
		exec {fd}>&-
		return 1
	fi
	{ printf 'QUIT\r\n' >&"$fd"; } 2>/dev/null || true
	exec {fd}>&-
	printf '%s\n' "${line%$'\r'}"
}

# Reads the POP3 greeting over implicit TLS; prints it.
tls_greeting() {
	local host=$1 port=$2 out
	# -quiet keeps reading after our QUIT until the server closes.
	out=$(printf 'QUIT\r\n' | timeout 3 openssl s_client -quiet \
		-connect "$host:$port" -servername localhost 2>/dev/null) || true
	out=${out%%$'\n'*}
	[[ $out == "+OK"* ]] || return 1
	printf '%s\n' "${out%$'\r'}"
}

wait_ready() {
	local deadline host pending greeting
	deadline=$(($(now_ms) + READY_TIMEOUT_S * 1000))
	while :; do
		if ! is_our_dovecot "$SANDBOX_PID" "$SANDBOX_DIR"; then
			fail_start "dovecot exited during startup"
		fi
		pending=
		for host in "${HOSTS[@]}"; do
			greeting=$(plain_greeting "$host" "$PORT_PLAIN" 2>/dev/null) || greeting=
			if [[ $greeting != "+OK"* ]]; then
				pending="$host:$PORT_PLAIN (plain)"
				break
			fi
			if ! tls_greeting "$host" "$PORT_POP3S" >/dev/null 2>&1; then
				pending="$host:$PORT_POP3S (pop3s)"
				break
			fi
		done
		if [[ -z $pending ]]; then
			greeting=$(plain_greeting "$HOST_GOOD" "$PORT_LMTP" 2>/dev/null) || greeting=
			[[ $greeting == "220 "* ]] || pending="$HOST_GOOD:$PORT_LMTP (lmtp)"
		fi
		[[ -z $pending ]] && return 0
		if (($(now_ms) > deadline)); then
			fail_start "listener $pending did not answer +OK (LMTP: 220) within ${READY_TIMEOUT_S}s"
		fi
		sleep 0.05
	done
}

# ----------------------------------------------------------- self-check ----

# pop3_cmd FD COMMAND: send one command, print the first response line.
pop3_cmd() {
	local fd=$1 cmd=$2 line
	printf '%s\r\n' "$cmd" >&"$fd"
	IFS= read -r -t 10 line <&"$fd" || return 1
	printf '%s\n' "${line%$'\r'}"
}

# Prints "<messages> <octets> <largest>" as the server reports them.
server_stat() {
	local user=$1 pass=$2 fd line stat largest=0 n size
	exec {fd}<>"/dev/tcp/$HOST_GOOD/$PORT_PLAIN" || return 1
	IFS= read -r -t 5 line <&"$fd" || return 1
	[[ $(pop3_cmd "$fd" "USER $user") == "+OK"* ]] || return 1
	[[ $(pop3_cmd "$fd" "PASS $pass") == "+OK"* ]] || return 1
	stat=$(pop3_cmd "$fd" STAT) || return 1
	[[ $stat == "+OK "* ]] || return 1
	if [[ $user == small ]]; then
		[[ $(pop3_cmd "$fd" LIST) == "+OK"* ]] || return 1
		while IFS= read -r -t 5 line <&"$fd"; do
			line=${line%$'\r'}
			[[ $line == . ]] && break
			read -r n size <<<"$line"
			((size > largest)) && largest=$size
		done
	fi
	pop3_cmd "$fd" QUIT >/dev/null || true
	exec {fd}>&-
	read -r _ n size <<<"$stat"
	echo "$n $size $largest"
}

# smtp_reply FD: reads one SMTP/LMTP reply, however many lines; prints
# its last line.
smtp_reply() {
	local fd=$1 line
	while IFS= read -r -t 10 line <&"$fd"; do
		line=${line%$'\r'}
		if [[ ${line:3:1} != - ]]; then
			printf '%s\n' "$line"
			return 0
		fi
	done
	return 1
}

# smtp_cmd FD COMMAND: sends one command, prints the reply's last line.
smtp_cmd() {
	printf '%s\r\n' "$2" >&"$1"
	smtp_reply "$1"
}

# lmtp_accepts RCPT...: true if Dovecot's LMTP takes every recipient (a
# userdb lookup; nothing is delivered). Prints the first refusal.
lmtp_accepts() {
	local fd rcpt reply ok=0
	exec {fd}<>"/dev/tcp/$HOST_GOOD/$PORT_LMTP" || return 1
	reply=$(smtp_reply "$fd") && [[ $reply == 220* ]] &&
		reply=$(smtp_cmd "$fd" "LHLO sandbox.example.test") && [[ $reply == 250* ]] &&
		reply=$(smtp_cmd "$fd" "MAIL FROM:<>") && [[ $reply == 250* ]] && ok=1
	for rcpt in "$@"; do
		((ok)) || break
		reply=$(smtp_cmd "$fd" "RCPT TO:<$rcpt>") && [[ $reply == 250* ]] || ok=0
		((ok)) || reply="RCPT TO:<$rcpt>: $reply"
	done
	smtp_cmd "$fd" QUIT >/dev/null 2>&1 || true
	exec {fd}>&-
	((ok)) || printf '%s\n' "$reply"
	((ok))
}

# The env figures come from the files; make sure Dovecot agrees (this also
# builds the indexes now rather than during the first test).
self_check() {
	local got
	got=$(server_stat small "${PASSWORDS[small]}") ||
		fail_start "self-check: login/STAT as 'small' failed"
	[[ $got == "$SMALL_MESSAGES $SMALL_OCTETS $SMALL_LARGEST" ]] ||
		fail_start "self-check: small: server says '$got', files say '$SMALL_MESSAGES $SMALL_OCTETS $SMALL_LARGEST'"
	got=$(server_stat large "${PASSWORDS[large]}") ||
		fail_start "self-check: login/STAT as 'large' failed"
	[[ $got == "$LARGE_MESSAGES $LARGE_OCTETS 0" ]] ||
		fail_start "self-check: large: server says '$got', files say '$LARGE_MESSAGES $LARGE_OCTETS'"
	got=$(server_stat big "${PASSWORDS[big]}") ||
		fail_start "self-check: login/STAT as 'big' failed"
	[[ $got == "1 $BIG_OCTETS 0" ]] ||
		fail_start "self-check: big: server says '$got', files say '1 $BIG_OCTETS'"
	got=$(server_stat empty "${PASSWORDS[empty]}") ||
		fail_start "self-check: login/STAT as 'empty' failed"
	[[ $got == "0 0 0" ]] ||
		fail_start "self-check: empty: server says '$got'"
	got=$(lmtp_accepts "trip@$TRIP_DOMAIN" trip) ||
		fail_start "self-check: LMTP refused the round trip's mailbox: $got"
}

write_env() {
	local tmp=$SANDBOX_DIR/env.tmp
	{
		echo "# pop3check POP3 sandbox; source this file"
		printf '%s=%q\n' \
			SANDBOX_DIR "$SANDBOX_DIR" \
			SANDBOX_PID "$SANDBOX_PID" \
			PORT_PLAIN "$PORT_PLAIN" \
			PORT_POP3S "$PORT_POP3S" \
			HOST_GOOD "$HOST_GOOD" \
			HOST_EXPIRED "$HOST_EXPIRED" \
			HOST_SOON "$HOST_SOON" \
			CA_FILE "$SANDBOX_DIR/tls/ca.pem" \
			USER_EMPTY empty \
			PASS_EMPTY "${PASSWORDS[empty]}" \
			USER_SMALL small \
			PASS_SMALL "${PASSWORDS[small]}" \
			SMALL_MESSAGES "$SMALL_MESSAGES" \
			SMALL_OCTETS "$SMALL_OCTETS" \
			SMALL_LARGEST "$SMALL_LARGEST" \
			USER_LARGE large \
			PASS_LARGE "${PASSWORDS[large]}" \
			LARGE_MESSAGES "$LARGE_MESSAGES" \
			LARGE_OCTETS "$LARGE_OCTETS" \
			USER_BIG big \
			PASS_BIG "${PASSWORDS[big]}" \
			BIG_OCTETS "$BIG_OCTETS" \
			USER_DISABLED disabled \
			PASS_DISABLED "${PASSWORDS[disabled]}" \
			SANDBOX_LMTP_HOST "$HOST_GOOD" \
			SANDBOX_LMTP_PORT "$PORT_LMTP" \
			SANDBOX_LMTP_HOSTNAME "$LMTP_HOSTNAME" \
			SANDBOX_AUTH_SOCKET "$SANDBOX_DIR/run/$AUTH_SOCKET_NAME" \
			USER_AGED aged \
			PASS_AGED "${PASSWORDS[aged]}" \
			USER_SCRAM scram \
			PASS_SCRAM "${PASSWORDS[scram]}" \
			OAUTH2_PORT "${OAUTH2_PORT:-}" \
			OAUTH2_CLIENT pop3check \
			USER_TRIP trip \
			PASS_TRIP "${PASSWORDS[trip]}" \
			TRIP_ADDRESS "trip@$TRIP_DOMAIN" \
			TRIP_DOMAIN "$TRIP_DOMAIN" \
			TRIP_MAILDIR "$SANDBOX_DIR/mail/trip/Maildir" \
			SANDBOX_TRIP_USERS "$TRIP_USERS" \
			SANDBOX_SCRAM_PLUS "$([[ $DOVECOT_SERIES == 2.4 ]] && echo 1 || echo 0)"
	} >"$tmp"
	mv "$tmp" "$SANDBOX_DIR/env"
}

# ------------------------------------------------------------- commands ----

resolve_dir() {
	[[ -n ${1:-} ]] || usage
	realpath -m -- "$1"
}

# Look up system accounts; sets MAIL_UID/GID and the dovecot service users.
resolve_accounts() {
	INTERNAL_USER=dovecot
	LOGIN_USER=dovenull
	id -u "$INTERNAL_USER" >/dev/null 2>&1 || die "system user '$INTERNAL_USER' missing (dovecot-core not installed?)"
	id -u "$LOGIN_USER" >/dev/null 2>&1 || die "system user '$LOGIN_USER' missing (dovecot-core not installed?)"
	INTERNAL_GROUP=$(id -gn "$INTERNAL_USER")
	# Mail is owned by nobody: unprivileged and not one of dovecot's own users.
	MAIL_UID=$(id -u nobody) || die "system user 'nobody' missing"
	MAIL_GID=$(id -g nobody)
	# Without Postfix installed, the SASL socket is root's alone.
	AUTH_CLIENT_USER=root
	id -u postfix >/dev/null 2>&1 && AUTH_CLIENT_USER=postfix
	AUTH_CLIENT_GROUP=$(id -gn "$AUTH_CLIENT_USER")
}

START_OK=0

on_start_exit() {
	# Anything but a completed start: take down what we started.
	if ((START_OK == 0)) && [[ -n ${SANDBOX_DIR:-} ]]; then
		stop_dovecot "$SANDBOX_DIR" >/dev/null 2>&1 || true
		stop_oauth2 "$SANDBOX_DIR" >/dev/null 2>&1 || true
	fi
}

cmd_start() {
	local t0 attempt
	t0=$(now_ms)
	SANDBOX_DIR=$(resolve_dir "${1:-}")
	require_tools
	detect_dovecot_series
	resolve_accounts

	if [[ -e $SANDBOX_DIR ]]; then
		[[ -d $SANDBOX_DIR ]] || die "$SANDBOX_DIR exists and is not a directory"
		[[ -z $(ls -A -- "$SANDBOX_DIR") ]] ||
			die "$SANDBOX_DIR is not empty; give a fresh or nonexistent directory"
	fi
	# The path goes unquoted into dovecot.conf and space-separated passdb args.
	[[ $SANDBOX_DIR =~ ^[A-Za-z0-9._/+-]+$ ]] ||
		die "directory path may only contain A-Z a-z 0-9 . _ / + - (got: $SANDBOX_DIR)"
	# Unix socket paths are limited to 108 bytes; ours add up to ~30.
	((${#SANDBOX_DIR} <= 70)) ||
		die "directory path too long for dovecot's unix sockets (max 70 chars): $SANDBOX_DIR"
	mkdir -p "$SANDBOX_DIR"
	# The mail uid and the dovecot user need to traverse DIR (mktemp makes 0700).
	chmod 0711 "$SANDBOX_DIR"
	mkdir -p "$SANDBOX_DIR/run" "$SANDBOX_DIR/state"
	SANDBOX_PID=
	trap on_start_exit EXIT

	pick_ports # early, so a busy POP3_SANDBOX_PORT_BASE fails fast

	declare -gA PASSWORDS=(
		[empty]=empty-pass-1
		[small]=small-pass-2
		[large]=large-pass-3
		[big]=big-pass-4
		[disabled]=disabled-pass-5
		[trip]=trip-pass-6
		[scram]=scram-pass-7
		[aged]=aged-pass-8
	)
	# SANDBOX_TRIP_USERS=N adds mailboxes trip1 .. tripN (trip's password)
	# for benchmarks of many round trips at once.
	TRIP_USERS=${SANDBOX_TRIP_USERS:-0}
	[[ $TRIP_USERS =~ ^[0-9]{1,4}$ ]] || die "SANDBOX_TRIP_USERS must be a number up to 9999"
	USERS=(empty small large big disabled trip scram aged)
	for ((i = 1; i <= TRIP_USERS; i++)); do USERS+=("trip$i"); done

	make_tls
	make_mail
	make_users
	if ((OAUTH2)); then start_oauth2; fi
	setpriv --reuid="$MAIL_UID" --regid="$MAIL_GID" --clear-groups \
		test -w "$SANDBOX_DIR/mail/small/Maildir/cur" ||
		die "uid $MAIL_UID cannot reach $SANDBOX_DIR/mail: every parent directory must be world-searchable (o+x)"

	# Random ports can race with another sandbox starting at the same time:
	# retry with new ports if dovecot could not bind.
	for attempt in 1 2 3; do
		((attempt == 1)) || pick_ports
		echo "$PORT_PLAIN $PORT_POP3S $PORT_LMTP" >"$SANDBOX_DIR/ports"
		write_dovecot_conf
		check_config
		launch_dovecot
		if [[ -z ${POP3_SANDBOX_PORT_BASE:-} ]] && ((attempt < 3)) && bind_failed; then
			note "ports $PORT_PLAIN/$PORT_POP3S/$PORT_LMTP taken meanwhile, retrying with others"
			stop_dovecot "$SANDBOX_DIR" >/dev/null 2>&1 || true
			# Start the next attempt with clean logs (bind_failed greps them).
			: >"$SANDBOX_DIR/dovecot.log"
			: >"$SANDBOX_DIR/dovecot.stderr"
			continue
		fi
		break
	done
	wait_ready
	self_check
	write_env
	START_OK=1
	note "dovecot pid $SANDBOX_PID ready on $HOST_GOOD,$HOST_EXPIRED,$HOST_SOON ports $PORT_PLAIN (pop3+STLS) / $PORT_POP3S (pop3s) / $PORT_LMTP (lmtp) in $(($(now_ms) - t0)) ms; env: $SANDBOX_DIR/env"
}

check_config() {
	local err
	if ! err=$(doveconf -c "$SANDBOX_DIR/dovecot.conf" -n 2>&1 >/dev/null); then
		die "dovecot rejected the generated config $SANDBOX_DIR/dovecot.conf: $err"
	fi
}

# Waits briefly for dovecot's first log lines; true if it failed to bind.
bind_failed() {
	local i
	for ((i = 0; i < 20; i++)); do
		if grep -q 'Address already in use' "$SANDBOX_DIR/dovecot.log" "$SANDBOX_DIR/dovecot.stderr" 2>/dev/null; then
			return 0
		fi
		# Once something answers, binding worked.
		(plain_greeting "$HOST_GOOD" "$PORT_PLAIN") >/dev/null 2>&1 && return 1
		is_our_dovecot "$SANDBOX_PID" "$SANDBOX_DIR" || break
		sleep 0.05
	done
	grep -q 'Address already in use' "$SANDBOX_DIR/dovecot.log" "$SANDBOX_DIR/dovecot.stderr" 2>/dev/null
}

# True while any of the sandbox's ports still has a listener.
ports_listening() {
	local dir=$1 p
	[[ -r $dir/ports ]] || return 1
	command -v ss >/dev/null 2>&1 || return 1
	for p in $(<"$dir/ports"); do
		if ss -ltnH "sport = :$p" 2>/dev/null | grep -q .; then
			return 0
		fi
	done
	return 1
}

stop_dovecot() {
	local dir=$1 pid deadline signalled=0
	[[ -f $dir/dovecot.pid ]] || return 0
	pid=$(<"$dir/dovecot.pid")
	[[ $pid =~ ^[0-9]+$ ]] || {
		rm -f "$dir/dovecot.pid"
		return 0
	}
	if is_our_dovecot "$pid" "$dir"; then
		signalled=1
		kill -TERM "$pid" 2>/dev/null || true
		deadline=$(($(now_ms) + STOP_TIMEOUT_S * 1000))
		while is_our_dovecot "$pid" "$dir" && (($(now_ms) < deadline)); do
			sleep 0.05
		done
		if is_our_dovecot "$pid" "$dir"; then
			note "dovecot pid $pid ignored SIGTERM for ${STOP_TIMEOUT_S}s, sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
			deadline=$(($(now_ms) + STOP_TIMEOUT_S * 1000))
			while is_our_dovecot "$pid" "$dir" && (($(now_ms) < deadline)); do
				sleep 0.05
			done
			is_our_dovecot "$pid" "$dir" && die "dovecot pid $pid survived SIGKILL"
		fi
	fi
	# Login processes share the listening sockets and exit right after the
	# master; wait for them so the ports are really free on return.
	if ((signalled)); then
		deadline=$(($(now_ms) + STOP_TIMEOUT_S * 1000))
		while ports_listening "$dir" && (($(now_ms) < deadline)); do
			sleep 0.05
		done
		if ports_listening "$dir"; then
			note "warning: ports $(<"$dir/ports") still have listeners"
		fi
	fi
	rm -f "$dir/dovecot.pid"
	return 0
}

cmd_stop() {
	local dir
	dir=$(resolve_dir "${1:-}")
	stop_dovecot "$dir"
	stop_oauth2 "$dir"
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
		cmd_stop "$2"
		;;
	certs)
		SANDBOX_DIR=$(resolve_dir "$2")
		mkdir -p "$SANDBOX_DIR"
		make_tls
		make_bad_tls
		;;
	*) usage ;;
	esac
}

main "$@"
