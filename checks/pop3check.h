/* SPDX-License-Identifier: MIT */
/* pop3check.h - the public API of libpop3check: probe a POP3 server
 * (RFC 1939, 2449, 2595, 3206, 5034), time every phase, judge the result.
 * The only installed header. Every exported name starts with pop3check_. */
#ifndef POP3CHECK_H
#define POP3CHECK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define POP3CHECK_VERSION "0.1.0"

#if defined(__GNUC__)
#define POP3CHECK_API __attribute__((visibility("default")))
#else
#define POP3CHECK_API
#endif

/* Error kinds: X(enum suffix, name, message). One list, so that names and
 * messages can never drift from the enum. */
#define POP3CHECK_ERRORS(X)                                                    \
    X(OK, "ok", "no error")                                                    \
    X(RESOLVE, "resolve", "host name could not be resolved")                   \
    X(CONNECT, "connect", "TCP connection failed")                             \
    X(TIMEOUT, "timeout", "timed out")                                         \
    X(TLS, "tls", "TLS failed")                                                \
    X(CERTIFICATE, "certificate", "server certificate rejected")               \
    X(PROTOCOL, "protocol", "server broke the POP3 protocol")                  \
    X(AUTH, "auth", "login failed")                                            \
    X(COMMAND, "command", "command refused by the server")                     \
    X(INTERNAL, "internal", "internal error")

enum pop3check_error {
#define POP3CHECK_X_ENUM(e, name, msg) POP3CHECK_E_##e,
    POP3CHECK_ERRORS(POP3CHECK_X_ENUM)
#undef POP3CHECK_X_ENUM
        POP3CHECK_E_COUNT
};

/* Name ("auth") and message ("login failed") of an error kind; static
 * strings, never NULL (unknown values give "internal"). */
POP3CHECK_API const char *pop3check_error_name(enum pop3check_error e);
POP3CHECK_API const char *pop3check_error_message(enum pop3check_error e);

/* Phases in the order a session runs them; TOTAL is the whole probe. */
#define POP3CHECK_PHASES(X)                                                    \
    X(RESOLVE, "resolve")                                                      \
    X(CONNECT, "connect")                                                      \
    X(TLS, "tls")                                                              \
    X(GREETING, "greeting")                                                    \
    X(CAPA, "capa")                                                            \
    X(STLS, "stls")                                                            \
    X(AUTH, "auth")                                                            \
    X(STAT, "stat")                                                            \
    X(LIST, "list")                                                            \
    X(UIDL, "uidl")                                                            \
    X(TOP, "top")                                                              \
    X(RETR, "retr")                                                            \
    X(QUIT, "quit")                                                            \
    X(TOTAL, "total")

enum pop3check_phase {
#define POP3CHECK_X_ENUM(e, name) POP3CHECK_PHASE_##e,
    POP3CHECK_PHASES(POP3CHECK_X_ENUM)
#undef POP3CHECK_X_ENUM
        POP3CHECK_PHASE_COUNT
};

/* "resolve", ..., "total"; NULL for a value out of range. */
POP3CHECK_API const char *pop3check_phase_name(enum pop3check_phase p);
/* The phase called name, or -1. */
POP3CHECK_API int pop3check_phase_from_name(const char *name);

/* RFC 2449 / RFC 3206 response codes found in a server's -ERR line. */
enum pop3check_rcode {
    POP3CHECK_RCODE_NONE = 0,
    POP3CHECK_RCODE_AUTH,        /* [AUTH] */
    POP3CHECK_RCODE_SYS_TEMP,    /* [SYS/TEMP] */
    POP3CHECK_RCODE_SYS_PERM,    /* [SYS/PERM] */
    POP3CHECK_RCODE_IN_USE,      /* [IN-USE] */
    POP3CHECK_RCODE_LOGIN_DELAY, /* [LOGIN-DELAY] */
    POP3CHECK_RCODE_OTHER        /* any other [CODE] */
};

/* "AUTH", "SYS/TEMP", ...; "" for NONE. */
POP3CHECK_API const char *pop3check_rcode_name(enum pop3check_rcode c);

enum pop3check_tls {
    POP3CHECK_TLS_NONE = 0, /* plain text */
    POP3CHECK_TLS_STLS,     /* upgrade with STLS (RFC 2595), else fail */
    POP3CHECK_TLS_IMPLICIT  /* POP3S, TLS from the first byte */
};

