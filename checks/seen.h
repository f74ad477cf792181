/* SPDX-License-Identifier: MIT */
/* seen.h - when each message was first seen, by UIDL, from one run of a
 * probe to the next (seen.c). Private to the library. */
#ifndef POP3CHECK_SEEN_H
#define POP3CHECK_SEEN_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

#define P3_SEEN_MAX 100000 /* UIDs kept; more are not tracked */

struct p3_seen;
struct p3_seen *p3_seen_new(void);
void p3_seen_free(struct p3_seen *s); /* NULL is a no-op */
/* A UIDL listing begins. */
void p3_seen_begin(struct p3_seen *s);
/* uid[0..len) is in the listing, now (Unix seconds): first seen now if
 * it is new. 0, or -1 when it is not tracked (the bound, or memory). */
int p3_seen_mark(struct p3_seen *s, const char *uid, size_t len, int64_t now);
/* The listing is over: the UIDs not in it are dropped. How many are
 * tracked; *oldest the earliest first sighting among them, -1 if none. */
size_t p3_seen_end(struct p3_seen *s, int64_t *oldest);
/* UIDs of the last listing that were not tracked. */
size_t p3_seen_dropped(const struct p3_seen *s);
/* dst becomes a copy of src. 0, or -1 out of memory (dst unchanged). */
int p3_seen_copy(struct p3_seen *dst, const struct p3_seen *src);

#endif
