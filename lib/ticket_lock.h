/*
 * ticket_lock.h - a FIFO-fair spin lock: the arithmetic of kernel/spinlock.h.
 *
 * Like the queue at a deli counter: a CPU that wants the lock takes the
 * next ticket (an atomic fetch-and-add on `next`) and waits until `owner`,
 * the ticket being served, reaches its number; releasing the lock serves
 * the next ticket (owner + 1). So waiters get the lock in the order they
 * asked for it, none can overtake another or starve, and the release is a
 * plain store, since only the holder ever writes `owner`. The lock is free
 * exactly when owner == next. 32-bit tickets wrap harmlessly: only the
 * difference next - owner (the holder plus the waiters) matters.
 *
 * Pure code, no interrupts, no CPU numbers: kernel/spinlock.h adds those,
 * and the same header runs under pthreads in tests/host/test_ticket_lock.c.
 * Waiting uses `pause` (Intel SDM vol. 2B, PAUSE: it tells the CPU this is
 * a spin-wait loop, which saves power and avoids the memory-order
 * misspeculation penalty when the lock is released).
 */
#ifndef KEEL_LIB_TICKET_LOCK_H
#define KEEL_LIB_TICKET_LOCK_H

#include <stdbool.h>
#include <stdint.h>

struct ticket_lock {
    uint32_t next;  /* the ticket the next CPU to ask will get */
    uint32_t owner; /* the ticket that holds the lock (or is served next) */
};

#define TICKET_LOCK_INIT                                                                           \
    {                                                                                              \
        .next = 0, .owner = 0                                                                      \
    }

static inline void ticket_lock_init(struct ticket_lock *lock)
{
    __atomic_store_n(&lock->owner, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&lock->next, 0, __ATOMIC_RELEASE);
}

/* What a waiter does between two looks at `owner`. A host test whose
 * threads outnumber the cores defines it to give the core away instead
 * (a ticket lock's next holder may be a thread that is not running). */
#ifndef TICKET_LOCK_WAIT
#define TICKET_LOCK_WAIT() __asm__ volatile("pause" : : : "memory")
#endif

static inline void ticket_pause(void)
{
    TICKET_LOCK_WAIT();
}

/* Take a ticket and wait for its turn; returns the ticket. The acquire
 * load orders everything after it behind the previous holder's release. */
static inline uint32_t ticket_lock_acquire(struct ticket_lock *lock)
{
    uint32_t ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);
    while (__atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE) != ticket)
        ticket_pause();
    return ticket;
}

/* The same, calling poll() (if not NULL) between looks at the lock: the
 * kernel lets a spinning CPU answer requests from other CPUs meanwhile. */
static inline uint32_t ticket_lock_acquire_polling(struct ticket_lock *lock, void (*poll)(void))
{
    uint32_t ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);
    while (__atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE) != ticket) {
        if (poll)
            poll();
        ticket_pause();
    }
    return ticket;
}

/* Take the lock only if it is free right now (no waiting, no ticket kept). */
static inline bool ticket_lock_try(struct ticket_lock *lock)
{
    uint32_t owner = __atomic_load_n(&lock->owner, __ATOMIC_RELAXED);
    uint32_t expected = owner;
    return __atomic_compare_exchange_n(&lock->next, &expected, owner + 1, false, __ATOMIC_ACQUIRE,
                                       __ATOMIC_RELAXED);
}

/* Serve the next ticket. Only the holder calls this. */
static inline void ticket_lock_release(struct ticket_lock *lock)
{
    uint32_t owner = __atomic_load_n(&lock->owner, __ATOMIC_RELAXED);
    __atomic_store_n(&lock->owner, owner + 1, __ATOMIC_RELEASE);
}

static inline bool ticket_lock_is_locked(const struct ticket_lock *lock)
{
    return __atomic_load_n(&lock->owner, __ATOMIC_RELAXED) !=
           __atomic_load_n(&lock->next, __ATOMIC_RELAXED);
}

/* Holder plus waiters: how many tickets are out. */
static inline uint32_t ticket_lock_queued(const struct ticket_lock *lock)
{
    return __atomic_load_n(&lock->next, __ATOMIC_RELAXED) -
           __atomic_load_n(&lock->owner, __ATOMIC_RELAXED);
}

/* Free the lock whoever holds it, skipping every ticket handed out: only
 * for a panic, after the other CPUs have been stopped. */
static inline void ticket_lock_force_release(struct ticket_lock *lock)
{
    __atomic_store_n(&lock->owner, __atomic_load_n(&lock->next, __ATOMIC_RELAXED),
                     __ATOMIC_RELEASE);
}

#endif
