#!/bin/bash
# SPDX-License-Identifier: MIT
# popa3d (Openwall's, Debian's package) on loopback for the interop suite.
#
#   popa3d.sh start DIR   mailboxes, accounts and the server in DIR,
#                         answering, DIR/env written
#   popa3d.sh stop DIR    stop it, by its PID
#
# The package conflicts with dovecot-pop3d (both provide pop3-server), so
# it is not installed: tests/deps.sh fetches it and this script unpacks
# it into DIR. popa3d has no configuration: it serves the system's
# accounts (PAM) and their mbox in /var/mail, and runs from inetd. So it
# runs in a mount namespace of its own where /etc/passwd, /etc/shadow and
# /etc/group are copies with its users added and /var/mail and
# /var/lib/popa3d are folders in DIR; tests/interop/inetd.py accepts on
# 127.0.0.1. Nothing outside DIR changes. With INTEROP_TRIP_PASSWORD_FILE
# an account trip too, with that password: the round trip's mbox, which
# the test MTA writes into with Postfix's virtual(8) from outside the
# namespace (DIR/mail is /var/mail inside).
# shellcheck source=tests/interop/common.sh
. "$(dirname "$0")/common.sh"

start() {
	local d=$1 u pw users=(aged empty)
	prepare_dir "$d"
	unpack_deb popa3d "$d/root"
	mkdir -p "$d/etc" "$d/mail" "$d/varlib/popa3d"
	cp /etc/passwd /etc/group "$d/etc/"
	install -m 0640 -g shadow /etc/shadow "$d/etc/shadow" 2> /dev/null ||
		install -m 0600 /etc/shadow "$d/etc/shadow"
	# popa3d drops to this user before it knows who logs in.
	printf 'popa3d:x:65534:65534::/var/lib/popa3d:/usr/sbin/nologin\n' >> "$d/etc/passwd"
	printf 'popa3d:*:19000:0:99999:7:::\n' >> "$d/etc/shadow"
	trip_wanted "$d" && users+=(trip)
	for u in "${users[@]}"; do
		pw=$(password_of "$d" "$u")
		printf '%s:x:%s:%s:interop:/nonexistent:/usr/sbin/nologin\n' "$u" "$MAIL_UID" "$MAIL_GID" >> "$d/etc/passwd"
		printf '%s:%s:19000:0:99999:7:::\n' "$u" "$(openssl passwd -6 -stdin <<< "$pw")" >> "$d/etc/shadow"
		: > "$d/mail/$u"
		chown "$MAIL_UID:$MAIL_GID" "$d/mail/$u"
		chmod 0600 "$d/mail/$u"
	done
	fill_mbox "$d/mail/aged"
	chmod 1777 "$d/mail"
	command -v unshare > /dev/null || die "unshare is missing (util-linux)"
	# The mounts below must stay in that namespace. In a chroot "/" is no
	# mount point and cannot be made private: then only when no mount is
	# shared (a namespace made private before the chroot, as CI's).
	local propagation=private
	if ! unshare --mount --propagation private true 2> /dev/null; then
		grep -q ' shared:' /proc/self/mountinfo &&
			die "cannot make a private mount namespace here (a chroot with shared mounts)"
		propagation=unchanged
	fi
	# shellcheck disable=SC2016 # expanded by the inner bash, from its arguments
	unshare --mount --propagation "$propagation" -- bash -c '
		set -e
		for f in passwd shadow group; do mount --bind "$1/etc/$f" "/etc/$f"; done
		mount --bind "$1/mail" /var/mail
		mount --bind "$1/varlib" /var/lib
		exec python3 "$2/inetd.py" "$1/port" "$1/root/usr/sbin/popa3d"
	' bash "$d" "$here" < /dev/null >> "$d/server.log" 2>&1 &
	echo "$!" > "$d/pid"
	local _
	for _ in $(seq $((READY_TIMEOUT_S * 10))); do
		[ -s "$d/port" ] && break
		alive "$d" || break
		sleep 0.1
	done
	PORT_PLAIN=$(cat "$d/port" 2> /dev/null) || die "popa3d's listener did not start: $(tail -3 "$d/server.log")"
	PORT_POP3S=
	wait_greeting "$d" "$PORT_PLAIN" || die "popa3d did not answer on $PORT_PLAIN: $(tail -3 "$d/server.log")"
	write_env "$d" popa3d "$(deb_version popa3d)" "" user apop 0
	[[ " ${users[*]} " == *" trip "* ]] && echo "MAILBOX=$d/mail/trip" >> "$d/env"
	return 0
}

case ${1:-} in
start) start "${2:?DIR}" ;;
stop) stop_server "${2:?DIR}" ;;
*) usage ;;
esac
