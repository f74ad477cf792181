/* SPDX-License-Identifier: MIT */
/* test_bearer.c - SASL XOAUTH2 and OAUTHBEARER: the initial responses of
 * Google's XOAUTH2 document and RFC 7628 section 4.1, byte for byte; the
 * error challenges of RFC 7628 and of Dovecot; the exchange over POP3
 * AUTH driven by scripted server replies (both forms, the refusal, a
 * broken challenge), and the token never in a transcript or an error. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "bearer.h"
#include "session.h"

/* ---- the pure part ---- */

static void test_token_syntax(void **state)
{
    static char longest[P3_TOKEN_MAX + 2];

    (void)state;
    assert_true(p3_token_ok("ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"));
    assert_true(p3_token_ok("vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg=="));
    assert_true(p3_token_ok("a-b.c_d~e+f/g"));
    assert_false(p3_token_ok(""));
    assert_false(p3_token_ok("=abc")); /* '=' only at the end */
    assert_false(p3_token_ok("ab=c"));
    assert_false(p3_token_ok("abc def"));    /* no spaces */
    assert_false(p3_token_ok("abc\001def")); /* nor the separator */
    assert_false(p3_token_ok("abc\r\nQUIT"));
    memset(longest, 'a', P3_TOKEN_MAX);
    assert_true(p3_token_ok(longest));
    longest[P3_TOKEN_MAX] = 'a';
    assert_false(p3_token_ok(longest));
}

/* Google's XOAUTH2 example, before base64. */
static void test_xoauth2_message(void **state)
{
    static const char want[] = "user=someuser@example.com\001auth=Bearer "
                               "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"
                               "\001\001";
    char out[256];
    long n;

    (void)state;
    n = p3_bearer_message(
        POP3CHECK_AUTH_XOAUTH2, "someuser@example.com", "imap.example.org", 993,
        "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg", out, sizeof out);
    assert_int_equal(n, sizeof want - 1);
    assert_memory_equal(out, want, (size_t)n);
    /* too small: refused, never cut */
    assert_int_equal(p3_bearer_message(POP3CHECK_AUTH_XOAUTH2,
                                       "someuser@example.com", NULL, 0,
                                       "ya29.x", out, 20),
                     -1);
    assert_int_equal(p3_bearer_message(POP3CHECK_AUTH_PLAIN, "u", NULL, 0, "t",
                                       out, sizeof out),
                     -1);
}

/* RFC 7628 section 4.1, and the GS2 escaping of ',' and '=' (RFC 5801). */
static void test_oauthbearer_message(void **state)
{
    static const char want[] =
        "n,a=user@example.com,\001host=server.example.com\001port=143\001"
        "auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\001\001";
    static const char escaped[] = "n,a=a=2Cb=3Dc,\001auth=Bearer t\001\001";
    char out[256];
    long n;

    (void)state;
    n = p3_bearer_message(
        POP3CHECK_AUTH_OAUTHBEARER, "user@example.com", "server.example.com",
        143, "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==", out, sizeof out);
    assert_int_equal(n, sizeof want - 1);
    assert_memory_equal(out, want, (size_t)n);
    n = p3_bearer_message(POP3CHECK_AUTH_OAUTHBEARER, "a,b=c", NULL, 0, "t",
                          out, sizeof out);
    assert_int_equal(n, sizeof escaped - 1);
    assert_memory_equal(out, escaped, (size_t)n);
}

static int challenge(const char *json, char *out, size_t outlen)
{
    return p3_bearer_challenge(json, strlen(json), out, outlen);
}

