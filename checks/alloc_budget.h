/* SPDX-License-Identifier: MIT */
/* alloc_budget.h - the unit tests' allocation-failure budget: once set
 * to n, the n-th allocation from then on and every one after it fail.
 * Included (for its static state, one budget per includer) by the core's
 * alloc.c under P3_ALLOC_TEST and by pop3_exporter's expose.c under
 * P3X_ALLOC_TEST; without ALLOC_BUDGET nothing is ever denied. */
#ifndef POP3CHECK_ALLOC_BUDGET_H
#define POP3CHECK_ALLOC_BUDGET_H

#ifdef ALLOC_BUDGET
static long alloc_budget = -1; /* allocations left before failing */

static void alloc_budget_set(long n)
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

#endif
