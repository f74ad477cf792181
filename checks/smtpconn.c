/* SPDX-License-Identifier: MIT */
/* smtpconn.c - libcurl's part of a round trip's submission (RFC 6409,
 * 5321, 3207 STARTTLS, 8314 implicit TLS, 4954 AUTH), run in CONNECT_ONLY
 * mode: libcurl resolves, connects, reads the greeting, says EHLO, starts
 * TLS and authenticates with the best mechanism it has; the debug stream
 * times each step and keeps the server's last words. MAIL FROM and the
 * rest are submit.c's. */
#define _DEFAULT_SOURCE
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conn.h"
#include "mail.h"
#include "smtpconn.h"

static const struct {
    CURLcode code;
    enum pop3check_error kind;
} curl_map[] = {
    {CURLE_COULDNT_RESOLVE_HOST, POP3CHECK_E_RESOLVE},
    {CURLE_COULDNT_CONNECT, POP3CHECK_E_CONNECT},
    {CURLE_OPERATION_TIMEDOUT, POP3CHECK_E_TIMEOUT},
    {CURLE_SSL_CONNECT_ERROR, POP3CHECK_E_TLS},
    {CURLE_USE_SSL_FAILED, POP3CHECK_E_TLS},
    {CURLE_SSL_CERTPROBLEM, POP3CHECK_E_TLS},
    {CURLE_SSL_CIPHER, POP3CHECK_E_TLS},
    {CURLE_SSL_CACERT_BADFILE, POP3CHECK_E_TLS},
    {CURLE_PEER_FAILED_VERIFICATION, POP3CHECK_E_CERTIFICATE},
    {CURLE_SSL_ISSUER_ERROR, POP3CHECK_E_CERTIFICATE},
    {CURLE_WEIRD_SERVER_REPLY, POP3CHECK_E_PROTOCOL},
    {CURLE_RECV_ERROR, POP3CHECK_E_PROTOCOL},
    {CURLE_SEND_ERROR, POP3CHECK_E_PROTOCOL},
    {CURLE_GOT_NOTHING, POP3CHECK_E_PROTOCOL},
    {CURLE_LOGIN_DENIED, POP3CHECK_E_AUTH},
    {CURLE_REMOTE_ACCESS_DENIED, POP3CHECK_E_COMMAND},
#if LIBCURL_VERSION_NUM >= 0x080600
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

/* The name to say in EHLO: this host's, as far as it is a host name. */
static void ehlo_name(char *buf, size_t len)
{
    char host[256] = "";

    if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0' ||
        strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789.-") != strlen(host))
        p3_format(host, sizeof host, "localhost");
    p3_format(buf, len, "%s", host);
}

static void build_url(struct p3_smtpconn *c)
{
    const struct p3_opts *o = c->o;
    int implicit = p3_opts_smtp_tls(o) == POP3CHECK_TLS_IMPLICIT;
    int v6 = strchr(o->smtp_host, ':') != NULL;
    char name[256];

    ehlo_name(name, sizeof name);
    p3_format(c->url, sizeof c->url, "%s://%s%s%s:%ld/%s",
              implicit ? "smtps" : "smtp", v6 ? "[" : "", o->smtp_host,
              v6 ? "]" : "", p3_opts_smtp_port(o), name);
}

/* ---- the debug stream ---- */

static void trace(struct p3_smtpconn *c, enum pop3check_trace_dir dir,
                  const char *line, size_t len)
{
    char clean[P3_LINE_MAX + 16];

    if (c->o->trace == NULL)
        return;
    p3_sanitise(clean, sizeof clean, line, len, c->o->smtp_password);
    c->o->trace(c->o->trace_ctx, dir, clean, strlen(clean));
}

static void wake(struct p3_smtpconn *c, int st)
{
    if (c->state != P3_CONN_RUNNING)
        return;
    c->state = st;
    c->wake(c->wake_ctx);
}

/* A command libcurl sent; during AUTH only the mechanism is shown. */
static void sent_line(struct p3_smtpconn *c, const char *l, size_t n,
                      int64_t now)
{
    if (n >= 5 &&
        (strncasecmp(l, "EHLO ", 5) == 0 || strncasecmp(l, "HELO ", 5) == 0)) {
        if (c->step == P3_SMTP_T_HANDSHAKE)
            c->tls_us = now - c->starttls_at;
        c->step = P3_SMTP_T_EHLO;
        c->cmd_at = now;
    } else if (n == 8 && strncasecmp(l, "STARTTLS", 8) == 0) {
        c->step = P3_SMTP_T_STARTTLS;
        c->starttls_at = now;
    } else if (n > 5 && strncasecmp(l, "AUTH ", 5) == 0) {
        const char *sp = memchr(l + 5, ' ', n - 5);
        c->step = P3_SMTP_T_AUTH;
        c->cmd_at = now;
        if (sp != NULL) {
            char shown[64];
            p3_format(shown, sizeof shown, "%.*s ********", (int)(sp - l), l);
            trace(c, POP3CHECK_TRACE_SENT, shown, strlen(shown));
            return;
        }
    } else if (c->step == P3_SMTP_T_AUTH) {
        trace(c, POP3CHECK_TRACE_SENT, "********", 8);
        return;
    }
    trace(c, POP3CHECK_TRACE_SENT, l, n);
}

/* A line the server sent. */
static void got_line(struct p3_smtpconn *c, const char *l, size_t n,
                     int64_t now)
{
    struct p3_smtp_line sl;

    trace(c, POP3CHECK_TRACE_RECEIVED, l, n);
    if (p3_smtp_line_parse(l, n, &sl) != 0 || !sl.last)
        return;
    p3_sanitise(c->last_line, sizeof c->last_line, l, n, c->o->smtp_password);
    switch (c->step) {
    case P3_SMTP_T_START:
        c->greet_at = now;
        c->step = P3_SMTP_T_GREETED;
        break;
    case P3_SMTP_T_EHLO:
        c->ehlo_us += now - c->cmd_at;
        c->step = P3_SMTP_T_GREETED;
        break;
    case P3_SMTP_T_STARTTLS:
        c->step = sl.code == 220 ? P3_SMTP_T_HANDSHAKE : P3_SMTP_T_GREETED;
        break;
    case P3_SMTP_T_AUTH:
        if (sl.code != 334) {
            c->auth_us = now - c->cmd_at;
            c->step = P3_SMTP_T_GREETED;
        }
        break;
    default:
        break;
    }
}

/* Splits what the debug stream gives into lines. */
static void lines(struct p3_smtpconn *c, int out, const char *d, size_t n,
                  int64_t now)
{
    for (size_t i = 0; i < n; i++) {
        if (d[i] != '\n') {
            if (c->in_len < sizeof c->in)
                c->in[c->in_len++] = d[i];
            continue;
        }
        size_t len = c->in_len;
        if (len > 0 && c->in[len - 1] == '\r')
            len--;
        if (out)
            sent_line(c, c->in, len, now);
        else
            got_line(c, c->in, len, now);
        c->in_len = 0;
    }
}

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size,
                    void *ctx)
{
    struct p3_smtpconn *c = ctx;

    (void)h;
    if (type == CURLINFO_HEADER_IN || type == CURLINFO_HEADER_OUT)
        lines(c, type == CURLINFO_HEADER_OUT, data, size, p3_now_us());
    return 0;
}

