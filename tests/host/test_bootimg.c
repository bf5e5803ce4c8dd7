/*
 * test_bootimg.c - host tests for boot/bios/bootimg.c, tools/bootimg_verify.c and tools/mkimage.
 *
 * Expected values never come from the code under test: CRC-32s are published
 * check values, values computed once with zlib (Python's zlib.crc32), or a
 * bit-by-bit reference written here from the polynomial's definition
 * (MSB-first 0x04C11DB7 on bit-reversed bytes, not the reflected shortcut
 * boot/bios/bootimg.c uses); checksums are summed here; images for
 * bootimg_verify_image are assembled here, field by field. The last group
 * runs the mkimage binary (path in $MKIMAGE, default build/host/mkimage;
 * skipped if it is not there) in a temporary directory, with an EFI System
 * Partition made by mtools (the ESP's own checks: tests/host/test_image.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boot/bios/bootimg.h>
#include <lib/crc32.h>

#include <tools/bootimg_verify.h>

#define SECTOR BOOTIMG_SECTOR_SIZE

/* ------------------------------------------------------------ references */

static uint32_t reflect(uint32_t value, int bits)
{
    uint32_t out = 0;

    for (int i = 0; i < bits; i++)
        out |= ((value >> i) & 1u) << (bits - 1 - i);
    return out;
}

/* CRC-32 from its definition: polynomial x^32 + x^26 + ... + 1 (0x04C11DB7),
 * register preset to all ones, each byte fed least significant bit first,
 * result bit-reversed and inverted. */
static uint32_t reference_crc32(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t reg = 0xFFFFFFFFu;

    for (size_t i = 0; i < len; i++) {
        uint32_t byte = reflect(p[i], 8);
        for (int bit = 7; bit >= 0; bit--) {
            uint32_t feedback = (reg >> 31) ^ ((byte >> bit) & 1u);
            reg <<= 1;
            if (feedback)
                reg ^= 0x04C11DB7u;
        }
    }
    return reflect(reg, 32) ^ 0xFFFFFFFFu;
}

/* Byte sum and seal written here, not taken from boot/bios/bootimg.c. */
static unsigned test_sum(const struct bootimg_header *h)
{
    const uint8_t *p = (const uint8_t *)h;
    unsigned sum = 0;

    for (size_t i = 0; i < SECTOR; i++)
        sum += p[i];
    return sum % 256;
}

static void test_seal(struct bootimg_header *h)
{
    h->checksum = 0;
    h->checksum = (uint8_t)((256 - test_sum(h)) % 256);
}

/* Deterministic pseudo-random bytes (a 32-bit LCG, Numerical Recipes constants). */
static void fill_random(uint8_t *p, size_t len, uint32_t seed)
{
    for (size_t i = 0; i < len; i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = (uint8_t)(seed >> 24);
    }
}

/* ------------------------------------------------------------ CRC-32 */

static void test_crc32_check_value(void **state)
{
    (void)state;
    assert_int_equal(reference_crc32("123456789", 9), 0xCBF43926u); /* the reference itself */
    assert_int_equal(crc32_update(0, "123456789", 9), 0xCBF43926u);
}

static void test_crc32_empty(void **state)
{
    (void)state;
    assert_int_equal(crc32_update(0, NULL, 0), 0);
    assert_int_equal(crc32_update(0, "", 0), 0);
    /* Continuing with nothing leaves any value as it is. */
    assert_int_equal(crc32_update(0xCBF43926u, "x", 0), 0xCBF43926u);
    assert_int_equal(crc32_update(0x12345678u, NULL, 0), 0x12345678u);
}

static void test_crc32_known_values(void **state)
{
    static uint8_t zeros[32], ones[32], counting[256];
    /* Values from zlib's crc32 (Python: zlib.crc32(data)). */
    const struct {
        const void *data;
        size_t len;
        uint32_t crc;
    } cases[] = {
        {"a", 1, 0xE8B7BE43u},
        {"The quick brown fox jumps over the lazy dog", 43, 0x414FA339u},
        {zeros, sizeof(zeros), 0x190A55ADu},
        {ones, sizeof(ones), 0xFF6CAB0Bu},
        {counting, sizeof(counting), 0x29058C73u},
    };

    (void)state;
    memset(ones, 0xFF, sizeof(ones));
    for (size_t i = 0; i < sizeof(counting); i++)
        counting[i] = (uint8_t)i;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(reference_crc32(cases[i].data, cases[i].len), cases[i].crc);
        assert_int_equal(crc32_update(0, cases[i].data, cases[i].len), cases[i].crc);
    }
}

/* Random contents, every length up to 600 and several alignments. */
static void test_crc32_matches_reference(void **state)
{
    static uint8_t buffer[608];

    (void)state;
    fill_random(buffer, sizeof(buffer), 42);
    for (size_t len = 0; len <= 600; len++) {
        size_t offset = len % 8;
        uint32_t expected = reference_crc32(buffer + offset, len);
        if (crc32_update(0, buffer + offset, len) != expected)
            print_error("length %zu offset %zu\n", len, offset);
        assert_int_equal(crc32_update(0, buffer + offset, len), expected);
    }
}

static void test_crc32_chunked_equals_whole(void **state)
{
    static uint8_t buffer[300];

    (void)state;
    fill_random(buffer, sizeof(buffer), 7);
    uint32_t whole = reference_crc32(buffer, sizeof(buffer));
    for (size_t split = 0; split <= sizeof(buffer); split++) {
        uint32_t crc = crc32_update(0, buffer, split);
        crc = crc32_update(crc, buffer + split, sizeof(buffer) - split);
        assert_int_equal(crc, whole);
    }
    uint32_t crc = 0;
    for (size_t i = 0; i < sizeof(buffer); i++)
        crc = crc32_update(crc, buffer + i, 1);
    assert_int_equal(crc, whole);
}

/* ------------------------------------------------------------ byte sum and seal */

static void test_byte_sum_of_zero_header(void **state)
{
    struct bootimg_header h;

    (void)state;
    memset(&h, 0, sizeof(h));
    assert_int_equal(bootimg_byte_sum(&h), 0);
}

static void test_byte_sum_counts_every_byte(void **state)
{
    struct bootimg_header h;

    (void)state;
    for (size_t i = 0; i < SECTOR; i++) {
        memset(&h, 0, sizeof(h));
        ((uint8_t *)&h)[i] = 1;
        assert_int_equal(bootimg_byte_sum(&h), 1);
    }
    /* 'K'+'E'+'E'+'L'+'B'+'O'+'O'+'T' = 597 = 2 * 256 + 85 */
    memset(&h, 0, sizeof(h));
    memcpy(h.magic, "KEELBOOT", 8);
    assert_int_equal(bootimg_byte_sum(&h), 85);
    /* 512 bytes of 0xFF: 512 * 255 = 130560 = 510 * 256, so 0 modulo 256 */
    memset(&h, 0xFF, sizeof(h));
    assert_int_equal(bootimg_byte_sum(&h), 0);
    h.checksum = 0xFE; /* one less */
    assert_int_equal(bootimg_byte_sum(&h), 255);
}

static void test_seal_sets_checksum(void **state)
{
    struct bootimg_header h;

    (void)state;
    memset(&h, 0, sizeof(h));
    memcpy(h.magic, "KEELBOOT", 8);
    h.checksum = 0x77; /* whatever was there before must not count */
    bootimg_seal(&h);
    assert_int_equal(h.checksum, 256 - 85);
    assert_int_equal(test_sum(&h), 0);
    bootimg_seal(&h); /* sealing a sealed header changes nothing */
    assert_int_equal(h.checksum, 256 - 85);

    memset(&h, 0, sizeof(h));
    bootimg_seal(&h);
    assert_int_equal(h.checksum, 0);
}

