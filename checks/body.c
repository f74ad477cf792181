/* SPDX-License-Identifier: MIT */
/* body.c - the multi-line body of a TOP or RETR reply (RFC 1939, section
 * 3): finds the terminating ".CRLF" and counts the message's octets the way
 * LIST does, that is after removing byte-stuffing and before the
 * terminator. Pure: any split of the input gives the same count. */
#include <string.h>

#include "internal.h"

void p3_body_init(struct p3_body *b)
{
    b->state = P3_BODY_BOL;
    b->octets = 0;
}

size_t p3_body_scan(struct p3_body *b, const char *d, size_t len, int *done)
{
    size_t i = 0;

    while (i < len) {
        switch (b->state) {
        case P3_BODY_BOL:
            if (d[i] == '.') {
                b->state = P3_BODY_DOT;
                i++;
                continue;
            }
            b->state = P3_BODY_MID;
            continue;
        case P3_BODY_DOT:
            if (d[i] == '\r') {
                b->state = P3_BODY_DOTCR;
                i++;
                continue;
            }
            if (d[i] == '\n') { /* bare LF terminator: lenient */
                *done = 1;
                return i + 1;
            }
            b->state = P3_BODY_MID; /* the dot was stuffing */
            continue;
        case P3_BODY_DOTCR:
            if (d[i] == '\n') {
                *done = 1;
                return i + 1;
            }
            b->octets++; /* the CR was content after a stuffed dot */
            b->state = P3_BODY_MID;
            continue;
        case P3_BODY_MID: {
            const char *nl = memchr(d + i, '\n', len - i);
            size_t n = nl ? (size_t)(nl - (d + i)) + 1 : len - i;
            b->octets += (int64_t)n;
            i += n;
            if (nl)
                b->state = P3_BODY_BOL;
            continue;
        }
        }
    }
    return i;
}
