/* SPDX-License-Identifier: MIT */
/* schedule.c - scheduled probes of the config's targets, shared by
 * pop3_exporter and the SNMP agent: each target's probe runs on its
 * interval in the caller's multi loop; its last result and counters are
 * kept for the front end to serve. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schedule.h"

const double p3x_trip_bounds[P3X_TRIP_BUCKETS] = {0.25, 0.5, 1,  2,   5,
                                                  10,   30,  60, 120, 300};

int64_t p3x_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the waiting targets: a binary min-heap on next_due ---- */

static int earlier(const struct p3x_due *d, size_t a, size_t b)
{
    return d->v[a]->next_due < d->v[b]->next_due;
}

static void place(struct p3x_due *d, size_t i, struct p3x_sched_target *t)
{
    d->v[i] = t;
    t->due_at = i;
}

static void swap(struct p3x_due *d, size_t a, size_t b)
{
    struct p3x_sched_target *t = d->v[a];

    place(d, a, d->v[b]);
    place(d, b, t);
}

static void sift_up(struct p3x_due *d, size_t i)
{
    while (i > 0 && earlier(d, i, (i - 1) / 2)) {
        swap(d, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void sift_down(struct p3x_due *d, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < d->n && earlier(d, l, m))
            m = l;
        if (r < d->n && earlier(d, r, m))
            m = r;
        if (m == i)
            return;
        swap(d, i, m);
        i = m;
    }
}

/* Room for every target was made when the schedule was built. */
static void due_push(struct p3x_due *d, struct p3x_sched_target *t)
{
    place(d, d->n++, t);
    sift_up(d, d->n - 1);
}

static struct p3x_sched_target *due_pop(struct p3x_due *d)
{
    struct p3x_sched_target *t = d->v[0];

    place(d, 0, d->v[--d->n]);
    sift_down(d, 0);
    return t;
}

static void due_free(struct p3x_due *d)
{
    if (d != NULL)
        free(d->v);
    free(d);
}

static void target_free(struct p3x_sched_target *t)
{
    if (t == NULL)
        return;
    pop3check_probe_free(t->probe);
    pop3check_thresholds_free(t->thr);
    pop3check_result_free(t->last);
    p3x_log_free(&t->last_log);
    p3x_log_free(&t->trace);
    free(t->trip);
    free(t);
}

/* Every scheduled probe traces into its target: only kept when asked
 * (p3x_schedule_keep_logs), so that the SNMP agent keeps none. */
static void sched_trace(void *ctx, enum pop3check_trace_dir dir,
                        const char *line, size_t len)
{
    struct p3x_sched_target *t = ctx;

    if (t->keep_logs)
        p3x_log_trace(&t->trace, dir, line, len);
}

static struct p3x_sched_target *target_new(const struct p3x_target *ct,
                                           pthread_mutex_t *lock, char *err,
                                           size_t errlen)
{
    struct p3x_sched_target *t = calloc(1, sizeof *t);
    struct pop3check_options *o = NULL;
    long timeout_ms = 0, age = 0;

    if (t == NULL ||
        (t->thr = pop3check_thresholds_dup(ct->module->thr)) == NULL ||
        (t->last = pop3check_result_new()) == NULL ||
        (ct->module->round_trip &&
         (t->trip = calloc(1, sizeof *t->trip)) == NULL)) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    o = p3x_module_options(ct->module, ct->host, ct->port, err, errlen);
    /* A target runs again and again: its age also keeps when each message
     * was first seen. */
    if (o != NULL &&
        pop3check_options_get_long(o, POP3CHECK_OPT_AGE, &age) == 0 &&
        age == 1 && pop3check_options_set_long(o, POP3CHECK_OPT_AGE, 2) != 0) {
        snprintf(err, errlen, "%s", pop3check_options_error(o));
        goto fail;
    }
    if (o != NULL)
        pop3check_options_set_trace(o, sched_trace, t);
    if (o == NULL || (t->probe = pop3check_probe_new(o, err, errlen)) == NULL)
        goto fail;
    pop3check_options_get_long(o, POP3CHECK_OPT_TIMEOUT_MS, &timeout_ms);
    pop3check_options_free(o);
    snprintf(t->name, sizeof t->name, "%s", ct->name);
    if (ct->port != 0)
        snprintf(t->host, sizeof t->host, "%s:%u", ct->host, ct->port);
    else
        snprintf(t->host, sizeof t->host, "%s", ct->host);
    snprintf(t->module, sizeof t->module, "%s", ct->module->name);
    t->timeout_s = (double)timeout_ms / 1000.0;
    t->interval_ms = (int64_t)(ct->interval_s * 1000);
    t->lock = lock;
    t->lag_ms = -1;
    return t;
fail:
    pop3check_options_free(o);
    target_free(t);
    return NULL;
}

/* Keeps what /metrics showed for a target of the same name. */
static void carry_over(struct p3x_sched_target *t,
                       const struct p3x_schedule *old)
{
    for (size_t i = 0; old && i < old->n; i++) {
        const struct p3x_sched_target *o = old->t[i];
        if (strcmp(o->name, t->name) != 0)
            continue;
        /* Without memory for the copy the target starts afresh. */
        if (pop3check_result_copy(t->last, o->last) != 0)
            return;
        t->have_result = o->have_result;
        t->state = o->state;
        t->since = o->since;
        memcpy(t->reason, o->reason, sizeof t->reason);
        memcpy(t->hist, o->hist, sizeof t->hist);
        (void)p3x_log_copy(&t->last_log, &o->last_log); /* or none */
        t->probes_total = o->probes_total;
        memcpy(t->errors_total, o->errors_total, sizeof t->errors_total);
        if (t->trip != NULL && o->trip != NULL)
            *t->trip = *o->trip;
        /* When each message was first seen: without memory for the copy,
         * the target's sightings start afresh. */
        (void)pop3check_probe_carry(t->probe, o->probe);
        t->next_due = o->next_due;
        t->lag_ms = o->lag_ms;
        return;
    }
}

/* How far apart the first probes start (ms): at most START_RATE a second,
 * and all of them within the shortest interval. Later probes keep their
 * phase (p3x_schedule_tick), so the probes of an interval stay spread
 * over it instead of coming in one burst of every target at once. */
#define START_RATE 100
static double first_gap_ms(const struct p3x_config *c)
{
    double shortest = 0;

    for (size_t i = 0; i < c->ntargets; i++)
        if (shortest == 0 || c->targets[i].interval_s < shortest)
            shortest = c->targets[i].interval_s;
    shortest = shortest * 1000 / (double)c->ntargets;
    return shortest < 1000.0 / START_RATE ? shortest : 1000.0 / START_RATE;
}

int p3x_schedule_build(struct p3x_schedule *out, const struct p3x_config *c,
                       const struct p3x_schedule *old, pthread_mutex_t *lock,
                       char *err, size_t errlen)
{
    int64_t now = p3x_now_ms();
    double gap;

    out->t = NULL;
    out->n = 0;
    out->due = NULL;
    if (c->ntargets == 0)
        return 0;
    gap = first_gap_ms(c);
    out->t = calloc(c->ntargets, sizeof *out->t);
    out->due = calloc(1, sizeof *out->due);
    if (out->due != NULL)
        out->due->v = calloc(c->ntargets, sizeof *out->due->v);
    if (out->t == NULL || out->due == NULL || out->due->v == NULL) {
        p3x_schedule_free(out);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < c->ntargets; i++) {
        struct p3x_sched_target *t =
            target_new(&c->targets[i], lock, err, errlen);
        if (t == NULL) {
            p3x_schedule_retire(out);
            return -1;
        }
        t->index = i;
        t->next_due = now + (int64_t)((double)i * gap);
        carry_over(t, old);
        out->t[out->n++] = t;
        t->due = out->due;
        due_push(out->due, t);
    }
    return 0;
}

void p3x_schedule_set_notify(struct p3x_schedule *s, void (*fn)(void *, size_t),
                             void *ctx)
{
    for (size_t i = 0; i < s->n; i++) {
        s->t[i]->notify = fn;
        s->t[i]->notify_ctx = ctx;
    }
}

/* The arrays of a schedule, not its targets. */
static void drop_arrays(struct p3x_schedule *s)
{
    free(s->t);
    due_free(s->due);
    s->t = NULL;
    s->n = 0;
    s->due = NULL;
}

void p3x_schedule_retire(struct p3x_schedule *s)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->t[i]->running) {
            s->t[i]->retired = 1; /* freed by on_done */
            s->t[i]->due = NULL;
        } else {
            target_free(s->t[i]);
        }
    }
    drop_arrays(s);
}

