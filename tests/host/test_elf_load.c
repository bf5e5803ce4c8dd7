/*
 * test_elf_load.c - host tests for elf_plan_load() and
 * multiboot2_header_present() (boot/loader/elf_load.c).
 *
 * Images are built with the host's <elf.h> structures, so the layout the
 * tests write is independent of the byte offsets the loader reads. A valid
 * image is built first; every error case then corrupts exactly one field.
 * The real kernel (KEEL_KERNEL_ELF, default build/kernel.elf) is checked
 * against the test's own reading of its program headers; the test is
 * skipped when the file does not exist.
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

#include <boot/loader/elf_load.h>
#include <boot/multiboot/protocol.h>

/* ---------------------------------------------------------------- images */

#define IMAGE_SIZE 0x3000
#define PHOFF      sizeof(Elf64_Ehdr)
#define ENTRY      0x100010u

/* Segment 0: code at 1 MiB. Segment 2: data + bss at 2 MiB, linked higher half. */
#define SEG0_OFFSET 0x1000
#define SEG0_PADDR  0x100000
#define SEG0_SIZE   0x800
#define SEG2_OFFSET 0x2000
#define SEG2_PADDR  0x200000
#define SEG2_FILESZ 0x1000
#define SEG2_MEMSZ  0x3000
#define STD_PHNUM   5
#define STD_PH_END  (PHOFF + STD_PHNUM * sizeof(Elf64_Phdr))

static _Alignas(8) unsigned char image[IMAGE_SIZE];
static struct elf_load_plan plan;

static Elf64_Ehdr *ehdr(void)
{
    return (Elf64_Ehdr *)image;
}

static Elf64_Phdr *phdr(int i)
{
    return (Elf64_Phdr *)(image + PHOFF) + i;
}

static void set_load(int i, uint64_t offset, uint64_t paddr, uint64_t filesz, uint64_t memsz)
{
    *phdr(i) = (Elf64_Phdr){.p_type = PT_LOAD,
                            .p_flags = PF_R,
                            .p_offset = offset,
                            .p_vaddr = paddr,
                            .p_paddr = paddr,
                            .p_filesz = filesz,
                            .p_memsz = memsz,
                            .p_align = 0x1000};
}

/* A valid kernel-like image: two PT_LOADs, and between them a PT_NOTE and an
 * empty PT_LOAD at address 0 that must both be skipped, then PT_GNU_STACK. */
static void build_image(void)
{
    memset(image, 0, sizeof(image));
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
    h->e_phnum = STD_PHNUM;
    h->e_shentsize = sizeof(Elf64_Shdr);

    set_load(0, SEG0_OFFSET, SEG0_PADDR, SEG0_SIZE, SEG0_SIZE);
    *phdr(1) = (Elf64_Phdr){.p_type = PT_NOTE, .p_offset = 0x1800, .p_filesz = 0x20};
    set_load(2, SEG2_OFFSET, SEG2_PADDR, SEG2_FILESZ, SEG2_MEMSZ);
    phdr(2)->p_vaddr = 0xffffffff80200000ull;
    set_load(3, 0, 0, 0, 0); /* would be "too low" if it were not skipped */
    *phdr(4) = (Elf64_Phdr){.p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W};
    for (size_t i = 0; i < SEG0_SIZE; i++)
        image[SEG0_OFFSET + i] = (unsigned char)(i * 7);
}

static int setup(void **state)
{
    (void)state;
    build_image();
    memset(&plan, 0xCC, sizeof(plan));
    return 0;
}

static enum elf_error plan_image(void)
{
    return elf_plan_load(image, IMAGE_SIZE, IMAGE_SIZE, &plan);
}

static void check_segment(size_t i, uint64_t offset, uint64_t filesz, uint64_t paddr,
                          uint64_t memsz)
{
    assert_true(i < plan.segment_count);
    assert_int_equal(plan.segments[i].file_offset, offset);
    assert_int_equal(plan.segments[i].file_size, filesz);
    assert_int_equal(plan.segments[i].phys_addr, paddr);
    assert_int_equal(plan.segments[i].mem_size, memsz);
}

