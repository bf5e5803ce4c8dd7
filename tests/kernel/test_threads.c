/*
 * test_threads.c - in-kernel checks of kernel threads, the scheduler and
 * the locks that sleep (kernel/sched/).
 *
 * The test kernel's runner is the thread "main" (normal priority), so a
 * case can start threads and block in thread_join. Shared state lives in
 * statics, never on the case's stack, and every case joins (or ends) the
 * threads it started before it checks anything: KTEST_CHECK returns at once
 * and must not leave a thread behind that still uses the case's data.
 *
 * What a case may rely on: one CPU, strict priorities (a thread of a better
 * level always runs first, and at once when it becomes ready), a 10 ms slice
 * within a level, and IRQ 0 arriving when a sleeper's deadline is due. No
 * case measures host time: the only timing bound is the scheduler's own
 * promise, thread_sleep_ms(n) waking after n to n + 2 ms of timer time,
 * taken as the median of several trials (a single trial may lose the host
 * CPU to other work, which is no fault of the scheduler's).
 */
#include <arch/x86_64/cpu.h>
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
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

/* Spin with interrupts on until timer_now_ns() reaches `until`. */
static void spin_until(uint64_t until)
{
    while (timer_now_ns() < until)
        cpu_relax();
}

/* Block on a private wait queue until timer_now_ns() + ns: a sleep finer than
 * thread_sleep_ms, ended by IRQ 0. */
static void nap_ns(uint64_t ns)
{
    struct wait_queue nobody = WAIT_QUEUE_INIT("nap");
    uint64_t flags = cpu_save_and_disable_interrupts();
    wait_queue_wait_until(&nobody, timer_now_ns() + ns);
    cpu_restore_interrupts(flags);
}

/* Threads are counted by thread_list(NULL, 0): every one not yet freed. */
static size_t thread_count(void)
{
    return thread_list(NULL, 0);
}

/* --- mutexes: 8 threads x 100,000 increments ------------------------------ */

#define COUNTER_THREADS 8
#define COUNTER_ROUNDS  100000
#define COUNTER_SPREAD  (3 * SCHED_SLICE_NS) /* each adder's work spans >= 3 slices */
#define PACE_EVERY      256                  /* increments between two looks at the clock */
#define RACE_ROUNDS     10000                /* per thread, for the unlocked counters */
#define WINDOW_ROUNDS   1000                 /* per thread, with a long read-write window */
#define WINDOW_NS       (30 * NS_PER_US)     /* 1000 of them: 3 slices */

static struct mutex counter_mutex = MUTEX_INIT("counter");
static volatile uint64_t counter;
static volatile uint64_t last_adder;   /* 1 + index of the thread that added last */
static volatile uint64_t adder_turns;  /* how often the adder differed from the one before */
static volatile uint64_t lock_misuses; /* the mutex was not ours inside the section */

/* Hold back until `i` increments' share of COUNTER_SPREAD has passed since
 * `start`: the work of one thread cannot end inside one slice on a fast
 * host, so the scheduler must preempt adders, mostly while they wait here
 * holding the mutex. */
static void pace(uint64_t start, int i)
{
    if (i % PACE_EVERY == 0)
        spin_until(start + COUNTER_SPREAD / COUNTER_ROUNDS * (uint64_t)i);
}

