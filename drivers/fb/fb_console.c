/*
 * fb_console.c - the framebuffer console: the back end that draws a grid
 * writer's cells with a bitmap font (see fb_console.h).
 *
 * Invariant, once attached: every cell of the grid is drawn on the screen
 * as the grid holds it, with the underline over cursor_index when
 * cursor_drawn. The writer reports each changed cell (drawn again, with the
 * underline if it is the cursor's) and each cursor move (the old cell drawn
 * without, the new one with it), so the framebuffer never needs to be read.
 *
 * Drawing: glyphs are 8 pixels wide, one byte a row, the leftmost pixel in
 * the top bit. For 32-bit pixels (when lines are 8-byte aligned) each pair
 * of bits selects a mask of two whole pixels from a table, and two pixels
 * are stored at once (pair = bg ^ ((fg ^ bg) & mask)): four 64-bit stores a
 * glyph row and no branch per pixel. 16- and 24-bit pixels go a pixel at a
 * time.
 * No pixel shadow: scrolling redraws only the cells whose character or
 * colour changed, which writes at most what copying a shadow would.
 */
#include <drivers/fb/fb_console.h>
#include <lib/errno.h>

#define BITS_PER_BYTE 8

/* The standard VGA palette (the DAC's power-on values for the 16 text
 * colours), as 0xRRGGBB in the order of enum vga_color. Brown is the
 * hardware's dark yellow with green halved (0xAA5500), not 0xAAAA00. */
static const uint32_t vga_palette_rgb[FB_CONSOLE_COLORS] = {
    0x000000, 0x0000AA, 0x00AA00, 0x00AAAA, 0xAA0000, 0xAA00AA, 0xAA5500, 0xAAAAAA,
    0x555555, 0x5555FF, 0x55FF55, 0x55FFFF, 0xFF5555, 0xFF55FF, 0xFFFF55, 0xFFFFFF,
};

/* For two neighbouring pixels of a glyph row (bit 1: the left one, bit 0:
 * the right one), the mask of their two 32-bit pixels in one little-endian
 * 64-bit store: the left pixel is the low half. */
static const uint64_t pair_masks[4] = {
    0x0000000000000000ull,
    0xFFFFFFFF00000000ull,
    0x00000000FFFFFFFFull,
    0xFFFFFFFFFFFFFFFFull,
};

static uint32_t pack_channel(struct fb_color_field field, uint32_t value8)
{
    return (value8 >> (BITS_PER_BYTE - field.size)) << field.position;
}

static uint32_t pack_rgb(const struct fb_info *fb, uint32_t rgb)
{
    return pack_channel(fb->red, (rgb >> 16) & 0xFF) | pack_channel(fb->green, (rgb >> 8) & 0xFF) |
           pack_channel(fb->blue, rgb & 0xFF);
}

static bool field_ok(struct fb_color_field field, unsigned bpp)
{
    return field.size >= 1 && field.size <= BITS_PER_BYTE && field.position + field.size <= bpp;
}

/* 16- and 32-bit pixels are stored whole, so every line must be aligned
 * for them (the base is: framebuffers start on a page). */
static bool format_ok(const struct fb_info *fb)
{
    unsigned bytes = fb->bpp / BITS_PER_BYTE;

    if (fb->bpp != 16 && fb->bpp != 24 && fb->bpp != 32)
        return false;
    if (fb->width == 0 || fb->height == 0 || fb->pitch < (uint64_t)fb->width * bytes)
        return false;
    if (bytes != 3 && fb->pitch % bytes != 0)
        return false;
    return field_ok(fb->red, fb->bpp) && field_ok(fb->green, fb->bpp) &&
           field_ok(fb->blue, fb->bpp);
}

static volatile uint8_t *pixel_address(const struct fb_info *fb, uint32_t x, uint32_t y)
{
    return fb->base + (size_t)y * fb->pitch + (size_t)x * (fb->bpp / BITS_PER_BYTE);
}

