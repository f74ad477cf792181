/* SPDX-License-Identifier: MIT */
/* internal.h - what the files of libpop3check share at the bottom of the
 * engine: allocation, text helpers, the parsers, and the layout of the
 * opaque option, result and threshold objects. Nothing here is exported
 * from the shared object. */
#ifndef POP3CHECK_INTERNAL_H
#define POP3CHECK_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "pop3check.h"

/* Longest reply line the probe accepts (RFC 2449 allows 512 octets for a
 * status line; CAPA, LIST and UIDL lines are short too). Message bodies
 * (TOP, RETR) are streamed and have no limit. */
#define P3_LINE_MAX 4096

/* Longest user name and password the probe accepts (keeps every command
 * within the session's output buffer, base64 included). */
#define P3_CRED_MAX 255

/* The library's own defaults, used by every front end through
 * pop3check_options_get_long(). */
#define P3_PORT_PLAIN    110
#define P3_PORT_IMPLICIT 995
#define P3_TIMEOUT_MS    10000
#define P3_TIMEOUT_MAX   3600000
#define P3_SMTP_PORT     587 /* submission (RFC 6409) */
#define P3_SMTPS_PORT    465 /* submissions (RFC 8314) */
#define P3_POLL_MS       1000
#define P3_AGE_SCAN      10 /* POP3CHECK_OPT_AGE_SCAN unset */
#define P3_AGE_SCAN_MAX  100000
#define P3_AGE_SKEW_S    300 /* a date ahead by more is not believed */
#define P3_SUBJECT       "pop3check round trip"

/* What this release knows; the tables are sized by these. */
#define P3_PHASES   POP3CHECK_PHASE_KNOWN
#define P3_ERRORS   POP3CHECK_E_KNOWN
#define P3_MEASURES 4 /* enum pop3check_measure */

#define P3_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- allocation (alloc.c): calloc, malloc, realloc, strdup; free() ---- */
void *p3_calloc(size_t n, size_t size);
void *p3_malloc(size_t size);
void *p3_realloc(void *p, size_t size);
char *p3_strdup(const char *s);
#ifdef P3_ALLOC_TEST
/* Lets n more allocations succeed, then fails all; -1: never fail. */
void p3_alloc_test_fail_after(long n);
#endif

/* ---- time and text (text.c) ---- */
int64_t p3_now_us(void); /* monotonic clock, microseconds */
/* Copies src[0..len) into dst (size dstlen, always NUL-terminated) with
 * non-printable bytes replaced by '?' and every occurrence of secret (if
 * not NULL/empty) replaced by "********". */
void p3_sanitise(char *dst, size_t dstlen, const char *src, size_t len,
                 const char *secret);
