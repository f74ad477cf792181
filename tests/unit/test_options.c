/* SPDX-License-Identifier: MIT */
/* test_options.c - unit tests of options.c: check_pop3's command line as
 * DESIGN.md gives it, with the Monitoring Plugins guidelines' reserved
 * options (-H -p -w -c -t -v -h -V) and one-line errors. */
#define _DEFAULT_SOURCE /* mkstemp, before any system header */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

#define MAX_ARGS 48

static struct plugin_opts opts;
static char err[512];
static char *argv_copy[MAX_ARGS + 2];

/* Runs plugin_parse on "check_pop3" followed by the NULL-terminated args. */
static int parse_args(const char *env, const char *const *args)
{
    int argc = 0;

    argv_copy[argc++] = "check_pop3";
    while (args[argc - 1] != NULL) {
        assert_true(argc <= MAX_ARGS);
        argv_copy[argc] = (char *)args[argc - 1];
        argc++;
    }
    argv_copy[argc] = NULL;
    memset(err, 0, sizeof err);
    return plugin_parse(argc, argv_copy, env, &opts, err, sizeof err);
}

#define PARSE(env, ...)                                                        \
    parse_args(env, (const char *const[]){__VA_ARGS__, NULL})

static void expect_ok(int rc)
{
    if (rc != 0)
        fail_msg("rejected: %s", err);
}

/* -1 and a one-line message that mentions needle (if not NULL). */
static void expect_error(int rc, const char *needle)
{
    if (rc != -1)
        fail_msg("accepted (rc %d), expected an error about '%s'", rc,
                 needle ? needle : "");
    if (err[0] == '\0')
        fail_msg("no message (expected one about '%s')", needle);
    if (strchr(err, '\n') != NULL)
        fail_msg("message has a newline: %s", err);
    if (needle != NULL && strstr(err, needle) == NULL)
        fail_msg("message '%s' does not mention '%s'", err, needle);
}

/* ---- defaults and every option ---- */

static void test_options_minimal(void **state)
{
    (void)state;
    expect_ok(PARSE(NULL, "-H", "mail.example.org"));
    assert_string_equal(opts.probe.host, "mail.example.org");
    assert_true(opts.timeout_s == 10.0);
    assert_int_equal(opts.probe.timeout_ms, 10000);
    assert_int_equal(opts.probe.tls, POP3CHECK_TLS_NONE);
    assert_int_equal(opts.probe.auth, POP3CHECK_AUTH_ANY);
    assert_int_equal(opts.probe.ip_version, 0);
    assert_null(opts.probe.user);
    assert_null(opts.probe.password);
    assert_int_equal(opts.verbose, 0);
    assert_int_equal(opts.thr.timeout_state_set, 0);
    assert_int_equal(opts.thr.phase_warn[POP3CHECK_PHASE_TOTAL].set, 0);
    assert_int_equal(opts.thr.phase_crit[POP3CHECK_PHASE_TOTAL].set, 0);
}

