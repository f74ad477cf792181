/* SPDX-License-Identifier: MIT */
/* tlsbind.c - see tlsbind.h. libcurl keeps its OpenSSL connection to
 * itself once a CONNECT_ONLY transfer is done (CURLINFO_TLS_SSL_PTR then
 * gives no SSL *), so an info callback on the SSL_CTX reads the binding
 * when the handshake completes, inside libcurl's own call. global.c
 * refuses a libcurl on another TLS library; only libssl can export
 * keying material and give the peer's certificate, which is why the
 * library links libssl beside libcrypto. */
#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tlsbind.h"

/* RFC 9266 section 2: the exporter's label, no context, 32 bytes. */
#define EXPORTER_LABEL "EXPORTER-Channel-Binding"
#define EXPORTER_LEN   32

static pthread_once_t index_once = PTHREAD_ONCE_INIT;
static int ctx_index = -1; /* where an SSL_CTX keeps its p3_tlsbind */

static void make_index(void)
{
    ctx_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

int p3_tlsbind_end_point(const void *x509, struct p3_chanbind *cb)
{
    const X509 *cert = x509;
    int md_nid = NID_undef;
    const EVP_MD *md;
    unsigned len = 0;

    memset(cb, 0, sizeof *cb);
    if (cert == NULL ||
        !X509_get_signature_info((X509 *)cert, &md_nid, NULL, NULL, NULL))
        return -1;
    if (md_nid == NID_md5 || md_nid == NID_sha1)
        md_nid = NID_sha256;
    md = EVP_get_digestbynid(md_nid);
    if (md == NULL || (size_t)EVP_MD_get_size(md) > sizeof cb->data ||
        !X509_digest(cert, md, cb->data, &len)) {
        memset(cb, 0, sizeof *cb);
        return -1;
    }
    cb->len = len;
    memcpy(cb->type, "tls-server-end-point", sizeof "tls-server-end-point");
    return 0;
}

/* The binding of the handshake just completed on ssl, into b. */
static void read_binding(SSL *ssl, struct p3_tlsbind *b)
{
    X509 *peer;
    int rc;

    memset(&b->cb, 0, sizeof b->cb);
    b->why[0] = '\0';
    if (SSL_version(ssl) >= TLS1_3_VERSION) {
        if (SSL_export_keying_material(ssl, b->cb.data, EXPORTER_LEN,
                                       EXPORTER_LABEL, strlen(EXPORTER_LABEL),
                                       NULL, 0, 0) != 1) {
            memset(&b->cb, 0, sizeof b->cb);
            p3_format(b->why, sizeof b->why, "OpenSSL gave no TLS exporter");
            return;
        }
        b->cb.len = EXPORTER_LEN;
        memcpy(b->cb.type, "tls-exporter", sizeof "tls-exporter");
        return;
    }
    peer = SSL_get1_peer_certificate(ssl);
    rc = p3_tlsbind_end_point(peer, &b->cb);
    X509_free(peer);
    if (rc != 0)
        p3_format(b->why, sizeof b->why,
                  "the server's certificate has no hash for "
                  "tls-server-end-point (RFC 5929)");
}

static void on_info(const SSL *ssl, int where, int ret)
{
    struct p3_tlsbind *b;

    (void)ret;
    if (!(where & SSL_CB_HANDSHAKE_DONE))
        return;
    b = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctx_index);
    if (b != NULL)
        read_binding((SSL *)ssl, b);
}

int p3_tlsbind_watch(void *ssl_ctx, struct p3_tlsbind *b)
{
    SSL_CTX *ctx = ssl_ctx;

    memset(b, 0, sizeof *b);
    p3_format(b->why, sizeof b->why, "no TLS handshake completed");
    if (pthread_once(&index_once, make_index) != 0 || ctx_index < 0 ||
        SSL_CTX_set_ex_data(ctx, ctx_index, b) != 1)
        return -1;
    SSL_CTX_set_info_callback(ctx, on_info);
    return 0;
}
