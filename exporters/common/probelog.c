/* SPDX-License-Identifier: MIT */
/* probelog.c - a probe's log, one line per trace callback, prefixed by
 * who said it: "C: " the client, "S: " the server, "* " the probe. */
#include <stdlib.h>
#include <string.h>

#include "probelog.h"

void p3x_log_trace(void *ctx, enum pop3check_trace_dir dir, const char *line,
                   size_t len)
{
    static const char *const prefix[] = {"C: ", "S: ", "* "};
    struct p3x_log *l = ctx;
    const char *pre = prefix[(unsigned)dir % 3];
    size_t pl = strlen(pre);
    size_t need = l->len + pl + len + 2; /* prefix, line, "\n", NUL */

    if (l->truncated)
        return;
    if (need > P3X_LOG_MAX) {
        l->truncated = 1;
        return;
    }
    if (need > l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 512;
        while (cap < need)
            cap *= 2;
        if (cap > P3X_LOG_MAX)
            cap = P3X_LOG_MAX;
        char *t = realloc(l->text, cap);
        if (t == NULL) {
            l->truncated = 1;
            return;
        }
        l->text = t;
        l->cap = cap;
    }
    memcpy(l->text + l->len, pre, pl);
    memcpy(l->text + l->len + pl, line, len);
    l->len += pl + len;
    l->text[l->len++] = '\n';
    l->text[l->len] = '\0';
}

void p3x_log_free(struct p3x_log *l)
{
    free(l->text);
    memset(l, 0, sizeof *l);
}

void p3x_log_reset(struct p3x_log *l)
{
    l->len = 0;
    l->truncated = 0;
    if (l->text != NULL)
        l->text[0] = '\0';
}

int p3x_log_copy(struct p3x_log *dst, const struct p3x_log *src)
{
    p3x_log_free(dst);
    if (src->len == 0)
        return 0;
    if ((dst->text = malloc(src->len + 1)) == NULL)
        return -1;
    memcpy(dst->text, src->text, src->len + 1);
    dst->len = src->len;
    dst->cap = src->len + 1;
    dst->truncated = src->truncated;
    return 0;
}
