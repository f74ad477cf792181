/* SPDX-License-Identifier: MIT */
/* config.c - the YAML file of pop3_exporter and the SNMP agent, modelled
 * on blackbox.yml: modules (config_module.c) and scheduled targets, read
 * with libyaml (config_yaml.c); target strings; who may probe what. */
#define _DEFAULT_SOURCE /* explicit_bzero, strdup, strcasecmp */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config_internal.h"

#define FILE_MAX   (1024 * 1024) /* larger is surely the wrong file */
#define MODULE_MAX 64

/* 1 if c is an ASCII letter or digit or one of extra (never NUL). */
static int name_char(char c, const char *extra)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || (c != '\0' && strchr(extra, c) != NULL);
}

/* 1 if s is 1..max name_char()s. */
static int valid_name(const char *s, size_t max, const char *extra)
{
    size_t n = strlen(s);

    if (n == 0 || n > max)
        return 0;
    for (; *s; s++)
        if (!name_char(*s, extra))
            return 0;
    return 1;
}

int p3xc_read_full(int fd, char *buf, size_t cap, size_t *len)
{
    ssize_t r;

    *len = 0;
    while (*len < cap) {
        r = read(fd, buf + *len, cap - *len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        *len += (size_t)r;
    }
    return 0;
}

static int load_modules(struct p3xc_ctx *x, const yaml_node_t *n)
{
    struct p3x_config *c = x->c;
    const yaml_node_pair_t *p;
    size_t count;

    if (n == NULL)
        return p3xc_fail(x, 1, "modules", "no modules (define at least one)");
    if (p3xc_want(x, n, "modules", YAML_MAPPING_NODE,
                  "a mapping of module names to their settings") != 0)
        return -1;
    count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    if (count == 0)
        return p3xc_fail(x, P3XC_LINE(n), "modules",
                         "no modules (define at least one)");
    if ((c->modules = calloc(count, sizeof *c->modules)) == NULL)
        return p3xc_fail(x, P3XC_LINE(n), "modules", "out of memory");
    for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = p3xc_node(x, p->key);
        struct p3x_module *m;
        const char *name;

        if (p3xc_scalar(x, k, "modules", &name) != 0)
            return -1;
        if (!valid_name(name, MODULE_MAX, "_-"))
            return p3xc_fail(
                x, P3XC_LINE(k), "modules",
                "'%s' is not a module name (1 to %d of A-Z a-z 0-9 "
                "_ -)",
                name, MODULE_MAX);
        snprintf(x->path, sizeof x->path, "modules.%s", name);
        for (size_t j = 0; j < c->nmodules; j++)
            if (strcmp(c->modules[j].name, name) == 0)
                return p3xc_fail(x, P3XC_LINE(k), NULL,
                                 "duplicate module name (first at line %d)",
                                 c->modules[j].line);
        m = &c->modules[c->nmodules++];
        m->line = P3XC_LINE(k);
        if ((m->name = strdup(name)) == NULL)
            return p3xc_fail(x, P3XC_LINE(k), NULL, "out of memory");
        if (p3xc_module_load(x, m, p3xc_node(x, p->value)) != 0)
            return -1;
    }
    x->path[0] = '\0';
    return 0;
}

enum { G_NAME, G_TARGET, G_MODULE, G_INTERVAL, G_COUNT };
static const char *const target_keys[G_COUNT] = {"name", "target", "module",
                                                 "interval"};

