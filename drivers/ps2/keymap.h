/*
 * keymap.h - what a scancode set 1 make code means on a keyboard layout:
 * the key and the characters it types. The decoder (scancode.c) asks; the
 * US QWERTY layout (keymap_us.c) answers.
 */
#ifndef KEEL_DRIVERS_PS2_KEYMAP_H
#define KEEL_DRIVERS_PS2_KEYMAP_H

#include <drivers/key_event.h>
#include <stdbool.h>
#include <stdint.h>

struct key_info {
    uint8_t key;     /* enum keycode; KEY_NONE where the code means nothing */
    char plain;      /* character without Shift, 0 if none */
    char shifted;    /* character with Shift */
    uint8_t nav_key; /* keypad digits and '.': the key they are with Num Lock off */
};

/* The entry for a make code (break bit removed), plain or after the 0xE0
 * prefix; an entry with key KEY_NONE for codes that mean nothing. */
const struct key_info *keymap_us_lookup(bool extended, uint8_t code);

#endif
