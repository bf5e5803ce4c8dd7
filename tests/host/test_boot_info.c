/*
 * test_boot_info.c - host tests for the Multiboot translators
 * (boot/multiboot/multiboot.c) and the boot_info queries (boot/boot_info.c).
 *
 * Each test builds a Multiboot 1 or 2 information block byte by byte in an
 * "image" whose offsets act as physical addresses, then copies it into a heap
 * buffer of exactly the image's size: AddressSanitizer then reports any read
 * past the block, which is how the malformed-input tests check bounds.
 * Expected regions and sums are written out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <boot/boot_info.h>
#include <boot/multiboot/multiboot.h>

#define U   MEM_USABLE
#define ACR MEM_ACPI_RECLAIMABLE
#define NVS MEM_ACPI_NVS
#define RES MEM_RESERVED
#define BAD MEM_BAD

#define KERNEL_START_SENTINEL 0x1234567890ull
#define KERNEL_END_SENTINEL   0xABCDEF0123ull

/* ---- building information blocks ---- */

struct image {
    uint8_t bytes[16384];
    size_t len;
};

struct entry {
    uint64_t base;
    uint64_t length;
    uint32_t type; /* Multiboot numbering: 1 available, 2 reserved, ... */
};

static struct image img;

static void put_u32(size_t offset, uint32_t v)
{
    memcpy(img.bytes + offset, &v, sizeof(v)); /* the host is little endian, as the specs */
}

static void put_u64(size_t offset, uint64_t v)
{
    memcpy(img.bytes + offset, &v, sizeof(v));
}

static uint32_t get_u32(size_t offset)
{
    uint32_t v;
    memcpy(&v, img.bytes + offset, sizeof(v));
    return v;
}

/* Append n bytes (zeroed when data is NULL); returns their offset. */
static size_t append(const void *data, size_t n)
{
    size_t at = img.len;
    assert_true(at + n <= sizeof(img.bytes));
    if (data)
        memcpy(img.bytes + at, data, n);
    else
        memset(img.bytes + at, 0, n);
    img.len += n;
    return at;
}

static size_t append_string(const char *s)
{
    return append(s, strlen(s) + 1);
}

/* Run a translator on a heap copy of exactly the image; check the caller's
 * fields are untouched and both strings are terminated. */
static int run(int (*translate)(struct boot_info *, uint32_t, uintptr_t), struct boot_info *bi)
{
    uint8_t *phys = malloc(img.len);
    assert_non_null(phys);
    memcpy(phys, img.bytes, img.len);
    memset(bi, 0xAA, sizeof(*bi)); /* garbage that must be overwritten */
    bi->kernel_phys_start = KERNEL_START_SENTINEL;
    bi->kernel_phys_end = KERNEL_END_SENTINEL;

    int status = translate(bi, 0, (uintptr_t)phys);

    free(phys);
    assert_int_equal(bi->kernel_phys_start, KERNEL_START_SENTINEL);
    assert_int_equal(bi->kernel_phys_end, KERNEL_END_SENTINEL);
    assert_true(memchr(bi->loader_name, '\0', BOOT_INFO_STRING_MAX) != NULL);
    assert_true(memchr(bi->command_line, '\0', BOOT_INFO_STRING_MAX) != NULL);
    assert_true(bi->region_count <= BOOT_INFO_MAX_REGIONS);
    assert_true(bi->module_count <= BOOT_INFO_MAX_MODULES);
    for (size_t i = 0; i < bi->module_count; i++)
        assert_true(memchr(bi->modules[i].command_line, '\0', BOOT_INFO_STRING_MAX) != NULL);
    return status;
}

static void check_regions(const struct boot_info *bi, const struct mem_region *expected, size_t n)
{
    assert_int_equal(bi->region_count, n);
    for (size_t i = 0; i < n; i++) {
        if (bi->regions[i].base != expected[i].base ||
            bi->regions[i].length != expected[i].length || bi->regions[i].type != expected[i].type)
            print_error("region %zu: got {%#llx, %#llx, %d}, expected {%#llx, %#llx, %d}\n", i,
                        (unsigned long long)bi->regions[i].base,
                        (unsigned long long)bi->regions[i].length, bi->regions[i].type,
                        (unsigned long long)expected[i].base,
                        (unsigned long long)expected[i].length, expected[i].type);
        assert_int_equal(bi->regions[i].base, expected[i].base);
        assert_int_equal(bi->regions[i].length, expected[i].length);
        assert_int_equal(bi->regions[i].type, expected[i].type);
    }
}

#define CHECK_REGIONS(bi, expected)                                                                \
    check_regions(bi, expected, sizeof(expected) / sizeof(expected[0]))

/* ---- Multiboot 1 (spec 0.6.96, section 3.3) ---- */

#define MB1_INFO_SIZE   68 /* through boot_loader_name: nothing later is ever read */
#define MB1_FLAGS       0
#define MB1_MEM_LOWER   4
#define MB1_MEM_UPPER   8
#define MB1_CMDLINE     16
#define MB1_MMAP_LENGTH 44
#define MB1_MMAP_ADDR   48
#define MB1_LOADER_NAME 64
#define MB1_MODS_COUNT  20
#define MB1_MODS_ADDR   24
#define MB1_F_MEM       (1u << 0)
#define MB1_F_CMDLINE   (1u << 2)
#define MB1_F_MODS      (1u << 3)
#define MB1_F_MMAP      (1u << 6)
#define MB1_F_LOADER    (1u << 9)

static void mb1_begin(uint32_t flags)
{
    img.len = 0;
    append(NULL, MB1_INFO_SIZE);
    put_u32(MB1_FLAGS, flags);
}

static void mb1_set_flag(uint32_t flag)
{
    put_u32(MB1_FLAGS, get_u32(MB1_FLAGS) | flag);
}

static void mb1_meminfo(uint32_t lower_kib, uint32_t upper_kib)
{
    mb1_set_flag(MB1_F_MEM);
    put_u32(MB1_MEM_LOWER, lower_kib);
    put_u32(MB1_MEM_UPPER, upper_kib);
}

static void mb1_cmdline(const char *s)
{
    mb1_set_flag(MB1_F_CMDLINE);
    put_u32(MB1_CMDLINE, (uint32_t)append_string(s));
}

static void mb1_loader_name(const char *s)
{
    mb1_set_flag(MB1_F_LOADER);
    put_u32(MB1_LOADER_NAME, (uint32_t)append_string(s));
}

/* Append one raw mmap entry with the given `size` field (20 is standard). */
static void mb1_raw_entry(uint32_t size, const struct entry *e)
{
    size_t at = append(NULL, 4 + size);
    put_u32(at, size);
    if (size >= 20) {
        put_u64(at + 4, e->base);
        put_u64(at + 12, e->length);
        put_u32(at + 20, e->type);
    }
}

static size_t mb1_mmap_begin(void)
{
    mb1_set_flag(MB1_F_MMAP);
    put_u32(MB1_MMAP_ADDR, (uint32_t)img.len);
    return img.len;
}

static void mb1_mmap_end(size_t start)
{
    put_u32(MB1_MMAP_LENGTH, (uint32_t)(img.len - start));
}

static void mb1_mmap(const struct entry *entries, size_t n)
{
    size_t start = mb1_mmap_begin();
    for (size_t i = 0; i < n; i++)
        mb1_raw_entry(20, &entries[i]);
    mb1_mmap_end(start);
}

/* The map QEMU's -kernel loader passes for -m 128 (pc machine). */
static const struct entry qemu_128m[] = {
    {0x0, 0x9FC00, 1},        {0x9FC00, 0x400, 2},     {0xF0000, 0x10000, 2},
    {0x100000, 0x7EE0000, 1}, {0x7FE0000, 0x20000, 2}, {0xFFFC0000, 0x40000, 2},
};

