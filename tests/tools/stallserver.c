/* SPDX-License-Identifier: MIT */
/* stallserver.c - a POP3 server for the tests that behaves in ways
 * Dovecot will not: it accepts and then says nothing ("silent"), greets
 * and then never answers ("greet"), offers only USER and no APOP
 * timestamp ("bare": answers CAPA and QUIT, nothing else), or answers
 * CAPA like "bare" and hangs up 1 s after the next command ("hangup").
 * Bound to 127.0.0.1 only; exits by itself after 120 s.
 * Usage: stallserver PORTFILE silent|greet|bare|hangup */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "loopback.h"

#define MAX_CLIENTS 4096 /* the exporter benchmark holds 1,000 at once */

/* One client at a time: CAPA lists only USER, QUIT ends; anything else
 * is refused. Enough to show that a forced mechanism is not faked. */
static void serve_bare(int c, int hangup)
{
    static const char capa[] = "+OK\r\nUSER\r\nUIDL\r\n.\r\n";
    static const char bye[] = "+OK bye\r\n";
    static const char no[] = "-ERR not here\r\n";
    struct timeval tv = {.tv_sec = 5};
    char buf[512];
    size_t have = 0;
    ssize_t n;

    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    while ((n = read(c, buf + have, sizeof buf - 1 - have)) > 0) {
        char *nl;
        have += (size_t)n;
        buf[have] = '\0';
        while ((nl = strchr(buf, '\n')) != NULL) {
            int quit = strncmp(buf, "QUIT", 4) == 0;
            int is_capa = strncmp(buf, "CAPA", 4) == 0;
            const char *r = quit ? bye : is_capa ? capa : no;
            if (hangup && !is_capa) {
                sleep(1);
                return;
            }
            if (write(c, r, strlen(r)) < 0 || quit)
                return;
            have -= (size_t)(nl + 1 - buf);
            memmove(buf, nl + 1, have + 1);
        }
        if (have >= sizeof buf - 1)
            return;
    }
}

int main(int argc, char **argv)
{
    static const char greeting[] = "+OK stallserver ready\r\n";
    static int clients[MAX_CLIENTS];
    int nclients = 0;
    unsigned short port = 0;
    time_t end = time(NULL) + 120;
    int greet, bare, hangup, lfd;

    if (argc != 3 || (strcmp(argv[2], "silent") && strcmp(argv[2], "greet") &&
                      strcmp(argv[2], "bare") && strcmp(argv[2], "hangup"))) {
        fprintf(stderr,
                "usage: stallserver PORTFILE silent|greet|bare|hangup\n");
        return 2;
    }
    greet = strcmp(argv[2], "silent") != 0;
    raise_fd_limit();
    hangup = strcmp(argv[2], "hangup") == 0;
    bare = hangup || strcmp(argv[2], "bare") == 0;
    lfd = listen_loopback(&port);
    if (lfd < 0 || write_port(argv[1], port) != 0) {
        perror("stallserver");
        return 1;
    }
    while (time(NULL) < end) {
        struct pollfd p = {.fd = lfd, .events = POLLIN};
        if (poll(&p, 1, 1000) <= 0)
            continue;
        int c = accept(lfd, NULL, NULL);
        if (c < 0)
            continue;
        if (greet && write(c, greeting, sizeof greeting - 1) < 0) {
            close(c);
            continue;
        }
        if (bare) {
            serve_bare(c, hangup);
            close(c);
        } else if (nclients < MAX_CLIENTS) {
            clients[nclients++] = c; /* kept open, never answered */
        } else {
            close(c);
        }
    }
    for (int i = 0; i < nclients; i++)
        close(clients[i]);
    return 0;
}
