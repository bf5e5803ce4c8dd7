/*
 * test_smp.c - in-kernel checks of the application processors: each is
 * online with its own APIC id, GDT, TSS and GS base; a call reaches the CPU
 * it names; a kernel page unmapped on one CPU faults on another that had
 * just read it (the TLB shootdown), and without the shootdown the other
 * CPU would still read it through its stale TLB entry.
 *
 * Cases named smp_* run in the group ktest=smp_*, booted with -smp 8
 * (tests/kernel/run_kernel_tests.py); the whole run on one CPU leaves them
 * out.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/lapic.h>
#include <arch/x86_64/percpu.h>
#include <kernel/ktest.h>
#include <kernel/panic.h>
#include <kernel/proc/process.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <kernel/watchdog.h>
#include <lib/errno.h>
#include <mm/memory.h>
#include <mm/stacks.h>
#include <tests/kernel/thread_helpers.h>

#define TEST_CPUS   8 /* the group boots with -smp 8 */
#define STACK_BYTES 4096
#define MARK        0x5ec0d0c0ffee1234ull

int user_copy_bytes(void *dst, const void *src, size_t n); /* arch/x86_64/usercopy.S */

struct where {
    unsigned cpu;
    uint32_t apic_id;
    uint16_t task_register;
    uint64_t gdt_base;
    uint64_t gs_base;
};

static void record_where(void *arg)
{
    struct where *w = arg;
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) gdtr;
    __asm__ volatile("sgdt %0" : "=m"(gdtr));
    w->cpu = this_cpu()->id;
    w->apic_id = lapic_id();
    w->task_register = read_task_register();
    w->gdt_base = gdtr.base;
    w->gs_base = rdmsr(MSR_GS_BASE);
}

KTEST(smp_every_cpu_online_with_its_own_apic_id_gdt_and_gs)
{
    KTEST_CHECK_EQ(smp_cpus_online(), TEST_CPUS);
    KTEST_CHECK_EQ(smp_cpu_count(), TEST_CPUS);
    struct where seen[TEST_CPUS];
    for (unsigned cpu = 0; cpu < TEST_CPUS; cpu++) {
        struct cpu_info info;
        KTEST_CHECK(smp_cpu_info(cpu, &info));
        KTEST_CHECK_EQ(info.state, CPU_ONLINE);
        KTEST_CHECK_EQ(smp_call_on(cpu, record_where, &seen[cpu]), 0);
        KTEST_CHECK_EQ(seen[cpu].cpu, cpu);
        KTEST_CHECK_EQ(seen[cpu].apic_id, info.apic_id);
        KTEST_CHECK_EQ(seen[cpu].gs_base, (uint64_t)(uintptr_t)cpu_local_of(cpu));
        KTEST_CHECK(seen[cpu].task_register != 0);
        for (unsigned other = 0; other < cpu; other++) {
            KTEST_CHECK(seen[other].apic_id != seen[cpu].apic_id);
            KTEST_CHECK(seen[other].gdt_base != seen[cpu].gdt_base);
        }
    }
}

KTEST(smp_call_to_a_cpu_that_is_not_online_is_refused)
{
    struct where w;
    KTEST_CHECK_EQ(smp_call_on(TEST_CPUS, record_where, &w), -EINVAL);
    KTEST_CHECK_EQ(smp_call_on(KEEL_MAX_CPUS + 5, record_where, &w), -EINVAL);
}

/* A thread pinned to CPU 1 reads a kernel page over and over (through the
 * fault-catching copy) while CPU 0 unmaps it. Alone on its CPU it never
 * switches, so nothing but a shootdown can drop its TLB entry. */
#define READS_BEFORE 200  /* reads CPU 1 makes before the unmap */
#define READS_AFTER  2000 /* reads it makes after the unmap before the verdict */

static const uint64_t *volatile reader_page;
static volatile bool reader_stop;
static volatile uint64_t reads_ok, reads_faulted;

