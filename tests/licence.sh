#!/bin/bash
# SPDX-License-Identifier: MIT
# Every committed source, script, man page and config carries the SPDX
# line within its first three lines; data files (JSON, fuzz corpora, ABI dumps,
# recorded streams, fixture mail, the changelog) are covered by LICENSE and
# debian/copyright's "Files: *". Usage: tests/licence.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bad=0 n=0
while IFS= read -r f; do
    case $f in
    *.json | *.md | LICENSE | packaging/debian/changelog | packaging/debian/source/format | \
        packaging/debian/copyright | */corpus/* | */regressions/* | tests/unit/streams/* | checks/abi/* | \
        tests/integration/fixtures/*) continue ;;
    esac
    n=$((n + 1))
    if ! head -n 3 "$f" | grep -q 'SPDX-License-Identifier: MIT'; then
        echo "licence: $f has no 'SPDX-License-Identifier: MIT' in its first 3 lines" >&2
        bad=$((bad + 1))
    fi
done < <(git ls-files)
grep -q '^License: Expat' packaging/debian/copyright ||
    { echo "licence: packaging/debian/copyright does not say Expat (MIT)" >&2; bad=$((bad + 1)); }
grep -q '^License: *MIT$' packaging/rpm/pop3check.spec ||
    { echo "licence: the RPM spec's License is not MIT" >&2; bad=$((bad + 1)); }
if [ "$bad" -ne 0 ]; then
    echo "licence: $bad problems" >&2
    exit 1
fi
echo "licence: $n files carry the SPDX line"