static void *add_locked(void *arg)
{
    uint64_t me = (uintptr_t)arg;
    uint64_t start = timer_now_ns();
    for (int i = 0; i < COUNTER_ROUNDS; i++) {
        mutex_lock(&counter_mutex);
        if (!mutex_held_by_me(&counter_mutex))
            lock_misuses = lock_misuses + 1;
        /* Read, wait, write: preemption comes mostly in the wait, so
         * only the mutex keeps the other adders from adding meanwhile. */
        uint64_t seen = counter;
        pace(start, i);
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
    uint64_t flags = cpu_save_and_disable_interrupts();
    while (!handoff_flag && !thread_should_stop())
        wait_queue_wait(&handoff_queue);
    cpu_restore_interrupts(flags);
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

/* --- join ---------------------------------------------------------------- */

#define RETURNED_VALUE ((void *)0x1234)
#define EXITED_VALUE   ((void *)0x5678)
#define EARLY_VALUE    ((void *)0x9abc)

static void *return_arg(void *arg)
{
    return arg;
}

/* Two frames below the thread's function, so thread_exit is not simply
 * where the function would have returned to. */
static __attribute__((noinline)) void exit_inner(void *value)
{
    thread_exit(value);
}

static __attribute__((noinline)) void exit_outer(void *value)
{
    exit_inner(value);
    __asm__ volatile(""); /* not a tail call */
}

static void *exit_nested(void *arg)
{
    exit_outer(arg);
    return NULL; /* never: thread_exit does not return */
}

/* fn(arg) in a thread of `priority`, joined: its exit value, or a marker. */
static void *joined_value(thread_fn fn, void *arg, enum thread_priority priority)
{
    void *value = (void *)-1;
    struct thread *t = thread_create("joinee", fn, arg, priority);
    if (!t || thread_join(t, &value) != 0)
        return (void *)-2;
    return value;
}

KTEST(join_returns_the_exit_value)
{
    KTEST_CHECK(joined_value(return_arg, RETURNED_VALUE, PRIORITY_NORMAL) == RETURNED_VALUE);
    KTEST_CHECK(joined_value(exit_nested, EXITED_VALUE, PRIORITY_NORMAL) == EXITED_VALUE);
    /* Interactive: it has exited before thread_create returns. */
    KTEST_CHECK(joined_value(return_arg, EARLY_VALUE, PRIORITY_INTERACTIVE) == EARLY_VALUE);
    struct thread *t = thread_create("joinee", return_arg, NULL, PRIORITY_NORMAL);
    KTEST_CHECK(t != NULL);
    KTEST_CHECK_EQ(thread_join(t, NULL), 0); /* the value may be left unread */
}

static struct semaphore gate;

static void *wait_at_gate(void *unused)
{
    (void)unused;
    semaphore_down(&gate);
    return EXITED_VALUE;
}

static volatile int second_join_result;
static void *volatile second_join_value;

static void *join_arg(void *arg)
{
    void *value = NULL;
    second_join_result = thread_join(arg, &value);
    second_join_value = value;
    return NULL;
}

/* A reaper thread for the detached threads of these cases (the test kernel's
 * "main" runs the cases instead of thread_reap_forever). Started once. */
static void *reap(void *unused)
{
    (void)unused;
    thread_reap_forever();
}

static bool start_reaper(void)
{
    static struct thread *reaper;
    if (!reaper) {
        reaper = thread_create("reaper", reap, NULL, PRIORITY_NORMAL);
        if (reaper)
            thread_protect(reaper);
    }
    return reaper != NULL;
}

KTEST(join_refuses_itself_detached_and_second_joiners)
{
    KTEST_CHECK(start_reaper());
    KTEST_CHECK_EQ(thread_join(thread_current(), NULL), -EINVAL);
    semaphore_init(&gate, "gate", 0);
    struct thread *detached = thread_create("detached", wait_at_gate, NULL, PRIORITY_NORMAL);
    struct thread *waiter = thread_create("waiter", wait_at_gate, NULL, PRIORITY_NORMAL);
    KTEST_CHECK(detached != NULL && waiter != NULL);
    thread_detach(detached);
    int detached_join = thread_join(detached, NULL); /* before it can exit and be freed */
    second_join_result = 1;
    struct thread *joiner = thread_create("joiner", join_arg, waiter, PRIORITY_INTERACTIVE);
    int second_join = thread_join(waiter, NULL); /* the joiner waits in it already */
    semaphore_up(&gate);
    semaphore_up(&gate);
    int joiner_join = joiner ? thread_join(joiner, NULL) : -1;
    KTEST_CHECK_EQ(detached_join, -EINVAL);
    KTEST_CHECK_EQ(second_join, -EINVAL);
    KTEST_CHECK_EQ(joiner_join, 0);
    KTEST_CHECK_EQ(second_join_result, 0);
    KTEST_CHECK(second_join_value == EXITED_VALUE);
}

/* --- 10,000 create/exit/join cycles leak nothing --------------------------- */

#define CYCLES          10000
#define DETACHED_CYCLES 1000
#define REAP_WAIT_MS    2000

struct memory_use {
    uint64_t free_frames;
    size_t heap_used, heap_blocks, heap_mapped;
};

static struct memory_use memory_use(void)
{
    struct frame_stats frames;
    struct kheap_stats heap;
    frame_get_stats(kernel_frames(), &frames);
    kheap_get_stats(&heap);
    return (struct memory_use){frames.free, heap.heap.used_bytes, heap.heap.block_count,
                               heap.mapped_bytes};
}

static bool same_use(struct memory_use a, struct memory_use b)
{
    return a.free_frames == b.free_frames && a.heap_used == b.heap_used &&
           a.heap_blocks == b.heap_blocks && a.heap_mapped == b.heap_mapped;
}

static void report_use(const char *when, struct memory_use use)
{
    kprintf("threads: %s: %llu free frames, heap %zu bytes in %zu blocks, %zu mapped\n", when,
            (unsigned long long)use.free_frames, use.heap_used, use.heap_blocks, use.heap_mapped);
}

/* CYCLES threads, each joined; returns how many went wrong. */
static unsigned joined_cycles(void)
{
    unsigned wrong = 0;
    for (uintptr_t i = 0; i < CYCLES; i++) {
        void *value = NULL;
        struct thread *t = thread_create("cycle", return_arg, (void *)i, PRIORITY_NORMAL);
        wrong += !t || thread_join(t, &value) != 0 || value != (void *)i;
    }
    return wrong;
}

/* DETACHED_CYCLES detached threads: half detached while they run (the
 * reaper frees them), half after they exited (detach frees them). */
static unsigned detached_cycles(void)
{
    unsigned wrong = 0;
    for (unsigned i = 0; i < DETACHED_CYCLES; i++) {
        enum thread_priority p = i % 2 ? PRIORITY_INTERACTIVE : PRIORITY_NORMAL;
        struct thread *t = thread_create("detached", return_arg, NULL, p);
        wrong += !t;
        if (t)
            thread_detach(t);
        thread_yield(); /* the thread and the reaper run */
    }
    return wrong;
}

/* Sleep until only `count` threads are left (the reaper is done). */
static bool wait_for_thread_count(size_t count)
{
    for (int ms = 0; ms < REAP_WAIT_MS && thread_count() != count; ms++)
        thread_sleep_ms(1);
    return thread_count() == count;
}

KTEST(create_exit_join_10000_times_returns_every_frame_and_byte)
{
    KTEST_CHECK(start_reaper());
    KTEST_CHECK(joined_value(return_arg, NULL, PRIORITY_NORMAL) == NULL); /* warm-up */
    size_t threads = thread_count();
    struct memory_use before = memory_use();
    uint64_t start = timer_now_ns();
    unsigned wrong = joined_cycles();
    struct memory_use after_joined = memory_use();
    uint64_t took = timer_now_ns() - start;
    wrong += detached_cycles();
    bool reaped = wait_for_thread_count(threads);
    struct memory_use after_detached = memory_use();
    kprintf("threads: %u create/exit/join cycles in %llu ms\n", CYCLES,
            (unsigned long long)(took / NS_PER_MS));
    if (!same_use(before, after_joined) || !same_use(before, after_detached)) {
        report_use("before", before);
        report_use("after the joined threads", after_joined);
        report_use("after the detached threads", after_detached);
    }
    KTEST_CHECK_EQ(wrong, 0);
    KTEST_CHECK(reaped);
    KTEST_CHECK(same_use(before, after_joined));
    KTEST_CHECK(same_use(before, after_detached));
}

/* --- thread_list while threads come and go --------------------------------- */

#define LIST_CYCLES    3000
#define LIST_MAX       64
#define LIST_PERIOD_NS (20 * NS_PER_US)

static volatile bool lister_stop;
static volatile uint64_t lists_taken;

/* Woken by IRQ 0 every few microseconds, at any point of the creator's
 * work, and lists every thread as `ps` does. */
static void *list_often(void *unused)
{
    (void)unused;
    static struct thread_info infos[LIST_MAX];
    uint64_t seed = 0x2545F4914F6CDD1Dull;
    while (!lister_stop) {
        nap_ns(next_random(&seed) % LIST_PERIOD_NS);
        thread_list(infos, LIST_MAX);
        lists_taken = lists_taken + 1;
    }
    return NULL;
}

KTEST(thread_list_while_threads_come_and_go)
{
    lister_stop = false;
    lists_taken = 0;
    struct thread *lister = thread_create("lister", list_often, NULL, PRIORITY_INTERACTIVE);
    KTEST_CHECK(lister != NULL);
    unsigned wrong = 0;
    for (uintptr_t i = 0; i < LIST_CYCLES; i++) {
        void *value = NULL;
        struct thread *t = thread_create("listed", return_arg, (void *)i, PRIORITY_NORMAL);
        wrong += !t || thread_join(t, &value) != 0 || value != (void *)i;
    }
    lister_stop = true;
    KTEST_CHECK_EQ(thread_join(lister, NULL), 0);
    KTEST_CHECK_EQ(wrong, 0);
    KTEST_CHECK(lists_taken > 0);
}

/* --- sleeping ------------------------------------------------------------- */

#define SLEEP_TRIALS      5
#define SLEEP_MAX_LATE_NS (2 * NS_PER_MS)
#define BUSY_SPINNERS     3
#define CMOS_SLEEP_MS     1500

static const unsigned sleep_cases_ms[] = {0, 1, 2, 3, 5, 10, 20};
#define SLEEP_CASES (sizeof(sleep_cases_ms) / sizeof(sleep_cases_ms[0]))

/* While a sleep is measured, the alarm handler is chained (as the race
 * case below does) to note when IRQ 0 made the sleeper ready. */
static timer_alarm_handler_fn sleep_scheduler_alarm;
static struct thread *volatile measured_sleeper;
static volatile uint64_t sleeper_ready_at; /* 0 until the IRQ that wakes it */

static void note_sleeper_ready(uint64_t now)
{
    sleep_scheduler_alarm(now);
    struct thread *t = measured_sleeper;
    if (t && t->state == THREAD_READY && sleeper_ready_at == 0)
        sleeper_ready_at = now;
}

static volatile bool spinners_stop;
static volatile uint64_t late_alarms; /* the alarm armed beyond the sleeper's deadline */

/* Background: while the measured thread sleeps, the one-shot must be armed
 * for its deadline or earlier; the scheduler's arming is checked here,
 * whatever the host does to the interrupt's delivery. */
static void *spin_checking_the_alarm(void *unused)
{
    (void)unused;
    while (!spinners_stop) {
        uint64_t flags = cpu_save_and_disable_interrupts();
        struct thread *t = measured_sleeper;
        if (t && t->state == THREAD_SLEEPING && timer_alarm_deadline() > t->sleep_node.deadline)
            late_alarms = late_alarms + 1;
        cpu_restore_interrupts(flags);
    }
    return NULL;
}

static void insert_sorted(uint64_t *values, int count, uint64_t value)
{
    int j = count;
    for (; j > 0 && values[j - 1] > value; j--)
        values[j] = values[j - 1];
    values[j] = value;
}

struct sleep_lateness {
    uint64_t total;     /* median: from the deadline to running again */
    uint64_t after_irq; /* median: from the IRQ 0 that made it ready to running */
};

/* thread_sleep_ms(ms) SLEEP_TRIALS times, never early and woken by IRQ 0
 * each time; false (with the failure recorded) if not. */
static bool measure_sleep(unsigned ms, const char *setting, struct sleep_lateness *medians)
{
    uint64_t total[SLEEP_TRIALS], after_irq[SLEEP_TRIALS];
    for (int i = 0; i < SLEEP_TRIALS; i++) {
        sleeper_ready_at = 0;
        uint64_t start = timer_now_ns();
        int result = thread_sleep_ms(ms);
        uint64_t woke = timer_now_ns(), ready = sleeper_ready_at;
        if (result != 0 || woke - start < ms * NS_PER_MS || ready == 0 || ready > woke) {
            ktest_fail(__FILE__, __LINE__, "%s: thread_sleep_ms(%u) returned %d after %llu us%s",
                       setting, ms, result, (unsigned long long)((woke - start) / NS_PER_US),
                       ready ? "" : ", not woken by IRQ 0");
            return false;
        }
        insert_sorted(total, i, woke - start - ms * NS_PER_MS);
        insert_sorted(after_irq, i, woke - ready);
    }
    *medians = (struct sleep_lateness){total[SLEEP_TRIALS / 2], after_irq[SLEEP_TRIALS / 2]};
    return true;
}

/* Every case of sleep_cases_ms; false at the first that fails. */
static bool measure_sleeps(const char *setting, struct sleep_lateness *medians)
{
    uint64_t flags = cpu_save_and_disable_interrupts();
    sleep_scheduler_alarm = timer_alarm_handler();
    timer_set_alarm_handler(note_sleeper_ready);
    measured_sleeper = thread_current();
    cpu_restore_interrupts(flags);
    bool measured = true;
    for (unsigned i = 0; i < SLEEP_CASES && measured; i++)
        measured = measure_sleep(sleep_cases_ms[i], setting, &medians[i]);
    flags = cpu_save_and_disable_interrupts();
    measured_sleeper = NULL;
    timer_set_alarm_handler(sleep_scheduler_alarm);
    cpu_restore_interrupts(flags);
    return measured;
}

/* The first case whose median `part` exceeds 2 ms, or -1. */
static int first_late(const struct sleep_lateness *medians, bool after_irq)
{
    for (unsigned i = 0; i < SLEEP_CASES; i++)
        if ((after_irq ? medians[i].after_irq : medians[i].total) > SLEEP_MAX_LATE_NS)
            return (int)i;
    return -1;
}

static void report_sleeps(const char *setting, const struct sleep_lateness *medians)
{
    kprintf("threads: sleeps, %s: median us late (after IRQ 0):", setting);
    for (unsigned i = 0; i < SLEEP_CASES; i++)
        kprintf(" %u ms %llu (%llu)", sleep_cases_ms[i],
                (unsigned long long)(medians[i].total / NS_PER_US),
                (unsigned long long)(medians[i].after_irq / NS_PER_US));
    kprintf("\n");
}

/* Idle, the whole promise: n to n + 2 ms (median of the trials). With
 * three background spinners the host delivers IRQ 0 to a busy virtual CPU
 * later when it is itself busy (measured under `make test`: up to 20 ms
 * with the alarm armed right, late_alarms 0), which no kernel can help; so
 * there the scheduler's own parts are checked: the alarm armed for the
 * deadline (late_alarms) and the sleeper running within 2 ms of the IRQ
 * that woke it, ahead of the spinners. */
KTEST(sleep_wakes_after_n_to_n_plus_2_ms)
{
    struct sleep_lateness idle[SLEEP_CASES], busy[SLEEP_CASES];
    bool idle_measured = measure_sleeps("idle CPU", idle);
    late_alarms = 0;
    spinners_stop = false;
    struct thread *spinners[BUSY_SPINNERS];
    for (int i = 0; i < BUSY_SPINNERS; i++)
        spinners[i] = thread_create("spinner", spin_checking_the_alarm, NULL, PRIORITY_BACKGROUND);
    bool busy_measured = idle_measured && measure_sleeps("3 background spinners", busy);
    spinners_stop = true;
    unsigned broken = 0;
    for (int i = 0; i < BUSY_SPINNERS; i++)
        broken += !spinners[i] || thread_join(spinners[i], NULL) != 0;
    KTEST_CHECK_EQ(broken, 0);
    KTEST_CHECK(idle_measured && busy_measured);
    report_sleeps("idle CPU", idle);
    report_sleeps("3 background spinners", busy);
    KTEST_CHECK_EQ(first_late(idle, false), -1);
    KTEST_CHECK_EQ(late_alarms, 0);
    KTEST_CHECK_EQ(first_late(busy, true), -1);
}

static void wait_rtc_edge(void)
{
    uint8_t second = rtc_seconds();
    while (rtc_seconds() == second)
        thread_sleep_ms(1);
}

/* Just after a CMOS second begins, 1.5 s of thread_sleep_ms must end in the
 * next CMOS second: within 0.5 s of the CMOS clock's time. */
KTEST(sleep_agrees_with_the_cmos_clock)
{
    wait_rtc_edge();
    uint8_t start = rtc_seconds();
    for (int i = 0; i < CMOS_SLEEP_MS / 100; i++)
        thread_sleep_ms(100);
    uint8_t end = rtc_seconds();
    KTEST_CHECK_EQ((end + 60 - start) % 60, 1);
}

/* --- priorities: a thread woken by IRQ 0 runs before the interrupted one --- */

#define PRIORITY_ROUNDS 100

static struct thread *volatile better_thread;
static volatile bool worse_stop;
static volatile uint64_t worse_steps, worse_saw_better_ready;

/* Background: counts its steps, and whether it ever ran while the better
 * thread was ready (woken but not yet running): that must never happen. */
static void *watch_the_better_one(void *unused)
{
    (void)unused;
    while (!worse_stop) {
        struct thread *better = better_thread;
        if (better && better->state == THREAD_READY)
            worse_saw_better_ready = worse_saw_better_ready + 1;
        worse_steps = worse_steps + 1;
    }
    return NULL;
}

static volatile uint64_t rounds_interrupting_worse;

/* Sleep 1 ms at a time; the background thread runs meanwhile, so it is
 * the one IRQ 0 interrupts when the deadline comes. */
static void *sleep_in_rounds(void *unused)
{
    (void)unused;
    for (int i = 0; i < PRIORITY_ROUNDS; i++) {
        uint64_t steps = worse_steps;
        thread_sleep_ms(1);
        if (worse_steps != steps)
            rounds_interrupting_worse = rounds_interrupting_worse + 1;
    }
    worse_stop = true; /* while this thread is still there to be looked at */
    return NULL;
}

KTEST(thread_woken_by_irq_runs_before_the_interrupted_one)
{
    worse_stop = false;
    worse_steps = worse_saw_better_ready = rounds_interrupting_worse = 0;
    better_thread = NULL;
    struct thread *worse = thread_create("worse", watch_the_better_one, NULL, PRIORITY_BACKGROUND);
    struct thread *better = thread_create("better", sleep_in_rounds, NULL, PRIORITY_NORMAL);
    better_thread = better;
    if (!better)
        worse_stop = true;
    int worse_join = worse ? thread_join(worse, NULL) : -1; /* ends after the better one */
    better_thread = NULL;
    int better_join = better ? thread_join(better, NULL) : -1;
    KTEST_CHECK_EQ(better_join, 0);
    KTEST_CHECK_EQ(worse_join, 0);
    /* Most rounds: the host may take a whole millisecond from the guest. */
    KTEST_CHECK(rounds_interrupting_worse >= PRIORITY_ROUNDS / 2);
    KTEST_CHECK_EQ(worse_saw_better_ready, 0);
}

/* --- 100,000 wake-ups from an interrupt racing the threads going to sleep - */

#define RACE_WAKES    100000
#define RACE_WAITERS  4 /* each IRQ 0 wakes every waiter: 25,000 interrupts */
#define RACE_IRQS     (RACE_WAKES / RACE_WAITERS)
#define RACE_GAP_NS   (50 * NS_PER_US) /* the ticker naps 0 to 50 us */
#define RACE_STALL_MS 1000             /* no progress for this long: a wake-up was lost */

/* Even waiters take semaphore units; odd ones wait on a queue for a
 * counter, with the pattern wait_queue.h documents. IRQ 0 (the scheduler's
 * alarm, chained) gives each one event; the waiters work a random while
 * between two events, so the interrupt finds them working, checking
 * (interrupts off: it waits until they sleep) or asleep. */
struct race_waiter {
    struct thread *thread;
    struct semaphore units;
    struct wait_queue queue;
    volatile uint64_t taken;
    uint64_t found, slept; /* an event was there when it looked, or not */
};

static struct race_waiter racers[RACE_WAITERS];
static timer_alarm_handler_fn scheduler_alarm;
static volatile uint64_t race_events, race_lost;
static uint64_t race_start;

static bool takes_units(const struct race_waiter *w)
{
    return (w - racers) % 2 == 0;
}

/* Asleep with an event it has not taken: a lost wake-up. */
static bool lost_wakeup(const struct race_waiter *w)
{
    const struct wait_queue *wq = takes_units(w) ? &w->units.waiters : &w->queue;
    bool pending = takes_units(w) ? w->units.count > 0 : w->taken < race_events;
    return w->thread && w->thread->state == THREAD_BLOCKED && w->thread->waiting_on == wq &&
           pending;
}

static void count_lost_wakeups(void)
{
    for (int i = 0; i < RACE_WAITERS; i++)
        race_lost = race_lost + lost_wakeup(&racers[i]);
}

/* The alarm handler while the case runs (interrupt context). A waiter
 * found asleep with an event before this interrupt adds one lost an
 * earlier wake-up (the next would hide it); after, it lost this one. */
static void race_alarm(uint64_t now)
{
    scheduler_alarm(now);
    if (race_events >= RACE_IRQS)
        return;
    count_lost_wakeups();
    race_events = race_events + 1;
    for (int i = 0; i < RACE_WAITERS; i++) {
        if (takes_units(&racers[i]))
            semaphore_up(&racers[i].units);
        else
            wait_queue_wake_one(&racers[i].queue);
    }
    count_lost_wakeups();
}

/* Interactive: naps 0 to 50 us at a time, so IRQ 0 keeps coming. */
static void *tick(void *unused)
{
    (void)unused;
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    while (race_events < RACE_IRQS && !thread_should_stop())
        nap_ns(next_random(&seed) % RACE_GAP_NS);
    return NULL;
}

/* Spin a random part of the time the waiters have per interrupt, so that
 * together they keep the CPU about a quarter busy, whatever the
 * interrupts' pace on this host. */
static void work_a_while(uint64_t *seed)
{
    uint64_t events = race_events, now = timer_now_ns();
    uint64_t period = events ? (now - race_start) / events : RACE_GAP_NS;
    spin_until(now + next_random(seed) % (period / RACE_WAITERS / 2 + 1));
}

static void *take_units(void *arg)
{
    struct race_waiter *w = arg;
    uint64_t seed = 0xD1B54A32D192ED03ull + (uintptr_t)arg;
    while (w->taken < RACE_IRQS) {
        uint64_t flags = cpu_save_and_disable_interrupts();
        if (w->units.count)
            w->found++;
        else
            w->slept++;
        cpu_restore_interrupts(flags);
        if (!semaphore_down(&w->units))
            return NULL; /* killed: the case gave up */
        w->taken = w->taken + 1;
        work_a_while(&seed);
    }
    return NULL;
}

static void *take_events(void *arg)
{
    struct race_waiter *w = arg;
    uint64_t seed = 0x8CB92BA72F3D8DD7ull + (uintptr_t)arg;
    while (w->taken < RACE_IRQS && !thread_should_stop()) {
        uint64_t flags = cpu_save_and_disable_interrupts();
        if (w->taken < race_events)
            w->found++;
        else
            w->slept++;
        while (w->taken == race_events && !thread_should_stop())
            wait_queue_wait(&w->queue);
        if (w->taken < race_events)
            w->taken = w->taken + 1;
        cpu_restore_interrupts(flags);
        work_a_while(&seed);
    }
    return NULL;
}

static uint64_t race_progress(void)
{
    uint64_t sum = race_events;
    for (int i = 0; i < RACE_WAITERS; i++)
        sum += racers[i].taken;
    return sum;
}

/* Sleep while the race goes on; false if it stalls for RACE_STALL_MS
 * (nothing but a lost wake-up stops it). */
static bool wait_for_race_end(struct thread *ticker)
{
    uint64_t progress = 0, stalled_since = timer_now_ns();
    for (;;) {
        bool done = ticker->state == THREAD_EXITED;
        for (int i = 0; i < RACE_WAITERS; i++)
            done = done && racers[i].thread->state == THREAD_EXITED;
        if (done)
            return true;
        if (race_progress() != progress) {
            progress = race_progress();
            stalled_since = timer_now_ns();
        } else if (timer_now_ns() - stalled_since > RACE_STALL_MS * NS_PER_MS) {
            return false;
        }
        thread_sleep_ms(10);
    }
}

/* The waiters, then the ticker, with the alarm chained; false if one
 * could not be started. */
static bool start_race(struct thread **ticker)
{
    race_events = race_lost = 0;
    bool started = true;
    for (int i = 0; i < RACE_WAITERS; i++) {
        struct race_waiter *w = &racers[i];
        *w = (struct race_waiter){0};
        semaphore_init(&w->units, "race units", 0);
        wait_queue_init(&w->queue, "race events");
        w->thread =
            thread_create("racer", takes_units(w) ? take_units : take_events, w, PRIORITY_NORMAL);
        started = started && w->thread;
    }
    uint64_t flags = cpu_save_and_disable_interrupts();
    race_start = timer_now_ns();
    scheduler_alarm = timer_alarm_handler();
    timer_set_alarm_handler(race_alarm);
    cpu_restore_interrupts(flags);
    *ticker = thread_create("ticker", tick, NULL, PRIORITY_INTERACTIVE);
    return started && *ticker;
}

/* Give the alarm back; kill what is left if the race did not finish. */
static void end_race(struct thread *ticker, bool finished)
{
    uint64_t flags = cpu_save_and_disable_interrupts();
    timer_set_alarm_handler(scheduler_alarm);
    cpu_restore_interrupts(flags);
    for (int i = 0; i <= RACE_WAITERS; i++) {
        struct thread *t = i < RACE_WAITERS ? racers[i].thread : ticker;
        if (t && !finished)
            thread_kill(t->id);
        if (t)
            thread_join(t, NULL);
        if (i < RACE_WAITERS)
            racers[i].thread = NULL;
    }
}

static void report_race(uint64_t took, uint64_t interrupts)
{
    uint64_t found = 0, slept = 0;
    for (int i = 0; i < RACE_WAITERS; i++) {
        found += racers[i].found;
        slept += racers[i].slept;
    }
    kprintf("threads: %llu wake-ups from %llu IRQ 0s (%llu interrupts) in %llu ms: %llu found "
            "the event, %llu slept\n",
            (unsigned long long)(race_events * RACE_WAITERS), (unsigned long long)race_events,
            (unsigned long long)interrupts, (unsigned long long)(took / NS_PER_MS),
            (unsigned long long)found, (unsigned long long)slept);
}

KTEST(irq_wakeups_racing_sleepers_are_never_lost)
{
    struct thread *ticker = NULL;
    uint64_t start = timer_now_ns(), interrupts = timer_interrupts();
    bool started = start_race(&ticker);
    bool finished = started && wait_for_race_end(ticker);
    end_race(ticker, finished);
    report_race(timer_now_ns() - start, timer_interrupts() - interrupts);
    KTEST_CHECK(started);
    KTEST_CHECK(finished);
    KTEST_CHECK_EQ(race_lost, 0);
    KTEST_CHECK_EQ(race_events, RACE_IRQS);
    for (int i = 0; i < RACE_WAITERS; i++) {
        KTEST_CHECK_EQ(racers[i].taken, RACE_IRQS);
        KTEST_CHECK_EQ(racers[i].units.count, 0);
    }
}

/* --- thread_kill ------------------------------------------------------------ */

#define LONG_SLEEP_MS  5000
#define KILL_WATCH_MS  100
#define LET_RUN_MS     2000 /* at most, for both spinners to have run */
#define NO_SUCH_THREAD 999999

static void *sleep_long(void *unused)
{
    (void)unused;
    return (void *)(intptr_t)thread_sleep_ms(LONG_SLEEP_MS);
}

static void *down_gate(void *unused)
{
    (void)unused;
    return (void *)(uintptr_t)semaphore_down(&gate);
}

static volatile uint64_t checked_spins, blind_spins;

static void *spin_checking(void *unused)
{
    (void)unused;
    while (!thread_should_stop())
        checked_spins = checked_spins + 1;
    return (void *)1;
}

/* Never looks: it ends where it is preempted. */
static void *spin_blind(void *unused)
{
    (void)unused;
    for (;;)
        blind_spins = blind_spins + 1;
    return NULL;
}

/* Kill thread t (which the caller started) and join it: its exit value,
 * or (void *)-1 if the kill or the join failed. */
static void *kill_and_join(struct thread *t)
{
    void *value = (void *)-1;
    if (!t || thread_kill(t->id) != 0 || thread_join(t, &value) != 0)
        return (void *)-1;
    return value;
}

KTEST(kill_wakes_sleepers_and_waiters_to_end)
{
    semaphore_init(&gate, "gate", 0);
    /* Interactive: each is asleep or blocked when thread_create returns. */
    void *slept = kill_and_join(thread_create("sleeper", sleep_long, NULL, PRIORITY_INTERACTIVE));
    void *downed = kill_and_join(thread_create("waiter", down_gate, NULL, PRIORITY_INTERACTIVE));
    KTEST_CHECK_EQ((intptr_t)slept, -EINTR);  /* not 0: it did not sleep its 5 s out */
    KTEST_CHECK_EQ((uintptr_t)downed, false); /* semaphore_down gave up: no unit taken */
    KTEST_CHECK_EQ(gate.count, 0);
}

KTEST(kill_ends_spinning_background_threads)
{
    checked_spins = blind_spins = 0;
    struct thread *checking = thread_create("spin", spin_checking, NULL, PRIORITY_BACKGROUND);
    struct thread *blind = thread_create("spin-blind", spin_blind, NULL, PRIORITY_BACKGROUND);
    /* They run while main sleeps, and are preempted when it wakes. */
    for (int ms = 0; ms < LET_RUN_MS && (checked_spins == 0 || blind_spins == 0); ms++)
        thread_sleep_ms(1);
    bool both_ran = checked_spins > 0 && blind_spins > 0;
    void *checked_value = kill_and_join(checking);
    void *blind_value = kill_and_join(blind);
    KTEST_CHECK(both_ran);
    /* Its own check (1) or a preemption (NULL) may end the checking one. */
    KTEST_CHECK(checked_value == (void *)1 || checked_value == NULL);
    KTEST_CHECK(blind_value == NULL);
}

/* Interactive: wakes after KILL_WATCH_MS, which preempts whatever runs
 * then: a killed spinner ends there at the latest, so a case cannot hang. */
static void *wake_later(void *unused)
{
    (void)unused;
    thread_sleep_ms(KILL_WATCH_MS);
    return NULL;
}

/* Killed before it ever ran, a thread must not start its function: a blind
 * spinner would have no safe point but its next preemption, and nothing
 * else preempts it while main waits in join (wake_later ends that wait). */
KTEST(kill_before_the_first_run_ends_the_thread_at_once)
{
    blind_spins = 0;
    struct thread *waker = thread_create("waker", wake_later, NULL, PRIORITY_INTERACTIVE);
    struct thread *blind = thread_create("spin-blind", spin_blind, NULL, PRIORITY_BACKGROUND);
    int killed = blind ? thread_kill(blind->id) : -1;
    int joined = blind ? thread_join(blind, NULL) : -1;
    uint64_t spins = blind_spins;
    int waker_joined = waker ? thread_join(waker, NULL) : -1;
    KTEST_CHECK_EQ(killed, 0);
    KTEST_CHECK_EQ(joined, 0);
    KTEST_CHECK_EQ(waker_joined, 0);
    KTEST_CHECK_EQ(spins, 0);
}

static struct mutex kill_mutex = MUTEX_INIT("kill-test");
static volatile bool got_mutex;

static void *lock_kill_mutex(void *unused)
{
    (void)unused;
    mutex_lock(&kill_mutex);
    got_mutex = true;
    mutex_unlock(&kill_mutex);
    thread_yield(); /* a safe point: a killed thread ends here */
    return (void *)1;
}

static volatile int killed_join_result;

static void *join_gate_waiter(void *arg)
{
    killed_join_result = thread_join(arg, NULL);
    return NULL;
}

/* A mutex wait is not ended by a kill; a join is (with -EINTR). */
KTEST(kill_spares_mutex_waits_and_ends_joins)
{
    got_mutex = false;
    mutex_lock(&kill_mutex);
    struct thread *locker = thread_create("locker", lock_kill_mutex, NULL, PRIORITY_INTERACTIVE);
    KTEST_CHECK(locker != NULL);
    int killed = thread_kill(locker->id);
    bool still_waiting = locker->state == THREAD_BLOCKED && !got_mutex;
    mutex_unlock(&kill_mutex);
    void *value = (void *)-1;
    int joined = thread_join(locker, &value);
    semaphore_init(&gate, "gate", 0);
    struct thread *waiter = thread_create("gated", wait_at_gate, NULL, PRIORITY_NORMAL);
    killed_join_result = 1;
    struct thread *joiner = thread_create("joiner", join_gate_waiter, waiter, PRIORITY_INTERACTIVE);
    int joiner_killed = joiner ? thread_kill(joiner->id) : -1;
    int joiner_joined = joiner ? thread_join(joiner, NULL) : -1;
    semaphore_up(&gate);
    int waiter_joined = waiter ? thread_join(waiter, NULL) : -1;
    KTEST_CHECK_EQ(killed, 0);
    KTEST_CHECK(still_waiting);
    KTEST_CHECK_EQ(joined, 0);
    KTEST_CHECK(got_mutex);
    KTEST_CHECK(value == NULL); /* ended at the yield, not by returning */
    KTEST_CHECK(kill_mutex.owner == NULL);
    KTEST_CHECK_EQ(joiner_killed, 0);
    KTEST_CHECK_EQ(joiner_joined, 0);
    KTEST_CHECK_EQ(killed_join_result, -EINTR);
    KTEST_CHECK_EQ(waiter_joined, 0);
}

KTEST(kill_refuses_unknown_and_protected_threads)
{
    KTEST_CHECK_EQ(thread_kill(NO_SUCH_THREAD), -ESRCH);
    KTEST_CHECK_EQ(thread_kill(thread_current()->id), -EPERM); /* main */
    KTEST_CHECK_EQ(thread_kill(sched_idle_thread()->id), -EPERM);
    struct thread *t = thread_create("exited", return_arg, NULL, PRIORITY_INTERACTIVE);
    KTEST_CHECK(t != NULL);
    int exited = thread_kill(t->id); /* it ran and exited inside thread_create */
    KTEST_CHECK_EQ(thread_join(t, NULL), 0);
    KTEST_CHECK_EQ(exited, -ESRCH);
    KTEST_CHECK(!thread_should_stop());
}

/* --- should-panic cases ------------------------------------------------------ */

static volatile unsigned recursion_limit = ~0u; /* never reached: the stack ends first */

static unsigned recurse(unsigned depth)
{
    volatile char frame[256];
    frame[0] = (char)depth;
    if (depth == recursion_limit)
        return 0;
    return recurse(depth + 1) + frame[0]; /* not a tail call: the frames pile up */
}

static void *overflow(void *unused)
{
    (void)unused;
    recurse(0);
    return NULL;
}

KTEST_SHOULD_PANIC(thread_stack_overflow_is_caught_and_names_the_thread,
                   "exception #DF Double Fault|kernel stack overflow (stack-hog: guard page")
{
    struct thread *t = thread_create("stack-hog", overflow, NULL, PRIORITY_NORMAL);
    if (t)
        thread_join(t, NULL);
}

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
