/*
 * test_sync.c - in-kernel checks of the locks that sleep: mutexes
 * (exact under preemption, misuse panics naming the threads), semaphores
 * (100,000 items in order), and wake-ups switching to a better thread at once.
 *
 * Shared helpers and the rules every case keeps: thread_helpers.h.
 */
#include <tests/kernel/thread_helpers.h>

/* --- mutexes: 8 threads x 100,000 increments ------------------------------ */

#define COUNTER_THREADS 8
#define COUNTER_ROUNDS  100000
#define PACE_EVERY      256               /* increments between two waits in the lock */
#define PACE_NS         (100 * NS_PER_US) /* 391 waits: about 4 slices of each adder's time */
#define RACE_ROUNDS     10000             /* per thread, for the unlocked counters */
#define WINDOW_ROUNDS   1000              /* per thread, with a long read-write window */
#define WINDOW_NS       (30 * NS_PER_US)  /* 1000 of them: 3 slices */

static struct mutex counter_mutex = MUTEX_INIT("counter");
static volatile uint64_t counter;
static volatile uint64_t last_adder;   /* 1 + index of the thread that added last */
static volatile uint64_t adder_turns;  /* how often the adder differed from the one before */
static volatile uint64_t lock_misuses; /* the mutex was not ours inside the section */

/* Every PACE_EVERY increments, wait PACE_NS while holding the mutex: each
 * adder then spends several slices, most of them inside the lock, so the
 * scheduler preempts adders that hold it however fast the host is (a wait
 * paced against the adder's start could be all used up by a slow host,
 * leaving the lock held only for moments). */
static void pace(int i)
{
    if (i % PACE_EVERY == 0)
        spin_until(timer_now_ns() + PACE_NS);
}

static void *add_locked(void *arg)
{
    uint64_t me = (uintptr_t)arg;
    for (int i = 0; i < COUNTER_ROUNDS; i++) {
        mutex_lock(&counter_mutex);
        if (!mutex_held_by_me(&counter_mutex))
            lock_misuses = lock_misuses + 1;
        /* Read, wait, write: preemption comes mostly in the wait, so
         * only the mutex keeps the other adders from adding meanwhile. */
        uint64_t seen = counter;
        pace(i);
        counter = seen + 1;
        if (last_adder != me) {
            adder_turns = adder_turns + 1;
            last_adder = me;
        }
        mutex_unlock(&counter_mutex);
    }
    return NULL;
}

/* Start COUNTER_THREADS threads running fn(index + 1) and join them all;
 * returns how many could not be started or joined. */
static unsigned run_adders(thread_fn fn)
{
    struct thread *adders[COUNTER_THREADS];
    unsigned broken = 0;
    for (uintptr_t i = 0; i < COUNTER_THREADS; i++)
        adders[i] = thread_create("adder", fn, (void *)(i + 1), PRIORITY_NORMAL);
    for (unsigned i = 0; i < COUNTER_THREADS; i++)
        broken += !adders[i] || thread_join(adders[i], NULL) != 0;
    return broken;
}

KTEST(mutex_keeps_8_preempted_adders_exact)
{
    counter = last_adder = adder_turns = lock_misuses = 0;
    uint64_t switches = sched_switches(), start = timer_now_ns();
    unsigned broken = run_adders(add_locked);
    uint64_t took = timer_now_ns() - start;
    switches = sched_switches() - switches;
    kprintf("threads: mutex counter %llu of %u in %llu ms, %llu switches, %llu turns\n",
            (unsigned long long)counter, COUNTER_THREADS * COUNTER_ROUNDS,
            (unsigned long long)(took / NS_PER_MS), (unsigned long long)switches,
            (unsigned long long)adder_turns);
    KTEST_CHECK_EQ(broken, 0);
    KTEST_CHECK_EQ(counter, COUNTER_THREADS * COUNTER_ROUNDS);
    KTEST_CHECK_EQ(lock_misuses, 0);
    KTEST_CHECK(counter_mutex.owner == NULL && wait_queue_empty(&counter_mutex.waiters));
    /* Run one after another, the adders would take exactly 8 turns and
     * the scheduler about 2 switches per thread: preemption makes more. */
    KTEST_CHECK(adder_turns > COUNTER_THREADS);
    KTEST_CHECK(switches > 2 * COUNTER_THREADS + 2);
}

