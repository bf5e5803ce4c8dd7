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
 * Local APIC timers: once kernel/smp.c has the local APICs on
 * (timer_use_lapic), every CPU has an alarm of its own, its local APIC
 * timer in one-shot mode, and the PIT serves only the calibration. The
 * APIC timer's rate is measured against the TSC (itself measured against
 * the PIT above): a free count-down from 2^32 - 1 over LAPIC_CALIBRATION_NS
 * of TSC time, the tightest of a few. The deadlines are then per CPU: each
 * CPU's alarm and sleep_ms's deadline on that CPU arm that CPU's timer, and
 * the alarm handler runs on the CPU whose timer fired. One count of the
 * timer reaches 2^32 - 1 ticks (about 69 s at QEMU's 1 GHz / 16); a later
 * deadline re-arms from the interrupt as with the PIT.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/idt.h>
#include <arch/x86_64/lapic.h>
#include <arch/x86_64/percpu.h>
#include <arch/x86_64/pic.h>
#include <arch/x86_64/pit.h>
#include <kernel/console.h>
#include <kernel/panic.h>
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

/* The local APIC timers: calibration over 10 ms, a few tries; the margin
 * as for the PIT. */
#define LAPIC_CALIBRATION_NS    10000000ull
#define LAPIC_CALIBRATION_TRIES 3
#define LAPIC_COUNT_MAX         UINT32_MAX

static uint64_t tsc_hz;
static uint64_t tsc_at_init;
static uint64_t ns_mult; /* 0 before timer_init: the time reads 0 */

/* One CPU's deadlines (TIMER_NO_ALARM: none) and what its one-shot counts
 * toward; written by that CPU with interrupts off, read by its timer
 * interrupt and its sleep_ms loop. Before timer_use_lapic only CPU 0 runs,
 * on the PIT. */
struct cpu_timer {
    volatile uint64_t alarm_deadline;
    volatile uint64_t sleep_deadline;
    uint64_t armed_deadline; /* valid while armed */
    bool armed;              /* a count runs whose interrupt has not come yet */
};

static struct cpu_timer cpu_timers[KEEL_MAX_CPUS];
static timer_alarm_handler_fn alarm_handler;
static bool irq_open; /* IRQ 0 unmasked at the PIC */
static volatile uint64_t interrupts;
static uint64_t lapic_hz;      /* 0: the PIT is the one-shot */
static uint64_t lapic_ns_mult; /* ticks = ns * lapic_ns_mult >> MULT_SHIFT */

static struct cpu_timer *my_timer(void)
{
    return &cpu_timers[this_cpu()->id];
}

static void timer_init_ap_slot(unsigned cpu)
{
    cpu_timers[cpu] = (struct cpu_timer){TIMER_NO_ALARM, TIMER_NO_ALARM, 0, false};
}

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

/* Local APIC ticks for delta_ns, with the PIT's margin. */
static uint32_t lapic_count_for(uint64_t delta_ns)
{
    unsigned __int128 ticks = ((unsigned __int128)delta_ns * lapic_ns_mult) >> MULT_SHIFT;
    ticks += (ticks >> PIT_MARGIN_SHIFT) + 1;
    return ticks < LAPIC_COUNT_MAX ? (uint32_t)ticks : LAPIC_COUNT_MAX;
}

/* Stop the one-shot, or start it toward delta_ns from now. */
static void oneshot_stop(void)
{
    if (lapic_hz)
        lapic_timer_stop();
    else {
        pit_oneshot_stop();
        set_irq_open(false);
    }
}

static void oneshot_start(uint64_t delta_ns)
{
    if (lapic_hz)
        lapic_timer_start(lapic_count_for(delta_ns));
    else {
        pit_oneshot_start(pit_count_for(delta_ns));
        set_irq_open(true);
    }
}

/* Point this CPU's one-shot at its earlier deadline, or stop it;
 * interrupts off. */
static void program_next(void)
{
    struct cpu_timer *t = my_timer();
    uint64_t next = t->alarm_deadline < t->sleep_deadline ? t->alarm_deadline : t->sleep_deadline;
    if (next == TIMER_NO_ALARM) {
        if (t->armed)
            oneshot_stop();
        else if (!lapic_hz)
            set_irq_open(false);
        t->armed = false;
        return;
    }
    if (t->armed && t->armed_deadline == next)
        return; /* already counting toward it */
    uint64_t now = timer_now_ns();
    oneshot_start(next > now ? next - now : 0);
    t->armed_deadline = next;
    t->armed = true;
}

/* IRQ 0, or this CPU's local APIC timer: settle the deadlines that have
 * passed, then re-arm for the rest. */
static void timer_irq(void)
{
    __atomic_fetch_add(&interrupts, 1, __ATOMIC_RELAXED);
    struct cpu_timer *t = my_timer();
    t->armed = false; /* this was its edge (or a stale one: re-armed below) */
    uint64_t now = timer_now_ns();
    if (t->sleep_deadline <= now)
        t->sleep_deadline = TIMER_NO_ALARM; /* the sleeper's hlt ends with this interrupt */
    if (t->alarm_deadline <= now) {
        t->alarm_deadline = TIMER_NO_ALARM;
        if (alarm_handler)
            alarm_handler(now);
    }
    program_next();
}

void timer_set_alarm_handler(timer_alarm_handler_fn handler)
{
    uint64_t flags = cpu_save_and_disable_interrupts();
    alarm_handler = handler;
    cpu_restore_interrupts(flags);
}

timer_alarm_handler_fn timer_alarm_handler(void)
{
    return alarm_handler;
}

void timer_set_alarm(uint64_t deadline_ns)
{
    uint64_t flags = cpu_save_and_disable_interrupts();
    my_timer()->alarm_deadline = deadline_ns;
    program_next();
    cpu_restore_interrupts(flags);
}

uint64_t timer_alarm_deadline(void)
{
    return my_timer()->alarm_deadline;
}

uint64_t sleep_ms(uint64_t ms)
{
    uint64_t start = timer_now_ns();
    uint64_t deadline =
        ms < (TIMER_NO_ALARM - 1 - start) / NS_PER_MS ? start + ms * NS_PER_MS : TIMER_NO_ALARM - 1;
    uint64_t wakeups = 0;
    while (timer_now_ns() < deadline) {
        cpu_disable_interrupts();
        /* The earliest sleeper's deadline is armed; a later one re-arms
         * its own when the earlier wakes everyone. */
        struct cpu_timer *t = my_timer();
        if (deadline < t->sleep_deadline)
            t->sleep_deadline = deadline;
        program_next();
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

/* The local APIC timer's rate in Hz, from a free count-down over
 * LAPIC_CALIBRATION_NS of TSC time; the tightest of a few tries. */
static uint64_t calibrate_lapic_hz(void)
{
    uint64_t best = 0, best_width = UINT64_MAX;
    for (int i = 0; i < LAPIC_CALIBRATION_TRIES; i++) {
        lapic_timer_start_free();
        uint64_t t0 = rdtsc();
        uint32_t c0 = lapic_timer_remaining();
        uint64_t t1 = rdtsc();
        uint64_t end = t0 + LAPIC_CALIBRATION_NS * tsc_hz / NS_PER_S;
        while (rdtsc() < end)
            cpu_relax();
        uint64_t t2 = rdtsc();
        uint32_t c1 = lapic_timer_remaining();
        uint64_t t3 = rdtsc();
        lapic_timer_stop();
        uint64_t width = (t1 - t0) + (t3 - t2);
        uint64_t ticks = (t2 + t3) / 2 - (t0 + t1) / 2;
        if (c1 < c0 && ticks && width < best_width) {
            best_width = width;
            best = (uint64_t)(c0 - c1) * tsc_hz / ticks; /* 10 ms of ticks (< 2^30) times < 2^34 */
        }
    }
    return best;
}

uint64_t timer_lapic_hz(void)
{
    return lapic_hz;
}

bool timer_use_lapic(void)
{
    uint64_t hz = calibrate_lapic_hz();
    if (hz == 0)
        return false;
    uint64_t flags = cpu_save_and_disable_interrupts();
    pit_oneshot_stop();
    irq_remove(TIMER_IRQ);
    irq_open = false;
    interrupt_install_local(VECTOR_LAPIC_TIMER, timer_irq);
    lapic_ns_mult = (hz << MULT_SHIFT) / NS_PER_S;
    lapic_hz = hz;
    my_timer()->armed = false;
    program_next(); /* what the PIT counted toward, now on the local APIC */
    cpu_restore_interrupts(flags);
    return true;
}

void timer_init_ap(void)
{
    timer_init_ap_slot(this_cpu()->id);
}

void timer_init(void)
{
    for (unsigned i = 0; i < KEEL_MAX_CPUS; i++)
        timer_init_ap_slot(i);
    tsc_hz = calibrate_tsc_hz();
    ns_mult = (NS_PER_S << MULT_SHIFT) / tsc_hz;
    tsc_at_init = rdtsc();
    pit_oneshot_stop();
    irq_install(TIMER_IRQ, timer_irq); /* unmasks IRQ 0 */
    irq_open = true;
    program_next(); /* nothing armed: IRQ 0 masked again */
}

void timer_print_line(void)
{
    kprintf("timer: TSC %llu MHz (%s), ",
            (unsigned long long)((tsc_hz + HZ_PER_MHZ / 2) / HZ_PER_MHZ),
            tsc_is_invariant() ? "invariant" : "not invariant");
    if (lapic_hz)
        kprintf("local APIC one-shot at %llu MHz on every CPU\n",
                (unsigned long long)((lapic_hz + HZ_PER_MHZ / 2) / HZ_PER_MHZ));
    else
        kprintf("PIT one-shot\n");
}
