/*
 * boot.c - the first C code: turn the loader's information into a
 * struct boot_info and start the kernel.
 *
 * entry.S calls boot_main() in 64-bit mode on the boot stack with the
 * loader's magic value and the physical address of its information block.
 * The boot page tables map the first BOOT_MAPPED_BYTES of physical memory at
 * KERNEL_VMA, which is the window through which the block is read; a block
 * beyond it cannot be read and is reported as such.
 */
#include <arch/x86_64/percpu.h>
#include <boot/boot_info.h>
#include <boot/multiboot/multiboot.h>
#include <kernel/console.h>
#include <kernel/main.h>
#include <kernel/panic.h>
#include <mm/layout.h>
#include <stdint.h>

/* Physical bounds of the loaded image, from linker.ld. */
extern char __kernel_phys_start[], __kernel_phys_end[];

static struct boot_info boot_info;

/* Read the loader's block into boot_info; returns 0 or -MULTIBOOT_ERR_*. */
static int boot_info_translate(uint32_t magic, uint32_t info_phys)
{
    if (info_phys >= BOOT_MAPPED_BYTES) {
        console_select(NULL); /* nothing known: the VGA text screen */
        panic("boot information at %#x lies beyond the first %u MiB mapped at boot", info_phys,
              (unsigned)(BOOT_MAPPED_BYTES >> 20));
    }
    if (magic == MULTIBOOT2_BOOTLOADER_MAGIC)
        return boot_info_from_multiboot2(&boot_info, info_phys, KERNEL_VMA);
    return boot_info_from_multiboot1(&boot_info, info_phys, KERNEL_VMA);
}

void boot_main(uint32_t magic, uint32_t info_phys)
{
    cpu_local_init(); /* first: every lock (the console's) records its CPU through GS */
    console_init();
    int err = boot_info_translate(magic, info_phys);
    console_select(&boot_info.framebuffer);
    boot_info.kernel_phys_start = (uintptr_t)__kernel_phys_start;
    boot_info.kernel_phys_end = (uintptr_t)__kernel_phys_end;
    if (err == -MULTIBOOT_ERR_NO_MEMORY_MAP)
        panic("the boot loader passed no memory map and no memory size");
    if (err)
        kprintf("boot: warning: malformed boot information; using what could be read\n");
    if (boot_info.regions_dropped)
        kprintf("boot: warning: memory map too long, %zu regions ignored\n",
                boot_info.regions_dropped);
    kernel_main(&boot_info);
}
