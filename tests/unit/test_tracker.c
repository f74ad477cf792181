/* SPDX-License-Identifier: MIT */
/* test_tracker.c - tracker.c on libcurl's debug streams recorded from real
 * probes (tests/unit/streams/curl-VERSION/NAME.stream, made by `make
 * record-streams`): plain, STLS (RFC 2595), POP3S, refused, bad
 * certificates and greetings that are not +OK (RFC 1939 section 4). Each
 * test replays its stream of every libcurl version recorded; a libcurl
 * whose lines differ fails here once its streams are recorded. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <strings.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "tracker.h"

/* ---- what the servers send (the expectations' sources) ---- */

/* tests/integration/sandbox.sh: login_greeting. Dovecot's pop3-login
 * greets "+OK " login_greeting, then " <challenge>" (RFC 1939 section 7
 * timestamp) because auth_mechanisms has apop. */
#define SANDBOX_GREETING "pop3check sandbox ready."

/* Dovecot 2.3's pop3-login cmd_capa (src/pop3-login/client-authenticate.c):
 * "+OK", POP3_CAPABILITY_REPLY (src/pop3/pop3-capability.h: CAPA, TOP,
 * UIDL, RESP-CODES, PIPELINING, AUTH-RESP-CODE), STLS while TLS is
 * possible but not on (sandbox: ssl = yes), USER (sandbox:
 * disable_plaintext_auth = no), SASL with the sandbox's auth_mechanisms in
 * their order but APOP (a private mechanism), then ".". */
static const char *const capa_before_tls[] = {
    "CAPA",       "TOP",        "UIDL",
    "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE",
    "STLS",       "USER",       "SASL PLAIN LOGIN CRAM-MD5",
};
static const char *const capa_after_tls[] = {
    "CAPA",       "TOP",
    "UIDL",       "RESP-CODES",
    "PIPELINING", "AUTH-RESP-CODE",
    "USER",       "SASL PLAIN LOGIN CRAM-MD5",
};
/* Those lines as flags; APOP is the greeting's timestamp, KNOWN the
 * answered CAPA. */
#define CAPA_AFTER_TLS                                                         \
    (POP3CHECK_CAPA_TOP | POP3CHECK_CAPA_UIDL | POP3CHECK_CAPA_RESP_CODES |    \
     POP3CHECK_CAPA_PIPELINING | POP3CHECK_CAPA_AUTH_RESP_CODE |               \
     POP3CHECK_CAPA_USER | POP3CHECK_CAPA_SASL | POP3CHECK_CAPA_APOP |         \
     POP3CHECK_CAPA_KNOWN)
#define CAPA_BEFORE_TLS (CAPA_AFTER_TLS | POP3CHECK_CAPA_STLS)
#define SASL_SANDBOX                                                           \
    (POP3CHECK_SASL_PLAIN | POP3CHECK_SASL_LOGIN | POP3CHECK_SASL_CRAM_MD5)

/* Dovecot's answer to STLS (login-common's client_cmd_starttls). */
#define STLS_OK "+OK Begin TLS negotiation now."

/* tests/faults/scenarios/greeting-err.scn and greeting-not-ok.scn. */
#define GREETING_ERR    "-ERR [SYS/TEMP] too busy, go away"
#define GREETING_NOT_OK "220 smtp.example.org ESMTP"

/* The streams every libcurl version directory holds, and their TLS mode
 * (tests/unit/record-streams.sh records them). */
static const struct {
    const char *name, *tls;
} wanted[] = {
    {"plain", "none"},
    {"stls", "stls"},
    {"pop3s", "implicit"},
    {"refused", "none"},
    {"cert-expired", "implicit"},
    {"cert-unknown-ca", "stls"},
    {"greeting-err", "none"},
    {"greeting-not-ok", "none"},
};

/* ---- the fixture files (format: tests/unit/streams/README.md) ---- */

static const char *const type_names[] = {
    "TEXT",     "HEADER_IN",   "HEADER_OUT",   "DATA_IN",
    "DATA_OUT", "SSL_DATA_IN", "SSL_DATA_OUT",
};

struct event {
    int type;   /* curl_infotype */
    int64_t us; /* since the first event */
    size_t len;
    char *data; /* len bytes; zeros for SSL_DATA_* */
};

struct stream {
    char path[512];
    char curl[32]; /* @curl */
    char tls[16];  /* @tls */
    struct event *ev;
    size_t n;
};

