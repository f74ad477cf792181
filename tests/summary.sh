#!/bin/bash
# SPDX-License-Identifier: MIT
# Adds up what the suites recorded in $BUILD/results and prints the closing
# line "N passed, N failed". Fails when anything failed or nothing ran.
set -euo pipefail
results="${BUILD:-build}/results"
passed=0 failed=0
for f in "$results"/*; do
    [ -f "$f" ] || continue
    while read -r _ p f2; do
        passed=$((passed + p))
        failed=$((failed + f2))
    done < "$f"
done
echo "${BUILD:-build}: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
