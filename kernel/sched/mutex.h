/*
 * mutex.h - a lock that blocks, with an owner.
 *
 * A thread that finds the mutex held sleeps until the owner unlocks it;
 * the unlock hands it straight to the longest waiter, so no waiter can be
 * overtaken forever. Misuse is a broken invariant and panics with the
 * names involved: locking a mutex one holds already, unlocking one held by
 * another thread (or by none), exiting while holding one.
 *
 * Rules: thread context only (mutex_lock may sleep), never in an interrupt
 * handler and never with a spinlock held. A wait for a mutex is not ended
 * by thread_kill; the killed thread ends at its first safe point after.
 */
#ifndef KEEL_KERNEL_SCHED_MUTEX_H
#define KEEL_KERNEL_SCHED_MUTEX_H

#include <kernel/sched/wait_queue.h>
#include <stdbool.h>

struct thread;

struct mutex {
    const char *name;
    struct thread *owner;
    struct mutex *next_held; /* in the owner's list of held mutexes */
    struct wait_queue waiters;
};

#define MUTEX_INIT(label)                                                                          \
    {                                                                                              \
        .name = (label), .owner = 0, .next_held = 0, .waiters = WAIT_QUEUE_INIT(label)             \
    }

void mutex_init(struct mutex *m, const char *name);
void mutex_lock(struct mutex *m);
/* Take the mutex if it is free; false (at once) if it is not. */
bool mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);
bool mutex_held_by_me(const struct mutex *m);

#endif
