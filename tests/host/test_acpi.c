/*
 * test_acpi.c - host tests for the ACPI table reader (drivers/acpi/tables.c).
 *
 * The tests build a machine's tables by hand in a simulated 2 MiB of
 * physical memory: the BIOS data area's EBDA pointer, an RSDP (ACPI 1.0 or
 * 2.0), an RSDT and an XSDT, FADTs of the 1.0 and later sizes, and DSDTs
 * and SSDTs whose AML holds \_S5 in each encoding. Checksums are computed here, then
 * broken on purpose. The map function hands out a fresh heap copy of
 * exactly the requested range, so AddressSanitizer catches any read past
 * what the parser asked for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drivers/acpi/s5.h>

#define MEMORY_SIZE  0x200000 /* 2 MiB of simulated physical memory */
#define EBDA         0x9FC00
#define RSDP_AT      0xEF5A0 /* inside the BIOS area, 16-byte aligned */
#define RSDT_AT      0x100000
#define XSDT_AT      0x101000
#define FADT_AT      0x102000
#define DSDT_AT      0x103000
#define DSDT2_AT     0x104000
#define OTHER_AT     0x105000 /* a table nobody asks for ("APIC") */
#define SSDT1_AT     0x106000
#define SSDT2_AT     0x107000
#define MAX_MAPPINGS 4096

#define FADT_V1_LENGTH 116
#define FADT_V3_LENGTH 244
#define FADT_V6_LENGTH 276

static uint8_t *memory;
static void *mappings[MAX_MAPPINGS];
static size_t mapping_count;
static uint64_t unmappable_start = UINT64_MAX; /* the map function refuses from here on */

static const void *fake_map(uint64_t phys, size_t len, void *ctx)
{
    (void)ctx;
    if (len == 0 || phys >= MEMORY_SIZE || len > MEMORY_SIZE - phys)
        return NULL;
    if (phys + len > unmappable_start)
        return NULL;
    assert_true(mapping_count < MAX_MAPPINGS);
    void *copy = malloc(len);
    assert_non_null(copy);
    memcpy(copy, memory + phys, len);
    mappings[mapping_count++] = copy;
    return copy;
}

static const struct acpi_memory fake_memory = {.map = fake_map};

static int setup(void **state)
{
    (void)state;
    memory = calloc(1, MEMORY_SIZE);
    mapping_count = 0;
    unmappable_start = UINT64_MAX;
    return memory ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < mapping_count; i++)
        free(mappings[i]);
    free(memory);
    return 0;
}

/* ------------------------------------------------------------ builders */

static void put16(uint64_t at, uint16_t v)
{
    memory[at] = (uint8_t)v;
    memory[at + 1] = (uint8_t)(v >> 8);
}

static void put32(uint64_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        memory[at + i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint64_t at, uint64_t v)
{
    put32(at, (uint32_t)v);
    put32(at + 4, (uint32_t)(v >> 32));
}

/* Set memory[at + checksum_offset] so that len bytes from at sum to 0. */
static void fix_checksum(uint64_t at, size_t len, size_t checksum_offset)
{
    uint8_t sum = 0;
    memory[at + checksum_offset] = 0;
    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + memory[at + i]);
    memory[at + checksum_offset] = (uint8_t)-sum;
}

static void build_rsdp(uint64_t at, uint8_t revision, uint32_t rsdt, uint64_t xsdt)
{
    memcpy(memory + at, "RSD PTR ", 8);
    memcpy(memory + at + 9, "KEELOE", 6);
    memory[at + 15] = revision;
    put32(at + 16, rsdt);
    fix_checksum(at, 20, 8);
    if (revision >= 2) { /* the extended checksum covers the first one too */
        put32(at + 20, 36);
        put64(at + 24, xsdt);
        fix_checksum(at, 36, 32);
    }
}

static void table_header(uint64_t at, const char *signature, uint32_t length, uint8_t revision)
{
    memset(memory + at, 0, length);
    memcpy(memory + at, signature, 4);
    put32(at + 4, length);
    memory[at + 8] = revision;
    memcpy(memory + at + 10, "KEELOE", 6);
    memcpy(memory + at + 16, "KEELTABL", 8);
}

static void finish_table(uint64_t at)
{
    uint32_t length = (uint32_t)(memory[at + 4] | memory[at + 5] << 8 | memory[at + 6] << 16 |
                                 (uint32_t)memory[at + 7] << 24);
    fix_checksum(at, length, 9);
}

static void build_rsdt(uint64_t at, const uint32_t *entries, size_t n)
{
    table_header(at, "RSDT", (uint32_t)(36 + 4 * n), 1);
    for (size_t i = 0; i < n; i++)
        put32(at + 36 + 4 * i, entries[i]);
    finish_table(at);
}

static void build_xsdt(uint64_t at, const uint64_t *entries, size_t n)
{
    table_header(at, "XSDT", (uint32_t)(36 + 8 * n), 1);
    for (size_t i = 0; i < n; i++)
        put64(at + 36 + 8 * i, entries[i]); /* at offset 36: not 8-byte aligned */
    finish_table(at);
}

struct gas {
    uint8_t space;
    uint64_t address;
};

struct fadt_spec {
    uint32_t length;
    uint8_t revision;
    uint32_t dsdt;
    uint64_t x_dsdt;
    uint32_t smi_cmd;
    uint8_t acpi_enable, acpi_disable;
    uint32_t pm1a, pm1b;
    uint8_t pm1_cnt_len;
    struct gas x_pm1a, x_pm1b;
};

static void put_gas(uint64_t at, struct gas g, uint8_t bit_width)
{
    memory[at] = g.space;
    memory[at + 1] = bit_width;
    memory[at + 2] = 0;
    memory[at + 3] = 2; /* word access */
    put64(at + 4, g.address);
}

