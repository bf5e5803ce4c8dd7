/*
 * idt.c - the Interrupt Descriptor Table and the dispatch of interrupts.
 *
 * 80 interrupt gates, all pointing at stubs in isr.S: exceptions 0-31, the
 * PICs' IRQs 32-47, the I/O APICs' lines 48-63 and the local APIC's own
 * vectors 240-255. IRQ line n has one handler whichever controller brings
 * it: the PIC until irq_use_apic, the I/O APIC after (the PICs are then
 * masked, and what still arrives on 32-47 is counted as spurious). Interrupt gates clear RFLAGS.IF
 * on entry, so handlers run with interrupts off. Double fault, NMI and machine check switch to
 * their own IST stacks. Gate format: Intel SDM vol. 3, figure 6-8.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/gdt.h>
#include <arch/x86_64/idt.h>
#include <arch/x86_64/lapic.h>
#include <arch/x86_64/pic.h>
#include <kernel/panic.h>

#define STUB_COUNT           (EXCEPTION_VECTORS + 2 * IRQ_COUNT)
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
extern const uint64_t local_interrupt_stubs[LOCAL_VECTOR_COUNT];

static struct idt_gate idt[IDT_ENTRIES] __attribute__((aligned(16)));
static irq_handler_fn irq_handlers[IRQ_COUNT];
static uint64_t irq_counts[IRQ_COUNT];
static uint64_t irq_spurious[IRQ_COUNT];
static irq_handler_fn local_handlers[LOCAL_VECTOR_COUNT];
static uint64_t local_counts[LOCAL_VECTOR_COUNT];
static bool (*apic_route)(unsigned irq); /* set once the I/O APIC brings the lines */

static void count_one(uint64_t *counter)
{
    __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED); /* any CPU may take it */
}

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
    for (unsigned i = 0; i < LOCAL_VECTOR_COUNT; i++)
        set_gate(LOCAL_VECTOR_BASE + i, local_interrupt_stubs[i], 0);
    set_gate(VECTOR_DOUBLE_FAULT, interrupt_stubs[VECTOR_DOUBLE_FAULT], IST_DOUBLE_FAULT);
    set_gate(VECTOR_NMI, interrupt_stubs[VECTOR_NMI], IST_NMI);
    set_gate(VECTOR_MACHINE_CHECK, interrupt_stubs[VECTOR_MACHINE_CHECK], IST_MACHINE_CHECK);
    idt_load();
}

void idt_load(void)
{
    struct idt_pointer pointer = {.limit = sizeof(idt) - 1, .base = (uint64_t)(uintptr_t)idt};
    lidt(&pointer);
}

void irq_install(unsigned irq, irq_handler_fn handler)
{
    irq_handlers[irq] = handler;
    if (apic_route) {
        if (!apic_route(irq))
            panic("IRQ %u has no I/O APIC line", irq);
    } else
        pic_unmask(irq);
}

void irq_remove(unsigned irq)
{
    irq_handlers[irq] = NULL;
    pic_mask(irq);
}

void irq_use_apic(bool (*route)(unsigned irq))
{
    for (unsigned irq = 0; irq < IRQ_COUNT; irq++) {
        if (irq_handlers[irq] && !route(irq))
            panic("IRQ %u has no I/O APIC line", irq);
        pic_mask(irq);
    }
    apic_route = route;
}

bool irq_through_apic(void)
{
    return apic_route != NULL;
}

void interrupt_install_local(unsigned vector, irq_handler_fn handler)
{
    if (vector < LOCAL_VECTOR_BASE || vector >= LOCAL_VECTOR_BASE + LOCAL_VECTOR_COUNT)
        panic("vector %u is not a local APIC vector", vector);
    local_handlers[vector - LOCAL_VECTOR_BASE] = handler;
}

uint64_t local_interrupt_count(unsigned vector)
{
    if (vector < LOCAL_VECTOR_BASE || vector >= LOCAL_VECTOR_BASE + LOCAL_VECTOR_COUNT)
        return 0;
    return local_counts[vector - LOCAL_VECTOR_BASE];
}

uint64_t irq_count(unsigned irq)
{
    return irq_counts[irq];
}

uint64_t irq_spurious_count(unsigned irq)
{
    return irq_spurious[irq];
}

/* A vector from the PICs. Once the I/O APIC brings the lines every PIC
 * line is masked, so whatever still comes here (an edge latched just
 * before the mask) is spurious: acknowledged at the PIC, not handled. */
static void pic_irq_dispatch(unsigned irq)
{
    if (pic_is_spurious(irq)) {
        count_one(&irq_spurious[irq]);
        return; /* pic_is_spurious sent whatever EOI was due */
    }
    if (apic_route) {
        count_one(&irq_spurious[irq]);
        pic_send_eoi(irq);
        return;
    }
    count_one(&irq_counts[irq]);
    if (irq_handlers[irq])
        irq_handlers[irq]();
    pic_send_eoi(irq);
}

static void apic_irq_dispatch(unsigned irq)
{
    count_one(&irq_counts[irq]);
    if (irq_handlers[irq])
        irq_handlers[irq]();
    lapic_eoi();
}

/* The local APIC's vectors. A spurious interrupt (VECTOR_SPURIOUS) gets no
 * EOI (SDM vol. 3A, 11.9); every other one does, after its handler. */
static void local_dispatch(unsigned vector)
{
    unsigned i = vector - LOCAL_VECTOR_BASE;
    count_one(&local_counts[i]);
    if (vector == VECTOR_SPURIOUS)
        return;
    if (local_handlers[i])
        local_handlers[i]();
    lapic_eoi();
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
        pic_irq_dispatch((unsigned)(frame->vector - IRQ_VECTOR_BASE));
        if (irq_exit_hook)
            irq_exit_hook(); /* after the EOI: a thread switch the handler asked for */
    } else if (frame->vector >= APIC_IRQ_VECTOR_BASE &&
               frame->vector < APIC_IRQ_VECTOR_BASE + IRQ_COUNT) {
        apic_irq_dispatch((unsigned)(frame->vector - APIC_IRQ_VECTOR_BASE));
        if (irq_exit_hook)
            irq_exit_hook();
    } else if (frame->vector >= LOCAL_VECTOR_BASE) {
        local_dispatch((unsigned)frame->vector);
        if (irq_exit_hook && frame->vector != VECTOR_SPURIOUS)
            irq_exit_hook();
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
