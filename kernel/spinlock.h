/*
 * spinlock.h - a lock that also keeps interrupt handlers out.
 *
 * spin_lock_irqsave() disables interrupts before taking the lock and
 * spin_unlock_irqrestore() restores the previous state. So an interrupt
 * handler on this CPU can never find the lock held by the code it
 * interrupted (which would deadlock): while the lock is held, the handler
 * simply waits to be delivered. With one CPU the spinning never happens;
 * the atomic exchange keeps the lock correct when SMP arrives. Holding a
 * spinlock counts in preempt_count: blocking while holding one panics.
 */
#ifndef KEEL_KERNEL_SPINLOCK_H
#define KEEL_KERNEL_SPINLOCK_H

#include <arch/x86_64/irqflags.h>
#include <kernel/sched/preempt.h>
#include <stdbool.h>
#include <stdint.h>

struct spinlock {
    volatile uint32_t locked;
};

#define SPINLOCK_INIT                                                                              \
    {                                                                                              \
        0                                                                                          \
    }

static inline uint64_t spin_lock_irqsave(struct spinlock *lock)
{
    uint64_t flags = cpu_save_and_disable_interrupts();
    preempt_disable();
    while (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE))
        cpu_relax();
    return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *lock, uint64_t flags)
{
    __atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
    preempt_enable();
    cpu_restore_interrupts_and_preempt(flags);
}

static inline bool spin_is_locked(const struct spinlock *lock)
{
    return __atomic_load_n(&lock->locked, __ATOMIC_RELAXED);
}

/* Release a lock whoever holds it: only for the panic path, which runs with
 * interrupts off and never returns to the holder. */
static inline void spin_force_unlock(struct spinlock *lock)
{
    __atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
}

#endif
