/* SPDX-License-Identifier: MIT */
/* headers.c - the header part of a TOP n 0 reply, read as its bytes come:
 * lines dot-unstuffed, folded headers joined, each whole header handed on.
 * Shared by a round trip's polls (polls.c) and the age of a mailbox's
 * messages (age.c). */
#define _DEFAULT_SOURCE
#include <string.h>
#include <strings.h>

#include "mail.h"

void p3_hdrread_init(struct p3_hdrread *h)
{
    h->line_len = h->hdr_len = 0;
    h->body = 0;
}

static size_t trim(const char **v, size_t len)
{
    while (len > 0 && (**v == ' ' || **v == '\t')) {
        (*v)++;
        len--;
    }
    while (len > 0 && ((*v)[len - 1] == ' ' || (*v)[len - 1] == '\t'))
        len--;
    return len;
}

int p3_header_named(const char *h, size_t len, const char *name, const char **v,
                    size_t *vlen)
{
    size_t n = strlen(name);

    if (len <= n || h[n] != ':' || strncasecmp(h, name, n) != 0)
        return 0;
    *v = h + n + 1;
    *vlen = trim(v, len - n - 1);
    return 1;
}

static void flush(struct p3_hdrread *h, p3_header_fn *fn, void *ctx)
{
    if (h->hdr_len > 0)
        fn(ctx, h->hdr, h->hdr_len);
    h->hdr_len = 0;
}

/* One line of the header part. */
static void header_line(struct p3_hdrread *h, const char *line, size_t len,
                        p3_header_fn *fn, void *ctx)
{
    size_t room;

    if (len == 0) {
        flush(h, fn, ctx);
        h->body = 1; /* the body (none, for TOP n 0) follows */
        return;
    }
    if (line[0] == ' ' || line[0] == '\t') {
        if (h->hdr_len == 0)
            return; /* a continuation of nothing */
        len = trim(&line, len);
        if (h->hdr_len < P3_HEADER_MAX)
            h->hdr[h->hdr_len++] = ' ';
    } else {
        flush(h, fn, ctx);
    }
    room = P3_HEADER_MAX - h->hdr_len;
    if (len > room)
        len = room;
    memcpy(h->hdr + h->hdr_len, line, len);
    h->hdr_len += len;
}

int p3_hdrread_bytes(struct p3_hdrread *h, const char *d, size_t len,
                     size_t *used, p3_header_fn *fn, void *ctx)
{
    const char *nl = memchr(d, '\n', len);
    size_t n = nl ? (size_t)(nl - d) : len;
    size_t room = P3_HEADER_MAX - h->line_len;
    const char *line = h->line;
    size_t ll;

    *used = nl ? n + 1 : n;
    memcpy(h->line + h->line_len, d, n < room ? n : room);
    h->line_len += n < room ? n : room;
    if (nl == NULL)
        return 0;
    ll = h->line_len;
    h->line_len = 0;
    if (ll > 0 && line[ll - 1] == '\r')
        ll--;
    if (ll == 1 && line[0] == '.') {
        flush(h, fn, ctx);
        return 1;
    }
    if (ll > 0 && line[0] == '.') {
        line++; /* dot-stuffed */
        ll--;
    }
    if (!h->body)
        header_line(h, line, ll, fn, ctx);
    return 0;
}