static void test_seal_random_headers(void **state)
{
    struct bootimg_header h;

    (void)state;
    for (uint32_t seed = 1; seed <= 200; seed++) {
        fill_random((uint8_t *)&h, sizeof(h), seed);
        bootimg_seal(&h);
        assert_int_equal(test_sum(&h), 0);
        assert_int_equal(bootimg_byte_sum(&h), 0);
    }
}

/* ------------------------------------------------------------ bootimg_check */

/* A valid header: stage 2 at 1 (4 sectors), kernel at 8 (10000 bytes: 20
 * sectors), module at 28 (3000 bytes: 6 sectors). */
static void good_header(struct bootimg_header *h)
{
    memset(h, 0, sizeof(*h));
    memcpy(h->magic, "KEELBOOT", 8);
    h->version = 2;
    h->header_size = 512;
    h->stage2_lba = 1;
    h->stage2_sectors = 4;
    h->stage2_crc32 = 0x11223344;
    h->kernel_lba = 8;
    h->kernel_bytes = 10000;
    h->kernel_crc32 = 0x55667788;
    strcpy(h->cmdline, "console=com1");
    h->module_lba = 28;
    h->module_bytes = 3000;
    h->module_crc32 = 0x99AABBCC;
    test_seal(h);
}

static void test_header_field_offsets(void **state)
{
    (void)state;
    assert_int_equal(sizeof(struct bootimg_header), 512);
    assert_int_equal(offsetof(struct bootimg_header, magic), 0);
    assert_int_equal(offsetof(struct bootimg_header, version), 8);
    assert_int_equal(offsetof(struct bootimg_header, header_size), 10);
    assert_int_equal(offsetof(struct bootimg_header, stage2_lba), 12);
    assert_int_equal(offsetof(struct bootimg_header, stage2_sectors), 16);
    assert_int_equal(offsetof(struct bootimg_header, stage2_crc32), 20);
    assert_int_equal(offsetof(struct bootimg_header, kernel_lba), 24);
    assert_int_equal(offsetof(struct bootimg_header, kernel_bytes), 28);
    assert_int_equal(offsetof(struct bootimg_header, kernel_crc32), 32);
    assert_int_equal(offsetof(struct bootimg_header, cmdline), 36);
    assert_int_equal(offsetof(struct bootimg_header, module_lba), 164);
    assert_int_equal(offsetof(struct bootimg_header, module_bytes), 168);
    assert_int_equal(offsetof(struct bootimg_header, module_crc32), 172);
    assert_int_equal(offsetof(struct bootimg_header, reserved), 176);
    assert_int_equal(offsetof(struct bootimg_header, checksum), 511);
}

static void test_check_good_header(void **state)
{
    struct bootimg_header h;

    (void)state;
    good_header(&h);
    assert_int_equal(bootimg_check(&h), BOOTIMG_OK);
    /* Reserved bytes are not required to be zero (room for later versions). */
    memset(h.reserved, 0xA5, sizeof(h.reserved));
    test_seal(&h);
    assert_int_equal(bootimg_check(&h), BOOTIMG_OK);
}

static void test_check_bad_magic(void **state)
{
    struct bootimg_header h;

    (void)state;
    for (size_t i = 0; i < BOOTIMG_MAGIC_LEN; i++) {
        good_header(&h);
        h.magic[i] ^= 0x20; /* "kEELBOOT", "KeELBOOT", ... */
        test_seal(&h);
        assert_int_equal(bootimg_check(&h), BOOTIMG_BAD_MAGIC);
    }
    memset(&h, 0, sizeof(h));
    assert_int_equal(bootimg_check(&h), BOOTIMG_BAD_MAGIC);
}

static void test_check_bad_version_or_size(void **state)
{
    const uint16_t versions[] = {0, 1 /* no module entry */, 3, 0xFFFF};
    const uint16_t sizes[] = {0, 511, 513, 1024};
    struct bootimg_header h;

    (void)state;
    for (size_t i = 0; i < 4; i++) {
        good_header(&h);
        h.version = versions[i];
        test_seal(&h);
        assert_int_equal(bootimg_check(&h), BOOTIMG_BAD_VERSION);
        good_header(&h);
        h.header_size = sizes[i];
        test_seal(&h);
        assert_int_equal(bootimg_check(&h), BOOTIMG_BAD_VERSION);
    }
}

/* Any single changed byte after the version fields breaks the checksum. */
static void test_check_bad_checksum(void **state)
{
    struct bootimg_header h;

    (void)state;
    for (size_t i = offsetof(struct bootimg_header, stage2_lba); i < SECTOR; i++) {
        good_header(&h);
        ((uint8_t *)&h)[i] += 1;
        if (bootimg_check(&h) != BOOTIMG_BAD_CHECKSUM)
            print_error("byte %zu\n", i);
        assert_int_equal(bootimg_check(&h), BOOTIMG_BAD_CHECKSUM);
    }
}

static void test_check_layout(void **state)
{
    /* Fields by offset: the header is packed, so no pointers to its members. */
    enum {
        STAGE2_LBA = offsetof(struct bootimg_header, stage2_lba),
        STAGE2_SECTORS = offsetof(struct bootimg_header, stage2_sectors),
        KERNEL_LBA = offsetof(struct bootimg_header, kernel_lba),
        KERNEL_BYTES = offsetof(struct bootimg_header, kernel_bytes),
        MODULE_LBA = offsetof(struct bootimg_header, module_lba),
        MODULE_BYTES = offsetof(struct bootimg_header, module_bytes),
    };
    /* good_header: stage2_lba 1, stage2_sectors 4 (ends before 5), kernel_lba 8
     * (20 sectors, ends before 28), module_lba 28 (6 sectors). */
    const struct {
        size_t field;
        uint32_t value;
        enum bootimg_error expected;
    } cases[] = {
        {STAGE2_LBA, 0, BOOTIMG_BAD_LAYOUT}, /* would overwrite the header */
        {STAGE2_LBA, 4, BOOTIMG_OK},         /* ends just before the kernel at 8 */
        {STAGE2_LBA, 5, BOOTIMG_BAD_LAYOUT}, /* last sector is the kernel's first */
        {STAGE2_LBA, 0xFFFFFFFF, BOOTIMG_BAD_LAYOUT},
        {STAGE2_SECTORS, 0, BOOTIMG_BAD_LAYOUT},
        {STAGE2_SECTORS, 7, BOOTIMG_OK},
        {STAGE2_SECTORS, 8, BOOTIMG_BAD_LAYOUT},
        {STAGE2_SECTORS, 0xFFFFFFFF, BOOTIMG_BAD_LAYOUT},
        {KERNEL_LBA, 5, BOOTIMG_OK},
        {KERNEL_LBA, 4, BOOTIMG_BAD_LAYOUT},
        {KERNEL_LBA, 0, BOOTIMG_BAD_LAYOUT},
        {KERNEL_LBA, 0xFFFFFFFF - 19, BOOTIMG_BAD_LAYOUT}, /* the module is before it now */
        {KERNEL_LBA, 9, BOOTIMG_BAD_LAYOUT},               /* its last sector is the module's */
        {KERNEL_BYTES, 0, BOOTIMG_BAD_LAYOUT},
        {KERNEL_BYTES, 1, BOOTIMG_OK},
        {KERNEL_BYTES, 10240, BOOTIMG_OK}, /* 20 sectors exactly */
        {KERNEL_BYTES, 10241, BOOTIMG_BAD_LAYOUT},
        {MODULE_LBA, 28, BOOTIMG_OK},
        {MODULE_LBA, 27, BOOTIMG_BAD_LAYOUT},     /* in the kernel's last sector */
        {MODULE_LBA, 0, BOOTIMG_BAD_LAYOUT},      /* "none" with a size */
        {MODULE_LBA, 0xFFFFFFFF - 5, BOOTIMG_OK}, /* 6 sectors: the last is LBA 2^32 - 1 */
        {MODULE_LBA, 0xFFFFFFFF - 4, BOOTIMG_BAD_LAYOUT},
        {MODULE_BYTES, 0, BOOTIMG_BAD_LAYOUT}, /* no module, yet an LBA */
        {MODULE_BYTES, 1, BOOTIMG_OK},
        {MODULE_BYTES, 0xFFFFFFFF, BOOTIMG_OK}, /* 8388608 sectors from 28: within 2^32 */
    };
    struct bootimg_header h;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        good_header(&h);
        memcpy((uint8_t *)&h + cases[i].field, &cases[i].value, sizeof(uint32_t));
        test_seal(&h);
        if (bootimg_check(&h) != cases[i].expected)
            print_error("case %zu\n", i);
        assert_int_equal(bootimg_check(&h), cases[i].expected);
    }
}