static void on_curl(void *ctx, enum p3_curl_event ev, int code)
{
    struct p3_smtpconn *c = ctx;

    if (ev == P3_CURL_DONE && c->state == P3_CONN_RUNNING)
        c->code = code;
    wake(c, ev == P3_CURL_DONE ? P3_CONN_FINISHED : P3_CONN_BROKEN);
}

/* ---- set-up ---- */

#define SET(opt, val)                                                          \
    do {                                                                       \
        if (curl_easy_setopt(c->easy, opt, val) != CURLE_OK)                   \
            return -1;                                                         \
    } while (0)

static int setup_tls(struct p3_smtpconn *c)
{
    const struct p3_opts *o = c->o;
    long tls = p3_opts_smtp_tls(o);

    if (tls == POP3CHECK_TLS_NONE)
        return 0;
    return p3_curlio_tls(c->easy,
                         tls == POP3CHECK_TLS_STLS  ? (long)CURLUSESSL_ALL
                         : tls == POP3CHECK_TLS_TRY ? (long)CURLUSESSL_TRY
                                                    : -1L,
                         (int)o->insecure, o->cafile);
}

static int setup_auth(struct p3_smtpconn *c)
{
    const struct p3_opts *o = c->o;

    if (o->smtp_user == NULL)
        return 0;
    SET(CURLOPT_USERNAME, o->smtp_user);
    if (p3_smtp_auth_bearer(o->smtp_auth))
        SET(CURLOPT_XOAUTH2_BEARER, c->bearer);
    else
        SET(CURLOPT_PASSWORD, o->smtp_password);
    if (o->smtp_auth != NULL) {
        p3_format(c->login_options, sizeof c->login_options, "AUTH=%s",
                  o->smtp_auth);
        SET(CURLOPT_LOGIN_OPTIONS, c->login_options);
    }
    return 0;
}

