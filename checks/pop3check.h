/* SPDX-License-Identifier: MIT */
/* pop3check.h - the public API of libpop3check: probe a POP3 server
 * (RFC 1939, 2449, 2595, 3206, 5034), time every phase, judge the result.
 * The only installed header. Every exported name starts with pop3check_.
 *
 * How this API grows without breaking the programs built against it
 * (the rule for every change within one soname, libpop3check.so.2):
 *
 * 1. The caller never allocates or reads a struct of the library. Options,
 *    thresholds, probes, results and multi loops are opaque handles made
 *    by *_new() and freed by *_free() (NULL is a no-op); their size and
 *    layout belong to the library and may change in any release.
 * 2. What would have been a struct field is a key: an option is set with
 *    pop3check_options_set_long/_str(o, POP3CHECK_OPT_..., value), a
 *    figure of a result read with pop3check_result_figure(r,
 *    POP3CHECK_FIG_...). A new option, figure or text is a new key. A key
 *    the library does not know is refused (a setter returns -1) or read as
 *    unknown (-1 or ""), never misread.
 * 3. Every enum value is written out here and keeps its number and meaning
 *    for ever; a new phase, error kind, mechanism, key or response code
 *    takes the next free number. No enum ends in a COUNT: the *_KNOWN
 *    macros say how many values this header names (bound your arrays with
 *    them), and a newer library may hand back values at or above them,
 *    which a program must skip. pop3check_phase_count() and
 *    pop3check_error_count() say how many the library in use has.
 * 4. Flag bits (POP3CHECK_CAPA_*, POP3CHECK_SASL_*) keep their bit; new
 *    flags take free bits.
 * 5. An exported function keeps its signature and meaning. A new one goes
 *    into a new node of the version script (checks/libpop3check.map)
 *    named after the release that adds it.
 * 6. Anything else (a removed or changed function, key or value) needs a
 *    new soname. `make check` compares each build with the ABI of the last
 *    release (checks/abi/, abidiff) and fails on an incompatible change.
 *
 * Strings passed in are copied; strings handed out are borrowed from the
 * object they come from and live as long as it does, unchanged. */
#ifndef POP3CHECK_H
#define POP3CHECK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version: the one place it is written. The Makefile, the RPM spec and
 * the package test read it from here. */
#define POP3CHECK_VERSION_MAJOR 0
#define POP3CHECK_VERSION_MINOR 5
#define POP3CHECK_VERSION_PATCH 0
#define POP3CHECK_STRINGIFY_(x) #x
#define POP3CHECK_STRINGIFY(x)  POP3CHECK_STRINGIFY_(x)
/* "0.5.0" */
#define POP3CHECK_VERSION                                                      \
    POP3CHECK_STRINGIFY(POP3CHECK_VERSION_MAJOR)                               \
    "." POP3CHECK_STRINGIFY(POP3CHECK_VERSION_MINOR) "." POP3CHECK_STRINGIFY(  \
        POP3CHECK_VERSION_PATCH)
/* 0xMMmmpp, for comparisons: 0x000500 */
#define POP3CHECK_VERSION_NUM                                                  \
    ((POP3CHECK_VERSION_MAJOR << 16) | (POP3CHECK_VERSION_MINOR << 8) |        \
     POP3CHECK_VERSION_PATCH)

#if defined(__GNUC__)
#define POP3CHECK_API __attribute__((visibility("default")))
#else
#define POP3CHECK_API
#endif

/* The version of the library in use (which may be newer than this
 * header): "0.5.0", and POP3CHECK_VERSION_NUM's form of it. */
POP3CHECK_API const char *pop3check_version(void);
POP3CHECK_API unsigned pop3check_version_num(void);

/* Once per process, before the first probe runs or multi is made, and
 * pop3check_global_cleanup() at the end (they wrap curl_global_init and
 * cleanup; options, thresholds, results, names and pop3check_probe_new(),
 * which only checks and copies, do not need them). Checks that the
 * libcurl in use is recent enough and speaks POP3 over OpenSSL. 0 on
 * success; -1 with a one-line reason in err (if errlen > 0) that says
 * what is needed. */
POP3CHECK_API int pop3check_global_init(char *err, size_t errlen);
POP3CHECK_API void pop3check_global_cleanup(void);

/* ---- names and numbers ---- */

/* Error kinds: X(enum suffix, value, name, message). */
#define POP3CHECK_ERRORS(X)                                                    \
    X(OK, 0, "ok", "no error")                                                 \
    X(RESOLVE, 1, "resolve", "host name could not be resolved")                \
    X(CONNECT, 2, "connect", "TCP connection failed")                          \
    X(TIMEOUT, 3, "timeout", "timed out")                                      \
    X(TLS, 4, "tls", "TLS failed")                                             \
    X(CERTIFICATE, 5, "certificate", "server certificate rejected")            \
    X(PROTOCOL, 6, "protocol", "server broke the POP3 protocol")               \
    X(AUTH, 7, "auth", "login failed")                                         \
    X(COMMAND, 8, "command", "command refused by the server")                  \
    X(INTERNAL, 9, "internal", "internal error")                               \
    X(NOT_DELIVERED, 10, "not_delivered", "probe message not delivered in time")
#define POP3CHECK_E_KNOWN 11 /* values 0 .. 10 above */