/* No module: size and LBA both 0 (CRC-32 of nothing: 0); then the kernel may
 * end at the last 32-bit LBA. */
static void test_check_no_module(void **state)
{
    struct bootimg_header h;

    (void)state;
    good_header(&h);
    h.module_lba = 0;
    h.module_bytes = 0;
    h.module_crc32 = 0;
    test_seal(&h);
    assert_int_equal(bootimg_check(&h), BOOTIMG_OK);
    h.kernel_lba = 0xFFFFFFFF - 19; /* 20 sectors: the last is LBA 2^32 - 1 */
    test_seal(&h);
    assert_int_equal(bootimg_check(&h), BOOTIMG_OK);
    h.kernel_lba = 0xFFFFFFFF - 18;
    test_seal(&h);
    assert_int_equal(bootimg_check(&h), BOOTIMG_BAD_LAYOUT);
}

static void test_check_stage2_size_limit(void **state)
{
    struct bootimg_header h;

    (void)state;
    good_header(&h);
    h.stage2_sectors = 64;
    h.kernel_lba = 65;
    h.module_lba = 85;
    test_seal(&h);
    assert_int_equal(bootimg_check(&h), BOOTIMG_OK);
    h.stage2_sectors = 65;
    h.kernel_lba = 66;
    h.module_lba = 86;
    test_seal(&h);
    assert_int_equal(bootimg_check(&h), BOOTIMG_BAD_LAYOUT);
}

static void test_check_cmdline_terminated(void **state)
{
    struct bootimg_header h;

    (void)state;
    good_header(&h);
    memset(h.cmdline, 'x', 127); /* 127 characters and the NUL in the last byte */
    h.cmdline[127] = '\0';
    test_seal(&h);
    assert_int_equal(bootimg_check(&h), BOOTIMG_OK);
    h.cmdline[127] = 'x'; /* no NUL anywhere */
    test_seal(&h);
    assert_int_equal(bootimg_check(&h), BOOTIMG_BAD_LAYOUT);
    memset(h.cmdline, 0, sizeof(h.cmdline)); /* empty is fine */
    test_seal(&h);
    assert_int_equal(bootimg_check(&h), BOOTIMG_OK);
}

/* The first problem in header order is the one reported. */
static void test_check_error_precedence(void **state)
{
    struct bootimg_header h;

    (void)state;
    good_header(&h);
    h.magic[0] = 'X';
    h.version = 9;
    h.checksum ^= 1;
    assert_int_equal(bootimg_check(&h), BOOTIMG_BAD_MAGIC);
    good_header(&h);
    h.version = 9;
    h.checksum ^= 1;
    assert_int_equal(bootimg_check(&h), BOOTIMG_BAD_VERSION);
    good_header(&h);
    h.kernel_bytes = 0; /* not resealed: corruption, not a layout decision */
    assert_int_equal(bootimg_check(&h), BOOTIMG_BAD_CHECKSUM);
}

static void test_error_texts(void **state)
{
    (void)state;
    assert_string_equal(bootimg_error_text(BOOTIMG_BAD_MAGIC), "bad magic number");
    assert_string_equal(bootimg_error_text(BOOTIMG_BAD_CHECKSUM), "checksum mismatch");
    assert_non_null(strstr(bootimg_error_text(BOOTIMG_BAD_VERSION), "version"));
    assert_non_null(strstr(bootimg_error_text(BOOTIMG_BAD_LAYOUT), "layout"));
    assert_non_null(bootimg_error_text(BOOTIMG_OK));
    assert_non_null(bootimg_error_text((enum bootimg_error)99));
    for (int a = BOOTIMG_OK; a <= BOOTIMG_BAD_LAYOUT; a++) {
        for (int b = a + 1; b <= BOOTIMG_BAD_LAYOUT; b++)
            assert_string_not_equal(bootimg_error_text(a), bootimg_error_text(b));
    }
}

/* ------------------------------------------------------------ bootimg_verify_image */

#define T_PART_SECTORS   2048
#define T_STAGE2_SECTORS 3
#define T_STAGE2_BYTES   1300 /* the rest of the 3 sectors is zero padding */
#define T_KERNEL_LBA     5    /* right after stage 2: alignment is mkimage's choice */
#define T_KERNEL_BYTES   3000 /* 5.9 sectors */
#define T_MODULE_LBA     11   /* right after the kernel */
#define T_MODULE_BYTES   1500 /* 2.9 sectors */

struct test_image {
    uint8_t *data;
    size_t len;
    uint32_t part_lba;
};

static uint8_t *t_sector(struct test_image *t, uint32_t part_relative_lba)
{
    return t->data + (size_t)(t->part_lba + part_relative_lba) * SECTOR;
}

static struct bootimg_header *t_header(struct test_image *t)
{
    return (struct bootimg_header *)t_sector(t, 0);
}

