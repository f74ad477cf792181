/* SPDX-License-Identifier: MIT */
/* expose_json.c - metric families as JSON in prom2json's shape: a list of
 * families, values as strings so that NaN and +Inf survive, a histogram's
 * series as {"labels","buckets","count","sum"}. */
#include <jansson.h>
#include <string.h>

#include "expose_internal.h"

static const char *const type_json[] = {"GAUGE", "COUNTER", "HISTOGRAM"};

/* json_object_set_new() and json_array_append_new() take the value even
 * when they fail, and fail on a NULL value, so calls can be nested. */

/* {"labels":{...}} of s, for the rest of its metric to be added. */
static json_t *labels_json(const struct p3x_sample *s)
{
    json_t *m = json_object(), *labels = json_object();
    const char *at = s->labels, *lname, *lvalue;
    int bad;

    if (m == NULL || labels == NULL)
        goto fail;
    for (int i = 0; i < s->nlabels; i++) {
        at = p3x_next_label(at, &lname, &lvalue);
        if (json_object_set_new(labels, lname, json_string(lvalue)) != 0)
            goto fail;
    }
    bad = json_object_set_new(m, "labels", labels);
    labels = NULL;
    if (bad)
        goto fail;
    return m;
fail:
    json_decref(labels);
    json_decref(m);
    return NULL;
}

/* Sets key of o to the value of s, as a string. */
static int set_value(json_t *o, const char *key, const struct p3x_sample *s)
{
    char v[P3X_VALUE_MAX];

    p3x_format_value(s->value, v);
    return json_object_set_new(o, key, json_string(v));
}

static json_t *sample_json(const struct p3x_sample *s)
{
    json_t *m = labels_json(s);

    if (m != NULL && set_value(m, "value", s) != 0) {
        json_decref(m);
        return NULL;
    }
    return m;
}

/* The value of the last label of s: a bucket's le. */
static const char *last_label(const struct p3x_sample *s)
{
    const char *at = s->labels, *lname = NULL, *lvalue = "";

    for (int i = 0; i < s->nlabels; i++)
        at = p3x_next_label(at, &lname, &lvalue);
    return lvalue;
}

/* The histogram series whose first sample is samples[*i], in prom2json's
 * shape: labels (the count's, without le), buckets by le, count, sum.
 * *i is left on its last sample, the count. */
static json_t *histogram_json(const struct p3x_family *f, size_t *i)
{
    const struct p3x_sample *sum = NULL, *count = NULL;
    json_t *m = NULL, *buckets = json_object();
    size_t j;
    int bad;

    if (buckets == NULL)
        return NULL;
    for (j = *i; j < f->nsamples && count == NULL; j++) {
        const struct p3x_sample *s = &f->samples[j];
        if (s->part == P3X_BUCKET && set_value(buckets, last_label(s), s) != 0)
            goto fail;
        sum = s->part == P3X_SUM ? s : sum;
        count = s->part == P3X_COUNT ? s : NULL;
    }
    if (sum == NULL || count == NULL || (m = labels_json(count)) == NULL)
        goto fail;
    *i = j - 1;
    bad = json_object_set_new(m, "buckets", buckets);
    buckets = NULL;
    if (bad || set_value(m, "count", count) != 0 ||
        set_value(m, "sum", sum) != 0)
        goto fail;
    return m;
fail:
    json_decref(buckets);
    json_decref(m);
    return NULL;
}

static json_t *family_json(const struct p3x_family *f)
{
    json_t *o = json_object(), *metrics = json_array();
    int bad;

    if (o == NULL || metrics == NULL ||
        json_object_set_new(o, "name", json_string(f->name)) != 0 ||
        json_object_set_new(o, "help", json_string(f->help)) != 0 ||
        json_object_set_new(o, "type", json_string(type_json[f->type])) != 0)
        goto fail;
    for (size_t i = 0; i < f->nsamples; i++)
        if (json_array_append_new(metrics, f->type == P3X_HISTOGRAM
                                               ? histogram_json(f, &i)
                                               : sample_json(&f->samples[i])) !=
            0)
            goto fail;
    bad = json_object_set_new(o, "metrics", metrics);
    metrics = NULL;
    if (bad)
        goto fail;
    return o;
fail:
    json_decref(metrics);
    json_decref(o);
    return NULL;
}

/* *out comes from json_dumps(): jansson's allocator, which is malloc()
 * unless the program changed it with json_set_alloc_funcs(). */
int p3x_render_json(const struct p3x_families *fs, char **out, size_t *len)
{
    json_t *root = json_array();
    int rc = -1;

    *out = NULL;
    if (root == NULL)
        return -1;
    for (size_t i = 0; i < fs->n; i++) {
        if (fs->fams[i].nsamples == 0)
            continue;
        if (json_array_append_new(root, family_json(&fs->fams[i])) != 0)
            goto out;
    }
    *out = json_dumps(root, JSON_COMPACT);
    if (*out != NULL) {
        rc = 0;
        if (len != NULL)
            *len = strlen(*out);
    }
out:
    json_decref(root);
    return rc;
}
