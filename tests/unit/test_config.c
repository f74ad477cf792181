/* SPDX-License-Identifier: MIT */
/* test_config.c - unit tests of the YAML config file shared by pop3_exporter
 * and the SNMP agent (exporters/common/config*.c): every setting, every
 * error a user can make (as FILE:LINE: KEY: ...), password files, target
 * strings and the allowed_targets rule; and the command line both programs
 * read (exporters/common/flags.c). */
#define _DEFAULT_SOURCE /* mkstemp, mkdtemp, before any system header */
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

#include "config.h"
#include "flags.h"
#include "internal.h" /* the stored password and parsed ranges */

#define EXAMPLE    "exporters/common/pop3check.yml.example"
#define EXAMPLE_PW "/etc/pop3check/monitor.pw"
#define PASSWORD   "s3cret pass"

static char err[512];
static char pwpath[64]; /* a password file holding PASSWORD, for all tests */

/* Writes len bytes of content into a new temporary file named in path. */
static void make_file(char *path, size_t pathlen, const void *content,
                      size_t len)
{
    int fd;

    snprintf(path, pathlen, "/tmp/test_config_XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, len), (ssize_t)len);
    assert_int_equal(close(fd), 0);
}

static int setup(void **state)
{
    (void)state;
    make_file(pwpath, sizeof pwpath, PASSWORD "\nsecond line\n",
              strlen(PASSWORD "\nsecond line\n"));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(pwpath);
    return 0;
}

/* text with every from replaced by to; free the result. */
static char *replace(const char *text, const char *from, const char *to)
{
    size_t cap = strlen(text) * (strlen(to) + 1) + 1, n = 0;
    char *out = malloc(cap);
    const char *p;

    assert_non_null(out);
    while ((p = strstr(text, from)) != NULL) {
        memcpy(out + n, text, (size_t)(p - text));
        n += (size_t)(p - text);
        memcpy(out + n, to, strlen(to));
        n += strlen(to);
        text = p + strlen(from);
    }
    memcpy(out + n, text, strlen(text) + 1);
    return out;
}

/* yaml with every "@PW@" replaced by path; free the result. */
static char *subst(const char *yaml, const char *path)
{
    return replace(yaml, "@PW@", path);
}

static int parse(const char *yaml, struct p3x_config **c)
{
    char *text = subst(yaml, pwpath);
    int rc;

    memset(err, 0, sizeof err);
    rc = p3x_config_parse(text, strlen(text), "t.yml", c, err, sizeof err);
    free(text);
    return rc;
}

static struct p3x_config *parse_ok(const char *yaml)
{
    struct p3x_config *c = NULL;

    if (parse(yaml, &c) != 0)
        fail_msg("rejected: %s", err);
    assert_non_null(c);
    return c;
}

/* Refused with one line that starts with prefix and mentions word. */
static void expect_error(const char *yaml, const char *prefix, const char *word)
{
    struct p3x_config *c = (struct p3x_config *)&c; /* must become NULL */

    if (parse(yaml, &c) != -1)
        fail_msg("accepted, expected '%s ... %s'", prefix, word);
    assert_null(c);
    if (strchr(err, '\n') != NULL)
        fail_msg("message has a newline: %s", err);
    if (strncmp(err, prefix, strlen(prefix)) != 0)
        fail_msg("message '%s' does not start with '%s'", err, prefix);
    if (strstr(err, word) == NULL)
        fail_msg("message '%s' does not mention '%s'", err, word);
    if (strstr(err, PASSWORD) != NULL)
        fail_msg("message shows the password: %s", err);
}

struct bad {
    const char *yaml, *prefix, *word;
};

static void expect_errors(const struct bad *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        expect_error(t[i].yaml, t[i].prefix, t[i].word);
}

#define M "modules:\n  m:\n" /* module m; its settings start at line 3 */
/* A host name the target syntax takes and the library does not (> 253). */
#define HOST62  "abcdefghij.abcdefghij.abcdefghij.abcdefghij.abcdefghij.abcdefg"
#define HOST254 HOST62 "." HOST62 "." HOST62 "." HOST62 ".ab"
#define LOGIN                                                                  \
    "    user: monitor\n"                                                      \
    "    password_file: @PW@\n"

/* The module's number option key as a probe would use it. */
static long opt_long(const struct p3x_module *m, enum pop3check_opt key)
{
    long v = -12345;

    assert_int_equal(pop3check_options_get_long(m->opts, key, &v), 0);
    return v;
}

static const char *opt_str(const struct p3x_module *m, enum pop3check_opt key)
{
    return pop3check_options_get_str(m->opts, key);
}

/* The password the module holds (never readable through the API). */
static const char *opt_password(const struct p3x_module *m)
{
    return m->opts->v.password;
}

/* The SMTP password and the probe key the module holds (never readable
 * through the API). */
static const char *opt_smtp_password(const struct p3x_module *m)
{
    return m->opts->v.smtp_password;
}

static const char *opt_probe_key(const struct p3x_module *m)
{
    return m->opts->v.probe_key;
}

static const char *range_of(const struct p3x_module *m, enum pop3check_phase p,
                            enum pop3check_state level)
{
    return pop3check_thresholds_get_phase(m->thr, p, level);
}

static const char *measure_of(const struct p3x_module *m,
                              enum pop3check_measure what,
                              enum pop3check_state level)
{
    return pop3check_thresholds_get(m->thr, what, level);
}

#define W POP3CHECK_STATE_WARNING
#define C POP3CHECK_STATE_CRITICAL

/* ---- valid files ---- */

static const char full_yaml[] =
    "modules:\n"                                            /* 1 */
    "  pop3_login:\n"                                       /* 2 */
    "    tls: stls\n"                                       /* 3 */
    "    port: 110\n"                                       /* 4 */
    "    cafile: /etc/ssl/certs/ca.pem\n"                   /* 5 */
    "    insecure: false\n"                                 /* 6 */
    "    sni: mail.example.org\n"                           /* 7 */
    "    ip_version: 4\n"                                   /* 8 */
    "    auth: cram-md5\n"                                  /* 9 */
    "    user: monitor\n"                                   /* 10 */
    "    password_file: @PW@\n"                             /* 11 */
    "    commands: [list, uidl]\n"                          /* 12 */
    "    top: first\n"                                      /* 13 */
    "    retr: last\n"                                      /* 14 */
    "    timeout: 2500ms\n"                                 /* 15 */
    "    timeout_state: warning\n"                          /* 16 */
    "    thresholds:\n"                                     /* 17 */
    "      total:    { warning: \"2\", critical: \"5\" }\n" /* 18 */
    "      phases:   { auth: { warning: \"0.5\", critical: \"2\" },\n"
    "                  connect: { critical: \"1:2\" } }\n"
    "      messages: { warning: \"1000\", critical: \"5000\" }\n"
    "      octets:   { warning: 100000000, critical: \"@0:10\" }\n"
    "      cert_days: { warning: 30, critical: 14 }\n"
    "    allowed_targets: [ \"mail1.example.org\", \"127.0.0.1:995\" ]\n"
    "  banner:\n" /* 25 */
    "    tls: implicit\n"
    "targets:\n"
    "  - name: alpha\n" /* 28 */
    "    target: mail1.example.org:995\n"
    "    module: pop3_login\n"
    "    interval: 90s\n"
    "  - name: b.e_t-a\n" /* 32 */
    "    target: \"[::1]:1995\"\n"
    "    module: banner\n";

static void test_config_full_file_thresholds(void **state)
{
    struct p3x_config *c = parse_ok(full_yaml);
    const struct p3x_module *m = &c->modules[0];
    const struct pop3check_thresholds *t = m->thr;

    (void)state;
    assert_int_equal(pop3check_thresholds_timeout_state(t),
                     POP3CHECK_STATE_WARNING);
    assert_string_equal(range_of(m, POP3CHECK_PHASE_TOTAL, W), "2");
    assert_string_equal(range_of(m, POP3CHECK_PHASE_TOTAL, C), "5");
    assert_true(
        p3_thresholds_phase(t, POP3CHECK_PHASE_TOTAL, POP3CHECK_STATE_CRITICAL)
            ->end == 5.0);
    assert_string_equal(range_of(m, POP3CHECK_PHASE_AUTH, W), "0.5");
    assert_true(
        p3_thresholds_phase(t, POP3CHECK_PHASE_AUTH, POP3CHECK_STATE_WARNING)
            ->end == 0.5);
    assert_string_equal(range_of(m, POP3CHECK_PHASE_AUTH, C), "2");
    assert_null(range_of(m, POP3CHECK_PHASE_CONNECT, W));
    assert_string_equal(range_of(m, POP3CHECK_PHASE_CONNECT, C), "1:2");
    assert_null(range_of(m, POP3CHECK_PHASE_RETR, W));
    assert_null(range_of(m, POP3CHECK_PHASE_RETR, C));
    assert_string_equal(measure_of(m, POP3CHECK_MEASURE_MESSAGES, W), "1000");
    assert_string_equal(measure_of(m, POP3CHECK_MEASURE_MESSAGES, C), "5000");
    assert_string_equal(measure_of(m, POP3CHECK_MEASURE_OCTETS, W),
                        "100000000");
    assert_string_equal(measure_of(m, POP3CHECK_MEASURE_OCTETS, C), "@0:10");
    assert_int_equal(p3_thresholds_measure(t, POP3CHECK_MEASURE_OCTETS,
                                           POP3CHECK_STATE_CRITICAL)
                         ->inside,
                     1);
    /* -D 30,14: fewer than 30 days warn, fewer than 14 are critical */
    assert_string_equal(measure_of(m, POP3CHECK_MEASURE_CERT_DAYS, W), "30:");
    assert_string_equal(measure_of(m, POP3CHECK_MEASURE_CERT_DAYS, C), "14:");
    p3x_config_free(c);
}

static void test_config_full_file_fills_every_field(void **state)
{
    struct p3x_config *c = parse_ok(full_yaml);
    const struct p3x_module *m = &c->modules[0];

    (void)state;
    assert_string_equal(c->path, "t.yml");
    assert_int_equal(c->nmodules, 2);
    assert_string_equal(m->name, "pop3_login");
    assert_int_equal(m->line, 2);
    assert_null(opt_str(m, POP3CHECK_OPT_HOST));
    assert_int_equal(opt_long(m, POP3CHECK_OPT_TLS), POP3CHECK_TLS_STLS);
    assert_int_equal(opt_long(m, POP3CHECK_OPT_PORT), 110);
    assert_string_equal(opt_str(m, POP3CHECK_OPT_CAFILE),
                        "/etc/ssl/certs/ca.pem");
    assert_int_equal(opt_long(m, POP3CHECK_OPT_INSECURE), 0);
    assert_string_equal(opt_str(m, POP3CHECK_OPT_SNI), "mail.example.org");
    assert_int_equal(opt_long(m, POP3CHECK_OPT_IP_VERSION), 4);
    assert_int_equal(opt_long(m, POP3CHECK_OPT_AUTH), POP3CHECK_AUTH_CRAM_MD5);
    assert_string_equal(opt_str(m, POP3CHECK_OPT_USER), "monitor");
    assert_null(opt_str(m, POP3CHECK_OPT_PASSWORD)); /* never read back */
    assert_string_equal(opt_password(m), PASSWORD);
    assert_string_equal(m->password_file, pwpath);
    assert_int_equal(opt_long(m, POP3CHECK_OPT_LIST), 1);
    assert_int_equal(opt_long(m, POP3CHECK_OPT_UIDL), 1);
    assert_int_equal(opt_long(m, POP3CHECK_OPT_TOP), POP3CHECK_MSG_FIRST);
    assert_int_equal(opt_long(m, POP3CHECK_OPT_RETR), POP3CHECK_MSG_LAST);
    assert_int_equal(opt_long(m, POP3CHECK_OPT_TIMEOUT_MS), 2500);
    assert_null(m->opts->v.trace);
    assert_int_equal(m->nallowed, 2);
    assert_string_equal(m->allowed[0], "mail1.example.org");
    assert_string_equal(m->allowed[1], "127.0.0.1:995");

    assert_string_equal(c->modules[1].name, "banner");
    assert_int_equal(c->modules[1].line, 25);
    assert_int_equal(opt_long(&c->modules[1], POP3CHECK_OPT_TLS),
                     POP3CHECK_TLS_IMPLICIT);
    assert_int_equal(p3x_module_port(&c->modules[1], 0), 995);
    assert_int_equal(p3x_module_port(&c->modules[1], 1995), 1995);

    assert_int_equal(c->ntargets, 2);
    assert_string_equal(c->targets[0].name, "alpha");
    assert_string_equal(c->targets[0].host, "mail1.example.org");
    assert_int_equal(c->targets[0].port, 995);
    assert_ptr_equal(c->targets[0].module, &c->modules[0]);
    assert_true(c->targets[0].interval_s == 90.0);
    assert_int_equal(c->targets[0].line, 28);
    assert_string_equal(c->targets[1].name, "b.e_t-a");
    assert_string_equal(c->targets[1].host, "::1");
    assert_int_equal(c->targets[1].port, 1995);
    assert_ptr_equal(c->targets[1].module, &c->modules[1]);
    assert_int_equal(c->targets[1].line, 32);

    assert_ptr_equal(p3x_config_module(c, "banner"), &c->modules[1]);
    assert_null(p3x_config_module(c, "nope"));
    assert_null(p3x_config_module(c, NULL));
    assert_null(p3x_config_module(NULL, "banner"));
    p3x_config_free(c);
    p3x_config_free(NULL);
}

static void test_config_defaults(void **state)
{
    struct p3x_config *c = parse_ok("modules:\n  m: {}\n"
                                    "targets:\n"
                                    "  - { name: a, target: h, module: m }\n");
    const struct p3x_module *m = &c->modules[0];

    (void)state;
    assert_int_equal(opt_long(m, POP3CHECK_OPT_TLS), POP3CHECK_TLS_NONE);
    assert_int_equal(m->opts->v.port, 0); /* unset: the library's default */
    assert_int_equal(opt_long(m, POP3CHECK_OPT_PORT), 110);
    assert_int_equal(p3x_module_port(m, 0), 110);
    assert_int_equal(opt_long(m, POP3CHECK_OPT_IP_VERSION), 0);
    assert_int_equal(opt_long(m, POP3CHECK_OPT_AUTH), POP3CHECK_AUTH_ANY);
    assert_null(opt_str(m, POP3CHECK_OPT_USER));
    assert_null(opt_password(m));
    assert_null(opt_str(m, POP3CHECK_OPT_CAFILE));
    assert_null(opt_str(m, POP3CHECK_OPT_SNI));
    assert_null(m->password_file);
    assert_int_equal(opt_long(m, POP3CHECK_OPT_TOP), POP3CHECK_MSG_NONE);
    assert_int_equal(opt_long(m, POP3CHECK_OPT_RETR), POP3CHECK_MSG_NONE);
    assert_int_equal(m->opts->v.timeout_ms, 0); /* the library's default */
    assert_int_equal(opt_long(m, POP3CHECK_OPT_TIMEOUT_MS), 10000);
    /* no threshold at all, a timeout is CRITICAL */
    for (int p = 0; p < POP3CHECK_PHASE_KNOWN; p++) {
        assert_null(range_of(m, (enum pop3check_phase)p, W));
        assert_null(range_of(m, (enum pop3check_phase)p, C));
    }
    for (int i = POP3CHECK_MEASURE_MESSAGES; i <= POP3CHECK_MEASURE_CERT_DAYS;
         i++) {
        assert_null(measure_of(m, (enum pop3check_measure)i, W));
        assert_null(measure_of(m, (enum pop3check_measure)i, C));
    }
    assert_int_equal(pop3check_thresholds_timeout_state(m->thr),
                     POP3CHECK_STATE_CRITICAL);
    assert_int_equal(m->nallowed, 1);
    assert_string_equal(m->allowed[0], "*");
    assert_true(c->targets[0].interval_s == 60.0);
    assert_int_equal(c->targets[0].port, 0);
    p3x_config_free(c);

    /* targets are optional; so is allowed_targets with credentials */
    c = parse_ok(M LOGIN);
    assert_int_equal(c->ntargets, 0);
    assert_null(c->targets);
    assert_int_equal(c->modules[0].nallowed, 0);
    p3x_config_free(c);
    c = parse_ok("targets: []\nmodules:\n  m: {}\n");
    assert_int_equal(c->ntargets, 0);
    p3x_config_free(c);
}

static void test_config_words_and_numbers(void **state)
{
    static const struct {
        const char *yaml;
        unsigned timeout_ms;
        int insecure, ip;
    } t[] = {
        {M "    timeout: 500ms\n", 500, 0, 0},
        {M "    timeout: 10s\n", 10000, 0, 0},
        {M "    timeout: 1m\n", 60000, 0, 0},
        {M "    timeout: 7\n", 7000, 0, 0},
        {M "    timeout: 2.5\n", 2500, 0, 0},
        {M "    timeout: 3600\n", 3600000, 0, 0},
        {M "    timeout: 1h\n", 3600000, 0, 0},
        {M "    timeout: \"1ms\"\n", 1, 0, 0},
        {M "    tls: IMPLICIT\n    insecure: true\n", 10000, 1, 0},
        {M "    tls: stls\n    insecure: yes\n", 10000, 1, 0},
        {M "    tls: stls\n    insecure: False\n", 10000, 0, 0},
        {M "    insecure: false\n", 10000, 0, 0}, /* as check_pop3 */
        {M "    ip_version: 6\n", 10000, 0, 6},
        {M "    ip_version: 0\n", 10000, 0, 0},
    };

    (void)state;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct p3x_config *c = parse_ok(t[i].yaml);
        const struct p3x_module *m = &c->modules[0];
        assert_int_equal(opt_long(m, POP3CHECK_OPT_TIMEOUT_MS),
                         t[i].timeout_ms);
        assert_int_equal(opt_long(m, POP3CHECK_OPT_INSECURE), t[i].insecure);
        assert_int_equal(opt_long(m, POP3CHECK_OPT_IP_VERSION), t[i].ip);
        p3x_config_free(c);
    }
}

