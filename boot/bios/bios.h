/*
 * bios.h - calling the BIOS from stage 2's 32-bit protected mode.
 *
 * BIOS services only work in real mode. bios_call() drops from protected
 * mode to real mode, loads the registers from *regs, executes `int vector`,
 * stores the registers and flags back and returns to protected mode (the
 * thunk in stage2_entry.S). Every buffer a BIOS service reads or writes
 * must be below 1 MiB and is addressed as segment:offset; stage 2's own data
 * lies below 64 KiB, so segment 0 and the plain address work for it.
 *
 * stage2_entry.S includes this header for the offsets of struct bios_regs:
 * the C part is inside #ifndef __ASSEMBLER__ and checks them.
 */
#ifndef KEEL_BOOT_BIOS_BIOS_H
#define KEEL_BOOT_BIOS_BIOS_H

/* Byte offsets of the fields of struct bios_regs, for the thunk. */
#define BIOS_REGS_EAX    0
#define BIOS_REGS_EBX    4
#define BIOS_REGS_ECX    8
#define BIOS_REGS_EDX    12
#define BIOS_REGS_ESI    16
#define BIOS_REGS_EDI    20
#define BIOS_REGS_EBP    24
#define BIOS_REGS_DS     28
#define BIOS_REGS_ES     30
#define BIOS_REGS_EFLAGS 32
#define BIOS_REGS_SIZE   36

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bios_regs {
    uint32_t eax, ebx, ecx, edx, esi, edi, ebp;
    uint16_t ds, es;
    uint32_t eflags; /* out only */
} __attribute__((packed));

_Static_assert(offsetof(struct bios_regs, eax) == BIOS_REGS_EAX &&
                   offsetof(struct bios_regs, ebx) == BIOS_REGS_EBX &&
                   offsetof(struct bios_regs, ecx) == BIOS_REGS_ECX &&
                   offsetof(struct bios_regs, edx) == BIOS_REGS_EDX &&
                   offsetof(struct bios_regs, esi) == BIOS_REGS_ESI &&
                   offsetof(struct bios_regs, edi) == BIOS_REGS_EDI &&
                   offsetof(struct bios_regs, ebp) == BIOS_REGS_EBP &&
                   offsetof(struct bios_regs, ds) == BIOS_REGS_DS &&
                   offsetof(struct bios_regs, es) == BIOS_REGS_ES &&
                   offsetof(struct bios_regs, eflags) == BIOS_REGS_EFLAGS &&
                   sizeof(struct bios_regs) == BIOS_REGS_SIZE,
               "stage2_entry.S reads and writes struct bios_regs at these offsets");

#define EFLAGS_CARRY 0x1u

void bios_call(uint8_t vector, struct bios_regs *regs);

static inline bool bios_failed(const struct bios_regs *regs)
{
    return regs->eflags & EFLAGS_CARRY;
}

/* Jump to a Multiboot 2 kernel: EAX = magic, EBX = info, flat 32-bit
 * segments, paging and interrupts off (Multiboot 2 spec 3.3). */
__attribute__((noreturn)) void enter_kernel(uint32_t entry, uint32_t info);

#endif /* __ASSEMBLER__ */

#endif
