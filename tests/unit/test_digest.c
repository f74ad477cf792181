/* SPDX-License-Identifier: MIT */
/* test_digest.c - unit tests of crypto.c (libcrypto) against the published
 * vectors: RFC 1321 A.5, RFC 2202, RFC 2195, RFC 1939 and RFC 4648. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "internal.h"

/* The hex MD5 of a NUL-terminated string. */
static void md5_hex(const char *s, char hex[33])
{
    unsigned char d[16];

    p3_digest(P3_HASH_MD5, s, strlen(s), d);
    p3_hex(d, sizeof d, hex);
}

static void hmac_hex(const void *key, size_t keylen, const void *data,
                     size_t len, char hex[33])
{
    unsigned char d[16];

    p3_hmac(P3_HASH_MD5, key, keylen, data, len, d);
    p3_hex(d, sizeof d, hex);
}

/* ---- MD5, RFC 1321 appendix A.5 ---- */

static void test_md5_rfc1321_suite(void **state)
{
    static const struct {
        const char *in, *hex;
    } v[] = {
        {"", "d41d8cd98f00b204e9800998ecf8427e"},
        {"a", "0cc175b9c0f1b6a831c399e269772661"},
        {"abc", "900150983cd24fb0d6963f7d28e17f72"},
        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
        {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
         "d174ab98d277d9f5a5611c2c9f419d9f"},
        {"1234567890123456789012345678901234567890123456789012345678901234567"
         "8901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"},
    };
    char hex[33];

    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        md5_hex(v[i].in, hex);
        assert_string_equal(hex, v[i].hex);
    }
}

/* Lengths around the padding boundary: the bit count fits after the 0x80
 * up to 55 bytes, needs a second block from 56 on. Expected values from an
 * independent MD5 (Python's hashlib). */
static void test_md5_padding_boundaries(void **state)
{
    static const struct {
        size_t n;
        const char *hex;
    } v[] = {
        {55, "ef1772b6dff9a122358552954ad0df65"},
        {56, "3b0c8ac703f828b04c6c197006d17218"},
        {63, "b06521f39153d618550606be297466d5"},
        {64, "014842d480b571495a4a0363793f7367"},
        {65, "c743a45e0d2e6a95cb859adae0248435"},
        {119, "8a7bd0732ed6a28ce75f6dabc90e1613"},
        {120, "5f61c0ccad4cac44c75ff505e1f1e537"},
        {128, "e510683b3f5ffe4093d021808bc6ff70"},
        {1000, "cabe45dcc9ae5b66ba86600cca6b8ba8"},
    };
    unsigned char buf[1000], d[16];
    char hex[33];

    (void)state;
    memset(buf, 'a', sizeof buf);
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        p3_digest(P3_HASH_MD5, buf, v[i].n, d);
        p3_hex(d, sizeof d, hex);
        assert_string_equal(hex, v[i].hex);
    }
}

/* No data at all: NULL is accepted when the length is 0. */
static void test_md5_null_empty(void **state)
{
    unsigned char d[16];
    char hex[33];

    (void)state;
    p3_digest(P3_HASH_MD5, NULL, 0, d);
    p3_hex(d, sizeof d, hex);
    assert_string_equal(hex, "d41d8cd98f00b204e9800998ecf8427e");
}

/* RFC 1939 section 7: the APOP digest of the example greeting. */
static void test_md5_apop_example(void **state)
{
    char hex[33];

    (void)state;
    md5_hex("<1896.697170952@dbc.mtview.ca.us>tanstaaf", hex);
    assert_string_equal(hex, "c4c9334bac560ecc979e58001b3e22fb");
}

/* ---- HMAC-MD5, RFC 2202 section 2 ---- */

static void test_hmac_md5_rfc2202_case1(void **state)
{
    unsigned char key[16];
    char hex[33];

    (void)state;
    memset(key, 0x0b, sizeof key);
    hmac_hex(key, sizeof key, "Hi There", 8, hex);
    assert_string_equal(hex, "9294727a3638bb1c13f48ef8158bfc9d");
}

static void test_hmac_md5_rfc2202_case2(void **state)
{
    char hex[33];

    (void)state;
    hmac_hex("Jefe", 4, "what do ya want for nothing?", 28, hex);
    assert_string_equal(hex, "750c783e6ab0b503eaa86e310a5db738");
}

static void test_hmac_md5_rfc2202_case3(void **state)
{
    unsigned char key[16], data[50];
    char hex[33];

    (void)state;
    memset(key, 0xaa, sizeof key);
    memset(data, 0xdd, sizeof data);
    hmac_hex(key, sizeof key, data, sizeof data, hex);
    assert_string_equal(hex, "56be34521d144c88dbb8c733f0e8b3f6");
}

