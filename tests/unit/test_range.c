/* SPDX-License-Identifier: MIT */
/* test_range.c - unit tests of range.c against the Monitoring Plugins
 * development guidelines: alert when outside start..end (inclusive), '@'
 * inverts, "10" = 0:10, "10:" = 10..inf, "~:10" = -inf..10, start <= end. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "internal.h"

static struct p3_range parse_ok(const char *text)
{
    struct p3_range r;

    memset(&r, 0, sizeof r);
    if (p3_range_parse(text, &r) != 0)
        fail_msg("range '%s' was rejected", text);
    assert_int_equal(r.set, 1);
    return r;
}

/* ---- the forms and their fields ---- */

static void test_range_plain_number_is_zero_to_n(void **state)
{
    struct p3_range r = parse_ok("10");

    (void)state;
    assert_int_equal(r.inside, 0);
    assert_int_equal(r.start_inf, 0);
    assert_int_equal(r.end_inf, 0);
    assert_true(r.start == 0.0);
    assert_true(r.end == 10.0);
}

static void test_range_open_end(void **state)
{
    struct p3_range r = parse_ok("10:");

    (void)state;
    assert_int_equal(r.start_inf, 0);
    assert_int_equal(r.end_inf, 1);
    assert_true(r.start == 10.0);
}

static void test_range_open_start(void **state)
{
    struct p3_range r = parse_ok("~:10");

    (void)state;
    assert_int_equal(r.start_inf, 1);
    assert_int_equal(r.end_inf, 0);
    assert_true(r.end == 10.0);
}

static void test_range_start_end_and_inside(void **state)
{
    struct p3_range r = parse_ok("10:20");
    struct p3_range at = parse_ok("@10:20");

    (void)state;
    assert_int_equal(r.inside, 0);
    assert_true(r.start == 10.0 && r.end == 20.0);
    assert_int_equal(at.inside, 1);
    assert_true(at.start == 10.0 && at.end == 20.0);
}

static void test_range_text_keeps_what_the_user_wrote(void **state)
{
    static const char *const forms[] = {"10",     "10:", "~:10", "10:20",
                                        "@10:20", "0.5", "-5:5", "@~:3"};

    (void)state;
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        struct p3_range r = parse_ok(forms[i]);
        assert_string_equal(r.text, forms[i]);
    }
}

static void test_range_longest_text_that_fits(void **state)
{
    char text[32];
    struct p3_range r;

    (void)state;
    /* "1." and 29 zeros: 31 characters, the most text[32] can hold. */
    memset(text, '0', sizeof text);
    text[0] = '1';
    text[1] = '.';
    text[31] = '\0';
    r = parse_ok(text);
    assert_string_equal(r.text, text);
    assert_true(r.end == 1.0);
}

/* ---- alerts, from the guidelines' table ---- */

static void test_range_alert_table(void **state)
{
    static const struct {
        const char *range;
        double value;
        int alert;
    } v[] = {
        /* "10": outside 0..10 */
        {"10", -1, 1},
        {"10", 0, 0},
        {"10", 5, 0},
        {"10", 10, 0},
        {"10", 10.001, 1},
        /* "10:": below 10 */
        {"10:", 9.999, 1},
        {"10:", 10, 0},
        {"10:", 1e300, 0},
        /* "~:10": above 10 */
        {"~:10", -1e300, 0},
        {"~:10", 10, 0},
        {"~:10", 10.5, 1},
        /* "10:20": outside 10..20, ends inclusive */
        {"10:20", 9, 1},
        {"10:20", 10, 0},
        {"10:20", 15, 0},
        {"10:20", 20, 0},
        {"10:20", 21, 1},
        /* "@10:20": inside 10..20, ends inclusive */
        {"@10:20", 9.99, 0},
        {"@10:20", 10, 1},
        {"@10:20", 15, 1},
        {"@10:20", 20, 1},
        {"@10:20", 20.01, 0},
        /* decimals */
        {"0.5", 0.5, 0},
        {"0.5", 0.51, 1},
        {"0.5", -0.1, 1},
        {"0.25:0.75", 0.2, 1},
        {"0.25:0.75", 0.25, 0},
        /* negative bounds */
        {"-5:5", -5, 0},
        {"-5:5", -5.1, 1},
        {"-5:5", 0, 0},
        {"-5:5", 5, 0},
        {"-5:5", 5.1, 1},
        {"-10:-5", -7, 0},
        {"-10:-5", -4, 1},
        {"@-5:5", -5, 1},
        {"@-5:5", 6, 0},
        /* '@' with open ends */
        {"@~:3", -100, 1},
        {"@~:3", 3, 1},
        {"@~:3", 3.5, 0},
        {"@10:", 10, 1},
        {"@10:", 9, 0},
    };

    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        struct p3_range r = parse_ok(v[i].range);
        int got = p3_range_alert(&r, v[i].value);
        if (got != v[i].alert)
            fail_msg("range '%s' value %g: alert %d, expected %d", v[i].range,
                     v[i].value, got, v[i].alert);
    }
}

