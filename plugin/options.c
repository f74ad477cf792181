/* SPDX-License-Identifier: MIT */
/* options.c - check_pop3's options (Monitoring Plugins guidelines: -H -p
 * -w -c -t -v -h -V keep their meaning), validated before any traffic. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "options.h"

enum {
    OPT_TLS = 256,
    OPT_CAFILE,
    OPT_INSECURE,
    OPT_SNI,
    OPT_PASSWORD_FILE,
    OPT_AUTH,
    OPT_LIST,
    OPT_UIDL,
    OPT_TOP,
    OPT_RETR,
    OPT_PHASE_WARN,
    OPT_PHASE_CRIT,
    OPT_MSG_WARN,
    OPT_MSG_CRIT,
    OPT_OCT_WARN,
    OPT_OCT_CRIT
};

static const struct option longopts[] = {
    {"hostname", required_argument, NULL, 'H'},
    {"port", required_argument, NULL, 'p'},
    {"ipv4", no_argument, NULL, '4'},
    {"ipv6", no_argument, NULL, '6'},
    {"ssl", no_argument, NULL, 'S'},
    {"tls", required_argument, NULL, OPT_TLS},
    {"cafile", required_argument, NULL, OPT_CAFILE},
    {"insecure", no_argument, NULL, OPT_INSECURE},
    {"sni", required_argument, NULL, OPT_SNI},
    {"user", required_argument, NULL, 'u'},
    {"password-file", required_argument, NULL, OPT_PASSWORD_FILE},
    {"auth", required_argument, NULL, OPT_AUTH},
    {"list", no_argument, NULL, OPT_LIST},
    {"uidl", no_argument, NULL, OPT_UIDL},
    {"top", required_argument, NULL, OPT_TOP},
    {"retr", required_argument, NULL, OPT_RETR},
    {"warning", required_argument, NULL, 'w'},
    {"critical", required_argument, NULL, 'c'},
    {"phase-warning", required_argument, NULL, OPT_PHASE_WARN},
    {"phase-critical", required_argument, NULL, OPT_PHASE_CRIT},
    {"messages-warning", required_argument, NULL, OPT_MSG_WARN},
    {"messages-critical", required_argument, NULL, OPT_MSG_CRIT},
    {"octets-warning", required_argument, NULL, OPT_OCT_WARN},
    {"octets-critical", required_argument, NULL, OPT_OCT_CRIT},
    {"certificate", required_argument, NULL, 'D'},
    {"timeout", required_argument, NULL, 't'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static const char shortopts[] = ":H:p:46Su:w:c:D:t:vhV";

static const char range_help[] =
    "a range such as 10, 10:, ~:10, 10:20 or @10:20";

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* A whole decimal number in [min, max]. */
static int parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_msg(const char *s, long *out)
{
    if (strcasecmp(s, "first") == 0) {
        *out = POP3CHECK_MSG_FIRST;
        return 0;
    }
    if (strcasecmp(s, "last") == 0) {
        *out = POP3CHECK_MSG_LAST;
        return 0;
    }
    return parse_long(s, 1, 999999999, out);
}

static int parse_range(const char *opt, const char *s,
                       struct pop3check_range *r, char *err, size_t errlen)
{
    if (pop3check_range_parse(s, r) != 0)
        return fail(err, errlen, "%s '%s' is not %s", opt, s, range_help);
    return 0;
}

/* PHASE=RANGE for --phase-warning / --phase-critical. */
static int parse_phase_range(const char *opt, const char *s,
                             struct pop3check_range *ranges, char *err,
                             size_t errlen)
{
    const char *eq = strchr(s, '=');
    char name[16];
    int ph;

    if (eq == NULL || (size_t)(eq - s) >= sizeof name)
        return fail(err, errlen, "%s '%s': write PHASE=RANGE, e.g. auth=0.5",
                    opt, s);
    memcpy(name, s, (size_t)(eq - s));
    name[eq - s] = '\0';
    ph = pop3check_phase_from_name(name);
    if (ph < 0)
        return fail(err, errlen,
                    "%s: unknown phase '%s' (phases: resolve, connect, tls, "
                    "greeting, capa, stls, auth, stat, list, uidl, top, retr, "
                    "quit, total)",
                    opt, name);
    return parse_range(opt, eq + 1, &ranges[ph], err, errlen);
}