static void test_mb1_qemu_like(void **state)
{
    struct boot_info bi;
    const struct mem_region expected[] = {
        {0x0, 0x9FC00, U},        {0x9FC00, 0x400, RES},     {0xF0000, 0x10000, RES},
        {0x100000, 0x7EE0000, U}, {0x7FE0000, 0x20000, RES}, {0xFFFC0000, 0x40000, RES},
    };
    (void)state;
    mb1_begin(0);
    mb1_meminfo(639, 2097152); /* 2 GiB: inconsistent, the map must win */
    mb1_cmdline("console=serial");
    mb1_loader_name("qemu");
    mb1_mmap(qemu_128m, 6);

    assert_int_equal(run(boot_info_from_multiboot1, &bi), 0);
    assert_int_equal(bi.protocol, BOOT_PROTOCOL_MULTIBOOT1);
    assert_string_equal(bi.loader_name, "qemu");
    assert_string_equal(bi.command_line, "console=serial");
    CHECK_REGIONS(&bi, expected);
    assert_int_equal(bi.regions_dropped, 0);
    /* 0x9FC00 + 0x7EE0000 = 654336 + 133038080 bytes: "127 MiB" */
    assert_int_equal(boot_info_usable_bytes(&bi), 133692416ull);
}

static void test_mb1_unsorted_overlapping(void **state)
{
    struct boot_info bi;
    const struct entry map[] = {
        {0x100000, 0x3F00000, 1},                           /* 1 MiB .. 64 MiB usable */
        {0x0, 0xA0000, 1},        {0x2000000, 0x100000, 2}, /* reserved hole at 32 MiB */
        {0x9F000, 0x1000, 4},    /* NVS overlapping the end of low memory */
        {0x3FF0000, 0x20000, 3}, /* ACPI tables straddling the end of RAM */
        {0x80000, 0x10000, 1},   /* duplicate usable inside low memory */
    };
    const struct mem_region expected[] = {
        {0x0, 0x9F000, U},          {0x9F000, 0x1000, NVS},    {0x100000, 0x1F00000, U},
        {0x2000000, 0x100000, RES}, {0x2100000, 0x1EF0000, U}, {0x3FF0000, 0x20000, ACR},
    };
    (void)state;
    mb1_begin(0);
    mb1_mmap(map, 6);
    assert_int_equal(run(boot_info_from_multiboot1, &bi), 0);
    CHECK_REGIONS(&bi, expected);
}

static void test_mb1_fallback_to_meminfo(void **state)
{
    struct boot_info bi;
    const struct mem_region expected[] = {
        {0x0, 639 * 1024, U},            /* 654336 */
        {0x100000, 130048 * 1024ull, U}, /* 133169152 */
    };
    (void)state;
    mb1_begin(0);
    mb1_meminfo(639, 130048);
    assert_int_equal(run(boot_info_from_multiboot1, &bi), 0);
    CHECK_REGIONS(&bi, expected);
    assert_int_equal(boot_info_usable_bytes(&bi), 654336ull + 133169152ull);
}

static void test_mb1_empty_map_falls_back(void **state)
{
    struct boot_info bi;
    const struct mem_region expected[] = {{0x0, 0x1000, U}, {0x100000, 0x100000, U}};
    (void)state;
    mb1_begin(0);
    mb1_meminfo(4, 1024);
    mb1_mmap(NULL, 0);
    assert_int_equal(run(boot_info_from_multiboot1, &bi), 0);
    CHECK_REGIONS(&bi, expected);
}

static void test_mb1_no_memory_information(void **state)
{
    struct boot_info bi;
    (void)state;
    mb1_begin(0);
    assert_int_equal(run(boot_info_from_multiboot1, &bi), -MULTIBOOT_ERR_NO_MEMORY_MAP);
    assert_int_equal(bi.protocol, BOOT_PROTOCOL_MULTIBOOT1);
    assert_int_equal(bi.region_count, 0);
    assert_int_equal(bi.regions_dropped, 0);
    assert_string_equal(bi.loader_name, "");
    assert_string_equal(bi.command_line, "");
}

static void test_mb1_missing_strings_are_empty(void **state)
{
    struct boot_info bi;
    (void)state;
    mb1_begin(0);
    mb1_meminfo(639, 1024);
    put_u32(MB1_CMDLINE, 0x7FFFFFFF); /* flag clear: must not be followed */
    put_u32(MB1_LOADER_NAME, 0x7FFFFFFF);
    assert_int_equal(run(boot_info_from_multiboot1, &bi), 0);
    assert_string_equal(bi.loader_name, "");
    assert_string_equal(bi.command_line, "");
}

static void test_mb1_long_strings_truncated(void **state)
{
    struct boot_info bi;
    char long_cmdline[301];
    char exact[BOOT_INFO_STRING_MAX];        /* 127 characters: fits exactly */
    char one_over[BOOT_INFO_STRING_MAX + 1]; /* 128 characters: loses one */
    (void)state;

    memset(long_cmdline, 'c', 300);
    long_cmdline[300] = '\0';
    memset(exact, 'e', sizeof(exact) - 1);
    exact[sizeof(exact) - 1] = '\0';
    memset(one_over, 'o', sizeof(one_over) - 1);
    one_over[sizeof(one_over) - 1] = '\0';

    mb1_begin(0);
    mb1_meminfo(639, 1024);
    mb1_cmdline(long_cmdline);
    mb1_loader_name(exact);
    assert_int_equal(run(boot_info_from_multiboot1, &bi), 0);
    assert_int_equal(strlen(bi.command_line), 127);
    assert_memory_equal(bi.command_line, long_cmdline, 127);
    assert_string_equal(bi.loader_name, exact);

    mb1_begin(0);
    mb1_meminfo(639, 1024);
    mb1_loader_name(one_over);
    assert_int_equal(run(boot_info_from_multiboot1, &bi), 0);
    assert_int_equal(strlen(bi.loader_name), 127);
    assert_memory_equal(bi.loader_name, one_over, 127);
}

static void test_mb1_entry_size_zero(void **state)
{
    struct boot_info bi;
    const struct entry good = {0x0, 0x9F000, 1};
    const struct mem_region expected[] = {{0x0, 0x9F000, U}};
    (void)state;
    mb1_begin(0);
    size_t start = mb1_mmap_begin();
    mb1_raw_entry(20, &good);
    mb1_raw_entry(0, NULL);
    mb1_raw_entry(20, &good);
    mb1_mmap_end(start);
    assert_int_equal(run(boot_info_from_multiboot1, &bi), -MULTIBOOT_ERR_MALFORMED);
    CHECK_REGIONS(&bi, expected); /* what came before the bad entry is kept */
}

static void test_mb1_entry_size_past_map(void **state)
{
    struct boot_info bi;
    const struct entry good = {0x100000, 0x100000, 1};
    (void)state;
    mb1_begin(0);
    size_t start = mb1_mmap_begin();
    mb1_raw_entry(20, &good);
    mb1_mmap_end(start);
    put_u32(start, 0xFFFFFFFC); /* size + 4 wraps a 32-bit sum to 0 */
    assert_int_equal(run(boot_info_from_multiboot1, &bi), -MULTIBOOT_ERR_MALFORMED);
    assert_int_equal(bi.region_count, 0);

    put_u32(start, 24); /* 4 bytes more than the map holds */
    assert_int_equal(run(boot_info_from_multiboot1, &bi), -MULTIBOOT_ERR_MALFORMED);
}

static void test_mb1_trailing_bytes(void **state)
{
    struct boot_info bi;
    const struct entry good = {0x100000, 0x100000, 1};
    const struct mem_region expected[] = {{0x100000, 0x100000, U}};
    (void)state;
    mb1_begin(0);
    size_t start = mb1_mmap_begin();
    mb1_raw_entry(20, &good);
    append(NULL, 2); /* not even room for a size field */
    mb1_mmap_end(start);
    assert_int_equal(run(boot_info_from_multiboot1, &bi), -MULTIBOOT_ERR_MALFORMED);
    CHECK_REGIONS(&bi, expected);
}

static void test_mb1_longer_entries_are_stepped_by_size(void **state)
{
    struct boot_info bi;
    const struct entry a = {0x0, 0x1000, 1};
    const struct entry b = {0x2000, 0x1000, 5};
    const struct mem_region expected[] = {{0x0, 0x1000, U}, {0x2000, 0x1000, BAD}};
    (void)state;
    mb1_begin(0);
    size_t start = mb1_mmap_begin();
    mb1_raw_entry(28, &a); /* 8 bytes of extension after the type */
    mb1_raw_entry(20, &b);
    mb1_mmap_end(start);
    memset(img.bytes + start + 24, 0xFF, 8); /* extension bytes must be ignored */
    assert_int_equal(run(boot_info_from_multiboot1, &bi), 0);
    CHECK_REGIONS(&bi, expected);
}

