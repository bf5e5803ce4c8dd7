/*
 * test_fb_console.c - host tests for the PSF font parser (drivers/fb/psf.c)
 * and the framebuffer console (drivers/fb/fb_console.c).
 *
 * The font is a PSF2 blob built here, 8x16, with a distinctive bit pattern
 * per glyph and row (the space is blank). The framebuffers are RAM arrays at
 * 640x400, 800x600 and 1024x768, with a padded pitch, in four pixel formats.
 * Expected pixels come from the test's own copy of the VGA palette and its
 * own packing of red, green and blue, pinned by literal values.
 *
 * The kernel's own font (drivers/fb/console_font.h, made by tools/mkfont.py
 * from the Makefile's FONT) is checked by what its glyphs must look like:
 * each box-drawing piece reaches exactly the cell edges it names, so the
 * game's board joins up, and the blank, block and replacement glyphs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drivers/fb/console_font.h>
#include <drivers/fb/fb_console.h>
#include <drivers/fb/psf.h>
#include <lib/errno.h>

#define GLYPHS      256
#define GLYPH_W     8
#define GLYPH_H     16
#define FONT_HEADER 32
#define FONT_SIZE   (FONT_HEADER + GLYPHS * GLYPH_H)
#define PAD_BYTES   24   /* pitch = width * bytes per pixel + PAD_BYTES */
#define GARBAGE     0xA5 /* what the framebuffer holds before init */
#define MAX_CELLS   (128 * 48)

struct format {
    const char *name;
    uint8_t bpp;
    struct fb_color_field red, green, blue;
};

static const struct format formats[] = {
    {"xrgb8888", 32, {16, 8}, {8, 8}, {0, 8}},
    {"xbgr8888", 32, {0, 8}, {8, 8}, {16, 8}},
    {"rgb888", 24, {16, 8}, {8, 8}, {0, 8}},
    {"rgb565", 16, {11, 5}, {5, 6}, {0, 5}},
};
#define FORMATS (sizeof(formats) / sizeof(formats[0]))

static const struct {
    uint32_t width, height;
    unsigned cols, rows;
} resolutions[] = {{640, 400, 80, 25}, {800, 600, 100, 37}, {1024, 768, 128, 48}};
#define RESOLUTIONS (sizeof(resolutions) / sizeof(resolutions[0]))

/* The standard VGA palette, 0xRRGGBB, in enum vga_color order. */
static const uint32_t palette[16] = {
    0x000000, 0x0000AA, 0x00AA00, 0x00AAAA, 0xAA0000, 0xAA00AA, 0xAA5500, 0xAAAAAA,
    0x555555, 0x5555FF, 0x55FF55, 0x55FFFF, 0xFF5555, 0xFF55FF, 0xFFFF55, 0xFFFFFF,
};

static uint8_t font_blob[FONT_SIZE];
static struct psf_font font;
static uint8_t *pixels;
static size_t pixels_size;
static struct fb_info fb;
static uint16_t cells[MAX_CELLS];
static struct vga_writer grid;
static struct fb_console con;
static const struct format *fmt;

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Row y of glyph g: never zero, different per glyph and per row. */
static uint8_t glyph_row(unsigned g, unsigned y)
{
    if (g == ' ')
        return 0;
    return (uint8_t)((g + y * 17) ^ 0x5A) | 0x01;
}

static void build_font(uint8_t *blob)
{
    put_le32(blob + 0, PSF2_MAGIC);
    put_le32(blob + 4, 0);           /* version */
    put_le32(blob + 8, FONT_HEADER); /* header size */
    put_le32(blob + 12, 0);          /* flags: no Unicode table */
    put_le32(blob + 16, GLYPHS);
    put_le32(blob + 20, GLYPH_H); /* bytes per glyph: 16 rows of 1 byte */
    put_le32(blob + 24, GLYPH_H);
    put_le32(blob + 28, GLYPH_W);
    for (unsigned g = 0; g < GLYPHS; g++)
        for (unsigned y = 0; y < GLYPH_H; y++)
            blob[FONT_HEADER + g * GLYPH_H + y] = glyph_row(g, y);
}

static uint32_t pack(const struct format *f, uint32_t rgb)
{
    uint32_t r = (rgb >> 16) & 0xFF, g = (rgb >> 8) & 0xFF, b = rgb & 0xFF;
    return (r >> (8 - f->red.size)) << f->red.position |
           (g >> (8 - f->green.size)) << f->green.position |
           (b >> (8 - f->blue.size)) << f->blue.position;
}

static uint32_t color(enum vga_color c)
{
    return pack(fmt, palette[c]);
}

