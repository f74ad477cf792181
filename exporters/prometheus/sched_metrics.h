/* SPDX-License-Identifier: MIT */
/* sched_metrics.h - the scheduled targets' metric families for /metrics
 * and the textfile collector. */
#ifndef P3X_SCHED_METRICS_H
#define P3X_SCHED_METRICS_H

#include "expose.h"
#include "schedule.h"

/* Adds the families of every target that has a result, with
 * target="<name>", and the counters. Call with the lock held. */
int p3x_schedule_families(const struct p3x_schedule *s,
                          struct p3x_families *fs);

#endif
