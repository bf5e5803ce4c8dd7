/*
 * test_elf_user.c - host tests for the user program checker
 * (kernel/proc/elf_user.c).
 *
 * Programs are built in memory with the host's <elf.h> structures, so the
 * layout the tests write does not depend on the byte offsets the checker
 * reads. A valid program is built first (text, read-only data, data + bss
 * on their own pages, and headers that must be ignored); each refusal then
 * changes exactly one thing and must give its own reason. Last, the host's
 * compiler and linker make real programs: a static one must pass with the
 * figures its program headers give, a PIE and a dynamically linked one must
 * be refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kernel/proc/elf_user.h>

/* ---------------------------------------------------------------- the program */

#define FILE_SIZE 0x4000
#define PHOFF     sizeof(Elf64_Ehdr)
#define PHNUM     6
#define ENTRY     0x401010u

/* text R-X, rodata R--, data RW- with bss after it. */
#define TEXT_OFFSET   0x1000
#define TEXT_VADDR    0x401000
#define TEXT_SIZE     0x800
#define RODATA_OFFSET 0x2000
#define RODATA_VADDR  0x402000
#define RODATA_SIZE   0x100
#define DATA_OFFSET   0x3000
#define DATA_VADDR    0x403000
#define DATA_FILESZ   0x200
#define DATA_MEMSZ    0x2800
#define IMAGE_END     0x406000 /* the page boundary above the bss */

/* Which program header holds which segment. */
enum { PH_TEXT, PH_NOTE, PH_RODATA, PH_EMPTY, PH_DATA, PH_STACK };

static _Alignas(8) unsigned char file[FILE_SIZE];
static struct user_image image;
static const char *why;

static Elf64_Ehdr *ehdr(void)
{
    return (Elf64_Ehdr *)file;
}

static Elf64_Phdr *phdr(int i)
{
    return (Elf64_Phdr *)(file + PHOFF) + i;
}

static void set_load(int i, uint32_t flags, uint64_t offset, uint64_t vaddr, uint64_t filesz,
                     uint64_t memsz)
{
    *phdr(i) = (Elf64_Phdr){.p_type = PT_LOAD,
                            .p_flags = flags,
                            .p_offset = offset,
                            .p_vaddr = vaddr,
                            .p_paddr = vaddr,
                            .p_filesz = filesz,
                            .p_memsz = memsz,
                            .p_align = 0x1000};
}

static void build_program(void)
{
    memset(file, 0, sizeof(file));
    Elf64_Ehdr *h = ehdr();
    memcpy(h->e_ident, ELFMAG, SELFMAG);
    h->e_ident[EI_CLASS] = ELFCLASS64;
    h->e_ident[EI_DATA] = ELFDATA2LSB;
    h->e_ident[EI_VERSION] = EV_CURRENT;
    h->e_ident[EI_OSABI] = ELFOSABI_SYSV;
    h->e_type = ET_EXEC;
    h->e_machine = EM_X86_64;
    h->e_version = EV_CURRENT;
    h->e_entry = ENTRY;
    h->e_phoff = PHOFF;
    h->e_ehsize = sizeof(Elf64_Ehdr);
    h->e_phentsize = sizeof(Elf64_Phdr);
    h->e_phnum = PHNUM;
    h->e_shentsize = sizeof(Elf64_Shdr);

    set_load(PH_TEXT, PF_R | PF_X, TEXT_OFFSET, TEXT_VADDR, TEXT_SIZE, TEXT_SIZE);
    *phdr(PH_NOTE) = (Elf64_Phdr){.p_type = PT_NOTE, .p_offset = 0x1800, .p_filesz = 0x20};
    set_load(PH_RODATA, PF_R, RODATA_OFFSET, RODATA_VADDR, RODATA_SIZE, RODATA_SIZE);
    set_load(PH_EMPTY, PF_R | PF_W | PF_X, 0, 0, 0, 0); /* refused on three counts if read */
    set_load(PH_DATA, PF_R | PF_W, DATA_OFFSET, DATA_VADDR, DATA_FILESZ, DATA_MEMSZ);
    *phdr(PH_STACK) = (Elf64_Phdr){.p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W};
}

static int setup(void **state)
{
    (void)state;
    build_program();
    memset(&image, 0xCC, sizeof(image));
    why = NULL;
    return 0;
}