static void *read_forever(void *unused)
{
    (void)unused;
    move_to(1); /* its first reads must fill CPU 1's TLB, not another's */
    while (!reader_stop) {
        uint64_t value;
        if (user_copy_bytes(&value, reader_page, sizeof(value)) != 0)
            reads_faulted = reads_faulted + 1;
        else if (value == MARK || reads_ok >= READS_BEFORE) /* after the unmap: any bytes */
            reads_ok = reads_ok + 1;
    }
    return NULL;
}

struct unmap_outcome {
    bool reader_ran;
    uint64_t ok_after;     /* successful reads after the unmap returned */
    uint64_t faults_after; /* faulting reads after it */
};

static struct unmap_outcome unmap_while_another_cpu_reads(bool with_shootdown)
{
    struct unmap_outcome out = {0};
    const struct kernel_stack *stack;
    if (memory_stack_create("tlb-test", STACK_BYTES, &stack) != 0)
        return out;
    uint64_t *page = (uint64_t *)stack->bottom;
    *page = MARK;
    reader_page = page;
    reader_stop = false;
    reads_ok = reads_faulted = 0;
    struct thread *reader = thread_create("tlb-reader", read_forever, NULL, PRIORITY_NORMAL);
    if (!reader)
        return out;
    thread_set_affinity(reader, 1);
    uint64_t deadline = timer_now_ns() + 5000 * NS_PER_MS;
    while (reads_ok < READS_BEFORE && timer_now_ns() < deadline)
        cpu_relax();
    out.reader_ran = reads_ok >= READS_BEFORE;
    if (!with_shootdown)
        memory_set_shootdown(NULL);
    memory_stack_destroy(stack);
    uint64_t ok_at = reads_ok, faults_at = reads_faulted;
    deadline = timer_now_ns() + 5000 * NS_PER_MS; /* a loaded host may have used up the first */
    while (reads_ok + reads_faulted < ok_at + faults_at + READS_AFTER && timer_now_ns() < deadline)
        cpu_relax();
    out.ok_after = reads_ok - ok_at;
    out.faults_after = reads_faulted - faults_at;
    reader_stop = true;
    thread_join(reader, NULL);
    if (!with_shootdown) {
        smp_restore_shootdown();
        smp_call_on(1, invlpg_page, page); /* CPU 1 forgets the stale entry */
    }
    return out;
}

KTEST(smp_tlb_shootdown_makes_an_unmapped_page_fault_on_another_cpu)
{
    uint64_t shootdowns = smp_shootdowns();
    struct unmap_outcome out = unmap_while_another_cpu_reads(true);
    KTEST_CHECK(out.reader_ran);
    KTEST_CHECK(smp_shootdowns() > shootdowns);
    KTEST_CHECK(out.ok_after <= 1); /* at most the one read under way when the unmap returned */
    KTEST_CHECK(out.faults_after >= READS_AFTER - 1);
}

/* The control: without the shootdown, CPU 1 goes on reading the page (now
 * a free frame) through its stale TLB entry, which is what the case above
 * guards against. (QEMU may drop the entry on its own at some point, so
 * the stale reads need not last: more than the one read under way is
 * proof enough.) */
KTEST(smp_without_the_shootdown_another_cpu_reads_a_stale_entry)
{
    struct unmap_outcome out = unmap_while_another_cpu_reads(false);
    KTEST_CHECK(out.reader_ran);
    if (out.ok_after <= 1)
        ktest_fail(__FILE__, __LINE__, "after the unmap: %llu reads ok, %llu faulted",
                   (unsigned long long)out.ok_after, (unsigned long long)out.faults_after);
}

/* --- shared counters under load ------------------------------------------------ */

#define THREADS_PER_CPU 4
#define COUNTER_THREADS (TEST_CPUS * THREADS_PER_CPU)
#define ADDS_PER_THREAD 1000

static struct mutex counter_mutex = MUTEX_INIT("counter_mutex");
static struct spinlock counter_lock = SPINLOCK_INIT("counter_lock");
static volatile uint64_t under_mutex, under_spinlock;
static volatile uint64_t per_cpu_adds[TEST_CPUS];
static volatile unsigned strays; /* adds made on a CPU other than the thread's own */

