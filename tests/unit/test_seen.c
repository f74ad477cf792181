/* SPDX-License-Identifier: MIT */
/* test_seen.c - first sightings by UIDL from one listing to the next
 * (checks/seen.c): new UIDs are first seen now, known ones keep their
 * time, those gone are dropped, the bound holds, a copy goes on. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "seen.h"

static void listing(struct p3_seen *s, const char *const *uids, size_t n,
                    int64_t now)
{
    p3_seen_begin(s);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(p3_seen_mark(s, uids[i], strlen(uids[i]), now), 0);
}

static void test_seen_keeps_first_sighting(void **state)
{
    static const char *const a[] = {"whqtswO00WBw418f9t5JxYwZ",
                                    "QhdPYR:00WBw1Ph7x7"};
    static const char *const b[] = {"QhdPYR:00WBw1Ph7x7", "new-one"};
    struct p3_seen *s = p3_seen_new();
    int64_t oldest;

    (void)state;
    assert_non_null(s);
    listing(s, a, 2, 1000);
    assert_int_equal(p3_seen_end(s, &oldest), 2);
    assert_int_equal(oldest, 1000);
    /* the first is gone, the second stays with its time, one is new */
    listing(s, b, 2, 1060);
    assert_int_equal(p3_seen_end(s, &oldest), 2);
    assert_int_equal(oldest, 1000);
    /* the second gone too: the new one's time */
    listing(s, b + 1, 1, 1120);
    assert_int_equal(p3_seen_end(s, &oldest), 1);
    assert_int_equal(oldest, 1060);
    /* a UID that comes back after it was gone is new again */
    listing(s, a, 1, 1180);
    assert_int_equal(p3_seen_end(s, &oldest), 1);
    assert_int_equal(oldest, 1180);
    /* an empty maildrop: nothing waits */
    p3_seen_begin(s);
    assert_int_equal(p3_seen_end(s, &oldest), 0);
    assert_int_equal(oldest, -1);
    p3_seen_free(s);
}

/* Many UIDs: the table grows and shrinks; beyond the bound UIDs are not
 * tracked (and counted), known ones still are. */
static void test_seen_grows_and_bounds(void **state)
{
    struct p3_seen *s = p3_seen_new();
    char uid[32];
    int64_t oldest;

    (void)state;
    p3_seen_begin(s);
    for (int i = 0; i < P3_SEEN_MAX + 5; i++) {
        int n = snprintf(uid, sizeof uid, "uid-%d", i);
        assert_int_equal(
            p3_seen_mark(s, uid, (size_t)n, 100 + (i < 10 ? 0 : 1)),
            i < P3_SEEN_MAX ? 0 : -1);
    }
    assert_int_equal(p3_seen_dropped(s), 5);
    assert_int_equal(p3_seen_end(s, &oldest), P3_SEEN_MAX);
    assert_int_equal(oldest, 100);
    /* the next listing: only the first 3, which keep their time */
    p3_seen_begin(s);
    for (int i = 0; i < 3; i++) {
        int n = snprintf(uid, sizeof uid, "uid-%d", i);
        assert_int_equal(p3_seen_mark(s, uid, (size_t)n, 500), 0);
    }
    assert_int_equal(p3_seen_dropped(s), 0);
    assert_int_equal(p3_seen_end(s, &oldest), 3);
    assert_int_equal(oldest, 100);
    p3_seen_free(s);
}

static void test_seen_copy(void **state)
{
    static const char *const a[] = {"1", "2", "3"};
    struct p3_seen *s = p3_seen_new(), *c = p3_seen_new(), *e = p3_seen_new();
    int64_t oldest;

    (void)state;
    listing(s, a, 3, 42);
    assert_int_equal(p3_seen_end(s, &oldest), 3);
    assert_int_equal(p3_seen_copy(c, s), 0);
    listing(c, a + 1, 2, 99);
    assert_int_equal(p3_seen_end(c, &oldest), 2);
    assert_int_equal(oldest, 42);            /* the copy knew them */
    assert_int_equal(p3_seen_copy(c, e), 0); /* an empty one empties */
    listing(c, a, 1, 7);
    assert_int_equal(p3_seen_end(c, &oldest), 1);
    assert_int_equal(oldest, 7);
    p3_seen_free(s);
    p3_seen_free(c);
    p3_seen_free(e);
    p3_seen_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seen_keeps_first_sighting),
        cmocka_unit_test(test_seen_grows_and_bounds),
        cmocka_unit_test(test_seen_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
