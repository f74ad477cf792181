/* SPDX-License-Identifier: MIT */
/* options.c - what to probe, as keyed settings (pop3check_options_set_*):
 * each value checked when it is set, the whole when a probe is made, the
 * library's defaults in one place. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"
#include "mail.h"
#include "tokstore.h"

static char **str_slot(struct p3_opts *v, enum pop3check_opt key)
{
    switch (key) {
    case POP3CHECK_OPT_HOST:
        return &v->host;
    case POP3CHECK_OPT_CAFILE:
        return &v->cafile;
    case POP3CHECK_OPT_SNI:
        return &v->sni;
    case POP3CHECK_OPT_USER:
        return &v->user;
    case POP3CHECK_OPT_PASSWORD:
        return &v->password;
    case POP3CHECK_OPT_SMTP_HOST:
        return &v->smtp_host;
    case POP3CHECK_OPT_SMTP_USER:
        return &v->smtp_user;
    case POP3CHECK_OPT_SMTP_PASSWORD:
        return &v->smtp_password;
    case POP3CHECK_OPT_SMTP_AUTH:
        return &v->smtp_auth;
    case POP3CHECK_OPT_MAIL_FROM:
        return &v->mail_from;
    case POP3CHECK_OPT_RCPT_TO:
        return &v->rcpt_to;
    case POP3CHECK_OPT_SUBJECT:
        return &v->subject;
    case POP3CHECK_OPT_CHECK_NAME:
        return &v->check_name;
    case POP3CHECK_OPT_PROBE_KEY:
        return &v->probe_key;
    case POP3CHECK_OPT_TOKEN:
        return &v->token;
    case POP3CHECK_OPT_TOKEN_FILE:
        return &v->token_file;
    case POP3CHECK_OPT_TOKEN_URL:
        return &v->token_url;
    case POP3CHECK_OPT_CLIENT_ID:
        return &v->client_id;
    case POP3CHECK_OPT_CLIENT_SECRET:
        return &v->client_secret;
    case POP3CHECK_OPT_TOKEN_SCOPE:
        return &v->token_scope;
    case POP3CHECK_OPT_TOKEN_CACHE:
        return &v->token_cache;
    default:
        return NULL;
    }
}

/* The secrets: never read back. */
static int secret_key(enum pop3check_opt key)
{
    return key == POP3CHECK_OPT_PASSWORD ||
           key == POP3CHECK_OPT_SMTP_PASSWORD ||
           key == POP3CHECK_OPT_PROBE_KEY || key == POP3CHECK_OPT_TOKEN ||
           key == POP3CHECK_OPT_CLIENT_SECRET;
}

static long *long_slot(struct p3_opts *v, enum pop3check_opt key)
{
    switch (key) {
    case POP3CHECK_OPT_PORT:
        return &v->port;
    case POP3CHECK_OPT_IP_VERSION:
        return &v->ip_version;
    case POP3CHECK_OPT_TLS:
        return &v->tls;
    case POP3CHECK_OPT_INSECURE:
        return &v->insecure;
    case POP3CHECK_OPT_AUTH:
        return &v->auth;
    case POP3CHECK_OPT_LIST:
        return &v->list;
    case POP3CHECK_OPT_UIDL:
        return &v->uidl;
    case POP3CHECK_OPT_TOP:
        return &v->top;
    case POP3CHECK_OPT_RETR:
        return &v->retr;
    case POP3CHECK_OPT_TIMEOUT_MS:
        return &v->timeout_ms;
    case POP3CHECK_OPT_SMTP_PORT:
        return &v->smtp_port;
    case POP3CHECK_OPT_SMTP_TLS:
        return &v->smtp_tls;
    case POP3CHECK_OPT_POLL_MS:
        return &v->poll_ms;
    case POP3CHECK_OPT_AGE:
        return &v->age;
    case POP3CHECK_OPT_AGE_SCAN:
        return &v->age_scan;
    default:
        return NULL;
    }
}

/* Host names and addresses only: they end up in a URL. */
static int valid_host(const char *h)
{
    size_t n = strlen(h);

    if (n == 0 || n > 253)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                    "0123456789.-_:",
                    h[i]))
            return 0;
    return 1;
}

