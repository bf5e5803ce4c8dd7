/*
 * timer.h - the system tick: time since boot and sleeping.
 */
#ifndef KEEL_KERNEL_TIMER_H
#define KEEL_KERNEL_TIMER_H

#include <stdint.h>

/* Ticks per second. 1000 gives sleep_ms its millisecond resolution; the
 * idle cost of 1000 wake-ups a second is measured by `make bench`. */
#define TIMER_DEFAULT_HZ 1000

/* Start the PIT at `hz` and count ticks from IRQ 0 (interrupts still off). */
void timer_init(uint32_t hz);
uint32_t timer_hz(void);
/* Ticks since timer_init; monotonic, safe to read with interrupts on. */
uint64_t timer_ticks(void);
uint64_t timer_uptime_ms(void);
/* Sleep at least `ms` milliseconds, halting the CPU between ticks.
 * Needs interrupts enabled. Returns how many times the CPU woke up. */
uint64_t sleep_ms(uint64_t ms);
/* The IRQ 0 work: count one tick. Exposed for handlers that wrap it. */
void timer_tick(void);

#endif
