/*
 * acpi.c - the kernel side of the ACPI table reader (lib/acpi.c): makes
 * the tables' memory readable and keeps what was found.
 *
 * The direct map covers the first MiB (so the BIOS data area, the EBDA and
 * the 0xE0000-0xFFFFF BIOS area where the RSDP lives) and RAM of the types
 * usable, ACPI reclaimable and ACPI NVS. Firmware may keep the tables in
 * regions the memory map calls reserved instead: SeaBIOS under QEMU puts
 * them in the reserved block just below the top of low RAM. Such pages are
 * mapped on demand at their direct-map address (DIRECT_MAP_BASE + phys),
 * read-only and no-execute, so phys_to_virt() works for them as for RAM.
 * Only pages the memory map lists are mapped: a damaged pointer into a hole
 * in the map (device memory, or nothing) is refused.
 */
#include <keel/acpi.h>
#include <keel/errno.h>
#include <keel/kernel.h>
#include <keel/layout.h>
#include <keel/memory.h>

#define PAGE            4096ull
#define DIRECT_MAP_SPAN (HEAP_BASE - DIRECT_MAP_BASE) /* physical addresses the map can show */

/* Whether the memory map has a region (of any type) overlapping this page. */
static bool listed_in_memory_map(uint64_t page)
{
    const struct boot_info *info = kernel_boot_info();
    for (size_t i = 0; info && i < info->region_count; i++) {
        const struct mem_region *r = &info->regions[i];
        if (page < r->base + r->length && page + PAGE > r->base)
            return true;
    }
    return false;
}

static int make_page_readable(uint64_t page)
{
    struct address_space *as = kernel_address_space();
    uint64_t virt = DIRECT_MAP_BASE + page;
    if (vm_translate(as, virt, NULL, NULL, NULL) == 0)
        return 0;
    if (!listed_in_memory_map(page))
        return -ENOENT;
    return vm_map(as, virt, page, PAGE_SIZE_4K, 0); /* read-only, no-execute */
}

/* acpi_map_fn for the kernel: [phys, phys + len) through the direct map. */
static const void *map_for_acpi(uint64_t phys, size_t len, void *ctx)
{
    (void)ctx;
    if (phys_window_base != DIRECT_MAP_BASE)
        return NULL; /* still on the boot tables: no direct map yet */
    if (len == 0 || phys >= DIRECT_MAP_SPAN || len > DIRECT_MAP_SPAN - phys)
        return NULL;
    for (uint64_t page = phys & ~(PAGE - 1); page < phys + len; page += PAGE)
        if (make_page_readable(page) != 0)
            return NULL;
    return phys_to_virt(phys);
}

enum acpi_status acpi_power_info(const struct acpi_power_info **out)
{
    static const struct acpi_memory memory = {.map = map_for_acpi};
    static struct acpi_power_info info;
    static enum acpi_status status;
    static bool read;
    if (!read) {
        status = acpi_read_power_info(&memory, &info);
        read = true;
    }
    *out = &info;
    return status;
}
