/*
 * test_madt.c - host tests for the MADT reader (drivers/acpi/madt.c).
 *
 * Each test builds a table entry by entry, as firmware lays it out (QEMU's
 * SeaBIOS and OVMF tables have this shape: local APIC entries, one I/O
 * APIC, overrides for IRQ 0 and the PCI lines, one NMI entry for every
 * CPU), then checks what the reader made of it. The table is copied into
 * a heap block of exactly its length, so AddressSanitizer catches a read
 * past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <drivers/acpi/madt.h>

#define TABLE_MAX 2048

struct builder {
    uint8_t bytes[TABLE_MAX];
    uint32_t length;
};

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static void start(struct builder *b, uint32_t lapic, uint32_t flags)
{
    memset(b, 0, sizeof(*b));
    memcpy(b->bytes, "APIC", 4);
    b->bytes[8] = 4; /* revision */
    put32(b->bytes + 36, lapic);
    put32(b->bytes + 40, flags);
    b->length = 44;
}

static uint8_t *entry(struct builder *b, uint8_t type, uint8_t length)
{
    uint8_t *e = b->bytes + b->length;
    assert_true(b->length + length <= TABLE_MAX);
    e[0] = type;
    e[1] = length;
    b->length += length;
    return e;
}

static void local_apic(struct builder *b, uint8_t uid, uint8_t id, uint32_t flags)
{
    uint8_t *e = entry(b, 0, 8);
    e[2] = uid;
    e[3] = id;
    put32(e + 4, flags);
}

static void x2apic(struct builder *b, uint32_t id, uint32_t flags, uint32_t uid)
{
    uint8_t *e = entry(b, 9, 16);
    put32(e + 4, id);
    put32(e + 8, flags);
    put32(e + 12, uid);
}

static void ioapic(struct builder *b, uint8_t id, uint32_t address, uint32_t gsi_base)
{
    uint8_t *e = entry(b, 1, 12);
    e[2] = id;
    put32(e + 4, address);
    put32(e + 8, gsi_base);
}

static void override(struct builder *b, uint8_t bus, uint8_t irq, uint32_t gsi, uint16_t flags)
{
    uint8_t *e = entry(b, 2, 10);
    e[2] = bus;
    e[3] = irq;
    put32(e + 4, gsi);
    put16(e + 8, flags);
}

static void nmi(struct builder *b, uint8_t uid, uint16_t flags, uint8_t lint)
{
    uint8_t *e = entry(b, 4, 6);
    e[2] = uid;
    put16(e + 3, flags);
    e[5] = lint;
}

/* Parse the table from a heap copy of exactly its length. */
static enum acpi_status parse(const struct builder *b, uint32_t length, struct madt_info *info)
{
    uint8_t *copy = malloc(length ? length : 1);
    assert_non_null(copy);
    memcpy(copy, b->bytes, length);
    enum acpi_status status = madt_parse(copy, length, info);
    free(copy);
    return status;
}

/* What QEMU's pc machine with -smp 2 describes. */
static void qemu_like(struct builder *b)
{
    start(b, 0xFEE00000, 1);
    local_apic(b, 0, 0, 1);
    local_apic(b, 1, 1, 1);
    ioapic(b, 0, 0xFEC00000, 0);
    override(b, 0, 0, 2, 0);
    override(b, 0, 5, 5, 0xD);
    override(b, 0, 9, 9, 0xD);
    override(b, 0, 10, 10, 0xD);
    override(b, 0, 11, 11, 0xD);
    nmi(b, 0xFF, 0, 1);
}

static void test_qemu_like_table(void **state)
{
    (void)state;
    struct builder b;
    struct madt_info info;
    qemu_like(&b);
    assert_int_equal(parse(&b, b.length, &info), ACPI_OK);
    assert_int_equal(info.lapic_phys, 0xFEE00000);
    assert_true(info.pcat_compat);
    assert_int_equal(info.cpu_count, 2);
    assert_int_equal(info.cpus[0].apic_id, 0);
    assert_int_equal(info.cpus[1].apic_id, 1);
    assert_int_equal(info.cpus[1].uid, 1);
    assert_true(info.cpus[1].enabled);
    assert_int_equal(info.ioapic_count, 1);
    assert_int_equal(info.ioapics[0].phys, 0xFEC00000);
    assert_int_equal(info.ioapics[0].gsi_base, 0);
    assert_int_equal(info.override_count, 5);
    assert_int_equal(info.nmi_count, 1);
    assert_int_equal(info.nmis[0].uid, MADT_UID_ALL_CPUS);
    assert_int_equal(info.nmis[0].lint, 1);
    assert_int_equal(info.entries_skipped, 0);
}

static void test_isa_irq_through_override_or_identity(void **state)
{
    (void)state;
    struct builder b;
    struct madt_info info;
    qemu_like(&b);
    assert_int_equal(parse(&b, b.length, &info), ACPI_OK);
    uint32_t gsi;
    uint16_t flags;
    madt_isa_irq(&info, 0, &gsi, &flags); /* the PIT on pin 2 */
    assert_int_equal(gsi, 2);
    assert_int_equal(flags, 0);
    madt_isa_irq(&info, 9, &gsi, &flags); /* ACPI's SCI: level, active high */
    assert_int_equal(gsi, 9);
    assert_int_equal(flags & MADT_TRIGGER_MASK, MADT_TRIGGER_LEVEL);
    assert_int_equal(flags & MADT_POLARITY_MASK, MADT_POLARITY_HIGH);
    madt_isa_irq(&info, 1, &gsi, &flags); /* the keyboard: no override */
    assert_int_equal(gsi, 1);
    assert_int_equal(flags, 0);
    madt_isa_irq(&info, 4, &gsi, &flags);
    assert_int_equal(gsi, 4);
}

