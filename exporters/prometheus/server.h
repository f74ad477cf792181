/* SPDX-License-Identifier: MIT */
/* server.h - pop3_exporter's HTTP side (libmicrohttpd) and its probe
 * engine thread (libpop3check's multi interface): requests are suspended
 * while their probe runs, so no thread waits on a probe. */
#ifndef P3X_SERVER_H
#define P3X_SERVER_H

#include <stdint.h>

#include "config.h"

struct p3x_server;

/* The defaults of the HTTP limits (see guard.h). Each request in flight
 * holds two descriptors (client and probe): main() raises RLIMIT_NOFILE
 * to match. */
#define P3X_HEADER_TIMEOUT_S 10.0
#define P3X_IDLE_TIMEOUT_S   5.0
#define P3X_MAX_CONNECTIONS  10000

struct p3x_server_opts {
    const char *listen;      /* "[host]:port", e.g. ":19110", "127.0.0.1:0" */
    const char *config_path; /* for reloads; the config below came from it */
    const char *textfile;    /* NULL, or a .prom file for node_exporter's
                                textfile collector, rewritten each second */
    const char *tls_cert;    /* PEM certificate chain: serve HTTPS */
    const char *tls_key;     /* PEM private key, with tls_cert */
    const char *auth_user;   /* HTTP basic auth for every endpoint */
    const char *auth_pass;   /* copied, wiped on stop */
    /* The HTTP limits; 0 for the defaults above. */
    double header_timeout_s, idle_timeout_s;
    unsigned max_conns, max_per_addr;
};

/* Fills the limits o leaves at 0 with the defaults above, the idle
 * timeout being half the header timeout when that is 5 s or less, and
 * the per-address limit half the connection limit. */
void p3x_server_limits(struct p3x_server_opts *o);

/* Starts serving with config (taken over: freed by the server). Returns
 * NULL and writes a one-line reason into err on failure. */
struct p3x_server *p3x_server_start(const struct p3x_server_opts *o,
                                    struct p3x_config *config, char *err,
                                    size_t errlen);
/* The TCP port actually bound (useful with port 0). */
unsigned p3x_server_port(const struct p3x_server *s);
/* Loads the config file again; keeps the old one on error (logged). 0 on
 * success. */
int p3x_server_reload(struct p3x_server *s);
/* Stops accepting, aborts probes in flight, frees everything. */
void p3x_server_stop(struct p3x_server *s);

/* Logs one logfmt line to stderr: level=... msg="..." (thread-safe). */
void p3x_log(const char *level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