enum pop3check_error {
#define POP3CHECK_X_ENUM(e, v, name, msg) POP3CHECK_E_##e = v,
    POP3CHECK_ERRORS(POP3CHECK_X_ENUM)
#undef POP3CHECK_X_ENUM
};

/* How many error kinds the library in use has (>= POP3CHECK_E_KNOWN). */
POP3CHECK_API int pop3check_error_count(void);
/* Name ("auth") and message ("login failed") of an error kind; static
 * strings, never NULL (a value the library does not know gives
 * "internal"). */
POP3CHECK_API const char *pop3check_error_name(enum pop3check_error e);
POP3CHECK_API const char *pop3check_error_message(enum pop3check_error e);

/* Phases: X(enum suffix, value, name). A probe runs them in this order;
 * TOTAL is the whole probe. Phases added later come after TOTAL.
 * A round trip (POP3CHECK_OPT_SMTP_HOST set) first submits its probe
 * message: SMTP_RESOLVE, _CONNECT, _TLS (implicit or STARTTLS),
 * _GREETING (the greeting and EHLO), _AUTH, _SUBMIT (MAIL FROM until the
 * 250 after the message); then polls the mailbox in POP3 sessions whose
 * phases are those above (the figures and times of the last session),
 * DELE among them; DELIVERY runs from that 250 to the login of the
 * session that first saw the probe, both on this host's clock. TOKEN is
 * an OAuth 2.0 client-credentials grant at the token endpoint
 * (POP3CHECK_OPT_TOKEN_URL), first of all; not performed when a token
 * kept from an earlier grant is still valid. */
#define POP3CHECK_PHASES(X)                                                    \
    X(RESOLVE, 0, "resolve")                                                   \
    X(CONNECT, 1, "connect")                                                   \
    X(TLS, 2, "tls")                                                           \
    X(GREETING, 3, "greeting")                                                 \
    X(CAPA, 4, "capa")                                                         \
    X(STLS, 5, "stls")                                                         \
    X(AUTH, 6, "auth")                                                         \
    X(STAT, 7, "stat")                                                         \
    X(LIST, 8, "list")                                                         \
    X(UIDL, 9, "uidl")                                                         \
    X(TOP, 10, "top")                                                          \
    X(RETR, 11, "retr")                                                        \
    X(QUIT, 12, "quit")                                                        \
    X(TOTAL, 13, "total")                                                      \
    X(SMTP_RESOLVE, 14, "smtp_resolve")                                        \
    X(SMTP_CONNECT, 15, "smtp_connect")                                        \
    X(SMTP_TLS, 16, "smtp_tls")                                                \
    X(SMTP_GREETING, 17, "smtp_greeting")                                      \
    X(SMTP_AUTH, 18, "smtp_auth")                                              \
    X(SMTP_SUBMIT, 19, "smtp_submit")                                          \
    X(DELIVERY, 20, "delivery")                                                \
    X(DELE, 21, "dele")                                                        \
    X(TOKEN, 22, "token")
#define POP3CHECK_PHASE_KNOWN 23 /* values 0 .. 22 above */

enum pop3check_phase {
#define POP3CHECK_X_ENUM(e, v, name) POP3CHECK_PHASE_##e = v,
    POP3CHECK_PHASES(POP3CHECK_X_ENUM)
#undef POP3CHECK_X_ENUM
};

/* How many phases the library in use has (>= POP3CHECK_PHASE_KNOWN). */
POP3CHECK_API int pop3check_phase_count(void);
/* "resolve", ..., "total"; NULL for a value the library does not know. */
POP3CHECK_API const char *pop3check_phase_name(enum pop3check_phase p);
/* The phase called name (any case), or -1. */
POP3CHECK_API int pop3check_phase_from_name(const char *name);

/* RFC 2449 / RFC 3206 response codes found in a server's -ERR line. */
enum pop3check_rcode {
    POP3CHECK_RCODE_NONE = 0,
    POP3CHECK_RCODE_AUTH = 1,        /* [AUTH] */
    POP3CHECK_RCODE_SYS_TEMP = 2,    /* [SYS/TEMP] */
    POP3CHECK_RCODE_SYS_PERM = 3,    /* [SYS/PERM] */
    POP3CHECK_RCODE_IN_USE = 4,      /* [IN-USE] */
    POP3CHECK_RCODE_LOGIN_DELAY = 5, /* [LOGIN-DELAY] */
    POP3CHECK_RCODE_OTHER = 6        /* any other [CODE] */
};

/* "AUTH", "SYS/TEMP", ...; "" for NONE and for values it does not know. */
POP3CHECK_API const char *pop3check_rcode_name(enum pop3check_rcode c);

enum pop3check_tls {
    POP3CHECK_TLS_NONE = 0,     /* plain text */
    POP3CHECK_TLS_STLS = 1,     /* upgrade with STLS (RFC 2595), else fail */
    POP3CHECK_TLS_IMPLICIT = 2, /* POP3S, TLS from the first byte */
    POP3CHECK_TLS_TRY = 3       /* STARTTLS when offered, else plain text:
                                   for the SMTP side (POP3CHECK_OPT_SMTP_TLS)
                                   only */
};

/* "none", "stls", "implicit", "try"; NULL for a value it does not
 * know. */
POP3CHECK_API const char *pop3check_tls_name(enum pop3check_tls t);
/* The mode called name (any case), or -1. */
POP3CHECK_API int pop3check_tls_from_name(const char *name);

