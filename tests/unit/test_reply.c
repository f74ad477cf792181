/* SPDX-License-Identifier: MIT */
/* test_reply.c - unit tests of reply.c and p3_sanitise against RFC 1939
 * (status, STAT, scan listings, UIDL, APOP), RFC 2449 (CAPA, response
 * codes), RFC 3206 (AUTH, SYS/TEMP, SYS/PERM) and RFC 5034 ("+ "). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "internal.h"

/* A string literal and its length, for the (ptr, len) parsers. */
#define S(lit) lit, sizeof(lit) - 1

/* ---- p3_reply_status ---- */

static void expect_status(const char *line, enum p3_status want,
                          const char *want_text)
{
    const char *text = NULL;
    size_t textlen = 99;
    enum p3_status st = p3_reply_status(line, strlen(line), &text, &textlen);

    if (st != want)
        fail_msg("'%s': status %d, expected %d", line, st, want);
    if (want_text == NULL)
        return;
    assert_non_null(text);
    assert_int_equal(textlen, strlen(want_text));
    assert_memory_equal(text, want_text, textlen);
}

static void test_reply_status_ok(void **state)
{
    (void)state;
    expect_status("+OK", P3_REPLY_OK, "");
    expect_status("+OK 2 320", P3_REPLY_OK, "2 320");
    expect_status("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>",
                  P3_REPLY_OK,
                  "POP3 server ready <1896.697170952@dbc.mtview.ca.us>");
}

static void test_reply_status_err(void **state)
{
    (void)state;
    expect_status("-ERR no such message", P3_REPLY_ERR, "no such message");
    expect_status("-ERR", P3_REPLY_ERR, "");
    expect_status("-ERR [IN-USE] maildrop locked", P3_REPLY_ERR,
                  "[IN-USE] maildrop locked");
}

/* RFC 5034, section 4: continue-req = "+" SP [base64] CRLF. */
static void test_reply_status_continuation(void **state)
{
    (void)state;
    expect_status("+ ", P3_REPLY_CONT, "");
    expect_status("+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+",
                  P3_REPLY_CONT,
                  "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+");
}

/* "+" without the SP matches neither continue-req (RFC 5034) nor a status
 * (RFC 1939); internal.h also documents the continuation as "+ ". */
static void test_reply_status_plus_alone_is_bad(void **state)
{
    (void)state;
    expect_status("+", P3_REPLY_BAD, NULL);
}

static void test_reply_status_bad(void **state)
{
    static const char *const bad[] = {
        "",   "garbage", "+OKAY", "+OK\tx", "-ERROR", "-ERRx", "-",
        "OK", "+O",      "+Ok",   " +OK",   "*",      "-err x"};

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        expect_status(bad[i], P3_REPLY_BAD, NULL);
}

static void test_reply_status_respects_len(void **state)
{
    const char *text;
    size_t textlen;

    (void)state;
    /* Only "+OK" of "+OKAY" is given: a bare +OK. */
    assert_int_equal(p3_reply_status("+OKAY", 3, &text, &textlen), P3_REPLY_OK);
    assert_int_equal(textlen, 0);
    assert_int_equal(p3_reply_status("-ERR", 2, &text, &textlen), P3_REPLY_BAD);
}

/* ---- p3_reply_rcode (text after "-ERR ") ---- */

