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

#include <stdbool.h>
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

enum framebuffer_type {
    FRAMEBUFFER_INDEXED = 0,  /* each pixel is an index into a palette */
    FRAMEBUFFER_RGB = 1,      /* each pixel holds red, green and blue fields */
    FRAMEBUFFER_EGA_TEXT = 2, /* character + attribute cells, as at 0xB8000 */
};

/* Where one colour lies in a direct-RGB pixel: `size` bits from bit `position`. */
struct framebuffer_field {
    uint8_t position;
    uint8_t size;
};

struct framebuffer_info {
    bool present; /* false: the loader described no framebuffer */
    enum framebuffer_type type;
    uint64_t phys_addr; /* first byte of the framebuffer */
    uint32_t pitch;     /* bytes from one line to the next */
    uint32_t width;     /* pixels, or characters for FRAMEBUFFER_EGA_TEXT */
    uint32_t height;    /* lines, or character rows for FRAMEBUFFER_EGA_TEXT */
    uint8_t bpp;        /* bits per pixel (16 for EGA text: char + attribute) */
    struct framebuffer_field red, green, blue; /* FRAMEBUFFER_RGB only, else zero */
};

#define BOOT_INFO_RSDP_MAX 36 /* ACPI 2.0+ RSDP; the 1.0 one is its first 20 bytes */

/* A copy of the ACPI Root System Description Pointer: the loader's copy
 * lives inside its information block, which is not kept. */
struct acpi_rsdp_info {
    bool present;    /* false: the loader gave no RSDP */
    uint8_t version; /* 1: ACPI 1.0 RSDP (20 bytes), 2: ACPI 2.0+ RSDP (36 bytes) */
    size_t length;   /* bytes valid in bytes[]: 20 or 36 */
    uint8_t bytes[BOOT_INFO_RSDP_MAX];
};

#define BOOT_INFO_MAX_REGIONS 64
#define BOOT_INFO_STRING_MAX  128
#define BOOT_INFO_MAX_MODULES 8

/* A file the loader put into memory beside the kernel (Multiboot module):
 * the ramdisk of user programs, for one. Its frames stay reserved. */
struct boot_module {
    uint64_t phys_start;                     /* first byte */
    uint64_t phys_end;                       /* one past the last byte */
    char command_line[BOOT_INFO_STRING_MAX]; /* the loader's string for it; "" when none */
};

struct boot_info {
    enum boot_protocol protocol;
    char loader_name[BOOT_INFO_STRING_MAX];  /* "" when the loader gave none */
    char command_line[BOOT_INFO_STRING_MAX]; /* "" when the loader gave none */
    uint64_t kernel_phys_start;              /* first byte of the loaded image */
    uint64_t kernel_phys_end;                /* one past the last byte (incl. .bss) */
    size_t region_count;
    size_t regions_dropped; /* regions that did not fit into regions[] */
    struct mem_region regions[BOOT_INFO_MAX_REGIONS];
    struct framebuffer_info framebuffer; /* Multiboot 2 only, for now */
    struct acpi_rsdp_info rsdp;          /* Multiboot 2 only; the newer RSDP when both */
    size_t module_count;
    size_t modules_dropped; /* modules that did not fit into modules[] */
    struct boot_module modules[BOOT_INFO_MAX_MODULES];
};

/* Sum of the lengths of all MEM_USABLE regions, in bytes. */
uint64_t boot_info_usable_bytes(const struct boot_info *info);

/* Short human name of a region type ("usable", "reserved", ...). */
const char *mem_type_name(enum mem_type type);

#endif
