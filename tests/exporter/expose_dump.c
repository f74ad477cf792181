/* SPDX-License-Identifier: MIT */
/* expose_dump.c - writes the expositions that tests/exporter/promtool.sh
 * checks: for each hand-made case, DIR/NAME.prom (text format 0.0.4) and
 * DIR/NAME.json (prom2json's shape). Usage: expose_dump DIR */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expose.h"
#include "internal.h" /* results with chosen fields, as the unit tests */

static void set_tls(struct pop3check_result *r, const char *version)
{
    r->tls = 1;
    snprintf(r->tls_version, sizeof r->tls_version, "%s", version);
}

/* POP3S, logged in, every command sent, every capability offered. */
static void full_success(struct pop3check_result *r)
{
    static const int64_t us[POP3CHECK_PHASE_KNOWN] = {
        [POP3CHECK_PHASE_RESOLVE] = 814, [POP3CHECK_PHASE_CONNECT] = 402,
        [POP3CHECK_PHASE_TLS] = 6917,    [POP3CHECK_PHASE_GREETING] = 233,
        [POP3CHECK_PHASE_CAPA] = 250,    [POP3CHECK_PHASE_STLS] = -1,
        [POP3CHECK_PHASE_AUTH] = 31522,  [POP3CHECK_PHASE_STAT] = 611,
        [POP3CHECK_PHASE_LIST] = 702,    [POP3CHECK_PHASE_UIDL] = 655,
        [POP3CHECK_PHASE_TOP] = 880,     [POP3CHECK_PHASE_RETR] = 6480,
        [POP3CHECK_PHASE_QUIT] = 530,    [POP3CHECK_PHASE_TOTAL] = 49990};

    p3_result_init(r);
    memcpy(r->phase_us, us, sizeof us);
    r->capa = POP3CHECK_CAPA_KNOWN | POP3CHECK_CAPA_STLS | POP3CHECK_CAPA_USER |
              POP3CHECK_CAPA_TOP | POP3CHECK_CAPA_UIDL |
              POP3CHECK_CAPA_PIPELINING | POP3CHECK_CAPA_RESP_CODES |
              POP3CHECK_CAPA_LOGIN_DELAY | POP3CHECK_CAPA_SASL |
              POP3CHECK_CAPA_APOP | POP3CHECK_CAPA_AUTH_RESP_CODE;
    r->sasl =
        POP3CHECK_SASL_PLAIN | POP3CHECK_SASL_LOGIN | POP3CHECK_SASL_CRAM_MD5;
    r->auth_used = POP3CHECK_AUTH_CRAM_MD5;
    r->logged_in = 1;
    r->messages = 3;
    r->octets = 5000000003;
    r->largest = 4999999000;
    r->listed = 3;
    r->uidl_count = 3;
    r->top_octets = 812;
    r->retr_octets = 2143;
    r->top_msg = r->retr_msg = 1;
    set_tls(r, "TLSv1.3");
    r->cert_not_after = 1798761599;
    r->ip_version = 4;
    r->started_at = 1799780710;
}

/* STLS, refused at login with [AUTH]. */
static void auth_failure(struct pop3check_result *r)
{
    p3_result_init(r);
    r->error = POP3CHECK_E_AUTH;
    r->failed_phase = POP3CHECK_PHASE_AUTH;
    r->rcode = POP3CHECK_RCODE_AUTH;
    r->phase_us[POP3CHECK_PHASE_RESOLVE] = 500;
    r->phase_us[POP3CHECK_PHASE_CONNECT] = 300;
    r->phase_us[POP3CHECK_PHASE_GREETING] = 200;
    r->phase_us[POP3CHECK_PHASE_CAPA] = 180;
    r->phase_us[POP3CHECK_PHASE_STLS] = 7100;
    r->phase_us[POP3CHECK_PHASE_AUTH] = 2000000;
    r->phase_us[POP3CHECK_PHASE_TOTAL] = 2008280;
    r->capa = POP3CHECK_CAPA_KNOWN | POP3CHECK_CAPA_USER |
              POP3CHECK_CAPA_RESP_CODES | POP3CHECK_CAPA_AUTH_RESP_CODE;
    set_tls(r, "TLSv1.2");
    r->cert_not_after = 1798761599;
    r->ip_version = 6;
}

/* The server stalled during RETR until the deadline. */
static void timed_out(struct pop3check_result *r)
{
    p3_result_init(r);
    r->error = POP3CHECK_E_TIMEOUT;
    r->failed_phase = POP3CHECK_PHASE_RETR;
    r->phase_us[POP3CHECK_PHASE_CONNECT] = 402; /* an address: no lookup */
    r->phase_us[POP3CHECK_PHASE_GREETING] = 233;
    r->phase_us[POP3CHECK_PHASE_AUTH] = 1200;
    r->phase_us[POP3CHECK_PHASE_STAT] = 300;
    r->phase_us[POP3CHECK_PHASE_RETR] = 9496000;
    r->phase_us[POP3CHECK_PHASE_TOTAL] = 9500000;
    r->logged_in = 1;
    r->messages = 1;
    r->octets = 104857600;
    r->ip_version = 4;
}