static uint8_t *t_entry(struct test_image *t, unsigned index)
{
    return t->data + 446 + 16 * index;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Assemble a sound image with its partition in table entry `slot` at part_lba. */
static struct test_image build_image(unsigned slot, uint32_t part_lba)
{
    struct test_image t = {.part_lba = part_lba};

    t.len = (size_t)(part_lba + T_PART_SECTORS) * SECTOR;
    t.data = calloc(1, t.len);
    assert_non_null(t.data);
    memset(t.data, 0x90, 100); /* some "code" */
    t.data[510] = 0x55;
    t.data[511] = 0xAA;
    uint8_t *entry = t_entry(&t, slot);
    entry[0] = 0x80;
    entry[4] = 0x7F;
    put32(entry + 8, part_lba);
    put32(entry + 12, T_PART_SECTORS);

    fill_random(t_sector(&t, 1), T_STAGE2_BYTES, 2);
    memcpy(t_sector(&t, T_KERNEL_LBA), "\177ELF", 4);
    fill_random(t_sector(&t, T_KERNEL_LBA) + 4, T_KERNEL_BYTES - 4, 3);
    fill_random(t_sector(&t, T_MODULE_LBA), T_MODULE_BYTES, 4);

    struct bootimg_header *h = t_header(&t);
    memcpy(h->magic, "KEELBOOT", 8);
    h->version = 2;
    h->header_size = 512;
    h->stage2_lba = 1;
    h->stage2_sectors = T_STAGE2_SECTORS;
    h->stage2_crc32 = reference_crc32(t_sector(&t, 1), T_STAGE2_SECTORS * SECTOR);
    h->kernel_lba = T_KERNEL_LBA;
    h->kernel_bytes = T_KERNEL_BYTES;
    h->kernel_crc32 = reference_crc32(t_sector(&t, T_KERNEL_LBA), T_KERNEL_BYTES);
    strcpy(h->cmdline, "console=com1");
    h->module_lba = T_MODULE_LBA;
    h->module_bytes = T_MODULE_BYTES;
    h->module_crc32 = reference_crc32(t_sector(&t, T_MODULE_LBA), T_MODULE_BYTES);
    test_seal(h);
    return t;
}

/* Verify img[0..len) and require a failure whose reason contains `needle`. */
static void expect_failure(const uint8_t *img, size_t len, const char *needle)
{
    char why[256];

    memset(why, 'Z', sizeof(why));
    int result = bootimg_verify_image(img, len, why, sizeof(why));
    if (result != -1 || strstr(why, needle) == NULL)
        print_error("result %d, reason \"%.*s\", expected \"%s\"\n", result, (int)sizeof(why), why,
                    needle);
    assert_int_equal(result, -1);
    assert_non_null(strstr(why, needle));
}

static void test_verify_good_image(void **state)
{
    struct test_image t = build_image(0, BOOTIMG_PARTITION_LBA);
    struct bootimg_image_info info;
    char why[256] = "untouched";

    (void)state;
    assert_int_equal(bootimg_verify_image(t.data, t.len, why, sizeof(why)), 0);
    assert_string_equal(why, "");
    memset(&info, 0, sizeof(info));
    assert_int_equal(bootimg_inspect_image(t.data, t.len, &info, why, sizeof(why)), 0);
    assert_int_equal(info.partition_index, 0);
    assert_int_equal(info.partition_lba, 2048);
    assert_int_equal(info.partition_sectors, T_PART_SECTORS);
    assert_int_equal(info.header.kernel_bytes, T_KERNEL_BYTES);
    assert_string_equal(info.header.cmdline, "console=com1");
    free(t.data);
}

/* Nothing depends on where the partition is or which table slot holds it. */
static void test_verify_partition_elsewhere(void **state)
{
    struct test_image t = build_image(2, 63);
    struct bootimg_image_info info;

    (void)state;
    assert_int_equal(bootimg_inspect_image(t.data, t.len, &info, NULL, 0), 0);
    assert_int_equal(info.partition_index, 2);
    assert_int_equal(info.partition_lba, 63);
    free(t.data);
}

static void test_verify_flipped_magic(void **state)
{
    struct test_image t = build_image(0, BOOTIMG_PARTITION_LBA);

    (void)state;
    t_header(&t)->magic[3] ^= 1;
    expect_failure(t.data, t.len, "bad magic number");
    test_seal(t_header(&t));
    expect_failure(t.data, t.len, "bad magic number");
    free(t.data);
}

static void test_verify_flipped_checksum(void **state)
{
    struct test_image t = build_image(0, BOOTIMG_PARTITION_LBA);

    (void)state;
    t_header(&t)->checksum ^= 0x01;
    expect_failure(t.data, t.len, "checksum mismatch");
    free(t.data);
}

static void test_verify_bad_header_layout(void **state)
{
    struct test_image t = build_image(0, BOOTIMG_PARTITION_LBA);

    (void)state;
    t_header(&t)->kernel_lba = 3; /* inside stage 2 */
    test_seal(t_header(&t));
    expect_failure(t.data, t.len, "impossible layout");
    free(t.data);
}

static void test_verify_damaged_stage2(void **state)
{
    const size_t offsets[] = {0, T_STAGE2_BYTES - 1, T_STAGE2_SECTORS * SECTOR - 1 /* padding */};

    (void)state;
    for (size_t i = 0; i < 3; i++) {
        struct test_image t = build_image(0, BOOTIMG_PARTITION_LBA);
        t_sector(&t, 1)[offsets[i]] ^= 0x40;
        expect_failure(t.data, t.len, "stage 2 CRC-32 mismatch");
        free(t.data);
    }
}

static void test_verify_damaged_kernel(void **state)
{
    const size_t offsets[] = {4, 1000, T_KERNEL_BYTES - 1};

    (void)state;
    for (size_t i = 0; i < 3; i++) {
        struct test_image t = build_image(0, BOOTIMG_PARTITION_LBA);
        t_sector(&t, T_KERNEL_LBA)[offsets[i]] ^= 0x01;
        expect_failure(t.data, t.len, "kernel CRC-32 mismatch");
        free(t.data);
    }
}

/* The kernel CRC covers exactly kernel_bytes: the rest of its last sector is free. */
static void test_verify_ignores_bytes_after_kernel(void **state)
{
    struct test_image t = build_image(0, BOOTIMG_PARTITION_LBA);

    (void)state;
    t_sector(&t, T_KERNEL_LBA)[T_KERNEL_BYTES] = 0xEE;
    assert_int_equal(bootimg_verify_image(t.data, t.len, NULL, 0), 0);
    free(t.data);
}

static void test_verify_damaged_module(void **state)
{
    const size_t offsets[] = {0, 257, T_MODULE_BYTES - 1};

    (void)state;
    for (size_t i = 0; i < 3; i++) {
        struct test_image t = build_image(0, BOOTIMG_PARTITION_LBA);
        t_sector(&t, T_MODULE_LBA)[offsets[i]] ^= 0x08;
        expect_failure(t.data, t.len, "ramdisk CRC-32 mismatch");
        free(t.data);
    }
}

/* The module CRC covers exactly module_bytes; without a module (size and
 * LBA 0) nothing after the kernel is looked at. */
static void test_verify_module_bounds(void **state)
{
    struct test_image t = build_image(0, BOOTIMG_PARTITION_LBA);

    (void)state;
    t_sector(&t, T_MODULE_LBA)[T_MODULE_BYTES] = 0xEE;
    assert_int_equal(bootimg_verify_image(t.data, t.len, NULL, 0), 0);
    put32(t_entry(&t, 0) + 12, T_MODULE_LBA + 2); /* the module needs 3 sectors */
    expect_failure(t.data, t.len, "ramdisk (sectors 11..13) runs past the end of the partition");
    t_header(&t)->module_lba = 0;
    t_header(&t)->module_bytes = 0;
    t_header(&t)->module_crc32 = 0;
    test_seal(t_header(&t));
    assert_int_equal(bootimg_verify_image(t.data, t.len, NULL, 0), 0);
    free(t.data);
}

static void test_verify_kernel_not_elf(void **state)
{
    struct test_image t = build_image(0, BOOTIMG_PARTITION_LBA);

    (void)state;
    memcpy(t_sector(&t, T_KERNEL_LBA), "MZ\0\0", 4);
    t_header(&t)->kernel_crc32 = reference_crc32(t_sector(&t, T_KERNEL_LBA), T_KERNEL_BYTES);
    test_seal(t_header(&t));
    expect_failure(t.data, t.len, "ELF");
    free(t.data);
}

static void test_verify_truncated(void **state)
{
    struct test_image t = build_image(0, BOOTIMG_PARTITION_LBA);
    const size_t lengths[] = {
        0,
        1,
        511, /* not even an MBR */
        512,
        2048 * SECTOR,
        2049 * SECTOR,                      /* header or stage 2 missing */
        (2048 + T_KERNEL_LBA + 5) * SECTOR, /* kernel cut short */
        t.len - SECTOR,
        t.len - 1, /* partition's last sector missing */
    };

    (void)state;
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++)
        expect_failure(t.data, lengths[i], "truncated");
    free(t.data);
}

