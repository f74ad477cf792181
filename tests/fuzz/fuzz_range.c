/* SPDX-License-Identifier: MIT */
/* fuzz_range.c - libFuzzer target: a Monitoring Plugins threshold range
 * as a user writes it (-w/-c and the config's thresholds). An accepted
 * range is used against a few values and must fit its own text field. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "pop3check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[256];
    struct pop3check_range r;
    static const double values[] = {-1e300, -1, 0, 0.5, 1, 10, 1e300, NAN};

    if (size >= sizeof text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (pop3check_range_parse(text, &r) != 0)
        return 0;
    if (strlen(r.text) >= sizeof r.text)
        __builtin_trap();
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        (void)pop3check_range_alert(&r, values[i]);
    return 0;
}
