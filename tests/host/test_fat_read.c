/*
 * test_fat_read.c - host tests for tools/fat_read.c on FAT volumes made by mtools.
 *
 * Every volume is made here by Debian's mtools (mformat, mmd, mcopy, mdel) in
 * a temporary directory, so the reader is checked against another program's
 * idea of FAT, not its own: FAT12, FAT16 and FAT32, nested directories, empty
 * and fragmented files. The expected bytes are the files given to mcopy; the
 * cluster chains damaged in the second half are the ones `mshowfat` reports.
 * Each damaged copy must be refused with its own error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tools/fat_read.h>

#define SECTOR      512
#define BIG_BYTES   (9 * SECTOR + 100) /* 10 clusters of one sector, the last one partly used */
#define SMALL_BYTES 1300

struct volume {
    char dir[256];
    uint8_t *data;
    size_t len;
    uint8_t big[BIG_BYTES], small[SMALL_BYTES];
};

/* Deterministic pseudo-random bytes (a 32-bit LCG, Numerical Recipes constants). */
static void fill_random(uint8_t *p, size_t len, uint32_t seed)
{
    for (size_t i = 0; i < len; i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = (uint8_t)(seed >> 24);
    }
}

static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void shell(const struct volume *vol, const char *commands)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "cd %s && export MTOOLS_SKIP_CHECK=1 && %s", vol->dir, commands);
    if (system(cmd) != 0)
        fail_msg("command failed: %s", cmd);
}

static void load(struct volume *vol)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/vol.img", vol->dir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    vol->len = (size_t)ftell(f);
    rewind(f);
    free(vol->data);
    vol->data = malloc(vol->len);
    assert_non_null(vol->data);
    assert_int_equal(fread(vol->data, 1, vol->len, f), vol->len);
    fclose(f);
}

/* A volume of `sectors` sectors (mformat's extra options in `format`) with
 * /SMALL.TXT, /EMPTY.DAT and /DIR/SUB/BIG.BIN, BIG.BIN fragmented: it is
 * copied after a 3-cluster file was deleted, so it fills that gap first. */
static struct volume *make_volume(unsigned sectors, const char *format)
{
    struct volume *vol = calloc(1, sizeof(*vol));
    char cmd[1024];

    assert_non_null(vol);
    snprintf(vol->dir, sizeof(vol->dir), "/tmp/keel-fat-XXXXXX");
    assert_non_null(mkdtemp(vol->dir));
    fill_random(vol->big, sizeof(vol->big), 1);
    fill_random(vol->small, sizeof(vol->small), 2);
    write_file(vol->dir, "big.bin", vol->big, sizeof(vol->big));
    write_file(vol->dir, "small.txt", vol->small, sizeof(vol->small));
    write_file(vol->dir, "gap.bin", vol->big, 3 * SECTOR);
    write_file(vol->dir, "empty.dat", "", 0);
    snprintf(cmd, sizeof(cmd),
             "mformat -i vol.img -C -T %u -h 16 -s 32 %s :: && mcopy -i vol.img gap.bin ::/GAP.BIN"
             " && mcopy -i vol.img small.txt ::/SMALL.TXT && mdel -i vol.img ::/GAP.BIN"
             " && mmd -i vol.img ::/DIR ::/DIR/SUB && mcopy -i vol.img big.bin ::/DIR/SUB/BIG.BIN"
             " && mcopy -i vol.img empty.dat ::/EMPTY.DAT",
             sectors, format);
    shell(vol, cmd);
    load(vol);
    return vol;
}

static void free_volume(struct volume *vol)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", vol->dir);
    assert_int_equal(system(cmd), 0);
    free(vol->data);
    free(vol);
}

static void expect_file(const struct fat_volume *v, const char *path, const uint8_t *bytes,
                        size_t len)
{
    struct fat_entry e;
    uint8_t *buf = malloc(len + 1);

    assert_non_null(buf);
    assert_int_equal(fat_lookup(v, path, &e), FAT_OK);
    assert_false(e.is_directory);
    assert_int_equal(e.size, len);
    assert_int_equal(fat_read_file(v, &e, buf), FAT_OK);
    assert_memory_equal(buf, bytes, len);
    free(buf);
}

