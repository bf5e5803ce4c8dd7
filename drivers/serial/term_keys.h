/*
 * term_keys.h - keys typed on a serial terminal, as key events.
 *
 * A terminal (screen, minicom, picocom, a terminal emulator over a serial
 * line) sends characters, not scancodes: Enter as '\r', Backspace as 0x7F
 * (or 0x08), Ctrl+letter as the control character, and keys without a
 * character as escape sequences (ECMA-48 / VT100: ESC [ A for Up, ESC [ 3 ~
 * for Delete, ESC O H for Home in application mode). The decoder turns
 * those bytes into the same struct key_event the PS/2 keyboard produces, so
 * the rest of the kernel does not care where a key came from.
 */
#ifndef KEEL_DRIVERS_SERIAL_TERM_KEYS_H
#define KEEL_DRIVERS_SERIAL_TERM_KEYS_H

#include <drivers/key_event.h>
#include <stdbool.h>
#include <stdint.h>

struct term_decoder {
    uint8_t state;     /* private: where in an escape sequence we are */
    uint8_t parameter; /* private: the number in ESC [ n ~ */
    bool after_return; /* private: the last byte was '\r' */
};

void term_decoder_init(struct term_decoder *d);
/* Feed one byte; returns true and fills *out when it completed a key press
 * (terminals report no releases; every event has pressed = true). A plain
 * ESC is only reported when the next byte shows it was not a sequence. */
bool term_decoder_feed(struct term_decoder *d, uint8_t byte, struct key_event *out);

#endif
