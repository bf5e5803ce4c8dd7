/*
 * test_mbinfo.c - host tests for boot/loader/mbinfo.c: accepting E820
 * entries, the E801 fallback map, basic memory info and the Multiboot 2
 * information block.
 *
 * Expected values are written out by hand from the specs. The block built
 * by mb2_build_info() is checked twice: byte by byte here, and by parsing it
 * back with the kernel's own reader, boot_info_from_multiboot2()
 * (boot/multiboot/multiboot.c), which was written and tested independently.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include <boot/multiboot/multiboot.h>

#include <boot/loader/mbinfo.h>

#define KIB 1024ull
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)

#define USABLE   E820_TYPE_USABLE /* short names for the tables */
#define RESERVED E820_TYPE_RESERVED
#define ACPI     E820_TYPE_ACPI_RECLAIMABLE
#define NVS      E820_TYPE_ACPI_NVS

#define ENTRY(base, length, type)                                                                  \
    {                                                                                              \
        (base), (length), (type), E820_ACPI_ENTRY_VALID                                            \
    }

/* A QEMU/SeaBIOS map for -m 6G, with the ACPI tables' area split out into
 * "ACPI reclaimable" and "ACPI NVS", and the HyperTransport hole above 1 TiB. */
static const struct e820_entry qemu_map[] = {
    ENTRY(0x0, 0x9fc00, USABLE),         ENTRY(0x9fc00, 0x400, RESERVED),
    ENTRY(0xf0000, 0x10000, RESERVED),   ENTRY(0x100000, 0xbffe0000 - 0x100000, USABLE),
    ENTRY(0xbffe0000, 0x10000, ACPI),    ENTRY(0xbfff0000, 0x10000, NVS),
    ENTRY(0xfeffc000, 0x4000, RESERVED), ENTRY(0xfffc0000, 0x40000, RESERVED),
    ENTRY(0x100000000, 3 * GIB, USABLE), ENTRY(0xfd00000000, 0x300000000, RESERVED),
};
#define QEMU_COUNT     (sizeof(qemu_map) / sizeof(qemu_map[0]))
#define QEMU_LOWER_KIB 639     /* 0x9fc00 / 1024 */
#define QEMU_UPPER_KIB 3144576 /* (0xbffe0000 - 1 MiB) / 1024 */

/* ---------------------------------------------------------------- e820_accept */

static void test_accept_20_byte_answer(void **state)
{
    struct e820_entry e = {0x100000, 0x1000, USABLE, 0}; /* attributes: garbage */
    (void)state;
    assert_true(e820_accept(&e, 20));
    assert_int_equal(e.acpi_attributes, E820_ACPI_ENTRY_VALID);
    e.acpi_attributes = 0xdeadbee0;
    assert_true(e820_accept(&e, 20)); /* the BIOS never wrote them: ignored */
    assert_int_equal(e.acpi_attributes, E820_ACPI_ENTRY_VALID);
}

static void test_accept_24_byte_answer(void **state)
{
    struct e820_entry e = {0x100000, 0x1000, USABLE, 0x3}; /* enabled, non-volatile */
    (void)state;
    assert_true(e820_accept(&e, 24));
    assert_int_equal(e.acpi_attributes, 0x3); /* kept as the BIOS gave them */
    assert_int_equal(e.base, 0x100000);
    assert_int_equal(e.length, 0x1000);
    assert_int_equal(e.type, USABLE);
}

static void test_reject_ignored_entry(void **state)
{
    struct e820_entry e = {0x100000, 0x1000, USABLE, 0x2}; /* bit 0 clear */
    (void)state;
    assert_false(e820_accept(&e, 24));
    e.acpi_attributes = 0;
    assert_false(e820_accept(&e, 24));
}

static void test_reject_empty_entry(void **state)
{
    struct e820_entry e = {0x100000, 0, USABLE, 1};
    (void)state;
    assert_false(e820_accept(&e, 20));
    e.acpi_attributes = 1;
    assert_false(e820_accept(&e, 24));
}

static void test_reject_short_answer(void **state)
{
    struct e820_entry e = {0x100000, 0x1000, USABLE, 1};
    (void)state;
    assert_false(e820_accept(&e, 19));
    assert_false(e820_accept(&e, 0));
}

