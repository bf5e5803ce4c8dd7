/*
 * test_format.c - host tests for lib/format.c, checked against glibc.
 *
 * The oracle is the host's vsnprintf, never our own output: every case is
 * formatted by both and must match byte for byte, return value included.
 *   - test_exhaustive crosses every conversion with every flag subset, width,
 *     precision and length modifier that C defines for it, over boundary
 *     values (about 1.4 million cases);
 *   - test_random draws 100000 single conversions with random flag order and
 *     repeats, widths, precisions and values, from a fixed seed;
 *   - smaller tests cover several conversions per format, truncation (with
 *     canary bytes past the buffer), huge widths, unterminated %s arrays and
 *     format_v with a custom sink;
 *   - test_implementation_choices pins the behaviour C leaves undefined or
 *     to the implementation, with the expected text written out by hand.
 * Combinations that are undefined in C (C11 7.21.6.1p6: '#' outside o/x/X,
 * '0' outside the integer conversions; p4: a precision on c or p) are left
 * out of the generated cases, since glibc's output there is no reference.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h> /* ssize_t, the signed type %zd takes */

#include <lib/format.h>

#define OUT_SIZE      512 /* larger than any generated case's output */
#define MAX_REPORTED  20  /* mismatches printed before going quiet */
#define RANDOM_CASES  100000
#define RANDOM_SEED   0x9E3779B97F4A7C15ull
#define FLAG_CHARS    "-0+ #"
#define FLAG_COUNT    5
#define MAX_STARS     2
#define FORMAT_LENGTH 64

/* Values of '*' arguments for one case, in the order the format takes them. */
struct stars {
    int count;
    int value[MAX_STARS];
};

struct tally {
    long checked;
    long failed;
    const struct stars *stars; /* '*' arguments of the current case, for reports */
};

/* Format fmt with ksnprintf and with the host's vsnprintf; count the case
 * and report it (with the format string) if the two differ. */
__attribute__((format(printf, 2, 3))) static void check_against_libc(struct tally *tally,
                                                                     const char *fmt, ...)
{
    char ours[OUT_SIZE], libc[OUT_SIZE];
    const struct stars *stars = tally->stars;
    va_list ap, ap_libc;

    tally->stars = NULL; /* set again by the next CHECK_CASE, if any */
    va_start(ap, fmt);
    va_copy(ap_libc, ap);
    int our_len = kvsnprintf(ours, sizeof(ours), fmt, ap);
    int libc_len = vsnprintf(libc, sizeof(libc), fmt, ap_libc);
    va_end(ap_libc);
    va_end(ap);

    tally->checked++;
    /* Compare lengths, then bytes: %c of 0 puts a NUL inside the output. */
    size_t shown = libc_len >= 0 && (size_t)libc_len < OUT_SIZE ? (size_t)libc_len + 1 : OUT_SIZE;
    if (our_len == libc_len && memcmp(ours, libc, shown) == 0)
        return;
    if (tally->failed++ >= MAX_REPORTED)
        return;
    print_error("# format \"%s\": ksnprintf gave %d \"%s\", glibc %d \"%s\"\n", fmt, our_len, ours,
                libc_len, libc);
    for (int i = 0; stars != NULL && i < stars->count; i++)
        print_error("#   '*' argument %d was %d\n", i + 1, stars->value[i]);
}

static void assert_no_mismatch(const struct tally *tally)
{
    print_message("# %ld cases checked against glibc\n", tally->checked);
    if (tally->failed != 0)
        fail_msg("%ld of %ld cases differ from glibc", tally->failed, tally->checked);
}

/* Call check_against_libc with the case's '*' arguments, then arg. */
#define CHECK_CASE(case_tally, case_fmt, case_stars, case_arg)                                     \
    do {                                                                                           \
        (case_tally)->stars = (case_stars);                                                        \
        if ((case_stars)->count == 0)                                                              \
            check_against_libc(case_tally, case_fmt, case_arg);                                    \
        else if ((case_stars)->count == 1)                                                         \
            check_against_libc(case_tally, case_fmt, (case_stars)->value[0], case_arg);            \
        else                                                                                       \
            check_against_libc(case_tally, case_fmt, (case_stars)->value[0],                       \
                               (case_stars)->value[1], case_arg);                                  \
    } while (0)

/* Length modifiers, C11 7.21.6.1p7, and the types they name. */
enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J, LENGTH_COUNT };
static const char *const length_text[LENGTH_COUNT] = {"", "hh", "h", "l", "ll", "z", "t", "j"};

