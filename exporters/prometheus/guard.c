/* SPDX-License-Identifier: MIT */
/* guard.c - the connection guard of pop3_exporter (see guard.h).
 *
 * Every connection libmicrohttpd accepts gets a record (its socket
 * context) and, while it waits for request headers, a place in one of
 * two queues: "headers" (a new connection) and "idle" (a kept-alive one
 * after an answer). Each queue has one timeout, so it is in deadline
 * order by construction: the guard's thread sleeps until the earliest
 * head and shuts the late ones down (shutdown(2): libmicrohttpd then sees
 * the end of the stream and closes the connection itself). The record
 * leaves on libmicrohttpd's close notification, which comes before it
 * closes the descriptor, and both run under the guard's lock: the guard
 * never shuts down a descriptor that has been reused. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "guard.h"
#include "server.h"

#define BUCKETS     4096
#define LOG_EVERY_S 10.0

/* A client: one IPv4 address (as ::ffff:a.b.c.d) or one IPv6 /64. */
struct client {
    unsigned char key[16];
    unsigned open;
    struct client *next;
};

enum wait { W_NONE, W_HEADERS, W_IDLE };

struct gconn {
    struct gconn *prev, *next; /* in the queue of wait */
    enum wait wait;
    double deadline;
    MHD_socket fd;
    struct client *client;
};

struct queue {
    struct gconn *head, *tail;
};

/* What is counted, and logged at most every LOG_EVERY_S per cause. */
enum cause { C_LIMIT, C_ADDRESS, C_HEADERS, C_IDLE, C_WRITE, C_COUNT };

struct tally {
    unsigned long total;    /* for /metrics */
    unsigned long pending;  /* since the last line */
    double logged_at;       /* when that line went out */
    unsigned char last[16]; /* the client of the latest */
};

struct p3x_guard {
    struct p3x_guard_opts o;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    int stop;
    unsigned open;
    struct queue q[3]; /* by enum wait; q[W_NONE] unused */
    struct tally t[C_COUNT];
    struct client *clients[BUCKETS];
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void client_key(const struct sockaddr *a, unsigned char key[16])
{
    memset(key, 0, 16);
    if (a != NULL && a->sa_family == AF_INET) {
        key[10] = key[11] = 0xff;
        memcpy(key + 12, &((const struct sockaddr_in *)a)->sin_addr, 4);
    } else if (a != NULL && a->sa_family == AF_INET6) {
        const struct in6_addr *in6 =
            &((const struct sockaddr_in6 *)a)->sin6_addr;
        memcpy(key, in6->s6_addr, IN6_IS_ADDR_V4MAPPED(in6) ? 16 : 8);
    }
}

static void client_text(const unsigned char key[16], char *out, size_t len)
{
    static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};
    char a[INET6_ADDRSTRLEN];

    if (memcmp(key, mapped, 12) == 0) {
        inet_ntop(AF_INET, key + 12, out, (socklen_t)len);
        return;
    }
    inet_ntop(AF_INET6, key, a, sizeof a);
    snprintf(out, len, "%s/64", a);
}

/* The link that holds key's client, or where it would go. */
static struct client **slot(struct p3x_guard *g, const unsigned char key[16])
{
    uint32_t h = 2166136261u; /* FNV-1a */
    struct client **p;

    for (int i = 0; i < 16; i++)
        h = (h ^ key[i]) * 16777619u;
    p = &g->clients[h % BUCKETS];
    while (*p != NULL && memcmp((*p)->key, key, 16) != 0)
        p = &(*p)->next;
    return p;
}

/* ---- the log ---- */

static void say(struct p3x_guard *g, enum cause c, double now)
{
    struct tally *t = &g->t[c];
    char who[INET6_ADDRSTRLEN + 4];
    const char *s = t->pending == 1 ? "" : "s";

    client_text(t->last, who, sizeof who);
    if (c == C_LIMIT)
        p3x_log("warn",
                "refused %lu connection%s (the last from %s): %u are open, "
                "the most in all (--web.max-connections)",
                t->pending, s, who, g->o.max_conns);
    else if (c == C_ADDRESS)
        p3x_log("warn",
                "refused %lu connection%s (the last from %s): %u open from "
                "one address, the most it may have "
                "(--web.max-connections-per-address)",
                t->pending, s, who, g->o.max_per_addr);
    else if (c == C_HEADERS)
        p3x_log("warn",
                "closed %lu connection%s (the last from %s) whose request "
                "headers were not complete within %gs "
                "(--web.read-header-timeout)",
                t->pending, s, who, g->o.header_timeout_s);
    else if (c == C_WRITE)
        p3x_log("warn",
                "closed %lu connection%s (the last from %s) that stopped "
                "reading the answer",
                t->pending, s, who);
    t->pending = 0;
    t->logged_at = now;
}

/* Counts one event of cause c from client key; logs it now, or later in
 * a line for all since the last (the guard's thread is woken for that).
 * Idle kept-alive connections are closed as a matter of course: counted,
 * not logged. With the lock held. */
