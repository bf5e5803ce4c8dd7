/*
 * bootimg.c - the checks on build/keel.img's boot header (see bootimg.h).
 *
 * Linked into the 32-bit stage 2 loader (which must stay small) and into the
 * host tools and tests, so it is freestanding and uses nothing but memcmp
 * from <lib/string.h>. The CRC-32s the header carries are computed by
 * lib/crc32.c.
 */
#include <boot/bios/bootimg.h>
#include <lib/string.h>

#include <stdbool.h>

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

static uint64_t sectors_for(uint32_t bytes)
{
    return ((uint64_t)bytes + BOOTIMG_SECTOR_SIZE - 1) / BOOTIMG_SECTOR_SIZE;
}

/* No module (size and LBA both 0), or one after the kernel whose last sector
 * is still a 32-bit LBA. */
static bool module_possible(const struct bootimg_header *h)
{
    if (h->module_bytes == 0)
        return h->module_lba == 0;
    return h->module_lba >= h->kernel_lba + sectors_for(h->kernel_bytes) &&
           h->module_lba + sectors_for(h->module_bytes) <= (uint64_t)UINT32_MAX + 1;
}

/* The positions and sizes are possible: stage 2 after the header sector and
 * within what stage 1 can load, the kernel non-empty and after stage 2, the
 * module after the kernel, and the last sectors of both still 32-bit LBAs.
 * Sums are 64-bit so huge values cannot wrap around into something that
 * looks valid. */
static bool layout_possible(const struct bootimg_header *h)
{
    uint64_t stage2_end = (uint64_t)h->stage2_lba + h->stage2_sectors;

    if (h->stage2_lba < 1) /* sector 0 of the partition is this header */
        return false;
    if (h->stage2_sectors < 1 || h->stage2_sectors > BOOTIMG_STAGE2_MAX_SECTORS)
        return false;
    if (h->kernel_lba < stage2_end || h->kernel_bytes == 0)
        return false;
    if (h->kernel_lba + sectors_for(h->kernel_bytes) > (uint64_t)UINT32_MAX + 1)
        return false;
    return module_possible(h) && cmdline_terminated(h);
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