enum pop3check_auth {
    POP3CHECK_AUTH_ANY = 0,         /* best the server offers, see the manual */
    POP3CHECK_AUTH_USER = 1,        /* USER/PASS */
    POP3CHECK_AUTH_APOP = 2,        /* APOP (RFC 1939) */
    POP3CHECK_AUTH_PLAIN = 3,       /* SASL PLAIN (RFC 4616) */
    POP3CHECK_AUTH_LOGIN = 4,       /* SASL LOGIN */
    POP3CHECK_AUTH_CRAM_MD5 = 5,    /* SASL CRAM-MD5 (RFC 2195) */
    POP3CHECK_AUTH_SCRAM_SHA_1 = 6, /* SASL SCRAM-SHA-1 (RFC 5802): the
                                       server proves it knows the
                                       password too */
    POP3CHECK_AUTH_SCRAM_SHA_256 = 7, /* SASL SCRAM-SHA-256 (RFC 7677) */
    POP3CHECK_AUTH_XOAUTH2 = 8,       /* SASL XOAUTH2 (Google, Microsoft):
                                         an OAuth 2.0 bearer token */
    POP3CHECK_AUTH_OAUTHBEARER = 9,   /* SASL OAUTHBEARER (RFC 7628) */
    /* SCRAM bound to the TLS channel (RFC 5802 section 6): tls-exporter
     * (RFC 9266) over TLS 1.3, tls-server-end-point (RFC 5929) before */
    POP3CHECK_AUTH_SCRAM_SHA_1_PLUS = 10,
    POP3CHECK_AUTH_SCRAM_SHA_256_PLUS = 11
};

/* "any", "user", "apop", "plain", "login", "cram-md5", "scram-sha-1",
 * "scram-sha-256", "xoauth2", "oauthbearer", "scram-sha-1-plus",
 * "scram-sha-256-plus"; NULL for a value it does not know. */
POP3CHECK_API const char *pop3check_auth_name(enum pop3check_auth a);
/* The mechanism called name (any case), or -1. */
POP3CHECK_API int pop3check_auth_from_name(const char *name);

/* Capability flags (CAPA, RFC 2449; APOP from the greeting). */
#define POP3CHECK_CAPA_STLS           (1u << 0)
#define POP3CHECK_CAPA_USER           (1u << 1)
#define POP3CHECK_CAPA_TOP            (1u << 2)
#define POP3CHECK_CAPA_UIDL           (1u << 3)
#define POP3CHECK_CAPA_PIPELINING     (1u << 4)
#define POP3CHECK_CAPA_RESP_CODES     (1u << 5)
#define POP3CHECK_CAPA_LOGIN_DELAY    (1u << 6)
#define POP3CHECK_CAPA_SASL           (1u << 7)
#define POP3CHECK_CAPA_APOP           (1u << 8) /* greeting has a timestamp */
#define POP3CHECK_CAPA_AUTH_RESP_CODE (1u << 9)
#define POP3CHECK_CAPA_KNOWN          (1u << 15) /* the server answered CAPA */

/* SASL mechanism flags, from the CAPA "SASL" line. */
#define POP3CHECK_SASL_PLAIN         (1u << 0)
#define POP3CHECK_SASL_LOGIN         (1u << 1)
#define POP3CHECK_SASL_CRAM_MD5      (1u << 2)
#define POP3CHECK_SASL_SCRAM_SHA_1   (1u << 3)
#define POP3CHECK_SASL_SCRAM_SHA_256 (1u << 4)
/* SCRAM with channel binding */
#define POP3CHECK_SASL_SCRAM_SHA_1_PLUS   (1u << 5)
#define POP3CHECK_SASL_SCRAM_SHA_256_PLUS (1u << 6)
#define POP3CHECK_SASL_XOAUTH2            (1u << 7)
#define POP3CHECK_SASL_OAUTHBEARER        (1u << 8)

/* The word for one flag as the server writes it ("STLS", "RESP-CODES",
 * "APOP" for the greeting's timestamp; "PLAIN", "CRAM-MD5"), or NULL
 * when flag is not exactly one bit the library knows (KNOWN included). A
 * front end lists them by trying each bit from 0 to 31. */
POP3CHECK_API const char *pop3check_capa_name(unsigned flag);
POP3CHECK_API const char *pop3check_sasl_name(unsigned flag);

/* Monitoring Plugins states. */
enum pop3check_state {
    POP3CHECK_STATE_OK = 0,
    POP3CHECK_STATE_WARNING = 1,
    POP3CHECK_STATE_CRITICAL = 2,
    POP3CHECK_STATE_UNKNOWN = 3
};

/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
POP3CHECK_API const char *pop3check_state_name(enum pop3check_state s);
/* The state called name ("ok", "warning", "critical", "unknown"; any
 * case), or -1. */
POP3CHECK_API int pop3check_state_from_name(const char *name);

/* ---- options: what to probe ---- */

/* Selected message for TOP and RETR. */
#define POP3CHECK_MSG_NONE  0L  /* command not sent */
#define POP3CHECK_MSG_FIRST 1L  /* message 1 */
#define POP3CHECK_MSG_LAST  -1L /* the last message STAT reported */

/* Option keys; each says its type (set with _set_str or _set_long), its
 * values and what it is when never set. */
