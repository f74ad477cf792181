#!/bin/bash
# SPDX-License-Identifier: MIT
# The configurations of packaging/ in the real tools, against a sandbox
# Dovecot: Prometheus (promtool check config/rules, test rules), the
# Grafana dashboard (every metric it queries is one pop3_exporter emits),
# Icinga 2 (validate, then run it with the API on loopback: it schedules
# check_pop3 and the service states and perfdata are read back through
# the API) and Nagios 4 (validate, then run it: OK, WARNING and CRITICAL
# recorded for three services), and the snmpd.conf.d snippets in snmpd.
# Daemons are started here and stopped by
# PID. Records its counts in $BUILD/results/stacks.
set -uo pipefail

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
export LD_LIBRARY_PATH="$build${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
pkg="$top/packaging"
suite_begin stacks
need_root "Dovecot switches users"
need_tools "run 'make test', which installs what is needed" \
    promtool icinga2 nagios4 curl python3 openssl snmpd snmpget

"$top/tests/integration/sandbox.sh" start "$work/sandbox" > /dev/null 2>&1 || { echo "stacks: no sandbox" >&2; exit 1; }
# shellcheck disable=SC1091
. "$work/sandbox/env"
pw="$SANDBOX_DIR/pass"
printf 'wrong-password\n' > "$work/wrong.pw"
chmod 0600 "$work/wrong.pw"

echo "== Prometheus"
cp "$pkg/prometheus/"*.yml "$work/"
for f in prometheus.yml sharding.yml; do
    if out=$(cd "$work" && promtool check config "$f" 2>&1); then ok "promtool check config $f"; else ko "promtool check config $f" "$out"; fi
done
if out=$(cd "$work" && promtool check rules pop3check.rules.yml 2>&1); then ok "promtool check rules: $(grep -o '[0-9]* rules' <<< "$out")"; else ko "promtool check rules" "$out"; fi
if out=$(cd "$work" && promtool test rules pop3check.rules.test.yml 2>&1); then ok "promtool test rules: every alert fires when it should and not before"; else ko "promtool test rules" "$out"; fi
alerts=$(grep -c '^      - alert:' "$pkg/prometheus/pop3check.rules.yml")
tested=$(grep -o 'alertname: [A-Za-z0-9]*' "$pkg/prometheus/pop3check.rules.test.yml" | sort -u | wc -l)
if [ "$alerts" = "$tested" ]; then ok "all $alerts alerts have unit tests"; else ko "$alerts alerts, $tested tested"; fi

echo "== Grafana dashboard"
# What the exporter really emits: a login over POP3S (mailbox,
# certificate, TLS) on /probe, and a scheduled target on /metrics.
cat > "$work/pop3check.yml" <<EOF
modules:
  login:
    tls: implicit
    cafile: $CA_FILE
    user: $USER_SMALL
    password_file: $pw/small
    age: true
    allowed_targets: ["127.0.0.1"]
targets:
  - name: sched
    target: 127.0.0.1:$PORT_POP3S
    module: login
    interval: 1s
EOF
"$build/pop3_exporter" --config.file "$work/pop3check.yml" --web.listen-address 127.0.0.1:0 2> "$work/exporter.log" &
pids+=("$!")
for _ in $(seq 50); do grep -q listening "$work/exporter.log" && break; sleep 0.1; done
EP=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$work/exporter.log")
sleep 1.5
{
    curl -s "http://127.0.0.1:$EP/probe?target=127.0.0.1:$PORT_POP3S&module=login"
    curl -s "http://127.0.0.1:$EP/metrics"
} | sed -n 's/^# TYPE \([a-zA-Z_:][a-zA-Z0-9_:]*\) .*/\1/p' | sort -u > "$work/emitted"
dash="$pkg/grafana/pop3check-dashboard.json"
if python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$dash" 2> /dev/null; then ok "dashboard is valid JSON"; else ko "dashboard JSON"; fi
python3 - "$dash" > "$work/queried" <<'PYEOF'
import json, re, sys
d = json.load(open(sys.argv[1]))
exprs = [t["expr"] for p in d["panels"] for t in p.get("targets", [])]
exprs += [v["query"]["query"] for v in d["templating"]["list"]]
names = set()
for e in exprs:
    e = re.sub(r'\{[^}]*\}|"[^"]*"|\[[^]]*\]', ' ', e)
    for w in re.findall(r'[a-zA-Z_:][a-zA-Z0-9_:]*', e):
        if w.startswith(('pop3_', 'probe_')):
            names.add(w)
