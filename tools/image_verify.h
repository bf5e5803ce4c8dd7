/*
 * image_verify.h - checking the whole of build/keel.img: both partitions (host only).
 *
 * keel.img has two MBR partitions (layout: boot/bios/bootimg.h): the active
 * BIOS partition that tools/bootimg_verify.c checks, and an EFI System
 * Partition (type 0xEF) holding a FAT volume with the files UEFI firmware and
 * Keel's UEFI loader open. image_verify checks, after bootimg_inspect_image:
 *   - the partition table: the BIOS entry and the ESP entry 1 MiB aligned,
 *     inside the image, not overlapping, their CHS fields as mbr_chs writes
 *     them, the ESP inactive, the other two entries empty;
 *   - the ESP's FAT boot sector (tools/fat_read.c), 512-byte sectors, total
 *     sectors equal to the partition's, hidden sectors equal to its start;
 *   - /EFI/BOOT/BOOTX64.EFI a PE32+ x86-64 file, /KEEL/BOOT.CFG not empty,
 *     /KEEL/KERNEL.ELF byte for byte the BIOS partition's kernel (its size and
 *     CRC-32 are those in the boot header), and, when the BIOS partition has
 *     a module, /KEEL/INITRD.TAR byte for byte that module.
 * Used by `mkimage --check`, by mkimage on every image it writes, and by the
 * host tests.
 */
#ifndef KEEL_TOOLS_IMAGE_VERIFY_H
#define KEEL_TOOLS_IMAGE_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include <tools/bootimg_verify.h>
#include <tools/fat_read.h>

#define ESP_PARTITION_TYPE 0xEF /* UEFI spec, "Legacy Master Boot Record" */
#define IMAGE_ALIGN_SECTORS                                                                        \
    2048 /* 1 MiB: where partitioning tools put partitions, a multiple of any flash erase block */

/* The files on the ESP (their names are the contract with boot/uefi/). */
#define ESP_LOADER_PATH "/EFI/BOOT/BOOTX64.EFI" /* UEFI spec, "Removable Media Boot Behavior" */
#define ESP_KERNEL_PATH "/KEEL/KERNEL.ELF"
#define ESP_CONFIG_PATH "/KEEL/BOOT.CFG"
#define ESP_INITRD_PATH "/KEEL/INITRD.TAR" /* when the BIOS partition has a module */

struct image_info {
    struct bootimg_image_info bios;
    unsigned esp_index; /* 0..3: the ESP's entry in the MBR table */
    uint32_t esp_lba;
    uint32_t esp_sectors;
    enum fat_type esp_fat;
    uint32_t esp_cluster_bytes;
    uint32_t loader_bytes, kernel_bytes, config_bytes;
    uint32_t initrd_bytes; /* 0 when the image has no module */
};

/* The 3-byte CHS address of lba that mkimage writes into a partition entry,
 * for the geometry every partitioning tool assumes for LBA disks (255 heads,
 * 63 sectors per track); beyond cylinder 1023 it is the maximum 1023/254/63. */
void mbr_chs(uint32_t lba, uint8_t chs[3]);

/* Check img[0..len) as described above. Returns 0 when it is sound, else -1
 * with a one-line reason in why (as bootimg_inspect_image). info may be NULL. */
int image_verify(const uint8_t *img, size_t len, struct image_info *info, char *why,
                 size_t why_len);

#endif
