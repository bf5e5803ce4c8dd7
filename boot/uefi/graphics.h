/*
 * graphics.h - the UEFI loader's graphics step: a GOP mode for the kernel's
 * framebuffer console (choice: gop_select.h).
 */
#ifndef KEEL_BOOT_UEFI_GRAPHICS_H
#define KEEL_BOOT_UEFI_GRAPHICS_H

#include <boot/loader/mbinfo.h>
#include <boot/uefi/efi.h>

/* Find the Graphics Output protocol, set the chosen mode and describe its
 * framebuffer in *fb. Without GOP, or without a usable mode, a message
 * (uefi_fail) and its status. */
efi_status graphics_setup(struct efi_boot_services *bs, struct mb2_framebuffer *fb);

#endif
