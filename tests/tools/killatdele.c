/* SPDX-License-Identifier: MIT */
/* killatdele.c - a round trip that dies by SIGKILL at the worst moment:
 * its DELE has been answered +OK, QUIT is not sent yet. Takes check_pop3's
 * options (its parser), so that the round-trip test can prove that such a
 * death deletes nothing (RFC 1939: only QUIT enters the UPDATE state).
 * Exits 1 if the round trip ended without ever reaching a DELE. */
#define _DEFAULT_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

static void on_trace(void *ctx, enum pop3check_trace_dir dir, const char *line,
                     size_t len)
{
    static const char deleted[] = "deleted at QUIT";

    (void)ctx;
    if (dir == POP3CHECK_TRACE_INFO && len >= sizeof deleted - 1 &&
        memcmp(line + len - (sizeof deleted - 1), deleted,
               sizeof deleted - 1) == 0)
        kill(getpid(), SIGKILL);
}

int main(int argc, char **argv)
{
    struct plugin_opts o;
    struct pop3check_probe *p;
    char err[512];

    if (plugin_parse(argc, argv, getenv("POP3_PASSWORD"), &o, err,
                     sizeof err) != 0 ||
        pop3check_global_init(err, sizeof err) != 0) {
        fprintf(stderr, "killatdele: %s\n", err);
        return 2;
    }
    pop3check_options_set_trace(o.probe, on_trace, NULL);
    if ((p = pop3check_probe_new(o.probe, err, sizeof err)) == NULL) {
        fprintf(stderr, "killatdele: %s\n", err);
        return 2;
    }
    printf("%s\n",
           pop3check_result_text(pop3check_probe_run(p), POP3CHECK_TEXT_ERROR));
    pop3check_probe_free(p);
    plugin_opts_free(&o);
    pop3check_global_cleanup();
    return 1; /* never got to a DELE */
}
