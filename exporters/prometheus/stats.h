/* SPDX-License-Identifier: MIT */
/* stats.h - pop3_exporter's own metrics for /metrics: requests by module
 * and outcome, bad requests, config reloads, and the process's CPU, memory
 * and file descriptors read from /proc. */
#ifndef P3X_STATS_H
#define P3X_STATS_H

#include <stddef.h>

#include "expose.h"
#include "pop3check.h"

struct p3x_module_count {
    char module[72];
    unsigned long success, failure;
};

struct p3x_stats {
    double start_time;
    unsigned long bad_requests;
    struct p3x_module_count *modules;
    size_t nmodules;
    int reload_ok;      /* the last (re)load succeeded */
    double reload_time; /* when the config last loaded fine */
    unsigned long reload_failures;
};

void p3x_stats_init(struct p3x_stats *st);
void p3x_stats_free(struct p3x_stats *st);
/* Counts one /probe by module and outcome. */
void p3x_stats_probe(struct p3x_stats *st, const char *module,
                     const struct pop3check_result *r);
void p3x_stats_reload(struct p3x_stats *st, int ok);
/* Adds the exporter's families to fs. 0 or -1 (memory). */
int p3x_stats_families(const struct p3x_stats *st, struct p3x_families *fs);

#endif
