/* SPDX-License-Identifier: MIT */
/* result.c - what a probe learnt, behind getters keyed by the enums of
 * pop3check.h: a new figure or text is a new key, never a new field the
 * caller's struct would have to hold. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void p3_result_init(struct pop3check_result *r)
{
    memset(r, 0, sizeof *r);
    for (int i = 0; i < P3_PHASES; i++)
        r->phase_us[i] = -1;
    r->auth_used = -1;
    r->messages = r->octets = r->largest = r->listed = -1;
    r->uidl_count = r->top_octets = r->retr_octets = -1;
    r->cert_not_after = -1;
    r->delivered = r->polls = r->stale_cleaned = r->smtp_code = -1;
    r->smtp_tls = r->headers_read = r->poll_ms = r->submitted_at = -1;
    r->oldest_age = r->newest_age = r->oldest_msg = r->newest_msg = -1;
    r->oldest_source = r->newest_source = r->age_read = r->age_undated = -1;
    r->longest_wait = r->wait_tracked = -1;
}

struct pop3check_result *pop3check_result_new(void)
{
    struct pop3check_result *r = p3_calloc(1, sizeof *r);

    if (r != NULL)
        p3_result_init(r);
    return r;
}

int pop3check_result_copy(struct pop3check_result *dst,
                          const struct pop3check_result *src)
{
    if (dst == NULL || src == NULL)
        return -1;
    *dst = *src;
    return 0;
}

void pop3check_result_free(struct pop3check_result *r)
{
    free(r);
}

int pop3check_result_set_error(struct pop3check_result *r,
                               enum pop3check_error e, const char *text)
{
    if (r == NULL || e == POP3CHECK_E_OK || (unsigned)e >= P3_ERRORS)
        return -1;
    r->error = e;
    p3_sanitise(r->error_text, sizeof r->error_text, text ? text : "",
                text ? strlen(text) : 0, NULL);
    return 0;
}

enum pop3check_error pop3check_result_error(const struct pop3check_result *r)
{
    return r->error;
}

enum pop3check_phase
pop3check_result_failed_phase(const struct pop3check_result *r)
{
    return r->failed_phase;
}

enum pop3check_rcode pop3check_result_rcode(const struct pop3check_result *r)
{
    return r->rcode;
}

int64_t pop3check_result_phase_us(const struct pop3check_result *r,
                                  enum pop3check_phase p)
{
    return (unsigned)p < P3_PHASES ? r->phase_us[p] : -1;
}

static int64_t known(int64_t v)
{
    return v < 0 ? -1 : v;
}

static int64_t trip_figure(const struct pop3check_result *r,
                           enum pop3check_figure f)
{
    switch (f) {
    case POP3CHECK_FIG_DELIVERED:
        return known(r->delivered);
    case POP3CHECK_FIG_POLLS:
        return known(r->polls);
    case POP3CHECK_FIG_STALE_CLEANED:
        return known(r->stale_cleaned);
    case POP3CHECK_FIG_SMTP_CODE:
        return known(r->smtp_code);
    case POP3CHECK_FIG_SMTP_TLS:
        return known(r->smtp_tls);
    case POP3CHECK_FIG_HEADERS_READ:
        return known(r->headers_read);
    case POP3CHECK_FIG_POLL_MS:
        return known(r->poll_ms);
    case POP3CHECK_FIG_SUBMITTED_AT:
        return known(r->submitted_at);
    case POP3CHECK_FIG_OLDEST_AGE:
        return known(r->oldest_age);
    case POP3CHECK_FIG_NEWEST_AGE:
        return known(r->newest_age);
    case POP3CHECK_FIG_OLDEST_MSG:
        return known(r->oldest_msg);
    case POP3CHECK_FIG_NEWEST_MSG:
        return known(r->newest_msg);
    case POP3CHECK_FIG_OLDEST_SOURCE:
        return known(r->oldest_source);
    case POP3CHECK_FIG_NEWEST_SOURCE:
        return known(r->newest_source);
    case POP3CHECK_FIG_AGE_READ:
        return known(r->age_read);
    case POP3CHECK_FIG_AGE_UNDATED:
        return known(r->age_undated);
    case POP3CHECK_FIG_LONGEST_WAIT:
        return known(r->longest_wait);
    case POP3CHECK_FIG_WAIT_TRACKED:
        return known(r->wait_tracked);
    default:
        return -1;
    }
}

int64_t pop3check_result_figure(const struct pop3check_result *r,
                                enum pop3check_figure f)
{
    switch (f) {
    case POP3CHECK_FIG_MESSAGES:
        return r->messages;
    case POP3CHECK_FIG_OCTETS:
        return r->octets;
    case POP3CHECK_FIG_LARGEST:
        return r->largest;
    case POP3CHECK_FIG_LISTED:
        return r->listed;
    case POP3CHECK_FIG_UIDL_ENTRIES:
        return r->uidl_count;
    case POP3CHECK_FIG_TOP_OCTETS:
        return r->top_octets;
    case POP3CHECK_FIG_RETR_OCTETS:
        return r->retr_octets;
    case POP3CHECK_FIG_TOP_MSG:
        return r->top_msg;
    case POP3CHECK_FIG_RETR_MSG:
        return r->retr_msg;
    case POP3CHECK_FIG_CAPA:
        return r->capa;
    case POP3CHECK_FIG_SASL:
        return r->sasl;
    case POP3CHECK_FIG_AUTH_USED:
        return known(r->auth_used);
    case POP3CHECK_FIG_LOGGED_IN:
        return r->logged_in;
    case POP3CHECK_FIG_TLS:
        return r->tls;
    case POP3CHECK_FIG_CERT_NOT_AFTER:
        return r->cert_not_after;
    case POP3CHECK_FIG_PEER_PORT:
        return r->peer_ip[0] ? (int64_t)r->peer_port : -1;
    case POP3CHECK_FIG_IP_VERSION:
        return r->ip_version ? r->ip_version : -1;
    case POP3CHECK_FIG_STARTED_AT:
        return r->started_at ? r->started_at : -1;
    default:
        return trip_figure(r, f);
    }
    return -1;
}

const char *pop3check_result_text(const struct pop3check_result *r,
                                  enum pop3check_text t)
{
    switch (t) {
    case POP3CHECK_TEXT_ERROR:
        return r->error_text;
    case POP3CHECK_TEXT_SERVER:
        return r->server_text;
    case POP3CHECK_TEXT_GREETING:
        return r->greeting;
    case POP3CHECK_TEXT_CAPA:
        return r->capa_text;
    case POP3CHECK_TEXT_TLS_VERSION:
        return r->tls_version;
    case POP3CHECK_TEXT_PEER_IP:
        return r->peer_ip;
    case POP3CHECK_TEXT_SMTP_ENHANCED:
        return r->smtp_enhanced;
    case POP3CHECK_TEXT_SMTP_SERVER:
        return r->smtp_server;
    case POP3CHECK_TEXT_RECEIVED:
        return r->received;
    case POP3CHECK_TEXT_PROBE_ID:
        return r->probe_id;
    case POP3CHECK_TEXT_AGE:
        return r->age_text;
    }
    return "";
}

double pop3check_result_cert_days_left(const struct pop3check_result *r)
{
    return (double)(r->cert_not_after - r->started_at) / 86400.0;
}
