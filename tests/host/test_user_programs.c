/*
 * test_user_programs.c - the programs in the ramdisk are what the kernel
 * will load, and the ramdisk is what the loaders hand over.
 *
 * For each program (USER_PROGRAMS, from the Makefile), both the linked file
 * (USER_DIR/NAME) and its copy inside the archive (INITRD) must be a static
 * ELF64 x86-64 executable (ET_EXEC, no PT_INTERP, no PT_DYNAMIC) entered at
 * _start; its PT_LOAD segments are text R-X, rodata R-- and data RW- in
 * that order from KEEL_USER_BASE's page, none writable and executable,
 * none sharing a page with another, all below KEEL_USER_LIMIT, file offsets
 * congruent to addresses modulo the page; the stack is not executable. The
 * archive's copy must load the same bytes and be packed: its segments
 * follow the headers and each other with no more than alignment between
 * them, and only the section headers after them (the BIOS loader reads
 * every byte of the archive at boot).
 * The archive must hold exactly README and the programs, in name order,
 * as POSIX ustar with valid checksums, owner and group 0 without names,
 * time 0, modes 0644 and 0755, ending right after its two zero blocks, and
 * README must be user/README.initrd.
 * Headers are read with the host's <elf.h>, not with Keel's own code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <elf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/syscall.h>

#define PAGE_SIZE    4096u
#define MAX_PROGRAMS 32
#define BLOCK        512u
#define LOAD_COUNT   3
#define ALIGN_SLACK  64u   /* bytes a section's alignment may leave between segments */
#define TRAILER_MAX  1024u /* section headers and names after the last segment */

static char program_names[MAX_PROGRAMS][64];
static size_t program_count;

struct file {
    uint8_t *data;
    size_t size;
};

static bool read_file(const char *path, struct file *f)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return false;
    fseek(in, 0, SEEK_END);
    long size = ftell(in);
    fseek(in, 0, SEEK_SET);
    f->data = malloc(size > 0 ? (size_t)size : 1);
    f->size = fread(f->data, 1, (size_t)size, in);
    fclose(in);
    return f->size == (size_t)size;
}

/* ---------------------------------------------------------------- the archive */

struct member {
    char name[101];
    const uint8_t *header, *data;
    uint64_t size;
};

static struct file archive;
static struct member members[MAX_PROGRAMS + 1];
static size_t member_count;

static uint64_t octal(const uint8_t *field, size_t length)
{
    uint64_t value = 0;
    for (size_t i = 0; i < length && field[i] >= '0' && field[i] <= '7'; i++)
        value = value * 8 + (field[i] - '0');
    return value;
}

static void check_header_checksum(const uint8_t *h, const char *name)
{
    unsigned sum = 0;
    for (unsigned i = 0; i < BLOCK; i++)
        sum += i >= 148 && i < 156 ? ' ' : h[i]; /* the chksum field counts as spaces */
    if (sum != octal(h + 148, 8))
        fail_msg("%s: header checksum %o, the header sums to %o", name, (unsigned)octal(h + 148, 8),
                 sum);
}

/* Every member up to the two zero blocks; each header checked. */
static int load_archive(void **state)
{
    (void)state;
    if (!read_file(INITRD, &archive))
        return -1;
    size_t offset = 0;
    while (offset + BLOCK <= archive.size && archive.data[offset] != 0) {
        const uint8_t *h = archive.data + offset;
        struct member *m = &members[member_count];
        if (member_count++ == MAX_PROGRAMS + 1)
            return -1;
        memcpy(m->name, h, 100);
        m->name[100] = '\0';
        m->header = h;
        m->size = octal(h + 124, 12);
        m->data = h + BLOCK;
        offset += BLOCK + (m->size + BLOCK - 1) / BLOCK * BLOCK;
        if (offset > archive.size)
            return -1;
    }
    return 0;
}