enum pop3check_opt {
    POP3CHECK_OPT_HOST = 0,        /* str: name or address; required */
    POP3CHECK_OPT_PORT = 1,        /* long 1-65535; unset (0): 110, 995 for
                                      POP3CHECK_TLS_IMPLICIT */
    POP3CHECK_OPT_IP_VERSION = 2,  /* long 0 (any), 4 or 6; 0 */
    POP3CHECK_OPT_TLS = 3,         /* long, enum pop3check_tls; NONE */
    POP3CHECK_OPT_CAFILE = 4,      /* str: CA bundle; the system's */
    POP3CHECK_OPT_INSECURE = 5,    /* long 0/1: do not verify the
                                      certificate; 0 */
    POP3CHECK_OPT_SNI = 6,         /* str: TLS server name to send and
                                      verify; the host */
    POP3CHECK_OPT_USER = 7,        /* str; unset: greeting and CAPA only */
    POP3CHECK_OPT_PASSWORD = 8,    /* str, secret: never read back, wiped
                                      when replaced or freed */
    POP3CHECK_OPT_AUTH = 9,        /* long, enum pop3check_auth; ANY */
    POP3CHECK_OPT_LIST = 10,       /* long 0/1: send LIST; 0 */
    POP3CHECK_OPT_UIDL = 11,       /* long 0/1: send UIDL; 0 */
    POP3CHECK_OPT_TOP = 12,        /* long: TOP n 0, POP3CHECK_MSG_* or
                                      n >= 1; NONE */
    POP3CHECK_OPT_RETR = 13,       /* long: RETR n, as TOP; NONE */
    POP3CHECK_OPT_TIMEOUT_MS = 14, /* long 1-3600000, the whole probe
                                      (a round trip: submission and every
                                      poll); 10000 */
    /* A round trip: set SMTP_HOST (and MAIL_FROM, RCPT_TO) and the probe
     * submits a message there, then polls the POP3 mailbox (HOST, USER)
     * until it arrives, and deletes it: DELE only of a message whose
     * headers (TOP n 0, in that session) carry exactly one identifier
     * that verifies with CHECK_NAME and PROBE_KEY, with the Message-ID
     * that goes with it, and that is this probe or one whose sender's
     * deadline has passed; nothing without a clean QUIT. The phases are
     * described with POP3CHECK_PHASES. */
    POP3CHECK_OPT_SMTP_HOST = 15,     /* str: submission server; unset: no
                                         round trip */
    POP3CHECK_OPT_SMTP_PORT = 16,     /* long 1-65535; unset: 587, 465 for
                                         POP3CHECK_TLS_IMPLICIT */
    POP3CHECK_OPT_SMTP_TLS = 17,      /* long, enum pop3check_tls: STLS is
                                         STARTTLS required, TRY takes it if
                                         offered; STLS */
    POP3CHECK_OPT_SMTP_USER = 18,     /* str: AUTH as this user; unset: no
                                         AUTH */
    POP3CHECK_OPT_SMTP_PASSWORD = 19, /* str, secret, as PASSWORD */
    POP3CHECK_OPT_SMTP_AUTH = 20,     /* str: the SASL mechanism libcurl
                                         must use ("PLAIN", "LOGIN",
                                         "CRAM-MD5"); unset: the best the
                                         server offers */
    POP3CHECK_OPT_MAIL_FROM = 21,     /* str: envelope sender and From:;
                                         required for a round trip */
    POP3CHECK_OPT_RCPT_TO = 22,       /* str: envelope recipient and To:,
                                         the mailbox at HOST; required */
    POP3CHECK_OPT_SUBJECT = 23,       /* str: Subject:; "pop3check round
                                         trip" */
    POP3CHECK_OPT_POLL_MS = 24,       /* long 100-3600000: from the start of
                                         one poll to the next; 1000 */
    POP3CHECK_OPT_CHECK_NAME = 25,    /* str: names this check in its probe
                                         identifiers (A-Z a-z 0-9 . _ - @ /
                                         + : =, at most 64); USER@HOST */
    POP3CHECK_OPT_PROBE_KEY = 26,     /* str, secret: the key that makes
                                         the identifiers this check's own;
                                         unset: one derived from USER and
                                         PASSWORD; required with a
                                         token */
    /* OAuth 2.0 (AUTH XOAUTH2, OAUTHBEARER): USER logs in with a bearer
     * token instead of PASSWORD. AUTH "any" with a token and no password
     * takes OAUTHBEARER, else XOAUTH2. */
    POP3CHECK_OPT_TOKEN = 27,      /* str, secret: the token (RFC 6750
                                      b64token, at most 16384 characters) */
    POP3CHECK_OPT_TOKEN_FILE = 28, /* str: a file whose first line is the
                                      token, read at the start of every
                                      run (a refresher may replace it at
                                      any time) under the rule of
                                      pop3check_secret_read() */
    /* Or the token from an OAuth 2.0 client-credentials grant (RFC 6749
     * section 4.4) at the start of a run, its time the phase TOKEN; the
     * probe keeps it while it is valid (until shortly before it expires;
     * not at all when the endpoint gives no expires_in) and drops it when
     * the server refuses it. */
    POP3CHECK_OPT_TOKEN_URL = 29,     /* str: the token endpoint, https://
                                         (http:// only on loopback) */
    POP3CHECK_OPT_CLIENT_ID = 30,     /* str: required with TOKEN_URL */
    POP3CHECK_OPT_CLIENT_SECRET = 31, /* str, secret: required with
                                         TOKEN_URL */
    POP3CHECK_OPT_TOKEN_SCOPE = 32,   /* str: the scope asked for; unset:
                                         none */
    POP3CHECK_OPT_TOKEN_CACHE = 33,   /* str: a file that keeps the token
                                         from one process to the next
                                         (written 0600, read under the
                                         rule of pop3check_secret_read());
                                         unset: in memory only */
    /* The age of the messages in the maildrop, from the headers that
     * TOP n 0 reads after STAT (LIST, UIDL), never RETR: of each message
     * the newest (topmost) Received: header's date, which the receiving
     * server wrote, or else its Date: (the sender's clock); a date more
     * than 5 minutes ahead of this host's clock is not believed. Read for
     * message 1 and the last one, and for every message when the maildrop
     * holds at most AGE_SCAN messages (the order of a maildrop need not
     * be the order of arrival). The TOP commands count in the top phase. */
    /* 2: also keep, from one run of the probe to the next, when each
     * message was first seen, by its UIDL (UIDL is then sent): for a
     * probe that runs on a schedule (the daemons' targets). */
    POP3CHECK_OPT_AGE = 34,     /* long 0, 1 or 2; 0 */
    POP3CHECK_OPT_AGE_SCAN = 35 /* long 0-100000; unset (0): 10 */
};

