/*
 * test_efi_memmap.c - host tests for the UEFI memory map translation
 * (boot/uefi/efi_memmap.c; UEFI 2.10, 7.2.3 GetMemoryMap() and 7.2.1
 * EFI_MEMORY_TYPE; ACPI 6.4 table 15.6 for the type mapping).
 *
 * Maps are built byte by byte, as firmware writes them, with descriptors 40
 * or 48 (OVMF) bytes apart and junk in the bytes past the structure. A
 * randomized test runs random maps through efi_memmap_to_regions() and
 * memmap_normalize() and checks every page against a model that keeps the
 * most restrictive type covering it (memmap_normalize()'s overlap rule).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include <boot/memmap.h>
#include <boot/uefi/efi_memmap.h>
#include <lib/errno.h>

#include <tests/host/test_random.h>

#define OVMF_DESCRIPTOR_SIZE 48
#define MAX_DESCRIPTORS      32
#define MAX_OUT              64
#define PAGE                 EFI_PAGE_SIZE

static uint8_t map[MAX_DESCRIPTORS * 64];
static struct mem_region raw[MAX_OUT];
static struct mem_region out[MAX_OUT];

static void put_u64(uint8_t *p, uint64_t value)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(value >> (8 * i));
}

/* Write descriptor `index` of a map with descriptor_size spacing; the bytes
 * the structure does not name are junk, which the reader must ignore. */
static void put_desc(size_t descriptor_size, size_t index, uint32_t type, uint64_t base,
                     uint64_t pages)
{
    uint8_t *desc = map + index * descriptor_size;

    memset(desc, 0xA5, descriptor_size);
    put_u64(desc, type | 0xA5A5A5A5ull << 32); /* Type, then padding */
    put_u64(desc + 8, base);
    put_u64(desc + 16, 0xDEADBEEFull); /* VirtualStart */
    put_u64(desc + 24, pages);
    put_u64(desc + 32, 0x8000000000000008ull); /* EFI_MEMORY_RUNTIME | EFI_MEMORY_WB */
}

static void check_region(const struct mem_region *r, uint64_t base, uint64_t length,
                         enum mem_type type)
{
    assert_int_equal(r->base, base);
    assert_int_equal(r->length, length);
    assert_int_equal(r->type, type);
}

static size_t convert(size_t map_size, size_t descriptor_size)
{
    size_t count = 99;

    assert_int_equal(efi_memmap_to_regions(map, map_size, descriptor_size, raw, MAX_OUT, &count),
                     0);
    return count;
}

static void test_every_type_mapped(void **state)
{
    static const enum mem_type expected[EFI_MAX_MEMORY_TYPE + 2] = {
        MEM_RESERVED, MEM_USABLE,   MEM_USABLE,   MEM_USABLE,           MEM_USABLE,   MEM_RESERVED,
        MEM_RESERVED, MEM_USABLE,   MEM_BAD,      MEM_ACPI_RECLAIMABLE, MEM_ACPI_NVS, MEM_RESERVED,
        MEM_RESERVED, MEM_RESERVED, MEM_RESERVED, MEM_RESERVED,         MEM_RESERVED, MEM_RESERVED,
    };
    (void)state;
    for (uint32_t t = 0; t < EFI_MAX_MEMORY_TYPE + 2; t++) {
        put_desc(EFI_MEMORY_DESCRIPTOR_SIZE, 0, t, 0x100000, 1);
        assert_int_equal(convert(EFI_MEMORY_DESCRIPTOR_SIZE, EFI_MEMORY_DESCRIPTOR_SIZE), 1);
        check_region(&raw[0], 0x100000, PAGE, expected[t]);
        assert_int_equal(efi_memory_type_to_mem_type(t), expected[t]);
    }
    assert_int_equal(efi_memory_type_to_mem_type(0x70000000u), MEM_RESERVED); /* OEM */
    assert_int_equal(efi_memory_type_to_mem_type(0x80000000u), MEM_RESERVED); /* OS loader */
    assert_int_equal(efi_memory_type_to_mem_type(UINT32_MAX), MEM_RESERVED);
}

static void test_type_names(void **state)
{
    (void)state;
    assert_string_equal(efi_memory_type_name(EFI_RESERVED_MEMORY_TYPE), "EfiReservedMemoryType");
    assert_string_equal(efi_memory_type_name(EFI_CONVENTIONAL_MEMORY), "EfiConventionalMemory");
    assert_string_equal(efi_memory_type_name(EFI_ACPI_MEMORY_NVS), "EfiACPIMemoryNVS");
    assert_string_equal(efi_memory_type_name(EFI_UNACCEPTED_MEMORY_TYPE),
                        "EfiUnacceptedMemoryType");
    for (uint32_t t = 0; t < EFI_MAX_MEMORY_TYPE; t++)
        assert_true(strncmp(efi_memory_type_name(t), "Efi", 3) == 0);
    assert_string_equal(efi_memory_type_name(EFI_MAX_MEMORY_TYPE), "unknown");
    assert_string_equal(efi_memory_type_name(UINT32_MAX), "unknown");
}

