/*
 * efi_memmap.c - the UEFI memory map into Keel's regions (see efi_memmap.h).
 *
 * Spec: UEFI 2.10, 7.2.3 GetMemoryMap() (EFI_MEMORY_DESCRIPTOR) and 7.2.1
 * AllocatePages() (EFI_MEMORY_TYPE); the type mapping is ACPI 6.4 table 15.6,
 * with two choices of Keel's own: EfiUnusableMemory becomes MEM_BAD (ACPI says
 * reserved; "bad" is what it is and is more restrictive still), and
 * EfiPersistentMemory, for which ACPI has AddressRangePersistentMemory and
 * Keel has no type, stays reserved: used as RAM it would overwrite what an
 * NVDIMM keeps across power cycles.
 *
 * Descriptors are read field by field from the byte buffer at the offsets
 * that struct efi_memory_descriptor fixes (little-endian, as x86 and the spec
 * are): the buffer need not be aligned, and DescriptorSize may exceed the
 * structure, so no cast to a descriptor pointer is ever made.
 */
#include <boot/uefi/efi_memmap.h>

#include <lib/errno.h>

#define DESC_TYPE            0
#define DESC_PHYSICAL_START  8
#define DESC_NUMBER_OF_PAGES 24

_Static_assert(sizeof(struct efi_memory_descriptor) == EFI_MEMORY_DESCRIPTOR_SIZE,
               "EFI_MEMORY_DESCRIPTOR is 40 bytes");
_Static_assert(__builtin_offsetof(struct efi_memory_descriptor, type) == DESC_TYPE, "Type at 0");
_Static_assert(__builtin_offsetof(struct efi_memory_descriptor, physical_start) ==
                   DESC_PHYSICAL_START,
               "PhysicalStart at 8");
_Static_assert(__builtin_offsetof(struct efi_memory_descriptor, number_of_pages) ==
                   DESC_NUMBER_OF_PAGES,
               "NumberOfPages at 24");

#define ADDRESS_END UINT64_MAX /* exclusive end of the describable address space */

static const char *const type_names[EFI_MAX_MEMORY_TYPE] = {
    [EFI_RESERVED_MEMORY_TYPE] = "EfiReservedMemoryType",
    [EFI_LOADER_CODE] = "EfiLoaderCode",
    [EFI_LOADER_DATA] = "EfiLoaderData",
    [EFI_BOOT_SERVICES_CODE] = "EfiBootServicesCode",
    [EFI_BOOT_SERVICES_DATA] = "EfiBootServicesData",
    [EFI_RUNTIME_SERVICES_CODE] = "EfiRuntimeServicesCode",
    [EFI_RUNTIME_SERVICES_DATA] = "EfiRuntimeServicesData",
    [EFI_CONVENTIONAL_MEMORY] = "EfiConventionalMemory",
    [EFI_UNUSABLE_MEMORY] = "EfiUnusableMemory",
    [EFI_ACPI_RECLAIM_MEMORY] = "EfiACPIReclaimMemory",
    [EFI_ACPI_MEMORY_NVS] = "EfiACPIMemoryNVS",
    [EFI_MEMORY_MAPPED_IO] = "EfiMemoryMappedIO",
    [EFI_MEMORY_MAPPED_IO_PORT_SPACE] = "EfiMemoryMappedIOPortSpace",
    [EFI_PAL_CODE] = "EfiPalCode",
    [EFI_PERSISTENT_MEMORY] = "EfiPersistentMemory",
    [EFI_UNACCEPTED_MEMORY_TYPE] = "EfiUnacceptedMemoryType",
};

enum mem_type efi_memory_type_to_mem_type(uint32_t efi_type)
{
    switch (efi_type) {
    case EFI_LOADER_CODE:
    case EFI_LOADER_DATA:
    case EFI_BOOT_SERVICES_CODE: /* the firmware's boot services are gone */
    case EFI_BOOT_SERVICES_DATA:
    case EFI_CONVENTIONAL_MEMORY:
        return MEM_USABLE;
    case EFI_ACPI_RECLAIM_MEMORY:
        return MEM_ACPI_RECLAIMABLE;
    case EFI_ACPI_MEMORY_NVS:
        return MEM_ACPI_NVS;
    case EFI_UNUSABLE_MEMORY:
        return MEM_BAD;
    default: /* runtime services, MMIO, PAL code, reserved, unaccepted, unknown */
        return MEM_RESERVED;
    }
}

const char *efi_memory_type_name(uint32_t efi_type)
{
    return efi_type < EFI_MAX_MEMORY_TYPE ? type_names[efi_type] : "unknown";
}

static uint32_t read_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t read_u64(const uint8_t *p)
{
    return (uint64_t)read_u32(p) | (uint64_t)read_u32(p + 4) << 32;
}

/* Length in bytes of `pages` EFI pages from base, clipped so that the region
 * ends at ADDRESS_END at the latest (pages << 12 itself may overflow). */
static uint64_t clipped_length(uint64_t base, uint64_t pages)
{
    uint64_t room = ADDRESS_END - base;

    if (pages > room >> EFI_PAGE_SHIFT)
        return room;
    return pages << EFI_PAGE_SHIFT;
}

int efi_memmap_to_regions(const void *map, size_t map_size, size_t descriptor_size,
                          struct mem_region *out, size_t capacity, size_t *count)
{
    const uint8_t *bytes = map;
    size_t n = 0;

    *count = 0;
    if (descriptor_size < EFI_MEMORY_DESCRIPTOR_SIZE || map_size % descriptor_size != 0)
        return -EINVAL;
    for (size_t offset = 0; offset < map_size; offset += descriptor_size) {
        const uint8_t *desc = bytes + offset;
        uint64_t base = read_u64(desc + DESC_PHYSICAL_START);
        uint64_t length = clipped_length(base, read_u64(desc + DESC_NUMBER_OF_PAGES));

        if (length == 0)
            continue; /* zero pages, or a base of 2^64 - 1 */
        if (n < capacity)
            out[n] = (struct mem_region){
                .base = base,
                .length = length,
                .type = efi_memory_type_to_mem_type(read_u32(desc + DESC_TYPE)),
            };
        n++;
    }
    *count = n;
    return 0;
}
