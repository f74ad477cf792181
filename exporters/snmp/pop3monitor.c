/* SPDX-License-Identifier: MIT */
/* pop3monitor.c - POP3-MONITOR-MIB for Net-SNMP: pop3ProbeTable, and its
 * notifications on new results. One file for both ways Net-SNMP loads
 * code: linked into the AgentX subagent (agent.c) and built as
 * pop3monitor.so for snmpd's dlmod. The value of each cell comes from
 * pop3mib.c, the notifications from pop3notify.c.
 *
 * Threads: the agent's (Net-SNMP is single-threaded) answers requests
 * and sends notifications; a worker runs the config's targets on
 * libpop3check's multi loop (exporters/common/schedule.c). The worker
 * tells the agent thread through a pipe that results are in; the agent
 * thread copies them into its rows, so GET and GETNEXT only read rows
 * and never wait for a probe. The worker starts from an alarm, after
 * snmpd has forked. */
#define _DEFAULT_SOURCE
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "pop3mib.h"
#include "pop3monitor.h"
#include "pop3notify.h"
#include "schedule.h"

static const oid table_oid[] = {POP3MON_ROOT, 1, 1};
static const oid entry_oid[] = {POP3MON_ROOT, 1, 1, 1};
#define ENTRY_LEN OID_LENGTH(entry_oid)

/* The agent thread's copy of a target. */
struct row {
    oid index[1 + P3X_TARGET_NAME_MAX]; /* length, then the name's bytes */
    size_t index_len;
    struct p3x_sched_target *t;
    struct pop3check_result *r; /* owned: the last result taken */
    struct p3m_row v;           /* what the row shows; v.r is r */
    struct p3m_notes notes;     /* what its notifications follow */
};

static struct {
    char *config_path; /* pop3monitorConfig, or NULL */
    struct p3x_config *config;
    struct p3x_schedule sched;
    pthread_mutex_t lock;
    struct pop3check_multi *multi;
    pthread_t worker;
    int worker_running, stop, curl_ready;
    int pipe_rd, pipe_wr;
    struct row *rows; /* sorted by index */
    size_t nrows;
    struct row **row_of; /* by schedule index */
    size_t *fresh;       /* schedule indexes with a new result, under lock */
    size_t nfresh;
    char *is_fresh;         /* by schedule index, under lock */
    struct p3m_trip *trips; /* by schedule index, under lock */
    size_t *taken;          /* the agent thread's copy of fresh */
    unsigned alarm;
    time_t started;
    int registered;
} mon = {.lock = PTHREAD_MUTEX_INITIALIZER, .pipe_rd = -1, .pipe_wr = -1};

/* ---- requests ---- */

static int index_cmp(const oid *a, size_t alen, const oid *b, size_t blen)
{
    return snmp_oid_compare(a, alen, b, blen);
}