#define CHECK(s, cond)                                                         \
    do {                                                                       \
        if (!(cond))                                                           \
            fail_msg("%s: %s", (s)->path, #cond);                              \
    } while (0)
#define CHECK_INT(s, got, want)                                                \
    do {                                                                       \
        long long got_ = (long long)(got), want_ = (long long)(want);          \
        if (got_ != want_)                                                     \
            fail_msg("%s: %s is %lld, want %lld", (s)->path, #got, got_,       \
                     want_);                                                   \
    } while (0)
#define CHECK_STR(s, got, want)                                                \
    do {                                                                       \
        const char *got_ = (got), *want_ = (want);                             \
        if (strcmp(got_, want_) != 0)                                          \
            fail_msg("%s: %s is \"%s\", want \"%s\"", (s)->path, #got, got_,   \
                     want_);                                                   \
    } while (0)

static const char *streams_dir(void)
{
    const char *d = getenv("P3_STREAMS_DIR");

    return d != NULL && d[0] != '\0' ? d : "tests/unit/streams";
}

/* "\\" and "\xNN" back into bytes; the length, or -1 if malformed. */
static long unescape(const char *in, char *out)
{
    size_t n = 0;

    while (*in != '\0') {
        if (*in != '\\') {
            out[n++] = *in++;
        } else if (in[1] == '\\') {
            out[n++] = '\\';
            in += 2;
        } else if (in[1] == 'x' && isxdigit((unsigned char)in[2]) &&
                   isxdigit((unsigned char)in[3])) {
            const char hex[3] = {in[2], in[3], '\0'};
            out[n++] = (char)strtol(hex, NULL, 16);
            in += 4;
        } else {
            return -1;
        }
    }
    return (long)n;
}

static int type_of(const char *word, size_t n)
{
    for (size_t i = 0; i < sizeof type_names / sizeof *type_names; i++)
        if (strlen(type_names[i]) == n && memcmp(word, type_names[i], n) == 0)
            return (int)i;
    return -1;
}

/* "TYPE US LEN[ DATA]"; NULL, or why not. */
static const char *parse_event(struct event *e, const char *line)
{
    const char *sp = strchr(line, ' ');
    char *end;
    long long us;
    unsigned long long len;
    long got;

    if (sp == NULL || (e->type = type_of(line, (size_t)(sp - line))) < 0)
        return "unknown event type";
    if (!isdigit((unsigned char)sp[1]))
        return "bad time";
    us = strtoll(sp + 1, &end, 10);
    if (*end != ' ' || !isdigit((unsigned char)end[1]))
        return "bad time";
    len = strtoull(end + 1, &end, 10);
    if ((*end != '\0' && *end != ' ') || len > 1u << 20)
        return "bad length";
    e->us = us;
    e->len = (size_t)len;
    e->data = calloc(1, e->len + strlen(end) + 1);
    if (e->data == NULL)
        return "out of memory";
    if (e->type == CURLINFO_SSL_DATA_IN || e->type == CURLINFO_SSL_DATA_OUT)
        return *end == '\0' ? NULL : "data recorded for a TLS record";
    got = *end == '\0' ? 0 : unescape(end + 1, e->data);
    if (got < 0 || (size_t)got != e->len)
        return "data does not match its length";
    return NULL;
}

/* "@key value" lines; NULL, or why not. */
static const char *parse_header(struct stream *s, const char *line)
{
    if (strncmp(line, "@format ", 8) == 0)
        return strcmp(line + 8, "pop3check-debug-stream 1") == 0
                   ? NULL
                   : "unknown format";
    if (strncmp(line, "@curl ", 6) == 0)
        snprintf(s->curl, sizeof s->curl, "%s", line + 6);
    else if (strncmp(line, "@tls ", 5) == 0)
        snprintf(s->tls, sizeof s->tls, "%s", line + 5);
    return NULL; /* @ssl, @result: for people */
}

static const char *parse_line(struct stream *s, char *line, size_t *cap)
{
    const char *why;

    line[strcspn(line, "\n")] = '\0';
    if (line[0] == '#' || line[0] == '\0')
        return NULL;
    if (line[0] == '@')
        return parse_header(s, line);
    if (s->n == *cap) {
        struct event *ev = realloc(s->ev, (*cap * 2 + 16) * sizeof *ev);
        if (ev == NULL)
            return "out of memory";
        s->ev = ev;
        *cap = *cap * 2 + 16;
    }
    memset(&s->ev[s->n], 0, sizeof s->ev[s->n]);
    why = parse_event(&s->ev[s->n], line);
    s->n++; /* its data is freed with the stream, parsed or not */
    if (why == NULL && s->ev[s->n - 1].us < (s->n > 1 ? s->ev[s->n - 2].us : 0))
        why = "time goes back";
    return why;
}

static void stream_free(struct stream *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->ev[i].data);
    free(s->ev);
    s->ev = NULL;
    s->n = 0;
}

/* Loads path, recorded with libcurl version; fails the test if it
 * cannot. */
