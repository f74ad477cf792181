# SPDX-License-Identifier: MIT
# common.sh - what the benchmark scripts share (sourced): each decided
# measure (issue 10, section 7) is one line with the figure, the baseline
# measured in the same run, their ratio, the target and PASS or MISS. A
# miss is reported, never failed.
# shellcheck shell=bash

# bench_ratio A B: A / B with three decimals (the verdict is on the
# unrounded ratio: bench_verdict_ratio).
bench_ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "inf"; else printf "%.3f", a / b }'
}

# bench_verdict VALUE OP LIMIT: PASS if VALUE OP LIMIT holds (OP: <= or <),
# else MISS.
bench_verdict() {
    awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
        ok = (op == "<") ? (v + 0 < l + 0) : (v + 0 <= l + 0)
        print ok ? "PASS" : "MISS" }'
}

# bench_verdict_ratio A B OP LIMIT: the verdict of A / B, unrounded.
bench_verdict_ratio() {
    bench_verdict "$(awk -v a="$1" -v b="$2" 'BEGIN { printf "%.9g", (b + 0 == 0) ? 1e300 : a / b }')" "$3" "$4"
}

bench_header() {
    printf '  %-4s %-46s %12s %12s %6s  %-10s %s\n' id measure figure baseline \
        ratio target result
}

# bench_measure ID WHAT FIGURE BASELINE RATIO TARGET VERDICT: one line; a
# measure against an absolute target has "-" as baseline and ratio.
bench_measure() {
    printf '  %-4s %-46s %12s %12s %6s  %-10s %s\n' "$@"
}

# bench_info WHAT TEXT: a figure shown for information, without a target.
bench_info() {
    printf '       %-46s %s\n' "$1" "$2"
}
