/* SPDX-License-Identifier: MIT */
/* config_yaml.c - the YAML side of the config file: libyaml's parser and
 * document (one document, no aliases), keys checked against the expected
 * ones, scalars turned into checked values, errors as FILE:LINE: KEY. */
#define _DEFAULT_SOURCE /* strdup, strcasecmp */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_internal.h"

/* Writes "FILE:LINE: PATH.KEY: message" as one line; returns -1. */
int p3xc_fail(struct p3xc_ctx *x, int line, const char *key, const char *fmt,
              ...)
{
    const char *dot = x->path[0] && key ? "." : "";
    const char *colon = x->path[0] || key ? ": " : "";
    va_list ap;
    int n;

    if (x->err == NULL || x->errlen == 0)
        return -1;
    n = snprintf(x->err, x->errlen, "%s:%d: %s%s%s%s", x->name, line, x->path,
                 dot, key ? key : "", colon);
    if (n >= 0 && (size_t)n < x->errlen) {
        va_start(ap, fmt);
        vsnprintf(x->err + n, x->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    for (char *p = x->err; *p; p++) /* values quoted from the file */
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return -1;
}

size_t p3xc_push(struct p3xc_ctx *x, const char *key)
{
    size_t at = strlen(x->path);

    snprintf(x->path + at, sizeof x->path - at, "%s%s", at ? "." : "", key);
    return at;
}

void p3xc_pop(struct p3xc_ctx *x, size_t at)
{
    x->path[at] = '\0';
}

yaml_node_t *p3xc_node(const struct p3xc_ctx *x, int i)
{
    return yaml_document_get_node(x->doc, i);
}

static const char *kind(const yaml_node_t *n)
{
    if (n->type == YAML_MAPPING_NODE)
        return "a mapping";
    return n->type == YAML_SEQUENCE_NODE ? "a list" : "a single value";
}

/* "key:" with nothing after it, "~" or "null" (YAML's null). */
static int is_null(const yaml_node_t *n)
{
    const char *s;

    if (n->type != YAML_SCALAR_NODE ||
        n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    s = (const char *)n->data.scalar.value;
    return s[0] == '\0' || strcmp(s, "~") == 0 || strcasecmp(s, "null") == 0;
}

/* n must be of type t, described as what. */
int p3xc_want(struct p3xc_ctx *x, const yaml_node_t *n, const char *key,
              yaml_node_type_t t, const char *what)
{
    if (is_null(n))
        return p3xc_fail(x, P3XC_LINE(n), key, "needs a value (%s)", what);
    if (n->type != t)
        return p3xc_fail(x, P3XC_LINE(n), key, "must be %s, not %s", what,
                         kind(n));
    return 0;
}

/* The non-empty text of a scalar. */
int p3xc_scalar(struct p3xc_ctx *x, const yaml_node_t *n, const char *key,
                const char **out)
{
    const char *s;

    if (p3xc_want(x, n, key, YAML_SCALAR_NODE, "a single value") != 0)
        return -1;
    s = (const char *)n->data.scalar.value;
    if (s[0] == '\0')
        return p3xc_fail(x, P3XC_LINE(n), key, "needs a value, not \"\"");
    if (strlen(s) != n->data.scalar.length)
        return p3xc_fail(x, P3XC_LINE(n), key, "contains a NUL character");
    *out = s;
    return 0;
}

static int unknown_key(struct p3xc_ctx *x, int line, const char *key,
                       const char *const *names, size_t n)
{
    char list[256] = "";
    size_t len = 0;

    if (strcmp(key, "password") == 0)
        return p3xc_fail(
            x, line, key,
            "a password is never written in this file (put it in a "
            "file readable only by the exporter and give "
            "password_file)");
    for (size_t i = 0; i < n && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
                                i ? ", " : "", names[i]);
    return p3xc_fail(x, line, key, "unknown key (keys here: %s)", list);
}

/* Finds every key of the mapping map in names[0..n): vals[i] is its value
 * or NULL, lines[i] the line of its key. Unknown, repeated and non-scalar
 * keys are errors, so that a typo cannot pass unnoticed. */
int p3xc_fields(struct p3xc_ctx *x, const yaml_node_t *map,
                const char *const *names, size_t n, yaml_node_t **vals,
                int *lines)
{
    const yaml_node_pair_t *p;

    for (size_t i = 0; i < n; i++) {
        vals[i] = NULL;
        lines[i] = 0;
    }
    for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *k = p3xc_node(x, p->key);
        const char *key;
        size_t i;

        if (k->type != YAML_SCALAR_NODE)
            return p3xc_fail(x, P3XC_LINE(k), NULL,
                             "keys must be words, not %s", kind(k));
        key = (const char *)k->data.scalar.value;
        for (i = 0; i < n && strcmp(key, names[i]) != 0; i++)
            ;
        if (i == n)
            return unknown_key(x, P3XC_LINE(k), key, names, n);
        if (vals[i] != NULL)
            return p3xc_fail(x, P3XC_LINE(k), key,
                             "duplicate key (first at line %d)", lines[i]);
        vals[i] = p3xc_node(x, p->value);
        lines[i] = P3XC_LINE(k);
    }
    return 0;
}

/* A whole decimal number in [min, max]; no sign, no spaces. */
int p3xc_number(const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    if (!(*s >= '0' && *s <= '9'))
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int p3x_duration_parse(const char *s, double *out)
{
    static const struct {
        const char *unit;
        double mul;
    } units[] = {{"", 1}, {"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}};
    size_t n = strspn(s, "0123456789.");
    char num[32];
    char *end;
    double v;

    if (n == 0 || n >= sizeof num || !(*s >= '0' && *s <= '9'))
        return -1;
    memcpy(num, s, n);
    num[n] = '\0';
    v = strtod(num, &end);
    if (*end != '\0')
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(s + n, units[i].unit) == 0) {
            *out = v * units[i].mul;
            return 0;
        }
    return -1;
}

/* Getters for optional settings: a NULL node leaves *out as it is. */

int p3xc_str(struct p3xc_ctx *x, const yaml_node_t *n, const char *key,
             const char **out)
{
    if (n == NULL)
        return 0;
    return p3xc_scalar(x, n, key, out);
}

int p3xc_dup(struct p3xc_ctx *x, const yaml_node_t *n, const char *key,
             const char **out)
{
    const char *s;
    char *copy;

    if (n == NULL)
        return 0;
    if (p3xc_scalar(x, n, key, &s) != 0)
        return -1;
    if ((copy = strdup(s)) == NULL)
        return p3xc_fail(x, P3XC_LINE(n), key, "out of memory");
    *out = copy;
    return 0;
}

int p3xc_long(struct p3xc_ctx *x, const yaml_node_t *n, const char *key,
              long min, long max, long *out, const char *what)
{
    const char *s;

    if (n == NULL)
        return 0;
    if (p3xc_scalar(x, n, key, &s) != 0)
        return -1;
    if (p3xc_number(s, min, max, out) != 0)
        return p3xc_fail(x, P3XC_LINE(n), key, "'%s' is not %s", s, what);
    return 0;
}

int p3xc_bool(struct p3xc_ctx *x, const yaml_node_t *n, const char *key,
              int *out)
{
    static const char *const words[] = {"false", "no",  "off",
                                        "true",  "yes", "on"};
    const char *s;

    if (n == NULL)
        return 0;
    if (p3xc_scalar(x, n, key, &s) != 0)
        return -1;
    for (int i = 0; i < 6; i++)
        if (strcasecmp(s, words[i]) == 0) {
            *out = i >= 3;
            return 0;
        }
    return p3xc_fail(x, P3XC_LINE(n), key, "'%s' is not true or false", s);
}

/* A duration in seconds within [min, max]. */
int p3xc_seconds(struct p3xc_ctx *x, const yaml_node_t *n, const char *key,
                 double min, double max, double *out, const char *what)
{
    const char *s;
    double v;

    if (n == NULL)
        return 0;
    if (p3xc_scalar(x, n, key, &s) != 0)
        return -1;
    if (p3x_duration_parse(s, &v) != 0 || v < min || v > max)
        return p3xc_fail(x, P3XC_LINE(n), key, "'%s' is not %s", s, what);
    *out = v;
    return 0;
}

int p3xc_word(struct p3xc_ctx *x, const yaml_node_t *n, const char *key,
              int (*from_name)(const char *), int *out, const char *what)
{
    const char *s;
    int v;

    if (n == NULL)
        return 0;
    if (p3xc_scalar(x, n, key, &s) != 0)
        return -1;
    if ((v = from_name(s)) < 0)
        return p3xc_fail(x, P3XC_LINE(n), key, "'%s' is not %s", s, what);
    *out = v;
    return 0;
}

static const char *const pair_keys[] = {"warning", "critical"};

static int get_range(struct p3xc_ctx *x, const yaml_node_t *n, const char *key,
                     struct pop3check_thresholds *t, struct p3xc_which what,
                     enum pop3check_state level)
{
    const char *s;
    int rc;

    if (n == NULL)
        return 0;
    if (p3xc_scalar(x, n, key, &s) != 0)
        return -1;
    rc = what.is_phase ? pop3check_thresholds_set_phase(
                             t, (enum pop3check_phase)what.value, level, s)
                       : pop3check_thresholds_set(
                             t, (enum pop3check_measure)what.value, level, s);
    if (rc != 0)
        return p3xc_fail(x, P3XC_LINE(n), key,
                         "'%s' is not a range such as 10, 10:, ~:10, 10:20 or "
                         "@10:20 (quote it)",
                         s);
    return 0;
}

/* key: { warning: RANGE, critical: RANGE } */
int p3xc_pair(struct p3xc_ctx *x, const yaml_node_t *n, const char *key,
              struct pop3check_thresholds *t, struct p3xc_which what)
{
    yaml_node_t *v[2];
    int line[2];
    size_t at;

    if (n == NULL)
        return 0;
    if (p3xc_want(x, n, key, YAML_MAPPING_NODE,
                  "a mapping such as { warning: \"2\", critical: \"5\" }") != 0)
        return -1;
    at = p3xc_push(x, key);
    if (p3xc_fields(x, n, pair_keys, 2, v, line) != 0 ||
        get_range(x, v[0], "warning", t, what, POP3CHECK_STATE_WARNING) != 0 ||
        get_range(x, v[1], "critical", t, what, POP3CHECK_STATE_CRITICAL) != 0)
        return -1;
    p3xc_pop(x, at);
    return 0;
}

static int syntax_error(struct p3xc_ctx *x, const yaml_parser_t *p,
                        const unsigned char *text, size_t len)
{
    size_t line = p->problem_mark.line;

    if (p->error == YAML_MEMORY_ERROR || p->error == YAML_NO_ERROR)
        return p3xc_fail(x, 1, NULL, "out of memory");
    if (p->error == YAML_READER_ERROR) { /* these carry no mark */
        line = 0;
        for (size_t i = 0; i < p->problem_offset && i < len; i++)
            line += text[i] == '\n';
    }
    return p3xc_fail(x, (int)line + 1, NULL, "YAML syntax error: %s",
                     p->problem ? p->problem : "unknown");
}

/* The document is built from the parser's events rather than with
 * yaml_parser_load(): aliases are refused where they stand, and libyaml
 * 0.2.5's loader leaks memory when an allocation fails. */
struct loader {
    struct p3xc_ctx *x;
    yaml_parser_t parser;
    yaml_document_t doc;
    const unsigned char *text;
    size_t len;
};

static int next_event(struct loader *l, yaml_event_t *ev)
{
    if (yaml_parser_parse(&l->parser, ev))
        return 0;
    return syntax_error(l->x, &l->parser, l->text, l->len);
}

static int load_node(struct loader *l, yaml_event_t *ev, int depth, int *id);

/* The items of sequence, or the pairs of mapping, up to its end event. */
static int load_children(struct loader *l, int parent, yaml_event_type_t end,
                         int depth)
{
    yaml_event_t ev;
    int key = 0, child, ok = 1;

    for (;;) {
        if (next_event(l, &ev) != 0)
            return -1;
        if (ev.type == end) {
            yaml_event_delete(&ev);
            return 0;
        }
        if (load_node(l, &ev, depth + 1, &child) != 0)
            return -1;
        if (end == YAML_SEQUENCE_END_EVENT)
            ok = yaml_document_append_sequence_item(&l->doc, parent, child);
        else if (key == 0)
            key = child;
        else if ((ok = yaml_document_append_mapping_pair(&l->doc, parent, key,
                                                         child)) != 0)
            key = 0;
        if (!ok)
            return p3xc_fail(l->x,
                             P3XC_LINE(yaml_document_get_node(&l->doc, child)),
                             NULL, "out of memory");
    }
}

/* Adds the node that ev starts to the document; ev is consumed. */
static int load_node(struct loader *l, yaml_event_t *ev, int depth, int *id)
{
    const yaml_event_type_t type = ev->type;
    const yaml_mark_t mark = ev->start_mark;

    *id = 0;
    if (type == YAML_SCALAR_EVENT)
        *id = yaml_document_add_scalar(&l->doc, NULL, ev->data.scalar.value,
                                       (int)ev->data.scalar.length,
                                       ev->data.scalar.style);
    else if (type == YAML_SEQUENCE_START_EVENT)
        *id =
            yaml_document_add_sequence(&l->doc, NULL, YAML_ANY_SEQUENCE_STYLE);
    else if (type == YAML_MAPPING_START_EVENT)
        *id = yaml_document_add_mapping(&l->doc, NULL, YAML_ANY_MAPPING_STYLE);
    else if (type == YAML_ALIAS_EVENT)
        p3xc_fail(l->x, P3XC_LINE(ev), NULL,
                  "YAML aliases (*%s) are not supported: write the value out",
                  (const char *)ev->data.alias.anchor);
    yaml_event_delete(ev);
    if (type == YAML_ALIAS_EVENT)
        return -1;
    if (*id == 0)
        return p3xc_fail(l->x, (int)mark.line + 1, NULL, "out of memory");
    yaml_document_get_node(&l->doc, *id)->start_mark = mark;
    if (depth > P3XC_DEPTH_MAX)
        return p3xc_fail(l->x, (int)mark.line + 1, NULL,
                         "nested deeper than %d levels", P3XC_DEPTH_MAX);
    if (type == YAML_SEQUENCE_START_EVENT)
        return load_children(l, *id, YAML_SEQUENCE_END_EVENT, depth);
    if (type == YAML_MAPPING_START_EVENT)
        return load_children(l, *id, YAML_MAPPING_END_EVENT, depth);
    return 0;
}

/* The stream: at most one document, whose root node is loaded. */
static int load_stream(struct loader *l)
{
    yaml_event_t ev;
    int docs = 0, root, line;

    for (;;) {
        if (next_event(l, &ev) != 0)
            return -1;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            yaml_event_delete(&ev);
            return 0;
        case YAML_DOCUMENT_START_EVENT:
            line = P3XC_LINE(&ev);
            yaml_event_delete(&ev);
            if (++docs > 1)
                return p3xc_fail(l->x, line, NULL,
                                 "a second YAML document: the file holds "
                                 "only one (remove this '---')");
            break;
        case YAML_SCALAR_EVENT:
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
        case YAML_ALIAS_EVENT:
            if (load_node(l, &ev, 0, &root) != 0)
                return -1;
            break;
        default: /* stream start, document end */
            yaml_event_delete(&ev);
        }
    }
}

int p3xc_parse(struct p3xc_ctx *x, const unsigned char *text, size_t len,
               int (*walk)(struct p3xc_ctx *))
{
    struct loader l = {.x = x, .text = text, .len = len};
    int rc = -1;

    if (!yaml_parser_initialize(&l.parser))
        return p3xc_fail(x, 1, NULL, "out of memory");
    if (!yaml_document_initialize(&l.doc, NULL, NULL, NULL, 1, 1)) {
        yaml_parser_delete(&l.parser);
        return p3xc_fail(x, 1, NULL, "out of memory");
    }
    yaml_parser_set_input_string(&l.parser, text, len);
    if (load_stream(&l) == 0) {
        x->doc = &l.doc;
        rc = walk(x);
        x->doc = NULL;
    }
    yaml_document_delete(&l.doc);
    yaml_parser_delete(&l.parser);
    return rc;
}
