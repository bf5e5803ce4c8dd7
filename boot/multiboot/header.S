/*
 * header.S - the two headers that let GRUB and QEMU load Keel.
 *
 * One kernel.elf carries both:
 *  - Multiboot 2 (GRUB's `multiboot2`): must lie in the first 32 KiB of the
 *    file, 8-byte aligned (Multiboot 2 spec 3.1.1). GRUB loads the ELF64
 *    program headers itself, so it needs the information request tag, and
 *    two tags about the screen: the kernel draws on a linear framebuffer
 *    (3.1.10) and on the EGA/VGA text screen (3.1.9), so the mode GRUB's
 *    `gfxpayload` leaves (tools/grub/grub.cfg) is the one Keel uses.
 *  - Multiboot 1 (QEMU's -kernel): must lie in the first 8 KiB, 4-byte aligned
 *    (Multiboot 1 spec 3.1.1). QEMU refuses ELF64 files unless flag bit 16
 *    (the "a.out kludge") is set and the header itself gives the physical
 *    load addresses, so it is set here; linker.ld keeps the image contiguous.
 * The linker script puts the .multiboot section at the very start of .boot.
 */
#include <boot/multiboot/protocol.h>

#define MB2_HEADER_TAG_END          0 /* 3.1.3: type 0, size 8 */
#define MB2_HEADER_TAG_INFO_REQUEST 1 /* 3.1.4 */
#define MB2_HEADER_TAG_CONSOLE_FLAGS 4 /* 3.1.9 */
#define MB2_HEADER_TAG_FRAMEBUFFER  5 /* 3.1.10 */
#define MB2_HEADER_TAG_OPTIONAL     1 /* tag flags bit 0: a loader may ignore the tag */
#define MB2_CONSOLE_EGA_TEXT        (1 << 1) /* console_flags: EGA text supported */

#define MB1_FLAG_PAGE_ALIGN (1 << 0)  /* modules page aligned */
#define MB1_FLAG_MEMORY_INFO (1 << 1) /* we want mem_* and the memory map */
#define MB1_FLAG_AOUT_KLUDGE (1 << 16) /* addresses below are valid: load linearly */
#define MB1_FLAGS (MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMORY_INFO | MB1_FLAG_AOUT_KLUDGE)

    .section .multiboot, "a"

    .balign MULTIBOOT2_HEADER_ALIGN
mb2_header:
    .long MULTIBOOT2_HEADER_MAGIC
    .long MULTIBOOT2_ARCH_I386
    .long mb2_header_end - mb2_header
    /* magic + architecture + length + checksum must be 0 (mod 2^32) */
    .long -(MULTIBOOT2_HEADER_MAGIC + MULTIBOOT2_ARCH_I386 + (mb2_header_end - mb2_header))

    /* Ask for the command line, loader name and memory map. Not optional
     * (flags = 0): without a memory map the kernel cannot run. */
    .balign MULTIBOOT2_TAG_ALIGN
mb2_info_request:
    .short MB2_HEADER_TAG_INFO_REQUEST
    .short 0
    .long mb2_info_request_end - mb2_info_request
    .long MULTIBOOT2_TAG_CMDLINE
    .long MULTIBOOT2_TAG_LOADER_NAME
    .long MULTIBOOT2_TAG_MMAP
mb2_info_request_end:

    /* Text mode works: GRUB may leave the screen in it (BIOS boots do). */
    .balign MULTIBOOT2_TAG_ALIGN
mb2_console_flags:
    .short MB2_HEADER_TAG_CONSOLE_FLAGS
    .short MB2_HEADER_TAG_OPTIONAL
    .long mb2_console_flags_end - mb2_console_flags
    .long MB2_CONSOLE_EGA_TEXT
mb2_console_flags_end:

    /* A framebuffer works too, of any size (the console needs 640x400 for
     * its 80x25 cells, and uses more). Width, height and depth 0 state no
     * preference: the mode is chosen by the loader's configuration (GRUB's
     * gfxpayload), not forced here, so a UEFI boot keeps the firmware's
     * mode and a BIOS boot stays in text mode. */
    .balign MULTIBOOT2_TAG_ALIGN
mb2_framebuffer:
    .short MB2_HEADER_TAG_FRAMEBUFFER
    .short MB2_HEADER_TAG_OPTIONAL
    .long mb2_framebuffer_end - mb2_framebuffer
    .long 0 /* width: no preference */
    .long 0 /* height */
    .long 0 /* depth */
mb2_framebuffer_end:

    .balign MULTIBOOT2_TAG_ALIGN
    .short MB2_HEADER_TAG_END
    .short 0
    .long 8
mb2_header_end:

    .balign MULTIBOOT1_HEADER_ALIGN
mb1_header:
    .long MULTIBOOT1_HEADER_MAGIC
    .long MB1_FLAGS
    .long -(MULTIBOOT1_HEADER_MAGIC + MB1_FLAGS)
    /* a.out kludge fields, all physical (spec 3.1.3) */
    .long mb1_header         /* header_addr: where this header is loaded */
    .long __kernel_phys_start /* load_addr: start of the image */
    .long __data_end_phys    /* load_end_addr: end of the bytes in the file */
    .long __kernel_phys_end  /* bss_end_addr: loader zeroes up to here */
    .long _start32           /* entry_addr */
