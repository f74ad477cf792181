/* SPDX-License-Identifier: MIT */
/* config_trip.c - a module's round_trip mapping (modules.NAME.round_trip):
 * where to submit the probe message and how, how often to look for it in
 * the module's mailbox, what a late one means. The same words and rules
 * as check_pop3's --smtp-* options (plugin/tripopts.c); the SMTP password
 * and the probe key are read from their files. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <string.h>

#include "config_internal.h"

#define SMTP_PASSWORD_MAX 255 /* as password_file */
#define PROBE_KEY_MIN     16  /* the library's limits of the key */
#define PROBE_KEY_MAX     256

enum {
    R_HOST,
    R_PORT,
    R_TLS,
    R_USER,
    R_PWFILE,
    R_AUTH,
    R_FROM,
    R_RCPT,
    R_SUBJECT,
    R_POLL,
    R_NAME,
    R_KEYFILE,
    R_NOT_DELIVERED,
    R_COUNT
};
_Static_assert(R_COUNT == P3XC_TRIP_KEYS, "one slot per key");

static const char *const trip_keys[R_COUNT] = {"smtp_host",
                                               "smtp_port",
                                               "smtp_tls",
                                               "smtp_user",
                                               "smtp_password_file",
                                               "smtp_auth",
                                               "mail_from",
                                               "rcpt_to",
                                               "subject",
                                               "poll_interval",
                                               "check_name",
                                               "probe_key_file",
                                               "not_delivered_state"};

/* The keys whose values are taken as text. */
static const int text_keys[] = {R_HOST, R_USER,    R_PWFILE, R_AUTH,   R_FROM,
                                R_RCPT, R_SUBJECT, R_NAME,   R_KEYFILE};

#define POLL_WHAT "a poll interval (100ms to 3600 s, such as 500ms, 1s or 2)"

/* poll_interval: a duration, kept to the millisecond, in the library's
 * range. */
static int get_poll(struct p3xc_ctx *x, struct p3xc_trip *t)
{
    const yaml_node_t *n = t->v[R_POLL];
    double s = 0;

    if (n == NULL)
        return 0;
    if (p3xc_seconds(x, n, "poll_interval", 0, 3600, &s, POLL_WHAT) != 0)
        return -1;
    t->poll_ms = (long)(s * 1000 + 0.5);
    if (t->poll_ms < 100 || t->poll_ms > 3600000)
        return p3xc_fail(x, P3XC_LINE(n), "poll_interval", "'%s' is not %s",
                         (const char *)n->data.scalar.value, POLL_WHAT);
    return 0;
}

static int get_values(struct p3xc_ctx *x, struct p3xc_trip *t)
{
    for (size_t i = 0; i < sizeof text_keys / sizeof *text_keys; i++) {
        const int k = text_keys[i];
        if (p3xc_str(x, t->v[k], trip_keys[k], &t->str[k]) != 0)
            return -1;
    }
    if (p3xc_long(x, t->v[R_PORT], "smtp_port", 1, 65535, &t->smtp_port,
                  "a port (1-65535)") != 0 ||
        p3xc_word(x, t->v[R_TLS], "smtp_tls", pop3check_tls_from_name,
                  &t->smtp_tls,
                  "a TLS mode for SMTP (stls: STARTTLS required, try: "
                  "STARTTLS when offered, implicit: port 465, or none)") != 0 ||
        p3xc_word(x, t->v[R_NOT_DELIVERED], "not_delivered_state",
                  pop3check_state_from_name, &t->not_delivered,
                  "a state (ok, warning, critical or unknown)") != 0)
        return -1;
    return get_poll(x, t);
}

/* What a round trip needs, and where its SMTP password comes from: its
 * file, or the module's password_file when the SMTP user is the
 * module's user (as check_pop3's --smtp-user). */
static int get_rules(struct p3xc_ctx *x, struct p3xc_trip *t, const char *user)
{
    static const int required[] = {R_HOST, R_FROM, R_RCPT};
    const char *smtp_user = t->str[R_USER];

    for (size_t i = 0; i < sizeof required / sizeof *required; i++)
        if (t->v[required[i]] == NULL)
            return p3xc_fail(x, t->line, trip_keys[required[i]],
                             "missing (a round trip needs smtp_host, "
                             "mail_from and rcpt_to)");
    if (user == NULL)
        return p3xc_fail(x, t->line, NULL,
                         "needs a login: add user and password_file (the "
                         "mailbox that rcpt_to delivers to)");
    if (t->str[R_PWFILE] != NULL && smtp_user == NULL)
        return p3xc_fail(x, t->lines[R_PWFILE], "smtp_password_file",
                         "needs smtp_user");
    if (smtp_user == NULL || t->str[R_PWFILE] != NULL)
        return 0;
    if (strcmp(smtp_user, user) != 0)
        return p3xc_fail(x, t->lines[R_USER], "smtp_user",
                         "needs a password: add smtp_password_file (a file "
                         "whose first line is the SMTP password), or use the "
                         "module's user '%s', whose password_file then "
                         "serves SMTP too",
                         user);
    t->reuse_password = 1;
    return 0;
}

