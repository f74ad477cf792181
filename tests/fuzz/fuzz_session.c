/* SPDX-License-Identifier: MIT */
/* fuzz_session.c - libFuzzer target: the whole dialog from the login on
 * (session.c, auth.c, body.c) against whatever a hostile server sends,
 * cut into pieces of any size. The first two bytes choose the settings
 * (mechanism, commands, the age and first sightings, a round trip's poll)
 * and what the connect phase
 * learnt (CAPA, SASL, APOP). Whatever happens, the password never reaches a
 * text that people read, and the session ends. */
#include <stdint.h>
#include <string.h>

#include "mailpoll.h"
#include "seen.h"
#include "session.h"

#define SECRET "fuzz-Secret-7"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void no_secret(const char *text)
{
    if (strstr(text, SECRET) != NULL)
        __builtin_trap();
}

static void trace(void *ctx, enum pop3check_trace_dir dir, const char *line,
                  size_t len)
{
    char copy[P3_LINE_MAX + 64];

    (void)ctx;
    (void)dir;
    if (len >= sizeof copy)
        __builtin_trap();
    memcpy(copy, line, len);
    copy[len] = '\0';
    no_secret(copy);
}

/* The first two bytes: what the options ask for and what the connect
 * phase learnt. */
static void configure(const uint8_t *data, struct pop3check_result *r,
                      struct p3_sess_config *cfg)
{
    p3_result_init(r);
    r->capa = POP3CHECK_CAPA_KNOWN | POP3CHECK_CAPA_USER |
              (data[1] & 1u ? POP3CHECK_CAPA_APOP : 0) |
              (data[1] & 2u ? POP3CHECK_CAPA_SASL : 0) |
              (data[1] & 4u ? POP3CHECK_CAPA_RESP_CODES : 0);
    r->sasl = (data[1] >> 3) & 7u;
    memset(cfg, 0, sizeof *cfg);
    cfg->user = data[0] & 0x80 ? NULL : "fuzzuser";
    cfg->password = SECRET;
    cfg->auth = (enum pop3check_auth)(data[0] % 6);
    cfg->list = data[0] & 0x08;
    cfg->uidl = data[0] & 0x10;
    cfg->top = data[0] & 0x20 ? POP3CHECK_MSG_FIRST : POP3CHECK_MSG_NONE;
    cfg->retr = data[0] & 0x40 ? POP3CHECK_MSG_LAST : POP3CHECK_MSG_NONE;
    cfg->trace = trace;
    /* bit 0x80 of the second byte: the age (TOP n 0 of every message,
     * Received:/Date:), and first sightings by UIDL */
    cfg->age = data[1] & 0x80 ? 1 : 0;
    cfg->age_scan = 10;
    cfg->wall_s = 1800000000;
}

/* A round trip's poll (bit 0x40 of the second byte): UIDL, TOP n 0 with
 * headers read for identifiers, DELE of what verifies. */
static struct p3_poll *poll_of(const uint8_t *data, struct p3_poll *pl)
{
    if (!(data[1] & 0x40))
        return NULL;
    memset(pl, 0, sizeof *pl);
    memcpy(pl->check, "fuzz@check", sizeof "fuzz@check");
    memcpy(pl->key, "0123456789abcdef", 16);
    pl->keylen = 16;
    pl->wall_ms = 1800000000000;
    pl->seen = p3_uidset_new();
    return pl->seen ? pl : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pop3check_result r;
    struct p3_sess_config cfg;
    struct p3_session *s;
    enum p3_sess_rc rc;
    int64_t now = 1000;
    unsigned steps = 0;

    struct p3_poll pl;

    if (size < 2)
        return 0;
    configure(data, &r, &cfg);
    cfg.poll = poll_of(data, &pl);
    if (cfg.age && cfg.poll == NULL && (cfg.seen = p3_seen_new()) == NULL)
        return 0;
    s = p3_sess_new(&cfg, &r,
                    data[1] & 1u ? "<1896.697170952@dbc.mtview.ca.us>" : "", 0);
    if (s == NULL) {
        p3_seen_free(cfg.seen);
        return 0;
    }
    data += 2;
    size -= 2;
    rc = p3_sess_start(s, now);
    while (rc == P3_SESS_CONTINUE && size > 0) {
        const char *out;
        size_t n = p3_sess_pending(s, &out);
        size_t chunk = 1 + data[0] % 97;

        p3_sess_sent(s, n);
        data++;
        size--;
        if (chunk > size)
            chunk = size;
        if (chunk == 0)
            break;
        rc = p3_sess_input(s, (const char *)data, chunk, ++now);
        data += chunk;
        size -= chunk;
        if (++steps > 100000)
            __builtin_trap(); /* bounded by the input */
    }
    if (rc == P3_SESS_CONTINUE)
        rc = p3_sess_input(s, "", 0, ++now); /* the server hangs up */
    if (rc == P3_SESS_CONTINUE)
        __builtin_trap(); /* end of input must end the session */
    /* Every text of the result, as the front ends read them. */
    for (int t = POP3CHECK_TEXT_ERROR; t <= POP3CHECK_TEXT_AGE; t++)
        no_secret(pop3check_result_text(&r, (enum pop3check_text)t));
    if (strlen(r.error_text) >= sizeof r.error_text ||
        strlen(r.server_text) >= sizeof r.server_text)
        __builtin_trap();
    /* No identifier verifies without the key, so nothing may be deleted,
     * and a failed session commits nothing. */
    if (cfg.poll != NULL && (pl.dele_mine + pl.dele_stale != 0 ||
                             (pl.committed && r.error != POP3CHECK_E_OK)))
        __builtin_trap();
    /* An age is never negative; only messages read can be undated. */
    if (r.oldest_age < -1 || r.newest_age < -1 || r.age_undated > r.age_read ||
        (r.oldest_age >= 0 && r.newest_age > r.oldest_age))
        __builtin_trap();
    p3_sess_free(s);
    p3_seen_free(cfg.seen);
    if (cfg.poll != NULL)
        p3_uidset_free(pl.seen);
    return 0;
}
