/* SPDX-License-Identifier: MIT */
/* conn.c - libcurl's part of a probe (RFC 1939 greeting, RFC 2449 CAPA,
 * RFC 2595 STLS or implicit TLS), run in CONNECT_ONLY mode without
 * credentials: timings of resolve, connect, TLS, greeting, CAPA and STLS,
 * the certificate's expiry, what a failure there means; then
 * curl_easy_send/recv for the dialog. Everything that depends on how
 * libcurl behaves is here, in tracker.c and in curlm.c. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "conn.h"

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
#if LIBCURL_VERSION_NUM >= 0x080600
    /* 8.6.0 and later: a server line longer than libcurl takes (a 1 MB
     * greeting); 7.88 answered that with CURLE_WEIRD_SERVER_REPLY. */
    {CURLE_TOO_LARGE, POP3CHECK_E_PROTOCOL},
#endif
};

static enum pop3check_error kind_of(CURLcode code)
{
    for (size_t i = 0; i < P3_COUNT(curl_map); i++)
        if (curl_map[i].code == code)
            return curl_map[i].kind;
    return POP3CHECK_E_INTERNAL;
}

/* ---- set-up ---- */

static void build_urls(struct p3_conn *c)
{
    const struct p3_opts *o = c->o;
    const char *scheme = o->tls == POP3CHECK_TLS_IMPLICIT ? "pop3s" : "pop3";
    unsigned port = (unsigned)p3_opts_port(o);
    int v6 = strchr(o->host, ':') != NULL;

    c->connect_to[0] = '\0';
    if (o->sni == NULL) {
        p3_format(c->url, sizeof c->url, "%s://%s%s%s:%u/", scheme,
                  v6 ? "[" : "", o->host, v6 ? "]" : "", port);
        return;
    }
    /* Connect to host, but name (SNI) and verify the server as sni. */
    p3_format(c->url, sizeof c->url, "%s://%s:%u/", scheme, o->sni, port);
    p3_format(c->connect_to, sizeof c->connect_to, "%s:%u:%s%s%s:%u", o->sni,
              port, v6 ? "[" : "", o->host, v6 ? "]" : "", port);
}

/* Tells the owner once, when libcurl's part stops running: later events
 * (libcurl closing the connection at the end, say) change nothing. */
static void wake(struct p3_conn *c, enum p3_conn_state st)
{
    if (c->state != P3_CONN_RUNNING)
        return;
    c->state = st;
    c->wake(c->wake_ctx);
}

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size,
                    void *ctx)
{
    struct p3_conn *c = ctx;
    int64_t now = p3_now_us();

    (void)h;
    if (c->o->tap != NULL)
        c->o->tap(c->o->tap_ctx, (int)type, data, size, now);
    p3_tracker_event(&c->trk, (int)type, data, size, now);
    /* libcurl fails on "-ERR" but waits for more on "220 ..." or garbage
     * (lines it does not take for a reply): the probe ends here. */
    if (c->trk.bad_greeting && c->state == P3_CONN_RUNNING)
        wake(c, P3_CONN_BAD_GREETING);
    return 0;
}

static void on_curl(void *ctx, enum p3_curl_event ev, int code)
{
    struct p3_conn *c = ctx;

    if (ev == P3_CURL_DONE && c->state == P3_CONN_RUNNING)
        c->code = code;
    wake(c, ev == P3_CURL_DONE ? P3_CONN_FINISHED : P3_CONN_BROKEN);
}

#define SET(opt, val)                                                          \
    do {                                                                       \
        if (curl_easy_setopt(c->easy, opt, val) != CURLE_OK)                   \
            return -1;                                                         \
    } while (0)

/* libcurl's SSL_CTX for this connection: SCRAM -PLUS needs the
 * handshake's binding data (tlsbind.h). */
static CURLcode on_ssl_ctx(CURL *h, void *ssl_ctx, void *ctx)
{
    struct p3_conn *c = ctx;

    (void)h;
    return p3_tlsbind_watch(ssl_ctx, &c->bind) == 0 ? CURLE_OK
                                                    : CURLE_SSL_CONNECT_ERROR;
}

