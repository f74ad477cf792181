/* SPDX-License-Identifier: MIT */
/* test_output.c - unit tests of output.c against the Monitoring Plugins
 * guidelines: "POP3 STATE - summary | perfdata" on the first line,
 * 'label'=value[UOM];[warn];[crit];[min];[max], long output after it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

#define T0  1700000000LL
#define DAY 86400LL

static char text[8192];

static struct outbuf make_buf(char *buf, size_t cap)
{
    struct outbuf b = {buf, cap, 0};

    buf[0] = '\0';
    return b;
}

static void blank_result(struct pop3check_result *r)
{
    pop3check_result_init(r);
    r->started_at = T0;
}

/* Greeting only: resolve, connect, greeting and quit performed. */
static void banner_result(struct pop3check_result *r)
{
    blank_result(r);
    r->phase_us[POP3CHECK_PHASE_RESOLVE] = 1500;
    r->phase_us[POP3CHECK_PHASE_CONNECT] = 2500;
    r->phase_us[POP3CHECK_PHASE_GREETING] = 40000;
    r->phase_us[POP3CHECK_PHASE_QUIT] = 1000;
    r->phase_us[POP3CHECK_PHASE_TOTAL] = 45000;
    memcpy(r->greeting, "Dovecot ready.", sizeof "Dovecot ready.");
}

static void base_opts(struct plugin_opts *o)
{
    memset(o, 0, sizeof *o);
    o->probe.host = "pop.example.org";
    o->timeout_s = 10;
}

static const char *render(const struct plugin_opts *o,
                          const struct pop3check_result *r,
                          enum pop3check_state st, const char *why)
{
    struct outbuf b = make_buf(text, sizeof text);

    render_output(&b, o, r, st, why);
    assert_true(b.len < sizeof text);
    assert_int_equal(strlen(text), b.len);
    return text;
}

/* The perfdata of the first line, copied into perf. */
static void first_line_perf(const char *out, char *perf, size_t len)
{
    const char *bar = strstr(out, " | ");
    const char *nl = strchr(out, '\n');

    assert_non_null(bar);
    assert_non_null(nl);
    assert_true(bar < nl);
    bar += 3;
    assert_true((size_t)(nl - bar) < len);
    memcpy(perf, bar, (size_t)(nl - bar));
    perf[nl - bar] = '\0';
}

/* The text after "label=" of the perfdata item called label, or NULL. */
static const char *perf_item(const char *perf, const char *label)
{
    size_t n = strlen(label);

    for (const char *p = perf; p != NULL && *p;) {
        if (strncmp(p, label, n) == 0 && p[n] == '=')
            return p + n + 1;
        p = strchr(p, ' ');
        if (p != NULL)
            p++;
    }
    return NULL;
}

/* Checks value and UOM of an item; returns what follows the UOM. */
static const char *expect_item(const char *perf, const char *label,
                               double value, const char *uom)
{
    const char *v = perf_item(perf, label);
    char *end;
    double got;

    if (v == NULL)
        fail_msg("no perfdata '%s' in: %s", label, perf);
    got = strtod(v, &end);
    if (end == v || fabs(got - value) > 1e-6)
        fail_msg("'%s': value %.9g, expected %.9g", label, got, value);
    assert_memory_equal(end, uom, strlen(uom));
    return end + strlen(uom);
}

/* ---- out_label ---- */

static void expect_label(const char *label, const char *want)
{
    char buf[64];
    struct outbuf b = make_buf(buf, sizeof buf);

    out_label(&b, label);
    assert_string_equal(buf, want);
}

static void test_output_label_quoting(void **state)
{
    (void)state;
    expect_label("time", "time");
    expect_label("time_connect", "time_connect");
    expect_label("a b", "'a b'");
    expect_label("it's", "'it''s'");
    expect_label("a=b", "'a=b'");
    expect_label("'", "''''");
}

/* ---- out_perf ---- */

