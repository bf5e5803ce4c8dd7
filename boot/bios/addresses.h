/*
 * addresses.h - where Keel's BIOS loader keeps what in the first 640 KiB.
 *
 *   0x00500 .. 0x06FFF   stack of both stages, down from LOADER_STACK_TOP
 *   0x07000 .. 0x07BFF   unused: keeps the stack out of stage 1's page
 *   0x07C00 .. 0x07DFF   stage 1, the MBR (the BIOS loads it here)
 *   0x07E00 .. 0x07FFF   the boot header (boot/bios/bootimg.h), read by stage 1
 *   0x08000 .. 0x0FFFF   stage 2 with its .bss: its real-mode code runs with
 *                        segment 0, so all of it must lie below 64 KiB
 *   0x10000 .. 0x1FFFF   the first read of the kernel file, up to 64 KiB
 *                        (ELF and program headers, Multiboot 2 header)
 *   0x20000 .. 0x2FFFF   the bounce buffer for disk reads
 *   0x30000 .. 0x37FFF   the Multiboot 2 information block
 * The areas above stage 2 start on 64 KiB boundaries so that no BIOS
 * transfer into them crosses one.
 *
 * No store of the loader's should land in a 4 KiB page that holds code that
 * has run: an emulator that translates code (QEMU's TCG, how Keel is mostly
 * booted) sends every store into such a page down a slow path that looks for
 * self-modifying code, about 30 times the cost of a plain store. So the
 * stack ends at the page boundary below stage 1, and stage 2's variables lie
 * on pages of their own (stage2.ld). A stack in stage 1's page made stage 2's
 * console set-up alone take 35 to 100 ms under QEMU instead of 1 ms.
 *
 * stage1.S, stage2_entry.S and the C of stage 2 all include this file, so it
 * holds preprocessor definitions only (mm/paging.h's are, down to its C part).
 * The linker scripts get the numbers they need as absolute symbols that the
 * two .S files define from them.
 */
#ifndef KEEL_BOOT_BIOS_ADDRESSES_H
#define KEEL_BOOT_BIOS_ADDRESSES_H

#include <mm/paging.h> /* PAGE_SIZE */

#define STAGE1_ADDR      0x7C00
#define LOADER_STACK_TOP (STAGE1_ADDR & ~(PAGE_SIZE - 1)) /* 0x7000: below stage 1's page */
#define BOOT_HEADER_ADDR 0x7E00                           /* right after stage 1's sector */
#define STAGE2_ADDR      0x8000
#define STAGE2_END       0x10000

#define LOADER_ELF_HEAD_ADDR  0x10000 /* first bytes of the kernel file */
#define LOADER_ELF_HEAD_SIZE  0x10000 /* the first read: ELF header, phdrs, Multiboot 2 header */
#define LOADER_BOUNCE_ADDR    0x20000 /* disk reads land here, then get copied */
#define LOADER_BOUNCE_SIZE    0x10000 /* 64 KiB: one BIOS call's most (loader.h) */
#define LOADER_INFO_ADDR      0x30000 /* the Multiboot 2 information block */
#define LOADER_INFO_SIZE      0x8000
#define LOADER_LOW_MEMORY_END (LOADER_INFO_ADDR + LOADER_INFO_SIZE) /* what must be RAM */

/* The areas above stage 2 in order, none overlapping the next, all below
 * 640 KiB (bootimg.h checks the sectors of stage 1 and the header). */
#if STAGE2_END > LOADER_ELF_HEAD_ADDR ||                                                           \
    LOADER_ELF_HEAD_ADDR + LOADER_ELF_HEAD_SIZE > LOADER_BOUNCE_ADDR ||                            \
    LOADER_BOUNCE_ADDR + LOADER_BOUNCE_SIZE > LOADER_INFO_ADDR || LOADER_LOW_MEMORY_END > 0xA0000
#error "the BIOS loader's memory areas overlap or leave conventional memory"
#endif

#endif
