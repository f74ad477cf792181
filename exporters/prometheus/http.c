/* SPDX-License-Identifier: MIT */
/* http.c - pop3_exporter's HTTP endpoints on libmicrohttpd: /probe runs
 * one probe (blackbox_exporter's multi-target pattern) while its request
 * is suspended, /metrics, the status page "/" and /logs. */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server_internal.h"

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

static void job_free(struct job *j)
{
    pop3check_probe_free(j->probe);
    pop3check_thresholds_free(j->thr);
    pop3check_result_free(j->refusal);
    p3x_log_free(&j->log);
    free(j);
}

/* What a /probe request asks for, and what came of it. */
struct probe_req {
    const char *target, *module;
    char host[256];
    unsigned port;
    int defaulted, known, allowed;
    char err[256];
};

/* j's probe and thresholds from q's module; with the lock held, as a
 * reload may free the module. */
static void prepare_job(struct p3x_server *s, struct MHD_Connection *c,
                        struct job *j, struct probe_req *q)
{
    const struct p3x_module *m = p3x_config_module(s->config, q->module);
    struct pop3check_options *o;
    long ms = 0;

    q->known = m != NULL;
    q->allowed = m && p3x_module_allows(m, q->host, q->port);
    if (!q->allowed || (o = p3x_module_options(m, q->host, q->port, q->err,
                                               sizeof q->err)) == NULL)
        return;
    pop3check_options_set_trace(o, p3x_log_trace, &j->log);
    pop3check_options_get_long(o, POP3CHECK_OPT_TIMEOUT_MS, &ms);
    j->timeout_s = probe_timeout(c, (double)ms / 1000.0);
    ms = (long)(j->timeout_s * 1000);
    /* at least 1 ms: 0 would be the library's default */
    pop3check_options_set_long(o, POP3CHECK_OPT_TIMEOUT_MS, ms < 1 ? 1 : ms);
    if ((j->thr = pop3check_thresholds_dup(m->thr)) == NULL)
        snprintf(q->err, sizeof q->err, "out of memory");
    else
        j->probe = pop3check_probe_new(o, q->err, sizeof q->err);
    pop3check_options_free(o);
}

/* Why q could not be probed, as HTTP 400. */
static enum MHD_Result refuse_request(struct p3x_server *s,
                                      struct MHD_Connection *c,
                                      const struct probe_req *q)
{
    if (!q->known && q->defaulted)
        return bad_request(s, c,
                           "module parameter is missing (and no module "
                           "is called 'default')");
    if (!q->known)
        return bad_request(s, c, "unknown module '%.64s'", q->module);
    if (!q->allowed)
        return bad_request(s, c,
                           "module '%.64s' may not probe '%.200s' (see "
                           "its allowed_targets)",
                           q->module, q->target);
    return bad_request(s, c, "%s", q->err);
}

