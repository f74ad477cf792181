/* SPDX-License-Identifier: MIT */
/* uidset.c - a set of POP3 unique-ids (RFC 1939 section 7: 1 to 70
 * characters 0x21 to 0x7E), for a round trip to remember whose headers it
 * has read: open addressing, grown by doubling, bounded. */
#include <stdlib.h>
#include <string.h>

#include "polls.h"

struct p3_uidset {
    char **slot; /* NULL: free */
    size_t cap;  /* a power of two */
    size_t count;
};

static uint64_t hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

struct p3_uidset *p3_uidset_new(void)
{
    return p3_calloc(1, sizeof(struct p3_uidset));
}

void p3_uidset_free(struct p3_uidset *u)
{
    if (u == NULL)
        return;
    for (size_t i = 0; i < u->cap; i++)
        free(u->slot[i]);
    free(u->slot);
    free(u);
}

size_t p3_uidset_count(const struct p3_uidset *u)
{
    return u->count;
}

/* The slot holding uid, or the free one where it would go. */
static char **find(const struct p3_uidset *u, const char *uid, size_t len)
{
    size_t i = (size_t)hash(uid, len) & (u->cap - 1);

    while (u->slot[i] != NULL &&
           !(strlen(u->slot[i]) == len && memcmp(u->slot[i], uid, len) == 0))
        i = (i + 1) & (u->cap - 1);
    return &u->slot[i];
}

static int grow(struct p3_uidset *u)
{
    size_t cap = u->cap ? u->cap * 2 : 64;
    struct p3_uidset bigger = {p3_calloc(cap, sizeof(char *)), cap, 0};

    if (bigger.slot == NULL)
        return -1;
    for (size_t i = 0; i < u->cap; i++)
        if (u->slot[i] != NULL)
            *find(&bigger, u->slot[i], strlen(u->slot[i])) = u->slot[i];
    free(u->slot);
    u->slot = bigger.slot;
    u->cap = cap;
    return 0;
}

int p3_uidset_has(const struct p3_uidset *u, const char *uid, size_t len)
{
    return u->cap > 0 && *find(u, uid, len) != NULL;
}

int p3_uidset_add(struct p3_uidset *u, const char *uid, size_t len)
{
    char **at;

    if (p3_uidset_has(u, uid, len))
        return 0;
    if (u->count >= P3_UIDSET_MAX)
        return -1;
    if ((u->count + 1) * 2 > u->cap && grow(u) != 0)
        return -1;
    at = find(u, uid, len);
    if ((*at = p3_malloc(len + 1)) == NULL)
        return -1;
    memcpy(*at, uid, len);
    (*at)[len] = '\0';
    u->count++;
    return 1;
}
