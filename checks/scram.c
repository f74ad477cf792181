/* SPDX-License-Identifier: MIT */
/* scram.c - SCRAM-SHA-1 and SCRAM-SHA-256 for the client (RFC 5802, 7677)
 * and the part of SASLprep (RFC 4013) that needs no Unicode tables; see
 * scram.h. Every intermediate key is wiped before it goes out of scope. */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "scram.h"

/* ---- SASLprep ---- */

/* One code point from valid, shortest-form UTF-8 at s (n bytes left):
 * its length, or 0 when the bytes are not UTF-8. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len;
    uint32_t c, min;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0)
        len = 2, c = s[0] & 0x1f, min = 0x80;
    else if ((s[0] & 0xf0) == 0xe0)
        len = 3, c = s[0] & 0x0f, min = 0x800;
    else if ((s[0] & 0xf8) == 0xf0)
        len = 4, c = s[0] & 0x07, min = 0x10000;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

static int in(uint32_t c, uint32_t lo, uint32_t hi)
{
    return c >= lo && c <= hi;
}

/* RFC 3454 table C.1.2, non-ASCII space characters. */
static int nonascii_space(uint32_t c)
{
    return c == 0xa0 || c == 0x1680 || in(c, 0x2000, 0x200b) || c == 0x202f ||
           c == 0x205f || c == 0x3000;
}

/* Table B.1, commonly mapped to nothing. */
static int mapped_to_nothing(uint32_t c)
{
    return c == 0xad || c == 0x34f || c == 0x1806 || in(c, 0x180b, 0x180d) ||
           in(c, 0x200b, 0x200d) || c == 0x2060 || in(c, 0xfe00, 0xfe0f) ||
           c == 0xfeff;
}

/* Tables C.2 to C.9 (C.1.2 is mapped before, C.5's surrogates are not
 * UTF-8). */
static int prohibited(uint32_t c)
{
    return c < 0x20 || c == 0x7f || in(c, 0x80, 0x9f) ||       /* C.2 */
           c == 0x6dd || c == 0x70f || c == 0x180e ||          /* C.2.2 */
           in(c, 0x200c, 0x200f) || in(c, 0x2028, 0x202e) ||   /* C.2.2, C.8 */
           in(c, 0x2060, 0x2063) || in(c, 0x206a, 0x206f) ||   /* C.2.2, C.8 */
           c == 0xfeff || in(c, 0xfff9, 0xfffd) ||             /* C.2.2, C.6 */
           in(c, 0x1d173, 0x1d17a) ||                          /* C.2.2 */
           in(c, 0xe000, 0xf8ff) || in(c, 0xf0000, 0xffffd) || /* C.3 */
           in(c, 0x100000, 0x10fffd) ||                        /* C.3 */
           in(c, 0xfdd0, 0xfdef) || (c & 0xfffe) == 0xfffe ||  /* C.4 */
           in(c, 0x2ff0, 0x2ffb) ||                            /* C.7 */
           c == 0x340 || c == 0x341 ||                         /* C.8 */
           c == 0xe0001 || in(c, 0xe0020, 0xe007f);            /* C.9 */
}

int p3_saslprep(const char *instr, char *out, size_t outlen, char *err,
                size_t errlen)
{
    const unsigned char *s = (const unsigned char *)instr;
    size_t n = strlen(instr), o = 0;

    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t len = utf8_next(s + i, n - i, &c);

        if (len == 0) {
            p3_format(err, errlen, "is not valid UTF-8 (byte %zu)", i + 1);
            return -1;
        }
        if (nonascii_space(c)) {
            if (o + 1 >= outlen)
                goto too_long;
            out[o++] = ' ';
        } else if (!mapped_to_nothing(c)) {
            if (prohibited(c)) {
                p3_format(err, errlen,
                          "holds U+%04X, which SASLprep prohibits (RFC 4013)",
                          (unsigned)c);
                return -1;
            }
            if (o + len >= outlen)
                goto too_long;
            memcpy(out + o, s + i, len);
            o += len;
        }
        i += len;
    }
    if (o == 0) {
        p3_format(err, errlen, "is empty after SASLprep");
        return -1;
    }
    out[o] = '\0';
    return 0;
too_long:
    p3_format(err, errlen, "is too long");
    return -1;
}

/* ---- the exchange ---- */

/* A nonce character: printable ASCII but ','. */
static int nonce_char(char c)
{
    return c >= 0x21 && c <= 0x7e && c != ',';
}

