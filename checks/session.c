/* SPDX-License-Identifier: MIT */
/* session.c - the POP3 dialog after the greeting (RFC 1939, 5034) as a
 * state machine without I/O: splits what the server sends into lines and
 * message bodies and hands each to the login (auth.c) or the commands
 * (commands.c). */
#define _DEFAULT_SOURCE
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "mailpoll.h"
#include "sess.h"

static enum p3_sess_rc handle_line(struct p3_session *s, const char *line,
                                   size_t len, int64_t now)
{
    enum p3_sess_rc rc;

    p3_sess_trace(s, POP3CHECK_TRACE_RECEIVED, line, len);
    if (s->in_listing) {
        rc = p3_sess_cmd_listing(s, line, len, now);
        if (len == 1 && line[0] == '.')
            s->in_listing = 0;
        return rc;
    }
    if (s->step == P3_S_DONE)
        return p3_sess_bad_reply(s, "after the last reply", line, len, now);
    if (s->step > P3_S_AUTHENTICATED)
        return p3_sess_cmd_reply(s, line, len, now);
    rc = p3_sess_auth_reply(s, line, len, now);
    if (rc == P3_SESS_CONTINUE && s->step == P3_S_AUTHENTICATED) {
        if (s->cfg.poll != NULL)
            s->cfg.poll->login_at = now; /* the maildrop's snapshot */
        return p3_sess_cmd_first(s, now);
    }
    return rc;
}

static enum p3_sess_rc line_bytes(struct p3_session *s, const char *d,
                                  size_t len, size_t *used, int64_t now)
{
    const char *nl = memchr(d, '\n', len);
    size_t n = nl ? (size_t)(nl - d) : len;

    *used = nl ? n + 1 : n;
    if (s->line_len + n > sizeof s->line) {
        p3_format(s->scratch, sizeof s->scratch,
                  "%s: reply line longer than %d bytes",
                  p3_sess_command(s->step), P3_LINE_MAX);
        p3_sess_fail(s, POP3CHECK_E_PROTOCOL, s->scratch, now);
        return P3_SESS_FAILED;
    }
    memcpy(s->line + s->line_len, d, n);
    s->line_len += n;
    if (s->line_len > s->line_peak)
        s->line_peak = s->line_len;
    if (nl == NULL)
        return P3_SESS_CONTINUE;
    n = s->line_len;
    s->line_len = 0;
    if (n > 0 && s->line[n - 1] == '\r')
        n--;
    return handle_line(s, s->line, n, now);
}

enum p3_sess_rc p3_sess_input(struct p3_session *s, const char *data,
                              size_t len, int64_t now)
{
    size_t i = 0;

    if (len == 0) {
        p3_format(s->scratch, sizeof s->scratch,
                  "%s: server closed the connection", p3_sess_command(s->step));
        p3_sess_fail(s, POP3CHECK_E_PROTOCOL, s->scratch, now);
        return P3_SESS_FAILED;
    }
    while (i < len) {
        size_t used;
        enum p3_sess_rc rc;

        if (s->step == P3_S_DONE || s->out_off < s->out_len)
            return p3_sess_bad_reply(s, p3_sess_command(s->step), data + i,
                                     len - i, now);
        if (s->in_headers) {
            rc = p3_sess_cmd_headers(s, data + i, len - i, &used, now);
            i += used;
            if (rc != P3_SESS_CONTINUE)
                return rc;
            continue;
        }
        if (s->in_body) {
            int done = 0;
            i += p3_body_scan(&s->body, data + i, len - i, &done);
            if (done) {
                s->in_body = 0;
                if ((rc = p3_sess_cmd_body_done(s, now)) != P3_SESS_CONTINUE)
                    return rc;
            }
            continue;
        }
        rc = line_bytes(s, data + i, len - i, &used, now);
        i += used;
        if (rc != P3_SESS_CONTINUE)
            return rc;
    }
    return P3_SESS_CONTINUE;
}

struct p3_session *p3_sess_new(const struct p3_sess_config *cfg,
                               struct pop3check_result *r, const char *apop_ts,
                               int64_t t0)
{
    struct p3_session *s = p3_malloc(sizeof *s);

    if (s == NULL)
        return NULL;
    memset(s, 0, offsetof(struct p3_session, line));
    s->cfg = *cfg;
    s->secret = cfg->password ? cfg->password : cfg->token;
    s->r = r;
    s->t0 = t0;
    p3_format(s->apop_ts, sizeof s->apop_ts, "%s", apop_ts ? apop_ts : "");
    s->step = P3_S_START;
    s->phase = POP3CHECK_PHASE_AUTH;
    return s;
}

void p3_sess_free(struct p3_session *s)
{
    if (s == NULL)
        return;
    p3_poll_free(s);
    p3_age_free(s);
    p3_sess_scram_free(s);
    if (s->long_out != NULL) {
        explicit_bzero(s->long_out, s->out_len);
        free(s->long_out);
    }
    /* out may hold a password, line what the server said */
    explicit_bzero(s->out, s->out_peak);
    explicit_bzero(s->line, s->line_peak);
    explicit_bzero(s, offsetof(struct p3_session, line));
    free(s);
}

enum p3_sess_rc p3_sess_start(struct p3_session *s, int64_t now)
{
    if (s->cfg.user == NULL)
        return p3_sess_quit(s, now);
    return p3_sess_auth_start(s, now);
}

size_t p3_sess_pending(const struct p3_session *s, const char **buf)
{
    *buf = (s->long_out ? s->long_out : s->out) + s->out_off;
    return s->out_len - s->out_off;
}

void p3_sess_sent(struct p3_session *s, size_t n)
{
    s->out_off += n;
    if (s->out_off >= s->out_len) {
        if (s->long_out != NULL) { /* it held the token */
            explicit_bzero(s->long_out, s->out_len);
            free(s->long_out);
            s->long_out = NULL;
        } else {
            explicit_bzero(s->out, s->out_len);
        }
        s->out_off = s->out_len = 0;
    }
}

enum pop3check_phase p3_sess_phase(const struct p3_session *s)
{
    return s->phase;
}