static int parse(void)
{
    return elf_user_parse(file, FILE_SIZE, &image, &why);
}

static void expect_refused(const char *reason)
{
    assert_int_equal(parse(), -ENOEXEC);
    assert_non_null(why);
    assert_string_equal(why, reason);
}

static void expect_accepted(void)
{
    int err = parse();
    if (err != 0)
        fail_msg("refused: %s", why ? why : "(no reason)");
}

static void check_segment(size_t i, uint64_t vaddr, uint64_t memsz, uint64_t offset,
                          uint64_t filesz, unsigned flags)
{
    assert_true(i < image.segment_count);
    assert_int_equal(image.segments[i].vaddr, vaddr);
    assert_int_equal(image.segments[i].memsz, memsz);
    assert_int_equal(image.segments[i].file_offset, offset);
    assert_int_equal(image.segments[i].filesz, filesz);
    assert_int_equal(image.segments[i].flags, flags);
}

/* ---------------------------------------------------------------- accepted programs */

static void test_exact_figures(void **state)
{
    (void)state;
    expect_accepted();
    assert_int_equal(image.entry, ENTRY);
    assert_int_equal(image.segment_count, 3);
    check_segment(0, TEXT_VADDR, TEXT_SIZE, TEXT_OFFSET, TEXT_SIZE, USER_SEG_EXEC);
    check_segment(1, RODATA_VADDR, RODATA_SIZE, RODATA_OFFSET, RODATA_SIZE, 0);
    check_segment(2, DATA_VADDR, DATA_MEMSZ, DATA_OFFSET, DATA_FILESZ, USER_SEG_WRITE);
    assert_int_equal(image.end, IMAGE_END);
    assert_null(why);
}

static void test_stack_constants(void **state)
{
    (void)state;
    assert_int_equal(USER_STACK_SIZE, 64 * 1024);
    assert_int_equal(USER_STACK_GAP, 1024 * 1024);
    assert_int_equal(USER_STACK_BOTTOM, 0x00007fffffffe000ull - 0x10000);
    assert_int_equal(USER_IMAGE_LIMIT, 0x00007fffffffe000ull - 0x10000 - 0x100000);
}

/* end is a page boundary even when the last segment ends on one. */
static void test_end_on_page_boundary(void **state)
{
    (void)state;
    phdr(PH_DATA)->p_memsz = 0x3000;
    expect_accepted();
    assert_int_equal(image.end, 0x406000);
    phdr(PH_DATA)->p_memsz = 0x3001;
    expect_accepted();
    assert_int_equal(image.end, 0x407000);
}

/* The highest segment need not be the last program header. */
static void test_end_from_highest_segment(void **state)
{
    (void)state;
    Elf64_Phdr data = *phdr(PH_DATA);
    *phdr(PH_DATA) = *phdr(PH_TEXT);
    *phdr(PH_TEXT) = data;
    expect_accepted();
    assert_int_equal(image.end, IMAGE_END);
    check_segment(0, DATA_VADDR, DATA_MEMSZ, DATA_OFFSET, DATA_FILESZ, USER_SEG_WRITE);
}

static void test_unaligned_buffer(void **state)
{
    (void)state;
    unsigned char *copy = malloc(FILE_SIZE + 1);
    assert_non_null(copy);
    memcpy(copy + 1, file, FILE_SIZE);
    assert_int_equal(elf_user_parse(copy + 1, FILE_SIZE, &image, NULL), 0);
    assert_int_equal(image.entry, ENTRY);
    assert_int_equal(image.segment_count, 3);
    free(copy);
}

/* Eight segments are allowed, each on its own pages. */
static void test_eight_segments_fit(void **state)
{
    (void)state;
    ehdr()->e_phnum = USER_SEGMENTS_MAX;
    for (int i = 0; i < USER_SEGMENTS_MAX; i++)
        set_load(i, i == 0 ? PF_R | PF_X : PF_R, 0x100, 0x401100 + (uint64_t)i * 0x1000, 0x10,
                 0x10);
    ehdr()->e_entry = 0x401100;
    expect_accepted();
    assert_int_equal(image.segment_count, USER_SEGMENTS_MAX);
    assert_int_equal(image.end, 0x409000);
}

