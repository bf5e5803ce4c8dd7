/*
 * pit.h - the 8253/8254 Programmable Interval Timer, channel 0.
 */
#ifndef KEEL_ARCH_X86_64_PIT_H
#define KEEL_ARCH_X86_64_PIT_H

#include <stdint.h>

#define PIT_INPUT_HZ 1193182u /* the PC's 14.31818 MHz crystal / 12 */

/* Program channel 0 as a rate generator firing IRQ 0 at about `hz` times a
 * second (18..1193182); returns the rate actually achieved, in mHz. */
uint64_t pit_set_frequency(uint32_t hz);

#endif