/* Pass bits converted to the type that conversion `is_signed` + length
 * expects (char and short promoted to int, as a caller's would be). */
static void check_integer(struct tally *t, const char *fmt, const struct stars *s, bool is_signed,
                          enum length length, uint64_t bits)
{
    switch (length) {
    case LEN_HH:
        if (is_signed)
            CHECK_CASE(t, fmt, s, (int)(signed char)bits);
        else
            CHECK_CASE(t, fmt, s, (int)(unsigned char)bits);
        break;
    case LEN_H:
        if (is_signed)
            CHECK_CASE(t, fmt, s, (int)(short)bits);
        else
            CHECK_CASE(t, fmt, s, (int)(unsigned short)bits);
        break;
    case LEN_L:
        if (is_signed)
            CHECK_CASE(t, fmt, s, (long)bits);
        else
            CHECK_CASE(t, fmt, s, (unsigned long)bits);
        break;
    case LEN_LL:
        if (is_signed)
            CHECK_CASE(t, fmt, s, (long long)bits);
        else
            CHECK_CASE(t, fmt, s, (unsigned long long)bits);
        break;
    case LEN_Z:
        if (is_signed)
            CHECK_CASE(t, fmt, s, (ssize_t)bits);
        else
            CHECK_CASE(t, fmt, s, (size_t)bits);
        break;
    case LEN_T: /* the unsigned type of ptrdiff_t's width is size_t here */
        if (is_signed)
            CHECK_CASE(t, fmt, s, (ptrdiff_t)bits);
        else
            CHECK_CASE(t, fmt, s, (size_t)bits);
        break;
    case LEN_J:
        if (is_signed)
            CHECK_CASE(t, fmt, s, (intmax_t)bits);
        else
            CHECK_CASE(t, fmt, s, (uintmax_t)bits);
        break;
    default:
        if (is_signed)
            CHECK_CASE(t, fmt, s, (int)bits);
        else
            CHECK_CASE(t, fmt, s, (unsigned int)bits);
        break;
    }
}

/* Boundary values, as 64-bit patterns; each is converted to the argument
 * type under test, which yields the extremes of the narrower types too. */
/* clang-format off */
static const uint64_t integer_values[] = {
    0, 1, (uint64_t)-1, 7, 8, 42, (uint64_t)-42,
    127, 128, 255, (uint64_t)SCHAR_MIN,                 /* char extremes */
    SHRT_MAX, (uint64_t)SHRT_MIN, USHRT_MAX,            /* short extremes */
    INT_MAX, (uint64_t)INT_MIN, UINT_MAX,               /* int extremes */
    LLONG_MAX, (uint64_t)LLONG_MIN, 0x0123456789ABCDEFull,
};
/* clang-format on */
#define INTEGER_VALUE_COUNT (sizeof(integer_values) / sizeof(integer_values[0]))

static const int char_values[] = {'a', 'Z', ' ', 0, 255, -1, 0x141 /* converts to 'A' */};
#define CHAR_VALUE_COUNT (sizeof(char_values) / sizeof(char_values[0]))

static const char *const string_values[] = {
    "",  "a", "hello", "exactly-20-chars-xyz", "a string longer than every width we try here",
    NULL /* not C, but glibc defines it and so do we */
};
#define STRING_VALUE_COUNT (sizeof(string_values) / sizeof(string_values[0]))

static int pointer_target;
static void *const pointer_values[] = {
    NULL, (void *)1, (void *)0xDEADBEEF, (void *)UINTPTR_MAX, &pointer_target,
};
#define POINTER_VALUE_COUNT (sizeof(pointer_values) / sizeof(pointer_values[0]))

/* What C defines for each conversion: the flags that have a meaning (C11
 * 7.21.6.1p6; '+' and ' ' are defined no-ops on unsigned conversions),
 * whether a precision may be given and whether length modifiers apply. */
struct conversion {
    char conv;
    const char *flags;
    bool precision;
    bool lengths;
};

static const struct conversion conversions[] = {
    {'d', "-0+ ", true, true},  {'i', "-0+ ", true, true},  {'u', "-0+ ", true, true},
    {'o', "-0+ #", true, true}, {'x', "-0+ #", true, true}, {'X', "-0+ #", true, true},
    {'c', "-+ ", false, false}, {'s', "-+ ", true, false},  {'p', "-+ ", false, false},
};
#define CONVERSION_COUNT (sizeof(conversions) / sizeof(conversions[0]))