/* The partition table entry itself is too short for what the header describes. */
static void test_verify_partition_too_small(void **state)
{
    struct test_image t = build_image(0, BOOTIMG_PARTITION_LBA);

    (void)state;
    put32(t_entry(&t, 0) + 12, T_KERNEL_LBA + 5); /* the kernel needs 6 sectors */
    expect_failure(t.data, t.len, "kernel (sectors 5..10) runs past the end of the partition");
    put32(t_entry(&t, 0) + 12, 2); /* stage 2 needs sectors 1..3 */
    expect_failure(t.data, t.len, "stage 2 (sectors 1..3) runs past the end of the partition");
    put32(t_entry(&t, 0) + 12, 0);
    expect_failure(t.data, t.len, "empty");
    free(t.data);
}

static void test_verify_no_active_partition(void **state)
{
    struct test_image t = build_image(0, BOOTIMG_PARTITION_LBA);

    (void)state;
    t_entry(&t, 0)[0] = 0x00;
    expect_failure(t.data, t.len, "no active partition");
    free(t.data);
}

static void test_verify_two_active_partitions(void **state)
{
    struct test_image t = build_image(0, BOOTIMG_PARTITION_LBA);

    (void)state;
    memcpy(t_entry(&t, 3), t_entry(&t, 0), 16);
    expect_failure(t.data, t.len, "2 active partitions");
    free(t.data);
}

static void test_verify_wrong_type_or_status(void **state)
{
    struct test_image t = build_image(0, BOOTIMG_PARTITION_LBA);

    (void)state;
    t_entry(&t, 0)[4] = 0x83;
    expect_failure(t.data, t.len, "type 0x83, expected 0x7F");
    t_entry(&t, 0)[4] = 0x7F;
    t_entry(&t, 1)[0] = 0x01; /* neither 0x00 nor 0x80 */
    expect_failure(t.data, t.len, "partition entry 1 has invalid status 0x01");
    free(t.data);
}

static void test_verify_missing_signature(void **state)
{
    const uint8_t signatures[][2] = {{0, 0}, {0x55, 0}, {0, 0xAA}, {0xAA, 0x55}};

    (void)state;
    for (size_t i = 0; i < 4; i++) {
        struct test_image t = build_image(0, BOOTIMG_PARTITION_LBA);
        t.data[510] = signatures[i][0];
        t.data[511] = signatures[i][1];
        expect_failure(t.data, t.len, "0x55AA");
        free(t.data);
    }
}

static void test_verify_short_reason_buffer(void **state)
{
    struct test_image t = build_image(0, BOOTIMG_PARTITION_LBA);
    char why[8];

    (void)state;
    t_entry(&t, 0)[0] = 0x00;
    memset(why, 'Z', sizeof(why));
    assert_int_equal(bootimg_verify_image(t.data, t.len, why, sizeof(why)), -1);
    assert_string_equal(why, "no acti"); /* cut, but terminated */
    assert_int_equal(bootimg_verify_image(t.data, t.len, NULL, 0), -1);
    free(t.data);
}

/* ------------------------------------------------------------ the mkimage binary */

struct workdir {
    char path[256];
    char out[2048]; /* captured stdout and stderr of the last run */
};

/* $MKIMAGE; else mkimage next to this test program (both are built into
 * $(BUILD)/host); else build/host/mkimage from the repository root. */
static const char *mkimage_path(void)
{
    static char sibling[4096];
    const char *path = getenv("MKIMAGE");

    if (path != NULL && path[0] != '\0')
        return path;
    ssize_t len = readlink("/proc/self/exe", sibling, sizeof(sibling) - sizeof("mkimage"));
    if (len > 0) {
        sibling[len] = '\0';
        char *slash = strrchr(sibling, '/');
        if (slash != NULL) {
            strcpy(slash + 1, "mkimage");
            if (access(sibling, X_OK) == 0)
                return sibling;
        }
    }
    return "build/host/mkimage";
}

static int workdir_setup(void **state)
{
    struct workdir *w = calloc(1, sizeof(*w));
    const char *tmp = getenv("TMPDIR");

    if (w == NULL)
        return -1;
    snprintf(w->path, sizeof(w->path), "%s/keel-mkimage-XXXXXX", tmp != NULL ? tmp : "/tmp");
    if (mkdtemp(w->path) == NULL) {
        free(w);
        return -1;
    }
    *state = w;
    return 0;
}

static int workdir_teardown(void **state)
{
    struct workdir *w = *state;
    DIR *dir = opendir(w->path);
    struct dirent *entry;
    char file[600];

    while (dir != NULL && (entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        snprintf(file, sizeof(file), "%s/%s", w->path, entry->d_name);
        unlink(file);
    }
    if (dir != NULL)
        closedir(dir);
    rmdir(w->path);
    free(w);
    return 0;
}

static const char *wpath(struct workdir *w, const char *name)
{
    static char paths[8][600];
    static unsigned next;
    char *p = paths[next++ % 8];

    snprintf(p, sizeof(paths[0]), "%s/%s", w->path, name);
    return p;
}

static void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Read a whole file; *len gets its size. NULL if it does not exist. */
static uint8_t *read_bytes(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    uint8_t *data = malloc(*len + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, *len, f), *len);
    fclose(f);
    return data;
}

/* The smallest file that passes for a PE32+ x86-64 executable: "MZ", the
 * offset 0x40 of "PE\0\0" at 0x3C, machine 0x8664, optional-header magic 0x20B. */
static void write_fake_efi_app(const char *path)
{
    uint8_t pe[0x80] = {'M', 'Z', [0x3C] = 0x40, [0x40] = 'P', 'E', 0, 0, 0x64, 0x86};

    pe[0x40 + 24] = 0x0B;
    pe[0x40 + 25] = 0x02;
    write_bytes(path, pe, sizeof(pe));
}

/* An EFI System Partition of 4 MiB made with mtools, holding the files the
 * image check wants, the kernel being w's kernel.elf (and, with_initrd, its
 * initrd.tar as /KEEL/INITRD.TAR). */
static void write_esp(struct workdir *w, bool with_initrd)
{
    char cmd[4096];

    write_fake_efi_app(wpath(w, "BOOTX64.EFI"));
    write_bytes(wpath(w, "boot.cfg"), "kernel \\KEEL\\KERNEL.ELF\n", 24);
    snprintf(cmd, sizeof(cmd),
             "cd %s && rm -f esp.img && export MTOOLS_SKIP_CHECK=1 && "
             "mformat -i esp.img -C -T 8192 -h 4 -s 32 -c 1 :: && "
             "mmd -i esp.img ::/EFI ::/EFI/BOOT ::/KEEL && "
             "mcopy -i esp.img BOOTX64.EFI ::/EFI/BOOT/ && "
             "mcopy -i esp.img kernel.elf ::/KEEL/KERNEL.ELF && "
             "mcopy -i esp.img boot.cfg ::/KEEL/BOOT.CFG%s",
             w->path, with_initrd ? " && mcopy -i esp.img initrd.tar ::/KEEL/INITRD.TAR" : "");
    assert_int_equal(system(cmd), 0);
}

/* A stage 1 with 100 bytes of "code" and the signature; stage 2 and kernel of
 * the given sizes (the kernel starting with the ELF magic); an ESP with that
 * kernel. */
