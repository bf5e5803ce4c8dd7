/*
 * stacks.h - the kernel's stacks, each with an unmapped guard page below.
 *
 * Knowing every stack lets a fault report say "kernel stack overflow" and
 * which stack it was, and lets the backtrace walker refuse frame pointers
 * that point anywhere else. Until the kernel has its own page tables it
 * runs on entry.S's stack and small early IST stacks, which have no guard
 * pages; mm/memory.c then creates the real ones in the stack region.
 */
#ifndef KEEL_MM_STACKS_H
#define KEEL_MM_STACKS_H

#include <stdint.h>

enum kernel_stack_id {
    STACK_BOOT,          /* kernel_main and everything it calls */
    STACK_DOUBLE_FAULT,  /* IST1 */
    STACK_NMI,           /* IST2 */
    STACK_MACHINE_CHECK, /* IST3 */
    STACK_COUNT,
};

/* Slots in the stack region (KERNEL_STACK_SLOT bytes of address space
 * each): the fixed stacks above and up to STACK_SLOTS - STACK_COUNT thread
 * stacks. */
#define STACK_SLOTS 1024

struct kernel_stack {
    const char *name; /* the thread's name for a thread stack */
    uintptr_t guard;  /* first byte of the unmapped guard page (== bottom: none) */
    uintptr_t bottom; /* lowest usable byte */
    uintptr_t top;    /* one past the highest byte; the initial RSP */
};

/* Usable bytes of each stack in the stack region. */
uint64_t stack_size(enum kernel_stack_id id);
const char *stack_name(enum kernel_stack_id id);
/* Record where a stack is (guard == bottom when it has no guard page). */
void stack_register(enum kernel_stack_id id, uintptr_t guard, uintptr_t bottom, uintptr_t top);
const struct kernel_stack *stack_get(enum kernel_stack_id id);
/* The stack whose usable range [bottom, top) holds address, or NULL. */
const struct kernel_stack *stack_containing(uintptr_t address);
/* The stack whose guard page holds address, or NULL. */
const struct kernel_stack *stack_guard_containing(uintptr_t address);

/* Thread stacks (mm/memory.c's memory_stack_create maps them). Reserve a
 * free slot for a stack called name: its index, or -1 when all are taken.
 * The caller fills in the rest of stack_slot(slot) once it is mapped. */
int stack_slot_reserve(const char *name);
uintptr_t stack_slot_base(unsigned slot);
struct kernel_stack *stack_slot(unsigned slot);
void stack_slot_release(unsigned slot);

#endif
