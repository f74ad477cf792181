/* SPDX-License-Identifier: MIT */
/* expose.c - metric families for Prometheus: the model (families and
 * samples) and its rendering as text format 0.0.4; the JSON in prom2json's
 * shape is in expose_json.c, the families of a probe in expose_probe.c. */
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expose_internal.h"

/* Beyond expose.h: p3x_family() also returns NULL, and p3x_sample() and
 * p3x_histogram() -1, for input Prometheus would refuse: a metric name not
 * matching [a-zA-Z_:][a-zA-Z0-9_:]*, a label name not matching
 * [a-zA-Z_][a-zA-Z0-9_]* or given twice, more than P3X_MAX_LABELS labels, a
 * NULL string, text that is not UTF-8, or an existing family asked for with
 * another type. p3x_sample(NULL, ...) is -1, so a failed p3x_family() can be
 * passed on. A family pointer is valid until the next p3x_family() on the same
 * list. Families without samples are not rendered (nothing to say, and text and
 * JSON stay alike). A histogram's series is kept as its samples in a row:
 * one P3X_BUCKET per bound and +Inf (le its last label), P3X_SUM, then
 * P3X_COUNT; only p3x_histogram() adds to a histogram family. */

#ifdef P3X_ALLOC_TEST
#define ALLOC_BUDGET
#endif
#include "alloc_budget.h"

#ifdef P3X_ALLOC_TEST
/* Built for the unit tests only: the n-th allocation from now fails. */
void p3x_alloc_test_fail_after(long n);

void p3x_alloc_test_fail_after(long n)
{
    alloc_budget_set(n);
}
#endif

static void *x_realloc(void *p, size_t size)
{
    return alloc_denied() ? NULL : realloc(p, size);
}

static char *x_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = alloc_denied() ? NULL : malloc(n);

    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

/* arr with room for at least want elements of size bytes, or NULL (arr is
 * then untouched). */
static void *reserve(void *arr, size_t *cap, size_t want, size_t size)
{
    size_t ncap = *cap ? *cap : 8;
    void *p;

    if (want <= *cap)
        return arr;
    while (ncap < want && ncap <= SIZE_MAX / 2)
        ncap *= 2;
    if (ncap < want || ncap > SIZE_MAX / size)
        return NULL;
    p = x_realloc(arr, ncap * size);
    if (p != NULL)
        *cap = ncap;
    return p;
}

/* ---- validation (ASCII by hand: isalpha() depends on the locale) ---- */

static int valid_name(const char *s, int colons)
{
    if (s == NULL || s[0] == '\0')
        return 0;
    for (size_t i = 0; s[i] != '\0'; i++) {
        char c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                 (colons && c == ':') || (i > 0 && c >= '0' && c <= '9');
        if (!ok)
            return 0;
    }
    return 1;
}