static void test_config_messages_and_auth(void **state)
{
    struct p3x_config *c;

    (void)state;
    c = parse_ok(M LOGIN "    top: 3\n    retr: FIRST\n    auth: APOP\n"
                         "    commands: [UIDL]\n");
    assert_int_equal(opt_long(c->modules, POP3CHECK_OPT_TOP), 3);
    assert_int_equal(opt_long(c->modules, POP3CHECK_OPT_RETR),
                     POP3CHECK_MSG_FIRST);
    assert_int_equal(opt_long(c->modules, POP3CHECK_OPT_AUTH),
                     POP3CHECK_AUTH_APOP);
    assert_int_equal(opt_long(c->modules, POP3CHECK_OPT_LIST), 0);
    assert_int_equal(opt_long(c->modules, POP3CHECK_OPT_UIDL), 1);
    p3x_config_free(c);
    c = parse_ok(M "    auth: any\n    commands: []\n"); /* as check_pop3 */
    assert_int_equal(opt_long(c->modules, POP3CHECK_OPT_AUTH),
                     POP3CHECK_AUTH_ANY);
    p3x_config_free(c);
    c = parse_ok(M "    tls: implicit\n"
                   "    timeout_state: ok\n"
                   "    thresholds:\n"
                   "      cert_days: { warning: 10 }\n"
                   "      total: { critical: \"~:3\" }\n"
                   "      phases: { greeting: {} }\n");
    assert_string_equal(measure_of(c->modules, POP3CHECK_MEASURE_CERT_DAYS, W),
                        "10:");
    assert_null(measure_of(c->modules, POP3CHECK_MEASURE_CERT_DAYS, C));
    assert_string_equal(range_of(c->modules, POP3CHECK_PHASE_TOTAL, C), "~:3");
    assert_int_equal(p3_thresholds_phase(c->modules[0].thr,
                                         POP3CHECK_PHASE_TOTAL,
                                         POP3CHECK_STATE_CRITICAL)
                         ->start_inf,
                     1);
    assert_null(range_of(c->modules, POP3CHECK_PHASE_GREETING, W));
    assert_int_equal(pop3check_thresholds_timeout_state(c->modules[0].thr),
                     POP3CHECK_STATE_OK);
    p3x_config_free(c);
    c = parse_ok(M "    tls: stls\n"
                   "    thresholds: { cert_days: { critical: 7 } }\n");
    assert_null(measure_of(c->modules, POP3CHECK_MEASURE_CERT_DAYS, W));
    assert_string_equal(measure_of(c->modules, POP3CHECK_MEASURE_CERT_DAYS, C),
                        "7:");
    p3x_config_free(c);
}

