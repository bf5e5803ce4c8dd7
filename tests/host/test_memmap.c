/*
 * test_memmap.c - host tests for memmap_normalize() (boot/memmap.c).
 *
 * Hand-written cases check each rule with expectations written out in full;
 * a randomized test compares against a brute-force model that records the
 * type of every single address of a small address space (at 0 and just
 * below 2^64, where clipping applies) and checks the normalised output
 * against it address by address.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include <boot/memmap.h>

#include <tests/host/test_random.h>

#define U   MEM_USABLE
#define ACR MEM_ACPI_RECLAIMABLE
#define NVS MEM_ACPI_NVS
#define RES MEM_RESERVED
#define BAD MEM_BAD

#define MAX_OUT 64

static struct mem_region out[MAX_OUT];

static void check_regions(const struct mem_region *actual, size_t actual_n,
                          const struct mem_region *expected, size_t expected_n)
{
    assert_int_equal(actual_n, expected_n);
    for (size_t i = 0; i < expected_n; i++) {
        if (actual[i].base != expected[i].base || actual[i].length != expected[i].length ||
            actual[i].type != expected[i].type)
            print_error("region %zu: got {%#llx, %#llx, %d}, expected {%#llx, %#llx, %d}\n", i,
                        (unsigned long long)actual[i].base, (unsigned long long)actual[i].length,
                        actual[i].type, (unsigned long long)expected[i].base,
                        (unsigned long long)expected[i].length, expected[i].type);
        assert_int_equal(actual[i].base, expected[i].base);
        assert_int_equal(actual[i].length, expected[i].length);
        assert_int_equal(actual[i].type, expected[i].type);
    }
}

#define NORMALIZE_AND_CHECK(input, expected)                                                       \
    do {                                                                                           \
        size_t n_ = memmap_normalize(input, sizeof(input) / sizeof(input[0]), out, MAX_OUT);       \
        check_regions(out, n_, expected, sizeof(expected) / sizeof(expected[0]));                  \
    } while (0)

static void test_empty_input(void **state)
{
    (void)state;
    assert_int_equal(memmap_normalize(NULL, 0, out, MAX_OUT), 0);
}

static void test_unsorted_input_is_sorted(void **state)
{
    struct mem_region in[] = {
        {0x300000, 0x1000, U},
        {0x1000, 0x1000, RES},
        {0x100000, 0x100000, U},
    };
    const struct mem_region expected[] = {
        {0x1000, 0x1000, RES},
        {0x100000, 0x100000, U},
        {0x300000, 0x1000, U},
    };
    (void)state;
    NORMALIZE_AND_CHECK(in, expected);
}

static void test_overlap_takes_restrictive_type(void **state)
{
    struct mem_region in[] = {
        {0x0000, 0x8000, U}, {0x6000, 0x4000, RES}, /* covers the usable tail and beyond */
    };
    const struct mem_region expected[] = {
        {0x0000, 0x6000, U},
        {0x6000, 0x4000, RES},
    };
    (void)state;
    NORMALIZE_AND_CHECK(in, expected);
}

static void test_overlap_usable_listed_last(void **state)
{
    /* Order must not matter: the reserved range still wins. */
    struct mem_region in[] = {
        {0x6000, 0x4000, NVS},
        {0x0000, 0x10000, U},
    };
    const struct mem_region expected[] = {
        {0x0000, 0x6000, U},
        {0x6000, 0x4000, NVS},
        {0xA000, 0x6000, U},
    };
    (void)state;
    NORMALIZE_AND_CHECK(in, expected);
}

static void test_nested_regions(void **state)
{
    struct mem_region in[] = {
        {0x0, 0x100000, U},
        {0x10000, 0x80000, ACR},
        {0x20000, 0x1000, BAD},
        {0x30000, 0x1000, U}, /* inside ACPI: the ACPI type wins */
    };
    const struct mem_region expected[] = {
        {0x0, 0x10000, U},       {0x10000, 0x10000, ACR}, {0x20000, 0x1000, BAD},
        {0x21000, 0x6F000, ACR}, {0x90000, 0x70000, U},
    };
    (void)state;
    NORMALIZE_AND_CHECK(in, expected);
}

static void test_nested_same_type_collapses(void **state)
{
    struct mem_region in[] = {
        {0x1000, 0x9000, RES}, {0x2000, 0x1000, RES}, {0x1000, 0x9000, RES}, /* exact duplicate */
    };
    const struct mem_region expected[] = {{0x1000, 0x9000, RES}};
    (void)state;
    NORMALIZE_AND_CHECK(in, expected);
}

static void test_adjacent_same_type_merged(void **state)
{
    struct mem_region in[] = {
        {0x2000, 0x1000, U},
        {0x0000, 0x1000, U},
        {0x1000, 0x1000, U},
        {0x5000, 0x1000, U}, /* gap before it: stays separate */
    };
    const struct mem_region expected[] = {
        {0x0000, 0x3000, U},
        {0x5000, 0x1000, U},
    };
    (void)state;
    NORMALIZE_AND_CHECK(in, expected);
}

