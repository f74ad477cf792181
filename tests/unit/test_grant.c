/* SPDX-License-Identifier: MIT */
/* test_grant.c - the OAuth 2.0 client-credentials grant's pure parts: the
 * token endpoint's answers of RFC 6749 sections 5.1 and 5.2 (and what
 * endpoints send instead), how long a token is kept, the cache file
 * (its rule, its match on endpoint, client and scope), the shared store. */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grant.h"
#include "tokstore.h"

static enum p3_grant_rc parse(long status, const char *body, char **token,
                              long *life, char *why, size_t whylen)
{
    return p3_grant_parse(status, body, strlen(body), token, life, why, whylen);
}

/* RFC 6749 section 5.1's example (token_type "example" aside). */
static void test_grant_success(void **state)
{
    char *t;
    long life;
    char why[300];

    (void)state;
    assert_int_equal(parse(200,
                           "{\"access_token\":\"2YotnFZFEjr1zCsicMWpAA\","
                           "\"token_type\":\"Bearer\",\"expires_in\":3600,"
                           "\"scope\":\"pop3\"}",
                           &t, &life, why, sizeof why),
                     P3_GRANT_OK);
    assert_string_equal(t, "2YotnFZFEjr1zCsicMWpAA");
    assert_int_equal(life, 3600);
    p3_free_secret(t);
    /* no expires_in; "bearer" in any case; a lifetime as a string */
    assert_int_equal(
        parse(200, "{\"access_token\":\"abc\",\"token_type\":\"bearer\"}", &t,
              &life, why, sizeof why),
        P3_GRANT_OK);
    assert_int_equal(life, -1);
    p3_free_secret(t);
    assert_int_equal(parse(200,
                           "{\"access_token\":\"abc\",\"expires_in\":\"599\"}",
                           &t, &life, why, sizeof why),
                     P3_GRANT_OK);
    assert_int_equal(life, 599);
    p3_free_secret(t);
}

static void test_grant_refusals(void **state)
{
    char *t = (char *)"x";
    long life;
    char why[300];

    (void)state;
    /* RFC 6749 section 5.2 */
    assert_int_equal(
        parse(401,
              "{\"error\":\"invalid_client\",\"error_description\":"
              "\"Client authentication failed\"}",
              &t, &life, why, sizeof why),
        P3_GRANT_REFUSED);
    assert_null(t);
    assert_string_equal(why,
                        "token endpoint: HTTP 401, error \"invalid_client\", "
                        "error_description \"Client authentication "
                        "failed\"");
    assert_int_equal(
        parse(400, "{\"error\":\"invalid_scope\"}", &t, &life, why, sizeof why),
        P3_GRANT_REFUSED);
    assert_string_equal(why,
                        "token endpoint: HTTP 400, error \"invalid_scope\"");
    /* a server error is not a refusal of the client */
    assert_int_equal(parse(503, "{}", &t, &life, why, sizeof why),
                     P3_GRANT_BAD);
    assert_string_equal(why, "token endpoint: HTTP 503");
    /* what is not the protocol */
    assert_int_equal(parse(200, "<html>", &t, &life, why, sizeof why),
                     P3_GRANT_BAD);
    assert_string_equal(why,
                        "token endpoint: HTTP 200, an answer that is not a "
                        "JSON object");
    assert_int_equal(
        parse(200, "{\"token_type\":\"Bearer\"}", &t, &life, why, sizeof why),
        P3_GRANT_BAD);
    assert_non_null(strstr(why, "without an access_token"));
    /* a token that would break the AUTH line */
    assert_int_equal(parse(200, "{\"access_token\":\"a b\\r\\nQUIT\"}", &t,
                           &life, why, sizeof why),
                     P3_GRANT_BAD);
    assert_int_equal(parse(200,
                           "{\"access_token\":\"abc\",\"token_type\":\"mac\"}",
                           &t, &life, why, sizeof why),
                     P3_GRANT_BAD);
    assert_string_equal(why,
                        "token endpoint: a token of type \"mac\", not Bearer");
    assert_int_equal(parse(200, "{\"access_token\":\"abc\",\"expires_in\":-5}",
                           &t, &life, why, sizeof why),
                     P3_GRANT_BAD);
    assert_int_equal(parse(200,
                           "{\"access_token\":\"abc\",\"expires_in\":\"1h\"}",
                           &t, &life, why, sizeof why),
                     P3_GRANT_BAD);
    /* what a hostile endpoint says stays one printable line */
    assert_int_equal(
        parse(401, "{\"error\":\"a\\u0007\\nb\"}", &t, &life, why, sizeof why),
        P3_GRANT_REFUSED);
    assert_string_equal(why, "token endpoint: HTTP 401, error \"a??b\"");
}

