#!/bin/bash
# SPDX-License-Identifier: MIT
# The shared library must export exactly the functions its one header
# declares (POP3CHECK_API), nothing internal. Usage: symbols.sh LIB HEADER
set -euo pipefail
lib=$1 header=$2
results="${BUILD:-build}/results"
mkdir -p "$results"
want=$(grep -A2 'POP3CHECK_API' "$header" | grep -o 'pop3check_[a-z0-9_]*(' | tr -d '(' | sort -u)
have=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ {print $3}' | sed 's/@.*//' | sort -u)
if [ -z "$want" ]; then
    echo "symbols: found no POP3CHECK_API declarations in $header" >&2
    echo "symbols 0 1" > "$results/symbols"
    exit 1
fi
if [ "$want" != "$have" ]; then
    echo "symbols: exported symbols differ from the header (< header, > library):" >&2
    diff <(echo "$want") <(echo "$have") >&2 || true
    echo "symbols 0 1" > "$results/symbols"
    exit 1
fi
soname=$(objdump -p "$lib" | awk '$1 == "SONAME" {print $2}')
if [ "$soname" != "libpop3check.so.1" ]; then
    echo "symbols: SONAME is '$soname', expected libpop3check.so.1" >&2
    echo "symbols 0 1" > "$results/symbols"
    exit 1
fi
echo "symbols: $(echo "$want" | wc -l) exported functions match $header; SONAME $soname"
echo "symbols 1 0" > "$results/symbols"