/* Credentials go into command lines: no line breaks, bounded. */
static int valid_cred(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && n <= P3_CRED_MAX && strpbrk(s, "\r\n") == NULL;
}

/* An envelope address: local@domain in printable ASCII without what would
 * break the MAIL FROM/RCPT TO line or the header it also goes into. */
static int valid_address(const char *s)
{
    const char *at = strrchr(s, '@');
    size_t n = strlen(s);

    if (n < 3 || n > 254 || at == NULL || at == s || at[1] == '\0')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] <= ' ' || s[i] > '~' || strchr("<>()[],;:\\\"", s[i]))
            return 0;
    return 1;
}

/* Printable ASCII (a header value, a mechanism name), 1 .. max long. */
static int valid_text(const char *s, size_t max, int spaces)
{
    size_t n = strlen(s);

    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < ' ' || s[i] > '~' || (!spaces && s[i] == ' '))
            return 0;
    return 1;
}

static const char *check_trip_str(enum pop3check_opt key, const char *s)
{
    switch (key) {
    case POP3CHECK_OPT_SMTP_HOST:
        return valid_host(s) ? NULL
                             : "smtp_host: give a host name or an IP address "
                               "(letters, digits, '.', '-', ':' only)";
    case POP3CHECK_OPT_SMTP_USER:
        return valid_cred(s) && !strchr(s, ' ')
                   ? NULL
                   : "smtp_user: 1-255 characters, no spaces or line breaks";
    case POP3CHECK_OPT_SMTP_PASSWORD:
        return valid_cred(s) ? NULL
                             : "smtp_password: 1-255 characters, no line "
                               "breaks";
    case POP3CHECK_OPT_SMTP_AUTH:
        return valid_text(s, 20, 0) && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                 "abcdefghijklmnopqrstuvwxyz"
                                                 "0123456789-_") == strlen(s)
                   ? NULL
                   : "smtp_auth: a SASL mechanism name such as PLAIN";
    case POP3CHECK_OPT_MAIL_FROM:
    case POP3CHECK_OPT_RCPT_TO:
        return valid_address(s) ? NULL
                                : "mail_from, rcpt_to: an address "
                                  "local@domain, printable ASCII, no spaces "
                                  "or <>()[],;:\\\"";
    case POP3CHECK_OPT_SUBJECT:
        return valid_text(s, 200, 1) ? NULL
                                     : "subject: 1-200 printable ASCII "
                                       "characters";
    case POP3CHECK_OPT_CHECK_NAME:
        return p3_probeid_check_name_ok(s)
                   ? NULL
                   : "check_name: 1-64 characters of A-Z a-z 0-9 . _ - @ / "
                     "+ : =";
    case POP3CHECK_OPT_PROBE_KEY:
        return strlen(s) >= 16 && strlen(s) <= P3_PROBEID_KEY_MAX
                   ? NULL
                   : "probe_key: 16-256 bytes";
    default:
        return NULL;
    }
}

/* An endpoint URL that keeps the client secret off the wire: https, or
 * http to a loopback address (a token service on the same host). */
static int valid_token_url(const char *s)
{
    char host[64];
    size_t n;
    struct in_addr a;

    if (!valid_text(s, 2000, 0))
        return 0;
    if (strncmp(s, "https://", 8) == 0)
        return s[8] != '\0' && s[8] != '/';
    if (strncmp(s, "http://", 7) != 0 || strchr(s, '@') != NULL)
        return 0; /* no user part that would move the host elsewhere */
    s += 7;
    if (strncmp(s, "[::1]", 5) == 0)
        return s[5] == '\0' || s[5] == ':' || s[5] == '/';
    n = strcspn(s, ":/");
    if (n == 0 || n >= sizeof host)
        return 0;
    memcpy(host, s, n);
    host[n] = '\0';
    /* a name other than localhost may resolve anywhere: only 127/8 */
    return strcmp(host, "localhost") == 0 ||
           (inet_pton(AF_INET, host, &a) == 1 &&
            (ntohl(a.s_addr) >> 24) == 127);
}

