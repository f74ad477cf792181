/* SPDX-License-Identifier: MIT */
/* test_names.c - unit tests of names.c: names and messages of the public
 * enums, the counts, the reverse lookups, the capability and SASL words
 * (one table for the CAPA parser and the front ends), and the map from
 * libcurl's codes to error kinds (conn.c, reached through
 * p3_conn_finish). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <string.h>

#include "conn.h"
#include "internal.h"

/* Every string of names[0..n) is non-NULL, non-empty and unique. */
static void assert_distinct(const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_non_null(names[i]);
        if (names[i][0] == '\0')
            fail_msg("value %zu has an empty name", i);
        for (size_t j = 0; j < i; j++)
            if (strcmp(names[i], names[j]) == 0)
                fail_msg("values %zu and %zu are both '%s'", j, i, names[i]);
    }
}

/* ---- counts ---- */

/* This library knows exactly what its header names: the count functions
 * say the _KNOWN bounds (a newer library may say more, never less). */
static void test_names_counts(void **state)
{
    (void)state;
    assert_int_equal(pop3check_error_count(), POP3CHECK_E_KNOWN);
    assert_int_equal(pop3check_phase_count(), POP3CHECK_PHASE_KNOWN);
    assert_int_equal(POP3CHECK_E_KNOWN, POP3CHECK_E_NOT_DELIVERED + 1);
    assert_int_equal(POP3CHECK_PHASE_KNOWN, POP3CHECK_PHASE_TOKEN + 1);
}

/* ---- errors ---- */

static void test_names_error_names_and_messages(void **state)
{
    const char *names[POP3CHECK_E_KNOWN], *msgs[POP3CHECK_E_KNOWN];
    int n = 0;

    (void)state;
    /* As a front end iterates: up to the count, within the array. */
    for (int e = 0; e < pop3check_error_count() && e < POP3CHECK_E_KNOWN; e++) {
        names[n] = pop3check_error_name((enum pop3check_error)e);
        msgs[n] = pop3check_error_message((enum pop3check_error)e);
        n++;
    }
    assert_int_equal(n, POP3CHECK_E_KNOWN);
    assert_distinct(names, (size_t)n);
    assert_distinct(msgs, (size_t)n);
}

/* The kinds DESIGN.md names, by the names and messages users see. */
static void test_names_error_names_as_designed(void **state)
{
    static const struct {
        enum pop3check_error e;
        int value;
        const char *name, *msg;
    } v[] = {
        {POP3CHECK_E_OK, 0, "ok", "no error"},
        {POP3CHECK_E_RESOLVE, 1, "resolve", "host name could not be resolved"},
        {POP3CHECK_E_CONNECT, 2, "connect", "TCP connection failed"},
        {POP3CHECK_E_TIMEOUT, 3, "timeout", "timed out"},
        {POP3CHECK_E_TLS, 4, "tls", "TLS failed"},
        {POP3CHECK_E_CERTIFICATE, 5, "certificate",
         "server certificate rejected"},
        {POP3CHECK_E_PROTOCOL, 6, "protocol", "server broke the POP3 protocol"},
        {POP3CHECK_E_AUTH, 7, "auth", "login failed"},
        {POP3CHECK_E_COMMAND, 8, "command", "command refused by the server"},
        {POP3CHECK_E_INTERNAL, 9, "internal", "internal error"},
        {POP3CHECK_E_NOT_DELIVERED, 10, "not_delivered",
         "probe message not delivered in time"},
    };

    (void)state;
    assert_int_equal(sizeof v / sizeof *v, POP3CHECK_E_KNOWN);
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        assert_int_equal((int)v[i].e, v[i].value); /* frozen numbers */
        assert_string_equal(pop3check_error_name(v[i].e), v[i].name);
        assert_string_equal(pop3check_error_message(v[i].e), v[i].msg);
    }
}

