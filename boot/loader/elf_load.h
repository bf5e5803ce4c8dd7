/*
 * elf_load.h - checking a kernel ELF file and planning how to load it.
 *
 * Pure functions over a buffer holding the start of the file (the ELF
 * header and all program headers must be inside it), so both loaders (BIOS
 * stage 2 and the UEFI loader) and the host tests run the same code. Stage 2
 * runs in 32-bit protected mode without paging, and the kernel is entered
 * that way from either loader: everything loaded must lie in the first 4 GiB.
 */
#ifndef KEEL_BOOT_LOADER_ELF_LOAD_H
#define KEEL_BOOT_LOADER_ELF_LOAD_H

#include <stddef.h>
#include <stdint.h>

#define ELF_LOAD_MAX_SEGMENTS 16
#define ELF_LOAD_MIN_ADDRESS  0x100000 /* below 1 MiB lives the loader itself */

struct elf_segment {
    uint64_t file_offset;
    uint64_t file_size;
    uint64_t phys_addr; /* p_paddr: where the bytes go */
    uint64_t mem_size;  /* >= file_size; the rest is zeroed */
};

struct elf_load_plan {
    uint32_t entry; /* e_entry: 32-bit physical entry point */
    size_t segment_count;
    struct elf_segment segments[ELF_LOAD_MAX_SEGMENTS];
};

enum elf_error {
    ELF_OK = 0,
    ELF_TOO_SHORT, /* buffer smaller than the ELF header */
    ELF_BAD_MAGIC, /* not \x7fELF */
    ELF_NOT_64BIT, /* EI_CLASS != ELFCLASS64 */
    ELF_NOT_LITTLE_ENDIAN,
    ELF_BAD_VERSION,
    ELF_NOT_EXECUTABLE,      /* e_type != ET_EXEC */
    ELF_NOT_X86_64,          /* e_machine != EM_X86_64 */
    ELF_BAD_PROGRAM_HEADERS, /* e_phentsize wrong, none, or beyond the buffer */
    ELF_TOO_MANY_SEGMENTS,
    ELF_NO_SEGMENTS,      /* no PT_LOAD */
    ELF_BAD_SEGMENT,      /* filesz > memsz, beyond the file, or address overflow */
    ELF_SEGMENT_TOO_LOW,  /* below ELF_LOAD_MIN_ADDRESS */
    ELF_SEGMENT_TOO_HIGH, /* ends above 4 GiB */
    ELF_SEGMENTS_OVERLAP,
    ELF_BAD_ENTRY, /* entry not inside a loaded segment, or >= 4 GiB */
};

/* Check the ELF header in buf[0..len) of a file of file_size bytes and fill
 * plan with its PT_LOAD segments (in program-header order). buf needs no
 * alignment. PT_LOAD entries with p_memsz 0 are skipped; a segment with
 * p_filesz 0 reads nothing, so its p_offset is not checked. e_entry is
 * taken as a physical address: it must lie inside some segment's
 * [p_paddr, p_paddr + p_memsz). e_phnum = PN_XNUM (0xFFFF) is refused.
 * On error plan->segment_count and the segments are meaningless. */
enum elf_error elf_plan_load(const void *buf, size_t len, uint64_t file_size,
                             struct elf_load_plan *plan);
const char *elf_error_text(enum elf_error err);

/* Whether buf[0..len) holds a valid Multiboot 2 header (magic, i386
 * architecture, checksum, header_length >= 24 so an end tag fits, 8-byte
 * aligned from the start of buf) lying wholly within its first 32 KiB
 * (Multiboot 2 spec 3.1). Like GRUB, a candidate that fails is skipped and
 * the search goes on. Returns 1 or 0. The header tags are not checked. */
int multiboot2_header_present(const void *buf, size_t len);

#endif
