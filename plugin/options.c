/* SPDX-License-Identifier: MIT */
/* options.c - check_pop3's command line (Monitoring Plugins guidelines:
 * -H -p -w -c -t -v -h -V keep their meaning), validated before any
 * traffic; the values of single options are optval.c's. */
#define _DEFAULT_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "oauthopts.h"
#include "options.h"
#include "optval.h"
#include "tripopts.h"

enum {
    OPT_TLS = 256,
    OPT_CAFILE,
    OPT_INSECURE,
    OPT_SNI,
    OPT_PASSWORD_FILE,
    OPT_TOKEN_FILE,
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
    OPT_OCT_CRIT,
    OPT_AGE,
    OPT_AGE_SCAN,
    OPT_AGE_WARN,
    OPT_AGE_CRIT
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
    {"token-file", required_argument, NULL, OPT_TOKEN_FILE},
    {"auth", required_argument, NULL, OPT_AUTH},
    {"list", no_argument, NULL, OPT_LIST},
    {"uidl", no_argument, NULL, OPT_UIDL},
    {"top", required_argument, NULL, OPT_TOP},
    {"retr", required_argument, NULL, OPT_RETR},
    {"age", no_argument, NULL, OPT_AGE},
    {"age-scan", required_argument, NULL, OPT_AGE_SCAN},
    {"age-warning", required_argument, NULL, OPT_AGE_WARN},
    {"age-critical", required_argument, NULL, OPT_AGE_CRIT},
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
    TRIP_LONGOPTS,
    OAUTH_LONGOPTS,
    {NULL, 0, NULL, 0},
};

static const char shortopts[] = ":H:p:46Su:w:c:D:t:vhV";

/* What the command line gives as text, kept until all of it is read: the
 * library checks these when they are set, so they are set after the
 * plugin's own checks, whose messages come first. */
struct args {
    const char *host, *cafile, *sni, *user, *pwfile, *tokfile;
    struct trip_args trip;
    struct oauth_args oauth;
};

/* Reads the password from a file: its first line, without the line end,
 * under the library's rule for secret files (whose reason says what to
 * fix). */
static int read_password_file(const char *path, struct plugin_opts *o,
                              char *err, size_t errlen)
{
    char why[1200];
    size_t len = 0;
    char *pw =
        pop3check_secret_read(path, POP3CHECK_SECRET_LINE,
                              sizeof o->password - 1, &len, why, sizeof why);

    if (pw == NULL)
        return optval_fail(err, errlen, "--password-file %s", why);
    memcpy(o->password, pw, len + 1);
    pop3check_secret_free(pw);
    return 0;
}

/* -S or --tls: both may be given if they agree. */
static int set_tls(int mode, struct plugin_opts *o, char *err, size_t errlen)
{
    if (o->tls_set && optval_get_num(o, POP3CHECK_OPT_TLS) != mode)
        return optval_fail(err, errlen, "-S and --tls disagree: give only one");
    o->tls_set = 1;
    return optval_set_num(o, POP3CHECK_OPT_TLS, mode, err, errlen);
}

static int parse_tls(const char *s, struct plugin_opts *o, char *err,
                     size_t errlen)
{
    int mode = pop3check_tls_from_name(s);

    if (mode < 0)
        return optval_fail(err, errlen,
                           "--tls '%s': use none, stls (upgrade with STLS) or "
                           "implicit (POP3S, same as -S)",
                           s);
    return set_tls(mode, o, err, errlen);
}

/* -p, -4 and -6. */
static int address_opt(int c, const char *arg, struct plugin_opts *o, char *err,
                       size_t errlen)
{
    long v = 0;
    long ip = optval_get_num(o, POP3CHECK_OPT_IP_VERSION);

    if (c == 'p') {
        if (optval_long(arg, 1, 65535, &v) != 0)
            return optval_fail(err, errlen, "-p '%s': the port must be 1-65535",
                               arg);
        return optval_set_num(o, POP3CHECK_OPT_PORT, v, err, errlen);
    }
    if (ip && ip != c - '0')
        return optval_fail(err, errlen, "-4 and -6 exclude each other");
    return optval_set_num(o, POP3CHECK_OPT_IP_VERSION, c - '0', err, errlen);
}

/* Options about where and how to connect and log in. 1 if handled. */
static int connection_opt(int c, const char *arg, struct plugin_opts *o,
                          struct args *a, char *err, size_t errlen, int *rc)
{
    int m;

