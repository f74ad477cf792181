/* SPDX-License-Identifier: MIT */
/* probe.c - a probe: its options, and the life cycle of one run. Begin:
 * libcurl connects (conn.c); once it is done, the dialog (dialog.c) runs
 * the session from the login on; finish: times, connection released, the
 * runner told. Whatever happens inside libcurl's callbacks only wakes the
 * probe's timer; the steps themselves run from the loop. */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probe.h"
#include "seen.h"
#include "tokstore.h"

struct pop3check_probe *pop3check_probe_new(const struct pop3check_options *o,
                                            char *err, size_t errlen)
{
    struct pop3check_probe *p;
    const char *why = o ? p3_opts_check(&o->v) : "no options";

    if (why != NULL) {
        p3_format(err, errlen, "%s", why);
        return NULL;
    }
    p = p3_calloc(1, sizeof *p);
    if (p == NULL || p3_opts_copy(&p->o, &o->v) != 0) {
        free(p);
        p3_format(err, errlen, "out of memory");
        return NULL;
    }
    if (p->o.user == NULL) { /* a banner check sends no password */
        p3_free_secret(p->o.password);
        p3_free_secret(p->o.token);
        p->o.password = p->o.token = NULL;
    }
    if (p->o.age == 2 && (p->seen = p3_seen_new()) == NULL) {
        pop3check_probe_free(p);
        p3_format(err, errlen, "out of memory");
        return NULL;
    }
    p3_result_init(&p->last);
    return p;
}

int pop3check_probe_carry(struct pop3check_probe *to,
                          const struct pop3check_probe *from)
{
    if (to == NULL || from == NULL || p3_probe_running(to))
        return -1;
    if (to->seen == NULL || from->seen == NULL)
        return 0; /* nothing to carry */
    return p3_seen_copy(to->seen, from->seen);
}

void pop3check_probe_free(struct pop3check_probe *p)
{
    if (p == NULL)
        return;
    p3_probe_abort(p);
    p3_opts_clear(&p->o);
    explicit_bzero(&p->scram_keys, sizeof p->scram_keys);
    p3_seen_free(p->seen);
    free(p);
}

const struct pop3check_result *
pop3check_probe_result(const struct pop3check_probe *p)
{
    return &p->last;
}

int p3_probe_running(const struct pop3check_probe *p)
{
    return p->stage != P3_IDLE;
}

/* Releases a POP3 session and its connection. */
static void release_session(struct p3_run *r)
{
    p3_dialog_stop(&r->dialog);
    p3_sess_free(r->sess);
    r->sess = NULL;
    p3_conn_end(&r->conn); /* libcurl closes the socket */
    r->dialog.fd = -1;
}

/* Releases the connection and the session; the stage is left as it is. */
static void release(struct pop3check_probe *p)
{
    struct p3_run *r = p->run;

    if (r != NULL) {
        release_session(r);
        if (r->trip != NULL) {
            p3_trip_end(r->trip);
            free(r->trip);
        }
        p3_grant_end(&r->grant);
        pop3check_secret_free(r->token);
        free(r);
        p->run = NULL;
    }
    p3_loop_timer_stop(&p->timer); /* last: nothing above may re-arm it */
}

void p3_probe_abort(struct pop3check_probe *p)
{
    if (p->stage == P3_IDLE)
        return;
    release(p);
    p->stage = P3_IDLE;
}

/* A token the server refused is not kept for the next run. */
static void forget_token(struct pop3check_probe *p)
{
    p3_tokstore_drop(p->o.tokstore);
    p3_grant_cache_drop(&p->o);
}