static void stream_load(struct stream *s, const char *path, const char *version)
{
    FILE *f = fopen(path, "r");
    char *line = NULL, why[600] = "";
    size_t linecap = 0, cap = 0, lineno = 0;

    memset(s, 0, sizeof *s);
    snprintf(s->path, sizeof s->path, "%s", path);
    if (f == NULL)
        fail_msg("%s: cannot open (run make record-streams)", path);
    while (why[0] == '\0' && getline(&line, &linecap, f) != -1) {
        const char *w = parse_line(s, line, &cap);
        lineno++;
        if (w != NULL)
            snprintf(why, sizeof why, "%s:%zu: %s", path, lineno, w);
    }
    free(line);
    fclose(f);
    if (why[0] == '\0' && strcmp(s->curl, version) != 0)
        snprintf(why, sizeof why, "%s: recorded with libcurl \"%s\"", path,
                 s->curl);
    if (why[0] == '\0' && (s->n == 0 || s->ev[0].us != 0))
        snprintf(why, sizeof why, "%s: no events, or not from 0", path);
    if (why[0] != '\0') {
        stream_free(s);
        fail_msg("%s", why);
    }
}

/* ---- every version directory ---- */

#define MAX_VERSIONS 16

struct versions {
    char name[MAX_VERSIONS][64]; /* "7.88.1" */
    int n;
};

static int by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void list_versions(struct versions *v)
{
    DIR *d = opendir(streams_dir());
    const struct dirent *de;
    int too_many = 0;

    v->n = 0;
    if (d == NULL)
        fail_msg("%s: cannot open (run from the top of the tree)",
                 streams_dir());
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, "curl-", 5) != 0 || de->d_name[5] == '\0')
            continue;
        if (v->n == MAX_VERSIONS) {
            too_many = 1;
            break;
        }
        snprintf(v->name[v->n++], sizeof v->name[0], "%s", de->d_name + 5);
    }
    closedir(d);
    if (too_many)
        fail_msg("%s: more than %d versions", streams_dir(), MAX_VERSIONS);
    qsort(v->name, (size_t)v->n, sizeof v->name[0], by_name);
    if (v->n == 0)
        fail_msg("%s: no curl-VERSION directory (run make record-streams)",
                 streams_dir());
}

/* A test on one stream, run on NAME.stream of every libcurl version
 * recorded; its cmocka name is the check's. */
struct stream_test {
    const char *name;
    void (*check)(const struct stream *s);
};

static void run_stream_test(void **state)
{
    const struct stream_test *t = *state;
    struct versions v;
    struct stream s;
    char path[512];

    list_versions(&v);
    for (int i = 0; i < v.n; i++) {
        snprintf(path, sizeof path, "%s/curl-%s/%s.stream", streams_dir(),
                 v.name[i], t->name);
        stream_load(&s, path, v.name[i]);
        t->check(&s);
        stream_free(&s);
    }
}

