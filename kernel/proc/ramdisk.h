/*
 * ramdisk.h - the ustar archive of programs and files a loader handed over
 * as a module (build/initrd.tar), read in place, read-only.
 */
#ifndef KEEL_KERNEL_PROC_RAMDISK_H
#define KEEL_KERNEL_PROC_RAMDISK_H

#include <boot/boot_info.h>
#include <lib/ustar.h>
#include <stdbool.h>
#include <stddef.h>

/* Take the first module that is a ustar archive and walk it once. The
 * number of regular files, -ENOENT when no module is an archive, or
 * -EINVAL for a damaged archive (reason in *why). */
int ramdisk_init(const struct boot_info *info, const char **why);
bool ramdisk_present(void);
/* The regular file at path ("hello", "/hello"): 0 or -ENOENT. */
int ramdisk_find(const char *path, struct ustar_file *file);
/* The index-th regular file in archive order: 1, or 0 past the last. */
int ramdisk_entry(size_t index, struct ustar_file *file);
/* Size of the archive in bytes (0 without one). */
size_t ramdisk_size(void);

#endif