static void test_reply_rcode_known_codes(void **state)
{
    static const struct {
        const char *text;
        enum pop3check_rcode code;
    } v[] = {
        {"[AUTH] invalid password", POP3CHECK_RCODE_AUTH},
        {"[SYS/TEMP] try later", POP3CHECK_RCODE_SYS_TEMP},
        {"[SYS/PERM] account disabled", POP3CHECK_RCODE_SYS_PERM},
        {"[IN-USE] maildrop locked", POP3CHECK_RCODE_IN_USE},
        {"[LOGIN-DELAY] wait 15 minutes", POP3CHECK_RCODE_LOGIN_DELAY},
        {"[AUTH]", POP3CHECK_RCODE_AUTH},
        /* RFC 2449 section 8: hierarchical, unknown detail is ignored */
        {"[SYS/TEMP/FOO] x", POP3CHECK_RCODE_SYS_TEMP},
        {"[SYS/PERM/QUOTA/HARD] x", POP3CHECK_RCODE_SYS_PERM},
        {"[AUTH/EXPIRED] x", POP3CHECK_RCODE_AUTH},
        /* any other code */
        {"[FOO] x", POP3CHECK_RCODE_OTHER},
        {"[SYS] x", POP3CHECK_RCODE_OTHER},
        {"[SYS/TEMPX] x", POP3CHECK_RCODE_OTHER},
        {"[AUTHX] x", POP3CHECK_RCODE_OTHER},
        /* nothing usable */
        {"bad password", POP3CHECK_RCODE_NONE},
        {"", POP3CHECK_RCODE_NONE},
        {"[AUTH", POP3CHECK_RCODE_NONE},
        {"[", POP3CHECK_RCODE_NONE},
        {"[]", POP3CHECK_RCODE_NONE},
        {"[] x", POP3CHECK_RCODE_NONE},
        {"no [AUTH] here", POP3CHECK_RCODE_NONE}, /* code must come first */
    };

    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        enum pop3check_rcode c = p3_reply_rcode(v[i].text, strlen(v[i].text));
        if (c != v[i].code)
            fail_msg("'%s': code %d, expected %d", v[i].text, c, v[i].code);
    }
}

/* RFC 2449 gives the codes in upper case but never makes them case-
 * sensitive, and POP3 keywords are case-insensitive (RFC 1939 section 3):
 * a client should recognise "[auth]". */
static void test_reply_rcode_case_insensitive(void **state)
{
    (void)state;
    assert_int_equal(p3_reply_rcode(S("[auth] x")), POP3CHECK_RCODE_AUTH);
    assert_int_equal(p3_reply_rcode(S("[sys/temp] x")),
                     POP3CHECK_RCODE_SYS_TEMP);
    assert_int_equal(p3_reply_rcode(S("[In-Use] x")), POP3CHECK_RCODE_IN_USE);
}

static void test_reply_rcode_respects_len(void **state)
{
    (void)state;
    /* The ']' lies beyond len: unterminated. */
    assert_int_equal(p3_reply_rcode("[AUTH] x", 5), POP3CHECK_RCODE_NONE);
}

/* ---- p3_parse_stat (text after "+OK ") ---- */

static void test_reply_stat_valid(void **state)
{
    static const struct {
        const char *text;
        int64_t count, octets;
    } v[] = {
        {"2 320", 2, 320},
        {"3 320", 3, 320},
        {"0 0", 0, 0},
        /* RFC 1939 section 5: nothing is required of what follows */
        {"3 320 extra words", 3, 320},
        {"999999999999999999 1", 999999999999999999LL, 1},
    };

    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        int64_t count = -7, octets = -7;
        if (p3_parse_stat(v[i].text, strlen(v[i].text), &count, &octets) != 0)
            fail_msg("'%s' was rejected", v[i].text);
        assert_int_equal(count, v[i].count);
        assert_int_equal(octets, v[i].octets);
    }
}

static void test_reply_stat_malformed(void **state)
{
    /* The 19-digit numbers are above INT64_MAX. */
    static const char *const bad[] = {"",
                                      "3",
                                      "3 ",
                                      "x y",
                                      "-1 5",
                                      "3 -5",
                                      "3 320x",
                                      " 3 320",
                                      "3x 320",
                                      "3\t320",
                                      "9999999999999999999 1",
                                      "1 99999999999999999999"};

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int64_t count, octets;
        if (p3_parse_stat(bad[i], strlen(bad[i]), &count, &octets) != -1)
            fail_msg("'%s' was accepted", bad[i]);
    }
}

/* RFC 1939 section 5 (STAT): "+OK" followed by a single space, the number
 * of messages, a single space and the size. Two spaces are not a drop
 * listing. */
static void test_reply_stat_two_spaces_rejected(void **state)
{
    int64_t count, octets;

    (void)state;
    assert_int_equal(p3_parse_stat(S("3  320"), &count, &octets), -1);
}

static void test_reply_stat_respects_len(void **state)
{
    int64_t count = -1, octets = -1;

    (void)state;
    assert_int_equal(p3_parse_stat("3 320", 3, &count, &octets), 0);
    assert_int_equal(count, 3);
    assert_int_equal(octets, 3);
}

/* ---- p3_parse_listing ---- */