/* The end of a run: every step is over. */
static void finish(struct pop3check_probe *p, int64_t now)
{
    if (p->run != NULL && p->o.token_url != NULL &&
        p->run->result.error == POP3CHECK_E_AUTH &&
        p->run->result.failed_phase == POP3CHECK_PHASE_AUTH)
        forget_token(p);
    if (p->run != NULL && p->run->trip != NULL)
        p3_trip_finish(p->run->trip, now);
    if (p->run != NULL) { /* else last holds why it could not start */
        p->run->result.phase_us[POP3CHECK_PHASE_TOTAL] = now - p->t0;
        p->last = p->run->result;
    }
    release(p);
    p->stage = P3_IDLE;
    if (p->end != NULL)
        p->end(p->end_ctx, p); /* may free p or begin it again */
}

static void fail_internal(struct pop3check_result *r, enum pop3check_phase ph,
                          const char *msg)
{
    r->error = POP3CHECK_E_INTERNAL;
    r->failed_phase = ph;
    p3_format(r->error_text, sizeof r->error_text, "%s", msg);
}

static void wake(void *ctx)
{
    struct pop3check_probe *p = ctx;

    p3_loop_timer_at(p->loop, &p->timer, 0); /* the next turn */
}

static void start_dialog(struct pop3check_probe *p, int64_t now)
{
    struct p3_sess_config cfg = {
        .user = p->o.user,
        .password = p->o.password,
        .token = p->run->token ? p->run->token : p->o.token,
        .host = p->o.host,
        .port = p3_opts_port(&p->o),
        .auth = (enum pop3check_auth)p->o.auth,
        .list = (int)p->o.list,
        .uidl = (int)p->o.uidl,
        .top = p->o.top,
        .retr = p->o.retr,
        .age = (int)p->o.age,
        .age_scan = p->o.age_scan ? p->o.age_scan : P3_AGE_SCAN,
        .wall_s = (int64_t)time(NULL),
        .seen = p->seen,
        .trace = p->o.trace,
        .trace_ctx = p->o.trace_ctx,
        .poll = p->run->trip ? &p->run->trip->poll : NULL,
        .scram_keys = &p->scram_keys,
        .store = p->o.tokstore,
        .tls_unverified = (int)p->o.insecure,
        .plus_refused = &p->plus_refused,
    };
    struct p3_run *r = p->run;
    struct p3_transport tr = p3_conn_transport(&r->conn);
    int fd = p3_conn_socket(&r->conn);

    cfg.chanbind = p3_conn_chanbind(&r->conn, &cfg.chanbind_why);

    r->sess = p3_sess_new(&cfg, &r->result, p3_conn_apop_ts(&r->conn),
                          r->trip ? r->trip->poll_start : p->t0);
    if (r->sess == NULL || fd < 0) {
        fail_internal(&r->result, POP3CHECK_PHASE_AUTH,
                      "cannot take over the connection from libcurl");
        finish(p, now);
        return;
    }
    p->stage = P3_DIALOG;
    p3_loop_timer_at(p->loop, &p->timer, p->deadline);
    p3_dialog_start(&r->dialog, p->loop, fd, &tr, r->sess, now, wake, p);
}

static void schedule_poll(struct pop3check_probe *p, int64_t now);

/* A POP3 session is over: a round trip may poll again. */
static void session_over(struct pop3check_probe *p, int64_t now)
{
    struct p3_run *r = p->run;

    if (r == NULL || r->trip == NULL || p3_trip_poll_end(r->trip, now) ||
        r->result.error != POP3CHECK_E_OK) {
        finish(p, now);
        return;
    }
    release_session(r);
    schedule_poll(p, now);
}

/* The connect stage at a wake-up or at the deadline. */
static void connect_step(struct pop3check_probe *p, int64_t now)
{
    struct p3_conn *c = &p->run->conn;

    switch (c->state) {
    case P3_CONN_FINISHED:
        if (p3_conn_finish(c, c->code, now) == 0) {
            start_dialog(p, now);
            return;
        }
        break;
    case P3_CONN_BAD_GREETING:
        p3_conn_finish(c, CURLE_WEIRD_SERVER_REPLY, now);
        break;
    case P3_CONN_BROKEN:
        fail_internal(&p->run->result, p3_conn_fail_phase(c, now),
                      "cannot watch the socket (out of memory?)");
        break;
    default:
        if (now < p->deadline) {
            p3_loop_timer_at(p->loop, &p->timer, p->deadline);
            return;
        }
        p3_conn_finish(c, CURLE_OPERATION_TIMEDOUT, now);
        break;
    }
    session_over(p, now);
}

