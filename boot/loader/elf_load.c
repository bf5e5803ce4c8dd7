/*
 * elf_load.c - check a kernel ELF64 file and plan where its segments go
 * (see elf_load.h).
 *
 * Spec: "ELF-64 Object File Format" 1.5 (sections "File header" and
 * "Program header table") and the System V AMD64 psABI (EM_X86_64).
 * The file comes off a disk and is trusted for nothing: fields are read byte
 * by byte (the buffer may be unaligned, and no C structure layout has to
 * match), every offset and size is bounds-checked with comparisons that
 * cannot wrap, and the plan only accepts segments that a loader handing over
 * in 32-bit protected mode without paging can actually place.
 *
 * Only 32-bit arithmetic and 64-bit additions/comparisons are used: 64-bit
 * division would need libgcc helpers that stage 2 does not link.
 */
#include <boot/loader/elf_load.h>
#include <boot/multiboot/protocol.h>
#include <lib/elf64.h>

#define FOUR_GIB 0x100000000ull /* stage 2 cannot address beyond this */

/* Multiboot 2 header (Multiboot 2 spec 3.1: where it lies and its magic are
 * in boot/multiboot/protocol.h; 3.1.1-3.1.2: the fields). */
#define MB2_HEADER_FIXED    16 /* magic, architecture, header_length, checksum */
#define MB2_HEADER_END_TAG  8  /* every header ends with an 8-byte end tag */
#define MB2_HEADER_ARCH     4
#define MB2_HEADER_LENGTH   8
#define MB2_HEADER_CHECKSUM 12

static uint16_t read_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t read_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t read_u64(const uint8_t *p)
{
    return (uint64_t)read_u32(p) | (uint64_t)read_u32(p + 4) << 32;
}

/* Check e_ident, e_type, e_machine and e_version of the header at ehdr. */
static enum elf_error check_identity(const uint8_t *ehdr)
{
    if (ehdr[EHDR_IDENT + 0] != 0x7F || ehdr[EHDR_IDENT + 1] != 'E' ||
        ehdr[EHDR_IDENT + 2] != 'L' || ehdr[EHDR_IDENT + 3] != 'F')
        return ELF_BAD_MAGIC;
    if (ehdr[EI_CLASS] != ELFCLASS64)
        return ELF_NOT_64BIT;
    if (ehdr[EI_DATA] != ELFDATA2LSB)
        return ELF_NOT_LITTLE_ENDIAN;
    if (ehdr[EI_VERSION] != EV_CURRENT || read_u32(ehdr + EHDR_VERSION) != EV_CURRENT)
        return ELF_BAD_VERSION;
    if (read_u16(ehdr + EHDR_TYPE) != ET_EXEC)
        return ELF_NOT_EXECUTABLE;
    if (read_u16(ehdr + EHDR_MACHINE) != EM_X86_64)
        return ELF_NOT_X86_64;
    return ELF_OK;
}

/* Check that the program header table lies inside buf[0..len) and the file;
 * on success *phoff and *phnum locate it. */
static enum elf_error check_program_headers(const uint8_t *ehdr, size_t len, uint64_t file_size,
                                            uint64_t *phoff, uint32_t *phnum)
{
    uint64_t limit = len < file_size ? len : file_size;
    uint32_t count = read_u16(ehdr + EHDR_PHNUM);
    uint64_t offset = read_u64(ehdr + EHDR_PHOFF);
    uint64_t table_size = (uint64_t)count * PHDR_SIZE; /* < 2^22: 32-bit multiply */

    if (read_u16(ehdr + EHDR_PHENTSIZE) != PHDR_SIZE || count == 0 || count == PN_XNUM)
        return ELF_BAD_PROGRAM_HEADERS;
    if (offset > limit || table_size > limit - offset)
        return ELF_BAD_PROGRAM_HEADERS;
    *phoff = offset;
    *phnum = count;
    return ELF_OK;
}

/* Read and check one PT_LOAD program header with a non-zero p_memsz. */
static enum elf_error read_segment(const uint8_t *phdr, uint64_t file_size, struct elf_segment *seg)
{
    seg->file_offset = read_u64(phdr + PHDR_OFFSET);
    seg->file_size = read_u64(phdr + PHDR_FILESZ);
    seg->phys_addr = read_u64(phdr + PHDR_PADDR);
    seg->mem_size = read_u64(phdr + PHDR_MEMSZ);

    if (seg->file_size > seg->mem_size)
        return ELF_BAD_SEGMENT;
    /* With file_size 0 nothing is read, so the offset does not matter. */
    if (seg->file_size > 0 &&
        (seg->file_offset > file_size || seg->file_size > file_size - seg->file_offset))
        return ELF_BAD_SEGMENT;
    if (seg->phys_addr > UINT64_MAX - seg->mem_size)
        return ELF_BAD_SEGMENT; /* end address wraps */
    if (seg->phys_addr < ELF_LOAD_MIN_ADDRESS)
        return ELF_SEGMENT_TOO_LOW;
    if (seg->phys_addr + seg->mem_size > FOUR_GIB)
        return ELF_SEGMENT_TOO_HIGH;
    return ELF_OK;
}

/* Whether two segments share a physical byte (ends cannot wrap: checked). */
static int segments_overlap(const struct elf_segment *a, const struct elf_segment *b)
{
    return a->phys_addr < b->phys_addr + b->mem_size && b->phys_addr < a->phys_addr + a->mem_size;
}

