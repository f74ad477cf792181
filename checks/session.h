/* SPDX-License-Identifier: MIT */
/* session.h - the state of a POP3 dialog, shared by session.c (commands)
 * and auth.c (login); private to the library. */
#ifndef POP3CHECK_SESSION_H
#define POP3CHECK_SESSION_H

#include "internal.h"

/* What the session waits for. Order matters: login steps come before
 * P3_S_STAT, commands after it. */
enum p3_step {
    P3_S_START,
    P3_S_USER,       /* USER sent */
    P3_S_PASS,       /* PASS sent */
    P3_S_APOP,       /* APOP sent */
    P3_S_PLAIN,      /* AUTH PLAIN with initial response sent */
    P3_S_LOGIN_NAME, /* AUTH LOGIN sent, waiting for the user prompt */
    P3_S_LOGIN_PASS, /* user name sent, waiting for the password prompt */
    P3_S_LOGIN_DONE, /* password sent */
    P3_S_CRAM,       /* AUTH CRAM-MD5 sent, waiting for the challenge */
    P3_S_CRAM_DONE,  /* response sent */
    P3_S_STAT,
    P3_S_LIST,
    P3_S_UIDL,
    P3_S_TOP,
    P3_S_RETR,
    P3_S_QUIT,
    P3_S_DONE
};

struct p3_session {
    struct p3_sess_config cfg; /* borrowed strings */
    struct pop3check_result *r;
    char apop_ts[256];
    int64_t t0;
    enum p3_step step;
    enum pop3check_phase phase;
    int64_t phase_start;
    int failed;     /* an error is recorded; QUIT then report it */
    int in_listing; /* inside a LIST/UIDL scan listing */
    int in_body;    /* inside a TOP/RETR message */
    struct p3_body body;
    int64_t list_count, list_sum;
    char line[P3_LINE_MAX];
    size_t line_len;
    char out[2048]; /* the command being sent; may hold a secret */
    size_t out_len, out_off;
    char scratch[160];
};

/* auth.c */
enum p3_sess_rc p3_auth_start(struct p3_session *s, int64_t now);
enum p3_sess_rc p3_auth_reply(struct p3_session *s, const char *line,
                              size_t len, int64_t now);

/* session.c, for auth.c */
enum p3_sess_rc p3_sess_login_ok(struct p3_session *s, int64_t now);
void p3_sess_send(struct p3_session *s, const char *line, const char *shown);
void p3_sess_begin(struct p3_session *s, enum p3_step step, int64_t now);
enum p3_sess_rc p3_sess_refused(struct p3_session *s, const char *what,
                                const char *text, size_t len, int64_t now);
enum p3_sess_rc p3_sess_bad_reply(struct p3_session *s, const char *what,
                                  const char *line, size_t len, int64_t now);

/* Longest user name and password the probe accepts (keeps every command
 * within the output buffer, base64 included). */
#define P3_CRED_MAX 255

#endif
