/* SPDX-License-Identifier: MIT */
/* fuzz_bearer.c - libFuzzer target: the error challenge of a server that
 * refuses an OAuth 2.0 token (bearer.c), both as the JSON itself and as
 * the base64 line sasl.c decodes first. What comes out is one line of
 * printable ASCII within its buffer, whatever came in. */
#define _POSIX_C_SOURCE 200809L /* strnlen */
#include <stdint.h>
#include <string.h>

#include "bearer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *out, size_t outlen)
{
    size_t n = strnlen(out, outlen);

    if (n == outlen || n == 0)
        __builtin_trap(); /* not terminated, or nothing said */
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] > 0x7e)
            __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[200], small[8];
    unsigned char json[P3_BEARER_CHALLENGE_MAX + 1];
    size_t n;

    p3_bearer_challenge((const char *)data, size, out, sizeof out);
    check(out, sizeof out);
    p3_bearer_challenge((const char *)data, size, small, sizeof small);
    check(small, sizeof small);
    n = p3_base64_decode((const char *)data, size, json, sizeof json - 1);
    if (n != (size_t)-1) {
        p3_bearer_challenge((const char *)json, n, out, sizeof out);
        check(out, sizeof out);
    }
    return 0;
}
