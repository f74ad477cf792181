/* SPDX-License-Identifier: MIT */
/* test_session.c - the POP3 dialog state machine driven by scripted
 * server replies, no network: every login mechanism with the RFC examples,
 * the commands, and the failures a user can meet. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "scram.h"
#include "seen.h"
#include "session.h"

struct fixture {
    struct pop3check_result r;
    struct p3_sess_config cfg;
    struct p3_session *s;
    char trace[8192];
    int64_t now;
};

static void on_trace(void *ctx, enum pop3check_trace_dir dir, const char *line,
                     size_t len)
{
    struct fixture *f = ctx;
    size_t have = strlen(f->trace);

    (void)dir;
    snprintf(f->trace + have, sizeof f->trace - have, "%.*s\n", (int)len, line);
}

static int setup(void **state)
{
    static struct fixture f;

    memset(&f, 0, sizeof f);
    p3_result_init(&f.r);
    f.cfg.user = "tim";
    f.cfg.password = "tanstaaf";
    f.cfg.trace = on_trace;
    f.cfg.trace_ctx = &f;
    f.now = 1000;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    p3_sess_free(f->s);
    f->s = NULL;
    return 0;
}

static enum p3_sess_rc start(struct fixture *f, const char *apop_ts)
{
    f->s = p3_sess_new(&f->cfg, &f->r, apop_ts, 0);
    assert_non_null(f->s);
    return p3_sess_start(f->s, f->now);
}

/* The client must have queued exactly line (CRLF added here). */
static void expect_sent(struct fixture *f, const char *line)
{
    const char *buf;
    char want[1024];
    size_t n = p3_sess_pending(f->s, &buf);

    snprintf(want, sizeof want, "%s\r\n", line);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(buf, want, n);
    p3_sess_sent(f->s, n);
}

static void expect_nothing_sent(struct fixture *f)
{
    const char *buf;

    assert_int_equal(p3_sess_pending(f->s, &buf), 0);
}

static enum p3_sess_rc feed(struct fixture *f, const char *data)
{
    f->now += 100;
    return p3_sess_input(f->s, data, strlen(data), f->now);
}

static void quit_ok(struct fixture *f, enum p3_sess_rc want)
{
    expect_sent(f, "QUIT");
    assert_int_equal(feed(f, "+OK bye\r\n"), want);
}

/* USER/PASS up to the PASS line, which the server is to answer. */
static void user_pass(struct fixture *f)
{
    f->cfg.auth = POP3CHECK_AUTH_USER;
    start(f, "");
    expect_sent(f, "USER tim");
    feed(f, "+OK\r\n");
    expect_sent(f, "PASS tanstaaf");
}

static void test_session_user_pass_stat_quit(void **state)
{
    struct fixture *f = *state;

    f->cfg.auth = POP3CHECK_AUTH_USER;
    assert_int_equal(start(f, ""), P3_SESS_CONTINUE);
    expect_sent(f, "USER tim");
    assert_int_equal(feed(f, "+OK\r\n"), P3_SESS_CONTINUE);
    expect_sent(f, "PASS tanstaaf");
    assert_int_equal(feed(f, "+OK maildrop locked\r\n"), P3_SESS_CONTINUE);
    expect_sent(f, "STAT");
    assert_int_equal(feed(f, "+OK 2 320\r\n"), P3_SESS_CONTINUE);
    quit_ok(f, P3_SESS_DONE);
    assert_int_equal(f->r.error, POP3CHECK_E_OK);
    assert_true(f->r.logged_in);
    assert_int_equal(f->r.messages, 2);
    assert_int_equal(f->r.octets, 320);
    assert_int_equal(f->r.phase_us[POP3CHECK_PHASE_AUTH], 200);
    assert_int_equal(f->r.phase_us[POP3CHECK_PHASE_STAT], 100);
    assert_int_equal(f->r.phase_us[POP3CHECK_PHASE_QUIT], 100);
    assert_int_equal(f->r.phase_us[POP3CHECK_PHASE_LIST], -1);
    assert_null(strstr(f->trace, "tanstaaf"));
}

static void test_session_no_user_only_quits(void **state)
{
    struct fixture *f = *state;

    f->cfg.user = NULL;
    start(f, "");
    quit_ok(f, P3_SESS_DONE);
    assert_false(f->r.logged_in);
    assert_int_equal(f->r.phase_us[POP3CHECK_PHASE_AUTH], -1);
    assert_int_equal(f->r.messages, -1);
}

/* RFC 1939, section 7: the APOP example. */
static void test_session_apop_rfc1939_example(void **state)
{
    struct fixture *f = *state;

    f->cfg.user = "mrose";
    f->cfg.auth = POP3CHECK_AUTH_APOP;
    start(f, "<1896.697170952@dbc.mtview.ca.us>");
    expect_sent(f, "APOP mrose c4c9334bac560ecc979e58001b3e22fb");
    feed(f, "+OK mrose's maildrop has 2 messages (320 octets)\r\n");
    expect_sent(f, "STAT");
    assert_null(strstr(f->trace, "c4c9334b"));
}

