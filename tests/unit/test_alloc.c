/* SPDX-License-Identifier: MIT */
/* test_alloc.c - allocation failure in the core: each allocation of the
 * library (options, secret files, thresholds, results, probes, the multi
 * and its run nodes, the loop, libcurl's glue, the session) and then each of
 * libcurl's (through curl_global_init_mem) fails in turn. Every failure
 * must be reported (NULL, -1 or an internal-error result), never crash,
 * leak (run under LSan) or pass for a success. Built with -DP3_ALLOC_TEST.
 * Probes only go to loopback: a port where nothing listens, and a small
 * scripted POP3 server on a thread of this test. */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <unistd.h>

#include "../tools/loopback.h"
#include "curlm.h"
#include "internal.h"
#include "probe.h"
#include "session.h"

#define MAX_TRIES 100 /* more allocations than any one call makes */

static long curl_budget = -1;
static int timeouts;    /* probes that ended at their deadline */
static char seen[2048]; /* the internal errors the core's failures gave */

static int curl_denied(void)
{
    if (curl_budget < 0)
        return 0;
    if (curl_budget == 0)
        return 1;
    curl_budget--;
    return 0;
}

static void *t_malloc(size_t n)
{
    return curl_denied() ? NULL : malloc(n);
}

static void *t_realloc(void *p, size_t n)
{
    return curl_denied() ? NULL : realloc(p, n);
}

static char *t_strdup(const char *s)
{
    return curl_denied() ? NULL : strdup(s);
}

static void *t_calloc(size_t n, size_t size)
{
    return curl_denied() ? NULL : calloc(n, size);
}

/* ---- a scripted POP3 server: greeting, CAPA, USER/PASS, STAT, QUIT ---- */

struct server {
    int fd;
    unsigned short port;
    pthread_t thread;
};

static void say(int fd, const char *s)
{
    if (send(fd, s, strlen(s), MSG_NOSIGNAL) < 0) {
        /* the client went away */
    }
}

static void answer(int fd, const char *line)
{
    if (strncasecmp(line, "CAPA", 4) == 0)
        say(fd, "+OK\r\nUSER\r\n.\r\n");
    else if (strncasecmp(line, "STAT", 4) == 0)
        say(fd, "+OK 0 0\r\n");
    else if (strncasecmp(line, "USER ", 5) == 0 ||
             strncasecmp(line, "PASS ", 5) == 0)
        say(fd, "+OK\r\n");
    else if (strncasecmp(line, "QUIT", 4) == 0)
        say(fd, "+OK bye\r\n");
    else
        say(fd, "-ERR what?\r\n");
}

static void serve_one(int c)
{
    struct timeval tv = {5, 0};
    char buf[512];
    size_t have = 0;
    ssize_t n;

    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    say(c, "+OK fake POP3 ready\r\n");
    while ((n = recv(c, buf + have, sizeof buf - 1 - have, 0)) > 0) {
        char *nl;
        have += (size_t)n;
        buf[have] = '\0';
        while ((nl = strchr(buf, '\n')) != NULL) {
            *nl = '\0';
            answer(c, buf);
            if (strncasecmp(buf, "QUIT", 4) == 0)
                return;
            have -= (size_t)(nl + 1 - buf);
            memmove(buf, nl + 1, have + 1);
        }
        if (have == sizeof buf - 1)
            return;
    }
}

static void *serve(void *arg)
{
    struct server *s = arg;
    int c;

    while ((c = accept(s->fd, NULL, NULL)) >= 0) {
        serve_one(c);
        close(c);
    }
    return NULL;
}

static struct server server;

static int server_start(void)
{
    server.port = 0;
    server.fd = listen_loopback(&server.port);
    if (server.fd < 0)
        return -1;
    return pthread_create(&server.thread, NULL, serve, &server) == 0 ? 0 : -1;
}

static void server_stop(void)
{
    shutdown(server.fd, SHUT_RDWR); /* accept() returns */
    pthread_join(server.thread, NULL);
    close(server.fd);
}

/* ---- options ---- */

/* A port where nothing listens: bound, then closed. */
static int closed_port(void)
{
    unsigned short port = 0;
    int fd = listen_loopback(&port);

    assert_true(fd >= 0);
    close(fd);
    return port;
}