static const char *check_grant_str(enum pop3check_opt key, const char *s)
{
    switch (key) {
    case POP3CHECK_OPT_TOKEN_URL:
        return valid_token_url(s)
                   ? NULL
                   : "token_url: an https:// URL (http:// only to a loopback "
                     "address), printable ASCII without spaces";
    case POP3CHECK_OPT_CLIENT_ID:
        return valid_text(s, 255, 0) ? NULL
                                     : "client_id: 1-255 printable "
                                       "characters, no spaces";
    case POP3CHECK_OPT_CLIENT_SECRET:
        return valid_text(s, 1024, 1) ? NULL
                                      : "client_secret: 1-1024 printable "
                                        "characters";
    case POP3CHECK_OPT_TOKEN_SCOPE:
        return valid_text(s, 1000, 1) ? NULL
                                      : "token_scope: 1-1000 printable "
                                        "characters";
    case POP3CHECK_OPT_TOKEN_CACHE:
        return s[0] && strlen(s) <= 4000 ? NULL
                                         : "token_cache: give a file name";
    default:
        return NULL;
    }
}

/* Why value cannot be the string option key, or NULL. */
static const char *check_str(enum pop3check_opt key, const char *s)
{
    if (s == NULL)
        return NULL;
    if (key == POP3CHECK_OPT_TOKEN)
        return p3_token_ok(s) ? NULL
                              : "token: an OAuth 2.0 bearer token, 1-16384 "
                                "characters of A-Z a-z 0-9 - . _ ~ + / and "
                                "trailing '='";
    if (key == POP3CHECK_OPT_TOKEN_FILE)
        return s[0] ? NULL : "token_file: give a file name";
    if (key >= POP3CHECK_OPT_TOKEN_URL)
        return check_grant_str(key, s);
    if (key >= POP3CHECK_OPT_SMTP_HOST)
        return check_trip_str(key, s);
    switch (key) {
    case POP3CHECK_OPT_HOST:
        return valid_host(s) ? NULL
                             : "host: give a host name or an IP address "
                               "(letters, digits, '.', '-', ':' only)";
    case POP3CHECK_OPT_SNI:
        return valid_host(s) ? NULL : "sni: give a host name";
    case POP3CHECK_OPT_USER:
        return valid_cred(s) && !strchr(s, ' ')
                   ? NULL
                   : "user: 1-255 characters, no spaces or line breaks";
    case POP3CHECK_OPT_PASSWORD:
        return valid_cred(s) ? NULL
                             : "password: 1-255 characters, no line breaks";
    case POP3CHECK_OPT_CAFILE:
        return s[0] ? NULL : "cafile: give a file name";
    default:
        return NULL;
    }
}

static int flag(long v)
{
    return v == 0 || v == 1;
}

/* Why v cannot be the number option key, or NULL. 0 always unsets. */
static const char *check_long(enum pop3check_opt key, long v)
{
    switch (key) {
    case POP3CHECK_OPT_PORT:
        return v >= 0 && v <= 65535 ? NULL : "port: must be 1-65535";
    case POP3CHECK_OPT_IP_VERSION:
        return v == 0 || v == 4 || v == 6 ? NULL
                                          : "ip_version: must be 0, 4 or 6";
    case POP3CHECK_OPT_TLS:
        if (v == POP3CHECK_TLS_TRY)
            return "tls: 'try' is for the SMTP side of a round trip only; "
                   "the POP3 side takes none, stls or implicit";
        return pop3check_tls_name((enum pop3check_tls)v) ? NULL
                                                         : "tls: unknown mode";
    case POP3CHECK_OPT_AUTH:
        return pop3check_auth_name((enum pop3check_auth)v)
                   ? NULL
                   : "auth: unknown mechanism";
    case POP3CHECK_OPT_INSECURE:
    case POP3CHECK_OPT_LIST:
    case POP3CHECK_OPT_UIDL:
        return flag(v) ? NULL : "list, uidl, insecure: 0 or 1";
    case POP3CHECK_OPT_AGE:
        return v >= 0 && v <= 2 ? NULL : "age: 0, 1 or 2";
    case POP3CHECK_OPT_AGE_SCAN:
        return v >= 0 && v <= P3_AGE_SCAN_MAX
                   ? NULL
                   : "age_scan: 0 to 100000 messages";
    case POP3CHECK_OPT_TOP:
    case POP3CHECK_OPT_RETR:
        return v >= POP3CHECK_MSG_LAST && v <= 999999999
                   ? NULL
                   : "top/retr: a message number, first or last";
    case POP3CHECK_OPT_TIMEOUT_MS:
        return v >= 0 && v <= P3_TIMEOUT_MAX ? NULL
                                             : "timeout: at most one hour";
    case POP3CHECK_OPT_SMTP_PORT:
        return v >= 0 && v <= 65535 ? NULL : "smtp_port: must be 1-65535";
    case POP3CHECK_OPT_SMTP_TLS:
        return pop3check_tls_name((enum pop3check_tls)v)
                   ? NULL
                   : "smtp_tls: unknown mode";
    case POP3CHECK_OPT_POLL_MS:
        return v == 0 || (v >= 100 && v <= P3_TIMEOUT_MAX)
                   ? NULL
                   : "poll interval: 100 ms to one hour";
    default:
        return NULL;
    }
}

