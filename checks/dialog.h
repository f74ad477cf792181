/* SPDX-License-Identifier: MIT */
/* dialog.h - drives a line protocol state machine (a POP3 session,
 * session.h, or an SMTP submission) over a socket someone else connected:
 * waits on the loop, moves bytes through a transport, never blocks. Knows
 * neither libcurl nor probes. */
#ifndef POP3CHECK_DIALOG_H
#define POP3CHECK_DIALOG_H

#include "loop.h"
#include "session.h"
#include "transport.h"

/* What the dialog asks of the state machine it drives, in the terms of
 * session.h (start, pending, sent, input, fail). */
struct p3_dialog_ops {
    enum p3_sess_rc (*start)(void *obj, int64_t now);
    size_t (*pending)(const void *obj, const char **buf);
    void (*sent)(void *obj, size_t n);
    enum p3_sess_rc (*input)(void *obj, const char *data, size_t len,
                             int64_t now);
    void (*fail)(void *obj, enum pop3check_error e, const char *text,
                 int64_t now);
};

struct p3_dialog {
    struct p3_loop *loop;
    int fd;          /* -1 when stopped */
    unsigned events; /* what the loop watches on fd */
    const struct p3_dialog_ops *ops;
    void *sess; /* what ops drive */
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
/* The same for any state machine obj that ops drive. */
void p3_dialog_run(struct p3_dialog *d, struct p3_loop *l, int fd,
                   const struct p3_transport *tr,
                   const struct p3_dialog_ops *ops, void *obj, int64_t now,
                   void (*wake)(void *ctx), void *ctx);
/* Stops watching and shuts the socket down (the server sees the end at
 * once; its owner closes it). */
void p3_dialog_stop(struct p3_dialog *d);

#endif
