/* SPDX-License-Identifier: MIT */
/* fuzz_smtpreply.c - libFuzzer target: one SMTP reply line as the round
 * trip reads it (RFC 5321 reply code, RFC 3463/2034 enhanced code). */
#include <stdint.h>
#include <string.h>

#include "mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *line = (const char *)data;
    struct p3_smtp_line l;
    const char *nul;
    size_t n;

    if (p3_smtp_line_parse(line, size, &l) != 0)
        return 0;
    if (l.code < 200 || l.code > 559 || (l.last != 0 && l.last != 1))
        __builtin_trap();
    if (l.code / 100 != line[0] - '0')
        __builtin_trap();
    /* the text lies inside the line, and ends where it does */
    if (l.text < line + 3 || l.text + l.textlen != line + size)
        __builtin_trap();
    nul = memchr(l.enhanced, '\0', sizeof l.enhanced);
    if (nul == NULL)
        __builtin_trap();
    n = (size_t)(nul - l.enhanced);
    if (n > 0 && (l.enhanced[0] != line[0] || n < 5 || n > 9))
        __builtin_trap();
    return 0;
}
