/*
 * madt.c - reading the MADT (see madt.h).
 */
#include <drivers/acpi/madt.h>

#define MADT_FIXED_LENGTH 44 /* header, local APIC address, flags */

enum madt_type {
    MADT_LOCAL_APIC = 0,
    MADT_IOAPIC = 1,
    MADT_OVERRIDE = 2,
    MADT_LOCAL_APIC_NMI = 4,
    MADT_LAPIC_ADDRESS = 5,
    MADT_LOCAL_X2APIC = 9,
    MADT_LOCAL_X2APIC_NMI = 10,
};

#define CPU_ENABLED        0x1u
#define CPU_ONLINE_CAPABLE 0x2u
#define ISA_BUS            0

static void add_cpu(struct madt_info *out, uint32_t apic_id, uint32_t uid, uint32_t flags)
{
    if (!(flags & (CPU_ENABLED | CPU_ONLINE_CAPABLE)))
        return;
    if (out->cpu_count == MADT_MAX_CPUS) {
        out->cpus_dropped++;
        return;
    }
    struct madt_cpu *cpu = &out->cpus[out->cpu_count++];
    cpu->apic_id = apic_id;
    cpu->uid = uid;
    cpu->enabled = flags & CPU_ENABLED;
    cpu->online_capable = flags & CPU_ONLINE_CAPABLE;
}

static void add_nmi(struct madt_info *out, uint32_t uid, uint16_t flags, uint8_t lint)
{
    if (out->nmi_count == MADT_MAX_NMIS) {
        out->entries_skipped++;
        return;
    }
    out->nmis[out->nmi_count++] = (struct madt_nmi){.uid = uid, .lint = lint, .flags = flags};
}

/* One entry of `len` bytes at e; false if it is too short for its type. */
static bool read_entry(struct madt_info *out, const uint8_t *e, uint8_t len)
{
    switch (e[0]) {
    case MADT_LOCAL_APIC:
        if (len < 8)
            return false;
        add_cpu(out, e[3], e[2], acpi_read32(e + 4));
        return true;
    case MADT_LOCAL_X2APIC:
        if (len < 16)
            return false;
        add_cpu(out, acpi_read32(e + 4), acpi_read32(e + 12), acpi_read32(e + 8));
        return true;
    case MADT_IOAPIC:
        if (len < 12)
            return false;
        if (out->ioapic_count == MADT_MAX_IOAPICS)
            return false;
        out->ioapics[out->ioapic_count++] = (struct madt_ioapic){
            .id = e[2], .phys = acpi_read32(e + 4), .gsi_base = acpi_read32(e + 8)};
        return true;
    case MADT_OVERRIDE:
        if (len < 10 || e[2] != ISA_BUS || out->override_count == MADT_MAX_OVERRIDES)
            return false;
        out->overrides[out->override_count++] = (struct madt_override){
            .source = e[3], .gsi = acpi_read32(e + 4), .flags = acpi_read16(e + 8)};
        return true;
    case MADT_LOCAL_APIC_NMI:
        if (len < 6)
            return false;
        add_nmi(out, e[2] == 0xFF ? MADT_UID_ALL_CPUS : e[2], acpi_read16(e + 3), e[5]);
        return true;
    case MADT_LOCAL_X2APIC_NMI:
        if (len < 12)
            return false;
        add_nmi(out, acpi_read32(e + 4), acpi_read16(e + 2), e[8]);
        return true;
    case MADT_LAPIC_ADDRESS:
        if (len < 12)
            return false;
        out->lapic_phys = acpi_read64(e + 4);
        return true;
    default:
        return false;
    }
}

enum acpi_status madt_parse(const uint8_t *table, uint32_t length, struct madt_info *out)
{
    *out = (struct madt_info){0};
    if (length < ACPI_HEADER_LENGTH || !acpi_bytes_equal(table, "APIC", 4))
        return length < ACPI_HEADER_LENGTH ? ACPI_ERR_TRUNCATED : ACPI_ERR_BAD_SIGNATURE;
    if (length < MADT_FIXED_LENGTH)
        return ACPI_ERR_TRUNCATED;
    out->lapic_phys = acpi_read32(table + 36);
    out->pcat_compat = acpi_read32(table + 40) & 1;
    /* The address override may come before or after the CPUs; it wins wherever it is. */
    for (uint32_t at = MADT_FIXED_LENGTH; at < length;) {
        if (length - at < 2)
            return ACPI_ERR_TRUNCATED;
        uint8_t len = table[at + 1];
        if (len < 2 || len > length - at)
            return ACPI_ERR_TRUNCATED;
        if (!read_entry(out, table + at, len))
            out->entries_skipped++;
        at += len;
    }
    return ACPI_OK;
}

void madt_isa_irq(const struct madt_info *info, uint8_t irq, uint32_t *gsi, uint16_t *flags)
{
    for (size_t i = 0; i < info->override_count; i++) {
        if (info->overrides[i].source == irq) {
            *gsi = info->overrides[i].gsi;
            *flags = info->overrides[i].flags;
            return;
        }
    }
    *gsi = irq;
    *flags = 0; /* bus defaults: ISA is edge-triggered, active high */
}
