/*
 * fuzz_elf_user.c - libFuzzer target for the user program checker
 * (kernel/proc/elf_user.c).
 *
 * Build and run (clang only; libFuzzer supplies main):
 *   make build/fuzz/fuzz_elf_user && build/fuzz/fuzz_elf_user -max_total_time=60
 *
 * The first input byte picks how the rest becomes a file. 0: the rest is
 * the file. Otherwise the file is a valid program (three segments, two
 * ignored headers), cut to TEMPLATE_SIZE - (byte - 1) * 64 bytes, and the
 * rest of the input is a list of patches of three bytes each: a position
 * (a little-endian u16, modulo the PATCHED_BYTES that hold the ELF header
 * and the program headers) and the byte to store there. So most inputs stay
 * close to something the checker accepts, and the fuzzer explores the
 * segment checks rather than the magic. Each file is a malloc'ed buffer of
 * exactly its size, so ASan traps any read beyond it.
 *
 * An accepted file must have what elf_user.h promises, checked here with
 * the target's own reading of the program headers: the same PT_LOAD
 * segments in order, none empty, at most USER_SEGMENTS_MAX, no PT_INTERP or
 * PT_DYNAMIC; each segment's bytes inside the file, filesz <= memsz, between
 * KEEL_USER_BASE and USER_IMAGE_LIMIT, never writable and executable; no
 * page shared; the entry in an executable segment; end the page boundary
 * above the highest segment. A refused file must give -ENOEXEC and a reason.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <kernel/proc/elf_user.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

#define TEMPLATE_SIZE 0x4000
#define PATCHED_BYTES 512 /* the ELF header and room for eight program headers */
#define CUT_STEP      64
#define PAGE          0x1000ull

