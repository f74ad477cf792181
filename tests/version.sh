#!/bin/bash
# SPDX-License-Identifier: MIT
# The version is written once, in checks/pop3check.h: the Makefile, the
# library at run time, the RPM spec and the Debian changelog must agree
# with it. Usage: version.sh LIBDIR (where libpop3check.so was built)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
libdir=$1
results="${BUILD:-build}/results"
mkdir -p "$results"
pass=0 fail=0
same() { # what, got, want
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); echo "ok   $1: $2"; else fail=$((fail + 1)); echo "FAIL $1: '$2', want '$3'" >&2; fi
}

want=$("$top/packaging/version.sh")
same "checks/pop3check.h MAJOR.MINOR.PATCH" "$(echo "$want" | grep -cE '^[0-9]+\.[0-9]+\.[0-9]+$')" 1
same "the Makefile's VERSION" "$(make --no-print-directory -s -C "$top" print-version)" "$want"
prog="${BUILD:-build}/version-probe"
printf '%s\n' '#include <stdio.h>' '#include "pop3check.h"' \
    'int main(void) { printf("%s %s %06x %06x\n", POP3CHECK_VERSION, pop3check_version(), (unsigned)POP3CHECK_VERSION_NUM, pop3check_version_num()); return 0; }' \
    > "$prog.c"
# Built as the library was (under ASan the program needs its runtime too).
# shellcheck disable=SC2086 # the flags are words
${CC:-cc} ${CFLAGS:-} -I"$top/checks" -o "$prog" "$prog.c" ${LDFLAGS:-} -L"$libdir" -lpop3check
read -r text runtime num runtime_num < <(LD_LIBRARY_PATH="$libdir" "$prog")
same "POP3CHECK_VERSION" "$text" "$want"
same "pop3check_version() of the library built" "$runtime" "$want"
IFS=. read -r ma mi pa <<< "$want"
same "POP3CHECK_VERSION_NUM" "$num" "$(printf '%02x%02x%02x' "$ma" "$mi" "$pa")"
same "pop3check_version_num()" "$runtime_num" "$num"
same "packaging/debian/changelog" "$(sed -n '1s/^pop3check (\([^)-]*\).*/\1/p' "$top/packaging/debian/changelog")" "$want"
same "the RPM spec takes Version from the header" \
    "$(sed -n 's/^Version: *//p' "$top/packaging/rpm/pop3check.spec")" "%{pop3check_version}"
for man in plugin/check_pop3.1 exporters/common/pop3check.yml.5 \
    exporters/prometheus/pop3_exporter.8 exporters/snmp/pop3_snmp_agent.8; do
    same "$man's .TH" "$(sed -n 's/^\.TH .* "pop3check \([0-9.]*\)".*/\1/p' "$top/$man")" "$want"
done
if command -v rpmspec > /dev/null; then
    same "the RPM spec's version" "$(rpmspec -q --srpm --define "_sourcedir $top/checks" --qf '%{VERSION}' \
        "$top/packaging/rpm/pop3check.spec" 2> /dev/null)" "$want"
fi
echo "version $pass $fail" > "$results/version"
[ "$fail" -eq 0 ]
