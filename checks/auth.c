/* SPDX-License-Identifier: MIT */
/* auth.c - logging in: USER/PASS and APOP (RFC 1939), SASL PLAIN, LOGIN
 * and CRAM-MD5 through AUTH (RFC 5034, 4616, 2195); SCRAM, XOAUTH2 and
 * OAUTHBEARER through sasl.c.
 * A mechanism the user forces is used or the probe fails; it never falls
 * back to another. */
#define _DEFAULT_SOURCE
#include <string.h>

#include "scram.h"
#include "sess.h"

static const struct {
    enum pop3check_auth mech;
    unsigned sasl;
    const char *label;
} mechs[] = {
    {POP3CHECK_AUTH_USER, 0, "USER/PASS"},
    {POP3CHECK_AUTH_APOP, 0, "APOP"},
    {POP3CHECK_AUTH_PLAIN, POP3CHECK_SASL_PLAIN, "SASL PLAIN"},
    {POP3CHECK_AUTH_LOGIN, POP3CHECK_SASL_LOGIN, "SASL LOGIN"},
    {POP3CHECK_AUTH_CRAM_MD5, POP3CHECK_SASL_CRAM_MD5, "SASL CRAM-MD5"},
    {POP3CHECK_AUTH_SCRAM_SHA_1, POP3CHECK_SASL_SCRAM_SHA_1,
     "SASL SCRAM-SHA-1"},
    {POP3CHECK_AUTH_SCRAM_SHA_256, POP3CHECK_SASL_SCRAM_SHA_256,
     "SASL SCRAM-SHA-256"},
    {POP3CHECK_AUTH_SCRAM_SHA_1_PLUS, POP3CHECK_SASL_SCRAM_SHA_1_PLUS,
     "SASL SCRAM-SHA-1-PLUS"},
    {POP3CHECK_AUTH_SCRAM_SHA_256_PLUS, POP3CHECK_SASL_SCRAM_SHA_256_PLUS,
     "SASL SCRAM-SHA-256-PLUS"},
    {POP3CHECK_AUTH_XOAUTH2, POP3CHECK_SASL_XOAUTH2, "SASL XOAUTH2"},
    {POP3CHECK_AUTH_OAUTHBEARER, POP3CHECK_SASL_OAUTHBEARER,
     "SASL OAUTHBEARER"},
};

static const char *label(int m)
{
    for (size_t i = 0; i < sizeof mechs / sizeof mechs[0]; i++)
        if ((int)mechs[i].mech == m)
            return mechs[i].label;
    return "?";
}

static unsigned sasl_flag(enum pop3check_auth m)
{
    for (size_t i = 0; i < sizeof mechs / sizeof mechs[0]; i++)
        if (mechs[i].mech == m)
            return mechs[i].sasl;
    return 0;
}

/* "any": with a token and no password, OAUTHBEARER (the standard) or
 * else XOAUTH2. With a password, SCRAM first (the password stays off the
 * wire and the server proves it knows it), then CRAM-MD5, which keeps it
 * off the wire too, then PLAIN and LOGIN, then APOP, and USER/PASS last.
 * SCRAM binds the channel (-PLUS) when the server offers it over TLS 1.3:
 * tls-exporter is the binding that RFC 9266 makes every such server
 * take; one that refuses it anyway (Cyrus 3.6) gets the same SCRAM
 * unbound in the same session, and from then on (sasl.c). Over TLS 1.2 servers
 * differ (Dovecot takes tls-unique only, others tls-server-end-point only), so
 * "any" logs in without binding there and a forced -PLUS mechanism uses
 * tls-server-end-point. */
static enum pop3check_auth choose_any(const struct p3_session *s)
{
    unsigned sasl = s->r->sasl;
    const struct p3_chanbind *cb = s->cfg.chanbind;
    int exporter = cb != NULL && strcmp(cb->type, "tls-exporter") == 0;

