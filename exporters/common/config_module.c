/* SPDX-License-Identifier: MIT */
/* config_module.c - one module of the config file (modules.NAME): probe
 * options and thresholds filled as check_pop3 fills them from its command
 * line (through the library's setters), the same rules and words, the
 * password read from password_file; its round_trip in config_trip.c. */
#define _DEFAULT_SOURCE /* strdup, strcasecmp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_internal.h"

#define PASSWORD_MAX 255 /* as check_pop3's --password-file */

/* A module's settings as read, before they go into its options: the rules
 * between them are checked first, so that a library refusal comes after
 * the file's own errors (as when the whole config was checked by the
 * library at the end). Strings are borrowed from the YAML document. */
struct settings {
    const char *cafile, *sni, *user;
    long port, ip, top, retr, timeout_ms, age_scan; /* 0: unset */
    int tls, auth, insecure, list, uidl, age;
    int round_trip, smtp_tls; /* a round_trip, over TLS (not smtp_tls: none) */
};

/* TOP and RETR: a message number, first or last (as --top, --retr). */
static int get_msg(struct p3xc_ctx *x, const yaml_node_t *n, const char *key,
                   long *out)
{
    const char *s;

    if (n == NULL)
        return 0;
    if (p3xc_scalar(x, n, key, &s) != 0)
        return -1;
    if (strcasecmp(s, "first") == 0)
        *out = POP3CHECK_MSG_FIRST;
    else if (strcasecmp(s, "last") == 0)
        *out = POP3CHECK_MSG_LAST;
    else if (p3xc_number(s, 1, 999999999, out) != 0)
        return p3xc_fail(
            x, P3XC_LINE(n), key,
            "'%s' is not a message (a message number, first or last)", s);
    return 0;
}

static int get_commands(struct p3xc_ctx *x, const yaml_node_t *n,
                        struct settings *st)
{
    const yaml_node_item_t *i;

    if (n == NULL)
        return 0;
    if (p3xc_want(x, n, "commands", YAML_SEQUENCE_NODE,
                  "a list such as [list, uidl]") != 0)
        return -1;
    for (i = n->data.sequence.items.start; i < n->data.sequence.items.top;
         i++) {
        const yaml_node_t *it = p3xc_node(x, *i);
        const char *s;
        int *flag;

        if (p3xc_scalar(x, it, "commands", &s) != 0)
            return -1;
        if (strcasecmp(s, "list") == 0)
            flag = &st->list;
        else if (strcasecmp(s, "uidl") == 0)
            flag = &st->uidl;
        else
            return p3xc_fail(
                x, P3XC_LINE(it), "commands",
                "'%s' is not a command (list or uidl; top and retr "
                "are keys of their own)",
                s);
        if (*flag)
            return p3xc_fail(x, P3XC_LINE(it), "commands",
                             "'%s' is listed twice", s);
        *flag = 1;
    }
    return 0;
}

/* cert_days: { warning: DAYS, critical: DAYS }, as check_pop3's -D: fewer
 * days left than DAYS alert, the range "DAYS:". */
static int get_cert_days(struct p3xc_ctx *x, const yaml_node_t *n,
                         struct pop3check_thresholds *t)
{
    static const char *const keys[] = {"warning", "critical"};
    static const char what[] = "a number of days from 1 to 36500";
    yaml_node_t *v[2];
    int line[2];
    long w = 0, c = 0;
    char range[24];
    size_t at;

