/*
 * semaphore.c - counting semaphores (see semaphore.h), on a wait queue;
 * the count is sched_lock's, like the queue.
 */
#include <kernel/sched/sched.h>
#include <kernel/sched/semaphore.h>
#include <kernel/sched/thread.h>

void semaphore_init(struct semaphore *s, const char *name, uint64_t count)
{
    s->count = count;
    wait_queue_init(&s->waiters, name);
}

bool semaphore_down(struct semaphore *s)
{
    uint64_t flags = spin_lock_irqsave(&sched_lock);
    while (s->count == 0 && !thread_should_stop())
        wait_queue_wait(&s->waiters);
    bool got = s->count > 0;
    if (got)
        s->count--;
    spin_unlock_irqrestore(&sched_lock, flags);
    return got;
}

void semaphore_up(struct semaphore *s)
{
    uint64_t flags = spin_lock_irqsave(&sched_lock);
    s->count++;
    wait_queue_wake_one_locked(&s->waiters);
    spin_unlock_irqrestore(&sched_lock, flags);
}
