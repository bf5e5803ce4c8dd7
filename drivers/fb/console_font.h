/*
 * console_font.h - the framebuffer console's font, built into the kernel.
 *
 * 256 glyphs of 8x16 pixels in code page 437 order (index = the byte a VGA
 * text cell holds), generated at build time by tools/mkfont.py from the
 * console-setup font the Makefile's FONT names.
 */
#ifndef KEEL_DRIVERS_FB_CONSOLE_FONT_H
#define KEEL_DRIVERS_FB_CONSOLE_FONT_H

#include <drivers/fb/psf.h>

extern const struct psf_font console_font;

#endif