static void build_fadt(uint64_t at, const struct fadt_spec *f)
{
    table_header(at, "FACP", f->length, f->revision);
    put32(at + 40, f->dsdt);
    put32(at + 48, f->smi_cmd);
    memory[at + 52] = f->acpi_enable;
    memory[at + 53] = f->acpi_disable;
    put32(at + 64, f->pm1a);
    put32(at + 68, f->pm1b);
    memory[at + 89] = f->pm1_cnt_len;
    put32(at + 112, 0x000084A5); /* some flags */
    if (f->length >= 148)
        put64(at + 140, f->x_dsdt);
    if (f->length >= 184)
        put_gas(at + 172, f->x_pm1a, 16);
    if (f->length >= 196)
        put_gas(at + 184, f->x_pm1b, 16);
    finish_table(at);
}

static void build_dsdt_at(uint64_t at, const uint8_t *aml, size_t len)
{
    table_header(at, "DSDT", (uint32_t)(36 + len), 2);
    memcpy(memory + at + 36, aml, len);
    finish_table(at);
}

/* PkgLength of `value` in `size` bytes (1-4; non-minimal encodings allowed). */
static size_t pkg_length(uint8_t *out, uint32_t value, int size)
{
    if (size == 1) {
        assert_true(value < 64);
        out[0] = (uint8_t)value;
        return 1;
    }
    out[0] = (uint8_t)((size - 1) << 6 | (value & 0x0F));
    for (int k = 1; k < size; k++)
        out[k] = (uint8_t)(value >> (4 + 8 * (k - 1)));
    return (size_t)size;
}

/* Name(\_S5, Package(count){elements}) with a PkgLength of pkg_size bytes. */
static size_t s5_object(uint8_t *out, bool root_prefix, int pkg_size, uint8_t count,
                        const uint8_t *elements, size_t elements_len)
{
    size_t n = 0;
    out[n++] = 0x08; /* NameOp */
    if (root_prefix)
        out[n++] = '\\';
    memcpy(out + n, "_S5_", 4);
    n += 4;
    out[n++] = 0x12; /* PackageOp */
    n += pkg_length(out + n, (uint32_t)(pkg_size + 1 + elements_len), pkg_size);
    out[n++] = count;
    memcpy(out + n, elements, elements_len);
    return n + elements_len;
}

/* AML a DSDT might have before \_S5: a scope, a name, a reference to \_S5
 * that is not its definition (Store(\_S5_, Local0)), a string "_S5_". */
static const uint8_t aml_noise[] = {
    0x10, 0x0B, '\\', '_', 'S', 'B',  '_',  0x08, 'P', 'I', 'C',  '_', 0x00, /* Scope, Name */
    0x70, '\\', '_',  'S', '5', '_',  0x60,                       /* Store(\_S5_, Local0) */
    0x08, 'S',  'T',  'R', '_', 0x0D, '_',  'S',  '5', '_', 0x00, /* Name(STR_, "_S5_") */
};

/* A DSDT at `at`: noise, then \_S5 = Package(4){typa, typb, 0, 0} as BytePrefix values. */
static void build_dsdt_with_s5(uint64_t at, uint8_t typa, uint8_t typb)
{
    uint8_t aml[256];
    size_t n = sizeof(aml_noise);
    memcpy(aml, aml_noise, n);
    const uint8_t elements[] = {0x0A, typa, 0x0A, typb, 0x00, 0x00};
    n += s5_object(aml + n, true, 1, 4, elements, sizeof(elements));
    aml[n++] = 0x14; /* a method after it: MethodOp, PkgLength, name, flags */
    aml[n++] = 0x06;
    memcpy(aml + n, "_PTS", 4);
    n += 4;
    aml[n++] = 0x01;
    build_dsdt_at(at, aml, n);
}

/* A QEMU-like ACPI 1.0 machine: RSDP -> RSDT -> (APIC, FACP) -> DSDT. */
static void build_acpi1_machine(void)
{
    put16(0x40E, EBDA >> 4);
    build_rsdp(RSDP_AT, 0, RSDT_AT, 0);
    const uint32_t entries[] = {OTHER_AT, FADT_AT};
    build_rsdt(RSDT_AT, entries, 2);
    table_header(OTHER_AT, "APIC", 44, 1);
    finish_table(OTHER_AT);
    struct fadt_spec f = {.length = FADT_V1_LENGTH,
                          .revision = 1,
                          .dsdt = DSDT_AT,
                          .smi_cmd = 0xB2,
                          .acpi_enable = 0xF1,
                          .acpi_disable = 0xF0,
                          .pm1a = 0x604,
                          .pm1_cnt_len = 2};
    build_fadt(FADT_AT, &f);
    build_dsdt_with_s5(DSDT_AT, 5, 7);
}

/* An ACPI 2.0+ machine with both roots; the XSDT's FADT has X_ fields that
 * differ from the 32-bit ones, so the test sees which were used. */
static void build_acpi2_machine(uint32_t fadt_length)
{
    put16(0x40E, EBDA >> 4);
    build_rsdp(RSDP_AT, 2, RSDT_AT, XSDT_AT);
    const uint32_t rsdt_entries[] = {FADT_AT};
    build_rsdt(RSDT_AT, rsdt_entries, 1);
    const uint64_t xsdt_entries[] = {OTHER_AT, FADT_AT};
    build_xsdt(XSDT_AT, xsdt_entries, 2);
    table_header(OTHER_AT, "APIC", 44, 1);
    finish_table(OTHER_AT);
    struct fadt_spec f = {.length = fadt_length,
                          .revision = 3,
                          .dsdt = DSDT_AT,
                          .x_dsdt = DSDT2_AT,
                          .smi_cmd = 0xB2,
                          .acpi_enable = 0x02,
                          .pm1a = 0x604,
                          .pm1b = 0x608,
                          .pm1_cnt_len = 2,
                          .x_pm1a = {1, 0x1004},
                          .x_pm1b = {1, 0x1008}};
    build_fadt(FADT_AT, &f);
    build_dsdt_with_s5(DSDT_AT, 1, 1);
    build_dsdt_with_s5(DSDT2_AT, 6, 3);
}

