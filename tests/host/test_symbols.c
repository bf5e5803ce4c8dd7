/*
 * test_symbols.c - host tests for lib/symbols.c and tools/gensyms.py.
 *
 * Lookups first run on small hand-built tables whose answers are written
 * out by hand (boundaries, gaps, size-0 entries, empty tables), then on a
 * generated table checked against a linear scan. End to end, the real
 * kernel (KEEL_KERNEL_ELF, default build/kernel.elf; a missing file is a
 * failure, not a skip) is read three ways:
 *   - gensyms.py's table for it, assembled with `cc -c`, and
 *   - the table embedded in it by the two-pass link
 * are each loaded straight from the ELF bytes (the symbols ksym_count,
 * ksym_entries and ksym_names, found with <elf.h>), and every function
 * `nm -n -S` lists (parsed here, independently of gensyms.py) must resolve
 * at its first and last byte; the two tables must be identical. The
 * commands run from the repository root (as tests/run_all.py does).
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
#include <sys/wait.h>

#include <lib/symbols.h>

#define GENSYMS        "tools/gensyms.py"
#define COMMAND_LENGTH 2048
#define PATH_LENGTH    512
#define NAME_LENGTH    256
#define RANDOM_ENTRIES 1000
#define RANDOM_PROBES  100000
#define RANDOM_SEED    0x2545F4914F6CDD1Dull

/* ---------------------------------------------------------------- hand-built tables */

/* alpha and beta touch; a gap; gamma; delta has no size, so it reaches epsilon. */
static const char sample_names[] = "alpha\0beta\0gamma\0delta\0epsilon";
static const struct ksym_entry sample_entries[] = {
    {0x1000, 0x10, 0}, {0x1010, 0x20, 6}, {0x1100, 0x8, 11}, {0x1200, 0, 17}, {0x1300, 0x40, 23},
};
static const struct ksym_table sample = {5, sample_entries, sample_names};

/* The table the ksym_format checks below resolve against. */
static const struct ksym_table *kernel_table = &sample;

/* Look address up in table; check the result is `expected`+offset. */
static void check_resolves(const struct ksym_table *table, uint64_t address, const char *expected,
                           uint64_t expected_offset)
{
    const char *name = NULL;
    uint64_t offset = ~0ull;
    if (!ksym_lookup(table, address, &name, &offset))
        fail_msg("%#llx did not resolve (expected %s)", (unsigned long long)address, expected);
    assert_string_equal(name, expected);
    assert_int_equal(offset, expected_offset);
}

/* Check address resolves to nothing, and the out parameters are left alone. */
static void check_unresolved(const struct ksym_table *table, uint64_t address)
{
    const char *name = "untouched";
    uint64_t offset = 42;
    if (ksym_lookup(table, address, &name, &offset))
        fail_msg("%#llx resolved to %s+%#llx", (unsigned long long)address, name,
                 (unsigned long long)offset);
    assert_string_equal(name, "untouched");
    assert_int_equal(offset, 42);
}

static void test_exact_start(void **state)
{
    (void)state;
    check_resolves(&sample, 0x1000, "alpha", 0);
    check_resolves(&sample, 0x1010, "beta", 0); /* also one past alpha's end */
    check_resolves(&sample, 0x1100, "gamma", 0);
    check_resolves(&sample, 0x1300, "epsilon", 0);
}

static void test_inside(void **state)
{
    (void)state;
    check_resolves(&sample, 0x1007, "alpha", 7);
    check_resolves(&sample, 0x1025, "beta", 0x15);
    check_resolves(&sample, 0x1321, "epsilon", 0x21);
}

static void test_last_byte(void **state)
{
    (void)state;
    check_resolves(&sample, 0x100f, "alpha", 0xf);
    check_resolves(&sample, 0x102f, "beta", 0x1f);
    check_resolves(&sample, 0x1107, "gamma", 7);
    check_resolves(&sample, 0x133f, "epsilon", 0x3f);
}

