/*
 * preempt.h - when the scheduler may not switch threads.
 *
 * preempt_count counts the spinlocks the running thread holds (and other
 * sections that must not be left). A thread switch while it is nonzero
 * would leave a lock held by a thread that is not running, so the
 * scheduler panics instead; a switch that became due meanwhile (a wake-up
 * of a higher-priority thread, say) happens when the count drops back to 0
 * with interrupts on: sched_preempt_point().
 */
#ifndef KEEL_KERNEL_SCHED_PREEMPT_H
#define KEEL_KERNEL_SCHED_PREEMPT_H

#include <arch/x86_64/irqflags.h>
#include <stdbool.h>
#include <stdint.h>

extern volatile unsigned preempt_count; /* defined in sched.c */
extern volatile bool need_resched;      /* a better thread is ready, or the slice ended */

static inline void preempt_disable(void)
{
    preempt_count = preempt_count + 1;
    __asm__ volatile("" : : : "memory");
}

/* Switch now if a switch is due; only with interrupts on and nothing held. */
void sched_preempt_point(void);

/* Restore the interrupt flag saved in flags; if that turns interrupts back
 * on and a switch became due meanwhile (the caller woke a better thread),
 * switch now rather than at the next interrupt. */
static inline void cpu_restore_interrupts_and_preempt(uint64_t flags)
{
    cpu_restore_interrupts(flags);
    if (need_resched && (flags & RFLAGS_IF))
        sched_preempt_point();
}

static inline void preempt_enable(void)
{
    __asm__ volatile("" : : : "memory");
    preempt_count = preempt_count - 1;
}

#endif
