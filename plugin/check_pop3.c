/* SPDX-License-Identifier: MIT */
/* check_pop3.c - the Nagios / Icinga plugin: one probe of a POP3 server
 * through libpop3check, judged against the thresholds, printed as the
 * Monitoring Plugins guidelines say; exit 0 OK, 1 WARNING, 2 CRITICAL,
 * 3 UNKNOWN. */
#define _DEFAULT_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "output.h"

static const char help_text[] =
    "check_pop3 " POP3CHECK_VERSION
    " - check a POP3 server: log in, read the mailbox, time every phase\n"
    "\n"
    "Usage: check_pop3 -H HOST [-p PORT] [-4|-6] [-S | --tls MODE]\n"
    "                  [--cafile FILE] [--insecure] [--sni NAME]\n"
    "                  [-u USER [--password-file FILE | --token-file FILE]\n"
    "                  [--auth MECH]]\n"
    "                  [--list] [--uidl] [--top N] [--retr N]\n"
    "                  [--age [--age-scan N]]\n"
    "                  [-w RANGE] [-c RANGE] [--phase-warning PHASE=RANGE]\n"
    "                  [--phase-critical PHASE=RANGE]\n"
    "                  [--messages-warning RANGE] [--messages-critical RANGE]\n"
    "                  [--octets-warning RANGE] [--octets-critical RANGE]\n"
    "                  [-D WARN_DAYS[,CRIT_DAYS]] [-t SECONDS[:STATE]] [-v]\n"
    "\n"
    "Without -u the check stops after the greeting and CAPA (a banner "
    "check).\n"
    "\n"
    "Connection:\n"
    "  -H, --hostname HOST     server name or address (required)\n"
    "  -p, --port PORT         default 110, or 995 with -S\n"
    "  -4, --ipv4 / -6, --ipv6 use only IPv4 / IPv6\n"
    "  -S, --ssl               implicit TLS (POP3S), same as --tls implicit\n"
    "      --tls MODE          none (default), stls (upgrade with STLS, RFC\n"
    "                          2595; no credentials are sent if it fails) or\n"
    "                          implicit\n"
    "      --cafile FILE       CA certificates to verify the server with\n"
    "                          (default: the system's)\n"
    "      --insecure          do not verify the certificate (expiry is still\n"
    "                          reported and checked by -D)\n"
    "      --sni NAME          TLS server name to send and verify (default:\n"
    "                          HOST when it is a name)\n"
    "\n"
    "Login (never put a password on the command line):\n"
    "  -u, --user USER         log in as USER\n"
    "      --password-file FILE  first line of FILE is the password (a file\n"
    "                          others cannot read: chmod o-rwx), else the\n"
    "                          environment variable POP3_PASSWORD\n"
    "      --token-file FILE   log in with the OAuth 2.0 bearer token on the\n"
    "                          first line of FILE instead (chmod o-rwx; read\n"
    "                          at each check, so a refresher may replace it)\n"
    "      --token-url URL     or get the token by a client-credentials grant\n"
    "                          at this token endpoint (https://), with\n"
    "      --client-id ID, --client-secret-file FILE  (chmod o-rwx)\n"
    "      --token-scope SCOPE the scope to ask for (Microsoft 365:\n"
    "                          https://outlook.office365.com/.default)\n"
    "      --token-cache FILE  keep the token there until shortly before it\n"
    "                          expires (written 0600), for the next checks\n"
    "      --auth MECH         any (default: the best the server offers,\n"
    "                          SCRAM first, USER last; with a token\n"
    "                          OAUTHBEARER, else XOAUTH2), user, apop, plain,\n"
    "                          login, cram-md5, scram-sha-1, scram-sha-256,\n"
    "                          scram-sha-1-plus, scram-sha-256-plus (bound to\n"
    "                          the TLS channel), xoauth2 or oauthbearer; a\n"
    "                          named one is used or the check fails\n";

/* The rest of the check's part of --help: two literals, as one would pass
 * the 4095 characters a C compiler must take. */