static void check_standard_plan(void)
{
    assert_int_equal(plan.entry, ENTRY);
    assert_int_equal(plan.segment_count, 2);
    check_segment(0, SEG0_OFFSET, SEG0_SIZE, SEG0_PADDR, SEG0_SIZE);
    check_segment(1, SEG2_OFFSET, SEG2_FILESZ, SEG2_PADDR, SEG2_MEMSZ);
}

/* ---------------------------------------------------------------- valid images */

static void test_valid_image(void **state)
{
    (void)state;
    assert_int_equal(plan_image(), ELF_OK);
    check_standard_plan();
}

/* Stage 2 reads only the first sectors: headers in the buffer are enough. */
static void test_buffer_holding_only_headers(void **state)
{
    (void)state;
    assert_int_equal(elf_plan_load(image, STD_PH_END, IMAGE_SIZE, &plan), ELF_OK);
    check_standard_plan();
}

static void test_unaligned_buffer(void **state)
{
    static _Alignas(8) unsigned char shifted[IMAGE_SIZE + 8];
    (void)state;
    for (size_t shift = 1; shift < 8; shift++) {
        memset(shifted, 0, sizeof(shifted));
        memcpy(shifted + shift, image, IMAGE_SIZE);
        memset(&plan, 0xCC, sizeof(plan));
        assert_int_equal(elf_plan_load(shifted + shift, IMAGE_SIZE, IMAGE_SIZE, &plan), ELF_OK);
        check_standard_plan();
    }
}

static void test_sixteen_segments_fit(void **state)
{
    (void)state;
    ehdr()->e_phnum = ELF_LOAD_MAX_SEGMENTS + 1;
    ehdr()->e_entry = 0x100000;
    for (int i = 0; i < ELF_LOAD_MAX_SEGMENTS; i++)
        set_load(i, 0, 0x100000 + (uint64_t)i * 0x1000, 0, 0x1000);
    *phdr(ELF_LOAD_MAX_SEGMENTS) = (Elf64_Phdr){.p_type = PT_NOTE};
    assert_int_equal(plan_image(), ELF_OK);
    assert_int_equal(plan.segment_count, ELF_LOAD_MAX_SEGMENTS);
    check_segment(15, 0, 0, 0x10f000, 0x1000);
}

static void test_segment_ending_at_4gib(void **state)
{
    (void)state;
    phdr(2)->p_paddr = 0x100000000ull - SEG2_MEMSZ;
    assert_int_equal(plan_image(), ELF_OK);
    check_segment(1, SEG2_OFFSET, SEG2_FILESZ, 0x100000000ull - SEG2_MEMSZ, SEG2_MEMSZ);
}

static void test_touching_segments(void **state)
{
    (void)state;
    phdr(2)->p_paddr = SEG0_PADDR + SEG0_SIZE;
    assert_int_equal(plan_image(), ELF_OK);
}

static void test_segment_exactly_at_end_of_file(void **state)
{
    (void)state;
    assert_int_equal(elf_plan_load(image, IMAGE_SIZE, SEG2_OFFSET + SEG2_FILESZ, &plan), ELF_OK);
}

/* A bss-only segment reads nothing from the file, so its offset is moot. */
static void test_bss_only_segment_offset_ignored(void **state)
{
    (void)state;
    phdr(2)->p_filesz = 0;
    phdr(2)->p_offset = UINT64_MAX;
    assert_int_equal(plan_image(), ELF_OK);
    check_segment(1, UINT64_MAX, 0, SEG2_PADDR, SEG2_MEMSZ);
}

static void test_entry_at_segment_edges(void **state)
{
    (void)state;
    ehdr()->e_entry = SEG0_PADDR;
    assert_int_equal(plan_image(), ELF_OK);
    assert_int_equal(plan.entry, SEG0_PADDR);
    ehdr()->e_entry = SEG2_PADDR + SEG2_MEMSZ - 1; /* in the zeroed (bss) part */
    assert_int_equal(plan_image(), ELF_OK);
    assert_int_equal(plan.entry, SEG2_PADDR + SEG2_MEMSZ - 1);
}

