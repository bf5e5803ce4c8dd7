/*
 * cpu.h - the x86_64 instructions C cannot express, as tiny inline helpers.
 *
 * Every inline assembly statement in the kernel lives here, each with the
 * clobbers it really has: "memory" where the instruction orders or touches
 * memory the compiler cannot see (port I/O to devices, control registers).
 */
#ifndef KEEL_ARCH_CPU_H
#define KEEL_ARCH_CPU_H

#include <stdbool.h>
#include <stdint.h>

static inline void outb(uint16_t port, uint8_t value)
{
    __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t value;
    __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port) : "memory");
    return value;
}

static inline void outw(uint16_t port, uint16_t value)
{
    __asm__ volatile("outw %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

static inline void outl(uint16_t port, uint32_t value)
{
    __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

static inline void cpu_disable_interrupts(void)
{
    __asm__ volatile("cli" : : : "memory");
}

/* Stop until the next interrupt (or forever, with interrupts disabled). */
static inline void cpu_halt(void)
{
    __asm__ volatile("hlt" : : : "memory");
}

/* Interrupts off, then hlt in a loop: an NMI or SMI may end one hlt. */
static inline __attribute__((noreturn)) void cpu_halt_forever(void)
{
    for (;;) {
        cpu_disable_interrupts();
        cpu_halt();
    }
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
    return flags & (1u << 9); /* RFLAGS.IF */
}

static inline uint64_t read_cr0(void)
{
    uint64_t value;
    __asm__ volatile("mov %%cr0, %0" : "=r"(value));
    return value;
}

static inline uint64_t read_cr3(void)
{
    uint64_t value;
    __asm__ volatile("mov %%cr3, %0" : "=r"(value));
    return value;
}

static inline uint64_t read_cr4(void)
{
    uint64_t value;
    __asm__ volatile("mov %%cr4, %0" : "=r"(value));
    return value;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t low, high;
    __asm__ volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
    return ((uint64_t)high << 32) | low;
}

static inline void cpuid(uint32_t leaf, uint32_t *eax, uint32_t *ebx, uint32_t *ecx, uint32_t *edx)
{
    __asm__ volatile("cpuid" : "=a"(*eax), "=b"(*ebx), "=c"(*ecx), "=d"(*edx) : "a"(leaf), "c"(0));
}

/* The caller's frame pointer (RBP); the kernel keeps frame pointers. */
static inline uint64_t read_rbp(void)
{
    uint64_t value;
    __asm__ volatile("mov %%rbp, %0" : "=r"(value));
    return value;
}

static inline uint64_t read_rsp(void)
{
    uint64_t value;
    __asm__ volatile("mov %%rsp, %0" : "=r"(value));
    return value;
}

#define CR0_WP   (1ull << 16)
#define CR0_PG   (1ull << 31)
#define CR4_PAE  (1ull << 5)
#define MSR_EFER 0xC0000080u
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

#endif