struct pop3check_options *pop3check_options_new(void)
{
    return p3_calloc(1, sizeof(struct pop3check_options));
}

struct pop3check_options *
pop3check_options_dup(const struct pop3check_options *o)
{
    struct pop3check_options *c = pop3check_options_new();

    if (c == NULL || o == NULL)
        return c;
    if (p3_opts_copy(&c->v, &o->v) != 0) {
        free(c);
        return NULL;
    }
    return c;
}

void pop3check_options_free(struct pop3check_options *o)
{
    if (o == NULL)
        return;
    p3_opts_clear(&o->v);
    free(o);
}

static int refuse(struct pop3check_options *o, const char *why)
{
    p3_format(o->error, sizeof o->error, "%s", why);
    return -1;
}

int pop3check_options_set_str(struct pop3check_options *o,
                              enum pop3check_opt key, const char *value)
{
    char **slot = str_slot(&o->v, key);
    const char *why;
    char *copy = NULL;

    if (slot == NULL)
        return refuse(o, long_slot(&o->v, key)
                             ? "option takes a number (set_long)"
                             : "unknown option");
    if ((why = check_str(key, value)) != NULL)
        return refuse(o, why);
    if (value != NULL && (copy = p3_strdup(value)) == NULL)
        return refuse(o, "out of memory");
    if ((key >= POP3CHECK_OPT_TOKEN_URL && key <= POP3CHECK_OPT_TOKEN_SCOPE) ||
        key == POP3CHECK_OPT_USER || key == POP3CHECK_OPT_PASSWORD) {
        /* other credentials: what was kept for the old ones is not theirs */
        struct p3_tokstore *fresh = p3_tokstore_new();
        if (fresh == NULL) {
            p3_free_secret(copy);
            return refuse(o, "out of memory");
        }
        p3_tokstore_unref(o->v.tokstore);
        o->v.tokstore = fresh;
    }
    p3_free_secret(*slot); /* every string is wiped: one rule, no slip */
    *slot = copy;
    o->error[0] = '\0';
    return 0;
}

int pop3check_options_set_long(struct pop3check_options *o,
                               enum pop3check_opt key, long value)
{
    long *slot = long_slot(&o->v, key);
    const char *why;

    if (slot == NULL)
        return refuse(o, str_slot(&o->v, key)
                             ? "option takes a string (set_str)"
                             : "unknown option");
    if ((why = check_long(key, value)) != NULL)
        return refuse(o, why);
    *slot = value;
    if (key == POP3CHECK_OPT_SMTP_TLS)
        o->v.smtp_tls_set = 1;
    o->error[0] = '\0';
    return 0;
}

void pop3check_options_set_trace(struct pop3check_options *o,
                                 pop3check_trace_fn *fn, void *ctx)
{
    o->v.trace = fn;
    o->v.trace_ctx = fn ? ctx : NULL;
}

void p3_options_set_tap(struct pop3check_options *o, p3_tap_fn *fn, void *ctx)
{
    o->v.tap = fn;
    o->v.tap_ctx = fn ? ctx : NULL;
}