/* Every string option set, so that a copy allocates each. */
static struct pop3check_options *make_opts(int port, long tls, long timeout)
{
    struct pop3check_options *o = pop3check_options_new();

    assert_non_null(o);
    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_HOST, "127.0.0.1"), 0);
    assert_int_equal(pop3check_options_set_long(o, POP3CHECK_OPT_PORT, port),
                     0);
    assert_int_equal(pop3check_options_set_str(o, POP3CHECK_OPT_USER, "tim"),
                     0);
    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_PASSWORD, "tanstaaf"), 0);
    assert_int_equal(pop3check_options_set_str(o, POP3CHECK_OPT_CAFILE,
                                               "/nonexistent/ca.pem"),
                     0);
    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_SNI, "localhost"), 0);
    assert_int_equal(pop3check_options_set_long(o, POP3CHECK_OPT_TLS, tls), 0);
    assert_int_equal(
        pop3check_options_set_long(o, POP3CHECK_OPT_TIMEOUT_MS, timeout), 0);
    return o;
}

static void test_alloc_options_new(void **state)
{
    (void)state;
    p3_alloc_test_fail_after(0);
    assert_null(pop3check_options_new());
    p3_alloc_test_fail_after(-1);
}

static void test_alloc_options_dup(void **state)
{
    struct pop3check_options *o = make_opts(1, POP3CHECK_TLS_STLS, 300);
    struct pop3check_options *c = NULL;
    long n;

    (void)state;
    for (n = 0; n < MAX_TRIES && c == NULL; n++) {
        p3_alloc_test_fail_after(n);
        c = pop3check_options_dup(o);
        p3_alloc_test_fail_after(-1);
    }
    assert_non_null(c);
    assert_true(n > 5); /* the struct and its five strings */
    assert_string_equal(pop3check_options_get_str(c, POP3CHECK_OPT_SNI),
                        "localhost");
    pop3check_options_free(c);
    pop3check_options_free(o);
}

/* -1 with a reason, and the option keeps its value. */
static void test_alloc_options_set_str(void **state)
{
    struct pop3check_options *o = make_opts(1, POP3CHECK_TLS_NONE, 300);

    (void)state;
    p3_alloc_test_fail_after(0);
    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_HOST, "pop.example.org"),
        -1);
    assert_int_equal(
        pop3check_options_set_str(o, POP3CHECK_OPT_PASSWORD, "other"), -1);
    p3_alloc_test_fail_after(-1);
    assert_string_equal(pop3check_options_error(o), "out of memory");
    assert_string_equal(pop3check_options_get_str(o, POP3CHECK_OPT_HOST),
                        "127.0.0.1");
    assert_string_equal(o->v.password, "tanstaaf");
    /* Unsetting allocates nothing. */
    p3_alloc_test_fail_after(0);
    assert_int_equal(pop3check_options_set_str(o, POP3CHECK_OPT_SNI, NULL), 0);
    p3_alloc_test_fail_after(-1);
    pop3check_options_free(o);
}

/* ---- secret files ---- */

/* Reading a secret from files whose size stat cannot tell (procfs says
 * 0), so that the buffer grows: every failure says so, with nothing left
 * allocated. */
static void test_alloc_secret_read(void **state)
{
    static const char *const paths[] = {"/proc/self/personality",
                                        "/proc/self/io"};
    char err[256];

    (void)state;
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        char *s = NULL;
        long n;

        if (access(paths[i], R_OK) != 0)
            continue;
        for (n = 0; n < MAX_TRIES && s == NULL; n++) {
            p3_alloc_test_fail_after(n);
            s = pop3check_secret_read(paths[i], POP3CHECK_SECRET_WHOLE, 4096,
                                      NULL, err, sizeof err);
            p3_alloc_test_fail_after(-1);
            if (s == NULL && strstr(err, ": out of memory") == NULL)
                fail_msg("%s, allocation %ld: %s", paths[i], n, err);
        }
        assert_non_null(s);
        assert_true(n > 2); /* it grew from the one byte procfs gives */
        pop3check_secret_free(s);
    }
}

/* ---- thresholds, results ---- */