static void test_output_perf_fields(void **state)
{
    char buf[128];
    struct outbuf b = make_buf(buf, sizeof buf);

    (void)state;
    out_perf(&b, "time", 1.5, 3, "s", NULL, NULL, "0", NULL);
    assert_string_equal(buf, "time=1.500s;;;0");
    b = make_buf(buf, sizeof buf);
    out_perf(&b, "size", 2048, 0, "B", "1000", "2000", "0", "4096");
    assert_string_equal(buf, "size=2048B;1000;2000;0;4096");
    b = make_buf(buf, sizeof buf);
    out_perf(&b, "messages", 7, 0, "", NULL, NULL, NULL, NULL);
    assert_string_equal(buf, "messages=7");
    b = make_buf(buf, sizeof buf);
    out_perf(&b, "messages", 7, 0, "", "10", NULL, NULL, NULL);
    assert_string_equal(buf, "messages=7;10");
    b = make_buf(buf, sizeof buf);
    out_perf(&b, "t", 0.25, 2, "s", NULL, "@1:2", NULL, NULL);
    assert_string_equal(buf, "t=0.25s;;@1:2");
}

static void test_output_perf_items_separated_by_space(void **state)
{
    char buf[128];
    struct outbuf b = make_buf(buf, sizeof buf);

    (void)state;
    out_perf(&b, "a", 1, 0, "", NULL, NULL, NULL, NULL);
    out_perf(&b, "b c", 2, 0, "B", NULL, NULL, "0", NULL);
    assert_string_equal(buf, "a=1 'b c'=2B;;;0");
}

/* ---- outbuf ---- */

static void test_output_buffer_truncates(void **state)
{
    char buf[16];
    struct outbuf b = make_buf(buf, 8);

    (void)state;
    memset(buf, 'Z', sizeof buf);
    buf[0] = '\0';
    out_printf(&b, "%s", "abcdefghijkl");
    assert_string_equal(buf, "abcdefg");
    assert_int_equal(b.len, 7);
    out_printf(&b, "%s", "more");
    out_label(&b, "x y");
    out_perf(&b, "time", 1.5, 3, "s", "1", "2", "0", NULL);
    assert_true(b.len < 8);
    assert_int_equal(strlen(buf), b.len);
    for (size_t i = 8; i < sizeof buf; i++)
        assert_int_equal(buf[i], 'Z');
}

static void test_output_render_small_buffer(void **state)
{
    struct plugin_opts o;
    struct pop3check_result r;
    char buf[48];

    (void)state;
    base_opts(&o);
    o.verbose = 2;
    banner_result(&r);
    for (size_t cap = 1; cap <= 32; cap++) {
        struct outbuf b = make_buf(buf, cap);
        memset(buf + 1, 'Z', sizeof buf - 1);
        render_output(&b, &o, &r, POP3CHECK_STATE_OK, "");
        assert_true(b.len < cap);
        assert_int_equal(strlen(buf), b.len);
        for (size_t i = cap; i < sizeof buf; i++)
            assert_int_equal(buf[i], 'Z');
    }
}

/* ---- render_output ---- */

static void test_output_status_line_by_state(void **state)
{
    static const struct {
        enum pop3check_state st;
        const char *prefix;
    } v[] = {
        {POP3CHECK_STATE_OK, "POP3 OK - "},
        {POP3CHECK_STATE_WARNING, "POP3 WARNING - "},
        {POP3CHECK_STATE_CRITICAL, "POP3 CRITICAL - "},
        {POP3CHECK_STATE_UNKNOWN, "POP3 UNKNOWN - "},
    };
    struct plugin_opts o;
    struct pop3check_result r;

    (void)state;
    base_opts(&o);
    banner_result(&r);
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        const char *out = render(&o, &r, v[i].st, "");
        assert_memory_equal(out, v[i].prefix, strlen(v[i].prefix));
    }
}

static void test_output_failure_line(void **state)
{
    struct plugin_opts o;
    struct pop3check_result r;
    const char *out;

    (void)state;
    base_opts(&o);
    blank_result(&r);
    r.phase_us[POP3CHECK_PHASE_RESOLVE] = 1000;
    r.phase_us[POP3CHECK_PHASE_TOTAL] = 3000;
    r.error = POP3CHECK_E_CONNECT;
    r.failed_phase = POP3CHECK_PHASE_CONNECT;
    memcpy(r.error_text, "connection refused", sizeof "connection refused");
    out = render(&o, &r, POP3CHECK_STATE_CRITICAL, "connection refused");
    assert_memory_equal(out, "POP3 CRITICAL - ", 16);
    assert_non_null(strstr(out, " | "));
    assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);
}

