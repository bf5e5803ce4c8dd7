/*
 * sched.c - the scheduler (see sched.h): the shared run queue, each CPU's
 * sleep queue and alarm, the idle threads and every thread switch.
 *
 * Priorities are strict: a ready thread of a better level always runs
 * before a worse one, and within a level threads take turns of
 * SCHED_SLICE_NS. A CPU-bound background thread therefore gets only the
 * time that no normal or interactive thread wants; the interactive and
 * normal threads Keel has block for input or sleep almost all the time,
 * so background work does run, and a normal thread that never blocks
 * starves background ones on purpose: background means "when nothing
 * else is to be done".
 *
 * Which CPU runs a thread that becomes ready is sched_place.c's choice;
 * this file does the switching on the CPU that runs it. Everything here
 * runs with interrupts off and sched_lock held unless it says otherwise.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/percpu.h>
#include <kernel/panic.h>
#include <kernel/sched/preempt.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/sched_cpu.h>
#include <kernel/smp.h>
#include <kernel/timer.h>
#include <lib/const.h>
#include <lib/format.h>
#include <mm/memory.h>

struct spinlock sched_lock = SPINLOCK_INIT("sched_lock");
struct run_queue sched_ready;

/* Defined in switch.S. */
void context_switch(uint64_t *save_rsp, uint64_t next_rsp);

struct thread *thread_current(void)
{
    return cpu_read_current();
}

struct thread *sched_idle_thread(void)
{
    uint64_t flags = cpu_save_and_disable_interrupts(); /* this CPU: no move in between */
    struct thread *idle = this_cpu()->idle;
    cpu_restore_interrupts(flags);
    return idle;
}

/* Make sure this CPU's one-shot comes no later than what comes first here:
 * the earliest sleeper, or the end of the slice when a thread of the same
 * or a better level waits. An alarm armed for earlier stays: reprogramming
 * the timer costs more than the context switch itself, and the early
 * interrupt just finds nothing due and arms again (at most one extra
 * interrupt per slice; none at all once every thread here is blocked and
 * it has fired). So the run queue is looked at only when the slice end
 * could be the earliest of the three. */
void sched_update_alarm(struct cpu_local *cpu)
{
    uint64_t deadline = TIMER_NO_ALARM;
    sleep_queue_earliest(&cpu->sleepers, &deadline);
    if (cpu->slice_end < deadline && cpu->slice_end < cpu->armed && cpu->current != cpu->idle &&
        sched_competition(cpu))
        deadline = cpu->slice_end;
    if (deadline < cpu->armed) {
        cpu->armed = deadline;
        timer_set_alarm(deadline);
    }
}

/* The page tables and kernel stack a thread needs: its program's address
 * space (kernel threads run on the kernel's, whose upper half every
 * address space shares), and its stack for entries from ring 3. */
static void enter_address_space(struct thread *next)
{
    uint64_t root = next->page_table_root ? next->page_table_root : kernel_address_space()->root;
    /* A program's thread always gets its CR3 written, even when this CPU
     * still has that root loaded: the root may be the reused frame of a
     * process that ended while this CPU ran it, whose lower-half entries
     * this CPU's TLB still holds (user mappings are not shot down on other
     * CPUs: mm/memory.c). The kernel's root is never reused. */
    if (root != read_cr3() || next->page_table_root)
        write_cr3(root); /* also flushes the TLB's non-global entries */
    if (next->stack)
        cpu_set_kernel_stack(next->stack->top);
}

/* Account for the time prev ran, then run next here. Returns in prev, when
 * some CPU switches back to it (with sched_lock held again). */