/* Widths and precisions to cross; "*" entries take their value from the
 * matching star list, a negative '*' width meaning '-', a negative
 * precision meaning none (C11 7.21.6.1p5). */
static const char *const width_texts[] = {"", "1", "5", "20", "*", "*", "*"};
static const int width_stars[] = {0, 0, 0, 0, 0, 7, -7};
static const char *const precision_texts[] = {"", ".", ".0", ".1", ".5", ".20", ".*", ".*", ".*"};
static const int precision_stars[] = {0, 0, 0, 0, 0, 0, 0, 3, -1};
#define WIDTH_COUNT     (sizeof(width_texts) / sizeof(width_texts[0]))
#define PRECISION_COUNT (sizeof(precision_texts) / sizeof(precision_texts[0]))

/* Run every value of conversion c through format fmt. */
static void check_all_values(struct tally *t, const char *fmt, const struct stars *s,
                             const struct conversion *c, enum length length)
{
    bool is_signed = c->conv == 'd' || c->conv == 'i';

    switch (c->conv) {
    case 'c':
        for (size_t i = 0; i < CHAR_VALUE_COUNT; i++)
            CHECK_CASE(t, fmt, s, char_values[i]);
        break;
    case 's':
        for (size_t i = 0; i < STRING_VALUE_COUNT; i++)
            CHECK_CASE(t, fmt, s, string_values[i]);
        break;
    case 'p':
        for (size_t i = 0; i < POINTER_VALUE_COUNT; i++)
            CHECK_CASE(t, fmt, s, pointer_values[i]);
        break;
    default:
        for (size_t i = 0; i < INTEGER_VALUE_COUNT; i++)
            check_integer(t, fmt, s, is_signed, length, integer_values[i]);
        break;
    }
}

/* The flags of subset (bit i = FLAG_CHARS[i]) written out, or false if the
 * subset holds a flag that is undefined for c. */
static bool flag_subset_text(unsigned subset, const struct conversion *c, char *out)
{
    for (unsigned i = 0; i < FLAG_COUNT; i++) {
        if (!(subset & (1u << i)))
            continue;
        if (strchr(c->flags, FLAG_CHARS[i]) == NULL)
            return false;
        *out++ = FLAG_CHARS[i];
    }
    *out = '\0';
    return true;
}

/* Every flag subset x width x precision x length for conversion c. */
static void check_conversion(struct tally *t, const struct conversion *c)
{
    char flags[FLAG_COUNT + 1], fmt[FORMAT_LENGTH];

    for (unsigned subset = 0; subset < (1u << FLAG_COUNT); subset++) {
        if (!flag_subset_text(subset, c, flags))
            continue;
        for (size_t w = 0; w < WIDTH_COUNT; w++) {
            for (size_t p = 0; p < (c->precision ? PRECISION_COUNT : 1); p++) {
                for (int len = 0; len < (c->lengths ? LENGTH_COUNT : 1); len++) {
                    struct stars s = {0, {0, 0}};
                    if (width_texts[w][0] == '*')
                        s.value[s.count++] = width_stars[w];
                    if (precision_texts[p][0] == '.' && precision_texts[p][1] == '*')
                        s.value[s.count++] = precision_stars[p];
                    snprintf(fmt, sizeof(fmt), "[%%%s%s%s%s%c]", flags, width_texts[w],
                             precision_texts[p], length_text[len], c->conv);
                    check_all_values(t, fmt, &s, c, (enum length)len);
                }
            }
        }
    }
}

static void test_exhaustive(void **state)
{
    struct tally tally = {0, 0, NULL};

    (void)state;
    for (size_t i = 0; i < CONVERSION_COUNT; i++)
        check_conversion(&tally, &conversions[i]);
    check_against_libc(&tally, "%%|%d%%%%%s|%%", 5, "x");
    assert_no_mismatch(&tally);
}

/* xorshift64: a fixed, portable sequence so failures reproduce anywhere. */
static uint64_t next_random(uint64_t *seed)
{
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    return *seed;
}

static unsigned random_below(uint64_t *seed, unsigned bound)
{
    return (unsigned)(next_random(seed) % bound);
}

/* A random value with a random number of significant bits, so small and
 * large magnitudes are both common. */
static uint64_t random_bits(uint64_t *seed)
{
    unsigned shift = random_below(seed, 64);
    return next_random(seed) >> shift;
}

