/*
 * image_verify.c - checking both partitions of build/keel.img (see image_verify.h).
 *
 * The BIOS side (MBR signature, the active partition, boot header, CRC-32s)
 * is tools/bootimg_verify.c's; this file adds the partition table as a whole
 * and the EFI System Partition's FAT volume and files, in that order, so the
 * first problem reported is the one that would stop a boot first.
 *
 * PE/COFF facts for the loader check (Microsoft PE Format specification):
 * "MZ" at 0, the u32 at 0x3C is the offset of "PE\0\0", followed by the COFF
 * header whose first u16 is the machine (0x8664 for x86-64), and 20 bytes
 * later the optional header, whose u16 magic is 0x20B for PE32+.
 */
#include <lib/crc32.h>
#include <tools/image_verify.h>
#include <tools/verify_common.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CHS geometry every partitioning tool assumes for LBA disks. */
#define CHS_HEADS        255
#define CHS_SECTORS      63
#define CHS_MAX_CYLINDER 1023

#define PE_LFANEW_OFFSET   0x3C
#define PE_MACHINE_AMD64   0x8664
#define PE_COFF_SIZE       20 /* signature (4) is before it, the optional header after */
#define PE_OPTIONAL_PE32PP 0x20B
#define PE_MIN_SIZE        0x40 /* the DOS header, up to and with e_lfanew */

void mbr_chs(uint32_t lba, uint8_t chs[3])
{
    uint32_t cylinder = lba / (CHS_HEADS * CHS_SECTORS);
    uint32_t head = lba / CHS_SECTORS % CHS_HEADS;
    uint32_t sector = lba % CHS_SECTORS + 1; /* CHS sectors count from 1 */

    if (cylinder > CHS_MAX_CYLINDER) {
        cylinder = CHS_MAX_CYLINDER;
        head = CHS_HEADS - 1;
        sector = CHS_SECTORS;
    }
    chs[0] = (uint8_t)head;
    chs[1] = (uint8_t)(sector | (cylinder >> 8) << 6); /* cylinder bits 8-9 in bits 6-7 */
    chs[2] = (uint8_t)cylinder;
}

static const uint8_t *entry_at(const uint8_t *img, unsigned index)
{
    return img + MBR_PARTITION_TABLE + index * MBR_PARTITION_ENTRY_SIZE;
}

/* A partition entry's start is 1 MiB aligned and its CHS fields are what
 * mbr_chs gives for its first and last sector. */
static int check_entry(const uint8_t *entry, const char *name, char *why, size_t why_len)
{
    uint32_t first = le32(entry + MBR_ENTRY_LBA_START);
    uint32_t count = le32(entry + MBR_ENTRY_SECTOR_COUNT);
    uint8_t start[3], end[3];

    if (first % IMAGE_ALIGN_SECTORS != 0)
        return verify_fail(why, why_len, "%s partition at LBA %u is not 1 MiB aligned", name,
                           first);
    mbr_chs(first, start);
    mbr_chs(first + count - 1, end);
    if (memcmp(entry + MBR_ENTRY_CHS_START, start, 3) != 0 ||
        memcmp(entry + MBR_ENTRY_CHS_END, end, 3) != 0)
        return verify_fail(why, why_len, "%s partition's CHS fields do not match its LBA %u..%u",
                           name, first, first + count - 1);
    return 0;
}

/* Exactly one ESP entry beside the BIOS one, the other entries empty; the ESP
 * inside the image and apart from the BIOS partition. */