/* Read, let every other adder run (thread_yield goes round the level),
 * write back: each adder overwrites what the others added meanwhile. */
static void *add_unlocked_yielding(void *unused)
{
    (void)unused;
    for (int i = 0; i < RACE_ROUNDS; i++) {
        uint64_t seen = counter;
        thread_yield();
        counter = seen + 1;
    }
    return NULL;
}

/* The same with a long window between read and write, left to preemption. */
static void *add_unlocked_spinning(void *unused)
{
    (void)unused;
    for (int i = 0; i < WINDOW_ROUNDS; i++) {
        uint64_t seen = counter;
        spin_until(timer_now_ns() + WINDOW_NS);
        counter = seen + 1;
    }
    return NULL;
}

KTEST(counter_without_mutex_loses_updates)
{
    counter = 0;
    unsigned broken = run_adders(add_unlocked_yielding);
    uint64_t yielding = counter;
    counter = 0;
    broken += run_adders(add_unlocked_spinning);
    uint64_t spinning = counter;
    kprintf("threads: without the mutex %llu of %u (yield inside), %llu of %u (preemption only)\n",
            (unsigned long long)yielding, COUNTER_THREADS * RACE_ROUNDS,
            (unsigned long long)spinning, COUNTER_THREADS * WINDOW_ROUNDS);
    KTEST_CHECK_EQ(broken, 0);
    /* Deterministic: every yield lets another adder write a stale value.
     * `spinning` is only shown: what it loses depends on where the slices
     * happen to end. */
    KTEST_CHECK(yielding < COUNTER_THREADS * RACE_ROUNDS);
}

/* --- semaphores: 2 producers, 2 consumers, 100,000 items ------------------ */

#define PC_ITEMS        100000
#define PC_PRODUCERS    2
#define PC_CONSUMERS    2
#define PC_PER_PRODUCER (PC_ITEMS / PC_PRODUCERS)
#define PC_PER_CONSUMER (PC_ITEMS / PC_CONSUMERS)
#define PC_SLOTS        16
#define PC_PRODUCER_BIT 32 /* item = producer << 32 | sequence number */

static struct semaphore pc_free, pc_full;
static struct mutex pc_lock = MUTEX_INIT("buffer");
static uint64_t pc_buffer[PC_SLOTS];
static unsigned pc_head, pc_tail;
static uint64_t pc_next[PC_PRODUCERS]; /* the sequence number due next from each */
static uint8_t *pc_seen;               /* PC_ITEMS flags */
static uint64_t pc_out_of_order, pc_duplicates, pc_foreign, pc_killed;

static void *produce(void *arg)
{
    uint64_t producer = (uintptr_t)arg;
    for (uint64_t seq = 0; seq < PC_PER_PRODUCER; seq++) {
        if (!semaphore_down(&pc_free))
            pc_killed++;
        mutex_lock(&pc_lock);
        pc_buffer[pc_head] = producer << PC_PRODUCER_BIT | seq;
        pc_head = (pc_head + 1) % PC_SLOTS;
        mutex_unlock(&pc_lock);
        semaphore_up(&pc_full);
    }
    return NULL;
}

/* Under pc_lock: the buffer is FIFO, so each producer's items must come
 * out in the order it put them in, each exactly once. */
