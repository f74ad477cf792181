/* SPDX-License-Identifier: MIT */
/* test_options.c - unit tests of options.c and optval.c: check_pop3's
 * command line as DESIGN.md gives it, with the Monitoring Plugins
 * guidelines' reserved options (-H -p -w -c -t -v -h -V) and one-line
 * errors, read back through the library's getters (internal.h only for
 * what the API never hands out: the password, a range's bounds). */
#define _DEFAULT_SOURCE /* mkstemp, before any system header */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "options.h"

#define MAX_ARGS 48

static struct plugin_opts opts;
static char err[512];
static char *argv_copy[MAX_ARGS + 2];

/* Runs plugin_parse on "check_pop3" followed by the NULL-terminated args
 * (after freeing what the last run made). */
static int parse_args(const char *env, const char *const *args)
{
    int argc = 0;

    plugin_opts_free(&opts);

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

static int group_teardown(void **state)
{
    (void)state;
    plugin_opts_free(&opts);
    return 0;
}

/* The options and thresholds as the probe and the judge will see them. */
static const char *str_opt(enum pop3check_opt key)
{
    return pop3check_options_get_str(opts.probe, key);
}

static long num_opt(enum pop3check_opt key)
{
    long v = -12345;

    assert_int_equal(pop3check_options_get_long(opts.probe, key, &v), 0);
    return v;
}

static const char *phase_range(enum pop3check_phase p,
                               enum pop3check_state level)
{
    return pop3check_thresholds_get_phase(opts.thr, p, level);
}

static const char *measure_range(enum pop3check_measure m,
                                 enum pop3check_state level)
{
    return pop3check_thresholds_get(opts.thr, m, level);
}

/* The password the options hold (the API never reads it back). */
static const char *held_password(void)
{
    return opts.probe->v.password;
}

#define WARN POP3CHECK_STATE_WARNING
#define CRIT POP3CHECK_STATE_CRITICAL

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
    assert_string_equal(str_opt(POP3CHECK_OPT_HOST), "mail.example.org");
    /* The library's defaults: 10 s, port 110 without TLS. */
    assert_int_equal(num_opt(POP3CHECK_OPT_TIMEOUT_MS), 10000);
    assert_int_equal(num_opt(POP3CHECK_OPT_PORT), 110);
    assert_int_equal(num_opt(POP3CHECK_OPT_TLS), POP3CHECK_TLS_NONE);
    assert_int_equal(num_opt(POP3CHECK_OPT_AUTH), POP3CHECK_AUTH_ANY);
    assert_int_equal(num_opt(POP3CHECK_OPT_IP_VERSION), 0);
    assert_null(str_opt(POP3CHECK_OPT_USER));
    assert_null(held_password());
    assert_int_equal(opts.verbose, 0);
    assert_int_equal(pop3check_thresholds_timeout_state(opts.thr),
                     POP3CHECK_STATE_CRITICAL);
    assert_null(phase_range(POP3CHECK_PHASE_TOTAL, WARN));
    assert_null(phase_range(POP3CHECK_PHASE_TOTAL, CRIT));
    assert_null(measure_range(POP3CHECK_MEASURE_CERT_DAYS, WARN));
    assert_null(measure_range(POP3CHECK_MEASURE_CERT_DAYS, CRIT));
}