/* SECONDS[:STATE] */
static int parse_timeout(const char *s, struct plugin_opts *o, char *err,
                         size_t errlen)
{
    char num[32];
    const char *colon = strchr(s, ':');
    size_t n = colon ? (size_t)(colon - s) : strlen(s);
    char *end;
    double v;

    if (n == 0 || n >= sizeof num)
        return fail(err, errlen,
                    "-t '%s': give seconds, e.g. -t 10 or "
                    "-t 10:warning",
                    s);
    memcpy(num, s, n);
    num[n] = '\0';
    errno = 0;
    v = strtod(num, &end);
    if (errno != 0 || *end != '\0' || !(v > 0) || v > 3600)
        return fail(err, errlen,
                    "-t '%s': the timeout must be a number of seconds "
                    "above 0 and at most 3600",
                    s);
    o->timeout_s = v;
    if (colon != NULL) {
        int st = pop3check_state_from_name(colon + 1);
        if (st < 0)
            return fail(err, errlen,
                        "-t '%s': the state after ':' must be ok, warning, "
                        "critical or unknown",
                        s);
        o->thr.timeout_state = (enum pop3check_state)st;
        o->thr.timeout_state_set = 1;
    }
    return 0;
}

/* WARN_DAYS[,CRIT_DAYS] as check_pop's -D. */
static int parse_cert_days(const char *s, struct plugin_opts *o, char *err,
                           size_t errlen)
{
    char buf[32];
    char *comma;
    long w, c = 0;

    if (strlen(s) >= sizeof buf)
        return fail(err, errlen, "-D '%s': write WARN_DAYS[,CRIT_DAYS]", s);
    memcpy(buf, s, strlen(s) + 1);
    comma = strchr(buf, ',');
    if (comma)
        *comma = '\0';
    if (parse_long(buf, 1, 36500, &w) != 0 ||
        (comma && parse_long(comma + 1, 1, 36500, &c) != 0))
        return fail(err, errlen,
                    "-D '%s': write WARN_DAYS[,CRIT_DAYS], whole days from "
                    "1, e.g. -D 30,14",
                    s);
    if (comma && c > w)
        return fail(err, errlen,
                    "-D '%s': the critical days must not exceed the warning "
                    "days",
                    s);
    o->thr.cert_warn_days = (int)w;
    o->thr.cert_crit_days = (int)c;
    snprintf(o->cert_warn, sizeof o->cert_warn, "%ld:", w);
    if (comma)
        snprintf(o->cert_crit, sizeof o->cert_crit, "%ld:", c);
    return 0;
}

/* Reads the password from a file: its first line, without the line end. */
static int read_password_file(const char *path, struct plugin_opts *o,
                              char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    size_t n;
    int extra;

    if (f == NULL)
        return fail(err, errlen, "--password-file '%s': %s", path,
                    strerror(errno));
    n = fread(o->password, 1, sizeof o->password - 1, f);
    extra = fgetc(f);
    fclose(f);
    o->password[n] = '\0';
    o->password[strcspn(o->password, "\r\n")] = '\0';
    if (extra != EOF && strlen(o->password) == n)
        return fail(err, errlen,
                    "--password-file '%s': the password is longer than 255 "
                    "characters",
                    path);
    if (o->password[0] == '\0')
        return fail(err, errlen,
                    "--password-file '%s': the first line is empty", path);
    return 0;
}

