/* SPDX-License-Identifier: MIT */
/* test_expose.c - unit tests of exporters/prometheus/expose*.c: metric
 * families from probe results, text format 0.0.4 and prom2json's JSON.
 * Built with -DP3X_ALLOC_TEST it also fails each allocation in turn. */
#define _POSIX_C_SOURCE 200809L /* newlocale, uselocale */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expose.h"
#include "internal.h" /* results with chosen fields */

#ifdef P3X_ALLOC_TEST
void p3x_alloc_test_fail_after(long n);
#endif

/* ---- helpers ---- */

static char *text_of(const struct p3x_families *fs)
{
    char *out = NULL;
    size_t len = 0;

    assert_int_equal(p3x_render_text(fs, &out, &len), 0);
    assert_non_null(out);
    assert_int_equal(strlen(out), len);
    return out;
}

static char *json_of(const struct p3x_families *fs)
{
    char *out = NULL;
    size_t len = 0;

    assert_int_equal(p3x_render_json(fs, &out, &len), 0);
    assert_non_null(out);
    assert_int_equal(strlen(out), len);
    return out;
}

/* How many lines of text begin with prefix. */
static int count_lines(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    int count = 0;

    for (const char *l = text; *l != '\0'; l = strchr(l, '\n') + 1) {
        if (strncmp(l, prefix, n) == 0)
            count++;
        assert_non_null(strchr(l, '\n')); /* every line ends with \n */
    }
    return count;
}

/* 1 if text has exactly this line (without its newline). */
static int has_line(const char *text, const char *line)
{
    char want[512];

    snprintf(want, sizeof want, "%s\n", line);
    for (const char *l = text; *l != '\0'; l = strchr(l, '\n') + 1)
        if (strncmp(l, want, strlen(want)) == 0)
            return 1;
    return 0;
}

/* 1 if text has a sample of series (name{labels} as written). */
static int has_series(const char *text, const char *series)
{
    char prefix[512];

    snprintf(prefix, sizeof prefix, "%s ", series);
    return count_lines(text, prefix) > 0;
}

static void assert_line(const char *text, const char *line)
{
    if (!has_line(text, line))
        fail_msg("missing line '%s' in:\n%s", line, text);
}

/* A family t with one sample: what each format writes for v. */
static void assert_value(double v, const char *want)
{
    struct p3x_families fs = {0};
    char text[128], json[160];
    char *got_text, *got_json;

    assert_int_equal(p3x_sample(p3x_family(&fs, "t", "h", P3X_GAUGE), v, 0), 0);
    got_text = text_of(&fs);
    got_json = json_of(&fs);
    snprintf(text, sizeof text, "# HELP t h\n# TYPE t gauge\nt %s\n", want);
    snprintf(json, sizeof json,
             "[{\"name\":\"t\",\"help\":\"h\",\"type\":\"GAUGE\","
             "\"metrics\":[{\"labels\":{},\"value\":\"%s\"}]}]",
             want);
    assert_string_equal(got_text, text);
    assert_string_equal(got_json, json);
    free(got_text);
    free(got_json);
    p3x_families_free(&fs);
}

/* A logged-in POP3S probe with every figure, as in probe_example.prom. */
static void success_result(struct pop3check_result *r)
{
    p3_result_init(r);
    r->phase_us[POP3CHECK_PHASE_RESOLVE] = 814;
    r->phase_us[POP3CHECK_PHASE_CONNECT] = 402;
    r->phase_us[POP3CHECK_PHASE_TLS] = 6917;
    r->phase_us[POP3CHECK_PHASE_GREETING] = 233;
    r->phase_us[POP3CHECK_PHASE_CAPA] = 250;
    r->phase_us[POP3CHECK_PHASE_AUTH] = 31522;
    r->phase_us[POP3CHECK_PHASE_STAT] = 611;
    r->phase_us[POP3CHECK_PHASE_LIST] = 702;
    r->phase_us[POP3CHECK_PHASE_RETR] = 6480;
    r->phase_us[POP3CHECK_PHASE_QUIT] = 530;
    r->phase_us[POP3CHECK_PHASE_TOTAL] = 48213;
    r->capa = POP3CHECK_CAPA_KNOWN | POP3CHECK_CAPA_USER | POP3CHECK_CAPA_TOP |
              POP3CHECK_CAPA_UIDL | POP3CHECK_CAPA_PIPELINING |
              POP3CHECK_CAPA_RESP_CODES | POP3CHECK_CAPA_SASL;
    r->sasl = POP3CHECK_SASL_PLAIN | POP3CHECK_SASL_LOGIN;
    r->auth_used = POP3CHECK_AUTH_PLAIN;
    r->logged_in = 1;
    r->messages = 3;
    r->octets = 5000000003;
    r->largest = 4999999000;
    r->listed = 3;
    r->retr_octets = 2143;
    r->retr_msg = 1;
    r->tls = 1;
    memcpy(r->tls_version, "TLSv1.3", sizeof "TLSv1.3");
    r->cert_not_after = 1798761599;
    r->ip_version = 4;
    r->started_at = 1799780710;
}

/* A plain-text probe refused at login; the server did not answer CAPA. */
static void auth_failure_result(struct pop3check_result *r)
{
    p3_result_init(r);
    r->error = POP3CHECK_E_AUTH;
    r->failed_phase = POP3CHECK_PHASE_AUTH;
    r->rcode = POP3CHECK_RCODE_AUTH;
    r->phase_us[POP3CHECK_PHASE_RESOLVE] = 500;
    r->phase_us[POP3CHECK_PHASE_CONNECT] = 300;
    r->phase_us[POP3CHECK_PHASE_GREETING] = 200;
    r->phase_us[POP3CHECK_PHASE_AUTH] = 2000000;
    r->phase_us[POP3CHECK_PHASE_TOTAL] = 2001150;
    r->capa = POP3CHECK_CAPA_APOP; /* from the greeting only */
    r->ip_version = 6;
}

/* A round trip over submission with STARTTLS: delivered at the third poll
 * (every 0.5 s), two stale probes of the check deleted. */
