/*
 * gop_select.c - graphics mode choice and pixel layout (see gop_select.h).
 *
 * Spec: UEFI 2.10, 12.9: in PixelRedGreenBlueReserved8BitPerColor byte 0 of
 * a pixel is red, byte 1 green, byte 2 blue; in the BlueGreenRed format
 * blue and red swap; PixelBitMask pixels carry the colours where the masks'
 * bits are set. A pixel is as wide as its highest mask bit, rounded up to
 * whole bytes.
 */
#include <boot/uefi/gop_select.h>

#define BYTE_BITS      8
#define BYTE1_POSITION 8
#define BYTE2_POSITION 16

static uint8_t lowest_bit(uint32_t mask)
{
    uint8_t bit = 0;

    while (!(mask & 1)) {
        mask >>= 1;
        bit++;
    }
    return bit;
}

static uint8_t bit_count(uint32_t mask)
{
    uint8_t count = 0;

    for (; mask; mask &= mask - 1)
        count++;
    return count;
}

/* A non-empty run of set bits: adding the lowest set bit carries through it. */
static bool contiguous(uint32_t mask)
{
    uint64_t run = (uint64_t)mask + (mask & (~mask + 1));
    return mask != 0 && (run & mask) == 0;
}

static uint8_t highest_bit(uint32_t mask)
{
    uint8_t bit = 0;

    while (mask >>= 1)
        bit++;
    return bit;
}

static bool bitmask_layout(const struct gop_mode *mode, struct pixel_layout *out)
{
    uint32_t colours = mode->red_mask | mode->green_mask | mode->blue_mask;
    uint32_t all = colours | mode->reserved_mask;

    if (!contiguous(mode->red_mask) || !contiguous(mode->green_mask) ||
        !contiguous(mode->blue_mask))
        return false;
    if ((mode->red_mask & mode->green_mask) || (mode->red_mask & mode->blue_mask) ||
        (mode->green_mask & mode->blue_mask) || (colours & mode->reserved_mask))
        return false;
    out->bpp = (uint8_t)((highest_bit(all) / BYTE_BITS + 1) * BYTE_BITS);
    out->red_position = lowest_bit(mode->red_mask);
    out->red_size = bit_count(mode->red_mask);
    out->green_position = lowest_bit(mode->green_mask);
    out->green_size = bit_count(mode->green_mask);
    out->blue_position = lowest_bit(mode->blue_mask);
    out->blue_size = bit_count(mode->blue_mask);
    return true;
}

bool gop_pixel_layout(const struct gop_mode *mode, struct pixel_layout *out)
{
    struct pixel_layout fixed = {.bpp = GOP_WANT_BPP,
                                 .red_size = BYTE_BITS,
                                 .green_position = BYTE1_POSITION,
                                 .green_size = BYTE_BITS,
                                 .blue_size = BYTE_BITS};

    switch (mode->pixel_format) {
    case GOP_PIXEL_RGB_RESERVED_8BIT:
        fixed.blue_position = BYTE2_POSITION;
        *out = fixed;
        return true;
    case GOP_PIXEL_BGR_RESERVED_8BIT:
        fixed.red_position = BYTE2_POSITION;
        *out = fixed;
        return true;
    case GOP_PIXEL_BIT_MASK:
        return bitmask_layout(mode, out);
    }
    return false; /* Blt only, or a format this loader does not know */
}

static bool usable(const struct gop_mode *mode)
{
    struct pixel_layout layout;
    return gop_pixel_layout(mode, &layout) && layout.bpp == GOP_WANT_BPP;
}

/* Whether a is a better pick than b: more pixels, or as many and wider. */
static bool larger(const struct gop_mode *a, const struct gop_mode *b)
{
    uint64_t pixels_a = (uint64_t)a->width * a->height, pixels_b = (uint64_t)b->width * b->height;
    return pixels_a > pixels_b || (pixels_a == pixels_b && a->width > b->width);
}

long gop_choose_mode(const struct gop_mode *modes, size_t count, size_t current)
{
    long best = -1;

    if (current < count && usable(&modes[current]))
        return (long)current;
    for (size_t i = 0; i < count; i++) {
        const struct gop_mode *m = &modes[i];
        if (!usable(m) || m->width > GOP_MAX_WIDTH || m->height > GOP_MAX_HEIGHT)
            continue;
        if (best < 0 || larger(m, &modes[best]))
            best = (long)i;
    }
    return best;
}