static const char help_text2[] =
    "\n"
    "Commands after login (STAT always; DELE only in a round trip):\n"
    "      --list              LIST: largest message, checked against STAT\n"
    "      --uidl              UIDL\n"
    "      --top N             TOP N 0 (N: a number, first or last)\n"
    "      --retr N            RETR N (N: a number, first or last); first and\n"
    "                          last are skipped when the mailbox is empty\n"
    "      --age               how long messages have waited: TOP n 0 of\n"
    "                          message 1 and the last (never RETR), the date\n"
    "                          of the newest Received: header (the receiving\n"
    "                          server's clock), else Date: (the sender's)\n"
    "      --age-scan N        read every message when there are at most N\n"
    "                          (default 10; implies --age)\n"
    "\n"
    "Thresholds (RANGE: 10, 10:, ~:10, 10:20 or @10:20; alert outside the\n"
    "range, or inside it with @):\n"
    "  -w, --warning RANGE     total time in seconds\n"
    "  -c, --critical RANGE    total time in seconds\n"
    "      --phase-warning PHASE=RANGE, --phase-critical PHASE=RANGE\n"
    "                          time of one phase in seconds (repeatable);\n"
    "                          PHASE: resolve connect tls greeting capa stls\n"
    "                          auth stat list uidl top retr quit total token\n"
    "      --messages-warning RANGE, --messages-critical RANGE\n"
    "                          number of messages (STAT)\n"
    "      --octets-warning RANGE, --octets-critical RANGE\n"
    "                          mailbox size in octets (STAT)\n"
    "      --age-warning RANGE, --age-critical RANGE\n"
    "                          age of the oldest message in seconds (implies\n"
    "                          --age; 86400 alerts after a day)\n"
    "  -D, --certificate WARN_DAYS[,CRIT_DAYS]\n"
    "                          alert when the certificate expires in fewer\n"
    "                          days; an expired one is always CRITICAL\n"
    "\n"
    "Other:\n"
    "  -t, --timeout SECONDS[:STATE]  for the whole check (default 10); the\n"
    "                          state on timeout (default critical)\n"
    "  -v, --verbose           one line per phase, capabilities, certificate;\n"
    "                          -vvv adds the protocol transcript (secrets\n"
    "                          redacted)\n"
    "  -h, --help              this text\n"
    "  -V, --version           version\n"
    "\n"
    "Exit: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (bad options).\n"
    "\n"
    "Examples:\n"
    "  check_pop3 -H mail.example.org\n"
    "  check_pop3 -H mail.example.org --tls stls -u monitor \\\n"
    "      --password-file /etc/nagios/pop3.pw --retr last -w 2 -c 5 -D 30,14\n"
    "  POP3_PASSWORD=secret check_pop3 -H 192.0.2.1 -S -u monitor \\\n"
    "      --auth cram-md5 --phase-critical auth=1 --messages-warning 1000\n"
    "  check_pop3 -H outlook.office365.com -S -u monitor@example.org \\\n"
    "      --auth xoauth2 --client-id APP_ID \\\n"
    "      --token-url "
    "https://login.microsoftonline.com/TENANT/oauth2/v2.0/token \\\n"
    "      --client-secret-file /etc/nagios/m365.secret \\\n"
    "      --token-scope https://outlook.office365.com/.default \\\n"
    "      --token-cache /var/cache/nagios/m365.token\n";

/* The round trip's part of --help (a string of its own: one literal
 * stays under the 4095 characters a C compiler must take). */
static const char trip_help_text[] =
    "\n"
    "Round trip (prove that mail arrives: submit a probe over SMTP, find it\n"
    "over POP3 with -u, delete it; never RETR, and DELE only of messages\n"
    "whose headers carry this check's own signed identifier):\n"
    "      --smtp-host HOST    submission server; turns the round trip on\n"
    "      --smtp-port PORT    default 587, or 465 with --smtp-tls implicit\n"
    "      --smtp-tls MODE     stls (default: STARTTLS required, no\n"
    "                          credentials without it), try, implicit, none\n"
    "      --smtp-user USER    AUTH as USER (default: no AUTH); with the same\n"
    "                          user as -u its password is used\n"
    "      --smtp-password-file FILE  else the environment SMTP_PASSWORD\n"
    "      --smtp-auth MECH    the SASL mechanism (default: the best offered)\n"
    "      --mail-from ADDR    envelope sender and From: (required)\n"
    "      --rcpt-to ADDR      the address of the mailbox -u reads (required)\n"
    "      --subject TEXT      default \"pop3check round trip\"\n"
    "      --poll-interval S   seconds between polls (default 1); polls run\n"
    "                          at whole intervals after the server's 250, so\n"
    "                          the delivery time is late by at most one\n"
    "      --check-name NAME   names this check in its probes (default\n"
    "                          USER@HOST); another name's probes are never\n"
    "                          deleted\n"
    "      --probe-key-file FILE  key that signs the probes (16-256 bytes;\n"
    "                          default: derived from the mailbox password)\n"
    "      --delivery-warning RANGE, --delivery-critical RANGE  seconds\n"
    "      --not-delivered STATE  the state when the probe is not seen by the\n"
    "                          timeout (default critical)\n"
    "  A probe of this check that an earlier run left (killed, or delivered\n"
    "  late) is deleted once its sender's deadline has passed. Phases:\n"
    "  smtp_resolve smtp_connect smtp_tls smtp_greeting smtp_auth smtp_submit\n"
    "  delivery dele. The timeout covers the submission and every poll.\n"
    "  Example, a Postfix submission port and the mailbox it delivers to:\n"
    "  check_pop3 -H pop.example.org --tls stls -u probe \\\n"
    "      --password-file /etc/nagios/probe.pw --smtp-host smtp.example.org "
    "\\\n"
    "      --smtp-user probe --mail-from probe@example.org \\\n"
    "      --rcpt-to probe@example.org -t 60 --delivery-warning 10 \\\n"
    "      --delivery-critical 30\n";

