/*
 * sched_cpu.h - what the scheduler's two files share (kernel/sched/sched.c
 * switches threads on a CPU, kernel/sched/sched_place.c picks the CPUs):
 * the run queue and the questions asked about one CPU. Everything here
 * needs sched_lock held; not for use outside kernel/sched/.
 */
#ifndef KEEL_KERNEL_SCHED_SCHED_CPU_H
#define KEEL_KERNEL_SCHED_SCHED_CPU_H

#include <arch/x86_64/percpu.h>
#include <kernel/sched/run_queue.h>
#include <kernel/sched/thread.h>
#include <stdbool.h>
#include <stdint.h>

/* Every READY thread but the idle threads, for all CPUs. */
extern struct run_queue sched_ready;

/* Whether t's affinity lets it run on CPU `id`. */
bool sched_may_run_on(const struct thread *t, unsigned id);
/* The best ready thread `cpu` may run, left queued / taken; NULL if none. */
struct thread *sched_peek_for(const struct cpu_local *cpu);
struct thread *sched_take_for(struct cpu_local *cpu);
/* Whether a ready thread should share `cpu` with the one it runs: one it
 * may run, of the same or a better priority (any, when it idles). */
bool sched_competition(const struct cpu_local *cpu);
/* Whether `cpu` should switch now: it idles and something may run, its
 * thread may no longer run there, a better one is ready, or its slice is
 * over and one of the same level waits. */
bool sched_switch_due(const struct cpu_local *cpu, uint64_t now);
/* sched_place for a thread that was just running here: only another CPU
 * is told (this one is about to pick its next thread anyway). */
void sched_place_elsewhere(struct thread *t);
/* `cpu` takes part from now on: online, counted in cpus_online. */
void sched_cpu_online_now(struct cpu_local *cpu);
/* Arm `cpu`'s one-shot for what comes first there (the calling CPU's own). */
void sched_update_alarm(struct cpu_local *cpu);

#endif
