/* SPDX-License-Identifier: MIT */
/* multi.c - the public runners: many probes at once on one thread (one
 * loop, one shared libcurl multi handle), and pop3check_probe_run(), which
 * is one probe on a runner of its own. */
#include <stdlib.h>

#include "probe.h"

/* A probe in the multi, with the caller's callback. */
struct run {
    struct pop3check_probe *probe;
    pop3check_done_fn *done;
    void *ctx;
    struct pop3check_multi *m;
    struct run *prev, *next;
};

struct pop3check_multi {
    struct p3_loop *loop;
    struct p3_curlm *cm;
    struct run *head; /* running probes */
    int running;
};

struct pop3check_multi *pop3check_multi_new(void)
{
    struct pop3check_multi *m = p3_calloc(1, sizeof *m);

    if (m == NULL)
        return NULL;
    m->loop = p3_loop_new();
    m->cm = m->loop ? p3_curlm_new(m->loop) : NULL;
    if (m->cm == NULL) {
        p3_loop_free(m->loop);
        free(m);
        return NULL;
    }
    return m;
}

static void unlink_run(struct pop3check_multi *m, struct run *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else
        m->head = r->next;
    if (r->next)
        r->next->prev = r->prev;
    m->running--;
}

static void on_end(void *ctx, struct pop3check_probe *p)
{
    struct run *r = ctx;
    pop3check_done_fn *done = r->done;
    void *done_ctx = r->ctx;

    unlink_run(r->m, r);
    free(r);
    if (done != NULL)
        done(done_ctx, p, pop3check_probe_result(p));
}

int pop3check_multi_add(struct pop3check_multi *m, struct pop3check_probe *p,
                        pop3check_done_fn *done, void *ctx)
{
    struct run *r;

    if (m == NULL || p == NULL || p3_probe_running(p))
        return -1;
    r = p3_calloc(1, sizeof *r);
    if (r == NULL)
        return -1;
    *r = (struct run){p, done, ctx, m, NULL, m->head};
    if (m->head)
        m->head->prev = r;
    m->head = r;
    m->running++;
    p3_probe_begin(p, m->loop, m->cm, on_end, r);
    return 0;
}

int pop3check_multi_run(struct pop3check_multi *m, int timeout_ms)
{
    if (m->running == 0 && timeout_ms < 0)
        return 0; /* nothing could ever wake us */
    if (p3_loop_turn(m->loop, timeout_ms) != 0)
        return -1;
    return m->running;
}

int pop3check_multi_wakeup(struct pop3check_multi *m)
{
    return p3_loop_wakeup(m->loop);
}

void pop3check_multi_free(struct pop3check_multi *m)
{
    if (m == NULL)
        return;
    while (m->head != NULL) {
        struct run *r = m->head;
        unlink_run(m, r);
        p3_probe_abort(r->probe);
        free(r);
    }
    p3_curlm_free(m->cm);
    p3_loop_free(m->loop);
    free(m);
}

const struct pop3check_result *pop3check_probe_run(struct pop3check_probe *p)
{
    struct pop3check_multi *m = pop3check_multi_new();

    if (m == NULL || pop3check_multi_add(m, p, NULL, NULL) != 0) {
        p3_probe_refuse(p, m == NULL ? "cannot create the event loop (out of "
                                       "memory?)"
                           : p3_probe_running(p)
                               ? "the probe is running already"
                               : "out of memory");
        pop3check_multi_free(m);
        return pop3check_probe_result(p);
    }
    while (pop3check_multi_run(m, -1) > 0)
        ;
    pop3check_multi_free(m);
    return pop3check_probe_result(p);
}
