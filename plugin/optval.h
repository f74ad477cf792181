/* SPDX-License-Identifier: MIT */
/* optval.h - the values of check_pop3's options, each checked and set into
 * the library's options or thresholds of a struct plugin_opts. Every
 * function returns 0, or -1 with a one-line message in err. */
#ifndef CHECK_POP3_OPTVAL_H
#define CHECK_POP3_OPTVAL_H

#include <stddef.h>

#include "options.h"
#include "pop3check.h"

/* Writes the message into err; returns -1. */
int optval_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A whole decimal number in [min, max] (no message: the caller names the
 * option). */
int optval_long(const char *s, long min, long max, long *out);
/* A message number for --top / --retr: n >= 1, "first" or "last" (no
 * message). */
int optval_msg(const char *s, long *out);

/* Sets a number option the plugin has checked; the library's reason if it
 * refuses all the same. */
int optval_set_num(struct plugin_opts *o, enum pop3check_opt key, long v,
                   char *err, size_t errlen);
/* The value the probe will use (the library's default when unset); 0 for
 * a key the library does not know. */
long optval_get_num(const struct plugin_opts *o, enum pop3check_opt key);

/* RANGE at level on a measure, or on a phase's time; opt is the option
 * as written ("-w"), for the message. */
int optval_range(struct plugin_opts *o, const char *opt,
                 enum pop3check_measure m, enum pop3check_state level,
                 const char *s, char *err, size_t errlen);
int optval_phase(struct plugin_opts *o, const char *opt, enum pop3check_phase p,
                 enum pop3check_state level, const char *s, char *err,
                 size_t errlen);
/* PHASE=RANGE of --phase-warning / --phase-critical. */
int optval_phase_range(struct plugin_opts *o, const char *opt,
                       enum pop3check_state level, const char *s, char *err,
                       size_t errlen);

/* -t SECONDS[:STATE]: the probe's timeout and the state of a timeout. */
int optval_timeout(const char *s, struct plugin_opts *o, char *err,
                   size_t errlen);
/* -D WARN_DAYS[,CRIT_DAYS]: the ranges "WARN:" and "CRIT:" on the days
 * the certificate has left. */
int optval_cert_days(const char *s, struct plugin_opts *o, char *err,
                     size_t errlen);

#endif
