/*
 * layout.h - where the kernel lives, physically and virtually.
 *
 * The kernel is loaded at physical 1 MiB and linked at KERNEL_VMA + physical
 * (the top 2 GiB of the address space, which -mcmodel=kernel requires). The
 * boot page tables map the first BOOT_MAPPED_BYTES of physical memory twice:
 * at address 0 (identity, for the switch to long mode) and at KERNEL_VMA.
 * Used from C and from assembly, so only preprocessor definitions here.
 */
#ifndef KEEL_LAYOUT_H
#define KEEL_LAYOUT_H

#define KERNEL_PHYS       0x100000
#define KERNEL_VMA        0xffffffff80000000
#define BOOT_MAPPED_BYTES 0x40000000 /* 1 GiB: one page directory of 2 MiB pages */
#define BOOT_STACK_SIZE   0x8000     /* 32 KiB for kernel_main and everything it calls */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Kernel-virtual address of a physical address below BOOT_MAPPED_BYTES. */
static inline void *phys_to_virt(uint64_t phys)
{
    return (void *)(uintptr_t)(phys + KERNEL_VMA);
}

/* Section boundaries, exported by linker.ld (addresses only, never read). */
extern char __kernel_start[], __kernel_end[];
extern char __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[];
extern char __bss_start[], __bss_end[];
extern char boot_stack_bottom[], boot_stack_top[];
#endif

#endif
