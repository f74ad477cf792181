/* SPDX-License-Identifier: MIT */
/* loop.c - sockets (epoll) and timers with owner pointers, and an eventfd
 * to be woken from another thread. Timers are an unsorted list: arming is
 * O(1) and cannot fail; finding the next one is a scan, which for the few
 * thousand probes a loop runs at once costs microseconds per turn. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "internal.h"
#include "loop.h"

#define WAKE_FD -1 /* epoll data of the eventfd */
#define BATCH   64 /* events taken per epoll_wait */

struct watch {
    p3_io_fn *fn; /* NULL: not watched */
    void *owner;
};

struct p3_loop {
    int epfd;
    int wakefd;
    struct watch *w; /* by fd */
    size_t nw;
    struct p3_timer *armed;
};

struct p3_loop *p3_loop_new(void)
{
    struct p3_loop *l = p3_calloc(1, sizeof *l);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = WAKE_FD};

    if (l == NULL)
        return NULL;
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    l->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (l->epfd < 0 || l->wakefd < 0 ||
        epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->wakefd, &ev) != 0) {
        if (l->epfd >= 0)
            close(l->epfd);
        if (l->wakefd >= 0)
            close(l->wakefd);
        free(l);
        return NULL;
    }
    return l;
}

void p3_loop_free(struct p3_loop *l)
{
    if (l == NULL)
        return;
    while (l->armed != NULL)
        p3_loop_timer_stop(l->armed);
    close(l->epfd);
    close(l->wakefd);
    free(l->w);
    free(l);
}

/* ---- sockets ---- */

static int grow(struct p3_loop *l, int fd)
{
    size_t n = l->nw ? l->nw : 64;
    struct watch *v;

    while (n <= (size_t)fd)
        n *= 2;
    if (n == l->nw)
        return 0;
    v = p3_realloc(l->w, n * sizeof *v);
    if (v == NULL)
        return -1;
    memset(v + l->nw, 0, (n - l->nw) * sizeof *v);
    l->w = v;
    l->nw = n;
    return 0;
}

static int watched(const struct p3_loop *l, int fd)
{
    return fd >= 0 && (size_t)fd < l->nw && l->w[fd].fn != NULL;
}

int p3_loop_watch(struct p3_loop *l, int fd, unsigned events, p3_io_fn *fn,
                  void *owner)
{
    struct epoll_event ev = {.data.fd = fd};
    int op;

    if (fd < 0 || fn == NULL || grow(l, fd) != 0)
        return -1;
    ev.events = (events & P3_EV_IN ? EPOLLIN : 0u) |
                (events & P3_EV_OUT ? EPOLLOUT : 0u);
    op = watched(l, fd) ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(l->epfd, op, fd, &ev) != 0) {
        /* A socket closed and reopened under the same number, unseen. */
        if (errno == EEXIST)
            op = EPOLL_CTL_MOD;
        else if (errno == ENOENT)
            op = EPOLL_CTL_ADD;
        else
            return -1;
        if (epoll_ctl(l->epfd, op, fd, &ev) != 0)
            return -1;
    }
    l->w[fd] = (struct watch){fn, owner};
    return 0;
}

static void drop(struct p3_loop *l, int fd)
{
    l->w[fd] = (struct watch){NULL, NULL};
    epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
}

void p3_loop_unwatch(struct p3_loop *l, int fd, const void *owner)
{
    if (watched(l, fd) && l->w[fd].owner == owner)
        drop(l, fd);
}

void p3_loop_forget(struct p3_loop *l, int fd)
{
    struct watch w;

    if (!watched(l, fd))
        return;
    w = l->w[fd];
    drop(l, fd);
    w.fn(w.owner, fd, P3_EV_GONE);
}

/* ---- timers ---- */

static void link_timer(struct p3_timer **list, struct p3_timer *t)
{
    t->list = list;
    t->prev = NULL;
    t->next = *list;
    if (*list != NULL)
        (*list)->prev = t;
    *list = t;
}

void p3_timer_init(struct p3_timer *t, p3_timer_fn *fn, void *owner)
{
    memset(t, 0, sizeof *t);
    t->fn = fn;
    t->owner = owner;
}

void p3_loop_timer_stop(struct p3_timer *t)
{
    if (t->list == NULL)
        return;
    if (t->prev != NULL)
        t->prev->next = t->next;
    else
        *t->list = t->next;
    if (t->next != NULL)
        t->next->prev = t->prev;
    t->prev = t->next = NULL;
    t->list = NULL;
}

void p3_loop_timer_at(struct p3_loop *l, struct p3_timer *t, int64_t at)
{
    p3_loop_timer_stop(t);
    t->at = at;
    link_timer(&l->armed, t);
}

int p3_timer_armed(const struct p3_timer *t)
{
    return t->list != NULL;
}

int p3_loop_has_timers(const struct p3_loop *l)
{
    return l->armed != NULL;
}

/* Milliseconds to wait: timeout_ms, or less when a timer is due sooner. */
static int wait_ms(const struct p3_loop *l, int timeout_ms)
{
    int64_t next = INT64_MAX, now;

    for (const struct p3_timer *t = l->armed; t != NULL; t = t->next)
        if (t->at < next)
            next = t->at;
    if (next == INT64_MAX)
        return timeout_ms;
    now = p3_now_us();
    next = next <= now ? 0 : (next - now + 999) / 1000;
    if (timeout_ms >= 0 && next > timeout_ms)
        return timeout_ms;
    return (int)(next > INT32_MAX ? INT32_MAX : next);
}

/* Moves the due timers to a list of their own, then fires them one by
 * one: a callback may stop or re-arm any timer, its own included. */
static void fire_due(struct p3_loop *l)
{
    int64_t now = p3_now_us();
    struct p3_timer *due = NULL, *t, *next;

    for (t = l->armed; t != NULL; t = next) {
        next = t->next;
        if (t->at <= now) {
            p3_loop_timer_stop(t);
            link_timer(&due, t);
        }
    }
    while ((t = due) != NULL) {
        p3_loop_timer_stop(t);
        t->fn(t->owner, now);
    }
}

static void dispatch(struct p3_loop *l, const struct epoll_event *e)
{
    int fd = e->data.fd;
    unsigned ev = 0;

    if (fd == WAKE_FD) {
        uint64_t v;
        if (read(l->wakefd, &v, sizeof v) < 0 && errno != EAGAIN)
            return;
        return;
    }
    if (!watched(l, fd))
        return; /* unwatched by an earlier callback of this batch */
    ev |= e->events & EPOLLIN ? P3_EV_IN : 0u;
    ev |= e->events & EPOLLOUT ? P3_EV_OUT : 0u;
    ev |= e->events & (EPOLLERR | EPOLLHUP) ? P3_EV_ERR : 0u;
    l->w[fd].fn(l->w[fd].owner, fd, ev);
}

int p3_loop_turn(struct p3_loop *l, int timeout_ms)
{
    struct epoll_event evs[BATCH];
    int n = epoll_wait(l->epfd, evs, BATCH, wait_ms(l, timeout_ms));

    if (n < 0 && errno != EINTR)
        return -1;
    for (int i = 0; i < n; i++)
        dispatch(l, &evs[i]);
    fire_due(l);
    return 0;
}

int p3_loop_wakeup(struct p3_loop *l)
{
    uint64_t one = 1;

    return write(l->wakefd, &one, sizeof one) == sizeof one ? 0 : -1;
}