void p3x_schedule_free(struct p3x_schedule *s)
{
    for (size_t i = 0; i < s->n; i++)
        target_free(s->t[i]);
    drop_arrays(s);
}

void p3x_schedule_keep_logs(struct p3x_schedule *s)
{
    for (size_t i = 0; i < s->n; i++)
        s->t[i]->keep_logs = 1;
}

const struct p3x_sched_target *p3x_schedule_find(const struct p3x_schedule *s,
                                                 const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->t[i]->name, name) == 0)
            return s->t[i];
    return NULL;
}

/* Under t's lock: r as the newest point of t's history. */
static void add_point(struct p3x_sched_target *t,
                      const struct pop3check_result *r, enum pop3check_state st)
{
    struct p3x_sched_point *pt = &t->hist[t->probes_total % P3X_SCHED_HISTORY];
    const int64_t started =
        pop3check_result_figure(r, POP3CHECK_FIG_STARTED_AT);

    pt->started = started;
    pt->total_us = pop3check_result_phase_us(r, POP3CHECK_PHASE_TOTAL);
    pt->delivery_us =
        pop3check_result_figure(r, POP3CHECK_FIG_DELIVERED) == 1
            ? pop3check_result_phase_us(r, POP3CHECK_PHASE_DELIVERY)
            : -1;
    pt->state = st;
    pt->error = pop3check_result_error(r);
    if (!t->have_result || st != t->state)
        t->since = started > 0 ? started : (int64_t)time(NULL);
}

