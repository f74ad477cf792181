/* SPDX-License-Identifier: MIT */
/* polls.h - what a POP3 session of a round trip (a poll) shares with the
 * round trip that runs it (trip.c): whose probes to look for, the UIDs
 * whose headers this run has read (uidset.c), what the session found. The
 * session's side is polls.c. */
#ifndef POP3CHECK_POLLS_H
#define POP3CHECK_POLLS_H

#include "internal.h"
#include "mail.h"

/* At most this many UIDs are remembered in one run (about 100 bytes
 * each); a mailbox with more unread messages fails the round trip. */
#define P3_UIDSET_MAX (1u << 20)
#define P3_POLL_HOPS  8 /* Received: headers kept of the probe */

struct p3_uidset;
struct p3_uidset *p3_uidset_new(void);
void p3_uidset_free(struct p3_uidset *u);
/* 1 when uid[0..len) was added, 0 when it was there, -1 when out of
 * memory or full. */
int p3_uidset_add(struct p3_uidset *u, const char *uid, size_t len);
int p3_uidset_has(const struct p3_uidset *u, const char *uid, size_t len);
size_t p3_uidset_count(const struct p3_uidset *u);

struct p3_poll {
    /* set by the round trip before each session */
    char check[P3_PROBEID_CHECK_MAX + 1];
    unsigned char key[P3_PROBEID_KEY_MAX];
    size_t keylen;
    unsigned char nonce[16]; /* this probe's */
    char msgid[160];         /* this probe's Message-ID, with <> */
    struct p3_uidset *seen;  /* UIDs whose headers this run has read */
    int64_t wall_ms;         /* Unix ms at the session's start: a probe of
                                this check whose deadline is before it is
                                stale */
    /* what the session found (zeroed by the round trip before each) */
    int delivered;     /* this probe was seen */
    int64_t login_at;  /* the login of this session (monotonic us) */
    long dele_mine;    /* DELE +OK of this probe */
    long dele_stale;   /* DELE +OK of earlier probes of this check */
    long left_live;    /* probes of this check still looked for by
                          another run, left alone */
    long headers_read; /* TOP n 0 replies read */
    int committed;     /* QUIT answered +OK: the DELEs took effect */
    struct p3_hop hops[P3_POLL_HOPS]; /* the probe's, newest first */
    int nhops;
};

#endif