/* Called for every protocol line when set. line is not NUL-terminated and
 * has no CRLF; it is valid only during the call. Never sees a secret. */
enum pop3check_trace_dir {
    POP3CHECK_TRACE_SENT = 0,     /* client to server, secrets redacted */
    POP3CHECK_TRACE_RECEIVED = 1, /* server to client (message bodies
                                     omitted) */
    POP3CHECK_TRACE_INFO = 2      /* what the probe did (connect, TLS...) */
};
typedef void pop3check_trace_fn(void *ctx, enum pop3check_trace_dir dir,
                                const char *line, size_t len);

struct pop3check_options;

/* Options with every key unset; NULL when out of memory. */
POP3CHECK_API struct pop3check_options *pop3check_options_new(void);
/* A copy of o (password and trace callback included); NULL when out of
 * memory. */
POP3CHECK_API struct pop3check_options *
pop3check_options_dup(const struct pop3check_options *o);
/* Frees o and wipes its copy of the password; NULL is a no-op. */
POP3CHECK_API void pop3check_options_free(struct pop3check_options *o);

/* Sets a string option (copied; NULL unsets it) or a number option. 0 on
 * success; -1 when the key is unknown, of the other type, or the value is
 * not allowed, or memory ran out; then the option keeps its value and
 * pop3check_options_error() says why. */
POP3CHECK_API int pop3check_options_set_str(struct pop3check_options *o,
                                            enum pop3check_opt key,
                                            const char *value);
POP3CHECK_API int pop3check_options_set_long(struct pop3check_options *o,
                                             enum pop3check_opt key,
                                             long value);
/* Sets the transcript callback (NULL: none). */
POP3CHECK_API void pop3check_options_set_trace(struct pop3check_options *o,
                                               pop3check_trace_fn *fn,
                                               void *ctx);
/* The string option, or NULL when unset, unknown or the password. */
POP3CHECK_API const char *
pop3check_options_get_str(const struct pop3check_options *o,
                          enum pop3check_opt key);
/* The number option as the probe will use it, the default when unset (the
 * port follows the TLS mode): 0 with *value set, -1 for an unknown key. */
POP3CHECK_API int pop3check_options_get_long(const struct pop3check_options *o,
                                             enum pop3check_opt key,
                                             long *value);
/* Why the last set failed, for people ("port: must be 1-65535"); "" when
 * it did not. Borrowed from o. */
POP3CHECK_API const char *
pop3check_options_error(const struct pop3check_options *o);

/* ---- results: what a probe learnt ---- */

/* Numbers in a result; -1 when unknown or not measured, but the flag sets
 * (CAPA, SASL), the yes/no figures (LOGGED_IN, TLS) and the message
 * numbers (TOP_MSG, RETR_MSG) are 0 when there is nothing to say. */