static enum acpi_status read_info(struct acpi_power_info *info)
{
    return acpi_read_power_info(&fake_memory, info);
}

/* ------------------------------------------------------------ RSDP */

static void test_checksum(void **state)
{
    (void)state;
    const uint8_t good[] = {0x10, 0x20, 0xD0};
    const uint8_t bad[] = {0x10, 0x20, 0xD1};
    assert_true(acpi_checksum_ok(good, sizeof(good)));
    assert_false(acpi_checksum_ok(bad, sizeof(bad)));
    assert_true(acpi_checksum_ok(bad, 0));
}

static void test_rsdp_acpi1_in_bios_area(void **state)
{
    (void)state;
    build_acpi1_machine();
    struct acpi_rsdp rsdp;
    assert_int_equal(acpi_find_rsdp(&fake_memory, &rsdp), ACPI_OK);
    assert_int_equal(rsdp.phys, RSDP_AT);
    assert_int_equal(rsdp.revision, 0);
    assert_int_equal(rsdp.rsdt_phys, RSDT_AT);
    assert_int_equal(rsdp.xsdt_phys, 0);
    assert_string_equal(rsdp.oem_id, "KEELOE");
}

static void test_rsdp_acpi2_extended_checksum(void **state)
{
    (void)state;
    build_rsdp(0xFFFD0, 2, RSDT_AT, 0x123456789ull); /* the last slot a 36-byte RSDP fits */
    struct acpi_rsdp rsdp;
    assert_int_equal(acpi_find_rsdp(&fake_memory, &rsdp), ACPI_OK);
    assert_int_equal(rsdp.revision, 2);
    assert_int_equal(rsdp.xsdt_phys, 0x123456789ull);
    memory[0xFFFD0 + 33] ^= 1; /* reserved byte: only the extended checksum covers it */
    assert_int_equal(acpi_find_rsdp(&fake_memory, &rsdp), ACPI_ERR_BAD_CHECKSUM);
}

static void test_rsdp_ebda_searched_first(void **state)
{
    (void)state;
    put16(0x40E, EBDA >> 4);
    build_rsdp(EBDA + 0x3E0, 0, 0x11111111, 0); /* the last slot a 20-byte RSDP fits */
    build_rsdp(RSDP_AT, 0, 0x22222222, 0);
    struct acpi_rsdp rsdp;
    assert_int_equal(acpi_find_rsdp(&fake_memory, &rsdp), ACPI_OK);
    assert_int_equal(rsdp.phys, EBDA + 0x3E0);
    assert_int_equal(rsdp.rsdt_phys, 0x11111111);
    /* Beyond the first KiB of the EBDA it is not looked for. */
    memset(memory + EBDA, 0, 0x400);
    build_rsdp(EBDA + 0x400, 0, 0x11111111, 0);
    assert_int_equal(acpi_find_rsdp(&fake_memory, &rsdp), ACPI_OK);
    assert_int_equal(rsdp.rsdt_phys, 0x22222222);
}

static void test_rsdp_bogus_ebda_pointer_ignored(void **state)
{
    (void)state;
    build_rsdp(RSDP_AT, 0, RSDT_AT, 0);
    struct acpi_rsdp rsdp;
    const uint16_t segments[] = {0x0000, 0x0010, 0xA000, 0xFFFF};
    for (size_t i = 0; i < sizeof(segments) / sizeof(segments[0]); i++) {
        put16(0x40E, segments[i]);
        assert_int_equal(acpi_find_rsdp(&fake_memory, &rsdp), ACPI_OK);
        assert_int_equal(rsdp.phys, RSDP_AT);
    }
}

static void test_rsdp_only_on_16_byte_boundaries(void **state)
{
    (void)state;
    build_rsdp(RSDP_AT + 8, 0, RSDT_AT, 0);
    struct acpi_rsdp rsdp;
    assert_int_equal(acpi_find_rsdp(&fake_memory, &rsdp), ACPI_ERR_NO_RSDP);
}

static void test_rsdp_bad_checksum_then_good_copy(void **state)
{
    (void)state;
    build_rsdp(RSDP_AT, 0, 0x33333333, 0);
    memory[RSDP_AT + 16] ^= 0x40; /* the RSDT address no longer matches the checksum */
    struct acpi_rsdp rsdp;
    assert_int_equal(acpi_find_rsdp(&fake_memory, &rsdp), ACPI_ERR_BAD_CHECKSUM);
    build_rsdp(RSDP_AT + 0x100, 0, 0x44444444, 0);
    assert_int_equal(acpi_find_rsdp(&fake_memory, &rsdp), ACPI_OK);
    assert_int_equal(rsdp.rsdt_phys, 0x44444444);
}

static void test_rsdp_lengths(void **state)
{
    (void)state;
    struct acpi_rsdp rsdp;
    build_rsdp(RSDP_AT, 2, RSDT_AT, XSDT_AT);
    put32(RSDP_AT + 20, 20); /* shorter than an ACPI 2.0 RSDP */
    fix_checksum(RSDP_AT, 20, 8);
    assert_int_equal(acpi_find_rsdp(&fake_memory, &rsdp), ACPI_ERR_TRUNCATED);
    put32(RSDP_AT + 20, 0x7FFFFFFF); /* past the end of the search area */
    fix_checksum(RSDP_AT, 20, 8);
    assert_int_equal(acpi_find_rsdp(&fake_memory, &rsdp), ACPI_ERR_TRUNCATED);
    memset(memory + RSDP_AT, 0, 36);
    build_rsdp(0xFFFF0, 0, RSDT_AT, 0); /* only 16 bytes of it inside the area */
    assert_int_equal(acpi_find_rsdp(&fake_memory, &rsdp), ACPI_ERR_TRUNCATED);
    /* The direct parser with too few bytes for the extended part. */
    build_rsdp(RSDP_AT, 2, RSDT_AT, XSDT_AT);
    assert_int_equal(acpi_parse_rsdp(memory + RSDP_AT, 30, RSDP_AT, &rsdp), ACPI_ERR_TRUNCATED);
    assert_int_equal(acpi_parse_rsdp(memory + RSDP_AT, 7, RSDP_AT, &rsdp), ACPI_ERR_NO_RSDP);
}

