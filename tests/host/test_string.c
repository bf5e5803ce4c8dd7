/*
 * test_string.c - host tests for lib/string.c, checked against the host libc.
 *
 * lib/string.c is compiled for this test with every name prefixed (memcpy
 * becomes keel_memcpy, ...; see the Makefile), so both implementations live
 * in one program: each case runs the libc function on one buffer and ours on
 * an identical copy, then compares return values and the whole buffers, so
 * a stray write outside the destination shows up too. Buffers are swept over
 * every alignment 0..15 of source and destination and lengths 0..300.
 * Comparison results are checked by sign only: C promises no more.
 * glibc 2.36 has no strlcpy, so it is checked against a reference below.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

void *keel_memcpy(void *restrict dest, const void *restrict src, size_t n);
void *keel_memmove(void *dest, const void *src, size_t n);
void *keel_memset(void *dest, int c, size_t n);
int keel_memcmp(const void *a, const void *b, size_t n);
size_t keel_strlen(const char *s);
size_t keel_strnlen(const char *s, size_t max);
int keel_strcmp(const char *a, const char *b);
int keel_strncmp(const char *a, const char *b, size_t n);
char *keel_strchr(const char *s, int c);
size_t keel_strlcpy(char *restrict dest, const char *restrict src, size_t size);

#define ALIGNMENTS  16  /* offsets tried for each pointer: all of a 16-byte line */
#define MAX_LENGTH  300 /* longest copy; well past any word-at-a-time cut-over */
#define BUF_SIZE    (ALIGNMENTS + MAX_LENGTH + ALIGNMENTS)
#define MOVE_SPAN   48 /* memmove: src and dst offsets 0..MOVE_SPAN-1 ... */
#define MOVE_LENGTH 64 /* ... with lengths 0..MOVE_LENGTH, so overlap both ways */
#define MOVE_BUF    (MOVE_SPAN + MOVE_LENGTH)

/* A recognisable pattern with bytes >= 0x80 (which catch signed-char bugs)
 * and no zero bytes. */
static void fill_pattern(unsigned char *buf, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)((i * 7 + seed * 13) % 255 + 1);
}

static int sign(int x)
{
    return (x > 0) - (x < 0);
}

static void test_memcpy(void **state)
{
    static unsigned char src[BUF_SIZE], expected[BUF_SIZE], actual[BUF_SIZE];

    (void)state;
    fill_pattern(src, sizeof(src), 1);
    for (size_t s = 0; s < ALIGNMENTS; s++) {
        for (size_t d = 0; d < ALIGNMENTS; d++) {
            for (size_t n = 0; n <= MAX_LENGTH; n++) {
                fill_pattern(expected, sizeof(expected), 2);
                fill_pattern(actual, sizeof(actual), 2);
                memcpy(expected + d, src + s, n);
                assert_ptr_equal(keel_memcpy(actual + d, src + s, n), actual + d);
                assert_memory_equal(actual, expected, sizeof(actual));
            }
        }
    }
}

/* Every src/dst offset pair in one buffer, so the regions overlap with dst
 * before src, after it, and equal to it. */
static void test_memmove_overlap(void **state)
{
    unsigned char expected[MOVE_BUF], actual[MOVE_BUF];

    (void)state;
    for (size_t s = 0; s < MOVE_SPAN; s++) {
        for (size_t d = 0; d < MOVE_SPAN; d++) {
            for (size_t n = 0; n <= MOVE_LENGTH; n++) {
                fill_pattern(expected, sizeof(expected), 3);
                fill_pattern(actual, sizeof(actual), 3);
                memmove(expected + d, expected + s, n);
                assert_ptr_equal(keel_memmove(actual + d, actual + s, n), actual + d);
                assert_memory_equal(actual, expected, sizeof(actual));
            }
        }
    }
}

