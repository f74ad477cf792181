/* SPDX-License-Identifier: MIT */
/* test_scram.c - unit tests of scram.c and the SHA/HMAC/PBKDF2 calls of
 * crypto.c it rests on, against the published examples: RFC 5802 section
 * 5 (SCRAM-SHA-1), RFC 7677 section 3 (SCRAM-SHA-256), RFC 6070
 * (PBKDF2-HMAC-SHA1), RFC 4231 (HMAC-SHA-256), FIPS 180 ("abc"); then
 * what a hostile or broken server may send, the key cache, SASLprep. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "scram.h"
#include "tlsbind.h"

static void hex_of(const unsigned char *d, size_t n, char *hex)
{
    p3_hex(d, n, hex);
}

static void test_sha_abc(void **state)
{
    unsigned char d[32];
    char hex[65];

    (void)state;
    assert_int_equal(p3_digest(P3_HASH_SHA1, "abc", 3, d), 0);
    hex_of(d, 20, hex);
    assert_string_equal(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert_int_equal(p3_digest(P3_HASH_SHA256, "abc", 3, d), 0);
    hex_of(d, 32, hex);
    assert_string_equal(
        hex,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(p3_hash_len(P3_HASH_MD5), 16);
    assert_int_equal(p3_hash_len(P3_HASH_SHA1), 20);
    assert_int_equal(p3_hash_len(P3_HASH_SHA256), 32);
}

static void test_hmac_sha256_rfc4231_case2(void **state)
{
    static const char data[] = "what do ya want for nothing?";
    unsigned char d[32];
    char hex[65];

    (void)state;
    assert_int_equal(p3_hmac(P3_HASH_SHA256, "Jefe", 4, data, strlen(data), d),
                     0);
    hex_of(d, 32, hex);
    assert_string_equal(
        hex,
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void test_pbkdf2_rfc6070(void **state)
{
    unsigned char salt[] = "salt";
    unsigned char d[20];
    char hex[41];

    (void)state;
    assert_int_equal(p3_pbkdf2(P3_HASH_SHA1, "password", 8, salt, 4, 1, d), 0);
    hex_of(d, 20, hex);
    assert_string_equal(hex, "0c60c80f961f0e71f3a9b524af6012062fe037a6");
    assert_int_equal(p3_pbkdf2(P3_HASH_SHA1, "password", 8, salt, 4, 4096, d),
                     0);
    hex_of(d, 20, hex);
    assert_string_equal(hex, "4b007901b765489abead49d926f721d065a429c1");
    assert_int_equal(p3_pbkdf2(P3_HASH_SHA1, "password", 8, salt, 4, 0, d), -1);
}

static void test_equal_is_memcmp(void **state)
{
    (void)state;
    assert_true(p3_equal("abcd", "abcd", 4));
    assert_false(p3_equal("abcd", "abce", 4));
    assert_true(p3_equal("x", "y", 0));
}

/* One whole exchange of an RFC example: user "user", password
 * "pencil". */
struct example {
    enum p3_hash hash;
    const char *cnonce, *client_first, *server_first, *client_final,
        *server_final;
};

static const struct example rfc5802 = {
    P3_HASH_SHA1,
    "fyko+d2lbbFgONRv9qkxdawL",
    "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
    "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,"
    "i=4096",
    "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,"
    "p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
    "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
};

