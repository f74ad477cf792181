/* SPDX-License-Identifier: MIT */
/* pop3notify.h - the notifications of POP3-MONITOR-MIB: which ones a
 * target's new result calls for, sent with their objects through
 * Net-SNMP. Agent thread only. */
#ifndef P3M_NOTIFY_H
#define P3M_NOTIFY_H

#include "pop3mib.h"

/* What the notifications of one target follow; p3m_notes_init first. */
struct p3m_notes {
    int failing;          /* critical or unknown; -1 before the first */
    int delivery_failing; /* see p3m_delivery_note */
};

void p3m_notes_init(struct p3m_notes *n);

/* After row v, whose index is idx (idx_len sub-identifiers), has taken a
 * new result: sends pop3ProbeFailed or pop3ProbeRecovered when the
 * verdict changed, pop3ProbeDeliveryFailed or pop3ProbeDeliveryRecovered
 * when the delivery did. A notification that cannot be built (out of
 * memory) is not sent. */
void p3m_notify(struct p3m_notes *n, const struct p3m_row *v, const oid *idx,
                size_t idx_len);

#endif
