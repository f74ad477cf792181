#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs every libFuzzer target of tests/fuzz for SECONDS each: first over
# the committed inputs that once broke something (tests/fuzz/regressions),
# then fuzzing from the seed corpus (tests/fuzz/corpus; new inputs go to
# BUILD/fuzz/corpus-NAME, not into the repository). Prints executions and
# coverage per target; a crash leaves its input in BUILD/fuzz/ and fails.
# Usage: tests/fuzz/run.sh BUILD SECONDS
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
seconds=$2
failed=0
printf '%-8s %12s %10s %8s  %s\n' target executions exec/s cov result
for bin in "$build"/fuzz/fuzz_*; do
    [ -x "$bin" ] || continue
    name=${bin##*/fuzz_}
    regress="$here/regressions/$name"
    if [ -d "$regress" ] && ls "$regress"/* > /dev/null 2>&1; then
        if ! "$bin" "$regress"/* > "$build/fuzz/$name.regressions.log" 2>&1; then
            echo "$name: a regression input fails again:" >&2
            tail -20 "$build/fuzz/$name.regressions.log" >&2
            failed=$((failed + 1))
            continue
        fi
    fi
    work="$build/fuzz/corpus-$name"
    mkdir -p "$work"
    log="$build/fuzz/$name.log"
    (cd "$build/fuzz" && "$bin" -max_total_time="$seconds" -print_final_stats=1 \
        -timeout=10 -rss_limit_mb=1024 "$work" "$here/corpus/$name") > "$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    if [ "$rc" -eq 0 ]; then
        result=ok
    else
        result="CRASH (see $log; the input is in $build/fuzz)"
        failed=$((failed + 1))
    fi
    printf '%-8s %12s %10s %8s  %s\n' "$name" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$result"
done
echo "fuzz: $failed target(s) failed"
[ "$failed" -eq 0 ]
