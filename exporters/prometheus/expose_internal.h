/* SPDX-License-Identifier: MIT */
/* expose_internal.h - shared by expose.c (the model, the text format) and
 * expose_json.c (the JSON): how values are written and labels kept. Not
 * part of any API. */
#ifndef P3X_EXPOSE_INTERNAL_H
#define P3X_EXPOSE_INTERNAL_H

#include "expose.h"

#define P3X_VALUE_MAX 32 /* "-1.2345678901234567e-308" and more */

/* v as both formats write it: NaN, +Inf, -Inf; integers below 1e15
 * without exponent; otherwise the shortest %.Ng that reads back as the
 * same double, with '.' whatever the locale. */
void p3x_format_value(double v, char buf[P3X_VALUE_MAX]);
/* The next (name, value) of a sample's packed labels at at; returns where
 * the one after starts. */
const char *p3x_next_label(const char *at, const char **name,
                           const char **value);

#endif
