/* SPDX-License-Identifier: MIT */
/* fuzz_listing.c - libFuzzer target: the numbers and lists a server
 * sends: STAT's "count octets", a LIST/UIDL scan line, a CAPA line, and a
 * multi-line body (dot-stuffing, the terminating ".") fed in two pieces.
 * CAPA flags are checked against the words of names.c. */
#include <stdint.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *d = (const char *)data;
    int64_t a = 0, b = 0;
    unsigned capa = 0, sasl = 0;
    struct p3_body body;
    size_t cut = size ? data[0] % (size + 1) : 0;
    size_t used;
    int done = 0;

    if (p3_parse_stat(d, size, &a, &b) == 0 && (a < 0 || b < 0))
        __builtin_trap(); /* accepted numbers are never negative */
    if (p3_parse_listing(d, size, &a, NULL) == 0 && a < 0)
        __builtin_trap();
    if (p3_parse_listing(d, size, &a, &b) == 0 && (a < 0 || b < 0))
        __builtin_trap();
    p3_parse_capa_line(d, size, &capa, &sasl);
    /* At most one known capability per line, by its word in the table. */
    if (capa != 0 && pop3check_capa_name(capa) == NULL)
        __builtin_trap();
    if (capa == POP3CHECK_CAPA_APOP || capa == POP3CHECK_CAPA_KNOWN)
        __builtin_trap(); /* never from a CAPA line */
    if (sasl != 0 && capa != POP3CHECK_CAPA_SASL)
        __builtin_trap();
    for (unsigned bit = 1; bit != 0; bit <<= 1)
        if ((sasl & bit) && pop3check_sasl_name(bit) == NULL)
            __builtin_trap();

    p3_body_init(&body);
    used = p3_body_scan(&body, d, cut, &done);
    if (used > cut)
        __builtin_trap();
    if (!done) {
        size_t more = p3_body_scan(&body, d + cut, size - cut, &done);
        if (more > size - cut)
            __builtin_trap();
    }
    return 0;
}
