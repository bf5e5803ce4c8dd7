/*
 * bootimg.c - CRC-32 and the checks on build/keel.img's header (see bootimg.h).
 *
 * Linked into three programs: the 64-bit kernel, the 32-bit stage 2 loader
 * (which must stay small) and the host tools and tests. So it is freestanding,
 * uses nothing but memcmp from <keel/string.h>, and its CRC-32 uses a
 * 16-entry table (64 bytes) processing four bits at a time, instead of the
 * usual 1 KiB byte table: half the steps of the bit-by-bit loop for a
 * sixteenth of the table.
 *
 * CRC-32 here is the IEEE 802.3 / zlib / PNG one: reflected polynomial
 * 0xEDB88320, register preset to all ones and inverted at the end. The
 * inversions at entry and exit are what let crc32_update continue from a
 * previous result.
 */
#include <keel/bootimg.h>
#include <keel/string.h>

#include <stdbool.h>

#define CRC32_ALL_ONES 0xFFFFFFFFu /* preset and final XOR of IEEE 802.3 CRC-32 */

/* crc32_nibble[n]: the register change after shifting the 4-bit value n out
 * through the reflected polynomial 0xEDB88320, i.e. entry n of the byte
 * table's first 16 rows computed with 4 shifts instead of 8. */
static const uint32_t crc32_nibble[16] = {
    0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4, 0x4DB26158, 0x5005713C,
    0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C, 0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
};

uint32_t crc32_update(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *bytes = data;
    uint32_t reg = crc ^ CRC32_ALL_ONES;

    for (size_t i = 0; i < len; i++) {
        reg ^= bytes[i];
        /* Reflected CRC: the low nibble leaves first. */
        reg = (reg >> 4) ^ crc32_nibble[reg & 0xF];
        reg = (reg >> 4) ^ crc32_nibble[reg & 0xF];
    }
    return reg ^ CRC32_ALL_ONES;
}

uint8_t bootimg_byte_sum(const struct bootimg_header *h)
{
    const uint8_t *bytes = (const uint8_t *)h;
    uint8_t sum = 0;

    for (size_t i = 0; i < sizeof(*h); i++)
        sum = (uint8_t)(sum + bytes[i]);
    return sum;
}

void bootimg_seal(struct bootimg_header *h)
{
    h->checksum = 0;
    h->checksum = (uint8_t)(0x100 - bootimg_byte_sum(h));
}

/* True when the command line has its NUL within BOOTIMG_CMDLINE_MAX bytes,
 * so a loader may hand it on as a C string without reading past the field. */
static bool cmdline_terminated(const struct bootimg_header *h)
{
    for (size_t i = 0; i < BOOTIMG_CMDLINE_MAX; i++) {
        if (h->cmdline[i] == '\0')
            return true;
    }
    return false;
}

/* The positions and sizes are possible: stage 2 after the header sector and
 * within what stage 1 can load, the kernel non-empty and after stage 2, and
 * the kernel's last sector still a 32-bit LBA. Sums are 64-bit so huge values
 * cannot wrap around into something that looks valid. */
static bool layout_possible(const struct bootimg_header *h)
{
    uint64_t stage2_end = (uint64_t)h->stage2_lba + h->stage2_sectors;
    uint64_t kernel_sectors =
        ((uint64_t)h->kernel_bytes + BOOTIMG_SECTOR_SIZE - 1) / BOOTIMG_SECTOR_SIZE;

    if (h->stage2_lba < 1) /* sector 0 of the partition is this header */
        return false;
    if (h->stage2_sectors < 1 || h->stage2_sectors > BOOTIMG_STAGE2_MAX_SECTORS)
        return false;
    if (h->kernel_lba < stage2_end || h->kernel_bytes == 0)
        return false;
    if (h->kernel_lba + kernel_sectors > (uint64_t)UINT32_MAX + 1)
        return false;
    return cmdline_terminated(h);
}

/* Order matters for the message: something that is not a Keel header at all
 * says so, an unknown format is reported before its checksum is trusted, and
 * a corrupted header is "checksum mismatch" rather than whichever field the
 * corruption happened to hit. The reserved bytes are not required to be zero,
 * so a later version may use them. */
enum bootimg_error bootimg_check(const struct bootimg_header *h)
{
    if (memcmp(h->magic, BOOTIMG_MAGIC, BOOTIMG_MAGIC_LEN) != 0)
        return BOOTIMG_BAD_MAGIC;
    /* header_size is part of the format's identity, like the version. */
    if (h->version != BOOTIMG_VERSION || h->header_size != BOOTIMG_SECTOR_SIZE)
        return BOOTIMG_BAD_VERSION;
    if (bootimg_byte_sum(h) != 0)
        return BOOTIMG_BAD_CHECKSUM;
    if (!layout_possible(h))
        return BOOTIMG_BAD_LAYOUT;
    return BOOTIMG_OK;
}

const char *bootimg_error_text(enum bootimg_error err)
{
    switch (err) {
    case BOOTIMG_OK:
        return "ok";
    case BOOTIMG_BAD_MAGIC:
        return "bad magic number";
    case BOOTIMG_BAD_VERSION:
        return "unsupported header version or size";
    case BOOTIMG_BAD_CHECKSUM:
        return "checksum mismatch";
    case BOOTIMG_BAD_LAYOUT:
        return "impossible layout";
    }
    return "unknown error";
}
