/* SPDX-License-Identifier: MIT */
/* probeloop.c - the in-process counterpart of popclient's COUNT mode: runs
 * COUNT probes (USER/PASS login, STAT, LIST, RETR 1, QUIT) one after the
 * other through libpop3check and prints the median probe in microseconds,
 * so that the engine is measured without process start-up. With MECH
 * ("scram-sha-256", ...) it logs in with that mechanism, and prints the
 * transcript's SCRAM lines ("info: SCRAM-SHA-256: 4096 iterations, keys
 * derived now"), which show whether a probe kept its keys from run to run.
 * Usage: probeloop HOST PORT USER PASSWORD_FILE COUNT [MECH] */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pop3check.h"

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;

    return (x > y) - (x < y);
}

static int read_password(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    int rc = -1;

    if (f == NULL)
        return -1;
    if (fgets(buf, (int)len, f) != NULL) {
        buf[strcspn(buf, "\r\n")] = '\0';
        rc = 0;
    }
    fclose(f);
    return rc;
}

static void trace(void *ctx, enum pop3check_trace_dir dir, const char *line,
                  size_t len)
{
    (void)ctx;
    if (dir == POP3CHECK_TRACE_INFO && len > 5 && memcmp(line, "SCRAM", 5) == 0)
        printf("info: %.*s\n", (int)len, line);
}

int main(int argc, char **argv)
{
    struct pop3check_options *o;
    struct pop3check_probe *p;
    char password[256], err[256];
    long count, *us;
    int mech = POP3CHECK_AUTH_USER;

    if ((argc != 6 && argc != 7) ||
        read_password(argv[4], password, sizeof password) ||
        (count = strtol(argv[5], NULL, 10)) < 1 || count > 100000 ||
        (argc == 7 && (mech = pop3check_auth_from_name(argv[6])) < 0)) {
        fprintf(stderr,
                "usage: probeloop HOST PORT USER PWFILE COUNT [MECH]\n");
        return 2;
    }
    us = calloc((size_t)count, sizeof *us);
    if (pop3check_global_init(err, sizeof err) != 0 ||
        (o = pop3check_options_new()) == NULL) {
        fprintf(stderr, "probeloop: %s\n", err);
        return 1;
    }
    if (pop3check_options_set_str(o, POP3CHECK_OPT_HOST, argv[1]) ||
        pop3check_options_set_long(o, POP3CHECK_OPT_PORT,
                                   strtol(argv[2], NULL, 10)) ||
        pop3check_options_set_str(o, POP3CHECK_OPT_USER, argv[3]) ||
        pop3check_options_set_str(o, POP3CHECK_OPT_PASSWORD, password) ||
        pop3check_options_set_long(o, POP3CHECK_OPT_AUTH, mech) ||
        pop3check_options_set_long(o, POP3CHECK_OPT_LIST, 1) ||
        pop3check_options_set_long(o, POP3CHECK_OPT_RETR, 1)) {
        fprintf(stderr, "probeloop: %s\n", pop3check_options_error(o));
        return 1;
    }
    if (argc == 7)
        pop3check_options_set_trace(o, trace, NULL);
    p = pop3check_probe_new(o, err, sizeof err);
    pop3check_options_free(o);
    if (p == NULL || us == NULL) {
        fprintf(stderr, "probeloop: %s\n", p ? "out of memory" : err);
        return 1;
    }
    for (long i = 0; i < count; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        const struct pop3check_result *r = pop3check_probe_run(p);
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (pop3check_result_error(r) != POP3CHECK_E_OK) {
            fprintf(stderr, "probeloop: %s\n",
                    pop3check_result_text(r, POP3CHECK_TEXT_ERROR));
            return 1;
        }
        us[i] =
            (b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000;
    }
    qsort(us, (size_t)count, sizeof *us, cmp_long);
    printf("median_us %ld\n", us[count / 2]);
    free(us);
    pop3check_probe_free(p);
    pop3check_global_cleanup();
    return 0;
}
