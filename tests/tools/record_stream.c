/* SPDX-License-Identifier: MIT */
/* record_stream.c - records libcurl's debug stream of one real probe's
 * connect stage (greeting, CAPA, STLS, TLS; RFC 1939, 2449, 2595) into a
 * fixture that tests/unit/test_tracker.c replays into tracker.c. Links
 * the core's objects for its internal tap (p3_options_set_tap).
 *
 * Usage: record_stream -H HOST -p PORT [--tls none|stls|implicit]
 *            [--cafile FILE] [--insecure] [--sni NAME] [-t MS] -o FILE
 *        record_stream --curl-version
 * Prints "ERROR PHASE" of the probe ("ok -" on success) on stdout; exit 0
 * when FILE was written, 1 if not (it is then removed), 2 on usage.
 *
 * The file is text, one record a line (tests/unit/streams/README.md):
 *   @format pop3check-debug-stream 1
 *   @curl VERSION         libcurl in use (curl_version_info)
 *   @ssl VERSION          its TLS library
 *   @tls MODE             none, stls or implicit
 *   TYPE US LEN[ DATA]    one debug event
 *   @result ERROR PHASE   what the probe made of it (for people)
 * TYPE is the curl_infotype's name without CURLINFO_ (TEXT, HEADER_IN,
 * HEADER_OUT, DATA_IN, DATA_OUT, SSL_DATA_IN, SSL_DATA_OUT), US the
 * microseconds since the first event, LEN the event's size in bytes and
 * DATA its bytes: printable ASCII as it is, but '\' as "\\" and any other
 * byte as "\xNN". SSL_DATA_* events have no DATA: they are binary TLS
 * records, which the tracker does not read.
 *
 * No credentials: the probe has no user, so libcurl stops after CAPA;
 * should a USER, PASS, APOP or AUTH command go out all the same, nothing
 * is written and the file is removed. */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "internal.h"

#define FORMAT_LINE "@format pop3check-debug-stream 1\n"

static const char *const type_names[] = {
    "TEXT",     "HEADER_IN",   "HEADER_OUT",   "DATA_IN",
    "DATA_OUT", "SSL_DATA_IN", "SSL_DATA_OUT",
};

struct recorder {
    FILE *out;
    int64_t first; /* time of the first event, -1 before */
    int refused;   /* a credential went out: record nothing more */
    int failed;    /* a write failed */
};

/* 1 if a line starts with a command that carries a credential. */
static int is_secret_line(const char *d, size_t n)
{
    static const char *const verbs[] = {"USER", "PASS", "APOP", "AUTH"};

    for (size_t i = 0; i < P3_COUNT(verbs); i++) {
        if (n >= 4 && strncasecmp(d, verbs[i], 4) == 0 &&
            (n == 4 || d[4] == ' ' || d[4] == '\r' || d[4] == '\n'))
            return 1;
    }
    return 0;
}

/* 1 if any line of an outgoing event is such a command. */
static int has_secret(const char *d, size_t n)
{
    while (n > 0) {
        const char *nl = memchr(d, '\n', n);
        size_t len = nl ? (size_t)(nl - d) + 1 : n;
        if (is_secret_line(d, len))
            return 1;
        d += len;
        n -= len;
    }
    return 0;
}

static void write_escaped(FILE *f, const char *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)d[i];
        if (c == '\\')
            fputs("\\\\", f);
        else if (c >= 0x20 && c <= 0x7e)
            fputc(c, f);
        else
            fprintf(f, "\\x%02x", c);
    }
}

static void tap(void *ctx, int type, const char *data, size_t size, int64_t now)
{
    struct recorder *rec = ctx;
    int outgoing = type == CURLINFO_HEADER_OUT || type == CURLINFO_DATA_OUT;
    int tls = type == CURLINFO_SSL_DATA_IN || type == CURLINFO_SSL_DATA_OUT;

    if (rec->refused)
        return;
    if (outgoing && has_secret(data, size)) {
        rec->refused = 1;
        return;
    }
    if (rec->first < 0)
        rec->first = now;
    if (type >= 0 && (size_t)type < P3_COUNT(type_names))
        fputs(type_names[type], rec->out);
    else
        fprintf(rec->out, "%d", type);
    fprintf(rec->out, " %lld %zu", (long long)(now - rec->first), size);
    if (!tls && size > 0) {
        fputc(' ', rec->out);
        write_escaped(rec->out, data, size);
    }
    if (fputc('\n', rec->out) == EOF)
        rec->failed = 1;
}

static void usage(void)
{
    fputs("usage: record_stream -H HOST -p PORT [--tls none|stls|implicit]\n"
          "           [--cafile FILE] [--insecure] [--sni NAME] [-t MS] "
          "-o FILE\n"
          "       record_stream --curl-version\n",
          stderr);
}

/* A number in [min, max], or -1. */
static long parse_num(const char *s, long min, long max)
{
    char *end;
    long v;

    if (s == NULL || *s == '\0')
        return -1;
    v = strtol(s, &end, 10);
    if (*end != '\0' || v < min || v > max)
        return -1;
    return v;
}

static int set_str(struct pop3check_options *o, enum pop3check_opt key,
                   const char *v)
{
    if (pop3check_options_set_str(o, key, v) == 0)
        return 0;
    fprintf(stderr, "record_stream: %s\n", pop3check_options_error(o));
    return -1;
}

static int set_long(struct pop3check_options *o, enum pop3check_opt key, long v)
{
    if (pop3check_options_set_long(o, key, v) == 0)
        return 0;
    fprintf(stderr, "record_stream: %s\n", pop3check_options_error(o));
    return -1;
}

