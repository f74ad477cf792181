/* SPDX-License-Identifier: MIT */
/* multi.c - runs many probes on one thread: one epoll set for every
 * socket (libcurl's during connect, ours during the dialog) and the
 * probes' timers, checked each turn; one libcurl multi handle shared by
 * the probes of the loop (per-multi state is most of libcurl's memory).
 *
 * Sharing a multi handle means sharing its connection cache, so:
 * - DNS answers are not cached (each probe times its own resolve), and
 *   CONNECT_ONLY connections are never reused (libcurl refuses);
 * - the cache never evicts (CURLMOPT_MAXCONNECTS 0) and connections
 *   never age out (CURLOPT_MAXAGE_CONN), so libcurl closes an idle
 *   connection whose dialog we drive only when it is dead: the server
 *   closed it or the socket is in error. Our close-socket callback sees
 *   that and ends that probe with "server closed the connection";
 * - a finished probe shuts its socket down, so that the server sees the
 *   end at once and libcurl's next check drops the connection; the
 *   multi handle itself is freed whenever no probe is in libcurl's
 *   hands, which closes whatever is left. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "probe.h"

struct p3_loop {
    int epfd;
    int wakefd;
    struct pop3check_probe **byfd; /* who owns each watched fd */
    size_t nbyfd;
    struct pop3check_probe *head; /* running probes */
    int running;
    CURLM *cm;             /* shared by the probes; NULL when none uses it */
    unsigned curl_users;   /* easy handles added to cm */
    int64_t curl_timer_at; /* libcurl's timer, INT64_MAX when unset */
};

struct pop3check_multi {
    struct p3_loop loop;
};

struct pop3check_multi *pop3check_multi_new(void)
{
    struct pop3check_multi *m = p3_calloc(1, sizeof *m);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = -1};

    if (m == NULL)
        return NULL;
    m->loop.curl_timer_at = INT64_MAX;
    m->loop.epfd = epoll_create1(EPOLL_CLOEXEC);
    m->loop.wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m->loop.epfd < 0 || m->loop.wakefd < 0 ||
        epoll_ctl(m->loop.epfd, EPOLL_CTL_ADD, m->loop.wakefd, &ev) != 0) {
        if (m->loop.epfd >= 0)
            close(m->loop.epfd);
        if (m->loop.wakefd >= 0)
            close(m->loop.wakefd);
        free(m);
        return NULL;
    }
    return m;
}

static int grow(struct p3_loop *l, int fd)
{
    size_t n = l->nbyfd ? l->nbyfd : 64;
    struct pop3check_probe **v;

    while (n <= (size_t)fd)
        n *= 2;
    if (n == l->nbyfd)
        return 0;
    v = p3_realloc(l->byfd, n * sizeof *v);
    if (v == NULL)
        return -1;
    memset(v + l->nbyfd, 0, (n - l->nbyfd) * sizeof *v);
    l->byfd = v;
    l->nbyfd = n;
    return 0;
}

int p3_loop_watch(struct p3_loop *l, struct pop3check_probe *p, int fd,
                  unsigned events)
{
    struct epoll_event ev = {.events = events, .data.fd = fd};
    int op;

    if (fd < 0 || grow(l, fd) != 0)
        return -1;
    op = l->byfd[fd] ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(l->epfd, op, fd, &ev) != 0) {
        if (errno == EEXIST)
            op = EPOLL_CTL_MOD;
        else if (errno == ENOENT)
            op = EPOLL_CTL_ADD;
        else
            return -1;
        if (epoll_ctl(l->epfd, op, fd, &ev) != 0)
            return -1;
    }
    l->byfd[fd] = p;
    return 0;
}

void p3_loop_unwatch(struct p3_loop *l, int fd)
{
    if (fd < 0 || (size_t)fd >= l->nbyfd || l->byfd[fd] == NULL)
        return;
    l->byfd[fd] = NULL;
    epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
}

/* ---- the shared libcurl multi handle ---- */

static struct pop3check_probe *probe_of(CURL *h)
{
    char *priv = NULL;

