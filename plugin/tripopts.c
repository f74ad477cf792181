/* SPDX-License-Identifier: MIT */
/* tripopts.c - check_pop3's round-trip options: --smtp-host turns the
 * check into a round trip (submit a probe message, find it over POP3,
 * delete only it and earlier probes of this check); the rest say how. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "optval.h"
#include "tripopts.h"

/* Seconds with a fraction (0.1 to 3600) as milliseconds. */
static int poll_ms(const char *s, long *ms)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= 0.1 && v <= 3600))
        return -1;
    *ms = (long)(v * 1000 + 0.5);
    return 0;
}

static int smtp_tls(const char *arg, struct plugin_opts *o, char *err,
                    size_t errlen)
{
    int m = pop3check_tls_from_name(arg);

    if (m < 0)
        return optval_fail(err, errlen,
                           "--smtp-tls '%s': use stls (STARTTLS required, the "
                           "default), try (STARTTLS if offered), implicit "
                           "(port 465) or none",
                           arg);
    return optval_set_num(o, POP3CHECK_OPT_SMTP_TLS, m, err, errlen);
}

static int numbers(int c, const char *arg, struct plugin_opts *o, char *err,
                   size_t errlen)
{
    long v = 0;
    int st;

    switch (c) {
    case TRIP_OPT_SMTP_PORT:
        if (optval_long(arg, 1, 65535, &v) != 0)
            return optval_fail(
                err, errlen, "--smtp-port '%s': the port must be 1-65535", arg);
        return optval_set_num(o, POP3CHECK_OPT_SMTP_PORT, v, err, errlen);
    case TRIP_OPT_POLL:
        if (poll_ms(arg, &v) != 0)
            return optval_fail(err, errlen,
                               "--poll-interval '%s': seconds from 0.1 to "
                               "3600, such as 1 or 0.5",
                               arg);
        return optval_set_num(o, POP3CHECK_OPT_POLL_MS, v, err, errlen);
    case TRIP_OPT_DELIVERY_WARN:
    case TRIP_OPT_DELIVERY_CRIT:
        return optval_phase(o,
                            c == TRIP_OPT_DELIVERY_WARN ? "--delivery-warning"
                                                        : "--delivery-critical",
                            POP3CHECK_PHASE_DELIVERY,
                            c == TRIP_OPT_DELIVERY_WARN
                                ? POP3CHECK_STATE_WARNING
                                : POP3CHECK_STATE_CRITICAL,
                            arg, err, errlen);
    default: /* TRIP_OPT_NOT_DELIVERED */
        st = pop3check_state_from_name(arg);
        if (st < 0)
            return optval_fail(err, errlen,
                               "--not-delivered '%s': use ok, warning, "
                               "critical or unknown",
                               arg);
        pop3check_thresholds_set_error_state(o->thr, POP3CHECK_E_NOT_DELIVERED,
                                             (enum pop3check_state)st);
        return 0;
    }
}

int trip_opt(int c, const char *arg, struct plugin_opts *o, struct trip_args *t,
             char *err, size_t errlen)
{
    t->given = 1;
    switch (c) {
    case TRIP_OPT_SMTP_HOST:
        t->smtp_host = arg;
        return 0;
    case TRIP_OPT_SMTP_TLS:
        return smtp_tls(arg, o, err, errlen);
    case TRIP_OPT_SMTP_USER:
        t->smtp_user = arg;
        return 0;
    case TRIP_OPT_SMTP_PASSWORD_FILE:
        t->smtp_pwfile = arg;
        return 0;
    case TRIP_OPT_SMTP_AUTH:
        t->smtp_auth = arg;
        return 0;
    case TRIP_OPT_MAIL_FROM:
        t->mail_from = arg;
        return 0;
    case TRIP_OPT_RCPT_TO:
        t->rcpt_to = arg;
        return 0;
    case TRIP_OPT_SUBJECT:
        t->subject = arg;
        return 0;
    case TRIP_OPT_CHECK_NAME:
        t->check_name = arg;
        return 0;
    case TRIP_OPT_KEY_FILE:
        t->keyfile = arg;
        return 0;
    default:
        return numbers(c, arg, o, err, errlen);
    }
}

