/* SPDX-License-Identifier: MIT */
/* loop.h - the event loop under the probes: sockets and timers, each with
 * an owner pointer it calls back. It knows nothing of what they serve.
 * One thread; only p3_loop_wakeup() may be called from another. */
#ifndef POP3CHECK_LOOP_H
#define POP3CHECK_LOOP_H

#include <stdint.h>

/* Socket events. */
#define P3_EV_IN  1u /* readable */
#define P3_EV_OUT 2u /* writable */
#define P3_EV_ERR 4u /* error or hang-up: read to learn which */
#define P3_EV_GONE                                                             \
    8u /* the socket was closed under its watcher (see                         \
          p3_loop_forget); its fd is no longer valid */

struct p3_loop;

/* Called with the events of a watched socket. */
typedef void p3_io_fn(void *owner, int fd, unsigned events);
/* Called when a timer is due; now is the monotonic time in us. */
typedef void p3_timer_fn(void *owner, int64_t now);

/* A timer lives in its owner; the loop links it while it is armed, so
 * arming never allocates and never fails. */
struct p3_timer {
    int64_t at;
    p3_timer_fn *fn;
    void *owner;
    struct p3_timer *prev, *next;
    struct p3_timer **list; /* the list it is on, NULL when not armed */
};

/* NULL when out of memory or descriptors. */
struct p3_loop *p3_loop_new(void);
/* The timers and watches still set are dropped, not called. NULL is a
 * no-op. */
void p3_loop_free(struct p3_loop *l);

/* Watches fd for events (P3_EV_IN and/or P3_EV_OUT; errors always come);
 * a second call changes the events and the watcher. 0, or -1 when out of
 * memory. */
int p3_loop_watch(struct p3_loop *l, int fd, unsigned events, p3_io_fn *fn,
                  void *owner);
/* Stops watching fd if owner watches it (nothing happens otherwise, so a
 * socket another owner took over stays watched). */
void p3_loop_unwatch(struct p3_loop *l, int fd, const void *owner);
/* For whoever closes a socket that someone else may watch (libcurl's
 * close-socket callback): the watcher, if any, is told P3_EV_GONE at
 * once, then the watch is dropped. The watcher must only take note. */
void p3_loop_forget(struct p3_loop *l, int fd);

void p3_timer_init(struct p3_timer *t, p3_timer_fn *fn, void *owner);
/* Arms t for the monotonic time at (us); re-arms an armed timer. A time
 * in the past fires on the loop's next turn, never from inside this call. */
void p3_loop_timer_at(struct p3_loop *l, struct p3_timer *t, int64_t at);
/* Disarms t (nothing happens if it is not armed). */
void p3_loop_timer_stop(struct p3_timer *t);
/* 1 while t is armed. */
int p3_timer_armed(const struct p3_timer *t);

/* One turn: waits up to timeout_ms (-1: until something happens) or until
 * the next timer, calls the watchers of ready sockets, then fires the
 * timers that are due. 0, or -1 when waiting failed. */
int p3_loop_turn(struct p3_loop *l, int timeout_ms);
/* Makes a p3_loop_turn() waiting in another thread return. */
int p3_loop_wakeup(struct p3_loop *l);
/* 1 while any timer is armed. */
int p3_loop_has_timers(const struct p3_loop *l);

#endif
