/* SPDX-License-Identifier: MIT */
/* sess.h - the state of a POP3 dialog and the steps every part of it
 * takes (sess.c): queue a command, time a phase, fail, leave with QUIT.
 * Shared by session.c, auth.c and commands.c; private to the library. */
#ifndef POP3CHECK_SESS_H
#define POP3CHECK_SESS_H

#include "session.h"

/* What the session waits for. Order matters: login steps come before
 * P3_S_AUTHENTICATED, commands after it. */
enum p3_step {
    P3_S_START,
    P3_S_USER,          /* USER sent */
    P3_S_PASS,          /* PASS sent */
    P3_S_APOP,          /* APOP sent */
    P3_S_PLAIN,         /* AUTH PLAIN with initial response sent */
    P3_S_LOGIN_NAME,    /* AUTH LOGIN sent, waiting for the user prompt */
    P3_S_LOGIN_PASS,    /* user name sent, waiting for the password prompt */
    P3_S_LOGIN_DONE,    /* password sent */
    P3_S_CRAM,          /* AUTH CRAM-MD5 sent, waiting for the challenge */
    P3_S_CRAM_DONE,     /* response sent */
    P3_S_SCRAM_START,   /* AUTH SCRAM-... sent alone, waiting for "+ " */
    P3_S_SCRAM_FIRST,   /* client-first sent, waiting for server-first */
    P3_S_SCRAM_FINAL,   /* client-final sent, waiting for server-final */
    P3_S_SCRAM_DONE,    /* server verified, empty response sent */
    P3_S_BEARER_START,  /* AUTH XOAUTH2/OAUTHBEARER sent alone */
    P3_S_BEARER_SENT,   /* the token sent */
    P3_S_BEARER_ERROR,  /* error challenge answered: -ERR due */
    P3_S_SASL_CANCEL,   /* "*" sent after a failure: QUIT on the answer */
    P3_S_AUTHENTICATED, /* the server said +OK to the login */
    P3_S_STAT,
    P3_S_LIST,
    P3_S_UIDL,
    P3_S_AGE, /* TOP n 0 for the age of the messages (age.c) */
    P3_S_TOP,
    P3_S_RETR,
    P3_S_DELE, /* a poll's DELE of this check's own probe */
    P3_S_QUIT,
    P3_S_DONE
};

struct p3_session {
    struct p3_sess_config cfg; /* borrowed strings */
    const char *secret;        /* what never leaves: password or token */
    struct pop3check_result *r;
    char apop_ts[256];
    int64_t t0;
    enum p3_step step;
    enum pop3check_phase phase;
    int64_t phase_start;
    int failed;             /* an error is recorded; QUIT then report it */
    int in_listing;         /* inside a LIST/UIDL scan listing */
    int in_body;            /* inside a TOP/RETR message */
    int in_headers;         /* inside a poll's TOP n 0 reply (polls.c) */
    struct p3_pollsess *ps; /* a poll's own state, NULL otherwise */
    struct p3_scram *scram; /* a SCRAM login's state, NULL otherwise */
    int unbound_retry;      /* "any": -PLUS refused, SCRAM again unbound */
    struct p3_agesess *age; /* the age's state once it is read, or NULL */
    struct p3_body body;
    int64_t list_count, list_sum;
    size_t line_len, line_peak; /* peak: how far line was ever written */
    size_t out_len, out_off, out_peak;
    char *long_out;        /* a command longer than out (a token), or NULL */
    char bearer_said[200]; /* what an OAuth error challenge said */
    char scratch[160];
    /* The buffers last, and not zeroed when the session is made: only what
     * is written to them is touched, which keeps a probe's memory small
     * (a long line or command is rare). */
    char line[P3_LINE_MAX];
    char out[2048]; /* the command being sent; may hold a secret */
};

/* sess.c */
/* Passes a line to the transcript, sanitised, the password redacted. */
void p3_sess_trace(struct p3_session *s, enum pop3check_trace_dir dir,
                   const char *line, size_t len);
/* Queues a command line; shown is what the transcript shows (NULL: the
 * line itself). A line longer than out is cut (the options keep every
 * such line short; p3_sess_send_base64 takes any length). */
void p3_sess_send(struct p3_session *s, const char *line, const char *shown);
/* Queues data base64-encoded as a line of its own, after prefix (NULL:
 * none), in a buffer of its own when out is too small. 0, or -1 out of
 * memory (nothing queued). */
int p3_sess_send_base64(struct p3_session *s, const char *prefix,
                        const void *data, size_t len, const char *shown);
/* Enters phase with step; its time starts at now. */
void p3_sess_begin(struct p3_session *s, enum pop3check_phase phase,
                   enum p3_step step, int64_t now);
/* Records the time of the current phase. */
void p3_sess_end_phase(struct p3_session *s, int64_t now);
/* Leaves: the QUIT phase begins and QUIT is queued. CONTINUE. */
enum p3_sess_rc p3_sess_quit(struct p3_session *s, int64_t now);
/* A -ERR to what: keeps the server's words and response code, fails with
 * kind e, then leaves politely (QUIT). */
enum p3_sess_rc p3_sess_refused(struct p3_session *s, enum pop3check_error e,
                                const char *what, const char *text, size_t len,
                                int64_t now);
