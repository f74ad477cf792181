/* SPDX-License-Identifier: MIT */
/* commands.c - the dialog after login (RFC 1939): STAT, then LIST, UIDL,
 * TOP n 0 and RETR n as the options ask, then QUIT; every reply checked
 * against what STAT said. Never DELE, but in a round trip's poll, whose
 * commands after STAT are polls.c's. */
#include <string.h>

#include "seen.h"
#include "sess.h"

static long resolve_msg(const struct p3_session *s, long sel)
{
    if (sel == POP3CHECK_MSG_LAST)
        return s->r->messages > 0 ? (long)s->r->messages : 0;
    if (sel == POP3CHECK_MSG_FIRST && s->r->messages == 0)
        return 0; /* nothing to fetch in an empty maildrop */
    return sel;
}

static enum p3_sess_rc command(struct p3_session *s, enum pop3check_phase ph,
                               enum p3_step step, const char *line, int64_t now)
{
    p3_sess_begin(s, ph, step, now);
    p3_sess_send(s, line, NULL);
    return P3_SESS_CONTINUE;
}

/* The first sightings after a UIDL listing (or an empty maildrop). */
static void first_seen(struct p3_session *s)
{
    int64_t oldest;
    size_t n;
    char note[120];

    if (s->r->messages <= 0)
        p3_seen_begin(s->cfg.seen);
    n = p3_seen_end(s->cfg.seen, &oldest);
    s->r->wait_tracked = (int64_t)n;
    s->r->longest_wait = oldest < 0               ? -1
                         : oldest < s->cfg.wall_s ? s->cfg.wall_s - oldest
                                                  : 0;
    if (p3_seen_dropped(s->cfg.seen) > 0) {
        p3_format(note, sizeof note,
                  "first sightings: %zu messages beyond the %d tracked",
                  p3_seen_dropped(s->cfg.seen), P3_SEEN_MAX);
        p3_sess_trace(s, POP3CHECK_TRACE_INFO, note, strlen(note));
    }
}

/* The age's next TOP n 0: 1 when queued, 0 when the age is read (or the
 * maildrop is empty), -1 when the probe failed. */
static int age(struct p3_session *s, int64_t now)
{
    int rc;

    if (s->r->messages <= 0) {
        s->r->age_read = s->r->age_undated = 0;
        p3_format(s->r->age_text, sizeof s->r->age_text,
                  "the maildrop is empty");
        return 0;
    }
    if ((rc = p3_age_next(s, now)) < 0)
        p3_sess_fail(s, POP3CHECK_E_INTERNAL, "out of memory", now);
    return rc;
}

/* Sends the next command the options ask for after the one in s->step. */
static enum p3_sess_rc next_command(struct p3_session *s, int64_t now)
{
    char cmd[64];
    long n;

    if (s->cfg.poll != NULL)
        return s->step == P3_S_STAT ? p3_poll_after_stat(s, now)
                                    : p3_poll_next(s, now);
    switch (s->step) {
    case P3_S_STAT:
        if (s->cfg.list)
            return command(s, POP3CHECK_PHASE_LIST, P3_S_LIST, "LIST", now);
        /* fall through */
    case P3_S_LIST:
        if (s->cfg.uidl || (s->cfg.seen != NULL && s->r->messages > 0))
            return command(s, POP3CHECK_PHASE_UIDL, P3_S_UIDL, "UIDL", now);
        if (s->cfg.seen != NULL) /* an empty maildrop: nothing waits */
            first_seen(s);
        /* fall through */
    case P3_S_UIDL:
    case P3_S_AGE:
        if (s->cfg.age && s->cfg.poll == NULL) {
            int rc = age(s, now);
            if (rc != 0)
                return rc > 0 ? P3_SESS_CONTINUE : P3_SESS_FAILED;
        }
        n = resolve_msg(s, s->cfg.top);
        if (n > 0) {
            s->r->top_msg = n;
            p3_format(cmd, sizeof cmd, "TOP %ld 0", n);
            return command(s, POP3CHECK_PHASE_TOP, P3_S_TOP, cmd, now);
        }
        /* fall through */
    case P3_S_TOP:
        n = resolve_msg(s, s->cfg.retr);
        if (n > 0) {
            s->r->retr_msg = n;
            p3_format(cmd, sizeof cmd, "RETR %ld", n);
            return command(s, POP3CHECK_PHASE_RETR, P3_S_RETR, cmd, now);
        }
        /* fall through */
    default:
        return p3_sess_quit(s, now);
    }
}

enum p3_sess_rc p3_sess_cmd_first(struct p3_session *s, int64_t now)
{
    return command(s, POP3CHECK_PHASE_STAT, P3_S_STAT, "STAT", now);
}

/* The end of a LIST or UIDL scan listing. */
static enum p3_sess_rc listing_done(struct p3_session *s, int64_t now)
{
    struct pop3check_result *r = s->r;
    char msg[200];

    p3_sess_end_phase(s, now);
    if (s->step == P3_S_UIDL) {
        r->uidl_count = s->list_count;
        if (s->list_count != r->messages) {
            p3_format(msg, sizeof msg,
                      "UIDL lists %lld messages but STAT said %lld",
                      (long long)s->list_count, (long long)r->messages);
            p3_sess_fail(s, POP3CHECK_E_PROTOCOL, msg, now);
            return P3_SESS_FAILED;
        }
        if (s->cfg.seen != NULL && s->cfg.poll == NULL)
            first_seen(s);
        return next_command(s, now);
    }
    r->listed = s->list_count;
    if (s->list_count != r->messages || s->list_sum != r->octets) {
        p3_format(msg, sizeof msg,
                  "LIST shows %lld messages, %lld octets but STAT said "
                  "%lld, %lld",
                  (long long)s->list_count, (long long)s->list_sum,
                  (long long)r->messages, (long long)r->octets);
        p3_sess_fail(s, POP3CHECK_E_PROTOCOL, msg, now);
        return P3_SESS_FAILED;
    }
    return next_command(s, now);
}