/* RFC 2195, section 2: the CRAM-MD5 example. */
static void test_session_cram_md5_rfc2195_example(void **state)
{
    struct fixture *f = *state;

    f->cfg.password = "tanstaaftanstaaf";
    f->cfg.auth = POP3CHECK_AUTH_CRAM_MD5;
    f->r.capa = POP3CHECK_CAPA_KNOWN | POP3CHECK_CAPA_SASL;
    f->r.sasl = POP3CHECK_SASL_CRAM_MD5;
    start(f, "");
    expect_sent(f, "AUTH CRAM-MD5");
    feed(f, "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n");
    expect_sent(f, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
    feed(f, "+OK\r\n");
    expect_sent(f, "STAT");
    assert_int_equal(f->r.auth_used, POP3CHECK_AUTH_CRAM_MD5);
}

static void test_session_plain_initial_response(void **state)
{
    struct fixture *f = *state;

    f->cfg.auth = POP3CHECK_AUTH_PLAIN;
    start(f, "");
    /* base64 of "\0tim\0tanstaaf" (RFC 4616 message, empty authzid) */
    expect_sent(f, "AUTH PLAIN AHRpbQB0YW5zdGFhZg==");
    feed(f, "+OK\r\n");
    expect_sent(f, "STAT");
    assert_null(strstr(f->trace, "AHRpbQB0YW5zdGFhZg"));
}

static void test_session_login_prompts(void **state)
{
    struct fixture *f = *state;

    f->cfg.auth = POP3CHECK_AUTH_LOGIN;
    start(f, "");
    expect_sent(f, "AUTH LOGIN");
    feed(f, "+ VXNlcm5hbWU6\r\n");
    expect_sent(f, "dGlt");
    feed(f, "+ UGFzc3dvcmQ6\r\n");
    expect_sent(f, "dGFuc3RhYWY=");
    feed(f, "+OK\r\n");
    expect_sent(f, "STAT");
    assert_null(strstr(f->trace, "dGFuc3RhYWY="));
}

static void test_session_any_prefers_cram_then_plain(void **state)
{
    struct fixture *f = *state;

    f->r.capa = POP3CHECK_CAPA_KNOWN | POP3CHECK_CAPA_USER;
    f->r.sasl = POP3CHECK_SASL_PLAIN | POP3CHECK_SASL_LOGIN;
    start(f, "<1.2@x>");
    expect_sent(f, "AUTH PLAIN AHRpbQB0YW5zdGFhZg==");
}

static void test_session_any_without_sasl_uses_apop(void **state)
{
    struct fixture *f = *state;

    start(f, "<1896.697170952@dbc.mtview.ca.us>");
    assert_int_equal(f->r.auth_used, POP3CHECK_AUTH_APOP);
}

/* A forced mechanism the server does not list: no credentials, QUIT. */
static void test_session_forced_mechanism_not_offered(void **state)
{
    struct fixture *f = *state;

    f->cfg.auth = POP3CHECK_AUTH_CRAM_MD5;
    f->r.capa = POP3CHECK_CAPA_KNOWN | POP3CHECK_CAPA_SASL;
    f->r.sasl = POP3CHECK_SASL_PLAIN;
    snprintf(f->r.capa_text, sizeof f->r.capa_text, "SASL PLAIN");
    start(f, "");
    quit_ok(f, P3_SESS_FAILED);
    assert_int_equal(f->r.error, POP3CHECK_E_AUTH);
    assert_int_equal(f->r.failed_phase, POP3CHECK_PHASE_AUTH);
    assert_non_null(strstr(f->r.error_text, "does not offer SASL CRAM-MD5"));
    assert_null(strstr(f->trace, "tanstaaf"));
}

static void test_session_forced_user_not_in_capa(void **state)
{
    struct fixture *f = *state;

    f->cfg.auth = POP3CHECK_AUTH_USER;
    f->r.capa = POP3CHECK_CAPA_KNOWN;
    start(f, "");
    quit_ok(f, P3_SESS_FAILED);
    assert_non_null(strstr(f->r.error_text, "USER"));
}

static void test_session_apop_without_timestamp(void **state)
{
    struct fixture *f = *state;

    f->cfg.auth = POP3CHECK_AUTH_APOP;
    start(f, "");
    quit_ok(f, P3_SESS_FAILED);
    assert_int_equal(f->r.error, POP3CHECK_E_AUTH);
    assert_non_null(strstr(f->r.error_text, "APOP"));
}

static void test_session_wrong_password_reports_server(void **state)
{
    struct fixture *f = *state;

    user_pass(f);
    /* a hostile server echoing the password must not leak it */
    assert_int_equal(feed(f, "-ERR [AUTH] bad password tanstaaf\r\n"),
                     P3_SESS_CONTINUE);
    quit_ok(f, P3_SESS_FAILED);
    assert_int_equal(f->r.error, POP3CHECK_E_AUTH);
    assert_int_equal(f->r.rcode, POP3CHECK_RCODE_AUTH);
    assert_false(f->r.logged_in);
    assert_non_null(strstr(f->r.server_text, "[AUTH] bad password"));
    assert_null(strstr(f->r.server_text, "tanstaaf"));
    assert_null(strstr(f->r.error_text, "tanstaaf"));
    assert_null(strstr(f->trace, "tanstaaf"));
}

/* GNU Mailutils 3.15 pop3d, while another session holds the maildrop. */
static void test_session_in_use_is_not_the_password(void **state)
{
    struct fixture *f = *state;

    user_pass(f);
    feed(f, "-ERR [IN-USE] Mailbox in use\r\n");
    quit_ok(f, P3_SESS_FAILED);
    assert_int_equal(f->r.error, POP3CHECK_E_AUTH);
    assert_int_equal(f->r.rcode, POP3CHECK_RCODE_IN_USE);
    assert_string_equal(f->r.error_text,
                        "login failed (USER/PASS: the maildrop is locked by "
                        "another session; the credentials were accepted): "
                        "-ERR [IN-USE] Mailbox in use");
}

/* The SCRAM line queued: "AUTH MECH " and the client-first message,
 * decoded into msg (its nonce is random). */
static void expect_scram_first(struct fixture *f, const char *mech, char *msg,
                               size_t len)
{
    const char *buf;
    char prefix[64];
    size_t n = p3_sess_pending(f->s, &buf), k;

    snprintf(prefix, sizeof prefix, "AUTH %s ", mech);
    assert_true(n > strlen(prefix) + 2);
    assert_memory_equal(buf, prefix, strlen(prefix));
    k = p3_base64_decode(buf + strlen(prefix), n - strlen(prefix) - 2,
                         (unsigned char *)msg, len - 1);
    assert_true(k != (size_t)-1);
    msg[k] = '\0';
    p3_sess_sent(f->s, n);
}

/* Cyrus 3.6 over TLS 1.3 offers -PLUS and refuses tls-exporter. */
static const char cyrus_refusal[] =
    "-ERR [AUTH] authenticating: bad protocol / cancel\r\n";

static void scram_plus_server(struct fixture *f, const struct p3_chanbind *cb,
                              int *refused)
{
    f->r.capa = POP3CHECK_CAPA_KNOWN;
    f->r.sasl =
        POP3CHECK_SASL_SCRAM_SHA_256 | POP3CHECK_SASL_SCRAM_SHA_256_PLUS;
    f->cfg.chanbind = cb;
    f->cfg.plus_refused = refused;
}

static void test_session_any_plus_refused_tries_unbound(void **state)
{
    struct fixture *f = *state;
    struct p3_chanbind cb = {"tls-exporter", 32, {0}};
    int refused = 0;
    char msg[300];

    scram_plus_server(f, &cb, &refused);
    start(f, "");
    expect_scram_first(f, "SCRAM-SHA-256-PLUS", msg, sizeof msg);
    assert_memory_equal(msg, "p=tls-exporter,,n=tim,r=", 24);
    assert_int_equal(feed(f, cyrus_refusal), P3_SESS_CONTINUE);
    /* the same session, unbound: "n", as the server offered -PLUS */
    expect_scram_first(f, "SCRAM-SHA-256", msg, sizeof msg);
    assert_memory_equal(msg, "n,,n=tim,r=", 11);
    assert_int_equal(f->r.auth_used, POP3CHECK_AUTH_SCRAM_SHA_256);
    assert_false(f->r.error);
    assert_non_null(strstr(f->trace, "SCRAM-SHA-256-PLUS refused (-ERR [AUTH] "
                                     "authenticating: bad protocol / cancel)"));
    /* refused again: that refusal stands, no third try */
    assert_int_equal(feed(f, cyrus_refusal), P3_SESS_CONTINUE);
    quit_ok(f, P3_SESS_FAILED);
    assert_int_equal(f->r.error, POP3CHECK_E_AUTH);
    assert_int_equal(refused, 1); /* the next runs go unbound at once */
}

static void test_session_plus_refusal_stands(void **state)
{
    struct fixture *f = *state;
    struct p3_chanbind cb = {"tls-exporter", 32, {0}};
    int refused = 0;
    char msg[300];

    /* not with --insecure: the binding is what stands against a relay */
    scram_plus_server(f, &cb, &refused);
    f->cfg.tls_unverified = 1;
    start(f, "");
    expect_scram_first(f, "SCRAM-SHA-256-PLUS", msg, sizeof msg);
    feed(f, cyrus_refusal);
    quit_ok(f, P3_SESS_FAILED);
    assert_int_equal(f->r.error, POP3CHECK_E_AUTH);
    teardown(state);
    setup(state);
    f = *state;
    /* nor when -PLUS was asked for by name */
    scram_plus_server(f, &cb, &refused);
    f->cfg.auth = POP3CHECK_AUTH_SCRAM_SHA_256_PLUS;
    start(f, "");
    expect_scram_first(f, "SCRAM-SHA-256-PLUS", msg, sizeof msg);
    feed(f, cyrus_refusal);
    quit_ok(f, P3_SESS_FAILED);
    assert_string_equal(f->r.error_text,
                        "login failed (SASL SCRAM-SHA-256-PLUS): -ERR [AUTH] "
                        "authenticating: bad protocol / cancel");
}

static void test_session_any_remembers_plus_refused(void **state)
{
    struct fixture *f = *state;
    struct p3_chanbind cb = {"tls-exporter", 32, {0}};
    int refused = 1; /* an earlier run of the probe logged in unbound */
    char msg[300];

    scram_plus_server(f, &cb, &refused);
    start(f, "");
    expect_scram_first(f, "SCRAM-SHA-256", msg, sizeof msg);
    assert_memory_equal(msg, "n,,n=tim,r=", 11);
}

static void login(struct fixture *f, const char *stat)
{
    user_pass(f);
    feed(f, "+OK\r\n");
    expect_sent(f, "STAT");
    feed(f, stat);
}

static void test_session_list_largest(void **state)
{
    struct fixture *f = *state;

    f->cfg.list = 1;
    login(f, "+OK 3 600\r\n");
    expect_sent(f, "LIST");
    feed(f, "+OK 3 messages\r\n1 100\r\n2 300\r\n3 200\r\n.\r\n");
    quit_ok(f, P3_SESS_DONE);
    assert_int_equal(f->r.largest, 300);
    assert_int_equal(f->r.listed, 3);
}

static void test_session_list_disagrees_with_stat(void **state)
{
    struct fixture *f = *state;

    f->cfg.list = 1;
    login(f, "+OK 3 600\r\n");
    expect_sent(f, "LIST");
    assert_int_equal(feed(f, "+OK\r\n1 100\r\n2 300\r\n.\r\n"), P3_SESS_FAILED);
    assert_int_equal(f->r.error, POP3CHECK_E_PROTOCOL);
    assert_int_equal(f->r.failed_phase, POP3CHECK_PHASE_LIST);
}

static void test_session_uidl_counts(void **state)
{
    struct fixture *f = *state;

    f->cfg.uidl = 1;
    login(f, "+OK 2 10\r\n");
    expect_sent(f, "UIDL");
    feed(f,
         "+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n");
    quit_ok(f, P3_SESS_DONE);
    assert_int_equal(f->r.uidl_count, 2);
}

/* Octets as LIST counts them: byte-stuffing removed, terminator not. */
static const char body[] = "+OK message follows\r\n"
                           "Subject: x\r\n"
                           "\r\n"
                           "..hidden dot\r\n"
                           "last\r\n"
                           ".\r\n";
static const int body_octets = 12 + 2 + 13 + 6;

static void test_session_retr_counts_octets(void **state)
{
    struct fixture *f = *state;

    f->cfg.retr = POP3CHECK_MSG_LAST;
    login(f, "+OK 4 1000\r\n");
    expect_sent(f, "RETR 4");
    feed(f, body);
    quit_ok(f, P3_SESS_DONE);
    assert_int_equal(f->r.retr_octets, body_octets);
    assert_int_equal(f->r.retr_msg, 4);
}

static void test_session_retr_in_one_byte_pieces(void **state)
{
    struct fixture *f = *state;

    f->cfg.retr = POP3CHECK_MSG_FIRST;
    login(f, "+OK 1 33\r\n");
    expect_sent(f, "RETR 1");
    for (size_t i = 0; i < sizeof body - 1; i++)
        assert_int_equal(p3_sess_input(f->s, body + i, 1, f->now),
                         P3_SESS_CONTINUE);
    quit_ok(f, P3_SESS_DONE);
    assert_int_equal(f->r.retr_octets, body_octets);
}

static void test_session_top_then_retr_skipped_when_empty(void **state)
{
    struct fixture *f = *state;

    f->cfg.top = POP3CHECK_MSG_FIRST;
    f->cfg.retr = POP3CHECK_MSG_LAST;
    login(f, "+OK 0 0\r\n");
    quit_ok(f, P3_SESS_DONE);
    assert_int_equal(f->r.phase_us[POP3CHECK_PHASE_TOP], -1);
    assert_int_equal(f->r.phase_us[POP3CHECK_PHASE_RETR], -1);
    assert_int_equal(f->r.retr_octets, -1);
}

static void test_session_top_refused_is_command_error(void **state)
{
    struct fixture *f = *state;

    f->cfg.top = 7;
    login(f, "+OK 2 10\r\n");
    expect_sent(f, "TOP 7 0");
    feed(f, "-ERR no such message\r\n");
    quit_ok(f, P3_SESS_FAILED);
    assert_int_equal(f->r.error, POP3CHECK_E_COMMAND);
    assert_int_equal(f->r.failed_phase, POP3CHECK_PHASE_TOP);
    assert_non_null(strstr(f->r.error_text, "TOP 7"));
}

/* Every -ERR after login leaves through QUIT (sess.c, p3_sess_quit): the
 * refused phase keeps its time and failure, and QUIT is timed too. */
static void test_session_every_refusal_quits(void **state)
{
    static const struct {
        int list, uidl;
        long top, retr;
        const char *cmd;
        enum pop3check_phase phase;
        const char *text;
    } v[] = {
        {0, 0, 0, 0, "STAT", POP3CHECK_PHASE_STAT, "STAT refused: -ERR no"},
        {1, 0, 0, 0, "LIST", POP3CHECK_PHASE_LIST, "LIST refused: -ERR no"},
        {0, 1, 0, 0, "UIDL", POP3CHECK_PHASE_UIDL, "UIDL refused: -ERR no"},
        {0, 0, 0, 2, "RETR 2", POP3CHECK_PHASE_RETR, "RETR 2 refused: -ERR no"},
    };
    struct fixture *f = *state;

    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        p3_sess_free(f->s);
        p3_result_init(&f->r);
        f->cfg.list = v[i].list, f->cfg.uidl = v[i].uidl;
        f->cfg.top = v[i].top, f->cfg.retr = v[i].retr;
        user_pass(f);
        feed(f, "+OK\r\n");
        expect_sent(f, "STAT");
        if (v[i].phase != POP3CHECK_PHASE_STAT) {
            feed(f, "+OK 2 10\r\n");
            expect_sent(f, v[i].cmd);
        }
        assert_int_equal(feed(f, "-ERR no\r\n"), P3_SESS_CONTINUE);
        assert_int_equal(f->r.phase_us[v[i].phase], 100);
        assert_int_equal(p3_sess_phase(f->s), POP3CHECK_PHASE_QUIT);
        quit_ok(f, P3_SESS_FAILED);
        assert_int_equal(f->r.error, POP3CHECK_E_COMMAND);
        assert_int_equal(f->r.failed_phase, v[i].phase);
        assert_string_equal(f->r.error_text, v[i].text);
        assert_string_equal(f->r.server_text, "no");
        assert_int_equal(f->r.phase_us[POP3CHECK_PHASE_QUIT], 100);
    }
}

