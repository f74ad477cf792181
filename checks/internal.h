/* SPDX-License-Identifier: MIT */
/* internal.h - declarations shared by the files of libpop3check; nothing
 * here is exported from the shared object. */
#ifndef POP3CHECK_INTERNAL_H
#define POP3CHECK_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "pop3check.h"

/* Longest reply line the probe accepts (RFC 2449 allows 512 octets for a
 * status line; CAPA, LIST and UIDL lines are short too). Message bodies
 * (TOP, RETR) are streamed and have no limit. */
#define P3_LINE_MAX 4096

/* ---- allocation (alloc.c): calloc, realloc, strdup; free() frees ---- */
void *p3_calloc(size_t n, size_t size);
void *p3_realloc(void *p, size_t size);
char *p3_strdup(const char *s);
#ifdef P3_ALLOC_TEST
/* Lets n more allocations succeed, then fails all; -1: never fail. */
void p3_alloc_test_fail_after(long n);
#endif

/* ---- time (text.c) ---- */
int64_t p3_now_us(void); /* monotonic clock, microseconds */

/* ---- text helpers (text.c) ---- */
/* Copies src[0..len) into dst (size dstlen, always NUL-terminated) with
 * non-printable bytes replaced by '?' and every occurrence of secret (if
 * not NULL/empty) replaced by "********". */
void p3_sanitise(char *dst, size_t dstlen, const char *src, size_t len,
                 const char *secret);
