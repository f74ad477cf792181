/* SPDX-License-Identifier: MIT */
/* history.c - a ring of the last probes answered on /probe and the status
 * page that lists them, one bar per phase (a round trip's submission and
 * delivery also as text), with a link to each log. */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history.h"

void p3x_log_trace(void *ctx, enum pop3check_trace_dir dir, const char *line,
                   size_t len)
{
    static const char *const prefix[] = {"C: ", "S: ", "* "};
    struct p3x_log *l = ctx;
    const char *pre = prefix[(unsigned)dir % 3];
    size_t pl = strlen(pre);
    size_t need = l->len + pl + len + 2; /* prefix, line, "\n", NUL */

    if (l->truncated)
        return;
    if (need > P3X_LOG_MAX) {
        l->truncated = 1;
        return;
    }
    if (need > l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 512;
        while (cap < need)
            cap *= 2;
        if (cap > P3X_LOG_MAX)
            cap = P3X_LOG_MAX;
        char *t = realloc(l->text, cap);
        if (t == NULL) {
            l->truncated = 1;
            return;
        }
        l->text = t;
        l->cap = cap;
    }
    memcpy(l->text + l->len, pre, pl);
    memcpy(l->text + l->len + pl, line, len);
    l->len += pl + len;
    l->text[l->len++] = '\n';
    l->text[l->len] = '\0';
}

void p3x_log_free(struct p3x_log *l)
{
    free(l->text);
    memset(l, 0, sizeof *l);
}

unsigned long p3x_history_add(struct p3x_history *h, const char *target,
                              const char *module,
                              const struct pop3check_result *r,
                              enum pop3check_state state,
                              const struct p3x_log *log)
{
    unsigned long id = h->next_id + 1;
    struct p3x_history_entry *e = &h->e[id % P3X_HISTORY_SIZE];

    if (e->result == NULL && (e->result = pop3check_result_new()) == NULL)
        return 0;
    if (pop3check_result_copy(e->result, r) != 0)
        return 0;
    h->next_id = id;
    e->id = id;
    snprintf(e->target, sizeof e->target, "%s", target);
    snprintf(e->module, sizeof e->module, "%s", module);
    e->state = state;
    p3x_log_free(&e->log);
    if (log != NULL && log->len > 0 &&
        (e->log.text = malloc(log->len + 1)) != NULL) {
        memcpy(e->log.text, log->text, log->len + 1);
        e->log.len = e->log.cap = log->len;
        e->log.truncated = log->truncated;
    }
    return id;
}

void p3x_history_clear(struct p3x_history *h)
{
    for (size_t i = 0; i < P3X_HISTORY_SIZE; i++) {
        p3x_log_free(&h->e[i].log);
        pop3check_result_free(h->e[i].result);
        h->e[i].result = NULL;
        h->e[i].id = 0;
    }
}

const struct p3x_history_entry *p3x_history_find(const struct p3x_history *h,
                                                 unsigned long id)
{
    const struct p3x_history_entry *e = &h->e[id % P3X_HISTORY_SIZE];

    return id != 0 && e->id == id ? e : NULL;
}

/* ---- HTML ---- */

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

/* Text from servers and users goes through here: <, >, &, " escaped. */
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
        default:
            put(p, "%c", *s);
        }
    }
}

static void put_bars(struct page *p, const struct pop3check_result *r)
{
    static const char *const colours[] = {"#8dd3c7", "#bebada", "#fb8072",
                                          "#80b1d3", "#fdb462", "#b3de69"};
    const double total =
        (double)pop3check_result_phase_us(r, POP3CHECK_PHASE_TOTAL);
    const int nphases = pop3check_phase_count();

    put(p, "<div class=bar>");
    for (int ph = 0; ph < nphases && total > 0; ph++) {
        const char *name = pop3check_phase_name((enum pop3check_phase)ph);
        const int64_t us =
            pop3check_result_phase_us(r, (enum pop3check_phase)ph);
        if (ph == POP3CHECK_PHASE_TOTAL || name == NULL || us <= 0)
            continue;
        put(p,
            "<span style=\"width:%.2f%%;background:%s\" title=\"%s %.6f "
            "s\"></span>",
            100.0 * (double)us / total, colours[ph % 6], name,
            (double)us / 1e6);
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
        put(p, "%sdelivery %.3f s (%lld poll%s)", sep, (double)delivery / 1e6,
            (long long)polls, polls == 1 ? "" : "s");
    else if (polls > 0)
        put(p, "%snot delivered (%lld poll%s)", sep, (long long)polls,
            polls == 1 ? "" : "s");
    put(p, "</div>");
}

static void put_entry(struct page *p, const struct p3x_history_entry *e)
{
    const struct pop3check_result *r = e->result;
    const enum pop3check_error err = pop3check_result_error(r);
    const int64_t started =
        pop3check_result_figure(r, POP3CHECK_FIG_STARTED_AT);
    char when[32] = "";
    time_t t = (time_t)(started < 0 ? 0 : started);
    struct tm tm;

    if (gmtime_r(&t, &tm) != NULL)
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    put(p, "<tr><td>%s</td><td>", when);
    put_text(p, e->target);
    put(p, "</td><td>");
    put_text(p, e->module);
    put(p, "</td><td class=%s>%s</td><td>", err ? "bad" : "good",
        err ? pop3check_error_name(err) : "success");
    put_text(p, err ? pop3check_result_text(r, POP3CHECK_TEXT_ERROR) : "");
    put(p, "</td><td>%.3f s",
        (double)pop3check_result_phase_us(r, POP3CHECK_PHASE_TOTAL) / 1e6);
    put_bars(p, r);
    put_trip(p, r);
    put(p, "</td><td><a href=\"/logs?id=%lu\">log</a></td></tr>\n", e->id);
}

char *p3x_history_html(const struct p3x_history *h, size_t *len)
{
    struct page p = {0};

    put(&p, "<!DOCTYPE html>\n<html><head><meta charset=utf-8>"
            "<title>pop3_exporter</title><style>"
            "body{font-family:sans-serif}td{padding:2px 8px}"
            ".bar{width:200px;height:8px;display:flex;background:#eee}"
            ".bar span{display:block;height:8px}"
            ".good{color:green}.bad{color:#b00}"
            ".trip{font-size:smaller;color:#555}</style></head><body>"
            "<h1>pop3_exporter " POP3CHECK_VERSION "</h1>"
            "<p><a href=\"/metrics\">Metrics</a> &middot; probe with "
            "<code>/probe?target=HOST[:PORT]&amp;module=NAME</code> "
            "(<code>&amp;debug=true</code> for its log)</p>"
            "<h2>Recent probes</h2><table><tr><th>started (UTC)</th>"
            "<th>target</th><th>module</th><th>result</th><th>error</th>"
            "<th>duration per phase</th><th></th></tr>\n");
    for (unsigned long i = 0; i < P3X_HISTORY_SIZE; i++) {
        unsigned long id = h->next_id - i;
        const struct p3x_history_entry *e = p3x_history_find(h, id);
        if (id == 0 || e == NULL)
            break;
        put_entry(&p, e);
    }
    put(&p, "</table></body></html>\n");
    if (p.oom) {
        free(p.buf);
        return NULL;
    }
    *len = p.len;
    return p.buf;
}
