/*
 * psf.h - PC Screen Font (PSF1 and PSF2) bitmap fonts read from memory.
 *
 * A PSF file is a small header followed by glyph bitmaps, one after the
 * other: each glyph is `height` rows of `bytes_per_row` bytes, the leftmost
 * pixel in the most significant bit of a row's first byte. The formats are
 * those of the Linux console (kbd's psf.h):
 *   PSF1: 4 bytes: magic 0x36 0x04, a mode byte (0x01: 512 glyphs instead of
 *         256; 0x02/0x04: a Unicode table follows), the glyph height in bytes;
 *         glyphs are 8 pixels wide.
 *   PSF2: 32 bytes, little-endian u32s: magic 0x864ab572, version (0),
 *         header size, flags (bit 0: a Unicode table follows), glyph count,
 *         bytes per glyph, height, width.
 * The optional Unicode table after the glyphs is ignored: the console draws
 * by glyph index, and the fonts it uses are laid out in code page 437 order
 * (drivers/vga/cp437.h maps those indices to Unicode where that is needed).
 * Parsing copies nothing: the font points into the caller's bytes, which
 * must outlive it.
 */
#ifndef KEEL_DRIVERS_FB_PSF_H
#define KEEL_DRIVERS_FB_PSF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PSF1_MAGIC0      0x36
#define PSF1_MAGIC1      0x04
#define PSF1_HEADER_SIZE 4
#define PSF2_MAGIC       0x864ab572u
#define PSF2_HEADER_SIZE 32 /* the version 0 header; a larger one is allowed */

/* Why a font was refused; psf_parse returns these (negative) or PSF_OK. */
enum psf_status {
    PSF_OK = 0,
    PSF_BAD_MAGIC = -1,    /* neither PSF1 nor PSF2 */
    PSF_TRUNCATED = -2,    /* the header or the glyphs run past the data */
    PSF_BAD_HEADER = -3,   /* unknown version, header size too small */
    PSF_BAD_GEOMETRY = -4, /* zero glyphs or pixels, or bytes per glyph
                              not height * bytes per row */
};

struct psf_font {
    const uint8_t *glyphs; /* glyph_count * bytes_per_glyph bytes */
    uint32_t glyph_count;
    uint32_t bytes_per_glyph; /* height * bytes_per_row */
    uint32_t bytes_per_row;   /* (width + 7) / 8 */
    uint32_t width;           /* pixels */
    uint32_t height;          /* pixels */
    bool has_unicode_table;   /* present in the file, not read */
};

/* Read the font in the size bytes at data into *font. On failure *font is
 * left untouched and the reason is returned. */
enum psf_status psf_parse(struct psf_font *font, const void *data, size_t size);

/* The bitmap of glyph index, or NULL when the font has no such glyph. */
const uint8_t *psf_glyph(const struct psf_font *font, uint32_t index);

/* Whether pixel (x, y) of a glyph bitmap is set; x < width, y < height. */
static inline bool psf_pixel(const struct psf_font *font, const uint8_t *glyph, uint32_t x,
                             uint32_t y)
{
    return (glyph[y * font->bytes_per_row + x / 8] >> (7 - x % 8)) & 1;
}

/* A short name for a status, for messages. */
const char *psf_status_name(enum psf_status status);

#endif
