/*
 * test_term_keys.c - serial terminal input decoded into key events.
 *
 * Expected events are written out by hand from the xterm/VT220 conventions,
 * not produced by the decoder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include <drivers/serial/term_keys.h>

struct expected {
    enum keycode key;
    char ascii;
    uint8_t modifiers;
};

/* Feed `bytes` and check the events against `want` (n_want of them). */
static void check_sequence(const char *bytes, size_t n_bytes, const struct expected *want,
                           size_t n_want)
{
    struct term_decoder d;
    term_decoder_init(&d);
    size_t got = 0;
    for (size_t i = 0; i < n_bytes; i++) {
        struct key_event ev;
        if (!term_decoder_feed(&d, (uint8_t)bytes[i], &ev))
            continue;
        assert_true(got < n_want);
        assert_int_equal(ev.key, want[got].key);
        assert_int_equal(ev.ascii, want[got].ascii);
        assert_int_equal(ev.modifiers, want[got].modifiers);
        assert_true(ev.pressed);
        got++;
    }
    assert_int_equal(got, n_want);
}

#define CHECK(bytes, ...)                                                                          \
    do {                                                                                           \
        static const struct expected want[] = {__VA_ARGS__};                                       \
        check_sequence(bytes, sizeof(bytes) - 1, want, sizeof(want) / sizeof(want[0]));            \
    } while (0)

static void test_printable_text(void **state)
{
    (void)state;
    CHECK("aZ5 !", {KEY_A, 'a', 0}, {KEY_Z, 'Z', MOD_SHIFT}, {KEY_5, '5', 0}, {KEY_SPACE, ' ', 0},
          {KEY_NONE, '!', 0});
}

static void test_enter_variants(void **state)
{
    (void)state;
    CHECK("a\rb\nc\r\nd", {KEY_A, 'a', 0}, {KEY_ENTER, '\n', 0}, {KEY_B, 'b', 0},
          {KEY_ENTER, '\n', 0}, {KEY_C, 'c', 0}, {KEY_ENTER, '\n', 0}, {KEY_D, 'd', 0});
    CHECK("\r\r", {KEY_ENTER, '\n', 0}, {KEY_ENTER, '\n', 0});
}

static void test_backspace_tab_and_control_keys(void **state)
{
    (void)state;
    CHECK("\x7f\b\t\x03\x0c", {KEY_BACKSPACE, '\b', 0}, {KEY_BACKSPACE, '\b', 0},
          {KEY_TAB, '\t', 0}, {KEY_C, 0x03, MOD_CTRL}, {KEY_L, 0x0C, MOD_CTRL});
}

static void test_csi_arrows_home_end(void **state)
{
    (void)state;
    CHECK("\x1b[A\x1b[B\x1b[C\x1b[D\x1b[H\x1b[F", {KEY_UP, 0, 0}, {KEY_DOWN, 0, 0},
          {KEY_RIGHT, 0, 0}, {KEY_LEFT, 0, 0}, {KEY_HOME, 0, 0}, {KEY_END, 0, 0});
}

static void test_ss3_application_mode(void **state)
{
    (void)state;
    CHECK("\x1bOA\x1bOD\x1bOH\x1bOF", {KEY_UP, 0, 0}, {KEY_LEFT, 0, 0}, {KEY_HOME, 0, 0},
          {KEY_END, 0, 0});
}

static void test_vt220_tilde_keys(void **state)
{
    (void)state;
    CHECK("\x1b[1~\x1b[2~\x1b[3~\x1b[4~\x1b[5~\x1b[6~\x1b[7~\x1b[8~", {KEY_HOME, 0, 0},
          {KEY_INSERT, 0, 0}, {KEY_DELETE, 0, 0}, {KEY_END, 0, 0}, {KEY_PAGE_UP, 0, 0},
          {KEY_PAGE_DOWN, 0, 0}, {KEY_HOME, 0, 0}, {KEY_END, 0, 0});
}

static void test_unknown_sequences_give_nothing_and_recover(void **state)
{
    (void)state;
    CHECK("\x1b[9~x\x1b[Zy\x1b[123456~z\x1bOQw", {KEY_X, 'x', 0}, {KEY_Y, 'y', 0}, {KEY_Z, 'z', 0},
          {KEY_W, 'w', 0});
}

static void test_escape_key_and_alt(void **state)
{
    (void)state;
    /* ESC ESC: the first is Escape; ESC x: Alt+x; ESC NUL: Escape (NUL has no key). */
    CHECK("\x1b\x1b[A\x1bx\x1b\x01", {KEY_ESCAPE, 0x1B, 0}, {KEY_UP, 0, 0}, {KEY_X, 'x', MOD_ALT},
          {KEY_A, 0x01, MOD_CTRL | MOD_ALT});
    static const char nul[] = {0x1b, 0x00, 'q'};
    static const struct expected want[] = {{KEY_ESCAPE, 0x1B, 0}, {KEY_Q, 'q', 0}};
    check_sequence(nul, sizeof(nul), want, 2);
}

static void test_every_byte_value_is_safe(void **state)
{
    (void)state;
    struct term_decoder d;
    term_decoder_init(&d);
    unsigned events = 0;
    for (int round = 0; round < 4; round++)
        for (int b = 0; b < 256; b++) {
            struct key_event ev;
            if (term_decoder_feed(&d, (uint8_t)b, &ev)) {
                assert_true(ev.key >= KEY_NONE && ev.key < KEY_COUNT);
                events++;
            }
        }
    assert_true(events > 4 * 95); /* at least every printable byte */
    /* After all that, plain text decodes normally again. */
    struct key_event ev;
    term_decoder_init(&d);
    assert_true(term_decoder_feed(&d, 'k', &ev));
    assert_int_equal(ev.key, KEY_K);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_printable_text),
        cmocka_unit_test(test_enter_variants),
        cmocka_unit_test(test_backspace_tab_and_control_keys),
        cmocka_unit_test(test_csi_arrows_home_end),
        cmocka_unit_test(test_ss3_application_mode),
        cmocka_unit_test(test_vt220_tilde_keys),
        cmocka_unit_test(test_unknown_sequences_give_nothing_and_recover),
        cmocka_unit_test(test_escape_key_and_alt),
        cmocka_unit_test(test_every_byte_value_is_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