static const struct member *find_member(const char *name)
{
    for (size_t i = 0; i < member_count; i++)
        if (strcmp(members[i].name, name) == 0)
            return &members[i];
    return NULL;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void test_archive_lists_readme_and_the_programs(void **state)
{
    (void)state;
    char wanted[MAX_PROGRAMS + 1][64];
    size_t count = 0;
    strcpy(wanted[count++], "README");
    for (size_t i = 0; i < program_count; i++)
        strcpy(wanted[count++], program_names[i]);
    qsort(wanted, count, sizeof(wanted[0]), by_name);
    assert_int_equal(member_count, count);
    for (size_t i = 0; i < count; i++)
        assert_string_equal(members[i].name, wanted[i]);
}

static void test_archive_headers_are_deterministic_ustar(void **state)
{
    (void)state;
    for (size_t i = 0; i < member_count; i++) {
        const struct member *m = &members[i];
        const uint8_t *h = m->header;
        check_header_checksum(h, m->name);
        assert_memory_equal(h + 257,
                            "ustar\0"
                            "00",
                            8);                  /* POSIX magic and version */
        assert_int_equal(h[156], '0');           /* a regular file */
        assert_int_equal(octal(h + 108, 8), 0);  /* uid */
        assert_int_equal(octal(h + 116, 8), 0);  /* gid */
        assert_int_equal(octal(h + 136, 12), 0); /* mtime */
        assert_int_equal(h[265], '\0');          /* no user name */
        assert_int_equal(h[297], '\0');          /* no group name */
        assert_int_equal(h[345], '\0');          /* no prefix */
        assert_true(strncmp(m->name, "./", 2) != 0);
        assert_int_equal(octal(h + 100, 8), strcmp(m->name, "README") == 0 ? 0644 : 0755);
    }
    /* Two zero blocks end it, and nothing follows them (no record padding). */
    size_t end = (size_t)(members[member_count - 1].data - archive.data) +
                 (members[member_count - 1].size + BLOCK - 1) / BLOCK * BLOCK;
    assert_int_equal(end + 2 * BLOCK, archive.size);
    for (size_t i = end; i < end + 2 * BLOCK; i++)
        assert_int_equal(archive.data[i], 0);
}

static void test_archive_readme_is_the_source(void **state)
{
    (void)state;
    struct file source;
    assert_true(read_file(README_SOURCE, &source));
    const struct member *m = find_member("README");
    assert_non_null(m);
    assert_int_equal(m->size, source.size);
    assert_memory_equal(m->data, source.data, source.size);
    free(source.data);
}

/* ---------------------------------------------------------------- the programs */

/* The value of symbol `name` in the file's .symtab; false if it has none. */
static bool symbol_value(const uint8_t *data, size_t size, const char *name, uint64_t *value)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)data;
    if (eh->e_shoff == 0 || eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > size)
        return false;
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(data + eh->e_shoff);
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
            continue;
        const Elf64_Sym *sym = (const Elf64_Sym *)(data + sh[i].sh_offset);
        const char *names = (const char *)(data + sh[sh[i].sh_link].sh_offset);
        for (size_t k = 0; k < sh[i].sh_size / sizeof(Elf64_Sym); k++) {
            if (strcmp(names + sym[k].st_name, name) == 0) {
                *value = sym[k].st_value;
                return true;
            }
        }
    }
    return false;
}

static void check_segments(const char *what, const Elf64_Phdr *loads[LOAD_COUNT])
{
    static const uint32_t rights[LOAD_COUNT] = {PF_R | PF_X, PF_R, PF_R | PF_W};
    for (unsigned i = 0; i < LOAD_COUNT; i++) {
        const Elf64_Phdr *p = loads[i];
        if (p->p_flags != rights[i])
            fail_msg("%s: segment %u has flags %#x, want %#x", what, i, p->p_flags, rights[i]);
        if ((p->p_flags & PF_W) && (p->p_flags & PF_X))
            fail_msg("%s: segment %u is writable and executable", what, i);
        assert_true(p->p_memsz > 0);
        assert_true(p->p_filesz <= p->p_memsz);
        assert_true(p->p_vaddr >= KEEL_USER_BASE);
        assert_true(p->p_vaddr + p->p_memsz <= KEEL_USER_LIMIT);
        assert_int_equal(p->p_vaddr % PAGE_SIZE, p->p_offset % PAGE_SIZE);
        if (i > 0) {
            uint64_t previous_end = loads[i - 1]->p_vaddr + loads[i - 1]->p_memsz;
            uint64_t previous_last_page = (previous_end - 1) / PAGE_SIZE;
            if (p->p_vaddr / PAGE_SIZE <= previous_last_page)
                fail_msg("%s: segment %u shares page %#llx with segment %u", what, i,
                         (unsigned long long)(p->p_vaddr / PAGE_SIZE * PAGE_SIZE), i - 1);
        }
    }
    assert_true(loads[0]->p_vaddr / PAGE_SIZE == KEEL_USER_BASE / PAGE_SIZE);
}

/* The archive's copy wastes no bytes: the text right after the program
 * headers, each segment's bytes soon after the previous one's, and only
 * the section headers after the last. */
static void check_packed(const char *what, const uint8_t *data, size_t size,
                         const Elf64_Phdr *loads[LOAD_COUNT])
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)data;
    uint64_t end = eh->e_phoff + (uint64_t)eh->e_phnum * eh->e_phentsize;
    for (unsigned i = 0; i < LOAD_COUNT; i++) {
        if (loads[i]->p_offset < end || loads[i]->p_offset - end >= ALIGN_SLACK)
            fail_msg("%s: segment %u at file offset %#llx, %llu bytes after the previous end", what,
                     i, (unsigned long long)loads[i]->p_offset,
                     (unsigned long long)(loads[i]->p_offset - end));
        end = loads[i]->p_offset + loads[i]->p_filesz;
    }
    if (size - end > TRAILER_MAX)
        fail_msg("%s: %llu bytes after the last segment", what, (unsigned long long)(size - end));
}

