/*
 * watchdog.c - per-CPU watchdog threads (see watchdog.h).
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/idt.h>
#include <arch/x86_64/lapic.h>
#include <arch/x86_64/percpu.h>
#include <kernel/console.h>
#include <kernel/panic.h>
#include <kernel/sched/thread.h>
#include <kernel/smp.h>
#include <kernel/timer.h>
#include <kernel/watchdog.h>
#include <lib/errno.h>

#define NS_PER_MS 1000000ull

static volatile uint64_t heartbeat_ns[KEEL_MAX_CPUS];
static volatile bool report_due[KEEL_MAX_CPUS]; /* an NMI is on its way to say so */
static volatile bool reported[KEEL_MAX_CPUS];   /* this stall was reported */
static volatile uint64_t reports[KEEL_MAX_CPUS];
static struct thread *watchers[KEEL_MAX_CPUS];
static unsigned watched; /* CPUs in the ring */
static volatile bool running, stopping;

static void heartbeat(void)
{
    unsigned cpu = this_cpu()->id;
    heartbeat_ns[cpu] = timer_now_ns();
    reported[cpu] = false;
}

/* Where the stalled CPU was when the NMI came: its neighbour prints it
 * (an NMI may arrive while that CPU holds the console's lock, so it only
 * records). */
static volatile uint64_t stalled_rip[KEEL_MAX_CPUS], stalled_rbp[KEEL_MAX_CPUS];
static volatile bool stall_caught[KEEL_MAX_CPUS];

bool watchdog_nmi(uint64_t rip, uint64_t rbp)
{
    unsigned cpu = this_cpu()->id;
    if (cpu >= KEEL_MAX_CPUS || !report_due[cpu])
        return false;
    report_due[cpu] = false;
    stalled_rip[cpu] = rip;
    stalled_rbp[cpu] = rbp;
    __atomic_store_n(&stall_caught[cpu], true, __ATOMIC_RELEASE);
    return true;
}

/* The neighbour's report, once the NMI has recorded where the CPU was. Its
 * stack stays as it is while it stalls, so the frames can be walked. */
static void report_stall(unsigned cpu, uint64_t late_ns)
{
    kprintf("watchdog: CPU %u stopped scheduling (no heartbeat for %llu ms)\n", cpu,
            (unsigned long long)(late_ns / NS_PER_MS));
    panic_backtrace(stalled_rip[cpu], stalled_rbp[cpu]);
    __atomic_fetch_add(&reports[cpu], 1, __ATOMIC_RELAXED);
}

/* CPU arg's watchdog: heartbeats to the next CPU in the ring, and the NMI
 * when that CPU has missed them for WATCHDOG_TIMEOUT_MS. */
static void *watch(void *arg)
{
    unsigned me = (unsigned)(uintptr_t)arg;
    while (!stopping) {
        unsigned next = (me + 1) % watched;
        struct cpu_info info;
        smp_cpu_info(next, &info);
        uint64_t sent_at = timer_now_ns();
        lapic_send_ipi(info.apic_id, VECTOR_IPI_WATCHDOG);
        thread_sleep_ms(WATCHDOG_PERIOD_MS);
        /* Measured from this round's IPI, which a working CPU answered long
         * ago: if this CPU was held up itself, its neighbour is not late. */
        uint64_t beat = heartbeat_ns[next];
        uint64_t late = beat < sent_at ? timer_now_ns() - beat : 0;
        if (__atomic_exchange_n(&stall_caught[next], false, __ATOMIC_ACQ_REL))
            report_stall(next, late);
        if (late > WATCHDOG_TIMEOUT_MS * NS_PER_MS && !reported[next] && !stopping) {
            reported[next] = true;
            report_due[next] = true;
            lapic_send_nmi(info.apic_id); /* reported at the next round, below */
        }
    }
    return NULL;
}

int watchdog_start(void)
{
    if (running)
        return -EBUSY;
    unsigned cpus = smp_cpus_online();
    if (cpus < 2)
        return -EINVAL;
    interrupt_install_local(VECTOR_IPI_WATCHDOG, heartbeat);
    watched = cpus;
    stopping = false;
    uint64_t now = timer_now_ns();
    for (unsigned cpu = 0; cpu < cpus; cpu++) {
        heartbeat_ns[cpu] = now;
        reported[cpu] = false;
    }
    for (unsigned cpu = 0; cpu < cpus; cpu++) {
        watchers[cpu] =
            thread_create("watchdog", watch, (void *)(uintptr_t)cpu, PRIORITY_INTERACTIVE);
        if (!watchers[cpu]) {
            stopping = true;
            for (unsigned i = 0; i < cpu; i++)
                thread_join(watchers[i], NULL);
            return -ENOMEM;
        }
        thread_set_affinity(watchers[cpu], (int)cpu);
    }
    running = true;
    return 0;
}

void watchdog_stop(void)
{
    if (!running)
        return;
    stopping = true;
    for (unsigned cpu = 0; cpu < watched; cpu++)
        thread_join(watchers[cpu], NULL);
    running = false;
}

uint64_t watchdog_reports(unsigned cpu)
{
    return cpu < KEEL_MAX_CPUS ? reports[cpu] : 0;
}
