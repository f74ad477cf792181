/* SPDX-License-Identifier: MIT */
/* range.c - threshold ranges in the syntax of the Monitoring Plugins
 * development guidelines: "10", "10:", "~:10", "10:20", "@10:20". */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* A finite number filling exactly [s, s+len). */
static int parse_double(const char *s, size_t len, double *out)
{
    char buf[32];
    char *end;

    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    /* strtod also takes hex, "inf" and "nan": ranges are decimal. */
    for (size_t i = 0; i < len; i++)
        if (strchr("0123456789.+-eE", buf[i]) == NULL)
            return -1;
    *out = strtod(buf, &end);
    return (*end == '\0' && isfinite(*out)) ? 0 : -1;
}

static int parse_bounds(const char *s, struct p3_range *r)
{
    const char *colon = strchr(s, ':');

    if (colon == NULL) { /* "N" is 0:N, so N must not be negative */
        r->start = 0;
        return parse_double(s, strlen(s), &r->end) == 0 && r->end >= 0 ? 0 : -1;
    }
    if (strchr(colon + 1, ':') != NULL)
        return -1;
    if (colon - s == 1 && s[0] == '~')
        r->start_inf = 1;
    else if (colon == s)
        r->start = 0;
    else if (parse_double(s, (size_t)(colon - s), &r->start) != 0)
        return -1;
    if (colon[1] == '\0')
        r->end_inf = 1;
    else if (parse_double(colon + 1, strlen(colon + 1), &r->end) != 0)
        return -1;
    if (!r->start_inf && !r->end_inf && r->start > r->end)
        return -1;
    return 0;
}

int p3_range_parse(const char *text, struct p3_range *r)
{
    struct p3_range v = {0};
    const char *s = text;

    if (text == NULL || strlen(text) >= sizeof v.text)
        return -1;
    if (*s == '@') {
        v.inside = 1;
        s++;
    }
    if (*s == '\0' || parse_bounds(s, &v) != 0)
        return -1;
    if (v.start_inf && v.end_inf)
        return -1; /* "~:" can never alert; surely a typo */
    v.set = 1;
    memcpy(v.text, text, strlen(text) + 1);
    *r = v;
    return 0;
}

int p3_range_alert(const struct p3_range *r, double value)
{
    int outside;

    if (r == NULL || !r->set)
        return 0;
    outside =
        (!r->start_inf && value < r->start) || (!r->end_inf && value > r->end);
    return r->inside ? !outside : outside;
}