    if (s->cfg.password == NULL)
        return (sasl & POP3CHECK_SASL_OAUTHBEARER) ? POP3CHECK_AUTH_OAUTHBEARER
                                                   : POP3CHECK_AUTH_XOAUTH2;
    if (s->cfg.plus_refused != NULL && *s->cfg.plus_refused)
        exporter = 0; /* this server refused it before (sasl.c) */
    if (exporter && (sasl & POP3CHECK_SASL_SCRAM_SHA_256_PLUS))
        return POP3CHECK_AUTH_SCRAM_SHA_256_PLUS;
    if (sasl & POP3CHECK_SASL_SCRAM_SHA_256)
        return POP3CHECK_AUTH_SCRAM_SHA_256;
    if (exporter && (sasl & POP3CHECK_SASL_SCRAM_SHA_1_PLUS))
        return POP3CHECK_AUTH_SCRAM_SHA_1_PLUS;
    if (sasl & POP3CHECK_SASL_SCRAM_SHA_1)
        return POP3CHECK_AUTH_SCRAM_SHA_1;
    if (sasl & POP3CHECK_SASL_CRAM_MD5)
        return POP3CHECK_AUTH_CRAM_MD5;
    if (sasl & POP3CHECK_SASL_PLAIN)
        return POP3CHECK_AUTH_PLAIN;
    if (sasl & POP3CHECK_SASL_LOGIN)
        return POP3CHECK_AUTH_LOGIN;
    if (s->apop_ts[0] != '\0')
        return POP3CHECK_AUTH_APOP;
    return POP3CHECK_AUTH_USER;
}

/* Why the server cannot do m, or NULL if it can (or may: a server without
 * CAPA gets the benefit of the doubt). */
static const char *not_offered(const struct p3_session *s,
                               enum pop3check_auth m, char *buf, size_t len)
{
    int known = (s->r->capa & POP3CHECK_CAPA_KNOWN) != 0;

    if (m == POP3CHECK_AUTH_APOP && s->apop_ts[0] == '\0')
        return "the server does not offer APOP (no timestamp in its greeting)";
    if (m == POP3CHECK_AUTH_USER && known &&
        !(s->r->capa & POP3CHECK_CAPA_USER))
        return "the server does not offer USER/PASS (no USER in its CAPA)";
    if (sasl_flag(m) && known && !(s->r->sasl & sasl_flag(m))) {
        p3_format(buf, len, "the server does not offer %s (its CAPA lists: %s)",
                  label(m), s->r->capa_text[0] ? s->r->capa_text : "nothing");
        return buf;
    }
    return NULL;
}

static void start_user(struct p3_session *s, int64_t now)
{
    char cmd[P3_CRED_MAX + 8];

    p3_format(cmd, sizeof cmd, "USER %s", s->cfg.user);
    p3_sess_begin(s, POP3CHECK_PHASE_AUTH, P3_S_USER, now);
    p3_sess_send(s, cmd, NULL);
}

static void start_apop(struct p3_session *s, int64_t now)
{
    char buf[sizeof s->apop_ts + P3_CRED_MAX];
    unsigned char md[16];
    char hex[33];
    char cmd[P3_CRED_MAX + 48];
    char shown[P3_CRED_MAX + 24];

    p3_format(buf, sizeof buf, "%s%s", s->apop_ts, s->cfg.password);
    if (p3_digest(P3_HASH_MD5, buf, strlen(buf), md) != 0) {
        explicit_bzero(buf, sizeof buf);
        p3_sess_fail(s, POP3CHECK_E_INTERNAL, "libcrypto failed (MD5)", now);
        p3_sess_quit(s, now);
        return;
    }
    p3_hex(md, sizeof md, hex);
    p3_format(cmd, sizeof cmd, "APOP %s %s", s->cfg.user, hex);
    p3_format(shown, sizeof shown, "APOP %s ********", s->cfg.user);
    p3_sess_begin(s, POP3CHECK_PHASE_AUTH, P3_S_APOP, now);
    p3_sess_send(s, cmd, shown);
    explicit_bzero(buf, sizeof buf);
    explicit_bzero(cmd, sizeof cmd);
}

static void start_plain(struct p3_session *s, int64_t now)
{
    char raw[2 * P3_CRED_MAX + 2];
    size_t ul = strlen(s->cfg.user), pl = strlen(s->cfg.password);

    /* authzid (empty) NUL authcid NUL passwd, with the initial response */
    raw[0] = '\0';
    memcpy(raw + 1, s->cfg.user, ul);
    raw[1 + ul] = '\0';
    memcpy(raw + 2 + ul, s->cfg.password, pl);
    p3_sess_begin(s, POP3CHECK_PHASE_AUTH, P3_S_PLAIN, now);
    /* short enough for out: never allocates */
    (void)p3_sess_send_base64(s, "AUTH PLAIN ", raw, 2 + ul + pl,
                              "AUTH PLAIN ********");
    explicit_bzero(raw, sizeof raw);
}