/* Fill plan->segments from the program header table; checks each segment. */
static enum elf_error collect_segments(const uint8_t *table, uint32_t phnum, uint64_t file_size,
                                       struct elf_load_plan *plan)
{
    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *phdr = table + (size_t)i * PHDR_SIZE;
        if (read_u32(phdr + PHDR_TYPE) != PT_LOAD || read_u64(phdr + PHDR_MEMSZ) == 0)
            continue;
        if (plan->segment_count == ELF_LOAD_MAX_SEGMENTS)
            return ELF_TOO_MANY_SEGMENTS;
        enum elf_error err = read_segment(phdr, file_size, &plan->segments[plan->segment_count]);
        if (err != ELF_OK)
            return err;
        plan->segment_count++;
    }
    return plan->segment_count == 0 ? ELF_NO_SEGMENTS : ELF_OK;
}

/* Check that no two planned segments overlap and that entry lies in one. */
static enum elf_error check_layout(const struct elf_load_plan *plan, uint64_t entry)
{
    int entry_loaded = 0;

    for (size_t i = 0; i < plan->segment_count; i++) {
        const struct elf_segment *seg = &plan->segments[i];
        for (size_t j = i + 1; j < plan->segment_count; j++)
            if (segments_overlap(seg, &plan->segments[j]))
                return ELF_SEGMENTS_OVERLAP;
        if (entry >= seg->phys_addr && entry - seg->phys_addr < seg->mem_size)
            entry_loaded = 1;
    }
    /* Segments end at or below 4 GiB, so a loaded entry fits in 32 bits. */
    return entry_loaded ? ELF_OK : ELF_BAD_ENTRY;
}

enum elf_error elf_plan_load(const void *buf, size_t len, uint64_t file_size,
                             struct elf_load_plan *plan)
{
    const uint8_t *file = buf;
    uint64_t phoff;
    uint32_t phnum;
    enum elf_error err;

    plan->segment_count = 0;
    plan->entry = 0;
    if (len < EHDR_SIZE || file_size < EHDR_SIZE)
        return ELF_TOO_SHORT;
    err = check_identity(file);
    if (err == ELF_OK)
        err = check_program_headers(file, len, file_size, &phoff, &phnum);
    if (err == ELF_OK)
        err = collect_segments(file + (size_t)phoff, phnum, file_size, plan);
    if (err == ELF_OK)
        err = check_layout(plan, read_u64(file + EHDR_ENTRY));
    if (err == ELF_OK)
        plan->entry = (uint32_t)read_u64(file + EHDR_ENTRY); /* < 4 GiB: checked */
    return err;
}

const char *elf_error_text(enum elf_error err)
{
    switch (err) {
    case ELF_OK:
        return "ok";
    case ELF_TOO_SHORT:
        return "file shorter than an ELF header";
    case ELF_BAD_MAGIC:
        return "not an ELF file";
    case ELF_NOT_64BIT:
        return "not a 64-bit ELF file";
    case ELF_NOT_LITTLE_ENDIAN:
        return "not little endian";
    case ELF_BAD_VERSION:
        return "unknown ELF version";
    case ELF_NOT_EXECUTABLE:
        return "not an executable (ET_EXEC)";
    case ELF_NOT_X86_64:
        return "not an x86-64 file";
    case ELF_BAD_PROGRAM_HEADERS:
        return "bad program header table";
    case ELF_TOO_MANY_SEGMENTS:
        return "too many loadable segments";
    case ELF_NO_SEGMENTS:
        return "no loadable segment";
    case ELF_BAD_SEGMENT:
        return "segment sizes or offsets invalid";
    case ELF_SEGMENT_TOO_LOW:
        return "segment below 1 MiB";
    case ELF_SEGMENT_TOO_HIGH:
        return "segment above 4 GiB";
    case ELF_SEGMENTS_OVERLAP:
        return "segments overlap";
    case ELF_BAD_ENTRY:
        return "entry point outside the loaded segments";
    }
    return "unknown error";
}

/* Whether a valid Multiboot 2 header starts at `offset`, with `limit` bytes
 * of the file searchable (offset + MB2_HEADER_FIXED <= limit). */
static int mb2_header_at(const uint8_t *file, size_t offset, size_t limit)
{
    const uint8_t *header = file + offset;
    uint32_t magic = read_u32(header);
    uint32_t arch = read_u32(header + MB2_HEADER_ARCH);
    uint32_t length = read_u32(header + MB2_HEADER_LENGTH);
    uint32_t checksum = read_u32(header + MB2_HEADER_CHECKSUM);

    if (magic != MULTIBOOT2_HEADER_MAGIC || arch != MULTIBOOT2_ARCH_I386)
        return 0;
    if (length < MB2_HEADER_FIXED + MB2_HEADER_END_TAG || length > limit - offset)
        return 0;
    return (uint32_t)(magic + arch + length + checksum) == 0;
}

int multiboot2_header_present(const void *buf, size_t len)
{
    size_t limit = len < MULTIBOOT2_HEADER_SEARCH_LIMIT ? len : MULTIBOOT2_HEADER_SEARCH_LIMIT;

    /* Like GRUB, keep looking past a candidate that fails its checks. */
    for (size_t offset = 0; limit >= MB2_HEADER_FIXED && offset <= limit - MB2_HEADER_FIXED;
         offset += MULTIBOOT2_HEADER_ALIGN)
        if (mb2_header_at(buf, offset, limit))
            return 1;
    return 0;
}
