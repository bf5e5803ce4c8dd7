/*
 * test_sched_cpus.c - in-kernel checks of what the scheduler gives several CPUs,
 * as far as one CPU can show it: per-CPU state through GS, affinity (to
 * CPU 0 honoured, to a CPU that is not online refused), the per-CPU
 * statistics, the kick hook never aimed at the calling CPU, a kick's
 * need_resched taken at the next preemption point, and the spinlock's own
 * panics: taken twice on one CPU, held across a switch.
 *
 * Shared helpers and the rules every case keeps: thread_helpers.h.
 */
#include <arch/x86_64/percpu.h>
#include <kernel/spinlock.h>
#include <lib/string.h>
#include <tests/kernel/thread_helpers.h>

#define NO_CPU_SEEN 0xFFFFFFFFu

/* --- per-CPU state ---------------------------------------------------------- */

KTEST(cpu_local_of_the_boot_cpu_is_this_cpu)
{
    KTEST_CHECK_EQ(cpus_online, 1);
    KTEST_CHECK(cpu_local_of(0) == &cpu_locals[0]);
    KTEST_CHECK(cpu_local_of(KEEL_MAX_CPUS) == NULL);
    uint64_t flags = cpu_save_and_disable_interrupts();
    struct cpu_local *here = this_cpu();
    unsigned id = cpu_read_id();
    struct thread *running = here->current;
    cpu_restore_interrupts(flags);
    KTEST_CHECK(here == &cpu_locals[0]);
    KTEST_CHECK_EQ(id, 0);
    KTEST_CHECK(running == thread_current());
    KTEST_CHECK(cpu_locals[0].online);
    KTEST_CHECK(!cpu_locals[1].online);
    KTEST_CHECK_EQ(preempt_count(), 0);
}

/* --- affinity --------------------------------------------------------------- */

static volatile unsigned pinned_ran_on = NO_CPU_SEEN;
static volatile int pinned_affinity = -2;

static void *note_cpu(void *unused)
{
    (void)unused;
    pinned_affinity = thread_current()->affinity;
    pinned_ran_on = running_cpu();
    return NULL;
}

KTEST(affinity_to_cpu_0_is_kept)
{
    pinned_ran_on = NO_CPU_SEEN;
    pinned_affinity = -2;
    struct thread *t = thread_create("pinned", note_cpu, NULL, PRIORITY_NORMAL);
    KTEST_CHECK(t != NULL);
    int set = thread_set_affinity(t, 0); /* still ready: it has not run yet */
    int joined = thread_join(t, NULL);
    KTEST_CHECK_EQ(set, 0);
    KTEST_CHECK_EQ(joined, 0);
    KTEST_CHECK_EQ(pinned_affinity, 0);
    KTEST_CHECK_EQ(pinned_ran_on, 0);
    /* The running thread pins itself, goes on running, and lets go again. */
    struct thread *self = thread_current();
    KTEST_CHECK_EQ(thread_set_affinity(self, 0), 0);
    thread_yield();
    KTEST_CHECK_EQ(self->affinity, 0);
    KTEST_CHECK_EQ(self->cpu, 0);
    KTEST_CHECK_EQ(thread_set_affinity(self, -1), 0);
    KTEST_CHECK_EQ(self->affinity, -1);
}

KTEST(affinity_to_an_offline_cpu_is_refused)
{
    struct thread *self = thread_current();
    KTEST_CHECK_EQ(thread_set_affinity(self, 1), -EINVAL);
    KTEST_CHECK_EQ(thread_set_affinity(self, KEEL_MAX_CPUS - 1), -EINVAL);
    KTEST_CHECK_EQ(thread_set_affinity(self, KEEL_MAX_CPUS), -EINVAL);
    KTEST_CHECK_EQ(thread_set_affinity(self, -2), -EINVAL);
    KTEST_CHECK_EQ(self->affinity, -1);
    /* An idle thread stays on its CPU. */
    KTEST_CHECK_EQ(thread_set_affinity(sched_idle_thread(), -1), -EINVAL);
    KTEST_CHECK_EQ(sched_idle_thread()->affinity, 0);
}

