/* SPDX-License-Identifier: MIT */
/* smtpreply.c - one SMTP reply line (RFC 5321 section 4.2) and the
 * enhanced status code at the start of its text (RFC 3463, RFC 2034).
 * Pure: no I/O, no allocation; every input may be hostile. */
#include <string.h>

#include "mail.h"

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* 1 .. 3 digits at s[*pos]; advances *pos. */
static int digits_1_3(const char *s, size_t len, size_t *pos)
{
    size_t n = 0;

    while (*pos + n < len && is_digit(s[*pos + n]))
        n++;
    if (n < 1 || n > 3)
        return -1;
    *pos += n;
    return 0;
}

/* The length of an enhanced status code "class.subject.detail" at the
 * start of text (RFC 3463 section 2) whose class is want (RFC 2034
 * section 4: the class agrees with the reply code), followed by a space or
 * the end of the line; 0 if there is none. */
static size_t enhanced_code(const char *t, size_t len, char want)
{
    size_t pos = 2;

    if (len < 5 || t[0] != want || t[1] != '.')
        return 0;
    if (digits_1_3(t, len, &pos) != 0 || pos >= len || t[pos] != '.')
        return 0;
    pos++;
    if (digits_1_3(t, len, &pos) != 0)
        return 0;
    return (pos == len || t[pos] == ' ') ? pos : 0;
}

int p3_smtp_line_parse(const char *line, size_t len, struct p3_smtp_line *out)
{
    size_t pos = 3, n;

    /* Reply-code = %x32-35 %x30-35 %x30-39 */
    if (len < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' ||
        line[1] > '5' || !is_digit(line[2]))
        return -1;
    if (len > 3 && line[3] != ' ' && line[3] != '-')
        return -1;
    out->code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    out->last = len == 3 || line[3] == ' ';
    out->enhanced[0] = '\0';
    if (len > 3)
        pos = 4;
    n = enhanced_code(line + pos, len - pos, line[0]);
    if (n > 0 && n < sizeof out->enhanced) {
        memcpy(out->enhanced, line + pos, n);
        out->enhanced[n] = '\0';
        pos += n;
        while (pos < len && line[pos] == ' ')
            pos++;
    }
    out->text = line + pos;
    out->textlen = len - pos;
    return 0;
}