static void test_options_every_short_and_long_option(void **state)
{
    (void)state;
    expect_ok(PARSE(
        "envpw", "-H", "mail.example.org", "-p", "2110", "-4", "--tls", "stls",
        "--cafile", "/etc/ca.pem", "--insecure", "--sni", "sni.example.org",
        "-u", "alice", "--auth", "plain", "--list", "--uidl", "--top", "3",
        "--retr", "last", "-w", "2", "-c", "5", "--phase-warning", "auth=0.5",
        "--phase-critical", "connect=1:2", "--messages-warning", "100",
        "--messages-critical", "200", "--octets-warning", "1000000",
        "--octets-critical", "@0:10", "-D", "30,14", "-t", "20", "-v", "-v"));
    assert_string_equal(str_opt(POP3CHECK_OPT_HOST), "mail.example.org");
    assert_int_equal(num_opt(POP3CHECK_OPT_PORT), 2110);
    assert_int_equal(num_opt(POP3CHECK_OPT_IP_VERSION), 4);
    assert_int_equal(num_opt(POP3CHECK_OPT_TLS), POP3CHECK_TLS_STLS);
    assert_string_equal(str_opt(POP3CHECK_OPT_CAFILE), "/etc/ca.pem");
    assert_int_equal(num_opt(POP3CHECK_OPT_INSECURE), 1);
    assert_string_equal(str_opt(POP3CHECK_OPT_SNI), "sni.example.org");
    assert_string_equal(str_opt(POP3CHECK_OPT_USER), "alice");
    assert_string_equal(held_password(), "envpw");
    assert_int_equal(num_opt(POP3CHECK_OPT_AUTH), POP3CHECK_AUTH_PLAIN);
    assert_int_equal(num_opt(POP3CHECK_OPT_LIST), 1);
    assert_int_equal(num_opt(POP3CHECK_OPT_UIDL), 1);
    assert_int_equal(num_opt(POP3CHECK_OPT_TOP), 3);
    assert_int_equal(num_opt(POP3CHECK_OPT_RETR), POP3CHECK_MSG_LAST);
    assert_string_equal(phase_range(POP3CHECK_PHASE_TOTAL, WARN), "2");
    assert_string_equal(phase_range(POP3CHECK_PHASE_TOTAL, CRIT), "5");
    assert_string_equal(phase_range(POP3CHECK_PHASE_AUTH, WARN), "0.5");
    assert_true(p3_thresholds_phase(opts.thr, POP3CHECK_PHASE_AUTH,
                                    POP3CHECK_STATE_WARNING)
                    ->end == 0.5);
    assert_string_equal(phase_range(POP3CHECK_PHASE_CONNECT, CRIT), "1:2");
    assert_null(phase_range(POP3CHECK_PHASE_CONNECT, WARN));
    assert_string_equal(measure_range(POP3CHECK_MEASURE_MESSAGES, WARN), "100");
    assert_string_equal(measure_range(POP3CHECK_MEASURE_MESSAGES, CRIT), "200");
    assert_string_equal(measure_range(POP3CHECK_MEASURE_OCTETS, WARN),
                        "1000000");
    assert_string_equal(measure_range(POP3CHECK_MEASURE_OCTETS, CRIT), "@0:10");
    assert_int_equal(p3_thresholds_measure(opts.thr, POP3CHECK_MEASURE_OCTETS,
                                           POP3CHECK_STATE_CRITICAL)
                         ->inside,
                     1);
    assert_string_equal(measure_range(POP3CHECK_MEASURE_CERT_DAYS, WARN),
                        "30:");
    assert_string_equal(measure_range(POP3CHECK_MEASURE_CERT_DAYS, CRIT),
                        "14:");
    assert_int_equal(num_opt(POP3CHECK_OPT_TIMEOUT_MS), 20000);
    assert_int_equal(pop3check_thresholds_timeout_state(opts.thr),
                     POP3CHECK_STATE_CRITICAL);
    assert_int_equal(opts.verbose, 2);
}

static void test_options_long_names_of_reserved_options(void **state)
{
    (void)state;
    expect_ok(PARSE("pw", "--hostname", "h.example.org", "--port", "995",
                    "--ipv6", "--ssl", "--user", "bob", "--warning", "1:",
                    "--critical", "~:3", "--certificate", "10", "--timeout",
                    "7", "--verbose", "--retr", "first", "--auth", "CRAM-MD5"));
    assert_string_equal(str_opt(POP3CHECK_OPT_HOST), "h.example.org");
    assert_int_equal(num_opt(POP3CHECK_OPT_PORT), 995);
    assert_int_equal(opts.probe->v.port, 995); /* given, not the default */
    assert_int_equal(num_opt(POP3CHECK_OPT_IP_VERSION), 6);
    assert_int_equal(num_opt(POP3CHECK_OPT_TLS), POP3CHECK_TLS_IMPLICIT);
    assert_string_equal(str_opt(POP3CHECK_OPT_USER), "bob");
    assert_string_equal(phase_range(POP3CHECK_PHASE_TOTAL, WARN), "1:");
    assert_string_equal(phase_range(POP3CHECK_PHASE_TOTAL, CRIT), "~:3");
    assert_string_equal(measure_range(POP3CHECK_MEASURE_CERT_DAYS, WARN),
                        "10:");
    assert_null(measure_range(POP3CHECK_MEASURE_CERT_DAYS, CRIT));
    assert_int_equal(num_opt(POP3CHECK_OPT_TIMEOUT_MS), 7000);
    assert_int_equal(opts.verbose, 1);
    assert_int_equal(num_opt(POP3CHECK_OPT_RETR), POP3CHECK_MSG_FIRST);
    assert_int_equal(num_opt(POP3CHECK_OPT_AUTH), POP3CHECK_AUTH_CRAM_MD5);
}

