/*
 * bench_smp.c - what several CPUs give and what crossing between them
 * costs: a parallel speed-up, a wake-up by IPI, a spinlock hand-off.
 *
 * KTEST_BENCH cases, booted by tools/bench_sched.py with -smp 1 or 2;
 * each prints `bench: name: value` lines before its result line. Times
 * are TSC ticks (`_ticks`) with the TSC's rate (`tsc_hz`) beside them,
 * since what a tick is depends on how QEMU runs the CPUs, and only the
 * tool knows that: under -icount shift=0 every CPU's TSC is QEMU's one
 * virtual clock, which advances by one for each instruction that any CPU
 * executes, so a difference between two CPUs' rdtsc is the sum of the
 * instructions both executed meanwhile; under multi-threaded TCG (each
 * CPU a host thread, as fast as the host runs it) a tick is host time.
 *
 * smp_primes: the primes below PRIME_LIMIT, counted by trial division,
 * one worker thread per CPU online, each pinned to its CPU; block k of
 * PRIME_BLOCK numbers goes to worker k % workers, so the workers' shares
 * are disjoint and of about equal cost although larger numbers cost more.
 * The wall time (timer_now_ns, from before the first thread_create to
 * after the last thread_join) at -smp 1 against -smp 2 is the speed-up;
 * the count must be the same in both.
 *
 * smp_ipi_wakeup: thread B, pinned to CPU 1, blocks in semaphore_down;
 * once CPU 1 idles (B blocked, CPU 1 in its idle thread, SETTLE_NS for it
 * to reach hlt), thread A on CPU 0 takes rdtsc and calls semaphore_up,
 * which makes B ready and kicks CPU 1 by IPI; B takes rdtsc as soon as
 * its semaphore_down returns. A takes rdtsc again when semaphore_up
 * returns and halts at once (no spinning, no blocking: under -icount that
 * ends CPU 0's turn within a few instructions, so what follows on the
 * shared clock is CPU 1's). Figures: the whole wake-up (A's first rdtsc
 * to B's), the sender's part (semaphore_up) and the rest (the IPI's
 * arrival on CPU 1 to B running, plus the few instructions that take A
 * to its hlt). B ends A's halt with a kick of its own (sched_nudge), after
 * its rdtsc. Medians of WAKEUPS.
 *
 * smp_lock_handoff: two threads, pinned to CPU 0 and CPU 1, pass a
 * spinlock back and forth, interrupts off. The holder waits until the
 * other CPU has taken its ticket (so every release is to a waiter),
 * takes rdtsc, calls spin_unlock and pauses, then asks for the lock
 * again; the waiter takes rdtsc as soon as its spin_lock returns. Median
 * of HANDOFFS. Under -icount the pause matters: QEMU's TCG makes PAUSE
 * end the running CPU's turn, so the round robin runs the waiter next;
 * without it the releasing CPU would run on (asking for the lock again,
 * spinning) until the round robin's slice ran out.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/irqflags.h>
#include <arch/x86_64/percpu.h>
#include <kernel/console.h>
#include <kernel/ktest.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/semaphore.h>
#include <kernel/sched/thread.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <kernel/timer.h>
#include <tests/kernel/thread_helpers.h>

#define PRIME_LIMIT 10000000u /* the primes below it: 664,579 of them */
#define PRIME_BLOCK 1000u     /* numbers per share handed out round robin */

#define WAKEUPS   1001u   /* odd: the median is one sample */
#define SETTLE_NS 50000ul /* for the idle CPU to reach hlt once its idle thread runs */
#define SENDER    0u      /* the CPUs of the wake-up */
#define RECEIVER  1u

#define HANDOFFS  10001u /* odd: the median is one sample */
#define NO_HOLDER 0xFFFFFFFFu

static void print_figure(const char *name, uint64_t value)
{
    kprintf("bench: %s: %llu\n", name, (unsigned long long)value);
}

/* --- parallel speed-up: counting primes ------------------------------------------ */

struct prime_share {
    unsigned worker, workers;
    unsigned primes;
    unsigned ended_on; /* the CPU it finished on */
};