/* ---------------------------------------------------------------- one error each */

#define EXPECT(err) assert_int_equal(plan_image(), (err))

static void test_too_short(void **state)
{
    (void)state;
    assert_int_equal(elf_plan_load(image, 0, IMAGE_SIZE, &plan), ELF_TOO_SHORT);
    assert_int_equal(elf_plan_load(image, sizeof(Elf64_Ehdr) - 1, IMAGE_SIZE, &plan),
                     ELF_TOO_SHORT);
    assert_int_equal(elf_plan_load(image, IMAGE_SIZE, sizeof(Elf64_Ehdr) - 1, &plan),
                     ELF_TOO_SHORT);
}

static void test_bad_magic(void **state)
{
    (void)state;
    for (int i = 0; i < SELFMAG; i++) {
        build_image();
        ehdr()->e_ident[i] ^= 0x20;
        EXPECT(ELF_BAD_MAGIC);
    }
}

static void test_not_64bit(void **state)
{
    (void)state;
    ehdr()->e_ident[EI_CLASS] = ELFCLASS32;
    EXPECT(ELF_NOT_64BIT);
    ehdr()->e_ident[EI_CLASS] = ELFCLASSNONE;
    EXPECT(ELF_NOT_64BIT);
}

static void test_not_little_endian(void **state)
{
    (void)state;
    ehdr()->e_ident[EI_DATA] = ELFDATA2MSB;
    EXPECT(ELF_NOT_LITTLE_ENDIAN);
    ehdr()->e_ident[EI_DATA] = ELFDATANONE;
    EXPECT(ELF_NOT_LITTLE_ENDIAN);
}

static void test_bad_version(void **state)
{
    (void)state;
    ehdr()->e_ident[EI_VERSION] = EV_NONE;
    EXPECT(ELF_BAD_VERSION);
    build_image();
    ehdr()->e_version = EV_NONE;
    EXPECT(ELF_BAD_VERSION);
    ehdr()->e_version = 2;
    EXPECT(ELF_BAD_VERSION);
}

static void test_not_executable(void **state)
{
    (void)state;
    ehdr()->e_type = ET_DYN;
    EXPECT(ELF_NOT_EXECUTABLE);
    ehdr()->e_type = ET_REL;
    EXPECT(ELF_NOT_EXECUTABLE);
    ehdr()->e_type = ET_EXEC | 0x100; /* high byte matters */
    EXPECT(ELF_NOT_EXECUTABLE);
}

static void test_not_x86_64(void **state)
{
    (void)state;
    ehdr()->e_machine = EM_386;
    EXPECT(ELF_NOT_X86_64);
    ehdr()->e_machine = EM_AARCH64;
    EXPECT(ELF_NOT_X86_64);
}

static void test_bad_phentsize(void **state)
{
    (void)state;
    ehdr()->e_phentsize = sizeof(Elf32_Phdr);
    EXPECT(ELF_BAD_PROGRAM_HEADERS);
    ehdr()->e_phentsize = sizeof(Elf64_Phdr) + 1;
    EXPECT(ELF_BAD_PROGRAM_HEADERS);
}

static void test_no_program_headers(void **state)
{
    (void)state;
    ehdr()->e_phnum = 0;
    EXPECT(ELF_BAD_PROGRAM_HEADERS);
}

/* PN_XNUM means "the real count is in section header 0": not supported, even
 * when a table of 0xFFFF entries would fit in the buffer. */
