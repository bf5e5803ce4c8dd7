/*
 * early_paging.h - small changes to the boot page tables, before the
 * memory manager builds the kernel's own.
 */
#ifndef KEEL_ARCH_EARLY_PAGING_H
#define KEEL_ARCH_EARLY_PAGING_H

#include <stdbool.h>
#include <stdint.h>

/* Make the 4 KiB page at kernel address `virt` (inside the boot mapping of
 * the first 1 GiB) not present, splitting its 2 MiB page if needed. The
 * identity alias shares the page directory and is unmapped as well.
 * Returns false if no page table is left for the split. */
bool early_unmap_page(uintptr_t virt);

/* Whether the page at `virt` is currently mapped (walks the live tables). */
bool early_page_mapped(uintptr_t virt);

#endif
