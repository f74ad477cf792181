/* SPDX-License-Identifier: MIT */
/* config_oauth.c - a module's oauth2 mapping (modules.NAME.oauth2): the
 * OAuth 2.0 client-credentials grant (RFC 6749 section 4.4) whose token
 * the module's user logs in with, as check_pop3's --token-url options
 * (plugin/oauthopts.c). The client secret is read from its file when the
 * configuration is loaded; the token is granted by the library at a
 * target's first probe and kept, in memory, while it is valid. */
#define _DEFAULT_SOURCE
#include <string.h>

#include "config_internal.h"

#define CLIENT_SECRET_MAX 1024 /* the library's limit */

enum { O_URL, O_ID, O_SECRET, O_SCOPE, O_COUNT };
static const char *const oauth_keys[O_COUNT] = {"token_url", "client_id",
                                                "client_secret_file", "scope"};
static const enum pop3check_opt oauth_opts[] = {POP3CHECK_OPT_TOKEN_URL,
                                                POP3CHECK_OPT_CLIENT_ID, 0,
                                                POP3CHECK_OPT_TOKEN_SCOPE};

static int read_secret(struct p3xc_ctx *x, struct p3x_module *m,
                       const char *path, int line)
{
    char why[1200];
    char *s = pop3check_secret_read(path, POP3CHECK_SECRET_LINE,
                                    CLIENT_SECRET_MAX, NULL, why, sizeof why);
    int rc = 0;

    if (s == NULL)
        return p3xc_fail(x, line, "client_secret_file", "%s", why);
    if (pop3check_options_set_str(m->opts, POP3CHECK_OPT_CLIENT_SECRET, s) != 0)
        rc = p3xc_fail(x, line, "client_secret_file", "'%s': %s", path,
                       pop3check_options_error(m->opts));
    pop3check_secret_free(s);
    return rc;
}

int p3xc_oauth_apply(struct p3xc_ctx *x, struct p3x_module *m,
                     const yaml_node_t *n, int line, int has_user)
{
    yaml_node_t *v[O_COUNT];
    int lines[O_COUNT];
    const char *s[O_COUNT] = {NULL};
    size_t at;

    if (n == NULL)
        return 0;
    if (!has_user)
        return p3xc_fail(x, line, "oauth2",
                         "needs a login: add user (the mailbox the token "
                         "logs in to)");
    if (p3xc_want(x, n, "oauth2", YAML_MAPPING_NODE,
                  "a mapping of token_url, client_id, client_secret_file "
                  "and scope") != 0)
        return -1;
    at = p3xc_push(x, "oauth2");
    if (p3xc_fields(x, n, oauth_keys, O_COUNT, v, lines) != 0)
        return -1;
    for (int i = 0; i < O_COUNT; i++)
        if (p3xc_str(x, v[i], oauth_keys[i], &s[i]) != 0)
            return -1;
    for (int i = 0; i < O_SCOPE; i++)
        if (s[i] == NULL)
            return p3xc_fail(x, line, oauth_keys[i],
                             "missing: a grant needs token_url, client_id and "
                             "client_secret_file");
    for (int i = 0; i < O_COUNT; i++)
        if (i != O_SECRET && s[i] != NULL &&
            pop3check_options_set_str(m->opts, oauth_opts[i], s[i]) != 0)
            return p3xc_fail(x, lines[i], oauth_keys[i], "%s",
                             pop3check_options_error(m->opts));
    if (read_secret(x, m, s[O_SECRET], lines[O_SECRET]) != 0)
        return -1;
    p3xc_pop(x, at);
    return 0;
}