/* snprintf into dst, truncating silently; never fails. */
void p3_format(char *dst, size_t dstlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Appends to a NUL-terminated dst, truncating silently. */
void p3_append(char *dst, size_t dstlen, const char *src, size_t len);
/* Case-insensitive compare of the first n bytes of a with NUL-terminated b
 * (b must be exactly n long). */
int p3_word_eq(const char *a, size_t n, const char *b);

/* ---- reply parsing (reply.c): pure functions on one line, no CRLF ---- */
enum p3_status { P3_REPLY_OK, P3_REPLY_ERR, P3_REPLY_CONT, P3_REPLY_BAD };
/* Classifies a status line: "+OK", "-ERR", "+ " (SASL continuation) or
 * anything else. *text points after the indicator and its space. */
enum p3_status p3_reply_status(const char *line, size_t len, const char **text,
                               size_t *textlen);
/* The RFC 2449/3206 response code at the start of an -ERR text. */
enum pop3check_rcode p3_reply_rcode(const char *text, size_t len);
/* "+OK nn mm ...": 0 and the two numbers, -1 if malformed. */
int p3_parse_stat(const char *text, size_t len, int64_t *count,
                  int64_t *octets);
/* One scan listing line "n size" (LIST) or "n uid" (UIDL, size NULL):
 * 0 on success, -1 if malformed. */
int p3_parse_listing(const char *line, size_t len, int64_t *num, int64_t *size);
/* One CAPA line: sets POP3CHECK_CAPA_* bits in *capa and SASL bits. */
void p3_parse_capa_line(const char *line, size_t len, unsigned *capa,
                        unsigned *sasl);
/* Copies the APOP timestamp "<...>" of a greeting into ts (NUL-terminated);
 * 0 if found, -1 if not. */
int p3_greeting_timestamp(const char *text, size_t len, char *ts, size_t tslen);

/* ---- multi-line message bodies (body.c), RFC 1939 section 3 ---- */
struct p3_body {
    enum { P3_BODY_BOL, P3_BODY_DOT, P3_BODY_DOTCR, P3_BODY_MID } state;
    int64_t octets; /* as LIST counts them: unstuffed, CRLF included */
};
void p3_body_init(struct p3_body *b);
/* Scans len bytes of a TOP/RETR reply after its +OK line; returns the
 * bytes consumed and sets *done at the terminating ".CRLF" (bytes after
 * it are not consumed). */
size_t p3_body_scan(struct p3_body *b, const char *d, size_t len, int *done);

/* ---- digests and encodings (md5.c, base64.c) ---- */
void p3_md5(const void *data, size_t len, unsigned char out[16]);
void p3_hmac_md5(const void *key, size_t keylen, const void *data, size_t len,
                 unsigned char out[16]);
/* Lower-case hex of n bytes into out (2n+1 bytes). */
void p3_hex(const unsigned char *in, size_t n, char *out);
/* Base64 (RFC 4648) of in into out (NUL-terminated): length written, or
 * (size_t)-1 if outlen is too small. */
size_t p3_base64_encode(const void *in, size_t len, char *out, size_t outlen);
/* Decodes base64; length of the output or (size_t)-1 on bad input or
 * too small a buffer. */
size_t p3_base64_decode(const char *in, size_t len, unsigned char *out,
                        size_t outlen);

/* ---- the POP3 dialog after connect (session.c), without I/O ---- */
enum p3_sess_rc { P3_SESS_CONTINUE, P3_SESS_DONE, P3_SESS_FAILED };

struct p3_session;
/* What the session needs from the probe's options. Borrowed. */
struct p3_sess_config {
    const char *user; /* NULL: quit after the greeting/CAPA */
    const char *password;
    enum pop3check_auth auth;
    int list, uidl;
    long top, retr;
    pop3check_trace_fn *trace;
    void *trace_ctx;
};

/* Allocates a session writing into r (borrowed; greeting, capa and sasl
 * already filled by the connect phase). apop_ts is the greeting's
 * timestamp or "". NULL when out of memory. */
struct p3_session *p3_session_new(const struct p3_sess_config *cfg,
                                  struct pop3check_result *r,
                                  const char *apop_ts, int64_t t0);
void p3_session_free(struct p3_session *s);
/* Queues the first command. now is the monotonic time in microseconds. */
enum p3_sess_rc p3_session_start(struct p3_session *s, int64_t now);
/* The bytes waiting to be sent (may be 0). */
size_t p3_session_pending(const struct p3_session *s, const char **buf);
/* n bytes of the pending output were sent. */
void p3_session_sent(struct p3_session *s, size_t n);
/* Feeds received bytes; len 0 means the server closed the connection. */
enum p3_sess_rc p3_session_input(struct p3_session *s, const char *data,
                                 size_t len, int64_t now);
/* The phase the session is in (for a timeout). */
enum pop3check_phase p3_session_phase(const struct p3_session *s);
/* Marks the probe failed in the current phase with kind e and text. */
void p3_session_fail(struct p3_session *s, enum pop3check_error e,
                     const char *text, int64_t now);

/* ---- the connect phase as seen in libcurl's debug stream (tracker.c) --- */
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
/* One event of libcurl's debug callback (CURLINFO_* as int). */
void p3_tracker_event(struct p3_tracker *t, int type, const char *data,
                      size_t size, int64_t now);

/* ---- error mapping (names.c) ---- */
/* The error kind for a libcurl CURLcode (as int). */
enum pop3check_error p3_error_from_curl(int curlcode);

/* ---- probes (probe.c) used by the event loop (multi.c) ---- */
struct p3_loop;
/* Starts a run of p on loop; the result is kept in the probe. -1 if it
 * could not start (then the probe is already finished, with the error). */
int p3_probe_begin(struct pop3check_probe *p, struct p3_loop *loop);
/* Socket activity for the probe; events are EPOLL* bits. */
void p3_probe_on_socket(struct pop3check_probe *p, int fd, unsigned events);
/* The monotonic time in us of the probe's next timer, or INT64_MAX. */
int64_t p3_probe_next_timer(const struct pop3check_probe *p);
/* Fires due timers; finishes the probe at its deadline. */
void p3_probe_on_timer(struct pop3check_probe *p, int64_t now);
/* 1 when the probe has finished (its result is complete). */
int p3_probe_finished(const struct pop3check_probe *p);
/* Releases the connection and the libcurl handles of a probe. */
void p3_probe_end(struct pop3check_probe *p);

/* The loop's side, called by probes to watch sockets. */
int p3_loop_watch(struct p3_loop *l, struct pop3check_probe *p, int fd,
                  unsigned events);
void p3_loop_unwatch(struct p3_loop *l, int fd);

#endif
