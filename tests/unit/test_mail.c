/* SPDX-License-Identifier: MIT */
/* test_mail.c - unit tests of the round trip's pure parts: SMTP reply
 * lines (RFC 5321 4.2, RFC 3463, RFC 2034), mail dates (RFC 5322 3.3 and
 * 4.3, its appendix A), Received: hops (RFC 5321 4.4) and the probe
 * identifier (HMAC-SHA-256, the key, random bytes). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "mail.h"

/* A string literal and its length, for the (ptr, len) parsers. */
#define S(lit) lit, sizeof(lit) - 1

/* ---- SMTP reply lines ---- */

static void expect_smtp(const char *line, int code, int last,
                        const char *enhanced, const char *text)
{
    struct p3_smtp_line l;
    size_t len = strlen(line);

    if (p3_smtp_line_parse(line, len, &l) != 0)
        fail_msg("'%s': not parsed", line);
    assert_int_equal(l.code, code);
    assert_int_equal(l.last, last);
    assert_string_equal(l.enhanced, enhanced);
    assert_true(l.text >= line && l.text + l.textlen == line + len);
    if (l.textlen != strlen(text) || memcmp(l.text, text, l.textlen) != 0)
        fail_msg("'%s': text '%.*s', expected '%s'", line, (int)l.textlen,
                 l.text, text);
}

static void test_smtp_lines_of_real_servers(void **state)
{
    (void)state;
    expect_smtp("250-PIPELINING", 250, 0, "", "PIPELINING");
    expect_smtp("250-mx.example.test", 250, 0, "", "mx.example.test");
    expect_smtp("250 2.0.0 Ok: queued as 4ABCD1234", 250, 1, "2.0.0",
                "Ok: queued as 4ABCD1234");
    expect_smtp("250-2.1.5 Ok", 250, 0, "2.1.5", "Ok");
    expect_smtp("550 5.7.1 Relaying denied", 550, 1, "5.7.1",
                "Relaying denied");
    expect_smtp("451 4.3.0 Error: queue file write error", 451, 1, "4.3.0",
                "Error: queue file write error");
    expect_smtp("535 5.7.8 Error: authentication failed: UGFzc3dvcmQ6", 535, 1,
                "5.7.8", "Error: authentication failed: UGFzc3dvcmQ6");
    expect_smtp("220 mx.example.test ESMTP Postfix", 220, 1, "",
                "mx.example.test ESMTP Postfix");
    expect_smtp("354 End data with <CR><LF>.<CR><LF>", 354, 1, "",
                "End data with <CR><LF>.<CR><LF>");
}

static void test_smtp_code_alone_and_empty_text(void **state)
{
    (void)state;
    expect_smtp("220", 220, 1, "", "");
    expect_smtp("250 ", 250, 1, "", "");
    expect_smtp("250-", 250, 0, "", "");
    expect_smtp("250 2.0.0", 250, 1, "2.0.0", "");
    expect_smtp("221 2.0.0 ", 221, 1, "2.0.0", "");
}

/* RFC 2034 section 4: the class of the enhanced code is the first digit
 * of the reply code; RFC 3463: 1 .. 3 digits for subject and detail. */
static void test_smtp_enhanced_code_rules(void **state)
{
    (void)state;
    expect_smtp("550 2.1.0 x", 550, 1, "", "2.1.0 x");
    expect_smtp("250 5.0.0 x", 250, 1, "", "5.0.0 x");
    expect_smtp("550 5.123.456 x", 550, 1, "5.123.456", "x");
    expect_smtp("550 5.1.1234 x", 550, 1, "", "5.1.1234 x");
    expect_smtp("550 5.1234.1 x", 550, 1, "", "5.1234.1 x");
    expect_smtp("550 5.1.1x", 550, 1, "", "5.1.1x");
    expect_smtp("550 5.1 x", 550, 1, "", "5.1 x");
    expect_smtp("550 5..1 x", 550, 1, "", "5..1 x");
    expect_smtp("550 5.1. x", 550, 1, "", "5.1. x");
    expect_smtp("550 x5.1.1 x", 550, 1, "", "x5.1.1 x");
    expect_smtp("550  5.1.1 x", 550, 1, "", " 5.1.1 x");
    expect_smtp("550 5.1.1   spaces", 550, 1, "5.1.1", "spaces");
    expect_smtp("550 5.1.1\tx", 550, 1, "", "5.1.1\tx");
}

static void test_smtp_not_a_reply(void **state)
{
    static const char *const bad[] = {
        "",       "2",      "25",    "garbage", "250x",  "25a 1",
        "2a0 x",  "600 x",  "199 x", "099 x",   "260 x", "2500",
        "250\tx", " 250 x", "250.x", "-250 x",  "250:x", "9999",
    };
    struct p3_smtp_line l;

    (void)state;
    for (size_t i = 0; i < P3_COUNT(bad); i++)
        if (p3_smtp_line_parse(bad[i], strlen(bad[i]), &l) != -1)
            fail_msg("'%s': parsed", bad[i]);
}

