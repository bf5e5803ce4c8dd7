/*
 * timer.c - ticks from the PIT, uptime and sleep.
 *
 * IRQ 0 increments a 64-bit counter (one aligned 64-bit store, so a reader
 * never sees half an update on x86_64). sleep_ms() halts between ticks: the
 * CPU does nothing until the next interrupt instead of spinning.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/idt.h>
#include <arch/x86_64/pit.h>
#include <kernel/timer.h>

#define TIMER_IRQ 0

static volatile uint64_t ticks;
static uint32_t ticks_per_second;

void timer_tick(void)
{
    ticks = ticks + 1;
}

void timer_init(uint32_t hz)
{
    ticks_per_second = hz;
    pit_set_frequency(hz);
    irq_install(TIMER_IRQ, timer_tick);
}

uint32_t timer_hz(void)
{
    return ticks_per_second;
}

uint64_t timer_ticks(void)
{
    return ticks;
}

uint64_t timer_uptime_ms(void)
{
    return ticks * 1000 / ticks_per_second;
}

uint64_t sleep_ms(uint64_t ms)
{
    uint64_t target = ticks + (ms * ticks_per_second + 999) / 1000;
    uint64_t wakeups = 0;
    while (ticks < target) {
        cpu_halt(); /* interrupts are on: the next tick (or key) wakes us */
        wakeups++;
    }
    return wakeups;
}
