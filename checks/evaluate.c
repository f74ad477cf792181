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
                  const char *unit, const struct pop3check_range *warn,
                  const struct pop3check_range *crit)
{
    char reason[128];

    if (pop3check_range_alert(crit, value)) {
        p3_format(reason, sizeof reason, "%s %g%s (critical %s)", what, value,
                  unit, crit->text);
        raise_to(v, POP3CHECK_STATE_CRITICAL, reason);
    } else if (pop3check_range_alert(warn, value)) {
        p3_format(reason, sizeof reason, "%s %g%s (warning %s)", what, value,
                  unit, warn->text);
        raise_to(v, POP3CHECK_STATE_WARNING, reason);
    }
}

static void judge_failure(struct verdict *v, const struct pop3check_result *r,
                          const struct pop3check_thresholds *t)
{
    enum pop3check_state s = POP3CHECK_STATE_CRITICAL;
    char reason[300];

    if (r->error == POP3CHECK_E_TIMEOUT && t->timeout_state_set)
        s = t->timeout_state;
    else if (r->error == POP3CHECK_E_INTERNAL)
        s = POP3CHECK_STATE_UNKNOWN;
    p3_format(reason, sizeof reason, "%s", r->error_text);
    raise_to(v, s, reason);
}

static void judge_cert(struct verdict *v, const struct pop3check_result *r,
                       const struct pop3check_thresholds *t)
{
    double days = pop3check_cert_days_left(r);
    char reason[128];

    if (r->cert_not_after < 0 || (!t->cert_warn_days && !t->cert_crit_days))
        return;
    if (days < 0) {
        p3_format(reason, sizeof reason, "certificate expired %.0f days ago",
                  -days);
        raise_to(v, POP3CHECK_STATE_CRITICAL, reason);
    } else if (t->cert_crit_days && days < t->cert_crit_days) {
        p3_format(reason, sizeof reason,
                  "certificate expires in %.1f days (critical < %d)", days,
                  t->cert_crit_days);
        raise_to(v, POP3CHECK_STATE_CRITICAL, reason);
    } else if (t->cert_warn_days && days < t->cert_warn_days) {
        p3_format(reason, sizeof reason,
                  "certificate expires in %.1f days (warning < %d)", days,
                  t->cert_warn_days);
        raise_to(v, POP3CHECK_STATE_WARNING, reason);
    }
}

enum pop3check_state pop3check_evaluate(const struct pop3check_result *r,
                                        const struct pop3check_thresholds *t,
                                        char *why, size_t whylen)
{
    static const struct pop3check_thresholds none = {0};
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
    for (int p = 0; p < POP3CHECK_PHASE_COUNT; p++) {
        if (r->phase_us[p] < 0)
            continue;
        judge(&v, pop3check_phase_name(p), (double)r->phase_us[p] / 1e6, " s",
              &t->phase_warn[p], &t->phase_crit[p]);
    }
    if (r->messages >= 0)
        judge(&v, "messages", (double)r->messages, "", &t->messages_warn,
              &t->messages_crit);
    if (r->octets >= 0)
        judge(&v, "mailbox size", (double)r->octets, " B", &t->octets_warn,
              &t->octets_crit);
    judge_cert(&v, r, t);
    return v.state;
}

double pop3check_cert_days_left(const struct pop3check_result *r)
{
    return (double)(r->cert_not_after - r->started_at) / 86400.0;
}
