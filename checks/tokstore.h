/* SPDX-License-Identifier: MIT */
/* tokstore.h - where the token of an OAuth 2.0 grant is kept while it is
 * valid (tokstore.c): one store per set of grant options, shared by every
 * probe made from them (a module's /probe calls and its scheduled
 * targets alike), so that a daemon asks the token endpoint once per
 * token's lifetime, not once per probe. Thread-safe; reference-counted. */
#ifndef POP3CHECK_TOKSTORE_H
#define POP3CHECK_TOKSTORE_H

#include <time.h>

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

#endif