    *rc = 0;
    switch (c) {
    case 'H':
        a->host = arg;
        return 1;
    case 'p':
    case '4':
    case '6':
        *rc = address_opt(c, arg, o, err, errlen);
        return 1;
    case 'S':
        *rc = set_tls(POP3CHECK_TLS_IMPLICIT, o, err, errlen);
        return 1;
    case OPT_TLS:
        *rc = parse_tls(arg, o, err, errlen);
        return 1;
    case OPT_CAFILE:
        a->cafile = arg;
        return 1;
    case OPT_INSECURE:
        *rc = optval_set_num(o, POP3CHECK_OPT_INSECURE, 1, err, errlen);
        return 1;
    case OPT_SNI:
        a->sni = arg;
        return 1;
    case 'u':
        a->user = arg;
        return 1;
    case OPT_PASSWORD_FILE:
        a->pwfile = arg;
        return 1;
    case OPT_TOKEN_FILE:
        a->tokfile = arg;
        return 1;
    case OPT_AUTH:
        m = pop3check_auth_from_name(arg);
        if (m < 0)
            *rc = optval_fail(err, errlen,
                              "--auth '%s': use any, user, apop, plain, login, "
                              "cram-md5, scram-sha-1, scram-sha-256, "
                              "scram-sha-1-plus, scram-sha-256-plus, xoauth2 "
                              "or oauthbearer",
                              arg);
        else
            *rc = optval_set_num(o, POP3CHECK_OPT_AUTH, m, err, errlen);
        return 1;
    default:
        return 0;
    }
}

/* The commands after login. 1 if handled. */
static int command_opt(int c, const char *arg, struct plugin_opts *o, char *err,
                       size_t errlen, int *rc)
{
    long n = 0;

    *rc = 0;
    switch (c) {
    case OPT_LIST:
        *rc = optval_set_num(o, POP3CHECK_OPT_LIST, 1, err, errlen);
        return 1;
    case OPT_UIDL:
        *rc = optval_set_num(o, POP3CHECK_OPT_UIDL, 1, err, errlen);
        return 1;
    case OPT_AGE:
        *rc = optval_set_num(o, POP3CHECK_OPT_AGE, 1, err, errlen);
        return 1;
    case OPT_AGE_SCAN:
        if (optval_long(arg, 1, 100000, &n) != 0)
            *rc = optval_fail(err, errlen,
                              "--age-scan '%s': give a number of messages, "
                              "1 to 100000",
                              arg);
        else /* --age-scan implies --age */
            *rc = optval_set_num(o, POP3CHECK_OPT_AGE_SCAN, n, err, errlen) ||
                  optval_set_num(o, POP3CHECK_OPT_AGE, 1, err, errlen);
        return 1;
    case OPT_TOP:
    case OPT_RETR:
        if (optval_msg(arg, &n) != 0)
            *rc = optval_fail(err, errlen,
                              "--%s '%s': give a message number, first or last",
                              c == OPT_TOP ? "top" : "retr", arg);
        else
            *rc = optval_set_num(
                o, c == OPT_TOP ? POP3CHECK_OPT_TOP : POP3CHECK_OPT_RETR, n,
                err, errlen);
        return 1;
    default:
        return 0;
    }
}

/* Thresholds and the rest. */
static int check_opt(int c, const char *arg, struct plugin_opts *o, char *err,
                     size_t errlen)
{
    const enum pop3check_state warn = POP3CHECK_STATE_WARNING;
    const enum pop3check_state crit = POP3CHECK_STATE_CRITICAL;
    const enum pop3check_phase total = POP3CHECK_PHASE_TOTAL;
    const enum pop3check_measure msgs = POP3CHECK_MEASURE_MESSAGES;
    const enum pop3check_measure octs = POP3CHECK_MEASURE_OCTETS;
    const enum pop3check_measure age = POP3CHECK_MEASURE_OLDEST_AGE;

    switch (c) {
    case 'w':
        return optval_phase(o, "-w", total, warn, arg, err, errlen);
    case 'c':
        return optval_phase(o, "-c", total, crit, arg, err, errlen);
    case OPT_PHASE_WARN:
        return optval_phase_range(o, "--phase-warning", warn, arg, err, errlen);
    case OPT_PHASE_CRIT:
        return optval_phase_range(o, "--phase-critical", crit, arg, err,
                                  errlen);
    case OPT_MSG_WARN:
        return optval_range(o, "--messages-warning", msgs, warn, arg, err,
                            errlen);
    case OPT_MSG_CRIT:
        return optval_range(o, "--messages-critical", msgs, crit, arg, err,
                            errlen);
    case OPT_OCT_WARN:
        return optval_range(o, "--octets-warning", octs, warn, arg, err,
                            errlen);
    case OPT_OCT_CRIT:
        return optval_range(o, "--octets-critical", octs, crit, arg, err,
                            errlen);
    case OPT_AGE_WARN:
        return optval_range(o, "--age-warning", age, warn, arg, err, errlen);
    case OPT_AGE_CRIT:
        return optval_range(o, "--age-critical", age, crit, arg, err, errlen);
    case 'D':
        return optval_cert_days(arg, o, err, errlen);
    case 't':
        return optval_timeout(arg, o, err, errlen);
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
        return optval_fail(err, errlen, "internal: option %d not handled", c);
    }
}