static void put_pixel(volatile uint8_t *p, unsigned bpp, uint32_t value)
{
    switch (bpp) {
    case 32:
        *(volatile uint32_t *)p = value;
        break;
    case 24: /* little-endian, as the 16- and 32-bit stores are */
        p[0] = (uint8_t)value;
        p[1] = (uint8_t)(value >> 8);
        p[2] = (uint8_t)(value >> 16);
        break;
    default:
        *(volatile uint16_t *)p = (uint16_t)value;
        break;
    }
}

static void fill_rect(const struct fb_info *fb, uint32_t x0, uint32_t y0, uint32_t w, uint32_t h,
                      uint32_t value)
{
    for (uint32_t y = y0; y < y0 + h; y++) {
        volatile uint8_t *p = pixel_address(fb, x0, y);
        for (uint32_t x = 0; x < w; x++, p += fb->bpp / BITS_PER_BYTE)
            put_pixel(p, fb->bpp, value);
    }
}

/* One glyph row of 8 pixels at p, a pixel at a time: bit 7 is the leftmost. */
static void draw_row(volatile uint8_t *p, unsigned bpp, uint8_t bits, uint32_t fg, uint32_t bg)
{
    for (unsigned x = 0; x < FB_CONSOLE_GLYPH_WIDTH; x++, p += bpp / BITS_PER_BYTE)
        put_pixel(p, bpp, (bits >> (7 - x)) & 1 ? fg : bg);
}

/* Glyph rows rows[0..height) as 32-bit pixels from line (8-byte aligned)
 * down, two pixels a store: pairs (7,6), (5,4), (3,2), (1,0) of the bits. */
static void draw_rows_32(volatile uint8_t *line, uint32_t pitch, const uint8_t *rows,
                         uint32_t height, uint32_t fg, uint32_t bg)
{
    uint64_t bg2 = bg | (uint64_t)bg << 32;
    uint64_t diff = (fg ^ bg) | (uint64_t)(fg ^ bg) << 32;

    for (uint32_t y = 0; y < height; y++, line += pitch) {
        volatile uint64_t *px = (volatile uint64_t *)line;
        unsigned bits = rows[y];
        px[0] = bg2 ^ (diff & pair_masks[bits >> 6]);
        px[1] = bg2 ^ (diff & pair_masks[(bits >> 4) & 3]);
        px[2] = bg2 ^ (diff & pair_masks[(bits >> 2) & 3]);
        px[3] = bg2 ^ (diff & pair_masks[bits & 3]);
    }
}

/* The glyph for index, or a stand-in when the font is smaller than 256. */
static const uint8_t *glyph_bitmap(const struct psf_font *font, uint8_t index)
{
    const uint8_t *glyph = psf_glyph(font, index);

    if (glyph == NULL)
        glyph = psf_glyph(font, VGA_REPLACEMENT_CHAR);
    return glyph != NULL ? glyph : psf_glyph(font, 0);
}

/* Draw cell `index` from the grid, with the underline when asked. */
static void draw_cell(const struct fb_console *con, unsigned index, bool underline)
{
    const struct psf_font *font = con->font;
    uint16_t cell = con->grid->cells[index];
    const uint8_t *glyph = glyph_bitmap(font, vga_cell_char(cell));
    uint32_t fg = con->palette[vga_cell_attr(cell) & 0x0F];
    uint32_t bg = con->palette[vga_cell_attr(cell) >> 4];
    unsigned col = index % con->grid->cols, row = index / con->grid->cols;
    volatile uint8_t *line =
        pixel_address(&con->fb, col * FB_CONSOLE_GLYPH_WIDTH, row * font->height);
    uint8_t rows[FB_CONSOLE_MAX_GLYPH_HEIGHT];
    uint32_t height = font->height;

    for (uint32_t y = 0; y < height; y++)
        rows[y] = glyph[y];
    for (uint32_t y = underline ? height - FB_CONSOLE_CURSOR_HEIGHT : height; y < height; y++)
        rows[y] = 0xFF; /* the cursor's underline */
    if (con->fb.bpp == 32 && con->fb.pitch % sizeof(uint64_t) == 0) {
        draw_rows_32(line, con->fb.pitch, rows, height, fg, bg);
        return;
    }
    for (uint32_t y = 0; y < height; y++, line += con->fb.pitch)
        draw_row(line, con->fb.bpp, rows[y], fg, bg);
}

