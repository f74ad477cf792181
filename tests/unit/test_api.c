/* SPDX-License-Identifier: MIT */
/* test_api.c - the keyed public API as a front end uses it: options
 * (types, ranges, defaults, copies, the password never read back),
 * pop3check_probe_new's checks of the whole, results (new, copy,
 * set_error, getters on unknown keys), thresholds (set/get, refusals),
 * the version. internal.h and probe.h only to look behind the handles. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"
#include "probe.h"

#define WARN POP3CHECK_STATE_WARNING
#define CRIT POP3CHECK_STATE_CRITICAL

static const enum pop3check_opt str_keys[] = {
    POP3CHECK_OPT_HOST, POP3CHECK_OPT_CAFILE, POP3CHECK_OPT_SNI,
    POP3CHECK_OPT_USER, POP3CHECK_OPT_PASSWORD};
static const enum pop3check_opt long_keys[] = {
    POP3CHECK_OPT_PORT,      POP3CHECK_OPT_IP_VERSION, POP3CHECK_OPT_TLS,
    POP3CHECK_OPT_INSECURE,  POP3CHECK_OPT_AUTH,       POP3CHECK_OPT_LIST,
    POP3CHECK_OPT_UIDL,      POP3CHECK_OPT_TOP,        POP3CHECK_OPT_RETR,
    POP3CHECK_OPT_TIMEOUT_MS};

static int setup_options(void **state)
{
    struct pop3check_options *o = pop3check_options_new();

    *state = o;
    return o ? 0 : -1;
}

static int teardown_options(void **state)
{
    pop3check_options_free(*state);
    return 0;
}

static long get_long(const struct pop3check_options *o, enum pop3check_opt k)
{
    long v = -12345;

    if (pop3check_options_get_long(o, k, &v) != 0)
        fail_msg("get_long(%d) refused", (int)k);
    return v;
}

/* ---- options: defaults ---- */

static void test_options_new_is_unset(void **state)
{
    struct pop3check_options *o = *state;

    for (size_t i = 0; i < sizeof str_keys / sizeof *str_keys; i++)
        assert_null(pop3check_options_get_str(o, str_keys[i]));
    assert_string_equal(pop3check_options_error(o), "");
    assert_int_equal(get_long(o, POP3CHECK_OPT_IP_VERSION), 0);
    assert_int_equal(get_long(o, POP3CHECK_OPT_TLS), POP3CHECK_TLS_NONE);
    assert_int_equal(get_long(o, POP3CHECK_OPT_INSECURE), 0);
    assert_int_equal(get_long(o, POP3CHECK_OPT_AUTH), POP3CHECK_AUTH_ANY);
    assert_int_equal(get_long(o, POP3CHECK_OPT_LIST), 0);
    assert_int_equal(get_long(o, POP3CHECK_OPT_UIDL), 0);
    assert_int_equal(get_long(o, POP3CHECK_OPT_TOP), POP3CHECK_MSG_NONE);
    assert_int_equal(get_long(o, POP3CHECK_OPT_RETR), POP3CHECK_MSG_NONE);
}

/* get_long gives the value the probe will use: the library's defaults. */
static void test_options_effective_defaults(void **state)
{
    struct pop3check_options *o = *state;

    assert_int_equal(get_long(o, POP3CHECK_OPT_PORT), 110);
    assert_int_equal(get_long(o, POP3CHECK_OPT_TIMEOUT_MS), 10000);
    assert_int_equal(pop3check_options_set_long(o, POP3CHECK_OPT_TLS,
                                                POP3CHECK_TLS_IMPLICIT),
                     0);
    assert_int_equal(get_long(o, POP3CHECK_OPT_PORT), 995);
    assert_int_equal(
        pop3check_options_set_long(o, POP3CHECK_OPT_TLS, POP3CHECK_TLS_STLS),
        0);
    assert_int_equal(get_long(o, POP3CHECK_OPT_PORT), 110);
    /* A port set wins over the mode; 0 unsets it again. */
    assert_int_equal(pop3check_options_set_long(o, POP3CHECK_OPT_TLS,
                                                POP3CHECK_TLS_IMPLICIT),
                     0);
    assert_int_equal(pop3check_options_set_long(o, POP3CHECK_OPT_PORT, 2995),
                     0);
    assert_int_equal(get_long(o, POP3CHECK_OPT_PORT), 2995);
    assert_int_equal(pop3check_options_set_long(o, POP3CHECK_OPT_PORT, 0), 0);
    assert_int_equal(get_long(o, POP3CHECK_OPT_PORT), 995);
    assert_int_equal(
        pop3check_options_set_long(o, POP3CHECK_OPT_TIMEOUT_MS, 250), 0);
    assert_int_equal(get_long(o, POP3CHECK_OPT_TIMEOUT_MS), 250);
    assert_int_equal(pop3check_options_set_long(o, POP3CHECK_OPT_TIMEOUT_MS, 0),
                     0);
    assert_int_equal(get_long(o, POP3CHECK_OPT_TIMEOUT_MS), 10000);
}

/* ---- options: types and unknown keys ---- */

static void test_options_string_key_refuses_number(void **state)
{
    struct pop3check_options *o = *state;

    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_HOST, "pop.example.org"), 0);
    for (size_t i = 0; i < sizeof str_keys / sizeof *str_keys; i++) {
        long v = 77;
        assert_int_equal(pop3check_options_set_long(o, str_keys[i], 1), -1);
        assert_string_equal(pop3check_options_error(o),
                            "option takes a string (set_str)");
        assert_int_equal(pop3check_options_get_long(o, str_keys[i], &v), -1);
        assert_int_equal(v, 77); /* untouched */
    }
    assert_string_equal(pop3check_options_get_str(o, POP3CHECK_OPT_HOST),
                        "pop.example.org");
}

static void test_options_number_key_refuses_string(void **state)
{
    struct pop3check_options *o = *state;

    assert_int_equal(pop3check_options_set_long(o, POP3CHECK_OPT_PORT, 2110),
                     0);
    for (size_t i = 0; i < sizeof long_keys / sizeof *long_keys; i++) {
        assert_int_equal(pop3check_options_set_str(o, long_keys[i], "1"), -1);
        assert_string_equal(pop3check_options_error(o),
                            "option takes a number (set_long)");
        assert_null(pop3check_options_get_str(o, long_keys[i]));
    }
    assert_int_equal(get_long(o, POP3CHECK_OPT_PORT), 2110);
}