/* Hands j to the engine with its request suspended. */
static enum MHD_Result queue_job(struct p3x_server *s, struct MHD_Connection *c,
                                 struct job *j, const struct probe_req *q,
                                 void **req)
{
    const char *dbg =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "debug");

    snprintf(j->module, sizeof j->module, "%s", q->module);
    snprintf(j->target, sizeof j->target, "%s", q->target);
    j->conn = c;
    j->json = wants_json(c);
    j->debug = dbg != NULL && strcmp(dbg, "true") == 0;
    pthread_mutex_lock(&s->lock);
    if (s->stop) {
        pthread_mutex_unlock(&s->lock);
        job_free(j);
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

static enum MHD_Result start_probe(struct p3x_server *s,
                                   struct MHD_Connection *c, void **req)
{
    struct probe_req q = {0};
    struct job *j;

    q.target = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "target");
    q.module = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "module");
    if (q.target == NULL || q.target[0] == '\0')
        return bad_request(s, c, "target parameter is missing");
    if (p3x_target_parse(q.target, q.host, sizeof q.host, &q.port) != 0)
        return bad_request(s, c,
                           "target '%.200s' is not host[:port] (a name or an "
                           "address, port 1-65535)",
                           q.target);
    q.defaulted = q.module == NULL || q.module[0] == '\0';
    if (q.defaulted)
        q.module = "default";
    if ((j = calloc(1, sizeof *j)) == NULL)
        return MHD_NO;
    pthread_mutex_lock(&s->lock);
    prepare_job(s, c, j, &q);
    pthread_mutex_unlock(&s->lock);
    if (j->probe == NULL) {
        job_free(j);
        return refuse_request(s, c, &q);
    }
    return queue_job(s, c, j, &q, req);
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
                         (int)j->log.len, j->log.text ? j->log.text : "",
                         j->log.truncated ? "(log truncated)\n" : "", metrics);
    free(metrics);
    return reply(c, MHD_HTTP_OK, "text/plain; charset=utf-8", body, len,
                 MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result finish_probe(struct p3x_server *s,
                                    struct MHD_Connection *c, struct job *j)
{
    struct p3x_families fs = {0};

    if (j->result == NULL) /* not even a refusal: out of memory */
        return MHD_NO;
    pthread_mutex_lock(&s->lock);
    p3x_stats_probe(&s->stats, j->module, j->result);
    p3x_history_add(s->history, j->target, j->module, j->result, j->state,
                    j->reason, &j->log);
    pthread_mutex_unlock(&s->lock);
    if (p3x_add_probe(&fs, j->result, j->state, j->timeout_s, NULL) != 0) {
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
    html = p3x_page_html(&s->sched, s->history, time(NULL), &len);
    pthread_mutex_unlock(&s->lock);
    if (html == NULL)
        return MHD_NO;
    return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", html, len,
                 MHD_RESPMEM_MUST_FREE);
}

/* /logs?id=N (a /probe call) or /logs?target=NAME (a scheduled
 * target's last probe), &view=transcript for its protocol lines only. */
static enum MHD_Result send_log(struct p3x_server *s, struct MHD_Connection *c)
{
    const char *arg =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "id");
    const char *name =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "target");
    const char *view =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "view");
    char *end, what[300], *text = NULL;
    unsigned long id = arg ? strtoul(arg, &end, 10) : 0;
    const struct p3x_history_entry *e = NULL;
    const struct p3x_sched_target *t = NULL;
    int transcript = view != NULL && strcmp(view, "transcript") == 0;
    int found = 0;
    size_t len = 0;

    if (view != NULL && !transcript && strcmp(view, "log") != 0)
        return bad_request(s, c,
                           "view='%s': write view=log or "
                           "view=transcript",
                           view);
    if ((arg == NULL) == (name == NULL))
        return bad_request(s, c,
                           "give id=N (a /probe call on the status page) or "
                           "target=NAME (a scheduled target), one of them");
    if (arg != NULL && (end == arg || *end != '\0'))
        return bad_request(s, c, "id parameter is not a number");
    pthread_mutex_lock(&s->lock);
    if (arg != NULL && (e = p3x_history_find(s->history, id)) != NULL) {
        found = 1;
        snprintf(what, sizeof what, "probe %lu", id);
        text = p3x_page_log(what, e->target, e->module, e->result, e->state,
                            e->reason, &e->log, transcript, &len);
    } else if (name != NULL && (t = p3x_schedule_find(&s->sched, name)) &&
               t->have_result) {
        found = 1;
        snprintf(what, sizeof what, "target %s", t->name);
        text = p3x_page_log(what, t->host, t->module, t->last, t->state,
                            t->reason, &t->last_log, transcript, &len);
    }
    pthread_mutex_unlock(&s->lock);
    if (text != NULL)
        return reply(c, MHD_HTTP_OK, "text/plain; charset=utf-8", text, len,
                     MHD_RESPMEM_MUST_FREE);
    if (found) /* out of memory */
        return MHD_NO;
    if (arg != NULL)
        return reply(c, MHD_HTTP_NOT_FOUND, "text/plain",
                     "no such probe (only the last 100 are kept)\n", 43,
                     MHD_RESPMEM_PERSISTENT);
    snprintf(what, sizeof what,
             "no scheduled target '%.64s' has a probe to show yet\n", name);
    return reply(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", what,
                 strlen(what), MHD_RESPMEM_MUST_COPY);
}

/* ---- dispatch ---- */

/* The first query parameter whose name or decoded value holds a control
 * character (below 0x20, or 0x7f): libmicrohttpd hands values on with
 * their lengths, so a NUL is seen rather than ending the string early. */
struct control {
    int found, in_name;
    unsigned byte;
    char name[48];
};

static enum MHD_Result find_control(void *cls, enum MHD_ValueKind kind,
                                    const char *key, size_t key_size,
                                    const char *value, size_t value_size)
{
    struct control *b = cls;
    const char *bad = p3x_control_char(key, key_size);

    (void)kind;
    b->in_name = bad != NULL;
    if (bad == NULL && value != NULL)
        bad = p3x_control_char(value, value_size);
    if (bad == NULL)
        return MHD_YES;
    b->found = 1;
    b->byte = (unsigned char)*bad;
    if (!b->in_name)
        snprintf(b->name, sizeof b->name, "%s", key);
    return MHD_NO;
}