/* Adds a round trip's result to its target's totals. */
static void count_trip(struct p3x_trip_totals *tt,
                       const struct pop3check_result *r)
{
    const enum pop3check_error e = pop3check_result_error(r);
    const enum pop3check_phase failed = pop3check_result_failed_phase(r);
    const int64_t us = pop3check_result_phase_us(r, POP3CHECK_PHASE_DELIVERY);
    const int64_t stale =
        pop3check_result_figure(r, POP3CHECK_FIG_STALE_CLEANED);
    size_t b = 0;

    if (pop3check_result_figure(r, POP3CHECK_FIG_DELIVERED) == 1 && us >= 0) {
        while (b < P3X_TRIP_BUCKETS && (double)us / 1e6 > p3x_trip_bounds[b])
            b++;
        tt->delivered[b]++;
        tt->deliveries++;
        tt->delivery_s += (double)us / 1e6;
    }
    if (e != POP3CHECK_E_OK && failed >= POP3CHECK_PHASE_SMTP_RESOLVE &&
        failed <= POP3CHECK_PHASE_SMTP_SUBMIT)
        tt->submission_failures++;
    if (e == POP3CHECK_E_NOT_DELIVERED)
        tt->not_delivered++;
    if (stale > 0)
        tt->stale_cleaned += (uint64_t)stale;
}

void p3x_schedule_set_log(struct p3x_schedule *s,
                          void (*fn)(void *, const char *, const char *),
                          void *ctx)
{
    for (size_t i = 0; i < s->n; i++) {
        s->t[i]->log = fn;
        s->t[i]->log_ctx = ctx;
    }
}

/* Under t's lock: the line to log for this result, or 0 when nothing
 * changed since the last one logged. */