    if (n == NULL)
        return 0;
    if (p3xc_want(x, n, "cert_days", YAML_MAPPING_NODE,
                  "a mapping such as { warning: 30, critical: 14 }") != 0)
        return -1;
    at = p3xc_push(x, "cert_days");
    if (p3xc_fields(x, n, keys, 2, v, line) != 0 ||
        p3xc_long(x, v[0], "warning", 1, 36500, &w, what) != 0 ||
        p3xc_long(x, v[1], "critical", 1, 36500, &c, what) != 0)
        return -1;
    if (w && c > w)
        return p3xc_fail(
            x, line[1], "critical",
            "%ld is more than warning (%ld): the critical days must not "
            "exceed the warning days",
            c, w);
    for (int i = 0; i < 2; i++) {
        long days = i == 0 ? w : c;
        snprintf(range, sizeof range, "%ld:", days);
        if (days != 0 &&
            pop3check_thresholds_set(t, POP3CHECK_MEASURE_CERT_DAYS,
                                     i == 0 ? POP3CHECK_STATE_WARNING
                                            : POP3CHECK_STATE_CRITICAL,
                                     range) != 0)
            return p3xc_fail(x, line[i], keys[i], "'%ld' is not %s", days,
                             what);
    }
    p3xc_pop(x, at);
    return 0;
}

/* 1 for the phases only a round trip has. */
static int trip_phase(int p)
{
    return p >= POP3CHECK_PHASE_SMTP_RESOLVE && p <= POP3CHECK_PHASE_DELE;
}

#define NPHASES (POP3CHECK_PHASE_KNOWN - 1) /* all but total */

/* phases: { PHASE: { warning, critical }, ... }; total has its own key.
 * The phases this build names but total; a round trip's own (smtp_*,
 * delivery, dele) need one. */
static int get_phases(struct p3xc_ctx *x, const yaml_node_t *n,
                      struct pop3check_thresholds *t, const struct settings *st)
{
    const char *names[NPHASES] = {0}; /* all set below; cppcheck 2.17 */
    int phase[NPHASES] = {0};         /* cannot follow the loop */
    yaml_node_t *v[NPHASES];
    int line[NPHASES];
    size_t at;

    if (n == NULL)
        return 0;
    if (p3xc_want(x, n, "phases", YAML_MAPPING_NODE,
                  "a mapping such as { auth: { warning: \"0.5\" } }") != 0)
        return -1;
    for (int i = 0, p = 0; p < POP3CHECK_PHASE_KNOWN; p++)
        if (p != POP3CHECK_PHASE_TOTAL) {
            phase[i] = p;
            names[i++] = pop3check_phase_name((enum pop3check_phase)p);
        }
    at = p3xc_push(x, "phases");
    if (p3xc_fields(x, n, names, NPHASES, v, line) != 0)
        return -1;
    for (int i = 0; i < NPHASES; i++) {
        if (v[i] != NULL && trip_phase(phase[i]) && !st->round_trip)
            return p3xc_fail(x, line[i], names[i],
                             "needs a round trip: add round_trip (only a "
                             "round trip has this phase)");
        if (p3xc_pair(x, v[i], names[i], t, P3XC_PHASE(phase[i])) != 0)
            return -1;
    }
    p3xc_pop(x, at);
    return 0;
}

/* 1 if t has a warning or a critical range on measure. */
static int has_range(const struct pop3check_thresholds *t,
                     enum pop3check_measure measure)
{
    return pop3check_thresholds_get(t, measure, POP3CHECK_STATE_WARNING) !=
               NULL ||
           pop3check_thresholds_get(t, measure, POP3CHECK_STATE_CRITICAL) !=
               NULL;
}

enum { T_TOTAL, T_PHASES, T_MESSAGES, T_OCTETS, T_CERT, T_AGE, T_COUNT };
static const char *const thr_keys[T_COUNT] = {
    "total", "phases", "messages", "octets", "cert_days", "oldest_age"};

static int get_thresholds(struct p3xc_ctx *x, const yaml_node_t *n,
                          struct p3x_module *m, struct settings *st)
{
    struct pop3check_thresholds *t = m->thr;
    yaml_node_t *v[T_COUNT];
    int line[T_COUNT];
    size_t at;