static void test_reply_listing_list_lines(void **state)
{
    int64_t num = -1, size = -1;

    (void)state;
    assert_int_equal(p3_parse_listing(S("1 120"), &num, &size), 0);
    assert_int_equal(num, 1);
    assert_int_equal(size, 120);
    assert_int_equal(p3_parse_listing(S("2 200 more"), &num, &size), 0);
    assert_int_equal(num, 2);
    assert_int_equal(size, 200);
    assert_int_equal(p3_parse_listing(S("0 120"), &num, &size), -1);
    assert_int_equal(p3_parse_listing(S("1"), &num, &size), -1);
    assert_int_equal(p3_parse_listing(S("1 "), &num, &size), -1);
    assert_int_equal(p3_parse_listing(S("1 x"), &num, &size), -1);
    assert_int_equal(p3_parse_listing(S("1 12x"), &num, &size), -1);
    assert_int_equal(p3_parse_listing(S("x 1"), &num, &size), -1);
    assert_int_equal(p3_parse_listing(S("-1 5"), &num, &size), -1);
    assert_int_equal(p3_parse_listing(S(""), &num, &size), -1);
}

static void test_reply_listing_uidl_lines(void **state)
{
    char line[80];
    int64_t num = -1;

    (void)state;
    assert_int_equal(p3_parse_listing(S("1 abc"), &num, NULL), 0);
    assert_int_equal(num, 1);
    assert_int_equal(p3_parse_listing(S("2 QhdPYR:00WBw1Ph7x7"), &num, NULL),
                     0);
    assert_int_equal(num, 2);
    /* RFC 1939 section 7: 1 to 70 characters in 0x21..0x7E */
    memcpy(line, "1 ", 2);
    memset(line + 2, 'u', 70);
    assert_int_equal(p3_parse_listing(line, 72, &num, NULL), 0);
    line[72] = 'u';
    assert_int_equal(p3_parse_listing(line, 73, &num, NULL), -1);
    assert_int_equal(p3_parse_listing(S("1 "), &num, NULL), -1);
    assert_int_equal(p3_parse_listing(S("1"), &num, NULL), -1);
    assert_int_equal(p3_parse_listing(S("0 abc"), &num, NULL), -1);
    assert_int_equal(p3_parse_listing(S("1 ab c"), &num, NULL), -1);
    assert_int_equal(p3_parse_listing(S("1 ab\x01"), &num, NULL), -1);
    assert_int_equal(p3_parse_listing(S("1 ab\tc"), &num, NULL), -1);
    assert_int_equal(p3_parse_listing(S("1 ab\x7f"), &num, NULL), -1);
    assert_int_equal(p3_parse_listing(S("1 ab\x80"), &num, NULL), -1);
}

/* ---- p3_parse_capa_line (RFC 2449 section 6) ---- */

static void test_reply_capa_each_capability(void **state)
{
    static const struct {
        const char *line;
        unsigned flag;
    } v[] = {
        {"STLS", POP3CHECK_CAPA_STLS},
        {"USER", POP3CHECK_CAPA_USER},
        {"TOP", POP3CHECK_CAPA_TOP},
        {"UIDL", POP3CHECK_CAPA_UIDL},
        {"PIPELINING", POP3CHECK_CAPA_PIPELINING},
        {"RESP-CODES", POP3CHECK_CAPA_RESP_CODES},
        {"LOGIN-DELAY 900", POP3CHECK_CAPA_LOGIN_DELAY},
        {"AUTH-RESP-CODE", POP3CHECK_CAPA_AUTH_RESP_CODE},
        {"SASL PLAIN", POP3CHECK_CAPA_SASL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        unsigned capa = 0, sasl = 0;
        p3_parse_capa_line(v[i].line, strlen(v[i].line), &capa, &sasl);
        if (capa != v[i].flag)
            fail_msg("'%s': capa 0x%x, expected 0x%x", v[i].line, capa,
                     v[i].flag);
    }
}

static void test_reply_capa_sasl_mechanisms(void **state)
{
    unsigned capa = 0, sasl = 0;

    (void)state;
    p3_parse_capa_line(S("SASL PLAIN LOGIN CRAM-MD5"), &capa, &sasl);
    assert_int_equal(capa, POP3CHECK_CAPA_SASL);
    assert_int_equal(sasl, POP3CHECK_SASL_PLAIN | POP3CHECK_SASL_LOGIN |
                               POP3CHECK_SASL_CRAM_MD5);
    capa = sasl = 0;
    p3_parse_capa_line(S("SASL GSSAPI DIGEST-MD5 PLAINX"), &capa, &sasl);
    assert_int_equal(capa, POP3CHECK_CAPA_SASL);
    assert_int_equal(sasl, 0);
}

static void test_reply_capa_lower_case(void **state)
{
    unsigned capa = 0, sasl = 0;

    (void)state;
    p3_parse_capa_line(S("sasl plain"), &capa, &sasl);
    assert_int_equal(capa, POP3CHECK_CAPA_SASL);
    assert_int_equal(sasl, POP3CHECK_SASL_PLAIN);
    capa = 0;
    p3_parse_capa_line(S("stls"), &capa, &sasl);
    assert_int_equal(capa, POP3CHECK_CAPA_STLS);
}

static void test_reply_capa_unknown_changes_nothing(void **state)
{
    static const char *const lines[] = {
        "USERX",        "TOPS",       "IMPLEMENTATION Dovecot",
        "EXPIRE NEVER", "X-FOO",      "",
        " USER",        "SASLX PLAIN"};
    const unsigned before = POP3CHECK_CAPA_KNOWN | POP3CHECK_CAPA_TOP;

    (void)state;
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        unsigned capa = before, sasl = POP3CHECK_SASL_LOGIN;
        p3_parse_capa_line(lines[i], strlen(lines[i]), &capa, &sasl);
        if (capa != before || sasl != POP3CHECK_SASL_LOGIN)
            fail_msg("'%s' changed the flags", lines[i]);
    }
}

