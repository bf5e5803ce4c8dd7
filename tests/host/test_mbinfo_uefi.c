/*
 * test_mbinfo_uefi.c - host tests for the Multiboot 2 tags only the UEFI
 * loader gives (boot/loader/mbinfo.c, mb2_build_info_extra()): modules,
 * framebuffer, ACPI RSDP and the EFI memory map, byte by byte from the
 * Multiboot 2 spec (3.6.6, 3.6.12, 3.6.16-17, 3.6.19), and read back by the
 * kernel's own reader (boot/multiboot/multiboot.c), which must prefer the
 * EFI memory map to the basic one and list the modules as given.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include <boot/loader/mbinfo.h>
#include <boot/multiboot/multiboot.h>
#include <boot/uefi/efi_memmap.h>

#define MIB         0x100000ull
#define DESC_SIZE   48 /* OVMF's DescriptorSize: larger than the structure */
#define BLOCK_BYTES 4096
#define LOADER_NAME "Keel UEFI loader"

static _Alignas(8) uint8_t block[BLOCK_BYTES];

/* A basic map that disagrees with the EFI one, so a test sees which was read. */
static const struct e820_entry basic_map[] = {
    {0x100000, 1 * MIB, MULTIBOOT_MEMORY_AVAILABLE, E820_ACPI_ENTRY_VALID},
};

static const struct mb2_framebuffer fb = {.addr = 0x80000000,
                                          .pitch = 5120,
                                          .width = 1280,
                                          .height = 800,
                                          .bpp = 32,
                                          .red_position = 16,
                                          .red_size = 8,
                                          .green_position = 8,
                                          .green_size = 8,
                                          .blue_position = 0,
                                          .blue_size = 8};

static uint8_t efi_map[3 * DESC_SIZE];
static uint8_t rsdp[36];

static uint32_t u32_at(size_t offset)
{
    uint32_t v;
    memcpy(&v, block + offset, 4);
    return v;
}

static uint64_t u64_at(size_t offset)
{
    uint64_t v;
    memcpy(&v, block + offset, 8);
    return v;
}

static void put_descriptor(size_t index, uint32_t type, uint64_t base, uint64_t pages)
{
    uint8_t *d = efi_map + index * DESC_SIZE;
    memset(d, 0xEE, DESC_SIZE); /* the bytes past the structure are the firmware's */
    memcpy(d, &type, 4);
    memcpy(d + 8, &base, 8);
    memcpy(d + 24, &pages, 8);
}

static int setup(void **state)
{
    (void)state;
    memset(block, 0xCC, sizeof(block));
    put_descriptor(0, EFI_CONVENTIONAL_MEMORY, 0, 0xA0);        /* 640 KiB */
    put_descriptor(1, EFI_BOOT_SERVICES_DATA, 0x100000, 0x100); /* 1 MiB: usable */
    put_descriptor(2, EFI_ACPI_RECLAIM_MEMORY, 0x200000, 0x10); /* 64 KiB */
    for (size_t i = 0; i < sizeof(rsdp); i++)
        rsdp[i] = (uint8_t)(i + 1);
    return 0;
}

static struct mb2_extra_tags all_tags(const struct mb2_module *modules, size_t count)
{
    return (struct mb2_extra_tags){.modules = modules,
                                   .module_count = count,
                                   .framebuffer = &fb,
                                   .rsdp = rsdp,
                                   .rsdp_length = 36,
                                   .efi_map = efi_map,
                                   .efi_map_size = sizeof(efi_map),
                                   .efi_descriptor_size = DESC_SIZE,
                                   .efi_descriptor_version = 1};
}

/* Fixed part 8, cmdline "" 16, name 8+17 -> 32, meminfo 16, mmap 16+24 = 40:
 * the extra tags start at 112. */
#define EXTRA_AT 112

