/*
 * bios.h - calling the BIOS from stage 2's 32-bit protected mode.
 *
 * BIOS services only work in real mode. bios_call() drops from protected
 * mode to real mode, loads the registers from *regs, executes `int vector`,
 * stores the registers and flags back and returns to protected mode
 * (bios_thunk.S). Every buffer a BIOS service reads or writes must be below
 * 1 MiB and is addressed as segment:offset; stage 2's own data lies below
 * 64 KiB, so segment 0 and the plain address work for it.
 */
#ifndef KEEL_BOOT_BIOS_BIOS_H
#define KEEL_BOOT_BIOS_BIOS_H

#include <stdbool.h>
#include <stdint.h>

struct bios_regs {
    uint32_t eax, ebx, ecx, edx, esi, edi, ebp;
    uint16_t ds, es;
    uint32_t eflags; /* out only */
} __attribute__((packed));

#define EFLAGS_CARRY 0x1u

void bios_call(uint8_t vector, struct bios_regs *regs);

static inline bool bios_failed(const struct bios_regs *regs)
{
    return regs->eflags & EFLAGS_CARRY;
}

/* Jump to a Multiboot 2 kernel: EAX = magic, EBX = info, flat 32-bit
 * segments, paging and interrupts off (Multiboot 2 spec 3.3). */
__attribute__((noreturn)) void enter_kernel(uint32_t entry, uint32_t info);

#endif
