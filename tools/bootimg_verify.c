/*
 * bootimg_verify.c - checking a whole build/keel.img in memory (see bootimg_verify.h).
 *
 * The checks run in boot order, so the first problem reported is the one
 * that would stop a real boot first: the BIOS wants 0x55AA, stage 1 wants
 * one active partition of our type and a valid header, stage 2 wants its own,
 * the kernel's and then the module's CRC-32s to match. Every position read from the image is
 * checked against the image length in 64-bit arithmetic before it is used,
 * so a damaged or hostile image cannot make us read out of bounds.
 *
 * MBR partition entry (16 bytes, at MBR_PARTITION_TABLE + 16 * i):
 *   +0 status (0x80 active, 0x00 inactive), +1 CHS of the first sector,
 *   +4 type, +5 CHS of the last sector, +8 LBA start, +12 sector count
 *   (both little endian). The CHS fields are not checked: BIOSes booting
 *   with LBA ignore them, and other tools compute them with other geometries.
 */
#include <lib/crc32.h>
#include <tools/bootimg_verify.h>
#include <tools/verify_common.h>

#include <stdio.h>
#include <string.h>

#define ELF_MAGIC     "\177ELF" /* ELF specification, e_ident[EI_MAG0..3] */
#define ELF_MAGIC_LEN 4

/* Find the one active partition in the MBR's table and check its type and
 * that it lies inside the image. */
static int find_partition(const uint8_t *img, size_t len, struct bootimg_image_info *info,
                          char *why, size_t why_len)
{
    unsigned active = 0;

    for (unsigned i = 0; i < MBR_PARTITION_COUNT; i++) {
        const uint8_t *entry = img + MBR_PARTITION_TABLE + i * MBR_PARTITION_ENTRY_SIZE;
        uint8_t status = entry[MBR_ENTRY_STATUS];

        if (status != MBR_STATUS_ACTIVE && status != MBR_STATUS_INACTIVE)
            return verify_fail(why, why_len, "partition entry %u has invalid status 0x%02X", i,
                               status);
        if (status != MBR_STATUS_ACTIVE)
            continue;
        if (active++ == 0)
            info->partition_index = i;
    }
    if (active == 0)
        return verify_fail(why, why_len, "no active partition in the MBR");
    if (active > 1)
        return verify_fail(why, why_len, "%u active partitions in the MBR, expected exactly one",
                           active);

    const uint8_t *entry =
        img + MBR_PARTITION_TABLE + info->partition_index * MBR_PARTITION_ENTRY_SIZE;
    if (entry[MBR_ENTRY_TYPE] != BOOTIMG_PARTITION_TYPE)
        return verify_fail(why, why_len, "active partition %u has type 0x%02X, expected 0x%02X",
                           info->partition_index, entry[MBR_ENTRY_TYPE], BOOTIMG_PARTITION_TYPE);
    info->partition_lba = le32(entry + MBR_ENTRY_LBA_START);
    info->partition_sectors = le32(entry + MBR_ENTRY_SECTOR_COUNT);
    if (info->partition_lba == 0 || info->partition_sectors == 0)
        return verify_fail(why, why_len, "active partition %u is empty or overlaps the MBR",
                           info->partition_index);

    uint64_t image_sectors = len / BOOTIMG_SECTOR_SIZE;
    uint64_t partition_end = (uint64_t)info->partition_lba + info->partition_sectors;
    if (partition_end > image_sectors)
        return verify_fail(why, why_len,
                           "image truncated: the partition ends at sector %llu, the image has %llu",
                           (unsigned long long)partition_end, (unsigned long long)image_sectors);
    return 0;
}

/* Check that sectors [first, first + count) of the partition exist and that
 * bytes bytes from first match crc, the CRC-32 recorded in the header. */
static int check_part(const uint8_t *img, const struct bootimg_image_info *info, const char *name,
                      uint32_t first, uint64_t bytes, uint32_t crc, char *why, size_t why_len)
{
    uint64_t sectors = (bytes + BOOTIMG_SECTOR_SIZE - 1) / BOOTIMG_SECTOR_SIZE;

    if (first + sectors > info->partition_sectors)
        return verify_fail(
            why, why_len, "%s (sectors %u..%llu) runs past the end of the partition (%u)", name,
            first, (unsigned long long)(first + sectors - 1), info->partition_sectors);

    const uint8_t *start = img + ((uint64_t)info->partition_lba + first) * BOOTIMG_SECTOR_SIZE;
    uint32_t actual = crc32_update(0, start, bytes);
    if (actual != crc)
        return verify_fail(why, why_len, "%s CRC-32 mismatch: header says 0x%08X, data has 0x%08X",
                           name, crc, actual);
    return 0;
}

int bootimg_inspect_image(const uint8_t *img, size_t len, struct bootimg_image_info *info,
                          char *why, size_t why_len)
{
    struct bootimg_image_info found;

    if (why != NULL && why_len > 0)
        why[0] = '\0';
    if (len < BOOTIMG_SECTOR_SIZE)
        return verify_fail(why, why_len, "image truncated: %zu bytes, less than one sector", len);
    if (img[MBR_SIGNATURE_OFFSET] != MBR_SIGNATURE_0 ||
        img[MBR_SIGNATURE_OFFSET + 1] != MBR_SIGNATURE_1)
        return verify_fail(why, why_len, "no MBR boot signature 0x55AA at offset 510");
    if (find_partition(img, len, &found, why, why_len) != 0)
        return -1;

    /* find_partition checked that the partition, so its first sector, is in the image. */
    memcpy(&found.header, img + (size_t)found.partition_lba * BOOTIMG_SECTOR_SIZE,
           sizeof(found.header));
    enum bootimg_error err = bootimg_check(&found.header);
    if (err != BOOTIMG_OK)
        return verify_fail(why, why_len, "header at LBA %u: %s", found.partition_lba,
                           bootimg_error_text(err));

    const struct bootimg_header *h = &found.header;
    if (check_part(img, &found, "stage 2", h->stage2_lba,
                   (uint64_t)h->stage2_sectors * BOOTIMG_SECTOR_SIZE, h->stage2_crc32, why,
                   why_len) != 0)
        return -1;
    if (check_part(img, &found, "kernel", h->kernel_lba, h->kernel_bytes, h->kernel_crc32, why,
                   why_len) != 0)
        return -1;

    const uint8_t *kernel =
        img + ((size_t)found.partition_lba + h->kernel_lba) * BOOTIMG_SECTOR_SIZE;
    if (h->kernel_bytes < ELF_MAGIC_LEN || memcmp(kernel, ELF_MAGIC, ELF_MAGIC_LEN) != 0)
        return verify_fail(why, why_len, "kernel does not start with the ELF magic \\x7fELF");
    if (h->module_bytes != 0 && check_part(img, &found, "ramdisk", h->module_lba, h->module_bytes,
                                           h->module_crc32, why, why_len) != 0)
        return -1;

    if (info != NULL)
        *info = found;
    return 0;
}

int bootimg_verify_image(const uint8_t *img, size_t len, char *why, size_t why_len)
{
    return bootimg_inspect_image(img, len, NULL, why, why_len);
}
