/* SPDX-License-Identifier: MIT */
/* secret.c - reads a secret (password, token, key) from a file under the
 * one rule of every front end: a regular file that other users cannot
 * touch, read without stdio (no unwiped buffer) and wiped on every path. */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define QUOTED_MAX 1024 /* a path as messages quote it, truncated beyond */

/* path in single quotes as a shell reads it (a quote becomes '\'', so the
 * chmod the message suggests can be pasted), control characters as '?'
 * (the message stays one line); "..." ends a path too long for dst. */
static void quote(char *dst, size_t dstlen, const char *path)
{
    size_t o = 0;

    dst[o++] = '\'';
    for (const char *p = path; *p != '\0'; p++) {
        const char *put = *p == '\'' ? "'\\''" : NULL;
        size_t n = put ? 4 : 1;

        if (o + n + 5 > dstlen) { /* room for "'...\0" */
            memcpy(dst + o, "...", 3);
            o += 3;
            break;
        }
        if (put != NULL)
            memcpy(dst + o, put, n);
        else
            dst[o] = ((unsigned char)*p < 0x20 || *p == 0x7f) ? '?' : *p;
        o += n;
    }
    dst[o++] = '\'';
    dst[o] = '\0';
}

/* What a file that is neither regular nor a directory is. */
static const char *kind(mode_t mode)
{
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "of an unknown type";
}

/* The rule on the file itself: 0, or -1 with the reason in err. */
static int check_file(const struct stat *st, const char *q, char *err,
                      size_t errlen)
{
    if (S_ISDIR(st->st_mode)) {
        p3_format(err, errlen, "%s is a directory, not a file", q);
        return -1;
    }
    if (!S_ISREG(st->st_mode)) {
        p3_format(err, errlen, "%s is not a regular file (%s)", q,
                  kind(st->st_mode));
        return -1;
    }
    if ((st->st_mode & S_IRWXO) != 0) {
        p3_format(err, errlen,
                  "%s is open to other users (mode %04o): run chmod o-rwx %s",
                  q, (unsigned)(st->st_mode & 07777), q);
        return -1;
    }
    return 0;
}

/* Why open() failed. What cannot be opened at all (a socket: ENXIO) or
 * not by us (a directory without read permission) is named by its type
 * when stat() can see it; the file is refused either way. */
static void open_failed(const char *path, int e, const char *q, char *err,
                        size_t errlen)
{
    struct stat st;

    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) &&
        check_file(&st, q, err, errlen) != 0)
        return;
    if (e == EACCES || e == EPERM)
        p3_format(err, errlen, "%s cannot be read: %s", q, strerror(e));
    else
        p3_format(err, errlen, "%s: %s", q, strerror(e));
}

static void wipe_free(char *buf, size_t len)
{
    if (buf == NULL)
        return;
    explicit_bzero(buf, len);
    free(buf);
}

/* A buffer for cap bytes and a NUL holding buf[0..n): a new one and the
 * old wiped (realloc could leave a copy behind). NULL when out of memory,
 * buf wiped and freed then. */
static char *grow(char *buf, size_t n, size_t cap)
{
    char *bigger = p3_malloc(cap + 1);

    if (bigger != NULL)
        memcpy(bigger, buf, n);
    wipe_free(buf, n);
    return bigger;
}

/* Up to limit bytes of fd into *out (NUL-terminated, *n bytes), starting
 * with room for hint. 0, or an errno with nothing left behind. */