static void test_options_every_short_and_long_option(void **state)
{
    const struct pop3check_thresholds *t = &opts.thr;

    (void)state;
    expect_ok(PARSE(
        "envpw", "-H", "mail.example.org", "-p", "2110", "-4", "--tls", "stls",
        "--cafile", "/etc/ca.pem", "--insecure", "--sni", "sni.example.org",
        "-u", "alice", "--auth", "plain", "--list", "--uidl", "--top", "3",
        "--retr", "last", "-w", "2", "-c", "5", "--phase-warning", "auth=0.5",
        "--phase-critical", "connect=1:2", "--messages-warning", "100",
        "--messages-critical", "200", "--octets-warning", "1000000",
        "--octets-critical", "@0:10", "-D", "30,14", "-t", "20", "-v", "-v"));
    assert_string_equal(opts.probe.host, "mail.example.org");
    assert_int_equal(opts.probe.port, 2110);
    assert_int_equal(opts.probe.ip_version, 4);
    assert_int_equal(opts.probe.tls, POP3CHECK_TLS_STLS);
    assert_string_equal(opts.probe.cafile, "/etc/ca.pem");
    assert_int_equal(opts.probe.insecure, 1);
    assert_string_equal(opts.probe.sni, "sni.example.org");
    assert_string_equal(opts.probe.user, "alice");
    assert_string_equal(opts.probe.password, "envpw");
    assert_int_equal(opts.probe.auth, POP3CHECK_AUTH_PLAIN);
    assert_int_equal(opts.probe.list, 1);
    assert_int_equal(opts.probe.uidl, 1);
    assert_int_equal(opts.probe.top, 3);
    assert_int_equal(opts.probe.retr, POP3CHECK_MSG_LAST);
    assert_string_equal(t->phase_warn[POP3CHECK_PHASE_TOTAL].text, "2");
    assert_string_equal(t->phase_crit[POP3CHECK_PHASE_TOTAL].text, "5");
    assert_string_equal(t->phase_warn[POP3CHECK_PHASE_AUTH].text, "0.5");
    assert_true(t->phase_warn[POP3CHECK_PHASE_AUTH].end == 0.5);
    assert_string_equal(t->phase_crit[POP3CHECK_PHASE_CONNECT].text, "1:2");
    assert_int_equal(t->phase_warn[POP3CHECK_PHASE_CONNECT].set, 0);
    assert_string_equal(t->messages_warn.text, "100");
    assert_string_equal(t->messages_crit.text, "200");
    assert_string_equal(t->octets_warn.text, "1000000");
    assert_string_equal(t->octets_crit.text, "@0:10");
    assert_int_equal(t->octets_crit.inside, 1);
    assert_int_equal(t->cert_warn_days, 30);
    assert_int_equal(t->cert_crit_days, 14);
    assert_true(opts.timeout_s == 20.0);
    assert_int_equal(opts.probe.timeout_ms, 20000);
    assert_int_equal(t->timeout_state_set, 0);
    assert_int_equal(opts.verbose, 2);
}

static void test_options_long_names_of_reserved_options(void **state)
{
    (void)state;
    expect_ok(PARSE("pw", "--hostname", "h.example.org", "--port", "995",
                    "--ipv6", "--ssl", "--user", "bob", "--warning", "1:",
                    "--critical", "~:3", "--certificate", "10", "--timeout",
                    "7", "--verbose", "--retr", "first", "--auth", "CRAM-MD5"));
    assert_string_equal(opts.probe.host, "h.example.org");
    assert_int_equal(opts.probe.port, 995);
    assert_int_equal(opts.probe.ip_version, 6);
    assert_int_equal(opts.probe.tls, POP3CHECK_TLS_IMPLICIT);
    assert_string_equal(opts.probe.user, "bob");
    assert_string_equal(opts.thr.phase_warn[POP3CHECK_PHASE_TOTAL].text, "1:");
    assert_string_equal(opts.thr.phase_crit[POP3CHECK_PHASE_TOTAL].text, "~:3");
    assert_int_equal(opts.thr.cert_warn_days, 10);
    assert_int_equal(opts.thr.cert_crit_days, 0);
    assert_int_equal(opts.probe.timeout_ms, 7000);
    assert_int_equal(opts.verbose, 1);
    assert_int_equal(opts.probe.retr, POP3CHECK_MSG_FIRST);
    assert_int_equal(opts.probe.auth, POP3CHECK_AUTH_CRAM_MD5);
}

static void test_options_tls_modes(void **state)
{
    (void)state;
    expect_ok(PARSE(NULL, "-H", "h", "-S"));
    assert_int_equal(opts.probe.tls, POP3CHECK_TLS_IMPLICIT);
    expect_ok(PARSE(NULL, "-H", "h", "--tls", "implicit"));
    assert_int_equal(opts.probe.tls, POP3CHECK_TLS_IMPLICIT);
    expect_ok(PARSE(NULL, "-H", "h", "--tls", "none"));
    assert_int_equal(opts.probe.tls, POP3CHECK_TLS_NONE);
    expect_ok(PARSE(NULL, "-H", "h", "-S", "--tls", "implicit"));
    assert_int_equal(opts.probe.tls, POP3CHECK_TLS_IMPLICIT);
}

