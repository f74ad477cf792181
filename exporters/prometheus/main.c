/* SPDX-License-Identifier: MIT */
/* main.c - pop3_exporter: flags, config, signals. SIGHUP reloads the
 * config (a bad one is refused and the running one kept); SIGTERM and
 * SIGINT stop after answering the probes in flight. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "flags.h"
#include "server.h"

#define NAME "pop3_exporter"

static const char usage[] =
    "pop3_exporter " POP3CHECK_VERSION
    " - Prometheus exporter for POP3 servers (multi-target, like "
    "blackbox_exporter)\n"
    "\n"
    "Usage: pop3_exporter [--config.file FILE] [--web.listen-address ADDR]\n"
    "                     [--textfile.path FILE] [--web.tls-cert FILE\n"
    "                     --web.tls-key FILE] [--web.basic-auth-file FILE]\n"
    "                     [--web.read-header-timeout DURATION]\n"
    "                     [--web.idle-timeout DURATION]\n"
    "                     [--web.max-connections N]\n"
    "                     [--web.max-connections-per-address N]\n"
    "                     [--config.check] [-h] [--version]\n"
    "\n"
    "  --config.file FILE          modules and targets (YAML), default\n"
    "                              /etc/pop3check/pop3check.yml\n"
    "  --web.listen-address ADDR   ADDRESS:PORT, [IPv6]:PORT or :PORT (all\n"
    "                              addresses), default :19110\n"
    "  --textfile.path FILE        also write the scheduled targets' metrics\n"
    "                              to FILE (node_exporter's textfile\n"
    "                              collector), each second, atomically\n"
    "  --web.tls-cert FILE         serve HTTPS with this PEM certificate\n"
    "  --web.tls-key FILE          and this PEM private key\n"
    "  --web.basic-auth-file FILE  require HTTP basic auth on every\n"
    "                              endpoint; the file's first line is\n"
    "                              USER:PASSWORD (refused if other users\n"
    "                              may read it, as the key file is)\n"
    "  --web.read-header-timeout DURATION\n"
    "                              a request's headers must be complete\n"
    "                              within this of its connection, default 10s\n"
    "  --web.idle-timeout DURATION a kept-alive connection is closed when its\n"
    "                              next request is not complete within this,\n"
    "                              default 5s, or half the one above when\n"
    "                              that is 5s or less (it must be less)\n"
    "  --web.max-connections N     HTTP connections open at once, default\n"
    "                              10000 (each /probe in flight also holds a\n"
    "                              descriptor for its probe)\n"
    "  --web.max-connections-per-address N\n"
    "                              from one IPv4 address or IPv6 /64, default\n"
    "                              half of --web.max-connections; size it for\n"
    "                              Prometheus: targets x timeout / interval\n"
    "  --config.check              check the config file, print the result\n"
    "                              and exit (0 valid, 1 not)\n"
    "  -h, --help                  this text\n"
    "      --version               version\n"
    "\n"
    "Endpoints:\n"
    "  /probe?target=HOST[:PORT]&module=NAME[&format=json]\n"
    "          probe one server, its metrics only (text format 0.0.4, or JSON\n"
    "          with format=json or Accept: application/json); the deadline\n"
    "          is X-Prometheus-Scrape-Timeout-Seconds less 0.5 s, at most the\n"
    "          module's timeout\n"
    "  /metrics the exporter's own metrics, and those of the config's\n"
    "          targets: (probed on their intervals) with target=\"NAME\"\n"
    "  /       the recent probes; /logs?id=N the log of one\n"
    "\n"
    "Signals: SIGHUP reloads the config; SIGTERM or SIGINT stop.\n";

struct flags {
    const char *config;
    const char *listen;
    const char *textfile;
    const char *tls_cert, *tls_key, *auth_file;
    int check;
    double header_timeout, idle_timeout; /* 0: not given */
    int max_conns, max_per_addr;         /* 0: not given */
};

static int flag_error(const char *what)
{
    fprintf(stderr, NAME ": %s\n", what);
    return 2;
}