static int change_line(struct p3x_sched_target *t, enum pop3check_state st,
                       enum pop3check_error e, const char *reason, char *line,
                       size_t len)
{
    if (t->log == NULL ||
        (t->logged && st == t->logged_state && e == t->logged_error))
        return 0;
    t->logged = 1;
    t->logged_state = st;
    t->logged_error = e;
    if (e != POP3CHECK_E_OK)
        reason = pop3check_result_text(t->last, POP3CHECK_TEXT_ERROR);
    snprintf(line, len, "target %s: %s%s%s", t->name, pop3check_state_name(st),
             reason[0] != '\0' ? ": " : "", reason);
    return 1;
}

static void on_done(void *ctx, struct pop3check_probe *p,
                    const struct pop3check_result *r)
{
    struct p3x_sched_target *t = ctx;
    const enum pop3check_error e = pop3check_result_error(r);
    enum pop3check_state st;
    char line[P3X_TARGET_NAME_MAX + 600], reason[256] = "";
    int say;

    (void)p;
    t->running = 0;
    if (t->retired) {
        target_free(t);
        return;
    }
    due_push(t->due, t);
    st = pop3check_evaluate(r, t->thr, reason, sizeof reason);
    pthread_mutex_lock(t->lock);
    /* A result that cannot be kept is shown as the failure it is. */
    if (pop3check_result_copy(t->last, r) != 0) {
        pop3check_result_set_error(t->last, POP3CHECK_E_INTERNAL,
                                   "out of memory keeping the result");
        st = POP3CHECK_STATE_UNKNOWN;
        reason[0] = '\0';
    }
    add_point(t, t->last, st);
    t->state = st;
    t->have_result = 1;
    t->probes_total++;
    snprintf(t->reason, sizeof t->reason, "%s",
             pop3check_result_error(t->last) != POP3CHECK_E_OK
                 ? pop3check_result_text(t->last, POP3CHECK_TEXT_ERROR)
                 : reason);
    if (t->keep_logs) { /* the next probe writes into the older buffer */
        struct p3x_log done = t->trace;
        t->trace = t->last_log;
        t->last_log = done;
    }
    /* A kind a newer library has and this build does not know counts as
     * internal, so that every failure is in exactly one counter. */
    if (e != POP3CHECK_E_OK)
        t->errors_total[(unsigned)e < POP3CHECK_E_KNOWN
                            ? e
                            : POP3CHECK_E_INTERNAL]++;
    if (t->trip != NULL)
        count_trip(t->trip, r);
    say = change_line(t, st, e, reason, line, sizeof line);
    pthread_mutex_unlock(t->lock);
    if (say)
        t->log(t->log_ctx, st == POP3CHECK_STATE_OK ? "info" : "warn", line);
    if (t->notify != NULL)
        t->notify(t->notify_ctx, t->index);
}

/* Starts t's probe, due at t->next_due. The next one is due an interval
 * later: the phase stays, unless the probe is more than an interval late
 * (the machine was suspended, say), then it starts anew from now. A
 * target whose probe cannot start waits for its next turn. */
static void start(struct p3x_sched_target *t, struct pop3check_multi *m,
                  int64_t now)
{
    pthread_mutex_lock(t->lock);
    t->lag_ms = now - t->next_due;
    pthread_mutex_unlock(t->lock);
    t->next_due += t->interval_ms;
    p3x_log_reset(&t->trace);
    if (t->next_due <= now)
        t->next_due = now + t->interval_ms;
    if (pop3check_multi_add(m, t->probe, on_done, t) == 0)
        t->running = 1;
    else
        due_push(t->due, t);
}

int p3x_schedule_tick(struct p3x_schedule *s, struct pop3check_multi *m,
                      int64_t now, int max_wait)
{
    struct p3x_due *d = s->due;
    int64_t wait;

    while (d != NULL && d->n > 0 && d->v[0]->next_due <= now) {
        int64_t after = p3x_now_ms(); /* starting takes time too */
        if (after > now)
            now = after;
        start(due_pop(d), m, now);
    }
    if (d == NULL || d->n == 0)
        return max_wait;
    wait = d->v[0]->next_due - now;
    if (wait > max_wait)
        wait = max_wait;
    return wait < 0 ? 0 : (int)wait;
}