static void test_mb1_type_mapping(void **state)
{
    struct boot_info bi;
    const struct entry map[] = {
        {0x0000, 0x1000, 1}, {0x1000, 0x1000, 2}, {0x2000, 0x1000, 3}, {0x3000, 0x1000, 4},
        {0x4000, 0x1000, 5}, {0x6000, 0x1000, 0}, {0x8000, 0x1000, 7}, {0xA000, 0x1000, 0xFFFFFFFF},
    };
    const struct mem_region expected[] = {
        {0x0000, 0x1000, U},   {0x1000, 0x1000, RES}, {0x2000, 0x1000, ACR}, {0x3000, 0x1000, NVS},
        {0x4000, 0x1000, BAD}, {0x6000, 0x1000, RES}, {0x8000, 0x1000, RES}, {0xA000, 0x1000, RES},
    };
    (void)state;
    mb1_begin(0);
    mb1_mmap(map, 8);
    assert_int_equal(run(boot_info_from_multiboot1, &bi), 0);
    CHECK_REGIONS(&bi, expected);
}

static void test_mb1_above_4gib(void **state)
{
    struct boot_info bi;
    const struct entry map[] = {
        {0x100000000ull, 0x180000000ull, 1}, /* 4 GiB .. 10 GiB */
        {0x0, 0x9FC00, 1},
        {0xFD00000000ull, 0x300000000ull, 2}, /* a high hole */
    };
    const struct mem_region expected[] = {
        {0x0, 0x9FC00, U},
        {0x100000000ull, 0x180000000ull, U},
        {0xFD00000000ull, 0x300000000ull, RES},
    };
    (void)state;
    mb1_begin(0);
    mb1_mmap(map, 3);
    assert_int_equal(run(boot_info_from_multiboot1, &bi), 0);
    CHECK_REGIONS(&bi, expected);
    assert_int_equal(boot_info_usable_bytes(&bi), 0x9FC00ull + 0x180000000ull);
}

static void test_mb1_huge_lengths(void **state)
{
    /* Lengths that wrap past 2^64: clipped at 2^64 - 1, never wrapped round,
     * and never merged into a neighbour by wrapped arithmetic. */
    struct boot_info bi;
    const struct entry map[] = {
        {0x2000, UINT64_MAX - 0x1000, 1}, /* "ends" at 0xFFF after wrapping */
        {0xFFF, 0x10, 1},                 /* starts where the wrapped end points */
        {0x1000, 0x100, 3},
        {0x1100, UINT64_MAX, 3}, /* touches the previous one; the sum would wrap */
    };
    const struct mem_region expected[] = {
        {0xFFF, 0x1, U},
        {0x1000, UINT64_MAX - 0x1000, ACR},
    };
    (void)state;
    mb1_begin(0);
    mb1_mmap(map, 4);
    assert_int_equal(run(boot_info_from_multiboot1, &bi), 0);
    CHECK_REGIONS(&bi, expected);
}

/* ---- Multiboot 2 (spec 2.0, section 3.6) ---- */

#define MB2_TAG_END         0
#define MB2_TAG_CMDLINE     1
#define MB2_TAG_LOADER_NAME 2
#define MB2_TAG_MODULE      3 /* 3.6.6 */
#define MB2_TAG_MEMINFO     4
#define MB2_TAG_MMAP        6
#define MB2_TAG_FRAMEBUFFER 8  /* 3.6.12 */
#define MB2_TAG_ACPI_OLD    14 /* 3.6.16 */
#define MB2_TAG_ACPI_NEW    15 /* 3.6.17 */
#define MB2_TAG_LOAD_BASE   21 /* a tag the translator does not use */

static void mb2_begin(void)
{
    img.len = 0;
    append(NULL, 8); /* total_size, reserved */
}

/* Append a tag with its header; the next tag starts 8-byte aligned.
 * Returns the tag's offset. */
static size_t mb2_tag(uint32_t type, const void *payload, size_t payload_len)
{
    size_t at = append(NULL, 8);
    put_u32(at, type);
    put_u32(at + 4, (uint32_t)(8 + payload_len));
    append(payload, payload_len);
    append(NULL, (8 - img.len % 8) % 8);
    return at;
}

static void mb2_string(uint32_t type, const char *s)
{
    mb2_tag(type, s, strlen(s) + 1);
}

static void mb2_meminfo(uint32_t lower_kib, uint32_t upper_kib)
{
    uint32_t payload[2] = {lower_kib, upper_kib};
    mb2_tag(MB2_TAG_MEMINFO, payload, sizeof(payload));
}

/* Memory map tag with entries of entry_size bytes (24 is standard). */
static size_t mb2_mmap_sized(const struct entry *entries, size_t n, uint32_t entry_size)
{
    uint8_t payload[8 + 200 * 32] = {0};
    uint32_t version = 0;

    assert_true(n <= 200 && entry_size <= 32);
    memcpy(payload, &entry_size, 4);
    memcpy(payload + 4, &version, 4);
    for (size_t i = 0; i < n; i++) {
        uint8_t *e = payload + 8 + i * entry_size;
        memcpy(e, &entries[i].base, 8);
        memcpy(e + 8, &entries[i].length, 8);
        memcpy(e + 16, &entries[i].type, 4);
    }
    return mb2_tag(MB2_TAG_MMAP, payload, 8 + n * entry_size);
}

static size_t mb2_mmap(const struct entry *entries, size_t n)
{
    return mb2_mmap_sized(entries, n, 24);
}

static void mb2_end(void)
{
    mb2_tag(MB2_TAG_END, NULL, 0);
    put_u32(0, (uint32_t)img.len);
}

/* GRUB on QEMU q35 with -m 4G: RAM split around the PCI hole. */
static const struct entry q35_4g[] = {
    {0x0, 0x9FC00, 1},         {0x9FC00, 0x400, 2},      {0xF0000, 0x10000, 2},
    {0x100000, 0x7FEE0000, 1}, {0x7FFE0000, 0x20000, 2}, {0xB0000000, 0x10000000, 2},
    {0xFED1C000, 0x4000, 2},   {0xFFFC0000, 0x40000, 2}, {0x100000000ull, 0x80000000ull, 1},
};

static void test_mb2_grub_like(void **state)
{
    struct boot_info bi;
    uint32_t load_base = 0x200000;
    const struct mem_region expected[] = {
        {0x0, 0x9FC00, U},         {0x9FC00, 0x400, RES},      {0xF0000, 0x10000, RES},
        {0x100000, 0x7FEE0000, U}, {0x7FFE0000, 0x20000, RES}, {0xB0000000, 0x10000000, RES},
        {0xFED1C000, 0x4000, RES}, {0xFFFC0000, 0x40000, RES}, {0x100000000ull, 0x80000000ull, U},
    };
    (void)state;
    mb2_begin();
    mb2_string(MB2_TAG_CMDLINE, "keel debug");
    mb2_string(MB2_TAG_LOADER_NAME, "GRUB 2.06-13+deb12u1");
    mb2_tag(MB2_TAG_LOAD_BASE, &load_base, 4); /* size 12: padding follows */
    mb2_meminfo(639, 2096128);
    mb2_mmap(q35_4g, 9);
    mb2_end();

    assert_int_equal(run(boot_info_from_multiboot2, &bi), 0);
    assert_int_equal(bi.protocol, BOOT_PROTOCOL_MULTIBOOT2);
    assert_string_equal(bi.command_line, "keel debug");
    assert_string_equal(bi.loader_name, "GRUB 2.06-13+deb12u1");
    CHECK_REGIONS(&bi, expected);
    assert_int_equal(bi.regions_dropped, 0);
    /* 654336 + 2146304000 + 2147483648 bytes */
    assert_int_equal(boot_info_usable_bytes(&bi), 4294441984ull);
}

