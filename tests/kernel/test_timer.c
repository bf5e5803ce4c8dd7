/*
 * test_timer.c - in-kernel checks of the time base and the one-shot alarm
 * (kernel/timer.c): the TSC's nanoseconds against the CMOS clock, an alarm
 * that fires once and on time, silence when disarmed, re-arming for
 * deadlines beyond the PIT's 54.9 ms, and sleep_ms beside an armed alarm.
 *
 * The alarm cases borrow the alarm from its client (the scheduler, when one
 * runs) and give handler and deadline back afterwards. They wait for an
 * alarm halted, as an idle CPU does (a spinning guest makes QEMU's own
 * timer thread wait for a host CPU, and the alarm comes late), and spin only
 * where no interrupt may come. A broken timer can hang a halting case,
 * which the runner reports as a hang.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/pic.h>
#include <drivers/rtc/rtc.h>
#include <kernel/ktest.h>
#include <kernel/timer.h>

#define NS_PER_MS             1000000ull
#define RTC_TOLERANCE_PERCENT 2
#define MAX_LATE_NS           (2 * NS_PER_MS) /* the alarm's promise: within 2 ms */
#define ONE_SHOT_TRIALS       5
#define AFTER_FIRING_NS       (20 * NS_PER_MS) /* watched after a firing: no second one */
#define QUIET_NS              (100 * NS_PER_MS)
#define FAR_DEADLINE_NS       (200 * NS_PER_MS)
#define PIT_RANGE_NS          54925000ull    /* 65536 / 1.193182 MHz */
#define TIMER_IRQ_MASK        0x0001         /* bit 0 of pic_masks(): IRQ 0 */
#define TSC_HZ_MIN            10000000ull    /* 10 MHz */
#define TSC_HZ_MAX            20000000000ull /* 20 GHz */
#define STALE_EDGES_ALLOWED   2 /* IRQ 0s that only re-arm: a stale edge, a hair early */

static volatile uint64_t fired_count;
static volatile uint64_t fired_at;
static volatile bool fired_with_interrupts_on;

static void record_alarm(uint64_t now_ns)
{
    fired_count = fired_count + 1;
    fired_at = now_ns;
    if (cpu_interrupts_enabled())
        fired_with_interrupts_on = true;
}

struct borrowed_alarm {
    timer_alarm_handler_fn handler;
    uint64_t deadline;
};

/* Take the alarm over for record_alarm, disarmed, counters at zero. */
static struct borrowed_alarm borrow_alarm(void)
{
    uint64_t flags = cpu_save_and_disable_interrupts();
    struct borrowed_alarm owner = {timer_alarm_handler(), timer_alarm_deadline()};
    timer_set_alarm(TIMER_NO_ALARM);
    timer_set_alarm_handler(record_alarm);
    fired_count = 0;
    fired_at = 0;
    fired_with_interrupts_on = false;
    cpu_restore_interrupts(flags);
    return owner;
}

/* Give the alarm back as it was (a deadline that passed meanwhile fires at once). */
static void return_alarm(struct borrowed_alarm owner)
{
    uint64_t flags = cpu_save_and_disable_interrupts();
    timer_set_alarm_handler(owner.handler);
    timer_set_alarm(owner.deadline);
    cpu_restore_interrupts(flags);
}

/* Spin with interrupts on until timer_now_ns() reaches `until`. */
static void spin_until(uint64_t until)
{
    while (timer_now_ns() < until)
        cpu_relax();
}

/* Halt until the alarm has fired (or `limit` has passed at a wake-up); each
 * IRQ 0 on the way, re-arming or not, ends one hlt. */
static void halt_until_fired(uint64_t limit)
{
    for (;;) {
        cpu_disable_interrupts();
        if (fired_count || timer_now_ns() >= limit)
            break;
        cpu_enable_interrupts_and_halt(); /* sti; hlt: no IRQ slips in between */
    }
    cpu_enable_interrupts();
}

static void wait_rtc_edge(void)
{
    uint8_t second = rtc_seconds();
    while (rtc_seconds() == second)
        sleep_ms(1);
}