static void test_alloc_thresholds(void **state)
{
    struct pop3check_thresholds *t = pop3check_thresholds_new();

    (void)state;
    assert_non_null(t);
    p3_alloc_test_fail_after(0);
    assert_null(pop3check_thresholds_new());
    assert_null(pop3check_thresholds_dup(t));
    p3_alloc_test_fail_after(-1);
    pop3check_thresholds_free(t);
}

static void test_alloc_result_new(void **state)
{
    (void)state;
    p3_alloc_test_fail_after(0);
    assert_null(pop3check_result_new());
    p3_alloc_test_fail_after(-1);
}

/* ---- probes ---- */

static void test_alloc_probe_new_fails_cleanly(void **state)
{
    struct pop3check_options *o = make_opts(1, POP3CHECK_TLS_STLS, 300);
    int succeeded = 0;
    long n;

    (void)state;
    for (n = 0; n < MAX_TRIES && !succeeded; n++) {
        char err[128] = "";
        p3_alloc_test_fail_after(n);
        struct pop3check_probe *p = pop3check_probe_new(o, err, sizeof err);
        p3_alloc_test_fail_after(-1);
        if (p == NULL) {
            assert_string_equal(err, "out of memory");
            continue;
        }
        succeeded = 1;
        pop3check_probe_free(p);
    }
    assert_true(succeeded);
    assert_true(n > 5); /* the probe and its copies of the strings */
    pop3check_options_free(o);
}

/* ---- the engine's objects ---- */

static void test_alloc_loop_and_curlm_new(void **state)
{
    struct p3_loop *l;

    (void)state;
    p3_alloc_test_fail_after(0);
    assert_null(p3_loop_new());
    p3_alloc_test_fail_after(-1);
    l = p3_loop_new();
    assert_non_null(l);
    p3_alloc_test_fail_after(0);
    assert_null(p3_curlm_new(l));
    p3_alloc_test_fail_after(-1);
    p3_loop_free(l);
}

static void never_called(void *owner, int fd, unsigned events)
{
    (void)owner;
    (void)fd;
    (void)events;
    fail_msg("a watcher was called");
}

/* The first watch grows the loop's table: -1, then it works. */
static void test_alloc_loop_watch(void **state)
{
    struct p3_loop *l = p3_loop_new();
    int sv[2];

    (void)state;
    assert_non_null(l);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    p3_alloc_test_fail_after(0);
    assert_int_equal(p3_loop_watch(l, sv[0], P3_EV_IN, never_called, l), -1);
    p3_alloc_test_fail_after(-1);
    assert_int_equal(p3_loop_turn(l, 0), 0);
    assert_int_equal(p3_loop_watch(l, sv[0], P3_EV_IN, never_called, l), 0);
    p3_loop_unwatch(l, sv[0], l);
    p3_loop_free(l);
    close(sv[0]);
    close(sv[1]);
}

static void test_alloc_multi_new_fails_cleanly(void **state)
{
    struct pop3check_multi *m = NULL;
    long n;

    (void)state;
    for (n = 0; n < MAX_TRIES && m == NULL; n++) {
        p3_alloc_test_fail_after(n);
        m = pop3check_multi_new();
        p3_alloc_test_fail_after(-1);
    }
    assert_non_null(m);
    assert_true(n > 3); /* the multi, its loop, libcurl's glue */
    pop3check_multi_free(m);
}

/* The run node: -1, the probe is not taken, and can be added after. */
static void test_alloc_multi_add(void **state)
{
    struct pop3check_options *o = make_opts(closed_port(), 0, 5000);
    struct pop3check_probe *p = pop3check_probe_new(o, NULL, 0);
    struct pop3check_multi *m = pop3check_multi_new();

    (void)state;
    assert_non_null(p);
    assert_non_null(m);
    p3_alloc_test_fail_after(0);
    assert_int_equal(pop3check_multi_add(m, p, NULL, NULL), -1);
    p3_alloc_test_fail_after(-1);
    assert_false(p3_probe_running(p));
    assert_int_equal(pop3check_multi_run(m, -1), 0); /* nothing runs */
    assert_int_equal(pop3check_multi_add(m, p, NULL, NULL), 0);
    while (pop3check_multi_run(m, 1000) > 0)
        ;
    assert_int_equal(pop3check_result_error(pop3check_probe_result(p)),
                     POP3CHECK_E_CONNECT);
    pop3check_multi_free(m);
    pop3check_probe_free(p);
    pop3check_options_free(o);
}

