/*
 * timer.c - time since boot from the TSC, a one-shot alarm on PIT channel 0,
 * and sleep_ms.
 *
 * Time base: the TSC (Intel SDM vol. 3B, "Time-Stamp Counter"), counted from
 * timer_init. Its rate is measured at boot against PIT channel 2 used as a
 * stopwatch (arch/x86_64/pit.c): a (TSC, count) pair near the start and one
 * CALIBRATION_CLOCKS (40 ms) later. Each pair is the tightest of a few
 * readings, the TSC taken midway between the rdtscs around the count's read,
 * so the CPU (or QEMU's thread) losing time between the two pairs costs
 * nothing; a measurement whose pairs stayed loose (more than 1/2000 of the
 * interval) is repeated. Reading the time needs no division: ns = ticks *
 * mult >> 32, with mult computed once. CPUID leaf 0x80000007 EDX bit 8
 * (Intel SDM vol. 2A, CPUID) says whether the TSC is invariant, running at
 * one rate in every P-, C- and T-state. Without it the TSC is still used and
 * the boot line says so: its rate may then follow frequency changes, so
 * uptime can drift from real time and an alarm can come late in real time
 * (never early by the TSC). Keel changes no P-state and halts only in C1
 * (hlt). QEMU's default CPU models do not report the bit; under TCG the
 * guest TSC runs at the host's fixed rate all the same.
 *
 * Alarm: channel 0 in mode 0 gives one IRQ 0 per count written. Two
 * deadlines share it: the client's alarm (timer_set_alarm, the scheduler's)
 * and sleep_ms's own. The PIT is set for the earlier; IRQ 0 settles each that
 * has passed (the alarm by calling its handler, a sleep by ending the
 * sleeper's hlt) and sets the PIT for what is left. A deadline further away
 * than the PIT can count (PIT_COUNT_MAX, 54.9 ms) takes IRQ 0s that only
 * re-arm. Every IRQ 0 compares the deadlines with the TSC, so an early or
 * stale interrupt only re-arms. With no deadline, channel 0 is stopped and
 * IRQ 0 masked at the PIC: the mask is what silences QEMU, whose 8254 still
 * delivers a count that was running when the channel was stopped; such an
 * edge waits in the PIC and arrives, finding nothing due, when IRQ 0 opens.
 *
 * The PIT is one device: timer_lock (last in the lock order, see
 * kernel/spinlock.h) covers both deadlines and its programming, so any CPU
 * may arm it; IRQ 0 calls the alarm's handler without the lock (the
 * scheduler's takes sched_lock). Its IRQ reaches the boot CPU, so this
 * alarm is the boot CPU's; a per-CPU one-shot (the local APIC timer) takes
 * its place for the others.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/idt.h>
#include <arch/x86_64/pic.h>
#include <arch/x86_64/pit.h>
#include <kernel/console.h>
#include <kernel/panic.h>
#include <kernel/spinlock.h>
#include <kernel/timer.h>

#define TIMER_IRQ  0
#define NS_PER_S   1000000000ull
#define NS_PER_MS  1000000ull
#define HZ_PER_MHZ 1000000ull
#define MULT_SHIFT 32 /* ns = ticks * mult >> MULT_SHIFT */

/* Calibration: start below the reload value, then 47727 PIT clocks (40 ms);
 * SAMPLE_TRIES readings per pair, CALIBRATION_TRIES measurements at most. */
#define CALIBRATION_START   65000
#define CALIBRATION_CLOCKS  47727
#define SAMPLE_TRIES        8
#define CALIBRATION_TRIES   5
#define LOOSENESS_DIVISOR   2000 /* pairs looser than 1/2000 of the interval: measure again */
#define STOPWATCH_LIMIT_TSC (1ull << 34) /* seconds at any TSC rate: the stopwatch is dead */

/* CPUID (Intel SDM vol. 2A): the highest extended leaf, and leaf 0x80000007's
 * "Invariant TSC available" bit. */
#define CPUID_MAX_EXT_LEAF      0x80000000u
#define CPUID_POWER_MANAGEMENT  0x80000007u
#define CPUID_EDX_INVARIANT_TSC (1u << 8)

/* The one-shot: the longest count in ns (54.9 ms), and the count's margin. */
#define PIT_RANGE_NS     (PIT_COUNT_MAX * NS_PER_S / PIT_INPUT_HZ)
#define PIT_MARGIN_SHIFT 13 /* count >> 13: 1/8192 */

static uint64_t tsc_hz;
static uint64_t tsc_at_init;
static uint64_t ns_mult; /* 0 before timer_init: the time reads 0 */

/* Deadlines (TIMER_NO_ALARM: none) and what the PIT counts toward; written
 * under timer_lock, read by IRQ 0 and by sleep_ms's loop. */
