/*
 * vga.c - text writer for the 80x25 VGA text screen (see vga.h).
 *
 * The writer keeps a cursor (row, col) and an attribute, and turns bytes into
 * cells. Every cell access goes through w->cells, which is volatile because
 * in the kernel it is the video memory at physical 0xB8000: the compiler must
 * neither drop nor merge those stores. Host tests pass an ordinary array.
 *
 * Wrapping is "pending": writing in the last column leaves col == VGA_WIDTH,
 * and only the next glyph moves to the next line. So a line of exactly 80
 * characters followed by '\n' does not produce an empty line, and the screen
 * does not scroll until something is actually written below the last row.
 */
#include <drivers/vga/vga.h>

#define ASCII_BACKSPACE 0x08
#define ASCII_TAB       0x09
#define ASCII_NEWLINE   0x0A
#define ASCII_RETURN    0x0D
#define ASCII_DELETE    0x7F
#define ASCII_SPACE     0x20 /* first printable byte; below it are control bytes */

static void set_cell(struct vga_writer *w, unsigned row, unsigned col, unsigned char ch)
{
    w->cells[row * VGA_WIDTH + col] = vga_cell(ch, w->attr);
}

/* Move every row up by one and blank the last row in the current colour. */
static void scroll_up(struct vga_writer *w)
{
    for (unsigned i = 0; i < (VGA_HEIGHT - 1) * VGA_WIDTH; i++)
        w->cells[i] = w->cells[i + VGA_WIDTH];
    for (unsigned col = 0; col < VGA_WIDTH; col++)
        set_cell(w, VGA_HEIGHT - 1, col, ' ');
}

/* Cursor to column 0 of the next line, scrolling when already on the last. */
static void new_line(struct vga_writer *w)
{
    w->col = 0;
    if (w->row + 1 < VGA_HEIGHT)
        w->row++;
    else
        scroll_up(w);
}

/* Write one glyph at the cursor, first resolving a pending wrap. */
static void put_glyph(struct vga_writer *w, unsigned char ch)
{
    if (w->col >= VGA_WIDTH)
        new_line(w);
    set_cell(w, w->row, w->col, ch);
    w->col++;
}

/* Move to the next multiple of VGA_TAB_WIDTH without touching the cells
 * passed over (as a terminal does). Since VGA_WIDTH is a multiple of the tab
 * width, a tab can end exactly at VGA_WIDTH, which is a pending wrap. */
static void tab(struct vga_writer *w)
{
    if (w->col >= VGA_WIDTH)
        new_line(w);
    w->col = (w->col / VGA_TAB_WIDTH + 1) * VGA_TAB_WIDTH;
}

/* Step one cell back (across a line start, but not past the top left) and
 * blank it, so that "x\b" erases the x. */
static void backspace(struct vga_writer *w)
{
    if (w->col > 0) {
        w->col--;
    } else if (w->row > 0) {
        w->row--;
        w->col = VGA_WIDTH - 1;
    } else {
        return;
    }
    set_cell(w, w->row, w->col, ' ');
}

void vga_init(struct vga_writer *w, volatile uint16_t *cells, enum vga_color fg, enum vga_color bg)
{
    w->cells = cells;
    vga_set_color(w, fg, bg);
    vga_clear(w);
}

void vga_set_color(struct vga_writer *w, enum vga_color fg, enum vga_color bg)
{
    w->attr = vga_attr(fg, bg);
}

void vga_clear(struct vga_writer *w)
{
    for (unsigned row = 0; row < VGA_HEIGHT; row++)
        for (unsigned col = 0; col < VGA_WIDTH; col++)
            set_cell(w, row, col, ' ');
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
    unsigned col = w->col < VGA_WIDTH ? w->col : VGA_WIDTH - 1;
    return w->row * VGA_WIDTH + col;
}

void vga_move_to(struct vga_writer *w, unsigned row, unsigned col)
{
    w->row = row < VGA_HEIGHT ? row : VGA_HEIGHT - 1;
    w->col = col < VGA_WIDTH ? col : VGA_WIDTH - 1;
}

void vga_cursor_left(struct vga_writer *w, size_t n)
{
    /* A pending wrap (col == VGA_WIDTH) is the cell after the last one of
     * the row, so the linear position arithmetic covers it too. */
    size_t position = (size_t)w->row * VGA_WIDTH + w->col;
    position = n < position ? position - n : 0;
    w->row = (unsigned)(position / VGA_WIDTH);
    w->col = (unsigned)(position % VGA_WIDTH);
}
