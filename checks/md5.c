/* SPDX-License-Identifier: MIT */
/* md5.c - MD5 (RFC 1321) and HMAC-MD5 (RFC 2104) for APOP (RFC 1939) and
 * SASL CRAM-MD5 (RFC 2195), plus lower-case hex. Byte-wise loads and
 * stores, so the result does not depend on the host's endianness. */
#define _DEFAULT_SOURCE
#include <string.h>

#include "internal.h"

#define MD5_BLOCK 64

struct md5_ctx {
    uint32_t h[4];
    uint64_t bits;                /* message length so far, mod 2^64 */
    unsigned char buf[MD5_BLOCK]; /* partial block */
    size_t fill;                  /* bytes in buf */
};

/* T[i] = floor(2^32 * |sin(i + 1)|), RFC 1321 section 3.4. */
static const uint32_t md5_t[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a,
    0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
    0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
    0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
    0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
    0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
    0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
    0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
    0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};

/* Left-rotation amounts, four per round. */
static const unsigned md5_s[4][4] = {
    {7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};

static uint32_t rol32(uint32_t x, unsigned n)
{
    return (uint32_t)((x << n) | (x >> (32 - n))); /* 0 < n < 32 */
}

static uint32_t load32le(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void store32le(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v & 0xff);
    p[1] = (unsigned char)(v >> 8 & 0xff);
    p[2] = (unsigned char)(v >> 16 & 0xff);
    p[3] = (unsigned char)(v >> 24 & 0xff);
}

/* The round function of step i (F, G, H or I) and the index of the message
 * word it uses, RFC 1321 section 3.4. */
static uint32_t md5_f(unsigned i, uint32_t b, uint32_t c, uint32_t d,
                      unsigned *k)
{
    switch (i / 16) {
    case 0:
        *k = i;
        return (b & c) | (~b & d);
    case 1:
        *k = (5 * i + 1) % 16;
        return (b & d) | (c & ~d);
    case 2:
        *k = (3 * i + 5) % 16;
        return b ^ c ^ d;
    default:
        *k = (7 * i) % 16;
        return c ^ (b | ~d);
    }
}

static void md5_block(uint32_t h[4], const unsigned char *blk)
{
    uint32_t x[16];
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];

    for (unsigned i = 0; i < 16; i++)
        x[i] = load32le(blk + 4 * i);
    for (unsigned i = 0; i < 64; i++) {
        unsigned k;
        const uint32_t f = md5_f(i, b, c, d, &k);
        const uint32_t t = d;

        d = c;
        c = b;
        b = b + rol32(a + f + x[k] + md5_t[i], md5_s[i / 16][i % 4]);
        a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    explicit_bzero(x, sizeof x);
}

static void md5_init(struct md5_ctx *c)
{
    c->h[0] = 0x67452301;
    c->h[1] = 0xefcdab89;
    c->h[2] = 0x98badcfe;
    c->h[3] = 0x10325476;
    c->bits = 0;
    c->fill = 0;
}

static void md5_update(struct md5_ctx *c, const void *data, size_t len)
{
    const unsigned char *p = data;

    if (len == 0)
        return;
    c->bits += (uint64_t)len << 3;
    if (c->fill > 0) {
        size_t n = MD5_BLOCK - c->fill;

        if (n > len)
            n = len;
        memcpy(c->buf + c->fill, p, n);
        c->fill += n;
        p += n;
        len -= n;
        if (c->fill < MD5_BLOCK)
            return;
        md5_block(c->h, c->buf);
        c->fill = 0;
    }
    for (; len >= MD5_BLOCK; p += MD5_BLOCK, len -= MD5_BLOCK)
        md5_block(c->h, p);
    if (len > 0) {
        memcpy(c->buf, p, len);
        c->fill = len;
    }
}

/* Pads with 0x80, zeros and the 64-bit little-endian bit count (RFC 1321
 * sections 3.1 and 3.2), then wipes the context. */
static void md5_final(struct md5_ctx *c, unsigned char out[16])
{
    const uint64_t bits = c->bits;

    c->buf[c->fill++] = 0x80;
    if (c->fill > MD5_BLOCK - 8) {
        memset(c->buf + c->fill, 0, MD5_BLOCK - c->fill);
        md5_block(c->h, c->buf);
        c->fill = 0;
    }
    memset(c->buf + c->fill, 0, MD5_BLOCK - 8 - c->fill);
    store32le(c->buf + MD5_BLOCK - 8, (uint32_t)(bits & 0xffffffff));
    store32le(c->buf + MD5_BLOCK - 4, (uint32_t)(bits >> 32));
    md5_block(c->h, c->buf);
    for (unsigned i = 0; i < 4; i++)
        store32le(out + 4 * i, c->h[i]);
    explicit_bzero(c, sizeof *c);
}

void p3_md5(const void *data, size_t len, unsigned char out[16])
{
    struct md5_ctx c;

    md5_init(&c);
    md5_update(&c, data, len);
    md5_final(&c, out);
}

/* HMAC-MD5 (RFC 2104): MD5((K ^ opad) || MD5((K ^ ipad) || data)), with K
 * the key zero-padded to 64 bytes, or its MD5 when longer than 64. */
void p3_hmac_md5(const void *key, size_t keylen, const void *data, size_t len,
                 unsigned char out[16])
{
    unsigned char k0[MD5_BLOCK] = {0};
    unsigned char pad[MD5_BLOCK];
    unsigned char inner[16];
    struct md5_ctx c;

    if (keylen > MD5_BLOCK)
        p3_md5(key, keylen, k0);
    else if (keylen > 0)
        memcpy(k0, key, keylen);

    for (size_t i = 0; i < MD5_BLOCK; i++)
        pad[i] = (unsigned char)(k0[i] ^ 0x36);
    md5_init(&c);
    md5_update(&c, pad, sizeof pad);
    md5_update(&c, data, len);
    md5_final(&c, inner);

    for (size_t i = 0; i < MD5_BLOCK; i++)
        pad[i] = (unsigned char)(k0[i] ^ 0x5c);
    md5_init(&c);
    md5_update(&c, pad, sizeof pad);
    md5_update(&c, inner, sizeof inner);
    md5_final(&c, out);

    explicit_bzero(k0, sizeof k0);
    explicit_bzero(pad, sizeof pad);
    explicit_bzero(inner, sizeof inner);
}

void p3_hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0x0f];
    }
    out[2 * n] = '\0';
}
