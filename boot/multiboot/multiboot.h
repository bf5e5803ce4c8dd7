/*
 * multiboot.h - translate Multiboot 1 and Multiboot 2 information blocks
 * into struct boot_info. Only boot/ includes this header.
 *
 * The information block and everything it points to are given as physical
 * addresses; `phys_window` is the virtual address at which physical address
 * 0 is visible (the kernel passes its mapping of low memory, host tests pass
 * a buffer and use offsets into it as "physical" addresses).
 */
#ifndef KEEL_BOOT_MULTIBOOT_MULTIBOOT_H
#define KEEL_BOOT_MULTIBOOT_MULTIBOOT_H

#include <boot/boot_info.h>
#include <boot/multiboot/protocol.h> /* the magic values a loader leaves in EAX */
#include <stdint.h>

/* Errors returned by the translators (negated). */
#define MULTIBOOT_ERR_NO_MEMORY_MAP 1 /* neither a memory map nor basic memory info */
#define MULTIBOOT_ERR_MALFORMED     2 /* sizes or tags inconsistent */

/* Fill *out from a Multiboot 1 information block at physical address
 * mbi_phys. Fields other than the kernel range are all written. Returns 0,
 * or -MULTIBOOT_ERR_* (out is still usable: whatever could be read is in it). */
int boot_info_from_multiboot1(struct boot_info *out, uint32_t mbi_phys, uintptr_t phys_window);

/* The same for a Multiboot 2 information block. */
int boot_info_from_multiboot2(struct boot_info *out, uint32_t mbi_phys, uintptr_t phys_window);

#endif