static void test_mb2_unsorted_overlapping(void **state)
{
    struct boot_info bi;
    const struct entry map[] = {
        {0x100000000ull, 0x40000000, 1},
        {0x100000, 0x7FF00000, 1},
        {0x0, 0xA0000, 1},
        {0x7FF00000, 0x200000, 2},   /* overlaps the end of RAM below 4 GiB */
        {0x13FFFF000ull, 0x2000, 5}, /* bad page straddling the end of high RAM */
        {0x50000, 0x1000, 3},
    };
    const struct mem_region expected[] = {
        {0x0, 0x50000, U},
        {0x50000, 0x1000, ACR},
        {0x51000, 0x4F000, U},
        {0x100000, 0x7FE00000, U},
        {0x7FF00000, 0x200000, RES},
        {0x100000000ull, 0x3FFFF000, U},
        {0x13FFFF000ull, 0x2000, BAD},
    };
    (void)state;
    mb2_begin();
    mb2_mmap(map, 6);
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), 0);
    CHECK_REGIONS(&bi, expected);
}

static void test_mb2_fallback_to_meminfo(void **state)
{
    struct boot_info bi;
    const struct mem_region expected[] = {{0x0, 0x9FC00, U}, {0x100000, 0x7EE0000, U}};
    (void)state;
    mb2_begin();
    mb2_meminfo(639, 129920); /* 0x9FC00 and 0x7EE0000 bytes */
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), 0);
    CHECK_REGIONS(&bi, expected);
    assert_string_equal(bi.loader_name, "");
    assert_string_equal(bi.command_line, "");
}

static void test_mb2_no_memory_information(void **state)
{
    struct boot_info bi;
    (void)state;
    mb2_begin();
    mb2_string(MB2_TAG_LOADER_NAME, "mini");
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), -MULTIBOOT_ERR_NO_MEMORY_MAP);
    assert_string_equal(bi.loader_name, "mini");
    assert_int_equal(bi.region_count, 0);
}

static void test_mb2_tag_size_zero(void **state)
{
    struct boot_info bi;
    const struct mem_region expected[] = {{0x0, 0x9FC00, U}, {0x100000, 0x100000, U}};
    (void)state;
    mb2_begin();
    mb2_string(MB2_TAG_CMDLINE, "before");
    mb2_meminfo(639, 1024);
    size_t bad = mb2_tag(MB2_TAG_LOADER_NAME, "never", 6);
    mb2_end();
    put_u32(bad + 4, 0); /* would never advance */
    assert_int_equal(run(boot_info_from_multiboot2, &bi), -MULTIBOOT_ERR_MALFORMED);
    assert_string_equal(bi.command_line, "before");
    assert_string_equal(bi.loader_name, "");
    CHECK_REGIONS(&bi, expected); /* what was read before is kept */

    put_u32(bad + 4, 7); /* shorter than its own header */
    assert_int_equal(run(boot_info_from_multiboot2, &bi), -MULTIBOOT_ERR_MALFORMED);
}

static void test_mb2_tag_past_total_size(void **state)
{
    struct boot_info bi;
    (void)state;
    mb2_begin();
    size_t bad = mb2_tag(MB2_TAG_CMDLINE, "abc", 4);
    mb2_end();
    put_u32(bad + 4, (uint32_t)(img.len - bad + 1)); /* one byte too long */
    assert_int_equal(run(boot_info_from_multiboot2, &bi), -MULTIBOOT_ERR_MALFORMED);
    assert_string_equal(bi.command_line, "");

    put_u32(bad + 4, 0xFFFFFFF8); /* offset + size would wrap in 32 bits */
    assert_int_equal(run(boot_info_from_multiboot2, &bi), -MULTIBOOT_ERR_MALFORMED);
}

static void test_mb2_total_size_too_small(void **state)
{
    struct boot_info bi;
    (void)state;
    for (uint32_t total = 0; total <= 15; total++) {
        img.len = 0;
        append(NULL, 16);
        put_u32(0, total);
        put_u32(12, 8); /* an end tag that lies outside total_size */
        assert_int_equal(run(boot_info_from_multiboot2, &bi), -MULTIBOOT_ERR_MALFORMED);
        assert_int_equal(bi.region_count, 0);
    }
}

static void test_mb2_missing_end_tag(void **state)
{
    struct boot_info bi;
    const struct entry map[] = {{0x0, 0x9FC00, 1}};
    const struct mem_region expected[] = {{0x0, 0x9FC00, U}};
    (void)state;
    mb2_begin();
    mb2_mmap(map, 1);
    put_u32(0, (uint32_t)img.len); /* the block just stops */
    assert_int_equal(run(boot_info_from_multiboot2, &bi), -MULTIBOOT_ERR_MALFORMED);
    CHECK_REGIONS(&bi, expected);
}

static void test_mb2_bad_entry_size(void **state)
{
    struct boot_info bi;
    const struct entry map[] = {{0x0, 0x9FC00, 1}, {0x100000, 0x100000, 1}};
    (void)state;
    for (uint32_t entry_size = 0; entry_size < 24; entry_size += 8) {
        mb2_begin();
        size_t tag = mb2_mmap(map, 2);
        mb2_string(MB2_TAG_LOADER_NAME, "after");
        mb2_end();
        put_u32(tag + 8, entry_size);
        assert_int_equal(run(boot_info_from_multiboot2, &bi), -MULTIBOOT_ERR_MALFORMED);
        assert_int_equal(bi.region_count, 0);
        assert_string_equal(bi.loader_name, "after"); /* the walk went on */
    }
}

static void test_mb2_mmap_tag_too_short(void **state)
{
    struct boot_info bi;
    uint32_t entry_size = 24;
    (void)state;
    mb2_begin();
    mb2_tag(MB2_TAG_MMAP, &entry_size, 4); /* no room for entry_version */
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), -MULTIBOOT_ERR_MALFORMED);
    assert_int_equal(bi.region_count, 0);
}

static void test_mb2_larger_entries(void **state)
{
    struct boot_info bi;
    const struct entry map[] = {{0x0, 0x9FC00, 1}, {0x9FC00, 0x400, 2}, {0x100000, 0x100000, 1}};
    const struct mem_region expected[] = {
        {0x0, 0x9FC00, U}, {0x9FC00, 0x400, RES}, {0x100000, 0x100000, U}};
    (void)state;
    mb2_begin();
    mb2_mmap_sized(map, 3, 32);
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), 0);
    CHECK_REGIONS(&bi, expected);
}

static void test_mb2_partial_trailing_entry_ignored(void **state)
{
    struct boot_info bi;
    const struct entry map[] = {{0x0, 0x9FC00, 1}, {0x100000, 0x100000, 1}};
    const struct mem_region expected[] = {{0x0, 0x9FC00, U}};
    (void)state;
    mb2_begin();
    size_t tag = mb2_mmap(map, 2);
    mb2_end();
    put_u32(tag + 4, 16 + 24 + 20); /* the second entry is cut short */
    assert_int_equal(run(boot_info_from_multiboot2, &bi), 0);
    CHECK_REGIONS(&bi, expected);
}

static void test_mb2_string_bounded_by_tag(void **state)
{
    struct boot_info bi;
    (void)state;
    mb2_begin();
    mb2_tag(MB2_TAG_CMDLINE, "ABCDEFGH", 8); /* no NUL inside the tag */
    mb2_string(MB2_TAG_LOADER_NAME, "next");
    mb2_meminfo(639, 1024);
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), 0);
    assert_string_equal(bi.command_line, "ABCDEFGH");
    assert_string_equal(bi.loader_name, "next");
}

static void test_mb2_long_strings_truncated(void **state)
{
    struct boot_info bi;
    char long_name[200];
    (void)state;
    memset(long_name, 'n', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    mb2_begin();
    mb2_string(MB2_TAG_LOADER_NAME, long_name);
    mb2_string(MB2_TAG_CMDLINE, "");
    mb2_meminfo(639, 1024);
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), 0);
    assert_int_equal(strlen(bi.loader_name), BOOT_INFO_STRING_MAX - 1);
    assert_memory_equal(bi.loader_name, long_name, BOOT_INFO_STRING_MAX - 1);
    assert_string_equal(bi.command_line, "");
}