static void test_alloc_session_new_fails_cleanly(void **state)
{
    struct pop3check_result r;
    struct p3_sess_config cfg = {.user = "tim", .password = "x"};

    (void)state;
    p3_result_init(&r);
    p3_alloc_test_fail_after(0);
    assert_null(p3_sess_new(&cfg, &r, "", 0));
    p3_alloc_test_fail_after(-1);
}

/* ---- whole runs ---- */

/* A run that could not even start says why, as an internal error, and
 * does not pretend the probe was busy. */
static void test_alloc_probe_run_without_a_loop(void **state)
{
    struct pop3check_options *o = make_opts(closed_port(), 0, 300);
    struct pop3check_probe *p = pop3check_probe_new(o, NULL, 0);
    char wrong[512] = "";

    (void)state;
    assert_non_null(p);
    for (long n = 0; n < 4; n++) { /* multi, loop, glue, run node */
        const struct pop3check_result *r;
        const char *text;
        char one[160];
        p3_alloc_test_fail_after(n);
        r = pop3check_probe_run(p);
        p3_alloc_test_fail_after(-1);
        text = pop3check_result_text(r, POP3CHECK_TEXT_ERROR);
        if (pop3check_result_error(r) == POP3CHECK_E_INTERNAL &&
            text[0] != '\0' && strstr(text, "running already") == NULL)
            continue;
        snprintf(one, sizeof one, " allocation %ld failing: %s: '%s';", n,
                 pop3check_error_name(pop3check_result_error(r)), text);
        p3_append(wrong, sizeof wrong, one, strlen(one));
    }
    pop3check_probe_free(p);
    pop3check_options_free(o);
    if (wrong[0] != '\0')
        fail_msg("%s", wrong);
}

/* 1 if the core's budget is used up (then an allocation may have been
 * denied), 0 if the run could have allocated more. */
static int core_budget_spent(void)
{
    void *probe = p3_calloc(1, 1);

    free(probe);
    return probe == NULL;
}

/* Runs the probe with the n-th allocation failing; 1 once none failed
 * and the run ended as it does without failures (clean). */
static int run_once(const struct pop3check_options *o, long core_n, long curl_n,
                    enum pop3check_error clean)
{
    struct pop3check_probe *p;
    const struct pop3check_result *r;
    enum pop3check_error e;
    int denied;

    p = pop3check_probe_new(o, NULL, 0);
    assert_non_null(p);
    p3_alloc_test_fail_after(core_n);
    curl_budget = curl_n;
    r = pop3check_probe_run(p);
    denied = curl_budget == 0 || (core_n >= 0 && core_budget_spent());
    curl_budget = -1;
    p3_alloc_test_fail_after(-1);
    e = pop3check_result_error(r);
    /* Our own failures are reported at once, as internal errors; some of
     * libcurl's are silent inside it, and then the deadline must hold. */
    if (core_n >= 0 && e != clean && e != POP3CHECK_E_INTERNAL)
        fail_msg("allocation %ld failing: %s: %s", core_n,
                 pop3check_error_name(e),
                 pop3check_result_text(r, POP3CHECK_TEXT_ERROR));
    if (core_n >= 0 && e == POP3CHECK_E_INTERNAL) {
        const char *t = pop3check_result_text(r, POP3CHECK_TEXT_ERROR);
        if (strstr(seen, t) == NULL) {
            p3_append(seen, sizeof seen, t, strlen(t));
            p3_append(seen, sizeof seen, "\n", 1);
        }
    }
    if (e == POP3CHECK_E_TIMEOUT) {
        long ms = 0;
        assert_true(core_n < 0);
        assert_int_equal(
            pop3check_options_get_long(o, POP3CHECK_OPT_TIMEOUT_MS, &ms), 0);
        assert_true(pop3check_result_phase_us(r, POP3CHECK_PHASE_TOTAL) <
                    (int64_t)(ms + 500) * 1000);
        timeouts++;
    }
    if (e != POP3CHECK_E_OK)
        assert_true(pop3check_result_text(r, POP3CHECK_TEXT_ERROR)[0] != '\0');
    assert_true(pop3check_result_phase_us(r, POP3CHECK_PHASE_TOTAL) >= -1);
    pop3check_probe_free(p);
    return !denied && e == clean;
}

