/*
 * handover.h - the UEFI loader's last step: leave the firmware and enter
 * the kernel exactly as the BIOS loader does (Multiboot 2: 32-bit protected
 * mode, paging off, EAX = MULTIBOOT2_BOOTLOADER_MAGIC, EBX = the
 * information block below 1 GiB).
 */
#ifndef KEEL_BOOT_UEFI_HANDOVER_H
#define KEEL_BOOT_UEFI_HANDOVER_H

#include <boot/loader/mbinfo.h>
#include <boot/uefi/efi.h>

/* What the information block will say, gathered by the steps before. */
struct handover {
    uint32_t entry; /* the kernel's 32-bit physical entry point */
    const char *cmdline;
    const struct mb2_framebuffer *framebuffer;
    const void *rsdp; /* NULL: none found */
    size_t rsdp_length;
    const struct mb2_module *modules;
    size_t module_count;
};

/* Reserve the block, stack and trampoline, call ExitBootServices() (again
 * with a fresh map while the map key goes stale), build the block from the
 * final memory map and jump. Returns only when the firmware refused, with
 * the message shown and its status. */
efi_status handover_start(efi_handle image, struct efi_boot_services *bs, const struct handover *h);

#endif
