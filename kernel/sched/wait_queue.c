/*
 * wait_queue.c - FIFO queues of blocked threads (see wait_queue.h).
 *
 * A waiter is linked through its struct thread (waiting_on, wait_next), so
 * waiting allocates nothing. A wait with a deadline is also in the
 * scheduler's sleep queue: whichever comes first, the wake-up or the
 * deadline, takes the thread off the other. Every queue is sched_lock's
 * (kernel/sched/sched.h).
 */
#include <arch/x86_64/cpu.h>
#include <kernel/sched/preempt.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/wait_queue.h>
#include <kernel/spinlock.h>
#include <kernel/timer.h>

void wait_queue_init(struct wait_queue *wq, const char *name)
{
    wq->name = name;
    wq->first = wq->last = NULL;
}

bool wait_queue_empty(const struct wait_queue *wq)
{
    return wq->first == NULL;
}

static void append(struct wait_queue *wq, struct thread *t)
{
    t->waiting_on = wq;
    t->wait_next = NULL;
    if (wq->last)
        wq->last->wait_next = t;
    else
        wq->first = t;
    wq->last = t;
}

void wait_queue_forget(struct wait_queue *wq, struct thread *t)
{
    struct thread *prev = NULL;
    for (struct thread *w = wq->first; w; prev = w, w = w->wait_next) {
        if (w != t)
            continue;
        if (prev)
            prev->wait_next = t->wait_next;
        else
            wq->first = t->wait_next;
        if (wq->last == t)
            wq->last = prev;
        break;
    }
    t->waiting_on = NULL;
    t->wait_next = NULL;
}

static void wait(struct wait_queue *wq)
{
    struct thread *self = thread_current();
    append(wq, self);
    sched_block(wq->name);
    if (self->waiting_on) /* woken by a kill, not by wq */
        wait_queue_forget(self->waiting_on, self);
}

void wait_queue_wait(struct wait_queue *wq)
{
    if (!thread_should_stop()) /* killed: the caller sees it and ends */
        wait(wq);
}

void wait_queue_wait_uninterruptible(struct wait_queue *wq)
{
    wait(wq);
}

bool wait_queue_wait_until(struct wait_queue *wq, uint64_t deadline_ns)
{
    struct thread *self = thread_current();
    if (thread_should_stop())
        return true;
    sched_add_deadline(deadline_ns);
    append(wq, self);
    sched_block(wq->name);
    if (self->waiting_on)
        wait_queue_forget(self->waiting_on, self);
    return !self->timed_out;
}

bool wait_queue_wait_dropping(struct wait_queue *wq, struct spinlock *lock, uint64_t deadline_ns)
{
    bool woken = true;
    spin_lock(&sched_lock);
    spin_unlock(lock); /* a waker needs sched_lock to wake, so it waits for this sleep */
    if (deadline_ns == TIMER_NO_ALARM)
        wait_queue_wait(wq);
    else
        woken = wait_queue_wait_until(wq, deadline_ns);
    spin_unlock(&sched_lock);
    spin_lock(lock);
    return woken;
}

static struct thread *take_first(struct wait_queue *wq)
{
    struct thread *t = wq->first;
    if (t)
        wait_queue_forget(wq, t);
    return t;
}

bool wait_queue_wake_one_locked(struct wait_queue *wq)
{
    struct thread *t = take_first(wq);
    if (t)
        sched_wake_locked(t);
    return t != NULL;
}

unsigned wait_queue_wake_all_locked(struct wait_queue *wq)
{
    unsigned woken = 0;
    struct thread *t;
    while ((t = take_first(wq)) != NULL) {
        sched_wake_locked(t);
        woken++;
    }
    return woken;
}

bool wait_queue_wake_one(struct wait_queue *wq)
{
    uint64_t flags = spin_lock_irqsave(&sched_lock);
    bool woken = wait_queue_wake_one_locked(wq);
    spin_unlock_irqrestore(&sched_lock, flags);
    return woken;
}

unsigned wait_queue_wake_all(struct wait_queue *wq)
{
    uint64_t flags = spin_lock_irqsave(&sched_lock);
    unsigned woken = wait_queue_wake_all_locked(wq);
    spin_unlock_irqrestore(&sched_lock, flags);
    return woken;
}