static void test_rsdp_missing_or_unmappable(void **state)
{
    (void)state;
    struct acpi_rsdp rsdp;
    struct acpi_power_info info;
    assert_int_equal(acpi_find_rsdp(&fake_memory, &rsdp), ACPI_ERR_NO_RSDP);
    assert_int_equal(read_info(&info), ACPI_ERR_NO_RSDP);
    build_rsdp(RSDP_AT, 0, RSDT_AT, 0);
    unmappable_start = 0xE0000;
    assert_int_equal(acpi_find_rsdp(&fake_memory, &rsdp), ACPI_ERR_UNMAPPABLE);
}

/* ------------------------------------------------------------ the chain */

static void test_acpi1_machine_through_rsdt(void **state)
{
    (void)state;
    build_acpi1_machine();
    struct acpi_power_info info;
    assert_int_equal(read_info(&info), ACPI_OK);
    assert_false(info.used_xsdt);
    assert_int_equal(info.root_phys, RSDT_AT);
    assert_int_equal(info.fadt_phys, FADT_AT);
    assert_int_equal(info.fadt.length, FADT_V1_LENGTH);
    assert_int_equal(info.fadt.dsdt_phys, DSDT_AT);
    assert_int_equal(info.fadt.smi_cmd, 0xB2);
    assert_int_equal(info.fadt.acpi_enable, 0xF1);
    assert_int_equal(info.fadt.acpi_disable, 0xF0);
    assert_int_equal(info.fadt.pm1a_cnt.space, ACPI_SPACE_IO);
    assert_int_equal(info.fadt.pm1a_cnt.address, 0x604);
    assert_int_equal(info.fadt.pm1a_cnt.bit_width, 16);
    assert_int_equal(info.fadt.pm1b_cnt.address, 0);
    assert_int_equal(info.fadt.flags, 0x84A5);
    assert_int_equal(info.s5.slp_typa, 5);
    assert_int_equal(info.s5.slp_typb, 7);
    assert_int_equal(info.s5.element_count, 4);
}

static void test_acpi2_machine_prefers_xsdt_and_x_fields(void **state)
{
    (void)state;
    build_acpi2_machine(FADT_V3_LENGTH);
    struct acpi_power_info info;
    assert_int_equal(read_info(&info), ACPI_OK);
    assert_true(info.used_xsdt);
    assert_int_equal(info.root_phys, XSDT_AT);
    assert_int_equal(info.fadt.dsdt_phys, DSDT2_AT);
    assert_int_equal(info.fadt.pm1a_cnt.address, 0x1004);
    assert_int_equal(info.fadt.pm1b_cnt.address, 0x1008);
    assert_int_equal(info.s5.slp_typa, 6);
    assert_int_equal(info.s5.slp_typb, 3);
    build_acpi2_machine(FADT_V6_LENGTH);
    assert_int_equal(read_info(&info), ACPI_OK);
    assert_int_equal(info.fadt.length, FADT_V6_LENGTH);
    assert_int_equal(info.fadt.pm1a_cnt.address, 0x1004);
}

static void test_zero_x_fields_fall_back_to_32_bit_ones(void **state)
{
    (void)state;
    build_acpi2_machine(FADT_V3_LENGTH);
    put64(FADT_AT + 140, 0);     /* X_DSDT */
    put64(FADT_AT + 172 + 4, 0); /* X_PM1a_CNT_BLK address */
    finish_table(FADT_AT);
    struct acpi_power_info info;
    assert_int_equal(read_info(&info), ACPI_OK);
    assert_int_equal(info.fadt.dsdt_phys, DSDT_AT);
    assert_int_equal(info.fadt.pm1a_cnt.address, 0x604);
    assert_int_equal(info.fadt.pm1b_cnt.address, 0x1008);
    assert_int_equal(info.s5.slp_typa, 1);
}

static void test_x_fields_past_the_fadt_length_ignored(void **state)
{
    (void)state;
    build_acpi2_machine(FADT_V3_LENGTH);
    put32(FADT_AT + 4, FADT_V1_LENGTH); /* X_ fields still there, but outside the table */
    finish_table(FADT_AT);
    struct acpi_power_info info;
    assert_int_equal(read_info(&info), ACPI_OK);
    assert_int_equal(info.fadt.dsdt_phys, DSDT_AT);
    assert_int_equal(info.fadt.pm1a_cnt.address, 0x604);
    assert_int_equal(info.fadt.pm1b_cnt.address, 0x608);
}

static void test_memory_space_pm1_block_reported(void **state)
{
    (void)state;
    build_acpi2_machine(FADT_V3_LENGTH);
    put_gas(FADT_AT + 172, (struct gas){ACPI_SPACE_MEMORY, 0xFED80000}, 32);
    finish_table(FADT_AT);
    struct acpi_power_info info;
    assert_int_equal(read_info(&info), ACPI_OK);
    assert_int_equal(info.fadt.pm1a_cnt.space, ACPI_SPACE_MEMORY);
    assert_int_equal(info.fadt.pm1a_cnt.address, 0xFED80000);
    assert_int_equal(info.fadt.pm1a_cnt.bit_width, 32);
}

static void test_damaged_xsdt_falls_back_to_rsdt(void **state)
{
    (void)state;
    build_acpi2_machine(FADT_V3_LENGTH);
    memory[XSDT_AT + 40] ^= 0xFF; /* bad XSDT checksum */
    struct acpi_power_info info;
    assert_int_equal(read_info(&info), ACPI_OK);
    assert_false(info.used_xsdt);
    assert_int_equal(info.root_phys, RSDT_AT);
    /* Both damaged: the RSDT's problem is reported. */
    memory[RSDT_AT + 36] ^= 0xFF;
    assert_int_equal(read_info(&info), ACPI_ERR_BAD_CHECKSUM);
}

