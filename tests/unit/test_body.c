/* SPDX-License-Identifier: MIT */
/* test_body.c - the TOP/RETR body scanner: octets counted as LIST counts
 * them (RFC 1939: byte-stuffing removed, terminator excluded), whatever
 * way the bytes are split. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "internal.h"

/* 9 + 2 + 9 (".." unstuffed to ".") + 5 + 4 (".\r" is a stuffed dot
 * and a CR, then "x\r\n") = 29 */
static const char body[] = "Subject\r\n"
                           "\r\n"
                           "..dotted\r\n"
                           "end\r\n"
                           ".\rx\r\n"
                           ".\r\n"
                           "+OK next";
static const int64_t octets = 9 + 2 + 9 + 5 + 4;
static const size_t terminator_end = sizeof body - 1 - 8;

static size_t scan_split(size_t cut, int64_t *got, int *done)
{
    struct p3_body b;
    size_t used;

    *done = 0;
    p3_body_init(&b);
    used = p3_body_scan(&b, body, cut, done);
    if (!*done)
        used += p3_body_scan(&b, body + cut, sizeof body - 1 - cut, done);
    *got = b.octets;
    return used;
}

static void test_body_every_split_counts_alike(void **state)
{
    (void)state;
    for (size_t cut = 0; cut < sizeof body; cut++) {
        int64_t got;
        int done;
        size_t used = scan_split(cut, &got, &done);
        assert_true(done);
        assert_int_equal(got, octets);
        assert_int_equal(used, terminator_end); /* "+OK next" left alone */
    }
}

static void test_body_unterminated_is_not_done(void **state)
{
    struct p3_body b;
    int done = 0;
    static const char cut[] = "line\r\n.\r";

    (void)state;
    p3_body_init(&b);
    assert_int_equal(p3_body_scan(&b, cut, sizeof cut - 1, &done),
                     sizeof cut - 1);
    assert_false(done);
    assert_int_equal(b.octets, 6);
}

static void test_body_empty_message(void **state)
{
    struct p3_body b;
    int done = 0;

    (void)state;
    p3_body_init(&b);
    assert_int_equal(p3_body_scan(&b, ".\r\n", 3, &done), 3);
    assert_true(done);
    assert_int_equal(b.octets, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body_every_split_counts_alike),
        cmocka_unit_test(test_body_unterminated_is_not_done),
        cmocka_unit_test(test_body_empty_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
