/*
 * fat_read.c - reading files from a FAT12/16/32 volume in memory (see fat_read.h).
 *
 * fat_open checks the BPB before anything trusts it: every region it
 * describes must fit in the bytes given, and the FAT must have an entry for
 * every cluster, so afterwards a cluster number in 2 .. cluster_count + 1
 * always names bytes that exist and a FAT entry that exists. Chains are
 * walked with a bound (the cluster count, or what the file's size needs), so
 * a loop in a damaged FAT ends in an error, never in a hang.
 *
 * Byte offsets in the boot sector (FAT specification, section 3):
 *   0 BS_jmpBoot (EB xx 90 or E9 xx xx), 11 BytsPerSec u16, 13 SecPerClus,
 *   14 RsvdSecCnt u16, 16 NumFATs, 17 RootEntCnt u16, 19 TotSec16 u16,
 *   22 FATSz16 u16, 28 HiddSec u32, 32 TotSec32 u32; FAT32 only:
 *   36 FATSz32 u32, 44 RootClus u32. 510: 0x55 0xAA.
 */
#include <tools/fat_read.h>
#include <tools/verify_common.h>

#include <string.h>

#define BOOT_SECTOR_SIZE   512
#define SIGNATURE_OFFSET   510
#define JMP_SHORT          0xEB /* EB xx 90: short jump and NOP */
#define JMP_NOP            0x90
#define JMP_NEAR           0xE9
#define MAX_CLUSTER_BYTES  (32 * 1024) /* the specification's limit for compatibility */
#define FAT12_MAX_CLUSTERS 4085        /* fewer clusters than this: FAT12 (section 3.5) */
#define FAT16_MAX_CLUSTERS 65525       /* fewer than this: FAT16, else FAT32 */
#define FIRST_CLUSTER      2           /* cluster numbers 0 and 1 are reserved */

/* FAT entry values at or above these mark the end of a chain (section 4); the
 * "bad cluster" marks just below them are past any valid cluster number. */
#define FAT12_END  0xFF8u
#define FAT16_END  0xFFF8u
#define FAT32_END  0x0FFFFFF8u
#define FAT32_MASK 0x0FFFFFFFu /* the top 4 bits of a FAT32 entry are reserved */

/* Directory entries (section 6). */
#define DIR_ENTRY_SIZE 32
#define DIR_NAME_LEN   11 /* 8 + 3, blank-padded, no dot */
#define DIR_ATTR       11
#define DIR_FIRST_HI   20
#define DIR_FIRST_LO   26
#define DIR_SIZE       28
#define ATTR_VOLUME_ID 0x08
#define ATTR_DIRECTORY 0x10
#define ATTR_LONG_NAME 0x0F /* read-only, hidden, system and volume id together */
#define NAME_END       0x00 /* this and all later entries are free */
#define NAME_FREE      0xE5
#define NAME_KANJI_E5  0x05 /* stands for a first byte of 0xE5 */

