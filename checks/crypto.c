/* SPDX-License-Identifier: MIT */
/* crypto.c - digests, HMAC, PBKDF2, random bytes and base64, all from
 * OpenSSL's libcrypto (which libcurl's OpenSSL build loads anyway): MD5
 * for APOP and CRAM-MD5, SHA-1 and SHA-256 for SCRAM and the round trip's
 * identifiers. Nothing here keeps state; secrets on the stack are wiped
 * by the callers. */
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "internal.h"

static const EVP_MD *md_of(enum p3_hash h)
{
    switch (h) {
    case P3_HASH_MD5:
        return EVP_md5();
    case P3_HASH_SHA1:
        return EVP_sha1();
    case P3_HASH_SHA256:
        return EVP_sha256();
    }
    return NULL;
}

size_t p3_hash_len(enum p3_hash h)
{
    switch (h) {
    case P3_HASH_MD5:
        return 16;
    case P3_HASH_SHA1:
        return 20;
    case P3_HASH_SHA256:
        return 32;
    }
    return 0;
}

int p3_digest(enum p3_hash h, const void *data, size_t len, unsigned char *out)
{
    static const unsigned char empty[1];
    const EVP_MD *md = md_of(h);
    unsigned int n = 0;

    if (md == NULL ||
        EVP_Digest(len > 0 ? data : empty, len, out, &n, md, NULL) != 1 ||
        n != p3_hash_len(h)) {
        if (md != NULL)
            OPENSSL_cleanse(out, p3_hash_len(h));
        return -1;
    }
    return 0;
}

int p3_hmac(enum p3_hash h, const void *key, size_t keylen, const void *data,
            size_t len, unsigned char *out)
{
    static const unsigned char empty[1];
    const EVP_MD *md = md_of(h);
    unsigned int n = 0;

    if (md == NULL || keylen > INT_MAX)
        return -1;
    if (HMAC(md, keylen > 0 ? key : empty, (int)keylen, len > 0 ? data : empty,
             len, out, &n) == NULL ||
        n != p3_hash_len(h)) {
        OPENSSL_cleanse(out, p3_hash_len(h));
        return -1;
    }
    return 0;
}

int p3_pbkdf2(enum p3_hash h, const char *password, size_t plen,
              const unsigned char *salt, size_t slen, unsigned iterations,
              unsigned char *out)
{
    static const unsigned char empty[1];
    const EVP_MD *md = md_of(h);
    const size_t n = p3_hash_len(h);

    if (md == NULL || plen > INT_MAX || slen > INT_MAX || iterations == 0 ||
        iterations > INT_MAX)
        return -1;
    if (PKCS5_PBKDF2_HMAC(plen > 0 ? password : (const char *)empty, (int)plen,
                          slen > 0 ? salt : empty, (int)slen, (int)iterations,
                          md, (int)n, out) != 1) {
        OPENSSL_cleanse(out, n);
        return -1;
    }
    return 0;
}

int p3_random(void *buf, size_t n)
{
    unsigned char *p = buf;

    while (n > 0) {
        int chunk = n > INT_MAX ? INT_MAX : (int)n;
        if (RAND_bytes(p, chunk) != 1)
            return -1;
        p += chunk;
        n -= (size_t)chunk;
    }
    return 0;
}

int p3_equal(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

void p3_hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0xf];
    }
    out[2 * n] = '\0';
}

/* ---- base64 (RFC 4648 section 4) ---- */

size_t p3_base64_encode(const void *in, size_t len, char *out, size_t outlen)
{
    const size_t quanta = len / 3 + (len % 3 != 0);

    if (quanta > (size_t)INT_MAX / 4 || outlen < quanta * 4 + 1) {
        if (outlen > 0)
            out[0] = '\0';
        return (size_t)-1;
    }
    /* writes 4 characters per 3 bytes, padded, and a NUL */
    return (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

/* The alphabet's index of c, or -1 ('=' included). */
static int b64_index(char c)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = c != '\0' ? strchr(alphabet, c) : NULL;

    return p != NULL ? (int)(p - alphabet) : -1;
}

/* Only canonical input: a multiple of four characters of the alphabet,
 * at most two '=' at the end, zero pad bits (RFC 4648 section 3.5).
 * libcrypto's decoder would skip whitespace and accept non-zero pad
 * bits, so its input is checked first. The number of '=', or -1. */
static int b64_canonical(const char *in, size_t len)
{
    size_t pad = 0;
    int last;

    if (len % 4 != 0)
        return -1;
    if (len == 0)
        return 0;
    if (in[len - 1] == '=')
        pad = in[len - 2] == '=' ? 2 : 1;
    for (size_t i = 0; i < len - pad; i++)
        if (b64_index(in[i]) < 0)
            return -1;
    last = b64_index(in[len - pad - 1]);
    if ((pad == 1 && (last & 0x3) != 0) || (pad == 2 && (last & 0xf) != 0))
        return -1;
    return (int)pad;
}

size_t p3_base64_decode(const char *in, size_t len, unsigned char *out,
                        size_t outlen)
{
    unsigned char tail[3];
    int pad = b64_canonical(in, len);
    size_t body, need;

    if (pad < 0 || len > (size_t)INT_MAX)
        return (size_t)-1;
    if (len == 0)
        return 0;
    need = len / 4 * 3 - (size_t)pad;
    if (outlen < need)
        return (size_t)-1;
    /* the quanta before the last straight into out (3 bytes for 4
     * characters), the last through tail: out may be just big enough */
    body = len - 4;
    if (body > 0 && EVP_DecodeBlock(out, (const unsigned char *)in,
                                    (int)body) != (int)(body / 4 * 3))
        return (size_t)-1;
    if (EVP_DecodeBlock(tail, (const unsigned char *)in + body, 4) != 3)
        return (size_t)-1;
    memcpy(out + body / 4 * 3, tail, 3 - (size_t)pad);
    OPENSSL_cleanse(tail, sizeof tail);
    return need;
}