static void test_challenges(void **state)
{
    char out[200];

    (void)state;
    /* RFC 7628 section 3.2.2's example */
    assert_int_equal(
        challenge("{\"status\":\"invalid_token\",\"scope\":\"example_scope\","
                  "\"openid-configuration\":\"https://example.com/.well-known/"
                  "openid-configuration\"}",
                  out, sizeof out),
        0);
    assert_string_equal(out,
                        "status \"invalid_token\", scope \"example_scope\","
                        " openid-configuration \"https://example.com/"
                        ".well-known/openid-configuration\"");
    /* Dovecot 2.3's XOAUTH2 answer */
    assert_int_equal(challenge("{\"status\":\"401\",\"schemes\":\"bearer\","
                               "\"scope\":\"mail\"}",
                               out, sizeof out),
                     0);
    assert_string_equal(out,
                        "status \"401\", scope \"mail\", schemes \"bearer\"");
    /* a number, and what is not printable */
    assert_int_equal(
        p3_bearer_challenge("{\"status\":401}", 14, out, sizeof out), 0);
    assert_string_equal(out, "status \"401\"");
    assert_int_equal(p3_bearer_challenge("{\"status\":\"a\\u0007\\nb\"}", 23,
                                         out, sizeof out),
                     0);
    assert_string_equal(out, "status \"a??b\"");
    /* an object without the members */
    assert_int_equal(p3_bearer_challenge("{\"x\":1}", 7, out, sizeof out), 0);
    assert_string_equal(out, "an error challenge without a status");
    /* not an object */
    assert_int_equal(p3_bearer_challenge("[1]", 3, out, sizeof out), -1);
    assert_string_equal(out, "an error challenge that is not a JSON object");
    assert_int_equal(p3_bearer_challenge("{\"status\":", 10, out, sizeof out),
                     -1);
    assert_int_equal(p3_bearer_challenge("", 0, out, sizeof out), -1);
    /* duplicate members are refused, not picked from */
    assert_int_equal(p3_bearer_challenge("{\"status\":\"a\",\"status\":\"b\"}",
                                         27, out, sizeof out),
                     -1);
    /* a long value is cut, and the line stays in out */
    {
        char big[1200];
        int k = snprintf(big, sizeof big, "{\"status\":\"%0900d\"}", 7);
        assert_int_equal(p3_bearer_challenge(big, (size_t)k, out, sizeof out),
                         0);
        assert_true(strlen(out) < sizeof out);
        assert_int_equal(strncmp(out, "status \"000", 11), 0);
    }
}

/* ---- over POP3 AUTH ---- */

#define TOKEN "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"

struct fixture {
    struct pop3check_result r;
    struct p3_sess_config cfg;
    struct p3_session *s;
    char trace[32768];
    char token[4001];
    int64_t now;
};

static void on_trace(void *ctx, enum pop3check_trace_dir dir, const char *line,
                     size_t len)
{
    struct fixture *f = ctx;
    size_t have = strlen(f->trace);

    (void)dir;
    snprintf(f->trace + have, sizeof f->trace - have, "%.*s\n", (int)len, line);
}

static int setup(void **state)
{
    static struct fixture f;

    memset(&f, 0, sizeof f);
    p3_result_init(&f.r);
    f.cfg.user = "someuser@example.com";
    f.cfg.token = TOKEN;
    f.cfg.host = "server.example.com";
    f.cfg.port = 143;
    f.cfg.trace = on_trace;
    f.cfg.trace_ctx = &f;
    f.r.capa = POP3CHECK_CAPA_KNOWN | POP3CHECK_CAPA_SASL;
    f.r.sasl = POP3CHECK_SASL_PLAIN | POP3CHECK_SASL_XOAUTH2 |
               POP3CHECK_SASL_OAUTHBEARER;
    snprintf(f.r.capa_text, sizeof f.r.capa_text,
             "SASL PLAIN XOAUTH2 OAUTHBEARER");
    f.now = 1000;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    p3_sess_free(f->s);
    f->s = NULL;
    return 0;
}

static void start(struct fixture *f)
{
    f->s = p3_sess_new(&f->cfg, &f->r, "", 0);
    assert_non_null(f->s);
    assert_int_equal(p3_sess_start(f->s, f->now), P3_SESS_CONTINUE);
}

static void expect_sent(struct fixture *f, const char *line)
{
    const char *buf;
    char want[1024];
    size_t n = p3_sess_pending(f->s, &buf);

    snprintf(want, sizeof want, "%s\r\n", line);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(buf, want, n);
    p3_sess_sent(f->s, n);
}

static enum p3_sess_rc feed(struct fixture *f, const char *data)
{
    f->now += 100;
    return p3_sess_input(f->s, data, strlen(data), f->now);
}

static void logged_in(struct fixture *f)
{
    assert_int_equal(feed(f, "+OK Logged in.\r\n"), P3_SESS_CONTINUE);
    expect_sent(f, "STAT");
    assert_int_equal(feed(f, "+OK 0 0\r\n"), P3_SESS_CONTINUE);
    expect_sent(f, "QUIT");
    assert_int_equal(feed(f, "+OK\r\n"), P3_SESS_DONE);
    assert_int_equal(f->r.error, POP3CHECK_E_OK);
    assert_true(f->r.logged_in);
}