static bool power_of_two(uint32_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

static uint32_t fat_bytes_needed(enum fat_type type, uint32_t entries)
{
    return type == FAT12 ? (entries * 3 + 1) / 2 : entries * (type == FAT16 ? 2u : 4u);
}

/* The fields every FAT type shares; the caller checks what depends on the type. */
static enum fat_error read_bpb(struct fat_volume *v, const uint8_t *b)
{
    v->bytes_per_sector = le16(b + 11);
    v->sectors_per_cluster = b[13];
    v->reserved_sectors = le16(b + 14);
    v->fat_count = b[16];
    v->root_entries = le16(b + 17);
    v->total_sectors = le16(b + 19) ? le16(b + 19) : le32(b + 32);
    v->fat_sectors = le16(b + 22) ? le16(b + 22) : le32(b + 36);
    v->hidden_sectors = le32(b + 28);
    if (v->bytes_per_sector < 512 || v->bytes_per_sector > 4096 ||
        !power_of_two(v->bytes_per_sector))
        return FAT_BAD_SECTOR_SIZE;
    if (!power_of_two(v->sectors_per_cluster) ||
        v->sectors_per_cluster * v->bytes_per_sector > MAX_CLUSTER_BYTES)
        return FAT_BAD_CLUSTER_SIZE;
    if (v->reserved_sectors == 0 || v->fat_count == 0 || v->fat_sectors == 0 ||
        v->total_sectors == 0 || (v->root_entries * DIR_ENTRY_SIZE) % v->bytes_per_sector != 0)
        return FAT_BAD_GEOMETRY;
    return FAT_OK;
}

enum fat_error fat_open(struct fat_volume *v, const uint8_t *data, size_t len)
{
    memset(v, 0, sizeof(*v));
    v->data = data;
    v->len = len;
    if (len < BOOT_SECTOR_SIZE || data[SIGNATURE_OFFSET] != 0x55 ||
        data[SIGNATURE_OFFSET + 1] != 0xAA)
        return FAT_NO_SIGNATURE;
    if (!(data[0] == JMP_SHORT && data[2] == JMP_NOP) && data[0] != JMP_NEAR)
        return FAT_BAD_JUMP;
    enum fat_error err = read_bpb(v, data);
    if (err != FAT_OK)
        return err;

    uint64_t root_sectors = (uint64_t)v->root_entries * DIR_ENTRY_SIZE / v->bytes_per_sector;
    uint64_t first_data =
        v->reserved_sectors + (uint64_t)v->fat_count * v->fat_sectors + root_sectors;
    if (first_data >= v->total_sectors)
        return FAT_BAD_GEOMETRY;
    if ((uint64_t)v->total_sectors * v->bytes_per_sector > len)
        return FAT_TRUNCATED;
    v->root_sector = (uint32_t)(first_data - root_sectors);
    v->first_data_sector = (uint32_t)first_data;
    v->cluster_count = (uint32_t)((v->total_sectors - first_data) / v->sectors_per_cluster);
    v->type = v->cluster_count < FAT12_MAX_CLUSTERS   ? FAT12
              : v->cluster_count < FAT16_MAX_CLUSTERS ? FAT16
                                                      : FAT32;
    /* FAT32 has its root directory in clusters, FAT12/16 in a region of its own. */
    if ((v->type == FAT32) != (v->root_entries == 0) || v->cluster_count == 0)
        return FAT_BAD_GEOMETRY;
    if (v->type == FAT32) {
        v->root_cluster = le32(data + 44);
        if (v->root_cluster < FIRST_CLUSTER || v->root_cluster >= v->cluster_count + FIRST_CLUSTER)
            return FAT_BAD_GEOMETRY;
    }
    if (fat_bytes_needed(v->type, v->cluster_count + FIRST_CLUSTER) >
        (uint64_t)v->fat_sectors * v->bytes_per_sector)
        return FAT_FAT_TOO_SMALL;
    return FAT_OK;
}

/* The FAT entry of `cluster` in the first FAT (fat_open made sure it exists). */
static uint32_t fat_next(const struct fat_volume *v, uint32_t cluster)
{
    const uint8_t *fat = v->data + (size_t)v->reserved_sectors * v->bytes_per_sector;

    switch (v->type) {
    case FAT12: {
        uint32_t pair = le16(fat + cluster + cluster / 2); /* 12 bits in these 2 bytes */
        return cluster & 1 ? pair >> 4 : pair & 0xFFF;
    }
    case FAT16:
        return le16(fat + 2 * (size_t)cluster);
    case FAT32:
        return le32(fat + 4 * (size_t)cluster) & FAT32_MASK;
    }
    return 0;
}

static bool chain_end(const struct fat_volume *v, uint32_t value)
{
    return value >= (v->type == FAT12 ? FAT12_END : v->type == FAT16 ? FAT16_END : FAT32_END);
}

/* A cluster with data: not free (0), reserved (1), bad, an end mark or past the last one. */
static bool cluster_valid(const struct fat_volume *v, uint32_t cluster)
{
    return cluster >= FIRST_CLUSTER && cluster < v->cluster_count + FIRST_CLUSTER;
}

static uint32_t cluster_bytes(const struct fat_volume *v)
{
    return v->sectors_per_cluster * v->bytes_per_sector;
}

static const uint8_t *cluster_data(const struct fat_volume *v, uint32_t cluster)
{
    uint64_t sector =
        v->first_data_sector + (uint64_t)(cluster - FIRST_CLUSTER) * v->sectors_per_cluster;
    return v->data + sector * v->bytes_per_sector;
}

/* Turn one path part into its 11-byte directory form ("BOOT.CFG" ->
 * "BOOT    CFG"); false if it is no valid 8.3 name. */
static bool to_short_name(const char *part, size_t len, char name[DIR_NAME_LEN])
{
    size_t pos = 0, limit = 8;

    memset(name, ' ', DIR_NAME_LEN);
    if (len == 0 || part[0] == '.')
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)part[i];
        if (c == '.' && limit == 8) {
            pos = 8;
            limit = DIR_NAME_LEN;
            continue;
        }
        if (c <= ' ' || c >= 0x7F || strchr("\"*+,./:;<=>?[]|", c) != NULL || pos == limit)
            return false;
        name[pos++] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    return true;
}

/* Look for `name` among `count` directory entries at p: 1 found (into out),
 * 0 not among them, -1 the end marker was reached. */
static int scan_entries(const uint8_t *p, size_t count, const char name[DIR_NAME_LEN],
                        struct fat_entry *out)
{
    for (size_t i = 0; i < count; i++, p += DIR_ENTRY_SIZE) {
        uint8_t first = p[0] == NAME_KANJI_E5 ? NAME_FREE : p[0];
        if (p[0] == NAME_END)
            return -1;
        if (p[0] == NAME_FREE || (p[DIR_ATTR] & ATTR_LONG_NAME) == ATTR_LONG_NAME ||
            (p[DIR_ATTR] & ATTR_VOLUME_ID))
            continue;
        if ((uint8_t)name[0] != first || memcmp(p + 1, name + 1, DIR_NAME_LEN - 1) != 0)
            continue;
        out->first_cluster = le16(p + DIR_FIRST_HI) << 16 | le16(p + DIR_FIRST_LO);
        out->is_directory = (p[DIR_ATTR] & ATTR_DIRECTORY) != 0;
        out->size = out->is_directory ? 0 : le32(p + DIR_SIZE);
        return 1;
    }
    return 0;
}

