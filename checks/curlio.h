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

/* The options every CONNECT_ONLY transfer of a probe takes: url and the
 * protocols it may use, never a proxy from the environment, no signals,
 * no resolver thread to wait for, the timeout, the IP version (0, 4, 6),
 * libcurl's words into errbuf, a 4 KiB buffer (libcurl reads only the
 * greeting and what follows before the dialog takes over), and its debug
 * stream to fn(ctx). 0, or -1. */
int p3_curlio_setup(CURL *easy, const char *url, const char *protocols,
                    long ip_version, long timeout_ms, char *errbuf,
                    curl_debug_callback fn, void *ctx);
/* TLS for it: use_ssl (CURLUSESSL_*) unless it is -1 (implicit TLS), no
 * session cache (a full handshake is timed), the certificate verified
 * unless insecure, against cafile (NULL: the system's). 0, or -1. */
int p3_curlio_tls(CURL *easy, long use_ssl, int insecure, const char *cafile);

/* A transport over io (which must outlive it). */
struct p3_transport p3_curlio_transport(struct p3_curlio *io, int tls);

#endif
