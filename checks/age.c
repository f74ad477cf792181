/* SPDX-License-Identifier: MIT */
/* age.c - how long the messages of a maildrop have waited: TOP n 0 (never
 * RETR) of message 1 and the last one, or of every message when there are
 * few, and of each the date of its newest Received: header (the topmost,
 * written by the server that took the message in), else its Date: (the
 * sender's clock). A date ahead of this host's clock by more than
 * P3_AGE_SKEW_S is not believed. */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>

#include "mail.h"
#include "sess.h"

struct p3_agesess {
    long msg;            /* the message being read */
    int all;             /* every message, else 1 and the last */
    int received_seen;   /* a Received: header was read */
    int64_t received_at; /* the topmost one's date, -1 if none */
    int64_t date_at;     /* Date:, -1 if none */
    int64_t oldest_at, newest_at;
    struct p3_hdrread rd;
};

void p3_age_free(struct p3_session *s)
{
    if (s->age == NULL)
        return;
    explicit_bzero(s->age, sizeof *s->age); /* headers of others' mail */
    free(s->age);
    s->age = NULL;
}

static void note(struct p3_session *s, const char *text)
{
    p3_sess_trace(s, POP3CHECK_TRACE_INFO, text, strlen(text));
}

static void header(void *ctx, const char *h, size_t len)
{
    struct p3_agesess *a = ctx;
    struct p3_hop hop;
    const char *v;
    size_t vl;

    if (p3_header_named(h, len, "Received", &v, &vl)) {
        if (!a->received_seen++)
            a->received_at = p3_received_parse(v, vl, &hop) == 0 ? hop.at : -1;
    } else if (p3_header_named(h, len, "Date", &v, &vl) && a->date_at < 0) {
        if (p3_mail_date(v, vl, &a->date_at) != 0)
            a->date_at = -1;
    }
}

static const char *source_name(int src)
{
    return src == POP3CHECK_AGE_RECEIVED ? "Received:" : "Date:";
}

/* 1 when a date can be believed: after 1970 and not too far ahead. */
static int believable(const struct p3_session *s, int64_t at)
{
    return at > 0 && at <= s->cfg.wall_s + P3_AGE_SKEW_S;
}

/* The trace says why a date is not used. */
static void not_believed(struct p3_session *s, int src, int64_t at)
{
    char line[160], when[32];

    p3_iso_time(at, when, sizeof when);
    p3_format(line, sizeof line,
              "message %ld: %s %s is ahead of this host's clock: not "
              "believed",
              s->age->msg, source_name(src), when);
    note(s, line);
}

/* Which date of the message just read counts: its source, 0 for none. */
static int pick(struct p3_session *s, int64_t *at)
{
    struct p3_agesess *a = s->age;
    char line[160];

    if (believable(s, a->received_at)) {
        *at = a->received_at;
        return POP3CHECK_AGE_RECEIVED;
    }
    if (a->received_at > 0)
        not_believed(s, POP3CHECK_AGE_RECEIVED, a->received_at);
    if (believable(s, a->date_at)) {
        *at = a->date_at;
        return POP3CHECK_AGE_DATE;
    }
    if (a->date_at > 0) {
        not_believed(s, POP3CHECK_AGE_DATE, a->date_at);
        return POP3CHECK_AGE_NONE;
    }
    p3_format(line, sizeof line,
              "message %ld has no date to believe (Received: %s; Date: %s)",
              a->msg, a->received_seen ? "undated or malformed" : "none",
              a->date_at == -1 ? "none or malformed" : "before 1970");
    note(s, line);
    return POP3CHECK_AGE_NONE;
}

static int64_t age_of(const struct p3_session *s, int64_t at)
{
    return at < s->cfg.wall_s ? s->cfg.wall_s - at : 0;
}

/* The message just read counts in the result. */
static void count(struct p3_session *s)
{
    struct p3_agesess *a = s->age;
    struct pop3check_result *r = s->r;
    int64_t at = 0;
    const int src = pick(s, &at);

    r->age_read++;
    if (src == POP3CHECK_AGE_NONE) {
        r->age_undated++;
        return;
    }
    if (r->oldest_msg < 0 || at < a->oldest_at) {
        a->oldest_at = at;
        r->oldest_msg = a->msg;
        r->oldest_source = src;
        r->oldest_age = age_of(s, at);
    }
    if (r->newest_msg < 0 || at > a->newest_at) {
        a->newest_at = at;
        r->newest_msg = a->msg;
        r->newest_source = src;
        r->newest_age = age_of(s, at);
    }
}

/* The result's text, once every message is read. */
static void describe(struct p3_session *s)
{
    struct pop3check_result *r = s->r;
    struct p3_agesess *a = s->age;
    char old[32], young[32];

    if (r->oldest_msg < 0) {
        p3_format(r->age_text, sizeof r->age_text,
                  "no message read has a date to believe; %lld of %lld "
                  "messages read, %lld undated",
                  (long long)r->age_read, (long long)r->messages,
                  (long long)r->age_undated);
        return;
    }
    p3_iso_time(a->oldest_at, old, sizeof old);
    p3_iso_time(a->newest_at, young, sizeof young);
    p3_format(r->age_text, sizeof r->age_text,
              "oldest message %lld (%s %s), newest message %lld (%s %s); "
              "%lld of %lld messages read, %lld undated",
              (long long)r->oldest_msg, source_name((int)r->oldest_source), old,
              (long long)r->newest_msg, source_name((int)r->newest_source),
              young, (long long)r->age_read, (long long)r->messages,
              (long long)r->age_undated);
}

/* The message after a->msg, 0 when done. */
static long next_msg(const struct p3_session *s)
{
    const long last = (long)s->r->messages;
    const long m = s->age->msg;

    if (m >= last)
        return 0;
    return s->age->all || m == 0 ? m + 1 : last;
}

int p3_age_next(struct p3_session *s, int64_t now)
{
    struct p3_agesess *a = s->age;
    char cmd[40];
    long n;

    if (a == NULL) {
        if ((a = s->age = p3_calloc(1, sizeof *a)) == NULL)
            return -1;
        a->all = s->r->messages <= s->cfg.age_scan;
        s->r->age_read = s->r->age_undated = 0;
    }
    if ((n = next_msg(s)) == 0) {
        describe(s);
        return 0;
    }
    a->msg = n;
    a->received_seen = 0;
    a->received_at = a->date_at = -1;
    p3_hdrread_init(&a->rd);
    p3_format(cmd, sizeof cmd, "TOP %ld 0", n);
    p3_sess_begin(s, POP3CHECK_PHASE_TOP, P3_S_AGE, now);
    p3_sess_send(s, cmd, NULL);
    return 1;
}

int p3_age_bytes(struct p3_session *s, const char *d, size_t len, size_t *used,
                 int64_t now)
{
    struct p3_agesess *a = s->age;
    int64_t *us = &s->r->phase_us[POP3CHECK_PHASE_TOP];

    if (!p3_hdrread_bytes(&a->rd, d, len, used, header, a))
        return 0;
    *us = (*us < 0 ? 0 : *us) + (now - s->phase_start); /* every TOP adds */
    count(s);
    return 1;
}

long p3_age_msg(const struct p3_session *s)
{
    return s->age ? s->age->msg : 0;
}
