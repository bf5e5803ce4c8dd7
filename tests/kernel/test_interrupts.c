/*
 * test_interrupts.c - in-kernel checks of exceptions, the IST, the PIC and
 * the console lock in interrupt context (the timer's own checks are in
 * tests/kernel/test_timer.c). Should-panic cases pass only when their
 * report, read back from the VGA screen, names what happened.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/gdt.h>
#include <arch/x86_64/idt.h>
#include <arch/x86_64/ioapic.h>
#include <arch/x86_64/lapic.h>
#include <arch/x86_64/pic.h>
#include <kernel/console.h>
#include <kernel/ktest.h>
#include <kernel/panic.h>
#include <kernel/timer.h>
#include <lib/errno.h>
#include <mm/memory.h>
#include <mm/stacks.h>

#define UNMAPPED_ADDRESS   0x40000000ull /* just past the 1 GiB identity mapping */
#define TIMER_IRQ_MASK     0x0001        /* bit 0 of pic_masks(): IRQ 0 */
#define NS_PER_MS          1000000ull
#define OCW3_READ_IRR      0x0A
#define PIC_MASTER_COMMAND 0x20

KTEST(cpu_tables_loaded)
{
    KTEST_CHECK_EQ(read_cs(), GDT_KERNEL_CODE);
    KTEST_CHECK_EQ(read_task_register(), GDT_TSS);
    KTEST_CHECK(cpu_interrupts_enabled());
}

KTEST(stack_guard_pages_unmapped)
{
    const struct address_space *as = kernel_address_space();
    for (unsigned i = 0; i < STACK_COUNT; i++) {
        const struct kernel_stack *s = stack_get(i);
        KTEST_CHECK_EQ(s->bottom - s->guard, PAGE_SIZE);
        KTEST_CHECK(vm_translate(as, s->guard, NULL, NULL, NULL) == -ENOENT);
        KTEST_CHECK(vm_translate(as, s->bottom, NULL, NULL, NULL) == 0);
        KTEST_CHECK(vm_translate(as, s->top - 1, NULL, NULL, NULL) == 0);
        KTEST_CHECK(s->top - s->bottom >= 16 * 1024);
    }
}

KTEST(int3_reports_and_resumes)
{
    uint64_t before = exception_breakpoint_count();
    __asm__ volatile("int3");
    KTEST_CHECK_EQ(exception_breakpoint_count(), before + 1);
}

KTEST(pic_masks_only_used_lines_open)
{
    if (irq_through_apic()) {
        /* The I/O APIC brings the lines: every PIC line is masked. */
        KTEST_CHECK_EQ(pic_masks(), 0xFFFF);
        return;
    }
    /* Open: IRQ 1 keyboard, 2 cascade, 4 COM1; IRQ 0 (the timer) only
     * while an alarm is armed, so it is left out here. */
    KTEST_CHECK_EQ(pic_masks() | TIMER_IRQ_MASK, 0xFFFF & ~((1 << 1) | (1 << 2) | (1 << 4)));
}

/* Under QEMU (pc and q35) the MADT has an I/O APIC, so the keyboard and
 * COM1 come through it: unmasked, on vector 48 + IRQ, edge-triggered,
 * active high, to the boot CPU; the timer's IRQ 0 is not routed at all. */
KTEST(ioapic_routes_keyboard_and_com1_only)
{
    KTEST_CHECK(irq_through_apic());
    static const unsigned used[] = {1, 4};
    for (unsigned i = 0; i < 2; i++) {
        uint64_t entry;
        KTEST_CHECK(ioapic_entry(used[i], &entry)); /* no override: GSI = IRQ */
        KTEST_CHECK_EQ(entry & 0xFF, APIC_IRQ_VECTOR_BASE + used[i]);
        KTEST_CHECK_EQ(entry & (1ull << 16), 0);                  /* unmasked */
        KTEST_CHECK_EQ(entry & ((1ull << 15) | (1ull << 13)), 0); /* edge, active high */
        KTEST_CHECK_EQ(entry >> 56, lapic_id());
    }
    uint64_t timer;
    KTEST_CHECK(ioapic_entry(2, &timer)); /* IRQ 0's GSI on QEMU */
    KTEST_CHECK(timer & (1ull << 16));
}

