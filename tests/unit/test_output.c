/* SPDX-License-Identifier: MIT */
/* test_output.c - unit tests of output.c against the Monitoring Plugins
 * guidelines: "POP3 STATE - summary | perfdata" on the first line,
 * 'label'=value[UOM];[warn];[crit];[min];[max], long output after it.
 * Results are built field by field through internal.h; output.c reads
 * them through the public getters only. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "output.h"

#define T0  1700000000LL
#define DAY 86400LL

#define WARN POP3CHECK_STATE_WARNING
#define CRIT POP3CHECK_STATE_CRITICAL

static char text[8192];

static struct outbuf make_buf(char *buf, size_t cap)
{
    struct outbuf b = {buf, cap, 0};

    buf[0] = '\0';
    return b;
}

static void blank_result(struct pop3check_result *r)
{
    p3_result_init(r);
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

/* Options as plugin_parse leaves them for -H pop.example.org. */
static int setup_opts(void **state)
{
    static struct plugin_opts o;

    memset(&o, 0, sizeof o);
    o.probe = pop3check_options_new();
    o.thr = pop3check_thresholds_new();
    if (o.probe == NULL || o.thr == NULL ||
        pop3check_options_set_str(o.probe, POP3CHECK_OPT_HOST,
                                  "pop.example.org") != 0)
        return -1;
    *state = &o;
    return 0;
}

static int teardown_opts(void **state)
{
    plugin_opts_free(*state);
    return 0;
}

static void set_range(struct plugin_opts *o, enum pop3check_measure m,
                      enum pop3check_state level, const char *range)
{
    assert_int_equal(pop3check_thresholds_set(o->thr, m, level, range), 0);
}

static void set_phase_range(struct plugin_opts *o, enum pop3check_phase p,
                            enum pop3check_state level, const char *range)
{
    assert_int_equal(pop3check_thresholds_set_phase(o->thr, p, level, range),
                     0);
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

/* The first line of out, without its newline. */
static void first_line(const char *out, char *line, size_t len)
{
    size_t n = strcspn(out, "\n");

    assert_true(n < len);
    memcpy(line, out, n);
    line[n] = '\0';
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
    struct plugin_opts *o = *state;
    struct pop3check_result r;
    char buf[48];

    o->verbose = 2;
    banner_result(&r);
    for (size_t cap = 1; cap <= 32; cap++) {
        struct outbuf b = make_buf(buf, cap);
        memset(buf + 1, 'Z', sizeof buf - 1);
        render_output(&b, o, &r, POP3CHECK_STATE_OK, "");
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
    struct plugin_opts *o = *state;
    struct pop3check_result r;

    banner_result(&r);
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        const char *out = render(o, &r, v[i].st, "");
        assert_memory_equal(out, v[i].prefix, strlen(v[i].prefix));
    }
}

static void test_output_failure_line(void **state)
{
    struct plugin_opts *o = *state;
    struct pop3check_result r;
    const char *out;

    blank_result(&r);
    r.phase_us[POP3CHECK_PHASE_RESOLVE] = 1000;
    r.phase_us[POP3CHECK_PHASE_TOTAL] = 3000;
    r.error = POP3CHECK_E_CONNECT;
    r.failed_phase = POP3CHECK_PHASE_CONNECT;
    memcpy(r.error_text, "connection refused", sizeof "connection refused");
    out = render(o, &r, POP3CHECK_STATE_CRITICAL, "connection refused");
    assert_memory_equal(out, "POP3 CRITICAL - ", 16);
    assert_non_null(strstr(out, " | "));
    assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);
}

static void test_output_perfdata_phases(void **state)
{
    struct plugin_opts *o = *state;
    struct pop3check_result r;
    char perf[2048];

    banner_result(&r);
    first_line_perf(render(o, &r, POP3CHECK_STATE_OK, ""), perf, sizeof perf);
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
    struct plugin_opts *o = *state;
    struct pop3check_result r;
    char perf[2048];

    banner_result(&r);
    r.phase_us[POP3CHECK_PHASE_AUTH] = 100000;
    r.phase_us[POP3CHECK_PHASE_STAT] = 2000;
    r.logged_in = 1;
    r.messages = 3;
    r.octets = 320;
    r.tls = 1;
    r.cert_not_after = T0 + 10 * DAY;
    first_line_perf(render(o, &r, POP3CHECK_STATE_OK, ""), perf, sizeof perf);
    expect_item(perf, "time_auth", 0.1, "s");
    expect_item(perf, "time_stat", 0.002, "s");
    expect_item(perf, "messages", 3, "");
    expect_item(perf, "size", 320, "B");
    expect_item(perf, "cert_days", 10, "");
}