/* Open, check the type and size, and read every file back. */
static void check_volume(struct volume *vol, enum fat_type type, unsigned sectors)
{
    struct fat_volume v;
    struct fat_entry e;

    assert_int_equal(fat_open(&v, vol->data, vol->len), FAT_OK);
    assert_int_equal(v.type, type);
    assert_int_equal(v.bytes_per_sector, SECTOR);
    assert_int_equal(v.total_sectors, sectors);
    expect_file(&v, "/SMALL.TXT", vol->small, SMALL_BYTES);
    expect_file(&v, "/dir/sub/big.bin", vol->big, BIG_BYTES); /* any case */
    expect_file(&v, "\\DIR\\SUB\\BIG.BIN", vol->big, BIG_BYTES);
    expect_file(&v, "/EMPTY.DAT", NULL, 0);
    assert_int_equal(fat_lookup(&v, "/DIR/SUB", &e), FAT_OK);
    assert_true(e.is_directory);
    assert_int_equal(fat_read_file(&v, &e, NULL), FAT_IS_A_DIRECTORY);
    assert_int_equal(fat_lookup(&v, "/", &e), FAT_OK);
    assert_true(e.is_directory);
    assert_int_equal(fat_lookup(&v, "/GAP.BIN", &e), FAT_NOT_FOUND); /* deleted */
    assert_int_equal(fat_lookup(&v, "/DIR/NONE.TXT", &e), FAT_NOT_FOUND);
    assert_int_equal(fat_lookup(&v, "/SMALL.TXT/X", &e), FAT_NOT_A_DIRECTORY);
    assert_int_equal(fat_lookup(&v, "SMALL.TXT", &e), FAT_BAD_PATH);
    assert_int_equal(fat_lookup(&v, "/TOOLONGNAME.TXT", &e), FAT_BAD_PATH);
    assert_int_equal(fat_lookup(&v, "/SMALL.TEXT", &e), FAT_BAD_PATH);
}

static void test_fat12(void **state)
{
    (void)state;
    struct volume *vol = make_volume(2880, "-c 1"); /* 2847 clusters: FAT12 */
    check_volume(vol, FAT12, 2880);
    free_volume(vol);
}

static void test_fat16(void **state)
{
    (void)state;
    struct volume *vol = make_volume(16384, "-c 1"); /* about 16200 clusters: FAT16 */
    check_volume(vol, FAT16, 16384);
    free_volume(vol);
}

static void test_fat32(void **state)
{
    (void)state;
    struct volume *vol = make_volume(69632, "-F -c 1"); /* about 68000 clusters: FAT32 */
    check_volume(vol, FAT32, 69632);
    free_volume(vol);
}

/* Two sectors per cluster: BIG.BIN's 10 sectors are 5 clusters. */
static void test_larger_clusters(void **state)
{
    (void)state;
    struct volume *vol = make_volume(16384, "-c 2");
    struct fat_volume v;
    assert_int_equal(fat_open(&v, vol->data, vol->len), FAT_OK);
    assert_int_equal(v.sectors_per_cluster, 2);
    check_volume(vol, v.type, 16384);
    free_volume(vol);
}

/* ------------------------------------------------------------ damaged copies */

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v);
    put16(p + 2, v >> 16);
}

/* fat_open on a copy of the volume with one byte set to `value`. */
static enum fat_error open_with_byte(const struct volume *vol, size_t offset, uint8_t value)
{
    struct fat_volume v;
    uint8_t *copy = malloc(vol->len);
    assert_non_null(copy);
    memcpy(copy, vol->data, vol->len);
    copy[offset] = value;
    enum fat_error err = fat_open(&v, copy, vol->len);
    free(copy);
    return err;
}

