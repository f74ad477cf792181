/* SPDX-License-Identifier: MIT */
/* fuzz_config.c - libFuzzer target: the YAML configuration shared by
 * pop3_exporter and the SNMP agent (config.c, config_module.c,
 * config_trip.c, config_yaml.c). A file is accepted or refused with one line
 * that says where and why; nothing in between. */
#include <stdint.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct p3x_config *c = NULL;
    char err[512];

    err[0] = '\0';
    if (p3x_config_parse((const char *)data, size, "fuzz.yml", &c, err,
                         sizeof err) == 0) {
        if (c == NULL)
            __builtin_trap();
        for (size_t i = 0; i < c->ntargets; i++)
            if (c->targets[i].module == NULL ||
                strlen(c->targets[i].name) > P3X_TARGET_NAME_MAX)
                __builtin_trap();
        p3x_config_free(c);
    } else if (c != NULL || err[0] == '\0' || strchr(err, '\n') != NULL) {
        __builtin_trap();
    }
    return 0;
}
