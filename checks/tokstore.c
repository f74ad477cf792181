/* SPDX-License-Identifier: MIT */
/* tokstore.c - a token kept while it is valid, shared between probes and
 * the threads that run them (one mutex; nothing here blocks for long). */
#define _DEFAULT_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tokstore.h"

struct p3_tokstore {
    pthread_mutex_t lock;
    unsigned refs;
    char *token;
    time_t until;
    struct p3_scram_keys keys; /* valid: kept */
};

struct p3_tokstore *p3_tokstore_new(void)
{
    struct p3_tokstore *s = p3_calloc(1, sizeof *s);

    if (s == NULL)
        return NULL;
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        free(s);
        return NULL;
    }
    s->refs = 1;
    return s;
}

struct p3_tokstore *p3_tokstore_ref(struct p3_tokstore *s)
{
    if (s != NULL) {
        pthread_mutex_lock(&s->lock);
        s->refs++;
        pthread_mutex_unlock(&s->lock);
    }
    return s;
}

/* Wipes and forgets the token; the lock is held. */
static void forget(struct p3_tokstore *s)
{
    p3_free_secret(s->token);
    s->token = NULL;
    s->until = 0;
}

void p3_tokstore_unref(struct p3_tokstore *s)
{
    unsigned left;

    if (s == NULL)
        return;
    pthread_mutex_lock(&s->lock);
    left = --s->refs;
    if (left == 0) {
        forget(s);
        explicit_bzero(&s->keys, sizeof s->keys);
    }
    pthread_mutex_unlock(&s->lock);
    if (left == 0) {
        pthread_mutex_destroy(&s->lock);
        free(s);
    }
}

char *p3_tokstore_get(struct p3_tokstore *s, time_t now, time_t *until)
{
    char *t = NULL;

    if (s == NULL)
        return NULL;
    pthread_mutex_lock(&s->lock);
    if (s->token != NULL && now < s->until) {
        t = p3_strdup(s->token);
        *until = s->until;
    }
    pthread_mutex_unlock(&s->lock);
    return t;
}

void p3_tokstore_put(struct p3_tokstore *s, const char *token, time_t until)
{
    char *copy = p3_strdup(token);

    if (s == NULL) {
        p3_free_secret(copy);
        return;
    }
    pthread_mutex_lock(&s->lock);
    forget(s);
    s->token = copy;
    s->until = copy ? until : 0;
    pthread_mutex_unlock(&s->lock);
}

int p3_tokstore_keys_get(struct p3_tokstore *s, struct p3_scram_keys *k)
{
    int got = 0;

    if (s == NULL)
        return 0;
    pthread_mutex_lock(&s->lock);
    if (s->keys.valid) {
        *k = s->keys;
        got = 1;
    }
    pthread_mutex_unlock(&s->lock);
    return got;
}

void p3_tokstore_keys_put(struct p3_tokstore *s, const struct p3_scram_keys *k)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->lock);
    if (k != NULL && k->valid)
        s->keys = *k;
    else
        explicit_bzero(&s->keys, sizeof s->keys);
    pthread_mutex_unlock(&s->lock);
}

void p3_tokstore_drop(struct p3_tokstore *s)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->lock);
    forget(s);
    pthread_mutex_unlock(&s->lock);
}
