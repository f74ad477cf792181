/* SPDX-License-Identifier: MIT */
/* expose_probe.c - the metric families of one probe result: blackbox_
 * exporter's probe_* names where they mean the same, pop3_* for the rest
 * (DESIGN.md, "pop3_exporter"), pop3_roundtrip_* for a mail round
 * trip. */
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

static double phase_s(const struct pop3check_result *r, enum pop3check_phase p)
{
    return seconds(pop3check_result_phase_us(r, p));
}

/* OpenSSL's "TLSv1.3" as blackbox_exporter writes it: "TLS 1.3" ("TLSv1"
 * is TLS 1.0); "unknown" when libcurl did not say. */
static void tls_version_label(const char *v, char *out, size_t len)
{
    if (strncmp(v, "TLSv", 4) == 0 && v[4] != '\0')
        snprintf(out, len, "TLS %s%s", v + 4,
                 strchr(v + 4, '.') != NULL ? "" : ".0");
    else
        snprintf(out, len, "%s", v[0] != '\0' ? v : "unknown");
}

/* The families blackbox_exporter has too, with the same meaning. A result
 * that never ran (pop3check_result_new() only) is no success. */
static int add_blackbox(const struct probe_out *o,
                        const struct pop3check_result *r, double timeout_s)
{
    const int64_t total = pop3check_result_phase_us(r, POP3CHECK_PHASE_TOTAL);
    const int64_t ipv = pop3check_result_figure(r, POP3CHECK_FIG_IP_VERSION);
    const int64_t expiry =
        pop3check_result_figure(r, POP3CHECK_FIG_CERT_NOT_AFTER);
    const char *tls = pop3check_result_text(r, POP3CHECK_TEXT_TLS_VERSION);
    const int ran = total >= 0;
    char version[48];

    if (gauge(o, "probe_success", HELP_SUCCESS, NULL, NULL,
              ran && pop3check_result_error(r) == POP3CHECK_E_OK) != 0 ||
        gauge(o, "probe_duration_seconds", HELP_DURATION, NULL, NULL,
              seconds(total)) != 0 ||
        gauge(o, "probe_timeout_seconds", HELP_TIMEOUT, NULL, NULL,
              timeout_s) != 0 ||
        gauge(o, "probe_dns_lookup_time_seconds", HELP_DNS, NULL, NULL,
              phase_s(r, POP3CHECK_PHASE_RESOLVE)) != 0 ||
        gauge(o, "probe_ip_protocol", HELP_IP, NULL, NULL,
              ipv == 4 || ipv == 6 ? (double)ipv : 0) != 0)
        return -1;
    if (expiry >= 0 && gauge(o, "probe_ssl_earliest_cert_expiry", HELP_CERT,
                             NULL, NULL, (double)expiry) != 0)
        return -1;
    if (pop3check_result_figure(r, POP3CHECK_FIG_TLS) != 1)
        return 0;
    tls_version_label(tls, version, sizeof version);
    return gauge(o, "probe_tls_version_info", HELP_TLS, "version", version,
                 tls[0] != '\0' ? 1 : NAN);
}

/* Every phase but total and every error kind but ok that the library in
 * use names, in its order (a newer one's come after today's). */
static int add_pop3(const struct probe_out *o, const struct pop3check_result *r,
                    enum pop3check_state state)
{
    const char *help = o->target != NULL ? HELP_ERROR_LAST : HELP_ERROR;
    const enum pop3check_error err = pop3check_result_error(r);
    const int nphases = pop3check_phase_count();
    const int nerrors = pop3check_error_count();

    for (int p = 0; p < nphases; p++) {
        const char *name = pop3check_phase_name((enum pop3check_phase)p);
        if (p != POP3CHECK_PHASE_TOTAL && name != NULL &&
            gauge(o, "pop3_phase_duration_seconds", HELP_PHASE, "phase", name,
                  phase_s(r, (enum pop3check_phase)p)) != 0)
            return -1;
    }
    if (gauge(o, "pop3_probe_status", HELP_STATUS, NULL, NULL, state) != 0)
        return -1;
    for (int e = POP3CHECK_E_OK + 1; e < nerrors; e++) {
        const char *name = pop3check_error_name((enum pop3check_error)e);
        if (name != NULL && gauge(o, "pop3_probe_error", help, "kind", name,
                                  (int)err == e) != 0)
            return -1;
    }
    return 0;
}

/* The figures the probe learnt, each only when known. */
static int add_mailbox(const struct probe_out *o,
                       const struct pop3check_result *r)
{
    static const struct {
        const char *name, *help;
        enum pop3check_figure fig;
    } fig[] = {
        {"pop3_mailbox_messages",
         "Number of messages in the maildrop, as reported by STAT.",
         POP3CHECK_FIG_MESSAGES},
        {"pop3_mailbox_size_bytes",
         "Size of the maildrop in bytes, as reported by STAT.",
         POP3CHECK_FIG_OCTETS},
        {"pop3_mailbox_largest_bytes",
         "Size of the largest message in the maildrop in bytes, as "
         "reported by LIST.",
         POP3CHECK_FIG_LARGEST},
        {"pop3_retr_size_bytes",
         "Size of the message retrieved by RETR in bytes.",
         POP3CHECK_FIG_RETR_OCTETS},
        {"pop3_mailbox_oldest_message_age_seconds",
         "Seconds since the oldest message arrived: the date of its newest "
         "Received: header, else its Date: (module key age).",
         POP3CHECK_FIG_OLDEST_AGE},
        {"pop3_mailbox_newest_message_age_seconds",
         "Seconds since the newest message arrived (module key age).",
         POP3CHECK_FIG_NEWEST_AGE},
        {"pop3_mailbox_age_messages_read",
         "Messages whose headers were read for the age (TOP n 0).",
         POP3CHECK_FIG_AGE_READ},
        {"pop3_mailbox_longest_wait_seconds",
         "Seconds since the message in the maildrop longest was first seen "
         "by this scheduled target, by its UIDL (its own clock only).",
         POP3CHECK_FIG_LONGEST_WAIT},
        {"pop3_mailbox_undated_messages",
         "Messages read for the age without a date to believe (none, "
         "malformed, or ahead of this host's clock).",
         POP3CHECK_FIG_AGE_UNDATED},
    };

    for (size_t i = 0; i < sizeof fig / sizeof *fig; i++) {
        const int64_t v = pop3check_result_figure(r, fig[i].fig);
        if (v >= 0 &&
            gauge(o, fig[i].name, fig[i].help, NULL, NULL, (double)v) != 0)
            return -1;
    }
    return 0;
}