/* Long moves by small shifts each way, and between separate buffers. */
static void test_memmove_long(void **state)
{
    static unsigned char expected[BUF_SIZE], actual[BUF_SIZE], other[BUF_SIZE];
    static const int shifts[] = {-ALIGNMENTS, -8, -7, -1, 0, 1, 7, 8, ALIGNMENTS};

    (void)state;
    for (size_t i = 0; i < sizeof(shifts) / sizeof(shifts[0]); i++) {
        size_t s = ALIGNMENTS, d = (size_t)((int)ALIGNMENTS + shifts[i]);
        fill_pattern(expected, sizeof(expected), 4);
        fill_pattern(actual, sizeof(actual), 4);
        memmove(expected + d, expected + s, MAX_LENGTH - ALIGNMENTS);
        keel_memmove(actual + d, actual + s, MAX_LENGTH - ALIGNMENTS);
        assert_memory_equal(actual, expected, sizeof(actual));
    }
    fill_pattern(other, sizeof(other), 5);
    fill_pattern(expected, sizeof(expected), 4);
    fill_pattern(actual, sizeof(actual), 4);
    memmove(expected + 3, other + 5, MAX_LENGTH);
    keel_memmove(actual + 3, other + 5, MAX_LENGTH);
    assert_memory_equal(actual, expected, sizeof(actual));
}

static void test_memset(void **state)
{
    static unsigned char expected[BUF_SIZE], actual[BUF_SIZE];
    /* c is converted to unsigned char: 0x1A5 and -91 both store 0xA5. */
    static const int values[] = {0, 0xA5, 0x1A5, -91, -1, 0x7F};

    (void)state;
    for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
        for (size_t d = 0; d < ALIGNMENTS; d++) {
            for (size_t n = 0; n <= MAX_LENGTH; n++) {
                fill_pattern(expected, sizeof(expected), 6);
                fill_pattern(actual, sizeof(actual), 6);
                memset(expected + d, values[v], n);
                assert_ptr_equal(keel_memset(actual + d, values[v], n), actual + d);
                assert_memory_equal(actual, expected, sizeof(actual));
            }
        }
    }
}

/* Check keel_memcmp(a, b, n) against libc's, by sign. */
static void check_memcmp(const void *a, const void *b, size_t n)
{
    int ours = keel_memcmp(a, b, n), libc = memcmp(a, b, n);
    if (sign(ours) != sign(libc))
        fail_msg("memcmp length %zu: ours %d, libc %d", n, ours, libc);
}

/* Equal buffers at every alignment pair and length, then one differing
 * byte at every position, above and below, including bytes >= 0x80. */
static void test_memcmp(void **state)
{
    static unsigned char a[BUF_SIZE], b[BUF_SIZE];

    (void)state;
    fill_pattern(a, sizeof(a), 7);
    for (size_t sa = 0; sa < ALIGNMENTS; sa++) {
        for (size_t sb = 0; sb < ALIGNMENTS; sb++) {
            memcpy(b + sb, a + sa, MAX_LENGTH);
            for (size_t n = 0; n <= MAX_LENGTH; n++)
                check_memcmp(a + sa, b + sb, n);
        }
    }
    static const unsigned char changed[] = {0x00, 0x01, 0x7F, 0x80, 0xFF};
    for (size_t n = 1; n <= 80; n++) {
        for (size_t pos = 0; pos < n; pos++) {
            for (size_t c = 0; c < sizeof(changed); c++) {
                memcpy(b, a, n + 1);
                b[pos] = changed[c];
                b[n] = (unsigned char)~a[n]; /* past the length: must not matter */
                check_memcmp(a, b, n);
                check_memcmp(b, a, n);
            }
        }
    }
    check_memcmp("\x80", "\x7F", 1); /* unsigned: 0x80 is the larger */
    check_memcmp("", "", 0);
}

static void test_strlen(void **state)
{
    static char buf[BUF_SIZE + 1];

    (void)state;
    for (size_t start = 0; start < ALIGNMENTS; start++) {
        for (size_t n = 0; n <= MAX_LENGTH; n++) {
            fill_pattern((unsigned char *)buf, sizeof(buf), 8);
            buf[start + n] = '\0';
            assert_int_equal(keel_strlen(buf + start), strlen(buf + start));
        }
    }
}

static void test_strnlen(void **state)
{
    /* Not terminated: strnlen may look only at the first max bytes, and
     * AddressSanitizer catches a read past the array. */
    static const char unterminated[4] = {'a', 'b', 'c', 'd'};
    static const char *const strings[] = {"", "a", "hello", "exactly 16 bytes"};

    (void)state;
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
        for (size_t max = 0; max <= 20; max++)
            assert_int_equal(keel_strnlen(strings[i], max), strnlen(strings[i], max));
        assert_int_equal(keel_strnlen(strings[i], SIZE_MAX), strlen(strings[i]));
    }
    for (size_t max = 0; max <= sizeof(unterminated); max++)
        assert_int_equal(keel_strnlen(unterminated, max), max);
}

/* Pairs for strcmp and strncmp: equal, prefixes, and bytes >= 0x80, which
 * must sort above ASCII (compared as unsigned char). */