static void round_trip_result(struct pop3check_result *r)
{
    p3_result_init(r);
    r->phase_us[POP3CHECK_PHASE_RESOLVE] = 30;
    r->phase_us[POP3CHECK_PHASE_CONNECT] = 150;
    r->phase_us[POP3CHECK_PHASE_GREETING] = 800;
    r->phase_us[POP3CHECK_PHASE_CAPA] = 25;
    r->phase_us[POP3CHECK_PHASE_AUTH] = 6000;
    r->phase_us[POP3CHECK_PHASE_STAT] = 1700;
    r->phase_us[POP3CHECK_PHASE_UIDL] = 100;
    r->phase_us[POP3CHECK_PHASE_TOP] = 140;
    r->phase_us[POP3CHECK_PHASE_QUIT] = 1100;
    r->phase_us[POP3CHECK_PHASE_SMTP_RESOLVE] = 24;
    r->phase_us[POP3CHECK_PHASE_SMTP_CONNECT] = 182;
    r->phase_us[POP3CHECK_PHASE_SMTP_TLS] = 3613;
    r->phase_us[POP3CHECK_PHASE_SMTP_GREETING] = 378;
    r->phase_us[POP3CHECK_PHASE_SMTP_AUTH] = 429;
    r->phase_us[POP3CHECK_PHASE_SMTP_SUBMIT] = 1811;
    r->phase_us[POP3CHECK_PHASE_DELIVERY] = 1215327;
    r->phase_us[POP3CHECK_PHASE_DELE] = 113;
    r->phase_us[POP3CHECK_PHASE_TOTAL] = 1225144;
    r->capa = POP3CHECK_CAPA_KNOWN | POP3CHECK_CAPA_UIDL | POP3CHECK_CAPA_TOP;
    r->auth_used = POP3CHECK_AUTH_PLAIN;
    r->logged_in = 1;
    r->messages = 3;
    r->octets = 3957;
    r->uidl_count = 3;
    r->ip_version = 4;
    r->started_at = 1799780710;
    r->delivered = 1;
    r->polls = 3;
    r->stale_cleaned = 2;
    r->smtp_code = 250;
    r->smtp_tls = 1;
    r->headers_read = 5;
    r->poll_ms = 500;
    memcpy(r->smtp_enhanced, "2.0.0", sizeof "2.0.0");
}

/* ---- escaping ---- */

static void test_expose_label_values_escaped(void **state)
{
    struct p3x_families fs = {0};
    struct p3x_family *f;
    char *text;

    (void)state;
    f = p3x_family(&fs, "t", "h", P3X_GAUGE);
    assert_int_equal(
        p3x_sample(f, 1, 2, "a", "back\\slash \"quoted\"\nnext", "b", "plain"),
        0);
    text = text_of(&fs);
    assert_string_equal(text, "# HELP t h\n# TYPE t gauge\n"
                              "t{a=\"back\\\\slash \\\"quoted\\\"\\nnext\","
                              "b=\"plain\"} 1\n");
    free(text);
    p3x_families_free(&fs);
}

/* HELP escapes backslash and newline only; '"' stays as it is. */
static void test_expose_help_escaped(void **state)
{
    struct p3x_families fs = {0};
    char *text;

    (void)state;
    assert_int_equal(
        p3x_sample(p3x_family(&fs, "t_total", "a\\b \"c\"\nd", P3X_COUNTER), 7,
                   0),
        0);
    text = text_of(&fs);
    assert_string_equal(text, "# HELP t_total a\\\\b \"c\"\\nd\n"
                              "# TYPE t_total counter\nt_total 7\n");
    free(text);
    p3x_families_free(&fs);
}

/* ---- numbers ---- */

static void test_expose_numbers_formatted(void **state)
{
    (void)state;
    assert_value(0, "0");
    assert_value(-0.0, "0");
    assert_value(1, "1");
    assert_value(0.000814, "0.000814");
    assert_value(5000000003.0, "5000000003");
    assert_value(-42, "-42");
    assert_value(999999999999999.0, "999999999999999"); /* < 1e15 */
    assert_value(1e15, "1e+15");
    assert_value(9007199254740993.0, "9007199254740992"); /* 2^53 */
    assert_value(1.5e300, "1.5e+300");
    assert_value(1e-7, "1e-07");
    assert_value(0.1 + 0.2, "0.30000000000000004");
    assert_value(2.5, "2.5");
    assert_value(-0.5, "-0.5");
    assert_value(NAN, "NaN");
    assert_value(INFINITY, "+Inf");
    assert_value(-INFINITY, "-Inf");
}

/* From 1e15 on: the shortest %g that reads back, which %g writes without
 * exponent while the exponent is below the precision. */
static void test_expose_large_integers_shortest(void **state)
{
    (void)state;
    assert_value(9007199254740992.0 * 2, "18014398509481984"); /* 2^54 */
    assert_value(1798761599.0 * 1e6, "1.798761599e+15");
}

/* A thread or program that set a locale with a decimal comma still gets
 * '.'. Skipped when no such locale is installed. */
static void test_expose_numbers_ignore_locale(void **state)
{
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8",
                                        "fr_FR.UTF-8", "fr_FR.utf8"};
    locale_t loc = (locale_t)0;

    (void)state;
    for (size_t i = 0; i < sizeof names / sizeof *names && loc == 0; i++)
        loc = newlocale(LC_NUMERIC_MASK, names[i], (locale_t)0);
    if (loc == (locale_t)0)
        skip();
    uselocale(loc);
    assert_string_equal(localeconv()->decimal_point, ",");
    assert_value(0.000814, "0.000814");
    assert_value(-2.5e-300, "-2.5e-300");
    assert_value(5000000003.0, "5000000003");
    uselocale(LC_GLOBAL_LOCALE);
    freelocale(loc);
}

/* ---- families and samples ---- */

static void test_expose_invalid_names_refused(void **state)
{
    static const char *const bad_metric[] = {"", "1abc", "a-b", "a b", "é"};
    static const char *const bad_label[] = {"", "9x", "a:b", "a-b", "a.b"};
    struct p3x_families fs = {0};
    struct p3x_family *f;
    char *text;

    (void)state;
    for (size_t i = 0; i < sizeof bad_metric / sizeof *bad_metric; i++)
        assert_null(p3x_family(&fs, bad_metric[i], "h", P3X_GAUGE));
    assert_null(p3x_family(&fs, NULL, "h", P3X_GAUGE));
    assert_int_equal(fs.n, 0);
    assert_non_null(p3x_family(&fs, "ns:sub_1", "h", P3X_GAUGE));
    f = p3x_family(&fs, "_ok", "h", P3X_GAUGE);
    assert_non_null(f);
    for (size_t i = 0; i < sizeof bad_label / sizeof *bad_label; i++)
        assert_int_equal(p3x_sample(f, 1, 1, bad_label[i], "v"), -1);
    assert_int_equal(p3x_sample(f, 1, 2, "a", "1", "a", "2"), -1); /* twice */
    assert_int_equal(p3x_sample(f, 1, 1, "a", NULL), -1);
    assert_int_equal(p3x_sample(f, 1, 1, "a", "\xff"), -1);     /* not UTF-8 */
    assert_int_equal(p3x_sample(f, 1, 1, "a", "\xc0\xaf"), -1); /* overlong */
    assert_int_equal(p3x_sample(f, 1, -1), -1);
    assert_int_equal(p3x_sample(f, 1, P3X_MAX_LABELS + 1, "a", "1", "b", "2",
                                "c", "3", "d", "4", "e", "5"),
                     -1);
    assert_int_equal(p3x_sample(NULL, 1, 0), -1);
    assert_int_equal(f->nsamples, 0);
    assert_int_equal(p3x_sample(f, 1, 2, "_a1", "caf\xc3\xa9", "B", ""), 0);
    assert_int_equal(p3x_sample(f, 2, P3X_MAX_LABELS, "a", "1", "b", "2", "c",
                                "3", "d", "4"),
                     0);
    text = text_of(&fs);
    assert_string_equal(text, "# HELP _ok h\n# TYPE _ok gauge\n"
                              "_ok{_a1=\"caf\xc3\xa9\",B=\"\"} 1\n"
                              "_ok{a=\"1\",b=\"2\",c=\"3\",d=\"4\"} 2\n");
    free(text);
    p3x_families_free(&fs);
}

