/*
 * layout.h - where the kernel lives, physically and virtually.
 *
 * The kernel is loaded at physical 1 MiB and linked at KERNEL_VMA + physical
 * (the top 2 GiB of the address space, which -mcmodel=kernel requires). The
 * boot page tables map the first BOOT_MAPPED_BYTES of physical memory twice:
 * at address 0 (identity, for the switch to long mode) and at KERNEL_VMA.
 * Used from C and from assembly, so only preprocessor definitions down to
 * the C part; linker.ld gets its numbers from here too, through mm/layout.S.
 */
#ifndef KEEL_MM_LAYOUT_H
#define KEEL_MM_LAYOUT_H

#define KERNEL_PHYS       0x100000
#define KERNEL_VMA        0xffffffff80000000
#define BOOT_MAPPED_BYTES 0x40000000 /* 1 GiB: one page directory of 2 MiB pages */
#define BOOT_STACK_SIZE   0x8000     /* 32 KiB: entry.S's stack, until the kernel has its own */

/* The kernel's address space once mm/memory.c has built it:
 *   DIRECT_MAP_BASE     all physical RAM (and the first MiB) at DIRECT_MAP_BASE + phys
 *   HEAP_BASE           the kernel heap, mapped as it grows
 *   STACK_REGION_BASE   kernel stacks, each above an unmapped guard page
 *   KERNEL_VMA + phys   the kernel image, section by section
 * Nothing is mapped in the lower half: page 0 and all low addresses fault. */
#define DIRECT_MAP_BASE   0xffff800000000000
#define HEAP_BASE         0xffffc00000000000
#define HEAP_MAX_SIZE     0x10000000000 /* 1 TiB of address space */
#define STACK_REGION_BASE 0xffffe00000000000
#define KERNEL_STACK_SLOT 0x40000 /* 256 KiB of address space per stack, guard page first */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Where physical memory is visible: KERNEL_VMA (the boot mapping of the
 * first BOOT_MAPPED_BYTES) until the kernel switches to its own tables,
 * DIRECT_MAP_BASE (all RAM) afterwards. Set by mm/memory.c. */
extern uint64_t phys_window_base;

static inline void *phys_to_virt(uint64_t phys)
{
    return (void *)(uintptr_t)(phys + phys_window_base);
}

/* Section boundaries, exported by linker.ld (addresses only, never read). */
extern char __kernel_start[], __kernel_end[];
extern char __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[];
extern char __bss_start[], __bss_end[];
#endif

#endif