static int load_target(struct p3xc_ctx *x, struct p3x_target *t,
                       const yaml_node_t *n)
{
    const struct p3x_config *c = x->c;
    yaml_node_t *v[G_COUNT];
    int line[G_COUNT];
    const char *s[G_INTERVAL];
    char host[P3XC_HOST_MAX];

    t->line = P3XC_LINE(n);
    t->interval_s = 60;
    if (p3xc_want(x, n, NULL, YAML_MAPPING_NODE,
                  "a mapping with name, target, module and interval") != 0 ||
        p3xc_fields(x, n, target_keys, G_COUNT, v, line) != 0)
        return -1;
    for (int i = 0; i < G_INTERVAL; i++) {
        if (v[i] == NULL)
            return p3xc_fail(
                x, t->line, target_keys[i],
                "missing (a target needs name, target and module)");
        if (p3xc_scalar(x, v[i], target_keys[i], &s[i]) != 0)
            return -1;
    }
    if (p3xc_seconds(x, v[G_INTERVAL], "interval", 1, 86400, &t->interval_s,
                     "an interval (1 s to 1 day, such as 30s, 5m or 60)") != 0)
        return -1;
    if (!valid_name(s[G_NAME], P3X_TARGET_NAME_MAX, "_.-"))
        return p3xc_fail(
            x, line[G_NAME], "name",
            "'%s' is not a target name (1 to %d of A-Z a-z 0-9 _ . -)",
            s[G_NAME], P3X_TARGET_NAME_MAX);
    for (const struct p3x_target *o = c->targets; o < t; o++)
        if (strcmp(o->name, s[G_NAME]) == 0)
            return p3xc_fail(x, line[G_NAME], "name",
                             "duplicate target name '%s' (first at line %d)",
                             s[G_NAME], o->line);
    if (p3x_target_parse(s[G_TARGET], host, sizeof host, &t->port) != 0)
        return p3xc_fail(
            x, line[G_TARGET], "target",
            "'%s' is not a target (host, host:port or [IPv6]:port)",
            s[G_TARGET]);
    if ((t->module = p3x_config_module(c, s[G_MODULE])) == NULL)
        return p3xc_fail(
            x, line[G_MODULE], "module",
            "'%s' is not a module defined under modules:", s[G_MODULE]);
    if ((t->name = strdup(s[G_NAME])) == NULL ||
        (t->host = strdup(host)) == NULL)
        return p3xc_fail(x, t->line, NULL, "out of memory");
    return 0;
}

static int load_targets(struct p3xc_ctx *x, const yaml_node_t *n)
{
    struct p3x_config *c = x->c;
    const yaml_node_item_t *i;
    size_t count;

    if (n == NULL)
        return 0;
    if (p3xc_want(x, n, "targets", YAML_SEQUENCE_NODE,
                  "a list of targets (write [] for none)") != 0)
        return -1;
    count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (count && (c->targets = calloc(count, sizeof *c->targets)) == NULL)
        return p3xc_fail(x, P3XC_LINE(n), "targets", "out of memory");
    for (i = n->data.sequence.items.start; i < n->data.sequence.items.top;
         i++) {
        snprintf(x->path, sizeof x->path, "targets[%zu]", c->ntargets);
        if (load_target(x, &c->targets[c->ntargets++], p3xc_node(x, *i)) != 0)
            return -1;
    }
    x->path[0] = '\0';
    return 0;
}

static int load_root(struct p3xc_ctx *x)
{
    static const char *const keys[] = {"modules", "targets"};
    const yaml_node_t *root = yaml_document_get_root_node(x->doc);
    yaml_node_t *v[2];
    int line[2];

    if (root == NULL ||
        (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0))
        return p3xc_fail(x, 1, "modules", "no modules (the file is empty)");
    if (p3xc_want(x, root, NULL, YAML_MAPPING_NODE,
                  "a mapping with modules: and targets:") != 0)
        return -1;
    if (p3xc_fields(x, root, keys, 2, v, line) != 0 ||
        load_modules(x, v[0]) != 0 || load_targets(x, v[1]) != 0)
        return -1;
    return 0;
}

/* Tries o with pop3check_probe_new() and frees it; o NULL (it could not
 * be made, for why) or a refusal is an error for SECTION.NAME at line. */
static int try_probe(struct p3xc_ctx *x, struct pop3check_options *o,
                     const char *why, int line, const char *section,
                     const char *name)
{
    char err[256], key[128];
    struct pop3check_probe *p;

    if (o != NULL) {
        p = pop3check_probe_new(o, err, sizeof err);
        pop3check_options_free(o);
        if (p != NULL) {
            pop3check_probe_free(p);
            return 0;
        }
        why = err;
    }
    snprintf(key, sizeof key, "%s.%s", section, name);
    return p3xc_fail(x, line, key, "%s", why);
}

