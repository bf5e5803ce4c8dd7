/*
 * thread_helpers.h - what the in-kernel thread tests share (test_threads.c,
 * test_sync.c, test_sched.c): repeatable random numbers, spinning and
 * napping for a given time, counting threads.
 *
 * The test kernel's runner is the thread "main" (normal priority), so a
 * case can start threads and block in thread_join. Shared state lives in
 * statics, never on the case's stack, and every case joins (or ends) the
 * threads it started before it checks anything: KTEST_CHECK returns at once
 * and must not leave a thread behind that still uses the case's data.
 */
#ifndef KEEL_TESTS_KERNEL_THREAD_HELPERS_H
#define KEEL_TESTS_KERNEL_THREAD_HELPERS_H

#include <arch/x86_64/cpu.h>
#include <arch/x86_64/percpu.h>
#include <drivers/rtc/rtc.h>
#include <kernel/console.h>
#include <kernel/ktest.h>
#include <kernel/sched/mutex.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/semaphore.h>
#include <kernel/sched/thread.h>
#include <kernel/sched/wait_queue.h>
#include <kernel/timer.h>
#include <lib/errno.h>
#include <mm/frames.h>
#include <mm/kheap.h>
#include <mm/memory.h>

#define NS_PER_MS 1000000ull
#define NS_PER_US 1000ull

/* A small xorshift generator: varied but repeatable delays. */
static inline uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

/* Spin with interrupts on until timer_now_ns() reaches `until`. */
static inline void spin_until(uint64_t until)
{
    while (timer_now_ns() < until)
        cpu_relax();
}

/* Block on a private wait queue until timer_now_ns() + ns: a sleep finer than
 * thread_sleep_ms, ended by IRQ 0. */
static inline void nap_ns(uint64_t ns)
{
    struct wait_queue nobody = WAIT_QUEUE_INIT("nap");
    uint64_t flags = spin_lock_irqsave(&sched_lock);
    wait_queue_wait_until(&nobody, timer_now_ns() + ns);
    spin_unlock_irqrestore(&sched_lock, flags);
}

/* The CPU this runs on, read with interrupts off (stable while read). */
static inline unsigned running_cpu(void)
{
    uint64_t flags = cpu_save_and_disable_interrupts();
    unsigned id = cpu_read_id();
    cpu_restore_interrupts(flags);
    return id;
}

/* A thread pinned after it was created may start elsewhere and moves at
 * its next switch: yield until it runs where it was pinned. */
static inline void move_to(unsigned cpu)
{
    while (running_cpu() != cpu)
        thread_yield();
}

/* Sort count values in place, smallest first (insertion sort: the
 * benchmarks' few thousand samples). */
static inline void sort_samples(uint64_t *values, unsigned count)
{
    for (unsigned i = 1; i < count; i++) {
        uint64_t value = values[i];
        unsigned j = i;
        for (; j > 0 && values[j - 1] > value; j--)
            values[j] = values[j - 1];
        values[j] = value;
    }
}

/* Threads are counted by thread_list(NULL, 0): every one not yet freed. */
static inline size_t thread_count(void)
{
    return thread_list(NULL, 0);
}

/* A reaper thread for detached threads (the test kernel's "main" runs the
 * cases instead of thread_reap_forever): one per file that calls this,
 * started at its first call. false if it could not be started. */
static inline void *reaper_main(void *unused)
{
    (void)unused;
    thread_reap_forever();
}

static inline bool start_reaper(void)
{
    static struct thread *reaper;
    if (!reaper) {
        reaper = thread_create("reaper", reaper_main, NULL, PRIORITY_NORMAL);
        if (reaper)
            thread_protect(reaper);
    }
    return reaper != NULL;
}

#endif