static int bad_option(int c, char **argv, char *err, size_t errlen)
{
    const char *word = argv[optind - 1];

    if (c == ':')
        return optval_fail(err, errlen,
                           "option '%s' needs a value (see --help)", word);
    if (optopt > 0 && optopt < 256 && strncmp(word, "--", 2) != 0)
        return optval_fail(err, errlen, "unknown option '-%c' (see --help)",
                           optopt);
    return optval_fail(err, errlen, "unknown option '%s' (see --help)", word);
}

/* 1 if a warning or critical range is set on measure m. */
static int has_range(const struct plugin_opts *o, enum pop3check_measure m)
{
    return pop3check_thresholds_get(o->thr, m, POP3CHECK_STATE_WARNING) ||
           pop3check_thresholds_get(o->thr, m, POP3CHECK_STATE_CRITICAL);
}

/* 1 if an option that needs a login was given. */
static int wants_login(const struct plugin_opts *o, const struct args *a)
{
    static const enum pop3check_opt keys[] = {
        POP3CHECK_OPT_AUTH, POP3CHECK_OPT_LIST, POP3CHECK_OPT_UIDL,
        POP3CHECK_OPT_TOP,  POP3CHECK_OPT_RETR, POP3CHECK_OPT_AGE};

    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (optval_get_num(o, keys[i]) != 0)
            return 1;
    return a->pwfile != NULL || a->tokfile != NULL || a->oauth.given ||
           has_range(o, POP3CHECK_MEASURE_MESSAGES) ||
           has_range(o, POP3CHECK_MEASURE_OCTETS) ||
           has_range(o, POP3CHECK_MEASURE_OLDEST_AGE);
}

/* The token file is read by the library at the start of the probe; here
 * it is read once only to say at once what is wrong with it. */
static int check_token_file(const char *path, char *err, size_t errlen)
{
    char why[1200];
    char *t = pop3check_secret_read(path, POP3CHECK_SECRET_LINE, 16384, NULL,
                                    why, sizeof why);

    if (t == NULL)
        return optval_fail(err, errlen, "--token-file %s", why);
    pop3check_secret_free(t);
    return 0;
}

/* The password of -u: from the file, else from the environment; or the
 * token file instead. */
static int read_password(struct plugin_opts *o, const struct args *a,
                         const char *env_password, char *err, size_t errlen)
{
    if ((a->tokfile != NULL) + (a->pwfile != NULL) + a->oauth.given > 1)
        return optval_fail(err, errlen,
                           "--password-file, --token-file and --token-url: "
                           "give one of them (a token logs in with --auth "
                           "xoauth2 or oauthbearer)");
    if (a->oauth.given)
        return 0;
    if (a->tokfile != NULL)
        return check_token_file(a->tokfile, err, errlen);
    if (a->pwfile != NULL)
        return read_password_file(a->pwfile, o, err, errlen);
    if (env_password != NULL && env_password[0] != '\0') {
        if (strlen(env_password) >= sizeof o->password)
            return optval_fail(err, errlen,
                               "POP3_PASSWORD is longer than 255 characters");
        memcpy(o->password, env_password, strlen(env_password) + 1);
        return 0;
    }
    return optval_fail(err, errlen,
                       "-u needs a password: --password-file FILE or the "
                       "environment variable POP3_PASSWORD (or an OAuth 2.0 "
                       "token: --token-file FILE)");
}

/* Options that only make sense together. */
static int check_combinations(struct plugin_opts *o, const struct args *a,
                              const char *env_password, char *err,
                              size_t errlen)
{
    int tls = optval_get_num(o, POP3CHECK_OPT_TLS) != POP3CHECK_TLS_NONE ||
              (a->trip.smtp_host != NULL &&
               optval_get_num(o, POP3CHECK_OPT_SMTP_TLS) != POP3CHECK_TLS_NONE);

    if (a->host == NULL || a->host[0] == '\0')
        return optval_fail(err, errlen,
                           "no host given: use -H HOST (see --help)");
    if (!tls &&
        (a->cafile || optval_get_num(o, POP3CHECK_OPT_INSECURE) || a->sni ||
         pop3check_thresholds_get(o->thr, POP3CHECK_MEASURE_CERT_DAYS,
                                  POP3CHECK_STATE_WARNING)))
        return optval_fail(
            err, errlen,
            "--cafile, --insecure, --sni and -D need TLS: add -S "
            "(POP3S) or --tls stls (or a round trip's --smtp-tls)");
    if (has_range(o, POP3CHECK_MEASURE_OLDEST_AGE) &&
        optval_set_num(o, POP3CHECK_OPT_AGE, 1, err, errlen) != 0)
        return -1;
    if (a->trip.given && optval_get_num(o, POP3CHECK_OPT_AGE))
        return optval_fail(err, errlen,
                           "--age reads the messages of a mailbox that "
                           "something else empties; a round trip's mailbox "
                           "holds its probes: check the age in a check of "
                           "its own");
    if (a->user == NULL && a->trip.given)
        return optval_fail(err, errlen,
                           "a round trip reads the mailbox: add -u USER (and "
                           "its password)");
    if (a->user == NULL && wants_login(o, a))
        return optval_fail(
            err, errlen,
            "--password-file, --token-file, --token-url, --auth, --list, "
            "--uidl, --top, --retr, --age and the mailbox thresholds need a "
            "login: add -u USER");
    if (a->user == NULL)
        return 0;
    return read_password(o, a, env_password, err, errlen);
}

