/*
 * keymap_us.c - scancode set 1 on the US 104-key QWERTY layout (see
 * keymap.h): one table for plain make codes, one for codes after the 0xE0
 * prefix. The make codes were checked against the OSDev wiki table, the
 * HelpPC "INT 9 make/break codes" list and Microsoft's "USB HID to PS/2
 * Scan Code Translation Table" (2004).
 */
#include <drivers/ps2/keymap.h>

#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ASCII_ESCAPE  0x1B

#define KEY(k, plain, shifted)                                                                     \
    {                                                                                              \
        k, plain, shifted, KEY_NONE                                                                \
    }
#define NOCHAR(k)                                                                                  \
    {                                                                                              \
        k, 0, 0, KEY_NONE                                                                          \
    }
#define LETTER(k, c)                                                                               \
    {                                                                                              \
        k, c, (char)((c) - 'a' + 'A'), KEY_NONE                                                    \
    }
#define KEYPAD(k, c, nav)                                                                          \
    {                                                                                              \
        k, c, c, nav                                                                               \
    }

/* Plain make codes 0x01..0x58. 0x55 and 0x56 (the extra key of 102-key ISO
 * keyboards) are not on the US 104-key keyboard. */
static const struct key_info base_keys[0x59] = {
    [0x01] = KEY(KEY_ESCAPE, ASCII_ESCAPE, ASCII_ESCAPE),
    [0x02] = KEY(KEY_1, '1', '!'),
    [0x03] = KEY(KEY_2, '2', '@'),
    [0x04] = KEY(KEY_3, '3', '#'),
    [0x05] = KEY(KEY_4, '4', '$'),
    [0x06] = KEY(KEY_5, '5', '%'),
    [0x07] = KEY(KEY_6, '6', '^'),
    [0x08] = KEY(KEY_7, '7', '&'),
    [0x09] = KEY(KEY_8, '8', '*'),
    [0x0A] = KEY(KEY_9, '9', '('),
    [0x0B] = KEY(KEY_0, '0', ')'),
    [0x0C] = KEY(KEY_MINUS, '-', '_'),
    [0x0D] = KEY(KEY_EQUAL, '=', '+'),
    [0x0E] = KEY(KEY_BACKSPACE, '\b', '\b'),
    [0x0F] = KEY(KEY_TAB, '\t', '\t'),
    [0x10] = LETTER(KEY_Q, 'q'),
    [0x11] = LETTER(KEY_W, 'w'),
    [0x12] = LETTER(KEY_E, 'e'),
    [0x13] = LETTER(KEY_R, 'r'),
    [0x14] = LETTER(KEY_T, 't'),
    [0x15] = LETTER(KEY_Y, 'y'),
    [0x16] = LETTER(KEY_U, 'u'),
    [0x17] = LETTER(KEY_I, 'i'),
    [0x18] = LETTER(KEY_O, 'o'),
    [0x19] = LETTER(KEY_P, 'p'),
    [0x1A] = KEY(KEY_LEFT_BRACKET, '[', '{'),
    [0x1B] = KEY(KEY_RIGHT_BRACKET, ']', '}'),
    [0x1C] = KEY(KEY_ENTER, '\n', '\n'),
    [0x1D] = NOCHAR(KEY_LEFT_CTRL),
    [0x1E] = LETTER(KEY_A, 'a'),
    [0x1F] = LETTER(KEY_S, 's'),
    [0x20] = LETTER(KEY_D, 'd'),
    [0x21] = LETTER(KEY_F, 'f'),
    [0x22] = LETTER(KEY_G, 'g'),
    [0x23] = LETTER(KEY_H, 'h'),
    [0x24] = LETTER(KEY_J, 'j'),
    [0x25] = LETTER(KEY_K, 'k'),
    [0x26] = LETTER(KEY_L, 'l'),
    [0x27] = KEY(KEY_SEMICOLON, ';', ':'),
    [0x28] = KEY(KEY_APOSTROPHE, '\'', '"'),
    [0x29] = KEY(KEY_GRAVE, '`', '~'),
    [0x2A] = NOCHAR(KEY_LEFT_SHIFT),
    [0x2B] = KEY(KEY_BACKSLASH, '\\', '|'),
    [0x2C] = LETTER(KEY_Z, 'z'),
    [0x2D] = LETTER(KEY_X, 'x'),
    [0x2E] = LETTER(KEY_C, 'c'),
    [0x2F] = LETTER(KEY_V, 'v'),
    [0x30] = LETTER(KEY_B, 'b'),
    [0x31] = LETTER(KEY_N, 'n'),
    [0x32] = LETTER(KEY_M, 'm'),
    [0x33] = KEY(KEY_COMMA, ',', '<'),
    [0x34] = KEY(KEY_PERIOD, '.', '>'),
    [0x35] = KEY(KEY_SLASH, '/', '?'),
    [0x36] = NOCHAR(KEY_RIGHT_SHIFT),
    [0x37] = KEY(KEY_KP_ASTERISK, '*', '*'),
    [0x38] = NOCHAR(KEY_LEFT_ALT),
    [0x39] = KEY(KEY_SPACE, ' ', ' '),
    [0x3A] = NOCHAR(KEY_CAPS_LOCK),
    [0x3B] = NOCHAR(KEY_F1),
    [0x3C] = NOCHAR(KEY_F2),
    [0x3D] = NOCHAR(KEY_F3),
    [0x3E] = NOCHAR(KEY_F4),
    [0x3F] = NOCHAR(KEY_F5),
    [0x40] = NOCHAR(KEY_F6),
    [0x41] = NOCHAR(KEY_F7),
    [0x42] = NOCHAR(KEY_F8),
    [0x43] = NOCHAR(KEY_F9),
    [0x44] = NOCHAR(KEY_F10),
    [0x45] = NOCHAR(KEY_NUM_LOCK),
    [0x46] = NOCHAR(KEY_SCROLL_LOCK),
    [0x47] = KEYPAD(KEY_KP_7, '7', KEY_HOME),
    [0x48] = KEYPAD(KEY_KP_8, '8', KEY_UP),
    [0x49] = KEYPAD(KEY_KP_9, '9', KEY_PAGE_UP),
    [0x4A] = KEY(KEY_KP_MINUS, '-', '-'),
    [0x4B] = KEYPAD(KEY_KP_4, '4', KEY_LEFT),
    [0x4C] = KEYPAD(KEY_KP_5, '5', KEY_KP_5), /* no navigation meaning */
    [0x4D] = KEYPAD(KEY_KP_6, '6', KEY_RIGHT),
    [0x4E] = KEY(KEY_KP_PLUS, '+', '+'),
    [0x4F] = KEYPAD(KEY_KP_1, '1', KEY_END),
    [0x50] = KEYPAD(KEY_KP_2, '2', KEY_DOWN),
    [0x51] = KEYPAD(KEY_KP_3, '3', KEY_PAGE_DOWN),
    [0x52] = KEYPAD(KEY_KP_0, '0', KEY_INSERT),
    [0x53] = KEYPAD(KEY_KP_PERIOD, '.', KEY_DELETE),
    [0x54] = NOCHAR(KEY_PRINT_SCREEN), /* SysRq: Print Screen with Alt held */
    [0x57] = NOCHAR(KEY_F11),
    [0x58] = NOCHAR(KEY_F12),
};