/* pop3check.h: "never NULL (a value the library does not know gives
 * "internal")". */
static void test_names_error_out_of_range(void **state)
{
    const char *internal_msg = pop3check_error_message(POP3CHECK_E_INTERNAL);
    static const int bad[] = {POP3CHECK_E_KNOWN, POP3CHECK_E_KNOWN + 7, -1,
                              1 << 30};

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        enum pop3check_error e = (enum pop3check_error)bad[i];
        assert_string_equal(pop3check_error_name(e), "internal");
        assert_string_equal(pop3check_error_message(e), internal_msg);
    }
}

/* ---- phases ---- */

static void test_names_phase_names(void **state)
{
    static const char *const designed[] = {
        "resolve", "connect", "tls", "greeting", "capa", "stls", "auth", "stat",
        "list", "uidl", "top", "retr", "quit", "total",
        /* a round trip's (DESIGN.md) */
        "smtp_resolve", "smtp_connect", "smtp_tls", "smtp_greeting",
        "smtp_auth", "smtp_submit", "delivery", "dele",
        /* an OAuth 2.0 client-credentials grant's */
        "token"};
    const char *names[POP3CHECK_PHASE_KNOWN];

    (void)state;
    assert_int_equal(POP3CHECK_PHASE_KNOWN, sizeof designed / sizeof *designed);
    for (int p = 0; p < POP3CHECK_PHASE_KNOWN; p++) {
        names[p] = pop3check_phase_name((enum pop3check_phase)p);
        assert_non_null(names[p]);
        assert_string_equal(names[p], designed[p]);
    }
    assert_distinct(names, POP3CHECK_PHASE_KNOWN);
    assert_int_equal(POP3CHECK_PHASE_RESOLVE, 0);
    assert_int_equal(POP3CHECK_PHASE_QUIT, 12);
    assert_int_equal(POP3CHECK_PHASE_TOTAL, 13);
}

static void test_names_phase_round_trip(void **state)
{
    (void)state;
    for (int p = 0; p < pop3check_phase_count(); p++) {
        const char *name = pop3check_phase_name((enum pop3check_phase)p);
        char upper[32];
        size_t i;

        if (name == NULL)
            continue; /* a value this library does not name */
        assert_int_equal(pop3check_phase_from_name(name), p);
        for (i = 0; name[i] != '\0' && i + 1 < sizeof upper; i++)
            upper[i] =
                (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 'a' + 'A'
                                                        : name[i]);
        upper[i] = '\0';
        assert_int_equal(pop3check_phase_from_name(upper), p);
    }
}

static void test_names_phase_unknown(void **state)
{
    static const char *const bad[] = {"",      "bogus", "totals", "tot",
                                      "auth ", " auth", "retr1"};

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(pop3check_phase_from_name(bad[i]), -1);
    assert_int_equal(pop3check_phase_from_name(NULL), -1);
    assert_null(pop3check_phase_name(POP3CHECK_PHASE_KNOWN));
    assert_null(pop3check_phase_name((enum pop3check_phase)(1 << 20)));
    assert_null(pop3check_phase_name((enum pop3check_phase) - 1));
}

/* ---- TLS modes ---- */

