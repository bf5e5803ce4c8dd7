/*
 * sysbench.c - what one system call costs, measured from ring 3.
 *
 * CALLS getpid round trips in a loop of three instructions around the
 * `syscall` (load the number, count down, branch), timed with rdtsc. Under
 * QEMU's -icount shift=0 (tools/bench_sched.py) the TSC counts executed
 * instructions, so the difference is exact; the loop's own three
 * instructions per call are taken off. Prints
 *   bench: syscall_instructions: N.NN
 *   bench: syscall_loop_instructions: 3
 * and exits 0, or 1 when getpid does not return this program's pid.
 *
 *   sysbench
 */
#include <keel/syscall.h>
#include <user/lib/stdio.h>
#include <user/lib/sys.h>

#define CALLS         100000u
#define LOOP_OVERHEAD 3u /* mov, dec, jnz */
#define WARMUP_CALLS  100u

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* n getpid calls; the last result. */
static long getpid_loop(unsigned n)
{
    long result;
    __asm__ volatile("1: mov %[number], %%eax\n\t"
                     "syscall\n\t"
                     "dec %[n]\n\t"
                     "jnz 1b"
                     : "=&a"(result), [n] "+r"(n)
                     : [number] "i"(SYS_GETPID)
                     : "rcx", "r11", "memory");
    return result;
}

int main(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        printf("usage: sysbench\n");
        return 2;
    }
    getpid_loop(WARMUP_CALLS);
    uint64_t start = rdtsc();
    long pid = getpid_loop(CALLS);
    uint64_t ticks = rdtsc() - start;
    if (pid != getpid()) {
        printf("sysbench: getpid returned %ld, expected %d\n", pid, getpid());
        return 1;
    }
    uint64_t per_100 = ticks * 100 / CALLS - LOOP_OVERHEAD * 100;
    printf("bench: syscall_instructions: %llu.%02llu\n", (unsigned long long)(per_100 / 100),
           (unsigned long long)(per_100 % 100));
    printf("bench: syscall_loop_instructions: %u\n", LOOP_OVERHEAD);
    return 0;
}
