/* SPDX-License-Identifier: MIT */
/* test_polls.c - a round trip's poll session (polls.c) driven by scripted
 * server replies: which messages it reads (TOP n 0 of UIDs not read yet,
 * newest first), which it deletes (only this check's, authentic, with the
 * Message-ID that goes with them: this probe, or one whose deadline has
 * passed), and that a failure leaves without QUIT. The identifiers are
 * made with probeid.c, which test_mail checks against known answers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "mailpoll.h"
#include "session.h"

#define CHECK "trip@pop.example"

struct fixture {
    struct pop3check_result r;
    struct p3_sess_config cfg;
    struct p3_poll poll;
    struct p3_session *s;
    int64_t now;
};

static int setup(void **state)
{
    static struct fixture f;

    memset(&f, 0, sizeof f);
    p3_result_init(&f.r);
    f.cfg.user = "trip";
    f.cfg.password = "secret";
    f.cfg.auth = POP3CHECK_AUTH_USER;
    f.cfg.poll = &f.poll;
    memcpy(f.poll.check, CHECK, sizeof CHECK);
    memcpy(f.poll.key, "0123456789abcdef", 16);
    f.poll.keylen = 16;
    memset(f.poll.nonce, 0xab, sizeof f.poll.nonce);
    f.poll.seen = p3_uidset_new();
    f.poll.wall_ms = 1800000000000;
    f.now = 1000;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    p3_sess_free(f->s);
    p3_uidset_free(f->poll.seen);
    f->s = NULL;
    return 0;
}

static void expect_sent(struct fixture *f, const char *line)
{
    const char *buf;
    char want[256];
    size_t n = p3_sess_pending(f->s, &buf);

    snprintf(want, sizeof want, "%s\r\n", line);
    if (n != strlen(want) || memcmp(buf, want, n) != 0)
        fail_msg("sent '%.*s', expected '%s'", (int)n, buf, line);
    p3_sess_sent(f->s, n);
}

static enum p3_sess_rc feed(struct fixture *f, const char *data)
{
    f->now += 100;
    return p3_sess_input(f->s, data, strlen(data), f->now);
}

/* Logs in and answers STAT with n messages. */
static void login(struct fixture *f, int n)
{
    char stat[64];

    f->s = p3_sess_new(&f->cfg, &f->r, "", 0);
    assert_non_null(f->s);
    assert_int_equal(p3_sess_start(f->s, f->now), P3_SESS_CONTINUE);
    expect_sent(f, "USER trip");
    feed(f, "+OK\r\n");
    expect_sent(f, "PASS secret");
    feed(f, "+OK logged in\r\n");
    expect_sent(f, "STAT");
    snprintf(stat, sizeof stat, "+OK %d %d\r\n", n, n * 100);
    assert_int_equal(feed(f, stat), P3_SESS_CONTINUE);
}

/* The header value of an identifier of check, signed with key. */
static void ident(char *out, size_t len, const char *check, const char *key,
                  unsigned char fill, int64_t deadline_ms)
{
    struct p3_probeid id = {.sent_ms = deadline_ms - 10000,
                            .deadline_ms = deadline_ms};

    snprintf(id.check, sizeof id.check, "%s", check);
    memset(id.nonce, fill, sizeof id.nonce);
    assert_int_equal(p3_probeid_format(&id, (const unsigned char *)key,
                                       strlen(key), out, len),
                     0);
}

/* A TOP n 0 reply with the given header lines. */
static void top_reply(struct fixture *f, const char *headers)
{
    static char buf[32768];

    snprintf(buf, sizeof buf, "+OK\r\nFrom: a@b.example\r\n%s\r\n.\r\n",
             headers);
    assert_int_equal(feed(f, buf), P3_SESS_CONTINUE);
}

static const char msgid_ab[] =
    "Message-ID: <pop3check.abababababababababababababababab@x.example>";

