# SPDX-License-Identifier: MIT
# pop3check - one non-recursive Makefile. Dependencies come from pkg-config.
#   make            library and check_pop3 in build/
#   make check      unit tests, exported-symbol test, integration tests
#   make asan       the same suite under AddressSanitizer + UBSan
#   make bench      benchmark against a sandbox Dovecot (see tests/bench)
#   make install    PREFIX=/usr/local DESTDIR= PLUGINDIR=/usr/lib/nagios/plugins
#                   SNMPMODDIR=$(LIBDIR)/pop3check MIBDIR=$(PREFIX)/share/snmp/mibs
#   make test       install missing Debian packages, then everything above
#   make demo       install missing packages, run check_pop3 against a
#                   sandbox Dovecot (or HOST=... [ARGS=...] for a real one)

PREFIX     ?= /usr/local
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
PLUGINDIR  ?= /usr/lib/nagios/plugins
SNMPMODDIR ?= $(LIBDIR)/pop3check
MIBDIR     ?= $(PREFIX)/share/snmp/mibs
DESTDIR    ?=

CC         ?= cc
PKG_CONFIG ?= pkg-config
BUILD      ?= build

CFLAGS  ?= -O2 -g
WARN     = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Werror
CURL_CFLAGS := $(shell $(PKG_CONFIG) --cflags libcurl 2>/dev/null)
CURL_LIBS   := $(shell $(PKG_CONFIG) --libs libcurl 2>/dev/null || echo -lcurl)
# libcrypto: hashes, HMAC, PBKDF2, base64 and random bytes; libssl: SCRAM
# channel binding, read off libcurl's OpenSSL connection (tlsbind.c).
CRYPTO_CFLAGS := $(shell $(PKG_CONFIG) --cflags libssl libcrypto 2>/dev/null)
CRYPTO_LIBS   := $(shell $(PKG_CONFIG) --libs libssl libcrypto 2>/dev/null || echo -lssl -lcrypto)
# jansson: the JSON of OAuth 2.0 (a SASL error challenge, a token
# endpoint's answer).
JANSSON_CFLAGS := $(shell $(PKG_CONFIG) --cflags jansson 2>/dev/null)
JANSSON_LIBS   := $(shell $(PKG_CONFIG) --libs jansson 2>/dev/null || echo -ljansson)
# What the core's objects link.
CORE_LIBS    = $(CURL_LIBS) $(CRYPTO_LIBS) $(JANSSON_LIBS)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)
EXPORTER_LIBS := $(shell $(PKG_CONFIG) --libs jansson yaml-0.1 libmicrohttpd \
                   2>/dev/null || echo -ljansson -lyaml -lmicrohttpd) -lpthread
YAML_LIBS   := $(shell $(PKG_CONFIG) --libs yaml-0.1 2>/dev/null || echo -lyaml)
# The subagent needs libnetsnmpmibs too: Net-SNMP's AgentX client is there.
SNMP_CFLAGS := $(shell $(PKG_CONFIG) --cflags netsnmp-agent 2>/dev/null)
SNMP_LIBS   := $(shell $(PKG_CONFIG) --libs netsnmp-agent 2>/dev/null || \
                 echo -lnetsnmpmibs -lnetsnmpagent -lnetsnmp)

# VERSION is the release, read from checks/pop3check.h (its one source);
# the library's ABI version is SOVERSION.0.0 and changes only with an
# incompatible interface (see the rule at the top of pop3check.h).
VERSION  := $(shell packaging/version.sh)
SOVERSION = 2
LIBNAME   = libpop3check.so
SONAME    = $(LIBNAME).$(SOVERSION)
LIBFILE   = $(SONAME).0.0

# Listed bottom-up: each file calls only files before it (tests/layers.sh).
LIB_SRC = checks/alloc.c checks/text.c checks/secret.c checks/global.c \
          checks/names.c checks/reply.c \
          checks/body.c checks/crypto.c checks/scram.c checks/tlsbind.c \
          checks/bearer.c checks/tokstore.c checks/range.c \
          checks/smtpreply.c checks/maildate.c checks/headers.c checks/probeid.c \
          checks/result.c checks/options.c checks/thresholds.c \
          checks/evaluate.c checks/uidset.c checks/seen.c checks/sess.c checks/polls.c checks/age.c \
          checks/sasl.c checks/auth.c checks/commands.c \
          checks/session.c checks/tracker.c checks/loop.c checks/curlm.c \
          checks/curlio.c checks/grant.c checks/conn.c checks/smtpconn.c \
          checks/dialog.c \
          checks/submit.c checks/trip.c checks/probe.c checks/multi.c
