/*
 * graphics.c - pick and set a GOP mode (see graphics.h).
 *
 * UEFI 2.10, 12.9: LocateProtocol() finds the Graphics Output protocol on
 * the console's graphics device; QueryMode() describes mode 0..MaxMode-1
 * (the description lives in pool memory the caller frees); SetMode()
 * switches and clears the screen; afterwards Mode->FrameBufferBase and
 * Mode->Info describe the linear framebuffer (PixelsPerScanLine may exceed
 * the width: the pitch is counted in it).
 */
#include <boot/uefi/console.h>
#include <boot/uefi/gop_select.h>
#include <boot/uefi/graphics.h>

#define MAX_MODES     128 /* firmware lists 10-40; the rest are not considered */
#define BITS_PER_BYTE 8

static const struct efi_guid gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;

static struct gop_mode mode_from_info(const struct efi_graphics_output_mode_information *info)
{
    return (struct gop_mode){.width = info->horizontal_resolution,
                             .height = info->vertical_resolution,
                             .pixel_format = info->pixel_format,
                             .red_mask = info->pixel_information.red_mask,
                             .green_mask = info->pixel_information.green_mask,
                             .blue_mask = info->pixel_information.blue_mask,
                             .reserved_mask = info->pixel_information.reserved_mask};
}

/* Describe every mode the firmware offers into modes[]; returns the count. */
static size_t query_modes(struct efi_boot_services *bs, struct efi_graphics_output_protocol *gop,
                          struct gop_mode *modes)
{
    size_t count = gop->mode->max_mode < MAX_MODES ? gop->mode->max_mode : MAX_MODES;

    for (size_t i = 0; i < count; i++) {
        struct efi_graphics_output_mode_information *info;
        uint64_t size;
        modes[i] = (struct gop_mode){.pixel_format = GOP_PIXEL_BLT_ONLY}; /* unusable */
        if (EFI_IS_ERROR(gop->query_mode(gop, (uint32_t)i, &size, &info)))
            continue;
        modes[i] = mode_from_info(info);
        bs->free_pool(info);
    }
    return count;
}

static void describe(const struct efi_graphics_output_protocol_mode *mode,
                     const struct pixel_layout *layout, struct mb2_framebuffer *fb)
{
    *fb = (struct mb2_framebuffer){
        .addr = mode->frame_buffer_base,
        .pitch = mode->info->pixels_per_scan_line * (layout->bpp / BITS_PER_BYTE),
        .width = mode->info->horizontal_resolution,
        .height = mode->info->vertical_resolution,
        .bpp = layout->bpp,
        .red_position = layout->red_position,
        .red_size = layout->red_size,
        .green_position = layout->green_position,
        .green_size = layout->green_size,
        .blue_position = layout->blue_position,
        .blue_size = layout->blue_size,
    };
}

efi_status graphics_setup(struct efi_boot_services *bs, struct mb2_framebuffer *fb)
{
    static struct gop_mode modes[MAX_MODES];
    struct efi_graphics_output_protocol *gop;
    struct pixel_layout layout;
    efi_status status = bs->locate_protocol(&gop_guid, NULL, (void **)&gop);

    if (EFI_IS_ERROR(status))
        return uefi_fail(status, "no graphics output (GOP): the kernel needs a framebuffer");
    size_t count = query_modes(bs, gop, modes);
    long chosen = gop_choose_mode(modes, count, gop->mode->mode);
    if (chosen < 0)
        return uefi_fail(EFI_UNSUPPORTED, "no 32-bit linear graphics mode among %zu", count);
    if ((uint32_t)chosen != gop->mode->mode) {
        status = gop->set_mode(gop, (uint32_t)chosen);
        if (EFI_IS_ERROR(status))
            return uefi_fail(status, "cannot set graphics mode %ld (%ux%u)", chosen,
                             modes[chosen].width, modes[chosen].height);
    }
    gop_pixel_layout(&modes[chosen], &layout); /* true: gop_choose_mode checked */
    describe(gop->mode, &layout, fb);
    uefi_printf("graphics: mode %ld, %ux%u, %u bpp, framebuffer at %#llx\n", chosen, fb->width,
                fb->height, fb->bpp, (unsigned long long)fb->addr);
    return EFI_SUCCESS;
}