static int setup_tls(struct p3_conn *c)
{
    const struct p3_opts *o = c->o;

    p3_format(c->bind.why, sizeof c->bind.why, "the connection is not TLS");
    if (o->tls == POP3CHECK_TLS_NONE)
        return 0;
    SET(CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
    SET(CURLOPT_SSL_CTX_DATA, c);
    SET(CURLOPT_CERTINFO, 1L);
    return p3_curlio_tls(
        c->easy, o->tls == POP3CHECK_TLS_STLS ? (long)CURLUSESSL_ALL : -1L,
        (int)o->insecure, o->cafile);
}

static int setup_easy(struct p3_conn *c)
{
    const struct p3_opts *o = c->o;

    if (p3_curlm_prepare(c->cm, c->easy, &c->pool) != 0 ||
        p3_curlio_setup(c->easy, c->url, "pop3,pop3s", o->ip_version,
                        p3_opts_timeout_ms(o), c->errbuf, on_debug, c) != 0)
        return -1;
    if (c->connect_to[0] != '\0') {
        c->connect_to_list = curl_slist_append(NULL, c->connect_to);
        if (c->connect_to_list == NULL)
            return -1;
        SET(CURLOPT_CONNECT_TO, c->connect_to_list);
    }
    return setup_tls(c);
}

int p3_conn_start(struct p3_conn *c, const struct p3_opts *o,
                  struct pop3check_result *r, struct p3_curlm *cm, int64_t t0,
                  void (*wake_fn)(void *ctx), void *ctx)
{
    memset(c, 0, sizeof *c);
    c->o = o;
    c->r = r;
    c->cm = cm;
    c->t0 = t0;
    c->wake = wake_fn;
    c->wake_ctx = ctx;
    c->owner = (struct p3_curl_owner){on_curl, c};
    p3_tracker_init(&c->trk, r, t0, o->trace, o->trace_ctx);
    build_urls(c);
    c->easy = curl_easy_init();
    if (c->easy == NULL || setup_easy(c) != 0) {
        p3_conn_end(c);
        return -1;
    }
    c->state = P3_CONN_RUNNING;
    if (p3_curlm_add(cm, c->easy, &c->owner) != 0) {
        p3_conn_end(c);
        return -1;
    }
    c->in_multi = 1;
    return 0;
}

void p3_conn_end(struct p3_conn *c)
{
    c->state = P3_CONN_IDLE; /* no wake-up from the cleanup below */
    if (c->in_multi)
        p3_curlm_remove(c->cm, c->easy);
    c->in_multi = 0;
    if (c->easy != NULL)
        curl_easy_cleanup(c->easy);
    c->easy = NULL;
    p3_curlm_release(c->pool);
    c->pool = NULL;
    curl_slist_free_all(c->connect_to_list);
    c->connect_to_list = NULL;
    c->state = P3_CONN_IDLE;
}

/* ---- what libcurl's part learnt ---- */

static int64_t info_us(CURL *h, CURLINFO what)
{
    curl_off_t v = 0;

    if (curl_easy_getinfo(h, what, &v) != CURLE_OK)
        return 0;
    return (int64_t)v;
}

static void set_phase(struct pop3check_result *r, enum pop3check_phase ph,
                      int64_t us)
{
    r->phase_us[ph] = us < 0 ? 0 : us;
}

/* The phase in progress at now, after the greeting. */
static enum pop3check_phase after_greeting(const struct p3_conn *c,
                                           int64_t *start)
{
    const struct p3_tracker *t = &c->trk;

    if (t->bad_greeting) {
        *start = t->greeting_at;
        return POP3CHECK_PHASE_GREETING;
    }
    switch (t->step) {
    case P3_TRK_CAPA:
        *start = t->cmd_at;
        return POP3CHECK_PHASE_CAPA;
    case P3_TRK_STLS:
        *start = t->cmd_at;
        return POP3CHECK_PHASE_STLS;
    case P3_TRK_HANDSHAKE:
        *start = t->tls_start;
        return POP3CHECK_PHASE_TLS;
    default:
        *start = t->greeting_at;
        return t->capa_us < 0 ? POP3CHECK_PHASE_CAPA : POP3CHECK_PHASE_STLS;
    }
}

static enum pop3check_phase connect_phases(struct p3_conn *c, int64_t now,
                                           int failing)
{
    struct pop3check_result *r = c->r;
    const struct p3_tracker *t = &c->trk;
    int implicit = c->o->tls == POP3CHECK_TLS_IMPLICIT;
    int64_t nl = info_us(c->easy, CURLINFO_NAMELOOKUP_TIME_T);
    int64_t conn = info_us(c->easy, CURLINFO_CONNECT_TIME_T);
    int64_t app = info_us(c->easy, CURLINFO_APPCONNECT_TIME_T);
    int64_t at = now - c->t0; /* relative times from here on */
    int64_t start;
    enum pop3check_phase ph;

    if (nl == 0) {
        set_phase(r, POP3CHECK_PHASE_RESOLVE, at);
        return POP3CHECK_PHASE_RESOLVE;
    }
    set_phase(r, POP3CHECK_PHASE_RESOLVE, nl);
    /* libcurl sets the connect time only once TLS is up, so a failed
     * implicit handshake would look like a slow connect without this. */
    if (conn == 0 && implicit && t->tls_first >= 0)
        conn = t->tls_first - c->t0;
    if (conn == 0) {
        set_phase(r, POP3CHECK_PHASE_CONNECT, at - nl);
        return POP3CHECK_PHASE_CONNECT;
    }
    set_phase(r, POP3CHECK_PHASE_CONNECT, conn - nl);
    if (implicit) {
        set_phase(r, POP3CHECK_PHASE_TLS, (app ? app : at) - conn);
        if (app == 0)
            return POP3CHECK_PHASE_TLS;
        conn = app;
    }
    if (t->greeting_at < 0) {
        set_phase(r, POP3CHECK_PHASE_GREETING, at - conn);
        return POP3CHECK_PHASE_GREETING;
    }
    set_phase(r, POP3CHECK_PHASE_GREETING, t->greeting_at - c->t0 - conn);
    if (t->capa_us >= 0)
        set_phase(r, POP3CHECK_PHASE_CAPA, t->capa_us);
    if (t->stls_us >= 0)
        set_phase(r, POP3CHECK_PHASE_STLS, t->stls_us);
    if (t->tls_end >= 0)
        set_phase(r, POP3CHECK_PHASE_TLS, t->tls_end - t->tls_start);
    ph = after_greeting(c, &start);
    if (failing && r->phase_us[ph] < 0)
        set_phase(r, ph, now - start);
    return ph;
}

/* "Nov 26 19:36:43 2027 GMT", as OpenSSL prints an ASN.1 time. */
static int64_t parse_cert_time(const char *s)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    struct tm tm = {0};
    char mon[4] = {0};
    const char *m;

    if (sscanf(s, "%3s %d %d:%d:%d %d", mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &tm.tm_year) != 6)
        return -1;
    m = strstr(months, mon);
    if (m == NULL || strlen(mon) != 3 || (m - months) % 3 != 0)
        return -1;
    tm.tm_mon = (int)((m - months) / 3);
    tm.tm_year -= 1900;
    return (int64_t)timegm(&tm);
}