static const struct example rfc7677 = {
    P3_HASH_SHA256,
    "rOprNGfwEbeRWgbNEkqO",
    "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

/* Runs ex up to the server-first message; keys may be NULL. */
static void start(struct p3_scram *sc, const struct example *ex)
{
    char out[P3_SCRAM_MSG_MAX], err[300];
    int n = p3_scram_client_first(sc, ex->hash, P3_GS2_N, NULL, "user",
                                  ex->cnonce, out, sizeof out, err, sizeof err);

    assert_int_equal(n, (int)strlen(ex->client_first));
    assert_string_equal(out, ex->client_first);
    assert_int_equal(p3_scram_server_first(sc, ex->server_first,
                                           strlen(ex->server_first), err,
                                           sizeof err),
                     P3_SCRAM_OK);
}

static void run_example(const struct example *ex)
{
    struct p3_scram sc;
    struct p3_scram_keys keys;
    char out[P3_SCRAM_MSG_MAX], err[300];

    memset(&keys, 0, sizeof keys);
    start(&sc, ex);
    assert_int_equal(p3_scram_client_final(&sc, "pencil", &keys, out,
                                           sizeof out, err, sizeof err),
                     (int)strlen(ex->client_final));
    assert_string_equal(out, ex->client_final);
    assert_int_equal(p3_scram_server_final(&sc, ex->server_final,
                                           strlen(ex->server_final), err,
                                           sizeof err),
                     P3_SCRAM_OK);
    assert_true(keys.valid);
    assert_int_equal(keys.iterations, 4096);
}

static void test_scram_sha1_rfc5802(void **state)
{
    (void)state;
    run_example(&rfc5802);
}

static void test_scram_sha256_rfc7677(void **state)
{
    (void)state;
    run_example(&rfc7677);
}

/* A server that answers with a signature other than the password's does
 * not know the password: a failed login, whatever it says next. */
static void test_scram_bad_server_signature(void **state)
{
    struct p3_scram sc;
    char out[P3_SCRAM_MSG_MAX], err[300];
    static const char bad[] = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G5=";

    (void)state;
    start(&sc, &rfc7677);
    assert_true(p3_scram_client_final(&sc, "pencil", NULL, out, sizeof out, err,
                                      sizeof err) > 0);
    assert_int_equal(
        p3_scram_server_final(&sc, bad, strlen(bad), err, sizeof err),
        P3_SCRAM_AUTH);
    assert_non_null(strstr(err, "does not know the password"));
    /* the signature of another password: likewise */
    start(&sc, &rfc7677);
    assert_true(p3_scram_client_final(&sc, "pencil2", NULL, out, sizeof out,
                                      err, sizeof err) > 0);
    assert_int_equal(p3_scram_server_final(&sc, rfc7677.server_final,
                                           strlen(rfc7677.server_final), err,
                                           sizeof err),
                     P3_SCRAM_AUTH);
}

static void test_scram_server_error_and_malformed_final(void **state)
{
    struct p3_scram sc;
    char out[P3_SCRAM_MSG_MAX], err[300];

    (void)state;
    start(&sc, &rfc7677);
    assert_true(p3_scram_client_final(&sc, "pencil", NULL, out, sizeof out, err,
                                      sizeof err) > 0);
    assert_int_equal(
        p3_scram_server_final(&sc, "e=invalid-proof", 15, err, sizeof err),
        P3_SCRAM_AUTH);
    assert_non_null(strstr(err, "e=invalid-proof"));
    assert_int_equal(p3_scram_server_final(&sc, "x=1", 3, err, sizeof err),
                     P3_SCRAM_PROTOCOL);
    assert_int_equal(p3_scram_server_final(&sc, "v=!!!!", 6, err, sizeof err),
                     P3_SCRAM_AUTH);
}

/* Server-first messages a client must refuse, and how. */
static void test_scram_server_first_refused(void **state)
{
    static const struct {
        const char *msg;
        enum p3_scram_rc rc;
        const char *says;
    } v[] = {
        /* the iteration count below RFC 7677's 4096, and absurd */
        {"r=abcdefXYZ,s=QSXCR+Q6sek8bf92,i=1000", P3_SCRAM_AUTH,
         "asks for 1000 SCRAM iterations"},
        {"r=abcdefXYZ,s=QSXCR+Q6sek8bf92,i=2147483647", P3_SCRAM_AUTH,
         "asks for 2147483647"},
        {"r=abcdefXYZ,s=QSXCR+Q6sek8bf92,i=99999999999", P3_SCRAM_PROTOCOL,
         "malformed"},
        /* a nonce that does not extend ours, or only repeats it */
        {"r=zzzzzzXYZ,s=QSXCR+Q6sek8bf92,i=4096", P3_SCRAM_AUTH,
         "does not extend"},
        {"r=abcdef,s=QSXCR+Q6sek8bf92,i=4096", P3_SCRAM_AUTH,
         "does not extend"},
        /* malformed */
        {"", P3_SCRAM_PROTOCOL, "malformed"},
        {"garbage", P3_SCRAM_PROTOCOL, "malformed"},
        {"s=QSXCR+Q6sek8bf92,r=abcdefXYZ,i=4096", P3_SCRAM_PROTOCOL,
         "malformed"},
        {"r=abcdefXYZ,s=QSXCR+Q6sek8bf92", P3_SCRAM_PROTOCOL, "malformed"},
        {"r=abcdefXYZ,s=,i=4096", P3_SCRAM_PROTOCOL, "malformed"},
        {"r=abcdefXYZ,s=not*base64,i=4096", P3_SCRAM_PROTOCOL, "salt"},
        {"r=abcdefXYZ,s=QSXCR+Q6sek8bf92,i=40x6", P3_SCRAM_PROTOCOL,
         "not a number"},
        {"r=abcdef\x01YZ,s=QSXCR+Q6sek8bf92,i=4096", P3_SCRAM_PROTOCOL,
         "nonce character"},
        /* a mandatory extension we do not know */
        {"m=ext,r=abcdefXYZ,s=QSXCR+Q6sek8bf92,i=4096", P3_SCRAM_AUTH,
         "extension"},
    };
    static const char with_ext[] = "r=abcdefX,s=QSXCR+Q6sek8bf92,i=4096,x=1";
    struct p3_scram sc;
    char out[P3_SCRAM_MSG_MAX], err[300];

    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        assert_true(p3_scram_client_first(&sc, P3_HASH_SHA256, P3_GS2_N, NULL,
                                          "user", "abcdef", out, sizeof out,
                                          err, sizeof err) > 0);
        err[0] = '\0';
        assert_int_equal(p3_scram_server_first(&sc, v[i].msg, strlen(v[i].msg),
                                               err, sizeof err),
                         v[i].rc);
        if (strstr(err, v[i].says) == NULL)
            fail_msg("%s: '%s' does not say '%s'", v[i].msg, err, v[i].says);
    }
    /* extensions after the count are allowed */
    assert_int_equal(p3_scram_client_first(&sc, P3_HASH_SHA256, P3_GS2_N, NULL,
                                           "user", "abcdef", out, sizeof out,
                                           err, sizeof err),
                     18);
    assert_int_equal(
        p3_scram_server_first(&sc, with_ext, strlen(with_ext), err, sizeof err),
        P3_SCRAM_OK);
}

