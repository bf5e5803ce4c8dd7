/*
 * exceptions.c - what the kernel says when the CPU raises an exception.
 *
 * Every one of the 32 exception vectors gets a report: its mnemonic and
 * name (Intel SDM vol. 3, table 6-1), the error code decoded, CR2 for page
 * faults, all registers and a backtrace, as a kernel panic. A fault whose
 * address (or stack pointer) lies in a stack's guard page is called what it
 * is: a kernel stack overflow. int3 is the exception that is not an error:
 * it prints a note and execution resumes after the instruction.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/idt.h>
#include <arch/x86_64/user_mode.h>
#include <kernel/console.h>
#include <kernel/ksyms.h>
#include <kernel/panic.h>
#include <lib/errno.h>
#include <lib/format.h>
#include <mm/paging.h>
#include <mm/stacks.h>

#define VECTOR_BREAKPOINT   3
#define VECTOR_DOUBLE_FAULT 8
#define VECTOR_NMI          2
#define VECTOR_PAGE_FAULT   14
#define SYMBOL_TEXT_MAX     96
#define NULL_PAGE_END       PAGE_SIZE /* faults below this are NULL (or NULL + small offset) */

static const char *const exception_names[EXCEPTION_VECTORS] = {
    "#DE Divide Error",
    "#DB Debug",
    "NMI Non-Maskable Interrupt",
    "#BP Breakpoint",
    "#OF Overflow",
    "#BR BOUND Range Exceeded",
    "#UD Invalid Opcode",
    "#NM Device Not Available",
    "#DF Double Fault",
    "Coprocessor Segment Overrun",
    "#TS Invalid TSS",
    "#NP Segment Not Present",
    "#SS Stack-Segment Fault",
    "#GP General Protection",
    "#PF Page Fault",
    "Reserved (15)",
    "#MF x87 Floating-Point Error",
    "#AC Alignment Check",
    "#MC Machine Check",
    "#XM SIMD Floating-Point Exception",
    "#VE Virtualization Exception",
    "#CP Control Protection",
    "Reserved (22)",
    "Reserved (23)",
    "Reserved (24)",
    "Reserved (25)",
    "Reserved (26)",
    "Reserved (27)",
    "#HV Hypervisor Injection",
    "#VC VMM Communication",
    "#SX Security Exception",
    "Reserved (31)",
};

/* Page-fault error code bits (SDM vol. 3, figure 4-12). */
#define PF_PRESENT           (1u << 0)
#define PF_WRITE             (1u << 1)
#define PF_USER              (1u << 2)
#define PF_RESERVED_BIT      (1u << 3)
#define PF_INSTRUCTION_FETCH (1u << 4)
#define PF_PROTECTION_KEY    (1u << 5)
#define PF_SHADOW_STACK      (1u << 6)

/* Selector error code bits (SDM vol. 3, 6.13). */
#define SEL_EXTERNAL    (1u << 0)
#define SEL_IDT         (1u << 1)
#define SEL_LDT         (1u << 2) /* only meaningful when SEL_IDT is clear */
#define SEL_INDEX_SHIFT 3

static uint64_t breakpoints;

uint64_t exception_breakpoint_count(void)
{
    return breakpoints;
}

static bool has_selector_error_code(uint64_t vector)
{
    return vector == 10 || vector == 11 || vector == 12 || vector == 13;
}

static void print_page_fault(uint64_t error, uint64_t cr2)
{
    kprintf("page fault: %s %s a %s page, cr2=0x%016llx\n", error & PF_USER ? "user" : "kernel",
            error & PF_INSTRUCTION_FETCH ? "instruction fetch from"
            : error & PF_WRITE           ? "write to"
                                         : "read from",
            error & PF_PRESENT ? "present (protection violation)" : "non-present",
            (unsigned long long)cr2);
    if (!(error & PF_PRESENT) && cr2 < NULL_PAGE_END)
        kprintf("(a NULL pointer dereference: nothing is mapped in the first page)\n");
    else if ((error & PF_PRESENT) && !(error & PF_USER) && cr2 < KEEL_USER_LIMIT)
        kprintf("%s\n", error & PF_INSTRUCTION_FETCH
                            ? "(SMEP: the kernel tried to run code on a user page)"
                            : "(SMAP: the kernel touched a user page outside the copy functions)");
    kprintf("error code 0x%llx: P=%u W=%u U=%u R=%u I=%u PK=%u SS=%u\n", (unsigned long long)error,
            !!(error & PF_PRESENT), !!(error & PF_WRITE), !!(error & PF_USER),
            !!(error & PF_RESERVED_BIT), !!(error & PF_INSTRUCTION_FETCH),
            !!(error & PF_PROTECTION_KEY), !!(error & PF_SHADOW_STACK));
}

static void print_selector_error(uint64_t error)
{
    if (error == 0) {
        kprintf("error code 0 (no selector involved)\n");
        return;
    }
    const char *table = error & SEL_IDT ? "IDT" : error & SEL_LDT ? "LDT" : "GDT";
    kprintf("error code 0x%llx: %s index %llu%s\n", (unsigned long long)error, table,
            (unsigned long long)(error >> SEL_INDEX_SHIFT),
            error & SEL_EXTERNAL ? ", caused by an external event" : "");
}