/* clang-format off */
#define STREAM_TEST(stream, check) \
    {#check, run_stream_test, NULL, NULL, &(struct stream_test){stream, check}}
/* clang-format on */

/* ---- replaying a stream into the tracker ---- */

#define MAX_LINES 128

struct replay {
    struct pop3check_result r;
    struct p3_tracker t;
    char lines[3][MAX_LINES][256]; /* the transcript, by direction */
    int nlines[3];
};

static void on_trace(void *ctx, enum pop3check_trace_dir dir, const char *line,
                     size_t len)
{
    struct replay *rp = ctx;

    assert_true(dir <= POP3CHECK_TRACE_INFO);
    if (rp->nlines[dir] < MAX_LINES)
        snprintf(rp->lines[dir][rp->nlines[dir]++], sizeof rp->lines[0][0],
                 "%.*s", (int)len, line);
}

/* An edit of the stream, as a new libcurl might make it: events of type
 * whose text (after leading spaces) starts with from get to instead, and
 * new_type (when >= 0). */
struct rewrite {
    int type;
    const char *from, *to;
    int new_type;
    int hits;
};

static void replay_event(struct replay *rp, const struct event *e,
                         struct rewrite *rw)
{
    size_t sp = 0, fl;
    char *copy;

    while (sp < e->len && e->data[sp] == ' ')
        sp++;
    fl = rw != NULL ? strlen(rw->from) : 0;
    if (rw == NULL || e->type != rw->type || e->len - sp < fl ||
        memcmp(e->data + sp, rw->from, fl) != 0) {
        p3_tracker_event(&rp->t, e->type, e->data, e->len, e->us);
        return;
    }
    rw->hits++;
    copy = malloc(strlen(rw->to) + e->len - sp - fl + 1);
    assert_non_null(copy);
    memcpy(copy, rw->to, strlen(rw->to));
    memcpy(copy + strlen(rw->to), e->data + sp + fl, e->len - sp - fl);
    p3_tracker_event(&rp->t, rw->new_type >= 0 ? rw->new_type : e->type, copy,
                     strlen(rw->to) + e->len - sp - fl, e->us);
    free(copy);
}

/* Every event of s at its recorded time, edited by rw (NULL: none). */
static struct replay *replay_with(const struct stream *s, struct rewrite *rw)
{
    struct replay *rp = calloc(1, sizeof *rp);

    assert_non_null(rp);
    p3_result_init(&rp->r);
    p3_tracker_init(&rp->t, &rp->r, 0, on_trace, rp);
    for (size_t i = 0; i < s->n; i++)
        replay_event(rp, &s->ev[i], rw);
    return rp;
}

static struct replay *replay(const struct stream *s)
{
    return replay_with(s, NULL);
}

/* ---- reading the stream itself ---- */

/* The events of type whose text, line end stripped, is line; the time of
 * the nth (from 0), failing when there is none. */
static int64_t at_line(const struct stream *s, int type, const char *line,
                       int nth)
{
    size_t ll = strlen(line);
    const int want = nth;

    for (size_t i = 0; i < s->n; i++) {
        const struct event *e = &s->ev[i];
        size_t n = e->len;
        while (n > 0 && (e->data[n - 1] == '\n' || e->data[n - 1] == '\r'))
            n--;
        if (e->type == type && n == ll && memcmp(e->data, line, n) == 0 &&
            nth-- == 0)
            return e->us;
    }
    fail_msg("%s: no %s event \"%s\" (#%d)", s->path, type_names[type], line,
             want);
    return -1;
}

/* The time of the first event of type whose text (after leading spaces)
 * starts with prefix ("" for any). */
static int64_t first(const struct stream *s, int type, const char *prefix)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct event *e = &s->ev[i];
        size_t sp = 0;
        while (sp < e->len && e->data[sp] == ' ')
            sp++;
        if (e->type == type && e->len - sp >= strlen(prefix) &&
            memcmp(e->data + sp, prefix, strlen(prefix)) == 0)
            return e->us;
    }
    fail_msg("%s: no %s event \"%s...\"", s->path, type_names[type], prefix);
    return -1;
}

static size_t count(const struct stream *s, int type)
{
    size_t n = 0;

    for (size_t i = 0; i < s->n; i++)
        n += s->ev[i].type == type;
    return n;
}

/* ---- checks shared by the streams ---- */

static int64_t figure(const struct replay *rp, enum pop3check_figure f)
{
    return pop3check_result_figure(&rp->r, f);
}

static const char *text(const struct replay *rp, enum pop3check_text t)
{
    return pop3check_result_text(&rp->r, t);
}

/* Dovecot's greeting: the sandbox's words and an APOP timestamp, the
 * first line in (the server speaks first, RFC 1939 section 3), after the
 * TCP connect began. */
static void check_dovecot_greeting(const struct stream *s,
                                   const struct replay *rp)
{
    const char *g = text(rp, POP3CHECK_TEXT_GREETING);
    const char *ts = rp->t.apop_ts;
    const size_t gl = strlen(SANDBOX_GREETING " ");

    CHECK(s, !rp->t.bad_greeting);
    CHECK(s, strncmp(g, SANDBOX_GREETING " <", gl + 1) == 0);
    CHECK_STR(s, g + gl, ts); /* the timestamp is the rest */
    CHECK(s, ts[0] == '<' && ts[strlen(ts) - 1] == '>' && strchr(ts, '@'));
    CHECK(s, figure(rp, POP3CHECK_FIG_CAPA) & POP3CHECK_CAPA_APOP);
    CHECK_INT(s, rp->t.greeting_at, first(s, CURLINFO_HEADER_IN, ""));
    CHECK(s, rp->t.connecting);
    CHECK(s, rp->t.greeting_at > first(s, CURLINFO_TEXT, "Trying "));
}

static void check_capa(const struct stream *s, const struct replay *rp,
                       const char *const *lines, size_t n, unsigned flags)
{
    char want[512] = "";

    for (size_t i = 0; i < n; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s",
                 i ? ", " : "", lines[i]);
    CHECK_STR(s, text(rp, POP3CHECK_TEXT_CAPA), want);
    CHECK_INT(s, figure(rp, POP3CHECK_FIG_CAPA), flags);
    CHECK_INT(s, figure(rp, POP3CHECK_FIG_SASL), SASL_SANDBOX);
    CHECK(s, rp->t.capa_ok);
}

/* Dovecot 2.3 speaks TLSv1.2 at least (ssl_min_protocol), OpenSSL 3 at
 * most TLSv1.3. */
