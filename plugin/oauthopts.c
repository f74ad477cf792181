/* SPDX-License-Identifier: MIT */
/* oauthopts.c - check_pop3's OAuth 2.0 client-credentials options: with
 * --token-url the check asks the token endpoint for a token (RFC 6749
 * section 4.4) and logs in with it; --token-cache keeps it between
 * checks, as each check is a process of its own. */
#define _DEFAULT_SOURCE
#include <string.h>

#include "oauthopts.h"
#include "optval.h"

void oauth_opt(int c, const char *arg, struct oauth_args *a)
{
    a->given = 1;
    switch (c) {
    case OAUTH_OPT_TOKEN_URL:
        a->token_url = arg;
        break;
    case OAUTH_OPT_CLIENT_ID:
        a->client_id = arg;
        break;
    case OAUTH_OPT_CLIENT_SECRET_FILE:
        a->secret_file = arg;
        break;
    case OAUTH_OPT_TOKEN_SCOPE:
        a->scope = arg;
        break;
    default:
        a->cache = arg;
        break;
    }
}

int oauth_finish(struct plugin_opts *o, const struct oauth_args *a, char *err,
                 size_t errlen)
{
    const struct {
        enum pop3check_opt key;
        const char *opt, *value;
    } v[] = {
        {POP3CHECK_OPT_TOKEN_URL, "--token-url", a->token_url},
        {POP3CHECK_OPT_CLIENT_ID, "--client-id", a->client_id},
        {POP3CHECK_OPT_TOKEN_SCOPE, "--token-scope", a->scope},
        {POP3CHECK_OPT_TOKEN_CACHE, "--token-cache", a->cache},
    };
    char why[1200];
    char *secret;
    int rc;

    if (!a->given)
        return 0;
    if (a->token_url == NULL || a->client_id == NULL || a->secret_file == NULL)
        return optval_fail(err, errlen,
                           "an OAuth 2.0 grant needs --token-url, --client-id "
                           "and --client-secret-file together");
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        if (v[i].value != NULL &&
            pop3check_options_set_str(o->probe, v[i].key, v[i].value) != 0)
            return optval_fail(err, errlen, "%s: %s", v[i].opt,
                               pop3check_options_error(o->probe));
    secret = pop3check_secret_read(a->secret_file, POP3CHECK_SECRET_LINE, 1024,
                                   NULL, why, sizeof why);
    if (secret == NULL)
        return optval_fail(err, errlen, "--client-secret-file %s", why);
    rc = pop3check_options_set_str(o->probe, POP3CHECK_OPT_CLIENT_SECRET,
                                   secret);
    pop3check_secret_free(secret);
    if (rc != 0)
        return optval_fail(err, errlen, "--client-secret-file '%s': %s",
                           a->secret_file, pop3check_options_error(o->probe));
    return 0;
}
