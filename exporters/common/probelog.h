/* SPDX-License-Identifier: MIT */
/* probelog.h - a probe's log being written by its trace callback: what
 * the probe did ("* ") and its protocol lines ("C: ", "S: "), secrets
 * already redacted by libpop3check; for /probe?debug=true, the status
 * page's /logs and the scheduled targets' last probes. */
#ifndef P3X_PROBELOG_H
#define P3X_PROBELOG_H

#include <stddef.h>

#include "pop3check.h"

#define P3X_LOG_MAX 16384

/* Grown on demand (most are a few hundred bytes), at most P3X_LOG_MAX. */
struct p3x_log {
    char *text; /* NUL-terminated; NULL while empty */
    size_t len, cap;
    int truncated;
};

/* Frees the text; l is empty after. */
void p3x_log_free(struct p3x_log *l);
/* Empties l and keeps its buffer for the next probe. */
void p3x_log_reset(struct p3x_log *l);
/* A copy of src into dst (emptied first); -1 when out of memory, then
 * dst stays empty. */
int p3x_log_copy(struct p3x_log *dst, const struct p3x_log *src);

/* A pop3check_trace_fn writing into the struct p3x_log given as ctx. */
void p3x_log_trace(void *ctx, enum pop3check_trace_dir dir, const char *line,
                   size_t len);

#endif
