/* SPDX-License-Identifier: MIT */
/* optval.c - the values of check_pop3's options (numbers, message numbers,
 * ranges, PHASE=RANGE, -D, -t), each checked and set into the library's
 * options or thresholds, with a one-line message naming what is wrong. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "optval.h"

static const char range_help[] =
    "a range such as 10, 10:, ~:10, 10:20 or @10:20";

int optval_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* A whole decimal number in [min, max]. */
int optval_long(const char *s, long min, long max, long *out)
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

int optval_msg(const char *s, long *out)
{
    if (strcasecmp(s, "first") == 0) {
        *out = POP3CHECK_MSG_FIRST;
        return 0;
    }
    if (strcasecmp(s, "last") == 0) {
        *out = POP3CHECK_MSG_LAST;
        return 0;
    }
    return optval_long(s, 1, 999999999, out);
}

/* A number option the plugin has checked already; the library's reason
 * if it refuses all the same. */
int optval_set_num(struct plugin_opts *o, enum pop3check_opt key, long v,
                   char *err, size_t errlen)
{
    if (pop3check_options_set_long(o->probe, key, v) != 0)
        return optval_fail(err, errlen, "%s",
                           pop3check_options_error(o->probe));
    return 0;
}

/* The effective value of a number option (0 for a key it does not know). */
long optval_get_num(const struct plugin_opts *o, enum pop3check_opt key)
{
    long v = 0;

    if (pop3check_options_get_long(o->probe, key, &v) != 0)
        return 0;
    return v;
}

int optval_range(struct plugin_opts *o, const char *opt,
                 enum pop3check_measure m, enum pop3check_state level,
                 const char *s, char *err, size_t errlen)
{
    if (pop3check_thresholds_set(o->thr, m, level, s) != 0)
        return optval_fail(err, errlen, "%s '%s' is not %s", opt, s,
                           range_help);
    return 0;
}

int optval_phase(struct plugin_opts *o, const char *opt, enum pop3check_phase p,
                 enum pop3check_state level, const char *s, char *err,
                 size_t errlen)
{
    if (pop3check_thresholds_set_phase(o->thr, p, level, s) != 0)
        return optval_fail(err, errlen, "%s '%s' is not %s", opt, s,
                           range_help);
    return 0;
}

/* "resolve, connect, ..., total": the phases of the library in use. */
static void phase_list(char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (int p = 0; p < pop3check_phase_count(); p++) {
        const char *name = pop3check_phase_name((enum pop3check_phase)p);
        int n;
        if (name == NULL)
            continue;
        n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", name);
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
}

/* PHASE=RANGE for --phase-warning / --phase-critical. */
int optval_phase_range(struct plugin_opts *o, const char *opt,
                       enum pop3check_state level, const char *s, char *err,
                       size_t errlen)
{
    const char *eq = strchr(s, '=');
    char name[16];
    char phases[256];
    int ph;

    if (eq == NULL || (size_t)(eq - s) >= sizeof name)
        return optval_fail(err, errlen,
                           "%s '%s': write PHASE=RANGE, e.g. auth=0.5", opt, s);
    memcpy(name, s, (size_t)(eq - s));
    name[eq - s] = '\0';
    ph = pop3check_phase_from_name(name);
    if (ph < 0) {
        phase_list(phases, sizeof phases);
        return optval_fail(err, errlen, "%s: unknown phase '%s' (phases: %s)",
                           opt, name, phases);
    }
    return optval_phase(o, opt, (enum pop3check_phase)ph, level, eq + 1, err,
                        errlen);
}

/* The state after ':' in -t SECONDS:STATE. */
static int parse_timeout_state(const char *s, const char *word,
                               struct plugin_opts *o, char *err, size_t errlen)
{
    int st = pop3check_state_from_name(word);

    if (st < 0 || pop3check_thresholds_set_timeout_state(
                      o->thr, (enum pop3check_state)st) != 0)
        return optval_fail(err, errlen,
                           "-t '%s': the state after ':' must be ok, warning, "
                           "critical or unknown",
                           s);
    return 0;
}

/* SECONDS[:STATE] */
int optval_timeout(const char *s, struct plugin_opts *o, char *err,
                   size_t errlen)
{
    char num[32];
    const char *colon = strchr(s, ':');
    size_t n = colon ? (size_t)(colon - s) : strlen(s);
    char *end;
    double v;
    long ms;

    if (n == 0 || n >= sizeof num)
        return optval_fail(err, errlen,
                           "-t '%s': give seconds, e.g. -t 10 or "
                           "-t 10:warning",
                           s);
    memcpy(num, s, n);
    num[n] = '\0';
    errno = 0;
    v = strtod(num, &end);
    if (errno != 0 || *end != '\0' || !(v > 0) || v > 3600)
        return optval_fail(err, errlen,
                           "-t '%s': the timeout must be a number of seconds "
                           "above 0 and at most 3600",
                           s);
    ms = (long)(v * 1000 + 0.5);
    if (optval_set_num(o, POP3CHECK_OPT_TIMEOUT_MS, ms > 0 ? ms : 1, err,
                       errlen))
        return -1;
    if (colon != NULL)
        return parse_timeout_state(s, colon + 1, o, err, errlen);
    return 0;
}

/* WARN_DAYS[,CRIT_DAYS] as check_pop's -D: alert below that many days,
 * the ranges "WARN:" and "CRIT:" on the certificate's days left. */
int optval_cert_days(const char *s, struct plugin_opts *o, char *err,
                     size_t errlen)
{
    char buf[32];
    char range[24];
    char *comma;
    long w, c = 0;

    if (strlen(s) >= sizeof buf)
        return optval_fail(err, errlen, "-D '%s': write WARN_DAYS[,CRIT_DAYS]",
                           s);
    memcpy(buf, s, strlen(s) + 1);
    comma = strchr(buf, ',');
    if (comma)
        *comma = '\0';
    if (optval_long(buf, 1, 36500, &w) != 0 ||
        (comma && optval_long(comma + 1, 1, 36500, &c) != 0))
        return optval_fail(
            err, errlen,
            "-D '%s': write WARN_DAYS[,CRIT_DAYS], whole days from "
            "1, e.g. -D 30,14",
            s);
    if (comma && c > w)
        return optval_fail(
            err, errlen,
            "-D '%s': the critical days must not exceed the warning "
            "days",
            s);
    snprintf(range, sizeof range, "%ld:", w);
    if (optval_range(o, "-D", POP3CHECK_MEASURE_CERT_DAYS,
                     POP3CHECK_STATE_WARNING, range, err, errlen) != 0)
        return -1;
    snprintf(range, sizeof range, "%ld:", c);
    return optval_range(o, "-D", POP3CHECK_MEASURE_CERT_DAYS,
                        POP3CHECK_STATE_CRITICAL, comma ? range : NULL, err,
                        errlen);
}
