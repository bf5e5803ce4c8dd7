/*
 * test_cp437.c - code page 437 glyphs to Unicode and UTF-8, for the serial
 * copy of screens drawn with VGA box characters. Expected code points are
 * from the Unicode box-drawing chart, written out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include <drivers/vga/cp437.h>

static void test_ascii_maps_to_itself(void **state)
{
    (void)state;
    for (unsigned b = 0; b < 0x80; b++) {
        char out[CP437_UTF8_MAX];
        assert_int_equal(cp437_to_unicode((unsigned char)b), b);
        assert_int_equal(cp437_to_utf8((unsigned char)b, out), 1);
        assert_int_equal((unsigned char)out[0], b);
    }
}

static void test_box_drawing_glyphs(void **state)
{
    (void)state;
    static const struct {
        unsigned char byte;
        uint16_t code_point;
        const char *utf8;
    } glyphs[] = {
        {CP437_HORIZONTAL, 0x2500, "\xE2\x94\x80"},
        {CP437_VERTICAL, 0x2502, "\xE2\x94\x82"},
        {CP437_CROSS, 0x253C, "\xE2\x94\xBC"},
        {CP437_TOP_LEFT, 0x250C, "\xE2\x94\x8C"},
        {CP437_TOP_RIGHT, 0x2510, "\xE2\x94\x90"},
        {CP437_BOTTOM_LEFT, 0x2514, "\xE2\x94\x94"},
        {CP437_BOTTOM_RIGHT, 0x2518, "\xE2\x94\x98"},
        {CP437_T_DOWN, 0x252C, "\xE2\x94\xAC"},
        {CP437_T_UP, 0x2534, "\xE2\x94\xB4"},
        {CP437_T_RIGHT, 0x251C, "\xE2\x94\x9C"},
        {CP437_T_LEFT, 0x2524, "\xE2\x94\xA4"},
        {0xFE, 0x25A0, "\xE2\x96\xA0"},
        {0xE9, 0x0398, "\xCE\x98"}, /* Greek capital theta */
        {0x82, 0x00E9, "\xC3\xA9"}, /* e acute */
    };
    for (size_t i = 0; i < sizeof(glyphs) / sizeof(glyphs[0]); i++) {
        char out[CP437_UTF8_MAX + 1] = {0};
        assert_int_equal(cp437_to_unicode(glyphs[i].byte), glyphs[i].code_point);
        assert_int_equal(cp437_to_utf8(glyphs[i].byte, out), strlen(glyphs[i].utf8));
        assert_string_equal(out, glyphs[i].utf8);
    }
}

/* Decode what cp437_to_utf8 wrote and compare with cp437_to_unicode: the
 * encoding is well-formed (right lead byte, continuation bytes, shortest
 * form) for every high byte, and no two bytes share a glyph. */
static void test_high_half_is_valid_shortest_utf8(void **state)
{
    (void)state;
    uint16_t seen[128];
    for (unsigned b = 0x80; b < 0x100; b++) {
        char raw[CP437_UTF8_MAX];
        size_t n = cp437_to_utf8((unsigned char)b, raw);
        const unsigned char *u = (const unsigned char *)raw;
        uint32_t cp;
        if (n == 2) {
            assert_int_equal(u[0] & 0xE0, 0xC0);
            cp = (uint32_t)(u[0] & 0x1F) << 6 | (u[1] & 0x3F);
            assert_true(cp >= 0x80 && cp < 0x800);
        } else {
            assert_int_equal(n, 3);
            assert_int_equal(u[0] & 0xF0, 0xE0);
            cp = (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
            assert_true(cp >= 0x800);
        }
        for (size_t k = 1; k < n; k++)
            assert_int_equal(u[k] & 0xC0, 0x80);
        assert_int_equal(cp, cp437_to_unicode((unsigned char)b));
        for (unsigned prev = 0x80; prev < b; prev++)
            assert_int_not_equal(seen[prev - 0x80], cp);
        seen[b - 0x80] = (uint16_t)cp;
    }
}

/* Reading the table backwards: every glyph's code point gives its byte back,
 * ASCII is itself, and code points without a glyph are refused. */
static void test_unicode_back_to_cp437(void **state)
{
    (void)state;
    unsigned char byte;
    for (unsigned b = 0; b < 0x100; b++) {
        assert_true(cp437_from_unicode(cp437_to_unicode((unsigned char)b), &byte));
        assert_int_equal(byte, b);
    }
    assert_true(cp437_from_unicode(0x2500, &byte)); /* ─ */
    assert_int_equal(byte, CP437_HORIZONTAL);
    assert_true(cp437_from_unicode(0x2588, &byte)); /* █ */
    assert_int_equal(byte, 0xDB);
    byte = 'q';
    assert_false(cp437_from_unicode(0x20AC, &byte)); /* € */
    assert_false(cp437_from_unicode(0xFFFD, &byte));
    assert_false(cp437_from_unicode(0x80, &byte)); /* a C1 control */
    assert_false(cp437_from_unicode(0x1F600, &byte));
    assert_int_equal(byte, 'q');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii_maps_to_itself),
        cmocka_unit_test(test_box_drawing_glyphs),
        cmocka_unit_test(test_high_half_is_valid_shortest_utf8),
        cmocka_unit_test(test_unicode_back_to_cp437),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