int p3xc_trip_read(struct p3xc_ctx *x, const yaml_node_t *n, int line,
                   const char *user, struct p3xc_trip *t)
{
    size_t at;

    memset(t, 0, sizeof *t);
    t->smtp_tls = t->not_delivered = -1;
    if (n == NULL)
        return 0;
    t->line = line;
    if (p3xc_want(x, n, "round_trip", YAML_MAPPING_NODE,
                  "a mapping with smtp_host, mail_from and rcpt_to") != 0)
        return -1;
    at = p3xc_push(x, "round_trip");
    if (p3xc_fields(x, n, trip_keys, R_COUNT, t->v, t->lines) != 0 ||
        get_values(x, t) != 0 || get_rules(x, t, user) != 0)
        return -1;
    p3xc_pop(x, at);
    return 0;
}

/* A secret file's first line into option opt, under the library's rule
 * for secret files (whose reason says what to fix); at least min
 * bytes. */
static int read_secret(struct p3xc_ctx *x, struct p3x_module *m,
                       const struct p3xc_trip *t, int k, enum pop3check_opt opt,
                       size_t min, size_t max)
{
    const char *path = t->str[k];
    char why[1200];
    size_t len = 0;
    char *s;
    int rc = 0;

    if (path == NULL)
        return 0;
    s = pop3check_secret_read(path, POP3CHECK_SECRET_LINE, max, &len, why,
                              sizeof why);
    if (s == NULL)
        return p3xc_fail(x, t->lines[k], trip_keys[k], "%s", why);
    if (len < min)
        rc = p3xc_fail(x, t->lines[k], trip_keys[k],
                       "'%s': the key is shorter than %zu bytes: give %zu to "
                       "%zu, such as the line openssl rand -hex 32 writes",
                       path, min, min, max);
    else if (pop3check_options_set_str(m->opts, opt, s) != 0)
        rc = p3xc_fail(x, t->lines[k], trip_keys[k], "'%s': %s", path,
                       pop3check_options_error(m->opts));
    pop3check_secret_free(s);
    return rc;
}

/* The texts and numbers into the options; what the library refuses (an
 * address with a space, ...) is reported at its key, in its words. */
static int set_options(struct p3xc_ctx *x, struct p3x_module *m,
                       const struct p3xc_trip *t)
{
    static const struct {
        int key;
        enum pop3check_opt opt;
    } strs[] = {
        {R_HOST, POP3CHECK_OPT_SMTP_HOST},  {R_USER, POP3CHECK_OPT_SMTP_USER},
        {R_AUTH, POP3CHECK_OPT_SMTP_AUTH},  {R_FROM, POP3CHECK_OPT_MAIL_FROM},
        {R_RCPT, POP3CHECK_OPT_RCPT_TO},    {R_SUBJECT, POP3CHECK_OPT_SUBJECT},
        {R_NAME, POP3CHECK_OPT_CHECK_NAME},
    };
    const struct {
        int key;
        enum pop3check_opt opt;
        long value;
    } longs[] = {
        {R_PORT, POP3CHECK_OPT_SMTP_PORT, t->smtp_port},
        {R_TLS, POP3CHECK_OPT_SMTP_TLS, t->smtp_tls},
        {R_POLL, POP3CHECK_OPT_POLL_MS, t->poll_ms},
    };
    struct pop3check_options *o = m->opts;

    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        if (t->str[strs[i].key] != NULL &&
            pop3check_options_set_str(o, strs[i].opt, t->str[strs[i].key]))
            return p3xc_fail(x, t->lines[strs[i].key], trip_keys[strs[i].key],
                             "%s", pop3check_options_error(o));
    for (size_t i = 0; i < sizeof longs / sizeof *longs; i++)
        if (t->v[longs[i].key] != NULL &&
            pop3check_options_set_long(o, longs[i].opt, longs[i].value) != 0)
            return p3xc_fail(x, t->lines[longs[i].key], trip_keys[longs[i].key],
                             "%s", pop3check_options_error(o));
    return 0;
}

int p3xc_trip_apply(struct p3xc_ctx *x, struct p3x_module *m,
                    const struct p3xc_trip *t)
{
    size_t at;

    if (t->line == 0)
        return 0;
    at = p3xc_push(x, "round_trip");
    if (set_options(x, m, t) != 0 ||
        read_secret(x, m, t, R_PWFILE, POP3CHECK_OPT_SMTP_PASSWORD, 0,
                    SMTP_PASSWORD_MAX) != 0 ||
        read_secret(x, m, t, R_KEYFILE, POP3CHECK_OPT_PROBE_KEY, PROBE_KEY_MIN,
                    PROBE_KEY_MAX) != 0)
        return -1;
    if (t->not_delivered >= 0 &&
        pop3check_thresholds_set_error_state(
            m->thr, POP3CHECK_E_NOT_DELIVERED,
            (enum pop3check_state)t->not_delivered) != 0)
        return p3xc_fail(x, t->lines[R_NOT_DELIVERED], "not_delivered_state",
                         "a state (ok, warning, critical or unknown)");
    m->round_trip = 1;
    p3xc_pop(x, at);
    return 0;
}
