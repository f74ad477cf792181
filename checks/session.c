/* SPDX-License-Identifier: MIT */
/* session.c - the POP3 dialog after the greeting (RFC 1939 USER/PASS,
 * APOP, STAT, LIST, UIDL, TOP, RETR, QUIT; RFC 5034 SASL AUTH) as a state
 * machine without I/O: bytes in, commands out, results into the result. */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "session.h"

static void trace(struct p3_session *s, enum pop3check_trace_dir dir,
                  const char *line, size_t len)
{
    char clean[P3_LINE_MAX + 16];

    if (s->cfg.trace == NULL)
        return;
    p3_sanitise(clean, sizeof clean, line, len, s->cfg.password);
    s->cfg.trace(s->cfg.trace_ctx, dir, clean, strlen(clean));
}

/* Queues a command line; shown shows it in the transcript (NULL: as is). */
static void send_line(struct p3_session *s, const char *line, const char *shown)
{
    size_t len = strlen(line);

    if (len + 2 > sizeof s->out)
        len = sizeof s->out - 2; /* options are length-checked: never */
    memcpy(s->out, line, len);
    memcpy(s->out + len, "\r\n", 2);
    s->out_len = len + 2;
    s->out_off = 0;
    trace(s, POP3CHECK_TRACE_SENT, shown ? shown : line,
          strlen(shown ? shown : line));
}

static void begin(struct p3_session *s, enum pop3check_phase phase,
                  enum p3_step step, int64_t now)
{
    s->phase = phase;
    s->step = step;
    s->phase_start = now;
}

static void end_phase(struct p3_session *s, int64_t now)
{
    s->r->phase_us[s->phase] = now - s->phase_start;
}

void p3_session_fail(struct p3_session *s, enum pop3check_error e,
                     const char *text, int64_t now)
{
    struct pop3check_result *r = s->r;

    if (r->error == POP3CHECK_E_OK) {
        r->error = e;
        r->failed_phase = s->phase;
        p3_sanitise(r->error_text, sizeof r->error_text, text, strlen(text),
                    s->cfg.password);
        end_phase(s, now);
    }
    s->failed = 1;
    s->step = P3_S_DONE;
}

/* A -ERR reply: remember the server's words, then leave politely. */
static enum p3_sess_rc refused(struct p3_session *s, enum pop3check_error e,
                               const char *what, const char *text, size_t len,
                               int64_t now)
{
    struct pop3check_result *r = s->r;
    char msg[512];

    p3_sanitise(r->server_text, sizeof r->server_text, text, len,
                s->cfg.password);
    r->rcode = p3_reply_rcode(text, len);
    p3_format(msg, sizeof msg, "%s: -ERR %s", what, r->server_text);
    p3_session_fail(s, e, msg, now);
    s->failed = 1;
    begin(s, POP3CHECK_PHASE_QUIT, P3_S_QUIT, now);
    send_line(s, "QUIT", NULL);
    return P3_SESS_CONTINUE;
}

static enum p3_sess_rc bad_reply(struct p3_session *s, const char *what,
                                 const char *line, size_t len, int64_t now)
{
    char clean[160];
    char msg[300];

    p3_sanitise(clean, sizeof clean, line, len, s->cfg.password);
    p3_format(msg, sizeof msg, "%s: unexpected reply \"%s\"", what, clean);
    p3_session_fail(s, POP3CHECK_E_PROTOCOL, msg, now);
    return P3_SESS_FAILED;
}

/* ---- commands after login ---- */

static long resolve_msg(const struct p3_session *s, long sel)
{
    if (sel == POP3CHECK_MSG_LAST)
        return s->r->messages > 0 ? (long)s->r->messages : 0;
    if (sel == POP3CHECK_MSG_FIRST && s->r->messages == 0)
        return 0; /* nothing to fetch in an empty maildrop */
    return sel;
}

/* Sends the next command the options ask for after the one in s->step. */
static enum p3_sess_rc next_command(struct p3_session *s, int64_t now)
{
    char cmd[64];
    long n;