/* The same three descriptors, 40 and 48 bytes apart, give the same regions:
 * stepping by sizeof instead of DescriptorSize would read junk at 48. */
static void check_descriptor_size(size_t descriptor_size)
{
    put_desc(descriptor_size, 0, EFI_CONVENTIONAL_MEMORY, 0, 0xA0);
    put_desc(descriptor_size, 1, EFI_ACPI_RECLAIM_MEMORY, 0x7F000000, 16);
    put_desc(descriptor_size, 2, EFI_RUNTIME_SERVICES_DATA, 0xFFC00000, 0x400);
    assert_int_equal(convert(3 * descriptor_size, descriptor_size), 3);
    check_region(&raw[0], 0, 0xA0 * PAGE, MEM_USABLE);
    check_region(&raw[1], 0x7F000000, 16 * PAGE, MEM_ACPI_RECLAIMABLE);
    check_region(&raw[2], 0xFFC00000, 0x400 * PAGE, MEM_RESERVED);
}

static void test_descriptor_size_40(void **state)
{
    (void)state;
    check_descriptor_size(EFI_MEMORY_DESCRIPTOR_SIZE);
}

static void test_descriptor_size_48(void **state)
{
    (void)state;
    check_descriptor_size(OVMF_DESCRIPTOR_SIZE);
}

static void test_unsorted_overlapping_through_normalize(void **state)
{
    size_t d = OVMF_DESCRIPTOR_SIZE;
    (void)state;
    put_desc(d, 0, EFI_BOOT_SERVICES_DATA, 0x200000, 0x100);  /* 2 MiB..3 MiB */
    put_desc(d, 1, EFI_CONVENTIONAL_MEMORY, 0x100000, 0x100); /* 1 MiB..2 MiB, touches */
    put_desc(d, 2, EFI_CONVENTIONAL_MEMORY, 0, 0x9F);
    put_desc(d, 3, EFI_ACPI_MEMORY_NVS, 0x280000, 0x10); /* inside the usable run */
    put_desc(d, 4, EFI_LOADER_CODE, 0x2F0000, 0x20);     /* overlaps its end, runs on */
    put_desc(d, 5, EFI_MEMORY_MAPPED_IO, 0xFEC00000, 1);
    size_t count = convert(6 * d, d);
    assert_int_equal(count, 6);

    size_t n = memmap_normalize(raw, count, out, MAX_OUT);
    assert_int_equal(n, 5);
    check_region(&out[0], 0, 0x9F * PAGE, MEM_USABLE);
    check_region(&out[1], 0x100000, 0x180000, MEM_USABLE);
    check_region(&out[2], 0x280000, 0x10000, MEM_ACPI_NVS);
    check_region(&out[3], 0x290000, 0x310000 - 0x290000, MEM_USABLE);
    check_region(&out[4], 0xFEC00000, PAGE, MEM_RESERVED);
}

static void test_bad_sizes_rejected(void **state)
{
    size_t count = 99;
    (void)state;
    put_desc(OVMF_DESCRIPTOR_SIZE, 0, EFI_CONVENTIONAL_MEMORY, 0, 1);
    put_desc(OVMF_DESCRIPTOR_SIZE, 1, EFI_CONVENTIONAL_MEMORY, 0x1000, 1);
    /* truncated: the second descriptor lacks its last 8 bytes */
    assert_int_equal(efi_memmap_to_regions(map, 2 * OVMF_DESCRIPTOR_SIZE - 8, OVMF_DESCRIPTOR_SIZE,
                                           raw, MAX_OUT, &count),
                     -EINVAL);
    assert_int_equal(count, 0);
    count = 99;
    assert_int_equal(efi_memmap_to_regions(map, 2 * 32, 32, raw, MAX_OUT, &count), -EINVAL);
    assert_int_equal(count, 0);
    assert_int_equal(efi_memmap_to_regions(map, 0, 0, raw, MAX_OUT, &count), -EINVAL);
    /* an empty map is a valid (if useless) answer */
    assert_int_equal(efi_memmap_to_regions(NULL, 0, OVMF_DESCRIPTOR_SIZE, raw, MAX_OUT, &count), 0);
    assert_int_equal(count, 0);
}

static void test_zero_pages_skipped(void **state)
{
    (void)state;
    put_desc(EFI_MEMORY_DESCRIPTOR_SIZE, 0, EFI_CONVENTIONAL_MEMORY, 0x1000, 0);
    put_desc(EFI_MEMORY_DESCRIPTOR_SIZE, 1, EFI_LOADER_DATA, 0x2000, 2);
    assert_int_equal(convert(2 * EFI_MEMORY_DESCRIPTOR_SIZE, EFI_MEMORY_DESCRIPTOR_SIZE), 1);
    check_region(&raw[0], 0x2000, 2 * PAGE, MEM_USABLE);
}