static void test_one_past_the_end(void **state)
{
    (void)state;
    check_unresolved(&sample, 0x1030);
    check_unresolved(&sample, 0x1108);
    check_unresolved(&sample, 0x1340);
    check_unresolved(&sample, UINT64_MAX);
}

static void test_before_the_first(void **state)
{
    (void)state;
    check_unresolved(&sample, 0);
    check_unresolved(&sample, 0xfff);
}

static void test_gap_between_symbols(void **state)
{
    (void)state;
    check_unresolved(&sample, 0x1031);
    check_unresolved(&sample, 0x10ff);
    check_unresolved(&sample, 0x11ff);
}

static void test_size_zero_reaches_the_next_entry(void **state)
{
    (void)state;
    check_resolves(&sample, 0x1200, "delta", 0);
    check_resolves(&sample, 0x12ff, "delta", 0xff);
    check_resolves(&sample, 0x1300, "epsilon", 0);

    /* A size-0 last entry has nothing to stop it. */
    static const struct ksym_entry tail_entries[] = {{0x5000, 0x10, 0}, {0x6000, 0, 5}};
    static const struct ksym_table tail = {2, tail_entries, "head\0tail"};
    check_resolves(&tail, 0x6000, "tail", 0);
    check_resolves(&tail, UINT64_MAX, "tail", UINT64_MAX - 0x6000);
    check_unresolved(&tail, 0x5fff);
}

static void test_single_entry(void **state)
{
    static const struct ksym_entry entry[] = {{0x2000, 4, 0}};
    static const struct ksym_table single = {1, entry, "only"};
    (void)state;
    check_unresolved(&single, 0x1fff);
    check_resolves(&single, 0x2000, "only", 0);
    check_resolves(&single, 0x2003, "only", 3);
    check_unresolved(&single, 0x2004);
}

static void test_empty_table(void **state)
{
    static const struct ksym_table empty = {0, NULL, NULL};
    (void)state;
    check_unresolved(&empty, 0);
    check_unresolved(&empty, 0x1000);
    check_unresolved(NULL, 0x1000);
}

/* Addresses at the top of the address space must not overflow the bounds check. */
static void test_top_of_address_space(void **state)
{
    static const struct ksym_entry entries[] = {{0xffffffff80000000ull, 0x100, 0},
                                                {0xfffffffffffff000ull, 0x1000, 4}};
    static const struct ksym_table high = {2, entries, "low\0top"};
    (void)state;
    check_resolves(&high, 0xffffffff800000ffull, "low", 0xff);
    check_unresolved(&high, 0xffffffff80000100ull);
    check_resolves(&high, UINT64_MAX, "top", 0xfff);
    check_unresolved(&high, 0xffffffff7fffffffull);
}

static void test_null_out_parameters(void **state)
{
    const char *name = NULL;
    uint64_t offset = 0;
    (void)state;
    assert_true(ksym_lookup(&sample, 0x1011, NULL, NULL));
    assert_true(ksym_lookup(&sample, 0x1011, &name, NULL));
    assert_string_equal(name, "beta");
    assert_true(ksym_lookup(&sample, 0x1011, NULL, &offset));
    assert_int_equal(offset, 1);
    assert_false(ksym_lookup(&sample, 0x1030, NULL, NULL));
}

static uint64_t next_random(uint64_t *seed)
{
    *seed ^= *seed << 13; /* xorshift64 */
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    return *seed;
}