    switch (s->step) {
    case P3_S_STAT:
        if (s->cfg.list) {
            begin(s, POP3CHECK_PHASE_LIST, P3_S_LIST, now);
            send_line(s, "LIST", NULL);
            return P3_SESS_CONTINUE;
        }
        /* fall through */
    case P3_S_LIST:
        if (s->cfg.uidl) {
            begin(s, POP3CHECK_PHASE_UIDL, P3_S_UIDL, now);
            send_line(s, "UIDL", NULL);
            return P3_SESS_CONTINUE;
        }
        /* fall through */
    case P3_S_UIDL:
        n = resolve_msg(s, s->cfg.top);
        if (n > 0) {
            s->r->top_msg = n;
            begin(s, POP3CHECK_PHASE_TOP, P3_S_TOP, now);
            p3_format(cmd, sizeof cmd, "TOP %ld 0", n);
            send_line(s, cmd, NULL);
            return P3_SESS_CONTINUE;
        }
        /* fall through */
    case P3_S_TOP:
        n = resolve_msg(s, s->cfg.retr);
        if (n > 0) {
            s->r->retr_msg = n;
            begin(s, POP3CHECK_PHASE_RETR, P3_S_RETR, now);
            p3_format(cmd, sizeof cmd, "RETR %ld", n);
            send_line(s, cmd, NULL);
            return P3_SESS_CONTINUE;
        }
        /* fall through */
    default:
        begin(s, POP3CHECK_PHASE_QUIT, P3_S_QUIT, now);
        send_line(s, "QUIT", NULL);
        return P3_SESS_CONTINUE;
    }
}

static enum p3_sess_rc after_login(struct p3_session *s, int64_t now)
{
    end_phase(s, now);
    s->r->logged_in = 1;
    begin(s, POP3CHECK_PHASE_STAT, P3_S_STAT, now);
    send_line(s, "STAT", NULL);
    return P3_SESS_CONTINUE;
}

/* The end of a LIST or UIDL scan listing. */
static enum p3_sess_rc listing_done(struct p3_session *s, int64_t now)
{
    struct pop3check_result *r = s->r;
    char msg[200];

    end_phase(s, now);
    if (s->step == P3_S_UIDL) {
        r->uidl_count = s->list_count;
        if (s->list_count != r->messages) {
            p3_format(msg, sizeof msg,
                      "UIDL lists %lld messages but STAT said %lld",
                      (long long)s->list_count, (long long)r->messages);
            p3_session_fail(s, POP3CHECK_E_PROTOCOL, msg, now);
            return P3_SESS_FAILED;
        }
        return next_command(s, now);
    }
    r->listed = s->list_count;
    if (s->list_count != r->messages || s->list_sum != r->octets) {
        p3_format(msg, sizeof msg,
                  "LIST shows %lld messages, %lld octets but STAT said "
                  "%lld, %lld",
                  (long long)s->list_count, (long long)s->list_sum,
                  (long long)r->messages, (long long)r->octets);
        p3_session_fail(s, POP3CHECK_E_PROTOCOL, msg, now);
        return P3_SESS_FAILED;
    }
    return next_command(s, now);
}

static enum p3_sess_rc listing_line(struct p3_session *s, const char *line,
                                    size_t len, int64_t now)
{
    int64_t num, size;
    int rc;

    if (len == 1 && line[0] == '.')
        return listing_done(s, now);
    if (len > 0 && line[0] == '.') {
        line++; /* dot-stuffed (RFC 1939, section 3) */
        len--;
    }
    rc = p3_parse_listing(line, len, &num, s->step == P3_S_LIST ? &size : NULL);
    if (rc != 0 || num != s->list_count + 1)
        return bad_reply(s, s->step == P3_S_LIST ? "LIST" : "UIDL", line, len,
                         now);
    s->list_count++;
    if (s->step == P3_S_LIST) {
        s->list_sum += size;
        if (size > s->r->largest)
            s->r->largest = size;
    }
    return P3_SESS_CONTINUE;
}

static enum p3_sess_rc stat_reply(struct p3_session *s, const char *text,
                                  size_t len, int64_t now)
{
    struct pop3check_result *r = s->r;

    if (p3_parse_stat(text, len, &r->messages, &r->octets) != 0) {
        r->messages = r->octets = -1;
        return bad_reply(s, "STAT", text, len, now);
    }
    end_phase(s, now);
    return next_command(s, now);
}

