/*
 * main.c - kernel_main: what the kernel does once it runs in 64-bit C.
 *
 * For now: say who we are, how we were booted and what memory there is,
 * announce `ready` (the line boot tests and people wait for), then sleep.
 * The test kernel (built with KEEL_KTEST) runs the in-kernel tests instead.
 */
#include <arch/x86_64/cpu.h>
#include <keel/boot_info.h>
#include <keel/console.h>
#include <keel/kernel.h>
#include <keel/ktest.h>

static const char *protocol_name(enum boot_protocol protocol)
{
    switch (protocol) {
    case BOOT_PROTOCOL_MULTIBOOT1:
        return "Multiboot 1";
    case BOOT_PROTOCOL_MULTIBOOT2:
        return "Multiboot 2";
    default:
        return "an unknown protocol";
    }
}

static void print_memory_map(const struct boot_info *info)
{
    kprintf("  %-18s %-18s %10s  %s\n", "start", "end", "size KiB", "type");
    for (size_t i = 0; i < info->region_count; i++) {
        const struct mem_region *r = &info->regions[i];
        kprintf("  0x%016llx 0x%016llx %10llu  %s\n", (unsigned long long)r->base,
                (unsigned long long)(r->base + r->length - 1),
                (unsigned long long)(r->length >> 10), mem_type_name(r->type));
    }
}

void kernel_print_boot_summary(const struct boot_info *info)
{
    console_set_color(VGA_LIGHT_CYAN, VGA_BLACK);
    kprintf("%s %s - a small x86_64 kernel\n", KEEL_NAME, KEEL_VERSION);
    console_set_color(VGA_LIGHT_GREY, VGA_BLACK);
    kprintf("boot: %s via %s\n", protocol_name(info->protocol),
            info->loader_name[0] ? info->loader_name : "an unnamed loader");
    if (info->command_line[0])
        kprintf("command line: %s\n", info->command_line);
    kprintf("kernel: physical %#llx-%#llx (%llu KiB)\n",
            (unsigned long long)info->kernel_phys_start,
            (unsigned long long)info->kernel_phys_end - 1,
            (unsigned long long)(info->kernel_phys_end - info->kernel_phys_start) >> 10);
    kprintf("Memory: %llu MiB detected\n",
            (unsigned long long)(boot_info_usable_bytes(info) >> 20));
    print_memory_map(info);
}

void kernel_main(const struct boot_info *info)
{
    kernel_print_boot_summary(info);
#ifdef KEEL_KTEST
    ktest_main(info);
#else
    console_set_color(VGA_LIGHT_GREEN, VGA_BLACK);
    kprintf("Keel is ready.\n");
    console_set_color(VGA_LIGHT_GREY, VGA_BLACK);
#endif
    cpu_halt_forever();
}