static void test_reaching_2_pow_64_clipped(void **state)
{
    size_t d = EFI_MEMORY_DESCRIPTOR_SIZE;
    (void)state;
    put_desc(d, 0, EFI_RESERVED_MEMORY_TYPE, UINT64_MAX - PAGE + 1, 1);  /* ends at 2^64 */
    put_desc(d, 1, EFI_CONVENTIONAL_MEMORY, 0x100000000ull, UINT64_MAX); /* pages << 12 wraps */
    put_desc(d, 2, EFI_CONVENTIONAL_MEMORY, 0, 1ull << 52);              /* exactly 2^64 bytes */
    assert_int_equal(convert(3 * d, d), 3);
    check_region(&raw[0], UINT64_MAX - PAGE + 1, PAGE - 1, MEM_RESERVED);
    check_region(&raw[1], 0x100000000ull, UINT64_MAX - 0x100000000ull, MEM_USABLE);
    check_region(&raw[2], 0, UINT64_MAX, MEM_USABLE);

    size_t n = memmap_normalize(raw, 3, out, MAX_OUT);
    assert_int_equal(n, 2);
    check_region(&out[0], 0, UINT64_MAX - PAGE + 1, MEM_USABLE);
    check_region(&out[1], UINT64_MAX - PAGE + 1, PAGE - 1, MEM_RESERVED);
}

static void test_capacity_counts_all(void **state)
{
    size_t count = 0;
    (void)state;
    for (size_t i = 0; i < 4; i++)
        put_desc(EFI_MEMORY_DESCRIPTOR_SIZE, i, EFI_CONVENTIONAL_MEMORY, i * 0x10000, 1);
    memset(raw, 0, sizeof(raw));
    assert_int_equal(efi_memmap_to_regions(map, 4 * EFI_MEMORY_DESCRIPTOR_SIZE,
                                           EFI_MEMORY_DESCRIPTOR_SIZE, raw, 2, &count),
                     0);
    assert_int_equal(count, 4);
    check_region(&raw[1], 0x10000, PAGE, MEM_USABLE);
    assert_int_equal(raw[2].length, 0); /* not written */
}

#define MODEL_PAGES 64
#define RANDOM_RUNS 2000

/* Random maps over MODEL_PAGES pages near address 0 and near 2^64, checked
 * page by page against "the largest Keel type of any descriptor covering the
 * page wins". */
static void random_run(uint64_t window_base)
{
    enum mem_type model[MODEL_PAGES] = {0};
    size_t d = rng_below(2) ? EFI_MEMORY_DESCRIPTOR_SIZE : OVMF_DESCRIPTOR_SIZE;
    size_t descriptors = rng_below(MAX_DESCRIPTORS / 2 + 1);

    for (size_t i = 0; i < descriptors; i++) {
        uint32_t type = (uint32_t)rng_below(EFI_MAX_MEMORY_TYPE + 3);
        uint64_t first = rng_below(MODEL_PAGES);
        uint64_t pages = rng_below(MODEL_PAGES - first + 1);
        put_desc(d, i, type, window_base + first * PAGE, pages);
        for (uint64_t p = first; p < first + pages; p++)
            if (efi_memory_type_to_mem_type(type) > model[p])
                model[p] = efi_memory_type_to_mem_type(type);
    }
    size_t count = convert(descriptors * d, d);
    size_t n = memmap_normalize(raw, count, out, MAX_OUT);
    assert_true(n <= MAX_OUT);

    size_t r = 0;
    for (uint64_t p = 0; p < MODEL_PAGES; p++) {
        uint64_t page = window_base + p * PAGE;
        uint64_t last = page + (PAGE - 1) - (p == MODEL_PAGES - 1 && window_base != 0);
        while (r < n && out[r].base + (out[r].length - 1) < page)
            r++;
        if (model[p] == 0) {
            assert_true(r == n || out[r].base > last);
            continue;
        }
        assert_true(r < n);
        assert_true(out[r].base <= page && out[r].base + (out[r].length - 1) >= last);
        assert_int_equal(out[r].type, model[p]);
    }
}

static void test_random_against_model(void **state)
{
    (void)state;
    for (int i = 0; i < RANDOM_RUNS; i++) {
        random_run(0);
        random_run(0 - MODEL_PAGES * PAGE); /* the last page is clipped by one byte */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_type_mapped),
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_descriptor_size_40),
        cmocka_unit_test(test_descriptor_size_48),
        cmocka_unit_test(test_unsorted_overlapping_through_normalize),
        cmocka_unit_test(test_bad_sizes_rejected),
        cmocka_unit_test(test_zero_pages_skipped),
        cmocka_unit_test(test_reaching_2_pow_64_clipped),
        cmocka_unit_test(test_capacity_counts_all),
        cmocka_unit_test(test_random_against_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