static void check_tls_version(const struct stream *s, const struct replay *rp)
{
    const char *v = text(rp, POP3CHECK_TEXT_TLS_VERSION);

    CHECK(s, strcmp(v, "TLSv1.2") == 0 || strcmp(v, "TLSv1.3") == 0);
    CHECK_INT(s, figure(rp, POP3CHECK_FIG_TLS), 1);
}

static void check_no_tls(const struct stream *s, const struct replay *rp)
{
    CHECK_STR(s, text(rp, POP3CHECK_TEXT_TLS_VERSION), "");
    CHECK_INT(s, figure(rp, POP3CHECK_FIG_TLS), 0);
}

/* ---- the streams are there, whole, without a secret ---- */

static void check_stream_clean(const struct stream *s)
{
    static const char *const verbs[] = {"USER", "PASS", "APOP", "AUTH"};

    for (size_t i = 0; i < s->n; i++) {
        const struct event *e = &s->ev[i];
        if (e->type != CURLINFO_HEADER_OUT && e->type != CURLINFO_DATA_OUT)
            continue;
        for (size_t v = 0; v < sizeof verbs / sizeof *verbs; v++)
            if (e->len >= 4 && strncasecmp(e->data, verbs[v], 4) == 0)
                fail_msg("%s: event %zu sends %s", s->path, i, verbs[v]);
    }
}

static void test_tracker_streams_complete(void **state)
{
    struct versions v;
    struct stream s;
    char path[512];

    (void)state;
    list_versions(&v);
    for (int i = 0; i < v.n; i++) {
        for (size_t w = 0; w < sizeof wanted / sizeof *wanted; w++) {
            snprintf(path, sizeof path, "%s/curl-%s/%s.stream", streams_dir(),
                     v.name[i], wanted[w].name);
            stream_load(&s, path, v.name[i]);
            CHECK_STR(&s, s.tls, wanted[w].tls);
            check_stream_clean(&s);
            stream_free(&s);
        }
    }
}

/* The libcurl in use has streams: an upgrade fails here until they are
 * recorded (make record-streams), and then where a line changed. */
static void test_tracker_streams_cover_curl_in_use(void **state)
{
    const char *version = curl_version_info(CURLVERSION_NOW)->version;
    char path[512];
    struct stat st;

    (void)state;
    snprintf(path, sizeof path, "%s/curl-%s", streams_dir(), version);
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        fail_msg("libcurl %s has no recorded streams (%s): run make "
                 "record-streams and commit them",
                 version, path);
}

/* ---- plain ---- */

static void test_tracker_plain_greeting(const struct stream *s)
{
    struct replay *rp = replay(s);

    check_dovecot_greeting(s, rp);
    free(rp);
}

/* One CAPA round trip: from the command to the "." ending its reply
 * (RFC 2449 section 5), after the greeting. */
static void test_tracker_plain_capa(const struct stream *s)
{
    struct replay *rp = replay(s);
    int64_t sent = at_line(s, CURLINFO_HEADER_OUT, "CAPA", 0);
    int64_t done = at_line(s, CURLINFO_HEADER_IN, ".", 0);

    check_capa(s, rp, capa_before_tls, sizeof capa_before_tls / sizeof(char *),
               CAPA_BEFORE_TLS);
    CHECK(s, sent >= rp->t.greeting_at);
    CHECK(s, done > sent);
    CHECK_INT(s, rp->t.capa_us, done - sent);
    free(rp);
}

/* No TLS and no STLS: none of their times is set; without a user the
 * connect stage ends after CAPA, so "." is the last line. */
static void test_tracker_plain_no_tls_last_line(const struct stream *s)
{
    struct replay *rp = replay(s);

    check_no_tls(s, rp);
    CHECK_INT(s, rp->t.stls_us, -1);
    CHECK_INT(s, rp->t.tls_start, -1);
    CHECK_INT(s, rp->t.tls_end, -1);
    CHECK_INT(s, rp->t.tls_first, -1);
    CHECK_STR(s, rp->t.last_line, ".");
    CHECK_INT(s, rp->t.step, P3_TRK_IDLE);
    free(rp);
}

/* The transcript: the one command, the greeting first among the server's
 * lines, each CAPA line, and none of libcurl's internal remarks. */
