/*
 * scancode.h - decoding PS/2 scancode set 1 into key events (US QWERTY).
 *
 * The decoder is a pure state machine over the bytes read from port 0x60: no
 * port I/O, so the driver feeds it bytes from the IRQ 1 ring and host tests
 * feed it arrays. Set 1 is what the 8042 controller delivers by default (it
 * translates the keyboard's set 2).
 *
 * Set 1 in brief (OSDev wiki "PS/2 Keyboard", Scan Code Set 1; Microsoft,
 * "Keyboard Scan Code Specification" rev. 1.3a):
 *  - a key's make code is one byte 0x01..0x58; its break code is make | 0x80;
 *  - keys the 101-key keyboard added (arrows, the Insert/Delete block, right
 *    Ctrl/Alt, keypad / and Enter, GUI and Menu) send 0xE0 before make and
 *    break;
 *  - around some extended keys the keyboard sends fake shifts E0 2A / E0 AA /
 *    E0 36 / E0 B6; they carry no information and are ignored;
 *  - Print Screen sends E0 2A E0 37 and E0 B7 E0 AA (so just E0 37 / E0 B7
 *    once the fake shifts are dropped); with Alt held it sends 54 / D4
 *    (SysRq). Both give KEY_PRINT_SCREEN;
 *  - Pause sends E1 1D 45 E1 9D C5 when pressed and nothing when released:
 *    one KEY_PAUSE press event. With Ctrl held it sends E0 46 E0 C6 (Break),
 *    which gives a KEY_PAUSE press and a KEY_PAUSE release;
 *  - auto-repeat resends the make code, so a held key gives repeated presses.
 *
 * Bytes the keyboard sends about itself give no event and leave the decoder
 * state alone: 0xFA ACK, 0xFE resend, 0xEE echo, 0xFC/0xFD self-test failed,
 * 0x00/0xFF key detection error or overrun. 0xAA is both "self-test passed"
 * and the Left Shift break code: it releases Left Shift when Left Shift is
 * down and is otherwise ignored. (After a self-test the keyboard has no key
 * down, so releasing Left Shift is right in both readings.) Unknown codes give
 * no event and do not disturb the state either.
 */
#ifndef KEEL_DRIVERS_PS2_SCANCODE_H
#define KEEL_DRIVERS_PS2_SCANCODE_H

#include <drivers/key_event.h>
#include <stdbool.h>
#include <stdint.h>

/* The LED byte that follows the keyboard's 0xED "set LEDs" command (IBM PS/2
 * keyboard technical reference; OSDev wiki "PS/2 Keyboard", command 0xED). */
#define KBD_LED_SCROLL_LOCK 0x01
#define KBD_LED_NUM_LOCK    0x02
#define KBD_LED_CAPS_LOCK   0x04

/* Decoder state. The fields are private to scancode.c; they are here only so
 * that callers can allocate the struct (no allocation in the decoder). */
struct kbd_decoder {
    bool e0_pending;     /* the last byte was the 0xE0 prefix */
    uint8_t pause_pos;   /* bytes of the 6-byte Pause sequence matched; 0 = none */
    uint16_t held;       /* modifier and lock keys currently down (HELD_* in scancode.c) */
    uint16_t keypad_nav; /* keypad keys pressed as navigation keys (Num Lock was off) */
    uint8_t locks;       /* lock states, in the KBD_LED_* layout */
    bool leds_pending;   /* locks changed since the last kbd_decoder_leds_changed */
};

/* Start with no key down, Num Lock on, Caps and Scroll Lock off, and an LED
 * update pending: the keyboard powers up with all LEDs off, so the driver
 * should send the LED byte once to show Num Lock. */
void kbd_decoder_init(struct kbd_decoder *d);
/* Feed one byte from the keyboard. Returns true, and fills *out, when the byte
 * completed a key event; otherwise *out is untouched. Caps, Num and Scroll
 * Lock toggle on a press of their key that is not an auto-repeat (the key was
 * not already down); if a break code is lost, the next press of that lock key
 * is taken for a repeat and does not toggle. */
bool kbd_decoder_feed(struct kbd_decoder *d, uint8_t byte, struct key_event *out);
/* Current MOD_* bits (as the next event would carry if it changed nothing). */
uint8_t kbd_decoder_modifiers(const struct kbd_decoder *d);
/* The KBD_LED_* byte to send after command 0xED. */
uint8_t kbd_decoder_leds(const struct kbd_decoder *d);
/* Whether a lock changed since the last call (or since init); clears the flag. */
bool kbd_decoder_leds_changed(struct kbd_decoder *d);

#endif
