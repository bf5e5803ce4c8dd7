/*
 * elf_user.c - check a user program's ELF64 file (see elf_user.h).
 *
 * Spec: "ELF-64 Object File Format" 1.5 ("File header", "Program header
 * table") and the System V AMD64 psABI (EM_X86_64). The file is trusted for
 * nothing: fields are read byte by byte (little-endian, any alignment), and
 * every sum of an offset and a size is compared in a form that cannot wrap
 * (a > limit - b, never a + b > limit) until it is known to fit.
 *
 * The checks run in this order and the first failure is the answer: the
 * header (size, magic, class, byte order, version, machine, type), the
 * program header table, then each program header in turn (PT_INTERP and
 * PT_DYNAMIC refused, each PT_LOAD checked on its own), and last what
 * involves several segments: pages shared, the entry point.
 */
#include <kernel/proc/elf_user.h>
#include <lib/elf64.h>
#include <lib/errno.h>
#include <mm/paging.h>

#include <stdbool.h>

#define PAGE_LOW_BITS (PAGE_SIZE - 1)

static uint16_t read_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t read_u32(const uint8_t *p)
{
    return (uint32_t)read_u16(p) | (uint32_t)read_u16(p + 2) << 16;
}

static uint64_t read_u64(const uint8_t *p)
{
    return (uint64_t)read_u32(p) | (uint64_t)read_u32(p + 4) << 32;
}

static int refuse(const char **why, const char *reason)
{
    if (why)
        *why = reason;
    return -ENOEXEC;
}