/* Binary search against a linear scan, on entries with random gaps and sizes. */
static void test_matches_linear_scan(void **state)
{
    static struct ksym_entry entries[RANDOM_ENTRIES];
    static char names[RANDOM_ENTRIES * 8];
    uint64_t seed = RANDOM_SEED, address = 0x10000;
    (void)state;
    for (unsigned i = 0; i < RANDOM_ENTRIES; i++) {
        address += next_random(&seed) % 64;
        uint32_t size = (uint32_t)(next_random(&seed) % 48); /* 0 (to the next) 1 time in 48 */
        entries[i] = (struct ksym_entry){address, size, i * 8};
        snprintf(names + i * 8, 8, "f%u", i);
        address += size ? size : 1;
    }
    struct ksym_table table = {RANDOM_ENTRIES, entries, names};
    for (unsigned probe = 0; probe < RANDOM_PROBES; probe++) {
        uint64_t target = 0x10000 - 64 + next_random(&seed) % (address - 0x10000 + 128);
        const struct ksym_entry *expected = NULL;
        for (unsigned i = 0; i < RANDOM_ENTRIES && entries[i].address <= target; i++)
            expected = &entries[i];
        if (expected && expected->size && target - expected->address >= expected->size)
            expected = NULL;
        if (expected)
            check_resolves(&table, target, names + expected->name_offset,
                           target - expected->address);
        else
            check_unresolved(&table, target);
    }
}

/* ---------------------------------------------------------------- ksym_format */

static void check_format(uint64_t address, const char *expected)
{
    char buf[64];
    memset(buf, '#', sizeof(buf));
    int length = ksym_format(kernel_table, buf, sizeof(buf), address);
    assert_string_equal(buf, expected);
    assert_int_equal(length, strlen(expected));
}

static void test_format(void **state)
{
    (void)state;
    kernel_table = &sample;
    check_format(0x1000, "alpha+0x0");
    check_format(0x1025, "beta+0x15");
    check_format(0x12ff, "delta+0xff");
    check_format(0x1030, "0x1030");
    check_format(0, "0x0");
    check_format(0xffffffff80101c4full, "0xffffffff80101c4f");
}

static void test_format_truncates_like_snprintf(void **state)
{
    char buf[8];
    (void)state;
    kernel_table = &sample;
    memset(buf, '#', sizeof(buf));
    assert_int_equal(ksym_format(kernel_table, buf, 5, 0x1025), strlen("beta+0x15"));
    assert_string_equal(buf, "beta");
    assert_int_equal(buf[5], '#');
    assert_int_equal(ksym_format(kernel_table, buf, 0, 0x1025), strlen("beta+0x15"));
    assert_int_equal(buf[0], 'b'); /* size 0: nothing written */
}

static void test_format_in_explicit_table(void **state)
{
    static const struct ksym_table empty = {0, NULL, NULL};
    char buf[32];
    (void)state;
    assert_int_equal(ksym_format(&sample, buf, sizeof(buf), 0x1101), 9);
    assert_string_equal(buf, "gamma+0x1");
    ksym_format(&empty, buf, sizeof(buf), 0x1101); /* only the table given is consulted */
    assert_string_equal(buf, "0x1101");
}

static void check_format_return(uint64_t return_address, const char *expected)
{
    char buf[64];
    int length = ksym_format_return(kernel_table, buf, sizeof(buf), return_address);
    assert_string_equal(buf, expected);
    assert_int_equal(length, strlen(expected));
}

/* A return address resolves by the byte before it: a call to a noreturn
 * function can end its caller, leaving the return address past the end. */
static void test_format_return_address(void **state)
{
    (void)state;
    kernel_table = &sample;
    check_format_return(0x1010, "alpha+0x10"); /* alpha's last call returns into beta */
    check_format_return(0x1030, "beta+0x20");  /* beta ends with a call; a gap follows */
    check_format_return(0x1025, "beta+0x15");
    check_format_return(0x1000, "0x1000"); /* nothing before alpha called */
    check_format_return(0x1031, "0x1031");
    check_format_return(0, "0x0");

    /* 0 ends a frame chain: it must not wrap around to a size-0 last entry. */
    static const struct ksym_entry tail_entries[] = {{0x6000, 0, 0}};
    static const struct ksym_table tail = {1, tail_entries, "tail"};
    kernel_table = &tail;
    check_format_return(0, "0x0");
    check_format_return(0x6001, "tail+0x1");
    kernel_table = &sample;
}

