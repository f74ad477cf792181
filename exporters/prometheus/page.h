/* SPDX-License-Identifier: MIT */
/* page.h - pop3_exporter's status page "/" (the scheduled targets, then
 * the recent /probe calls) and the text of /logs. */
#ifndef P3X_PAGE_H
#define P3X_PAGE_H

#include <stddef.h>
#include <time.h>

#include "history.h"
#include "schedule.h"

/* The status page at wall-clock time now: a malloc'd HTML document, NULL
 * when out of memory. Call with the lock of s and h held. */
char *p3x_page_html(const struct p3x_schedule *s, const struct p3x_history *h,
                    time_t now, size_t *len);

/* What one probe gave, for /logs: a malloc'd text, NULL when out of
 * memory. what names the probe ("target alpha"); transcript: only the
 * protocol lines of log, else the result in words and the whole log. */
char *p3x_page_log(const char *what, const char *host, const char *module,
                   const struct pop3check_result *r, enum pop3check_state st,
                   const char *reason, const struct p3x_log *log,
                   int transcript, size_t *len);

#endif