static void test_names_tls_round_trip(void **state)
{
    static const struct {
        enum pop3check_tls t;
        int value;
        const char *name, *other_case;
    } v[] = {
        {POP3CHECK_TLS_NONE, 0, "none", "NONE"},
        {POP3CHECK_TLS_STLS, 1, "stls", "STLS"},
        {POP3CHECK_TLS_IMPLICIT, 2, "implicit", "Implicit"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        assert_int_equal((int)v[i].t, v[i].value);
        assert_string_equal(pop3check_tls_name(v[i].t), v[i].name);
        assert_int_equal(pop3check_tls_from_name(v[i].name), v[i].t);
        assert_int_equal(pop3check_tls_from_name(v[i].other_case), v[i].t);
    }
}

static void test_names_tls_unknown(void **state)
{
    static const char *const bad[] = {"",    "ssl",   "starttls",
                                      "tls", "none ", "implicitly"};

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(pop3check_tls_from_name(bad[i]), -1);
    assert_int_equal(pop3check_tls_from_name(NULL), -1);
    assert_null(pop3check_tls_name((enum pop3check_tls)4));
    assert_null(pop3check_tls_name((enum pop3check_tls) - 1));
}

/* ---- auth mechanisms ---- */

static void test_names_auth_round_trip(void **state)
{
    static const struct {
        enum pop3check_auth a;
        int value;
        const char *name, *upper;
    } v[] = {
        {POP3CHECK_AUTH_ANY, 0, "any", "ANY"},
        {POP3CHECK_AUTH_USER, 1, "user", "USER"},
        {POP3CHECK_AUTH_APOP, 2, "apop", "APOP"},
        {POP3CHECK_AUTH_PLAIN, 3, "plain", "Plain"},
        {POP3CHECK_AUTH_LOGIN, 4, "login", "LOGIN"},
        {POP3CHECK_AUTH_CRAM_MD5, 5, "cram-md5", "CRAM-MD5"},
        {POP3CHECK_AUTH_SCRAM_SHA_1, 6, "scram-sha-1", "SCRAM-SHA-1"},
        {POP3CHECK_AUTH_SCRAM_SHA_256, 7, "scram-sha-256", "SCRAM-SHA-256"},
        {POP3CHECK_AUTH_XOAUTH2, 8, "xoauth2", "XOAUTH2"},
        {POP3CHECK_AUTH_OAUTHBEARER, 9, "oauthbearer", "OAuthBearer"},
        {POP3CHECK_AUTH_SCRAM_SHA_1_PLUS, 10, "scram-sha-1-plus",
         "SCRAM-SHA-1-PLUS"},
        {POP3CHECK_AUTH_SCRAM_SHA_256_PLUS, 11, "scram-sha-256-plus",
         "Scram-Sha-256-Plus"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        assert_int_equal((int)v[i].a, v[i].value);
        assert_string_equal(pop3check_auth_name(v[i].a), v[i].name);
        assert_int_equal(pop3check_auth_from_name(v[i].name), v[i].a);
        assert_int_equal(pop3check_auth_from_name(v[i].upper), v[i].a);
    }
    assert_int_equal(pop3check_auth_from_name("digest-md5"), -1);
    assert_int_equal(pop3check_auth_from_name("cram"), -1);
    assert_int_equal(pop3check_auth_from_name(""), -1);
    assert_int_equal(pop3check_auth_from_name(NULL), -1);
    assert_null(pop3check_auth_name((enum pop3check_auth)100));
    assert_int_equal(pop3check_auth_from_name("scram-sha-512-plus"), -1);
    assert_null(pop3check_auth_name((enum pop3check_auth)12));
    assert_null(pop3check_auth_name((enum pop3check_auth) - 1));
}

/* ---- states ---- */

static void test_names_state_round_trip(void **state)
{
    static const struct {
        enum pop3check_state s;
        const char *name, *lower, *mixed;
    } v[] = {
        {POP3CHECK_STATE_OK, "OK", "ok", "Ok"},
        {POP3CHECK_STATE_WARNING, "WARNING", "warning", "Warning"},
        {POP3CHECK_STATE_CRITICAL, "CRITICAL", "critical", "cRiTiCaL"},
        {POP3CHECK_STATE_UNKNOWN, "UNKNOWN", "unknown", "Unknown"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        assert_int_equal((int)v[i].s, (int)i); /* the plugin's exit codes */
        assert_string_equal(pop3check_state_name(v[i].s), v[i].name);
        assert_int_equal(pop3check_state_from_name(v[i].name), v[i].s);
        assert_int_equal(pop3check_state_from_name(v[i].lower), v[i].s);
        assert_int_equal(pop3check_state_from_name(v[i].mixed), v[i].s);
    }
    assert_int_equal(pop3check_state_from_name("warn"), -1);
    assert_int_equal(pop3check_state_from_name("maybe"), -1);
    assert_int_equal(pop3check_state_from_name(""), -1);
    assert_int_equal(pop3check_state_from_name(NULL), -1);
    assert_string_equal(pop3check_state_name((enum pop3check_state)4),
                        "UNKNOWN");
}

/* ---- response codes ---- */

static void test_names_rcode_names(void **state)
{
    static const struct {
        enum pop3check_rcode c;
        const char *name;
    } v[] = {
        {POP3CHECK_RCODE_AUTH, "AUTH"},
        {POP3CHECK_RCODE_SYS_TEMP, "SYS/TEMP"},
        {POP3CHECK_RCODE_SYS_PERM, "SYS/PERM"},
        {POP3CHECK_RCODE_IN_USE, "IN-USE"},
        {POP3CHECK_RCODE_LOGIN_DELAY, "LOGIN-DELAY"},
    };
    const char *names[sizeof v / sizeof *v + 1];

    (void)state;
    assert_string_equal(pop3check_rcode_name(POP3CHECK_RCODE_NONE), "");
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        names[i] = pop3check_rcode_name(v[i].c);
        assert_string_equal(names[i], v[i].name);
    }
    names[sizeof v / sizeof *v] = pop3check_rcode_name(POP3CHECK_RCODE_OTHER);
    assert_distinct(names, sizeof v / sizeof *v + 1);
    assert_string_equal(pop3check_rcode_name((enum pop3check_rcode)7), "");
    assert_string_equal(pop3check_rcode_name((enum pop3check_rcode) - 1), "");
}

/* ---- capability and SASL words ---- */

static void test_names_capa_words(void **state)
{
    static const struct {
        unsigned flag;
        const char *word;
    } v[] = {
        {POP3CHECK_CAPA_STLS, "STLS"},
        {POP3CHECK_CAPA_USER, "USER"},
        {POP3CHECK_CAPA_TOP, "TOP"},
        {POP3CHECK_CAPA_UIDL, "UIDL"},
        {POP3CHECK_CAPA_PIPELINING, "PIPELINING"},
        {POP3CHECK_CAPA_RESP_CODES, "RESP-CODES"},
        {POP3CHECK_CAPA_LOGIN_DELAY, "LOGIN-DELAY"},
        {POP3CHECK_CAPA_SASL, "SASL"},
        {POP3CHECK_CAPA_APOP, "APOP"},
        {POP3CHECK_CAPA_AUTH_RESP_CODE, "AUTH-RESP-CODE"},
        {POP3CHECK_CAPA_KNOWN, "CAPA"},
    };
    const char *words[sizeof v / sizeof *v];

    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        words[i] = pop3check_capa_name(v[i].flag);
        if (words[i] == NULL || strcmp(words[i], v[i].word) != 0)
            fail_msg("flag 0x%x: '%s', expected '%s'", v[i].flag,
                     words[i] ? words[i] : "(null)", v[i].word);
    }
    assert_distinct(words, sizeof v / sizeof *v);
}

/* As a front end lists them: every bit 0..31; a name exactly for the
 * bits the header defines. */
static void test_names_capa_every_bit(void **state)
{
    const unsigned defined =
        POP3CHECK_CAPA_STLS | POP3CHECK_CAPA_USER | POP3CHECK_CAPA_TOP |
        POP3CHECK_CAPA_UIDL | POP3CHECK_CAPA_PIPELINING |
        POP3CHECK_CAPA_RESP_CODES | POP3CHECK_CAPA_LOGIN_DELAY |
        POP3CHECK_CAPA_SASL | POP3CHECK_CAPA_APOP |
        POP3CHECK_CAPA_AUTH_RESP_CODE | POP3CHECK_CAPA_KNOWN;
    const unsigned sasl_defined =
        POP3CHECK_SASL_PLAIN | POP3CHECK_SASL_LOGIN | POP3CHECK_SASL_CRAM_MD5 |
        POP3CHECK_SASL_SCRAM_SHA_1 | POP3CHECK_SASL_SCRAM_SHA_256 |
        POP3CHECK_SASL_SCRAM_SHA_1_PLUS | POP3CHECK_SASL_SCRAM_SHA_256_PLUS |
        POP3CHECK_SASL_XOAUTH2 | POP3CHECK_SASL_OAUTHBEARER;

    (void)state;
    for (int b = 0; b < 32; b++) {
        unsigned f = 1u << b;
        if ((pop3check_capa_name(f) != NULL) != ((defined & f) != 0))
            fail_msg("capa bit %d: name %s", b,
                     pop3check_capa_name(f) ? "given" : "missing");
        if ((pop3check_sasl_name(f) != NULL) != ((sasl_defined & f) != 0))
            fail_msg("sasl bit %d: name %s", b,
                     pop3check_sasl_name(f) ? "given" : "missing");
    }
}

/* "NULL when flag is not exactly one bit". */
static void test_names_flag_not_one_bit(void **state)
{
    static const unsigned bad[] = {
        0u,
        POP3CHECK_CAPA_STLS | POP3CHECK_CAPA_USER,
        POP3CHECK_CAPA_KNOWN | POP3CHECK_CAPA_TOP,
        ~0u,
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_null(pop3check_capa_name(bad[i]));
        assert_null(pop3check_sasl_name(bad[i]));
    }
    assert_null(
        pop3check_sasl_name(POP3CHECK_SASL_PLAIN | POP3CHECK_SASL_LOGIN));
}

static void test_names_sasl_words(void **state)
{
    (void)state;
    assert_string_equal(pop3check_sasl_name(POP3CHECK_SASL_PLAIN), "PLAIN");
    assert_string_equal(pop3check_sasl_name(POP3CHECK_SASL_LOGIN), "LOGIN");
    assert_string_equal(pop3check_sasl_name(POP3CHECK_SASL_CRAM_MD5),
                        "CRAM-MD5");
}

/* The parser reads the same words the front ends print: each CAPA word
 * back to its flag, in any case; APOP (the greeting's) and "CAPA" (the
 * front ends' word for KNOWN) are never CAPA lines. */
static void test_names_capa_word_round_trip(void **state)
{
    (void)state;
    for (int b = 0; b < 32; b++) {
        unsigned f = 1u << b;
        const char *w = pop3check_capa_name(f);
        char lower[32];
        size_t n;

        if (w == NULL)
            continue;
        n = strlen(w);
        assert_true(n < sizeof lower);
        for (size_t i = 0; i <= n; i++)
            lower[i] =
                (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] - 'A' + 'a' : w[i]);
        if (f == POP3CHECK_CAPA_APOP || f == POP3CHECK_CAPA_KNOWN) {
            assert_int_equal(p3_capa_flag(w, n), 0);
            continue;
        }
        assert_int_equal(p3_capa_flag(w, n), f);
        assert_int_equal(p3_capa_flag(lower, n), f);
        assert_int_equal(p3_capa_flag(w, n - 1), 0); /* a prefix is not it */
    }
    assert_int_equal(p3_capa_flag("IMPLEMENTATION", 14), 0);
    assert_int_equal(p3_capa_flag("", 0), 0);
}