/* Make codes after 0xE0. 0x2A and 0x36 stay empty on purpose: after 0xE0
 * they are the fake shifts, which must change nothing. The multimedia and
 * ACPI keys some keyboards add are not on the 104-key layout either. */
static const struct key_info extended_keys[0x5E] = {
    [0x1C] = KEY(KEY_KP_ENTER, '\n', '\n'),
    [0x1D] = NOCHAR(KEY_RIGHT_CTRL),
    [0x35] = KEY(KEY_KP_SLASH, '/', '/'),
    [0x37] = NOCHAR(KEY_PRINT_SCREEN),
    [0x38] = NOCHAR(KEY_RIGHT_ALT),
    [0x46] = NOCHAR(KEY_PAUSE), /* Ctrl+Pause (Break) */
    [0x47] = NOCHAR(KEY_HOME),
    [0x48] = NOCHAR(KEY_UP),
    [0x49] = NOCHAR(KEY_PAGE_UP),
    [0x4B] = NOCHAR(KEY_LEFT),
    [0x4D] = NOCHAR(KEY_RIGHT),
    [0x4F] = NOCHAR(KEY_END),
    [0x50] = NOCHAR(KEY_DOWN),
    [0x51] = NOCHAR(KEY_PAGE_DOWN),
    [0x52] = NOCHAR(KEY_INSERT),
    [0x53] = NOCHAR(KEY_DELETE),
    [0x5B] = NOCHAR(KEY_LEFT_GUI),
    [0x5C] = NOCHAR(KEY_RIGHT_GUI),
    [0x5D] = NOCHAR(KEY_MENU),
};

static const struct key_info no_key = NOCHAR(KEY_NONE);

const struct key_info *keymap_us_lookup(bool extended, uint8_t code)
{
    if (extended)
        return code < ARRAY_SIZE(extended_keys) ? &extended_keys[code] : &no_key;
    return code < ARRAY_SIZE(base_keys) ? &base_keys[code] : &no_key;
}
