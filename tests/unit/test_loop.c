/* SPDX-License-Identifier: MIT */
/* test_loop.c - unit tests of loop.c, the event loop under the probes:
 * timers (when they fire, re-armed and stopped from callbacks, many),
 * watched sockets (events, owners, p3_loop_forget) on socketpairs and
 * pipes, the wake-up from another thread, the turn's timeout. No network.
 * Times are checked with generous bounds: the machine is shared. */
#define _GNU_SOURCE /* pipe2 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "loop.h"

#define MS      1000LL       /* microseconds */
#define SLOW_US (20000 * MS) /* "returned at all", on a busy machine */
#define NTIMERS 1000

static int setup(void **state)
{
    struct p3_loop *l = p3_loop_new();

    *state = l;
    return l ? 0 : -1;
}

static int teardown(void **state)
{
    p3_loop_free(*state);
    return 0;
}

/* ---- timers ---- */

struct tick {
    struct p3_timer t;
    struct p3_loop *loop;
    int fired;
    int64_t at, now; /* armed for, and the time it was told */
    struct tick *other;
    int rearm_self, stop_other, push_other;
};

static void on_tick(void *owner, int64_t now)
{
    struct tick *k = owner;

    k->fired++;
    k->now = now;
    if (k->rearm_self)
        p3_loop_timer_at(k->loop, &k->t, 0); /* in the past */
    if (k->stop_other && k->other != NULL)
        p3_loop_timer_stop(&k->other->t);
    if (k->push_other && k->other != NULL)
        p3_loop_timer_at(k->loop, &k->other->t, now + 3600 * 1000 * MS);
}

static void tick_init(struct tick *k, struct p3_loop *l)
{
    memset(k, 0, sizeof *k);
    k->loop = l;
    p3_timer_init(&k->t, on_tick, k);
}

static void arm(struct tick *k, int64_t at)
{
    k->at = at;
    p3_loop_timer_at(k->loop, &k->t, at);
}

static void test_loop_timer_fires_when_due_not_before(void **state)
{
    struct p3_loop *l = *state;
    struct tick k;
    int64_t t0;

    tick_init(&k, l);
    assert_false(p3_timer_armed(&k.t));
    assert_false(p3_loop_has_timers(l));
    t0 = p3_now_us();
    arm(&k, t0 + 150 * MS);
    assert_true(p3_timer_armed(&k.t));
    assert_true(p3_loop_has_timers(l));
    assert_int_equal(p3_loop_turn(l, 0), 0); /* not due yet */
    assert_int_equal(k.fired, 0);
    /* Waiting without a limit: the turn waits for the timer and fires it. */
    assert_int_equal(p3_loop_turn(l, -1), 0);
    assert_int_equal(k.fired, 1);
    assert_true(k.now >= k.at);
    assert_true(p3_now_us() >= k.at);
    assert_true(p3_now_us() - t0 < SLOW_US);
    assert_false(p3_timer_armed(&k.t));
    assert_false(p3_loop_has_timers(l));
    assert_int_equal(p3_loop_turn(l, 0), 0); /* once only */
    assert_int_equal(k.fired, 1);
}

/* A time in the past fires on the next turn, never inside timer_at. */
static void test_loop_timer_in_the_past_fires_next_turn(void **state)
{
    struct p3_loop *l = *state;
    struct tick k;
    int64_t t0;

    tick_init(&k, l);
    arm(&k, 0);
    assert_int_equal(k.fired, 0);
    arm(&k, p3_now_us() - 1000 * MS); /* re-armed, still in the past */
    assert_int_equal(k.fired, 0);
    assert_true(p3_timer_armed(&k.t));
    t0 = p3_now_us();
    assert_int_equal(p3_loop_turn(l, 30000), 0); /* does not wait 30 s */
    assert_int_equal(k.fired, 1);
    assert_true(p3_now_us() - t0 < SLOW_US);
}

static void test_loop_timer_stop(void **state)
{
    struct p3_loop *l = *state;
    struct tick k;

    tick_init(&k, l);
    p3_loop_timer_stop(&k.t); /* not armed: nothing happens */
    arm(&k, 0);
    p3_loop_timer_stop(&k.t);
    p3_loop_timer_stop(&k.t);
    assert_false(p3_timer_armed(&k.t));
    assert_false(p3_loop_has_timers(l));
    assert_int_equal(p3_loop_turn(l, 0), 0);
    assert_int_equal(k.fired, 0);
}