static void test_sound_xsdt_without_fadt_is_the_answer(void **state)
{
    (void)state;
    build_acpi2_machine(FADT_V3_LENGTH);
    const uint64_t entries[] = {OTHER_AT};
    build_xsdt(XSDT_AT, entries, 1);
    struct acpi_power_info info;
    assert_int_equal(read_info(&info), ACPI_ERR_NO_FADT);
}

static void test_root_entries_skipped(void **state)
{
    (void)state;
    build_acpi1_machine();
    /* A null entry, one to a damaged FACP copy, one outside memory, then the real one. */
    table_header(OTHER_AT, "FACP", FADT_V1_LENGTH, 1);
    finish_table(OTHER_AT);
    memory[OTHER_AT + 50] ^= 1;
    const uint32_t entries[] = {0, OTHER_AT, 0xFFFFF000, FADT_AT};
    build_rsdt(RSDT_AT, entries, 4);
    put32(RSDT_AT + 4, 36 + 4 * 4 + 3); /* trailing bytes that make no whole entry */
    finish_table(RSDT_AT);
    struct acpi_power_info info;
    assert_int_equal(read_info(&info), ACPI_OK);
    assert_int_equal(info.fadt_phys, FADT_AT);
    /* Without the good one, the damaged copy's problem is the answer. */
    put32(RSDT_AT + 36 + 12, 0);
    finish_table(RSDT_AT);
    assert_int_equal(read_info(&info), ACPI_ERR_BAD_CHECKSUM);
}

static void test_table_header_problems(void **state)
{
    (void)state;
    const uint8_t *table;
    uint32_t length;
    build_acpi1_machine();
    assert_int_equal(acpi_map_table(&fake_memory, DSDT_AT, "DSDT", &table, &length), ACPI_OK);
    assert_int_equal(acpi_map_table(&fake_memory, DSDT_AT, "FACP", &table, &length),
                     ACPI_ERR_BAD_SIGNATURE);
    assert_int_equal(acpi_map_table(&fake_memory, DSDT_AT, NULL, &table, &length), ACPI_OK);
    put32(DSDT_AT + 4, 35);
    assert_int_equal(acpi_map_table(&fake_memory, DSDT_AT, "DSDT", &table, &length),
                     ACPI_ERR_TRUNCATED);
    put32(DSDT_AT + 4, ACPI_TABLE_MAX_LENGTH + 1);
    assert_int_equal(acpi_map_table(&fake_memory, DSDT_AT, "DSDT", &table, &length),
                     ACPI_ERR_TRUNCATED);
    put32(DSDT_AT + 4, MEMORY_SIZE); /* runs past the end of memory */
    assert_int_equal(acpi_map_table(&fake_memory, DSDT_AT, "DSDT", &table, &length),
                     ACPI_ERR_UNMAPPABLE);
    assert_int_equal(acpi_map_table(&fake_memory, MEMORY_SIZE - 8, "DSDT", &table, &length),
                     ACPI_ERR_UNMAPPABLE);
}

static void test_fadt_problems(void **state)
{
    (void)state;
    struct acpi_power_info info;
    build_acpi1_machine();
    memory[FADT_AT + 64] ^= 0x10; /* PM1a_CNT_BLK changed behind the checksum */
    assert_int_equal(read_info(&info), ACPI_ERR_BAD_CHECKSUM);
    build_acpi1_machine();
    put32(FADT_AT + 4, 100); /* shorter than an ACPI 1.0 FADT */
    finish_table(FADT_AT);
    assert_int_equal(read_info(&info), ACPI_ERR_TRUNCATED);
    struct acpi_fadt fadt;
    assert_int_equal(acpi_parse_fadt(memory + FADT_AT, 115, &fadt), ACPI_ERR_TRUNCATED);
}

static void test_dsdt_problems(void **state)
{
    (void)state;
    struct acpi_power_info info;
    build_acpi1_machine();
    memory[DSDT_AT + 40] ^= 0x01;
    assert_int_equal(read_info(&info), ACPI_ERR_BAD_CHECKSUM);
    build_acpi1_machine();
    memcpy(memory + DSDT_AT, "SSDT", 4);
    finish_table(DSDT_AT);
    assert_int_equal(read_info(&info), ACPI_ERR_BAD_SIGNATURE);
    build_acpi1_machine();
    put32(FADT_AT + 40, 0);
    finish_table(FADT_AT);
    assert_int_equal(read_info(&info), ACPI_ERR_NO_DSDT);
    build_acpi1_machine();
    unmappable_start = DSDT_AT + 40;
    assert_int_equal(read_info(&info), ACPI_ERR_UNMAPPABLE);
}

/* The DSDT's Length cut inside the \_S5 package: the package reaches past
 * the table, which must be noticed from the lengths alone. */
static void test_truncated_dsdt(void **state)
{
    (void)state;
    build_acpi1_machine();
    uint32_t length = 36 + sizeof(aml_noise) + 8;
    put32(DSDT_AT + 4, length);
    finish_table(DSDT_AT);
    struct acpi_power_info info;
    assert_int_equal(read_info(&info), ACPI_ERR_TRUNCATED);
    put32(DSDT_AT + 4, 36); /* no AML at all */
    finish_table(DSDT_AT);
    assert_int_equal(read_info(&info), ACPI_ERR_NO_S5);
}

/* Definition blocks without \_S5: a DSDT and an SSDT with only noise. */
static void build_block_without_s5(uint64_t at, const char *signature)
{
    table_header(at, signature, (uint32_t)(36 + sizeof(aml_noise)), 2);
    memcpy(memory + at + 36, aml_noise, sizeof(aml_noise));
    finish_table(at);
}

