/* SPDX-License-Identifier: MIT */
/* page.c - the status page: every scheduled target first (state, since
 * when, why, a history of its last probes, the phases of the last one,
 * links to its log and transcript), a legend, then the recent /probe
 * calls. One HTML document with its style inline: no script, no external
 * asset; a meta refresh reloads it. Every string that came from a server
 * or a config goes through put_text(). Narrow screens get each row as a
 * block of labelled lines instead of a table (no horizontal scroll). */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page.h"

struct page {
    char *buf;
    size_t len, cap;
    int oom;
};

static void put(struct page *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(struct page *p, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (p->oom)
        return;
    for (;;) {
        va_start(ap, fmt);
        /* No pointer arithmetic on the NULL of an empty page (UB). */
        n = vsnprintf(p->buf ? p->buf + p->len : NULL, p->cap - p->len, fmt,
                      ap);
        va_end(ap);
        if (n < 0) {
            p->oom = 1;
            return;
        }
        if ((size_t)n < p->cap - p->len)
            break;
        size_t cap = (p->cap + (size_t)n + 1) * 2;
        char *b = realloc(p->buf, cap);
        if (b == NULL) {
            p->oom = 1;
            return;
        }
        p->buf = b;
        p->cap = cap;
    }
    p->len += (size_t)n;
}

/* Text from servers and configs goes through here: <, >, &, " and '
 * escaped, so that it is text in an element and in a quoted attribute. */
static void put_text(struct page *p, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            put(p, "&lt;");
            break;
        case '>':
            put(p, "&gt;");
            break;
        case '&':
            put(p, "&amp;");
            break;
        case '"':
            put(p, "&quot;");
            break;
        case '\'':
            put(p, "&#39;");
            break;
        default:
            put(p, "%c", *s);
        }
    }
}

/* A query value: all but RFC 3986's unreserved characters %-encoded. */
static void put_query(struct page *p, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
            c == '~')
            put(p, "%c", c);
        else
            put(p, "%%%02X", c);
    }
}

static const char *state_class(enum pop3check_state st)
{
    static const char *const cls[] = {"ok", "warning", "critical", "unknown"};

    return cls[(unsigned)st & 3];
}

/* The state colours, as in the page's style (s-ok and so on). */
static const char *state_colour(enum pop3check_state st)
{
    static const char *const colour[] = {"#2e7d32", "#e0a000", "#c62828",
                                         "#7b1fa2"};

    return colour[(unsigned)st & 3];
}

/* A colour of its own for each phase: hues 47 degrees apart (47 and 360
 * have no common divisor, so no two of 360 phases share one), and three
 * lightnesses in turn, so that phases of close hues still differ. */
static void phase_colour(char *out, size_t len, int ph)
{
    snprintf(out, len, "hsl(%d,62%%,%d%%)", (ph * 47) % 360, 45 + ph % 3 * 12);
}

/* "2026-12-04 13:40:02 UTC" in a <time>, and how long ago. */
static void put_when(struct page *p, int64_t at, time_t now)
{
    char iso[32] = "", shown[32] = "";
    time_t t = (time_t)at;
    int64_t ago = (int64_t)now - at;
    struct tm tm;

    if (at <= 0 || gmtime_r(&t, &tm) == NULL) {
        put(p, "never");
        return;
    }
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
    strftime(shown, sizeof shown, "%Y-%m-%d %H:%M:%S UTC", &tm);
    put(p, "<time datetime=\"%s\">%s</time> <span class=ago>(", iso, shown);
    if (ago < 0)
        put(p, "%lld s ahead of this clock", (long long)-ago);
    else if (ago < 2)
        put(p, "just now");
    else if (ago < 120)
        put(p, "%lld s ago", (long long)ago);
    else if (ago < 7200)
        put(p, "%lld min ago", (long long)(ago / 60));
    else if (ago < 172800)
        put(p, "%lld h ago", (long long)(ago / 3600));
    else
        put(p, "%lld days ago", (long long)(ago / 86400));
    put(p, ")</span>");
}

