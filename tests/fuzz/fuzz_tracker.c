/* SPDX-License-Identifier: MIT */
/* fuzz_tracker.c - libFuzzer target: libcurl's debug stream during the
 * connect phase as the tracker reads it (greeting, CAPA lines, STLS,
 * TLS text): events of any type and content, in any order. */
#include <stdint.h>
#include <string.h>

#include "tracker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int types[] = {0, 1, 2, 3, 4, 5, 6};
    struct pop3check_result r;
    struct p3_tracker t;
    int64_t now = 10;

    p3_result_init(&r);
    p3_tracker_init(&t, &r, 0, NULL, NULL);
    /* Events: a type byte, a length byte, then that many bytes. */
    while (size >= 2) {
        int type = types[data[0] % 7];
        size_t n = data[1];

        data += 2;
        size -= 2;
        if (n > size)
            n = size;
        p3_tracker_event(&t, type, (const char *)data, n, now++);
        data += n;
        size -= n;
    }
    if (strlen(r.greeting) >= sizeof r.greeting ||
        strlen(r.capa_text) >= sizeof r.capa_text ||
        strlen(r.tls_version) >= sizeof r.tls_version ||
        strlen(t.apop_ts) >= sizeof t.apop_ts)
        __builtin_trap();
    return 0;
}