/* Re-armed in the past from its own callback: once per turn, not a loop
 * inside one turn. */
static void test_loop_timer_rearmed_by_itself(void **state)
{
    struct p3_loop *l = *state;
    struct tick k;

    tick_init(&k, l);
    k.rearm_self = 1;
    arm(&k, 0);
    for (int turn = 1; turn <= 3; turn++) {
        assert_int_equal(p3_loop_turn(l, 1000), 0);
        assert_int_equal(k.fired, turn);
        assert_true(p3_timer_armed(&k.t));
    }
    k.rearm_self = 0;
    assert_int_equal(p3_loop_turn(l, 1000), 0);
    assert_int_equal(k.fired, 4);
    assert_false(p3_timer_armed(&k.t));
}

/* Two timers due in the same turn, each stopping the other: whichever
 * goes first, the other must not fire. */
static void test_loop_timer_stopped_by_another_due(void **state)
{
    struct p3_loop *l = *state;
    struct tick a, b;

    tick_init(&a, l);
    tick_init(&b, l);
    a.other = &b, b.other = &a;
    a.stop_other = b.stop_other = 1;
    arm(&a, 0);
    arm(&b, 0);
    assert_int_equal(p3_loop_turn(l, 1000), 0);
    assert_int_equal(a.fired + b.fired, 1);
    assert_false(p3_timer_armed(&a.t));
    assert_false(p3_timer_armed(&b.t));
    assert_int_equal(p3_loop_turn(l, 0), 0);
    assert_int_equal(a.fired + b.fired, 1);
}

/* ... and each pushing the other an hour on: the other stays armed. */
static void test_loop_timer_rearmed_by_another_due(void **state)
{
    struct p3_loop *l = *state;
    struct tick a, b;

    tick_init(&a, l);
    tick_init(&b, l);
    a.other = &b, b.other = &a;
    a.push_other = b.push_other = 1;
    arm(&a, 0);
    arm(&b, 0);
    assert_int_equal(p3_loop_turn(l, 1000), 0);
    assert_int_equal(a.fired + b.fired, 1);
    assert_true(p3_timer_armed(a.fired ? &b.t : &a.t));
    assert_true(p3_loop_has_timers(l));
    assert_int_equal(p3_loop_turn(l, 0), 0);
    assert_int_equal(a.fired + b.fired, 1);
    p3_loop_timer_stop(&a.t); /* they live on this stack */
    p3_loop_timer_stop(&b.t);
}

/* A timer armed in the past by a callback fires on the next turn. */
static void arm_other_in_past(void *owner, int64_t now)
{
    struct tick *k = owner;

    (void)now;
    k->fired++;
    arm(k->other, 0);
}

static void test_loop_timer_armed_by_callback_waits_a_turn(void **state)
{
    struct p3_loop *l = *state;
    struct tick a, b;

    tick_init(&a, l);
    tick_init(&b, l);
    p3_timer_init(&a.t, arm_other_in_past, &a);
    a.other = &b;
    arm(&a, 0);
    assert_int_equal(p3_loop_turn(l, 1000), 0);
    assert_int_equal(a.fired, 1);
    assert_int_equal(b.fired, 0);
    assert_true(p3_timer_armed(&b.t));
    assert_int_equal(p3_loop_turn(l, 1000), 0);
    assert_int_equal(b.fired, 1);
}

/* Many timers spread over 200 ms, some stopped: each of the others
 * fires once, never early, and the loop ends empty. */
static void test_loop_many_timers(void **state)
{
    struct p3_loop *l = *state;
    struct tick *k = calloc(NTIMERS, sizeof *k);
    int64_t t0 = p3_now_us();
    int turns = 0, fired = 0;

    assert_non_null(k);
    for (int i = 0; i < NTIMERS; i++) {
        tick_init(&k[i], l);
        arm(&k[i], t0 + (int64_t)((i * 7919) % 200) * MS);
    }
    for (int i = 0; i < NTIMERS; i += 10)
        p3_loop_timer_stop(&k[i].t);
    while (p3_loop_has_timers(l)) {
        assert_int_equal(p3_loop_turn(l, 5000), 0);
        assert_true(++turns < 100000);
        assert_true(p3_now_us() - t0 < SLOW_US);
    }
    for (int i = 0; i < NTIMERS; i++) {
        if (i % 10 == 0) {
            assert_int_equal(k[i].fired, 0);
            continue;
        }
        assert_int_equal(k[i].fired, 1);
        assert_true(k[i].now >= k[i].at);
        fired++;
    }
    assert_int_equal(fired, NTIMERS - NTIMERS / 10);
    free(k);
}

