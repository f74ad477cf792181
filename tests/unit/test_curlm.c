/* SPDX-License-Identifier: MIT */
/* test_curlm.c - the multi handle that the probes of a loop share: a
 * CONNECT_ONLY connection with a reply not yet read survives another
 * transfer's new connection a second later (libcurl 8 prunes such
 * connections from a shared pool as "dead"; each easy handle has its own
 * pool now). Against a listening socket of the test on 127.0.0.1. */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "curlm.h"
#include "loop.h"

struct transfer {
    CURL *easy;
    CURLSH *pool;
    struct p3_curl_owner owner;
    int done, code;
};

static void on_event(void *owner, enum p3_curl_event ev, int code)
{
    struct transfer *t = owner;

    assert_int_equal(ev, P3_CURL_DONE);
    t->done = 1;
    t->code = code;
}

static int gone;

static void on_watch(void *owner, int fd, unsigned events)
{
    (void)owner;
    (void)fd;
    if (events & P3_EV_GONE)
        gone = 1;
}

static void start(struct p3_curlm *m, struct transfer *t, int port)
{
    char url[64];

    memset(t, 0, sizeof *t);
    t->owner = (struct p3_curl_owner){on_event, t};
    t->easy = curl_easy_init();
    assert_non_null(t->easy);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
    assert_int_equal(p3_curlm_prepare(m, t->easy, &t->pool), 0);
    assert_int_equal(curl_easy_setopt(t->easy, CURLOPT_URL, url), CURLE_OK);
    assert_int_equal(curl_easy_setopt(t->easy, CURLOPT_CONNECT_ONLY, 1L),
                     CURLE_OK);
    assert_int_equal(p3_curlm_add(m, t->easy, &t->owner), 0);
}

static void run_until_done(struct p3_loop *l, struct transfer *t)
{
    for (int i = 0; i < 500 && !t->done; i++)
        assert_int_equal(p3_loop_turn(l, 10), 0);
    assert_true(t->done);
    assert_int_equal(t->code, CURLE_OK);
}

static void finish(struct p3_curlm *m, struct transfer *t)
{
    p3_curlm_remove(m, t->easy);
    curl_easy_cleanup(t->easy);
    p3_curlm_release(t->pool);
}

static void test_curlm_unread_reply_survives_a_new_connection(void **state)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t salen = sizeof sa;
    int lfd = socket(AF_INET, SOCK_STREAM, 0), afd;
    struct p3_loop *l = p3_loop_new();
    struct p3_curlm *m = p3_curlm_new(l);
    struct transfer a, b;
    curl_socket_t fd = CURL_SOCKET_BAD;
    char buf[64];
    size_t n = 0;

    (void)state;
    assert_non_null(m);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(lfd, 4), 0);
    assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &salen), 0);

    start(m, &a, ntohs(sa.sin_port));
    run_until_done(l, &a);
    afd = accept(lfd, NULL, NULL);
    assert_true(afd >= 0);
    assert_int_equal(write(afd, "+OK unread\r\n", 12), 12);
    assert_int_equal(curl_easy_getinfo(a.easy, CURLINFO_ACTIVESOCKET, &fd),
                     CURLE_OK);
    assert_true(fd != CURL_SOCKET_BAD);
    /* Watched as a dialog watches it, and not read. */
    assert_int_equal(p3_loop_watch(l, (int)fd, 0, on_watch, &a), 0);
    usleep(1100 * 1000); /* libcurl prunes its pool at most once a second */

    start(m, &b, ntohs(sa.sin_port));
    run_until_done(l, &b);
    assert_false(gone);
    assert_int_equal(curl_easy_recv(a.easy, buf, sizeof buf, &n), CURLE_OK);
    assert_int_equal(n, 12);
    assert_memory_equal(buf, "+OK unread\r\n", 12);

    p3_loop_unwatch(l, (int)fd, &a);
    finish(m, &a);
    finish(m, &b);
    p3_curlm_free(m);
    p3_loop_free(l);
    close(afd);
    close(lfd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_curlm_unread_reply_survives_a_new_connection),
    };
    int rc;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