/* An ACPI 1.0 machine whose \_S5 is in the second of two SSDTs. */
static void build_s5_in_ssdt_machine(void)
{
    build_acpi1_machine();
    build_block_without_s5(DSDT_AT, "DSDT");
    build_block_without_s5(SSDT1_AT, "SSDT");
    build_dsdt_with_s5(SSDT2_AT, 4, 6);
    memcpy(memory + SSDT2_AT, "SSDT", 4);
    finish_table(SSDT2_AT);
    const uint32_t entries[] = {OTHER_AT, SSDT1_AT, FADT_AT, SSDT2_AT};
    build_rsdt(RSDT_AT, entries, 4);
}

static void test_s5_found_in_an_ssdt(void **state)
{
    (void)state;
    build_s5_in_ssdt_machine();
    struct acpi_power_info info;
    assert_int_equal(read_info(&info), ACPI_OK);
    assert_int_equal(info.s5_table_phys, SSDT2_AT);
    assert_int_equal(info.s5.slp_typa, 4);
    assert_int_equal(info.s5.slp_typb, 6);
    /* The DSDT's definition comes first. */
    build_dsdt_with_s5(DSDT_AT, 2, 3);
    assert_int_equal(read_info(&info), ACPI_OK);
    assert_int_equal(info.s5_table_phys, DSDT_AT);
    assert_int_equal(info.s5.slp_typa, 2);
    /* Nowhere at all. */
    build_block_without_s5(DSDT_AT, "DSDT");
    build_block_without_s5(SSDT2_AT, "SSDT");
    assert_int_equal(read_info(&info), ACPI_ERR_NO_S5);
    assert_int_equal(info.s5_table_phys, 0);
}

static void test_find_table_by_index(void **state)
{
    (void)state;
    build_s5_in_ssdt_machine();
    struct acpi_rsdp rsdp;
    assert_int_equal(acpi_find_rsdp(&fake_memory, &rsdp), ACPI_OK);
    uint64_t phys, root;
    bool used_xsdt;
    assert_int_equal(acpi_find_table(&fake_memory, &rsdp, "SSDT", 0, &phys, &used_xsdt, &root),
                     ACPI_OK);
    assert_int_equal(phys, SSDT1_AT);
    assert_int_equal(acpi_find_table(&fake_memory, &rsdp, "SSDT", 1, &phys, &used_xsdt, &root),
                     ACPI_OK);
    assert_int_equal(phys, SSDT2_AT);
    assert_int_equal(acpi_find_table(&fake_memory, &rsdp, "SSDT", 2, &phys, &used_xsdt, &root),
                     ACPI_ERR_NO_TABLE);
    /* A damaged SSDT is not counted: the good one becomes the first. */
    memory[SSDT1_AT + 40] ^= 1;
    assert_int_equal(acpi_find_table(&fake_memory, &rsdp, "SSDT", 0, &phys, &used_xsdt, &root),
                     ACPI_OK);
    assert_int_equal(phys, SSDT2_AT);
    assert_int_equal(acpi_find_table(&fake_memory, &rsdp, "SSDT", 1, &phys, &used_xsdt, &root),
                     ACPI_ERR_BAD_CHECKSUM);
}

/* ------------------------------------------------------------ \_S5 in AML */

static enum acpi_status find_s5(const uint8_t *aml, size_t len, struct acpi_sleep_type *s5)
{
    /* An exact-size heap copy, so ASan sees reads past len. */
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, aml, len);
    enum acpi_status status = acpi_find_s5(copy, len, s5);
    free(copy);
    return status;
}

struct encoding {
    const char *what;
    uint8_t bytes[5];
    size_t len;
    uint8_t value;
};

static const struct encoding encodings[] = {
    {"ZeroOp", {0x00}, 1, 0},
    {"OneOp", {0x01}, 1, 1},
    {"BytePrefix", {0x0A, 0x05}, 2, 5},
    {"BytePrefix 7", {0x0A, 0x07}, 2, 7},
    {"WordPrefix", {0x0B, 0x06, 0x00}, 3, 6},
    {"DWordPrefix", {0x0C, 0x03, 0x00, 0x00, 0x00}, 5, 3},
    {"plain byte", {0x05}, 1, 5},
};

#define ENCODING_COUNT (sizeof(encodings) / sizeof(encodings[0]))

static void test_s5_every_element_encoding(void **state)
{
    (void)state;
    for (size_t a = 0; a < ENCODING_COUNT; a++) {
        for (size_t b = 0; b < ENCODING_COUNT; b++) {
            uint8_t elements[16], aml[64];
            size_t n = 0;
            memcpy(elements, encodings[a].bytes, encodings[a].len);
            n += encodings[a].len;
            memcpy(elements + n, encodings[b].bytes, encodings[b].len);
            n += encodings[b].len;
            elements[n++] = 0x00;
            elements[n++] = 0x00;
            size_t len = s5_object(aml, (a + b) % 2, 1, 4, elements, n);
            struct acpi_sleep_type s5 = {0xEE, 0xEE, 0};
            enum acpi_status status = find_s5(aml, len, &s5);
            if (status != ACPI_OK || s5.slp_typa != encodings[a].value ||
                s5.slp_typb != encodings[b].value)
                fail_msg("%s, %s: status %d, got %u %u", encodings[a].what, encodings[b].what,
                         status, s5.slp_typa, s5.slp_typb);
        }
    }
}