/* ---- errors: FILE:LINE: KEY ---- */

static void test_config_unknown_keys(void **state)
{
    static const struct bad t[] = {
        {M "    tsl: stls\n", "t.yml:3: modules.m.tsl: ", "unknown key"},
        {M "    tls: stls\n    TLS: stls\n",
         "t.yml:4: modules.m.TLS: ", "unknown key"},
        {"module:\n  m: {}\n", "t.yml:1: module: ", "unknown key"},
        {M "    thresholds:\n      totl: {}\n",
         "t.yml:4: modules.m.thresholds.totl: ", "unknown key"},
        {M "    thresholds:\n      phases: { login: {} }\n",
         "t.yml:4: modules.m.thresholds.phases.login: ", "resolve"},
        {M "    thresholds:\n      phases: { total: {} }\n",
         "t.yml:4: modules.m.thresholds.phases.total: ", "unknown key"},
        {M "    thresholds:\n      total: { warn: \"1\" }\n",
         "t.yml:4: modules.m.thresholds.total.warn: ", "warning, critical"},
        {M "    tls: stls\n    thresholds:\n      cert_days: { days: 3 }\n",
         "t.yml:5: modules.m.thresholds.cert_days.days: ", "unknown key"},
        {"modules:\n  m: {}\ntargets:\n  - nmae: a\n",
         "t.yml:4: targets[0].nmae: ", "name, target, module, interval"},
        {M "    ? [a, b]\n    : c\n", "t.yml:3: modules.m: ", "keys"},
    };

    (void)state;
    expect_errors(t, sizeof t / sizeof t[0]);
}

static void test_config_password_key_refused(void **state)
{
    (void)state;
    expect_error(M "    user: monitor\n    password: " PASSWORD "\n",
                 "t.yml:4: modules.m.password: ", "password_file");
    expect_error(M "    user: monitor\n    password_file: @PW@\n"
                   "    password: \"" PASSWORD "\"\n",
                 "t.yml:5: modules.m.password: ", "password_file");
}

static void test_config_duplicates(void **state)
{
    static const struct bad t[] = {
        {M "    tls: stls\n    port: 1\n    tls: none\n",
         "t.yml:5: modules.m.tls: ", "line 3"},
        {"modules:\n  m: {}\nmodules:\n  n: {}\n",
         "t.yml:3: modules: ", "duplicate key"},
        {"modules:\n  m: {}\n  n: {}\n  m: {}\n",
         "t.yml:4: modules.m: ", "duplicate module name"},
        {M "    thresholds:\n      total: { warning: 1, warning: 2 }\n",
         "t.yml:4: modules.m.thresholds.total.warning: ", "duplicate"},
        {"modules:\n  m: {}\ntargets:\n"
         "  - { name: a, target: h, module: m }\n"
         "  - { name: b, target: h, module: m }\n"
         "  - { name: a, target: i, module: m }\n",
         "t.yml:6: targets[2].name: ", "line 4"},
        {"modules:\n  m: {}\ntargets:\n"
         "  - { name: a, target: h, module: m, module: m }\n",
         "t.yml:4: targets[0].module: ", "duplicate"},
        {M "    commands: [list, LIST]\n",
         "t.yml:3: modules.m.commands: ", "twice"},
    };

    (void)state;
    expect_errors(t, sizeof t / sizeof t[0]);
}

static void test_config_wrong_types(void **state)
{
    static const struct bad t[] = {
        {"- a\n- b\n", "t.yml:1: ", "must be a mapping"},
        {"just words\n", "t.yml:1: ", "must be a mapping"},
        {"modules: [a]\n", "t.yml:1: modules: ", "not a list"},
        {"modules:\n", "t.yml:1: modules: ", "needs a value"},
        {"modules:\n  m:\n", "t.yml:2: modules.m: ", "{}"},
        {"modules:\n  m: text\n", "t.yml:2: modules.m: ", "mapping"},
        {M "    tls: [stls]\n", "t.yml:3: modules.m.tls: ", "not a list"},
        {M "    port: { a: 1 }\n",
         "t.yml:3: modules.m.port: ", "not a mapping"},
        {M "    port:\n", "t.yml:3: modules.m.port: ", "needs a value"},
        {M "    port: ~\n", "t.yml:3: modules.m.port: ", "needs a value"},
        {M "    user: \"\"\n", "t.yml:3: modules.m.user: ", "needs a value"},
        {M "    commands: list\n", "t.yml:3: modules.m.commands: ", "list"},
        {M "    commands: [[list]]\n",
         "t.yml:3: modules.m.commands: ", "not a list"},
        {M "    thresholds: 5\n", "t.yml:3: modules.m.thresholds: ", "mapping"},
        {M "    thresholds:\n      total: \"5\"\n",
         "t.yml:4: modules.m.thresholds.total: ", "mapping"},
        {M "    thresholds:\n      phases: [auth]\n",
         "t.yml:4: modules.m.thresholds.phases: ", "not a list"},
        {M "    thresholds:\n      total: { warning: [1] }\n",
         "t.yml:4: modules.m.thresholds.total.warning: ", "not a list"},
        {M "    allowed_targets: host\n",
         "t.yml:3: modules.m.allowed_targets: ", "list"},
        {M "    allowed_targets: [{ a: b }]\n",
         "t.yml:3: modules.m.allowed_targets: ", "not a mapping"},
        {"modules:\n  m: {}\ntargets:\n  a: b\n", "t.yml:4: targets: ", "list"},
        {"modules:\n  m: {}\ntargets:\n",
         "t.yml:3: targets: ", "needs a value"},
        {"modules:\n  m: {}\ntargets:\n  - a\n",
         "t.yml:4: targets[0]: ", "mapping"},
        {"modules:\n  m: {}\ntargets:\n  - { name: [a], target: h, "
         "module: m }\n",
         "t.yml:4: targets[0].name: ", "not a list"},
        {M "    user: \"a\\0b\"\n", "t.yml:3: modules.m.user: ", "NUL"},
    };

    (void)state;
    expect_errors(t, sizeof t / sizeof t[0]);
}

static void test_config_bad_values(void **state)
{
    static const struct bad t[] = {
        {M "    tls: tsl\n", "t.yml:3: modules.m.tls: ",
         "'tsl' is not a TLS mode (none, stls or implicit)"},
        {M "    port: 0\n", "t.yml:3: modules.m.port: ", "1-65535"},
        {M "    port: 70000\n", "t.yml:3: modules.m.port: ", "1-65535"},
        {M "    port: +110\n", "t.yml:3: modules.m.port: ", "'+110'"},
        {M "    port: 0x6e\n", "t.yml:3: modules.m.port: ", "port"},
        {M "    ip_version: 5\n", "t.yml:3: modules.m.ip_version: ", "4, 6"},
        {M "    ip_version: ipv4\n",
         "t.yml:3: modules.m.ip_version: ", "IP version"},
        {M "    insecure: maybe\n",
         "t.yml:3: modules.m.insecure: ", "true or false"},
        {M "    auth: digest-md5\n", "t.yml:3: modules.m.auth: ", "cram-md5"},
        {M LOGIN "    commands: [stat]\n",
         "t.yml:5: modules.m.commands: ", "list or uidl"},
        {M LOGIN "    top: 0\n", "t.yml:5: modules.m.top: ", "first or last"},
        {M LOGIN "    retr: -1\n", "t.yml:5: modules.m.retr: ", "message"},
        {M LOGIN "    retr: latest\n", "t.yml:5: modules.m.retr: ", "last"},
        {M "    timeout: 0\n", "t.yml:3: modules.m.timeout: ", "above 0"},
        {M "    timeout: 0s\n", "t.yml:3: modules.m.timeout: ", "3600"},
        {M "    timeout: 3601\n", "t.yml:3: modules.m.timeout: ", "3600"},
        {M "    timeout: 2h\n", "t.yml:3: modules.m.timeout: ", "timeout"},
        {M "    timeout: 10 s\n", "t.yml:3: modules.m.timeout: ", "500ms"},
        {M "    timeout: -5\n", "t.yml:3: modules.m.timeout: ", "'-5'"},
        {M "    timeout: 1e3\n", "t.yml:3: modules.m.timeout: ", "'1e3'"},
        {M "    timeout: inf\n", "t.yml:3: modules.m.timeout: ", "'inf'"},
        {M "    timeout: 1.2.3s\n", "t.yml:3: modules.m.timeout: ", "1.2.3"},
        {M "    timeout_state: bad\n", "t.yml:3: modules.m.timeout_state: ",
         "ok, warning, critical or unknown"},
        {M "    thresholds:\n      total: { warning: \"2:1\" }\n",
         "t.yml:4: modules.m.thresholds.total.warning: ", "not a range"},
        {M "    thresholds:\n      phases:\n        auth: { critical: x }\n",
         "t.yml:5: modules.m.thresholds.phases.auth.critical: ",
         "'x' is not a range"},
        {M "    tls: stls\n    thresholds:\n      cert_days: { warning: 0 }\n",
         "t.yml:5: modules.m.thresholds.cert_days.warning: ", "days"},
        {M "    tls: stls\n    thresholds:\n"
           "      cert_days: { warning: 14, critical: 30 }\n",
         "t.yml:5: modules.m.thresholds.cert_days.critical: ",
         "must not exceed"},
        {"modules:\n  \"a b\": {}\n", "t.yml:2: modules: ", "module name"},
        {"modules:\n  "
         "m12345678901234567890123456789012345678901234567890123456789012345:"
         " {}\n",
         "t.yml:2: modules: ", "1 to 64"},
    };

    (void)state;
    expect_errors(t, sizeof t / sizeof t[0]);
}