/* What only the probe library can tell (an IPv4 target with ip_version
 * 6, ...): every module and every target is tried with
 * pop3check_probe_new(), so that a config that loads is a config that
 * probes. */
static int check_with_library(struct p3xc_ctx *x)
{
    const struct p3x_config *c = x->c;
    char why[256];

    for (size_t i = 0; i < c->nmodules; i++) {
        const struct p3x_module *m = &c->modules[i];
        struct pop3check_options *o =
            p3x_module_options(m, "localhost", 0, why, sizeof why);
        if (try_probe(x, o, why, m->line, "modules", m->name) != 0)
            return -1;
    }
    for (size_t i = 0; i < c->ntargets; i++) {
        const struct p3x_target *t = &c->targets[i];
        struct pop3check_options *o =
            p3x_module_options(t->module, t->host, t->port, why, sizeof why);
        if (try_probe(x, o, why, t->line, "targets", t->name) != 0)
            return -1;
    }
    return 0;
}

int p3x_config_parse(const char *yaml, size_t len, const char *name,
                     struct p3x_config **out, char *err, size_t errlen)
{
    struct p3xc_ctx x = {.err = err, .errlen = errlen};

    x.name = name ? name : "(config)";
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (out == NULL || (yaml == NULL && len > 0))
        return p3xc_fail(&x, 0, NULL, "internal: no text or no place for it");
    *out = NULL;
    if (len > FILE_MAX)
        return p3xc_fail(&x, 1, NULL,
                         "larger than %d bytes: is it the right file?",
                         FILE_MAX);
    if ((x.c = calloc(1, sizeof *x.c)) == NULL ||
        (x.c->path = strdup(x.name)) == NULL) {
        p3x_config_free(x.c);
        return p3xc_fail(&x, 1, NULL, "out of memory");
    }
    if (p3xc_parse(&x, (const unsigned char *)(yaml ? yaml : ""), len,
                   load_root) != 0 ||
        check_with_library(&x) != 0) {
        p3x_config_free(x.c);
        return -1;
    }
    *out = x.c;
    return 0;
}

/* The whole file into *buf; 0, or -1 with errno. */
static int read_file(const char *path, char **buf, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    int rc = -1, e;

    *buf = NULL;
    *len = 0;
    if (fd < 0)
        return -1;
    if ((*buf = malloc(FILE_MAX + 1)) == NULL)
        errno = ENOMEM;
    else if (p3xc_read_full(fd, *buf, FILE_MAX + 1, len) == 0)
        rc = 0;
    e = errno;
    close(fd);
    errno = e;
    return rc;
}

int p3x_config_load(const char *path, struct p3x_config **out, char *err,
                    size_t errlen)
{
    char *buf;
    size_t len;
    int rc;

    if (path == NULL)
        path = "(null)";
    if (read_file(path, &buf, &len) != 0) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        free(buf);
        if (out != NULL)
            *out = NULL;
        return -1;
    }
    rc = p3x_config_parse(buf, len, path, out, err, errlen);
    explicit_bzero(buf, len); /* in case it held an inline password */
    free(buf);
    return rc;
}

static void module_free(struct p3x_module *m)
{
    pop3check_options_free(m->opts); /* wipes the password */
    pop3check_thresholds_free(m->thr);
    free(m->name);
    free(m->password_file);
    free(m->token_file);
    for (size_t i = 0; i < m->nallowed; i++)
        free(m->allowed[i]);
    free(m->allowed);
}

void p3x_config_free(struct p3x_config *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->nmodules; i++)
        module_free(&c->modules[i]);
    for (size_t i = 0; i < c->ntargets; i++) {
        free(c->targets[i].name);
        free(c->targets[i].host);
    }
    free(c->modules);
    free(c->targets);
    free(c->path);
    free(c);
}

