/* SPDX-License-Identifier: MIT */
/* test_secret.c - unit tests of secret.c: the one rule for password,
 * token and key files (a regular file other users cannot touch), the
 * first line or the whole file, and every refusal in its exact words. */
#define _DEFAULT_SOURCE /* mkdtemp, explicit_bzero, setgroups */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pop3check.h"

#define LINE  POP3CHECK_SECRET_LINE
#define WHOLE POP3CHECK_SECRET_WHOLE

static char dir[] = "/tmp/test_secret_XXXXXX";
static char made[64][128]; /* what the tests put into dir, removed after */
static size_t nmade;
static char want[1024]; /* the message expected, from msg() */

static int setup(void **state)
{
    (void)state;
    if (mkdtemp(dir) == NULL || chmod(dir, 0711) != 0)
        return -1; /* 0711: a user switched to can reach the files */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < nmade; i++)
        unlink(made[i]);
    return rmdir(dir);
}

/* dir/name, remembered for the teardown. */
static const char *path_of(const char *name)
{
    assert_true(nmade < sizeof made / sizeof made[0]);
    snprintf(made[nmade], sizeof made[0], "%s/%s", dir, name);
    return made[nmade++];
}

/* A file dir/name holding len bytes of content, with mode (umask aside). */
static const char *put(const char *name, const void *content, size_t len,
                       mode_t mode)
{
    const char *path = path_of(name);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, len), (ssize_t)len);
    assert_int_equal(fchmod(fd, mode), 0);
    assert_int_equal(close(fd), 0);
    return path;
}

static const char *put_text(const char *name, const char *content)
{
    return put(name, content, strlen(content), 0600);
}

static const char *msg(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static const char *msg(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(want, sizeof want, fmt, ap);
    va_end(ap);
    return want;
}

/* The secret of path is wantlen bytes of expected. */
static void expect_secret(const char *path, unsigned how, size_t max,
                          const char *expected, size_t wantlen)
{
    char err[1200] = "untouched";
    size_t len = 0;
    char *s = pop3check_secret_read(path, how, max, &len, err, sizeof err);

    if (s == NULL)
        fail_msg("'%s' refused: %s", path, err);
    assert_string_equal(err, "");
    assert_int_equal(len, wantlen);
    assert_memory_equal(s, expected, wantlen);
    assert_int_equal(s[len], '\0');
    pop3check_secret_free(s);
}

/* path is refused with exactly the reason expected. */
static void expect_refused(const char *path, unsigned how, size_t max,
                           const char *expected)
{
    char err[1200];
    size_t len = 12345;
    char *s = pop3check_secret_read(path, how, max, &len, err, sizeof err);

    if (s != NULL) {
        pop3check_secret_free(s);
        fail_msg("'%s' accepted; want: %s", path, expected);
    }
    assert_string_equal(err, expected);
    assert_int_equal(len, 0);
}

/* ---- the mode ---- */

static void test_secret_private_modes_read(void **state)
{
    static const mode_t ok[] = {0600, 0640, 0400, 0660, 0700, 0670};
    char name[16];

    (void)state;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        snprintf(name, sizeof name, "ok%04o", (unsigned)ok[i]);
        expect_secret(put(name, "s3cret\n", 7, ok[i]), LINE, 255, "s3cret", 6);
    }
}

static void test_secret_open_to_others_refused(void **state)
{
    static const mode_t bad[] = {0604, 0602, 0601, 0644, 0666, 0777, 0607};
    char name[16];

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *p;

        snprintf(name, sizeof name, "bad%04o", (unsigned)bad[i]);
        p = put(name, "s3cret\n", 7, bad[i]);
        expect_refused(p, LINE, 255,
                       msg("'%s' is open to other users (mode %04o): run "
                           "chmod o-rwx '%s'",
                           p, (unsigned)bad[i], p));
        expect_refused(p, WHOLE, 4096, want);
    }
}

/* The quoted path can be pasted into a shell; the message stays one
 * line. */
static void test_secret_quoted_path(void **state)
{
    const char *p;

    (void)state;
    p = put("it's", "pw", 2, 0644);
    expect_refused(p, LINE, 255,
                   msg("'%s/it'\\''s' is open to other users (mode 0644): "
                       "run chmod o-rwx '%s/it'\\''s'",
                       dir, dir));
    p = put("new\nline", "pw", 2, 0644);
    expect_refused(p, LINE, 255,
                   msg("'%s/new?line' is open to other users (mode 0644): "
                       "run chmod o-rwx '%s/new?line'",
                       dir, dir));
}