/* ---------------------------------------------------------------- helpers for real files */

static char temp_dir[] = "/tmp/keel-symbols-XXXXXX";

/* Memory of the end-to-end tests, freed after the last test even when a
 * failed assertion skipped the test's own clean-up. */
#define MAX_ALLOCATIONS 64
static void *allocations[MAX_ALLOCATIONS];

static void *tracked_realloc(void *old, size_t size)
{
    void *memory = realloc(old, size);
    assert_non_null(memory);
    for (unsigned i = 0; i < MAX_ALLOCATIONS; i++) {
        if (allocations[i] == old) { /* old == NULL takes a free slot */
            allocations[i] = memory;
            return memory;
        }
    }
    fail_msg("more than %d allocations", MAX_ALLOCATIONS);
    return NULL;
}

static void free_allocations(void)
{
    for (unsigned i = 0; i < MAX_ALLOCATIONS; i++) {
        free(allocations[i]);
        allocations[i] = NULL;
    }
}

static const char *kernel_path(void)
{
    const char *path = getenv("KEEL_KERNEL_ELF");
    return path && *path ? path : "build/kernel.elf";
}

static const char *temp_file(const char *name)
{
    static char paths[4][PATH_LENGTH];
    static unsigned next;
    char *path = paths[next++ % 4];
    snprintf(path, PATH_LENGTH, "%s/%s", temp_dir, name);
    return path;
}

/* Run a shell command; return its exit status (-1 if it did not exit). */
__attribute__((format(printf, 1, 2))) static int run(const char *fmt, ...)
{
    char command[COMMAND_LENGTH];
    va_list ap;
    va_start(ap, fmt);
    int length = vsnprintf(command, sizeof(command), fmt, ap);
    va_end(ap);
    assert_true(length > 0 && length < (int)sizeof(command));
    int status = system(command);
    return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static unsigned char *read_whole_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long length = ftell(f);
    assert_true(length > 0);
    rewind(f);
    unsigned char *bytes = tracked_realloc(NULL, (size_t)length + 1); /* + 1: room for a NUL */
    assert_int_equal(fread(bytes, 1, (size_t)length, f), (size_t)length);
    fclose(f);
    *size = (size_t)length;
    return bytes;
}

/* A function as nm lists it. */
struct nm_symbol {
    uint64_t address;
    uint64_t size;
    char type;
    char name[NAME_LENGTH];
};

/* The T/t symbols of elf that have a size, from `nm -n -S --defined-only`. */
static struct nm_symbol *nm_functions(const char *elf, size_t *count)
{
    char command[COMMAND_LENGTH], line[COMMAND_LENGTH];
    snprintf(command, sizeof(command), "nm -n -S --defined-only '%s'", elf);
    FILE *nm = popen(command, "r");
    assert_non_null(nm);
    size_t capacity = 64;
    struct nm_symbol *symbols = tracked_realloc(NULL, capacity * sizeof(*symbols));
    *count = 0;
    while (fgets(line, sizeof(line), nm)) {
        struct nm_symbol s;
        unsigned long long address, size;
        if (sscanf(line, "%llx %llx %c %255s", &address, &size, &s.type, s.name) != 4)
            continue; /* no size: not a C function */
        if ((s.type != 'T' && s.type != 't') || size == 0)
            continue;
        s.address = address;
        s.size = size;
        if (*count == capacity) {
            capacity *= 2;
            symbols = tracked_realloc(symbols, capacity * sizeof(*symbols));
        }
        symbols[(*count)++] = s;
    }
    assert_int_equal(pclose(nm), 0);
    return symbols;
}

/* A table loaded from the bytes of an ELF file (copied out: the file's
 * offsets need not be aligned for the entries). The memory is tracked. */
struct loaded_table {
    struct ksym_table table;
    struct ksym_entry *entries;
    char *names;
    uint64_t names_size;
};