/* One of four threads pinned to CPU (arg / THREADS_PER_CPU): each add to
 * the shared counters is a read and a write apart, so any lost exclusion
 * loses adds; the per-CPU counter needs no lock, only interrupts off,
 * since only this CPU's threads touch it. */
static void *add_counters(void *arg)
{
    unsigned cpu = (unsigned)(uintptr_t)arg / THREADS_PER_CPU;
    move_to(cpu);
    for (unsigned i = 0; i < ADDS_PER_THREAD; i++) {
        mutex_lock(&counter_mutex);
        uint64_t m = under_mutex;
        cpu_relax();
        under_mutex = m + 1;
        mutex_unlock(&counter_mutex);

        uint64_t flags = spin_lock_irqsave(&counter_lock);
        uint64_t l = under_spinlock;
        cpu_relax();
        under_spinlock = l + 1;
        spin_unlock_irqrestore(&counter_lock, flags);

        flags = cpu_save_and_disable_interrupts();
        unsigned here = cpu_read_id();
        if (here != cpu)
            strays = strays + 1;
        per_cpu_adds[here] = per_cpu_adds[here] + 1;
        cpu_restore_interrupts(flags);
        if (i % 256 == 0)
            thread_yield(); /* let the CPU's other threads in between */
    }
    return NULL;
}

KTEST(smp_counters_exact_under_mutex_spinlock_and_per_cpu)
{
    static struct thread *threads[COUNTER_THREADS];
    under_mutex = under_spinlock = 0;
    strays = 0;
    for (unsigned cpu = 0; cpu < TEST_CPUS; cpu++)
        per_cpu_adds[cpu] = 0;
    unsigned started = 0;
    for (unsigned i = 0; i < COUNTER_THREADS; i++) {
        threads[i] = thread_create("adder", add_counters, (void *)(uintptr_t)i, PRIORITY_NORMAL);
        if (!threads[i])
            break;
        thread_set_affinity(threads[i], (int)(i / THREADS_PER_CPU));
        started++;
    }
    for (unsigned i = 0; i < started; i++)
        thread_join(threads[i], NULL);
    KTEST_CHECK_EQ(started, COUNTER_THREADS);
    KTEST_CHECK_EQ(under_mutex, (uint64_t)COUNTER_THREADS * ADDS_PER_THREAD);
    KTEST_CHECK_EQ(under_spinlock, (uint64_t)COUNTER_THREADS * ADDS_PER_THREAD);
    KTEST_CHECK_EQ(strays, 0);
    for (unsigned cpu = 0; cpu < TEST_CPUS; cpu++)
        KTEST_CHECK_EQ(per_cpu_adds[cpu], (uint64_t)THREADS_PER_CPU * ADDS_PER_THREAD);
}

/* --- a panic on an application processor --------------------------------------- */

#define SPINNER_CPUS  3 /* CPUs 2, 3, 4 spin while CPU 1 panics */
#define STILL_WAIT_NS 20000000ull

static volatile uint64_t spins[TEST_CPUS];

static void *spin_counting(void *arg)
{
    unsigned cpu = (unsigned)(uintptr_t)arg;
    for (;;)
        spins[cpu] = spins[cpu] + 1;
    return NULL;
}

static void panic_here(void *unused)
{
    (void)unused;
    panic("test panic on an application processor");
}

/* Runs in the panic on CPU 1: one report on the screen, and the spinners
 * stopped (their counts do not move over 20 ms). */
