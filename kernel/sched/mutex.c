/*
 * mutex.c - blocking mutexes with owners (see mutex.h).
 *
 * Ownership passes directly from the unlocking thread to the first waiter
 * (FIFO), so the mutex is never free while someone waits for it. Owner,
 * held list and waiters are sched_lock's (kernel/sched/sched.h).
 */
#include <arch/x86_64/cpu.h>
#include <kernel/panic.h>
#include <kernel/sched/mutex.h>
#include <kernel/sched/preempt.h>
#include <kernel/sched/sched.h>

void mutex_init(struct mutex *m, const char *name)
{
    m->name = name;
    m->owner = NULL;
    m->next_held = NULL;
    wait_queue_init(&m->waiters, name);
}

static void take(struct mutex *m, struct thread *t)
{
    m->owner = t;
    m->next_held = t->held_mutexes;
    t->held_mutexes = m;
}

static void drop(struct mutex *m, struct thread *t)
{
    for (struct mutex **p = &t->held_mutexes; *p; p = &(*p)->next_held) {
        if (*p == m) {
            *p = m->next_held;
            break;
        }
    }
    m->next_held = NULL;
    m->owner = NULL;
}

void mutex_lock(struct mutex *m)
{
    struct thread *self = thread_current();
    uint64_t flags = spin_lock_irqsave(&sched_lock);
    if (m->owner == self)
        panic("mutex %s: thread %s locks it again while holding it", m->name, self->name);
    if (m->owner == NULL) {
        take(m, self);
    } else {
        while (m->owner != self) /* unlock hands it over before the wake-up */
            wait_queue_wait_uninterruptible(&m->waiters);
    }
    spin_unlock_irqrestore(&sched_lock, flags);
}

bool mutex_trylock(struct mutex *m)
{
    struct thread *self = thread_current();
    uint64_t flags = spin_lock_irqsave(&sched_lock);
    bool got = m->owner == NULL;
    if (got)
        take(m, self);
    spin_unlock_irqrestore(&sched_lock, flags);
    return got;
}

void mutex_unlock(struct mutex *m)
{
    struct thread *self = thread_current();
    uint64_t flags = spin_lock_irqsave(&sched_lock);
    if (m->owner != self)
        panic("mutex %s: thread %s unlocks it, but %s holds it", m->name, self->name,
              m->owner ? m->owner->name : "no thread");
    drop(m, self);
    struct thread *next = m->waiters.first;
    if (next) {
        take(m, next); /* hand-over: nobody can overtake the waiter */
        wait_queue_wake_one_locked(&m->waiters);
    }
    spin_unlock_irqrestore(&sched_lock, flags);
}

bool mutex_held_by_me(const struct mutex *m)
{
    return m->owner == thread_current();
}