static uint64_t get(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void put(uint8_t *p, int bytes, uint64_t v)
{
    for (int i = 0; i < bytes; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

/* One program header: type, flags, offset, vaddr, filesz, memsz, align. */
static void put_phdr(uint8_t *ph, uint32_t type, uint32_t flags, uint64_t offset, uint64_t vaddr,
                     uint64_t filesz, uint64_t memsz)
{
    put(ph, 4, type);
    put(ph + 4, 4, flags);
    put(ph + 8, 8, offset);
    put(ph + 16, 8, vaddr);
    put(ph + 24, 8, vaddr);
    put(ph + 32, 8, filesz);
    put(ph + 40, 8, memsz);
    put(ph + 48, 8, PAGE);
}

/* A program the checker accepts: text, note, rodata, data + bss, stack.
 * The data starts where the rodata ends in the file, one page higher in
 * memory, so one changed byte of its address makes the two share a page. */
static void build_template(uint8_t *f)
{
    memset(f, 0, TEMPLATE_SIZE);
    memcpy(f,
           "\x7f"
           "ELF\x02\x01\x01",
           7);
    put(f + 16, 2, 2);        /* ET_EXEC */
    put(f + 18, 2, 62);       /* EM_X86_64 */
    put(f + 20, 4, 1);        /* EV_CURRENT */
    put(f + 24, 8, 0x401010); /* entry */
    put(f + 32, 8, 64);       /* phoff */
    put(f + 54, 2, 56);       /* phentsize */
    put(f + 56, 2, 5);        /* phnum */
    put_phdr(f + 64, 1, 5, 0x1000, 0x401000, 0x800, 0x800);
    put_phdr(f + 120, 4, 4, 0x1800, 0, 0x20, 0x20);
    put_phdr(f + 176, 1, 4, 0x2000, 0x402000, 0x100, 0x100);
    put_phdr(f + 232, 1, 6, 0x2100, 0x403100, 0x200, 0x2800); /* as ld places data */
    put_phdr(f + 288, 0x6474e551, 6, 0, 0, 0, 0);             /* PT_GNU_STACK */
}

struct load {
    uint64_t vaddr, memsz, offset, filesz;
    uint32_t flags;
};

/* The target's own reading of the PT_LOAD headers; false if it finds
 * something the checker must refuse outright (PT_INTERP, PT_DYNAMIC). */
static bool read_loads(const uint8_t *f, size_t size, struct load *loads, size_t *count)
{
    uint64_t phoff = get(f + 32, 8);
    uint64_t phnum = get(f + 56, 2);

    CHECK(size >= 64 && get(f + 54, 2) == 56 && phoff <= size && phnum * 56 <= size - phoff);
    *count = 0;
    for (uint64_t i = 0; i < phnum; i++) {
        const uint8_t *ph = f + phoff + i * 56;
        uint32_t type = (uint32_t)get(ph, 4);
        if (type == 2 || type == 3)
            return false;
        if (type != 1 || (get(ph + 40, 8) == 0 && get(ph + 32, 8) == 0))
            continue;
        CHECK(*count < USER_SEGMENTS_MAX);
        loads[(*count)++] = (struct load){get(ph + 16, 8), get(ph + 40, 8), get(ph + 8, 8),
                                          get(ph + 32, 8), (uint32_t)get(ph + 4, 4)};
    }
    return true;
}

static void check_segment(const struct user_segment *s, const struct load *l, size_t size)
{
    CHECK(s->vaddr == l->vaddr && s->memsz == l->memsz && s->filesz == l->filesz);
    CHECK(s->file_offset == l->offset);
    CHECK(s->flags ==
          (((l->flags & 2) ? USER_SEG_WRITE : 0) | ((l->flags & 1) ? USER_SEG_EXEC : 0)));
    CHECK(s->flags != (USER_SEG_WRITE | USER_SEG_EXEC));
    CHECK(s->filesz <= s->memsz);
    CHECK(s->filesz == 0 || (s->file_offset <= size && s->filesz <= size - s->file_offset));
    CHECK(s->vaddr >= KEEL_USER_BASE && s->vaddr < USER_IMAGE_LIMIT);
    CHECK(s->memsz <= USER_IMAGE_LIMIT - s->vaddr);
}

static void check_accepted(const uint8_t *f, size_t size, const struct user_image *image)
{
    struct load loads[USER_SEGMENTS_MAX];
    size_t count;
    uint64_t end = 0;
    bool entry_found = false;

    CHECK(read_loads(f, size, loads, &count));
    CHECK(count >= 1 && image->segment_count == count);
    CHECK(image->entry == get(f + 24, 8));
    for (size_t i = 0; i < count; i++) {
        const struct user_segment *s = &image->segments[i];
        check_segment(s, &loads[i], size);
        uint64_t first = s->vaddr & ~(PAGE - 1),
                 last = (s->vaddr + s->memsz + PAGE - 1) & ~(PAGE - 1);
        for (size_t j = 0; j < i; j++) {
            const struct user_segment *o = &image->segments[j];
            uint64_t o_first = o->vaddr & ~(PAGE - 1);
            uint64_t o_last = (o->vaddr + o->memsz + PAGE - 1) & ~(PAGE - 1);
            CHECK(last <= o_first || o_last <= first);
        }
        if ((s->flags & USER_SEG_EXEC) && image->entry >= s->vaddr &&
            image->entry - s->vaddr < s->memsz)
            entry_found = true;
        end = last > end ? last : end;
    }
    CHECK(entry_found);
    CHECK(image->end == end && image->end % PAGE == 0 && image->end <= USER_IMAGE_LIMIT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct user_image image;
    const char *why = NULL;
    size_t file_size;
    uint8_t *file;

    if (size == 0)
        return 0;
    if (data[0] == 0) {
        file_size = size - 1;
        file = malloc(file_size ? file_size : 1);
        CHECK(file != NULL);
        memcpy(file, data + 1, file_size);
    } else {
        uint8_t *template = malloc(TEMPLATE_SIZE);
        CHECK(template != NULL);
        build_template(template);
        for (size_t i = 1; i + 3 <= size; i += 3)
            template[get(data + i, 2) % PATCHED_BYTES] = data[i + 2];
        file_size = TEMPLATE_SIZE - (size_t)(data[0] - 1) * CUT_STEP;
        file = malloc(file_size);
        CHECK(file != NULL);
        memcpy(file, template, file_size);
        free(template);
    }

    int err = elf_user_parse(file, file_size, &image, &why);
    if (err == 0) {
        check_accepted(file, file_size, &image);
    } else {
        CHECK(err == -ENOEXEC && why != NULL && why[0] != '\0');
        CHECK(elf_user_parse(file, file_size, &image, NULL) == -ENOEXEC);
    }
    free(file);
    return 0;
}