static void test_grant_until(void **state)
{
    (void)state;
    assert_int_equal(p3_grant_until(1000, 3600), 1000 + 3600 - 60);
    assert_int_equal(p3_grant_until(1000, 300), 1000 + 300 - 30);
    assert_int_equal(p3_grant_until(1000, 5), 1000 + 5);
    assert_int_equal(p3_grant_until(1000, -1), -1);
}

static void opts(struct p3_opts *o, char *cache)
{
    memset(o, 0, sizeof *o);
    o->token_url = (char *)"https://login.example.com/token";
    o->client_id = (char *)"app";
    o->token_scope = (char *)"pop3";
    o->token_cache = cache;
}

static void test_grant_cache_file(void **state)
{
    char dir[] = "/tmp/test_grant.XXXXXX", path[100], why[300];
    struct p3_opts o;
    struct stat st;
    char *t;
    time_t until;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/cache", dir);
    opts(&o, path);
    /* none yet */
    assert_int_equal(p3_grant_cache_read(&o, 100, &t, &until, why, sizeof why),
                     1);
    assert_int_equal(p3_grant_cache_write(&o, "tok.en", 500, why, sizeof why),
                     0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(p3_grant_cache_read(&o, 100, &t, &until, why, sizeof why),
                     0);
    assert_string_equal(t, "tok.en");
    assert_int_equal(until, 500);
    p3_free_secret(t);
    /* expired, or another grant's: not used */
    assert_int_equal(p3_grant_cache_read(&o, 500, &t, &until, why, sizeof why),
                     1);
    o.token_scope = (char *)"other";
    assert_int_equal(p3_grant_cache_read(&o, 100, &t, &until, why, sizeof why),
                     1);
    opts(&o, path);
    o.client_id = (char *)"another";
    assert_int_equal(p3_grant_cache_read(&o, 100, &t, &until, why, sizeof why),
                     1);
    opts(&o, path);
    /* open to others: refused, with the chmod */
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(p3_grant_cache_read(&o, 100, &t, &until, why, sizeof why),
                     -1);
    assert_non_null(strstr(why, "is open to other users (mode 0644)"));
    /* dropped */
    p3_grant_cache_drop(&o);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(rmdir(dir), 0);
}

/* One store for all copies: a token put by one is got by the others. */
static void test_tokstore(void **state)
{
    struct p3_tokstore *a = p3_tokstore_new(), *b;
    time_t until = 0;
    char *t;

    (void)state;
    assert_non_null(a);
    b = p3_tokstore_ref(a);
    assert_null(p3_tokstore_get(b, 10, &until));
    p3_tokstore_put(a, "abc", 100);
    t = p3_tokstore_get(b, 10, &until);
    assert_string_equal(t, "abc");
    assert_int_equal(until, 100);
    p3_free_secret(t);
    assert_null(p3_tokstore_get(b, 100, &until)); /* no longer valid */
    p3_tokstore_drop(b);
    assert_null(p3_tokstore_get(a, 10, &until));
    p3_tokstore_unref(a);
    p3_tokstore_put(b, "def", 100);
    p3_tokstore_unref(b);
    /* options share it when copied, and get a new one for a new grant */
    {
        struct pop3check_options *o = pop3check_options_new();
        struct p3_opts copy;
        assert_int_equal(pop3check_options_set_str(o, POP3CHECK_OPT_TOKEN_URL,
                                                   "https://x.example/t"),
                         0);
        assert_int_equal(p3_opts_copy(&copy, &o->v), 0);
        assert_ptr_equal(copy.tokstore, o->v.tokstore);
        p3_tokstore_put(copy.tokstore, "shared", 100);
        t = p3_tokstore_get(o->v.tokstore, 10, &until);
        assert_string_equal(t, "shared");
        p3_free_secret(t);
        assert_int_equal(
            pop3check_options_set_str(o, POP3CHECK_OPT_CLIENT_ID, "other"), 0);
        assert_ptr_not_equal(copy.tokstore, o->v.tokstore);
        assert_null(p3_tokstore_get(o->v.tokstore, 10, &until));
        p3_opts_clear(&copy);
        pop3check_options_free(o);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grant_success),
        cmocka_unit_test(test_grant_refusals),
        cmocka_unit_test(test_grant_until),
        cmocka_unit_test(test_grant_cache_file),
        cmocka_unit_test(test_tokstore),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