/* ---- what is not a regular file ---- */

static void test_secret_directory_refused(void **state)
{
    (void)state;
    expect_refused("/etc", LINE, 255, "'/etc' is a directory, not a file");
    expect_refused(dir, WHOLE, 4096,
                   msg("'%s' is a directory, not a file", dir));
}

/* Opened without blocking: no writer ever comes (alarm ends a hang). */
static void test_secret_fifo_refused_without_blocking(void **state)
{
    const char *p = path_of("fifo");

    (void)state;
    assert_int_equal(mkfifo(p, 0600), 0);
    alarm(5);
    expect_refused(p, LINE, 255, msg("'%s' is not a regular file (a FIFO)", p));
    alarm(0);
}

static void test_secret_socket_and_device_refused(void **state)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    const char *p = path_of("sock");
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    (void)state;
    assert_true(fd >= 0);
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", p);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    expect_refused(p, LINE, 255,
                   msg("'%s' is not a regular file (a socket)", p));
    close(fd);
    expect_refused("/dev/null", WHOLE, 4096,
                   "'/dev/null' is not a regular file (a character device)");
}

/* ---- files that are not there or cannot be read ---- */

static void test_secret_missing(void **state)
{
    (void)state;
    expect_refused("/nonexistent/pop3check/pw", LINE, 255,
                   "'/nonexistent/pop3check/pw': No such file or directory");
    expect_refused("", LINE, 255, "'': No such file or directory");
}

/* In a child: as root, mode 000 is readable, so the child becomes nobody
 * (65534) first. Exits 0 when the message is right, 77 when it cannot
 * switch, 1 (saying why) otherwise. */
static void unreadable_child(const char *path, int as_root)
{
    char err[1200], expected[1200];
    char *s;

    if (as_root &&
        (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0))
        _exit(77);
    snprintf(expected, sizeof expected,
             "'%s' cannot be read: Permission denied", path);
    s = pop3check_secret_read(path, LINE, 255, NULL, err, sizeof err);
    if (s == NULL && strcmp(err, expected) == 0)
        _exit(0);
    fprintf(stderr, "unreadable: got '%s', want '%s'\n", s ? "(read)" : err,
            expected);
    _exit(1);
}

static void test_secret_unreadable(void **state)
{
    int as_root = geteuid() == 0, status = 0;
    const char *p = put("unreadable", "pw\n", 3, as_root ? 0600 : 0000);
    pid_t pid;

    (void)state;
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        unreadable_child(p, as_root);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77)
        skip(); /* root without the right to become nobody */
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* A read error after a successful open (/proc/self/mem at offset 0). */
static void test_secret_read_error(void **state)
{
    (void)state;
    if (access("/proc/self/mem", R_OK) != 0)
        skip();
    expect_refused("/proc/self/mem", WHOLE, 4096,
                   "'/proc/self/mem' cannot be read: Input/output error");
}

/* ---- the content ---- */

static void test_secret_line_ends_stripped(void **state)
{
    static const struct {
        const char *content, *secret;
    } t[] = {
        {"pw", "pw"},
        {"pw\n", "pw"},
        {"pw\r\n", "pw"},
        {"pw\r\nnext\r\n", "pw"},
        {"p w\rnext", "p w"},
        {"pw\nsecond\nthird\n", "pw"},
        {" spaced \n", " spaced "},
    };
    char name[16];

    (void)state;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        snprintf(name, sizeof name, "line%zu", i);
        expect_secret(put_text(name, t[i].content), LINE, 255, t[i].secret,
                      strlen(t[i].secret));
    }
    /* a NUL after the first line is not taken */
    expect_secret(put("line-nul", "pw\n\0after", 9, 0600), LINE, 255, "pw", 2);
}

static void test_secret_empty_refused(void **state)
{
    const char *p;

    (void)state;
    p = put_text("empty", "");
    expect_refused(p, LINE, 255, msg("'%s': the first line is empty", p));
    expect_refused(p, WHOLE, 4096, msg("'%s': the file is empty", p));
    p = put_text("blank", "\nsecond\n");
    expect_refused(p, LINE, 255, msg("'%s': the first line is empty", p));
    p = put_text("crlf", "\r\nsecond\r\n");
    expect_refused(p, LINE, 255, msg("'%s': the first line is empty", p));
}