static void cell_changed(void *ctx, unsigned index)
{
    struct fb_console *con = ctx;

    if (con->fb.base != NULL)
        draw_cell(con, index, con->cursor_drawn && index == con->cursor_index);
}

static void draw_cursor(struct fb_console *con)
{
    con->cursor_drawn = con->cursor_enabled && con->fb.base != NULL;
    if (con->cursor_drawn)
        draw_cell(con, con->cursor_index, true);
}

static void cursor_moved(void *ctx, unsigned index)
{
    struct fb_console *con = ctx;

    if (con->cursor_drawn && index != con->cursor_index)
        draw_cell(con, con->cursor_index, false);
    con->cursor_index = index;
    draw_cursor(con);
}

static void cursor_shown(void *ctx, bool shown)
{
    fb_console_show_cursor(ctx, shown);
}

static const struct vga_backend fb_backend = {
    .cell_changed = cell_changed,
    .cursor_moved = cursor_moved,
    .cursor_shown = cursor_shown,
};

void fb_console_grid_size(const struct psf_font *font, uint32_t width, uint32_t height,
                          unsigned *cols, unsigned *rows)
{
    bool usable = font->width == FB_CONSOLE_GLYPH_WIDTH && font->height > 0 &&
                  font->height <= FB_CONSOLE_MAX_GLYPH_HEIGHT;

    *cols = usable ? width / FB_CONSOLE_GLYPH_WIDTH : 0;
    *rows = usable ? height / font->height : 0;
}

int fb_console_init(struct fb_console *con, const struct fb_info *fb, const struct psf_font *font,
                    struct vga_writer *grid, uint16_t *cells, size_t max_cells)
{
    unsigned cols, rows;

    if (!format_ok(fb))
        return -EINVAL;
    fb_console_grid_size(font, fb->width, fb->height, &cols, &rows);
    if (cols == 0 || rows == 0)
        return -EINVAL;
    if ((size_t)cols * rows > max_cells)
        return -ENOMEM;
    con->fb = *fb;
    con->fb.base = NULL;
    con->font = font;
    con->grid = grid;
    for (unsigned i = 0; i < FB_CONSOLE_COLORS; i++)
        con->palette[i] = pack_rgb(fb, vga_palette_rgb[i]);
    con->cursor_enabled = true;
    con->cursor_drawn = false;
    con->cursor_index = 0;
    vga_init_grid(grid, cells, cols, rows, &fb_backend, con);
    return 0;
}

void fb_console_attach(struct fb_console *con, volatile uint8_t *base)
{
    const struct fb_info *fb = &con->fb;
    uint32_t grid_w = con->grid->cols * FB_CONSOLE_GLYPH_WIDTH;
    uint32_t grid_h = con->grid->rows * con->font->height;

    con->fb.base = base;
    con->cursor_index = vga_cursor_index(con->grid);
    con->cursor_drawn = false;
    for (unsigned i = 0; i < con->grid->cols * con->grid->rows; i++)
        draw_cell(con, i, false);
    fill_rect(fb, grid_w, 0, fb->width - grid_w, fb->height, con->palette[VGA_BLACK]);
    fill_rect(fb, 0, grid_h, grid_w, fb->height - grid_h, con->palette[VGA_BLACK]);
    draw_cursor(con);
}

void fb_console_show_cursor(struct fb_console *con, bool show)
{
    if (con->cursor_drawn)
        draw_cell(con, con->cursor_index, false);
    con->cursor_enabled = show;
    draw_cursor(con);
}
