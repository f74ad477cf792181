/* SPDX-License-Identifier: MIT */
/* flags.h - the command line of pop3_exporter and pop3_snmp_agent in
 * Prometheus' style: long flags "--config.file FILE" or
 * "--config.file=FILE", switches such as "--config.check", numbers with
 * bounds, and -h/--help and --version for every program. */
#ifndef P3X_FLAGS_H
#define P3X_FLAGS_H

#include <stddef.h>

enum p3x_flag_kind {
    P3X_FLAG_STRING, /* value: const char **, set to the argument */
    P3X_FLAG_SWITCH, /* value: int *, set to 1; takes no argument */
    P3X_FLAG_INT,    /* value: int *, a whole number in [min, max] */
    P3X_FLAG_SECONDS /* value: double *, a duration ("10s", "500ms", "1m"
                        or seconds) above 0, in [min, max] seconds */
};

struct p3x_flag {
    const char *name; /* without the dashes: "config.file" */
    enum p3x_flag_kind kind;
    void *value;
    int min, max;     /* P3X_FLAG_INT, P3X_FLAG_SECONDS */
    const char *what; /* P3X_FLAG_INT, P3X_FLAG_SECONDS: said when out of
                         bounds, such as "give whole seconds, 1-3600" */
};

struct p3x_flags {
    const char *prog;  /* "pop3_exporter": the start of every message */
    const char *usage; /* printed by -h and --help */
    const struct p3x_flag *flags;
    size_t nflags;
    /* Checks the flags together after they are read (NULL: none): 0, or 2
     * with a message on stderr. Runs before the unexpected arguments are
     * reported. */
    int (*check)(void *ctx);
    void *ctx;
};

/* Reads argv[1..argc) into the values of f->flags. Returns -1 to go on;
 * 0 after printing the usage (-h, --help) or the version (--version) to
 * stdout; 2 after a usage error on stderr:
 *   PROG: unknown option or missing value: 'ARG' (see --help)
 *   PROG: unexpected argument 'ARG' (see --help)
 *   PROG: --NAME 'VALUE': WHAT     (a P3X_FLAG_INT or P3X_FLAG_SECONDS)
 * A flag may be abbreviated to a prefix that names only it (as
 * getopt_long takes them); "--" ends the flags. */
int p3x_flags_parse(const struct p3x_flags *f, int argc, char **argv);

/* Prints "PROG VERSION" to stdout, VERSION being this build's; with
 * " (libpop3check VERSION)" added when the library in use is another. */
void p3x_flags_version(const char *prog);

#endif