static void note(struct p3x_guard *g, enum cause c, const unsigned char *key)
{
    struct tally *t = &g->t[c];
    double now = now_s();

    t->total++;
    if (c == C_IDLE)
        return;
    memcpy(t->last, key, 16);
    if (t->pending++ == 0 && now - t->logged_at >= LOG_EVERY_S)
        say(g, c, now);
    else if (t->pending == 1)
        pthread_cond_signal(&g->wake);
}

/* Logs what is due; the time the next line falls due, or INFINITY. */
static double flush(struct p3x_guard *g, double now)
{
    double next = INFINITY;

    for (int c = 0; c < C_COUNT; c++) {
        struct tally *t = &g->t[c];
        if (t->pending == 0)
            continue;
        if (now - t->logged_at >= LOG_EVERY_S)
            say(g, (enum cause)c, now);
        else if (t->logged_at + LOG_EVERY_S < next)
            next = t->logged_at + LOG_EVERY_S;
    }
    return next;
}

/* ---- the queues ---- */

static void unqueue(struct p3x_guard *g, struct gconn *gc)
{
    struct queue *q = &g->q[gc->wait];

    if (gc->wait == W_NONE)
        return;
    if (gc->prev != NULL)
        gc->prev->next = gc->next;
    else
        q->head = gc->next;
    if (gc->next != NULL)
        gc->next->prev = gc->prev;
    else
        q->tail = gc->prev;
    gc->prev = gc->next = NULL;
    gc->wait = W_NONE;
}

/* Puts gc at the end of w's queue: its deadline is the latest there. */
static void enqueue(struct p3x_guard *g, struct gconn *gc, enum wait w)
{
    struct queue *q = &g->q[w];

    unqueue(g, gc);
    gc->wait = w;
    gc->deadline = now_s() + (w == W_HEADERS ? g->o.header_timeout_s
                                             : g->o.idle_timeout_s);
    gc->prev = q->tail;
    if (q->tail != NULL) {
        q->tail->next = gc;
    } else {
        q->head = gc;
        pthread_cond_signal(&g->wake); /* an earlier deadline than before */
    }
    q->tail = gc;
}

/* Shuts down the connections past their deadline; the next deadline. */
static double expire(struct p3x_guard *g, double now)
{
    double next = INFINITY;

    for (enum wait w = W_HEADERS; w <= W_IDLE; w++) {
        struct queue *q = &g->q[w];
        while (q->head != NULL && q->head->deadline <= now) {
            struct gconn *gc = q->head;
            unqueue(g, gc);
            shutdown(gc->fd, SHUT_RDWR);
            note(g, w == W_HEADERS ? C_HEADERS : C_IDLE, gc->client->key);
        }
        if (q->head != NULL && q->head->deadline < next)
            next = q->head->deadline;
    }
    return next;
}