static void write_inputs(struct workdir *w, size_t stage2_len, size_t kernel_len)
{
    uint8_t stage1[512] = {0};
    uint8_t *stage2 = malloc(stage2_len), *kernel = malloc(kernel_len);

    assert_true(stage2 != NULL && kernel != NULL);
    memset(stage1, 0xCC, 100);
    stage1[510] = 0x55;
    stage1[511] = 0xAA;
    fill_random(stage2, stage2_len, 11);
    fill_random(kernel, kernel_len, 12);
    memcpy(kernel, "\177ELF", 4);
    write_bytes(wpath(w, "stage1.bin"), stage1, sizeof(stage1));
    write_bytes(wpath(w, "stage2.bin"), stage2, stage2_len);
    write_bytes(wpath(w, "kernel.elf"), kernel, kernel_len);
    free(stage2);
    free(kernel);
    write_esp(w, false);
}

/* A ramdisk of `len` bytes (a ustar header's magic at 257, as a real one
 * has) as initrd.tar, and the ESP again with it on. */
static void write_initrd(struct workdir *w, size_t len)
{
    uint8_t *initrd = malloc(len + 1);

    assert_non_null(initrd);
    fill_random(initrd, len, 13);
    if (len >= 262)
        memcpy(initrd + 257, "ustar", 5);
    write_bytes(wpath(w, "initrd.tar"), initrd, len);
    free(initrd);
    write_esp(w, true);
}

/* Run mkimage with args (NULL-terminated, without argv[0]); returns its exit
 * status and leaves its output in w->out. Skips the test without a binary. */
