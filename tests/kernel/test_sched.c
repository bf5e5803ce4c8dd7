/*
 * test_sched.c - in-kernel checks of the scheduler's timing and
 * priorities: sleep accuracy (timer and CMOS clock), a thread woken by an
 * interrupt running before the interrupted one, and 100,000 interrupt
 * wake-ups racing threads that go to sleep.
 *
 * Shared helpers and the rules every case keeps: thread_helpers.h.
 */
#include <tests/kernel/thread_helpers.h>

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
        uint64_t flags = spin_lock_irqsave(&sched_lock);
        struct thread *t = measured_sleeper;
        if (t && t->state == THREAD_SLEEPING && timer_alarm_deadline() > t->sleep_node.deadline)
            late_alarms = late_alarms + 1;
        spin_unlock_irqrestore(&sched_lock, flags);
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
 * (holding sched_lock, interrupts off: it waits until they sleep) or
 * asleep. */
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
        uint64_t flags = spin_lock_irqsave(&sched_lock);
        if (w->units.count)
            w->found++;
        else
            w->slept++;
        spin_unlock_irqrestore(&sched_lock, flags);
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
        uint64_t flags = spin_lock_irqsave(&sched_lock);
        if (w->taken < race_events)
            w->found++;
        else
            w->slept++;
        while (w->taken == race_events && !thread_should_stop())
            wait_queue_wait(&w->queue);
        if (w->taken < race_events)
            w->taken = w->taken + 1;
        spin_unlock_irqrestore(&sched_lock, flags);
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