/* Neighbours on adjacent pages are fine: only a shared page is refused. */
static void test_touching_pages(void **state)
{
    (void)state;
    phdr(PH_TEXT)->p_memsz = 0x1000; /* up to the rodata's page */
    phdr(PH_TEXT)->p_filesz = 0x1000;
    expect_accepted();
}

/* A segment from exactly KEEL_USER_BASE, one ending exactly at the stack's
 * gap (USER_IMAGE_LIMIT), one entirely made of bss. */
static void test_edges_that_fit(void **state)
{
    (void)state;
    phdr(PH_TEXT)->p_vaddr = 0x400000;
    phdr(PH_TEXT)->p_offset = 0;
    ehdr()->e_entry = 0x400000;
    set_load(PH_DATA, PF_R | PF_W, 0x3000, USER_IMAGE_LIMIT - 0x2000, 0x1000, 0x2000);
    expect_accepted();
    assert_int_equal(image.end, USER_IMAGE_LIMIT);
    set_load(PH_RODATA, PF_R | PF_W, 0x7777, 0x500000, 0, 0x4000); /* bss: offset unread */
    phdr(PH_RODATA)->p_align = 0;
    expect_accepted();
}

/* The entry point at the first and the last byte of the text. */
static void test_entry_at_segment_edges(void **state)
{
    (void)state;
    ehdr()->e_entry = TEXT_VADDR;
    expect_accepted();
    ehdr()->e_entry = TEXT_VADDR + TEXT_SIZE - 1;
    expect_accepted();
}

/* p_align 0 and 1 both mean "no alignment": any offset goes. */
static void test_no_alignment(void **state)
{
    (void)state;
    phdr(PH_RODATA)->p_align = 0;
    phdr(PH_RODATA)->p_offset = 0x2345;
    expect_accepted();
    phdr(PH_RODATA)->p_align = 1;
    expect_accepted();
    assert_int_equal(image.segments[1].file_offset, 0x2345);
}

/* A segment reaching exactly to the end of the file. */
static void test_segment_at_end_of_file(void **state)
{
    (void)state;
    phdr(PH_DATA)->p_filesz = FILE_SIZE - DATA_OFFSET;
    expect_accepted();
}

static void test_why_may_be_null(void **state)
{
    (void)state;
    assert_int_equal(elf_user_parse(file, FILE_SIZE, &image, NULL), 0);
    file[0] = 0;
    assert_int_equal(elf_user_parse(file, FILE_SIZE, &image, NULL), -ENOEXEC);
}

/* ---------------------------------------------------------------- the header */

static void test_too_small(void **state)
{
    (void)state;
    assert_int_equal(elf_user_parse(file, sizeof(Elf64_Ehdr) - 1, &image, &why), -ENOEXEC);
    assert_string_equal(why, "smaller than an ELF header");
    why = NULL;
    assert_int_equal(elf_user_parse(file, 0, &image, &why), -ENOEXEC);
    assert_string_equal(why, "smaller than an ELF header");
}

static void test_not_elf(void **state)
{
    (void)state;
    file[EI_MAG3] = 'G';
    expect_refused("not an ELF file");
    memcpy(file, "#!/bin/sh\n", 10);
    expect_refused("not an ELF file");
}

static void test_not_64_bit(void **state)
{
    (void)state;
    file[EI_CLASS] = ELFCLASS32;
    expect_refused("not a 64-bit ELF file");
}

static void test_not_little_endian(void **state)
{
    (void)state;
    file[EI_DATA] = ELFDATA2MSB;
    expect_refused("not little-endian");
}

static void test_unknown_version(void **state)
{
    (void)state;
    file[EI_VERSION] = 2;
    expect_refused("unknown ELF version");
    file[EI_VERSION] = EV_CURRENT;
    ehdr()->e_version = 0;
    expect_refused("unknown ELF version");
}

static void test_not_x86_64(void **state)
{
    (void)state;
    ehdr()->e_machine = EM_386;
    expect_refused("not an x86-64 program");
    ehdr()->e_machine = EM_AARCH64;
    expect_refused("not an x86-64 program");
}

static void test_not_static_executable(void **state)
{
    (void)state;
    ehdr()->e_type = ET_DYN; /* a PIE, or a shared library */
    expect_refused("not a static executable (ET_EXEC)");
    ehdr()->e_type = ET_REL;
    expect_refused("not a static executable (ET_EXEC)");
    ehdr()->e_type = ET_CORE;
    expect_refused("not a static executable (ET_EXEC)");
}