/* Offset in image of the bytes of the global symbol `wanted`, and its size. */
static uint64_t symbol_bytes(const unsigned char *image, size_t size, const char *wanted,
                             uint64_t *symbol_size)
{
    Elf64_Ehdr h;
    assert_true(size >= sizeof(h));
    memcpy(&h, image, sizeof(h));
    assert_memory_equal(h.e_ident, ELFMAG, SELFMAG);
    assert_true(h.e_shoff + (uint64_t)h.e_shnum * sizeof(Elf64_Shdr) <= size);
    const unsigned char *headers = image + h.e_shoff;
    for (unsigned i = 0; i < h.e_shnum; i++) {
        Elf64_Shdr symtab, strtab;
        memcpy(&symtab, headers + i * sizeof(Elf64_Shdr), sizeof(symtab));
        if (symtab.sh_type != SHT_SYMTAB)
            continue;
        memcpy(&strtab, headers + symtab.sh_link * sizeof(Elf64_Shdr), sizeof(strtab));
        for (uint64_t at = 0; at + sizeof(Elf64_Sym) <= symtab.sh_size; at += sizeof(Elf64_Sym)) {
            Elf64_Sym sym;
            memcpy(&sym, image + symtab.sh_offset + at, sizeof(sym));
            if (strcmp((const char *)image + strtab.sh_offset + sym.st_name, wanted) != 0)
                continue;
            assert_int_equal(ELF64_ST_BIND(sym.st_info), STB_GLOBAL);
            assert_true(sym.st_shndx != SHN_UNDEF && sym.st_shndx < h.e_shnum);
            Elf64_Shdr section;
            memcpy(&section, headers + sym.st_shndx * sizeof(Elf64_Shdr), sizeof(section));
            /* In an object file st_value is an offset into the section; linked, an address. */
            uint64_t into = sym.st_value - (h.e_type == ET_REL ? 0 : section.sh_addr);
            assert_true(into + sym.st_size <= section.sh_size);
            *symbol_size = sym.st_size;
            return section.sh_offset + into;
        }
    }
    fail_msg("no symbol %s", wanted);
    return 0;
}

static void load_table(const char *elf, struct loaded_table *loaded)
{
    size_t size;
    unsigned char *image = read_whole_file(elf, &size);
    uint64_t count_size, entries_size;
    uint64_t count_at = symbol_bytes(image, size, "ksym_count", &count_size);
    uint64_t entries_at = symbol_bytes(image, size, "ksym_entries", &entries_size);
    uint64_t names_at = symbol_bytes(image, size, "ksym_names", &loaded->names_size);
    assert_int_equal(count_size, sizeof(uint64_t));
    memcpy(&loaded->table.count, image + count_at, sizeof(uint64_t));
    assert_int_equal(entries_size, loaded->table.count * sizeof(struct ksym_entry));
    loaded->entries = tracked_realloc(NULL, entries_size + 1);
    loaded->names = tracked_realloc(NULL, loaded->names_size + 1);
    memcpy(loaded->entries, image + entries_at, entries_size);
    memcpy(loaded->names, image + names_at, loaded->names_size);
    loaded->table.entries = loaded->entries;
    loaded->table.names = loaded->names;
}

/* gensyms.py's table for elf (options as given), assembled by cc and loaded. */
static void generate_table(const char *elf, const char *options, struct loaded_table *loaded)
{
    const char *source = temp_file("ksyms.S"), *object = temp_file("ksyms.o");
    assert_int_equal(run("python3 " GENSYMS " %s %s -o '%s'", options, elf, source), 0);
    assert_int_equal(run("cc -c '%s' -o '%s'", source, object), 0);
    load_table(object, loaded);
}

/* Whether address lies in an executable section of the ELF image. */
static bool code_at(const unsigned char *image, const Elf64_Ehdr *h, uint64_t address)
{
    for (unsigned i = 0; i < h->e_shnum; i++) {
        Elf64_Shdr section;
        memcpy(&section, image + h->e_shoff + i * sizeof(section), sizeof(section));
        if (section.sh_flags & SHF_EXECINSTR && section.sh_addr <= address &&
            address - section.sh_addr < section.sh_size)
            return true;
    }
    return false;
}