KTEST(spurious_irq7_and_irq15_recognised)
{
    /* Raised in software, the vectors arrive with no in-service bit set at
     * the PIC: exactly what a spurious interrupt looks like. */
    uint64_t spurious7 = irq_spurious_count(7), handled7 = irq_count(7);
    uint64_t spurious15 = irq_spurious_count(15), handled15 = irq_count(15);
    __asm__ volatile("int $39"); /* IRQ 7 */
    __asm__ volatile("int $47"); /* IRQ 15 */
    KTEST_CHECK_EQ(irq_spurious_count(7), spurious7 + 1);
    KTEST_CHECK_EQ(irq_count(7), handled7);
    KTEST_CHECK_EQ(irq_spurious_count(15), spurious15 + 1);
    KTEST_CHECK_EQ(irq_count(15), handled15);
}

static volatile int handler_prints;
static volatile int handler_printed;

static void printing_alarm_handler(uint64_t now_ns)
{
    (void)now_ns;
    if (handler_prints) {
        handler_prints = 0;
        kprintf("[printed from IRQ 0]\n");
        handler_printed = 1;
    }
}

static bool timer_interrupt_pending(void)
{
    outb(PIC_MASTER_COMMAND, OCW3_READ_IRR);
    return inb(PIC_MASTER_COMMAND) & 0x01;
}

/* The main code holds the console lock when the timer interrupt becomes
 * due; the handler's kprintf must wait, not deadlock, and its line must not
 * land inside the main code's output. The alarm is borrowed from its
 * client and given back. */
KTEST(irq_handler_prints_while_main_holds_console_lock)
{
    uint64_t saved = cpu_save_and_disable_interrupts();
    timer_alarm_handler_fn owner = timer_alarm_handler();
    uint64_t owner_deadline = timer_alarm_deadline();
    timer_set_alarm_handler(printing_alarm_handler);
    cpu_restore_interrupts(saved);
    handler_printed = 0;
    handler_prints = 1;
    uint64_t flags = console_lock_acquire();
    timer_set_alarm(timer_now_ns() + NS_PER_MS);
    bool became_pending = false;
    for (int i = 0; i < 100000000 && !became_pending; i++)
        became_pending = timer_interrupt_pending();
    bool printed_inside = handler_printed; /* must still be 0: IRQs wait for the lock */
    console_lock_release(flags);
    uint64_t limit = timer_now_ns() + 100 * NS_PER_MS;
    while (!handler_printed && timer_now_ns() < limit)
        cpu_relax();
    saved = cpu_save_and_disable_interrupts();
    timer_set_alarm_handler(owner);
    timer_set_alarm(owner_deadline);
    cpu_restore_interrupts(saved);
    KTEST_CHECK(became_pending);
    KTEST_CHECK(!printed_inside);
    KTEST_CHECK(handler_printed);
}

KTEST_SHOULD_PANIC(divide_error_is_reported, "exception #DE Divide Error|rip=")
{
    /* In assembly: a C division by zero is undefined behaviour, and the
     * compiler may turn 1 / x into comparisons without any div. */
    uint32_t quotient = 1, divisor = 0, high = 0;
    __asm__ volatile("divl %2" : "+a"(quotient), "+d"(high) : "r"(divisor));
}

KTEST_SHOULD_PANIC(invalid_opcode_is_reported, "exception #UD Invalid Opcode|backtrace:")
{
    __asm__ volatile("ud2");
}

KTEST_SHOULD_PANIC(page_fault_reports_cr2_and_error_bits,
                   "exception #PF Page Fault|kernel write to a non-present page, "
                   "cr2=0x0000000040000000|P=0 W=1 U=0 R=0 I=0")
{
    *(volatile uint64_t *)(uintptr_t)UNMAPPED_ADDRESS = 1;
}

static volatile unsigned recursion_limit = ~0u; /* never reached: the stack ends first */

static unsigned recurse(unsigned depth)
{
    volatile char frame[256];
    frame[0] = (char)depth;
    if (depth == recursion_limit)
        return 0;
    return recurse(depth + 1) + frame[0]; /* not a tail call: the frames pile up */
}

KTEST_SHOULD_PANIC(stack_overflow_is_caught_as_double_fault,
                   "exception #DF Double Fault|kernel stack overflow (boot stack")
{
    recurse(0);
}

KTEST_SHOULD_PANIC(panic_prints_while_console_lock_held, "the console lock was held|lock test")
{
    console_lock_acquire();
    panic("lock test");
}
