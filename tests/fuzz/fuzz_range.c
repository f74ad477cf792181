/* SPDX-License-Identifier: MIT */
/* fuzz_range.c - libFuzzer target: a Monitoring Plugins threshold range
 * as a user writes it (-w/-c and the config's thresholds). An accepted
 * range is used against a few values and must fit its own text field;
 * the public thresholds API accepts exactly what the parser accepts and
 * gives the text back as written. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pop3check_thresholds *thresholds(void)
{
    static struct pop3check_thresholds *t;

    if (t == NULL && (t = pop3check_thresholds_new()) == NULL)
        __builtin_trap();
    return t;
}

/* The public API agrees with the parser, and a refusal changes nothing. */
static void check_api(const char *text, int accepted)
{
    struct pop3check_thresholds *t = thresholds();
    const char *got;

    if (pop3check_thresholds_set(t, POP3CHECK_MEASURE_OCTETS,
                                 POP3CHECK_STATE_WARNING, "7:") != 0)
        __builtin_trap();
    if ((pop3check_thresholds_set(t, POP3CHECK_MEASURE_OCTETS,
                                  POP3CHECK_STATE_WARNING, text) == 0) !=
        accepted)
        __builtin_trap();
    got = pop3check_thresholds_get(t, POP3CHECK_MEASURE_OCTETS,
                                   POP3CHECK_STATE_WARNING);
    if (got == NULL || strcmp(got, accepted ? text : "7:") != 0)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[256];
    struct p3_range r, before;
    static const double values[] = {-1e300, -1, 0, 0.5, 1, 10, 1e300, NAN};
    int accepted;

    if (size >= sizeof text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    memset(&r, 0x5a, sizeof r);
    before = r;
    accepted = p3_range_parse(text, &r) == 0;
    check_api(text, accepted);
    if (!accepted) {
        if (memcmp(&r, &before, sizeof r) != 0)
            __builtin_trap(); /* "then *r is unchanged" */
        return 0;
    }
    if (!r.set || strlen(r.text) >= sizeof r.text || strcmp(r.text, text) != 0)
        __builtin_trap();
    if (!r.inside && !r.start_inf && !r.end_inf && r.start > r.end)
        __builtin_trap();
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        (void)p3_range_alert(&r, values[i]);
    return 0;
}
