/* SPDX-License-Identifier: MIT */
/* tlsbind.h - channel binding data for SCRAM's -PLUS mechanisms, taken
 * from the TLS connection that libcurl makes (tlsbind.c): tls-exporter
 * (RFC 9266) over TLS 1.3, tls-server-end-point (RFC 5929) over earlier
 * versions. */
#ifndef POP3CHECK_TLSBIND_H
#define POP3CHECK_TLSBIND_H

#include "scram.h"

struct p3_tlsbind {
    struct p3_chanbind cb; /* type "" until a handshake completes */
    char why[120];         /* why the data could not be read, or "" */
};

/* Watches the handshakes on ssl_ctx, the SSL_CTX * that libcurl hands to
 * its CURLOPT_SSL_CTX_FUNCTION: when one completes, b receives its
 * binding data (libcurl's connection is read only then, and nothing of it
 * is kept). b must outlive every connection on ssl_ctx. 0, or -1. */
int p3_tlsbind_watch(void *ssl_ctx, struct p3_tlsbind *b);

/* tls-server-end-point of a certificate (X509 *): its hash with the hash
 * of its signature, SHA-256 when that is MD5 or SHA-1 (RFC 5929 section
 * 4.1). 0, or -1 with cb->type "" (no such hash: undefined). */
int p3_tlsbind_end_point(const void *x509, struct p3_chanbind *cb);

#endif
