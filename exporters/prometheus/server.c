/* server.c - pop3_exporter's HTTP endpoints on libmicrohttpd: /probe runs
 * one probe (blackbox_exporter's multi-target pattern), /metrics shows
 * the exporter's own metrics. Probes run on one engine thread through
 * libpop3check's multi interface; a request is suspended until its probe
 * is done, so the HTTP thread never waits. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "expose.h"
#include "history.h"
#include "schedule.h"
#include "server.h"
#include "stats.h"

#define MARGIN_S 0.5 /* left of Prometheus' scrape timeout, as blackbox */
/* Each request in flight holds two descriptors (client and probe): main()
 * raises RLIMIT_NOFILE to match. */
#define CONNECTION_LIMIT 10000

struct job {
    struct MHD_Connection *conn;
    struct pop3check_probe *probe;
    struct pop3check_result result;
    enum pop3check_state state;
    struct pop3check_thresholds thr;
    char module[72];
    char target[272];
    double timeout_s;
    int json, debug;
    struct p3x_log log; /* the probe's transcript, secrets redacted */
    struct job *next;
};

struct p3x_server {
    struct MHD_Daemon *mhd;
    char *config_path;
    struct p3x_config *config; /* swapped under lock on reload */
    pthread_mutex_t lock;
    struct pop3check_multi *multi;
    struct job *incoming; /* handed to the engine thread, under lock */
    pthread_t engine;
    int stop;
    unsigned port;
    struct p3x_stats stats;      /* under lock */
    struct p3x_history *history; /* under lock */
    struct p3x_schedule sched;   /* the engine's; swapped under lock */
    char *textfile;              /* NULL or the textfile collector's file */
    unsigned config_gen;         /* bumped by a reload, under lock */
};

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void p3x_log(const char *level, const char *fmt, ...)
{
    char msg[1024];
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *c = msg; *c; c++)
        if (*c == '"' || *c == '\n')
            *c = '\'';
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    pthread_mutex_lock(&log_lock);
    fprintf(stderr, "ts=%s level=%s msg=\"%s\"\n", when, level, msg);
    pthread_mutex_unlock(&log_lock);
}

/* ---- engine thread ---- */

/* Called on the engine thread; after the resume the HTTP thread owns j
 * again (and may free it at once), so j is not touched after it. */
static void on_probe_done(void *ctx, struct pop3check_probe *p,
                          const struct pop3check_result *r)
{
    struct job *j = ctx;

    (void)p;
    j->result = *r;
    j->state = pop3check_evaluate(r, &j->thr, NULL, 0);
    MHD_resume_connection(j->conn);
}

/* A job the engine cannot run (it is stopping, or out of memory). */
static void refuse_job(struct job *j, const char *why)
{
    struct pop3check_result r;

    pop3check_result_init(&r);
    r.error = POP3CHECK_E_INTERNAL;
    snprintf(r.error_text, sizeof r.error_text, "%s", why);
    on_probe_done(j, j->probe, &r);
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
static void *engine_main(void *arg)
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

/* ---- responses ---- */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status,
                             const char *type, char *body, size_t len,
                             enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
    enum MHD_Result rc;

    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

/* A one-line reason for a bad request, as blackbox_exporter answers. */
static enum MHD_Result bad_request(struct p3x_server *s,
                                   struct MHD_Connection *c, const char *fmt,
                                   ...) __attribute__((format(printf, 3, 4)));

static enum MHD_Result bad_request(struct p3x_server *s,
                                   struct MHD_Connection *c, const char *fmt,
                                   ...)
{
    char msg[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(msg, sizeof msg - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n > sizeof msg - 2)
        n = sizeof msg - 2;
    msg[n] = '\n';
    msg[n + 1] = '\0';
    pthread_mutex_lock(&s->lock);
    s->stats.bad_requests++;
    pthread_mutex_unlock(&s->lock);
    return reply(c, MHD_HTTP_BAD_REQUEST, "text/plain; charset=utf-8", msg,
                 strlen(msg), MHD_RESPMEM_MUST_COPY);
}

static enum MHD_Result send_families(struct MHD_Connection *c,
                                     struct p3x_families *fs, int json)
{
    char *body = NULL;
    size_t len = 0;
    int rc = json ? p3x_render_json(fs, &body, &len)
                  : p3x_render_text(fs, &body, &len);

    p3x_families_free(fs);
    if (rc != 0)
        return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain",
                     "out of memory\n", 14, MHD_RESPMEM_PERSISTENT);
    return reply(c, MHD_HTTP_OK,
                 json ? P3X_CONTENT_TYPE_JSON : P3X_CONTENT_TYPE_TEXT, body,
                 len, MHD_RESPMEM_MUST_FREE);
}

static int wants_json(struct MHD_Connection *c)
{
    const char *f =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
    const char *acc =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);

    if (f != NULL)
        return strcmp(f, "json") == 0;
    return acc != NULL && strstr(acc, "application/json") != NULL &&
           strstr(acc, "text/plain") == NULL;
}

