#!/bin/bash
# SPDX-License-Identifier: MIT
# Builds the Debian packages from the working tree: a clean copy with
# packaging/debian as its debian/ (and the systemd units beside it), then
# dpkg-buildpackage -us -uc -b and lintian (errors and warnings fail the
# build; notes are shown).
# Usage: packaging/deb.sh [OUTDIR]   (default build/packages)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$top/build/packages}" && cd "${1:-$top/build/packages}" && pwd)
work=$(mktemp -d /tmp/pop3check-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT

src="$work/pop3check-$("$top/packaging/version.sh")"
mkdir "$src"
tar -C "$top" --exclude=./.git --exclude='./build*' -cf - . | tar -C "$src" -xf -
cp -r "$top/packaging/debian" "$src/debian"
cp "$top/packaging/systemd/"*.service "$src/debian/"
(cd "$src" && dpkg-buildpackage -us -uc -b > "$work/build.log" 2>&1) || {
    tail -40 "$work/build.log" >&2
    exit 1
}
echo "== lintian"
lintian --fail-on error,warning --display-info "$work"/*.changes | tee "$work/lintian.log"
rm -f "$out"/*.deb
cp "$work"/*.deb "$out/"
ls -1 "$out"