static void test_extra_tag_bytes(void **state)
{
    (void)state;
    const struct mb2_module module = {.start = 0x300000, .end = 0x300123, .cmdline = "ab"};
    struct mb2_extra_tags extra = all_tags(&module, 1);
    size_t total =
        mb2_build_info_extra(block, sizeof(block), "", LOADER_NAME, basic_map, 1, &extra);

    /* module: 16 + 3 = 19 -> 24 */
    size_t at = EXTRA_AT;
    assert_int_equal(u32_at(at), 3);
    assert_int_equal(u32_at(at + 4), 19);
    assert_int_equal(u32_at(at + 8), 0x300000);
    assert_int_equal(u32_at(at + 12), 0x300123);
    assert_memory_equal(block + at + 16, "ab", 3);
    /* framebuffer: 38 -> 40 */
    at += 24;
    assert_int_equal(u32_at(at), 8);
    assert_int_equal(u32_at(at + 4), 38);
    assert_int_equal(u64_at(at + 8), 0x80000000);
    assert_int_equal(u32_at(at + 16), 5120);
    assert_int_equal(u32_at(at + 20), 1280);
    assert_int_equal(u32_at(at + 24), 800);
    assert_int_equal(block[at + 28], 32);
    assert_int_equal(block[at + 29], 1); /* direct RGB */
    const uint8_t colours[6] = {16, 8, 8, 8, 0, 8};
    assert_memory_equal(block + at + 32, colours, 6);
    /* ACPI new: 8 + 36 = 44 -> 48 */
    at += 40;
    assert_int_equal(u32_at(at), 15);
    assert_int_equal(u32_at(at + 4), 44);
    assert_memory_equal(block + at + 8, rsdp, 36);
    /* EFI memory map: 16 + 144 = 160 */
    at += 48;
    assert_int_equal(u32_at(at), 17);
    assert_int_equal(u32_at(at + 4), 160);
    assert_int_equal(u32_at(at + 8), DESC_SIZE);
    assert_int_equal(u32_at(at + 12), 1);
    assert_memory_equal(block + at + 16, efi_map, sizeof(efi_map));
    /* end tag */
    at += 160;
    assert_int_equal(u32_at(at), 0);
    assert_int_equal(u32_at(at + 4), 8);
    assert_int_equal(total, at + 8);
    assert_int_equal(u32_at(0), total);
}

static void test_round_trip_prefers_efi_map(void **state)
{
    static struct boot_info info;
    const struct mb2_module modules[] = {
        {.start = 0x300000, .end = 0x302800, .cmdline = "initrd"},
        {.start = 0x303000, .end = 0x303000, .cmdline = NULL},
    };
    (void)state;
    struct mb2_extra_tags extra = all_tags(modules, 2);
    assert_int_not_equal(
        mb2_build_info_extra(block, sizeof(block), "x", LOADER_NAME, basic_map, 1, &extra), 0);
    assert_int_equal(boot_info_from_multiboot2(&info, 0, (uintptr_t)block), 0);
    assert_string_equal(info.loader_name, LOADER_NAME);
    /* The EFI map: 0-640 KiB and 1-2 MiB usable, then 64 KiB ACPI. */
    assert_int_equal(info.region_count, 3);
    assert_int_equal(info.regions[0].base, 0);
    assert_int_equal(info.regions[0].length, 0xA0000);
    assert_int_equal(info.regions[1].base, 0x100000);
    assert_int_equal(info.regions[1].length, 1 * MIB);
    assert_int_equal(info.regions[1].type, MEM_USABLE);
    assert_int_equal(info.regions[2].type, MEM_ACPI_RECLAIMABLE);
    /* Framebuffer and RSDP as given. */
    assert_true(info.framebuffer.present);
    assert_int_equal(info.framebuffer.type, FRAMEBUFFER_RGB);
    assert_int_equal(info.framebuffer.phys_addr, 0x80000000);
    assert_int_equal(info.framebuffer.pitch, 5120);
    assert_int_equal(info.framebuffer.width, 1280);
    assert_int_equal(info.framebuffer.height, 800);
    assert_int_equal(info.framebuffer.bpp, 32);
    assert_int_equal(info.framebuffer.red.position, 16);
    assert_int_equal(info.framebuffer.blue.position, 0);
    assert_int_equal(info.framebuffer.green.size, 8);
    assert_true(info.rsdp.present);
    assert_int_equal(info.rsdp.version, 2);
    assert_int_equal(info.rsdp.length, 36);
    assert_memory_equal(info.rsdp.bytes, rsdp, 36);
    /* The modules in their order, with their strings. */
    assert_int_equal(info.module_count, 2);
    assert_int_equal(info.modules_dropped, 0);
    assert_int_equal(info.modules[0].phys_start, 0x300000);
    assert_int_equal(info.modules[0].phys_end, 0x302800);
    assert_string_equal(info.modules[0].command_line, "initrd");
    assert_int_equal(info.modules[1].phys_start, 0x303000);
    assert_int_equal(info.modules[1].phys_end, 0x303000);
    assert_string_equal(info.modules[1].command_line, "");
}

