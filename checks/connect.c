/* SPDX-License-Identifier: MIT */
/* connect.c - the end of libcurl's part of a probe: timings of resolve,
 * connect, TLS, greeting, CAPA and STLS, the certificate's expiry, and
 * what a failure there means. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "probe.h"

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
static enum pop3check_phase after_greeting(const struct pop3check_probe *p,
                                           int64_t *start)
{
    const struct p3_tracker *t = &p->trk;

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

enum pop3check_phase p3_connect_phases(struct pop3check_probe *p, int64_t now,
                                       int failing)
{
    struct pop3check_result *r = &p->result;
    const struct p3_tracker *t = &p->trk;
    int implicit = p->o.tls == POP3CHECK_TLS_IMPLICIT;
    int64_t nl = info_us(p->easy, CURLINFO_NAMELOOKUP_TIME_T);
    int64_t conn = info_us(p->easy, CURLINFO_CONNECT_TIME_T);
    int64_t app = info_us(p->easy, CURLINFO_APPCONNECT_TIME_T);
    int64_t at = now - p->t0; /* relative times from here on */
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
        conn = t->tls_first - p->t0;
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
    set_phase(r, POP3CHECK_PHASE_GREETING, t->greeting_at - p->t0 - conn);
    if (t->capa_us >= 0)
        set_phase(r, POP3CHECK_PHASE_CAPA, t->capa_us);
    if (t->stls_us >= 0)
        set_phase(r, POP3CHECK_PHASE_STLS, t->stls_us);
    if (t->tls_end >= 0)
        set_phase(r, POP3CHECK_PHASE_TLS, t->tls_end - t->tls_start);
    ph = after_greeting(p, &start);
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

static void read_certinfo(struct pop3check_probe *p)
{
    static const char key[] = "Expire date:";
    struct curl_certinfo *ci = NULL;

    if (curl_easy_getinfo(p->easy, CURLINFO_CERTINFO, &ci) != CURLE_OK ||
        ci == NULL)
        return;
    for (int i = 0; i < ci->num_of_certs; i++) {
        for (struct curl_slist *l = ci->certinfo[i]; l; l = l->next) {
            if (strncasecmp(l->data, key, sizeof key - 1) != 0)
                continue;
            int64_t t = parse_cert_time(l->data + sizeof key - 1);
            if (t >= 0 &&
                (p->result.cert_not_after < 0 || t < p->result.cert_not_after))
                p->result.cert_not_after = t;
        }
    }
}

static void read_peer(struct pop3check_probe *p)
{
    struct pop3check_result *r = &p->result;
    char *ip = NULL;
    long port = 0;

    if (curl_easy_getinfo(p->easy, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK &&
        ip != NULL && ip[0] != '\0') {
        p3_format(r->peer_ip, sizeof r->peer_ip, "%s", ip);
        r->ip_version = strchr(ip, ':') ? 6 : 4;
    }
    if (curl_easy_getinfo(p->easy, CURLINFO_PRIMARY_PORT, &port) == CURLE_OK)
        r->peer_port = (unsigned)port;
}

/* The kind and the words of a failure inside libcurl's part. */
static int os_errno(struct pop3check_probe *p)
{
    long e = 0;

    return curl_easy_getinfo(p->easy, CURLINFO_OS_ERRNO, &e) == CURLE_OK
               ? (int)e
               : 0;
}

static void describe_failure(struct pop3check_probe *p, CURLcode code,
                             enum pop3check_phase ph)
{
    char buf[200];
    struct pop3check_result *r = &p->result;
    const char *why = p->errbuf[0] ? p->errbuf : curl_easy_strerror(code);
    const char *line = p->trk.last_line;

    r->error = p3_error_from_curl((int)code);
    r->failed_phase = ph;
    if (code == CURLE_COULDNT_CONNECT && os_errno(p) != 0) {
        p3_format(buf, sizeof buf, "%s (%s port %u)", strerror(os_errno(p)),
                  p->result.peer_ip[0] ? p->result.peer_ip : p->o.host,
                  p->o.port);
        why = buf;
    }
    if (code == CURLE_USE_SSL_FAILED) {
        r->failed_phase = POP3CHECK_PHASE_STLS;
        if (p->trk.stls_us < 0)
            why = "the server does not offer STLS; credentials not sent";
    }
    if (code == CURLE_OPERATION_TIMEDOUT)
        p3_format(r->error_text, sizeof r->error_text,
                  "%s: no answer within %u ms", pop3check_phase_name(ph),
                  p->o.timeout_ms);
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

void p3_connect_finished(struct pop3check_probe *p, CURLcode code, int64_t now)
{
    enum pop3check_phase ph = p3_connect_phases(p, now, code != CURLE_OK);

    read_peer(p);
    if (p->o.tls != POP3CHECK_TLS_NONE)
        read_certinfo(p);
    if (code != CURLE_OK) {
        describe_failure(p, code, ph);
        p3_probe_finish(p, now);
        return;
    }
    p3_dialog_start(p, now);
}
