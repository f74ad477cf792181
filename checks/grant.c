/* SPDX-License-Identifier: MIT */
/* grant.c - the OAuth 2.0 client-credentials grant (RFC 6749 sections
 * 4.4, 2.3.1, 5.1, 5.2): POST grant_type=client_credentials (and the
 * scope) with the client's id and secret in HTTP Basic, read the JSON
 * answer; and the cache file a short-lived process keeps the token in. */
#define _DEFAULT_SOURCE /* explicit_bzero, mkstemp */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "grant.h"

/* ---- the answer ---- */

/* 'name "value"' of a string member, printable and bounded, or "". */
static void member(json_t *obj, const char *name, char *out, size_t outlen)
{
    const char *v = json_string_value(json_object_get(obj, name));
    char clean[160];

    out[0] = '\0';
    if (v == NULL)
        return;
    p3_sanitise(clean, sizeof clean, v, strlen(v), NULL);
    p3_format(out, outlen, "%s \"%s\"", name, clean);
}

/* What a refusal (or an error of another status) says. */
static enum p3_grant_rc refused(long status, json_t *root, char *why,
                                size_t whylen)
{
    char err[200], desc[200];

    member(root, "error", err, sizeof err);
    member(root, "error_description", desc, sizeof desc);
    p3_format(why, whylen, "token endpoint: HTTP %ld%s%s%s%s", status,
              err[0] ? ", " : "", err, desc[0] ? ", " : "", desc);
    return status >= 400 && status < 500 ? P3_GRANT_REFUSED : P3_GRANT_BAD;
}

/* expires_in: a number of seconds (some endpoints send it as a string). */
static long lifetime(json_t *v)
{
    const char *s = json_string_value(v);
    char *end;
    long n;

    if (json_is_integer(v))
        return json_integer_value(v) > 0 && json_integer_value(v) < 1L << 30
                   ? (long)json_integer_value(v)
                   : 0;
    if (s == NULL)
        return v == NULL ? -1 : 0;
    n = strtol(s, &end, 10);
    return *s != '\0' && *end == '\0' && n > 0 && n < 1L << 30 ? n : 0;
}

static void not_bearer(const char *type, char *why, size_t whylen)
{
    char clean[41];

    p3_sanitise(clean, sizeof clean, type, strlen(type), NULL);
    p3_format(why, whylen, "token endpoint: a token of type \"%s\", not Bearer",
              clean);
}

enum p3_grant_rc p3_grant_parse(long status, const char *body, size_t len,
                                char **token, long *expires_in, char *why,
                                size_t whylen)
{
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    const char *t, *type;
    enum p3_grant_rc rc = P3_GRANT_BAD;
    long life;

    *token = NULL;
    *expires_in = -1;
    why[0] = '\0';
    if (!json_is_object(root)) {
        p3_format(why, whylen,
                  "token endpoint: HTTP %ld, an answer that is not a JSON "
                  "object",
                  status);
        json_decref(root);
        return P3_GRANT_BAD;
    }
    if (status != 200) {
        rc = refused(status, root, why, whylen);
        json_decref(root);
        return rc;
    }
    t = json_string_value(json_object_get(root, "access_token"));
    type = json_string_value(json_object_get(root, "token_type"));
    life = lifetime(json_object_get(root, "expires_in"));
    if (t == NULL || !p3_token_ok(t))
        p3_format(why, whylen,
                  "token endpoint: HTTP 200 without an access_token that "
                  "is a bearer token (RFC 6750)");
    else if (type != NULL && strcasecmp(type, "bearer") != 0)
        not_bearer(type, why, whylen);
    else if (life == 0)
        p3_format(why, whylen,
                  "token endpoint: expires_in is not a number of seconds");
    else if ((*token = p3_strdup(t)) == NULL)
        p3_format(why, whylen, "out of memory");
    else {
        *expires_in = life;
        rc = P3_GRANT_OK;
    }
    json_decref(root); /* jansson frees the token's copy unwiped: its own */
    return rc;
}

time_t p3_grant_until(time_t now, long expires_in)
{
    long margin;

    if (expires_in < 0)
        return -1;
    margin = expires_in / 10 < 60 ? expires_in / 10 : 60;
    return now + expires_in - margin;
}

/* ---- the cache file ---- */