/* ---- replies ---- */

static const char *step_command(enum p3_step step)
{
    switch (step) {
    case P3_S_STAT:
        return "STAT";
    case P3_S_LIST:
        return "LIST";
    case P3_S_UIDL:
        return "UIDL";
    case P3_S_TOP:
        return "TOP";
    case P3_S_RETR:
        return "RETR";
    case P3_S_QUIT:
        return "QUIT";
    default:
        return "login";
    }
}

static enum p3_sess_rc command_status(struct p3_session *s, const char *line,
                                      size_t len, int64_t now)
{
    const char *text;
    size_t tlen;
    enum p3_status st = p3_reply_status(line, len, &text, &tlen);
    char what[64];

    if (st == P3_REPLY_ERR) {
        if (s->step == P3_S_QUIT) {
            /* Said once the rest went well; the first failure stays. */
            if (s->r->error == POP3CHECK_E_OK) {
                char msg[320];
                p3_sanitise(s->r->server_text, sizeof s->r->server_text, text,
                            tlen, s->cfg.password);
                s->r->rcode = p3_reply_rcode(text, tlen);
                p3_format(msg, sizeof msg, "QUIT refused: -ERR %s",
                          s->r->server_text);
                p3_session_fail(s, POP3CHECK_E_COMMAND, msg, now);
            } else {
                end_phase(s, now);
                s->step = P3_S_DONE;
            }
            return P3_SESS_FAILED;
        }
        if (s->step == P3_S_TOP || s->step == P3_S_RETR)
            p3_format(what, sizeof what, "%s %ld refused",
                      step_command(s->step),
                      s->step == P3_S_TOP ? s->r->top_msg : s->r->retr_msg);
        else
            p3_format(what, sizeof what, "%s refused", step_command(s->step));
        return refused(s, POP3CHECK_E_COMMAND, what, text, tlen, now);
    }
    if (st != P3_REPLY_OK)
        return bad_reply(s, step_command(s->step), line, len, now);
    switch (s->step) {
    case P3_S_STAT:
        return stat_reply(s, text, tlen, now);
    case P3_S_LIST:
    case P3_S_UIDL:
        s->in_listing = 1;
        s->list_count = s->list_sum = 0;
        if (s->step == P3_S_LIST)
            s->r->largest = 0; /* an empty maildrop has a largest of 0 */
        return P3_SESS_CONTINUE;
    case P3_S_TOP:
    case P3_S_RETR:
        s->in_body = 1;
        p3_body_init(&s->body);
        return P3_SESS_CONTINUE;
    default: /* QUIT */
        end_phase(s, now);
        s->step = P3_S_DONE;
        return s->failed ? P3_SESS_FAILED : P3_SESS_DONE;
    }
}

static enum p3_sess_rc handle_line(struct p3_session *s, const char *line,
                                   size_t len, int64_t now)
{
    if (s->in_listing) {
        if (s->cfg.trace != NULL)
            trace(s, POP3CHECK_TRACE_RECEIVED, line, len);
        enum p3_sess_rc rc = listing_line(s, line, len, now);
        if (len == 1 && line[0] == '.')
            s->in_listing = 0;
        return rc;
    }
    trace(s, POP3CHECK_TRACE_RECEIVED, line, len);
    if (s->step >= P3_S_STAT)
        return command_status(s, line, len, now);
    if (s->step == P3_S_DONE)
        return bad_reply(s, "after the last reply", line, len, now);
    return p3_auth_reply(s, line, len, now);
}

static enum p3_sess_rc body_done(struct p3_session *s, int64_t now)
{
    char note[64];

    end_phase(s, now);
    if (s->step == P3_S_TOP)
        s->r->top_octets = s->body.octets;
    else
        s->r->retr_octets = s->body.octets;
    p3_format(note, sizeof note, "(%lld octets)", (long long)s->body.octets);
    trace(s, POP3CHECK_TRACE_INFO, note, strlen(note));
    return next_command(s, now);
}