static struct prime_share shares[KEEL_MAX_CPUS];

static bool is_prime(uint32_t n)
{
    if (n < 2 || n % 2 == 0)
        return n == 2;
    for (uint32_t d = 3; d * d <= n; d += 2)
        if (n % d == 0)
            return false;
    return true;
}

static void *count_share(void *arg)
{
    struct prime_share *share = arg;
    move_to(share->worker);
    unsigned primes = 0;
    uint32_t stride = share->workers * PRIME_BLOCK;
    for (uint32_t base = share->worker * PRIME_BLOCK; base < PRIME_LIMIT; base += stride)
        for (uint32_t n = base; n < base + PRIME_BLOCK && n < PRIME_LIMIT; n++)
            primes += is_prime(n);
    share->primes = primes;
    share->ended_on = running_cpu();
    return NULL;
}

KTEST_BENCH(smp_primes)
{
    unsigned workers = smp_cpus_online();
    struct thread *threads[KEEL_MAX_CPUS];
    uint64_t start = timer_now_ns();
    for (unsigned i = 0; i < workers; i++) {
        shares[i] = (struct prime_share){.worker = i, .workers = workers};
        threads[i] = thread_create("primes", count_share, &shares[i], PRIORITY_NORMAL);
        KTEST_CHECK(threads[i]);
        KTEST_CHECK_EQ(thread_set_affinity(threads[i], (int)i), 0);
    }
    unsigned primes = 0;
    for (unsigned i = 0; i < workers; i++) {
        KTEST_CHECK_EQ(thread_join(threads[i], NULL), 0);
        primes += shares[i].primes;
    }
    uint64_t ns = timer_now_ns() - start;
    for (unsigned i = 0; i < workers; i++)
        KTEST_CHECK_EQ(shares[i].ended_on, i);
    print_figure("primes_cpus", workers);
    print_figure("primes_count", primes);
    print_figure("primes_ns", ns);
}

/* --- a wake-up on another CPU ------------------------------------------------------ */

static struct semaphore wake;
static struct thread *waker, *sleeper;
static volatile bool sleeper_ran; /* B took its rdtsc: A may go on */
static uint64_t woken_at[WAKEUPS], sent_at[WAKEUPS], returned_at[WAKEUPS];

/* B: block, and note when the semaphore let it go. */
static void *sleeper_main(void *unused)
{
    (void)unused;
    move_to(RECEIVER);
    for (unsigned i = 0; i < WAKEUPS; i++) {
        semaphore_down(&wake);
        woken_at[i] = rdtsc();
        __atomic_store_n(&sleeper_ran, true, __ATOMIC_RELEASE);
        uint64_t flags = spin_lock_irqsave(&sched_lock);
        sched_nudge(waker); /* A halts: this kick ends its halt */
        spin_unlock_irqrestore(&sched_lock, flags);
    }
    return NULL;
}

/* Whether B is blocked and CPU 1 runs its idle thread. Read without
 * sched_lock: a poll, each field one aligned load. */
static bool receiver_idles(void)
{
    const struct cpu_local *cpu = cpu_local_of(RECEIVER);
    return __atomic_load_n(&sleeper->state, __ATOMIC_ACQUIRE) == THREAD_BLOCKED &&
           __atomic_load_n(&cpu->current, __ATOMIC_ACQUIRE) == cpu->idle;
}

/* Halt until *flag is set; interrupts off around the test so that the
 * interrupt that sets it cannot fall between the test and the hlt. */
static void halt_until(volatile bool *flag)
{
    uint64_t flags = cpu_save_and_disable_interrupts();
    while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE)) {
        cpu_enable_interrupts_and_halt();
        cpu_disable_interrupts();
    }
    cpu_restore_interrupts(flags);
}

/* A: wake B once CPU 1 is halted, then halt until B has run. */
static void *waker_main(void *unused)
{
    (void)unused;
    move_to(SENDER);
    for (unsigned i = 0; i < WAKEUPS; i++) {
        while (!receiver_idles())
            cpu_relax();
        uint64_t settled = timer_now_ns() + SETTLE_NS;
        while (timer_now_ns() < settled)
            cpu_relax();
        sleeper_ran = false;
        sent_at[i] = rdtsc();
        semaphore_up(&wake);
        returned_at[i] = rdtsc();
        halt_until(&sleeper_ran);
    }
    return NULL;
}

