/* SPDX-License-Identifier: MIT */
/* polls.c - a POP3 session of a round trip (a poll): after STAT, UIDL;
 * TOP n 0 for each UID this run has not read yet (never RETR of anyone's
 * mail); DELE of a message only when the headers just read carry exactly
 * one identifier that verifies as this check's own, with the Message-ID
 * that goes with it, and it is this probe or one whose sender has stopped
 * looking for it; then QUIT, which alone commits (RFC 1939 section 6). */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mailpoll.h"
#include "sess.h"

/* What the session keeps while it reads one message's headers. */
struct p3_pollsess {
    long *todo; /* message numbers to read, taken from the end */
    size_t ntodo, captodo;
    long msg; /* the message being read or deleted */
    int mine; /* DELE sent for this probe (1) or a stale one (0) */
    int ids;  /* identifier headers seen in this message */
    enum p3_probeid_verdict verdict;
    struct p3_probeid id;
    char msgid[160];
    struct p3_hop hops[P3_POLL_HOPS];
    int nhops;
    struct p3_hdrread rd;
};

static struct p3_pollsess *state(struct p3_session *s)
{
    if (s->ps == NULL)
        s->ps = p3_calloc(1, sizeof *s->ps);
    return s->ps;
}

void p3_poll_free(struct p3_session *s)
{
    if (s->ps == NULL)
        return;
    free(s->ps->todo);
    explicit_bzero(s->ps, sizeof *s->ps);
    free(s->ps);
    s->ps = NULL;
}

static enum p3_sess_rc out_of_memory(struct p3_session *s, int64_t now)
{
    p3_sess_fail(s, POP3CHECK_E_INTERNAL, "out of memory", now);
    return P3_SESS_FAILED;
}

/* The time of each TOP and DELE adds up in its phase. */
static void add_phase(struct p3_session *s, int64_t now)
{
    int64_t *us = &s->r->phase_us[s->phase];

    *us = (*us < 0 ? 0 : *us) + (now - s->phase_start);
}

static enum p3_sess_rc command(struct p3_session *s, enum pop3check_phase ph,
                               enum p3_step step, const char *line, int64_t now)
{
    p3_sess_begin(s, ph, step, now);
    p3_sess_send(s, line, NULL);
    return P3_SESS_CONTINUE;
}

enum p3_sess_rc p3_poll_after_stat(struct p3_session *s, int64_t now)
{
    if (state(s) == NULL)
        return out_of_memory(s, now);
    if (s->r->messages == 0)
        return p3_sess_quit(s, now);
    return command(s, POP3CHECK_PHASE_UIDL, P3_S_UIDL, "UIDL", now);
}

enum p3_sess_rc p3_poll_uid(struct p3_session *s, const char *line, size_t len,
                            int64_t now)
{
    struct p3_pollsess *ps = s->ps;
    const char *uid;
    size_t uidlen;
    long n;
    int added;

    if (p3_parse_uid(line, len, &n, &uid, &uidlen) != 0 ||
        n != s->list_count + 1 || n > s->r->messages)
        return p3_sess_bad_reply(s, "UIDL", line, len, now);
    s->list_count++;
    added = p3_uidset_add(s->cfg.poll->seen, uid, uidlen);
    if (added < 0)
        return out_of_memory(s, now);
    if (added == 0)
        return P3_SESS_CONTINUE; /* read in an earlier poll of this run */
    if (ps->ntodo == ps->captodo) {
        size_t cap = ps->captodo ? ps->captodo * 2 : 64;
        long *t = p3_realloc(ps->todo, cap * sizeof *t);
        if (t == NULL)
            return out_of_memory(s, now);
        ps->todo = t;
        ps->captodo = cap;
    }
    ps->todo[ps->ntodo++] = n;
    return P3_SESS_CONTINUE;
}

/* Newest first: a probe just delivered is the last message. */
enum p3_sess_rc p3_poll_next(struct p3_session *s, int64_t now)
{
    struct p3_pollsess *ps = s->ps;
    char cmd[40];

