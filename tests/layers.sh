#!/bin/bash
# SPDX-License-Identifier: MIT
# The files of the library depend one way: from the symbols each object
# defines and uses (nm), each file may call only files listed before it in
# LIB_SRC (the Makefile lists them bottom-up), so the graph has no cycle.
# Prints the graph, one file and what it calls per line.
# Usage: layers.sh OBJDIR SRC...   (OBJDIR holds checks/NAME.o)
set -euo pipefail
objdir=$1
shift
results="${BUILD:-build}/results"
mkdir -p "$results"
declare -A def rank
i=0
for src in "$@"; do
    f=$(basename "$src" .c)
    rank[$f]=$i
    i=$((i + 1))
    while read -r sym; do def[$sym]=$f; done < <(nm --defined-only "$objdir/$f.o" | awk '$2 ~ /^[TDBR]$/ {print $3}')
done
bad=0 edges=0
for src in "$@"; do
    f=$(basename "$src" .c)
    calls=$(nm --undefined-only "$objdir/$f.o" | awk '{print $2}' | while read -r sym; do
        if [ -n "${def[$sym]:-}" ] && [ "${def[$sym]}" != "$f" ]; then echo "${def[$sym]}"; fi
    done | sort -u | paste -sd' ' -)
    echo "  $f -> ${calls:-(nothing of the library)}"
    for g in $calls; do
        edges=$((edges + 1))
        if [ "${rank[$g]}" -ge "${rank[$f]}" ]; then
            echo "FAIL $f calls $g, which is not below it: a cycle, or LIB_SRC out of order" >&2
            bad=$((bad + 1))
        fi
    done
done
if [ "$bad" -eq 0 ]; then
    echo "ok   $# files, $edges calls between them, all downward: no cycle"
    echo "layers 1 0" > "$results/layers"
else
    echo "layers 0 1" > "$results/layers"
    exit 1
fi