static void test_polls_deletes_this_probe_and_commits(void **state)
{
    struct fixture *f = *state;
    char v[400], h[600];

    login(f, 2);
    expect_sent(f, "UIDL");
    feed(f, "+OK\r\n1 u-one\r\n2 u-two\r\n.\r\n");
    expect_sent(f, "TOP 2 0"); /* newest first */
    ident(v, sizeof v, CHECK, "0123456789abcdef", 0xab, 1800000060000);
    snprintf(h, sizeof h,
             "Received: by mta.example; Tue, 1 Dec 2026 "
             "10:00:00 +0000\r\n%s\r\nX-Pop3check-Probe: %s",
             msgid_ab, v);
    top_reply(f, h);
    expect_sent(f, "DELE 2");
    feed(f, "+OK marked\r\n");
    expect_sent(f, "TOP 1 0");
    top_reply(f, "Subject: pop3check round trip");
    expect_sent(f, "QUIT");
    assert_int_equal(f->poll.committed, 0);
    assert_int_equal(feed(f, "+OK bye\r\n"), P3_SESS_DONE);
    assert_true(f->poll.delivered);
    assert_int_equal(f->poll.dele_mine, 1);
    assert_int_equal(f->poll.dele_stale, 0);
    assert_int_equal(f->poll.headers_read, 2);
    assert_int_equal(f->poll.committed, 1);
    assert_int_equal(f->poll.nhops, 1);
    assert_string_equal(f->poll.hops[0].by, "mta.example");
}

/* Whatever the subject or body says: another check's, a forged one, one
 * with the wrong Message-ID, two identifiers, a live probe of another run:
 * none is deleted. */
static void test_polls_never_deletes_what_is_not_ours(void **state)
{
    struct fixture *f = *state;
    char v[400], w[400], h[1200];
    const int64_t past = 1700000000000, future = 1900000000000;
    const char *msgid_cd =
        "Message-ID: <pop3check.cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd@x.example>";

    login(f, 6);
    expect_sent(f, "UIDL");
    feed(f, "+OK\r\n1 a\r\n2 b\r\n3 c\r\n4 d\r\n5 e\r\n6 f\r\n.\r\n");
    expect_sent(f, "TOP 6 0"); /* another check's name */
    ident(v, sizeof v, "other@pop.example", "0123456789abcdef", 0xcd, past);
    snprintf(h, sizeof h, "%s\r\nX-Pop3check-Probe: %s", msgid_cd, v);
    top_reply(f, h);
    expect_sent(f, "TOP 5 0"); /* our name, another key */
    ident(v, sizeof v, CHECK, "fedcba9876543210", 0xcd, past);
    snprintf(h, sizeof h, "%s\r\nX-Pop3check-Probe: %s", msgid_cd, v);
    top_reply(f, h);
    expect_sent(f, "TOP 4 0"); /* ours, but a resent copy */
    ident(v, sizeof v, CHECK, "0123456789abcdef", 0xcd, past);
    snprintf(h, sizeof h,
             "Message-ID: <copy@x.example>\r\n"
             "X-Pop3check-Probe: %s",
             v);
    top_reply(f, h);
    expect_sent(f, "TOP 3 0"); /* two identifiers */
    ident(w, sizeof w, CHECK, "0123456789abcdef", 0xcd, past);
    snprintf(h, sizeof h,
             "%s\r\nX-Pop3check-Probe: %s\r\nX-Pop3check-Probe: "
             "%s",
             msgid_cd, v, w);
    top_reply(f, h);
    expect_sent(f, "TOP 2 0"); /* ours, still looked for by another run */
    ident(v, sizeof v, CHECK, "0123456789abcdef", 0xcd, future);
    snprintf(h, sizeof h, "%s\r\nX-Pop3check-Probe: %s", msgid_cd, v);
    top_reply(f, h);
    expect_sent(f, "TOP 1 0"); /* no identifier at all */
    top_reply(f, "Subject: pop3check round trip\r\n"
                 "Message-ID: <pop3check."
                 "abababababababababababababababab@x.example>");
    expect_sent(f, "QUIT");
    assert_int_equal(feed(f, "+OK bye\r\n"), P3_SESS_DONE);
    assert_false(f->poll.delivered);
    assert_int_equal(f->poll.dele_mine + f->poll.dele_stale, 0);
    assert_int_equal(f->poll.left_live, 1);
    assert_int_equal(f->poll.headers_read, 6);
}

