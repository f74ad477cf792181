/* SPDX-License-Identifier: MIT */
/* seen.c - when each message of a maildrop was first seen, by its UIDL
 * (RFC 1939 section 7), for a probe that runs again and again: each run's
 * UIDL listing marks the UIDs present, those gone are dropped. A UID is
 * kept as a 64-bit FNV-1a hash (a collision only merges two messages'
 * first sightings), in an open-addressing table of at most P3_SEEN_MAX
 * entries: 24 bytes a slot, 4/3 to 8/3 slots an entry, so at most 6.3 MB
 * (262144 slots) for a maildrop of 100000 messages or more. */
#include <stdlib.h>
#include <string.h>

#include "seen.h"

struct slot {
    uint64_t h;    /* 0: empty (a hash of 0 is stored as 1) */
    int64_t first; /* Unix seconds */
    uint32_t gen;  /* the listing that last saw it */
};

struct p3_seen {
    struct slot *t;
    size_t cap, n; /* cap a power of two, or 0 */
    uint32_t gen;
    size_t dropped; /* UIDs of this listing beyond the bound */
};

struct p3_seen *p3_seen_new(void)
{
    return p3_calloc(1, sizeof(struct p3_seen));
}

void p3_seen_free(struct p3_seen *s)
{
    if (s == NULL)
        return;
    free(s->t);
    free(s);
}

static uint64_t hash(const char *uid, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)uid[i];
        h *= 0x100000001b3ULL;
    }
    return h ? h : 1;
}

static struct slot *find(struct slot *t, size_t cap, uint64_t h)
{
    size_t i = (size_t)h & (cap - 1);

    while (t[i].h != 0 && t[i].h != h)
        i = (i + 1) & (cap - 1);
    return &t[i];
}

/* A table of cap slots with the entries of s: all, or those of the
 * current listing. */
static int rebuild(struct p3_seen *s, size_t cap, int only_current)
{
    struct slot *t = p3_calloc(cap, sizeof *t);
    size_t n = 0;

    if (t == NULL)
        return -1;
    for (size_t i = 0; i < s->cap; i++) {
        const struct slot *o = &s->t[i];
        if (o->h == 0 || (only_current && o->gen != s->gen))
            continue;
        *find(t, cap, o->h) = *o;
        n++;
    }
    free(s->t);
    s->t = t;
    s->cap = cap;
    s->n = n;
    return 0;
}

void p3_seen_begin(struct p3_seen *s)
{
    s->gen++;
    s->dropped = 0;
}

int p3_seen_mark(struct p3_seen *s, const char *uid, size_t len, int64_t now)
{
    const uint64_t h = hash(uid, len);
    struct slot *e = s->cap ? find(s->t, s->cap, h) : NULL;

    if (e != NULL && e->h == h) { /* known */
        e->gen = s->gen;
        return 0;
    }
    if (s->n >= P3_SEEN_MAX || ((s->cap == 0 || (s->n + 1) * 4 > s->cap * 3) &&
                                rebuild(s, s->cap ? s->cap * 2 : 64, 0) != 0)) {
        s->dropped++;
        return -1;
    }
    e = find(s->t, s->cap, h);
    e->h = h;
    e->first = now;
    e->gen = s->gen;
    s->n++;
    return 0;
}

size_t p3_seen_end(struct p3_seen *s, int64_t *oldest)
{
    size_t cap = 64, cur = 0;

    *oldest = -1;
    for (size_t i = 0; i < s->cap; i++) {
        if (s->t[i].h == 0 || s->t[i].gen != s->gen)
            continue;
        cur++;
        if (*oldest < 0 || s->t[i].first < *oldest)
            *oldest = s->t[i].first;
    }
    /* Drop the UIDs gone; without memory to, keep them (a later listing
     * drops them). */
    while (cap * 3 < (cur + 1) * 4)
        cap *= 2;
    if (s->cap > 0)
        (void)rebuild(s, cap, 1);
    return cur;
}

size_t p3_seen_dropped(const struct p3_seen *s)
{
    return s->dropped;
}

int p3_seen_copy(struct p3_seen *dst, const struct p3_seen *src)
{
    struct slot *t = NULL;

    if (src->cap > 0) {
        if ((t = p3_malloc(src->cap * sizeof *t)) == NULL)
            return -1;
        memcpy(t, src->t, src->cap * sizeof *t);
    }
    free(dst->t);
    dst->t = t;
    dst->cap = src->cap;
    dst->n = src->n;
    dst->gen = src->gen;
    dst->dropped = 0;
    return 0;
}