static void test_options_help_and_version(void **state)
{
    (void)state;
    expect_ok(PARSE(NULL, "-h"));
    assert_int_equal(opts.help, 1);
    expect_ok(PARSE(NULL, "--help"));
    assert_int_equal(opts.help, 1);
    expect_ok(PARSE(NULL, "-V"));
    assert_int_equal(opts.version, 1);
    expect_ok(PARSE(NULL, "--version"));
    assert_int_equal(opts.version, 1);
}

static void test_options_timeout_state(void **state)
{
    (void)state;
    expect_ok(PARSE(NULL, "-H", "h", "-t", "5:warning"));
    assert_true(opts.timeout_s == 5.0);
    assert_int_equal(opts.probe.timeout_ms, 5000);
    assert_int_equal(opts.thr.timeout_state_set, 1);
    assert_int_equal(opts.thr.timeout_state, POP3CHECK_STATE_WARNING);
    expect_ok(PARSE(NULL, "-H", "h", "-t", "2.5:UNKNOWN"));
    assert_int_equal(opts.probe.timeout_ms, 2500);
    assert_int_equal(opts.thr.timeout_state, POP3CHECK_STATE_UNKNOWN);
    expect_ok(PARSE(NULL, "-H", "h", "-t", "10:critical"));
    assert_int_equal(opts.thr.timeout_state, POP3CHECK_STATE_CRITICAL);
}

static void test_options_certificate_days(void **state)
{
    (void)state;
    expect_ok(PARSE(NULL, "-H", "h", "-S", "-D", "30,14"));
    assert_int_equal(opts.thr.cert_warn_days, 30);
    assert_int_equal(opts.thr.cert_crit_days, 14);
    expect_error(PARSE(NULL, "-H", "h", "-S", "-D", "30,40"), "30,40");
    expect_error(PARSE(NULL, "-H", "h", "-S", "-D", "x"), "x");
    expect_error(PARSE(NULL, "-H", "h", "-S", "-D", "30,"), "30,");
}

/* ---- the password ---- */

/* A temporary file holding content; its path in path. */
static void temp_file(char *path, size_t len, const char *content)
{
    int fd;

    snprintf(path, len, "/tmp/test_options_XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, strlen(content)),
                     (ssize_t)strlen(content));
    close(fd);
}

static void expect_file_password(const char *content, const char *want)
{
    char path[64];
    int rc;

    temp_file(path, sizeof path, content);
    rc = PARSE("from-env", "-H", "h", "-u", "alice", "--password-file", path);
    unlink(path);
    expect_ok(rc);
    assert_string_equal(opts.password, want);
    assert_non_null(opts.probe.password);
    assert_string_equal(opts.probe.password, want);
}

static void test_options_password_file(void **state)
{
    (void)state;
    expect_file_password("s3cret\n", "s3cret");
    expect_file_password("s3cret", "s3cret");
    expect_file_password("s3cret\r\n", "s3cret");
    expect_file_password("first line\nsecond line\n", "first line");
    expect_file_password("pw\r\nnext\r\n", "pw");
}

static void test_options_password_file_empty(void **state)
{
    char empty[64], blank[64];
    int rc;

    (void)state;
    temp_file(empty, sizeof empty, "");
    rc = PARSE(NULL, "-H", "h", "-u", "alice", "--password-file", empty);
    unlink(empty);
    expect_error(rc, empty);
    temp_file(blank, sizeof blank, "\nsecond\n");
    rc = PARSE(NULL, "-H", "h", "-u", "alice", "--password-file", blank);
    unlink(blank);
    expect_error(rc, blank);
}

static void test_options_password_file_missing(void **state)
{
    static const char path[] = "/nonexistent/pop3check/password";

    (void)state;
    expect_error(PARSE(NULL, "-H", "h", "-u", "alice", "--password-file", path),
                 path);
}

static void test_options_password_from_env(void **state)
{
    (void)state;
    expect_ok(PARSE("env-secret", "-H", "h", "-u", "alice"));
    assert_string_equal(opts.password, "env-secret");
    assert_string_equal(opts.probe.password, "env-secret");
    plugin_opts_wipe(&opts);
    for (size_t i = 0; i < sizeof opts.password; i++)
        assert_int_equal(opts.password[i], 0);
}

/* ---- errors ---- */

struct bad_case {
    const char *args[10];
    const char *needle; /* the bad value, or NULL */
};