/* A loop freed with timers armed: they are dropped, never called. */
static void test_loop_free_drops_timers(void **state)
{
    struct p3_loop *l = p3_loop_new();
    struct tick a, b;

    (void)state;
    assert_non_null(l);
    tick_init(&a, l);
    tick_init(&b, l);
    arm(&a, 0);
    arm(&b, p3_now_us() + 1000 * MS);
    p3_loop_free(l);
    assert_false(p3_timer_armed(&a.t));
    assert_false(p3_timer_armed(&b.t));
    assert_int_equal(a.fired + b.fired, 0);
    p3_loop_free(NULL);
}

/* ---- sockets ---- */

struct watcher {
    int calls;
    int fd;          /* of the last call */
    unsigned events; /* of the last call, and all of them */
    unsigned all;
    int gone;
    struct p3_loop *loop;
    int drop_fd;                 /* unwatch (or forget) this fd when called */
    const struct watcher *other; /* as its owner */
    int forget;
};

static void on_io(void *owner, int fd, unsigned events)
{
    struct watcher *w = owner;

    w->calls++;
    w->fd = fd;
    w->events = events;
    w->all |= events;
    if (events & P3_EV_GONE) {
        w->gone++;
        return; /* loop.h: the watcher must only take note */
    }
    if (w->drop_fd >= 0 && w->forget)
        p3_loop_forget(w->loop, w->drop_fd);
    else if (w->drop_fd >= 0)
        p3_loop_unwatch(w->loop, w->drop_fd, w->other);
    w->drop_fd = -1;
}

static void watcher_init(struct watcher *w, struct p3_loop *l)
{
    memset(w, 0, sizeof *w);
    w->loop = l;
    w->fd = -1;
    w->drop_fd = -1;
}

static void pair(int sv[2])
{
    assert_int_equal(
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv),
        0);
}

static void put(int fd)
{
    assert_int_equal(write(fd, "x", 1), 1);
}

static void drain(int fd)
{
    char buf[64];

    while (read(fd, buf, sizeof buf) > 0)
        ;
}

static void test_loop_watch_in(void **state)
{
    struct p3_loop *l = *state;
    struct watcher w;
    int sv[2];

    watcher_init(&w, l);
    pair(sv);
    assert_int_equal(p3_loop_watch(l, sv[0], P3_EV_IN, on_io, &w), 0);
    assert_int_equal(p3_loop_turn(l, 0), 0); /* nothing to read */
    assert_int_equal(w.calls, 0);
    put(sv[1]);
    assert_int_equal(p3_loop_turn(l, 10000), 0);
    assert_int_equal(w.calls, 1);
    assert_int_equal(w.fd, sv[0]);
    assert_true(w.events & P3_EV_IN);
    assert_false(w.events & (P3_EV_OUT | P3_EV_ERR | P3_EV_GONE));
    drain(sv[0]);
    assert_int_equal(p3_loop_turn(l, 0), 0); /* read: quiet again */
    assert_int_equal(w.calls, 1);
    p3_loop_unwatch(l, sv[0], &w);
    close(sv[0]);
    close(sv[1]);
}

/* A second watch changes the events and the watcher. */
static void test_loop_watch_out_and_change(void **state)
{
    struct p3_loop *l = *state;
    struct watcher w1, w2;
    int sv[2];

    watcher_init(&w1, l);
    watcher_init(&w2, l);
    pair(sv);
    assert_int_equal(p3_loop_watch(l, sv[0], P3_EV_OUT, on_io, &w1), 0);
    assert_int_equal(p3_loop_turn(l, 10000), 0);
    assert_int_equal(w1.calls, 1);
    assert_true(w1.events & P3_EV_OUT);
    assert_false(w1.events & P3_EV_IN);
    assert_int_equal(p3_loop_watch(l, sv[0], P3_EV_IN, on_io, &w2), 0);
    assert_int_equal(p3_loop_turn(l, 0), 0); /* writable, but not asked */
    assert_int_equal(w1.calls + w2.calls, 1);
    put(sv[1]);
    assert_int_equal(p3_loop_turn(l, 10000), 0);
    assert_int_equal(w1.calls, 1);
    assert_int_equal(w2.calls, 1);
    assert_true(w2.events & P3_EV_IN);
    assert_int_equal(p3_loop_watch(l, sv[0], P3_EV_IN | P3_EV_OUT, on_io, &w2),
                     0);
    assert_int_equal(p3_loop_turn(l, 10000), 0);
    assert_int_equal((w2.events & (P3_EV_IN | P3_EV_OUT)),
                     P3_EV_IN | P3_EV_OUT);
    p3_loop_unwatch(l, sv[0], &w2);
    close(sv[0]);
    close(sv[1]);
}

