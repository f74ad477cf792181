#!/bin/bash
# SPDX-License-Identifier: MIT
# Package test (make package-test; CI runs it on its throw-away machine,
# make test does not, as it installs into the system): builds the Debian
# packages (packaging/deb.sh; lintian errors and warnings fail), installs
# them with apt, runs the installed check_pop3 against a sandbox Dovecot,
# checks the installed config with both daemons, verifies the systemd
# units and reports their systemd-analyze security scores, renders every
# manual page, then purges the packages and checks that none of their
# files is left. Records its counts in $BUILD/results/packaging.
set -uo pipefail

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
unset LD_LIBRARY_PATH # the installed library, not the build's
suite_begin packaging
need_root "installs packages: run it on a machine you can spare, as CI does"

echo "== build"
if "$top/packaging/deb.sh" "$work/debs" > "$work/deb.log" 2>&1; then
    ok "dpkg-buildpackage -us -uc -b, lintian: 0 errors, 0 warnings, $(grep -c '^I:' "$work/deb.log") notes"
else
    ko "package build or lintian" "$(tail -20 "$work/deb.log")"
    suite_end
    exit 1
fi
grep '^I:' "$work/deb.log" | sed 's/^/     /'
v=$("$top/packaging/version.sh")
pkgs=(libpop3check2 libpop3check-dev pop3check-plugin pop3check-common
      prometheus-pop3-exporter pop3check-snmp)
debs=()
for p in "${pkgs[@]}"; do debs+=("$work/debs/${p}_${v}_$(dpkg --print-architecture).deb"); done
debs[3]="$work/debs/pop3check-common_${v}_all.deb"

