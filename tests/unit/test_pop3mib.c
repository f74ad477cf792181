/* SPDX-License-Identifier: MIT */
/* test_pop3mib.c - unit tests of the cells of POP3-MONITOR-MIB's
 * pop3ProbeEntry (exporters/snmp/pop3mib.c): every column by its number in
 * the MIB, the enumerations it publishes, and what a value of a newer
 * library that the MIB does not name becomes. Results are built field by
 * field through internal.h. */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "pop3mib.h"

/* 2023-11-14 22:13:20 UTC, as DateAndTime */
#define T0 1700000000
static const u_char t0_date[11] = {0x07, 0xe7, 11,  14, 22, 13,
                                   20,   0,    '+', 0,  0};
static const u_char never[8] = {0};

struct fixture {
    struct p3x_module module;
    struct p3x_target target;
    struct pop3check_result *r;
    struct p3m_row row;
    netsnmp_variable_list *vars;
};

static int setup(void **state)
{
    static const oid name[] = {1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 110};
    struct fixture *f = calloc(1, sizeof *f);

    assert_non_null(f);
    f->module.name = "m";
    f->module.opts = pop3check_options_new();
    f->r = pop3check_result_new();
    assert_non_null(f->module.opts);
    assert_non_null(f->r);
    f->target.name = "t";
    f->target.host = "127.0.0.1";
    f->target.module = &f->module;
    f->target.interval_s = 2;
    f->row.ct = &f->target;
    f->row.r = f->r;
    f->row.messages = f->row.octets = f->row.cert_not_after = -1;
    f->row.counters_since = T0;
    assert_non_null(snmp_varlist_add_variable(&f->vars, name, OID_LENGTH(name),
                                              ASN_NULL, NULL, 0));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    snmp_free_varbind(f->vars);
    pop3check_result_free(f->r);
    pop3check_options_free(f->module.opts);
    free(f);
    return 0;
}

/* The result to fill, marked as taken. */
static struct pop3check_result *probed(struct fixture *f,
                                       enum pop3check_state st)
{
    f->row.have = 1;
    f->row.state = st;
    f->r->started_at = T0;
    return f->r;
}

/* The cell as ASN type and integer (INTEGER, Gauge32, Counter32). */
static long cell_int(struct fixture *f, int col, u_char type)
{
    assert_int_equal(p3m_cell(f->vars, &f->row, col), 0);
    assert_int_equal(f->vars->type, type);
    return *f->vars->val.integer;
}

static void assert_octets(struct fixture *f, int col, const void *want,
                          size_t n)
{
    assert_int_equal(p3m_cell(f->vars, &f->row, col), 0);
    assert_int_equal(f->vars->type, ASN_OCTET_STR);
    assert_int_equal(f->vars->val_len, n);
    if (n > 0)
        assert_memory_equal(f->vars->val.string, want, n);
}

static void assert_no_value(struct fixture *f, int col)
{
    assert_int_equal(p3m_cell(f->vars, &f->row, col), P3M_NO_VALUE);
    assert_int_equal(f->vars->type, ASN_NULL); /* untouched */
}

static void test_pop3mib_config_columns_library_defaults(void **state)
{
    struct fixture *f = *state;
    struct pop3check_options *o = f->module.opts;

    assert_octets(f, 2, "127.0.0.1", 9);
    assert_int_equal(cell_int(f, 3, ASN_UNSIGNED), 110);
    assert_int_equal(cell_int(f, 4, ASN_INTEGER), 1); /* none(1) */
    assert_int_equal(cell_int(f, 5, ASN_UNSIGNED), 2);
    assert_int_equal(cell_int(f, 6, ASN_UNSIGNED), 10000);
    assert_int_equal(pop3check_options_set_long(o, POP3CHECK_OPT_TLS,
                                                POP3CHECK_TLS_IMPLICIT),
                     0);
    assert_int_equal(cell_int(f, 3, ASN_UNSIGNED), 995);
    assert_int_equal(cell_int(f, 4, ASN_INTEGER), 2); /* implicit(2) */
    assert_int_equal(
        pop3check_options_set_long(o, POP3CHECK_OPT_TLS, POP3CHECK_TLS_STLS),
        0);
    assert_int_equal(cell_int(f, 3, ASN_UNSIGNED), 110);
    assert_int_equal(cell_int(f, 4, ASN_INTEGER), 3); /* stls(3) */
}

