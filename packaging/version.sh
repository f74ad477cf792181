#!/bin/sh
# SPDX-License-Identifier: MIT
# Prints the release version, read from its one source: the
# POP3CHECK_VERSION_MAJOR/MINOR/PATCH lines of checks/pop3check.h.
# Usage: packaging/version.sh [HEADER]
awk '/^#define POP3CHECK_VERSION_(MAJOR|MINOR|PATCH) / { v = v (v == "" ? "" : ".") $3 }
     END { if (v ~ /^[0-9]+\.[0-9]+\.[0-9]+$/) print v; else exit 1 }' \
    "${1:-$(dirname "$0")/../checks/pop3check.h}"
