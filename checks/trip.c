/* SPDX-License-Identifier: MIT */
/* trip.c - a round trip: the probe message (RFC 5322, with an identifier
 * that only this check can make, RFC 3834 Auto-Submitted), its
 * submission, the schedule of the polls that look for it, and what the
 * result says at the end. Delivery time runs from the server's 250 after
 * the data to the login of the poll that first saw the probe, both on
 * this host's monotonic clock. */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trip.h"

enum { T_CONNECT, T_SUBMIT, T_SUBMITTED, T_FAILED };

static int64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* RFC 5322 section 3.3 in UTC, with English names whatever the locale. */
static void rfc5322_date(time_t t, char *buf, size_t len)
{
    static const char days[] = "SunMonTueWedThuFriSat";
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    struct tm tm;

    gmtime_r(&t, &tm);
    p3_format(buf, len, "%.3s, %02d %.3s %04d %02d:%02d:%02d +0000",
              days + 3 * tm.tm_wday, tm.tm_mday, months + 3 * tm.tm_mon,
              tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Who the check is and how it signs: the poll's identity. */
static int identity(struct p3_trip *t)
{
    const struct p3_opts *o = t->o;
    struct p3_poll *pl = &t->poll;
    const char *at = strrchr(o->mail_from, '@');
    char hex[33];

    p3_opts_check_name(o, pl->check, sizeof pl->check);
    if (o->probe_key != NULL) {
        pl->keylen = strlen(o->probe_key);
        memcpy(pl->key, o->probe_key, pl->keylen);
    } else {
        p3_probeid_derive_key(o->user, o->password, pl->key);
        pl->keylen = 32;
    }
    if (p3_random(pl->nonce, sizeof pl->nonce) != 0)
        return -1;
    p3_hex(pl->nonce, sizeof pl->nonce, hex);
    memcpy(t->r->probe_id, hex, sizeof t->r->probe_id);
    p3_format(pl->msgid, sizeof pl->msgid, "<pop3check.%s@%s>", hex, at + 1);
    return 0;
}

/* Folds the identifier before its nonce and its HMAC, so that every line
 * stays within RFC 5322's 78 characters; a reader unfolds it to the same
 * text (polls.c joins a continuation with one space). */
static void fold(char *value, size_t len)
{
    static const char *const at[] = {"; n=", "; m="};
    char out[P3_PROBEID_VALUE_MAX + 8] = "";

    for (const char *v = value; *v != '\0';) {
        const char *cut = NULL;
        for (size_t i = 0; i < P3_COUNT(at); i++) {
            const char *c = strstr(v, at[i]);
            if (c != NULL && (cut == NULL || c < cut))
                cut = c;
        }
        if (cut == NULL) {
            p3_append(out, sizeof out, v, strlen(v));
            break;
        }
        p3_append(out, sizeof out, v, (size_t)(cut - v) + 1);
        p3_append(out, sizeof out, "\r\n ", 3);
        v = cut + 2;
    }
    p3_format(value, len, "%s", out);
}

/* The message: headers, then a body that says what it is. */
static int make_message(struct p3_trip *t, int64_t sent_ms, int64_t dl_ms)
{
    const struct p3_opts *o = t->o;
    struct p3_poll *pl = &t->poll;
    struct p3_probeid id = {.sent_ms = sent_ms, .deadline_ms = dl_ms};
    char value[P3_PROBEID_VALUE_MAX + 8], date[64];
    size_t cap = 2048;

    memcpy(id.check, pl->check, sizeof id.check);
    memcpy(id.nonce, pl->nonce, sizeof id.nonce);
    if (p3_probeid_format(&id, pl->key, pl->keylen, value, sizeof value) != 0)
        return -1;
    fold(value, sizeof value);
    rfc5322_date((time_t)(sent_ms / 1000), date, sizeof date);
    if ((t->message = p3_malloc(cap)) == NULL)
        return -1;
    p3_format(t->message, cap,
              "Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n"
              "Message-ID: %s\r\n%s: %s\r\nAuto-Submitted: auto-generated\r\n"
              "MIME-Version: 1.0\r\n"
              "Content-Type: text/plain; charset=us-ascii\r\n"
              "Content-Transfer-Encoding: 7bit\r\n\r\n"
              "This message tests mail delivery. pop3check (check %s)\r\n"
              "sent it at %s and deletes it when it finds it in the\r\n"
              "mailbox. Nothing needs to be done about it.\r\n",
              date, o->mail_from, o->rcpt_to,
              o->subject ? o->subject : P3_SUBJECT, pl->msgid,
              P3_PROBEID_HEADER, value, pl->check, date);
    t->message_len = strlen(t->message);
    return 0;
}

static void fail_internal(struct p3_trip *t, const char *why)
{
    t->r->error = POP3CHECK_E_INTERNAL;
    t->r->failed_phase = POP3CHECK_PHASE_SMTP_RESOLVE;
    p3_format(t->r->error_text, sizeof t->r->error_text, "%s", why);
    t->stage = T_FAILED;
}

int p3_trip_start(struct p3_trip *t, const struct p3_opts *o,
                  const char *bearer, struct pop3check_result *r,
                  struct p3_curlm *cm, int64_t t0, int64_t deadline,
                  void (*wake)(void *ctx), void *ctx)
{
    int64_t sent = wall_ms();
    int64_t dl = sent + (deadline - t0) / 1000 + 1000;

    memset(t, 0, sizeof *t);
    t->o = o;
    t->r = r;
    t->t0 = t0;
    t->deadline = deadline;
    t->wake = wake;
    t->wake_ctx = ctx;
    t->dialog.fd = -1;
    r->poll_ms = p3_opts_poll_ms(o);
    if ((t->poll.seen = p3_uidset_new()) == NULL || identity(t) != 0 ||
        make_message(t, sent, dl) != 0) {
        fail_internal(t, "cannot make the probe message (out of memory, or "
                         "no random bytes)");
        return -1;
    }
    if (p3_smtpconn_start(&t->smtp, o, bearer, r, cm, t0,
                          (long)((deadline - t0) / 1000), wake, ctx) != 0) {
        fail_internal(t, "cannot set up libcurl for SMTP (out of memory?)");
        return -1;
    }
    t->stage = T_CONNECT;
    return 0;
}

static void begin_submit(struct p3_trip *t, struct p3_loop *loop, int64_t now)
{
    struct p3_transport tr = p3_smtpconn_transport(&t->smtp);
    int fd = p3_smtpconn_socket(&t->smtp);

    t->sub = p3_submit_new(t->o->mail_from, t->o->rcpt_to, t->message,
                           t->message_len, t->r, t->o->trace, t->o->trace_ctx);
    if (t->sub == NULL || fd < 0) {
        fail_internal(t, "cannot take over the SMTP connection from libcurl");
        t->r->failed_phase = POP3CHECK_PHASE_SMTP_SUBMIT;
        return;
    }
    t->stage = T_SUBMIT;
    p3_dialog_run(&t->dialog, loop, fd, &tr, &p3_submit_ops, t->sub, now,
                  t->wake, t->wake_ctx);
}

static enum p3_trip_rc submit_over(struct p3_trip *t)
{
    p3_dialog_stop(&t->dialog); /* libcurl's QUIT then fails at once */
    p3_smtpconn_end(&t->smtp);
    if (p3_submit_accepted(t->sub, &t->accepted_at)) {
        t->stage = T_SUBMITTED;
        return P3_TRIP_SUBMITTED;
    }
    t->stage = T_FAILED;
    return P3_TRIP_FAILED;
}

enum p3_trip_rc p3_trip_submit_step(struct p3_trip *t, struct p3_loop *loop,
                                    int64_t now)
{
    if (t->stage == T_CONNECT) {
        int timed_out = now >= t->deadline;
        if (!p3_smtpconn_done(&t->smtp) && !timed_out)
            return P3_TRIP_BUSY;
        if (p3_smtpconn_finish(&t->smtp,
                               timed_out && !p3_smtpconn_done(&t->smtp)
                                   ? CURLE_OPERATION_TIMEDOUT
                                   : t->smtp.code,
                               now) != 0) {
            p3_smtpconn_end(&t->smtp);
            t->stage = T_FAILED;
            return P3_TRIP_FAILED;
        }
        begin_submit(t, loop, now);
        if (t->stage == T_FAILED)
            return P3_TRIP_FAILED;
    }
    if (t->stage != T_SUBMIT)
        return t->stage == T_SUBMITTED ? P3_TRIP_SUBMITTED : P3_TRIP_FAILED;
    if (t->dialog.ended)
        return submit_over(t);
    if (now < t->deadline)
        return P3_TRIP_BUSY;
    p3_submit_ops.fail(t->sub, POP3CHECK_E_TIMEOUT, "no answer in time", now);
    return submit_over(t);
}

/* Polls go at whole intervals after the 250: the n-th sees what was
 * delivered within n intervals, so a round trip takes at most 1 +
 * delivery / interval sessions. The last one must end before the
 * deadline: it starts no later than twice the last poll's time (at least
 * 250 ms) before it. */
int64_t p3_trip_next_poll(const struct p3_trip *t, int64_t now)
{
    int64_t step = (int64_t)p3_opts_poll_ms(t->o) * 1000;
    int64_t reserve =
        t->last_poll_us * 2 > 250000 ? t->last_poll_us * 2 : 250000;
    int64_t at = t->accepted_at + (t->polls + 1) * step;
    int64_t latest = t->deadline - reserve;

    if (at < now)
        at = now;
    if (at <= latest)
        return at;
    if (latest > now && (t->polls == 0 || latest - t->poll_start >= step / 2))
        return latest; /* one more, just in time */
    return -1;
}

/* Clears what one poll writes, keeping the round trip's own part. */
static void clear_pop3(struct pop3check_result *r)
{
    struct pop3check_result keep = *r;
    int first = POP3CHECK_PHASE_SMTP_RESOLVE, last = POP3CHECK_PHASE_DELIVERY;

    p3_result_init(r);
    for (int p = first; p <= last; p++)
        r->phase_us[p] = keep.phase_us[p];
    r->started_at = keep.started_at;
    r->smtp_code = keep.smtp_code;
    r->submitted_at = keep.submitted_at;
    r->smtp_tls = keep.smtp_tls;
    r->poll_ms = keep.poll_ms;
    memcpy(r->smtp_enhanced, keep.smtp_enhanced, sizeof r->smtp_enhanced);
    memcpy(r->probe_id, keep.probe_id, sizeof r->probe_id);
}

struct p3_poll *p3_trip_poll_begin(struct p3_trip *t, int64_t now)
{
    struct p3_poll *pl = &t->poll;

    clear_pop3(t->r);
    pl->wall_ms = wall_ms();
    pl->delivered = pl->committed = 0;
    pl->login_at = -1;
    pl->dele_mine = pl->dele_stale = pl->left_live = pl->headers_read = 0;
    pl->nhops = 0;
    t->poll_start = now;
    t->polls++;
    return pl;
}

int p3_trip_poll_end(struct p3_trip *t, int64_t now)
{
    struct p3_poll *pl = &t->poll;

    t->last_poll_us = now - t->poll_start;
    t->headers += pl->headers_read;
    if (pl->committed)
        t->stale += pl->dele_stale;
    if (!pl->delivered)
        return 0;
    t->r->phase_us[POP3CHECK_PHASE_DELIVERY] =
        (pl->login_at >= 0 ? pl->login_at : t->poll_start) - t->accepted_at;
    return 1;
}

/* "by B at T (+d s)" for each hop, oldest first. */
static void chain(struct p3_trip *t)
{
    const struct p3_poll *pl = &t->poll;
    char *out = t->r->received;
    size_t len = sizeof t->r->received;
    int64_t first = -1;

    out[0] = '\0';
    for (int i = pl->nhops - 1; i >= 0; i--) {
        const struct p3_hop *h = &pl->hops[i];
        char when[40] = "no date", hop[160];
        if (h->at >= 0) {
            p3_iso_time(h->at, when, sizeof when);
            if (first < 0)
                first = h->at;
        }
        p3_format(hop, sizeof hop, "%s%s at %s (+%lld s)", out[0] ? "; " : "",
                  h->by[0] ? h->by : "?", when,
                  (long long)(h->at >= 0 && first >= 0 ? h->at - first : 0));
        p3_append(out, len, hop, strlen(hop));
    }
}

void p3_trip_finish(struct p3_trip *t, int64_t now)
{
    struct pop3check_result *r = t->r;

    r->polls = t->polls;
    r->stale_cleaned = t->stale;
    r->headers_read = t->headers;
    r->delivered = t->poll.delivered;
    if (t->stage != T_SUBMITTED)
        return; /* the submission failed: r says how */
    chain(t);
    if (t->poll.delivered || r->error != POP3CHECK_E_OK)
        return;
    r->error = POP3CHECK_E_NOT_DELIVERED;
    r->failed_phase = POP3CHECK_PHASE_DELIVERY;
    r->phase_us[POP3CHECK_PHASE_DELIVERY] = now - t->accepted_at;
    p3_format(r->error_text, sizeof r->error_text,
              "delivery: the probe was not in the mailbox %.1f s after the "
              "server took it (%ld polls, every %.1f s)",
              (double)(now - t->accepted_at) / 1e6, t->polls,
              (double)p3_opts_poll_ms(t->o) / 1000);
}

void p3_trip_end(struct p3_trip *t)
{
    if (t->o == NULL)
        return;
    p3_dialog_stop(&t->dialog);
    p3_smtpconn_end(&t->smtp);
    p3_submit_free(t->sub);
    t->sub = NULL;
    p3_uidset_free(t->poll.seen);
    t->poll.seen = NULL;
    explicit_bzero(t->poll.key, sizeof t->poll.key);
    free(t->message);
    t->message = NULL;
}
