/*
 * pit.c - the Programmable Interval Timer (Intel 8254 data sheet).
 *
 * Each channel counts down at 1.193182 MHz. It is set up by a control word
 * at port 0x43 (data sheet, "Control Word Format") and then given a count,
 * low byte then high byte, at its data port; a count of 0 means 65536.
 *
 * Channel 0 drives IRQ 0 and runs in mode 0, "interrupt on terminal count":
 * the control word sets OUT low; the count is loaded on the next clock and
 * OUT goes high when it reaches zero, N + 1 clocks after the count was
 * written, and stays high until a new count or control word is written.
 * So every count written gives one rising edge, one IRQ 0 (the PIC is
 * edge-triggered), and a control word alone stops the channel with OUT low.
 * QEMU's 8254 model differs there: a control word does not cancel a count
 * already running, so the pending edge still comes (kernel/timer.c masks
 * IRQ 0 at the PIC when it wants none).
 *
 * Channel 2 is gated by bit 0 of port 0x61 (system control port B of the
 * PC/AT) and its OUT reads back as bit 5 of the same port; bit 1 would send
 * OUT to the speaker and stays clear. In mode 0 from 65536 it is a stopwatch
 * the CPU can read with interrupts off, without touching IRQ 0: a counter
 * latch command (access bits 00) freezes the count for reading while the
 * channel counts on, and OUT2 rises when the count passes zero (after which
 * the count wraps to 0xFFFF and goes on down).
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/pit.h>

#define PORT_B            0x61 /* system control port B */
#define PORT_B_GATE2      0x01 /* write: channel 2 counts while set */
#define PORT_B_SPEAKER    0x02 /* write: channel 2's OUT drives the speaker */
#define PORT_B_OUT2       0x20 /* read: channel 2's OUT */
#define PORT_B_WRITE_MASK 0x0F /* bits 7-4 are status: read, never written */

static uint32_t clamp_count(uint32_t count)
{
    if (count < 1)
        return 1;
    return count > PIT_COUNT_MAX ? PIT_COUNT_MAX : count;
}

/* The control word, then the count (65536 becomes 0 in 16 bits). */
static void load_count(uint8_t control_word, uint16_t data_port, uint32_t count)
{
    outb(PIT_COMMAND, control_word);
    outb(data_port, count & 0xFF);
    outb(data_port, (count >> 8) & 0xFF);
}

void pit_oneshot_start(uint32_t count)
{
    load_count(PIT_CHANNEL0_ONESHOT, PIT_CHANNEL0_DATA, clamp_count(count));
}

void pit_oneshot_stop(void)
{
    outb(PIT_COMMAND, PIT_CHANNEL0_ONESHOT); /* OUT low, no count: the channel waits */
}

void pit_stopwatch_start(void)
{
    uint8_t port_b = inb(PORT_B) & PORT_B_WRITE_MASK;
    outb(PORT_B, (port_b & ~PORT_B_SPEAKER) | PORT_B_GATE2);
    load_count(PIT_CHANNEL2_ONESHOT, PIT_CHANNEL2_DATA, PIT_COUNT_MAX);
}

uint32_t pit_stopwatch_read(void)
{
    outb(PIT_COMMAND, PIT_CHANNEL2_LATCH);
    uint32_t low = inb(PIT_CHANNEL2_DATA);
    return low | (uint32_t)inb(PIT_CHANNEL2_DATA) << 8;
}

bool pit_stopwatch_expired(void)
{
    return inb(PORT_B) & PORT_B_OUT2;
}

void pit_stopwatch_stop(void)
{
    outb(PORT_B, inb(PORT_B) & PORT_B_WRITE_MASK & ~PORT_B_GATE2);
}
