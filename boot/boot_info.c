/*
 * boot_info.c - small queries on struct boot_info (see boot_info.h).
 *
 * Pure functions over an already normalised boot_info, so the banner
 * ("Memory: N MiB detected") and the memory map listing can be tested on
 * the host.
 */
#include <boot/boot_info.h>

uint64_t boot_info_usable_bytes(const struct boot_info *info)
{
    size_t count = info->region_count;
    uint64_t sum = 0;

    /* Never trust the count past the array, whoever filled it in. */
    if (count > BOOT_INFO_MAX_REGIONS)
        count = BOOT_INFO_MAX_REGIONS;
    for (size_t i = 0; i < count; i++)
        if (info->regions[i].type == MEM_USABLE)
            sum += info->regions[i].length;
    return sum;
}

const char *mem_type_name(enum mem_type type)
{
    switch (type) {
    case MEM_USABLE:
        return "usable";
    case MEM_ACPI_RECLAIMABLE:
        return "ACPI reclaimable";
    case MEM_ACPI_NVS:
        return "ACPI NVS";
    case MEM_RESERVED:
        return "reserved";
    case MEM_BAD:
        return "bad";
    }
    return "unknown";
}
