/* SPDX-License-Identifier: MIT */
/* main.c - pop3_exporter: flags, config, signals. SIGHUP reloads the
 * config (a bad one is refused and the running one kept); SIGTERM and
 * SIGINT stop after answering the probes in flight. */
#define _DEFAULT_SOURCE
#include <getopt.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "server.h"

static const char usage[] =
    "pop3_exporter " POP3CHECK_VERSION
    " - Prometheus exporter for POP3 servers (multi-target, like "
    "blackbox_exporter)\n"
    "\n"
    "Usage: pop3_exporter [--config.file FILE] [--web.listen-address ADDR]\n"
    "                     [--textfile.path FILE] [--web.tls-cert FILE\n"
    "                     --web.tls-key FILE] [--web.basic-auth-file FILE]\n"
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
    "                              USER:PASSWORD (keep it mode 0600)\n"
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
};

static int parse_flags(int argc, char **argv, struct flags *f)
{
    static const struct option opts[] = {
        {"config.file", required_argument, NULL, 'c'},
        {"web.listen-address", required_argument, NULL, 'l'},
        {"config.check", no_argument, NULL, 'k'},
        {"textfile.path", required_argument, NULL, 't'},
        {"web.tls-cert", required_argument, NULL, 'C'},
        {"web.tls-key", required_argument, NULL, 'K'},
        {"web.basic-auth-file", required_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int c;

    f->config = "/etc/pop3check/pop3check.yml";
    f->listen = ":19110";
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            f->config = optarg;
            break;
        case 'l':
            f->listen = optarg;
            break;
        case 'k':
            f->check = 1;
            break;
        case 't':
            f->textfile = optarg;
            break;
        case 'C':
            f->tls_cert = optarg;
            break;
        case 'K':
            f->tls_key = optarg;
            break;
        case 'A':
            f->auth_file = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        case 'V':
            printf("pop3_exporter %s\n", POP3CHECK_VERSION);
            return 0;
        default:
            fprintf(stderr,
                    "pop3_exporter: unknown option or missing value: '%s' "
                    "(see --help)\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (!f->tls_cert != !f->tls_key) {
        fprintf(stderr, "pop3_exporter: --web.tls-cert and --web.tls-key go "
                        "together\n");
        return 2;
    }
    if (optind < argc) {
        fprintf(stderr,
                "pop3_exporter: unexpected argument '%s' (see "
                "--help)\n",
                argv[optind]);
        return 2;
    }
    return -1; /* go on */
}

/* The whole of a small file (at most 1 MiB), NUL-terminated; NULL with a
 * message on stderr. */
static char *slurp(const char *flag, const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = malloc(1 << 20);
    size_t n = 0;

    if (f == NULL || buf == NULL) {
        fprintf(stderr, "pop3_exporter: %s '%s': %s\n", flag, path,
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
        fprintf(stderr, "pop3_exporter: %s '%s': empty or larger than 1 MiB\n",
                flag, path);
        free(buf);
        return NULL;
    }
    return buf;
}

/* --web.basic-auth-file: USER:PASSWORD on the first line. */
static int read_auth(const char *path, char **user, char **pass)
{
    char *text = slurp("--web.basic-auth-file", path);
    char *colon;

    if (text == NULL)
        return -1;
    text[strcspn(text, "\r\n")] = '\0';
    colon = strchr(text, ':');
    if (colon == NULL || colon == text || colon[1] == '\0') {
        fprintf(stderr,
                "pop3_exporter: --web.basic-auth-file '%s': the "
                "first line must be USER:PASSWORD\n",
                path);
        explicit_bzero(text, strlen(text));
        free(text);
        return -1;
    }
    *colon = '\0';
    *user = text;
    *pass = colon + 1;
    return 0;
}

/* A request in flight needs a descriptor for its client and one for its
 * probe: 1,024 would cap the exporter near 500 concurrent probes. */
static void raise_fd_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
        return;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        p3x_log("warn", "cannot raise the open files limit");
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

int main(int argc, char **argv)
{
    struct flags f = {0};
    struct p3x_config *cfg = NULL;
    struct p3x_server *s;
    char err[512];
    sigset_t set;
    int rc = parse_flags(argc, argv, &f);

    if (rc >= 0)
        return rc;
    if (p3x_config_load(f.config, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "pop3_exporter: %s\n", err);
        return 1;
    }
    if (f.check) {
        printf("%s: ok, %zu modules, %zu targets\n", f.config, cfg->nmodules,
               cfg->ntargets);
        p3x_config_free(cfg);
        return 0;
    }
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* inherited by every thread */
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    if (pop3check_global_init() != 0) {
        fprintf(stderr, "pop3_exporter: cannot initialise libcurl\n");
        p3x_config_free(cfg);
        return 1;
    }
    struct p3x_server_opts so = {
        .listen = f.listen, .config_path = f.config, .textfile = f.textfile};
    char *cert = NULL, *key = NULL, *user = NULL, *pass = NULL;
    if ((f.tls_cert && ((cert = slurp("--web.tls-cert", f.tls_cert)) == NULL ||
                        (key = slurp("--web.tls-key", f.tls_key)) == NULL)) ||
        (f.auth_file && read_auth(f.auth_file, &user, &pass) != 0)) {
        free(cert);
        free(key);
        p3x_config_free(cfg);
        pop3check_global_cleanup();
        return 1;
    }
    so.tls_cert = cert;
    so.tls_key = key;
    so.auth_user = user;
    so.auth_pass = pass;
    s = p3x_server_start(&so, cfg, err, sizeof err);
    /* The server keeps its own copies; libmicrohttpd has loaded the key. */
    if (key != NULL)
        explicit_bzero(key, strlen(key));
    if (user != NULL)
        explicit_bzero(user, strlen(user) + 1 + strlen(pass));
    free(cert);
    free(key);
    free(user);
    if (s == NULL) {
        fprintf(stderr, "pop3_exporter: %s\n", err);
        pop3check_global_cleanup();
        return 1;
    }
    p3x_log("info", "listening on %s (port %u), config %s", f.listen,
            p3x_server_port(s), f.config);
    serve(s, &set);
    p3x_server_stop(s);
    pop3check_global_cleanup();
    return 0;
}
