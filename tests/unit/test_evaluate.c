/* SPDX-License-Identifier: MIT */
/* test_evaluate.c - unit tests of evaluate.c: a result and thresholds to a
 * Monitoring Plugins state (OK, WARNING, CRITICAL, UNKNOWN) and a reason,
 * on results built by hand as the library fills them (internal.h) and
 * thresholds set through the public API (thresholds.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define T0  1700000000LL /* started_at of every result here */
#define DAY 86400LL

#define WARN POP3CHECK_STATE_WARNING
#define CRIT POP3CHECK_STATE_CRITICAL

/* One result and one set of thresholds per test. */
struct fixture {
    struct pop3check_result r;
    struct pop3check_thresholds *t;
};

static int setup(void **state)
{
    static struct fixture f;

    memset(&f, 0, sizeof f);
    f.t = pop3check_thresholds_new();
    if (f.t == NULL)
        return -1;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    pop3check_thresholds_free(f->t);
    f->t = NULL;
    return 0;
}

/* A result as the library starts one: nothing performed, nothing known. */
static void blank_result(struct pop3check_result *r)
{
    p3_result_init(r);
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

static void set_phase(struct pop3check_thresholds *t, enum pop3check_phase p,
                      enum pop3check_state level, const char *text)
{
    if (pop3check_thresholds_set_phase(t, p, level, text) != 0)
        fail_msg("phase %s range '%s' rejected", pop3check_phase_name(p), text);
}

static void set_measure(struct pop3check_thresholds *t,
                        enum pop3check_measure m, enum pop3check_state level,
                        const char *text)
{
    if (pop3check_thresholds_set(t, m, level, text) != 0)
        fail_msg("measure %d range '%s' rejected", (int)m, text);
}

static void failed(struct pop3check_result *r, enum pop3check_error e,
                   enum pop3check_phase phase, const char *text)
{
    r->error = e;
    r->failed_phase = phase;
    snprintf(r->error_text, sizeof r->error_text, "%s", text);
}

static enum pop3check_state eval(const struct fixture *f, char *why,
                                 size_t whylen)
{
    return pop3check_evaluate(&f->r, f->t, why, whylen);
}

static void test_evaluate_ok_without_thresholds(void **state)
{
    struct fixture *f = *state;
    char why[256] = "junk";

    good_result(&f->r);
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_OK);
    assert_string_equal(why, "");
    snprintf(why, sizeof why, "junk");
    /* NULL thresholds: none set, as documented. */
    assert_int_equal(pop3check_evaluate(&f->r, NULL, why, sizeof why),
                     POP3CHECK_STATE_OK);
    assert_string_equal(why, "");
}

static void test_evaluate_total_time_warning(void **state)
{
    struct fixture *f = *state;
    char why[256];

    good_result(&f->r);
    f->r.phase_us[POP3CHECK_PHASE_TOTAL] = 3500000; /* 3.5 s */
    set_phase(f->t, POP3CHECK_PHASE_TOTAL, WARN, "3");
    set_phase(f->t, POP3CHECK_PHASE_TOTAL, CRIT, "5");
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_WARNING);
    assert_string_equal(why, "total 3.5 s (warning 3)");
}

static void test_evaluate_total_time_critical(void **state)
{
    struct fixture *f = *state;
    char why[256];

    good_result(&f->r);
    f->r.phase_us[POP3CHECK_PHASE_TOTAL] = 6000000; /* 6 s */
    set_phase(f->t, POP3CHECK_PHASE_TOTAL, WARN, "3");
    set_phase(f->t, POP3CHECK_PHASE_TOTAL, CRIT, "5");
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_CRITICAL);
    assert_string_equal(why, "total 6 s (critical 5)");
    /* On the boundary: 5 s is inside 0..5, 3 s inside 0..3. */
    f->r.phase_us[POP3CHECK_PHASE_TOTAL] = 5000000;
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_WARNING);
    f->r.phase_us[POP3CHECK_PHASE_TOTAL] = 3000000;
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_OK);
}

