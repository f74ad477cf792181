/* SPDX-License-Identifier: MIT */
/* smtpconn.h - libcurl's part of a round trip's submission (smtpconn.c):
 * resolve, connect, TLS (implicit or STARTTLS), greeting, EHLO and AUTH in
 * CONNECT_ONLY mode, timed from libcurl's debug stream; then the socket
 * and a transport for the rest of the dialog (submit.c). */
#ifndef POP3CHECK_SMTPCONN_H
#define POP3CHECK_SMTPCONN_H

#include <curl/curl.h>

#include "curlio.h"
#include "curlm.h"

enum p3_smtp_step {
    P3_SMTP_T_START,     /* waiting for the greeting */
    P3_SMTP_T_GREETED,   /* between commands */
    P3_SMTP_T_EHLO,      /* EHLO or HELO sent */
    P3_SMTP_T_STARTTLS,  /* STARTTLS sent */
    P3_SMTP_T_HANDSHAKE, /* its 220 came: the TLS handshake */
    P3_SMTP_T_AUTH       /* AUTH sent, until its final reply */
};

struct p3_smtpconn {
    int state; /* enum p3_conn_state of conn.h's meaning, see smtpconn.c */
    int code;  /* CURLcode once finished */
    CURL *easy;
    CURLSH *pool; /* easy's own connection pool (curlm.c) */
    char url[400];
    char errbuf[CURL_ERROR_SIZE];
    char login_options[40];
    struct p3_curlm *cm;
    struct p3_curl_owner owner;
    int in_multi;
    const struct p3_opts *o; /* the probe's, borrowed */
    const char *bearer;      /* the run's token, borrowed, or NULL */
    struct pop3check_result *r;
    int64_t t0; /* when the submission began */
    void (*wake)(void *ctx);
    void *wake_ctx;
    struct p3_curlio io;
    /* what the debug stream showed, monotonic us (-1: not yet) */
    enum p3_smtp_step step;
    int64_t greet_at, cmd_at, starttls_at;
    int64_t ehlo_us, tls_us, auth_us;
    char in[1024]; /* a server line being assembled */
    size_t in_len;
    char last_line[256]; /* the last final server line, sanitised */
};

/* Starts the submission's connection as o says (SMTP_HOST, _PORT, _TLS,
 * _USER, _PASSWORD, _AUTH; CAFILE, INSECURE and IP_VERSION as for POP3;
 * with _AUTH XOAUTH2 or OAUTHBEARER, the token bearer instead of a
 * password),
 * giving up timeout_ms from now; wake(ctx) is told (from inside libcurl:
 * take note only) when it is done. 0, or -1 when libcurl could not be set
 * up. */
int p3_smtpconn_start(struct p3_smtpconn *c, const struct p3_opts *o,
                      const char *bearer, struct pop3check_result *r,
                      struct p3_curlm *cm, int64_t t0, long timeout_ms,
                      void (*wake)(void *ctx), void *ctx);
/* 1 once libcurl's part is over (finished or broken). */
int p3_smtpconn_done(const struct p3_smtpconn *c);
/* Fills the SMTP phases into the result; when code (the CURLcode, or
 * CURLE_OPERATION_TIMEDOUT at the deadline) is not CURLE_OK, the error
 * too. 0 when the connection is up for MAIL FROM. */
int p3_smtpconn_finish(struct p3_smtpconn *c, int code, int64_t now);
/* The socket, and a transport over it (after a successful finish). */
int p3_smtpconn_socket(const struct p3_smtpconn *c);
struct p3_transport p3_smtpconn_transport(struct p3_smtpconn *c);
/* Releases libcurl's handle; shut the socket down first (libcurl would
 * wait for an answer to its QUIT). */
void p3_smtpconn_end(struct p3_smtpconn *c);

#endif
