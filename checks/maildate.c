/* SPDX-License-Identifier: MIT */
/* maildate.c - mail dates (RFC 5322 section 3.3 and the obsolete syntax of
 * section 4.3) as Unix seconds, and the hop of a Received: header (RFC
 * 5321 section 4.4). Pure: no I/O, no allocation, no locale, no TZ. */
#include <string.h>

#include "internal.h"
#include "mail.h"

/* A cursor over the input. */
struct cur {
    const char *s;
    size_t len, pos;
};

/* The fields of a date-time as written; zone in minutes east of UTC. */
struct when {
    int year, month, day, hour, minute, second, zone;
};

static int is_wsp(char c)
{
    /* FWS, and the CRLF of a value that was not unfolded */
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* ASCII only: the names of RFC 5322 are case-insensitive (RFC 5234
 * section 2.3), and strncasecmp would follow the locale. */
static int name_eq(const char *w, size_t n, const char *name)
{
    if (strlen(name) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((w[i] | 0x20) != name[i])
            return 0;
    return 1;
}

/* Skips CFWS: white space and comments, nested, with quoted pairs (RFC
 * 5322 section 3.2.2). -1 on a comment that never ends. */
static int skip_cfws(struct cur *c)
{
    size_t depth = 0;

    while (c->pos < c->len) {
        char ch = c->s[c->pos];
        if (depth == 0 && is_wsp(ch)) {
            c->pos++;
            continue;
        }
        if (depth == 0 && ch != '(')
            return 0;
        c->pos++;
        if (ch == '(')
            depth++;
        else if (ch == ')')
            depth--;
        else if (ch == '\\' && c->pos < c->len)
            c->pos++;
    }
    return depth == 0 ? 0 : -1;
}

/* After CFWS, min .. max digits (max at most 9): their count, or 0. */
static size_t number(struct cur *c, size_t min, size_t max, int *v)
{
    size_t n = 0;
    int x = 0;

    if (skip_cfws(c) != 0)
        return 0;
    while (c->pos + n < c->len && is_digit(c->s[c->pos + n])) {
        if (n == max)
            return 0;
        x = x * 10 + (c->s[c->pos + n] - '0');
        n++;
    }
    if (n < min)
        return 0;
    c->pos += n;
    *v = x;
    return n;
}

/* After CFWS, a run of letters: its length (0 if none) and start. */
static size_t word(struct cur *c, const char **w)
{
    size_t n = 0;

    if (skip_cfws(c) != 0)
        return 0;
    *w = c->s + c->pos;
    while (c->pos + n < c->len && is_alpha(c->s[c->pos + n]))
        n++;
    c->pos += n;
    return n;
}

/* After CFWS, the character ch: 0 and past it, or -1. */
static int punct(struct cur *c, char ch)
{
    if (skip_cfws(c) != 0 || c->pos >= c->len || c->s[c->pos] != ch)
        return -1;
    c->pos++;
    return 0;
}

static int month_number(const char *w, size_t n)
{
    static const char *const months[] = {"jan", "feb", "mar", "apr",
                                         "may", "jun", "jul", "aug",
                                         "sep", "oct", "nov", "dec"};

    for (size_t i = 0; i < P3_COUNT(months); i++)
        if (name_eq(w, n, months[i]))
            return (int)i + 1;
    return 0;
}

static int is_day_name(const char *w, size_t n)
{
    static const char *const days[] = {"mon", "tue", "wed", "thu",
                                       "fri", "sat", "sun"};

    for (size_t i = 0; i < P3_COUNT(days); i++)
        if (name_eq(w, n, days[i]))
            return 1;
    return 0;
}

/* [day-of-week ","] day month year. The day name is not checked against
 * the date, as mail readers do not: a wrong one costs no hop its time. */
static int date_part(struct cur *c, struct when *t)
{
    const char *w = NULL;
    size_t n = word(c, &w), digits;

    if (n > 0 && (!is_day_name(w, n) || punct(c, ',') != 0))
        return -1;
    if (number(c, 1, 2, &t->day) == 0)
        return -1;
    n = word(c, &w);
    t->month = month_number(w, n);
    if (t->month == 0)
        return -1;
    digits = number(c, 2, 9, &t->year);
    if (digits == 0)
        return -1;
    /* RFC 5322 section 4.3: two digits are 1950 .. 2049, three are added
     * to 1900. */
    if (digits == 2)
        t->year += t->year < 50 ? 2000 : 1900;
    else if (digits == 3)
        t->year += 1900;
    return 0;
}

/* hour ":" minute [":" second], two digits each. */
static int time_part(struct cur *c, struct when *t)
{
    struct cur peek;

    t->second = 0;
    if (number(c, 2, 2, &t->hour) == 0 || punct(c, ':') != 0 ||
        number(c, 2, 2, &t->minute) == 0)
        return -1;
    peek = *c;
    if (punct(&peek, ':') == 0) {
        *c = peek;
        if (number(c, 2, 2, &t->second) == 0)
            return -1;
    }
    return 0;
}

/* ("+" / "-") 4DIGIT, or a named or military zone (section 4.3). */
static int zone_part(struct cur *c, struct when *t)
{
    static const struct {
        const char *name;
        int minutes;
    } names[] = {{"ut", 0},     {"gmt", 0},    {"est", -300}, {"edt", -240},
                 {"cst", -360}, {"cdt", -300}, {"mst", -420}, {"mdt", -360},
                 {"pst", -480}, {"pdt", -420}};
    const char *w = NULL;
    size_t n;

    if (skip_cfws(c) != 0 || c->pos >= c->len)
        return -1;
    if (c->s[c->pos] == '+' || c->s[c->pos] == '-') {
        int sign = c->s[c->pos] == '-' ? -1 : 1;
        const char *d = c->s + c->pos + 1;
        if (c->len - c->pos < 5 || !is_digit(d[0]) || !is_digit(d[1]) ||
            !is_digit(d[2]) || !is_digit(d[3]) ||
            (c->len - c->pos > 5 && is_digit(d[4])))
            return -1;
        if ((d[2] - '0') * 10 + (d[3] - '0') > 59)
            return -1;
        t->zone = sign * (((d[0] - '0') * 10 + (d[1] - '0')) * 60 +
                          (d[2] - '0') * 10 + (d[3] - '0'));
        c->pos += 5;
        return 0;
    }
    n = word(c, &w);
    for (size_t i = 0; i < P3_COUNT(names); i++)
        if (name_eq(w, n, names[i].name)) {
            t->zone = names[i].minutes;
            return 0;
        }
    /* military zones: any letter but J, taken as -0000 (section 4.3) */
    if (n == 1 && (w[0] | 0x20) != 'j') {
        t->zone = 0;
        return 0;
    }
    return -1;
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};

    return days[m - 1] + (m == 2 && is_leap(y));
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar:
 * whole years since 0001-01-01 (365 each, a leap day every 4th but the
 * 100th unless the 400th), the months before m, the day. */
static int64_t days_from_civil(int y, int m, int d)
{
    static const int before[12] = {0,   31,  59,  90,  120, 151,
                                   181, 212, 243, 273, 304, 334};
    const int64_t p = (int64_t)y - 1;
    int64_t days = p * 365 + p / 4 - p / 100 + p / 400;

    days += before[m - 1] + (m > 2 && is_leap(y)) + d - 1;
    return days - 719162; /* the same count for 1970-01-01 */
}

int p3_mail_date(const char *s, size_t len, int64_t *unix_s)
{
    struct cur c = {s, len, 0};
    struct when t = {0};

    if (date_part(&c, &t) != 0 || time_part(&c, &t) != 0 ||
        zone_part(&c, &t) != 0 || skip_cfws(&c) != 0 || c.pos != len)
        return -1;
    /* RFC 5322 section 3.3: the year is 1900 or later; 60 is a leap
     * second. */
    if (t.year < 1900 || t.year > 9999 || t.day < 1 ||
        t.day > days_in_month(t.year, t.month) || t.hour > 23 ||
        t.minute > 59 || t.second > 60)
        return -1;
    *unix_s = days_from_civil(t.year, t.month, t.day) * 86400 +
              (int64_t)t.hour * 3600 + t.minute * 60 + t.second -
              (int64_t)t.zone * 60;
    return 0;
}

/* ---- Received: ---- */

/* Where the date of a Received: value starts: after its last ';' outside
 * comments and quoted strings (a comment after the date may hold one);
 * len if there is none. */
static size_t last_semicolon(const char *s, size_t len)
{
    size_t depth = 0, at = len;
    int quoted = 0;

    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (ch == '\\' && (depth > 0 || quoted)) {
            i++;
            continue;
        }
        if (quoted) {
            quoted = ch != '"';
            continue;
        }
        if (ch == '(')
            depth++;
        else if (ch == ')' && depth > 0)
            depth--;
        else if (depth == 0 && ch == '"')
            quoted = 1;
        else if (depth == 0 && ch == ';')
            at = i;
    }
    return at;
}

/* After CFWS, the next word: up to white space, a comment, a ';' (no
 * domain holds one; it separates like white space) or the end. Its
 * length, 0 at the end. */
static size_t trace_word(struct cur *c, const char **w)
{
    size_t n = 0;

    for (;;) {
        if (skip_cfws(c) != 0)
            return 0;
        if (c->pos >= c->len || c->s[c->pos] != ';')
            break;
        c->pos++;
    }
    *w = c->s + c->pos;
    while (c->pos + n < c->len && !is_wsp(c->s[c->pos + n]) &&
           c->s[c->pos + n] != '(' && c->s[c->pos + n] != ';')
        n++;
    c->pos += n;
    return n;
}

int p3_received_parse(const char *value, size_t len, struct p3_hop *hop)
{
    size_t semi = last_semicolon(value, len), n;
    struct cur c = {value, semi, 0};
    const char *w = NULL;
    char *slot = NULL; /* where the next word goes */
    int dated;         /* at < 0 is a date too: before 1970 */

    hop->from[0] = hop->by[0] = '\0';
    hop->at = -1;
    dated = semi < len &&
            p3_mail_date(value + semi + 1, len - semi - 1, &hop->at) == 0;
    /* From-domain comes first, By-domain next; the rest (with, id, for)
     * is not needed. */
    for (int first = 1; (n = trace_word(&c, &w)) > 0; first = 0) {
        if (slot != hop->by && name_eq(w, n, "by")) {
            slot = hop->by;
        } else if (slot != NULL) {
            p3_sanitise(slot, sizeof hop->by, w, n, NULL);
            if (slot == hop->by)
                break;
            slot = NULL;
        } else if (first && name_eq(w, n, "from")) {
            slot = hop->from;
        }
    }
    return (hop->by[0] == '\0' && !dated) ? -1 : 0;
}