static void test_smtp_respects_len(void **state)
{
    struct p3_smtp_line l;

    (void)state;
    assert_int_equal(p3_smtp_line_parse("250-PIPELINING", 3, &l), 0);
    assert_int_equal(l.last, 1);
    assert_int_equal(l.textlen, 0);
    assert_int_equal(p3_smtp_line_parse(S("250 2.0.0 Ok") - 3, &l), 0);
    assert_string_equal(l.enhanced, "2.0.0");
    assert_int_equal(p3_smtp_line_parse(S("250 2.0.0 Ok") - 4, &l), 0);
    assert_string_equal(l.enhanced, "");
}

/* ---- dates ---- */

static void expect_date(const char *s, int64_t want)
{
    int64_t got = 12345;

    if (p3_mail_date(s, strlen(s), &got) != 0)
        fail_msg("'%s': not a date", s);
    if (got != want)
        fail_msg("'%s': %lld, expected %lld", s, (long long)got,
                 (long long)want);
}

static void expect_no_date(const char *s)
{
    int64_t got = 12345;

    if (p3_mail_date(s, strlen(s), &got) != -1)
        fail_msg("'%s': a date (%lld)", s, (long long)got);
    assert_int_equal(got, 12345);
}

/* The expected values were computed apart from this code, with Python's
 * calendar.timegm on the fields, minus the zone. */
static void test_date_rfc5322_appendix_a(void **state)
{
    (void)state;
    /* A.1.1, A.1.2, A.4 */
    expect_date("Fri, 21 Nov 1997 09:55:06 -0600", 880127706);
    expect_date("Tue, 1 Jul 2003 10:52:37 +0200", 1057049557);
    expect_date("Mon, 24 Nov 1997 14:22:01 -0800", 880410121);
    /* A.5: folding white space and a comment */
    expect_date("Thu,\r\n      13\r\n        Feb\r\n          1969\r\n"
                "      23:32\r\n               -0330 (Newfoundland Time)",
                -27723480);
    /* A.6.2: no day name, a two-digit year, GMT */
    expect_date("21 Nov 97 09:55:06 GMT", 880106106);
    /* A.6.3: comments and white space around the colons */
    expect_date("Fri, 21 Nov 1997 09(comment):   55  :  06 -0600", 880127706);
}

static void test_date_obsolete_forms(void **state)
{
    (void)state;
    expect_date("1 Dec 2026 10:00:00 +0000", 1796119200);
    expect_date("Tue, 1 Dec 26 10:00:00 +0000", 1796119200);
    expect_date("Tue, 1 Dec 126 10:00:00 +0000", 1796119200);
    expect_date("1 Dec 26 10:00:00 +0000", 1796119200);
    expect_date("1 Jan 49 00:00:00 +0000", 2493072000);
    expect_date("1 Jan 50 00:00:00 +0000", -631152000);
    expect_date("1 Dec 2026 10:00 +0000", 1796119200);
    expect_date("tue, 01 DEC 2026 10:00:00 ut", 1796119200);
    expect_date("Tue, 01 Dec 2026 10:00:00 GMT", 1796119200);
    /* 15:00 UTC (1796137200), 16:00 (1796140800), 17:00 (1796144400) */
    expect_date("Tue, 01 Dec 2026 10:00:00 EST", 1796137200);
    expect_date("Tue, 01 Dec 2026 11:00:00 EDT", 1796137200);
    expect_date("Tue, 01 Dec 2026 10:00:00 CST", 1796140800);
    expect_date("Tue, 01 Dec 2026 11:00:00 CDT", 1796140800);
    expect_date("Tue, 01 Dec 2026 10:00:00 MST", 1796144400);
    expect_date("Tue, 01 Dec 2026 11:00:00 MDT", 1796144400);
    expect_date("Tue, 01 Dec 2026 07:00:00 PST", 1796137200);
    expect_date("Tue, 01 Dec 2026 08:00:00 PDT", 1796137200);
    /* military zones: -0000 (section 4.3), J is none */
    expect_date("Tue, 01 Dec 2026 10:00:00 Z", 1796119200);
    expect_date("Tue, 01 Dec 2026 10:00:00 A", 1796119200);
    expect_date("Tue, 01 Dec 2026 10:00:00 y", 1796119200);
    expect_no_date("Tue, 01 Dec 2026 10:00:00 J");
    expect_no_date("Tue, 01 Dec 2026 10:00:00 j");
}

static void test_date_comments_and_white_space(void **state)
{
    (void)state;
    expect_date("  Tue, 01 Dec 2026 10:00:00 +0000  ", 1796119200);
    expect_date("Tue,  1 Dec 2026 10:00:00 +0100 (CET)", 1796115600);
    expect_date("(a) Tue (b) , (c) 1 (d) Dec (e) 2026 (f) 10 (g) : (h) 00 "
                "(i) : (j) 00 (k) +0000 (l)",
                1796119200);
    expect_date("Tue, 1 Dec 2026 10:00:00 +0000 (nested (comment (here)))",
                1796119200);
    expect_date("Tue, 1 Dec 2026 10:00:00 +0000 (quoted \\) paren)",
                1796119200);
    expect_date("Tue,\t1\tDec\t2026\t10:00:00\t+0000", 1796119200);
    expect_date("Tue,1 Dec 2026 10:00:00 +0000", 1796119200);
    expect_no_date("Tue, 1 Dec 2026 10:00:00 +0000 (unterminated");
    expect_no_date("Tue, 1 Dec 2026 10:00:00 +0000 ((one) missing");
    expect_no_date("Tue, 1 Dec 2026 10:00:00 +0000 (\\)");
}