static int parse_tls(const char *s, struct plugin_opts *o, char *err,
                     size_t errlen)
{
    static const char *const names[] = {"none", "stls", "implicit"};
    enum pop3check_tls mode;

    for (mode = POP3CHECK_TLS_NONE; mode <= POP3CHECK_TLS_IMPLICIT; mode++)
        if (strcasecmp(s, names[mode]) == 0)
            break;
    if (mode > POP3CHECK_TLS_IMPLICIT)
        return fail(err, errlen,
                    "--tls '%s': use none, stls (upgrade with STLS) or "
                    "implicit (POP3S, same as -S)",
                    s);
    if (o->tls_set && o->probe.tls != mode)
        return fail(err, errlen, "-S and --tls disagree: give only one");
    o->probe.tls = mode;
    o->tls_set = 1;
    return 0;
}

/* Options about where and how to connect and log in. 1 if handled. */
static int connection_opt(int c, const char *arg, struct plugin_opts *o,
                          const char **pwfile, char *err, size_t errlen,
                          int *rc)
{
    long v = 0;
    int a;

    *rc = 0;
    switch (c) {
    case 'H':
        o->probe.host = arg;
        return 1;
    case 'p':
        if (parse_long(arg, 1, 65535, &v) != 0)
            *rc = fail(err, errlen, "-p '%s': the port must be 1-65535", arg);
        o->probe.port = (unsigned)v;
        return 1;
    case '4':
    case '6':
        if (o->probe.ip_version && o->probe.ip_version != c - '0')
            *rc = fail(err, errlen, "-4 and -6 exclude each other");
        o->probe.ip_version = c - '0';
        return 1;
    case 'S':
        *rc = parse_tls("implicit", o, err, errlen);
        return 1;
    case OPT_TLS:
        *rc = parse_tls(arg, o, err, errlen);
        return 1;
    case OPT_CAFILE:
        o->probe.cafile = arg;
        return 1;
    case OPT_INSECURE:
        o->probe.insecure = 1;
        return 1;
    case OPT_SNI:
        o->probe.sni = arg;
        return 1;
    case 'u':
        o->probe.user = arg;
        return 1;
    case OPT_PASSWORD_FILE:
        *pwfile = arg;
        return 1;
    case OPT_AUTH:
        a = pop3check_auth_from_name(arg);
        if (a < 0)
            *rc = fail(err, errlen,
                       "--auth '%s': use any, user, apop, plain, login or "
                       "cram-md5",
                       arg);
        o->probe.auth = a < 0 ? POP3CHECK_AUTH_ANY : (enum pop3check_auth)a;
        return 1;
    default:
        return 0;
    }
}

/* Commands, thresholds and the rest. */
static int check_opt(int c, const char *arg, struct plugin_opts *o, char *err,
                     size_t errlen)
{
    struct pop3check_thresholds *t = &o->thr;

    switch (c) {
    case OPT_LIST:
        o->probe.list = 1;
        return 0;
    case OPT_UIDL:
        o->probe.uidl = 1;
        return 0;
    case OPT_TOP:
    case OPT_RETR:
        if (parse_msg(arg, c == OPT_TOP ? &o->probe.top : &o->probe.retr))
            return fail(err, errlen,
                        "--%s '%s': give a message number, first or last",
                        c == OPT_TOP ? "top" : "retr", arg);
        return 0;
    case 'w':
        return parse_range("-w", arg, &t->phase_warn[POP3CHECK_PHASE_TOTAL],
                           err, errlen);
    case 'c':
        return parse_range("-c", arg, &t->phase_crit[POP3CHECK_PHASE_TOTAL],
                           err, errlen);
    case OPT_PHASE_WARN:
        return parse_phase_range("--phase-warning", arg, t->phase_warn, err,
                                 errlen);
    case OPT_PHASE_CRIT:
        return parse_phase_range("--phase-critical", arg, t->phase_crit, err,
                                 errlen);
    case OPT_MSG_WARN:
        return parse_range("--messages-warning", arg, &t->messages_warn, err,
                           errlen);
    case OPT_MSG_CRIT:
        return parse_range("--messages-critical", arg, &t->messages_crit, err,
                           errlen);
    case OPT_OCT_WARN:
        return parse_range("--octets-warning", arg, &t->octets_warn, err,
                           errlen);
    case OPT_OCT_CRIT:
        return parse_range("--octets-critical", arg, &t->octets_crit, err,
                           errlen);
    case 'D':
        return parse_cert_days(arg, o, err, errlen);
    case 't':
        return parse_timeout(arg, o, err, errlen);
    case 'v':
        o->verbose++;
        return 0;
    case 'h':
        o->help = 1;
        return 0;
    case 'V':
        o->version = 1;
        return 0;
    default:
        return fail(err, errlen, "internal: option %d not handled", c);
    }
}