static void account(uint64_t item)
{
    uint64_t producer = item >> PC_PRODUCER_BIT, seq = item & 0xFFFFFFFFu;
    if (producer >= PC_PRODUCERS || seq >= PC_PER_PRODUCER) {
        pc_foreign++;
        return;
    }
    if (seq != pc_next[producer])
        pc_out_of_order++;
    pc_next[producer] = seq + 1;
    uint8_t *seen = &pc_seen[producer * PC_PER_PRODUCER + seq];
    pc_duplicates += *seen;
    *seen = 1;
}

static void *consume(void *unused)
{
    (void)unused;
    for (int n = 0; n < PC_PER_CONSUMER; n++) {
        if (!semaphore_down(&pc_full))
            pc_killed++;
        mutex_lock(&pc_lock);
        account(pc_buffer[pc_tail]);
        pc_tail = (pc_tail + 1) % PC_SLOTS;
        mutex_unlock(&pc_lock);
        semaphore_up(&pc_free);
    }
    return NULL;
}

static uint64_t pc_missing(void)
{
    uint64_t missing = 0;
    for (uint64_t i = 0; i < PC_ITEMS; i++)
        missing += !pc_seen[i];
    return missing;
}

/* One consumer is interactive: each item wakes it ahead of the producers. */
KTEST(semaphores_pass_100000_items_in_order)
{
    pc_seen = kcalloc(PC_ITEMS, 1);
    KTEST_CHECK(pc_seen != NULL);
    semaphore_init(&pc_free, "free slot", PC_SLOTS);
    semaphore_init(&pc_full, "item", 0);
    pc_head = pc_tail = 0;
    pc_out_of_order = pc_duplicates = pc_foreign = pc_killed = 0;
    for (int p = 0; p < PC_PRODUCERS; p++)
        pc_next[p] = 0;
    static const enum thread_priority consumer_priority[PC_CONSUMERS] = {PRIORITY_INTERACTIVE,
                                                                         PRIORITY_NORMAL};
    struct thread *threads[PC_PRODUCERS + PC_CONSUMERS];
    uint64_t start = timer_now_ns();
    for (uintptr_t p = 0; p < PC_PRODUCERS; p++)
        threads[p] = thread_create("producer", produce, (void *)p, PRIORITY_NORMAL);
    for (int c = 0; c < PC_CONSUMERS; c++)
        threads[PC_PRODUCERS + c] = thread_create("consumer", consume, NULL, consumer_priority[c]);
    unsigned broken = 0;
    for (int i = 0; i < PC_PRODUCERS + PC_CONSUMERS; i++)
        broken += !threads[i] || thread_join(threads[i], NULL) != 0;
    kprintf("threads: %u items through a %u-slot buffer in %llu ms\n", PC_ITEMS, PC_SLOTS,
            (unsigned long long)((timer_now_ns() - start) / NS_PER_MS));
    uint64_t missing = pc_missing();
    kfree(pc_seen);
    KTEST_CHECK_EQ(broken, 0);
    KTEST_CHECK_EQ(missing, 0);
    KTEST_CHECK_EQ(pc_duplicates, 0);
    KTEST_CHECK_EQ(pc_out_of_order, 0);
    KTEST_CHECK_EQ(pc_foreign + pc_killed, 0);
    KTEST_CHECK_EQ(pc_next[0], PC_PER_PRODUCER);
    KTEST_CHECK_EQ(pc_next[1], PC_PER_PRODUCER);
    KTEST_CHECK_EQ(pc_free.count, PC_SLOTS);
    KTEST_CHECK_EQ(pc_full.count, 0);
}

/* --- a better thread made ready by a thread runs at once ------------------ */

static struct semaphore handoff_sem;
static struct wait_queue handoff_queue = WAIT_QUEUE_INIT("handoff");
static struct mutex handoff_mutex = MUTEX_INIT("handoff");
static volatile bool handoff_flag; /* the condition for handoff_queue */
static volatile bool woken_ran;

static void *down_and_mark(void *unused)
{
    (void)unused;
    semaphore_down(&handoff_sem);
    woken_ran = true;
    return NULL;
}