enum pop3check_auth {
    POP3CHECK_AUTH_ANY = 0, /* best the server offers, see the manual */
    POP3CHECK_AUTH_USER,    /* USER/PASS */
    POP3CHECK_AUTH_APOP,
    POP3CHECK_AUTH_PLAIN, /* SASL PLAIN (RFC 4616) */
    POP3CHECK_AUTH_LOGIN, /* SASL LOGIN */
    POP3CHECK_AUTH_CRAM_MD5
};

/* "any", "user", "apop", "plain", "login", "cram-md5". */
POP3CHECK_API const char *pop3check_auth_name(enum pop3check_auth a);
/* The mechanism called name (case-insensitive), or -1. */
POP3CHECK_API int pop3check_auth_from_name(const char *name);

/* Selected message for TOP and RETR. */
#define POP3CHECK_MSG_NONE  0L  /* command not sent */
#define POP3CHECK_MSG_FIRST 1L  /* message 1 */
#define POP3CHECK_MSG_LAST  -1L /* the last message STAT reported */

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
#define POP3CHECK_SASL_PLAIN    (1u << 0)
#define POP3CHECK_SASL_LOGIN    (1u << 1)
#define POP3CHECK_SASL_CRAM_MD5 (1u << 2)

/* Direction of a transcript line. */
enum pop3check_trace_dir {
    POP3CHECK_TRACE_SENT,     /* client to server, secrets redacted */
    POP3CHECK_TRACE_RECEIVED, /* server to client (message bodies omitted) */
    POP3CHECK_TRACE_INFO      /* what the probe did (connect, TLS, ...) */
};

/* Called for every protocol line when set. line is not NUL-terminated and
 * has no CRLF; it is valid only during the call. Never sees a secret. */
typedef void pop3check_trace_fn(void *ctx, enum pop3check_trace_dir dir,
                                const char *line, size_t len);

/* What to probe. Caller-owned; pop3check_probe_new() copies everything it
 * keeps, so the strings may be freed (and the password wiped) right after.
 * Zero-initialise, then set what you need: zero means the default. */
struct pop3check_options {
    const char *host;          /* name or address; required */
    unsigned port;             /* 0: 110, or 995 for IMPLICIT */
    int ip_version;            /* 0: any, 4 or 6 */
    enum pop3check_tls tls;    /* default NONE */
    const char *cafile;        /* CA bundle; NULL: the system's */
    int insecure;              /* 1: do not verify the certificate */
    const char *sni;           /* TLS server name to send and verify */
    const char *user;          /* NULL: greeting and CAPA only */
    const char *password;      /* secret: copied, wiped on free */
    enum pop3check_auth auth;  /* default ANY */
    int list;                  /* 1: send LIST */
    int uidl;                  /* 1: send UIDL */
    long top;                  /* TOP n 0: POP3CHECK_MSG_* or n >= 1 */
    long retr;                 /* RETR n: POP3CHECK_MSG_* or n >= 1 */
    unsigned timeout_ms;       /* whole probe; 0: 10000 */
    pop3check_trace_fn *trace; /* optional transcript callback */
    void *trace_ctx;           /* passed to trace */
};

/* Everything a probe learnt. Filled on success and on failure; a plain
 * struct with no heap pointers, safe to copy. Times in microseconds,
 * -1 when the phase was not performed; figures -1 when unknown. */
struct pop3check_result {
    enum pop3check_error error;        /* POP3CHECK_E_OK on success */
    enum pop3check_phase failed_phase; /* valid when error != OK */
    enum pop3check_rcode rcode;        /* response code of the -ERR */
    char error_text[256];  /* what went wrong, for people; no secret */
    char server_text[256]; /* the server's -ERR text, sanitised */
    char greeting[256];    /* the server's +OK greeting, sanitised */
    int64_t phase_us[POP3CHECK_PHASE_COUNT];

    unsigned capa;                 /* POP3CHECK_CAPA_* */
    unsigned sasl;                 /* POP3CHECK_SASL_* */
    char capa_text[512];           /* CAPA lines joined by ", ", sanitised */
    enum pop3check_auth auth_used; /* mechanism that logged in */
    int logged_in;                 /* 1 after a successful login */

    int64_t messages;       /* STAT */
    int64_t octets;         /* STAT */
    int64_t largest;        /* largest LIST size */
    int64_t listed;         /* LIST entries */
    int64_t uidl_count;     /* UIDL entries */
    int64_t top_octets;     /* octets of the TOP n 0 reply */
    int64_t retr_octets;    /* octets of the RETR n message */
    long top_msg, retr_msg; /* message numbers used, 0 if none */