static void test_session_malformed_stat(void **state)
{
    struct fixture *f = *state;

    login(f, "+OK x y\r\n");
    assert_int_equal(f->r.error, POP3CHECK_E_PROTOCOL);
    assert_int_equal(f->r.failed_phase, POP3CHECK_PHASE_STAT);
    assert_int_equal(f->r.messages, -1);
    expect_nothing_sent(f);
}

static void test_session_garbage_reply(void **state)
{
    struct fixture *f = *state;

    f->cfg.auth = POP3CHECK_AUTH_USER;
    start(f, "");
    expect_sent(f, "USER tim");
    assert_int_equal(feed(f, "\x01\x02garbage\r\n"), P3_SESS_FAILED);
    assert_int_equal(f->r.error, POP3CHECK_E_PROTOCOL);
    assert_null(strchr(f->r.error_text, '\x01'));
}

static void test_session_line_too_long(void **state)
{
    struct fixture *f = *state;
    static char huge[P3_LINE_MAX + 100];
    enum p3_sess_rc rc;

    f->cfg.user = NULL;
    start(f, "");
    expect_sent(f, "QUIT");
    memset(huge, 'A', sizeof huge - 1);
    rc = p3_sess_input(f->s, huge, sizeof huge - 1, 2000);
    assert_int_equal(rc, P3_SESS_FAILED);
    assert_int_equal(f->r.error, POP3CHECK_E_PROTOCOL);
    assert_non_null(strstr(f->r.error_text, "longer than"));
}