    if (h == NULL || curl_easy_getinfo(h, CURLINFO_PRIVATE, &priv) != CURLE_OK)
        return NULL;
    return (struct pop3check_probe *)(void *)priv;
}

static int on_socket(CURL *h, curl_socket_t s, int what, void *ctx, void *sp)
{
    struct p3_loop *l = ctx;
    struct pop3check_probe *p;

    (void)sp;
    if (what == CURL_POLL_REMOVE) {
        p3_loop_unwatch(l, s);
        return 0;
    }
    p = probe_of(h);
    if (p == NULL)
        return 0;
    /* A failure is that probe's alone (finished by its next timer
     * check): an error returned here would fail every transfer. */
    if (p3_loop_watch(l, p, s,
                      (what & CURL_POLL_IN ? 1u : 0) |
                          (what & CURL_POLL_OUT ? 4u : 0)) != 0)
        p->broken = 1;
    return 0;
}

static int on_timer(CURLM *m, long timeout_ms, void *ctx)
{
    struct p3_loop *l = ctx;

    (void)m;
    l->curl_timer_at =
        timeout_ms < 0 ? INT64_MAX : p3_now_us() + (int64_t)timeout_ms * 1000;
    return 0;
}

int p3_loop_close_socket(void *ctx, curl_socket_t s)
{
    struct p3_loop *l = ctx;

    if (s >= 0 && (size_t)s < l->nbyfd && l->byfd[s] != NULL) {
        struct pop3check_probe *p = l->byfd[s];
        if (p->stage == P3_DIALOG && p->fd == s) {
            p->fd = -1; /* libcurl found it dead: see the top of this file */
            p->closed = 1;
        }
        p3_loop_unwatch(l, s);
    }
    return close(s);
}

int p3_loop_curl_add(struct p3_loop *l, CURL *easy)
{
    if (l->cm == NULL) {
        l->cm = curl_multi_init();
        if (l->cm == NULL ||
            curl_multi_setopt(l->cm, CURLMOPT_SOCKETFUNCTION, on_socket) ||
            curl_multi_setopt(l->cm, CURLMOPT_SOCKETDATA, l) ||
            curl_multi_setopt(l->cm, CURLMOPT_TIMERFUNCTION, on_timer) ||
            curl_multi_setopt(l->cm, CURLMOPT_TIMERDATA, l) ||
            curl_multi_setopt(l->cm, CURLMOPT_MAXCONNECTS, 0L)) {
            curl_multi_cleanup(l->cm);
            l->cm = NULL;
            return -1;
        }
    }
    if (curl_multi_add_handle(l->cm, easy) != CURLM_OK) {
        if (l->curl_users == 0) {
            curl_multi_cleanup(l->cm);
            l->cm = NULL;
        }
        return -1;
    }
    l->curl_users++;
    return 0;
}

void p3_loop_curl_remove(struct p3_loop *l, CURL *easy)
{
    curl_multi_remove_handle(l->cm, easy);
    curl_easy_cleanup(easy);
    if (--l->curl_users == 0) {
        curl_multi_cleanup(l->cm);
        l->cm = NULL;
        l->curl_timer_at = INT64_MAX;
    }
}

void p3_loop_curl_action(struct p3_loop *l, int fd, int flags)
{
    int running;
    CURLMsg *msg;
    int left;

    if (l->cm == NULL)
        return;
    curl_multi_socket_action(l->cm, fd, flags, &running);
    while (l->cm != NULL && (msg = curl_multi_info_read(l->cm, &left))) {
        CURL *h = msg->easy_handle;
        CURLcode code = msg->data.result;
        struct pop3check_probe *p = probe_of(h);

        if (msg->msg == CURLMSG_DONE && p != NULL && p->easy == h &&
            p->stage == P3_CURL)
            p3_connect_finished(p, code, p3_now_us());
    }
}

static void unlink_probe(struct p3_loop *l, struct pop3check_probe *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        l->head = p->next;
    if (p->next)
        p->next->prev = p->prev;
    p->prev = p->next = NULL;
    l->running--;
}

