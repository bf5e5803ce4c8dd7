/*
 * mkimage.c - build or check build/keel.img, Keel's disk image for BIOS and UEFI (host tool).
 *
 *   mkimage -o OUT --stage1 STAGE1 --stage2 STAGE2 --kernel KERNEL --esp ESP [--initrd FILE]
 *           [--cmdline TEXT]
 *   mkimage --check IMAGE
 *
 * The layout is the one in boot/bios/bootimg.h:
 *   LBA 0            stage 1 (512 bytes, its partition table filled in here)
 *   LBA 1 .. 2047    zeros
 *   LBA 2048         partition 1, active, type 0x7F, the BIOS partition:
 *     +0             struct bootimg_header
 *     +1             stage 2, padded with zeros to whole sectors
 *     +kernel_lba    the kernel ELF file; kernel_lba is the first sector after
 *                    stage 2 rounded up to a multiple of KERNEL_ALIGN_SECTORS
 *                    (4 KiB; the partition itself is 1 MiB aligned) so the
 *                    kernel starts on a physical-sector boundary of 4K-sector
 *                    disks. It costs at most 7 sectors.
 *     +module_lba    with --initrd, the ramdisk FILE (the boot header's
 *                    module), from the next 4 KiB boundary after the kernel.
 *                    The partition ends at the next whole MiB.
 *   then             partition 2, type 0xEF, the EFI System Partition: the
 *                    FAT volume ESP as it is (the Makefile makes it with
 *                    mtools), its BPB's hidden-sector count set here to the
 *                    partition's start. Padded to a whole MiB.
 * mkimage copies the FAT volume rather than making it: building a file system
 * is mtools' job, and a tool that only places bytes stays easy to test. What
 * it does check, as `--check` does, is the result (tools/image_verify.c): the
 * ESP must hold /EFI/BOOT/BOOTX64.EFI, /KEEL/BOOT.CFG and a /KEEL/KERNEL.ELF
 * equal to KERNEL, and, with --initrd, a /KEEL/INITRD.TAR equal to FILE. The
 * image is a whole number of MiB: dd and USB writers, and QEMU's guess of a
 * disk geometry, all like whole-MiB disks.
 *
 * Every image written is checked with image_verify before it replaces the
 * output file, and it is written to OUT.tmp and renamed, so a failed run
 * never leaves a half-written image behind for make to trust.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/crc32.h>
#include <tools/bootimg_verify.h>
#include <tools/image_verify.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "mkimage writes struct bootimg_header as it is in memory: it needs a little-endian host"
#endif

#define SECTOR               BOOTIMG_SECTOR_SIZE
#define MIB_SECTORS          (1024 * 1024 / SECTOR)
#define KERNEL_ALIGN_SECTORS 8 /* 4 KiB: the physical sector of "4Kn"/"512e" disks */
#define FILE_MAX             (256u * 1024 * 1024) /* far beyond any Keel kernel; keeps sums 32-bit */
#define ELF_MAGIC            "\177ELF"            /* ELF specification, e_ident[EI_MAG0..3] */
#define ELF_MAGIC_LEN        4
#define FAT_BPB_HIDDEN_SECTORS                                                                     \
    28 /* u32: sectors before the volume (FAT specification, BPB_HiddSec) */

struct blob {
    uint8_t *data;
    size_t len;
};

/* What an image is made of, each file as read. */
struct inputs {
    struct blob stage1, stage2, kernel, esp, initrd; /* initrd.len 0: none */
};

struct build_args {
    const char *output, *stage1, *stage2, *kernel, *esp, *initrd, *cmdline;
};

static void usage(FILE *out)
{
    fprintf(out, "usage: mkimage -o OUT --stage1 STAGE1 --stage2 STAGE2 --kernel KERNEL --esp ESP"
                 " [--initrd FILE] [--cmdline TEXT]\n"
                 "       mkimage --check IMAGE\n");
}

/* Read a whole file (at most FILE_MAX bytes) into out->data (malloc'ed, freed
 * by the caller even on failure). On failure, say why and return false. */