static void test_session_eof_mid_reply(void **state)
{
    struct fixture *f = *state;

    f->cfg.retr = 1;
    login(f, "+OK 1 100\r\n");
    expect_sent(f, "RETR 1");
    feed(f, "+OK\r\nhalf a mess");
    assert_int_equal(p3_sess_input(f->s, "", 0, 5000), P3_SESS_FAILED);
    assert_int_equal(f->r.error, POP3CHECK_E_PROTOCOL);
    assert_int_equal(f->r.failed_phase, POP3CHECK_PHASE_RETR);
    assert_non_null(strstr(f->r.error_text, "closed"));
}

static void test_session_unsolicited_data(void **state)
{
    struct fixture *f = *state;

    login(f, "+OK 1 100\r\n+OK surprise\r\n");
    assert_int_equal(f->r.error, POP3CHECK_E_PROTOCOL);
}

/* -ERR to QUIT (RFC 1939: the update failed) is the server's failure,
 * with its words; after an earlier failure, that one stays. */
static void test_session_quit_refused(void **state)
{
    struct fixture *f = *state;

    login(f, "+OK 1 100\r\n");
    expect_sent(f, "QUIT");
    assert_int_equal(feed(f, "-ERR [SYS/TEMP] cannot update the maildrop\r\n"),
                     P3_SESS_FAILED);
    assert_int_equal(f->r.error, POP3CHECK_E_COMMAND);
    assert_int_equal(f->r.failed_phase, POP3CHECK_PHASE_QUIT);
    assert_int_equal(f->r.rcode, POP3CHECK_RCODE_SYS_TEMP);
    assert_string_equal(f->r.error_text,
                        "QUIT refused: -ERR [SYS/TEMP] cannot update the "
                        "maildrop");
}

