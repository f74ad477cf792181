/* SPDX-License-Identifier: MIT */
/* fastpop3.c - a fast scripted POP3 server for the benchmarks, so that
 * the exporters, not the mail server, are what is measured: every login
 * succeeds, STAT says "2 320", one epoll loop serves thousands of
 * clients. Bound to 127.0.0.1 (PORT, or one of the kernel's choice);
 * exits by itself after LIFETIME seconds (default 300), or on SIGTERM.
 *   -a      answer on every address of 127.0.0.0/8 (the port on any
 *           address, tied to the loopback device; others are refused),
 *           so that each client can be told by the address it dialled
 *   -l LOG  one line per accepted connection: "<CLOCK_MONOTONIC in us>
 *           <local address>", line-buffered (readers never see half a
 *           line)
 * Usage: fastpop3 [-a] [-l LOG] PORTFILE [LIFETIME [PORT]] */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "loopback.h"

#define MAX_EVENTS 256

/* One per descriptor, indexed by it. */
struct client {
    char in[512];
    size_t len;
};

struct server {
    int any_loopback; /* -a */
    FILE *log;        /* -l, or NULL */
    const char *portfile;
    long lifetime_s;
    unsigned short port;
    int epfd;
    struct client *clients; /* nclients of them */
    size_t nclients;
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static void say(int fd, const char *s)
{
    if (write(fd, s, strlen(s)) < 0) {
        /* the client went away; the next read will tell */
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

/* Reads what client fd sent; 1 when it should be closed. */
static int serve(struct client *c, int fd)
{
    ssize_t n = read(fd, c->in + c->len, sizeof c->in - 1 - c->len);
    char *nl;

    if (n <= 0)
        return 1;
    c->len += (size_t)n;
    c->in[c->len] = '\0';
    while ((nl = strchr(c->in, '\n')) != NULL) {
        *nl = '\0';
        if (answer(fd, c->in))
            return 1;
        c->len -= (size_t)(nl + 1 - c->in);
        memmove(c->in, nl + 1, c->len + 1);
    }
    return c->len >= sizeof c->in - 1;
}

/* The port on every address, but only for packets that came in on the
 * loopback device: nothing from the network reaches it. */
static int listen_any_loopback(unsigned short *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(*port)};
    static const char lo[] = "lo";
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;

    if (fd < 0)
        return -1;
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, lo, sizeof lo) != 0 ||
        bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(fd, 4096) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

/* The address the client dialled, if it is in 127.0.0.0/8. */
static int local_loopback(int fd, struct in_addr *addr)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;

    if (getsockname(fd, (struct sockaddr *)&a, &len) != 0 ||
        a.sin_family != AF_INET || (ntohl(a.sin_addr.s_addr) >> 24) != 127)
        return -1;
    *addr = a.sin_addr;
    return 0;
}

static void log_accept(FILE *log, struct in_addr addr)
{
    struct timespec ts;
    char text[INET_ADDRSTRLEN];

    clock_gettime(CLOCK_MONOTONIC, &ts);
    if (inet_ntop(AF_INET, &addr, text, sizeof text) == NULL)
        return;
    fprintf(log, "%lld %s\n",
            (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000, text);
}

/* Takes one pending connection; 0 when there was one. */
static int accept_one(const struct server *s, int lfd)
{
    int c = accept(lfd, NULL, NULL);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = c};
    struct in_addr addr;

    if (c < 0)
        return -1;
    if ((size_t)c >= s->nclients || local_loopback(c, &addr) != 0 ||
        epoll_ctl(s->epfd, EPOLL_CTL_ADD, c, &ev) != 0) {
        close(c);
        return 0;
    }
    if (s->log != NULL)
        log_accept(s->log, addr);
    s->clients[c].len = 0;
    say(c, "+OK fastpop3 ready\r\n");
    return 0;
}

static void on_ready(const struct server *s, int lfd, int fd)
{
    if (fd == lfd) {
        /* Every pending connection now: its accept time is logged. */
        while (accept_one(s, lfd) == 0)
            ;
    } else if (serve(&s->clients[fd], fd)) {
        close(fd); /* also leaves the epoll set */
    }
}

static int run(const struct server *s, int lfd)
{
    time_t end = time(NULL) + s->lifetime_s;
    struct epoll_event ev[MAX_EVENTS];

    while (!stopping && time(NULL) < end) {
        int n = epoll_wait(s->epfd, ev, MAX_EVENTS, 1000);
        for (int i = 0; i < n; i++)
            on_ready(s, lfd, ev[i].data.fd);
    }
    return s->log != NULL && fclose(s->log) != 0 ? 1 : 0;
}

/* One client slot per descriptor the raised limit allows. */
static int setup(struct server *s, int lfd)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
    struct rlimit rl;

    raise_fd_limit();
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    s->nclients = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1048576
                      ? 1048576
                      : (size_t)rl.rlim_cur;
    s->clients = calloc(s->nclients, sizeof *s->clients);
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (s->clients == NULL || s->epfd < 0 ||
        fcntl(lfd, F_SETFL, O_NONBLOCK) != 0 ||
        epoll_ctl(s->epfd, EPOLL_CTL_ADD, lfd, &ev) != 0)
        return -1;
    return 0;
}

static int parse_long(const char *text, long min, long max, long *out)
{
    char *end;

    errno = 0;
    *out = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0')
        return -1;
    return *out < min || *out > max ? -1 : 0;
}

static int parse_args(int argc, char **argv, struct server *s)
{
    long v;
    int opt;

    while ((opt = getopt(argc, argv, "al:")) != -1) {
        if (opt == 'a') {
            s->any_loopback = 1;
        } else if (opt == 'l') {
            s->log = fopen(optarg, "w");
            if (s->log == NULL || setvbuf(s->log, NULL, _IOLBF, 0) != 0) {
                perror(optarg);
                return -1;
            }
        } else {
            return -1;
        }
    }
    if (optind >= argc || argc - optind > 3)
        return -1;
    s->portfile = argv[optind];
    if (argc - optind > 1 &&
        parse_long(argv[optind + 1], 1, 86400, &s->lifetime_s) != 0)
        return -1;
    if (argc - optind > 2) {
        if (parse_long(argv[optind + 2], 0, 65535, &v) != 0)
            return -1;
        s->port = (unsigned short)v;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct server s = {.lifetime_s = 300};
    struct sigaction sa = {.sa_handler = on_signal};
    int lfd;

    if (parse_args(argc, argv, &s) != 0) {
        fprintf(stderr, "usage: fastpop3 [-a] [-l LOG] PORTFILE "
                        "[LIFETIME [PORT]]\n");
        return 2;
    }
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    lfd = s.any_loopback ? listen_any_loopback(&s.port)
                         : listen_loopback(&s.port);
    if (lfd < 0 || setup(&s, lfd) != 0 || write_port(s.portfile, s.port) != 0) {
        perror("fastpop3");
        return 1;
    }
    return run(&s, lfd);
}