static bool read_file(const char *path, struct blob *out)
{
    FILE *f = fopen(path, "rb");
    size_t capacity = 0;

    if (f == NULL) {
        fprintf(stderr, "mkimage: %s: %s\n", path, strerror(errno));
        return false;
    }
    out->len = 0;
    for (;;) {
        if (out->len == capacity) {
            if (capacity > FILE_MAX)
                break; /* FILE_MAX + 1 bytes read: too large */
            capacity = capacity ? 2 * capacity : 64 * 1024;
            capacity = capacity > FILE_MAX ? FILE_MAX + 1 : capacity;
            uint8_t *grown = realloc(out->data, capacity);
            if (grown == NULL)
                break;
            out->data = grown;
        }
        size_t got = fread(out->data + out->len, 1, capacity - out->len, f);
        out->len += got;
        if (got == 0)
            break;
    }
    bool ok = feof(f) && !ferror(f);
    if (!ok)
        fprintf(stderr, "mkimage: %s: %s\n", path,
                out->len > FILE_MAX ? "file too large"
                : ferror(f)         ? "read error"
                                    : "out of memory");
    fclose(f);
    return ok;
}

static bool all_zero(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] != 0)
            return false;
    }
    return true;
}

/* Stage 1 is a finished boot sector whose partition table we fill in: it must
 * be exactly one sector, signed, with the table area left empty. */
static bool check_stage1(const char *path, const struct blob *b)
{
    const char *problem = NULL;

    if (b->len != SECTOR)
        problem = "the wrong size, it must be exactly 512 bytes";
    else if (b->data[MBR_SIGNATURE_OFFSET] != MBR_SIGNATURE_0 ||
             b->data[MBR_SIGNATURE_OFFSET + 1] != MBR_SIGNATURE_1)
        problem = "no boot signature 0x55AA at offset 510";
    else if (!all_zero(b->data + MBR_PARTITION_TABLE, MBR_SIGNATURE_OFFSET - MBR_PARTITION_TABLE))
        problem = "a partition table area (bytes 446..509) that is not all zero";
    if (problem != NULL)
        fprintf(stderr, "mkimage: stage 1 has %s: %s (%zu bytes)\n", problem, path, b->len);
    return problem == NULL;
}

static bool check_stage2(const char *path, const struct blob *b)
{
    if (b->len > 0 && b->len <= (size_t)BOOTIMG_STAGE2_MAX_SECTORS * SECTOR)
        return true;
    fprintf(stderr, "mkimage: stage 2 %s is %zu bytes; it must be 1..%d bytes (%d sectors)\n", path,
            b->len, BOOTIMG_STAGE2_MAX_SECTORS * SECTOR, BOOTIMG_STAGE2_MAX_SECTORS);
    return false;
}

static bool check_kernel(const char *path, const struct blob *b)
{
    if (b->len >= ELF_MAGIC_LEN && memcmp(b->data, ELF_MAGIC, ELF_MAGIC_LEN) == 0)
        return true;
    fprintf(stderr, "mkimage: kernel %s is not an ELF file (no \\x7fELF at its start)\n", path);
    return false;
}

/* The ESP must be a FAT volume of whole 512-byte sectors that fills its file;
 * what it holds is checked with the finished image. */
static bool check_esp(const char *path, const struct blob *b)
{
    struct fat_volume v;
    enum fat_error err = fat_open(&v, b->data, b->len);

    if (err != FAT_OK)
        fprintf(stderr, "mkimage: ESP %s is not a valid FAT volume: %s\n", path,
                fat_error_text(err));
    else if (b->len % SECTOR != 0 || v.bytes_per_sector != SECTOR ||
             (uint64_t)v.total_sectors * SECTOR != b->len)
        fprintf(stderr,
                "mkimage: ESP %s: %zu bytes, a FAT volume of %u sectors of %u bytes; "
                "it must be a volume of 512-byte sectors that fills its file\n",
                path, b->len, v.total_sectors, v.bytes_per_sector);
    else
        return true;
    return false;
}

static uint32_t sectors_for(size_t bytes)
{
    return (uint32_t)((bytes + SECTOR - 1) / SECTOR);
}