echo "== RPM"
if "$top/packaging/rpm.sh" "$work/rpms" > "$work/rpm.log" 2>&1; then
    ok "rpmbuild -bb: $(grep -c '\.rpm$' "$work/rpm.log") packages"
    rpm -qlp "$work"/rpms/*.rpm > "$work/rpm-files" 2> /dev/null
    missing=""
    for f in usr/bin/pop3_exporter usr/bin/pop3_snmp_agent usr/lib64/nagios/plugins/check_pop3 \
        usr/lib64/libpop3check.so.2.0.0 usr/include/pop3check.h etc/pop3check/pop3check.yml \
        usr/share/snmp/mibs/POP3-MONITOR-MIB.txt usr/lib/systemd/system/pop3-exporter.service; do
        grep -qx "/$f" "$work/rpm-files" || missing+=" /$f"
    done
    if [ -z "$missing" ]; then ok "the RPMs hold the programs, library, header, config, MIB and units"; else ko "not in any RPM:$missing"; fi
else
    ko "rpmbuild" "$(tail -15 "$work/rpm.log")"
fi

echo "== install"
export DEBIAN_FRONTEND=noninteractive
if apt-get install -y -qq --no-install-recommends "${debs[@]}" > "$work/install.log" 2>&1; then
    ok "apt-get install of the ${#pkgs[@]} packages and their dependencies"
else
    ko "install" "$(tail -20 "$work/install.log")"
fi
for p in "${pkgs[@]}"; do dpkg -L "$p" 2>/dev/null; done | sort -u > "$work/files"
echo "     $(wc -l < "$work/files") paths installed"
plugin=/usr/lib/nagios/plugins/check_pop3
lib=$(ldd "$plugin" | awk '/libpop3check/ { print $3 }')
case $lib in
/usr/lib/*/libpop3check.so.2 | /lib/*/libpop3check.so.2) ok "check_pop3 uses the installed library ($lib)" ;;
*) ko "check_pop3 links '$lib'" ;;
esac
if [ "$(stat -c '%U:%G %a' /etc/pop3check 2>&1)" = "root:pop3check 750" ] && getent passwd pop3check > /dev/null; then
    ok "user pop3check, /etc/pop3check root:pop3check 0750"
else
    ko "user or /etc/pop3check" "$(stat -c '%U:%G %a' /etc/pop3check 2>&1)"
fi
for d in pop3_exporter pop3_snmp_agent; do
    if out=$("/usr/bin/$d" --config.check 2>&1); then ok "$d --config.check on the installed /etc/pop3check/pop3check.yml"; else ko "$d --config.check" "$out"; fi
done
if [ -f /usr/share/snmp/mibs/POP3-MONITOR-MIB.txt ] && [ -f /usr/lib/pop3check/pop3monitor.so ]; then
    ok "MIB in /usr/share/snmp/mibs, dlmod module in /usr/lib/pop3check"
else
    ko "MIB or module missing"
fi

echo "== the installed check_pop3 against Dovecot"
"$top/tests/integration/sandbox.sh" start "$work/sandbox" > /dev/null 2>&1 || ko "sandbox did not start"
# shellcheck disable=SC1091
. "$work/sandbox/env"
out=$("$plugin" -H 127.0.0.1 -p "$PORT_PLAIN" -u "$USER_SMALL" --password-file "$SANDBOX_DIR/pass/small")
rc=$?
if [ "$rc" = 0 ] && [[ "$out" == "POP3 OK - "*"login ok, $SMALL_MESSAGES messages"* ]]; then ok "login: ${out%% |*}"; else ko "login: exit $rc" "$out"; fi
out=$("$plugin" -H 127.0.0.1 -p "$PORT_POP3S" --tls implicit --cafile "$CA_FILE")
rc=$?
if [ "$rc" = 0 ]; then ok "POP3S banner: ${out%% |*}"; else ko "POP3S: exit $rc" "$out"; fi

echo "== systemd units"
for u in prometheus-pop3-exporter pop3check-snmp; do
    f=/lib/systemd/system/$u.service
    if out=$(systemd-analyze verify "$f" 2>&1) && [ -z "$out" ]; then ok "systemd-analyze verify $u.service"; else ko "verify $u.service" "$out"; fi
    score=$(systemd-analyze security --offline=yes "$f" 2>&1 | sed -n 's/.*Overall exposure level for .*: \(.*\)/\1/p')
    if [ -n "$score" ]; then ok "systemd-analyze security $u.service: $score"; else ko "security $u.service" "$(systemd-analyze security --offline=yes "$f" 2>&1 | tail -3)"; fi
done

echo "== manual pages"
for m in check_pop3.1 pop3check.yml.5 pop3_exporter.8 pop3_snmp_agent.8; do
    f=$(grep "/$m.gz$" "$work/files")
    if [ -n "$f" ] && man -l "$f" > "$work/man.txt" 2> "$work/man.err" && [ -s "$work/man.txt" ] &&
        mandoc -Tlint "$f" > "$work/lint.txt" 2>&1; then
        ok "man -l $m renders ($(wc -l < "$work/man.txt") lines), mandoc -Tlint clean"
    else
        ko "man page $m" "$(cat "$work/man.err" "$work/lint.txt" 2>/dev/null)"
    fi
done
# --help and the man page list the same long options.
for pair in "$plugin:check_pop3.1" "/usr/bin/pop3_exporter:pop3_exporter.8" "/usr/bin/pop3_snmp_agent:pop3_snmp_agent.8"; do
    bin=${pair%%:*} m=${pair#*:}
    f=$(grep "/$m.gz$" "$work/files")
    help=$("$bin" --help 2>&1 | grep -o -- '--[a-z][a-z.-]*' | sort -u)
    page=$(man -l "$f" 2>/dev/null | grep -o -- '--[a-z][a-z.-]*' | sort -u)
    missing=$(comm -23 <(echo "$help") <(echo "$page") | paste -sd' ')
    if [ -z "$missing" ]; then ok "$m documents every option of ${bin##*/} --help"; else ko "$m lacks: $missing"; fi
done

echo "== purge"
if apt-get purge -y -qq "${pkgs[@]}" > "$work/purge.log" 2>&1; then ok "apt-get purge"; else ko "purge" "$(tail -10 "$work/purge.log")"; fi
left=""
while read -r f; do
    [ -e "$f" ] && [ ! -d "$f" ] && left+="$f "
done < "$work/files"
[ -e /etc/pop3check ] && left+="/etc/pop3check "
if [ -z "$left" ]; then ok "nothing left of the packages' files (the pop3check system user stays, as Debian policy has it)"; else ko "left behind: $left"; fi

suite_end
