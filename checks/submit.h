/* SPDX-License-Identifier: MIT */
/* submit.h - the rest of a round trip's SMTP dialog once libcurl has
 * greeted and authenticated (submit.c): MAIL FROM, RCPT TO, DATA, the
 * message, QUIT; a state machine without I/O, driven by dialog.c. */
#ifndef POP3CHECK_SUBMIT_H
#define POP3CHECK_SUBMIT_H

#include "dialog.h"
#include "internal.h"

struct p3_submit;

/* A submission of message (copied: RFC 5322 text with CRLF line ends and
 * no line that starts with '.') from from to to (borrowed), writing into
 * r. NULL when out of memory. */
struct p3_submit *p3_submit_new(const char *from, const char *to,
                                const char *message, size_t len,
                                struct pop3check_result *r,
                                pop3check_trace_fn *trace, void *trace_ctx);
void p3_submit_free(struct p3_submit *s);
/* The dialog's view of it. */
extern const struct p3_dialog_ops p3_submit_ops;
/* 1 once the server took the message (its 250 after the data), and when
 * (monotonic us). */
int p3_submit_accepted(const struct p3_submit *s, int64_t *at);
/* The phase a timeout falls in. */
enum pop3check_phase p3_submit_phase(const struct p3_submit *s);

#endif
