/* SPDX-License-Identifier: MIT */
/* options.h - check_pop3's command line: parsed and validated into the
 * library's options and thresholds, with a one-line error for the user. */
#ifndef CHECK_POP3_OPTIONS_H
#define CHECK_POP3_OPTIONS_H

#include <stddef.h>

#include "pop3check.h"

struct plugin_opts {
    struct pop3check_options *probe;  /* what to probe; owned */
    struct pop3check_thresholds *thr; /* how to judge it; owned */
    int verbose;
    int help, version;
    int tls_set;        /* --tls or -S given */
    char password[256]; /* read from the file or environment; wiped */
};

/* Parses argv (getopt_long; argv is not modified by the caller after).
 * env_password is the value of POP3_PASSWORD or NULL. Fills o, making its
 * options and thresholds; whatever it returns, the caller frees them with
 * plugin_opts_free(o). Returns 0, or -1 with a one-line message saying
 * what is wrong and how to fix it. */
int plugin_parse(int argc, char **argv, const char *env_password,
                 struct plugin_opts *o, char *err, size_t errlen);

/* Wipes the password held by o: its buffer and the options' copy (once a
 * probe has been made from them, it keeps a copy of its own). */
void plugin_opts_wipe(struct plugin_opts *o);

/* Wipes the password and frees what plugin_parse made; o is left empty
 * (freeing it again is a no-op). */
void plugin_opts_free(struct plugin_opts *o);

#endif