/* The row whose index is idx, or NULL. */
static const struct row *find_row(const oid *idx, size_t len)
{
    size_t lo = 0, hi = mon.nrows;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c =
            index_cmp(mon.rows[mid].index, mon.rows[mid].index_len, idx, len);
        if (c == 0)
            return &mon.rows[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The position of the first row whose index is after idx. */
static size_t row_after(const oid *idx, size_t len)
{
    size_t lo = 0, hi = mon.nrows;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (index_cmp(mon.rows[mid].index, mon.rows[mid].index_len, idx, len) <=
            0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int in_entry(const oid *name, size_t len)
{
    return len > ENTRY_LEN &&
           snmp_oid_compare(name, ENTRY_LEN, entry_oid, ENTRY_LEN) == 0;
}

static void answer_get(netsnmp_agent_request_info *ri,
                       netsnmp_request_info *req)
{
    netsnmp_variable_list *vb = req->requestvb;
    const struct row *w;
    oid col;
    int rc;

    if (!in_entry(vb->name, vb->name_length) ||
        (col = vb->name[ENTRY_LEN]) < P3M_FIRST || col > P3M_LAST) {
        netsnmp_set_request_error(ri, req, SNMP_NOSUCHOBJECT);
        return;
    }
    w = find_row(vb->name + ENTRY_LEN + 1, vb->name_length - ENTRY_LEN - 1);
    rc = w ? p3m_cell(vb, &w->v, (int)col) : P3M_NO_VALUE;
    if (rc == P3M_NO_VALUE)
        netsnmp_set_request_error(ri, req, SNMP_NOSUCHINSTANCE);
    else if (rc != 0)
        netsnmp_set_request_error(ri, req, SNMP_ERR_GENERR);
}

/* Where GETNEXT from vb's name starts: the column and the row to try
 * first. 0 when the name is past the table. */
static int next_start(const netsnmp_variable_list *vb, oid *col, size_t *i)
{
    *col = P3M_FIRST;
    *i = 0;
    if (in_entry(vb->name, vb->name_length)) {
        *col = vb->name[ENTRY_LEN];
        if (*col < P3M_FIRST) {
            *col = P3M_FIRST;
        } else {
            *i = row_after(vb->name + ENTRY_LEN + 1,
                           vb->name_length - ENTRY_LEN - 1);
            if (*i == mon.nrows) {
                (*col)++;
                *i = 0;
            }
        }
    } else if (snmp_oid_compare(vb->name, vb->name_length, entry_oid,
                                ENTRY_LEN) > 0) {
        return 0;
    }
    return *col <= P3M_LAST;
}

/* Column-major order: every row of a column, then the next column; a
 * cell without a value is skipped. Past the end the varbind is left
 * alone, and the agent goes on to the next registered subtree. */
static void answer_next(netsnmp_agent_request_info *ri,
                        netsnmp_request_info *req)
{
    netsnmp_variable_list *vb = req->requestvb;
    oid name[MAX_OID_LEN];
    oid col;
    size_t i;

    if (mon.nrows == 0 || !next_start(vb, &col, &i))
        return;
    for (; col <= P3M_LAST; col++, i = 0) {
        for (; i < mon.nrows; i++) {
            const struct row *w = &mon.rows[i];
            int rc = p3m_cell(vb, &w->v, (int)col);

            if (rc == P3M_NO_VALUE)
                continue;
            if (rc != 0) {
                netsnmp_set_request_error(ri, req, SNMP_ERR_GENERR);
                return;
            }
            memcpy(name, entry_oid, sizeof entry_oid);
            name[ENTRY_LEN] = col;
            memcpy(name + ENTRY_LEN + 1, w->index, w->index_len * sizeof(oid));
            snmp_set_var_objid(vb, name, ENTRY_LEN + 1 + w->index_len);
            return;
        }
    }
}

static int handle(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
                  netsnmp_agent_request_info *ri, netsnmp_request_info *req)
{
    (void)h;
    (void)reg;
    for (; req != NULL; req = req->next) {
        if (req->processed)
            continue;
        if (ri->mode == MODE_GET)
            answer_get(ri, req);
        else if (ri->mode == MODE_GETNEXT)
            answer_next(ri, req);
    }
    return SNMP_ERR_NOERROR;
}

/* ---- results: worker -> agent thread ---- */

/* Worker thread, after each result: count its round trip (here, where
 * every result is seen: the agent thread takes only the last of those
 * that came in between), note the target, and wake the agent thread
 * unless it has already been woken for earlier ones. The worker is the
 * one writer of last. */
static void wake_agent(void *ctx, size_t index)
{
    static const char one = 1;
    int wake;

    (void)ctx;
    pthread_mutex_lock(&mon.lock);
    p3m_trip_add(&mon.trips[index], mon.sched.t[index]->last);
    wake = mon.nfresh == 0;
    if (!mon.is_fresh[index]) {
        mon.is_fresh[index] = 1;
        mon.fresh[mon.nfresh++] = index;
    }
    pthread_mutex_unlock(&mon.lock);
    if (wake && write(mon.pipe_wr, &one, 1) < 0 && errno != EAGAIN)
        return; /* a full pipe already wakes it */
}

/* Under the lock: the target's last result and counters into its row.
 * -1 if the result could not be copied (the row keeps the previous one). */
static int take_one(struct row *w)
{
    if (pop3check_result_copy(w->r, w->t->last) != 0)
        return -1;
    w->v.state = w->t->state;
    w->v.runs = w->t->probes_total;
    memcpy(w->v.errors, w->t->errors_total, sizeof w->v.errors);
    w->v.trip = mon.trips[w->t->index];
    return 0;
}

/* After take_one, outside the lock: the figures kept across probes, and
 * the notifications of what changed. */
static void update_row(struct row *w)
{
    int64_t n;

    w->v.have = 1;
    if ((n = pop3check_result_figure(w->r, POP3CHECK_FIG_MESSAGES)) >= 0)
        w->v.messages = n;
    if ((n = pop3check_result_figure(w->r, POP3CHECK_FIG_OCTETS)) >= 0)
        w->v.octets = n;
    if ((n = pop3check_result_figure(w->r, POP3CHECK_FIG_CERT_NOT_AFTER)) >= 0)
        w->v.cert_not_after = n;
    p3m_notify(&w->notes, &w->v, w->index, w->index_len);
}

/* Agent thread: takes the new results into their rows, then sends the
 * notifications of changed verdicts (outside the lock). */
static void take_results(int fd, void *ctx)
{
    char buf[256];
    size_t n = 0;

    (void)ctx;
    while (read(fd, buf, sizeof buf) > 0)
        ;
    pthread_mutex_lock(&mon.lock);
    for (size_t i = 0; i < mon.nfresh; i++) {
        size_t k = mon.fresh[i];

        mon.is_fresh[k] = 0;
        if (take_one(mon.row_of[k]) == 0)
            mon.taken[n++] = k;
    }
    mon.nfresh = 0;
    pthread_mutex_unlock(&mon.lock);
    for (size_t i = 0; i < n; i++)
        update_row(mon.row_of[mon.taken[i]]);
}

/* ---- the worker ---- */

static void *worker_main(void *arg)
{
    (void)arg;
    for (;;) {
        int stop, wait;

        pthread_mutex_lock(&mon.lock);
        stop = mon.stop;
        pthread_mutex_unlock(&mon.lock);
        if (stop)
            break;
        wait = p3x_schedule_tick(&mon.sched, mon.multi, p3x_now_ms(), 1000);
        pop3check_multi_run(mon.multi, wait);
    }
    return NULL;
}

static int row_cmp(const void *a, const void *b)
{
    const struct row *x = a, *y = b;

    return index_cmp(x->index, x->index_len, y->index, y->index_len);
}

/* Frees the results of the first n rows. */
static void free_results(size_t n)
{
    for (size_t i = 0; i < n; i++) {
        pop3check_result_free(mon.rows[i].r);
        mon.rows[i].r = NULL;
    }
}

/* Row i for target i of the config, before any result. */
static int init_row(struct row *w, size_t i)
{
    const char *name = mon.config->targets[i].name;
    size_t len = strlen(name);

    w->t = mon.sched.t[i];
    w->index[0] = len;
    for (size_t k = 0; k < len; k++)
        w->index[k + 1] = (unsigned char)name[k];
    w->index_len = len + 1;
    p3m_notes_init(&w->notes);
    w->r = pop3check_result_new();
    w->v.ct = &mon.config->targets[i];
    w->v.r = w->r;
    w->v.messages = w->v.octets = w->v.cert_not_after = -1;
    w->v.counters_since = mon.started;
    return w->r ? 0 : -1;
}

static int build_rows(void)
{
    size_t n = mon.sched.n ? mon.sched.n : 1;

    mon.rows = calloc(n, sizeof *mon.rows);
    mon.row_of = calloc(n, sizeof *mon.row_of);
    mon.fresh = calloc(n, sizeof *mon.fresh);
    mon.taken = calloc(n, sizeof *mon.taken);
    mon.is_fresh = calloc(n, 1);
    mon.trips = calloc(n, sizeof *mon.trips);
    if (!mon.rows || !mon.row_of || !mon.fresh || !mon.taken || !mon.is_fresh ||
        !mon.trips)
        return -1;
    for (size_t i = 0; i < mon.sched.n; i++) {
        if (init_row(&mon.rows[i], i) != 0) {
            free_results(i + 1);
            return -1;
        }
    }
    mon.nrows = mon.sched.n;
    qsort(mon.rows, mon.nrows, sizeof *mon.rows, row_cmp);
    for (size_t i = 0; i < mon.nrows; i++)
        mon.row_of[mon.rows[i].t->index] = &mon.rows[i];
    return 0;
}

static int start_worker(void)
{
    sigset_t all, old;
    int rc;

    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old); /* signals stay the agent's */
    rc = pthread_create(&mon.worker, NULL, worker_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return -1;
    mon.worker_running = 1;
    return 0;
}

/* From the alarm: load the config (dlmod) and start probing. */
static void start(unsigned reg, void *ctx)
{
    char err[512];
    int fds[2];

    (void)reg;
    (void)ctx;
    mon.alarm = 0;
    if (mon.config == NULL) {
        const char *path = mon.config_path ? mon.config_path
                           : getenv("POP3MONITOR_CONFIG")
                               ? getenv("POP3MONITOR_CONFIG")
                               : POP3MON_DEFAULT_CONFIG;
        if (pop3monitor_load(path, err, sizeof err) != 0) {
            snmp_log(LOG_ERR, "pop3monitor: %s; serving no targets\n", err);
            return;
        }
    }
    if (pop3check_global_init(err, sizeof err) != 0) {
        snmp_log(LOG_ERR, "pop3monitor: %s\n", err);
        return;
    }
    mon.curl_ready = 1;
    if (p3x_schedule_build(&mon.sched, mon.config, NULL, &mon.lock, err,
                           sizeof err) != 0 ||
        build_rows() != 0 || pipe(fds) != 0) {
        snmp_log(LOG_ERR, "pop3monitor: cannot start: %s\n",
                 mon.sched.n ? "out of memory or descriptors" : err);
        return;
    }
    mon.pipe_rd = fds[0];
    mon.pipe_wr = fds[1];
    fcntl(mon.pipe_rd, F_SETFL, O_NONBLOCK);
    fcntl(mon.pipe_wr, F_SETFL, O_NONBLOCK);
    fcntl(mon.pipe_rd, F_SETFD, FD_CLOEXEC);
    fcntl(mon.pipe_wr, F_SETFD, FD_CLOEXEC);
    p3x_schedule_set_notify(&mon.sched, wake_agent, NULL);
    mon.multi = pop3check_multi_new();
    if (mon.multi == NULL ||
        register_readfd(mon.pipe_rd, take_results, NULL) != 0 ||
        start_worker() != 0) {
        snmp_log(LOG_ERR, "pop3monitor: cannot start the probe thread\n");
        return;
    }
    snmp_log(LOG_INFO, "pop3monitor: probing %zu targets from %s\n", mon.nrows,
             mon.config->path);
}

int pop3monitor_load(const char *path, char *err, size_t errlen)
{
    struct p3x_config *c = NULL;

    if (p3x_config_load(path, &c, err, errlen) != 0)
        return -1;
    p3x_config_free(mon.config);
    mon.config = c;
    return 0;
}

static void config_token(const char *token, char *line)
{
    char *path = line ? strdup(line) : NULL;

    (void)token;
    if (path == NULL || path[0] == '\0') {
        free(path);
        config_perror("pop3monitorConfig needs the path of the YAML file");
        return;
    }
    path[strcspn(path, " \t\r\n")] = '\0';
    free(mon.config_path);
    mon.config_path = path;
}

void init_pop3monitor(void)
{
    netsnmp_handler_registration *reg;

    mon.started = time(NULL);
    reg = netsnmp_create_handler_registration("pop3ProbeTable", handle,
                                              table_oid, OID_LENGTH(table_oid),
                                              HANDLER_CAN_RONLY);
    if (reg == NULL || netsnmp_register_handler(reg) != MIB_REGISTERED_OK) {
        snmp_log(LOG_ERR, "pop3monitor: cannot register pop3ProbeTable\n");
        return;
    }
    mon.registered = 1;
    snmpd_register_config_handler("pop3monitorConfig", config_token, NULL,
                                  "FILE (pop3check's YAML configuration)");
    /* After the agent's loop has started: snmpd forks before that. */
    mon.alarm = snmp_alarm_register(1, 0, start, NULL);
}

static void stop_worker(void)
{
    if (!mon.worker_running)
        return;
    pthread_mutex_lock(&mon.lock);
    mon.stop = 1;
    pthread_mutex_unlock(&mon.lock);
    pop3check_multi_wakeup(mon.multi);
    pthread_join(mon.worker, NULL);
    mon.worker_running = 0;
}

static void free_rows(void)
{
    if (mon.rows != NULL)
        free_results(mon.nrows);
    free(mon.rows);
    free(mon.row_of);
    free(mon.fresh);
    free(mon.taken);
    free(mon.is_fresh);
    free(mon.trips);
    mon.rows = NULL;
    mon.row_of = NULL;
    mon.fresh = mon.taken = NULL;
    mon.is_fresh = NULL;
    mon.trips = NULL;
    mon.nrows = mon.nfresh = 0;
}

void deinit_pop3monitor(void)
{
    if (mon.alarm != 0)
        snmp_alarm_unregister(mon.alarm);
    mon.alarm = 0;
    stop_worker();
    pop3check_multi_free(mon.multi); /* ends the probes in flight */
    mon.multi = NULL;
    p3x_schedule_free(&mon.sched);
    if (mon.pipe_rd >= 0) {
        unregister_readfd(mon.pipe_rd);
        close(mon.pipe_rd);
        close(mon.pipe_wr);
        mon.pipe_rd = mon.pipe_wr = -1;
    }
    if (mon.registered)
        unregister_mib((oid *)table_oid, OID_LENGTH(table_oid));
    mon.registered = 0;
    snmpd_unregister_config_handler("pop3monitorConfig");
    free_rows();
    p3x_config_free(mon.config);
    mon.config = NULL;
    free(mon.config_path);
    mon.config_path = NULL;
    if (mon.curl_ready)
        pop3check_global_cleanup();
    mon.curl_ready = 0;
    mon.stop = 0;
}
