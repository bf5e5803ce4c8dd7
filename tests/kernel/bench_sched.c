/*
 * bench_sched.c - the scheduler's benchmarks, counted in guest instructions.
 *
 * Both are KTEST_BENCH cases: the ordinary test boot only lists them, and
 * tools/bench_sched.py boots the test kernel with `-icount shift=0
 * -append ktest=NAME`. Under that option QEMU advances the guest TSC by
 * exactly one per executed instruction, so rdtsc differences are
 * instruction counts, the same on every run and every host. Each case
 * prints `bench: name: value` lines before its result line.
 *
 * sched_context_switch: two threads of the same priority yield to each
 * other, nothing else ready (the ktest thread waits in thread_join, idle
 * is never queued). SWITCHES switches are timed with rdtsc in one of them
 * and divided by the switches sched_switches() saw meanwhile: the figure
 * is one whole trip from a thread's thread_yield() call to the other
 * thread's return from its own thread_yield(), the scheduler's choice and
 * its timer bookkeeping included, plus the yield loop's few instructions,
 * which context_switch_loop_instructions gives on its own.
 *
 * sched_wakeup_latency: a thread at interactive priority waits for a key
 * in input_wait_press, as the shell does, while three background threads
 * spin. A spinner makes the 8042 raise a real IRQ 1: command 0xD2 puts the
 * next data byte in the controller's output buffer as if the keyboard had
 * sent it (a make code), and the controller raises IRQ 1 at once: the
 * spinner is interrupted within an instruction of that `out`. Measured:
 * from the rdtsc just before the `out` (so the handful of instructions
 * that store the time, do the `out` and complete before the interrupt is
 * taken are included) through the interrupt entry, the keyboard driver's
 * handler, the wake-up, the EOI, the switch on the way out of the
 * interrupt (the woken thread resumes in its own context_switch call, no
 * iret on this path), and the waiter's return from input_wait_press with
 * the key decoded, to the rdtsc after it: what the shell pays before it
 * can echo. Median, minimum and maximum of WAKEUPS.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/idt.h>
#include <drivers/ps2/i8042.h>
#include <kernel/console.h>
#include <kernel/input.h>
#include <kernel/ktest.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/thread.h>
#include <tests/kernel/thread_helpers.h>

#define SWITCHES      100000u /* timed switches of the ping-pong: one per yield */
#define WARMUP_YIELDS 100u    /* per thread, first: the new thread's start is not timed */

#define WAKEUPS  1001u /* an odd count: the median is one sample */
#define SPINNERS 3
/* 8042 command "write keyboard output buffer" (IBM PC AT Technical
 * Reference; OSDev "8042 PS/2 Controller"): the next byte written to the
 * data port comes back as keyboard data, with IRQ 1. */
#define I8042_CMD_WRITE_KEYBOARD_OUTPUT 0xD2
#define SCANCODE_A_PRESS                0x1E /* scancode set 1: A pressed */
#define KEYBOARD_IRQ                    1

/* --- context switch: a yield ping-pong --------------------------------------------- */

struct ping_pong {
    unsigned yields;   /* the timed yields of the measuring thread */
    uint64_t ticks;    /* rdtsc across them */
    uint64_t switches; /* sched_switches() across them */
};

/* The partner: as many yields as the measuring thread, so each of those finds it ready. */
static void *pong(void *arg)
{
    const struct ping_pong *run = arg;
    for (unsigned i = 0; i < WARMUP_YIELDS + run->yields; i++)
        thread_yield();
    return NULL;
}

static void *ping(void *arg)
{
    struct ping_pong *run = arg;
    for (unsigned i = 0; i < WARMUP_YIELDS; i++)
        thread_yield();
    uint64_t switches = sched_switches();
    uint64_t start = rdtsc();
    for (unsigned i = 0; i < run->yields; i++)
        thread_yield();
    uint64_t end = rdtsc();
    run->switches = sched_switches() - switches;
    run->ticks = end - start;
    return NULL;
}

/* Instructions per iteration of the same loop with a one-instruction
 * function (thread_current) in place of thread_yield. */
static uint64_t loop_instructions(unsigned iterations)
{
    uint64_t start = rdtsc();
    for (unsigned i = 0; i < iterations; i++)
        thread_current();
    return (rdtsc() - start) / iterations;
}

/* x / y with two decimals, as "N.NN" (kprintf has no floating point). */
static void print_ratio(const char *name, uint64_t x, uint64_t y)
{
    uint64_t hundredths = (x * 100 + y / 2) / y;
    kprintf("bench: %s: %llu.%02llu\n", name, (unsigned long long)(hundredths / 100),
            (unsigned long long)(hundredths % 100));
}