/* ---- /probe ---- */

/* The deadline: Prometheus' scrape timeout less a margin, capped by the
 * module's own timeout. */
static double probe_timeout(struct MHD_Connection *c, double module_s)
{
    const char *h = MHD_lookup_connection_value(
        c, MHD_HEADER_KIND, "X-Prometheus-Scrape-Timeout-Seconds");
    char *end;
    double t;

    if (h == NULL)
        return module_s;
    t = strtod(h, &end);
    if (end == h || *end != '\0' || !(t > 0) || t > 3600)
        return module_s;
    t = t > 2 * MARGIN_S ? t - MARGIN_S : t / 2;
    return t < module_s ? t : module_s;
}

static enum MHD_Result start_probe(struct p3x_server *s,
                                   struct MHD_Connection *c, void **req)
{
    const char *target =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "target");
    const char *module =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "module");
    char host[256], err[256];
    unsigned port;
    struct job *j;

    if (target == NULL || target[0] == '\0')
        return bad_request(s, c, "target parameter is missing");
    if (p3x_target_parse(target, host, sizeof host, &port) != 0)
        return bad_request(s, c,
                           "target '%.200s' is not host[:port] (a name or an "
                           "address, port 1-65535)",
                           target);
    int defaulted = module == NULL || module[0] == '\0';
    if (defaulted)
        module = "default";
    j = calloc(1, sizeof *j);
    if (j == NULL)
        return MHD_NO;
    /* The module is read under the lock: a reload may free it. */
    pthread_mutex_lock(&s->lock);
    const struct p3x_module *m = p3x_config_module(s->config, module);
    int known = m != NULL, allowed = m && p3x_module_allows(m, host, port);
    if (allowed) {
        struct pop3check_options o = m->opts;
        o.host = host;
        if (port)
            o.port = port;
        o.trace = p3x_log_trace;
        o.trace_ctx = &j->log;
        j->timeout_s = probe_timeout(
            c, (m->opts.timeout_ms ? m->opts.timeout_ms : 10000) / 1000.0);
        o.timeout_ms = (unsigned)(j->timeout_s * 1000);
        j->thr = m->thr;
        j->probe = pop3check_probe_new(&o, err, sizeof err);
    }
    pthread_mutex_unlock(&s->lock);
    if (j->probe == NULL) {
        free(j);
        if (!known && defaulted)
            return bad_request(s, c,
                               "module parameter is missing (and no module "
                               "is called 'default')");
        if (!known)
            return bad_request(s, c, "unknown module '%.64s'", module);
        if (!allowed)
            return bad_request(s, c,
                               "module '%.64s' may not probe '%.200s' (see "
                               "its allowed_targets)",
                               module, target);
        return bad_request(s, c, "%s", err);
    }
    snprintf(j->module, sizeof j->module, "%s", module);
    snprintf(j->target, sizeof j->target, "%s", target);
    j->conn = c;
    j->json = wants_json(c);
    const char *dbg =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "debug");
    j->debug = dbg != NULL && strcmp(dbg, "true") == 0;
    pthread_mutex_lock(&s->lock);
    if (s->stop) {
        pthread_mutex_unlock(&s->lock);
        pop3check_probe_free(j->probe);
        free(j);
        return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain",
                     "shutting down\n", 14, MHD_RESPMEM_PERSISTENT);
    }
    /* Suspended before the engine can see the job, so that its resume
     * always comes after. */
    *req = j;
    MHD_suspend_connection(c);
    j->next = s->incoming;
    s->incoming = j;
    pthread_mutex_unlock(&s->lock);
    pop3check_multi_wakeup(s->multi);
    return MHD_YES;
}

/* debug=true: the transcript, then the metrics, as blackbox_exporter. */
static enum MHD_Result send_debug(struct MHD_Connection *c, struct job *j,
                                  struct p3x_families *fs)
{
    char *metrics = NULL, *body;
    size_t mlen = 0, len;
    int rc = p3x_render_text(fs, &metrics, &mlen);

