/* SPDX-License-Identifier: MIT */
/* conn.h - libcurl's part of one probe: resolve, connect and TLS
 * (implicit or STLS) in CONNECT_ONLY mode without credentials, so that
 * libcurl stops after the greeting and CAPA; then the socket, and a
 * transport over curl_easy_send/recv, for the dialog that follows. */
#ifndef POP3CHECK_CONN_H
#define POP3CHECK_CONN_H

#include <curl/curl.h>

#include "curlio.h"
#include "curlm.h"
#include "tlsbind.h"
#include "tracker.h"
#include "transport.h"

enum p3_conn_state {
    P3_CONN_IDLE,        /* not started, or ended */
    P3_CONN_RUNNING,     /* libcurl connects */
    P3_CONN_FINISHED,    /* libcurl is done (p3_conn_finish tells how) */
    P3_CONN_BROKEN,      /* a socket could not be watched */
    P3_CONN_BAD_GREETING /* the greeting is not "+OK" */
};

struct p3_conn {
    enum p3_conn_state state;
    int code; /* CURLcode once FINISHED */
    int fd;   /* the socket once connected, for the plain transport */
    struct p3_curlio io;
    CURL *easy;
    CURLSH *pool; /* easy's own connection pool (curlm.c) */
    struct curl_slist *connect_to_list;
    char url[300];
    char connect_to[600];
    char errbuf[CURL_ERROR_SIZE];
    struct p3_tracker trk;
    struct p3_tlsbind bind; /* SCRAM -PLUS's binding of the channel */
    struct p3_curlm *cm;
    struct p3_curl_owner owner; /* how curlm reaches us */
    int in_multi;
    const struct p3_opts *o; /* the probe's, borrowed */
    struct pop3check_result *r;
    int64_t t0;
    void (*wake)(void *ctx); /* told of every change of state */
    void *wake_ctx;
};

/* global.c: 0 if the libcurl described by v can run probes (version, POP3 and
 * POP3S, OpenSSL), else -1 with what is needed in err. */
int p3_curl_check(const curl_version_info_data *v, char *err, size_t errlen);

/* Starts connecting as o says, writing into r; wake(ctx) is called (from
 * inside libcurl: take note only) whenever the state changes. 0, or -1
 * when libcurl could not be set up (state IDLE). */
int p3_conn_start(struct p3_conn *c, const struct p3_opts *o,
                  struct pop3check_result *r, struct p3_curlm *cm, int64_t t0,
                  void (*wake)(void *ctx), void *ctx);
/* Fills the connect phases, the peer and the certificate into the
 * result; when code is not CURLE_OK, also the error (kind, phase, text,
 * the server's words). 0 when the connection is up for the dialog. */
int p3_conn_finish(struct p3_conn *c, int code, int64_t now);
/* Fills the connect phases for a failure decided outside libcurl and
 * returns the phase in progress at now (charged the time up to now). */
enum pop3check_phase p3_conn_fail_phase(struct p3_conn *c, int64_t now);
/* The connected socket (after a successful finish), or -1. */
int p3_conn_socket(const struct p3_conn *c);
/* The TLS channel's binding data for SCRAM -PLUS (tlsbind.h): type ""
 * when there is none, and then *why says why. */
const struct p3_chanbind *p3_conn_chanbind(const struct p3_conn *c,
                                           const char **why);
/* The greeting's APOP timestamp, "" if none. */
const char *p3_conn_apop_ts(const struct p3_conn *c);
/* Sends and receives through libcurl (so TLS stays libcurl's), or on the
 * socket itself when the session is plain text. */
struct p3_transport p3_conn_transport(struct p3_conn *c);
/* Releases libcurl's handles; the state is IDLE after. */
void p3_conn_end(struct p3_conn *c);

#endif
