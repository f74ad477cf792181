/* SPDX-License-Identifier: MIT */
/* fuzz_http.c - libFuzzer target: whatever arrives on pop3_exporter's
 * HTTP port, parsed by libmicrohttpd and handled by the exporter (the
 * query string of /probe: target, module, format, debug; the Accept,
 * scrape timeout and basic auth headers; /logs?id=, /-/reload, ...).
 * The exporter runs in this process with basic auth on and a module
 * holding a password; each input is sent on a fresh connection. It must
 * never crash, answer with HTTP, never show the password, and never
 * answer 200 to a query whose parameters decode to a control character
 * (a %00 that libmicrohttpd's decoding would cut a C string at). A request
 * cut short (headers or body missing) is not answered: libmicrohttpd
 * waits for the rest until its connection timeout, as HTTP servers do;
 * the harness gives up on it after 300 ms of silence. */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pop3check.h"
#include "server.h"

#define SECRET "fuzz-Http-Secret-3"

int LLVMFuzzerInitialize(int *argc, char ***argv);
static int hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        return (c | 0x20) - 'a' + 10;
    return -1;
}

/* Whether the request line's query has a %XX that decodes to a control
 * character (below 0x20, or 0x7f). */
static int query_has_control(const uint8_t *d, size_t n)
{
    size_t i = 0;

    while (i < n && d[i] != ' ' && d[i] != '\n') /* the method */
        i++;
    while (i < n && d[i] != '?' && d[i] != ' ' && d[i] != '\n')
        i++;
    for (; i + 2 < n && d[i] != ' ' && d[i] != '\r' && d[i] != '\n'; i++) {
        int hi = d[i] == '%' ? hex(d[i + 1]) : -1, lo = hex(d[i + 2]);
        if (hi >= 0 && lo >= 0 && (hi * 16 + lo < 0x20 || hi * 16 + lo == 0x7f))
            return 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned port;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char dir[] = "/tmp/pop3check-fuzz-http.XXXXXX", path[300], pw[300];
    char err[512];
    struct p3x_config *c = NULL;
    struct p3x_server_opts o = {0};
    FILE *f;

    (void)argc;
    (void)argv;
    if (mkdtemp(dir) == NULL)
        abort();
    snprintf(pw, sizeof pw, "%s/pw", dir);
    snprintf(path, sizeof path, "%s/pop3check.yml", dir);
    if ((f = fopen(pw, "w")) == NULL)
        abort();
    fprintf(f, "%s\n", SECRET);
    fclose(f);
    if (chmod(pw, 0600) != 0) /* a password file others can read is refused */
        abort();
    if ((f = fopen(path, "w")) == NULL)
        abort();
    /* Probes can only go to a port nobody listens on: they end at once. */
    fprintf(
        f,
        "modules:\n"
        "  default:\n    timeout: 1s\n    allowed_targets: [\"127.0.0.1:1\"]\n"
        "  login:\n    user: fuzz\n    password_file: %s\n    timeout: 1s\n"
        "    allowed_targets: [\"127.0.0.1:1\"]\n",
        pw);
    fclose(f);
    if (pop3check_global_init(err, sizeof err) != 0 ||
        p3x_config_load(path, &c, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz_http: %s\n", err);
        abort();
    }
    o.listen = "127.0.0.1:0";
    o.config_path = path;
    o.auth_user = "fuzz";
    o.auth_pass = "fuzz-pass";
    /* Inputs cut short are held until the header deadline: a short one
     * keeps thousands of them from filling the per-address limit. */
    o.header_timeout_s = 1;
    o.idle_timeout_s = 0.5;
    struct p3x_server *s = p3x_server_start(&o, c, err, sizeof err);
    if (s == NULL) {
        fprintf(stderr, "fuzz_http: %s\n", err);
        abort();
    }
    port = p3x_server_port(s);
    return 0;
}

/* A connection to the exporter; aborts if there is none in 5 s. Closed
 * with a reset (linger 0), so that tens of thousands of inputs leave no
 * TIME-WAIT behind to run out of local ports. libFuzzer's alarm may
 * interrupt a connect: it goes on, and is waited for. */
static int connect_local(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    struct linger lg = {1, 0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int err = 0;
    socklen_t len = sizeof err;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0)
        abort();
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
        return fd;
    if (errno == EINTR) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        if (poll(&p, 1, 5000) == 1 &&
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
            return fd;
        errno = err ? err : ETIMEDOUT;
    }
    perror("fuzz_http: connect");
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char reply[1 << 20];
    size_t got = 0;
    int fd = connect_local();

    if (size > 0 && send(fd, data, size, MSG_NOSIGNAL) < 0) {
        close(fd);
        return 0; /* the server may close before reading it all */
    }
    shutdown(fd, SHUT_WR);
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        ssize_t n;
        /* Probes go to a closed port and end at once: silence before
         * any byte is an incomplete request (see above). */
        if (poll(&p, 1, got ? 5000 : 300) != 1) {
            if (got)
                __builtin_trap(); /* stopped in the middle of an answer */
            break;
        }
        n = recv(fd, reply + got, sizeof reply - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        if (got == sizeof reply - 1)
            break;
    }
    close(fd);
    reply[got] = '\0';
    if (got > 0 && strncmp(reply, "HTTP/1.", 7) != 0)
        __builtin_trap();
    if (got > 12 && memcmp(reply + 8, " 200", 4) == 0 &&
        query_has_control(data, size))
        __builtin_trap();
    /* A secret in the answer is a leak unless the request carried it
     * itself (a target or a module name echoed in a 400). */
    if ((memmem(reply, got, SECRET, strlen(SECRET)) != NULL &&
         memmem(data, size, SECRET, strlen(SECRET)) == NULL) ||
        (memmem(reply, got, "fuzz-pass", 9) != NULL &&
         memmem(data, size, "fuzz-pass", 9) == NULL))
        __builtin_trap();
    return 0;
}
