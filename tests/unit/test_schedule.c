/* SPDX-License-Identifier: MIT */
/* test_schedule.c - the scheduler of the config's targets
 * (exporters/common/schedule.c): first probes spread, later ones keep
 * their phase, a tick starts only what is due (the waiting targets are a
 * heap on their due time), a target comes back when its probe ends, and
 * a reload or a stop while probes run loses nothing and frees everything,
 * a round-trip target counts its failures, a target keeps its history,
 * its last log and since when its state holds. The probes go to a closed
 * loopback port: refused at once. */
#define _DEFAULT_SOURCE /* mkstemp, before any system header */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "schedule.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* A port nothing listens on: bound, then closed. */
static unsigned closed_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static struct p3x_config *config(size_t n, const char *interval)
{
    size_t cap = 256 + n * 96;
    char *yaml = malloc(cap), err[256];
    size_t len = (size_t)snprintf(yaml, cap,
                                  "modules:\n  banner:\n    timeout: 2s\n"
                                  "targets:%s\n",
                                  n ? "" : " []");
    unsigned port = closed_port();
    struct p3x_config *c = NULL;

    assert_non_null(yaml);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(yaml + len, cap - len,
                                "  - { name: t%05zu, target: \"127.0.0.1:%u\", "
                                "module: banner, interval: %s }\n",
                                i, port, interval);
    if (p3x_config_parse(yaml, len, "s.yml", &c, err, sizeof err) != 0)
        fail_msg("config: %s", err);
    free(yaml);
    return c;
}

/* Every waiting target is at its place and none is due before its parent. */
static void heap_ok(const struct p3x_schedule *s)
{
    const struct p3x_due *d = s->due;

    for (size_t i = 0; i < d->n; i++) {
        assert_int_equal(d->v[i]->due_at, i);
        assert_false(d->v[i]->running);
        if (i > 0)
            assert_true(d->v[(i - 1) / 2]->next_due <= d->v[i]->next_due);
    }
}

static size_t running(const struct p3x_schedule *s)
{
    size_t n = 0;

    for (size_t i = 0; i < s->n; i++)
        n += s->t[i]->running != 0;
    return n;
}

static void drain(struct pop3check_multi *m)
{
    for (int i = 0; i < 500 && pop3check_multi_run(m, 20) > 0; i++)
        ;
    assert_int_equal(pop3check_multi_run(m, 0), 0);
}

static void test_schedule_first_probes_spread(void **state)
{
    struct p3x_config *c = config(5, "1s");
    struct p3x_schedule s;
    char err[256];
    int64_t t0;

    (void)state;
    t0 = p3x_now_ms();
    assert_int_equal(p3x_schedule_build(&s, c, NULL, &lock, err, sizeof err),
                     0);
    assert_int_equal(s.n, 5);
    /* 10 ms apart (five targets fit 100 times in a second). */
    for (size_t i = 0; i < s.n; i++) {
        int64_t d = s.t[i]->next_due - t0 - (int64_t)i * 10;
        assert_true(d >= 0 && d <= 5);
    }
    heap_ok(&s);
    p3x_schedule_free(&s);
    p3x_config_free(c);
}

static void test_schedule_many_targets_fit_the_interval(void **state)
{
    struct p3x_config *c = config(2000, "10s");
    struct p3x_schedule s;
    char err[256];
    int64_t first, last;

    (void)state;
    assert_int_equal(p3x_schedule_build(&s, c, NULL, &lock, err, sizeof err),
                     0);
    first = s.t[0]->next_due;
    last = s.t[s.n - 1]->next_due;
    /* 2000 in 10 s: 5 ms apart, the last one due within the interval. */
    assert_true(last - first >= 9990 - 5 && last - first < 10000);
    heap_ok(&s);
    p3x_schedule_free(&s);
    p3x_config_free(c);
}

