/*
 * elf_user.h - checking a user program's ELF file before it is loaded.
 *
 * A pure function over the whole file in memory (a ramdisk entry), so the
 * host tests and the fuzzer run the same code as the kernel. It accepts
 * only what Keel can run: a static, non-PIE x86-64 executable (ET_EXEC)
 * whose PT_LOAD segments lie in the user half between KEEL_USER_BASE and
 * the stack's gap, never share a page, are writable or executable but not
 * both, and contain the entry point in an executable one. What it returns
 * is all the loader needs: the segments to map (whole pages around each),
 * the bytes to copy into them, the entry point and where the break starts.
 */
#ifndef KEEL_KERNEL_PROC_ELF_USER_H
#define KEEL_KERNEL_PROC_ELF_USER_H

#include <stddef.h>
#include <stdint.h>

#include <keel/syscall.h>

/* Every process's stack: [USER_STACK_BOTTOM, KEEL_USER_STACK_TOP), with
 * USER_STACK_GAP bytes below it that nothing may occupy, so a stack that
 * overflows faults instead of running into the program or its heap. */
#define USER_STACK_SIZE   0x10000ull  /* 64 KiB */
#define USER_STACK_GAP    0x100000ull /* 1 MiB */
#define USER_STACK_BOTTOM (KEEL_USER_STACK_TOP - USER_STACK_SIZE)
/* One past the last byte a program's segments may occupy. */
#define USER_IMAGE_LIMIT (USER_STACK_BOTTOM - USER_STACK_GAP)

#define USER_SEGMENTS_MAX 8
#define USER_SEG_WRITE    0x1u
#define USER_SEG_EXEC     0x2u

struct user_segment {
    uint64_t vaddr, memsz; /* as in the program header; the loader maps whole pages around them */
    uint64_t file_offset, filesz; /* filesz <= memsz; the rest is zero */
    unsigned flags;               /* USER_SEG_*: from p_flags PF_W, PF_X (read is implied) */
};

struct user_image {
    uint64_t entry;
    size_t segment_count;
    struct user_segment segments[USER_SEGMENTS_MAX]; /* in program-header order */
    uint64_t end; /* the first page boundary above every segment: where the program break starts */
};

/* Check the size bytes at file (no alignment needed) and fill *image: 0, or
 * -ENOEXEC with *why (when why is not NULL) naming the first problem found;
 * *image is then meaningless. A PT_LOAD with p_memsz and p_filesz both 0
 * maps nothing and is skipped; a segment with p_filesz 0 reads nothing, so
 * its p_offset only has to agree with its p_vaddr modulo p_align. Program
 * headers other than PT_LOAD, PT_INTERP and PT_DYNAMIC (PT_NOTE,
 * PT_GNU_STACK, ...) are ignored. */
int elf_user_parse(const void *file, size_t size, struct user_image *image, const char **why);

#endif