static void test_session_quit_refused_after_failure(void **state)
{
    struct fixture *f = *state;

    user_pass(f);
    feed(f, "-ERR [AUTH] no\r\n");
    expect_sent(f, "QUIT");
    assert_int_equal(feed(f, "-ERR go away\r\n"), P3_SESS_FAILED);
    assert_int_equal(f->r.error, POP3CHECK_E_AUTH);
    assert_int_equal(f->r.failed_phase, POP3CHECK_PHASE_AUTH);
    assert_int_equal(f->r.rcode, POP3CHECK_RCODE_AUTH);
    assert_true(f->r.phase_us[POP3CHECK_PHASE_QUIT] >= 0);
}

static void test_session_fail_charges_current_phase(void **state)
{
    struct fixture *f = *state;

    login(f, "+OK 1 100\r\n");
    expect_sent(f, "QUIT");
    p3_sess_fail(f->s, POP3CHECK_E_TIMEOUT, "no reply", f->now + 700);
    assert_int_equal(f->r.error, POP3CHECK_E_TIMEOUT);
    assert_int_equal(f->r.failed_phase, POP3CHECK_PHASE_QUIT);
    assert_int_equal(f->r.phase_us[POP3CHECK_PHASE_QUIT], 700);
}

/* ---- the age of messages (age.c) ---- */