static void test_output_perfdata_thresholds(void **state)
{
    struct plugin_opts *o = *state;
    struct pop3check_result r;
    char perf[2048];
    const char *rest;

    banner_result(&r);
    r.messages = 3;
    r.octets = 320;
    r.cert_not_after = T0 + 10 * DAY;
    set_phase_range(o, POP3CHECK_PHASE_TOTAL, WARN, "2");
    set_phase_range(o, POP3CHECK_PHASE_TOTAL, CRIT, "5");
    set_phase_range(o, POP3CHECK_PHASE_CONNECT, CRIT, "@0:0.5");
    set_range(o, POP3CHECK_MEASURE_MESSAGES, WARN, "100");
    set_range(o, POP3CHECK_MEASURE_MESSAGES, CRIT, "200");
    set_range(o, POP3CHECK_MEASURE_OCTETS, CRIT, "~:1000");
    /* What -D 30,14 sets. */
    set_range(o, POP3CHECK_MEASURE_CERT_DAYS, WARN, "30:");
    set_range(o, POP3CHECK_MEASURE_CERT_DAYS, CRIT, "14:");
    first_line_perf(render(o, &r, POP3CHECK_STATE_OK, ""), perf, sizeof perf);
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
    struct plugin_opts *o = *state;
    struct pop3check_result r;
    const char *out;

    banner_result(&r);
    out = render(o, &r, POP3CHECK_STATE_OK, "");
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
    struct plugin_opts *o = *state;
    struct pop3check_result r;
    const char *out;
    char line[256];

    o->verbose = 1;
    banner_result(&r);
    out = render(o, &r, POP3CHECK_STATE_OK, "");
    /* The status line and its perfdata come first, on one line. */
    assert_true(strstr(out, " | ") < strchr(out, '\n'));
    assert_true(strstr(out, "time=") < strchr(out, '\n'));
    assert_int_equal(out[strlen(out) - 1], '\n');
    for (int p = 0; p < pop3check_phase_count(); p++) {
        const char *name = pop3check_phase_name((enum pop3check_phase)p);
        const int64_t us =
            pop3check_result_phase_us(&r, (enum pop3check_phase)p);
        if (name == NULL)
            continue;
        if (p > POP3CHECK_PHASE_TOTAL) { /* a round trip's: not shown */
            if (long_line(out, name, line, sizeof line) != NULL)
                fail_msg("a banner check shows round-trip phase '%s'", name);
            continue;
        }
        if (long_line(out, name, line, sizeof line) == NULL)
            fail_msg("no long-output line for phase '%s'", name);
        if ((us < 0) != (strstr(line, "not performed") != NULL))
            fail_msg("phase '%s': line '%s'", name, line);
    }
}

/* How many lines of out start with "NAME " for a phase NAME, and whether
 * each phase the library names has exactly one. */
static int phase_lines(const char *out)
{
    char line[256];
    int n = 0;

    for (const char *p = strchr(out, '\n'); p != NULL && p[1];
         p = strchr(p + 1, '\n')) {
        const char *s = p + 1;
        size_t w = strcspn(s, " \n");
        char word[32];
        if (w == 0 || w >= sizeof word || s[w] != ' ')
            continue;
        memcpy(word, s, w);
        word[w] = '\0';
        int ph = pop3check_phase_from_name(word);
        if (ph >= 0 &&
            strcmp(word, pop3check_phase_name((enum pop3check_phase)ph)) == 0)
            n++;
    }
    for (int p = 0; p < pop3check_phase_count(); p++) {
        const char *name = pop3check_phase_name((enum pop3check_phase)p);
        if (name != NULL && p <= POP3CHECK_PHASE_TOTAL &&
            long_line(out, name, line, sizeof line) == NULL)
            fail_msg("no long-output line for phase '%s'", name);
    }
    return n;
}

/* Output walks the phases of the library in use, no more: the result
 * holds P3_PHASES of them and nothing beyond is read or named. */
