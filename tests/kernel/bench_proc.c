/*
 * bench_proc.c - what a system call and a program's whole life cost, in
 * guest instructions (tools/bench_sched.py boots these with -icount
 * shift=0, where rdtsc counts executed instructions exactly; see
 * bench_sched.c).
 *
 * proc_syscall: the ramdisk's `sysbench` times getpid round trips from
 * ring 3 itself (rdtsc is allowed there) and prints the figures; this case
 * runs it and checks that it ended well. One round trip is the `syscall`
 * instruction, the entry, the dispatch, getpid, the exit path and sysret,
 * up to the next user instruction.
 *
 * proc_spawn_wait: process_spawn of `hello` (the ramdisk lookup, the ELF
 * check, a new address space with its segments and stack, a thread) and
 * process_wait until it has run, printed its greeting and exited; the
 * median of SPAWNS runs, each timed with rdtsc in the kernel.
 */
#include <arch/x86_64/cpu.h>
#include <kernel/console.h>
#include <kernel/ktest.h>
#include <kernel/proc/process.h>
#include <kernel/sched/thread.h>

#define SPAWNS 9 /* odd: the median is one sample */

static int run_and_wait(const char *path)
{
    const char *argv[] = {path, NULL};
    int pid = process_spawn(NULL, path, 1, argv, NULL);
    int status = -1;
    if (pid > 0 && process_wait(NULL, pid, &status) != pid)
        return -1;
    return pid > 0 ? status : pid;
}

KTEST_BENCH(proc_syscall)
{
    KTEST_CHECK_EQ(run_and_wait("sysbench"), 0);
}

KTEST_BENCH(proc_spawn_wait)
{
    uint64_t samples[SPAWNS];
    run_and_wait("hello"); /* the first run's one-time costs (heap growth) are not timed */
    for (unsigned i = 0; i < SPAWNS; i++) {
        uint64_t start = rdtsc();
        int status = run_and_wait("hello");
        samples[i] = rdtsc() - start;
        KTEST_CHECK_EQ(status, 0);
    }
    for (unsigned i = 1; i < SPAWNS; i++) /* insertion sort: nine samples */
        for (unsigned j = i; j > 0 && samples[j - 1] > samples[j]; j--) {
            uint64_t t = samples[j];
            samples[j] = samples[j - 1];
            samples[j - 1] = t;
        }
    kprintf("bench: spawn_wait_instructions: %llu\n", (unsigned long long)samples[SPAWNS / 2]);
}
