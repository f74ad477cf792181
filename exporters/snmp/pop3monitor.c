/* SPDX-License-Identifier: MIT */
/* pop3monitor.c - POP3-MONITOR-MIB for Net-SNMP: pop3ProbeTable and the
 * notifications pop3ProbeFailed / pop3ProbeRecovered. One file for both
 * ways Net-SNMP loads code: linked into the AgentX subagent (agent.c)
 * and built as pop3monitor.so for snmpd's dlmod.
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

#include <arpa/inet.h>
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
#include "pop3monitor.h"
#include "schedule.h"

/* netsnmpPlaypen.110 until the project has an enterprise number: the only
 * OID to change when it moves (with the MIB's MODULE-IDENTITY). */
#define POP3MON_ROOT 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 110

static const oid table_oid[] = {POP3MON_ROOT, 1, 1};
static const oid entry_oid[] = {POP3MON_ROOT, 1, 1, 1};
static const oid failed_oid[] = {POP3MON_ROOT, 0, 1};
static const oid recovered_oid[] = {POP3MON_ROOT, 0, 2};
static const oid snmptrap_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};
#define ENTRY_LEN OID_LENGTH(entry_oid)

/* Columns of pop3ProbeEntry (1, the name, is the index). */
enum {
    C_HOST = 2,
    C_PORT,
    C_TLS,
    C_INTERVAL,
    C_TIMEOUT,
    C_STATUS,
    C_SUCCESS,
    C_TIME,
    C_FAILED_PHASE,
    C_ERROR_TEXT,
    C_ADDR_TYPE,
    C_ADDR,
    C_PHASES,
    C_PHASE_TIME,                                      /* 15: resolve .. */
    C_MESSAGES = C_PHASE_TIME + POP3CHECK_PHASE_COUNT, /* 29, after total */
    C_OCTETS,
    C_TLS_VERSION,
    C_CERT_EXPIRY,
    C_RUNS,
    C_FAILURES,
    C_ERRORS, /* 35: kind resolve .. */
    C_DISCONTINUITY = C_ERRORS + POP3CHECK_E_COUNT - 1, /* 44 */
    C_ERROR_KIND,
    C_FIRST = C_HOST,
    C_LAST = C_ERROR_KIND
};

/* The agent thread's copy of a target. */
struct row {
    oid index[1 + P3X_TARGET_NAME_MAX]; /* length, then the name's bytes */
    size_t index_len;
    const struct p3x_target *ct;
    struct p3x_sched_target *t;
    int have; /* a probe has completed */
    struct pop3check_result r;
    enum pop3check_state state;
    unsigned long runs, errors[POP3CHECK_E_COUNT];
    int64_t messages, octets, cert_not_after; /* last known, -1 before */
    int failing;                              /* -1 before the first */
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
    char *is_fresh; /* by schedule index, under lock */
    size_t *taken;  /* the agent thread's copy of fresh */
    unsigned alarm;
    time_t started;
    int registered;
} mon = {.lock = PTHREAD_MUTEX_INITIALIZER, .pipe_rd = -1, .pipe_wr = -1};

/* ---- values ---- */

/* DateAndTime (RFC 2579), UTC: 11 octets; 8 zero octets for "never". */
static size_t date_and_time(int64_t t, u_char *buf)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (t < 0 || gmtime_r(&tt, &tm) == NULL) {
        memset(buf, 0, 8);
        return 8;
    }
    buf[0] = (u_char)((tm.tm_year + 1900) >> 8);
    buf[1] = (u_char)((tm.tm_year + 1900) & 0xff);
    buf[2] = (u_char)(tm.tm_mon + 1);
    buf[3] = (u_char)tm.tm_mday;
    buf[4] = (u_char)tm.tm_hour;
    buf[5] = (u_char)tm.tm_min;
    buf[6] = (u_char)(tm.tm_sec > 59 ? 59 : tm.tm_sec);
    buf[7] = 0;
    buf[8] = '+';
    buf[9] = 0;
    buf[10] = 0;
    return 11;
}

static u_long gauge(int64_t v)
{
    return v < 0 ? 0 : v > 4294967295LL ? 4294967295UL : (u_long)v;
}

static unsigned effective_port(const struct p3x_target *ct)
{
    const struct pop3check_options *o = &ct->module->opts;

    if (ct->port)
        return ct->port;
    if (o->port)
        return o->port;
    return o->tls == POP3CHECK_TLS_IMPLICIT ? 995 : 110;
}

static void set_int(netsnmp_variable_list *vb, long v)
{
    snmp_set_var_typed_value(vb, ASN_INTEGER, &v, sizeof v);
}

