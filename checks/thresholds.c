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

/* Every range slot, for the functions that visit them all. */
#define P3_SLOTS (2 * (P3_PHASES + P3_MEASURES))
static struct p3_range **slot_at(struct pop3check_thresholds *t, size_t i)
{
    size_t level = i / (P3_PHASES + P3_MEASURES);

    i %= P3_PHASES + P3_MEASURES;
    return i < P3_PHASES ? &t->phase[level][i]
                         : &t->measure[level][i - P3_PHASES];
}

void pop3check_thresholds_free(struct pop3check_thresholds *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < P3_SLOTS; i++)
        free(*slot_at(t, i));
    free(t);
}

struct pop3check_thresholds *
pop3check_thresholds_dup(const struct pop3check_thresholds *t)
{
    struct pop3check_thresholds *c;

    if (t == NULL)
        return pop3check_thresholds_new();
    if ((c = pop3check_thresholds_new()) == NULL)
        return NULL;
    c->timeout_state = t->timeout_state;
    memcpy(c->error_state, t->error_state, sizeof c->error_state);
    for (size_t i = 0; i < P3_SLOTS; i++) {
        const struct p3_range *r =
            *slot_at((struct pop3check_thresholds *)t, i);
        struct p3_range **to = slot_at(c, i);
        if (r == NULL)
            continue;
        if ((*to = p3_calloc(1, sizeof **to)) == NULL) {
            pop3check_thresholds_free(c);
            return NULL;
        }
        **to = *r;
    }
    return c;
}

/* The range slot for (measure or phase, level), or NULL. */
static struct p3_range **slot(const struct pop3check_thresholds *t,
                              int is_phase, unsigned which,
                              enum pop3check_state level)
{
    struct pop3check_thresholds *w = (struct pop3check_thresholds *)t;
    int l = level == POP3CHECK_STATE_WARNING    ? 0
            : level == POP3CHECK_STATE_CRITICAL ? 1
                                                : -1;

    if (l < 0 || which >= (unsigned)(is_phase ? P3_PHASES : P3_MEASURES))
        return NULL;
    return is_phase ? &w->phase[l][which] : &w->measure[l][which];
}

static int set(struct pop3check_thresholds *t, int is_phase, unsigned which,
               enum pop3check_state level, const char *range)
{
    struct p3_range **r = slot(t, is_phase, which, level);
    struct p3_range parsed = {0};

    if (r == NULL || (range != NULL && p3_range_parse(range, &parsed) != 0))
        return -1;
    if (range == NULL) {
        free(*r);
        *r = NULL;
        return 0;
    }
    if (*r == NULL && (*r = p3_calloc(1, sizeof **r)) == NULL)
        return -1;
    **r = parsed;
    return 0;
}

static const char *get(const struct pop3check_thresholds *t, int is_phase,
                       unsigned which, enum pop3check_state level)
{
    struct p3_range **r = slot(t, is_phase, which, level);

    return r != NULL && *r != NULL ? (*r)->text : NULL;
}

const struct p3_range *p3_thresholds_phase(const struct pop3check_thresholds *t,
                                           int phase,
                                           enum pop3check_state level)
{
    struct p3_range **r = slot(t, 1, (unsigned)phase, level);

    return r ? *r : NULL;
}

const struct p3_range *
p3_thresholds_measure(const struct pop3check_thresholds *t, int measure,
                      enum pop3check_state level)
{
    struct p3_range **r = slot(t, 0, (unsigned)measure, level);

    return r ? *r : NULL;
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

int pop3check_thresholds_set_error_state(struct pop3check_thresholds *t,
                                         enum pop3check_error e,
                                         enum pop3check_state s)
{
    if ((unsigned)s > POP3CHECK_STATE_UNKNOWN || e == POP3CHECK_E_OK ||
        (unsigned)e >= P3_ERRORS)
        return -1;
    if (e == POP3CHECK_E_TIMEOUT)
        return pop3check_thresholds_set_timeout_state(t, s);
    t->error_state[e] = (unsigned char)(s + 1);
    return 0;
}

enum pop3check_state
pop3check_thresholds_error_state(const struct pop3check_thresholds *t,
                                 enum pop3check_error e)
{
    if (e == POP3CHECK_E_TIMEOUT)
        return t->timeout_state;
    if ((unsigned)e < P3_ERRORS && t->error_state[e] != 0)
        return (enum pop3check_state)(t->error_state[e] - 1);
    return e == POP3CHECK_E_INTERNAL ? POP3CHECK_STATE_UNKNOWN
                                     : POP3CHECK_STATE_CRITICAL;
}
