/* SPDX-License-Identifier: MIT */
/* test_evaluate.c - unit tests of evaluate.c: a result and thresholds to a
 * Monitoring Plugins state (OK, WARNING, CRITICAL, UNKNOWN) and a reason,
 * on results built by hand as the library fills them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pop3check.h"

#define T0  1700000000LL /* started_at of every result here */
#define DAY 86400LL

/* A result as the library starts one: nothing performed, nothing known. */
static void blank_result(struct pop3check_result *r)
{
    pop3check_result_init(r);
    r->started_at = T0;
}

/* A successful login that took 0.5 s, with 3 messages of 320 octets. */
static void good_result(struct pop3check_result *r)
{
    blank_result(r);
    r->phase_us[POP3CHECK_PHASE_RESOLVE] = 1000;
    r->phase_us[POP3CHECK_PHASE_CONNECT] = 2000;
    r->phase_us[POP3CHECK_PHASE_GREETING] = 3000;
    r->phase_us[POP3CHECK_PHASE_AUTH] = 400000;
    r->phase_us[POP3CHECK_PHASE_STAT] = 4000;
    r->phase_us[POP3CHECK_PHASE_QUIT] = 1000;
    r->phase_us[POP3CHECK_PHASE_TOTAL] = 500000;
    r->logged_in = 1;
    r->messages = 3;
    r->octets = 320;
}

static void set_range(struct pop3check_range *r, const char *text)
{
    if (pop3check_range_parse(text, r) != 0)
        fail_msg("range '%s' rejected", text);
}

static void failed(struct pop3check_result *r, enum pop3check_error e,
                   enum pop3check_phase phase, const char *text)
{
    r->error = e;
    r->failed_phase = phase;
    snprintf(r->error_text, sizeof r->error_text, "%s", text);
}

static void test_evaluate_ok_without_thresholds(void **state)
{
    struct pop3check_result r;
    struct pop3check_thresholds t;
    char why[256] = "junk";

    (void)state;
    good_result(&r);
    memset(&t, 0, sizeof t);
    assert_int_equal(pop3check_evaluate(&r, &t, why, sizeof why),
                     POP3CHECK_STATE_OK);
    assert_string_equal(why, "");
}

static void test_evaluate_total_time_warning(void **state)
{
    struct pop3check_result r;
    struct pop3check_thresholds t;
    char why[256];

    (void)state;
    good_result(&r);
    r.phase_us[POP3CHECK_PHASE_TOTAL] = 3500000; /* 3.5 s */
    memset(&t, 0, sizeof t);
    set_range(&t.phase_warn[POP3CHECK_PHASE_TOTAL], "3");
    set_range(&t.phase_crit[POP3CHECK_PHASE_TOTAL], "5");
    assert_int_equal(pop3check_evaluate(&r, &t, why, sizeof why),
                     POP3CHECK_STATE_WARNING);
    assert_non_null(strstr(why, "total"));
}

static void test_evaluate_total_time_critical(void **state)
{
    struct pop3check_result r;
    struct pop3check_thresholds t;
    char why[256];

    (void)state;
    good_result(&r);
    r.phase_us[POP3CHECK_PHASE_TOTAL] = 6000000; /* 6 s */
    memset(&t, 0, sizeof t);
    set_range(&t.phase_warn[POP3CHECK_PHASE_TOTAL], "3");
    set_range(&t.phase_crit[POP3CHECK_PHASE_TOTAL], "5");
    assert_int_equal(pop3check_evaluate(&r, &t, why, sizeof why),
                     POP3CHECK_STATE_CRITICAL);
    assert_non_null(strstr(why, "total"));
    /* On the boundary: 5 s is inside 0..5, 3 s inside 0..3. */
    r.phase_us[POP3CHECK_PHASE_TOTAL] = 5000000;
    assert_int_equal(pop3check_evaluate(&r, &t, why, sizeof why),
                     POP3CHECK_STATE_WARNING);
    r.phase_us[POP3CHECK_PHASE_TOTAL] = 3000000;
    assert_int_equal(pop3check_evaluate(&r, &t, why, sizeof why),
                     POP3CHECK_STATE_OK);
}

static void test_evaluate_phase_threshold(void **state)
{
    struct pop3check_result r;
    struct pop3check_thresholds t;
    char why[256];

    (void)state;
    good_result(&r); /* auth took 0.4 s */
    memset(&t, 0, sizeof t);
    set_range(&t.phase_warn[POP3CHECK_PHASE_AUTH], "0.2");
    assert_int_equal(pop3check_evaluate(&r, &t, why, sizeof why),
                     POP3CHECK_STATE_WARNING);
    assert_non_null(strstr(why, "auth"));
    set_range(&t.phase_crit[POP3CHECK_PHASE_AUTH], "0.3");
    assert_int_equal(pop3check_evaluate(&r, &t, why, sizeof why),
                     POP3CHECK_STATE_CRITICAL);
}