static int bad_option(int c, char **argv, char *err, size_t errlen)
{
    const char *word = argv[optind - 1];

    if (c == ':')
        return fail(err, errlen, "option '%s' needs a value (see --help)",
                    word);
    if (optopt > 0 && optopt < 256 && strncmp(word, "--", 2) != 0)
        return fail(err, errlen, "unknown option '-%c' (see --help)", optopt);
    return fail(err, errlen, "unknown option '%s' (see --help)", word);
}

/* Options that only make sense together. */
static int check_combinations(struct plugin_opts *o, const char *pwfile,
                              const char *env_password, char *err,
                              size_t errlen)
{
    const struct pop3check_options *p = &o->probe;
    int tls = p->tls != POP3CHECK_TLS_NONE;

    if (p->host == NULL || p->host[0] == '\0')
        return fail(err, errlen, "no host given: use -H HOST (see --help)");
    if (!tls && (p->cafile || p->insecure || p->sni || o->cert_warn[0]))
        return fail(err, errlen,
                    "--cafile, --insecure, --sni and -D need TLS: add -S "
                    "(POP3S) or --tls stls");
    if (p->user == NULL &&
        (pwfile || p->auth || p->list || p->uidl || p->top || p->retr ||
         o->thr.messages_warn.set || o->thr.messages_crit.set ||
         o->thr.octets_warn.set || o->thr.octets_crit.set))
        return fail(err, errlen,
                    "--password-file, --auth, --list, --uidl, --top, --retr "
                    "and the mailbox thresholds need a login: add -u USER");
    if (p->user == NULL)
        return 0;
    if (pwfile != NULL) {
        if (read_password_file(pwfile, o, err, errlen) != 0)
            return -1;
    } else if (env_password != NULL && env_password[0] != '\0') {
        if (strlen(env_password) >= sizeof o->password)
            return fail(err, errlen,
                        "POP3_PASSWORD is longer than 255 characters");
        memcpy(o->password, env_password, strlen(env_password) + 1);
    } else {
        return fail(err, errlen,
                    "-u needs a password: --password-file FILE or the "
                    "environment variable POP3_PASSWORD");
    }
    o->probe.password = o->password;
    return 0;
}

int plugin_parse(int argc, char **argv, const char *env_password,
                 struct plugin_opts *o, char *err, size_t errlen)
{
    const char *pwfile = NULL;
    int c;

    memset(o, 0, sizeof *o);
    o->timeout_s = 10;
    opterr = 0;
    optind = 0; /* a full reset in glibc */
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        int rc;
        if (c == '?' || c == ':')
            return bad_option(c, argv, err, errlen);
        if (connection_opt(c, optarg, o, &pwfile, err, errlen, &rc)) {
            if (rc != 0)
                return -1;
            continue;
        }
        if (check_opt(c, optarg, o, err, errlen) != 0)
            return -1;
    }
    if (optind < argc)
        return fail(err, errlen,
                    "unexpected argument '%s' (options start with '-'; see "
                    "--help)",
                    argv[optind]);
    if (o->help || o->version)
        return 0;
    if (check_combinations(o, pwfile, env_password, err, errlen) != 0)
        return -1;
    o->probe.timeout_ms = (unsigned)(o->timeout_s * 1000 + 0.5);
    return 0;
}

void plugin_opts_wipe(struct plugin_opts *o)
{
    explicit_bzero(o->password, sizeof o->password);
}
