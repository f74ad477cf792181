/* SPDX-License-Identifier: MIT */
/* curlm.c - libcurl's multi interface on a p3_loop: its sockets and its
 * timer go to the loop, finished transfers to the easy handle's owner.
 *
 * Sharing a multi handle would mean sharing its connection cache, where
 * libcurl keeps a CONNECT_ONLY connection, idle to its eyes, while we
 * drive its dialog. Whenever another transfer of the multi opens a
 * connection (at most once a second), libcurl prunes the cache of "dead"
 * idle connections, and to libcurl 8 a connection with unread input is
 * dead: a reply that arrived a moment before we read it got its
 * connection closed under the dialog (seen as "server closed the
 * connection" in pop3_exporter under load). So:
 * - every easy handle gets a connection pool of its own (a share of
 *   CURL_LOCK_DATA_CONNECT, 6.7 KB with libcurl 8.14, no descriptor):
 *   nothing else opens a connection there;
 * - DNS answers are not cached (each probe times its own resolve), and
 *   CONNECT_ONLY connections are never reused (libcurl refuses);
 * - the pool never evicts (CURLMOPT_MAXCONNECTS 0) and connections
 *   never age out (CURLOPT_MAXAGE_CONN), so libcurl closes a connection
 *   whose dialog we drive only when it is dead: the server closed it or
 *   the socket is in error. The close-socket callback tells whoever
 *   watches that socket (P3_EV_GONE);
 * - the multi handle itself is freed once no easy handle has been in it
 *   for LINGER_MS, which closes whatever connection is left (not at once:
 *   a scheduler starting a probe every few milliseconds would otherwise
 *   pay for a new multi handle with each). */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <unistd.h>

#include "curlm.h"
#include "internal.h"

#define LINGER_MS 2000

struct p3_curlm {
    struct p3_loop *loop;
    CURLM *cm;             /* NULL until an easy handle is added */
    unsigned users;        /* easy handles in cm */
    struct p3_timer timer; /* libcurl's */
    struct p3_timer idle;  /* frees cm when it stays unused */
};

static struct p3_curl_owner *owner_of(CURL *h)
{
    char *priv = NULL;

    if (h == NULL || curl_easy_getinfo(h, CURLINFO_PRIVATE, &priv) != CURLE_OK)
        return NULL;
    return (struct p3_curl_owner *)(void *)priv;
}

/* Hands libcurl's finished transfers to their owners. */
static void read_messages(struct p3_curlm *m)
{
    CURLMsg *msg;
    int left;

    while (m->cm != NULL && (msg = curl_multi_info_read(m->cm, &left))) {
        struct p3_curl_owner *o = owner_of(msg->easy_handle);
        if (msg->msg == CURLMSG_DONE && o != NULL)
            o->fn(o->owner, P3_CURL_DONE, (int)msg->data.result);
    }
}

static void action(struct p3_curlm *m, curl_socket_t fd, int flags)
{
    int running;

    if (m->cm == NULL)
        return;
    curl_multi_socket_action(m->cm, fd, flags, &running);
    read_messages(m);
}

static void on_io(void *ctx, int fd, unsigned events)
{
    int flags = 0;

    if (events & P3_EV_GONE)
        return; /* libcurl closed it itself */
    flags |= events & P3_EV_IN ? CURL_CSELECT_IN : 0;
    flags |= events & P3_EV_OUT ? CURL_CSELECT_OUT : 0;
    flags |= events & P3_EV_ERR ? CURL_CSELECT_ERR : 0;
    action(ctx, fd, flags);
}

static void on_timer(void *ctx, int64_t now)
{
    (void)now;
    action(ctx, CURL_SOCKET_TIMEOUT, 0);
}

static int on_socket(CURL *h, curl_socket_t s, int what, void *ctx, void *sp)
{
    struct p3_curlm *m = ctx;
    struct p3_curl_owner *o;
    unsigned ev = (what & CURL_POLL_IN ? P3_EV_IN : 0u) |
                  (what & CURL_POLL_OUT ? P3_EV_OUT : 0u);

    (void)sp;
    if (what == CURL_POLL_REMOVE) {
        p3_loop_unwatch(m->loop, s, m);
        return 0;
    }
    /* A failure is that transfer's alone: an error returned here would
     * fail every transfer of the multi handle. */
    if (p3_loop_watch(m->loop, s, ev, on_io, m) != 0 &&
        (o = owner_of(h)) != NULL)
        o->fn(o->owner, P3_CURL_BROKEN, 0);
    return 0;
}

