/*
 * gop_select.h - choosing a graphics mode and describing its pixels, for
 * the UEFI loader's GOP step (graphics.c).
 *
 * Spec: UEFI 2.10, 12.9 "Graphics Output Protocol": each mode has a
 * resolution and an EFI_GRAPHICS_PIXEL_FORMAT; PixelRedGreenBlueReserved8BitPerColor
 * and PixelBlueGreenRedReserved8BitPerColor are 32-bit pixels with fixed byte
 * order, PixelBitMask gives the colour masks, PixelBltOnly has no linear
 * framebuffer at all. Pure functions, run unchanged in host tests.
 */
#ifndef KEEL_BOOT_UEFI_GOP_SELECT_H
#define KEEL_BOOT_UEFI_GOP_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* EFI_GRAPHICS_PIXEL_FORMAT values (12.9, "QueryMode()"). */
#define GOP_PIXEL_RGB_RESERVED_8BIT 0
#define GOP_PIXEL_BGR_RESERVED_8BIT 1
#define GOP_PIXEL_BIT_MASK          2
#define GOP_PIXEL_BLT_ONLY          3

/* The largest mode chosen when the current one will not do. */
#define GOP_MAX_WIDTH  1920
#define GOP_MAX_HEIGHT 1080
#define GOP_WANT_BPP   32

/* What the loader learnt of one mode from QueryMode(). */
struct gop_mode {
    uint32_t width, height;
    uint32_t pixel_format;
    uint32_t red_mask, green_mask, blue_mask, reserved_mask; /* GOP_PIXEL_BIT_MASK only */
};

/* Where each colour lies in a pixel, for the Multiboot 2 framebuffer tag. */
struct pixel_layout {
    uint8_t bpp;
    uint8_t red_position, red_size;
    uint8_t green_position, green_size;
    uint8_t blue_position, blue_size;
};

/* The layout of a mode's pixels; false when it has no linear framebuffer
 * (Blt only, an unknown format, or masks that are empty, not contiguous
 * or overlapping). */
bool gop_pixel_layout(const struct gop_mode *mode, struct pixel_layout *out);

/* Index of the mode to use: `current` (the firmware's) when it is a linear
 * 32-bpp mode, else the largest such mode (by pixel count, then width) no
 * larger than GOP_MAX_WIDTH x GOP_MAX_HEIGHT. -1 when none qualifies. */
long gop_choose_mode(const struct gop_mode *modes, size_t count, size_t current);

#endif
