/* SPDX-License-Identifier: MIT */
/* pop3mib.c - the value of each cell of pop3ProbeEntry (POP3-MONITOR-MIB)
 * from a target's configuration and last result; the tables that publish
 * the library's phases, error kinds and TLS modes as the MIB numbers
 * them; what a round trip's result says of its probe message. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <string.h>

#include "pop3mib.h"

/* Pop3ProbePhase none(1), Pop3ErrorKind none(1) and internal(10). */
#define MIB_PHASE_NONE    1
#define MIB_KIND_NONE     1
#define MIB_KIND_INTERNAL 10
#define MIB_PHASE_BITS    22 /* Pop3ProbePhaseSet: resolve(0) .. token(21) */

/* How the MIB publishes each phase the library names: the column of its
 * time, its Pop3ProbePhase value and its Pop3ProbePhaseSet bit. */
static const struct mib_phase {
    enum pop3check_phase phase;
    int time_col;
    long value; /* as pop3ProbeLastFailedPhase */
    int bit;    /* in pop3ProbePhasesCompleted, -1: none */
} mib_phases[] = {
    {POP3CHECK_PHASE_RESOLVE, P3M_RESOLVE_TIME, 2, 0},
    {POP3CHECK_PHASE_CONNECT, P3M_CONNECT_TIME, 3, 1},
    {POP3CHECK_PHASE_TLS, P3M_TLS_TIME, 4, 2},
    {POP3CHECK_PHASE_GREETING, P3M_GREETING_TIME, 5, 3},
    {POP3CHECK_PHASE_CAPA, P3M_CAPA_TIME, 6, 4},
    {POP3CHECK_PHASE_STLS, P3M_STLS_TIME, 7, 5},
    {POP3CHECK_PHASE_AUTH, P3M_AUTH_TIME, 8, 6},
    {POP3CHECK_PHASE_STAT, P3M_STAT_TIME, 9, 7},
    {POP3CHECK_PHASE_LIST, P3M_LIST_TIME, 10, 8},
    {POP3CHECK_PHASE_UIDL, P3M_UIDL_TIME, 11, 9},
    {POP3CHECK_PHASE_TOP, P3M_TOP_TIME, 12, 10},
    {POP3CHECK_PHASE_RETR, P3M_RETR_TIME, 13, 11},
    {POP3CHECK_PHASE_QUIT, P3M_QUIT_TIME, 14, 12},
    /* the whole probe: a time, but no phase of its own and no bit */
    {POP3CHECK_PHASE_TOTAL, P3M_TOTAL_TIME, MIB_PHASE_NONE, -1},
    /* a round trip's */
    {POP3CHECK_PHASE_SMTP_RESOLVE, P3M_SMTP_RESOLVE_TIME, 15, 13},
    {POP3CHECK_PHASE_SMTP_CONNECT, P3M_SMTP_CONNECT_TIME, 16, 14},
    {POP3CHECK_PHASE_SMTP_TLS, P3M_SMTP_TLS_TIME, 17, 15},
    {POP3CHECK_PHASE_SMTP_GREETING, P3M_SMTP_GREETING_TIME, 18, 16},
    {POP3CHECK_PHASE_SMTP_AUTH, P3M_SMTP_AUTH_TIME, 19, 17},
    {POP3CHECK_PHASE_SMTP_SUBMIT, P3M_SMTP_SUBMIT_TIME, 20, 18},
    {POP3CHECK_PHASE_DELIVERY, P3M_DELIVERY_TIME, 21, 19},
    {POP3CHECK_PHASE_DELE, P3M_DELE_TIME, 22, 20},
    /* an OAuth 2.0 client-credentials grant, first of all */
    {POP3CHECK_PHASE_TOKEN, P3M_TOKEN_TIME, 23, 21},
};

/* How the MIB publishes each error kind: the column of its counter (0:
 * none) and its Pop3ErrorKind value. */