enum pop3check_figure {
    POP3CHECK_FIG_MESSAGES = 0,        /* STAT: messages in the maildrop */
    POP3CHECK_FIG_OCTETS = 1,          /* STAT: their octets */
    POP3CHECK_FIG_LARGEST = 2,         /* largest LIST size */
    POP3CHECK_FIG_LISTED = 3,          /* LIST entries */
    POP3CHECK_FIG_UIDL_ENTRIES = 4,    /* UIDL entries */
    POP3CHECK_FIG_TOP_OCTETS = 5,      /* octets of the TOP n 0 reply */
    POP3CHECK_FIG_RETR_OCTETS = 6,     /* octets of the RETR n message */
    POP3CHECK_FIG_TOP_MSG = 7,         /* message TOP read, 0 if none */
    POP3CHECK_FIG_RETR_MSG = 8,        /* message RETR read, 0 if none */
    POP3CHECK_FIG_CAPA = 9,            /* POP3CHECK_CAPA_* bits */
    POP3CHECK_FIG_SASL = 10,           /* POP3CHECK_SASL_* bits */
    POP3CHECK_FIG_AUTH_USED = 11,      /* enum pop3check_auth tried, -1 if
                                          no login was attempted */
    POP3CHECK_FIG_LOGGED_IN = 12,      /* 1 after a successful login */
    POP3CHECK_FIG_TLS = 13,            /* 1 if the session was encrypted */
    POP3CHECK_FIG_CERT_NOT_AFTER = 14, /* earliest expiry in the chain,
                                          Unix seconds */
    POP3CHECK_FIG_PEER_PORT = 15,      /* port connected to */
    POP3CHECK_FIG_IP_VERSION = 16,     /* 4 or 6 */
    POP3CHECK_FIG_STARTED_AT = 17,     /* Unix seconds at the start */
    /* round trips; -1 for other probes */
    POP3CHECK_FIG_DELIVERED = 18,     /* 1 once the probe message was seen */
    POP3CHECK_FIG_POLLS = 19,         /* POP3 sessions it took */
    POP3CHECK_FIG_STALE_CLEANED = 20, /* earlier probes of this check
                                         deleted (committed by QUIT) */
    POP3CHECK_FIG_SMTP_CODE = 21,     /* the last SMTP reply code: 250 after
                                         the message, or the refusal */
    POP3CHECK_FIG_SMTP_TLS = 22,      /* 1 if the submission was encrypted */
    POP3CHECK_FIG_HEADERS_READ = 23,  /* TOP n 0 sent in all polls */
    POP3CHECK_FIG_POLL_MS = 24,       /* the poll interval used */
    POP3CHECK_FIG_SUBMITTED_AT = 25,  /* Unix ms of the server's 250 after
                                         the message (this host's clock) */
    /* the age of the messages (POP3CHECK_OPT_AGE); -1 when not measured,
     * and the ages and message numbers -1 too when no message read had
     * a date to believe (an empty maildrop reads none) */
    POP3CHECK_FIG_OLDEST_AGE = 26,    /* seconds since the oldest message
                                         arrived (0 for a date up to 5
                                         minutes ahead) */
    POP3CHECK_FIG_NEWEST_AGE = 27,    /* seconds, of the newest */
    POP3CHECK_FIG_OLDEST_MSG = 28,    /* its message number */
    POP3CHECK_FIG_NEWEST_MSG = 29,    /* the newest's */
    POP3CHECK_FIG_OLDEST_SOURCE = 30, /* enum pop3check_age_source */
    POP3CHECK_FIG_NEWEST_SOURCE = 31, /* enum pop3check_age_source */
    POP3CHECK_FIG_AGE_READ = 32,      /* messages whose headers were read */
    POP3CHECK_FIG_AGE_UNDATED = 33,   /* of them, without a date to believe
                                         (none, malformed, in the future) */
    /* POP3CHECK_OPT_AGE 2; -1 otherwise, and for an empty maildrop */
    POP3CHECK_FIG_LONGEST_WAIT = 34, /* seconds since the message in the
                                        maildrop longest was first seen
                                        by this probe (its clock alone) */
    POP3CHECK_FIG_WAIT_TRACKED = 35  /* messages whose first sighting is
                                        kept (at most 100000) */
};

/* Which header gave a message its date. */
enum pop3check_age_source {
    POP3CHECK_AGE_NONE = 0,     /* no date to believe */
    POP3CHECK_AGE_RECEIVED = 1, /* the newest Received: header */
    POP3CHECK_AGE_DATE = 2      /* Date:, the sender's clock */
};

/* Texts in a result: sanitised (printable ASCII), never a secret; "" when
 * there is none. */
enum pop3check_text {
    POP3CHECK_TEXT_ERROR = 0,       /* what went wrong, for people */
    POP3CHECK_TEXT_SERVER = 1,      /* the server's -ERR text */
    POP3CHECK_TEXT_GREETING = 2,    /* the +OK greeting, without "+OK " */
    POP3CHECK_TEXT_CAPA = 3,        /* CAPA lines joined by ", " */
    POP3CHECK_TEXT_TLS_VERSION = 4, /* "TLSv1.3" */
    POP3CHECK_TEXT_PEER_IP = 5,     /* address connected to */
    /* round trips */
    POP3CHECK_TEXT_SMTP_ENHANCED = 6, /* RFC 3463 code of the last SMTP
                                         reply, "5.7.1" */
    POP3CHECK_TEXT_SMTP_SERVER = 7,   /* the text of a refusing SMTP reply,
                                         "550 5.7.1 Relaying denied" */
    POP3CHECK_TEXT_RECEIVED = 8,      /* the probe's Received: chain, one
                                         hop per "; ", oldest first: "by
                                         mta.example.test at 2026-12-02
                                         10:00:00Z (+0 s)" */
    POP3CHECK_TEXT_PROBE_ID = 9,      /* the probe's nonce (hex), as in its
                                         Message-ID and log lines */
    POP3CHECK_TEXT_AGE = 10 /* what the age was read from: "oldest message
                               1 (Received: 2026-12-01 10:00:00Z), newest
                               message 7 (Date: 2026-12-03 09:00:00Z); 7 of
                               7 messages read, 0 undated" */
};

struct pop3check_result;

/* A result as for a probe that has not run: every phase not performed,
 * every figure unknown (or 0, see enum pop3check_figure), no error. NULL
 * when out of memory. For front ends that keep results, and show a target
 * before its first probe. */
