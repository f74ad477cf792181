/* SPDX-License-Identifier: MIT */
/* io.c - moves the bytes of the POP3 dialog between the socket libcurl
 * connected (through curl_easy_send/recv, so TLS stays curl's) and the
 * session state machine, without ever blocking. */
#include <string.h>

#include "probe.h"
#include "session.h"

#define EV_IN  1u /* EPOLLIN */
#define EV_OUT 4u /* EPOLLOUT */

void p3_probe_finish(struct pop3check_probe *p, int64_t now)
{
    p->result.phase_us[POP3CHECK_PHASE_TOTAL] = now - p->t0;
    if (p->fd >= 0)
        p3_loop_unwatch(p->loop, p->fd);
    p->fd_events = 0;
    p->stage = P3_FINISHED; /* p3_probe_end shuts p->fd down */
}

static void watch(struct pop3check_probe *p)
{
    const char *buf;
    unsigned ev = EV_IN;

    if (p3_session_pending(p->sess, &buf) > 0)
        ev |= EV_OUT;
    if (ev == p->fd_events)
        return;
    if (p3_loop_watch(p->loop, p, p->fd, ev) != 0)
        p->broken = 1;
    else
        p->fd_events = ev;
}

static void io_failed(struct pop3check_probe *p, const char *what, CURLcode rc,
                      int64_t now)
{
    char msg[256];

    p3_format(msg, sizeof msg, "%s: %s", what,
              p->errbuf[0] ? p->errbuf : curl_easy_strerror(rc));
    p3_session_fail(p->sess, POP3CHECK_E_PROTOCOL, msg, now);
    p3_probe_finish(p, now);
}

/* Sends what the session has queued. 0, or -1 when the probe ended. */
static int flush(struct pop3check_probe *p, int64_t now)
{
    const char *buf;
    size_t n;

    while ((n = p3_session_pending(p->sess, &buf)) > 0) {
        size_t sent = 0;
        CURLcode rc = curl_easy_send(p->easy, buf, n, &sent);
        if (rc == CURLE_AGAIN)
            return 0;
        if (rc != CURLE_OK) {
            io_failed(p, "sending", rc, now);
            return -1;
        }
        p3_session_sent(p->sess, sent);
    }
    return 0;
}

static void settle(struct pop3check_probe *p, enum p3_sess_rc rc, int64_t now)
{
    if (rc != P3_SESS_CONTINUE) {
        p3_probe_finish(p, now);
        return;
    }
    if (flush(p, now) == 0)
        watch(p);
}

/* Reads until the socket has nothing more (TLS may hold decrypted data
 * that poll cannot see). */
static enum p3_sess_rc drain(struct pop3check_probe *p, int64_t *now)
{
    char buf[16384];

    for (;;) {
        size_t n = 0;
        CURLcode rc = curl_easy_recv(p->easy, buf, sizeof buf, &n);
        if (rc == CURLE_AGAIN)
            return P3_SESS_CONTINUE;
        *now = p3_now_us();
        if (rc != CURLE_OK) {
            io_failed(p, "receiving", rc, *now);
            return P3_SESS_FAILED;
        }
        enum p3_sess_rc s = p3_session_input(p->sess, buf, n, *now);
        if (s != P3_SESS_CONTINUE || n == 0)
            return s;
        if (flush(p, *now) != 0)
            return P3_SESS_FAILED;
    }
}

void p3_dialog_start(struct pop3check_probe *p, int64_t now)
{
    struct p3_sess_config cfg = {
        .user = p->o.user,
        .password = p->o.password,
        .auth = p->o.auth,
        .list = p->o.list,
        .uidl = p->o.uidl,
        .top = p->o.top,
        .retr = p->o.retr,
        .trace = p->o.trace,
        .trace_ctx = p->o.trace_ctx,
    };
    curl_socket_t fd = CURL_SOCKET_BAD;

    p->stage = P3_DIALOG;
    if (curl_easy_getinfo(p->easy, CURLINFO_ACTIVESOCKET, &fd) == CURLE_OK &&
        fd != CURL_SOCKET_BAD)
        p->fd = (int)fd; /* from here on p3_probe_end shuts it down */
    p->sess = p3_session_new(&cfg, &p->result, p->trk.apop_ts, p->t0);
    if (p->sess == NULL || p->fd < 0) {
        p->result.error = POP3CHECK_E_INTERNAL;
        p->result.failed_phase = POP3CHECK_PHASE_AUTH;
        p3_format(p->result.error_text, sizeof p->result.error_text,
                  "cannot take over the connection from libcurl");
        p3_probe_finish(p, now);
        return;
    }
    p->fd_events = 0;
    settle(p, p3_session_start(p->sess, now), now);
}

void p3_dialog_io(struct pop3check_probe *p, unsigned events, int64_t now)
{
    if (p->stage != P3_DIALOG)
        return;
    if ((events & EV_OUT) && flush(p, now) != 0)
        return;
    if (events & ~EV_OUT) { /* readable, or an error/hang-up to read */
        enum p3_sess_rc rc = drain(p, &now);
        if (p->stage != P3_DIALOG)
            return;
        if (rc != P3_SESS_CONTINUE) {
            p3_probe_finish(p, now);
            return;
        }
    }
    watch(p);
}