static void *guard_main(void *arg)
{
    struct p3x_guard *g = arg;

    pthread_mutex_lock(&g->lock);
    while (!g->stop) {
        double now = now_s();
        double next = fmin(expire(g, now), flush(g, now));
        if (isinf(next)) {
            pthread_cond_wait(&g->wake, &g->lock);
        } else {
            struct timespec ts;
            double whole = floor(next);
            ts.tv_sec = (time_t)whole;
            ts.tv_nsec = (long)((next - whole) * 1e9);
            pthread_cond_timedwait(&g->wake, &g->lock, &ts);
        }
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

/* ---- libmicrohttpd's hooks ---- */

enum MHD_Result p3x_guard_accept(void *cls, const struct sockaddr *addr,
                                 socklen_t len)
{
    struct p3x_guard *g = cls;
    unsigned char key[16];
    const struct client *c;
    enum MHD_Result ok = MHD_YES;

    (void)len;
    client_key(addr, key);
    pthread_mutex_lock(&g->lock);
    c = *slot(g, key);
    if (g->open >= g->o.max_conns) {
        note(g, C_LIMIT, key);
        ok = MHD_NO;
    } else if (c != NULL && c->open >= g->o.max_per_addr) {
        note(g, C_ADDRESS, key);
        ok = MHD_NO;
    }
    pthread_mutex_unlock(&g->lock);
    return ok;
}

static void started(struct p3x_guard *g, struct MHD_Connection *c,
                    void **socket_ctx)
{
    /* libmicrohttpd 1.0 answers every query in one buffer per connection,
     * overwritten by the next one: each answer is copied before the next
     * question. */
    const union MHD_ConnectionInfo *i =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *addr = i ? i->client_addr : NULL;
    struct gconn *gc = calloc(1, sizeof *gc);
    unsigned char key[16];
    struct client **p;

    client_key(addr, key);
    i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (gc == NULL || i == NULL) { /* not guarded, but served */
        free(gc);
        return;
    }
    gc->fd = i->connect_fd;
    pthread_mutex_lock(&g->lock);
    p = slot(g, key);
    if (*p == NULL && (*p = calloc(1, sizeof **p)) != NULL)
        memcpy((*p)->key, key, 16);
    if (*p == NULL) {
        pthread_mutex_unlock(&g->lock);
        free(gc);
        return;
    }
    gc->client = *p;
    gc->client->open++;
    g->open++;
    enqueue(g, gc, W_HEADERS);
    pthread_mutex_unlock(&g->lock);
    *socket_ctx = gc;
}

static void closed(struct p3x_guard *g, void **socket_ctx)
{
    struct gconn *gc = *socket_ctx;
    struct client **p;

    if (gc == NULL)
        return;
    pthread_mutex_lock(&g->lock);
    unqueue(g, gc);
    g->open--;
    if (--gc->client->open == 0) {
        p = slot(g, gc->client->key);
        *p = gc->client->next;
        free(gc->client);
    }
    pthread_mutex_unlock(&g->lock);
    free(gc);
    *socket_ctx = NULL;
}

void p3x_guard_notify(void *cls, struct MHD_Connection *c, void **socket_ctx,
                      enum MHD_ConnectionNotificationCode code)
{
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        started(cls, c, socket_ctx);
    else if (code == MHD_CONNECTION_NOTIFY_CLOSED)
        closed(cls, socket_ctx);
}

static struct gconn *record(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *i =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

    return i ? i->socket_context : NULL;
}

void p3x_guard_request(struct p3x_guard *g, struct MHD_Connection *c)
{
    struct gconn *gc = record(c);

    if (gc == NULL)
        return;
    pthread_mutex_lock(&g->lock);
    unqueue(g, gc);
    pthread_mutex_unlock(&g->lock);
}

void p3x_guard_completed(struct p3x_guard *g, struct MHD_Connection *c,
                         enum MHD_RequestTerminationCode why)
{
    struct gconn *gc = record(c);

    if (gc == NULL)
        return;
    pthread_mutex_lock(&g->lock);
    if (why == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        enqueue(g, gc, W_IDLE);
    else if (why == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED)
        note(g, C_WRITE, gc->client->key);
    pthread_mutex_unlock(&g->lock);
}

/* ---- life cycle and metrics ---- */

struct p3x_guard *p3x_guard_new(const struct p3x_guard_opts *o)
{
    struct p3x_guard *g = calloc(1, sizeof *g);
    pthread_condattr_t ca;

    if (g == NULL)
        return NULL;
    g->o = *o;
    for (int c = 0; c < C_COUNT; c++)
        g->t[c].logged_at = -INFINITY;
    pthread_mutex_init(&g->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&g->wake, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&g->thread, NULL, guard_main, g) != 0) {
        pthread_cond_destroy(&g->wake);
        pthread_mutex_destroy(&g->lock);
        free(g);
        return NULL;
    }
    return g;
}

void p3x_guard_free(struct p3x_guard *g)
{
    if (g == NULL)
        return;
    pthread_mutex_lock(&g->lock);
    g->stop = 1;
    pthread_cond_signal(&g->wake);
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->thread, NULL);
    flush(g, INFINITY); /* what is left to say */
    for (size_t i = 0; i < BUCKETS; i++)
        while (g->clients[i] != NULL) {
            struct client *next = g->clients[i]->next;
            free(g->clients[i]);
            g->clients[i] = next;
        }
    pthread_cond_destroy(&g->wake);
    pthread_mutex_destroy(&g->lock);
    free(g);
}

int p3x_guard_families(struct p3x_guard *g, struct p3x_families *fs)
{
    static const char *const refused[] = {"connection_limit", "address_limit"};
    static const char *const late[] = {"read_header", "idle", "write"};
    struct tally t[C_COUNT];
    unsigned open;
    struct p3x_family *f;
    int rc = 0;

    pthread_mutex_lock(&g->lock);
    memcpy(t, g->t, sizeof t);
    open = g->open;
    pthread_mutex_unlock(&g->lock);
    f = p3x_family(fs, "pop3_exporter_http_connections_open",
                   "HTTP connections open now.", P3X_GAUGE);
    rc |= p3x_sample(f, open, 0);
    f = p3x_family(fs, "pop3_exporter_http_connections_refused_total",
                   "HTTP connections refused at accept, by the limit that "
                   "refused them.",
                   P3X_COUNTER);
    for (int i = 0; i < 2; i++)
        rc |= p3x_sample(f, (double)t[C_LIMIT + i].total, 1, "reason",
                         refused[i]);
    f = p3x_family(fs, "pop3_exporter_http_connections_timed_out_total",
                   "HTTP connections closed by a timeout: request headers "
                   "late, kept alive idle, or an answer not read.",
                   P3X_COUNTER);
    for (int i = 0; i < 3; i++)
        rc |=
            p3x_sample(f, (double)t[C_HEADERS + i].total, 1, "reason", late[i]);
    return rc != 0 ? -1 : 0;
}