static uint32_t read_pixel(uint32_t x, uint32_t y)
{
    const uint8_t *p = pixels + (size_t)y * fb.pitch + (size_t)x * (fb.bpp / 8);
    uint32_t v = 0;
    for (unsigned i = 0; i < fb.bpp / 8u; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

/* A framebuffer of the given size and format full of garbage, and the
 * console initialised on it in light grey on black. */
static void open_screen(uint32_t width, uint32_t height, const struct format *f)
{
    fmt = f;
    free(pixels);
    fb.width = width;
    fb.height = height;
    fb.bpp = f->bpp;
    fb.pitch = width * (f->bpp / 8) + PAD_BYTES;
    fb.red = f->red;
    fb.green = f->green;
    fb.blue = f->blue;
    pixels_size = (size_t)fb.pitch * height;
    pixels = malloc(pixels_size);
    assert_non_null(pixels);
    memset(pixels, GARBAGE, pixels_size);
    fb.base = pixels;
    assert_int_equal(fb_console_init(&con, &fb, &font, &grid, cells, MAX_CELLS), 0);
    vga_clear(&grid);
    fb_console_attach(&con, pixels);
    vga_update_cursor(&grid);
}

/* The writer's operations as a console makes them: each followed by the
 * cursor's report. */
static void write_bytes(const char *s, size_t n)
{
    vga_write(&grid, s, n);
    vga_update_cursor(&grid);
}

static void put_char(char c)
{
    write_bytes(&c, 1);
}

static void move_to(unsigned row, unsigned col)
{
    vga_move_to(&grid, row, col);
    vga_update_cursor(&grid);
}

static void cursor_left(size_t n)
{
    vga_cursor_left(&grid, n);
    vga_update_cursor(&grid);
}

static void clear(void)
{
    vga_clear(&grid);
    vga_update_cursor(&grid);
}

static int setup(void **state)
{
    (void)state;
    build_font(font_blob);
    assert_int_equal(psf_parse(&font, font_blob, sizeof(font_blob)), PSF_OK);
    open_screen(640, 400, &formats[0]);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(pixels);
    pixels = NULL;
    return 0;
}

/* Every pixel of cell (row, col) shows glyph g in fg on bg, with the
 * two-row underline in fg when cursor is set. */
static void assert_cell(unsigned row, unsigned col, unsigned g, enum vga_color fg,
                        enum vga_color bg, bool cursor)
{
    for (unsigned y = 0; y < GLYPH_H; y++) {
        for (unsigned x = 0; x < GLYPH_W; x++) {
            bool set = (glyph_row(g, y) >> (7 - x)) & 1;
            bool under = cursor && y >= GLYPH_H - 2;
            uint32_t want = set || under ? color(fg) : color(bg);
            uint32_t got = read_pixel(col * GLYPH_W + x, row * GLYPH_H + y);
            if (got != want)
                print_error("%s cell (%u,%u) pixel (%u,%u): got %#x want %#x\n", fmt->name, row,
                            col, x, y, got, want);
            assert_int_equal(got, want);
        }
    }
}

static void write_str(const char *s)
{
    write_bytes(s, strlen(s));
}

/* Each padding byte right of the visible pixels still holds GARBAGE. */
static void assert_padding_untouched(void)
{
    for (uint32_t y = 0; y < fb.height; y++)
        for (uint32_t i = fb.width * (fb.bpp / 8); i < fb.pitch; i++)
            assert_int_equal(pixels[(size_t)y * fb.pitch + i], GARBAGE);
}

/* ---- the PSF parser ---- */

static void test_psf2_good_header(void **state)
{
    struct psf_font f;
    (void)state;
    assert_int_equal(psf_parse(&f, font_blob, sizeof(font_blob)), PSF_OK);
    assert_int_equal(f.glyph_count, 256);
    assert_int_equal(f.width, 8);
    assert_int_equal(f.height, 16);
    assert_int_equal(f.bytes_per_row, 1);
    assert_int_equal(f.bytes_per_glyph, 16);
    assert_false(f.has_unicode_table);
    assert_ptr_equal(psf_glyph(&f, 0), font_blob + 32);
    assert_ptr_equal(psf_glyph(&f, 'A'), font_blob + 32 + 65 * 16);
    assert_ptr_equal(psf_glyph(&f, 255), font_blob + 32 + 255 * 16);
    assert_null(psf_glyph(&f, 256));
    assert_true(psf_pixel(&f, psf_glyph(&f, 'A'), 7, 0)); /* bit 0 always set */
}

static void test_psf2_wide_glyphs_and_larger_header(void **state)
{
    static uint8_t blob[40 + 2 * 12 * 2 + 5]; /* 40-byte header, 2 glyphs 12x12, table */
    struct psf_font f;
    (void)state;
    memset(blob, 0, sizeof(blob));
    put_le32(blob, PSF2_MAGIC);
    put_le32(blob + 8, 40);
    put_le32(blob + 12, 1); /* a Unicode table follows */
    put_le32(blob + 16, 2);
    put_le32(blob + 20, 24); /* 12 rows of 2 bytes */
    put_le32(blob + 24, 12);
    put_le32(blob + 28, 12);
    blob[40 + 24 + 1] = 0x10; /* glyph 1, row 0, pixel 11 */
    assert_int_equal(psf_parse(&f, blob, sizeof(blob)), PSF_OK);
    assert_int_equal(f.bytes_per_row, 2);
    assert_true(f.has_unicode_table);
    assert_ptr_equal(psf_glyph(&f, 1), blob + 64);
    assert_true(psf_pixel(&f, psf_glyph(&f, 1), 11, 0));
    assert_false(psf_pixel(&f, psf_glyph(&f, 1), 10, 0));
    assert_false(psf_pixel(&f, psf_glyph(&f, 1), 3, 0));
}

static void test_psf1(void **state)
{
    static uint8_t blob[4 + 512 * 14];
    struct psf_font f;
    (void)state;
    memset(blob, 0, sizeof(blob));
    blob[0] = 0x36;
    blob[1] = 0x04;
    blob[2] = 0x03; /* 512 glyphs, Unicode table */
    blob[3] = 14;
    assert_int_equal(psf_parse(&f, blob, sizeof(blob)), PSF_OK);
    assert_int_equal(f.glyph_count, 512);
    assert_int_equal(f.width, 8);
    assert_int_equal(f.height, 14);
    assert_true(f.has_unicode_table);
    assert_ptr_equal(psf_glyph(&f, 511), blob + 4 + 511 * 14);
    /* 256 glyphs need less than what is there; 512 need one byte more. */
    blob[2] = 0;
    assert_int_equal(psf_parse(&f, blob, 4 + 256 * 14), PSF_OK);
    assert_int_equal(f.glyph_count, 256);
    blob[2] = 0x01;
    assert_int_equal(psf_parse(&f, blob, sizeof(blob) - 1), PSF_TRUNCATED);
    blob[3] = 0;
    assert_int_equal(psf_parse(&f, blob, sizeof(blob)), PSF_BAD_GEOMETRY);
}

static void test_psf_bad_magic(void **state)
{
    uint8_t blob[FONT_SIZE];
    struct psf_font f = {.glyph_count = 77};
    (void)state;
    memcpy(blob, font_blob, sizeof(blob));
    blob[0] ^= 0x01;
    assert_int_equal(psf_parse(&f, blob, sizeof(blob)), PSF_BAD_MAGIC);
    assert_int_equal(f.glyph_count, 77); /* untouched on failure */
    assert_int_equal(psf_parse(&f, "\x36\x05\x00\x10", 4), PSF_BAD_MAGIC);
    assert_string_equal(psf_status_name(PSF_BAD_MAGIC), "not a PSF font");
}

static void test_psf_truncated(void **state)
{
    struct psf_font f;
    (void)state;
    assert_int_equal(psf_parse(&f, font_blob, 0), PSF_TRUNCATED);
    assert_int_equal(psf_parse(&f, font_blob, 3), PSF_TRUNCATED);
    assert_int_equal(psf_parse(&f, font_blob, 31), PSF_TRUNCATED); /* inside the header */
    assert_int_equal(psf_parse(&f, font_blob, 32), PSF_TRUNCATED); /* no glyphs */
    assert_int_equal(psf_parse(&f, font_blob, FONT_SIZE - 1), PSF_TRUNCATED);
    assert_int_equal(psf_parse(&f, "\x36\x04", 2), PSF_TRUNCATED);
}

static void test_psf_header_and_geometry_inconsistent(void **state)
{
    uint8_t blob[FONT_SIZE];
    struct psf_font f;
    (void)state;

    memcpy(blob, font_blob, sizeof(blob));
    put_le32(blob + 4, 1); /* version */
    assert_int_equal(psf_parse(&f, blob, sizeof(blob)), PSF_BAD_HEADER);
    memcpy(blob, font_blob, sizeof(blob));
    put_le32(blob + 8, 16); /* header smaller than its own fields */
    assert_int_equal(psf_parse(&f, blob, sizeof(blob)), PSF_BAD_HEADER);
    memcpy(blob, font_blob, sizeof(blob));
    put_le32(blob + 8, FONT_SIZE + 1); /* header past the end */
    assert_int_equal(psf_parse(&f, blob, sizeof(blob)), PSF_TRUNCATED);
    memcpy(blob, font_blob, sizeof(blob));
    put_le32(blob + 20, 17); /* bytes per glyph != 16 rows * 1 byte */
    assert_int_equal(psf_parse(&f, blob, sizeof(blob)), PSF_BAD_GEOMETRY);
    memcpy(blob, font_blob, sizeof(blob));
    put_le32(blob + 28, 9); /* 9 pixels wide needs 2 bytes a row */
    assert_int_equal(psf_parse(&f, blob, sizeof(blob)), PSF_BAD_GEOMETRY);
    memcpy(blob, font_blob, sizeof(blob));
    put_le32(blob + 16, 0); /* no glyphs */
    assert_int_equal(psf_parse(&f, blob, sizeof(blob)), PSF_BAD_GEOMETRY);
    memcpy(blob, font_blob, sizeof(blob));
    put_le32(blob + 28, 0); /* zero width */
    assert_int_equal(psf_parse(&f, blob, sizeof(blob)), PSF_BAD_GEOMETRY);
    memcpy(blob, font_blob, sizeof(blob));
    put_le32(blob + 16, 0x10000000); /* count * size wraps 32 bits */
    assert_int_equal(psf_parse(&f, blob, sizeof(blob)), PSF_TRUNCATED);
}

/* ---- the console ---- */

static void test_palette_packing_literals(void **state)
{
    (void)state;
    /* Worked out by hand, so pack() itself is pinned. */
    assert_int_equal(pack(&formats[0], palette[VGA_BROWN]), 0xAA5500);
    assert_int_equal(pack(&formats[1], palette[VGA_BROWN]), 0x0055AA);
    assert_int_equal(pack(&formats[3], palette[VGA_LIGHT_GREY]), 0xAD55); /* 21,42,21 */
    assert_int_equal(pack(&formats[3], palette[VGA_BROWN]), 0xAAA0);      /* 21,21,0 */
    assert_int_equal(pack(&formats[3], palette[VGA_WHITE]), 0xFFFF);
    assert_int_equal(pack(&formats[3], palette[VGA_LIGHT_BLUE]), 0x52BF); /* 10,21,31 */
}

static void test_grid_size_and_init_paints_everything(void **state)
{
    (void)state;
    for (size_t r = 0; r < RESOLUTIONS; r++) {
        for (size_t f = 0; f < FORMATS; f++) {
            open_screen(resolutions[r].width, resolutions[r].height, &formats[f]);
            assert_int_equal(grid.cols, resolutions[r].cols);
            assert_int_equal(grid.rows, resolutions[r].rows);
            assert_int_equal(grid.row, 0);
            assert_int_equal(grid.col, 0);
            /* Every visible pixel black (the margin below 800x600's 37 rows
             * too), apart from the grey cursor at the top left. */
            for (uint32_t y = 0; y < fb.height; y++)
                for (uint32_t x = 0; x < fb.width; x++)
                    if (x >= GLYPH_W || y < GLYPH_H - 2 || y >= GLYPH_H)
                        assert_int_equal(read_pixel(x, y), color(VGA_BLACK));
            assert_cell(0, 0, ' ', VGA_LIGHT_GREY, VGA_BLACK, true);
            assert_padding_untouched();
        }
    }
}

static void test_glyph_pixels_every_format_and_resolution(void **state)
{
    (void)state;
    for (size_t r = 0; r < RESOLUTIONS; r++) {
        for (size_t f = 0; f < FORMATS; f++) {
            open_screen(resolutions[r].width, resolutions[r].height, &formats[f]);
            fb_console_show_cursor(&con, false);
            move_to(grid.rows - 1, grid.cols - 3);
            write_str("A\xC9z"); /* 0xC9: the box-drawing corner */
            assert_cell(grid.rows - 1, grid.cols - 3, 'A', VGA_LIGHT_GREY, VGA_BLACK, false);
            assert_cell(grid.rows - 1, grid.cols - 2, 0xC9, VGA_LIGHT_GREY, VGA_BLACK, false);
            assert_cell(grid.rows - 1, grid.cols - 1, 'z', VGA_LIGHT_GREY, VGA_BLACK, false);
            assert_padding_untouched();
        }
    }
}

static void test_every_colour(void **state)
{
    (void)state;
    for (size_t f = 0; f < FORMATS; f++) {
        open_screen(640, 400, &formats[f]);
        fb_console_show_cursor(&con, false);
        for (unsigned c = 0; c < 16; c++) {
            vga_set_color(&grid, (enum vga_color)c, (enum vga_color)(15 - c));
            put_char((char)('a' + c));
        }
        for (unsigned c = 0; c < 16; c++)
            assert_cell(0, c, 'a' + c, (enum vga_color)c, (enum vga_color)(15 - c), false);
    }
    /* And the raw values for two of them in xrgb8888. */
    open_screen(640, 400, &formats[0]);
    vga_set_color(&grid, VGA_YELLOW, VGA_BLUE);
    fb_console_show_cursor(&con, false);
    put_char(' ');
    assert_int_equal(read_pixel(0, 0), 0x0000AA);
    vga_set_color(&grid, VGA_YELLOW, VGA_BLUE);
    put_char('A'); /* row 0 of 'A' is 0x41 ^ 0x5A | 1 = 0x1B */
    assert_int_equal(read_pixel(8 + 3, 0), 0xFFFF55);
    assert_int_equal(read_pixel(8 + 2, 0), 0x0000AA);
}

static void test_wrap_at_right_edge(void **state)
{
    char line[100 + 3];
    (void)state;
    open_screen(800, 600, &formats[0]);
    fb_console_show_cursor(&con, false);
    for (unsigned i = 0; i < sizeof(line); i++)
        line[i] = (char)('a' + i % 26);
    write_bytes(line, 100);
    assert_int_equal(grid.row, 0);
    assert_int_equal(grid.col, 100); /* pending wrap: nothing on row 1 yet */
    assert_cell(1, 0, ' ', VGA_LIGHT_GREY, VGA_BLACK, false);
    write_bytes(line + 100, 3);
    assert_cell(0, 99, 'a' + 99 % 26, VGA_LIGHT_GREY, VGA_BLACK, false);
    assert_cell(1, 0, 'a' + 100 % 26, VGA_LIGHT_GREY, VGA_BLACK, false);
    assert_cell(1, 2, 'a' + 102 % 26, VGA_LIGHT_GREY, VGA_BLACK, false);
    assert_int_equal(grid.row, 1);
    assert_int_equal(grid.col, 3);
}

static void test_scroll(void **state)
{
    (void)state;
    for (size_t f = 0; f < FORMATS; f++) {
        open_screen(640, 400, &formats[f]);
        fb_console_show_cursor(&con, false);
        for (unsigned row = 0; row < 25; row++) {
            vga_set_color(&grid, VGA_WHITE, (enum vga_color)(row % 16));
            put_char((char)('A' + row));
            if (row < 24)
                put_char('\n');
        }
        vga_set_color(&grid, VGA_LIGHT_GREY, VGA_RED);
        put_char('\n');
        assert_int_equal(grid.row, 24);
        assert_int_equal(grid.col, 0);
        /* 'A' is gone; each row shows the one that was below it. */
        for (unsigned row = 0; row < 24; row++) {
            assert_cell(row, 0, 'A' + row + 1, VGA_WHITE, (enum vga_color)((row + 1) % 16), false);
            assert_cell(row, 1, ' ', VGA_LIGHT_GREY, VGA_BLACK, false);
        }
        /* The new last row is blank in the current colour. */
        for (unsigned col = 0; col < 80; col++)
            assert_cell(24, col, ' ', VGA_LIGHT_GREY, VGA_RED, false);
        assert_padding_untouched();
    }
}

static void test_tab_stops(void **state)
{
    (void)state;
    fb_console_show_cursor(&con, false);
    write_str("abcdefghij");
    move_to(0, 0);
    write_str("x\ty\t\tz");
    assert_cell(0, 0, 'x', VGA_LIGHT_GREY, VGA_BLACK, false);
    assert_cell(0, 1, 'b', VGA_LIGHT_GREY, VGA_BLACK, false); /* passed over, kept */
    assert_cell(0, 8, 'y', VGA_LIGHT_GREY, VGA_BLACK, false);
    assert_cell(0, 9, 'j', VGA_LIGHT_GREY, VGA_BLACK, false);
    assert_cell(0, 24, 'z', VGA_LIGHT_GREY, VGA_BLACK, false);
    assert_int_equal(grid.col, 25);
    /* 100 columns are no multiple of 8: the last stop is the pending wrap. */
    open_screen(800, 600, &formats[0]);
    move_to(0, 97);
    write_str("\t");
    assert_int_equal(grid.col, 100);
    write_str("q");
    assert_cell(1, 0, 'q', VGA_LIGHT_GREY, VGA_BLACK, false);
}

static void test_backspace(void **state)
{
    (void)state;
    write_str("ab\b");
    assert_int_equal(grid.col, 1);
    assert_cell(0, 0, 'a', VGA_LIGHT_GREY, VGA_BLACK, false);
    assert_cell(0, 1, ' ', VGA_LIGHT_GREY, VGA_BLACK, true);
    write_str("\n\b"); /* from a line start to the end of the row above */
    assert_int_equal(grid.row, 0);
    assert_int_equal(grid.col, 79);
    move_to(0, 0);
    write_str("\b"); /* nothing before the top left */
    assert_int_equal(grid.row, 0);
    assert_int_equal(grid.col, 0);
    assert_cell(0, 0, 'a', VGA_LIGHT_GREY, VGA_BLACK, true);
}

static void test_newline_return_and_control_bytes(void **state)
{
    (void)state;
    fb_console_show_cursor(&con, false);
    write_str("ab\ncd\rQ\x01");
    assert_cell(0, 0, 'a', VGA_LIGHT_GREY, VGA_BLACK, false);
    assert_cell(1, 0, 'Q', VGA_LIGHT_GREY, VGA_BLACK, false);
    assert_cell(1, 1, 0xFE, VGA_LIGHT_GREY, VGA_BLACK, false); /* VGA_REPLACEMENT_CHAR */
}

static void test_clear(void **state)
{
    (void)state;
    for (size_t f = 0; f < FORMATS; f++) {
        open_screen(800, 600, &formats[f]);
        write_str("some text\nmore");
        vga_set_color(&grid, VGA_YELLOW, VGA_GREEN);
        clear();
        assert_int_equal(grid.row, 0);
        assert_int_equal(grid.col, 0);
        /* The grid in the new background; the 8 lines below its 37 rows
         * are margin, black since the attach. */
        for (uint32_t y = 0; y < fb.height; y++)
            for (uint32_t x = 0; x < fb.width; x++)
                if (x >= GLYPH_W || y < GLYPH_H - 2 || y >= GLYPH_H)
                    assert_int_equal(read_pixel(x, y),
                                     color(y < 37 * GLYPH_H ? VGA_GREEN : VGA_BLACK));
        assert_cell(0, 0, ' ', VGA_YELLOW, VGA_GREEN, true);
        assert_padding_untouched();
    }
}

static void test_cursor_drawn_and_removed(void **state)
{
    (void)state;
    assert_cell(0, 0, ' ', VGA_LIGHT_GREY, VGA_BLACK, true);
    write_str("x");
    assert_cell(0, 0, 'x', VGA_LIGHT_GREY, VGA_BLACK, false);
    assert_cell(0, 1, ' ', VGA_LIGHT_GREY, VGA_BLACK, true);
    move_to(5, 7);
    assert_cell(0, 1, ' ', VGA_LIGHT_GREY, VGA_BLACK, false);
    assert_cell(5, 7, ' ', VGA_LIGHT_GREY, VGA_BLACK, true);
    cursor_left(8); /* back across the row start */
    assert_cell(5, 7, ' ', VGA_LIGHT_GREY, VGA_BLACK, false);
    assert_cell(4, 79, ' ', VGA_LIGHT_GREY, VGA_BLACK, true);
    fb_console_show_cursor(&con, false);
    assert_cell(4, 79, ' ', VGA_LIGHT_GREY, VGA_BLACK, false);
    fb_console_show_cursor(&con, true);
    assert_cell(4, 79, ' ', VGA_LIGHT_GREY, VGA_BLACK, true);
    /* In a pending wrap the cursor sits on the last column. */
    move_to(2, 79);
    write_str("e");
    assert_int_equal(grid.col, 80);
    assert_cell(2, 79, 'e', VGA_LIGHT_GREY, VGA_BLACK, true);
    move_to(99, 999); /* clamped */
    assert_int_equal(grid.row, 24);
    assert_int_equal(grid.col, 79);
    assert_cell(2, 79, 'e', VGA_LIGHT_GREY, VGA_BLACK, false);
    assert_cell(24, 79, ' ', VGA_LIGHT_GREY, VGA_BLACK, true);
}

/* The writer's vga_show_cursor reaches the underline through the back end. */
static void test_writer_hides_cursor(void **state)
{
    (void)state;
    move_to(3, 4);
    assert_cell(3, 4, ' ', VGA_LIGHT_GREY, VGA_BLACK, true);
    vga_show_cursor(&grid, false);
    assert_cell(3, 4, ' ', VGA_LIGHT_GREY, VGA_BLACK, false);
    move_to(6, 1); /* a hidden cursor moves without being drawn */
    assert_cell(6, 1, ' ', VGA_LIGHT_GREY, VGA_BLACK, false);
    vga_show_cursor(&grid, true);
    assert_cell(6, 1, ' ', VGA_LIGHT_GREY, VGA_BLACK, true);
    assert_cell(3, 4, ' ', VGA_LIGHT_GREY, VGA_BLACK, false);
}

/* Bytes of pixels that differ from before, outside the rectangle of
 * cells [col0, col1) in row `row`: there must be none. */
static void assert_only_cells_changed(const uint8_t *before, unsigned row, unsigned col0,
                                      unsigned col1)
{
    unsigned bytes = fb.bpp / 8;
    for (size_t i = 0; i < pixels_size; i++) {
        uint32_t y = (uint32_t)(i / fb.pitch), x = (uint32_t)(i % fb.pitch) / bytes;
        bool inside =
            y / GLYPH_H == row && x / GLYPH_W >= col0 && x / GLYPH_W < col1 && x < fb.width;
        if (!inside && before[i] != pixels[i])
            print_error("byte %zu (x %u, y %u) changed\n", i, x, y);
        assert_true(inside || before[i] == pixels[i]);
    }
}

static void test_put_char_writes_only_its_cell(void **state)
{
    uint8_t *before;
    (void)state;
    for (size_t f = 0; f < FORMATS; f++) {
        open_screen(1024, 768, &formats[f]);
        write_str("hello\n\n  world");
        before = malloc(pixels_size);
        assert_non_null(before);

        fb_console_show_cursor(&con, false);
        memcpy(before, pixels, pixels_size);
        put_char('!'); /* at (2, 7) */
        assert_only_cells_changed(before, 2, 7, 8);
        assert_true(memcmp(before, pixels, pixels_size) != 0);

        /* With the cursor: its cell and the next, where the cursor goes. */
        fb_console_show_cursor(&con, true);
        memcpy(before, pixels, pixels_size);
        put_char('?');
        assert_only_cells_changed(before, 2, 8, 10);
        assert_cell(2, 8, '?', VGA_LIGHT_GREY, VGA_BLACK, false);
        assert_cell(2, 9, ' ', VGA_LIGHT_GREY, VGA_BLACK, true);
        free(before);
    }
}

static void test_init_errors(void **state)
{
    struct fb_console c;
    struct vga_writer g;
    struct fb_info bad = fb;
    struct psf_font wide = font;
    (void)state;
    bad.bpp = 8;
    assert_int_equal(fb_console_init(&c, &bad, &font, &g, cells, MAX_CELLS), -EINVAL);
    bad = fb;
    bad.pitch = fb.width * 4 - 4; /* shorter than a line */
    assert_int_equal(fb_console_init(&c, &bad, &font, &g, cells, MAX_CELLS), -EINVAL);
    bad = fb;
    bad.red.size = 0;
    assert_int_equal(fb_console_init(&c, &bad, &font, &g, cells, MAX_CELLS), -EINVAL);
    bad = fb;
    bad.height = 15; /* not one row of 16-pixel glyphs */
    assert_int_equal(fb_console_init(&c, &bad, &font, &g, cells, MAX_CELLS), -EINVAL);
    wide.width = 9; /* only 8-pixel glyphs are drawn */
    assert_int_equal(fb_console_init(&c, &fb, &wide, &g, cells, MAX_CELLS), -EINVAL);
    assert_int_equal(fb_console_init(&c, &fb, &font, &g, cells, 80 * 25 - 1), -ENOMEM);
    assert_int_equal(fb_console_init(&c, &fb, &font, &g, cells, 80 * 25), 0);
    assert_int_equal(g.cols, 80);
    assert_int_equal(g.rows, 25);
}

/* Text written before the framebuffer is attached is drawn by the attach,
 * and nothing is drawn before it. */
static void test_text_before_attach_appears(void **state)
{
    (void)state;
    memset(pixels, GARBAGE, pixels_size);
    assert_int_equal(fb_console_init(&con, &fb, &font, &grid, cells, MAX_CELLS), 0);
    vga_clear(&grid);
    write_str("early\nlines");
    for (size_t i = 0; i < pixels_size; i++)
        assert_int_equal(pixels[i], GARBAGE);
    fb_console_attach(&con, pixels);
    assert_cell(0, 0, 'e', VGA_LIGHT_GREY, VGA_BLACK, false);
    assert_cell(1, 4, 's', VGA_LIGHT_GREY, VGA_BLACK, false);
    assert_cell(1, 5, ' ', VGA_LIGHT_GREY, VGA_BLACK, true);
    assert_padding_untouched();
}

/* ---- the kernel's font ---- */

enum { EDGE_LEFT = 1, EDGE_RIGHT = 2, EDGE_TOP = 4, EDGE_BOTTOM = 8 };

/* Which edges of its cell a glyph of the kernel font touches. */
static unsigned edges_touched(unsigned char ch)
{
    const uint8_t *g = psf_glyph(&console_font, ch);
    unsigned edges = 0;
    assert_non_null(g);
    for (unsigned y = 0; y < GLYPH_H; y++) {
        edges |= (g[y] & 0x80) ? EDGE_LEFT : 0;
        edges |= (g[y] & 0x01) ? EDGE_RIGHT : 0;
    }
    edges |= g[0] ? EDGE_TOP : 0;
    edges |= g[GLYPH_H - 1] ? EDGE_BOTTOM : 0;
    return edges;
}

static void test_console_font_box_drawing(void **state)
{
    static const struct {
        unsigned char ch;
        unsigned edges;
    } pieces[] = {
        {0xC4, EDGE_LEFT | EDGE_RIGHT},                          /* ─ */
        {0xB3, EDGE_TOP | EDGE_BOTTOM},                          /* │ */
        {0xC5, EDGE_LEFT | EDGE_RIGHT | EDGE_TOP | EDGE_BOTTOM}, /* ┼ */
        {0xDA, EDGE_RIGHT | EDGE_BOTTOM},                        /* ┌ */
        {0xBF, EDGE_LEFT | EDGE_BOTTOM},                         /* ┐ */
        {0xC0, EDGE_RIGHT | EDGE_TOP},                           /* └ */
        {0xD9, EDGE_LEFT | EDGE_TOP},                            /* ┘ */
        {0xC2, EDGE_LEFT | EDGE_RIGHT | EDGE_BOTTOM},            /* ┬ */
        {0xC1, EDGE_LEFT | EDGE_RIGHT | EDGE_TOP},               /* ┴ */
        {0xC3, EDGE_RIGHT | EDGE_TOP | EDGE_BOTTOM},             /* ├ */
        {0xB4, EDGE_LEFT | EDGE_TOP | EDGE_BOTTOM},              /* ┤ */
        {0xC9, EDGE_RIGHT | EDGE_BOTTOM},                        /* ╔ */
        {0xDB, EDGE_LEFT | EDGE_RIGHT | EDGE_TOP | EDGE_BOTTOM}, /* █ */
        {0xDF, EDGE_LEFT | EDGE_RIGHT | EDGE_TOP},               /* ▀ */
        {0xDC, EDGE_LEFT | EDGE_RIGHT | EDGE_BOTTOM},            /* ▄ */
    };
    (void)state;
    assert_int_equal(console_font.width, 8);
    assert_int_equal(console_font.height, 16);
    assert_int_equal(console_font.glyph_count, 256);
    for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
        if (edges_touched(pieces[i].ch) != pieces[i].edges)
            print_error("glyph %#x touches edges %#x, want %#x\n", pieces[i].ch,
                        edges_touched(pieces[i].ch), pieces[i].edges);
        assert_int_equal(edges_touched(pieces[i].ch), pieces[i].edges);
    }
}

static void test_console_font_plain_glyphs(void **state)
{
    const uint8_t *space = psf_glyph(&console_font, ' ');
    const uint8_t *square = psf_glyph(&console_font, VGA_REPLACEMENT_CHAR);
    const uint8_t *full = psf_glyph(&console_font, 0xDB);
    (void)state;
    for (unsigned y = 0; y < GLYPH_H; y++) {
        assert_int_equal(space[y], 0);
        assert_int_equal(full[y], 0xFF);
    }
    /* ■ is a filled square in the middle, clear at the top and bottom. */
    assert_int_equal(square[0], 0);
    assert_int_equal(square[GLYPH_H - 1], 0);
    assert_int_not_equal(square[GLYPH_H / 2], 0);
    /* Every printable ASCII character but the space has pixels, and no
     * two letters share a glyph. */
    for (unsigned c = '!'; c <= '~'; c++) {
        const uint8_t *g = psf_glyph(&console_font, c);
        unsigned bits = 0;
        for (unsigned y = 0; y < GLYPH_H; y++)
            bits |= g[y];
        assert_int_not_equal(bits, 0);
    }
    for (unsigned a = 'A'; a <= 'Z'; a++)
        assert_memory_not_equal(psf_glyph(&console_font, a), psf_glyph(&console_font, a + 32),
                                GLYPH_H);
}

/* The board's cross drawn with the kernel font: the console puts the
 * font's own rows on the screen. */
static void test_console_font_drawn(void **state)
{
    const uint8_t *cross = psf_glyph(&console_font, 0xC5);
    (void)state;
    assert_int_equal(fb_console_init(&con, &fb, &console_font, &grid, cells, MAX_CELLS), 0);
    vga_clear(&grid);
    fb_console_attach(&con, pixels);
    fb_console_show_cursor(&con, false);
    move_to(3, 5);
    put_char((char)0xC5);
    for (unsigned y = 0; y < GLYPH_H; y++)
        for (unsigned x = 0; x < GLYPH_W; x++)
            assert_int_equal(read_pixel(5 * GLYPH_W + x, 3 * GLYPH_H + y),
                             (cross[y] >> (7 - x)) & 1 ? color(VGA_LIGHT_GREY) : color(VGA_BLACK));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_psf2_good_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_psf2_wide_glyphs_and_larger_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_psf1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_psf_bad_magic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_psf_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_psf_header_and_geometry_inconsistent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_palette_packing_literals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_grid_size_and_init_paints_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_glyph_pixels_every_format_and_resolution, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_every_colour, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrap_at_right_edge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scroll, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tab_stops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backspace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newline_return_and_control_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clear, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cursor_drawn_and_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writer_hides_cursor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_char_writes_only_its_cell, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_before_attach_appears, setup, teardown),
        cmocka_unit_test_setup_teardown(test_console_font_box_drawing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_console_font_plain_glyphs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_console_font_drawn, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
