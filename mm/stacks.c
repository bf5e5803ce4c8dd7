/*
 * stacks.c - the registry of the kernel's stacks (see stacks.h).
 *
 * Only bookkeeping: mm/memory.c maps the stacks and their guard pages,
 * gdt.c points the TSS at the IST stacks, exceptions.c and panic.c ask here
 * whether an address is a stack or a guard page.
 */
#include <mm/stacks.h>
#include <stddef.h>

#define KIB 1024u

static const struct {
    const char *name;
    uint64_t size;
} stack_kinds[STACK_COUNT] = {
    [STACK_BOOT] = {"boot stack", 64 * KIB},
    [STACK_DOUBLE_FAULT] = {"double-fault stack", 16 * KIB},
    [STACK_NMI] = {"NMI stack", 16 * KIB},
    [STACK_MACHINE_CHECK] = {"machine-check stack", 16 * KIB},
};

static struct kernel_stack stacks[STACK_COUNT];

uint64_t stack_size(enum kernel_stack_id id)
{
    return stack_kinds[id].size;
}

const char *stack_name(enum kernel_stack_id id)
{
    return stack_kinds[id].name;
}

void stack_register(enum kernel_stack_id id, uintptr_t guard, uintptr_t bottom, uintptr_t top)
{
    stacks[id] = (struct kernel_stack){
        .name = stack_kinds[id].name, .guard = guard, .bottom = bottom, .top = top};
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
