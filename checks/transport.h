/* SPDX-License-Identifier: MIT */
/* transport.h - how the dialog moves bytes: a pair of non-blocking calls
 * over a connection it does not own (libcurl's, in conn.c; a test's). */
#ifndef POP3CHECK_TRANSPORT_H
#define POP3CHECK_TRANSPORT_H

#include <stddef.h>

enum p3_io_rc { P3_IO_OK, P3_IO_AGAIN, P3_IO_ERROR };

struct p3_transport {
    /* Sends up to len bytes: OK with *done set, AGAIN when the socket is
     * full, ERROR with a reason in err. */
    enum p3_io_rc (*send)(void *ctx, const char *buf, size_t len, size_t *done,
                          char *err, size_t errlen);
    /* Receives up to len bytes: OK with *done set (0: the peer closed),
     * AGAIN when nothing is there, ERROR with a reason in err. */
    enum p3_io_rc (*recv)(void *ctx, char *buf, size_t len, size_t *done,
                          char *err, size_t errlen);
    void *ctx;
};

#endif
