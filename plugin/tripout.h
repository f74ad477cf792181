/* SPDX-License-Identifier: MIT */
/* tripout.h - what check_pop3 prints of a round trip (tripout.c): its
 * status line, perfdata and long output. */
#ifndef CHECK_POP3_TRIPOUT_H
#define CHECK_POP3_TRIPOUT_H

#include "output.h"

/* 1 if r is a round trip's. */
int trip_is(const struct pop3check_result *r);
/* The status line's summary after "POP3 STATE - ", without the reason. */
void trip_summary(struct outbuf *b, const struct plugin_opts *o,
                  const struct pop3check_result *r);
/* Perfdata: delivered, polls, stale probes cleaned. */
void trip_perf(struct outbuf *b, const struct pop3check_result *r);
/* Long output: the submission, the polls, the Received: chain. */
void trip_long(struct outbuf *b, const struct plugin_opts *o,
               const struct pop3check_result *r);

#endif
