/*
 * sched.h - the scheduler: which thread runs on which CPU, and when it changes.
 *
 * One run queue for every CPU, under one lock (sched_lock), as xv6 does.
 * Why not a queue per CPU: Keel runs on a handful of CPUs, where one lock
 * is rarely contended; a shared queue needs no load balancing and no
 * migration code, and is fair by construction (the best ready thread
 * anywhere runs next, on the first CPU that may run it). Per-CPU queues
 * are for when measurements show the lock to be the bottleneck.
 *
 * sched_lock protects the run queue, every CPU's sleep queue, every
 * thread's state fields (state, cpu, affinity, waits_for, the queue links),
 * the thread list, the zombies, every wait queue, and the internals of
 * mutexes and semaphores. It is taken before a thread switch and released
 * by the thread that runs next: right after its context_switch returns in
 * schedule(), or, for a thread that runs for the first time, in
 * thread_start (kernel/sched/thread.c). So a thread that is put back in
 * the run queue cannot be taken by another CPU before its registers are
 * saved. Lock order: kernel/spinlock.h (sched_lock is taken after every
 * other lock but timer_lock).
 *
 * A switch happens in three places only: when the running thread blocks,
 * sleeps, yields or exits (schedule, called by the thread itself); on the
 * way out of an interrupt when this CPU's need_resched is set and a
 * switch is due (a better thread is ready, the slice ended with another
 * thread of the same level waiting, or the running thread may no longer
 * run here); and when preempt_count drops to 0 with need_resched set
 * (sched_preempt_point). Interrupt handlers never switch in their middle.
 *
 * Waking other CPUs: when a thread becomes ready, the scheduler picks the
 * CPU that should run it (an idle one that may, else the one running the
 * worst priority below it) and, if that is another CPU, sets its
 * need_resched and calls the kick hook (an IPI, installed by the arch
 * side); the IPI's handler calls sched_kick_received. No hook: nothing is
 * sent (one CPU).
 *
 * Timing is tickless and per CPU: each CPU arms its own one-shot
 * (timer_set_alarm arms the calling CPU's) for the earliest deadline in
 * its sleep queue (a thread sleeps in the queue of the CPU it ran on; a
 * wake from another CPU takes it out under sched_lock), and for the end
 * of its time slice only while another thread of the same or a better
 * priority may run there. With every thread blocked a CPU's idle thread
 * halts and no timer interrupt comes at all.
 */
#ifndef KEEL_KERNEL_SCHED_SCHED_H
#define KEEL_KERNEL_SCHED_SCHED_H

#include <kernel/sched/thread.h>
#include <kernel/spinlock.h>
#include <stdbool.h>
#include <stdint.h>

#define SCHED_SLICE_NS 10000000ull /* 10 ms */

extern struct spinlock sched_lock;

/* Make the running boot flow the first thread ("main"), start CPU 0's idle
 * thread and the timer's alarm. After timer_init, before anything blocks. */
void sched_init(void);
/* An application processor joins: called on it after sched_init, with
 * interrupts off, its struct cpu_local set (cpu_local_init_ap), its GDT,
 * IDT and TSS loaded, its one-shot ready for timer_set_alarm, on the stack
 * it booted with. That flow becomes the CPU's idle thread ("idle1",
 * "idle2", ...), the CPU counts in cpus_online, and it takes threads from
 * the run queue from then on. */
__attribute__((noreturn)) void sched_start_ap(const struct kernel_stack *boot_stack);
/* The hook that interrupts another CPU so it looks at the run queue
 * (called with sched_lock held and interrupts off: it only sends).
 * Installed before the first AP joins: an idle CPU halts until an
 * interrupt, and without the hook nothing would end its halt. */
void sched_set_kick(void (*kick)(unsigned cpu));
/* The kick's interrupt handler calls this on the CPU it reached (interrupts
 * off); the switch, if one is due, happens on the way out. */
void sched_kick_received(void);

/* Switch to the best thread this CPU may run (or its idle thread). The
 * caller holds sched_lock (and no other spinlock) and has set the current
 * thread's new state (RUNNING to stay runnable); it holds sched_lock again
 * when this returns, possibly on another CPU. */
void schedule(void);
/* Block the current thread (sched_lock held): BLOCKED, waiting for `what`,
 * until sched_wake. */
void sched_block(const char *what);
/* Make a blocked or sleeping thread ready; safe in interrupt context.
 * Asks for a switch where it is better than the running thread. */
void sched_wake(struct thread *t);
/* The same with sched_lock held. */
void sched_wake_locked(struct thread *t);
/* Put the current thread in this CPU's sleep queue until deadline_ns; the
 * caller (sched_lock held) then blocks or sleeps. */
void sched_add_deadline(uint64_t deadline_ns);
/* A new thread, READY, into the run queue. */
void sched_add_new(struct thread *t);
/* The interrupt-exit hook (arch/x86_64/idt.c): switch if one is due. */
void sched_interrupt_exit(void);
/* Whether `cpu` is a CPU that runs the scheduler. */
bool sched_cpu_online(int cpu);
/* Whether `cpu` runs its idle thread right now (a racy snapshot, ordered
 * for kernel/smp.c's lazy TLB shootdown). */
bool sched_cpu_is_idle(unsigned cpu);
/* Ask the thread's CPU to look again at what it runs (a kill, an affinity
 * change); sched_lock held. */
void sched_nudge(struct thread *t);
/* Where a READY thread should run: tell that CPU (sched_lock held). */
void sched_place(struct thread *t);
/* thread.c's part: a running flow as thread t on its stack; freeing a
 * thread that has exited (stack, structure, list entry). */
void thread_adopt_flow(struct thread *t, const char *name, enum thread_priority priority,
                       const struct kernel_stack *stack);
void thread_free(struct thread *t);
/* A safe point: the running thread, if killed and holding no mutex, ends
 * here (after a yield, or when preempted). */
void thread_end_if_killed(void);
/* wait_queue.c's part: take t off wq without waking it (sched_lock held). */
void wait_queue_forget(struct wait_queue *wq, struct thread *t);

/* Switches since boot on every CPU, for `ps` and tests. */
uint64_t sched_switches(void);
/* The running CPU's idle thread. */
struct thread *sched_idle_thread(void);
/* Whether t is some CPU's idle thread. */
bool sched_is_idle_thread(const struct thread *t);

/* One CPU, for a `cpus` command. */
struct sched_cpu_stats {
    bool online;
    uint64_t thread_id;                /* what it runs now (its idle thread when idle) */
    char thread_name[THREAD_NAME_MAX]; /* "" when offline */
    uint64_t switches;                 /* thread switches it made */
    uint64_t idle_ns;                  /* time in its idle thread since it came online */
};
/* Fill *out for CPU `cpu` (all zero, online false, for a CPU that is not). */
void sched_cpu_stats(unsigned cpu, struct sched_cpu_stats *out);

#endif
