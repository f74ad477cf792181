/* SPDX-License-Identifier: MIT */
/* fuzz_scram.c - libFuzzer target: the SCRAM messages a server sends
 * (scram.c), decoded as sasl.c hands them over. The input is a
 * server-first message, a newline, a server-final message; the client
 * side is RFC 7677's example (user "user", password "pencil", its
 * nonce). */
#include <stdint.h>
#include <string.h>

#include "scram.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char cnonce[] = "rOprNGfwEbeRWgbNEkqO";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    const char *nl = memchr(in, '\n', size);
    size_t first = nl != NULL ? (size_t)(nl - in) : size;
    struct p3_scram sc;
    struct p3_scram_keys keys;
    char out[P3_SCRAM_MSG_MAX], err[400], want[P3_HASH_MAX * 2];
    int n;

    memset(&keys, 0, sizeof keys);
    if (p3_scram_client_first(&sc, P3_HASH_SHA256, P3_GS2_N, NULL, "user",
                              cnonce, out, sizeof out, err, sizeof err) < 0)
        __builtin_trap();
    if (p3_scram_server_first(&sc, in, first, err, sizeof err) != P3_SCRAM_OK)
        return 0;
    /* what was accepted is what the RFCs allow */
    if (sc.iterations < P3_SCRAM_ITER_MIN ||
        sc.iterations > P3_SCRAM_ITER_MAX || sc.salt_len == 0 ||
        sc.salt_len > P3_SCRAM_SALT_MAX ||
        strncmp(sc.nonce, cnonce, strlen(cnonce)) != 0 ||
        strlen(sc.nonce) <= strlen(cnonce) || strchr(sc.nonce, ',') != NULL)
        __builtin_trap();
    if (sc.iterations > 2 * P3_SCRAM_ITER_MIN || nl == NULL)
        return 0; /* PBKDF2 of many rounds: slow, and no new paths */
    n = p3_scram_client_final(&sc, "pencil", &keys, out, sizeof out, err,
                              sizeof err);
    if (n <= 0 || (size_t)n != strlen(out) || strncmp(out, "c=biws,r=", 9) ||
        !keys.valid)
        __builtin_trap();
    if (p3_scram_server_final(&sc, nl + 1, size - first - 1, err, sizeof err) !=
        P3_SCRAM_OK)
        return 0;
    /* verified: only the signature the password gives */
    p3_base64_encode(sc.server_signature, 32, want, sizeof want);
    if (size - first - 1 < 2 + strlen(want) || memcmp(nl + 1, "v=", 2) != 0 ||
        memcmp(nl + 3, want, strlen(want)) != 0)
        __builtin_trap();
    return 0;
}