static void test_pop3mib_config_columns_as_set(void **state)
{
    struct fixture *f = *state;
    struct pop3check_options *o = f->module.opts;

    assert_int_equal(pop3check_options_set_long(o, POP3CHECK_OPT_PORT, 1110),
                     0);
    assert_int_equal(
        pop3check_options_set_long(o, POP3CHECK_OPT_TIMEOUT_MS, 5000), 0);
    f->target.interval_s = 2.5;
    assert_int_equal(cell_int(f, 3, ASN_UNSIGNED), 1110);
    assert_int_equal(cell_int(f, 6, ASN_UNSIGNED), 5000);
    assert_int_equal(cell_int(f, 5, ASN_UNSIGNED), 3);
    f->target.port = 2110; /* the target's own port wins */
    assert_int_equal(cell_int(f, 3, ASN_UNSIGNED), 2110);
}

/* A TLS mode of a newer library: no Pop3TlsMode is true of it. */
static void test_pop3mib_tls_mode_unknown_has_no_value(void **state)
{
    struct fixture *f = *state;

    f->module.opts->v.tls = 3;
    assert_no_value(f, 4);
}

static void test_pop3mib_not_probed(void **state)
{
    struct fixture *f = *state;
    struct counter64 c;

    assert_int_equal(cell_int(f, 7, ASN_INTEGER), 3);  /* unknown(3) */
    assert_int_equal(cell_int(f, 8, ASN_INTEGER), 2);  /* false(2) */
    assert_octets(f, 9, never, sizeof never);          /* no probe time */
    assert_int_equal(cell_int(f, 10, ASN_INTEGER), 1); /* none(1) */
    assert_octets(f, 11, "", 0);
    assert_int_equal(cell_int(f, 12, ASN_INTEGER), 0); /* unknown(0) */
    assert_octets(f, 13, "", 0);
    assert_octets(f, 14, "\0\0", 2);
    for (int col = 15; col <= 28; col++)
        assert_int_equal(cell_int(f, col, ASN_GAUGE), 0);
    assert_int_equal(cell_int(f, 29, ASN_GAUGE), 0);
    assert_int_equal(p3m_cell(f->vars, &f->row, 30), 0);
    assert_int_equal(f->vars->type, ASN_COUNTER64);
    memcpy(&c, f->vars->val.counter64, sizeof c);
    assert_int_equal(c.high, 0);
    assert_int_equal(c.low, 0);
    assert_octets(f, 31, "", 0);
    assert_octets(f, 32, never, sizeof never);
    for (int col = 33; col <= 43; col++)
        assert_int_equal(cell_int(f, col, ASN_COUNTER), 0);
    assert_octets(f, 44, t0_date, sizeof t0_date);
    assert_int_equal(cell_int(f, 45, ASN_INTEGER), 1); /* none(1) */
}

/* Each phase's time in the column the MIB gives it, written out here
 * apart from pop3mib.c's table. */
static void test_pop3mib_phase_times_by_column(void **state)
{
    static const struct {
        int col;
        enum pop3check_phase phase;
    } cols[] = {
        {15, POP3CHECK_PHASE_RESOLVE}, {16, POP3CHECK_PHASE_CONNECT},
        {17, POP3CHECK_PHASE_TLS},     {18, POP3CHECK_PHASE_GREETING},
        {19, POP3CHECK_PHASE_CAPA},    {20, POP3CHECK_PHASE_STLS},
        {21, POP3CHECK_PHASE_AUTH},    {22, POP3CHECK_PHASE_STAT},
        {23, POP3CHECK_PHASE_LIST},    {24, POP3CHECK_PHASE_UIDL},
        {25, POP3CHECK_PHASE_TOP},     {26, POP3CHECK_PHASE_RETR},
        {27, POP3CHECK_PHASE_QUIT},    {28, POP3CHECK_PHASE_TOTAL},
    };
    struct fixture *f = *state;
    struct pop3check_result *r = probed(f, POP3CHECK_STATE_OK);

    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        r->phase_us[cols[i].phase] = 1000 + (int64_t)i;
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        assert_int_equal(cell_int(f, cols[i].col, ASN_GAUGE), 1000 + i);
    r->phase_us[POP3CHECK_PHASE_TOTAL] = 5000000000LL; /* saturates */
    assert_int_equal(cell_int(f, 28, ASN_GAUGE), 4294967295UL);
    r->phase_us[POP3CHECK_PHASE_TLS] = -1; /* not performed */
    assert_int_equal(cell_int(f, 17, ASN_GAUGE), 0);
}

