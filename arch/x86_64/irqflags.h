/*
 * irqflags.h - the interrupt flag and the spin-wait hint: the only CPU
 * helpers a lock needs, apart from the rest of cpu.h (which includes this).
 */
#ifndef KEEL_ARCH_X86_64_IRQFLAGS_H
#define KEEL_ARCH_X86_64_IRQFLAGS_H

#include <stdbool.h>
#include <stdint.h>

static inline void cpu_disable_interrupts(void)
{
    __asm__ volatile("cli" : : : "memory");
}

static inline void cpu_enable_interrupts(void)
{
    __asm__ volatile("sti" : : : "memory");
}

#define RFLAGS_IF (1ull << 9) /* interrupt enable flag */

/* Save RFLAGS and disable interrupts; pair with cpu_restore_interrupts. */
static inline uint64_t cpu_save_and_disable_interrupts(void)
{
    uint64_t flags;
    __asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
    return flags;
}

/* Re-enable interrupts if they were enabled when `flags` was saved. */
static inline void cpu_restore_interrupts(uint64_t flags)
{
    if (flags & RFLAGS_IF)
        cpu_enable_interrupts();
}

/* Hint for spin-wait loops. */
static inline void cpu_relax(void)
{
    __asm__ volatile("pause" : : : "memory");
}

static inline bool cpu_interrupts_enabled(void)
{
    uint64_t flags;
    __asm__ volatile("pushfq; popq %0" : "=r"(flags) : : "memory");
    return flags & RFLAGS_IF;
}

#endif
