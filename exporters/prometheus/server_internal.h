/* SPDX-License-Identifier: MIT */
/* server_internal.h - what the parts of pop3_exporter's server share:
 * the request in flight (job) and the server's state. Private. */
#ifndef P3X_SERVER_INTERNAL_H
#define P3X_SERVER_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>

#include "guard.h"
#include "history.h"
#include "page.h"
#include "sched_metrics.h"
#include "schedule.h"
#include "server.h"
#include "stats.h"

#define MARGIN_S 0.5 /* left of Prometheus' scrape timeout, as blackbox */

struct job {
    struct MHD_Connection *conn;
    struct pop3check_probe *probe; /* owned */
    /* The answer: the probe's result (borrowed from it), or refusal when
     * the engine could not run it; NULL if even that failed. */
    const struct pop3check_result *result;
    struct pop3check_result *refusal; /* owned */
    enum pop3check_state state;
    char reason[256];                 /* why the state, when not OK */
    struct pop3check_thresholds *thr; /* a copy of the module's */
    char module[72];
    char target[272];
    double timeout_s;
    int json, debug;
    struct p3x_log log; /* the probe's transcript, secrets redacted */
    struct job *next;
};

struct p3x_server {
    struct MHD_Daemon *mhd;
    struct p3x_guard *guard; /* connection limits and deadlines */
    char *config_path;
    struct p3x_config *config; /* swapped under lock on reload */
    pthread_mutex_t lock;
    struct pop3check_multi *multi;
    struct job *incoming; /* handed to the engine thread, under lock */
    pthread_t engine;
    int engine_started; /* engine is to be joined */
    int stop;
    unsigned port;
    struct p3x_stats stats;      /* under lock */
    struct p3x_history *history; /* under lock */
    struct p3x_schedule sched;   /* the engine's; swapped under lock */
    char *textfile;              /* NULL or the textfile collector's file */
    unsigned config_gen;         /* bumped by a reload, under lock */
    char *auth_user, *auth_pass; /* basic auth, or NULL; wiped on stop */
};

/* engine.c: the probe thread. */
void *p3x_engine_main(void *arg);

/* http.c: libmicrohttpd's callbacks. */
enum MHD_Result p3x_http_request(void *cls, struct MHD_Connection *c,
                                 const char *url, const char *method,
                                 const char *version, const char *upload,
                                 size_t *upload_size, void **req);
void p3x_http_completed(void *cls, struct MHD_Connection *c, void **req,
                        enum MHD_RequestTerminationCode why);

#endif