/* ---------------------------------------------------------------- e801_to_map */

static void check_entry(const struct e820_entry *e, uint64_t base, uint64_t length)
{
    assert_int_equal(e->base, base);
    assert_int_equal(e->length, length);
    assert_int_equal(e->type, USABLE);
    assert_int_equal(e->acpi_attributes, E820_ACPI_ENTRY_VALID);
}

static void test_e801_128_mib(void **state)
{
    struct e820_entry out[3];
    (void)state;
    /* AX = 3C00h (15 MiB), BX = 112 MiB / 64 KiB = 1792. */
    assert_int_equal(e801_to_map(639, 15360, 1792, out), 3);
    check_entry(&out[0], 0, 639 * KIB);
    check_entry(&out[1], 1 * MIB, 15 * MIB);
    check_entry(&out[2], 16 * MIB, 112 * MIB);
}

static void test_e801_without_memory_above_16m(void **state)
{
    struct e820_entry out[3];
    (void)state;
    assert_int_equal(e801_to_map(640, 7 * 1024, 0, out), 2);
    check_entry(&out[0], 0, 640 * KIB);
    check_entry(&out[1], 1 * MIB, 7 * MIB);
}

static void test_e801_hole_below_16m(void **state)
{
    struct e820_entry out[3];
    (void)state;
    /* 14 MiB from 1 MiB (a hole at 15-16 MiB), still 100 blocks above 16 MiB. */
    assert_int_equal(e801_to_map(639, 14 * 1024, 100, out), 3);
    check_entry(&out[1], 1 * MIB, 14 * MIB);
    check_entry(&out[2], 16 * MIB, 100 * 64 * KIB);
}

static void test_e801_zero_parts_omitted(void **state)
{
    struct e820_entry out[3];
    (void)state;
    assert_int_equal(e801_to_map(0, 15360, 16, out), 2);
    check_entry(&out[0], 1 * MIB, 15 * MIB);
    check_entry(&out[1], 16 * MIB, 1 * MIB);
    assert_int_equal(e801_to_map(0, 0, 0, out), 0);
}

static void test_e801_clamps_impossible_values(void **state)
{
    struct e820_entry out[3];
    (void)state;
    /* Conventional memory ends at 640 KiB, AX/CX at 15 MiB (RBIL: max 3C00h). */
    assert_int_equal(e801_to_map(700, 20000, 0xFFFF, out), 3);
    check_entry(&out[0], 0, 640 * KIB);
    check_entry(&out[1], 1 * MIB, 15 * MIB);
    check_entry(&out[2], 16 * MIB, 0xFFFFull * 64 * KIB); /* past 4 GiB, no wrap */
}

/* ---------------------------------------------------------------- e820_basic_memory */

static void expect_basic(const struct e820_entry *map, size_t count, uint32_t lower, uint32_t upper)
{
    uint32_t got_lower = 0xAAAAAAAA, got_upper = 0xAAAAAAAA;
    e820_basic_memory(map, count, &got_lower, &got_upper);
    assert_int_equal(got_lower, lower);
    assert_int_equal(got_upper, upper);
}

static void test_basic_qemu_map(void **state)
{
    (void)state;
    expect_basic(qemu_map, QEMU_COUNT, QEMU_LOWER_KIB, QEMU_UPPER_KIB);
}

static void test_basic_unsorted_map(void **state)
{
    static const size_t order[QEMU_COUNT] = {9, 3, 7, 0, 5, 8, 1, 6, 2, 4};
    struct e820_entry shuffled[QEMU_COUNT];
    (void)state;
    for (size_t i = 0; i < QEMU_COUNT; i++)
        shuffled[i] = qemu_map[order[i]];
    expect_basic(shuffled, QEMU_COUNT, QEMU_LOWER_KIB, QEMU_UPPER_KIB);
}

static void test_basic_split_entries_merge(void **state)
{
    const struct e820_entry map[] = {
        ENTRY(0x200000, 0x8000000 - 0x200000, USABLE),
        ENTRY(0x40000, 0x9f000 - 0x40000, USABLE),
        ENTRY(0x100000, 0x100000, USABLE),
        ENTRY(0x0, 0x40000, USABLE),
        ENTRY(0x9f000, 0x1000, RESERVED),
    };
    (void)state;
    expect_basic(map, 5, 636, 127 * 1024); /* 0x9f000 = 636 KiB; 1..128 MiB */
}