/* The same name gives the same family, with the first HELP; another type
 * for it is refused. */
static void test_expose_family_found_by_name(void **state)
{
    struct p3x_families fs = {0};
    struct p3x_family *a, *b;
    char *text;

    (void)state;
    a = p3x_family(&fs, "a", "first", P3X_GAUGE);
    assert_int_equal(p3x_sample(a, 1, 0), 0);
    assert_int_equal(p3x_sample(p3x_family(&fs, "b", "other", P3X_GAUGE), 2, 0),
                     0);
    b = p3x_family(&fs, "a", "second", P3X_GAUGE);
    assert_non_null(b);
    assert_string_equal(b->help, "first");
    assert_null(p3x_family(&fs, "a", "first", P3X_COUNTER));
    assert_int_equal(p3x_sample(b, 3, 0), 0);
    assert_int_equal(fs.n, 2);
    text = text_of(&fs);
    assert_string_equal(text, "# HELP a first\n# TYPE a gauge\na 1\na 3\n"
                              "# HELP b other\n# TYPE b gauge\nb 2\n");
    free(text);
    p3x_families_free(&fs);
    assert_null(fs.fams);
    assert_int_equal(fs.n, 0);
    assert_int_equal(fs.cap, 0);
    p3x_families_free(&fs); /* again: still fine */
}

static void test_expose_empty_family_not_rendered(void **state)
{
    struct p3x_families fs = {0};
    char *text, *json;

    (void)state;
    text = text_of(&fs);
    json = json_of(&fs);
    assert_string_equal(text, "");
    assert_string_equal(json, "[]");
    free(text);
    free(json);
    assert_non_null(p3x_family(&fs, "empty", "h", P3X_GAUGE));
    assert_int_equal(p3x_sample(p3x_family(&fs, "full", "h", P3X_GAUGE), 1, 0),
                     0);
    text = text_of(&fs);
    json = json_of(&fs);
    assert_string_equal(text, "# HELP full h\n# TYPE full gauge\nfull 1\n");
    assert_string_equal(json, "[{\"name\":\"full\",\"help\":\"h\","
                              "\"type\":\"GAUGE\",\"metrics\":[{\"labels\":{},"
                              "\"value\":\"1\"}]}]");
    free(text);
    free(json);
    p3x_families_free(&fs);
}

/* An empty HELP has no "# HELP" line (the TYPE line is enough). */
static void test_expose_empty_help_omitted(void **state)
{
    struct p3x_families fs = {0};
    char *text;

    (void)state;
    assert_int_equal(p3x_sample(p3x_family(&fs, "t", "", P3X_GAUGE), 1, 0), 0);
    text = text_of(&fs);
    assert_string_equal(text, "# TYPE t gauge\nt 1\n");
    free(text);
    p3x_families_free(&fs);
}

static void test_expose_json_shape(void **state)
{
    struct p3x_families fs = {0};
    struct p3x_family *f;
    char *json;

    (void)state;
    f = p3x_family(&fs, "t_total", "a \"b\"\n", P3X_COUNTER);
    assert_int_equal(p3x_sample(f, 1, 0), 0);
    assert_int_equal(p3x_sample(f, NAN, 2, "k", "x\"y", "j", "\\"), 0);
    json = json_of(&fs);
    assert_string_equal(
        json, "[{\"name\":\"t_total\",\"help\":\"a \\\"b\\\"\\n\","
              "\"type\":\"COUNTER\",\"metrics\":["
              "{\"labels\":{},\"value\":\"1\"},"
              "{\"labels\":{\"k\":\"x\\\"y\",\"j\":\"\\\\\"},\"value\":\"NaN\"}"
              "]}]");
    free(json);
    p3x_families_free(&fs);
}

/* ---- probes ---- */

static void test_expose_success_probe(void **state)
{
    struct p3x_families fs = {0};
    struct pop3check_result r;
    char *text;

    (void)state;
    success_result(&r);
    assert_int_equal(p3x_add_probe(&fs, &r, POP3CHECK_STATE_OK, 9.5, NULL), 0);
    text = text_of(&fs);
    assert_line(text, "probe_success 1");
    assert_line(text, "probe_duration_seconds 0.048213");
    assert_line(text, "probe_timeout_seconds 9.5");
    assert_line(text, "probe_dns_lookup_time_seconds 0.000814");
    assert_line(text, "probe_ip_protocol 4");
    assert_line(text, "probe_ssl_earliest_cert_expiry 1798761599");
    assert_line(text, "probe_tls_version_info{version=\"TLS 1.3\"} 1");
    assert_line(text,
                "pop3_phase_duration_seconds{phase=\"resolve\"} 0.000814");
    assert_line(text, "pop3_phase_duration_seconds{phase=\"tls\"} 0.006917");
    assert_line(text, "pop3_phase_duration_seconds{phase=\"auth\"} 0.031522");
    assert_line(text, "pop3_phase_duration_seconds{phase=\"retr\"} 0.00648");
    assert_line(text, "pop3_phase_duration_seconds{phase=\"stls\"} 0");
    assert_line(text, "pop3_phase_duration_seconds{phase=\"uidl\"} 0");
    assert_line(text, "pop3_phase_duration_seconds{phase=\"top\"} 0");
    assert_false(
        has_series(text, "pop3_phase_duration_seconds{phase=\"total\"}"));
    assert_int_equal(count_lines(text, "pop3_phase_duration_seconds{"),
                     POP3CHECK_PHASE_KNOWN - 1);
    assert_line(text, "pop3_probe_status 0");
    assert_int_equal(count_lines(text, "pop3_probe_error{"),
                     POP3CHECK_E_KNOWN - 1);
    assert_int_equal(count_lines(text, "pop3_probe_error{kind=\"ok\"}"), 0);
    assert_line(text, "pop3_probe_error{kind=\"auth\"} 0");
    assert_line(text, "pop3_mailbox_messages 3");
    assert_line(text, "pop3_mailbox_size_bytes 5000000003");
    assert_line(text, "pop3_mailbox_largest_bytes 4999999000");
    assert_line(text, "pop3_retr_size_bytes 2143");
    assert_line(text, "pop3_capability_info{capability=\"user\"} 1");
    assert_line(text, "pop3_capability_info{capability=\"resp_codes\"} 1");
    assert_line(text, "pop3_capability_info{capability=\"sasl_plain\"} 1");
    assert_line(text, "pop3_capability_info{capability=\"sasl_login\"} 1");
    assert_false(has_series(text, "pop3_capability_info{capability=\"stls\"}"));
    assert_false(
        has_series(text, "pop3_capability_info{capability=\"sasl_cram_md5\"}"));
    assert_int_equal(count_lines(text, "pop3_capability_info{"), 8);
    assert_int_equal(count_lines(text, "# TYPE "), 15);
    assert_int_equal(count_lines(text, "# HELP "), 15);
    assert_line(text, "# HELP probe_success Displays whether or not the probe "
                      "was a success");
    assert_line(text, "# TYPE pop3_phase_duration_seconds gauge");
    free(text);
    p3x_families_free(&fs);
}