static void test_evaluate_phase_threshold(void **state)
{
    struct fixture *f = *state;
    char why[256];

    good_result(&f->r); /* auth took 0.4 s */
    set_phase(f->t, POP3CHECK_PHASE_AUTH, WARN, "0.2");
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_WARNING);
    assert_string_equal(why, "auth 0.4 s (warning 0.2)");
    set_phase(f->t, POP3CHECK_PHASE_AUTH, CRIT, "0.3");
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_CRITICAL);
    assert_string_equal(why, "auth 0.4 s (critical 0.3)");
    /* Unset again (NULL): quiet again. */
    assert_int_equal(
        pop3check_thresholds_set_phase(f->t, POP3CHECK_PHASE_AUTH, CRIT, NULL),
        0);
    assert_int_equal(
        pop3check_thresholds_set_phase(f->t, POP3CHECK_PHASE_AUTH, WARN, NULL),
        0);
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_OK);
}

/* Two reasons of the same level are both given, the worse level alone. */
static void test_evaluate_reasons_joined(void **state)
{
    struct fixture *f = *state;
    char why[256];

    good_result(&f->r);
    set_phase(f->t, POP3CHECK_PHASE_AUTH, WARN, "0.2");
    set_measure(f->t, POP3CHECK_MEASURE_MESSAGES, WARN, "2");
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_WARNING);
    assert_string_equal(why, "auth 0.4 s (warning 0.2), messages 3 "
                             "(warning 2)");
    set_measure(f->t, POP3CHECK_MEASURE_OCTETS, CRIT, "100");
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_CRITICAL);
    assert_string_equal(why, "mailbox size 320 B (critical 100)");
}

/* A phase that was not performed has no time, not zero time: even a range
 * that every number below 1 s violates must stay quiet. */
static void test_evaluate_phase_not_performed_never_alerts(void **state)
{
    struct fixture *f = *state;
    char why[256];

    good_result(&f->r);
    set_phase(f->t, POP3CHECK_PHASE_LIST, CRIT, "1:");
    set_phase(f->t, POP3CHECK_PHASE_RETR, WARN, "@~:10");
    set_phase(f->t, POP3CHECK_PHASE_TLS, CRIT, "0");
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_OK);
    assert_string_equal(why, "");
}

static void test_evaluate_messages_thresholds(void **state)
{
    struct fixture *f = *state;
    char why[256];

    good_result(&f->r);
    set_measure(f->t, POP3CHECK_MEASURE_MESSAGES, WARN, "100");
    set_measure(f->t, POP3CHECK_MEASURE_MESSAGES, CRIT, "200");
    f->r.messages = 100;
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_OK);
    f->r.messages = 150;
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_WARNING);
    assert_string_equal(why, "messages 150 (warning 100)");
    f->r.messages = 250;
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_CRITICAL);
    assert_string_equal(why, "messages 250 (critical 200)");
}

static void test_evaluate_octets_thresholds(void **state)
{
    struct fixture *f = *state;
    char why[256];

    good_result(&f->r);
    set_measure(f->t, POP3CHECK_MEASURE_OCTETS, WARN, "1000");
    set_measure(f->t, POP3CHECK_MEASURE_OCTETS, CRIT, "5000");
    f->r.octets = 2000;
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_WARNING);
    assert_string_equal(why, "mailbox size 2000 B (warning 1000)");
    f->r.octets = 6000;
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_CRITICAL);
    assert_string_equal(why, "mailbox size 6000 B (critical 5000)");
}

/* Figures that are unknown (-1) are not judged: "1:" would alert on -1. */
static void test_evaluate_unknown_figures_never_alert(void **state)
{
    struct fixture *f = *state;

    good_result(&f->r);
    f->r.messages = f->r.octets = -1;
    set_measure(f->t, POP3CHECK_MEASURE_MESSAGES, CRIT, "1:");
    set_measure(f->t, POP3CHECK_MEASURE_OCTETS, CRIT, "1:");
    assert_int_equal(eval(f, NULL, 0), POP3CHECK_STATE_OK);
}