static void test_basic_overlapping_usable(void **state)
{
    const struct e820_entry map[] = {
        ENTRY(32 * MIB, 96 * MIB, USABLE),
        ENTRY(1 * MIB, 63 * MIB, USABLE),
    };
    (void)state;
    expect_basic(map, 2, 0, 127 * 1024);
}

static void test_basic_reserved_cuts_run(void **state)
{
    struct e820_entry map[] = {
        ENTRY(0, 640 * KIB, USABLE),
        ENTRY(1 * MIB, 127 * MIB, USABLE),
        ENTRY(16 * MIB, 4 * KIB, RESERVED),
    };
    (void)state;
    expect_basic(map, 3, 640, 15 * 1024);
    map[2] = (struct e820_entry)ENTRY(1 * MIB, 4 * KIB, RESERVED);
    expect_basic(map, 3, 640, 0);
    map[2] = (struct e820_entry)ENTRY(0xF0000, 0x11000, RESERVED); /* across 1 MiB */
    expect_basic(map, 3, 640, 0);
    map[2] = (struct e820_entry)ENTRY(0x9fc00, 0x400, RESERVED); /* inside lower memory */
    expect_basic(map, 3, 639, 127 * 1024);
    map[2] = (struct e820_entry)ENTRY(16 * MIB, 0, RESERVED); /* empty: no effect */
    expect_basic(map, 3, 640, 127 * 1024);
}

static void test_basic_holes_at_start(void **state)
{
    const struct e820_entry map[] = {
        ENTRY(0x1000, 0x9e000, USABLE),
        ENTRY(1 * MIB + 4 * KIB, 64 * MIB, USABLE),
    };
    (void)state;
    expect_basic(map, 2, 0, 0);
    expect_basic(map, 0, 0, 0);
}

static void test_basic_empty_entry_does_not_bridge(void **state)
{
    const struct e820_entry map[] = {
        ENTRY(1 * MIB, 1 * MIB, USABLE),
        ENTRY(2 * MIB, 0, USABLE),
        ENTRY(2 * MIB + 4 * KIB, 64 * MIB, USABLE),
    };
    (void)state;
    expect_basic(map, 3, 0, 1024);
}

static void test_basic_one_entry_from_zero(void **state)
{
    const struct e820_entry map[] = {ENTRY(0, 128 * MIB, USABLE)};
    (void)state;
    expect_basic(map, 1, 640, 127 * 1024); /* lower memory never exceeds 640 KiB */
}

static void test_basic_above_4gib_and_saturation(void **state)
{
    struct e820_entry map[] = {ENTRY(1 * MIB, 8 * GIB - 1 * MIB, USABLE)};
    (void)state;
    expect_basic(map, 1, 0, 8 * 1024 * 1024 - 1024);
    map[0].length = 8192 * GIB; /* 8 TiB: more KiB than a u32 holds */
    expect_basic(map, 1, 0, UINT32_MAX);
    map[0].length = UINT64_MAX; /* end beyond 2^64 */
    expect_basic(map, 1, 0, UINT32_MAX);
}

/* ---------------------------------------------------------------- mb2_build_info */

#define CMDLINE     "console=serial loglevel=3" /* 25 characters */
#define LOADER_NAME "Keel stage 2"              /* 12 characters */
/* 8 fixed + cmdline tag 8+26 -> 40 + name tag 8+13 -> 24 + meminfo 16
 * + mmap 16 + 10 * 24 = 256 + end 8. */
#define QEMU_BLOCK_SIZE 352

#define BLOCK_MAX 1024
#define CANARY    0xA5

static _Alignas(8) uint8_t block[BLOCK_MAX];

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4); /* the host is little endian, like the spec's i386 */
    return v;
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* Check a tag header at `offset` and return the offset of the next tag. */
static size_t check_tag(size_t offset, uint32_t type, uint32_t size)
{
    assert_int_equal(offset % 8, 0);
    assert_int_equal(get32(block + offset), type);
    assert_int_equal(get32(block + offset + 4), size);
    size_t next = offset + ((size + 7) & ~7u);
    for (size_t pad = offset + size; pad < next; pad++)
        assert_int_equal(block[pad], 0);
    return next;
}