    p3x_families_free(fs);
    len = j->log.len + mlen + 128;
    body = rc == 0 ? malloc(len) : NULL;
    if (body == NULL) {
        free(metrics);
        return MHD_NO;
    }
    len =
        (size_t)snprintf(body, len,
                         "Logs for the probe:\n%.*s%s\nMetrics that would "
                         "have been returned:\n%s",
                         (int)j->log.len, j->log.text,
                         j->log.truncated ? "(log truncated)\n" : "", metrics);
    free(metrics);
    return reply(c, MHD_HTTP_OK, "text/plain; charset=utf-8", body, len,
                 MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result finish_probe(struct p3x_server *s,
                                    struct MHD_Connection *c, struct job *j)
{
    struct p3x_families fs = {0};

    pthread_mutex_lock(&s->lock);
    p3x_stats_probe(&s->stats, j->module, &j->result);
    p3x_history_add(s->history, j->target, j->module, &j->result, j->state,
                    &j->log);
    pthread_mutex_unlock(&s->lock);
    if (p3x_add_probe(&fs, &j->result, j->state, j->timeout_s, NULL) != 0) {
        p3x_families_free(&fs);
        return MHD_NO;
    }
    if (j->debug)
        return send_debug(c, j, &fs);
    return send_families(c, &fs, j->json);
}

static enum MHD_Result send_index(struct p3x_server *s,
                                  struct MHD_Connection *c)
{
    size_t len = 0;
    char *html;

    pthread_mutex_lock(&s->lock);
    html = p3x_history_html(s->history, &len);
    pthread_mutex_unlock(&s->lock);
    if (html == NULL)
        return MHD_NO;
    return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", html, len,
                 MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result send_log(struct p3x_server *s, struct MHD_Connection *c)
{
    const char *arg =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "id");
    char *end;
    unsigned long id = arg ? strtoul(arg, &end, 10) : 0;
    const struct p3x_history_entry *e;
    enum MHD_Result rc;

    if (arg == NULL || end == arg || *end != '\0')
        return bad_request(s, c, "id parameter is missing or not a number");
    pthread_mutex_lock(&s->lock);
    e = p3x_history_find(s->history, id);
    rc = e ? reply(c, MHD_HTTP_OK, "text/plain; charset=utf-8",
                   (char *)e->log.text, e->log.len, MHD_RESPMEM_MUST_COPY)
           : reply(c, MHD_HTTP_NOT_FOUND, "text/plain",
                   "no such probe (only the last 100 are kept)\n", 43,
                   MHD_RESPMEM_PERSISTENT);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

/* ---- dispatch ---- */

static enum MHD_Result send_metrics(struct p3x_server *s,
                                    struct MHD_Connection *c)
{
    struct p3x_families fs = {0};
    int rc;

    pthread_mutex_lock(&s->lock);
    rc = p3x_stats_families(&s->stats, &fs);
    if (rc == 0)
        rc = p3x_schedule_families(&s->sched, &fs);
    pthread_mutex_unlock(&s->lock);
    if (rc != 0) {
        p3x_families_free(&fs);
        return MHD_NO;
    }
    return send_families(c, &fs, wants_json(c));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **req)
{
    struct p3x_server *s = cls;

    (void)version;
    (void)upload;
    if (*req != NULL)
        return finish_probe(s, c, *req);
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
                     "only GET and HEAD\n", 18, MHD_RESPMEM_PERSISTENT);
    if (*upload_size != 0)
        return bad_request(s, c, "no request body expected");
    if (strcmp(url, "/probe") == 0)
        return start_probe(s, c, req);
    if (strcmp(url, "/metrics") == 0)
        return send_metrics(s, c);
    if (strcmp(url, "/") == 0)
        return send_index(s, c);
    if (strcmp(url, "/logs") == 0)
        return send_log(s, c);
    return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", "not found\n", 10,
                 MHD_RESPMEM_PERSISTENT);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req,
                         enum MHD_RequestTerminationCode why)
{
    struct job *j = *req;

    (void)cls;
    (void)c;
    (void)why;
    if (j == NULL)
        return;
    pop3check_probe_free(j->probe);
    free(j);
    *req = NULL;
}

/* ---- life cycle ---- */

/* "[addr]:port", "addr:port" or ":port" (all addresses). Addresses only:
 * a name could resolve to something else tomorrow. */
static int parse_listen(const char *text, struct sockaddr_storage *sa,
                        unsigned *port, int *any)
{
    char addr[64];
    const char *colon = strrchr(text, ':');
    char *end;
    long p;

    if (colon == NULL || (size_t)(colon - text) >= sizeof addr)
        return -1;
    p = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end != '\0' || p < 0 || p > 65535)
        return -1;
    *port = (unsigned)p;
    memcpy(addr, text, (size_t)(colon - text));
    addr[colon - text] = '\0';
    *any = addr[0] == '\0';
    memset(sa, 0, sizeof *sa);
    if (*any)
        return 0;
    if (addr[0] == '[' && addr[strlen(addr) - 1] == ']') {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)sa;
        addr[strlen(addr) - 1] = '\0';
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)p);
        return inet_pton(AF_INET6, addr + 1, &a6->sin6_addr) == 1 ? 0 : -1;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)sa;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)p);
    return inet_pton(AF_INET, addr, &a4->sin_addr) == 1 ? 0 : -1;
}