static int setup_easy(struct p3_smtpconn *c, long ms)
{
    if (p3_curlm_prepare(c->cm, c->easy, &c->pool) != 0 ||
        p3_curlio_setup(c->easy, c->url, "smtp,smtps", c->o->ip_version, ms,
                        c->errbuf, on_debug, c) != 0 ||
        setup_tls(c) != 0)
        return -1;
    return setup_auth(c);
}

int p3_smtpconn_start(struct p3_smtpconn *c, const struct p3_opts *o,
                      const char *bearer, struct pop3check_result *r,
                      struct p3_curlm *cm, int64_t t0, long timeout_ms,
                      void (*wake_fn)(void *ctx), void *ctx)
{
    memset(c, 0, sizeof *c);
    c->o = o;
    c->bearer = bearer;
    c->r = r;
    c->cm = cm;
    c->t0 = t0;
    c->wake = wake_fn;
    c->wake_ctx = ctx;
    c->owner = (struct p3_curl_owner){on_curl, c};
    c->greet_at = c->cmd_at = c->starttls_at = -1;
    c->ehlo_us = 0;
    c->tls_us = c->auth_us = -1;
    build_url(c);
    c->easy = curl_easy_init();
    if (c->easy == NULL || setup_easy(c, timeout_ms < 1 ? 1 : timeout_ms)) {
        p3_smtpconn_end(c);
        return -1;
    }
    c->state = P3_CONN_RUNNING;
    if (p3_curlm_add(cm, c->easy, &c->owner) != 0) {
        p3_smtpconn_end(c);
        return -1;
    }
    c->in_multi = 1;
    return 0;
}

int p3_smtpconn_done(const struct p3_smtpconn *c)
{
    return c->state == P3_CONN_FINISHED || c->state == P3_CONN_BROKEN;
}

