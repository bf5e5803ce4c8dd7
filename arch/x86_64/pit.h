/*
 * pit.h - the 8254 Programmable Interval Timer: channel 0 as a one-shot
 * (IRQ 0) and channel 2 as a stopwatch for calibrating the TSC.
 */
#ifndef KEEL_ARCH_X86_64_PIT_H
#define KEEL_ARCH_X86_64_PIT_H

/* Ports and control words (data sheet, "Control Word Format": channel in
 * bits 7-6, access in 5-4 (11: low then high byte, 00: latch the count),
 * mode in 3-1, binary in 0); no type suffixes, so assembly includes them
 * too (tests/bench/halt_kernel.S). */
#define PIT_CHANNEL0_DATA    0x40
#define PIT_CHANNEL2_DATA    0x42
#define PIT_COMMAND          0x43
#define PIT_CHANNEL0_ONESHOT 0x30 /* channel 0, low then high, mode 0 */
#define PIT_CHANNEL2_ONESHOT 0xB0 /* channel 2, low then high, mode 0 */
#define PIT_CHANNEL2_LATCH   0x80 /* channel 2: latch the count */

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

#define PIT_INPUT_HZ  1193182u /* the PC's 14.31818 MHz crystal / 12 */
#define PIT_COUNT_MAX 65536u   /* the longest count, written as 0: 54.9 ms */

/* Channel 0 in mode 0: IRQ 0 rises once, `count` input clocks from now
 * (clamped to 1..PIT_COUNT_MAX), and not again until the next call. */
void pit_oneshot_start(uint32_t count);
/* Channel 0 stopped with its output low: no IRQ 0 edge until the next
 * pit_oneshot_start (on an 8254; see pit.c for QEMU's model). */
void pit_oneshot_stop(void);
/* Channel 2 as a stopwatch: counting down from 65536 (one clock every
 * 838 ns, 54.9 ms in all), the speaker off. */
void pit_stopwatch_start(void);
/* Its count now (0..65535, falling; 0 right after the start means 65536). */
uint32_t pit_stopwatch_read(void);
/* Whether the count has passed zero since pit_stopwatch_start. */
bool pit_stopwatch_expired(void);
/* Channel 2 stopped (gate off). */
void pit_stopwatch_stop(void);

#endif /* __ASSEMBLER__ */

#endif
