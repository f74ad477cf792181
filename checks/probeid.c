/* SPDX-License-Identifier: MIT */
/* probeid.c - the identifier of a round trip's probe message (header
 * X-Pop3check-Probe): written and verified with HMAC-SHA-256 (RFC 2104,
 * FIPS 180-4), keys and nonces from OpenSSL's libcrypto (crypto.c). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "internal.h"
#include "mail.h"

#define MAC_LEN 32 /* SHA-256 */

/* The text before "; m=" is at most this long (P3_PROBEID_VALUE_MAX
 * bounds the whole value). */
#define TEXT_MAX P3_PROBEID_VALUE_MAX

static int name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || (c != '\0' && strchr("._-@/+:=", c));
}

int p3_probeid_check_name_ok(const char *name)
{
    size_t n;

    if (name == NULL)
        return 0;
    for (n = 0; name[n] != '\0'; n++)
        if (n == P3_PROBEID_CHECK_MAX || !name_char(name[n]))
            return 0;
    return n > 0;
}

/* The MAC's input: every field before "; m=", written canonically (one
 * spelling per identifier; the name holds neither ';' nor ' ', so the
 * fields cannot run into each other). Its length, or -1. */
static int canonical(const struct p3_probeid *id, char *out, size_t outlen)
{
    char nonce[2 * sizeof id->nonce + 1];
    int n;

    p3_hex(id->nonce, sizeof id->nonce, nonce);
    n = snprintf(out, outlen, "v1; c=%s; n=%s; t=%" PRId64 "; d=%" PRId64,
                 id->check, nonce, id->sent_ms, id->deadline_ms);
    return (n < 0 || (size_t)n >= outlen) ? -1 : n;
}

/* HMAC-SHA-256 of text under key: 0, or -1 (a key longer than
 * P3_PROBEID_KEY_MAX, or libcrypto failed), then out is wiped. */
static int mac(const unsigned char *key, size_t keylen, const char *text,
               size_t n, unsigned char out[MAC_LEN])
{
    if (keylen > P3_PROBEID_KEY_MAX || (key == NULL && keylen > 0))
        return -1;
    return p3_hmac(P3_HASH_SHA256, key, keylen, text, n, out);
}

int p3_probeid_format(const struct p3_probeid *id, const unsigned char *key,
                      size_t keylen, char *out, size_t outlen)
{
    char text[TEXT_MAX + 1], hex[2 * MAC_LEN + 1];
    unsigned char m[MAC_LEN];
    int n, rc = -1;

    if (outlen > 0)
        out[0] = '\0';
    /* verify reads decimal numbers without a sign: none is negative */
    if (!p3_probeid_check_name_ok(id->check) || id->sent_ms < 0 ||
        id->deadline_ms < 0)
        return -1;
    n = canonical(id, text, sizeof text);
    if (n < 0 || mac(key, keylen, text, (size_t)n, m) != 0)
        return -1;
    p3_hex(m, MAC_LEN, hex);
    n = snprintf(out, outlen, "%s; m=%s", text, hex);
    if (n >= 0 && (size_t)n < outlen)
        rc = 0;
    else if (outlen > 0)
        out[0] = '\0';
    OPENSSL_cleanse(m, sizeof m);
    OPENSSL_cleanse(hex, sizeof hex);
    return rc;
}

/* ---- reading an identifier: one spelling only ---- */

struct rd {
    const char *s;
    size_t len, pos;
};

static int lit(struct rd *r, const char *want)
{
    size_t n = strlen(want);

    if (r->len - r->pos < n || memcmp(r->s + r->pos, want, n) != 0)
        return -1;
    r->pos += n;
    return 0;
}

/* 1 .. P3_PROBEID_CHECK_MAX name characters, up to the next ';'. */
static int name_field(struct rd *r, char out[P3_PROBEID_CHECK_MAX + 1])
{
    size_t n = 0;

    while (r->pos + n < r->len && name_char(r->s[r->pos + n])) {
        if (n == P3_PROBEID_CHECK_MAX)
            return -1;
        out[n] = r->s[r->pos + n];
        n++;
    }
    if (n == 0)
        return -1;
    out[n] = '\0';
    r->pos += n;
    return 0;
}

/* Exactly 2n lower-case hex digits, as p3_hex writes them. */
static int hex_field(struct rd *r, unsigned char *out, size_t n)
{
    if (r->len - r->pos < 2 * n)
        return -1;
    for (size_t i = 0; i < 2 * n; i++) {
        char c = r->s[r->pos + i];
        int v;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'a' && c <= 'f')
            v = c - 'a' + 10;
        else
            return -1;
        if (i % 2 == 0)
            out[i / 2] = (unsigned char)(v << 4);
        else
            out[i / 2] |= (unsigned char)v;
    }
    r->pos += 2 * n;
    return 0;
}