/* The GS2 header for flag: "n,,", "y,," or "p=TYPE,,"; 0, or -1. */
static int gs2_header(struct p3_scram *sc, enum p3_gs2_flag flag,
                      const struct p3_chanbind *cb)
{
    int n;

    sc->flag = flag;
    if (flag != P3_GS2_P) {
        memcpy(sc->gs2, flag == P3_GS2_Y ? "y,," : "n,,", 4);
        return 0;
    }
    if (cb == NULL || cb->type[0] == '\0' || cb->len == 0 ||
        cb->len > sizeof cb->data)
        return -1;
    sc->cb = *cb;
    n = snprintf(sc->gs2, sizeof sc->gs2, "p=%s,,", cb->type);
    return n > 0 && (size_t)n < sizeof sc->gs2 ? 0 : -1;
}

int p3_scram_client_first(struct p3_scram *sc, enum p3_hash hash,
                          enum p3_gs2_flag flag, const struct p3_chanbind *cb,
                          const char *user, const char *nonce, char *out,
                          size_t outlen, char *err, size_t errlen)
{
    char prep[P3_CRED_MAX + 1], why[96];
    unsigned char raw[24];
    char cnonce[sizeof raw * 4 / 3 + 1];
    size_t o;
    int n;

    memset(sc, 0, sizeof *sc);
    sc->hash = hash;
    if (gs2_header(sc, flag, cb) != 0) {
        p3_format(err, errlen,
                  "no channel binding data for the -PLUS mechanism");
        return -1;
    }
    if (p3_saslprep(user, prep, sizeof prep, why, sizeof why) != 0) {
        p3_format(err, errlen, "the user name %s", why);
        return -1;
    }
    if (nonce != NULL) {
        size_t k = strlen(nonce);
        for (size_t i = 0; i < k; i++)
            if (!nonce_char(nonce[i]))
                k = 0;
        if (k == 0 || k >= sizeof cnonce) {
            p3_format(err, errlen, "not a SCRAM nonce");
            return -1;
        }
        memcpy(cnonce, nonce, k + 1);
    } else if (p3_random(raw, sizeof raw) != 0) {
        p3_format(err, errlen, "no random bytes for the SCRAM nonce");
        return -1;
    } else {
        p3_base64_encode(raw, sizeof raw, cnonce, sizeof cnonce);
    }
    /* "n=" and the name with ',' and '=' written as =2C and =3D */
    memcpy(sc->first_bare, "n=", 2);
    o = 2;
    for (const char *p = prep; *p != '\0'; p++) {
        if (*p == ',' || *p == '=') {
            memcpy(sc->first_bare + o, *p == ',' ? "=2C" : "=3D", 3);
            o += 3;
        } else {
            sc->first_bare[o++] = *p;
        }
    }
    snprintf(sc->first_bare + o, sizeof sc->first_bare - o, ",r=%s", cnonce);
    n = snprintf(out, outlen, "%s%s", sc->gs2, sc->first_bare);
    if (n < 0 || (size_t)n >= outlen) {
        p3_format(err, errlen, "the SCRAM client-first message is too long");
        return -1;
    }
    return n;
}

/* The value of attribute a at *p (up to the next ',' or the end), which
 * must come next: sets *v and *vlen and moves *p past it and its ','. */
static int attribute(const char **p, const char *end, char a, const char **v,
                     size_t *vlen)
{
    const char *s = *p, *comma;

    if (end - s < 2 || s[0] != a || s[1] != '=')
        return -1;
    s += 2;
    comma = memchr(s, ',', (size_t)(end - s));
    *v = s;
    *vlen = (size_t)((comma != NULL ? comma : end) - s);
    *p = comma != NULL ? comma + 1 : end;
    return 0;
}

