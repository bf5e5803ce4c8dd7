/*
 * madt.h - the ACPI MADT ("APIC", Multiple APIC Description Table): which
 * CPUs the machine has and how its interrupts reach them.
 *
 * Pure: madt_parse reads a table that acpi_map_table has already checked
 * (length and checksum) and fills a struct madt_info; the kernel gets the
 * machine's through acpi_madt (drivers/acpi/acpi.h).
 *
 * Facts from the ACPI specification (6.x, 5.2.12): after the 36-byte
 * header come the local APIC's 32-bit physical address (offset 36) and
 * flags (offset 40, bit 0 PCAT_COMPAT: the machine also has 8259 PICs,
 * which must be masked before the APICs are used), then entries of
 * {type, length, ...}:
 *   0 processor local APIC    uid u8, APIC id u8, flags u32 (8 bytes)
 *   1 I/O APIC                id u8, reserved u8, address u32, GSI base u32 (12)
 *   2 interrupt source override  bus u8 (0 = ISA), source IRQ u8, GSI u32, flags u16 (10)
 *   4 local APIC NMI          uid u8 (0xFF: every CPU), flags u16, LINT# u8 (6)
 *   5 local APIC address override  reserved u16, address u64 (12)
 *   9 processor local x2APIC  reserved u16, x2APIC id u32, flags u32, uid u32 (16)
 *   10 local x2APIC NMI       flags u16, uid u32 (0xFFFFFFFF: every CPU), LINT# u8 (12)
 * Processor flags: bit 0 enabled, bit 1 online capable (may be enabled
 * later; a CPU with neither bit cannot be used). MPS INTI flags (overrides
 * and NMIs): bits 1-0 polarity (0 bus default, 1 active high, 3 active
 * low), bits 3-2 trigger mode (0 bus default, 1 edge, 3 level).
 */
#ifndef KEEL_DRIVERS_ACPI_MADT_H
#define KEEL_DRIVERS_ACPI_MADT_H

#include <drivers/acpi/tables.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MADT_MAX_CPUS      64
#define MADT_MAX_IOAPICS   8
#define MADT_MAX_OVERRIDES 16
#define MADT_MAX_NMIS      16

#define MADT_UID_ALL_CPUS UINT32_MAX /* an NMI entry that applies to every CPU */

/* MPS INTI flags, as in overrides and NMI entries. */
#define MADT_POLARITY_MASK 0x3u
#define MADT_POLARITY_HIGH 0x1u
#define MADT_POLARITY_LOW  0x3u
#define MADT_TRIGGER_MASK  0xCu
#define MADT_TRIGGER_EDGE  0x4u
#define MADT_TRIGGER_LEVEL 0xCu

struct madt_cpu {
    uint32_t apic_id;
    uint32_t uid; /* the ACPI processor UID, which NMI entries name */
    bool enabled;
    bool online_capable;
};

struct madt_ioapic {
    uint32_t id;
    uint32_t phys;     /* its register window */
    uint32_t gsi_base; /* the global system interrupt of its pin 0 */
};

struct madt_override {
    uint8_t source; /* ISA IRQ */
    uint32_t gsi;
    uint16_t flags; /* MPS INTI flags */
};

struct madt_nmi {
    uint32_t uid; /* MADT_UID_ALL_CPUS for every CPU */
    uint8_t lint; /* 0 or 1 */
    uint16_t flags;
};

struct madt_info {
    uint64_t lapic_phys; /* the 32-bit field, or the address override's */
    bool pcat_compat;    /* 8259 PICs present */
    size_t cpu_count;    /* usable CPUs (enabled or online capable) kept in cpus[] */
    struct madt_cpu cpus[MADT_MAX_CPUS];
    size_t cpus_dropped; /* usable CPUs beyond MADT_MAX_CPUS */
    size_t ioapic_count;
    struct madt_ioapic ioapics[MADT_MAX_IOAPICS];
    size_t override_count;
    struct madt_override overrides[MADT_MAX_OVERRIDES];
    size_t nmi_count;
    struct madt_nmi nmis[MADT_MAX_NMIS];
    size_t entries_skipped; /* entries of types not used here, or too short to read */
};

/* Read a checked MADT of `length` bytes. ACPI_ERR_BAD_SIGNATURE if it is
 * not "APIC", ACPI_ERR_TRUNCATED if the fixed part is cut short or an entry
 * runs past the end (or has a length below 2, which would never advance).
 * CPUs flagged neither enabled nor online capable are left out; an entry
 * of a known type shorter than its fields is skipped and counted. */
enum acpi_status madt_parse(const uint8_t *table, uint32_t length, struct madt_info *out);

/* The GSI and flags that ISA IRQ `irq` arrives on: its override when there
 * is one, else GSI = irq, edge-triggered, active high (the ISA default). */
void madt_isa_irq(const struct madt_info *info, uint8_t irq, uint32_t *gsi, uint16_t *flags);

#endif
