/* SPDX-License-Identifier: MIT */
/* agent.c - pop3_snmp_agent: the AgentX subagent that serves
 * POP3-MONITOR-MIB (pop3monitor.c) through a master agent such as snmpd
 * ("master agentx" in snmpd.conf). It reconnects when the master
 * restarts and stops cleanly on SIGTERM or SIGINT. */
#define _DEFAULT_SOURCE
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flags.h"
#include "pop3check.h"
#include "pop3monitor.h"

#define NAME "pop3_snmp_agent"

static const char usage[] = NAME
    " " POP3CHECK_VERSION " - AgentX subagent serving POP3-MONITOR-MIB\n"
    "\n"
    "Usage: " NAME " [--config.file FILE] [--agentx.socket ADDR]\n"
    "                       [--agentx.ping-interval SECONDS] [--config.check]\n"
    "                       [-h] [--version]\n"
    "\n"
    "  --config.file FILE          targets and modules (YAML, the file\n"
    "                              pop3_exporter reads), default\n"
    "                              " POP3MON_DEFAULT_CONFIG "\n"
    "  --agentx.socket ADDR        the master agent's AgentX address, as in\n"
    "                              snmpd.conf's agentXSocket: a socket path\n"
    "                              or tcp:HOST:PORT; default\n"
    "                              /var/agentx/master\n"
    "  --agentx.ping-interval S    check the master every S seconds and\n"
    "                              reconnect when it is gone (default 5)\n"
    "  --config.check              check the config file, print the result\n"
    "                              and exit (0 valid, 1 not)\n"
    "  -h, --help                  this text\n"
    "      --version               version\n"
    "\n"
    "The config's targets: are probed on their intervals and served as\n"
    "pop3ProbeTable (1.3.6.1.4.1.8072.9999.9999.110.1.1), one row per\n"
    "target; pop3ProbeFailed and pop3ProbeRecovered are sent through the\n"
    "master (its trap2sink/trapsess) when a target's verdict changes.\n"
    "Logs go to stderr. Signals: SIGTERM or SIGINT stop.\n";

struct flags {
    const char *config;
    const char *socket;
    int ping;
    int check;
};

/* -1 to go on, else the exit code. */
static int parse_flags(int argc, char **argv, struct flags *f)
{
    const struct p3x_flag fl[] = {
        {"config.file", P3X_FLAG_STRING, &f->config, 0, 0, NULL},
        {"agentx.socket", P3X_FLAG_STRING, &f->socket, 0, 0, NULL},
        {"agentx.ping-interval", P3X_FLAG_INT, &f->ping, 1, 3600,
         "give whole seconds, 1-3600"},
        {"config.check", P3X_FLAG_SWITCH, &f->check, 0, 0, NULL},
    };
    const struct p3x_flags spec = {NAME, usage, fl, sizeof fl / sizeof fl[0],
                                   NULL, NULL};

    f->config = POP3MON_DEFAULT_CONFIG;
    f->ping = 5;
    return p3x_flags_parse(&spec, argc, argv);
}

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    stopping = sig;
}

static void catch_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: the loop must see it */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* Net-SNMP as an AgentX subagent of f->socket's master. 0, or -1. */
static int start_agent(const struct flags *f)
{
    snmp_enable_stderrlog();
    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
    /* No snmpd.conf-style files and no persistent state: everything is in
     * the YAML file and on the command line. */
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
                           NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
                           NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
                           NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
                           NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    if (f->socket != NULL)
        netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID,
                              NETSNMP_DS_AGENT_X_SOCKET, f->socket);
    setenv("MIBS", "", 1); /* numeric OIDs only: no MIB files to read */
    if (init_agent(NAME) != 0) {
        fprintf(stderr, NAME ": cannot initialise the agent\n");
        return -1;
    }
    /* After init_agent, which sets Net-SNMP's default of 15 s. */
    netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID,
                       NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL, f->ping);
    init_pop3monitor();
    init_snmp(NAME);
    snmp_log(LOG_INFO, NAME " %s: config %s, AgentX master %s\n",
             POP3CHECK_VERSION, f->config,
             f->socket ? f->socket : "/var/agentx/master");
    return 0;
}

int main(int argc, char **argv)
{
    struct flags f = {0};
    char err[512];
    int rc = parse_flags(argc, argv, &f);

    if (rc >= 0)
        return rc;
    if (pop3monitor_load(f.config, err, sizeof err) != 0) {
        fprintf(stderr, NAME ": %s\n", err);
        return 1;
    }
    if (f.check) {
        printf(NAME ": %s is valid\n", f.config);
        return 0;
    }
    /* libpop3check is initialised by the module (pop3monitor.c), which
     * logs the library's reason when that fails. */
    catch_signals();
    if (start_agent(&f) != 0)
        return 1;
    while (!stopping)
        agent_check_and_process(1);
    snmp_log(LOG_INFO, NAME ": signal %d, stopping\n", (int)stopping);
    deinit_pop3monitor();
    snmp_shutdown(NAME);
    shutdown_agent();
    return 0;
}
