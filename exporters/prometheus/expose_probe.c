/* SPDX-License-Identifier: MIT */
/* expose_probe.c - the metric families of one probe result: blackbox_
 * exporter's probe_* names where they mean the same, pop3_* for the rest
 * (DESIGN.md, "pop3_exporter"). */
#define _DEFAULT_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "expose.h"

#define HELP_SUCCESS  "Displays whether or not the probe was a success"
#define HELP_DURATION "Returns how long the probe took to complete in seconds"
#define HELP_TIMEOUT  "Returns how long the probe timeout is in seconds"
#define HELP_DNS      "Returns the time taken for probe dns lookup in seconds"
#define HELP_IP       "Specifies whether probe ip protocol is IP4 or IP6"
#define HELP_CERT     "Returns last SSL chain expiry in unixtime"
#define HELP_TLS      "Returns the TLS version used or NaN when unknown"
#define HELP_PHASE                                                             \
    "Duration of each POP3 probe phase; 0 for phases not performed."
#define HELP_STATUS                                                            \
    "Verdict of the probe with thresholds applied: 0=OK, 1=WARNING, "          \
    "2=CRITICAL, 3=UNKNOWN."
#define HELP_ERROR                                                             \
    "Whether the probe failed with this kind of error (1) or not (0)."
#define HELP_ERROR_LAST                                                        \
    "Whether the last probe failed with this kind of error (1) or not (0)."
#define HELP_CAPA                                                              \
    "Capabilities the server announced in reply to CAPA (RFC 2449), one "      \
    "series each: apop means an APOP timestamp in the greeting, sasl_* a "     \
    "SASL mechanism offered."

/* Capabilities by the label value that names them. */
struct flag_name {
    unsigned flag;
    const char *name;
};

static const struct flag_name capa_names[] = {
    {POP3CHECK_CAPA_STLS, "stls"},
    {POP3CHECK_CAPA_USER, "user"},
    {POP3CHECK_CAPA_APOP, "apop"},
    {POP3CHECK_CAPA_TOP, "top"},
    {POP3CHECK_CAPA_UIDL, "uidl"},
    {POP3CHECK_CAPA_PIPELINING, "pipelining"},
    {POP3CHECK_CAPA_RESP_CODES, "resp_codes"},
    {POP3CHECK_CAPA_AUTH_RESP_CODE, "auth_resp_code"},
    {POP3CHECK_CAPA_LOGIN_DELAY, "login_delay"},
    {POP3CHECK_CAPA_SASL, "sasl"},
};

static const struct flag_name sasl_names[] = {
    {POP3CHECK_SASL_PLAIN, "sasl_plain"},
    {POP3CHECK_SASL_LOGIN, "sasl_login"},
    {POP3CHECK_SASL_CRAM_MD5, "sasl_cram_md5"},
};

struct probe_out {
    struct p3x_families *fs;
    const char *target; /* NULL: no target label */
};

/* One gauge sample, labelled (lname, lvalue) when lname is set, and with
 * the probe's target when it has one. */
static int gauge(const struct probe_out *o, const char *name, const char *help,
                 const char *lname, const char *lvalue, double v)
{
    struct p3x_family *f = p3x_family(o->fs, name, help, P3X_GAUGE);

    if (lname != NULL && o->target != NULL)
        return p3x_sample(f, v, 2, lname, lvalue, "target", o->target);
    if (lname != NULL)
        return p3x_sample(f, v, 1, lname, lvalue);
    if (o->target != NULL)
        return p3x_sample(f, v, 1, "target", o->target);
    return p3x_sample(f, v, 0);
}

static double seconds(int64_t us)
{
    return us < 0 ? 0 : (double)us / 1e6;
}

/* OpenSSL's "TLSv1.3" as blackbox_exporter writes it: "TLS 1.3" ("TLSv1"
 * is TLS 1.0); "unknown" when libcurl did not say. */
static void tls_version_label(const struct pop3check_result *r, char *out,
                              size_t len)
{
    char v[sizeof r->tls_version + 1];

    memcpy(v, r->tls_version, sizeof r->tls_version);
    v[sizeof r->tls_version] = '\0';
    if (strncmp(v, "TLSv", 4) == 0 && v[4] != '\0')
        snprintf(out, len, "TLS %s%s", v + 4,
                 strchr(v + 4, '.') != NULL ? "" : ".0");
    else
        snprintf(out, len, "%s", v[0] != '\0' ? v : "unknown");
}

/* The families blackbox_exporter has too, with the same meaning. A result
 * that never ran (pop3check_result_init() only) is no success. */
