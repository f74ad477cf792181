/* SPDX-License-Identifier: MIT */
/* schedule.h - the config's targets: probes on their intervals, their
 * last results and counters, for pop3_exporter's /metrics and the SNMP
 * agent's table. Owned by the thread that runs the multi loop; the
 * fields the front ends read change only under the caller's lock. */
#ifndef P3X_SCHEDULE_H
#define P3X_SCHEDULE_H

#include <pthread.h>
#include <stdint.h>

#include "config.h"
#include "probelog.h"

/* The delivery-time histogram of round trips: its upper bounds in
 * seconds, for mail that arrives at once, in a minute or late. */
#define P3X_TRIP_BUCKETS 10
extern const double p3x_trip_bounds[P3X_TRIP_BUCKETS];

/* What the round trips of one target add up to: only a target whose
 * module is a round trip has them (the others carry a NULL). */
struct p3x_trip_totals {
    /* deliveries by bucket: [i] took at most p3x_trip_bounds[i] and more
     * than the bound before; [P3X_TRIP_BUCKETS] longer than the last */
    uint64_t delivered[P3X_TRIP_BUCKETS + 1];
    uint64_t deliveries;          /* their sum */
    double delivery_s;            /* the sum of their delivery times */
    uint64_t submission_failures; /* failed in an smtp_* phase */
    uint64_t not_delivered;       /* failed with POP3CHECK_E_NOT_DELIVERED */
    uint64_t stale_cleaned;       /* earlier probes deleted */
};

/* One probe of a target in its history: the status page draws the last
 * P3X_SCHED_HISTORY of them. */
#define P3X_SCHED_HISTORY 30
struct p3x_sched_point {
    int64_t started;     /* Unix seconds */
    int64_t total_us;    /* the probe's time, -1 if not measured */
    int64_t delivery_us; /* a round trip's delivery, -1 if none */
    enum pop3check_state state;
    enum pop3check_error error;
};

struct p3x_sched_target {
    char name[P3X_TARGET_NAME_MAX + 1];
    char host[272];  /* as the config gave it, with ":port" if it did */
    char module[72]; /* the module's name (cut if longer) */
    struct pop3check_probe *probe;
    struct pop3check_thresholds *thr; /* a copy of the module's */
    double timeout_s;
    int64_t interval_ms;
    int64_t next_due;      /* monotonic ms */
    int running;           /* in the multi now */
    int retired;           /* dropped by a reload: free when its probe ends */
    pthread_mutex_t *lock; /* guards the fields below */
    int have_result;
    struct pop3check_result *last; /* pop3check_result_new() before one */
    enum pop3check_state state;
    int64_t since;    /* Unix s: the first probe that gave this state */
    char reason[256]; /* why the state, when not OK: the error or the
                         threshold crossed */
    unsigned long probes_total;
    /* the last min(probes_total, P3X_SCHED_HISTORY) probes: probe k (from
     * 1) at hist[(k - 1) % P3X_SCHED_HISTORY] */
    struct p3x_sched_point hist[P3X_SCHED_HISTORY];
    struct p3x_log last_log; /* the last probe's log (keep_logs) */
    int64_t lag_ms; /* how late the last probe started, -1 before one */
    /* by error kind; a kind a newer library has and this build does not
     * know counts as POP3CHECK_E_INTERNAL */
    unsigned long errors_total[POP3CHECK_E_KNOWN];
    struct p3x_trip_totals *trip;            /* round trips only, else NULL */
    size_t index;                            /* in the schedule: config order */
    struct p3x_due *due;                     /* where it waits while idle */
    size_t due_at;                           /* its place there */
    void (*notify)(void *ctx, size_t index); /* after each result, unlocked */
    void *notify_ctx;
    /* a line when the state or the error kind changes, unlocked */
    void (*log)(void *ctx, const char *level, const char *line);
    void *log_ctx;
    int keep_logs;        /* p3x_schedule_keep_logs() */
    struct p3x_log trace; /* the running probe's: the loop thread's */
    int logged;           /* logged_* hold the last result logged */
    enum pop3check_state logged_state;
    enum pop3check_error logged_error;
};

/* The targets waiting for their next probe, earliest due first. */
struct p3x_due {
    struct p3x_sched_target **v;
    size_t n;
};

struct p3x_schedule {
    struct p3x_sched_target **t;
    size_t n;
    struct p3x_due *due; /* its own allocation: the struct may be copied */
};

/* Builds the schedule of c's targets; results and counters of targets
 * with the same name in old carry over. 0, or -1 with a reason in err. */
int p3x_schedule_build(struct p3x_schedule *out, const struct p3x_config *c,
                       const struct p3x_schedule *old, pthread_mutex_t *lock,
                       char *err, size_t errlen);
/* Drops every target: idle ones are freed now, running ones are marked
 * retired and freed when their probe ends. s is empty after. */
void p3x_schedule_retire(struct p3x_schedule *s);
/* Frees every target at once; only once the multi loop that ran them has
 * been freed (pop3check_multi_free), which drops the probes in flight. */
void p3x_schedule_free(struct p3x_schedule *s);
/* Starts the probes that are due at now (monotonic ms): only those, the
 * waiting targets are kept in order of due time, so a tick costs
 * O(started log n), not a pass over every target. Returns the ms until
 * the next one is due (at most max_wait). */
int p3x_schedule_tick(struct p3x_schedule *s, struct pop3check_multi *m,
                      int64_t now, int max_wait);
/* Has fn(ctx, index of the target) called on the loop's thread after each
 * new result (after the lock is released), for a front end that must be
 * told. */
void p3x_schedule_set_notify(struct p3x_schedule *s, void (*fn)(void *, size_t),
                             void *ctx);

/* Has fn(ctx, level, line) called on the loop's thread after a target's
 * first result and whenever its state or its error kind changes, with
 * the target's name, state and why (the error text, sanitised by the
 * library, or the threshold crossed): level "info" for OK, else "warn". */
void p3x_schedule_set_log(struct p3x_schedule *s,
                          void (*fn)(void *, const char *, const char *),
                          void *ctx);

/* Has each target keep the log of its last probe (last_log): at most
 * P3X_LOG_MAX bytes for it and as much for the probe running. */
void p3x_schedule_keep_logs(struct p3x_schedule *s);

/* The target called name, or NULL. Call with the lock held. */
const struct p3x_sched_target *p3x_schedule_find(const struct p3x_schedule *s,
                                                 const char *name);

/* Monotonic milliseconds. */
int64_t p3x_now_ms(void);

#endif