static void test_secret_too_long_refused(void **state)
{
    const char *p;

    (void)state;
    expect_secret(put_text("eight", "12345678"), LINE, 8, "12345678", 8);
    expect_secret(put_text("eightnl", "12345678\r\n"), LINE, 8, "12345678", 8);
    p = put_text("nine", "123456789\nx\n");
    expect_refused(p, LINE, 8,
                   msg("'%s': the first line is longer than 8 characters", p));
    p = put_text("nine-nonl", "123456789");
    expect_refused(p, LINE, 8,
                   msg("'%s': the first line is longer than 8 characters", p));
    expect_secret(put_text("sixteen", "0123456789abcdef"), WHOLE, 16,
                  "0123456789abcdef", 16);
    p = put_text("seventeen", "0123456789abcdef\n");
    expect_refused(p, WHOLE, 16,
                   msg("'%s': the file is longer than 16 bytes", p));
}

static void test_secret_nul_refused(void **state)
{
    const char *p;

    (void)state;
    p = put("nul", "a\0b\n", 4, 0600);
    expect_refused(p, LINE, 255,
                   msg("'%s': the first line contains a NUL byte", p));
    expect_refused(p, WHOLE, 4096,
                   msg("'%s': the file contains a NUL byte", p));
}

static void test_secret_whole_file_pem(void **state)
{
    static const char pem[] =
        "-----BEGIN PRIVATE KEY-----\r\n"
        "MC4CAQAwBQYDK2VwBCIEIBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB\n"
        "-----END PRIVATE KEY-----\n"
        "\n";

    (void)state;
    expect_secret(put_text("key.pem", pem), WHOLE, 65536, pem, strlen(pem));
    expect_secret(put_text("key-exact.pem", pem), WHOLE, strlen(pem), pem,
                  strlen(pem));
}

/* A file whose size stat cannot tell (procfs says 0): the buffer grows. */
static void test_secret_file_without_size(void **state)
{
    char err[256];
    size_t len = 0;
    char *s;

    (void)state;
    if (access("/proc/self/io", R_OK) != 0)
        skip();
    s = pop3check_secret_read("/proc/self/io", WHOLE, 65536, &len, err,
                              sizeof err);
    if (s == NULL)
        fail_msg("refused: %s", err);
    assert_true(len > 50);
    assert_int_equal(strlen(s), len);
    assert_true(strncmp(s, "rchar: ", 7) == 0);
    pop3check_secret_free(s);
    s = pop3check_secret_read("/proc/self/io", LINE, 255, &len, err,
                              sizeof err);
    assert_non_null(s);
    assert_true(strncmp(s, "rchar: ", 7) == 0 && strchr(s, '\n') == NULL);
    assert_int_equal(strlen(s), len);
    pop3check_secret_free(s);
}

/* ---- the calls themselves ---- */

static void test_secret_arguments(void **state)
{
    const char *p = put_text("args", "pw\n");
    char err[256];
    char *s;

    (void)state;
    s = pop3check_secret_read(p, LINE, 255, NULL, NULL, 0);
    assert_string_equal(s, "pw");
    pop3check_secret_free(s);
    pop3check_secret_free(NULL);
    assert_null(pop3check_secret_read(NULL, LINE, 255, NULL, err, sizeof err));
    assert_string_equal(err, "'': no file given");
    assert_null(pop3check_secret_read(p, 2, 255, NULL, err, sizeof err));
    assert_string_equal(
        err, msg("'%s': internal: how is POP3CHECK_SECRET_LINE or _WHOLE", p));
    assert_null(pop3check_secret_read("/etc", LINE, 255, NULL, NULL, 0));
    assert_null(pop3check_secret_read("/etc", LINE, 255, NULL, err, 8));
    assert_string_equal(err, "'/etc' ");
    s = pop3check_secret_read(p, WHOLE, SIZE_MAX, NULL, err, sizeof err);
    assert_string_equal(s, "pw\n");
    pop3check_secret_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_private_modes_read),
        cmocka_unit_test(test_secret_open_to_others_refused),
        cmocka_unit_test(test_secret_quoted_path),
        cmocka_unit_test(test_secret_directory_refused),
        cmocka_unit_test(test_secret_fifo_refused_without_blocking),
        cmocka_unit_test(test_secret_socket_and_device_refused),
        cmocka_unit_test(test_secret_missing),
        cmocka_unit_test(test_secret_unreadable),
        cmocka_unit_test(test_secret_read_error),
        cmocka_unit_test(test_secret_line_ends_stripped),
        cmocka_unit_test(test_secret_empty_refused),
        cmocka_unit_test(test_secret_too_long_refused),
        cmocka_unit_test(test_secret_nul_refused),
        cmocka_unit_test(test_secret_whole_file_pem),
        cmocka_unit_test(test_secret_file_without_size),
        cmocka_unit_test(test_secret_arguments),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