/* The table is well formed, and every function nm lists in elf resolves
 * to itself (or an alias at its address) at its first and last byte. */
static void check_table_against_nm(const struct loaded_table *loaded, const char *elf)
{
    const struct ksym_table *table = &loaded->table;
    assert_true(table->count > 0);
    for (uint64_t i = 0; i < table->count; i++) {
        assert_true(i == 0 || table->entries[i - 1].address < table->entries[i].address);
        uint32_t at = table->entries[i].name_offset;
        assert_true(at < loaded->names_size);
        assert_non_null(memchr(loaded->names + at, '\0', loaded->names_size - at));
    }

    size_t count;
    struct nm_symbol *functions = nm_functions(elf, &count);
    assert_true(count > 0);
    for (size_t i = 0; i < count; i++) {
        const struct nm_symbol *f = &functions[i];
        const char *name;
        uint64_t offset, last = f->address + f->size - 1;
        for (int end = 0; end < 2; end++) {
            uint64_t address = end ? last : f->address;
            if (!ksym_lookup(table, address, &name, &offset))
                fail_msg("%s (%#llx) did not resolve", f->name, (unsigned long long)address);
            assert_int_equal(offset, address - f->address);
            bool alias = false;
            for (size_t j = 0; j < count && !alias; j++)
                alias = functions[j].address == f->address && strcmp(functions[j].name, name) == 0;
            if (!alias)
                fail_msg("%s+%#llx resolved to %s", f->name,
                         (unsigned long long)(address - f->address), name);
        }
    }

    /* The entry point (32-bit boot code, no size in nm) is in the table too,
     * with a size (its code is longer than one byte). */
    size_t size;
    unsigned char *image = read_whole_file(elf, &size);
    Elf64_Ehdr h;
    memcpy(&h, image, sizeof(h));
    const char *name;
    uint64_t offset = ~0ull;
    assert_true(ksym_lookup(table, h.e_entry, NULL, &offset));
    assert_int_equal(offset, 0);
    assert_true(ksym_lookup(table, h.e_entry + 1, NULL, &offset));
    assert_int_equal(offset, 1);

    /* Nothing resolves below the code, nor just past the end of a code
     * section (unless another one starts there). */
    assert_false(ksym_lookup(table, 0, NULL, NULL));
    unsigned code_sections = 0;
    for (unsigned i = 0; i < h.e_shnum; i++) {
        Elf64_Shdr section;
        memcpy(&section, image + h.e_shoff + i * sizeof(section), sizeof(section));
        if (!(section.sh_flags & SHF_EXECINSTR) || section.sh_size == 0)
            continue;
        code_sections++;
        uint64_t end = section.sh_addr + section.sh_size;
        if (!code_at(image, &h, end) && ksym_lookup(table, end, &name, &offset))
            fail_msg("the end of a code section, %#llx, resolved to %s+%#llx",
                     (unsigned long long)end, name, (unsigned long long)offset);
    }
    assert_true(code_sections > 0);
    assert_false(ksym_lookup(table, UINT64_MAX, NULL, NULL));
}

/* ---------------------------------------------------------------- end to end */

static void test_generated_table_resolves_every_function(void **state)
{
    struct loaded_table loaded;
    (void)state;
    generate_table(kernel_path(), "", &loaded);
    check_table_against_nm(&loaded, kernel_path());
}

/* The kernel's own table (pass 2 of the link) describes the kernel it is in,
 * and is exactly what gensyms.py makes of that kernel. */
