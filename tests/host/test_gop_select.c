/*
 * test_gop_select.c - host tests for boot/uefi/gop_select.c: the pixel
 * layouts of the GOP pixel formats (UEFI 2.10, 12.9) and the choice of a
 * mode (the firmware's when it is 32 bpp, else the largest up to 1920x1080).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <boot/uefi/gop_select.h>

#define RGB(w, h)                                                                                  \
    {                                                                                              \
        (w), (h), GOP_PIXEL_RGB_RESERVED_8BIT, 0, 0, 0, 0                                          \
    }
#define BGR(w, h)                                                                                  \
    {                                                                                              \
        (w), (h), GOP_PIXEL_BGR_RESERVED_8BIT, 0, 0, 0, 0                                          \
    }
#define BLT(w, h)                                                                                  \
    {                                                                                              \
        (w), (h), GOP_PIXEL_BLT_ONLY, 0, 0, 0, 0                                                   \
    }
#define MASK(w, h, r, g, b, x)                                                                     \
    {                                                                                              \
        (w), (h), GOP_PIXEL_BIT_MASK, (r), (g), (b), (x)                                           \
    }

static void test_fixed_formats(void **state)
{
    (void)state;
    struct pixel_layout l;
    struct gop_mode bgr = BGR(800, 600), rgb = RGB(800, 600);
    assert_true(gop_pixel_layout(&bgr, &l));
    assert_int_equal(l.bpp, 32);
    assert_int_equal(l.blue_position, 0);
    assert_int_equal(l.green_position, 8);
    assert_int_equal(l.red_position, 16);
    assert_int_equal(l.red_size, 8);
    assert_true(gop_pixel_layout(&rgb, &l));
    assert_int_equal(l.red_position, 0);
    assert_int_equal(l.blue_position, 16);
    assert_int_equal(l.blue_size, 8);
}

static void test_bit_masks(void **state)
{
    (void)state;
    struct pixel_layout l;
    struct gop_mode rgb565 = MASK(640, 480, 0xF800, 0x07E0, 0x001F, 0);
    struct gop_mode x2r10 = MASK(640, 480, 0x3FF00000, 0x000FFC00, 0x000003FF, 0xC0000000);
    assert_true(gop_pixel_layout(&rgb565, &l));
    assert_int_equal(l.bpp, 16);
    assert_int_equal(l.red_position, 11);
    assert_int_equal(l.red_size, 5);
    assert_int_equal(l.green_position, 5);
    assert_int_equal(l.green_size, 6);
    assert_int_equal(l.blue_size, 5);
    assert_true(gop_pixel_layout(&x2r10, &l));
    assert_int_equal(l.bpp, 32);
    assert_int_equal(l.red_position, 20);
    assert_int_equal(l.red_size, 10);
    struct gop_mode rgb888 = MASK(640, 480, 0xFF0000, 0xFF00, 0xFF, 0);
    assert_true(gop_pixel_layout(&rgb888, &l));
    assert_int_equal(l.bpp, 24);
}

static void test_unusable_layouts(void **state)
{
    (void)state;
    struct pixel_layout l;
    struct gop_mode modes[] = {
        BLT(800, 600),
        {800, 600, 7, 0, 0, 0, 0},                    /* unknown format */
        MASK(800, 600, 0, 0xFF00, 0xFF, 0),           /* no red */
        MASK(800, 600, 0xF0F000, 0xFF00, 0xFF, 0),    /* red not contiguous */
        MASK(800, 600, 0xFF0000, 0xFFFF00, 0xFF, 0),  /* red and green overlap */
        MASK(800, 600, 0xFF0000, 0xFF00, 0xFF, 0xFF), /* blue and reserved overlap */
    };
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
        assert_false(gop_pixel_layout(&modes[i], &l));
}

static void test_current_mode_kept(void **state)
{
    (void)state;
    const struct gop_mode modes[] = {BGR(640, 480), BGR(2560, 1600), BGR(1024, 768)};
    assert_int_equal(gop_choose_mode(modes, 3, 2), 2);
    assert_int_equal(gop_choose_mode(modes, 3, 1), 1); /* larger than 1080p, but current */
}

static void test_largest_up_to_1080p(void **state)
{
    (void)state;
    const struct gop_mode modes[] = {
        BLT(1024, 768),  MASK(1280, 1024, 0xF800, 0x07E0, 0x1F, 0),
        BGR(800, 600),   BGR(2560, 1440),
        RGB(1920, 1080), BGR(1920, 1200),
        BGR(1600, 900),
    };
    /* The current mode (0) is Blt only: the largest 32-bpp mode within
     * 1920x1080 is 4; the 16-bpp 1280x1024 one does not count. */
    assert_int_equal(gop_choose_mode(modes, 7, 0), 4);
    assert_int_equal(gop_choose_mode(modes, 7, 99), 4); /* current out of range */
}

static void test_ties_prefer_wider(void **state)
{
    (void)state;
    const struct gop_mode modes[] = {BLT(1, 1), BGR(600, 1000), BGR(1200, 500)};
    assert_int_equal(gop_choose_mode(modes, 3, 0), 2);
}

static void test_nothing_usable(void **state)
{
    (void)state;
    const struct gop_mode modes[] = {BLT(800, 600), BGR(3840, 2160),
                                     MASK(640, 480, 0xF800, 0x07E0, 0x1F, 0)};
    assert_int_equal(gop_choose_mode(modes, 3, 0), -1);
    assert_int_equal(gop_choose_mode(modes, 0, 0), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_formats),       cmocka_unit_test(test_bit_masks),
        cmocka_unit_test(test_unusable_layouts),    cmocka_unit_test(test_current_mode_kept),
        cmocka_unit_test(test_largest_up_to_1080p), cmocka_unit_test(test_ties_prefer_wider),
        cmocka_unit_test(test_nothing_usable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
