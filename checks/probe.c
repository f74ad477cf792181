/* SPDX-License-Identifier: MIT */
/* probe.c - a probe's options and its libcurl set-up. libcurl resolves,
 * connects and does TLS (implicit or STLS, RFC 2595) in CONNECT_ONLY mode
 * without credentials, so it stops after the greeting and CAPA; the
 * dialog from the login on is ours (session.c, io.c). */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "probe.h"
#include "session.h"

int pop3check_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void pop3check_global_cleanup(void)
{
    curl_global_cleanup();
}

/* Host names and addresses only: they end up in a URL. */
static int valid_host(const char *h)
{
    size_t n = h ? strlen(h) : 0;

    if (n == 0 || n > 253)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                    "0123456789.-_:",
                    h[i]))
            return 0;
    return 1;
}

/* Credentials go into command lines: no line breaks, bounded. */
static int valid_cred(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && n <= P3_CRED_MAX && strpbrk(s, "\r\n") == NULL;
}

static const char *check_options(const struct pop3check_options *o)
{
    struct in_addr a4;
    struct in6_addr a6;

    if (!valid_host(o->host))
        return "host: give a host name or an IP address (letters, digits, "
               "'.', '-', ':' only)";
    if (o->port > 65535)
        return "port: must be 1-65535";
    if (o->ip_version != 0 && o->ip_version != 4 && o->ip_version != 6)
        return "ip_version: must be 0, 4 or 6";
    if (o->ip_version == 6 && inet_pton(AF_INET, o->host, &a4) == 1)
        return "host: an IPv4 address cannot be reached over IPv6 (-6)";
    if (o->ip_version == 4 && inet_pton(AF_INET6, o->host, &a6) == 1)
        return "host: an IPv6 address cannot be reached over IPv4 (-4)";
    if ((unsigned)o->tls > POP3CHECK_TLS_IMPLICIT)
        return "tls: unknown mode";
    if ((unsigned)o->auth > POP3CHECK_AUTH_CRAM_MD5)
        return "auth: unknown mechanism";
    if (o->sni != NULL && !valid_host(o->sni))
        return "sni: give a host name";
    if (o->user != NULL && (!valid_cred(o->user) || strchr(o->user, ' ')))
        return "user: 1-255 characters, no spaces or line breaks";
    if (o->user != NULL && (o->password == NULL || !valid_cred(o->password)))
        return "password: needed with a user name, 1-255 characters, no "
               "line breaks";
    if (o->top < POP3CHECK_MSG_LAST || o->retr < POP3CHECK_MSG_LAST)
        return "top/retr: a message number, first or last";
    if (o->timeout_ms > 3600000)
        return "timeout: at most one hour";
    return NULL;
}

static int copy_str(char **dst, const char *src)
{
    *dst = NULL;
    if (src == NULL)
        return 0;
    *dst = p3_strdup(src);
    return *dst ? 0 : -1;
}

static void build_urls(struct pop3check_probe *p)
{
    const struct pop3check_options *o = &p->o;
    const char *scheme = o->tls == POP3CHECK_TLS_IMPLICIT ? "pop3s" : "pop3";
    unsigned port =
        o->port ? o->port : (o->tls == POP3CHECK_TLS_IMPLICIT ? 995 : 110);
    int v6 = strchr(o->host, ':') != NULL;

    p->o.port = port;
    if (o->sni == NULL) {
        p3_format(p->url, sizeof p->url, "%s://%s%s%s:%u/", scheme,
                  v6 ? "[" : "", o->host, v6 ? "]" : "", port);
        return;
    }
    /* Connect to host, but name (SNI) and verify the server as sni. */
    p3_format(p->url, sizeof p->url, "%s://%s:%u/", scheme, o->sni, port);
    p3_format(p->connect_to, sizeof p->connect_to, "%s:%u:%s%s%s:%u", o->sni,
              port, v6 ? "[" : "", o->host, v6 ? "]" : "", port);
}

struct pop3check_probe *pop3check_probe_new(const struct pop3check_options *o,
                                            char *err, size_t errlen)
{
    struct pop3check_probe *p;
    const char *why = o ? check_options(o) : "no options";

    if (why != NULL) {
        p3_format(err, errlen, "%s", why);
        return NULL;
    }
    p = p3_calloc(1, sizeof *p);
    if (p == NULL)
        goto oom;
    p->o = *o;
    p->fd = -1;
    if (copy_str(&p->host, o->host) || copy_str(&p->cafile, o->cafile) ||
        copy_str(&p->sni, o->sni) || copy_str(&p->user, o->user) ||
        copy_str(&p->password, o->user ? o->password : NULL))
        goto oom;
    p->o.host = p->host;
    p->o.cafile = p->cafile;
    p->o.sni = p->sni;
    p->o.user = p->user;
    p->o.password = p->password;
    if (p->o.timeout_ms == 0)
        p->o.timeout_ms = 10000;
    build_urls(p);
    return p;
oom:
    pop3check_probe_free(p);
    p3_format(err, errlen, "out of memory");
    return NULL;
}

