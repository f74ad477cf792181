/* SPDX-License-Identifier: MIT */
/* pop3mib.h - the cells of POP3-MONITOR-MIB's pop3ProbeEntry: the OIDs,
 * the column numbers and the value of each cell of a target's row, from
 * the target's configuration and its last result (read by the library's
 * getters); what a round trip's result says of its probe message and
 * when that calls for a notification. No state, no I/O: pop3monitor.c
 * keeps the rows, pop3notify.c sends the notifications. */
#ifndef P3M_MIB_H
#define P3M_MIB_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <stdint.h>
#include <time.h>

#include "config.h"

/* netsnmpPlaypen.110 until the project has an enterprise number: the only
 * OID to change when it moves (with the MIB's MODULE-IDENTITY). */
#define POP3MON_ROOT 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 110

/* The columns of pop3ProbeEntry, each by its number in the MIB: a number
 * is published and never changes (1, the name, is the index). */
enum p3m_column {
    P3M_HOST = 2,                /* pop3ProbeTargetHost */
    P3M_PORT = 3,                /* pop3ProbeTargetPort */
    P3M_TLS = 4,                 /* pop3ProbeTlsMode */
    P3M_INTERVAL = 5,            /* pop3ProbeInterval */
    P3M_TIMEOUT = 6,             /* pop3ProbeTimeout */
    P3M_STATUS = 7,              /* pop3ProbeLastStatus */
    P3M_SUCCESS = 8,             /* pop3ProbeLastSuccess */
    P3M_TIME = 9,                /* pop3ProbeLastTime */
    P3M_FAILED_PHASE = 10,       /* pop3ProbeLastFailedPhase */
    P3M_ERROR_TEXT = 11,         /* pop3ProbeLastErrorText */
    P3M_ADDR_TYPE = 12,          /* pop3ProbeAddressType */
    P3M_ADDR = 13,               /* pop3ProbeAddress */
    P3M_PHASES = 14,             /* pop3ProbePhasesCompleted */
    P3M_RESOLVE_TIME = 15,       /* pop3ProbeResolveTime */
    P3M_CONNECT_TIME = 16,       /* pop3ProbeConnectTime */
    P3M_TLS_TIME = 17,           /* pop3ProbeTlsTime */
    P3M_GREETING_TIME = 18,      /* pop3ProbeGreetingTime */
    P3M_CAPA_TIME = 19,          /* pop3ProbeCapaTime */
    P3M_STLS_TIME = 20,          /* pop3ProbeStlsTime */
    P3M_AUTH_TIME = 21,          /* pop3ProbeAuthTime */
    P3M_STAT_TIME = 22,          /* pop3ProbeStatTime */
    P3M_LIST_TIME = 23,          /* pop3ProbeListTime */
    P3M_UIDL_TIME = 24,          /* pop3ProbeUidlTime */
    P3M_TOP_TIME = 25,           /* pop3ProbeTopTime */
    P3M_RETR_TIME = 26,          /* pop3ProbeRetrTime */
    P3M_QUIT_TIME = 27,          /* pop3ProbeQuitTime */
    P3M_TOTAL_TIME = 28,         /* pop3ProbeTotalTime */
    P3M_MESSAGES = 29,           /* pop3ProbeMailboxMessages */
    P3M_OCTETS = 30,             /* pop3ProbeMailboxOctets */
    P3M_TLS_VERSION = 31,        /* pop3ProbeTlsVersion */
    P3M_CERT_EXPIRY = 32,        /* pop3ProbeTlsCertExpiry */
    P3M_RUNS = 33,               /* pop3ProbeRuns */
    P3M_FAILURES = 34,           /* pop3ProbeFailures */
    P3M_RESOLVE_ERRORS = 35,     /* pop3ProbeResolveErrors */
    P3M_CONNECT_ERRORS = 36,     /* pop3ProbeConnectErrors */
    P3M_TIMEOUTS = 37,           /* pop3ProbeTimeouts */
    P3M_TLS_ERRORS = 38,         /* pop3ProbeTlsErrors */
    P3M_CERTIFICATE_ERRORS = 39, /* pop3ProbeCertificateErrors */
    P3M_PROTOCOL_ERRORS = 40,    /* pop3ProbeProtocolErrors */
    P3M_AUTH_ERRORS = 41,        /* pop3ProbeAuthErrors */
    P3M_COMMAND_ERRORS = 42,     /* pop3ProbeCommandErrors */
    P3M_INTERNAL_ERRORS = 43,    /* pop3ProbeInternalErrors */
    P3M_DISCONTINUITY = 44,      /* pop3ProbeDiscontinuityTime */
    P3M_ERROR_KIND = 45,         /* pop3ProbeLastErrorKind */
    P3M_SMTP_RESOLVE_TIME = 46,  /* pop3ProbeSmtpResolveTime */
    P3M_SMTP_CONNECT_TIME = 47,  /* pop3ProbeSmtpConnectTime */
    P3M_SMTP_TLS_TIME = 48,      /* pop3ProbeSmtpTlsTime */
    P3M_SMTP_GREETING_TIME = 49, /* pop3ProbeSmtpGreetingTime */
    P3M_SMTP_AUTH_TIME = 50,     /* pop3ProbeSmtpAuthTime */
    P3M_SMTP_SUBMIT_TIME = 51,   /* pop3ProbeSmtpSubmitTime */
    P3M_DELIVERY_TIME = 52,      /* pop3ProbeDeliveryTime */
    P3M_DELE_TIME = 53,          /* pop3ProbeDeleTime */
    P3M_NOT_DELIVERED = 54,      /* pop3ProbeNotDelivered */
    P3M_ROUND_TRIP = 55,         /* pop3ProbeRoundTrip */
    P3M_LAST_DELIVERY = 56,      /* pop3ProbeLastDelivery */
    P3M_DELIVERIES = 57,         /* pop3ProbeDeliveries */
    P3M_SUBMIT_FAILURES = 58,    /* pop3ProbeSubmissionFailures */
    P3M_STALE_CLEANED = 59,      /* pop3ProbeStaleCleaned */
    P3M_LAST_POLLS = 60,         /* pop3ProbeLastPolls */
    P3M_TOKEN_TIME = 61,         /* pop3ProbeTokenTime */
    P3M_OLDEST_AGE = 62,         /* pop3ProbeOldestMessageAge */
    P3M_NEWEST_AGE = 63,         /* pop3ProbeNewestMessageAge */
    P3M_UNDATED = 64,            /* pop3ProbeUndatedMessages */
    P3M_LONGEST_WAIT = 65,       /* pop3ProbeLongestWait */
    P3M_FIRST = P3M_HOST,
    P3M_LAST = P3M_LONGEST_WAIT
};