static int same(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

int p3_grant_cache_read(const struct p3_opts *o, time_t now, char **token,
                        time_t *until, char *why, size_t whylen)
{
    struct stat st;
    size_t len;
    char *buf;
    json_t *root;
    const char *t;
    json_int_t u;
    int rc = 1;

    *token = NULL;
    if (o->token_cache == NULL ||
        (stat(o->token_cache, &st) != 0 && errno == ENOENT))
        return 1;
    buf = pop3check_secret_read(o->token_cache, POP3CHECK_SECRET_WHOLE,
                                P3_TOKEN_MAX + 4096, &len, why, whylen);
    if (buf == NULL)
        return -1;
    root = json_loadb(buf, len, 0, NULL);
    t = json_string_value(json_object_get(root, "access_token"));
    u = json_integer_value(json_object_get(root, "valid_until"));
    if (t != NULL && p3_token_ok(t) && u > now &&
        same(json_string_value(json_object_get(root, "token_url")),
             o->token_url) &&
        same(json_string_value(json_object_get(root, "client_id")),
             o->client_id) &&
        same(json_string_value(json_object_get(root, "scope")),
             o->token_scope ? o->token_scope : "") &&
        (*token = p3_strdup(t)) != NULL) {
        *until = (time_t)u;
        rc = 0;
    }
    json_decref(root);
    pop3check_secret_free(buf);
    return rc;
}

int p3_grant_cache_write(const struct p3_opts *o, const char *token,
                         time_t until, char *why, size_t whylen)
{
    json_t *root =
        json_pack("{s:i, s:s, s:s, s:s, s:s, s:I}", "version", 1, "token_url",
                  o->token_url, "client_id", o->client_id, "scope",
                  o->token_scope ? o->token_scope : "", "access_token", token,
                  "valid_until", (json_int_t)until);
    char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;
    char tmp[4200];
    int fd = -1, rc = -1;
    size_t n = text ? strlen(text) : 0;

    json_decref(root);
    p3_format(tmp, sizeof tmp, "%s.XXXXXX", o->token_cache);
    if (text == NULL) {
        p3_format(why, whylen, "out of memory");
    } else if ((fd = mkstemp(tmp)) < 0) { /* 0600: the token is a secret */
        p3_format(why, whylen, "cannot create a file beside it: %s",
                  strerror(errno));
    } else if (write(fd, text, n) != (ssize_t)n || fsync(fd) != 0) {
        p3_format(why, whylen, "cannot write it: %s", strerror(errno));
    } else {
        int closed = close(fd);
        fd = -1;
        if (closed != 0 || rename(tmp, o->token_cache) != 0)
            p3_format(why, whylen, "cannot put it in place: %s",
                      strerror(errno));
        else
            rc = 0;
    }
    if (fd >= 0)
        close(fd);
    if (rc != 0 && text != NULL)
        unlink(tmp);
    if (text != NULL) {
        explicit_bzero(text, strlen(text));
        free(text);
    }
    return rc;
}

void p3_grant_cache_drop(const struct p3_opts *o)
{
    if (o->token_cache != NULL)
        unlink(o->token_cache);
}

/* ---- the transfer ---- */

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    struct p3_grant *g = ctx;
    size_t len = size * n;

    if (len > P3_GRANT_ANSWER_MAX - g->len) {
        g->too_long = 1;
        return 0; /* libcurl stops: CURLE_WRITE_ERROR */
    }
    if (g->len + len > g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 4096;
        char *bigger;
        while (cap < g->len + len)
            cap *= 2;
        if ((bigger = p3_malloc(cap)) == NULL)
            return 0;
        if (g->body != NULL) {
            memcpy(bigger, g->body, g->len);
            explicit_bzero(g->body, g->len); /* it holds the token */
            free(g->body);
        }
        g->body = bigger;
        g->cap = cap;
    }
    memcpy(g->body + g->len, data, len);
    g->len += len;
    return len;
}

static void on_curl(void *ctx, enum p3_curl_event ev, int code)
{
    struct p3_grant *g = ctx;

    if (g->done)
        return;
    g->done = 1;
    g->broken = ev == P3_CURL_BROKEN;
    g->code = code;
    g->wake(g->wake_ctx);
}

#define SET(opt, val)                                                          \
    do {                                                                       \
        if (curl_easy_setopt(g->easy, opt, val) != CURLE_OK)                   \
            return -1;                                                         \
    } while (0)

static int setup(struct p3_grant *g, const struct p3_opts *o, long timeout_ms)
{
    char *scope = NULL;
    size_t n;

    g->user = curl_easy_escape(g->easy, o->client_id, 0);
    g->secret = curl_easy_escape(g->easy, o->client_secret, 0);
    if (o->token_scope != NULL &&
        (scope = curl_easy_escape(g->easy, o->token_scope, 0)) == NULL)
        return -1;
    n = 64 + (scope ? strlen(scope) : 0);
    if (g->user == NULL || g->secret == NULL ||
        (g->form = p3_malloc(n)) == NULL) {
        curl_free(scope);
        return -1;
    }
    p3_format(g->form, n, "grant_type=client_credentials%s%s",
              scope ? "&scope=" : "", scope ? scope : "");
    curl_free(scope);
    if (p3_curlm_prepare(g->cm, g->easy, &g->pool) != 0)
        return -1;
    SET(CURLOPT_URL, o->token_url);
    SET(CURLOPT_PROTOCOLS_STR, "https,http"); /* http: loopback only */
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
    SET(CURLOPT_PROXY, ""); /* as every probe: no proxy from the
                               environment */
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_QUICK_EXIT, 1L);
    SET(CURLOPT_TIMEOUT_MS, timeout_ms);
    SET(CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    SET(CURLOPT_ERRORBUFFER, g->errbuf);
    SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    SET(CURLOPT_USERNAME, g->user);
    SET(CURLOPT_PASSWORD, g->secret);
    SET(CURLOPT_POSTFIELDS, g->form);
    SET(CURLOPT_USERAGENT, "pop3check/" POP3CHECK_VERSION);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, g);
    if (o->cafile != NULL)
        SET(CURLOPT_CAINFO, o->cafile);
    return 0;
}