    if (ps->ntodo == 0)
        return p3_sess_quit(s, now);
    ps->msg = ps->todo[--ps->ntodo];
    p3_hdrread_init(&ps->rd);
    ps->ids = ps->nhops = 0;
    ps->verdict = P3_ID_NONE;
    ps->msgid[0] = '\0';
    p3_format(cmd, sizeof cmd, "TOP %ld 0", ps->msg);
    return command(s, POP3CHECK_PHASE_TOP, P3_S_TOP, cmd, now);
}

/* ---- one message's headers ---- */

/* One whole (unfolded) header of the message being read. */
static void header(void *ctx, const char *h, size_t len)
{
    struct p3_session *s = ctx;
    struct p3_pollsess *ps = s->ps;
    const struct p3_poll *pl = s->cfg.poll;
    const char *v;
    size_t vl;

    if (p3_header_named(h, len, P3_PROBEID_HEADER, &v, &vl)) {
        if (ps->ids++ == 0)
            ps->verdict = p3_probeid_verify(v, vl, pl->check, pl->key,
                                            pl->keylen, &ps->id);
    } else if (p3_header_named(h, len, "Message-ID", &v, &vl)) {
        if (ps->msgid[0] == '\0')
            p3_format(ps->msgid, sizeof ps->msgid, "%.*s", (int)vl, v);
    } else if (p3_header_named(h, len, "Received", &v, &vl) &&
               ps->nhops < P3_POLL_HOPS &&
               p3_received_parse(v, vl, &ps->hops[ps->nhops]) == 0) {
        ps->nhops++;
    }
}

/* The Message-ID that goes with nonce: <pop3check.HEX@domain>. */
static int msgid_matches(const char *msgid, const unsigned char nonce[16])
{
    char want[48];
    char hex[33];

    p3_hex(nonce, 16, hex);
    p3_format(want, sizeof want, "<pop3check.%s@", hex);
    return strncasecmp(msgid, want, strlen(want)) == 0;
}

/* What to do with the message whose headers were just read: 1 to delete
 * it (*mine set when it is this probe), 0 to leave it. */
static int decide(struct p3_session *s, int *mine)
{
    struct p3_pollsess *ps = s->ps;
    struct p3_poll *pl = s->cfg.poll;

    if (ps->ids != 1 || ps->verdict != P3_ID_OURS ||
        !msgid_matches(ps->msgid, ps->id.nonce))
        return 0;
    *mine = memcmp(ps->id.nonce, pl->nonce, sizeof pl->nonce) == 0;
    if (*mine) {
        pl->delivered = 1;
        memcpy(pl->hops, ps->hops, sizeof pl->hops);
        pl->nhops = ps->nhops;
        return 1;
    }
    if (ps->id.deadline_ms < pl->wall_ms)
        return 1; /* its sender stopped looking for it: stale */
    pl->left_live++;
    return 0;
}

static enum p3_sess_rc top_done(struct p3_session *s, int64_t now)
{
    struct p3_pollsess *ps = s->ps;
    char cmd[40];
    int mine = 0;

    add_phase(s, now);
    s->in_headers = 0;
    s->cfg.poll->headers_read++;
    if (!decide(s, &mine))
        return p3_poll_next(s, now);
    ps->mine = mine;
    p3_format(cmd, sizeof cmd, "DELE %ld", ps->msg);
    return command(s, POP3CHECK_PHASE_DELE, P3_S_DELE, cmd, now);
}

enum p3_sess_rc p3_poll_bytes(struct p3_session *s, const char *d, size_t len,
                              size_t *used, int64_t now)
{
    if (p3_hdrread_bytes(&s->ps->rd, d, len, used, header, s))
        return top_done(s, now);
    return P3_SESS_CONTINUE;
}

enum p3_sess_rc p3_poll_dele_ok(struct p3_session *s, int64_t now)
{
    struct p3_pollsess *ps = s->ps;
    char note[80];

    add_phase(s, now);
    if (ps->mine)
        s->cfg.poll->dele_mine++;
    else
        s->cfg.poll->dele_stale++;
    p3_format(note, sizeof note, "message %ld is %s: deleted at QUIT", ps->msg,
              ps->mine ? "this probe" : "an earlier probe of this check");
    p3_sess_trace(s, POP3CHECK_TRACE_INFO, note, strlen(note));
    return p3_poll_next(s, now);
}

void p3_poll_quit_ok(struct p3_session *s)
{
    s->cfg.poll->committed = 1;
}