static int check_table(const uint8_t *img, size_t len, struct image_info *info, char *why,
                       size_t why_len)
{
    static const uint8_t empty[MBR_PARTITION_ENTRY_SIZE];
    unsigned esps = 0;

    for (unsigned i = 0; i < MBR_PARTITION_COUNT; i++) {
        if (i != info->bios.partition_index &&
            entry_at(img, i)[MBR_ENTRY_TYPE] == ESP_PARTITION_TYPE && esps++ == 0)
            info->esp_index = i;
    }
    if (esps != 1)
        return verify_fail(why, why_len, "%s EFI System Partition (type 0x%02X) in the MBR",
                           esps == 0 ? "no" : "more than one", ESP_PARTITION_TYPE);
    for (unsigned i = 0; i < MBR_PARTITION_COUNT; i++) {
        if (i != info->bios.partition_index && i != info->esp_index &&
            memcmp(entry_at(img, i), empty, sizeof(empty)) != 0)
            return verify_fail(why, why_len,
                               "partition entry %u is neither the BIOS partition, the EFI System "
                               "Partition nor empty",
                               i);
    }
    const uint8_t *esp = entry_at(img, info->esp_index);
    info->esp_lba = le32(esp + MBR_ENTRY_LBA_START);
    info->esp_sectors = le32(esp + MBR_ENTRY_SECTOR_COUNT);
    uint64_t esp_end = (uint64_t)info->esp_lba + info->esp_sectors;
    uint64_t bios_end = (uint64_t)info->bios.partition_lba + info->bios.partition_sectors;
    if (info->esp_sectors == 0 || esp_end > len / BOOTIMG_SECTOR_SIZE)
        return verify_fail(why, why_len,
                           "EFI System Partition (LBA %u, %u sectors) is empty or runs "
                           "past the end of the image (%zu sectors)",
                           info->esp_lba, info->esp_sectors, len / BOOTIMG_SECTOR_SIZE);
    if (info->esp_lba < bios_end && esp_end > info->bios.partition_lba)
        return verify_fail(why, why_len,
                           "EFI System Partition (LBA %u..%llu) overlaps the BIOS "
                           "partition (LBA %u..%llu)",
                           info->esp_lba, (unsigned long long)esp_end - 1, info->bios.partition_lba,
                           (unsigned long long)bios_end - 1);
    if (check_entry(entry_at(img, info->bios.partition_index), "BIOS", why, why_len) != 0)
        return -1;
    return check_entry(esp, "EFI System", why, why_len);
}

/* The FAT volume fills the partition exactly and knows where it starts. */
static int check_fat(const struct fat_volume *v, enum fat_error err, const struct image_info *info,
                     char *why, size_t why_len)
{
    if (err != FAT_OK)
        return verify_fail(why, why_len, "EFI System Partition: not a valid FAT volume: %s",
                           fat_error_text(err));
    if (v->bytes_per_sector != BOOTIMG_SECTOR_SIZE)
        return verify_fail(why, why_len,
                           "EFI System Partition: %u bytes per sector, the disk has %d",
                           v->bytes_per_sector, BOOTIMG_SECTOR_SIZE);
    if (v->total_sectors != info->esp_sectors)
        return verify_fail(why, why_len,
                           "EFI System Partition: FAT volume of %u sectors in a partition "
                           "of %u",
                           v->total_sectors, info->esp_sectors);
    if (v->hidden_sectors != info->esp_lba)
        return verify_fail(why, why_len,
                           "EFI System Partition: BPB hidden sectors %u, the partition "
                           "starts at LBA %u",
                           v->hidden_sectors, info->esp_lba);
    return 0;
}

/* Find and read one file of the ESP into *data (malloc'ed; the caller frees it). */
static int read_esp_file(const struct fat_volume *v, const char *path, uint8_t **data,
                         uint32_t *size, char *why, size_t why_len)
{
    struct fat_entry e;
    enum fat_error err = fat_lookup(v, path, &e);

    if (err == FAT_OK && e.is_directory)
        err = FAT_IS_A_DIRECTORY;
    if (err == FAT_OK && e.size == 0)
        return verify_fail(why, why_len, "EFI System Partition: %s is empty", path);
    if (err == FAT_OK && (*data = malloc(e.size)) == NULL)
        return verify_fail(why, why_len, "out of memory for %s (%u bytes)", path, e.size);
    if (err == FAT_OK)
        err = fat_read_file(v, &e, *data);
    if (err != FAT_OK)
        return verify_fail(why, why_len, "EFI System Partition: %s: %s", path, fat_error_text(err));
    *size = e.size;
    return 0;
}

