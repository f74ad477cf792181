/* SPDX-License-Identifier: MIT */
/* names.c - names of the public enums and flags, generated from the
 * X-macro lists of pop3check.h, the capability words of RFC 2449 (one
 * table for the CAPA parser and the front ends), and the version. */
#include <string.h>
#include <strings.h>

#include "internal.h"

/* Each list must name exactly the values its _KNOWN macro counts, 0 up:
 * a value added to the list without the macro (or with a gap) fails
 * here. */
#define X_ERR_NAME(e, v, name, msg) [v] = name,
#define X_ERR_MSG(e, v, name, msg)  [v] = msg,
#define X_ERR_SUM(e, v, name, msg)  +v
static const char *const error_names[] = {POP3CHECK_ERRORS(X_ERR_NAME)};
static const char *const error_msgs[] = {POP3CHECK_ERRORS(X_ERR_MSG)};
_Static_assert(P3_COUNT(error_names) == POP3CHECK_E_KNOWN &&
                   0 POP3CHECK_ERRORS(X_ERR_SUM) ==
                       POP3CHECK_E_KNOWN * (POP3CHECK_E_KNOWN - 1) / 2,
               "POP3CHECK_ERRORS must number 0 .. POP3CHECK_E_KNOWN - 1");

#define X_PHASE_NAME(e, v, name) [v] = name,
#define X_PHASE_SUM(e, v, name)  +v
static const char *const phase_names[] = {POP3CHECK_PHASES(X_PHASE_NAME)};
_Static_assert(P3_COUNT(phase_names) == POP3CHECK_PHASE_KNOWN &&
                   0 POP3CHECK_PHASES(X_PHASE_SUM) ==
                       POP3CHECK_PHASE_KNOWN * (POP3CHECK_PHASE_KNOWN - 1) / 2,
               "POP3CHECK_PHASES must number 0 .. POP3CHECK_PHASE_KNOWN - 1");

static const char *const rcode_names[] = {
    [POP3CHECK_RCODE_NONE] = "",
    [POP3CHECK_RCODE_AUTH] = "AUTH",
    [POP3CHECK_RCODE_SYS_TEMP] = "SYS/TEMP",
    [POP3CHECK_RCODE_SYS_PERM] = "SYS/PERM",
    [POP3CHECK_RCODE_IN_USE] = "IN-USE",
    [POP3CHECK_RCODE_LOGIN_DELAY] = "LOGIN-DELAY",
    [POP3CHECK_RCODE_OTHER] = "OTHER",
};
static const char *const tls_names[] = {
    [POP3CHECK_TLS_NONE] = "none",
    [POP3CHECK_TLS_STLS] = "stls",
    [POP3CHECK_TLS_IMPLICIT] = "implicit",
    [POP3CHECK_TLS_TRY] = "try",
};
static const char *const auth_names[] = {
    [POP3CHECK_AUTH_ANY] = "any",
    [POP3CHECK_AUTH_USER] = "user",
    [POP3CHECK_AUTH_APOP] = "apop",
    [POP3CHECK_AUTH_PLAIN] = "plain",
    [POP3CHECK_AUTH_LOGIN] = "login",
    [POP3CHECK_AUTH_CRAM_MD5] = "cram-md5",
    [POP3CHECK_AUTH_SCRAM_SHA_1] = "scram-sha-1",
    [POP3CHECK_AUTH_SCRAM_SHA_256] = "scram-sha-256",
    [POP3CHECK_AUTH_XOAUTH2] = "xoauth2",
    [POP3CHECK_AUTH_OAUTHBEARER] = "oauthbearer",
    [POP3CHECK_AUTH_SCRAM_SHA_1_PLUS] = "scram-sha-1-plus",
    [POP3CHECK_AUTH_SCRAM_SHA_256_PLUS] = "scram-sha-256-plus",
};
static const char *const state_names[] = {
    [POP3CHECK_STATE_OK] = "OK",
    [POP3CHECK_STATE_WARNING] = "WARNING",
    [POP3CHECK_STATE_CRITICAL] = "CRITICAL",
    [POP3CHECK_STATE_UNKNOWN] = "UNKNOWN",
};

struct flag_word {
    unsigned flag;
    const char *word;
};

/* CAPA keywords (RFC 2449, 2595, 3206); APOP is the greeting's. */
static const struct flag_word capa_words[] = {
    {POP3CHECK_CAPA_STLS, "STLS"},
    {POP3CHECK_CAPA_USER, "USER"},
    {POP3CHECK_CAPA_TOP, "TOP"},
    {POP3CHECK_CAPA_UIDL, "UIDL"},
    {POP3CHECK_CAPA_PIPELINING, "PIPELINING"},
    {POP3CHECK_CAPA_RESP_CODES, "RESP-CODES"},
    {POP3CHECK_CAPA_LOGIN_DELAY, "LOGIN-DELAY"},
    {POP3CHECK_CAPA_SASL, "SASL"},
    {POP3CHECK_CAPA_APOP, "APOP"},
    {POP3CHECK_CAPA_AUTH_RESP_CODE, "AUTH-RESP-CODE"},
};