static void test_options_unknown_key_refused(void **state)
{
    struct pop3check_options *o = *state;
    static const int bad[] = {999, 36, -1, 1 << 20};

    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        enum pop3check_opt k = (enum pop3check_opt)bad[i];
        long v = 42;
        assert_int_equal(pop3check_options_set_str(o, k, "x"), -1);
        assert_string_equal(pop3check_options_error(o), "unknown option");
        assert_int_equal(pop3check_options_set_long(o, k, 1), -1);
        assert_string_equal(pop3check_options_error(o), "unknown option");
        assert_null(pop3check_options_get_str(o, k));
        assert_int_equal(pop3check_options_get_long(o, k, &v), -1);
        assert_int_equal(v, 42);
    }
}

/* ---- options: values ---- */

struct bad_long {
    enum pop3check_opt key;
    long good, bad;
    const char *name; /* the option the message names */
};

static void test_options_number_out_of_range(void **state)
{
    struct pop3check_options *o = *state;
    static const struct bad_long v[] = {
        {POP3CHECK_OPT_PORT, 2110, 65536, "port"},
        {POP3CHECK_OPT_PORT, 2110, -1, "port"},
        {POP3CHECK_OPT_IP_VERSION, 6, 5, "ip_version"},
        {POP3CHECK_OPT_IP_VERSION, 4, -4, "ip_version"},
        {POP3CHECK_OPT_TLS, POP3CHECK_TLS_STLS, 3, "tls"},
        {POP3CHECK_OPT_TLS, POP3CHECK_TLS_STLS, -1, "tls"},
        {POP3CHECK_OPT_AUTH, POP3CHECK_AUTH_SCRAM_SHA_256, 100, "auth"},
        {POP3CHECK_OPT_AUTH, POP3CHECK_AUTH_APOP, -1, "auth"},
        {POP3CHECK_OPT_INSECURE, 1, 2, "insecure"},
        {POP3CHECK_OPT_LIST, 1, 2, "list"},
        {POP3CHECK_OPT_UIDL, 1, -1, "uidl"},
        {POP3CHECK_OPT_TOP, 3, -2, "top"},
        {POP3CHECK_OPT_TOP, POP3CHECK_MSG_LAST, 1000000000, "top"},
        {POP3CHECK_OPT_RETR, POP3CHECK_MSG_FIRST, -2, "retr"},
        {POP3CHECK_OPT_TIMEOUT_MS, 500, -1, "timeout"},
        {POP3CHECK_OPT_TIMEOUT_MS, 500, 3600001, "timeout"},
        {POP3CHECK_OPT_SMTP_PORT, 2587, 65536, "smtp_port"},
        {POP3CHECK_OPT_SMTP_TLS, POP3CHECK_TLS_TRY, 4, "smtp_tls"},
        {POP3CHECK_OPT_POLL_MS, 500, 99, "poll interval"},
        {POP3CHECK_OPT_POLL_MS, 500, 3600001, "poll interval"},
    };

    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        assert_int_equal(pop3check_options_set_long(o, v[i].key, v[i].good), 0);
        assert_string_equal(pop3check_options_error(o), "");
        assert_int_equal(pop3check_options_set_long(o, v[i].key, v[i].bad), -1);
        if (strstr(pop3check_options_error(o), v[i].name) == NULL)
            fail_msg("%s = %ld: message '%s' does not name it", v[i].name,
                     v[i].bad, pop3check_options_error(o));
        assert_int_equal(get_long(o, v[i].key), v[i].good); /* kept */
    }
}

static void test_options_number_limits_accepted(void **state)
{
    struct pop3check_options *o = *state;
    static const struct {
        enum pop3check_opt key;
        long value;
    } v[] = {
        {POP3CHECK_OPT_PORT, 1},
        {POP3CHECK_OPT_PORT, 65535},
        {POP3CHECK_OPT_TOP, 999999999},
        {POP3CHECK_OPT_RETR, POP3CHECK_MSG_LAST},
        {POP3CHECK_OPT_TIMEOUT_MS, 1},
        {POP3CHECK_OPT_TIMEOUT_MS, 3600000},
        {POP3CHECK_OPT_AUTH, POP3CHECK_AUTH_CRAM_MD5},
        {POP3CHECK_OPT_IP_VERSION, 0},
    };

    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        assert_int_equal(pop3check_options_set_long(o, v[i].key, v[i].value),
                         0);
        assert_int_equal(get_long(o, v[i].key), v[i].value);
    }
}

struct bad_str {
    enum pop3check_opt key;
    const char *bad;
    const char *name;
};

static void test_options_string_refused(void **state)
{
    struct pop3check_options *o = *state;
    static char long_host[300], long_user[P3_CRED_MAX + 2];
    static const struct bad_str v[] = {
        {POP3CHECK_OPT_HOST, "", "host"},
        {POP3CHECK_OPT_HOST, "pop example", "host"},
        {POP3CHECK_OPT_HOST, "pop/x", "host"},
        {POP3CHECK_OPT_HOST, "pop@x", "host"},
        {POP3CHECK_OPT_HOST, long_host, "host"},
        {POP3CHECK_OPT_SNI, "a b", "sni"},
        {POP3CHECK_OPT_USER, "", "user"},
        {POP3CHECK_OPT_USER, "tim smith", "user"},
        {POP3CHECK_OPT_USER, "tim\r\nDELE 1", "user"},
        {POP3CHECK_OPT_USER, long_user, "user"},
        {POP3CHECK_OPT_PASSWORD, "", "password"},
        {POP3CHECK_OPT_PASSWORD, "a\nb", "password"},
        {POP3CHECK_OPT_CAFILE, "", "cafile"},
    };

    memset(long_host, 'a', sizeof long_host - 1);
    memset(long_user, 'u', sizeof long_user - 1);
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        const char *before;
        assert_int_equal(pop3check_options_set_str(o, v[i].key, "keep"), 0);
        assert_int_equal(pop3check_options_set_str(o, v[i].key, v[i].bad), -1);
        if (strstr(pop3check_options_error(o), v[i].name) == NULL)
            fail_msg("%s: message '%s' does not name it", v[i].name,
                     pop3check_options_error(o));
        before = v[i].key == POP3CHECK_OPT_PASSWORD
                     ? ((struct pop3check_options *)o)->v.password
                     : pop3check_options_get_str(o, v[i].key);
        assert_string_equal(before, "keep");
    }
}