static void no_token_shown(struct fixture *f)
{
    assert_null(strstr(f->trace, "ya29"));
    assert_null(strstr(f->trace, "eWEyOS5")); /* "ya29." in base64 */
    assert_null(strstr(f->r.error_text, "ya29"));
}

static void test_session_xoauth2_initial_response(void **state)
{
    struct fixture *f = *state;

    f->cfg.auth = POP3CHECK_AUTH_XOAUTH2;
    start(f);
    expect_sent(f, "AUTH XOAUTH2 "
                   "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5Ln"
                   "ZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ"
                   "==");
    assert_non_null(strstr(f->trace, "AUTH XOAUTH2 ********"));
    logged_in(f);
    assert_int_equal(f->r.auth_used, POP3CHECK_AUTH_XOAUTH2);
    no_token_shown(f);
}

/* "any" with a token and no password: OAUTHBEARER, RFC 7628's example. */
static void test_session_any_takes_oauthbearer(void **state)
{
    struct fixture *f = *state;

    f->cfg.user = "user@example.com";
    f->cfg.token = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==";
    start(f);
    expect_sent(f, "AUTH OAUTHBEARER "
                   "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUu"
                   "Y29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNS"
                   "bGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB");
    logged_in(f);
    assert_int_equal(f->r.auth_used, POP3CHECK_AUTH_OAUTHBEARER);
    assert_null(strstr(f->trace, "vF9dft"));
}

/* Microsoft 365 offers XOAUTH2 alone: "any" takes it. */
static void test_session_any_takes_xoauth2_alone(void **state)
{
    struct fixture *f = *state;

    f->r.sasl = POP3CHECK_SASL_PLAIN | POP3CHECK_SASL_XOAUTH2;
    start(f);
    assert_int_equal(f->r.auth_used, POP3CHECK_AUTH_XOAUTH2);
}

/* A token too long for the 255 octets of an AUTH line: the two-step form,
 * the whole response in one line however long. */
static void test_session_long_token_two_steps(void **state)
{
    struct fixture *f = *state;
    const char *buf;
    unsigned char raw[5000];
    size_t n, got;

    memset(f->token, 'T', 4000);
    f->cfg.token = f->token;
    f->cfg.auth = POP3CHECK_AUTH_XOAUTH2;
    start(f);
    expect_sent(f, "AUTH XOAUTH2");
    assert_int_equal(feed(f, "+ \r\n"), P3_SESS_CONTINUE);
    n = p3_sess_pending(f->s, &buf);
    assert_true(n > 4000 * 4 / 3);
    assert_memory_equal(buf + n - 2, "\r\n", 2);
    got = p3_base64_decode(buf, n - 2, raw, sizeof raw);
    assert_int_equal(got, strlen("user=someuser@example.com\001auth=Bearer "
                                 "\001\001") +
                              4000);
    assert_memory_equal(raw, "user=someuser@example.com\001auth=Bearer TTTT",
                        42);
    p3_sess_sent(f->s, n);
    assert_non_null(strstr(f->trace, "AUTH XOAUTH2\n+ \n********\n"));
    logged_in(f);
    assert_null(strstr(f->trace, "TTTT"));
}

/* The refusal: the error challenge read, answered with the dummy
 * response, then the -ERR with what the challenge said. */
static void test_session_refused_oauthbearer(void **state)
{
    struct fixture *f = *state;

    f->cfg.auth = POP3CHECK_AUTH_OAUTHBEARER;
    start(f);
    p3_sess_sent(f->s, p3_sess_pending(f->s, &(const char *){NULL}));
    assert_int_equal(
        feed(f,
             "+ "
             "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3B"
             "lIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tL"
             "y53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0=\r\n"),
        P3_SESS_CONTINUE);
    expect_sent(f, "AQ==");
    assert_int_equal(feed(f, "-ERR [AUTH] Authentication failed.\r\n"),
                     P3_SESS_CONTINUE);
    expect_sent(f, "QUIT");
    assert_int_equal(feed(f, "+OK\r\n"), P3_SESS_FAILED);
    assert_int_equal(f->r.error, POP3CHECK_E_AUTH);
    assert_int_equal(f->r.failed_phase, POP3CHECK_PHASE_AUTH);
    assert_int_equal(f->r.rcode, POP3CHECK_RCODE_AUTH);
    assert_string_equal(f->r.error_text,
                        "login failed (SASL OAUTHBEARER: status "
                        "\"invalid_token\", scope \"example_scope\", "
                        "openid-configuration \"https://example.com/"
                        ".well-known/openid-configuration\"): -ERR [AUTH] "
                        "Authentication failed.");
    assert_false(f->r.logged_in);
    no_token_shown(f);
}

