/*
 * protocol.h - the numbers of the Multiboot 1 and Multiboot 2 protocols,
 * written once for every part of Keel that speaks them: the kernel's
 * headers (header.S) and entry (entry.S), its reader of the loaders'
 * information (multiboot.c), and the BIOS loader, which checks a kernel's
 * header (boot/loader/elf_load.c), builds the information (boot/loader/mbinfo.c)
 * and enters the kernel (boot/bios/stage2_entry.S), and the UEFI loader
 * (boot/uefi/trampoline.S).
 *
 * Preprocessor definitions only, without type suffixes, so C and assembly
 * include it alike. Specs: "Multiboot Specification" 0.6.96 and "Multiboot2
 * Specification" 2.0; section numbers below are theirs.
 */
#ifndef KEEL_BOOT_MULTIBOOT_PROTOCOL_H
#define KEEL_BOOT_MULTIBOOT_PROTOCOL_H

/* Multiboot 1: the header lies 4-byte aligned in the first 8 KiB of the
 * file (3.1.1) and starts with this magic (3.1.2); the loader enters the
 * kernel with the other magic in EAX (3.2). */
#define MULTIBOOT1_HEADER_MAGIC     0x1BADB002
#define MULTIBOOT1_HEADER_ALIGN     4
#define MULTIBOOT1_BOOTLOADER_MAGIC 0x2BADB002

/* Multiboot 2: the header lies 8-byte aligned in the first 32 KiB (3.1.1)
 * and starts with magic and architecture (3.1.2); its tags and those of the
 * boot information are 8-byte aligned (3.1.3, 3.6.1). EAX holds the other
 * magic at the entry (3.3). */
#define MULTIBOOT2_HEADER_MAGIC        0xE85250D6
#define MULTIBOOT2_HEADER_ALIGN        8
#define MULTIBOOT2_HEADER_SEARCH_LIMIT 32768
#define MULTIBOOT2_ARCH_I386           0 /* 32-bit protected mode */
#define MULTIBOOT2_TAG_ALIGN           8
#define MULTIBOOT2_BOOTLOADER_MAGIC    0x36D76289

/* Multiboot 2 boot information tag types (3.6); a header's information
 * request tag (3.1.4) asks for tags by these numbers. */
#define MULTIBOOT2_TAG_END           0  /* 3.6.2: type 0, size 8 */
#define MULTIBOOT2_TAG_CMDLINE       1  /* 3.6.5: NUL-terminated string */
#define MULTIBOOT2_TAG_LOADER_NAME   2  /* 3.6.9: NUL-terminated string */
#define MULTIBOOT2_TAG_MODULE        3  /* 3.6.6: u32 mod_start, u32 mod_end, string */
#define MULTIBOOT2_TAG_BASIC_MEMINFO 4  /* 3.6.3: u32 mem_lower, u32 mem_upper (KiB) */
#define MULTIBOOT2_TAG_MMAP          6  /* 3.6.8: u32 entry_size, u32 entry_version, entries */
#define MULTIBOOT2_TAG_FRAMEBUFFER   8  /* 3.6.12: address, pitch, size, bpp, type, colours */
#define MULTIBOOT2_TAG_ACPI_OLD      14 /* 3.6.16: copy of the ACPI 1.0 RSDP (20 bytes) */
#define MULTIBOOT2_TAG_ACPI_NEW      15 /* 3.6.17: copy of the ACPI 2.0+ RSDP (36 bytes) */
#define MULTIBOOT2_TAG_EFI_MMAP      17 /* 3.6.19: u32 descr_size, u32 descr_vers, EFI map */

/* Multiboot 2 information block layout (3.6.1-3.6.2): u32 total_size,
 * u32 reserved, then tags {u32 type; u32 size; ...}, each 8-byte aligned,
 * ending with a tag of type 0. A tag's size includes its header. Offsets
 * below are from the start of the block or of a tag; the loaders write
 * them (boot/loader/mbinfo.c) and the kernel reads them
 * (boot/multiboot/multiboot.c). */