/* The longest credentials accepted, and spaces inside a password. */
static void test_options_string_limits_accepted(void **state)
{
    struct pop3check_options *o = *state;
    char cred[P3_CRED_MAX + 1];

    memset(cred, 'c', sizeof cred - 1);
    cred[sizeof cred - 1] = '\0';
    assert_int_equal(pop3check_options_set_str(o, POP3CHECK_OPT_USER, cred), 0);
    assert_int_equal(pop3check_options_set_str(o, POP3CHECK_OPT_PASSWORD, cred),
                     0);
    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_PASSWORD, "with space"), 0);
    assert_int_equal(pop3check_options_set_str(o, POP3CHECK_OPT_HOST, "::1"),
                     0);
    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_HOST, "mail_1.example-x"),
        0);
}

/* Copied in, NULL unsets, the password never read back. */
static void test_options_strings_copied(void **state)
{
    struct pop3check_options *o = *state;
    char buf[32];

    snprintf(buf, sizeof buf, "pop.example.org");
    assert_int_equal(pop3check_options_set_str(o, POP3CHECK_OPT_HOST, buf), 0);
    buf[0] = 'X';
    assert_string_equal(pop3check_options_get_str(o, POP3CHECK_OPT_HOST),
                        "pop.example.org");
    assert_ptr_not_equal(pop3check_options_get_str(o, POP3CHECK_OPT_HOST), buf);
    assert_int_equal(pop3check_options_set_str(o, POP3CHECK_OPT_HOST, NULL), 0);
    assert_null(pop3check_options_get_str(o, POP3CHECK_OPT_HOST));
}

static void test_options_password_never_read_back(void **state)
{
    struct pop3check_options *o = *state;

    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_PASSWORD, "tanstaaf"), 0);
    assert_null(pop3check_options_get_str(o, POP3CHECK_OPT_PASSWORD));
    assert_string_equal(o->v.password, "tanstaaf"); /* but it is kept */
    /* Neither do the messages show it. */
    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_PASSWORD, "tanstaaf\n"), -1);
    assert_null(strstr(pop3check_options_error(o), "tanstaaf"));
    assert_string_equal(o->v.password, "tanstaaf");
}

static void on_trace(void *ctx, enum pop3check_trace_dir dir, const char *line,
                     size_t len)
{
    (void)ctx;
    (void)dir;
    (void)line;
    (void)len;
}

static void fill_options(struct pop3check_options *o)
{
    static const struct {
        enum pop3check_opt k;
        long v;
    } longs[] = {
        {POP3CHECK_OPT_PORT, 2995},
        {POP3CHECK_OPT_IP_VERSION, 6},
        {POP3CHECK_OPT_TLS, POP3CHECK_TLS_IMPLICIT},
        {POP3CHECK_OPT_INSECURE, 1},
        {POP3CHECK_OPT_AUTH, POP3CHECK_AUTH_PLAIN},
        {POP3CHECK_OPT_LIST, 1},
        {POP3CHECK_OPT_UIDL, 1},
        {POP3CHECK_OPT_TOP, 3},
        {POP3CHECK_OPT_RETR, POP3CHECK_MSG_LAST},
        {POP3CHECK_OPT_TIMEOUT_MS, 4321},
    };

    assert_int_equal(pop3check_options_set_str(o, POP3CHECK_OPT_HOST, "::1"),
                     0);
    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_CAFILE, "/etc/ca.pem"), 0);
    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_SNI, "pop.example.org"), 0);
    assert_int_equal(pop3check_options_set_str(o, POP3CHECK_OPT_USER, "tim"),
                     0);
    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_PASSWORD, "tanstaaf"), 0);
    for (size_t i = 0; i < sizeof longs / sizeof *longs; i++)
        assert_int_equal(pop3check_options_set_long(o, longs[i].k, longs[i].v),
                         0);
    pop3check_options_set_trace(o, on_trace, o);
}

static void assert_same_options(const struct pop3check_options *a,
                                const struct pop3check_options *b)
{
    for (size_t i = 0; i < sizeof str_keys / sizeof *str_keys; i++) {
        const char *x = pop3check_options_get_str(a, str_keys[i]);
        const char *y = pop3check_options_get_str(b, str_keys[i]);
        if (x == NULL || y == NULL)
            assert_true(x == y);
        else
            assert_string_equal(x, y);
    }
    for (size_t i = 0; i < sizeof long_keys / sizeof *long_keys; i++)
        assert_int_equal(get_long(a, long_keys[i]), get_long(b, long_keys[i]));
}

static void test_options_dup_copies_everything(void **state)
{
    struct pop3check_options *o = *state;
    struct pop3check_options *c;

    fill_options(o);
    c = pop3check_options_dup(o);
    assert_non_null(c);
    assert_same_options(o, c);
    assert_string_equal(c->v.password, "tanstaaf");
    assert_ptr_not_equal(c->v.password, o->v.password);
    assert_ptr_equal(c->v.trace, on_trace);
    assert_ptr_equal(c->v.trace_ctx, o);
    /* Independent: a change to the original does not reach the copy. */
    assert_int_equal(pop3check_options_set_str(o, POP3CHECK_OPT_HOST, "x.org"),
                     0);
    assert_int_equal(pop3check_options_set_long(o, POP3CHECK_OPT_PORT, 1), 0);
    assert_string_equal(pop3check_options_get_str(c, POP3CHECK_OPT_HOST),
                        "::1");
    assert_int_equal(get_long(c, POP3CHECK_OPT_PORT), 2995);
    pop3check_options_free(c);
}

static void test_options_set_trace_none(void **state)
{
    struct pop3check_options *o = *state;

    pop3check_options_set_trace(o, on_trace, o);
    pop3check_options_set_trace(o, NULL, o);
    assert_null(o->v.trace);
    assert_null(o->v.trace_ctx);
}

static void test_api_free_null_is_a_no_op(void **state)
{
    (void)state;
    pop3check_options_free(NULL);
    pop3check_thresholds_free(NULL);
    pop3check_result_free(NULL);
    pop3check_probe_free(NULL);
    pop3check_multi_free(NULL);
}

/* ---- pop3check_probe_new: the whole ---- */

static void expect_probe_refused(const struct pop3check_options *o,
                                 const char *want)
{
    char err[200] = "junk";

    assert_null(pop3check_probe_new(o, err, sizeof err));
    assert_string_equal(err, want);
}

static void test_probe_new_refuses_incomplete_options(void **state)
{
    struct pop3check_options *o = *state;

    expect_probe_refused(NULL, "no options");
    expect_probe_refused(o, "host: give a host name or an IP address");
    assert_int_equal(pop3check_options_set_str(o, POP3CHECK_OPT_HOST, "pop.x"),
                     0);
    assert_int_equal(pop3check_options_set_str(o, POP3CHECK_OPT_USER, "tim"),
                     0);
    expect_probe_refused(o, "password: needed with a user name, 1-255 "
                            "characters, no line breaks");
    /* The reason is optional. */
    assert_null(pop3check_probe_new(o, NULL, 0));
}