static void set_unsigned(netsnmp_variable_list *vb, u_char type, u_long v)
{
    snmp_set_var_typed_value(vb, type, &v, sizeof v);
}

static void set_string(netsnmp_variable_list *vb, const void *s, size_t n)
{
    snmp_set_var_typed_value(vb, ASN_OCTET_STR, s, n);
}

static void set_phase_time(netsnmp_variable_list *vb, const struct row *w,
                           int ph)
{
    set_unsigned(vb, ASN_GAUGE, w->have ? gauge(w->r.phase_us[ph]) : 0);
}

/* Bit n of a BITS value is the octet n / 8, from its high bit. */
static void set_phases_completed(netsnmp_variable_list *vb, const struct row *w)
{
    u_char bits[(POP3CHECK_PHASE_TOTAL + 7) / 8] = {0};

    for (int ph = 0; w->have && ph < POP3CHECK_PHASE_TOTAL; ph++) {
        int failed =
            w->r.error != POP3CHECK_E_OK && (int)w->r.failed_phase == ph;
        if (w->r.phase_us[ph] >= 0 && !failed)
            bits[ph / 8] |= (u_char)(0x80 >> (ph % 8));
    }
    set_string(vb, bits, sizeof bits);
}

static void set_address(netsnmp_variable_list *vb, const struct row *w,
                        int type)
{
    /* Where a refused connect went is not reported: for an address
     * literal target, that address is where it went. */
    const char *ip = w->r.peer_ip[0] ? w->r.peer_ip : w->ct->host;
    u_char a[16];
    long t = 0;
    size_t n = 0;

    if (w->have && inet_pton(AF_INET, ip, a) == 1)
        t = 1, n = 4;
    else if (w->have && inet_pton(AF_INET6, ip, a) == 1)
        t = 2, n = 16;
    if (type)
        set_int(vb, t);
    else
        set_string(vb, a, n);
}

static void set_date(netsnmp_variable_list *vb, int64_t t)
{
    u_char b[11];

    set_string(vb, b, date_and_time(t, b));
}

/* The value of column col of w into vb. */
static void set_value(netsnmp_variable_list *vb, const struct row *w, int col)
{
    const struct pop3check_options *o = &w->ct->module->opts;
    int failed = w->have && w->r.error != POP3CHECK_E_OK;
    unsigned long failures = 0;

    if (col >= C_PHASE_TIME && col < C_PHASE_TIME + POP3CHECK_PHASE_COUNT) {
        set_phase_time(vb, w, col - C_PHASE_TIME);
        return;
    }
    if (col >= C_ERRORS && col < C_DISCONTINUITY) {
        set_unsigned(vb, ASN_COUNTER, w->errors[col - C_ERRORS + 1]);
        return;
    }
    switch (col) {
    case C_HOST:
        set_string(vb, w->ct->host, strlen(w->ct->host));
        break;
    case C_PORT:
        set_unsigned(vb, ASN_UNSIGNED, effective_port(w->ct));
        break;
    case C_TLS:
        set_int(vb, o->tls == POP3CHECK_TLS_IMPLICIT ? 2
                    : o->tls == POP3CHECK_TLS_STLS   ? 3
                                                     : 1);
        break;
    case C_INTERVAL:
        set_unsigned(vb, ASN_UNSIGNED, (u_long)(w->ct->interval_s + 0.5));
        break;
    case C_TIMEOUT:
        set_unsigned(vb, ASN_UNSIGNED, o->timeout_ms ? o->timeout_ms : 10000);
        break;
    case C_STATUS:
        set_int(vb, w->have ? (long)w->state : POP3CHECK_STATE_UNKNOWN);
        break;
    case C_SUCCESS:
        set_int(vb, w->have && !failed ? 1 : 2);
        break;
    case C_TIME:
        set_date(vb, w->have ? w->r.started_at : -1);
        break;
    case C_FAILED_PHASE:
        set_int(vb, failed ? (long)w->r.failed_phase + 2 : 1);
        break;
    case C_ERROR_TEXT:
        set_string(vb, failed ? w->r.error_text : "",
                   failed ? strlen(w->r.error_text) : 0);
        break;
    case C_ADDR_TYPE:
    case C_ADDR:
        set_address(vb, w, col == C_ADDR_TYPE);
        break;
    case C_PHASES:
        set_phases_completed(vb, w);
        break;
    case C_MESSAGES:
        set_unsigned(vb, ASN_GAUGE, gauge(w->messages));
        break;
    case C_OCTETS: {
        uint64_t v = w->octets < 0 ? 0 : (uint64_t)w->octets;
        struct counter64 c = {.high = (u_long)(v >> 32),
                              .low = (u_long)(v & 0xffffffffu)};
        snmp_set_var_typed_value(vb, ASN_COUNTER64, &c, sizeof c);
        break;
    }
    case C_TLS_VERSION:
        set_string(vb, w->have ? w->r.tls_version : "",
                   w->have ? strlen(w->r.tls_version) : 0);
        break;
    case C_CERT_EXPIRY:
        set_date(vb, w->cert_not_after);
        break;
    case C_RUNS:
        set_unsigned(vb, ASN_COUNTER, w->runs);
        break;
    case C_FAILURES:
        for (int k = 1; k < POP3CHECK_E_COUNT; k++)
            failures += w->errors[k];
        set_unsigned(vb, ASN_COUNTER, failures);
        break;
    case C_DISCONTINUITY:
        set_date(vb, (int64_t)mon.started);
        break;
    case C_ERROR_KIND:
        set_int(vb, w->have ? (long)w->r.error + 1 : 1);
        break;
    default:
        break;
    }
}

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

    if (!in_entry(vb->name, vb->name_length) ||
        (col = vb->name[ENTRY_LEN]) < C_FIRST || col > C_LAST) {
        netsnmp_set_request_error(ri, req, SNMP_NOSUCHOBJECT);
        return;
    }
    w = find_row(vb->name + ENTRY_LEN + 1, vb->name_length - ENTRY_LEN - 1);
    if (w == NULL) {
        netsnmp_set_request_error(ri, req, SNMP_NOSUCHINSTANCE);
        return;
    }
    set_value(vb, w, (int)col);
}

