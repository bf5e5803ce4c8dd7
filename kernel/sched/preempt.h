/*
 * preempt.h - when the scheduler may not switch threads.
 *
 * preempt_count() counts the spinlocks held on the running CPU (and other
 * sections that must not be left); each CPU has its own, in its struct
 * cpu_local (arch/x86_64/percpu.h). A thread switch while it is nonzero
 * would leave a lock held by a thread that is not running, so the
 * scheduler panics instead (schedule() itself runs holding sched_lock, and
 * only that one). need_resched() says this CPU should look at the run
 * queue again: a better thread became ready, the time slice ended, or
 * another CPU kicked this one. The switch that follows happens when the
 * count drops back to 0 with interrupts on (sched_preempt_point()) or on
 * the way out of an interrupt.
 */
#ifndef KEEL_KERNEL_SCHED_PREEMPT_H
#define KEEL_KERNEL_SCHED_PREEMPT_H

#include <arch/x86_64/irqflags.h>
#include <arch/x86_64/percpu.h>
#include <stdbool.h>
#include <stdint.h>

/* The running CPU's count. */
static inline unsigned preempt_count(void)
{
    return cpu_read_preempt_count();
}

static inline void preempt_disable(void)
{
    cpu_raise_preempt_count();
}

static inline void preempt_enable(void)
{
    cpu_lower_preempt_count();
}

/* This CPU should reconsider which thread it runs. */
static inline bool need_resched(void)
{
    return cpu_read_need_resched();
}

static inline void set_need_resched(void)
{
    cpu_write_need_resched(true);
}

static inline void clear_need_resched(void)
{
    cpu_write_need_resched(false);
}

/* Switch now if a switch is due; only with interrupts on and nothing held. */
void sched_preempt_point(void);

/* Restore the interrupt flag saved in flags; if that turns interrupts back
 * on and a switch became due meanwhile (the caller woke a better thread),
 * switch now rather than at the next interrupt. */
static inline void cpu_restore_interrupts_and_preempt(uint64_t flags)
{
    cpu_restore_interrupts(flags);
    if ((flags & RFLAGS_IF) && need_resched())
        sched_preempt_point();
}

#endif