/* snprintf into dst, truncating silently; never fails. */
void p3_format(char *dst, size_t dstlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Unix seconds t as "2026-12-02 10:00:00Z". */
void p3_iso_time(int64_t t, char *buf, size_t len);
/* Appends to a NUL-terminated dst, truncating silently. */
void p3_append(char *dst, size_t dstlen, const char *src, size_t len);
/* Case-insensitive compare of the first n bytes of a with NUL-terminated b
 * (b must be exactly n long). */
int p3_word_eq(const char *a, size_t n, const char *b);
/* Frees a string after wiping it; NULL is a no-op. */
void p3_free_secret(char *s);

/* ---- capability words (names.c) ---- */
/* The POP3CHECK_CAPA_* flag of a CAPA keyword, or 0. */
unsigned p3_capa_flag(const char *word, size_t len);
/* The POP3CHECK_SASL_* flag of a SASL mechanism name, or 0. */
unsigned p3_sasl_flag(const char *word, size_t len);

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
/* A UIDL listing line, "n uid": the number, and the uid as RFC 1939
 * section 7 allows it (1 to 70 characters 0x21-0x7E). 0, or -1. */
int p3_parse_uid(const char *line, size_t len, long *num, const char **uid,
                 size_t *uidlen);
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

/* ---- crypto.c: digests, HMAC, PBKDF2, random bytes, encodings; all
 * from libcrypto. Functions returning int give 0, or -1 when libcrypto
 * fails (then out is wiped). ---- */
enum p3_hash { P3_HASH_MD5, P3_HASH_SHA1, P3_HASH_SHA256 };
#define P3_HASH_MAX 32 /* the longest digest, SHA-256 */
/* 16, 20, 32. */
size_t p3_hash_len(enum p3_hash h);
int p3_digest(enum p3_hash h, const void *data, size_t len, unsigned char *out);
/* HMAC (RFC 2104) of data under key. */
int p3_hmac(enum p3_hash h, const void *key, size_t keylen, const void *data,
            size_t len, unsigned char *out);
/* PBKDF2 (RFC 8018) with HMAC-h, one block of p3_hash_len(h) bytes: SCRAM's
 * Hi() (RFC 5802). */
int p3_pbkdf2(enum p3_hash h, const char *password, size_t plen,
              const unsigned char *salt, size_t slen, unsigned iterations,
              unsigned char *out);
/* n bytes from the system's CSPRNG (OpenSSL RAND_bytes). */
int p3_random(void *buf, size_t n);
/* 1 when the n bytes at a and b are equal, in time independent of where
 * they differ. */
int p3_equal(const void *a, const void *b, size_t n);
/* Lower-case hex of n bytes into out (2n+1 bytes). */
void p3_hex(const unsigned char *in, size_t n, char *out);
/* Base64 (RFC 4648) of in into out (NUL-terminated): length written, or
 * (size_t)-1 if outlen is too small. */
size_t p3_base64_encode(const void *in, size_t len, char *out, size_t outlen);
/* Decodes canonical base64 (padded, no whitespace, zero pad bits); length
 * of the output or (size_t)-1 on bad input or too small a buffer. */
size_t p3_base64_decode(const char *in, size_t len, unsigned char *out,
                        size_t outlen);

/* ---- threshold ranges (range.c), Monitoring Plugins syntax ---- */
struct p3_range {
    int set;       /* 0: no threshold */
    int inside;    /* 1: '@' form */
    int start_inf; /* 1: start is -infinity ('~') */
    int end_inf;   /* 1: no upper bound ('10:') */
    double start, end;
    char text[32]; /* as the user wrote it, for perfdata */
};
/* Parses "10", "10:", "~:10", "10:20", "@10:20". 0 on success, -1 if the
 * text is not a range (then *r is unchanged). */
int p3_range_parse(const char *text, struct p3_range *r);
/* 1 if value raises an alert against r, 0 if not or r is unset. */
int p3_range_alert(const struct p3_range *r, double value);

/* ---- the opaque objects of the API ---- */

/* A result (result.c): a plain struct, no heap pointers, so a copy is an
 * assignment. Times in microseconds, -1 when not performed. */
struct pop3check_result {
    enum pop3check_error error;
    enum pop3check_phase failed_phase;
    enum pop3check_rcode rcode;
    char error_text[256];
    char server_text[256];
    char greeting[256];
    int64_t phase_us[P3_PHASES];
    unsigned capa;
    unsigned sasl;
    char capa_text[512];
    int auth_used; /* enum pop3check_auth, -1 before a login */
    int logged_in;
    int64_t messages, octets, largest, listed, uidl_count;
    int64_t top_octets, retr_octets;
    long top_msg, retr_msg;
    int tls;
    char tls_version[16];
    int64_t cert_not_after;
    char peer_ip[64];
    unsigned peer_port;
    int ip_version;
    int64_t started_at;
    /* round trips: -1 (figures) and "" for other probes */
    int64_t delivered, polls, stale_cleaned, smtp_code, smtp_tls;
    int64_t headers_read, poll_ms, submitted_at;
    char smtp_enhanced[16];
    char smtp_server[256];
    char received[512];
    char probe_id[33];
    /* the age of the messages: -1 (figures) and "" when not measured */
    int64_t oldest_age, newest_age, oldest_msg, newest_msg;
    int64_t oldest_source, newest_source, age_read, age_undated;
    int64_t longest_wait, wait_tracked;
    char age_text[200];
};

/* Fills r as for a probe that has not run. */
void p3_result_init(struct pop3check_result *r);

/* Sees every event of libcurl's debug stream, as the tracker does: the
 * seam that records the streams tracker.c is tested on
 * (tests/tools/record_stream.c). Not part of the public API. */
typedef void p3_tap_fn(void *ctx, int type, const char *data, size_t size,
                       int64_t now);

/* The values of a set of options (options.c owns the strings). */
struct p3_opts {
    char *host, *cafile, *sni, *user, *password;
    long port; /* 0: by TLS mode */
    long ip_version, tls, insecure, auth, list, uidl, top, retr;
    long age, age_scan; /* age_scan 0: P3_AGE_SCAN */
    long timeout_ms;    /* 0: P3_TIMEOUT_MS */
    /* a round trip (smtp_host set); the strings are wiped like the rest */
    char *smtp_host, *smtp_user, *smtp_password, *smtp_auth;
    char *mail_from, *rcpt_to, *subject, *check_name, *probe_key;
    char *token, *token_file; /* OAuth 2.0 (bearer.h) */
    char *token_url, *client_id, *client_secret, *token_scope, *token_cache;
    /* the granted token while valid and the SCRAM keys derived last,
     * shared with every copy of these options (tokstore.h); a new one
     * when the user, the password or the grant's options change */
    struct p3_tokstore *tokstore;
    long smtp_port;    /* 0: by the SMTP TLS mode */
    long smtp_tls;     /* meaningful when smtp_tls_set */
    long smtp_tls_set; /* 0: STARTTLS required */
    long poll_ms;      /* 0: P3_POLL_MS */
    pop3check_trace_fn *trace;
    void *trace_ctx;
    p3_tap_fn *tap; /* NULL but in the recorder */
    void *tap_ctx;
};

struct pop3check_options {
    struct p3_opts v;
    char error[200]; /* why the last set failed */
};

/* Sets the debug-stream tap of o (options.c). */
void p3_options_set_tap(struct pop3check_options *o, p3_tap_fn *fn, void *ctx);

/* Deep copy of src into dst (cleared first); -1 when out of memory (then
 * dst is cleared). */
int p3_opts_copy(struct p3_opts *dst, const struct p3_opts *src);
/* Frees the strings, wiping the password; leaves *o zeroed. */
void p3_opts_clear(struct p3_opts *o);
/* The port and timeout a probe with o uses. */
long p3_opts_port(const struct p3_opts *o);
long p3_opts_timeout_ms(const struct p3_opts *o);
/* The SMTP side of a round trip: port, TLS mode and poll interval as the
 * probe uses them; the check name (given, or USER@HOST with what a name
 * may not hold as '_') into buf. */
long p3_opts_smtp_port(const struct p3_opts *o);
long p3_opts_smtp_tls(const struct p3_opts *o);
long p3_opts_poll_ms(const struct p3_opts *o);
void p3_opts_check_name(const struct p3_opts *o, char *buf, size_t len);
/* 1 when o logs in with a bearer token (token or token_file set). */
int p3_opts_has_token(const struct p3_opts *o);
/* 1 for XOAUTH2 and OAUTHBEARER. */
int p3_auth_bearer(long auth);
/* 1 when the SMTP mechanism name (any case; NULL: none) is one of them. */
int p3_smtp_auth_bearer(const char *mech);
/* 1 when t is a bearer token the library sends: an RFC 6750 b64token of
 * 1 .. P3_TOKEN_MAX characters. */
int p3_token_ok(const char *t);
#define P3_TOKEN_MAX 16384

/* Why o cannot be probed as a whole (missing host, a user without a
 * password, ...), or NULL. */
const char *p3_opts_check(const struct p3_opts *o);

/* Thresholds (thresholds.c): a range exists only once it is set, so that
 * thresholds kept for thousands of scheduled targets cost a few hundred
 * bytes each. [0] is the warning range, [1] the critical one. */
struct pop3check_thresholds {
    struct p3_range *phase[2][P3_PHASES];
    struct p3_range *measure[2][P3_MEASURES];
    enum pop3check_state timeout_state;
    /* The state of a failure of each kind, or 0 for the default (CRITICAL,
     * an internal error UNKNOWN); state + 1 when set. */
    unsigned char error_state[P3_ERRORS];
};
/* The range of a phase's time or of a measure at level, or NULL when
 * unset (for evaluate.c and the unit tests). */
const struct p3_range *p3_thresholds_phase(const struct pop3check_thresholds *t,
                                           int phase,
                                           enum pop3check_state level);
const struct p3_range *
p3_thresholds_measure(const struct pop3check_thresholds *t, int measure,
                      enum pop3check_state level);

#endif