static struct spinlock timer_lock = SPINLOCK_INIT("timer_lock");
static volatile uint64_t alarm_deadline = TIMER_NO_ALARM;
static volatile uint64_t sleep_deadline = TIMER_NO_ALARM;
static timer_alarm_handler_fn alarm_handler;
static uint64_t pit_deadline; /* valid while pit_armed */
static bool pit_armed;        /* a count runs whose IRQ 0 has not come yet */
static bool irq_open;         /* IRQ 0 unmasked at the PIC */
static volatile uint64_t interrupts;

static uint64_t ticks_to_ns(uint64_t ticks)
{
    return (uint64_t)(((unsigned __int128)ticks * ns_mult) >> MULT_SHIFT);
}

uint64_t timer_now_ns(void)
{
    return ticks_to_ns(rdtsc() - tsc_at_init);
}

uint64_t timer_uptime_ms(void)
{
    return timer_now_ns() / NS_PER_MS;
}

uint64_t timer_tsc_hz(void)
{
    return tsc_hz;
}

uint64_t timer_interrupts(void)
{
    return interrupts;
}

/* PIT clocks for delta_ns: rounded up, plus 1/8192 and one clock, so a TSC
 * rate measured a few ppm high does not make the IRQ come a hair early by
 * the TSC (and need a second one); that margin makes it at most 123 ppm +
 * 838 ns late. */
static uint32_t pit_count_for(uint64_t delta_ns)
{
    if (delta_ns >= PIT_RANGE_NS)
        return PIT_COUNT_MAX;
    uint64_t count = (delta_ns * PIT_INPUT_HZ + NS_PER_S - 1) / NS_PER_S;
    count += (count >> PIT_MARGIN_SHIFT) + 1;
    return count < PIT_COUNT_MAX ? (uint32_t)count : PIT_COUNT_MAX;
}

/* Open or close IRQ 0 at the PIC, touching the mask only when it changes. */
static void set_irq_open(bool open)
{
    if (open == irq_open)
        return;
    irq_open = open;
    if (open)
        pic_unmask(TIMER_IRQ);
    else
        pic_mask(TIMER_IRQ);
}

/* Point the PIT at the earlier deadline, or stop it; timer_lock held. */
static void program_next(void)
{
    uint64_t next = alarm_deadline < sleep_deadline ? alarm_deadline : sleep_deadline;
    if (next == TIMER_NO_ALARM) {
        if (pit_armed)
            pit_oneshot_stop();
        pit_armed = false;
        set_irq_open(false);
        return;
    }
    if (pit_armed && pit_deadline == next)
        return; /* already counting toward it */
    uint64_t now = timer_now_ns();
    pit_oneshot_start(pit_count_for(next > now ? next - now : 0));
    pit_deadline = next;
    pit_armed = true;
    set_irq_open(true);
}

/* IRQ 0: settle the deadlines that have passed, then re-arm for the rest
 * (after the handler, which usually arms the alarm again itself). */
static void timer_irq(void)
{
    spin_lock(&timer_lock);
    interrupts = interrupts + 1;
    pit_armed = false; /* this was its edge (or a stale one: re-armed below) */
    uint64_t now = timer_now_ns();
    if (sleep_deadline <= now)
        sleep_deadline = TIMER_NO_ALARM; /* the sleeper's hlt ends with this IRQ */
    timer_alarm_handler_fn fire = NULL;
    if (alarm_deadline <= now) {
        alarm_deadline = TIMER_NO_ALARM;
        fire = alarm_handler;
    }
    spin_unlock(&timer_lock);
    if (fire)
        fire(now);
    spin_lock(&timer_lock);
    program_next();
    spin_unlock(&timer_lock);
}

void timer_set_alarm_handler(timer_alarm_handler_fn handler)
{
    uint64_t flags = spin_lock_irqsave(&timer_lock);
    alarm_handler = handler;
    spin_unlock_irqrestore(&timer_lock, flags);
}

timer_alarm_handler_fn timer_alarm_handler(void)
{
    return alarm_handler;
}

void timer_set_alarm(uint64_t deadline_ns)
{
    uint64_t flags = spin_lock_irqsave(&timer_lock);
    alarm_deadline = deadline_ns;
    program_next();
    spin_unlock_irqrestore(&timer_lock, flags);
}

uint64_t timer_alarm_deadline(void)
{
    return alarm_deadline;
}