static void test_evaluate_failure_is_critical(void **state)
{
    struct fixture *f = *state;
    char why[256];

    blank_result(&f->r);
    f->r.phase_us[POP3CHECK_PHASE_RESOLVE] = 1000;
    f->r.phase_us[POP3CHECK_PHASE_TOTAL] = 3000;
    failed(&f->r, POP3CHECK_E_CONNECT, POP3CHECK_PHASE_CONNECT,
           "connection refused");
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_CRITICAL);
    assert_string_equal(why, "connection refused");
}

static void test_evaluate_timeout_state(void **state)
{
    struct fixture *f = *state;
    char why[256];

    blank_result(&f->r);
    f->r.phase_us[POP3CHECK_PHASE_TOTAL] = 10000000;
    failed(&f->r, POP3CHECK_E_TIMEOUT, POP3CHECK_PHASE_GREETING, "timed out");
    /* Not set: CRITICAL, as the guidelines say for a socket timeout. */
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_CRITICAL);
    assert_int_equal(pop3check_evaluate(&f->r, NULL, NULL, 0),
                     POP3CHECK_STATE_CRITICAL);
    assert_int_equal(pop3check_thresholds_set_timeout_state(f->t, WARN), 0);
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_WARNING);
    assert_string_equal(why, "timed out");
    assert_int_equal(
        pop3check_thresholds_set_timeout_state(f->t, POP3CHECK_STATE_UNKNOWN),
        0);
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_UNKNOWN);
    assert_int_equal(
        pop3check_thresholds_set_timeout_state(f->t, POP3CHECK_STATE_OK), 0);
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_OK);
}

/* The timeout state applies to timeouts only. */
static void test_evaluate_timeout_state_ignored_for_other_errors(void **state)
{
    struct fixture *f = *state;

    blank_result(&f->r);
    failed(&f->r, POP3CHECK_E_AUTH, POP3CHECK_PHASE_AUTH, "login failed");
    assert_int_equal(pop3check_thresholds_set_timeout_state(f->t, WARN), 0);
    assert_int_equal(eval(f, NULL, 0), POP3CHECK_STATE_CRITICAL);
}

static void test_evaluate_internal_is_unknown(void **state)
{
    struct fixture *f = *state;

    blank_result(&f->r);
    failed(&f->r, POP3CHECK_E_INTERNAL, POP3CHECK_PHASE_RESOLVE,
           "out of memory");
    assert_int_equal(eval(f, NULL, 0), POP3CHECK_STATE_UNKNOWN);
}

/* What a front end marks failed with pop3check_result_set_error(). */
static void test_evaluate_result_set_error(void **state)
{
    struct fixture *f = *state;
    char why[256];

    blank_result(&f->r);
    assert_int_equal(pop3check_result_set_error(&f->r, POP3CHECK_E_INTERNAL,
                                                "shutting down"),
                     0);
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_UNKNOWN);
    assert_string_equal(why, "shutting down");
}

static void test_evaluate_failure_beats_warning_threshold(void **state)
{
    struct fixture *f = *state;
    char why[256];

    good_result(&f->r);
    f->r.phase_us[POP3CHECK_PHASE_TOTAL] = 4000000;
    failed(&f->r, POP3CHECK_E_COMMAND, POP3CHECK_PHASE_STAT, "STAT refused");
    set_phase(f->t, POP3CHECK_PHASE_TOTAL, WARN, "3");
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_CRITICAL);
    assert_string_equal(why, "STAT refused");
}

/* A timeout judged WARNING is still raised by a critical threshold. */
static void test_evaluate_critical_threshold_beats_timeout_warning(void **state)
{
    struct fixture *f = *state;
    char why[256];

    blank_result(&f->r);
    f->r.phase_us[POP3CHECK_PHASE_TOTAL] = 10000000;
    failed(&f->r, POP3CHECK_E_TIMEOUT, POP3CHECK_PHASE_AUTH, "timed out");
    assert_int_equal(pop3check_thresholds_set_timeout_state(f->t, WARN), 0);
    set_phase(f->t, POP3CHECK_PHASE_TOTAL, CRIT, "5");
    assert_int_equal(eval(f, why, sizeof why), POP3CHECK_STATE_CRITICAL);
    assert_string_equal(why, "total 10 s (critical 5)");
}