const char *pop3check_options_get_str(const struct pop3check_options *o,
                                      enum pop3check_opt key)
{
    char **slot = str_slot((struct p3_opts *)&o->v, key);

    if (slot == NULL || secret_key(key))
        return NULL;
    return *slot;
}

int pop3check_options_get_long(const struct pop3check_options *o,
                               enum pop3check_opt key, long *value)
{
    long *slot = long_slot((struct p3_opts *)&o->v, key);

    if (slot == NULL)
        return -1;
    if (key == POP3CHECK_OPT_PORT)
        *value = p3_opts_port(&o->v);
    else if (key == POP3CHECK_OPT_TIMEOUT_MS)
        *value = p3_opts_timeout_ms(&o->v);
    else if (key == POP3CHECK_OPT_SMTP_PORT)
        *value = p3_opts_smtp_port(&o->v);
    else if (key == POP3CHECK_OPT_SMTP_TLS)
        *value = p3_opts_smtp_tls(&o->v);
    else if (key == POP3CHECK_OPT_POLL_MS)
        *value = p3_opts_poll_ms(&o->v);
    else if (key == POP3CHECK_OPT_AGE_SCAN)
        *value = o->v.age_scan ? o->v.age_scan : P3_AGE_SCAN;
    else
        *value = *slot;
    return 0;
}

const char *pop3check_options_error(const struct pop3check_options *o)
{
    return o->error;
}

/* ---- for the rest of the library ---- */

long p3_opts_port(const struct p3_opts *o)
{
    if (o->port)
        return o->port;
    return o->tls == POP3CHECK_TLS_IMPLICIT ? P3_PORT_IMPLICIT : P3_PORT_PLAIN;
}

long p3_opts_timeout_ms(const struct p3_opts *o)
{
    return o->timeout_ms ? o->timeout_ms : P3_TIMEOUT_MS;
}

long p3_opts_smtp_tls(const struct p3_opts *o)
{
    return o->smtp_tls_set ? o->smtp_tls : POP3CHECK_TLS_STLS;
}

long p3_opts_smtp_port(const struct p3_opts *o)
{
    if (o->smtp_port)
        return o->smtp_port;
    return p3_opts_smtp_tls(o) == POP3CHECK_TLS_IMPLICIT ? P3_SMTPS_PORT
                                                         : P3_SMTP_PORT;
}

int p3_opts_has_token(const struct p3_opts *o)
{
    return o->token != NULL || o->token_file != NULL || o->token_url != NULL;
}

long p3_opts_poll_ms(const struct p3_opts *o)
{
    return o->poll_ms ? o->poll_ms : P3_POLL_MS;
}

void p3_opts_check_name(const struct p3_opts *o, char *buf, size_t len)
{
    static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                             "vwxyz0123456789._-@/+:=";

    if (o->check_name != NULL) {
        p3_format(buf, len, "%s", o->check_name);
        return;
    }
    p3_format(buf, len, "%.*s@%s", 40, o->user ? o->user : "", o->host);
    if (strlen(buf) > P3_PROBEID_CHECK_MAX)
        buf[P3_PROBEID_CHECK_MAX] = '\0';
    for (char *c = buf; *c; c++)
        if (!strchr(ok, *c))
            *c = '_';
}

/* Every string of the options, for clear and copy. */
#define P3_OPT_STRINGS(o)                                                      \
    &(o)->host, &(o)->cafile, &(o)->sni, &(o)->user, &(o)->password,           \
        &(o)->smtp_host, &(o)->smtp_user, &(o)->smtp_password,                 \
        &(o)->smtp_auth, &(o)->mail_from, &(o)->rcpt_to, &(o)->subject,        \
        &(o)->check_name, &(o)->probe_key, &(o)->token, &(o)->token_file,      \
        &(o)->token_url, &(o)->client_id, &(o)->client_secret,                 \
        &(o)->token_scope, &(o)->token_cache

void p3_opts_clear(struct p3_opts *o)
{
    char **strs[] = {P3_OPT_STRINGS(o)};

    for (size_t i = 0; i < P3_COUNT(strs); i++)
        p3_free_secret(*strs[i]);
    p3_tokstore_unref(o->tokstore);
    explicit_bzero(o, sizeof *o);
}