static int read_upto(int fd, size_t limit, size_t hint, char **out, size_t *n)
{
    size_t cap = hint < limit ? hint : limit, got = 0;
    char *buf = p3_malloc(cap + 1);

    if (buf == NULL)
        return ENOMEM;
    for (;;) {
        ssize_t r;

        if (got == cap && cap == limit)
            break;
        if (got == cap) {
            cap = cap > limit / 2 ? limit : cap * 2;
            if ((buf = grow(buf, got, cap)) == NULL)
                return ENOMEM;
        }
        r = read(fd, buf + got, cap - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            wipe_free(buf, got);
            return e;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    buf[got] = '\0';
    *out = buf;
    *n = got;
    return 0;
}

/* Takes the secret out of buf (n bytes read, at most max + 1) as how
 * says and wipes the rest: 0 with its length in *len, or -1 with the
 * reason in err. */
static int take(char *buf, size_t n, unsigned how, size_t max, const char *q,
                char *err, size_t errlen, size_t *len)
{
    const int line = how == POP3CHECK_SECRET_LINE;
    const char *what = line ? "first line" : "file";
    /* strcspn stops at a NUL too: one before the end is in the line */
    size_t l = line ? strcspn(buf, "\r\n") : n;
    int nul = line ? l < n && buf[l] == '\0' : memchr(buf, '\0', n) != NULL;

    if (l > max)
        p3_format(err, errlen, "%s: the %s is longer than %zu %s", q, what, max,
                  line ? "characters" : "bytes");
    else if (nul)
        p3_format(err, errlen, "%s: the %s contains a NUL byte", q, what);
    else if (l == 0)
        p3_format(err, errlen, "%s: the %s is empty", q, what);
    else {
        explicit_bzero(buf + l, n - l);
        *len = l;
        return 0;
    }
    return -1;
}

/* path opened for reading, never blocking (a FIFO), and checked on the
 * descriptor (no race with a stat before): the descriptor, or -1 with
 * the reason in err. *size is the file's size then. */
static int open_checked(const char *path, const char *q, char *err,
                        size_t errlen, size_t *size)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY), fl;

    if (fd < 0) {
        open_failed(path, errno, q, err, errlen);
        return -1;
    }
    if (fstat(fd, &st) != 0) {
        p3_format(err, errlen, "%s: %s", q, strerror(errno));
        close(fd);
        return -1;
    }
    if (check_file(&st, q, err, errlen) != 0) {
        close(fd);
        return -1;
    }
    /* a regular file: its reads block again (O_NONBLOCK was for the
     * open; some file systems honour it on reads too) */
    if ((fl = fcntl(fd, F_GETFL)) < 0 ||
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        p3_format(err, errlen, "%s: %s", q, strerror(errno));
        close(fd);
        return -1;
    }
    *size = (uintmax_t)st.st_size < SIZE_MAX ? (size_t)st.st_size : SIZE_MAX;
    return fd;
}

char *pop3check_secret_read(const char *path, unsigned how, size_t max,
                            size_t *len, char *err, size_t errlen)
{
    char q[QUOTED_MAX], *buf = NULL;
    size_t n = 0, size = 0, got = 0;
    int fd, e;

    if (err == NULL)
        errlen = 0;
    p3_format(err, errlen, "%s", "");
    if (len != NULL)
        *len = 0;
    quote(q, sizeof q, path ? path : "");
    if (path == NULL || how > POP3CHECK_SECRET_WHOLE) {
        p3_format(err, errlen, "%s: %s", q,
                  path ? "internal: how is POP3CHECK_SECRET_LINE or _WHOLE"
                       : "no file given");
        return NULL;
    }
    if (max > SIZE_MAX - 2)
        max = SIZE_MAX - 2; /* max + 1 bytes are read, and a NUL added */
    if ((fd = open_checked(path, q, err, errlen, &size)) < 0)
        return NULL;
    /* room for the file and the read that sees its end, at most max + 1 */
    e = read_upto(fd, max + 1, size < max ? size + 1 : max + 1, &buf, &n);
    close(fd);
    if (e == ENOMEM)
        p3_format(err, errlen, "%s: out of memory", q);
    else if (e != 0)
        p3_format(err, errlen, "%s cannot be read: %s", q, strerror(e));
    if (e != 0)
        return NULL;
    if (take(buf, n, how, max, q, err, errlen, &got) != 0) {
        wipe_free(buf, n);
        return NULL;
    }
    if (len != NULL)
        *len = got;
    return buf;
}

void pop3check_secret_free(char *secret)
{
    p3_free_secret(secret);
}