static void test_damaged_boot_sector(void **state)
{
    (void)state;
    struct volume *vol = make_volume(16384, "-c 1");
    struct fat_volume v;

    assert_int_equal(open_with_byte(vol, 510, 0), FAT_NO_SIGNATURE);
    assert_int_equal(open_with_byte(vol, 511, 0x55), FAT_NO_SIGNATURE);
    assert_int_equal(open_with_byte(vol, 0, 0), FAT_BAD_JUMP);
    assert_int_equal(open_with_byte(vol, 12, 0), FAT_BAD_SECTOR_SIZE);    /* 512 -> 0 */
    assert_int_equal(open_with_byte(vol, 11, 1), FAT_BAD_SECTOR_SIZE);    /* 513 */
    assert_int_equal(open_with_byte(vol, 12, 0x20), FAT_BAD_SECTOR_SIZE); /* 8192 */
    assert_int_equal(open_with_byte(vol, 13, 3), FAT_BAD_CLUSTER_SIZE);
    assert_int_equal(open_with_byte(vol, 13, 0), FAT_BAD_CLUSTER_SIZE);
    assert_int_equal(open_with_byte(vol, 13, 128), FAT_BAD_CLUSTER_SIZE); /* 64 KiB */
    assert_int_equal(open_with_byte(vol, 14, 0), FAT_BAD_GEOMETRY);       /* no reserved */
    assert_int_equal(open_with_byte(vol, 16, 0), FAT_BAD_GEOMETRY);       /* no FAT */
    assert_int_equal(open_with_byte(vol, 17, 0x11), FAT_BAD_GEOMETRY); /* root not whole sectors */
    assert_int_equal(open_with_byte(vol, 22, 1), FAT_FAT_TOO_SMALL);   /* FATSz16 64 -> 1 */
    assert_int_equal(open_with_byte(vol, 20, 0x80), FAT_TRUNCATED);    /* TotSec16 16384 -> 32768 */
    assert_int_equal(fat_open(&v, vol->data, vol->len - SECTOR), FAT_TRUNCATED);
    assert_int_equal(fat_open(&v, vol->data, 511), FAT_NO_SIGNATURE);
    /* TotSec16 0 means "see TotSec32": 0 there too is no volume at all. */
    uint8_t *copy = malloc(vol->len);
    assert_non_null(copy);
    memcpy(copy, vol->data, vol->len);
    put16(copy + 19, 0);
    put32(copy + 32, 0);
    assert_int_equal(fat_open(&v, copy, vol->len), FAT_BAD_GEOMETRY);
    put32(copy + 32, 16384); /* the same size, the 32-bit way */
    assert_int_equal(fat_open(&v, copy, vol->len), FAT_OK);
    assert_int_equal(v.total_sectors, 16384);
    free(copy);
    free_volume(vol);
}

/* The clusters of a file as `mshowfat` lists them ("::/X <2-4><9-15>"). */
static size_t chain_of(const struct volume *vol, const char *path, uint32_t *out, size_t max)
{
    char cmd[1024], line[1024];
    size_t n = 0;

    snprintf(cmd, sizeof(cmd), "cd %s && MTOOLS_SKIP_CHECK=1 mshowfat -i vol.img %s", vol->dir,
             path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(line, sizeof(line), p));
    pclose(p);
    for (char *run = strchr(line, '<'); run != NULL; run = strchr(run + 1, '<')) {
        unsigned first, last;
        int fields = sscanf(run, "<%u-%u>", &first, &last);
        assert_true(fields >= 1);
        for (uint32_t c = first; c <= (fields == 2 ? last : first) && n < max; c++)
            out[n++] = c;
    }
    return n;
}

/* Set FAT16 entry `cluster` to `value` in both FATs of a copy, then read BIG.BIN. */
static enum fat_error read_big_with_entry(const struct volume *vol, uint32_t cluster,
                                          uint32_t value)
{
    struct fat_volume v;
    struct fat_entry e;
    uint8_t *copy = malloc(vol->len), buf[BIG_BYTES];

    assert_non_null(copy);
    memcpy(copy, vol->data, vol->len);
    assert_int_equal(fat_open(&v, copy, vol->len), FAT_OK);
    for (uint32_t f = 0; f < v.fat_count; f++) {
        size_t fat = ((size_t)v.reserved_sectors + (size_t)f * v.fat_sectors) * SECTOR;
        put16(copy + fat + 2 * cluster, value);
    }
    assert_int_equal(fat_lookup(&v, "/DIR/SUB/BIG.BIN", &e), FAT_OK);
    enum fat_error err = fat_read_file(&v, &e, buf);
    free(copy);
    return err;
}

