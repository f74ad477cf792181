/* SPDX-License-Identifier: MIT */
/* bearer.h - the client side of SASL XOAUTH2 and OAUTHBEARER (RFC 7628)
 * without I/O (bearer.c): the initial client response that carries an
 * OAuth 2.0 bearer token, and what the server's error challenge (base64
 * JSON, RFC 7628 section 3.2.2) says. sasl.c carries them over POP3 AUTH.
 * The token is checked by p3_token_ok() (internal.h) before it gets here. */
#ifndef POP3CHECK_BEARER_H
#define POP3CHECK_BEARER_H

#include "internal.h"

/* The longest initial client response: the token, the user name and the
 * host with their keys and separators. */
#define P3_BEARER_MSG_MAX (P3_TOKEN_MAX + 2 * P3_CRED_MAX + 300)
/* The longest error challenge read, decoded. */
#define P3_BEARER_CHALLENGE_MAX 4096

/* The initial client response of mech (POP3CHECK_AUTH_XOAUTH2 or
 * _OAUTHBEARER) for user with token, into out (not NUL-terminated: it
 * holds ^A separators). OAUTHBEARER names host and port as RFC 7628 asks
 * (host NULL: left out). Its length, or -1 when out is too small or mech
 * is neither. */
long p3_bearer_message(enum pop3check_auth mech, const char *user,
                       const char *host, long port, const char *token,
                       char *out, size_t outlen);

/* What an error challenge says, as one line for an error text: decoded
 * (json, len bytes) it is a JSON object whose "status", "scope",
 * "schemes" and "openid-configuration" members are shown as
 * 'status "401", scope "mail"' (printable ASCII, bounded). 0 when it was
 * such an object, -1 when it was not (out then says what it was). */
int p3_bearer_challenge(const char *json, size_t len, char *out, size_t outlen);

#endif