static void test_block_bytes(void **state)
{
    (void)state;
    memset(block, CANARY, sizeof(block));
    size_t total = mb2_build_info(block, sizeof(block), CMDLINE, LOADER_NAME, qemu_map, QEMU_COUNT);
    assert_int_equal(total, QEMU_BLOCK_SIZE);
    assert_int_equal(get32(block), QEMU_BLOCK_SIZE);
    assert_int_equal(get32(block + 4), 0);

    size_t at = check_tag(8, 1, 8 + sizeof(CMDLINE));
    assert_memory_equal(block + 16, CMDLINE, sizeof(CMDLINE)); /* with its NUL */
    assert_int_equal(at, 48);
    at = check_tag(at, 2, 8 + sizeof(LOADER_NAME));
    assert_memory_equal(block + 56, LOADER_NAME, sizeof(LOADER_NAME));
    assert_int_equal(at, 72);

    size_t next = check_tag(at, 4, 16);
    assert_int_equal(get32(block + at + 8), QEMU_LOWER_KIB);
    assert_int_equal(get32(block + at + 12), QEMU_UPPER_KIB);
    at = next;

    next = check_tag(at, 6, 16 + 24 * QEMU_COUNT);
    assert_int_equal(get32(block + at + 8), 24); /* entry_size */
    assert_int_equal(get32(block + at + 12), 0); /* entry_version */
    for (size_t i = 0; i < QEMU_COUNT; i++) {
        const uint8_t *e = block + at + 16 + 24 * i;
        assert_int_equal(get64(e), qemu_map[i].base);
        assert_int_equal(get64(e + 8), qemu_map[i].length);
        assert_int_equal(get32(e + 16), qemu_map[i].type);
        assert_int_equal(get32(e + 20), 0);
    }
    at = next;

    at = check_tag(at, 0, 8);
    assert_int_equal(at, QEMU_BLOCK_SIZE);
    for (size_t i = QEMU_BLOCK_SIZE; i < sizeof(block); i++)
        assert_int_equal(block[i], CANARY);
}

static uint64_t bytes_of_type(const struct boot_info *info, enum mem_type type)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < info->region_count; i++)
        if (info->regions[i].type == type)
            sum += info->regions[i].length;
    return sum;
}

static void test_block_round_trip_through_kernel(void **state)
{
    static struct boot_info info;
    (void)state;
    assert_int_equal(
        mb2_build_info(block, sizeof(block), CMDLINE, LOADER_NAME, qemu_map, QEMU_COUNT),
        QEMU_BLOCK_SIZE);

    memset(&info, 0x5A, sizeof(info));
    assert_int_equal(boot_info_from_multiboot2(&info, 0, (uintptr_t)block), 0);
    assert_int_equal(info.protocol, BOOT_PROTOCOL_MULTIBOOT2);
    assert_string_equal(info.loader_name, LOADER_NAME);
    assert_string_equal(info.command_line, CMDLINE);
    assert_int_equal(info.regions_dropped, 0);

    /* Every region of the map, normalised by the kernel (nothing touches). */
    assert_int_equal(info.region_count, QEMU_COUNT);
    assert_int_equal(bytes_of_type(&info, MEM_USABLE), 0x9fc00 + (0xbffe0000 - 0x100000) + 3 * GIB);
    assert_int_equal(boot_info_usable_bytes(&info), 0x9fc00 + (0xbffe0000 - 0x100000) + 3 * GIB);
    assert_int_equal(bytes_of_type(&info, MEM_RESERVED),
                     0x400 + 0x10000 + 0x4000 + 0x40000 + 0x300000000);
    assert_int_equal(bytes_of_type(&info, MEM_ACPI_RECLAIMABLE), 0x10000);
    assert_int_equal(bytes_of_type(&info, MEM_ACPI_NVS), 0x10000);
    assert_int_equal(bytes_of_type(&info, MEM_BAD), 0);
    assert_int_equal(info.regions[8].base, 4 * GIB);
    assert_int_equal(info.regions[8].length, 3 * GIB);
    assert_int_equal(info.regions[9].base, 0xfd00000000);
    assert_int_equal(info.regions[9].type, MEM_RESERVED);
}

