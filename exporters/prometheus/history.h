/* SPDX-License-Identifier: MIT */
/* history.h - the last probes answered on /probe, for the status page
 * "/" and /logs: target, module, result, state and why, and the probe's
 * log (secrets already redacted by libpop3check). */
#ifndef P3X_HISTORY_H
#define P3X_HISTORY_H

#include <stddef.h>

#include "pop3check.h"
#include "probelog.h"

#define P3X_HISTORY_SIZE 100

struct p3x_history_entry {
    unsigned long id; /* 0: unused slot */
    char target[272];
    char module[72];
    struct pop3check_result *result; /* owned; NULL while unused */
    enum pop3check_state state;
    char reason[256]; /* why the state, when not OK */
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
                              enum pop3check_state state, const char *reason,
                              const struct p3x_log *log);
/* Frees the results and logs the entries hold (not h itself). */
void p3x_history_clear(struct p3x_history *h);
/* The entry with id, or NULL once it has been overwritten. */
const struct p3x_history_entry *p3x_history_find(const struct p3x_history *h,
                                                 unsigned long id);
#endif
