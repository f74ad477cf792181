/* SPDX-License-Identifier: MIT */
/* probeloop.c - the in-process counterpart of popclient's COUNT mode: runs
 * COUNT probes (USER/PASS login, STAT, LIST, RETR 1, QUIT) one after the
 * other through libpop3check and prints the median probe in microseconds,
 * so that the engine is measured without process start-up. With MECH
 * ("scram-sha-256", ...) it logs in with that mechanism, and prints the
 * transcript's SCRAM lines ("info: SCRAM-SHA-256: 4096 iterations, keys
 * derived now"), which show whether a probe kept its keys from run to run.
 * With MECH xoauth2 or oauthbearer, PASSWORD_FILE is the token file
 * (POP3CHECK_OPT_TOKEN_FILE), each run prints "run N: ok" or "run N:
 * KIND: TEXT", and after the first run the content of NEXT_TOKEN_FILE (if
 * given) replaces the token file's, as a token refresher's would.
 * Usage: probeloop HOST PORT USER PASSWORD_FILE COUNT [MECH [NEXT_TOKEN_FILE]]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* Copies from over to, as a refresher does: a new file renamed over. */
static int replace_file(const char *from, const char *to)
{
    char tmp[4096], buf[20000];
    FILE *in = fopen(from, "r"), *out;
    size_t n;

    umask(077); /* a token file is the monitoring user's alone */
    snprintf(tmp, sizeof tmp, "%s.new", to);
    if (in == NULL || (out = fopen(tmp, "w")) == NULL) {
        if (in)
            fclose(in);
        return -1;
    }
    n = fread(buf, 1, sizeof buf, in);
    fclose(in);
    if (fwrite(buf, 1, n, out) != n || fclose(out) != 0)
        return -1;
    return rename(tmp, to);
}

int main(int argc, char **argv)
{
    struct pop3check_options *o;
    struct pop3check_probe *p;
    char password[256], err[256];
    long count, *us;
    int mech = POP3CHECK_AUTH_USER, bearer, failed = 0;

    if (argc >= 7)
        mech = pop3check_auth_from_name(argv[6]);
    bearer =
        mech == POP3CHECK_AUTH_XOAUTH2 || mech == POP3CHECK_AUTH_OAUTHBEARER;
    if (argc < 6 || argc > 8 || (argc == 8 && !bearer) || mech < 0 ||
        (!bearer && read_password(argv[4], password, sizeof password)) ||
        (count = strtol(argv[5], NULL, 10)) < 1 || count > 100000) {
        fprintf(stderr, "usage: probeloop HOST PORT USER PWFILE COUNT [MECH "
                        "[NEXT_TOKEN_FILE]]\n");
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
        pop3check_options_set_str(
            o, bearer ? POP3CHECK_OPT_TOKEN_FILE : POP3CHECK_OPT_PASSWORD,
            bearer ? argv[4] : password) ||
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
        enum pop3check_error e = pop3check_result_error(r);
        if (bearer) {
            printf("run %ld: %s%s%s\n", i + 1,
                   e == POP3CHECK_E_OK ? "ok" : pop3check_error_name(e),
                   e == POP3CHECK_E_OK ? "" : ": ",
                   pop3check_result_text(r, POP3CHECK_TEXT_ERROR));
            failed |= e != POP3CHECK_E_OK;
            if (i == 0 && argc == 8 && replace_file(argv[7], argv[4]) != 0) {
                fprintf(stderr, "probeloop: cannot replace %s\n", argv[4]);
                return 1;
            }
        } else if (e != POP3CHECK_E_OK) {
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
    return failed;
}
