/* SPDX-License-Identifier: MIT */
/* history.h - the last probes answered on /probe, for the status page
 * "/" and their logs: target, module, result, phase times and the
 * protocol transcript (secrets already redacted by libpop3check). */
#ifndef P3X_HISTORY_H
#define P3X_HISTORY_H

#include <stddef.h>

#include "pop3check.h"

#define P3X_HISTORY_SIZE 100
#define P3X_LOG_MAX      16384

/* A transcript being written by a probe's trace callback: grown on
 * demand (most are a few hundred bytes), at most P3X_LOG_MAX. */
struct p3x_log {
    char *text; /* NUL-terminated; NULL while empty */
    size_t len, cap;
    int truncated;
};

void p3x_log_free(struct p3x_log *l);

/* A pop3check_trace_fn writing into the struct p3x_log given as ctx. */
void p3x_log_trace(void *ctx, enum pop3check_trace_dir dir, const char *line,
                   size_t len);

struct p3x_history_entry {
    unsigned long id; /* 0: unused slot */
    char target[272];
    char module[72];
    struct pop3check_result *result; /* owned; NULL while unused */
    enum pop3check_state state;
    struct p3x_log log;
};

struct p3x_history {
    struct p3x_history_entry e[P3X_HISTORY_SIZE];
    unsigned long next_id;
};

/* Records a finished probe (a copy of r); returns its id, 0 when out of
 * memory (nothing recorded). */
unsigned long p3x_history_add(struct p3x_history *h, const char *target,
                              const char *module,
                              const struct pop3check_result *r,
                              enum pop3check_state state,
                              const struct p3x_log *log);
/* Frees the results and logs the entries hold (not h itself). */
void p3x_history_clear(struct p3x_history *h);
/* The entry with id, or NULL once it has been overwritten. */
const struct p3x_history_entry *p3x_history_find(const struct p3x_history *h,
                                                 unsigned long id);
/* The status page: a malloc'd HTML document, newest probe first. NULL
 * when out of memory. */
char *p3x_history_html(const struct p3x_history *h, size_t *len);

#endif