void p3_smtpconn_end(struct p3_smtpconn *c)
{
    c->state = P3_CONN_IDLE;
    if (c->in_multi)
        p3_curlm_remove(c->cm, c->easy);
    c->in_multi = 0;
    if (c->easy != NULL)
        curl_easy_cleanup(c->easy);
    c->easy = NULL;
    p3_curlm_release(c->pool);
    c->pool = NULL;
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

/* Times every step reached; returns the phase in progress at now. */
static enum pop3check_phase phases(struct p3_smtpconn *c, int64_t now)
{
    struct pop3check_result *r = c->r;
    int implicit = p3_opts_smtp_tls(c->o) == POP3CHECK_TLS_IMPLICIT;
    int64_t nl = info_us(c->easy, CURLINFO_NAMELOOKUP_TIME_T);
    int64_t conn = info_us(c->easy, CURLINFO_CONNECT_TIME_T);
    int64_t app = info_us(c->easy, CURLINFO_APPCONNECT_TIME_T);
    int64_t at = now - c->t0;

    set_phase(r, POP3CHECK_PHASE_SMTP_RESOLVE, nl ? nl : at);
    if (nl == 0)
        return POP3CHECK_PHASE_SMTP_RESOLVE;
    /* For smtps libcurl sets the connect time once TLS is up: a failed
     * handshake counts as connecting. */
    set_phase(r, POP3CHECK_PHASE_SMTP_CONNECT, (conn ? conn : at) - nl);
    if (conn == 0)
        return POP3CHECK_PHASE_SMTP_CONNECT;
    if (implicit) {
        set_phase(r, POP3CHECK_PHASE_SMTP_TLS, (app ? app : at) - conn);
        if (app == 0)
            return POP3CHECK_PHASE_SMTP_TLS;
        conn = app;
    }
    if (c->greet_at < 0) {
        set_phase(r, POP3CHECK_PHASE_SMTP_GREETING, at - conn);
        return POP3CHECK_PHASE_SMTP_GREETING;
    }
    set_phase(r, POP3CHECK_PHASE_SMTP_GREETING,
              c->greet_at - c->t0 - conn + c->ehlo_us +
                  (c->step == P3_SMTP_T_EHLO ? now - c->cmd_at : 0));
    if (c->tls_us >= 0)
        set_phase(r, POP3CHECK_PHASE_SMTP_TLS, c->tls_us);
    if (c->auth_us >= 0)
        set_phase(r, POP3CHECK_PHASE_SMTP_AUTH, c->auth_us);
    r->smtp_tls = implicit || c->tls_us >= 0;
    switch (c->step) {
    case P3_SMTP_T_STARTTLS:
    case P3_SMTP_T_HANDSHAKE:
        set_phase(r, POP3CHECK_PHASE_SMTP_TLS, now - c->starttls_at);
        return POP3CHECK_PHASE_SMTP_TLS;
    case P3_SMTP_T_AUTH:
        set_phase(r, POP3CHECK_PHASE_SMTP_AUTH, now - c->cmd_at);
        return POP3CHECK_PHASE_SMTP_AUTH;
    default:
        return c->auth_us >= 0 ? POP3CHECK_PHASE_SMTP_AUTH
                               : POP3CHECK_PHASE_SMTP_GREETING;
    }
}

/* The server's last final line, as code, enhanced code and text. */
static void keep_reply(struct p3_smtpconn *c)
{
    struct pop3check_result *r = c->r;
    struct p3_smtp_line sl;

    if (c->last_line[0] == '\0' ||
        p3_smtp_line_parse(c->last_line, strlen(c->last_line), &sl) != 0)
        return;
    r->smtp_code = sl.code;
    p3_format(r->smtp_enhanced, sizeof r->smtp_enhanced, "%s", sl.enhanced);
}

static void describe_failure(struct p3_smtpconn *c, CURLcode code,
                             enum pop3check_phase ph)
{
    struct pop3check_result *r = c->r;
    const char *why = c->errbuf[0] ? c->errbuf : curl_easy_strerror(code);
    long ms = (long)((p3_now_us() - c->t0) / 1000);

    r->error = kind_of(code);
    r->failed_phase = ph;
    if (code == CURLE_LOGIN_DENIED &&
        r->phase_us[POP3CHECK_PHASE_SMTP_AUTH] < 0) {
        /* no mechanism in common: refused before any AUTH was sent */
        ph = r->failed_phase = POP3CHECK_PHASE_SMTP_AUTH;
        r->phase_us[POP3CHECK_PHASE_SMTP_AUTH] = 0;
        why = c->o->smtp_auth != NULL
                  ? "the server does not offer the SASL mechanism asked for"
                  : "the server offers no SASL mechanism libcurl has";
    }
    if (code == CURLE_USE_SSL_FAILED) {
        ph = r->failed_phase = POP3CHECK_PHASE_SMTP_TLS;
        why = "the server does not offer STARTTLS, which is required; "
              "credentials not sent";
    }
    if (code == CURLE_OPERATION_TIMEDOUT)
        p3_format(r->error_text, sizeof r->error_text,
                  "%s: no answer after %ld ms", pop3check_phase_name(ph), ms);
    else if (c->last_line[0] != '\0' && c->last_line[0] != '2' &&
             code != CURLE_USE_SSL_FAILED && r->error != POP3CHECK_E_TLS &&
             r->error != POP3CHECK_E_CERTIFICATE)
        p3_format(r->error_text, sizeof r->error_text, "%s: \"%s\"",
                  pop3check_phase_name(ph), c->last_line);
    else
        p3_format(r->error_text, sizeof r->error_text, "%s: %s",
                  pop3check_phase_name(ph), why);
    if (c->last_line[0] == '4' || c->last_line[0] == '5')
        p3_format(r->smtp_server, sizeof r->smtp_server, "%s", c->last_line);
}

int p3_smtpconn_finish(struct p3_smtpconn *c, int code, int64_t now)
{
    enum pop3check_phase ph = phases(c, now);

    keep_reply(c);
    if (code == CURLE_OK)
        return 0;
    describe_failure(c, (CURLcode)code, ph);
    return -1;
}

int p3_smtpconn_socket(const struct p3_smtpconn *c)
{
    curl_socket_t fd = CURL_SOCKET_BAD;

    if (c->easy == NULL ||
        curl_easy_getinfo(c->easy, CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK ||
        fd == CURL_SOCKET_BAD)
        return -1;
    return (int)fd;
}

struct p3_transport p3_smtpconn_transport(struct p3_smtpconn *c)
{
    c->io = (struct p3_curlio){c->easy, p3_smtpconn_socket(c), c->errbuf};
    return p3_curlio_transport(&c->io, c->r->smtp_tls == 1);
}
