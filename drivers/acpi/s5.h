/*
 * s5.h - the ACPI sleep type for soft-off (\_S5) and everything power-off
 * needs from the tables (s5.c), pure like tables.h.
 */
#ifndef KEEL_DRIVERS_ACPI_S5_H
#define KEEL_DRIVERS_ACPI_S5_H

#include <drivers/acpi/tables.h>

/* SLP_TYPa/SLP_TYPb for one sleep state: the 3-bit values for PM1x_CNT. */
struct acpi_sleep_type {
    uint8_t slp_typa;
    uint8_t slp_typb;
    uint8_t element_count; /* elements the package declares */
};

/* All a power-off needs, plus where each table was found. */
struct acpi_power_info {
    struct acpi_rsdp rsdp;
    bool used_xsdt; /* the root table walked was the XSDT (else the RSDT) */
    uint64_t root_phys;
    uint64_t fadt_phys;
    struct acpi_fadt fadt;
    struct acpi_sleep_type s5;
    uint64_t s5_table_phys; /* the DSDT, or the SSDT that defines \_S5 */
};

/* PM1 control register bits (ACPI 4.8.3.2.1, table "PM1 Control Registers
 * Fixed Hardware Feature Control Bits"). */
#define ACPI_PM1_SCI_EN        (1u << 0) /* set: the OS owns the ACPI hardware (ACPI mode) */
#define ACPI_PM1_SLP_TYP_SHIFT 10        /* SLP_TYPx: bits 10-12 */
#define ACPI_PM1_SLP_TYP_MASK  (7u << 10)
#define ACPI_PM1_SLP_EN        (1u << 13) /* write 1: enter the state in SLP_TYPx */

/* Find Name(\_S5, Package(){...}) in `len` bytes of AML (a DSDT's body)
 * and decode the first two elements: BytePrefix (0x0A nn), WordPrefix,
 * DWordPrefix, ZeroOp (0x00), OneOp (0x01) or a plain byte <= 7. */
enum acpi_status acpi_find_s5(const uint8_t *aml, size_t len, struct acpi_sleep_type *out);

/* RSDP -> RSDT/XSDT -> FADT -> DSDT (then the SSDTs) -> \_S5: everything
 * power-off needs. */
enum acpi_status acpi_read_power_info(const struct acpi_memory *mem, struct acpi_power_info *out);

#endif
