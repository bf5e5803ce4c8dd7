/*
 * test_boot_modules.c - in-kernel checks of the module the loader hands over
 * (the ramdisk: tests/boot/keelqemu.py gives every -kernel boot the
 * initrd.tar beside the kernel through QEMU's -initrd): it is listed in boot_info,
 * lies in usable RAM, is read through the direct map after memory_init as
 * the loader wrote it, and none of its frames belongs to the allocator.
 */
#include <boot/boot_info.h>
#include <kernel/ktest.h>
#include <lib/string.h>
#include <mm/frames.h>
#include <mm/layout.h>
#include <mm/memory.h>

/* POSIX ustar header (IEEE Std 1003.1, "pax", ustar Interchange Format):
 * the magic "ustar" lies at byte 257 of every header, the first at byte 0. */
#define USTAR_MAGIC        "ustar"
#define USTAR_MAGIC_LEN    5
#define USTAR_MAGIC_OFFSET 257
#define USTAR_BLOCK        512 /* an archive is a whole number of these */

static const struct boot_module *first_module(void)
{
    const struct boot_info *info = ktest_boot_info();
    return info->module_count > 0 ? &info->modules[0] : NULL;
}

KTEST(module_is_listed)
{
    const struct boot_info *info = ktest_boot_info();
    KTEST_CHECK_EQ(info->module_count, 1);
    KTEST_CHECK_EQ(info->modules_dropped, 0);
    const struct boot_module *m = first_module();
    KTEST_CHECK(m->phys_end > m->phys_start);
    KTEST_CHECK((m->phys_end - m->phys_start) % USTAR_BLOCK == 0);
    /* Above the kernel, where the loader must not have put it over the image. */
    KTEST_CHECK(m->phys_start >= info->kernel_phys_end || m->phys_end <= info->kernel_phys_start);
}

KTEST(module_lies_in_usable_memory)
{
    const struct boot_info *info = ktest_boot_info();
    const struct boot_module *m = first_module();
    KTEST_CHECK(m != NULL);
    bool inside = false;
    for (size_t i = 0; i < info->region_count; i++) {
        const struct mem_region *r = &info->regions[i];
        if (r->type == MEM_USABLE && r->base <= m->phys_start && m->phys_end <= r->base + r->length)
            inside = true;
    }
    KTEST_CHECK(inside);
}

/* The archive's first header, read through the direct map (phys_to_virt
 * after memory_init): nothing the kernel allocated since boot wrote over it. */
KTEST(module_reads_as_ustar_through_direct_map)
{
    const struct boot_module *m = first_module();
    KTEST_CHECK(m != NULL);
    KTEST_CHECK(m->phys_end - m->phys_start >= USTAR_BLOCK);
    KTEST_CHECK_EQ(phys_window_base, DIRECT_MAP_BASE);
    const char *header = phys_to_virt(m->phys_start);
    KTEST_CHECK((uintptr_t)header >= DIRECT_MAP_BASE);
    KTEST_CHECK(memcmp(header + USTAR_MAGIC_OFFSET, USTAR_MAGIC, USTAR_MAGIC_LEN) == 0);
    KTEST_CHECK(header[0] != '\0'); /* the first member's name */
}

/* No page of the module is in a range the frame allocator hands out. */
KTEST(module_frames_kept_from_allocator)
{
    const struct boot_module *m = first_module();
    KTEST_CHECK(m != NULL);
    const struct frame_allocator *fa = kernel_frames();
    uint64_t first_page = m->phys_start & ~(PAGE_SIZE - 1);
    uint64_t end_page = (m->phys_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    for (size_t i = 0; i < fa->managed_count; i++) {
        const struct phys_range *r = &fa->managed[i];
        KTEST_CHECK(r->end <= first_page || r->start >= end_page);
    }
}
