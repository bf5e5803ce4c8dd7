/*
 * files.h - reading files from the loader's own partition through the
 * Simple File System protocol (UEFI 2.10, 13.4 and 13.5).
 *
 * Paths are ASCII with backslashes ("\KEEL\KERNEL.ELF"), as in BOOT.CFG.
 * Every function shows its own error message (uefi_fail) and returns the
 * status; EFI_SUCCESS otherwise.
 */
#ifndef KEEL_BOOT_UEFI_FILES_H
#define KEEL_BOOT_UEFI_FILES_H

#include <boot/uefi/efi.h>

/* The root directory of the volume the loader image was loaded from
 * (Loaded Image protocol -> DeviceHandle -> Simple File System). */
efi_status files_open_root(efi_handle image, struct efi_boot_services *bs,
                           struct efi_file_protocol **root);

/* Open `path` for reading and tell its size. When `missing_is_quiet` is set,
 * a file that does not exist returns EFI_NOT_FOUND without a message. */
efi_status files_open(struct efi_file_protocol *root, const char *path, bool missing_is_quiet,
                      struct efi_file_protocol **file, uint64_t *size);

/* Read `size` bytes at `offset` of the open file into `dest`. */
efi_status files_read_at(struct efi_file_protocol *file, const char *path, uint64_t offset,
                         void *dest, uint64_t size);

/* Read all of `path` into new pages (EfiLoaderData) ending at or below
 * max_address; *phys and *size say where and how long. */
efi_status files_load_whole(struct efi_file_protocol *root, struct efi_boot_services *bs,
                            const char *path, uint64_t max_address, uint64_t *phys, uint64_t *size);

#endif