print("\n".join(sorted(names)))
PYEOF
missing=$(comm -23 "$work/queried" "$work/emitted" | paste -sd' ')
n=$(wc -l < "$work/queried")
if [ "$n" -ge 8 ] && [ -z "$missing" ]; then
    ok "the dashboard queries $n metrics, all emitted by pop3_exporter: $(paste -sd' ' "$work/queried")"
else
    ko "dashboard metrics not emitted: ${missing:-(none)}; queried $n"
fi

echo "== Icinga 2"
ic="$work/icinga2"
mkdir -p "$ic"/{data/certs,log,cache,spool,run}
chmod -R 0755 "$ic"
API_PORT=$(free_port tcp)
node=pop3check-test
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=$node" \
    -keyout "$ic/data/certs/$node.key" -out "$ic/data/certs/$node.crt" 2> /dev/null
cp "$ic/data/certs/$node.crt" "$ic/data/certs/ca.crt"
cat > "$ic/icinga2.conf" <<EOF
const NodeName = "$node"
const PluginDir = "$build"
include <itl>
include <plugins>
object Endpoint NodeName { }
object Zone "master" { endpoints = [ NodeName ] }
object FileLogger "main-log" { path = "$ic/log/icinga2.log", severity = "information" }
object CheckerComponent "checker" { }
object ApiListener "api" { bind_host = "127.0.0.1", bind_port = $API_PORT, accept_config = false, accept_commands = false }
object ApiUser "test" { password = "test-api-pw", permissions = [ "objects/query/*" ] }
template Service "generic-service" { max_check_attempts = 1, check_interval = 2s, retry_interval = 2s }
object Host "mail" {
	check_command = "dummy"
	address = "127.0.0.1"
	vars.pop3 = true
	vars.pop3_port = $PORT_PLAIN
	vars.pop3_login = { user = "$USER_SMALL", password_file = "$pw/small" }
}
object Host "mail-tls" {
	check_command = "dummy"
	address = "127.0.0.1"
	vars.pop3 = true
	vars.pop3_tls = "implicit"
	vars.pop3_port = $PORT_POP3S
	vars.pop3_cafile = "$CA_FILE"
}
object Host "mail-wrong" {
	check_command = "dummy"
	address = "127.0.0.1"
	vars.pop3_port = $PORT_PLAIN
	vars.pop3_login = { user = "$USER_SMALL", password_file = "$work/wrong.pw" }
}
include "$pkg/icinga2/pop3check-command.conf"
include "$pkg/icinga2/services.conf"
EOF
icdefs=(-DConfiguration.DataDir="$ic/data" -DConfiguration.LogDir="$ic/log"
        -DConfiguration.CacheDir="$ic/cache" -DConfiguration.SpoolDir="$ic/spool"
        -DConfiguration.InitRunDir="$ic/run" -DConfiguration.RunAsUser=root
        -DConfiguration.RunAsGroup=root)
if out=$(icinga2 daemon -C -c "$ic/icinga2.conf" "${icdefs[@]}" 2>&1); then
    ok "icinga2 daemon -C: the CheckCommand and the apply rules validate ($(grep -o 'Instantiated [0-9]* Services' <<< "$out"))"
else
    ko "icinga2 daemon -C" "$(grep -i 'critical\|error' <<< "$out" | head -10)"
fi
printf 'const PluginDir = "%s"\ninclude <itl>\ninclude <plugins>\ninclude "%s"\n' "$build" "$pkg/icinga2/zones.conf" > "$ic/zones-test.conf"
if out=$(icinga2 daemon -C -c "$ic/zones-test.conf" "${icdefs[@]}" 2>&1); then
    ok "icinga2 daemon -C: zones.conf (master, satellites, global zone) validates"