/* The flags that go together; the defaults that follow from others. */
static int check_flags(void *ctx)
{
    struct flags *f = ctx;
    struct p3x_server_opts lim = {.header_timeout_s = f->header_timeout,
                                  .idle_timeout_s = f->idle_timeout,
                                  .max_conns = (unsigned)f->max_conns,
                                  .max_per_addr = (unsigned)f->max_per_addr};

    if (!f->tls_cert != !f->tls_key)
        return flag_error("--web.tls-cert and --web.tls-key go together");
    p3x_server_limits(&lim);
    if (lim.idle_timeout_s >= lim.header_timeout_s)
        return flag_error("--web.idle-timeout must be shorter than "
                          "--web.read-header-timeout");
    if (lim.max_per_addr > lim.max_conns)
        return flag_error("--web.max-connections-per-address is more than "
                          "--web.max-connections");
    f->header_timeout = lim.header_timeout_s;
    f->idle_timeout = lim.idle_timeout_s;
    f->max_conns = (int)lim.max_conns;
    f->max_per_addr = (int)lim.max_per_addr;
    return 0;
}

/* -1 to go on, else the exit code. */
static int parse_flags(int argc, char **argv, struct flags *f)
{
    const struct p3x_flag fl[] = {
        {"config.file", P3X_FLAG_STRING, &f->config, 0, 0, NULL},
        {"web.listen-address", P3X_FLAG_STRING, &f->listen, 0, 0, NULL},
        {"config.check", P3X_FLAG_SWITCH, &f->check, 0, 0, NULL},
        {"textfile.path", P3X_FLAG_STRING, &f->textfile, 0, 0, NULL},
        {"web.tls-cert", P3X_FLAG_STRING, &f->tls_cert, 0, 0, NULL},
        {"web.tls-key", P3X_FLAG_STRING, &f->tls_key, 0, 0, NULL},
        {"web.basic-auth-file", P3X_FLAG_STRING, &f->auth_file, 0, 0, NULL},
        {"web.read-header-timeout", P3X_FLAG_SECONDS, &f->header_timeout, 0,
         600, "give a duration up to 10m, such as 10s"},
        {"web.idle-timeout", P3X_FLAG_SECONDS, &f->idle_timeout, 0, 600,
         "give a duration up to 10m, such as 5s"},
        {"web.max-connections", P3X_FLAG_INT, &f->max_conns, 1, 500000,
         "give a whole number, 1-500000"},
        {"web.max-connections-per-address", P3X_FLAG_INT, &f->max_per_addr, 1,
         500000, "give a whole number, 1-500000"},
    };
    const struct p3x_flags spec = {
        NAME, usage, fl, sizeof fl / sizeof fl[0], check_flags, f};

    f->config = "/etc/pop3check/pop3check.yml";
    f->listen = ":19110";
    return p3x_flags_parse(&spec, argc, argv);
}

/* The whole of a small file (at most 1 MiB), NUL-terminated; NULL with a
 * message on stderr. */
static char *slurp(const char *flag, const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = malloc(1 << 20);
    size_t n = 0;

    if (f == NULL || buf == NULL) {
        fprintf(stderr, NAME ": %s '%s': %s\n", flag, path,
                f ? "out of memory" : strerror(errno));
        if (f)
            fclose(f);
        free(buf);
        return NULL;
    }
    n = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    buf[n] = '\0';
    if (n == 0 || n == (1 << 20) - 1) {
        fprintf(stderr, NAME ": %s '%s': empty or larger than 1 MiB\n", flag,
                path);
        free(buf);
        return NULL;
    }
    return buf;
}

/* A secret file under the library's rule (not open to other users, a
 * regular file): NULL with a message on stderr. */
static char *read_secret(const char *flag, const char *path, unsigned how,
                         size_t max)
{
    char err[600];
    char *text = pop3check_secret_read(path, how, max, NULL, err, sizeof err);

    if (text == NULL)
        fprintf(stderr, NAME ": %s %s\n", flag, err);
    return text;
}

/* --web.basic-auth-file: USER:PASSWORD on the first line. */
static int read_auth(const char *path, char **user, char **pass)
{
    char *text =
        read_secret("--web.basic-auth-file", path, POP3CHECK_SECRET_LINE, 1024);
    char *colon;

    if (text == NULL)
        return -1;
    colon = strchr(text, ':');
    if (colon == NULL || colon == text || colon[1] == '\0') {
        fprintf(stderr,
                NAME ": --web.basic-auth-file '%s': the first line must be "
                     "USER:PASSWORD\n",
                path);
        pop3check_secret_free(text);
        return -1;
    }
    *colon = '\0';
    *user = text;
    *pass = colon + 1;
    return 0;
}

/* A request in flight needs a descriptor for its client and one for its
 * probe: 1,024 would cap the exporter near 500 concurrent probes. Says
 * so when the hard limit is below what max_conns connections need. */