static void test_probe_new_refuses_address_of_other_family(void **state)
{
    struct pop3check_options *o = *state;

    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_HOST, "127.0.0.1"), 0);
    assert_int_equal(pop3check_options_set_long(o, POP3CHECK_OPT_IP_VERSION, 6),
                     0);
    expect_probe_refused(
        o, "host: an IPv4 address cannot be reached over IPv6 (-6)");
    assert_int_equal(pop3check_options_set_str(o, POP3CHECK_OPT_HOST, "::1"),
                     0);
    assert_int_equal(pop3check_options_set_long(o, POP3CHECK_OPT_IP_VERSION, 4),
                     0);
    expect_probe_refused(
        o, "host: an IPv6 address cannot be reached over IPv4 (-4)");
    /* A name may have both families. */
    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_HOST, "localhost"), 0);
    pop3check_probe_free(pop3check_probe_new(o, NULL, 0));
}

/* The OAuth 2.0 options: the token is a secret checked for its syntax,
 * and the whole must say how the user logs in. */
static void test_probe_new_token_options(void **state)
{
    struct pop3check_options *o = *state;
    struct pop3check_probe *p;

    assert_int_equal(pop3check_options_set_str(o, POP3CHECK_OPT_HOST, "pop.x"),
                     0);
    assert_int_equal(pop3check_options_set_str(o, POP3CHECK_OPT_USER, "tim"),
                     0);
    /* the client secret crosses in the clear only to this host */
    static const char *const urls_ok[] = {
        "https://login.example.com/t", "http://127.0.0.1:8080/token",
        "http://[::1]:80/t", "http://localhost/t", "http://127.1.2.3"};
    static const char *const urls_bad[] = {"http://127.evil.example/t",
                                           "http://login.example.com/t",
                                           "ftp://x/t",
                                           "https:///t",
                                           "http://[::2]/t",
                                           "http://127.0.0.1:80@evil.example/t",
                                           "https://a b/t"};
    for (size_t i = 0; i < sizeof urls_ok / sizeof *urls_ok; i++)
        assert_int_equal(
            pop3check_options_set_str(o, POP3CHECK_OPT_TOKEN_URL, urls_ok[i]),
            0);
    for (size_t i = 0; i < sizeof urls_bad / sizeof *urls_bad; i++)
        assert_int_equal(
            pop3check_options_set_str(o, POP3CHECK_OPT_TOKEN_URL, urls_bad[i]),
            -1);
    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_TOKEN_URL, NULL), 0);
    assert_int_equal(pop3check_options_set_str(o, POP3CHECK_OPT_TOKEN, "a b"),
                     -1);
    assert_string_equal(pop3check_options_error(o),
                        "token: an OAuth 2.0 bearer token, 1-16384 characters "
                        "of A-Z a-z 0-9 - . _ ~ + / and trailing '='");
    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_TOKEN, "ya29.abc=="), 0);
    assert_null(pop3check_options_get_str(o, POP3CHECK_OPT_TOKEN));
    /* any with a token and no password: a bearer mechanism */
    p = pop3check_probe_new(o, NULL, 0);
    assert_non_null(p);
    assert_string_equal(p->o.token, "ya29.abc==");
    pop3check_probe_free(p);
    assert_int_equal(pop3check_options_set_long(o, POP3CHECK_OPT_AUTH,
                                                POP3CHECK_AUTH_CRAM_MD5),
                     0);
    expect_probe_refused(o, "password: needed with a password mechanism (with "
                            "a token, use auth xoauth2, oauthbearer or any)");
    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_TOKEN_FILE, "/t"), 0);
    assert_string_equal(pop3check_options_get_str(o, POP3CHECK_OPT_TOKEN_FILE),
                        "/t");
    assert_int_equal(pop3check_options_set_long(o, POP3CHECK_OPT_AUTH,
                                                POP3CHECK_AUTH_XOAUTH2),
                     0);
    expect_probe_refused(o, "token, token_file, token_url: give one of them");
    assert_int_equal(pop3check_options_set_str(o, POP3CHECK_OPT_TOKEN, NULL),
                     0);
    pop3check_probe_free(pop3check_probe_new(o, NULL, 0));
    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_TOKEN_FILE, NULL), 0);
    expect_probe_refused(o, "token: xoauth2 and oauthbearer log in with an "
                            "OAuth 2.0 bearer token; give token, "
                            "token_file or token_url");
    /* a round trip with a token has no password to derive its key from */
    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_TOKEN_FILE, "/t"), 0);
    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_SMTP_HOST, "smtp.x"), 0);
    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_MAIL_FROM, "a@x.org"), 0);
    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_RCPT_TO, "b@x.org"), 0);
    expect_probe_refused(o, "probe_key: a round trip that logs in with a "
                            "token has no password to derive its key from; "
                            "give one (16-256 bytes)");
}

/* Later changes to o do not reach the probe; a banner check (no user)
 * keeps no password at all. */
static void test_probe_new_copies_options(void **state)
{
    struct pop3check_options *o = *state;
    struct pop3check_probe *p;
    char err[128] = "";

    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_HOST, "127.0.0.1"), 0);
    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_PASSWORD, "tanstaaf"), 0);
    p = pop3check_probe_new(o, err, sizeof err);
    assert_non_null(p);
    assert_string_equal(err, "");
    assert_int_equal(pop3check_options_set_str(o, POP3CHECK_OPT_HOST, "x.org"),
                     0);
    assert_string_equal(p->o.host, "127.0.0.1");
    assert_ptr_not_equal(p->o.host, o->v.host);
    assert_null(p->o.password);
    pop3check_probe_free(p);
}

/* Before its first run, a probe's result is one that has not run. */
static void test_probe_result_before_run(void **state)
{
    struct pop3check_options *o = *state;
    struct pop3check_probe *p;
    const struct pop3check_result *r;

    assert_int_equal(pop3check_options_set_str(o, POP3CHECK_OPT_HOST, "pop.x"),
                     0);
    p = pop3check_probe_new(o, NULL, 0);
    assert_non_null(p);
    r = pop3check_probe_result(p);
    assert_int_equal(pop3check_result_error(r), POP3CHECK_E_OK);
    for (int ph = 0; ph < POP3CHECK_PHASE_KNOWN; ph++)
        assert_int_equal(pop3check_result_phase_us(r, (enum pop3check_phase)ph),
                         -1);
    pop3check_probe_free(p);
}