static int on_curl_timer(CURLM *cm, long timeout_ms, void *ctx)
{
    struct p3_curlm *m = ctx;

    (void)cm;
    if (timeout_ms < 0)
        p3_loop_timer_stop(&m->timer);
    else
        p3_loop_timer_at(m->loop, &m->timer,
                         p3_now_us() + (int64_t)timeout_ms * 1000);
    return 0;
}

static int on_close_socket(void *ctx, curl_socket_t s)
{
    struct p3_curlm *m = ctx;

    p3_loop_forget(m->loop, s);
    return close(s);
}

static void on_idle(void *ctx, int64_t now);

struct p3_curlm *p3_curlm_new(struct p3_loop *loop)
{
    struct p3_curlm *m = p3_calloc(1, sizeof *m);

    if (m == NULL)
        return NULL;
    m->loop = loop;
    p3_timer_init(&m->timer, on_timer, m);
    p3_timer_init(&m->idle, on_idle, m);
    return m;
}

void p3_curlm_free(struct p3_curlm *m)
{
    if (m == NULL)
        return;
    p3_loop_timer_stop(&m->timer);
    p3_loop_timer_stop(&m->idle);
    if (m->cm != NULL)
        curl_multi_cleanup(m->cm);
    free(m);
}

static int open_multi(struct p3_curlm *m)
{
    m->cm = curl_multi_init();
    if (m->cm == NULL ||
        curl_multi_setopt(m->cm, CURLMOPT_SOCKETFUNCTION, on_socket) ||
        curl_multi_setopt(m->cm, CURLMOPT_SOCKETDATA, m) ||
        curl_multi_setopt(m->cm, CURLMOPT_TIMERFUNCTION, on_curl_timer) ||
        curl_multi_setopt(m->cm, CURLMOPT_TIMERDATA, m) ||
        curl_multi_setopt(m->cm, CURLMOPT_MAXCONNECTS, 0L)) {
        curl_multi_cleanup(m->cm);
        m->cm = NULL;
        return -1;
    }
    return 0;
}

static void close_multi(struct p3_curlm *m)
{
    curl_multi_cleanup(m->cm);
    m->cm = NULL;
    p3_loop_timer_stop(&m->timer);
    p3_loop_timer_stop(&m->idle);
}

static void on_idle(void *ctx, int64_t now)
{
    struct p3_curlm *m = ctx;

    (void)now;
    if (m->users == 0 && m->cm != NULL)
        close_multi(m);
}

static void close_multi_if_idle(struct p3_curlm *m)
{
    if (m->users > 0 || m->cm == NULL)
        return;
    p3_loop_timer_at(m->loop, &m->idle, p3_now_us() + LINGER_MS * 1000);
}

int p3_curlm_prepare(struct p3_curlm *m, CURL *easy, CURLSH **pool)
{
    *pool = curl_share_init();
    if (*pool == NULL ||
        curl_share_setopt(*pool, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) !=
            CURLSHE_OK ||
        curl_easy_setopt(easy, CURLOPT_SHARE, *pool) ||
        curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, on_close_socket) ||
        curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, m) ||
        curl_easy_setopt(easy, CURLOPT_DNS_CACHE_TIMEOUT, 0L) ||
        curl_easy_setopt(easy, CURLOPT_MAXAGE_CONN, 2L * 3600))
        return -1;
    return 0;
}

void p3_curlm_release(CURLSH *pool)
{
    if (pool != NULL)
        curl_share_cleanup(pool);
}

int p3_curlm_add(struct p3_curlm *m, CURL *easy, struct p3_curl_owner *o)
{
    if (m->cm == NULL && open_multi(m) != 0)
        return -1;
    p3_loop_timer_stop(&m->idle);
    if (curl_easy_setopt(easy, CURLOPT_PRIVATE, (char *)o) != CURLE_OK ||
        curl_multi_add_handle(m->cm, easy) != CURLM_OK) {
        close_multi_if_idle(m);
        return -1;
    }
    m->users++;
    return 0;
}

void p3_curlm_remove(struct p3_curlm *m, CURL *easy)
{
    curl_multi_remove_handle(m->cm, easy);
    m->users--;
    close_multi_if_idle(m);
}
