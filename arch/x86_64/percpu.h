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
 * The first three offsets are what arch/x86_64/syscall.S uses; percpu.c
 * checks them. The rest is the scheduler's per-CPU state (kernel/sched/
 * sched.c owns it; every field but those read through cpu_read_* below is
 * changed only under sched_lock).
 *
 * Migration: a thread with interrupts on can move to another CPU between
 * any two instructions, so "this CPU" is only stable with interrupts off
 * or preempt_count raised. The cpu_read_* and cpu_*_preempt_count helpers
 * below are single GS-relative instructions, so they are right even with
 * interrupts on: cpu_read_current() always gives the thread that runs it.
 * this_cpu() followed by a field read is two steps: interrupts off first.
 */
#ifndef KEEL_ARCH_X86_64_PERCPU_H
#define KEEL_ARCH_X86_64_PERCPU_H

#define CPU_LOCAL_SELF       0
#define CPU_LOCAL_KERNEL_RSP 8
#define CPU_LOCAL_USER_RSP   16

#define KEEL_MAX_CPUS 16

#ifndef __ASSEMBLER__
#include <kernel/sched/sleep_queue.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct thread;

struct cpu_local {
    struct cpu_local *self;          /* its own address: %gs:0 gives the struct */
    uint64_t kernel_rsp;             /* top of the running thread's kernel stack */
    uint64_t user_rsp;               /* the user's RSP, between syscall entry and the frame */
    unsigned id;                     /* 0 for the boot CPU, its index in cpu_locals */
    volatile unsigned preempt_count; /* spinlocks held here (kernel/sched/preempt.h) */
    struct thread *current;          /* the thread running here */
    volatile bool need_resched;      /* look at the run queue again at the next chance */
    volatile bool online;            /* in the scheduler: takes threads from the run queue */
    struct thread *idle;             /* runs when nothing else may */
    uint64_t slice_end;              /* when the current thread's time slice ends, in ns */
    uint64_t armed;                  /* the deadline this CPU's one-shot is set for */
    uint64_t switches;               /* thread switches made here */
    uint64_t idle_ns;                /* time in the idle thread, up to its last switch-out */
    struct sleep_queue sleepers;     /* threads that slept here and wait for a deadline */
};

extern struct cpu_local cpu_locals[KEEL_MAX_CPUS];
/* CPUs that run the scheduler (the boot CPU, then each AP in sched_start_ap);
 * changed under sched_lock, with an atomic add for readers without it. */
extern unsigned cpus_online;

/* cpu_locals[id], or NULL for an id beyond KEEL_MAX_CPUS. */
struct cpu_local *cpu_local_of(unsigned id);

/* Point GS at the boot CPU's struct, cpu_locals[0]: the first thing the
 * kernel does, since every spinlock names the CPU that holds it. */
void cpu_local_init(void);
/* The same for an application processor: GS at cpu_locals[id]. Before it
 * takes any lock; its interrupts off. */
void cpu_local_init_ap(unsigned id);

static inline struct cpu_local *this_cpu(void)
{
    struct cpu_local *self;
    __asm__ volatile("movq %%gs:0, %0" : "=r"(self));
    return self;
}

/* The running CPU's id. Stable only with interrupts off or preempt_count
 * raised (the thread might move right after). */
static inline unsigned cpu_read_id(void)
{
    unsigned id;
    __asm__ volatile("movl %%gs:%c1, %0" : "=r"(id) : "i"(offsetof(struct cpu_local, id)));
    return id;
}

/* The thread that runs this instruction, whichever CPU it is on. */
static inline struct thread *cpu_read_current(void)
{
    struct thread *t;
    __asm__ volatile("movq %%gs:%c1, %0" : "=r"(t) : "i"(offsetof(struct cpu_local, current)));
    return t;
}

static inline unsigned cpu_read_preempt_count(void)
{
    unsigned count;
    __asm__ volatile("movl %%gs:%c1, %0"
                     : "=r"(count)
                     : "i"(offsetof(struct cpu_local, preempt_count)));
    return count;
}

/* One instruction each: the increment lands on the CPU the thread is on
 * when it executes, and from then on the thread cannot move. */
static inline void cpu_raise_preempt_count(void)
{
    __asm__ volatile("incl %%gs:%c0" : : "i"(offsetof(struct cpu_local, preempt_count)) : "memory");
}

static inline void cpu_lower_preempt_count(void)
{
    __asm__ volatile("decl %%gs:%c0" : : "i"(offsetof(struct cpu_local, preempt_count)) : "memory");
}

static inline bool cpu_read_need_resched(void)
{
    bool pending;
    __asm__ volatile("movb %%gs:%c1, %0"
                     : "=q"(pending)
                     : "i"(offsetof(struct cpu_local, need_resched)));
    return pending;
}

static inline void cpu_write_need_resched(bool pending)
{
    __asm__ volatile("movb %0, %%gs:%c1"
                     :
                     : "q"(pending), "i"(offsetof(struct cpu_local, need_resched))
                     : "memory");
}

/* The running thread's kernel stack, for entries from ring 3: TSS.RSP0 for
 * interrupts and exceptions, kernel_rsp for syscall. Interrupts off. */
void cpu_set_kernel_stack(uint64_t top);
#endif

#endif
