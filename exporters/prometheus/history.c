/* SPDX-License-Identifier: MIT */
/* history.c - a ring of the last probes answered on /probe, for the
 * status page (page.c) and /logs. */
#include <stdio.h>
#include <stdlib.h>

#include "history.h"

unsigned long p3x_history_add(struct p3x_history *h, const char *target,
                              const char *module,
                              const struct pop3check_result *r,
                              enum pop3check_state state, const char *reason,
                              const struct p3x_log *log)
{
    unsigned long id = h->next_id + 1;
    struct p3x_history_entry *e = &h->e[id % P3X_HISTORY_SIZE];

    if (e->result == NULL && (e->result = pop3check_result_new()) == NULL)
        return 0;
    if (pop3check_result_copy(e->result, r) != 0)
        return 0;
    h->next_id = id;
    e->id = id;
    snprintf(e->target, sizeof e->target, "%s", target);
    snprintf(e->module, sizeof e->module, "%s", module);
    e->state = state;
    snprintf(e->reason, sizeof e->reason, "%s", reason ? reason : "");
    if (log == NULL || p3x_log_copy(&e->log, log) != 0)
        p3x_log_free(&e->log); /* kept without its log */
    return id;
}

void p3x_history_clear(struct p3x_history *h)
{
    for (size_t i = 0; i < P3X_HISTORY_SIZE; i++) {
        p3x_log_free(&h->e[i].log);
        pop3check_result_free(h->e[i].result);
        h->e[i].result = NULL;
        h->e[i].id = 0;
    }
}

const struct p3x_history_entry *p3x_history_find(const struct p3x_history *h,
                                                 unsigned long id)
{
    const struct p3x_history_entry *e = &h->e[id % P3X_HISTORY_SIZE];

    return id != 0 && e->id == id ? e : NULL;
}