    if (n == NULL)
        return 0;
    if (p3xc_want(x, n, "thresholds", YAML_MAPPING_NODE,
                  "a mapping of total, phases, messages, octets, cert_days, "
                  "oldest_age") != 0)
        return -1;
    at = p3xc_push(x, "thresholds");
    if (p3xc_fields(x, n, thr_keys, T_COUNT, v, line) != 0 ||
        p3xc_pair(x, v[T_TOTAL], "total", t,
                  P3XC_PHASE(POP3CHECK_PHASE_TOTAL)) != 0 ||
        get_phases(x, v[T_PHASES], t, st) != 0 ||
        p3xc_pair(x, v[T_MESSAGES], "messages", t,
                  P3XC_MEASURE(POP3CHECK_MEASURE_MESSAGES)) != 0 ||
        p3xc_pair(x, v[T_OCTETS], "octets", t,
                  P3XC_MEASURE(POP3CHECK_MEASURE_OCTETS)) != 0 ||
        get_cert_days(x, v[T_CERT], t) != 0 ||
        p3xc_pair(x, v[T_AGE], "oldest_age", t,
                  P3XC_MEASURE(POP3CHECK_MEASURE_OLDEST_AGE)) != 0)
        return -1;
    if (has_range(t, POP3CHECK_MEASURE_OLDEST_AGE)) {
        if (st->user == NULL)
            return p3xc_fail(x, line[T_AGE], "oldest_age",
                             "needs a login: add user and password_file");
        st->age = 1; /* a threshold on the age measures it */
    }
    if (st->user == NULL && has_range(t, POP3CHECK_MEASURE_MESSAGES))
        return p3xc_fail(x, line[T_MESSAGES], "messages",
                         "needs a login: add user and password_file");
    if (st->user == NULL && has_range(t, POP3CHECK_MEASURE_OCTETS))
        return p3xc_fail(x, line[T_OCTETS], "octets",
                         "needs a login: add user and password_file");
    if (st->tls == POP3CHECK_TLS_NONE &&
        has_range(t, POP3CHECK_MEASURE_CERT_DAYS))
        return p3xc_fail(x, line[T_CERT], "cert_days",
                         "needs TLS: add tls: stls or tls: implicit");
    p3xc_pop(x, at);
    return 0;
}

enum {
    M_TLS,
    M_PORT,
    M_CAFILE,
    M_INSECURE,
    M_SNI,
    M_IP,
    M_AUTH,
    M_USER,
    M_PWFILE,
    M_TOKFILE,
    M_COMMANDS,
    M_TOP,
    M_RETR,
    M_AGE,
    M_AGE_SCAN,
    M_TIMEOUT,
    M_TSTATE,
    M_THRESHOLDS,
    M_ALLOWED,
    M_TRIP,
    M_OAUTH2,
    M_COUNT
};
static const char *const module_keys[M_COUNT] = {"tls",
                                                 "port",
                                                 "cafile",
                                                 "insecure",
                                                 "sni",
                                                 "ip_version",
                                                 "auth",
                                                 "user",
                                                 "password_file",
                                                 "token_file",
                                                 "commands",
                                                 "top",
                                                 "retr",
                                                 "age",
                                                 "age_scan",
                                                 "timeout",
                                                 "timeout_state",
                                                 "thresholds",
                                                 "allowed_targets",
                                                 "round_trip",
                                                 "oauth2"};

struct fields {
    yaml_node_t *v[M_COUNT];
    int line[M_COUNT];
};

