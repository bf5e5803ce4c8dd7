/*
 * user_mode.h - ring 3: the syscall MSRs, SMEP and SMAP, entering a
 * program, and the only code that touches user memory.
 *
 * Checking that an address belongs to the program is the caller's job
 * (mm/user_range.h): these functions assume the range lies in the lower
 * half, and catch what may still go wrong there, an unmapped or read-only
 * page, through the exception-fixup table: a page fault on one of their
 * instructions resumes at its fixup, which returns -EFAULT, instead of
 * being a kernel panic. With SMAP on, only these functions open user
 * memory to the kernel (stac ... clac).
 */
#ifndef KEEL_ARCH_X86_64_USER_MODE_H
#define KEEL_ARCH_X86_64_USER_MODE_H

/* struct interrupt_frame.vector of a frame built by syscall_entry. */
#define SYSCALL_FRAME_VECTOR 0x100

#ifndef __ASSEMBLER__
#include <arch/x86_64/idt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Program the syscall MSRs and turn on SMEP and SMAP where the CPU has
 * them. After gdt_init and cpu_local_init. */
void user_mode_init(void);
/* The system-call MSRs (EFER.SCE, STAR, LSTAR, FMASK) on an application
 * processor; its CR4 (SMEP, SMAP) is copied from the boot CPU's. */
void user_mode_init_cpu(void);
bool user_mode_smep(void);
bool user_mode_smap(void);

/* Build at *frame (the top of the current thread's kernel stack) the frame
 * of a program's start: RIP entry, RSP stack, RFLAGS with IF, user
 * selectors, every other register 0; then enter it. Interrupts off. */
__attribute__((noreturn)) void user_enter_at(struct interrupt_frame *frame, uint64_t entry,
                                             uint64_t stack);

/* Copy n bytes between kernel and user memory: 0, or -EFAULT if a page is
 * not mapped (or, to user memory, not writable). Part of the copy may have
 * happened on -EFAULT. */
int user_copy_from(void *dst, const void *user_src, size_t n);
int user_copy_to(void *user_dst, const void *src, size_t n);
/* Copy a NUL-terminated string of at most max bytes (NUL included): its
 * length, -EFAULT, or -ENAMETOOLONG when no NUL comes within max. */
long user_copy_string(char *dst, const char *user_src, size_t max);

/* The system calls' dispatcher (kernel/proc/syscall.c), called by
 * syscall_entry with interrupts off; returns with them off, non-zero when
 * the frame must go back through iretq instead of sysret. */
int syscall_dispatch(struct interrupt_frame *frame);

/* A page fault in ring 0 on one of the copy instructions: move frame->rip
 * to its fixup and return true; false for any other fault. */
bool user_mode_fixup(struct interrupt_frame *frame);
#endif

#endif