/* The keys are derived once and then taken from the cache while salt and
 * count stay; a new salt derives them again. */
static void test_scram_keys_cached(void **state)
{
    static const char other_salt[] =
        "r=rOprNGfwEbeRWgbNEkqOxyz,s=QSXCR+Q6sek8bf92,i=4096";
    struct p3_scram sc;
    struct p3_scram_keys keys;
    char out[P3_SCRAM_MSG_MAX], err[300];

    (void)state;
    memset(&keys, 0, sizeof keys);
    start(&sc, &rfc7677);
    assert_true(p3_scram_client_final(&sc, "pencil", &keys, out, sizeof out,
                                      err, sizeof err) > 0);
    assert_true(keys.valid);
    assert_true(p3_scram_keys_fit(&keys, &sc));
    /* the cache is what is used: the password given now does not matter,
     * so the exchange still verifies with a wrong one */
    start(&sc, &rfc7677);
    assert_true(p3_scram_client_final(&sc, "not-pencil", &keys, out, sizeof out,
                                      err, sizeof err) > 0);
    assert_string_equal(out, rfc7677.client_final);
    /* another salt: the keys are derived from the password again */
    assert_true(p3_scram_client_first(&sc, P3_HASH_SHA256, P3_GS2_N, NULL,
                                      "user", rfc7677.cnonce, out, sizeof out,
                                      err, sizeof err) > 0);
    assert_int_equal(p3_scram_server_first(&sc, other_salt, strlen(other_salt),
                                           err, sizeof err),
                     P3_SCRAM_OK);
    assert_false(p3_scram_keys_fit(&keys, &sc));
    assert_true(p3_scram_client_final(&sc, "pencil", &keys, out, sizeof out,
                                      err, sizeof err) > 0);
    assert_true(p3_scram_keys_fit(&keys, &sc));
    assert_int_equal(keys.salt_len, 12);
}

/* The user name is SASLprep'd and ',' '=' are escaped (RFC 5802 5.1). */
static void test_scram_user_escaped(void **state)
{
    struct p3_scram sc;
    char out[P3_SCRAM_MSG_MAX], err[300];

    (void)state;
    assert_true(p3_scram_client_first(&sc, P3_HASH_SHA1, P3_GS2_N, NULL,
                                      "a,b=c\xc2\xa0"
                                      "d",
                                      "N", out, sizeof out, err,
                                      sizeof err) > 0);
    assert_string_equal(out, "n,,n=a=2Cb=3Dc d,r=N");
    assert_int_equal(p3_scram_client_first(&sc, P3_HASH_SHA1, P3_GS2_N, NULL,
                                           "bad\x01", "N", out, sizeof out, err,
                                           sizeof err),
                     -1);
    assert_non_null(strstr(err, "U+0001"));
    assert_int_equal(p3_scram_client_first(&sc, P3_HASH_SHA1, P3_GS2_N, NULL,
                                           "u", "a,b", out, sizeof out, err,
                                           sizeof err),
                     -1);
}