static void dialog_step(struct pop3check_probe *p, int64_t now)
{
    char msg[96];

    struct p3_run *r = p->run;

    if (!r->dialog.ended) {
        if (now < p->deadline) {
            p3_loop_timer_at(p->loop, &p->timer, p->deadline);
            return;
        }
        p3_format(msg, sizeof msg, "no reply within %ld ms (%s)",
                  p3_opts_timeout_ms(&p->o),
                  pop3check_phase_name(p3_sess_phase(r->sess)));
        p3_sess_fail(r->sess, POP3CHECK_E_TIMEOUT, msg, now);
    }
    session_over(p, now);
}

/* ---- a round trip's stages (trip.c has their substance) ---- */

static void start_poll(struct pop3check_probe *p, int64_t now)
{
    struct p3_run *r = p->run;

    if (now >= p->deadline) { /* the loop was late: no poll fits */
        finish(p, now);
        return;
    }
    p3_trip_poll_begin(r->trip, now);
    p->stage = P3_CONNECT;
    if (p3_conn_start(&r->conn, &p->o, &r->result, p->cm, now, wake, p) != 0) {
        fail_internal(&r->result, POP3CHECK_PHASE_RESOLVE,
                      "cannot set up libcurl (out of memory?)");
        finish(p, now);
        return;
    }
    p3_loop_timer_at(p->loop, &p->timer, p->deadline);
}

static void schedule_poll(struct pop3check_probe *p, int64_t now)
{
    int64_t at = p3_trip_next_poll(p->run->trip, now);

    if (at < 0) {
        finish(p, now); /* not delivered in time */
        return;
    }
    p->stage = P3_WAIT;
    p3_loop_timer_at(p->loop, &p->timer, at);
}

static void smtp_step(struct pop3check_probe *p, int64_t now)
{
    switch (p3_trip_submit_step(p->run->trip, p->loop, now)) {
    case P3_TRIP_BUSY:
        p3_loop_timer_at(p->loop, &p->timer, p->deadline);
        return;
    case P3_TRIP_SUBMITTED:
        schedule_poll(p, now);
        return;
    default:
        finish(p, now);
    }
}

static void grant_step(struct pop3check_probe *p, int64_t now);

static void on_timer(void *ctx, int64_t now)
{
    struct pop3check_probe *p = ctx;

    if (p->stage == P3_GRANT)
        grant_step(p, now);
    else if (p->stage == P3_SMTP)
        smtp_step(p, now);
    else if (p->stage == P3_WAIT)
        start_poll(p, now);
    else if (p->stage == P3_CONNECT)
        connect_step(p, now);
    else if (p->stage == P3_DIALOG)
        dialog_step(p, now);
    else if (p->stage == P3_FINISHED)
        finish(p, now);
}

void p3_probe_refuse(struct pop3check_probe *p, const char *why)
{
    p3_result_init(&p->last);
    p->last.started_at = (int64_t)time(NULL);
    p->last.phase_us[POP3CHECK_PHASE_TOTAL] = 0;
    fail_internal(&p->last, POP3CHECK_PHASE_RESOLVE, why);
}

/* A run that cannot start is reported on the loop's next turn, like any
 * other; last says why when there is no run to hold it. */
static int cannot_start(struct pop3check_probe *p, const char *why)
{
    if (p->run != NULL) {
        fail_internal(&p->run->result, POP3CHECK_PHASE_RESOLVE, why);
    } else {
        p3_probe_refuse(p, why);
    }
    p->stage = P3_FINISHED;
    p3_loop_timer_at(p->loop, &p->timer, 0);
    return 0;
}

