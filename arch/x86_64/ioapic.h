/*
 * ioapic.h - I/O APICs: where device interrupt lines become vectors on a
 * chosen CPU.
 *
 * Each I/O APIC has a register window of two 32-bit registers, IOREGSEL
 * (offset 0x00) selecting and IOWIN (offset 0x10) reading or writing an
 * internal register: 0x00 id, 0x01 version (bits 23:16: the last
 * redirection entry's number), and a 64-bit redirection entry per pin at
 * 0x10 + 2 * pin (low half) and 0x11 + 2 * pin (high half). An entry:
 * vector (7:0), delivery mode (10:8, 0 fixed), destination mode (11, 0
 * physical), polarity (13, 1 active low), trigger (15, 1 level), mask
 * (16), destination APIC id (63:56). Facts from the Intel 82093AA I/O APIC
 * datasheet, which every PC chipset and QEMU follow. Interrupt lines are
 * numbered across all I/O APICs as global system interrupts (GSIs): pin p
 * of the I/O APIC whose GSI base is b is GSI b + p (ACPI 5.2.13).
 */
#ifndef KEEL_ARCH_X86_64_IOAPIC_H
#define KEEL_ARCH_X86_64_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define IOAPIC_MAX 8

/* Register an I/O APIC whose registers the caller has mapped uncached at
 * mmio, serving GSIs from gsi_base on; all its pins are masked. Returns
 * its pin count, 0 if IOAPIC_MAX are registered already. */
unsigned ioapic_add(volatile uint32_t *mmio, uint32_t gsi_base);
/* Route GSI gsi to `vector` on the CPU with APIC id `apic_id`, edge or
 * level, active high or low, unmasked; false if no I/O APIC has it. */
bool ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id, bool level, bool active_low);
bool ioapic_mask(uint32_t gsi, bool masked);
/* The redirection entry of gsi (for `cpus`-style reports and tests); false
 * if no I/O APIC has it. */
bool ioapic_entry(uint32_t gsi, uint64_t *entry);
unsigned ioapic_count(void);

#endif
