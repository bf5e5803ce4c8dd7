/*
 * idt.c - the Interrupt Descriptor Table and the dispatch of interrupts.
 *
 * 48 interrupt gates (exceptions 0-31, IRQs 32-47), all pointing at stubs in
 * isr.S. Interrupt gates clear RFLAGS.IF on entry, so handlers run with
 * interrupts off. Double fault, NMI and machine check switch to their own
 * IST stacks. Gate format: Intel SDM vol. 3, figure 6-8.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/gdt.h>
#include <arch/x86_64/idt.h>
#include <arch/x86_64/pic.h>
#include <kernel/panic.h>

#define STUB_COUNT           (EXCEPTION_VECTORS + IRQ_COUNT)
#define IDT_ENTRIES          256
#define GATE_INTERRUPT_64    0x8E /* present, DPL 0, type 0xE: 64-bit interrupt gate */
#define VECTOR_DOUBLE_FAULT  8
#define VECTOR_NMI           2
#define VECTOR_MACHINE_CHECK 18

struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist; /* bits 0-2: IST slot, 0 = stay on the current stack */
    uint8_t type_attributes;
    uint16_t offset_middle;
    uint32_t offset_high;
    uint32_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate");

struct idt_pointer {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

extern const uint64_t interrupt_stubs[STUB_COUNT];

static struct idt_gate idt[IDT_ENTRIES] __attribute__((aligned(16)));
static irq_handler_fn irq_handlers[IRQ_COUNT];
static uint64_t irq_counts[IRQ_COUNT];
static uint64_t irq_spurious[IRQ_COUNT];

static void set_gate(unsigned vector, uint64_t handler, uint8_t ist)
{
    idt[vector] = (struct idt_gate){
        .offset_low = handler & 0xFFFF,
        .selector = GDT_KERNEL_CODE,
        .ist = ist,
        .type_attributes = GATE_INTERRUPT_64,
        .offset_middle = (handler >> 16) & 0xFFFF,
        .offset_high = handler >> 32,
    };
}

void idt_init(void)
{
    for (unsigned v = 0; v < STUB_COUNT; v++)
        set_gate(v, interrupt_stubs[v], 0);
    set_gate(VECTOR_DOUBLE_FAULT, interrupt_stubs[VECTOR_DOUBLE_FAULT], IST_DOUBLE_FAULT);
    set_gate(VECTOR_NMI, interrupt_stubs[VECTOR_NMI], IST_NMI);
    set_gate(VECTOR_MACHINE_CHECK, interrupt_stubs[VECTOR_MACHINE_CHECK], IST_MACHINE_CHECK);
    struct idt_pointer pointer = {.limit = sizeof(idt) - 1, .base = (uint64_t)(uintptr_t)idt};
    lidt(&pointer);
}

void irq_install(unsigned irq, irq_handler_fn handler)
{
    irq_handlers[irq] = handler;
    pic_unmask(irq);
}

uint64_t irq_count(unsigned irq)
{
    return irq_counts[irq];
}

uint64_t irq_spurious_count(unsigned irq)
{
    return irq_spurious[irq];
}

static void irq_dispatch(unsigned irq)
{
    if (pic_is_spurious(irq)) {
        irq_spurious[irq]++;
        return; /* pic_is_spurious sent whatever EOI was due */
    }
    irq_counts[irq]++;
    if (irq_handlers[irq])
        irq_handlers[irq]();
    pic_send_eoi(irq);
}

static void (*irq_exit_hook)(void);

void irq_set_exit_hook(void (*hook)(void))
{
    irq_exit_hook = hook;
}

static void (*user_return_hook)(struct interrupt_frame *frame);

void interrupt_set_user_return_hook(void (*hook)(struct interrupt_frame *frame))
{
    user_return_hook = hook;
}

void interrupt_dispatch(struct interrupt_frame *frame)
{
    if (frame->vector < EXCEPTION_VECTORS) {
        exception_handle(frame);
    } else if (frame->vector < IRQ_VECTOR_BASE + IRQ_COUNT) {
        irq_dispatch((unsigned)(frame->vector - IRQ_VECTOR_BASE));
        if (irq_exit_hook)
            irq_exit_hook(); /* after the EOI: a thread switch the handler asked for */
    } else
        panic("interrupt on unexpected vector %llu", (unsigned long long)frame->vector);
    if ((frame->cs & 3) && user_return_hook)
        user_return_hook(frame);
}

/* With an empty IDT (limit 0) the breakpoint cannot be delivered (#GP),
 * nor can that #GP (#DF), nor the #DF: the CPU shuts down, and the chipset
 * answers a shutdown cycle with a reset. */
void cpu_triple_fault(void)
{
    static const struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) empty_idt = {0, 0};
    lidt(&empty_idt);
    cpu_breakpoint();
}