const struct p3x_module *p3x_config_module(const struct p3x_config *c,
                                           const char *name)
{
    if (c == NULL || name == NULL)
        return NULL;
    for (size_t i = 0; i < c->nmodules; i++)
        if (c->modules[i].name != NULL && strcmp(c->modules[i].name, name) == 0)
            return &c->modules[i];
    return NULL;
}

/* 1-65535, digits only. */
static int parse_port(const char *s, unsigned *port)
{
    long v;

    if (strlen(s) > 5 || strspn(s, "0123456789") != strlen(s) ||
        p3xc_number(s, 1, 65535, &v) != 0)
        return -1;
    *port = (unsigned)v;
    return 0;
}

const char *p3x_control_char(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return s + i;
    return NULL;
}

int p3x_target_parse(const char *text, char *host, size_t hostlen,
                     unsigned *port)
{
    const char *h = text, *colon;
    char v6[64];
    unsigned char addr[16];
    unsigned p = 0;
    size_t n;
    int is_v6 = 0;

    if (text == NULL || host == NULL || hostlen == 0)
        return -1;
    colon = strchr(text, ':');
    if (text[0] == '[') { /* [v6] or [v6]:port */
        const char *close = strchr(text, ']');
        if (close == NULL || (close[1] != '\0' && close[1] != ':') ||
            (close[1] == ':' && parse_port(close + 2, &p) != 0))
            return -1;
        h = text + 1;
        n = (size_t)(close - h);
        is_v6 = 1;
    } else if (colon != NULL && strchr(colon + 1, ':') != NULL) {
        n = strlen(text); /* a bare IPv6 address has no port */
        is_v6 = 1;
    } else if (colon != NULL) {
        if (parse_port(colon + 1, &p) != 0)
            return -1;
        n = (size_t)(colon - text);
    } else {
        n = strlen(text);
    }
    if (n == 0 || n >= hostlen)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!name_char(h[i], is_v6 ? ".-_:" : ".-_"))
            return -1;
    if (is_v6) {
        if (n >= sizeof v6)
            return -1;
        memcpy(v6, h, n);
        v6[n] = '\0';
        if (inet_pton(AF_INET6, v6, addr) != 1)
            return -1;
    }
    memcpy(host, h, n);
    host[n] = '\0';
    if (port != NULL)
        *port = p;
    return 0;
}

unsigned p3x_module_port(const struct p3x_module *m, unsigned port)
{
    long p = 0;

    if (port != 0)
        return port;
    if (pop3check_options_get_long(m->opts, POP3CHECK_OPT_PORT, &p) != 0)
        return 0;
    return (unsigned)p;
}

struct pop3check_options *p3x_module_options(const struct p3x_module *m,
                                             const char *host, unsigned port,
                                             char *err, size_t errlen)
{
    struct pop3check_options *o = pop3check_options_dup(m->opts);

    if (o == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (pop3check_options_set_str(o, POP3CHECK_OPT_HOST, host) != 0 ||
        (port != 0 &&
         pop3check_options_set_long(o, POP3CHECK_OPT_PORT, (long)port) != 0)) {
        snprintf(err, errlen, "%s", pop3check_options_error(o));
        pop3check_options_free(o);
        return NULL;
    }
    return o;
}

int p3x_module_allows(const struct p3x_module *m, const char *host,
                      unsigned port)
{
    char h[P3XC_HOST_MAX];
    unsigned p;

    if (m == NULL || host == NULL || host[0] == '\0')
        return 0;
    for (size_t i = 0; i < m->nallowed; i++) {
        const char *a = m->allowed[i];

        if (strcmp(a, "*") == 0) {
            /* never with credentials */
            if (pop3check_options_get_str(m->opts, POP3CHECK_OPT_USER) == NULL)
                return 1;
            continue;
        }
        if (p3x_target_parse(a, h, sizeof h, &p) != 0 ||
            strcasecmp(h, host) != 0)
            continue;
        if (p == 0 || p == p3x_module_port(m, port))
            return 1;
    }
    return 0;
}
