/* SPDX-License-Identifier: MIT */
/* evaluate.c - turns a probe result and thresholds into a Monitoring
 * Plugins state with a short reason; shared by every front end. */
#include <string.h>

#include "internal.h"

/* Severity order of the guidelines: CRITICAL > WARNING > UNKNOWN > OK. */
static int rank(enum pop3check_state s)
{
    static const int ranks[] = {0, 2, 3, 1};
    return ranks[s & 3];
}

struct verdict {
    enum pop3check_state state;
    char *why;
    size_t whylen;
};

static void raise_to(struct verdict *v, enum pop3check_state s,
                     const char *reason)
{
    if (rank(s) > rank(v->state)) {
        v->state = s;
        v->why[0] = '\0';
    }
    if (s == v->state && s != POP3CHECK_STATE_OK) {
        if (v->why[0] != '\0')
            p3_append(v->why, v->whylen, ", ", 2);
        p3_append(v->why, v->whylen, reason, strlen(reason));
    }
}

/* Checks value against a warning and a critical range. */
static void judge(struct verdict *v, const char *what, double value,
                  const char *unit, const struct p3_range *warn,
                  const struct p3_range *crit)
{
    char reason[128];

    if (p3_range_alert(crit, value)) {
        p3_format(reason, sizeof reason, "%s %g%s (critical %s)", what, value,
                  unit, crit->text);
        raise_to(v, POP3CHECK_STATE_CRITICAL, reason);
    } else if (p3_range_alert(warn, value)) {
        p3_format(reason, sizeof reason, "%s %g%s (warning %s)", what, value,
                  unit, warn->text);
        raise_to(v, POP3CHECK_STATE_WARNING, reason);
    }
}

static void judge_failure(struct verdict *v, const struct pop3check_result *r,
                          const struct pop3check_thresholds *t)
{
    enum pop3check_state s = pop3check_thresholds_error_state(t, r->error);
    char reason[300];

    p3_format(reason, sizeof reason, "%s", r->error_text);
    raise_to(v, s, reason);
}

/* "(critical < 14)" for the usual "14:" (alert below 14 days), else the
 * range as written. */
static void cert_reason(char *buf, size_t len, double days, const char *level,
                        const struct p3_range *r)
{
    if (!r->inside && !r->start_inf && r->end_inf)
        p3_format(buf, len, "certificate expires in %.1f days (%s < %g)", days,
                  level, r->start);
    else
        p3_format(buf, len, "certificate expires in %.1f days (%s %s)", days,
                  level, r->text);
}

static void judge_cert(struct verdict *v, const struct pop3check_result *r,
                       const struct pop3check_thresholds *t)
{
    const struct p3_range *warn = p3_thresholds_measure(
        t, POP3CHECK_MEASURE_CERT_DAYS, POP3CHECK_STATE_WARNING);
    const struct p3_range *crit = p3_thresholds_measure(
        t, POP3CHECK_MEASURE_CERT_DAYS, POP3CHECK_STATE_CRITICAL);
    double days = pop3check_result_cert_days_left(r);
    char reason[128];

    if (r->cert_not_after < 0 || (warn == NULL && crit == NULL))
        return;
    if (days < 0) {
        p3_format(reason, sizeof reason, "certificate expired %.0f days ago",
                  -days);
        raise_to(v, POP3CHECK_STATE_CRITICAL, reason);
    } else if (p3_range_alert(crit, days)) {
        cert_reason(reason, sizeof reason, days, "critical", crit);
        raise_to(v, POP3CHECK_STATE_CRITICAL, reason);
    } else if (p3_range_alert(warn, days)) {
        cert_reason(reason, sizeof reason, days, "warning", warn);
        raise_to(v, POP3CHECK_STATE_WARNING, reason);
    }
}

/* "oldest message waited 2 d 3 h (183600 s, warning 86400)". */
static void judge_age(struct verdict *v, const struct pop3check_result *r,
                      const struct pop3check_thresholds *t)
{
    const struct p3_range *warn = p3_thresholds_measure(
        t, POP3CHECK_MEASURE_OLDEST_AGE, POP3CHECK_STATE_WARNING);
    const struct p3_range *crit = p3_thresholds_measure(
        t, POP3CHECK_MEASURE_OLDEST_AGE, POP3CHECK_STATE_CRITICAL);
    const double age = (double)r->oldest_age;
    const int64_t s = r->oldest_age;
    const struct p3_range *hit = NULL;
    enum pop3check_state level = POP3CHECK_STATE_OK;
    char human[48], reason[160];

    if (s < 0)
        return;
    if (p3_range_alert(crit, age)) {
        hit = crit;
        level = POP3CHECK_STATE_CRITICAL;
    } else if (p3_range_alert(warn, age)) {
        hit = warn;
        level = POP3CHECK_STATE_WARNING;
    }
    if (hit == NULL)
        return;
    if (s >= 86400)
        p3_format(human, sizeof human, "%lld d %lld h", (long long)(s / 86400),
                  (long long)(s % 86400 / 3600));
    else if (s >= 3600)
        p3_format(human, sizeof human, "%lld h %lld min", (long long)(s / 3600),
                  (long long)(s % 3600 / 60));
    else
        p3_format(human, sizeof human, "%lld min %lld s", (long long)(s / 60),
                  (long long)(s % 60));
    p3_format(reason, sizeof reason, "oldest message waited %s (%lld s, %s %s)",
              human, (long long)s,
              level == POP3CHECK_STATE_CRITICAL ? "critical" : "warning",
              hit->text);
    raise_to(v, level, reason);
}

enum pop3check_state pop3check_evaluate(const struct pop3check_result *r,
                                        const struct pop3check_thresholds *t,
                                        char *why, size_t whylen)
{
    static const struct pop3check_thresholds none = {
        .timeout_state = POP3CHECK_STATE_CRITICAL};
    char scratch[1];
    struct verdict v = {POP3CHECK_STATE_OK, why, whylen};

    if (why == NULL || whylen == 0) {
        v.why = scratch;
        v.whylen = sizeof scratch;
    }
    v.why[0] = '\0';
    if (t == NULL)
        t = &none;
    if (r->error != POP3CHECK_E_OK)
        judge_failure(&v, r, t);
    for (int p = 0; p < P3_PHASES; p++) {
        if (r->phase_us[p] < 0)
            continue;
        judge(&v, pop3check_phase_name(p), (double)r->phase_us[p] / 1e6, " s",
              p3_thresholds_phase(t, p, POP3CHECK_STATE_WARNING),
              p3_thresholds_phase(t, p, POP3CHECK_STATE_CRITICAL));
    }
    if (r->messages >= 0)
        judge(&v, "messages", (double)r->messages, "",
              p3_thresholds_measure(t, POP3CHECK_MEASURE_MESSAGES,
                                    POP3CHECK_STATE_WARNING),
              p3_thresholds_measure(t, POP3CHECK_MEASURE_MESSAGES,
                                    POP3CHECK_STATE_CRITICAL));
    if (r->octets >= 0)
        judge(&v, "mailbox size", (double)r->octets, " B",
              p3_thresholds_measure(t, POP3CHECK_MEASURE_OCTETS,
                                    POP3CHECK_STATE_WARNING),
              p3_thresholds_measure(t, POP3CHECK_MEASURE_OCTETS,
                                    POP3CHECK_STATE_CRITICAL));
    judge_age(&v, r, t);
    judge_cert(&v, r, t);
    return v.state;
}