static void test_mb2_region_past_2_64_clipped(void **state)
{
    struct boot_info bi;
    const struct entry map[] = {{0xFFFFFFFF00000000ull, 0x200000000ull, 2}};
    const struct mem_region expected[] = {{0xFFFFFFFF00000000ull, 0xFFFFFFFFull, RES}};
    (void)state;
    mb2_begin();
    mb2_mmap(map, 1);
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), 0);
    CHECK_REGIONS(&bi, expected);
}

static void test_mb2_split_map_merged_before_limit(void **state)
{
    /* 200 touching 4 KiB pieces: one region, nothing dropped. */
    static struct entry map[200];
    struct boot_info bi;
    const struct mem_region expected[] = {{0x100000, 200 * 0x1000, U}};
    (void)state;
    for (int i = 0; i < 200; i++)
        map[i] = (struct entry){0x100000 + (uint64_t)i * 0x1000, 0x1000, 1};
    mb2_begin();
    mb2_mmap(map, 200);
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), 0);
    CHECK_REGIONS(&bi, expected);
    assert_int_equal(bi.regions_dropped, 0);
}

static void test_mb2_too_many_regions(void **state)
{
    /* 130 separate usable pages: 128 fit the raw list (2 dropped), of the
     * 128 normalised regions the lowest 64 fit boot_info (64 dropped). */
    static struct entry map[130];
    struct boot_info bi;
    (void)state;
    for (int i = 0; i < 130; i++)
        map[i] = (struct entry){(uint64_t)i * 0x2000, 0x1000, 1};
    mb2_begin();
    mb2_mmap(map, 130);
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), 0);
    assert_int_equal(bi.region_count, 64);
    assert_int_equal(bi.regions_dropped, 66);
    for (int i = 0; i < 64; i++) {
        assert_int_equal(bi.regions[i].base, (uint64_t)i * 0x2000);
        assert_int_equal(bi.regions[i].length, 0x1000);
        assert_int_equal(bi.regions[i].type, U);
    }
}

static void test_mb2_overflow_keeps_reserved(void **state)
{
    /* The raw list is full of usable regions (region 37 the shortest) when a
     * reserved region, shorter still, arrives covering the start of region
     * 10: it must be kept at the cost of region 37, or that part of region
     * 10 would look usable. */
    static struct entry map[129];
    struct boot_info bi;
    (void)state;
    for (int i = 0; i < 128; i++)
        map[i] = (struct entry){(uint64_t)i * 0x10000, i == 37 ? 0x800 : 0x1000, 1};
    map[128] = (struct entry){10 * 0x10000, 0x400, 2};
    mb2_begin();
    mb2_mmap(map, 129);
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), 0);
    /* 126 whole usable regions + region 10 split in two = 128; 64 fit. */
    assert_int_equal(bi.region_count, 64);
    assert_int_equal(bi.regions_dropped, 1 + (128 - 64));
    assert_int_equal(bi.regions[10].base, 10 * 0x10000);
    assert_int_equal(bi.regions[10].length, 0x400);
    assert_int_equal(bi.regions[10].type, RES);
    assert_int_equal(bi.regions[11].base, 10 * 0x10000 + 0x400);
    assert_int_equal(bi.regions[11].length, 0xC00);
    assert_int_equal(bi.regions[11].type, U);
    for (int i = 0; i < 64; i++) {
        int index = i <= 10 ? i : (i <= 37 ? i - 1 : i); /* region 10 split, region 37 gone */
        if (i == 11)
            continue;
        assert_int_equal(bi.regions[i].base, (uint64_t)index * 0x10000);
        if (i != 10)
            assert_int_equal(bi.regions[i].type, U);
    }
}

static void test_mb2_short_meminfo_tag(void **state)
{
    struct boot_info bi;
    uint32_t lower_only = 639;
    (void)state;
    mb2_begin();
    mb2_tag(MB2_TAG_MEMINFO, &lower_only, 4); /* size 12: mem_upper missing */
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), -MULTIBOOT_ERR_MALFORMED);
    assert_int_equal(bi.region_count, 0);
}

static void test_mb2_overflow_prefers_larger_usable(void **state)
{
    /* Full of 4 KiB usable regions plus one of 2 KiB; a further 1 MiB usable
     * region replaces the 2 KiB one, a further 1 KiB one is dropped. */
    static struct entry map[130];
    struct boot_info bi;
    (void)state;
    for (int i = 0; i < 128; i++)
        map[i] = (struct entry){0x100000000ull + (uint64_t)i * 0x10000, i == 5 ? 0x800 : 0x1000, 1};
    map[128] = (struct entry){0x0, 0x100000, 1};
    map[129] = (struct entry){0x200000, 0x400, 1};
    mb2_begin();
    mb2_mmap(map, 130);
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), 0);
    assert_int_equal(bi.regions_dropped, 2 + (128 - 64));
    assert_int_equal(bi.regions[0].base, 0x0);
    assert_int_equal(bi.regions[0].length, 0x100000);
    assert_int_equal(bi.regions[1].base, 0x100000000ull);
    assert_int_equal(bi.regions[5].base, 0x100000000ull + 4 * 0x10000);
    assert_int_equal(bi.regions[6].base, 0x100000000ull + 6 * 0x10000); /* region 5 gone */
}

/* ---- Multiboot 2 framebuffer and ACPI tags (spec 3.6.12, 3.6.16, 3.6.17) ---- */

/* Framebuffer tag payload: u64 addr, u32 pitch, width, height, u8 bpp, u8 type,
 * u16 reserved (as GRUB writes it), then `colors` (colors_len bytes). Only
 * payload_len bytes are written, so a short length truncates the tag. */
static size_t mb2_framebuffer(uint64_t addr, uint32_t pitch, uint32_t width, uint32_t height,
                              uint8_t bpp, uint8_t type, const uint8_t *colors, size_t colors_len,
                              size_t payload_len)
{
    uint8_t payload[64] = {0};

    assert_true(24 + colors_len <= sizeof(payload) && payload_len <= sizeof(payload));
    memcpy(payload, &addr, 8);
    memcpy(payload + 8, &pitch, 4);
    memcpy(payload + 12, &width, 4);
    memcpy(payload + 16, &height, 4);
    payload[20] = bpp;
    payload[21] = type;
    if (colors_len)
        memcpy(payload + 24, colors, colors_len);
    return mb2_tag(MB2_TAG_FRAMEBUFFER, payload, payload_len);
}

static void check_field(struct framebuffer_field f, uint8_t position, uint8_t size)
{
    assert_int_equal(f.position, position);
    assert_int_equal(f.size, size);
}

static void test_mb2_framebuffer_rgb32(void **state)
{
    struct boot_info bi;
    const uint8_t colors[6] = {16, 8, 8, 8, 0, 8}; /* x8r8g8b8, as OVMF's GOP */
    (void)state;
    mb2_begin();
    mb2_meminfo(639, 1024);
    mb2_framebuffer(0x80000000ull, 1024 * 4, 1024, 768, 32, 1, colors, 6, 30);
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), 0);
    assert_true(bi.framebuffer.present);
    assert_int_equal(bi.framebuffer.type, FRAMEBUFFER_RGB);
    assert_int_equal(bi.framebuffer.phys_addr, 0x80000000ull);
    assert_int_equal(bi.framebuffer.pitch, 4096);
    assert_int_equal(bi.framebuffer.width, 1024);
    assert_int_equal(bi.framebuffer.height, 768);
    assert_int_equal(bi.framebuffer.bpp, 32);
    check_field(bi.framebuffer.red, 16, 8);
    check_field(bi.framebuffer.green, 8, 8);
    check_field(bi.framebuffer.blue, 0, 8);
    assert_false(bi.rsdp.present);
}