uint64_t sleep_ms(uint64_t ms)
{
    uint64_t start = timer_now_ns();
    uint64_t deadline =
        ms < (TIMER_NO_ALARM - 1 - start) / NS_PER_MS ? start + ms * NS_PER_MS : TIMER_NO_ALARM - 1;
    uint64_t wakeups = 0;
    while (timer_now_ns() < deadline) {
        cpu_disable_interrupts(); /* this CPU: the halt below must not miss IRQ 0 */
        /* The earliest sleeper's deadline is armed; a later one re-arms
         * its own when the earlier wakes everyone. */
        spin_lock(&timer_lock);
        if (deadline < sleep_deadline)
            sleep_deadline = deadline;
        program_next();
        spin_unlock(&timer_lock);
        cpu_enable_interrupts_and_halt(); /* sti; hlt: IRQ 0 cannot slip in between */
        wakeups++;
    }
    return wakeups;
}

/* A TSC value and the stopwatch's count at that moment, known to +- width / 2. */
struct pit_sample {
    uint64_t tsc, width;
    uint32_t count;
};

/* The tightest of SAMPLE_TRIES readings of the stopwatch. */
static struct pit_sample tight_sample(void)
{
    struct pit_sample best = {0, UINT64_MAX, 0};
    for (int i = 0; i < SAMPLE_TRIES; i++) {
        uint64_t before = rdtsc();
        uint32_t count = pit_stopwatch_read();
        uint64_t after = rdtsc();
        if (after - before < best.width)
            best = (struct pit_sample){before + (after - before) / 2, after - before, count};
    }
    return best;
}

/* Spin until the stopwatch reads `count` or less (or has run out); false
 * if it never gets there: no channel 2 behind port 0x61. */
static bool wait_for_count(uint32_t count)
{
    uint64_t begin = rdtsc();
    for (;;) {
        uint32_t now = pit_stopwatch_read();
        if ((now != 0 && now <= count) || pit_stopwatch_expired())
            return true; /* 0 right after the start is 65536 */
        if (rdtsc() - begin > STOPWATCH_LIMIT_TSC)
            return false;
    }
}

struct tsc_measurement {
    uint64_t hz;    /* 0: none (no stopwatch, or it ran out: count ambiguous) */
    uint64_t ticks; /* TSC ticks between the two pairs */
    uint64_t loose; /* uncertainty of ticks: half the two pairs' widths */
};

/* One measurement of the TSC's rate over CALIBRATION_CLOCKS. */
static struct tsc_measurement measure_tsc(void)
{
    struct tsc_measurement m = {0, 0, UINT64_MAX};
    pit_stopwatch_start();
    if (wait_for_count(CALIBRATION_START)) {
        struct pit_sample start = tight_sample();
        bool reached = wait_for_count(start.count - CALIBRATION_CLOCKS);
        struct pit_sample end = tight_sample();
        if (reached && !pit_stopwatch_expired()) {
            m.ticks = end.tsc - start.tsc;
            m.loose = (start.width + end.width) / 2;
            m.hz = m.ticks * PIT_INPUT_HZ / (start.count - end.count);
        }
    }
    pit_stopwatch_stop();
    return m;
}

/* The TSC's rate: the first measurement tight enough, else the tightest. */
static uint64_t calibrate_tsc_hz(void)
{
    struct tsc_measurement best = {0, 0, UINT64_MAX};
    for (int i = 0; i < CALIBRATION_TRIES; i++) {
        struct tsc_measurement m = measure_tsc();
        if (m.hz && m.loose <= best.loose)
            best = m;
        if (best.hz && best.loose < best.ticks / LOOSENESS_DIVISOR)
            break;
    }
    if (best.hz == 0)
        panic("timer: PIT channel 2 (port 0x61) gave no TSC rate: no time base");
    return best.hz;
}

static bool tsc_is_invariant(void)
{
    uint32_t max_ext, unused, edx;
    cpuid(CPUID_MAX_EXT_LEAF, &max_ext, &unused, &unused, &unused);
    if (max_ext < CPUID_POWER_MANAGEMENT)
        return false;
    cpuid(CPUID_POWER_MANAGEMENT, &unused, &unused, &unused, &edx);
    return edx & CPUID_EDX_INVARIANT_TSC;
}

void timer_init(void)
{
    tsc_hz = calibrate_tsc_hz();
    ns_mult = (NS_PER_S << MULT_SHIFT) / tsc_hz;
    tsc_at_init = rdtsc();
    pit_oneshot_stop();
    irq_install(TIMER_IRQ, timer_irq); /* unmasks IRQ 0 */
    irq_open = true;
    program_next(); /* nothing armed: IRQ 0 masked again */
    kprintf("timer: TSC %llu MHz (%s), PIT one-shot\n",
            (unsigned long long)((tsc_hz + HZ_PER_MHZ / 2) / HZ_PER_MHZ),
            tsc_is_invariant() ? "invariant" : "not invariant");
}