static void test_date_leap_years(void **state)
{
    (void)state;
    expect_date("Thu, 29 Feb 2024 12:00:00 +0000", 1709208000);
    expect_date("Tue, 29 Feb 2000 00:00:00 +0000", 951782400);
    expect_no_date("Sun, 29 Feb 2026 12:00:00 +0000");
    expect_no_date("Thu, 29 Feb 1900 12:00:00 +0000"); /* 100th, not 400th */
    expect_no_date("Thu, 29 Feb 2100 12:00:00 +0000");
    expect_date("28 Feb 2100 00:00:00 +0000", 4107456000);
    expect_no_date("31 Apr 2026 00:00:00 +0000");
    expect_no_date("31 Jun 2026 00:00:00 +0000");
    expect_no_date("31 Sep 2026 00:00:00 +0000");
    expect_no_date("31 Nov 2026 00:00:00 +0000");
    expect_no_date("30 Feb 2024 00:00:00 +0000");
    expect_date("31 Dec 2026 00:00:00 +0000", 1798675200);
    expect_no_date("0 Dec 2026 00:00:00 +0000");
    expect_no_date("32 Dec 2026 00:00:00 +0000");
}

/* The zone moves the instant across days and years; "-0000" is UTC. */
static void test_date_zone_arithmetic(void **state)
{
    (void)state;
    expect_date("Thu, 31 Dec 2026 23:30:00 -0200", 1798767000);
    expect_date("Fri, 01 Jan 2027 01:30:00 +0000", 1798767000);
    expect_date("Fri, 01 Jan 2027 00:30:00 +0200", 1798756200);
    expect_date("Thu, 31 Dec 2026 22:30:00 -0000", 1798756200);
    expect_date("Thu, 01 Jan 1970 00:30:00 +0100", -1800);
    expect_date("Thu, 01 Jan 1970 00:00:00 +0000", 0);
    expect_date("Mon, 01 Jan 1900 00:00:00 +0000", -2208988800);
    expect_date("Fri, 31 Dec 9999 23:59:59 +0000", 253402300799);
    expect_date("Tue, 01 Dec 2026 10:00:00 +9959", 1795759260);
    expect_date("Tue, 01 Dec 2026 10:00:00 -9959", 1796479140);
    expect_date("Sat, 31 Dec 2016 23:59:60 +0000", 1483228800);
    expect_date("Tue, 01 Dec 2026 23:59:59 +0000", 1796119200 + 50399);
}

static void test_date_not_a_date(void **state)
{
    static const char *const bad[] = {
        "",
        "garbage",
        "Tue, 01 Dec 2026 10:00:00",
        "Tue, 01 Dec 2026 10:00:00 +000",
        "Tue, 01 Dec 2026 10:00:00 +00000",
        "Tue, 01 Dec 2026 10:00:00 +0060",
        "Tue, 01 Dec 2026 10:00:00 + 0100",
        "Tue, 01 Dec 2026 10:00:00 CET",
        "Tue, 01 Dec 2026 10:00:00 +0000 x",
        "Tue, 01 Dec 2026 10:00:00 +0000 +0000",
        "Tue, 01 Dec 2026 24:00:00 +0000",
        "Tue, 01 Dec 2026 25:00:00 +0000",
        "Tue, 01 Dec 2026 10:60:00 +0000",
        "Tue, 01 Dec 2026 10:00:61 +0000",
        "Tue, 01 Dec 2026 1:00:00 +0000",
        "Tue, 01 Dec 2026 10:0:00 +0000",
        "Tue, 01 Dec 2026 10:00:0 +0000",
        "Tue, 01 Dec 2026 100:00:00 +0000",
        "Tue, 01 Dec 2026 10:00: +0000",
        "Tue, 01 Dec 2026 10 +0000",
        "Tue 01 Dec 2026 10:00:00 +0000",
        "Tuesday, 01 Dec 2026 10:00:00 +0000",
        "Xyz, 01 Dec 2026 10:00:00 +0000",
        "Tue, 001 Dec 2026 10:00:00 +0000",
        "Tue, Dec 2026 10:00:00 +0000",
        "Tue, 01 December 2026 10:00:00 +0000",
        "Tue, 01 Dex 2026 10:00:00 +0000",
        "Tue, 01 Dec 6 10:00:00 +0000",
        "Tue, 01 Dec 1899 10:00:00 +0000",
        "Tue, 01 Dec 10000 10:00:00 +0000",
        "Tue, 01 Dec 1234567890 10:00:00 +0000",
        "Tue, 01-Dec-2026 10:00:00 +0000",
        "2026-12-01T10:00:00Z",
        "Tue, 01 Dec 2026 10:00:00 GMT+1",
        "Tue, 01 Dec 2026 10.00.00 +0000",
    };

    (void)state;
    for (size_t i = 0; i < P3_COUNT(bad); i++)
        expect_no_date(bad[i]);
}

