/* SPDX-License-Identifier: MIT */
/* fuzz_maildate.c - libFuzzer target: the input as a mail date (RFC 5322
 * 3.3 and 4.3) and as the value of a Received: header (RFC 5321 4.4). A
 * date that parses is written again in the plain form (by gmtime_r, not
 * by the code under test) and must read back as the same instant. */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1900-01-01 less, and 9999-12-31 more, than the largest zone. */
#define EARLIEST (-2208988800LL - 100 * 3600)
#define LATEST   (253402300799LL + 100 * 3600)

static void check_date(const char *s, size_t size)
{
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr",
                                         "May", "Jun", "Jul", "Aug",
                                         "Sep", "Oct", "Nov", "Dec"};
    int64_t t = 0, again = 0;
    time_t tt;
    struct tm tm;
    char plain[64];
    int n;

    if (p3_mail_date(s, size, &t) != 0)
        return;
    if (t < EARLIEST || t > LATEST)
        __builtin_trap();
    tt = (time_t)t;
    if (gmtime_r(&tt, &tm) == NULL)
        __builtin_trap();
    if (tm.tm_year + 1900 < 1900 || tm.tm_year + 1900 > 9999)
        return; /* the zone moved it out of the years one may write */
    n = snprintf(plain, sizeof plain, "%d %s %d %02d:%02d:%02d +0000",
                 tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
                 tm.tm_min, tm.tm_sec);
    if (n <= 0 || (size_t)n >= sizeof plain ||
        p3_mail_date(plain, (size_t)n, &again) != 0 || again != t)
        __builtin_trap();
}

static void check_word(const char *w, size_t size)
{
    const char *nul = memchr(w, '\0', size);

    if (nul == NULL)
        __builtin_trap(); /* not terminated */
    for (const char *p = w; p < nul; p++)
        if (*p < 0x20 || *p > 0x7e)
            __builtin_trap(); /* not sanitised */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct p3_hop hop;
    int rc;

    check_date(s, size);
    memset(&hop, 0x7f, sizeof hop);
    rc = p3_received_parse(s, size, &hop);
    check_word(hop.from, sizeof hop.from);
    check_word(hop.by, sizeof hop.by);
    if (hop.at != -1 && (hop.at < EARLIEST || hop.at > LATEST))
        __builtin_trap();
    /* -1 only without a by part and a date (-1 is also the instant
     * 1969-12-31 23:59:59, so at == -1 alone does not make it -1) */
    if ((rc != 0 && rc != -1) ||
        (rc == -1 && (hop.by[0] != '\0' || hop.at != -1)) ||
        (rc == 0 && hop.by[0] == '\0' && hop.at == -1 &&
         memchr(s, ';', size) == NULL))
        __builtin_trap();
    return 0;
}