/* A response of a password mechanism: always short enough for out. */
static void send_base64(struct p3_session *s, const char *data, size_t len,
                        const char *shown)
{
    (void)p3_sess_send_base64(s, NULL, data, len, shown);
}

/* The CRAM-MD5 response to a base64 challenge (RFC 2195). */
static enum p3_sess_rc cram_response(struct p3_session *s, const char *text,
                                     size_t len, int64_t now)
{
    unsigned char chal[512];
    unsigned char mac[16];
    char resp[P3_CRED_MAX + 40];
    char hex[33];
    size_t n = p3_base64_decode(text, len, chal, sizeof chal);

    if (n == (size_t)-1)
        return p3_sess_bad_reply(s, "AUTH CRAM-MD5 challenge", text, len, now);
    if (p3_hmac(P3_HASH_MD5, s->cfg.password, strlen(s->cfg.password), chal, n,
                mac) != 0) {
        p3_sess_fail(s, POP3CHECK_E_INTERNAL, "libcrypto failed (HMAC-MD5)",
                     now);
        return p3_sess_quit(s, now);
    }
    p3_hex(mac, sizeof mac, hex);
    p3_format(resp, sizeof resp, "%s %s", s->cfg.user, hex);
    send_base64(s, resp, strlen(resp), "********");
    explicit_bzero(resp, sizeof resp);
    s->step = P3_S_CRAM_DONE;
    return P3_SESS_CONTINUE;
}

enum p3_sess_rc p3_sess_auth_start(struct p3_session *s, int64_t now)
{
    enum pop3check_auth m = s->cfg.auth;
    char why[700];
    const char *no;

    if (m == POP3CHECK_AUTH_ANY)
        m = choose_any(s);
    s->r->auth_used = (int)m;
    p3_sess_begin(s, POP3CHECK_PHASE_AUTH, P3_S_START, now);
    no = not_offered(s, m, why, sizeof why);
    if (no != NULL) {
        p3_sess_fail(s, POP3CHECK_E_AUTH, no, now);
        return p3_sess_quit(s, now);
    }
    switch (m) {
    case POP3CHECK_AUTH_APOP:
        start_apop(s, now);
        break;
    case POP3CHECK_AUTH_PLAIN:
        start_plain(s, now);
        break;
    case POP3CHECK_AUTH_LOGIN:
        p3_sess_begin(s, POP3CHECK_PHASE_AUTH, P3_S_LOGIN_NAME, now);
        p3_sess_send(s, "AUTH LOGIN", NULL);
        break;
    case POP3CHECK_AUTH_CRAM_MD5:
        p3_sess_begin(s, POP3CHECK_PHASE_AUTH, P3_S_CRAM, now);
        p3_sess_send(s, "AUTH CRAM-MD5", NULL);
        break;
    case POP3CHECK_AUTH_SCRAM_SHA_1:
        return p3_sess_scram_start(s, P3_HASH_SHA1, 0, now);
    case POP3CHECK_AUTH_SCRAM_SHA_256:
        return p3_sess_scram_start(s, P3_HASH_SHA256, 0, now);
    case POP3CHECK_AUTH_SCRAM_SHA_1_PLUS:
        return p3_sess_scram_start(s, P3_HASH_SHA1, 1, now);
    case POP3CHECK_AUTH_SCRAM_SHA_256_PLUS:
        return p3_sess_scram_start(s, P3_HASH_SHA256, 1, now);
    case POP3CHECK_AUTH_XOAUTH2:
    case POP3CHECK_AUTH_OAUTHBEARER:
        return p3_sess_bearer_start(s, now);
    default:
        start_user(s, now);
        break;
    }
    return P3_SESS_CONTINUE;
}

static enum p3_sess_rc logged_in(struct p3_session *s, int64_t now)
{
    p3_sess_end_phase(s, now);
    s->r->logged_in = 1;
    s->step = P3_S_AUTHENTICATED;
    return P3_SESS_CONTINUE;
}

