/*
 * scancode.c - PS/2 scancode set 1 decoder, US QWERTY (see scancode.h).
 *
 * The US layout's tables, which map a make code to a key and its
 * characters, are in keymap_us.c; this file is the state machine around them.
 *
 * The state between bytes is small: a pending 0xE0, the position inside the
 * Pause sequence, which modifier/lock keys are down, the lock states, and for
 * each keypad digit whether its press was reported as a navigation key (so
 * its release reports the same key even if Num Lock changed in between).
 *
 * Robustness: every byte value is accepted in every state, and no state is
 * a trap. A byte that does not continue the Pause sequence abandons it and is
 * decoded on its own; 0xE0 followed by a code with no extended meaning yields
 * nothing. So E0 7F, fed in any state, leaves nothing pending (0xE0 never
 * continues a Pause sequence, and 7F is no extended key) and changes no key
 * state: the decoder is back in step with the keyboard.
 */
#include <drivers/ps2/keymap.h>
#include <drivers/ps2/scancode.h>

#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Set 1 framing bytes (OSDev wiki "PS/2 Keyboard", Scan Code Set 1). */
#define SC_BREAK_BIT 0x80 /* break code = make code | 0x80 */
#define SC_CODE_MASK 0x7F
#define SC_PREFIX_E0 0xE0 /* the next byte is an extended key */
#define SC_PREFIX_E1 0xE1 /* starts the Pause sequence */
/* Left Shift's break code, and also the keyboard's "self-test passed"
 * (IBM 101/102-key keyboard technical reference, "BAT Completion Code"). */
#define SC_LEFT_SHIFT_BREAK 0xAA

/* Bytes the keyboard sends about itself (IBM 101/102-key keyboard technical
 * reference, "Commands to the System"; HP dc7600 TRG table C-1). None is a
 * set 1 key code: breaks stop at 0xD8 (F12). */
#define KBD_REPLY_ERROR_SET1 0xFF /* key detection error or buffer overrun (set 1) */
#define KBD_REPLY_ERROR_SET2 0x00 /* the same in sets 2 and 3 */
#define KBD_REPLY_ACK        0xFA
#define KBD_REPLY_RESEND     0xFE
#define KBD_REPLY_ECHO       0xEE
#define KBD_REPLY_BAT_FAIL   0xFC /* self-test failed */
#define KBD_REPLY_BAT_FAIL2  0xFD /* self-test failed (some keyboards) */

/* Pause: make codes of Ctrl and Num Lock, then their breaks, each after 0xE1. */
static const uint8_t pause_sequence[] = {0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5};

/* Modifier and lock keys that are down (struct kbd_decoder.held). */
#define HELD_LEFT_SHIFT  0x001
#define HELD_RIGHT_SHIFT 0x002
#define HELD_LEFT_CTRL   0x004
#define HELD_RIGHT_CTRL  0x008
#define HELD_LEFT_ALT    0x010
#define HELD_RIGHT_ALT   0x020
#define HELD_CAPS_LOCK   0x040
#define HELD_NUM_LOCK    0x080
#define HELD_SCROLL_LOCK 0x100
#define HELD_SHIFT       (HELD_LEFT_SHIFT | HELD_RIGHT_SHIFT)
#define HELD_CTRL        (HELD_LEFT_CTRL | HELD_RIGHT_CTRL)
#define HELD_ALT         (HELD_LEFT_ALT | HELD_RIGHT_ALT)

#define ASCII_CTRL_MASK 0x1F /* Ctrl+letter = letter & 0x1F: Ctrl+A = 0x01 */

_Static_assert(KEY_COUNT <= 256, "keycodes are stored in a uint8_t");
_Static_assert(KEY_KP_PERIOD - KEY_KP_0 < 16, "keypad_nav has one bit per keypad key");

static const struct key_info pause_key = {KEY_PAUSE, 0, 0, KEY_NONE};

static bool is_protocol_byte(uint8_t byte)
{
    switch (byte) {
    case KBD_REPLY_ERROR_SET1:
    case KBD_REPLY_ERROR_SET2:
    case KBD_REPLY_ACK:
    case KBD_REPLY_RESEND:
    case KBD_REPLY_ECHO:
    case KBD_REPLY_BAT_FAIL:
    case KBD_REPLY_BAT_FAIL2:
        return true;
    default:
        return false;
    }
}

/* The HELD_* bit of a modifier or lock key, 0 for other keys. */
static uint16_t held_bit(enum keycode key)
{
    switch (key) {
    case KEY_LEFT_SHIFT:
        return HELD_LEFT_SHIFT;
    case KEY_RIGHT_SHIFT:
        return HELD_RIGHT_SHIFT;
    case KEY_LEFT_CTRL:
        return HELD_LEFT_CTRL;
    case KEY_RIGHT_CTRL:
        return HELD_RIGHT_CTRL;
    case KEY_LEFT_ALT:
        return HELD_LEFT_ALT;
    case KEY_RIGHT_ALT:
        return HELD_RIGHT_ALT;
    case KEY_CAPS_LOCK:
        return HELD_CAPS_LOCK;
    case KEY_NUM_LOCK:
        return HELD_NUM_LOCK;
    case KEY_SCROLL_LOCK:
        return HELD_SCROLL_LOCK;
    default:
        return 0;
    }
}