#define WALL 1796292000 /* 2026-12-03 10:00:00Z */

static void age_login(struct fixture *f, const char *stat, long scan)
{
    f->cfg.age = 1;
    f->cfg.age_scan = scan;
    f->cfg.wall_s = WALL;
    login(f, stat);
}

/* Message 1's newest Received: counts, not the older hop below it nor its
 * Date:; the last has only a Date:. Messages between are not read. */
static void test_age_first_and_last(void **state)
{
    struct fixture *f = *state;

    age_login(f, "+OK 5 5000\r\n", 2);
    expect_sent(f, "TOP 1 0");
    feed(f, "+OK\r\n"
            "Return-Path: <a@example.test>\r\n"
            "Received: from mx.example.test by pop.example.test with LMTP;\r\n"
            " Tue, 1 Dec 2026 10:00:00 +0000\r\n"
            "Received: from far.example.test by mx.example.test; Mon, 30 Nov "
            "2026 09:00:00 +0000\r\n"
            "Date: Mon, 30 Nov 2026 08:00:00 +0000\r\n"
            "\r\n"
            ".\r\n");
    expect_sent(f, "TOP 5 0");
    feed(f, "+OK\r\nDate: Thu, 3 Dec 2026 09:00:00 +0000\r\nSubject: s\r\n\r\n"
            ".\r\n");
    quit_ok(f, P3_SESS_DONE);
    assert_int_equal(f->r.oldest_msg, 1);
    assert_int_equal(f->r.oldest_age, 2 * 86400);
    assert_int_equal(f->r.oldest_source, POP3CHECK_AGE_RECEIVED);
    assert_int_equal(f->r.newest_msg, 5);
    assert_int_equal(f->r.newest_age, 3600);
    assert_int_equal(f->r.newest_source, POP3CHECK_AGE_DATE);
    assert_int_equal(f->r.age_read, 2);
    assert_int_equal(f->r.age_undated, 0);
    assert_int_equal(f->r.phase_us[POP3CHECK_PHASE_TOP], 200);
    assert_string_equal(f->r.age_text,
                        "oldest message 1 (Received: 2026-12-01 10:00:00Z), "
                        "newest message 5 (Date: 2026-12-03 09:00:00Z); 2 of 5 "
                        "messages read, 0 undated");
}