static void raise_fd_limit(int max_conns)
{
    struct rlimit rl;
    rlim_t need = 2 * (rlim_t)max_conns;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur < need)
        p3x_log("warn",
                "the open files limit is %llu: --web.max-connections %d needs "
                "%llu (raise LimitNOFILE or ulimit -n, or lower it)",
                (unsigned long long)rl.rlim_cur, max_conns,
                (unsigned long long)need);
}

/* Waits for signals on the main thread; the others have them blocked. */
static void serve(struct p3x_server *s, const sigset_t *set)
{
    int sig;

    for (;;) {
        if (sigwait(set, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            p3x_server_reload(s);
            continue;
        }
        p3x_log("info", "signal %d: stopping after the probes in flight", sig);
        return;
    }
}

/* The certificate, key and basic-auth credentials main() hands to the
 * server, which keeps its own copies. */
struct secrets {
    char *cert, *key, *user, *pass; /* pass points into user's buffer */
};

static int read_secrets(const struct flags *f, struct secrets *sec)
{
    if (f->tls_cert != NULL &&
        ((sec->cert = slurp("--web.tls-cert", f->tls_cert)) == NULL ||
         (sec->key = read_secret("--web.tls-key", f->tls_key,
                                 POP3CHECK_SECRET_WHOLE, 1 << 20)) == NULL))
        return -1;
    if (f->auth_file != NULL &&
        read_auth(f->auth_file, &sec->user, &sec->pass) != 0)
        return -1;
    return 0;
}

static void wipe_secrets(struct secrets *sec)
{
    if (sec->user != NULL) /* the colon became a NUL: mend it for the wipe */
        sec->pass[-1] = ':';
    free(sec->cert);
    pop3check_secret_free(sec->key);
    pop3check_secret_free(sec->user);
    memset(sec, 0, sizeof *sec);
}

/* Loads the config; with --config.check says what it found. -1 to go on,
 * else the exit code. */
static int load_config(const struct flags *f, struct p3x_config **cfg)
{
    char err[512];

    if (p3x_config_load(f->config, cfg, err, sizeof err) != 0) {
        fprintf(stderr, NAME ": %s\n", err);
        return 1;
    }
    if (!f->check)
        return -1;
    printf("%s: ok, %zu modules, %zu targets\n", f->config, (*cfg)->nmodules,
           (*cfg)->ntargets);
    p3x_config_free(*cfg);
    *cfg = NULL;
    return 0;
}

/* Signals go to the main thread's sigwait() only: blocked here, before
 * any thread starts (they inherit the mask). */
static void block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* Starts the server with cfg (taken over) and serves until a signal. */
static int run(const struct flags *f, struct p3x_config *cfg,
               const sigset_t *set)
{
    struct p3x_server_opts so = {.listen = f->listen,
                                 .config_path = f->config,
                                 .textfile = f->textfile,
                                 .header_timeout_s = f->header_timeout,
                                 .idle_timeout_s = f->idle_timeout,
                                 .max_conns = (unsigned)f->max_conns,
                                 .max_per_addr = (unsigned)f->max_per_addr};
    struct secrets sec = {0};
    struct p3x_server *s;
    char err[512];

    if (read_secrets(f, &sec) != 0) {
        wipe_secrets(&sec);
        p3x_config_free(cfg);
        return 1;
    }
    so.tls_cert = sec.cert;
    so.tls_key = sec.key;
    so.auth_user = sec.user;
    so.auth_pass = sec.pass;
    s = p3x_server_start(&so, cfg, err, sizeof err);
    wipe_secrets(&sec); /* libmicrohttpd has loaded the key */
    if (s == NULL) {
        fprintf(stderr, NAME ": %s\n", err);
        return 1;
    }
    p3x_log("info", "listening on %s (port %u), config %s", f->listen,
            p3x_server_port(s), f->config);
    serve(s, set);
    p3x_server_stop(s);
    return 0;
}

int main(int argc, char **argv)
{
    struct flags f = {0};
    struct p3x_config *cfg = NULL;
    char err[256];
    sigset_t set;
    int rc = parse_flags(argc, argv, &f);

    if (rc >= 0 || (rc = load_config(&f, &cfg)) >= 0)
        return rc;
    block_signals(&set);
    raise_fd_limit(f.max_conns);
    /* Two threads allocate (HTTP and probes): one malloc arena for both
     * keeps the memory of many requests in flight smaller, and their
     * contention is slight. */
    mallopt(M_ARENA_MAX, 1);
    if (pop3check_global_init(err, sizeof err) != 0) {
        fprintf(stderr, NAME ": %s\n", err);
        p3x_config_free(cfg);
        return 1;
    }
    rc = run(&f, cfg, &set);
    pop3check_global_cleanup();
    return rc;
}