/* Hands the texts to the library, which checks them; its reason is the
 * message. A password it refuses is left unset: the probe then refuses
 * the user without one, in the words it has always used. */
static int set_texts(struct plugin_opts *o, const struct args *a, char *err,
                     size_t errlen)
{
    const struct {
        enum pop3check_opt key;
        const char *value;
    } v[] = {
        {POP3CHECK_OPT_HOST, a->host},
        {POP3CHECK_OPT_SNI, a->sni},
        {POP3CHECK_OPT_USER, a->user},
        {POP3CHECK_OPT_PASSWORD,
         a->user && !a->tokfile && !a->oauth.given && o->password[0]
             ? o->password
             : NULL},
        {POP3CHECK_OPT_TOKEN_FILE, a->user ? a->tokfile : NULL},
        {POP3CHECK_OPT_CAFILE, a->cafile},
    };

    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        if (v[i].value != NULL &&
            pop3check_options_set_str(o->probe, v[i].key, v[i].value) != 0 &&
            v[i].key != POP3CHECK_OPT_PASSWORD)
            return optval_fail(err, errlen, "%s",
                               pop3check_options_error(o->probe));
    return 0;
}

/* Reads every option of argv into o and the texts into a. */
static int read_argv(int argc, char **argv, struct plugin_opts *o,
                     struct args *a, char *err, size_t errlen)
{
    int c;

    opterr = 0;
    optind = 0; /* a full reset in glibc */
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        int rc;
        if (c == '?' || c == ':')
            return bad_option(c, argv, err, errlen);
        if (c >= OAUTH_OPT_FIRST && c <= OAUTH_OPT_LAST) {
            oauth_opt(c, optarg, &a->oauth);
            continue;
        }
        if (c >= TRIP_OPT_FIRST && c <= TRIP_OPT_LAST) {
            if (trip_opt(c, optarg, o, &a->trip, err, errlen) != 0)
                return -1;
            continue;
        }
        if (connection_opt(c, optarg, o, a, err, errlen, &rc) ||
            command_opt(c, optarg, o, err, errlen, &rc)) {
            if (rc != 0)
                return -1;
            continue;
        }
        if (check_opt(c, optarg, o, err, errlen) != 0)
            return -1;
    }
    if (optind < argc)
        return optval_fail(
            err, errlen,
            "unexpected argument '%s' (options start with '-'; see "
            "--help)",
            argv[optind]);
    return 0;
}

int plugin_parse(int argc, char **argv, const char *env_password,
                 struct plugin_opts *o, char *err, size_t errlen)
{
    struct args a = {0};

    memset(o, 0, sizeof *o);
    o->probe = pop3check_options_new();
    o->thr = pop3check_thresholds_new();
    if (o->probe == NULL || o->thr == NULL)
        return optval_fail(err, errlen, "out of memory");
    if (read_argv(argc, argv, o, &a, err, errlen) != 0)
        return -1;
    if (o->help || o->version)
        return 0;
    if (check_combinations(o, &a, env_password, err, errlen) != 0)
        return -1;
    if (set_texts(o, &a, err, errlen) != 0 ||
        oauth_finish(o, &a.oauth, err, errlen) != 0)
        return -1;
    return trip_finish(o, &a.trip, getenv("SMTP_PASSWORD"), err, errlen);
}

void plugin_opts_wipe(struct plugin_opts *o)
{
    explicit_bzero(o->password, sizeof o->password);
    if (o->probe != NULL)
        pop3check_options_set_str(o->probe, POP3CHECK_OPT_PASSWORD, NULL);
}

void plugin_opts_free(struct plugin_opts *o)
{
    plugin_opts_wipe(o);
    pop3check_options_free(o->probe);
    pop3check_thresholds_free(o->thr);
    o->probe = NULL;
    o->thr = NULL;
}
