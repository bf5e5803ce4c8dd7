/*
 * test_scancode.c - host tests for the PS/2 scancode set 1 decoder
 * (drivers/ps2/scancode.c).
 *
 * The expected table below is written out here from the set 1 references
 * (OSDev wiki, HelpPC make/break list, Microsoft's HID-to-PS/2 table) and the
 * US layout printed on the keycaps, not taken from the decoder's own table:
 * every one of the 104 keys with its make code and its unshifted and shifted
 * characters. The randomized run checks the decoder against a model of the
 * documented rules that the test keeps itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <drivers/ps2/scancode.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NO_PREFIX     0x00
#define E0            0xE0
#define BREAK         0x80
#define US_KEYS       104 /* keys on a US 104-key keyboard */

/* Make codes spelled out for the hand-written sequences below. */
#define SC_LSHIFT 0x2A
#define SC_RSHIFT 0x36
#define SC_LCTRL  0x1D
#define SC_LALT   0x38
#define SC_CAPS   0x3A
#define SC_NUM    0x45
#define SC_SCROLL 0x46
#define SC_A      0x1E
#define SC_C      0x2E
#define SC_L      0x26
#define SC_1      0x02
#define SC_KP7    0x47
#define SC_KP5    0x4C

struct key_row {
    uint8_t prefix; /* NO_PREFIX or E0 */
    uint8_t make;
    enum keycode key;
    char plain;   /* ascii with no modifier (Num Lock on) */
    char shifted; /* ascii with Shift held */
};

/* The whole US 104-key keyboard except Print Screen and Pause, whose
 * multi-byte sequences have tests of their own. */
static const struct key_row us_keys[] = {
    {NO_PREFIX, 0x01, KEY_ESCAPE, 0x1B, 0x1B},
    {NO_PREFIX, 0x3B, KEY_F1, 0, 0},
    {NO_PREFIX, 0x3C, KEY_F2, 0, 0},
    {NO_PREFIX, 0x3D, KEY_F3, 0, 0},
    {NO_PREFIX, 0x3E, KEY_F4, 0, 0},
    {NO_PREFIX, 0x3F, KEY_F5, 0, 0},
    {NO_PREFIX, 0x40, KEY_F6, 0, 0},
    {NO_PREFIX, 0x41, KEY_F7, 0, 0},
    {NO_PREFIX, 0x42, KEY_F8, 0, 0},
    {NO_PREFIX, 0x43, KEY_F9, 0, 0},
    {NO_PREFIX, 0x44, KEY_F10, 0, 0},
    {NO_PREFIX, 0x57, KEY_F11, 0, 0},
    {NO_PREFIX, 0x58, KEY_F12, 0, 0},
    {NO_PREFIX, 0x46, KEY_SCROLL_LOCK, 0, 0},
    /* number row */
    {NO_PREFIX, 0x29, KEY_GRAVE, '`', '~'},
    {NO_PREFIX, 0x02, KEY_1, '1', '!'},
    {NO_PREFIX, 0x03, KEY_2, '2', '@'},
    {NO_PREFIX, 0x04, KEY_3, '3', '#'},
    {NO_PREFIX, 0x05, KEY_4, '4', '$'},
    {NO_PREFIX, 0x06, KEY_5, '5', '%'},
    {NO_PREFIX, 0x07, KEY_6, '6', '^'},
    {NO_PREFIX, 0x08, KEY_7, '7', '&'},
    {NO_PREFIX, 0x09, KEY_8, '8', '*'},
    {NO_PREFIX, 0x0A, KEY_9, '9', '('},
    {NO_PREFIX, 0x0B, KEY_0, '0', ')'},
    {NO_PREFIX, 0x0C, KEY_MINUS, '-', '_'},
    {NO_PREFIX, 0x0D, KEY_EQUAL, '=', '+'},
    {NO_PREFIX, 0x0E, KEY_BACKSPACE, '\b', '\b'},
    /* top letter row */
    {NO_PREFIX, 0x0F, KEY_TAB, '\t', '\t'},
    {NO_PREFIX, 0x10, KEY_Q, 'q', 'Q'},
    {NO_PREFIX, 0x11, KEY_W, 'w', 'W'},
    {NO_PREFIX, 0x12, KEY_E, 'e', 'E'},
    {NO_PREFIX, 0x13, KEY_R, 'r', 'R'},
    {NO_PREFIX, 0x14, KEY_T, 't', 'T'},
    {NO_PREFIX, 0x15, KEY_Y, 'y', 'Y'},
    {NO_PREFIX, 0x16, KEY_U, 'u', 'U'},
    {NO_PREFIX, 0x17, KEY_I, 'i', 'I'},
    {NO_PREFIX, 0x18, KEY_O, 'o', 'O'},
    {NO_PREFIX, 0x19, KEY_P, 'p', 'P'},
    {NO_PREFIX, 0x1A, KEY_LEFT_BRACKET, '[', '{'},
    {NO_PREFIX, 0x1B, KEY_RIGHT_BRACKET, ']', '}'},
    {NO_PREFIX, 0x2B, KEY_BACKSLASH, '\\', '|'},
    /* home row */
    {NO_PREFIX, 0x3A, KEY_CAPS_LOCK, 0, 0},
    {NO_PREFIX, 0x1E, KEY_A, 'a', 'A'},
    {NO_PREFIX, 0x1F, KEY_S, 's', 'S'},
    {NO_PREFIX, 0x20, KEY_D, 'd', 'D'},
    {NO_PREFIX, 0x21, KEY_F, 'f', 'F'},
    {NO_PREFIX, 0x22, KEY_G, 'g', 'G'},
    {NO_PREFIX, 0x23, KEY_H, 'h', 'H'},
    {NO_PREFIX, 0x24, KEY_J, 'j', 'J'},
    {NO_PREFIX, 0x25, KEY_K, 'k', 'K'},
    {NO_PREFIX, 0x26, KEY_L, 'l', 'L'},
    {NO_PREFIX, 0x27, KEY_SEMICOLON, ';', ':'},
    {NO_PREFIX, 0x28, KEY_APOSTROPHE, '\'', '"'},
    {NO_PREFIX, 0x1C, KEY_ENTER, '\n', '\n'},
    /* bottom letter row */
    {NO_PREFIX, 0x2A, KEY_LEFT_SHIFT, 0, 0},
    {NO_PREFIX, 0x2C, KEY_Z, 'z', 'Z'},
    {NO_PREFIX, 0x2D, KEY_X, 'x', 'X'},
    {NO_PREFIX, 0x2E, KEY_C, 'c', 'C'},
    {NO_PREFIX, 0x2F, KEY_V, 'v', 'V'},
    {NO_PREFIX, 0x30, KEY_B, 'b', 'B'},
    {NO_PREFIX, 0x31, KEY_N, 'n', 'N'},
    {NO_PREFIX, 0x32, KEY_M, 'm', 'M'},
    {NO_PREFIX, 0x33, KEY_COMMA, ',', '<'},
    {NO_PREFIX, 0x34, KEY_PERIOD, '.', '>'},
    {NO_PREFIX, 0x35, KEY_SLASH, '/', '?'},
    {NO_PREFIX, 0x36, KEY_RIGHT_SHIFT, 0, 0},
    /* space bar row */
    {NO_PREFIX, 0x1D, KEY_LEFT_CTRL, 0, 0},
    {E0, 0x5B, KEY_LEFT_GUI, 0, 0},
    {NO_PREFIX, 0x38, KEY_LEFT_ALT, 0, 0},
    {NO_PREFIX, 0x39, KEY_SPACE, ' ', ' '},
    {E0, 0x38, KEY_RIGHT_ALT, 0, 0},
    {E0, 0x5C, KEY_RIGHT_GUI, 0, 0},
    {E0, 0x5D, KEY_MENU, 0, 0},
    {E0, 0x1D, KEY_RIGHT_CTRL, 0, 0},
    /* navigation block */
    {E0, 0x52, KEY_INSERT, 0, 0},
    {E0, 0x47, KEY_HOME, 0, 0},
    {E0, 0x49, KEY_PAGE_UP, 0, 0},
    {E0, 0x53, KEY_DELETE, 0, 0},
    {E0, 0x4F, KEY_END, 0, 0},
    {E0, 0x51, KEY_PAGE_DOWN, 0, 0},
    {E0, 0x48, KEY_UP, 0, 0},
    {E0, 0x4B, KEY_LEFT, 0, 0},
    {E0, 0x50, KEY_DOWN, 0, 0},
    {E0, 0x4D, KEY_RIGHT, 0, 0},
    /* keypad (Num Lock on, as after init) */
    {NO_PREFIX, 0x45, KEY_NUM_LOCK, 0, 0},
    {E0, 0x35, KEY_KP_SLASH, '/', '/'},
    {NO_PREFIX, 0x37, KEY_KP_ASTERISK, '*', '*'},
    {NO_PREFIX, 0x4A, KEY_KP_MINUS, '-', '-'},
    {NO_PREFIX, 0x47, KEY_KP_7, '7', '7'},
    {NO_PREFIX, 0x48, KEY_KP_8, '8', '8'},
    {NO_PREFIX, 0x49, KEY_KP_9, '9', '9'},
    {NO_PREFIX, 0x4E, KEY_KP_PLUS, '+', '+'},
    {NO_PREFIX, 0x4B, KEY_KP_4, '4', '4'},
    {NO_PREFIX, 0x4C, KEY_KP_5, '5', '5'},
    {NO_PREFIX, 0x4D, KEY_KP_6, '6', '6'},
    {NO_PREFIX, 0x4F, KEY_KP_1, '1', '1'},
    {NO_PREFIX, 0x50, KEY_KP_2, '2', '2'},
    {NO_PREFIX, 0x51, KEY_KP_3, '3', '3'},
    {E0, 0x1C, KEY_KP_ENTER, '\n', '\n'},
    {NO_PREFIX, 0x52, KEY_KP_0, '0', '0'},
    {NO_PREFIX, 0x53, KEY_KP_PERIOD, '.', '.'},
};