/* The capability words come from one table (names.c) that also names
 * APOP (the greeting's timestamp) and KNOWN for the front ends: neither is
 * a CAPA line, so a server listing "APOP" or "CAPA" sets nothing. */
static void test_reply_capa_table_only_words(void **state)
{
    static const char *const lines[] = {"APOP", "apop", "CAPA", "KNOWN"};

    (void)state;
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        unsigned capa = 0, sasl = 0;
        p3_parse_capa_line(lines[i], strlen(lines[i]), &capa, &sasl);
        if (capa != 0 || sasl != 0)
            fail_msg("'%s' set capa 0x%x sasl 0x%x", lines[i], capa, sasl);
    }
}

static void test_reply_capa_keeps_earlier_bits(void **state)
{
    unsigned capa = POP3CHECK_CAPA_KNOWN, sasl = POP3CHECK_SASL_LOGIN;

    (void)state;
    p3_parse_capa_line(S("TOP"), &capa, &sasl);
    p3_parse_capa_line(S("SASL PLAIN"), &capa, &sasl);
    assert_int_equal(capa, POP3CHECK_CAPA_KNOWN | POP3CHECK_CAPA_TOP |
                               POP3CHECK_CAPA_SASL);
    assert_int_equal(sasl, POP3CHECK_SASL_LOGIN | POP3CHECK_SASL_PLAIN);
}

/* ---- p3_greeting_timestamp (RFC 1939 section 7, APOP) ---- */

static void test_reply_greeting_rfc1939_example(void **state)
{
    char ts[64];

    (void)state;
    assert_int_equal(
        p3_greeting_timestamp(
            S("POP3 server ready <1896.697170952@dbc.mtview.ca.us>"), ts,
            sizeof ts),
        0);
    assert_string_equal(ts, "<1896.697170952@dbc.mtview.ca.us>");
}

static void test_reply_greeting_without_timestamp(void **state)
{
    static const char *const bad[] = {
        "POP3 server ready",           "ready <>",
        "ready <1896.697170952>",      /* no '@' */
        "ready <1896 697170952@host>", /* space inside */
        "ready <1896.697170952@host",  /* unterminated */
        "ready 1896.697170952@host>",
    };
    char ts[64];

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (p3_greeting_timestamp(bad[i], strlen(bad[i]), ts, sizeof ts) != -1)
            fail_msg("'%s' gave timestamp '%s'", bad[i], ts);
}

