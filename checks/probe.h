/* SPDX-License-Identifier: MIT */
/* probe.h - a probe's life cycle (probe.c): begin on a loop, libcurl's
 * connect stage (conn.c), the dialog (dialog.c), finish; for whoever
 * runs probes (multi.c). */
#ifndef POP3CHECK_PROBE_H
#define POP3CHECK_PROBE_H

#include "conn.h"
#include "dialog.h"
#include "grant.h"
#include "scram.h"
#include "trip.h"

enum p3_stage {
    P3_IDLE,
    P3_GRANT,   /* an OAuth 2.0 token being granted (grant.c) */
    P3_SMTP,    /* a round trip's submission (trip.c) */
    P3_WAIT,    /* a round trip between its polls */
    P3_CONNECT, /* libcurl's part */
    P3_DIALOG,  /* ours, from the login on */
    P3_FINISHED /* could not start: reported on the loop's next turn */
};

/* Told once per run, from the loop (never from inside libcurl), when the
 * probe has finished and released its connection. */
typedef void p3_probe_end_fn(void *ctx, struct pop3check_probe *p);

/* What a run needs only while it runs: allocated at begin, freed at the
 * end, so that an idle probe (a scheduled target between its probes)
 * holds its options and its last result only. */
struct p3_run {
    struct pop3check_result result; /* of the run in progress */
    struct p3_conn conn;
    struct p3_dialog dialog;
    struct p3_session *sess;
    struct p3_trip *trip; /* a round trip's, else NULL */
    char *token;          /* read from the token file, or granted */
    struct p3_grant grant;
};

struct pop3check_probe {
    struct p3_opts o;             /* a copy of the options */
    struct pop3check_result last; /* of the last finished run */
    /* derived from the password once, for every run's SCRAM login */
    struct p3_scram_keys scram_keys;
    /* "any": the server refused SCRAM -PLUS, so the next runs log in
     * unbound at once (sasl.c) */
    int plus_refused;
    /* when each message was first seen (POP3CHECK_OPT_AGE 2), or NULL */
    struct p3_seen *seen;

    /* one run */
    enum p3_stage stage;
    struct p3_loop *loop;
    struct p3_curlm *cm;
    struct p3_run *run;    /* NULL while idle */
    struct p3_timer timer; /* the deadline, or now when woken */
    int64_t t0, deadline;
    p3_probe_end_fn *end;
    void *end_ctx;
};

/* Starts a run of p on loop and cm. 0, or -1 when p is running already.
 * A probe that cannot set up libcurl finishes with an internal error, on
 * the loop's next turn, like any other. */
int p3_probe_begin(struct pop3check_probe *p, struct p3_loop *loop,
                   struct p3_curlm *cm, p3_probe_end_fn *end, void *ctx);
/* 1 from begin until the end function has been called. */
int p3_probe_running(const struct pop3check_probe *p);
/* Makes the last result say that a run could not even begin (why), for a
 * runner that could not take the probe. */
void p3_probe_refuse(struct pop3check_probe *p, const char *why);
/* Stops a run without telling its end function; nothing if idle. */
void p3_probe_abort(struct pop3check_probe *p);

#endif
