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

static const char *range_text(const struct pop3check_range *r)
{
    return r->set ? r->text : NULL;
}

static void perf_phases(struct outbuf *b, const struct plugin_opts *o,
                        const struct pop3check_result *r)
{
    const struct pop3check_thresholds *t = &o->thr;
    char label[32];

    out_perf(b, "time", r->phase_us[POP3CHECK_PHASE_TOTAL] / 1e6, 6, "s",
             range_text(&t->phase_warn[POP3CHECK_PHASE_TOTAL]),
             range_text(&t->phase_crit[POP3CHECK_PHASE_TOTAL]), "0", NULL);
    for (int p = 0; p < POP3CHECK_PHASE_TOTAL; p++) {
        if (r->phase_us[p] < 0)
            continue;
        snprintf(label, sizeof label, "time_%s", pop3check_phase_name(p));
        out_perf(b, label, r->phase_us[p] / 1e6, 6, "s",
                 range_text(&t->phase_warn[p]), range_text(&t->phase_crit[p]),
                 "0", NULL);
    }
}

static void perf_mailbox(struct outbuf *b, const struct plugin_opts *o,
                         const struct pop3check_result *r)
{
    const struct pop3check_thresholds *t = &o->thr;

    if (r->messages >= 0)
        out_perf(b, "messages", (double)r->messages, 0, "",
                 range_text(&t->messages_warn), range_text(&t->messages_crit),
                 "0", NULL);
    if (r->octets >= 0)
        out_perf(b, "size", (double)r->octets, 0, "B",
                 range_text(&t->octets_warn), range_text(&t->octets_crit), "0",
                 NULL);
    if (r->largest >= 0)
        out_perf(b, "largest", (double)r->largest, 0, "B", NULL, NULL, "0",
                 NULL);
    if (r->top_octets >= 0)
        out_perf(b, "top_size", (double)r->top_octets, 0, "B", NULL, NULL, "0",
                 NULL);
    if (r->retr_octets >= 0)
        out_perf(b, "retr_size", (double)r->retr_octets, 0, "B", NULL, NULL,
                 "0", NULL);
    if (r->cert_not_after >= 0)
        out_perf(b, "cert_days", pop3check_cert_days_left(r), 1, "",
                 o->cert_warn[0] ? o->cert_warn : NULL,
                 o->cert_crit[0] ? o->cert_crit : NULL, NULL, NULL);
}

static void summary(struct outbuf *b, const struct plugin_opts *o,
                    const struct pop3check_result *r, const char *why)
{
    const char *host = o->probe.host;
    int v6 = strchr(host, ':') != NULL;
    unsigned port = o->probe.port;

    if (port == 0)
        port = o->probe.tls == POP3CHECK_TLS_IMPLICIT ? 995 : 110;
    out_printf(b, "%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "", port);
    if (r->tls && r->tls_version[0])
        out_printf(b, " (%s)", r->tls_version);
    if (r->error != POP3CHECK_E_OK) {
        out_printf(b, " %s", r->error_text);
    } else if (r->logged_in) {
        out_printf(b, " login ok, %lld message%s (%lld B)",
                   (long long)r->messages, r->messages == 1 ? "" : "s",
                   (long long)r->octets);
    } else {
        out_printf(b, " \"+OK %s\"", r->greeting);
    }
    out_printf(b, " in %.3f s", r->phase_us[POP3CHECK_PHASE_TOTAL] / 1e6);
    /* why starts with the error text when the failure set the state. */
    if (r->error != POP3CHECK_E_OK &&
        strncmp(why, r->error_text, strlen(r->error_text)) == 0) {
        why += strlen(r->error_text);
        why += strspn(why, ", ");
    }
    if (why[0] != '\0')
        out_printf(b, "%s%s", r->error != POP3CHECK_E_OK ? "; " : ": ", why);
}

static void long_phases(struct outbuf *b, const struct pop3check_result *r)
{
    for (int p = 0; p < POP3CHECK_PHASE_COUNT; p++) {
        out_printf(b, "\n%-9s ", pop3check_phase_name(p));
        if (r->phase_us[p] >= 0)
            out_printf(b, "%.6f s", r->phase_us[p] / 1e6);
        else
            out_printf(b, "not performed");
        if (r->error != POP3CHECK_E_OK && r->failed_phase == (unsigned)p)
            out_printf(b, "  <- failed: %s", pop3check_error_name(r->error));
    }
}

static void long_session(struct outbuf *b, const struct plugin_opts *o,
                         const struct pop3check_result *r)
{
    if (r->peer_ip[0])
        out_printf(b, "\nconnected to %s port %u (IPv%d)", r->peer_ip,
                   r->peer_port, r->ip_version);
    if (r->greeting[0])
        out_printf(b, "\ngreeting: +OK %s", r->greeting);
    if (r->capa & POP3CHECK_CAPA_KNOWN)
        out_printf(b, "\ncapabilities: %s", r->capa_text);
    else if (r->phase_us[POP3CHECK_PHASE_CAPA] >= 0)
        out_printf(b, "\ncapabilities: the server does not answer CAPA");
    if (r->capa & POP3CHECK_CAPA_APOP)
        out_printf(b, "\nAPOP offered (timestamp in the greeting)");
    if (o->probe.user != NULL && r->phase_us[POP3CHECK_PHASE_AUTH] >= 0)
        out_printf(b, "\nlogin: %s as %s, %s%s",
                   pop3check_auth_name(r->auth_used), o->probe.user,
                   r->logged_in ? "accepted" : "refused",
                   r->tls ? "" : " (credentials sent without TLS)");
    if (r->messages >= 0)
        out_printf(b, "\nmailbox: %lld messages, %lld octets",
                   (long long)r->messages, (long long)r->octets);
    if (r->largest >= 0)
        out_printf(b, ", largest %lld octets", (long long)r->largest);
    if (r->top_octets >= 0)
        out_printf(b, "\nTOP %ld 0: %lld octets", r->top_msg,
                   (long long)r->top_octets);
    if (r->retr_octets >= 0)
        out_printf(b, "\nRETR %ld: %lld octets", r->retr_msg,
                   (long long)r->retr_octets);
    if (r->uidl_count >= 0)
        out_printf(b, "\nUIDL: %lld entries", (long long)r->uidl_count);
}

static void long_tls(struct outbuf *b, const struct pop3check_result *r)
{
    char when[32] = "?";
    time_t t = (time_t)r->cert_not_after;
    struct tm tm;

    if (r->tls)
        out_printf(b, "\nTLS: %s", r->tls_version[0] ? r->tls_version : "yes");
    if (r->cert_not_after < 0)
        return;
    if (gmtime_r(&t, &tm) != NULL)
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    out_printf(b, "\ncertificate: expires %s (%.1f days left)", when,
               pop3check_cert_days_left(r));
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
    if (o->verbose > 0) {
        long_phases(b, r);
        long_session(b, o, r);
        long_tls(b, r);
        if (r->server_text[0])
            out_printf(b, "\nserver said: -ERR %s", r->server_text);
        if (r->rcode != POP3CHECK_RCODE_NONE)
            out_printf(b, " (response code %s)",
                       pop3check_rcode_name(r->rcode));
    }
    out_printf(b, "\n");
}