static void test_config_settings_that_need_others(void **state)
{
    static const struct bad t[] = {
        {M "    cafile: /ca.pem\n", "t.yml:3: modules.m.cafile: ", "TLS"},
        {M "    insecure: true\n",
         "t.yml:3: modules.m.insecure: ", "tls: stls"},
        {M "    tls: none\n    sni: x\n", "t.yml:4: modules.m.sni: ", "TLS"},
        {M "    thresholds:\n      cert_days: { warning: 3 }\n",
         "t.yml:4: modules.m.thresholds.cert_days: ", "TLS"},
        {M "    password_file: @PW@\n",
         "t.yml:3: modules.m.password_file: ", "add user"},
        {M "    user: monitor\n", "t.yml:3: modules.m.user: ", "password_file"},
        {M "    auth: plain\n", "t.yml:3: modules.m.auth: ", "login"},
        {M "    commands: [list]\n",
         "t.yml:3: modules.m.commands: ", "add user"},
        {M "    top: 1\n", "t.yml:3: modules.m.top: ", "login"},
        {M "    retr: last\n", "t.yml:3: modules.m.retr: ", "login"},
        {M "    thresholds:\n      messages: { warning: \"5\" }\n",
         "t.yml:4: modules.m.thresholds.messages: ", "login"},
        {M "    thresholds:\n      octets: { critical: \"5\" }\n",
         "t.yml:4: modules.m.thresholds.octets: ", "login"},
        {M LOGIN "    allowed_targets: [a.example.org, \"*\"]\n",
         "t.yml:5: modules.m.allowed_targets: ", "'*'"},
        {M "    allowed_targets: [\"ho st\"]\n",
         "t.yml:3: modules.m.allowed_targets: ", "'ho st'"},
        {M "    allowed_targets: [\"h:0\"]\n",
         "t.yml:3: modules.m.allowed_targets: ", "not a target"},
    };

    (void)state;
    expect_errors(t, sizeof t / sizeof t[0]);
}

static void test_config_targets(void **state)
{
    static const struct bad t[] = {
        {"modules:\n  m: {}\ntargets:\n  - target: h\n    module: m\n",
         "t.yml:4: targets[0].name: ", "missing"},
        {"modules:\n  m: {}\ntargets:\n  - name: a\n    module: m\n",
         "t.yml:4: targets[0].target: ", "missing"},
        {"modules:\n  m: {}\ntargets:\n  - name: a\n    target: h\n",
         "t.yml:4: targets[0].module: ", "missing"},
        {"modules:\n  m: {}\ntargets:\n  - name: a b\n    target: h\n"
         "    module: m\n",
         "t.yml:4: targets[0].name: ", "target name"},
        {"modules:\n  m: {}\ntargets:\n"
         "  - name: abcdefghijabcdefghijabcdefghijabc\n"
         "    target: h\n    module: m\n",
         "t.yml:4: targets[0].name: ", "1 to 32"},
        {"modules:\n  m: {}\ntargets:\n  - name: a\n    target: \"h:\"\n"
         "    module: m\n",
         "t.yml:5: targets[0].target: ", "'h:' is not a target"},
        {"modules:\n  m: {}\ntargets:\n  - name: a\n    target: h\n"
         "    module: n\n",
         "t.yml:6: targets[0].module: ", "'n'"},
        {"modules:\n  m: {}\ntargets:\n  - name: a\n    target: h\n"
         "    module: m\n    interval: 0.5s\n",
         "t.yml:7: targets[0].interval: ", "1 s"},
        {"modules:\n  m: {}\ntargets:\n  - name: a\n    target: h\n"
         "    module: m\n    interval: 2d\n",
         "t.yml:7: targets[0].interval: ", "interval"},
        {"targets:\n  - { name: a, target: h, module: m }\n",
         "t.yml:1: modules: ", "no modules"},
    };

    (void)state;
    expect_errors(t, sizeof t / sizeof t[0]);
}

static void test_config_empty_and_syntax(void **state)
{
    static const char bad_utf8[] = "modules:\n  m: {}\n  \xff: {}\n";
    static const struct bad t[] = {
        {"", "t.yml:1: modules: ", "no modules"},
        {"# nothing but a comment\n\n", "t.yml:1: modules: ", "no modules"},
        {"modules: {}\n", "t.yml:1: modules: ", "no modules"},
        {"{}\n", "t.yml:1: modules: ", "no modules"},
        {"---\n...\n", "t.yml:1: modules: ", "no modules"},
        {M "    thresholds: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]"
           "]]]]]]]]]]]]]]]]]]]]]]]]\n",
         "t.yml:3: nested deeper than 32", "levels"},
        {"modules:\n  m: {\n", "t.yml:3: YAML syntax error: ", "expected"},
        {"modules:\n  m: {}\n\tn: {}\n",
         "t.yml:3: YAML syntax error: ", "cannot start any token"},
        {M "    tls: stls\n   port: 1\n",
         "t.yml:4: YAML syntax error: ", "expected key"},
        {M "    thresholds:\n      total: { warning: 10: }\n",
         "t.yml:4: YAML syntax error: ", ""},
        {"modules:\n  base: &b { tls: stls }\n  m: *b\n",
         "t.yml:3: YAML aliases (*b) are not supported", "write the value"},
        {"modules:\n  m: {}\n---\nmodules:\n  n: {}\n",
         "t.yml:3: a second YAML document", "---"},
    };
    struct p3x_config *c = NULL;

    (void)state;
    expect_errors(t, sizeof t / sizeof t[0]);
    /* a reader error carries no mark: the line is counted */
    assert_int_equal(p3x_config_parse(bad_utf8, strlen(bad_utf8), "u.yml", &c,
                                      err, sizeof err),
                     -1);
    assert_null(c);
    assert_true(strncmp(err, "u.yml:3: YAML syntax error: ", 28) == 0);
    /* no place for the result, no text */
    assert_int_equal(p3x_config_parse("a", 1, "t.yml", NULL, err, sizeof err),
                     -1);
    assert_int_equal(p3x_config_parse(NULL, 3, "t.yml", &c, err, sizeof err),
                     -1);
    /* no room for a message is fine too */
    assert_int_equal(p3x_config_parse("", 0, NULL, &c, NULL, 0), -1);
    assert_null(c);
}

static void test_config_message_is_one_line(void **state)
{
    (void)state;
    expect_error(M "    tls: \"st\\nls\\r\"\n",
                 "t.yml:3: modules.m.tls: ", "'st?ls?'");
    expect_error("modules:\n  \"a\\tb\": {}\n", "t.yml:2: modules: ", "'a?b'");
}

/* What only the probe library knows is still refused at load. */
static void test_config_checked_by_the_library(void **state)
{
    (void)state;
    expect_error("modules:\n  m6:\n    ip_version: 6\ntargets:\n"
                 "  - name: alpha\n    target: 127.0.0.1:110\n"
                 "    module: m6\n",
                 "t.yml:5: targets.alpha: ", "IPv6");
    expect_error("modules:\n  m:\n    user: two words\n"
                 "    password_file: @PW@\n",
                 "t.yml:2: modules.m: ", "no spaces");
    /* in the library's words, at the module's line, after the file's own
     * errors */
    expect_error("modules:\n  m:\n    tls: stls\n    sni: \"a b\"\n",
                 "t.yml:2: modules.m: ", "sni: give a host name");
    expect_error("modules:\n  m:\n    user: two words\n",
                 "t.yml:3: modules.m.user: ", "needs password_file");
    expect_error("modules:\n  m:\n    user: two words\n"
                 "    password_file: /nonexistent/pw\n",
                 "t.yml:4: modules.m.password_file: ", "No such file");
    expect_error("modules:\n  m: {}\ntargets:\n"
                 "  - { name: a, target: \"" HOST254 "\", module: m }\n",
                 "t.yml:4: targets.a: ", "host: give a host name");
}

/* ---- password files ---- */

/* A module whose password_file holds content; returns the parse result. */
static int parse_with_password(const void *content, size_t len,
                               struct p3x_config **c)
{
    char path[64];
    char *yaml;
    int rc;

    make_file(path, sizeof path, content, len);
    yaml = subst(M "    user: u\n    password_file: @PW@\n", path);
    memset(err, 0, sizeof err);
    rc = p3x_config_parse(yaml, strlen(yaml), "t.yml", c, err, sizeof err);
    free(yaml);
    unlink(path);
    return rc;
}

static void test_config_password_file_first_line(void **state)
{
    static const struct {
        const char *content, *password;
    } t[] = {
        {"pw", "pw"},
        {"pw\n", "pw"},
        {"pw\r\n", "pw"},
        {"p w\rnext", "p w"},
        {"pw\nsecond\nthird\n", "pw"},
        {" spaced \n", " spaced "},
    };
    struct p3x_config *c;

    (void)state;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (parse_with_password(t[i].content, strlen(t[i].content), &c) != 0)
            fail_msg("'%s' rejected: %s", t[i].content, err);
        assert_string_equal(opt_password(c->modules), t[i].password);
        p3x_config_free(c);
    }
}

static void test_config_password_file_lengths(void **state)
{
    char pw[300];
    struct p3x_config *c;

    (void)state;
    memset(pw, 'x', sizeof pw);
    assert_int_equal(parse_with_password(pw, 255, &c), 0);
    assert_int_equal(strlen(opt_password(c->modules)), 255);
    p3x_config_free(c);
    pw[255] = '\n';
    assert_int_equal(parse_with_password(pw, sizeof pw, &c), 0);
    assert_int_equal(strlen(opt_password(c->modules)), 255);
    p3x_config_free(c);
    pw[255] = 'x';
    assert_int_equal(parse_with_password(pw, 256, &c), -1);
    assert_null(c);
    assert_true(strncmp(err, "t.yml:4: modules.m.password_file: ", 34) == 0);
    assert_non_null(strstr(err, "longer than 255"));
    assert_int_equal(parse_with_password(pw, sizeof pw, &c), -1);
    assert_non_null(strstr(err, "longer than 255"));
    assert_null(strstr(err, "xxxx"));
}