static void test_schedule_tick_starts_only_due(void **state)
{
    struct p3x_config *c = config(5, "1s");
    struct pop3check_multi *m = pop3check_multi_new();
    struct p3x_schedule s;
    char err[256];
    int64_t due0, wait;

    (void)state;
    assert_non_null(m);
    assert_int_equal(p3x_schedule_build(&s, c, NULL, &lock, err, sizeof err),
                     0);
    due0 = s.t[0]->next_due;
    wait = p3x_schedule_tick(&s, m, due0, 1000);
    assert_int_equal(running(&s), 1);
    assert_true(s.t[0]->running);
    assert_true(wait > 0 && wait <= 10);
    assert_int_equal(s.due->n, 4);
    heap_ok(&s);
    /* The next interval, same phase. */
    assert_int_equal(s.t[0]->next_due, due0 + 1000);
    p3x_schedule_tick(&s, m, due0 + 25, 1000);
    assert_int_equal(running(&s), 3);
    assert_true(s.t[1]->running && s.t[2]->running && !s.t[3]->running);
    drain(m);
    /* Each came back to wait for its next turn. */
    assert_int_equal(running(&s), 0);
    assert_int_equal(s.due->n, 5);
    heap_ok(&s);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(s.t[i]->probes_total, 1);
        assert_int_equal(s.t[i]->errors_total[POP3CHECK_E_CONNECT], 1);
        assert_true(s.t[i]->lag_ms >= 0);
    }
    assert_int_equal(s.t[3]->probes_total, 0);
    assert_int_equal(s.t[3]->lag_ms, -1);
    p3x_schedule_tick(&s, m, due0 + 45, 1000); /* t3 and t4 */
    assert_int_equal(running(&s), 2);
    drain(m);
    /* Nothing due until t0's second turn: the wait is up to it. */
    wait = p3x_schedule_tick(&s, m, due0 + 500, 5000);
    assert_int_equal(running(&s), 0);
    assert_ptr_equal(s.due->v[0], s.t[0]);
    assert_int_equal(wait, 500);
    p3x_schedule_free(&s);
    pop3check_multi_free(m);
    p3x_config_free(c);
}

static void test_schedule_no_targets(void **state)
{
    struct p3x_config *c = config(0, "1s");
    struct pop3check_multi *m = pop3check_multi_new();
    struct p3x_schedule s;
    char err[256];

    (void)state;
    memset(&s, 0xa5, sizeof s); /* as an uninitialised one on the stack */
    assert_int_equal(p3x_schedule_build(&s, c, NULL, &lock, err, sizeof err),
                     0);
    assert_int_equal(s.n, 0);
    assert_int_equal(p3x_schedule_tick(&s, m, p3x_now_ms(), 700), 700);
    p3x_schedule_retire(&s);
    pop3check_multi_free(m);
    p3x_config_free(c);
}

static void test_schedule_late_target_starts_anew(void **state)
{
    struct p3x_config *c = config(1, "1s");
    struct pop3check_multi *m = pop3check_multi_new();
    struct p3x_schedule s;
    char err[256];
    int64_t before;

    (void)state;
    assert_int_equal(p3x_schedule_build(&s, c, NULL, &lock, err, sizeof err),
                     0);
    s.t[0]->next_due -= 5000; /* five intervals late (a suspended machine) */
    before = p3x_now_ms();
    p3x_schedule_tick(&s, m, before, 1000);
    assert_true(s.t[0]->running);
    assert_true(s.t[0]->lag_ms >= 5000);
    assert_true(s.t[0]->next_due >= before + 1000);
    drain(m);
    p3x_schedule_free(&s);
    pop3check_multi_free(m);
    p3x_config_free(c);
}

static void test_schedule_reload_keeps_phase_and_counts(void **state)
{
    struct p3x_config *c = config(3, "1s"), *c2 = config(4, "1s");
    struct pop3check_multi *m = pop3check_multi_new();
    struct p3x_schedule s, fresh;
    char err[256];
    int64_t due1;

    (void)state;
    assert_int_equal(p3x_schedule_build(&s, c, NULL, &lock, err, sizeof err),
                     0);
    p3x_schedule_tick(&s, m, s.t[2]->next_due, 1000); /* all three run */
    drain(m);
    due1 = s.t[1]->next_due;
    p3x_schedule_tick(&s, m, s.t[0]->next_due, 1000); /* t0 runs again */
    assert_true(s.t[0]->running);
    assert_int_equal(p3x_schedule_build(&fresh, c2, &s, &lock, err, sizeof err),
                     0);
    p3x_schedule_retire(&s); /* t0's old probe still runs: freed at its end */
    assert_int_equal(fresh.n, 4);
    assert_int_equal(fresh.t[1]->next_due, due1);
    assert_int_equal(fresh.t[1]->probes_total, 1);
    heap_ok(&fresh);
    drain(m); /* the retired target ends and is freed (ASan would tell) */
    assert_int_equal(fresh.due->n, 4);
    p3x_schedule_free(&fresh);
    pop3check_multi_free(m);
    p3x_config_free(c);
    p3x_config_free(c2);
}

/* A round-trip target, and a banner target beside it: only the first
 * has round-trip totals. Its SMTP server refuses the connection: a
 * submission failure, no delivery, nothing deleted; a reload keeps the
 * totals. */