/* The 11 keypad keys that follow Num Lock: make code, key with Num Lock off. */
static const struct {
    uint8_t make;
    enum keycode numlock_on;
    enum keycode numlock_off;
} keypad_nav[] = {
    {0x47, KEY_KP_7, KEY_HOME},        {0x48, KEY_KP_8, KEY_UP},
    {0x49, KEY_KP_9, KEY_PAGE_UP},     {0x4B, KEY_KP_4, KEY_LEFT},
    {0x4C, KEY_KP_5, KEY_KP_5},        {0x4D, KEY_KP_6, KEY_RIGHT},
    {0x4F, KEY_KP_1, KEY_END},         {0x50, KEY_KP_2, KEY_DOWN},
    {0x51, KEY_KP_3, KEY_PAGE_DOWN},   {0x52, KEY_KP_0, KEY_INSERT},
    {0x53, KEY_KP_PERIOD, KEY_DELETE},
};

static struct kbd_decoder dec;

static int setup(void **state)
{
    (void)state;
    memset(&dec, 0xA5, sizeof(dec)); /* garbage that kbd_decoder_init must replace */
    kbd_decoder_init(&dec);
    return 0;
}

#define SILENT(...)                                                                                \
    do {                                                                                           \
        const uint8_t bytes_[] = {__VA_ARGS__};                                                    \
        silent(bytes_, sizeof(bytes_));                                                            \
    } while (0)

/* Feed bytes of which none may complete an event. */
static void silent(const uint8_t *bytes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct key_event ev;
        bool got = kbd_decoder_feed(&dec, bytes[i], &ev);
        if (got)
            print_error("byte %zu (0x%02X) unexpectedly gave key %d\n", i, bytes[i], ev.key);
        assert_false(got);
    }
}

/* Feed bytes of which only the last completes an event; return it. */
static struct key_event event_of(const uint8_t *bytes, size_t n)
{
    struct key_event ev;

    silent(bytes, n - 1);
    memset(&ev, 0x5A, sizeof(ev));
    bool got = kbd_decoder_feed(&dec, bytes[n - 1], &ev);
    if (!got)
        print_error("last byte 0x%02X gave no event\n", bytes[n - 1]);
    assert_true(got);
    return ev;
}