static void test_names_sasl_word_round_trip(void **state)
{
    (void)state;
    for (int b = 0; b < 32; b++) {
        unsigned f = 1u << b;
        const char *w = pop3check_sasl_name(f);

        if (w == NULL)
            continue;
        assert_int_equal(p3_sasl_flag(w, strlen(w)), f);
    }
    assert_int_equal(p3_sasl_flag("plain", 5), POP3CHECK_SASL_PLAIN);
    assert_int_equal(p3_sasl_flag("cram-md5", 8), POP3CHECK_SASL_CRAM_MD5);
    assert_int_equal(p3_sasl_flag("GSSAPI", 6), 0);
    assert_int_equal(p3_sasl_flag("DIGEST-MD5", 10), 0);
    assert_int_equal(p3_sasl_flag("PLAINX", 6), 0);
}

/* ---- libcurl's codes ---- */

/* The kind p3_conn_finish gives a transfer that ended with code, on an
 * easy handle that never ran. */
static enum pop3check_error kind_of_code(CURLcode code)
{
    struct p3_opts o = {.host = (char *)"127.0.0.1", .port = 110};
    struct pop3check_result r;
    struct p3_conn c;

    memset(&c, 0, sizeof c);
    p3_result_init(&r);
    c.o = &o;
    c.r = &r;
    p3_tracker_init(&c.trk, &r, 0, NULL, NULL);
    c.easy = curl_easy_init();
    assert_non_null(c.easy);
    assert_int_equal(p3_conn_finish(&c, (int)code, 1000),
                     code == CURLE_OK ? 0 : -1);
    curl_easy_cleanup(c.easy);
    if (code != CURLE_OK)
        assert_true(r.error_text[0] != '\0');
    return r.error;
}

