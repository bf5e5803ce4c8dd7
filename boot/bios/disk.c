/*
 * disk.c - reading sectors through INT 13h extensions (EDD).
 *
 * AH=42h takes a disk address packet (DS:SI): size 16, sector count, a
 * segment:offset buffer and a 64-bit LBA (EDD 3.0, "Extended Read"). Reads
 * land in a fixed bounce buffer below 1 MiB, 64 KiB aligned so a transfer of
 * up to LOADER_BOUNCE_SECTORS (127) sectors never crosses a 64 KiB (DMA)
 * boundary; the caller copies from there. A failed read is retried after a disk reset (AH=00h).
 */
#include <boot/bios/bios.h>
#include <boot/bios/loader.h>

#define BIOS_DISK     0x13
#define DISK_RESET    0x00
#define DISK_EXT_READ 0x42
#define READ_ATTEMPTS 3

struct disk_address_packet {
    uint8_t size;
    uint8_t reserved;
    uint16_t count;
    uint16_t offset;
    uint16_t segment;
    uint64_t lba;
} __attribute__((packed));

static uint8_t boot_drive;
static struct disk_address_packet packet; /* in stage 2's .bss: below 64 KiB */

void disk_init(uint8_t drive)
{
    boot_drive = drive;
}

static void disk_reset(void)
{
    struct bios_regs regs = {.eax = DISK_RESET << 8, .edx = boot_drive};
    bios_call(BIOS_DISK, &regs);
}

const void *disk_read_to_bounce(uint64_t lba, uint32_t count)
{
    uint32_t status = 0;
    for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
        if (attempt > 0)
            disk_reset();
        packet = (struct disk_address_packet){
            .size = sizeof(packet),
            .count = (uint16_t)count,
            .offset = LOADER_BOUNCE_ADDR & 0xF,
            .segment = LOADER_BOUNCE_ADDR >> 4,
            .lba = lba,
        };
        struct bios_regs regs = {
            .eax = DISK_EXT_READ << 8,
            .edx = boot_drive,
            .esi = (uint32_t)(uintptr_t)&packet,
        };
        bios_call(BIOS_DISK, &regs);
        if (!bios_failed(&regs))
            return (const void *)LOADER_BOUNCE_ADDR;
        status = (regs.eax >> 8) & 0xFF;
    }
    loader_fail("disk read error at sector %llu (BIOS status 0x%02x, %d attempts)",
                (unsigned long long)lba, (unsigned)status, READ_ATTEMPTS);
}