#define EVENT(...)                                                                                 \
    ({                                                                                             \
        const uint8_t bytes_[] = {__VA_ARGS__};                                                    \
        event_of(bytes_, sizeof(bytes_));                                                          \
    })

static void assert_event(struct key_event ev, enum keycode key, bool pressed, uint8_t mods,
                         char ascii)
{
    if (ev.key != key || ev.pressed != pressed || ev.modifiers != mods || ev.ascii != ascii)
        print_error("got key %d pressed %d mods 0x%02X ascii 0x%02X; "
                    "expected key %d pressed %d mods 0x%02X ascii 0x%02X\n",
                    ev.key, ev.pressed, ev.modifiers, (unsigned char)ev.ascii, key, pressed, mods,
                    (unsigned char)ascii);
    assert_int_equal(ev.key, key);
    assert_int_equal(ev.pressed, pressed);
    assert_int_equal(ev.modifiers, mods);
    assert_int_equal((unsigned char)ev.ascii, (unsigned char)ascii);
}

/* The event of pressing (releasing) one table key. */
static struct key_event press(const struct key_row *row)
{
    if (row->prefix == E0)
        return EVENT(E0, row->make);
    return EVENT(row->make);
}

static struct key_event release(const struct key_row *row)
{
    if (row->prefix == E0)
        return EVENT(E0, (uint8_t)(row->make | BREAK));
    return EVENT((uint8_t)(row->make | BREAK));
}

static bool is_modifier_or_lock(enum keycode key)
{
    return key == KEY_LEFT_SHIFT || key == KEY_RIGHT_SHIFT || key == KEY_LEFT_CTRL ||
           key == KEY_RIGHT_CTRL || key == KEY_LEFT_ALT || key == KEY_RIGHT_ALT ||
           key == KEY_CAPS_LOCK || key == KEY_NUM_LOCK || key == KEY_SCROLL_LOCK;
}

/* The MOD_* bit a key's own press sets (Caps Lock: turns on). */
static uint8_t own_modifier(enum keycode key)
{
    switch (key) {
    case KEY_LEFT_SHIFT:
    case KEY_RIGHT_SHIFT:
        return MOD_SHIFT;
    case KEY_LEFT_CTRL:
    case KEY_RIGHT_CTRL:
        return MOD_CTRL;
    case KEY_LEFT_ALT:
    case KEY_RIGHT_ALT:
        return MOD_ALT;
    case KEY_CAPS_LOCK:
        return MOD_CAPS_LOCK;
    default:
        return 0;
    }
}

static void test_table_covers_the_keyboard(void **state)
{
    (void)state;
    /* 104 keys = this table + Print Screen + Pause, each keycode once. */
    assert_int_equal(ARRAY_SIZE(us_keys) + 2, US_KEYS);
    assert_int_equal(KEY_COUNT - 1, US_KEYS);
    bool seen[KEY_COUNT] = {false};
    seen[KEY_PRINT_SCREEN] = seen[KEY_PAUSE] = true;
    for (size_t i = 0; i < ARRAY_SIZE(us_keys); i++) {
        assert_false(seen[us_keys[i].key]);
        seen[us_keys[i].key] = true;
    }
}

/* Every key, on a fresh decoder: make -> press with the plain character,
 * break -> release with ascii 0. */
static void test_every_key_plain(void **state)
{
    for (size_t i = 0; i < ARRAY_SIZE(us_keys); i++) {
        const struct key_row *row = &us_keys[i];
        setup(state);
        assert_event(press(row), row->key, true, own_modifier(row->key), row->plain);
        struct key_event up = release(row);
        uint8_t mods_after = row->key == KEY_CAPS_LOCK ? MOD_CAPS_LOCK : 0;
        assert_event(up, row->key, false, mods_after, 0);
    }
}

/* Every non-modifier key with Left Shift, then with Right Shift, held. */
static void test_every_key_shifted(void **state)
{
    static const uint8_t shift_keys[] = {SC_LSHIFT, SC_RSHIFT};

    for (size_t s = 0; s < ARRAY_SIZE(shift_keys); s++) {
        for (size_t i = 0; i < ARRAY_SIZE(us_keys); i++) {
            const struct key_row *row = &us_keys[i];
            if (is_modifier_or_lock(row->key))
                continue;
            setup(state);
            EVENT(shift_keys[s]);
            assert_event(press(row), row->key, true, MOD_SHIFT, row->shifted);
            assert_event(release(row), row->key, false, MOD_SHIFT, 0);
            assert_event(EVENT((uint8_t)(shift_keys[s] | BREAK)),
                         s == 0 ? KEY_LEFT_SHIFT : KEY_RIGHT_SHIFT, false, 0, 0);
        }
    }
}

/* Extended codes without their prefix are different keys, and vice versa. */
static void test_prefix_selects_key(void **state)
{
    (void)state;
    assert_event(EVENT(0x48), KEY_KP_8, true, 0, '8');
    assert_event(EVENT(0xC8), KEY_KP_8, false, 0, 0);
    assert_event(EVENT(E0, 0x48), KEY_UP, true, 0, 0);
    assert_event(EVENT(E0, 0xC8), KEY_UP, false, 0, 0);
    assert_event(EVENT(0x1C), KEY_ENTER, true, 0, '\n');
    assert_event(EVENT(E0, 0x1C), KEY_KP_ENTER, true, 0, '\n');
    assert_event(EVENT(0x35), KEY_SLASH, true, 0, '/');
    assert_event(EVENT(E0, 0x35), KEY_KP_SLASH, true, 0, '/');
    /* The prefix applies to one byte only. */
    assert_event(EVENT(E0, 0x1D), KEY_RIGHT_CTRL, true, MOD_CTRL, 0);
    assert_event(EVENT(0x9D), KEY_LEFT_CTRL, false, MOD_CTRL, 0); /* right still down */
    assert_event(EVENT(E0, 0x9D), KEY_RIGHT_CTRL, false, 0, 0);
}