static void test_output_perfdata_phases(void **state)
{
    struct plugin_opts o;
    struct pop3check_result r;
    char perf[2048];

    (void)state;
    base_opts(&o);
    banner_result(&r);
    first_line_perf(render(&o, &r, POP3CHECK_STATE_OK, ""), perf, sizeof perf);
    expect_item(perf, "time", 0.045, "s");
    expect_item(perf, "time_resolve", 0.0015, "s");
    expect_item(perf, "time_connect", 0.0025, "s");
    expect_item(perf, "time_greeting", 0.04, "s");
    expect_item(perf, "time_quit", 0.001, "s");
    for (int p = 0; p < POP3CHECK_PHASE_TOTAL; p++) {
        char label[32];
        if (r.phase_us[p] >= 0)
            continue;
        snprintf(label, sizeof label, "time_%s",
                 pop3check_phase_name((enum pop3check_phase)p));
        if (perf_item(perf, label) != NULL)
            fail_msg("'%s' is in the perfdata but was not performed", label);
    }
    assert_null(perf_item(perf, "messages"));
    assert_null(perf_item(perf, "size"));
    assert_null(perf_item(perf, "cert_days"));
}

static void test_output_perfdata_mailbox_and_cert(void **state)
{
    struct plugin_opts o;
    struct pop3check_result r;
    char perf[2048];

    (void)state;
    base_opts(&o);
    banner_result(&r);
    r.phase_us[POP3CHECK_PHASE_AUTH] = 100000;
    r.phase_us[POP3CHECK_PHASE_STAT] = 2000;
    r.logged_in = 1;
    r.messages = 3;
    r.octets = 320;
    r.tls = 1;
    r.cert_not_after = T0 + 10 * DAY;
    first_line_perf(render(&o, &r, POP3CHECK_STATE_OK, ""), perf, sizeof perf);
    expect_item(perf, "time_auth", 0.1, "s");
    expect_item(perf, "time_stat", 0.002, "s");
    expect_item(perf, "messages", 3, "");
    expect_item(perf, "size", 320, "B");
    expect_item(perf, "cert_days", 10, "");
}

static void test_output_perfdata_thresholds(void **state)
{
    struct plugin_opts o;
    struct pop3check_result r;
    char perf[2048];
    const char *rest;

    (void)state;
    base_opts(&o);
    banner_result(&r);
    r.messages = 3;
    r.octets = 320;
    r.cert_not_after = T0 + 10 * DAY;
    assert_int_equal(
        pop3check_range_parse("2", &o.thr.phase_warn[POP3CHECK_PHASE_TOTAL]),
        0);
    assert_int_equal(
        pop3check_range_parse("5", &o.thr.phase_crit[POP3CHECK_PHASE_TOTAL]),
        0);
    assert_int_equal(pop3check_range_parse(
                         "@0:0.5", &o.thr.phase_crit[POP3CHECK_PHASE_CONNECT]),
                     0);
    assert_int_equal(pop3check_range_parse("100", &o.thr.messages_warn), 0);
    assert_int_equal(pop3check_range_parse("200", &o.thr.messages_crit), 0);
    assert_int_equal(pop3check_range_parse("~:1000", &o.thr.octets_crit), 0);
    memcpy(o.cert_warn, "30:", 4);
    memcpy(o.cert_crit, "14:", 4);
    first_line_perf(render(&o, &r, POP3CHECK_STATE_OK, ""), perf, sizeof perf);
    rest = expect_item(perf, "time", 0.045, "s");
    assert_memory_equal(rest, ";2;5", 4);
    rest = expect_item(perf, "time_connect", 0.0025, "s");
    assert_memory_equal(rest, ";;@0:0.5", 8);
    rest = expect_item(perf, "messages", 3, "");
    assert_memory_equal(rest, ";100;200", 8);
    rest = expect_item(perf, "size", 320, "B");
    assert_memory_equal(rest, ";;~:1000", 8);
    rest = expect_item(perf, "cert_days", 10, "");
    assert_memory_equal(rest, ";30:;14:", 8);
}