/* The phases of one probe as parts of a bar, each as wide as its share
 * of the total; the legend names their colours. */
static void put_bars(struct page *p, const struct pop3check_result *r)
{
    const double total =
        (double)pop3check_result_phase_us(r, POP3CHECK_PHASE_TOTAL);
    const int nphases = pop3check_phase_count();
    char colour[32];

    put(p, "<div class=bar>");
    for (int ph = 0; ph < nphases && total > 0; ph++) {
        const char *name = pop3check_phase_name((enum pop3check_phase)ph);
        const int64_t us =
            pop3check_result_phase_us(r, (enum pop3check_phase)ph);
        if (ph == POP3CHECK_PHASE_TOTAL || name == NULL || us <= 0)
            continue;
        phase_colour(colour, sizeof colour, ph);
        put(p,
            "<span data-phase=%s style=\"width:%.2f%%;background:%s\" "
            "title=\"%s %.6f s\"></span>",
            name, 100.0 * (double)us / total, colour, name, (double)us / 1e6);
    }
    put(p, "</div>");
}

/* A round trip's submission phases and its delivery as text under the
 * bar (whose parts only say their names on hovering). */
static void put_trip(struct page *p, const struct pop3check_result *r)
{
    const int64_t polls = pop3check_result_figure(r, POP3CHECK_FIG_POLLS);
    const int64_t delivery =
        pop3check_result_phase_us(r, POP3CHECK_PHASE_DELIVERY);
    const char *sep = "";

    if (pop3check_result_figure(r, POP3CHECK_FIG_POLL_MS) <= 0)
        return;
    put(p, "<div class=trip>");
    for (int ph = POP3CHECK_PHASE_SMTP_RESOLVE;
         ph <= POP3CHECK_PHASE_SMTP_SUBMIT; ph++) {
        const int64_t us =
            pop3check_result_phase_us(r, (enum pop3check_phase)ph);
        if (us < 0)
            continue;
        put(p, "%s%s %.1f ms", sep,
            pop3check_phase_name((enum pop3check_phase)ph), (double)us / 1e3);
        sep = " &middot; ";
    }
    if (pop3check_result_figure(r, POP3CHECK_FIG_DELIVERED) == 1 &&
        delivery >= 0)
        put(p, "%s<span class=delivery>delivery %.3f s</span> (%lld poll%s)",
            sep, (double)delivery / 1e6, (long long)polls,
            polls == 1 ? "" : "s");
    else if (polls > 0)
        put(p, "%snot delivered (%lld poll%s)", sep, (long long)polls,
            polls == 1 ? "" : "s");
    put(p, "</div>");
}

/* The last probes of t, oldest first, as bars as high as their total
 * time (a round trip's delivery the darker part), in their state's
 * colour; each says what it was on hovering, and the line under it in
 * words. */