static void test_left_and_right_modifiers_are_separate(void **state)
{
    (void)state;
    assert_event(EVENT(SC_LSHIFT), KEY_LEFT_SHIFT, true, MOD_SHIFT, 0);
    assert_event(EVENT(SC_RSHIFT), KEY_RIGHT_SHIFT, true, MOD_SHIFT, 0);
    assert_event(EVENT(SC_LSHIFT | BREAK), KEY_LEFT_SHIFT, false, MOD_SHIFT, 0);
    assert_event(EVENT(SC_A), KEY_A, true, MOD_SHIFT, 'A');
    assert_event(EVENT(SC_RSHIFT | BREAK), KEY_RIGHT_SHIFT, false, 0, 0);
    assert_event(EVENT(SC_A), KEY_A, true, 0, 'a');

    assert_event(EVENT(SC_LALT), KEY_LEFT_ALT, true, MOD_ALT, 0);
    assert_event(EVENT(E0, 0x38), KEY_RIGHT_ALT, true, MOD_ALT, 0);
    assert_event(EVENT(E0, 0xB8), KEY_RIGHT_ALT, false, MOD_ALT, 0);
    assert_event(EVENT(SC_LALT | BREAK), KEY_LEFT_ALT, false, 0, 0);

    /* Auto-repeat of a modifier keeps it down; one break releases it. */
    EVENT(SC_LCTRL);
    assert_event(EVENT(SC_LCTRL), KEY_LEFT_CTRL, true, MOD_CTRL, 0);
    assert_event(EVENT(SC_LCTRL | BREAK), KEY_LEFT_CTRL, false, 0, 0);
}

static void test_ctrl_letters_give_control_characters(void **state)
{
    (void)state;
    EVENT(SC_LCTRL);
    assert_event(EVENT(SC_C), KEY_C, true, MOD_CTRL, 0x03);
    assert_event(EVENT(SC_L), KEY_L, true, MOD_CTRL, 0x0C);
    assert_event(EVENT(SC_C | BREAK), KEY_C, false, MOD_CTRL, 0);
    /* Every letter, with either Ctrl: letter - 'a' + 1. */
    for (size_t i = 0; i < ARRAY_SIZE(us_keys); i++) {
        const struct key_row *row = &us_keys[i];
        if (row->plain < 'a' || row->plain > 'z')
            continue;
        assert_event(press(row), row->key, true, MOD_CTRL, (char)(row->plain - 'a' + 1));
        release(row);
    }
    EVENT(SC_LCTRL | BREAK);
    EVENT(E0, 0x1D);
    assert_event(EVENT(0x2C), KEY_Z, true, MOD_CTRL, 0x1A);
    /* Shift and Caps Lock do not change a control character. */
    EVENT(SC_LSHIFT);
    assert_event(EVENT(SC_C), KEY_C, true, MOD_CTRL | MOD_SHIFT, 0x03);
    EVENT(SC_CAPS);
    assert_event(EVENT(SC_C), KEY_C, true, MOD_CTRL | MOD_SHIFT | MOD_CAPS_LOCK, 0x03);
}

static void test_ctrl_leaves_other_keys_alone(void **state)
{
    (void)state;
    EVENT(SC_LCTRL);
    assert_event(EVENT(SC_1), KEY_1, true, MOD_CTRL, '1');
    assert_event(EVENT(0x1C), KEY_ENTER, true, MOD_CTRL, '\n');
    assert_event(EVENT(0x1A), KEY_LEFT_BRACKET, true, MOD_CTRL, '[');
    EVENT(SC_RSHIFT);
    assert_event(EVENT(SC_1), KEY_1, true, MOD_CTRL | MOD_SHIFT, '!');
}

static void test_alt_keeps_the_character(void **state)
{
    (void)state;
    EVENT(SC_LALT);
    assert_event(EVENT(SC_A), KEY_A, true, MOD_ALT, 'a');
    EVENT(SC_LSHIFT);
    assert_event(EVENT(SC_A), KEY_A, true, MOD_ALT | MOD_SHIFT, 'A');
    assert_event(EVENT(SC_1), KEY_1, true, MOD_ALT | MOD_SHIFT, '!');
    EVENT(SC_LCTRL);
    assert_event(EVENT(SC_C), KEY_C, true, MOD_ALT | MOD_SHIFT | MOD_CTRL, 0x03);
}

static void test_caps_lock_letters(void **state)
{
    (void)state;
    assert_event(EVENT(SC_CAPS), KEY_CAPS_LOCK, true, MOD_CAPS_LOCK, 0);
    assert_event(EVENT(SC_CAPS | BREAK), KEY_CAPS_LOCK, false, MOD_CAPS_LOCK, 0);
    for (size_t i = 0; i < ARRAY_SIZE(us_keys); i++) {
        const struct key_row *row = &us_keys[i];
        if (row->plain < 'a' || row->plain > 'z')
            continue;
        assert_event(press(row), row->key, true, MOD_CAPS_LOCK, row->shifted);
        assert_event(release(row), row->key, false, MOD_CAPS_LOCK, 0);
    }
    /* Caps Lock again: off. */
    assert_event(EVENT(SC_CAPS), KEY_CAPS_LOCK, true, 0, 0);
    EVENT(SC_CAPS | BREAK);
    assert_event(EVENT(SC_A), KEY_A, true, 0, 'a');
}

static void test_caps_lock_with_shift_gives_lower_case(void **state)
{
    (void)state;
    EVENT(SC_CAPS);
    EVENT(SC_CAPS | BREAK);
    EVENT(SC_LSHIFT);
    for (size_t i = 0; i < ARRAY_SIZE(us_keys); i++) {
        const struct key_row *row = &us_keys[i];
        if (row->plain < 'a' || row->plain > 'z')
            continue;
        assert_event(press(row), row->key, true, MOD_SHIFT | MOD_CAPS_LOCK, row->plain);
        release(row);
    }
}

/* Caps Lock is not Shift Lock: digits and punctuation keep their plain
 * character, and with Shift their shifted one. */