int pop3check_multi_add(struct pop3check_multi *m, struct pop3check_probe *p,
                        pop3check_done_fn *done, void *ctx)
{
    struct p3_loop *l = &m->loop;

    if (p->stage == P3_CURL || p->stage == P3_DIALOG)
        return -1;
    p->done = done;
    p->done_ctx = ctx;
    p->next = l->head;
    p->prev = NULL;
    if (l->head)
        l->head->prev = p;
    l->head = p;
    l->running++;
    /* A probe that cannot start is finished at once and reported by the
     * next pop3check_multi_run(), like any other. */
    p3_probe_begin(p, l);
    return 0;
}

/* Fires due timers and reports finished probes. */
static void sweep(struct p3_loop *l)
{
    int64_t now = p3_now_us();
    struct pop3check_probe *p;

    if (l->curl_timer_at <= now) {
        l->curl_timer_at = INT64_MAX;
        p3_loop_curl_action(l, CURL_SOCKET_TIMEOUT, 0);
        now = p3_now_us();
    }
    p = l->head;

    while (p != NULL) {
        struct pop3check_probe *next = p->next;
        if (!p3_probe_finished(p) && p3_probe_next_timer(p) <= now)
            p3_probe_on_timer(p, now);
        if (p3_probe_finished(p)) {
            unlink_probe(l, p);
            p3_probe_end(p);
            if (p->done)
                p->done(p->done_ctx, p, &p->result);
        }
        p = next;
    }
}

static int wait_ms(const struct p3_loop *l, int timeout_ms)
{
    int64_t now = p3_now_us();
    int64_t next = l->curl_timer_at;

    for (const struct pop3check_probe *p = l->head; p; p = p->next) {
        int64_t t = p3_probe_next_timer(p);
        if (t < next)
            next = t;
    }
    if (next == INT64_MAX)
        return timeout_ms;
    next = next <= now ? 0 : (next - now + 999) / 1000;
    if (timeout_ms >= 0 && next > timeout_ms)
        return timeout_ms;
    return (int)(next > INT32_MAX ? INT32_MAX : next);
}

int pop3check_multi_run(struct pop3check_multi *m, int timeout_ms)
{
    struct p3_loop *l = &m->loop;
    struct epoll_event evs[64];
    int n;

    sweep(l);
    if (l->running == 0 && timeout_ms < 0)
        return 0; /* nothing could ever wake us */
    n = epoll_wait(l->epfd, evs, 64, wait_ms(l, timeout_ms));
    if (n < 0 && errno != EINTR)
        return -1;
    for (int i = 0; i < n; i++) {
        int fd = evs[i].data.fd;
        if (fd == -1) {
            uint64_t v;
            if (read(l->wakefd, &v, sizeof v) < 0)
                continue;
            continue;
        }
        if ((size_t)fd < l->nbyfd && l->byfd[fd] != NULL)
            p3_probe_on_socket(l->byfd[fd], fd, evs[i].events);
    }
    sweep(l);
    return l->running;
}

int pop3check_multi_wakeup(struct pop3check_multi *m)
{
    uint64_t one = 1;

    return write(m->loop.wakefd, &one, sizeof one) == sizeof one ? 0 : -1;
}

void pop3check_multi_free(struct pop3check_multi *m)
{
    if (m == NULL)
        return;
    while (m->loop.head != NULL) {
        struct pop3check_probe *p = m->loop.head;
        unlink_probe(&m->loop, p);
        p3_probe_end(p);
        p->loop = NULL;
    }
    if (m->loop.cm != NULL) /* cannot happen: the last probe freed it */
        curl_multi_cleanup(m->loop.cm);
    close(m->loop.epfd);
    close(m->loop.wakefd);
    free(m->loop.byfd);
    free(m);
}

void pop3check_probe_run(struct pop3check_probe *p, struct pop3check_result *r)
{
    struct pop3check_multi *m = pop3check_multi_new();

    if (m == NULL) {
        pop3check_result_init(r);
        r->error = POP3CHECK_E_INTERNAL;
        p3_format(r->error_text, sizeof r->error_text,
                  "cannot create the event loop");
        return;
    }
    pop3check_multi_add(m, p, NULL, NULL);
    while (pop3check_multi_run(m, -1) > 0)
        ;
    *r = p->result;
    pop3check_multi_free(m);
}