static void put_history(struct page *p, const struct p3x_sched_target *t)
{
    const unsigned long n = t->probes_total < P3X_SCHED_HISTORY
                                ? t->probes_total
                                : P3X_SCHED_HISTORY;
    const unsigned long first = t->probes_total - n;
    int64_t most = 0, most_delivery = -1;
    unsigned long count[4] = {0};

    for (unsigned long k = first; k < t->probes_total; k++) {
        const struct p3x_sched_point *pt = &t->hist[k % P3X_SCHED_HISTORY];
        if (pt->total_us > most)
            most = pt->total_us;
        if (pt->delivery_us > most_delivery)
            most_delivery = pt->delivery_us;
        count[(unsigned)pt->state & 3]++;
    }
    put(p,
        "<svg class=hist viewBox=\"0 0 %d 40\" preserveAspectRatio=none "
        "role=img aria-label=\"the last %lu probes\">",
        P3X_SCHED_HISTORY * 10, n);
    for (unsigned long k = first; k < t->probes_total; k++) {
        const struct p3x_sched_point *pt = &t->hist[k % P3X_SCHED_HISTORY];
        const double x = (double)(k - first) * 10;
        double h = most > 0 && pt->total_us > 0
                       ? 38.0 * (double)pt->total_us / (double)most
                       : 0;
        h = h < 2 ? 2 : h;
        char when[32] = "";
        time_t at = (time_t)pt->started;
        struct tm tm;
        if (pt->started > 0 && gmtime_r(&at, &tm) != NULL)
            strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
        put(p, "<g class=point data-state=%s><title>%s %s",
            pop3check_state_name(pt->state), when,
            pop3check_state_name(pt->state));
        if (pt->error != POP3CHECK_E_OK)
            put(p, " (%s)",
                pop3check_error_name(pt->error)
                    ? pop3check_error_name(pt->error)
                    : "error");
        if (pt->total_us >= 0)
            put(p, ", total %.3f s", (double)pt->total_us / 1e6);
        if (pt->delivery_us >= 0)
            put(p, ", delivery %.3f s", (double)pt->delivery_us / 1e6);
        put(p,
            "</title><rect x=\"%.0f\" y=\"%.2f\" width=\"8\" height=\"%.2f\" "
            "fill=\"%s\"/>",
            x, 40 - h, h, state_colour(pt->state));
        if (pt->delivery_us > 0 && most > 0) {
            double d = 38.0 * (double)pt->delivery_us / (double)most;
            d = d > h ? h : d;
            put(p,
                "<rect class=delivery x=\"%.0f\" y=\"%.2f\" width=\"8\" "
                "height=\"%.2f\" fill=\"#000\" fill-opacity=\"0.35\"/>",
                x, 40 - d, d);
        }
        put(p, "</g>");
    }
    put(p, "</svg><div class=note>last %lu: ", n);
    for (unsigned s = 0; s < 4; s++)
        if (count[s] > 0)
            put(p, "%lu %s, ", count[s],
                pop3check_state_name((enum pop3check_state)s));
    put(p, "longest %.3f s", (double)most / 1e6);
    if (most_delivery >= 0)
        put(p, ", slowest delivery %.3f s", (double)most_delivery / 1e6);
    put(p, "</div>");
}

static void put_target(struct page *p, const struct p3x_sched_target *t,
                       time_t now)
{
    const struct pop3check_result *r = t->last;

    put(p, "<tr class=target id=\"target-");
    put_text(p, t->name);
    put(p, "\" data-target=\"");
    put_text(p, t->name);
    put(p, "\" data-state=%s><td data-label=target><b>",
        t->have_result ? pop3check_state_name(t->state) : "PENDING");
    put_text(p, t->name);
    put(p, "</b><br><span class=host>");
    put_text(p, t->host);
    put(p, "</span> &middot; module <span class=module>");
    put_text(p, t->module);
    put(p, "</span></td>");
    if (!t->have_result) {
        put(p, "<td data-label=state><span class=\"state s-pending\">"
               "PENDING</span></td><td data-label=since colspan=5>waiting "
               "for its first probe</td></tr>\n");
        return;
    }
    put(p,
        "<td data-label=state><span class=\"state s-%s\">%s</span></td>"
        "<td data-label=since>",
        state_class(t->state), pop3check_state_name(t->state));
    put_when(p, t->since, now);
    put(p, "</td><td data-label=\"last error\" class=why>");
    if (t->reason[0] != '\0')
        put_text(p, t->reason);
    else
        put(p, "&mdash;");
    put(p, "</td><td data-label=\"last probes\">");
    put_history(p, t);
    put(p, "</td><td data-label=\"last probe\">");
    put_when(p, pop3check_result_figure(r, POP3CHECK_FIG_STARTED_AT), now);
    put(p, ", %.3f s",
        (double)pop3check_result_phase_us(r, POP3CHECK_PHASE_TOTAL) / 1e6);
    put_bars(p, r);
    put_trip(p, r);
    put(p, "</td><td data-label=logs><a class=log href=\"/logs?target=");
    put_query(p, t->name);
    put(p, "\">log</a> &middot; <a class=transcript href=\"/logs?target=");
    put_query(p, t->name);
    put(p, "&amp;view=transcript\">transcript</a></td></tr>\n");
}