/* An earlier probe of this check past its deadline goes too; a header
 * folded across lines (with a tab, as a relay may refold it) reads as one.
 * A UID read in an earlier poll of the run is not read again. */
static void test_polls_stale_folded_and_seen(void **state)
{
    struct fixture *f = *state;
    char v[400], h[800], *sp;

    assert_int_equal(p3_uidset_add(f->poll.seen, "old", 3), 1);
    login(f, 2);
    expect_sent(f, "UIDL");
    feed(f, "+OK\r\n1 old\r\n2 stale\r\n.\r\n");
    expect_sent(f, "TOP 2 0");
    ident(v, sizeof v, CHECK, "0123456789abcdef", 0xcd, 1700000000000);
    sp = strstr(v, " n=");
    assert_non_null(sp);
    *sp = '\0';
    snprintf(h, sizeof h,
             "Message-ID: <pop3check.cdcdcdcdcdcdcdcdcdcdcdcdcd"
             "cdcdcd@x.example>\r\nX-Pop3check-Probe: %s\r\n\tn=%s",
             v, sp + 3);
    top_reply(f, h);
    expect_sent(f, "DELE 2");
    feed(f, "+OK\r\n");
    expect_sent(f, "QUIT"); /* message 1 was read in an earlier poll */
    assert_int_equal(feed(f, "+OK\r\n"), P3_SESS_DONE);
    assert_int_equal(f->poll.dele_stale, 1);
    assert_int_equal(f->poll.headers_read, 1);
}

/* A refused DELE, or a server gone before QUIT: no QUIT is sent, so that
 * no DELE of the session takes effect, and nothing counts as committed. */
static void test_polls_failure_leaves_without_quit(void **state)
{
    struct fixture *f = *state;
    char v[400], h[600];

    login(f, 1);
    expect_sent(f, "UIDL");
    feed(f, "+OK\r\n1 u\r\n.\r\n");
    expect_sent(f, "TOP 1 0");
    ident(v, sizeof v, CHECK, "0123456789abcdef", 0xab, 1800000060000);
    snprintf(h, sizeof h, "%s\r\nX-Pop3check-Probe: %s", msgid_ab, v);
    top_reply(f, h);
    expect_sent(f, "DELE 1");
    assert_int_equal(feed(f, "-ERR [SYS/TEMP] cannot\r\n"), P3_SESS_FAILED);
    {
        const char *buf;
        assert_int_equal(p3_sess_pending(f->s, &buf), 0); /* no QUIT */
    }
    assert_int_equal(f->poll.committed, 0);
    assert_int_equal(f->r.error, POP3CHECK_E_COMMAND);
}

/* A header line longer than the session keeps is cut, not fatal; a
 * malformed UIDL line is a protocol error. */
static void test_polls_long_header_and_bad_uidl(void **state)
{
    struct fixture *f = *state;
    static char h[20000];

    login(f, 1);
    expect_sent(f, "UIDL");
    feed(f, "+OK\r\n1 u\r\n.\r\n");
    expect_sent(f, "TOP 1 0");
    memcpy(h, "References: ", 12);
    memset(h + 12, 'x', sizeof h - 13);
    top_reply(f, h);
    expect_sent(f, "QUIT");
    assert_int_equal(feed(f, "+OK\r\n"), P3_SESS_DONE);
    p3_sess_free(f->s);

    login(f, 1);
    expect_sent(f, "UIDL");
    assert_int_equal(feed(f, "+OK\r\n1 two words\r\n.\r\n"), P3_SESS_FAILED);
    assert_int_equal(f->r.error, POP3CHECK_E_PROTOCOL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_polls_deletes_this_probe_and_commits, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_polls_never_deletes_what_is_not_ours, setup, teardown),
        cmocka_unit_test_setup_teardown(test_polls_stale_folded_and_seen, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_polls_failure_leaves_without_quit,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_polls_long_header_and_bad_uidl,
                                        setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
