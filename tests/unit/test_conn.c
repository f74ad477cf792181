/* SPDX-License-Identifier: MIT */
/* test_conn.c - what pop3check_global_init() asks of libcurl
 * (p3_curl_check): the version the tests have run against, POP3 and
 * POP3S, OpenSSL; and the libcurl of this build passes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "conn.h"

static const char *const both[] = {"http", "pop3", "pop3s", NULL};
static const char *const plain_only[] = {"http", "pop3", NULL};

static curl_version_info_data info(unsigned num, const char *ver,
                                   const char *ssl,
                                   const char *const *protocols)
{
    curl_version_info_data v;

    memset(&v, 0, sizeof v);
    v.version_num = num;
    v.version = ver;
    v.ssl_version = ssl;
    v.protocols = protocols;
    return v;
}

static void test_conn_curl_ok(void **state)
{
    curl_version_info_data v = info(0x075801, "7.88.1", "OpenSSL/3.0.17", both);
    char err[200] = "unchanged";

    (void)state;
    assert_int_equal(p3_curl_check(&v, err, sizeof err), 0);
    v = info(0x080e01, "8.14.1", "OpenSSL/3.5.1", both);
    assert_int_equal(p3_curl_check(&v, err, sizeof err), 0);
}

static void test_conn_curl_too_old(void **state)
{
    curl_version_info_data v = info(0x074a00, "7.74.0", "OpenSSL/1.1.1w", both);
    char err[200];

    (void)state;
    assert_int_equal(p3_curl_check(&v, err, sizeof err), -1);
    assert_string_equal(err, "libcurl 7.74.0 is too old: libpop3check needs "
                             "7.88.1 or later");
}

static void test_conn_curl_no_pop3s(void **state)
{
    curl_version_info_data v =
        info(0x075801, "7.88.1", "OpenSSL/3.0.17", plain_only);
    char err[200];

    (void)state;
    assert_int_equal(p3_curl_check(&v, err, sizeof err), -1);
    assert_non_null(strstr(err, "without POP3 or POP3S"));
}

static void test_conn_curl_gnutls(void **state)
{
    curl_version_info_data v = info(0x075801, "7.88.1", "GnuTLS/3.7.9", both);
    char err[200];

    (void)state;
    assert_int_equal(p3_curl_check(&v, err, sizeof err), -1);
    assert_string_equal(err, "libcurl 7.88.1 uses GnuTLS/3.7.9 for TLS: "
                             "libpop3check needs its OpenSSL build (Debian: "
                             "libcurl4, not libcurl3-gnutls)");
    v.ssl_version = NULL;
    assert_int_equal(p3_curl_check(&v, err, sizeof err), -1);
    assert_non_null(strstr(err, "uses nothing for TLS"));
}

static void test_conn_curl_this_build(void **state)
{
    char err[200] = "";

    (void)state;
    assert_int_equal(pop3check_global_init(err, sizeof err), 0);
    assert_string_equal(err, "");
    pop3check_global_cleanup();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conn_curl_ok),
        cmocka_unit_test(test_conn_curl_too_old),
        cmocka_unit_test(test_conn_curl_no_pop3s),
        cmocka_unit_test(test_conn_curl_gnutls),
        cmocka_unit_test(test_conn_curl_this_build),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