/* Options from the command line into o and *out; 0, -1 on usage. */
static int parse_args(int argc, char **argv, struct pop3check_options *o,
                      const char **out)
{
    static const struct option longopts[] = {
        {"host", required_argument, NULL, 'H'},
        {"port", required_argument, NULL, 'p'},
        {"tls", required_argument, NULL, 'T'},
        {"cafile", required_argument, NULL, 'C'},
        {"insecure", no_argument, NULL, 'k'},
        {"sni", required_argument, NULL, 'N'},
        {"timeout", required_argument, NULL, 't'},
        {"output", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    int c, rc = 0;

    while (rc == 0 &&
           (c = getopt_long(argc, argv, "H:p:t:o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'H':
            rc = set_str(o, POP3CHECK_OPT_HOST, optarg);
            break;
        case 'p':
            rc = set_long(o, POP3CHECK_OPT_PORT, parse_num(optarg, 1, 65535));
            break;
        case 'T':
            rc =
                set_long(o, POP3CHECK_OPT_TLS, pop3check_tls_from_name(optarg));
            break;
        case 'C':
            rc = set_str(o, POP3CHECK_OPT_CAFILE, optarg);
            break;
        case 'k':
            rc = set_long(o, POP3CHECK_OPT_INSECURE, 1);
            break;
        case 'N':
            rc = set_str(o, POP3CHECK_OPT_SNI, optarg);
            break;
        case 't':
            rc = set_long(o, POP3CHECK_OPT_TIMEOUT_MS,
                          parse_num(optarg, 1, 3600000));
            break;
        case 'o':
            *out = optarg;
            break;
        default:
            rc = -1;
        }
    }
    if (rc == 0 && (optind != argc || *out == NULL ||
                    pop3check_options_get_str(o, POP3CHECK_OPT_HOST) == NULL))
        rc = -1;
    return rc;
}

static void write_header(FILE *f, const struct pop3check_options *o)
{
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    long tls = 0;

    pop3check_options_get_long(o, POP3CHECK_OPT_TLS, &tls);
    fputs("# SPDX-License-Identifier: MIT\n", f);
    fputs("# libcurl's debug stream of one probe's connect stage, recorded "
          "by\n# tests/unit/record-streams.sh; see "
          "tests/unit/streams/README.md.\n",
          f);
    fputs(FORMAT_LINE, f);
    fprintf(f, "@curl %s\n@ssl %s\n@tls %s\n", v->version,
            v->ssl_version ? v->ssl_version : "none",
            pop3check_tls_name((enum pop3check_tls)tls));
}

/* Runs the probe with the tap on, into f; 0, or -1 if nothing may be
 * kept. */
static int record(struct pop3check_options *o, FILE *f)
{
    struct recorder rec = {f, -1, 0, 0};
    const struct pop3check_result *r;
    struct pop3check_probe *p;
    enum pop3check_error e;
    const char *phase;
    char err[256];

    p3_options_set_tap(o, tap, &rec);
    p = pop3check_probe_new(o, err, sizeof err);
    if (p == NULL) {
        fprintf(stderr, "record_stream: %s\n", err);
        return -1;
    }
    write_header(f, o);
    r = pop3check_probe_run(p);
    e = pop3check_result_error(r);
    phase = e == POP3CHECK_E_OK
                ? "-"
                : pop3check_phase_name(pop3check_result_failed_phase(r));
    fprintf(f, "@result %s %s\n", pop3check_error_name(e), phase);
    printf("%s %s\n", pop3check_error_name(e), phase);
    pop3check_probe_free(p);
    if (rec.refused)
        fputs("record_stream: a credential went out: not recorded\n", stderr);
    if (rec.first < 0)
        fputs("record_stream: libcurl reported no event\n", stderr);
    return rec.refused || rec.failed || rec.first < 0 ? -1 : 0;
}

/* Records into OUT.tmp, renamed to OUT once complete. */
static int record_to(struct pop3check_options *o, const char *out)
{
    char tmp[4096];
    FILE *f;
    int rc;

    if (snprintf(tmp, sizeof tmp, "%s.tmp", out) >= (int)sizeof tmp) {
        fputs("record_stream: output name too long\n", stderr);
        return -1;
    }
    f = fopen(tmp, "w");
    if (f == NULL) {
        perror(tmp);
        return -1;
    }
    rc = record(o, f);
    if (fclose(f) != 0) {
        perror(tmp);
        rc = -1;
    }
    if (rc == 0 && rename(tmp, out) != 0) {
        perror(out);
        rc = -1;
    }
    if (rc != 0)
        remove(tmp);
    return rc;
}

int main(int argc, char **argv)
{
    struct pop3check_options *o;
    const char *out = NULL;
    char err[256];
    int rc;

    if (argc == 2 && strcmp(argv[1], "--curl-version") == 0) {
        printf("%s\n", curl_version_info(CURLVERSION_NOW)->version);
        return 0;
    }
    if (pop3check_global_init(err, sizeof err) != 0) {
        fprintf(stderr, "record_stream: %s\n", err);
        return 1;
    }
    o = pop3check_options_new();
    if (o == NULL) {
        pop3check_global_cleanup();
        return 1;
    }
    if (parse_args(argc, argv, o, &out) != 0) {
        usage();
        rc = 2;
    } else {
        rc = record_to(o, out) == 0 ? 0 : 1;
    }
    pop3check_options_free(o);
    pop3check_global_cleanup();
    return rc;
}
