/*
 * sched.h - the scheduler: which thread runs, and when it changes.
 *
 * One CPU: every scheduler structure (the run queue, the sleep queue, the
 * wait queues, thread states) is changed only with interrupts off, which
 * is its lock. A switch happens in three places only: when the running
 * thread blocks, sleeps, yields or exits (schedule, called by the thread
 * itself); on the way out of an interrupt whose handler made a better
 * thread ready or ended the time slice (sched_interrupt_exit); and when
 * preempt_count drops to 0 with such a switch pending (sched_preempt_point).
 * Interrupt handlers never switch in their middle.
 *
 * Timing is tickless: the one-shot timer is armed for the earliest
 * sleeper's deadline, and for the end of the time slice only while another
 * thread of the same or a better priority is ready. With every thread
 * blocked the idle thread halts and no timer interrupt comes at all.
 */
#ifndef KEEL_KERNEL_SCHED_SCHED_H
#define KEEL_KERNEL_SCHED_SCHED_H

#include <kernel/sched/thread.h>
#include <stdint.h>

#define SCHED_SLICE_NS 10000000ull /* 10 ms */

/* Make the running boot flow the first thread ("main"), start the idle
 * thread and the timer's alarm. After timer_init, before anything blocks. */
void sched_init(void);
/* Switch to the best ready thread (or idle). The caller has set the
 * current thread's new state (RUNNING to stay runnable). Interrupts off. */
void schedule(void);
/* Block the current thread (interrupts off): BLOCKED, waiting for `what`,
 * until sched_wake. */
void sched_block(const char *what);
/* Make a blocked or sleeping thread ready; safe in interrupt context.
 * Asks for a switch when it is better than the running thread. */
void sched_wake(struct thread *t);
/* Put the current thread in the sleep queue until deadline_ns; the caller
 * then blocks or sleeps. Interrupts off. */
void sched_add_deadline(uint64_t deadline_ns);
/* A new thread, READY, into the run queue (interrupts off). */
void sched_add_new(struct thread *t);
/* The interrupt-exit hook (arch/x86_64/idt.c): switch if one is due. */
void sched_interrupt_exit(void);
/* thread.c's part: the boot flow as thread t on its stack; freeing a
 * thread that has exited (stack, structure, list entry). */
void thread_adopt_boot_flow(struct thread *t, const struct kernel_stack *stack);
void thread_free(struct thread *t);
/* A safe point: the running thread, if killed and holding no mutex, ends
 * here (after a yield, or when preempted). */
void thread_end_if_killed(void);
/* wait_queue.c's part: take t off wq without waking it. */
void wait_queue_forget(struct wait_queue *wq, struct thread *t);

/* Switches since boot, for `ps` and tests. */
uint64_t sched_switches(void);
/* The idle thread. */
struct thread *sched_idle_thread(void);

#endif