/* Find `name` in the directory `dir`: the fixed root (FAT12/16, first cluster
 * 0) or a cluster chain of at most cluster_count clusters. */
static enum fat_error find_in(const struct fat_volume *v, const struct fat_entry *dir,
                              const char name[DIR_NAME_LEN], struct fat_entry *out)
{
    if (dir->first_cluster == 0 && v->type != FAT32) {
        const uint8_t *root = v->data + (size_t)v->root_sector * v->bytes_per_sector;
        return scan_entries(root, v->root_entries, name, out) == 1 ? FAT_OK : FAT_NOT_FOUND;
    }
    uint32_t cluster = dir->first_cluster;
    for (uint32_t walked = 0; walked < v->cluster_count; walked++) {
        if (!cluster_valid(v, cluster))
            return FAT_BAD_CLUSTER;
        int found =
            scan_entries(cluster_data(v, cluster), cluster_bytes(v) / DIR_ENTRY_SIZE, name, out);
        if (found != 0)
            return found == 1 ? FAT_OK : FAT_NOT_FOUND;
        cluster = fat_next(v, cluster);
        if (chain_end(v, cluster))
            return FAT_NOT_FOUND;
    }
    return FAT_CHAIN_TOO_LONG;
}

enum fat_error fat_lookup(const struct fat_volume *v, const char *path, struct fat_entry *out)
{
    struct fat_entry current = {
        .first_cluster = v->type == FAT32 ? v->root_cluster : 0,
        .is_directory = true,
    };

    if (path[0] != '/' && path[0] != '\\')
        return FAT_BAD_PATH;
    for (const char *p = path; *p != '\0';) {
        while (*p == '/' || *p == '\\')
            p++;
        size_t len = strcspn(p, "/\\");
        if (len == 0)
            break;
        char name[DIR_NAME_LEN];
        if (!to_short_name(p, len, name))
            return FAT_BAD_PATH;
        if (!current.is_directory)
            return FAT_NOT_A_DIRECTORY;
        enum fat_error err = find_in(v, &current, name, &current);
        if (err != FAT_OK)
            return err;
        p += len;
    }
    *out = current;
    return FAT_OK;
}

enum fat_error fat_read_file(const struct fat_volume *v, const struct fat_entry *e, uint8_t *buf)
{
    uint32_t unit = cluster_bytes(v);
    uint32_t needed = (uint32_t)(((uint64_t)e->size + unit - 1) / unit);
    uint32_t cluster = e->first_cluster;

    if (e->is_directory)
        return FAT_IS_A_DIRECTORY;
    if (needed == 0)
        return cluster == 0 ? FAT_OK : FAT_CHAIN_TOO_LONG;
    for (uint32_t i = 0; i < needed; i++) {
        if (!cluster_valid(v, cluster))
            return FAT_BAD_CLUSTER;
        uint32_t offset = i * unit;
        uint32_t part = e->size - offset < unit ? e->size - offset : unit;
        memcpy(buf + offset, cluster_data(v, cluster), part);
        uint32_t next = fat_next(v, cluster);
        if (i + 1 == needed)
            return chain_end(v, next) ? FAT_OK : FAT_CHAIN_TOO_LONG;
        if (chain_end(v, next))
            return FAT_CHAIN_TOO_SHORT;
        cluster = next;
    }
    return FAT_OK;
}

const char *fat_error_text(enum fat_error err)
{
    switch (err) {
    case FAT_OK:
        return "ok";
    case FAT_NO_SIGNATURE:
        return "no boot sector signature 0x55AA";
    case FAT_BAD_JUMP:
        return "the boot sector does not start with a jump (EB xx 90 or E9)";
    case FAT_BAD_SECTOR_SIZE:
        return "bytes per sector is not 512, 1024, 2048 or 4096";
    case FAT_BAD_CLUSTER_SIZE:
        return "sectors per cluster is not a power of two up to 32 KiB";
    case FAT_BAD_GEOMETRY:
        return "impossible BPB geometry (reserved sectors, FATs, root directory, total sectors)";
    case FAT_TRUNCATED:
        return "the BPB's total sectors run past the end of the volume";
    case FAT_FAT_TOO_SMALL:
        return "the FAT is too small for the volume's clusters";
    case FAT_BAD_PATH:
        return "not an absolute path of 8.3 names";
    case FAT_NOT_FOUND:
        return "no such file or directory";
    case FAT_NOT_A_DIRECTORY:
        return "a part of the path is not a directory";
    case FAT_IS_A_DIRECTORY:
        return "is a directory";
    case FAT_BAD_CLUSTER:
        return "a cluster chain leads to a free, bad or out-of-range cluster";
    case FAT_CHAIN_TOO_LONG:
        return "the cluster chain is longer than the file size needs (or loops)";
    case FAT_CHAIN_TOO_SHORT:
        return "the cluster chain ends before the file size is reached";
    }
    return "unknown error";
}
