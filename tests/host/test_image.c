/*
 * test_image.c - host tests of the built build/keel.img: both partitions read back.
 *
 * The image that `make` built (beside this program: $(BUILD)/keel.img, or
 * $KEEL_IMG) is read back four ways: by tools/image_verify.c and
 * tools/fat_read.c, by `mkimage --check`, and by Debian's own tools, which
 * share no code with Keel's: `sfdisk --dump` for the partition table, mtools
 * (`mdir`, `mcopy` at the ESP's offset) for the FAT and its files, and
 * `fsck.fat -n` for the whole ESP. The files must be the ones the build put
 * there (kernel.stripped.elf, uefi/BOOTX64.EFI, boot/uefi/boot.cfg,
 * initrd.tar, which is also the BIOS partition's module). Then
 * damaged copies, one fault each, must be refused with the message naming
 * that fault, by image_verify and by `mkimage --check`. Last, what keeps the
 * BIOS loader fast under QEMU (boot/bios/addresses.h): no page of stage 2's
 * code takes a store, and the kernel file carries no ELF symbol table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boot/bios/addresses.h>
#include <elf.h>
#include <tools/image_verify.h>

#define SECTOR 512
#define MIB    (1024 * 1024)

struct file {
    uint8_t *data;
    size_t len;
};

/* $(BUILD)/name: next to the directory of this program ($(BUILD)/host). */
static const char *build_path(const char *name)
{
    static char paths[8][4096];
    static unsigned next;
    char *p = paths[next++ % 8];
    const char *img = getenv("KEEL_IMG");

    if (img != NULL && img[0] != '\0' && strcmp(name, "keel.img") == 0)
        return img;
    ssize_t len = readlink("/proc/self/exe", p, sizeof(paths[0]) - 64);
    assert_true(len > 0);
    p[len] = '\0';
    char *slash = strrchr(p, '/');
    assert_non_null(slash);
    snprintf(slash, 64, "/../%s", name);
    return p;
}

static struct file read_all(const char *path)
{
    struct file f = {0};
    FILE *in = fopen(path, "rb");
    if (in == NULL)
        fail_msg("cannot open %s (run make first)", path);
    fseek(in, 0, SEEK_END);
    f.len = (size_t)ftell(in);
    rewind(in);
    f.data = malloc(f.len + 1);
    assert_non_null(f.data);
    assert_int_equal(fread(f.data, 1, f.len, in), f.len);
    fclose(in);
    return f;
}

static void write_all(const char *path, const void *data, size_t len)
{
    FILE *out = fopen(path, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(data, 1, len, out), len);
    assert_int_equal(fclose(out), 0);
}

