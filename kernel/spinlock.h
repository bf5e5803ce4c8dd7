/*
 * spinlock.h - a FIFO-fair ticket lock that also keeps interrupt handlers out.
 *
 * The lock itself is lib/ticket_lock.h: CPUs get it in the order they asked.
 * spin_lock_irqsave() disables interrupts before taking it and
 * spin_unlock_irqrestore() restores the previous state. So an interrupt
 * handler on this CPU can never find the lock held by the code it
 * interrupted (which would deadlock): while the lock is held, the handler
 * simply waits to be delivered, while other CPUs spin. spin_lock() and
 * spin_unlock() are for code that has interrupts off already (interrupt
 * handlers, the scheduler).
 *
 * Holding a spinlock counts in the CPU's preempt_count: blocking while
 * holding one panics. The lock records the CPU that holds it, so taking
 * it again on that CPU panics ("spinlock X taken twice on CPU n") instead
 * of spinning forever.
 *
 * Lock order: a CPU that holds one of these locks takes only locks further
 * down the list, never one above it (a panic breaks what it needs):
 *
 *   input_lock          kernel/input.c: the decoders and the reading side of the rings
 *   keyboard_lock,      drivers/ps2/keyboard.c, drivers/serial/receive.c: each ring's
 *   serial_receive_lock   writing side and its hold (their Ctrl+C filter kills a process)
 *   process_lock        kernel/proc/process.c: the process table
 *   heap_lock           mm/kheap.c
 *   memory_lock         mm/memory.c: frames, page tables, the stack slots (heap growth)
 *   console_lock        kernel/console.c: both screens and COM1
 *   sched_lock          kernel/sched/sched.c: run queue, sleep queues, thread states and
 *                       list, wait queues, mutex and semaphore internals
 *   timer_lock          kernel/timer.c: the one-shot and sleep_ms's deadline
 *   pic_lock, cmos_lock arch/x86_64/pic.c, drivers/rtc/rtc.c: a device's register pairs
 *
 * Mutexes (kernel/sched/mutex.h) sleep, so they come before every spinlock.
 */
#ifndef KEEL_KERNEL_SPINLOCK_H
#define KEEL_KERNEL_SPINLOCK_H

#include <arch/x86_64/irqflags.h>
#include <arch/x86_64/percpu.h>
#include <kernel/panic.h>
#include <kernel/sched/preempt.h>
#include <lib/ticket_lock.h>
#include <stdbool.h>
#include <stdint.h>

#define SPIN_NO_HOLDER (-1)

struct spinlock {
    struct ticket_lock ticket;
    volatile int holder; /* the CPU that holds it, or SPIN_NO_HOLDER */
    const char *name;    /* for the panic of a lock taken twice */
};

#define SPINLOCK_INIT(label)                                                                       \
    {                                                                                              \
        .ticket = TICKET_LOCK_INIT, .holder = SPIN_NO_HOLDER, .name = (label)                      \
    }

static inline void spin_init(struct spinlock *lock, const char *name)
{
    ticket_lock_init(&lock->ticket);
    lock->holder = SPIN_NO_HOLDER;
    lock->name = name;
}

/* Only this CPU can have written its own id into holder, and only while it
 * holds the lock: no race in the check. */
static inline bool spin_held_here(const struct spinlock *lock)
{
    return lock->holder == (int)cpu_read_id();
}

/* Called while a CPU waits for a lock (NULL: nothing): kernel/smp.c runs
 * what other CPUs asked of this one (a TLB shootdown, say), so a CPU that
 * holds a lock and waits for this one's answer cannot deadlock with it. */
extern void (*spin_wait_poll)(void);

/* Take the lock; interrupts must be off already. */
static inline void spin_lock(struct spinlock *lock)
{
    preempt_disable();
    if (spin_held_here(lock))
        panic("spinlock %s taken twice on CPU %u", lock->name, cpu_read_id());
    ticket_lock_acquire_polling(&lock->ticket, spin_wait_poll);
    lock->holder = (int)cpu_read_id();
}

/* Take the lock if it is free now; interrupts must be off already. */
static inline bool spin_try_lock(struct spinlock *lock)
{
    preempt_disable();
    if (!ticket_lock_try(&lock->ticket)) {
        preempt_enable();
        return false;
    }
    lock->holder = (int)cpu_read_id();
    return true;
}

static inline void spin_unlock(struct spinlock *lock)
{
    lock->holder = SPIN_NO_HOLDER;
    ticket_lock_release(&lock->ticket);
    preempt_enable();
}

static inline uint64_t spin_lock_irqsave(struct spinlock *lock)
{
    uint64_t flags = cpu_save_and_disable_interrupts();
    spin_lock(lock);
    return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *lock, uint64_t flags)
{
    spin_unlock(lock);
    cpu_restore_interrupts_and_preempt(flags);
}

static inline bool spin_is_locked(const struct spinlock *lock)
{
    return ticket_lock_is_locked(&lock->ticket);
}

/* Release a lock whoever holds it: only for the panic path, which runs with
 * interrupts off, has stopped the other CPUs and never returns to the
 * holder. */
static inline void spin_force_unlock(struct spinlock *lock)
{
    lock->holder = SPIN_NO_HOLDER;
    ticket_lock_force_release(&lock->ticket);
}

#endif