static enum p3_sess_rc line_bytes(struct p3_session *s, const char *d,
                                  size_t len, size_t *used, int64_t now)
{
    const char *nl = memchr(d, '\n', len);
    size_t n = nl ? (size_t)(nl - d) : len;

    *used = nl ? n + 1 : n;
    if (s->line_len + n > sizeof s->line) {
        p3_format(s->scratch, sizeof s->scratch,
                  "%s: reply line longer than %d bytes", step_command(s->step),
                  P3_LINE_MAX);
        p3_session_fail(s, POP3CHECK_E_PROTOCOL, s->scratch, now);
        return P3_SESS_FAILED;
    }
    memcpy(s->line + s->line_len, d, n);
    s->line_len += n;
    if (nl == NULL)
        return P3_SESS_CONTINUE;
    n = s->line_len;
    s->line_len = 0;
    if (n > 0 && s->line[n - 1] == '\r')
        n--;
    return handle_line(s, s->line, n, now);
}

enum p3_sess_rc p3_session_input(struct p3_session *s, const char *data,
                                 size_t len, int64_t now)
{
    size_t i = 0;

    if (len == 0) {
        p3_format(s->scratch, sizeof s->scratch,
                  "%s: server closed the connection", step_command(s->step));
        p3_session_fail(s, POP3CHECK_E_PROTOCOL, s->scratch, now);
        return P3_SESS_FAILED;
    }
    while (i < len) {
        size_t used;
        enum p3_sess_rc rc;

        if (s->step == P3_S_DONE || s->out_off < s->out_len)
            return bad_reply(s, step_command(s->step), data + i, len - i, now);
        if (s->in_body) {
            int done = 0;
            i += p3_body_scan(&s->body, data + i, len - i, &done);
            if (done) {
                s->in_body = 0;
                if ((rc = body_done(s, now)) != P3_SESS_CONTINUE)
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

/* ---- life cycle ---- */

struct p3_session *p3_session_new(const struct p3_sess_config *cfg,
                                  struct pop3check_result *r,
                                  const char *apop_ts, int64_t t0)
{
    struct p3_session *s = p3_calloc(1, sizeof *s);

    if (s == NULL)
        return NULL;
    s->cfg = *cfg;
    s->r = r;
    s->t0 = t0;
    p3_format(s->apop_ts, sizeof s->apop_ts, "%s", apop_ts ? apop_ts : "");
    s->step = P3_S_START;
    s->phase = POP3CHECK_PHASE_AUTH;
    return s;
}

void p3_session_free(struct p3_session *s)
{
    if (s == NULL)
        return;
    explicit_bzero(s, sizeof *s); /* out may hold a password */
    free(s);
}

enum p3_sess_rc p3_session_start(struct p3_session *s, int64_t now)
{
    if (s->cfg.user == NULL) {
        begin(s, POP3CHECK_PHASE_QUIT, P3_S_QUIT, now);
        send_line(s, "QUIT", NULL);
        return P3_SESS_CONTINUE;
    }
    return p3_auth_start(s, now);
}

size_t p3_session_pending(const struct p3_session *s, const char **buf)
{
    *buf = s->out + s->out_off;
    return s->out_len - s->out_off;
}

void p3_session_sent(struct p3_session *s, size_t n)
{
    s->out_off += n;
    if (s->out_off >= s->out_len) {
        explicit_bzero(s->out, sizeof s->out);
        s->out_off = s->out_len = 0;
    }
}

enum pop3check_phase p3_session_phase(const struct p3_session *s)
{
    return s->phase;
}

/* Used by auth.c. */
enum p3_sess_rc p3_sess_login_ok(struct p3_session *s, int64_t now)
{
    return after_login(s, now);
}

void p3_sess_send(struct p3_session *s, const char *line, const char *shown)
{
    send_line(s, line, shown);
}

void p3_sess_begin(struct p3_session *s, enum p3_step step, int64_t now)
{
    begin(s, POP3CHECK_PHASE_AUTH, step, now);
}

enum p3_sess_rc p3_sess_refused(struct p3_session *s, const char *what,
                                const char *text, size_t len, int64_t now)
{
    return refused(s, POP3CHECK_E_AUTH, what, text, len, now);
}

enum p3_sess_rc p3_sess_bad_reply(struct p3_session *s, const char *what,
                                  const char *line, size_t len, int64_t now)
{
    return bad_reply(s, what, line, len, now);
}