static void test_hmac_md5_rfc2202_case4(void **state)
{
    unsigned char key[25], data[50];
    char hex[33];

    (void)state;
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (unsigned char)(i + 1);
    memset(data, 0xcd, sizeof data);
    hmac_hex(key, sizeof key, data, sizeof data, hex);
    assert_string_equal(hex, "697eaf0aca3a3aea3a75164746ffaa79");
}

static void test_hmac_md5_rfc2202_case5(void **state)
{
    unsigned char key[16];
    char hex[33];

    (void)state;
    memset(key, 0x0c, sizeof key);
    hmac_hex(key, sizeof key, "Test With Truncation", 20, hex);
    assert_string_equal(hex, "56461ef2342edc00f9bab995690efd4c");
}

static void test_hmac_md5_rfc2202_case6_long_key(void **state)
{
    unsigned char key[80];
    const char *data = "Test Using Larger Than Block-Size Key - Hash Key First";
    char hex[33];

    (void)state;
    memset(key, 0xaa, sizeof key);
    hmac_hex(key, sizeof key, data, strlen(data), hex);
    assert_string_equal(hex, "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd");
}

static void test_hmac_md5_rfc2202_case7_long_key(void **state)
{
    unsigned char key[80];
    const char *data = "Test Using Larger Than Block-Size Key and Larger "
                       "Than One Block-Size Data";
    char hex[33];

    (void)state;
    memset(key, 0xaa, sizeof key);
    hmac_hex(key, sizeof key, data, strlen(data), hex);
    assert_string_equal(hex, "6f630fad67cda0ee1fb1f562db3aa53e");
}

/* A 64-byte key is used as is, a 65-byte key is hashed first. */
static void test_hmac_md5_key_block_size(void **state)
{
    unsigned char key[65], hashed[16];
    unsigned char a[16], b[16];

    (void)state;
    memset(key, 0x42, sizeof key);
    p3_digest(P3_HASH_MD5, key, sizeof key, hashed);
    p3_hmac(P3_HASH_MD5, key, sizeof key, "x", 1, a);
    p3_hmac(P3_HASH_MD5, hashed, sizeof hashed, "x", 1, b);
    assert_memory_equal(a, b, sizeof a);
    p3_hmac(P3_HASH_MD5, key, 64, "x", 1, a);
    assert_memory_not_equal(a, b, sizeof a);
}

/* RFC 2195 section 2: the CRAM-MD5 example. */
static void test_hmac_md5_cram_example(void **state)
{
    const char *key = "tanstaaftanstaaf";
    const char *chal = "<1896.697170952@postoffice.reston.mci.net>";
    char hex[33];

    (void)state;
    hmac_hex(key, strlen(key), chal, strlen(chal), hex);
    assert_string_equal(hex, "b913a602c7eda7a495b4e6e7334d3890");
}

/* ---- hex ---- */

static void test_hex_lower_case(void **state)
{
    static const unsigned char in[] = {0x00, 0x9f, 0xa0, 0xff};
    char out[9];

    (void)state;
    p3_hex(in, sizeof in, out);
    assert_string_equal(out, "009fa0ff");
    p3_hex(in, 0, out);
    assert_string_equal(out, "");
}

/* ---- base64, RFC 4648 section 10 ---- */

static const struct {
    const char *raw, *b64;
} b64_vectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

static void test_base64_encode_rfc4648(void **state)
{
    char out[16];

    (void)state;
    for (size_t i = 0; i < sizeof b64_vectors / sizeof *b64_vectors; i++) {
        const char *raw = b64_vectors[i].raw;
        const size_t n = p3_base64_encode(raw, strlen(raw), out, sizeof out);

        assert_int_equal(n, strlen(b64_vectors[i].b64));
        assert_string_equal(out, b64_vectors[i].b64);
    }
}

static void test_base64_decode_rfc4648(void **state)
{
    unsigned char out[16];

    (void)state;
    for (size_t i = 0; i < sizeof b64_vectors / sizeof *b64_vectors; i++) {
        const char *b64 = b64_vectors[i].b64;
        const size_t n = p3_base64_decode(b64, strlen(b64), out, sizeof out);

        assert_int_equal(n, strlen(b64_vectors[i].raw));
        assert_memory_equal(out, b64_vectors[i].raw, n);
    }
}

/* Every byte value survives a round trip; '+' and '/' are used. */
static void test_base64_round_trip_all_bytes(void **state)
{
    unsigned char raw[256], back[256];
    char text[345];

    (void)state;
    for (size_t i = 0; i < sizeof raw; i++)
        raw[i] = (unsigned char)i;
    assert_int_equal(p3_base64_encode(raw, sizeof raw, text, sizeof text), 344);
    assert_non_null(strchr(text, '+'));
    assert_non_null(strchr(text, '/'));
    assert_int_equal(p3_base64_decode(text, 344, back, sizeof back), 256);
    assert_memory_equal(raw, back, sizeof raw);
}

