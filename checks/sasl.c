/* SPDX-License-Identifier: MIT */
/* sasl.c - the SASL exchanges of more than one round over POP3 AUTH (RFC
 * 5034) that auth.c hands over: SCRAM-SHA-1 and SCRAM-SHA-256 (scram.c
 * does the arithmetic), XOAUTH2 and OAUTHBEARER (bearer.c). A step that
 * fails cancels the exchange with "*" and leaves with QUIT once the
 * server has answered. */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bearer.h"
#include "scram.h"
#include "sess.h"
#include "tokstore.h"

/* RFC 5034 section 4: an AUTH command line is at most 255 octets; a
 * longer initial response goes in its own line after "+ ". */
#define AUTH_LINE_MAX 255

void p3_sess_scram_free(struct p3_session *s)
{
    if (s->scram == NULL)
        return;
    explicit_bzero(s->scram, sizeof *s->scram);
    free(s->scram);
    s->scram = NULL;
}

/* Fails with kind e and text, and cancels the exchange. */
static enum p3_sess_rc cancel(struct p3_session *s, enum pop3check_error e,
                              const char *text, int64_t now)
{
    p3_sess_fail(s, e, text, now);
    p3_sess_send(s, "*", NULL);
    s->step = P3_S_SASL_CANCEL;
    return P3_SESS_CONTINUE;
}

static int scram_plus(const struct p3_session *s)
{
    return s->r->auth_used == POP3CHECK_AUTH_SCRAM_SHA_1_PLUS ||
           s->r->auth_used == POP3CHECK_AUTH_SCRAM_SHA_256_PLUS;
}

static const char *scram_name(const struct p3_session *s)
{
    if (s->scram->hash == P3_HASH_SHA1)
        return scram_plus(s) ? "SCRAM-SHA-1-PLUS" : "SCRAM-SHA-1";
    return scram_plus(s) ? "SCRAM-SHA-256-PLUS" : "SCRAM-SHA-256";
}

/* The GS2 flag (RFC 5802 section 6): "p" for a -PLUS mechanism. Without
 * one, "y" when the channel could be bound but the server's CAPA offers
 * no -PLUS of this hash (a server that can bind then sees that the offer
 * was stripped on the way); "n" on plain text, without a CAPA, or when
 * the server offers -PLUS and this login does not bind (forced, or "any"
 * over TLS 1.2: auth.c). */
static enum p3_gs2_flag gs2_flag(const struct p3_session *s)
{
    const struct p3_chanbind *cb = s->cfg.chanbind;
    unsigned plus = s->scram->hash == P3_HASH_SHA1
                        ? POP3CHECK_SASL_SCRAM_SHA_1_PLUS
                        : POP3CHECK_SASL_SCRAM_SHA_256_PLUS;

    if (scram_plus(s))
        return P3_GS2_P;
    if (cb == NULL || cb->type[0] == '\0' ||
        !(s->r->capa & POP3CHECK_CAPA_KNOWN) || (s->r->sasl & plus))
        return P3_GS2_N;
    return P3_GS2_Y;
}

/* Decodes a "+ " challenge into out (NUL-terminated): its length, or -1
 * after cancelling with a protocol error. */
static long decode(struct p3_session *s, const char *what, const char *text,
                   size_t len, char *out, size_t outlen, int64_t now)
{
    char why[160];
    size_t n = p3_base64_decode(text, len, (unsigned char *)out, outlen - 1);

    if (n == (size_t)-1) {
        p3_format(why, sizeof why,
                  "%s: the server's %s is not base64 (or "
                  "longer than %d bytes)",
                  scram_name(s), what, P3_SCRAM_MSG_MAX);
        cancel(s, POP3CHECK_E_PROTOCOL, why, now);
        return -1;
    }
    out[n] = '\0';
    return (long)n;
}

static enum p3_sess_rc send_client_first(struct p3_session *s, int64_t now)
{
    char msg[P3_SCRAM_MSG_MAX], why[160];
    const char *mech = scram_name(s);
    char cmd[sizeof s->out - 2];
    int n = p3_scram_client_first(s->scram, s->scram->hash, gs2_flag(s),
                                  s->cfg.chanbind, s->cfg.user, NULL, msg,
                                  sizeof msg, why, sizeof why);
    size_t b64len = ((size_t)n + 2) / 3 * 4;