static void test_output_iterates_library_phases(void **state)
{
    struct plugin_opts *o = *state;
    struct pop3check_result r;
    char perf[2048];
    const char *out;
    int timed = 0;

    o->verbose = 1;
    blank_result(&r);
    assert_int_equal(P3_COUNT(r.phase_us), pop3check_phase_count());
    for (size_t p = 0; p < P3_COUNT(r.phase_us); p++)
        r.phase_us[p] = (int64_t)(p + 1) * 1000;
    r.poll_ms = 1000; /* a round trip's: every phase is shown */
    out = render(o, &r, POP3CHECK_STATE_OK, "");
    assert_null(strstr(out, "(null)"));
    assert_int_equal(phase_lines(out), pop3check_phase_count());
    first_line_perf(out, perf, sizeof perf);
    for (const char *p = strstr(perf, "time_"); p != NULL;
         p = strstr(p + 1, " time_"))
        timed++;
    /* Every phase but the total, which is time= itself. */
    assert_int_equal(timed, pop3check_phase_count() - 1);
    expect_item(perf, "time", (POP3CHECK_PHASE_TOTAL + 1) / 1000.0, "s");
    assert_null(perf_item(perf, "time_total"));
    /* A phase number the library does not know has no name and no time:
     * what output.c relies on to skip it. */
    assert_null(
        pop3check_phase_name((enum pop3check_phase)pop3check_phase_count()));
    assert_int_equal(pop3check_result_phase_us(
                         &r, (enum pop3check_phase)pop3check_phase_count()),
                     -1);
}

/* The status line shows the port the probe uses: the library's default
 * for the TLS mode unless -p gave one. */
static void test_output_effective_port(void **state)
{
    static const struct {
        long tls, port;
        const char *host, *want;
    } v[] = {
        {POP3CHECK_TLS_NONE, 0, "pop.example.org", " - pop.example.org:110 "},
        {POP3CHECK_TLS_STLS, 0, "pop.example.org", " - pop.example.org:110 "},
        {POP3CHECK_TLS_IMPLICIT, 0, "pop.example.org",
         " - pop.example.org:995 "},
        {POP3CHECK_TLS_IMPLICIT, 2995, "pop.example.org",
         " - pop.example.org:2995 "},
        {POP3CHECK_TLS_NONE, 0, "2001:db8::1", " - [2001:db8::1]:110 "},
    };
    struct plugin_opts *o = *state;
    struct pop3check_result r;

    banner_result(&r);
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        const char *out;
        assert_int_equal(
            pop3check_options_set_long(o->probe, POP3CHECK_OPT_TLS, v[i].tls),
            0);
        assert_int_equal(
            pop3check_options_set_long(o->probe, POP3CHECK_OPT_PORT, v[i].port),
            0);
        assert_int_equal(
            pop3check_options_set_str(o->probe, POP3CHECK_OPT_HOST, v[i].host),
            0);
        out = render(o, &r, POP3CHECK_STATE_OK, "");
        if (strstr(out, v[i].want) == NULL ||
            strstr(out, v[i].want) > strchr(out, '\n'))
            fail_msg("case %zu: '%s' not in the status line: %s", i, v[i].want,
                     out);
    }
}

/* The login line names the mechanism tried and the user; without a
 * mechanism (no login tried) there is none. */
static void test_output_login_line(void **state)
{
    struct plugin_opts *o = *state;
    struct pop3check_result r;
    char line[256];
    const char *out;

    o->verbose = 1;
    assert_int_equal(
        pop3check_options_set_str(o->probe, POP3CHECK_OPT_USER, "alice"), 0);
    banner_result(&r);
    r.phase_us[POP3CHECK_PHASE_AUTH] = 5000;
    r.auth_used = POP3CHECK_AUTH_CRAM_MD5;
    out = render(o, &r, POP3CHECK_STATE_CRITICAL, "");
    assert_non_null(long_line(out, "login", line, sizeof line));
    assert_string_equal(line, "login: cram-md5 as alice, refused");
    r.auth_used = POP3CHECK_AUTH_LOGIN;
    out = render(o, &r, POP3CHECK_STATE_CRITICAL, "");
    assert_non_null(long_line(out, "login", line, sizeof line));
    assert_string_equal(
        line, "login: login as alice, refused (password sent without TLS)");
    r.auth_used = POP3CHECK_AUTH_CRAM_MD5;
    r.logged_in = 1;
    r.tls = 1;
    out = render(o, &r, POP3CHECK_STATE_OK, "");
    assert_non_null(long_line(out, "login", line, sizeof line));
    assert_string_equal(line, "login: cram-md5 as alice, accepted");
    r.auth_used = -1;
    out = render(o, &r, POP3CHECK_STATE_OK, "");
    assert_null(long_line(out, "login", line, sizeof line));
    assert_null(strstr(out, "(null)"));
}

