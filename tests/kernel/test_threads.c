/*
 * test_threads.c - in-kernel checks of the threads themselves: join and
 * exit values, 10,000 create/join cycles leaking nothing, listing threads
 * while they come and go, kill, and a thread's stack overflow.
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
#include <tests/kernel/thread_helpers.h>

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