/* A phase that was not performed has no time, not zero time: even a range
 * that every number below 1 s violates must stay quiet. */
static void test_evaluate_phase_not_performed_never_alerts(void **state)
{
    struct pop3check_result r;
    struct pop3check_thresholds t;
    char why[256];

    (void)state;
    good_result(&r);
    memset(&t, 0, sizeof t);
    set_range(&t.phase_crit[POP3CHECK_PHASE_LIST], "1:");
    set_range(&t.phase_warn[POP3CHECK_PHASE_RETR], "@~:10");
    set_range(&t.phase_crit[POP3CHECK_PHASE_TLS], "0");
    assert_int_equal(pop3check_evaluate(&r, &t, why, sizeof why),
                     POP3CHECK_STATE_OK);
    assert_string_equal(why, "");
}

static void test_evaluate_messages_thresholds(void **state)
{
    struct pop3check_result r;
    struct pop3check_thresholds t;
    char why[256];

    (void)state;
    good_result(&r);
    memset(&t, 0, sizeof t);
    set_range(&t.messages_warn, "100");
    set_range(&t.messages_crit, "200");
    r.messages = 100;
    assert_int_equal(pop3check_evaluate(&r, &t, why, sizeof why),
                     POP3CHECK_STATE_OK);
    r.messages = 150;
    assert_int_equal(pop3check_evaluate(&r, &t, why, sizeof why),
                     POP3CHECK_STATE_WARNING);
    assert_non_null(strstr(why, "messages"));
    r.messages = 250;
    assert_int_equal(pop3check_evaluate(&r, &t, why, sizeof why),
                     POP3CHECK_STATE_CRITICAL);
    assert_non_null(strstr(why, "messages"));
}

static void test_evaluate_octets_thresholds(void **state)
{
    struct pop3check_result r;
    struct pop3check_thresholds t;
    char why[256];

    (void)state;
    good_result(&r);
    memset(&t, 0, sizeof t);
    set_range(&t.octets_warn, "1000");
    set_range(&t.octets_crit, "5000");
    r.octets = 2000;
    assert_int_equal(pop3check_evaluate(&r, &t, why, sizeof why),
                     POP3CHECK_STATE_WARNING);
    assert_true(why[0] != '\0');
    r.octets = 6000;
    assert_int_equal(pop3check_evaluate(&r, &t, why, sizeof why),
                     POP3CHECK_STATE_CRITICAL);
    assert_true(why[0] != '\0');
}

/* Figures that are unknown (-1) are not judged: "1:" would alert on -1. */
static void test_evaluate_unknown_figures_never_alert(void **state)
{
    struct pop3check_result r;
    struct pop3check_thresholds t;

    (void)state;
    good_result(&r);
    r.messages = r.octets = -1;
    memset(&t, 0, sizeof t);
    set_range(&t.messages_crit, "1:");
    set_range(&t.octets_crit, "1:");
    assert_int_equal(pop3check_evaluate(&r, &t, NULL, 0), POP3CHECK_STATE_OK);
}

static void test_evaluate_failure_is_critical(void **state)
{
    struct pop3check_result r;
    struct pop3check_thresholds t;
    char why[256];

    (void)state;
    blank_result(&r);
    r.phase_us[POP3CHECK_PHASE_RESOLVE] = 1000;
    r.phase_us[POP3CHECK_PHASE_TOTAL] = 3000;
    failed(&r, POP3CHECK_E_CONNECT, POP3CHECK_PHASE_CONNECT,
           "connection refused");
    memset(&t, 0, sizeof t);
    assert_int_equal(pop3check_evaluate(&r, &t, why, sizeof why),
                     POP3CHECK_STATE_CRITICAL);
    assert_true(why[0] != '\0');
}

