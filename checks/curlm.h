/* SPDX-License-Identifier: MIT */
/* curlm.h - one libcurl multi handle driven by a p3_loop, shared by the
 * easy handles of that loop (per-multi state is most of libcurl's memory).
 * It knows easy handles and their owners, not what they are for. */
#ifndef POP3CHECK_CURLM_H
#define POP3CHECK_CURLM_H

#include <curl/curl.h>

#include "loop.h"

enum p3_curl_event {
    P3_CURL_DONE,  /* libcurl finished the transfer; code is its CURLcode */
    P3_CURL_BROKEN /* a socket of the transfer could not be watched (out
                      of memory): the owner must give up */
};

/* What an easy handle's owner is told. Called from inside libcurl's
 * callbacks or curl_multi_socket_action: the owner must only take note
 * (and arm a timer), never call libcurl from there. */
struct p3_curl_owner {
    void (*fn)(void *owner, enum p3_curl_event ev, int code);
    void *owner;
};

struct p3_curlm;

struct p3_curlm *p3_curlm_new(struct p3_loop *loop);
/* Only once every easy handle is removed; NULL is a no-op. */
void p3_curlm_free(struct p3_curlm *m);
/* Adds easy (its CURLOPT_PRIVATE becomes o, which must outlive the
 * transfer) and starts it. 0, or -1 when libcurl refuses. */
int p3_curlm_add(struct p3_curlm *m, CURL *easy, struct p3_curl_owner *o);
/* Removes easy from the multi handle; the caller cleans it up. */
void p3_curlm_remove(struct p3_curlm *m, CURL *easy);
/* The options every easy handle of a shared multi needs: its close-socket
 * callback (which tells the socket's watcher, see p3_loop_forget), no DNS
 * cache, no connection aged out, and a connection pool of its own in
 * *pool (see curlm.c), which p3_curlm_release frees once the easy handle
 * is cleaned up. 0, or -1 (*pool may then still need the release). */
int p3_curlm_prepare(struct p3_curlm *m, CURL *easy, CURLSH **pool);
/* Frees what p3_curlm_prepare gave an easy handle, after its
 * curl_easy_cleanup; NULL is a no-op. */
void p3_curlm_release(CURLSH *pool);

#endif