static const struct mib_kind {
    enum pop3check_error kind;
    int errors_col;
    long value; /* as pop3ProbeLastErrorKind */
} mib_kinds[] = {
    {POP3CHECK_E_OK, 0, MIB_KIND_NONE},
    {POP3CHECK_E_RESOLVE, P3M_RESOLVE_ERRORS, 2},
    {POP3CHECK_E_CONNECT, P3M_CONNECT_ERRORS, 3},
    {POP3CHECK_E_TIMEOUT, P3M_TIMEOUTS, 4},
    {POP3CHECK_E_TLS, P3M_TLS_ERRORS, 5},
    {POP3CHECK_E_CERTIFICATE, P3M_CERTIFICATE_ERRORS, 6},
    {POP3CHECK_E_PROTOCOL, P3M_PROTOCOL_ERRORS, 7},
    {POP3CHECK_E_AUTH, P3M_AUTH_ERRORS, 8},
    {POP3CHECK_E_COMMAND, P3M_COMMAND_ERRORS, 9},
    {POP3CHECK_E_INTERNAL, P3M_INTERNAL_ERRORS, MIB_KIND_INTERNAL},
    {POP3CHECK_E_NOT_DELIVERED, P3M_NOT_DELIVERED, 11},
};

/* Pop3TlsMode. */
static const struct mib_tls {
    enum pop3check_tls mode;
    long value;
} mib_tls_modes[] = {
    {POP3CHECK_TLS_NONE, 1},
    {POP3CHECK_TLS_IMPLICIT, 2},
    {POP3CHECK_TLS_STLS, 3},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A pop3check.h with more phases or kinds stops the build here: each
 * needs its own new column after the last one (and a new enumeration
 * value in the MIB), never a renumbering of the published ones. */
_Static_assert(POP3CHECK_PHASE_KNOWN == 23,
               "a new phase needs its own new column after the last one "
               "(62, ...) and a row in mib_phases, never a renumbering");
_Static_assert(POP3CHECK_E_KNOWN == 11,
               "a new error kind needs its own new column after the last "
               "one (62, ...) and a row in mib_kinds, never a renumbering");
_Static_assert(NELEM(mib_phases) == POP3CHECK_PHASE_KNOWN,
               "one row of mib_phases for each phase");
_Static_assert(NELEM(mib_kinds) == POP3CHECK_E_KNOWN,
               "one row of mib_kinds for each error kind");
_Static_assert(POP3CHECK_PHASE_RESOLVE == 0 && POP3CHECK_PHASE_QUIT == 12 &&
                   POP3CHECK_PHASE_TOTAL == 13,
               "phases keep their numbers (pop3check.h, rule 3)");
_Static_assert(POP3CHECK_E_OK == 0 && POP3CHECK_E_INTERNAL == 9,
               "error kinds keep their numbers (pop3check.h, rule 3)");
_Static_assert(POP3CHECK_TLS_NONE == 0 && POP3CHECK_TLS_STLS == 1 &&
                   POP3CHECK_TLS_IMPLICIT == 2,
               "TLS modes keep their numbers (pop3check.h, rule 3)");
_Static_assert(P3M_RESOLVE_TIME == 15 && P3M_TOTAL_TIME == 28 &&
                   P3M_MESSAGES == 29 && P3M_RESOLVE_ERRORS == 35 &&
                   P3M_INTERNAL_ERRORS == 43 && P3M_ERROR_KIND == 45 &&
                   P3M_SMTP_RESOLVE_TIME == 46 && P3M_NOT_DELIVERED == 54 &&
                   P3M_ROUND_TRIP == 55 && P3M_LAST_POLLS == 60 &&
                   P3M_TOKEN_TIME == 61 && P3M_OLDEST_AGE == 62 &&
                   P3M_UNDATED == 64 && P3M_LONGEST_WAIT == 65 &&
                   P3M_LAST == P3M_LONGEST_WAIT,
               "published column numbers never change");
_Static_assert(POP3CHECK_PHASE_SMTP_RESOLVE == 14 &&
                   POP3CHECK_PHASE_SMTP_SUBMIT == 19,
               "the submission's phases are 14 .. 19 (see p3m_delivery)");
_Static_assert(POP3CHECK_PHASE_DELE == 21 && POP3CHECK_PHASE_TOKEN == 22,
               "phases keep their numbers (pop3check.h, rule 3)");

static const struct mib_phase *phase_by_col(int col)
{
    for (size_t i = 0; i < NELEM(mib_phases); i++)
        if (mib_phases[i].time_col == col)
            return &mib_phases[i];
    return NULL;
}

static const struct mib_phase *phase_of(enum pop3check_phase p)
{
    for (size_t i = 0; i < NELEM(mib_phases); i++)
        if (mib_phases[i].phase == p)
            return &mib_phases[i];
    return NULL;
}

static const struct mib_kind *kind_by_col(int col)
{
    for (size_t i = 0; i < NELEM(mib_kinds); i++)
        if (col != 0 && mib_kinds[i].errors_col == col)
            return &mib_kinds[i];
    return NULL;
}

static const struct mib_kind *kind_of(enum pop3check_error e)
{
    for (size_t i = 0; i < NELEM(mib_kinds); i++)
        if (mib_kinds[i].kind == e)
            return &mib_kinds[i];
    return NULL;
}

/* ---- typed values ---- */

static int set_typed(netsnmp_variable_list *vb, u_char type, const void *v,
                     size_t n)
{
    return snmp_set_var_typed_value(vb, type, v, n) == 0 ? 0 : P3M_NO_MEMORY;
}

static int set_int(netsnmp_variable_list *vb, long v)
{
    return set_typed(vb, ASN_INTEGER, &v, sizeof v);
}

static int set_unsigned(netsnmp_variable_list *vb, u_char type, u_long v)
{
    return set_typed(vb, type, &v, sizeof v);
}

static int set_string(netsnmp_variable_list *vb, const char *s)
{
    return set_typed(vb, ASN_OCTET_STR, s, strlen(s));
}

static u_long gauge(int64_t v)
{
    return v < 0 ? 0 : v > 4294967295LL ? 4294967295UL : (u_long)v;
}

/* DateAndTime (RFC 2579), UTC: 11 octets; 8 zero octets for "never". */
static int set_date(netsnmp_variable_list *vb, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    u_char b[11] = {0};

    if (t < 0 || gmtime_r(&tt, &tm) == NULL)
        return set_typed(vb, ASN_OCTET_STR, b, 8);
    b[0] = (u_char)((tm.tm_year + 1900) >> 8);
    b[1] = (u_char)((tm.tm_year + 1900) & 0xff);
    b[2] = (u_char)(tm.tm_mon + 1);
    b[3] = (u_char)tm.tm_mday;
    b[4] = (u_char)tm.tm_hour;
    b[5] = (u_char)tm.tm_min;
    b[6] = (u_char)(tm.tm_sec > 59 ? 59 : tm.tm_sec);
    b[8] = '+'; /* deci-seconds and the offset from UTC stay 0 */
    return set_typed(vb, ASN_OCTET_STR, b, sizeof b);
}

/* ---- the enumerations ---- */

static int failed(const struct p3m_row *w)
{
    return w->have && pop3check_result_error(w->r) != POP3CHECK_E_OK;
}

/* Pop3TlsMode of the module, or -1 for a mode of a newer library that the
 * MIB does not name: none of the MIB's values would be true of it (none
 * says plain text), so the cell is not served. */
static long mib_tls_mode(const struct p3x_module *m)
{
    long mode;

    if (pop3check_options_get_long(m->opts, POP3CHECK_OPT_TLS, &mode) != 0)
        return -1;
    for (size_t i = 0; i < NELEM(mib_tls_modes); i++)
        if ((long)mib_tls_modes[i].mode == mode)
            return mib_tls_modes[i].value;
    return -1;
}

/* TruthValue: whether the module's probe is a round trip, as configured
 * (known before a result). */
static long mib_round_trip(const struct p3x_module *m)
{
    return pop3check_options_get_str(m->opts, POP3CHECK_OPT_SMTP_HOST) ? 1 : 2;
}

/* Pop3ProbePhase of the failed phase: none(1) for a success, for the
 * whole probe (total) and for a phase of a newer library that the MIB
 * does not name (the MIB's text says so); never another phase's value. */
static long mib_failed_phase(const struct p3m_row *w)
{
    const struct mib_phase *p;

    if (!failed(w))
        return MIB_PHASE_NONE;
    p = phase_of(pop3check_result_failed_phase(w->r));
    return p ? p->value : MIB_PHASE_NONE;
}

/* Pop3ErrorKind of the last result. A kind of a newer library that the
 * MIB does not name is internal(10), the name pop3check_error_name()
 * gives it (the MIB's text says so): none(1) would claim the probe did
 * not fail. */
static long mib_error_kind(const struct p3m_row *w)
{
    const struct mib_kind *k;

    if (!w->have)
        return MIB_KIND_NONE;
    k = kind_of(pop3check_result_error(w->r));
    return k ? k->value : MIB_KIND_INTERNAL;
}

/* ---- the cells, by group of columns ---- */

/* Columns 2-6: the target's configuration, with the library's defaults. */
static int config_cell(netsnmp_variable_list *vb, const struct p3m_row *w,
                       int col)
{
    const struct p3x_module *m = w->ct->module;
    long v;

    switch (col) {
    case P3M_HOST:
        return set_string(vb, w->ct->host);
    case P3M_PORT:
        return set_unsigned(vb, ASN_UNSIGNED, p3x_module_port(m, w->ct->port));
    case P3M_TLS:
        v = mib_tls_mode(m);
        return v < 0 ? P3M_NO_VALUE : set_int(vb, v);
    case P3M_INTERVAL:
        return set_unsigned(vb, ASN_UNSIGNED,
                            (u_long)(w->ct->interval_s + 0.5));
    case P3M_TIMEOUT:
        if (pop3check_options_get_long(m->opts, POP3CHECK_OPT_TIMEOUT_MS, &v) !=
                0 ||
            v < 0)
            return P3M_NO_VALUE;
        return set_unsigned(vb, ASN_UNSIGNED, (u_long)v);
    default:
        return P3M_NO_VALUE;
    }
}

/* Column 14. Bit n of a BITS value is octet n / 8, from its high bit.
 * The octets end with the last one a bit is set in, but never before the
 * second (resolve .. quit, as the first release sent them): a probe that
 * is no round trip and performed no grant reads as it always did; the
 * third octet holds smtpGreeting(16) .. token(21). */
static int phases_completed(netsnmp_variable_list *vb, const struct p3m_row *w)
{
    u_char bits[(MIB_PHASE_BITS + 7) / 8] = {0};
    enum pop3check_phase fp = pop3check_result_failed_phase(w->r);
    size_t len = 2;

    for (size_t i = 0; w->have && i < NELEM(mib_phases); i++) {
        const struct mib_phase *p = &mib_phases[i];

        if (p->bit < 0 || p->bit >= MIB_PHASE_BITS ||
            (failed(w) && fp == p->phase))
            continue;
        if (pop3check_result_phase_us(w->r, p->phase) < 0)
            continue;
        bits[p->bit / 8] |= (u_char)(0x80 >> (p->bit % 8));
        if ((size_t)p->bit / 8 + 1 > len)
            len = (size_t)p->bit / 8 + 1;
    }
    return set_typed(vb, ASN_OCTET_STR, bits, len);
}

/* Columns 12 and 13. Where a refused connect went is not reported: for
 * an address literal target, that address is where it went. */
static int address(netsnmp_variable_list *vb, const struct p3m_row *w, int type)
{
    const char *peer = pop3check_result_text(w->r, POP3CHECK_TEXT_PEER_IP);
    const char *ip = peer[0] ? peer : w->ct->host;
    u_char a[16];
    long t = 0;
    size_t n = 0;

    if (w->have && inet_pton(AF_INET, ip, a) == 1)
        t = 1, n = 4;
    else if (w->have && inet_pton(AF_INET6, ip, a) == 1)
        t = 2, n = 16;
    return type ? set_int(vb, t) : set_typed(vb, ASN_OCTET_STR, a, n);
}

/* Columns 7-14 and 45: the verdict and diagnostics of the last probe. */
static int status_cell(netsnmp_variable_list *vb, const struct p3m_row *w,
                       int col)
{
    switch (col) {
    case P3M_STATUS:
        return set_int(vb, w->have ? (long)w->state : POP3CHECK_STATE_UNKNOWN);
    case P3M_SUCCESS:
        return set_int(vb, w->have && !failed(w) ? 1 : 2);
    case P3M_TIME:
        return set_date(vb, w->have ? pop3check_result_figure(
                                          w->r, POP3CHECK_FIG_STARTED_AT)
                                    : -1);
    case P3M_FAILED_PHASE:
        return set_int(vb, mib_failed_phase(w));
    case P3M_ERROR_TEXT:
        return set_string(
            vb,
            failed(w) ? pop3check_result_text(w->r, POP3CHECK_TEXT_ERROR) : "");
    case P3M_ADDR_TYPE:
    case P3M_ADDR:
        return address(vb, w, col == P3M_ADDR_TYPE);
    case P3M_PHASES:
        return phases_completed(vb, w);
    case P3M_ERROR_KIND:
        return set_int(vb, mib_error_kind(w));
    default:
        return P3M_NO_VALUE;
    }
}

/* Columns 15-28, 46-53 and 61: the time of each phase, 0 when not
 * performed. */
static int phase_time_cell(netsnmp_variable_list *vb, const struct p3m_row *w,
                           int col)
{
    const struct mib_phase *p = phase_by_col(col);

    if (p == NULL)
        return P3M_NO_VALUE;
    return set_unsigned(
        vb, ASN_GAUGE,
        w->have ? gauge(pop3check_result_phase_us(w->r, p->phase)) : 0);
}

/* Columns 29-32: the mailbox and TLS, as last known. */
static int mailbox_tls_cell(netsnmp_variable_list *vb, const struct p3m_row *w,
                            int col)
{
    uint64_t v;
    struct counter64 c;

    switch (col) {
    case P3M_MESSAGES:
        return set_unsigned(vb, ASN_GAUGE, gauge(w->messages));
    case P3M_OCTETS:
        v = w->octets < 0 ? 0 : (uint64_t)w->octets;
        c.high = (u_long)(v >> 32);
        c.low = (u_long)(v & 0xffffffffu);
        return set_typed(vb, ASN_COUNTER64, &c, sizeof c);
    case P3M_TLS_VERSION:
        return set_string(vb, w->have ? pop3check_result_text(
                                            w->r, POP3CHECK_TEXT_TLS_VERSION)
                                      : "");
    case P3M_CERT_EXPIRY:
        return set_date(vb, w->cert_not_after);
    default:
        return P3M_NO_VALUE;
    }
}

/* Columns 62-65: the age of the messages, from the last probe only (an
 * age read earlier would be wrong by now). */
static int age_cell(netsnmp_variable_list *vb, const struct p3m_row *w, int col)
{
    const struct pop3check_result *r = w->have ? w->r : NULL;
    int64_t v = -1;

    switch (col) {
    case P3M_OLDEST_AGE:
    case P3M_NEWEST_AGE:
    case P3M_LONGEST_WAIT:
        if (r != NULL)
            v = pop3check_result_figure(
                r, col == P3M_OLDEST_AGE   ? POP3CHECK_FIG_OLDEST_AGE
                   : col == P3M_NEWEST_AGE ? POP3CHECK_FIG_NEWEST_AGE
                                           : POP3CHECK_FIG_LONGEST_WAIT);
        return set_int(vb, v < 0 ? -1 : v > 2147483647 ? 2147483647 : (long)v);
    case P3M_UNDATED:
        return set_unsigned(
            vb, ASN_GAUGE,
            r ? gauge(pop3check_result_figure(r, POP3CHECK_FIG_AGE_UNDATED))
              : 0);
    default:
        return P3M_NO_VALUE;
    }
}

/* Columns 55-60: a round trip's. */
static int trip_cell(netsnmp_variable_list *vb, const struct p3m_row *w,
                     int col)
{
    const struct pop3check_result *r = w->have ? w->r : NULL;

    switch (col) {
    case P3M_ROUND_TRIP:
        return set_int(vb, mib_round_trip(w->ct->module));
    case P3M_LAST_DELIVERY:
        return set_int(vb, p3m_delivery(r));
    case P3M_DELIVERIES:
        return set_unsigned(vb, ASN_COUNTER, w->trip.deliveries);
    case P3M_SUBMIT_FAILURES:
        return set_unsigned(vb, ASN_COUNTER, w->trip.submission_failures);
    case P3M_STALE_CLEANED:
        return set_unsigned(vb, ASN_COUNTER, w->trip.stale_cleaned);
    case P3M_LAST_POLLS:
        return set_unsigned(
            vb, ASN_GAUGE,
            p3m_delivery(r) == P3M_DLV_NONE
                ? 0
                : gauge(pop3check_result_figure(r, POP3CHECK_FIG_POLLS)));
    default:
        return P3M_NO_VALUE;
    }
}

/* Columns 33-44 and 54: the counters. */
static int counter_cell(netsnmp_variable_list *vb, const struct p3m_row *w,
                        int col)
{
    const struct mib_kind *k = kind_by_col(col);
    unsigned long failures = 0;

    if (k != NULL)
        return set_unsigned(vb, ASN_COUNTER, w->errors[k->kind]);
    switch (col) {
    case P3M_RUNS:
        return set_unsigned(vb, ASN_COUNTER, w->runs);
    case P3M_FAILURES:
        for (size_t i = 0; i < NELEM(mib_kinds); i++)
            if (mib_kinds[i].errors_col != 0)
                failures += w->errors[mib_kinds[i].kind];
        return set_unsigned(vb, ASN_COUNTER, failures);
    case P3M_DISCONTINUITY:
        return set_date(vb, (int64_t)w->counters_since);
    default:
        return P3M_NO_VALUE;
    }
}

int p3m_cell(netsnmp_variable_list *vb, const struct p3m_row *w, int col)
{
    if (col >= P3M_HOST && col <= P3M_TIMEOUT)
        return config_cell(vb, w, col);
    if ((col >= P3M_STATUS && col <= P3M_PHASES) || col == P3M_ERROR_KIND)
        return status_cell(vb, w, col);
    if (phase_by_col(col) != NULL)
        return phase_time_cell(vb, w, col);
    if (col >= P3M_MESSAGES && col <= P3M_CERT_EXPIRY)
        return mailbox_tls_cell(vb, w, col);
    if (col >= P3M_ROUND_TRIP && col <= P3M_LAST_POLLS)
        return trip_cell(vb, w, col);
    if (col >= P3M_OLDEST_AGE && col <= P3M_LONGEST_WAIT)
        return age_cell(vb, w, col);
    return counter_cell(vb, w, col);
}

/* ---- round trips ---- */

/* The order matters: a message seen is delivered whatever failed after
 * (DELE, QUIT: the mailbox's failure, in the error kind); a round trip
 * that did not fail has seen it. A failure before any poll is the
 * submission's, whichever phase it names. */
enum p3m_delivery p3m_delivery(const struct pop3check_result *r)
{
    enum pop3check_error e;
    enum pop3check_phase p;

    if (r == NULL || pop3check_result_figure(r, POP3CHECK_FIG_POLL_MS) <= 0)
        return P3M_DLV_NONE;
    e = pop3check_result_error(r);
    if (pop3check_result_figure(r, POP3CHECK_FIG_DELIVERED) == 1 ||
        e == POP3CHECK_E_OK)
        return P3M_DLV_DELIVERED;
    if (e == POP3CHECK_E_NOT_DELIVERED)
        return P3M_DLV_NOT_DELIVERED;
    p = pop3check_result_failed_phase(r);
    if ((p >= POP3CHECK_PHASE_SMTP_RESOLVE &&
         p <= POP3CHECK_PHASE_SMTP_SUBMIT) ||
        pop3check_result_figure(r, POP3CHECK_FIG_POLLS) <= 0)
        return P3M_DLV_SUBMISSION_FAILED;
    return P3M_DLV_MAILBOX_FAILED;
}

void p3m_trip_add(struct p3m_trip *c, const struct pop3check_result *r)
{
    enum p3m_delivery d = p3m_delivery(r);
    int64_t stale;

    if (d == P3M_DLV_NONE)
        return;
    c->deliveries += d == P3M_DLV_DELIVERED;
    c->submission_failures += d == P3M_DLV_SUBMISSION_FAILED;
    if ((stale = pop3check_result_figure(r, POP3CHECK_FIG_STALE_CLEANED)) > 0)
        c->stale_cleaned += (unsigned long)stale;
}

int p3m_delivery_note(int *failing, enum p3m_delivery d)
{
    int now, was = *failing;

    if (d == P3M_DLV_DELIVERED)
        now = 0;
    else if (d == P3M_DLV_NOT_DELIVERED || d == P3M_DLV_SUBMISSION_FAILED)
        now = 1;
    else
        return 0; /* says nothing of the delivery */
    *failing = now;
    if (now == was || (was < 0 && !now))
        return 0;
    return now ? P3M_NOTE_DELIVERY_FAILED : P3M_NOTE_DELIVERY_RECOVERED;
}