static void test_pop3mib_success(void **state)
{
    struct fixture *f = *state;
    struct pop3check_result *r = probed(f, POP3CHECK_STATE_WARNING);
    static const enum pop3check_phase done[] = {
        POP3CHECK_PHASE_RESOLVE,  POP3CHECK_PHASE_CONNECT,
        POP3CHECK_PHASE_GREETING, POP3CHECK_PHASE_CAPA,
        POP3CHECK_PHASE_AUTH,     POP3CHECK_PHASE_STAT,
        POP3CHECK_PHASE_QUIT,     POP3CHECK_PHASE_TOTAL};

    for (size_t i = 0; i < sizeof done / sizeof done[0]; i++)
        r->phase_us[done[i]] = 10;
    snprintf(r->peer_ip, sizeof r->peer_ip, "::1");
    snprintf(r->tls_version, sizeof r->tls_version, "TLSv1.3");
    f->row.messages = 7;
    f->row.cert_not_after = T0;
    assert_int_equal(cell_int(f, 7, ASN_INTEGER), 1); /* warning(1) */
    assert_int_equal(cell_int(f, 8, ASN_INTEGER), 1); /* true(1) */
    assert_octets(f, 9, t0_date, sizeof t0_date);
    assert_int_equal(cell_int(f, 10, ASN_INTEGER), 1);
    assert_int_equal(cell_int(f, 12, ASN_INTEGER), 2); /* ipv6(2) */
    assert_octets(f, 13, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16);
    /* resolve connect greeting capa auth stat quit: bits 0 1 3 4 6 7 12 */
    assert_octets(f, 14, "\xdb\x08", 2);
    assert_int_equal(cell_int(f, 29, ASN_GAUGE), 7);
    assert_octets(f, 31, "TLSv1.3", 7);
    assert_octets(f, 32, t0_date, sizeof t0_date);
    assert_int_equal(cell_int(f, 45, ASN_INTEGER), 1);
}

static void test_pop3mib_failed_login(void **state)
{
    struct fixture *f = *state;
    struct pop3check_result *r = probed(f, POP3CHECK_STATE_CRITICAL);

    for (int p = POP3CHECK_PHASE_RESOLVE; p <= POP3CHECK_PHASE_AUTH; p++)
        r->phase_us[p] = 10;
    r->phase_us[POP3CHECK_PHASE_TLS] = -1;
    r->phase_us[POP3CHECK_PHASE_STLS] = -1;
    r->error = POP3CHECK_E_AUTH;
    r->failed_phase = POP3CHECK_PHASE_AUTH;
    snprintf(r->error_text, sizeof r->error_text, "login failed: [AUTH] no");
    assert_int_equal(cell_int(f, 7, ASN_INTEGER), 2);  /* critical(2) */
    assert_int_equal(cell_int(f, 8, ASN_INTEGER), 2);  /* false(2) */
    assert_int_equal(cell_int(f, 10, ASN_INTEGER), 8); /* auth(8) */
    assert_octets(f, 11, "login failed: [AUTH] no", 23);
    assert_int_equal(cell_int(f, 12, ASN_INTEGER), 1); /* ipv4(1), target */
    assert_octets(f, 13, "\x7f\0\0\1", 4);
    /* the failed phase is not completed: bits 0 1 3 4 */
    assert_octets(f, 14, "\xd8\x00", 2);
    assert_int_equal(cell_int(f, 45, ASN_INTEGER), 8); /* auth(8) */
}

/* Every kind's Pop3ErrorKind value and failed phase's Pop3ProbePhase
 * value, written out here apart from pop3mib.c's tables. */
static void test_pop3mib_enumerations(void **state)
{
    static const struct {
        enum pop3check_error kind;
        long value;
    } kinds[] = {
        {POP3CHECK_E_RESOLVE, 2},     {POP3CHECK_E_CONNECT, 3},
        {POP3CHECK_E_TIMEOUT, 4},     {POP3CHECK_E_TLS, 5},
        {POP3CHECK_E_CERTIFICATE, 6}, {POP3CHECK_E_PROTOCOL, 7},
        {POP3CHECK_E_AUTH, 8},        {POP3CHECK_E_COMMAND, 9},
        {POP3CHECK_E_INTERNAL, 10},
    };
    struct fixture *f = *state;
    struct pop3check_result *r = probed(f, POP3CHECK_STATE_CRITICAL);

    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        r->error = kinds[i].kind;
        assert_int_equal(cell_int(f, 45, ASN_INTEGER), kinds[i].value);
    }
    for (int p = POP3CHECK_PHASE_RESOLVE; p <= POP3CHECK_PHASE_QUIT; p++) {
        r->failed_phase = (enum pop3check_phase)p;
        assert_int_equal(cell_int(f, 10, ASN_INTEGER), p + 2);
    }
}