    if (n < 0) {
        p3_sess_fail(s, POP3CHECK_E_AUTH, why, now);
        return p3_sess_quit(s, now);
    }
    if (s->step == P3_S_START &&
        strlen("AUTH ") + strlen(mech) + 1 + b64len > AUTH_LINE_MAX) {
        p3_format(cmd, sizeof cmd, "AUTH %s", mech);
        p3_sess_send(s, cmd, NULL);
        s->step = P3_S_SCRAM_START;
        return P3_SESS_CONTINUE;
    }
    /* SCRAM messages are short enough for out: never allocates */
    p3_format(cmd, sizeof cmd, "AUTH %s ", mech);
    (void)p3_sess_send_base64(s, s->step == P3_S_START ? cmd : NULL, msg,
                              (size_t)n, NULL);
    s->step = P3_S_SCRAM_FIRST;
    return P3_SESS_CONTINUE;
}

/* Cyrus 3.6 (cyrus-sasl 2.1.28) offers SCRAM-SHA-*-PLUS over TLS 1.3 and
 * refuses the tls-exporter binding after the client's final message
 * ("-ERR [AUTH] authenticating: bad protocol / cancel"), though the
 * password is right: "any" would report a good mailbox CRITICAL. So when
 * "any" chose -PLUS and the server says -ERR, the same SCRAM follows in
 * the same session without binding (gs2 flag "n": the server offered
 * -PLUS, so "y" would be taken as a downgrade), only over a verified TLS
 * channel (with --insecure the binding is what stands against a relay).
 * The auth phase counts both tries; the trace says why. */
int p3_sess_scram_unbound(struct p3_session *s, const char *text, size_t len,
                          enum p3_sess_rc *rc, int64_t now)
{
    char clean[160], note[300];
    int sha1 = s->r->auth_used == POP3CHECK_AUTH_SCRAM_SHA_1_PLUS;
    unsigned plain =
        sha1 ? POP3CHECK_SASL_SCRAM_SHA_1 : POP3CHECK_SASL_SCRAM_SHA_256;

    if (s->cfg.auth != POP3CHECK_AUTH_ANY || !scram_plus(s) ||
        s->unbound_retry || s->cfg.tls_unverified || !(s->r->sasl & plain))
        return 0;
    p3_sanitise(clean, sizeof clean, text, len, s->secret);
    p3_format(note, sizeof note,
              "%s refused (-ERR %s): the server may not take the %s "
              "binding; SCRAM-SHA-%s again, unbound",
              scram_name(s), clean,
              s->cfg.chanbind != NULL ? s->cfg.chanbind->type : "",
              sha1 ? "1" : "256");
    p3_sess_trace(s, POP3CHECK_TRACE_INFO, note, strlen(note));
    s->unbound_retry = 1;
    /* The probe's next runs log in unbound at once, whatever this try
     * gives: with a wrong password each run would otherwise pay two of
     * the server's failure delays (3 s each at Cyrus), past a scrape's
     * timeout, and report a timeout where the password is wrong. */
    if (s->cfg.plus_refused != NULL)
        *s->cfg.plus_refused = 1;
    p3_sess_scram_free(s);
    s->r->auth_used =
        sha1 ? POP3CHECK_AUTH_SCRAM_SHA_1 : POP3CHECK_AUTH_SCRAM_SHA_256;
    s->step = P3_S_START;
    *rc = p3_sess_scram_start(s, sha1 ? P3_HASH_SHA1 : P3_HASH_SHA256, 0, now);
    return 1;
}

enum p3_sess_rc p3_sess_scram_start(struct p3_session *s, enum p3_hash hash,
                                    int plus, int64_t now)
{
    const struct p3_chanbind *cb = s->cfg.chanbind;

    if (plus && (cb == NULL || cb->type[0] == '\0')) {
        char why[300];
        p3_format(why, sizeof why,
                  "SCRAM-SHA-%s-PLUS binds the login to the TLS channel, "
                  "and there is none to bind: %s",
                  hash == P3_HASH_SHA1 ? "1" : "256",
                  cb != NULL && s->cfg.chanbind_why != NULL
                      ? s->cfg.chanbind_why
                      : "no channel binding data");
        p3_sess_fail(s, POP3CHECK_E_AUTH, why, now);
        return p3_sess_quit(s, now);
    }
    s->scram = p3_calloc(1, sizeof *s->scram);
    if (s->scram == NULL) {
        p3_sess_fail(s, POP3CHECK_E_INTERNAL, "out of memory", now);
        return p3_sess_quit(s, now);
    }
    s->scram->hash = hash;
    return send_client_first(s, now);
}