static void test_schedule_round_trip_totals(void **state)
{
    char pw[] = "/tmp/test_schedule_pw_XXXXXX", yaml[1024], err[256];
    struct pop3check_multi *m = pop3check_multi_new();
    struct p3x_config *c = NULL;
    struct p3x_schedule s, fresh;
    const struct p3x_trip_totals *tt;
    unsigned port = closed_port();
    int fd = mkstemp(pw);
    int len;

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "pw\n", 3), 3);
    close(fd);
    len =
        snprintf(yaml, sizeof yaml,
                 "modules:\n  banner: {}\n  trip:\n"
                 "    user: u\n    password_file: %s\n    timeout: 2s\n"
                 "    round_trip:\n      smtp_host: 127.0.0.1\n"
                 "      smtp_port: %u\n      smtp_tls: none\n"
                 "      mail_from: u@example.test\n"
                 "      rcpt_to: u@example.test\n"
                 "targets:\n"
                 "  - { name: rt, target: \"127.0.0.1:%u\", module: trip }\n"
                 "  - { name: b, target: \"127.0.0.1:%u\", module: banner }\n",
                 pw, port, port, port);
    assert_true(len > 0 && (size_t)len < sizeof yaml);
    if (p3x_config_parse(yaml, (size_t)len, "s.yml", &c, err, sizeof err))
        fail_msg("config: %s", err);
    assert_int_equal(p3x_schedule_build(&s, c, NULL, &lock, err, sizeof err),
                     0);
    assert_non_null(s.t[0]->trip);
    assert_null(s.t[1]->trip);
    p3x_schedule_tick(&s, m, s.t[1]->next_due, 1000);
    drain(m);
    tt = s.t[0]->trip;
    assert_int_equal(s.t[0]->probes_total, 1);
    assert_int_equal(s.t[0]->errors_total[POP3CHECK_E_CONNECT], 1);
    assert_int_equal(pop3check_result_failed_phase(s.t[0]->last),
                     POP3CHECK_PHASE_SMTP_CONNECT);
    assert_int_equal(tt->submission_failures, 1);
    assert_int_equal(tt->not_delivered, 0);
    assert_int_equal(tt->deliveries, 0);
    assert_int_equal(tt->stale_cleaned, 0);
    for (size_t i = 0; i <= P3X_TRIP_BUCKETS; i++)
        assert_int_equal(tt->delivered[i], 0);
    assert_int_equal(p3x_schedule_build(&fresh, c, &s, &lock, err, sizeof err),
                     0);
    p3x_schedule_retire(&s);
    assert_int_equal(fresh.t[0]->trip->submission_failures, 1);
    p3x_schedule_free(&fresh);
    pop3check_multi_free(m);
    p3x_config_free(c);
    unlink(pw);
}

/* What the status page shows of a target: each probe a point of its
 * history (the oldest overwritten after P3X_SCHED_HISTORY), since when
 * its state holds, why, and the log of its last probe, kept only when
 * asked; a reload keeps all of it; p3x_schedule_find names it. */