/* The GS2 header that each flag writes, and what c= carries in the
 * client-final message: "y,," is "eSws" in base64 (RFC 4648). */
static void test_scram_gs2_flags(void **state)
{
    struct p3_scram sc;
    struct p3_chanbind cb = {"tls-exporter", 32, {0}};
    char out[P3_SCRAM_MSG_MAX], err[300];

    (void)state;
    assert_true(p3_scram_client_first(&sc, P3_HASH_SHA256, P3_GS2_Y, NULL,
                                      "user", rfc7677.cnonce, out, sizeof out,
                                      err, sizeof err) > 0);
    assert_string_equal(out, "y,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    assert_int_equal(p3_scram_server_first(&sc, rfc7677.server_first,
                                           strlen(rfc7677.server_first), err,
                                           sizeof err),
                     P3_SCRAM_OK);
    assert_true(p3_scram_client_final(&sc, "pencil", NULL, out, sizeof out, err,
                                      sizeof err) > 0);
    assert_memory_equal(out, "c=eSws,r=", 9);
    /* -PLUS without binding data is refused, not sent as "n" */
    assert_int_equal(p3_scram_client_first(&sc, P3_HASH_SHA256, P3_GS2_P, NULL,
                                           "user", "N", out, sizeof out, err,
                                           sizeof err),
                     -1);
    assert_non_null(strstr(err, "channel binding"));
    cb.len = 0;
    assert_int_equal(p3_scram_client_first(&sc, P3_HASH_SHA256, P3_GS2_P, &cb,
                                           "user", "N", out, sizeof out, err,
                                           sizeof err),
                     -1);
}

/* With "p", c= is the header followed by the binding data, and both are
 * in the AuthMessage: the server signature computed here from the
 * strings on the wire (RFC 5802 section 3) verifies. */
static void test_scram_channel_bound(void **state)
{
    struct p3_scram sc;
    struct p3_scram_keys keys;
    struct p3_chanbind cb = {"tls-exporter", 32, {0}};
    char out[P3_SCRAM_MSG_MAX], first[P3_SCRAM_MSG_MAX], err[300];
    char am[3 * P3_SCRAM_MSG_MAX], final[P3_SCRAM_MSG_MAX + 4];
    char c64[200];
    unsigned char c[128], sig[P3_HASH_MAX];
    char sig64[P3_HASH_MAX * 2];
    size_t clen;
    const char *proof;

    (void)state;
    for (int i = 0; i < 32; i++)
        cb.data[i] = (unsigned char)(0xa0 + i);
    memset(&keys, 0, sizeof keys);
    assert_true(p3_scram_client_first(&sc, P3_HASH_SHA256, P3_GS2_P, &cb,
                                      "user", rfc7677.cnonce, first,
                                      sizeof first, err, sizeof err) > 0);
    assert_string_equal(first, "p=tls-exporter,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    assert_int_equal(p3_scram_server_first(&sc, rfc7677.server_first,
                                           strlen(rfc7677.server_first), err,
                                           sizeof err),
                     P3_SCRAM_OK);
    assert_true(p3_scram_client_final(&sc, "pencil", &keys, out, sizeof out,
                                      err, sizeof err) > 0);
    /* c= decodes to the header and the 32 bytes */
    assert_memory_equal(out, "c=", 2);
    clen = (size_t)(strchr(out, ',') - out - 2);
    memcpy(c64, out + 2, clen);
    c64[clen] = '\0';
    clen = p3_base64_decode(c64, strlen(c64), c, sizeof c);
    assert_int_equal(clen, strlen("p=tls-exporter,,") + 32);
    assert_memory_equal(c, "p=tls-exporter,,", 16);
    assert_memory_equal(c + 16, cb.data, 32);
    /* the proof differs from the unbound exchange's */
    assert_string_not_equal(out, rfc7677.client_final);
    /* ServerSignature over first-bare, server-first, final-without-proof */
    proof = strstr(out, ",p=");
    assert_non_null(proof);
    snprintf(am, sizeof am, "%s,%s,%.*s", first + strlen("p=tls-exporter,,"),
             rfc7677.server_first, (int)(proof - out), out);
    assert_int_equal(
        p3_hmac(P3_HASH_SHA256, keys.server_key, 32, am, strlen(am), sig), 0);
    p3_base64_encode(sig, 32, sig64, sizeof sig64);
    snprintf(final, sizeof final, "v=%s", sig64);
    assert_int_equal(
        p3_scram_server_final(&sc, final, strlen(final), err, sizeof err),
        P3_SCRAM_OK);
}