static const char *every_cpu_stopped_one_report(void)
{
    if (ktest_screen_count("KERNEL PANIC") != 1)
        return "exactly one KERNEL PANIC report";
    /* The NMIs take as long as the host needs to deliver them: wait (up to
     * 5 s) for 20 ms in which no spinner moved. */
    uint64_t before[TEST_CPUS];
    uint64_t give_up = timer_now_ns() + 5000 * NS_PER_MS;
    bool moved;
    do {
        for (unsigned cpu = 2; cpu < 2 + SPINNER_CPUS; cpu++)
            before[cpu] = spins[cpu];
        uint64_t until = timer_now_ns() + STILL_WAIT_NS;
        while (timer_now_ns() < until)
            cpu_relax();
        moved = false;
        for (unsigned cpu = 2; cpu < 2 + SPINNER_CPUS; cpu++)
            moved |= spins[cpu] != before[cpu];
    } while (moved && timer_now_ns() < give_up);
    for (unsigned cpu = 2; cpu < 2 + SPINNER_CPUS; cpu++) {
        if (before[cpu] == 0)
            return "a spinner that ran before the panic";
        if (spins[cpu] != before[cpu])
            return "every other CPU halted (a spinner still counts)";
    }
    return NULL;
}

/* CPU 1 panics (through a call) while CPUs 2-4 run spinners and CPU 0
 * waits for the call: the report comes once, names CPU 1, and every other
 * CPU stops. */
KTEST_SHOULD_PANIC(smp_panic_on_an_application_processor_stops_every_cpu,
                   "panic on CPU 1: test panic on an application processor|backtrace")
{
    for (unsigned cpu = 2; cpu < 2 + SPINNER_CPUS; cpu++) {
        struct thread *t =
            thread_create("spinner", spin_counting, (void *)(uintptr_t)cpu, PRIORITY_NORMAL);
        if (t)
            thread_set_affinity(t, (int)cpu);
    }
    uint64_t until = timer_now_ns() + 5000 * NS_PER_MS;
    for (unsigned cpu = 2; cpu < 2 + SPINNER_CPUS; cpu++)
        while (spins[cpu] == 0 && timer_now_ns() < until)
            cpu_relax(); /* the spinners get going */
    ktest_set_panic_check(every_cpu_stopped_one_report);
    smp_call_on(1, panic_here, NULL);
}

/* --- the watchdog ---------------------------------------------------------------- */

#define STALL_MS 3500 /* beyond WATCHDOG_TIMEOUT_MS */

static void *stall_with_interrupts_off(void *unused)
{
    (void)unused;
    move_to(2);
    cpu_disable_interrupts();
    uint64_t until = timer_now_ns() + STALL_MS * NS_PER_MS;
    while (timer_now_ns() < until)
        cpu_relax();
    cpu_enable_interrupts();
    return NULL;
}

/* CPU 2 spins with interrupts off for 3.5 s: its watchdog neighbour
 * reports it once, and no other CPU. */
KTEST(smp_watchdog_reports_a_cpu_that_stopped_scheduling)
{
    uint64_t before[TEST_CPUS];
    for (unsigned cpu = 0; cpu < TEST_CPUS; cpu++)
        before[cpu] = watchdog_reports(cpu);
    KTEST_CHECK_EQ(watchdog_start(), 0);
    KTEST_CHECK_EQ(watchdog_start(), -EBUSY);
    struct thread *t = thread_create("stall", stall_with_interrupts_off, NULL, PRIORITY_NORMAL);
    if (t) {
        thread_set_affinity(t, 2);
        thread_join(t, NULL);
    }
    thread_sleep_ms(2 * WATCHDOG_PERIOD_MS); /* the report comes a round after the NMI */
    watchdog_stop();
    KTEST_CHECK(t != NULL);
    for (unsigned cpu = 0; cpu < TEST_CPUS; cpu++)
        KTEST_CHECK_EQ(watchdog_reports(cpu) - before[cpu], cpu == 2 ? 1u : 0u);
}

/* --- mixed traffic ----------------------------------------------------------------- */

#define TRAFFIC_SECONDS 60
#define TRAFFIC_WORKERS 12

static volatile bool traffic_stop;
static volatile uint64_t threads_done, programs_done, sleeps_done, traffic_errors;
static struct mutex traffic_mutex = MUTEX_INIT("traffic_mutex");
static volatile uint64_t traffic_shared;

static void *short_life(void *arg)
{
    nap_ns((uint64_t)(uintptr_t)arg * NS_PER_US);
    mutex_lock(&traffic_mutex);
    traffic_shared = traffic_shared + 1;
    mutex_unlock(&traffic_mutex);
    return NULL;
}

