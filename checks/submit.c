/* SPDX-License-Identifier: MIT */
/* submit.c - a round trip's message handed to the submission server (RFC
 * 5321 sections 3.3 and 4.1, RFC 6409): MAIL FROM, RCPT TO, DATA, the
 * message, QUIT. A refusal keeps the server's code, RFC 3463 enhanced code
 * and words, then says QUIT. Once the 250 after the data has come, the
 * message is the server's: what happens after it fails nothing. */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mail.h"
#include "submit.h"

enum step { S_MAIL, S_RCPT, S_DATA, S_BODY, S_QUIT, S_DONE };

struct p3_submit {
    const char *from, *to;
    struct pop3check_result *r;
    pop3check_trace_fn *trace;
    void *trace_ctx;
    enum step step;
    int failed;
    int accepted;
    int64_t start, accepted_at;
    char *msg;
    size_t msglen;
    const char *out; /* what is being sent: cmd or msg */
    size_t out_len, out_off;
    char cmd[600];
    char line[1024];
    size_t line_len;
};

static const char *const names[] = {"MAIL FROM",   "RCPT TO", "DATA",
                                    "the message", "QUIT",    "QUIT"};

struct p3_submit *p3_submit_new(const char *from, const char *to,
                                const char *message, size_t len,
                                struct pop3check_result *r,
                                pop3check_trace_fn *trace, void *trace_ctx)
{
    struct p3_submit *s = p3_calloc(1, sizeof *s);

    if (s == NULL || (s->msg = p3_malloc(len + 5)) == NULL) {
        free(s);
        return NULL;
    }
    memcpy(s->msg, message, len);
    memcpy(s->msg + len, ".\r\n", 3);
    s->msglen = len + 3;
    s->from = from;
    s->to = to;
    s->r = r;
    s->trace = trace;
    s->trace_ctx = trace_ctx;
    return s;
}

void p3_submit_free(struct p3_submit *s)
{
    if (s == NULL)
        return;
    free(s->msg);
    free(s);
}

static void trace(struct p3_submit *s, enum pop3check_trace_dir dir,
                  const char *line, size_t len)
{
    char clean[1100];

    if (s->trace == NULL)
        return;
    p3_sanitise(clean, sizeof clean, line, len, NULL);
    s->trace(s->trace_ctx, dir, clean, strlen(clean));
}

/* Sends pre, arg and post as one command line. */
static enum p3_sess_rc send_cmd(struct p3_submit *s, enum step step,
                                const char *pre, const char *arg,
                                const char *post)
{
    p3_format(s->cmd, sizeof s->cmd - 2, "%s%s%s", pre, arg, post);
    trace(s, POP3CHECK_TRACE_SENT, s->cmd, strlen(s->cmd));
    p3_append(s->cmd, sizeof s->cmd, "\r\n", 2);
    s->out = s->cmd;
    s->out_len = strlen(s->cmd);
    s->out_off = 0;
    s->step = step;
    return P3_SESS_CONTINUE;
}

static enum p3_sess_rc start(void *obj, int64_t now)
{
    struct p3_submit *s = obj;

    s->start = now;
    return send_cmd(s, S_MAIL, "MAIL FROM:<", s->from, ">");
}

static size_t pending(const void *obj, const char **buf)
{
    const struct p3_submit *s = obj;

    *buf = s->out + s->out_off;
    return s->out_len - s->out_off;
}

static void sent(void *obj, size_t n)
{
    struct p3_submit *s = obj;

    s->out_off += n;
}

static void fail(void *obj, enum pop3check_error e, const char *text,
                 int64_t now)
{
    struct p3_submit *s = obj;
    struct pop3check_result *r = s->r;

    if (!s->accepted && r->error == POP3CHECK_E_OK) {
        r->error = e;
        r->failed_phase = POP3CHECK_PHASE_SMTP_SUBMIT;
        p3_format(r->error_text, sizeof r->error_text, "%s: %s",
                  pop3check_phase_name(POP3CHECK_PHASE_SMTP_SUBMIT), text);
        r->phase_us[POP3CHECK_PHASE_SMTP_SUBMIT] = now - s->start;
    }
    s->failed = 1;
    s->step = S_DONE;
}

