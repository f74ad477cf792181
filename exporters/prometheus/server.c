/* SPDX-License-Identifier: MIT */
/* server.c - pop3_exporter's server: starts libmicrohttpd and the probe
 * thread, reloads the config, stops cleanly; and the daemon's log. Probes
 * run on one engine thread (engine.c); a request is suspended until its
 * probe is done (http.c), so the HTTP thread never waits. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server_internal.h"

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

/* ---- life cycle ---- */

static void free_auth(struct p3x_server *s)
{
    if (s->auth_pass != NULL)
        explicit_bzero(s->auth_pass, strlen(s->auth_pass));
    free(s->auth_pass);
    free(s->auth_user);
}

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

void p3x_server_limits(struct p3x_server_opts *o)
{
    if (!(o->header_timeout_s > 0))
        o->header_timeout_s = P3X_HEADER_TIMEOUT_S;
    if (!(o->idle_timeout_s > 0))
        o->idle_timeout_s = o->header_timeout_s > P3X_IDLE_TIMEOUT_S
                                ? P3X_IDLE_TIMEOUT_S
                                : o->header_timeout_s / 2;
    if (o->max_conns == 0)
        o->max_conns = P3X_MAX_CONNECTIONS;
    if (o->max_per_addr == 0)
        o->max_per_addr = o->max_conns > 1 ? o->max_conns / 2 : 1;
}

/* The guard with o's limits (defaults filled in). */
static struct p3x_guard *start_guard(const struct p3x_server_opts *o)
{
    struct p3x_guard_opts g = {
        .header_timeout_s = o->header_timeout_s,
        .idle_timeout_s = o->idle_timeout_s,
        .max_conns = o->max_conns,
        .max_per_addr = o->max_per_addr,
    };

    return p3x_guard_new(&g);
}

static struct MHD_Daemon *start_mhd(struct p3x_server *s,
                                    const struct p3x_server_opts *o, char *err,
                                    size_t errlen)
{
    /* poll(), not epoll: with epoll, libmicrohttpd 0.9.75 sometimes left
     * a burst of new connections unread (their requests queued in the
     * socket, no event) until its 60 s timeout; see tests/faults. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
                     MHD_ALLOW_SUSPEND_RESUME;
    struct sockaddr_storage sa;
    unsigned port;
    int any;
    struct MHD_Daemon *d;
    const char *listen = o->listen;
    double header_s = o->header_timeout_s;
    unsigned max = o->max_conns;

    if (parse_listen(listen, &sa, &port, &any) != 0) {
        snprintf(err, errlen,
                 "--web.listen-address '%s': write ADDRESS:PORT, [IPv6]:PORT "
                 "or :PORT",
                 listen);
        return NULL;
    }
    /* The guard refuses and times out first; libmicrohttpd's own limits
     * are backstops: its timeout (inactivity) ends a connection whose
     * client stopped reading an answer, and at its connection limit it
     * would stop accepting altogether. */
    struct MHD_OptionItem opts[10] = {
        {MHD_OPTION_THREAD_POOL_SIZE, 4, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)p3x_http_completed, s},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)p3x_guard_notify, s->guard},
        {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)ceil(header_s) + 1, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)max + 64, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, 4096, NULL},
    };
    int n = 6;

    if (!any)
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &sa};
    if (o->tls_cert != NULL) {
        flags |= MHD_USE_TLS;
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0,
                                            (void *)o->tls_cert};
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0,
                                            (void *)o->tls_key};
    }
    opts[n] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    if (any)
        flags |= MHD_USE_DUAL_STACK;
    else if (sa.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    d = MHD_start_daemon(flags, (uint16_t)port, p3x_guard_accept, s->guard,
                         p3x_http_request, s, MHD_OPTION_ARRAY, opts,
                         MHD_OPTION_END);
    if (d == NULL)
        snprintf(err, errlen,
                 "cannot listen on '%s' (in use, or not an "
                 "address of this machine?)",
                 listen);
    return d;
}

/* Stops and frees what s has so far: a server half started (the error
 * path of p3x_server_start) or running (p3x_server_stop). Requests in
 * flight are answered first: the engine ends only when no probe runs. */
static void teardown(struct p3x_server *s)
{
    MHD_socket listening = MHD_INVALID_SOCKET;

    if (s->mhd != NULL) /* no new connections */
        listening = MHD_quiesce_daemon(s->mhd);
    if (s->engine_started) {
        pthread_mutex_lock(&s->lock);
        s->stop = 1;
        pthread_mutex_unlock(&s->lock);
        pop3check_multi_wakeup(s->multi);
        pthread_join(s->engine, NULL); /* every suspended request resumed */
    }
    if (s->mhd != NULL)
        MHD_stop_daemon(s->mhd);
    p3x_guard_free(s->guard);            /* every connection closed */
    if (listening != MHD_INVALID_SOCKET) /* ours once quiesced */
        close(listening);
    p3x_schedule_retire(&s->sched); /* nothing runs any more */
    pop3check_multi_free(s->multi);
    p3x_config_free(s->config);
    p3x_stats_free(&s->stats);
    pthread_mutex_destroy(&s->lock);
    if (s->history != NULL)
        p3x_history_clear(s->history);
    free(s->history);
    free(s->textfile);
    free_auth(s);
    free(s->config_path);
    free(s);
}

/* The server's own copies of what o points to. 0, or -1. */
static int copy_opts(struct p3x_server *s, const struct p3x_server_opts *o)
{
    if ((s->config_path = strdup(o->config_path)) == NULL ||
        (o->textfile != NULL && (s->textfile = strdup(o->textfile)) == NULL))
        return -1;
    if (o->auth_user != NULL &&
        ((s->auth_user = strdup(o->auth_user)) == NULL ||
         (s->auth_pass = strdup(o->auth_pass)) == NULL))
        return -1;
    return 0;
}

struct p3x_server *p3x_server_start(const struct p3x_server_opts *given,
                                    struct p3x_config *config, char *err,
                                    size_t errlen)
{
    struct p3x_server *s = calloc(1, sizeof *s);
    const union MHD_DaemonInfo *info;
    struct p3x_server_opts lim = *given;
    const struct p3x_server_opts *o = &lim;

    p3x_server_limits(&lim);
    if (s == NULL) {
        snprintf(err, errlen, "out of memory");
        p3x_config_free(config);
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    p3x_stats_init(&s->stats);
    s->config = config;
    s->config_gen = 1; /* the engine builds the schedule first thing */
    if ((s->multi = pop3check_multi_new()) == NULL ||
        (s->guard = start_guard(o)) == NULL ||
        (s->history = calloc(1, sizeof *s->history)) == NULL ||
        copy_opts(s, o) != 0) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (pthread_create(&s->engine, NULL, p3x_engine_main, s) != 0) {
        snprintf(err, errlen, "cannot start the probe thread");
        goto fail;
    }
    s->engine_started = 1;
    if ((s->mhd = start_mhd(s, o, err, errlen)) == NULL)
        goto fail;
    info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : 0;
    return s;
fail:
    teardown(s);
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
    if (s != NULL)
        teardown(s);
}