static int add_blackbox(const struct probe_out *o,
                        const struct pop3check_result *r, double timeout_s)
{
    const int64_t *us = r->phase_us;
    int ip = r->ip_version == 4 || r->ip_version == 6 ? r->ip_version : 0;
    int ran = us[POP3CHECK_PHASE_TOTAL] >= 0;
    char version[sizeof r->tls_version + 8];

    if (gauge(o, "probe_success", HELP_SUCCESS, NULL, NULL,
              ran && r->error == POP3CHECK_E_OK) != 0 ||
        gauge(o, "probe_duration_seconds", HELP_DURATION, NULL, NULL,
              seconds(us[POP3CHECK_PHASE_TOTAL])) != 0 ||
        gauge(o, "probe_timeout_seconds", HELP_TIMEOUT, NULL, NULL,
              timeout_s) != 0 ||
        gauge(o, "probe_dns_lookup_time_seconds", HELP_DNS, NULL, NULL,
              seconds(us[POP3CHECK_PHASE_RESOLVE])) != 0 ||
        gauge(o, "probe_ip_protocol", HELP_IP, NULL, NULL, ip) != 0)
        return -1;
    if (r->cert_not_after >= 0 &&
        gauge(o, "probe_ssl_earliest_cert_expiry", HELP_CERT, NULL, NULL,
              (double)r->cert_not_after) != 0)
        return -1;
    if (!r->tls)
        return 0;
    tls_version_label(r, version, sizeof version);
    return gauge(o, "probe_tls_version_info", HELP_TLS, "version", version,
                 r->tls_version[0] != '\0' ? 1 : NAN);
}

static int add_pop3(const struct probe_out *o, const struct pop3check_result *r,
                    enum pop3check_state state)
{
    const char *help = o->target != NULL ? HELP_ERROR_LAST : HELP_ERROR;

    for (int p = 0; p < POP3CHECK_PHASE_TOTAL; p++)
        if (gauge(o, "pop3_phase_duration_seconds", HELP_PHASE, "phase",
                  pop3check_phase_name((enum pop3check_phase)p),
                  seconds(r->phase_us[p])) != 0)
            return -1;
    if (gauge(o, "pop3_probe_status", HELP_STATUS, NULL, NULL, state) != 0)
        return -1;
    for (int e = POP3CHECK_E_OK + 1; e < POP3CHECK_E_COUNT; e++)
        if (gauge(o, "pop3_probe_error", help, "kind",
                  pop3check_error_name((enum pop3check_error)e),
                  (int)r->error == e) != 0)
            return -1;
    return 0;
}

/* The figures the probe learnt, each only when known. */
static int add_mailbox(const struct probe_out *o,
                       const struct pop3check_result *r)
{
    const struct {
        const char *name, *help;
        int64_t v;
    } fig[] = {
        {"pop3_mailbox_messages",
         "Number of messages in the maildrop, as reported by STAT.",
         r->messages},
        {"pop3_mailbox_size_bytes",
         "Size of the maildrop in bytes, as reported by STAT.", r->octets},
        {"pop3_mailbox_largest_bytes",
         "Size of the largest message in the maildrop in bytes, as "
         "reported by LIST.",
         r->largest},
        {"pop3_retr_size_bytes",
         "Size of the message retrieved by RETR in bytes.", r->retr_octets},
    };

    for (size_t i = 0; i < sizeof fig / sizeof *fig; i++)
        if (fig[i].v >= 0 && gauge(o, fig[i].name, fig[i].help, NULL, NULL,
                                   (double)fig[i].v) != 0)
            return -1;
    return 0;
}

static int add_capabilities(const struct probe_out *o,
                            const struct pop3check_result *r)
{
    if (!(r->capa & POP3CHECK_CAPA_KNOWN))
        return 0;
    for (size_t i = 0; i < sizeof capa_names / sizeof *capa_names; i++)
        if ((r->capa & capa_names[i].flag) &&
            gauge(o, "pop3_capability_info", HELP_CAPA, "capability",
                  capa_names[i].name, 1) != 0)
            return -1;
    for (size_t i = 0; i < sizeof sasl_names / sizeof *sasl_names; i++)
        if ((r->sasl & sasl_names[i].flag) &&
            gauge(o, "pop3_capability_info", HELP_CAPA, "capability",
                  sasl_names[i].name, 1) != 0)
            return -1;
    return 0;
}

/* On failure fs is left as it was (-1 also for a target that is not
 * UTF-8, or a family of the same name added before with another type). */
int p3x_add_probe(struct p3x_families *fs, const struct pop3check_result *r,
                  enum pop3check_state state, double timeout_s,
                  const char *target)
{
    struct probe_out o = {fs, target};
    struct p3x_mark mark;
    int rc = 0;

    if (p3x_mark(fs, &mark) != 0)
        return -1;
    if (add_blackbox(&o, r, timeout_s) != 0 || add_pop3(&o, r, state) != 0 ||
        add_mailbox(&o, r) != 0 || add_capabilities(&o, r) != 0) {
        p3x_roll_back(fs, &mark);
        rc = -1;
    }
    p3x_mark_free(&mark);
    return rc;
}