static void test_config_password_file_errors(void **state)
{
    struct p3x_config *c;
    char dir[] = "/tmp/test_config_dir_XXXXXX";
    char *yaml, want[256];

    (void)state;
    assert_int_equal(parse_with_password("", 0, &c), -1);
    assert_non_null(strstr(err, "first line is empty"));
    assert_int_equal(parse_with_password("\nsecond\n", 8, &c), -1);
    assert_non_null(strstr(err, "first line is empty"));
    assert_int_equal(parse_with_password("\r\n", 2, &c), -1);
    assert_non_null(strstr(err, "first line is empty"));
    assert_int_equal(parse_with_password("a\0b\n", 4, &c), -1);
    assert_non_null(strstr(err, "NUL"));
    assert_null(c);

    expect_error(M "    user: u\n    password_file: /nonexistent/pw\n",
                 "t.yml:4: modules.m.password_file: ",
                 "'/nonexistent/pw': No such file or directory");
    assert_non_null(mkdtemp(dir));
    yaml = subst(M "    user: u\n    password_file: @PW@\n", dir);
    assert_int_equal(
        p3x_config_parse(yaml, strlen(yaml), "t.yml", &c, err, sizeof err), -1);
    snprintf(want, sizeof want,
             "t.yml:4: modules.m.password_file: '%s' is a directory, not a "
             "file",
             dir);
    assert_string_equal(err, want);
    free(yaml);
    rmdir(dir);
}

/* The library's rule for secret files: others may not touch the file,
 * its group may read it (root:pop3check 0640). */
static void test_config_password_file_mode(void **state)
{
    char path[64], want[256];
    struct p3x_config *c = NULL;
    char *yaml;

    (void)state;
    make_file(path, sizeof path, "pw\n", 3);
    yaml = subst(M "    user: u\n    password_file: @PW@\n", path);
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(
        p3x_config_parse(yaml, strlen(yaml), "t.yml", &c, err, sizeof err), -1);
    assert_null(c);
    snprintf(want, sizeof want,
             "t.yml:4: modules.m.password_file: '%s' is open to other users "
             "(mode 0644): run chmod o-rwx '%s'",
             path, path);
    assert_string_equal(err, want);
    assert_int_equal(chmod(path, 0640), 0);
    if (p3x_config_parse(yaml, strlen(yaml), "t.yml", &c, err, sizeof err))
        fail_msg("0640 refused: %s", err);
    assert_string_equal(opt_password(c->modules), "pw");
    p3x_config_free(c);
    free(yaml);
    unlink(path);
}

/* An error after the password was read frees and wipes it (ASan checks
 * the freeing; the wipe is explicit_bzero in p3x_config_free). */
static void test_config_error_after_password_read(void **state)
{
    (void)state;
    expect_error(M LOGIN "    allowed_targets: [\"*\"]\n"
                         "  n:\n" LOGIN "    tls: bad\n",
                 "t.yml:5: modules.m.allowed_targets: ", "credentials");
    expect_error(M LOGIN "  n:\n    tls: bad\n",
                 "t.yml:6: modules.n.tls: ", "'bad'");
    expect_error(M LOGIN "targets:\n  - { name: a, target: h, module: x }\n",
                 "t.yml:6: targets[0].module: ", "'x'");
}

/* ---- files ---- */

static void test_config_load_file(void **state)
{
    static const char text[] = "modules:\n  m: {}\n";
    struct p3x_config *c = NULL;
    char path[64];

    (void)state;
    make_file(path, sizeof path, text, strlen(text));
    if (p3x_config_load(path, &c, err, sizeof err) != 0)
        fail_msg("rejected: %s", err);
    assert_string_equal(c->path, path);
    assert_string_equal(c->modules[0].name, "m");
    p3x_config_free(c);
    unlink(path);

    assert_int_equal(p3x_config_load("/nonexistent/p.yml", &c, err, sizeof err),
                     -1);
    assert_null(c);
    assert_string_equal(err, "/nonexistent/p.yml: No such file or directory");

    make_file(path, sizeof path, "modules:\n  m: {x: 1}\n", 20);
    assert_int_equal(p3x_config_load(path, &c, err, sizeof err), -1);
    assert_true(strncmp(err, path, strlen(path)) == 0);
    assert_non_null(strstr(err, ":2: modules.m.x: unknown key"));
    unlink(path);
}

static char *read_example(void)
{
    FILE *f = fopen(EXAMPLE, "r");
    char *text = calloc(1, 65536);
    size_t n;

    if (f == NULL)
        fail_msg("%s: cannot open (run from the top of the tree)", EXAMPLE);
    assert_non_null(text);
    n = fread(text, 1, 65535, f);
    fclose(f);
    assert_true(n > 0 && n < 65535);
    return text;
}

static void test_config_example_file(void **state)
{
    char *text = read_example(), *yaml, *pw, prefix[128], path[64];
    struct p3x_config *c = NULL;
    int line = 1;

    (void)state;
    /* As shipped, only the password file is missing (unless it exists):
     * the error names its line. */
    pw = strstr(text, "password_file: " EXAMPLE_PW);
    assert_non_null(pw);
    for (const char *p = text; p < pw; p++)
        line += *p == '\n';
    snprintf(prefix, sizeof prefix,
             "%s:%d: modules.pop3_login.password_file: '%s': ", EXAMPLE, line,
             EXAMPLE_PW);
    if (p3x_config_load(EXAMPLE, &c, err, sizeof err) != 0 &&
        strncmp(err, prefix, strlen(prefix)) != 0)
        fail_msg("'%s' does not start with '%s'", err, prefix);
    p3x_config_free(c);

    /* With a password file that exists, everything loads. */
    yaml = replace(text, EXAMPLE_PW, pwpath);
    make_file(path, sizeof path, yaml, strlen(yaml));
    if (p3x_config_load(path, &c, err, sizeof err) != 0)
        fail_msg("example rejected: %s", err);
    assert_int_equal(c->nmodules, 3);
    assert_int_equal(c->ntargets, 3);
    assert_int_equal(opt_long(&c->modules[0], POP3CHECK_OPT_TLS),
                     POP3CHECK_TLS_IMPLICIT);
    assert_null(opt_str(&c->modules[0], POP3CHECK_OPT_USER));
    assert_true(p3x_module_allows(&c->modules[0], "anything.example", 995));
    assert_int_equal(opt_long(&c->modules[1], POP3CHECK_OPT_TLS),
                     POP3CHECK_TLS_STLS);
    assert_string_equal(opt_password(&c->modules[1]), PASSWORD);
    assert_true(p3x_module_allows(&c->modules[1], "mail1.example.org", 0));
    assert_true(p3x_module_allows(&c->modules[1], "mail2.example.org", 110));
    assert_false(p3x_module_allows(&c->modules[1], "mail2.example.org", 995));
    assert_false(p3x_module_allows(&c->modules[1], "other.example", 110));
    assert_ptr_equal(c->targets[0].module, &c->modules[0]);
    assert_ptr_equal(c->targets[1].module, &c->modules[1]);
    /* the round trip: the mailbox's password serves SMTP too */
    assert_int_equal(c->modules[2].round_trip, 1);
    assert_string_equal(opt_str(&c->modules[2], POP3CHECK_OPT_SMTP_HOST),
                        "smtp.example.org");
    assert_string_equal(opt_smtp_password(&c->modules[2]), PASSWORD);
    assert_int_equal(opt_long(&c->modules[2], POP3CHECK_OPT_POLL_MS), 2000);
    assert_int_equal(pop3check_thresholds_error_state(
                         c->modules[2].thr, POP3CHECK_E_NOT_DELIVERED),
                     POP3CHECK_STATE_WARNING);
    assert_string_equal(range_of(&c->modules[2], POP3CHECK_PHASE_DELIVERY, C),
                        "50");
    assert_true(p3x_module_allows(&c->modules[2], "mail1.example.org", 110));
    assert_false(p3x_module_allows(&c->modules[2], "mail2.example.org", 110));
    assert_ptr_equal(c->targets[2].module, &c->modules[2]);
    p3x_config_free(c);
    unlink(path);
    free(yaml);
    free(text);
}

/* ---- target strings and allowed targets ---- */

static void test_config_target_parse(void **state)
{
    static const struct {
        const char *text, *host;
        unsigned port;
    } good[] = {
        {"host", "host", 0},
        {"host:110", "host", 110},
        {"mail.example.org:995", "mail.example.org", 995},
        {"a-b_c.d", "a-b_c.d", 0},
        {"127.0.0.1:65535", "127.0.0.1", 65535},
        {"h:1", "h", 1},
        {"[::1]:995", "::1", 995},
        {"[::1]", "::1", 0},
        {"::1", "::1", 0},
        {"2001:db8::1", "2001:db8::1", 0},
        {"[2001:db8::1]:110", "2001:db8::1", 110},
        {"[::ffff:10.0.0.1]:110", "::ffff:10.0.0.1", 110},
    };
    static const char *const bad[] = {
        "",        "host:",     "host:0",    "host:70000",   "host:-1",
        "host:+1", "host:1x",   "ho st",     "a/b",          "[::1",
        "[::1]:",  "[::1]x",    "[]:110",    "[host]:110",   "a:b:c",
        ":110",    "host:1:2x", "h\xc3\xa9", "host:0110000",
    };
    char host[64];
    unsigned port;

    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        port = 12345;
        if (p3x_target_parse(good[i].text, host, sizeof host, &port) != 0)
            fail_msg("'%s' rejected", good[i].text);
        assert_string_equal(host, good[i].host);
        assert_int_equal(port, good[i].port);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (p3x_target_parse(bad[i], host, sizeof host, &port) == 0)
            fail_msg("'%s' accepted", bad[i]);
    /* the host must fit: 15 characters and the NUL */
    assert_int_equal(p3x_target_parse("abcdefghijklmno", host, 16, &port), 0);
    assert_int_equal(p3x_target_parse("abcdefghijklmnop", host, 16, &port), -1);
    assert_int_equal(p3x_target_parse("abcdefghijklmnop:1", host, 16, &port),
                     -1);
    assert_int_equal(p3x_target_parse("h", host, 0, &port), -1);
    assert_int_equal(p3x_target_parse(NULL, host, 16, &port), -1);
    assert_int_equal(p3x_target_parse("h:7", host, 16, NULL), 0);
}