static void test_phnum_escape_rejected(void **state)
{
    size_t size = PHOFF + (size_t)PN_XNUM * sizeof(Elf64_Phdr) + IMAGE_SIZE;
    unsigned char *big = calloc(1, size);
    (void)state;
    assert_non_null(big);
    memcpy(big, image, STD_PH_END); /* the rest: PT_NULL entries, all zero */
    ((Elf64_Ehdr *)big)->e_phnum = PN_XNUM;
    assert_int_equal(elf_plan_load(big, size, size, &plan), ELF_BAD_PROGRAM_HEADERS);
    ((Elf64_Ehdr *)big)->e_phnum = PN_XNUM - 1; /* the same table, counted: fine */
    assert_int_equal(elf_plan_load(big, size, size, &plan), ELF_OK);
    free(big);
}

static void test_program_headers_beyond_buffer(void **state)
{
    (void)state;
    assert_int_equal(elf_plan_load(image, STD_PH_END - 1, IMAGE_SIZE, &plan),
                     ELF_BAD_PROGRAM_HEADERS);
    assert_int_equal(elf_plan_load(image, IMAGE_SIZE, STD_PH_END - 1, &plan),
                     ELF_BAD_PROGRAM_HEADERS);
    ehdr()->e_phoff = IMAGE_SIZE;
    EXPECT(ELF_BAD_PROGRAM_HEADERS);
}

static void test_phoff_overflow(void **state)
{
    (void)state;
    ehdr()->e_phoff = UINT64_MAX - 8;
    EXPECT(ELF_BAD_PROGRAM_HEADERS);
    /* phoff + table size wraps around to 64: */
    ehdr()->e_phoff = (uint64_t)0 - STD_PHNUM * sizeof(Elf64_Phdr) + PHOFF;
    EXPECT(ELF_BAD_PROGRAM_HEADERS);
    ehdr()->e_phoff = 0x100000000ull + PHOFF; /* would alias to 64 if truncated to 32 bits */
    EXPECT(ELF_BAD_PROGRAM_HEADERS);
}

static void test_too_many_segments(void **state)
{
    (void)state;
    ehdr()->e_phnum = ELF_LOAD_MAX_SEGMENTS + 1;
    ehdr()->e_entry = 0x100000;
    for (int i = 0; i <= ELF_LOAD_MAX_SEGMENTS; i++)
        set_load(i, 0, 0x100000 + (uint64_t)i * 0x1000, 0, 0x1000);
    EXPECT(ELF_TOO_MANY_SEGMENTS);
}

static void test_no_loadable_segments(void **state)
{
    (void)state;
    phdr(0)->p_type = PT_NOTE;
    phdr(2)->p_type = PT_NOTE;
    EXPECT(ELF_NO_SEGMENTS);
    build_image();
    phdr(0)->p_filesz = phdr(0)->p_memsz = 0;
    phdr(2)->p_filesz = phdr(2)->p_memsz = 0;
    EXPECT(ELF_NO_SEGMENTS);
}

static void test_filesz_above_memsz(void **state)
{
    (void)state;
    phdr(0)->p_filesz = SEG0_SIZE + 1;
    EXPECT(ELF_BAD_SEGMENT);
}

static void test_segment_beyond_file(void **state)
{
    (void)state;
    phdr(2)->p_offset = SEG2_OFFSET + 1;
    EXPECT(ELF_BAD_SEGMENT);
    build_image();
    assert_int_equal(elf_plan_load(image, IMAGE_SIZE, SEG2_OFFSET + SEG2_FILESZ - 1, &plan),
                     ELF_BAD_SEGMENT);
    phdr(0)->p_offset = UINT64_MAX; /* offset alone beyond the file */
    EXPECT(ELF_BAD_SEGMENT);
}

static void test_offset_plus_filesz_wraps(void **state)
{
    (void)state;
    phdr(2)->p_offset = UINT64_MAX - 0xF; /* + 0x1000 wraps to 0xFF0 */
    EXPECT(ELF_BAD_SEGMENT);
    build_image();
    phdr(0)->p_offset = 0x10;
    phdr(0)->p_filesz = phdr(0)->p_memsz = UINT64_MAX - 0xF + 1; /* sum wraps to 0 */
    EXPECT(ELF_BAD_SEGMENT);
}

