/*
 * loader.h - the pieces of stage 2 that talk to the BIOS and the screen, and
 * the ramdisk's loading (ramdisk.c).
 * Where they keep their data in low memory is in addresses.h.
 */
#ifndef KEEL_BOOT_BIOS_LOADER_H
#define KEEL_BOOT_BIOS_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <boot/bios/addresses.h>
#include <boot/bios/bootimg.h>
#include <boot/loader/elf_load.h>
#include <boot/loader/mbinfo.h>

/* Sectors per INT 13h AH=42h call: 127 is the most that every EDD BIOS takes
 * (Phoenix's EDD specification limits a transfer to 127 blocks; some BIOSes
 * fail beyond), and fewer, larger calls load the kernel faster. */
#define LOADER_BOUNCE_SECTORS 127
_Static_assert(LOADER_BOUNCE_SECTORS *BOOTIMG_SECTOR_SIZE <= LOADER_BOUNCE_SIZE,
               "a read must fit in the bounce buffer");
#define LOADER_MAX_E820 128

/* Screen (VGA text) and COM1, like the kernel's console. */
void loader_console_init(void);
void loader_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "Keel loader: <message>" in red on screen and serial, then halt for
 * good (interrupts off; never a reset). */
__attribute__((noreturn, format(printf, 1, 2))) void loader_fail(const char *fmt, ...);

/* Disk: the BIOS drive stage 1 came from, LBA addressing (INT 13h AH=42h). */
void disk_init(uint8_t drive);
/* Read `count` (<= LOADER_BOUNCE_SECTORS) sectors at `lba` to the bounce
 * buffer, with retries; fails the boot with a message on a read error. */
const void *disk_read_to_bounce(uint64_t lba, uint32_t count);

/* A20: enable through the BIOS, port 0x92 or the keyboard controller, and
 * verify. Returns the name of the method that worked, or NULL. */
const char *a20_enable(void);

/* Memory map from INT 15h E820 (or E801 as a fallback) into map[]; returns
 * the number of entries and sets *method ("E820", "E801"). 0 = no map. */
size_t memory_detect(struct e820_entry *map, size_t capacity, const char **method);
/* Conventional memory below 640 KiB in KiB (INT 12h). */
uint32_t memory_conventional_kib(void);
/* Whether [base, base + size) lies inside one usable region of the memory
 * map stage 2 got (stage2.c). */
bool memory_usable(uint64_t base, uint64_t size);

/* The image's ramdisk (the boot header's module), if it has one, loaded
 * above the kernel the plan placed: fills *module for the Multiboot 2 module
 * tag and returns true; false when the image has none. Fails the boot with a
 * message when it does not fit in memory, cannot be read or is damaged. */
bool ramdisk_load(const struct bootimg_header *header, uint64_t partition_lba,
                  const struct elf_load_plan *plan, struct mb2_module *module);

#endif