static int case_success(struct p3x_families *fs)
{
    struct pop3check_result r;

    full_success(&r);
    return p3x_add_probe(fs, &r, POP3CHECK_STATE_OK, 9.5, NULL);
}

static int case_auth_failure(struct p3x_families *fs)
{
    struct pop3check_result r;

    auth_failure(&r);
    return p3x_add_probe(fs, &r, POP3CHECK_STATE_CRITICAL, 9.5, NULL);
}

static int case_timeout(struct p3x_families *fs)
{
    struct pop3check_result r;

    timed_out(&r);
    return p3x_add_probe(fs, &r, POP3CHECK_STATE_CRITICAL, 9.5, NULL);
}

/* Two scheduled targets and the counters the daemon adds beside them. */
static int case_scheduled(struct p3x_families *fs)
{
    static const char *const targets[] = {"alpha", "beta"};
    struct pop3check_result r[2];

    full_success(&r[0]);
    auth_failure(&r[1]);
    for (int i = 0; i < 2; i++) {
        if (p3x_add_probe(fs, &r[i], i == 0 ? 0 : 2, 10, targets[i]) != 0)
            return -1;
    }
    for (int i = 0; i < 2; i++) {
        if (p3x_sample(p3x_family(fs, "pop3_probes_total",
                                  "Probes completed since the daemon started.",
                                  P3X_COUNTER),
                       1440, 1, "target", targets[i]) != 0 ||
            p3x_sample(p3x_family(fs, "pop3_probe_errors_total",
                                  "Failed probes since the daemon started, by "
                                  "kind of error.",
                                  P3X_COUNTER),
                       i == 0 ? 0 : 17, 2, "kind", "auth", "target",
                       targets[i]) != 0)
            return -1;
    }
    return 0;
}

/* Values at the edges: no timeout (NaN), TLS version unknown (NaN), expiry
 * at the epoch, figures at INT64_MAX, a microsecond, a target that needs
 * escaping, and the special values through the public API. */
static int case_edges(struct p3x_families *fs)
{
    static const struct {
        const char *name;
        double v;
    } v[] = {
        {"nan", NAN},         {"plus_inf", INFINITY}, {"minus_inf", -INFINITY},
        {"minus_half", -0.5}, {"big", 1.5e300},       {"tiny", 5e-324},
        {"minus_zero", -0.0}};
    struct pop3check_result r;
    struct p3x_family *f;

    full_success(&r);
    set_tls(&r, "");
    r.cert_not_after = 0;
    r.messages = r.octets = r.largest = r.retr_octets = INT64_MAX;
    r.phase_us[POP3CHECK_PHASE_QUIT] = 1;
    r.ip_version = 0;
    if (p3x_add_probe(fs, &r, POP3CHECK_STATE_UNKNOWN, NAN,
                      "we\"ird\\name\nwith caf\xc3\xa9") != 0)
        return -1;
    f = p3x_family(fs, "pop3_dump_edge_value",
                   "Special values \\ written \"as is\"\nby the renderers.",
                   P3X_GAUGE);
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        if (p3x_sample(f, v[i].v, 1, "case", v[i].name) != 0)
            return -1;
    return 0;
}

/* A round trip over submission, delivered at the second poll. */
static void round_trip(struct pop3check_result *r)
{
    p3_result_init(r);
    r->phase_us[POP3CHECK_PHASE_RESOLVE] = 34;
    r->phase_us[POP3CHECK_PHASE_CONNECT] = 156;
    r->phase_us[POP3CHECK_PHASE_GREETING] = 8702;
    r->phase_us[POP3CHECK_PHASE_AUTH] = 5914;
    r->phase_us[POP3CHECK_PHASE_STAT] = 1771;
    r->phase_us[POP3CHECK_PHASE_UIDL] = 97;
    r->phase_us[POP3CHECK_PHASE_TOP] = 140;
    r->phase_us[POP3CHECK_PHASE_QUIT] = 1142;
    r->phase_us[POP3CHECK_PHASE_SMTP_RESOLVE] = 24;
    r->phase_us[POP3CHECK_PHASE_SMTP_CONNECT] = 182;
    r->phase_us[POP3CHECK_PHASE_SMTP_TLS] = 3613;
    r->phase_us[POP3CHECK_PHASE_SMTP_GREETING] = 378;
    r->phase_us[POP3CHECK_PHASE_SMTP_AUTH] = 429;
    r->phase_us[POP3CHECK_PHASE_SMTP_SUBMIT] = 1811;
    r->phase_us[POP3CHECK_PHASE_DELIVERY] = 415327;
    r->phase_us[POP3CHECK_PHASE_DELE] = 113;
    r->phase_us[POP3CHECK_PHASE_TOTAL] = 425144;
    r->logged_in = 1;
    r->messages = 1;
    r->octets = 1319;
    r->ip_version = 4;
    r->started_at = 1799780710;
    r->delivered = 1;
    r->polls = 2;
    r->stale_cleaned = 1;
    r->smtp_code = 250;
    r->smtp_tls = 1;
    r->headers_read = 2;
    r->poll_ms = 200;
}