static void test_mb2_framebuffer_rgb16_above_4gib(void **state)
{
    struct boot_info bi;
    const uint8_t colors[6] = {11, 5, 5, 6, 0, 5}; /* r5g6b5 */
    (void)state;
    mb2_begin();
    mb2_framebuffer(0x3F00000000ull, 800 * 2, 800, 600, 16, 1, colors, 6, 30);
    mb2_meminfo(639, 1024);
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), 0);
    assert_true(bi.framebuffer.present);
    assert_int_equal(bi.framebuffer.type, FRAMEBUFFER_RGB);
    assert_int_equal(bi.framebuffer.phys_addr, 0x3F00000000ull);
    assert_int_equal(bi.framebuffer.pitch, 1600);
    assert_int_equal(bi.framebuffer.width, 800);
    assert_int_equal(bi.framebuffer.height, 600);
    assert_int_equal(bi.framebuffer.bpp, 16);
    check_field(bi.framebuffer.red, 11, 5);
    check_field(bi.framebuffer.green, 5, 6);
    check_field(bi.framebuffer.blue, 0, 5);
}

static void test_mb2_framebuffer_ega_text(void **state)
{
    struct boot_info bi;
    (void)state;
    mb2_begin();
    mb2_meminfo(639, 1024);
    mb2_framebuffer(0xB8000, 160, 80, 25, 16, 2, NULL, 0, 24); /* no colour information */
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), 0);
    assert_true(bi.framebuffer.present);
    assert_int_equal(bi.framebuffer.type, FRAMEBUFFER_EGA_TEXT);
    assert_int_equal(bi.framebuffer.phys_addr, 0xB8000);
    assert_int_equal(bi.framebuffer.pitch, 160);
    assert_int_equal(bi.framebuffer.width, 80);
    assert_int_equal(bi.framebuffer.height, 25);
    assert_int_equal(bi.framebuffer.bpp, 16);
    check_field(bi.framebuffer.red, 0, 0);
    check_field(bi.framebuffer.blue, 0, 0);
}

/* Too short for its fields: ignored, reported, and the walk goes on. */
static void test_mb2_framebuffer_truncated(void **state)
{
    static const size_t lengths[] = {0, 20, 23, 24, 29}; /* 24 and 29: RGB without all colours */
    const uint8_t colors[6] = {16, 8, 8, 8, 0, 8};
    (void)state;
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        struct boot_info bi;
        mb2_begin();
        mb2_framebuffer(0x80000000ull, 4096, 1024, 768, 32, 1, colors, 6, lengths[i]);
        mb2_string(MB2_TAG_LOADER_NAME, "after");
        mb2_meminfo(639, 1024);
        mb2_end();
        assert_int_equal(run(boot_info_from_multiboot2, &bi), -MULTIBOOT_ERR_MALFORMED);
        assert_false(bi.framebuffer.present);
        assert_string_equal(bi.loader_name, "after");
        assert_int_equal(bi.region_count, 2);
    }
}

static void test_mb2_framebuffer_unknown_type(void **state)
{
    struct boot_info bi;
    (void)state;
    mb2_begin();
    mb2_meminfo(639, 1024);
    mb2_framebuffer(0x80000000ull, 4096, 1024, 768, 32, 3, NULL, 0, 30);
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), -MULTIBOOT_ERR_MALFORMED);
    assert_false(bi.framebuffer.present);
}

/* An RSDP as ACPI lays it out: "RSD PTR ", checksum, OEM id, revision,
 * RSDT address; for 2.0+ also length, XSDT address, extended checksum. The
 * bytes only need to be distinct here: the translator copies, not checks. */
static void make_rsdp(uint8_t *rsdp, size_t n, uint8_t salt)
{
    memcpy(rsdp, "RSD PTR ", 8);
    for (size_t i = 8; i < n; i++)
        rsdp[i] = (uint8_t)(i * 7 + salt);
}

static void check_rsdp(const struct boot_info *bi, uint8_t version, const uint8_t *expected,
                       size_t n)
{
    assert_true(bi->rsdp.present);
    assert_int_equal(bi->rsdp.version, version);
    assert_int_equal(bi->rsdp.length, n);
    assert_memory_equal(bi->rsdp.bytes, expected, n);
    for (size_t i = n; i < BOOT_INFO_RSDP_MAX; i++)
        assert_int_equal(bi->rsdp.bytes[i], 0);
}

static void test_mb2_rsdp_old(void **state)
{
    struct boot_info bi;
    uint8_t old[20];
    (void)state;
    make_rsdp(old, sizeof(old), 1);
    mb2_begin();
    mb2_meminfo(639, 1024);
    mb2_tag(MB2_TAG_ACPI_OLD, old, sizeof(old));
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), 0);
    check_rsdp(&bi, 1, old, sizeof(old));
    assert_false(bi.framebuffer.present);
}

static void test_mb2_rsdp_new(void **state)
{
    struct boot_info bi;
    uint8_t new_rsdp[36];
    (void)state;
    make_rsdp(new_rsdp, sizeof(new_rsdp), 2);
    mb2_begin();
    mb2_meminfo(639, 1024);
    mb2_tag(MB2_TAG_ACPI_NEW, new_rsdp, sizeof(new_rsdp));
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), 0);
    check_rsdp(&bi, 2, new_rsdp, sizeof(new_rsdp));
}

/* GRUB gives both on ACPI 2.0+ machines; the new one wins in either order. */
static void test_mb2_rsdp_new_preferred(void **state)
{
    uint8_t old[20], new_rsdp[36];
    (void)state;
    make_rsdp(old, sizeof(old), 1);
    make_rsdp(new_rsdp, sizeof(new_rsdp), 2);
    for (int new_first = 0; new_first <= 1; new_first++) {
        struct boot_info bi;
        mb2_begin();
        mb2_meminfo(639, 1024);
        if (new_first)
            mb2_tag(MB2_TAG_ACPI_NEW, new_rsdp, sizeof(new_rsdp));
        mb2_tag(MB2_TAG_ACPI_OLD, old, sizeof(old));
        if (!new_first)
            mb2_tag(MB2_TAG_ACPI_NEW, new_rsdp, sizeof(new_rsdp));
        mb2_end();
        assert_int_equal(run(boot_info_from_multiboot2, &bi), 0);
        check_rsdp(&bi, 2, new_rsdp, sizeof(new_rsdp));
    }
}

/* A truncated tag is ignored and reported; a sound one beside it is kept. */
static void test_mb2_rsdp_truncated(void **state)
{
    uint8_t old[20], new_rsdp[36];
    struct boot_info bi;
    (void)state;
    make_rsdp(old, sizeof(old), 1);
    make_rsdp(new_rsdp, sizeof(new_rsdp), 2);

    mb2_begin();
    mb2_meminfo(639, 1024);
    mb2_tag(MB2_TAG_ACPI_OLD, old, 19);
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), -MULTIBOOT_ERR_MALFORMED);
    assert_false(bi.rsdp.present);
    assert_int_equal(bi.region_count, 2);

    mb2_begin();
    mb2_tag(MB2_TAG_ACPI_OLD, old, sizeof(old));
    mb2_tag(MB2_TAG_ACPI_NEW, new_rsdp, 20); /* only the 1.0 part: not a 2.0 RSDP */
    mb2_meminfo(639, 1024);
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), -MULTIBOOT_ERR_MALFORMED);
    check_rsdp(&bi, 1, old, sizeof(old));
    assert_int_equal(bi.region_count, 2);
}

/* Multiboot 1 has no ACPI tags, and its framebuffer fields are not read yet. */
static void test_mb1_no_framebuffer_or_rsdp(void **state)
{
    struct boot_info bi;
    (void)state;
    mb1_begin(0);
    mb1_meminfo(639, 1024);
    assert_int_equal(run(boot_info_from_multiboot1, &bi), 0);
    assert_false(bi.framebuffer.present);
    assert_false(bi.rsdp.present);
}

/* ---- modules: Multiboot 1 (3.3, mods_count/mods_addr), Multiboot 2 (3.6.6, tag 3) ---- */

struct module {
    uint32_t start, end;
    const char *string; /* NULL: string field 0 (Multiboot 1) or no string bytes (Multiboot 2) */
};

static void check_module(const struct boot_info *bi, size_t i, uint64_t start, uint64_t end,
                         const char *string)
{
    assert_true(i < bi->module_count);
    assert_int_equal(bi->modules[i].phys_start, start);
    assert_int_equal(bi->modules[i].phys_end, end);
    assert_string_equal(bi->modules[i].command_line, string);
}