/* A round trip's own figures (POLL_MS > 0 says the result is one): the
 * delivery time only once the probe message was seen, the SMTP reply
 * code only once the server gave one. */
static int add_round_trip(const struct probe_out *o,
                          const struct pop3check_result *r)
{
    static const struct {
        const char *name, *help;
        enum pop3check_figure fig;
    } fig[] = {
        {"pop3_roundtrip_polls",
         "POP3 sessions the round trip opened to look for its probe message.",
         POP3CHECK_FIG_POLLS},
        {"pop3_roundtrip_stale_cleaned",
         "Probe messages of earlier round trips of this check that this one "
         "deleted.",
         POP3CHECK_FIG_STALE_CLEANED},
        {"pop3_roundtrip_headers_read",
         "Messages whose headers the round trip read (TOP n 0) in all its "
         "polls.",
         POP3CHECK_FIG_HEADERS_READ},
    };
    const int64_t poll_ms = pop3check_result_figure(r, POP3CHECK_FIG_POLL_MS);
    const int64_t code = pop3check_result_figure(r, POP3CHECK_FIG_SMTP_CODE);
    const int delivered =
        pop3check_result_figure(r, POP3CHECK_FIG_DELIVERED) == 1;

    if (poll_ms <= 0)
        return 0;
    if (gauge(o, "pop3_roundtrip_delivered",
              "Whether the round trip found its probe message in the mailbox "
              "(1) or not (0).",
              NULL, NULL, delivered) != 0 ||
        (delivered &&
         gauge(o, "pop3_roundtrip_delivery_seconds",
               "Time from the SMTP server taking the probe message to the "
               "login of the POP3 session that first saw it.",
               NULL, NULL, phase_s(r, POP3CHECK_PHASE_DELIVERY)) != 0))
        return -1;
    for (size_t i = 0; i < sizeof fig / sizeof *fig; i++) {
        const int64_t v = pop3check_result_figure(r, fig[i].fig);
        if (gauge(o, fig[i].name, fig[i].help, NULL, NULL,
                  v < 0 ? 0 : (double)v) != 0)
            return -1;
    }
    if (code >= 0 && gauge(o, "pop3_smtp_reply_code",
                           "The last reply code of the SMTP server: 250 "
                           "after the message, or the refusal.",
                           NULL, NULL, (double)code) != 0)
        return -1;
    return gauge(o, "pop3_roundtrip_poll_interval_seconds",
                 "Time between the starts of the round trip's polls.", NULL,
                 NULL, (double)poll_ms / 1000);
}

/* The label value of a capability word: "RESP-CODES" -> "resp_codes",
 * after prefix ("sasl_" for a SASL mechanism). */
static void capa_label(const char *prefix, const char *word, char *out,
                       size_t len)
{
    snprintf(out, len, "%s%s", prefix, word);
    for (char *c = out; *c != '\0'; c++) {
        if (*c == '-')
            *c = '_';
        else if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    }
}

/* One series per flag set in bits that the library has a word for. */
static int add_flags(const struct probe_out *o, unsigned bits,
                     const char *(*word)(unsigned), const char *prefix)
{
    char label[64];

    for (unsigned i = 0; i < 32; i++) {
        const unsigned flag = 1u << i;
        const char *w = flag != POP3CHECK_CAPA_KNOWN ? word(flag) : NULL;
        if (!(bits & flag) || w == NULL)
            continue;
        capa_label(prefix, w, label, sizeof label);
        if (gauge(o, "pop3_capability_info", HELP_CAPA, "capability", label,
                  1) != 0)
            return -1;
    }
    return 0;
}

/* Only when the server answered CAPA; -1 is an unknown figure. */
static int add_capabilities(const struct probe_out *o,
                            const struct pop3check_result *r)
{
    const int64_t capa = pop3check_result_figure(r, POP3CHECK_FIG_CAPA);
    const int64_t sasl = pop3check_result_figure(r, POP3CHECK_FIG_SASL);

    if (capa < 0 || !((unsigned)capa & POP3CHECK_CAPA_KNOWN))
        return 0;
    if (add_flags(o, (unsigned)capa, pop3check_capa_name, "") != 0)
        return -1;
    return sasl < 0
               ? 0
               : add_flags(o, (unsigned)sasl, pop3check_sasl_name, "sasl_");
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
        add_mailbox(&o, r) != 0 || add_capabilities(&o, r) != 0 ||
        add_round_trip(&o, r) != 0) {
        p3x_roll_back(fs, &mark);
        rc = -1;
    }
    p3x_mark_free(&mark);
    return rc;
}