static void test_config_module_allows(void **state)
{
    struct p3x_config *c = parse_ok(
        "modules:\n"
        "  open: {}\n"
        "  listed:\n"
        "    tls: implicit\n"
        "    allowed_targets: [a.example, \"b.example:2110\"]\n"
        "  creds:\n" LOGIN
        "    allowed_targets: [Mail.Example.org, \"10.0.0.1:110\",\n"
        "                      \"[::1]:995\", \"c.example:995\"]\n"
        "  creds_none:\n" LOGIN "  creds_port:\n" LOGIN "    port: 2110\n"
        "    allowed_targets: [\"d.example:2110\"]\n");
    static const struct {
        const char *module, *host;
        unsigned port;
        int allowed;
    } t[] = {
        {"open", "anything.example", 0, 1},
        {"open", "10.1.2.3", 9999, 1},
        {"open", "", 0, 0},
        {"listed", "a.example", 0, 1},
        {"listed", "a.example", 12, 1},
        {"listed", "b.example", 2110, 1},
        {"listed", "b.example", 0, 0}, /* 995 by tls: implicit */
        {"listed", "c.example", 0, 0},
        {"creds", "mail.example.org", 0, 1},
        {"creds", "MAIL.EXAMPLE.ORG", 995, 1},
        {"creds", "mail.example.org.evil", 0, 0},
        {"creds", "10.0.0.1", 110, 1},
        {"creds", "10.0.0.1", 0, 1}, /* 110 by tls: none */
        {"creds", "10.0.0.1", 995, 0},
        {"creds", "::1", 995, 1},
        {"creds", "::1", 110, 0},
        {"creds", "c.example", 995, 1},
        {"creds", "c.example", 0, 0},
        {"creds", "other.example", 110, 0},
        {"creds_none", "mail.example.org", 0, 0},
        {"creds_port", "d.example", 0, 1}, /* the module's port */
        {"creds_port", "d.example", 2110, 1},
        {"creds_port", "d.example", 110, 0},
    };

    (void)state;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const struct p3x_module *m = p3x_config_module(c, t[i].module);
        assert_non_null(m);
        if (p3x_module_allows(m, t[i].host, t[i].port) != t[i].allowed)
            fail_msg("%s: %s:%u should be %s", t[i].module, t[i].host,
                     t[i].port, t[i].allowed ? "allowed" : "refused");
    }
    assert_false(p3x_module_allows(NULL, "a.example", 0));
    assert_false(p3x_module_allows(c->modules, NULL, 0));
    p3x_config_free(c);
}

/* "*" never opens a module with credentials, however it got there. */
static void test_config_star_never_with_credentials(void **state)
{
    struct p3x_module fake;
    char star[] = "*";
    char *list[] = {star};

    (void)state;
    memset(&fake, 0, sizeof fake);
    fake.allowed = list;
    fake.nallowed = 1;
    fake.opts = pop3check_options_new();
    assert_non_null(fake.opts);
    assert_true(p3x_module_allows(&fake, "x.example", 110));
    assert_int_equal(
        pop3check_options_set_str(fake.opts, POP3CHECK_OPT_USER, "u"), 0);
    assert_false(p3x_module_allows(&fake, "x.example", 110));
    pop3check_options_free(fake.opts);
}

/* One probe's options: a copy of the module's with host and port. */
static void test_config_module_options(void **state)
{
    struct p3x_config *c = parse_ok(M "    tls: implicit\n    timeout: 3s\n"
                                      "  n:\n    port: 2110\n");
    const struct p3x_module *m = &c->modules[0], *n = &c->modules[1];
    struct pop3check_options *o;
    char why[128] = "";
    long v;

    (void)state;
    o = p3x_module_options(m, "mail.example.org", 0, why, sizeof why);
    assert_non_null(o);
    assert_string_equal(pop3check_options_get_str(o, POP3CHECK_OPT_HOST),
                        "mail.example.org");
    assert_int_equal(pop3check_options_get_long(o, POP3CHECK_OPT_PORT, &v), 0);
    assert_int_equal(v, 995);
    assert_int_equal(
        pop3check_options_get_long(o, POP3CHECK_OPT_TIMEOUT_MS, &v), 0);
    assert_int_equal(v, 3000);
    pop3check_options_free(o);
    assert_null(opt_str(m, POP3CHECK_OPT_HOST)); /* the module's unchanged */

    o = p3x_module_options(m, "::1", 1995, why, sizeof why);
    assert_non_null(o);
    assert_int_equal(pop3check_options_get_long(o, POP3CHECK_OPT_PORT, &v), 0);
    assert_int_equal(v, 1995);
    pop3check_options_free(o);
    o = p3x_module_options(n, "h", 0, why, sizeof why);
    assert_non_null(o);
    assert_int_equal(pop3check_options_get_long(o, POP3CHECK_OPT_PORT, &v), 0);
    assert_int_equal(v, 2110);
    assert_int_equal(p3x_module_port(n, 0), 2110);
    pop3check_options_free(o);

    assert_null(p3x_module_options(m, "a b", 0, why, sizeof why));
    assert_string_equal(why, "host: give a host name or an IP address "
                             "(letters, digits, '.', '-', ':' only)");
    assert_null(p3x_module_options(m, "h", 70000, why, sizeof why));
    assert_string_equal(why, "port: must be 1-65535");
    p3x_config_free(c);
}

/* ---- round trips ---- */

/* A round trip's least: after M LOGIN, round_trip at line 5. */
#define TRIP                                                                   \
    "    round_trip:\n"                                                        \
    "      smtp_host: smtp.example.org\n"                                      \
    "      mail_from: probe@example.org\n"                                     \
    "      rcpt_to: monitor@example.org\n"

#define PROBE_KEY "0123456789abcdef0123456789abcdef"

/* yaml with @PW@ the password file, @SPW@ and @KEY@ two more files that
 * hold "smtp secret" and PROBE_KEY with modes smode and kmode; parsed as
 * parse() does. The files are gone after. */
static int parse_with_secrets(const char *yaml, mode_t smode, mode_t kmode,
                              struct p3x_config **c)
{
    char spw[64], key[64];
    char *a, *b;
    int rc;

    make_file(spw, sizeof spw, "smtp secret\nrest\n", 17);
    make_file(key, sizeof key, PROBE_KEY "\n", strlen(PROBE_KEY) + 1);
    assert_int_equal(chmod(spw, smode), 0);
    assert_int_equal(chmod(key, kmode), 0);
    a = replace(yaml, "@SPW@", spw);
    b = replace(a, "@KEY@", key);
    rc = parse(b, c);
    free(a);
    free(b);
    unlink(spw);
    unlink(key);
    return rc;
}

static void test_config_round_trip_every_key(void **state)
{
    static const char yaml[] =
        M LOGIN "    cafile: /etc/ssl/ca.pem\n" /* for SMTP's TLS */
                "    round_trip:\n"             /* 6 */
                "      smtp_host: smtp.example.org\n"
                "      smtp_port: 2587\n"
                "      smtp_tls: try\n"
                "      smtp_user: submit@example.org\n" /* 10 */
                "      smtp_password_file: @SPW@\n"
                "      smtp_auth: PLAIN\n"
                "      mail_from: probe@example.org\n"
                "      rcpt_to: monitor@example.org\n"
                "      subject: pop3check round trip of mail1\n"
                "      poll_interval: 500ms\n"
                "      check_name: mail1-trip\n"
                "      probe_key_file: @KEY@\n"
                "      not_delivered_state: warning\n"
                "    thresholds:\n"
                "      phases:\n"
                "        delivery: { warning: \"10\", critical: \"60\" }\n"
                "        smtp_auth: { critical: \"2\" }\n"
                "        dele: { warning: \"1\" }\n"
                "    allowed_targets: [\"mail1.example.org:110\"]\n";
    struct p3x_config *c = NULL;
    const struct p3x_module *m;

    (void)state;
    if (parse_with_secrets(yaml, 0600, 0640, &c) != 0)
        fail_msg("rejected: %s", err);
    m = c->modules;
    assert_int_equal(m->round_trip, 1);
    assert_string_equal(opt_str(m, POP3CHECK_OPT_SMTP_HOST),
                        "smtp.example.org");
    assert_int_equal(opt_long(m, POP3CHECK_OPT_SMTP_PORT), 2587);
    assert_int_equal(opt_long(m, POP3CHECK_OPT_SMTP_TLS), POP3CHECK_TLS_TRY);
    assert_string_equal(opt_str(m, POP3CHECK_OPT_SMTP_USER),
                        "submit@example.org");
    assert_null(opt_str(m, POP3CHECK_OPT_SMTP_PASSWORD));
    assert_string_equal(opt_smtp_password(m), "smtp secret");
    assert_string_equal(opt_password(m), PASSWORD);
    assert_string_equal(opt_str(m, POP3CHECK_OPT_SMTP_AUTH), "PLAIN");
    assert_string_equal(opt_str(m, POP3CHECK_OPT_MAIL_FROM),
                        "probe@example.org");
    assert_string_equal(opt_str(m, POP3CHECK_OPT_RCPT_TO),
                        "monitor@example.org");
    assert_string_equal(opt_str(m, POP3CHECK_OPT_SUBJECT),
                        "pop3check round trip of mail1");
    assert_int_equal(opt_long(m, POP3CHECK_OPT_POLL_MS), 500);
    assert_string_equal(opt_str(m, POP3CHECK_OPT_CHECK_NAME), "mail1-trip");
    assert_null(opt_str(m, POP3CHECK_OPT_PROBE_KEY));
    assert_string_equal(opt_probe_key(m), PROBE_KEY);
    assert_int_equal(
        pop3check_thresholds_error_state(m->thr, POP3CHECK_E_NOT_DELIVERED),
        POP3CHECK_STATE_WARNING);
    assert_string_equal(range_of(m, POP3CHECK_PHASE_DELIVERY, W), "10");
    assert_string_equal(range_of(m, POP3CHECK_PHASE_DELIVERY, C), "60");
    assert_string_equal(range_of(m, POP3CHECK_PHASE_SMTP_AUTH, C), "2");
    assert_string_equal(range_of(m, POP3CHECK_PHASE_DELE, W), "1");
    assert_null(range_of(m, POP3CHECK_PHASE_SMTP_AUTH, W));
    /* credentials: only the targets it lists */
    assert_true(p3x_module_allows(m, "mail1.example.org", 110));
    assert_false(p3x_module_allows(m, "mail2.example.org", 110));
    assert_false(p3x_module_allows(m, "mail1.example.org", 995));
    p3x_config_free(c);
}

