/* SPDX-License-Identifier: MIT */
/* curlio.c - the dialog's transport over a CONNECT_ONLY connection of
 * libcurl (a POP3 probe's, a round trip's SMTP submission). */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "curlio.h"
#include "internal.h"

static enum p3_io_rc io_rc(const struct p3_curlio *io, CURLcode rc,
                           const char *what, char *err, size_t errlen)
{
    if (rc == CURLE_OK)
        return P3_IO_OK;
    if (rc == CURLE_AGAIN)
        return P3_IO_AGAIN;
    p3_format(err, errlen, "%s: %s", what,
              io->errbuf[0] ? io->errbuf : curl_easy_strerror(rc));
    return P3_IO_ERROR;
}

static enum p3_io_rc tls_send(void *ctx, const char *buf, size_t len,
                              size_t *done, char *err, size_t errlen)
{
    struct p3_curlio *io = ctx;

    *done = 0;
    return io_rc(io, curl_easy_send(io->easy, buf, len, done), "sending", err,
                 errlen);
}

static enum p3_io_rc tls_recv(void *ctx, char *buf, size_t len, size_t *done,
                              char *err, size_t errlen)
{
    struct p3_curlio *io = ctx;

    *done = 0;
    return io_rc(io, curl_easy_recv(io->easy, buf, len, done), "receiving", err,
                 errlen);
}

/* Plain text needs no libcurl in between: its curl_easy_send/recv look
 * the connection up in the shared multi handle's cache on every call,
 * which costs in proportion to the transfers in flight. After its part of
 * the dialog libcurl holds no unread bytes (POP3 and SMTP servers do not
 * speak unasked). */
static enum p3_io_rc raw_rc(ssize_t n, const char *what, size_t *done,
                            char *err, size_t errlen)
{
    if (n >= 0) {
        *done = (size_t)n;
        return P3_IO_OK;
    }
    *done = 0;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return P3_IO_AGAIN;
    p3_format(err, errlen, "%s: %s", what, strerror(errno));
    return P3_IO_ERROR;
}

static enum p3_io_rc raw_send(void *ctx, const char *buf, size_t len,
                              size_t *done, char *err, size_t errlen)
{
    const struct p3_curlio *io = ctx;

    return raw_rc(send(io->fd, buf, len, MSG_NOSIGNAL), "sending", done, err,
                  errlen);
}

static enum p3_io_rc raw_recv(void *ctx, char *buf, size_t len, size_t *done,
                              char *err, size_t errlen)
{
    const struct p3_curlio *io = ctx;

    return raw_rc(recv(io->fd, buf, len, 0), "receiving", done, err, errlen);
}

struct p3_transport p3_curlio_transport(struct p3_curlio *io, int tls)
{
    if (!tls && io->fd >= 0)
        return (struct p3_transport){raw_send, raw_recv, io};
    return (struct p3_transport){tls_send, tls_recv, io};
}
