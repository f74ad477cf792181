/* SPDX-License-Identifier: MIT */
/* popclient.c - the benchmark's baseline: the smallest POP3 client that does
 * what check_pop3 does in a full session (RFC 2449 CAPA, then RFC 1939
 * USER/PASS, STAT, LIST, RETR 1, QUIT) over one blocking socket, with no
 * library but libc.
 * Usage: popclient HOST PORT USER PASSWORD_FILE; exit 0 ok, 1 on any error. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_S  10
#define LINE_CAP   1024 /* longer lines are read whole but kept truncated */
#define SECRET_MAX 256

struct conn {
    int fd;
    size_t pos; /* next unread byte in buf */
    size_t len; /* bytes in buf */
    char buf[4096];
};

static int quiet; /* loop mode prints only the figure */

static int fail(const char *what, const char *detail)
{
    fprintf(stderr, "popclient: %s%s%s\n", what, detail ? ": " : "",
            detail ? detail : "");
    return -1;
}

/* Not explicit_bzero: that needs _DEFAULT_SOURCE; volatile stops the
 * compiler from dropping the stores. */
static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;

    while (n-- > 0)
        *v++ = 0;
}

static int set_timeouts(int fd)
{
    const struct timeval tv = {.tv_sec = TIMEOUT_S};

    /* On Linux SO_SNDTIMEO also bounds connect(). */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0)
        return fail("setsockopt", strerror(errno));
    return 0;
}

