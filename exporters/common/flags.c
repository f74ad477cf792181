/* SPDX-License-Identifier: MIT */
/* flags.c - the command line of pop3_exporter and pop3_snmp_agent:
 * Prometheus-style long flags, -h/--help and --version, and the usage
 * errors both programs answer with exit code 2. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "flags.h"
#include "pop3check.h"

/* Every program has these two; they end the parse at once. */
static const struct p3x_flag builtins[] = {
    {"help", P3X_FLAG_SWITCH, NULL, 0, 0, NULL},
    {"version", P3X_FLAG_SWITCH, NULL, 0, 0, NULL},
};

#define NBUILTINS (sizeof builtins / sizeof builtins[0])

/* Flag i of f's and then the builtins. */
static const struct p3x_flag *flag_at(const struct p3x_flags *f, size_t i)
{
    return i < f->nflags ? &f->flags[i] : &builtins[i - f->nflags];
}

/* The flag called name[0..len), else the one flag whose name starts with
 * it; NULL when none or several do. */
static const struct p3x_flag *find(const struct p3x_flags *f, const char *name,
                                   size_t len)
{
    const struct p3x_flag *prefixed = NULL;
    size_t n = f->nflags + NBUILTINS, matches = 0;

    for (size_t i = 0; i < n; i++) {
        const struct p3x_flag *fl = flag_at(f, i);
        if (strncmp(fl->name, name, len) != 0)
            continue;
        if (fl->name[len] == '\0')
            return fl;
        prefixed = fl;
        matches++;
    }
    return matches == 1 ? prefixed : NULL;
}

static int usage_error(const struct p3x_flags *f, const char *arg)
{
    fprintf(stderr, "%s: unknown option or missing value: '%s' (see --help)\n",
            f->prog, arg);
    return 2;
}

/* Stores value into fl's variable: 0, or 2 after a message. */
static int store(const struct p3x_flags *f, const struct p3x_flag *fl,
                 const char *value)
{
    char *end;
    long v;

    if (fl->kind == P3X_FLAG_STRING) {
        *(const char **)fl->value = value;
        return 0;
    }
    if (fl->kind == P3X_FLAG_SECONDS) {
        double s;
        if (p3x_duration_parse(value, &s) != 0 || !(s > 0) || s < fl->min ||
            s > fl->max) {
            fprintf(stderr, "%s: --%s '%s': %s\n", f->prog, fl->name, value,
                    fl->what);
            return 2;
        }
        *(double *)fl->value = s;
        return 0;
    }
    errno = 0;
    v = strtol(value, &end, 10);
    if (end == value || *end != '\0' || errno != 0 || v < fl->min ||
        v > fl->max) {
        fprintf(stderr, "%s: --%s '%s': %s\n", f->prog, fl->name, value,
                fl->what);
        return 2;
    }
    *(int *)fl->value = (int)v;
    return 0;
}

/* argv[*i], which starts with "--": -1 to go on (*i moved past its value),
 * else what p3x_flags_parse() returns. */
static int long_flag(const struct p3x_flags *f, int argc, char **argv, int *i)
{
    const char *arg = argv[*i], *name = arg + 2;
    const char *eq = strchr(name, '=');
    const struct p3x_flag *fl =
        find(f, name, eq ? (size_t)(eq - name) : strlen(name));
    const char *value;

    if (fl == NULL)
        return usage_error(f, arg);
    if (fl->kind == P3X_FLAG_SWITCH) {
        if (eq != NULL)
            return usage_error(f, arg);
        if (fl == &builtins[0]) {
            fputs(f->usage, stdout);
            return 0;
        }
        if (fl == &builtins[1]) {
            p3x_flags_version(f->prog);
            return 0;
        }
        *(int *)fl->value = 1;
        return -1;
    }
    if (eq != NULL)
        value = eq + 1;
    else if (*i + 1 < argc)
        value = argv[++*i];
    else
        return usage_error(f, arg);
    return store(f, fl, value) == 0 ? -1 : 2;
}

int p3x_flags_parse(const struct p3x_flags *f, int argc, char **argv)
{
    const char *unexpected = NULL; /* the first argument that is no flag */
    int i, rc;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--") == 0) {
            if (unexpected == NULL && i + 1 < argc)
                unexpected = argv[i + 1];
            break;
        }
        if (strncmp(a, "--", 2) == 0) {
            if ((rc = long_flag(f, argc, argv, &i)) >= 0)
                return rc;
        } else if (strcmp(a, "-h") == 0) {
            fputs(f->usage, stdout);
            return 0;
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage_error(f, a);
        } else if (unexpected == NULL) {
            unexpected = a; /* reported once every flag is read */
        }
    }
    if (f->check != NULL && (rc = f->check(f->ctx)) != 0)
        return rc;
    if (unexpected != NULL) {
        fprintf(stderr, "%s: unexpected argument '%s' (see --help)\n", f->prog,
                unexpected);
        return 2;
    }
    return -1;
}

void p3x_flags_version(const char *prog)
{
    const char *lib = pop3check_version();

    if (strcmp(lib, POP3CHECK_VERSION) == 0)
        printf("%s %s\n", prog, POP3CHECK_VERSION);
    else
        printf("%s %s (libpop3check %s)\n", prog, POP3CHECK_VERSION, lib);
}