/* Every check of the header comment on one ELF file; its PT_LOADs in loads. */
static void check_program(const char *what, const uint8_t *data, size_t size,
                          const Elf64_Phdr *loads[LOAD_COUNT])
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)data;
    assert_true(size >= sizeof(*eh));
    assert_memory_equal(eh->e_ident, ELFMAG, SELFMAG);
    assert_int_equal(eh->e_ident[EI_CLASS], ELFCLASS64);
    assert_int_equal(eh->e_ident[EI_DATA], ELFDATA2LSB);
    assert_int_equal(eh->e_machine, EM_X86_64);
    if (eh->e_type != ET_EXEC)
        fail_msg("%s: e_type %u, not ET_EXEC (static, non-PIE)", what, eh->e_type);
    assert_int_equal(eh->e_phentsize, sizeof(Elf64_Phdr));
    assert_true(eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) <= size);
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(data + eh->e_phoff);
    unsigned load_count = 0;
    bool entry_executable = false;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_INTERP || ph[i].p_type == PT_DYNAMIC)
            fail_msg("%s: dynamically linked (program header type %u)", what, ph[i].p_type);
        if (ph[i].p_type == PT_GNU_STACK && (ph[i].p_flags & PF_X))
            fail_msg("%s: asks for an executable stack", what);
        if (ph[i].p_type != PT_LOAD)
            continue;
        if (load_count == LOAD_COUNT)
            fail_msg("%s: more than %u PT_LOAD segments", what, LOAD_COUNT);
        loads[load_count++] = &ph[i];
        assert_true(ph[i].p_offset + ph[i].p_filesz <= size);
        entry_executable |= (ph[i].p_flags & PF_X) && eh->e_entry >= ph[i].p_vaddr &&
                            eh->e_entry < ph[i].p_vaddr + ph[i].p_memsz;
    }
    if (load_count != LOAD_COUNT)
        fail_msg("%s: %u PT_LOAD segments, want %u", what, load_count, LOAD_COUNT);
    check_segments(what, loads);
    if (!entry_executable)
        fail_msg("%s: entry %#llx outside the executable segment", what,
                 (unsigned long long)eh->e_entry);
}

static void test_program(void **state)
{
    const char *name = *state;
    char path[512], what[600];
    struct file linked;
    snprintf(path, sizeof(path), "%s/%s", USER_DIR, name);
    if (!read_file(path, &linked))
        fail_msg("%s: cannot read", path);
    const Elf64_Phdr *linked_loads[LOAD_COUNT], *packed_loads[LOAD_COUNT];
    check_program(path, linked.data, linked.size, linked_loads);
    uint64_t start;
    if (!symbol_value(linked.data, linked.size, "_start", &start))
        fail_msg("%s: no _start symbol", path);
    const uint64_t entry = ((const Elf64_Ehdr *)linked.data)->e_entry;
    if (start != entry)
        fail_msg("%s: entry %#llx is not _start (%#llx)", path, (unsigned long long)entry,
                 (unsigned long long)start);
    const struct member *m = find_member(name);
    if (!m)
        fail_msg("%s: not in %s", name, INITRD);
    snprintf(what, sizeof(what), "%s in %s", name, INITRD);
    check_program(what, m->data, m->size, packed_loads);
    check_packed(what, m->data, m->size, packed_loads);
    assert_true(((const Elf64_Ehdr *)m->data)->e_entry == entry);
    /* The copy without symbols loads exactly the same bytes. */
    for (unsigned i = 0; i < LOAD_COUNT; i++) {
        const Elf64_Phdr *a = linked_loads[i], *b = packed_loads[i];
        assert_true(a->p_vaddr == b->p_vaddr && a->p_memsz == b->p_memsz &&
                    a->p_filesz == b->p_filesz && a->p_flags == b->p_flags);
        assert_memory_equal(linked.data + a->p_offset, m->data + b->p_offset, a->p_filesz);
    }
    free(linked.data);
}

int main(void)
{
    char list[] = USER_PROGRAMS;
    for (char *word = strtok(list, " "); word && program_count < MAX_PROGRAMS;
         word = strtok(NULL, " "))
        snprintf(program_names[program_count++], sizeof(program_names[0]), "%s", word);
    struct CMUnitTest tests[MAX_PROGRAMS + 3] = {
        cmocka_unit_test(test_archive_lists_readme_and_the_programs),
        cmocka_unit_test(test_archive_headers_are_deterministic_ustar),
        cmocka_unit_test(test_archive_readme_is_the_source),
    };
    static char names[MAX_PROGRAMS][80];
    for (size_t i = 0; i < program_count; i++) {
        snprintf(names[i], sizeof(names[i]), "program_%s", program_names[i]);
        tests[3 + i] = (struct CMUnitTest){names[i], test_program, NULL, NULL, program_names[i]};
    }
    return _cmocka_run_group_tests("test_user_programs", tests, 3 + program_count, load_archive,
                                   NULL);
}
