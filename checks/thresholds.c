/* SPDX-License-Identifier: MIT */
/* thresholds.c - warning and critical ranges on each phase's time and on
 * the measures of pop3check.h, set from the text a user wrote (Monitoring
 * Plugins development guidelines) and kept for perfdata. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct pop3check_thresholds *pop3check_thresholds_new(void)
{
    struct pop3check_thresholds *t = p3_calloc(1, sizeof *t);

    if (t != NULL)
        t->timeout_state = POP3CHECK_STATE_CRITICAL;
    return t;
}

struct pop3check_thresholds *
pop3check_thresholds_dup(const struct pop3check_thresholds *t)
{
    struct pop3check_thresholds *c;

    if (t == NULL)
        return pop3check_thresholds_new();
    c = p3_calloc(1, sizeof *c);
    if (c != NULL)
        *c = *t;
    return c;
}

void pop3check_thresholds_free(struct pop3check_thresholds *t)
{
    free(t);
}

/* The range slot for (measure or phase, level), or NULL. */
static struct p3_range *slot(struct pop3check_thresholds *t, int is_phase,
                             unsigned which, enum pop3check_state level)
{
    struct p3_range *warn, *crit;

    if (is_phase) {
        if (which >= P3_PHASES)
            return NULL;
        warn = &t->phase_warn[which];
        crit = &t->phase_crit[which];
    } else {
        if (which >= P3_COUNT(t->measure_warn))
            return NULL;
        warn = &t->measure_warn[which];
        crit = &t->measure_crit[which];
    }
    if (level == POP3CHECK_STATE_WARNING)
        return warn;
    return level == POP3CHECK_STATE_CRITICAL ? crit : NULL;
}

static int set(struct pop3check_thresholds *t, int is_phase, unsigned which,
               enum pop3check_state level, const char *range)
{
    struct p3_range *r = slot(t, is_phase, which, level);
    struct p3_range parsed = {0};

    if (r == NULL || (range != NULL && p3_range_parse(range, &parsed) != 0))
        return -1;
    *r = parsed; /* unset when range is NULL */
    return 0;
}

static const char *get(const struct pop3check_thresholds *t, int is_phase,
                       unsigned which, enum pop3check_state level)
{
    const struct p3_range *r =
        slot((struct pop3check_thresholds *)t, is_phase, which, level);

    return r != NULL && r->set ? r->text : NULL;
}

int pop3check_thresholds_set(struct pop3check_thresholds *t,
                             enum pop3check_measure m,
                             enum pop3check_state level, const char *range)
{
    return set(t, 0, (unsigned)m, level, range);
}

int pop3check_thresholds_set_phase(struct pop3check_thresholds *t,
                                   enum pop3check_phase p,
                                   enum pop3check_state level,
                                   const char *range)
{
    return set(t, 1, (unsigned)p, level, range);
}

const char *pop3check_thresholds_get(const struct pop3check_thresholds *t,
                                     enum pop3check_measure m,
                                     enum pop3check_state level)
{
    return get(t, 0, (unsigned)m, level);
}

const char *pop3check_thresholds_get_phase(const struct pop3check_thresholds *t,
                                           enum pop3check_phase p,
                                           enum pop3check_state level)
{
    return get(t, 1, (unsigned)p, level);
}

int pop3check_thresholds_set_timeout_state(struct pop3check_thresholds *t,
                                           enum pop3check_state s)
{
    if ((unsigned)s > POP3CHECK_STATE_UNKNOWN)
        return -1;
    t->timeout_state = s;
    return 0;
}

enum pop3check_state
pop3check_thresholds_timeout_state(const struct pop3check_thresholds *t)
{
    return t->timeout_state;
}
