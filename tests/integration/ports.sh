# SPDX-License-Identifier: MIT
# ports.sh - three free TCP ports in a row on loopback, for the servers
# the test harness starts (sourced by sandbox.sh and mta.sh, which define
# die). A port is free when nothing listens on it (ss: wildcard or
# loopback) and a connect to each of the given addresses is refused.
# shellcheck shell=bash

# port_is_free PORT HOST...
port_is_free() {
	local port=$1 host
	shift
	if command -v ss >/dev/null 2>&1 &&
		ss -ltnH "sport = :$port" 2>/dev/null | grep -q .; then
		return 1
	fi
	for host in "$@"; do
		# A refused connect means free; a subshell so that the fd closes.
		if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
			return 1
		fi
	done
	return 0
}

# ports_are_free BASE HOST...: BASE, BASE+1 and BASE+2.
ports_are_free() {
	local base=$1 i
	shift
	for i in 0 1 2; do
		port_is_free $((base + i)) "$@" || return 1
	done
}

# pick_port_base NAME HOST...: sets PORT_BASE to the value of the
# environment variable NAME when it is set (it must be free), else to a
# free random base in 20000-60000.
pick_port_base() {
	local name=$1 base tries
	shift
	if [[ -n ${!name:-} ]]; then
		base=${!name}
		if ! [[ $base =~ ^[0-9]+$ ]] || ((base < 1024 || base > 65533)); then
			die "$name must be a number in 1024..65533 (got '$base')"
		fi
		ports_are_free "$base" "$@" ||
			die "$name: port $base, $((base + 1)) or $((base + 2)) is already in use"
	else
		for ((tries = 0; tries < 50; tries++)); do
			base=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
			ports_are_free "$base" "$@" && break
			base=
		done
		[[ -n $base ]] || die "could not find three free TCP ports in 20000-60000"
	fi
	# shellcheck disable=SC2034 # for the sourcing script
	PORT_BASE=$base
}
