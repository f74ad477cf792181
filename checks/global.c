/* SPDX-License-Identifier: MIT */
/* global.c - the process-wide set-up: libcurl's global state, and the
 * check that the libcurl in use is one the library works with. */
#include <string.h>

#include "conn.h"

/* The oldest libcurl the tests have run against (Debian 12's); older
 * ones lack CURLOPT_PROTOCOLS_STR (7.85) and CURLOPT_QUICK_EXIT (7.87). */
#define P3_CURL_MIN     0x075801
#define P3_CURL_MIN_STR "7.88.1"
/* (defined: a static analyser without libcurl's headers reads this too) */
#if defined(LIBCURL_VERSION_NUM) && LIBCURL_VERSION_NUM < P3_CURL_MIN
#error "libpop3check needs libcurl 7.88.1 or later"
#endif

int p3_curl_check(const curl_version_info_data *v, char *err, size_t errlen)
{
    int pop3 = 0, pop3s = 0;

    for (const char *const *p = v->protocols; p && *p; p++) {
        pop3 |= strcmp(*p, "pop3") == 0;
        pop3s |= strcmp(*p, "pop3s") == 0;
    }
    if (v->version_num < P3_CURL_MIN)
        p3_format(err, errlen,
                  "libcurl %s is too old: libpop3check needs " P3_CURL_MIN_STR
                  " or later",
                  v->version);
    else if (!pop3 || !pop3s)
        p3_format(err, errlen,
                  "libcurl %s was built without POP3 or POP3S: install one "
                  "that has both (Debian: libcurl4)",
                  v->version);
    else if (v->ssl_version == NULL || strncmp(v->ssl_version, "OpenSSL", 7))
        p3_format(err, errlen,
                  "libcurl %s uses %s for TLS: libpop3check needs its OpenSSL "
                  "build (Debian: libcurl4, not libcurl3-gnutls)",
                  v->version, v->ssl_version ? v->ssl_version : "nothing");
    else
        return 0;
    return -1;
}

int pop3check_global_init(char *err, size_t errlen)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        p3_format(err, errlen, "cannot initialise libcurl");
        return -1;
    }
    if (p3_curl_check(curl_version_info(CURLVERSION_NOW), err, errlen) == 0)
        return 0;
    curl_global_cleanup();
    return -1;
}

void pop3check_global_cleanup(void)
{
    curl_global_cleanup();
}
