/*
 * stacks.h - the kernel's stacks, each with an unmapped guard page below.
 *
 * Knowing every stack lets a fault report say "kernel stack overflow" and
 * which stack it was, and lets the backtrace walker refuse frame pointers
 * that point anywhere else.
 */
#ifndef KEEL_STACKS_H
#define KEEL_STACKS_H

#include <stdint.h>

enum kernel_stack_id {
    STACK_BOOT,          /* kernel_main and everything it calls */
    STACK_DOUBLE_FAULT,  /* IST1 */
    STACK_NMI,           /* IST2 */
    STACK_MACHINE_CHECK, /* IST3 */
    STACK_COUNT,
};

struct kernel_stack {
    const char *name;
    uintptr_t guard;  /* first byte of the unmapped guard page */
    uintptr_t bottom; /* lowest usable byte = guard + page size */
    uintptr_t top;    /* one past the highest byte; the initial RSP */
};

/* Unmap every stack's guard page. Call once, early. */
void stacks_init(void);
uintptr_t stack_top(enum kernel_stack_id id);
const struct kernel_stack *stack_get(enum kernel_stack_id id);
/* The stack whose usable range [bottom, top) holds address, or NULL. */
const struct kernel_stack *stack_containing(uintptr_t address);
/* The stack whose guard page holds address, or NULL. */
const struct kernel_stack *stack_guard_containing(uintptr_t address);

#endif