/* ---------------------------------------------------------------- the program header table */

static void test_wrong_entry_size(void **state)
{
    (void)state;
    ehdr()->e_phentsize = sizeof(Elf32_Phdr);
    expect_refused("program header entries of the wrong size");
    ehdr()->e_phentsize = sizeof(Elf64_Phdr) + 8;
    expect_refused("program header entries of the wrong size");
}

static void test_phnum_escape(void **state)
{
    (void)state;
    ehdr()->e_phnum = PN_XNUM;
    expect_refused("program header count kept in section 0 (PN_XNUM)");
}

static void test_table_outside_file(void **state)
{
    (void)state;
    ehdr()->e_phoff = FILE_SIZE - PHNUM * sizeof(Elf64_Phdr) + 1; /* one byte too far */
    expect_refused("program header table outside the file");
    ehdr()->e_phoff = FILE_SIZE + 1;
    expect_refused("program header table outside the file");
    ehdr()->e_phoff = UINT64_MAX - 8; /* offset + size would wrap */
    expect_refused("program header table outside the file");
    ehdr()->e_phoff = PHOFF;
    ehdr()->e_phnum = FILE_SIZE / sizeof(Elf64_Phdr); /* more entries than the file holds */
    expect_refused("program header table outside the file");
    /* A table ending exactly at the end of the file is inside it. */
    ehdr()->e_phnum = PHNUM;
    memmove(file + FILE_SIZE - PHNUM * sizeof(Elf64_Phdr), file + PHOFF,
            PHNUM * sizeof(Elf64_Phdr));
    ehdr()->e_phoff = FILE_SIZE - PHNUM * sizeof(Elf64_Phdr);
    expect_accepted();
}

static void test_no_loadable_segment(void **state)
{
    (void)state;
    ehdr()->e_phnum = 0;
    expect_refused("no loadable segment (PT_LOAD)");
    ehdr()->e_phnum = PHNUM;
    phdr(PH_TEXT)->p_type = PT_NOTE;
    phdr(PH_RODATA)->p_type = PT_NULL;
    phdr(PH_DATA)->p_type = PT_GNU_RELRO;
    expect_refused("no loadable segment (PT_LOAD)"); /* the empty PT_LOAD does not count */
}

static void test_too_many_segments(void **state)
{
    (void)state;
    ehdr()->e_phnum = USER_SEGMENTS_MAX + 1;
    for (int i = 0; i < USER_SEGMENTS_MAX + 1; i++)
        set_load(i, i == 0 ? PF_R | PF_X : PF_R, 0x100, 0x401100 + (uint64_t)i * 0x1000, 0x10,
                 0x10);
    expect_refused("more than USER_SEGMENTS_MAX loadable segments");
}

static void test_dynamically_linked(void **state)
{
    (void)state;
    phdr(PH_NOTE)->p_type = PT_INTERP;
    expect_refused("dynamically linked: it asks for an interpreter (PT_INTERP)");
    phdr(PH_NOTE)->p_type = PT_DYNAMIC;
    expect_refused("dynamically linked: it has a PT_DYNAMIC segment");
}

/* ---------------------------------------------------------------- one segment */

static void test_write_and_execute(void **state)
{
    (void)state;
    phdr(PH_TEXT)->p_flags = PF_R | PF_W | PF_X;
    expect_refused("a segment both writable and executable");
    build_program();
    phdr(PH_DATA)->p_flags = PF_W | PF_X;
    expect_refused("a segment both writable and executable");
}

static void test_filesz_above_memsz(void **state)
{
    (void)state;
    phdr(PH_RODATA)->p_filesz = RODATA_SIZE + 1;
    expect_refused("a segment's file size exceeds its memory size");
}

static void test_bytes_outside_file(void **state)
{
    (void)state;
    phdr(PH_DATA)->p_filesz = FILE_SIZE - DATA_OFFSET + 1; /* one byte past the end */
    expect_refused("a segment's bytes lie outside the file");
    build_program();
    phdr(PH_RODATA)->p_offset = FILE_SIZE + 0x2000; /* starts past the end */
    expect_refused("a segment's bytes lie outside the file");
    build_program();
    phdr(PH_RODATA)->p_offset = 0xfffffffffffff000ull; /* offset + filesz wraps to 0xf00 */
    expect_refused("a segment's bytes lie outside the file");
}

