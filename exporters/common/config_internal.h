/* SPDX-License-Identifier: MIT */
/* config_internal.h - shared by config.c (the file, targets, the API),
 * config_module.c (one module's settings), config_trip.c (its round_trip)
 * and config_yaml.c (libyaml nodes to checked values). Not part of any
 * API; names start with p3xc_. */
#ifndef P3X_CONFIG_INTERNAL_H
#define P3X_CONFIG_INTERNAL_H

#include <stddef.h>

#include <yaml.h>

#include "config.h"

#define P3XC_HOST_MAX  256 /* a DNS name is at most 253 characters */
#define P3XC_DEPTH_MAX 32  /* nesting of YAML nodes; the file needs 5 */
#define P3XC_LINE(n)   ((int)(n)->start_mark.line + 1)

struct p3xc_ctx {
    const char *name; /* the file, for messages */
    char *err;
    size_t errlen;
    yaml_document_t *doc;
    struct p3x_config *c; /* being built; p3x_config_free() on error */
    char path[192];       /* KEY.PATH of the section being read */
};

/* Writes "FILE:LINE: PATH.KEY: message" into x->err as one line (control
 * characters from the file become '?'); key may be NULL. Returns -1. */
int p3xc_fail(struct p3xc_ctx *x, int line, const char *key, const char *fmt,
              ...) __attribute__((format(printf, 4, 5)));
/* Appends ".key" to x->path; p3xc_pop() with the result undoes it. */
size_t p3xc_push(struct p3xc_ctx *x, const char *key);
void p3xc_pop(struct p3xc_ctx *x, size_t at);

/* Node number i of x->doc. */
yaml_node_t *p3xc_node(const struct p3xc_ctx *x, int i);
/* 0 if n has type t, else an error: "must be WHAT, not a list". */
int p3xc_want(struct p3xc_ctx *x, const yaml_node_t *n, const char *key,
              yaml_node_type_t t, const char *what);
/* The non-empty text of the scalar n (borrowed from x->doc). */
int p3xc_scalar(struct p3xc_ctx *x, const yaml_node_t *n, const char *key,
                const char **out);
/* Finds the keys of mapping map in names[0..n): vals[i] is the value or
 * NULL, lines[i] the key's line. Unknown, repeated, non-scalar keys and
 * "password" are errors. */
int p3xc_fields(struct p3xc_ctx *x, const yaml_node_t *map,
                const char *const *names, size_t n, yaml_node_t **vals,
                int *lines);

/* A whole decimal number in [min, max]: digits only. 0 or -1. */
int p3xc_number(const char *s, long min, long max, long *out);

/* Typed values of optional settings. n NULL (key absent) leaves *out as it
 * is; a bad value is an error "'VALUE' is not WHAT". */
int p3xc_str(struct p3xc_ctx *x, const yaml_node_t *n, const char *key,
             const char **out); /* *out is borrowed from x->doc */
int p3xc_dup(struct p3xc_ctx *x, const yaml_node_t *n, const char *key,
             const char **out); /* *out is a copy for the caller to free */
int p3xc_long(struct p3xc_ctx *x, const yaml_node_t *n, const char *key,
              long min, long max, long *out, const char *what);
int p3xc_bool(struct p3xc_ctx *x, const yaml_node_t *n, const char *key,
              int *out);
/* "500ms", "10s", "1.5m", "1h" or bare seconds, within [min, max]. */
int p3xc_seconds(struct p3xc_ctx *x, const yaml_node_t *n, const char *key,
                 double min, double max, double *out, const char *what);
/* A word that from_name turns into a value >= 0. */
int p3xc_word(struct p3xc_ctx *x, const yaml_node_t *n, const char *key,
              int (*from_name)(const char *), int *out, const char *what);
/* What a pair of ranges is set on: a phase's time or a measure. */
struct p3xc_which {
    int is_phase;
    unsigned value; /* enum pop3check_phase or enum pop3check_measure */
};
#define P3XC_PHASE(p)   ((struct p3xc_which){1, (unsigned)(p)})
#define P3XC_MEASURE(m) ((struct p3xc_which){0, (unsigned)(m)})

/* key: { warning: RANGE, critical: RANGE } in check_pop3's syntax, set on
 * what in t. */
int p3xc_pair(struct p3xc_ctx *x, const yaml_node_t *n, const char *key,
              struct pop3check_thresholds *t, struct p3xc_which what);

/* Parses text as one YAML document into x->doc and calls walk(x) on it
 * (x->doc has no root node for an empty file). Syntax errors, aliases, a
 * second document and nesting deeper than P3XC_DEPTH_MAX are errors. */
int p3xc_parse(struct p3xc_ctx *x, const unsigned char *text, size_t len,
               int (*walk)(struct p3xc_ctx *));

/* Reads up to cap bytes from fd: 0, or -1 with errno. */
int p3xc_read_full(int fd, char *buf, size_t cap, size_t *len);

/* A module's round_trip mapping as read by p3xc_trip_read(), before it
 * goes into the module (p3xc_trip_apply()); strings are borrowed from the
 * YAML document. */
#define P3XC_TRIP_KEYS 13
struct p3xc_trip {
    int line; /* of the round_trip key; 0: the module has none */
    yaml_node_t *v[P3XC_TRIP_KEYS];
    int lines[P3XC_TRIP_KEYS];
    const char *str[P3XC_TRIP_KEYS]; /* the keys whose values are text */
    long smtp_port, poll_ms;         /* 0: the library's default */
    int smtp_tls;                    /* enum pop3check_tls; -1: unset (stls) */
    int not_delivered;  /* enum pop3check_state; -1: unset (critical) */
    int reuse_password; /* smtp_user is the module's user, no file of its
                           own: password_file serves both */
};

/* Reads n, the value of the round_trip key at line of a module whose user
 * is user (NULL: none), into t; n NULL (no round trip) leaves t->line 0.
 * Checks its keys, their values and the rules between them; reads no
 * file. */
int p3xc_trip_read(struct p3xc_ctx *x, const yaml_node_t *n, int line,
                   const char *user, struct p3xc_trip *t);
/* Puts t into m: the SMTP side's options, the SMTP password and the
 * probe key from their files, the state of a probe not delivered. Nothing
 * without a round trip. */
/* modules.NAME.oauth2 (n NULL: none) into m's options, its client secret
 * read from its file; has_user: the module has a user. 0, or -1. */
int p3xc_oauth_apply(struct p3xc_ctx *x, struct p3x_module *m,
                     const yaml_node_t *n, int line, int has_user);
int p3xc_trip_apply(struct p3xc_ctx *x, struct p3x_module *m,
                    const struct p3xc_trip *t);

/* Fills m (whose name and line are set) from the mapping n under
 * modules.NAME, reading its password_file. */
int p3xc_module_load(struct p3xc_ctx *x, struct p3x_module *m,
                     const yaml_node_t *n);

#endif