/* Where and how to connect and log in. */
static int module_connection(struct p3xc_ctx *x, struct p3x_module *m,
                             const struct fields *f, struct settings *st)
{
    const char *pwfile = NULL, *tokfile = NULL;

    if (p3xc_word(x, f->v[M_TLS], "tls", pop3check_tls_from_name, &st->tls,
                  "a TLS mode (none, stls or implicit)") != 0 ||
        p3xc_long(x, f->v[M_PORT], "port", 1, 65535, &st->port,
                  "a port (1-65535)") != 0 ||
        p3xc_str(x, f->v[M_CAFILE], "cafile", &st->cafile) != 0 ||
        p3xc_bool(x, f->v[M_INSECURE], "insecure", &st->insecure) != 0 ||
        p3xc_str(x, f->v[M_SNI], "sni", &st->sni) != 0 ||
        p3xc_long(x, f->v[M_IP], "ip_version", 0, 6, &st->ip,
                  "an IP version (4, 6, or 0 for either)") != 0 ||
        p3xc_word(x, f->v[M_AUTH], "auth", pop3check_auth_from_name, &st->auth,
                  "an auth mechanism (any, user, apop, plain, login, "
                  "cram-md5, scram-sha-1, scram-sha-256, scram-sha-1-plus, "
                  "scram-sha-256-plus, xoauth2 or oauthbearer)") != 0 ||
        p3xc_str(x, f->v[M_USER], "user", &st->user) != 0 ||
        p3xc_dup(x, f->v[M_PWFILE], "password_file", &pwfile) != 0)
        return -1;
    m->password_file = (char *)pwfile;
    if (p3xc_dup(x, f->v[M_TOKFILE], "token_file", &tokfile) != 0)
        return -1;
    m->token_file = (char *)tokfile;
    if (st->ip != 0 && st->ip != 4 && st->ip != 6)
        return p3xc_fail(x, f->line[M_IP], "ip_version",
                         "'%ld' is not an IP version (4, 6, or 0 for either)",
                         st->ip);
    return 0;
}

/* What to do after login, how long to wait, how to judge. */
static int module_checks(struct p3xc_ctx *x, struct p3x_module *m,
                         const struct fields *f, struct settings *st)
{
    double timeout = 0;
    int state = 0;

    if (get_commands(x, f->v[M_COMMANDS], st) != 0 ||
        get_msg(x, f->v[M_TOP], "top", &st->top) != 0 ||
        get_msg(x, f->v[M_RETR], "retr", &st->retr) != 0 ||
        p3xc_bool(x, f->v[M_AGE], "age", &st->age) != 0 ||
        p3xc_long(x, f->v[M_AGE_SCAN], "age_scan", 1, 100000, &st->age_scan,
                  "a number of messages (1-100000)") != 0 ||
        p3xc_seconds(x, f->v[M_TIMEOUT], "timeout", 0.001, 3600, &timeout,
                     "a timeout (above 0 and at most 3600 s, such as 500ms, "
                     "10s, 1m or 10)") != 0 ||
        p3xc_word(x, f->v[M_TSTATE], "timeout_state", pop3check_state_from_name,
                  &state, "a state (ok, warning, critical or unknown)") != 0 ||
        get_thresholds(x, f->v[M_THRESHOLDS], m, st) != 0)
        return -1;
    if (f->v[M_TIMEOUT] != NULL) /* else the library's default */
        st->timeout_ms = (long)(timeout * 1000 + 0.5);
    if (f->v[M_TSTATE] != NULL && pop3check_thresholds_set_timeout_state(
                                      m->thr, (enum pop3check_state)state) != 0)
        return p3xc_fail(x, f->line[M_TSTATE], "timeout_state",
                         "a state (ok, warning, critical or unknown)");
    return 0;
}

/* cafile and insecure serve the SMTP side of a round trip too; sni (and
 * cert_days, the POP3 server's certificate) only the POP3 side. */
static int tls_rules(struct p3xc_ctx *x, const struct fields *f,
                     const struct settings *st, const int *set)
{
    static const int need_tls[] = {M_CAFILE, M_INSECURE, M_SNI};

    for (size_t i = 0; i < sizeof need_tls / sizeof need_tls[0]; i++) {
        const int k = need_tls[i];
        if (!set[k] || st->tls != POP3CHECK_TLS_NONE ||
            (st->smtp_tls && k != M_SNI))
            continue;
        return p3xc_fail(x, f->line[k], module_keys[k],
                         "needs TLS: add tls: stls or tls: implicit%s",
                         st->round_trip && k != M_SNI
                             ? " (or a round_trip.smtp_tls other than none)"
                             : "");
    }
    return 0;
}