static enum p3_sess_rc server_first(struct p3_session *s, const char *text,
                                    size_t len, int64_t now)
{
    char msg[P3_SCRAM_MSG_MAX + 1], out[P3_SCRAM_MSG_MAX], why[300];
    char note[160];
    struct p3_scram_keys *keys = s->cfg.scram_keys;
    int cached;
    long n = decode(s, "server-first message", text, len, msg, sizeof msg, now);
    enum p3_scram_rc rc;
    int k;

    if (n < 0)
        return P3_SESS_CONTINUE;
    rc = p3_scram_server_first(s->scram, msg, (size_t)n, why, sizeof why);
    if (rc != P3_SCRAM_OK)
        return cancel(
            s, rc == P3_SCRAM_AUTH ? POP3CHECK_E_AUTH : POP3CHECK_E_PROTOCOL,
            why, now);
    cached = keys != NULL && p3_scram_keys_fit(keys, s->scram);
    if (keys != NULL && !cached) { /* another probe's of the same options */
        struct p3_scram_keys shared;
        if (p3_tokstore_keys_get(s->cfg.store, &shared) &&
            p3_scram_keys_fit(&shared, s->scram)) {
            *keys = shared;
            cached = 1;
        }
        explicit_bzero(&shared, sizeof shared);
    }
    p3_format(note, sizeof note, "%s: %u iterations, keys %s, %s%s",
              scram_name(s), s->scram->iterations,
              cached ? "kept from an earlier login" : "derived now",
              s->scram->flag == P3_GS2_P ? "channel bound with "
              : s->scram->flag == P3_GS2_Y
                  ? "channel not bound (GS2 flag y: the server offers no -PLUS)"
                  : "channel not bound (GS2 flag n)",
              s->scram->flag == P3_GS2_P ? s->scram->cb.type : "");
    p3_sess_trace(s, POP3CHECK_TRACE_INFO, note, strlen(note));
    k = p3_scram_client_final(s->scram, s->cfg.password, keys, out, sizeof out,
                              why, sizeof why);
    if (k < 0)
        return cancel(s, POP3CHECK_E_AUTH, why, now);
    (void)p3_sess_send_base64(s, NULL, out, (size_t)k, "********");
    explicit_bzero(out, sizeof out);
    s->step = P3_S_SCRAM_FINAL;
    return P3_SESS_CONTINUE;
}

static enum p3_sess_rc server_final(struct p3_session *s, const char *text,
                                    size_t len, int64_t now)
{
    char msg[P3_SCRAM_MSG_MAX + 1], why[300];
    long n = decode(s, "server-final message", text, len, msg, sizeof msg, now);
    enum p3_scram_rc rc;

    if (n < 0)
        return P3_SESS_CONTINUE;
    rc = p3_scram_server_final(s->scram, msg, (size_t)n, why, sizeof why);
    if (rc != P3_SCRAM_OK) {
        /* keys that did not verify are not kept */
        if (s->cfg.scram_keys != NULL)
            explicit_bzero(s->cfg.scram_keys, sizeof *s->cfg.scram_keys);
        p3_tokstore_keys_put(s->cfg.store, NULL);
        return cancel(
            s, rc == P3_SCRAM_AUTH ? POP3CHECK_E_AUTH : POP3CHECK_E_PROTOCOL,
            why, now);
    }
    p3_tokstore_keys_put(s->cfg.store, s->cfg.scram_keys); /* verified */
    p3_sess_send(s, "", NULL); /* RFC 5034: the empty response */
    s->step = P3_S_SCRAM_DONE;
    return P3_SESS_CONTINUE;
}

enum p3_sess_rc p3_sess_scram_continue(struct p3_session *s, const char *text,
                                       size_t len, int64_t now)
{
    switch (s->step) {
    case P3_S_SCRAM_START:
        return send_client_first(s, now);
    case P3_S_SCRAM_FIRST:
        return server_first(s, text, len, now);
    case P3_S_SCRAM_FINAL:
        return server_final(s, text, len, now);
    default:
        return p3_sess_bad_reply(s, scram_name(s), text, len, now);
    }
}

enum p3_sess_rc p3_sess_scram_ok(struct p3_session *s, int64_t now)
{
    char why[160];

    /* +OK before the server-final message: logged in, by a server that
     * has not shown it knows the password */
    p3_format(why, sizeof why,
              "%s: the server said +OK without proving it "
              "knows the password (no server signature)",
              scram_name(s));
    if (s->cfg.scram_keys != NULL)
        explicit_bzero(s->cfg.scram_keys, sizeof *s->cfg.scram_keys);
    p3_tokstore_keys_put(s->cfg.store, NULL);
    p3_sess_fail(s, POP3CHECK_E_AUTH, why, now);
    return p3_sess_quit(s, now);
}

/* ---- XOAUTH2 and OAUTHBEARER ---- */

static const char *bearer_name(const struct p3_session *s)
{
    return s->r->auth_used == POP3CHECK_AUTH_XOAUTH2 ? "XOAUTH2"
                                                     : "OAUTHBEARER";
}

