/* SPDX-License-Identifier: MIT */
/* bearer.c - SASL XOAUTH2 and OAUTHBEARER (RFC 7628) without I/O: the
 * initial client response, and the server's error challenge read with
 * jansson. */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "bearer.h"

int p3_auth_bearer(long auth)
{
    return auth == POP3CHECK_AUTH_XOAUTH2 || auth == POP3CHECK_AUTH_OAUTHBEARER;
}

int p3_smtp_auth_bearer(const char *mech)
{
    return mech != NULL && (strcasecmp(mech, "XOAUTH2") == 0 ||
                            strcasecmp(mech, "OAUTHBEARER") == 0);
}

/* RFC 6750 section 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" /
 * "~" / "+" / "/" ) *"=". Nothing else reaches a command line. */
int p3_token_ok(const char *t)
{
    static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                              "vwxyz0123456789-._~+/";
    size_t n = strspn(t, set), len = strlen(t);

    if (n == 0 || len > P3_TOKEN_MAX)
        return 0;
    return strspn(t + n, "=") == len - n;
}

/* Appends s to out at *o, or fails (-1) when it does not fit. */
static int put(char *out, size_t outlen, size_t *o, const char *s, size_t n)
{
    if (n > outlen - *o)
        return -1;
    memcpy(out + *o, s, n);
    *o += n;
    return 0;
}

/* The RFC 5801 saslname of the GS2 header: ',' as =2C and '=' as =3D. */
static int put_saslname(char *out, size_t outlen, size_t *o, const char *user)
{
    for (const char *c = user; *c != '\0'; c++) {
        const char *e = *c == ',' ? "=2C" : *c == '=' ? "=3D" : NULL;

        if (put(out, outlen, o, e ? e : c, e ? 3 : 1) != 0)
            return -1;
    }
    return 0;
}

long p3_bearer_message(enum pop3check_auth mech, const char *user,
                       const char *host, long port, const char *token,
                       char *out, size_t outlen)
{
    size_t o = 0;
    char num[24];
    int bad = 0;

    if (mech == POP3CHECK_AUTH_XOAUTH2) {
        /* user={user}^Aauth=Bearer {token}^A^A */
        bad = put(out, outlen, &o, "user=", 5) ||
              put(out, outlen, &o, user, strlen(user));
    } else if (mech == POP3CHECK_AUTH_OAUTHBEARER) {
        /* n,a={user},^Ahost={host}^Aport={port}^Aauth=Bearer {token}^A^A */
        bad = put(out, outlen, &o, "n,a=", 4) ||
              put_saslname(out, outlen, &o, user) ||
              put(out, outlen, &o, ",", 1);
        if (!bad && host != NULL) {
            int k = snprintf(num, sizeof num, "%ld", port);
            bad = put(out, outlen, &o, "\001host=", 6) ||
                  put(out, outlen, &o, host, strlen(host)) ||
                  put(out, outlen, &o, "\001port=", 6) ||
                  put(out, outlen, &o, num, (size_t)k);
        }
    } else {
        return -1;
    }
    bad = bad || put(out, outlen, &o, "\001auth=Bearer ", 13) ||
          put(out, outlen, &o, token, strlen(token)) ||
          put(out, outlen, &o, "\001\001", 2);
    if (bad) {
        explicit_bzero(out, o);
        return -1;
    }
    return (long)o;
}

/* Appends 'name "value"' for a member of obj that is a string (or a
 * number, as some servers send "status": 401), printable and bounded. */
static void show_member(json_t *obj, const char *name, char *out, size_t outlen)
{
    json_t *v = json_object_get(obj, name);
    char val[130], clean[sizeof val], item[sizeof clean + 64];

    if (json_is_string(v))
        p3_format(val, sizeof val, "%s", json_string_value(v));
    else if (json_is_integer(v))
        p3_format(val, sizeof val, "%lld", (long long)json_integer_value(v));
    else
        return;
    p3_sanitise(clean, sizeof clean, val, strlen(val), NULL);
    p3_format(item, sizeof item, "%s%s \"%s\"", out[0] ? ", " : "", name,
              clean);
    p3_append(out, outlen, item, strlen(item));
}

int p3_bearer_challenge(const char *json, size_t len, char *out, size_t outlen)
{
    static const char *const names[] = {"status", "scope", "schemes",
                                        "openid-configuration"};
    json_error_t jerr;
    json_t *root;

    p3_format(out, outlen, "%s", "");
    if (len > P3_BEARER_CHALLENGE_MAX) {
        p3_format(out, outlen, "an error challenge longer than %d bytes",
                  P3_BEARER_CHALLENGE_MAX);
        return -1;
    }
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(root)) {
        p3_format(out, outlen, "an error challenge that is not a JSON object");
        json_decref(root);
        return -1;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        show_member(root, names[i], out, outlen);
    if (out[0] == '\0')
        p3_format(out, outlen, "an error challenge without a status");
    json_decref(root);
    return 0;
}
