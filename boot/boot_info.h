/*
 * boot_info.h - everything the kernel knows about how it was booted.
 *
 * Code in boot/ translates the loader's structures (Multiboot 1 or 2) into
 * one struct boot_info; kernel_main() and everything after it read only this.
 * The memory map is normalised: sorted by base address, no two regions
 * overlap, and touching regions of the same type are merged into one.
 */
#ifndef KEEL_BOOT_BOOT_INFO_H
#define KEEL_BOOT_BOOT_INFO_H

#include <stddef.h>
#include <stdint.h>

/* Region types, ordered so that a larger value is more restrictive: where the
 * loader reports overlapping regions, the overlap gets the larger type. */
enum mem_type {
    MEM_USABLE = 1,
    MEM_ACPI_RECLAIMABLE = 2,
    MEM_ACPI_NVS = 3,
    MEM_RESERVED = 4,
    MEM_BAD = 5,
};

struct mem_region {
    uint64_t base;
    uint64_t length;
    enum mem_type type;
};

enum boot_protocol {
    BOOT_PROTOCOL_UNKNOWN = 0,
    BOOT_PROTOCOL_MULTIBOOT1 = 1,
    BOOT_PROTOCOL_MULTIBOOT2 = 2,
};

#define BOOT_INFO_MAX_REGIONS 64
#define BOOT_INFO_STRING_MAX  128

struct boot_info {
    enum boot_protocol protocol;
    char loader_name[BOOT_INFO_STRING_MAX];  /* "" when the loader gave none */
    char command_line[BOOT_INFO_STRING_MAX]; /* "" when the loader gave none */
    uint64_t kernel_phys_start;              /* first byte of the loaded image */
    uint64_t kernel_phys_end;                /* one past the last byte (incl. .bss) */
    size_t region_count;
    size_t regions_dropped; /* regions that did not fit into regions[] */
    struct mem_region regions[BOOT_INFO_MAX_REGIONS];
};

/* Sum of the lengths of all MEM_USABLE regions, in bytes. */
uint64_t boot_info_usable_bytes(const struct boot_info *info);

/* Short human name of a region type ("usable", "reserved", ...). */
const char *mem_type_name(enum mem_type type);

#endif