static void test_schedule_history_and_log(void **state)
{
    struct p3x_config *c = config(2, "1s");
    struct pop3check_multi *m = pop3check_multi_new();
    struct p3x_schedule s, fresh;
    const struct p3x_sched_target *t;
    char err[256];
    int64_t since;
    size_t first_len = 0;

    (void)state;
    assert_int_equal(p3x_schedule_build(&s, c, NULL, &lock, err, sizeof err),
                     0);
    p3x_schedule_keep_logs(&s);
    s.t[1]->keep_logs = 0; /* as the SNMP agent: nothing kept */
    for (int i = 0; i < P3X_SCHED_HISTORY + 2; i++) {
        if (i == 1)
            first_len = s.t[0]->last_log.len;
        p3x_schedule_tick(&s, m,
                          s.t[0]->next_due > s.t[1]->next_due
                              ? s.t[0]->next_due
                              : s.t[1]->next_due,
                          1000);
        drain(m);
    }
    t = p3x_schedule_find(&s, "t00000");
    assert_ptr_equal(t, s.t[0]);
    assert_null(p3x_schedule_find(&s, "t0000"));
    assert_int_equal(t->probes_total, P3X_SCHED_HISTORY + 2);
    assert_int_equal(t->state, POP3CHECK_STATE_CRITICAL);
    for (int k = 0; k < P3X_SCHED_HISTORY; k++) {
        assert_int_equal(t->hist[k].state, POP3CHECK_STATE_CRITICAL);
        assert_int_equal(t->hist[k].error, POP3CHECK_E_CONNECT);
        assert_true(t->hist[k].total_us >= 0);
        assert_int_equal(t->hist[k].delivery_us, -1);
        assert_true(t->hist[k].started >= t->since);
    }
    /* the newest point is the last result's */
    assert_int_equal(
        t->hist[(t->probes_total - 1) % P3X_SCHED_HISTORY].started,
        pop3check_result_figure(t->last, POP3CHECK_FIG_STARTED_AT));
    assert_non_null(strstr(t->reason, "onnection refused"));
    assert_non_null(t->last_log.text);
    assert_non_null(strstr(t->last_log.text, "* "));
    /* one probe's lines, not every probe's */
    assert_true(t->last_log.len < first_len + first_len / 2);
    assert_null(s.t[1]->last_log.text);
    assert_int_equal(s.t[1]->trace.len, 0);
    assert_string_equal(t->host, s.t[0]->host);
    assert_non_null(strstr(t->host, "127.0.0.1:"));
    assert_string_equal(t->module, "banner");
    since = t->since;
    assert_true(since > 0);
    assert_int_equal(p3x_schedule_build(&fresh, c, &s, &lock, err, sizeof err),
                     0);
    p3x_schedule_retire(&s);
    t = p3x_schedule_find(&fresh, "t00000");
    assert_non_null(t);
    assert_int_equal(t->since, since);
    assert_non_null(strstr(t->reason, "onnection refused"));
    assert_int_equal(t->hist[3].error, POP3CHECK_E_CONNECT);
    assert_non_null(t->last_log.text);
    p3x_schedule_free(&fresh);
    pop3check_multi_free(m);
    p3x_config_free(c);
}

/* Sleeps until time(2) has moved to the next second: results that
 * start in different seconds. */
static void next_second(void)
{
    const time_t t0 = time(NULL);
    const struct timespec step = {0, 20 * 1000 * 1000};

    while (time(NULL) == t0)
        nanosleep(&step, NULL);
}

/* One probe of target 0, run to its end. */
static void probe_once(struct p3x_schedule *s, struct pop3check_multi *m)
{
    p3x_schedule_tick(s, m, s->t[0]->next_due, 1000);
    drain(m);
}

/* "since" is when the state last changed: a second result in the same
 * state, a second later, leaves it; a change of state moves it to the
 * start of the result that changed it. */
static void test_schedule_since_follows_state_changes(void **state)
{
    struct p3x_config *c = config(1, "1s");
    struct pop3check_multi *m = pop3check_multi_new();
    struct p3x_schedule s;
    struct p3x_sched_target *t;
    char err[256];
    int64_t since;

    (void)state;
    assert_int_equal(p3x_schedule_build(&s, c, NULL, &lock, err, sizeof err),
                     0);
    t = s.t[0];
    probe_once(&s, m);
    assert_int_equal(t->probes_total, 1);
    since = t->since;
    assert_true(since > 0);
    assert_int_equal(since, t->hist[0].started);

    next_second();
    probe_once(&s, m);
    assert_int_equal(t->probes_total, 2);
    assert_int_equal(t->state, POP3CHECK_STATE_CRITICAL);
    assert_true(t->hist[1].started > since);
    assert_int_equal(t->since, since);

    /* as if the last result had been OK: this CRITICAL one is a change */
    t->state = POP3CHECK_STATE_OK;
    next_second();
    probe_once(&s, m);
    assert_int_equal(t->probes_total, 3);
    assert_int_equal(t->state, POP3CHECK_STATE_CRITICAL);
    assert_true(t->hist[2].started > t->hist[1].started);
    assert_int_equal(t->since, t->hist[2].started);

    p3x_schedule_free(&s);
    pop3check_multi_free(m);
    p3x_config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule_first_probes_spread),
        cmocka_unit_test(test_schedule_many_targets_fit_the_interval),
        cmocka_unit_test(test_schedule_tick_starts_only_due),
        cmocka_unit_test(test_schedule_no_targets),
        cmocka_unit_test(test_schedule_late_target_starts_anew),
        cmocka_unit_test(test_schedule_reload_keeps_phase_and_counts),
        cmocka_unit_test(test_schedule_round_trip_totals),
        cmocka_unit_test(test_schedule_history_and_log),
        cmocka_unit_test(test_schedule_since_follows_state_changes),
    };
    char err[256];

    if (pop3check_global_init(err, sizeof err) != 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
