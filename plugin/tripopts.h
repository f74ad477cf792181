/* SPDX-License-Identifier: MIT */
/* tripopts.h - check_pop3's round-trip options (tripopts.c): where to
 * submit the probe message and how, how often to look for it, what a
 * late one means. */
#ifndef CHECK_POP3_TRIPOPTS_H
#define CHECK_POP3_TRIPOPTS_H

#include <getopt.h>
#include <stddef.h>

#include "options.h"

/* getopt_long values of the round-trip options (after options.c's). */
enum {
    TRIP_OPT_FIRST = 400,
    TRIP_OPT_SMTP_HOST = TRIP_OPT_FIRST,
    TRIP_OPT_SMTP_PORT,
    TRIP_OPT_SMTP_TLS,
    TRIP_OPT_SMTP_USER,
    TRIP_OPT_SMTP_PASSWORD_FILE,
    TRIP_OPT_SMTP_AUTH,
    TRIP_OPT_MAIL_FROM,
    TRIP_OPT_RCPT_TO,
    TRIP_OPT_SUBJECT,
    TRIP_OPT_POLL,
    TRIP_OPT_CHECK_NAME,
    TRIP_OPT_KEY_FILE,
    TRIP_OPT_DELIVERY_WARN,
    TRIP_OPT_DELIVERY_CRIT,
    TRIP_OPT_NOT_DELIVERED,
    TRIP_OPT_LAST = TRIP_OPT_NOT_DELIVERED
};

/* The getopt_long entries, for options.c's table. */
#define TRIP_LONGOPTS                                                          \
    {"smtp-host", required_argument, NULL, TRIP_OPT_SMTP_HOST},                \
        {"smtp-port", required_argument, NULL, TRIP_OPT_SMTP_PORT},            \
        {"smtp-tls", required_argument, NULL, TRIP_OPT_SMTP_TLS},              \
        {"smtp-user", required_argument, NULL, TRIP_OPT_SMTP_USER},            \
        {"smtp-password-file", required_argument, NULL,                        \
         TRIP_OPT_SMTP_PASSWORD_FILE},                                         \
        {"smtp-auth", required_argument, NULL, TRIP_OPT_SMTP_AUTH},            \
        {"mail-from", required_argument, NULL, TRIP_OPT_MAIL_FROM},            \
        {"rcpt-to", required_argument, NULL, TRIP_OPT_RCPT_TO},                \
        {"subject", required_argument, NULL, TRIP_OPT_SUBJECT},                \
        {"poll-interval", required_argument, NULL, TRIP_OPT_POLL},             \
        {"check-name", required_argument, NULL, TRIP_OPT_CHECK_NAME},          \
        {"probe-key-file", required_argument, NULL, TRIP_OPT_KEY_FILE},        \
        {"delivery-warning", required_argument, NULL, TRIP_OPT_DELIVERY_WARN}, \
        {"delivery-critical", required_argument, NULL,                         \
         TRIP_OPT_DELIVERY_CRIT},                                              \
    {                                                                          \
        "not-delivered", required_argument, NULL, TRIP_OPT_NOT_DELIVERED       \
    }

/* What the round-trip options give as text, set once all are read. */
struct trip_args {
    const char *smtp_host, *smtp_user, *smtp_pwfile, *smtp_auth;
    const char *mail_from, *rcpt_to, *subject, *check_name, *keyfile;
    int given; /* any round-trip option */
};

/* One round-trip option c with its argument. 0, or -1 with a message. */
int trip_opt(int c, const char *arg, struct plugin_opts *o, struct trip_args *t,
             char *err, size_t errlen);
/* After the whole command line: checks the round trip as a whole, reads
 * the SMTP password (file, or env_smtp_password) and the key file, sets
 * the texts. 0, or -1 with a message. */
int trip_finish(struct plugin_opts *o, const struct trip_args *t,
                const char *env_smtp_password, char *err, size_t errlen);

#endif
