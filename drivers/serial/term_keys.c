/*
 * term_keys.c - escape sequences and control characters to key events.
 *
 * States: plain text; after ESC; after ESC [ (CSI) collecting a decimal
 * parameter; after ESC O (SS3). Sequences understood (xterm and the Linux
 * console agree on these): CSI/SS3 A B C D = Up Down Right Left,
 * H F = Home End, and CSI n ~ with n = 1 or 7 Home, 2 Insert, 3 Delete,
 * 4 or 8 End, 5 Page Up, 6 Page Down. Anything else ends the sequence
 * without an event. ESC followed by an ordinary key is Alt + that key (the
 * "meta sends escape" convention). The Escape key alone is only recognised
 * once the next byte arrives: a serial line carries no key-up to say
 * the sequence is over.
 */
#include <drivers/serial/term_keys.h>

#define ASCII_ESCAPE  0x1B
#define ASCII_DELETE  0x7F
#define ASCII_CTRL_A  0x01
#define ASCII_CTRL_Z  0x1A
#define PARAMETER_MAX 99 /* longer numbers are nonsense: stop growing */

enum {
    STATE_TEXT,
    STATE_ESCAPE, /* ESC seen */
    STATE_CSI,    /* ESC [ seen, digits may follow */
    STATE_SS3,    /* ESC O seen */
};

void term_decoder_init(struct term_decoder *d)
{
    *d = (struct term_decoder){.state = STATE_TEXT};
}

static bool emit(struct key_event *out, enum keycode key, char ascii, uint8_t modifiers)
{
    *out = (struct key_event){.key = key, .pressed = true, .modifiers = modifiers, .ascii = ascii};
    return true;
}

/* The key for a final byte of CSI or SS3 (A B C D H F), or KEY_NONE. */
static enum keycode final_byte_key(uint8_t byte)
{
    switch (byte) {
    case 'A':
        return KEY_UP;
    case 'B':
        return KEY_DOWN;
    case 'C':
        return KEY_RIGHT;
    case 'D':
        return KEY_LEFT;
    case 'H':
        return KEY_HOME;
    case 'F':
        return KEY_END;
    default:
        return KEY_NONE;
    }
}

/* The key for CSI n ~ (VT220 editing keys), or KEY_NONE. */
static enum keycode tilde_key(uint8_t parameter)
{
    static const enum keycode keys[] = {
        [1] = KEY_HOME,    [2] = KEY_INSERT,    [3] = KEY_DELETE, [4] = KEY_END,
        [5] = KEY_PAGE_UP, [6] = KEY_PAGE_DOWN, [7] = KEY_HOME,   [8] = KEY_END,
    };
    return parameter < sizeof(keys) / sizeof(keys[0]) ? keys[parameter] : KEY_NONE;
}

/* The key a letter or digit character comes from, for printable bytes. */
static enum keycode character_key(uint8_t byte)
{
    if (byte >= 'a' && byte <= 'z')
        return (enum keycode)(KEY_A + (byte - 'a'));
    if (byte >= 'A' && byte <= 'Z')
        return (enum keycode)(KEY_A + (byte - 'A'));
    if (byte >= '0' && byte <= '9')
        return (enum keycode)(KEY_0 + (byte - '0'));
    if (byte == ' ')
        return KEY_SPACE;
    return KEY_NONE;
}

static bool feed_text(struct term_decoder *d, uint8_t byte, struct key_event *out)
{
    bool after_return = d->after_return;
    d->after_return = byte == '\r';
    switch (byte) {
    case ASCII_ESCAPE:
        d->state = STATE_ESCAPE;
        return false;
    case '\r':
        return emit(out, KEY_ENTER, '\n', 0);
    case '\n':
        return after_return ? false : emit(out, KEY_ENTER, '\n', 0); /* "\r\n" is one Enter */
    case '\b':
    case ASCII_DELETE:
        return emit(out, KEY_BACKSPACE, '\b', 0);
    case '\t':
        return emit(out, KEY_TAB, '\t', 0);
    default:
        break;
    }
    if (byte >= ASCII_CTRL_A && byte <= ASCII_CTRL_Z)
        return emit(out, (enum keycode)(KEY_A + (byte - ASCII_CTRL_A)), (char)byte, MOD_CTRL);
    if (byte < 0x20)
        return false; /* other control characters have no key */
    uint8_t shift = byte >= 'A' && byte <= 'Z' ? MOD_SHIFT : 0;
    return emit(out, character_key(byte), (char)byte, shift);
}

bool term_decoder_feed(struct term_decoder *d, uint8_t byte, struct key_event *out)
{
    switch (d->state) {
    case STATE_ESCAPE:
        if (byte == '[' || byte == 'O') {
            d->state = byte == '[' ? STATE_CSI : STATE_SS3;
            d->parameter = 0;
            return false;
        }
        if (byte == ASCII_ESCAPE) /* ESC ESC: the first was the Escape key */
            return emit(out, KEY_ESCAPE, ASCII_ESCAPE, 0);
        /* ESC + key is how terminals send Alt + key ("meta sends escape"). */
        d->state = STATE_TEXT;
        if (feed_text(d, byte, out)) {
            out->modifiers |= MOD_ALT;
            return true;
        }
        return emit(out, KEY_ESCAPE, ASCII_ESCAPE, 0);
    case STATE_CSI:
        if (byte >= '0' && byte <= '9') {
            unsigned value = d->parameter * 10u + (byte - '0');
            d->parameter = (uint8_t)(value > PARAMETER_MAX ? PARAMETER_MAX : value);
            return false;
        }
        d->state = STATE_TEXT;
        if (byte == '~')
            return tilde_key(d->parameter) != KEY_NONE && emit(out, tilde_key(d->parameter), 0, 0);
        return final_byte_key(byte) != KEY_NONE && emit(out, final_byte_key(byte), 0, 0);
    case STATE_SS3:
        d->state = STATE_TEXT;
        return final_byte_key(byte) != KEY_NONE && emit(out, final_byte_key(byte), 0, 0);
    default:
        return feed_text(d, byte, out);
    }
}