static void test_bad_efi_map_falls_back_to_basic_map(void **state)
{
    static struct boot_info info;
    (void)state;
    struct mb2_extra_tags extra = all_tags(NULL, 0);
    extra.efi_descriptor_size = 36; /* below EFI_MEMORY_DESCRIPTOR's 40 bytes */
    extra.efi_map_size = 144;
    assert_int_not_equal(
        mb2_build_info_extra(block, sizeof(block), "", LOADER_NAME, basic_map, 1, &extra), 0);
    assert_int_equal(boot_info_from_multiboot2(&info, 0, (uintptr_t)block),
                     -MULTIBOOT_ERR_MALFORMED);
    assert_int_equal(info.region_count, 1);
    assert_int_equal(info.regions[0].base, 0x100000);
    assert_int_equal(info.regions[0].length, 1 * MIB);
}

static void test_acpi_old_tag_and_bad_lengths(void **state)
{
    static struct boot_info info;
    (void)state;
    struct mb2_extra_tags extra = {.rsdp = rsdp, .rsdp_length = 20};
    size_t total = mb2_build_info_extra(block, sizeof(block), "", "", basic_map, 1, &extra);
    size_t at = total - 8 - 32; /* 8 + 20 = 28 -> 32, before the end tag */
    assert_int_equal(u32_at(at), 14);
    assert_int_equal(u32_at(at + 4), 28);
    assert_int_equal(boot_info_from_multiboot2(&info, 0, (uintptr_t)block), 0);
    assert_int_equal(info.rsdp.version, 1);
    assert_int_equal(info.rsdp.length, 20);

    static const size_t bad[] = {1, 19, 21, 35};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        extra.rsdp_length = bad[i];
        assert_int_equal(mb2_build_info_extra(block, sizeof(block), "", "", NULL, 0, &extra), 0);
    }
}

static void test_module_limits(void **state)
{
    (void)state;
    struct mb2_module module = {.start = 0xFFFFF000, .end = 0xFFFFFFFF, .cmdline = NULL};
    struct mb2_extra_tags extra = {.modules = &module, .module_count = 1};
    assert_int_not_equal(mb2_build_info_extra(block, sizeof(block), "", "", NULL, 0, &extra), 0);
    /* 8 fixed + 16 + 16 (two empty strings) + 16 meminfo + 16 empty mmap = 72 */
    assert_int_equal(u32_at(72), 3);
    assert_int_equal(u32_at(76), 17); /* 16 + the empty string's NUL */
    assert_int_equal(u32_at(80), 0xFFFFF000);
    assert_int_equal(u32_at(84), 0xFFFFFFFF);
    module.end = 0x100000000; /* a u32 mod_end cannot say it */
    assert_int_equal(mb2_build_info_extra(block, sizeof(block), "", "", NULL, 0, &extra), 0);
    module = (struct mb2_module){.start = 0x2000, .end = 0x1000};
    assert_int_equal(mb2_build_info_extra(block, sizeof(block), "", "", NULL, 0, &extra), 0);
}

static void test_capacity_exact(void **state)
{
    (void)state;
    struct mb2_extra_tags extra = all_tags(NULL, 0);
    size_t total =
        mb2_build_info_extra(block, sizeof(block), "", LOADER_NAME, basic_map, 1, &extra);
    assert_int_not_equal(total, 0);
    memset(block, 0xCC, sizeof(block));
    assert_int_equal(mb2_build_info_extra(block, total - 1, "", LOADER_NAME, basic_map, 1, &extra),
                     0);
    assert_int_equal(block[0], 0xCC); /* nothing written */
    assert_int_equal(mb2_build_info_extra(block, total, "", LOADER_NAME, basic_map, 1, &extra),
                     total);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_extra_tag_bytes, setup),
        cmocka_unit_test_setup(test_round_trip_prefers_efi_map, setup),
        cmocka_unit_test_setup(test_bad_efi_map_falls_back_to_basic_map, setup),
        cmocka_unit_test_setup(test_acpi_old_tag_and_bad_lengths, setup),
        cmocka_unit_test_setup(test_module_limits, setup),
        cmocka_unit_test_setup(test_capacity_exact, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