static void test_alignment_not_power_of_two(void **state)
{
    (void)state;
    phdr(PH_RODATA)->p_align = 0x3000;
    expect_refused("a segment's alignment is not a power of two");
    phdr(PH_RODATA)->p_align = UINT64_MAX;
    expect_refused("a segment's alignment is not a power of two");
}

static void test_address_and_offset_disagree(void **state)
{
    (void)state;
    phdr(PH_RODATA)->p_offset = RODATA_OFFSET + 0x10;
    expect_refused("a segment's address and file offset disagree modulo its alignment");
    /* Congruent modulo 4 KiB, not modulo the 2 MiB the header asks for. */
    build_program();
    phdr(PH_RODATA)->p_vaddr = 0x502000;
    phdr(PH_RODATA)->p_align = 0x200000;
    expect_refused("a segment's address and file offset disagree modulo its alignment");
    phdr(PH_RODATA)->p_offset = 0x102000;
    phdr(PH_RODATA)->p_filesz = 0; /* the offset lies past the file: nothing is read there */
    expect_accepted();
}

static void test_segment_below_base(void **state)
{
    (void)state;
    phdr(PH_RODATA)->p_vaddr = 0x3ff000;
    expect_refused("a segment below KEEL_USER_BASE");
    phdr(PH_RODATA)->p_vaddr = 0x1000; /* page 1: still no program's */
    expect_refused("a segment below KEEL_USER_BASE");
    phdr(PH_RODATA)->p_vaddr = 0;
    expect_refused("a segment below KEEL_USER_BASE");
    phdr(PH_RODATA)->p_vaddr = 0x3fffff; /* one byte below, reaching above it */
    phdr(PH_RODATA)->p_align = 0;
    expect_refused("a segment below KEEL_USER_BASE");
}

static void test_segment_wraps(void **state)
{
    (void)state;
    phdr(PH_DATA)->p_memsz = UINT64_MAX - DATA_VADDR + 1; /* ends at 2^64, "0" */
    expect_refused("a segment wraps around the end of the address space");
    phdr(PH_DATA)->p_memsz = UINT64_MAX;
    expect_refused("a segment wraps around the end of the address space");
}

/* KEEL_USER_LIMIT: ending exactly there is still inside the stack area
 * (which lies below it); one byte more is past the limit itself. */
static void test_segment_past_limit(void **state)
{
    (void)state;
    set_load(PH_DATA, PF_R | PF_W, 0x3000, KEEL_USER_LIMIT - 0x1000, 0x100, 0x1001);
    expect_refused("a segment reaching past KEEL_USER_LIMIT");
    phdr(PH_DATA)->p_memsz = 0x1000;
    expect_refused("a segment reaching into the stack or the gap below it");
    set_load(PH_DATA, PF_R | PF_W, 0x3000, 0xffff800000000000ull, 0x100, 0x1000); /* kernel */
    expect_refused("a segment reaching past KEEL_USER_LIMIT");
    phdr(PH_DATA)->p_vaddr = 0x0000800000000000ull; /* non-canonical */
    expect_refused("a segment reaching past KEEL_USER_LIMIT");
}

/* The gap below the stack: USER_IMAGE_LIMIT is the first byte of it. */
static void test_segment_into_stack(void **state)
{
    (void)state;
    set_load(PH_DATA, PF_R | PF_W, 0x3000, USER_IMAGE_LIMIT - 0x2000, 0x1000, 0x2001);
    expect_refused("a segment reaching into the stack or the gap below it");
    set_load(PH_DATA, PF_R | PF_W, 0x3000, USER_IMAGE_LIMIT, 0x100, 0x100);
    expect_refused("a segment reaching into the stack or the gap below it");
    set_load(PH_DATA, PF_R | PF_W, 0x3000, USER_STACK_BOTTOM, 0x100, USER_STACK_SIZE);
    expect_refused("a segment reaching into the stack or the gap below it");
}

/* ---------------------------------------------------------------- across segments */