static int run_mkimage(struct workdir *w, const char *const *args)
{
    const char *argv[16] = {mkimage_path()};
    const char *log = wpath(w, "output.txt");

    if (access(argv[0], X_OK) != 0) {
        print_message("mkimage not found at %s (set MKIMAGE): skipped\n", argv[0]);
        skip();
    }
    for (size_t i = 0; args[i] != NULL && i + 2 < 16; i++)
        argv[i + 1] = args[i];
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
            _exit(127);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    size_t len = 0;
    uint8_t *text = read_bytes(log, &len);
    len = len < sizeof(w->out) - 1 ? len : sizeof(w->out) - 1;
    memcpy(w->out, text != NULL ? (char *)text : "", text != NULL ? len : 0);
    w->out[text != NULL ? len : 0] = '\0';
    free(text);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Build with the standard inputs and the ramdisk; returns mkimage's exit status. */
static int run_build_initrd(struct workdir *w)
{
    const char *args[] = {"-o",       wpath(w, "keel.img"),   "--stage1", wpath(w, "stage1.bin"),
                          "--stage2", wpath(w, "stage2.bin"), "--kernel", wpath(w, "kernel.elf"),
                          "--initrd", wpath(w, "initrd.tar"), "--esp",    wpath(w, "esp.img"),
                          NULL};
    return run_mkimage(w, args);
}

/* Build with the standard inputs; returns mkimage's exit status. */
static int run_build(struct workdir *w, const char *cmdline)
{
    const char *args[] = {"-o",
                          wpath(w, "keel.img"),
                          "--stage1",
                          wpath(w, "stage1.bin"),
                          "--stage2",
                          wpath(w, "stage2.bin"),
                          "--kernel",
                          wpath(w, "kernel.elf"),
                          "--esp",
                          wpath(w, "esp.img"),
                          cmdline ? "--cmdline" : NULL,
                          cmdline,
                          NULL};
    return run_mkimage(w, args);
}

static void expect_refusal(struct workdir *w, const char *needle)
{
    int status = run_build(w, NULL);
    if (status == 0 || strstr(w->out, needle) == NULL)
        print_error("status %d, output: %s(expected \"%s\")\n", status, w->out, needle);
    assert_int_not_equal(status, 0);
    assert_non_null(strstr(w->out, needle));
    assert_int_not_equal(access(wpath(w, "keel.img"), F_OK), 0); /* nothing written */
}

/* Stage 2 1300 bytes (3 sectors), kernel 5000 bytes (10 sectors): the kernel
 * goes to partition sector 8 (4 + rounded up to 8), the BIOS partition's
 * contents end at sector 2048 + 8 + 10 = 2066, so it ends at 4096 (2 MiB),
 * where the 4 MiB ESP starts: 12288 sectors (6 MiB) in all. */
static void test_mkimage_builds_valid_image(void **state)
{
    struct workdir *w = *state;
    size_t len;
    char why[256];

    write_inputs(w, 1300, 5000);
    assert_int_equal(run_build(w, "console=com1 quiet"), 0);
    assert_non_null(strstr(w->out, "stage 1 100/446 bytes"));
    assert_non_null(strstr(w->out, "stage 2 1300 bytes (3 sectors)"));
    assert_non_null(strstr(w->out, "kernel 5000 bytes (10 sectors)"));
    assert_non_null(strstr(w->out, "ESP 4096 KiB, image 6291456 bytes (6 MiB)"));

    uint8_t *img = read_bytes(wpath(w, "keel.img"), &len);
    assert_non_null(img);
    assert_int_equal(len, 6 * 1024 * 1024);
    if (bootimg_verify_image(img, len, why, sizeof(why)) != 0)
        print_error("%s\n", why);
    assert_int_equal(bootimg_verify_image(img, len, why, sizeof(why)), 0);

    /* Partition entry 0: active, CHS 0/32/33 (LBA 2048 = 32 * 63 + 32), type
     * 0x7F, CHS 0/65/1 (LBA 4095 = 65 * 63 + 0), LBA 2048, 2048 sectors. */
    const uint8_t entry[16] = {0x80, 32, 33, 0, 0x7F, 65, 1, 0, 0x00, 0x08, 0, 0, 0x00, 0x08, 0, 0};
    assert_memory_equal(img + 446, entry, 16);
    /* Entry 1: inactive, CHS 0/65/2 (LBA 4096 = 65 * 63 + 1), type 0xEF, CHS
     * 0/195/3 (LBA 12287 = 195 * 63 + 2), LBA 4096, 8192 sectors. */
    const uint8_t esp[16] = {0x00, 65, 2, 0, 0xEF, 195, 3, 0, 0x00, 0x10, 0, 0, 0x00, 0x20, 0, 0};
    assert_memory_equal(img + 446 + 16, esp, 16);
    static const uint8_t empty[32];
    assert_memory_equal(img + 446 + 32, empty, 32);
    for (size_t i = 0; i < 100; i++)
        assert_int_equal(img[i], 0xCC);
    for (size_t i = 512; i < 2048 * SECTOR; i++)
        assert_int_equal(img[i], 0);

    const struct bootimg_header *h = (const struct bootimg_header *)(img + 2048 * SECTOR);
    assert_int_equal(h->stage2_lba, 1);
    assert_int_equal(h->stage2_sectors, 3);
    assert_int_equal(h->kernel_lba, 8);
    assert_int_equal(h->kernel_bytes, 5000);
    assert_string_equal(h->cmdline, "console=com1 quiet");
    assert_int_equal(test_sum(h), 0);

    size_t s2_len, k_len;
    uint8_t *stage2 = read_bytes(wpath(w, "stage2.bin"), &s2_len);
    uint8_t *kernel = read_bytes(wpath(w, "kernel.elf"), &k_len);
    const uint8_t *part = img + 2048 * SECTOR;
    assert_memory_equal(part + SECTOR, stage2, 1300);
    assert_memory_equal(part + 8 * SECTOR, kernel, 5000);
    assert_int_equal(h->stage2_crc32, reference_crc32(part + SECTOR, 3 * SECTOR));
    assert_int_equal(h->kernel_crc32, reference_crc32(kernel, 5000));
    for (size_t i = SECTOR + 1300; i < 8 * SECTOR; i++) /* stage 2 padding, alignment gap */
        assert_int_equal(part[i], 0);
    for (size_t i = 8 * SECTOR + 5000; i < 2048 * SECTOR; i++) /* after the kernel */
        assert_int_equal(part[i], 0);
    free(stage2);
    free(kernel);
    free(img);
}

/* --check accepts what mkimage built and names the damage in a broken copy. */
static void test_mkimage_check(void **state)
{
    struct workdir *w = *state;
    size_t len;

    write_inputs(w, 700, 2000);
    assert_int_equal(run_build(w, NULL), 0);
    const char *good[] = {"--check", wpath(w, "keel.img"), NULL};
    assert_int_equal(run_mkimage(w, good), 0);
    assert_non_null(strstr(w->out, "ok"));
    assert_non_null(strstr(w->out, "cmdline \"\""));

    uint8_t *img = read_bytes(wpath(w, "keel.img"), &len);
    assert_non_null(img);
    img[(2048 + 8) * SECTOR + 100] ^= 0xFF; /* a kernel byte */
    write_bytes(wpath(w, "bad.img"), img, len);
    free(img);
    const char *bad[] = {"--check", wpath(w, "bad.img"), NULL};
    assert_int_equal(run_mkimage(w, bad), 1);
    assert_non_null(strstr(w->out, "kernel CRC-32 mismatch"));
    const char *missing[] = {"--check", wpath(w, "missing.img"), NULL};
    assert_int_equal(run_mkimage(w, missing), 1);
}

/* Stage 2 of exactly 64 sectors is accepted; the kernel then starts at 72.
 * (Also: a stage 1 with no code at all is reported as using 0 bytes.) */
static void test_mkimage_largest_stage2(void **state)
{
    struct workdir *w = *state;
    uint8_t stage1[512] = {[510] = 0x55, [511] = 0xAA};
    size_t len;

    write_inputs(w, 64 * SECTOR, 100);
    write_bytes(wpath(w, "stage1.bin"), stage1, sizeof(stage1));
    assert_int_equal(run_build(w, NULL), 0);
    assert_non_null(strstr(w->out, "stage 1 0/446 bytes"));
    assert_non_null(strstr(w->out, "stage 2 32768 bytes (64 sectors)"));
    uint8_t *img = read_bytes(wpath(w, "keel.img"), &len);
    assert_non_null(img);
    const struct bootimg_header *h = (const struct bootimg_header *)(img + 2048 * SECTOR);
    assert_int_equal(h->stage2_sectors, 64);
    assert_int_equal(h->kernel_lba, 72);
    assert_int_equal(h->cmdline[0], '\0');
    assert_int_equal(bootimg_verify_image(img, len, NULL, 0), 0);
    free(img);
}

/* The BIOS partition is a whole number of MiB, and only as many as needed: a
 * kernel ending exactly at 2 MiB ends it there, one byte more at 3 MiB; the
 * 4 MiB ESP follows. */
static void test_mkimage_rounds_to_mib(void **state)
{
    struct workdir *w = *state;
    size_t len;
    const size_t fits = (4096 - 2048 - 8) * SECTOR;

    write_inputs(w, 100, fits);
    assert_int_equal(run_build(w, NULL), 0);
    free(read_bytes(wpath(w, "keel.img"), &len));
    assert_int_equal(len, 6 * 1024 * 1024);
    write_inputs(w, 100, fits + 1);
    assert_int_equal(run_build(w, NULL), 0);
    uint8_t *img = read_bytes(wpath(w, "keel.img"), &len);
    assert_int_equal(len, 7 * 1024 * 1024);
    assert_int_equal(img[446 + 12] | img[446 + 13] << 8, 6144 - 2048);  /* to the ESP */
    assert_int_equal(img[446 + 16 + 8] | img[446 + 16 + 9] << 8, 6144); /* the ESP's start */
    free(img);
}

static void test_mkimage_refuses_bad_stage1(void **state)
{
    struct workdir *w = *state;
    uint8_t stage1[513] = {0};

    write_inputs(w, 100, 100);
    stage1[510] = 0x55;
    stage1[511] = 0xAA;
    write_bytes(wpath(w, "stage1.bin"), stage1, 511);
    expect_refusal(w, "exactly 512 bytes");
    write_bytes(wpath(w, "stage1.bin"), stage1, 513);
    expect_refusal(w, "exactly 512 bytes");
    write_bytes(wpath(w, "stage1.bin"), stage1, 0);
    expect_refusal(w, "exactly 512 bytes");
    stage1[511] = 0;
    write_bytes(wpath(w, "stage1.bin"), stage1, 512);
    expect_refusal(w, "stage 1 has no boot signature 0x55AA");
    stage1[510] = 0x54;
    stage1[511] = 0xAA;
    write_bytes(wpath(w, "stage1.bin"), stage1, 512);
    expect_refusal(w, "stage 1 has no boot signature 0x55AA");
    stage1[510] = 0x55;
    stage1[446] = 0x80; /* a partition table already there */
    write_bytes(wpath(w, "stage1.bin"), stage1, 512);
    expect_refusal(w, "not all zero");
}

static void test_mkimage_refuses_bad_stage2(void **state)
{
    struct workdir *w = *state;

    write_inputs(w, 64 * SECTOR + 1, 100);
    expect_refusal(w, "stage 2");
    write_inputs(w, 65 * SECTOR, 100);
    expect_refusal(w, "64 sectors");
    write_bytes(wpath(w, "stage2.bin"), "", 0);
    expect_refusal(w, "stage 2");
}

static void test_mkimage_refuses_non_elf_kernel(void **state)
{
    struct workdir *w = *state;

    write_inputs(w, 100, 100);
    write_bytes(wpath(w, "kernel.elf"), "MZ\x90\0 not an ELF file", 20);
    expect_refusal(w, "not an ELF file");
    write_bytes(wpath(w, "kernel.elf"), "\177EL", 3);
    expect_refusal(w, "not an ELF file");
}

static void test_mkimage_refuses_bad_arguments(void **state)
{
    struct workdir *w = *state;
    char cmdline[BOOTIMG_CMDLINE_MAX + 1];

    write_inputs(w, 100, 100);
    memset(cmdline, 'c', sizeof(cmdline) - 1);
    cmdline[BOOTIMG_CMDLINE_MAX] = '\0'; /* 128 characters: no room for the NUL */
    assert_int_not_equal(run_build(w, cmdline), 0);
    assert_non_null(strstr(w->out, "command line"));
    cmdline[BOOTIMG_CMDLINE_MAX - 1] = '\0'; /* 127 fit */
    assert_int_equal(run_build(w, cmdline), 0);

    const char *none[] = {NULL};
    assert_int_not_equal(run_mkimage(w, none), 0);
    assert_non_null(strstr(w->out, "usage"));
    const char *unknown[] = {"--frobnicate", "x", NULL};
    assert_int_not_equal(run_mkimage(w, unknown), 0);
    const char *dangling[] = {"--check", NULL};
    assert_int_not_equal(run_mkimage(w, dangling), 0);
    const char *missing[] = {
        "-o",       wpath(w, "x.img"),       "--stage1", wpath(w, "stage1.bin"),
        "--stage2", wpath(w, "nonexistent"), "--kernel", wpath(w, "kernel.elf"),
        "--esp",    wpath(w, "esp.img"),     NULL};
    assert_int_not_equal(run_mkimage(w, missing), 0);
    assert_non_null(strstr(w->out, "nonexistent"));
}

/* With --initrd: the ramdisk (5000 bytes, 10 sectors) goes to the first
 * 4 KiB boundary after the kernel (stage 2 1300 bytes, kernel 5000 bytes at
 * 8..17): partition sector 24, its size and CRC-32 in the header's module
 * entry; the BIOS partition's contents end at 2048 + 34, so it still ends at
 * 2 MiB. */
static void test_mkimage_places_initrd(void **state)
{
    struct workdir *w = *state;
    size_t len, initrd_len;

    write_inputs(w, 1300, 5000);
    write_initrd(w, 5000);
    assert_int_equal(run_build_initrd(w), 0);
    assert_non_null(
        strstr(w->out, "kernel 5000 bytes (10 sectors), ramdisk 5000 bytes (10 sectors)"));
    assert_non_null(strstr(w->out, "image 6291456 bytes (6 MiB)"));
    uint8_t *img = read_bytes(wpath(w, "keel.img"), &len);
    uint8_t *initrd = read_bytes(wpath(w, "initrd.tar"), &initrd_len);
    assert_true(img != NULL && initrd != NULL);
    const struct bootimg_header *h = (const struct bootimg_header *)(img + 2048 * SECTOR);
    const uint8_t *part = img + 2048 * SECTOR;
    assert_int_equal(h->version, 2);
    assert_int_equal(h->kernel_lba, 8);
    assert_int_equal(h->module_lba, 24);
    assert_int_equal(h->module_bytes, 5000);
    assert_int_equal(h->module_crc32, reference_crc32(initrd, 5000));
    assert_memory_equal(part + 24 * SECTOR, initrd, 5000);
    for (size_t i = 8 * SECTOR + 5000; i < 24 * SECTOR; i++) /* kernel to ramdisk: zeros */
        assert_int_equal(part[i], 0);
    for (size_t i = 24 * SECTOR + 5000; i < 2048 * SECTOR; i++)
        assert_int_equal(part[i], 0);
    assert_int_equal(test_sum(h), 0);
    assert_int_equal(bootimg_verify_image(img, len, NULL, 0), 0);
    free(img);
    free(initrd);

    /* Without --initrd the module entry is empty. */
    write_esp(w, false);
    assert_int_equal(run_build(w, NULL), 0);
    assert_non_null(strstr(w->out, "ramdisk 0 bytes (0 sectors)"));
    img = read_bytes(wpath(w, "keel.img"), &len);
    h = (const struct bootimg_header *)(img + 2048 * SECTOR);
    assert_int_equal(h->module_lba, 0);
    assert_int_equal(h->module_bytes, 0);
    assert_int_equal(h->module_crc32, 0);
    free(img);
}

/* --check reports the ramdisk, and refuses a copy with one of its bytes
 * changed (its CRC-32 no longer the header's) or its ESP copy missing. */
static void test_mkimage_check_initrd(void **state)
{
    struct workdir *w = *state;
    size_t len;

    write_inputs(w, 700, 2000);
    write_initrd(w, 3000);
    assert_int_equal(run_build_initrd(w), 0);
    const char *good[] = {"--check", wpath(w, "keel.img"), NULL};
    assert_int_equal(run_mkimage(w, good), 0);
    assert_non_null(strstr(w->out, "ramdisk 3000 bytes at +16"));
    assert_non_null(strstr(w->out, "/KEEL/INITRD.TAR 3000 bytes on the ESP, the same ramdisk"));

    uint8_t *img = read_bytes(wpath(w, "keel.img"), &len);
    assert_non_null(img);
    const struct bootimg_header *h = (const struct bootimg_header *)(img + 2048 * SECTOR);
    img[(2048 + h->module_lba) * SECTOR + 257] ^= 0x20; /* "ustar" -> "Ustar" */
    write_bytes(wpath(w, "bad.img"), img, len);
    free(img);
    const char *bad[] = {"--check", wpath(w, "bad.img"), NULL};
    assert_int_equal(run_mkimage(w, bad), 1);
    assert_non_null(strstr(w->out, "ramdisk CRC-32 mismatch"));

    write_esp(w, false); /* no /KEEL/INITRD.TAR beside the BIOS partition's ramdisk */
    assert_int_not_equal(run_build_initrd(w), 0);
    assert_non_null(strstr(w->out, "/KEEL/INITRD.TAR: no such file"));
    assert_int_not_equal(access(wpath(w, "keel.img.tmp"), F_OK), 0);
}

static void test_mkimage_refuses_empty_initrd(void **state)
{
    struct workdir *w = *state;

    write_inputs(w, 100, 100);
    write_initrd(w, 0);
    assert_int_not_equal(run_build_initrd(w), 0);
    assert_non_null(strstr(w->out, "is empty"));
    remove(wpath(w, "initrd.tar"));
    assert_int_not_equal(run_build_initrd(w), 0);
    assert_non_null(strstr(w->out, "initrd.tar"));
}

#define WORKDIR_TEST(f) cmocka_unit_test_setup_teardown(f, workdir_setup, workdir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32_check_value),
        cmocka_unit_test(test_crc32_empty),
        cmocka_unit_test(test_crc32_known_values),
        cmocka_unit_test(test_crc32_matches_reference),
        cmocka_unit_test(test_crc32_chunked_equals_whole),
        cmocka_unit_test(test_byte_sum_of_zero_header),
        cmocka_unit_test(test_byte_sum_counts_every_byte),
        cmocka_unit_test(test_seal_sets_checksum),
        cmocka_unit_test(test_seal_random_headers),
        cmocka_unit_test(test_header_field_offsets),
        cmocka_unit_test(test_check_good_header),
        cmocka_unit_test(test_check_bad_magic),
        cmocka_unit_test(test_check_bad_version_or_size),
        cmocka_unit_test(test_check_bad_checksum),
        cmocka_unit_test(test_check_layout),
        cmocka_unit_test(test_check_no_module),
        cmocka_unit_test(test_check_stage2_size_limit),
        cmocka_unit_test(test_check_cmdline_terminated),
        cmocka_unit_test(test_check_error_precedence),
        cmocka_unit_test(test_error_texts),
        cmocka_unit_test(test_verify_good_image),
        cmocka_unit_test(test_verify_partition_elsewhere),
        cmocka_unit_test(test_verify_flipped_magic),
        cmocka_unit_test(test_verify_flipped_checksum),
        cmocka_unit_test(test_verify_bad_header_layout),
        cmocka_unit_test(test_verify_damaged_stage2),
        cmocka_unit_test(test_verify_damaged_kernel),
        cmocka_unit_test(test_verify_ignores_bytes_after_kernel),
        cmocka_unit_test(test_verify_damaged_module),
        cmocka_unit_test(test_verify_module_bounds),
        cmocka_unit_test(test_verify_kernel_not_elf),
        cmocka_unit_test(test_verify_truncated),
        cmocka_unit_test(test_verify_partition_too_small),
        cmocka_unit_test(test_verify_no_active_partition),
        cmocka_unit_test(test_verify_two_active_partitions),
        cmocka_unit_test(test_verify_wrong_type_or_status),
        cmocka_unit_test(test_verify_missing_signature),
        cmocka_unit_test(test_verify_short_reason_buffer),
        WORKDIR_TEST(test_mkimage_builds_valid_image),
        WORKDIR_TEST(test_mkimage_check),
        WORKDIR_TEST(test_mkimage_largest_stage2),
        WORKDIR_TEST(test_mkimage_rounds_to_mib),
        WORKDIR_TEST(test_mkimage_refuses_bad_stage1),
        WORKDIR_TEST(test_mkimage_refuses_bad_stage2),
        WORKDIR_TEST(test_mkimage_refuses_non_elf_kernel),
        WORKDIR_TEST(test_mkimage_refuses_bad_arguments),
        WORKDIR_TEST(test_mkimage_places_initrd),
        WORKDIR_TEST(test_mkimage_check_initrd),
        WORKDIR_TEST(test_mkimage_refuses_empty_initrd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