/* A refusal: the server's words are kept, then QUIT. */
static enum p3_sess_rc refused(struct p3_submit *s, const char *line,
                               size_t len, int64_t now)
{
    struct pop3check_result *r = s->r;
    char msg[400];

    p3_sanitise(r->smtp_server, sizeof r->smtp_server, line, len, NULL);
    p3_format(msg, sizeof msg, "%s refused: %s", names[s->step],
              r->smtp_server);
    fail(s, POP3CHECK_E_COMMAND, msg, now);
    return send_cmd(s, S_QUIT, "QUIT", "", "");
}

static enum p3_sess_rc reply(struct p3_submit *s, const char *line, size_t len,
                             int64_t now)
{
    struct p3_smtp_line sl;
    struct timespec ts;
    enum step step = s->step;

    if (p3_smtp_line_parse(line, len, &sl) != 0) {
        char msg[300], clean[160];
        p3_sanitise(clean, sizeof clean, line, len, NULL);
        p3_format(msg, sizeof msg, "%s: unexpected reply \"%s\"", names[step],
                  clean);
        fail(s, POP3CHECK_E_PROTOCOL, msg, now);
        return P3_SESS_FAILED;
    }
    if (!sl.last)
        return P3_SESS_CONTINUE;
    if (step == S_QUIT || step == S_DONE) {
        s->step = S_DONE;
        return s->failed ? P3_SESS_FAILED : P3_SESS_DONE;
    }
    s->r->smtp_code = sl.code;
    p3_format(s->r->smtp_enhanced, sizeof s->r->smtp_enhanced, "%s",
              sl.enhanced);
    if (step == S_DATA ? sl.code != 354 : sl.code / 100 != 2)
        return refused(s, line, len, now);
    switch (step) {
    case S_MAIL:
        return send_cmd(s, S_RCPT, "RCPT TO:<", s->to, ">");
    case S_RCPT:
        return send_cmd(s, S_DATA, "DATA", "", "");
    case S_DATA:
        trace(s, POP3CHECK_TRACE_INFO, "(the probe message)", 19);
        s->out = s->msg;
        s->out_len = s->msglen;
        s->out_off = 0;
        s->step = S_BODY;
        return P3_SESS_CONTINUE;
    default: /* S_BODY */
        clock_gettime(CLOCK_REALTIME, &ts);
        s->accepted = 1;
        s->accepted_at = now;
        s->r->submitted_at = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
        s->r->phase_us[POP3CHECK_PHASE_SMTP_SUBMIT] = now - s->start;
        return send_cmd(s, S_QUIT, "QUIT", "", "");
    }
}

static enum p3_sess_rc input(void *obj, const char *data, size_t len,
                             int64_t now)
{
    struct p3_submit *s = obj;

    if (len == 0) { /* closed: after the 250 that is only rude */
        if (s->accepted)
            return P3_SESS_DONE;
        fail(s, POP3CHECK_E_PROTOCOL, "the server closed the connection", now);
        return P3_SESS_FAILED;
    }
    for (size_t i = 0; i < len; i++) {
        if (data[i] != '\n') {
            if (s->line_len < sizeof s->line)
                s->line[s->line_len++] = data[i];
            continue;
        }
        size_t n = s->line_len;
        enum p3_sess_rc rc;
        s->line_len = 0;
        if (n > 0 && s->line[n - 1] == '\r')
            n--;
        trace(s, POP3CHECK_TRACE_RECEIVED, s->line, n);
        if (s->out_off < s->out_len && s->step != S_BODY) {
            fail(s, POP3CHECK_E_PROTOCOL, "reply before the command", now);
            return P3_SESS_FAILED;
        }
        if ((rc = reply(s, s->line, n, now)) != P3_SESS_CONTINUE)
            return rc;
    }
    return P3_SESS_CONTINUE;
}

const struct p3_dialog_ops p3_submit_ops = {start, pending, sent, input, fail};

int p3_submit_accepted(const struct p3_submit *s, int64_t *at)
{
    if (s->accepted && at != NULL)
        *at = s->accepted_at;
    return s->accepted;
}

enum pop3check_phase p3_submit_phase(const struct p3_submit *s)
{
    (void)s;
    return POP3CHECK_PHASE_SMTP_SUBMIT;
}