static void switch_to(struct cpu_local *cpu, struct thread *next)
{
    struct thread *prev = cpu->current;
    uint64_t now = timer_now_ns();
    next->state = THREAD_RUNNING;
    next->waits_for = NULL;
    next->cpu = cpu->id;
    cpu->slice_end = now + SCHED_SLICE_NS;
    if (next == prev) {
        sched_update_alarm(cpu);
        return;
    }
    prev->cpu_ns += now - prev->ran_since;
    if (prev == cpu->idle)
        cpu->idle_ns += now - prev->ran_since;
    next->ran_since = now;
    __atomic_store_n(&cpu->current, next, __ATOMIC_SEQ_CST);
    if (prev == cpu->idle)
        smp_tlb_catch_up(); /* a shootdown may have skipped this CPU while it idled */
    cpu->switches++;
    sched_update_alarm(cpu);
    enter_address_space(next);
    context_switch(&prev->saved_rsp, next->saved_rsp);
    /* From here on this is prev again, perhaps on another CPU: `cpu` is stale. */
}

void schedule(void)
{
    struct cpu_local *cpu = this_cpu();
    struct thread *self = cpu->current;
    if (!spin_held_here(&sched_lock))
        panic("thread %s switches without sched_lock", self->name);
    if (preempt_count() != 1)
        panic("thread %s would switch holding %u spinlock(s)", self->name, preempt_count() - 1);
    clear_need_resched();
    bool queued = false;
    if (self == cpu->idle) {
        self->state = THREAD_READY; /* runnable, but never queued */
    } else if (self->state == THREAD_RUNNING) {
        self->state = THREAD_READY;
        run_queue_push(&sched_ready, &self->run_node, self->priority);
        queued = true;
    }
    struct thread *next = sched_take_for(cpu);
    if (!next)
        next = cpu->idle;
    if (queued && next != self && cpus_online > 1)
        sched_place_elsewhere(self); /* pinned elsewhere, or another CPU is free for it */
    switch_to(cpu, next);
}

void sched_block(const char *what)
{
    struct thread *self = thread_current();
    self->state = THREAD_BLOCKED;
    self->waits_for = what;
    schedule();
}

/* READY and queued, and the CPU that should run it told so. */
static void make_ready(struct thread *t)
{
    t->state = THREAD_READY;
    run_queue_push(&sched_ready, &t->run_node, t->priority);
    sched_place(t);
}

void sched_wake_locked(struct thread *t)
{
    if (t->state != THREAD_BLOCKED && t->state != THREAD_SLEEPING)
        return;
    if (t->sleep_node.queued)
        sleep_queue_remove(&cpu_local_of(t->cpu)->sleepers, &t->sleep_node);
    make_ready(t);
}

void sched_wake(struct thread *t)
{
    uint64_t flags = spin_lock_irqsave(&sched_lock);
    sched_wake_locked(t);
    spin_unlock_irqrestore(&sched_lock, flags);
}

void sched_add_new(struct thread *t)
{
    uint64_t flags = spin_lock_irqsave(&sched_lock);
    t->cpu = cpu_read_id(); /* until it first runs: where it was made */
    make_ready(t);
    spin_unlock_irqrestore(&sched_lock, flags);
}

void sched_add_deadline(uint64_t deadline_ns)
{
    struct thread *self = thread_current();
    sleep_queue_insert(&this_cpu()->sleepers, &self->sleep_node, deadline_ns);
    self->timed_out = false;
}

/* The alarm of the CPU this runs on: wake its sleepers whose deadline
 * passed, end the slice if it is over, and set the next alarm. Interrupt
 * context, interrupts off, sched_lock not held yet. */
static void alarm_expired(uint64_t now)
{
    spin_lock(&sched_lock);
    struct cpu_local *cpu = this_cpu();
    cpu->armed = TIMER_NO_ALARM;
    struct sleep_node *node;
    while ((node = sleep_queue_pop_expired(&cpu->sleepers, now)) != NULL) {
        struct thread *t = container_of(node, struct thread, sleep_node);
        t->timed_out = true;
        if (t->waiting_on)
            wait_queue_forget(t->waiting_on, t);
        make_ready(t);
    }
    if (cpu->current != cpu->idle && now >= cpu->slice_end && sched_competition(cpu))
        set_need_resched();
    sched_update_alarm(cpu);
    spin_unlock(&sched_lock);
}

/* need_resched was set: switch if a switch is due, else just make sure
 * the alarm covers the slice. Interrupts off, nothing held. */