/* A reply that makes no sense at this step: a protocol error, the end. */
enum p3_sess_rc p3_sess_bad_reply(struct p3_session *s, const char *what,
                                  const char *line, size_t len, int64_t now);
/* "STAT", ..., "QUIT", or "login" for the login steps. */
const char *p3_sess_command(enum p3_step step);

/* auth.c: USER/PASS, APOP and SASL. A successful login ends with the
 * step P3_S_AUTHENTICATED. */
enum p3_sess_rc p3_sess_auth_start(struct p3_session *s, int64_t now);
enum p3_sess_rc p3_sess_auth_reply(struct p3_session *s, const char *line,
                                   size_t len, int64_t now);

/* sasl.c: SCRAM (scram.h) over AUTH; hash is P3_HASH_SHA1 or _SHA256,
 * plus 1 for the -PLUS mechanism (channel binding, cfg.chanbind). */
enum p3_sess_rc p3_sess_scram_start(struct p3_session *s, enum p3_hash hash,
                                    int plus, int64_t now);
/* A "+ " challenge during the exchange. */
enum p3_sess_rc p3_sess_scram_continue(struct p3_session *s, const char *text,
                                       size_t len, int64_t now);
/* +OK before the server proved it knows the password: a failed login. */
enum p3_sess_rc p3_sess_scram_ok(struct p3_session *s, int64_t now);
/* Wipes and frees the exchange's state (at the end of the session). */
void p3_sess_scram_free(struct p3_session *s);
/* "any" chose SCRAM -PLUS and the server refused it (text: its -ERR):
 * the same SCRAM again in this session without binding, when the server
 * offers that too and TLS was verified (see sasl.c). 1 with *rc when it
 * tries again, 0 when the refusal stands. */
int p3_sess_scram_unbound(struct p3_session *s, const char *text, size_t len,
                          enum p3_sess_rc *rc, int64_t now);
/* sasl.c: XOAUTH2 and OAUTHBEARER (bearer.h) over AUTH, with cfg.token. */
enum p3_sess_rc p3_sess_bearer_start(struct p3_session *s, int64_t now);
enum p3_sess_rc p3_sess_bearer_continue(struct p3_session *s, const char *text,
                                        size_t len, int64_t now);
/* +OK during the exchange: logged in, or not after an error challenge. */
enum p3_sess_rc p3_sess_bearer_ok(struct p3_session *s, int64_t now);
/* -ERR during the exchange: the refusal, with what the challenge said. */
enum p3_sess_rc p3_sess_bearer_refused(struct p3_session *s, const char *text,
                                       size_t len, int64_t now);

/* polls.c: the commands of a poll after STAT (see p3_sess_config). */
/* After STAT: UIDL, or QUIT when the maildrop is empty. */
enum p3_sess_rc p3_poll_after_stat(struct p3_session *s, int64_t now);
/* One line of the UIDL listing, not the final ".". */
enum p3_sess_rc p3_poll_uid(struct p3_session *s, const char *line, size_t len,
                            int64_t now);
/* The next TOP n 0, DELE or QUIT. */
enum p3_sess_rc p3_poll_next(struct p3_session *s, int64_t now);
/* Bytes of a TOP n 0 reply after its +OK: consumes up to the final ".",
 * reads the headers, then goes on with the next command. */
enum p3_sess_rc p3_poll_bytes(struct p3_session *s, const char *d, size_t len,
                              size_t *used, int64_t now);
/* +OK to DELE and to QUIT. */
enum p3_sess_rc p3_poll_dele_ok(struct p3_session *s, int64_t now);
void p3_poll_quit_ok(struct p3_session *s);
/* Frees the poll state of s (wiped: it held headers of others' mail). */
void p3_poll_free(struct p3_session *s);

/* age.c: the age of the messages (cfg.age), after STAT, LIST and UIDL. */
/* Queues TOP n 0 of the next message to read: 1; 0 when all are read
 * (the result then has the age); -1 out of memory. */
int p3_age_next(struct p3_session *s, int64_t now);
/* Bytes of a TOP n 0 reply after its +OK: 1 once its final "." is read
 * (the message then counts), else 0. */
int p3_age_bytes(struct p3_session *s, const char *d, size_t len, size_t *used,
                 int64_t now);
/* The message being read, 0 before the first. */
long p3_age_msg(const struct p3_session *s);
void p3_age_free(struct p3_session *s);

/* commands.c: STAT, LIST, UIDL, TOP, RETR and QUIT's reply. */
/* After login: STAT. */
enum p3_sess_rc p3_sess_cmd_first(struct p3_session *s, int64_t now);
/* The status line replying to the command of the current step. */
enum p3_sess_rc p3_sess_cmd_reply(struct p3_session *s, const char *line,
                                  size_t len, int64_t now);
/* One line of a LIST or UIDL scan listing, "." included. */
enum p3_sess_rc p3_sess_cmd_listing(struct p3_session *s, const char *line,
                                    size_t len, int64_t now);
/* The end of a TOP or RETR message body. */
enum p3_sess_rc p3_sess_cmd_body_done(struct p3_session *s, int64_t now);
/* Bytes of a reply whose headers are read (a poll's or the age's TOP). */
enum p3_sess_rc p3_sess_cmd_headers(struct p3_session *s, const char *d,
                                    size_t len, size_t *used, int64_t now);

#endif
