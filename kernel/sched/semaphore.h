/*
 * semaphore.h - a counting semaphore.
 *
 * semaphore_down takes one unit, sleeping while there is none; it is for
 * thread context only. semaphore_up adds one and wakes a waiter; it never
 * blocks and may be called from interrupt handlers. A killed thread's
 * semaphore_down returns false without taking a unit.
 */
#ifndef KEEL_KERNEL_SCHED_SEMAPHORE_H
#define KEEL_KERNEL_SCHED_SEMAPHORE_H

#include <kernel/sched/wait_queue.h>
#include <stdbool.h>
#include <stdint.h>

struct semaphore {
    uint64_t count;
    struct wait_queue waiters;
};

void semaphore_init(struct semaphore *s, const char *name, uint64_t count);
/* Take a unit; false only when the caller was killed while it waited. */
bool semaphore_down(struct semaphore *s);
void semaphore_up(struct semaphore *s);

#endif