/* Settings that only make sense together (as check_pop3's). */
static int module_rules(struct p3xc_ctx *x, const struct p3x_module *m,
                        const struct fields *f, const struct settings *st)
{
    static const int need_login[] = {M_PWFILE, M_TOKFILE, M_AUTH, M_COMMANDS,
                                     M_TOP,    M_RETR,    M_AGE,  M_AGE_SCAN};
    static const int not_in_trip[] = {M_TOP, M_RETR, M_AGE, M_AGE_SCAN};
    int set[M_COUNT] = {0};

    set[M_CAFILE] = st->cafile != NULL;
    set[M_INSECURE] = st->insecure;
    set[M_SNI] = st->sni != NULL;
    set[M_PWFILE] = m->password_file != NULL;
    set[M_TOKFILE] = m->token_file != NULL;
    set[M_AUTH] = st->auth != POP3CHECK_AUTH_ANY;
    set[M_COMMANDS] = st->list || st->uidl;
    set[M_TOP] = st->top != POP3CHECK_MSG_NONE;
    set[M_RETR] = st->retr != POP3CHECK_MSG_NONE;
    set[M_AGE] = st->age && f->v[M_AGE] != NULL;
    set[M_AGE_SCAN] = st->age_scan != 0;
    if (tls_rules(x, f, st, set) != 0)
        return -1;
    for (size_t i = 0; i < sizeof need_login / sizeof need_login[0]; i++)
        if (set[need_login[i]] && st->user == NULL)
            return p3xc_fail(
                x, f->line[need_login[i]], module_keys[need_login[i]],
                "needs a login: add user%s",
                need_login[i] == M_PWFILE || need_login[i] == M_TOKFILE
                    ? ""
                    : " and password_file");
    if (st->user != NULL && m->password_file == NULL && m->token_file == NULL &&
        f->v[M_OAUTH2] == NULL)
        return p3xc_fail(x, f->line[M_USER], "user",
                         "needs password_file (a file whose first line is the "
                         "password), token_file (an OAuth 2.0 bearer token) "
                         "or oauth2 (a client-credentials grant)");
    if ((m->password_file != NULL) + (m->token_file != NULL) +
            (f->v[M_OAUTH2] != NULL) >
        1)
        return p3xc_fail(x, f->line[m->password_file ? M_PWFILE : M_TOKFILE],
                         m->password_file ? "password_file" : "token_file",
                         "give one of password_file, token_file and oauth2 "
                         "(a token logs in with auth xoauth2 or "
                         "oauthbearer)");
    for (size_t i = 0; i < sizeof not_in_trip / sizeof not_in_trip[0]; i++)
        if (set[not_in_trip[i]] && st->round_trip)
            return p3xc_fail(x, f->line[not_in_trip[i]],
                             module_keys[not_in_trip[i]],
                             i < 2 ? "not with round_trip: a round trip reads "
                                     "only the headers of new messages and "
                                     "never fetches one (leave top and retr "
                                     "out)"
                                   : "not with round_trip: the age is of a "
                                     "mailbox that something else empties, "
                                     "a round trip's holds its probes (a "
                                     "module of its own)");
    return 0;
}

/* The settings into the module's options. What the library refuses (a
 * user name with a space, ...) is reported as the module's, in the
 * library's words. */