    int tls;                /* 1 if the session was encrypted */
    char tls_version[16];   /* "TLSv1.3", "" if unknown */
    int64_t cert_not_after; /* earliest expiry in the chain (Unix
                               seconds), -1 if unknown */
    char peer_ip[64];       /* address connected to */
    unsigned peer_port;
    int ip_version;     /* 4, 6 or 0 */
    int64_t started_at; /* Unix seconds when the probe started */
};

/* Fills r as for a probe that has not run: every phase not performed,
 * every figure unknown (-1), no error. For front ends that show a target
 * before its first probe, and for tests. */
POP3CHECK_API void pop3check_result_init(struct pop3check_result *r);

/* Once per process, before any other call, and pop3check_global_cleanup()
 * at the end (they wrap curl_global_init/cleanup). 0 on success. */
POP3CHECK_API int pop3check_global_init(void);
POP3CHECK_API void pop3check_global_cleanup(void);

/* A prepared probe. Opaque. */
struct pop3check_probe;

/* Validates and copies opts. On error returns NULL and writes a one-line
 * reason into err (if errlen > 0). */
POP3CHECK_API struct pop3check_probe *
pop3check_probe_new(const struct pop3check_options *o, char *err,
                    size_t errlen);
/* Runs the probe to completion (at most timeout_ms) and fills *r. May be
 * called again for a new probe with the same options. */
POP3CHECK_API void pop3check_probe_run(struct pop3check_probe *p,
                                       struct pop3check_result *r);
/* Frees the probe and wipes its copy of the password; NULL is a no-op. */
POP3CHECK_API void pop3check_probe_free(struct pop3check_probe *p);

/* Many probes at once on one thread (libcurl's multi interface). */
struct pop3check_multi;

/* Called once per probe when it finishes; r is valid during the call. */
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
/* Makes a pop3check_multi_run() waiting in another thread return early. */
POP3CHECK_API int pop3check_multi_wakeup(struct pop3check_multi *m);
/* Aborts the probes still running (done is not called); NULL is a no-op. */
POP3CHECK_API void pop3check_multi_free(struct pop3check_multi *m);

/* Monitoring Plugins states. */
enum pop3check_state {
    POP3CHECK_STATE_OK = 0,
    POP3CHECK_STATE_WARNING = 1,
    POP3CHECK_STATE_CRITICAL = 2,
    POP3CHECK_STATE_UNKNOWN = 3
};

/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
POP3CHECK_API const char *pop3check_state_name(enum pop3check_state s);
/* The state called name ("ok", "warning", "critical", "unknown"; any case),
 * or -1. */
POP3CHECK_API int pop3check_state_from_name(const char *name);

/* A Monitoring Plugins range: alert when the value is outside
 * [start, end], or inside it when inside is set. */
struct pop3check_range {
    int set;       /* 0: no threshold */
    int inside;    /* 1: '@' form */
    int start_inf; /* 1: start is -infinity ('~') */
    int end_inf;   /* 1: no upper bound ('10:') */
    double start, end;
    char text[32]; /* as the user wrote it, for perfdata */
};

/* Parses "10", "10:", "~:10", "10:20", "@10:20". 0 on success, -1 if the
 * text is not a range (then *r is unset). */
POP3CHECK_API int pop3check_range_parse(const char *text,
                                        struct pop3check_range *r);
/* 1 if value raises an alert against r, 0 if not or r is unset. */
POP3CHECK_API int pop3check_range_alert(const struct pop3check_range *r,
                                        double value);

/* Thresholds and policy that turn a result into a state. Time ranges are
 * in seconds. Zero-initialised means: no thresholds, timeout CRITICAL. */
struct pop3check_thresholds {
    struct pop3check_range phase_warn[POP3CHECK_PHASE_COUNT];
    struct pop3check_range phase_crit[POP3CHECK_PHASE_COUNT];
    struct pop3check_range messages_warn, messages_crit;
    struct pop3check_range octets_warn, octets_crit;
    int cert_warn_days; /* alert when fewer days left; 0: unset */
    int cert_crit_days;
    int timeout_state_set;              /* 0: CRITICAL */
    enum pop3check_state timeout_state; /* state of a timed-out probe */
};

/* The state of r under t, and a short reason for it written into why
 * (e.g. "total time 3.2 s > 2"), "" when OK. */
POP3CHECK_API enum pop3check_state
pop3check_evaluate(const struct pop3check_result *r,
                   const struct pop3check_thresholds *t, char *why,
                   size_t whylen);

/* Days from the probe's start until the certificate expires (negative
 * once expired); only meaningful when r->cert_not_after >= 0. */
POP3CHECK_API double pop3check_cert_days_left(const struct pop3check_result *r);

#ifdef __cplusplus
}
#endif
#endif