/* Two whole CMOS seconds must be two seconds of timer_now_ns. */
KTEST(timer_now_matches_rtc)
{
    wait_rtc_edge();
    uint64_t start = timer_now_ns();
    wait_rtc_edge();
    wait_rtc_edge();
    uint64_t elapsed = timer_now_ns() - start;
    uint64_t expected = 2000 * NS_PER_MS;
    uint64_t slack = expected * RTC_TOLERANCE_PERCENT / 100;
    if (elapsed + slack < expected || elapsed > expected + slack)
        ktest_fail(__FILE__, __LINE__,
                   "%llu ms in 2 RTC seconds, expected 2000 +- %llu (TSC %llu Hz)",
                   (unsigned long long)(elapsed / NS_PER_MS),
                   (unsigned long long)(slack / NS_PER_MS), (unsigned long long)timer_tsc_hz());
}

KTEST(timer_time_is_monotonic_and_plausible)
{
    KTEST_CHECK(timer_tsc_hz() >= TSC_HZ_MIN && timer_tsc_hz() <= TSC_HZ_MAX);
    uint64_t previous = timer_now_ns();
    for (int i = 0; i < 10000; i++) {
        uint64_t now = timer_now_ns();
        KTEST_CHECK(now >= previous);
        previous = now;
    }
    KTEST_CHECK_EQ(timer_uptime_ms(), timer_now_ns() / NS_PER_MS);
}

/* One trial: an alarm offset_ns from now (a past deadline when negative)
 * fires once, not before its deadline, with interrupts off; returns how
 * long after it was due (its deadline, or the arming for a past one) it
 * came, or UINT64_MAX after a failed check. */
static uint64_t one_shot_lateness(int64_t offset_ns)
{
    fired_count = 0;
    uint64_t armed_at = timer_now_ns();
    uint64_t deadline = armed_at + (uint64_t)offset_ns;
    uint64_t due = offset_ns > 0 ? deadline : armed_at;
    timer_set_alarm(deadline);
    sleep_ms((due - armed_at + AFTER_FIRING_NS) / NS_PER_MS);
    if (fired_count != 1 || fired_at < deadline || fired_with_interrupts_on) {
        ktest_fail(__FILE__, __LINE__, "alarm %lld us ahead: fired %llu times, %lld us after it%s",
                   (long long)offset_ns / 1000, (unsigned long long)fired_count,
                   (long long)(fired_at - due) / 1000,
                   fired_with_interrupts_on ? ", with interrupts on" : "");
        return UINT64_MAX;
    }
    return fired_at - due;
}

/* ONE_SHOT_TRIALS alarms at offset_ns + i * step_ns: each must fire once
 * and not early, and the median must come within 2 ms of being due. Only
 * the median: one trial may lose the host CPU (QEMU shares it with other
 * work), which is no fault of the timer's. */
static void check_one_shots(int64_t offset_ns, int64_t step_ns)
{
    struct borrowed_alarm owner = borrow_alarm();
    uint64_t late[ONE_SHOT_TRIALS];
    int count = 0;
    for (; count < ONE_SHOT_TRIALS; count++) {
        uint64_t value = one_shot_lateness(offset_ns + count * step_ns);
        if (value == UINT64_MAX)
            break;
        int j = count;
        for (; j > 0 && late[j - 1] > value; j--) /* insertion sort */
            late[j] = late[j - 1];
        late[j] = value;
    }
    return_alarm(owner);
    if (count == ONE_SHOT_TRIALS && late[ONE_SHOT_TRIALS / 2] > MAX_LATE_NS)
        ktest_fail(__FILE__, __LINE__, "median lateness %llu us (the worst %llu us)",
                   (unsigned long long)(late[ONE_SHOT_TRIALS / 2] / 1000),
                   (unsigned long long)(late[ONE_SHOT_TRIALS - 1] / 1000));
}

KTEST(alarm_fires_once_not_early_within_2ms)
{
    check_one_shots(3 * NS_PER_MS, 7 * NS_PER_MS); /* 3, 10, 17, 24, 31 ms ahead */
}

KTEST(past_deadline_fires_at_once)
{
    check_one_shots(-(int64_t)NS_PER_MS, 0);
}

/* Disarmed while a count runs: no IRQ 0 for 100 ms, IRQ 0 masked; armed
 * again, the alarm still fires once and not early. */
KTEST(disarmed_alarm_takes_no_interrupts)
{
    struct borrowed_alarm owner = borrow_alarm();
    timer_set_alarm(timer_now_ns() + 5 * NS_PER_MS);
    timer_set_alarm(TIMER_NO_ALARM);
    uint64_t before = timer_interrupts();
    spin_until(timer_now_ns() + QUIET_NS);
    uint64_t taken = timer_interrupts() - before;
    bool masked = pic_masks() & TIMER_IRQ_MASK;
    uint64_t deadline = timer_now_ns() + NS_PER_MS;
    timer_set_alarm(deadline);
    spin_until(deadline + AFTER_FIRING_NS);
    uint64_t fired = fired_count, at = fired_at;
    return_alarm(owner);
    KTEST_CHECK_EQ(taken, 0);
    KTEST_CHECK(masked);
    KTEST_CHECK_EQ(fired, 1);
    KTEST_CHECK(at >= deadline);
}

