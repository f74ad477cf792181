/* SPDX-License-Identifier: MIT */
/* fuzz_reply.c - libFuzzer target: one server line as the library reads
 * it: status (+OK/-ERR), RFC 2449/3206 response code, APOP timestamp of a
 * greeting, and the sanitising of text for people. */
#include <stdint.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *line = (const char *)data;
    const char *text = NULL;
    size_t tl = 0;
    char ts[256], clean[P3_LINE_MAX + 16];

    if (p3_reply_status(line, size, &text, &tl) != P3_REPLY_BAD) {
        if (text < line || text + tl > line + size)
            __builtin_trap(); /* the text must lie inside the line */
        (void)p3_reply_rcode(text, tl);
        if (p3_greeting_timestamp(text, tl, ts, sizeof ts) == 0 &&
            strlen(ts) >= sizeof ts)
            __builtin_trap();
    }
    p3_sanitise(clean, sizeof clean, line, size, NULL);
    if (strlen(clean) >= sizeof clean)
        __builtin_trap();
    return 0;
}