static void test_output_no_long_output_without_verbose(void **state)
{
    struct plugin_opts o;
    struct pop3check_result r;
    const char *out;

    (void)state;
    base_opts(&o);
    banner_result(&r);
    out = render(&o, &r, POP3CHECK_STATE_OK, "");
    /* One line, ending in a newline. */
    assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);
    assert_null(strstr(out, "not performed"));
}

/* The line of the long output whose first word is name, or NULL. */
static const char *long_line(const char *out, const char *name, char *line,
                             size_t len)
{
    size_t n = strlen(name);

    for (const char *p = strchr(out, '\n'); p != NULL && p[1];
         p = strchr(p + 1, '\n')) {
        const char *s = p + 1;
        const char *e = strchr(s, '\n');
        size_t l = e ? (size_t)(e - s) : strlen(s);
        if (strncmp(s, name, n) == 0 && (s[n] == ' ' || s[n] == ':')) {
            assert_true(l < len);
            memcpy(line, s, l);
            line[l] = '\0';
            return line;
        }
    }
    return NULL;
}

static void test_output_long_output_phases(void **state)
{
    struct plugin_opts o;
    struct pop3check_result r;
    const char *out;
    char line[256];

    (void)state;
    base_opts(&o);
    o.verbose = 1;
    banner_result(&r);
    out = render(&o, &r, POP3CHECK_STATE_OK, "");
    /* The status line and its perfdata come first, on one line. */
    assert_true(strstr(out, " | ") < strchr(out, '\n'));
    assert_true(strstr(out, "time=") < strchr(out, '\n'));
    assert_int_equal(out[strlen(out) - 1], '\n');
    for (int p = 0; p < POP3CHECK_PHASE_COUNT; p++) {
        const char *name = pop3check_phase_name((enum pop3check_phase)p);
        if (long_line(out, name, line, sizeof line) == NULL)
            fail_msg("no long-output line for phase '%s'", name);
        if ((r.phase_us[p] < 0) != (strstr(line, "not performed") != NULL))
            fail_msg("phase '%s': line '%s'", name, line);
    }
}

static void test_output_password_never_printed(void **state)
{
    struct plugin_opts o;
    struct pop3check_result r;
    const char *out;

    (void)state;
    base_opts(&o);
    o.verbose = 3;
    o.probe.user = "alice";
    memcpy(o.password, "Sup3r-S3cret", sizeof "Sup3r-S3cret");
    o.probe.password = o.password;
    o.probe.auth = POP3CHECK_AUTH_USER;
    banner_result(&r);
    r.phase_us[POP3CHECK_PHASE_CAPA] = 1000;
    r.phase_us[POP3CHECK_PHASE_AUTH] = 100000;
    r.capa = POP3CHECK_CAPA_KNOWN | POP3CHECK_CAPA_USER;
    memcpy(r.capa_text, "USER, TOP", sizeof "USER, TOP");
    r.error = POP3CHECK_E_AUTH;
    r.failed_phase = POP3CHECK_PHASE_AUTH;
    r.rcode = POP3CHECK_RCODE_AUTH;
    memcpy(r.error_text, "login failed", sizeof "login failed");
    memcpy(r.server_text, "[AUTH] Authentication failed.",
           sizeof "[AUTH] Authentication failed.");
    r.auth_used = POP3CHECK_AUTH_USER;
    out = render(&o, &r, POP3CHECK_STATE_CRITICAL, "login failed");
    assert_memory_equal(out, "POP3 CRITICAL - ", 16);
    assert_null(strstr(out, "Sup3r-S3cret"));
    assert_null(strstr(out, "Sup3r"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_output_label_quoting),
        cmocka_unit_test(test_output_perf_fields),
        cmocka_unit_test(test_output_perf_items_separated_by_space),
        cmocka_unit_test(test_output_buffer_truncates),
        cmocka_unit_test(test_output_render_small_buffer),
        cmocka_unit_test(test_output_status_line_by_state),
        cmocka_unit_test(test_output_failure_line),
        cmocka_unit_test(test_output_perfdata_phases),
        cmocka_unit_test(test_output_perfdata_mailbox_and_cert),
        cmocka_unit_test(test_output_perfdata_thresholds),
        cmocka_unit_test(test_output_no_long_output_without_verbose),
        cmocka_unit_test(test_output_long_output_phases),
        cmocka_unit_test(test_output_password_never_printed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