/* Run a shell command; its exit status, and its output in out (if not NULL). */
static int run(const char *cmd, char *out, size_t out_len)
{
    char line[512];
    size_t used = 0;
    FILE *p = popen(cmd, "r");

    assert_non_null(p);
    while (fgets(line, sizeof(line), p) != NULL) {
        size_t n = strlen(line);
        if (out != NULL && used + n < out_len) {
            memcpy(out + used, line, n);
            used += n;
        }
    }
    if (out != NULL)
        out[used] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static struct image_info verified(const struct file *img)
{
    struct image_info info;
    char why[256];

    if (image_verify(img->data, img->len, &info, why, sizeof(why)) != 0)
        fail_msg("%s: %s", build_path("keel.img"), why);
    return info;
}

/* The image as the build made it, through image_verify and fat_read. */
static void test_image_reads_back(void **state)
{
    (void)state;
    struct file img = read_all(build_path("keel.img"));
    struct file kernel = read_all(build_path("kernel.stripped.elf"));
    struct file loader = read_all(build_path("uefi/BOOTX64.EFI"));
    struct file config = read_all("boot/uefi/boot.cfg");
    struct file initrd = read_all(build_path("initrd.tar"));
    struct image_info info = verified(&img);
    struct fat_volume v;
    struct fat_entry e;

    assert_int_equal(info.bios.partition_index, 0);
    assert_int_equal(info.bios.partition_lba, 2048);
    assert_int_equal(info.esp_index, 1);
    assert_int_equal(info.esp_lba, info.bios.partition_lba + info.bios.partition_sectors);
    assert_int_equal(info.esp_lba % 2048, 0);
    assert_int_equal(img.len % MIB, 0);
    assert_int_equal(info.bios.header.kernel_bytes, kernel.len);
    assert_memory_equal(img.data + (info.bios.partition_lba + info.bios.header.kernel_lba) * SECTOR,
                        kernel.data, kernel.len);
    assert_int_equal(info.bios.header.module_bytes, initrd.len);
    assert_int_equal(info.initrd_bytes, initrd.len);
    assert_memory_equal(img.data + (info.bios.partition_lba + info.bios.header.module_lba) * SECTOR,
                        initrd.data, initrd.len);
    assert_int_equal(
        fat_open(&v, img.data + (size_t)info.esp_lba * SECTOR, (size_t)info.esp_sectors * SECTOR),
        FAT_OK);
    assert_int_equal(v.type, FAT16);
    const struct file *expected[] = {&loader, &kernel, &config, &initrd};
    const char *paths[] = {ESP_LOADER_PATH, ESP_KERNEL_PATH, ESP_CONFIG_PATH, ESP_INITRD_PATH};
    for (int i = 0; i < 4; i++) {
        uint8_t *buf = malloc(expected[i]->len);
        assert_int_equal(fat_lookup(&v, paths[i], &e), FAT_OK);
        assert_int_equal(e.size, expected[i]->len);
        assert_int_equal(fat_read_file(&v, &e, buf), FAT_OK);
        assert_memory_equal(buf, expected[i]->data, expected[i]->len);
        free(buf);
    }
    free(img.data);
    free(kernel.data);
    free(loader.data);
    free(config.data);
    free(initrd.data);
}

/* One partition line of `sfdisk --dump`: "... : start= S, size= N, type=T[, bootable]". */
static void sfdisk_partition(const char *dump, int number, unsigned *start, unsigned *size,
                             char type[8], int *bootable)
{
    char name[32];
    snprintf(name, sizeof(name), "keel.img%d :", number);
    const char *line = strstr(dump, name);
    assert_non_null(line);
    assert_int_equal(
        sscanf(strchr(line, ':') + 1, " start= %u, size= %u, type=%7[0-9a-f]", start, size, type),
        3);
    const char *end = strchr(line, '\n');
    const char *flag = strstr(line, "bootable");
    *bootable = flag != NULL && (end == NULL || flag < end);
}

/* Debian's tools see the same two partitions, the same FAT and the same files. */
static void test_debian_tools_agree(void **state)
{
    (void)state;
    const char *img = build_path("keel.img");
    char cmd[8192], out[8192], type[2][8];
    unsigned start[2], size[2];
    int bootable[2];

    snprintf(cmd, sizeof(cmd), "sfdisk --dump %s", img);
    assert_int_equal(run(cmd, out, sizeof(out)), 0);
    for (int i = 0; i < 2; i++)
        sfdisk_partition(out, i + 1, &start[i], &size[i], type[i], &bootable[i]);
    assert_null(strstr(out, "keel.img3"));
    assert_string_equal(type[0], "7f");
    assert_string_equal(type[1], "ef");
    assert_true(bootable[0] && !bootable[1]);
    assert_int_equal(start[0], 2048);
    assert_int_equal(start[1], start[0] + size[0]);
    assert_int_equal(start[1] % 2048, 0);

    unsigned long offset = (unsigned long)start[1] * SECTOR;
    snprintf(cmd, sizeof(cmd), "MTOOLS_SKIP_CHECK=1 mdir -b -/ -i %s@@%lu ::/", img, offset);
    assert_int_equal(run(cmd, out, sizeof(out)), 0);
    assert_non_null(strstr(out, "::/EFI/BOOT/BOOTX64.EFI"));
    assert_non_null(strstr(out, "::/KEEL/KERNEL.ELF"));
    assert_non_null(strstr(out, "::/KEEL/BOOT.CFG"));
    assert_non_null(strstr(out, "::/KEEL/INITRD.TAR"));

    char dir[] = "/tmp/keel-image-XXXXXX";
    assert_non_null(mkdtemp(dir));
    snprintf(cmd, sizeof(cmd),
             "MTOOLS_SKIP_CHECK=1 mcopy -n -i %s@@%lu ::/KEEL/KERNEL.ELF %s/kernel && "
             "cmp %s/kernel %s && dd if=%s of=%s/esp.img bs=512 skip=%u count=%u status=none && "
             "fsck.fat -n %s/esp.img",
             img, offset, dir, dir, build_path("kernel.stripped.elf"), img, dir, start[1], size[1],
             dir);
    int status = run(cmd, out, sizeof(out));
    if (status != 0)
        fail_msg("%s\n%s", cmd, out);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* ------------------------------------------------------------ damaged copies */

struct damage {
    const char *name;
    void (*apply)(uint8_t *img, size_t *len, const struct image_info *good);
    const char *message;
};

static uint8_t *entry(uint8_t *img, unsigned index)
{
    return img + 446 + 16 * index;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint8_t *esp(uint8_t *img, const struct image_info *good)
{
    return img + (size_t)good->esp_lba * SECTOR;
}

/* Where the ESP holds the first bytes of the build's file `name`. */
static uint8_t *esp_copy_of(uint8_t *img, const struct image_info *good, const char *name)
{
    struct file f = read_all(build_path(name));
    uint8_t *start = esp(img, good), *end = start + (size_t)good->esp_sectors * SECTOR;
    for (uint8_t *p = start; p + SECTOR <= end; p += SECTOR) { /* files start on a cluster */
        if (memcmp(p, f.data, SECTOR) == 0) {
            free(f.data);
            return p;
        }
    }
    fail_msg("%s not found on the ESP", name);
    return NULL;
}

static void esp_signature(uint8_t *img, size_t *len, const struct image_info *good)
{
    (void)len;
    esp(img, good)[510] = 0;
}

static void esp_type(uint8_t *img, size_t *len, const struct image_info *good)
{
    (void)len, (void)good;
    entry(img, 1)[4] = 0x0C; /* FAT32 with LBA: a data partition, not an ESP */
}

static void esp_active(uint8_t *img, size_t *len, const struct image_info *good)
{
    (void)len, (void)good;
    entry(img, 1)[0] = 0x80;
}

static void esp_overlaps(uint8_t *img, size_t *len, const struct image_info *good)
{
    (void)len, (void)good;
    put32(entry(img, 1) + 8, 2048);
}

static void esp_misaligned(uint8_t *img, size_t *len, const struct image_info *good)
{
    (void)len;
    put32(entry(img, 1) + 8, good->esp_lba + 1);
    put32(entry(img, 1) + 12, good->esp_sectors - 1);
}

static void esp_chs(uint8_t *img, size_t *len, const struct image_info *good)
{
    (void)len, (void)good;
    entry(img, 1)[5] ^= 1;
}

static void bios_chs(uint8_t *img, size_t *len, const struct image_info *good)
{
    (void)len, (void)good;
    entry(img, 0)[2] ^= 0x40; /* a cylinder bit */
}

static void third_entry(uint8_t *img, size_t *len, const struct image_info *good)
{
    (void)len, (void)good;
    entry(img, 2)[4] = 0x83;
}

static void esp_too_long(uint8_t *img, size_t *len, const struct image_info *good)
{
    (void)len;
    put32(entry(img, 1) + 12, good->esp_sectors + 2048);
}

static void truncated(uint8_t *img, size_t *len, const struct image_info *good)
{
    (void)img;
    *len = (size_t)good->esp_lba * SECTOR + MIB;
}

static void fat_total_sectors(uint8_t *img, size_t *len, const struct image_info *good)
{
    (void)len;
    uint8_t *bpb = esp(img, good);
    bpb[19] = (uint8_t)(good->esp_sectors - 1); /* TotSec16 */
    bpb[20] = (uint8_t)((good->esp_sectors - 1) >> 8);
}

static void fat_hidden_sectors(uint8_t *img, size_t *len, const struct image_info *good)
{
    (void)len;
    put32(esp(img, good) + 28, 0);
}

static void esp_kernel_byte(uint8_t *img, size_t *len, const struct image_info *good)
{
    (void)len;
    esp_copy_of(img, good, "kernel.stripped.elf")[1000] ^= 0xFF;
}

static void esp_initrd_byte(uint8_t *img, size_t *len, const struct image_info *good)
{
    (void)len;
    esp_copy_of(img, good, "initrd.tar")[0] ^= 0xFF;
}

/* The BIOS partition's copy of the ramdisk, its CRC-32 no longer the header's. */
static void bios_initrd_byte(uint8_t *img, size_t *len, const struct image_info *good)
{
    (void)len;
    const struct bootimg_header *h = &good->bios.header;
    img[((size_t)good->bios.partition_lba + h->module_lba) * SECTOR + h->module_bytes / 2] ^= 0x01;
}

static void loader_not_pe(uint8_t *img, size_t *len, const struct image_info *good)
{
    (void)len;
    esp_copy_of(img, good, "uefi/BOOTX64.EFI")[0] = 'X';
}

static void no_config(uint8_t *img, size_t *len, const struct image_info *good)
{
    char path[] = "/tmp/keel-image-XXXXXX", cmd[4200];
    int fd = mkstemp(path);

    assert_true(fd >= 0);
    close(fd);
    write_all(path, img, *len);
    snprintf(cmd, sizeof(cmd), "MTOOLS_SKIP_CHECK=1 mdel -i %s@@%lu ::/KEEL/BOOT.CFG", path,
             (unsigned long)good->esp_lba * SECTOR);
    assert_int_equal(system(cmd), 0);
    struct file f = read_all(path);
    assert_int_equal(f.len, *len);
    memcpy(img, f.data, f.len);
    free(f.data);
    unlink(path);
}

static const struct damage damages[] = {
    {"esp-signature", esp_signature,
     "EFI System Partition: not a valid FAT volume: no boot sector"},
    {"esp-type", esp_type, "no EFI System Partition (type 0xEF) in the MBR"},
    {"esp-active", esp_active, "2 active partitions in the MBR"},
    {"esp-overlaps", esp_overlaps, "overlaps the BIOS partition"},
    {"esp-misaligned", esp_misaligned, "EFI System partition at LBA"},
    {"esp-chs", esp_chs, "EFI System partition's CHS fields do not match"},
    {"bios-chs", bios_chs, "BIOS partition's CHS fields do not match"},
    {"third-entry", third_entry, "partition entry 2 is neither"},
    {"esp-too-long", esp_too_long, "runs past the end of the image"},
    {"truncated", truncated, "runs past the end of the image"},
    {"fat-total-sectors", fat_total_sectors, "sectors in a partition of"},
    {"fat-hidden-sectors", fat_hidden_sectors, "BPB hidden sectors 0"},
    {"esp-kernel-byte", esp_kernel_byte, "/KEEL/KERNEL.ELF (" /* ... differs */},
    {"esp-initrd-byte", esp_initrd_byte, "/KEEL/INITRD.TAR (" /* ... differs */},
    {"bios-initrd-byte", bios_initrd_byte, "ramdisk CRC-32 mismatch"},
    {"loader-not-pe", loader_not_pe, "/EFI/BOOT/BOOTX64.EFI is not a PE32+ x86-64 executable"},
    {"no-config", no_config, "/KEEL/BOOT.CFG: no such file or directory"},
};

/* Each damaged copy is refused by image_verify with its message; and by
 * `mkimage --check` with the same one and status 1. */
static void test_damaged_copies_refused(void **state)
{
    (void)state;
    struct file img = read_all(build_path("keel.img"));
    struct image_info good = verified(&img);
    char why[256], path[] = "/tmp/keel-damaged-XXXXXX", cmd[4200], out[1024];
    int fd = mkstemp(path);

    assert_true(fd >= 0);
    close(fd);
    for (size_t i = 0; i < sizeof(damages) / sizeof(damages[0]); i++) {
        const struct damage *d = &damages[i];
        uint8_t *copy = malloc(img.len);
        size_t len = img.len;
        memcpy(copy, img.data, img.len);
        d->apply(copy, &len, &good);
        int result = image_verify(copy, len, NULL, why, sizeof(why));
        if (result != -1 || strstr(why, d->message) == NULL)
            fail_msg("%s: result %d, \"%s\", expected \"%s\"", d->name, result, why, d->message);
        if (d->name[0] == 'e' || d->name[0] == 'n') { /* some of them through the binary too */
            write_all(path, copy, len);
            snprintf(cmd, sizeof(cmd), "%s --check %s 2>&1", build_path("host/mkimage"), path);
            assert_int_equal(run(cmd, out, sizeof(out)), 1);
            if (strstr(out, d->message) == NULL)
                fail_msg("%s: mkimage said \"%s\"", d->name, out);
        }
        free(copy);
    }
    snprintf(cmd, sizeof(cmd), "%s --check %s 2>&1", build_path("host/mkimage"),
             build_path("keel.img"));
    assert_int_equal(run(cmd, out, sizeof(out)), 0);
    assert_non_null(strstr(out, "ok: EFI System Partition 1 at LBA"));
    unlink(path);
    free(img.data);
}

/* mkimage refuses an ESP that is no FAT volume, and one whose kernel is not
 * the --kernel file (here: the unstripped kernel beside the stripped ESP). */
static void test_mkimage_refuses_bad_esp(void **state)
{
    (void)state;
    char cmd[8192], out[1024], dir[] = "/tmp/keel-image-XXXXXX";
    const char *cases[][2] = {
        {"kernel.elf", "is not a valid FAT volume"},
        {"esp.img", "differs from the BIOS partition's kernel"},
    };

    assert_non_null(mkdtemp(dir));
    for (int i = 0; i < 2; i++) {
        snprintf(cmd, sizeof(cmd),
                 "%s -o %s/keel.img --stage1 %s --stage2 %s --kernel %s --esp %s 2>&1",
                 build_path("host/mkimage"), dir, build_path("bios/stage1.bin"),
                 build_path("bios/stage2.bin"), build_path("kernel.elf"), build_path(cases[i][0]));
        assert_int_equal(run(cmd, out, sizeof(out)), 1);
        if (strstr(out, cases[i][1]) == NULL)
            fail_msg("mkimage said \"%s\", expected \"%s\"", out, cases[i][1]);
        snprintf(cmd, sizeof(cmd), "%s/keel.img", dir);
        assert_int_not_equal(access(cmd, F_OK), 0); /* nothing written */
    }
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* Pages [first, last] that an allocated section of an ELF file covers. */
static void section_pages(const Elf32_Shdr *sh, uint32_t *first, uint32_t *last)
{
    *first = sh->sh_addr / PAGE_SIZE;
    *last = (sh->sh_addr + (sh->sh_size ? sh->sh_size : 1) - 1) / PAGE_SIZE;
}

/* A store into a page holding code that has run takes QEMU's slow path: stage 2's
 * writable sections and the stack must share no page with code. */
static void test_stage2_stores_miss_code_pages(void **state)
{
    (void)state;
    struct file elf = read_all(build_path("bios/stage2.elf"));
    const Elf32_Ehdr *eh = (const Elf32_Ehdr *)elf.data;
    assert_true(elf.len >= sizeof(*eh) && memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0);
    assert_true(eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf32_Shdr) <= elf.len);
    const Elf32_Shdr *sh = (const Elf32_Shdr *)(elf.data + eh->e_shoff);
    unsigned writable = 0;

    for (unsigned w = 0; w < eh->e_shnum; w++) {
        if ((sh[w].sh_flags & (SHF_ALLOC | SHF_WRITE)) != (SHF_ALLOC | SHF_WRITE))
            continue;
        writable++;
        uint32_t w_first, w_last;
        section_pages(&sh[w], &w_first, &w_last);
        for (unsigned x = 0; x < eh->e_shnum; x++) {
            if (!(sh[x].sh_flags & SHF_EXECINSTR))
                continue;
            uint32_t x_first, x_last;
            section_pages(&sh[x], &x_first, &x_last);
            if (w_first <= x_last && x_first <= w_last)
                fail_msg("stage 2: a writable section at %#x shares a page with code at %#x",
                         (unsigned)sh[w].sh_addr, (unsigned)sh[x].sh_addr);
        }
    }
    assert_true(writable > 0); /* .bss at least: the check saw the sections */
    assert_true(LOADER_STACK_TOP % PAGE_SIZE == 0 && LOADER_STACK_TOP <= STAGE1_ADDR);
    free(elf.data);
}

/* The loaders read the whole kernel file; the ELF symbol table is dead weight (the
 * kernel's own table for backtraces is in .rodata). */
static void test_kernel_file_has_no_symbol_table(void **state)
{
    (void)state;
    struct file elf = read_all(build_path("kernel.stripped.elf"));
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf.data;
    assert_true(elf.len >= sizeof(*eh) && memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0);
    assert_true(eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) <= elf.len);
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(elf.data + eh->e_shoff);
    for (unsigned i = 0; i < eh->e_shnum; i++)
        assert_int_not_equal(sh[i].sh_type, SHT_SYMTAB);
    free(elf.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_reads_back),
        cmocka_unit_test(test_debian_tools_agree),
        cmocka_unit_test(test_damaged_copies_refused),
        cmocka_unit_test(test_mkimage_refuses_bad_esp),
        cmocka_unit_test(test_stage2_stores_miss_code_pages),
        cmocka_unit_test(test_kernel_file_has_no_symbol_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