/* A phase of a newer library, or the whole probe, has no Pop3ProbePhase
 * value of its own: none(1), never another phase's value. */
static void test_pop3mib_failed_phase_unknown_is_none(void **state)
{
    struct fixture *f = *state;
    struct pop3check_result *r = probed(f, POP3CHECK_STATE_CRITICAL);

    r->error = POP3CHECK_E_TIMEOUT;
    r->failed_phase = (enum pop3check_phase)POP3CHECK_PHASE_KNOWN;
    assert_int_equal(cell_int(f, 10, ASN_INTEGER), 1);
    assert_int_equal(cell_int(f, 45, ASN_INTEGER), 4); /* timeout(4) */
    r->failed_phase = POP3CHECK_PHASE_TOTAL;
    assert_int_equal(cell_int(f, 10, ASN_INTEGER), 1);
    r->failed_phase = (enum pop3check_phase) - 1;
    assert_int_equal(cell_int(f, 10, ASN_INTEGER), 1);
}

/* A kind of a newer library: internal(10), as pop3check_error_name()
 * names it; never none(1), which would say the probe did not fail. */
static void test_pop3mib_error_kind_unknown_is_internal(void **state)
{
    struct fixture *f = *state;
    struct pop3check_result *r = probed(f, POP3CHECK_STATE_CRITICAL);

    r->error = (enum pop3check_error)POP3CHECK_E_KNOWN;
    r->failed_phase = POP3CHECK_PHASE_AUTH;
    snprintf(r->error_text, sizeof r->error_text, "new kind");
    assert_int_equal(cell_int(f, 45, ASN_INTEGER), 10);
    assert_string_equal(pop3check_error_name(r->error), "internal");
    assert_int_equal(cell_int(f, 8, ASN_INTEGER), 2);
    assert_int_equal(cell_int(f, 10, ASN_INTEGER), 8);
    assert_octets(f, 11, "new kind", 8);
}

static void test_pop3mib_counters_by_column(void **state)
{
    static const struct {
        int col;
        enum pop3check_error kind;
    } cols[] = {
        {35, POP3CHECK_E_RESOLVE},     {36, POP3CHECK_E_CONNECT},
        {37, POP3CHECK_E_TIMEOUT},     {38, POP3CHECK_E_TLS},
        {39, POP3CHECK_E_CERTIFICATE}, {40, POP3CHECK_E_PROTOCOL},
        {41, POP3CHECK_E_AUTH},        {42, POP3CHECK_E_COMMAND},
        {43, POP3CHECK_E_INTERNAL},
    };
    struct fixture *f = *state;
    unsigned long sum = 0;

    f->row.runs = 1000;
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        f->row.errors[cols[i].kind] = 10 + i;
        sum += 10 + i;
    }
    f->row.errors[POP3CHECK_E_OK] = 999; /* not a failure */
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        assert_int_equal(cell_int(f, cols[i].col, ASN_COUNTER), 10 + i);
    assert_int_equal(cell_int(f, 33, ASN_COUNTER), 1000);
    assert_int_equal(cell_int(f, 34, ASN_COUNTER), sum);
}

static void test_pop3mib_octets_counter64(void **state)
{
    struct fixture *f = *state;
    struct counter64 c;

    f->row.octets = 5000000000LL;
    assert_int_equal(p3m_cell(f->vars, &f->row, 30), 0);
    assert_int_equal(f->vars->type, ASN_COUNTER64);
    memcpy(&c, f->vars->val.counter64, sizeof c);
    assert_int_equal(c.high, 1);
    assert_int_equal(c.low, 5000000000LL - 4294967296LL);
}

static void test_pop3mib_no_such_column(void **state)
{
    struct fixture *f = *state;

    probed(f, POP3CHECK_STATE_OK);
    assert_no_value(f, 0);
    assert_no_value(f, 1); /* the index */
    assert_no_value(f, 46);
    assert_no_value(f, -1);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_pop3mib_config_columns_library_defaults),
        T(test_pop3mib_config_columns_as_set),
        T(test_pop3mib_tls_mode_unknown_has_no_value),
        T(test_pop3mib_not_probed),
        T(test_pop3mib_phase_times_by_column),
        T(test_pop3mib_success),
        T(test_pop3mib_failed_login),
        T(test_pop3mib_enumerations),
        T(test_pop3mib_failed_phase_unknown_is_none),
        T(test_pop3mib_error_kind_unknown_is_internal),
        T(test_pop3mib_counters_by_column),
        T(test_pop3mib_octets_counter64),
        T(test_pop3mib_no_such_column),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
