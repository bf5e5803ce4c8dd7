/*
 * test_user_range.c - host tests for the user address range checks
 * (mm/user_range.c), at every edge of [4096, KEEL_USER_LIMIT).
 *
 * The expected answers are written out as numbers here, not computed from
 * the header's constants, except for the two bounds themselves (which the
 * first test pins to the figures the ABI promises).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <mm/user_range.h>

#define LIMIT       0x00007ffffffff000ull /* KEEL_USER_LIMIT */
#define LAST_PAGE   (LIMIT - 0x1000)      /* the last page a program may use */
#define KERNEL_HALF 0xffff800000000000ull /* the first kernel (canonical upper-half) address */

static void test_bounds_are_the_abi_figures(void **state)
{
    (void)state;
    assert_int_equal(USER_ADDRESS_MIN, 4096);
    assert_int_equal(KEEL_USER_LIMIT, LIMIT);
}

static void test_page_zero(void **state)
{
    (void)state;
    assert_false(user_range_ok(0, 0));
    assert_false(user_range_ok(0, 1));
    assert_false(user_range_ok(0, 8192)); /* reaching into page 1 does not help */
    assert_false(user_range_ok(8, 16));   /* a field of a struct at NULL */
    assert_false(user_range_ok(4095, 0));
    assert_false(user_range_ok(4095, 1));
    assert_false(user_range_ok(4095, 2));
    assert_false(user_address_ok(0));
    assert_false(user_address_ok(4095));
}

static void test_first_user_page(void **state)
{
    (void)state;
    assert_true(user_range_ok(4096, 0));
    assert_true(user_range_ok(4096, 1));
    assert_true(user_range_ok(4096, 4096));
    assert_true(user_address_ok(4096));
    assert_true(user_address_ok(0x400000)); /* KEEL_USER_BASE, where programs start */
}

static void test_last_user_page(void **state)
{
    (void)state;
    assert_true(user_range_ok(LAST_PAGE, 4096));
    assert_false(user_range_ok(LAST_PAGE, 4097));
    assert_true(user_range_ok(LIMIT - 1, 1));
    assert_false(user_range_ok(LIMIT - 1, 2));
    assert_true(user_address_ok(LIMIT - 1));
    assert_false(user_address_ok(LIMIT));
    /* The whole user range at once, and one byte more at either end. */
    assert_true(user_range_ok(4096, LIMIT - 4096));
    assert_false(user_range_ok(4096, LIMIT - 4095));
    assert_false(user_range_ok(4095, LIMIT - 4095));
}

/* The page at KEEL_USER_LIMIT is the lower half's last: never the user's. */
static void test_at_and_above_the_limit(void **state)
{
    (void)state;
    assert_true(user_range_ok(LIMIT, 0)); /* the end itself, empty */
    assert_false(user_range_ok(LIMIT, 1));
    assert_false(user_range_ok(LIMIT + 1, 0));
    assert_false(user_range_ok(0x00007fffffffffffull, 1)); /* the lower half's last byte */
    assert_false(user_range_ok(0x0000800000000000ull, 0)); /* the first non-canonical address */
    assert_false(user_address_ok(0x00007fffffffffffull));
}

static void test_kernel_and_non_canonical(void **state)
{
    (void)state;
    assert_false(user_range_ok(KERNEL_HALF, 0));
    assert_false(user_range_ok(KERNEL_HALF, 1));
    assert_false(user_range_ok(0xffffffff80000000ull, 4096)); /* the kernel image */
    assert_false(user_range_ok(0x0000800000000000ull, 1));
    assert_false(user_range_ok(0x1234567812345678ull, 1));
    assert_false(user_range_ok(0xffff7fffffffffffull, 1)); /* the last non-canonical address */
    assert_false(user_address_ok(KERNEL_HALF));
    assert_false(user_address_ok(0x0000800000000000ull));
    assert_false(user_address_ok(UINT64_MAX));
}

/* addr + len wrapping past 2^64 to a small end must not pass as a small range. */
static void test_wrap_around(void **state)
{
    (void)state;
    assert_false(user_range_ok(UINT64_MAX, 1));                         /* end 0 */
    assert_false(user_range_ok(UINT64_MAX - 4095, 8192));               /* end 4096 */
    assert_false(user_range_ok(0xfffffffffffff000ull, 0x2000));         /* end 0x1000 */
    assert_false(user_range_ok(4096, UINT64_MAX));                      /* end 4095 */
    assert_false(user_range_ok(0x400000, 0xfffffffffff00000ull));       /* end 0x300000 */
    assert_false(user_range_ok(LAST_PAGE, UINT64_MAX - LAST_PAGE + 1)); /* end exactly 0 */
}

static void test_length_zero(void **state)
{
    (void)state;
    assert_true(user_range_ok(4096, 0));
    assert_true(user_range_ok(0x400000, 0));
    assert_true(user_range_ok(LIMIT - 1, 0));
    assert_true(user_range_ok(LIMIT, 0));
    assert_false(user_range_ok(0, 0));
    assert_false(user_range_ok(4095, 0));
    assert_false(user_range_ok(LIMIT + 1, 0));
    assert_false(user_range_ok(KERNEL_HALF, 0));
}

static void test_string_span(void **state)
{
    (void)state;
    assert_int_equal(user_string_span(0x400000, 256), 256);
    assert_int_equal(user_string_span(LIMIT - 10, 256), 10); /* the user range ends first */
    assert_int_equal(user_string_span(LIMIT - 256, 256), 256);
    assert_int_equal(user_string_span(LIMIT - 255, 256), 255);
    assert_int_equal(user_string_span(LIMIT - 1, 256), 1);
    assert_int_equal(user_string_span(LIMIT, 256), 0);
    assert_int_equal(user_string_span(4096, UINT64_MAX), LIMIT - 4096); /* no wrap */
    assert_int_equal(user_string_span(0, 256), 0);
    assert_int_equal(user_string_span(4095, 256), 0);
    assert_int_equal(user_string_span(KERNEL_HALF, 256), 0);
    assert_int_equal(user_string_span(0x400000, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounds_are_the_abi_figures),
        cmocka_unit_test(test_page_zero),
        cmocka_unit_test(test_first_user_page),
        cmocka_unit_test(test_last_user_page),
        cmocka_unit_test(test_at_and_above_the_limit),
        cmocka_unit_test(test_kernel_and_non_canonical),
        cmocka_unit_test(test_wrap_around),
        cmocka_unit_test(test_length_zero),
        cmocka_unit_test(test_string_span),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