/* Strict UTF-8: no overlong forms, surrogates or code points > U+10FFFF. */
static int valid_utf8(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;

    while (*s != '\0') {
        unsigned c = *s++, cp, min;
        int more;

        if (c < 0x80)
            continue;
        if (c >= 0xc2 && c <= 0xdf) {
            more = 1;
            min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            more = 2;
            min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            more = 3;
            min = 0x10000;
        } else {
            return 0;
        }
        cp = c & (0x3fu >> more);
        for (; more > 0; more--, s++) {
            if ((*s & 0xc0) != 0x80) /* also stops at the NUL */
                return 0;
            cp = cp << 6 | (*s & 0x3fu);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
    }
    return 1;
}

/* ---- families and samples ---- */

static void sample_free(struct p3x_sample *s)
{
    free(s->labels);
    s->labels = NULL;
    s->nlabels = 0;
}

/* The next (name, value) of a packed label string; returns where the one
 * after starts. */
const char *p3x_next_label(const char *at, const char **name,
                           const char **value)
{
    *name = at;
    *value = at + strlen(at) + 1;
    return *value + strlen(*value) + 1;
}

static void family_free(struct p3x_family *f)
{
    for (size_t i = 0; i < f->nsamples; i++)
        sample_free(&f->samples[i]);
    free(f->samples);
    free(f->name);
    free(f->help);
}

struct p3x_family *p3x_family(struct p3x_families *fs, const char *name,
                              const char *help, enum p3x_type type)
{
    struct p3x_family *f, *fams;

    if (!valid_name(name, 1) || help == NULL || !valid_utf8(help) ||
        (type != P3X_GAUGE && type != P3X_COUNTER && type != P3X_HISTOGRAM))
        return NULL;
    for (size_t i = 0; i < fs->n; i++)
        if (strcmp(fs->fams[i].name, name) == 0)
            return fs->fams[i].type == type ? &fs->fams[i] : NULL;
    fams = reserve(fs->fams, &fs->cap, fs->n + 1, sizeof *fams);
    if (fams == NULL)
        return NULL;
    fs->fams = fams;
    f = &fams[fs->n];
    memset(f, 0, sizeof *f);
    f->name = x_strdup(name);
    f->help = x_strdup(help);
    if (f->name == NULL || f->help == NULL) {
        family_free(f);
        return NULL;
    }
    f->type = type;
    fs->n++;
    return f;
}

/* 1 if (name, value) may follow the names[0..i) already taken. */
static int label_ok(const char *const *names, int i, const char *name,
                    const char *value)
{
    if (!valid_name(name, 0) || value == NULL || !valid_utf8(value))
        return 0;
    for (int j = 0; j < i; j++)
        if (strcmp(names[j], name) == 0)
            return 0;
    return 1;
}

/* The (name, value) pairs of a call, and room for a histogram's le. */
struct labels {
    const char *names[P3X_MAX_LABELS + 1], *values[P3X_MAX_LABELS + 1];
    int n;
};

/* The nlabels pairs of ap into l; -1 when there are too many. */
static int take_labels(struct labels *l, int nlabels, va_list ap)
{
    if (nlabels < 0 || nlabels > P3X_MAX_LABELS)
        return -1;
    for (int i = 0; i < nlabels; i++) {
        l->names[i] = va_arg(ap, const char *);
        l->values[i] = va_arg(ap, const char *);
    }
    l->n = nlabels;
    return 0;
}

/* The labels of l packed into one allocation (*out; NULL for none). 0, or
 * -1 when a label is not valid or memory runs out. */
static int pack_labels(const struct labels *l, char **out)
{
    const char *const *names = l->names, *const *values = l->values;
    const int nlabels = l->n;
    size_t len = 0, at = 0;
    char *p;

    *out = NULL;
    for (int i = 0; i < nlabels; i++) {
        if (!label_ok(names, i, names[i], values[i]))
            return -1;
        len += strlen(names[i]) + strlen(values[i]) + 2;
    }
    if (nlabels == 0)
        return 0;
    if ((p = alloc_denied() ? NULL : malloc(len)) == NULL)
        return -1;
    for (int i = 0; i < nlabels; i++) {
        size_t n = strlen(names[i]) + 1, v = strlen(values[i]) + 1;
        memcpy(p + at, names[i], n);
        memcpy(p + at + n, values[i], v);
        at += n + v;
    }
    *out = p;
    return 0;
}

int p3x_sample(struct p3x_family *f, double value, int nlabels, ...)
{
    struct p3x_sample s = {NULL, nlabels, P3X_VALUE, value}, *samples;
    struct labels l;
    va_list ap;
    int rc;

    if (f == NULL || f->type == P3X_HISTOGRAM)
        return -1;
    va_start(ap, nlabels);
    rc = take_labels(&l, nlabels, ap);
    va_end(ap);
    if (rc != 0 || pack_labels(&l, &s.labels) != 0)
        return -1;
    samples = reserve(f->samples, &f->cap, f->nsamples + 1, sizeof *samples);
    if (samples == NULL) {
        sample_free(&s);
        return -1;
    }
    f->samples = samples;
    samples[f->nsamples++] = s;
    return 0;
}

/* 1 if the bounds and counts of a histogram are as p3x_histogram() says:
 * finite bounds going up, counts never going down, none above count. */
static int histogram_ok(const double *le, const uint64_t *cumulative, size_t n,
                        uint64_t count)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(le[i]) || (i > 0 && !(le[i] > le[i - 1])) ||
            cumulative[i] > count ||
            (i > 0 && cumulative[i] < cumulative[i - 1]))
            return 0;
    return 1;
}