int p3_grant_start(struct p3_grant *g, const struct p3_opts *o,
                   struct p3_curlm *cm, long timeout_ms,
                   void (*wake)(void *ctx), void *ctx)
{
    memset(g, 0, sizeof *g);
    g->cm = cm;
    g->wake = wake;
    g->wake_ctx = ctx;
    g->owner = (struct p3_curl_owner){on_curl, g};
    if ((g->easy = curl_easy_init()) == NULL || setup(g, o, timeout_ms) != 0 ||
        p3_curlm_add(cm, g->easy, &g->owner) != 0) {
        p3_grant_end(g);
        return -1;
    }
    g->in_multi = 1;
    return 0;
}

static const struct {
    CURLcode code;
    enum pop3check_error kind;
} curl_map[] = {
    {CURLE_COULDNT_RESOLVE_HOST, POP3CHECK_E_RESOLVE},
    {CURLE_COULDNT_CONNECT, POP3CHECK_E_CONNECT},
    {CURLE_OPERATION_TIMEDOUT, POP3CHECK_E_TIMEOUT},
    {CURLE_SSL_CONNECT_ERROR, POP3CHECK_E_TLS},
    {CURLE_PEER_FAILED_VERIFICATION, POP3CHECK_E_CERTIFICATE},
    {CURLE_SSL_CACERT_BADFILE, POP3CHECK_E_CERTIFICATE},
    {CURLE_RECV_ERROR, POP3CHECK_E_PROTOCOL},
    {CURLE_SEND_ERROR, POP3CHECK_E_PROTOCOL},
    {CURLE_GOT_NOTHING, POP3CHECK_E_PROTOCOL},
    {CURLE_WEIRD_SERVER_REPLY, POP3CHECK_E_PROTOCOL},
    {CURLE_UNSUPPORTED_PROTOCOL, POP3CHECK_E_PROTOCOL},
};

static void fail(struct pop3check_result *r, enum pop3check_error e,
                 const char *text)
{
    r->error = e;
    r->failed_phase = POP3CHECK_PHASE_TOKEN;
    p3_sanitise(r->error_text, sizeof r->error_text, text, strlen(text), NULL);
}

int p3_grant_finish(struct p3_grant *g, const struct p3_opts *o,
                    struct pop3check_result *r, char **token, long *expires_in)
{
    char why[512];
    long status = 0;
    enum pop3check_error e = POP3CHECK_E_INTERNAL;

    (void)o;
    *token = NULL;
    if (g->broken) {
        fail(r, POP3CHECK_E_INTERNAL,
             "token endpoint: cannot watch the socket (out of memory?)");
        return -1;
    }
    if (g->code != CURLE_OK) {
        for (size_t i = 0; i < P3_COUNT(curl_map); i++)
            if (curl_map[i].code == (CURLcode)g->code)
                e = curl_map[i].kind;
        if (g->too_long)
            e = POP3CHECK_E_PROTOCOL;
        p3_format(why, sizeof why, "token endpoint: %s",
                  g->too_long    ? "an answer longer than 64 KiB"
                  : g->errbuf[0] ? g->errbuf
                                 : curl_easy_strerror((CURLcode)g->code));
        fail(r, e, why);
        return -1;
    }
    curl_easy_getinfo(g->easy, CURLINFO_RESPONSE_CODE, &status);
    switch (p3_grant_parse(status, g->body ? g->body : "", g->len, token,
                           expires_in, why, sizeof why)) {
    case P3_GRANT_OK:
        return 0;
    case P3_GRANT_REFUSED:
        fail(r, POP3CHECK_E_AUTH, why);
        return -1;
    default:
        fail(r, POP3CHECK_E_PROTOCOL, why);
        return -1;
    }
}

static void wipe(char *s)
{
    if (s != NULL)
        explicit_bzero(s, strlen(s));
}

void p3_grant_end(struct p3_grant *g)
{
    if (g->in_multi)
        p3_curlm_remove(g->cm, g->easy);
    g->in_multi = 0;
    if (g->easy != NULL)
        curl_easy_cleanup(g->easy);
    g->easy = NULL;
    p3_curlm_release(g->pool);
    g->pool = NULL;
    if (g->body != NULL) {
        explicit_bzero(g->body, g->cap);
        free(g->body);
    }
    wipe(g->user);
    wipe(g->secret);
    curl_free(g->user);
    curl_free(g->secret);
    if (g->form != NULL) {
        explicit_bzero(g->form, strlen(g->form));
        free(g->form);
    }
    memset(g, 0, sizeof *g);
}