/* -D 30,14 as check_pop3 sets it: warning "30:", critical "14:" on the
 * days from the probe's start to the expiry (NULL: not set). */
static enum pop3check_state cert_state(struct fixture *f, int64_t not_after,
                                       const char *warn, const char *crit,
                                       char *why, size_t whylen)
{
    good_result(&f->r);
    f->r.tls = 1;
    f->r.cert_not_after = not_after;
    assert_int_equal(
        pop3check_thresholds_set(f->t, POP3CHECK_MEASURE_CERT_DAYS, WARN, warn),
        0);
    assert_int_equal(
        pop3check_thresholds_set(f->t, POP3CHECK_MEASURE_CERT_DAYS, CRIT, crit),
        0);
    return eval(f, why, whylen);
}

static void test_evaluate_certificate_days(void **state)
{
    struct fixture *f = *state;
    char why[256];

    assert_int_equal(cert_state(f, T0 - DAY, "30:", "14:", why, sizeof why),
                     POP3CHECK_STATE_CRITICAL);
    assert_string_equal(why, "certificate expired 1 days ago");
    assert_int_equal(
        cert_state(f, T0 + 10 * DAY, "30:", "14:", why, sizeof why),
        POP3CHECK_STATE_CRITICAL);
    assert_string_equal(why,
                        "certificate expires in 10.0 days (critical < 14)");
    assert_int_equal(
        cert_state(f, T0 + 20 * DAY, "30:", "14:", why, sizeof why),
        POP3CHECK_STATE_WARNING);
    assert_string_equal(why, "certificate expires in 20.0 days (warning < 30)");
    assert_int_equal(
        cert_state(f, T0 + 40 * DAY, "30:", "14:", why, sizeof why),
        POP3CHECK_STATE_OK);
    assert_string_equal(why, "");
}

/* The message the plugin has always printed, one decimal. */
static void test_evaluate_certificate_message(void **state)
{
    struct fixture *f = *state;
    char why[256];

    assert_int_equal(
        cert_state(f, T0 + 12 * DAY + 7 * 3600, "30:", "10:", why, sizeof why),
        POP3CHECK_STATE_WARNING);
    assert_string_equal(why, "certificate expires in 12.3 days (warning < 30)");
    assert_int_equal(
        cert_state(f, T0 + 9 * DAY + 12 * 3600, "30:", "10:", why, sizeof why),
        POP3CHECK_STATE_CRITICAL);
    assert_string_equal(why, "certificate expires in 9.5 days (critical < 10)");
}

/* "Alert when fewer days left": exactly 14 days is not below 14. */
static void test_evaluate_certificate_boundaries(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(cert_state(f, T0 + 14 * DAY, "30:", "14:", NULL, 0),
                     POP3CHECK_STATE_WARNING);
    assert_int_equal(cert_state(f, T0 + 14 * DAY - 1, "30:", "14:", NULL, 0),
                     POP3CHECK_STATE_CRITICAL);
    assert_int_equal(cert_state(f, T0 + 30 * DAY, "30:", "14:", NULL, 0),
                     POP3CHECK_STATE_OK);
    assert_int_equal(cert_state(f, T0 + 30 * DAY - 1, "30:", "14:", NULL, 0),
                     POP3CHECK_STATE_WARNING);
}

static void test_evaluate_certificate_expired_with_warn_only(void **state)
{
    struct fixture *f = *state;
    char why[256];

    assert_int_equal(cert_state(f, T0 - 5 * DAY, "30:", NULL, why, sizeof why),
                     POP3CHECK_STATE_CRITICAL);
    assert_string_equal(why, "certificate expired 5 days ago");
    assert_int_equal(cert_state(f, T0 + 5 * DAY, "30:", NULL, NULL, 0),
                     POP3CHECK_STATE_WARNING);
}

/* Without any certificate threshold, not even an expired one alerts (the
 * TLS handshake is what refuses it, unless --insecure). */