static struct MHD_Daemon *start_mhd(struct p3x_server *s, const char *listen,
                                    char *err, size_t errlen)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                     MHD_ALLOW_SUSPEND_RESUME;
    struct sockaddr_storage sa;
    unsigned port;
    int any;
    struct MHD_Daemon *d;

    if (parse_listen(listen, &sa, &port, &any) != 0) {
        snprintf(err, errlen,
                 "--web.listen-address '%s': write ADDRESS:PORT, [IPv6]:PORT "
                 "or :PORT",
                 listen);
        return NULL;
    }
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s},
        {MHD_OPTION_CONNECTION_TIMEOUT, 60, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, CONNECTION_LIMIT, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, 8192, NULL},
        {any ? MHD_OPTION_END : MHD_OPTION_SOCK_ADDR, 0, &sa},
        {MHD_OPTION_END, 0, NULL},
    };
    if (any)
        flags |= MHD_USE_DUAL_STACK;
    else if (sa.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, s,
                         MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (d == NULL)
        snprintf(err, errlen,
                 "cannot listen on '%s' (in use, or not an "
                 "address of this machine?)",
                 listen);
    return d;
}

struct p3x_server *p3x_server_start(const struct p3x_server_opts *o,
                                    struct p3x_config *config, char *err,
                                    size_t errlen)
{
    struct p3x_server *s = calloc(1, sizeof *s);
    const union MHD_DaemonInfo *info;

    if (s == NULL || (s->multi = pop3check_multi_new()) == NULL ||
        (s->config_path = strdup(o->config_path)) == NULL ||
        (s->history = calloc(1, sizeof *s->history)) == NULL) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (o->textfile != NULL && (s->textfile = strdup(o->textfile)) == NULL) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    s->config = config;
    s->config_gen = 1; /* the engine builds the schedule first thing */
    config = NULL;
    pthread_mutex_init(&s->lock, NULL);
    p3x_stats_init(&s->stats);
    if (pthread_create(&s->engine, NULL, engine_main, s) != 0) {
        snprintf(err, errlen, "cannot start the probe thread");
        goto fail_lock;
    }
    s->mhd = start_mhd(s, o->listen, err, errlen);
    if (s->mhd == NULL) {
        pthread_mutex_lock(&s->lock);
        s->stop = 1;
        pthread_mutex_unlock(&s->lock);
        pop3check_multi_wakeup(s->multi);
        pthread_join(s->engine, NULL);
        p3x_schedule_retire(&s->sched);
        goto fail_lock;
    }
    info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : 0;
    return s;
fail_lock:
    pthread_mutex_destroy(&s->lock);
fail:
    if (s != NULL) {
        pop3check_multi_free(s->multi);
        p3x_config_free(s->config);
        p3x_stats_free(&s->stats);
        free(s->history);
        free(s->textfile);
        free(s->config_path);
        free(s);
    }
    p3x_config_free(config);
    return NULL;
}

unsigned p3x_server_port(const struct p3x_server *s)
{
    return s->port;
}

int p3x_server_reload(struct p3x_server *s)
{
    struct p3x_config *fresh = NULL, *old;
    char err[512];
    int rc = p3x_config_load(s->config_path, &fresh, err, sizeof err);

    pthread_mutex_lock(&s->lock);
    p3x_stats_reload(&s->stats, rc == 0);
    old = rc == 0 ? s->config : NULL;
    if (rc == 0) {
        s->config = fresh;
        s->config_gen++;
    }
    pthread_mutex_unlock(&s->lock);
    if (rc != 0) {
        p3x_log("error", "reload refused, keeping the running config: %s", err);
        return -1;
    }
    /* Probes in flight hold copies, not pointers; the engine rebuilds
     * the schedule from the new config under the lock. */
    p3x_config_free(old);
    pop3check_multi_wakeup(s->multi);
    p3x_log("info", "reloaded %s: %zu modules, %zu targets", s->config_path,
            fresh->nmodules, fresh->ntargets);
    return 0;
}

void p3x_server_stop(struct p3x_server *s)
{
    if (s == NULL)
        return;
    MHD_quiesce_daemon(s->mhd); /* no new connections */
    pthread_mutex_lock(&s->lock);
    s->stop = 1;
    pthread_mutex_unlock(&s->lock);
    pop3check_multi_wakeup(s->multi);
    pthread_join(s->engine, NULL); /* every suspended request resumed */
    MHD_stop_daemon(s->mhd);
    p3x_schedule_retire(&s->sched); /* nothing runs any more */
    pop3check_multi_free(s->multi);
    p3x_config_free(s->config);
    p3x_stats_free(&s->stats);
    pthread_mutex_destroy(&s->lock);
    free(s->history);
    free(s->textfile);
    free(s->config_path);
    free(s);
}
