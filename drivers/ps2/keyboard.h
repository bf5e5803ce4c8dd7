/*
 * keyboard.h - the PS/2 controller (8042) and the keyboard on its first port.
 */
#ifndef KEEL_DRIVERS_PS2_KEYBOARD_H
#define KEEL_DRIVERS_PS2_KEYBOARD_H

#include <stdbool.h>
#include <stdint.h>

/* Set up the controller (translation to scancode set 1 on, first port's
 * interrupt on) and start taking keyboard bytes on IRQ 1. Returns false
 * when no controller answers. */
bool ps2_keyboard_init(void);
/* Main loop: the oldest byte from the keyboard into *out, or false if none
 * waits. Takes a byte the IRQ 1 handler had to leave in the controller. */
bool ps2_keyboard_read(uint8_t *out);
/* Bytes refused by a full ring (should stay 0: a full ring holds IRQ 1). */
uint32_t ps2_keyboard_dropped(void);
/* How often the ring filled up and IRQ 1 was held. */
uint32_t ps2_keyboard_holds(void);
/* Set the Scroll/Num/Caps Lock LEDs (bits 0/1/2, the 0xED command byte).
 * The keyboard's acknowledgements arrive as bytes 0xFA, which the decoder
 * skips. */
void ps2_keyboard_set_leds(uint8_t leds);
/* Call notify (in interrupt context) after each IRQ 1, so the reader can
 * sleep until there are bytes. */
void ps2_keyboard_set_notify(void (*notify)(void));
/* filter sees every byte in IRQ 1 before it is queued; returning true
 * takes it (it is not queued). NULL: none. */
void ps2_keyboard_set_filter(bool (*filter)(uint8_t byte));
/* Ask the controller to pulse the CPU's reset line (command 0xFE), after
 * waiting a bounded time for its input buffer to empty. Returns if the
 * machine did not reset. */
void ps2_pulse_reset_line(void);

#endif
