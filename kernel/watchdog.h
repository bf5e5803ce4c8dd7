/*
 * watchdog.h - noticing a CPU that stopped scheduling (kernel/watchdog.c).
 *
 * While it runs, a thread pinned to each CPU wakes every WATCHDOG_PERIOD_MS
 * and sends the next CPU (in a ring) an IPI whose handler records that CPU's
 * heartbeat. A CPU that takes no interrupt for WATCHDOG_TIMEOUT_MS (its
 * interrupts off for good, say, spinning on something that never comes)
 * misses its heartbeats: its neighbour sends it an NMI, which records where
 * it was, and the neighbour prints "watchdog: CPU n stopped scheduling (no
 * heartbeat for N ms)" with the backtrace of what it was running, once per
 * stall. Off by default:
 * an idle machine takes no timer interrupts at all.
 */
#ifndef KEEL_KERNEL_WATCHDOG_H
#define KEEL_KERNEL_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>

#define WATCHDOG_PERIOD_MS  250
#define WATCHDOG_TIMEOUT_MS 2000

/* Start one watchdog thread per online CPU: 0, -EBUSY when running already,
 * -EINVAL with fewer than two CPUs online, -ENOMEM. */
int watchdog_start(void);
/* Stop them and wait until they have ended. */
void watchdog_stop(void);
/* Stalls reported for cpu since boot. */
uint64_t watchdog_reports(unsigned cpu);
/* For the NMI hook (kernel/smp.c): report this CPU's stall if its
 * watchdog sent the NMI, with the backtrace from rip and rbp; true if so. */
bool watchdog_nmi(uint64_t rip, uint64_t rbp);

#endif
