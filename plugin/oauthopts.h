/* SPDX-License-Identifier: MIT */
/* oauthopts.h - check_pop3's OAuth 2.0 client-credentials options
 * (oauthopts.c): the token endpoint, the client, the scope and the cache
 * file that keeps the token from one check to the next. */
#ifndef CHECK_POP3_OAUTHOPTS_H
#define CHECK_POP3_OAUTHOPTS_H

#include <getopt.h>
#include <stddef.h>

#include "options.h"

/* getopt_long values (after tripopts.h's). */
enum {
    OAUTH_OPT_FIRST = 450,
    OAUTH_OPT_TOKEN_URL = OAUTH_OPT_FIRST,
    OAUTH_OPT_CLIENT_ID,
    OAUTH_OPT_CLIENT_SECRET_FILE,
    OAUTH_OPT_TOKEN_SCOPE,
    OAUTH_OPT_TOKEN_CACHE,
    OAUTH_OPT_LAST = OAUTH_OPT_TOKEN_CACHE
};

#define OAUTH_LONGOPTS                                                         \
    {"token-url", required_argument, NULL, OAUTH_OPT_TOKEN_URL},               \
        {"client-id", required_argument, NULL, OAUTH_OPT_CLIENT_ID},           \
        {"client-secret-file", required_argument, NULL,                        \
         OAUTH_OPT_CLIENT_SECRET_FILE},                                        \
        {"token-scope", required_argument, NULL, OAUTH_OPT_TOKEN_SCOPE},       \
    {                                                                          \
        "token-cache", required_argument, NULL, OAUTH_OPT_TOKEN_CACHE          \
    }

/* What the options give as text, set once all are read. */
struct oauth_args {
    const char *token_url, *client_id, *secret_file, *scope, *cache;
    int given; /* any of them */
};

/* One option c with its argument (never fails: checked at the end). */
void oauth_opt(int c, const char *arg, struct oauth_args *a);
/* After the whole command line: checks them as a whole, reads the client
 * secret, sets the texts. 0, or -1 with a message. */
int oauth_finish(struct plugin_opts *o, const struct oauth_args *a, char *err,
                 size_t errlen);

#endif