static void test_options_tls_modes(void **state)
{
    (void)state;
    expect_ok(PARSE(NULL, "-H", "h", "-S"));
    assert_int_equal(num_opt(POP3CHECK_OPT_TLS), POP3CHECK_TLS_IMPLICIT);
    expect_ok(PARSE(NULL, "-H", "h", "--tls", "implicit"));
    assert_int_equal(num_opt(POP3CHECK_OPT_TLS), POP3CHECK_TLS_IMPLICIT);
    expect_ok(PARSE(NULL, "-H", "h", "--tls", "none"));
    assert_int_equal(num_opt(POP3CHECK_OPT_TLS), POP3CHECK_TLS_NONE);
    expect_ok(PARSE(NULL, "-H", "h", "-S", "--tls", "implicit"));
    assert_int_equal(num_opt(POP3CHECK_OPT_TLS), POP3CHECK_TLS_IMPLICIT);
    /* The words are the library's, in any case. */
    expect_ok(PARSE(NULL, "-H", "h", "--tls", "STLS"));
    assert_int_equal(num_opt(POP3CHECK_OPT_TLS), POP3CHECK_TLS_STLS);
}

/* Without -p the port is the library's default for the TLS mode. */
static void test_options_effective_port(void **state)
{
    (void)state;
    expect_ok(PARSE(NULL, "-H", "h", "-S"));
    assert_int_equal(num_opt(POP3CHECK_OPT_PORT), 995);
    assert_int_equal(opts.probe->v.port, 0); /* left to the library */
    expect_ok(PARSE(NULL, "-H", "h", "--tls", "stls"));
    assert_int_equal(num_opt(POP3CHECK_OPT_PORT), 110);
    expect_ok(PARSE(NULL, "-H", "h", "-S", "-p", "2995"));
    assert_int_equal(num_opt(POP3CHECK_OPT_PORT), 2995);
    expect_ok(PARSE(NULL, "-H", "h", "-p", "995"));
    assert_int_equal(num_opt(POP3CHECK_OPT_TLS), POP3CHECK_TLS_NONE);
    assert_int_equal(num_opt(POP3CHECK_OPT_PORT), 995);
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
    assert_int_equal(num_opt(POP3CHECK_OPT_TIMEOUT_MS), 5000);
    assert_int_equal(pop3check_thresholds_timeout_state(opts.thr),
                     POP3CHECK_STATE_WARNING);
    expect_ok(PARSE(NULL, "-H", "h", "-t", "2.5:UNKNOWN"));
    assert_int_equal(num_opt(POP3CHECK_OPT_TIMEOUT_MS), 2500);
    assert_int_equal(pop3check_thresholds_timeout_state(opts.thr),
                     POP3CHECK_STATE_UNKNOWN);
    expect_ok(PARSE(NULL, "-H", "h", "-t", "10:critical"));
    assert_int_equal(pop3check_thresholds_timeout_state(opts.thr),
                     POP3CHECK_STATE_CRITICAL);
    expect_ok(PARSE(NULL, "-H", "h", "-t", "3600:ok"));
    assert_int_equal(num_opt(POP3CHECK_OPT_TIMEOUT_MS), 3600000);
    assert_int_equal(pop3check_thresholds_timeout_state(opts.thr),
                     POP3CHECK_STATE_OK);
    /* Less than half a millisecond is not "unset" (the default 10 s). */
    expect_ok(PARSE(NULL, "-H", "h", "-t", "0.0001"));
    assert_int_equal(num_opt(POP3CHECK_OPT_TIMEOUT_MS), 1);
}