/* Only the owner's unwatch counts. */
static void test_loop_unwatch_by_other_owner_does_nothing(void **state)
{
    struct p3_loop *l = *state;
    struct watcher w, stranger;
    int sv[2];

    watcher_init(&w, l);
    watcher_init(&stranger, l);
    pair(sv);
    assert_int_equal(p3_loop_watch(l, sv[0], P3_EV_IN, on_io, &w), 0);
    put(sv[1]);
    p3_loop_unwatch(l, sv[0], &stranger);
    p3_loop_unwatch(l, sv[0], NULL);
    assert_int_equal(p3_loop_turn(l, 10000), 0);
    assert_int_equal(w.calls, 1);
    p3_loop_unwatch(l, sv[0], &w);
    assert_int_equal(p3_loop_turn(l, 50), 0); /* still readable */
    assert_int_equal(w.calls, 1);
    p3_loop_unwatch(l, sv[0], &w); /* twice: nothing */
    p3_loop_unwatch(l, 100000, &w);
    p3_loop_unwatch(l, -1, &w);
    assert_int_equal(stranger.calls, 0);
    close(sv[0]);
    close(sv[1]);
}

/* The peer gone: an error or hang-up comes even when not asked for. */
static void test_loop_err_on_hangup(void **state)
{
    struct p3_loop *l = *state;
    struct watcher w;
    int sv[2];

    watcher_init(&w, l);
    pair(sv);
    assert_int_equal(p3_loop_watch(l, sv[0], 0, on_io, &w), 0);
    assert_int_equal(p3_loop_turn(l, 0), 0);
    assert_int_equal(w.calls, 0);
    close(sv[1]);
    assert_int_equal(p3_loop_turn(l, 10000), 0);
    assert_int_equal(w.calls, 1);
    assert_true(w.events & P3_EV_ERR);
    assert_false(w.events & P3_EV_GONE);
    p3_loop_unwatch(l, sv[0], &w);
    close(sv[0]);
}

/* A pipe's write end with the reader gone: EPOLLERR. */
static void test_loop_err_on_broken_pipe(void **state)
{
    struct p3_loop *l = *state;
    struct watcher w;
    int p[2];

    watcher_init(&w, l);
    assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
    assert_int_equal(p3_loop_watch(l, p[1], P3_EV_OUT, on_io, &w), 0);
    assert_int_equal(p3_loop_turn(l, 10000), 0);
    assert_int_equal(w.calls, 1);
    assert_int_equal(w.events, P3_EV_OUT);
    close(p[0]);
    assert_int_equal(p3_loop_turn(l, 10000), 0);
    assert_int_equal(w.calls, 2);
    assert_true(w.events & P3_EV_ERR);
    p3_loop_unwatch(l, p[1], &w);
    close(p[1]);
}

/* p3_loop_forget: the watcher hears P3_EV_GONE once, at once, and the
 * watch is gone. */
static void test_loop_forget_tells_watcher_once(void **state)
{
    struct p3_loop *l = *state;
    struct watcher w;
    int sv[2];

    watcher_init(&w, l);
    pair(sv);
    p3_loop_forget(l, sv[0]); /* not watched: nothing */
    assert_int_equal(p3_loop_watch(l, sv[0], P3_EV_IN, on_io, &w), 0);
    put(sv[1]);
    p3_loop_forget(l, sv[0]);
    assert_int_equal(w.calls, 1);
    assert_int_equal(w.gone, 1);
    assert_int_equal(w.fd, sv[0]);
    assert_true(w.events & P3_EV_GONE);
    p3_loop_forget(l, sv[0]);
    assert_int_equal(w.calls, 1);
    assert_int_equal(p3_loop_turn(l, 50), 0); /* readable, but forgotten */
    assert_int_equal(w.calls, 1);
    p3_loop_forget(l, -1);
    p3_loop_forget(l, 100000);
    close(sv[0]);
    close(sv[1]);
}

/* Two sockets ready in one batch; the first callback unwatches (or
 * forgets) the other's: the other hears no stale event. */