static void read_certinfo(struct p3_conn *c)
{
    static const char key[] = "Expire date:";
    struct curl_certinfo *ci = NULL;

    if (curl_easy_getinfo(c->easy, CURLINFO_CERTINFO, &ci) != CURLE_OK ||
        ci == NULL)
        return;
    for (int i = 0; i < ci->num_of_certs; i++) {
        for (struct curl_slist *l = ci->certinfo[i]; l; l = l->next) {
            if (strncasecmp(l->data, key, sizeof key - 1) != 0)
                continue;
            int64_t t = parse_cert_time(l->data + sizeof key - 1);
            if (t >= 0 &&
                (c->r->cert_not_after < 0 || t < c->r->cert_not_after))
                c->r->cert_not_after = t;
        }
    }
}

static void read_peer(struct p3_conn *c)
{
    struct pop3check_result *r = c->r;
    char *ip = NULL;
    long port = 0;

    if (curl_easy_getinfo(c->easy, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK &&
        ip != NULL && ip[0] != '\0') {
        p3_format(r->peer_ip, sizeof r->peer_ip, "%s", ip);
        r->ip_version = strchr(ip, ':') ? 6 : 4;
    }
    if (curl_easy_getinfo(c->easy, CURLINFO_PRIMARY_PORT, &port) == CURLE_OK)
        r->peer_port = (unsigned)port;
}

/* The kind and the words of a failure inside libcurl's part. */
static int os_errno(struct p3_conn *c)
{
    long e = 0;

    return curl_easy_getinfo(c->easy, CURLINFO_OS_ERRNO, &e) == CURLE_OK
               ? (int)e
               : 0;
}

static void describe_failure(struct p3_conn *c, CURLcode code,
                             enum pop3check_phase ph)
{
    char buf[200];
    struct pop3check_result *r = c->r;
    const char *why = c->errbuf[0] ? c->errbuf : curl_easy_strerror(code);
    const char *line = c->trk.last_line;

    r->error = kind_of(code);
    r->failed_phase = ph;
    if (code == CURLE_COULDNT_CONNECT && os_errno(c) != 0) {
        p3_format(buf, sizeof buf, "%s (%s port %u)", strerror(os_errno(c)),
                  c->r->peer_ip[0] ? c->r->peer_ip : c->o->host,
                  (unsigned)p3_opts_port(c->o));
        why = buf;
    }
    if (code == CURLE_USE_SSL_FAILED) {
        r->failed_phase = POP3CHECK_PHASE_STLS;
        if (c->trk.stls_us < 0)
            why = "the server does not offer STLS; credentials not sent";
    }
    if (code == CURLE_OPERATION_TIMEDOUT)
        p3_format(r->error_text, sizeof r->error_text,
                  "%s: no answer within %u ms", pop3check_phase_name(ph),
                  (unsigned)p3_opts_timeout_ms(c->o));
    else if (r->error == POP3CHECK_E_PROTOCOL && line[0] != '\0' &&
             ph != POP3CHECK_PHASE_TLS)
        p3_format(r->error_text, sizeof r->error_text, "%s: \"%s\"",
                  pop3check_phase_name(r->failed_phase), line);
    else
        p3_format(r->error_text, sizeof r->error_text, "%s: %s",
                  pop3check_phase_name(r->failed_phase), why);
    if (line[0] == '-') {
        const char *text;
        size_t tl;
        p3_reply_status(line, strlen(line), &text, &tl);
        p3_format(r->server_text, sizeof r->server_text, "%.*s", (int)tl, text);
        r->rcode = p3_reply_rcode(text, tl);
    }
}

enum pop3check_phase p3_conn_fail_phase(struct p3_conn *c, int64_t now)
{
    return connect_phases(c, now, 1);
}

int p3_conn_finish(struct p3_conn *c, int code, int64_t now)
{
    enum pop3check_phase ph = connect_phases(c, now, code != CURLE_OK);

    read_peer(c);
    if (c->o->tls != POP3CHECK_TLS_NONE)
        read_certinfo(c);
    if (code != CURLE_OK) {
        describe_failure(c, (CURLcode)code, ph);
        return -1;
    }
    return 0;
}

const struct p3_chanbind *p3_conn_chanbind(const struct p3_conn *c,
                                           const char **why)
{
    *why = c->bind.why;
    return &c->bind.cb;
}

int p3_conn_socket(const struct p3_conn *c)
{
    curl_socket_t fd = CURL_SOCKET_BAD;

    if (c->easy == NULL ||
        curl_easy_getinfo(c->easy, CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK ||
        fd == CURL_SOCKET_BAD)
        return -1;
    return (int)fd;
}

const char *p3_conn_apop_ts(const struct p3_conn *c)
{
    return c->trk.apop_ts;
}

/* ---- the dialog's transport ---- */

struct p3_transport p3_conn_transport(struct p3_conn *c)
{
    c->fd = p3_conn_socket(c);
    c->io = (struct p3_curlio){c->easy, c->fd, c->errbuf};
    return p3_curlio_transport(&c->io, c->o->tls != POP3CHECK_TLS_NONE);
}
