/* SPDX-License-Identifier: MIT */
/* tokstore.h - what is kept of a set of credentials between probes
 * (tokstore.c): the token of an OAuth 2.0 grant while it is valid, and the
 * SCRAM keys derived last. One store per set of options, shared by every
 * probe made from them (a module's /probe calls and its scheduled targets
 * alike), so that a daemon asks the token endpoint once per token's
 * lifetime and runs PBKDF2 once per salt, not once per probe.
 * Thread-safe; reference-counted. */
#ifndef POP3CHECK_TOKSTORE_H
#define POP3CHECK_TOKSTORE_H

#include <time.h>

#include "scram.h"

struct p3_tokstore;

/* A new store, or NULL when out of memory. */
struct p3_tokstore *p3_tokstore_new(void);
/* One more holder of s (NULL: nothing); returns s. */
struct p3_tokstore *p3_tokstore_ref(struct p3_tokstore *s);
/* One holder fewer; the last one wipes and frees it. NULL is a no-op. */
void p3_tokstore_unref(struct p3_tokstore *s);
/* A copy of the token while now < its until (malloc'd, free with
 * p3_free_secret), with until; NULL when there is none. */
char *p3_tokstore_get(struct p3_tokstore *s, time_t now, time_t *until);
/* Keeps token until then (a copy; the old one wiped). */
void p3_tokstore_put(struct p3_tokstore *s, const char *token, time_t until);
/* Forgets the token (the server refused it). */
void p3_tokstore_drop(struct p3_tokstore *s);
/* The SCRAM keys kept (copied into *k, 1), or 0 when none are. */
int p3_tokstore_keys_get(struct p3_tokstore *s, struct p3_scram_keys *k);
/* Keeps a copy of k (keys that verified), or forgets them (k NULL). */
void p3_tokstore_keys_put(struct p3_tokstore *s, const struct p3_scram_keys *k);

#endif