static void both_ready(struct p3_loop *l, int forget)
{
    struct watcher a, b;
    const struct watcher *dropped;
    int calls;
    int s1[2], s2[2];

    watcher_init(&a, l);
    watcher_init(&b, l);
    pair(s1);
    pair(s2);
    a.drop_fd = s2[0], a.other = &b, a.forget = forget;
    b.drop_fd = s1[0], b.other = &a, b.forget = forget;
    assert_int_equal(p3_loop_watch(l, s1[0], P3_EV_IN, on_io, &a), 0);
    assert_int_equal(p3_loop_watch(l, s2[0], P3_EV_IN, on_io, &b), 0);
    put(s1[1]);
    put(s2[1]);
    usleep(10000);
    assert_int_equal(p3_loop_turn(l, 10000), 0);
    /* Exactly one read event; with forget, the other heard GONE. */
    assert_int_equal(((a.all & P3_EV_IN) != 0) + ((b.all & P3_EV_IN) != 0), 1);
    assert_int_equal(a.gone + b.gone, forget ? 1 : 0);
    assert_int_equal(a.calls + b.calls, forget ? 2 : 1);
    /* Both still readable: only the survivor hears it again. */
    dropped = a.all & P3_EV_IN ? &b : &a;
    calls = dropped->calls;
    assert_int_equal(p3_loop_turn(l, 10000), 0);
    assert_int_equal(dropped->calls, calls);
    assert_int_equal(a.calls + b.calls, calls + 2);
    p3_loop_unwatch(l, s1[0], &a);
    p3_loop_unwatch(l, s2[0], &b);
    close(s1[0]), close(s1[1]), close(s2[0]), close(s2[1]);
}

static void test_loop_unwatch_inside_batch(void **state)
{
    both_ready(*state, 0);
}

static void test_loop_forget_inside_batch(void **state)
{
    both_ready(*state, 1);
}

/* A socket closed without unwatch and a new one under the same number:
 * watching the new one works (epoll forgot the old one by itself). */
static void test_loop_watch_reused_descriptor(void **state)
{
    struct p3_loop *l = *state;
    struct watcher old, fresh;
    int sv[2], nv[2];

    watcher_init(&old, l);
    watcher_init(&fresh, l);
    pair(sv);
    assert_int_equal(p3_loop_watch(l, sv[0], P3_EV_IN, on_io, &old), 0);
    close(sv[0]);
    pair(nv);
    if (nv[0] != sv[0] && nv[1] != sv[0])
        skip();
    if (nv[1] == sv[0]) { /* the one watched must be the reused number */
        int t = nv[0];
        nv[0] = nv[1], nv[1] = t;
    }
    assert_int_equal(p3_loop_watch(l, nv[0], P3_EV_IN, on_io, &fresh), 0);
    put(nv[1]);
    assert_int_equal(p3_loop_turn(l, 10000), 0);
    assert_int_equal(fresh.calls, 1);
    assert_int_equal(old.calls, 0);
    p3_loop_unwatch(l, nv[0], &fresh);
    close(nv[0]), close(nv[1]), close(sv[1]);
}

static void test_loop_watch_refused(void **state)
{
    struct p3_loop *l = *state;
    struct watcher w;
    int sv[2], fd;

    watcher_init(&w, l);
    pair(sv);
    assert_int_equal(p3_loop_watch(l, -1, P3_EV_IN, on_io, &w), -1);
    assert_int_equal(p3_loop_watch(l, sv[0], P3_EV_IN, NULL, &w), -1);
    fd = open("/dev/null", O_RDONLY | O_CLOEXEC); /* epoll refuses files */
    if (fd >= 0) {
        assert_int_equal(p3_loop_watch(l, fd, P3_EV_IN, on_io, &w), -1);
        close(fd);
    }
    assert_int_equal(p3_loop_turn(l, 0), 0);
    assert_int_equal(w.calls, 0);
    close(sv[0]);
    close(sv[1]);
}

/* A socket and a timer in the same turn: both are served. */
static void test_loop_socket_and_timer_same_turn(void **state)
{
    struct p3_loop *l = *state;
    struct watcher w;
    struct tick k;
    int sv[2];

    watcher_init(&w, l);
    tick_init(&k, l);
    pair(sv);
    assert_int_equal(p3_loop_watch(l, sv[0], P3_EV_IN, on_io, &w), 0);
    put(sv[1]);
    arm(&k, 0);
    assert_int_equal(p3_loop_turn(l, 10000), 0);
    assert_int_equal(w.calls, 1);
    assert_int_equal(k.fired, 1);
    p3_loop_unwatch(l, sv[0], &w);
    close(sv[0]);
    close(sv[1]);
}

