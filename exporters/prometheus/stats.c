/* SPDX-License-Identifier: MIT */
/* stats.c - pop3_exporter's own metrics; the process figures come from
 * /proc/self, as the Prometheus client libraries' process collector does. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stats.h"

static double now_unix(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void p3x_stats_init(struct p3x_stats *st)
{
    memset(st, 0, sizeof *st);
    st->start_time = now_unix();
    st->reload_ok = 1;
    st->reload_time = st->start_time;
}

void p3x_stats_free(struct p3x_stats *st)
{
    free(st->modules);
    st->modules = NULL;
    st->nmodules = 0;
}

void p3x_stats_probe(struct p3x_stats *st, const char *module,
                     const struct pop3check_result *r)
{
    struct p3x_module_count *m = NULL;

    for (size_t i = 0; i < st->nmodules; i++)
        if (strcmp(st->modules[i].module, module) == 0)
            m = &st->modules[i];
    if (m == NULL) {
        struct p3x_module_count *v =
            realloc(st->modules, (st->nmodules + 1) * sizeof *v);
        if (v == NULL)
            return; /* a lost count beats a failed probe */
        st->modules = v;
        m = &v[st->nmodules++];
        memset(m, 0, sizeof *m);
        snprintf(m->module, sizeof m->module, "%s", module);
    }
    if (pop3check_result_error(r) == POP3CHECK_E_OK)
        m->success++;
    else
        m->failure++;
}

void p3x_stats_reload(struct p3x_stats *st, int ok)
{
    st->reload_ok = ok;
    if (ok)
        st->reload_time = now_unix();
    else
        st->reload_failures++;
}

/* CPU seconds and resident bytes from /proc/self/stat (fields 14, 15, 24). */
static int proc_stat(double *cpu, double *rss)
{
    char buf[1024];
    FILE *f = fopen("/proc/self/stat", "r");
    size_t n;
    char *p;
    unsigned long ut, stime;
    long pages;

    if (f == NULL)
        return -1;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    p = strrchr(buf, ')'); /* the command name may hold spaces */
    if (p == NULL ||
        sscanf(p + 2,
               "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d "
               "%*d %*d %*d %*d %*u %*u %ld",
               &ut, &stime, &pages) != 3)
        return -1;
    *cpu = (double)(ut + stime) / (double)sysconf(_SC_CLK_TCK);
    *rss = (double)pages * (double)sysconf(_SC_PAGESIZE);
    return 0;
}

static double open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    double n = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1; /* the directory's own descriptor */
}

#define FAM(name, help, type)                                                  \
    if ((f = p3x_family(fs, name, help, type)) == NULL)                        \
        return -1;

static int process_families(struct p3x_families *fs, double start)
{
    struct p3x_family *f;
    double cpu, rss, fds = open_fds();

    if (proc_stat(&cpu, &rss) == 0) {
        FAM("process_cpu_seconds_total",
            "Total user and system CPU time spent in seconds.", P3X_COUNTER);
        if (p3x_sample(f, cpu, 0) != 0)
            return -1;
        FAM("process_resident_memory_bytes", "Resident memory size in bytes.",
            P3X_GAUGE);
        if (p3x_sample(f, rss, 0) != 0)
            return -1;
    }
    if (fds >= 0) {
        FAM("process_open_fds", "Number of open file descriptors.", P3X_GAUGE);
        if (p3x_sample(f, fds, 0) != 0)
            return -1;
    }
    FAM("process_start_time_seconds",
        "Start time of the process since unix epoch in seconds.", P3X_GAUGE);
    return p3x_sample(f, start, 0);
}

int p3x_stats_families(const struct p3x_stats *st, struct p3x_families *fs)
{
    struct p3x_family *f;

    FAM("pop3_exporter_build_info",
        "A metric with a constant '1' value labeled by version.", P3X_GAUGE);
    if (p3x_sample(f, 1, 1, "version", POP3CHECK_VERSION) != 0)
        return -1;
    FAM("pop3_exporter_probes_total",
        "Probes answered on /probe, by module and result.", P3X_COUNTER);
    for (size_t i = 0; i < st->nmodules; i++)
        if (p3x_sample(f, (double)st->modules[i].success, 2, "module",
                       st->modules[i].module, "result", "success") != 0 ||
            p3x_sample(f, (double)st->modules[i].failure, 2, "module",
                       st->modules[i].module, "result", "failure") != 0)
            return -1;
    FAM("pop3_exporter_bad_requests_total", "Requests refused with HTTP 400.",
        P3X_COUNTER);
    if (p3x_sample(f, (double)st->bad_requests, 0) != 0)
        return -1;
    FAM("pop3_exporter_config_last_reload_successful",
        "Whether the last configuration reload attempt was successful.",
        P3X_GAUGE);
    if (p3x_sample(f, st->reload_ok, 0) != 0)
        return -1;
    FAM("pop3_exporter_config_reload_failures_total",
        "Configuration reloads refused since the daemon started.", P3X_COUNTER);
    if (p3x_sample(f, (double)st->reload_failures, 0) != 0)
        return -1;
    FAM("pop3_exporter_config_last_reload_success_timestamp_seconds",
        "Timestamp of the last successful configuration reload.", P3X_GAUGE);
    if (p3x_sample(f, st->reload_time, 0) != 0)
        return -1;
    return process_families(fs, st->start_time);
}
