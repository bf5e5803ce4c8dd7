/*
 * fb_console.h - a text console drawn into a linear framebuffer.
 *
 * The framebuffer is described as Multiboot 2's framebuffer tag and UEFI's
 * GOP mode information describe one: base address, size in pixels, bytes
 * per line (pitch, which may exceed width * bytes per pixel) and, for direct
 * colour, each of red, green and blue as a bit position and size inside a
 * little-endian pixel of 16, 24 or 32 bits.
 *
 * The text itself is a grid writer (drivers/vga/vga.h) whose cells live in
 * RAM: the same code page 437 characters and attributes as the VGA text
 * screen, the 16 VGA colours shown in the standard VGA palette. The console
 * is that writer's back end: it redraws each cell the writer reports
 * changed and moves the cursor (an underline over the cursor's cell) when
 * told. The framebuffer is only ever written, never read back (reads from
 * video memory are slow on real hardware).
 *
 * A console can exist before its framebuffer is reachable (the kernel maps
 * it only once it has its own page tables): text written meanwhile goes into
 * the grid, and fb_console_attach draws it all at once.
 */
#ifndef KEEL_DRIVERS_FB_FB_CONSOLE_H
#define KEEL_DRIVERS_FB_FB_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <drivers/fb/psf.h>
#include <drivers/vga/vga.h>

#define FB_CONSOLE_GLYPH_WIDTH      8  /* one byte a glyph row: the fast drawing path */
#define FB_CONSOLE_MAX_GLYPH_HEIGHT 32 /* the tallest PSF console fonts */
#define FB_CONSOLE_CURSOR_HEIGHT    2  /* pixel rows of the underline cursor */
#define FB_CONSOLE_COLORS           16

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

struct fb_console {
    struct fb_info fb; /* fb.base is NULL until fb_console_attach */
    const struct psf_font *font;
    const struct vga_writer *grid;       /* the text drawn */
    uint32_t palette[FB_CONSOLE_COLORS]; /* each VGA colour as a pixel value */
    bool cursor_enabled;
    bool cursor_drawn;     /* an underline is on the screen at cursor_index */
    unsigned cursor_index; /* the cell the cursor belongs on */
};

/* The grid a framebuffer of width x height pixels holds in font: its size
 * in cells, or 0 x 0 for a font that is not FB_CONSOLE_GLYPH_WIDTH wide or
 * taller than FB_CONSOLE_MAX_GLYPH_HEIGHT. */
void fb_console_grid_size(const struct psf_font *font, uint32_t width, uint32_t height,
                          unsigned *cols, unsigned *rows);
/* Check fb's pixel format and font, and make grid a writer over cells
 * (room for max_cells) of the size fb_console_grid_size gives, with con as
 * its back end. fb->base is not used yet: nothing is drawn until
 * fb_console_attach. Returns 0, or -EINVAL for an unsupported pixel format
 * or font or a screen smaller than one glyph, or -ENOMEM when max_cells is
 * too small. The font, grid and cells must stay valid while con is used. */
int fb_console_init(struct fb_console *con, const struct fb_info *fb, const struct psf_font *font,
                    struct vga_writer *grid, uint16_t *cells, size_t max_cells);
/* Draw on the framebuffer at base from now on: every cell of the grid, the
 * margins right of and below it in black, and the cursor. */
void fb_console_attach(struct fb_console *con, volatile uint8_t *base);
/* Show or hide the underline cursor. */
void fb_console_show_cursor(struct fb_console *con, bool show);

#endif
