/*
 * idt.h - the IDT, the common interrupt entry and IRQ dispatch.
 *
 * Vectors 0-31 are CPU exceptions (exceptions.c); the two 8259 PICs are
 * remapped to vectors 32-47 (IRQ 0-15); once the I/O APIC brings the
 * lines, IRQ n arrives on vector 48 + n; the local APIC's own vectors
 * (timer, inter-processor interrupts, spurious) are 240-255 (lapic.h).
 */
#ifndef KEEL_ARCH_X86_64_IDT_H
#define KEEL_ARCH_X86_64_IDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXCEPTION_VECTORS    32
#define IRQ_VECTOR_BASE      32
#define IRQ_COUNT            16
#define APIC_IRQ_VECTOR_BASE 48
#define LOCAL_VECTOR_BASE    240
#define LOCAL_VECTOR_COUNT   16

/* What isr.S saves: every general register, then the vector and error code
 * (0 where the CPU pushes none), then what the CPU pushed itself. */
struct interrupt_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};

typedef void (*irq_handler_fn)(void);

/* Fill and load the IDT (exceptions and IRQ vectors; interrupts stay off). */
void idt_init(void);
/* Load the IDT on this CPU (idt_init does it on the boot CPU; each
 * application processor loads the same table). */
void idt_load(void);
/* Run handler for IRQ line `irq` (0-15); the line is unmasked at the PIC,
 * or routed through the I/O APIC after irq_use_apic. */
void irq_install(unsigned irq, irq_handler_fn handler);
/* No handler for line irq any more; masked at the PIC. */
void irq_remove(unsigned irq);
/* From now on IRQ lines come through the I/O APIC: route(irq) points line
 * irq at its vector (APIC_IRQ_VECTOR_BASE + irq), for every line with a
 * handler now and for each installed later; every PIC line is masked.
 * Interrupts off. */
void irq_use_apic(bool (*route)(unsigned irq));
bool irq_through_apic(void);
/* Run handler for a local APIC vector (LOCAL_VECTOR_BASE..+15, not the
 * spurious one), with interrupts off on the CPU that takes it; the EOI and
 * the exit hook follow. */
void interrupt_install_local(unsigned vector, irq_handler_fn handler);
/* How many times a local APIC vector came (on all CPUs together). */
uint64_t local_interrupt_count(unsigned vector);

/* Called by isr.S for every interrupt and exception. */
void interrupt_dispatch(struct interrupt_frame *frame);
/* CPU exceptions: report and panic, or (int3) report and resume. */
void exception_handle(struct interrupt_frame *frame);

/* Exceptions in ring 3 go to handler (the process layer) instead of a
 * panic; cr2 is the faulting address of a page fault. */
void exception_set_user_handler(void (*handler)(struct interrupt_frame *f, uint64_t cr2));
/* "page fault", "general protection fault", ... ("exception" if unnamed). */
const char *exception_short_name(uint64_t vector);
/* Run hook first for every NMI; when it returns true the NMI was one it
 * expected (another CPU stopping this one) and nothing else happens. */
void exception_set_nmi_hook(bool (*hook)(struct interrupt_frame *f));
/* A page fault's error code as "read, not present", "write, protection"... */
void exception_describe_page_fault(uint64_t error, char *buf, size_t size);

/* Run hook whenever an interrupt or exception is about to return to ring 3,
 * after everything else (a thread switch included): where a killed program
 * ends. */
void interrupt_set_user_return_hook(void (*hook)(struct interrupt_frame *frame));

/* How many int3 breakpoints were reported (and resumed from). */
uint64_t exception_breakpoint_count(void);

/* How many times IRQ line `irq` ran its handler / was spurious. */
uint64_t irq_count(unsigned irq);
uint64_t irq_spurious_count(unsigned irq);

/* Run hook on the way out of every IRQ, after its handler and EOI, still
 * on the interrupted thread's stack with interrupts off: where the
 * scheduler switches threads that a handler woke (kernel/sched/sched.c). */
void irq_set_exit_hook(void (*hook)(void));

/* Load an empty IDT and raise an exception: the CPU triple-faults, which
 * the chipset answers with a reset. Returns only where it does not. */
void cpu_triple_fault(void);

#endif
