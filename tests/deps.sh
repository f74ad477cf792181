#!/bin/bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages that 'make demo' or 'make test' needs, when
# they are missing. Usage: tests/deps.sh demo|test|packages|lint
set -euo pipefail

build=(gcc make pkg-config libcurl4-openssl-dev libssl-dev ca-certificates
       libjansson-dev libyaml-dev libmicrohttpd-dev libsnmp-dev)
# The mail round trip's chain: Postfix submits into Dovecot over LMTP.
server=(dovecot-core dovecot-pop3d dovecot-lmtpd postfix openssl iproute2)
case ${1:-} in
demo) want=("${build[@]}" "${server[@]}") ;;
test) want=("${build[@]}" "${server[@]}" clang libcmocka-dev binutils
            monitoring-plugins-basic hyperfine time python3 curl
            prometheus python3-jsonschema prometheus-blackbox-exporter
            snmpd snmp snmptrapd smitools valgrind icinga2 nagios4-core
            abigail-tools linux-perf mailutils-pop3d util-linux
            cyrus-common sasl2-bin libsasl2-modules chromium) ;;
# dpkg-checkbuilddeps wants build-essential itself, not only gcc and make;
# the package test checks the units with systemd-analyze (systemd).
packages) want=("${build[@]}" "${server[@]}" build-essential dpkg-dev debhelper
                lintian fakeroot mandoc man-db rpm systemd) ;;
lint) want=(clang-format cppcheck shellcheck git) ;;
*) echo "usage: $0 demo|test|packages|lint" >&2; exit 2 ;;
esac

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# libFuzzer and the sanitizers' runtimes are in libclang-rt-N-dev, which
# clang only recommends; N is the version the clang package depends on.
clang_rt() {
    local v
    v=$(apt-cache depends clang 2>/dev/null | sed -n 's/^ *Depends: clang-\([0-9][0-9]*\)$/\1/p' | head -n1)
    [ -n "$v" ] && echo "libclang-rt-$v-dev"
}

# POP3 servers that conflict with dovecot-pop3d (each provides pop3-server):
# their packages are fetched, not installed; tests/interop/ unpacks them.
debs=()
deb_cache=/var/cache/pop3check/debs
[ "$1" = test ] && debs=(popa3d cyrus-pop3d)

missing=()
for p in "${want[@]}"; do
    installed "$p" || missing+=("$p")
done
fetch=()
for p in "${debs[@]}"; do
    compgen -G "$deb_cache/${p}_*.deb" > /dev/null || fetch+=("$p")
done
rt=
if [ "$1" = test ]; then
    rt=$(clang_rt || true)
    if [ -n "$rt" ] && ! installed "$rt"; then missing+=("$rt"); fi
fi
if [ ${#missing[@]} -eq 0 ] && [ ${#fetch[@]} -eq 0 ] &&
    { [ "$1" != test ] || [ -n "$rt" ]; }; then
    exit 0
fi

if ! command -v apt-get >/dev/null; then
    echo "deps: this is not Debian (no apt-get); install the equivalents of: ${missing[*]}" >&2
    exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then
        sudo=(sudo)
    else
        echo "deps: missing packages: ${missing[*]}; run as root or install them: apt-get install ${missing[*]}" >&2
        exit 1
    fi
fi

# Installing dovecot must not start the system's own Dovecot on the public
# ports: the tests run their own on loopback. policy-rc.d forbids starting
# services during this install only.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 0755 "$policy"
    own_policy=1
fi
restore() {
    if [ "$own_policy" = 1 ]; then "${sudo[@]}" rm -f "$policy"; fi
}
trap restore EXIT
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
if [ "$1" = test ] && [ -z "$rt" ]; then
    # apt-cache knew no clang before the update (a brand-new machine).
    rt=$(clang_rt || true)
    if [ -z "$rt" ]; then
        echo "deps: cannot tell which libclang-rt-N-dev goes with clang (apt-cache depends clang)" >&2
        exit 1
    fi
    installed "$rt" || missing+=("$rt")
fi
if [ ${#fetch[@]} -gt 0 ]; then
    echo "deps: fetching (not installing) ${fetch[*]}"
    "${sudo[@]}" mkdir -p "$deb_cache"
    (cd "$deb_cache" && "${sudo[@]}" apt-get download -qq -o APT::Sandbox::User=root "${fetch[@]}" >/dev/null)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
# Postfix asks which kind of MTA to set up: none. The tests write their own
# instance's configuration (tests/integration/mta.sh); the system's stays
# unconfigured and is never started.
for p in "${missing[@]}"; do
    if [ "$p" = postfix ]; then
        echo 'postfix postfix/main_mailer_type select No configuration' |
            "${sudo[@]}" debconf-set-selections
    fi
done
echo "deps: installing ${missing[*]}"
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