/* 400 for a control character in the query, else MHD_NO to go on. */
static int refuse_control(struct p3x_server *s, struct MHD_Connection *c,
                          enum MHD_Result *rc)
{
    struct control b = {0};

    MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, find_control, &b);
    if (!b.found)
        return 0;
    if (b.in_name)
        *rc = bad_request(s, c,
                          "the name of a query parameter holds a control "
                          "character (byte 0x%02x): refused",
                          b.byte);
    else
        *rc = bad_request(s, c,
                          "query parameter '%s' holds a control character "
                          "(byte 0x%02x): refused",
                          b.name, b.byte);
    return 1;
}

/* Compares in time that depends on the lengths only. */
static int same_secret(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = la != lb;

    for (size_t i = 0; i < la && i < lb; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

static int authorised(struct p3x_server *s, struct MHD_Connection *c)
{
    char *pass = NULL;
    char *user = MHD_basic_auth_get_username_password(c, &pass);
    int ok = user != NULL && pass != NULL && same_secret(user, s->auth_user) &&
             same_secret(pass, s->auth_pass);

    if (pass != NULL) {
        explicit_bzero(pass, strlen(pass));
        MHD_free(pass);
    }
    if (user != NULL)
        MHD_free(user);
    return ok;
}

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
    if (rc == 0)
        rc = p3x_guard_families(s->guard, &fs);
    if (rc != 0) {
        p3x_families_free(&fs);
        return MHD_NO;
    }
    return send_families(c, &fs, wants_json(c));
}

/* *req after the first call, once the headers are in: an answer queued
 * then would make libmicrohttpd close the connection after it (the rest
 * of the request unread), so a good request is answered on the second
 * call, when it is whole, and its connection can be kept alive. */
static char headers_in;

/* Whether the request says a body follows. None is read: the guard's
 * deadline ends with the headers, and a body trickled in (chunk by chunk,
 * a trailer a byte at a time) would hold the connection. */
static int announces_body(struct MHD_Connection *c)
{
    const char *te = MHD_lookup_connection_value(
        c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    const char *cl = MHD_lookup_connection_value(
        c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

    /* a Content-Length other than 0 (or empty: not a length either) */
    return te != NULL || (cl != NULL && (cl[0] == '\0' || cl[strspn(cl, "0")]));
}

/* The first call: refusals that end the connection (nothing more of the
 * request is read), else MHD_YES to wait for the rest. */
static enum MHD_Result first_call(struct p3x_server *s,
                                  struct MHD_Connection *c, const char *method,
                                  void **req)
{
    enum MHD_Result rc;

    p3x_guard_request(s->guard, c);
    if (s->auth_user != NULL && !authorised(s, c)) {
        struct MHD_Response *r = MHD_create_response_from_buffer(
            13, (void *)"unauthorised\n", MHD_RESPMEM_PERSISTENT);
        rc = r ? MHD_queue_basic_auth_fail_response(c, "pop3_exporter", r)
               : MHD_NO;
        MHD_destroy_response(r);
        return rc;
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
                     "only GET and HEAD\n", 18, MHD_RESPMEM_PERSISTENT);
    if (announces_body(c)) /* refused now, while an answer can be queued */
        return bad_request(s, c, "a GET or HEAD request has no body");
    *req = &headers_in;
    return MHD_YES;
}

enum MHD_Result p3x_http_request(void *cls, struct MHD_Connection *c,
                                 const char *url, const char *method,
                                 const char *version, const char *upload,
                                 size_t *upload_size, void **req)
{
    struct p3x_server *s = cls;
    enum MHD_Result rc;

    (void)version;
    (void)upload; /* GET and HEAD only: a body is never read */
    if (*req == NULL)
        return first_call(s, c, method, req);
    if (*req != &headers_in)
        return finish_probe(s, c, *req);
    if (*upload_size != 0) /* cannot be: a body was refused before */
        return MHD_NO;
    if (refuse_control(s, c, &rc))
        return rc;
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

void p3x_http_completed(void *cls, struct MHD_Connection *c, void **req,
                        enum MHD_RequestTerminationCode why)
{
    struct p3x_server *s = cls;
    struct job *j = *req;

    p3x_guard_completed(s->guard, c, why);
    if (j == NULL || *req == &headers_in)
        return;
    job_free(j);
    *req = NULL;
}
