#!/bin/bash
# SPDX-License-Identifier: MIT
# Builds the RPM packages from the working tree with rpmbuild (on Debian,
# its rpm package: no RPM database holds the build dependencies, hence
# --nodeps, and no Red Hat post-install scripts or debuginfo tools).
# Usage: packaging/rpm.sh [OUTDIR]   (default build/rpms)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$top/build/rpms}" && cd "${1:-$top/build/rpms}" && pwd)
work=$(mktemp -d /tmp/pop3check-rpm.XXXXXX)
trap 'rm -rf "$work"' EXIT

v=$("$top/packaging/version.sh")
mkdir -p "$work"/{SOURCES,SPECS,BUILD,RPMS,SRPMS} "$work/pop3check-$v"
tar -C "$top" --exclude=./.git --exclude='./build*' -cf - . | tar -C "$work/pop3check-$v" -xf -
tar -C "$work" -czf "$work/SOURCES/pop3check-$v.tar.gz" "pop3check-$v"
cp "$top/checks/pop3check.h" "$work/SOURCES/" # the spec reads the version there
extra=()
if [ -f /etc/debian_version ]; then
    extra=(--nodeps --define '__os_install_post %{nil}' --define 'debug_package %{nil}'
           --define '_unitdir /usr/lib/systemd/system')
fi
rpmbuild -bb "${extra[@]}" --define "_topdir $work" "$top/packaging/rpm/pop3check.spec" > "$work/build.log" 2>&1 || {
    tail -30 "$work/build.log" >&2
    exit 1
}
rm -f "$out"/*.rpm
find "$work/RPMS" -name '*.rpm' -exec cp {} "$out/" \;
ls -1 "$out"