static const char *const string_pairs[][2] = {
    {"", ""},         {"", "a"},      {"a", ""},         {"abc", "abc"},
    {"abc", "abd"},   {"abd", "abc"}, {"abc", "abcd"},   {"abcd", "abc"},
    {"\x80", "a"},    {"a", "\x80"},  {"\xFF", "\x01"},  {"ab\x80z", "ab\x7Fz"},
    {"same", "samE"}, {"x", "x\x80"}, {"Hello", "Help"}, {"kernel", "kernel panic"},
};
#define PAIR_COUNT (sizeof(string_pairs) / sizeof(string_pairs[0]))

static void test_strcmp(void **state)
{
    (void)state;
    for (size_t i = 0; i < PAIR_COUNT; i++) {
        const char *a = string_pairs[i][0], *b = string_pairs[i][1];
        if (sign(keel_strcmp(a, b)) != sign(strcmp(a, b)))
            fail_msg("strcmp pair %zu differs from libc", i);
    }
}

static void test_strncmp(void **state)
{
    (void)state;
    for (size_t i = 0; i < PAIR_COUNT; i++) {
        const char *a = string_pairs[i][0], *b = string_pairs[i][1];
        for (size_t n = 0; n <= 16; n++) {
            if (sign(keel_strncmp(a, b, n)) != sign(strncmp(a, b, n)))
                fail_msg("strncmp pair %zu, n %zu differs from libc", i, n);
        }
        if (sign(keel_strncmp(a, b, SIZE_MAX)) != sign(strcmp(a, b)))
            fail_msg("strncmp pair %zu, n SIZE_MAX differs from strcmp", i);
    }
}

static void test_strchr(void **state)
{
    static const char text[] = "find the \x80 byte, then 'e' again";
    /* 0x166 converts to char 'f'; -128 to the byte 0x80. */
    static const int wanted[] = {'f', 'e', 'z', '\'', ' ', '\0', 0x166, -128, 0x80};

    (void)state;
    for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
        assert_ptr_equal(keel_strchr(text, wanted[i]), strchr(text, wanted[i]));
    /* '\0' finds the terminator, not NULL. */
    static const char empty[] = "";
    assert_ptr_equal(keel_strchr(text, '\0'), text + strlen(text));
    assert_ptr_equal(keel_strchr(empty, '\0'), empty);
    assert_null(keel_strchr(empty, 'a'));
}

/* BSD strlcpy, written out plainly as the reference (glibc 2.36 lacks it):
 * copy up to size-1 bytes, terminate if size > 0, return strlen(src). */
static size_t reference_strlcpy(char *dest, const char *src, size_t size)
{
    size_t len = strlen(src);

    for (size_t i = 0; size > 0 && i < size - 1 && i < len; i++)
        dest[i] = src[i];
    if (size > 0)
        dest[len < size - 1 ? len : size - 1] = '\0';
    return len;
}

#define STRLCPY_BUF 40
#define CANARY      '#'

static void test_strlcpy(void **state)
{
    static const char *const sources[] = {"", "a", "hello", "a string of 25 characters"};
    char expected[STRLCPY_BUF], actual[STRLCPY_BUF];

    (void)state;
    for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
        size_t len = strlen(sources[i]);
        for (size_t size = 0; size <= len + 2; size++) {
            memset(expected, CANARY, sizeof(expected));
            memset(actual, CANARY, sizeof(actual));
            assert_int_equal(keel_strlcpy(actual, sources[i], size),
                             reference_strlcpy(expected, sources[i], size));
            assert_memory_equal(actual, expected, sizeof(actual));
        }
    }
    /* One case spelled out, in case the reference and ours share a mistake. */
    assert_int_equal(keel_strlcpy(actual, "hello", 3), 5);
    assert_string_equal(actual, "he");
    /* size 0: dest is not touched, so NULL is allowed. */
    assert_int_equal(keel_strlcpy(NULL, "abc", 0), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memcpy),       cmocka_unit_test(test_memmove_overlap),
        cmocka_unit_test(test_memmove_long), cmocka_unit_test(test_memset),
        cmocka_unit_test(test_memcmp),       cmocka_unit_test(test_strlen),
        cmocka_unit_test(test_strnlen),      cmocka_unit_test(test_strcmp),
        cmocka_unit_test(test_strncmp),      cmocka_unit_test(test_strchr),
        cmocka_unit_test(test_strlcpy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
