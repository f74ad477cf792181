/* SPDX-License-Identifier: MIT */
/* curlio.h - the transport (transport.h) over a connection that libcurl
 * made in CONNECT_ONLY mode (curlio.c): through curl_easy_send/recv when
 * it is TLS, on the socket itself when it is plain text. */
#ifndef POP3CHECK_CURLIO_H
#define POP3CHECK_CURLIO_H

#include <curl/curl.h>

#include "transport.h"

struct p3_curlio {
    CURL *easy;
    int fd;             /* the connected socket */
    const char *errbuf; /* libcurl's error buffer of easy */
};

/* A transport over io (which must outlive it). */
struct p3_transport p3_curlio_transport(struct p3_curlio *io, int tls);

#endif
