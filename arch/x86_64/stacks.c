/*
 * stacks.c - where the kernel's stacks are, and their guard pages.
 *
 * The boot stack comes from entry.S; the three Interrupt Stack Table stacks
 * live here. Each is preceded by a page-aligned guard page that
 * stacks_init() unmaps, so running off the bottom of a stack is a page
 * fault (and, because the fault cannot push its frame either, a double
 * fault on IST1) rather than silent corruption of whatever lies below.
 */
#include <arch/x86_64/early_paging.h>
#include <arch/x86_64/gdt.h>
#include <keel/layout.h>
#include <keel/panic.h>
#include <keel/stacks.h>
#include <stddef.h>

#define PAGE_SIZE 4096

struct guarded_stack {
    uint8_t guard[PAGE_SIZE];
    uint8_t stack[IST_STACK_SIZE];
} __attribute__((aligned(PAGE_SIZE)));

extern char boot_stack_guard[];
static struct guarded_stack ist_stacks[3];

static struct kernel_stack stacks[STACK_COUNT];

static void describe(enum kernel_stack_id id, const char *name, uintptr_t guard, uintptr_t top)
{
    stacks[id] = (struct kernel_stack){
        .name = name, .guard = guard, .bottom = guard + PAGE_SIZE, .top = top};
}

static void describe_ist(enum kernel_stack_id id, const char *name, struct guarded_stack *s)
{
    describe(id, name, (uintptr_t)s->guard, (uintptr_t)(s->stack + sizeof(s->stack)));
}

void stacks_init(void)
{
    describe(STACK_BOOT, "boot stack", (uintptr_t)boot_stack_guard, (uintptr_t)boot_stack_top);
    describe_ist(STACK_DOUBLE_FAULT, "double-fault stack", &ist_stacks[0]);
    describe_ist(STACK_NMI, "NMI stack", &ist_stacks[1]);
    describe_ist(STACK_MACHINE_CHECK, "machine-check stack", &ist_stacks[2]);
    for (unsigned i = 0; i < STACK_COUNT; i++)
        if (!early_unmap_page(stacks[i].guard))
            panic("no page table left to unmap the guard page of the %s", stacks[i].name);
}

uintptr_t stack_top(enum kernel_stack_id id)
{
    return stacks[id].top;
}

const struct kernel_stack *stack_get(enum kernel_stack_id id)
{
    return &stacks[id];
}

const struct kernel_stack *stack_containing(uintptr_t address)
{
    for (unsigned i = 0; i < STACK_COUNT; i++)
        if (address >= stacks[i].bottom && address < stacks[i].top)
            return &stacks[i];
    return NULL;
}

const struct kernel_stack *stack_guard_containing(uintptr_t address)
{
    for (unsigned i = 0; i < STACK_COUNT; i++)
        if (address >= stacks[i].guard && address < stacks[i].bottom)
            return &stacks[i];
    return NULL;
}