/* The median of end[i] - start[i]; a negative difference (the two CPUs ran
 * at once) counts as 0. */
static uint64_t median_between(const uint64_t *start, const uint64_t *end, uint64_t *scratch)
{
    for (unsigned i = 0; i < WAKEUPS; i++)
        scratch[i] = end[i] > start[i] ? end[i] - start[i] : 0;
    sort_samples(scratch, WAKEUPS);
    return scratch[WAKEUPS / 2];
}

KTEST_BENCH(smp_ipi_wakeup)
{
    static uint64_t scratch[WAKEUPS];
    KTEST_CHECK(smp_cpus_online() > RECEIVER);
    semaphore_init(&wake, "wake", 0);
    sleeper = thread_create("sleeper", sleeper_main, NULL, PRIORITY_NORMAL);
    KTEST_CHECK(sleeper);
    KTEST_CHECK_EQ(thread_set_affinity(sleeper, RECEIVER), 0);
    waker = thread_create("waker", waker_main, NULL, PRIORITY_NORMAL);
    KTEST_CHECK(waker);
    KTEST_CHECK_EQ(thread_set_affinity(waker, SENDER), 0);
    KTEST_CHECK_EQ(thread_join(waker, NULL), 0);
    KTEST_CHECK_EQ(thread_join(sleeper, NULL), 0);
    print_figure("ipi_wakeup_ticks", median_between(sent_at, woken_at, scratch));
    print_figure("ipi_wakeup_sender_ticks", median_between(sent_at, returned_at, scratch));
    print_figure("ipi_wakeup_receiver_ticks", median_between(returned_at, woken_at, scratch));
    print_figure("tsc_hz", timer_tsc_hz());
}

/* --- a contended spinlock changes hands -------------------------------------------- */

static struct spinlock handoff_lock = SPINLOCK_INIT("handoff");
/* Under handoff_lock: */
static uint64_t released_at; /* the last holder's rdtsc before its spin_unlock */
static unsigned last_holder = NO_HOLDER;
static unsigned handoffs;
static uint64_t handoff_ticks[HANDOFFS];

static void *pass_the_lock(void *arg)
{
    unsigned me = (unsigned)(uintptr_t)arg;
    move_to(me);
    uint64_t flags = cpu_save_and_disable_interrupts();
    spin_lock(&handoff_lock);
    for (;;) {
        uint64_t acquired_at = rdtsc();
        if (last_holder != me && last_holder != NO_HOLDER && handoffs < HANDOFFS)
            handoff_ticks[handoffs++] = acquired_at - released_at;
        last_holder = me;
        if (handoffs == HANDOFFS)
            break;
        while (ticket_lock_queued(&handoff_lock.ticket) < 2) /* the other has a ticket */
            cpu_relax();
        released_at = rdtsc();
        spin_unlock(&handoff_lock);
        cpu_relax(); /* under -icount: the waiter's turn (file comment) */
        spin_lock(&handoff_lock);
    }
    spin_unlock(&handoff_lock);
    cpu_restore_interrupts(flags);
    return NULL;
}

KTEST_BENCH(smp_lock_handoff)
{
    KTEST_CHECK(smp_cpus_online() >= 2);
    struct thread *threads[2];
    for (unsigned i = 0; i < 2; i++) {
        threads[i] = thread_create("handoff", pass_the_lock, (void *)(uintptr_t)i, PRIORITY_NORMAL);
        KTEST_CHECK(threads[i]);
        KTEST_CHECK_EQ(thread_set_affinity(threads[i], (int)i), 0);
    }
    for (unsigned i = 0; i < 2; i++)
        KTEST_CHECK_EQ(thread_join(threads[i], NULL), 0);
    sort_samples(handoff_ticks, HANDOFFS);
    print_figure("lock_handoff_ticks", handoff_ticks[HANDOFFS / 2]);
    print_figure("tsc_hz", timer_tsc_hz());
}
