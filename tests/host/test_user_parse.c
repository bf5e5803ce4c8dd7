/*
 * test_user_parse.c - host tests for parse_u64 (user/lib/parse.c), which
 * reads the numbers given to programs (sysfuzz's seed and count,
 * spawnloop's n): every accepted form, every refused one, and the edges of
 * the limit and of 64 bits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <user/lib/parse.h>

#define UNTOUCHED 0x5A5A5A5A5A5A5A5Aull

static void expect_parsed(const char *text, uint64_t max, uint64_t want)
{
    uint64_t value = UNTOUCHED;
    assert_true(parse_u64(text, max, &value));
    assert_true(value == want);
}

static void expect_refused(const char *text, uint64_t max)
{
    uint64_t value = UNTOUCHED;
    assert_false(parse_u64(text, max, &value));
    assert_true(value == UNTOUCHED);
}

static void test_decimal(void **state)
{
    (void)state;
    expect_parsed("0", UINT64_MAX, 0);
    expect_parsed("7", UINT64_MAX, 7);
    expect_parsed("1000", UINT64_MAX, 1000);
    expect_parsed("000123", UINT64_MAX, 123); /* leading zeros stay decimal */
    expect_parsed("18446744073709551615", UINT64_MAX, UINT64_MAX);
}

static void test_hexadecimal(void **state)
{
    (void)state;
    expect_parsed("0x0", UINT64_MAX, 0);
    expect_parsed("0x1f", UINT64_MAX, 0x1f);
    expect_parsed("0XAbC", UINT64_MAX, 0xabc);
    expect_parsed("0xffffffffffffffff", UINT64_MAX, UINT64_MAX);
}

static void test_malformed(void **state)
{
    (void)state;
    expect_refused("", UINT64_MAX);
    expect_refused("0x", UINT64_MAX);
    expect_refused("-1", UINT64_MAX);
    expect_refused("+1", UINT64_MAX);
    expect_refused(" 1", UINT64_MAX);
    expect_refused("1 ", UINT64_MAX);
    expect_refused("12a", UINT64_MAX);
    expect_refused("abc", UINT64_MAX); /* hex digits need 0x */
    expect_refused("0x1g", UINT64_MAX);
    expect_refused("0x-1", UINT64_MAX);
}

static void test_beyond_64_bits(void **state)
{
    (void)state;
    expect_refused("18446744073709551616", UINT64_MAX);
    expect_refused("99999999999999999999", UINT64_MAX);
    expect_refused("0x10000000000000000", UINT64_MAX);
}

static void test_limit(void **state)
{
    (void)state;
    expect_parsed("100", 100, 100);
    expect_refused("101", 100);
    expect_refused("1000", 100);
    expect_parsed("5", 5, 5);
    expect_refused("7", 5); /* a single digit above the limit */
    expect_parsed("0", 0, 0);
    expect_refused("1", 0);
    expect_parsed("0xff", 255, 255);
    expect_refused("0x100", 255);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal),   cmocka_unit_test(test_hexadecimal),
        cmocka_unit_test(test_malformed), cmocka_unit_test(test_beyond_64_bits),
        cmocka_unit_test(test_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