/* Create, sleep, wake, spawn and exit, in a random mix, until told to stop. */
static void *traffic(void *arg)
{
    uint64_t seed = 0x9E3779B97F4A7C15ull * ((uintptr_t)arg + 1);
    static const char *const argv[] = {"true"};
    while (!traffic_stop) {
        switch (next_random(&seed) % 4) {
        case 0: {
            struct thread *t =
                thread_create("short", short_life, (void *)(uintptr_t)(next_random(&seed) % 2000),
                              PRIORITY_NORMAL);
            if (!t || thread_join(t, NULL) != 0)
                traffic_errors = traffic_errors + 1;
            else
                __atomic_fetch_add(&threads_done, 1, __ATOMIC_RELAXED);
            break;
        }
        case 1: {
            int status = -1;
            int pid = process_spawn(NULL, "true", 1, argv, NULL);
            if (pid < 0 || process_wait(NULL, pid, &status) != pid || status != 0)
                traffic_errors = traffic_errors + 1;
            else
                __atomic_fetch_add(&programs_done, 1, __ATOMIC_RELAXED);
            break;
        }
        case 2:
            thread_sleep_ms(next_random(&seed) % 5);
            __atomic_fetch_add(&sleeps_done, 1, __ATOMIC_RELAXED);
            break;
        default:
            thread_yield();
            break;
        }
    }
    return NULL;
}

/* A minute of threads created and joined, programs spawned and waited for,
 * sleeps and yields, on every CPU, with the watchdog on: no stall, no
 * error, every kind of work done many times, and the threads and frames
 * back where they were. */
KTEST(smp_a_minute_of_mixed_traffic_without_a_stall)
{
    static struct thread *workers[TRAFFIC_WORKERS];
    uint64_t reports = 0;
    for (unsigned cpu = 0; cpu < TEST_CPUS; cpu++)
        reports += watchdog_reports(cpu);
    KTEST_CHECK(start_reaper()); /* the programs' threads are detached */
    size_t threads_before = thread_count();
    struct frame_stats frames_before, frames_after;
    frame_get_stats(kernel_frames(), &frames_before);
    traffic_stop = false;
    threads_done = programs_done = sleeps_done = traffic_errors = 0;
    KTEST_CHECK_EQ(watchdog_start(), 0);
    unsigned started = 0;
    for (unsigned i = 0; i < TRAFFIC_WORKERS; i++) {
        workers[i] = thread_create("traffic", traffic, (void *)(uintptr_t)i, PRIORITY_NORMAL);
        started += workers[i] != NULL;
        if (!workers[i])
            break;
    }
    thread_sleep_ms(TRAFFIC_SECONDS * 1000ull);
    traffic_stop = true;
    for (unsigned i = 0; i < started; i++)
        thread_join(workers[i], NULL);
    watchdog_stop();
    for (unsigned cpu = 0; cpu < TEST_CPUS; cpu++)
        reports -= watchdog_reports(cpu);
    kprintf("traffic: %llu threads, %llu programs, %llu sleeps in %u s\n",
            (unsigned long long)threads_done, (unsigned long long)programs_done,
            (unsigned long long)sleeps_done, TRAFFIC_SECONDS);
    KTEST_CHECK_EQ(started, TRAFFIC_WORKERS);
    KTEST_CHECK_EQ(reports, 0);
    KTEST_CHECK_EQ(traffic_errors, 0);
    KTEST_CHECK(threads_done > 10 && programs_done > 10 &&
                sleeps_done > 10);                       /* thousands on a quiet host */
    uint64_t settle = timer_now_ns() + 2000 * NS_PER_MS; /* the reaper frees the last ones */
    while (thread_count() != threads_before && timer_now_ns() < settle)
        thread_sleep_ms(10);
    KTEST_CHECK_EQ(thread_count(), threads_before);
    frame_get_stats(kernel_frames(), &frames_after);
    KTEST_CHECK_EQ(frames_after.free, frames_before.free);
}