static void test_reply_greeting_buffer_size(void **state)
{
    static const char stamp[] = "<1896.697170952@dbc.mtview.ca.us>";
    char ts[sizeof stamp + 8];

    (void)state;
    memset(ts, 'Z', sizeof ts);
    /* No room for the NUL: refused, and nothing beyond tslen written. */
    assert_int_equal(p3_greeting_timestamp(S("ready <1896.697170952@dbc."
                                             "mtview.ca.us>"),
                                           ts, sizeof stamp - 1),
                     -1);
    assert_int_equal(ts[sizeof stamp - 1], 'Z');
    /* Exactly enough room. */
    assert_int_equal(p3_greeting_timestamp(S("ready <1896.697170952@dbc."
                                             "mtview.ca.us>"),
                                           ts, sizeof stamp),
                     0);
    assert_string_equal(ts, stamp);
}

/* ---- p3_sanitise ---- */

static void test_reply_sanitise_control_bytes(void **state)
{
    char dst[32];

    (void)state;
    p3_sanitise(dst, sizeof dst,
                S("ab\x01"
                  "c\td\r\n\x7f\x80\xff"),
                NULL);
    assert_string_equal(dst, "ab?c?d?????");
    p3_sanitise(dst, sizeof dst, "a\0b", 3, NULL);
    assert_string_equal(dst, "a?b");
}

static void test_reply_sanitise_truncates(void **state)
{
    char dst[8];

    (void)state;
    memset(dst, 'Z', sizeof dst);
    p3_sanitise(dst, 4, S("abcdef"), NULL);
    assert_string_equal(dst, "abc");
    assert_int_equal(dst[4], 'Z');
    memset(dst, 'Z', sizeof dst);
    p3_sanitise(dst, 0, S("abcdef"), NULL);
    assert_int_equal(dst[0], 'Z');
}

static void test_reply_sanitise_redacts_secret(void **state)
{
    char dst[64];

    (void)state;
    p3_sanitise(dst, sizeof dst, S("PASS hunter2"), "hunter2");
    assert_string_equal(dst, "PASS ********");
    p3_sanitise(dst, sizeof dst, S("hunter2 said hunter2hunter2"), "hunter2");
    assert_string_equal(dst, "******** said ****************");
    p3_sanitise(dst, sizeof dst, S("PASS hunter2"), NULL);
    assert_string_equal(dst, "PASS hunter2");
    p3_sanitise(dst, sizeof dst, S("PASS hunter2"), "");
    assert_string_equal(dst, "PASS hunter2");
}

static void test_reply_sanitise_truncated_secret_stays_hidden(void **state)
{
    char dst[64];

    (void)state;
    for (size_t n = 1; n <= 14; n++) {
        p3_sanitise(dst, n, S("PASS hunter2"), "hunter2");
        assert_true(strlen(dst) == n - 1);
        assert_memory_equal(dst, "PASS ********", n - 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reply_status_ok),
        cmocka_unit_test(test_reply_status_err),
        cmocka_unit_test(test_reply_status_continuation),
        cmocka_unit_test(test_reply_status_plus_alone_is_bad),
        cmocka_unit_test(test_reply_status_bad),
        cmocka_unit_test(test_reply_status_respects_len),
        cmocka_unit_test(test_reply_rcode_known_codes),
        cmocka_unit_test(test_reply_rcode_case_insensitive),
        cmocka_unit_test(test_reply_rcode_respects_len),
        cmocka_unit_test(test_reply_stat_valid),
        cmocka_unit_test(test_reply_stat_malformed),
        cmocka_unit_test(test_reply_stat_two_spaces_rejected),
        cmocka_unit_test(test_reply_stat_respects_len),
        cmocka_unit_test(test_reply_listing_list_lines),
        cmocka_unit_test(test_reply_listing_uidl_lines),
        cmocka_unit_test(test_reply_capa_each_capability),
        cmocka_unit_test(test_reply_capa_sasl_mechanisms),
        cmocka_unit_test(test_reply_capa_lower_case),
        cmocka_unit_test(test_reply_capa_unknown_changes_nothing),
        cmocka_unit_test(test_reply_capa_table_only_words),
        cmocka_unit_test(test_reply_capa_keeps_earlier_bits),
        cmocka_unit_test(test_reply_greeting_rfc1939_example),
        cmocka_unit_test(test_reply_greeting_without_timestamp),
        cmocka_unit_test(test_reply_greeting_buffer_size),
        cmocka_unit_test(test_reply_sanitise_control_bytes),
        cmocka_unit_test(test_reply_sanitise_truncates),
        cmocka_unit_test(test_reply_sanitise_redacts_secret),
        cmocka_unit_test(test_reply_sanitise_truncated_secret_stays_hidden),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