static int case_round_trip(struct p3x_families *fs)
{
    struct pop3check_result r;

    round_trip(&r);
    return p3x_add_probe(fs, &r, POP3CHECK_STATE_OK, 10, NULL);
}

/* A scheduled round trip refused at SMTP AUTH, with the delivery-time
 * histogram and the counters the daemon adds. */
static int case_round_trip_scheduled(struct p3x_families *fs)
{
    static const double le[] = {0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300};
    static const uint64_t counts[] = {3, 40, 41, 41, 41, 41, 41, 41, 41, 42};
    struct pop3check_result r;

    round_trip(&r);
    r.error = POP3CHECK_E_AUTH;
    r.failed_phase = POP3CHECK_PHASE_SMTP_AUTH;
    r.phase_us[POP3CHECK_PHASE_SMTP_SUBMIT] = -1;
    r.phase_us[POP3CHECK_PHASE_DELIVERY] = -1;
    r.delivered = r.polls = r.stale_cleaned = r.headers_read = 0;
    r.smtp_code = 535;
    if (p3x_add_probe(fs, &r, POP3CHECK_STATE_CRITICAL, 10, "trip") != 0)
        return -1;
    return p3x_histogram(
        p3x_family(fs, "pop3_roundtrip_delivery_duration_seconds",
                   "Time from the SMTP server taking a probe message to the "
                   "POP3 session that first saw it.",
                   P3X_HISTOGRAM),
        le, counts, sizeof le / sizeof *le, 43, 38.75, 1, "target", "trip");
}

/* A scheduled target before its first probe. */
static int case_not_run(struct p3x_families *fs)
{
    struct pop3check_result r;

    p3_result_init(&r);
    return p3x_add_probe(fs, &r, POP3CHECK_STATE_UNKNOWN, 10, "gamma");
}

static int case_empty(struct p3x_families *fs)
{
    (void)fs;
    return 0;
}

static int write_file(const char *dir, const char *name, const char *ext,
                      const char *data, size_t len)
{
    char path[4096];
    FILE *f;
    int n = snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);

    if (n < 0 || (size_t)n >= sizeof path) {
        fprintf(stderr, "expose_dump: %s: path too long\n", dir);
        return -1;
    }
    f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    if (fwrite(data, 1, len, f) != len) {
        perror(path);
        fclose(f);
        return -1;
    }
    if (fclose(f) != 0) {
        perror(path);
        return -1;
    }
    return 0;
}

static int dump(const char *dir, const char *name,
                const struct p3x_families *fs)
{
    char *text = NULL, *json = NULL;
    size_t tlen, jlen;
    int rc = -1;

    if (p3x_render_text(fs, &text, &tlen) != 0 ||
        p3x_render_json(fs, &json, &jlen) != 0) {
        fprintf(stderr, "expose_dump: %s: cannot render\n", name);
        goto out;
    }
    if (write_file(dir, name, "prom", text, tlen) == 0 &&
        write_file(dir, name, "json", json, jlen) == 0)
        rc = 0;
out:
    free(text);
    free(json);
    return rc;
}

static const struct {
    const char *name;
    int (*build)(struct p3x_families *fs);
} cases[] = {
    {"success_tls", case_success},
    {"auth_failure", case_auth_failure},
    {"timeout", case_timeout},
    {"scheduled", case_scheduled},
    {"edges", case_edges},
    {"not_run", case_not_run},
    {"empty", case_empty},
    {"round_trip", case_round_trip},
    {"round_trip_scheduled", case_round_trip_scheduled},
};

int main(int argc, char **argv)
{
    int status = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: expose_dump DIR\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct p3x_families fs = {0};

        if (cases[i].build(&fs) != 0) {
            fprintf(stderr, "expose_dump: %s: cannot build\n", cases[i].name);
            status = 1;
        } else if (dump(argv[1], cases[i].name, &fs) != 0) {
            status = 1;
        }
        p3x_families_free(&fs);
    }
    return status;
}