/* Adds the n + 3 samples of one histogram series in a row, all or none. */
static int add_series(struct p3x_family *f, struct labels *l, const double *le,
                      const uint64_t *cumulative, size_t n, uint64_t count,
                      double sum)
{
    struct p3x_sample *samples;
    const size_t had = f->nsamples;
    char bound[P3X_VALUE_MAX];

    if (n > SIZE_MAX - had - 3 ||
        (samples = reserve(f->samples, &f->cap, had + n + 3,
                           sizeof *samples)) == NULL)
        return -1;
    f->samples = samples;
    l->names[l->n] = "le";
    l->values[l->n] = bound;
    for (size_t i = 0; i < n + 3; i++) {
        struct p3x_sample *s = &samples[had + i];
        struct labels mine = *l;

        s->part = i <= n ? P3X_BUCKET : i == n + 1 ? P3X_SUM : P3X_COUNT;
        s->value = i < n                ? (double)cumulative[i]
                   : s->part == P3X_SUM ? sum
                                        : (double)count;
        p3x_format_value(i < n ? le[i] : INFINITY, bound);
        mine.n += s->part == P3X_BUCKET; /* and le */
        s->nlabels = mine.n;
        if (pack_labels(&mine, &s->labels) != 0) {
            while (f->nsamples > had)
                sample_free(&samples[--f->nsamples]);
            return -1;
        }
        f->nsamples++;
    }
    return 0;
}

int p3x_histogram(struct p3x_family *f, const double *le,
                  const uint64_t *cumulative, size_t n, uint64_t count,
                  double sum, int nlabels, ...)
{
    struct labels l;
    va_list ap;
    int rc;

    if (f == NULL || f->type != P3X_HISTOGRAM || (n > 0 && le == NULL) ||
        (n > 0 && cumulative == NULL) ||
        !histogram_ok(le, cumulative, n, count))
        return -1;
    va_start(ap, nlabels);
    rc = take_labels(&l, nlabels, ap);
    va_end(ap);
    if (rc != 0)
        return -1;
    for (int i = 0; i < l.n; i++)
        if (l.names[i] != NULL && strcmp(l.names[i], "le") == 0)
            return -1;
    return add_series(f, &l, le, cumulative, n, count, sum);
}

void p3x_families_free(struct p3x_families *fs)
{
    if (fs == NULL)
        return;
    for (size_t i = 0; i < fs->n; i++)
        family_free(&fs->fams[i]);
    free(fs->fams);
    memset(fs, 0, sizeof *fs);
}

/* ---- values ---- */

/* The C library writes the locale's decimal point; Prometheus wants '.'. */
static void dot_decimal_point(char *buf)
{
    const char *dp = localeconv()->decimal_point;
    size_t n = dp != NULL ? strlen(dp) : 0;
    char *at;

    if (n == 0 || strcmp(dp, ".") == 0 || (at = strstr(buf, dp)) == NULL)
        return;
    *at = '.';
    memmove(at + 1, at + n, strlen(at + n) + 1);
}

/* v as both formats write it: NaN, +Inf, -Inf; integers below 1e15
 * without exponent (5000000003, and 0 for -0 too); otherwise the shortest
 * %.Ng that reads back as the same double. */
void p3x_format_value(double v, char buf[P3X_VALUE_MAX])
{
    if (isnan(v)) {
        memcpy(buf, "NaN", 4);
    } else if (isinf(v)) {
        memcpy(buf, v > 0 ? "+Inf" : "-Inf", 5);
    } else if (v == 0) {
        memcpy(buf, "0", 2);
    } else if (fabs(v) < 1e15 && v == trunc(v)) {
        snprintf(buf, P3X_VALUE_MAX, "%.0f", v);
    } else {
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(buf, P3X_VALUE_MAX, "%.*g", prec, v);
            if (strtod(buf, NULL) == v)
                break;
        }
        dot_decimal_point(buf);
    }
}