static uint32_t round_up(uint32_t value, uint32_t multiple)
{
    return (value + multiple - 1) / multiple * multiple;
}

static void put_le32(uint8_t *p, uint32_t value)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(value >> (8 * i));
}

/* Fill MBR partition entry `index`: status, type, from `first` for `count` sectors. */
static void put_partition(uint8_t *mbr, unsigned index, uint8_t status, uint8_t type,
                          uint32_t first, uint32_t count)
{
    uint8_t *entry = mbr + MBR_PARTITION_TABLE + index * MBR_PARTITION_ENTRY_SIZE;

    entry[MBR_ENTRY_STATUS] = status;
    mbr_chs(first, entry + MBR_ENTRY_CHS_START);
    entry[MBR_ENTRY_TYPE] = type;
    mbr_chs(first + count - 1, entry + MBR_ENTRY_CHS_END);
    put_le32(entry + MBR_ENTRY_LBA_START, first);
    put_le32(entry + MBR_ENTRY_SECTOR_COUNT, count);
}

/* Bytes of stage 1 code in use: up to its last non-zero byte before the table. */
static size_t stage1_used(const struct blob *stage1)
{
    size_t used = MBR_PARTITION_TABLE;

    while (used > 0 && stage1->data[used - 1] == 0)
        used--;
    return used;
}

/* The boot header for stage 2, the kernel and the module, all but stage 2's CRC-32. */
static void lay_out_header(const struct build_args *args, const struct inputs *in,
                           struct bootimg_header *h)
{
    const struct blob *stage2 = &in->stage2, *kernel = &in->kernel, *initrd = &in->initrd;

    memset(h, 0, sizeof(*h));
    memcpy(h->magic, BOOTIMG_MAGIC, BOOTIMG_MAGIC_LEN);
    h->version = BOOTIMG_VERSION;
    h->header_size = SECTOR;
    h->stage2_lba = 1;
    h->stage2_sectors = sectors_for(stage2->len);
    h->kernel_lba = round_up(h->stage2_lba + h->stage2_sectors, KERNEL_ALIGN_SECTORS);
    h->kernel_bytes = (uint32_t)kernel->len;
    h->kernel_crc32 = crc32_update(0, kernel->data, kernel->len);
    strcpy(h->cmdline, args->cmdline); /* length checked by the caller */
    if (initrd->len > 0) {
        h->module_lba = round_up(h->kernel_lba + sectors_for(kernel->len), KERNEL_ALIGN_SECTORS);
        h->module_bytes = (uint32_t)initrd->len;
        h->module_crc32 = crc32_update(0, initrd->data, initrd->len);
    }
}

/* One past the last sector of the BIOS partition's contents, from its start. */
static uint32_t contents_end(const struct bootimg_header *h)
{
    if (h->module_bytes > 0)
        return h->module_lba + sectors_for(h->module_bytes);
    return h->kernel_lba + sectors_for(h->kernel_bytes);
}