static void test_caps_lock_ignores_digits_and_punctuation(void **state)
{
    (void)state;
    EVENT(SC_CAPS);
    EVENT(SC_CAPS | BREAK);
    for (size_t i = 0; i < ARRAY_SIZE(us_keys); i++) {
        const struct key_row *row = &us_keys[i];
        if (row->plain == 0 || (row->plain >= 'a' && row->plain <= 'z'))
            continue;
        assert_event(press(row), row->key, true, MOD_CAPS_LOCK, row->plain);
        release(row);
        EVENT(SC_RSHIFT);
        assert_event(press(row), row->key, true, MOD_CAPS_LOCK | MOD_SHIFT, row->shifted);
        release(row);
        EVENT(SC_RSHIFT | BREAK);
    }
}

static void test_lock_leds(void **state)
{
    (void)state;
    /* After init: Num Lock on, and an update pending to show it. */
    assert_int_equal(kbd_decoder_leds(&dec), 0x02);
    assert_true(kbd_decoder_leds_changed(&dec));
    assert_false(kbd_decoder_leds_changed(&dec));

    EVENT(SC_CAPS);
    assert_int_equal(kbd_decoder_leds(&dec), 0x06);
    assert_true(kbd_decoder_leds_changed(&dec));
    assert_false(kbd_decoder_leds_changed(&dec));
    EVENT(SC_CAPS | BREAK);
    assert_false(kbd_decoder_leds_changed(&dec)); /* releases change nothing */

    EVENT(SC_SCROLL);
    EVENT(SC_SCROLL | BREAK);
    assert_int_equal(kbd_decoder_leds(&dec), 0x07);
    EVENT(SC_NUM);
    EVENT(SC_NUM | BREAK);
    assert_int_equal(kbd_decoder_leds(&dec), 0x05);
    assert_true(kbd_decoder_leds_changed(&dec)); /* several changes, one update */
    assert_false(kbd_decoder_leds_changed(&dec));

    EVENT(SC_CAPS);
    EVENT(SC_CAPS | BREAK);
    EVENT(SC_SCROLL);
    EVENT(SC_SCROLL | BREAK);
    assert_int_equal(kbd_decoder_leds(&dec), 0x00);
    assert_true(kbd_decoder_leds_changed(&dec));

    /* Other keys never touch the LEDs. */
    EVENT(SC_A);
    EVENT(E0, 0x48);
    EVENT(SC_LSHIFT);
    assert_false(kbd_decoder_leds_changed(&dec));
}

/* Holding a lock key auto-repeats its make code: it toggles once. */
static void test_lock_auto_repeat_toggles_once(void **state)
{
    (void)state;
    kbd_decoder_leds_changed(&dec);
    assert_event(EVENT(SC_CAPS), KEY_CAPS_LOCK, true, MOD_CAPS_LOCK, 0);
    assert_true(kbd_decoder_leds_changed(&dec));
    for (int i = 0; i < 20; i++)
        assert_event(EVENT(SC_CAPS), KEY_CAPS_LOCK, true, MOD_CAPS_LOCK, 0);
    assert_false(kbd_decoder_leds_changed(&dec));
    EVENT(SC_CAPS | BREAK);
    assert_event(EVENT(SC_CAPS), KEY_CAPS_LOCK, true, 0, 0);
    assert_true(kbd_decoder_leds_changed(&dec));

    for (int i = 0; i < 5; i++)
        EVENT(SC_NUM);
    assert_int_equal(kbd_decoder_leds(&dec), 0x00);
}

static void test_numlock_off_keypad_is_navigation(void **state)
{
    (void)state;
    EVENT(SC_NUM);
    EVENT(SC_NUM | BREAK);
    for (size_t i = 0; i < ARRAY_SIZE(keypad_nav); i++) {
        assert_event(EVENT(keypad_nav[i].make), keypad_nav[i].numlock_off, true, 0, 0);
        assert_event(EVENT((uint8_t)(keypad_nav[i].make | BREAK)), keypad_nav[i].numlock_off, false,
                     0, 0);
    }
    /* Shift does not bring the digits back; the operators never change. */
    EVENT(SC_LSHIFT);
    assert_event(EVENT(SC_KP7), KEY_HOME, true, MOD_SHIFT, 0);
    assert_event(EVENT(0x4E), KEY_KP_PLUS, true, MOD_SHIFT, '+');
    assert_event(EVENT(E0, 0x35), KEY_KP_SLASH, true, MOD_SHIFT, '/');
}

/* A keypad key's release names the same key as its press, even when Num
 * Lock changed while it was down. */
static void test_keypad_release_matches_press(void **state)
{
    (void)state;
    assert_event(EVENT(SC_KP7), KEY_KP_7, true, 0, '7');
    EVENT(SC_NUM);
    EVENT(SC_NUM | BREAK);
    assert_event(EVENT(SC_KP7 | BREAK), KEY_KP_7, false, 0, 0);

    assert_event(EVENT(SC_KP5), KEY_KP_5, true, 0, 0); /* Num Lock off: 5 types nothing */
    assert_event(EVENT(SC_KP7), KEY_HOME, true, 0, 0);
    EVENT(SC_NUM);
    EVENT(SC_NUM | BREAK);
    assert_event(EVENT(SC_KP7 | BREAK), KEY_HOME, false, 0, 0);
    assert_event(EVENT(SC_KP5 | BREAK), KEY_KP_5, false, 0, 0);
    assert_event(EVENT(SC_KP7), KEY_KP_7, true, 0, '7');
}