PLUGIN_LIB_SRC = plugin/options.c plugin/optval.c plugin/tripopts.c \
                 plugin/oauthopts.c plugin/output.c plugin/tripout.c
PLUGIN_SRC = plugin/check_pop3.c
# The exporters' parts that the unit tests reach, and the daemon's own.
CONFIG_SRC  = exporters/common/config.c exporters/common/config_module.c \
              exporters/common/config_trip.c exporters/common/config_oauth.c \
              exporters/common/config_yaml.c exporters/common/probelog.c \
              exporters/common/schedule.c
XCOMMON_SRC = $(CONFIG_SRC) exporters/prometheus/expose.c \
              exporters/prometheus/expose_json.c \
              exporters/prometheus/expose_probe.c \
              exporters/prometheus/stats.c
# The command line of both daemons (not in the snmpd module).
FLAGS_SRC   = exporters/common/flags.c
EXPORTER_SRC = exporters/prometheus/server.c exporters/prometheus/main.c \
               exporters/prometheus/engine.c exporters/prometheus/http.c \
               exporters/prometheus/sched_metrics.c exporters/prometheus/history.c \
               exporters/prometheus/page.c \
               exporters/prometheus/guard.c

# The SNMP module: in the subagent, and as a .so for snmpd's dlmod.
SNMP_MODULE_SRC = exporters/snmp/pop3monitor.c exporters/snmp/pop3mib.c \
                  exporters/snmp/pop3notify.c
SNMP_AGENT_SRC  = exporters/snmp/agent.c
SNMP_SO         = pop3monitor.so

LIB_OBJ        = $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
PLUGIN_LIB_OBJ = $(PLUGIN_LIB_SRC:%.c=$(BUILD)/obj/%.o)
PLUGIN_OBJ     = $(PLUGIN_SRC:%.c=$(BUILD)/obj/%.o)
XCOMMON_OBJ    = $(XCOMMON_SRC:%.c=$(BUILD)/obj/%.o)
EXPORTER_OBJ   = $(EXPORTER_SRC:%.c=$(BUILD)/obj/%.o)
CONFIG_OBJ     = $(CONFIG_SRC:%.c=$(BUILD)/obj/%.o)
FLAGS_OBJ      = $(FLAGS_SRC:%.c=$(BUILD)/obj/%.o)
SNMP_OBJ       = $(SNMP_MODULE_SRC:%.c=$(BUILD)/obj/%.o) \
                 $(SNMP_AGENT_SRC:%.c=$(BUILD)/obj/%.o)
# The .so's objects: position-independent, only init_/deinit_ exported.
SNMP_PIC_OBJ   = $(SNMP_MODULE_SRC:%.c=$(BUILD)/obj-pic/%.o) \
                 $(CONFIG_SRC:%.c=$(BUILD)/obj-pic/%.o)

# Unit tests by what they link: the core alone, the plugin's parts, the
# config parser; test_alloc and test_expose have rules of their own.
CORE_TESTS   = range reply body session polls digest evaluate names api loop tracker \
               conn dialog secret mail scram bearer grant seen curlm
PLUGIN_TESTS = output options
UNIT_TESTS   = $(CORE_TESTS) $(PLUGIN_TESTS) alloc config expose schedule
UNIT_BINS  = $(UNIT_TESTS:%=$(BUILD)/tests/test_%)

TOOLS = $(BUILD)/tests/stallserver $(BUILD)/tests/popclient \
        $(BUILD)/tests/multiprobe $(BUILD)/tests/probeloop $(BUILD)/tests/deadconn \
        $(BUILD)/tests/expose_dump $(BUILD)/tests/fastpop3 $(BUILD)/tests/procpeak \
        $(BUILD)/tests/killatdele $(BUILD)/tests/tripfigs

ALL_CFLAGS = $(WARN) $(CPPFLAGS) $(CFLAGS) $(CURL_CFLAGS) $(CRYPTO_CFLAGS) $(JANSSON_CFLAGS) \
             -Ichecks -Iexporters/common -Iexporters/prometheus -MMD -MP

# The allocation failure test needs the core built with its test hook.
ALLOC_OBJ = $(LIB_SRC:%.c=$(BUILD)/obj-alloc/%.o)