/* Lay out and assemble the image in memory; *image is calloc'ed. */
static bool assemble(const struct build_args *args, const struct inputs *in, struct blob *image)
{
    struct bootimg_header h;

    lay_out_header(args, in, &h);
    uint32_t bios_end = round_up(BOOTIMG_PARTITION_LBA + contents_end(&h), MIB_SECTORS);
    uint32_t esp_lba = bios_end, esp_sectors = sectors_for(in->esp.len);
    uint32_t total = round_up(esp_lba + esp_sectors, MIB_SECTORS);
    image->len = (size_t)total * SECTOR;
    image->data = calloc(total, SECTOR);
    if (image->data == NULL) {
        fprintf(stderr, "mkimage: out of memory for a %zu-byte image\n", image->len);
        return false;
    }

    uint8_t *partition = image->data + (size_t)BOOTIMG_PARTITION_LBA * SECTOR;
    uint8_t *esp = image->data + (size_t)esp_lba * SECTOR;
    memcpy(image->data, in->stage1.data, SECTOR);
    put_partition(image->data, 0, MBR_STATUS_ACTIVE, BOOTIMG_PARTITION_TYPE, BOOTIMG_PARTITION_LBA,
                  bios_end - BOOTIMG_PARTITION_LBA);
    put_partition(image->data, 1, MBR_STATUS_INACTIVE, ESP_PARTITION_TYPE, esp_lba, esp_sectors);
    memcpy(partition + (size_t)h.stage2_lba * SECTOR, in->stage2.data, in->stage2.len);
    memcpy(partition + (size_t)h.kernel_lba * SECTOR, in->kernel.data, in->kernel.len);
    if (in->initrd.len > 0)
        memcpy(partition + (size_t)h.module_lba * SECTOR, in->initrd.data, in->initrd.len);
    memcpy(esp, in->esp.data, in->esp.len);
    put_le32(esp + FAT_BPB_HIDDEN_SECTORS, esp_lba);
    /* Stage 2's CRC covers its zero padding too: stage 1 loads whole sectors. */
    h.stage2_crc32 = crc32_update(0, partition + (size_t)h.stage2_lba * SECTOR,
                                  (size_t)h.stage2_sectors * SECTOR);
    bootimg_seal(&h);
    memcpy(partition, &h, sizeof(h));
    return true;
}

/* Write data to path through path.tmp and a rename, so path is either the old
 * file or the complete new one. */
static bool write_file(const char *path, const struct blob *b)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
        fprintf(stderr, "mkimage: %s: path too long\n", path);
        return false;
    }
    FILE *f = fopen(tmp, "wb");
    bool ok = f != NULL && fwrite(b->data, 1, b->len, f) == b->len;
    if (f != NULL && fclose(f) != 0)
        ok = false;
    if (ok && rename(tmp, path) == 0)
        return true;
    fprintf(stderr, "mkimage: cannot write %s: %s\n", path, strerror(errno));
    remove(tmp);
    return false;
}

static void free_inputs(struct inputs *in)
{
    free(in->stage1.data);
    free(in->stage2.data);
    free(in->kernel.data);
    free(in->esp.data);
    free(in->initrd.data);
}

/* The ramdisk, when one is given: any non-empty file (a size of 0 in the
 * header means there is none). */
static bool read_initrd(const char *path, struct blob *b)
{
    if (path == NULL)
        return true;
    if (!read_file(path, b))
        return false;
    if (b->len > 0)
        return true;
    fprintf(stderr, "mkimage: ramdisk %s is empty\n", path);
    return false;
}

static int build(const struct build_args *args)
{
    struct inputs in = {0};
    struct blob image = {0};
    char why[256];
    int status = 1;

    if (strlen(args->cmdline) >= BOOTIMG_CMDLINE_MAX) {
        fprintf(stderr, "mkimage: command line is %zu bytes; at most %d fit\n",
                strlen(args->cmdline), BOOTIMG_CMDLINE_MAX - 1);
        return 1;
    }
    if (!read_file(args->stage1, &in.stage1) || !check_stage1(args->stage1, &in.stage1) ||
        !read_file(args->stage2, &in.stage2) || !check_stage2(args->stage2, &in.stage2) ||
        !read_file(args->kernel, &in.kernel) || !check_kernel(args->kernel, &in.kernel) ||
        !read_file(args->esp, &in.esp) || !check_esp(args->esp, &in.esp) ||
        !read_initrd(args->initrd, &in.initrd) || !assemble(args, &in, &image))
        goto out;
    if (image_verify(image.data, image.len, NULL, why, sizeof(why)) != 0) {
        fprintf(stderr, "mkimage: %s: the image would fail its check: %s\n", args->output, why);
        goto out;
    }
    if (!write_file(args->output, &image))
        goto out;
    printf("mkimage: %s: stage 1 %zu/%d bytes, stage 2 %zu bytes (%u sectors), "
           "kernel %zu bytes (%u sectors), ramdisk %zu bytes (%u sectors), ESP %zu KiB, "
           "image %zu bytes (%zu MiB)\n",
           args->output, stage1_used(&in.stage1), MBR_PARTITION_TABLE, in.stage2.len,
           sectors_for(in.stage2.len), in.kernel.len, sectors_for(in.kernel.len), in.initrd.len,
           sectors_for(in.initrd.len), in.esp.len / 1024, image.len,
           image.len / (MIB_SECTORS * SECTOR));
    status = 0;
out:
    free_inputs(&in);
    free(image.data);
    return status;
}

