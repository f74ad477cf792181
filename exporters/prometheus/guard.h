/* SPDX-License-Identifier: MIT */
/* guard.h - keeps clients that hold connections from blinding
 * pop3_exporter: a request's headers must be complete within a deadline
 * from its connection (the next request on a kept-alive connection within
 * a shorter one from the end of the last answer), and connections are
 * limited in all and per client address (an IPv4 address, an IPv6 /64).
 * Connections past a deadline are shut down by the guard's own thread;
 * refused and timed-out connections are counted and logged, one line per
 * cause at most every 10 s. libmicrohttpd's accept policy and connection
 * notifications drive it; its own inactivity timeout is only a backstop
 * (a client that stops reading an answer). */
#ifndef P3X_GUARD_H
#define P3X_GUARD_H

#include <microhttpd.h>

#include "expose.h"

struct p3x_guard_opts {
    double header_timeout_s; /* --web.read-header-timeout */
    double idle_timeout_s;   /* --web.idle-timeout, below the one above */
    unsigned max_conns;      /* --web.max-connections */
    unsigned max_per_addr;   /* --web.max-connections-per-address */
};

struct p3x_guard;

/* Starts the guard's thread. NULL when out of memory or threads. */
struct p3x_guard *p3x_guard_new(const struct p3x_guard_opts *o);
/* Stops the thread and frees; after libmicrohttpd is stopped. */
void p3x_guard_free(struct p3x_guard *g);

/* libmicrohttpd's hooks, cls being the guard: the accept policy
 * (MHD_start_daemon's apc) and MHD_OPTION_NOTIFY_CONNECTION. */
enum MHD_Result p3x_guard_accept(void *cls, const struct sockaddr *addr,
                                 socklen_t len);
void p3x_guard_notify(void *cls, struct MHD_Connection *c, void **socket_ctx,
                      enum MHD_ConnectionNotificationCode code);
/* c's request headers are in: its deadline is lifted. */
void p3x_guard_request(struct p3x_guard *g, struct MHD_Connection *c);
/* c's request ended (why, as libmicrohttpd says): after a whole answer
 * the next request on it has the idle deadline; a connection that stopped
 * reading its answer is counted. */
void p3x_guard_completed(struct p3x_guard *g, struct MHD_Connection *c,
                         enum MHD_RequestTerminationCode why);

/* Adds the counters (refused, timed out, open) to fs. 0 or -1 (memory). */
int p3x_guard_families(struct p3x_guard *g, struct p3x_families *fs);

#endif