static void test_damaged_chains(void **state)
{
    (void)state;
    struct volume *vol = make_volume(16384, "-c 1");
    uint32_t chain[16];

    size_t n = chain_of(vol, "::/DIR/SUB/BIG.BIN", chain, 16);
    assert_int_equal(n, 10);
    size_t jumps = 0;
    for (size_t i = 0; i + 1 < n; i++)
        jumps += chain[i + 1] != chain[i] + 1;
    assert_true(jumps > 0); /* fragmented: what is left of the gap, then further on */
    assert_int_equal(read_big_with_entry(vol, chain[0], chain[1]), FAT_OK);   /* as it was */
    assert_int_equal(read_big_with_entry(vol, chain[4], 0), FAT_BAD_CLUSTER); /* a free cluster */
    assert_int_equal(read_big_with_entry(vol, chain[4], 1), FAT_BAD_CLUSTER); /* reserved */
    assert_int_equal(read_big_with_entry(vol, chain[4], 0xFFF7), FAT_BAD_CLUSTER); /* bad mark */
    assert_int_equal(read_big_with_entry(vol, chain[4], 0xF000),
                     FAT_BAD_CLUSTER); /* past the end */
    assert_int_equal(read_big_with_entry(vol, chain[4], 0xFFFF), FAT_CHAIN_TOO_SHORT);
    assert_int_equal(read_big_with_entry(vol, chain[9], chain[0]), FAT_CHAIN_TOO_LONG); /* loop */
    assert_int_equal(read_big_with_entry(vol, chain[9], chain[9]), FAT_CHAIN_TOO_LONG);
    free_volume(vol);
}

/* A directory whose chain loops must end the lookup, not hang it. */
static void test_directory_loop(void **state)
{
    (void)state;
    struct volume *vol = make_volume(16384, "-c 1");
    uint32_t chain[4];
    struct fat_volume v;
    struct fat_entry e;

    assert_int_equal(chain_of(vol, "::/DIR", chain, 4), 1);
    assert_int_equal(fat_open(&v, vol->data, vol->len), FAT_OK);
    size_t fat = (size_t)v.reserved_sectors * SECTOR;
    put16(vol->data + fat + 2 * chain[0], chain[0]); /* DIR's cluster is followed by itself */
    /* SUB is found in the first cluster; a missing name walks the loop to its bound. */
    assert_int_equal(fat_lookup(&v, "/DIR/SUB", &e), FAT_OK);
    /* Entries 3..15 (after ".", ".." and SUB) marked free: no end marker in the cluster. */
    memset(vol->data + (size_t)(v.first_data_sector + chain[0] - 2) * SECTOR + 3 * 32, 0xE5,
           (SECTOR / 32 - 3) * 32);
    assert_int_equal(fat_lookup(&v, "/DIR/NONE", &e), FAT_CHAIN_TOO_LONG);
    free_volume(vol);
}

static void test_error_texts(void **state)
{
    (void)state;
    for (int a = FAT_OK; a <= FAT_CHAIN_TOO_SHORT; a++) {
        assert_string_not_equal(fat_error_text(a), "unknown error");
        for (int b = a + 1; b <= FAT_CHAIN_TOO_SHORT; b++)
            assert_string_not_equal(fat_error_text(a), fat_error_text(b));
    }
    assert_string_equal(fat_error_text((enum fat_error)99), "unknown error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fat12),
        cmocka_unit_test(test_fat16),
        cmocka_unit_test(test_fat32),
        cmocka_unit_test(test_larger_clusters),
        cmocka_unit_test(test_damaged_boot_sector),
        cmocka_unit_test(test_damaged_chains),
        cmocka_unit_test(test_directory_loop),
        cmocka_unit_test(test_error_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
