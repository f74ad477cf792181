/* SPDX-License-Identifier: MIT */
/* tripout.c - a round trip as check_pop3 prints it: where the probe went
 * in and came out, its delivery time beside the poll interval (the
 * resolution of that time), how many polls and stale probes. */
#define _DEFAULT_SOURCE
#include <string.h>
#include <time.h>

#include "tripout.h"

static int64_t fig(const struct pop3check_result *r, enum pop3check_figure f)
{
    return pop3check_result_figure(r, f);
}

static double seconds(const struct pop3check_result *r, enum pop3check_phase p)
{
    return (double)pop3check_result_phase_us(r, p) / 1e6;
}

int trip_is(const struct pop3check_result *r)
{
    return fig(r, POP3CHECK_FIG_POLL_MS) > 0;
}

static void smtp_where(struct outbuf *b, const struct plugin_opts *o)
{
    const char *host =
        pop3check_options_get_str(o->probe, POP3CHECK_OPT_SMTP_HOST);
    long port = 0;

    if (host == NULL)
        host = "";
    pop3check_options_get_long(o->probe, POP3CHECK_OPT_SMTP_PORT, &port);
    out_printf(b, "%s%s%s:%ld", strchr(host, ':') ? "[" : "", host,
               strchr(host, ':') ? "]" : "", port);
}

void trip_summary(struct outbuf *b, const struct plugin_opts *o,
                  const struct pop3check_result *r)
{
    const int64_t polls = fig(r, POP3CHECK_FIG_POLLS);
    const int64_t stale = fig(r, POP3CHECK_FIG_STALE_CLEANED);
    const char *to = pop3check_options_get_str(o->probe, POP3CHECK_OPT_RCPT_TO);

    out_printf(b, "round trip ");
    smtp_where(b, o);
    out_printf(b, " to %s", to ? to : "?");
    if (pop3check_result_error(r) != POP3CHECK_E_OK) {
        out_printf(b, " %s", pop3check_result_text(r, POP3CHECK_TEXT_ERROR));
        return;
    }
    out_printf(b, ": delivered in %.3f s (polls every %.1f s: %lld poll%s)",
               seconds(r, POP3CHECK_PHASE_DELIVERY),
               (double)fig(r, POP3CHECK_FIG_POLL_MS) / 1000, (long long)polls,
               polls == 1 ? "" : "s");
    if (stale > 0)
        out_printf(b, ", %lld stale probe%s deleted", (long long)stale,
                   stale == 1 ? "" : "s");
}

void trip_perf(struct outbuf *b, const struct pop3check_result *r)
{
    out_perf(b, "delivered", (double)(fig(r, POP3CHECK_FIG_DELIVERED) > 0), 0,
             "", NULL, NULL, "0", "1");
    if (fig(r, POP3CHECK_FIG_POLLS) >= 0)
        out_perf(b, "polls", (double)fig(r, POP3CHECK_FIG_POLLS), 0, "", NULL,
                 NULL, "0", NULL);
    if (fig(r, POP3CHECK_FIG_STALE_CLEANED) >= 0)
        out_perf(b, "stale_cleaned",
                 (double)fig(r, POP3CHECK_FIG_STALE_CLEANED), 0, "c", NULL,
                 NULL, "0", NULL);
}

/* The Received: chain, a hop per line. */
static void hops(struct outbuf *b, const char *chain)
{
    size_t n;

    if (chain[0] == '\0')
        return;
    out_printf(b, "\nReceived: chain of the probe, oldest hop first:");
    while (chain[0] != '\0') {
        const char *sep = strstr(chain, "; ");
        n = sep ? (size_t)(sep - chain) : strlen(chain);
        out_printf(b, "\n  %.*s", (int)n, chain);
        chain += n + (sep ? 2 : 0);
    }
}

void trip_long(struct outbuf *b, const struct plugin_opts *o,
               const struct pop3check_result *r)
{
    const char *server = pop3check_result_text(r, POP3CHECK_TEXT_SMTP_SERVER);
    const int64_t code = fig(r, POP3CHECK_FIG_SMTP_CODE);
    const int64_t at = fig(r, POP3CHECK_FIG_SUBMITTED_AT);

    out_printf(b, "\nsubmission: ");
    smtp_where(b, o);
    out_printf(b, "%s, probe %s",
               fig(r, POP3CHECK_FIG_SMTP_TLS) > 0 ? " (TLS)" : " (no TLS)",
               pop3check_result_text(r, POP3CHECK_TEXT_PROBE_ID));
    if (code >= 0)
        out_printf(b, ", last reply %lld %s", (long long)code,
                   pop3check_result_text(r, POP3CHECK_TEXT_SMTP_ENHANCED));
    if (at >= 0) {
        time_t t = (time_t)(at / 1000);
        struct tm tm;
        if (gmtime_r(&t, &tm) != NULL)
            out_printf(b, ", taken at %04d-%02d-%02d %02d:%02d:%02d.%03dZ",
                       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                       tm.tm_min, tm.tm_sec, (int)(at % 1000));
    }
    if (server[0])
        out_printf(b, "\nSMTP server said: %s", server);
    out_printf(b,
               "\npolls: %lld, headers read: %lld, stale probes deleted: "
               "%lld",
               (long long)fig(r, POP3CHECK_FIG_POLLS),
               (long long)fig(r, POP3CHECK_FIG_HEADERS_READ),
               (long long)fig(r, POP3CHECK_FIG_STALE_CLEANED));
    hops(b, pop3check_result_text(r, POP3CHECK_TEXT_RECEIVED));
}