static void test_options_errors(void **state)
{
    static const struct bad_case v[] = {
        {{"-p", "110"}, "-H"}, /* no host */
        {{"-H", "h", "-p", "0"}, "0"},
        {{"-H", "h", "-p", "70000"}, "70000"},
        {{"-H", "h", "-p", "x"}, "x"},
        {{"-H", "h", "-Z"}, "-Z"},
        {{"-H", "h", "--bogus"}, "--bogus"},
        {{"-H", "h", "-w"}, "-w"},
        {{"-H", "h", "--tls"}, "--tls"},
        {{"-H"}, "-H"},
        {{"-H", "h", "-w", "abc"}, "abc"},
        {{"-H", "h", "-c", "10:5"}, "10:5"},
        {{"-H", "h", "--phase-warning", "bogus=1"}, "bogus"},
        {{"-H", "h", "--phase-warning", "auth"}, "auth"},
        {{"-H", "h", "--phase-critical", "auth=x"}, "'x'"},
        {{"-H", "h", "-t", "0"}, "0"},
        {{"-H", "h", "-t", "-1"}, "-1"},
        {{"-H", "h", "-t", "x"}, "x"},
        {{"-H", "h", "-t", "10:maybe"}, "10:maybe"},
        {{"-H", "h", "--tls", "bogus"}, "bogus"},
        {{"-H", "h", "-S", "--tls", "stls"}, "-S"},
        {{"-H", "h", "--tls", "stls", "-S"}, "-S"},
        {{"-H", "h", "-4", "-6"}, "-6"},
        {{"-H", "h", "--cafile", "/etc/ca.pem"}, "--cafile"},
        {{"-H", "h", "-D", "30"}, "-D"},
        {{"-H", "h", "--list"}, "-u"},
        {{"-H", "h", "--retr", "first"}, "-u"},
        {{"-H", "h", "--messages-warning", "10"}, "-u"},
        {{"-H", "h", "-u", "alice"}, "password"},
        {{"-H", "h", "-u", "alice", "--auth", "kerberos"}, "kerberos"},
        {{"-H", "h", "-u", "alice", "--top", "zero"}, "zero"},
        {{"-H", "h", "extra"}, "extra"},
        {{"extra", "-H", "h"}, "extra"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        int rc = parse_args(NULL, v[i].args);
        if (rc != -1 || err[0] == '\0' || strchr(err, '\n') != NULL ||
            (v[i].needle != NULL && strstr(err, v[i].needle) == NULL))
            fail_msg("case %zu (%s %s ...): rc %d, message '%s', expected "
                     "-1 and a one-line message naming '%s'",
                     i, v[i].args[0], v[i].args[1] ? v[i].args[1] : "", rc, err,
                     v[i].needle ? v[i].needle : "");
    }
}

/* An empty POP3_PASSWORD is no password. */
static void test_options_empty_env_password(void **state)
{
    (void)state;
    expect_error(PARSE("", "-H", "h", "-u", "alice"), NULL);
}

/* The parser can be run again in the same process (it resets optind). */
static void test_options_parse_twice(void **state)
{
    (void)state;
    expect_error(PARSE(NULL, "-H", "h", "-v", "-Z"), "-Z");
    expect_ok(PARSE(NULL, "-H", "second.example.org", "-v"));
    assert_string_equal(opts.probe.host, "second.example.org");
    assert_int_equal(opts.verbose, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_minimal),
        cmocka_unit_test(test_options_every_short_and_long_option),
        cmocka_unit_test(test_options_long_names_of_reserved_options),
        cmocka_unit_test(test_options_tls_modes),
        cmocka_unit_test(test_options_help_and_version),
        cmocka_unit_test(test_options_timeout_state),
        cmocka_unit_test(test_options_certificate_days),
        cmocka_unit_test(test_options_password_file),
        cmocka_unit_test(test_options_password_file_empty),
        cmocka_unit_test(test_options_password_file_missing),
        cmocka_unit_test(test_options_password_from_env),
        cmocka_unit_test(test_options_errors),
        cmocka_unit_test(test_options_empty_env_password),
        cmocka_unit_test(test_options_parse_twice),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
