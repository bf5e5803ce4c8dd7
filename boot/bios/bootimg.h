/*
 * bootimg.h - the layout of build/keel.img, Keel's raw disk image for BIOS and UEFI PCs.
 *
 *   LBA 0                      MBR: stage 1 code, partition table, 0x55AA
 *   LBA 1 .. 2047              unused (keeps the partition 1 MiB aligned)
 *   partition 1 (active, type BOOTIMG_PARTITION_TYPE), from BOOTIMG_PARTITION_LBA
 *   to the next whole MiB, the BIOS partition:
 *     + 0                      struct bootimg_header (one sector)
 *     + stage2_lba             stage 2, stage2_sectors sectors
 *     + kernel_lba             the kernel ELF file, kernel_bytes bytes
 *     + module_lba             the module (the ramdisk, build/initrd.tar),
 *                              module_bytes bytes; none when module_bytes is 0
 *   partition 2 (inactive, type 0xEF), 1 MiB aligned after partition 1: the
 *   EFI System Partition, a FAT volume with /EFI/BOOT/BOOTX64.EFI (the UEFI
 *   loader), /KEEL/KERNEL.ELF (the same kernel file), /KEEL/INITRD.TAR (the
 *   same module) and /KEEL/BOOT.CFG.
 *   The loaders here never look at it; tools/image_verify.c checks it.
 *
 * The image tool (tools/mkimage.c) writes the header; stage 1 checks its
 * magic and checksum before loading stage 2, stage 2 checks the CRC-32s of
 * what it loads. LBAs in the header are relative to the partition start, so
 * nothing in the loaders depends on where the partition lies.
 * All multi-byte fields are little endian.
 *
 * Stage 1 (assembly) includes this header too: everything but the
 * #defines is inside #ifndef __ASSEMBLER__, and the field offsets it uses
 * are named here and checked against the structure.
 */
#ifndef KEEL_BOOT_BIOS_BOOTIMG_H
#define KEEL_BOOT_BIOS_BOOTIMG_H

#include <boot/bios/addresses.h>

#define BOOTIMG_SECTOR_SIZE    512
#define BOOTIMG_PARTITION_LBA  2048
#define BOOTIMG_PARTITION_TYPE 0x7F       /* "experimental / local use" in the partition ID lists */
#define BOOTIMG_MAGIC          "KEELBOOT" /* 8 bytes, no terminator in the header */
#define BOOTIMG_MAGIC_LEN      8
#define BOOTIMG_VERSION        2 /* 2: the module entry (version 1 had none) */
#define BOOTIMG_CMDLINE_MAX    128
/* Stage 1 loads stage 2 with one BIOS call to STAGE2_ADDR and it must end
 * below STAGE2_END (real-mode code of stage 2 runs with CS = 0): at most 64
 * sectors. */
#define BOOTIMG_STAGE2_MAX_SECTORS ((STAGE2_END - STAGE2_ADDR) / BOOTIMG_SECTOR_SIZE)

/* Offsets in struct bootimg_header that stage 1 reads. */
#define BOOTIMG_HEADER_STAGE2_LBA     12
#define BOOTIMG_HEADER_STAGE2_SECTORS 16

/* Stage 1 and the header each take one sector, before stage 2 (addresses.h). */
#if BOOT_HEADER_ADDR != STAGE1_ADDR + BOOTIMG_SECTOR_SIZE ||                                       \
    BOOT_HEADER_ADDR + BOOTIMG_SECTOR_SIZE > STAGE2_ADDR
#error "stage 1 and the boot header must lie in the sectors below STAGE2_ADDR"
#endif

/* MBR layout (offsets into sector 0) and its partition entries (16 bytes:
 * +0 status, +1 CHS start, +4 type, +5 CHS end, +8 first LBA, +12 count). */
#define MBR_PARTITION_TABLE      446
#define MBR_PARTITION_ENTRY_SIZE 16
#define MBR_PARTITION_COUNT      4
#define MBR_ENTRY_STATUS         0
#define MBR_ENTRY_CHS_START      1
#define MBR_ENTRY_TYPE           4
#define MBR_ENTRY_CHS_END        5
#define MBR_ENTRY_LBA_START      8  /* u32 */
#define MBR_ENTRY_SECTOR_COUNT   12 /* u32 */
#define MBR_SIGNATURE_OFFSET     510
#define MBR_SIGNATURE            0xAA55 /* bytes 0x55, 0xAA as a little-endian u16 */
#define MBR_SIGNATURE_0          0x55   /* byte 510 */
#define MBR_SIGNATURE_1          0xAA   /* byte 511 */
#define MBR_STATUS_ACTIVE        0x80
#define MBR_STATUS_INACTIVE      0x00

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct bootimg_header {
    char magic[BOOTIMG_MAGIC_LEN];     /*   0: BOOTIMG_MAGIC */
    uint16_t version;                  /*   8: BOOTIMG_VERSION */
    uint16_t header_size;              /*  10: BOOTIMG_SECTOR_SIZE */
    uint32_t stage2_lba;               /*  12: first sector, from partition start */
    uint32_t stage2_sectors;           /*  16 */
    uint32_t stage2_crc32;             /*  20: CRC-32 of all stage2_sectors sectors */
    uint32_t kernel_lba;               /*  24: first sector, from partition start */
    uint32_t kernel_bytes;             /*  28: size of the kernel ELF file */
    uint32_t kernel_crc32;             /*  32: CRC-32 of those kernel_bytes bytes */
    char cmdline[BOOTIMG_CMDLINE_MAX]; /* 36: kernel command line, NUL-terminated */
    uint32_t module_lba;               /* 164: first sector, from partition start; 0: none */
    uint32_t module_bytes;             /* 168: size of the module file; 0: no module */
    uint32_t module_crc32;             /* 172: CRC-32 of those module_bytes bytes */
    uint8_t reserved[511 - 176];
    uint8_t checksum; /* 511: makes the byte sum of the whole sector 0 (mod 256) */
} __attribute__((packed));

_Static_assert(sizeof(struct bootimg_header) == BOOTIMG_SECTOR_SIZE, "header is one sector");
_Static_assert(offsetof(struct bootimg_header, stage2_lba) == BOOTIMG_HEADER_STAGE2_LBA &&
                   offsetof(struct bootimg_header, stage2_sectors) == BOOTIMG_HEADER_STAGE2_SECTORS,
               "stage1.S reads these fields at these offsets");

enum bootimg_error {
    BOOTIMG_OK = 0,
    BOOTIMG_BAD_MAGIC,
    BOOTIMG_BAD_VERSION,
    BOOTIMG_BAD_CHECKSUM,
    BOOTIMG_BAD_LAYOUT, /* sizes/positions impossible (zero, overlapping, too large) */
};

/* Byte sum of the 512-byte header (0 for a valid one). */
uint8_t bootimg_byte_sum(const struct bootimg_header *h);
/* Set h->checksum so the byte sum becomes 0. */
void bootimg_seal(struct bootimg_header *h);
/* Check magic, version, checksum and that the layout is possible: stage 2 and
 * kernel non-empty, not overlapping the header or each other, stage 2 at most
 * BOOTIMG_STAGE2_MAX_SECTORS, the module (if any) after the kernel, cmdline
 * NUL-terminated. */
enum bootimg_error bootimg_check(const struct bootimg_header *h);
const char *bootimg_error_text(enum bootimg_error err);

#endif /* __ASSEMBLER__ */

#endif