/* ---- results ---- */

static const enum pop3check_figure figures[] = {
    POP3CHECK_FIG_MESSAGES,       POP3CHECK_FIG_OCTETS,
    POP3CHECK_FIG_LARGEST,        POP3CHECK_FIG_LISTED,
    POP3CHECK_FIG_UIDL_ENTRIES,   POP3CHECK_FIG_TOP_OCTETS,
    POP3CHECK_FIG_RETR_OCTETS,    POP3CHECK_FIG_TOP_MSG,
    POP3CHECK_FIG_RETR_MSG,       POP3CHECK_FIG_CAPA,
    POP3CHECK_FIG_SASL,           POP3CHECK_FIG_AUTH_USED,
    POP3CHECK_FIG_LOGGED_IN,      POP3CHECK_FIG_TLS,
    POP3CHECK_FIG_CERT_NOT_AFTER, POP3CHECK_FIG_PEER_PORT,
    POP3CHECK_FIG_IP_VERSION,     POP3CHECK_FIG_STARTED_AT};
static const enum pop3check_text texts[] = {
    POP3CHECK_TEXT_ERROR, POP3CHECK_TEXT_SERVER,      POP3CHECK_TEXT_GREETING,
    POP3CHECK_TEXT_CAPA,  POP3CHECK_TEXT_TLS_VERSION, POP3CHECK_TEXT_PEER_IP};

static void test_result_new_is_not_run_phases_texts(void **state)
{
    struct pop3check_result *r = pop3check_result_new();

    (void)state;
    assert_non_null(r);
    assert_int_equal(pop3check_result_error(r), POP3CHECK_E_OK);
    assert_int_equal(pop3check_result_rcode(r), POP3CHECK_RCODE_NONE);
    for (int p = 0; p < POP3CHECK_PHASE_KNOWN; p++)
        assert_int_equal(pop3check_result_phase_us(r, (enum pop3check_phase)p),
                         -1);
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        assert_string_equal(pop3check_result_text(r, texts[i]), "");
    pop3check_result_free(r);
}

/* pop3check.h: "every figure unknown", and a figure is -1 when unknown. */
/* The header: flag sets and yes/no figures, and the message numbers of TOP
 * and RETR, are 0 when there is nothing to say; every other figure -1. */
static int zero_when_none(enum pop3check_figure f)
{
    return f == POP3CHECK_FIG_CAPA || f == POP3CHECK_FIG_SASL ||
           f == POP3CHECK_FIG_LOGGED_IN || f == POP3CHECK_FIG_TLS ||
           f == POP3CHECK_FIG_TOP_MSG || f == POP3CHECK_FIG_RETR_MSG;
}

static void test_result_new_is_not_run_figures(void **state)
{
    struct pop3check_result *r = pop3check_result_new();
    char wrong[256] = "";

    (void)state;
    assert_non_null(r);
    for (size_t i = 0; i < sizeof figures / sizeof *figures; i++) {
        int64_t v = pop3check_result_figure(r, figures[i]);
        char one[32];
        if (v == -1 || (zero_when_none(figures[i]) && v == 0))
            continue;
        snprintf(one, sizeof one, " %d=%lld", (int)figures[i], (long long)v);
        p3_append(wrong, sizeof wrong, one, strlen(one));
    }
    pop3check_result_free(r);
    if (wrong[0] != '\0')
        fail_msg("figures of a new result that are not -1:%s", wrong);
}

static void test_result_unknown_keys(void **state)
{
    struct pop3check_result *r = pop3check_result_new();
    static const int bad[] = {999, 18, -1, 1 << 20};

    (void)state;
    assert_non_null(r);
    r->messages = 5;
    snprintf(r->error_text, sizeof r->error_text, "x");
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(
            pop3check_result_figure(r, (enum pop3check_figure)bad[i]), -1);
        assert_string_equal(
            pop3check_result_text(r, (enum pop3check_text)bad[i]), "");
    }
    assert_int_equal(pop3check_result_phase_us(r, POP3CHECK_PHASE_KNOWN), -1);
    assert_int_equal(pop3check_result_phase_us(r, (enum pop3check_phase) - 1),
                     -1);
    pop3check_result_free(r);
}

/* A result as a probe leaves it, every getter reading its own field. */
static void fill_result(struct pop3check_result *r)
{
    p3_result_init(r);
    r->error = POP3CHECK_E_COMMAND;
    r->failed_phase = POP3CHECK_PHASE_RETR;
    r->rcode = POP3CHECK_RCODE_SYS_TEMP;
    snprintf(r->error_text, sizeof r->error_text, "RETR 2 refused");
    snprintf(r->server_text, sizeof r->server_text, "[SYS/TEMP] busy");
    snprintf(r->greeting, sizeof r->greeting, "Dovecot ready.");
    snprintf(r->capa_text, sizeof r->capa_text, "TOP, UIDL");
    snprintf(r->tls_version, sizeof r->tls_version, "TLSv1.3");
    snprintf(r->peer_ip, sizeof r->peer_ip, "127.0.0.1");
    for (int p = 0; p < POP3CHECK_PHASE_KNOWN; p++)
        r->phase_us[p] = 1000 + p;
    r->messages = 2, r->octets = 320, r->largest = 200, r->listed = 2;
    r->uidl_count = 2, r->top_octets = 50, r->retr_octets = 120;
    r->top_msg = 1, r->retr_msg = 2;
    r->capa = POP3CHECK_CAPA_KNOWN | POP3CHECK_CAPA_TOP;
    r->sasl = POP3CHECK_SASL_PLAIN;
    r->auth_used = POP3CHECK_AUTH_PLAIN, r->logged_in = 1, r->tls = 1;
    r->cert_not_after = 1700000000 + 86400, r->started_at = 1700000000;
    r->peer_port = 995, r->ip_version = 4;
}