/* Build one random case for conversion c into fmt and s: 0-4 flags from
 * c's defined set (repeats and any order), a width, a precision, a length
 * and literal text around it. Returns the chosen length. */
static enum length random_format(uint64_t *seed, const struct conversion *c, char *fmt,
                                 struct stars *s)
{
    size_t flag_count = strlen(c->flags);
    char *p = fmt;

    s->count = 0;
    p += sprintf(p, "%s%%", random_below(seed, 2) ? "ab%%c " : "");
    for (unsigned n = random_below(seed, 5); n > 0; n--)
        *p++ = c->flags[random_below(seed, (unsigned)flag_count)];
    if (random_below(seed, 4) == 0) {
        s->value[s->count++] = (int)random_below(seed, 61) - 30;
        *p++ = '*';
    } else if (random_below(seed, 2)) {
        p += sprintf(p, "%u", 1 + random_below(seed, 40));
    }
    if (c->precision && random_below(seed, 2)) {
        *p++ = '.'; /* a quarter of these stay bare: precision 0 */
        if (random_below(seed, 4) == 0) {
            s->value[s->count++] = (int)random_below(seed, 41) - 10;
            *p++ = '*';
        } else if (random_below(seed, 4) != 0) {
            p += sprintf(p, "%u", random_below(seed, 30));
        }
    }
    enum length len = c->lengths ? (enum length)random_below(seed, LENGTH_COUNT) : LEN_NONE;
    sprintf(p, "%s%c%s", length_text[len], c->conv, random_below(seed, 2) ? " tail" : "");
    return len;
}

static void test_random(void **state)
{
    struct tally tally = {0, 0, NULL};
    uint64_t seed = RANDOM_SEED;
    char fmt[FORMAT_LENGTH];
    struct stars s;

    (void)state;
    for (int i = 0; i < RANDOM_CASES; i++) {
        const struct conversion *c = &conversions[random_below(&seed, CONVERSION_COUNT)];
        enum length len = random_format(&seed, c, fmt, &s);
        uint64_t bits = random_bits(&seed);
        if (random_below(&seed, 2))
            bits = -bits;
        if (c->conv == 'c')
            CHECK_CASE(&tally, fmt, &s, (int)bits);
        else if (c->conv == 's')
            CHECK_CASE(&tally, fmt, &s, string_values[bits % STRING_VALUE_COUNT]);
        else if (c->conv == 'p')
            CHECK_CASE(&tally, fmt, &s, (void *)(uintptr_t)bits);
        else
            check_integer(&tally, fmt, &s, c->conv == 'd' || c->conv == 'i', len, bits);
    }
    assert_no_mismatch(&tally);
}

/* Several conversions per format, so argument order and mixed types count. */
static void test_mixed_formats(void **state)
{
    struct tally t = {0, 0, NULL};
    int local;

    (void)state;
    check_against_libc(&t, "%d %s %x|%-5c|%p|%%|%lld", -3, "str", 255u, 'q', (void *)&local,
                       LLONG_MIN);
    check_against_libc(&t, "%*.*d|%-*s|%.*s|%*c", 8, 4, -12, 6, "ab", 2, "xyz", -3, 'k');
    check_against_libc(&t, "%hhd %hhu %hd %hu %zu %zd %td %jd %ju", (signed char)-128,
                       (unsigned char)200, (short)-32768, (unsigned short)65535, (size_t)SIZE_MAX,
                       (ssize_t)-1, (ptrdiff_t)PTRDIFF_MIN, INTMAX_MIN, UINTMAX_MAX);
    /* Defined but redundant flags, which the compiler would flag in a literal. */
    char redundant_flags[] = "%-0+ #8.3x|%0-8d|% +d|%+ d|%#o|%#.0o|%#.0x|%.0d.";
    check_against_libc(&t, redundant_flags, 0x1234u, 5, 7, 7, 0u, 0u, 0u, 0);
    check_against_libc(&t, "no conversions at all");
    check_against_libc(&t, "%s", "");
    check_against_libc(&t, "%i|%5i|%-5i|%05i", INT_MIN, INT_MIN, INT_MAX, -1);
    assert_no_mismatch(&t);
}

/* Canary pattern written past the area the formatter may touch. */
#define CANARY       0xA5
#define CANARY_SLACK 16

/* For every buffer size from 0 to the output's length + 2, format into
 * canary-filled buffers with both implementations and compare all bytes,
 * so any write past size shows up. */
