/*
 * key_event.h - a key press or release, the common language of Keel's two
 * input decoders: PS/2 scancodes (ps2/scancode.c) and serial-terminal
 * escape sequences (serial/term_keys.c). Everything above them (the
 * line editor, the game) sees only key events.
 */
#ifndef KEEL_DRIVERS_KEY_EVENT_H
#define KEEL_DRIVERS_KEY_EVENT_H

#include <stdbool.h>
#include <stdint.h>

/* Every key of the US 104-key keyboard; the values are Keel's own. */
enum keycode {
    KEY_NONE = 0,
    KEY_A,
    KEY_B,
    KEY_C,
    KEY_D,
    KEY_E,
    KEY_F,
    KEY_G,
    KEY_H,
    KEY_I,
    KEY_J,
    KEY_K,
    KEY_L,
    KEY_M,
    KEY_N,
    KEY_O,
    KEY_P,
    KEY_Q,
    KEY_R,
    KEY_S,
    KEY_T,
    KEY_U,
    KEY_V,
    KEY_W,
    KEY_X,
    KEY_Y,
    KEY_Z,
    KEY_0,
    KEY_1,
    KEY_2,
    KEY_3,
    KEY_4,
    KEY_5,
    KEY_6,
    KEY_7,
    KEY_8,
    KEY_9,
    KEY_F1,
    KEY_F2,
    KEY_F3,
    KEY_F4,
    KEY_F5,
    KEY_F6,
    KEY_F7,
    KEY_F8,
    KEY_F9,
    KEY_F10,
    KEY_F11,
    KEY_F12,
    KEY_ESCAPE,
    KEY_BACKSPACE,
    KEY_TAB,
    KEY_ENTER,
    KEY_SPACE,
    KEY_GRAVE,         /* ` ~ */
    KEY_MINUS,         /* - _ */
    KEY_EQUAL,         /* = + */
    KEY_LEFT_BRACKET,  /* [ { */
    KEY_RIGHT_BRACKET, /* ] } */
    KEY_BACKSLASH,     /* \ | */
    KEY_SEMICOLON,     /* ; : */
    KEY_APOSTROPHE,    /* ' " */
    KEY_COMMA,         /* , < */
    KEY_PERIOD,        /* . > */
    KEY_SLASH,         /* / ? */
    KEY_LEFT_SHIFT,
    KEY_RIGHT_SHIFT,
    KEY_LEFT_CTRL,
    KEY_RIGHT_CTRL,
    KEY_LEFT_ALT,
    KEY_RIGHT_ALT,
    KEY_LEFT_GUI,
    KEY_RIGHT_GUI,
    KEY_MENU,
    KEY_CAPS_LOCK,
    KEY_NUM_LOCK,
    KEY_SCROLL_LOCK,
    KEY_PRINT_SCREEN,
    KEY_PAUSE,
    KEY_INSERT,
    KEY_DELETE,
    KEY_HOME,
    KEY_END,
    KEY_PAGE_UP,
    KEY_PAGE_DOWN,
    KEY_UP,
    KEY_DOWN,
    KEY_LEFT,
    KEY_RIGHT,
    /* Keypad. KP_0..KP_9 and KP_PERIOD must stay consecutive (scancode.c
     * keeps one bit per key for them). */
    KEY_KP_0,
    KEY_KP_1,
    KEY_KP_2,
    KEY_KP_3,
    KEY_KP_4,
    KEY_KP_5,
    KEY_KP_6,
    KEY_KP_7,
    KEY_KP_8,
    KEY_KP_9,
    KEY_KP_PERIOD,
    KEY_KP_PLUS,
    KEY_KP_MINUS,
    KEY_KP_ASTERISK,
    KEY_KP_SLASH,
    KEY_KP_ENTER,
    KEY_COUNT /* not a key: valid keycodes are 1 .. KEY_COUNT - 1 */
};

/* struct key_event.modifiers: the state after this event took effect, so a
 * Left Shift press carries MOD_SHIFT and its release no longer does (unless
 * Right Shift is still down), and a Caps Lock press shows the new lock state. */
#define MOD_SHIFT     0x01 /* either Shift key down */
#define MOD_CTRL      0x02 /* either Ctrl key down */
#define MOD_ALT       0x04 /* either Alt key down */
#define MOD_CAPS_LOCK 0x08 /* Caps Lock on */

struct key_event {
    enum keycode key;
    bool pressed;      /* true for a make code (also for auto-repeat), false for a break */
    uint8_t modifiers; /* MOD_* */
    /* The character this press types with the current modifiers, 0 if none.
     * Releases always carry 0, so a consumer can print every nonzero ascii.
     *  - letters: Shift XOR Caps Lock gives upper case; with Ctrl held, the
     *    control character (Ctrl+C = 0x03), whatever Shift and Caps say;
     *  - digits and punctuation: Shift gives the US symbol (! @ # ...); Caps
     *    Lock and Ctrl do not change them;
     *  - Enter and keypad Enter '\n', Backspace '\b', Tab '\t', Escape 0x1B,
     *    Space ' ', regardless of modifiers;
     *  - keypad: / * - + always; digits and '.' only with Num Lock on. With
     *    Num Lock off the digit/period keys report the navigation key printed
     *    on them (KP_7 -> KEY_HOME, KP_PERIOD -> KEY_DELETE; KP_5 stays KEY_KP_5)
     *    with ascii 0. Shift does not swap the keypad's meaning;
     *  - Alt does not change ascii (it is reported in modifiers);
     *  - function, navigation, lock, modifier, GUI and Menu keys: 0. */
    char ascii;
};

#endif
