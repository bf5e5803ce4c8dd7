/*
 * vga.c - the text grid writer (see vga.h).
 *
 * The writer keeps a cursor (row, col) and an attribute, and turns bytes into
 * cells. Every cell access goes through w->cells, which is volatile because
 * on the VGA text screen it is the video memory at physical 0xB8000: the
 * compiler must neither drop nor merge those stores.
 *
 * Every store goes through set_cell, which leaves a cell that already holds
 * the value alone and reports the others to the back end: a scroll of a
 * mostly blank screen, or a line that rewrites the same text, costs the
 * framebuffer console nothing to redraw.
 *
 * Wrapping is "pending": writing in the last column leaves col == cols, and
 * only the next glyph moves to the next line. So a line of exactly cols
 * characters followed by '\n' does not produce an empty line, and the grid
 * does not scroll until something is actually written below the last row.
 */
#include <drivers/vga/vga.h>

#define ASCII_BACKSPACE 0x08
#define ASCII_TAB       0x09
#define ASCII_NEWLINE   0x0A
#define ASCII_RETURN    0x0D
#define ASCII_DELETE    0x7F
#define ASCII_SPACE     0x20  /* first printable byte; below it are control bytes */
#define NO_CURSOR_YET   (~0u) /* cursor_reported before the first report */

void vga_set_cell(struct vga_writer *w, unsigned index, uint16_t cell)
{
    if (w->cells[index] == cell)
        return;
    w->cells[index] = cell;
    if (w->backend && w->backend->cell_changed)
        w->backend->cell_changed(w->backend_ctx, index);
}

static void put_at(struct vga_writer *w, unsigned row, unsigned col, unsigned char ch)
{
    vga_set_cell(w, row * w->cols + col, vga_cell(ch, w->attr));
}

/* Move every row up by one and blank the last row in the current colour. */
static void scroll_up(struct vga_writer *w)
{
    unsigned last = (w->rows - 1) * w->cols;

    for (unsigned i = 0; i < last; i++)
        vga_set_cell(w, i, w->cells[i + w->cols]);
    for (unsigned col = 0; col < w->cols; col++)
        put_at(w, w->rows - 1, col, ' ');
}

/* Cursor to column 0 of the next line, scrolling when already on the last. */
static void new_line(struct vga_writer *w)
{
    w->col = 0;
    if (w->row + 1 < w->rows)
        w->row++;
    else
        scroll_up(w);
}

/* Write one glyph at the cursor, first resolving a pending wrap. */
static void put_glyph(struct vga_writer *w, unsigned char ch)
{
    if (w->col >= w->cols)
        new_line(w);
    put_at(w, w->row, w->col, ch);
    w->col++;
}

/* Move to the next multiple of VGA_TAB_WIDTH without touching the cells
 * passed over (as a terminal does). A grid need not be a multiple of the
 * tab width, so the stop is clamped to the pending wrap position. */
static void tab(struct vga_writer *w)
{
    unsigned next;

    if (w->col >= w->cols)
        new_line(w);
    next = (w->col / VGA_TAB_WIDTH + 1) * VGA_TAB_WIDTH;
    w->col = next < w->cols ? next : w->cols;
}

/* Step one cell back (across a line start, but not past the top left) and
 * blank it, so that "x\b" erases the x. */
static void backspace(struct vga_writer *w)
{
    if (w->col > 0) {
        w->col--;
    } else if (w->row > 0) {
        w->row--;
        w->col = w->cols - 1;
    } else {
        return;
    }
    put_at(w, w->row, w->col, ' ');
}

void vga_init_grid(struct vga_writer *w, volatile uint16_t *cells, unsigned cols, unsigned rows,
                   const struct vga_backend *backend, void *ctx)
{
    w->cells = cells;
    w->cols = cols;
    w->rows = rows;
    w->row = 0;
    w->col = 0;
    w->backend = backend;
    w->backend_ctx = ctx;
    w->cursor_reported = NO_CURSOR_YET;
    w->cursor_hidden = false;
    vga_set_color(w, VGA_LIGHT_GREY, VGA_BLACK);
}

void vga_init(struct vga_writer *w, volatile uint16_t *cells, enum vga_color fg, enum vga_color bg)
{
    vga_init_grid(w, cells, VGA_WIDTH, VGA_HEIGHT, NULL, NULL);
    vga_set_color(w, fg, bg);
    vga_clear(w);
}

void vga_set_color(struct vga_writer *w, enum vga_color fg, enum vga_color bg)
{
    w->attr = vga_attr(fg, bg);
}

void vga_clear(struct vga_writer *w)
{
    for (unsigned row = 0; row < w->rows; row++)
        for (unsigned col = 0; col < w->cols; col++)
            put_at(w, row, col, ' ');
    w->row = 0;
    w->col = 0;
}

void vga_put_char(struct vga_writer *w, char c)
{
    unsigned char ch = (unsigned char)c;

    switch (ch) {
    case ASCII_NEWLINE:
        new_line(w);
        break;
    case ASCII_RETURN:
        w->col = 0;
        break;
    case ASCII_TAB:
        tab(w);
        break;
    case ASCII_BACKSPACE:
        backspace(w);
        break;
    default:
        /* Bytes 0x80-0xFF are code page 437 glyphs (box drawing, accents);
         * only the remaining control bytes lack a glyph of their own. */
        if (ch < ASCII_SPACE || ch == ASCII_DELETE)
            ch = VGA_REPLACEMENT_CHAR;
        put_glyph(w, ch);
        break;
    }
}

void vga_write(struct vga_writer *w, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        vga_put_char(w, s[i]);
}

unsigned vga_cursor_index(const struct vga_writer *w)
{
    /* A pending wrap has no cell of its own: show the cursor on the last
     * character written rather than on the next line, which may not exist. */
    unsigned col = w->col < w->cols ? w->col : w->cols - 1;
    return w->row * w->cols + col;
}

void vga_update_cursor(struct vga_writer *w)
{
    unsigned index = vga_cursor_index(w);

    if (index == w->cursor_reported)
        return;
    w->cursor_reported = index;
    if (w->backend && w->backend->cursor_moved)
        w->backend->cursor_moved(w->backend_ctx, index);
}

void vga_move_to(struct vga_writer *w, unsigned row, unsigned col)
{
    w->row = row < w->rows ? row : w->rows - 1;
    w->col = col < w->cols ? col : w->cols - 1;
}

void vga_cursor_left(struct vga_writer *w, size_t n)
{
    /* A pending wrap (col == cols) is the cell after the last one of the
     * row, so the linear position arithmetic covers it too. */
    size_t position = (size_t)w->row * w->cols + w->col;
    position = n < position ? position - n : 0;
    w->row = (unsigned)(position / w->cols);
    w->col = (unsigned)(position % w->cols);
}

void vga_show_cursor(struct vga_writer *w, bool shown)
{
    if (w->cursor_hidden == !shown)
        return;
    w->cursor_hidden = !shown;
    if (w->backend && w->backend->cursor_shown)
        w->backend->cursor_shown(w->backend_ctx, shown);
}