/* The token file, read again for every run (a refresher replaces it):
 * 0, or -1 with the run failed at login (the result says why). */
static int read_token(struct pop3check_probe *p, struct p3_run *r)
{
    char err[sizeof r->result.error_text - 40];
    char msg[sizeof r->result.error_text];

    if (p->o.user == NULL || p->o.token_file == NULL)
        return 0;
    r->token = pop3check_secret_read(p->o.token_file, POP3CHECK_SECRET_LINE,
                                     P3_TOKEN_MAX, NULL, err, sizeof err);
    if (r->token != NULL && p3_token_ok(r->token))
        return 0;
    if (r->token != NULL) {
        char path[120];
        p3_sanitise(path, sizeof path, p->o.token_file, strlen(p->o.token_file),
                    NULL);
        p3_format(err, sizeof err,
                  "'%s': its first line is not an OAuth 2.0 bearer token "
                  "(RFC 6750: A-Z a-z 0-9 - . _ ~ + / and trailing '=')",
                  path);
    }
    pop3check_secret_free(r->token);
    r->token = NULL;
    p3_format(msg, sizeof msg, "token file: %s", err);
    r->result.error = POP3CHECK_E_AUTH;
    r->result.failed_phase = POP3CHECK_PHASE_AUTH;
    p3_format(r->result.error_text, sizeof r->result.error_text, "%s", msg);
    p->stage = P3_FINISHED;
    p3_loop_timer_at(p->loop, &p->timer, 0);
    return -1;
}

static void info(struct pop3check_probe *p, const char *text)
{
    if (p->o.trace != NULL)
        p->o.trace(p->o.trace_ctx, POP3CHECK_TRACE_INFO, text, strlen(text));
}

/* A token kept from an earlier grant, in memory or in the cache file,
 * for this run: 1 if there is one. */
static int kept_token(struct pop3check_probe *p, struct p3_run *r)
{
    time_t now = time(NULL), until = 0;
    char why[300], note[400];
    char *t = NULL;

    if ((t = p3_tokstore_get(p->o.tokstore, now, &until)) == NULL) {
        if (p3_grant_cache_read(&p->o, now, &t, &until, why, sizeof why) < 0) {
            p3_format(note, sizeof note, "token cache: %s (not used)", why);
            info(p, note);
        } else if (t != NULL) {
            p3_tokstore_put(p->o.tokstore, t, until);
        }
    }
    if (t == NULL)
        return 0;
    r->token = t;
    p3_format(note, sizeof note,
              "token: kept from an earlier grant, used for another %ld s",
              (long)(until - now));
    info(p, note);
    return 1;
}

static int start_connect(struct pop3check_probe *p, struct p3_run *r,
                         int64_t now);

/* The grant at a wake-up or at the deadline. */
static void grant_step(struct pop3check_probe *p, int64_t now)
{
    struct p3_run *r = p->run;
    char *token = NULL;
    long expires_in = -1;
    time_t until;
    char note[200];

    if (!r->grant.done) {
        if (now < p->deadline) {
            p3_loop_timer_at(p->loop, &p->timer, p->deadline);
            return;
        }
        r->result.error = POP3CHECK_E_TIMEOUT;
        r->result.failed_phase = POP3CHECK_PHASE_TOKEN;
        p3_format(r->result.error_text, sizeof r->result.error_text,
                  "token endpoint: no answer within %ld ms",
                  p3_opts_timeout_ms(&p->o));
        r->result.phase_us[POP3CHECK_PHASE_TOKEN] = now - p->t0;
        finish(p, now);
        return;
    }
    r->result.phase_us[POP3CHECK_PHASE_TOKEN] = now - p->t0;
    if (p3_grant_finish(&r->grant, &p->o, &r->result, &token, &expires_in) !=
        0) {
        p3_grant_end(&r->grant);
        finish(p, now);
        return;
    }
    p3_grant_end(&r->grant);
    r->token = token;
    until = p3_grant_until(time(NULL), expires_in);
    if (until > 0)
        p3_tokstore_put(p->o.tokstore, token, until);
    else
        p3_tokstore_drop(p->o.tokstore);
    if (expires_in < 0)
        p3_format(note, sizeof note,
                  "token: granted without expires_in, not kept");
    else
        p3_format(note, sizeof note, "token: granted for %ld s, kept for %ld s",
                  expires_in, (long)(until - time(NULL)));
    info(p, note);
    if (until > 0 && p->o.token_cache != NULL) {
        char why[200], msg[sizeof why + 20];
        if (p3_grant_cache_write(&p->o, token, until, why, sizeof why) != 0) {
            p3_format(msg, sizeof msg, "token cache: %s", why);
            info(p, msg);
        }
    }
    start_connect(p, r, now);
}