static void test_evaluate_timeout_state(void **state)
{
    struct pop3check_result r;
    struct pop3check_thresholds t;
    char why[256];

    (void)state;
    blank_result(&r);
    r.phase_us[POP3CHECK_PHASE_TOTAL] = 10000000;
    failed(&r, POP3CHECK_E_TIMEOUT, POP3CHECK_PHASE_GREETING, "timed out");
    memset(&t, 0, sizeof t);
    /* Not set: CRITICAL, as the guidelines say for a socket timeout. */
    assert_int_equal(pop3check_evaluate(&r, &t, why, sizeof why),
                     POP3CHECK_STATE_CRITICAL);
    t.timeout_state_set = 1;
    t.timeout_state = POP3CHECK_STATE_WARNING;
    assert_int_equal(pop3check_evaluate(&r, &t, why, sizeof why),
                     POP3CHECK_STATE_WARNING);
    assert_true(why[0] != '\0');
    t.timeout_state = POP3CHECK_STATE_UNKNOWN;
    assert_int_equal(pop3check_evaluate(&r, &t, why, sizeof why),
                     POP3CHECK_STATE_UNKNOWN);
}

/* The timeout state applies to timeouts only. */
static void test_evaluate_timeout_state_ignored_for_other_errors(void **state)
{
    struct pop3check_result r;
    struct pop3check_thresholds t;

    (void)state;
    blank_result(&r);
    failed(&r, POP3CHECK_E_AUTH, POP3CHECK_PHASE_AUTH, "login failed");
    memset(&t, 0, sizeof t);
    t.timeout_state_set = 1;
    t.timeout_state = POP3CHECK_STATE_WARNING;
    assert_int_equal(pop3check_evaluate(&r, &t, NULL, 0),
                     POP3CHECK_STATE_CRITICAL);
}

static void test_evaluate_internal_is_unknown(void **state)
{
    struct pop3check_result r;
    struct pop3check_thresholds t;

    (void)state;
    blank_result(&r);
    failed(&r, POP3CHECK_E_INTERNAL, POP3CHECK_PHASE_RESOLVE, "out of memory");
    memset(&t, 0, sizeof t);
    assert_int_equal(pop3check_evaluate(&r, &t, NULL, 0),
                     POP3CHECK_STATE_UNKNOWN);
}

static void test_evaluate_failure_beats_warning_threshold(void **state)
{
    struct pop3check_result r;
    struct pop3check_thresholds t;
    char why[256];

    (void)state;
    good_result(&r);
    r.phase_us[POP3CHECK_PHASE_TOTAL] = 4000000;
    failed(&r, POP3CHECK_E_COMMAND, POP3CHECK_PHASE_STAT, "STAT refused");
    memset(&t, 0, sizeof t);
    set_range(&t.phase_warn[POP3CHECK_PHASE_TOTAL], "3");
    assert_int_equal(pop3check_evaluate(&r, &t, why, sizeof why),
                     POP3CHECK_STATE_CRITICAL);
}

/* A timeout judged WARNING is still raised by a critical threshold. */
static void test_evaluate_critical_threshold_beats_timeout_warning(void **state)
{
    struct pop3check_result r;
    struct pop3check_thresholds t;

    (void)state;
    blank_result(&r);
    r.phase_us[POP3CHECK_PHASE_TOTAL] = 10000000;
    failed(&r, POP3CHECK_E_TIMEOUT, POP3CHECK_PHASE_AUTH, "timed out");
    memset(&t, 0, sizeof t);
    t.timeout_state_set = 1;
    t.timeout_state = POP3CHECK_STATE_WARNING;
    set_range(&t.phase_crit[POP3CHECK_PHASE_TOTAL], "5");
    assert_int_equal(pop3check_evaluate(&r, &t, NULL, 0),
                     POP3CHECK_STATE_CRITICAL);
}

/* -D 30,14: days left from the probe's start to the expiry. */
static enum pop3check_state cert_state(int64_t not_after, int warn, int crit,
                                       char *why, size_t whylen)
{
    struct pop3check_result r;
    struct pop3check_thresholds t;

    good_result(&r);
    r.tls = 1;
    r.cert_not_after = not_after;
    memset(&t, 0, sizeof t);
    t.cert_warn_days = warn;
    t.cert_crit_days = crit;
    return pop3check_evaluate(&r, &t, why, whylen);
}

static void test_evaluate_certificate_days(void **state)
{
    char why[256];

    (void)state;
    assert_int_equal(cert_state(T0 - DAY, 30, 14, why, sizeof why),
                     POP3CHECK_STATE_CRITICAL);
    assert_non_null(strstr(why, "certificate"));
    assert_int_equal(cert_state(T0 + 10 * DAY, 30, 14, why, sizeof why),
                     POP3CHECK_STATE_CRITICAL);
    assert_non_null(strstr(why, "certificate"));
    assert_int_equal(cert_state(T0 + 20 * DAY, 30, 14, why, sizeof why),
                     POP3CHECK_STATE_WARNING);
    assert_non_null(strstr(why, "certificate"));
    assert_int_equal(cert_state(T0 + 40 * DAY, 30, 14, why, sizeof why),
                     POP3CHECK_STATE_OK);
    assert_string_equal(why, "");
}

