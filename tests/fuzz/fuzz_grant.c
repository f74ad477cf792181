/* SPDX-License-Identifier: MIT */
/* fuzz_grant.c - libFuzzer target: a token endpoint's answer (grant.c),
 * as HTTP status 200 and as 401. A token it accepts is one the AUTH line
 * can carry (RFC 6750 b64token); whatever it says about a refusal is one
 * printable line within its buffer. */
#define _POSIX_C_SOURCE 200809L /* strnlen */
#include <stdint.h>
#include <string.h>

#include "grant.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(long status, const uint8_t *data, size_t size)
{
    char why[300], *token = NULL;
    long life = 0;
    size_t n;
    enum p3_grant_rc rc = p3_grant_parse(status, (const char *)data, size,
                                         &token, &life, why, sizeof why);

    if (rc == P3_GRANT_OK) {
        if (token == NULL || !p3_token_ok(token) || life == 0 || life < -1)
            __builtin_trap();
        p3_free_secret(token);
        return;
    }
    n = strnlen(why, sizeof why);
    if (token != NULL || n == 0 || n == sizeof why)
        __builtin_trap();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)why[i] < 0x20 || (unsigned char)why[i] > 0x7e)
            __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one(200, data, size);
    one(401, data, size);
    return 0;
}