/* The least: STARTTLS required on 587, polls every second, the SMTP
 * password the mailbox's when the SMTP user is the mailbox's user. */
static void test_config_round_trip_defaults(void **state)
{
    struct p3x_config *c = parse_ok(M LOGIN TRIP);
    const struct p3x_module *m = c->modules;

    (void)state;
    assert_int_equal(m->round_trip, 1);
    assert_int_equal(opt_long(m, POP3CHECK_OPT_SMTP_TLS), POP3CHECK_TLS_STLS);
    assert_int_equal(opt_long(m, POP3CHECK_OPT_SMTP_PORT), 587);
    assert_int_equal(opt_long(m, POP3CHECK_OPT_POLL_MS), 1000);
    assert_null(opt_str(m, POP3CHECK_OPT_SMTP_USER));
    assert_null(opt_smtp_password(m));
    assert_null(opt_probe_key(m));
    assert_null(opt_str(m, POP3CHECK_OPT_SUBJECT));
    assert_int_equal(
        pop3check_thresholds_error_state(m->thr, POP3CHECK_E_NOT_DELIVERED),
        POP3CHECK_STATE_CRITICAL);
    assert_int_equal(m->nallowed, 0); /* scheduled targets only */
    p3x_config_free(c);

    c = parse_ok(M LOGIN TRIP "      smtp_user: monitor\n"
                              "      smtp_tls: IMPLICIT\n"
                              "      poll_interval: 2\n"
                              "    tls: stls\n    sni: mail.example.org\n");
    m = c->modules;
    assert_string_equal(opt_smtp_password(m), PASSWORD);
    assert_int_equal(opt_long(m, POP3CHECK_OPT_SMTP_PORT), 465);
    assert_int_equal(opt_long(m, POP3CHECK_OPT_POLL_MS), 2000);
    p3x_config_free(c);

    /* a module without round_trip is none */
    c = parse_ok(M LOGIN);
    assert_int_equal(c->modules[0].round_trip, 0);
    assert_null(opt_str(c->modules, POP3CHECK_OPT_SMTP_HOST));
    p3x_config_free(c);
}

static void test_config_round_trip_errors(void **state)
{
    static const struct bad t[] = {
        {M LOGIN "    round_trip:\n      mail_from: a@b.c\n"
                 "      rcpt_to: a@b.c\n",
         "t.yml:5: modules.m.round_trip.smtp_host: ",
         "missing (a round trip needs smtp_host, mail_from and rcpt_to)"},
        {M LOGIN "    round_trip:\n      smtp_host: h\n"
                 "      rcpt_to: a@b.c\n",
         "t.yml:5: modules.m.round_trip.mail_from: ", "missing"},
        {M LOGIN "    round_trip:\n      smtp_host: h\n"
                 "      mail_from: a@b.c\n",
         "t.yml:5: modules.m.round_trip.rcpt_to: ", "missing"},
        {M LOGIN "    round_trip: {}\n",
         "t.yml:5: modules.m.round_trip.smtp_host: ", "missing"},
        {M LOGIN "    round_trip:\n",
         "t.yml:5: modules.m.round_trip: ", "needs a value"},
        {M LOGIN "    round_trip: [smtp.example.org]\n",
         "t.yml:5: modules.m.round_trip: ", "not a list"},
        {M TRIP, "t.yml:3: modules.m.round_trip: ",
         "needs a login: add user and password_file"},
        {M LOGIN TRIP "      smtp_tls: starttls\n",
         "t.yml:9: modules.m.round_trip.smtp_tls: ",
         "'starttls' is not a TLS mode for SMTP (stls"},
        {M LOGIN TRIP "      poll_interval: 50ms\n",
         "t.yml:9: modules.m.round_trip.poll_interval: ",
         "'50ms' is not a poll interval (100ms to 3600 s"},
        {M LOGIN TRIP "      poll_interval: 0\n",
         "t.yml:9: modules.m.round_trip.poll_interval: ", "'0'"},
        {M LOGIN TRIP "      poll_interval: 2h\n",
         "t.yml:9: modules.m.round_trip.poll_interval: ", "'2h'"},
        {M LOGIN TRIP "      poll_interval: often\n",
         "t.yml:9: modules.m.round_trip.poll_interval: ", "'often'"},
        {M LOGIN TRIP "      smtp_port: 0\n",
         "t.yml:9: modules.m.round_trip.smtp_port: ", "1-65535"},
        {M LOGIN TRIP "      not_delivered_state: late\n",
         "t.yml:9: modules.m.round_trip.not_delivered_state: ",
         "ok, warning, critical or unknown"},
        {M LOGIN TRIP "      smtp_pasword_file: /x\n",
         "t.yml:9: modules.m.round_trip.smtp_pasword_file: ",
         "unknown key (keys here: smtp_host, smtp_port"},
        {M LOGIN TRIP "      smtp_password_file: @PW@\n",
         "t.yml:9: modules.m.round_trip.smtp_password_file: ",
         "needs smtp_user"},
        {M LOGIN TRIP "      smtp_user: submit\n",
         "t.yml:9: modules.m.round_trip.smtp_user: ",
         "needs a password: add smtp_password_file"},
        {M LOGIN TRIP "      smtp_password: x\n",
         "t.yml:9: modules.m.round_trip.smtp_password: ", "unknown key"},
        {M LOGIN TRIP "    top: 1\n",
         "t.yml:9: modules.m.top: ", "not with round_trip"},
        {M LOGIN TRIP "    retr: last\n",
         "t.yml:9: modules.m.retr: ", "not with round_trip"},
        {M LOGIN TRIP "    age: true\n",
         "t.yml:9: modules.m.age: ", "not with round_trip: the age is of a"},
        {M LOGIN TRIP "    age_scan: 5\n",
         "t.yml:9: modules.m.age_scan: ", "not with round_trip"},
        {M LOGIN "    age_scan: 0\n",
         "t.yml:5: modules.m.age_scan: ", "a number of messages (1-100000)"},
        {M "    age: true\n",
         "t.yml:3: modules.m.age: ", "needs a login: add user"},
        {M "    thresholds: { oldest_age: { warning: 3600 } }\n",
         "t.yml:3: modules.m.thresholds.oldest_age: ", "needs a login"},
        {M LOGIN TRIP "    allowed_targets: [\"*\"]\n",
         "t.yml:9: modules.m.allowed_targets: ", "credentials"},
        {M LOGIN
         "    thresholds:\n      phases: { delivery: { warning: 5 } }\n",
         "t.yml:6: modules.m.thresholds.phases.delivery: ",
         "needs a round trip: add round_trip"},
        {M "    thresholds:\n      phases:\n        smtp_auth: {}\n",
         "t.yml:5: modules.m.thresholds.phases.smtp_auth: ", "round trip"},
        {M LOGIN TRIP "      smtp_tls: none\n    cafile: /ca.pem\n",
         "t.yml:10: modules.m.cafile: ",
         "needs TLS: add tls: stls or tls: implicit (or a "
         "round_trip.smtp_tls other than none)"},
        {M LOGIN TRIP "    sni: mail.example.org\n",
         "t.yml:9: modules.m.sni: ", "needs TLS: add tls: stls"},
        /* what the library refuses, at the key, in its words */
        {M LOGIN TRIP "      subject: \"a\\tb\"\n",
         "t.yml:9: modules.m.round_trip.subject: ", "printable ASCII"},
        {M LOGIN "    round_trip:\n      smtp_host: smtp.example.org\n"
                 "      mail_from: \"pro be@example.org\"\n"
                 "      rcpt_to: monitor@example.org\n",
         "t.yml:7: modules.m.round_trip.mail_from: ",
         "mail_from, rcpt_to: an address"},
        {M LOGIN TRIP "      check_name: \"two words\"\n",
         "t.yml:9: modules.m.round_trip.check_name: ", "check_name: 1-64"},
    };

    (void)state;
    expect_errors(t, sizeof t / sizeof t[0]);
}

/* The SMTP password and probe key files under the rule of every secret
 * file; the key 16 to 256 bytes. */
static void test_config_round_trip_secret_files(void **state)
{
    static const char yaml[] =
        M LOGIN TRIP "      smtp_user: submit\n"         /* 9 */
                     "      smtp_password_file: @SPW@\n" /* 10 */
                     "      probe_key_file: @KEY@\n";    /* 11 */
    struct p3x_config *c = NULL;
    char path[64], want[256], *text;

    (void)state;
    assert_int_equal(parse_with_secrets(yaml, 0644, 0600, &c), -1);
    assert_null(c);
    assert_true(strncmp(err,
                        "t.yml:10: modules.m.round_trip.smtp_password_file: '",
                        51) == 0);
    assert_non_null(strstr(err, "' is open to other users (mode 0644): run "
                                "chmod o-rwx '"));
    assert_int_equal(parse_with_secrets(yaml, 0600, 0604, &c), -1);
    assert_true(strncmp(err, "t.yml:11: modules.m.round_trip.probe_key_file: '",
                        47) == 0);
    assert_non_null(strstr(err, "(mode 0604)"));
    assert_null(strstr(err, PROBE_KEY));
    if (parse_with_secrets(yaml, 0640, 0600, &c) != 0)
        fail_msg("rejected: %s", err);
    assert_string_equal(opt_smtp_password(c->modules), "smtp secret");
    p3x_config_free(c);

    /* a key of 15 bytes, and of 257 */
    make_file(path, sizeof path, "0123456789abcde\n", 16);
    text = replace(M LOGIN TRIP "      probe_key_file: @KEY@\n", "@KEY@", path);
    snprintf(want, sizeof want,
             "t.yml:9: modules.m.round_trip.probe_key_file: '%s': the key is "
             "shorter than 16 bytes",
             path);
    expect_error(text, want, "openssl rand -hex 32");
    unlink(path);
    free(text);
    {
        char big[300];
        memset(big, 'k', sizeof big);
        make_file(path, sizeof path, big, 257);
    }
    text = replace(M LOGIN TRIP "      probe_key_file: @KEY@\n", "@KEY@", path);
    expect_error(text, "t.yml:9: modules.m.round_trip.probe_key_file: ",
                 "longer than 256");
    unlink(path);
    free(text);
    expect_error(M LOGIN TRIP "      probe_key_file: /nonexistent/key\n",
                 "t.yml:9: modules.m.round_trip.probe_key_file: ",
                 "No such file or directory");
}

