/*
 * exec.c - a program's segments and stack in its new address space.
 *
 * kernel/proc/elf_user.c has checked the file (segments in the user range,
 * no overlap at page granularity, no writable code), so this only maps:
 * each segment's pages get fresh zeroed frames with the segment's rights
 * (read always; write and execute as its flags say; never both), and the
 * file's bytes are copied in through the direct map, never through the
 * user mapping. The stack is USER_STACK_SIZE below KEEL_USER_STACK_TOP,
 * read-write and not executable, with USER_STACK_GAP unmapped below it so
 * that runaway recursion faults instead of running into the heap. Its top
 * holds, as the ABI says (keel/syscall.h), argc, argv[], NULL, and above
 * them the strings.
 */
#include <kernel/proc/elf_user.h>
#include <kernel/proc/exec.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/layout.h>
#include <mm/memory.h>

#define PAGE_MASK         (PAGE_SIZE - 1)
#define PROCESS_IMAGE_MAX (16ull << 20) /* bytes of segments a program may have */

int exec_write_user(struct address_space *space, uint64_t dst, const void *src, size_t n)
{
    const uint8_t *from = src;
    while (n > 0) {
        uint64_t phys;
        if (vm_translate(space, dst, &phys, NULL, NULL) != 0)
            return -EFAULT;
        size_t chunk = PAGE_SIZE - (dst & PAGE_MASK);
        if (chunk > n)
            chunk = n;
        memcpy(phys_to_virt(phys), from, chunk);
        dst += chunk;
        from += chunk;
        n -= chunk;
    }
    return 0;
}

static int map_segment(struct process *p, const struct user_segment *seg, const uint8_t *file)
{
    unsigned flags =
        (seg->flags & USER_SEG_WRITE ? MAP_WRITE : 0) | (seg->flags & USER_SEG_EXEC ? MAP_EXEC : 0);
    uint64_t first = seg->vaddr & ~PAGE_MASK;
    uint64_t end = (seg->vaddr + seg->memsz + PAGE_MASK) & ~PAGE_MASK;
    for (uint64_t page = first; page < end; page += PAGE_SIZE) {
        int err = memory_user_map_new(&p->space, page, flags, NULL);
        if (err)
            return err;
        p->pages++;
    }
    return exec_write_user(&p->space, seg->vaddr, file + seg->file_offset, seg->filesz);
}

/* The stack's pages, then argc, argv and the strings at its top. */
static int build_stack(struct process *p, int argc, const char *const *argv, uint64_t *stack)
{
    uint64_t bottom = KEEL_USER_STACK_TOP - USER_STACK_SIZE;
    for (uint64_t page = bottom; page < KEEL_USER_STACK_TOP; page += PAGE_SIZE) {
        int err = memory_user_map_new(&p->space, page, MAP_WRITE, NULL);
        if (err)
            return err;
        p->pages++;
    }
    size_t bytes = 0;
    for (int i = 0; i < argc; i++)
        bytes += strlen(argv[i]) + 1;
    if (argc > KEEL_ARGC_MAX || bytes > KEEL_ARG_MAX)
        return -E2BIG;

    uint64_t strings = KEEL_USER_STACK_TOP - ((bytes + 15) & ~15ull);
    uint64_t vector[KEEL_ARGC_MAX + 2];
    vector[0] = (uint64_t)argc;
    uint64_t at = strings;
    for (int i = 0; i < argc; i++) {
        size_t n = strlen(argv[i]) + 1;
        int err = exec_write_user(&p->space, at, argv[i], n);
        if (err)
            return err;
        vector[1 + i] = at;
        at += n;
    }
    vector[1 + argc] = 0;
    /* argc, argv[], NULL: (argc + 2) words below the strings, RSP 16-byte aligned. */
    size_t words = (size_t)argc + 2;
    uint64_t sp = (strings - words * 8) & ~15ull;
    *stack = sp;
    return exec_write_user(&p->space, sp, vector, words * 8);
}

int exec_load(struct process *p, const void *file, size_t size, int argc, const char *const *argv,
              uint64_t *entry, uint64_t *stack, const char **why)
{
    struct user_image image;
    int err = elf_user_parse(file, size, &image, why);
    if (err)
        return err;
    uint64_t pages = 0;
    for (size_t i = 0; i < image.segment_count; i++)
        pages += (image.segments[i].memsz + 2 * PAGE_SIZE) / PAGE_SIZE;
    if (pages > PROCESS_IMAGE_MAX / PAGE_SIZE) {
        *why = "its segments need more than 16 MiB";
        return -ENOMEM;
    }
    for (size_t i = 0; i < image.segment_count; i++) {
        err = map_segment(p, &image.segments[i], file);
        if (err)
            return err;
    }
    err = build_stack(p, argc, argv, stack);
    if (err)
        return err;
    p->brk_start = p->brk = image.end;
    *entry = image.entry;
    return 0;
}
