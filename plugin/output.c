/* SPDX-License-Identifier: MIT */
/* output.c - check_pop3's output after the Monitoring Plugins guidelines:
 * "POP3 STATE - summary | perfdata", then one line per detail with -v.
 * Perfdata: 'label'=value[UOM];warn;crit;min;max. */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "tripout.h"

void out_printf(struct outbuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (b->len + 1 >= b->cap)
        return;
    va_start(ap, fmt);
    n = vsnprintf(b->buf + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    b->len += (size_t)n < b->cap - b->len ? (size_t)n : b->cap - b->len - 1;
}

void out_label(struct outbuf *b, const char *label)
{
    int quote = strpbrk(label, " ='") != NULL;

    if (quote)
        out_printf(b, "'");
    for (const char *c = label; *c; c++)
        out_printf(b, *c == '\'' ? "''" : "%c", *c);
    if (quote)
        out_printf(b, "'");
}

void out_perf(struct outbuf *b, const char *label, double value, int decimals,
              const char *uom, const char *warn, const char *crit,
              const char *min, const char *max)
{
    if (b->len > 0 && b->buf[b->len - 1] != ' ')
        out_printf(b, " ");
    out_label(b, label);
    out_printf(b, "=%.*f%s;%s;%s;%s;%s", decimals, value, uom, warn ? warn : "",
               crit ? crit : "", min ? min : "", max ? max : "");
    /* Trailing empty fields may be dropped (guidelines). */
    while (b->len > 0 && b->buf[b->len - 1] == ';')
        b->buf[--b->len] = '\0';
}

/* The figures and texts of a result, by key. */
static int64_t fig(const struct pop3check_result *r, enum pop3check_figure f)
{
    return pop3check_result_figure(r, f);
}

static const char *txt(const struct pop3check_result *r, enum pop3check_text t)
{
    return pop3check_result_text(r, t);
}

static double seconds(const struct pop3check_result *r, enum pop3check_phase p)
{
    return (double)pop3check_result_phase_us(r, p) / 1e6;
}

static void perf_phase(struct outbuf *b, const char *label,
                       const struct plugin_opts *o,
                       const struct pop3check_result *r, enum pop3check_phase p)
{
    out_perf(
        b, label, seconds(r, p), 6, "s",
        pop3check_thresholds_get_phase(o->thr, p, POP3CHECK_STATE_WARNING),
        pop3check_thresholds_get_phase(o->thr, p, POP3CHECK_STATE_CRITICAL),
        "0", NULL);
}

/* time= is the total; then each phase performed, as the library in use
 * numbers them (a phase newer than this header comes after the known
 * ones). */
static void perf_phases(struct outbuf *b, const struct plugin_opts *o,
                        const struct pop3check_result *r)
{
    char label[64];

    perf_phase(b, "time", o, r, POP3CHECK_PHASE_TOTAL);
    for (int i = 0; i < pop3check_phase_count(); i++) {
        const enum pop3check_phase p = (enum pop3check_phase)i;
        const char *name = pop3check_phase_name(p);
        if (p == POP3CHECK_PHASE_TOTAL || name == NULL ||
            pop3check_result_phase_us(r, p) < 0)
            continue;
        snprintf(label, sizeof label, "time_%s", name);
        perf_phase(b, label, o, r, p);
    }
}

/* A mailbox figure, when known, with the ranges on measure m (if any). */
static void perf_figure(struct outbuf *b, const char *label,
                        const struct pop3check_result *r,
                        enum pop3check_figure f, const char *uom,
                        const struct pop3check_thresholds *t, int m)
{
    const char *warn = NULL, *crit = NULL;
    const int64_t v = fig(r, f);

    if (v < 0)
        return;
    if (m >= 0) {
        warn = pop3check_thresholds_get(t, (enum pop3check_measure)m,
                                        POP3CHECK_STATE_WARNING);
        crit = pop3check_thresholds_get(t, (enum pop3check_measure)m,
                                        POP3CHECK_STATE_CRITICAL);
    }
    out_perf(b, label, (double)v, 0, uom, warn, crit, "0", NULL);
}

static void perf_mailbox(struct outbuf *b, const struct plugin_opts *o,
                         const struct pop3check_result *r)
{
    const struct pop3check_thresholds *t = o->thr;
    const enum pop3check_measure days = POP3CHECK_MEASURE_CERT_DAYS;

    perf_figure(b, "messages", r, POP3CHECK_FIG_MESSAGES, "", t,
                POP3CHECK_MEASURE_MESSAGES);
    perf_figure(b, "size", r, POP3CHECK_FIG_OCTETS, "B", t,
                POP3CHECK_MEASURE_OCTETS);
    perf_figure(b, "largest", r, POP3CHECK_FIG_LARGEST, "B", t, -1);
    perf_figure(b, "top_size", r, POP3CHECK_FIG_TOP_OCTETS, "B", t, -1);
    perf_figure(b, "retr_size", r, POP3CHECK_FIG_RETR_OCTETS, "B", t, -1);
    perf_figure(b, "oldest_age", r, POP3CHECK_FIG_OLDEST_AGE, "s", t,
                POP3CHECK_MEASURE_OLDEST_AGE);
    perf_figure(b, "newest_age", r, POP3CHECK_FIG_NEWEST_AGE, "s", t, -1);
    perf_figure(b, "undated", r, POP3CHECK_FIG_AGE_UNDATED, "", t, -1);
    if (fig(r, POP3CHECK_FIG_CERT_NOT_AFTER) >= 0)
        out_perf(b, "cert_days", pop3check_result_cert_days_left(r), 1, "",
                 pop3check_thresholds_get(t, days, POP3CHECK_STATE_WARNING),
                 pop3check_thresholds_get(t, days, POP3CHECK_STATE_CRITICAL),
                 NULL, NULL);
}

/* host:port, the port as the probe uses it (the library's default by TLS
 * mode when -p is not given). */
static void where(struct outbuf *b, const struct plugin_opts *o)
{
    const char *host = pop3check_options_get_str(o->probe, POP3CHECK_OPT_HOST);
    long port = 0;
    int v6;

    if (host == NULL)
        host = "";
    v6 = strchr(host, ':') != NULL;
    if (pop3check_options_get_long(o->probe, POP3CHECK_OPT_PORT, &port) != 0)
        port = 0;
    out_printf(b, "%s%s%s:%ld", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

/* ", oldest 2 d 3 h": how long the oldest message has waited. */
static void summary_age(struct outbuf *b, const struct pop3check_result *r)
{
    const int64_t s = fig(r, POP3CHECK_FIG_OLDEST_AGE);

    if (s < 0) {
        if (fig(r, POP3CHECK_FIG_AGE_UNDATED) > 0)
            out_printf(b, ", no message with a date");
        return;
    }
    if (s >= 86400)
        out_printf(b, ", oldest %lld d %lld h", (long long)(s / 86400),
                   (long long)(s % 86400 / 3600));
    else if (s >= 3600)
        out_printf(b, ", oldest %lld h %lld min", (long long)(s / 3600),
                   (long long)(s % 3600 / 60));
    else
        out_printf(b, ", oldest %lld min", (long long)(s / 60));
}

static void summary(struct outbuf *b, const struct plugin_opts *o,
                    const struct pop3check_result *r, const char *why)
{
    const int failed = pop3check_result_error(r) != POP3CHECK_E_OK;
    const char *error = txt(r, POP3CHECK_TEXT_ERROR);
    const char *tls = txt(r, POP3CHECK_TEXT_TLS_VERSION);
    const int64_t messages = fig(r, POP3CHECK_FIG_MESSAGES);

    if (trip_is(r)) {
        trip_summary(b, o, r);
        out_printf(b, " in %.3f s", seconds(r, POP3CHECK_PHASE_TOTAL));
        if (failed && strncmp(why, error, strlen(error)) == 0) {
            why += strlen(error);
            why += strspn(why, ", ");
        }
        if (why[0] != '\0')
            out_printf(b, "%s%s", failed ? "; " : ": ", why);
        return;
    }
    where(b, o);
    if (fig(r, POP3CHECK_FIG_TLS) > 0 && tls[0])
        out_printf(b, " (%s)", tls);
    if (failed) {
        out_printf(b, " %s", error);
    } else if (fig(r, POP3CHECK_FIG_LOGGED_IN) > 0) {
        out_printf(b, " login ok, %lld message%s (%lld B)", (long long)messages,
                   messages == 1 ? "" : "s",
                   (long long)fig(r, POP3CHECK_FIG_OCTETS));
        summary_age(b, r);
    } else {
        out_printf(b, " \"+OK %s\"", txt(r, POP3CHECK_TEXT_GREETING));
    }
    out_printf(b, " in %.3f s", seconds(r, POP3CHECK_PHASE_TOTAL));
    /* why starts with the error text when the failure set the state. */
    if (failed && strncmp(why, error, strlen(error)) == 0) {
        why += strlen(error);
        why += strspn(why, ", ");
    }
    if (why[0] != '\0')
        out_printf(b, "%s%s", failed ? "; " : ": ", why);
}

static void long_phase(struct outbuf *b, const struct pop3check_result *r,
                       enum pop3check_phase p)
{
    const enum pop3check_error e = pop3check_result_error(r);

    out_printf(b, "\n%-*s ", trip_is(r) ? 13 : 9, pop3check_phase_name(p));
    if (pop3check_result_phase_us(r, p) >= 0)
        out_printf(b, "%.6f s", seconds(r, p));
    else
        out_printf(b, "not performed");
    if (e != POP3CHECK_E_OK && pop3check_result_failed_phase(r) == p)
        out_printf(b, "  <- failed: %s", pop3check_error_name(e));
}

/* One line per phase of the library in use, performed or not; an OAuth
 * 2.0 grant's (it comes first) only when there was one. */
static void long_phases(struct outbuf *b, const struct pop3check_result *r)
{
    const enum pop3check_phase token = POP3CHECK_PHASE_TOKEN;

    if (pop3check_result_phase_us(r, token) >= 0 ||
        (pop3check_result_error(r) != POP3CHECK_E_OK &&
         pop3check_result_failed_phase(r) == token))
        long_phase(b, r, token);
    for (int i = 0; i < pop3check_phase_count(); i++) {
        const enum pop3check_phase p = (enum pop3check_phase)i;
        if (pop3check_phase_name(p) == NULL || p == token ||
            (p > POP3CHECK_PHASE_TOTAL && !trip_is(r)))
            continue;
        long_phase(b, r, p);
    }
}

static void long_greeting(struct outbuf *b, const struct pop3check_result *r)
{
    const char *peer = txt(r, POP3CHECK_TEXT_PEER_IP);
    const char *greeting = txt(r, POP3CHECK_TEXT_GREETING);
    const int64_t capa = fig(r, POP3CHECK_FIG_CAPA);

    if (peer[0])
        out_printf(b, "\nconnected to %s port %lld (IPv%lld)", peer,
                   (long long)fig(r, POP3CHECK_FIG_PEER_PORT),
                   (long long)fig(r, POP3CHECK_FIG_IP_VERSION));
    if (greeting[0])
        out_printf(b, "\ngreeting: +OK %s", greeting);
    if (capa > 0 && (capa & POP3CHECK_CAPA_KNOWN))
        out_printf(b, "\ncapabilities: %s", txt(r, POP3CHECK_TEXT_CAPA));
    else if (pop3check_result_phase_us(r, POP3CHECK_PHASE_CAPA) >= 0)
        out_printf(b, "\ncapabilities: the server does not answer CAPA");
    if (capa > 0 && (capa & POP3CHECK_CAPA_APOP))
        out_printf(b, "\nAPOP offered (timestamp in the greeting)");
}

/* The mechanism tried and the user, when a login was tried. */
static void long_login(struct outbuf *b, const struct plugin_opts *o,
                       const struct pop3check_result *r)
{
    const char *user = pop3check_options_get_str(o->probe, POP3CHECK_OPT_USER);
    const int64_t used = fig(r, POP3CHECK_FIG_AUTH_USED);
    const char *mech =
        used >= 0 ? pop3check_auth_name((enum pop3check_auth)used) : NULL;

    /* APOP, CRAM-MD5 and SCRAM send a digest or a proof, never the
     * password itself; XOAUTH2 and OAUTHBEARER send the token */
    const int clear = used == POP3CHECK_AUTH_USER ||
                      used == POP3CHECK_AUTH_PLAIN ||
                      used == POP3CHECK_AUTH_LOGIN;
    const int bearer =
        used == POP3CHECK_AUTH_XOAUTH2 || used == POP3CHECK_AUTH_OAUTHBEARER;

    if (user == NULL || mech == NULL ||
        pop3check_result_phase_us(r, POP3CHECK_PHASE_AUTH) < 0)
        return;
    out_printf(b, "\nlogin: %s as %s, %s%s", mech, user,
               fig(r, POP3CHECK_FIG_LOGGED_IN) > 0 ? "accepted" : "refused",
               fig(r, POP3CHECK_FIG_TLS) > 0 || !(clear || bearer) ? ""
               : bearer ? " (token sent without TLS)"
                        : " (password sent without TLS)");
}

static void long_mailbox(struct outbuf *b, const struct pop3check_result *r)
{
    const int64_t messages = fig(r, POP3CHECK_FIG_MESSAGES);
    const int64_t largest = fig(r, POP3CHECK_FIG_LARGEST);
    const int64_t top = fig(r, POP3CHECK_FIG_TOP_OCTETS);
    const int64_t retr = fig(r, POP3CHECK_FIG_RETR_OCTETS);
    const int64_t uidl = fig(r, POP3CHECK_FIG_UIDL_ENTRIES);

    if (messages >= 0)
        out_printf(b, "\nmailbox: %lld messages, %lld octets",
                   (long long)messages,
                   (long long)fig(r, POP3CHECK_FIG_OCTETS));
    if (largest >= 0)
        out_printf(b, ", largest %lld octets", (long long)largest);
    if (top >= 0)
        out_printf(b, "\nTOP %lld 0: %lld octets",
                   (long long)fig(r, POP3CHECK_FIG_TOP_MSG), (long long)top);
    if (retr >= 0)
        out_printf(b, "\nRETR %lld: %lld octets",
                   (long long)fig(r, POP3CHECK_FIG_RETR_MSG), (long long)retr);
    if (uidl >= 0)
        out_printf(b, "\nUIDL: %lld entries", (long long)uidl);
    if (txt(r, POP3CHECK_TEXT_AGE)[0] != '\0')
        out_printf(b, "\nage: %s", txt(r, POP3CHECK_TEXT_AGE));
}

static void long_tls(struct outbuf *b, const struct pop3check_result *r)
{
    const char *version = txt(r, POP3CHECK_TEXT_TLS_VERSION);
    const int64_t not_after = fig(r, POP3CHECK_FIG_CERT_NOT_AFTER);
    char when[32] = "?";
    time_t t = (time_t)not_after;
    struct tm tm;

    if (fig(r, POP3CHECK_FIG_TLS) > 0)
        out_printf(b, "\nTLS: %s", version[0] ? version : "yes");
    if (not_after < 0)
        return;
    if (gmtime_r(&t, &tm) != NULL)
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    out_printf(b, "\ncertificate: expires %s (%.1f days left)", when,
               pop3check_result_cert_days_left(r));
}

static void long_server(struct outbuf *b, const struct pop3check_result *r)
{
    const char *server = txt(r, POP3CHECK_TEXT_SERVER);
    const enum pop3check_rcode rcode = pop3check_result_rcode(r);

    if (server[0])
        out_printf(b, "\nserver said: -ERR %s", server);
    if (rcode != POP3CHECK_RCODE_NONE)
        out_printf(b, " (response code %s)", pop3check_rcode_name(rcode));
}

void render_output(struct outbuf *b, const struct plugin_opts *o,
                   const struct pop3check_result *r, enum pop3check_state state,
                   const char *why)
{
    out_printf(b, "POP3 %s - ", pop3check_state_name(state));
    summary(b, o, r, why ? why : "");
    out_printf(b, " | ");
    perf_phases(b, o, r);
    perf_mailbox(b, o, r);
    if (trip_is(r))
        trip_perf(b, r);
    if (o->verbose > 0) {
        long_phases(b, r);
        long_greeting(b, r);
        long_login(b, o, r);
        long_mailbox(b, r);
        long_tls(b, r);
        long_server(b, r);
        if (trip_is(r))
            trip_long(b, o, r);
    }
    out_printf(b, "\n");
}
