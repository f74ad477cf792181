/* SPDX-License-Identifier: MIT */
/* curlio.c - the dialog's transport over a CONNECT_ONLY connection of
 * libcurl (a POP3 probe's, a round trip's SMTP submission). */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "curlio.h"
#include "internal.h"

#define SET(opt, val)                                                          \
    do {                                                                       \
        if (curl_easy_setopt(easy, opt, val) != CURLE_OK)                      \
            return -1;                                                         \
    } while (0)

int p3_curlio_setup(CURL *easy, const char *url, const char *protocols,
                    long ip_version, long timeout_ms, char *errbuf,
                    curl_debug_callback fn, void *ctx)
{
    long ipr = ip_version == 4   ? CURL_IPRESOLVE_V4
               : ip_version == 6 ? CURL_IPRESOLVE_V6
                                 : CURL_IPRESOLVE_WHATEVER;

    SET(CURLOPT_URL, url);
    SET(CURLOPT_PROTOCOLS_STR, protocols);
    /* The server itself is probed, never through a proxy that libcurl
     * would take from the environment (all_proxy, pop3_proxy). */
    SET(CURLOPT_PROXY, "");
    SET(CURLOPT_CONNECT_ONLY, 1L);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_QUICK_EXIT, 1L); /* never wait for a resolver thread */
    SET(CURLOPT_TIMEOUT_MS, timeout_ms);
    SET(CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    SET(CURLOPT_IPRESOLVE, ipr);
    SET(CURLOPT_ERRORBUFFER, errbuf);
    /* 4 KiB instead of 16 per probe in flight (the dialog has its own). */
    SET(CURLOPT_BUFFERSIZE, 4096L);
    SET(CURLOPT_VERBOSE, 1L); /* feeds the debug callback, prints nothing */
    SET(CURLOPT_DEBUGFUNCTION, fn);
    SET(CURLOPT_DEBUGDATA, ctx);
    return 0;
}

int p3_curlio_tls(CURL *easy, long use_ssl, int insecure, const char *cafile)
{
    if (use_ssl >= 0)
        SET(CURLOPT_USE_SSL, use_ssl);
    SET(CURLOPT_SSL_SESSIONID_CACHE, 0L); /* time a full handshake */
    if (insecure) {
        SET(CURLOPT_SSL_VERIFYPEER, 0L);
        SET(CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (cafile != NULL)
        SET(CURLOPT_CAINFO, cafile);
    return 0;
}

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