#define MB2_TOTAL_SIZE    0
#define MB2_RESERVED      4
#define MB2_FIRST_TAG     8
#define MB2_TAG_TYPE      0
#define MB2_TAG_SIZE      4
#define MB2_TAG_HEADER    8
#define MB2_MEMINFO_LOWER 8 /* basic memory information (3.6.3) */
#define MB2_MEMINFO_UPPER 12
#define MB2_MEMINFO_SIZE  16
/* Memory map tag (3.6.8): u32 entry_size, u32 entry_version, then entries of
 * u64 base_addr, u64 length, u32 type, u32 reserved. Later versions may
 * append fields, so a reader steps by entry_size. */
#define MB2_MMAP_ENTRY_SIZE_AT    8
#define MB2_MMAP_ENTRY_VERSION_AT 12
#define MB2_MMAP_ENTRIES          16
#define MB2_MMAP_ENTRY_BYTES      24 /* an entry of version 0 */
#define MB2_ENTRY_BASE            0
#define MB2_ENTRY_LENGTH          8
#define MB2_ENTRY_TYPE            16
#define MB2_ENTRY_RESERVED        20
/* Module tag (3.6.6): u32 mod_start, u32 mod_end, then the string. */
#define MB2_MODULE_START  8
#define MB2_MODULE_END    12
#define MB2_MODULE_STRING 16
/* Framebuffer tag (3.6.12): u64 addr, u32 pitch, u32 width, u32 height,
 * u8 bpp, u8 type, then reserved and colour information. The spec's table
 * shows a u8 reserved, but GRUB (the reference loader) writes a u16, so the
 * colour information starts at 32; for direct RGB it is six u8s: red
 * position, red mask size, then the same for green and blue. */
#define MB2_FB_ADDR     8
#define MB2_FB_PITCH    16
#define MB2_FB_WIDTH    20
#define MB2_FB_HEIGHT   24
#define MB2_FB_BPP      28
#define MB2_FB_TYPE     29
#define MB2_FB_RESERVED 30 /* u16 */
#define MB2_FB_COLORS   32
#define MB2_FB_MIN_SIZE 32 /* through the reserved field */
#define MB2_FB_RGB_SIZE 38 /* with the six colour bytes */
/* EFI memory map tag (3.6.19): u32 descr_size, u32 descr_vers, then the
 * descriptors as GetMemoryMap() wrote them. */
#define MB2_EFI_MMAP_DESC_SIZE 8
#define MB2_EFI_MMAP_DESC_VERS 12
#define MB2_EFI_MMAP_ENTRIES   16
/* ACPI RSDP tags (3.6.16, 3.6.17): the RSDP copied after the header. */
#define MB2_RSDP_OLD_LENGTH 20 /* ACPI 1.0 RSDP */
#define MB2_RSDP_NEW_LENGTH 36 /* ACPI 2.0+ RSDP (XSDT address, extended checksum) */

/* Framebuffer types of the framebuffer tag (3.6.12). */
#define MULTIBOOT2_FRAMEBUFFER_INDEXED  0 /* palette follows */
#define MULTIBOOT2_FRAMEBUFFER_RGB      1 /* field positions and mask sizes follow */
#define MULTIBOOT2_FRAMEBUFFER_EGA_TEXT 2 /* width and height in characters */

/* Memory map entry types, the same in both specs (Multiboot 1 3.3,
 * Multiboot 2 3.6.8) and the same as the BIOS's E820 types. */
#define MULTIBOOT_MEMORY_AVAILABLE        1
#define MULTIBOOT_MEMORY_RESERVED         2
#define MULTIBOOT_MEMORY_ACPI_RECLAIMABLE 3
#define MULTIBOOT_MEMORY_NVS              4
#define MULTIBOOT_MEMORY_BADRAM           5

#endif
