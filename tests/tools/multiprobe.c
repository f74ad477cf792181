/* SPDX-License-Identifier: MIT */
/* multiprobe.c - runs many probes at once on one thread through the
 * public multi API (libpop3check.so only) and checks every result: a
 * library user's view of what the exporter will do.
 * Usage: multiprobe HOST PORT USER PASSWORD_FILE MESSAGES STALL_PORT N [MECH]
 * N probes log in (with MECH, default "any") and STAT (want MESSAGES), N/4
 * more go to STALL_PORT and must time out at their deadline (DEADLINE_MS)
 * while the others complete. The deadline leaves room for a loaded
 * machine: 40 logins keep Dovecot's one auth process busy for a while. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pop3check.h"

#define DEADLINE_MS 3000

struct tally {
    int ok, timeouts, wrong;
    long want_messages;
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
    struct tally *t = ctx;

    (void)p;
    enum pop3check_error e = pop3check_result_error(r);

    if (e == POP3CHECK_E_OK &&
        pop3check_result_figure(r, POP3CHECK_FIG_MESSAGES) == t->want_messages)
        t->ok++;
    else if (e == POP3CHECK_E_TIMEOUT &&
             pop3check_result_phase_us(r, POP3CHECK_PHASE_TOTAL) <
                 (DEADLINE_MS + 500) * 1000L)
        t->timeouts++;
    else {
        t->wrong++;
        fprintf(stderr, "multiprobe: unexpected result: %s: %s\n",
                pop3check_error_name(e),
                pop3check_result_text(r, POP3CHECK_TEXT_ERROR));
    }
}

static int read_password(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");

    if (f == NULL || fgets(buf, (int)len, f) == NULL) {
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

int main(int argc, char **argv)
{
    struct pop3check_options *o;
    struct pop3check_probe *probes[2000];
    struct tally t = {0};
    char password[256], err[256];
    int n, stalled, total, mech = POP3CHECK_AUTH_ANY;
    double start;

    if ((argc != 8 && argc != 9) ||
        read_password(argv[4], password, sizeof password) ||
        (argc == 9 && (mech = pop3check_auth_from_name(argv[8])) < 0)) {
        fprintf(stderr, "usage: multiprobe HOST PORT USER PWFILE MESSAGES "
                        "STALL_PORT N [MECH]\n");
        return 2;
    }
    n = (int)strtol(argv[7], NULL, 10);
    stalled = n / 4;
    total = n + stalled;
    if (n < 1 || total > 2000)
        return 2;
    t.want_messages = strtol(argv[5], NULL, 10);
    if (pop3check_global_init(err, sizeof err) != 0) {
        fprintf(stderr, "multiprobe: %s\n", err);
        return 1;
    }
    struct pop3check_multi *m = pop3check_multi_new();
    o = pop3check_options_new();
    if (m == NULL || o == NULL ||
        pop3check_options_set_str(o, POP3CHECK_OPT_HOST, argv[1]) ||
        pop3check_options_set_str(o, POP3CHECK_OPT_USER, argv[3]) ||
        pop3check_options_set_str(o, POP3CHECK_OPT_PASSWORD, password) ||
        pop3check_options_set_long(o, POP3CHECK_OPT_AUTH, mech) ||
        pop3check_options_set_long(o, POP3CHECK_OPT_TIMEOUT_MS, DEADLINE_MS)) {
        fprintf(stderr, "multiprobe: cannot set the options\n");
        return 1;
    }
    for (int i = 0; i < total; i++) {
        pop3check_options_set_long(o, POP3CHECK_OPT_PORT,
                                   strtol(i < n ? argv[2] : argv[6], NULL, 10));
        probes[i] = pop3check_probe_new(o, err, sizeof err);
        if (probes[i] == NULL ||
            pop3check_multi_add(m, probes[i], on_done, &t)) {
            fprintf(stderr, "multiprobe: %s\n", err);
            return 1;
        }
    }
    start = now_s();
    while (pop3check_multi_run(m, 1000) > 0)
        ;
    printf("multiprobe: %d probes in %.3f s on one thread: %d ok, %d timed "
           "out at their deadline, %d wrong\n",
           total, now_s() - start, t.ok, t.timeouts, t.wrong);
    pop3check_multi_free(m);
    pop3check_options_free(o);
    for (int i = 0; i < total; i++)
        pop3check_probe_free(probes[i]);
    pop3check_global_cleanup();
    return (t.ok == n && t.timeouts == stalled && t.wrong == 0) ? 0 : 1;
}
