/* SPDX-License-Identifier: MIT */
/* test_names.c - unit tests of names.c: names and messages of the public
 * enums, their reverse lookups, and the map from libcurl's codes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <string.h>

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

/* ---- errors ---- */

static void test_names_error_names_and_messages(void **state)
{
    const char *names[POP3CHECK_E_COUNT], *msgs[POP3CHECK_E_COUNT];

    (void)state;
    for (int e = 0; e < POP3CHECK_E_COUNT; e++) {
        names[e] = pop3check_error_name((enum pop3check_error)e);
        msgs[e] = pop3check_error_message((enum pop3check_error)e);
    }
    assert_distinct(names, POP3CHECK_E_COUNT);
    assert_distinct(msgs, POP3CHECK_E_COUNT);
}

/* The kinds DESIGN.md names, by the names users see. */
static void test_names_error_names_as_designed(void **state)
{
    static const struct {
        enum pop3check_error e;
        const char *name;
    } v[] = {
        {POP3CHECK_E_OK, "ok"},
        {POP3CHECK_E_RESOLVE, "resolve"},
        {POP3CHECK_E_CONNECT, "connect"},
        {POP3CHECK_E_TIMEOUT, "timeout"},
        {POP3CHECK_E_TLS, "tls"},
        {POP3CHECK_E_CERTIFICATE, "certificate"},
        {POP3CHECK_E_PROTOCOL, "protocol"},
        {POP3CHECK_E_AUTH, "auth"},
        {POP3CHECK_E_COMMAND, "command"},
        {POP3CHECK_E_INTERNAL, "internal"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        assert_string_equal(pop3check_error_name(v[i].e), v[i].name);
}

/* pop3check.h: "never NULL (unknown values give "internal")". */
static void test_names_error_out_of_range(void **state)
{
    const char *internal_msg = pop3check_error_message(POP3CHECK_E_INTERNAL);
    static const int bad[] = {POP3CHECK_E_COUNT, POP3CHECK_E_COUNT + 7, -1};

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
        "resolve", "connect", "tls",  "greeting", "capa", "stls", "auth",
        "stat",    "list",    "uidl", "top",      "retr", "quit", "total"};
    const char *names[POP3CHECK_PHASE_COUNT];

    (void)state;
    assert_int_equal(POP3CHECK_PHASE_COUNT, sizeof designed / sizeof *designed);
    for (int p = 0; p < POP3CHECK_PHASE_COUNT; p++) {
        names[p] = pop3check_phase_name((enum pop3check_phase)p);
        assert_non_null(names[p]);
        assert_string_equal(names[p], designed[p]);
    }
    assert_distinct(names, POP3CHECK_PHASE_COUNT);
}

static void test_names_phase_round_trip(void **state)
{
    (void)state;
    for (int p = 0; p < POP3CHECK_PHASE_COUNT; p++)
        assert_int_equal(pop3check_phase_from_name(
                             pop3check_phase_name((enum pop3check_phase)p)),
                         p);
}

static void test_names_phase_unknown(void **state)
{
    static const char *const bad[] = {"",      "bogus", "totals", "tot",
                                      "auth ", " auth", "retr1"};

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(pop3check_phase_from_name(bad[i]), -1);
    assert_null(pop3check_phase_name(POP3CHECK_PHASE_COUNT));
    assert_null(pop3check_phase_name((enum pop3check_phase) - 1));
}

/* ---- auth mechanisms ---- */

static void test_names_auth_round_trip(void **state)
{
    static const struct {
        enum pop3check_auth a;
        const char *name, *upper;
    } v[] = {
        {POP3CHECK_AUTH_ANY, "any", "ANY"},
        {POP3CHECK_AUTH_USER, "user", "USER"},
        {POP3CHECK_AUTH_APOP, "apop", "APOP"},
        {POP3CHECK_AUTH_PLAIN, "plain", "Plain"},
        {POP3CHECK_AUTH_LOGIN, "login", "LOGIN"},
        {POP3CHECK_AUTH_CRAM_MD5, "cram-md5", "CRAM-MD5"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        assert_string_equal(pop3check_auth_name(v[i].a), v[i].name);
        assert_int_equal(pop3check_auth_from_name(v[i].name), v[i].a);
        assert_int_equal(pop3check_auth_from_name(v[i].upper), v[i].a);
    }
    assert_int_equal(pop3check_auth_from_name("digest-md5"), -1);
    assert_int_equal(pop3check_auth_from_name("cram"), -1);
    assert_int_equal(pop3check_auth_from_name(""), -1);
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
        assert_string_equal(pop3check_state_name(v[i].s), v[i].name);
        assert_int_equal(pop3check_state_from_name(v[i].name), v[i].s);
        assert_int_equal(pop3check_state_from_name(v[i].lower), v[i].s);
        assert_int_equal(pop3check_state_from_name(v[i].mixed), v[i].s);
    }
    assert_int_equal(pop3check_state_from_name("warn"), -1);
    assert_int_equal(pop3check_state_from_name("maybe"), -1);
    assert_int_equal(pop3check_state_from_name(""), -1);
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
}

/* ---- libcurl's codes ---- */

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
        enum pop3check_error got = p3_error_from_curl((int)v[i].code);
        if (got != v[i].kind)
            fail_msg("CURLcode %d (%s): kind %s, expected %s", (int)v[i].code,
                     curl_easy_strerror(v[i].code), pop3check_error_name(got),
                     pop3check_error_name(v[i].kind));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_error_names_and_messages),
        cmocka_unit_test(test_names_error_names_as_designed),
        cmocka_unit_test(test_names_error_out_of_range),
        cmocka_unit_test(test_names_phase_names),
        cmocka_unit_test(test_names_phase_round_trip),
        cmocka_unit_test(test_names_phase_unknown),
        cmocka_unit_test(test_names_auth_round_trip),
        cmocka_unit_test(test_names_state_round_trip),
        cmocka_unit_test(test_names_rcode_names),
        cmocka_unit_test(test_names_error_from_curl),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