/* The fake shifts some keyboards wrap around extended keys change nothing. */
static void test_fake_shifts_ignored(void **state)
{
    (void)state;
    SILENT(E0, 0x2A, E0, 0xAA, E0, 0x36, E0, 0xB6);
    assert_int_equal(kbd_decoder_modifiers(&dec), 0);
    assert_event(EVENT(SC_A), KEY_A, true, 0, 'a');

    /* Num Lock on, Up arrow: the keyboard sends E0 2A E0 48 ... E0 C8 E0 AA. */
    assert_event(EVENT(E0, 0x2A, E0, 0x48), KEY_UP, true, 0, 0);
    assert_event(EVENT(E0, 0xC8), KEY_UP, false, 0, 0);
    SILENT(E0, 0xAA);

    /* Shift held, keypad /: the keyboard pretends to release the shift
     * (E0 AA) first and to press it again (E0 2A) after. */
    EVENT(SC_LSHIFT);
    assert_event(EVENT(E0, 0xAA, E0, 0x35), KEY_KP_SLASH, true, MOD_SHIFT, '/');
    assert_event(EVENT(E0, 0xB5), KEY_KP_SLASH, false, MOD_SHIFT, 0);
    SILENT(E0, 0x2A);
    assert_event(EVENT(SC_A), KEY_A, true, MOD_SHIFT, 'A');
    EVENT(SC_RSHIFT);
    SILENT(E0, 0xB6);
    assert_int_equal(kbd_decoder_modifiers(&dec), MOD_SHIFT);
    assert_event(EVENT(SC_LSHIFT | BREAK), KEY_LEFT_SHIFT, false, MOD_SHIFT, 0);
    assert_event(EVENT(SC_RSHIFT | BREAK), KEY_RIGHT_SHIFT, false, 0, 0);
}

static void test_print_screen(void **state)
{
    (void)state;
    assert_event(EVENT(E0, 0x2A, E0, 0x37), KEY_PRINT_SCREEN, true, 0, 0);
    assert_event(EVENT(E0, 0xB7), KEY_PRINT_SCREEN, false, 0, 0);
    SILENT(E0, 0xAA);
    /* With Shift or Ctrl held there are no fake shifts. */
    EVENT(SC_LCTRL);
    assert_event(EVENT(E0, 0x37), KEY_PRINT_SCREEN, true, MOD_CTRL, 0);
    assert_event(EVENT(E0, 0xB7), KEY_PRINT_SCREEN, false, MOD_CTRL, 0);
    EVENT(SC_LCTRL | BREAK);
    /* With Alt held it is SysRq: 54 / D4. */
    EVENT(SC_LALT);
    assert_event(EVENT(0x54), KEY_PRINT_SCREEN, true, MOD_ALT, 0);
    assert_event(EVENT(0xD4), KEY_PRINT_SCREEN, false, MOD_ALT, 0);
    /* Not Keypad *, which is the same code without the prefix. */
    EVENT(SC_LALT | BREAK);
    assert_event(EVENT(0x37), KEY_KP_ASTERISK, true, 0, '*');
}

static void test_pause(void **state)
{
    (void)state;
    kbd_decoder_leds_changed(&dec);
    assert_event(EVENT(0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5), KEY_PAUSE, true, 0, 0);
    /* The Ctrl and Num Lock codes inside it did nothing. */
    assert_int_equal(kbd_decoder_leds(&dec), 0x02);
    assert_false(kbd_decoder_leds_changed(&dec));
    assert_event(EVENT(SC_A), KEY_A, true, 0, 'a');
    /* Twice in a row (Pause does not auto-repeat, but a user can press it again). */
    assert_event(EVENT(0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5), KEY_PAUSE, true, 0, 0);
    assert_event(EVENT(0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5), KEY_PAUSE, true, 0, 0);
    /* A stray 0xE0 before it is dropped, not carried past it. */
    assert_event(EVENT(E0, 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5), KEY_PAUSE, true, 0, 0);
    assert_event(EVENT(SC_A), KEY_A, true, 0, 'a');
    /* With a real Ctrl held: Break, E0 46 / E0 C6. */
    EVENT(SC_LCTRL);
    assert_event(EVENT(E0, 0x46), KEY_PAUSE, true, MOD_CTRL, 0);
    assert_event(EVENT(E0, 0xC6), KEY_PAUSE, false, MOD_CTRL, 0);
    /* ...which is not Scroll Lock (46 without the prefix). */
    assert_int_equal(kbd_decoder_leds(&dec), 0x02);
}

/* A Pause sequence cut short: the byte that breaks it is decoded normally. */
static void test_interrupted_pause_resyncs(void **state)
{
    (void)state;
    assert_event(EVENT(0xE1, 0x1D, SC_A), KEY_A, true, 0, 'a');
    assert_event(EVENT(0xE1, 0x1D, 0x45, E0, 0x48), KEY_UP, true, 0, 0);
    assert_event(EVENT(0xE1, 0x1D, 0x45, 0xE1, 0x9D, SC_LSHIFT), KEY_LEFT_SHIFT, true, MOD_SHIFT,
                 0);
    assert_event(EVENT(0xE1, 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5), KEY_PAUSE, true, MOD_SHIFT, 0);
    assert_int_equal(kbd_decoder_leds(&dec), 0x02);
}

/* Keyboard replies produce nothing and do not disturb a sequence in flight. */
static void test_protocol_bytes_ignored(void **state)
{
    (void)state;
    static const uint8_t replies[] = {0xFA, 0xFE, 0xEE, 0xFC, 0xFD, 0x00, 0xFF};

    kbd_decoder_leds_changed(&dec);
    silent(replies, sizeof(replies));
    assert_int_equal(kbd_decoder_modifiers(&dec), 0);
    for (size_t i = 0; i < ARRAY_SIZE(replies); i++) {
        uint8_t r = replies[i];
        assert_event(EVENT(E0, r, 0x48), KEY_UP, true, 0, 0);
        assert_event(EVENT(0xE1, 0x1D, r, 0x45, 0xE1, r, 0x9D, 0xC5), KEY_PAUSE, true, 0, 0);
        assert_event(EVENT(r, SC_A), KEY_A, true, 0, 'a');
    }
    assert_false(kbd_decoder_leds_changed(&dec));
}

/* 0xAA alone (self-test passed) gives nothing; as Left Shift's break while
 * Left Shift is down, it releases it. */
static void test_self_test_byte(void **state)
{
    (void)state;
    SILENT(0xAA);
    assert_event(EVENT(SC_A), KEY_A, true, 0, 'a');
    EVENT(SC_LSHIFT);
    assert_event(EVENT(0xAA), KEY_LEFT_SHIFT, false, 0, 0);
    SILENT(0xAA);
    EVENT(SC_RSHIFT);
    SILENT(0xAA); /* only Left Shift counts */
    assert_int_equal(kbd_decoder_modifiers(&dec), MOD_SHIFT);
}