static void test_segments_share_a_page(void **state)
{
    (void)state;
    /* rodata moved into the text's page, after its last byte. */
    phdr(PH_RODATA)->p_vaddr = TEXT_VADDR + TEXT_SIZE;
    phdr(PH_RODATA)->p_offset = RODATA_OFFSET + TEXT_SIZE;
    expect_refused("two segments share a page");
    /* Overlapping bytes too. */
    build_program();
    phdr(PH_DATA)->p_vaddr = TEXT_VADDR;
    phdr(PH_DATA)->p_offset = DATA_OFFSET;
    expect_refused("two segments share a page");
    /* bss reaching into the next segment's page. */
    build_program();
    phdr(PH_RODATA)->p_memsz = 0x1001; /* its last byte on the data's first page */
    expect_refused("two segments share a page");
}

static void test_entry_outside_executable(void **state)
{
    (void)state;
    ehdr()->e_entry = DATA_VADDR; /* in a segment, but not an executable one */
    expect_refused("the entry point lies outside every executable segment");
    ehdr()->e_entry = TEXT_VADDR + TEXT_SIZE; /* one past the text */
    expect_refused("the entry point lies outside every executable segment");
    ehdr()->e_entry = TEXT_VADDR - 1;
    expect_refused("the entry point lies outside every executable segment");
    ehdr()->e_entry = 0;
    expect_refused("the entry point lies outside every executable segment");
    ehdr()->e_entry = TEXT_VADDR + 0x900; /* on the text's page, past its memsz */
    expect_refused("the entry point lies outside every executable segment");
}

/* ---------------------------------------------------------------- programs the host makes */

static char work_dir[64];

static int make_work_dir(void **state)
{
    (void)state;
    snprintf(work_dir, sizeof(work_dir), "/tmp/keel-elf-user-XXXXXX");
    return mkdtemp(work_dir) ? 0 : -1;
}

