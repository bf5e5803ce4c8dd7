/*
 * lapic.h - the local APIC of the running CPU: identity, end of interrupt,
 * inter-processor interrupts and the one-shot timer.
 *
 * Mechanism only: which CPUs exist and where interrupts go is decided in
 * kernel/smp.c from the ACPI MADT. Both register interfaces are handled
 * (Intel SDM vol. 3A, chapter 11 "Advanced Programmable Interrupt
 * Controller", and 11.12 "Extended XAPIC (x2APIC)"):
 *   - xAPIC: 4 KiB of registers at IA32_APIC_BASE (0xFEE00000 by default),
 *     mapped uncached by the caller; register r at offset r; an 8-bit APIC
 *     id in ID[31:24]; the ICR in two halves, the destination in ICR[63:56].
 *   - x2APIC (CPUID.1:ECX bit 21, switched on with IA32_APIC_BASE bit 10):
 *     register r is MSR 0x800 + r / 16; a 32-bit APIC id; the ICR one
 *     64-bit MSR with the destination in bits 63:32, and no delivery
 *     status to wait for.
 * Keel uses x2APIC wherever the CPU has it, on every CPU alike.
 */
#ifndef KEEL_ARCH_X86_64_LAPIC_H
#define KEEL_ARCH_X86_64_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_DEFAULT_PHYS 0xFEE00000ull

/* Vectors the local APIC delivers itself (the I/O APIC's lines are 48-63,
 * idt.h). The spurious vector's low four bits must be 1s on old APICs. */
#define VECTOR_LAPIC_TIMER  0xF0
#define VECTOR_IPI_KICK     0xF1 /* another CPU made a thread ready for this one */
#define VECTOR_IPI_TLB      0xF2 /* flush the TLB entries another CPU asks for */
#define VECTOR_IPI_STOP     0xF3 /* halt: another CPU panicked */
#define VECTOR_IPI_CALL     0xF4 /* run a function another CPU asks for (tests) */
#define VECTOR_IPI_WATCHDOG 0xF5 /* another CPU's watchdog: record a heartbeat */
#define VECTOR_LAPIC_ERROR  0xFE
#define VECTOR_SPURIOUS     0xFF

/* Whether the CPU has a local APIC at all (CPUID.1:EDX bit 9), and x2APIC. */
bool lapic_present(void);
bool lapic_x2apic_supported(void);
/* IA32_APIC_BASE's physical address of the xAPIC registers. */
uint64_t lapic_phys_base(void);

/* Enable this CPU's local APIC: x2APIC mode when `x2apic` (mmio ignored),
 * else xAPIC registers at mmio (the caller's uncached mapping, shared by
 * every CPU). Software-enables it with VECTOR_SPURIOUS, accepts every
 * priority, masks the timer, LINT0 and LINT1, routes errors to
 * VECTOR_LAPIC_ERROR. Interrupts off. */
void lapic_enable(bool x2apic, volatile uint32_t *mmio);
bool lapic_is_x2apic(void);

uint32_t lapic_id(void);
uint32_t lapic_version(void); /* the version register: bits 7:0 version, 23:16 max LVT */
void lapic_eoi(void);

/* LINT0/LINT1 as NMI inputs (the MADT's local APIC NMI entries): flags are
 * the MADT's MPS INTI flags (polarity, trigger). */
void lapic_set_lint_nmi(unsigned lint, uint16_t flags);

/* Inter-processor interrupts (fixed delivery, physical destination). */
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
void lapic_send_ipi_others(uint8_t vector); /* every CPU but this one */
void lapic_send_nmi_others(void);
void lapic_send_nmi(uint32_t apic_id);
/* The start-up sequence's parts (SDM vol. 3A, 9.4.4.1): INIT (asserted,
 * then on an xAPIC de-asserted), and a start-up IPI that starts the CPU in
 * real mode at physical page << 12. False if the APIC never reported the
 * IPI as sent (xAPIC delivery status stuck busy). */
bool lapic_send_init(uint32_t apic_id);
bool lapic_send_startup(uint32_t apic_id, uint8_t page);

/* The timer, one-shot at the bus clock divided by 16 (LAPIC_TIMER_DIVIDE).
 * lapic_timer_start(count) raises VECTOR_LAPIC_TIMER once after count
 * ticks (0 stops it); lapic_timer_remaining reads what is left. */
#define LAPIC_TIMER_DIVIDE 16
void lapic_timer_start(uint32_t count);
void lapic_timer_stop(void);
uint32_t lapic_timer_remaining(void);
/* Free-running count-down from 0xFFFFFFFF for calibration (no interrupt). */
void lapic_timer_start_free(void);

/* Error status (ESR, after a write to latch it), for the error interrupt. */
uint32_t lapic_error_status(void);

#endif