/* XOAUTH2's dummy response is an empty line (Google's document). */
static void test_session_refused_xoauth2(void **state)
{
    struct fixture *f = *state;

    f->cfg.auth = POP3CHECK_AUTH_XOAUTH2;
    start(f);
    p3_sess_sent(f->s, p3_sess_pending(f->s, &(const char *){NULL}));
    assert_int_equal(feed(f, "+ eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmV"
                             "yIiwic2NvcGUiOiJtYWlsIn0=\r\n"),
                     P3_SESS_CONTINUE);
    expect_sent(f, "");
    assert_int_equal(feed(f, "-ERR [AUTH] Authentication failed.\r\n"),
                     P3_SESS_CONTINUE);
    assert_non_null(strstr(f->r.error_text, "login failed (SASL XOAUTH2: "
                                            "status \"401\", scope \"mail\""));
}

/* A challenge that is not base64: a protocol error, the exchange
 * cancelled; +OK after an error challenge: a protocol error too. */
static void test_session_broken_challenges(void **state)
{
    struct fixture *f = *state;

    f->cfg.auth = POP3CHECK_AUTH_XOAUTH2;
    start(f);
    p3_sess_sent(f->s, p3_sess_pending(f->s, &(const char *){NULL}));
    assert_int_equal(feed(f, "+ {not base64}\r\n"), P3_SESS_CONTINUE);
    expect_sent(f, "*");
    assert_int_equal(feed(f, "-ERR cancelled\r\n"), P3_SESS_CONTINUE);
    expect_sent(f, "QUIT");
    assert_int_equal(f->r.error, POP3CHECK_E_PROTOCOL);
    assert_non_null(strstr(f->r.error_text, "not base64"));
    p3_sess_free(f->s);

    p3_result_init(&f->r);
    f->r.capa = POP3CHECK_CAPA_KNOWN;
    f->r.sasl = POP3CHECK_SASL_XOAUTH2;
    start(f);
    p3_sess_sent(f->s, p3_sess_pending(f->s, &(const char *){NULL}));
    assert_int_equal(feed(f, "+ eyJzdGF0dXMiOiI0MDEifQ==\r\n"),
                     P3_SESS_CONTINUE);
    expect_sent(f, "");
    assert_int_equal(feed(f, "+OK Logged in.\r\n"), P3_SESS_CONTINUE);
    expect_sent(f, "QUIT");
    assert_int_equal(f->r.error, POP3CHECK_E_PROTOCOL);
    assert_non_null(strstr(f->r.error_text, "+OK after refusing the token "
                                            "(status \"401\")"));
}

/* Forcing a mechanism the server does not list: no token sent. */
static void test_session_forced_not_offered(void **state)
{
    struct fixture *f = *state;

    f->cfg.auth = POP3CHECK_AUTH_OAUTHBEARER;
    f->r.sasl = POP3CHECK_SASL_PLAIN | POP3CHECK_SASL_XOAUTH2;
    snprintf(f->r.capa_text, sizeof f->r.capa_text, "SASL PLAIN XOAUTH2");
    start(f);
    expect_sent(f, "QUIT");
    assert_int_equal(f->r.error, POP3CHECK_E_AUTH);
    assert_string_equal(f->r.error_text,
                        "the server does not offer SASL OAUTHBEARER (its CAPA "
                        "lists: SASL PLAIN XOAUTH2)");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_syntax),
        cmocka_unit_test(test_xoauth2_message),
        cmocka_unit_test(test_oauthbearer_message),
        cmocka_unit_test(test_challenges),
        T(test_session_xoauth2_initial_response),
        T(test_session_any_takes_oauthbearer),
        T(test_session_any_takes_xoauth2_alone),
        T(test_session_long_token_two_steps),
        T(test_session_refused_oauthbearer),
        T(test_session_refused_xoauth2),
        T(test_session_broken_challenges),
        T(test_session_forced_not_offered),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
