#!/bin/bash
# SPDX-License-Identifier: MIT
# The shared library exports exactly the functions its one header declares
# (POP3CHECK_API), each named in the version script, nothing internal, under
# the soname the Makefile says. Usage: symbols.sh LIB HEADER MAP SONAME
set -euo pipefail
lib=$1 header=$2 map=$3 soname_want=$4
results="${BUILD:-build}/results"
mkdir -p "$results"
pass=0 fail=0
check() { # name, then 0 for ok
    if [ "$2" -eq 0 ]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1" >&2; fi
}

declared=$(grep -A3 'POP3CHECK_API' "$header" | grep -o 'pop3check_[a-z0-9_]*(' | tr -d '(' | sort -u)
listed=$(sed -e 's|/\*.*\*/||' "$map" | grep -o '^ *pop3check_[a-z0-9_]* *;' | tr -d ' ;' | sort -u)
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRW]$/ {print $3}' | sed 's/@.*//' | sort -u)
untyped=$(nm -D --defined-only "$lib" | awk '$2 !~ /^[TDBRWA]$/ {print $3}')

[ -n "$declared" ] || { echo "symbols: no POP3CHECK_API declarations found in $header" >&2; exit 1; }
if [ "$declared" = "$listed" ]; then r=0; else r=1; diff <(echo "$declared") <(echo "$listed") >&2 || true; fi
check "$(echo "$declared" | wc -l) functions declared in $(basename "$header") = those named in $(basename "$map") (< header, > map)" $r
if [ "$declared" = "$exported" ]; then r=0; else r=1; diff <(echo "$declared") <(echo "$exported") >&2 || true; fi
check "the library exports exactly those (< header, > library)" $r
check "no other kind of exported symbol${untyped:+: $untyped}" "$([ -z "$untyped" ] && echo 0 || echo 1)"
# Every export carries a version node of the map (no unversioned name).
unversioned=$(objdump -T "$lib" | awk '$NF ~ /^pop3check_/ && $(NF-1) !~ /^POP3CHECK_/ {print $NF}')
check "every export is versioned (POP3CHECK_x.y)${unversioned:+: $unversioned}" "$([ -z "$unversioned" ] && echo 0 || echo 1)"
soname=$(objdump -p "$lib" | awk '$1 == "SONAME" {print $2}')
check "SONAME $soname (want $soname_want)" "$([ "$soname" = "$soname_want" ] && echo 0 || echo 1)"
echo "symbols $pass $fail" > "$results/symbols"
[ "$fail" -eq 0 ]