/* A secret file's first line into the options (the library's rule and
 * words for secret files). */
static int secret_file(struct plugin_opts *o, enum pop3check_opt key,
                       const char *opt, const char *path, char *err,
                       size_t errlen)
{
    char why[1200];
    char *s = pop3check_secret_read(path, POP3CHECK_SECRET_LINE, 256, NULL, why,
                                    sizeof why);
    int rc;

    if (s == NULL)
        return optval_fail(err, errlen, "%s %s", opt, why);
    rc = pop3check_options_set_str(o->probe, key, s);
    pop3check_secret_free(s);
    if (rc != 0)
        return optval_fail(err, errlen, "%s: %s", opt,
                           pop3check_options_error(o->probe));
    return 0;
}

/* The SMTP password: its file, SMTP_PASSWORD, or the mailbox's when the
 * SMTP user is the mailbox's user. */
static int smtp_password(struct plugin_opts *o, const struct trip_args *t,
                         const char *env, char *err, size_t errlen)
{
    const char *user = pop3check_options_get_str(o->probe, POP3CHECK_OPT_USER);
    const char *pw = NULL;

    if (t->smtp_user == NULL)
        return t->smtp_pwfile == NULL
                   ? 0
                   : optval_fail(err, errlen,
                                 "--smtp-password-file needs --smtp-user");
    if (t->smtp_auth != NULL && (strcasecmp(t->smtp_auth, "XOAUTH2") == 0 ||
                                 strcasecmp(t->smtp_auth, "OAUTHBEARER") == 0))
        return 0; /* the mailbox's token, which the library checks */
    if (t->smtp_pwfile != NULL)
        return secret_file(o, POP3CHECK_OPT_SMTP_PASSWORD,
                           "--smtp-password-file", t->smtp_pwfile, err, errlen);
    if (env != NULL && env[0] != '\0')
        pw = env;
    else if (user != NULL && strcmp(user, t->smtp_user) == 0)
        pw = o->password;
    if (pw == NULL)
        return optval_fail(err, errlen,
                           "--smtp-user needs a password: "
                           "--smtp-password-file FILE or the environment "
                           "variable SMTP_PASSWORD (or the same user as -u)");
    if (pop3check_options_set_str(o->probe, POP3CHECK_OPT_SMTP_PASSWORD, pw))
        return optval_fail(err, errlen, "SMTP password: %s",
                           pop3check_options_error(o->probe));
    return 0;
}

int trip_finish(struct plugin_opts *o, const struct trip_args *t,
                const char *env_smtp_password, char *err, size_t errlen)
{
    const struct {
        enum pop3check_opt key;
        const char *value;
    } v[] = {
        {POP3CHECK_OPT_SMTP_HOST, t->smtp_host},
        {POP3CHECK_OPT_SMTP_USER, t->smtp_user},
        {POP3CHECK_OPT_SMTP_AUTH, t->smtp_auth},
        {POP3CHECK_OPT_MAIL_FROM, t->mail_from},
        {POP3CHECK_OPT_RCPT_TO, t->rcpt_to},
        {POP3CHECK_OPT_SUBJECT, t->subject},
        {POP3CHECK_OPT_CHECK_NAME, t->check_name},
    };

    if (!t->given)
        return 0;
    if (t->smtp_host == NULL)
        return optval_fail(err, errlen,
                           "the round-trip options need --smtp-host (the "
                           "submission server to send the probe to)");
    if (t->mail_from == NULL || t->rcpt_to == NULL)
        return optval_fail(err, errlen,
                           "a round trip needs --mail-from and --rcpt-to (the "
                           "address of the mailbox that -u reads)");
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        if (v[i].value != NULL &&
            pop3check_options_set_str(o->probe, v[i].key, v[i].value) != 0)
            return optval_fail(err, errlen, "%s",
                               pop3check_options_error(o->probe));
    if (t->keyfile != NULL &&
        secret_file(o, POP3CHECK_OPT_PROBE_KEY, "--probe-key-file", t->keyfile,
                    err, errlen) != 0)
        return -1;
    return smtp_password(o, t, env_smtp_password, err, errlen);
}
