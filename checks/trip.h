/* SPDX-License-Identifier: MIT */
/* trip.h - a round trip's own part (trip.c): the probe message and its
 * identifier, the submission (smtpconn.c, then submit.c), when to poll,
 * what the polls found; probe.c runs the POP3 sessions in between. */
#ifndef POP3CHECK_TRIP_H
#define POP3CHECK_TRIP_H

#include "dialog.h"
#include "mailpoll.h"
#include "smtpconn.h"
#include "submit.h"

struct p3_trip {
    const struct p3_opts *o; /* the probe's, borrowed */
    struct pop3check_result *r;
    struct p3_poll poll;
    struct p3_smtpconn smtp;
    struct p3_submit *sub;
    struct p3_dialog dialog; /* of the submission */
    int stage;               /* trip.c's */
    int64_t t0, deadline, accepted_at;
    int64_t poll_start, last_poll_us;
    long polls, stale, headers;
    char *message;
    size_t message_len;
    void (*wake)(void *ctx);
    void *wake_ctx;
};

enum p3_trip_rc { P3_TRIP_BUSY, P3_TRIP_SUBMITTED, P3_TRIP_FAILED };

/* Makes the probe message and starts submitting it on cm, writing into r;
 * wake(ctx) is told (take note only) when the submission needs a step.
 * bearer is the run's OAuth 2.0 token (for SMTP AUTH XOAUTH2 or
 * OAUTHBEARER), or NULL. -1 when it could not start (r says why). */
int p3_trip_start(struct p3_trip *t, const struct p3_opts *o,
                  const char *bearer, struct pop3check_result *r,
                  struct p3_curlm *cm, int64_t t0, int64_t deadline,
                  void (*wake)(void *ctx), void *ctx);
/* Advances the submission at a wake-up or at the deadline. */
enum p3_trip_rc p3_trip_submit_step(struct p3_trip *t, struct p3_loop *loop,
                                    int64_t now);
/* When the next poll starts (monotonic us), or -1 when none fits before
 * the deadline. */
int64_t p3_trip_next_poll(const struct p3_trip *t, int64_t now);
/* A poll begins now: the POP3 part of the result is cleared; the
 * session's view of the round trip. */
struct p3_poll *p3_trip_poll_begin(struct p3_trip *t, int64_t now);
/* The poll's session is over: 1 when the probe was seen (the round trip
 * is done), 0 to poll again. */
int p3_trip_poll_end(struct p3_trip *t, int64_t now);
/* Fills the round trip's figures and texts; not delivered when no poll
 * saw the probe. */
void p3_trip_finish(struct p3_trip *t, int64_t now);
/* Releases the submission's connection and memory. */
void p3_trip_end(struct p3_trip *t);

#endif
