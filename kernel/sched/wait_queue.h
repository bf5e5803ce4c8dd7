/*
 * wait_queue.h - threads waiting for something to happen.
 *
 * The waiter checks its condition and sleeps holding sched_lock, and the
 * waker changes the condition before it wakes (which takes sched_lock),
 * so a wake-up cannot fall between the check and the sleep, whichever
 * CPUs the two run on:
 *
 *     uint64_t flags = spin_lock_irqsave(&sched_lock);
 *     while (!condition)
 *         wait_queue_wait(&wq);
 *     spin_unlock_irqrestore(&sched_lock, flags);
 *
 * A condition that another spinlock guards (taken before sched_lock in the
 * lock order, kernel/spinlock.h) is checked holding that lock, and
 * wait_queue_wait_dropping lets go of it only once sched_lock is held; its
 * waker changes the condition and wakes holding that lock too.
 *
 * wait_queue_wake_one and wait_queue_wake_all may be called anywhere but
 * with sched_lock held (the _locked forms are for that), interrupt
 * handlers included: they never block. Called with interrupts on, they
 * switch at once to a woken thread that is better than the caller; in a
 * handler the switch waits for the way out of the interrupt. The waits
 * block, so they are for thread context only, holding sched_lock and no
 * other spinlock (wait_queue_wait_dropping: that lock and no other).
 */
#ifndef KEEL_KERNEL_SCHED_WAIT_QUEUE_H
#define KEEL_KERNEL_SCHED_WAIT_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

struct spinlock;
struct thread;

struct wait_queue {
    const char *name; /* what `ps` shows a waiter waiting for */
    struct thread *first, *last;
};

#define WAIT_QUEUE_INIT(label)                                                                     \
    {                                                                                              \
        .name = (label), .first = 0, .last = 0                                                     \
    }

void wait_queue_init(struct wait_queue *wq, const char *name);
/* Block until woken (or killed: then thread_should_stop() is true).
 * sched_lock held; held again on return. */
void wait_queue_wait(struct wait_queue *wq);
/* The same, but a kill does not end it (for waits the caller must finish,
 * such as a mutex being handed over). */
void wait_queue_wait_uninterruptible(struct wait_queue *wq);
/* The same as wait_queue_wait, but also wake at deadline_ns (timer_now_ns scale). Returns
 * false when the deadline, not a wake-up, ended the wait. */
bool wait_queue_wait_until(struct wait_queue *wq, uint64_t deadline_ns);
/* Holding `lock` (not sched_lock) with interrupts off: wait_queue_wait, or
 * wait_queue_wait_until when deadline_ns is not TIMER_NO_ALARM, with lock
 * released while asleep and held again on return. Returns false when the
 * deadline ended the wait. */
bool wait_queue_wait_dropping(struct wait_queue *wq, struct spinlock *lock, uint64_t deadline_ns);
/* Wake the longest waiter; false if there was none. */
bool wait_queue_wake_one(struct wait_queue *wq);
/* Wake every waiter; returns how many. */
unsigned wait_queue_wake_all(struct wait_queue *wq);
/* The same two with sched_lock held. */
bool wait_queue_wake_one_locked(struct wait_queue *wq);
unsigned wait_queue_wake_all_locked(struct wait_queue *wq);
bool wait_queue_empty(const struct wait_queue *wq);

#endif
