/*
 * efi_memmap.h - the UEFI memory map and its translation into Keel's regions.
 *
 * Spec: UEFI 2.10, section 7.2.3 EFI_BOOT_SERVICES.GetMemoryMap() (the
 * EFI_MEMORY_DESCRIPTOR layout, and DescriptorSize: "the size, in bytes, of an
 * individual EFI_MEMORY_DESCRIPTOR", which firmware may make larger than the
 * structure, so the map is always walked DescriptorSize bytes at a time) and
 * section 7.2.1 AllocatePages() (EFI_MEMORY_TYPE, and the table "Memory Type
 * Usage after ExitBootServices()"). The type mapping follows ACPI 6.4, table
 * 15.6 "UEFI Memory Types and mapping to ACPI address range types".
 *
 * Pure functions: the loader calls GetMemoryMap(); these turn the bytes it
 * returned into raw struct mem_region entries for memmap_normalize(), and run
 * unchanged in host tests.
 */
#ifndef KEEL_BOOT_UEFI_EFI_MEMMAP_H
#define KEEL_BOOT_UEFI_EFI_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

#include <boot/boot_info.h>

/* NumberOfPages counts EFI pages, which are 4 KiB on every architecture
 * whatever page size the CPU uses (UEFI 2.10, 7.2.1 AllocatePages()). */
#define EFI_PAGE_SHIFT 12
#define EFI_PAGE_SIZE  (1ull << EFI_PAGE_SHIFT)

/* EFI_MEMORY_TYPE (UEFI 2.10, 7.2.1). Values from EFI_MAX_MEMORY_TYPE up to
 * 0x6FFFFFFF are reserved; 0x70000000.. are OEM and 0x80000000.. OS loader
 * types: all of them are unknown here and treated as reserved. */
enum efi_memory_type {
    EFI_RESERVED_MEMORY_TYPE = 0,
    EFI_LOADER_CODE = 1,
    EFI_LOADER_DATA = 2,
    EFI_BOOT_SERVICES_CODE = 3,
    EFI_BOOT_SERVICES_DATA = 4,
    EFI_RUNTIME_SERVICES_CODE = 5,
    EFI_RUNTIME_SERVICES_DATA = 6,
    EFI_CONVENTIONAL_MEMORY = 7,
    EFI_UNUSABLE_MEMORY = 8,
    EFI_ACPI_RECLAIM_MEMORY = 9,
    EFI_ACPI_MEMORY_NVS = 10,
    EFI_MEMORY_MAPPED_IO = 11,
    EFI_MEMORY_MAPPED_IO_PORT_SPACE = 12,
    EFI_PAL_CODE = 13,
    EFI_PERSISTENT_MEMORY = 14,
    EFI_UNACCEPTED_MEMORY_TYPE = 15, /* UEFI 2.9: must be accepted before use */
    EFI_MAX_MEMORY_TYPE = 16,
};

/* EFI_MEMORY_DESCRIPTOR (UEFI 2.10, 7.2.3), version 1. The firmware's
 * descriptors are DescriptorSize bytes apart, which may exceed sizeof (OVMF
 * uses 48): never index an array of these. The structure only names the
 * layout; efi_memmap_to_regions() reads the fields by offset. */
struct efi_memory_descriptor {
    uint32_t type;            /* enum efi_memory_type */
    uint32_t padding;         /* the compiler's too: physical_start is 8-aligned */
    uint64_t physical_start;  /* 4 KiB aligned */
    uint64_t virtual_start;   /* only meaningful after SetVirtualAddressMap() */
    uint64_t number_of_pages; /* EFI_PAGE_SIZE pages */
    uint64_t attribute;       /* EFI_MEMORY_WB, EFI_MEMORY_RUNTIME, ... */
};

#define EFI_MEMORY_DESCRIPTOR_SIZE 40 /* sizeof, the smallest DescriptorSize accepted */

/* Keel's type for an EFI type once ExitBootServices() has run: loader and
 * boot-services memory and conventional memory are usable; ACPI reclaim
 * and NVS keep their ACPI types; unusable memory is bad; everything else
 * (runtime services, MMIO, PAL code, persistent memory, reserved,
 * unaccepted, unknown) is reserved. */
enum mem_type efi_memory_type_to_mem_type(uint32_t efi_type);

/* The spec's mnemonic ("EfiConventionalMemory", ...), or "unknown". */
const char *efi_memory_type_name(uint32_t efi_type);

/*
 * Translate the map GetMemoryMap() wrote (map_size bytes of descriptors
 * descriptor_size bytes apart) into raw regions in out[0..capacity), in map
 * order, for memmap_normalize(). Descriptors of zero pages are skipped. A
 * descriptor reaching past 2^64 - 1 is clipped to end there, as
 * memmap_normalize() clips (NumberOfPages * 4 KiB may not even fit in 64
 * bits). *count gets the number of regions the map needs; when that exceeds
 * capacity, only the first `capacity` are written.
 * Returns 0, or -EINVAL (nothing written, *count = 0) when descriptor_size
 * is below EFI_MEMORY_DESCRIPTOR_SIZE or map_size is not a multiple of it: a
 * truncated or misread map is not trusted in part.
 */
int efi_memmap_to_regions(const void *map, size_t map_size, size_t descriptor_size,
                          struct mem_region *out, size_t capacity, size_t *count);

#endif