/* The module list (16-byte entries: start, end, string, reserved) with its
 * strings after it; mods_count says `count`, which may claim more entries
 * than the n written. */
static void mb1_modules(const struct module *mods, size_t n, uint32_t count)
{
    mb1_set_flag(MB1_F_MODS);
    size_t list = append(NULL, 16 * n);
    put_u32(MB1_MODS_ADDR, (uint32_t)list);
    put_u32(MB1_MODS_COUNT, count);
    for (size_t i = 0; i < n; i++) {
        put_u32(list + 16 * i, mods[i].start);
        put_u32(list + 16 * i + 4, mods[i].end);
        put_u32(list + 16 * i + 8, mods[i].string ? (uint32_t)append_string(mods[i].string) : 0);
        put_u32(list + 16 * i + 12, 0xFFFFFFFF); /* reserved: never read */
    }
}

/* What QEMU's -kernel loader gives for -initrd "build/initrd.tar,b arg":
 * page-aligned modules above the kernel, each string the -initrd text. */
static void test_mb1_modules_qemu_like(void **state)
{
    struct boot_info bi;
    const struct module mods[] = {
        {0x126000, 0x128800, "build/initrd.tar"},
        {0x129000, 0x129001, "b arg"},
    };
    (void)state;
    mb1_begin(0);
    mb1_meminfo(639, 130048);
    mb1_mmap(qemu_128m, 6);
    mb1_modules(mods, 2, 2);
    assert_int_equal(run(boot_info_from_multiboot1, &bi), 0);
    assert_int_equal(bi.module_count, 2);
    assert_int_equal(bi.modules_dropped, 0);
    check_module(&bi, 0, 0x126000, 0x128800, "build/initrd.tar");
    check_module(&bi, 1, 0x129000, 0x129001, "b arg");
    assert_int_equal(bi.region_count, 6); /* the memory map is read as without modules */
}

static void test_mb1_modules_need_their_flag(void **state)
{
    struct boot_info bi;
    (void)state;
    mb1_begin(0);
    mb1_meminfo(639, 1024);
    put_u32(MB1_MODS_COUNT, 3);
    put_u32(MB1_MODS_ADDR, 0x7FFFFFFF); /* flag clear: must not be followed */
    assert_int_equal(run(boot_info_from_multiboot1, &bi), 0);
    assert_int_equal(bi.module_count, 0);
    assert_int_equal(bi.modules_dropped, 0);
}

/* String 0 is no string; a long one is cut at BOOT_INFO_STRING_MAX - 1; an
 * empty module (end == start) is a module. */
static void test_mb1_module_strings(void **state)
{
    struct boot_info bi;
    char long_string[301];
    (void)state;
    memset(long_string, 's', 300);
    long_string[300] = '\0';
    const struct module mods[] = {
        {0x200000, 0x201000, NULL},
        {0x300000, 0x300000, long_string},
    };
    mb1_begin(0);
    mb1_meminfo(639, 1024);
    mb1_modules(mods, 2, 2);
    assert_int_equal(run(boot_info_from_multiboot1, &bi), 0);
    check_module(&bi, 0, 0x200000, 0x201000, "");
    assert_int_equal(bi.modules[1].phys_start, bi.modules[1].phys_end);
    assert_int_equal(strlen(bi.modules[1].command_line), BOOT_INFO_STRING_MAX - 1);
    assert_memory_equal(bi.modules[1].command_line, long_string, BOOT_INFO_STRING_MAX - 1);
}

/* An entry ending before it starts is refused and counted; the others stay. */
static void test_mb1_module_end_before_start(void **state)
{
    struct boot_info bi;
    const struct module mods[] = {
        {0x200000, 0x201000, "first"},
        {0x300000, 0x2FFFFF, "backwards"},
        {0x400000, 0x401000, "third"},
    };
    (void)state;
    mb1_begin(0);
    mb1_meminfo(639, 1024);
    mb1_modules(mods, 3, 3);
    assert_int_equal(run(boot_info_from_multiboot1, &bi), -MULTIBOOT_ERR_MALFORMED);
    assert_int_equal(bi.module_count, 2);
    assert_int_equal(bi.modules_dropped, 1);
    check_module(&bi, 0, 0x200000, 0x201000, "first");
    check_module(&bi, 1, 0x400000, 0x401000, "third");
    assert_int_equal(bi.region_count, 2); /* the memory information is still there */
}

/* Ten modules: the first BOOT_INFO_MAX_MODULES kept, the rest counted. A
 * mods_count far beyond the list is counted too, and the list is not read
 * past the entries that fit (AddressSanitizer would see it). */
static void test_mb1_too_many_modules(void **state)
{
    struct boot_info bi;
    struct module mods[10];
    char names[10][4];
    (void)state;
    for (size_t i = 0; i < 10; i++) {
        snprintf(names[i], sizeof(names[i]), "m%zu", i);
        mods[i] =
            (struct module){(uint32_t)(i + 1) << 20, ((uint32_t)(i + 1) << 20) + 0x800, names[i]};
    }
    mb1_begin(0);
    mb1_meminfo(639, 1024);
    mb1_modules(mods, 10, 10);
    assert_int_equal(run(boot_info_from_multiboot1, &bi), 0);
    assert_int_equal(bi.module_count, BOOT_INFO_MAX_MODULES);
    assert_int_equal(bi.modules_dropped, 2);
    for (size_t i = 0; i < BOOT_INFO_MAX_MODULES; i++)
        check_module(&bi, i, (i + 1) << 20, ((i + 1) << 20) + 0x800, names[i]);

    mb1_begin(0);
    mb1_meminfo(639, 1024);
    mb1_modules(mods, BOOT_INFO_MAX_MODULES, 0xFFFFFFFF);
    assert_int_equal(run(boot_info_from_multiboot1, &bi), 0);
    assert_int_equal(bi.module_count, BOOT_INFO_MAX_MODULES);
    assert_int_equal(bi.modules_dropped, 0xFFFFFFFFull - BOOT_INFO_MAX_MODULES);
}

/* A module tag: mod_start, mod_end, then string_len bytes of the string
 * (NUL included when the caller counts it). */
static size_t mb2_module(uint32_t start, uint32_t end, const char *string, size_t string_len)
{
    uint8_t payload[8 + 300];
    assert_true(string_len <= 300);
    memcpy(payload, &start, 4);
    memcpy(payload + 4, &end, 4);
    if (string_len)
        memcpy(payload + 8, string, string_len);
    return mb2_tag(MB2_TAG_MODULE, payload, 8 + string_len);
}

/* As GRUB gives `module2 /boot/initrd.tar initrd`: the string is what
 * follows the path. A tag of exactly 16 bytes has an empty string. */
static void test_mb2_modules(void **state)
{
    struct boot_info bi;
    (void)state;
    mb2_begin();
    mb2_meminfo(639, 1024);
    mb2_module(0x12A000, 0x12CC00, "initrd", 7);
    mb2_module(0x1000000, 0x1000010, NULL, 0);
    mb2_mmap(q35_4g, 9);
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), 0);
    assert_int_equal(bi.module_count, 2);
    assert_int_equal(bi.modules_dropped, 0);
    check_module(&bi, 0, 0x12A000, 0x12CC00, "initrd");
    check_module(&bi, 1, 0x1000000, 0x1000010, "");
    assert_int_equal(bi.region_count, 9);
}

/* A string without its NUL is read up to the tag's end, not beyond. */
static void test_mb2_module_string_bounded_by_tag(void **state)
{
    struct boot_info bi;
    (void)state;
    mb2_begin();
    mb2_meminfo(639, 1024);
    mb2_module(0x200000, 0x201000, "initrdXX", 6); /* "initrd", no NUL */
    mb2_end();
    memset(img.bytes + img.len - 8 - 2, 'Z', 2); /* the padding after it */
    assert_int_equal(run(boot_info_from_multiboot2, &bi), 0);
    check_module(&bi, 0, 0x200000, 0x201000, "initrd");
}

/* Too short for mod_start and mod_end, or ending before it starts: refused,
 * counted, reported; the tags around it are read. */
