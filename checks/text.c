/* SPDX-License-Identifier: MIT */
/* text.c - small string helpers: sanitising server text, bounded
 * formatting, and the monotonic clock. */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "internal.h"

void p3_iso_time(int64_t t, char *buf, size_t len)
{
    struct tm tm;
    time_t tt = (time_t)t;

    gmtime_r(&tt, &tm);
    p3_format(buf, len, "%04d-%02d-%02d %02d:%02d:%02dZ", tm.tm_year + 1900,
              tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int64_t p3_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static const char redacted[] = "********";

void p3_sanitise(char *dst, size_t dstlen, const char *src, size_t len,
                 const char *secret)
{
    size_t slen = secret ? strlen(secret) : 0;
    size_t o = 0;

    if (dstlen == 0)
        return;
    for (size_t i = 0; i < len && o + 1 < dstlen;) {
        if (slen > 0 && len - i >= slen && memcmp(src + i, secret, slen) == 0) {
            size_t n = sizeof redacted - 1;
            if (n > dstlen - 1 - o)
                n = dstlen - 1 - o;
            memcpy(dst + o, redacted, n);
            o += n;
            i += slen;
            continue;
        }
        unsigned char c = (unsigned char)src[i++];
        dst[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    dst[o] = '\0';
}

void p3_format(char *dst, size_t dstlen, const char *fmt, ...)
{
    va_list ap;

    if (dstlen == 0)
        return;
    va_start(ap, fmt);
    if (vsnprintf(dst, dstlen, fmt, ap) < 0)
        dst[0] = '\0';
    va_end(ap);
}

void p3_append(char *dst, size_t dstlen, const char *src, size_t len)
{
    size_t have = strnlen(dst, dstlen);

    if (have + 1 >= dstlen)
        return;
    if (len > dstlen - 1 - have)
        len = dstlen - 1 - have;
    memcpy(dst + have, src, len);
    dst[have + len] = '\0';
}

int p3_word_eq(const char *a, size_t n, const char *b)
{
    return strlen(b) == n && strncasecmp(a, b, n) == 0;
}

void p3_free_secret(char *s)
{
    if (s == NULL)
        return;
    explicit_bzero(s, strlen(s));
    free(s);
}
