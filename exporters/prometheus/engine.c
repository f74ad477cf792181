/* SPDX-License-Identifier: MIT */
/* engine.c - pop3_exporter's probe thread: runs every /probe request and
 * every scheduled target on libpop3check's multi loop, resumes the
 * suspended HTTP requests, and writes the textfile collector's file. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server_internal.h"

/* Called on the engine thread; after the resume the HTTP thread owns j
 * again (and may free it at once), so j is not touched after it. r is the
 * probe's, which the job keeps until it is freed. */
static void on_probe_done(void *ctx, struct pop3check_probe *p,
                          const struct pop3check_result *r)
{
    struct job *j = ctx;

    (void)p;
    j->result = r;
    j->state = r != NULL
                   ? pop3check_evaluate(r, j->thr, j->reason, sizeof j->reason)
                   : POP3CHECK_STATE_UNKNOWN;
    MHD_resume_connection(j->conn);
}

/* A job the engine cannot run (it is stopping, or out of memory): an
 * internal error, or no result at all (the request is then dropped). */
static void refuse_job(struct job *j, const char *why)
{
    j->refusal = pop3check_result_new();
    if (j->refusal != NULL)
        pop3check_result_set_error(j->refusal, POP3CHECK_E_INTERNAL, why);
    on_probe_done(j, j->probe, j->refusal);
}

static void log_target(void *ctx, const char *level, const char *line)
{
    (void)ctx;
    p3x_log(level, "%s", line);
}

/* Rebuilds the schedule from the config after a (re)load; the targets
 * of the old one end when their probes do. */
static void reschedule(struct p3x_server *s)
{
    struct p3x_schedule fresh, old;
    char err[256];

    pthread_mutex_lock(&s->lock);
    if (p3x_schedule_build(&fresh, s->config, &s->sched, &s->lock, err,
                           sizeof err) != 0) {
        pthread_mutex_unlock(&s->lock);
        p3x_log("error", "scheduled targets not updated: %s", err);
        return;
    }
    p3x_schedule_set_log(&fresh, log_target, NULL);
    p3x_schedule_keep_logs(&fresh); /* for the status page's /logs */
    old = s->sched;
    s->sched = fresh;
    pthread_mutex_unlock(&s->lock);
    p3x_schedule_retire(&old);
}

/* Writes the scheduled targets' metrics for node_exporter's textfile
 * collector: a temporary file renamed over the old one, so that the
 * collector never reads half a file. */
static void write_textfile(struct p3x_server *s)
{
    struct p3x_families fs = {0};
    char tmp[4200];
    char *text = NULL;
    size_t len = 0;
    FILE *f;
    int rc;

    pthread_mutex_lock(&s->lock);
    rc = p3x_schedule_families(&s->sched, &fs);
    pthread_mutex_unlock(&s->lock);
    if (rc == 0)
        rc = p3x_render_text(&fs, &text, &len);
    p3x_families_free(&fs);
    snprintf(tmp, sizeof tmp, "%s.tmp", s->textfile);
    if (rc != 0 || (f = fopen(tmp, "w")) == NULL) {
        free(text);
        p3x_log("error", "cannot write %s", tmp);
        return;
    }
    rc = fwrite(text, 1, len, f) == len ? 0 : -1;
    if (fclose(f) != 0 || rc != 0 || rename(tmp, s->textfile) != 0) {
        p3x_log("error", "cannot write %s", s->textfile);
        unlink(tmp);
    }
    free(text);
}

/* Takes new jobs, starts the scheduled probes when due and drives every
 * probe until told to stop; then lets the probes in flight end at their
 * deadlines, so that every suspended request is answered. */
void *p3x_engine_main(void *arg)
{
    struct p3x_server *s = arg;
    unsigned gen = 0;
    int running = 0, wait = 1000;
    int64_t written = 0;

    for (;;) {
        pthread_mutex_lock(&s->lock);
        struct job *todo = s->incoming;
        int stop = s->stop;
        unsigned want = s->config_gen;
        s->incoming = NULL;
        pthread_mutex_unlock(&s->lock);
        if (!stop && want != gen) {
            reschedule(s);
            gen = want;
        }
        if (!stop)
            wait = p3x_schedule_tick(&s->sched, s->multi, p3x_now_ms(), 1000);
        if (s->textfile && !stop && p3x_now_ms() - written >= 1000) {
            write_textfile(s);
            written = p3x_now_ms();
        }
        for (struct job *j = todo, *next; j; j = next) {
            next = j->next;
            j->next = NULL;
            if (stop)
                refuse_job(j, "the exporter is shutting down");
            else if (pop3check_multi_add(s->multi, j->probe, on_probe_done,
                                         j) != 0)
                refuse_job(j, "cannot start the probe");
        }
        if (stop && running == 0)
            break;
        running = pop3check_multi_run(s->multi, stop ? 1000 : wait);
    }
    return NULL;
}