static void test_mb2_malformed_modules(void **state)
{
    struct boot_info bi;
    uint32_t start_only = 0x200000;
    (void)state;
    mb2_begin();
    mb2_module(0x100000, 0x101000, "before", 7);
    mb2_tag(MB2_TAG_MODULE, &start_only, 4); /* size 12 */
    mb2_module(0x300000, 0x2FF000, "backwards", 10);
    mb2_string(MB2_TAG_LOADER_NAME, "after");
    mb2_meminfo(639, 1024);
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), -MULTIBOOT_ERR_MALFORMED);
    assert_int_equal(bi.module_count, 1);
    assert_int_equal(bi.modules_dropped, 2);
    check_module(&bi, 0, 0x100000, 0x101000, "before");
    assert_string_equal(bi.loader_name, "after");
    assert_int_equal(bi.region_count, 2);
}

/* A module tag whose size runs past the end of the block cannot be read:
 * counted, and the walk ends there as for any such tag. */
static void test_mb2_module_past_end_of_block(void **state)
{
    struct boot_info bi;
    (void)state;
    mb2_begin();
    mb2_meminfo(639, 1024);
    mb2_module(0x100000, 0x101000, "kept", 5);
    size_t last = mb2_module(0x200000, 0x201000, "initrd", 7);
    put_u32(0, (uint32_t)img.len); /* no end tag: the block ends with the module tag */
    put_u32(last + 4, 24 + 8);     /* the tag takes 24 bytes to the block's end: 8 more */
    assert_int_equal(run(boot_info_from_multiboot2, &bi), -MULTIBOOT_ERR_MALFORMED);
    assert_int_equal(bi.module_count, 1);
    assert_int_equal(bi.modules_dropped, 1);
    check_module(&bi, 0, 0x100000, 0x101000, "kept");
    assert_int_equal(bi.region_count, 2);
}

static void test_mb2_too_many_modules(void **state)
{
    struct boot_info bi;
    (void)state;
    mb2_begin();
    mb2_meminfo(639, 1024);
    for (uint32_t i = 0; i < BOOT_INFO_MAX_MODULES + 3; i++)
        mb2_module(i << 20, (i << 20) + 0x1000, "m", 2);
    mb2_end();
    assert_int_equal(run(boot_info_from_multiboot2, &bi), 0);
    assert_int_equal(bi.module_count, BOOT_INFO_MAX_MODULES);
    assert_int_equal(bi.modules_dropped, 3);
    for (size_t i = 0; i < BOOT_INFO_MAX_MODULES; i++)
        check_module(&bi, i, (uint64_t)i << 20, ((uint64_t)i << 20) + 0x1000, "m");
}

/* ---- boot_info queries ---- */

static void test_usable_bytes(void **state)
{
    struct boot_info bi;
    (void)state;
    memset(&bi, 0, sizeof(bi));
    bi.region_count = 4;
    bi.regions[0] = (struct mem_region){0x0, 0x9FC00, U};
    bi.regions[1] = (struct mem_region){0x9FC00, 0x400, RES};
    bi.regions[2] = (struct mem_region){0x100000, 0x100000, U};
    bi.regions[3] = (struct mem_region){0x200000, 0x100000, ACR};
    assert_int_equal(boot_info_usable_bytes(&bi), 0x9FC00 + 0x100000);

    bi.region_count = 0;
    assert_int_equal(boot_info_usable_bytes(&bi), 0);
}

static void test_usable_bytes_ignores_count_past_array(void **state)
{
    struct boot_info bi;
    (void)state;
    memset(&bi, 0, sizeof(bi));
    for (int i = 0; i < BOOT_INFO_MAX_REGIONS; i++)
        bi.regions[i] = (struct mem_region){(uint64_t)i << 20, 0x1000, U};
    bi.region_count = 1000;
    assert_int_equal(boot_info_usable_bytes(&bi), 64 * 0x1000);
}

static void test_mem_type_names(void **state)
{
    (void)state;
    assert_string_equal(mem_type_name(MEM_USABLE), "usable");
    assert_string_equal(mem_type_name(MEM_ACPI_RECLAIMABLE), "ACPI reclaimable");
    assert_string_equal(mem_type_name(MEM_ACPI_NVS), "ACPI NVS");
    assert_string_equal(mem_type_name(MEM_RESERVED), "reserved");
    assert_string_equal(mem_type_name(MEM_BAD), "bad");
    assert_string_equal(mem_type_name((enum mem_type)0), "unknown");
    assert_string_equal(mem_type_name((enum mem_type)42), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mb1_qemu_like),
        cmocka_unit_test(test_mb1_unsorted_overlapping),
        cmocka_unit_test(test_mb1_fallback_to_meminfo),
        cmocka_unit_test(test_mb1_empty_map_falls_back),
        cmocka_unit_test(test_mb1_no_memory_information),
        cmocka_unit_test(test_mb1_missing_strings_are_empty),
        cmocka_unit_test(test_mb1_long_strings_truncated),
        cmocka_unit_test(test_mb1_entry_size_zero),
        cmocka_unit_test(test_mb1_entry_size_past_map),
        cmocka_unit_test(test_mb1_trailing_bytes),
        cmocka_unit_test(test_mb1_longer_entries_are_stepped_by_size),
        cmocka_unit_test(test_mb1_type_mapping),
        cmocka_unit_test(test_mb1_above_4gib),
        cmocka_unit_test(test_mb1_huge_lengths),
        cmocka_unit_test(test_mb2_grub_like),
        cmocka_unit_test(test_mb2_unsorted_overlapping),
        cmocka_unit_test(test_mb2_fallback_to_meminfo),
        cmocka_unit_test(test_mb2_no_memory_information),
        cmocka_unit_test(test_mb2_tag_size_zero),
        cmocka_unit_test(test_mb2_tag_past_total_size),
        cmocka_unit_test(test_mb2_total_size_too_small),
        cmocka_unit_test(test_mb2_missing_end_tag),
        cmocka_unit_test(test_mb2_bad_entry_size),
        cmocka_unit_test(test_mb2_mmap_tag_too_short),
        cmocka_unit_test(test_mb2_larger_entries),
        cmocka_unit_test(test_mb2_partial_trailing_entry_ignored),
        cmocka_unit_test(test_mb2_string_bounded_by_tag),
        cmocka_unit_test(test_mb2_long_strings_truncated),
        cmocka_unit_test(test_mb2_region_past_2_64_clipped),
        cmocka_unit_test(test_mb2_split_map_merged_before_limit),
        cmocka_unit_test(test_mb2_too_many_regions),
        cmocka_unit_test(test_mb2_overflow_keeps_reserved),
        cmocka_unit_test(test_mb2_overflow_prefers_larger_usable),
        cmocka_unit_test(test_mb2_short_meminfo_tag),
        cmocka_unit_test(test_mb2_framebuffer_rgb32),
        cmocka_unit_test(test_mb2_framebuffer_rgb16_above_4gib),
        cmocka_unit_test(test_mb2_framebuffer_ega_text),
        cmocka_unit_test(test_mb2_framebuffer_truncated),
        cmocka_unit_test(test_mb2_framebuffer_unknown_type),
        cmocka_unit_test(test_mb2_rsdp_old),
        cmocka_unit_test(test_mb2_rsdp_new),
        cmocka_unit_test(test_mb2_rsdp_new_preferred),
        cmocka_unit_test(test_mb2_rsdp_truncated),
        cmocka_unit_test(test_mb1_no_framebuffer_or_rsdp),
        cmocka_unit_test(test_mb1_modules_qemu_like),
        cmocka_unit_test(test_mb1_modules_need_their_flag),
        cmocka_unit_test(test_mb1_module_strings),
        cmocka_unit_test(test_mb1_module_end_before_start),
        cmocka_unit_test(test_mb1_too_many_modules),
        cmocka_unit_test(test_mb2_modules),
        cmocka_unit_test(test_mb2_module_string_bounded_by_tag),
        cmocka_unit_test(test_mb2_malformed_modules),
        cmocka_unit_test(test_mb2_module_past_end_of_block),
        cmocka_unit_test(test_mb2_too_many_modules),
        cmocka_unit_test(test_usable_bytes),
        cmocka_unit_test(test_usable_bytes_ignores_count_past_array),
        cmocka_unit_test(test_mem_type_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
