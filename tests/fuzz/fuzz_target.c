/* SPDX-License-Identifier: MIT */
/* fuzz_target.c - libFuzzer target: the target= value of a /probe query
 * as it comes in the URL, decoded as libmicrohttpd decodes a query value
 * ('+' to a space, then its own MHD_http_unescape, which gives the
 * length: a %00 stays a byte of the value); refused if it holds a
 * control character, as /probe does; else parsed, whether a module
 * holding credentials allows it, and the port a probe would go to. The
 * parser must see the whole value. */
#include <microhttpd.h>
#include <stdint.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The options of a module with credentials and of one without, made once
 * (the fuzzer never frees them). */
static struct pop3check_options *options(int with_user)
{
    static struct pop3check_options *o[2];

    if (o[with_user] == NULL) {
        o[with_user] = pop3check_options_new();
        if (o[with_user] == NULL ||
            pop3check_options_set_long(o[with_user], POP3CHECK_OPT_TLS,
                                       with_user ? POP3CHECK_TLS_IMPLICIT
                                                 : POP3CHECK_TLS_NONE) != 0 ||
            (with_user &&
             pop3check_options_set_str(o[with_user], POP3CHECK_OPT_USER,
                                       "monitor") != 0))
            __builtin_trap();
    }
    return o[with_user];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char *allowed[] = {"mail.example.org", "127.0.0.1:110", "[::1]:995",
                              "*"};
    struct p3x_module m = {0};
    char text[1024], host[256];
    unsigned port = 0;
    size_t n;

    /* A raw NUL or line end cannot be part of a request line. */
    if (size >= sizeof text || memchr(data, '\0', size) ||
        memchr(data, '\n', size) || memchr(data, '\r', size))
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    for (char *c = text; *c; c++)
        if (*c == '+')
            *c = ' ';
    n = MHD_http_unescape(text);
    if (p3x_control_char(text, n) != NULL)
        return 0; /* 400, never parsed */
    if (strlen(text) != n)
        __builtin_trap(); /* a NUL got past the rule */
    if (p3x_target_parse(text, host, sizeof host, &port) != 0)
        return 0;
    if (strlen(host) == 0 || strlen(host) >= sizeof host || port > 65535)
        __builtin_trap();
    m.opts = options(1);
    m.allowed = allowed;
    m.nallowed = 3; /* not "*": a module with credentials */
    (void)p3x_module_allows(&m, host, port);
    if (p3x_module_port(&m, port) != (port ? port : 995))
        __builtin_trap();
    m.opts = options(0);
    m.nallowed = 4;
    if (!p3x_module_allows(&m, host, port) ||
        p3x_module_port(&m, port) != (port ? port : 110))
        __builtin_trap();
    return 0;
}