static void test_result_getters(void **state)
{
    struct pop3check_result r;
    static const int64_t want[] = {2,
                                   320,
                                   200,
                                   2,
                                   2,
                                   50,
                                   120,
                                   1,
                                   2,
                                   POP3CHECK_CAPA_KNOWN | POP3CHECK_CAPA_TOP,
                                   POP3CHECK_SASL_PLAIN,
                                   POP3CHECK_AUTH_PLAIN,
                                   1,
                                   1,
                                   1700000000 + 86400,
                                   995,
                                   4,
                                   1700000000};

    (void)state;
    fill_result(&r);
    assert_int_equal(sizeof want / sizeof *want,
                     sizeof figures / sizeof *figures);
    for (size_t i = 0; i < sizeof figures / sizeof *figures; i++)
        assert_int_equal(pop3check_result_figure(&r, figures[i]), want[i]);
    assert_int_equal(pop3check_result_error(&r), POP3CHECK_E_COMMAND);
    assert_int_equal(pop3check_result_failed_phase(&r), POP3CHECK_PHASE_RETR);
    assert_int_equal(pop3check_result_rcode(&r), POP3CHECK_RCODE_SYS_TEMP);
    assert_string_equal(pop3check_result_text(&r, POP3CHECK_TEXT_SERVER),
                        "[SYS/TEMP] busy");
    assert_string_equal(pop3check_result_text(&r, POP3CHECK_TEXT_PEER_IP),
                        "127.0.0.1");
    assert_int_equal(pop3check_result_phase_us(&r, POP3CHECK_PHASE_TOTAL),
                     1013);
    assert_true(pop3check_result_cert_days_left(&r) == 1.0);
}

static void test_result_copy(void **state)
{
    struct pop3check_result src;
    struct pop3check_result *dst = pop3check_result_new();

    (void)state;
    assert_non_null(dst);
    fill_result(&src);
    assert_int_equal(pop3check_result_copy(dst, &src), 0);
    assert_memory_equal(dst, &src, sizeof src);
    assert_ptr_not_equal(pop3check_result_text(dst, POP3CHECK_TEXT_ERROR),
                         pop3check_result_text(&src, POP3CHECK_TEXT_ERROR));
    assert_int_equal(pop3check_result_copy(NULL, &src), -1);
    assert_int_equal(pop3check_result_copy(dst, NULL), -1);
    assert_memory_equal(dst, &src, sizeof src); /* unchanged */
    pop3check_result_free(dst);
}

static void test_result_set_error(void **state)
{
    struct pop3check_result *r = pop3check_result_new();

    (void)state;
    assert_non_null(r);
    assert_int_equal(
        pop3check_result_set_error(r, POP3CHECK_E_OK, "not an error"), -1);
    assert_int_equal(pop3check_result_set_error(
                         r, (enum pop3check_error)POP3CHECK_E_KNOWN, "x"),
                     -1);
    assert_int_equal(
        pop3check_result_set_error(r, (enum pop3check_error) - 1, "x"), -1);
    assert_int_equal(pop3check_result_set_error(NULL, POP3CHECK_E_AUTH, "x"),
                     -1);
    assert_int_equal(pop3check_result_error(r), POP3CHECK_E_OK);
    assert_string_equal(pop3check_result_text(r, POP3CHECK_TEXT_ERROR), "");
    assert_int_equal(pop3check_result_set_error(r, POP3CHECK_E_INTERNAL,
                                                "shutting\r\ndown\x7f"),
                     0);
    assert_int_equal(pop3check_result_error(r), POP3CHECK_E_INTERNAL);
    assert_string_equal(pop3check_result_text(r, POP3CHECK_TEXT_ERROR),
                        "shutting??down?");
    assert_int_equal(pop3check_result_set_error(r, POP3CHECK_E_TIMEOUT, NULL),
                     0);
    assert_int_equal(pop3check_result_error(r), POP3CHECK_E_TIMEOUT);
    assert_string_equal(pop3check_result_text(r, POP3CHECK_TEXT_ERROR), "");
    pop3check_result_free(r);
}

/* ---- thresholds ---- */

static int setup_thresholds(void **state)
{
    struct pop3check_thresholds *t = pop3check_thresholds_new();

    *state = t;
    return t ? 0 : -1;
}

static int teardown_thresholds(void **state)
{
    pop3check_thresholds_free(*state);
    return 0;
}

static const enum pop3check_measure measures[] = {POP3CHECK_MEASURE_MESSAGES,
                                                  POP3CHECK_MEASURE_OCTETS,
                                                  POP3CHECK_MEASURE_CERT_DAYS};

static void assert_all_unset(const struct pop3check_thresholds *t)
{
    for (int l = WARN; l <= CRIT; l++) {
        for (size_t m = 0; m < sizeof measures / sizeof *measures; m++)
            assert_null(pop3check_thresholds_get(t, measures[m], l));
        for (int p = 0; p < POP3CHECK_PHASE_KNOWN; p++)
            assert_null(
                pop3check_thresholds_get_phase(t, (enum pop3check_phase)p, l));
    }
}

static void test_thresholds_new_is_unset(void **state)
{
    struct pop3check_thresholds *t = *state;

    assert_all_unset(t);
    assert_int_equal(pop3check_thresholds_timeout_state(t), CRIT);
}

static void test_thresholds_round_trip(void **state)
{
    struct pop3check_thresholds *t = *state;
    static const char *const forms[] = {"10",    "10:",    "~:10",
                                        "10:20", "@10:20", "0.5"};
    char longest[32];

    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        for (int l = WARN; l <= CRIT; l++) {
            for (size_t m = 0; m < sizeof measures / sizeof *measures; m++) {
                assert_int_equal(
                    pop3check_thresholds_set(t, measures[m], l, forms[i]), 0);
                assert_string_equal(pop3check_thresholds_get(t, measures[m], l),
                                    forms[i]);
            }
            for (int p = 0; p < POP3CHECK_PHASE_KNOWN; p++) {
                enum pop3check_phase ph = (enum pop3check_phase)p;
                assert_int_equal(
                    pop3check_thresholds_set_phase(t, ph, l, forms[i]), 0);
                assert_string_equal(pop3check_thresholds_get_phase(t, ph, l),
                                    forms[i]);
            }
        }
    }
    memset(longest, '1', sizeof longest - 1);
    longest[sizeof longest - 1] = '\0'; /* 31 characters */
    assert_int_equal(
        pop3check_thresholds_set(t, POP3CHECK_MEASURE_OCTETS, WARN, longest),
        0);
    assert_string_equal(
        pop3check_thresholds_get(t, POP3CHECK_MEASURE_OCTETS, WARN), longest);
}

