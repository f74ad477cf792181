/* SPDX-License-Identifier: MIT */
/* dialog.h - drives a session (session.h) over a socket someone else
 * connected: waits on the loop, moves bytes through a transport, never
 * blocks. Knows neither libcurl nor probes. */
#ifndef POP3CHECK_DIALOG_H
#define POP3CHECK_DIALOG_H

#include "loop.h"
#include "session.h"
#include "transport.h"

struct p3_dialog {
    struct p3_loop *loop;
    int fd;          /* -1 when stopped */
    unsigned events; /* what the loop watches on fd */
    struct p3_session *sess;
    struct p3_transport tr;
    int ended; /* the session is over (done, failed, or the socket gone) */
    void (*wake)(void *ctx); /* told once, when ended becomes 1 */
    void *wake_ctx;
};

/* Starts s (borrowed) on fd. When the session is over (or could not go
 * on: the socket closed under it, it could not be watched), ended is set
 * and wake(ctx) is called, possibly from inside this call. */
void p3_dialog_start(struct p3_dialog *d, struct p3_loop *l, int fd,
                     const struct p3_transport *tr, struct p3_session *s,
                     int64_t now, void (*wake)(void *ctx), void *ctx);
/* Stops watching and shuts the socket down (the server sees the end at
 * once; its owner closes it). */
void p3_dialog_stop(struct p3_dialog *d);

#endif