enum p3_sess_rc p3_sess_cmd_listing(struct p3_session *s, const char *line,
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
    if (s->cfg.poll != NULL && s->step == P3_S_UIDL)
        return p3_poll_uid(s, line, len, now);
    if (s->cfg.seen != NULL && s->step == P3_S_UIDL) {
        long n;
        const char *uid;
        size_t ulen;
        if (p3_parse_uid(line, len, &n, &uid, &ulen) != 0 ||
            n != s->list_count + 1)
            return p3_sess_bad_reply(s, "UIDL", line, len, now);
        if (s->list_count == 0)
            p3_seen_begin(s->cfg.seen);
        (void)p3_seen_mark(s->cfg.seen, uid, ulen, s->cfg.wall_s);
        s->list_count++;
        return P3_SESS_CONTINUE;
    }
    rc = p3_parse_listing(line, len, &num, s->step == P3_S_LIST ? &size : NULL);
    if (rc != 0 || num != s->list_count + 1)
        return p3_sess_bad_reply(s, p3_sess_command(s->step), line, len, now);
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
        return p3_sess_bad_reply(s, "STAT", text, len, now);
    }
    p3_sess_end_phase(s, now);
    return next_command(s, now);
}

/* -ERR to QUIT: said once the rest went well, so the first failure (if
 * any) stays the one reported. */
static enum p3_sess_rc quit_refused(struct p3_session *s, const char *text,
                                    size_t len, int64_t now)
{
    struct pop3check_result *r = s->r;
    char msg[320];

    if (r->error != POP3CHECK_E_OK) {
        p3_sess_end_phase(s, now);
        s->step = P3_S_DONE;
        return P3_SESS_FAILED;
    }
    p3_sanitise(r->server_text, sizeof r->server_text, text, len, s->secret);
    r->rcode = p3_reply_rcode(text, len);
    p3_format(msg, sizeof msg, "QUIT refused: -ERR %s", r->server_text);
    p3_sess_fail(s, POP3CHECK_E_COMMAND, msg, now);
    return P3_SESS_FAILED;
}

static enum p3_sess_rc command_refused(struct p3_session *s, const char *text,
                                       size_t len, int64_t now)
{
    char what[64];

    if (s->step == P3_S_QUIT)
        return quit_refused(s, text, len, now);
    if (s->cfg.poll != NULL && (s->step == P3_S_TOP || s->step == P3_S_DELE))
        p3_format(what, sizeof what, "%s refused", p3_sess_command(s->step));
    else if (s->step == P3_S_AGE)
        p3_format(what, sizeof what,
                  "TOP %ld 0 (for the age of messages) refused", p3_age_msg(s));
    else if (s->step == P3_S_TOP || s->step == P3_S_RETR)
        p3_format(what, sizeof what, "%s %ld refused", p3_sess_command(s->step),
                  s->step == P3_S_TOP ? s->r->top_msg : s->r->retr_msg);
    else
        p3_format(what, sizeof what, "%s refused", p3_sess_command(s->step));
    return p3_sess_refused(s, POP3CHECK_E_COMMAND, what, text, len, now);
}

enum p3_sess_rc p3_sess_cmd_reply(struct p3_session *s, const char *line,
                                  size_t len, int64_t now)
{
    const char *text;
    size_t tlen;
    enum p3_status st = p3_reply_status(line, len, &text, &tlen);

    if (st == P3_REPLY_ERR)
        return command_refused(s, text, tlen, now);
    if (st != P3_REPLY_OK)
        return p3_sess_bad_reply(s, p3_sess_command(s->step), line, len, now);
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
    case P3_S_AGE:
        s->in_headers = 1;
        return P3_SESS_CONTINUE;
    case P3_S_TOP:
        if (s->cfg.poll != NULL) {
            s->in_headers = 1;
            return P3_SESS_CONTINUE;
        }
        /* fall through */
    case P3_S_RETR:
        s->in_body = 1;
        p3_body_init(&s->body);
        return P3_SESS_CONTINUE;
    case P3_S_DELE:
        return p3_poll_dele_ok(s, now);
    default: /* QUIT */
        p3_sess_end_phase(s, now);
        s->step = P3_S_DONE;
        if (s->cfg.poll != NULL && !s->failed)
            p3_poll_quit_ok(s);
        return s->failed ? P3_SESS_FAILED : P3_SESS_DONE;
    }
}

enum p3_sess_rc p3_sess_cmd_headers(struct p3_session *s, const char *d,
                                    size_t len, size_t *used, int64_t now)
{
    if (s->step != P3_S_AGE)
        return p3_poll_bytes(s, d, len, used, now);
    if (!p3_age_bytes(s, d, len, used, now))
        return P3_SESS_CONTINUE;
    s->in_headers = 0;
    return next_command(s, now);
}

enum p3_sess_rc p3_sess_cmd_body_done(struct p3_session *s, int64_t now)
{
    char note[64];

    p3_sess_end_phase(s, now);
    if (s->step == P3_S_TOP)
        s->r->top_octets = s->body.octets;
    else
        s->r->retr_octets = s->body.octets;
    p3_format(note, sizeof note, "(%lld octets)", (long long)s->body.octets);
    p3_sess_trace(s, POP3CHECK_TRACE_INFO, note, strlen(note));
    return next_command(s, now);
}