/* Column-major order: every row of a column, then the next column. Past
 * the end the varbind is left alone, and the agent goes on to the next
 * registered subtree. */
static void answer_next(netsnmp_variable_list *vb)
{
    oid name[MAX_OID_LEN];
    oid col = C_FIRST;
    size_t i = 0;
    const struct row *w;

    if (mon.nrows == 0)
        return;
    if (in_entry(vb->name, vb->name_length)) {
        col = vb->name[ENTRY_LEN];
        if (col < C_FIRST) {
            col = C_FIRST;
        } else {
            i = row_after(vb->name + ENTRY_LEN + 1,
                          vb->name_length - ENTRY_LEN - 1);
            if (i == mon.nrows) {
                col++;
                i = 0;
            }
        }
    } else if (snmp_oid_compare(vb->name, vb->name_length, entry_oid,
                                ENTRY_LEN) > 0) {
        return;
    }
    if (col > C_LAST)
        return;
    w = &mon.rows[i];
    memcpy(name, entry_oid, sizeof entry_oid);
    name[ENTRY_LEN] = col;
    memcpy(name + ENTRY_LEN + 1, w->index, w->index_len * sizeof(oid));
    snmp_set_var_objid(vb, name, ENTRY_LEN + 1 + w->index_len);
    set_value(vb, w, (int)col);
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
            answer_next(req->requestvb);
    }
    return SNMP_ERR_NOERROR;
}

/* ---- notifications ---- */

static void notify(const struct row *w, int failing)
{
    static const int failed_cols[] = {
        C_HOST, C_PORT, C_STATUS, C_FAILED_PHASE, C_ERROR_KIND, C_ERROR_TEXT};
    static const int recovered_cols[] = {C_HOST, C_PORT, C_STATUS};
    const int *cols = failing ? failed_cols : recovered_cols;
    size_t ncols = failing ? sizeof failed_cols / sizeof failed_cols[0]
                           : sizeof recovered_cols / sizeof recovered_cols[0];
    const oid *trap = failing ? failed_oid : recovered_oid;
    netsnmp_variable_list *vars = NULL;
    oid name[MAX_OID_LEN];

    snmp_varlist_add_variable(&vars, snmptrap_oid, OID_LENGTH(snmptrap_oid),
                              ASN_OBJECT_ID, (const u_char *)trap,
                              OID_LENGTH(failed_oid) * sizeof(oid));
    memcpy(name, entry_oid, sizeof entry_oid);
    memcpy(name + ENTRY_LEN + 1, w->index, w->index_len * sizeof(oid));
    for (size_t i = 0; i < ncols; i++) {
        netsnmp_variable_list *vb;
        name[ENTRY_LEN] = (oid)cols[i];
        vb = snmp_varlist_add_variable(
            &vars, name, ENTRY_LEN + 1 + w->index_len, ASN_NULL, NULL, 0);
        if (vb == NULL) {
            snmp_free_varbind(vars);
            return;
        }
        set_value(vb, w, cols[i]);
    }
    send_v2trap(vars);
    snmp_free_varbind(vars);
}