/* --- statistics ------------------------------------------------------------- */

static void *return_at_once(void *unused)
{
    (void)unused;
    return NULL;
}

KTEST(cpu_stats_follow_switches_and_idle_time)
{
    struct sched_cpu_stats before, after_yield, after_sleep, offline;
    sched_cpu_stats(0, &before);
    KTEST_CHECK(before.online);
    KTEST_CHECK_EQ(before.thread_id, thread_current()->id);
    KTEST_CHECK(strcmp(before.thread_name, thread_current()->name) == 0);
    /* A thread of the same level, ready: the yield runs it. */
    struct thread *other = thread_create("other", return_at_once, NULL, PRIORITY_NORMAL);
    KTEST_CHECK(other != NULL);
    thread_yield();
    sched_cpu_stats(0, &after_yield);
    int joined = thread_join(other, NULL);
    KTEST_CHECK_EQ(joined, 0);
    KTEST_CHECK(after_yield.switches > before.switches);
    /* Nothing else ready: the CPU idles while this thread sleeps. */
    thread_sleep_ms(5);
    sched_cpu_stats(0, &after_sleep);
    KTEST_CHECK(after_sleep.idle_ns > after_yield.idle_ns);
    KTEST_CHECK(after_sleep.switches > after_yield.switches);
    KTEST_CHECK_EQ(after_sleep.switches, cpu_locals[0].switches);
    sched_cpu_stats(1, &offline);
    KTEST_CHECK(!offline.online);
    KTEST_CHECK_EQ(offline.switches, 0);
    KTEST_CHECK_EQ(offline.thread_name[0], '\0');
}

/* --- kicks ------------------------------------------------------------------ */

static volatile unsigned kicks;

static void count_kick(unsigned cpu)
{
    (void)cpu;
    kicks = kicks + 1;
}

static void *sleep_a_little(void *unused)
{
    (void)unused;
    thread_sleep_ms(1);
    return NULL;
}

/* One CPU: every thread that becomes ready is this CPU's to run, so the
 * hook is never called (it would be an interrupt sent to oneself). */
KTEST(no_kick_is_sent_to_the_calling_cpu)
{
    kicks = 0;
    sched_set_kick(count_kick);
    struct thread *threads[3];
    for (int i = 0; i < 3; i++)
        threads[i] = thread_create("kicked", sleep_a_little, NULL, PRIORITY_INTERACTIVE);
    unsigned broken = 0;
    for (int i = 0; i < 3; i++)
        broken += !threads[i] || thread_join(threads[i], NULL) != 0;
    thread_sleep_ms(1);
    sched_set_kick(NULL);
    KTEST_CHECK_EQ(broken, 0);
    KTEST_CHECK_EQ(kicks, 0);
}

/* What the kick's interrupt handler does: need_resched set, and the next
 * preemption point looks at the queue and clears it. */
KTEST(a_received_kick_is_taken_at_the_next_preemption_point)
{
    uint64_t flags = cpu_save_and_disable_interrupts();
    sched_kick_received();
    bool pending = need_resched();
    cpu_restore_interrupts_and_preempt(flags);
    KTEST_CHECK(pending);
    KTEST_CHECK(!need_resched());
}

/* --- the spinlock's panics -------------------------------------------------- */

static struct spinlock twice_lock = SPINLOCK_INIT("twice_lock");

KTEST_SHOULD_PANIC(spinlock_taken_twice_panics_naming_the_cpu,
                   "spinlock twice_lock taken twice on CPU 0")
{
    spin_lock_irqsave(&twice_lock);
    spin_lock(&twice_lock);
}

static struct spinlock held_lock = SPINLOCK_INIT("held_lock");

KTEST_SHOULD_PANIC(switching_with_a_spinlock_held_panics,
                   "thread main would switch holding 1 spinlock(s)")
{
    spin_lock_irqsave(&held_lock);
    thread_yield();
}