/* The long output of a failure marks the phase and names the error. */
static void test_output_failed_phase_marked(void **state)
{
    struct plugin_opts *o = *state;
    struct pop3check_result r;
    char line[256];
    const char *out;

    o->verbose = 1;
    blank_result(&r);
    r.phase_us[POP3CHECK_PHASE_RESOLVE] = 1000;
    r.phase_us[POP3CHECK_PHASE_TOTAL] = 3000;
    r.error = POP3CHECK_E_CONNECT;
    r.failed_phase = POP3CHECK_PHASE_CONNECT;
    r.rcode = POP3CHECK_RCODE_SYS_TEMP;
    memcpy(r.server_text, "[SYS/TEMP] busy", sizeof "[SYS/TEMP] busy");
    memcpy(r.error_text, "connection refused", sizeof "connection refused");
    out = render(o, &r, POP3CHECK_STATE_CRITICAL, "connection refused");
    first_line(out, line, sizeof line);
    assert_string_equal(line, "POP3 CRITICAL - pop.example.org:110 connection "
                              "refused in 0.003 s | time=0.003000s;;;0 "
                              "time_resolve=0.001000s;;;0");
    assert_non_null(long_line(out, "connect", line, sizeof line));
    assert_string_equal(line, "connect   not performed  <- failed: connect");
    assert_non_null(long_line(out, "resolve", line, sizeof line));
    assert_string_equal(line, "resolve   0.001000 s");
    assert_non_null(long_line(out, "server", line, sizeof line));
    assert_string_equal(line,
                        "server said: -ERR [SYS/TEMP] busy (response code "
                        "SYS/TEMP)");
}

static void test_output_password_never_printed(void **state)
{
    struct plugin_opts *o = *state;
    struct pop3check_result r;
    const char *out;

    o->verbose = 3;
    assert_int_equal(
        pop3check_options_set_str(o->probe, POP3CHECK_OPT_USER, "alice"), 0);
    memcpy(o->password, "Sup3r-S3cret", sizeof "Sup3r-S3cret");
    assert_int_equal(pop3check_options_set_str(o->probe, POP3CHECK_OPT_PASSWORD,
                                               o->password),
                     0);
    assert_int_equal(pop3check_options_set_long(o->probe, POP3CHECK_OPT_AUTH,
                                                POP3CHECK_AUTH_USER),
                     0);
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
    out = render(o, &r, POP3CHECK_STATE_CRITICAL, "login failed");
    assert_memory_equal(out, "POP3 CRITICAL - ", 16);
    assert_null(strstr(out, "Sup3r-S3cret"));
    assert_null(strstr(out, "Sup3r"));
}

#define OPTS_TEST(f)                                                           \
    cmocka_unit_test_setup_teardown(f, setup_opts, teardown_opts)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_output_label_quoting),
        cmocka_unit_test(test_output_perf_fields),
        cmocka_unit_test(test_output_perf_items_separated_by_space),
        cmocka_unit_test(test_output_buffer_truncates),
        OPTS_TEST(test_output_render_small_buffer),
        OPTS_TEST(test_output_status_line_by_state),
        OPTS_TEST(test_output_failure_line),
        OPTS_TEST(test_output_perfdata_phases),
        OPTS_TEST(test_output_perfdata_mailbox_and_cert),
        OPTS_TEST(test_output_perfdata_thresholds),
        OPTS_TEST(test_output_no_long_output_without_verbose),
        OPTS_TEST(test_output_long_output_phases),
        OPTS_TEST(test_output_password_never_printed),
        OPTS_TEST(test_output_iterates_library_phases),
        OPTS_TEST(test_output_effective_port),
        OPTS_TEST(test_output_login_line),
        OPTS_TEST(test_output_failed_phase_marked),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
