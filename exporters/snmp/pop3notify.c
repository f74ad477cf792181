/* SPDX-License-Identifier: MIT */
/* pop3notify.c - the notifications of POP3-MONITOR-MIB: pop3ProbeFailed
 * and pop3ProbeRecovered on a change of a target's verdict,
 * pop3ProbeDeliveryFailed and pop3ProbeDeliveryRecovered on a change of
 * what its round trips' messages became (pop3mib.c decides); each with
 * the OBJECTS the MIB gives it, as SNMPv2 notifications (RFC 3416). */
#define _DEFAULT_SOURCE
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <string.h>

#include "pop3notify.h"

static const oid entry_oid[] = {POP3MON_ROOT, 1, 1, 1};
static const oid snmptrap_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};
#define ENTRY_LEN OID_LENGTH(entry_oid)
#define NCOLS     6

/* A notification: its number under pop3MonitorNotifications and the
 * columns of its OBJECTS, 0-terminated. */
static const struct note {
    oid num;
    int cols[NCOLS + 1];
} failed = {1,
            {P3M_HOST, P3M_PORT, P3M_STATUS, P3M_FAILED_PHASE, P3M_ERROR_KIND,
             P3M_ERROR_TEXT, 0}},
  recovered = {2, {P3M_HOST, P3M_PORT, P3M_STATUS, 0}},
  delivery_failed = {3,
                     {P3M_HOST, P3M_PORT, P3M_LAST_DELIVERY, P3M_FAILED_PHASE,
                      P3M_ERROR_KIND, P3M_ERROR_TEXT, 0}},
  delivery_recovered = {
      4, {P3M_HOST, P3M_PORT, P3M_LAST_DELIVERY, P3M_DELIVERY_TIME, 0}};

static void send_note(const struct note *nt, const struct p3m_row *v,
                      const oid *idx, size_t idx_len)
{
    const oid trap[] = {POP3MON_ROOT, 0, nt->num};
    netsnmp_variable_list *vars = NULL;
    oid name[MAX_OID_LEN];

    if (ENTRY_LEN + 1 + idx_len > MAX_OID_LEN ||
        snmp_varlist_add_variable(&vars, snmptrap_oid, OID_LENGTH(snmptrap_oid),
                                  ASN_OBJECT_ID, (const u_char *)trap,
                                  sizeof trap) == NULL)
        return;
    memcpy(name, entry_oid, sizeof entry_oid);
    memcpy(name + ENTRY_LEN + 1, idx, idx_len * sizeof(oid));
    for (const int *c = nt->cols; *c != 0; c++) {
        netsnmp_variable_list *vb;

        name[ENTRY_LEN] = (oid)*c;
        vb = snmp_varlist_add_variable(&vars, name, ENTRY_LEN + 1 + idx_len,
                                       ASN_NULL, NULL, 0);
        /* these columns always have a value: only memory can fail */
        if (vb == NULL || p3m_cell(vb, v, *c) != 0) {
            snmp_free_varbind(vars);
            return;
        }
    }
    send_v2trap(vars);
    snmp_free_varbind(vars);
}

void p3m_notes_init(struct p3m_notes *n)
{
    n->failing = -1;
    n->delivery_failing = -1;
}

void p3m_notify(struct p3m_notes *n, const struct p3m_row *v, const oid *idx,
                size_t idx_len)
{
    int failing = v->state == POP3CHECK_STATE_CRITICAL ||
                  v->state == POP3CHECK_STATE_UNKNOWN;
    int note = p3m_delivery_note(&n->delivery_failing,
                                 p3m_delivery(v->have ? v->r : NULL));

    if (failing != n->failing && (n->failing >= 0 || failing))
        send_note(failing ? &failed : &recovered, v, idx, idx_len);
    n->failing = failing;
    if (note == P3M_NOTE_DELIVERY_FAILED)
        send_note(&delivery_failed, v, idx, idx_len);
    else if (note == P3M_NOTE_DELIVERY_RECOVERED)
        send_note(&delivery_recovered, v, idx, idx_len);
}
