/*
 * fat_read.h - reading files from a FAT12/16/32 volume held in memory (host only).
 *
 * Used by `mkimage --check` to look inside keel.img's EFI System Partition,
 * and by tests/host/test_fat_read.c. Read-only and pure: the caller passes
 * the volume's bytes, nothing is written or allocated, and every position
 * taken from the volume is checked against its length before it is read.
 *
 * Facts from Microsoft's "FAT: General Overview of On-Disk Format" (v1.03):
 *   - the boot sector holds the BIOS Parameter Block (BPB) and ends in 0x55AA;
 *   - the volume is: reserved sectors, NumFATs copies of the FAT, the root
 *     directory (FAT12/16 only: RootEntCnt entries of 32 bytes), then the
 *     data area of clusters numbered from 2;
 *   - the FAT type follows from the count of data clusters alone: below 4085
 *     FAT12, below 65525 FAT16, else FAT32;
 *   - a directory entry is 32 bytes: an 8.3 name (11 bytes, blank-padded),
 *     attributes, the first cluster (high and low 16 bits) and the size.
 * Only short (8.3) names are looked up; long-name entries are skipped.
 */
#ifndef KEEL_TOOLS_FAT_READ_H
#define KEEL_TOOLS_FAT_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fat_type { FAT12 = 12, FAT16 = 16, FAT32 = 32 };

/* The volume's geometry, from its BPB, in sectors from the volume's start. */
struct fat_volume {
    const uint8_t *data;
    size_t len;
    enum fat_type type;
    uint32_t bytes_per_sector;
    uint32_t sectors_per_cluster;
    uint32_t reserved_sectors;
    uint32_t fat_count;
    uint32_t fat_sectors;   /* of one FAT */
    uint32_t root_entries;  /* FAT12/16: size of the fixed root directory */
    uint32_t total_sectors; /* of the whole volume */
    uint32_t hidden_sectors;
    uint32_t root_sector;       /* FAT12/16: first sector of the fixed root directory */
    uint32_t first_data_sector; /* cluster 2 */
    uint32_t cluster_count;     /* data clusters: numbers 2 .. cluster_count + 1 */
    uint32_t root_cluster;      /* FAT32: first cluster of the root directory */
};

/* A file or directory found by fat_lookup. */
struct fat_entry {
    uint32_t first_cluster; /* 0 for an empty file (and the FAT12/16 root) */
    uint32_t size;          /* bytes; 0 for directories */
    bool is_directory;
};

enum fat_error {
    FAT_OK = 0,
    FAT_NO_SIGNATURE,    /* no 0x55AA at the end of the boot sector */
    FAT_BAD_JUMP,        /* the boot sector does not start with a jump instruction */
    FAT_BAD_SECTOR_SIZE, /* bytes per sector not 512, 1024, 2048 or 4096 */
    FAT_BAD_CLUSTER_SIZE,
    FAT_BAD_GEOMETRY,  /* reserved sectors, FAT count or FAT size zero, regions past the end */
    FAT_TRUNCATED,     /* the BPB's total sectors do not fit in the bytes given */
    FAT_FAT_TOO_SMALL, /* the FAT has fewer entries than there are clusters */
    FAT_BAD_PATH,      /* not absolute, or a part that is no 8.3 name */
    FAT_NOT_FOUND,
    FAT_NOT_A_DIRECTORY, /* a part of the path before the last one is a file */
    FAT_IS_A_DIRECTORY,  /* fat_read_file on a directory */
    FAT_BAD_CLUSTER,     /* a chain leads to a free, reserved, bad or out-of-range cluster */
    FAT_CHAIN_TOO_LONG,  /* more clusters than the size needs (or a loop) */
    FAT_CHAIN_TOO_SHORT, /* the chain ends before the size is reached */
};

/* Parse and check the boot sector of the volume data[0..len). */
enum fat_error fat_open(struct fat_volume *v, const uint8_t *data, size_t len);

/* Find an absolute path such as "/EFI/BOOT/BOOTX64.EFI" (case-insensitive,
 * '/' or '\\' between the parts; "/" is the root directory). */
enum fat_error fat_lookup(const struct fat_volume *v, const char *path, struct fat_entry *out);

/* Copy a file's bytes to buf (at least e->size bytes), following its cluster
 * chain, which must be exactly as long as the size needs. */
enum fat_error fat_read_file(const struct fat_volume *v, const struct fat_entry *e, uint8_t *buf);

const char *fat_error_text(enum fat_error err);

#endif