static int remove_work_dir(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", work_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Compile and link the C text with the given flags into work_dir/prog and
 * return its bytes. */
static unsigned char *host_program(const char *source, const char *flags, size_t *size)
{
    char path[128], cmd[1024];
    FILE *f;

    snprintf(path, sizeof(path), "%s/prog.c", work_dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(source, f);
    fclose(f);
    snprintf(cmd, sizeof(cmd), "cd %s && cc %s -o prog prog.c", work_dir, flags);
    if (system(cmd) != 0)
        fail_msg("command failed: %s", cmd);
    snprintf(path, sizeof(path), "%s/prog", work_dir);
    f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    rewind(f);
    unsigned char *bytes = malloc(*size);
    assert_non_null(bytes);
    assert_int_equal(fread(bytes, 1, *size, f), *size);
    fclose(f);
    return bytes;
}

/* A freestanding program with code, read-only data, data and bss. */
static const char program_source[] = "static const char message[] = \"hello\";\n"
                                     "static char buffer[40000];\n"
                                     "int counter = 1;\n"
                                     "void _start(void)\n"
                                     "{\n"
                                     "    buffer[counter] = message[counter];\n"
                                     "    for (;;)\n"
                                     "        __asm__ volatile(\"syscall\");\n"
                                     "}\n";

#define STATIC_FLAGS                                                                               \
    "-O1 -static -nostdlib -fno-pie -no-pie -ffreestanding -fno-stack-protector "                  \
    "-Wl,-z,noexecstack -Wl,--build-id=none"

static void test_host_static_program(void **state)
{
    (void)state;
    size_t size;
    unsigned char *prog = host_program(program_source, STATIC_FLAGS, &size);
    Elf64_Ehdr h;
    struct user_segment expected[USER_SEGMENTS_MAX];
    size_t count = 0;
    uint64_t end = 0;

    memcpy(&h, prog, sizeof(h));
    for (size_t i = 0; i < h.e_phnum; i++) {
        Elf64_Phdr p;
        memcpy(&p, prog + h.e_phoff + i * sizeof(p), sizeof(p));
        if (p.p_type != PT_LOAD)
            continue;
        assert_true(count < USER_SEGMENTS_MAX);
        expected[count++] =
            (struct user_segment){.vaddr = p.p_vaddr,
                                  .memsz = p.p_memsz,
                                  .file_offset = p.p_offset,
                                  .filesz = p.p_filesz,
                                  .flags = ((p.p_flags & PF_W) ? USER_SEG_WRITE : 0) |
                                           ((p.p_flags & PF_X) ? USER_SEG_EXEC : 0)};
        uint64_t seg_end = (p.p_vaddr + p.p_memsz + 0xfff) & ~0xfffull;
        end = seg_end > end ? seg_end : end;
    }
    assert_true(count >= 2);
    int err = elf_user_parse(prog, size, &image, &why);
    if (err != 0)
        fail_msg("refused: %s", why);
    assert_int_equal(image.entry, h.e_entry);
    assert_int_equal(image.segment_count, count);
    for (size_t i = 0; i < count; i++)
        check_segment(i, expected[i].vaddr, expected[i].memsz, expected[i].file_offset,
                      expected[i].filesz, expected[i].flags);
    assert_int_equal(image.end, end);
    free(prog);
}

static void test_host_pie_refused(void **state)
{
    (void)state;
    size_t size;
    unsigned char *prog = host_program(
        program_source,
        "-O1 -static-pie -nostdlib -fpie -ffreestanding -fno-stack-protector -Wl,-z,noexecstack",
        &size);
    assert_int_equal(elf_user_parse(prog, size, &image, &why), -ENOEXEC);
    assert_string_equal(why, "not a static executable (ET_EXEC)");
    free(prog);
}

static void test_host_dynamic_refused(void **state)
{
    (void)state;
    size_t size;
    unsigned char *prog =
        host_program("#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n",
                     "-O1 -fno-pie -no-pie", &size);
    assert_int_equal(elf_user_parse(prog, size, &image, &why), -ENOEXEC);
    assert_string_equal(why, "dynamically linked: it asks for an interpreter (PT_INTERP)");
    free(prog);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_exact_figures, setup),
        cmocka_unit_test(test_stack_constants),
        cmocka_unit_test_setup(test_end_on_page_boundary, setup),
        cmocka_unit_test_setup(test_end_from_highest_segment, setup),
        cmocka_unit_test_setup(test_unaligned_buffer, setup),
        cmocka_unit_test_setup(test_eight_segments_fit, setup),
        cmocka_unit_test_setup(test_touching_pages, setup),
        cmocka_unit_test_setup(test_edges_that_fit, setup),
        cmocka_unit_test_setup(test_entry_at_segment_edges, setup),
        cmocka_unit_test_setup(test_no_alignment, setup),
        cmocka_unit_test_setup(test_segment_at_end_of_file, setup),
        cmocka_unit_test_setup(test_why_may_be_null, setup),
        cmocka_unit_test_setup(test_too_small, setup),
        cmocka_unit_test_setup(test_not_elf, setup),
        cmocka_unit_test_setup(test_not_64_bit, setup),
        cmocka_unit_test_setup(test_not_little_endian, setup),
        cmocka_unit_test_setup(test_unknown_version, setup),
        cmocka_unit_test_setup(test_not_x86_64, setup),
        cmocka_unit_test_setup(test_not_static_executable, setup),
        cmocka_unit_test_setup(test_wrong_entry_size, setup),
        cmocka_unit_test_setup(test_phnum_escape, setup),
        cmocka_unit_test_setup(test_table_outside_file, setup),
        cmocka_unit_test_setup(test_no_loadable_segment, setup),
        cmocka_unit_test_setup(test_too_many_segments, setup),
        cmocka_unit_test_setup(test_dynamically_linked, setup),
        cmocka_unit_test_setup(test_write_and_execute, setup),
        cmocka_unit_test_setup(test_filesz_above_memsz, setup),
        cmocka_unit_test_setup(test_bytes_outside_file, setup),
        cmocka_unit_test_setup(test_alignment_not_power_of_two, setup),
        cmocka_unit_test_setup(test_address_and_offset_disagree, setup),
        cmocka_unit_test_setup(test_segment_below_base, setup),
        cmocka_unit_test_setup(test_segment_wraps, setup),
        cmocka_unit_test_setup(test_segment_past_limit, setup),
        cmocka_unit_test_setup(test_segment_into_stack, setup),
        cmocka_unit_test_setup(test_segments_share_a_page, setup),
        cmocka_unit_test_setup(test_entry_outside_executable, setup),
    };
    const struct CMUnitTest host_programs[] = {
        cmocka_unit_test_setup(test_host_static_program, setup),
        cmocka_unit_test_setup(test_host_pie_refused, setup),
        cmocka_unit_test_setup(test_host_dynamic_refused, setup),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    return failed + cmocka_run_group_tests(host_programs, make_work_dir, remove_work_dir);
}
