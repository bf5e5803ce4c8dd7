/*
 * stacks.c - the registry of the kernel's stacks (see stacks.h).
 *
 * Only bookkeeping: mm/memory.c maps the stacks and their guard pages,
 * gdt.c points the TSS at the IST stacks, exceptions.c and panic.c ask here
 * whether an address is a stack or a guard page.
 *
 * The stack region is cut into STACK_SLOTS slots of KERNEL_STACK_SLOT
 * bytes; slot i starts at STACK_REGION_BASE + i * KERNEL_STACK_SLOT with
 * its guard page. The fixed stacks take the slots of their ids; thread
 * stacks take the others as threads come and go. So the slot of an
 * address is one division away, and the lookups are O(1).
 */
#include <mm/layout.h>
#include <mm/stacks.h>
#include <stddef.h>

#define KIB 1024u

_Static_assert(STACK_REGION_BASE + (uint64_t)STACK_SLOTS * KERNEL_STACK_SLOT > STACK_REGION_BASE &&
                   STACK_REGION_BASE + (uint64_t)STACK_SLOTS * KERNEL_STACK_SLOT <= KERNEL_VMA,
               "the stack slots fit below the kernel image");

static const struct {
    const char *name;
    uint64_t size;
} stack_kinds[STACK_COUNT] = {
    [STACK_BOOT] = {"boot stack", 64 * KIB},
    [STACK_DOUBLE_FAULT] = {"double-fault stack", 16 * KIB},
    [STACK_NMI] = {"NMI stack", 16 * KIB},
    [STACK_MACHINE_CHECK] = {"machine-check stack", 16 * KIB},
};

static struct kernel_stack stacks[STACK_SLOTS]; /* by slot; name NULL: slot free */

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

/* The registered stack of the slot holding address, or NULL. */
static const struct kernel_stack *slot_of(uintptr_t address)
{
    if (address < STACK_REGION_BASE)
        return NULL;
    uint64_t slot = (address - STACK_REGION_BASE) / KERNEL_STACK_SLOT;
    if (slot >= STACK_SLOTS || stacks[slot].name == NULL)
        return NULL;
    return &stacks[slot];
}

const struct kernel_stack *stack_containing(uintptr_t address)
{
    const struct kernel_stack *s = slot_of(address);
    return s && address >= s->bottom && address < s->top ? s : NULL;
}

const struct kernel_stack *stack_guard_containing(uintptr_t address)
{
    const struct kernel_stack *s = slot_of(address);
    return s && address >= s->guard && address < s->bottom ? s : NULL;
}

int stack_slot_reserve(const char *name)
{
    for (unsigned slot = STACK_COUNT; slot < STACK_SLOTS; slot++) {
        if (stacks[slot].name == NULL) {
            stacks[slot] = (struct kernel_stack){.name = name};
            return (int)slot;
        }
    }
    return -1;
}

uintptr_t stack_slot_base(unsigned slot)
{
    return STACK_REGION_BASE + (uint64_t)slot * KERNEL_STACK_SLOT;
}

struct kernel_stack *stack_slot(unsigned slot)
{
    return &stacks[slot];
}

void stack_slot_release(unsigned slot)
{
    stacks[slot] = (struct kernel_stack){0};
}