/* Returns a connected socket, or -1 after printing why. */
static int dial(const char *host, const char *port)
{
    const struct addrinfo hints = {.ai_family = AF_UNSPEC,
                                   .ai_socktype = SOCK_STREAM};
    struct addrinfo *res, *ai;
    int err = 0, fd = -1;
    int rc = getaddrinfo(host, port, &hints, &res);

    if (rc != 0)
        return fail(host, gai_strerror(rc));
    for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        if (set_timeouts(fd) != 0 ||
            connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            err = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        fail("connect", strerror(err));
    return fd;
}

/* Refills c->buf; 0 on success, -1 on error, timeout or EOF. */
static int fill(struct conn *c)
{
    ssize_t n;

    do
        n = recv(c->fd, c->buf, sizeof c->buf, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return fail("recv", errno == EAGAIN || errno == EWOULDBLOCK
                                ? "timed out"
                                : strerror(errno));
    if (n == 0)
        return fail("recv", "connection closed by the server");
    c->pos = 0;
    c->len = (size_t)n;
    return 0;
}

/* Reads one line into line (NUL-terminated, CRLF stripped, at most size - 1
 * bytes kept). Returns 0, or -1 after printing why. */
static int read_line(struct conn *c, char *line, size_t size)
{
    size_t n = 0;

    for (;;) {
        if (c->pos == c->len && fill(c) != 0)
            return -1;
        const char ch = c->buf[c->pos++];
        if (ch == '\n')
            break;
        if (n + 1 < size)
            line[n++] = ch;
    }
    if (n > 0 && line[n - 1] == '\r')
        n--;
    line[n] = '\0';
    return 0;
}

static int send_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        const ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fail("send", strerror(errno));
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads a status line; 0 if it is +OK. what names the command in errors
 * (the server's text, not the command, so no password is ever printed). */
static int expect_ok(struct conn *c, const char *what)
{
    char line[LINE_CAP];

    if (read_line(c, line, sizeof line) != 0)
        return -1;
    if (strncmp(line, "+OK", 3) != 0)
        return fail(what, line);
    return 0;
}

/* Sends "VERB[ ARG]\r\n" and expects +OK. The buffer is wiped: ARG may be
 * the password. */
static int command(struct conn *c, const char *verb, const char *arg)
{
    char cmd[SECRET_MAX + 16];
    int n, rc = -1;

    n = snprintf(cmd, sizeof cmd, "%s%s%s\r\n", verb, arg ? " " : "",
                 arg ? arg : "");
    if (n < 0 || (size_t)n >= sizeof cmd)
        fail(verb, "argument too long");
    else if (send_all(c->fd, cmd, (size_t)n) == 0)
        rc = expect_ok(c, verb);
    wipe(cmd, sizeof cmd);
    return rc;
}

/* Reads a multi-line body up to the lone "." line; counts its lines. */
static int read_body(struct conn *c, const char *what, unsigned long *lines)
{
    char line[LINE_CAP];

    *lines = 0;
    for (;;) {
        if (read_line(c, line, sizeof line) != 0)
            return fail(what, "body not terminated");
        if (strcmp(line, ".") == 0)
            return 0;
        (*lines)++;
    }
}

/* First line of path, without its line end, into pass. */
static int read_password(const char *path, char *pass, size_t size)
{
    FILE *f = fopen(path, "r");
    int rc = 0;

    if (f == NULL)
        return fail(path, strerror(errno));
    if (fgets(pass, (int)size, f) == NULL)
        rc = fail(path, "empty or unreadable");
    fclose(f);
    pass[strcspn(pass, "\r\n")] = '\0';
    return rc;
}

static int dialog(struct conn *c, const char *user, const char *pass)
{
    unsigned long capa_lines, list_lines, retr_lines;

    if (expect_ok(c, "greeting") != 0 || command(c, "CAPA", NULL) != 0 ||
        read_body(c, "CAPA", &capa_lines) != 0 ||
        command(c, "USER", user) != 0 || command(c, "PASS", pass) != 0 ||
        command(c, "STAT", NULL) != 0 || command(c, "LIST", NULL) != 0 ||
        read_body(c, "LIST", &list_lines) != 0 ||
        command(c, "RETR", "1") != 0 ||
        read_body(c, "RETR", &retr_lines) != 0 || command(c, "QUIT", NULL) != 0)
        return -1;
    if (!quiet)
        printf("popclient: ok, LIST: %lu messages, RETR 1: %lu lines\n",
               list_lines, retr_lines);
    return 0;
}

static int one_session(const char *host, const char *port, const char *user,
                       const char *pass)
{
    struct conn c = {.fd = dial(host, port)};
    int rc;

    if (c.fd < 0)
        return -1;
    rc = dialog(&c, user, pass);
    close(c.fd);
    return rc;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;

    return (x > y) - (x < y);
}

/* COUNT sessions in this one process: the dialog's cost without the cost
 * of starting a process. Prints the median session in microseconds. */
static int loop(char **argv, const char *pass, long count)
{
    long *us = calloc((size_t)count, sizeof *us);

    if (us == NULL)
        return fail("loop", "out of memory");
    for (long i = 0; i < count; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        if (one_session(argv[1], argv[2], argv[3], pass) != 0) {
            free(us);
            return -1;
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        us[i] =
            (b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000;
    }
    qsort(us, (size_t)count, sizeof *us, cmp_long);
    printf("median_us %ld\n", us[count / 2]);
    free(us);
    return 0;
}

int main(int argc, char **argv)
{
    char pass[SECRET_MAX] = "";
    char *end;
    long count = 0;
    int rc = 1;

    if (argc == 6) {
        count = strtol(argv[5], &end, 10);
        if (*end != '\0' || count < 1 || count > 100000)
            argc = 0;
    }
    if (argc != 5 && argc != 6) {
        fprintf(stderr,
                "usage: popclient HOST PORT USER PASSWORD_FILE [COUNT]\n");
        return 1;
    }
    if (read_password(argv[4], pass, sizeof pass) != 0)
        goto out;
    if (count > 0) {
        quiet = 1;
        rc = loop(argv, pass, count) == 0 ? 0 : 1;
    } else if (one_session(argv[1], argv[2], argv[3], pass) == 0) {
        rc = 0;
    }
out:
    wipe(pass, sizeof pass);
    return rc;
}