/* Codes with no key give nothing and leave state and the next key intact. */
static void test_unknown_codes_ignored(void **state)
{
    (void)state;
    EVENT(SC_LSHIFT);
    EVENT(SC_CAPS);
    kbd_decoder_leds_changed(&dec);
    for (unsigned code = 0x55; code < 0x80; code++) {
        uint8_t brk = (uint8_t)(code | BREAK);
        if (code == 0x57 || code == 0x58) /* F11, F12 */
            continue;
        SILENT((uint8_t)code);
        if (brk != E0 && brk != 0xE1) /* 0x60 and 0x61 "break" into the prefixes */
            SILENT(brk);
        assert_event(EVENT(SC_A), KEY_A, true, MOD_SHIFT | MOD_CAPS_LOCK, 'a');
    }
    /* Extended codes the 104-key keyboard does not have. */
    static const uint8_t unknown_e0[] = {0x01, 0x10, 0x19, 0x20, 0x2E, 0x30, 0x3B, 0x4A,
                                         0x4C, 0x4E, 0x5E, 0x5F, 0x63, 0x65, 0x6D, 0x70};
    for (size_t i = 0; i < ARRAY_SIZE(unknown_e0); i++) {
        SILENT(E0, unknown_e0[i], E0, (uint8_t)(unknown_e0[i] | BREAK));
        assert_event(EVENT(SC_1), KEY_1, true, MOD_SHIFT | MOD_CAPS_LOCK, '!');
    }
    assert_int_equal(kbd_decoder_modifiers(&dec), MOD_SHIFT | MOD_CAPS_LOCK);
    assert_false(kbd_decoder_leds_changed(&dec));
}

/* Typing "Hi!\n" with junk between the keys gives exactly the right text. */
static void test_interleaved_junk(void **state)
{
    (void)state;
    static const uint8_t stream[] = {0x2A, 0x60, 0x23, 0xFA, 0xA3, 0xAA, 0x5A, 0x17,
                                     0x97, E0,   0x7F, 0xE0, 0xE0, 0x2A, 0x02, 0x82,
                                     0x00, 0xB6, 0x1C, 0xFF, 0x9C, 0x59, 0x79};
    char text[16];
    size_t len = 0;

    for (size_t i = 0; i < sizeof(stream); i++) {
        struct key_event ev;
        if (kbd_decoder_feed(&dec, stream[i], &ev) && ev.ascii != 0) {
            assert_true(len < sizeof(text) - 1);
            text[len++] = ev.ascii;
        }
    }
    text[len] = '\0';
    /* AA released the real Left Shift and E0 E0 2A is a fake shift, so the
     * 1 key gives '1'. */
    assert_string_equal(text, "Hi1\n");
}

/* ------------------------------------------------------- randomized run */

#define RANDOM_BYTES   1000000
#define RESYNC_EVERY   997 /* chunks; a prime, so checks land at every phase of the generator */
#define RANDOM_SEED    0x4B45454Cu
#define HELD_MODIFIERS 6

static uint64_t rng_state;

/* xorshift64*: deterministic on every host, unlike rand(). */
static uint32_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

/* What the test believes from the events alone, per the documented rules. */
struct model {
    bool down[HELD_MODIFIERS]; /* LShift RShift LCtrl RCtrl LAlt RAlt */
    bool lock_down[3];         /* Scroll, Num, Caps Lock keys down */
    bool lock_on[3];           /* Scroll, Num, Caps Lock states: LED bits 0, 1, 2 */
    unsigned long events;
    unsigned long bytes;
};

enum { LOCK_SCROLL, LOCK_NUM, LOCK_CAPS };

static int modifier_index(enum keycode key)
{
    static const enum keycode keys[HELD_MODIFIERS] = {KEY_LEFT_SHIFT, KEY_RIGHT_SHIFT,
                                                      KEY_LEFT_CTRL,  KEY_RIGHT_CTRL,
                                                      KEY_LEFT_ALT,   KEY_RIGHT_ALT};
    for (int i = 0; i < HELD_MODIFIERS; i++)
        if (keys[i] == key)
            return i;
    return -1;
}

static uint8_t model_mods(const struct model *m)
{
    return (uint8_t)(((m->down[0] || m->down[1]) ? MOD_SHIFT : 0) |
                     ((m->down[2] || m->down[3]) ? MOD_CTRL : 0) |
                     ((m->down[4] || m->down[5]) ? MOD_ALT : 0) |
                     (m->lock_on[LOCK_CAPS] ? MOD_CAPS_LOCK : 0));
}

static int lock_index(enum keycode key)
{
    switch (key) {
    case KEY_SCROLL_LOCK:
        return LOCK_SCROLL;
    case KEY_NUM_LOCK:
        return LOCK_NUM;
    case KEY_CAPS_LOCK:
        return LOCK_CAPS;
    default:
        return -1;
    }
}

/* Update the model with ev and check ev, and the LEDs, against it. */
static void check_event(struct model *m, const struct key_event *ev)
{
    assert_true(ev->key > KEY_NONE && ev->key < KEY_COUNT);
    int idx = modifier_index(ev->key);
    if (idx >= 0)
        m->down[idx] = ev->pressed;
    int lock = lock_index(ev->key);
    if (lock >= 0) {
        if (ev->pressed && !m->lock_down[lock])
            m->lock_on[lock] = !m->lock_on[lock];
        m->lock_down[lock] = ev->pressed;
    }
    assert_int_equal(ev->modifiers, model_mods(m));
    if (!ev->pressed)
        assert_int_equal(ev->ascii, 0);
    bool caps = m->lock_on[LOCK_CAPS];
    if (ev->key >= KEY_A && ev->key <= KEY_Z && ev->pressed) {
        char lower = (char)('a' + (ev->key - KEY_A));
        bool upper = ((ev->modifiers & MOD_SHIFT) != 0) != caps;
        char want = (ev->modifiers & MOD_CTRL) ? (char)(lower - 'a' + 1)
                                               : (upper ? (char)(lower - 'a' + 'A') : lower);
        assert_int_equal(ev->ascii, want);
    }
    if (ev->key >= KEY_KP_0 && ev->key <= KEY_KP_9 && ev->pressed) {
        /* Only KP_5 keeps its name with Num Lock off, and then types nothing. */
        char digit = (char)('0' + (ev->key - KEY_KP_0));
        assert_int_equal(ev->ascii, m->lock_on[LOCK_NUM] ? digit : 0);
        if (!m->lock_on[LOCK_NUM])
            assert_int_equal(ev->key, KEY_KP_5);
    }
    uint8_t leds = (uint8_t)((m->lock_on[LOCK_SCROLL] ? 0x01 : 0) |
                             (m->lock_on[LOCK_NUM] ? 0x02 : 0) | (caps ? 0x04 : 0));
    assert_int_equal(kbd_decoder_leds(&dec), leds);
    m->events++;
}