/* Pop3ProbeDelivery: what a round trip's result says of its message. */
enum p3m_delivery {
    P3M_DLV_NONE = 1,              /* no round trip's result */
    P3M_DLV_DELIVERED = 2,         /* seen in the mailbox */
    P3M_DLV_NOT_DELIVERED = 3,     /* accepted, not seen in time */
    P3M_DLV_SUBMISSION_FAILED = 4, /* failed in an smtp_* phase */
    P3M_DLV_MAILBOX_FAILED = 5     /* a poll failed before it was seen */
};

/* A target's round trip counters, summed over its results. */
struct p3m_trip {
    unsigned long deliveries;          /* P3M_DLV_DELIVERED */
    unsigned long submission_failures; /* P3M_DLV_SUBMISSION_FAILED */
    unsigned long stale_cleaned;       /* earlier probes deleted */
};

/* What the row of one target shows. Borrowed pointers. */
struct p3m_row {
    const struct p3x_target *ct;              /* the configured target */
    const struct pop3check_result *r;         /* the last result taken */
    int have;                                 /* a probe has completed */
    enum pop3check_state state;               /* the verdict of r */
    unsigned long runs;                       /* probes completed */
    unsigned long errors[POP3CHECK_E_KNOWN];  /* failed probes by kind */
    int64_t messages, octets, cert_not_after; /* last known, -1 before */
    time_t counters_since; /* when the counters started at 0 */
    struct p3m_trip trip;  /* round trips' counters */
};

#define P3M_NO_VALUE  (-1) /* see p3m_cell */
#define P3M_NO_MEMORY (-2)

/* Sets vb's value to the cell of column col of w. 0; P3M_NO_VALUE when
 * the cell has none (an unknown column, or a value of a newer library
 * that the MIB cannot express), vb then unchanged; P3M_NO_MEMORY when
 * Net-SNMP could not store the value. */
int p3m_cell(netsnmp_variable_list *vb, const struct p3m_row *w, int col);

/* What r says of a round trip's probe message: P3M_DLV_NONE for NULL and
 * for the result of a probe that is no round trip. */
enum p3m_delivery p3m_delivery(const struct pop3check_result *r);

/* Adds what the round trip r did to c (nothing for other probes). */
void p3m_trip_add(struct p3m_trip *c, const struct pop3check_result *r);

/* The notification a target's new delivery d calls for, as the MIB's
 * pop3ProbeDeliveryFailed and pop3ProbeDeliveryRecovered say: 1 failed,
 * 2 recovered, 0 none. *failing is the target's state (-1 before any
 * delivery or failed submission, then 1 while failing, 0 while
 * delivered), updated; none(1) and mailboxFailed(5) leave it as it is. */
#define P3M_NOTE_DELIVERY_FAILED    1
#define P3M_NOTE_DELIVERY_RECOVERED 2
int p3m_delivery_note(int *failing, enum p3m_delivery d);

#endif
