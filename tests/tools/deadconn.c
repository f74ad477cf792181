/* SPDX-License-Identifier: MIT */
/* deadconn.c - a probe whose server hangs up during the dialog while the
 * loop is not looking, then a second probe starts on the same loop. The
 * probes of a loop share one libcurl multi handle, whose connection
 * cache holds the first probe's connection; a libcurl that checks idle
 * connections when a transfer starts closes that dead one (Debian 12's
 * keeps it attached to its transfer once the dialog has used it, and
 * leaves it alone). Either way the first probe must end at once with
 * "server closed the connection", not run to its deadline, and the
 * second must not inherit its socket.
 * Usage: deadconn PORT (a "stallserver hangup" on 127.0.0.1) */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pop3check.h"

struct seen {
    int done;
    enum pop3check_error error;
    char text[256];
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_done(void *ctx, struct pop3check_probe *p,
                    const struct pop3check_result *r)
{
    struct seen *s = ctx;

    (void)p;
    s->done = 1;
    s->error = pop3check_result_error(r);
    snprintf(s->text, sizeof s->text, "%s",
             pop3check_result_text(r, POP3CHECK_TEXT_ERROR));
}

static void run_for(struct pop3check_multi *m, double seconds)
{
    double end = now_s() + seconds;

    while (now_s() < end)
        pop3check_multi_run(m, 50);
}

int main(int argc, char **argv)
{
    struct pop3check_options *o;
    struct seen a = {0}, b = {0};
    struct pop3check_probe *pa, *pb;
    struct pop3check_multi *m;
    char err[256];
    struct timespec pause = {.tv_sec = 2};
    double t0, took;
    int good;

    if (argc != 2) {
        fprintf(stderr, "usage: deadconn PORT\n");
        return 2;
    }
    if (pop3check_global_init(err, sizeof err) != 0 ||
        (o = pop3check_options_new()) == NULL ||
        pop3check_options_set_str(o, POP3CHECK_OPT_HOST, "127.0.0.1") ||
        pop3check_options_set_long(o, POP3CHECK_OPT_PORT,
                                   strtol(argv[1], NULL, 10)) ||
        pop3check_options_set_str(o, POP3CHECK_OPT_USER, "someone") ||
        pop3check_options_set_str(o, POP3CHECK_OPT_PASSWORD, "not-a-secret") ||
        pop3check_options_set_long(o, POP3CHECK_OPT_AUTH,
                                   POP3CHECK_AUTH_USER) ||
        pop3check_options_set_long(o, POP3CHECK_OPT_TIMEOUT_MS, 10000) ||
        (m = pop3check_multi_new()) == NULL ||
        (pa = pop3check_probe_new(o, err, sizeof err)) == NULL ||
        (pb = pop3check_probe_new(o, err, sizeof err)) == NULL) {
        fprintf(stderr, "deadconn: cannot set up\n");
        return 1;
    }
    pop3check_options_free(o);
    t0 = now_s();
    pop3check_multi_add(m, pa, on_done, &a);
    run_for(m, 0.5); /* A has sent USER; the server hangs up at 1 s */
    nanosleep(&pause, NULL);
    pop3check_multi_add(m, pb, on_done, &b);
    while (!a.done && now_s() < t0 + 15)
        pop3check_multi_run(m, 100);
    took = now_s() - t0;
    good = a.done && a.error == POP3CHECK_E_PROTOCOL &&
           strstr(a.text, "server closed the connection") != NULL && took < 4.0;
    printf("first probe: %s (%s) after %.2f s; want a protocol error "
           "\"server closed the connection\" before 4 s\n",
           a.done ? pop3check_error_name(a.error) : "not finished", a.text,
           took);
    while (pop3check_multi_run(m, 100) > 0)
        ;
    pop3check_probe_free(pa);
    pop3check_probe_free(pb);
    pop3check_multi_free(m);
    pop3check_global_cleanup();
    return good ? 0 : 1;
}