static void test_block_capacity_too_small(void **state)
{
    static _Alignas(8) uint8_t small[QEMU_BLOCK_SIZE + 64];
    (void)state;
    for (size_t capacity = 0; capacity < QEMU_BLOCK_SIZE; capacity++) {
        memset(small, CANARY, sizeof(small));
        assert_int_equal(
            mb2_build_info(small, capacity, CMDLINE, LOADER_NAME, qemu_map, QEMU_COUNT), 0);
        for (size_t i = 0; i < sizeof(small); i++) /* nothing written, not even below */
            assert_int_equal(small[i], CANARY);
    }
    memset(small, CANARY, sizeof(small));
    assert_int_equal(
        mb2_build_info(small, QEMU_BLOCK_SIZE, CMDLINE, LOADER_NAME, qemu_map, QEMU_COUNT),
        QEMU_BLOCK_SIZE);
    for (size_t i = QEMU_BLOCK_SIZE; i < sizeof(small); i++)
        assert_int_equal(small[i], CANARY);
}

/* String tags: exactly aligned (7 characters: 8 + 8 = 16), padded (8
 * characters: 17 -> 24), empty, and NULL taken as empty. */
static void test_block_string_padding(void **state)
{
    (void)state;
    memset(block, CANARY, sizeof(block));
    size_t total = mb2_build_info(block, sizeof(block), "1234567", "12345678", NULL, 0);
    /* 8 + 16 + 24 + 16 + 16 + 8 */
    assert_int_equal(total, 88);
    assert_int_equal(get32(block), 88);
    size_t at = check_tag(8, 1, 16);
    assert_string_equal((const char *)block + 16, "1234567");
    at = check_tag(at, 2, 17);
    assert_string_equal((const char *)block + 32, "12345678");
    size_t meminfo = at;
    at = check_tag(at, 4, 16);
    assert_int_equal(get32(block + meminfo + 8), 0);
    assert_int_equal(get32(block + meminfo + 12), 0);
    at = check_tag(at, 6, 16);
    at = check_tag(at, 0, 8);
    assert_int_equal(at, 88);

    memset(block, CANARY, sizeof(block));
    total = mb2_build_info(block, sizeof(block), "", NULL, qemu_map, 1);
    assert_int_equal(total, 8 + 16 + 16 + 16 + 40 + 8);
    at = check_tag(8, 1, 9);
    assert_int_equal(block[16], 0);
    at = check_tag(at, 2, 9);
    assert_int_equal(block[32], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accept_20_byte_answer),
        cmocka_unit_test(test_accept_24_byte_answer),
        cmocka_unit_test(test_reject_ignored_entry),
        cmocka_unit_test(test_reject_empty_entry),
        cmocka_unit_test(test_reject_short_answer),
        cmocka_unit_test(test_e801_128_mib),
        cmocka_unit_test(test_e801_without_memory_above_16m),
        cmocka_unit_test(test_e801_hole_below_16m),
        cmocka_unit_test(test_e801_zero_parts_omitted),
        cmocka_unit_test(test_e801_clamps_impossible_values),
        cmocka_unit_test(test_basic_qemu_map),
        cmocka_unit_test(test_basic_unsorted_map),
        cmocka_unit_test(test_basic_split_entries_merge),
        cmocka_unit_test(test_basic_overlapping_usable),
        cmocka_unit_test(test_basic_reserved_cuts_run),
        cmocka_unit_test(test_basic_holes_at_start),
        cmocka_unit_test(test_basic_empty_entry_does_not_bridge),
        cmocka_unit_test(test_basic_one_entry_from_zero),
        cmocka_unit_test(test_basic_above_4gib_and_saturation),
        cmocka_unit_test(test_block_bytes),
        cmocka_unit_test(test_block_round_trip_through_kernel),
        cmocka_unit_test(test_block_capacity_too_small),
        cmocka_unit_test(test_block_string_padding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