/* ---- text format 0.0.4 ---- */

struct buf {
    char *p;
    size_t len, cap;
    int failed;
};

static void put(struct buf *b, const char *s, size_t n)
{
    char *p;

    if (b->failed)
        return;
    if (n >= SIZE_MAX - b->len ||
        (p = reserve(b->p, &b->cap, b->len + n + 1, 1)) == NULL) {
        b->failed = 1;
        return;
    }
    b->p = p;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void put_str(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

/* s with backslash and newline escaped, and '"' too for label values. */
static void put_escaped(struct buf *b, const char *s, int quote)
{
    size_t run = 0;

    for (;; s++) {
        const char *esc = *s == '\\'           ? "\\\\"
                          : *s == '\n'         ? "\\n"
                          : quote && *s == '"' ? "\\\""
                                               : NULL;
        if (esc == NULL && *s != '\0') {
            run++;
            continue;
        }
        put(b, s - run, run);
        run = 0;
        if (*s == '\0')
            return;
        put_str(b, esc);
    }
}

static const char *const part_suffix[] = {"", "_bucket", "_sum", "_count"};
static const char *const type_text[] = {" gauge\n", " counter\n",
                                        " histogram\n"};

static void put_sample(struct buf *b, const char *name,
                       const struct p3x_sample *s)
{
    char v[P3X_VALUE_MAX];

    const char *at = s->labels, *lname, *lvalue;

    put_str(b, name);
    put_str(b, part_suffix[s->part]);
    for (int i = 0; i < s->nlabels; i++) {
        at = p3x_next_label(at, &lname, &lvalue);
        put_str(b, i == 0 ? "{" : ",");
        put_str(b, lname);
        put_str(b, "=\"");
        put_escaped(b, lvalue, 1);
        put_str(b, "\"");
    }
    put_str(b, s->nlabels > 0 ? "} " : " ");
    p3x_format_value(s->value, v);
    put_str(b, v);
    put_str(b, "\n");
}

int p3x_render_text(const struct p3x_families *fs, char **out, size_t *len)
{
    struct buf b = {NULL, 0, 0, 0};

    *out = NULL;
    put(&b, "", 0); /* an empty list still gives "" */
    for (size_t i = 0; i < fs->n; i++) {
        const struct p3x_family *f = &fs->fams[i];

        if (f->nsamples == 0)
            continue;
        if (f->help[0] != '\0') {
            put_str(&b, "# HELP ");
            put_str(&b, f->name);
            put_str(&b, " ");
            put_escaped(&b, f->help, 0);
            put_str(&b, "\n");
        }
        put_str(&b, "# TYPE ");
        put_str(&b, f->name);
        put_str(&b, type_text[f->type]);
        for (size_t j = 0; j < f->nsamples; j++)
            put_sample(&b, f->name, &f->samples[j]);
    }
    if (b.failed) {
        free(b.p);
        return -1;
    }
    *out = b.p;
    if (len != NULL)
        *len = b.len;
    return 0;
}

/* ---- undoing a group of additions ---- */

int p3x_mark(const struct p3x_families *fs, struct p3x_mark *m)
{
    size_t cap = 0;

    m->nfams = fs->n;
    m->had = NULL;
    if (fs->n > 0 &&
        (m->had = reserve(NULL, &cap, fs->n, sizeof *m->had)) == NULL)
        return -1;
    for (size_t i = 0; i < fs->n; i++)
        m->had[i] = fs->fams[i].nsamples;
    return 0;
}

void p3x_roll_back(struct p3x_families *fs, const struct p3x_mark *m)
{
    while (fs->n > m->nfams)
        family_free(&fs->fams[--fs->n]);
    for (size_t i = 0; i < m->nfams; i++) {
        struct p3x_family *f = &fs->fams[i];
        while (f->nsamples > m->had[i])
            sample_free(&f->samples[--f->nsamples]);
    }
}

void p3x_mark_free(struct p3x_mark *m)
{
    free(m->had);
    m->had = NULL;
}
