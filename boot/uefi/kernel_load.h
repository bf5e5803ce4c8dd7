/*
 * kernel_load.h - the UEFI loader's kernel and module loading.
 *
 * The kernel ELF is checked and planned by boot/loader/elf_load.c, the same
 * code stage 2 runs; each PT_LOAD segment then gets the pages at its
 * physical address from the firmware (AllocatePages with AllocateAddress:
 * the kernel is linked to run there) and its bytes are read straight into
 * them, the rest zeroed (.bss). Modules go into any pages below 4 GiB
 * (Multiboot 2 module tags hold 32-bit addresses).
 */
#ifndef KEEL_BOOT_UEFI_KERNEL_LOAD_H
#define KEEL_BOOT_UEFI_KERNEL_LOAD_H

#include <boot/loader/elf_load.h>
#include <boot/loader/mbinfo.h>
#include <boot/uefi/boot_cfg.h>
#include <boot/uefi/efi.h>

/* Load the kernel at `path`; *plan gets its entry point and segments. */
efi_status kernel_load(struct efi_file_protocol *root, struct efi_boot_services *bs,
                       const char *path, struct elf_load_plan *plan);

/* Load every module BOOT.CFG lists into modules[0..cfg->module_count). */
efi_status modules_load(struct efi_file_protocol *root, struct efi_boot_services *bs,
                        const struct boot_cfg *cfg, struct mb2_module *modules);

#endif