static void test_tracker_plain_trace(const struct stream *s)
{
    struct replay *rp = replay(s);
    char(*const in)[256] = rp->lines[POP3CHECK_TRACE_RECEIVED];
    char(*const info)[256] = rp->lines[POP3CHECK_TRACE_INFO];
    static const char greeting[] = "+OK " SANDBOX_GREETING " <";

    CHECK_INT(s, rp->nlines[POP3CHECK_TRACE_SENT], 1);
    CHECK_STR(s, rp->lines[POP3CHECK_TRACE_SENT][0], "CAPA");
    CHECK_INT(s, rp->nlines[POP3CHECK_TRACE_RECEIVED],
              2 + sizeof capa_before_tls / sizeof(char *) + 1);
    CHECK(s, strncmp(in[0], greeting, sizeof greeting - 1) == 0);
    CHECK_STR(s, in[1], "+OK");
    CHECK_STR(s, in[2], capa_before_tls[0]);
    CHECK_STR(s, in[rp->nlines[POP3CHECK_TRACE_RECEIVED] - 1], ".");
    for (int i = 0; i < rp->nlines[POP3CHECK_TRACE_INFO]; i++)
        CHECK(s, strncmp(info[i], "reached ", 8) != 0 &&
                     strncmp(info[i], "Connection #", 12) != 0 &&
                     strncasecmp(info[i], "closing connection", 18) != 0);
    free(rp);
}

/* Should libcurl hand the server's lines over as payload instead, the
 * tracker learns nothing: the greeting is gone. */
static void test_tracker_plain_lines_as_data_not_read(const struct stream *s)
{
    struct rewrite rw = {CURLINFO_HEADER_IN, "", "", CURLINFO_DATA_IN, 0};
    struct replay *rp = replay_with(s, &rw);

    CHECK(s, rw.hits > 0);
    CHECK_INT(s, rp->t.greeting_at, -1);
    CHECK_STR(s, text(rp, POP3CHECK_TEXT_GREETING), "");
    CHECK_INT(s, rp->t.capa_us, -1);
    free(rp);
}

/* ---- STLS (RFC 2595) ---- */

static void test_tracker_stls_greeting_capa(const struct stream *s)
{
    struct replay *rp = replay(s);

    check_dovecot_greeting(s, rp);
    /* RFC 2595 section 4: what came before TLS is forgotten; Dovecot no
     * longer offers STLS. */
    check_capa(s, rp, capa_after_tls, sizeof capa_after_tls / sizeof(char *),
               CAPA_AFTER_TLS);
    CHECK_STR(s, rp->t.last_line, ".");
    free(rp);
}

/* CAPA, STLS and its +OK, the handshake, CAPA again: each time is the
 * event it stands for, in that order. */
static void test_tracker_stls_times_in_order(const struct stream *s)
{
    struct replay *rp = replay(s);
    const struct p3_tracker *t = &rp->t;
    int64_t capa1 = at_line(s, CURLINFO_HEADER_OUT, "CAPA", 0);
    int64_t dot1 = at_line(s, CURLINFO_HEADER_IN, ".", 0);
    int64_t stls = at_line(s, CURLINFO_HEADER_OUT, "STLS", 0);
    int64_t ok = at_line(s, CURLINFO_HEADER_IN, STLS_OK, 0);
    int64_t hello = first(s, CURLINFO_SSL_DATA_OUT, "");
    int64_t capa2 = at_line(s, CURLINFO_HEADER_OUT, "CAPA", 1);
    int64_t dot2 = at_line(s, CURLINFO_HEADER_IN, ".", 1);

    CHECK(s, t->greeting_at <= capa1 && capa1 < dot1 && dot1 <= stls);
    CHECK(s, stls < ok && ok <= hello && hello < capa2 && capa2 < dot2);
    CHECK_INT(s, t->capa_us, (dot1 - capa1) + (dot2 - capa2));
    CHECK_INT(s, t->stls_us, ok - stls);
    CHECK_INT(s, t->tls_start, ok);
    CHECK_INT(s, t->tls_end, capa2);
    CHECK(s, t->tls_end > t->tls_start);
    CHECK_INT(s, t->tls_first, hello); /* the ClientHello */
    free(rp);
}

static void test_tracker_stls_tls_version(const struct stream *s)
{
    struct replay *rp = replay(s);
    int64_t said = first(s, CURLINFO_TEXT, "SSL connection using ");

    check_tls_version(s, rp);
    CHECK(s, rp->t.tls_start < said && said < rp->t.tls_end);
    free(rp);
}

/* The commands as sent, the STLS answer as received. */
static void test_tracker_stls_trace(const struct stream *s)
{
    struct replay *rp = replay(s);
    char(*const out)[256] = rp->lines[POP3CHECK_TRACE_SENT];
    int found = 0;

    CHECK_INT(s, rp->nlines[POP3CHECK_TRACE_SENT], 3);
    CHECK(s, !strcmp(out[0], "CAPA") && !strcmp(out[1], "STLS") &&
                 !strcmp(out[2], "CAPA"));
    for (int i = 0; i < rp->nlines[POP3CHECK_TRACE_RECEIVED]; i++)
        found += strcmp(rp->lines[POP3CHECK_TRACE_RECEIVED][i], STLS_OK) == 0;
    CHECK_INT(s, found, 1);
    free(rp);
}