static void test_adjacent_different_types_kept(void **state)
{
    struct mem_region in[] = {
        {0x0000, 0x1000, U},
        {0x1000, 0x1000, RES},
        {0x2000, 0x1000, U},
    };
    const struct mem_region expected[] = {
        {0x0000, 0x1000, U},
        {0x1000, 0x1000, RES},
        {0x2000, 0x1000, U},
    };
    (void)state;
    NORMALIZE_AND_CHECK(in, expected);
}

static void test_merge_across_overlap_resolution(void **state)
{
    /* Two touching usable pieces with a reserved range across their seam:
     * the usable parts left and right of it must not merge. */
    struct mem_region in[] = {
        {0x0000, 0x4000, U},
        {0x4000, 0x4000, U},
        {0x3000, 0x2000, RES},
    };
    const struct mem_region expected[] = {
        {0x0000, 0x3000, U},
        {0x3000, 0x2000, RES},
        {0x5000, 0x3000, U},
    };
    (void)state;
    NORMALIZE_AND_CHECK(in, expected);
}

static void test_zero_length_dropped(void **state)
{
    struct mem_region in[] = {
        {0x5000, 0, RES},
        {0x0000, 0x1000, U},
        {0x800, 0, BAD}, /* inside a usable region: must not split it */
        {0x1000, 0x1000, U},
    };
    const struct mem_region expected[] = {{0x0000, 0x2000, U}};
    (void)state;
    NORMALIZE_AND_CHECK(in, expected);
}

static void test_all_zero_length(void **state)
{
    struct mem_region in[] = {{0x1000, 0, U}, {0, 0, RES}};
    (void)state;
    assert_int_equal(memmap_normalize(in, 2, out, MAX_OUT), 0);
}

static void test_overflow_clipped(void **state)
{
    struct mem_region in[] = {
        {0xFFFFFFFF00000000ull, UINT64_MAX, RES}, /* would wrap past 2^64 */
        {0xFFFFFFFFFFFFFFFFull, 0x10, BAD},       /* nothing left after clipping */
        {0xFFFFFFFFFFFFF000ull, 0x1000, U},       /* ends exactly at 2^64 */
        {0x100000000ull, 0x100000000ull, U},      /* ordinary memory above 4 GiB */
    };
    const struct mem_region expected[] = {
        {0x100000000ull, 0x100000000ull, U},
        {0xFFFFFFFF00000000ull, 0xFFFFFFFFull, RES}, /* up to 2^64 - 1, exclusive */
    };
    (void)state;
    NORMALIZE_AND_CHECK(in, expected);
}

static void test_whole_address_space(void **state)
{
    struct mem_region in[] = {
        {0, UINT64_MAX, U},
        {0, UINT64_MAX, U},
    };
    const struct mem_region expected[] = {{0, UINT64_MAX, U}};
    (void)state;
    NORMALIZE_AND_CHECK(in, expected);
}

static void test_unknown_type_treated_as_reserved(void **state)
{
    struct mem_region in[] = {
        {0x0000, 0x4000, U},
        {0x1000, 0x1000, (enum mem_type)0},
        {0x2000, 0x1000, (enum mem_type)99},
    };
    const struct mem_region expected[] = {
        {0x0000, 0x1000, U},
        {0x1000, 0x2000, RES},
        {0x3000, 0x1000, U},
    };
    (void)state;
    NORMALIZE_AND_CHECK(in, expected);
}

static void test_capacity_exceeded(void **state)
{
    struct mem_region in[] = {
        {0x5000, 0x100, U}, {0x1000, 0x100, U},   {0x4000, 0x100, RES},
        {0x3000, 0x100, U}, {0x2000, 0x100, BAD},
    };
    struct mem_region small[3];
    const struct mem_region sentinel = {0xDEAD, 0xBEEF, BAD};
    const struct mem_region expected[] = {
        {0x1000, 0x100, U},
        {0x2000, 0x100, BAD},
    };
    (void)state;
    small[2] = sentinel;
    /* Needs 5; the lowest two are written, nothing past capacity. */
    assert_int_equal(memmap_normalize(in, 5, small, 2), 5);
    check_regions(small, 2, expected, 2);
    assert_memory_equal(&small[2], &sentinel, sizeof(sentinel));
}

static void test_capacity_zero_writes_nothing(void **state)
{
    struct mem_region in[] = {{0x1000, 0x1000, U}, {0x3000, 0x1000, U}};
    (void)state;
    assert_int_equal(memmap_normalize(in, 2, NULL, 0), 2);
}

static void test_many_regions(void **state)
{
    /* 128 single pages in reverse order, alternating usable and reserved,
     * every fourth overlapped by a bad page. */
    struct mem_region in[160];
    size_t n = 0;
    struct mem_region result[256];

    (void)state;
    for (int i = 127; i >= 0; i--)
        in[n++] = (struct mem_region){(uint64_t)i * 0x1000, 0x1000, i % 2 ? RES : U};
    for (int i = 0; i < 128; i += 4)
        in[n++] = (struct mem_region){(uint64_t)i * 0x1000, 0x1000, BAD};
    size_t got = memmap_normalize(in, n, result, 256);
    assert_int_equal(got, 128);
    for (size_t i = 0; i < 128; i++) {
        enum mem_type want = i % 4 == 0 ? BAD : (i % 2 ? RES : U);
        assert_int_equal(result[i].base, i * 0x1000);
        assert_int_equal(result[i].length, 0x1000);
        assert_int_equal(result[i].type, want);
    }
}