static void check_truncation(const char *fmt, ...)
{
    va_list ap, ap2;
    char ours[OUT_SIZE + CANARY_SLACK], libc[OUT_SIZE + CANARY_SLACK];

    va_start(ap, fmt);
    va_copy(ap2, ap);
    int full = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    assert_in_range(full, 0, OUT_SIZE - 3);
    assert_int_equal(kvsnprintf(NULL, 0, fmt, ap), full); /* C99: NULL is fine when size is 0 */
    va_end(ap);

    for (size_t size = 0; size <= (size_t)full + 2; size++) {
        memset(ours, CANARY, sizeof(ours));
        memset(libc, CANARY, sizeof(libc));
        va_start(ap, fmt);
        va_copy(ap2, ap);
        assert_int_equal(kvsnprintf(ours, size, fmt, ap), full);
        assert_int_equal(vsnprintf(libc, size, fmt, ap2), full);
        va_end(ap2);
        va_end(ap);
        assert_memory_equal(ours, libc, sizeof(ours));
    }
}

static void test_truncation(void **state)
{
    (void)state;
    check_truncation("");
    check_truncation("x");
    check_truncation("hello %s!", "world");
    check_truncation("%-10d|%08x|%c", -42, 0xBEEFu, 'z');
    check_truncation("%20p", (void *)0x1234);
    check_truncation("%c%c%c", 'a', 0, 'b'); /* an embedded NUL */
}

#define BIG_WIDTH 5000

/* Like check_against_libc, for outputs of about BIG_WIDTH characters. */
static void check_big(const char *fmt, ...)
{
    static char ours[BIG_WIDTH + 100], libc[BIG_WIDTH + 100];
    va_list ap, ap2;

    va_start(ap, fmt);
    va_copy(ap2, ap);
    int our_len = kvsnprintf(ours, sizeof(ours), fmt, ap);
    int libc_len = vsnprintf(libc, sizeof(libc), fmt, ap2);
    va_end(ap2);
    va_end(ap);
    assert_int_equal(our_len, libc_len);
    assert_int_equal(our_len, BIG_WIDTH);
    assert_string_equal(ours, libc);
}

/* Padding is streamed, so widths and precisions far beyond any internal
 * buffer work. */
static void test_large_width(void **state)
{
    enum { HUGE_WIDTH = 100000, SMALL_BUF = 64 };
    char small[SMALL_BUF];

    (void)state;
    check_big("%5000d", 123);
    check_big("%-5000d", -123);
    check_big("%05000d", -123);
    check_big("%.5000d", 123);
    check_big("%#5000o", 8u);
    check_big("%5000s", "str");
    check_big("%-5000c", 'c');
    check_big("%*d", -BIG_WIDTH, 7);
    /* Far wider than the buffer: truncated, but the full length returned. */
    assert_int_equal(ksnprintf(small, sizeof(small), "%*d", HUGE_WIDTH, 1), HUGE_WIDTH);
    assert_int_equal(strlen(small), SMALL_BUF - 1);
}

/* %s with a precision must not read past precision bytes: the array below
 * has no terminator, and AddressSanitizer reports any read beyond it. */
static void test_unterminated_string(void **state)
{
    char *letters = malloc(4);
    char out[16];

    (void)state;
    assert_non_null(letters);
    memcpy(letters, "abcd", 4);
    assert_int_equal(ksnprintf(out, sizeof(out), "%.4s", letters), 4);
    assert_string_equal(out, "abcd");
    assert_int_equal(ksnprintf(out, sizeof(out), "%.2s|", letters), 3);
    assert_string_equal(out, "ab|");
    assert_int_equal(ksnprintf(out, sizeof(out), "%6.*s|", 3, letters), 7);
    assert_string_equal(out, "   abc|");
    free(letters);
}

/* A sink that keeps everything it is given, however long. */
struct collecting_sink {
    char text[OUT_SIZE];
    size_t count;
};

static void collect(char c, void *ctx)
{
    struct collecting_sink *sink = ctx;

    if (sink->count < sizeof(sink->text))
        sink->text[sink->count] = c;
    sink->count++;
}

static int format_to_sink(struct collecting_sink *sink, const char *fmt, ...)
{
    va_list ap;

    sink->count = 0;
    va_start(ap, fmt);
    int result = format_v(collect, sink, fmt, ap);
    va_end(ap);
    return result;
}

