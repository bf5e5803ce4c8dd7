/*
 * percpu.h - what each CPU keeps for itself, reached through the GS base.
 *
 * In ring 0, IA32_GS_BASE points at the running CPU's struct cpu_local and
 * IA32_KERNEL_GS_BASE holds the user's GS base (0: programs do not use
 * it); every entry from ring 3 (syscall, interrupts, exceptions) swaps the
 * two with swapgs, and every return to ring 3 swaps them back. syscall
 * leaves RSP at the user's value, so its entry code parks it in user_rsp
 * and takes kernel_rsp, the running thread's kernel stack top, before it
 * can push anything.
 *
 * The offsets are what arch/x86_64/syscall.S uses; percpu.c checks them.
 */
#ifndef KEEL_ARCH_X86_64_PERCPU_H
#define KEEL_ARCH_X86_64_PERCPU_H

#define KEEL_MAX_CPUS 16 /* CPUs Keel runs on; more are reported and left out */

#define CPU_LOCAL_SELF       0
#define CPU_LOCAL_KERNEL_RSP 8
#define CPU_LOCAL_USER_RSP   16

#ifndef __ASSEMBLER__
#include <stdint.h>

struct cpu_local {
    struct cpu_local *self; /* its own address: %gs:0 gives the struct */
    uint64_t kernel_rsp;    /* top of the running thread's kernel stack */
    uint64_t user_rsp;      /* the user's RSP, between syscall entry and the frame */
    unsigned id;            /* 0 for the boot CPU */
};

extern struct cpu_local cpu_locals[KEEL_MAX_CPUS];

/* Point GS at the boot CPU's struct (before anything can enter from ring 3). */
void cpu_local_init(void);
/* The same on an application processor: GS at cpu_locals[id]. */
void cpu_local_init_ap(unsigned id);
struct cpu_local *cpu_local_of(unsigned id);

static inline struct cpu_local *this_cpu(void)
{
    struct cpu_local *self;
    __asm__ volatile("movq %%gs:0, %0" : "=r"(self));
    return self;
}

/* The running thread's kernel stack, for entries from ring 3: TSS.RSP0 for
 * interrupts and exceptions, kernel_rsp for syscall. */
void cpu_set_kernel_stack(uint64_t top);
#endif

#endif