static void reconsider(void)
{
    thread_end_if_killed();
    spin_lock(&sched_lock);
    struct cpu_local *cpu = this_cpu();
    clear_need_resched();
    if (sched_switch_due(cpu, timer_now_ns()))
        schedule();
    else
        sched_update_alarm(cpu);
    spin_unlock(&sched_lock);
    thread_end_if_killed(); /* killed while it was preempted */
}

void sched_preempt_point(void)
{
    uint64_t flags = cpu_save_and_disable_interrupts(); /* this CPU: no interrupt in between */
    if (need_resched() && preempt_count() == 0 && thread_current())
        reconsider();
    cpu_restore_interrupts(flags);
}

void sched_interrupt_exit(void)
{
    if (need_resched() && preempt_count() == 0 && thread_current())
        reconsider();
}

void sched_kick_received(void)
{
    set_need_resched();
}

/* Every CPU's idle thread: runs when nothing else may run there, and halts
 * the CPU until an interrupt (a device, its alarm, another CPU's kick)
 * makes something ready. The queue is checked with sched_lock held and
 * interrupts off, and sti; hlt opens interrupts only for the halt itself,
 * so a wake-up that comes after the check still ends the halt. */
static __attribute__((noreturn)) void idle_loop(void)
{
    for (;;) {
        cpu_disable_interrupts(); /* this CPU: until sti; hlt, see above */
        smp_tlb_catch_up();
        spin_lock(&sched_lock);
        if (sched_peek_for(this_cpu()))
            schedule();
        spin_unlock(&sched_lock);
        cpu_enable_interrupts_and_halt();
    }
}

static void *idle_main(void *unused)
{
    (void)unused;
    idle_loop();
}

/* This CPU's scheduler state, with `flow` as its current thread. */
static void cpu_begin(struct cpu_local *cpu, struct thread *flow)
{
    sleep_queue_init(&cpu->sleepers);
    cpu->armed = TIMER_NO_ALARM;
    cpu->switches = 0;
    cpu->idle_ns = 0;
    flow->cpu = cpu->id;
    flow->state = THREAD_RUNNING;
    flow->ran_since = timer_now_ns();
    cpu->slice_end = flow->ran_since + SCHED_SLICE_NS;
    cpu->current = flow;
}

void sched_init(void)
{
    static struct thread boot_thread;
    run_queue_init(&sched_ready);
    struct cpu_local *cpu = this_cpu();
    thread_adopt_flow(&boot_thread, "main", PRIORITY_NORMAL, stack_get(STACK_BOOT));
    cpu_begin(cpu, &boot_thread);
    /* Made while CPU 0 is not online yet, so nothing is told to run it. */
    struct thread *idle = thread_create("idle", idle_main, NULL, PRIORITY_BACKGROUND);
    if (!idle)
        panic("no idle thread: %d", thread_last_error());
    uint64_t flags = spin_lock_irqsave(&sched_lock);
    run_queue_remove(&sched_ready, &idle->run_node); /* idle runs only when nothing else can */
    idle->affinity = 0;
    idle->cpu = 0;
    cpu->idle = idle;
    sched_cpu_online_now(cpu);
    spin_unlock_irqrestore(&sched_lock, flags);
    thread_protect(idle);
    thread_protect(&boot_thread);
    timer_set_alarm_handler(alarm_expired);
}

void sched_start_ap(const struct kernel_stack *boot_stack)
{
    static struct thread idle_threads[KEEL_MAX_CPUS];
    struct cpu_local *cpu = this_cpu();
    if (cpu->online || cpu->self != cpu)
        panic("CPU %u joins the scheduler twice, or without cpu_local_init_ap", cpu->id);
    struct thread *idle = &idle_threads[cpu->id];
    char name[THREAD_NAME_MAX];
    ksnprintf(name, sizeof(name), "idle%u", cpu->id);
    thread_adopt_flow(idle, name, PRIORITY_BACKGROUND, boot_stack);
    idle->affinity = (int)cpu->id;
    thread_protect(idle);
    spin_lock(&sched_lock);
    cpu_begin(cpu, idle);
    cpu->idle = idle;
    sched_cpu_online_now(cpu);
    spin_unlock(&sched_lock);
    idle_loop();
}