static int dup_str(char **dst, const char *src)
{
    *dst = NULL;
    if (src == NULL)
        return 0;
    *dst = p3_strdup(src);
    return *dst ? 0 : -1;
}

int p3_opts_copy(struct p3_opts *dst, const struct p3_opts *src)
{
    char **to[] = {P3_OPT_STRINGS(dst)};
    char *const *from[] = {P3_OPT_STRINGS(src)};
    int failed = 0;

    *dst = *src;
    p3_tokstore_ref(dst->tokstore); /* shared: one token for all copies */
    for (size_t i = 0; i < P3_COUNT(to); i++)
        *to[i] = NULL;
    for (size_t i = 0; i < P3_COUNT(to) && !failed; i++)
        failed = dup_str(to[i], *from[i]);
    if (failed) {
        p3_opts_clear(dst);
        return -1;
    }
    return 0;
}

/* A round trip: what the SMTP side and the mailbox need. */
static const char *p3_opts_check_trip(const struct p3_opts *o)
{
    if (o->user == NULL)
        return "user: a round trip reads the mailbox, give its user and "
               "password";
    if (o->mail_from == NULL || o->rcpt_to == NULL)
        return "mail_from, rcpt_to: a round trip needs both the sender and "
               "the recipient (the mailbox at the POP3 host)";
    if (o->smtp_user != NULL && p3_smtp_auth_bearer(o->smtp_auth) &&
        !p3_opts_has_token(o))
        return "smtp_auth: XOAUTH2 and OAUTHBEARER send the mailbox's OAuth "
               "2.0 token: give token, token_file or token_url";
    if (o->smtp_user != NULL && o->smtp_password == NULL &&
        !p3_smtp_auth_bearer(o->smtp_auth))
        return "smtp_password: needed with smtp_user";
    if (o->password == NULL && o->probe_key == NULL)
        return "probe_key: a round trip that logs in with a token has no "
               "password to derive its key from; give one (16-256 bytes)";
    if (o->top != POP3CHECK_MSG_NONE || o->retr != POP3CHECK_MSG_NONE)
        return "top, retr: a round trip reads only the headers of new "
               "messages (TOP n 0) and never fetches one; leave them unset";
    return NULL;
}

const char *p3_opts_check(const struct p3_opts *o)
{
    struct in_addr a4;
    struct in6_addr a6;

    if (o->host == NULL)
        return "host: give a host name or an IP address";
    if (o->ip_version == 6 && inet_pton(AF_INET, o->host, &a4) == 1)
        return "host: an IPv4 address cannot be reached over IPv6 (-6)";
    if (o->ip_version == 4 && inet_pton(AF_INET6, o->host, &a6) == 1)
        return "host: an IPv6 address cannot be reached over IPv4 (-4)";
    if ((o->token != NULL) + (o->token_file != NULL) + (o->token_url != NULL) >
        1)
        return "token, token_file, token_url: give one of them";
    if (o->token_url != NULL &&
        (o->client_id == NULL || o->client_secret == NULL))
        return "client_id, client_secret: a token_url's grant needs both";
    if (o->token_url == NULL &&
        (o->client_id != NULL || o->client_secret != NULL ||
         o->token_scope != NULL || o->token_cache != NULL))
        return "client_id, client_secret, token_scope, token_cache: only "
               "with token_url";
    if (o->user != NULL && p3_auth_bearer(o->auth) && !p3_opts_has_token(o))
        return "token: xoauth2 and oauthbearer log in with an OAuth 2.0 "
               "bearer token; give token, token_file or token_url";
    if (o->user != NULL && o->password == NULL && !p3_auth_bearer(o->auth) &&
        (o->auth != POP3CHECK_AUTH_ANY || !p3_opts_has_token(o)))
        return p3_opts_has_token(o)
                   ? "password: needed with a password mechanism (with a "
                     "token, use auth xoauth2, oauthbearer or any)"
                   : "password: needed with a user name, 1-255 characters, "
                     "no line breaks";
    return o->smtp_host ? p3_opts_check_trip(o) : NULL;
}