/* ---- the command line (flags.c) ---- */

struct cli {
    const char *file, *socket;
    int check, ping, checked;
};

static int cli_check(void *ctx)
{
    struct cli *c = ctx;

    c->checked++;
    if (c->socket != NULL && strcmp(c->socket, "bad") == 0) {
        fprintf(stderr, "prog: --agentx.socket 'bad': no\n");
        return 2;
    }
    return 0;
}

/* What a run printed on stdout and stderr. */
static char out[1024], errs[1024];

static void slurp_fd(int fd, char *buf, size_t len)
{
    ssize_t n;

    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    n = read(fd, buf, len - 1);
    assert_true(n >= 0);
    buf[n] = '\0';
    close(fd);
}

/* p3x_flags_parse() over argv (NULL-terminated, argv[0] the program),
 * with stdout and stderr caught in out and errs. */
static int run_flags(struct cli *c, const char *const *args)
{
    static const struct p3x_flag fl[] = {
        {"config.file", P3X_FLAG_STRING, NULL, 0, 0, NULL},
        {"config.check", P3X_FLAG_SWITCH, NULL, 0, 0, NULL},
        {"agentx.socket", P3X_FLAG_STRING, NULL, 0, 0, NULL},
        {"agentx.ping-interval", P3X_FLAG_INT, NULL, 1, 3600,
         "give whole seconds, 1-3600"},
    };
    struct p3x_flag mine[4];
    struct p3x_flags f = {"prog", "Usage: prog [flags]\n", mine, 4, cli_check,
                          c};
    char *argv[16];
    int argc = 0, rc, fo, fe, so, se;
    char po[] = "/tmp/test_flags_XXXXXX", pe[] = "/tmp/test_flags_XXXXXX";

    memcpy(mine, fl, sizeof fl);
    mine[0].value = &c->file;
    mine[1].value = &c->check;
    mine[2].value = &c->socket;
    mine[3].value = &c->ping;
    for (; args[argc] != NULL; argc++)
        argv[argc] = (char *)args[argc];
    argv[argc] = NULL;
    fo = mkstemp(po);
    fe = mkstemp(pe);
    assert_true(fo >= 0 && fe >= 0);
    unlink(po);
    unlink(pe);
    fflush(stdout);
    fflush(stderr);
    so = dup(1);
    se = dup(2);
    dup2(fo, 1);
    dup2(fe, 2);
    rc = p3x_flags_parse(&f, argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    slurp_fd(fo, out, sizeof out);
    slurp_fd(fe, errs, sizeof errs);
    return rc;
}

#define ARGS(...) ((const char *const[]){"prog", __VA_ARGS__, NULL})

static void test_flags_values(void **state)
{
    struct cli c = {0};

    (void)state;
    assert_int_equal(
        run_flags(&c, ARGS("--config.file", "a.yml", "--config.check",
                           "--agentx.ping-interval", "7")),
        -1);
    assert_string_equal(c.file, "a.yml");
    assert_int_equal(c.check, 1);
    assert_int_equal(c.ping, 7);
    assert_int_equal(c.checked, 1);
    assert_string_equal(out, "");
    assert_string_equal(errs, "");
    /* --flag=value, an empty value, a value that looks like a flag */
    memset(&c, 0, sizeof c);
    assert_int_equal(
        run_flags(&c, ARGS("--config.file=b.yml", "--agentx.ping-interval=3600",
                           "--agentx.socket=")),
        -1);
    assert_string_equal(c.file, "b.yml");
    assert_int_equal(c.ping, 3600);
    assert_string_equal(c.socket, "");
    assert_int_equal(c.check, 0);
    assert_int_equal(run_flags(&c, ARGS("--config.file", "--config.check")),
                     -1);
    assert_string_equal(c.file, "--config.check");
    assert_int_equal(c.check, 0);
    /* a prefix that names one flag, as getopt_long took them */
    assert_int_equal(run_flags(&c, ARGS("--config.f", "c.yml", "--config.c")),
                     -1);
    assert_string_equal(c.file, "c.yml");
    assert_int_equal(c.check, 1);
    /* nothing at all */
    assert_int_equal(run_flags(&c, (const char *const[]){"prog", NULL}), -1);
}

static void test_flags_help_and_version(void **state)
{
    char want[64];
    struct cli c = {0};

    (void)state;
    assert_int_equal(run_flags(&c, ARGS("--help")), 0);
    assert_string_equal(out, "Usage: prog [flags]\n");
    assert_int_equal(run_flags(&c, ARGS("-h", "--bogus")), 0);
    assert_string_equal(out, "Usage: prog [flags]\n");
    assert_int_equal(run_flags(&c, ARGS("stray", "--help")), 0);
    assert_string_equal(errs, "");
    assert_int_equal(c.checked, 0); /* ended at once */
    snprintf(want, sizeof want, "prog %s\n", POP3CHECK_VERSION);
    assert_int_equal(run_flags(&c, ARGS("--version")), 0);
    assert_string_equal(out, want);
    assert_int_equal(run_flags(&c, ARGS("--vers")), 0);
    assert_string_equal(out, want);
    assert_string_equal(errs, "");
}

static void test_flags_usage_errors(void **state)
{
    const struct {
        const char *const *args;
        const char *err;
    } t[] = {
        {ARGS("--bogus"),
         "prog: unknown option or missing value: '--bogus' (see --help)\n"},
        {ARGS("--config.file"), "prog: unknown option or missing value: "
                                "'--config.file' (see --help)\n"},
        {ARGS("--config.check=yes"), "prog: unknown option or missing value: "
                                     "'--config.check=yes' (see --help)\n"},
        {ARGS("--help=x"),
         "prog: unknown option or missing value: '--help=x' (see --help)\n"},
        {ARGS("--config", "x"),
         "prog: unknown option or missing value: '--config' (see --help)\n"},
        {ARGS("-x"),
         "prog: unknown option or missing value: '-x' (see --help)\n"},
        {ARGS("--=x"),
         "prog: unknown option or missing value: '--=x' (see --help)\n"},
        {ARGS("stray"), "prog: unexpected argument 'stray' (see --help)\n"},
        {ARGS("one", "--config.check", "two"),
         "prog: unexpected argument 'one' (see --help)\n"},
        {ARGS("-"), "prog: unexpected argument '-' (see --help)\n"},
        {ARGS("--", "--config.check"),
         "prog: unexpected argument '--config.check' (see --help)\n"},
        {ARGS("--agentx.ping-interval", "0"),
         "prog: --agentx.ping-interval '0': give whole seconds, 1-3600\n"},
        {ARGS("--agentx.ping-interval=3601"),
         "prog: --agentx.ping-interval '3601': give whole seconds, 1-3600\n"},
        {ARGS("--agentx.p", "5s"),
         "prog: --agentx.ping-interval '5s': give whole seconds, 1-3600\n"},
        {ARGS("--agentx.ping-interval", ""),
         "prog: --agentx.ping-interval '': give whole seconds, 1-3600\n"},
        {ARGS("--agentx.ping-interval", "99999999999999999999"),
         "prog: --agentx.ping-interval '99999999999999999999': give whole "
         "seconds, 1-3600\n"},
        /* the programs' own checks come before a stray argument */
        {ARGS("stray", "--agentx.socket", "bad"),
         "prog: --agentx.socket 'bad': no\n"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct cli c = {0};
        if (run_flags(&c, t[i].args) != 2)
            fail_msg("%s: not a usage error", t[i].args[1]);
        assert_string_equal(errs, t[i].err);
        assert_string_equal(out, "");
    }
    /* "--" ends the flags; nothing after it is an argument */
    struct cli c = {0};
    assert_int_equal(run_flags(&c, ARGS("--config.check", "--")), -1);
    assert_int_equal(c.check, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_full_file_fills_every_field),
        cmocka_unit_test(test_config_full_file_thresholds),
        cmocka_unit_test(test_config_defaults),
        cmocka_unit_test(test_config_words_and_numbers),
        cmocka_unit_test(test_config_messages_and_auth),
        cmocka_unit_test(test_config_unknown_keys),
        cmocka_unit_test(test_config_password_key_refused),
        cmocka_unit_test(test_config_duplicates),
        cmocka_unit_test(test_config_wrong_types),
        cmocka_unit_test(test_config_bad_values),
        cmocka_unit_test(test_config_settings_that_need_others),
        cmocka_unit_test(test_config_targets),
        cmocka_unit_test(test_config_empty_and_syntax),
        cmocka_unit_test(test_config_message_is_one_line),
        cmocka_unit_test(test_config_checked_by_the_library),
        cmocka_unit_test(test_config_password_file_first_line),
        cmocka_unit_test(test_config_password_file_lengths),
        cmocka_unit_test(test_config_password_file_errors),
        cmocka_unit_test(test_config_password_file_mode),
        cmocka_unit_test(test_config_error_after_password_read),
        cmocka_unit_test(test_config_load_file),
        cmocka_unit_test(test_config_example_file),
        cmocka_unit_test(test_config_target_parse),
        cmocka_unit_test(test_config_module_allows),
        cmocka_unit_test(test_config_star_never_with_credentials),
        cmocka_unit_test(test_config_module_options),
        cmocka_unit_test(test_config_round_trip_every_key),
        cmocka_unit_test(test_config_round_trip_defaults),
        cmocka_unit_test(test_config_round_trip_errors),
        cmocka_unit_test(test_config_round_trip_secret_files),
        cmocka_unit_test(test_flags_values),
        cmocka_unit_test(test_flags_help_and_version),
        cmocka_unit_test(test_flags_usage_errors),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
