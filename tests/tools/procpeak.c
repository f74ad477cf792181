/* SPDX-License-Identifier: MIT */
/* procpeak.c - samples a process's memory for the benchmarks: reads
 * /proc/PID/status every INTERVAL_MS until PID ends or this tool gets
 * SIGTERM or SIGINT, then prints the peaks seen in kB, one line:
 *   rss_anon_kb N vm_rss_kb N vm_hwm_kb N samples N
 * (RssAnon: private anonymous memory; VmRSS: all resident memory; VmHWM:
 * the kernel's own peak of VmRSS, as last read).
 * Usage: procpeak PID INTERVAL_MS */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct peaks {
    long rss_anon, vm_rss, vm_hwm;
    long samples;
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static int parse_long(const char *text, long min, long max, long *out)
{
    char *end;

    errno = 0;
    *out = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0')
        return -1;
    return *out < min || *out > max ? -1 : 0;
}

/* The kB figure of a "Key:   N kB" line, or -1. */
static long field_kb(const char *line, const char *key)
{
    size_t n = strlen(key);
    char *end;
    long v;

    if (strncmp(line, key, n) != 0)
        return -1;
    errno = 0;
    v = strtol(line + n, &end, 10);
    return errno != 0 || end == line + n ? -1 : v;
}

static void keep_max(long *peak, long v)
{
    if (v > *peak)
        *peak = v;
}

/* One sample; -1 when the process is gone. */
static int sample(const char *path, struct peaks *p)
{
    FILE *f = fopen(path, "r");
    char line[256];
    long v;

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if ((v = field_kb(line, "RssAnon:")) >= 0)
            keep_max(&p->rss_anon, v);
        else if ((v = field_kb(line, "VmRSS:")) >= 0)
            keep_max(&p->vm_rss, v);
        else if ((v = field_kb(line, "VmHWM:")) >= 0)
            p->vm_hwm = v;
    }
    fclose(f);
    p->samples++;
    return 0;
}

int main(int argc, char **argv)
{
    struct sigaction sa = {.sa_handler = on_signal};
    struct peaks p = {0};
    struct timespec gap;
    char path[64];
    long pid, ms;

    if (argc != 3 || parse_long(argv[1], 1, 1L << 30, &pid) != 0 ||
        parse_long(argv[2], 1, 60000, &ms) != 0) {
        fprintf(stderr, "usage: procpeak PID INTERVAL_MS\n");
        return 2;
    }
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    gap = (struct timespec){.tv_sec = ms / 1000,
                            .tv_nsec = (ms % 1000) * 1000000L};
    while (!stopping && sample(path, &p) == 0)
        nanosleep(&gap, NULL);
    if (p.samples == 0) {
        fprintf(stderr, "procpeak: no process %ld\n", pid);
        return 1;
    }
    printf("rss_anon_kb %ld vm_rss_kb %ld vm_hwm_kb %ld samples %ld\n",
           p.rss_anon, p.vm_rss, p.vm_hwm, p.samples);
    return 0;
}
