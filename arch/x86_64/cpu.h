/*
 * cpu.h - the x86_64 instructions C cannot express, as tiny inline helpers.
 *
 * Every inline assembly statement in the kernel lives here, each with the
 * clobbers it really has: "memory" where the instruction orders or touches
 * memory the compiler cannot see (port I/O to devices, control registers).
 * The few that locks need (interrupt flag, pause) are in irqflags.h, so a
 * header like kernel/spinlock.h can include them without all of this; the
 * register bits (CR0, CR4, EFER, CPUID) are in cpu_bits.h, which the
 * assembly of boot/ includes too.
 */
#ifndef KEEL_ARCH_X86_64_CPU_H
#define KEEL_ARCH_X86_64_CPU_H

#include <arch/x86_64/cpu_bits.h>
#include <arch/x86_64/irqflags.h>
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

/* Enable interrupts and halt in one step: sti takes effect only after the
 * next instruction, so an interrupt that arrives in between still wakes the
 * hlt instead of being handled before it (and the wake-up lost). */
static inline void cpu_enable_interrupts_and_halt(void)
{
    __asm__ volatile("sti; hlt" : : : "memory");
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

static inline uint64_t read_cr0(void)
{
    uint64_t value;
    __asm__ volatile("mov %%cr0, %0" : "=r"(value));
    return value;
}

static inline uint64_t read_cr2(void)
{
    uint64_t value;
    __asm__ volatile("mov %%cr2, %0" : "=r"(value));
    return value;
}

static inline uint64_t read_cr3(void)
{
    uint64_t value;
    __asm__ volatile("mov %%cr3, %0" : "=r"(value));
    return value;
}

static inline void write_cr3(uint64_t value)
{
    __asm__ volatile("mov %0, %%cr3" : : "r"(value) : "memory");
}

static inline uint64_t read_cr4(void)
{
    uint64_t value;
    __asm__ volatile("mov %%cr4, %0" : "=r"(value));
    return value;
}

static inline void write_cr4(uint64_t value)
{
    __asm__ volatile("mov %0, %%cr4" : : "r"(value) : "memory");
}

static inline void invlpg(uintptr_t address)
{
    __asm__ volatile("invlpg (%0)" : : "r"(address) : "memory");
}

static inline uint64_t rdtsc(void)
{
    uint32_t low, high;
    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    return ((uint64_t)high << 32) | low;
}

/* Load the GDT register; the caller reloads the segment registers. */
static inline void lgdt(const void *pointer)
{
    __asm__ volatile("lgdt (%0)" : : "r"(pointer) : "memory");
}

/* Load CS with a far return (there is no far jump with a register operand
 * in 64-bit mode) and DS, ES, SS with the data selector; FS gets the null
 * selector, which 64-bit mode allows. GS is left alone: loading it would
 * reset its base, which points at the CPU's struct cpu_local (percpu.h)
 * from the first C code on (entry.S loaded the null selector already). */
static inline void reload_segments(uint16_t code_selector, uint16_t data_selector)
{
    __asm__ volatile("pushq %q0\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "mov %w1, %%ds\n\t"
                     "mov %w1, %%es\n\t"
                     "mov %w1, %%ss\n\t"
                     "xor %%eax, %%eax\n\t"
                     "mov %%ax, %%fs"
                     :
                     : "r"((uint64_t)code_selector), "r"(data_selector)
                     : "rax", "memory");
}

static inline uint16_t read_cs(void)
{
    uint16_t value;
    __asm__ volatile("mov %%cs, %0" : "=r"(value));
    return value;
}

/* The task register: the selector of the loaded TSS. */
static inline uint16_t read_task_register(void)
{
    uint16_t value;
    __asm__ volatile("str %0" : "=r"(value));
    return value;
}

static inline void lidt(const void *pointer)
{
    __asm__ volatile("lidt (%0)" : : "r"(pointer) : "memory");
}

static inline void ltr(uint16_t selector)
{
    __asm__ volatile("ltr %0" : : "r"(selector) : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t low, high;
    __asm__ volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
    return ((uint64_t)high << 32) | low;
}

static inline void wrmsr(uint32_t msr, uint64_t value)
{
    __asm__ volatile("wrmsr"
                     :
                     : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
                     : "memory");
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

/* A breakpoint exception (#BP, vector 3) right here. */
static inline void cpu_breakpoint(void)
{
    __asm__ volatile("int3");
}

static inline uint64_t read_rsp(void)
{
    uint64_t value;
    __asm__ volatile("mov %%rsp, %0" : "=r"(value));
    return value;
}

static inline uint16_t inw(uint16_t port)
{
    uint16_t value;
    __asm__ volatile("inw %1, %0" : "=a"(value) : "Nd"(port) : "memory");
    return value;
}

/* The POST diagnostic port: no device answers a write to it quickly. */
#define IO_DELAY_PORT 0x80

/* About a microsecond of delay on a PC, e.g. for old devices (the 8259A
 * PICs) between two writes. */
static inline void io_delay(void)
{
    outb(IO_DELAY_PORT, 0);
}

#endif
