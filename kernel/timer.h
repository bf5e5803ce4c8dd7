/*
 * timer.h - time since boot from the TSC, and the one-shot alarm on IRQ 0
 * (kernel/timer.c says how).
 *
 * There is no periodic tick: IRQ 0 comes only when an alarm (or sleep_ms)
 * asks for it, so an idle CPU with nothing armed takes no timer interrupts.
 */
#ifndef KEEL_KERNEL_TIMER_H
#define KEEL_KERNEL_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define TIMER_NO_ALARM UINT64_MAX /* timer_set_alarm: disarmed */

/* Calibrate the TSC against the PIT, stop PIT channel 0 (one-shot mode)
 * and install IRQ 0. Interrupts stay off. */
void timer_init(void);
/* The boot line: the TSC's rate and which one-shot serves the alarms. */
void timer_print_line(void);
/* Monotonic nanoseconds since timer_init, from the TSC; safe in IRQ context. */
uint64_t timer_now_ns(void);
/* timer_now_ns() / 1000000. */
uint64_t timer_uptime_ms(void);
/* The TSC's rate as calibrated by timer_init, in Hz. */
uint64_t timer_tsc_hz(void);

typedef void (*timer_alarm_handler_fn)(uint64_t now_ns);

/* The one client of the one-shot timer (the scheduler) sets where its alarm
 * goes. handler runs in interrupt context (IRQ 0) with interrupts off, once
 * the deadline has passed, with the current time; it may call
 * timer_set_alarm and must return (a thread switch it wants happens on the
 * way out of the interrupt, not inside the handler). NULL: no handler. */
void timer_set_alarm_handler(timer_alarm_handler_fn handler);
/* Arm the one-shot for deadline_ns (absolute, timer_now_ns() scale);
 * TIMER_NO_ALARM disarms: then no timer interrupt comes at all. Deadlines
 * beyond the PIT's range (65536 / 1.193182 MHz = 54.9 ms) are reached by
 * re-arming from IRQ 0 without calling the handler; a deadline already past
 * fires as soon as possible. Replaces the previous deadline. Callable with
 * interrupts on or off. */
void timer_set_alarm(uint64_t deadline_ns);
/* The handler and deadline set now, for tests that borrow the alarm and
 * give it back. The deadline is TIMER_NO_ALARM once the alarm has fired. */
timer_alarm_handler_fn timer_alarm_handler(void);
uint64_t timer_alarm_deadline(void);
/* IRQ 0s taken since boot, for `uptime` and tests. */
uint64_t timer_interrupts(void);

/* Move every CPU's one-shot to its local APIC timer (kernel/smp.c, once the
 * boot CPU's local APIC is on): calibrate it against the TSC, stop the PIT
 * and take IRQ 0 away. False (the PIT stays) if the APIC
 * timer does not count. Then timer_set_alarm and sleep_ms arm the calling
 * CPU's own timer, and the alarm handler runs on the CPU whose timer fired. */
bool timer_use_lapic(void);
/* Local APIC timer ticks per second, 0 while the PIT is the one-shot. */
uint64_t timer_lapic_hz(void);
/* An application processor's timer state, before it arms anything. */
void timer_init_ap(void);

/* Sleep at least `ms` milliseconds, halting the CPU until IRQ 0 (or another
 * interrupt) comes: for code that runs without a scheduler (a thread sleeps
 * with thread_sleep_ms instead). Needs interrupts enabled. Shares the
 * one-shot with the alarm without disturbing it; several callers at once
 * each get their own deadline. Returns how many times the CPU woke up. */
uint64_t sleep_ms(uint64_t ms);

#endif