/* ---- randomized comparison against a per-address model ---- */

#define SPACE      256 /* addresses modelled */
#define MAX_INPUT  24
#define ITERATIONS 4000

/* Model: per address of [origin, origin + SPACE), the largest type of any
 * region containing it, 0 for none. Address 2^64 - 1 is never describable. */
static void model_fill(const struct mem_region *in, size_t n, uint64_t origin, int model[SPACE])
{
    for (int a = 0; a < SPACE; a++) {
        uint64_t addr = origin + (uint64_t)a;
        model[a] = 0;
        if (addr == UINT64_MAX)
            continue;
        for (size_t i = 0; i < n; i++)
            if (addr >= in[i].base && addr - in[i].base < in[i].length &&
                (int)in[i].type > model[a])
                model[a] = (int)in[i].type;
    }
}

/* The output, expanded to addresses, must equal the model; and it must be
 * in canonical form: sorted, non-empty, disjoint, touching ones differ. */
static void check_against_model(const struct mem_region *res, size_t n, uint64_t origin,
                                const int model[SPACE])
{
    int seen[SPACE] = {0};

    for (size_t i = 0; i < n; i++) {
        assert_true(res[i].length > 0);
        assert_true(res[i].base >= origin);
        assert_true(res[i].base - origin + res[i].length <= SPACE);
        if (i > 0) {
            uint64_t prev_end = res[i - 1].base + res[i - 1].length;
            assert_true(prev_end <= res[i].base);
            if (prev_end == res[i].base)
                assert_int_not_equal(res[i - 1].type, res[i].type);
        }
        for (uint64_t a = res[i].base - origin; a < res[i].base - origin + res[i].length; a++)
            seen[a] = (int)res[i].type;
    }
    for (int a = 0; a < SPACE; a++) {
        if (seen[a] != model[a])
            print_error("address origin+%d: got type %d, model %d\n", a, seen[a], model[a]);
        assert_int_equal(seen[a], model[a]);
    }
}

/* One random input of up to MAX_INPUT regions starting in the window at
 * origin. With `contained`, regions end inside the window; otherwise lengths
 * go up to 3 * SPACE (used at the top of the address space, to cross 2^64). */
static void random_round(uint64_t origin, bool contained)
{
    struct mem_region in[MAX_INPUT];
    struct mem_region copy[MAX_INPUT];
    struct mem_region res[2 * MAX_INPUT + 1];
    int model[SPACE];
    size_t n = rng_below(MAX_INPUT + 1);

    for (size_t i = 0; i < n; i++) {
        unsigned offset = rng_below(SPACE);
        unsigned max_length = contained ? SPACE - offset : 3 * SPACE;
        in[i].base = origin + offset;
        in[i].length = rng_below(4) == 0 ? 0 : rng_below(max_length + 1);
        in[i].type = (enum mem_type)(1 + rng_below(5));
    }
    memcpy(copy, in, sizeof(in));
    model_fill(copy, n, origin, model);
    size_t got = memmap_normalize(in, n, res, 2 * MAX_INPUT + 1);
    assert_true(got <= 2 * MAX_INPUT + 1);
    check_against_model(res, got, origin, model);
}

static void test_random_against_model_low(void **state)
{
    (void)state;
    for (int i = 0; i < ITERATIONS; i++)
        random_round(0, true);
}

static void test_random_against_model_top(void **state)
{
    (void)state;
    /* The window's last address is 2^64 - 1, which clipping excludes. */
    for (int i = 0; i < ITERATIONS; i++)
        random_round(UINT64_MAX - (SPACE - 1), false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_unsorted_input_is_sorted),
        cmocka_unit_test(test_overlap_takes_restrictive_type),
        cmocka_unit_test(test_overlap_usable_listed_last),
        cmocka_unit_test(test_nested_regions),
        cmocka_unit_test(test_nested_same_type_collapses),
        cmocka_unit_test(test_adjacent_same_type_merged),
        cmocka_unit_test(test_adjacent_different_types_kept),
        cmocka_unit_test(test_merge_across_overlap_resolution),
        cmocka_unit_test(test_zero_length_dropped),
        cmocka_unit_test(test_all_zero_length),
        cmocka_unit_test(test_overflow_clipped),
        cmocka_unit_test(test_whole_address_space),
        cmocka_unit_test(test_unknown_type_treated_as_reserved),
        cmocka_unit_test(test_capacity_exceeded),
        cmocka_unit_test(test_capacity_zero_writes_nothing),
        cmocka_unit_test(test_many_regions),
        cmocka_unit_test(test_random_against_model_low),
        cmocka_unit_test(test_random_against_model_top),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