/* Check the ELF header's identity fields: what kind of file this is. */
static int check_identity(const uint8_t *elf, const char **why)
{
    if (elf[0] != 0x7F || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F')
        return refuse(why, "not an ELF file");
    if (elf[EI_CLASS] != ELFCLASS64)
        return refuse(why, "not a 64-bit ELF file");
    if (elf[EI_DATA] != ELFDATA2LSB)
        return refuse(why, "not little-endian");
    if (elf[EI_VERSION] != EV_CURRENT || read_u32(elf + EHDR_VERSION) != EV_CURRENT)
        return refuse(why, "unknown ELF version");
    if (read_u16(elf + EHDR_MACHINE) != EM_X86_64)
        return refuse(why, "not an x86-64 program");
    if (read_u16(elf + EHDR_TYPE) != ET_EXEC)
        return refuse(why, "not a static executable (ET_EXEC)");
    return 0;
}

/* Check that the program header table lies inside the file. */
static int check_table(const uint8_t *elf, size_t size, const char **why)
{
    uint64_t offset = read_u64(elf + EHDR_PHOFF);
    uint64_t count = read_u16(elf + EHDR_PHNUM);

    if (read_u16(elf + EHDR_PHENTSIZE) != PHDR_SIZE)
        return refuse(why, "program header entries of the wrong size");
    if (count == PN_XNUM)
        return refuse(why, "program header count kept in section 0 (PN_XNUM)");
    if (offset > size || count * PHDR_SIZE > size - offset)
        return refuse(why, "program header table outside the file");
    return 0;
}

/* Checks of one segment that need nothing but its own fields and the file. */
static int check_segment_fields(const struct user_segment *seg, uint64_t align, size_t size,
                                const char **why)
{
    if ((seg->flags & USER_SEG_WRITE) && (seg->flags & USER_SEG_EXEC))
        return refuse(why, "a segment both writable and executable");
    if (seg->filesz > seg->memsz)
        return refuse(why, "a segment's file size exceeds its memory size");
    if (seg->filesz > 0 && (seg->file_offset > size || seg->filesz > size - seg->file_offset))
        return refuse(why, "a segment's bytes lie outside the file");
    if (align & (align - 1))
        return refuse(why, "a segment's alignment is not a power of two");
    if (align > 1 && ((seg->vaddr ^ seg->file_offset) & (align - 1)))
        return refuse(why, "a segment's address and file offset disagree modulo its alignment");
    return 0;
}

/* Check where a segment lies: inside the user half, below the stack's gap. */
static int check_segment_place(const struct user_segment *seg, const char **why)
{
    if (seg->vaddr > UINT64_MAX - seg->memsz)
        return refuse(why, "a segment wraps around the end of the address space");
    if (seg->vaddr < KEEL_USER_BASE)
        return refuse(why, "a segment below KEEL_USER_BASE");
    if (seg->vaddr + seg->memsz > KEEL_USER_LIMIT)
        return refuse(why, "a segment reaching past KEEL_USER_LIMIT");
    if (seg->vaddr + seg->memsz > USER_IMAGE_LIMIT)
        return refuse(why, "a segment reaching into the stack or the gap below it");
    return 0;
}

/* Read and check the PT_LOAD program header at phdr into *seg. */
static int read_segment(const uint8_t *phdr, size_t size, struct user_segment *seg,
                        const char **why)
{
    uint32_t flags = read_u32(phdr + PHDR_FLAGS);
    int err;

    seg->vaddr = read_u64(phdr + PHDR_VADDR);
    seg->memsz = read_u64(phdr + PHDR_MEMSZ);
    seg->file_offset = read_u64(phdr + PHDR_OFFSET);
    seg->filesz = read_u64(phdr + PHDR_FILESZ);
    seg->flags = ((flags & PF_W) ? USER_SEG_WRITE : 0) | ((flags & PF_X) ? USER_SEG_EXEC : 0);
    err = check_segment_fields(seg, read_u64(phdr + PHDR_ALIGN), size, why);
    return err ? err : check_segment_place(seg, why);
}

/* Go through the program headers in order, collecting the PT_LOAD segments. */
static int collect_segments(const uint8_t *elf, size_t size, struct user_image *image,
                            const char **why)
{
    const uint8_t *table = elf + read_u64(elf + EHDR_PHOFF); /* inside the file: checked */
    unsigned count = read_u16(elf + EHDR_PHNUM);

    for (unsigned i = 0; i < count; i++) {
        const uint8_t *phdr = table + (size_t)i * PHDR_SIZE;
        uint32_t type = read_u32(phdr + PHDR_TYPE);
        if (type == PT_INTERP)
            return refuse(why, "dynamically linked: it asks for an interpreter (PT_INTERP)");
        if (type == PT_DYNAMIC)
            return refuse(why, "dynamically linked: it has a PT_DYNAMIC segment");
        if (type != PT_LOAD ||
            (read_u64(phdr + PHDR_MEMSZ) == 0 && read_u64(phdr + PHDR_FILESZ) == 0))
            continue;
        if (image->segment_count == USER_SEGMENTS_MAX)
            return refuse(why, "more than USER_SEGMENTS_MAX loadable segments");
        int err = read_segment(phdr, size, &image->segments[image->segment_count], why);
        if (err)
            return err;
        image->segment_count++;
    }
    return image->segment_count > 0 ? 0 : refuse(why, "no loadable segment (PT_LOAD)");
}

/* The page-aligned range [*first, *end) that the loader maps for seg (its
 * end is at most USER_IMAGE_LIMIT, so rounding up cannot wrap). */
static void segment_pages(const struct user_segment *seg, uint64_t *first, uint64_t *end)
{
    *first = seg->vaddr & ~PAGE_LOW_BITS;
    *end = (seg->vaddr + seg->memsz + PAGE_LOW_BITS) & ~PAGE_LOW_BITS;
}

static bool pages_shared(const struct user_segment *a, const struct user_segment *b)
{
    uint64_t a_first, a_end, b_first, b_end;

    segment_pages(a, &a_first, &a_end);
    segment_pages(b, &b_first, &b_end);
    return a_first < b_end && b_first < a_end;
}

static bool runs_entry(const struct user_segment *seg, uint64_t entry)
{
    return (seg->flags & USER_SEG_EXEC) && entry >= seg->vaddr && entry - seg->vaddr < seg->memsz;
}

/* The checks across segments; sets image->end. */
static int check_layout(struct user_image *image, const char **why)
{
    bool entry_found = false;

    image->end = 0;
    for (size_t i = 0; i < image->segment_count; i++) {
        const struct user_segment *seg = &image->segments[i];
        uint64_t first, end;
        for (size_t j = i + 1; j < image->segment_count; j++)
            if (pages_shared(seg, &image->segments[j]))
                return refuse(why, "two segments share a page");
        entry_found |= runs_entry(seg, image->entry);
        segment_pages(seg, &first, &end);
        if (end > image->end)
            image->end = end;
    }
    return entry_found ? 0 : refuse(why, "the entry point lies outside every executable segment");
}

int elf_user_parse(const void *file, size_t size, struct user_image *image, const char **why)
{
    const uint8_t *elf = file;
    int err;

    image->entry = 0;
    image->segment_count = 0;
    image->end = 0;
    if (size < EHDR_SIZE)
        return refuse(why, "smaller than an ELF header");
    err = check_identity(elf, why);
    if (!err)
        err = check_table(elf, size, why);
    if (!err)
        err = collect_segments(elf, size, image, why);
    if (!err) {
        image->entry = read_u64(elf + EHDR_ENTRY);
        err = check_layout(image, why);
    }
    return err;
}