KTEST_BENCH(sched_context_switch)
{
    struct ping_pong run = {.yields = SWITCHES / 2};
    struct thread *a = thread_create("ping", ping, &run, PRIORITY_NORMAL);
    struct thread *b = thread_create("pong", pong, &run, PRIORITY_NORMAL);
    KTEST_CHECK(a && b);
    KTEST_CHECK_EQ(thread_join(a, NULL), 0);
    KTEST_CHECK_EQ(thread_join(b, NULL), 0);
    KTEST_CHECK(run.switches >= SWITCHES);
    print_ratio("context_switch_instructions", run.ticks, run.switches);
    kprintf("bench: context_switch_switches: %llu\n", (unsigned long long)run.switches);
    kprintf("bench: context_switch_total_instructions: %llu\n", (unsigned long long)run.ticks);
    kprintf("bench: context_switch_loop_instructions: %llu\n",
            (unsigned long long)loop_instructions(SWITCHES));
}

/* --- wake-up latency: a key interrupt wakes an interactive thread ------------------- */

static volatile bool fire_requested; /* the waiter is about to block: raise one IRQ 1 */
static volatile bool spinners_stop;
static volatile uint64_t fired_at; /* rdtsc just before the `out` that raises IRQ 1 */
static uint64_t samples[WAKEUPS];
static unsigned wrong_keys; /* presses that were not the A the 8042 was given */

/* Have the 8042 hand the CPU a key press, with its IRQ 1. */
static void raise_keyboard_interrupt(void)
{
    i8042_wait_input_empty();
    outb(I8042_COMMAND, I8042_CMD_WRITE_KEYBOARD_OUTPUT);
    i8042_wait_input_empty();
    fired_at = rdtsc();
    outb(I8042_DATA, SCANCODE_A_PRESS); /* IRQ 1 interrupts right after this */
}

/* Background CPU load; whichever spinner runs when the waiter blocks
 * raises the interrupt (exactly one: the exchange is one instruction, so
 * no preemption splits the test from the clearing). */
static void *spinner(void *unused)
{
    (void)unused;
    while (!spinners_stop)
        if (__atomic_exchange_n(&fire_requested, false, __ATOMIC_SEQ_CST))
            raise_keyboard_interrupt();
    return NULL;
}

static void *waiter(void *unused)
{
    (void)unused;
    for (unsigned i = 0; i < WAKEUPS; i++) {
        struct key_event key;
        fire_requested = true; /* no spinner runs before this thread blocks */
        input_wait_press(&key);
        samples[i] = rdtsc() - fired_at;
        wrong_keys += key.key != KEY_A;
    }
    spinners_stop = true;
    return NULL;
}

KTEST_BENCH(sched_wakeup_latency)
{
    /* One key first, read here: the keyboard's replies to the LED command
     * input_init sent are still arriving, and come in with it, untimed. */
    raise_keyboard_interrupt();
    struct key_event key;
    while (input_poll(&key))
        ;
    uint64_t interrupts = irq_count(KEYBOARD_IRQ);
    struct thread *spinners[SPINNERS];
    for (unsigned i = 0; i < SPINNERS; i++) {
        spinners[i] = thread_create("spin", spinner, NULL, PRIORITY_BACKGROUND);
        KTEST_CHECK(spinners[i]);
    }
    /* It runs at once (it beats this thread) and blocks for its first key. */
    struct thread *shell = thread_create("waiter", waiter, NULL, PRIORITY_INTERACTIVE);
    KTEST_CHECK(shell);
    KTEST_CHECK_EQ(thread_join(shell, NULL), 0);
    for (unsigned i = 0; i < SPINNERS; i++)
        KTEST_CHECK_EQ(thread_join(spinners[i], NULL), 0);
    KTEST_CHECK_EQ(irq_count(KEYBOARD_IRQ) - interrupts, WAKEUPS); /* each woken by its IRQ 1 */
    KTEST_CHECK_EQ(wrong_keys, 0);
    sort_samples(samples, WAKEUPS);
    kprintf("bench: wakeup_latency_instructions: %llu\n", (unsigned long long)samples[WAKEUPS / 2]);
    kprintf("bench: wakeup_latency_min_instructions: %llu\n", (unsigned long long)samples[0]);
    kprintf("bench: wakeup_latency_max_instructions: %llu\n",
            (unsigned long long)samples[WAKEUPS - 1]);
}
