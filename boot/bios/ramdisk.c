/*
 * ramdisk.c - stage 2 loads the image's module, the ramdisk, after the kernel.
 *
 * The boot header's module entry (boot/bios/bootimg.h) gives its first
 * sector, its size and its CRC-32. It is read the way the kernel is: through
 * the bounce buffer, LOADER_BOUNCE_SECTORS at a time (disk_read_to_bounce
 * fails the boot with its message on a read error), a line of '#' growing
 * meanwhile. Its place is the first page boundary above the kernel's highest
 * segment (.bss included, so the kernel's start-up never clears it), which
 * must be usable RAM below 4 GiB: a Multiboot 2 module tag holds 32-bit
 * addresses (spec 3.6.6). Everything the loader itself still uses lies below
 * 640 KiB (addresses.h), so nothing of it is in the way. The kernel learns of
 * it from a module tag with the string "initrd".
 */
#include <boot/bios/loader.h>
#include <boot/loader/elf_load.h>
#include <lib/crc32.h>
#include <lib/string.h>

#define RAMDISK_STRING "initrd" /* the module tag's string: what the module is */
#define PAGE_BYTES     4096u
#define FOUR_GIB       0x100000000ull
#define PROGRESS_DOTS  40
#define KIB            1024u

/* The first page boundary above every segment of the plan. */
static uint64_t above_kernel(const struct elf_load_plan *plan)
{
    uint64_t end = 0;

    for (size_t i = 0; i < plan->segment_count; i++) {
        const struct elf_segment *s = &plan->segments[i];
        if (s->phys_addr + s->mem_size > end)
            end = s->phys_addr + s->mem_size;
    }
    return (end + PAGE_BYTES - 1) & ~(uint64_t)(PAGE_BYTES - 1);
}

static unsigned kib(uint32_t bytes)
{
    return (unsigned)((bytes + KIB - 1) / KIB); /* rounded up, as the kernel's module line */
}

/* Copy `bytes` bytes from sector `lba` on to `dest`; returns their CRC-32. */
static uint32_t read_to_memory(uint64_t lba, uint32_t bytes, uint8_t *dest)
{
    uint32_t sectors = (bytes + BOOTIMG_SECTOR_SIZE - 1) / BOOTIMG_SECTOR_SIZE;
    uint32_t crc = 0, dots = 0;

    for (uint32_t done = 0; done < sectors;) {
        uint32_t count =
            sectors - done < LOADER_BOUNCE_SECTORS ? sectors - done : LOADER_BOUNCE_SECTORS;
        const uint8_t *chunk = disk_read_to_bounce(lba + done, count);
        uint32_t offset = done * BOOTIMG_SECTOR_SIZE;
        uint32_t len = bytes - offset < count * BOOTIMG_SECTOR_SIZE ? bytes - offset
                                                                    : count * BOOTIMG_SECTOR_SIZE;
        crc = crc32_update(crc, chunk, len);
        memcpy(dest + offset, chunk, len);
        done += count;
        for (; dots < (uint64_t)done * PROGRESS_DOTS / sectors; dots++)
            loader_printf("#");
    }
    return crc;
}

bool ramdisk_load(const struct bootimg_header *header, uint64_t partition_lba,
                  const struct elf_load_plan *plan, struct mb2_module *module)
{
    uint32_t bytes = header->module_bytes;
    uint64_t dest = above_kernel(plan);

    if (bytes == 0)
        return false; /* an image without a ramdisk */
    if (dest + bytes > FOUR_GIB || !memory_usable(dest, bytes))
        loader_fail("not enough memory for the ramdisk (%u KiB at 0x%llx)", kib(bytes),
                    (unsigned long long)dest);
    loader_printf("ramdisk: %u KiB at 0x%llx [", kib(bytes), (unsigned long long)dest);
    uint32_t crc =
        read_to_memory(partition_lba + header->module_lba, bytes, (uint8_t *)(uintptr_t)dest);
    loader_printf("]\n");
    if (crc != header->module_crc32)
        loader_fail("the ramdisk is damaged (CRC-32 %08x, header says %08x)", (unsigned)crc,
                    (unsigned)header->module_crc32);
    *module = (struct mb2_module){.start = dest, .end = dest + bytes, .cmdline = RAMDISK_STRING};
    return true;
}