/* With few messages every one is read: the oldest need not be the first.
 * Zones are honoured; undated and malformed messages are counted. */
static void test_age_scans_all_when_few(void **state)
{
    struct fixture *f = *state;

    age_login(f, "+OK 3 3000\r\n", 10);
    expect_sent(f, "TOP 1 0");
    feed(f, "+OK\r\nDate: yesterday\r\n\r\n.\r\n");
    expect_sent(f, "TOP 2 0");
    feed(f, "+OK\r\nReceived: by pop.example.test; Wed, 2 Dec 2026 "
            "05:00:00 -0500\r\n\r\n.\r\n");
    expect_sent(f, "TOP 3 0");
    feed(f, "+OK\r\nReceived: from a by b with LMTP id x\r\n"
            "..dot-stuffed: header\r\n\r\n.\r\n");
    quit_ok(f, P3_SESS_DONE);
    assert_int_equal(f->r.oldest_msg, 2);
    assert_int_equal(f->r.newest_msg, 2);
    assert_int_equal(f->r.oldest_age, 86400); /* 10:00Z, a day ago */
    assert_int_equal(f->r.age_read, 3);
    assert_int_equal(f->r.age_undated, 2);
    assert_non_null(strstr(f->trace, "message 1 has no date to believe "
                                     "(Received: none; Date: none or "
                                     "malformed)"));
    assert_non_null(strstr(f->trace, "message 3 has no date to believe "
                                     "(Received: undated or malformed"));
}

/* A date far ahead of this host's clock is not believed (Date: is used
 * instead); one a little ahead is an age of 0. */
static void test_age_future_dates(void **state)
{
    struct fixture *f = *state;

    age_login(f, "+OK 2 2000\r\n", 10);
    expect_sent(f, "TOP 1 0");
    feed(f, "+OK\r\nReceived: by b; Thu, 3 Dec 2026 11:00:00 +0000\r\n"
            "Date: Thu, 3 Dec 2026 08:00:00 +0000\r\n\r\n.\r\n");
    expect_sent(f, "TOP 2 0");
    feed(f, "+OK\r\nReceived: by b; Thu, 3 Dec 2026 10:02:00 +0000\r\n\r\n"
            ".\r\n");
    quit_ok(f, P3_SESS_DONE);
    assert_int_equal(f->r.oldest_msg, 1);
    assert_int_equal(f->r.oldest_source, POP3CHECK_AGE_DATE);
    assert_int_equal(f->r.oldest_age, 2 * 3600);
    assert_int_equal(f->r.newest_msg, 2);
    assert_int_equal(f->r.newest_age, 0);
    assert_int_equal(f->r.age_undated, 0);
    assert_non_null(strstr(f->trace, "message 1: Received: 2026-12-03 "
                                     "11:00:00Z is ahead of this host's "
                                     "clock: not believed"));
}

static void test_age_empty_maildrop(void **state)
{
    struct fixture *f = *state;

    age_login(f, "+OK 0 0\r\n", 10);
    quit_ok(f, P3_SESS_DONE);
    assert_int_equal(f->r.age_read, 0);
    assert_int_equal(f->r.oldest_age, -1);
    assert_int_equal(f->r.oldest_msg, -1);
    assert_string_equal(f->r.age_text, "the maildrop is empty");
    assert_int_equal(f->r.phase_us[POP3CHECK_PHASE_TOP], -1);
}

/* No message with a date: the age stays unknown, the text says why. */
static void test_age_nothing_dated(void **state)
{
    struct fixture *f = *state;

    age_login(f, "+OK 1 100\r\n", 10);
    expect_sent(f, "TOP 1 0");
    feed(f, "+OK\r\nSubject: no date\r\n\r\n.\r\n");
    quit_ok(f, P3_SESS_DONE);
    assert_int_equal(f->r.oldest_age, -1);
    assert_int_equal(f->r.age_undated, 1);
    assert_string_equal(f->r.age_text, "no message read has a date to "
                                       "believe; 1 of 1 messages read, 1 "
                                       "undated");
}

/* The age comes before the options' own TOP and RETR; a refused TOP fails
 * the probe with kind command, saying what it was for. */
