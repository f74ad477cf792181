#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs the cmocka unit test binaries given as arguments and records how many
# tests passed and failed in $BUILD/results/unit, for tests/summary.sh.
set -uo pipefail
results="${BUILD:-build}/results"
mkdir -p "$results"
: > "$results/unit"
status=0
for bin in "$@"; do
    out=$("$bin" 2>&1)
    rc=$?
    printf '%s\n' "$out" | grep -E '^\[ *(FAILED|ERROR|LINE) *\]|^\[==========\]|^\[  PASSED  \]' | sed "s|^|$(basename "$bin"): |"
    passed=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    failed=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    if [ -z "$passed" ] && [ -z "$failed" ]; then
        echo "$(basename "$bin"): no cmocka summary (exit $rc); output follows" >&2
        printf '%s\n' "$out" | tail -20 >&2
        failed=1
    fi
    [ "$rc" -eq 0 ] || status=1
    echo "$(basename "$bin") ${passed:-0} ${failed:-0}" >> "$results/unit"
done
exit $status
