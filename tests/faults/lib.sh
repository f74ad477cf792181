# SPDX-License-Identifier: MIT
# lib.sh - the fault scenarios for the test scripts (sourced): reads
# tests/faults/scenarios/*.scn into arrays, builds check_pop3's options
# and the YAML modules and targets for pop3_exporter and the SNMP agent.
# Needs: $here (tests/faults), $work/ports (from faultserver.py), $CA,
# $work/pw (the password file), $REFUSED (a port nobody listens on).
# shellcheck shell=bash disable=SC2034,SC2154
# (the arrays are for the sourcing script, which sets here and work)

# key FILE KEY [DEFAULT]: a scenario's setting.
key() { local v; v=$(sed -n "s/^$2 //p" "$1" | head -1); echo "${v:-${3:-}}"; }

# load_scenarios: names=(...) and S_*[name], read once: where to probe,
# how, what to expect.
declare -A S_HOST S_PORT S_TLS S_LOGIN S_AUTH S_CMDS S_TIMEOUT S_STATE S_KIND S_PHASE S_LINE
load_scenarios() {
    local f n
    names=()
    for f in "$here"/scenarios/*.scn; do
        n=$(basename "$f" .scn)
        names+=("$n")
        S_HOST[$n]=$(key "$f" host 127.0.0.1)
        S_PORT[$n]=$(awk -v n="$n" '$1 == n { print $2 }' "$work/ports")
        [ "$(key "$f" port)" = refused ] && S_PORT[$n]=$REFUSED
        S_TLS[$n]=$(key "$f" client-tls "$(key "$f" tls none)")
        S_LOGIN[$n]=$(key "$f" login yes)
        S_AUTH[$n]=$(key "$f" auth user)
        S_CMDS[$n]=$(key "$f" commands)
        S_TIMEOUT[$n]=$(key "$f" timeout 2)
        read -r "S_STATE[$n]" "S_KIND[$n]" "S_PHASE[$n]" <<< "$(key "$f" expect)"
        S_LINE[$n]=$(key "$f" line)
    done
}

# check_args NAME: check_pop3's options for a scenario.
check_args() {
    local n=$1 c
    args=(-H "${S_HOST[$n]}" -p "${S_PORT[$n]}" -t "${S_TIMEOUT[$n]}")
    [ "${S_TLS[$n]}" != none ] && args+=(--tls "${S_TLS[$n]}" --cafile "$CA")
    [ "${S_LOGIN[$n]}" = yes ] && args+=(-u fault --password-file "$work/pw" --auth "${S_AUTH[$n]}")
    for c in ${S_CMDS[$n]}; do
        case $c in list) args+=(--list) ;; uidl) args+=(--uidl) ;; top) args+=(--top 1) ;; retr) args+=(--retr 1) ;; esac
    done
}
# one_of WORD ALTERNATIVES: WORD is one of "a|b|c".
one_of() { [[ "|$2|" == *"|$1|"* ]]; }

# write_config FILE INTERVAL: a module per scenario (named after it) and a
# target per scenario probed every INTERVAL.
write_config() {
    local n c cmds
    {
        echo "modules:"
        for n in "${names[@]}"; do
            echo "  $n:"
            echo "    tls: ${S_TLS[$n]}"
            [ "${S_TLS[$n]}" != none ] && echo "    cafile: $CA"
            if [ "${S_LOGIN[$n]}" = yes ]; then
                echo "    user: fault"
                echo "    password_file: $work/pw"
                echo "    auth: ${S_AUTH[$n]}"
            fi
            cmds=""
            for c in ${S_CMDS[$n]}; do
                case $c in list | uidl) cmds+="${cmds:+, }$c" ;; top) echo "    top: 1" ;; retr) echo "    retr: 1" ;; esac
            done
            [ -n "$cmds" ] && echo "    commands: [$cmds]"
            echo "    timeout: ${S_TIMEOUT[$n]}s"
            echo "    allowed_targets: [\"127.0.0.1\", \"pop3.nosuch.invalid\"]"
        done
        echo "targets:"
        for n in "${names[@]}"; do
            echo "  - name: $n"
            echo "    target: ${S_HOST[$n]}:${S_PORT[$n]}"
            echo "    module: $n"
            echo "    interval: $2"
        done
    } > "$1"
}
