/* SPDX-License-Identifier: MIT */
/* alloc.c - the core's allocations go through here, so that the unit
 * tests can make the n-th one fail (built with -DP3_ALLOC_TEST only; the
 * library itself keeps no mutable state here). */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#ifdef P3_ALLOC_TEST
#define ALLOC_BUDGET
#endif
#include "alloc_budget.h"

#ifdef P3_ALLOC_TEST
void p3_alloc_test_fail_after(long n)
{
    alloc_budget_set(n);
}
#endif

void *p3_calloc(size_t n, size_t size)
{
    return alloc_denied() ? NULL : calloc(n, size);
}

void *p3_malloc(size_t size)
{
    return alloc_denied() ? NULL : malloc(size);
}

void *p3_realloc(void *p, size_t size)
{
    return alloc_denied() ? NULL : realloc(p, size);
}

char *p3_strdup(const char *s)
{
    return alloc_denied() ? NULL : strdup(s);
}
