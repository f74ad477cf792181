/* SPDX-License-Identifier: MIT */
/* fastpop3.c - a fast scripted POP3 server for the exporter benchmark, so
 * that the exporters, not the mail server, are what is measured: every
 * login succeeds, STAT says "2 320", one poll() loop serves thousands of
 * clients. Bound to 127.0.0.1 (PORT, or one of the kernel's choice);
 * exits by itself after LIFETIME seconds (default 300).
 * Usage: fastpop3 PORTFILE [LIFETIME [PORT]] */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "loopback.h"

#define MAX_CLIENTS 8192

struct client {
    char in[512];
    size_t len;
};

static struct pollfd fds[MAX_CLIENTS + 1];
static struct client clients[MAX_CLIENTS + 1];

static void say(int fd, const char *s)
{
    if (write(fd, s, strlen(s)) < 0) {
        /* the client went away; poll() will tell */
    }
}

/* Answers one command line; 1 when the client is done (QUIT). */
static int answer(int fd, const char *line)
{
    if (strncasecmp(line, "CAPA", 4) == 0)
        say(fd, "+OK\r\nUSER\r\nUIDL\r\nTOP\r\n.\r\n");
    else if (strncasecmp(line, "USER ", 5) == 0 ||
             strncasecmp(line, "PASS ", 5) == 0 ||
             strncasecmp(line, "NOOP", 4) == 0)
        say(fd, "+OK\r\n");
    else if (strncasecmp(line, "STAT", 4) == 0)
        say(fd, "+OK 2 320\r\n");
    else if (strncasecmp(line, "QUIT", 4) == 0) {
        say(fd, "+OK bye\r\n");
        return 1;
    } else
        say(fd, "-ERR not in this script\r\n");
    return 0;
}

/* Reads what a client sent; 1 when it should be closed. */
static int serve(int i)
{
    struct client *c = &clients[i];
    ssize_t n = read(fds[i].fd, c->in + c->len, sizeof c->in - 1 - c->len);
    char *nl;

    if (n <= 0)
        return 1;
    c->len += (size_t)n;
    c->in[c->len] = '\0';
    while ((nl = strchr(c->in, '\n')) != NULL) {
        *nl = '\0';
        if (answer(fds[i].fd, c->in))
            return 1;
        c->len -= (size_t)(nl + 1 - c->in);
        memmove(c->in, nl + 1, c->len + 1);
    }
    return c->len >= sizeof c->in - 1;
}

static void accept_one(int lfd, nfds_t *n)
{
    int c = accept(lfd, NULL, NULL);

    if (c < 0)
        return;
    if (*n > MAX_CLIENTS) {
        close(c);
        return;
    }
    fds[*n] = (struct pollfd){.fd = c, .events = POLLIN};
    clients[*n].len = 0;
    (*n)++;
    say(c, "+OK fastpop3 ready\r\n");
}

int main(int argc, char **argv)
{
    unsigned short port = (unsigned short)(argc > 3 ? atoi(argv[3]) : 0);
    time_t end = time(NULL) + (argc > 2 ? strtol(argv[2], NULL, 10) : 300);
    nfds_t n = 1;

    if (argc < 2) {
        fprintf(stderr, "usage: fastpop3 PORTFILE [LIFETIME [PORT]]\n");
        return 2;
    }
    raise_fd_limit();
    fds[0].fd = listen_loopback(&port);
    fds[0].events = POLLIN;
    if (fds[0].fd < 0 || write_port(argv[1], port) != 0) {
        perror("fastpop3");
        return 1;
    }
    while (time(NULL) < end) {
        if (poll(fds, n, 1000) <= 0)
            continue;
        if (fds[0].revents & POLLIN)
            accept_one(fds[0].fd, &n);
        for (nfds_t i = 1; i < n; i++) {
            if (!fds[i].revents || !serve((int)i))
                continue;
            close(fds[i].fd);
            fds[i] = fds[n - 1];
            clients[i] = clients[n - 1];
            n--;
            i--;
        }
    }
    return 0;
}