static void test_age_then_top_and_refusal(void **state)
{
    struct fixture *f = *state;

    f->cfg.top = POP3CHECK_MSG_LAST;
    age_login(f, "+OK 1 100\r\n", 10);
    expect_sent(f, "TOP 1 0");
    feed(f, "+OK\r\nDate: Thu, 3 Dec 2026 09:00:00 +0000\r\n\r\n.\r\n");
    expect_sent(f, "TOP 1 0");
    feed(f, "+OK\r\nDate: x\r\n\r\n.\r\n");
    quit_ok(f, P3_SESS_DONE);
    assert_int_equal(f->r.oldest_age, 3600);
    assert_int_equal(f->r.top_msg, 1);
    teardown(state);
    setup(state);
    f = *state;
    age_login(f, "+OK 2 100\r\n", 10);
    expect_sent(f, "TOP 1 0");
    feed(f, "-ERR unknown command\r\n");
    quit_ok(f, P3_SESS_FAILED);
    assert_int_equal(f->r.error, POP3CHECK_E_COMMAND);
    assert_int_equal(f->r.failed_phase, POP3CHECK_PHASE_TOP);
    assert_non_null(
        strstr(f->r.error_text, "TOP 1 0 (for the age of messages) refused"));
}

/* A fresh session that goes on with the first sightings of the last. */
static struct fixture *next_session(void **state, struct p3_seen *seen)
{
    struct fixture *f;

    teardown(state);
    setup(state);
    f = *state;
    f->cfg.seen = seen;
    return f;
}

/* First sightings (POP3CHECK_OPT_AGE 2): UIDL is sent for them, and a
 * message's wait runs from the first session that listed it. */
static void test_age_first_seen_by_uidl(void **state)
{
    struct fixture *f = *state;
    struct p3_seen *seen = p3_seen_new();

    assert_non_null(seen);
    f->cfg.seen = seen;
    f->cfg.wall_s = WALL;
    login(f, "+OK 2 10\r\n");
    expect_sent(f, "UIDL");
    feed(f, "+OK\r\n1 aaa\r\n2 bbb\r\n.\r\n");
    quit_ok(f, P3_SESS_DONE);
    assert_int_equal(f->r.longest_wait, 0);
    assert_int_equal(f->r.wait_tracked, 2);
    f = next_session(state, seen);
    f->cfg.wall_s = WALL + 60; /* a minute later: aaa gone, ccc new */
    login(f, "+OK 2 10\r\n");
    expect_sent(f, "UIDL");
    feed(f, "+OK\r\n1 bbb\r\n2 ccc\r\n.\r\n");
    quit_ok(f, P3_SESS_DONE);
    assert_int_equal(f->r.longest_wait, 60);
    assert_int_equal(f->r.wait_tracked, 2);
    f = next_session(state, seen);
    f->cfg.wall_s = WALL + 120; /* emptied: nothing waits, no UIDL */
    login(f, "+OK 0 0\r\n");
    quit_ok(f, P3_SESS_DONE);
    assert_int_equal(f->r.longest_wait, -1);
    assert_int_equal(f->r.wait_tracked, 0);
    f = next_session(state, seen);
    login(f, "+OK 1 10\r\n");
    expect_sent(f, "UIDL");
    assert_int_equal(feed(f, "+OK\r\n1 has space\r\n.\r\n"), P3_SESS_FAILED);
    assert_int_equal(f->r.error, POP3CHECK_E_PROTOCOL);
    p3_seen_free(seen);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_session_user_pass_stat_quit),
        T(test_session_quit_refused),
        T(test_session_quit_refused_after_failure),
        T(test_session_no_user_only_quits),
        T(test_session_apop_rfc1939_example),
        T(test_session_cram_md5_rfc2195_example),
        T(test_session_plain_initial_response),
        T(test_session_login_prompts),
        T(test_session_any_prefers_cram_then_plain),
        T(test_session_any_without_sasl_uses_apop),
        T(test_session_forced_mechanism_not_offered),
        T(test_session_forced_user_not_in_capa),
        T(test_session_apop_without_timestamp),
        T(test_session_wrong_password_reports_server),
        T(test_session_in_use_is_not_the_password),
        T(test_session_any_plus_refused_tries_unbound),
        T(test_session_plus_refusal_stands),
        T(test_session_any_remembers_plus_refused),
        T(test_session_list_largest),
        T(test_session_list_disagrees_with_stat),
        T(test_session_uidl_counts),
        T(test_session_retr_counts_octets),
        T(test_session_retr_in_one_byte_pieces),
        T(test_session_top_then_retr_skipped_when_empty),
        T(test_session_top_refused_is_command_error),
        T(test_session_every_refusal_quits),
        T(test_session_malformed_stat),
        T(test_session_garbage_reply),
        T(test_session_line_too_long),
        T(test_session_eof_mid_reply),
        T(test_session_unsolicited_data),
        T(test_session_fail_charges_current_phase),
        T(test_age_first_and_last),
        T(test_age_scans_all_when_few),
        T(test_age_future_dates),
        T(test_age_empty_maildrop),
        T(test_age_nothing_dated),
        T(test_age_then_top_and_refusal),
        T(test_age_first_seen_by_uidl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