/* The initial client response: on the AUTH line when that stays within
 * 255 octets, else after the server's "+ " (a long token, as Microsoft
 * 365's). */
static enum p3_sess_rc send_token(struct p3_session *s, int64_t now)
{
    const int initial = s->step == P3_S_START;
    char *msg = p3_malloc(P3_BEARER_MSG_MAX);
    char cmd[32], shown[48];
    long n = -1;
    int rc = -1;

    if (msg != NULL)
        n = p3_bearer_message((enum pop3check_auth)s->r->auth_used, s->cfg.user,
                              s->cfg.host, s->cfg.port, s->cfg.token, msg,
                              P3_BEARER_MSG_MAX);
    p3_format(cmd, sizeof cmd, "AUTH %s ", bearer_name(s));
    if (n >= 0 && initial &&
        strlen(cmd) + ((size_t)n + 2) / 3 * 4 > AUTH_LINE_MAX) {
        explicit_bzero(msg, (size_t)n);
        free(msg);
        cmd[strlen(cmd) - 1] = '\0';
        p3_sess_send(s, cmd, NULL);
        s->step = P3_S_BEARER_START;
        return P3_SESS_CONTINUE;
    }
    p3_format(shown, sizeof shown, "%s********", initial ? cmd : "");
    if (n >= 0)
        rc =
            p3_sess_send_base64(s, initial ? cmd : NULL, msg, (size_t)n, shown);
    if (msg != NULL) {
        explicit_bzero(msg, P3_BEARER_MSG_MAX);
        free(msg);
    }
    if (rc != 0) {
        p3_sess_fail(s, POP3CHECK_E_INTERNAL, "out of memory", now);
        return p3_sess_quit(s, now);
    }
    s->step = P3_S_BEARER_SENT;
    return P3_SESS_CONTINUE;
}

enum p3_sess_rc p3_sess_bearer_start(struct p3_session *s, int64_t now)
{
    return send_token(s, now);
}

/* RFC 7628 section 3.2.3: a refused token comes back as an error
 * challenge, which the client answers with a dummy response (^A; Google's
 * XOAUTH2 asks for an empty one) so that the server can say -ERR. */
static enum p3_sess_rc error_challenge(struct p3_session *s, const char *text,
                                       size_t len, int64_t now)
{
    char json[P3_BEARER_CHALLENGE_MAX + 1], why[120];
    size_t n =
        p3_base64_decode(text, len, (unsigned char *)json, sizeof json - 1);

    if (n == (size_t)-1) {
        p3_format(why, sizeof why,
                  "%s: the server's error challenge is not base64 (or "
                  "longer than %d bytes)",
                  bearer_name(s), P3_BEARER_CHALLENGE_MAX);
        return cancel(s, POP3CHECK_E_PROTOCOL, why, now);
    }
    p3_bearer_challenge(json, n, s->bearer_said, sizeof s->bearer_said);
    if (s->r->auth_used == POP3CHECK_AUTH_XOAUTH2)
        p3_sess_send(s, "", NULL);
    else
        p3_sess_send(s, "AQ==", NULL); /* base64 of ^A */
    s->step = P3_S_BEARER_ERROR;
    return P3_SESS_CONTINUE;
}

enum p3_sess_rc p3_sess_bearer_continue(struct p3_session *s, const char *text,
                                        size_t len, int64_t now)
{
    switch (s->step) {
    case P3_S_BEARER_START:
        return send_token(s, now);
    case P3_S_BEARER_SENT:
        return error_challenge(s, text, len, now);
    default:
        return p3_sess_bad_reply(s, bearer_name(s), text, len, now);
    }
}

enum p3_sess_rc p3_sess_bearer_ok(struct p3_session *s, int64_t now)
{
    char why[sizeof s->bearer_said + 80];

    p3_format(why, sizeof why,
              "%s: the server said +OK after refusing the token (%s)",
              bearer_name(s), s->bearer_said);
    p3_sess_fail(s, POP3CHECK_E_PROTOCOL, why, now);
    return p3_sess_quit(s, now);
}

enum p3_sess_rc p3_sess_bearer_refused(struct p3_session *s, const char *text,
                                       size_t len, int64_t now)
{
    char what[sizeof s->bearer_said + 40];

    if (s->bearer_said[0] != '\0')
        p3_format(what, sizeof what, "login failed (SASL %s: %s)",
                  bearer_name(s), s->bearer_said);
    else
        p3_format(what, sizeof what, "login failed (SASL %s)", bearer_name(s));
    return p3_sess_refused(s, POP3CHECK_E_AUTH, what, text, len, now);
}