/* "Alert when fewer days left": exactly 14 days is not below 14. */
static void test_evaluate_certificate_boundaries(void **state)
{
    (void)state;
    assert_int_equal(cert_state(T0 + 14 * DAY, 30, 14, NULL, 0),
                     POP3CHECK_STATE_WARNING);
    assert_int_equal(cert_state(T0 + 14 * DAY - 1, 30, 14, NULL, 0),
                     POP3CHECK_STATE_CRITICAL);
    assert_int_equal(cert_state(T0 + 30 * DAY, 30, 14, NULL, 0),
                     POP3CHECK_STATE_OK);
}

static void test_evaluate_certificate_expired_with_warn_only(void **state)
{
    (void)state;
    assert_int_equal(cert_state(T0 - 5 * DAY, 30, 0, NULL, 0),
                     POP3CHECK_STATE_CRITICAL);
    assert_int_equal(cert_state(T0 + 5 * DAY, 30, 0, NULL, 0),
                     POP3CHECK_STATE_WARNING);
}

static void test_evaluate_certificate_unknown_no_alert(void **state)
{
    (void)state;
    assert_int_equal(cert_state(-1, 30, 14, NULL, 0), POP3CHECK_STATE_OK);
}

static void test_evaluate_why_buffer(void **state)
{
    struct pop3check_result r;
    struct pop3check_thresholds t;
    char why[16];

    (void)state;
    good_result(&r);
    r.messages = 500;
    memset(&t, 0, sizeof t);
    set_range(&t.messages_crit, "10");
    /* NULL or empty: allowed, same state. */
    assert_int_equal(pop3check_evaluate(&r, &t, NULL, 0),
                     POP3CHECK_STATE_CRITICAL);
    memset(why, 'Z', sizeof why);
    assert_int_equal(pop3check_evaluate(&r, &t, why, 0),
                     POP3CHECK_STATE_CRITICAL);
    assert_int_equal(why[0], 'Z');
    /* Small: truncated, NUL-terminated, nothing written beyond. */
    memset(why, 'Z', sizeof why);
    assert_int_equal(pop3check_evaluate(&r, &t, why, 8),
                     POP3CHECK_STATE_CRITICAL);
    assert_true(strlen(why) < 8);
    assert_int_equal(why[8], 'Z');
}

static void test_evaluate_cert_days_left(void **state)
{
    struct pop3check_result r;

    (void)state;
    blank_result(&r);
    r.cert_not_after = T0 + 10 * DAY;
    assert_true(fabs(pop3check_cert_days_left(&r) - 10.0) < 1e-9);
    r.cert_not_after = T0 + DAY / 2;
    assert_true(fabs(pop3check_cert_days_left(&r) - 0.5) < 1e-9);
    r.cert_not_after = T0;
    assert_true(fabs(pop3check_cert_days_left(&r)) < 1e-9);
    r.cert_not_after = T0 - 3 * DAY;
    assert_true(fabs(pop3check_cert_days_left(&r) + 3.0) < 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evaluate_ok_without_thresholds),
        cmocka_unit_test(test_evaluate_total_time_warning),
        cmocka_unit_test(test_evaluate_total_time_critical),
        cmocka_unit_test(test_evaluate_phase_threshold),
        cmocka_unit_test(test_evaluate_phase_not_performed_never_alerts),
        cmocka_unit_test(test_evaluate_messages_thresholds),
        cmocka_unit_test(test_evaluate_octets_thresholds),
        cmocka_unit_test(test_evaluate_unknown_figures_never_alert),
        cmocka_unit_test(test_evaluate_failure_is_critical),
        cmocka_unit_test(test_evaluate_timeout_state),
        cmocka_unit_test(test_evaluate_timeout_state_ignored_for_other_errors),
        cmocka_unit_test(test_evaluate_internal_is_unknown),
        cmocka_unit_test(test_evaluate_failure_beats_warning_threshold),
        cmocka_unit_test(
            test_evaluate_critical_threshold_beats_timeout_warning),
        cmocka_unit_test(test_evaluate_certificate_days),
        cmocka_unit_test(test_evaluate_certificate_boundaries),
        cmocka_unit_test(test_evaluate_certificate_expired_with_warn_only),
        cmocka_unit_test(test_evaluate_certificate_unknown_no_alert),
        cmocka_unit_test(test_evaluate_why_buffer),
        cmocka_unit_test(test_evaluate_cert_days_left),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
