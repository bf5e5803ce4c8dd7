/*
 * wait_queue.h - threads waiting for something to happen.
 *
 * The waiter checks its condition and sleeps with interrupts off, and the
 * waker changes the condition before it wakes, so a wake-up cannot fall
 * between the check and the sleep (one CPU: interrupts off is the lock):
 *
 *     uint64_t flags = cpu_save_and_disable_interrupts();
 *     while (!condition)
 *         wait_queue_wait(&wq);
 *     cpu_restore_interrupts(flags);
 *
 * wait_queue_wake_one and wait_queue_wake_all may be called anywhere,
 * interrupt handlers included: they never block. Called with interrupts
 * on, they switch at once to a woken thread that is better than the
 * caller; in a handler the switch waits for the way out of the interrupt. The waits block, so they
 * are for thread context only, with interrupts off and no spinlock held.
 */
#ifndef KEEL_KERNEL_SCHED_WAIT_QUEUE_H
#define KEEL_KERNEL_SCHED_WAIT_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

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
 * Interrupts must be off. */
void wait_queue_wait(struct wait_queue *wq);
/* The same, but a kill does not end it (for waits the caller must finish,
 * such as a mutex being handed over). */
void wait_queue_wait_uninterruptible(struct wait_queue *wq);
/* The same as wait_queue_wait, but also wake at deadline_ns (timer_now_ns scale). Returns
 * false when the deadline, not a wake-up, ended the wait. */
bool wait_queue_wait_until(struct wait_queue *wq, uint64_t deadline_ns);
/* Wake the longest waiter; false if there was none. */
bool wait_queue_wake_one(struct wait_queue *wq);
/* Wake every waiter; returns how many. */
unsigned wait_queue_wake_all(struct wait_queue *wq);
bool wait_queue_empty(const struct wait_queue *wq);

#endif