static void print_registers(const struct interrupt_frame *f, uint64_t cr2)
{
    kprintf("rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx\n", (unsigned long long)f->rax,
            (unsigned long long)f->rbx, (unsigned long long)f->rcx, (unsigned long long)f->rdx);
    kprintf("rsi=%016llx rdi=%016llx rbp=%016llx rsp=%016llx\n", (unsigned long long)f->rsi,
            (unsigned long long)f->rdi, (unsigned long long)f->rbp, (unsigned long long)f->rsp);
    kprintf("r8 =%016llx r9 =%016llx r10=%016llx r11=%016llx\n", (unsigned long long)f->r8,
            (unsigned long long)f->r9, (unsigned long long)f->r10, (unsigned long long)f->r11);
    kprintf("r12=%016llx r13=%016llx r14=%016llx r15=%016llx\n", (unsigned long long)f->r12,
            (unsigned long long)f->r13, (unsigned long long)f->r14, (unsigned long long)f->r15);
    kprintf("rip=%016llx rflags=%08llx cs=%04llx ss=%04llx\n", (unsigned long long)f->rip,
            (unsigned long long)f->rflags, (unsigned long long)f->cs, (unsigned long long)f->ss);
    kprintf("cr0=%08llx cr2=%016llx cr3=%016llx cr4=%08llx\n", (unsigned long long)read_cr0(),
            (unsigned long long)cr2, (unsigned long long)read_cr3(),
            (unsigned long long)read_cr4());
}

/* "kernel stack overflow" when the stack pointer at the time of the fault,
 * or the faulting address of a page fault, is in a guard page. A stack
 * overflow usually arrives as a double fault: the page fault it causes
 * cannot push its own frame onto the full stack. CR2 still holds the
 * address of that first page fault then. */
static void print_stack_overflow(const struct interrupt_frame *f, uint64_t cr2)
{
    const struct kernel_stack *stack = stack_guard_containing((uintptr_t)f->rsp);
    if (!stack && (f->vector == VECTOR_PAGE_FAULT || f->vector == VECTOR_DOUBLE_FAULT))
        stack = stack_guard_containing((uintptr_t)cr2);
    if (stack)
        kprintf("kernel stack overflow (%s: guard page at 0x%llx)\n", stack->name,
                (unsigned long long)stack->guard);
}

static void report_breakpoint(const struct interrupt_frame *f)
{
    char symbol[SYMBOL_TEXT_MAX];
    breakpoints++;
    ksym_format(ksym_kernel_table(), symbol, sizeof(symbol),
                f->rip - 1); /* rip is after the int3 byte */
    kprintf("#BP Breakpoint at 0x%llx (%s): resuming\n", (unsigned long long)(f->rip - 1), symbol);
}

static void (*user_handler)(struct interrupt_frame *f, uint64_t cr2);

void exception_set_user_handler(void (*handler)(struct interrupt_frame *f, uint64_t cr2))
{
    user_handler = handler;
}

const char *exception_short_name(uint64_t vector)
{
    static const char *const names[EXCEPTION_VECTORS] = {
        [0] = "divide error",
        [1] = "debug trap",
        [3] = "breakpoint",
        [4] = "overflow",
        [5] = "bound range exceeded",
        [6] = "invalid opcode",
        [7] = "device not available",
        [11] = "segment not present",
        [12] = "stack-segment fault",
        [13] = "general protection fault",
        [14] = "page fault",
        [16] = "x87 floating-point error",
        [17] = "alignment check",
        [19] = "SIMD floating-point exception",
        [21] = "control protection fault",
    };
    return vector < EXCEPTION_VECTORS && names[vector] ? names[vector] : "exception";
}

void exception_describe_page_fault(uint64_t error, char *buf, size_t size)
{
    ksnprintf(buf, size, "%s, %s",
              error & PF_INSTRUCTION_FETCH ? "execute"
              : error & PF_WRITE           ? "write"
                                           : "read",
              error & PF_PRESENT ? "protection" : "not present");
}

static bool (*nmi_hook)(struct interrupt_frame *f);

void exception_set_nmi_hook(bool (*hook)(struct interrupt_frame *f))
{
    nmi_hook = hook;
}

void exception_handle(struct interrupt_frame *f)
{
    if (f->vector == VECTOR_NMI && nmi_hook && nmi_hook(f))
        return; /* an NMI another CPU sent on purpose */
    if ((f->cs & 3) && user_handler) {
        user_handler(f, read_cr2()); /* ends the program, or returns to resume it */
        return;
    }
    if (f->vector == VECTOR_PAGE_FAULT && user_mode_fixup(f))
        return; /* a copy to or from user memory failed: it returns -EFAULT */
    if (f->vector == VECTOR_BREAKPOINT) {
        report_breakpoint(f);
        return;
    }
    uint64_t cr2 = read_cr2();
    char symbol[SYMBOL_TEXT_MAX];
    ksym_format(ksym_kernel_table(), symbol, sizeof(symbol), f->rip);
    panic_begin();
    kprintf("exception %s (vector %llu) at %s\n", exception_names[f->vector],
            (unsigned long long)f->vector, symbol);
    print_stack_overflow(f, cr2);
    if (f->vector == VECTOR_PAGE_FAULT)
        print_page_fault(f->error_code, cr2);
    else if (has_selector_error_code(f->vector))
        print_selector_error(f->error_code);
    else if (f->vector == VECTOR_DOUBLE_FAULT)
        kprintf("a fault happened while the CPU was delivering another one\n");
    print_registers(f, cr2);
    panic_backtrace(f->rip, f->rbp);
    panic_end();
}
