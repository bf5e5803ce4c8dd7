/*
 * main.h - the kernel's entry point and identity.
 */
#ifndef KEEL_KERNEL_MAIN_H
#define KEEL_KERNEL_MAIN_H

#include <boot/boot_info.h>

#define KEEL_NAME    "Keel"
#define KEEL_VERSION "0.1.0"

/* Start the kernel; boot/ calls it once the console is up. Never returns. */
__attribute__((noreturn)) void kernel_main(const struct boot_info *info);

/* Print the banner, boot path, memory figure and memory map. */
void kernel_print_boot_summary(const struct boot_info *info);
/* The memory map as a table: start, end, size, type. */
void kernel_print_memory_map(const struct boot_info *info);
/* What the loader reported (kept by kernel_main). */
const struct boot_info *kernel_boot_info(void);

#endif