static void test_expose_failure_probe(void **state)
{
    struct p3x_families fs = {0};
    struct pop3check_result r;
    char *text;

    (void)state;
    auth_failure_result(&r);
    assert_int_equal(p3x_add_probe(&fs, &r, POP3CHECK_STATE_CRITICAL, 10, NULL),
                     0);
    text = text_of(&fs);
    assert_line(text, "probe_success 0");
    assert_line(text, "probe_duration_seconds 2.00115");
    assert_line(text, "probe_timeout_seconds 10");
    assert_line(text, "probe_dns_lookup_time_seconds 0.0005");
    assert_line(text, "probe_ip_protocol 6");
    assert_line(text, "pop3_phase_duration_seconds{phase=\"auth\"} 2");
    assert_line(text, "pop3_phase_duration_seconds{phase=\"tls\"} 0");
    assert_line(text, "pop3_phase_duration_seconds{phase=\"quit\"} 0");
    assert_line(text, "pop3_probe_status 2");
    assert_line(text, "pop3_probe_error{kind=\"auth\"} 1");
    assert_line(text, "pop3_probe_error{kind=\"timeout\"} 0");
    assert_int_equal(count_lines(text, "# TYPE probe_ssl_earliest"), 0);
    assert_int_equal(count_lines(text, "# TYPE probe_tls_version_info"), 0);
    assert_int_equal(count_lines(text, "pop3_mailbox_"), 0);
    assert_int_equal(count_lines(text, "pop3_retr_size_bytes"), 0);
    assert_int_equal(count_lines(text, "pop3_capability_info"), 0);
    assert_int_equal(count_lines(text, "# HELP pop3_capability_info"), 0);
    assert_int_equal(count_lines(text, "# TYPE "), 8);
    free(text);
    p3x_families_free(&fs);
}

/* A result that never ran: every time 0, no figures, protocol unknown. */
static void test_expose_unrun_result(void **state)
{
    struct p3x_families fs = {0};
    struct pop3check_result r;
    char *text;

    (void)state;
    p3_result_init(&r);
    assert_int_equal(p3x_add_probe(&fs, &r, POP3CHECK_STATE_UNKNOWN, 5, NULL),
                     0);
    text = text_of(&fs);
    assert_line(text, "probe_success 0"); /* no error, but no probe */
    assert_line(text, "probe_duration_seconds 0");
    assert_line(text, "probe_dns_lookup_time_seconds 0");
    assert_line(text, "probe_ip_protocol 0");
    assert_line(text, "pop3_probe_status 3");
    assert_int_equal(count_lines(text, "pop3_probe_error{"),
                     POP3CHECK_E_KNOWN - 1);
    assert_int_equal(count_lines(text, "pop3_probe_error{kind=\"timeout\"} 0"),
                     1);
    free(text);
    p3x_families_free(&fs);
}

/* Over TLS with the version unknown: NaN, as the HELP says; "TLSv1" is
 * TLS 1.0 to blackbox_exporter. */
