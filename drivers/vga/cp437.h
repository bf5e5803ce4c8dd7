/*
 * cp437.h - code page 437 (the VGA text mode's glyphs) to Unicode and UTF-8.
 */
#ifndef KEEL_DRIVERS_VGA_CP437_H
#define KEEL_DRIVERS_VGA_CP437_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest UTF-8 encoding of a code page 437 glyph: all lie in the BMP. */
#define CP437_UTF8_MAX 3

/* Code page 437 box-drawing glyphs used by Keel's screens. */
#define CP437_HORIZONTAL   0xC4 /* ─ */
#define CP437_VERTICAL     0xB3 /* │ */
#define CP437_CROSS        0xC5 /* ┼ */
#define CP437_TOP_LEFT     0xDA /* ┌ */
#define CP437_TOP_RIGHT    0xBF /* ┐ */
#define CP437_BOTTOM_LEFT  0xC0 /* └ */
#define CP437_BOTTOM_RIGHT 0xD9 /* ┘ */
#define CP437_T_DOWN       0xC2 /* ┬ */
#define CP437_T_UP         0xC1 /* ┴ */
#define CP437_T_RIGHT      0xC3 /* ├ */
#define CP437_T_LEFT       0xB4 /* ┤ */

/* The Unicode code point of a byte; ASCII maps to itself (control bytes too). */
uint16_t cp437_to_unicode(unsigned char byte);
/* Its UTF-8 encoding in out; returns the number of bytes (1 to 3). */
size_t cp437_to_utf8(unsigned char byte, char out[CP437_UTF8_MAX]);
/* The byte whose glyph is code point cp: ASCII (below 0x80) is itself, and
 * of the rest only the 128 glyphs of bytes 0x80-0xFF have one. False, and
 * *byte untouched, for a code point without a glyph. */
bool cp437_from_unicode(uint32_t cp, unsigned char *byte);

#endif