void pop3check_probe_free(struct pop3check_probe *p)
{
    if (p == NULL)
        return;
    p3_probe_end(p);
    if (p->password != NULL) {
        explicit_bzero(p->password, strlen(p->password));
        free(p->password);
    }
    free(p->host);
    free(p->cafile);
    free(p->sni);
    free(p->user);
    free(p);
}

void pop3check_result_init(struct pop3check_result *r)
{
    memset(r, 0, sizeof *r);
    for (int i = 0; i < POP3CHECK_PHASE_COUNT; i++)
        r->phase_us[i] = -1;
    r->messages = r->octets = r->largest = r->listed = -1;
    r->uidl_count = r->top_octets = r->retr_octets = -1;
    r->cert_not_after = -1;
}

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size,
                    void *ctx)
{
    struct pop3check_probe *p = ctx;

    (void)h;
    p3_tracker_event(&p->trk, (int)type, data, size, p3_now_us());
    return 0;
}

#define SET(opt, val)                                                          \
    do {                                                                       \
        if (curl_easy_setopt(p->easy, opt, val) != CURLE_OK)                   \
            return -1;                                                         \
    } while (0)

static int setup_tls(struct pop3check_probe *p)
{
    const struct pop3check_options *o = &p->o;

    if (o->tls == POP3CHECK_TLS_NONE)
        return 0;
    if (o->tls == POP3CHECK_TLS_STLS)
        SET(CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    SET(CURLOPT_CERTINFO, 1L);
    SET(CURLOPT_SSL_SESSIONID_CACHE, 0L); /* time a full handshake */
    if (o->insecure) {
        SET(CURLOPT_SSL_VERIFYPEER, 0L);
        SET(CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (o->cafile != NULL)
        SET(CURLOPT_CAINFO, o->cafile);
    return 0;
}

static int setup_easy(struct pop3check_probe *p)
{
    const struct pop3check_options *o = &p->o;
    long ipr = o->ip_version == 4   ? CURL_IPRESOLVE_V4
               : o->ip_version == 6 ? CURL_IPRESOLVE_V6
                                    : CURL_IPRESOLVE_WHATEVER;

    SET(CURLOPT_URL, p->url);
    SET(CURLOPT_PRIVATE, (char *)p);
    /* The multi handle is shared (multi.c): no DNS answer from another
     * probe, no connection aged out while its dialog runs, and libcurl
     * tells the loop when it closes a socket. */
    SET(CURLOPT_DNS_CACHE_TIMEOUT, 0L);
    SET(CURLOPT_MAXAGE_CONN, 2L * 3600);
    SET(CURLOPT_CLOSESOCKETFUNCTION, p3_loop_close_socket);
    SET(CURLOPT_CLOSESOCKETDATA, p->loop);
    SET(CURLOPT_PROTOCOLS_STR, "pop3,pop3s");
    SET(CURLOPT_CONNECT_ONLY, 1L);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_QUICK_EXIT, 1L); /* never wait for a resolver thread */
    SET(CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
    SET(CURLOPT_CONNECTTIMEOUT_MS, (long)o->timeout_ms);
    SET(CURLOPT_IPRESOLVE, ipr);
    SET(CURLOPT_ERRORBUFFER, p->errbuf);
    /* libcurl reads only the greeting and CAPA into its own buffer (our
     * dialog has its own): 4 KiB instead of 16 per probe in flight. */
    SET(CURLOPT_BUFFERSIZE, 4096L);
    SET(CURLOPT_VERBOSE, 1L); /* feeds the debug callback, prints nothing */
    SET(CURLOPT_DEBUGFUNCTION, on_debug);
    SET(CURLOPT_DEBUGDATA, p);
    if (p->connect_to[0] != '\0') {
        p->connect_to_list = curl_slist_append(NULL, p->connect_to);
        if (p->connect_to_list == NULL)
            return -1;
        SET(CURLOPT_CONNECT_TO, p->connect_to_list);
    }
    return setup_tls(p);
}

int p3_probe_begin(struct pop3check_probe *p, struct p3_loop *loop)
{
    p3_probe_end(p);
    pop3check_result_init(&p->result);
    p->result.started_at = (int64_t)time(NULL);
    p->loop = loop;
    p->t0 = p3_now_us();
    p->deadline = p->t0 + (int64_t)p->o.timeout_ms * 1000;
    p->broken = 0;
    p->closed = 0;
    p->errbuf[0] = '\0';
    p3_tracker_init(&p->trk, &p->result, p->t0, p->o.trace, p->o.trace_ctx);
    p->stage = P3_CURL;
    p->easy = curl_easy_init();
    if (p->easy != NULL && setup_easy(p) == 0 &&
        p3_loop_curl_add(loop, p->easy) == 0)
        p->in_multi = 1;
    if (!p->in_multi) {
        p->result.error = POP3CHECK_E_INTERNAL;
        p->result.failed_phase = POP3CHECK_PHASE_RESOLVE;
        p3_format(p->result.error_text, sizeof p->result.error_text,
                  "cannot set up libcurl (out of memory?)");
        p3_probe_finish(p, p3_now_us());
        return -1;
    }
    return 0;
}

void p3_probe_end(struct pop3check_probe *p)
{
    if (p->fd >= 0) {
        if (p->loop != NULL)
            p3_loop_unwatch(p->loop, p->fd);
        /* The connection stays in libcurl's cache: end it now for the
         * server, libcurl closes the socket (multi.c). */
        shutdown(p->fd, SHUT_RDWR);
    }
    p->fd = -1;
    p->fd_events = 0;
    p3_session_free(p->sess);
    p->sess = NULL;
    if (p->in_multi)
        p3_loop_curl_remove(p->loop, p->easy);
    else if (p->easy != NULL)
        curl_easy_cleanup(p->easy);
    p->easy = NULL;
    p->in_multi = 0;
    curl_slist_free_all(p->connect_to_list);
    p->connect_to_list = NULL;
    if (p->stage != P3_FINISHED)
        p->stage = P3_IDLE;
}

void p3_probe_on_socket(struct pop3check_probe *p, int fd, unsigned events)
{
    int flags = 0;

    if (p->stage == P3_DIALOG && fd == p->fd) {
        p3_dialog_io(p, events, p3_now_us());
        return;
    }
    if (p->stage != P3_CURL)
        return;
    flags |= (events & 1u) ? CURL_CSELECT_IN : 0;
    flags |= (events & 4u) ? CURL_CSELECT_OUT : 0;
    flags |= (events & ~5u) ? CURL_CSELECT_ERR : 0;
    p3_loop_curl_action(p->loop, fd, flags);
}

int64_t p3_probe_next_timer(const struct pop3check_probe *p)
{
    if (p->stage == P3_FINISHED || p->broken || p->closed ||
        (p->stage == P3_CURL && p->trk.bad_greeting))
        return INT64_MIN;
    return p->deadline;
}

void p3_probe_on_timer(struct pop3check_probe *p, int64_t now)
{
    if (p->stage == P3_CURL && p->trk.bad_greeting) {
        p3_connect_finished(p, CURLE_WEIRD_SERVER_REPLY, now);
        return;
    }
    if (p->closed && p->stage == P3_DIALOG) {
        p3_session_input(p->sess, "", 0, now); /* "server closed ..." */
        p3_probe_finish(p, now);
        return;
    }
    if (p->broken && p->stage != P3_FINISHED) {
        static const char msg[] = "cannot watch the socket (out of memory?)";
        if (p->stage == P3_DIALOG) {
            p3_session_fail(p->sess, POP3CHECK_E_INTERNAL, msg, now);
        } else {
            p->result.failed_phase = p3_connect_phases(p, now, 1);
            p->result.error = POP3CHECK_E_INTERNAL;
            p3_format(p->result.error_text, sizeof p->result.error_text, "%s",
                      msg);
        }
        p3_probe_finish(p, now);
        return;
    }
    if (now < p->deadline || p->stage == P3_FINISHED)
        return;
    if (p->stage == P3_CURL) {
        p3_connect_finished(p, CURLE_OPERATION_TIMEDOUT, now);
        return;
    }
    if (p->stage == P3_DIALOG) {
        char msg[96];
        p3_format(msg, sizeof msg, "no reply within %u ms (%s)",
                  p->o.timeout_ms,
                  pop3check_phase_name(p3_session_phase(p->sess)));
        p3_session_fail(p->sess, POP3CHECK_E_TIMEOUT, msg, now);
        p3_probe_finish(p, now);
    }
}

int p3_probe_finished(const struct pop3check_probe *p)
{
    return p->stage == P3_FINISHED;
}