static void feed_checked(struct model *m, uint8_t byte)
{
    struct key_event ev;
    m->bytes++;
    if (kbd_decoder_feed(&dec, byte, &ev))
        check_event(m, &ev);
}

/* Random input that is mostly plausible: single bytes of any value, table
 * keys with and without prefix, Pause fragments, fake shifts, replies. */
static void feed_random_chunk(struct model *m)
{
    uint32_t r = rng();
    const struct key_row *row = &us_keys[(r >> 8) % ARRAY_SIZE(us_keys)];
    uint8_t brk = (r & 0x10000) ? BREAK : 0;

    switch (r % 8) {
    case 0:
    case 1:
        feed_checked(m, (uint8_t)(r >> 24));
        break;
    case 2:
    case 3:
        if (row->prefix == E0)
            feed_checked(m, E0);
        feed_checked(m, (uint8_t)(row->make | brk));
        break;
    case 4: {
        static const uint8_t pause[] = {0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5};
        unsigned n = 1 + (r >> 24) % 6;
        for (unsigned i = 0; i < n; i++)
            feed_checked(m, pause[i]);
        break;
    }
    case 5:
        feed_checked(m, E0);
        feed_checked(m, (uint8_t)(((r >> 24) & 1 ? SC_LSHIFT : SC_RSHIFT) | brk));
        break;
    case 6:
        feed_checked(m, (uint8_t)(0xE0 + (r >> 24) % 32)); /* prefixes and replies */
        break;
    default:
        feed_checked(m, (uint8_t)((r >> 24) | brk)); /* biased towards breaks */
        break;
    }
}

/* From any state: E0 7F must bring the decoder back in step without an
 * event; after releasing the modifiers, 'a' must decode exactly. */
static void check_recovery(struct model *m)
{
    static const uint8_t releases[][2] = {{0, 0xAA},  {0, 0xB6}, {0, 0x9D},
                                          {E0, 0x9D}, {0, 0xB8}, {E0, 0xB8}};
    SILENT(E0, 0x7F);
    for (size_t i = 0; i < ARRAY_SIZE(releases); i++) {
        if (releases[i][0] == E0)
            feed_checked(m, E0);
        feed_checked(m, releases[i][1]);
    }
    assert_int_equal(model_mods(m) & ~MOD_CAPS_LOCK, 0);
    struct key_event ev = EVENT(SC_A);
    check_event(m, &ev);
    assert_event(ev, KEY_A, true, model_mods(m), m->lock_on[LOCK_CAPS] ? 'A' : 'a');
    ev = EVENT(SC_A | BREAK);
    check_event(m, &ev);
    assert_event(ev, KEY_A, false, model_mods(m), 0);
}

static void test_random_stream(void **state)
{
    (void)state;
    struct model m = {.lock_on[LOCK_NUM] = true}; /* Num Lock starts on */
    unsigned long chunks = 0, checks = 0;

    rng_state = RANDOM_SEED;
    while (m.bytes < RANDOM_BYTES) {
        feed_random_chunk(&m);
        if (++chunks % RESYNC_EVERY == 0) {
            check_recovery(&m);
            checks++;
        }
    }
    check_recovery(&m);
    printf("  %lu bytes, %lu events, %lu recovery checks\n", m.bytes, m.events, checks);
    /* The generator must actually exercise the decoder. */
    assert_true(m.events > RANDOM_BYTES / 4);
    assert_true(checks > 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_table_covers_the_keyboard, setup),
        cmocka_unit_test_setup(test_every_key_plain, setup),
        cmocka_unit_test_setup(test_every_key_shifted, setup),
        cmocka_unit_test_setup(test_prefix_selects_key, setup),
        cmocka_unit_test_setup(test_left_and_right_modifiers_are_separate, setup),
        cmocka_unit_test_setup(test_ctrl_letters_give_control_characters, setup),
        cmocka_unit_test_setup(test_ctrl_leaves_other_keys_alone, setup),
        cmocka_unit_test_setup(test_alt_keeps_the_character, setup),
        cmocka_unit_test_setup(test_caps_lock_letters, setup),
        cmocka_unit_test_setup(test_caps_lock_with_shift_gives_lower_case, setup),
        cmocka_unit_test_setup(test_caps_lock_ignores_digits_and_punctuation, setup),
        cmocka_unit_test_setup(test_lock_leds, setup),
        cmocka_unit_test_setup(test_lock_auto_repeat_toggles_once, setup),
        cmocka_unit_test_setup(test_numlock_off_keypad_is_navigation, setup),
        cmocka_unit_test_setup(test_keypad_release_matches_press, setup),
        cmocka_unit_test_setup(test_fake_shifts_ignored, setup),
        cmocka_unit_test_setup(test_print_screen, setup),
        cmocka_unit_test_setup(test_pause, setup),
        cmocka_unit_test_setup(test_interrupted_pause_resyncs, setup),
        cmocka_unit_test_setup(test_protocol_bytes_ignored, setup),
        cmocka_unit_test_setup(test_self_test_byte, setup),
        cmocka_unit_test_setup(test_unknown_codes_ignored, setup),
        cmocka_unit_test_setup(test_interleaved_junk, setup),
        cmocka_unit_test_setup(test_random_stream, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
