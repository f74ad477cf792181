/* SPDX-License-Identifier: MIT */
/* fuzz_target.c - libFuzzer target: the target= value of a /probe query
 * (after libmicrohttpd has decoded it), and whether a module holding
 * credentials allows it. */
#include <stdint.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char *allowed[] = {"mail.example.org", "127.0.0.1:110", "[::1]:995",
                              "*"};
    struct p3x_module m = {0};
    char text[1024], host[256];
    unsigned port = 0;

    if (size >= sizeof text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (p3x_target_parse(text, host, sizeof host, &port) != 0)
        return 0;
    if (strlen(host) == 0 || strlen(host) >= sizeof host || port > 65535)
        __builtin_trap();
    m.opts.user = "monitor";
    m.allowed = allowed;
    m.nallowed = 3; /* not "*": a module with credentials */
    (void)p3x_module_allows(&m, host, port);
    m.opts.user = NULL;
    m.nallowed = 4;
    (void)p3x_module_allows(&m, host, port);
    return 0;
}