/* A round trip begins with its submission (at now: after the grant). */
static int begin_trip(struct pop3check_probe *p, struct p3_run *r, int64_t now)
{
    p->stage = P3_SMTP;
    if ((r->trip = p3_calloc(1, sizeof *r->trip)) == NULL)
        return cannot_start(p, "out of memory");
    if (p3_trip_start(r->trip, &p->o, r->token ? r->token : p->o.token,
                      &r->result, p->cm, now, p->deadline, wake, p) != 0) {
        p->stage = P3_FINISHED; /* the result says why */
        p3_loop_timer_at(p->loop, &p->timer, 0);
        return 0;
    }
    p3_loop_timer_at(p->loop, &p->timer, p->deadline);
    return 0;
}

int p3_probe_begin(struct pop3check_probe *p, struct p3_loop *loop,
                   struct p3_curlm *cm, p3_probe_end_fn *end, void *ctx)
{
    struct p3_run *r;

    if (p3_probe_running(p))
        return -1;
    p3_probe_abort(p);
    p->loop = loop;
    p->cm = cm;
    p->end = end;
    p->end_ctx = ctx;
    p->t0 = p3_now_us();
    p->deadline = p->t0 + (int64_t)p3_opts_timeout_ms(&p->o) * 1000;
    p3_timer_init(&p->timer, on_timer, p);
    p->stage = P3_CONNECT;
    if ((r = p->run = p3_calloc(1, sizeof *r)) == NULL)
        return cannot_start(p, "out of memory");
    r->dialog.fd = -1;
    p3_result_init(&r->result);
    r->result.started_at = (int64_t)time(NULL);
    if (read_token(p, r) != 0)
        return 0;
    if (p->o.user != NULL && p->o.token_url != NULL && !kept_token(p, r)) {
        char note[2200];
        p3_format(note, sizeof note,
                  "token: client-credentials grant at %s for client %s%s%s",
                  p->o.token_url, p->o.client_id,
                  p->o.token_scope ? ", scope " : "",
                  p->o.token_scope ? p->o.token_scope : "");
        info(p, note);
        p->stage = P3_GRANT;
        if (p3_grant_start(&r->grant, &p->o, cm, p3_opts_timeout_ms(&p->o),
                           wake, p) != 0)
            return cannot_start(p, "cannot set up libcurl for the token "
                                   "endpoint (out of memory?)");
        p3_loop_timer_at(loop, &p->timer, p->deadline);
        return 0;
    }
    return start_connect(p, r, p->t0);
}

/* After the token (if any): the round trip's submission, or the POP3
 * connection. */
static int start_connect(struct pop3check_probe *p, struct p3_run *r,
                         int64_t now)
{
    p->stage = P3_CONNECT;
    if (p->o.smtp_host != NULL)
        return begin_trip(p, r, now);
    if (p3_conn_start(&r->conn, &p->o, &r->result, p->cm, now, wake, p) != 0)
        return cannot_start(p, "cannot set up libcurl (out of memory?)");
    p3_loop_timer_at(p->loop, &p->timer, p->deadline);
    return 0;
}