/* 200 ms is beyond one PIT count: IRQ 0s that only re-arm come first, four
 * in all when every count ends on time (fewer when the host holds QEMU up
 * past a count's end: its 8254 then fires once, late; so at least two). */
KTEST(far_deadline_is_reached_by_rearming)
{
    struct borrowed_alarm owner = borrow_alarm();
    uint64_t before = timer_interrupts();
    uint64_t deadline = timer_now_ns() + FAR_DEADLINE_NS;
    timer_set_alarm(deadline);
    halt_until_fired(deadline + FAR_DEADLINE_NS);
    spin_until(timer_now_ns() + AFTER_FIRING_NS);
    uint64_t taken = timer_interrupts() - before;
    uint64_t fired = fired_count, at = fired_at;
    return_alarm(owner);
    /* The PIT needs 4 counts; a local APIC timer reaches it in one. */
    bool lapic = timer_lapic_hz() != 0;
    uint64_t counts = lapic ? 1 : (FAR_DEADLINE_NS + PIT_RANGE_NS - 1) / PIT_RANGE_NS;
    uint64_t least = lapic ? 1 : 2;
    KTEST_CHECK_EQ(fired, 1);
    KTEST_CHECK(at >= deadline);
    KTEST_CHECK(at - deadline <= 10 * MAX_LATE_NS); /* not one PIT range late */
    if (taken < least || taken > counts + STALE_EDGES_ALLOWED)
        ktest_fail(__FILE__, __LINE__, "%llu timer interrupts for 200 ms, expected %llu to %llu",
                   (unsigned long long)taken, (unsigned long long)least,
                   (unsigned long long)(counts + STALE_EDGES_ALLOWED));
}

KTEST(sleep_halts_instead_of_spinning)
{
    struct borrowed_alarm owner = borrow_alarm(); /* only the sleep arms the PIT */
    uint64_t immediate = sleep_ms(0);
    uint64_t before = timer_now_ns(), interrupts = timer_interrupts();
    uint64_t wakeups = sleep_ms(50);
    uint64_t elapsed = timer_now_ns() - before, taken = timer_interrupts() - interrupts;
    return_alarm(owner);
    KTEST_CHECK_EQ(immediate, 0);
    KTEST_CHECK(elapsed >= 50 * NS_PER_MS);
    /* One wake-up per interrupt; a spinning loop would count millions. */
    KTEST_CHECK(wakeups >= 1 && wakeups <= 10);
    KTEST_CHECK(taken >= 1 && taken <= 1 + STALE_EDGES_ALLOWED);
}

/* sleep_ms and an armed alarm share the PIT: each comes at its own time. */
KTEST(sleep_keeps_an_armed_alarm)
{
    struct borrowed_alarm owner = borrow_alarm();
    uint64_t start = timer_now_ns();
    uint64_t early_alarm = start + 10 * NS_PER_MS;
    timer_set_alarm(early_alarm); /* fires during the sleep */
    sleep_ms(30);
    uint64_t slept = timer_now_ns() - start;
    uint64_t fired_during = fired_count, at = fired_at;
    fired_count = 0;
    uint64_t late_alarm = timer_now_ns() + 100 * NS_PER_MS;
    timer_set_alarm(late_alarm); /* outlives the sleep, by far */
    sleep_ms(10);
    uint64_t fired_in_sleep = fired_count, still_armed = timer_alarm_deadline();
    halt_until_fired(late_alarm + QUIET_NS);
    uint64_t fired_after = fired_count, late_at = fired_at;
    return_alarm(owner);
    KTEST_CHECK(slept >= 30 * NS_PER_MS);
    KTEST_CHECK_EQ(fired_during, 1);
    KTEST_CHECK(at >= early_alarm);
    KTEST_CHECK_EQ(fired_in_sleep, 0);
    KTEST_CHECK_EQ(still_armed, late_alarm);
    KTEST_CHECK_EQ(fired_after, 1);
    KTEST_CHECK(late_at >= late_alarm);
}
