/* SPDX-License-Identifier: MIT */
/* names.c - names and messages of the public enums, generated from the
 * X-macro lists of pop3check.h, and the map from libcurl's codes. */
#include <curl/curl.h>
#include <strings.h>

#include "internal.h"

#define X_NAME(e, name, msg) name,
#define X_MSG(e, name, msg)  msg,
static const char *const error_names[] = {POP3CHECK_ERRORS(X_NAME)};
static const char *const error_msgs[] = {POP3CHECK_ERRORS(X_MSG)};
#undef X_NAME
#undef X_MSG

#define X_PHASE(e, name) name,
static const char *const phase_names[] = {POP3CHECK_PHASES(X_PHASE)};
#undef X_PHASE

static const char *const rcode_names[] = {
    "", "AUTH", "SYS/TEMP", "SYS/PERM", "IN-USE", "LOGIN-DELAY", "OTHER"};
static const char *const auth_names[] = {"any",   "user",  "apop",
                                         "plain", "login", "cram-md5"};
static const char *const state_names[] = {"OK", "WARNING", "CRITICAL",
                                          "UNKNOWN"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *pop3check_error_name(enum pop3check_error e)
{
    if ((unsigned)e >= COUNT(error_names))
        e = POP3CHECK_E_INTERNAL;
    return error_names[e];
}

const char *pop3check_error_message(enum pop3check_error e)
{
    if ((unsigned)e >= COUNT(error_msgs))
        e = POP3CHECK_E_INTERNAL;
    return error_msgs[e];
}

const char *pop3check_phase_name(enum pop3check_phase p)
{
    return (unsigned)p < COUNT(phase_names) ? phase_names[p] : NULL;
}

static int index_of(const char *const *names, size_t n, const char *name)
{
    if (name == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(names[i], name) == 0)
            return (int)i;
    return -1;
}

int pop3check_phase_from_name(const char *name)
{
    return index_of(phase_names, COUNT(phase_names), name);
}

const char *pop3check_rcode_name(enum pop3check_rcode c)
{
    return (unsigned)c < COUNT(rcode_names) ? rcode_names[c] : "";
}

const char *pop3check_auth_name(enum pop3check_auth a)
{
    return (unsigned)a < COUNT(auth_names) ? auth_names[a] : "any";
}

int pop3check_auth_from_name(const char *name)
{
    return index_of(auth_names, COUNT(auth_names), name);
}

const char *pop3check_state_name(enum pop3check_state s)
{
    return (unsigned)s < COUNT(state_names) ? state_names[s] : "UNKNOWN";
}

int pop3check_state_from_name(const char *name)
{
    return index_of(state_names, COUNT(state_names), name);
}

/* Only the codes a CONNECT_ONLY POP3 transfer can give are listed; the
 * rest mean a bug or a resource problem here, not at the server. */
static const struct {
    CURLcode code;
    enum pop3check_error kind;
} curl_map[] = {
    {CURLE_OK, POP3CHECK_E_OK},
    {CURLE_COULDNT_RESOLVE_HOST, POP3CHECK_E_RESOLVE},
    {CURLE_COULDNT_CONNECT, POP3CHECK_E_CONNECT},
    {CURLE_OPERATION_TIMEDOUT, POP3CHECK_E_TIMEOUT},
    {CURLE_SSL_CONNECT_ERROR, POP3CHECK_E_TLS},
    {CURLE_USE_SSL_FAILED, POP3CHECK_E_TLS},
    {CURLE_SSL_CERTPROBLEM, POP3CHECK_E_TLS},
    {CURLE_SSL_CIPHER, POP3CHECK_E_TLS},
    {CURLE_SSL_SHUTDOWN_FAILED, POP3CHECK_E_TLS},
    {CURLE_SSL_CACERT_BADFILE, POP3CHECK_E_TLS},
    {CURLE_PEER_FAILED_VERIFICATION, POP3CHECK_E_CERTIFICATE},
    {CURLE_SSL_ISSUER_ERROR, POP3CHECK_E_CERTIFICATE},
    {CURLE_SSL_PINNEDPUBKEYNOTMATCH, POP3CHECK_E_CERTIFICATE},
    {CURLE_SSL_INVALIDCERTSTATUS, POP3CHECK_E_CERTIFICATE},
    {CURLE_WEIRD_SERVER_REPLY, POP3CHECK_E_PROTOCOL},
    {CURLE_RECV_ERROR, POP3CHECK_E_PROTOCOL},
    {CURLE_SEND_ERROR, POP3CHECK_E_PROTOCOL},
    {CURLE_GOT_NOTHING, POP3CHECK_E_PROTOCOL},
    {CURLE_LOGIN_DENIED, POP3CHECK_E_AUTH},
};

enum pop3check_error p3_error_from_curl(int curlcode)
{
    for (size_t i = 0; i < COUNT(curl_map); i++)
        if ((int)curl_map[i].code == curlcode)
            return curl_map[i].kind;
    return POP3CHECK_E_INTERNAL;
}
