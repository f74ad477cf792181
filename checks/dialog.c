/* SPDX-License-Identifier: MIT */
/* dialog.c - moves the bytes of the POP3 dialog between a socket and the
 * session state machine: sends what the session queued, feeds it what
 * arrives (draining the transport, which may hold decrypted TLS data that
 * poll cannot see), and watches for the next event. */
#include <string.h>
#include <sys/socket.h>

#include "dialog.h"

static void end(struct p3_dialog *d)
{
    if (d->ended)
        return;
    d->ended = 1;
    if (d->fd >= 0)
        p3_loop_unwatch(d->loop, d->fd, d);
    d->events = 0;
    d->wake(d->wake_ctx);
}

static void io_failed(struct p3_dialog *d, const char *msg, int64_t now)
{
    d->ops->fail(d->sess, POP3CHECK_E_PROTOCOL, msg, now);
    end(d);
}

/* Sends what the session has queued. 0, or -1 when the dialog ended. */
static int flush(struct p3_dialog *d, int64_t now)
{
    const char *buf;
    size_t n;
    char err[256];

    while ((n = d->ops->pending(d->sess, &buf)) > 0) {
        size_t sent = 0;
        enum p3_io_rc rc =
            d->tr.send(d->tr.ctx, buf, n, &sent, err, sizeof err);
        if (rc == P3_IO_AGAIN)
            return 0;
        if (rc == P3_IO_ERROR) {
            io_failed(d, err, now);
            return -1;
        }
        d->ops->sent(d->sess, sent);
    }
    return 0;
}

static void on_io(void *ctx, int fd, unsigned events);

static void watch(struct p3_dialog *d, int64_t now)
{
    const char *buf;
    unsigned ev = P3_EV_IN;

    if (d->ops->pending(d->sess, &buf) > 0)
        ev |= P3_EV_OUT;
    if (ev == d->events)
        return;
    if (p3_loop_watch(d->loop, d->fd, ev, on_io, d) != 0) {
        d->ops->fail(d->sess, POP3CHECK_E_INTERNAL,
                     "cannot watch the socket (out of memory?)", now);
        end(d);
        return;
    }
    d->events = ev;
}

/* Reads until the transport has nothing more. */
static enum p3_sess_rc drain(struct p3_dialog *d, int64_t *now)
{
    char buf[16384];
    char err[256];

    for (;;) {
        size_t n = 0;
        enum p3_io_rc rc =
            d->tr.recv(d->tr.ctx, buf, sizeof buf, &n, err, sizeof err);
        if (rc == P3_IO_AGAIN)
            return P3_SESS_CONTINUE;
        *now = p3_now_us();
        if (rc == P3_IO_ERROR) {
            io_failed(d, err, *now);
            return P3_SESS_FAILED;
        }
        enum p3_sess_rc s = d->ops->input(d->sess, buf, n, *now);
        if (s != P3_SESS_CONTINUE || n == 0)
            return s;
        if (flush(d, *now) != 0)
            return P3_SESS_FAILED;
    }
}

static void on_io(void *ctx, int fd, unsigned events)
{
    struct p3_dialog *d = ctx;
    int64_t now = p3_now_us();

    (void)fd;
    if (d->ended)
        return;
    if (events & P3_EV_GONE) {
        /* libcurl found the connection dead and closed it. */
        d->fd = -1;
        d->ops->input(d->sess, "", 0, now); /* "server closed ..." */
        end(d);
        return;
    }
    if ((events & P3_EV_OUT) && flush(d, now) != 0)
        return;
    if (events & (P3_EV_IN | P3_EV_ERR)) {
        enum p3_sess_rc rc = drain(d, &now);
        if (d->ended)
            return;
        if (rc != P3_SESS_CONTINUE) {
            end(d);
            return;
        }
    }
    watch(d, now);
}

void p3_dialog_run(struct p3_dialog *d, struct p3_loop *l, int fd,
                   const struct p3_transport *tr,
                   const struct p3_dialog_ops *ops, void *obj, int64_t now,
                   void (*wake)(void *ctx), void *ctx)
{
    memset(d, 0, sizeof *d);
    d->loop = l;
    d->fd = fd;
    d->tr = *tr;
    d->ops = ops;
    d->sess = obj;
    d->wake = wake;
    d->wake_ctx = ctx;
    if (ops->start(obj, now) != P3_SESS_CONTINUE) {
        end(d);
        return;
    }
    if (flush(d, now) == 0)
        watch(d, now);
}

/* ---- a POP3 session ---- */

static enum p3_sess_rc sess_start(void *obj, int64_t now)
{
    return p3_sess_start(obj, now);
}

static size_t sess_pending(const void *obj, const char **buf)
{
    return p3_sess_pending(obj, buf);
}

static void sess_sent(void *obj, size_t n)
{
    p3_sess_sent(obj, n);
}

static enum p3_sess_rc sess_input(void *obj, const char *data, size_t len,
                                  int64_t now)
{
    return p3_sess_input(obj, data, len, now);
}

static void sess_fail(void *obj, enum pop3check_error e, const char *text,
                      int64_t now)
{
    p3_sess_fail(obj, e, text, now);
}

static const struct p3_dialog_ops sess_ops = {sess_start, sess_pending,
                                              sess_sent, sess_input, sess_fail};

void p3_dialog_start(struct p3_dialog *d, struct p3_loop *l, int fd,
                     const struct p3_transport *tr, struct p3_session *s,
                     int64_t now, void (*wake)(void *ctx), void *ctx)
{
    p3_dialog_run(d, l, fd, tr, &sess_ops, s, now, wake, ctx);
}

void p3_dialog_stop(struct p3_dialog *d)
{
    if (d->fd >= 0) {
        p3_loop_unwatch(d->loop, d->fd, d);
        shutdown(d->fd, SHUT_RDWR);
    }
    d->fd = -1;
    d->events = 0;
}