static int module_options(struct p3xc_ctx *x, struct p3x_module *m,
                          const struct settings *st)
{
    static const enum pop3check_opt str_keys[] = {
        POP3CHECK_OPT_CAFILE, POP3CHECK_OPT_SNI, POP3CHECK_OPT_USER};
    const char *const strs[] = {st->cafile, st->sni, st->user};
    static const enum pop3check_opt long_keys[] = {
        POP3CHECK_OPT_TLS,        POP3CHECK_OPT_PORT,
        POP3CHECK_OPT_IP_VERSION, POP3CHECK_OPT_AUTH,
        POP3CHECK_OPT_INSECURE,   POP3CHECK_OPT_LIST,
        POP3CHECK_OPT_UIDL,       POP3CHECK_OPT_TOP,
        POP3CHECK_OPT_RETR,       POP3CHECK_OPT_TIMEOUT_MS,
        POP3CHECK_OPT_AGE,        POP3CHECK_OPT_AGE_SCAN};
    const long longs[] = {st->tls,
                          st->port,
                          st->ip,
                          st->auth,
                          st->insecure,
                          st->list,
                          st->uidl,
                          st->top,
                          st->retr,
                          st->timeout_ms,
                          st->age || st->age_scan,
                          st->age_scan};
    struct pop3check_options *o = m->opts;

    _Static_assert(sizeof str_keys / sizeof str_keys[0] ==
                           sizeof strs / sizeof strs[0] &&
                       sizeof long_keys / sizeof long_keys[0] ==
                           sizeof longs / sizeof longs[0],
                   "one value per key");
    for (size_t i = 0; i < sizeof str_keys / sizeof str_keys[0]; i++)
        if (pop3check_options_set_str(o, str_keys[i], strs[i]) != 0)
            return p3xc_fail(x, m->line, NULL, "%s",
                             pop3check_options_error(o));
    for (size_t i = 0; i < sizeof long_keys / sizeof long_keys[0]; i++)
        if (pop3check_options_set_long(o, long_keys[i], longs[i]) != 0)
            return p3xc_fail(x, m->line, NULL, "%s",
                             pop3check_options_error(o));
    return 0;
}

/* The token file is read by the library at the start of every probe (a
 * refresher may replace it); here it is read once only to say at load
 * what is wrong with it. */
static int check_token_file(struct p3xc_ctx *x, struct p3x_module *m, int line)
{
    char why[1200];
    char *t = pop3check_secret_read(m->token_file, POP3CHECK_SECRET_LINE, 16384,
                                    NULL, why, sizeof why);

    if (t == NULL)
        return p3xc_fail(x, line, "token_file", "%s", why);
    pop3check_secret_free(t);
    if (pop3check_options_set_str(m->opts, POP3CHECK_OPT_TOKEN_FILE,
                                  m->token_file) != 0)
        return p3xc_fail(x, line, "token_file", "%s",
                         pop3check_options_error(m->opts));
    return 0;
}

/* The password: the first line of password_file, without its line end,
 * under the library's rule for secret files (whose reason says what to
 * fix); also the SMTP password when smtp too (a round trip whose SMTP
 * user is the module's user). */
static int read_password(struct p3xc_ctx *x, struct p3x_module *m, int line,
                         int smtp)
{
    char why[1200];
    char *pw = pop3check_secret_read(m->password_file, POP3CHECK_SECRET_LINE,
                                     PASSWORD_MAX, NULL, why, sizeof why);
    int rc = 0;

    if (pw == NULL)
        return p3xc_fail(x, line, "password_file", "%s", why);
    if (pop3check_options_set_str(m->opts, POP3CHECK_OPT_PASSWORD, pw) != 0 ||
        (smtp && pop3check_options_set_str(m->opts, POP3CHECK_OPT_SMTP_PASSWORD,
                                           pw) != 0))
        rc = p3xc_fail(x, line, "password_file", "'%s': %s", m->password_file,
                       pop3check_options_error(m->opts));
    pop3check_secret_free(pw);
    return rc;
}

static int add_allowed(struct p3xc_ctx *x, struct p3x_module *m, const char *s,
                       int line)
{
    if ((m->allowed[m->nallowed] = strdup(s)) == NULL)
        return p3xc_fail(x, line, "allowed_targets", "out of memory");
    m->nallowed++;
    return 0;
}

