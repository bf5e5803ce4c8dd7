/*
 * fb_console.h - a text console drawn into a linear framebuffer.
 *
 * The framebuffer is described as Multiboot 2's framebuffer tag and UEFI's
 * GOP mode information describe one: base address, size in pixels, bytes
 * per line (pitch, which may exceed width * bytes per pixel) and, for direct
 * colour, each of red, green and blue as a bit position and size inside a
 * little-endian pixel of 16, 24 or 32 bits.
 *
 * The console mirrors the VGA text writer (drivers/vga/vga.h): a grid of
 * cells, each a code page 437 glyph index and an attribute byte made with
 * vga_attr (foreground in bits 0-3, background in bits 4-7, the 16 VGA
 * colours shown in the standard VGA palette). The grid lives in RAM in an
 * array the caller provides, and the framebuffer is only ever written, never
 * read back (reads from video memory are slow on real hardware). Writing a
 * character redraws that one cell; a scroll redraws the cells that changed.
 * The cursor is an underline drawn over the cell at the cursor.
 */
#ifndef KEEL_DRIVERS_FB_FB_CONSOLE_H
#define KEEL_DRIVERS_FB_FB_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <drivers/fb/psf.h>
#include <drivers/vga/vga.h>

#define FB_CONSOLE_TAB_WIDTH     VGA_TAB_WIDTH
#define FB_CONSOLE_CURSOR_HEIGHT 2 /* pixel rows of the underline cursor */
#define FB_CONSOLE_COLORS        16

struct fb_color_field {
    uint8_t position; /* lowest bit of the field in the pixel */
    uint8_t size;     /* bits, 1..8 */
};

struct fb_info {
    volatile uint8_t *base; /* video memory in the kernel (hence volatile) */
    uint32_t width;         /* pixels */
    uint32_t height;        /* pixels */
    uint32_t pitch;         /* bytes from one line to the next */
    uint8_t bpp;            /* bits per pixel: 16, 24 or 32 */
    struct fb_color_field red, green, blue;
};

struct fb_cell {
    uint8_t glyph; /* code page 437 index into the font */
    uint8_t attr;  /* vga_attr(fg, bg) */
};

struct fb_console {
    struct fb_info fb;
    const struct psf_font *font;
    struct fb_cell *cells;               /* cols * rows, row-major */
    unsigned cols;                       /* fb.width / font width */
    unsigned rows;                       /* fb.height / font height */
    unsigned row;                        /* 0 .. rows-1 */
    unsigned col;                        /* 0 .. cols; cols = wrap pending */
    uint8_t attr;                        /* attribute for newly written cells */
    uint32_t palette[FB_CONSOLE_COLORS]; /* each VGA colour as a pixel value */
    bool cursor_enabled;
    bool cursor_drawn; /* an underline is on the screen at: */
    unsigned cursor_row, cursor_col;
};

/* Attach con to fb and font, with the grid in cells (max_cells entries),
 * set the colour, paint the whole framebuffer in bg and show the cursor at
 * the top left. Returns 0, or -EINVAL for an unsupported pixel format or a
 * font larger than the screen, or -ENOMEM when max_cells is too small for
 * the grid. The font must stay valid while con is used. */
int fb_console_init(struct fb_console *con, const struct fb_info *fb, const struct psf_font *font,
                    struct fb_cell *cells, size_t max_cells, enum vga_color fg, enum vga_color bg);
void fb_console_set_color(struct fb_console *con, enum vga_color fg, enum vga_color bg);
/* Fill the grid with blanks in the current colour; cursor to the top left. */
void fb_console_clear(struct fb_console *con);
/* As vga_put_char: \n \r \t \b interpreted, other control bytes shown as
 * VGA_REPLACEMENT_CHAR, pending wrap at the right edge, scroll at the end. */
void fb_console_put_char(struct fb_console *con, char c);
void fb_console_write(struct fb_console *con, const char *s, size_t n);
/* Put the cursor at (row, col), clamped to the grid. */
void fb_console_move_to(struct fb_console *con, unsigned row, unsigned col);
/* As vga_cursor_left: n cells back in reading order, cells untouched. */
void fb_console_cursor_left(struct fb_console *con, size_t n);
/* Show or hide the underline cursor. */
void fb_console_show_cursor(struct fb_console *con, bool show);

#endif
