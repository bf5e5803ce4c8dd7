/*
 * halt_kernel.S - the floor of `make bench`'s idle figure (tools/bench_idle.py):
 * the least a kernel can do once booted, `cli; hlt` forever.
 *
 * A 32-bit ELF with a Multiboot 1 header (boot/multiboot/protocol.h), so
 * QEMU's -kernel loads it exactly as it loads kernel.elf, through the same
 * firmware and devices. With interrupts off the CPU never wakes: what QEMU
 * still spends is its own. Most of that is the 18.2 Hz PIT the BIOS left
 * running (its IRQ 0 goes nowhere, but QEMU emulates every period), so the
 * Makefile builds this file twice:
 *   build/bench/halt_kernel.elf        cli; hlt, the floor as issue 10 measured it
 *   build/bench/halt_kernel_quiet.elf  (HALT_KERNEL_QUIET) first gives PIT channel 0
 *                                      one last count in mode 0, so after one edge
 *                                      QEMU has no timer left to run
 */
#include <arch/x86_64/pit.h>
#include <boot/multiboot/protocol.h>

#define MULTIBOOT1_FLAGS 0 /* nothing asked of the loader: no memory map, no modules */

    .text
    .code32
    .balign MULTIBOOT1_HEADER_ALIGN
multiboot1_header:                    /* first in .text: in the file's first 8 KiB */
    .long MULTIBOOT1_HEADER_MAGIC
    .long MULTIBOOT1_FLAGS
    .long -(MULTIBOOT1_HEADER_MAGIC + MULTIBOOT1_FLAGS) /* the three sum to 0 */

    .globl _start
_start:
    cli                               /* no interrupt will wake the CPU */
#ifdef HALT_KERNEL_QUIET
    movb $PIT_CHANNEL0_ONESHOT, %al   /* mode 0: one edge per count written */
    outb %al, $PIT_COMMAND
    xorb %al, %al                     /* count 0 = 65536, low byte then high byte */
    outb %al, $PIT_CHANNEL0_DATA
    outb %al, $PIT_CHANNEL0_DATA
#endif
1:  hlt
    jmp 1b                            /* an NMI or SMI can end a hlt: halt again */
