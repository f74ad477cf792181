/* SPDX-License-Identifier: MIT */
/* test_dialog.c - the dialog (checks/dialog.c) driving a real session over
 * a socketpair through a test transport: the designed-in seam that lets
 * partial writes, transport errors, a peer that hangs up and a socket
 * closed under the dialog be produced on purpose. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dialog.h"

struct fake {
    int fd;          /* the dialog's end */
    int again_sends; /* this many sends say AGAIN first */
    int fail_recv;   /* recv fails */
    size_t max_send; /* at most this much per send (0: all) */
};

static enum p3_io_rc fake_send(void *ctx, const char *buf, size_t len,
                               size_t *done, char *err, size_t errlen)
{
    struct fake *f = ctx;
    ssize_t n;

    (void)err;
    (void)errlen;
    *done = 0;
    if (f->again_sends > 0) {
        f->again_sends--;
        return P3_IO_AGAIN;
    }
    if (f->max_send && len > f->max_send)
        len = f->max_send;
    n = send(f->fd, buf, len, MSG_NOSIGNAL);
    if (n < 0)
        return errno == EAGAIN ? P3_IO_AGAIN : P3_IO_ERROR;
    *done = (size_t)n;
    return P3_IO_OK;
}

static enum p3_io_rc fake_recv(void *ctx, char *buf, size_t len, size_t *done,
                               char *err, size_t errlen)
{
    struct fake *f = ctx;
    ssize_t n;

    *done = 0;
    if (f->fail_recv) {
        p3_format(err, errlen, "receiving: connection reset by test");
        return P3_IO_ERROR;
    }
    n = recv(f->fd, buf, len, 0);
    if (n < 0)
        return errno == EAGAIN ? P3_IO_AGAIN : P3_IO_ERROR;
    *done = (size_t)n;
    return P3_IO_OK;
}

struct rig {
    struct p3_loop *loop;
    int sv[2]; /* sv[0] the dialog's, sv[1] the test's "server" */
    struct fake fake;
    struct pop3check_result r;
    struct p3_session *sess;
    struct p3_dialog d;
    int woken;
};

static void on_wake(void *ctx)
{
    struct rig *g = ctx;

    g->woken++;
}

static int setup(void **state)
{
    static struct rig g;
    struct p3_sess_config cfg = {.user = NULL, .auth = POP3CHECK_AUTH_ANY};

    memset(&g, 0, sizeof g);
    g.loop = p3_loop_new();
    if (g.loop == NULL || socketpair(AF_UNIX, SOCK_STREAM, 0, g.sv) != 0)
        return -1;
    fcntl(g.sv[0], F_SETFL, O_NONBLOCK);
    g.fake.fd = g.sv[0];
    p3_result_init(&g.r);
    g.sess = p3_sess_new(&cfg, &g.r, "", p3_now_us());
    *state = &g;
    return g.sess ? 0 : -1;
}

static int teardown(void **state)
{
    struct rig *g = *state;

    p3_dialog_stop(&g->d);
    p3_sess_free(g->sess);
    close(g->sv[0]);
    close(g->sv[1]);
    p3_loop_free(g->loop);
    return 0;
}

static void start(struct rig *g)
{
    struct p3_transport tr = {fake_send, fake_recv, &g->fake};

    p3_dialog_start(&g->d, g->loop, g->sv[0], &tr, g->sess, p3_now_us(),
                    on_wake, g);
}

/* Turns the loop until the dialog ended or n turns passed. */
static void spin(struct rig *g, int n)
{
    while (!g->d.ended && n-- > 0)
        assert_int_equal(p3_loop_turn(g->loop, 200), 0);
}

/* What the dialog sent, as the server reads it. */
static void expect_sent(struct rig *g, const char *want)
{
    char buf[256];
    size_t have = 0;

    for (int i = 0; i < 50 && have < strlen(want); i++) {
        ssize_t n =
            recv(g->sv[1], buf + have, sizeof buf - 1 - have, MSG_DONTWAIT);
        if (n > 0)
            have += (size_t)n;
        else
            assert_int_equal(p3_loop_turn(g->loop, 20), 0);
    }
    buf[have] = '\0';
    assert_string_equal(buf, want);
}

static void reply(struct rig *g, const char *text)
{
    assert_int_equal(send(g->sv[1], text, strlen(text), 0),
                     (ssize_t)strlen(text));
}

static void test_dialog_quit_completes(void **state)
{
    struct rig *g = *state;

    start(g);
    expect_sent(g, "QUIT\r\n");
    assert_int_equal(g->d.ended, 0);
    reply(g, "+OK bye\r\n");
    spin(g, 20);
    assert_int_equal(g->d.ended, 1);
    assert_int_equal(g->woken, 1);
    assert_int_equal(g->r.error, POP3CHECK_E_OK);
    assert_true(g->r.phase_us[POP3CHECK_PHASE_QUIT] >= 0);
}

static void test_dialog_send_again_then_whole(void **state)
{
    struct rig *g = *state;

    g->fake.again_sends = 3; /* the socket is "full" three times */
    g->fake.max_send = 1;    /* then takes a byte at a time */
    start(g);
    expect_sent(g, "QUIT\r\n");
    reply(g, "+OK bye\r\n");
    spin(g, 20);
    assert_int_equal(g->r.error, POP3CHECK_E_OK);
    assert_int_equal(g->woken, 1);
}

static void test_dialog_peer_hangs_up(void **state)
{
    struct rig *g = *state;

    start(g);
    expect_sent(g, "QUIT\r\n");
    shutdown(g->sv[1], SHUT_WR);
    spin(g, 20);
    assert_int_equal(g->d.ended, 1);
    assert_int_equal(g->r.error, POP3CHECK_E_PROTOCOL);
    assert_string_equal(g->r.error_text, "QUIT: server closed the connection");
    assert_int_equal(g->r.failed_phase, POP3CHECK_PHASE_QUIT);
}

static void test_dialog_recv_error(void **state)
{
    struct rig *g = *state;

    start(g);
    expect_sent(g, "QUIT\r\n");
    g->fake.fail_recv = 1;
    reply(g, "+OK bye\r\n");
    spin(g, 20);
    assert_int_equal(g->r.error, POP3CHECK_E_PROTOCOL);
    assert_string_equal(g->r.error_text, "receiving: connection reset by test");
    assert_int_equal(g->woken, 1);
}

static void test_dialog_socket_gone(void **state)
{
    struct rig *g = *state;

    start(g);
    expect_sent(g, "QUIT\r\n");
    /* What libcurl's close-socket callback does (curlm.c). */
    p3_loop_forget(g->loop, g->sv[0]);
    assert_int_equal(g->d.ended, 1);
    assert_int_equal(g->d.fd, -1);
    assert_int_equal(g->woken, 1);
    assert_int_equal(g->r.error, POP3CHECK_E_PROTOCOL);
    assert_string_equal(g->r.error_text, "QUIT: server closed the connection");
}

static void test_dialog_garbage_after_quit(void **state)
{
    struct rig *g = *state;

    start(g);
    expect_sent(g, "QUIT\r\n");
    reply(g, "what?\r\n");
    spin(g, 20);
    assert_int_equal(g->r.error, POP3CHECK_E_PROTOCOL);
    assert_string_equal(g->r.error_text, "QUIT: unexpected reply \"what?\"");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_dialog_quit_completes), T(test_dialog_send_again_then_whole),
        T(test_dialog_peer_hangs_up),  T(test_dialog_recv_error),
        T(test_dialog_socket_gone),    T(test_dialog_garbage_after_quit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
