/* SPDX-License-Identifier: MIT */
/* tracker.c - reads libcurl's debug stream during the connect phase, where
 * curl itself speaks POP3 (greeting, CAPA, STLS; RFC 1939, 2449, 2595),
 * to time each step and keep what the server said. */
#include <string.h>

#include "tracker.h"

void p3_tracker_init(struct p3_tracker *t, struct pop3check_result *r,
                     int64_t t0, pop3check_trace_fn *trace, void *ctx)
{
    memset(t, 0, sizeof *t);
    t->step = P3_TRK_GREETING;
    t->t0 = t0;
    t->greeting_at = -1;
    t->cmd_at = -1;
    t->capa_us = -1;
    t->stls_us = -1;
    t->tls_start = -1;
    t->tls_end = -1;
    t->tls_first = -1;
    t->r = r;
    t->trace = trace;
    t->trace_ctx = ctx;
}

/* Strips the line end curl leaves on debug data. */
static size_t chomp(const char *d, size_t n)
{
    while (n > 0 && (d[n - 1] == '\n' || d[n - 1] == '\r'))
        n--;
    return n;
}

static void emit(struct p3_tracker *t, enum pop3check_trace_dir dir,
                 const char *d, size_t n)
{
    char clean[P3_LINE_MAX];

    if (t->trace == NULL)
        return;
    p3_sanitise(clean, sizeof clean, d, n, NULL);
    t->trace(t->trace_ctx, dir, clean, strlen(clean));
}

static int starts(const char *d, size_t n, const char *word)
{
    size_t wl = strlen(word);

    return n >= wl && memcmp(d, word, wl) == 0;
}

static void on_text(struct p3_tracker *t, const char *d, size_t n)
{
    static const char tls[] = "SSL connection using ";
    const size_t tl = sizeof tls - 1;
    size_t sp = 0;

    if (starts(d, n, "reached "))
        return; /* libcurl's internal trace of curl_easy_recv */
    /* The multi handle is shared: before connecting, libcurl may close
     * another probe's dead connection and say so on this probe's stream
     * ("Closing connection 0" in 7.88, "closing connection #0" in 8.14). */
    if (starts(d, n, "Connection #") || starts(d, n, "Closing connection") ||
        starts(d, n, "closing connection"))
        return;
    while (sp < n && d[sp] == ' ')
        sp++;
    if (starts(d + sp, n - sp, "Trying "))
        t->connecting = 1;
    emit(t, POP3CHECK_TRACE_INFO, d, n);
    if (n > tl && memcmp(d, tls, tl) == 0) {
        size_t v = 0;
        while (tl + v < n && d[tl + v] != ' ' && d[tl + v] != '/')
            v++;
        p3_sanitise(t->r->tls_version, sizeof t->r->tls_version, d + tl, v,
                    NULL);
        t->r->tls = 1;
    }
}

static void on_command(struct p3_tracker *t, const char *d, size_t n,
                       int64_t now)
{
    emit(t, POP3CHECK_TRACE_SENT, d, n);
    if (t->step == P3_TRK_HANDSHAKE)
        t->tls_end = now;
    t->cmd_at = now;
    if (p3_word_eq(d, n, "CAPA")) {
        /* RFC 2595: forget what was learnt before TLS. */
        t->r->capa &= POP3CHECK_CAPA_APOP;
        t->r->sasl = 0;
        t->r->capa_text[0] = '\0';
        t->capa_lines = 0;
        t->step = P3_TRK_CAPA;
    } else if (p3_word_eq(d, n, "STLS")) {
        t->step = P3_TRK_STLS;
    } else {
        t->step = P3_TRK_IDLE;
    }
}

static void on_greeting(struct p3_tracker *t, const char *d, size_t n,
                        int64_t now)
{
    const char *text;
    size_t tl;

    t->greeting_at = now;
    t->step = P3_TRK_IDLE;
    /* libcurl fails on "-ERR" but waits for more on "220 ..." or garbage
     * (lines it does not take for a reply): the probe ends here. */
    if (p3_reply_status(d, n, &text, &tl) != P3_REPLY_OK) {
        t->bad_greeting = 1;
        return;
    }
    p3_sanitise(t->r->greeting, sizeof t->r->greeting, text, tl, NULL);
    if (p3_greeting_timestamp(text, tl, t->apop_ts, sizeof t->apop_ts) == 0)
        t->r->capa |= POP3CHECK_CAPA_APOP;
}

static void on_capa_line(struct p3_tracker *t, const char *d, size_t n,
                         int64_t now)
{
    struct pop3check_result *r = t->r;
    const char *text;
    size_t tl;

    if (t->capa_lines++ == 0) {
        t->capa_ok = p3_reply_status(d, n, &text, &tl) == P3_REPLY_OK;
        if (!t->capa_ok) {
            t->capa_us = (t->capa_us < 0 ? 0 : t->capa_us) + now - t->cmd_at;
            t->step = P3_TRK_IDLE;
        }
        return;
    }
    if (n == 1 && d[0] == '.') {
        t->capa_us = (t->capa_us < 0 ? 0 : t->capa_us) + now - t->cmd_at;
        r->capa |= POP3CHECK_CAPA_KNOWN;
        t->step = P3_TRK_IDLE;
        return;
    }
    p3_parse_capa_line(d, n, &r->capa, &r->sasl);
    if (r->capa_text[0] != '\0')
        p3_append(r->capa_text, sizeof r->capa_text, ", ", 2);
    char clean[128];
    p3_sanitise(clean, sizeof clean, d, n, NULL);
    p3_append(r->capa_text, sizeof r->capa_text, clean, strlen(clean));
}

static void on_reply(struct p3_tracker *t, const char *d, size_t n, int64_t now)
{
    const char *text;
    size_t tl;

    emit(t, POP3CHECK_TRACE_RECEIVED, d, n);
    if (t->bad_greeting)
        return; /* last_line keeps the greeting, for the message */
    p3_sanitise(t->last_line, sizeof t->last_line, d, n, NULL);
    switch (t->step) {
    case P3_TRK_GREETING:
        on_greeting(t, d, n, now);
        break;
    case P3_TRK_CAPA:
        on_capa_line(t, d, n, now);
        break;
    case P3_TRK_STLS:
        t->stls_us = now - t->cmd_at;
        if (p3_reply_status(d, n, &text, &tl) == P3_REPLY_OK) {
            t->step = P3_TRK_HANDSHAKE;
            t->tls_start = now;
        } else {
            t->step = P3_TRK_IDLE;
        }
        break;
    default:
        break;
    }
}

void p3_tracker_event(struct p3_tracker *t, int type, const char *data,
                      size_t size, int64_t now)
{
    size_t n = chomp(data, size);

    switch (type) {
    case 0: /* CURLINFO_TEXT */
        on_text(t, data, n);
        break;
    case 1: /* CURLINFO_HEADER_IN: one server line */
        on_reply(t, data, n, now);
        break;
    case 2: /* CURLINFO_HEADER_OUT: one command */
        on_command(t, data, n, now);
        break;
    case 6: /* CURLINFO_SSL_DATA_OUT: the TCP connection is up */
        if (t->tls_first < 0 && t->connecting)
            t->tls_first = now;
        break;
    default: /* payload and incoming TLS records: nothing to learn */
        break;
    }
}