static int check(const char *path)
{
    struct blob image = {0};
    struct image_info info;
    char why[256];

    if (!read_file(path, &image)) {
        free(image.data);
        return 1;
    }
    bool sound = image_verify(image.data, image.len, &info, why, sizeof(why)) == 0;
    free(image.data);
    if (!sound) {
        fprintf(stderr, "mkimage: %s: %s\n", path, why);
        return 1;
    }
    const struct bootimg_header *h = &info.bios.header;
    printf("%s: ok: active partition %u at LBA %u, %u sectors; stage 2 %u sectors at +%u "
           "(CRC-32 0x%08X); kernel %u bytes at +%u (CRC-32 0x%08X); ramdisk %u bytes at +%u "
           "(CRC-32 0x%08X); cmdline \"%s\"\n",
           path, info.bios.partition_index, info.bios.partition_lba, info.bios.partition_sectors,
           h->stage2_sectors, h->stage2_lba, h->stage2_crc32, h->kernel_bytes, h->kernel_lba,
           h->kernel_crc32, h->module_bytes, h->module_lba, h->module_crc32, h->cmdline);
    printf("%s: ok: EFI System Partition %u at LBA %u, %u sectors, FAT%d with %u-byte clusters; "
           "%s %u bytes, %s %u bytes (the same kernel), %s %u bytes\n",
           path, info.esp_index, info.esp_lba, info.esp_sectors, (int)info.esp_fat,
           info.esp_cluster_bytes, ESP_LOADER_PATH, info.loader_bytes, ESP_KERNEL_PATH,
           info.kernel_bytes, ESP_CONFIG_PATH, info.config_bytes);
    if (h->module_bytes > 0)
        printf("%s: ok: %s %u bytes on the ESP, the same ramdisk\n", path, ESP_INITRD_PATH,
               info.initrd_bytes);
    return 0;
}

/* Parse "--option value" pairs; returns false (after a message) on anything else. */
static bool parse_args(int argc, char **argv, struct build_args *args, const char **check_path)
{
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        const char **slot = !strcmp(opt, "-o")          ? &args->output
                            : !strcmp(opt, "--stage1")  ? &args->stage1
                            : !strcmp(opt, "--stage2")  ? &args->stage2
                            : !strcmp(opt, "--kernel")  ? &args->kernel
                            : !strcmp(opt, "--esp")     ? &args->esp
                            : !strcmp(opt, "--initrd")  ? &args->initrd
                            : !strcmp(opt, "--cmdline") ? &args->cmdline
                            : !strcmp(opt, "--check")   ? check_path
                                                        : NULL;
        if (slot == NULL) {
            fprintf(stderr, "mkimage: unknown option %s\n", opt);
            return false;
        }
        if (++i == argc) {
            fprintf(stderr, "mkimage: %s needs a value\n", opt);
            return false;
        }
        *slot = argv[i];
    }
    return true;
}

int main(int argc, char **argv)
{
    struct build_args args = {0};
    const char *check_path = NULL;

    if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage(stdout);
        return 0;
    }
    if (!parse_args(argc, argv, &args, &check_path)) {
        usage(stderr);
        return 2;
    }
    bool building = args.output || args.stage1 || args.stage2 || args.kernel || args.esp ||
                    args.initrd || args.cmdline;
    if (check_path != NULL && !building)
        return check(check_path);
    if (check_path == NULL && args.output && args.stage1 && args.stage2 && args.kernel &&
        args.esp) {
        if (args.cmdline == NULL)
            args.cmdline = "";
        return build(&args);
    }
    fprintf(stderr, "mkimage: give either -o, --stage1, --stage2, --kernel and --esp (--initrd and "
                    "--cmdline if wanted), or --check alone\n");
    usage(stderr);
    return 2;
}
