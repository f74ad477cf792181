/* SPDX-License-Identifier: MIT */
/* tracker.h - the connect phase as seen in libcurl's debug stream, where
 * libcurl itself speaks POP3 (greeting, CAPA, STLS). The one reader of
 * libcurl's human-readable debug text; tested on recorded streams
 * (tests/unit/test_tracker.c). */
#ifndef POP3CHECK_TRACKER_H
#define POP3CHECK_TRACKER_H

#include "internal.h"

enum p3_trk_step {
    P3_TRK_GREETING, /* waiting for the greeting */
    P3_TRK_IDLE,     /* between commands */
    P3_TRK_CAPA,     /* CAPA sent, reading its reply */
    P3_TRK_STLS,     /* STLS sent */
    P3_TRK_HANDSHAKE /* STLS accepted, TLS handshake running */
};

struct p3_tracker {
    enum p3_trk_step step;
    int64_t t0;          /* probe start, monotonic us */
    int64_t greeting_at; /* when the greeting arrived, -1 before */
    int64_t cmd_at;      /* when the current command was sent */
    int64_t capa_us;     /* CAPA round trips, summed; -1 if none */
    int64_t stls_us;     /* STLS round trip, -1 if none */
    int64_t tls_start;   /* STLS +OK received, -1 if none */
    int64_t tls_end;     /* first command after the handshake */
    int64_t tls_first;   /* first TLS record sent, -1 before */
    int connecting;      /* libcurl has begun this probe's TCP connect */
    int bad_greeting;    /* the greeting is not "+OK": the probe fails */
    int capa_ok;         /* the last CAPA was answered +OK */
    int capa_lines;      /* capability lines of the current CAPA */
    char apop_ts[256];   /* greeting timestamp, "" if none */
    char last_line[256]; /* last server line (sanitised) */
    struct pop3check_result *r;
    pop3check_trace_fn *trace;
    void *trace_ctx;
};

void p3_tracker_init(struct p3_tracker *t, struct pop3check_result *r,
                     int64_t t0, pop3check_trace_fn *trace, void *ctx);
/* One event of libcurl's debug callback (curl_infotype as int) at now. */
void p3_tracker_event(struct p3_tracker *t, int type, const char *data,
                      size_t size, int64_t now);

#endif