POP3CHECK_API struct pop3check_result *pop3check_result_new(void);
/* Makes dst a copy of src. 0, or -1 when out of memory (dst unchanged). */
POP3CHECK_API int pop3check_result_copy(struct pop3check_result *dst,
                                        const struct pop3check_result *src);
/* NULL is a no-op. */
POP3CHECK_API void pop3check_result_free(struct pop3check_result *r);
/* Marks r failed with kind e and text (sanitised), for a front end that
 * could not run the probe at all ("the exporter is shutting down").
 * -1 if e is OK or unknown. */
POP3CHECK_API int pop3check_result_set_error(struct pop3check_result *r,
                                             enum pop3check_error e,
                                             const char *text);

/* POP3CHECK_E_OK on success. */
POP3CHECK_API enum pop3check_error
pop3check_result_error(const struct pop3check_result *r);
/* The phase that failed; meaningful when the error is not OK. */
POP3CHECK_API enum pop3check_phase
pop3check_result_failed_phase(const struct pop3check_result *r);
/* The response code of the server's -ERR. */
POP3CHECK_API enum pop3check_rcode
pop3check_result_rcode(const struct pop3check_result *r);
/* Microseconds the phase took; -1 when it was not performed (never 0 for
 * "not done") or is unknown. */
POP3CHECK_API int64_t pop3check_result_phase_us(
    const struct pop3check_result *r, enum pop3check_phase p);
POP3CHECK_API int64_t pop3check_result_figure(const struct pop3check_result *r,
                                              enum pop3check_figure f);
/* Never NULL; borrowed from r. */
POP3CHECK_API const char *
pop3check_result_text(const struct pop3check_result *r, enum pop3check_text t);
/* Days from the probe's start until the certificate expires (negative
 * once expired); only meaningful when POP3CHECK_FIG_CERT_NOT_AFTER is
 * known. */
POP3CHECK_API double
pop3check_result_cert_days_left(const struct pop3check_result *r);

/* ---- probes ---- */

struct pop3check_probe;

/* Validates o as a whole and copies it: later changes to o do not reach
 * the probe. On error returns NULL and writes a one-line reason into err
 * (if errlen > 0). */
POP3CHECK_API struct pop3check_probe *
pop3check_probe_new(const struct pop3check_options *o, char *err,
                    size_t errlen);
/* Runs the probe to completion (at most its timeout) and returns its
 * result, owned by the probe: valid until the next run or free. Never
 * NULL. */
POP3CHECK_API const struct pop3check_result *
pop3check_probe_run(struct pop3check_probe *p);
/* The result of the last run that finished (as for a probe that has not
 * run before the first). Owned by the probe. */
POP3CHECK_API const struct pop3check_result *
pop3check_probe_result(const struct pop3check_probe *p);
/* Frees the probe and wipes its copy of the password; NULL is a no-op.
 * Not while it runs in a multi. */
POP3CHECK_API void pop3check_probe_free(struct pop3check_probe *p);
/* What from's runs learnt that to's next runs go on with: when each
 * message was first seen (POP3CHECK_OPT_AGE 2), for a probe made anew
 * from changed options (a reloaded configuration) of the same mailbox.
 * to must not be running; from may be, on the calling thread's loop (what
 * it learnt so far is taken). 0 (also when either keeps nothing to
 * carry), or -1 when either is NULL, to is running, or memory runs out
 * (to is then unchanged). Since 0.5. */
POP3CHECK_API int pop3check_probe_carry(struct pop3check_probe *to,
                                        const struct pop3check_probe *from);

/* ---- many probes at once on one thread (libcurl's multi interface) ---- */

struct pop3check_multi;

/* Called once per probe when it finishes, from pop3check_multi_run(); r is
 * the probe's result. The probe is no longer in the multi: it may be
 * added again or freed here. */
typedef void pop3check_done_fn(void *ctx, struct pop3check_probe *p,
                               const struct pop3check_result *r);

POP3CHECK_API struct pop3check_multi *pop3check_multi_new(void);
/* Starts p. The probe must not be running already; it belongs to the multi
 * until done is called. 0 on success, -1 if it could not start. */
POP3CHECK_API int pop3check_multi_add(struct pop3check_multi *m,
                                      struct pop3check_probe *p,
                                      pop3check_done_fn *done, void *ctx);
/* Waits up to timeout_ms (-1: until a probe ends) for activity, advances
 * every probe, calls done for the finished ones. With nothing running it
 * still waits up to timeout_ms for pop3check_multi_wakeup(), but returns
 * at once when timeout_ms is -1. Returns the number still running, or
 * -1. */
POP3CHECK_API int pop3check_multi_run(struct pop3check_multi *m,
                                      int timeout_ms);
/* Makes a pop3check_multi_run() waiting in another thread return early
 * (the only call that may come from another thread). */
POP3CHECK_API int pop3check_multi_wakeup(struct pop3check_multi *m);
/* Aborts the probes still running (done is not called); NULL is a no-op. */
POP3CHECK_API void pop3check_multi_free(struct pop3check_multi *m);

/* ---- thresholds: from a result to a Monitoring Plugins state ---- */

