/* SPDX-License-Identifier: MIT */
/* output.h - renders a probe result as Monitoring Plugins output: the
 * status line with perfdata, then the long output of -v. Pure functions
 * from a result to a buffer. */
#ifndef CHECK_POP3_OUTPUT_H
#define CHECK_POP3_OUTPUT_H

#include <stddef.h>

#include "options.h"
#include "pop3check.h"

/* A growing text buffer that truncates at its capacity. */
struct outbuf {
    char *buf;
    size_t cap, len;
};

void out_printf(struct outbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends a perfdata label, single-quoted when it holds spaces, '=' or
 * quotes (a quote inside is doubled), as the guidelines want. */
void out_label(struct outbuf *b, const char *label);

/* One perfdata item: 'label'=value[uom];warn;crit;min;max. value is
 * printed with %.*f using decimals; a NULL range prints nothing. */
void out_perf(struct outbuf *b, const char *label, double value, int decimals,
              const char *uom, const char *warn, const char *crit,
              const char *min, const char *max);

/* The whole plugin output (status line, perfdata, long output with -v,
 * ending in a newline) for r judged as state with reason why. */
void render_output(struct outbuf *b, const struct plugin_opts *o,
                   const struct pop3check_result *r, enum pop3check_state state,
                   const char *why);

#endif
