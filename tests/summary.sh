#!/bin/bash
# SPDX-License-Identifier: MIT
# Adds up what the suites recorded in $BUILD/results and prints the closing
# line "N passed, N failed". Fails when anything failed or nothing ran.
# Every line of every file there must be "NAME PASSED FAILED"; another
# line is an error named, never skipped (a log put there by mistake once
# stopped the count half-way).
set -euo pipefail
results="${BUILD:-build}/results"
passed=0 failed=0 bad=0
for f in "$results"/*; do
    [ -f "$f" ] || continue
    n=0 first=
    while IFS= read -r line || [ -n "$line" ]; do
        n=$((n + 1))
        if [[ $line =~ ^[^[:space:]]+\ ([0-9]+)\ ([0-9]+)$ ]]; then
            passed=$((passed + 10#${BASH_REMATCH[1]}))
            failed=$((failed + 10#${BASH_REMATCH[2]}))
        else
            [ -n "$first" ] || first="line $n: ${line:0:60}"
            bad=$((bad + 1))
        fi
    done < "$f"
    [ -z "$first" ] || echo "$0: $f is not lines of 'NAME PASSED FAILED' ($first)" >&2
done
echo "${BUILD:-build}: $passed passed, $failed failed"
[ "$bad" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
