/*
 * semaphore.c - counting semaphores (see semaphore.h), on a wait queue.
 */
#include <arch/x86_64/cpu.h>
#include <kernel/sched/preempt.h>
#include <kernel/sched/semaphore.h>
#include <kernel/sched/thread.h>

void semaphore_init(struct semaphore *s, const char *name, uint64_t count)
{
    s->count = count;
    wait_queue_init(&s->waiters, name);
}

bool semaphore_down(struct semaphore *s)
{
    uint64_t flags = cpu_save_and_disable_interrupts();
    while (s->count == 0 && !thread_should_stop())
        wait_queue_wait(&s->waiters);
    bool got = s->count > 0;
    if (got)
        s->count--;
    cpu_restore_interrupts(flags);
    return got;
}

void semaphore_up(struct semaphore *s)
{
    uint64_t flags = cpu_save_and_disable_interrupts();
    s->count++;
    wait_queue_wake_one(&s->waiters);
    cpu_restore_interrupts_and_preempt(flags);
}