static void test_s5_pkg_length_sizes(void **state)
{
    (void)state;
    /* 1 byte; 2 bytes for a real package of more than 63 bytes (padding
     * elements after the four); 3 and 4 bytes as non-minimal encodings. */
    const int sizes[] = {1, 2, 3, 4};
    for (size_t i = 0; i < 4; i++) {
        uint8_t elements[200], aml[256];
        size_t n = 0;
        const uint8_t head[] = {0x0A, 0x05, 0x0A, 0x02, 0x00, 0x00};
        memcpy(elements, head, sizeof(head));
        n = sizeof(head);
        uint8_t count = 4;
        if (sizes[i] == 2) {
            memset(elements + n, 0x00, 100);
            n += 100;
            count += 100;
        }
        size_t len = s5_object(aml, false, sizes[i], count, elements, n);
        struct acpi_sleep_type s5;
        assert_int_equal(find_s5(aml, len, &s5), ACPI_OK);
        assert_int_equal(s5.slp_typa, 5);
        assert_int_equal(s5.slp_typb, 2);
        assert_int_equal(s5.element_count, count);
    }
}

static void test_s5_one_element_package(void **state)
{
    (void)state;
    uint8_t aml[32];
    const uint8_t elements[] = {0x0A, 0x07};
    size_t len = s5_object(aml, true, 1, 1, elements, sizeof(elements));
    struct acpi_sleep_type s5;
    assert_int_equal(find_s5(aml, len, &s5), ACPI_OK);
    assert_int_equal(s5.slp_typa, 7);
    assert_int_equal(s5.slp_typb, 0);
}

static void test_s5_references_skipped(void **state)
{
    (void)state;
    uint8_t aml[128];
    size_t n = sizeof(aml_noise);
    memcpy(aml, aml_noise, n);
    struct acpi_sleep_type s5;
    assert_int_equal(find_s5(aml, n, &s5), ACPI_ERR_NO_S5);
    const uint8_t elements[] = {0x01, 0x0A, 0x03};
    n += s5_object(aml + n, false, 1, 2, elements, sizeof(elements));
    assert_int_equal(find_s5(aml, n, &s5), ACPI_OK);
    assert_int_equal(s5.slp_typa, 1);
    assert_int_equal(s5.slp_typb, 3);
}

static void test_s5_missing(void **state)
{
    (void)state;
    const uint8_t aml[] = {0x08, '_', 'S', '4', '_', 0x12, 0x04, 0x02, 0x00, 0x00};
    struct acpi_sleep_type s5;
    assert_int_equal(find_s5(aml, sizeof(aml), &s5), ACPI_ERR_NO_S5);
    assert_int_equal(find_s5(aml, 0, &s5), ACPI_ERR_NO_S5);
    assert_int_equal(find_s5((const uint8_t *)"_S5_", 4, &s5), ACPI_ERR_NO_S5);
}

static void test_s5_damaged_packages(void **state)
{
    (void)state;
    struct {
        const char *what;
        uint8_t aml[16];
        size_t len;
        enum acpi_status expect;
    } cases[] = {
        {"name at the very end", {0x08, '_', 'S', '5', '_'}, 5, ACPI_ERR_BAD_AML},
        {"not a package", {0x08, '_', 'S', '5', '_', 0x0A, 0x05}, 7, ACPI_ERR_BAD_AML},
        {"PkgLength past the AML",
         {0x08, '_', 'S', '5', '_', 0x12, 0x20, 0x02, 0x00, 0x00},
         10,
         ACPI_ERR_TRUNCATED},
        {"PkgLength bytes missing",
         {0x08, '_', 'S', '5', '_', 0x12, 0xC4, 0x00},
         8,
         ACPI_ERR_BAD_AML},
        {"PkgLength bits 5-4 set",
         {0x08, '_', 'S', '5', '_', 0x12, 0x56, 0x00, 0x02, 0x00, 0x00},
         11,
         ACPI_ERR_BAD_AML},
        {"PkgLength shorter than itself",
         {0x08, '_', 'S', '5', '_', 0x12, 0x40, 0x00, 0x02},
         9,
         ACPI_ERR_BAD_AML},
        {"no NumElements", {0x08, '_', 'S', '5', '_', 0x12, 0x01}, 7, ACPI_ERR_BAD_AML},
        {"zero elements", {0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00}, 8, ACPI_ERR_BAD_AML},
        {"element cut by the package end",
         {0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x02, 0x0A},
         9,
         ACPI_ERR_BAD_AML},
        {"second element missing",
         {0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x02, 0x00},
         9,
         ACPI_ERR_BAD_AML},
        {"value too large",
         {0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0A, 0x08, 0x00},
         11,
         ACPI_ERR_BAD_AML},
        {"unknown element",
         {0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x0D, 0x00},
         10,
         ACPI_ERR_BAD_AML},
        {"DWord cut",
         {0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0C, 0x00, 0x00},
         11,
         ACPI_ERR_BAD_AML},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct acpi_sleep_type s5;
        enum acpi_status status = find_s5(cases[i].aml, cases[i].len, &s5);
        if (status != cases[i].expect)
            fail_msg("%s: status %d (%s), expected %d", cases[i].what, status,
                     acpi_status_name(status), cases[i].expect);
    }
}

/* Every single-byte change anywhere in the tables: an error or a result,
 * never a read outside what was mapped (ASan) or a crash. */
static void test_every_byte_corrupted(void **state)
{
    (void)state;
    const struct {
        uint64_t at;
        size_t len;
    } tables[] = {
        {RSDP_AT, 36}, {XSDT_AT, 52}, {RSDT_AT, 40}, {FADT_AT, FADT_V3_LENGTH}, {DSDT2_AT, 100}};
    const uint8_t patterns[] = {0xFF, 0x80, 0x01};
    unsigned ok = 0, failed = 0;
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        for (size_t i = 0; i < tables[t].len; i++) {
            for (size_t p = 0; p < sizeof(patterns); p++) {
                build_acpi2_machine(FADT_V3_LENGTH);
                memory[tables[t].at + i] ^= patterns[p];
                struct acpi_power_info info;
                if (read_info(&info) == ACPI_OK)
                    ok++;
                else
                    failed++;
                for (size_t m = 0; m < mapping_count; m++)
                    free(mappings[m]);
                mapping_count = 0;
            }
        }
    }
    assert_true(failed > 0);
    assert_true(ok > 0); /* e.g. damage to the XSDT falls back to the RSDT */
}

