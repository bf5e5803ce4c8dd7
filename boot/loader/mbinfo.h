/*
 * mbinfo.h - the memory map from the BIOS and the Multiboot 2 information
 * block both of Keel's loaders hand to the kernel.
 *
 * Pure functions: the BIOS calls that gather the raw data live in
 * boot/bios/memory_probe.c; these turn raw E820/E801 answers into a map and
 * the map into a Multiboot 2 block (spec 3.6), and run unchanged in host
 * tests. The UEFI loader (boot/uefi/) translates the EFI memory map into the
 * same entries and adds the tags only it has: modules, framebuffer, ACPI
 * RSDP and the raw EFI memory map (struct mb2_extra_tags).
 */
#ifndef KEEL_BOOT_LOADER_MBINFO_H
#define KEEL_BOOT_LOADER_MBINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One INT 15h AX=E820h entry, as the BIOS writes it (ACPI spec, "INT 15H
 * E820H - Query System Address Map"): 20 bytes, or 24 with ACPI 3.0
 * extended attributes. The types are numbered as in Multiboot's memory map
 * (boot/multiboot/protocol.h; mbinfo.c checks that). */
#define E820_TYPE_USABLE           1
#define E820_TYPE_RESERVED         2
#define E820_TYPE_ACPI_RECLAIMABLE 3
#define E820_TYPE_ACPI_NVS         4
#define E820_TYPE_BAD              5

struct e820_entry {
    uint64_t base;
    uint64_t length;
    uint32_t type;
    uint32_t acpi_attributes; /* bit 0 clear: ignore the entry (ACPI 3.0) */
} __attribute__((packed));

#define E820_ENTRY_MIN_SIZE   20
#define E820_ENTRY_FULL_SIZE  24
#define E820_ACPI_ENTRY_VALID 0x1

/* Whether an entry returned with `size` bytes should be kept: at least 20
 * bytes written, non-empty, and (for 24-byte answers) not flagged "ignore".
 * Normalises a shorter answer by setting acpi_attributes to
 * E820_ACPI_ENTRY_VALID (the BIOS never wrote them). */
bool e820_accept(struct e820_entry *entry, uint32_t size);

/* Build a map from INT 15h AX=E801h: ext_1m_16m_kib (AX or CX: KiB between
 * 1 and 16 MiB) and ext_16m_64k (BX or DX: 64 KiB blocks above 16 MiB),
 * plus conventional memory from INT 12h (KiB below 640 KiB). Writes up to
 * 3 usable entries to out, in address order, leaving out empty ones;
 * returns how many. Conventional memory is clamped to 640 KiB and the 1-16
 * MiB part to 15 MiB; the part above 16 MiB is reported even when the one
 * below has a hole. */
size_t e801_to_map(uint32_t conventional_kib, uint32_t ext_1m_16m_kib, uint32_t ext_16m_64k,
                   struct e820_entry out[3]);

/* mem_lower / mem_upper (KiB) for the basic memory information tag: usable
 * memory from 0 and from 1 MiB up to the first hole (Multiboot 2 spec
 * 3.6.3). The map may be unsorted, split or overlapping; a non-usable entry
 * overlapping a run ends it. mem_lower is at most 640; mem_upper saturates
 * at UINT32_MAX. */
void e820_basic_memory(const struct e820_entry *map, size_t count, uint32_t *mem_lower_kib,
                       uint32_t *mem_upper_kib);

/* Write a Multiboot 2 information block into buf (capacity bytes, buf
 * 8-byte aligned): fixed part, command line tag, boot loader name tag, basic
 * memory information tag, memory map tag (entry_size 24, version 0), end tag.
 * NULL strings are written as "". map entries are copied as given (filter
 * them with e820_accept first). Returns the total size, or 0 when it does
 * not fit, in which case nothing has been written. */
size_t mb2_build_info(void *buf, size_t capacity, const char *cmdline, const char *loader_name,
                      const struct e820_entry *map, size_t count);

/* A direct-RGB framebuffer for the framebuffer tag (spec 3.6.12, type 1):
 * each colour is `size` bits from bit `position` of a pixel. */
struct mb2_framebuffer {
    uint64_t addr;
    uint32_t pitch; /* bytes per line */
    uint32_t width, height;
    uint8_t bpp;
    uint8_t red_position, red_size, green_position, green_size, blue_position, blue_size;
};

/* A module for a module tag (spec 3.6.6): [start, end), end below 4 GiB
 * (both are u32 fields). */
struct mb2_module {
    uint64_t start, end;
    const char *cmdline; /* NULL: "" */
};

/* The tags beyond mb2_build_info()'s; every part is optional (NULL / 0). */
struct mb2_extra_tags {
    const struct mb2_module *modules; /* module tags (3.6.6), in this order */
    size_t module_count;
    const struct mb2_framebuffer *framebuffer; /* framebuffer tag (3.6.12) */
    /* The RSDP's bytes: 20 (ACPI 1.0) give the "ACPI old" tag (3.6.16),
     * 36 or more (its Length) the "ACPI new" tag (3.6.17). */
    const void *rsdp;
    size_t rsdp_length;
    /* The EFI memory map as GetMemoryMap() returned it, for the EFI memory
     * map tag (3.6.19): efi_map_size bytes of descriptors, descriptor_size
     * apart, of EFI_MEMORY_DESCRIPTOR version descriptor_version. */
    const void *efi_map;
    size_t efi_map_size;
    uint32_t efi_descriptor_size;
    uint32_t efi_descriptor_version;
};

/* mb2_build_info() plus the tags in *extra (NULL: none), after the memory
 * map tag. Returns 0, writing nothing, when the block does not fit, a module
 * does not end below 4 GiB or ends before it starts, or an RSDP is shorter than 20 bytes or between
 * 20 and 36. */
size_t mb2_build_info_extra(void *buf, size_t capacity, const char *cmdline,
                            const char *loader_name, const struct e820_entry *map, size_t count,
                            const struct mb2_extra_tags *extra);

#endif