/* The negative check: libcurl rewording its TLS line must not go
 * unnoticed. The same stream finds the version as recorded, and loses it
 * with the line reworded. */
static void
test_tracker_stls_tls_line_reworded_is_noticed(const struct stream *s)
{
    struct rewrite rw = {CURLINFO_TEXT, "SSL connection using ",
                         "SSL connection with ", -1, 0};
    struct replay *rp = replay(s);

    check_tls_version(s, rp);
    free(rp);
    rp = replay_with(s, &rw);
    CHECK_INT(s, rw.hits, 1);
    check_no_tls(s, rp);
    free(rp);
}

/* ---- POP3S: TLS from the first byte ---- */

/* The ClientHello went out once the connect began, the handshake ended
 * before the greeting, and no STLS times. */
static void test_tracker_pop3s_tls_first_before_greeting(const struct stream *s)
{
    struct replay *rp = replay(s);
    const struct p3_tracker *t = &rp->t;
    int64_t trying = first(s, CURLINFO_TEXT, "Trying ");
    int64_t hello = first(s, CURLINFO_SSL_DATA_OUT, "");
    int64_t said = first(s, CURLINFO_TEXT, "SSL connection using ");
    int64_t capa = at_line(s, CURLINFO_HEADER_OUT, "CAPA", 0);
    int64_t dot = at_line(s, CURLINFO_HEADER_IN, ".", 0);

    CHECK_INT(s, t->tls_first, hello);
    CHECK(s, trying < hello && hello < said && said < t->greeting_at);
    CHECK(s, t->greeting_at <= capa && capa < dot);
    CHECK_INT(s, t->capa_us, dot - capa);
    CHECK_INT(s, t->stls_us, -1);
    CHECK_INT(s, t->tls_start, -1);
    CHECK_INT(s, t->tls_end, -1);
    free(rp);
}

static void test_tracker_pop3s_greeting_capa_version(const struct stream *s)
{
    struct replay *rp = replay(s);

    check_dovecot_greeting(s, rp);
    check_capa(s, rp, capa_after_tls, sizeof capa_after_tls / sizeof(char *),
               CAPA_AFTER_TLS);
    check_tls_version(s, rp);
    CHECK_STR(s, rp->t.last_line, ".");
    free(rp);
}

static void
test_tracker_pop3s_tls_line_reworded_is_noticed(const struct stream *s)
{
    struct rewrite rw = {CURLINFO_TEXT, "SSL connection using ",
                         "TLS connection using ", -1, 0};
    struct replay *rp = replay_with(s, &rw);

    CHECK_INT(s, rw.hits, 1);
    check_no_tls(s, rp);
    free(rp);
}

/* Without "Trying" the tracker cannot tell this probe's TLS records from
 * another's: no tls_first, which conn.c needs for a failed handshake. */
static void
test_tracker_pop3s_trying_reworded_is_noticed(const struct stream *s)
{
    struct rewrite rw = {CURLINFO_TEXT, "Trying ", "Connecting to ", -1, 0};
    struct replay *rp = replay_with(s, &rw);

    CHECK(s, rw.hits >= 1);
    CHECK_INT(s, rp->t.connecting, 0);
    CHECK_INT(s, rp->t.tls_first, -1);
    free(rp);
}

/* ---- failures ---- */

/* A refused connect (RST): no byte came, the tracker still waits for the
 * greeting and has learnt nothing. */
static void test_tracker_refused_nothing_learnt(const struct stream *s)
{
    struct replay *rp = replay(s);
    const struct p3_tracker *t = &rp->t;

    CHECK_INT(s, count(s, CURLINFO_HEADER_IN), 0);
    CHECK_INT(s, t->step, P3_TRK_GREETING);
    CHECK(s, t->connecting);
    CHECK_INT(s, t->greeting_at, -1);
    CHECK(s, !t->bad_greeting);
    CHECK_STR(s, text(rp, POP3CHECK_TEXT_GREETING), "");
    CHECK_STR(s, t->apop_ts, "");
    CHECK_STR(s, t->last_line, "");
    CHECK_INT(s, figure(rp, POP3CHECK_FIG_CAPA), 0);
    CHECK_INT(s, figure(rp, POP3CHECK_FIG_SASL), 0);
    CHECK_INT(s, t->capa_us, -1);
    CHECK_INT(s, t->stls_us, -1);
    CHECK_INT(s, t->tls_start, -1);
    CHECK_INT(s, t->tls_first, -1);
    check_no_tls(s, rp);
    free(rp);
}

/* POP3S to the sandbox's expired certificate (HOST_EXPIRED), verified
 * against its CA: the ClientHello went out, the handshake never
 * completed, so no version and no greeting. */