/* Nothing listens there: never a success. */
static void test_alloc_probe_run_core_failures(void **state)
{
    struct pop3check_options *o = make_opts(closed_port(), 0, 300);
    int clean = 0;

    (void)state;
    for (long n = 0; n < MAX_TRIES && !clean; n++)
        clean = run_once(o, n, -1, POP3CHECK_E_CONNECT);
    assert_true(clean);
    pop3check_options_free(o);
}

/* A whole dialog (login, STAT, QUIT): the session and the dialog's
 * watches fail in turn too. */
static void test_alloc_probe_run_dialog_core_failures(void **state)
{
    struct pop3check_options *o = make_opts(server.port, 0, 5000);
    int clean = 0;
    long n;

    (void)state;
    assert_int_equal(pop3check_options_set_str(o, POP3CHECK_OPT_SNI, NULL), 0);
    seen[0] = '\0';
    for (n = 0; n < MAX_TRIES && !clean; n++)
        clean = run_once(o, n, -1, POP3CHECK_E_OK);
    assert_true(clean);
    assert_true(n > 5); /* multi, loop, glue, run node, watch, session */
    print_message("core allocations per login probe: %ld; their failures "
                  "said:\n%s",
                  n - 1, seen);
    assert_non_null(strstr(seen, "cannot watch the socket"));
    assert_non_null(strstr(seen, "cannot take over the connection"));
    pop3check_options_free(o);
}

static void test_alloc_probe_run_curl_failures(void **state)
{
    struct pop3check_options *o =
        make_opts(closed_port(), POP3CHECK_TLS_STLS, 300);
    int clean = 0;
    long n;

    (void)state;
    for (n = 0; n < 2000 && !clean; n++)
        clean = run_once(o, -1, n, POP3CHECK_E_CONNECT);
    assert_true(clean); /* the loop reached a run with nothing denied */
    print_message("libcurl allocations per probe: %ld, ended by the "
                  "deadline: %d\n",
                  n - 1, timeouts);
    pop3check_options_free(o);
}

/* libcurl's failures during the greeting, CAPA and the dialog. */
static void test_alloc_probe_run_dialog_curl_failures(void **state)
{
    struct pop3check_options *o = make_opts(server.port, 0, 1000);
    int clean = 0;
    long n;

    (void)state;
    assert_int_equal(pop3check_options_set_str(o, POP3CHECK_OPT_SNI, NULL), 0);
    timeouts = 0;
    for (n = 0; n < 4000 && !clean; n++)
        clean = run_once(o, -1, n, POP3CHECK_E_OK);
    assert_true(clean);
    print_message("libcurl allocations per login probe: %ld, ended by the "
                  "deadline: %d\n",
                  n - 1, timeouts);
    pop3check_options_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_options_new),
        cmocka_unit_test(test_alloc_options_dup),
        cmocka_unit_test(test_alloc_options_set_str),
        cmocka_unit_test(test_alloc_secret_read),
        cmocka_unit_test(test_alloc_thresholds),
        cmocka_unit_test(test_alloc_result_new),
        cmocka_unit_test(test_alloc_probe_new_fails_cleanly),
        cmocka_unit_test(test_alloc_loop_and_curlm_new),
        cmocka_unit_test(test_alloc_loop_watch),
        cmocka_unit_test(test_alloc_multi_new_fails_cleanly),
        cmocka_unit_test(test_alloc_multi_add),
        cmocka_unit_test(test_alloc_session_new_fails_cleanly),
        cmocka_unit_test(test_alloc_probe_run_without_a_loop),
        cmocka_unit_test(test_alloc_probe_run_core_failures),
        cmocka_unit_test(test_alloc_probe_run_dialog_core_failures),
        cmocka_unit_test(test_alloc_probe_run_curl_failures),
        cmocka_unit_test(test_alloc_probe_run_dialog_curl_failures),
    };
    int rc;

    if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, t_malloc, free, t_realloc,
                             t_strdup, t_calloc) != CURLE_OK)
        return 1;
    if (server_start() != 0)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    server_stop();
    curl_global_cleanup();
    return rc;
}