static bool is_pe32plus_x64(const uint8_t *p, uint32_t size)
{
    if (size < PE_MIN_SIZE || p[0] != 'M' || p[1] != 'Z')
        return false;
    uint64_t pe = le32(p + PE_LFANEW_OFFSET);
    if (pe + 4 + PE_COFF_SIZE + 2 > size || memcmp(p + pe, "PE\0\0", 4) != 0)
        return false;
    return le16(p + pe + 4) == PE_MACHINE_AMD64 &&
           le16(p + pe + 4 + PE_COFF_SIZE) == PE_OPTIONAL_PE32PP;
}

/* A file of the ESP is byte for byte the BIOS partition's copy of it (bytes
 * and crc from the boot header): checked by its size and CRC-32. */
static int check_same(const char *path, const uint8_t *data, uint32_t size, const char *what,
                      uint32_t bytes, uint32_t crc, char *why, size_t why_len)
{
    uint32_t actual = crc32_update(0, data, size);

    if (size == bytes && actual == crc)
        return 0;
    return verify_fail(why, why_len,
                       "EFI System Partition: %s (%u bytes, CRC-32 0x%08X) differs from the BIOS "
                       "partition's %s (%u bytes, CRC-32 0x%08X)",
                       path, size, actual, what, bytes, crc);
}

/* With a module in the BIOS partition, the ESP holds the same ramdisk. */
static int check_initrd(const struct fat_volume *v, struct image_info *info, char *why,
                        size_t why_len)
{
    const struct bootimg_header *h = &info->bios.header;
    uint8_t *initrd = NULL;

    if (h->module_bytes == 0)
        return 0;
    int status = read_esp_file(v, ESP_INITRD_PATH, &initrd, &info->initrd_bytes, why, why_len);
    if (status == 0)
        status = check_same(ESP_INITRD_PATH, initrd, info->initrd_bytes, "ramdisk", h->module_bytes,
                            h->module_crc32, why, why_len);
    free(initrd);
    return status;
}

static int check_files(const struct fat_volume *v, struct image_info *info, char *why,
                       size_t why_len)
{
    uint8_t *loader = NULL, *kernel = NULL, *config = NULL;
    int status = -1;

    if (read_esp_file(v, ESP_LOADER_PATH, &loader, &info->loader_bytes, why, why_len) != 0 ||
        read_esp_file(v, ESP_KERNEL_PATH, &kernel, &info->kernel_bytes, why, why_len) != 0 ||
        read_esp_file(v, ESP_CONFIG_PATH, &config, &info->config_bytes, why, why_len) != 0)
        goto out;
    const struct bootimg_header *h = &info->bios.header;
    if (!is_pe32plus_x64(loader, info->loader_bytes))
        verify_fail(why, why_len, "EFI System Partition: %s is not a PE32+ x86-64 executable",
                    ESP_LOADER_PATH);
    else if (check_same(ESP_KERNEL_PATH, kernel, info->kernel_bytes, "kernel", h->kernel_bytes,
                        h->kernel_crc32, why, why_len) == 0)
        status = check_initrd(v, info, why, why_len);
out:
    free(loader);
    free(kernel);
    free(config);
    return status;
}

int image_verify(const uint8_t *img, size_t len, struct image_info *info, char *why, size_t why_len)
{
    struct image_info found;
    struct fat_volume v;

    memset(&found, 0, sizeof(found));
    if (bootimg_inspect_image(img, len, &found.bios, why, why_len) != 0 ||
        check_table(img, len, &found, why, why_len) != 0)
        return -1;
    const uint8_t *esp = img + (size_t)found.esp_lba * BOOTIMG_SECTOR_SIZE;
    enum fat_error err = fat_open(&v, esp, (size_t)found.esp_sectors * BOOTIMG_SECTOR_SIZE);
    if (check_fat(&v, err, &found, why, why_len) != 0 || check_files(&v, &found, why, why_len) != 0)
        return -1;
    found.esp_fat = v.type;
    found.esp_cluster_bytes = v.sectors_per_cluster * v.bytes_per_sector;
    if (info != NULL)
        *info = found;
    return 0;
}
