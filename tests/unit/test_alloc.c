/* SPDX-License-Identifier: MIT */
/* test_alloc.c - allocation failure in the core: each allocation of the
 * library, then each of libcurl's (through curl_global_init_mem), fails
 * in turn; the probe must end with a clean error, never crash, leak or
 * report success. Built with -DP3_ALLOC_TEST. The probe only goes to
 * 127.0.0.1 port 1, where nothing listens. */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static long curl_budget = -1;
static int timeouts; /* probes that ended at their deadline */

static int curl_denied(void)
{
    if (curl_budget < 0)
        return 0;
    if (curl_budget == 0)
        return 1;
    curl_budget--;
    return 0;
}

static void *t_malloc(size_t n)
{
    return curl_denied() ? NULL : malloc(n);
}

static void *t_realloc(void *p, size_t n)
{
    return curl_denied() ? NULL : realloc(p, n);
}

static char *t_strdup(const char *s)
{
    return curl_denied() ? NULL : strdup(s);
}

static void *t_calloc(size_t n, size_t size)
{
    return curl_denied() ? NULL : calloc(n, size);
}

static const struct pop3check_options opts = {
    .host = "127.0.0.1",
    .port = 1,
    .user = "tim",
    .password = "tanstaaf",
    .cafile = "/nonexistent/ca.pem",
    .sni = "localhost",
    .tls = POP3CHECK_TLS_STLS,
    .timeout_ms = 300,
};

static void test_alloc_probe_new_fails_cleanly(void **state)
{
    int succeeded = 0;

    (void)state;
    for (long n = 0; n < 50 && !succeeded; n++) {
        char err[128] = "";
        p3_alloc_test_fail_after(n);
        struct pop3check_probe *p = pop3check_probe_new(&opts, err, sizeof err);
        p3_alloc_test_fail_after(-1);
        if (p == NULL) {
            assert_string_equal(err, "out of memory");
            continue;
        }
        succeeded = 1;
        pop3check_probe_free(p);
    }
    assert_true(succeeded);
}

static void test_alloc_multi_new_fails_cleanly(void **state)
{
    (void)state;
    p3_alloc_test_fail_after(0);
    assert_null(pop3check_multi_new());
    p3_alloc_test_fail_after(-1);
}

static void test_alloc_session_new_fails_cleanly(void **state)
{
    struct pop3check_result r;
    struct p3_sess_config cfg = {.user = "tim", .password = "x"};

    (void)state;
    p3_alloc_test_fail_after(0);
    assert_null(p3_session_new(&cfg, &r, "", 0));
    p3_alloc_test_fail_after(-1);
}

/* Runs the probe with the n-th allocation failing; 1 once none failed. */
static int run_once(long core_n, long curl_n)
{
    struct pop3check_probe *p;
    struct pop3check_result r;
    char err[128];
    int denied;

    p = pop3check_probe_new(&opts, err, sizeof err);
    assert_non_null(p);
    p3_alloc_test_fail_after(core_n);
    curl_budget = curl_n;
    pop3check_probe_run(p, &r);
    denied = curl_budget == 0;
    curl_budget = -1;
    p3_alloc_test_fail_after(-1);
    pop3check_probe_free(p);
    /* Nothing listens there: never a success. Our own failures are
     * reported at once; some of libcurl's are silent inside it, and then
     * the deadline must still hold. */
    assert_int_not_equal(r.error, POP3CHECK_E_OK);
    if (r.error == POP3CHECK_E_TIMEOUT) {
        assert_true(core_n < 0);
        assert_true(r.phase_us[POP3CHECK_PHASE_TOTAL] <
                    (int64_t)(opts.timeout_ms + 500) * 1000);
        timeouts++;
    }
    assert_true(r.error_text[0] != '\0');
    assert_true(r.phase_us[POP3CHECK_PHASE_TOTAL] >= -1);
    return !denied && r.error == POP3CHECK_E_CONNECT;
}

static void test_alloc_probe_run_core_failures(void **state)
{
    (void)state;
    for (long n = 0; n < 20; n++)
        run_once(n, -1);
}

static void test_alloc_probe_run_curl_failures(void **state)
{
    int clean = 0;
    long n;

    (void)state;
    for (n = 0; n < 2000 && !clean; n++)
        clean = run_once(-1, n);
    assert_true(clean); /* the loop reached a run with nothing denied */
    print_message("libcurl allocations per probe: %ld, ended by the "
                  "deadline: %d\n",
                  n - 1, timeouts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_probe_new_fails_cleanly),
        cmocka_unit_test(test_alloc_multi_new_fails_cleanly),
        cmocka_unit_test(test_alloc_session_new_fails_cleanly),
        cmocka_unit_test(test_alloc_probe_run_core_failures),
        cmocka_unit_test(test_alloc_probe_run_curl_failures),
    };
    int rc;

    if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, t_malloc, free, t_realloc,
                             t_strdup, t_calloc) != CURLE_OK)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