# make V=1 shows the commands.
ifeq ($(V),1)
Q =
say = @true
else
Q = @
say = @printf '  %-7s %s\n'
endif

FORMAT_FILES = checks/*.[ch] plugin/*.[ch] exporters/*/*.[ch] tests/unit/*.c \
               tests/tools/*.[ch] tests/exporter/*.c tests/fuzz/*.c

.PHONY: all check unit symbols abi abi-baseline print-version integration roundtrip exporter snmp faults stacks interop page asan \
        bench fuzz soak record-streams \
        packages package-test \
        fuzzers install \
        uninstall \
        clean test demo lint format

all: $(BUILD)/$(LIBFILE) $(BUILD)/check_pop3 $(BUILD)/pop3_exporter \
     $(BUILD)/pop3_snmp_agent $(BUILD)/$(SNMP_SO)

$(BUILD)/obj/checks/%.o: checks/%.c
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(BUILD)/obj-alloc/checks/%.o: checks/%.c
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) -DP3_ALLOC_TEST -c $< -o $@

$(BUILD)/obj/exporters/snmp/%.o: exporters/snmp/%.c
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) $(SNMP_CFLAGS) -c $< -o $@

$(BUILD)/obj-pic/%.o: %.c
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) $(SNMP_CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/$(LIBFILE): $(LIB_OBJ) checks/libpop3check.map
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,$(SONAME) \
	    -Wl,--version-script=checks/libpop3check.map -Wl,--no-undefined \
	    -o $@ $(LIB_OBJ) $(CORE_LIBS)
	$(Q)ln -sf $(LIBFILE) $(BUILD)/$(SONAME)
	$(Q)ln -sf $(SONAME) $(BUILD)/$(LIBNAME)

$(BUILD)/check_pop3: $(PLUGIN_OBJ) $(PLUGIN_LIB_OBJ) $(BUILD)/$(LIBFILE)
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(PLUGIN_OBJ) $(PLUGIN_LIB_OBJ) \
	    -L$(BUILD) -lpop3check -lm

$(BUILD)/pop3_exporter: $(EXPORTER_OBJ) $(XCOMMON_OBJ) $(FLAGS_OBJ) \
    $(BUILD)/$(LIBFILE)
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(EXPORTER_OBJ) $(XCOMMON_OBJ) $(FLAGS_OBJ) \
	    -L$(BUILD) -lpop3check $(EXPORTER_LIBS) -lm

$(BUILD)/pop3_snmp_agent: $(SNMP_OBJ) $(CONFIG_OBJ) $(FLAGS_OBJ) $(BUILD)/$(LIBFILE)
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(SNMP_OBJ) $(CONFIG_OBJ) $(FLAGS_OBJ) \
	    -L$(BUILD) -lpop3check $(YAML_LIBS) $(SNMP_LIBS) -lpthread

$(BUILD)/$(SNMP_SO): $(SNMP_PIC_OBJ) exporters/snmp/pop3monitor.map \
    $(BUILD)/$(LIBFILE)
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -shared \
	    -Wl,--version-script=exporters/snmp/pop3monitor.map \
	    -Wl,--no-undefined -o $@ $(SNMP_PIC_OBJ) -L$(BUILD) -lpop3check \
	    $(YAML_LIBS) $(SNMP_LIBS) -lpthread

# Unit tests link the objects directly, so they reach internal functions.
$(BUILD)/tests/test_alloc: tests/unit/test_alloc.c $(ALLOC_OBJ)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(CC) $(ALL_CFLAGS) -DP3_ALLOC_TEST $(LDFLAGS) -o $@ $< $(ALLOC_OBJ) \
	    $(CORE_LIBS) $(CMOCKA_LIBS) -lpthread -lm

# expose.c with its allocation-failure hook, as test_alloc does for the core.
EXPOSE_SRC = exporters/prometheus/expose.c exporters/prometheus/expose_json.c \
             exporters/prometheus/expose_probe.c
$(BUILD)/tests/test_expose: tests/unit/test_expose.c $(EXPOSE_SRC) $(LIB_OBJ)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(CC) $(ALL_CFLAGS) -DP3X_ALLOC_TEST $(LDFLAGS) -o $@ $< $(EXPOSE_SRC) \
	    $(LIB_OBJ) $(CORE_LIBS) \
	    $(EXPORTER_LIBS) $(CMOCKA_LIBS) -lm

$(CORE_TESTS:%=$(BUILD)/tests/test_%): $(BUILD)/tests/test_%: \
    tests/unit/test_%.c $(LIB_OBJ)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJ) $(CORE_LIBS) \
	    $(CMOCKA_LIBS) -lpthread -lm

$(PLUGIN_TESTS:%=$(BUILD)/tests/test_%): $(BUILD)/tests/test_%: \
    tests/unit/test_%.c $(LIB_OBJ) $(PLUGIN_LIB_OBJ)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(CC) $(ALL_CFLAGS) -Iplugin $(LDFLAGS) -o $@ $< $(LIB_OBJ) \
	    $(PLUGIN_LIB_OBJ) $(CORE_LIBS) $(CMOCKA_LIBS) -lm

$(BUILD)/tests/test_schedule: tests/unit/test_schedule.c $(LIB_OBJ) $(CONFIG_OBJ)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJ) $(CONFIG_OBJ) \
	    $(CORE_LIBS) $(YAML_LIBS) -lpthread $(CMOCKA_LIBS) -lm

$(BUILD)/tests/test_config: tests/unit/test_config.c $(LIB_OBJ) $(CONFIG_OBJ) \
    $(FLAGS_OBJ)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJ) $(CONFIG_OBJ) $(FLAGS_OBJ) \
	    $(CORE_LIBS) $(YAML_LIBS) -lpthread $(CMOCKA_LIBS) -lm

# The SNMP module's cells on results built field by field (internal.h).
UNIT_TESTS += pop3mib
$(BUILD)/tests/test_pop3mib: tests/unit/test_pop3mib.c \
    exporters/snmp/pop3mib.c exporters/snmp/pop3mib.h $(LIB_OBJ) $(CONFIG_OBJ)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(CC) $(ALL_CFLAGS) $(SNMP_CFLAGS) -Iexporters/snmp $(LDFLAGS) -o $@ \
	    $< exporters/snmp/pop3mib.c $(LIB_OBJ) $(CONFIG_OBJ) $(CORE_LIBS) \
	    $(YAML_LIBS) $(SNMP_LIBS) -lpthread $(CMOCKA_LIBS) -lm

# A user of the installed library: public header and the .so only.
$(BUILD)/tests/multiprobe $(BUILD)/tests/probeloop $(BUILD)/tests/deadconn: $(BUILD)/tests/%: \
    tests/tools/%.c $(BUILD)/$(LIBFILE)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(CC) $(WARN) $(CFLAGS) -Ichecks $(LDFLAGS) -o $@ $< -L$(BUILD) -lpop3check

# check_pop3's option parser around a round trip: one that dies at its
# DELE, one that prints the figures of many for the benchmark.
$(BUILD)/tests/killatdele $(BUILD)/tests/tripfigs: $(BUILD)/tests/%: \
    tests/tools/%.c $(PLUGIN_LIB_OBJ) $(BUILD)/$(LIBFILE)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(CC) $(ALL_CFLAGS) -Iplugin $(LDFLAGS) -o $@ $< $(PLUGIN_LIB_OBJ) \
	    -L$(BUILD) -lpop3check -lm

$(BUILD)/tests/expose_dump: tests/exporter/expose_dump.c $(LIB_OBJ) \
    $(XCOMMON_OBJ)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJ) $(XCOMMON_OBJ) \
	    $(CORE_LIBS) $(EXPORTER_LIBS) -lm

# Records the tracker's test streams (make record-streams): the core's
# objects, for the internal debug-stream tap.
$(BUILD)/tests/record_stream: tests/tools/record_stream.c $(LIB_OBJ)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJ) $(CORE_LIBS) -lm

$(BUILD)/tests/%: tests/tools/%.c
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

# Records tests/unit/streams/curl-VERSION/ against a sandbox Dovecot and
# the fault server (needs root, like the integration tests).
record-streams: $(BUILD)/tests/record_stream
	@BUILD=$(BUILD) tests/unit/record-streams.sh $(BUILD)/tests/record_stream

unit: $(UNIT_BINS)
	@BUILD=$(BUILD) tests/unit/run.sh $(UNIT_BINS)

symbols: $(BUILD)/$(LIBFILE)
	@BUILD=$(BUILD) tests/symbols.sh $(BUILD)/$(LIBFILE) checks/pop3check.h \
	    checks/libpop3check.map $(SONAME)
	@BUILD=$(BUILD) CC="$(CC)" CFLAGS="$(CFLAGS)" LDFLAGS="$(LDFLAGS)" \
	    tests/version.sh $(BUILD)
	@BUILD=$(BUILD) tests/layers.sh $(BUILD)/obj/checks $(LIB_SRC)

# The ABI against the last release's (checks/abi/); abi-baseline writes
# it, once per release.
abi: $(BUILD)/$(LIBFILE)
	@BUILD=$(BUILD) tests/abi.sh $(BUILD)/$(LIBFILE) $(SONAME) \
	    checks/libpop3check.map

abi-baseline: $(BUILD)/$(LIBFILE)
	@BUILD=$(BUILD) tests/abi.sh --baseline $(BUILD)/$(LIBFILE) $(SONAME)

print-version:
	@echo $(VERSION)

integration: all $(TOOLS)
	@BUILD=$(BUILD) tests/integration/run.sh

# The mail round trip against a real Postfix and Dovecot (needs root).
roundtrip: all $(TOOLS)
	@BUILD=$(BUILD) tests/roundtrip/run.sh

exporter: all $(TOOLS)
	@BUILD=$(BUILD) tests/exporter/promtool.sh $(BUILD)/tests/expose_dump
	@BUILD=$(BUILD) tests/exporter/run.sh

snmp: all $(TOOLS)
	@BUILD=$(BUILD) tests/snmp/run.sh

stacks: all
	@BUILD=$(BUILD) tests/stacks/run.sh

faults: all $(TOOLS)
	@BUILD=$(BUILD) tests/faults/run.sh

# The exporter's status page in headless Chromium (needs root).
page: all $(TOOLS)
	@BUILD=$(BUILD) tests/page/run.sh

# POP3 servers other than Dovecot (tests/interop/), same matrix (needs root).
interop: all
	@BUILD=$(BUILD) tests/interop/run.sh

check: all unit symbols abi integration roundtrip exporter snmp faults stacks \
    interop page
	@BUILD=$(BUILD) tests/summary.sh

# -O1 keeps the sanitizers' reports readable; leaks are checked too.
asan:
	$(MAKE) BUILD=build-asan CC=$(CC) \
	    CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" check

# Debian packages in build/packages (needs debhelper, lintian).
packages:
	tests/deps.sh packages
	packaging/deb.sh $(BUILD)/packages

# Builds, installs, uses and purges the packages: for a spare machine (CI).
package-test:
	tests/deps.sh packages
	@BUILD=$(BUILD) tests/packaging/run.sh

soak: all $(TOOLS)
	@BUILD=$(BUILD) tests/soak/soak.sh

bench: all $(TOOLS)
	@BUILD=$(BUILD) tests/bench/bench.sh
	@BUILD=$(BUILD) tests/bench/exporter.sh
	@BUILD=$(BUILD) tests/bench/scram.sh
	@BUILD=$(BUILD) tests/bench/snmp.sh
	@BUILD=$(BUILD) tests/bench/sched.sh
	@BUILD=$(BUILD) tests/bench/roundtrip.sh
	@BUILD=$(BUILD) tests/bench/tripscale.sh

# libFuzzer targets (clang), FUZZ_SECONDS each; see tests/fuzz/run.sh.
FUZZ_TARGETS = reply listing session tracker range config target http \
               smtpreply maildate probeid scram bearer grant
FUZZ_SECONDS ?= 60
fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang \
	    CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" fuzzers
	tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

fuzzers: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)

# The exporter in process, without its main().
FUZZ_HTTP_OBJ = $(filter-out $(BUILD)/obj/exporters/prometheus/main.o,$(EXPORTER_OBJ))
$(BUILD)/fuzz/fuzz_http: tests/fuzz/fuzz_http.c $(LIB_OBJ) $(XCOMMON_OBJ) \
    $(FUZZ_HTTP_OBJ)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(LIB_OBJ) \
	    $(XCOMMON_OBJ) $(FUZZ_HTTP_OBJ) $(CORE_LIBS) $(EXPORTER_LIBS) -lm

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_OBJ) $(CONFIG_OBJ)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(LIB_OBJ) \
	    $(CONFIG_OBJ) $(CORE_LIBS) $(EXPORTER_LIBS) -lpthread -lm

# What a new user runs (see README): installs what is missing, then tests
# with gcc, with clang (warnings are errors on both) and under sanitizers.
test:
	tests/deps.sh test
	$(MAKE) clean
	$(MAKE) BUILD=build-clang CC=clang all unit
	$(MAKE) asan
	$(MAKE) fuzz FUZZ_SECONDS=10
	$(MAKE) check

demo:
	tests/deps.sh demo
	$(MAKE) all $(TOOLS)
	BUILD=$(BUILD) tests/demo.sh $(HOST) $(ARGS)

install: all
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
	    $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(PLUGINDIR) \
	    $(DESTDIR)$(MANDIR)/man1
	install -m 0644 $(BUILD)/$(LIBFILE) $(DESTDIR)$(LIBDIR)/
	ln -sf $(LIBFILE) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/$(LIBNAME)
	install -m 0644 checks/pop3check.h $(DESTDIR)$(INCLUDEDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    checks/pop3check.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/pop3check.pc
	install -m 0755 $(BUILD)/check_pop3 $(DESTDIR)$(PLUGINDIR)/
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BUILD)/pop3_exporter $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(PREFIX)/share/doc/pop3check
	install -m 0644 exporters/common/pop3check.yml.example \
	    $(DESTDIR)$(PREFIX)/share/doc/pop3check/
	install -m 0644 plugin/check_pop3.1 $(DESTDIR)$(MANDIR)/man1/
	install -d $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 exporters/common/pop3check.yml.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 exporters/prometheus/pop3_exporter.8 \
	    exporters/snmp/pop3_snmp_agent.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0755 $(BUILD)/pop3_snmp_agent $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(SNMPMODDIR) $(DESTDIR)$(MIBDIR)
	install -m 0644 $(BUILD)/$(SNMP_SO) $(DESTDIR)$(SNMPMODDIR)/
	install -m 0644 exporters/snmp/POP3-MONITOR-MIB.txt $(DESTDIR)$(MIBDIR)/

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/$(LIBFILE) $(DESTDIR)$(LIBDIR)/$(SONAME) \
	    $(DESTDIR)$(LIBDIR)/$(LIBNAME) $(DESTDIR)$(INCLUDEDIR)/pop3check.h \
	    $(DESTDIR)$(LIBDIR)/pkgconfig/pop3check.pc \
	    $(DESTDIR)$(PLUGINDIR)/check_pop3 $(DESTDIR)$(MANDIR)/man1/check_pop3.1 \
	    $(DESTDIR)$(PREFIX)/bin/pop3_exporter \
	    $(DESTDIR)$(MANDIR)/man5/pop3check.yml.5 \
	    $(DESTDIR)$(MANDIR)/man8/pop3_exporter.8 \
	    $(DESTDIR)$(MANDIR)/man8/pop3_snmp_agent.8 \
	    $(DESTDIR)$(PREFIX)/bin/pop3_snmp_agent \
	    $(DESTDIR)$(SNMPMODDIR)/$(SNMP_SO) \
	    $(DESTDIR)$(MIBDIR)/POP3-MONITOR-MIB.txt \
	    $(DESTDIR)$(PREFIX)/share/doc/pop3check/pop3check.yml.example

# Every shell script the project runs, by name or by its shebang.
SHELL_SCRIPTS = $(shell git ls-files '*.sh' .ci/run 'packaging/debian/*.postinst' \
                  'packaging/debian/*.postrm' 2>/dev/null)

# cppcheck 2.17 (Debian 13) fails the run on its own note that it limited
# the analysis of branches: that note is no finding, so it is suppressed.
lint:
	tests/deps.sh lint
	tests/licence.sh
	shellcheck $(SHELL_SCRIPTS)
	clang-format --dry-run -Werror $(FORMAT_FILES)
	cppcheck --error-exitcode=1 --quiet --inline-suppr -Ichecks \
	    -Iexporters/common --suppress=normalCheckLevelMaxBranches \
	    checks plugin exporters

format:
	clang-format -i $(FORMAT_FILES)

clean:
	rm -rf build build-asan build-clang build-fuzz

-include $(LIB_OBJ:.o=.d) $(PLUGIN_OBJ:.o=.d) $(PLUGIN_LIB_OBJ:.o=.d) \
    $(ALLOC_OBJ:.o=.d) $(XCOMMON_OBJ:.o=.d) $(EXPORTER_OBJ:.o=.d) $(FLAGS_OBJ:.o=.d) \
    $(SNMP_OBJ:.o=.d) $(SNMP_PIC_OBJ:.o=.d)