static void test_date_respects_len_and_nul(void **state)
{
    int64_t t = 0;

    (void)state;
    assert_int_equal(
        p3_mail_date(S("1 Dec 2026 10:00:00 +0000 trailing") - 9, &t), 0);
    assert_int_equal(t, 1796119200);
    assert_int_equal(p3_mail_date(S("1 Dec 2026 10:00:00 +0000") - 1, &t), -1);
    assert_int_equal(p3_mail_date(S("1 Dec 2026 10:00:00 +0000\0"), &t), -1);
    assert_int_equal(p3_mail_date(S("1 Dec\0 2026 10:00:00 +0000"), &t), -1);
}

/* ---- Received: ---- */

static void expect_hop(const char *value, int rc, const char *from,
                       const char *by, int64_t at)
{
    struct p3_hop hop;

    memset(&hop, 'x', sizeof hop);
    if (p3_received_parse(value, strlen(value), &hop) != rc)
        fail_msg("'%s': not %d", value, rc);
    assert_string_equal(hop.from, from);
    assert_string_equal(hop.by, by);
    if (hop.at != at)
        fail_msg("'%s': at %lld, expected %lld", value, (long long)hop.at,
                 (long long)at);
}

static void test_received_postfix(void **state)
{
    (void)state;
    expect_hop("from mail.example.test (mail.example.test [192.0.2.1])\r\n"
               "\tby mx.example.test (Postfix) with ESMTPS id 4ABCD1234\r\n"
               "\tfor <user@example.test>; Tue,  1 Dec 2026 10:00:00 +0100 "
               "(CET)",
               0, "mail.example.test", "mx.example.test", 1796115600);
    /* a local submission: no From-domain, "from userid" in a comment */
    expect_hop("by mx.example.test (Postfix, from userid 0)\tid 4ABCD; Tue,  "
               "1 Dec 2026 10:00:00 +0000 (UTC)",
               0, "", "mx.example.test", 1796119200);
}

static void test_received_dovecot_lmtp(void **state)
{
    (void)state;
    expect_hop("from mta.example.test (localhost [127.0.0.1])\tby sandbox "
               "(Dovecot) with LMTP id abc\tfor <trip@example.test>; Tue, 01 "
               "Dec 2026 10:00:00 +0000",
               0, "mta.example.test", "sandbox", 1796119200);
    /* Dovecot 2.3's own layout, still folded */
    expect_hop("from mail.example.test ([192.0.2.1])\r\n\tby mx.example.test "
               "with LMTP\r\n\tid mdsaAB+BcWBXaAAAWl2fYQ\r\n\t(envelope-from "
               "<sender@example.test>)\r\n\tfor <user@example.test>; Sun, 11 "
               "Apr 2021 12:22:15 +0200",
               0, "mail.example.test", "mx.example.test", 1618136535);
}

static void test_received_exim_literal(void **state)
{
    (void)state;
    expect_hop("from [192.0.2.1] (helo=client.example.test) by "
               "mx.example.test with esmtpsa (TLS1.3) (Exim 4.96) "
               "(envelope-from <a@example.test>) id 1abcDE-000123-Xy for "
               "b@example.test;\r\n\tTue, 01 Dec 2026 10:00:00 +0000",
               0, "[192.0.2.1]", "mx.example.test", 1796119200);
}

static void test_received_semicolons_in_comments(void **state)
{
    (void)state;
    /* the date's comment holds the last ';' of the value */
    expect_hop("from a.example (helo=x;y) by b.example; Tue, 01 Dec 2026 "
               "10:00:00 +0000 (UTC; really)",
               0, "a.example", "b.example", 1796119200);
    expect_hop("from a.example by b.example for <\"x;y\"@c.example>; Tue, "
               "01 Dec 2026 10:00:00 +0000",
               0, "a.example", "b.example", 1796119200);
    /* two top-level ';': the date is after the last; a ';' ends a word */
    expect_hop("from a;b by c.example; Tue, 01 Dec 2026 10:00:00 +0000", 0, "a",
               "c.example", 1796119200);
    expect_hop("from a.example by b.example; id; Tue, 01 Dec 2026 10:00:00 "
               "+0000",
               0, "a.example", "b.example", 1796119200);
}

static void test_received_without_date_or_by(void **state)
{
    (void)state;
    expect_hop("from a.example by b.example with SMTP", 0, "a.example",
               "b.example", -1);
    expect_hop("from a.example by b.example; not a date", 0, "a.example",
               "b.example", -1);
    expect_hop("; Tue, 01 Dec 2026 10:00:00 +0000", 0, "", "", 1796119200);
    /* before 1970 is a date too (found by fuzz_maildate) */
    expect_hop("; Thu, 13 Feb 1969 23:32 -0330", 0, "", "", -27723480);
    expect_hop("from a.example with SMTP", -1, "a.example", "", -1);
    expect_hop("", -1, "", "", -1);
    expect_hop("by", -1, "", "", -1);
    expect_hop("(unterminated by x", -1, "", "", -1);
    /* "from" counts only as the first word, "by" only once */
    expect_hop("with from a.example by b.example by c.example", 0, "",
               "b.example", -1);
    expect_hop("from by b.example", 0, "", "b.example", -1);
    expect_hop("FROM a.example BY b.example", 0, "a.example", "b.example", -1);
    expect_hop("from (comment) a.example (c) by (c) b.example", 0, "a.example",
               "b.example", -1);
}