static void test_evaluate_certificate_not_checked_without_range(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(cert_state(f, T0 - 5 * DAY, NULL, NULL, NULL, 0),
                     POP3CHECK_STATE_OK);
}

/* Any other range is shown as written. */
static void test_evaluate_certificate_other_range(void **state)
{
    struct fixture *f = *state;
    char why[256];

    assert_int_equal(cert_state(f, T0 + 5 * DAY, NULL, "@0:7", why, sizeof why),
                     POP3CHECK_STATE_CRITICAL);
    assert_string_equal(why, "certificate expires in 5.0 days (critical @0:7)");
    assert_int_equal(cert_state(f, T0 + 9 * DAY, NULL, "@0:7", NULL, 0),
                     POP3CHECK_STATE_OK);
    assert_int_equal(
        cert_state(f, T0 + 20 * DAY, "10:15", NULL, why, sizeof why),
        POP3CHECK_STATE_WARNING);
    assert_string_equal(why,
                        "certificate expires in 20.0 days (warning 10:15)");
}

static void test_evaluate_certificate_unknown_no_alert(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(cert_state(f, -1, "30:", "14:", NULL, 0),
                     POP3CHECK_STATE_OK);
}

static void test_evaluate_why_buffer(void **state)
{
    struct fixture *f = *state;
    char why[16];

    good_result(&f->r);
    f->r.messages = 500;
    set_measure(f->t, POP3CHECK_MEASURE_MESSAGES, CRIT, "10");
    /* NULL or empty: allowed, same state. */
    assert_int_equal(eval(f, NULL, 0), POP3CHECK_STATE_CRITICAL);
    memset(why, 'Z', sizeof why);
    assert_int_equal(eval(f, why, 0), POP3CHECK_STATE_CRITICAL);
    assert_int_equal(why[0], 'Z');
    /* Small: truncated, NUL-terminated, nothing written beyond. */
    memset(why, 'Z', sizeof why);
    assert_int_equal(eval(f, why, 8), POP3CHECK_STATE_CRITICAL);
    assert_true(strlen(why) < 8);
    assert_int_equal(why[8], 'Z');
}

static void test_evaluate_cert_days_left(void **state)
{
    struct fixture *f = *state;
    struct pop3check_result *r = &f->r;

    blank_result(r);
    r->cert_not_after = T0 + 10 * DAY;
    assert_true(fabs(pop3check_result_cert_days_left(r) - 10.0) < 1e-9);
    r->cert_not_after = T0 + DAY / 2;
    assert_true(fabs(pop3check_result_cert_days_left(r) - 0.5) < 1e-9);
    r->cert_not_after = T0;
    assert_true(fabs(pop3check_result_cert_days_left(r)) < 1e-9);
    r->cert_not_after = T0 - 3 * DAY;
    assert_true(fabs(pop3check_result_cert_days_left(r) + 3.0) < 1e-9);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_evaluate_ok_without_thresholds),
        T(test_evaluate_total_time_warning),
        T(test_evaluate_total_time_critical),
        T(test_evaluate_phase_threshold),
        T(test_evaluate_reasons_joined),
        T(test_evaluate_phase_not_performed_never_alerts),
        T(test_evaluate_messages_thresholds),
        T(test_evaluate_octets_thresholds),
        T(test_evaluate_unknown_figures_never_alert),
        T(test_evaluate_failure_is_critical),
        T(test_evaluate_timeout_state),
        T(test_evaluate_timeout_state_ignored_for_other_errors),
        T(test_evaluate_internal_is_unknown),
        T(test_evaluate_result_set_error),
        T(test_evaluate_failure_beats_warning_threshold),
        T(test_evaluate_critical_threshold_beats_timeout_warning),
        T(test_evaluate_certificate_days),
        T(test_evaluate_certificate_message),
        T(test_evaluate_certificate_boundaries),
        T(test_evaluate_certificate_expired_with_warn_only),
        T(test_evaluate_certificate_not_checked_without_range),
        T(test_evaluate_certificate_other_range),
        T(test_evaluate_certificate_unknown_no_alert),
        T(test_evaluate_why_buffer),
        T(test_evaluate_cert_days_left),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