/* allowed_targets; "*" (anything) is the default without credentials. */
static int get_allowed(struct p3xc_ctx *x, struct p3x_module *m,
                       const yaml_node_t *n, int has_user)
{
    const yaml_node_item_t *i;
    char host[P3XC_HOST_MAX];
    unsigned port;
    size_t count;

    if (n == NULL && has_user)
        return 0; /* only its scheduled targets */
    if (n != NULL && p3xc_want(x, n, "allowed_targets", YAML_SEQUENCE_NODE,
                               "a list such as [\"mail.example.org\", "
                               "\"10.0.0.1:995\"]") != 0)
        return -1;
    count =
        n ? (size_t)(n->data.sequence.items.top - n->data.sequence.items.start)
          : 1;
    if ((m->allowed = calloc(count ? count : 1, sizeof *m->allowed)) == NULL)
        return p3xc_fail(x, m->line, "allowed_targets", "out of memory");
    if (n == NULL)
        return add_allowed(x, m, "*", m->line);
    for (i = n->data.sequence.items.start; i < n->data.sequence.items.top;
         i++) {
        const yaml_node_t *it = p3xc_node(x, *i);
        const char *s;

        if (p3xc_scalar(x, it, "allowed_targets", &s) != 0)
            return -1;
        if (strcmp(s, "*") == 0 && has_user)
            return p3xc_fail(x, P3XC_LINE(it), "allowed_targets",
                             "'*' is not allowed for a module with credentials "
                             "(list the hosts it may log in to)");
        if (strcmp(s, "*") != 0 &&
            p3x_target_parse(s, host, sizeof host, &port) != 0)
            return p3xc_fail(
                x, P3XC_LINE(it), "allowed_targets",
                "'%s' is not a target (host, host:port, [IPv6]:port "
                "or *)",
                s);
        if (add_allowed(x, m, s, P3XC_LINE(it)) != 0)
            return -1;
    }
    return 0;
}

int p3xc_module_load(struct p3xc_ctx *x, struct p3x_module *m,
                     const yaml_node_t *n)
{
    struct fields f = {
        0}; /* p3xc_fields() fills it; cppcheck cannot see that */
    struct settings st = {0};
    struct p3xc_trip trip;

    if ((m->opts = pop3check_options_new()) == NULL ||
        (m->thr = pop3check_thresholds_new()) == NULL)
        return p3xc_fail(x, m->line, NULL, "out of memory");
    if (p3xc_want(x, n, NULL, YAML_MAPPING_NODE,
                  "a mapping of settings (write {} for the defaults)") != 0 ||
        p3xc_fields(x, n, module_keys, M_COUNT, f.v, f.line) != 0 ||
        module_connection(x, m, &f, &st) != 0 ||
        p3xc_trip_read(x, f.v[M_TRIP], f.line[M_TRIP], st.user, &trip) != 0)
        return -1;
    st.round_trip = trip.line != 0;
    st.smtp_tls = st.round_trip && trip.smtp_tls != POP3CHECK_TLS_NONE;
    if (module_checks(x, m, &f, &st) != 0 || module_rules(x, m, &f, &st) != 0 ||
        (st.user != NULL && m->password_file != NULL &&
         read_password(x, m, f.line[M_PWFILE], trip.reuse_password) != 0) ||
        (st.user != NULL && m->token_file != NULL &&
         check_token_file(x, m, f.line[M_TOKFILE]) != 0) ||
        p3xc_oauth_apply(x, m, f.v[M_OAUTH2], f.line[M_OAUTH2],
                         st.user != NULL) != 0 ||
        p3xc_trip_apply(x, m, &trip) != 0 ||
        get_allowed(x, m, f.v[M_ALLOWED], st.user != NULL) != 0 ||
        module_options(x, m, &st) != 0)
        return -1;
    return 0;
}