static void test_received_words_cut_and_sanitised(void **state)
{
    char value[300], want[64];
    struct p3_hop hop;

    (void)state;
    memset(want, 'a', sizeof want - 1);
    want[sizeof want - 1] = '\0';
    p3_format(value, sizeof value, "from %s%s by b.example", want,
              "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    assert_int_equal(p3_received_parse(value, strlen(value), &hop), 0);
    assert_string_equal(hop.from, want);
    assert_string_equal(hop.by, "b.example");
    assert_int_equal(p3_received_parse(S("from a\x01\x7f\xff"
                                         "b by c\x1b"),
                                       &hop),
                     0);
    assert_string_equal(hop.from, "a???b");
    assert_string_equal(hop.by, "c?");
    assert_int_equal(p3_received_parse(S("from a\0b by c"), &hop), 0);
    assert_string_equal(hop.from, "a?b");
}

/* ---- the probe identifier ---- */

static const unsigned char jefe[] = "Jefe";
#define KEY jefe, sizeof jefe - 1

/* Computed apart from this code, with Python's hmac module:
 * hmac.new(b"Jefe", b"v1; c=kat; n=000102030405060708090a0b0c0d0e0f; "
 *          b"t=1764583200000; d=1764583500000", hashlib.sha256).hexdigest()
 * (the same module gives RFC 4231 test case 2, 5bdcc146...64ec3843, for
 * "what do ya want for nothing?"). */
static const char kat_value[] =
    "v1; c=kat; n=000102030405060708090a0b0c0d0e0f; t=1764583200000; "
    "d=1764583500000; "
    "m=98091f0edcde6ba37c84cf9f310a46ffce6cd7d9aa7fcfbdfdcbc71dcd6144e6";

static struct p3_probeid kat_id(void)
{
    struct p3_probeid id;

    memset(&id, 0, sizeof id);
    p3_format(id.check, sizeof id.check, "kat");
    for (unsigned i = 0; i < sizeof id.nonce; i++)
        id.nonce[i] = (unsigned char)i;
    id.sent_ms = 1764583200000;
    id.deadline_ms = 1764583500000;
    return id;
}

static enum p3_probeid_verdict verify(const char *value, const char *check)
{
    return p3_probeid_verify(value, strlen(value), check, KEY, NULL);
}

static void test_probeid_known_answer(void **state)
{
    struct p3_probeid id = kat_id();
    char out[P3_PROBEID_VALUE_MAX];

    (void)state;
    assert_int_equal(p3_probeid_format(&id, KEY, out, sizeof out), 0);
    assert_string_equal(out, kat_value);
}

static void test_probeid_round_trip(void **state)
{
    struct p3_probeid id, got;
    char out[P3_PROBEID_VALUE_MAX];
    static const unsigned char key[] = {0, 1, 2, 0xff, 0};

    (void)state;
    memset(&id, 0, sizeof id);
    p3_format(id.check, sizeof id.check, "trip-1@example.test/inbox");
    assert_int_equal(p3_random(id.nonce, sizeof id.nonce), 0);
    id.sent_ms = 0;
    id.deadline_ms = INT64_MAX;
    assert_int_equal(p3_probeid_format(&id, key, sizeof key, out, sizeof out),
                     0);
    memset(&got, 'x', sizeof got);
    assert_int_equal(
        p3_probeid_verify(out, strlen(out), id.check, key, sizeof key, &got),
        P3_ID_OURS);
    assert_string_equal(got.check, id.check);
    assert_memory_equal(got.nonce, id.nonce, sizeof id.nonce);
    assert_true(got.sent_ms == 0 && got.deadline_ms == INT64_MAX);
    assert_int_equal(
        p3_probeid_verify(out, strlen(out), id.check, key, sizeof key, NULL),
        P3_ID_OURS);
    /* the empty key is a key */
    assert_int_equal(p3_probeid_format(&id, NULL, 0, out, sizeof out), 0);
    assert_int_equal(
        p3_probeid_verify(out, strlen(out), id.check, NULL, 0, NULL),
        P3_ID_OURS);
}

static void test_probeid_other_check(void **state)
{
    struct p3_probeid got;

    (void)state;
    memset(&got, 0, sizeof got);
    assert_int_equal(p3_probeid_verify(S(kat_value), "other", KEY, &got),
                     P3_ID_OTHER_CHECK);
    assert_string_equal(got.check, "kat");
    assert_int_equal(got.sent_ms, 1764583200000);
    assert_int_equal(verify(kat_value, "ka"), P3_ID_OTHER_CHECK);
    assert_int_equal(verify(kat_value, "kat2"), P3_ID_OTHER_CHECK);
    assert_int_equal(verify(kat_value, "KAT"), P3_ID_OTHER_CHECK);
    assert_int_equal(verify(kat_value, NULL), P3_ID_OTHER_CHECK);
    assert_int_equal(verify(kat_value, ""), P3_ID_OTHER_CHECK);
}

/* Replaces the byte at the first occurrence of field + off. */
static void tamper(char *dst, const char *field, size_t off, char c)
{
    char *p;

    p3_format(dst, P3_PROBEID_VALUE_MAX, "%s", kat_value);
    p = strstr(dst, field);
    assert_non_null(p);
    p[strlen(field) + off] = c;
}

static void test_probeid_tampered_is_forged(void **state)
{
    char v[P3_PROBEID_VALUE_MAX];
    static const unsigned char other[] = "jefe";

    (void)state;
    tamper(v, "n=", 0, '1');
    assert_int_equal(verify(v, "kat"), P3_ID_FORGED);
    tamper(v, "n=", 31, 'e');
    assert_int_equal(verify(v, "kat"), P3_ID_FORGED);
    tamper(v, "t=", 12, '1');
    assert_int_equal(verify(v, "kat"), P3_ID_FORGED);
    tamper(v, "d=", 0, '2');
    assert_int_equal(verify(v, "kat"), P3_ID_FORGED);
    tamper(v, "m=", 0, '8');
    assert_int_equal(verify(v, "kat"), P3_ID_FORGED);
    tamper(v, "m=", 63, '7');
    assert_int_equal(verify(v, "kat"), P3_ID_FORGED);
    assert_int_equal(
        p3_probeid_verify(S(kat_value), "kat", other, sizeof other - 1, NULL),
        P3_ID_FORGED);
    assert_int_equal(p3_probeid_verify(S(kat_value), "kat", NULL, 0, NULL),
                     P3_ID_FORGED);
    /* an identifier of another check is not checked at all */
    tamper(v, "c=", 0, 'c');
    assert_int_equal(verify(v, "cat"), P3_ID_FORGED);
    assert_int_equal(verify(v, "kat"), P3_ID_OTHER_CHECK);
}

static void test_probeid_truncated_is_malformed(void **state)
{
    char v[P3_PROBEID_VALUE_MAX];

    (void)state;
    for (size_t n = 0; n < sizeof kat_value - 1; n++) {
        enum p3_probeid_verdict want = n < 3 ? P3_ID_NONE : P3_ID_MALFORMED;
        memcpy(v, kat_value, n);
        v[n] = '\0';
        if (verify(v, "kat") != want)
            fail_msg("%zu bytes: %d, expected %d", n, verify(v, "kat"), want);
    }
}

static void test_probeid_not_an_identifier(void **state)
{
    static const char *const none[] = {
        "",
        " ",
        "hello",
        "x v1; c=kat",
        "V1; c=kat",
        "v; c=kat",
        "v1",
        "1;",
        "v1 ;",
        "va;",
        "<probe@example.test>",
    };

    (void)state;
    for (size_t i = 0; i < P3_COUNT(none); i++)
        if (verify(none[i], "kat") != P3_ID_NONE)
            fail_msg("'%s': not NONE", none[i]);
}

/* A version this release does not know is some other release's: never
 * ours, and not "no identifier" either. */
static void test_probeid_future_version_is_malformed(void **state)
{
    char v[P3_PROBEID_VALUE_MAX];

    (void)state;
    tamper(v, "v", 0, '2');
    assert_int_equal(verify(v, "kat"), P3_ID_MALFORMED);
    assert_int_equal(verify("v2;", "kat"), P3_ID_MALFORMED);
    assert_int_equal(verify("v10; c=kat", "kat"), P3_ID_MALFORMED);
    assert_int_equal(verify("v01; c=kat", "kat"), P3_ID_MALFORMED);
}

static void test_probeid_white_space(void **state)
{
    char v[P3_PROBEID_VALUE_MAX + 16];
    struct {
        const char *from, *to;
    } inside[] = {
        {"v1; c=", "v1;  c="}, {"v1; c=", "v1;\tc="}, {"v1; c=", "v1;\r\n c="},
        {"; n=", " ; n="},     {"; t=", ";t="},       {"; m=", "; m= "},
        {"t=", "t= "},         {"kat;", "kat ;"},
    };

    (void)state;
    /* surrounding white space is allowed, as a header's value has it */
    p3_format(v, sizeof v, " \t%s\r\n", kat_value);
    assert_int_equal(verify(v, "kat"), P3_ID_OURS);
    p3_format(v, sizeof v, "%s   ", kat_value);
    assert_int_equal(verify(v, "kat"), P3_ID_OURS);
    /* white space inside is not what format writes */
    for (size_t i = 0; i < P3_COUNT(inside); i++) {
        const char *at = strstr(kat_value, inside[i].from);
        assert_non_null(at);
        p3_format(v, sizeof v, "%.*s%s%s", (int)(at - kat_value), kat_value,
                  inside[i].to, at + strlen(inside[i].from));
        if (verify(v, "kat") != P3_ID_MALFORMED)
            fail_msg("'%s': not MALFORMED", v);
    }
}

static void test_probeid_strict_fields(void **state)
{
    char v[P3_PROBEID_VALUE_MAX + 64];
    static const char *const bad_times[] = {"01764583200000",
                                            "+1764583200000",
                                            "-1764583200000",
                                            "",
                                            "9223372036854775808",
                                            "99999999999999999999",
                                            "1764583200000x",
                                            "0x1",
                                            " 1"};

    (void)state;
    tamper(v, "m=", 5, 'F'); /* "98091f..." in upper case: the same MAC */
    assert_int_equal(verify(v, "kat"), P3_ID_MALFORMED);
    tamper(v, "n=", 21, 'A'); /* "0a" */
    assert_int_equal(verify(v, "kat"), P3_ID_MALFORMED);
    tamper(v, "n=", 0, 'g');
    assert_int_equal(verify(v, "kat"), P3_ID_MALFORMED);
    for (size_t i = 0; i < P3_COUNT(bad_times); i++) {
        p3_format(v, sizeof v,
                  "v1; c=kat; n=000102030405060708090a0b0c0d0e0f; t=%s; "
                  "d=1764583500000; m=%s",
                  bad_times[i], strstr(kat_value, "m=") + 2);
        if (verify(v, "kat") != P3_ID_MALFORMED)
            fail_msg("t=%s: not MALFORMED", bad_times[i]);
    }
    /* fields out of order, missing, repeated or extra */
    assert_int_equal(verify("v1; n=000102030405060708090a0b0c0d0e0f; c=kat; "
                            "t=1764583200000; d=1764583500000; m=00",
                            "kat"),
                     P3_ID_MALFORMED);
    p3_format(v, sizeof v, "%s; x=1", kat_value);
    assert_int_equal(verify(v, "kat"), P3_ID_MALFORMED);
    p3_format(v, sizeof v, "%s;", kat_value);
    assert_int_equal(verify(v, "kat"), P3_ID_MALFORMED);
    p3_format(v, sizeof v, "%s0", kat_value);
    assert_int_equal(verify(v, "kat"), P3_ID_MALFORMED);
    assert_int_equal(verify("v1; c=; n=000102030405060708090a0b0c0d0e0f; "
                            "t=1; d=1; m=00",
                            ""),
                     P3_ID_MALFORMED);
    assert_int_equal(p3_probeid_verify(S("v1; c=k\0t; n=00"), "k", KEY, NULL),
                     P3_ID_MALFORMED);
}

static void test_probeid_overlong(void **state)
{
    static char v[20000];
    char name[P3_PROBEID_CHECK_MAX + 2];
    struct p3_probeid id = kat_id();
    char out[P3_PROBEID_VALUE_MAX];

    (void)state;
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    p3_format(v, sizeof v,
              "v1; c=%s; n=000102030405060708090a0b0c0d0e0f; "
              "t=1; d=1; m=00",
              name);
    assert_int_equal(verify(v, name), P3_ID_MALFORMED);
    /* the longest name and times make the longest value */
    name[P3_PROBEID_CHECK_MAX] = '\0';
    memcpy(id.check, name, sizeof id.check);
    id.sent_ms = id.deadline_ms = INT64_MAX;
    assert_int_equal(p3_probeid_format(&id, KEY, out, sizeof out), 0);
    assert_true(strlen(out) < P3_PROBEID_VALUE_MAX);
    assert_int_equal(verify(out, name), P3_ID_OURS);
    memset(v, 'x', sizeof v - 1);
    memcpy(v, kat_value, sizeof kat_value - 1);
    v[sizeof v - 1] = '\0';
    assert_int_equal(verify(v, "kat"), P3_ID_MALFORMED);
    memcpy(v, "v1; c=", 6);
    memset(v + 6, 'a', sizeof v - 7);
    assert_int_equal(verify(v, "kat"), P3_ID_MALFORMED);
}

static void test_probeid_format_refuses(void **state)
{
    struct p3_probeid id = kat_id();
    char out[P3_PROBEID_VALUE_MAX];
    static unsigned char longkey[P3_PROBEID_KEY_MAX + 1];
    size_t need = sizeof kat_value;

    (void)state;
    /* every size short of the value and its NUL */
    for (size_t n = 0; n < need; n++) {
        memset(out, 'x', sizeof out);
        assert_int_equal(p3_probeid_format(&id, KEY, out, n), -1);
        if (n > 0)
            assert_string_equal(out, "");
    }
    assert_int_equal(p3_probeid_format(&id, KEY, out, need), 0);
    assert_string_equal(out, kat_value);
    assert_int_equal(
        p3_probeid_format(&id, longkey, sizeof longkey, out, sizeof out), -1);
    assert_string_equal(out, "");
    assert_int_equal(
        p3_probeid_format(&id, longkey, sizeof longkey - 1, out, sizeof out),
        0);
    assert_int_equal(p3_probeid_verify(out, strlen(out), "kat", longkey,
                                       sizeof longkey - 1, NULL),
                     P3_ID_OURS);
    /* a key format refuses makes nothing ours */
    assert_int_equal(p3_probeid_verify(out, strlen(out), "kat", longkey,
                                       sizeof longkey, NULL),
                     P3_ID_FORGED);
    id.sent_ms = -1;
    assert_int_equal(p3_probeid_format(&id, KEY, out, sizeof out), -1);
    id = kat_id();
    id.deadline_ms = INT64_MIN;
    assert_int_equal(p3_probeid_format(&id, KEY, out, sizeof out), -1);
    id = kat_id();
    p3_format(id.check, sizeof id.check, "a b");
    assert_int_equal(p3_probeid_format(&id, KEY, out, sizeof out), -1);
    id.check[0] = '\0';
    assert_int_equal(p3_probeid_format(&id, KEY, out, sizeof out), -1);
    memset(id.check, 'a', sizeof id.check); /* no NUL at all */
    assert_int_equal(p3_probeid_format(&id, KEY, out, sizeof out), -1);
}

static void test_probeid_check_names(void **state)
{
    static const char *const good[] = {
        "a",
        "trip-1",
        "user@example.test/inbox",
        "A.b_c-d@e/f+g:h=i",
        "0123456789012345678901234567890123456789012345678901234567890123",
    };
    static const char *const bad[] = {
        "",
        "a b",
        "a;b",
        "a\tb",
        "a,b",
        "\xc3\xa9",
        "a\"b",
        "a(b)",
        "a\\",
        "a\n",
        "<a>",
        "01234567890123456789012345678901234567890123456789012345678901234",
    };

    (void)state;
    for (size_t i = 0; i < P3_COUNT(good); i++)
        if (!p3_probeid_check_name_ok(good[i]))
            fail_msg("'%s': refused", good[i]);
    for (size_t i = 0; i < P3_COUNT(bad); i++)
        if (p3_probeid_check_name_ok(bad[i]))
            fail_msg("'%s': accepted", bad[i]);
    assert_false(p3_probeid_check_name_ok(NULL));
}

static void expect_key(const char *user, const char *password,
                       const char *want_hex)
{
    unsigned char key[32];
    char hex[65];

    assert_int_equal(p3_probeid_derive_key(user, password, key), 0);
    p3_hex(key, sizeof key, hex);
    assert_string_equal(hex, want_hex);
}

/* Computed apart from this code, with Python's hashlib:
 * hashlib.sha256(b"pop3check round-trip key v1\0" + user + b"\0" +
 *                password).hexdigest() */
static void test_probeid_derive_key(void **state)
{
    unsigned char a[32], b[32];

    (void)state;
    expect_key(
        "trip@example.test", "s3cret",
        "699b0f115b12dd16f63b0a57fb47c18516a3b02fff94dcd2ed0d05044fbb30e2");
    expect_key(
        "", "",
        "304acf9a104d5b5ec843a0896f8aaa4813b6ee09eac8b6d52fa06823ddc52b97");
    expect_key(
        NULL, NULL,
        "304acf9a104d5b5ec843a0896f8aaa4813b6ee09eac8b6d52fa06823ddc52b97");
    /* the NUL keeps user and password apart */
    assert_int_equal(p3_probeid_derive_key("ab", "c", a), 0);
    assert_int_equal(p3_probeid_derive_key("a", "bc", b), 0);
    assert_memory_not_equal(a, b, sizeof a);
    assert_int_equal(p3_probeid_derive_key("a", "bc", a), 0);
    assert_memory_equal(a, b, sizeof a);
}

static void test_random_bytes_differ(void **state)
{
    unsigned char a[32], b[32], zero[32] = {0};

    (void)state;
    assert_int_equal(p3_random(a, sizeof a), 0);
    assert_int_equal(p3_random(b, sizeof b), 0);
    assert_memory_not_equal(a, b, sizeof a);
    assert_memory_not_equal(a, zero, sizeof a);
    assert_int_equal(p3_random(a, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_smtp_lines_of_real_servers),
        cmocka_unit_test(test_smtp_code_alone_and_empty_text),
        cmocka_unit_test(test_smtp_enhanced_code_rules),
        cmocka_unit_test(test_smtp_not_a_reply),
        cmocka_unit_test(test_smtp_respects_len),
        cmocka_unit_test(test_date_rfc5322_appendix_a),
        cmocka_unit_test(test_date_obsolete_forms),
        cmocka_unit_test(test_date_comments_and_white_space),
        cmocka_unit_test(test_date_leap_years),
        cmocka_unit_test(test_date_zone_arithmetic),
        cmocka_unit_test(test_date_not_a_date),
        cmocka_unit_test(test_date_respects_len_and_nul),
        cmocka_unit_test(test_received_postfix),
        cmocka_unit_test(test_received_dovecot_lmtp),
        cmocka_unit_test(test_received_exim_literal),
        cmocka_unit_test(test_received_semicolons_in_comments),
        cmocka_unit_test(test_received_without_date_or_by),
        cmocka_unit_test(test_received_words_cut_and_sanitised),
        cmocka_unit_test(test_probeid_known_answer),
        cmocka_unit_test(test_probeid_round_trip),
        cmocka_unit_test(test_probeid_other_check),
        cmocka_unit_test(test_probeid_tampered_is_forged),
        cmocka_unit_test(test_probeid_truncated_is_malformed),
        cmocka_unit_test(test_probeid_not_an_identifier),
        cmocka_unit_test(test_probeid_future_version_is_malformed),
        cmocka_unit_test(test_probeid_white_space),
        cmocka_unit_test(test_probeid_strict_fields),
        cmocka_unit_test(test_probeid_overlong),
        cmocka_unit_test(test_probeid_format_refuses),
        cmocka_unit_test(test_probeid_check_names),
        cmocka_unit_test(test_probeid_derive_key),
        cmocka_unit_test(test_random_bytes_differ),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
