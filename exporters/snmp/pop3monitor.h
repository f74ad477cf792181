/* SPDX-License-Identifier: MIT */
/* pop3monitor.h - the Net-SNMP module serving POP3-MONITOR-MIB, for the
 * AgentX subagent (agent.c) and for snmpd's dlmod (pop3monitor.so). */
#ifndef POP3MONITOR_H
#define POP3MONITOR_H

#include <stddef.h>

#define POP3MON_DEFAULT_CONFIG "/etc/pop3check/pop3check.yml"

#if defined(__GNUC__)
#define POP3MON_API __attribute__((visibility("default")))
#else
#define POP3MON_API
#endif

/* Net-SNMP's module entry points (dlmod calls them by these names).
 * init registers pop3ProbeTable and the snmpd.conf token
 * "pop3monitorConfig FILE"; the probes start from an alarm, that is once
 * the agent runs its loop (after snmpd has forked). */
POP3MON_API void init_pop3monitor(void);
POP3MON_API void deinit_pop3monitor(void);

/* For the subagent: reads and checks the YAML config now, so that a bad
 * file stops it at start. -1 with "FILE:LINE: KEY: what" in err. */
int pop3monitor_load(const char *path, char *err, size_t errlen);

#endif
