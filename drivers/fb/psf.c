/*
 * psf.c - PSF1 and PSF2 font parsing (see psf.h for the two layouts).
 *
 * Every size from the header is checked against the data before a byte of
 * it is trusted, in 64-bit arithmetic so that a hostile glyph count times
 * glyph size cannot wrap around.
 */
#include <drivers/fb/psf.h>

#define PSF1_MODE_512       0x01 /* 512 glyphs instead of 256 */
#define PSF1_MODE_HASTAB    0x02 /* a Unicode table follows the glyphs */
#define PSF1_MODE_SEQ       0x04 /* ... with sequences */
#define PSF1_WIDTH          8
#define PSF2_FLAG_HAS_TABLE 0x01
#define PSF2_VERSION        0

/* Offsets of the PSF2 header's little-endian u32 fields. */
#define PSF2_OFF_VERSION     4
#define PSF2_OFF_HEADER_SIZE 8
#define PSF2_OFF_FLAGS       12
#define PSF2_OFF_LENGTH      16
#define PSF2_OFF_CHAR_SIZE   20
#define PSF2_OFF_HEIGHT      24
#define PSF2_OFF_WIDTH       28

static uint32_t read_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Shared by both formats: geometry consistent and the glyphs inside size. */
static enum psf_status check_glyphs(const struct psf_font *f, uint64_t offset, size_t size)
{
    if (f->glyph_count == 0 || f->width == 0 || f->height == 0)
        return PSF_BAD_GEOMETRY;
    if ((uint64_t)f->bytes_per_glyph != (uint64_t)f->height * f->bytes_per_row)
        return PSF_BAD_GEOMETRY;
    if (offset + (uint64_t)f->glyph_count * f->bytes_per_glyph > size)
        return PSF_TRUNCATED;
    return PSF_OK;
}

static enum psf_status parse_psf1(struct psf_font *font, const uint8_t *p, size_t size)
{
    struct psf_font f;
    enum psf_status status;
    uint8_t mode = p[2];

    f.glyph_count = (mode & PSF1_MODE_512) ? 512 : 256;
    f.width = PSF1_WIDTH;
    f.height = p[3];
    f.bytes_per_row = 1;
    f.bytes_per_glyph = p[3];
    f.has_unicode_table = (mode & (PSF1_MODE_HASTAB | PSF1_MODE_SEQ)) != 0;
    f.glyphs = p + PSF1_HEADER_SIZE;
    status = check_glyphs(&f, PSF1_HEADER_SIZE, size);
    if (status == PSF_OK)
        *font = f;
    return status;
}

static enum psf_status parse_psf2(struct psf_font *font, const uint8_t *p, size_t size)
{
    struct psf_font f;
    enum psf_status status;
    uint32_t header_size;

    if (size < PSF2_HEADER_SIZE)
        return PSF_TRUNCATED;
    header_size = read_le32(p + PSF2_OFF_HEADER_SIZE);
    if (read_le32(p + PSF2_OFF_VERSION) != PSF2_VERSION || header_size < PSF2_HEADER_SIZE)
        return PSF_BAD_HEADER;
    if (header_size > size)
        return PSF_TRUNCATED;
    f.glyph_count = read_le32(p + PSF2_OFF_LENGTH);
    f.bytes_per_glyph = read_le32(p + PSF2_OFF_CHAR_SIZE);
    f.height = read_le32(p + PSF2_OFF_HEIGHT);
    f.width = read_le32(p + PSF2_OFF_WIDTH);
    f.bytes_per_row = (uint32_t)(((uint64_t)f.width + 7) / 8);
    f.has_unicode_table = (read_le32(p + PSF2_OFF_FLAGS) & PSF2_FLAG_HAS_TABLE) != 0;
    f.glyphs = p + header_size;
    status = check_glyphs(&f, header_size, size);
    if (status == PSF_OK)
        *font = f;
    return status;
}

enum psf_status psf_parse(struct psf_font *font, const void *data, size_t size)
{
    const uint8_t *p = data;

    if (size >= 4 && read_le32(p) == PSF2_MAGIC)
        return parse_psf2(font, p, size);
    if (size >= PSF1_HEADER_SIZE && p[0] == PSF1_MAGIC0 && p[1] == PSF1_MAGIC1)
        return parse_psf1(font, p, size);
    return size < PSF1_HEADER_SIZE ? PSF_TRUNCATED : PSF_BAD_MAGIC;
}

const uint8_t *psf_glyph(const struct psf_font *font, uint32_t index)
{
    if (index >= font->glyph_count)
        return NULL;
    return font->glyphs + (size_t)index * font->bytes_per_glyph;
}

const char *psf_status_name(enum psf_status status)
{
    switch (status) {
    case PSF_OK:
        return "ok";
    case PSF_BAD_MAGIC:
        return "not a PSF font";
    case PSF_TRUNCATED:
        return "truncated";
    case PSF_BAD_HEADER:
        return "bad header";
    case PSF_BAD_GEOMETRY:
        return "inconsistent glyph size";
    }
    return "unknown";
}