static void test_paddr_plus_memsz_wraps(void **state)
{
    (void)state;
    phdr(2)->p_paddr = UINT64_MAX - 0xFFF; /* + 0x3000 wraps to 0x2000 */
    EXPECT(ELF_BAD_SEGMENT);
    build_image();
    phdr(2)->p_memsz = (uint64_t)0 - SEG2_PADDR + 0x100; /* end wraps to 0x100 */
    EXPECT(ELF_BAD_SEGMENT);
    build_image();
    phdr(2)->p_paddr = (uint64_t)0 - SEG2_MEMSZ; /* ends exactly at 2^64 */
    assert_int_not_equal(plan_image(), ELF_OK);
}

static void test_segment_too_low(void **state)
{
    (void)state;
    phdr(2)->p_paddr = ELF_LOAD_MIN_ADDRESS - 1;
    EXPECT(ELF_SEGMENT_TOO_LOW);
    phdr(2)->p_paddr = 0;
    EXPECT(ELF_SEGMENT_TOO_LOW);
}

static void test_segment_too_high(void **state)
{
    (void)state;
    phdr(2)->p_paddr = 0x100000000ull - SEG2_MEMSZ + 1; /* last byte at 4 GiB */
    EXPECT(ELF_SEGMENT_TOO_HIGH);
    phdr(2)->p_paddr = 0x100000000ull + SEG2_PADDR; /* low 32 bits look fine */
    EXPECT(ELF_SEGMENT_TOO_HIGH);
}

static void test_segments_overlap(void **state)
{
    (void)state;
    phdr(2)->p_paddr = SEG0_PADDR + SEG0_SIZE - 1; /* one shared byte */
    EXPECT(ELF_SEGMENTS_OVERLAP);
    phdr(2)->p_paddr = SEG0_PADDR; /* same start */
    EXPECT(ELF_SEGMENTS_OVERLAP);
    build_image();
    phdr(0)->p_paddr = SEG2_PADDR + 0x1000; /* inside segment 2 */
    ehdr()->e_entry = SEG2_PADDR + 0x1010;
    EXPECT(ELF_SEGMENTS_OVERLAP);
    /* The first and the third loaded segment overlap, not neighbours. */
    build_image();
    set_load(3, 0, SEG0_PADDR + 0x400, 0, 0x10);
    EXPECT(ELF_SEGMENTS_OVERLAP);
}

static void test_bad_entry(void **state)
{
    (void)state;
    ehdr()->e_entry = SEG0_PADDR + SEG0_SIZE; /* one past segment 0: a gap */
    EXPECT(ELF_BAD_ENTRY);
    ehdr()->e_entry = SEG2_PADDR + SEG2_MEMSZ; /* one past segment 2 */
    EXPECT(ELF_BAD_ENTRY);
    ehdr()->e_entry = SEG0_PADDR - 1;
    EXPECT(ELF_BAD_ENTRY);
    ehdr()->e_entry = 0x100000000ull + ENTRY; /* truncated it would be valid */
    EXPECT(ELF_BAD_ENTRY);
    ehdr()->e_entry = phdr(2)->p_vaddr; /* virtual, not physical */
    EXPECT(ELF_BAD_ENTRY);
    ehdr()->e_entry = 0; /* inside the skipped empty PT_LOAD at 0 */
    EXPECT(ELF_BAD_ENTRY);
}

static void test_error_texts(void **state)
{
    (void)state;
    for (int i = ELF_OK; i <= ELF_BAD_ENTRY; i++) {
        const char *text = elf_error_text((enum elf_error)i);
        assert_non_null(text);
        assert_true(strlen(text) > 0);
        for (int j = ELF_OK; j < i; j++)
            assert_string_not_equal(text, elf_error_text((enum elf_error)j));
    }
    assert_non_null(elf_error_text((enum elf_error)1000));
}

/* ---------------------------------------------------------------- the real kernel */

