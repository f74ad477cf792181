/* SPDX-License-Identifier: MIT */
/* fuzz_probeid.c - libFuzzer target: the input as an X-Pop3check-Probe
 * value, verified with a fixed key and check name. Only what format
 * writes may be OURS: an OURS input must be, white space around it
 * aside, the value format writes for the identifier read from it. And an
 * identifier made from the input's bytes must verify as OURS. */
#include <stdint.h>
#include <string.h>

#include "mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The key and name of the seeds in tests/fuzz/corpus/probeid. */
static const unsigned char key[] = "fuzz key";
static const char check[] = "fuzz";

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void check_verify(const char *s, size_t size)
{
    struct p3_probeid id;
    char again[P3_PROBEID_VALUE_MAX];
    enum p3_probeid_verdict v;

    memset(&id, 0x7f, sizeof id);
    v = p3_probeid_verify(s, size, check, key, sizeof key - 1, &id);
    if (v == P3_ID_NONE || v == P3_ID_MALFORMED)
        return;
    if (v != P3_ID_OTHER_CHECK && v != P3_ID_FORGED && v != P3_ID_OURS)
        __builtin_trap();
    if (!p3_probeid_check_name_ok(id.check))
        __builtin_trap();
    if (v != P3_ID_OURS)
        return;
    while (size > 0 && is_space(s[0])) {
        s++;
        size--;
    }
    while (size > 0 && is_space(s[size - 1]))
        size--;
    if (p3_probeid_format(&id, key, sizeof key - 1, again, sizeof again) != 0 ||
        strlen(again) != size || memcmp(again, s, size) != 0)
        __builtin_trap();
}

/* An identifier from the input's bytes: name, nonce, times. */
static void check_round_trip(const uint8_t *data, size_t size)
{
    struct p3_probeid id, got;
    char value[P3_PROBEID_VALUE_MAX];
    size_t n = size < P3_PROBEID_CHECK_MAX ? size : P3_PROBEID_CHECK_MAX;

    memset(&id, 0, sizeof id);
    memcpy(id.check, data, n);
    for (size_t i = 0; i < size && i < sizeof id.nonce; i++)
        id.nonce[i] = data[size - 1 - i];
    id.sent_ms = (int64_t)(size * 1000003u);
    id.deadline_ms = size > 0 ? (int64_t)data[0] << 40 : 0;
    if (p3_probeid_format(&id, key, sizeof key - 1, value, sizeof value) != 0) {
        if (p3_probeid_check_name_ok(id.check))
            __builtin_trap();
        return;
    }
    if (p3_probeid_verify(value, strlen(value), id.check, key, sizeof key - 1,
                          &got) != P3_ID_OURS ||
        strcmp(got.check, id.check) != 0 ||
        memcmp(got.nonce, id.nonce, sizeof id.nonce) != 0 ||
        got.sent_ms != id.sent_ms || got.deadline_ms != id.deadline_ms)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_verify((const char *)data, size);
    check_round_trip(data, size);
    return 0;
}
