#!/bin/bash
# SPDX-License-Identifier: MIT
# The ABI check: compares the library just built with the ABI of the last
# release, kept as an abidw dump in checks/abi/SONAME.abi. Additions (new
# functions, new enum values) are reported and pass; anything else
# (a function removed or changed, an enum value renumbered, a type of the
# header changed) fails unless the soname was bumped, in which case there
# is no baseline for it yet and `make abi-baseline` starts one.
# Before comparing, it proves on throw-away variants of the library that
# it tells the two apart (a symbol dropped must fail, one added must pass).
#   abi.sh LIB SONAME MAP          check (make check)
#   abi.sh --baseline LIB SONAME   write checks/abi/SONAME.abi (a release)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build=$PWD/$build ;; esac
# abidw and abidiff match the public header against the path the
# compiler recorded ("checks/pop3check.h", from the top): from there, the
# opaque structs stay declarations and only the header's types count.
cd "$top"
results="$build/results"
work="$build/abi"
mkdir -p "$results" "$work"

dump() { # ELF OUT
    abidw --header-file checks/pop3check.h --drop-private-types --no-corpus-path \
        --no-comp-dir-path --short-locs --out-file "$2" "$1"
}

# Prints "removed changed added" for old (abi file or ELF) against new ELF.
compare() { # OLD NEW REPORT
    local rc=0
    abidiff --header-file2 checks/pop3check.h "$1" "$2" > "$3" 2>&1 || rc=$?
    if [ $((rc & 3)) -ne 0 ]; then
        echo "abi: abidiff failed (exit $rc):" >&2
        cat "$3" >&2
        return 1
    fi
    awk '/^(Functions|Variables) changes summary:/ {
            for (i = 1; i <= NF; i++) {
                if ($(i + 1) ~ /^Removed/) r += $i
                if ($(i + 1) ~ /^Changed/) c += $i
                if ($(i + 1) ~ /^Added/) a += $i
            }
         }
         END { print r + 0, c + 0, a + 0 }' "$3"
}

if [ "${1:-}" = --baseline ]; then
    lib=$2 soname=$3
    case $lib in /*) ;; *) lib=$OLDPWD/$lib ;; esac
    dump "$lib" "$top/checks/abi/$soname.abi"
    echo "abi: wrote checks/abi/$soname.abi from $lib; commit it with the release"
    exit 0
fi

lib=$1 soname=$2 map=$3
case $lib in /*) ;; *) lib=$OLDPWD/$lib ;; esac
case $map in /*) ;; *) map=$OLDPWD/$map ;; esac
command -v abidw > /dev/null || { echo "abi: abidw missing (apt-get install abigail-tools)" >&2; exit 1; }
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1" >&2; [ -z "${2:-}" ] || sed 's/^/     | /' "$2" >&2; }

# The checker itself, on variants linked from the same objects.
objs=$(find "$build/obj/checks" -name '*.o' | sort)
curl_libs=$(pkg-config --libs libcurl 2> /dev/null || echo -lcurl)
grep -v 'pop3check_version_num;' "$map" > "$work/dropped.map"
# shellcheck disable=SC2086
cc -shared -Wl,-soname,"$soname" -Wl,--version-script="$work/dropped.map" \
    -o "$work/dropped.so" $objs $curl_libs
printf '%s\n' '__attribute__((visibility("default"))) int pop3check_abi_selftest(void);' \
    'int pop3check_abi_selftest(void) { return 1; }' > "$work/added.c"
sed 's/^\( *\)local:/\1    pop3check_abi_selftest;\n\1local:/' "$map" > "$work/added.map"
# shellcheck disable=SC2086
cc -g -shared -fPIC -Wl,-soname,"$soname" -Wl,--version-script="$work/added.map" \
    -o "$work/added.so" $objs "$work/added.c" $curl_libs
dump "$lib" "$work/current.abi"
read -r r c a < <(compare "$work/current.abi" "$work/dropped.so" "$work/dropped.txt")
if [ "$r" -gt 0 ]; then ok "the check sees a dropped function as incompatible ($r removed)"; else ko "a dropped function went unseen" "$work/dropped.txt"; fi
read -r r c a < <(compare "$work/current.abi" "$work/added.so" "$work/added.txt")
if [ "$r" -eq 0 ] && [ "$c" -eq 0 ] && [ "$a" -eq 1 ]; then ok "the check sees an added function as compatible"; else ko "an added function: $r removed, $c changed, $a added" "$work/added.txt"; fi

baseline="$top/checks/abi/$soname.abi"
if [ ! -f "$baseline" ]; then
    last=$(find "$top/checks/abi" -name '*.abi' -printf '%f\n' 2> /dev/null | sort -V | tail -n1)
    if [ -n "$last" ]; then
        ok "soname bumped (${last%.abi} -> $soname): no baseline to compare with; 'make abi-baseline' starts one at the release"
    else
        ko "no ABI baseline in checks/abi (make abi-baseline)"
    fi
else
    read -r r c a < <(compare "$baseline" "$lib" "$work/report.txt")
    if [ "$r" -eq 0 ] && [ "$c" -eq 0 ]; then
        ok "ABI compatible with checks/abi/$soname.abi ($a functions added)"
        [ "$a" -eq 0 ] || sed -n '/Added function/,$p' "$work/report.txt" | sed 's/^/     | /'
    else
        ko "ABI incompatible with checks/abi/$soname.abi: $r removed, $c changed (undo it, or bump SOVERSION in the Makefile)" "$work/report.txt"
    fi
fi
echo "abi $pass $fail" > "$results/abi"
[ "$fail" -eq 0 ]
