/* SPDX-License-Identifier: MIT */
/* options.h - check_pop3's command line: parsed and validated into the
 * library's options and thresholds, with a one-line error for the user. */
#ifndef CHECK_POP3_OPTIONS_H
#define CHECK_POP3_OPTIONS_H

#include <stddef.h>

#include "pop3check.h"

struct plugin_opts {
    struct pop3check_options probe;
    struct pop3check_thresholds thr;
    int verbose;
    int help, version;
    double timeout_s;
    int tls_set;        /* --tls or -S given */
    char password[256]; /* read from the file or environment; wiped */
    char cert_warn[16]; /* -D as perfdata ranges ("30:") */
    char cert_crit[16];
};

/* Parses argv (getopt_long; argv is not modified by the caller after).
 * env_password is the value of POP3_PASSWORD or NULL. Returns 0, or -1
 * with a one-line message saying what is wrong and how to fix it. */
int plugin_parse(int argc, char **argv, const char *env_password,
                 struct plugin_opts *o, char *err, size_t errlen);

/* Wipes the password held by o. */
void plugin_opts_wipe(struct plugin_opts *o);

#endif
