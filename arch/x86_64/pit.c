/*
 * pit.c - the Programmable Interval Timer (Intel 8254 data sheet).
 *
 * Channel 0 counts down from a 16-bit divisor at 1.193182 MHz and raises
 * IRQ 0 each time it wraps: mode 2 (rate generator) gives one evenly spaced
 * pulse per period. The divisor is written low byte then high byte.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/pit.h>

#define PIT_CHANNEL0_DATA 0x40
#define PIT_COMMAND       0x43
/* Command byte: channel 0 (bits 7-6 = 00), access low then high byte
 * (bits 5-4 = 11), mode 2 (bits 3-1 = 010), binary (bit 0 = 0). */
#define PIT_CHANNEL0_RATE_GENERATOR 0x34
#define PIT_DIVISOR_MAX             65536u /* written as 0 */

uint64_t pit_set_frequency(uint32_t hz)
{
    uint32_t divisor = (PIT_INPUT_HZ + hz / 2) / hz;
    if (divisor < 1)
        divisor = 1;
    if (divisor > PIT_DIVISOR_MAX)
        divisor = PIT_DIVISOR_MAX;
    outb(PIT_COMMAND, PIT_CHANNEL0_RATE_GENERATOR);
    outb(PIT_CHANNEL0_DATA, divisor & 0xFF);
    outb(PIT_CHANNEL0_DATA, (divisor >> 8) & 0xFF);
    return (uint64_t)PIT_INPUT_HZ * 1000 / divisor;
}