static void test_options_certificate_days(void **state)
{
    (void)state;
    expect_ok(PARSE(NULL, "-H", "h", "-S", "-D", "30,14"));
    assert_string_equal(measure_range(POP3CHECK_MEASURE_CERT_DAYS, WARN),
                        "30:");
    assert_string_equal(measure_range(POP3CHECK_MEASURE_CERT_DAYS, CRIT),
                        "14:");
    /* "30:" alerts below 30 days, as check_pop's -D. */
    assert_true(p3_range_alert(
        p3_thresholds_measure(opts.thr, POP3CHECK_MEASURE_CERT_DAYS,
                              POP3CHECK_STATE_WARNING),
        29.9));
    assert_false(p3_range_alert(
        p3_thresholds_measure(opts.thr, POP3CHECK_MEASURE_CERT_DAYS,
                              POP3CHECK_STATE_WARNING),
        30));
    expect_ok(PARSE(NULL, "-H", "h", "-S", "-D", "7,7"));
    assert_string_equal(measure_range(POP3CHECK_MEASURE_CERT_DAYS, CRIT), "7:");
    /* A later -D replaces an earlier one, critical days included. */
    expect_ok(PARSE(NULL, "-H", "h", "-S", "-D", "30,14", "-D", "20"));
    assert_string_equal(measure_range(POP3CHECK_MEASURE_CERT_DAYS, WARN),
                        "20:");
    assert_null(measure_range(POP3CHECK_MEASURE_CERT_DAYS, CRIT));
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
    assert_non_null(held_password());
    assert_string_equal(held_password(), want);
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

/* The library's rule for secret files, in its words after the option's
 * name: others may not touch the file, its group may read it. */
static void test_options_password_file_rule(void **state)
{
    char path[64], want[256];
    int rc;

    (void)state;
    temp_file(path, sizeof path, "s3cret\n");
    assert_int_equal(chmod(path, 0644), 0);
    rc = PARSE(NULL, "-H", "h", "-u", "alice", "--password-file", path);
    expect_error(rc, NULL);
    snprintf(want, sizeof want,
             "--password-file '%s' is open to other users (mode 0644): run "
             "chmod o-rwx '%s'",
             path, path);
    assert_string_equal(err, want);
    assert_int_equal(chmod(path, 0640), 0);
    expect_ok(PARSE(NULL, "-H", "h", "-u", "alice", "--password-file", path));
    assert_string_equal(opts.password, "s3cret");
    unlink(path);
    expect_error(
        PARSE(NULL, "-H", "h", "-u", "alice", "--password-file", "/etc"), NULL);
    assert_string_equal(err,
                        "--password-file '/etc' is a directory, not a file");
    temp_file(path, sizeof path, "");
    rc = PARSE(NULL, "-H", "h", "-u", "alice", "--password-file", path);
    unlink(path);
    snprintf(want, sizeof want, "--password-file '%s': the first line is empty",
             path);
    expect_error(rc, want);
}

static void test_options_password_from_env(void **state)
{
    (void)state;
    expect_ok(PARSE("env-secret", "-H", "h", "-u", "alice"));
    assert_string_equal(opts.password, "env-secret");
    assert_string_equal(held_password(), "env-secret");
    plugin_opts_wipe(&opts);
    for (size_t i = 0; i < sizeof opts.password; i++)
        assert_int_equal(opts.password[i], 0);
    assert_null(held_password()); /* the options' copy is gone too */
    assert_string_equal(str_opt(POP3CHECK_OPT_USER), "alice");
}

/* plugin_opts_free wipes the password and frees both objects; again is a
 * no-op. */
static void test_options_free(void **state)
{
    (void)state;
    expect_ok(PARSE("env-secret", "-H", "h", "-u", "alice"));
    assert_non_null(opts.probe);
    assert_non_null(opts.thr);
    plugin_opts_free(&opts);
    assert_null(opts.probe);
    assert_null(opts.thr);
    for (size_t i = 0; i < sizeof opts.password; i++)
        assert_int_equal(opts.password[i], 0);
    plugin_opts_free(&opts);
    assert_null(opts.probe);
}

/* A password the library refuses (a line break from the environment) is
 * not set; the probe then refuses the user, as it always did. */
static void test_options_password_refused_by_library(void **state)
{
    char why[256] = "";

    (void)state;
    expect_ok(PARSE("two\nlines", "-H", "h", "-u", "alice"));
    assert_null(held_password());
    assert_null(pop3check_probe_new(opts.probe, why, sizeof why));
    assert_string_equal(why, "password: needed with a user name, 1-255 "
                             "characters, no line breaks");
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

/* Messages whose words users and scripts know, exactly. */
static void test_options_exact_messages(void **state)
{
    static const struct {
        const char *args[8];
        const char *message;
    } v[] = {
        {{"-H", "h", "-w", "abc"},
         "-w 'abc' is not a range such as 10, 10:, ~:10, 10:20 or @10:20"},
        {{"-H", "h", "--messages-critical", "~:"},
         "--messages-critical '~:' is not a range such as 10, 10:, ~:10, "
         "10:20 or @10:20"},
        {{"-H", "h", "--phase-critical", "auth=x"},
         "--phase-critical 'x' is not a range such as 10, 10:, ~:10, 10:20 "
         "or @10:20"},
        {{"-H", "h", "--phase-warning", "bogus=1"},
         "--phase-warning: unknown phase 'bogus' (phases: resolve, connect, "
         "tls, greeting, capa, stls, auth, stat, list, uidl, top, retr, "
         "quit, total, smtp_resolve, smtp_connect, smtp_tls, smtp_greeting, "
         "smtp_auth, smtp_submit, delivery, dele, token)"},
        {{"-H", "h", "--tls", "bogus"},
         "--tls 'bogus': use none, stls (upgrade with STLS) or implicit "
         "(POP3S, same as -S)"},
        {{"-H", "h", "-S", "--tls", "none"},
         "-S and --tls disagree: give only one"},
        {{"-H", "bad host"},
         "host: give a host name or an IP address (letters, digits, '.', "
         "'-', ':' only)"},
        {{"-H", "bad host", "--list"},
         "--password-file, --token-file, --token-url, --auth, --list, "
         "--uidl, --top, --retr, --age and the mailbox thresholds need a "
         "login: add -u USER"},
        {{"-H", "h", "--age-warning", "3600"},
         "--password-file, --token-file, --token-url, --auth, --list, "
         "--uidl, --top, --retr, --age and the mailbox thresholds need a "
         "login: add -u USER"},
        {{"-H", "h", "-u", "u", "--age-scan", "0"},
         "--age-scan '0': give a number of messages, 1 to 100000"},
        {{"-H", "h", "-u", "u", "--age-critical", "a day"},
         "--age-critical 'a day' is not a range such as 10, 10:, ~:10, "
         "10:20 or @10:20"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        int rc = parse_args(NULL, v[i].args);
        if (rc != -1 || strcmp(err, v[i].message) != 0)
            fail_msg("case %zu: rc %d, message '%s', expected '%s'", i, rc, err,
                     v[i].message);
    }
}

/* The phases the message lists are those the library in use names. */
static void test_options_unknown_phase_lists_library_phases(void **state)
{
    char want[512] = "";
    size_t len = 0;

    (void)state;
    for (int p = 0; p < pop3check_phase_count(); p++) {
        const char *name = pop3check_phase_name((enum pop3check_phase)p);
        if (name == NULL)
            continue;
        len += (size_t)snprintf(want + len, sizeof want - len, "%s%s",
                                len ? ", " : "", name);
        assert_true(len < sizeof want);
    }
    expect_error(PARSE(NULL, "-H", "h", "--phase-critical", "nope=1"), want);
    /* Every phase it names is accepted. */
    for (int p = 0; p < pop3check_phase_count(); p++) {
        const char *name = pop3check_phase_name((enum pop3check_phase)p);
        char arg[64];
        if (name == NULL)
            continue;
        snprintf(arg, sizeof arg, "%s=1", name);
        expect_ok(PARSE(NULL, "-H", "h", "--phase-warning", arg));
        assert_string_equal(phase_range((enum pop3check_phase)p, WARN), "1");
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
    assert_string_equal(str_opt(POP3CHECK_OPT_HOST), "second.example.org");
    assert_int_equal(opts.verbose, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_minimal),
        cmocka_unit_test(test_options_every_short_and_long_option),
        cmocka_unit_test(test_options_long_names_of_reserved_options),
        cmocka_unit_test(test_options_tls_modes),
        cmocka_unit_test(test_options_effective_port),
        cmocka_unit_test(test_options_help_and_version),
        cmocka_unit_test(test_options_timeout_state),
        cmocka_unit_test(test_options_certificate_days),
        cmocka_unit_test(test_options_password_file),
        cmocka_unit_test(test_options_password_file_empty),
        cmocka_unit_test(test_options_password_file_missing),
        cmocka_unit_test(test_options_password_file_rule),
        cmocka_unit_test(test_options_password_from_env),
        cmocka_unit_test(test_options_free),
        cmocka_unit_test(test_options_password_refused_by_library),
        cmocka_unit_test(test_options_errors),
        cmocka_unit_test(test_options_exact_messages),
        cmocka_unit_test(test_options_unknown_phase_lists_library_phases),
        cmocka_unit_test(test_options_empty_env_password),
        cmocka_unit_test(test_options_parse_twice),
    };

    return cmocka_run_group_tests(tests, NULL, group_teardown);
}
