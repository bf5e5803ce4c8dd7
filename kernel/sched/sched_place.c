/*
 * sched_place.c - which CPU runs what (see sched.h): the threads each CPU
 * may take from the shared run queue, the CPU told to run a thread that
 * became ready, the kick that tells another CPU, and per-CPU statistics.
 *
 * A ready thread goes to a CPU it may run on (its affinity) that can take
 * it at once, preferring one that has not been told already (so two
 * wake-ups in a row reach two idle CPUs, not one), then one that idles or
 * runs the worst priority, then the CPU it last ran on (its cache), then
 * the calling CPU (no interrupt needed). When every such CPU runs the
 * same level as the thread, the best of them must arm its slice alarm so
 * that they take turns: the calling CPU does so itself, another one is
 * kicked and does it on the way out of the kick's interrupt. When all run
 * better threads, nobody is told: a CPU looks at the queue whenever its
 * thread blocks.
 *
 * Everything here needs sched_lock held, interrupts off.
 */
#include <arch/x86_64/percpu.h>
#include <kernel/sched/preempt.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/sched_cpu.h>
#include <kernel/timer.h>
#include <lib/const.h>
#include <lib/string.h>

static void (*volatile kick_hook)(unsigned cpu);
static unsigned cpu_span; /* 1 + the highest online CPU id: how far the loops look */

void sched_cpu_online_now(struct cpu_local *cpu)
{
    cpu->online = true;
    if (cpu->id >= cpu_span)
        cpu_span = cpu->id + 1;
    __atomic_add_fetch(&cpus_online, 1, __ATOMIC_RELEASE);
}

void sched_set_kick(void (*kick)(unsigned cpu))
{
    kick_hook = kick;
}

bool sched_may_run_on(const struct thread *t, unsigned id)
{
    return t->affinity < 0 || (unsigned)t->affinity == id;
}

static bool fits_cpu(const struct rq_node *node, void *ctx)
{
    const struct cpu_local *cpu = ctx;
    return sched_may_run_on(container_of(node, struct thread, run_node), cpu->id);
}

static struct thread *thread_of(struct rq_node *node)
{
    return node ? container_of(node, struct thread, run_node) : NULL;
}

/* The common case first: the head of the best level may run anywhere. */
struct thread *sched_peek_for(const struct cpu_local *cpu)
{
    struct thread *head = thread_of(run_queue_peek(&sched_ready));
    if (!head || sched_may_run_on(head, cpu->id))
        return head;
    return thread_of(run_queue_peek_if(&sched_ready, fits_cpu, (void *)cpu));
}

struct thread *sched_take_for(struct cpu_local *cpu)
{
    struct thread *next = sched_peek_for(cpu);
    if (next)
        run_queue_remove(&sched_ready, &next->run_node);
    return next;
}

/* The level of what `cpu` runs; PRIORITY_LEVELS, worse than any, when it idles. */
static unsigned running_level(const struct cpu_local *cpu)
{
    return cpu->current == cpu->idle ? PRIORITY_LEVELS : cpu->current->priority;
}

bool sched_competition(const struct cpu_local *cpu)
{
    int best_anywhere = run_queue_best_priority(&sched_ready);
    if (best_anywhere < 0 || (unsigned)best_anywhere > running_level(cpu))
        return false; /* nothing good enough is ready at all */
    struct thread *best = sched_peek_for(cpu);
    return best && best->priority <= running_level(cpu);
}

bool sched_switch_due(const struct cpu_local *cpu, uint64_t now)
{
    struct thread *self = cpu->current, *best = sched_peek_for(cpu);
    if (self == cpu->idle)
        return best != NULL;
    if (!sched_may_run_on(self, cpu->id))
        return true;
    if (!best)
        return false;
    return best->priority < self->priority ||
           (best->priority == self->priority && now >= cpu->slice_end);
}

/* Have `cpu` look at the run queue at its next chance. */
static void tell(struct cpu_local *cpu)
{
    if (cpu == this_cpu()) {
        set_need_resched();
        return;
    }
    cpu->need_resched = true;
    void (*kick)(unsigned cpu) = kick_hook;
    if (kick)
        kick(cpu->id);
}

/* How well `cpu` suits ready thread t; the highest wins (file comment). */
static unsigned suitability(const struct cpu_local *cpu, const struct thread *t,
                            const struct cpu_local *here)
{
    unsigned level = running_level(cpu);
    return (level > t->priority) << 6 | (!cpu->need_resched) << 5 | level << 2 |
           (cpu->id == t->cpu) << 1 | (cpu == here);
}

/* The CPU that should run t, never `skip`; NULL if it may run nowhere else. */
static struct cpu_local *choose(const struct thread *t, const struct cpu_local *here,
                                const struct cpu_local *skip)
{
    struct cpu_local *best = NULL;
    unsigned best_score = 0;
    for (unsigned id = 0; id < cpu_span; id++) {
        struct cpu_local *cpu = &cpu_locals[id];
        if (!cpu->online || cpu == skip || !sched_may_run_on(t, id))
            continue;
        unsigned score = suitability(cpu, t, here);
        if (!best || score > best_score) {
            best = cpu;
            best_score = score;
        }
    }
    return best;
}

static void place(struct thread *t, const struct cpu_local *skip)
{
    struct cpu_local *here = this_cpu(), *best = choose(t, here, skip);
    if (!best || running_level(best) < t->priority)
        return;
    if (running_level(best) > t->priority || best != here)
        tell(best);
    else
        sched_update_alarm(here); /* the same level here: the slice now matters */
}

void sched_place(struct thread *t)
{
    place(t, NULL);
}

void sched_place_elsewhere(struct thread *t)
{
    place(t, this_cpu());
}

void sched_nudge(struct thread *t)
{
    if (t->state == THREAD_RUNNING)
        tell(cpu_local_of(t->cpu));
}

bool sched_cpu_is_idle(unsigned cpu)
{
    struct cpu_local *c = cpu_local_of(cpu);
    return c && __atomic_load_n(&c->current, __ATOMIC_SEQ_CST) == c->idle;
}

bool sched_cpu_online(int cpu)
{
    return cpu >= 0 && cpu < KEEL_MAX_CPUS && cpu_locals[cpu].online;
}

bool sched_is_idle_thread(const struct thread *t)
{
    for (unsigned id = 0; id < cpu_span; id++)
        if (cpu_locals[id].idle == t)
            return true;
    return false;
}

uint64_t sched_switches(void)
{
    uint64_t total = 0;
    for (unsigned id = 0; id < cpu_span; id++)
        total += __atomic_load_n(&cpu_locals[id].switches, __ATOMIC_RELAXED);
    return total;
}

void sched_cpu_stats(unsigned id, struct sched_cpu_stats *out)
{
    memset(out, 0, sizeof(*out));
    const struct cpu_local *cpu = cpu_local_of(id);
    uint64_t flags = spin_lock_irqsave(&sched_lock);
    if (cpu && cpu->online) {
        const struct thread *running = cpu->current;
        out->online = true;
        out->thread_id = running->id;
        strlcpy(out->thread_name, running->name, sizeof(out->thread_name));
        out->switches = cpu->switches;
        out->idle_ns = cpu->idle_ns;
        if (running == cpu->idle)
            out->idle_ns += timer_now_ns() - running->ran_since;
    }
    spin_unlock_irqrestore(&sched_lock, flags);
}