/* ---- results: worker -> agent thread ---- */

/* Worker thread, after each result: note the target, and wake the agent
 * thread unless it has already been woken for earlier ones. */
static void wake_agent(void *ctx, size_t index)
{
    static const char one = 1;
    int wake;

    (void)ctx;
    pthread_mutex_lock(&mon.lock);
    wake = mon.nfresh == 0;
    if (!mon.is_fresh[index]) {
        mon.is_fresh[index] = 1;
        mon.fresh[mon.nfresh++] = index;
    }
    pthread_mutex_unlock(&mon.lock);
    if (wake && write(mon.pipe_wr, &one, 1) < 0 && errno != EAGAIN)
        return; /* a full pipe already wakes it */
}

/* Agent thread: takes the new results into their rows, then sends the
 * notifications of changed verdicts (outside the lock). */
static void take_results(int fd, void *ctx)
{
    char buf[256];
    size_t n;

    (void)ctx;
    while (read(fd, buf, sizeof buf) > 0)
        ;
    pthread_mutex_lock(&mon.lock);
    n = mon.nfresh;
    for (size_t i = 0; i < n; i++) {
        size_t k = mon.fresh[i];
        struct row *w = mon.row_of[k];

        mon.is_fresh[k] = 0;
        mon.taken[i] = k;
        w->r = w->t->last;
        w->state = w->t->state;
        w->runs = w->t->probes_total;
        memcpy(w->errors, w->t->errors_total, sizeof w->errors);
    }
    mon.nfresh = 0;
    pthread_mutex_unlock(&mon.lock);
    for (size_t i = 0; i < n; i++) {
        struct row *w = mon.row_of[mon.taken[i]];
        int failing = w->state == POP3CHECK_STATE_CRITICAL ||
                      w->state == POP3CHECK_STATE_UNKNOWN;

        w->have = 1;
        if (w->r.messages >= 0)
            w->messages = w->r.messages;
        if (w->r.octets >= 0)
            w->octets = w->r.octets;
        if (w->r.cert_not_after >= 0)
            w->cert_not_after = w->r.cert_not_after;
        if (failing != w->failing && (w->failing >= 0 || failing))
            notify(w, failing);
        w->failing = failing;
    }
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

static int build_rows(void)
{
    size_t n = mon.sched.n ? mon.sched.n : 1;

    mon.rows = calloc(n, sizeof *mon.rows);
    mon.row_of = calloc(n, sizeof *mon.row_of);
    mon.fresh = calloc(n, sizeof *mon.fresh);
    mon.taken = calloc(n, sizeof *mon.taken);
    mon.is_fresh = calloc(n, 1);
    if (!mon.rows || !mon.row_of || !mon.fresh || !mon.taken || !mon.is_fresh)
        return -1;
    for (size_t i = 0; i < mon.sched.n; i++) {
        struct row *w = &mon.rows[i];
        const char *name = mon.config->targets[i].name;
        size_t len = strlen(name);

        w->ct = &mon.config->targets[i];
        w->t = mon.sched.t[i];
        w->index[0] = len;
        for (size_t k = 0; k < len; k++)
            w->index[k + 1] = (unsigned char)name[k];
        w->index_len = len + 1;
        w->messages = w->octets = w->cert_not_after = -1;
        w->failing = -1;
        pop3check_result_init(&w->r);
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
    if (pop3check_global_init() != 0) {
        snmp_log(LOG_ERR, "pop3monitor: cannot initialise libcurl\n");
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

void deinit_pop3monitor(void)
{
    if (mon.alarm != 0)
        snmp_alarm_unregister(mon.alarm);
    mon.alarm = 0;
    if (mon.worker_running) {
        pthread_mutex_lock(&mon.lock);
        mon.stop = 1;
        pthread_mutex_unlock(&mon.lock);
        pop3check_multi_wakeup(mon.multi);
        pthread_join(mon.worker, NULL);
        mon.worker_running = 0;
    }
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
    free(mon.rows);
    free(mon.row_of);
    free(mon.fresh);
    free(mon.taken);
    free(mon.is_fresh);
    mon.rows = NULL;
    mon.row_of = NULL;
    mon.fresh = mon.taken = NULL;
    mon.is_fresh = NULL;
    mon.nrows = mon.nfresh = 0;
    p3x_config_free(mon.config);
    mon.config = NULL;
    free(mon.config_path);
    mon.config_path = NULL;
    if (mon.curl_ready)
        pop3check_global_cleanup();
    mon.curl_ready = 0;
    mon.stop = 0;
}