static void test_status_names(void **state)
{
    (void)state;
    for (int s = ACPI_OK; s <= ACPI_ERR_BAD_AML; s++) {
        const char *name = acpi_status_name((enum acpi_status)s);
        assert_non_null(name);
        assert_string_not_equal(name, "unknown ACPI status");
    }
    assert_string_equal(acpi_status_name(ACPI_ERR_BAD_CHECKSUM), "bad checksum");
}

/* ---------------------------------------------------------------- the loader's RSDP copy */

/* The RSDP at RSDP_AT taken out of memory into copy[], as a UEFI loader
 * hands it over: the BIOS area then holds no RSDP at all. */
static void move_rsdp_to_loader_copy(uint8_t copy[ACPI_RSDP_V2_LENGTH])
{
    memcpy(copy, memory + RSDP_AT, ACPI_RSDP_V2_LENGTH);
    memset(memory + RSDP_AT, 0, ACPI_RSDP_V2_LENGTH);
}

static void test_loader_copy_used_without_bios_rsdp(void **state)
{
    (void)state;
    uint8_t copy[ACPI_RSDP_V2_LENGTH];
    build_acpi2_machine(FADT_V6_LENGTH);
    move_rsdp_to_loader_copy(copy);
    assert_int_equal(acpi_find_rsdp(&fake_memory, &(struct acpi_rsdp){0}), ACPI_ERR_NO_RSDP);

    struct acpi_memory mem = {.map = fake_map, .loader_rsdp = copy, .loader_rsdp_length = 36};
    struct acpi_power_info info;
    assert_int_equal(acpi_read_power_info(&mem, &info), ACPI_OK);
    assert_true(info.rsdp.phys == ACPI_RSDP_FROM_LOADER);
    assert_int_equal(info.rsdp.revision, 2);
    assert_true(info.used_xsdt);
    assert_int_equal(info.root_phys, XSDT_AT);
}

static void test_loader_copy_preferred_to_bios_area(void **state)
{
    (void)state;
    uint8_t copy[ACPI_RSDP_V2_LENGTH];
    build_rsdp(RSDP_AT, 0, 0x11111111, 0);
    memcpy(copy, memory + RSDP_AT, ACPI_RSDP_V1_LENGTH);
    build_rsdp(RSDP_AT, 0, 0x22222222, 0); /* a different one in the BIOS area */

    struct acpi_memory mem = {.map = fake_map, .loader_rsdp = copy, .loader_rsdp_length = 20};
    struct acpi_rsdp rsdp;
    assert_int_equal(acpi_find_rsdp(&mem, &rsdp), ACPI_OK);
    assert_true(rsdp.phys == ACPI_RSDP_FROM_LOADER);
    assert_int_equal(rsdp.rsdt_phys, 0x11111111);
}

static void test_damaged_loader_copy_falls_back_to_search(void **state)
{
    (void)state;
    uint8_t copy[ACPI_RSDP_V2_LENGTH];
    build_rsdp(RSDP_AT, 2, RSDT_AT, XSDT_AT);
    memcpy(copy, memory + RSDP_AT, ACPI_RSDP_V2_LENGTH);
    copy[9] ^= 1; /* an OEM ID byte: both checksums fail */

    struct acpi_memory mem = {.map = fake_map, .loader_rsdp = copy, .loader_rsdp_length = 36};
    struct acpi_rsdp rsdp;
    assert_int_equal(acpi_find_rsdp(&mem, &rsdp), ACPI_OK);
    assert_int_equal(rsdp.phys, RSDP_AT);
    /* A copy too short for its revision is refused the same way. */
    build_rsdp(RSDP_AT, 2, RSDT_AT, XSDT_AT);
    memcpy(copy, memory + RSDP_AT, ACPI_RSDP_V2_LENGTH);
    mem.loader_rsdp_length = 20;
    assert_int_equal(acpi_find_rsdp(&mem, &rsdp), ACPI_OK);
    assert_int_equal(rsdp.phys, RSDP_AT);
}

#define TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_checksum),
        TEST(test_rsdp_acpi1_in_bios_area),
        TEST(test_rsdp_acpi2_extended_checksum),
        TEST(test_rsdp_ebda_searched_first),
        TEST(test_rsdp_bogus_ebda_pointer_ignored),
        TEST(test_rsdp_only_on_16_byte_boundaries),
        TEST(test_rsdp_bad_checksum_then_good_copy),
        TEST(test_rsdp_lengths),
        TEST(test_rsdp_missing_or_unmappable),
        TEST(test_loader_copy_used_without_bios_rsdp),
        TEST(test_loader_copy_preferred_to_bios_area),
        TEST(test_damaged_loader_copy_falls_back_to_search),
        TEST(test_acpi1_machine_through_rsdt),
        TEST(test_acpi2_machine_prefers_xsdt_and_x_fields),
        TEST(test_zero_x_fields_fall_back_to_32_bit_ones),
        TEST(test_x_fields_past_the_fadt_length_ignored),
        TEST(test_memory_space_pm1_block_reported),
        TEST(test_damaged_xsdt_falls_back_to_rsdt),
        TEST(test_sound_xsdt_without_fadt_is_the_answer),
        TEST(test_root_entries_skipped),
        TEST(test_table_header_problems),
        TEST(test_fadt_problems),
        TEST(test_dsdt_problems),
        TEST(test_truncated_dsdt),
        TEST(test_s5_found_in_an_ssdt),
        TEST(test_find_table_by_index),
        TEST(test_s5_every_element_encoding),
        TEST(test_s5_pkg_length_sizes),
        TEST(test_s5_one_element_package),
        TEST(test_s5_references_skipped),
        TEST(test_s5_missing),
        TEST(test_s5_damaged_packages),
        TEST(test_every_byte_corrupted),
        TEST(test_status_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