static void test_embedded_table_matches_the_kernel(void **state)
{
    struct loaded_table embedded, regenerated;
    (void)state;
    load_table(kernel_path(), &embedded);
    check_table_against_nm(&embedded, kernel_path());
    generate_table(kernel_path(), "", &regenerated);
    assert_int_equal(embedded.table.count, regenerated.table.count);
    assert_memory_equal(embedded.entries, regenerated.entries,
                        embedded.table.count * sizeof(struct ksym_entry));
    assert_int_equal(embedded.names_size, regenerated.names_size);
    assert_memory_equal(embedded.names, regenerated.names, embedded.names_size);
}

static void test_empty_table_assembles(void **state)
{
    struct loaded_table loaded;
    (void)state;
    generate_table("", "--empty", &loaded);
    assert_int_equal(loaded.table.count, 0);
    check_unresolved(&loaded.table, 0x1000);
}

/* Two objects in which g sits one byte apart: --verify must refuse them and name g. */
static void test_verify_detects_moved_code(void **state)
{
    const char *one = temp_file("one.o"), *same = temp_file("same.o");
    const char *moved = temp_file("moved.o"), *report = temp_file("report.txt");
    const char *assemble = "printf '.text\\n.globl f\\nf: %s\\n.globl g\\ng: ret\\n' | cc -c -x "
                           "assembler - -o '%s'";
    (void)state;
    char command[COMMAND_LENGTH];
    snprintf(command, sizeof(command), assemble, "nop", one);
    assert_int_equal(run("%s", command), 0);
    snprintf(command, sizeof(command), assemble, "nop", same);
    assert_int_equal(run("%s", command), 0);
    snprintf(command, sizeof(command), assemble, "nop; nop", moved);
    assert_int_equal(run("%s", command), 0);

    assert_int_equal(run("python3 " GENSYMS " --verify '%s' '%s'", one, same), 0);
    assert_int_equal(run("python3 " GENSYMS " --verify '%s' '%s' 2>'%s'", one, moved, report), 1);
    size_t size;
    char *text = (char *)read_whole_file(report, &size);
    text[size] = '\0';
    if (strstr(text, "  g: 0x1 in") == NULL || strstr(text, "f:") != NULL)
        fail_msg("unexpected report: %s", text);
}

static void test_gensyms_rejects_bad_input(void **state)
{
    (void)state;
    const char *out = temp_file("bad.S");
    assert_int_not_equal(run("python3 " GENSYMS " /nonexistent.elf -o '%s' 2>/dev/null", out), 0);
    assert_int_not_equal(run("python3 " GENSYMS " " GENSYMS " -o '%s' 2>/dev/null", out), 0);
    assert_int_not_equal(run("python3 " GENSYMS " --verify '%s' 2>/dev/null", kernel_path()), 0);
}

static int make_temp_dir(void **state)
{
    (void)state;
    return mkdtemp(temp_dir) ? 0 : -1;
}

static int remove_temp_dir(void **state)
{
    (void)state;
    free_allocations();
    return run("rm -rf '%s'", temp_dir) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_start),
        cmocka_unit_test(test_inside),
        cmocka_unit_test(test_last_byte),
        cmocka_unit_test(test_one_past_the_end),
        cmocka_unit_test(test_before_the_first),
        cmocka_unit_test(test_gap_between_symbols),
        cmocka_unit_test(test_size_zero_reaches_the_next_entry),
        cmocka_unit_test(test_single_entry),
        cmocka_unit_test(test_empty_table),
        cmocka_unit_test(test_top_of_address_space),
        cmocka_unit_test(test_null_out_parameters),
        cmocka_unit_test(test_matches_linear_scan),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_truncates_like_snprintf),
        cmocka_unit_test(test_format_in_explicit_table),
        cmocka_unit_test(test_format_return_address),
        cmocka_unit_test(test_generated_table_resolves_every_function),
        cmocka_unit_test(test_embedded_table_matches_the_kernel),
        cmocka_unit_test(test_empty_table_assembles),
        cmocka_unit_test(test_verify_detects_moved_code),
        cmocka_unit_test(test_gensyms_rejects_bad_input),
    };
    return cmocka_run_group_tests(tests, make_temp_dir, remove_temp_dir);
}
