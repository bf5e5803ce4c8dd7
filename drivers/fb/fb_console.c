/*
 * fb_console.c - the framebuffer text console (see fb_console.h).
 *
 * Invariant: outside the public functions, every cell of the grid is drawn
 * on the screen as it is in con->cells, plus the underline at
 * (cursor_row, cursor_col) when cursor_drawn. Each public function first
 * takes the cursor away (redrawing its cell from the grid), changes the
 * grid and draws the cells it changed, then draws the cursor again, so the
 * framebuffer never needs to be read.
 *
 * The cursor and wrap logic follow drivers/vga/vga.c: writing in the last
 * column leaves col == cols (a pending wrap), and only the next glyph moves
 * to the next line.
 */
#include <drivers/fb/fb_console.h>
#include <lib/errno.h>

#define ASCII_BACKSPACE 0x08
#define ASCII_TAB       0x09
#define ASCII_NEWLINE   0x0A
#define ASCII_RETURN    0x0D
#define ASCII_DELETE    0x7F
#define ASCII_SPACE     0x20 /* first printable byte; below it are control bytes */

/* The standard VGA palette (the DAC's power-on values for the 16 text
 * colours), as 0xRRGGBB in the order of enum vga_color. Brown is the
 * hardware's dark yellow with green halved (0xAA5500), not 0xAAAA00. */
static const uint32_t vga_palette_rgb[FB_CONSOLE_COLORS] = {
    0x000000, 0x0000AA, 0x00AA00, 0x00AAAA, 0xAA0000, 0xAA00AA, 0xAA5500, 0xAAAAAA,
    0x555555, 0x5555FF, 0x55FF55, 0x55FFFF, 0xFF5555, 0xFF55FF, 0xFFFF55, 0xFFFFFF,
};

static uint32_t pack_channel(struct fb_color_field field, uint32_t value8)
{
    return (value8 >> (8 - field.size)) << field.position;
}

static uint32_t pack_rgb(const struct fb_info *fb, uint32_t rgb)
{
    return pack_channel(fb->red, (rgb >> 16) & 0xFF) | pack_channel(fb->green, (rgb >> 8) & 0xFF) |
           pack_channel(fb->blue, rgb & 0xFF);
}

static bool field_ok(struct fb_color_field field, unsigned bpp)
{
    return field.size >= 1 && field.size <= 8 && field.position + field.size <= bpp;
}