static void put_targets(struct page *p, const struct p3x_schedule *s,
                        time_t now)
{
    unsigned long count[5] = {0};

    for (size_t i = 0; i < s->n; i++)
        count[s->t[i]->have_result ? (unsigned)s->t[i]->state & 3 : 4]++;
    put(p, "<section id=targets><h2>Scheduled targets (%zu)</h2>", s->n);
    if (s->n == 0) {
        put(p, "<p>None: the config has no <code>targets:</code>.</p>"
               "</section>\n");
        return;
    }
    put(p, "<p class=summary>");
    for (unsigned st = 0; st < 4; st++)
        put(p, "<span class=\"state s-%s\">%lu %s</span> ",
            state_class((enum pop3check_state)st), count[st],
            pop3check_state_name((enum pop3check_state)st));
    if (count[4] > 0)
        put(p, "<span class=\"state s-pending\">%lu PENDING</span>", count[4]);
    put(p, "</p><table class=list><thead><tr><th>target</th><th>state</th>"
           "<th>since</th><th>last error</th><th>last probes</th>"
           "<th>last probe</th><th>logs</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < s->n; i++)
        put_target(p, s->t[i], now);
    put(p, "</tbody></table></section>\n");
}

static void put_legend(struct page *p)
{
    const int nphases = pop3check_phase_count();
    char colour[32];

    put(p, "<section id=legend><h2>Legend</h2><p>Phases, in the bar of a "
           "probe as wide as their share of its time:</p><ul "
           "class=legend>");
    for (int ph = 0; ph < nphases; ph++) {
        const char *name = pop3check_phase_name((enum pop3check_phase)ph);
        if (ph == POP3CHECK_PHASE_TOTAL || name == NULL)
            continue;
        phase_colour(colour, sizeof colour, ph);
        put(p,
            "<li data-phase=%s><span class=sw style=\"background:%s\">"
            "</span>%s</li>",
            name, colour, name);
    }
    put(p, "</ul><p>Last probes: one bar each, oldest first, as high as its "
           "time, in the colour of its state:</p><ul class=legend>");
    for (unsigned st = 0; st < 4; st++)
        put(p,
            "<li data-state=%s><span class=sw style=\"background:%s\">"
            "</span>%s</li>",
            pop3check_state_name((enum pop3check_state)st),
            state_colour((enum pop3check_state)st),
            pop3check_state_name((enum pop3check_state)st));
    put(p, "<li data-delivery><span class=\"sw sw-delivery\"></span>darker: "
           "a round trip's delivery</li></ul></section>\n");
}

static void put_entry(struct page *p, const struct p3x_history_entry *e,
                      time_t now)
{
    const struct pop3check_result *r = e->result;
    const enum pop3check_error err = pop3check_result_error(r);

    put(p, "<tr class=probe data-state=%s><td data-label=started>",
        pop3check_state_name(e->state));
    put_when(p, pop3check_result_figure(r, POP3CHECK_FIG_STARTED_AT), now);
    put(p, "</td><td data-label=target>");
    put_text(p, e->target);
    put(p, "</td><td data-label=module>");
    put_text(p, e->module);
    put(p,
        "</td><td data-label=state><span class=\"state s-%s\">%s</span>%s%s"
        "</td><td data-label=why class=why>",
        state_class(e->state), pop3check_state_name(e->state), err ? " " : "",
        err ? pop3check_error_name(err) : "");
    if (e->reason[0] != '\0')
        put_text(p, e->reason);
    else
        put(p, "&mdash;");
    put(p, "</td><td data-label=time>%.3f s",
        (double)pop3check_result_phase_us(r, POP3CHECK_PHASE_TOTAL) / 1e6);
    put_bars(p, r);
    put_trip(p, r);
    put(p,
        "</td><td data-label=logs><a class=log href=\"/logs?id=%lu\">log</a> "
        "&middot; <a class=transcript href=\"/logs?id=%lu&amp;view="
        "transcript\">transcript</a></td></tr>\n",
        e->id, e->id);
}

static void put_recent(struct page *p, const struct p3x_history *h, time_t now)
{
    put(p, "<section id=recent><h2>Recent /probe calls</h2>");
    if (h->next_id == 0) {
        put(p, "<p>None since the exporter started.</p></section>\n");
        return;
    }
    put(p, "<table class=list><thead><tr><th>started</th><th>target</th>"
           "<th>module</th><th>state</th><th>why</th><th>time per phase"
           "</th><th>logs</th></tr></thead><tbody>\n");
    for (unsigned long i = 0; i < P3X_HISTORY_SIZE; i++) {
        unsigned long id = h->next_id - i;
        const struct p3x_history_entry *e = p3x_history_find(h, id);
        if (id == 0 || e == NULL)
            break;
        put_entry(p, e, now);
    }
    put(p, "</tbody></table><p>The last %d are kept.</p></section>\n",
        P3X_HISTORY_SIZE);
}

/* Every 30 s, or the shortest interval when shorter (at least 5 s). */
static int refresh_s(const struct p3x_schedule *s)
{
    int64_t ms = 30000;

    for (size_t i = 0; i < s->n; i++)
        if (s->t[i]->interval_ms < ms)
            ms = s->t[i]->interval_ms;
    return ms < 5000 ? 5 : (int)(ms / 1000);
}

static const char style[] =
    "body{font-family:sans-serif;margin:0 auto;padding:8px;max-width:1400px;"
    "color:#222}"
    "h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.4em}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{padding:4px 6px;text-align:left;vertical-align:top;"
    "border-bottom:1px solid #ddd;overflow-wrap:break-word}"
    ".why,.host,.trip{overflow-wrap:anywhere}"
    ".state,.ago,td[data-label=logs]{white-space:nowrap}"
    "code{overflow-wrap:anywhere}"
    ".state{display:inline-block;padding:1px 6px;border-radius:3px;"
    "color:#fff;font-weight:bold;font-size:.9em}"
    ".s-ok{background:#2e7d32}.s-warning{background:#e0a000;color:#222}"
    ".s-critical{background:#c62828}.s-unknown{background:#7b1fa2}"
    ".s-pending{background:#888}"
    ".ago,.host,.note,.trip{color:#555;font-size:.9em}"
    ".bar{width:100%;max-width:240px;height:10px;display:flex;"
    "overflow:hidden;background:#eee;margin-top:3px}"
    ".bar span{display:block;height:10px;flex:none}"
    ".hist{width:100%;max-width:300px;height:40px;background:#f4f4f4;"
    "display:block}"
    ".legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;"
    "gap:4px 14px}"
    ".sw{display:inline-block;width:12px;height:12px;margin-right:4px;"
    "vertical-align:middle}.sw-delivery{background:#555}"
    "@media (max-width:760px){table.list,table.list tbody,table.list tr,"
    "table.list td{display:block}table.list thead{display:none}"
    "table.list tr{border:1px solid #ccc;border-radius:4px;margin:0 0 8px;"
    "padding:4px}table.list td{border:none;padding:2px 4px}"
    "table.list td::before{content:attr(data-label) \": \";color:#555}}";

char *p3x_page_html(const struct p3x_schedule *s, const struct p3x_history *h,
                    time_t now, size_t *len)
{
    struct page p = {0};

    put(&p,
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content=\"width=device-width,initial-scale=1\">"
        "<meta http-equiv=refresh content=%d>"
        "<link rel=icon href=\"data:,\">"
        "<title>pop3_exporter</title><style>%s</style></head><body>"
        "<header><h1>pop3_exporter " POP3CHECK_VERSION "</h1><p>",
        refresh_s(s), style);
    put_when(&p, (int64_t)now, now);
    put(&p,
        "; this page reloads itself every %d s. <a href=\"/metrics\">"
        "Metrics</a> &middot; probe with <code>/probe?target=HOST[:PORT]"
        "&amp;module=NAME</code> (<code>&amp;debug=true</code> for its "
        "log)</p></header>\n",
        refresh_s(s));
    put_targets(&p, s, now);
    put_legend(&p);
    put_recent(&p, h, now);
    put(&p, "</body></html>\n");
    if (p.oom) {
        free(p.buf);
        return NULL;
    }
    *len = p.len;
    return p.buf;
}

/* ---- /logs ---- */

static void put_phases(struct page *p, const struct pop3check_result *r)
{
    const int nphases = pop3check_phase_count();
    const char *sep = "phases:";

    for (int ph = 0; ph < nphases; ph++) {
        const char *name = pop3check_phase_name((enum pop3check_phase)ph);
        const int64_t us =
            pop3check_result_phase_us(r, (enum pop3check_phase)ph);
        if (name == NULL || us < 0 || ph == POP3CHECK_PHASE_TOTAL)
            continue;
        put(p, "%s %s %.6f s", sep, name, (double)us / 1e6);
        sep = ",";
    }
    put(p, "%s total %.6f s\n", sep,
        (double)pop3check_result_phase_us(r, POP3CHECK_PHASE_TOTAL) / 1e6);
}

char *p3x_page_log(const char *what, const char *host, const char *module,
                   const struct pop3check_result *r, enum pop3check_state st,
                   const char *reason, const struct p3x_log *log,
                   int transcript, size_t *len)
{
    struct page p = {0};
    const enum pop3check_error err = pop3check_result_error(r);
    const int64_t started =
        pop3check_result_figure(r, POP3CHECK_FIG_STARTED_AT);
    const int64_t messages = pop3check_result_figure(r, POP3CHECK_FIG_MESSAGES);
    const char *text = log->text ? log->text : "";
    char when[40] = "";
    time_t t = (time_t)started;
    struct tm tm;

    if (started > 0 && gmtime_r(&t, &tm) != NULL)
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    put(&p, "%s of %s: %s (module %s), started %s\n",
        transcript ? "Transcript" : "Log", what, host, module,
        when[0] ? when : "never");
    if (transcript) {
        put(&p, "C: sent, S: received; secrets and message bodies left "
                "out\n\n");
        for (const char *l = text; *l;) {
            const char *nl = strchr(l, '\n');
            size_t n = nl ? (size_t)(nl - l) + 1 : strlen(l);
            if (strncmp(l, "C: ", 3) == 0 || strncmp(l, "S: ", 3) == 0)
                put(&p, "%.*s", (int)n, l);
            l += n;
        }
    } else {
        put(&p, "state: %s%s%s\n", pop3check_state_name(st),
            reason && reason[0] ? ": " : "", reason ? reason : "");
        if (err != POP3CHECK_E_OK) {
            const char *ph =
                pop3check_phase_name(pop3check_result_failed_phase(r));
            put(&p, "error: %s in phase %s\n",
                pop3check_error_name(err) ? pop3check_error_name(err) : "error",
                ph ? ph : "?");
        }
        put_phases(&p, r);
        if (messages >= 0)
            put(&p, "mailbox: %lld messages, %lld octets\n",
                (long long)messages,
                (long long)pop3check_result_figure(r, POP3CHECK_FIG_OCTETS));
        put(&p,
            "\n* what the probe did, C: sent, S: received; secrets and "
            "message bodies left out\n%s",
            text);
    }
    if (log->truncated)
        put(&p, "(log truncated at %d bytes)\n", P3X_LOG_MAX);
    if (p.oom) {
        free(p.buf);
        return NULL;
    }
    *len = p.len;
    return p.buf;
}
