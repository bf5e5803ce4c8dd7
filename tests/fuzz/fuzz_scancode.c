/*
 * fuzz_scancode.c - libFuzzer target for the scancode set 1 decoder
 * (drivers/ps2/scancode.c).
 *
 * Build and run (clang only; libFuzzer supplies main):
 *   mkdir -p build/fuzz
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
 *       tests/fuzz/fuzz_scancode.c drivers/ps2/scancode.c -o build/fuzz/fuzz_scancode
 *   build/fuzz/fuzz_scancode -max_total_time=10
 *
 * Every input byte goes to one decoder. Besides the sanitizers' checks, the
 * target keeps its own model of the documented rules and traps when an event
 * breaks one: keycodes in range, releases without characters, modifiers and
 * LEDs matching the presses and releases reported so far, letters typing the
 * character Shift, Caps Lock and Ctrl call for, Pause only after its whole
 * sequence. At the end it checks that E0 7F
 * resynchronises the decoder from whatever state the input left it in.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <drivers/ps2/scancode.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

enum { LOCK_SCROLL, LOCK_NUM, LOCK_CAPS, LOCKS };
enum { LEFT_SHIFT, RIGHT_SHIFT, LEFT_CTRL, RIGHT_CTRL, LEFT_ALT, RIGHT_ALT, MODIFIERS };

struct model {
    bool down[MODIFIERS];
    bool lock_down[LOCKS];
    bool lock_on[LOCKS];
};

static int modifier_index(enum keycode key)
{
    switch (key) {
    case KEY_LEFT_SHIFT:
        return LEFT_SHIFT;
    case KEY_RIGHT_SHIFT:
        return RIGHT_SHIFT;
    case KEY_LEFT_CTRL:
        return LEFT_CTRL;
    case KEY_RIGHT_CTRL:
        return RIGHT_CTRL;
    case KEY_LEFT_ALT:
        return LEFT_ALT;
    case KEY_RIGHT_ALT:
        return RIGHT_ALT;
    default:
        return -1;
    }
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

static uint8_t model_mods(const struct model *m)
{
    uint8_t mods = 0;
    if (m->down[LEFT_SHIFT] || m->down[RIGHT_SHIFT])
        mods |= MOD_SHIFT;
    if (m->down[LEFT_CTRL] || m->down[RIGHT_CTRL])
        mods |= MOD_CTRL;
    if (m->down[LEFT_ALT] || m->down[RIGHT_ALT])
        mods |= MOD_ALT;
    if (m->lock_on[LOCK_CAPS])
        mods |= MOD_CAPS_LOCK;
    return mods;
}

static uint8_t model_leds(const struct model *m)
{
    return (uint8_t)((m->lock_on[LOCK_SCROLL] ? KBD_LED_SCROLL_LOCK : 0) |
                     (m->lock_on[LOCK_NUM] ? KBD_LED_NUM_LOCK : 0) |
                     (m->lock_on[LOCK_CAPS] ? KBD_LED_CAPS_LOCK : 0));
}

/* The character a letter key must type in the model's state. */
static char letter_ascii(const struct model *m, enum keycode key, uint8_t mods)
{
    char lower = (char)('a' + (key - KEY_A));
    if (mods & MOD_CTRL)
        return (char)(lower - 'a' + 1);
    if (((mods & MOD_SHIFT) != 0) != m->lock_on[LOCK_CAPS])
        return (char)(lower - 'a' + 'A');
    return lower;
}

static void check_event(struct model *m, const struct kbd_decoder *d, const struct key_event *ev)
{
    CHECK(ev->key > KEY_NONE && ev->key < KEY_COUNT);
    int mod = modifier_index(ev->key);
    if (mod >= 0)
        m->down[mod] = ev->pressed;
    int lock = lock_index(ev->key);
    if (lock >= 0) {
        if (ev->pressed && !m->lock_down[lock])
            m->lock_on[lock] = !m->lock_on[lock];
        m->lock_down[lock] = ev->pressed;
    }
    CHECK(ev->modifiers == model_mods(m));
    CHECK(kbd_decoder_modifiers(d) == ev->modifiers);
    CHECK(kbd_decoder_leds(d) == model_leds(m));
    if (!ev->pressed)
        CHECK(ev->ascii == 0);
    else if (ev->key >= KEY_A && ev->key <= KEY_Z)
        CHECK(ev->ascii == letter_ascii(m, ev->key, ev->modifiers));
    else if (ev->key >= KEY_KP_0 && ev->key <= KEY_KP_9)
        CHECK(ev->ascii == (m->lock_on[LOCK_NUM] ? (char)('0' + (ev->key - KEY_KP_0)) : 0));
    CHECK((unsigned char)ev->ascii < 0x80);
}

/* The keyboard's replies (ACK, resend, echo, self-test failures, errors),
 * which the decoder must skip without losing its place. */
static bool is_reply(uint8_t byte)
{
    return byte == 0xFA || byte == 0xFE || byte == 0xEE || byte == 0xFC || byte == 0xFD ||
           byte == 0x00 || byte == 0xFF;
}

/* A Pause press from a 6-byte sequence needs exactly that sequence as the
 * last six non-reply bytes (a Pause from E0 46 ends in 0x46 instead). */
static void check_pause(const uint8_t *data, size_t end, const struct key_event *ev)
{
    static const uint8_t pause[] = {0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5};
    size_t matched = 0;

    if (ev->key != KEY_PAUSE || !ev->pressed || data[end] == 0x46)
        return;
    for (size_t i = end + 1; i-- > 0 && matched < sizeof(pause);) {
        if (is_reply(data[i]))
            continue;
        CHECK(data[i] == pause[sizeof(pause) - 1 - matched]);
        matched++;
    }
    CHECK(matched == sizeof(pause));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kbd_decoder d;
    struct model m = {.lock_on[LOCK_NUM] = true};
    struct key_event ev;

    kbd_decoder_init(&d);
    CHECK(kbd_decoder_leds(&d) == KBD_LED_NUM_LOCK);
    for (size_t i = 0; i < size; i++) {
        if (kbd_decoder_feed(&d, data[i], &ev)) {
            check_event(&m, &d, &ev);
            check_pause(data, i, &ev);
        } else {
            CHECK(kbd_decoder_leds(&d) == model_leds(&m)); /* no event, no change */
        }
    }

    /* Resynchronise, and then an 'a' press must decode exactly. */
    CHECK(!kbd_decoder_feed(&d, 0xE0, &ev));
    CHECK(!kbd_decoder_feed(&d, 0x7F, &ev));
    CHECK(kbd_decoder_feed(&d, 0x1E, &ev));
    check_event(&m, &d, &ev);
    CHECK(ev.key == KEY_A && ev.pressed);
    CHECK(kbd_decoder_feed(&d, 0x9E, &ev));
    check_event(&m, &d, &ev);
    CHECK(ev.key == KEY_A && !ev.pressed);
    return 0;
}
