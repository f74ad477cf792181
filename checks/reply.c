/* SPDX-License-Identifier: MIT */
/* reply.c - parsers for single POP3 reply lines (RFC 1939 status and
 * scan listings, RFC 2449 CAPA and response codes, RFC 3206 codes). Pure
 * functions: no I/O, no allocation; every input may be hostile. */
#include <string.h>

#include "internal.h"

enum p3_status p3_reply_status(const char *line, size_t len, const char **text,
                               size_t *textlen)
{
    enum p3_status st;
    size_t skip;

    if (len >= 3 && memcmp(line, "+OK", 3) == 0 &&
        (len == 3 || line[3] == ' ')) {
        st = P3_REPLY_OK;
        skip = 3;
    } else if (len >= 4 && memcmp(line, "-ERR", 4) == 0 &&
               (len == 4 || line[4] == ' ')) {
        st = P3_REPLY_ERR;
        skip = 4;
    } else if (len >= 2 && line[0] == '+' && line[1] == ' ') {
        /* RFC 5034: continue-req = "+" SP [base64] */
        st = P3_REPLY_CONT;
        skip = 1;
    } else {
        *text = line;
        *textlen = len;
        return P3_REPLY_BAD;
    }
    if (skip < len)
        skip++; /* the space */
    *text = line + skip;
    *textlen = len - skip;
    return st;
}

enum pop3check_rcode p3_reply_rcode(const char *text, size_t len)
{
    static const struct {
        const char *name;
        enum pop3check_rcode code;
    } codes[] = {
        {"AUTH", POP3CHECK_RCODE_AUTH},
        {"SYS/TEMP", POP3CHECK_RCODE_SYS_TEMP},
        {"SYS/PERM", POP3CHECK_RCODE_SYS_PERM},
        {"IN-USE", POP3CHECK_RCODE_IN_USE},
        {"LOGIN-DELAY", POP3CHECK_RCODE_LOGIN_DELAY},
    };
    const char *end;
    size_t n;

    if (len < 3 || text[0] != '[')
        return POP3CHECK_RCODE_NONE;
    end = memchr(text, ']', len);
    if (end == NULL || end == text + 1)
        return POP3CHECK_RCODE_NONE;
    n = (size_t)(end - text - 1);
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (p3_word_eq(text + 1, n, codes[i].name))
            return codes[i].code;
    /* RFC 2449: codes are hierarchical ("SYS/TEMP/FOO" is a SYS/TEMP). */
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        size_t l = strlen(codes[i].name);
        if (n > l && text[1 + l] == '/' &&
            p3_word_eq(text + 1, l, codes[i].name))
            return codes[i].code;
    }
    return POP3CHECK_RCODE_OTHER;
}

/* A decimal number of 1..18 digits (fits int64_t); advances *pos. */
static int parse_number(const char *s, size_t len, size_t *pos, int64_t *out)
{
    size_t i = *pos;
    int64_t v = 0;
    size_t digits = 0;

    while (i < len && s[i] >= '0' && s[i] <= '9') {
        if (++digits > 18)
            return -1;
        v = v * 10 + (s[i] - '0');
        i++;
    }
    if (digits == 0)
        return -1;
    *pos = i;
    *out = v;
    return 0;
}

static void skip_spaces(const char *s, size_t len, size_t *pos)
{
    while (*pos < len && s[*pos] == ' ')
        (*pos)++;
}

int p3_parse_stat(const char *text, size_t len, int64_t *count, int64_t *octets)
{
    size_t pos = 0;

    /* RFC 1939: the two numbers are separated by a single space. */
    if (parse_number(text, len, &pos, count) != 0 || pos >= len ||
        text[pos++] != ' ')
        return -1;
    if (parse_number(text, len, &pos, octets) != 0)
        return -1;
    /* RFC 1939 allows more after the two numbers, but only after a space. */
    return (pos == len || text[pos] == ' ') ? 0 : -1;
}

int p3_parse_listing(const char *line, size_t len, int64_t *num, int64_t *size)
{
    size_t pos = 0;

    if (parse_number(line, len, &pos, num) != 0 || *num < 1 || pos >= len ||
        line[pos++] != ' ')
        return -1;
    if (size == NULL) {
        /* UIDL: 1..70 characters in 0x21..0x7E (RFC 1939, section 7). */
        size_t start = pos;
        while (pos < len && line[pos] > 0x20 && line[pos] < 0x7f)
            pos++;
        return (pos == len && pos > start && pos - start <= 70) ? 0 : -1;
    }
    if (parse_number(line, len, &pos, size) != 0)
        return -1;
    return (pos == len || line[pos] == ' ') ? 0 : -1;
}

/* The first word of a CAPA line and the rest. */
static size_t first_word(const char *line, size_t len)
{
    size_t n = 0;

    while (n < len && line[n] != ' ')
        n++;
    return n;
}

static unsigned sasl_mechs(const char *s, size_t len)
{
    unsigned sasl = 0;
    size_t pos = 0;

    while (pos < len) {
        skip_spaces(s, len, &pos);
        size_t n = first_word(s + pos, len - pos);
        sasl |= p3_sasl_flag(s + pos, n);
        pos += n;
    }
    return sasl;
}

void p3_parse_capa_line(const char *line, size_t len, unsigned *capa,
                        unsigned *sasl)
{
    size_t n = first_word(line, len);
    unsigned flag = p3_capa_flag(line, n);

    *capa |= flag;
    if (flag == POP3CHECK_CAPA_SASL)
        *sasl |= sasl_mechs(line + n, len - n);
}

int p3_greeting_timestamp(const char *text, size_t len, char *ts, size_t tslen)
{
    const char *end = text + len;

    /* RFC 1939: a msg-id, "<" ... "@" ... ">" with no spaces inside; the
     * first one that looks like it wins. */
    for (const char *lt = memchr(text, '<', len); lt != NULL;
         lt = memchr(lt + 1, '<', (size_t)(end - lt - 1))) {
        const char *gt = memchr(lt, '>', (size_t)(end - lt));
        size_t n;
        if (gt == NULL)
            return -1;
        n = (size_t)(gt - lt) + 1;
        if (n < 3 || memchr(lt, '@', n) == NULL || memchr(lt, ' ', n) != NULL)
            continue;
        if (n >= tslen)
            return -1;
        memcpy(ts, lt, n);
        ts[n] = '\0';
        return 0;
    }
    return -1;
}

int p3_parse_uid(const char *line, size_t len, long *num, const char **uid,
                 size_t *uidlen)
{
    size_t i = 0;
    long n = 0;

    while (i < len && line[i] >= '0' && line[i] <= '9' && n < 100000000)
        n = n * 10 + (line[i++] - '0');
    if (i == 0 || n == 0 || i >= len || line[i] != ' ')
        return -1;
    *uid = line + ++i;
    *uidlen = len - i;
    if (*uidlen == 0 || *uidlen > 70)
        return -1;
    for (size_t k = 0; k < *uidlen; k++)
        if ((*uid)[k] < 0x21 || (*uid)[k] > 0x7e)
            return -1;
    *num = n;
    return 0;
}
