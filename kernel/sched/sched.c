/*
 * sched.c - the scheduler (see sched.h): the run queue, the sleep queue,
 * the idle thread and every thread switch.
 *
 * Priorities are strict: a ready thread of a better level always runs
 * before a worse one, and within a level threads take turns of
 * SCHED_SLICE_NS. A CPU-bound background thread therefore gets only the
 * time that no normal or interactive thread wants; the interactive and
 * normal threads Keel has block for input or sleep almost all the time,
 * so background work does run, and a normal thread that never blocks
 * starves background ones on purpose: background means "when nothing
 * else is to be done".
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/percpu.h>
#include <kernel/panic.h>
#include <kernel/sched/preempt.h>
#include <kernel/sched/sched.h>
#include <kernel/timer.h>
#include <lib/const.h>
#include <mm/memory.h>

volatile unsigned preempt_count;
volatile bool need_resched;

static struct run_queue ready;
static struct sleep_queue sleepers;
static struct thread *current;
static struct thread *idle;
static uint64_t slice_end;
static uint64_t switches;

/* Defined in switch.S. */
void context_switch(uint64_t *save_rsp, uint64_t next_rsp);

struct thread *thread_current(void)
{
    return current;
}

struct thread *sched_idle_thread(void)
{
    return idle;
}

uint64_t sched_switches(void)
{
    return switches;
}

/* Whether a ready thread should share the CPU with the running one. */
static bool competition(void)
{
    int best = run_queue_best_priority(&ready);
    return best >= 0 && (current == idle || (unsigned)best <= current->priority);
}

/* The deadline the one-shot is armed for (TIMER_NO_ALARM: none, or it fired). */
static uint64_t armed = TIMER_NO_ALARM;

/* Make sure the one-shot comes no later than what comes first: the
 * earliest sleeper, or the end of the slice when a thread of the same or a
 * better level waits. An alarm armed for earlier stays: reprogramming the
 * PIT costs more than the context switch itself, and the early interrupt
 * just finds nothing due and arms again (at most one extra interrupt per
 * slice; none at all once every thread is blocked and it has fired). */
static void update_alarm(void)
{
    uint64_t deadline = TIMER_NO_ALARM;
    sleep_queue_earliest(&sleepers, &deadline);
    if (current != idle && competition() && slice_end < deadline)
        deadline = slice_end;
    if (deadline < armed) {
        armed = deadline;
        timer_set_alarm(deadline);
    }
}

/* The page tables and kernel stack a thread needs: its program's address
 * space (kernel threads run on the kernel's, whose upper half every
 * address space shares), and its stack for entries from ring 3. */
static void enter_address_space(struct thread *next)
{
    uint64_t root = next->page_table_root ? next->page_table_root : kernel_address_space()->root;
    if (root != read_cr3())
        write_cr3(root); /* also flushes the TLB's non-global entries */
    if (next->stack)
        cpu_set_kernel_stack(next->stack->top);
}

static void switch_to(struct thread *next)
{
    struct thread *prev = current;
    uint64_t now = timer_now_ns();
    next->state = THREAD_RUNNING;
    next->waits_for = NULL;
    slice_end = now + SCHED_SLICE_NS;
    if (next == prev) {
        update_alarm();
        return;
    }
    prev->cpu_ns += now - prev->ran_since;
    next->ran_since = now;
    current = next;
    switches++;
    update_alarm();
    enter_address_space(next);
    context_switch(&prev->saved_rsp, next->saved_rsp);
}

void schedule(void)
{
    if (preempt_count)
        panic("thread %s would switch holding %u spinlock(s)", current->name,
              (unsigned)preempt_count);
    need_resched = false;
    if (current == idle)
        current->state = THREAD_READY; /* runnable, but never queued */
    else if (current->state == THREAD_RUNNING) {
        current->state = THREAD_READY;
        run_queue_push(&ready, &current->run_node, current->priority);
    }
    struct rq_node *node = run_queue_pop(&ready);
    switch_to(node ? container_of(node, struct thread, run_node) : idle);
}

void sched_block(const char *what)
{
    current->state = THREAD_BLOCKED;
    current->waits_for = what;
    schedule();
}

/* READY and queued; a switch becomes due if it beats the running thread. */
static void make_ready(struct thread *t)
{
    t->state = THREAD_READY;
    run_queue_push(&ready, &t->run_node, t->priority);
    if (current == idle || t->priority < current->priority)
        need_resched = true;
    else if (competition())
        update_alarm(); /* the running thread's slice now matters */
}

void sched_wake(struct thread *t)
{
    uint64_t flags = cpu_save_and_disable_interrupts();
    if (t->state == THREAD_BLOCKED || t->state == THREAD_SLEEPING) {
        if (t->sleep_node.queued)
            sleep_queue_remove(&sleepers, &t->sleep_node);
        make_ready(t);
    }
    cpu_restore_interrupts_and_preempt(flags);
}

void sched_add_new(struct thread *t)
{
    make_ready(t);
}

void sched_add_deadline(uint64_t deadline_ns)
{
    sleep_queue_insert(&sleepers, &current->sleep_node, deadline_ns);
    current->timed_out = false;
}

/* IRQ 0: wake the sleepers whose deadline passed, end the slice if it is
 * over, and set the next alarm. Interrupt context, interrupts off. */
static void alarm_expired(uint64_t now)
{
    armed = TIMER_NO_ALARM;
    struct sleep_node *node;
    while ((node = sleep_queue_pop_expired(&sleepers, now)) != NULL) {
        struct thread *t = container_of(node, struct thread, sleep_node);
        t->timed_out = true;
        if (t->waiting_on)
            wait_queue_forget(t->waiting_on, t);
        make_ready(t);
    }
    if (current != idle && now >= slice_end && competition())
        need_resched = true;
    update_alarm();
}

void sched_preempt_point(void)
{
    uint64_t flags = cpu_save_and_disable_interrupts();
    if (need_resched && preempt_count == 0 && current) {
        thread_end_if_killed();
        schedule();
        thread_end_if_killed();
    }
    cpu_restore_interrupts(flags);
}

void sched_interrupt_exit(void)
{
    if (!need_resched || preempt_count || !current)
        return;
    thread_end_if_killed();
    schedule();
    thread_end_if_killed(); /* killed while it was preempted */
}

/* The idle thread: runs when nothing else can, and halts the CPU until an
 * interrupt makes something ready (sti; hlt, so none is missed). */
static void *idle_main(void *unused)
{
    (void)unused;
    for (;;) {
        cpu_disable_interrupts();
        if (run_queue_count(&ready))
            schedule();
        cpu_enable_interrupts_and_halt();
    }
    return NULL;
}

void sched_init(void)
{
    static struct thread boot_thread;
    run_queue_init(&ready);
    sleep_queue_init(&sleepers);
    thread_adopt_boot_flow(&boot_thread, stack_get(STACK_BOOT));
    current = &boot_thread;
    current->ran_since = timer_now_ns();
    idle = thread_create("idle", idle_main, NULL, PRIORITY_BACKGROUND);
    if (!idle)
        panic("no idle thread: %d", thread_last_error());
    uint64_t flags = cpu_save_and_disable_interrupts();
    run_queue_remove(&ready, &idle->run_node); /* idle runs only when the queue is empty */
    idle->state = THREAD_READY;
    cpu_restore_interrupts(flags);
    thread_protect(idle);
    thread_protect(current);
    timer_set_alarm_handler(alarm_expired);
}