/* A "+ " continuation in a SASL exchange. */
static enum p3_sess_rc continuation(struct p3_session *s, const char *text,
                                    size_t len, int64_t now)
{
    switch (s->step) {
    case P3_S_LOGIN_NAME:
        send_base64(s, s->cfg.user, strlen(s->cfg.user), NULL);
        s->step = P3_S_LOGIN_PASS;
        return P3_SESS_CONTINUE;
    case P3_S_LOGIN_PASS:
        send_base64(s, s->cfg.password, strlen(s->cfg.password), "********");
        s->step = P3_S_LOGIN_DONE;
        return P3_SESS_CONTINUE;
    case P3_S_CRAM:
        return cram_response(s, text, len, now);
    case P3_S_SCRAM_START:
    case P3_S_SCRAM_FIRST:
    case P3_S_SCRAM_FINAL:
        return p3_sess_scram_continue(s, text, len, now);
    case P3_S_BEARER_START:
    case P3_S_BEARER_SENT:
        return p3_sess_bearer_continue(s, text, len, now);
    default:
        return p3_sess_bad_reply(s, label(s->r->auth_used), text, len, now);
    }
}

/* RFC 2449 section 8.1 and RFC 3206: a refused login whose response code
 * says the credentials are not the cause. IN-USE follows a successful
 * authentication (GNU Mailutils' pop3d sends it while another session
 * holds the maildrop): "login failed" alone would send an operator after
 * the password. */
static const char *not_the_credentials(enum pop3check_rcode code)
{
    switch (code) {
    case POP3CHECK_RCODE_IN_USE:
        return "the maildrop is locked by another session; the "
               "credentials were accepted";
    case POP3CHECK_RCODE_LOGIN_DELAY:
        return "too soon after the last login (LOGIN-DELAY)";
    case POP3CHECK_RCODE_SYS_TEMP:
        return "a temporary failure of the server, not the credentials";
    case POP3CHECK_RCODE_SYS_PERM:
        return "a failure of the server, not the credentials";
    default:
        return NULL;
    }
}

enum p3_sess_rc p3_sess_auth_reply(struct p3_session *s, const char *line,
                                   size_t len, int64_t now)
{
    const char *text, *why;
    size_t tlen;
    char what[160];
    enum p3_sess_rc rc;
    enum p3_status st = p3_reply_status(line, len, &text, &tlen);

    if (s->step == P3_S_SASL_CANCEL) /* failed already: any answer ends it */
        return p3_sess_quit(s, now);
    switch (st) {
    case P3_REPLY_ERR:
        if (s->step >= P3_S_BEARER_START && s->step <= P3_S_BEARER_ERROR)
            return p3_sess_bearer_refused(s, text, tlen, now);
        if (p3_sess_scram_unbound(s, text, tlen, &rc, now))
            return rc;
        why = not_the_credentials(p3_reply_rcode(text, tlen));
        p3_format(what, sizeof what, "login failed (%s%s%s)",
                  label(s->r->auth_used), why ? ": " : "", why ? why : "");
        return p3_sess_refused(s, POP3CHECK_E_AUTH, what, text, tlen, now);
    case P3_REPLY_CONT:
        return continuation(s, text, tlen, now);
    case P3_REPLY_OK:
        if (s->step == P3_S_USER) {
            char cmd[P3_CRED_MAX + 8];
            p3_format(cmd, sizeof cmd, "PASS %s", s->cfg.password);
            p3_sess_send(s, cmd, "PASS ********");
            explicit_bzero(cmd, sizeof cmd);
            s->step = P3_S_PASS;
            return P3_SESS_CONTINUE;
        }
        if (s->step == P3_S_PASS || s->step == P3_S_APOP ||
            s->step == P3_S_PLAIN || s->step == P3_S_LOGIN_DONE ||
            s->step == P3_S_CRAM_DONE)
            return logged_in(s, now);
        if (s->step == P3_S_SCRAM_DONE || s->step == P3_S_BEARER_SENT)
            return logged_in(s, now);
        if (s->step == P3_S_BEARER_ERROR)
            return p3_sess_bearer_ok(s, now);
        if (s->step == P3_S_SCRAM_FINAL)
            return p3_sess_scram_ok(s, now);
        /* +OK where a challenge was due */
        return p3_sess_bad_reply(s, label(s->r->auth_used), line, len, now);
    default:
        return p3_sess_bad_reply(s, label(s->r->auth_used), line, len, now);
    }
}