/* The KBD_LED_* bit a lock key toggles, 0 for other keys. */
static uint8_t lock_bit(enum keycode key)
{
    switch (key) {
    case KEY_CAPS_LOCK:
        return KBD_LED_CAPS_LOCK;
    case KEY_NUM_LOCK:
        return KBD_LED_NUM_LOCK;
    case KEY_SCROLL_LOCK:
        return KBD_LED_SCROLL_LOCK;
    default:
        return 0;
    }
}

/* Track modifier/lock keys going down and up; toggle a lock on a press that
 * is not an auto-repeat. */
static void update_held(struct kbd_decoder *d, enum keycode key, bool pressed)
{
    uint16_t bit = held_bit(key);

    if (bit == 0)
        return;
    if (!pressed) {
        d->held &= (uint16_t)~bit;
        return;
    }
    if (!(d->held & bit) && lock_bit(key)) {
        d->locks ^= lock_bit(key);
        d->leds_pending = true;
    }
    d->held |= bit;
}

/* Whether a keypad digit/period reports its navigation key: yes if Num Lock
 * was off when it went down. The release repeats the press's choice, so a
 * consumer tracking held keys sees matching pairs even if Num Lock changed. */
static bool keypad_as_navigation(struct kbd_decoder *d, const struct key_info *info, bool pressed)
{
    uint16_t bit = (uint16_t)(1u << (info->key - KEY_KP_0));
    bool as_nav;

    if (pressed)
        as_nav = !(d->locks & KBD_LED_NUM_LOCK);
    else
        as_nav = d->keypad_nav & bit;
    if (as_nav && pressed)
        d->keypad_nav |= bit;
    else
        d->keypad_nav &= (uint16_t)~bit;
    return as_nav;
}

/* The character a press of `info` types in the decoder's current state. */
static char key_ascii(const struct kbd_decoder *d, const struct key_info *info)
{
    bool shift = d->held & HELD_SHIFT;

    if (info->plain >= 'a' && info->plain <= 'z') {
        if (d->held & HELD_CTRL)
            return (char)(info->plain & ASCII_CTRL_MASK);
        bool caps = d->locks & KBD_LED_CAPS_LOCK;
        return shift != caps ? info->shifted : info->plain;
    }
    return shift ? info->shifted : info->plain;
}

/* Apply a make or break of the key described by `info` and describe it in
 * *out. Returns false for codes that mean no key. */
static bool decode_key(struct kbd_decoder *d, const struct key_info *info, bool pressed,
                       struct key_event *out)
{
    enum keycode key = (enum keycode)info->key;
    bool navigation = false;

    if (key == KEY_NONE)
        return false;
    if (info->nav_key != KEY_NONE) {
        navigation = keypad_as_navigation(d, info, pressed);
        if (navigation)
            key = (enum keycode)info->nav_key;
    }
    update_held(d, key, pressed);
    out->key = key;
    out->pressed = pressed;
    out->modifiers = kbd_decoder_modifiers(d);
    out->ascii = pressed && !navigation ? key_ascii(d, info) : 0;
    return true;
}

/* Continue a Pause sequence in progress. Returns true when `byte` belonged to
 * it (setting *done when it was the last byte); false when it did not, which
 * abandons the sequence so the caller decodes `byte` on its own. */
static bool continue_pause(struct kbd_decoder *d, uint8_t byte, bool *done)
{
    if (byte != pause_sequence[d->pause_pos]) {
        d->pause_pos = 0;
        return false;
    }
    d->pause_pos++;
    *done = d->pause_pos == ARRAY_SIZE(pause_sequence);
    if (*done)
        d->pause_pos = 0;
    return true;
}

void kbd_decoder_init(struct kbd_decoder *d)
{
    d->e0_pending = false;
    d->pause_pos = 0;
    d->held = 0;
    d->keypad_nav = 0;
    d->locks = KBD_LED_NUM_LOCK;
    d->leds_pending = true;
}

bool kbd_decoder_feed(struct kbd_decoder *d, uint8_t byte, struct key_event *out)
{
    if (is_protocol_byte(byte))
        return false;
    if (d->pause_pos != 0) {
        bool done = false;
        if (continue_pause(d, byte, &done)) {
            if (done)
                return decode_key(d, &pause_key, true, out);
            return false;
        }
    }
    if (byte == SC_PREFIX_E1) {
        d->e0_pending = false;
        d->pause_pos = 1;
        return false;
    }
    if (byte == SC_PREFIX_E0) {
        d->e0_pending = true;
        return false;
    }

    bool extended = d->e0_pending;
    uint8_t code = byte & SC_CODE_MASK;
    bool pressed = !(byte & SC_BREAK_BIT);

    d->e0_pending = false;
    if (!extended && byte == SC_LEFT_SHIFT_BREAK && !(d->held & HELD_LEFT_SHIFT))
        return false; /* self-test passed, or a release we already know of */
    return decode_key(d, keymap_us_lookup(extended, code), pressed, out);
}

uint8_t kbd_decoder_modifiers(const struct kbd_decoder *d)
{
    uint8_t mods = 0;

    if (d->held & HELD_SHIFT)
        mods |= MOD_SHIFT;
    if (d->held & HELD_CTRL)
        mods |= MOD_CTRL;
    if (d->held & HELD_ALT)
        mods |= MOD_ALT;
    if (d->locks & KBD_LED_CAPS_LOCK)
        mods |= MOD_CAPS_LOCK;
    return mods;
}

uint8_t kbd_decoder_leds(const struct kbd_decoder *d)
{
    return d->locks;
}

bool kbd_decoder_leds_changed(struct kbd_decoder *d)
{
    bool changed = d->leds_pending;
    d->leds_pending = false;
    return changed;
}