static void test_tracker_cert_expired_stops_in_handshake(const struct stream *s)
{
    struct replay *rp = replay(s);
    const struct p3_tracker *t = &rp->t;

    CHECK_INT(s, t->tls_first, first(s, CURLINFO_SSL_DATA_OUT, ""));
    CHECK(s, t->tls_first > first(s, CURLINFO_TEXT, "Trying "));
    CHECK_INT(s, t->step, P3_TRK_GREETING);
    CHECK_INT(s, t->greeting_at, -1);
    CHECK_STR(s, t->last_line, "");
    CHECK_INT(s, figure(rp, POP3CHECK_FIG_CAPA), 0);
    check_no_tls(s, rp);
    free(rp);
}

/* STLS to the sandbox without its CA: the plain part as in "plain", the
 * STLS +OK, then a handshake that fails: it is where the tracker
 * stopped. */
static void
test_tracker_cert_unknown_ca_stops_in_handshake(const struct stream *s)
{
    struct replay *rp = replay(s);
    const struct p3_tracker *t = &rp->t;
    int64_t ok = at_line(s, CURLINFO_HEADER_IN, STLS_OK, 0);

    check_dovecot_greeting(s, rp);
    check_capa(s, rp, capa_before_tls, sizeof capa_before_tls / sizeof(char *),
               CAPA_BEFORE_TLS);
    CHECK_INT(s, t->step, P3_TRK_HANDSHAKE);
    CHECK_INT(s, t->stls_us, ok - at_line(s, CURLINFO_HEADER_OUT, "STLS", 0));
    CHECK_INT(s, t->tls_start, ok);
    CHECK_INT(s, t->tls_end, -1);
    CHECK_STR(s, t->last_line, STLS_OK);
    check_no_tls(s, rp);
    free(rp);
}

/* A greeting that is not +OK: flagged, kept as the last line for the
 * message, not taken for a greeting. */
static void check_bad_greeting(const struct stream *s, const char *line)
{
    struct replay *rp = replay(s);
    const struct p3_tracker *t = &rp->t;

    CHECK(s, t->bad_greeting);
    CHECK_INT(s, t->greeting_at, first(s, CURLINFO_HEADER_IN, ""));
    CHECK(s, t->greeting_at > first(s, CURLINFO_TEXT, "Trying "));
    CHECK_STR(s, t->last_line, line);
    CHECK_STR(s, text(rp, POP3CHECK_TEXT_GREETING), "");
    CHECK_STR(s, t->apop_ts, "");
    CHECK_INT(s, figure(rp, POP3CHECK_FIG_CAPA), 0);
    CHECK_INT(s, t->capa_us, -1);
    free(rp);
}

static void test_tracker_greeting_err_flagged(const struct stream *s)
{
    check_bad_greeting(s, GREETING_ERR);
}

static void test_tracker_greeting_not_ok_flagged(const struct stream *s)
{
    check_bad_greeting(s, GREETING_NOT_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tracker_streams_complete),
        cmocka_unit_test(test_tracker_streams_cover_curl_in_use),
        STREAM_TEST("plain", test_tracker_plain_greeting),
        STREAM_TEST("plain", test_tracker_plain_capa),
        STREAM_TEST("plain", test_tracker_plain_no_tls_last_line),
        STREAM_TEST("plain", test_tracker_plain_trace),
        STREAM_TEST("plain", test_tracker_plain_lines_as_data_not_read),
        STREAM_TEST("stls", test_tracker_stls_greeting_capa),
        STREAM_TEST("stls", test_tracker_stls_times_in_order),
        STREAM_TEST("stls", test_tracker_stls_tls_version),
        STREAM_TEST("stls", test_tracker_stls_trace),
        STREAM_TEST("stls", test_tracker_stls_tls_line_reworded_is_noticed),
        STREAM_TEST("pop3s", test_tracker_pop3s_tls_first_before_greeting),
        STREAM_TEST("pop3s", test_tracker_pop3s_greeting_capa_version),
        STREAM_TEST("pop3s", test_tracker_pop3s_tls_line_reworded_is_noticed),
        STREAM_TEST("pop3s", test_tracker_pop3s_trying_reworded_is_noticed),
        STREAM_TEST("refused", test_tracker_refused_nothing_learnt),
        STREAM_TEST("cert-expired",
                    test_tracker_cert_expired_stops_in_handshake),
        STREAM_TEST("cert-unknown-ca",
                    test_tracker_cert_unknown_ca_stops_in_handshake),
        STREAM_TEST("greeting-err", test_tracker_greeting_err_flagged),
        STREAM_TEST("greeting-not-ok", test_tracker_greeting_not_ok_flagged),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