static void test_expose_tls_version_labels(void **state)
{
    static const struct {
        const char *in, *line;
    } v[] = {
        {"TLSv1.2", "probe_tls_version_info{version=\"TLS 1.2\"} 1"},
        {"TLSv1", "probe_tls_version_info{version=\"TLS 1.0\"} 1"},
        {"", "probe_tls_version_info{version=\"unknown\"} NaN"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        struct p3x_families fs = {0};
        struct pop3check_result r;
        char *text;

        success_result(&r);
        snprintf(r.tls_version, sizeof r.tls_version, "%s", v[i].in);
        assert_int_equal(p3x_add_probe(&fs, &r, 0, 1, NULL), 0);
        text = text_of(&fs);
        assert_line(text, v[i].line);
        assert_int_equal(count_lines(text, "probe_tls_version_info{"), 1);
        free(text);
        p3x_families_free(&fs);
    }
}

static void test_expose_error_kinds_one_hot(void **state)
{
    (void)state;
    for (int e = 1; e < POP3CHECK_E_KNOWN; e++) {
        struct p3x_families fs = {0};
        struct pop3check_result r;
        char *text, line[128];

        auth_failure_result(&r);
        r.error = (enum pop3check_error)e;
        assert_int_equal(p3x_add_probe(&fs, &r, 2, 10, NULL), 0);
        text = text_of(&fs);
        for (int k = 1; k < POP3CHECK_E_KNOWN; k++) {
            snprintf(line, sizeof line, "pop3_probe_error{kind=\"%s\"} %d",
                     pop3check_error_name((enum pop3check_error)k), k == e);
            assert_line(text, line);
        }
        assert_int_equal(count_lines(text, "pop3_probe_error{"),
                         POP3CHECK_E_KNOWN - 1);
        assert_line(text, "probe_success 0");
        free(text);
        p3x_families_free(&fs);
    }
}

/* The lines of text that start with prefix, in order, joined by spaces
 * and without the prefix: "resolve\"} 0.000814 connect\"} ..." cut at
 * the first '"'. */
static void series_order(const char *text, const char *prefix, char *out,
                         size_t len)
{
    size_t n = strlen(prefix), at = 0;

    out[0] = '\0';
    for (const char *l = text; *l != '\0'; l = strchr(l, '\n') + 1)
        if (strncmp(l, prefix, n) == 0 && at < len)
            at += (size_t)snprintf(out + at, len - at, "%s%.*s", at ? " " : "",
                                   (int)strcspn(l + n, "\""), l + n);
}

/* Phases and error kinds in the library's order, as before the opaque
 * API; every capability bit the library names under today's labels, and
 * the "answered CAPA" bit under none. */
static void test_expose_order_and_every_capability(void **state)
{
    struct p3x_families fs = {0};
    struct pop3check_result r;
    char *text, got[512];

    (void)state;
    success_result(&r);
    r.capa = ~0u;
    r.sasl = ~0u;
    assert_int_equal(p3x_add_probe(&fs, &r, POP3CHECK_STATE_OK, 1, NULL), 0);
    text = text_of(&fs);
    series_order(text, "pop3_phase_duration_seconds{phase=\"", got, sizeof got);
    assert_string_equal(got, "resolve connect tls greeting capa stls auth "
                             "stat list uidl top retr quit smtp_resolve "
                             "smtp_connect smtp_tls smtp_greeting smtp_auth "
                             "smtp_submit delivery dele token");
    series_order(text, "pop3_probe_error{kind=\"", got, sizeof got);
    assert_string_equal(got, "resolve connect timeout tls certificate "
                             "protocol auth command internal not_delivered");
    series_order(text, "pop3_capability_info{capability=\"", got, sizeof got);
    assert_string_equal(got, "stls user top uidl pipelining resp_codes "
                             "login_delay sasl apop auth_resp_code "
                             "sasl_plain sasl_login sasl_cram_md5 "
                             "sasl_scram_sha_1 sasl_scram_sha_256 "
                             "sasl_scram_sha_1_plus sasl_scram_sha_256_plus "
                             "sasl_xoauth2 sasl_oauthbearer");
    free(text);
    p3x_families_free(&fs);

    /* no CAPA answer: no capability series, whatever else is set */
    r.capa = ~0u & ~POP3CHECK_CAPA_KNOWN;
    assert_int_equal(p3x_add_probe(&fs, &r, POP3CHECK_STATE_OK, 1, NULL), 0);
    text = text_of(&fs);
    assert_int_equal(count_lines(text, "pop3_capability_info"), 0);
    free(text);
    p3x_families_free(&fs);
}

/* Scheduled probes: target on every sample, one family for both. */
static void test_expose_targets_share_families(void **state)
{
    struct p3x_families fs = {0};
    struct pop3check_result ok, bad;
    char *text;

    (void)state;
    success_result(&ok);
    auth_failure_result(&bad);
    assert_int_equal(p3x_add_probe(&fs, &ok, 0, 9.5, "alpha"), 0);
    assert_int_equal(p3x_add_probe(&fs, &bad, 2, 9.5, "beta"), 0);
    text = text_of(&fs);
    assert_int_equal(count_lines(text, "# TYPE probe_success gauge"), 1);
    assert_int_equal(count_lines(text, "# TYPE pop3_probe_error gauge"), 1);
    assert_line(text, "probe_success{target=\"alpha\"} 1");
    assert_line(text, "probe_success{target=\"beta\"} 0");
    assert_line(text, "probe_tls_version_info{version=\"TLS 1.3\","
                      "target=\"alpha\"} 1");
    assert_line(text, "pop3_phase_duration_seconds{phase=\"auth\","
                      "target=\"alpha\"} 0.031522");
    assert_line(text, "pop3_phase_duration_seconds{phase=\"auth\","
                      "target=\"beta\"} 2");
    assert_line(text, "pop3_probe_error{kind=\"auth\",target=\"alpha\"} 0");
    assert_line(text, "pop3_probe_error{kind=\"auth\",target=\"beta\"} 1");
    assert_line(text, "# HELP pop3_probe_error Whether the last probe failed "
                      "with this kind of error (1) or not (0).");
    assert_int_equal(
        count_lines(text, "pop3_mailbox_messages{target=\"beta\"}"), 0);
    /* every sample line names its target */
    for (const char *l = text; *l != '\0'; l = strchr(l, '\n') + 1) {
        const char *end = strchr(l, '\n');
        if (*l != '#' &&
            (strstr(l, "target=\"") == NULL || strstr(l, "target=\"") > end))
            fail_msg("line without target: %.*s", (int)(end - l), l);
    }
    free(text);
    p3x_families_free(&fs);
}

/* ---- round trips ---- */

static void test_expose_round_trip_probe(void **state)
{
    struct p3x_families fs = {0};
    struct pop3check_result r;
    char *text;

    (void)state;
    round_trip_result(&r);
    assert_int_equal(p3x_add_probe(&fs, &r, POP3CHECK_STATE_OK, 10, NULL), 0);
    text = text_of(&fs);
    assert_line(text, "probe_success 1");
    assert_line(text, "probe_duration_seconds 1.225144");
    assert_line(text,
                "pop3_phase_duration_seconds{phase=\"smtp_tls\"} 0.003613");
    assert_line(text,
                "pop3_phase_duration_seconds{phase=\"smtp_submit\"} 0.001811");
    assert_line(text,
                "pop3_phase_duration_seconds{phase=\"delivery\"} 1.215327");
    assert_line(text, "pop3_phase_duration_seconds{phase=\"dele\"} 0.000113");
    assert_line(text, "pop3_probe_error{kind=\"not_delivered\"} 0");
    assert_line(text, "pop3_roundtrip_delivered 1");
    assert_line(text, "pop3_roundtrip_delivery_seconds 1.215327");
    assert_line(text, "pop3_roundtrip_polls 3");
    assert_line(text, "pop3_roundtrip_stale_cleaned 2");
    assert_line(text, "pop3_roundtrip_headers_read 5");
    assert_line(text, "pop3_smtp_reply_code 250");
    assert_line(text, "pop3_roundtrip_poll_interval_seconds 0.5");
    assert_line(text, "# TYPE pop3_roundtrip_delivery_seconds gauge");
    assert_line(text, "# HELP pop3_smtp_reply_code The last reply code of the "
                      "SMTP server: 250 after the message, or the refusal.");
    assert_int_equal(count_lines(text, "pop3_roundtrip_"), 6);
    assert_int_equal(count_lines(text, "# TYPE "), 11 + 7);
    free(text);
    p3x_families_free(&fs);
}

/* Submitted but not seen in time: no delivery time; refused at SMTP AUTH:
 * the refusal's code, no poll. */
static void test_expose_round_trip_failures(void **state)
{
    struct p3x_families fs = {0};
    struct pop3check_result r;
    char *text;

    (void)state;
    round_trip_result(&r);
    r.error = POP3CHECK_E_NOT_DELIVERED;
    r.failed_phase = POP3CHECK_PHASE_DELIVERY;
    r.delivered = 0;
    r.phase_us[POP3CHECK_PHASE_DELIVERY] = 9500000;
    assert_int_equal(p3x_add_probe(&fs, &r, 1, 10, "late"), 0);
    p3_result_init(&r);
    r.error = POP3CHECK_E_AUTH;
    r.failed_phase = POP3CHECK_PHASE_SMTP_AUTH;
    r.phase_us[POP3CHECK_PHASE_SMTP_RESOLVE] = 24;
    r.phase_us[POP3CHECK_PHASE_SMTP_CONNECT] = 182;
    r.phase_us[POP3CHECK_PHASE_SMTP_TLS] = 3613;
    r.phase_us[POP3CHECK_PHASE_SMTP_GREETING] = 378;
    r.phase_us[POP3CHECK_PHASE_SMTP_AUTH] = 2000429;
    r.phase_us[POP3CHECK_PHASE_TOTAL] = 2004700;
    r.delivered = r.polls = r.stale_cleaned = r.headers_read = 0;
    r.smtp_code = 535;
    r.poll_ms = 1000;
    assert_int_equal(p3x_add_probe(&fs, &r, 2, 10, "refused"), 0);
    text = text_of(&fs);
    assert_line(text,
                "pop3_probe_error{kind=\"not_delivered\",target=\"late\"} 1");
    assert_line(text, "pop3_roundtrip_delivered{target=\"late\"} 0");
    assert_false(
        has_series(text, "pop3_roundtrip_delivery_seconds{target=\"late\"}"));
    assert_line(text, "pop3_roundtrip_polls{target=\"late\"} 3");
    assert_line(text, "pop3_probe_error{kind=\"auth\",target=\"refused\"} 1");
    assert_line(text, "pop3_phase_duration_seconds{phase=\"smtp_auth\","
                      "target=\"refused\"} 2.000429");
    assert_line(text, "pop3_phase_duration_seconds{phase=\"smtp_submit\","
                      "target=\"refused\"} 0");
    assert_line(text, "pop3_roundtrip_delivered{target=\"refused\"} 0");
    assert_line(text, "pop3_roundtrip_polls{target=\"refused\"} 0");
    assert_line(text, "pop3_smtp_reply_code{target=\"refused\"} 535");
    assert_line(text,
                "pop3_roundtrip_poll_interval_seconds{target=\"refused\"} 1");
    assert_int_equal(count_lines(text, "pop3_roundtrip_delivery_seconds{"), 0);
    free(text);
    p3x_families_free(&fs);

    /* no SMTP reply at all (the connection was refused): no code */
    r.smtp_code = -1;
    assert_int_equal(p3x_add_probe(&fs, &r, 2, 10, NULL), 0);
    text = text_of(&fs);
    assert_int_equal(count_lines(text, "pop3_smtp_reply_code"), 0);
    assert_line(text, "pop3_roundtrip_delivered 0");
    free(text);
    p3x_families_free(&fs);
}

/* An ordinary probe has none of a round trip's families. */
static void test_expose_no_round_trip_families(void **state)
{
    struct p3x_families fs = {0};
    struct pop3check_result r;
    char *text;

    (void)state;
    success_result(&r);
    assert_int_equal(p3x_add_probe(&fs, &r, POP3CHECK_STATE_OK, 9.5, NULL), 0);
    text = text_of(&fs);
    assert_int_equal(count_lines(text, "pop3_roundtrip_"), 0);
    assert_int_equal(count_lines(text, "# HELP pop3_roundtrip_"), 0);
    assert_int_equal(count_lines(text, "pop3_smtp_"), 0);
    free(text);
    p3x_families_free(&fs);
}

/* ---- histograms ---- */

static const double bounds[] = {0.25, 1, 60};

/* Two series of one histogram: text with _bucket (and +Inf), _sum and
 * _count, JSON in prom2json's shape. */
static void test_expose_histogram(void **state)
{
    static const uint64_t a[] = {1, 3, 4}, b[] = {0, 0, 0};
    struct p3x_families fs = {0};
    struct p3x_family *f;
    char *text, *json;

    (void)state;
    f = p3x_family(&fs, "d_seconds", "Delivery.", P3X_HISTOGRAM);
    assert_non_null(f);
    assert_int_equal(p3x_histogram(f, bounds, a, 3, 5, 70.5, 1, "target", "a"),
                     0);
    assert_int_equal(p3x_histogram(f, bounds, b, 3, 0, 0, 1, "target", "b\""),
                     0);
    text = text_of(&fs);
    assert_string_equal(text,
                        "# HELP d_seconds Delivery.\n"
                        "# TYPE d_seconds histogram\n"
                        "d_seconds_bucket{target=\"a\",le=\"0.25\"} 1\n"
                        "d_seconds_bucket{target=\"a\",le=\"1\"} 3\n"
                        "d_seconds_bucket{target=\"a\",le=\"60\"} 4\n"
                        "d_seconds_bucket{target=\"a\",le=\"+Inf\"} 5\n"
                        "d_seconds_sum{target=\"a\"} 70.5\n"
                        "d_seconds_count{target=\"a\"} 5\n"
                        "d_seconds_bucket{target=\"b\\\"\",le=\"0.25\"} 0\n"
                        "d_seconds_bucket{target=\"b\\\"\",le=\"1\"} 0\n"
                        "d_seconds_bucket{target=\"b\\\"\",le=\"60\"} 0\n"
                        "d_seconds_bucket{target=\"b\\\"\",le=\"+Inf\"} 0\n"
                        "d_seconds_sum{target=\"b\\\"\"} 0\n"
                        "d_seconds_count{target=\"b\\\"\"} 0\n");
    json = json_of(&fs);
    assert_string_equal(
        json, "[{\"name\":\"d_seconds\",\"help\":\"Delivery.\","
              "\"type\":\"HISTOGRAM\",\"metrics\":["
              "{\"labels\":{\"target\":\"a\"},\"buckets\":{\"0.25\":\"1\","
              "\"1\":\"3\",\"60\":\"4\",\"+Inf\":\"5\"},\"count\":\"5\","
              "\"sum\":\"70.5\"},"
              "{\"labels\":{\"target\":\"b\\\"\"},\"buckets\":{\"0.25\":\"0\","
              "\"1\":\"0\",\"60\":\"0\",\"+Inf\":\"0\"},\"count\":\"0\","
              "\"sum\":\"0\"}]}]");
    free(text);
    free(json);
    p3x_families_free(&fs);

    /* no labels, no bounds: the +Inf bucket alone */
    f = p3x_family(&fs, "h", "", P3X_HISTOGRAM);
    assert_int_equal(p3x_histogram(f, NULL, NULL, 0, 2, 1.5, 0), 0);
    text = text_of(&fs);
    assert_string_equal(text, "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\n"
                              "h_sum 1.5\nh_count 2\n");
    free(text);
    p3x_families_free(&fs);
}

static void test_expose_histogram_refused(void **state)
{
    static const double up_down[] = {1, 0.5, 2}, inf[] = {1, INFINITY, 3};
    static const uint64_t ok[] = {1, 2, 3}, down[] = {2, 1, 3},
                          many[] = {1, 2, 9};
    struct p3x_families fs = {0};
    struct p3x_family *f, *g;
    char *text;

    (void)state;
    assert_non_null(p3x_family(&fs, "h", "h", P3X_HISTOGRAM));
    g = p3x_family(&fs, "g", "g", P3X_GAUGE);
    f = p3x_family(&fs, "h", "h", P3X_HISTOGRAM); /* g may have moved it */
    assert_non_null(f);
    assert_null(p3x_family(&fs, "h", "h", P3X_GAUGE));
    assert_int_equal(p3x_sample(f, 1, 0), -1);
    assert_int_equal(p3x_histogram(g, bounds, ok, 3, 3, 1, 0), -1);
    assert_int_equal(p3x_histogram(NULL, bounds, ok, 3, 3, 1, 0), -1);
    assert_int_equal(p3x_histogram(f, up_down, ok, 3, 3, 1, 0), -1);
    assert_int_equal(p3x_histogram(f, inf, ok, 3, 3, 1, 0), -1);
    assert_int_equal(p3x_histogram(f, bounds, down, 3, 3, 1, 0), -1);
    assert_int_equal(p3x_histogram(f, bounds, many, 3, 3, 1, 0), -1);
    assert_int_equal(p3x_histogram(f, NULL, ok, 3, 3, 1, 0), -1);
    assert_int_equal(p3x_histogram(f, bounds, ok, 3, 3, 1, 1, "le", "1"), -1);
    assert_int_equal(p3x_histogram(f, bounds, ok, 3, 3, 1, 1, "a-b", "1"), -1);
    assert_int_equal(p3x_histogram(f, bounds, ok, 3, 3, 1, 1, "a", "\xff"), -1);
    assert_int_equal(p3x_histogram(f, bounds, ok, 3, 3, 1, -1), -1);
    assert_int_equal(p3x_histogram(f, bounds, ok, 3, 3, 1, P3X_MAX_LABELS + 1,
                                   "a", "1", "b", "2", "c", "3", "d", "4", "e",
                                   "5"),
                     -1);
    assert_int_equal(f->nsamples, 0);
    /* P3X_MAX_LABELS of the caller's and le */
    assert_int_equal(p3x_histogram(f, bounds, ok, 3, 3, 1, P3X_MAX_LABELS, "a",
                                   "1", "b", "2", "c", "3", "d", "4"),
                     0);
    text = text_of(&fs);
    assert_line(text, "h_bucket{a=\"1\",b=\"2\",c=\"3\",d=\"4\",le=\"60\"} 3");
    free(text);
    p3x_families_free(&fs);
}

/* Writes name{labels} of a JSON metric into out, escaped as in the text. */
static void series_of(const char *name, json_t *labels, char *out, size_t len)
{
    const char *key;
    json_t *v;
    size_t n = (size_t)snprintf(out, len, "%s", name), i = 0;

    json_object_foreach(labels, key, v)
    {
        const char *s = json_string_value(v);
        assert_non_null(s);
        n +=
            (size_t)snprintf(out + n, len - n, "%s%s=\"", i++ ? "," : "{", key);
        for (; *s != '\0' && n + 3 < len; s++) {
            if (*s == '\\' || *s == '"' || *s == '\n')
                out[n++] = '\\';
            out[n++] = *s == '\n' ? 'n' : *s;
        }
        n += (size_t)snprintf(out + n, len - n, "\"");
    }
    if (i > 0)
        snprintf(out + n, len - n, "}");
    assert_true(n + 2 < len);
}

/* The JSON holds the same families, HELP, types and values as the text. */
static void test_expose_json_matches_text(void **state)
{
    struct p3x_families fs = {0};
    struct pop3check_result ok, bad;
    char *text, *dump, line[512];
    json_error_t err;
    json_t *root, *fam, *m;
    size_t i, j, samples = 0;

    (void)state;
    success_result(&ok);
    auth_failure_result(&bad);
    assert_int_equal(p3x_add_probe(&fs, &ok, 0, 9.5, "al\"pha"), 0);
    assert_int_equal(p3x_add_probe(&fs, &bad, 2, 9.5, "beta\n"), 0);
    round_trip_result(&ok);
    assert_int_equal(p3x_add_probe(&fs, &ok, 0, 9.5, "trip"), 0);
    text = text_of(&fs);
    dump = json_of(&fs);
    root = json_loads(dump, 0, &err);
    if (root == NULL)
        fail_msg("JSON does not parse: %s", err.text);
    assert_true(json_is_array(root));
    assert_int_equal(json_array_size(root), count_lines(text, "# TYPE "));
    json_array_foreach(root, i, fam)
    {
        const char *name = json_string_value(json_object_get(fam, "name"));
        const char *type = json_string_value(json_object_get(fam, "type"));
        const char *help = json_string_value(json_object_get(fam, "help"));
        json_t *metrics = json_object_get(fam, "metrics");

        assert_non_null(name);
        assert_non_null(help);
        assert_non_null(type);
        assert_int_equal(json_object_size(fam), 4);
        snprintf(line, sizeof line, "# HELP %s %s", name, help);
        assert_line(text, line);
        snprintf(line, sizeof line, "# TYPE %s %s", name,
                 strcmp(type, "GAUGE") == 0 ? "gauge" : "counter");
        assert_line(text, line);
        assert_true(json_array_size(metrics) > 0);
        json_array_foreach(metrics, j, m)
        {
            json_t *labels = json_object_get(m, "labels");
            const char *value = json_string_value(json_object_get(m, "value"));
            size_t n;

            assert_true(json_is_object(labels));
            assert_non_null(value);
            series_of(name, labels, line, sizeof line - 64);
            n = strlen(line);
            snprintf(line + n, sizeof line - n, " %s", value);
            assert_line(text, line);
            samples++;
        }
    }
    assert_int_equal(samples, (size_t)count_lines(text, "pop3_") +
                                  (size_t)count_lines(text, "probe_"));
    json_decref(root);
    free(dump);
    free(text);
    p3x_families_free(&fs);
}

/* ---- allocation failure ---- */

static long json_budget = -1;

static void *budget_malloc(size_t n)
{
    if (json_budget == 0)
        return NULL;
    if (json_budget > 0)
        json_budget--;
    return malloc(n);
}

/* Each of jansson's allocations fails in turn: -1 and no output. */
static void test_expose_json_out_of_memory(void **state)
{
    struct p3x_families fs = {0};
    struct pop3check_result r;
    char *want, *out = NULL;
    size_t len;
    long n;

    (void)state;
    success_result(&r);
    assert_int_equal(p3x_add_probe(&fs, &r, 0, 9.5, "alpha"), 0);
    want = json_of(&fs);
    json_set_alloc_funcs(budget_malloc, free);
    for (n = 0; n < 100000; n++) {
        json_budget = n;
        int rc = p3x_render_json(&fs, &out, &len);
        json_budget = -1;
        if (rc == 0)
            break;
        assert_int_equal(rc, -1);
        assert_null(out);
    }
    json_set_alloc_funcs(malloc, free);
    assert_true(n > 0);
    assert_non_null(out);
    assert_string_equal(out, want);
    free(out);
    free(want);
    p3x_families_free(&fs);
}

#ifdef P3X_ALLOC_TEST
/* Each allocation of a histogram series fails in turn: the family keeps
 * the series it had, and the text says so. */
static void test_expose_histogram_out_of_memory(void **state)
{
    static const uint64_t c[] = {1, 2, 2};
    long n;

    (void)state;
    for (n = 0;; n++) {
        struct p3x_families fs = {0};
        struct p3x_family *f = p3x_family(&fs, "h", "h", P3X_HISTOGRAM);
        char *before, *after;
        int rc;

        assert_int_equal(p3x_histogram(f, bounds, c, 3, 2, 1, 1, "t", "a"), 0);
        before = text_of(&fs);
        p3x_alloc_test_fail_after(n);
        rc = p3x_histogram(f, bounds, c, 3, 2, 1, 1, "t", "b");
        p3x_alloc_test_fail_after(-1);
        after = text_of(&fs);
        if (rc != 0)
            assert_string_equal(after, before);
        free(before);
        free(after);
        p3x_families_free(&fs);
        if (rc == 0)
            break;
        assert_int_equal(rc, -1);
    }
    assert_true(n >= 6); /* a labels block per sample, maybe the array */
}

/* Each of expose.c's allocations fails in turn: p3x_add_probe leaves the
 * families as they were (the second probe extends existing families). */
static void test_expose_out_of_memory(void **state)
{
    struct pop3check_result ok, bad;
    long n;

    (void)state;
    success_result(&ok);
    auth_failure_result(&bad);
    for (n = 0;; n++) {
        struct p3x_families fs = {0};
        char *before, *after;
        int rc;

        assert_int_equal(p3x_add_probe(&fs, &ok, 0, 9.5, "alpha"), 0);
        before = text_of(&fs);
        p3x_alloc_test_fail_after(n);
        rc = p3x_add_probe(&fs, &bad, 2, 9.5, "beta");
        p3x_alloc_test_fail_after(-1);
        after = text_of(&fs);
        if (rc != 0)
            assert_string_equal(after, before);
        free(before);
        free(after);
        p3x_families_free(&fs);
        if (rc == 0)
            break;
        assert_int_equal(rc, -1);
    }
    assert_true(n > 10);
}

/* The same for a first probe into an empty list, and for the text. */
static void test_expose_render_out_of_memory(void **state)
{
    struct p3x_families fs = {0};
    struct pop3check_result r;
    char *want, *out = NULL;
    size_t len;
    long n;
    int rc;

    (void)state;
    success_result(&r);
    for (n = 0;; n++) {
        p3x_alloc_test_fail_after(n);
        rc = p3x_add_probe(&fs, &r, 0, 9.5, NULL);
        p3x_alloc_test_fail_after(-1);
        if (rc == 0)
            break;
        assert_int_equal(fs.n, 0);
    }
    want = text_of(&fs);
    for (n = 0;; n++) {
        p3x_alloc_test_fail_after(n);
        rc = p3x_render_text(&fs, &out, &len);
        p3x_alloc_test_fail_after(-1);
        if (rc == 0)
            break;
        assert_int_equal(rc, -1);
        assert_null(out);
    }
    assert_true(n > 0);
    assert_string_equal(out, want);
    free(out);
    free(want);
    p3x_families_free(&fs);
}
#else
static void test_expose_histogram_out_of_memory(void **state)
{
    (void)state;
    skip(); /* needs -DP3X_ALLOC_TEST */
}

static void test_expose_out_of_memory(void **state)
{
    (void)state;
    skip(); /* needs -DP3X_ALLOC_TEST */
}

static void test_expose_render_out_of_memory(void **state)
{
    (void)state;
    skip();
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expose_label_values_escaped),
        cmocka_unit_test(test_expose_help_escaped),
        cmocka_unit_test(test_expose_numbers_formatted),
        cmocka_unit_test(test_expose_large_integers_shortest),
        cmocka_unit_test(test_expose_numbers_ignore_locale),
        cmocka_unit_test(test_expose_invalid_names_refused),
        cmocka_unit_test(test_expose_family_found_by_name),
        cmocka_unit_test(test_expose_empty_family_not_rendered),
        cmocka_unit_test(test_expose_empty_help_omitted),
        cmocka_unit_test(test_expose_json_shape),
        cmocka_unit_test(test_expose_success_probe),
        cmocka_unit_test(test_expose_failure_probe),
        cmocka_unit_test(test_expose_unrun_result),
        cmocka_unit_test(test_expose_tls_version_labels),
        cmocka_unit_test(test_expose_error_kinds_one_hot),
        cmocka_unit_test(test_expose_order_and_every_capability),
        cmocka_unit_test(test_expose_targets_share_families),
        cmocka_unit_test(test_expose_round_trip_probe),
        cmocka_unit_test(test_expose_round_trip_failures),
        cmocka_unit_test(test_expose_no_round_trip_families),
        cmocka_unit_test(test_expose_histogram),
        cmocka_unit_test(test_expose_histogram_refused),
        cmocka_unit_test(test_expose_histogram_out_of_memory),
        cmocka_unit_test(test_expose_json_matches_text),
        cmocka_unit_test(test_expose_json_out_of_memory),
        cmocka_unit_test(test_expose_out_of_memory),
        cmocka_unit_test(test_expose_render_out_of_memory),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