/* The transcript of -vvv, printed after the status line. */
struct transcript {
    char buf[65536];
    struct outbuf out;
};

static void on_trace(void *ctx, enum pop3check_trace_dir dir, const char *line,
                     size_t len)
{
    static const char *const arrows[] = {"C: ", "S: ", "* "};
    struct transcript *t = ctx;
    const char *arrow = (unsigned)dir < 3 ? arrows[dir] : "? ";

    out_printf(&t->out, "%s%.*s\n", arrow, (int)len, line);
}

static volatile sig_atomic_t timeout_state = POP3CHECK_STATE_CRITICAL;

/* Last resort if the engine ever overran its deadline. */
static void on_alarm(int sig)
{
    static const char *const msgs[] = {"POP3 OK - plugin timed out\n",
                                       "POP3 WARNING - plugin timed out\n",
                                       "POP3 CRITICAL - plugin timed out\n",
                                       "POP3 UNKNOWN - plugin timed out\n"};
    const char *m = msgs[timeout_state & 3];

    (void)sig;
    if (write(STDOUT_FILENO, m, strlen(m)) < 0)
        _exit(3);
    _exit(timeout_state);
}

static int usage_error(const char *msg)
{
    printf("POP3 UNKNOWN - %s\n", msg);
    return POP3CHECK_STATE_UNKNOWN;
}

/* Arms the last resort two seconds after the probe's own deadline. */
static void arm_alarm(const struct plugin_opts *o)
{
    long ms = 0; /* left so should the key ever be unknown */

    pop3check_options_get_long(o->probe, POP3CHECK_OPT_TIMEOUT_MS, &ms);
    timeout_state = pop3check_thresholds_timeout_state(o->thr) & 3;
    signal(SIGALRM, on_alarm);
    alarm((unsigned)(ms / 1000) + 2);
}

static int run(struct plugin_opts *o, struct transcript *tr)
{
    char err[256];
    char why[512];
    static char text[65536];
    struct outbuf out = {text, sizeof text, 0};
    const struct pop3check_result *r;
    struct pop3check_probe *p;
    enum pop3check_state st;

    if (o->verbose >= 3)
        pop3check_options_set_trace(o->probe, on_trace, tr);
    p = pop3check_probe_new(o->probe, err, sizeof err);
    plugin_opts_wipe(o); /* the probe keeps its own copy */
    if (p == NULL)
        return usage_error(err);
    arm_alarm(o);
    r = pop3check_probe_run(p);
    alarm(0);
    st = pop3check_evaluate(r, o->thr, why, sizeof why);
    render_output(&out, o, r, st, why);
    pop3check_probe_free(p);
    fputs(text, stdout);
    if (tr->out.len > 0)
        fputs(tr->buf, stdout);
    return st;
}

/* The command line, then -h, -V or the check (libcurl is set up only for
 * the check: --help works whatever libcurl is installed). */
static int check(int argc, char **argv)
{
    static struct transcript tr;
    struct plugin_opts o;
    char err[512];
    int rc;

    tr.out = (struct outbuf){tr.buf, sizeof tr.buf, 0};
    if (plugin_parse(argc, argv, getenv("POP3_PASSWORD"), &o, err,
                     sizeof err) != 0) {
        rc = usage_error(err);
    } else if (o.help) {
        fputs(help_text, stdout);
        fputs(help_text2, stdout);
        fputs(trip_help_text, stdout);
        rc = POP3CHECK_STATE_UNKNOWN; /* as the guidelines ask */
    } else if (o.version) {
        /* The library's version at run time: it may be newer than ours. */
        printf("check_pop3 %s (libpop3check %s, libcurl)\n", POP3CHECK_VERSION,
               pop3check_version());
        rc = POP3CHECK_STATE_UNKNOWN;
    } else if (pop3check_global_init(err, sizeof err) != 0) {
        rc = usage_error(err);
    } else {
        rc = run(&o, &tr);
        pop3check_global_cleanup();
    }
    plugin_opts_free(&o);
    return rc;
}

int main(int argc, char **argv)
{
    return check(argc, argv);
}