/* Each slot is its own: warning and critical, phases and measures. */
static void test_thresholds_slots_independent(void **state)
{
    struct pop3check_thresholds *t = *state;

    assert_int_equal(
        pop3check_thresholds_set_phase(t, POP3CHECK_PHASE_AUTH, WARN, "1"), 0);
    assert_int_equal(
        pop3check_thresholds_set(t, POP3CHECK_MEASURE_CERT_DAYS, CRIT, "14:"),
        0);
    assert_string_equal(
        pop3check_thresholds_get_phase(t, POP3CHECK_PHASE_AUTH, WARN), "1");
    assert_null(pop3check_thresholds_get_phase(t, POP3CHECK_PHASE_AUTH, CRIT));
    assert_null(pop3check_thresholds_get_phase(t, POP3CHECK_PHASE_STAT, WARN));
    assert_string_equal(
        pop3check_thresholds_get(t, POP3CHECK_MEASURE_CERT_DAYS, CRIT), "14:");
    assert_null(pop3check_thresholds_get(t, POP3CHECK_MEASURE_CERT_DAYS, WARN));
    assert_null(pop3check_thresholds_get(t, POP3CHECK_MEASURE_MESSAGES, CRIT));
    /* NULL unsets. */
    assert_int_equal(
        pop3check_thresholds_set_phase(t, POP3CHECK_PHASE_AUTH, WARN, NULL), 0);
    assert_int_equal(
        pop3check_thresholds_set(t, POP3CHECK_MEASURE_CERT_DAYS, CRIT, NULL),
        0);
    assert_all_unset(t);
}

/* Set a known value everywhere, try the bad calls, nothing may change. */
static void set_everything(struct pop3check_thresholds *t)
{
    for (int l = WARN; l <= CRIT; l++) {
        for (size_t m = 0; m < sizeof measures / sizeof *measures; m++)
            assert_int_equal(pop3check_thresholds_set(t, measures[m], l, "5:"),
                             0);
        for (int p = 0; p < POP3CHECK_PHASE_KNOWN; p++)
            assert_int_equal(pop3check_thresholds_set_phase(
                                 t, (enum pop3check_phase)p, l, "5:"),
                             0);
    }
}

static void assert_everything_set(const struct pop3check_thresholds *t)
{
    for (int l = WARN; l <= CRIT; l++) {
        for (size_t m = 0; m < sizeof measures / sizeof *measures; m++)
            assert_string_equal(pop3check_thresholds_get(t, measures[m], l),
                                "5:");
        for (int p = 0; p < POP3CHECK_PHASE_KNOWN; p++)
            assert_string_equal(
                pop3check_thresholds_get_phase(t, (enum pop3check_phase)p, l),
                "5:");
    }
}

static void test_thresholds_bad_range_changes_nothing(void **state)
{
    struct pop3check_thresholds *t = *state;
    static const char *const bad[] = {
        "",     "abc",
        "10:5", "~:",
        "@",    "nan",
        "0x10", "12345678901234567890123456789012" /* 32 characters */};

    set_everything(t);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        for (int l = WARN; l <= CRIT; l++) {
            assert_int_equal(pop3check_thresholds_set(
                                 t, POP3CHECK_MEASURE_MESSAGES, l, bad[i]),
                             -1);
            assert_int_equal(pop3check_thresholds_set_phase(
                                 t, POP3CHECK_PHASE_TOTAL, l, bad[i]),
                             -1);
        }
    }
    assert_everything_set(t);
}

static void test_thresholds_bad_key_changes_nothing(void **state)
{
    struct pop3check_thresholds *t = *state;
    static const int bad_levels[] = {POP3CHECK_STATE_OK,
                                     POP3CHECK_STATE_UNKNOWN, 4, -1};
    static const int bad_measures[] = {4, 999, -1};
    static const int bad_phases[] = {POP3CHECK_PHASE_KNOWN, 999, -1};

    set_everything(t);
    for (size_t i = 0; i < sizeof bad_levels / sizeof *bad_levels; i++) {
        enum pop3check_state l = (enum pop3check_state)bad_levels[i];
        assert_int_equal(
            pop3check_thresholds_set(t, POP3CHECK_MEASURE_OCTETS, l, "1"), -1);
        assert_int_equal(
            pop3check_thresholds_set(t, POP3CHECK_MEASURE_OCTETS, l, NULL), -1);
        assert_int_equal(
            pop3check_thresholds_set_phase(t, POP3CHECK_PHASE_AUTH, l, "1"),
            -1);
        assert_null(pop3check_thresholds_get(t, POP3CHECK_MEASURE_OCTETS, l));
        assert_null(pop3check_thresholds_get_phase(t, POP3CHECK_PHASE_AUTH, l));
    }
    for (size_t i = 0; i < sizeof bad_measures / sizeof *bad_measures; i++) {
        enum pop3check_measure m = (enum pop3check_measure)bad_measures[i];
        assert_int_equal(pop3check_thresholds_set(t, m, WARN, "1"), -1);
        assert_int_equal(pop3check_thresholds_set(t, m, CRIT, NULL), -1);
        assert_null(pop3check_thresholds_get(t, m, WARN));
    }
    for (size_t i = 0; i < sizeof bad_phases / sizeof *bad_phases; i++) {
        enum pop3check_phase p = (enum pop3check_phase)bad_phases[i];
        assert_int_equal(pop3check_thresholds_set_phase(t, p, WARN, "1"), -1);
        assert_int_equal(pop3check_thresholds_set_phase(t, p, CRIT, NULL), -1);
        assert_null(pop3check_thresholds_get_phase(t, p, CRIT));
    }
    assert_everything_set(t);
}

static void test_thresholds_timeout_state(void **state)
{
    struct pop3check_thresholds *t = *state;

    for (int s = POP3CHECK_STATE_OK; s <= POP3CHECK_STATE_UNKNOWN; s++) {
        assert_int_equal(
            pop3check_thresholds_set_timeout_state(t, (enum pop3check_state)s),
            0);
        assert_int_equal(pop3check_thresholds_timeout_state(t), s);
    }
    assert_int_equal(pop3check_thresholds_set_timeout_state(t, WARN), 0);
    assert_int_equal(
        pop3check_thresholds_set_timeout_state(t, (enum pop3check_state)4), -1);
    assert_int_equal(
        pop3check_thresholds_set_timeout_state(t, (enum pop3check_state) - 1),
        -1);
    assert_int_equal(pop3check_thresholds_timeout_state(t), WARN);
}

static void test_thresholds_dup(void **state)
{
    struct pop3check_thresholds *t = *state;
    struct pop3check_thresholds *c;

    set_everything(t);
    assert_int_equal(pop3check_thresholds_set_timeout_state(t, WARN), 0);
    c = pop3check_thresholds_dup(t);
    assert_non_null(c);
    assert_everything_set(c);
    assert_int_equal(pop3check_thresholds_timeout_state(c), WARN);
    assert_int_equal(
        pop3check_thresholds_set(t, POP3CHECK_MEASURE_OCTETS, WARN, NULL), 0);
    assert_string_equal(
        pop3check_thresholds_get(c, POP3CHECK_MEASURE_OCTETS, WARN), "5:");
    pop3check_thresholds_free(c);
}

