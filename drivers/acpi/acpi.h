/*
 * acpi.h - ACPI in the running kernel (acpi.c): this machine's tables and
 * soft-off. The pure readers are tables.h and s5.h.
 */
#ifndef KEEL_DRIVERS_ACPI_ACPI_H
#define KEEL_DRIVERS_ACPI_ACPI_H

#include <boot/boot_info.h>
#include <drivers/acpi/madt.h>
#include <drivers/acpi/s5.h>
#include <stddef.h>

/* The memory map, so that tables in reserved regions can be mapped on
 * demand and pointers into holes refused, and the RSDP the loader gave
 * (rsdp->present false: none; the BIOS areas are searched). Call once
 * memory is set up. Both are kept, not copied. */
void acpi_init(const struct mem_region *regions, size_t count, const struct acpi_rsdp_info *rsdp);

/* The power-off information of this
 * machine, read once and then kept. Tables outside the direct map are
 * mapped read-only there on demand. */
enum acpi_status acpi_power_info(const struct acpi_power_info **out);

/* This machine's MADT (its CPUs, I/O APICs and interrupt overrides),
 * read once and then kept. ACPI_ERR_NO_TABLE when there is none (a machine
 * with one CPU and only the 8259 PICs). */
enum acpi_status acpi_madt(const struct madt_info **out);

/* What the power-off needs from the kernel, passed in (drivers call
 * nothing in kernel/): a printf to the console and a wait. */
struct acpi_services {
    int (*say)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
    void (*wait_ms)(unsigned ms);
};

/* ACPI soft-off (S5): SLP_TYPa/SLP_TYPb from \_S5, written with SLP_EN to
 * PM1a_CNT (and PM1b_CNT), after switching the hardware to ACPI mode
 * through SMI_CMD if SCI_EN is clear. Each step is announced on the
 * console through kernel->say; kernel->wait_ms waits between steps.
 * Returns only if the machine still runs: -ENOENT when there is no usable
 * S5 information (the reason was printed), -EBUSY when the request was
 * made but ignored. */
int acpi_power_off(const struct acpi_services *kernel);

#endif
