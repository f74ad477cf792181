/* SPDX-License-Identifier: MIT */
/* tripfigs.c - runs check_pop3's round trip (its options) N times in a
 * row and prints, per run, what the delivery-accuracy benchmark compares
 * with the Maildir: "delivered delivery_us submitted_at_ms polls poll_ms".
 * Usage: tripfigs N CHECK_POP3_OPTIONS... */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "options.h"

static long long fig(const struct pop3check_result *r, enum pop3check_figure f)
{
    return (long long)pop3check_result_figure(r, f);
}

int main(int argc, char **argv)
{
    struct plugin_opts o;
    struct pop3check_probe *p;
    char err[512];
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 0;

    if (n < 1 ||
        plugin_parse(argc - 1, argv + 1, getenv("POP3_PASSWORD"), &o, err,
                     sizeof err) != 0 ||
        pop3check_global_init(err, sizeof err) != 0 ||
        (p = pop3check_probe_new(o.probe, err, sizeof err)) == NULL) {
        fprintf(stderr, "tripfigs: %s\n",
                n < 1 ? "usage: tripfigs N OPTIONS" : err);
        return 2;
    }
    for (long i = 0; i < n; i++) {
        const struct pop3check_result *r = pop3check_probe_run(p);
        printf(
            "%lld %lld %lld %lld %lld\n", fig(r, POP3CHECK_FIG_DELIVERED),
            (long long)pop3check_result_phase_us(r, POP3CHECK_PHASE_DELIVERY),
            fig(r, POP3CHECK_FIG_SUBMITTED_AT), fig(r, POP3CHECK_FIG_POLLS),
            fig(r, POP3CHECK_FIG_POLL_MS));
        fflush(stdout);
    }
    pop3check_probe_free(p);
    plugin_opts_free(&o);
    pop3check_global_cleanup();
    return 0;
}