/* A copy of no thresholds is no thresholds, as new() makes them: a timeout
 * stays CRITICAL. */
static void test_thresholds_dup_null_is_new(void **state)
{
    struct pop3check_thresholds *c = pop3check_thresholds_dup(NULL);
    enum pop3check_state timeout_state;

    (void)state;
    if (c == NULL)
        return; /* refusing is fine too */
    assert_all_unset(c);
    timeout_state = pop3check_thresholds_timeout_state(c);
    pop3check_thresholds_free(c);
    assert_int_equal(timeout_state, CRIT);
}

/* ---- running: the result belongs to the probe ---- */

/* A loopback port where nothing listens (bound, then closed). */
static int closed_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int port;

    assert_true(fd >= 0);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static void on_done(void *ctx, struct pop3check_probe *p,
                    const struct pop3check_result *r)
{
    const struct pop3check_result **seen = ctx;

    assert_ptr_equal(r, pop3check_probe_result(p));
    *seen = r;
}

static void test_probe_run_result_owned_by_probe(void **state)
{
    struct pop3check_options *o = *state;
    struct pop3check_probe *p;
    struct pop3check_multi *m;
    const struct pop3check_result *r, *seen = NULL;

    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_HOST, "127.0.0.1"), 0);
    assert_int_equal(
        pop3check_options_set_long(o, POP3CHECK_OPT_PORT, closed_port()), 0);
    assert_int_equal(
        pop3check_options_set_long(o, POP3CHECK_OPT_TIMEOUT_MS, 5000), 0);
    p = pop3check_probe_new(o, NULL, 0);
    assert_non_null(p);
    r = pop3check_probe_run(p);
    assert_ptr_equal(r, pop3check_probe_result(p));
    assert_int_equal(pop3check_result_error(r), POP3CHECK_E_CONNECT);
    assert_true(pop3check_result_phase_us(r, POP3CHECK_PHASE_TOTAL) >= 0);
    assert_true(pop3check_result_figure(r, POP3CHECK_FIG_STARTED_AT) > 0);
    assert_true(pop3check_result_text(r, POP3CHECK_TEXT_ERROR)[0] != '\0');
    /* The same through a multi: done gets the probe's result. */
    m = pop3check_multi_new();
    assert_non_null(m);
    assert_int_equal(pop3check_multi_add(m, p, on_done, &seen), 0);
    assert_int_equal(pop3check_multi_add(m, p, on_done, &seen), -1);
    while (pop3check_multi_run(m, 1000) > 0)
        ;
    assert_ptr_equal(seen, pop3check_probe_result(p));
    assert_int_equal(pop3check_result_error(seen), POP3CHECK_E_CONNECT);
    pop3check_multi_free(m);
    pop3check_probe_free(p);
}

static void test_multi_refuses_bad_calls(void **state)
{
    struct pop3check_multi *m = pop3check_multi_new();

    (void)state;
    assert_non_null(m);
    assert_int_equal(pop3check_multi_add(m, NULL, NULL, NULL), -1);
    assert_int_equal(pop3check_multi_add(NULL, NULL, NULL, NULL), -1);
    /* Nothing running and no timeout: returns at once, nothing could
     * ever wake it. */
    assert_int_equal(pop3check_multi_run(m, -1), 0);
    assert_int_equal(pop3check_multi_wakeup(m), 0);
    assert_int_equal(pop3check_multi_run(m, 10000), 0); /* woken at once */
    pop3check_multi_free(m);
}

/* ---- version ---- */

static void test_version_run_time_matches_header(void **state)
{
    unsigned major, minor, patch;
    char end;

    (void)state;
    assert_string_equal(pop3check_version(), POP3CHECK_VERSION);
    assert_int_equal(pop3check_version_num(), POP3CHECK_VERSION_NUM);
    assert_int_equal(
        sscanf(POP3CHECK_VERSION, "%u.%u.%u%c", &major, &minor, &patch, &end),
        3);
    assert_int_equal(POP3CHECK_VERSION_NUM,
                     (major << 16) | (minor << 8) | patch);
    assert_int_equal(major, POP3CHECK_VERSION_MAJOR);
    assert_int_equal(minor, POP3CHECK_VERSION_MINOR);
    assert_int_equal(patch, POP3CHECK_VERSION_PATCH);
}

#define O(name)                                                                \
    cmocka_unit_test_setup_teardown(name, setup_options, teardown_options)
#define T(name)                                                                \
    cmocka_unit_test_setup_teardown(name, setup_thresholds, teardown_thresholds)

int main(void)
{
    const struct CMUnitTest tests[] = {
        O(test_options_new_is_unset),
        O(test_options_effective_defaults),
        O(test_options_string_key_refuses_number),
        O(test_options_number_key_refuses_string),
        O(test_options_unknown_key_refused),
        O(test_options_number_out_of_range),
        O(test_options_number_limits_accepted),
        O(test_options_string_refused),
        O(test_options_string_limits_accepted),
        O(test_options_strings_copied),
        O(test_options_password_never_read_back),
        O(test_options_dup_copies_everything),
        O(test_options_set_trace_none),
        O(test_probe_new_token_options),
        cmocka_unit_test(test_api_free_null_is_a_no_op),
        O(test_probe_new_refuses_incomplete_options),
        O(test_probe_new_refuses_address_of_other_family),
        O(test_probe_new_copies_options),
        O(test_probe_result_before_run),
        cmocka_unit_test(test_result_new_is_not_run_phases_texts),
        cmocka_unit_test(test_result_new_is_not_run_figures),
        cmocka_unit_test(test_result_unknown_keys),
        cmocka_unit_test(test_result_getters),
        cmocka_unit_test(test_result_copy),
        cmocka_unit_test(test_result_set_error),
        T(test_thresholds_new_is_unset),
        T(test_thresholds_round_trip),
        T(test_thresholds_slots_independent),
        T(test_thresholds_bad_range_changes_nothing),
        T(test_thresholds_bad_key_changes_nothing),
        T(test_thresholds_timeout_state),
        T(test_thresholds_dup),
        cmocka_unit_test(test_thresholds_dup_null_is_new),
        O(test_probe_run_result_owned_by_probe),
        cmocka_unit_test(test_multi_refuses_bad_calls),
        cmocka_unit_test(test_version_run_time_matches_header),
    };
    char err[256] = "";
    int rc;

    if (pop3check_global_init(err, sizeof err) != 0) {
        fprintf(stderr, "test_api: %s\n", err);
        return 1;
    }
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    pop3check_global_cleanup();
    return rc;
}
