/* SPDX-License-Identifier: MIT */
/* session.h - the POP3 dialog after the greeting as a state machine
 * without I/O: bytes in, commands out, results into the result. Used by
 * dialog.c; its parts are session.c (this API), sess.c (what the parts
 * share), auth.c (login) and commands.c (STAT and after). */
#ifndef POP3CHECK_SESSION_H
#define POP3CHECK_SESSION_H

#include "internal.h"

enum p3_sess_rc { P3_SESS_CONTINUE, P3_SESS_DONE, P3_SESS_FAILED };

struct p3_session;
struct p3_poll;
struct p3_scram_keys;
struct p3_chanbind;
struct p3_seen;

/* What the session needs from the probe's options. Borrowed. */
struct p3_sess_config {
    const char *user;     /* NULL: quit after the greeting/CAPA */
    const char *password; /* NULL with a token */
    const char *token;    /* an OAuth 2.0 bearer token, or NULL */
    const char *host;     /* for OAUTHBEARER's host and port */
    long port;
    enum pop3check_auth auth;
    int list, uidl;
    long top, retr;
    int age;              /* read the age of the messages (age.c) */
    long age_scan;        /* every message's when there are at most this many */
    int64_t wall_s;       /* Unix seconds now: what an age is counted from */
    struct p3_seen *seen; /* first sightings by UIDL (seen.h), or NULL */
    pop3check_trace_fn *trace;
    void *trace_ctx;
    /* A poll of a round trip (polls.h): after STAT, UIDL, TOP n 0 of the
     * messages not read yet, DELE of this check's own probes, QUIT; any
     * failure closes without QUIT, so no DELE takes effect. NULL: a
     * read-only probe as the options say. */
    struct p3_poll *poll;
    /* The probe's SCRAM keys (scram.h), kept from run to run: a SCRAM
     * login uses them when salt and count match, and fills them when not.
     * NULL: derived every time. */
    struct p3_scram_keys *scram_keys;
    /* Keys kept by any probe of the same options (tokstore.h): tried
     * when the probe's own do not fit, updated when keys verify. */
    struct p3_tokstore *store;
    /* The TLS channel's binding for SCRAM -PLUS (scram.h): type "" when
     * there is none, and then chanbind_why says why. NULL: none. */
    const struct p3_chanbind *chanbind;
    const char *chanbind_why;
    int tls_unverified; /* --insecure: the certificate was not checked */
    /* The probe's: set when the server refused -PLUS and "any" tried
     * again unbound (sasl.c); then "any" does not offer -PLUS again.
     * NULL: none. */
    int *plus_refused;
};

/* Allocates a session writing into r (borrowed; greeting, capa and sasl
 * already filled by the connect phase). apop_ts is the greeting's
 * timestamp or "". NULL when out of memory. */
struct p3_session *p3_sess_new(const struct p3_sess_config *cfg,
                               struct pop3check_result *r, const char *apop_ts,
                               int64_t t0);
/* Wipes (the output may hold a password) and frees; NULL is a no-op. */
void p3_sess_free(struct p3_session *s);
/* Queues the first command. now is the monotonic time in microseconds. */
enum p3_sess_rc p3_sess_start(struct p3_session *s, int64_t now);
/* The bytes waiting to be sent (may be 0). */
size_t p3_sess_pending(const struct p3_session *s, const char **buf);
/* n bytes of the pending output were sent. */
void p3_sess_sent(struct p3_session *s, size_t n);
/* Feeds received bytes; len 0 means the server closed the connection. */
enum p3_sess_rc p3_sess_input(struct p3_session *s, const char *data,
                              size_t len, int64_t now);
/* The phase the session is in (for a timeout). */
enum pop3check_phase p3_sess_phase(const struct p3_session *s);
/* Marks the probe failed in the current phase with kind e and text (the
 * first failure stays); the session is over. */
void p3_sess_fail(struct p3_session *s, enum pop3check_error e,
                  const char *text, int64_t now);

#endif
