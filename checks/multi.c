/* multi.c - runs many probes on one thread: one epoll set for every
 * socket (libcurl's during connect, ours during the dialog) and the
 * probes' timers, checked each turn. */
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
    struct pop3check_probe *p = l->head;

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
    int64_t next = INT64_MAX;

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
