/*
 * vga.h - a writer for the VGA 80x25 text screen.
 *
 * Each screen cell is a 16-bit value: the low byte is the character (code
 * page 437), the high byte the attribute: background colour in bits 4-7,
 * foreground in bits 0-3. The writer works on any cell buffer: the kernel
 * passes the hardware buffer at physical 0xB8000 (hence volatile), host tests
 * pass an array. Moving the hardware cursor is separate (cursor.h), so this
 * file has no port I/O. boot/multiboot/entry.S includes it for the screen's
 * size: everything but the #defines is inside #ifndef __ASSEMBLER__.
 */
#ifndef KEEL_DRIVERS_VGA_VGA_H
#define KEEL_DRIVERS_VGA_VGA_H

#define VGA_WIDTH     80
#define VGA_HEIGHT    25
#define VGA_TAB_WIDTH 8
/* Shown for bytes that have no glyph of their own (control characters): a
 * small filled square in code page 437. */
#define VGA_REPLACEMENT_CHAR 0xFE

#ifndef __ASSEMBLER__
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

struct vga_writer {
    volatile uint16_t *cells; /* VGA_WIDTH * VGA_HEIGHT cells, row-major */
    unsigned row;             /* 0 .. VGA_HEIGHT-1 */
    unsigned col;             /* 0 .. VGA_WIDTH; VGA_WIDTH = wrap pending */
    uint8_t attr;             /* attribute for newly written cells */
};

static inline uint8_t vga_attr(enum vga_color fg, enum vga_color bg)
{
    return (uint8_t)((bg << 4) | fg);
}

static inline uint16_t vga_cell(unsigned char ch, uint8_t attr)
{
    return (uint16_t)(ch | (attr << 8));
}

/* Attach w to cells, set the colour and clear the screen. */
void vga_init(struct vga_writer *w, volatile uint16_t *cells, enum vga_color fg, enum vga_color bg);
void vga_set_color(struct vga_writer *w, enum vga_color fg, enum vga_color bg);
/* Fill the screen with blanks in the current colour; cursor to the top left. */
void vga_clear(struct vga_writer *w);
/* Write one byte, interpreting \n \r \t \b; other control bytes show as
 * VGA_REPLACEMENT_CHAR. Writing past the last column wraps, past the last
 * row scrolls the screen up by one line. */
void vga_put_char(struct vga_writer *w, char c);
void vga_write(struct vga_writer *w, const char *s, size_t n);
/* Cell index (row * VGA_WIDTH + col) where the hardware cursor belongs. */
unsigned vga_cursor_index(const struct vga_writer *w);
/* Put the cursor at (row, col), clamped to the screen. */
void vga_move_to(struct vga_writer *w, unsigned row, unsigned col);
/* Move the cursor n cells back in reading order, across row starts, never
 * before the top left; the cells are left as they are. */
void vga_cursor_left(struct vga_writer *w, size_t n);

#endif /* __ASSEMBLER__ */

#endif