static void test_range_unset_never_alerts(void **state)
{
    struct p3_range r;

    (void)state;
    memset(&r, 0, sizeof r);
    assert_int_equal(p3_range_alert(&r, -1e9), 0);
    assert_int_equal(p3_range_alert(&r, 1e9), 0);
    assert_int_equal(p3_range_alert(NULL, 1e9), 0);
}

/* ---- rejections ---- */

static void test_range_rejects_bad_text(void **state)
{
    static const char *const bad[] = {
        "",
        "abc",
        "10:5",  /* start > end */
        "1:2:3", /* two colons */
        "~:",    /* no bound at all */
        "@",     /* nothing after '@' */
        "~",     /* '~' without ':' */
        "1e400", /* not finite */
        "nan",
        "inf",
        "0x10", /* ranges are decimal */
        "10:abc",
        "abc:10",
        "@@10",
        "1234567890123456789012345678901234567890", /* 40 characters */
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct p3_range r;
        memset(&r, 0, sizeof r);
        if (p3_range_parse(bad[i], &r) != -1)
            fail_msg("range '%s' was accepted", bad[i]);
        assert_int_equal(r.set, 0);
    }
}

/* "-5" means 0:-5 ("10" is 0:10), an empty range: the guidelines require
 * start <= end, and the reference parser (parse_range_string) refuses it. */
static void test_range_rejects_bare_negative_number(void **state)
{
    struct p3_range r;

    (void)state;
    memset(&r, 0, sizeof r);
    assert_int_equal(p3_range_parse("-5", &r), -1);
    assert_int_equal(r.set, 0);
}

static void test_range_rejects_null(void **state)
{
    struct p3_range r;

    (void)state;
    memset(&r, 0, sizeof r);
    assert_int_equal(p3_range_parse(NULL, &r), -1);
    assert_int_equal(r.set, 0);
}

/* internal.h: "then *r is unchanged": a bad range never clobbers a good one
 * already in place. */
static void test_range_rejected_text_keeps_previous(void **state)
{
    struct p3_range r = parse_ok("@10:20");
    struct p3_range before = r;

    (void)state;
    assert_int_equal(p3_range_parse("20:10", &r), -1);
    assert_int_equal(p3_range_parse("", &r), -1);
    assert_int_equal(p3_range_parse(NULL, &r), -1);
    assert_memory_equal(&r, &before, sizeof r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range_plain_number_is_zero_to_n),
        cmocka_unit_test(test_range_open_end),
        cmocka_unit_test(test_range_open_start),
        cmocka_unit_test(test_range_start_end_and_inside),
        cmocka_unit_test(test_range_text_keeps_what_the_user_wrote),
        cmocka_unit_test(test_range_longest_text_that_fits),
        cmocka_unit_test(test_range_alert_table),
        cmocka_unit_test(test_range_unset_never_alerts),
        cmocka_unit_test(test_range_rejects_bad_text),
        cmocka_unit_test(test_range_rejects_bare_negative_number),
        cmocka_unit_test(test_range_rejects_null),
        cmocka_unit_test(test_range_rejected_text_keeps_previous),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
