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
    default:
        return NULL;
    }
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

/* Why value cannot be the string option key, or NULL. */
static const char *check_str(enum pop3check_opt key, const char *s)
{
    if (s == NULL)
        return NULL;
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
    case POP3CHECK_OPT_TOP:
    case POP3CHECK_OPT_RETR:
        return v >= POP3CHECK_MSG_LAST && v <= 999999999
                   ? NULL
                   : "top/retr: a message number, first or last";
    case POP3CHECK_OPT_TIMEOUT_MS:
        return v >= 0 && v <= P3_TIMEOUT_MAX ? NULL
                                             : "timeout: at most one hour";
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

    if (slot == NULL || key == POP3CHECK_OPT_PASSWORD)
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

void p3_opts_clear(struct p3_opts *o)
{
    p3_free_secret(o->host);
    p3_free_secret(o->cafile);
    p3_free_secret(o->sni);
    p3_free_secret(o->user);
    p3_free_secret(o->password);
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
    *dst = *src;
    dst->host = dst->cafile = dst->sni = dst->user = dst->password = NULL;
    if (dup_str(&dst->host, src->host) || dup_str(&dst->cafile, src->cafile) ||
        dup_str(&dst->sni, src->sni) || dup_str(&dst->user, src->user) ||
        dup_str(&dst->password, src->password)) {
        p3_opts_clear(dst);
        return -1;
    }
    return 0;
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
    if (o->user != NULL && o->password == NULL)
        return "password: needed with a user name, 1-255 characters, no "
               "line breaks";
    return NULL;
}