static const struct flag_word sasl_words[] = {
    {POP3CHECK_SASL_PLAIN, "PLAIN"},
    {POP3CHECK_SASL_LOGIN, "LOGIN"},
    {POP3CHECK_SASL_CRAM_MD5, "CRAM-MD5"},
    {POP3CHECK_SASL_SCRAM_SHA_1, "SCRAM-SHA-1"},
    {POP3CHECK_SASL_SCRAM_SHA_256, "SCRAM-SHA-256"},
    {POP3CHECK_SASL_SCRAM_SHA_1_PLUS, "SCRAM-SHA-1-PLUS"},
    {POP3CHECK_SASL_SCRAM_SHA_256_PLUS, "SCRAM-SHA-256-PLUS"},
    {POP3CHECK_SASL_XOAUTH2, "XOAUTH2"},
    {POP3CHECK_SASL_OAUTHBEARER, "OAUTHBEARER"},
};

static const char *name_of(const char *const *names, size_t n, unsigned v)
{
    return v < n ? names[v] : NULL;
}

static int index_of(const char *const *names, size_t n, const char *name)
{
    if (name == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (names[i] != NULL && strcasecmp(names[i], name) == 0)
            return (int)i;
    return -1;
}

int pop3check_error_count(void)
{
    return POP3CHECK_E_KNOWN;
}

const char *pop3check_error_name(enum pop3check_error e)
{
    const char *s = name_of(error_names, P3_COUNT(error_names), (unsigned)e);
    return s ? s : error_names[POP3CHECK_E_INTERNAL];
}

const char *pop3check_error_message(enum pop3check_error e)
{
    const char *s = name_of(error_msgs, P3_COUNT(error_msgs), (unsigned)e);
    return s ? s : error_msgs[POP3CHECK_E_INTERNAL];
}

int pop3check_phase_count(void)
{
    return POP3CHECK_PHASE_KNOWN;
}

const char *pop3check_phase_name(enum pop3check_phase p)
{
    return name_of(phase_names, P3_COUNT(phase_names), (unsigned)p);
}

int pop3check_phase_from_name(const char *name)
{
    return index_of(phase_names, P3_COUNT(phase_names), name);
}

const char *pop3check_rcode_name(enum pop3check_rcode c)
{
    const char *s = name_of(rcode_names, P3_COUNT(rcode_names), (unsigned)c);
    return s ? s : "";
}

const char *pop3check_tls_name(enum pop3check_tls t)
{
    return name_of(tls_names, P3_COUNT(tls_names), (unsigned)t);
}

int pop3check_tls_from_name(const char *name)
{
    return index_of(tls_names, P3_COUNT(tls_names), name);
}

const char *pop3check_auth_name(enum pop3check_auth a)
{
    return name_of(auth_names, P3_COUNT(auth_names), (unsigned)a);
}

int pop3check_auth_from_name(const char *name)
{
    return index_of(auth_names, P3_COUNT(auth_names), name);
}

const char *pop3check_state_name(enum pop3check_state s)
{
    const char *n = name_of(state_names, P3_COUNT(state_names), (unsigned)s);
    return n ? n : "UNKNOWN";
}

int pop3check_state_from_name(const char *name)
{
    return index_of(state_names, P3_COUNT(state_names), name);
}

static const char *word_of(const struct flag_word *t, size_t n, unsigned flag)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].flag == flag)
            return t[i].word;
    return NULL;
}

static unsigned flag_of(const struct flag_word *t, size_t n, const char *w,
                        size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (p3_word_eq(w, len, t[i].word))
            return t[i].flag;
    return 0;
}

const char *pop3check_capa_name(unsigned flag)
{
    if (flag == POP3CHECK_CAPA_KNOWN)
        return "CAPA";
    return word_of(capa_words, P3_COUNT(capa_words), flag);
}

const char *pop3check_sasl_name(unsigned flag)
{
    return word_of(sasl_words, P3_COUNT(sasl_words), flag);
}

unsigned p3_capa_flag(const char *word, size_t len)
{
    unsigned f = flag_of(capa_words, P3_COUNT(capa_words), word, len);

    return f == POP3CHECK_CAPA_APOP ? 0 : f; /* never a CAPA line */
}

unsigned p3_sasl_flag(const char *word, size_t len)
{
    return flag_of(sasl_words, P3_COUNT(sasl_words), word, len);
}

const char *pop3check_version(void)
{
    return POP3CHECK_VERSION;
}

unsigned pop3check_version_num(void)
{
    return POP3CHECK_VERSION_NUM;
}
