/* SPDX-License-Identifier: MIT */
/* test_pop3mib.c - unit tests of the cells of POP3-MONITOR-MIB's
 * pop3ProbeEntry (exporters/snmp/pop3mib.c): every column by its number in
 * the MIB, the enumerations it publishes, what a value of a newer
 * library that the MIB does not name becomes, and what a round trip's
 * result says of its probe message. Results are built field by field
 * through internal.h. */
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
    for (int col = 46; col <= 53; col++)
        assert_int_equal(cell_int(f, col, ASN_GAUGE), 0);
    assert_int_equal(cell_int(f, 54, ASN_COUNTER), 0);
    assert_int_equal(cell_int(f, 55, ASN_INTEGER), 2); /* false(2) */
    assert_int_equal(cell_int(f, 56, ASN_INTEGER), 1); /* none(1) */
    for (int col = 57; col <= 59; col++)
        assert_int_equal(cell_int(f, col, ASN_COUNTER), 0);
    assert_int_equal(cell_int(f, 60, ASN_GAUGE), 0);
    assert_int_equal(cell_int(f, 61, ASN_GAUGE), 0); /* no token phase */
}

/* Each phase's time in the column the MIB gives it, written out here
 * apart from pop3mib.c's table. */
static void test_pop3mib_phase_times_by_column(void **state)
{
    static const struct {
        int col;
        enum pop3check_phase phase;
    } cols[] = {
        {15, POP3CHECK_PHASE_RESOLVE},      {16, POP3CHECK_PHASE_CONNECT},
        {17, POP3CHECK_PHASE_TLS},          {18, POP3CHECK_PHASE_GREETING},
        {19, POP3CHECK_PHASE_CAPA},         {20, POP3CHECK_PHASE_STLS},
        {21, POP3CHECK_PHASE_AUTH},         {22, POP3CHECK_PHASE_STAT},
        {23, POP3CHECK_PHASE_LIST},         {24, POP3CHECK_PHASE_UIDL},
        {25, POP3CHECK_PHASE_TOP},          {26, POP3CHECK_PHASE_RETR},
        {27, POP3CHECK_PHASE_QUIT},         {28, POP3CHECK_PHASE_TOTAL},
        {46, POP3CHECK_PHASE_SMTP_RESOLVE}, {47, POP3CHECK_PHASE_SMTP_CONNECT},
        {48, POP3CHECK_PHASE_SMTP_TLS},     {49, POP3CHECK_PHASE_SMTP_GREETING},
        {50, POP3CHECK_PHASE_SMTP_AUTH},    {51, POP3CHECK_PHASE_SMTP_SUBMIT},
        {52, POP3CHECK_PHASE_DELIVERY},     {53, POP3CHECK_PHASE_DELE},
        {61, POP3CHECK_PHASE_TOKEN},
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
    r->phase_us[POP3CHECK_PHASE_TOKEN] = -1;
    assert_int_equal(cell_int(f, 61, ASN_GAUGE), 0);
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
        {POP3CHECK_E_INTERNAL, 10},   {POP3CHECK_E_NOT_DELIVERED, 11},
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
    /* smtpResolve(15) .. dele(22), after total (13), which has none */
    for (int p = POP3CHECK_PHASE_SMTP_RESOLVE; p <= POP3CHECK_PHASE_DELE; p++) {
        r->failed_phase = (enum pop3check_phase)p;
        assert_int_equal(cell_int(f, 10, ASN_INTEGER), p + 1);
    }
    r->failed_phase = POP3CHECK_PHASE_TOKEN; /* token(23) */
    assert_int_equal(cell_int(f, 10, ASN_INTEGER), 23);
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
        {43, POP3CHECK_E_INTERNAL},    {54, POP3CHECK_E_NOT_DELIVERED},
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
    assert_no_value(f, 66);
    assert_no_value(f, -1);
}

/* ---- round trips ---- */

/* A round trip's result: the module names a submission server; phases
 * as given, -1 ending the list. */
static struct pop3check_result *trip(struct fixture *f, enum pop3check_state st,
                                     int delivered, int64_t polls,
                                     const int *phases)
{
    struct pop3check_result *r = probed(f, st);

    assert_int_equal(pop3check_options_set_str(
                         f->module.opts, POP3CHECK_OPT_SMTP_HOST, "127.0.0.1"),
                     0);
    r->poll_ms = 1000;
    r->delivered = delivered;
    r->polls = polls;
    r->stale_cleaned = 0;
    for (; *phases >= 0; phases++)
        r->phase_us[*phases] = 100 + *phases;
    return r;
}

/* The delivery of r, and what it adds to zeroed counters. */
static struct p3m_trip added(const struct pop3check_result *r)
{
    struct p3m_trip c = {0, 0, 0};

    p3m_trip_add(&c, r);
    return c;
}

static void assert_trip_cells(struct fixture *f, long delivery, long polls)
{
    assert_int_equal(cell_int(f, 55, ASN_INTEGER), 1); /* true(1) */
    assert_int_equal(cell_int(f, 56, ASN_INTEGER), delivery);
    assert_int_equal(cell_int(f, 60, ASN_GAUGE), polls);
}

/* A probe that is no round trip: false, none, nothing counted. */
static void test_pop3mib_ordinary_probe_no_round_trip(void **state)
{
    struct fixture *f = *state;
    struct pop3check_result *r = probed(f, POP3CHECK_STATE_CRITICAL);
    struct p3m_trip c;

    r->error = POP3CHECK_E_AUTH;
    r->failed_phase = POP3CHECK_PHASE_AUTH;
    assert_int_equal(p3m_delivery(r), P3M_DLV_NONE);
    assert_int_equal(p3m_delivery(NULL), P3M_DLV_NONE);
    c = added(r);
    assert_int_equal(c.deliveries + c.submission_failures + c.stale_cleaned, 0);
    assert_int_equal(cell_int(f, 55, ASN_INTEGER), 2); /* false(2) */
    assert_int_equal(cell_int(f, 56, ASN_INTEGER), 1); /* none(1) */
    for (int col = 57; col <= 59; col++)
        assert_int_equal(cell_int(f, col, ASN_COUNTER), 0);
    assert_int_equal(cell_int(f, 60, ASN_GAUGE), 0);
    for (int col = 46; col <= 53; col++)
        assert_int_equal(cell_int(f, col, ASN_GAUGE), 0);
}

static void test_pop3mib_round_trip_delivered(void **state)
{
    static const int done[] = {POP3CHECK_PHASE_RESOLVE,
                               POP3CHECK_PHASE_CONNECT,
                               POP3CHECK_PHASE_GREETING,
                               POP3CHECK_PHASE_CAPA,
                               POP3CHECK_PHASE_AUTH,
                               POP3CHECK_PHASE_STAT,
                               POP3CHECK_PHASE_UIDL,
                               POP3CHECK_PHASE_TOP,
                               POP3CHECK_PHASE_QUIT,
                               POP3CHECK_PHASE_TOTAL,
                               POP3CHECK_PHASE_SMTP_RESOLVE,
                               POP3CHECK_PHASE_SMTP_CONNECT,
                               POP3CHECK_PHASE_SMTP_TLS,
                               POP3CHECK_PHASE_SMTP_GREETING,
                               POP3CHECK_PHASE_SMTP_AUTH,
                               POP3CHECK_PHASE_SMTP_SUBMIT,
                               POP3CHECK_PHASE_DELIVERY,
                               POP3CHECK_PHASE_DELE,
                               -1};
    struct fixture *f = *state;
    struct pop3check_result *r = trip(f, POP3CHECK_STATE_OK, 1, 3, done);
    struct p3m_trip c;

    r->stale_cleaned = 2;
    r->phase_us[POP3CHECK_PHASE_DELIVERY] = 2500000;
    assert_int_equal(p3m_delivery(r), P3M_DLV_DELIVERED);
    assert_trip_cells(f, 2, 3); /* delivered(2), 3 polls */
    assert_int_equal(cell_int(f, 8, ASN_INTEGER), 1);
    assert_int_equal(cell_int(f, 45, ASN_INTEGER), 1);
    assert_int_equal(cell_int(f, 52, ASN_GAUGE), 2500000);
    assert_int_equal(cell_int(f, 46, ASN_GAUGE),
                     100 + POP3CHECK_PHASE_SMTP_RESOLVE);
    /* bits 0 1 3 4 6 7 | 9 10 12 13 14 15 | 16 17 18 19 20 */
    assert_octets(f, 14, "\xdb\x6f\xf8", 3);
    c = added(r);
    assert_int_equal(c.deliveries, 1);
    assert_int_equal(c.submission_failures, 0);
    assert_int_equal(c.stale_cleaned, 2);
    f->row.trip = c;
    assert_int_equal(cell_int(f, 57, ASN_COUNTER), 1);
    assert_int_equal(cell_int(f, 58, ASN_COUNTER), 0);
    assert_int_equal(cell_int(f, 59, ASN_COUNTER), 2);
}

/* Seen, then DELE refused: the message was delivered; the mailbox's
 * failure is the error kind's. */
static void test_pop3mib_round_trip_delivered_dele_failed(void **state)
{
    static const int done[] = {POP3CHECK_PHASE_SMTP_SUBMIT,
                               POP3CHECK_PHASE_AUTH, POP3CHECK_PHASE_DELIVERY,
                               POP3CHECK_PHASE_DELE, -1};
    struct fixture *f = *state;
    struct pop3check_result *r = trip(f, POP3CHECK_STATE_CRITICAL, 1, 1, done);

    r->error = POP3CHECK_E_COMMAND;
    r->failed_phase = POP3CHECK_PHASE_DELE;
    assert_int_equal(p3m_delivery(r), P3M_DLV_DELIVERED);
    assert_trip_cells(f, 2, 1);
    assert_int_equal(cell_int(f, 10, ASN_INTEGER), 22); /* dele(22) */
    assert_int_equal(cell_int(f, 45, ASN_INTEGER), 9);  /* command(9) */
    /* auth(6); smtpSubmit(18) delivery(19), not the failed dele(20) */
    assert_octets(f, 14, "\x02\x00\x30", 3);
    assert_int_equal(added(r).deliveries, 1);
}

static void test_pop3mib_round_trip_not_delivered(void **state)
{
    static const int done[] = {POP3CHECK_PHASE_SMTP_RESOLVE,
                               POP3CHECK_PHASE_SMTP_CONNECT,
                               POP3CHECK_PHASE_SMTP_GREETING,
                               POP3CHECK_PHASE_SMTP_SUBMIT,
                               POP3CHECK_PHASE_DELIVERY,
                               POP3CHECK_PHASE_RESOLVE,
                               POP3CHECK_PHASE_CONNECT,
                               POP3CHECK_PHASE_QUIT,
                               -1};
    struct fixture *f = *state;
    struct pop3check_result *r = trip(f, POP3CHECK_STATE_CRITICAL, 0, 5, done);
    struct p3m_trip c;

    r->error = POP3CHECK_E_NOT_DELIVERED;
    r->failed_phase = POP3CHECK_PHASE_DELIVERY;
    r->phase_us[POP3CHECK_PHASE_DELIVERY] = 30000000;
    f->row.errors[POP3CHECK_E_NOT_DELIVERED] = 4;
    assert_int_equal(p3m_delivery(r), P3M_DLV_NOT_DELIVERED);
    assert_trip_cells(f, 3, 5); /* notDelivered(3), 5 polls */
    assert_int_equal(cell_int(f, 8, ASN_INTEGER), 2);
    assert_int_equal(cell_int(f, 10, ASN_INTEGER), 21); /* delivery(21) */
    assert_int_equal(cell_int(f, 45, ASN_INTEGER), 11); /* notDelivered */
    assert_int_equal(cell_int(f, 52, ASN_GAUGE), 30000000);
    assert_int_equal(cell_int(f, 54, ASN_COUNTER), 4);
    assert_int_equal(cell_int(f, 34, ASN_COUNTER), 4); /* failures */
    /* resolve connect quit | smtpResolve smtpConnect | smtpGreeting
     * smtpSubmit; the failed delivery is not completed */
    assert_octets(f, 14, "\xc0\x0e\xa0", 3);
    c = added(r);
    assert_int_equal(c.deliveries + c.submission_failures, 0);
}

static void test_pop3mib_round_trip_submission_failed(void **state)
{
    static const int done[] = {POP3CHECK_PHASE_SMTP_RESOLVE,
                               POP3CHECK_PHASE_SMTP_CONNECT,
                               POP3CHECK_PHASE_SMTP_TLS, -1};
    struct fixture *f = *state;
    struct pop3check_result *r = trip(f, POP3CHECK_STATE_CRITICAL, 0, 0, done);
    struct p3m_trip c;

    r->error = POP3CHECK_E_TLS;
    r->failed_phase = POP3CHECK_PHASE_SMTP_TLS;
    assert_int_equal(p3m_delivery(r), P3M_DLV_SUBMISSION_FAILED);
    assert_trip_cells(f, 4, 0); /* submissionFailed(4), no poll */
    assert_int_equal(cell_int(f, 10, ASN_INTEGER), 17); /* smtpTls(17) */
    assert_int_equal(cell_int(f, 45, ASN_INTEGER), 5);  /* tls(5) */
    assert_int_equal(cell_int(f, 48, ASN_GAUGE),
                     100 + POP3CHECK_PHASE_SMTP_TLS);
    assert_int_equal(cell_int(f, 52, ASN_GAUGE), 0); /* no delivery */
    /* smtpResolve(13) smtpConnect(14): two octets still */
    assert_octets(f, 14, "\x00\x06", 2);
    c = added(r);
    assert_int_equal(c.submission_failures, 1);
    assert_int_equal(c.deliveries, 0);
    f->row.trip = c;
    assert_int_equal(cell_int(f, 58, ASN_COUNTER), 1);
    /* a failure before any poll is the submission's, whichever phase */
    r->failed_phase = POP3CHECK_PHASE_TOTAL;
    r->error = POP3CHECK_E_TIMEOUT;
    assert_int_equal(p3m_delivery(r), P3M_DLV_SUBMISSION_FAILED);
}

/* Submitted, then a poll could not log in: nothing known of delivery. */
static void test_pop3mib_round_trip_mailbox_failed(void **state)
{
    static const int done[] = {POP3CHECK_PHASE_SMTP_SUBMIT,
                               POP3CHECK_PHASE_RESOLVE, POP3CHECK_PHASE_CONNECT,
                               -1};
    struct fixture *f = *state;
    struct pop3check_result *r = trip(f, POP3CHECK_STATE_CRITICAL, 0, 1, done);
    struct p3m_trip c;

    r->error = POP3CHECK_E_AUTH;
    r->failed_phase = POP3CHECK_PHASE_AUTH;
    assert_int_equal(p3m_delivery(r), P3M_DLV_MAILBOX_FAILED);
    assert_trip_cells(f, 5, 1); /* mailboxFailed(5) */
    c = added(r);
    assert_int_equal(c.deliveries + c.submission_failures, 0);
}

/* Pop3ProbePhaseSet: two octets unless a bit beyond 15 is set. */
static void test_pop3mib_phase_set_octets(void **state)
{
    struct fixture *f = *state;
    struct pop3check_result *r = probed(f, POP3CHECK_STATE_OK);

    r->phase_us[POP3CHECK_PHASE_RESOLVE] = 1;
    assert_octets(f, 14, "\x80\x00", 2);
    r->phase_us[POP3CHECK_PHASE_SMTP_TLS] = 1; /* bit 15 */
    assert_octets(f, 14, "\x80\x01", 2);
    r->phase_us[POP3CHECK_PHASE_SMTP_GREETING] = 1; /* bit 16 */
    assert_octets(f, 14, "\x80\x01\x80", 3);
    r->phase_us[POP3CHECK_PHASE_SMTP_GREETING] = -1;
    r->phase_us[POP3CHECK_PHASE_DELE] = 1; /* bit 20 */
    assert_octets(f, 14, "\x80\x01\x08", 3);
    r->phase_us[POP3CHECK_PHASE_TOKEN] = 1; /* bit 21 */
    assert_octets(f, 14, "\x80\x01\x0c", 3);
    r->phase_us[POP3CHECK_PHASE_TOKEN] = -1;
    /* a failed phase is not completed, and takes no octet of its own */
    r->error = POP3CHECK_E_COMMAND;
    r->failed_phase = POP3CHECK_PHASE_DELE;
    f->row.state = POP3CHECK_STATE_CRITICAL;
    assert_octets(f, 14, "\x80\x01", 2);
}

/* ---- OAuth 2.0 client-credentials grants ---- */

/* The phases of a probe that logs in with a token, the token phase
 * (22, column 61, bit 21) as given. */
static struct pop3check_result *
granted(struct fixture *f, enum pop3check_state st, int64_t token_us)
{
    static const enum pop3check_phase done[] = {
        POP3CHECK_PHASE_RESOLVE,  POP3CHECK_PHASE_CONNECT,
        POP3CHECK_PHASE_GREETING, POP3CHECK_PHASE_CAPA,
        POP3CHECK_PHASE_AUTH,     POP3CHECK_PHASE_STAT,
        POP3CHECK_PHASE_QUIT,     POP3CHECK_PHASE_TOTAL};
    struct pop3check_result *r = probed(f, st);

    for (size_t i = 0; i < sizeof done / sizeof done[0]; i++)
        r->phase_us[done[i]] = 10;
    r->phase_us[POP3CHECK_PHASE_TOKEN] = token_us;
    return r;
}

/* A token kept from an earlier grant, or none by a grant: the phase was
 * not performed, 0 and no bit; the phase set as it always was. */
static void test_pop3mib_token_not_performed(void **state)
{
    struct fixture *f = *state;

    granted(f, POP3CHECK_STATE_OK, -1);
    assert_int_equal(cell_int(f, 61, ASN_GAUGE), 0);
    /* resolve connect greeting capa auth stat quit: bits 0 1 3 4 6 7 12 */
    assert_octets(f, 14, "\xdb\x08", 2);
    assert_int_equal(cell_int(f, 10, ASN_INTEGER), 1); /* none(1) */
}

/* A grant: its time, and bit 21 in a third octet (0x80 >> 5). */
static void test_pop3mib_token_performed(void **state)
{
    struct fixture *f = *state;
    struct pop3check_result *r = granted(f, POP3CHECK_STATE_OK, 123456);

    assert_int_equal(cell_int(f, 61, ASN_GAUGE), 123456);
    assert_octets(f, 14, "\xdb\x08\x04", 3);
    assert_int_equal(cell_int(f, 8, ASN_INTEGER), 1);  /* true(1) */
    assert_int_equal(cell_int(f, 10, ASN_INTEGER), 1); /* none(1) */
    assert_int_equal(cell_int(f, 28, ASN_GAUGE), 10);  /* the total's own */
    r->phase_us[POP3CHECK_PHASE_TOKEN] = 5000000000LL; /* saturates */
    assert_int_equal(cell_int(f, 61, ASN_GAUGE), 4294967295UL);
    r->phase_us[POP3CHECK_PHASE_TOKEN] = 0; /* performed, in no time */
    assert_int_equal(cell_int(f, 61, ASN_GAUGE), 0);
    assert_octets(f, 14, "\xdb\x08\x04", 3);
}

/* Columns 62-65: -1, -1, 0, -1 before a probe and without the age; the
 * last probe's figures with it; an age beyond Integer32 saturates. */
static void test_pop3mib_age_columns(void **state)
{
    struct fixture *f = *state;
    struct pop3check_result *r;

    assert_int_equal(cell_int(f, 62, ASN_INTEGER), -1);
    assert_int_equal(cell_int(f, 63, ASN_INTEGER), -1);
    assert_int_equal(cell_int(f, 64, ASN_GAUGE), 0);
    assert_int_equal(cell_int(f, 65, ASN_INTEGER), -1);
    r = probed(f, POP3CHECK_STATE_OK);
    assert_int_equal(cell_int(f, 62, ASN_INTEGER), -1);
    assert_int_equal(cell_int(f, 64, ASN_GAUGE), 0);
    r->oldest_age = 90000;
    r->newest_age = 0;
    r->age_undated = 2;
    r->longest_wait = 61;
    assert_int_equal(cell_int(f, 65, ASN_INTEGER), 61);
    assert_int_equal(cell_int(f, 62, ASN_INTEGER), 90000);
    assert_int_equal(cell_int(f, 63, ASN_INTEGER), 0);
    assert_int_equal(cell_int(f, 64, ASN_GAUGE), 2);
    r->oldest_age = 5000000000LL;
    assert_int_equal(cell_int(f, 62, ASN_INTEGER), 2147483647);
    f->row.have = 0; /* not yet probed again after a reload */
    assert_int_equal(cell_int(f, 62, ASN_INTEGER), -1);
}

/* The token endpoint refused the client: failed in token(23), kind
 * auth(8); its time up to the failure, no bit, nothing after it. */
static void test_pop3mib_token_failed(void **state)
{
    struct fixture *f = *state;
    struct pop3check_result *r = probed(f, POP3CHECK_STATE_CRITICAL);

    r->phase_us[POP3CHECK_PHASE_TOKEN] = 4200;
    r->phase_us[POP3CHECK_PHASE_TOTAL] = 4300;
    r->error = POP3CHECK_E_AUTH;
    r->failed_phase = POP3CHECK_PHASE_TOKEN;
    snprintf(r->error_text, sizeof r->error_text,
             "token endpoint: HTTP 401, error \"invalid_client\"");
    assert_int_equal(cell_int(f, 8, ASN_INTEGER), 2);   /* false(2) */
    assert_int_equal(cell_int(f, 10, ASN_INTEGER), 23); /* token(23) */
    assert_int_equal(cell_int(f, 45, ASN_INTEGER), 8);  /* auth(8) */
    assert_octets(f, 11, r->error_text, strlen(r->error_text));
    assert_int_equal(cell_int(f, 61, ASN_GAUGE), 4200);
    assert_int_equal(cell_int(f, 28, ASN_GAUGE), 4300);
    for (int col = 15; col <= 27; col++)
        assert_int_equal(cell_int(f, col, ASN_GAUGE), 0);
    assert_octets(f, 14, "\0\0", 2); /* nothing completed */
    /* another kind at the endpoint: still token(23) */
    r->error = POP3CHECK_E_TIMEOUT;
    assert_int_equal(cell_int(f, 10, ASN_INTEGER), 23);
    assert_int_equal(cell_int(f, 45, ASN_INTEGER), 4); /* timeout(4) */
    /* a round trip's grant comes before its submission */
    assert_int_equal(pop3check_options_set_str(
                         f->module.opts, POP3CHECK_OPT_SMTP_HOST, "127.0.0.1"),
                     0);
    assert_int_equal(p3m_delivery(r), P3M_DLV_NONE); /* no poll time */
    r->poll_ms = 1000;
    assert_int_equal(p3m_delivery(r), P3M_DLV_SUBMISSION_FAILED);
}

/* When pop3ProbeDeliveryFailed and pop3ProbeDeliveryRecovered are due. */
static void test_pop3mib_delivery_notes(void **state)
{
    int failing = -1;

    (void)state;
    /* before anything is known: none(1) and mailboxFailed(5) say nothing,
     * a first delivered(2) is no recovery */
    assert_int_equal(p3m_delivery_note(&failing, P3M_DLV_NONE), 0);
    assert_int_equal(p3m_delivery_note(&failing, P3M_DLV_MAILBOX_FAILED), 0);
    assert_int_equal(failing, -1);
    assert_int_equal(p3m_delivery_note(&failing, P3M_DLV_DELIVERED), 0);
    assert_int_equal(failing, 0);
    assert_int_equal(p3m_delivery_note(&failing, P3M_DLV_DELIVERED), 0);
    assert_int_equal(p3m_delivery_note(&failing, P3M_DLV_MAILBOX_FAILED), 0);
    assert_int_equal(p3m_delivery_note(&failing, P3M_DLV_NOT_DELIVERED),
                     P3M_NOTE_DELIVERY_FAILED);
    /* still failing: a changed cause, or a mailbox failure between */
    assert_int_equal(p3m_delivery_note(&failing, P3M_DLV_SUBMISSION_FAILED), 0);
    assert_int_equal(p3m_delivery_note(&failing, P3M_DLV_MAILBOX_FAILED), 0);
    assert_int_equal(p3m_delivery_note(&failing, P3M_DLV_NOT_DELIVERED), 0);
    assert_int_equal(p3m_delivery_note(&failing, P3M_DLV_DELIVERED),
                     P3M_NOTE_DELIVERY_RECOVERED);
    assert_int_equal(p3m_delivery_note(&failing, P3M_DLV_SUBMISSION_FAILED),
                     P3M_NOTE_DELIVERY_FAILED);
    /* a first round trip that fails */
    failing = -1;
    assert_int_equal(p3m_delivery_note(&failing, P3M_DLV_SUBMISSION_FAILED),
                     P3M_NOTE_DELIVERY_FAILED);
    assert_int_equal(failing, 1);
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
        T(test_pop3mib_age_columns),
        T(test_pop3mib_ordinary_probe_no_round_trip),
        T(test_pop3mib_round_trip_delivered),
        T(test_pop3mib_round_trip_delivered_dele_failed),
        T(test_pop3mib_round_trip_not_delivered),
        T(test_pop3mib_round_trip_submission_failed),
        T(test_pop3mib_round_trip_mailbox_failed),
        T(test_pop3mib_phase_set_octets),
        T(test_pop3mib_token_not_performed),
        T(test_pop3mib_token_performed),
        T(test_pop3mib_token_failed),
        T(test_pop3mib_delivery_notes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