/* What a threshold can be set on, besides the time of each phase. */
enum pop3check_measure {
    POP3CHECK_MEASURE_MESSAGES = 0,  /* messages in the maildrop (STAT) */
    POP3CHECK_MEASURE_OCTETS = 1,    /* octets in the maildrop (STAT) */
    POP3CHECK_MEASURE_CERT_DAYS = 2, /* days until the certificate expires;
                                       an expired one is always CRITICAL */
    POP3CHECK_MEASURE_OLDEST_AGE = 3 /* seconds since the oldest message
                                        arrived (POP3CHECK_OPT_AGE) */
};

struct pop3check_thresholds;

/* No threshold set, a timeout is CRITICAL. NULL when out of memory. */
POP3CHECK_API struct pop3check_thresholds *pop3check_thresholds_new(void);
POP3CHECK_API struct pop3check_thresholds *
pop3check_thresholds_dup(const struct pop3check_thresholds *t);
/* NULL is a no-op. */
POP3CHECK_API void pop3check_thresholds_free(struct pop3check_thresholds *t);

/* Sets the range at level (POP3CHECK_STATE_WARNING or _CRITICAL) of a
 * measure, or of a phase's time in seconds; NULL unsets it. Ranges as the
 * Monitoring Plugins guidelines write them: "10", "10:", "~:10", "10:20",
 * "@10:20" (at most 31 characters). 0, or -1 when the range, the measure,
 * the phase or the level is not valid, or memory runs out (then nothing
 * changes). */
POP3CHECK_API int pop3check_thresholds_set(struct pop3check_thresholds *t,
                                           enum pop3check_measure m,
                                           enum pop3check_state level,
                                           const char *range);
POP3CHECK_API int pop3check_thresholds_set_phase(struct pop3check_thresholds *t,
                                                 enum pop3check_phase p,
                                                 enum pop3check_state level,
                                                 const char *range);
/* The range as it was set (for perfdata), or NULL when unset. Borrowed. */
POP3CHECK_API const char *
pop3check_thresholds_get(const struct pop3check_thresholds *t,
                         enum pop3check_measure m, enum pop3check_state level);
POP3CHECK_API const char *
pop3check_thresholds_get_phase(const struct pop3check_thresholds *t,
                               enum pop3check_phase p,
                               enum pop3check_state level);
/* The state of a timed-out probe (default CRITICAL). -1 if s is not a
 * state. */
POP3CHECK_API int
pop3check_thresholds_set_timeout_state(struct pop3check_thresholds *t,
                                       enum pop3check_state s);
POP3CHECK_API enum pop3check_state
pop3check_thresholds_timeout_state(const struct pop3check_thresholds *t);
/* The state of a probe that failed with kind e (default CRITICAL, an
 * internal error UNKNOWN; TIMEOUT is the timeout state above), e.g.
 * WARNING for POP3CHECK_E_NOT_DELIVERED. -1 if e is OK or unknown, or s
 * is not a state. */
POP3CHECK_API int
pop3check_thresholds_set_error_state(struct pop3check_thresholds *t,
                                     enum pop3check_error e,
                                     enum pop3check_state s);
POP3CHECK_API enum pop3check_state
pop3check_thresholds_error_state(const struct pop3check_thresholds *t,
                                 enum pop3check_error e);

/* The state of r under t (NULL: no thresholds), and a short reason for it
 * written into why (e.g. "total 3.2 s (critical 2)"), "" when OK. A
 * failed probe is CRITICAL (an internal error UNKNOWN, a timeout as t
 * says). */
POP3CHECK_API enum pop3check_state
pop3check_evaluate(const struct pop3check_result *r,
                   const struct pop3check_thresholds *t, char *why,
                   size_t whylen);

/* ---- secrets: password, token and key files ---- */

/* How pop3check_secret_read() takes the secret from the file:
 * LINE, the first line without its line end (LF, CRLF or CR), not empty;
 * WHOLE, the whole file (a PEM key), not empty. */
#define POP3CHECK_SECRET_LINE  0u
#define POP3CHECK_SECRET_WHOLE 1u

/* Reads a secret (password, token, key) from the file at path, under the
 * one rule of every pop3check program: a regular file (not a directory,
 * FIFO, device or socket; opened without blocking, then checked on the
 * open descriptor) that other users cannot read, write or search (no bit
 * of the mode's "other" set; group bits are fine, as root:nagios 0640),
 * holding no NUL byte in what is taken. At most max bytes (LINE: of the
 * first line, "characters" in the messages). Returns a malloc'd
 * NUL-terminated copy, its length in *len (len may be NULL), to be
 * released with pop3check_secret_free(); NULL on failure with a one-line
 * reason in err (if errlen > 0) that starts with the path, quoted as a
 * shell reads it (control characters as '?'), and says what to fix:
 *   '/x/pw' is open to other users (mode 0644): run chmod o-rwx '/x/pw'
 *   '/etc' is a directory, not a file
 *   '/x' cannot be read: Permission denied
 *   '/x': No such file or directory
 * The secret is never in err; every other copy the library made is
 * wiped. */
POP3CHECK_API char *pop3check_secret_read(const char *path, unsigned how,
                                          size_t max, size_t *len, char *err,
                                          size_t errlen);
/* Wipes and frees what pop3check_secret_read() returned; NULL is fine. */
POP3CHECK_API void pop3check_secret_free(char *secret);

#ifdef __cplusplus
}
#endif
#endif