static unsigned char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    unsigned char *data = NULL;
    size_t used = 0, cap = 0, got;
    do {
        if (used == cap) {
            cap = cap ? cap * 2 : 65536;
            data = realloc(data, cap);
            assert_non_null(data);
        }
        got = fread(data + used, 1, cap - used, f);
        used += got;
    } while (got > 0);
    fclose(f);
    *size = used;
    return data;
}

static const char *kernel_path(void)
{
    const char *path = getenv("KEEL_KERNEL_ELF");
    return path && *path ? path : "build/kernel.elf";
}

static void test_real_kernel(void **state)
{
    size_t size;
    unsigned char *file = read_file(kernel_path(), &size);
    (void)state;
    if (file == NULL) {
        print_message("# %s not found: skipped\n", kernel_path());
        skip();
    }

    Elf64_Ehdr h;
    assert_true(size >= sizeof(h));
    memcpy(&h, file, sizeof(h));
    assert_true(h.e_phoff + (uint64_t)h.e_phnum * sizeof(Elf64_Phdr) <= size);

    struct elf_segment expected[ELF_LOAD_MAX_SEGMENTS];
    size_t expected_count = 0;
    for (size_t i = 0; i < h.e_phnum; i++) {
        Elf64_Phdr p;
        memcpy(&p, file + h.e_phoff + i * sizeof(p), sizeof(p));
        if (p.p_type != PT_LOAD || p.p_memsz == 0)
            continue;
        assert_true(expected_count < ELF_LOAD_MAX_SEGMENTS);
        expected[expected_count++] = (struct elf_segment){.file_offset = p.p_offset,
                                                          .file_size = p.p_filesz,
                                                          .phys_addr = p.p_paddr,
                                                          .mem_size = p.p_memsz};
    }
    assert_true(expected_count > 0);

    /* Once with the whole file, once with just the headers (what stage 2 has). */
    size_t header_bytes = h.e_phoff + (size_t)h.e_phnum * sizeof(Elf64_Phdr);
    size_t lengths[] = {size, header_bytes};
    for (size_t k = 0; k < 2; k++) {
        memset(&plan, 0xCC, sizeof(plan));
        enum elf_error err = elf_plan_load(file, lengths[k], size, &plan);
        if (err != ELF_OK)
            print_error("%s: %s\n", kernel_path(), elf_error_text(err));
        assert_int_equal(err, ELF_OK);
        assert_int_equal(plan.entry, h.e_entry);
        assert_int_equal(plan.segment_count, expected_count);
        for (size_t i = 0; i < expected_count; i++)
            check_segment(i, expected[i].file_offset, expected[i].file_size, expected[i].phys_addr,
                          expected[i].mem_size);
    }

    assert_true(multiboot2_header_present(file, size));
    free(file);
}

/* ---------------------------------------------------------------- Multiboot 2 header */

#define MB2_AREA     40000 /* more than the 32 KiB searched */
#define MB2_MIN_SIZE 24    /* fixed part + end tag */

static _Alignas(8) unsigned char area[MB2_AREA + 8];

static void put32(unsigned char *p, uint32_t v)
{
    memcpy(p, &v, 4); /* the host is little endian, like the spec's i386 */
}

/* A header at `offset`: magic, arch, length, a checksum off by `error`,
 * then an end tag (type 0, flags 0, size 8) as its last 8 bytes. */
static void put_mb2(unsigned char *base, size_t offset, uint32_t arch, uint32_t length,
                    uint32_t error)
{
    unsigned char *p = base + offset;
    put32(p, MULTIBOOT2_HEADER_MAGIC);
    put32(p + 4, arch);
    put32(p + 8, length);
    put32(p + 12, (uint32_t)(0u - (MULTIBOOT2_HEADER_MAGIC + arch + length)) + error);
    if (length >= MB2_MIN_SIZE && offset + length <= MB2_AREA) {
        put32(p + length - 8, 0);
        put32(p + length - 4, 8);
    }
}

