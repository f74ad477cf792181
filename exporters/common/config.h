/* SPDX-License-Identifier: MIT */
/* config.h - the YAML file shared by pop3_exporter and the SNMP agent:
 * modules (how to probe) and targets (what to probe on a schedule).
 * Modelled on blackbox_exporter's blackbox.yml. */
#ifndef P3X_CONFIG_H
#define P3X_CONFIG_H

#include <stddef.h>

#include "pop3check.h"

#define P3X_TARGET_NAME_MAX 32 /* SnmpAdminString index of the MIB */

struct p3x_module {
    char *name;
    /* Probe options, owned by the module: the host is unset (it comes
     * from the target), the port unset means the library's default for
     * the TLS mode; the password is the content of password_file, wiped
     * by p3x_config_free(). */
    struct pop3check_options *opts;
    struct pop3check_thresholds *thr; /* owned */
    char *password_file;
    char *token_file; /* read by the library at every probe */
    char **allowed;   /* allowed_targets: "host" or "host:port", "*" */
    size_t nallowed;
    int line;       /* where the module starts in the file */
    int round_trip; /* 1: it has round_trip: (POP3CHECK_OPT_SMTP_HOST set) */
};

struct p3x_target {
    char *name; /* 1..P3X_TARGET_NAME_MAX characters */
    char *host;
    unsigned port; /* 0: the module's */
    const struct p3x_module *module;
    double interval_s;
    int line;
};

struct p3x_config {
    char *path;
    struct p3x_module *modules;
    size_t nmodules;
    struct p3x_target *targets;
    size_t ntargets;
};

/* Reads and validates path. On success returns 0 and *out (free it with
 * p3x_config_free). On error returns -1 and writes one line into err:
 * "FILE:LINE: KEY: what is wrong (what would be right)", or "FILE: reason"
 * when the file itself cannot be read. */
int p3x_config_load(const char *path, struct p3x_config **out, char *err,
                    size_t errlen);
/* The same from memory; name stands for the file in messages. */
int p3x_config_parse(const char *yaml, size_t len, const char *name,
                     struct p3x_config **out, char *err, size_t errlen);
/* Frees c and wipes the passwords it holds; NULL is a no-op. */
void p3x_config_free(struct p3x_config *c);

/* The module called name, or NULL. */
const struct p3x_module *p3x_config_module(const struct p3x_config *c,
                                           const char *name);

/* A duration: "500ms", "10s", "1.5m", "1h" or a bare number of seconds,
 * into *out in seconds. 0, or -1 if s is none of those. */
int p3x_duration_parse(const char *s, double *out);

/* The first control character (a byte below 0x20, or 0x7f) of
 * s[0..len), or NULL. What a client sends (a query parameter, decoded
 * with its length) must hold none: a NUL would cut it short. */
const char *p3x_control_char(const char *s, size_t len);

/* Splits "host", "host:port", "[v6]:port" or a bare IPv6 address into
 * host (NUL-terminated) and port (0 when absent). -1 if malformed: empty,
 * bad characters (only letters, digits, '.', '-', '_', ':' in hosts), a
 * port outside 1-65535, or a host too long for hostlen. */
int p3x_target_parse(const char *text, char *host, size_t hostlen,
                     unsigned *port);

/* The port a probe with m goes to: port when not 0, else the module's
 * (which is the library's default for its TLS mode when unset). */
unsigned p3x_module_port(const struct p3x_module *m, unsigned port);

/* Options for one probe of host:port (port 0: the module's) with m: a
 * copy of m's options with the host and port set. NULL with a reason in
 * err. The caller frees it with pop3check_options_free(). */
struct pop3check_options *p3x_module_options(const struct p3x_module *m,
                                             const char *host, unsigned port,
                                             char *err, size_t errlen);

/* 1 if m may probe host:port through /probe. A module without
 * credentials allows "*" unless it lists allowed_targets; one with
 * credentials allows only what its allowed_targets list ("host" matches
 * any port, "host:port" only that port, a request without a port is taken
 * to the module's port; host names compare case-insensitively) and
 * nothing when it has no list. */
int p3x_module_allows(const struct p3x_module *m, const char *host,
                      unsigned port);

#endif
