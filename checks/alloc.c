/* alloc.c - the core's allocations go through here, so that the unit
 * tests can make the n-th one fail (built with -DP3_ALLOC_TEST only; the
 * library itself keeps no mutable state here). */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#ifdef P3_ALLOC_TEST
static long alloc_budget = -1; /* allocations left before failing */

void p3_alloc_test_fail_after(long n)
{
    alloc_budget = n;
}

static int alloc_denied(void)
{
    if (alloc_budget < 0)
        return 0;
    if (alloc_budget == 0)
        return 1;
    alloc_budget--;
    return 0;
}
#else
static int alloc_denied(void)
{
    return 0;
}
#endif

void *p3_calloc(size_t n, size_t size)
{
    return alloc_denied() ? NULL : calloc(n, size);
}

void *p3_realloc(void *p, size_t size)
{
    return alloc_denied() ? NULL : realloc(p, size);
}

char *p3_strdup(const char *s)
{
    return alloc_denied() ? NULL : strdup(s);
}
