/* SPDX-License-Identifier: MIT */
/* grant.h - an OAuth 2.0 client-credentials grant (RFC 6749 section 4.4)
 * at a token endpoint, over libcurl on the probe's loop (grant.c): the
 * token a probe then logs in with (bearer.h). What the endpoint answers
 * is read with jansson; the token and the client secret never reach a
 * transcript or an error text. */
#ifndef POP3CHECK_GRANT_H
#define POP3CHECK_GRANT_H

#include <time.h>

#include <curl/curl.h>

#include "curlm.h"
#include "internal.h"

#define P3_GRANT_ANSWER_MAX 65536 /* bytes of the endpoint's answer read */

/* What an answer was: a token, a refusal by the endpoint (RFC 6749
 * section 5.2, or any 4xx), or not an answer of the protocol. */
enum p3_grant_rc { P3_GRANT_OK, P3_GRANT_REFUSED, P3_GRANT_BAD };

/* Reads the answer of HTTP status status (body, len bytes). OK: *token is
 * the access token (malloc'd; free with p3_free_secret) and *expires_in
 * its lifetime in seconds, or -1 when the answer gave none. Else why
 * says what the endpoint said, as one printable line. */
enum p3_grant_rc p3_grant_parse(long status, const char *body, size_t len,
                                char **token, long *expires_in, char *why,
                                size_t whylen);

/* Until when (wall clock) a token granted at now with lifetime expires_in
 * is used: shortly before it expires (a tenth of its lifetime, at most a
 * minute, before). -1: not kept (no lifetime given). */
time_t p3_grant_until(time_t now, long expires_in);

/* The cache file of a short-lived process (check_pop3): the token of the
 * same endpoint, client and scope while it is valid. Read: 0 with
 * *token (malloc'd) and *until, 1 when there is none to use (missing,
 * another grant's, expired, unreadable as JSON), -1 when the file breaks
 * the secret-file rule (why says so). Write: 0, or -1 with why. */
int p3_grant_cache_read(const struct p3_opts *o, time_t now, char **token,
                        time_t *until, char *why, size_t whylen);
int p3_grant_cache_write(const struct p3_opts *o, const char *token,
                         time_t until, char *why, size_t whylen);
/* Removes the cache file (a token the server refused). */
void p3_grant_cache_drop(const struct p3_opts *o);

/* A grant in flight. */
struct p3_grant {
    CURL *easy;
    CURLSH *pool; /* easy's own connection pool (curlm.c) */
    struct p3_curlm *cm;
    struct p3_curl_owner owner;
    int in_multi;
    int done, broken, code, too_long;
    char *body;
    size_t len, cap;
    char *form;          /* grant_type=client_credentials&scope=..., wiped */
    char *user, *secret; /* form-urlencoded client id and secret, wiped */
    char errbuf[CURL_ERROR_SIZE];
    void (*wake)(void *ctx);
    void *wake_ctx;
};

/* Starts the grant that o says (token_url, client_id, client_secret,
 * token_scope) on cm, for at most timeout_ms; wake(ctx) is called (from
 * inside libcurl: only take note) when it is over. 0, or -1 (out of
 * memory, libcurl refused an option). */
int p3_grant_start(struct p3_grant *g, const struct p3_opts *o,
                   struct p3_curlm *cm, long timeout_ms,
                   void (*wake)(void *ctx), void *ctx);
/* Once wake was called: 0 with *token and *expires_in as p3_grant_parse
 * says, or -1 with the failure in r (phase TOKEN). */
int p3_grant_finish(struct p3_grant *g, const struct p3_opts *o,
                    struct pop3check_result *r, char **token, long *expires_in);
/* Stops and frees what the grant holds, wiped; g may be zeroed. */
void p3_grant_end(struct p3_grant *g);

#endif