/* 16- and 32-bit pixels are stored whole, so they must be aligned. */
static bool format_ok(const struct fb_info *fb)
{
    unsigned bytes = fb->bpp / 8;

    if (fb->bpp != 16 && fb->bpp != 24 && fb->bpp != 32)
        return false;
    if (fb->width == 0 || fb->height == 0 || fb->pitch < (uint64_t)fb->width * bytes)
        return false;
    if (bytes != 3 && (fb->pitch % bytes != 0 || (uintptr_t)fb->base % bytes != 0))
        return false;
    return field_ok(fb->red, fb->bpp) && field_ok(fb->green, fb->bpp) &&
           field_ok(fb->blue, fb->bpp);
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

static volatile uint8_t *pixel_address(const struct fb_info *fb, uint32_t x, uint32_t y)
{
    return fb->base + (size_t)y * fb->pitch + (size_t)x * (fb->bpp / 8);
}

static void fill_rect(const struct fb_info *fb, uint32_t x0, uint32_t y0, uint32_t w, uint32_t h,
                      uint32_t value)
{
    for (uint32_t y = y0; y < y0 + h; y++) {
        volatile uint8_t *p = pixel_address(fb, x0, y);
        for (uint32_t x = 0; x < w; x++, p += fb->bpp / 8)
            put_pixel(p, fb->bpp, value);
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

/* Draw cell (row, col) from the grid, with the underline when asked. */
static void draw_cell(const struct fb_console *con, unsigned row, unsigned col, bool underline)
{
    const struct psf_font *font = con->font;
    struct fb_cell cell = con->cells[row * con->cols + col];
    const uint8_t *glyph = glyph_bitmap(font, cell.glyph);
    uint32_t fg = con->palette[cell.attr & 0x0F];
    uint32_t bg = con->palette[cell.attr >> 4];
    uint32_t underline_from =
        font->height > FB_CONSOLE_CURSOR_HEIGHT ? font->height - FB_CONSOLE_CURSOR_HEIGHT : 0;

    for (uint32_t y = 0; y < font->height; y++) {
        volatile uint8_t *p = pixel_address(&con->fb, col * font->width, row * font->height + y);
        bool solid = underline && y >= underline_from;
        for (uint32_t x = 0; x < font->width; x++, p += con->fb.bpp / 8)
            put_pixel(p, con->fb.bpp, solid || psf_pixel(font, glyph, x, y) ? fg : bg);
    }
}

static void set_cell(struct fb_console *con, unsigned row, unsigned col, unsigned char ch)
{
    struct fb_cell *cell = &con->cells[row * con->cols + col];

    cell->glyph = ch;
    cell->attr = con->attr;
    draw_cell(con, row, col, false);
}

static void hide_cursor(struct fb_console *con)
{
    if (con->cursor_drawn)
        draw_cell(con, con->cursor_row, con->cursor_col, false);
    con->cursor_drawn = false;
}

/* A pending wrap has no cell of its own: the cursor stays on the last
 * column, as vga_cursor_index puts it. */
static void show_cursor(struct fb_console *con)
{
    if (!con->cursor_enabled)
        return;
    con->cursor_row = con->row;
    con->cursor_col = con->col < con->cols ? con->col : con->cols - 1;
    draw_cell(con, con->cursor_row, con->cursor_col, true);
    con->cursor_drawn = true;
}

/* Move every row up by one and blank the last row, drawing only the cells
 * whose content changed (a mostly blank screen scrolls cheaply). */
static void scroll_up(struct fb_console *con)
{
    unsigned last = (con->rows - 1) * con->cols;
    struct fb_cell blank = {ASCII_SPACE, con->attr};

    for (unsigned i = 0; i < con->rows * con->cols; i++) {
        struct fb_cell next = i < last ? con->cells[i + con->cols] : blank;
        if (next.glyph == con->cells[i].glyph && next.attr == con->cells[i].attr)
            continue;
        con->cells[i] = next;
        draw_cell(con, i / con->cols, i % con->cols, false);
    }
}

static void new_line(struct fb_console *con)
{
    con->col = 0;
    if (con->row + 1 < con->rows)
        con->row++;
    else
        scroll_up(con);
}

static void put_glyph(struct fb_console *con, unsigned char ch)
{
    if (con->col >= con->cols)
        new_line(con);
    set_cell(con, con->row, con->col, ch);
    con->col++;
}

/* To the next tab stop without touching the cells passed over; the grid
 * need not be a multiple of the tab width, so the stop is clamped to the
 * pending wrap position. */
static void tab(struct fb_console *con)
{
    unsigned next;

    if (con->col >= con->cols)
        new_line(con);
    next = (con->col / FB_CONSOLE_TAB_WIDTH + 1) * FB_CONSOLE_TAB_WIDTH;
    con->col = next < con->cols ? next : con->cols;
}

static void backspace(struct fb_console *con)
{
    if (con->col > 0) {
        con->col--;
    } else if (con->row > 0) {
        con->row--;
        con->col = con->cols - 1;
    } else {
        return;
    }
    set_cell(con, con->row, con->col, ' ');
}

static void put_char(struct fb_console *con, char c)
{
    unsigned char ch = (unsigned char)c;

    switch (ch) {
    case ASCII_NEWLINE:
        new_line(con);
        break;
    case ASCII_RETURN:
        con->col = 0;
        break;
    case ASCII_TAB:
        tab(con);
        break;
    case ASCII_BACKSPACE:
        backspace(con);
        break;
    default:
        if (ch < ASCII_SPACE || ch == ASCII_DELETE)
            ch = VGA_REPLACEMENT_CHAR;
        put_glyph(con, ch);
        break;
    }
}

int fb_console_init(struct fb_console *con, const struct fb_info *fb, const struct psf_font *font,
                    struct fb_cell *cells, size_t max_cells, enum vga_color fg, enum vga_color bg)
{
    unsigned cols, rows;

    if (!format_ok(fb) || font->width == 0 || font->height == 0)
        return -EINVAL;
    cols = fb->width / font->width;
    rows = fb->height / font->height;
    if (cols == 0 || rows == 0)
        return -EINVAL;
    if ((size_t)cols * rows > max_cells)
        return -ENOMEM;
    con->fb = *fb;
    con->font = font;
    con->cells = cells;
    con->cols = cols;
    con->rows = rows;
    for (unsigned i = 0; i < FB_CONSOLE_COLORS; i++)
        con->palette[i] = pack_rgb(fb, vga_palette_rgb[i]);
    con->cursor_enabled = true;
    con->cursor_drawn = false;
    fb_console_set_color(con, fg, bg);
    fb_console_clear(con);
    return 0;
}

void fb_console_set_color(struct fb_console *con, enum vga_color fg, enum vga_color bg)
{
    con->attr = vga_attr(fg, bg);
}

/* The margins right of and below the grid are painted too, so a clear in a
 * new background colours the whole screen. */
void fb_console_clear(struct fb_console *con)
{
    const struct fb_info *fb = &con->fb;
    uint32_t grid_w = con->cols * con->font->width;
    uint32_t grid_h = con->rows * con->font->height;
    uint32_t bg = con->palette[con->attr >> 4];

    con->cursor_drawn = false; /* every cell is redrawn below */
    for (unsigned row = 0; row < con->rows; row++)
        for (unsigned col = 0; col < con->cols; col++)
            set_cell(con, row, col, ' ');
    fill_rect(fb, grid_w, 0, fb->width - grid_w, fb->height, bg);
    fill_rect(fb, 0, grid_h, grid_w, fb->height - grid_h, bg);
    con->row = 0;
    con->col = 0;
    show_cursor(con);
}

void fb_console_put_char(struct fb_console *con, char c)
{
    hide_cursor(con);
    put_char(con, c);
    show_cursor(con);
}

void fb_console_write(struct fb_console *con, const char *s, size_t n)
{
    hide_cursor(con);
    for (size_t i = 0; i < n; i++)
        put_char(con, s[i]);
    show_cursor(con);
}

void fb_console_move_to(struct fb_console *con, unsigned row, unsigned col)
{
    hide_cursor(con);
    con->row = row < con->rows ? row : con->rows - 1;
    con->col = col < con->cols ? col : con->cols - 1;
    show_cursor(con);
}

void fb_console_cursor_left(struct fb_console *con, size_t n)
{
    size_t position = (size_t)con->row * con->cols + con->col;

    hide_cursor(con);
    position = n < position ? position - n : 0;
    con->row = (unsigned)(position / con->cols);
    con->col = (unsigned)(position % con->cols);
    show_cursor(con);
}

void fb_console_show_cursor(struct fb_console *con, bool show)
{
    hide_cursor(con);
    con->cursor_enabled = show;
    show_cursor(con);
}