/* A decimal int64_t as PRId64 writes one that is not negative: no sign,
 * no leading zero, no overflow. */
static int num_field(struct rd *r, int64_t *out)
{
    size_t i = r->pos;
    int64_t v = 0;

    if (i >= r->len || r->s[i] < '0' || r->s[i] > '9')
        return -1;
    if (r->s[i] == '0' && i + 1 < r->len && r->s[i + 1] >= '0' &&
        r->s[i + 1] <= '9')
        return -1;
    for (; i < r->len && r->s[i] >= '0' && r->s[i] <= '9'; i++) {
        int d = r->s[i] - '0';
        if (v > (INT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    r->pos = i;
    *out = v;
    return 0;
}

/* The whole value, in the order format writes it, and nothing after. */
static int parse(const char *s, size_t len, struct p3_probeid *id,
                 unsigned char m[MAC_LEN])
{
    struct rd r = {s, len, 0};

    if (lit(&r, "v1; c=") != 0 || name_field(&r, id->check) != 0 ||
        lit(&r, "; n=") != 0 || hex_field(&r, id->nonce, 16) != 0 ||
        lit(&r, "; t=") != 0 || num_field(&r, &id->sent_ms) != 0 ||
        lit(&r, "; d=") != 0 || num_field(&r, &id->deadline_ms) != 0 ||
        lit(&r, "; m=") != 0 || hex_field(&r, m, MAC_LEN) != 0)
        return -1;
    return r.pos == r.len ? 0 : -1;
}

/* "v" DIGITS ";": an identifier of some version of this format. */
static int has_version(const char *s, size_t len)
{
    size_t i = 1;

    if (len < 3 || s[0] != 'v')
        return 0;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    return i > 1 && i < len && s[i] == ';';
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* OURS or FORGED: the MAC recomputed over the fields as parsed, written
 * canonically, compared in constant time. */
static enum p3_probeid_verdict authentic(const struct p3_probeid *id,
                                         const unsigned char got[MAC_LEN],
                                         const unsigned char *key,
                                         size_t keylen)
{
    char text[TEXT_MAX + 1];
    unsigned char want[MAC_LEN];
    enum p3_probeid_verdict v = P3_ID_FORGED;
    int n = canonical(id, text, sizeof text);

    if (n >= 0 && mac(key, keylen, text, (size_t)n, want) == 0) {
        if (p3_equal(got, want, MAC_LEN))
            v = P3_ID_OURS;
        OPENSSL_cleanse(want, sizeof want);
    }
    return v;
}

enum p3_probeid_verdict p3_probeid_verify(const char *value, size_t len,
                                          const char *check,
                                          const unsigned char *key,
                                          size_t keylen, struct p3_probeid *out)
{
    struct p3_probeid id;
    unsigned char got[MAC_LEN];
    enum p3_probeid_verdict v;

    while (len > 0 && is_space(value[0])) {
        value++;
        len--;
    }
    while (len > 0 && is_space(value[len - 1]))
        len--;
    if (!has_version(value, len))
        return P3_ID_NONE;
    memset(&id, 0, sizeof id);
    /* A version other than 1 is some other release's: never ours. */
    if (parse(value, len, &id, got) != 0)
        return P3_ID_MALFORMED;
    if (check == NULL || strcmp(id.check, check) != 0)
        v = P3_ID_OTHER_CHECK;
    else
        v = authentic(&id, got, key, keylen);
    if (out != NULL)
        *out = id;
    OPENSSL_cleanse(got, sizeof got);
    return v;
}

int p3_probeid_derive_key(const char *user, const char *password,
                          unsigned char out[32])
{
    /* sizeof keeps the label's NUL, strlen + 1 the user's: the three
     * parts cannot be shifted into each other. */
    static const char label[] = "pop3check round-trip key v1";
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int n = 0;
    int ok;

    if (user == NULL)
        user = "";
    if (password == NULL)
        password = "";
    ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
         EVP_DigestUpdate(ctx, label, sizeof label) == 1 &&
         EVP_DigestUpdate(ctx, user, strlen(user) + 1) == 1 &&
         EVP_DigestUpdate(ctx, password, strlen(password)) == 1 &&
         EVP_DigestFinal_ex(ctx, out, &n) == 1 && n == 32;
    EVP_MD_CTX_free(ctx); /* wipes the digest's state */
    if (!ok)
        OPENSSL_cleanse(out, 32);
    return ok ? 0 : -1;
}