enum p3_scram_rc p3_scram_server_first(struct p3_scram *sc, const char *msg,
                                       size_t len, char *err, size_t errlen)
{
    const char *p = msg, *end = msg + len, *r, *s, *i;
    size_t rlen, slen, ilen, cnlen;
    const char *cnonce = strstr(sc->first_bare, ",r=") + 3;
    unsigned long iter = 0;

    if (len >= sizeof sc->server_first || memchr(msg, '\0', len) != NULL) {
        p3_format(err, errlen,
                  "SCRAM server-first message too long or "
                  "not text");
        return P3_SCRAM_PROTOCOL;
    }
    if (len >= 2 && msg[0] == 'm' && msg[1] == '=') {
        p3_format(err, errlen,
                  "the server requires a SCRAM extension "
                  "(m=) that this check does not know");
        return P3_SCRAM_AUTH;
    }
    if (attribute(&p, end, 'r', &r, &rlen) != 0 ||
        attribute(&p, end, 's', &s, &slen) != 0 ||
        attribute(&p, end, 'i', &i, &ilen) != 0 || rlen == 0 || slen == 0 ||
        ilen == 0 || ilen > 10) {
        p3_format(err, errlen,
                  "malformed SCRAM server-first message "
                  "(want r=NONCE,s=SALT,i=COUNT)");
        return P3_SCRAM_PROTOCOL;
    }
    for (size_t k = 0; k < rlen; k++)
        if (!nonce_char(r[k])) {
            p3_format(err, errlen,
                      "malformed SCRAM server-first message "
                      "(a nonce character that is not allowed)");
            return P3_SCRAM_PROTOCOL;
        }
    cnlen = strlen(cnonce);
    if (rlen <= cnlen || memcmp(r, cnonce, cnlen) != 0) {
        p3_format(err, errlen,
                  "the server's SCRAM nonce does not extend "
                  "the client's (a replay, or not this "
                  "exchange)");
        return P3_SCRAM_AUTH;
    }
    for (size_t k = 0; k < ilen; k++) {
        if (i[k] < '0' || i[k] > '9') {
            p3_format(err, errlen,
                      "malformed SCRAM server-first message "
                      "(the iteration count is not a number)");
            return P3_SCRAM_PROTOCOL;
        }
        iter = iter * 10 + (unsigned long)(i[k] - '0');
    }
    if (iter < P3_SCRAM_ITER_MIN || iter > P3_SCRAM_ITER_MAX) {
        p3_format(err, errlen,
                  "the server asks for %lu SCRAM iterations; this check "
                  "accepts %u to %u (RFC 7677 asks for at least %u)",
                  iter, P3_SCRAM_ITER_MIN, P3_SCRAM_ITER_MAX,
                  P3_SCRAM_ITER_MIN);
        return P3_SCRAM_AUTH;
    }
    sc->salt_len = p3_base64_decode(s, slen, sc->salt, sizeof sc->salt);
    if (sc->salt_len == (size_t)-1 || sc->salt_len == 0) {
        p3_format(err, errlen,
                  "malformed SCRAM server-first message (the "
                  "salt is not base64, or longer than %d bytes)",
                  P3_SCRAM_SALT_MAX);
        return P3_SCRAM_PROTOCOL;
    }
    sc->iterations = (unsigned)iter;
    memcpy(sc->nonce, r, rlen);
    sc->nonce[rlen] = '\0';
    memcpy(sc->server_first, msg, len);
    sc->server_first[len] = '\0';
    return P3_SCRAM_OK;
}

int p3_scram_keys_fit(const struct p3_scram_keys *k, const struct p3_scram *sc)
{
    return k->valid && k->hash == sc->hash && k->iterations == sc->iterations &&
           k->salt_len == sc->salt_len &&
           memcmp(k->salt, sc->salt, sc->salt_len) == 0;
}

/* ClientKey and ServerKey from the password (RFC 5802 section 3). */
static int derive(const struct p3_scram *sc, const char *password,
                  struct p3_scram_keys *k, char *err, size_t errlen)
{
    char prep[P3_CRED_MAX + 1], why[96];
    unsigned char salted[P3_HASH_MAX];
    int rc = -1;

    if (p3_saslprep(password, prep, sizeof prep, why, sizeof why) != 0) {
        p3_format(err, errlen, "the password %s", why);
        return -1;
    }
    if (p3_pbkdf2(sc->hash, prep, strlen(prep), sc->salt, sc->salt_len,
                  sc->iterations, salted) == 0 &&
        p3_hmac(sc->hash, salted, p3_hash_len(sc->hash), "Client Key", 10,
                k->client_key) == 0 &&
        p3_hmac(sc->hash, salted, p3_hash_len(sc->hash), "Server Key", 10,
                k->server_key) == 0) {
        k->valid = 1;
        k->hash = sc->hash;
        k->iterations = sc->iterations;
        k->salt_len = sc->salt_len;
        memcpy(k->salt, sc->salt, sc->salt_len);
        rc = 0;
    } else {
        p3_format(err, errlen, "libcrypto failed (PBKDF2)");
    }
    explicit_bzero(prep, sizeof prep);
    explicit_bzero(salted, sizeof salted);
    return rc;
}

