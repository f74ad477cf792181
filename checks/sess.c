/* SPDX-License-Identifier: MIT */
/* sess.c - the steps every part of the POP3 dialog takes: queue a command
 * line, time a phase, record a failure (RFC 2449/3206 response codes
 * kept), leave with QUIT (RFC 1939: only QUIT ends a session cleanly). */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>

#include "sess.h"

void p3_sess_trace(struct p3_session *s, enum pop3check_trace_dir dir,
                   const char *line, size_t len)
{
    char clean[P3_LINE_MAX + 16];

    if (s->cfg.trace == NULL)
        return;
    p3_sanitise(clean, sizeof clean, line, len, s->secret);
    s->cfg.trace(s->cfg.trace_ctx, dir, clean, strlen(clean));
}

void p3_sess_send(struct p3_session *s, const char *line, const char *shown)
{
    size_t len = strlen(line);

    if (s->long_out != NULL) { /* unsent: the session is failing */
        explicit_bzero(s->long_out, s->out_len);
        free(s->long_out);
        s->long_out = NULL;
    }
    if (len + 2 > sizeof s->out)
        len = sizeof s->out - 2; /* options are length-checked: never */
    memcpy(s->out, line, len);
    memcpy(s->out + len, "\r\n", 2);
    s->out_len = len + 2;
    s->out_off = 0;
    if (s->out_len > s->out_peak)
        s->out_peak = s->out_len;
    shown = shown ? shown : line;
    p3_sess_trace(s, POP3CHECK_TRACE_SENT, shown, strlen(shown));
}

int p3_sess_send_base64(struct p3_session *s, const char *prefix,
                        const void *data, size_t len, const char *shown)
{
    size_t pl = prefix ? strlen(prefix) : 0;
    size_t need = pl + (len + 2) / 3 * 4 + 3; /* CRLF and the NUL */
    char *buf = s->out;

    if (need > sizeof s->out) {
        if ((buf = p3_malloc(need)) == NULL)
            return -1;
    }
    if (pl > 0)
        memcpy(buf, prefix, pl);
    p3_base64_encode(data, len, buf + pl, need - pl - 2);
    if (shown == NULL)
        shown = buf;
    p3_sess_trace(s, POP3CHECK_TRACE_SENT, shown, strlen(shown));
    s->out_len = strlen(buf) + 2;
    memcpy(buf + s->out_len - 2, "\r\n", 2);
    s->out_off = 0;
    if (buf != s->out) {
        s->long_out = buf;
    } else if (s->out_len > s->out_peak) {
        s->out_peak = s->out_len;
    }
    return 0;
}

void p3_sess_begin(struct p3_session *s, enum pop3check_phase phase,
                   enum p3_step step, int64_t now)
{
    s->phase = phase;
    s->step = step;
    s->phase_start = now;
}

void p3_sess_end_phase(struct p3_session *s, int64_t now)
{
    s->r->phase_us[s->phase] = now - s->phase_start;
}

void p3_sess_fail(struct p3_session *s, enum pop3check_error e,
                  const char *text, int64_t now)
{
    struct pop3check_result *r = s->r;

    if (r->error == POP3CHECK_E_OK) {
        r->error = e;
        r->failed_phase = s->phase;
        p3_sanitise(r->error_text, sizeof r->error_text, text, strlen(text),
                    s->secret);
        p3_sess_end_phase(s, now);
    }
    s->failed = 1;
    s->step = P3_S_DONE;
}

enum p3_sess_rc p3_sess_quit(struct p3_session *s, int64_t now)
{
    p3_sess_begin(s, POP3CHECK_PHASE_QUIT, P3_S_QUIT, now);
    p3_sess_send(s, "QUIT", NULL);
    return P3_SESS_CONTINUE;
}

enum p3_sess_rc p3_sess_refused(struct p3_session *s, enum pop3check_error e,
                                const char *what, const char *text, size_t len,
                                int64_t now)
{
    struct pop3check_result *r = s->r;
    char msg[512];

    p3_sanitise(r->server_text, sizeof r->server_text, text, len, s->secret);
    r->rcode = p3_reply_rcode(text, len);
    p3_format(msg, sizeof msg, "%s: -ERR %s", what, r->server_text);
    p3_sess_fail(s, e, msg, now);
    if (s->cfg.poll != NULL)
        return P3_SESS_FAILED; /* no QUIT: no DELE of this session counts */
    return p3_sess_quit(s, now);
}

enum p3_sess_rc p3_sess_bad_reply(struct p3_session *s, const char *what,
                                  const char *line, size_t len, int64_t now)
{
    char clean[160];
    char msg[300];

    p3_sanitise(clean, sizeof clean, line, len, s->secret);
    p3_format(msg, sizeof msg, "%s: unexpected reply \"%s\"", what, clean);
    p3_sess_fail(s, POP3CHECK_E_PROTOCOL, msg, now);
    return P3_SESS_FAILED;
}

const char *p3_sess_command(enum p3_step step)
{
    switch (step) {
    case P3_S_STAT:
        return "STAT";
    case P3_S_LIST:
        return "LIST";
    case P3_S_UIDL:
        return "UIDL";
    case P3_S_AGE:
    case P3_S_TOP:
        return "TOP";
    case P3_S_RETR:
        return "RETR";
    case P3_S_DELE:
        return "DELE";
    case P3_S_QUIT:
        return "QUIT";
    default:
        return "login";
    }
}