else
    ko "zones.conf" "$(grep -i 'critical\|error' <<< "$out" | head -10)"
fi
icinga2 daemon -c "$ic/icinga2.conf" "${icdefs[@]}" > "$ic/stdout.log" 2>&1 &
ic_pid=$!
pids+=("$ic_pid")
api() { curl -sk -u test:test-api-pw -H 'Accept: application/json' "https://127.0.0.1:$API_PORT/v1/$1"; }
for _ in $(seq 150); do
    n=$(api 'objects/services?attrs=last_check_result' | python3 -c 'import json, sys
try:
    r = json.load(sys.stdin)["results"]
    print(sum(1 for s in r if s["attrs"]["last_check_result"]))
except Exception:
    print(0)')
    [ "$n" -ge 4 ] && break
    sleep 0.2
done
api 'objects/services?attrs=last_check_result&attrs=state&attrs=host_name&attrs=name' > "$work/icinga-services.json"
python3 - "$work/icinga-services.json" > "$work/icinga-states" <<'PYEOF'
import json, sys
for s in json.load(open(sys.argv[1]))["results"]:
    a = s["attrs"]
    r = a["last_check_result"] or {}
    perf = " ".join(r.get("performance_data") or [])
    print(f'{a["host_name"]}!{a["name"]} {int(a["state"])} {r.get("exit_status")} {perf} || {r.get("output", "").splitlines()[0] if r.get("output") else ""}')
PYEOF
state() { awk -v s="$1" '$1 == s { print $2 }' "$work/icinga-states"; }
line() { grep "^$1 " "$work/icinga-states"; }
if [ "$(state 'mail!pop3')" = 0 ] && [ "$(state 'mail!pop3-login')" = 0 ] &&
    [ "$(state 'mail-tls!pop3')" = 0 ] && [ "$(state 'mail-wrong!pop3-login')" = 2 ]; then
    ok "Icinga 2 ran check_pop3 and the API reports mail!pop3, mail!pop3-login and mail-tls!pop3 OK, mail-wrong!pop3-login CRITICAL"
else
    ko "Icinga 2 service states" "$(cat "$work/icinga-states"; tail -5 "$ic/log/icinga2.log")"
fi
if line 'mail!pop3-login' | grep -q "time_auth=.*messages=$SMALL_MESSAGES;" && line 'mail!pop3-login' | grep -q '|| POP3 OK - .*login ok'; then
    ok "perfdata through the API: $(line 'mail!pop3-login' | grep -o 'messages=[^ ]*')"
else
    ko "Icinga 2 perfdata" "$(line 'mail!pop3-login')"
fi
if grep -q "SASL CRAM-MD5\|login failed" <<< "$(line 'mail-wrong!pop3-login')" && ! grep -q wrong-password "$work/icinga-services.json"; then
    ok "the failed login's output through the API, no password in it"
else
    ko "Icinga 2 failed login output" "$(line 'mail-wrong!pop3-login')"
fi
kill "$ic_pid"
wait "$ic_pid" 2> /dev/null

echo "== Nagios 4"
ng="$work/nagios"
mkdir -p "$ng/spool" "$ng/rw"
cat > "$ng/nagios.cfg" <<EOF
log_file=$ng/nagios.log
cfg_file=$ng/objects.cfg
cfg_file=$pkg/nagios/pop3check.cfg
object_cache_file=$ng/objects.cache
precached_object_file=$ng/objects.precache
status_file=$ng/status.dat
status_update_interval=1
nagios_user=root
nagios_group=root
check_external_commands=0
command_file=$ng/rw/nagios.cmd
lock_file=$ng/nagios.pid
temp_file=$ng/nagios.tmp
temp_path=$ng
check_result_path=$ng/spool
state_retention_file=$ng/retention.dat
retain_state_information=0
interval_length=1
check_result_reaper_frequency=1
max_concurrent_checks=0
service_inter_check_delay_method=n
host_inter_check_delay_method=n
enable_notifications=0
execute_service_checks=1
accept_passive_service_checks=0
enable_event_handlers=0
process_performance_data=0
illegal_macro_output_chars=\`~\$&|'"<>
EOF
cat > "$ng/objects.cfg" <<EOF
define timeperiod {
    timeperiod_name 24x7
    alias           always
    sunday 00:00-24:00
    monday 00:00-24:00
    tuesday 00:00-24:00
    wednesday 00:00-24:00
    thursday 00:00-24:00
    friday 00:00-24:00
    saturday 00:00-24:00
}
define command {
    command_name always_up
    command_line /bin/true
}
define contact {
    contact_name                  nobody
    host_notifications_enabled    0
    service_notifications_enabled 0
    host_notification_period      24x7
    service_notification_period   24x7
    host_notification_options     n
    service_notification_options  n
    host_notification_commands    always_up
    service_notification_commands always_up
}
define host {
    host_name             mail
    address               127.0.0.1
    check_command         always_up
    max_check_attempts    1
    check_period          24x7
    contacts              nobody
    notification_period   24x7
}
define service {
    name                  pop3-test
    register              0
    host_name             mail
    max_check_attempts    1
    check_interval        2
    retry_interval        2
    check_period          24x7
    contacts              nobody
    notification_period   24x7
}
define service {
    use                   pop3-test
    service_description   POP3 login ok
    check_command         check_pop3_login!$USER_SMALL!$pw/small!-p $PORT_PLAIN
}
define service {
    use                   pop3-test
    service_description   POP3 mailbox warning
    check_command         check_pop3_login!$USER_SMALL!$pw/small!-p $PORT_PLAIN --messages-warning 1
}
define service {
    use                   pop3-test
    service_description   POP3 wrong password
    check_command         check_pop3_login!$USER_SMALL!$work/wrong.pw!-p $PORT_PLAIN
}
define service {
    use                   pop3-test
    service_description   POP3 banner
    check_command         check_pop3_banner!-p $PORT_POP3S --tls implicit --cafile $CA_FILE -D 30,14
}
EOF
# The packaged command definitions name the installed plugin; here the
# build's, through the same file.
sed "s|/usr/lib/nagios/plugins/check_pop3|$build/check_pop3|" "$pkg/nagios/pop3check.cfg" > "$ng/pop3check.cfg"
sed -i "s|^cfg_file=$pkg/nagios/pop3check.cfg|cfg_file=$ng/pop3check.cfg|" "$ng/nagios.cfg"
if out=$(nagios4 -v "$ng/nagios.cfg" 2>&1); then
    ok "nagios4 -v: the command definitions and the services validate ($(grep -o 'Checked [0-9]* services' <<< "$out"))"
else
    ko "nagios4 -v" "$(grep -i 'error\|warning' <<< "$out" | head -10)"
fi
nagios4 "$ng/nagios.cfg" > "$ng/stdout.log" 2>&1 &
ng_pid=$!
pids+=("$ng_pid")
nstate() { # nstate DESCRIPTION: current_state from status.dat, once checked
    awk -v d="$1" '/\{$/ { s = ""; st = ""; c = 0 }
        /service_description=/ { sub(/.*service_description=/, ""); s = $0 }
        /current_state=/ { sub(/.*current_state=/, ""); st = $0 }
        /has_been_checked=1/ { c = 1 }
        /^\t\}/ { if (s == d && c) print st }' "$ng/status.dat" 2> /dev/null
}
for _ in $(seq 150); do
    [ -n "$(nstate 'POP3 wrong password')" ] && [ -n "$(nstate 'POP3 mailbox warning')" ] &&
        [ -n "$(nstate 'POP3 login ok')" ] && [ -n "$(nstate 'POP3 banner')" ] && break
    sleep 0.2
done
got="$(nstate 'POP3 login ok')/$(nstate 'POP3 mailbox warning')/$(nstate 'POP3 wrong password')/$(nstate 'POP3 banner')"
if [ "$got" = "0/1/2/0" ]; then
    ok "Nagios ran check_pop3 and recorded OK, WARNING, CRITICAL (and OK for the POP3S banner)"
else
    ko "Nagios states login/warning/wrong/banner: $got (want 0/1/2/0)" "$(grep -h 'SERVICE ALERT\|Error\|Warning' "$ng/nagios.log" | tail -5)"
fi
if grep -q "plugin_output=POP3 WARNING - .*3 messages" "$ng/status.dat" && grep -q 'performance_data=time=' "$ng/status.dat"; then
    ok "Nagios keeps the plugin's status line and perfdata"
else
    ko "Nagios output/perfdata" "$(grep -m3 'plugin_output=\|performance_data=' "$ng/status.dat")"
fi
kill "$ng_pid"
wait "$ng_pid" 2> /dev/null

echo "== snmpd.conf.d snippets"
# Each snippet as shipped, with this machine's paths and users, in a real
# snmpd; the subagent or the module must serve the table through it.
export MIBS='' SNMP_PERSISTENT_DIR="$work/persist"
mkdir -p "$SNMP_PERSISTENT_DIR"
SNMP_PORT=$(free_port udp)
printf 'targets:\n  - name: t\n    target: 127.0.0.1:%s\n    module: b\nmodules:\n  b:\n    timeout: 2s\n' "$PORT_PLAIN" > "$work/snmp.yml"
# Sanitizer builds (make asan): the module needs their runtimes first.
san=$(ldd "$build/pop3monitor.so" | awk '/lib(asan|ubsan)\.so/ { print $3 }' | paste -sd:)
snmpd_env=(env)
[ -n "$san" ] && snmpd_env=(env "LD_PRELOAD=$san" ASAN_OPTIONS=detect_leaks=0)
for snippet in pop3check-agentx pop3check-dlmod; do
    {
        printf '[snmp] clientaddr 127.0.0.1\nagentAddress udp:127.0.0.1:%s\n' "$SNMP_PORT"
        printf 'view systemonly included .1.3.6.1.2.1.1\nrocommunity public 127.0.0.1 -V systemonly\n'
        sed -e "s|/var/agentx/master|$work/agentx.sock|" -e 's/Debian-snmp pop3check/root root/' \
            -e "s|/usr/lib/pop3check/pop3monitor.so|$build/pop3monitor.so|" \
            -e "s|/etc/pop3check/pop3check.yml|$work/snmp.yml|" "$pkg/snmp/$snippet.conf"
    } > "$work/$snippet.snmpd.conf"
    "${snmpd_env[@]}" snmpd -f -C -c "$work/$snippet.snmpd.conf" -I -smux -Lf "$work/$snippet.log" &
    sd_pid=$!
    pids+=("$sd_pid")
    ag_pid=""
    if [ "$snippet" = pop3check-agentx ]; then
        for _ in $(seq 50); do [ -S "$work/agentx.sock" ] && break; sleep 0.1; done
        "$build/pop3_snmp_agent" --config.file "$work/snmp.yml" --agentx.socket "$work/agentx.sock" 2> "$work/agent.log" &
        ag_pid=$!
        pids+=("$ag_pid")
    fi
    got=""
    for _ in $(seq 60); do
        got=$(snmpget -v2c -c public -On -t 1 -r 0 "127.0.0.1:$SNMP_PORT" .1.3.6.1.4.1.8072.9999.9999.110.1.1.1.33.1.116 2>/dev/null | sed 's/.*: //')
        [[ "$got" =~ ^[1-9] ]] && break
        sleep 0.2
    done
    if [[ "$got" =~ ^[1-9] ]]; then
        ok "$snippet.conf: snmpd serves pop3ProbeTable to the systemonly view ($got probes of target t)"
    else
        ko "$snippet.conf: table not served ('$got')" "$(tail -5 "$work/$snippet.log")"
    fi
    [ -n "$ag_pid" ] && { kill "$ag_pid"; wait "$ag_pid" 2> /dev/null; }
    kill "$sd_pid"
    wait "$sd_pid" 2> /dev/null
done

suite_end