/* ---- waiting ---- */

static void test_loop_turn_timeout_honoured(void **state)
{
    struct p3_loop *l = *state;
    struct tick far;
    int64_t t0 = p3_now_us(), took;

    assert_int_equal(p3_loop_turn(l, 100), 0);
    took = p3_now_us() - t0;
    assert_true(took >= 90 * MS);
    assert_true(took < SLOW_US);
    /* A timer due later does not stretch the turn, nor fire. */
    tick_init(&far, l);
    arm(&far, p3_now_us() + 3600 * 1000 * MS);
    t0 = p3_now_us();
    assert_int_equal(p3_loop_turn(l, 100), 0);
    took = p3_now_us() - t0;
    assert_true(took >= 90 * MS);
    assert_true(took < SLOW_US);
    assert_int_equal(far.fired, 0);
    p3_loop_timer_stop(&far.t);
}

/* A timer due sooner than the timeout ends the wait. */
static void test_loop_turn_shortened_by_timer(void **state)
{
    struct p3_loop *l = *state;
    struct tick k;
    int64_t t0 = p3_now_us();

    tick_init(&k, l);
    arm(&k, t0 + 100 * MS);
    assert_int_equal(p3_loop_turn(l, 60000), 0);
    assert_int_equal(k.fired, 1);
    assert_true(p3_now_us() - t0 >= 100 * MS);
    assert_true(p3_now_us() - t0 < SLOW_US);
}

static void *wake_later(void *arg)
{
    struct timespec ts = {0, 100 * 1000 * 1000};

    nanosleep(&ts, NULL);
    return (void *)(intptr_t)p3_loop_wakeup(arg);
}

static void test_loop_wakeup_from_another_thread(void **state)
{
    struct p3_loop *l = *state;
    pthread_t th;
    void *rc = NULL;
    int64_t t0 = p3_now_us(), took;

    assert_int_equal(pthread_create(&th, NULL, wake_later, l), 0);
    assert_int_equal(p3_loop_turn(l, -1), 0); /* nothing else could end it */
    took = p3_now_us() - t0;
    assert_int_equal(pthread_join(th, &rc), 0);
    assert_int_equal((intptr_t)rc, 0);
    assert_true(took < SLOW_US);
    /* The wake-up is used up: the next turn waits its time again. */
    t0 = p3_now_us();
    assert_int_equal(p3_loop_turn(l, 100), 0);
    assert_true(p3_now_us() - t0 >= 90 * MS);
}

/* Woken before it waits: the turn returns at once all the same. */
static void test_loop_wakeup_before_turn(void **state)
{
    struct p3_loop *l = *state;
    int64_t t0;

    assert_int_equal(p3_loop_wakeup(l), 0);
    assert_int_equal(p3_loop_wakeup(l), 0);
    t0 = p3_now_us();
    assert_int_equal(p3_loop_turn(l, 60000), 0);
    assert_true(p3_now_us() - t0 < SLOW_US);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_loop_timer_fires_when_due_not_before),
        T(test_loop_timer_in_the_past_fires_next_turn),
        T(test_loop_timer_stop),
        T(test_loop_timer_rearmed_by_itself),
        T(test_loop_timer_stopped_by_another_due),
        T(test_loop_timer_rearmed_by_another_due),
        T(test_loop_timer_armed_by_callback_waits_a_turn),
        T(test_loop_many_timers),
        cmocka_unit_test(test_loop_free_drops_timers),
        T(test_loop_watch_in),
        T(test_loop_watch_out_and_change),
        T(test_loop_unwatch_by_other_owner_does_nothing),
        T(test_loop_err_on_hangup),
        T(test_loop_err_on_broken_pipe),
        T(test_loop_forget_tells_watcher_once),
        T(test_loop_unwatch_inside_batch),
        T(test_loop_forget_inside_batch),
        T(test_loop_watch_reused_descriptor),
        T(test_loop_watch_refused),
        T(test_loop_socket_and_timer_same_turn),
        T(test_loop_turn_timeout_honoured),
        T(test_loop_turn_shortened_by_timer),
        T(test_loop_wakeup_from_another_thread),
        T(test_loop_wakeup_before_turn),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
