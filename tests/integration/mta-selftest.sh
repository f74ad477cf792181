#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Self-test of the mail round trip's test chain, with the curl program
# only: a sandbox Dovecot (sandbox.sh) and a Postfix in front of it
# (mta.sh), both on loopback. Mail submitted on each port must reach the
# trip mailbox at once and be seen over POP3; AUTH before STARTTLS, a wrong
# password and mail without AUTH must be refused; after the stop no process
# of the chain may be left. Exits non-zero when a check fails.
#
#   tests/integration/mta-selftest.sh        (as root)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
readonly DELIVERY_TIMEOUT_MS=3000

pass=0
fail=0
work=

ok() {
	pass=$((pass + 1))
	echo "ok   $1"
}

ko() {
	fail=$((fail + 1))
	echo "FAIL $1"
	if [[ -n ${2:-} ]]; then
		printf '%s\n' "$2" | sed 's/^/     | /' | head -n 15
	fi
}

now_ms() {
	local s=$EPOCHREALTIME
	echo $((${s%.*} * 1000 + 10#${s#*.} / 1000))
}

need() {
	local t
	[[ $EUID -eq 0 ]] || {
		echo "mta-selftest: needs root (Dovecot and Postfix switch users)" >&2
		exit 1
	}
	for t in curl base64; do
		command -v "$t" >/dev/null 2>&1 || {
			echo "mta-selftest: $t is missing (tests/deps.sh test)" >&2
			exit 1
		}
	done
}

cleanup() {
	[[ -n $work ]] || return 0
	"$here/mta.sh" stop "$work/sb" >/dev/null 2>&1 || true
	"$here/sandbox.sh" stop "$work/sb" >/dev/null 2>&1 || true
	rm -rf -- "$work"
}

start_chain() {
	work=$(mktemp -d /tmp/pop3check-mta.XXXXXX)
	chmod 0711 "$work"
	trap cleanup EXIT INT TERM
	"$here/sandbox.sh" start "$work/sb" || exit 1
	"$here/mta.sh" start "$work/sb" || exit 1
	# shellcheck disable=SC1091
	. "$work/sb/env"
	# shellcheck disable=SC1091
	. "$work/sb/mta.env"
}

# ------------------------------------------------------------ submit -------

# write_message FILE MARKER: a small message whose Subject carries MARKER.
write_message() {
	printf '%s\r\n' \
		"From: $MTA_ADDRESS" \
		"To: $MTA_ADDRESS" \
		"Subject: mta self-test $2" \
		"Message-ID: <$2@pop3check.test>" \
		"" \
		"Sent by tests/integration/mta-selftest.sh ($2)." >"$1"
}

# submit URL MARKER CURL-OPTION...: sends a message with curl; prints
# curl's messages, fails as curl does.
submit() {
	local url=$1 marker=$2 msg
	shift 2
	msg=$work/$marker.txt
	write_message "$msg" "$marker"
	# The URL's path is the name curl greets with (EHLO).
	curl -sS --max-time 20 --url "$url/selftest.example.test" "$@" \
		--mail-from "$MTA_ADDRESS" --mail-rcpt "$MTA_ADDRESS" \
		--upload-file "$msg" 2>&1
}

# delivered MARKER: prints the Maildir/new file that holds MARKER, waiting
# up to DELIVERY_TIMEOUT_MS.
delivered() {
	local marker=$1 deadline f
	deadline=$(($(now_ms) + DELIVERY_TIMEOUT_MS))
	while (($(now_ms) < deadline)); do
		f=$(grep -l -F -- "Subject: mta self-test $marker" "$MTA_MAILDIR"/new/* 2>/dev/null | head -n 1) || true
		if [[ -n $f ]]; then
			printf '%s\n' "$f"
			return 0
		fi
		sleep 0.02
	done
	return 1
}

# trip NAME URL MARKER WITH CURL-OPTION...: submits, then wants the message
# in Maildir/new in time, received by Postfix "with WITH" (ESMTPSA: TLS
# and AUTH; ESMTPA: AUTH in clear text).
trip() {
	local name=$1 url=$2 marker=$3 with=$4 out t0 f
	shift 4
	t0=$(now_ms)
	if ! out=$(submit "$url" "$marker" "$@"); then
		ko "$name: curl failed" "$out"$'\n'"$(tail -n 5 "$MTA_LOG")"
		return
	fi
	if ! f=$(delivered "$marker"); then
		ko "$name: not in $MTA_MAILDIR/new within $DELIVERY_TIMEOUT_MS ms" "$(tail -n 8 "$MTA_LOG")"
		return
	fi
	if ! grep -q "by $MTA_HOSTNAME (Postfix) with $with id" "$f"; then
		ko "$name: delivered, but not received 'with $with'" "$(grep -A6 '^Received:' "$f")"
		return
	fi
	ok "$name: in Maildir/new after $(($(now_ms) - t0)) ms (with $with)"
}

submit_all() {
	local tls=(--cacert "$MTA_CA_FILE" --user "$MTA_USER:$MTA_PASS")
	trip "submission, STARTTLS required" \
		"smtp://$MTA_HOST:$MTA_SUBMISSION_PORT" sub ESMTPSA --ssl-reqd "${tls[@]}"
	trip "smtps, implicit TLS" \
		"smtps://$MTA_HOST:$MTA_SMTPS_PORT" smtps ESMTPSA "${tls[@]}"
	trip "plain port, AUTH in clear text" \
		"smtp://$MTA_HOST:$MTA_PLAIN_PORT" plain ESMTPA --user "$MTA_USER:$MTA_PASS"
}

# ------------------------------------------------------------- pop3 --------

# POP3 lists the three messages and each one's text is the one sent.
pop3_sees_all() {
	local list n marker text count
	if ! list=$(curl -sS --max-time 20 "pop3://$HOST_GOOD:$PORT_PLAIN/" -u "$USER_TRIP:$PASS_TRIP" 2>&1); then
		ko "POP3 LIST as $USER_TRIP" "$list"
		return
	fi
	count=$(grep -c . <<<"$list") || true
	[[ $count == 3 ]] || {
		ko "POP3 LIST: $count messages, want 3" "$list"
		return
	}
	text=
	for n in 1 2 3; do
		text+=$(curl -sS --max-time 20 "pop3://$HOST_GOOD:$PORT_PLAIN/$n" -u "$USER_TRIP:$PASS_TRIP" 2>&1) || true
	done
	for marker in sub smtps plain; do
		grep -q "Subject: mta self-test $marker" <<<"$text" ||
			ko "POP3 RETR: message '$marker' not found" "$text"
	done
	ok "POP3 lists 3 messages and returns each one sent"
}

# ------------------------------------------------------------ refusals -----

# smtp_dialog PORT COMMAND...: plain SMTP on MTA_HOST:PORT; prints one
# line per reply (the greeting first), a reply's lines joined by " | ".
smtp_dialog() {
	local port=$1 fd cmd
	shift
	exec {fd}<>"/dev/tcp/$MTA_HOST/$port"
	smtp_reply "$fd"
	for cmd in "$@"; do
		printf '%s\r\n' "$cmd" >&"$fd"
		smtp_reply "$fd" || break
	done
	exec {fd}>&-
}

smtp_reply() {
	local fd=$1 line all=
	while IFS= read -r -t 10 line <&"$fd"; do
		line=${line%$'\r'}
		all+=${all:+ | }$line
		if [[ ${line:3:1} != - ]]; then
			printf '%s\n' "$all"
			return 0
		fi
	done
	printf '(no reply) %s\n' "$all"
	return 1
}

# expect NAME REPLY PATTERN DIALOG: a check on one reply of a dialog.
expect() {
	# shellcheck disable=SC2053 # the pattern is a glob on purpose
	if [[ $2 == $3 ]]; then ok "$1: $2"; else ko "$1: want '$3', got '$2'" "$4"; fi
}

auth_plain() {
	printf '\0%s\0%s' "$1" "$2" | base64 -w0
}

submission_needs_starttls() {
	local out
	local -a r
	out=$(smtp_dialog "$MTA_SUBMISSION_PORT" "EHLO selftest.example.test" \
		"AUTH PLAIN $(auth_plain "$MTA_USER" "$MTA_PASS")" \
		"MAIL FROM:<$MTA_ADDRESS>" QUIT)
	mapfile -t r <<<"$out"
	if [[ ${r[1]} == *STARTTLS* && ${r[1]} != *AUTH* ]]; then
		ok "submission: EHLO before STARTTLS offers STARTTLS, not AUTH"
	else
		ko "submission: EHLO before STARTTLS" "$out"
	fi
	expect "submission: AUTH before STARTTLS refused" "${r[2]:-}" "5[0-9][0-9] *" "$out"
	expect "submission: MAIL before STARTTLS refused" "${r[3]:-}" "530 *" "$out"
}

# curl without --ssl-reqd: no TLS, no AUTH offered, nothing delivered.
submission_without_tls() {
	local out
	if out=$(submit "smtp://$MTA_HOST:$MTA_SUBMISSION_PORT" notls --user "$MTA_USER:$MTA_PASS"); then
		ko "submission without STARTTLS: curl succeeded" "$out"
	else
		ok "submission without STARTTLS: curl refused (${out%%$'\n'*})"
	fi
}

wrong_password() {
	local out line url msg=$work/wrong.txt
	write_message "$msg" wrong
	out=$(smtp_dialog "$MTA_PLAIN_PORT" "EHLO selftest.example.test" \
		"AUTH PLAIN $(auth_plain "$MTA_USER" wrong-password)" QUIT)
	line=$(sed -n 3p <<<"$out")
	expect "plain port: wrong password" "$line" "535 *" "$out"
	for url in "smtp://$MTA_HOST:$MTA_SUBMISSION_PORT" "smtps://$MTA_HOST:$MTA_SMTPS_PORT"; do
		out=$(curl -v -sS --max-time 20 --url "$url" --ssl-reqd --cacert "$MTA_CA_FILE" \
			--user "$MTA_USER:wrong-password" --mail-from "$MTA_ADDRESS" \
			--mail-rcpt "$MTA_ADDRESS" --upload-file "$msg" 2>&1) || true
		line=$(grep -m1 '^< 535' <<<"$out") || line=
		expect "${url%%:*} (TLS): wrong password" "${line#< }" "535 *" "$(grep '^[<>*]' <<<"$out" | tail -n 12)"
	done
}

# Without AUTH nobody may send, even to the local domain; unknown
# recipients are refused even with it.
relay_refused() {
	local out
	out=$(smtp_dialog "$MTA_PLAIN_PORT" "EHLO selftest.example.test" \
		"MAIL FROM:<$MTA_ADDRESS>" "RCPT TO:<$MTA_ADDRESS>" QUIT)
	expect "plain port: RCPT without AUTH refused" "$(sed -n 4p <<<"$out")" "5[0-9][0-9] *" "$out"
	out=$(smtp_dialog "$MTA_PLAIN_PORT" "EHLO selftest.example.test" \
		"AUTH PLAIN $(auth_plain "$MTA_USER" "$MTA_PASS")" \
		"MAIL FROM:<$MTA_ADDRESS>" "RCPT TO:<nobody@$TRIP_DOMAIN>" QUIT)
	expect "plain port: AUTH ok" "$(sed -n 3p <<<"$out")" "235 *" "$out"
	expect "plain port: unknown recipient refused" "$(sed -n 5p <<<"$out")" "550 *" "$out"
}

# --------------------------------------------------------------- stop ------

# Processes that belong to the chain, as 'pgrep -a -f WORK' would list
# them, and Postfix's children, which carry MAIL_CONFIG in their
# environment instead. (No procps needed.)
leftovers() {
	local d args env
	local want=$'\n'"MAIL_CONFIG=$work/sb/postfix/conf"$'\n'
	for d in /proc/[0-9]*; do
		[[ ${d#/proc/} != "$$" ]] || continue
		args=$(tr '\0' ' ' 2>/dev/null <"$d/cmdline") || continue
		env=$'\n'$(tr '\0' '\n' 2>/dev/null <"$d/environ")$'\n' || env=
		if [[ $args == *"$work"* || $env == *"$want"* ]]; then
			echo "${d#/proc/} $args"
		fi
	done
}

# tree PID...: "PID STARTTIME" of each live process that is one of PIDs or
# descends from one (Dovecot's and Postfix's children name neither).
tree() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v roots="$*" '
	{
		pid = $1; sub(/^.*\) /, "")
		if ($1 != "Z") { ppid[pid] = $2; start[pid] = $20 }
	}
	END {
		n = split(roots, r, " ")
		for (i = 1; i <= n; i++) if (r[i] in ppid) keep[r[i]] = 1
		for (more = 1; more; ) {
			more = 0
			for (p in ppid) if (!(p in keep) && (ppid[p] in keep)) { keep[p] = 1; more = 1 }
		}
		for (p in keep) print p, start[p]
	}'
}

# survivors: of the "PID STARTTIME" lines read, those still alive (the
# same PID with the same start time, not a zombie).
survivors() {
	local pid start
	while read -r pid start; do
		[[ -n $pid ]] || continue
		awk -v s="$start" '{ sub(/^.*\) /, "") } END { exit !($1 != "Z" && $20 == s) }' \
			"/proc/$pid/stat" 2>/dev/null || continue
		echo "$pid $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")"
	done
}

stop_chain() {
	local before left
	before=$(tree "$SANDBOX_PID" "$MTA_PID")
	[[ -n $(leftovers) && $(wc -l <<<"$before") -gt 2 ]] ||
		ko "the chain's processes cannot be seen (the check below would prove nothing)" "$before"
	if "$here/mta.sh" stop "$work/sb" && "$here/mta.sh" stop "$work/sb"; then
		ok "mta.sh stop (twice)"
	else
		ko "mta.sh stop"
	fi
	"$here/sandbox.sh" stop "$work/sb" || ko "sandbox.sh stop"
	# Zombies have no command line, environment or children: never listed.
	left=$(leftovers)$(survivors <<<"$before")
	if [[ -z $left ]]; then
		ok "no process left ($(wc -l <<<"$before") were running)"
	else
		ko "processes left after stop" "$left"
	fi
}

# Warnings and errors the servers logged, but for the wrong passwords this
# test sends: shown, not failed.
show_warnings() {
	local w
	w=$(grep -hE '(warning|error|fatal|panic|Warning|Error|Fatal|Panic):' \
		"$MTA_LOG" "$SANDBOX_DIR/dovecot.log" 2>/dev/null |
		grep -v 'SASL [A-Z0-9-]* authentication failed') || true
	[[ -z $w ]] && return 0
	echo "== logged warnings (shown, not failed)"
	printf '%s\n' "$w" | sed 's/^/     | /' | head -n 20
}

main() {
	need
	start_chain
	echo "== submit on each port"
	submit_all
	pop3_sees_all
	echo "== refusals"
	submission_needs_starttls
	submission_without_tls
	wrong_password
	relay_refused
	show_warnings
	echo "== stop"
	stop_chain
	echo "mta-selftest: $pass passed, $fail failed"
	((fail == 0))
}

main "$@"