static void test_format_v_sink(void **state)
{
    struct collecting_sink sink;
    char libc[OUT_SIZE];

    (void)state;
    int len = snprintf(libc, sizeof(libc), "%s=%-6d|%#x|%c", "key", -5, 0xABCu, 0);
    assert_int_equal(format_to_sink(&sink, "%s=%-6d|%#x|%c", "key", -5, 0xABCu, 0), len);
    assert_int_equal(sink.count, (size_t)len);
    assert_memory_equal(sink.text, libc, (size_t)len); /* the sink sees the NUL of %c too */

    assert_int_equal(format_to_sink(&sink, "%12345d", 1), 12345);
    assert_int_equal(sink.count, 12345);
    assert_int_equal(format_to_sink(&sink, ""), 0);
    assert_int_equal(sink.count, 0);
}

/* An expected text for a format: fmt is passed through a variable so the
 * compiler does not reject the deliberately odd formats. */
struct choice {
    const char *fmt;
    const char *expected;
    bool ask_glibc; /* whether the host glibc must give the same text */
};

/* Check ours (and, where it should agree, glibc) against choice->expected. */
static void check_choice(const struct choice *choice, ...)
{
    char out[OUT_SIZE];
    va_list ap, ap2;

    va_start(ap, choice);
    va_copy(ap2, ap);
    int len = kvsnprintf(out, sizeof(out), choice->fmt, ap);
    if (strcmp(out, choice->expected) != 0 || len != (int)strlen(choice->expected))
        fail_msg("format \"%s\": got %d \"%s\", expected \"%s\"", choice->fmt, len, out,
                 choice->expected);
    if (choice->ask_glibc) {
        vsnprintf(out, sizeof(out), choice->fmt, ap2);
        if (strcmp(out, choice->expected) != 0)
            fail_msg("format \"%s\": host glibc now gives \"%s\"", choice->fmt, out);
    }
    va_end(ap2);
    va_end(ap);
}

/* Behaviour outside the C standard: glibc's where it defines one, and
 * unknown conversions printed literally (glibc drops length modifiers and
 * fills in '*': "%ly" -> "%y", "%*y" -> "%7y"; a trailing '%' is an error). */
static void test_implementation_choices(void **state)
{
    static const struct choice p_plus = {"%+p|% p|%#p", "+0x1| 0x1|0x1", true};
    static const struct choice p_prec = {"%.5p|%020p|%-6p|", "0x00001|0x0000000000000000ff|0x1   |",
                                         true};
    static const struct choice p_nil = {"%.3p|%+p|%08p|%-6p|", "(nil)|(nil)|   (nil)|(nil) |",
                                        true};
    static const struct choice zero_text = {"%05s|%05c|%-05d", "   ab|    x|3    ", true};
    static const struct choice alt_ignored = {"%#d|%#u|%#c|%#s|%.3c", "5|5|a|s|b", true};
    /* Out-of-range values are converted to the hh/h type first (7.21.6.1p7). */
    static const struct choice narrowed = {"%hhd|%hhu|%hd|%hu", "44|44|4464|4464", true};
    /* glibc agrees, but AddressSanitizer's printf interceptor warns about it. */
    static const struct choice percent = {"%5%|%-5%", "%|%", false};
    static const struct choice unknown = {"%y|%-5.3y|%ly|%#5.3hhy|%n", "%y|%-5.3y|%ly|%#5.3hhy|%n",
                                          false};
    static const struct choice unknown_star = {"[%*y][%d]", "[%*y][42]", false};
    static const struct choice trailing = {"abc%", "abc%", false};
    static const struct choice unfinished = {"abc%-5l", "abc%-5l", false};

    (void)state;
    check_choice(&p_plus, (void *)1, (void *)1, (void *)1);
    check_choice(&p_prec, (void *)1, (void *)255, (void *)1);
    check_choice(&p_nil, NULL, NULL, NULL, NULL);
    check_choice(&zero_text, "ab", 'x', 3);
    check_choice(&alt_ignored, 5, 5u, 'a', "s", 'b');
    check_choice(&narrowed, 300, 300, 70000, 70000);
    check_choice(&percent);
    check_choice(&unknown);
    check_choice(&unknown_star, 7, 42);
    check_choice(&trailing);
    check_choice(&unfinished);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exhaustive),    cmocka_unit_test(test_random),
        cmocka_unit_test(test_mixed_formats), cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_large_width),   cmocka_unit_test(test_unterminated_string),
        cmocka_unit_test(test_format_v_sink), cmocka_unit_test(test_implementation_choices),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