int p3_scram_client_final(struct p3_scram *sc, const char *password,
                          struct p3_scram_keys *keys, char *out, size_t outlen,
                          char *err, size_t errlen)
{
    struct p3_scram_keys mine = {0};
    struct p3_scram_keys *k = keys != NULL ? keys : &mine;
    const size_t hl = p3_hash_len(sc->hash);
    unsigned char stored[P3_HASH_MAX], sig[P3_HASH_MAX];
    unsigned char proof[P3_HASH_MAX];
    char proof64[P3_HASH_MAX * 2];
    char am[sizeof sc->first_bare + sizeof sc->server_first + P3_SCRAM_MSG_MAX +
            2];
    unsigned char cbind[sizeof sc->gs2 + P3_CB_DATA_MAX];
    char cbind64[sizeof cbind * 4 / 3 + 4];
    size_t hl2;
    int n, bare, rc = -1;

    if (!p3_scram_keys_fit(k, sc)) {
        k->valid = 0;
        if (derive(sc, password, k, err, errlen) != 0)
            goto out;
    }
    /* c= is the GS2 header and, when binding, the channel's data */
    hl2 = strlen(sc->gs2);
    memcpy(cbind, sc->gs2, hl2);
    if (sc->flag == P3_GS2_P) {
        memcpy(cbind + hl2, sc->cb.data, sc->cb.len);
        hl2 += sc->cb.len;
    }
    p3_base64_encode(cbind, hl2, cbind64, sizeof cbind64);
    /* client-final-message-without-proof, then AuthMessage */
    bare = snprintf(out, outlen, "c=%s,r=%s", cbind64, sc->nonce);
    if (bare < 0 || (size_t)bare >= outlen)
        goto too_long;
    n = snprintf(am, sizeof am, "%s,%s,%s", sc->first_bare, sc->server_first,
                 out);
    if (n < 0 || (size_t)n >= sizeof am)
        goto too_long;
    if (p3_digest(sc->hash, k->client_key, hl, stored) != 0 ||
        p3_hmac(sc->hash, stored, hl, am, (size_t)n, sig) != 0 ||
        p3_hmac(sc->hash, k->server_key, hl, am, (size_t)n,
                sc->server_signature) != 0) {
        p3_format(err, errlen, "libcrypto failed (HMAC)");
        goto out;
    }
    for (size_t i = 0; i < hl; i++)
        proof[i] = k->client_key[i] ^ sig[i];
    p3_base64_encode(proof, hl, proof64, sizeof proof64);
    n = snprintf(out + bare, outlen - (size_t)bare, ",p=%s", proof64);
    if (n < 0 || (size_t)n >= outlen - (size_t)bare)
        goto too_long;
    rc = bare + n;
    goto out;
too_long:
    p3_format(err, errlen, "the SCRAM client-final message is too long");
out:
    explicit_bzero(&mine, sizeof mine);
    explicit_bzero(stored, sizeof stored);
    explicit_bzero(sig, sizeof sig);
    explicit_bzero(proof, sizeof proof);
    explicit_bzero(proof64, sizeof proof64);
    explicit_bzero(am, sizeof am);
    return rc;
}

enum p3_scram_rc p3_scram_server_final(struct p3_scram *sc, const char *msg,
                                       size_t len, char *err, size_t errlen)
{
    const char *p = msg, *end = msg + len, *v;
    unsigned char got[P3_HASH_MAX + 3];
    const size_t hl = p3_hash_len(sc->hash);
    size_t vlen, n;
    int same;

    if (attribute(&p, end, 'e', &v, &vlen) == 0) {
        char shown[64];
        p3_sanitise(shown, sizeof shown, v, vlen, NULL);
        p3_format(err, errlen, "the server refused the SCRAM proof (e=%s)",
                  shown);
        return P3_SCRAM_AUTH;
    }
    if (attribute(&p, end, 'v', &v, &vlen) != 0) {
        p3_format(err, errlen,
                  "malformed SCRAM server-final message "
                  "(want v=SIGNATURE)");
        return P3_SCRAM_PROTOCOL;
    }
    n = p3_base64_decode(v, vlen, got, sizeof got);
    same = n == hl && p3_equal(got, sc->server_signature, hl);
    explicit_bzero(got, sizeof got);
    if (!same) {
        p3_format(err, errlen,
                  "the server's SCRAM signature does not "
                  "verify: it does not know the password (or "
                  "is not the server it claims to be)");
        return P3_SCRAM_AUTH;
    }
    return P3_SCRAM_OK;
}