/* A self-signed certificate signed with md: what tls-server-end-point
 * hashes it with (RFC 5929 section 4.1: MD5 and SHA-1 become SHA-256). */
static X509 *make_cert(const EVP_MD *md)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();

    assert_non_null(key);
    assert_non_null(x);
    assert_int_equal(X509_set_version(x, 2), 1);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                               (const unsigned char *)"cb.test", -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(x));
    assert_int_equal(X509_set_pubkey(x, key), 1);
    assert_true(X509_sign(x, key, md) > 0);
    EVP_PKEY_free(key);
    return x;
}

static void test_tls_server_end_point(void **state)
{
    static const struct {
        const char *sign, *hash;
        size_t len;
    } v[] = {
        {"SHA1", "SHA256", 32},
        {"SHA256", "SHA256", 32},
        {"SHA384", "SHA384", 48},
        {"SHA512", "SHA512", 64},
    };
    struct p3_chanbind cb;

    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        X509 *x = make_cert(EVP_get_digestbyname(v[i].sign));
        unsigned char want[EVP_MAX_MD_SIZE];
        unsigned wlen = 0;

        assert_int_equal(p3_tlsbind_end_point(x, &cb), 0);
        assert_string_equal(cb.type, "tls-server-end-point");
        assert_true(
            X509_digest(x, EVP_get_digestbyname(v[i].hash), want, &wlen));
        assert_int_equal(wlen, v[i].len);
        assert_int_equal(cb.len, v[i].len);
        assert_memory_equal(cb.data, want, wlen);
        X509_free(x);
    }
    assert_int_equal(p3_tlsbind_end_point(NULL, &cb), -1);
    assert_string_equal(cb.type, "");
}

static void test_saslprep(void **state)
{
    static const struct {
        const char *in, *out;
    } ok[] = {
        {"user", "user"},
        {"I\xc2\xad"
         "X",
         "IX"}, /* SOFT HYPHEN: nothing */
        {"a\xe2\x80\x80"
         "b",
         "a b"},                                    /* EN QUAD: space */
        {"\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9"}, /* NFKC already */
        {"pass word", "pass word"},
    };
    static const char *const bad[] = {
        "",              /* empty */
        "\xc2\xad",      /* empty once mapped */
        "a\x07",         /* C.2.1 control */
        "a\xc2\x85",     /* C.2.2 control */
        "a\xee\x80\x80", /* C.3 private use */
        "a\xef\xbf\xbe", /* C.4 non-character */
        "\xff",          /* not UTF-8 */
        "\xc0\xaf",      /* overlong */
        "\xed\xa0\x80",  /* a surrogate */
        "\xe2\x80",      /* cut short */
    };
    char out[64], err[128];

    (void)state;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        assert_int_equal(
            p3_saslprep(ok[i].in, out, sizeof out, err, sizeof err), 0);
        assert_string_equal(out, ok[i].out);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (p3_saslprep(bad[i], out, sizeof out, err, sizeof err) != -1)
            fail_msg("bad[%zu] was accepted", i);
    assert_int_equal(p3_saslprep("0123456789", out, 8, err, sizeof err), -1);
    assert_non_null(strstr(err, "too long"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha_abc),
        cmocka_unit_test(test_hmac_sha256_rfc4231_case2),
        cmocka_unit_test(test_pbkdf2_rfc6070),
        cmocka_unit_test(test_equal_is_memcmp),
        cmocka_unit_test(test_scram_sha1_rfc5802),
        cmocka_unit_test(test_scram_sha256_rfc7677),
        cmocka_unit_test(test_scram_bad_server_signature),
        cmocka_unit_test(test_scram_server_error_and_malformed_final),
        cmocka_unit_test(test_scram_server_first_refused),
        cmocka_unit_test(test_scram_keys_cached),
        cmocka_unit_test(test_scram_user_escaped),
        cmocka_unit_test(test_scram_gs2_flags),
        cmocka_unit_test(test_scram_channel_bound),
        cmocka_unit_test(test_tls_server_end_point),
        cmocka_unit_test(test_saslprep),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