static int mb2_setup(void **state)
{
    (void)state;
    memset(area, 0, sizeof(area));
    return 0;
}

static void test_mb2_absent(void **state)
{
    (void)state;
    assert_false(multiboot2_header_present(area, MB2_AREA));
    assert_false(multiboot2_header_present(area, 0));
    assert_false(multiboot2_header_present(image, IMAGE_SIZE));
}

static void test_mb2_found(void **state)
{
    (void)state;
    put_mb2(area, 0, 0, MB2_MIN_SIZE, 0);
    assert_true(multiboot2_header_present(area, MB2_AREA));
    mb2_setup(state);
    put_mb2(area, 0x1000, 0, 48, 0);
    assert_true(multiboot2_header_present(area, MB2_AREA));
}

static void test_mb2_bad_checksum(void **state)
{
    (void)state;
    put_mb2(area, 0x1000, 0, MB2_MIN_SIZE, 1);
    assert_false(multiboot2_header_present(area, MB2_AREA));
}

static void test_mb2_wrong_architecture(void **state)
{
    (void)state;
    put_mb2(area, 0x1000, 4, MB2_MIN_SIZE, 0); /* 4 = MIPS, checksum valid */
    assert_false(multiboot2_header_present(area, MB2_AREA));
}

static void test_mb2_misaligned(void **state)
{
    (void)state;
    put_mb2(area, 0x1004, 0, MB2_MIN_SIZE, 0);
    assert_false(multiboot2_header_present(area, MB2_AREA));
}

static void test_mb2_length_checks(void **state)
{
    (void)state;
    put_mb2(area, 0x1000, 0, 16, 0); /* no room for the end tag */
    assert_false(multiboot2_header_present(area, MB2_AREA));
    put_mb2(area, 0x1000, 0, 0xFFFFFFF0u, 0); /* would wrap offset + length */
    assert_false(multiboot2_header_present(area, MB2_AREA));
}

static void test_mb2_32k_limit(void **state)
{
    (void)state;
    put_mb2(area, 32768 - MB2_MIN_SIZE, 0, MB2_MIN_SIZE, 0); /* last byte at 32767 */
    assert_true(multiboot2_header_present(area, MB2_AREA));
    mb2_setup(state);
    put_mb2(area, 32768 - 16, 0, MB2_MIN_SIZE, 0); /* crosses 32 KiB */
    assert_false(multiboot2_header_present(area, MB2_AREA));
    mb2_setup(state);
    put_mb2(area, 32768, 0, MB2_MIN_SIZE, 0);
    assert_false(multiboot2_header_present(area, MB2_AREA));
}

static void test_mb2_bounded_by_len(void **state)
{
    (void)state;
    put_mb2(area, 0x100, 0, MB2_MIN_SIZE, 0);
    assert_false(multiboot2_header_present(area, 0x100 + MB2_MIN_SIZE - 1));
    assert_false(multiboot2_header_present(area, 0x100 + 15));
    assert_true(multiboot2_header_present(area, 0x100 + MB2_MIN_SIZE));
}

static void test_mb2_scan_continues_past_bad_candidate(void **state)
{
    (void)state;
    put_mb2(area, 0x100, 0, MB2_MIN_SIZE, 1);
    put_mb2(area, 0x200, 0, MB2_MIN_SIZE, 0);
    assert_true(multiboot2_header_present(area, MB2_AREA));
}

/* Alignment is counted from the start of the file, not from the address. */
static void test_mb2_unaligned_buffer(void **state)
{
    (void)state;
    put_mb2(area + 1, 8, 0, MB2_MIN_SIZE, 0);
    assert_true(multiboot2_header_present(area + 1, MB2_AREA));
    mb2_setup(state);
    put_mb2(area + 1, 12, 0, MB2_MIN_SIZE, 0);
    assert_false(multiboot2_header_present(area + 1, MB2_AREA));
}