static void test_disabled_cpus_left_out_online_capable_kept(void **state)
{
    (void)state;
    struct builder b;
    struct madt_info info;
    start(&b, 0xFEE00000, 0);
    local_apic(&b, 0, 0, 1);
    local_apic(&b, 1, 2, 0); /* neither enabled nor online capable */
    local_apic(&b, 2, 4, 2); /* online capable only */
    assert_int_equal(parse(&b, b.length, &info), ACPI_OK);
    assert_false(info.pcat_compat);
    assert_int_equal(info.cpu_count, 2);
    assert_int_equal(info.cpus[1].apic_id, 4);
    assert_false(info.cpus[1].enabled);
    assert_true(info.cpus[1].online_capable);
}

static void test_x2apic_entries(void **state)
{
    (void)state;
    struct builder b;
    struct madt_info info;
    start(&b, 0xFEE00000, 1);
    local_apic(&b, 0, 0, 1);
    x2apic(&b, 300, 1, 7);
    uint8_t *e = entry(&b, 10, 12); /* x2APIC NMI for uid 7 on LINT1 */
    put16(e + 2, 0x5);
    put32(e + 4, 7);
    e[8] = 1;
    assert_int_equal(parse(&b, b.length, &info), ACPI_OK);
    assert_int_equal(info.cpu_count, 2);
    assert_int_equal(info.cpus[1].apic_id, 300);
    assert_int_equal(info.cpus[1].uid, 7);
    assert_int_equal(info.nmi_count, 1);
    assert_int_equal(info.nmis[0].uid, 7);
    assert_int_equal(info.nmis[0].lint, 1);
    assert_int_equal(info.nmis[0].flags, 0x5);
}

static void test_address_override_wins(void **state)
{
    (void)state;
    struct builder b;
    struct madt_info info;
    start(&b, 0xFEE00000, 1);
    uint8_t *e = entry(&b, 5, 12);
    put64(e + 4, 0x1FEE00000ull);
    local_apic(&b, 0, 0, 1);
    assert_int_equal(parse(&b, b.length, &info), ACPI_OK);
    assert_int_equal(info.lapic_phys, 0x1FEE00000ull);
}

static void test_unknown_and_short_entries_skipped(void **state)
{
    (void)state;
    struct builder b;
    struct madt_info info;
    start(&b, 0xFEE00000, 1);
    entry(&b, 0x7F, 6);       /* a type this reader does not use */
    entry(&b, 0, 4);          /* a local APIC entry too short for its fields */
    override(&b, 1, 3, 3, 0); /* an override for a bus other than ISA */
    local_apic(&b, 0, 0, 1);
    assert_int_equal(parse(&b, b.length, &info), ACPI_OK);
    assert_int_equal(info.entries_skipped, 3);
    assert_int_equal(info.cpu_count, 1);
    assert_int_equal(info.override_count, 0);
}

static void test_damaged_tables_refused(void **state)
{
    (void)state;
    struct builder b;
    struct madt_info info;
    qemu_like(&b);
    /* An entry cut off by the table's end. */
    assert_int_equal(parse(&b, b.length - 1, &info), ACPI_ERR_TRUNCATED);
    /* The fixed part cut short. */
    assert_int_equal(parse(&b, 40, &info), ACPI_ERR_TRUNCATED);
    assert_int_equal(parse(&b, 20, &info), ACPI_ERR_TRUNCATED);
    /* An entry of length 0 or 1 would never advance. */
    start(&b, 0xFEE00000, 1);
    entry(&b, 0, 8)[1] = 0;
    assert_int_equal(parse(&b, b.length, &info), ACPI_ERR_TRUNCATED);
    start(&b, 0xFEE00000, 1);
    entry(&b, 0, 8)[1] = 1;
    assert_int_equal(parse(&b, b.length, &info), ACPI_ERR_TRUNCATED);
    /* Another table's signature. */
    qemu_like(&b);
    memcpy(b.bytes, "FACP", 4);
    assert_int_equal(parse(&b, b.length, &info), ACPI_ERR_BAD_SIGNATURE);
}

static void test_more_cpus_than_kept(void **state)
{
    (void)state;
    struct builder b;
    struct madt_info info;
    start(&b, 0xFEE00000, 1);
    for (unsigned i = 0; i < MADT_MAX_CPUS + 3; i++)
        x2apic(&b, i, 1, i);
    assert_int_equal(parse(&b, b.length, &info), ACPI_OK);
    assert_int_equal(info.cpu_count, MADT_MAX_CPUS);
    assert_int_equal(info.cpus_dropped, 3);
    assert_int_equal(info.cpus[MADT_MAX_CPUS - 1].apic_id, MADT_MAX_CPUS - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qemu_like_table),
        cmocka_unit_test(test_isa_irq_through_override_or_identity),
        cmocka_unit_test(test_disabled_cpus_left_out_online_capable_kept),
        cmocka_unit_test(test_x2apic_entries),
        cmocka_unit_test(test_address_override_wins),
        cmocka_unit_test(test_unknown_and_short_entries_skipped),
        cmocka_unit_test(test_damaged_tables_refused),
        cmocka_unit_test(test_more_cpus_than_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
