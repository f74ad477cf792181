/* SPDX-License-Identifier: MIT */
/* fuzz_http.c - libFuzzer target: whatever arrives on pop3_exporter's
 * HTTP port, parsed by libmicrohttpd and handled by the exporter (the
 * query string of /probe: target, module, format, debug; the Accept,
 * scrape timeout and basic auth headers; /logs?id=, /-/reload, ...).
 * The exporter runs in this process with basic auth on and a module
 * holding a password; each input is sent on a fresh connection. It must
 * never crash, answer with HTTP, and never show the password. A request
 * cut short (headers or body missing) is not answered: libmicrohttpd
 * waits for the rest until its connection timeout, as HTTP servers do;
 * the harness gives up on it after 300 ms of silence. */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
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
    struct p3x_server *s = p3x_server_start(&o, c, err, sizeof err);
    if (s == NULL) {
        fprintf(stderr, "fuzz_http: %s\n", err);
        abort();
    }
    port = p3x_server_port(s);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    static char reply[1 << 20];
    size_t got = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        abort();
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
    /* A secret in the answer is a leak unless the request carried it
     * itself (a target or a module name echoed in a 400). */
    if ((memmem(reply, got, SECRET, strlen(SECRET)) != NULL &&
         memmem(data, size, SECRET, strlen(SECRET)) == NULL) ||
        (memmem(reply, got, "fuzz-pass", 9) != NULL &&
         memmem(data, size, "fuzz-pass", 9) == NULL))
        __builtin_trap();
    return 0;
}