/* In the real kernel: found; with its checksum broken: not. */
static void test_mb2_real_kernel(void **state)
{
    size_t size;
    unsigned char *file = read_file(kernel_path(), &size);
    (void)state;
    if (file == NULL)
        skip();
    assert_true(multiboot2_header_present(file, size));

    size_t limit = size < MULTIBOOT2_HEADER_SEARCH_LIMIT ? size : MULTIBOOT2_HEADER_SEARCH_LIMIT;
    size_t found = 0;
    for (size_t off = 0; off + 16 <= limit; off += 8) {
        uint32_t magic;
        memcpy(&magic, file + off, 4);
        if (magic == MULTIBOOT2_HEADER_MAGIC) {
            file[off + 12] ^= 1;
            found++;
        }
    }
    assert_true(found >= 1);
    assert_false(multiboot2_header_present(file, size));
    free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_valid_image, setup),
        cmocka_unit_test_setup(test_buffer_holding_only_headers, setup),
        cmocka_unit_test_setup(test_unaligned_buffer, setup),
        cmocka_unit_test_setup(test_sixteen_segments_fit, setup),
        cmocka_unit_test_setup(test_segment_ending_at_4gib, setup),
        cmocka_unit_test_setup(test_touching_segments, setup),
        cmocka_unit_test_setup(test_segment_exactly_at_end_of_file, setup),
        cmocka_unit_test_setup(test_bss_only_segment_offset_ignored, setup),
        cmocka_unit_test_setup(test_entry_at_segment_edges, setup),
        cmocka_unit_test_setup(test_too_short, setup),
        cmocka_unit_test_setup(test_bad_magic, setup),
        cmocka_unit_test_setup(test_not_64bit, setup),
        cmocka_unit_test_setup(test_not_little_endian, setup),
        cmocka_unit_test_setup(test_bad_version, setup),
        cmocka_unit_test_setup(test_not_executable, setup),
        cmocka_unit_test_setup(test_not_x86_64, setup),
        cmocka_unit_test_setup(test_bad_phentsize, setup),
        cmocka_unit_test_setup(test_no_program_headers, setup),
        cmocka_unit_test_setup(test_phnum_escape_rejected, setup),
        cmocka_unit_test_setup(test_program_headers_beyond_buffer, setup),
        cmocka_unit_test_setup(test_phoff_overflow, setup),
        cmocka_unit_test_setup(test_too_many_segments, setup),
        cmocka_unit_test_setup(test_no_loadable_segments, setup),
        cmocka_unit_test_setup(test_filesz_above_memsz, setup),
        cmocka_unit_test_setup(test_segment_beyond_file, setup),
        cmocka_unit_test_setup(test_offset_plus_filesz_wraps, setup),
        cmocka_unit_test_setup(test_paddr_plus_memsz_wraps, setup),
        cmocka_unit_test_setup(test_segment_too_low, setup),
        cmocka_unit_test_setup(test_segment_too_high, setup),
        cmocka_unit_test_setup(test_segments_overlap, setup),
        cmocka_unit_test_setup(test_bad_entry, setup),
        cmocka_unit_test(test_error_texts),
        cmocka_unit_test(test_real_kernel),
        cmocka_unit_test_setup(test_mb2_absent, mb2_setup),
        cmocka_unit_test_setup(test_mb2_found, mb2_setup),
        cmocka_unit_test_setup(test_mb2_bad_checksum, mb2_setup),
        cmocka_unit_test_setup(test_mb2_wrong_architecture, mb2_setup),
        cmocka_unit_test_setup(test_mb2_misaligned, mb2_setup),
        cmocka_unit_test_setup(test_mb2_length_checks, mb2_setup),
        cmocka_unit_test_setup(test_mb2_32k_limit, mb2_setup),
        cmocka_unit_test_setup(test_mb2_bounded_by_len, mb2_setup),
        cmocka_unit_test_setup(test_mb2_scan_continues_past_bad_candidate, mb2_setup),
        cmocka_unit_test_setup(test_mb2_unaligned_buffer, mb2_setup),
        cmocka_unit_test(test_mb2_real_kernel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
