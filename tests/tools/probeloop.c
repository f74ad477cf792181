/* SPDX-License-Identifier: MIT */
/* probeloop.c - the in-process counterpart of popclient's COUNT mode: runs
 * COUNT probes (USER/PASS login, STAT, LIST, RETR 1, QUIT) one after the
 * other through libpop3check and prints the median probe in microseconds,
 * so that the engine is measured without process start-up.
 * Usage: probeloop HOST PORT USER PASSWORD_FILE COUNT */
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

int main(int argc, char **argv)
{
    struct pop3check_options *o;
    struct pop3check_probe *p;
    char password[256], err[256];
    long count, *us;

    if (argc != 6 || read_password(argv[4], password, sizeof password) ||
        (count = strtol(argv[5], NULL, 10)) < 1 || count > 100000) {
        fprintf(stderr, "usage: probeloop HOST PORT USER PWFILE COUNT\n");
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
        pop3check_options_set_long(o, POP3CHECK_OPT_AUTH,
                                   POP3CHECK_AUTH_USER) ||
        pop3check_options_set_long(o, POP3CHECK_OPT_LIST, 1) ||
        pop3check_options_set_long(o, POP3CHECK_OPT_RETR, 1)) {
        fprintf(stderr, "probeloop: %s\n", pop3check_options_error(o));
        return 1;
    }
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