static void test_base64_encode_buffer_too_small(void **state)
{
    char out[8];

    (void)state;
    /* "foo" needs 4 characters and the NUL. */
    assert_int_equal(p3_base64_encode("foo", 3, out, 4), (size_t)-1);
    assert_int_equal(p3_base64_encode("foo", 3, out, 5), 4);
    assert_string_equal(out, "Zm9v");
    assert_int_equal(p3_base64_encode("f", 1, out, 0), (size_t)-1);
    assert_int_equal(p3_base64_encode("", 0, out, 0), (size_t)-1);
    assert_int_equal(p3_base64_encode("", 0, out, 1), 0);
    assert_string_equal(out, "");
}

/* Characters outside the alphabet, including whitespace, a high byte and
 * a NUL inside the text. */
static void test_base64_decode_bad_char(void **state)
{
    static const struct {
        const char *s;
        size_t len;
    } bad[] = {
        {"Zm9v!A==", 8},  {"Zm9-", 4},    {"Zm_v", 4},  {"Zm 9", 4},
        {"Zm9v\nA==", 8}, {"Zm9\x80", 4}, {"Zg=\0", 4},
    };
    unsigned char out[16];

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(
            p3_base64_decode(bad[i].s, bad[i].len, out, sizeof out),
            (size_t)-1);
}

static void test_base64_decode_bad_length(void **state)
{
    unsigned char out[16];

    (void)state;
    assert_int_equal(p3_base64_decode("Zg", 2, out, sizeof out), (size_t)-1);
    assert_int_equal(p3_base64_decode("Zm9", 3, out, sizeof out), (size_t)-1);
    assert_int_equal(p3_base64_decode("Zm9vY", 5, out, sizeof out), (size_t)-1);
    assert_int_equal(p3_base64_decode("", 0, out, sizeof out), 0);
    assert_int_equal(p3_base64_decode("", 0, NULL, 0), 0);
}

static void test_base64_decode_misplaced_padding(void **state)
{
    static const char *const bad[] = {
        "Zg==Zm9v", /* padding before the last quantum */
        "Zm=v",     /* '=' followed by data */
        "Z===",     /* three pad characters */
        "====",     /* padding only */
        "=m9v",     /* '=' first */
        "Zm9=Zm9v", /* one '=' in the middle */
    };
    unsigned char out[16];

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(
            p3_base64_decode(bad[i], strlen(bad[i]), out, sizeof out),
            (size_t)-1);
}

/* RFC 4648 section 3.5: non-zero pad bits are not canonical. */
static void test_base64_decode_nonzero_pad_bits(void **state)
{
    unsigned char out[16];

    (void)state;
    assert_int_equal(p3_base64_decode("Zh==", 4, out, sizeof out), (size_t)-1);
    assert_int_equal(p3_base64_decode("Zm9=", 4, out, sizeof out), (size_t)-1);
    assert_int_equal(p3_base64_decode("Zm8=", 4, out, sizeof out), 2);
}

static void test_base64_decode_buffer_too_small(void **state)
{
    unsigned char out[6];

    (void)state;
    assert_int_equal(p3_base64_decode("Zm9vYmFy", 8, out, 5), (size_t)-1);
    assert_int_equal(p3_base64_decode("Zm9vYmE=", 8, out, 4), (size_t)-1);
    assert_int_equal(p3_base64_decode("Zm9vYmE=", 8, out, 5), 5);
    assert_memory_equal(out, "fooba", 5);
    assert_int_equal(p3_base64_decode("Zg==", 4, out, 0), (size_t)-1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_md5_rfc1321_suite),
        cmocka_unit_test(test_md5_padding_boundaries),
        cmocka_unit_test(test_md5_null_empty),
        cmocka_unit_test(test_md5_apop_example),
        cmocka_unit_test(test_hmac_md5_rfc2202_case1),
        cmocka_unit_test(test_hmac_md5_rfc2202_case2),
        cmocka_unit_test(test_hmac_md5_rfc2202_case3),
        cmocka_unit_test(test_hmac_md5_rfc2202_case4),
        cmocka_unit_test(test_hmac_md5_rfc2202_case5),
        cmocka_unit_test(test_hmac_md5_rfc2202_case6_long_key),
        cmocka_unit_test(test_hmac_md5_rfc2202_case7_long_key),
        cmocka_unit_test(test_hmac_md5_key_block_size),
        cmocka_unit_test(test_hmac_md5_cram_example),
        cmocka_unit_test(test_hex_lower_case),
        cmocka_unit_test(test_base64_encode_rfc4648),
        cmocka_unit_test(test_base64_decode_rfc4648),
        cmocka_unit_test(test_base64_round_trip_all_bytes),
        cmocka_unit_test(test_base64_encode_buffer_too_small),
        cmocka_unit_test(test_base64_decode_bad_char),
        cmocka_unit_test(test_base64_decode_bad_length),
        cmocka_unit_test(test_base64_decode_misplaced_padding),
        cmocka_unit_test(test_base64_decode_nonzero_pad_bits),
        cmocka_unit_test(test_base64_decode_buffer_too_small),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
