/*
 * vga.h - the text grid both consoles share: cells in the VGA text format.
 *
 * Each cell is a 16-bit value: the low byte is the character (code page
 * 437), the high byte the attribute: background colour in bits 4-7,
 * foreground in bits 0-3. A writer keeps a grid of cols x rows such cells,
 * a cursor and a colour, and turns bytes into cells (\n \r \t \b, a pending
 * wrap at the right edge, a scroll at the bottom). It is the only code that
 * does so; the devices behind it differ only in where the cells live:
 *   - the VGA text screen: the cells are the hardware buffer at physical
 *     0xB8000 (hence volatile), 80x25; the back end moves and hides the
 *     hardware cursor (cursor.h);
 *   - the framebuffer console (drivers/fb/fb_console.h): the cells are in
 *     RAM and the back end redraws each cell the writer reports changed.
 * Host tests pass an array and, where they want to see the reports, a back
 * end of their own. The writer has no port I/O. Text that carries control
 * sequences (programs' output) goes through drivers/vga/ansi.h, which
 * drives this writer. boot/multiboot/entry.S includes this file for the
 * text screen's size: everything but the #defines is inside
 * #ifndef __ASSEMBLER__.
 */
#ifndef KEEL_DRIVERS_VGA_VGA_H
#define KEEL_DRIVERS_VGA_VGA_H

#define VGA_WIDTH     80 /* the VGA text mode's grid (mode 3) */
#define VGA_HEIGHT    25
#define VGA_TAB_WIDTH 8
/* Shown for bytes that have no glyph of their own (control characters): a
 * small filled square in code page 437. */
#define VGA_REPLACEMENT_CHAR 0xFE

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vga_color {
    VGA_BLACK = 0,
    VGA_BLUE = 1,
    VGA_GREEN = 2,
    VGA_CYAN = 3,
    VGA_RED = 4,
    VGA_MAGENTA = 5,
    VGA_BROWN = 6,
    VGA_LIGHT_GREY = 7,
    VGA_DARK_GREY = 8,
    VGA_LIGHT_BLUE = 9,
    VGA_LIGHT_GREEN = 10,
    VGA_LIGHT_CYAN = 11,
    VGA_LIGHT_RED = 12,
    VGA_LIGHT_MAGENTA = 13,
    VGA_YELLOW = 14,
    VGA_WHITE = 15,
};

/* What the device behind a writer is told. Either function may be NULL. */
struct vga_backend {
    /* Cell `index` (row * cols + col) now holds a different value. */
    void (*cell_changed)(void *ctx, unsigned index);
    /* The cursor belongs on cell `index` now (reported by vga_update_cursor). */
    void (*cursor_moved)(void *ctx, unsigned index);
    /* The cursor is to be shown (true) or hidden (reported by vga_show_cursor). */
    void (*cursor_shown)(void *ctx, bool shown);
};

struct vga_writer {
    volatile uint16_t *cells;          /* cols * rows cells, row-major */
    unsigned cols, rows;               /* the grid's size */
    unsigned row;                      /* 0 .. rows-1 */
    unsigned col;                      /* 0 .. cols; cols = wrap pending */
    uint8_t attr;                      /* attribute for newly written cells */
    const struct vga_backend *backend; /* NULL: nothing to tell */
    void *backend_ctx;
    unsigned cursor_reported; /* the index last passed to cursor_moved */
    bool cursor_hidden;       /* vga_show_cursor(w, false) is in force */
};

static inline uint8_t vga_attr(enum vga_color fg, enum vga_color bg)
{
    return (uint8_t)((bg << 4) | fg);
}

static inline uint16_t vga_cell(unsigned char ch, uint8_t attr)
{
    return (uint16_t)(ch | (attr << 8));
}

static inline unsigned char vga_cell_char(uint16_t cell)
{
    return (unsigned char)(cell & 0xFF);
}

static inline uint8_t vga_cell_attr(uint16_t cell)
{
    return (uint8_t)(cell >> 8);
}

/* Attach w to the 80x25 cells of a text screen without a back end, set the
 * colour and clear the screen. */
void vga_init(struct vga_writer *w, volatile uint16_t *cells, enum vga_color fg, enum vga_color bg);
/* Attach w to a grid of cols x rows cells (both at least 1) and a back end
 * (may be NULL), cursor at the top left, light grey on black; the cells are
 * left as they are. */
void vga_init_grid(struct vga_writer *w, volatile uint16_t *cells, unsigned cols, unsigned rows,
                   const struct vga_backend *backend, void *ctx);
void vga_set_color(struct vga_writer *w, enum vga_color fg, enum vga_color bg);
/* Fill the grid with blanks in the current colour; cursor to the top left. */
void vga_clear(struct vga_writer *w);
/* Write one byte, interpreting \n \r \t \b; other control bytes show as
 * VGA_REPLACEMENT_CHAR. Writing past the last column wraps, past the last
 * row scrolls the grid up by one line. */
void vga_put_char(struct vga_writer *w, char c);
void vga_write(struct vga_writer *w, const char *s, size_t n);
/* Store cell (a vga_cell) at index, telling the back end if it changed. */
void vga_set_cell(struct vga_writer *w, unsigned index, uint16_t cell);
/* Cell index (row * cols + col) where the cursor is shown. */
unsigned vga_cursor_index(const struct vga_writer *w);
/* Tell the back end where the cursor is, if that changed since the last
 * report. Callers do this once after a batch of writes, not per byte. */
void vga_update_cursor(struct vga_writer *w);
/* Put the cursor at (row, col), clamped to the grid. */
void vga_move_to(struct vga_writer *w, unsigned row, unsigned col);
/* Move the cursor n cells back in reading order, across row starts, never
 * before the top left; the cells are left as they are. */
void vga_cursor_left(struct vga_writer *w, size_t n);
/* Show or hide the cursor, telling the back end when that changes. A new
 * writer's cursor is shown. */
void vga_show_cursor(struct vga_writer *w, bool shown);

#endif /* __ASSEMBLER__ */

#endif
