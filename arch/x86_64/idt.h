/*
 * idt.h - the IDT, the common interrupt entry and IRQ dispatch.
 *
 * Vectors 0-31 are CPU exceptions (exceptions.c); the two 8259 PICs are
 * remapped to vectors 32-47 (IRQ 0-15).
 */
#ifndef KEEL_ARCH_X86_64_IDT_H
#define KEEL_ARCH_X86_64_IDT_H

#include <stddef.h>
#include <stdint.h>

#define EXCEPTION_VECTORS 32
#define IRQ_VECTOR_BASE   32
#define IRQ_COUNT         16

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
/* Run handler for IRQ line `irq` (0-15); the line is unmasked at the PIC. */
void irq_install(unsigned irq, irq_handler_fn handler);

/* Called by isr.S for every interrupt and exception. */
void interrupt_dispatch(struct interrupt_frame *frame);
/* CPU exceptions: report and panic, or (int3) report and resume. */
void exception_handle(struct interrupt_frame *frame);

/* Exceptions in ring 3 go to handler (the process layer) instead of a
 * panic; cr2 is the faulting address of a page fault. */
void exception_set_user_handler(void (*handler)(struct interrupt_frame *f, uint64_t cr2));
/* "page fault", "general protection fault", ... ("exception" if unnamed). */
const char *exception_short_name(uint64_t vector);
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