static void test_names_error_from_curl(void **state)
{
    static const struct {
        CURLcode code;
        enum pop3check_error kind;
    } v[] = {
        {CURLE_OK, POP3CHECK_E_OK},
        {CURLE_COULDNT_RESOLVE_HOST, POP3CHECK_E_RESOLVE},
        {CURLE_COULDNT_CONNECT, POP3CHECK_E_CONNECT},
        {CURLE_OPERATION_TIMEDOUT, POP3CHECK_E_TIMEOUT},
        {CURLE_PEER_FAILED_VERIFICATION, POP3CHECK_E_CERTIFICATE},
        {CURLE_SSL_CONNECT_ERROR, POP3CHECK_E_TLS},
        {CURLE_USE_SSL_FAILED, POP3CHECK_E_TLS},
        {CURLE_WEIRD_SERVER_REPLY, POP3CHECK_E_PROTOCOL},
        {CURLE_LOGIN_DENIED, POP3CHECK_E_AUTH},
        {CURLE_OUT_OF_MEMORY, POP3CHECK_E_INTERNAL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        enum pop3check_error got = kind_of_code(v[i].code);
        if (got != v[i].kind)
            fail_msg("CURLcode %d (%s): kind %s, expected %s", (int)v[i].code,
                     curl_easy_strerror(v[i].code), pop3check_error_name(got),
                     pop3check_error_name(v[i].kind));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_counts),
        cmocka_unit_test(test_names_error_names_and_messages),
        cmocka_unit_test(test_names_error_names_as_designed),
        cmocka_unit_test(test_names_error_out_of_range),
        cmocka_unit_test(test_names_phase_names),
        cmocka_unit_test(test_names_phase_round_trip),
        cmocka_unit_test(test_names_phase_unknown),
        cmocka_unit_test(test_names_tls_round_trip),
        cmocka_unit_test(test_names_tls_unknown),
        cmocka_unit_test(test_names_auth_round_trip),
        cmocka_unit_test(test_names_state_round_trip),
        cmocka_unit_test(test_names_rcode_names),
        cmocka_unit_test(test_names_capa_words),
        cmocka_unit_test(test_names_capa_every_bit),
        cmocka_unit_test(test_names_flag_not_one_bit),
        cmocka_unit_test(test_names_sasl_words),
        cmocka_unit_test(test_names_capa_word_round_trip),
        cmocka_unit_test(test_names_sasl_word_round_trip),
        cmocka_unit_test(test_names_error_from_curl),
    };
    int rc;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