static void *wait_and_mark(void *unused)
{
    (void)unused;
    uint64_t flags = spin_lock_irqsave(&sched_lock);
    while (!handoff_flag && !thread_should_stop())
        wait_queue_wait(&handoff_queue);
    spin_unlock_irqrestore(&sched_lock, flags);
    woken_ran = true;
    return NULL;
}

static void *lock_and_mark(void *unused)
{
    (void)unused;
    mutex_lock(&handoff_mutex);
    woken_ran = true;
    mutex_unlock(&handoff_mutex);
    return NULL;
}

/* Start fn as an interactive thread (it runs at once and blocks), let
 * `wake` wake it from this normal thread, and say whether it had run by
 * the time `wake` returned. */
static bool ran_at_once(thread_fn fn, void (*wake)(void))
{
    woken_ran = false;
    struct thread *t = thread_create("woken", fn, NULL, PRIORITY_INTERACTIVE);
    if (!t)
        return false;
    bool blocked = t->state == THREAD_BLOCKED;
    wake();
    bool ran = woken_ran;
    return thread_join(t, NULL) == 0 && blocked && ran;
}

static void up_handoff(void)
{
    semaphore_up(&handoff_sem);
}

static void wake_handoff(void)
{
    handoff_flag = true;
    wait_queue_wake_one(&handoff_queue);
}

static void unlock_handoff(void)
{
    mutex_unlock(&handoff_mutex);
}

KTEST(waking_a_better_thread_switches_at_once)
{
    semaphore_init(&handoff_sem, "handoff", 0);
    handoff_flag = false;
    bool by_semaphore = ran_at_once(down_and_mark, up_handoff);
    bool by_wait_queue = ran_at_once(wait_and_mark, wake_handoff);
    mutex_lock(&handoff_mutex);
    bool by_mutex = ran_at_once(lock_and_mark, unlock_handoff);
    if (mutex_held_by_me(&handoff_mutex))
        mutex_unlock(&handoff_mutex); /* the thread could not be started */
    KTEST_CHECK(by_semaphore);
    KTEST_CHECK(by_wait_queue);
    KTEST_CHECK(by_mutex);
}

static struct semaphore gate;

static struct mutex misused = MUTEX_INIT("misused");

static void *lock_twice(void *unused)
{
    (void)unused;
    mutex_lock(&misused);
    mutex_lock(&misused);
    return NULL;
}

static void *lock_and_wait(void *unused)
{
    (void)unused;
    mutex_lock(&misused);
    semaphore_down(&gate);
    mutex_unlock(&misused);
    return NULL;
}

static void *unlock_foreign(void *unused)
{
    (void)unused;
    mutex_unlock(&misused);
    return NULL;
}

static void *exit_holding(void *unused)
{
    (void)unused;
    mutex_lock(&misused);
    return NULL;
}

/* Run fn in a thread called name and wait for it (the panic comes first). */
static void run_named(const char *name, thread_fn fn)
{
    struct thread *t = thread_create(name, fn, NULL, PRIORITY_NORMAL);
    if (t)
        thread_join(t, NULL);
}

KTEST_SHOULD_PANIC(mutex_locked_twice_panics_naming_both,
                   "mutex misused: thread relocker locks it again while holding it")
{
    run_named("relocker", lock_twice);
}

KTEST_SHOULD_PANIC(mutex_unlocked_by_another_thread_panics_naming_all,
                   "mutex misused: thread intruder unlocks it, but holder holds it")
{
    semaphore_init(&gate, "gate", 0);
    struct thread *holder = thread_create("holder", lock_and_wait, NULL, PRIORITY_INTERACTIVE);
    run_named("intruder", unlock_foreign);
    semaphore_up(&gate);
    if (holder)
        thread_join(holder, NULL);
}

KTEST_SHOULD_PANIC(thread_exiting_with_a_mutex_panics_naming_both,
                   "thread leaver exits holding mutex misused")
{
    run_named("leaver", exit_holding);
}
