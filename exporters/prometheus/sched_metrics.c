/* SPDX-License-Identifier: MIT */
/* sched_metrics.c - the scheduled targets as metric families: the probe
 * families with target="<name>", and the counters; for a round trip its
 * delivery-time histogram and its own counters. */
#include "sched_metrics.h"

#define FAM(name, help, type)                                                  \
    if ((f = p3x_family(fs, name, help, type)) == NULL)                        \
        return -1;

static int counters(const struct p3x_sched_target *t, struct p3x_families *fs)
{
    struct p3x_family *f;
    int64_t started;

    FAM("pop3_probes_total", "Probes completed since the daemon started.",
        P3X_COUNTER);
    if (p3x_sample(f, (double)t->probes_total, 1, "target", t->name) != 0)
        return -1;
    FAM("pop3_probe_errors_total",
        "Failed probes since the daemon started, by kind of error.",
        P3X_COUNTER);
    /* The kinds this build counts (schedule.h); never beyond the array. */
    for (int k = POP3CHECK_E_OK + 1; k < POP3CHECK_E_KNOWN; k++) {
        const char *kind = pop3check_error_name((enum pop3check_error)k);
        if (kind != NULL && p3x_sample(f, (double)t->errors_total[k], 2, "kind",
                                       kind, "target", t->name) != 0)
            return -1;
    }
    FAM("pop3_probe_schedule_lag_seconds",
        "How late the last probe started after it was due.", P3X_GAUGE);
    if (p3x_sample(f, t->lag_ms < 0 ? 0 : (double)t->lag_ms / 1000, 1, "target",
                   t->name) != 0)
        return -1;
    started = pop3check_result_figure(t->last, POP3CHECK_FIG_STARTED_AT);
    FAM("pop3_last_probe_timestamp_seconds",
        "Unix time at which the last completed probe started.", P3X_GAUGE);
    return p3x_sample(f, started < 0 ? 0 : (double)started, 1, "target",
                      t->name);
}

/* A round-trip target's histogram and counters. */
static int trip_families(const struct p3x_sched_target *t,
                         struct p3x_families *fs)
{
    static const struct {
        const char *name, *help;
    } counter[] = {
        {"pop3_roundtrip_submission_failures_total",
         "Round trips that failed while submitting the probe message (in an "
         "smtp_* phase)."},
        {"pop3_roundtrip_not_delivered_total",
         "Round trips whose probe message was not in the mailbox in time."},
        {"pop3_roundtrip_stale_cleaned_total",
         "Probe messages of earlier round trips deleted since the daemon "
         "started."},
    };
    const struct p3x_trip_totals *tt = t->trip;
    const uint64_t value[] = {tt->submission_failures, tt->not_delivered,
                              tt->stale_cleaned};
    uint64_t cumulative[P3X_TRIP_BUCKETS], n = 0;
    struct p3x_family *f;

    for (size_t i = 0; i < P3X_TRIP_BUCKETS; i++)
        cumulative[i] = n += tt->delivered[i];
    FAM("pop3_roundtrip_delivery_duration_seconds",
        "Time from the SMTP server taking a probe message to the POP3 "
        "session that first saw it, of the round trips that found theirs.",
        P3X_HISTOGRAM);
    if (p3x_histogram(f, p3x_trip_bounds, cumulative, P3X_TRIP_BUCKETS,
                      tt->deliveries, tt->delivery_s, 1, "target",
                      t->name) != 0)
        return -1;
    _Static_assert(sizeof counter / sizeof *counter ==
                       sizeof value / sizeof *value,
                   "one value per counter");
    for (size_t i = 0; i < sizeof counter / sizeof *counter; i++) {
        FAM(counter[i].name, counter[i].help, P3X_COUNTER);
        if (p3x_sample(f, (double)value[i], 1, "target", t->name) != 0)
            return -1;
    }
    return 0;
}

int p3x_schedule_families(const struct p3x_schedule *s, struct p3x_families *fs)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct p3x_sched_target *t = s->t[i];
        if (!t->have_result)
            continue;
        if (p3x_add_probe(fs, t->last, t->state, t->timeout_s, t->name) != 0 ||
            counters(t, fs) != 0 ||
            (t->trip != NULL && trip_families(t, fs) != 0))
            return -1;
    }
    return 0;
}
