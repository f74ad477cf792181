/* SPDX-License-Identifier: MIT */
/* probe.h - the state of one probe, shared by probe.c (options and
 * libcurl set-up), connect.c (end of the connect phase) and io.c (the
 * dialog's socket I/O); private to the library. */
#ifndef POP3CHECK_PROBE_H
#define POP3CHECK_PROBE_H

#include <curl/curl.h>

#include "internal.h"

enum p3_stage { P3_IDLE, P3_CURL, P3_DIALOG, P3_FINISHED };

struct pop3check_probe {
    struct pop3check_options o; /* strings point into the copies below */
    char *host, *cafile, *sni, *user, *password;
    char url[300];
    char connect_to[600];

    /* one run */
    enum p3_stage stage;
    struct p3_loop *loop;
    struct pop3check_result result;
    CURL *easy;
    int in_multi; /* easy is in the loop's multi handle */
    struct curl_slist *connect_to_list;
    char errbuf[CURL_ERROR_SIZE];
    struct p3_tracker trk;
    struct p3_session *sess;
    int64_t t0, deadline;
    int fd;             /* the dialog's socket, -1 before and after */
    int broken;         /* the loop could not watch a socket (memory) */
    int closed;         /* libcurl closed the dialog's dead connection */
    unsigned fd_events; /* what the loop watches on fd */

    /* owned by the multi */
    pop3check_done_fn *done;
    void *done_ctx;
    struct pop3check_probe *prev, *next;
};

/* multi.c: the loop's libcurl multi handle, shared by its probes. */
int p3_loop_curl_add(struct p3_loop *l, CURL *easy);
/* Removes and cleans up easy. */
void p3_loop_curl_remove(struct p3_loop *l, CURL *easy);
/* curl_multi_socket_action, then ends the connect stage of the probes
 * libcurl has finished with. */
void p3_loop_curl_action(struct p3_loop *l, int fd, int flags);
/* CURLOPT_CLOSESOCKETFUNCTION, with the loop as its data. */
int p3_loop_close_socket(void *loop, curl_socket_t s);

/* connect.c */
void p3_connect_finished(struct pop3check_probe *p, CURLcode code, int64_t now);
/* Fills the phases of the connect stage from curl's and the tracker's
 * times and returns the phase in progress at now; when failing, the time
 * up to now is charged to that phase. */
enum pop3check_phase p3_connect_phases(struct pop3check_probe *p, int64_t now,
                                       int failing);

/* io.c */
void p3_dialog_start(struct pop3check_probe *p, int64_t now);
void p3_dialog_io(struct pop3check_probe *p, unsigned events, int64_t now);
void p3_probe_finish(struct pop3check_probe *p, int64_t now);

#endif
