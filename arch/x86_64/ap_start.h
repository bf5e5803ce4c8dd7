/*
 * ap_start.h - what an application processor runs between its start-up IPI
 * and the kernel's C code (ap_trampoline.S), and where that lives.
 *
 * A start-up IPI starts a CPU in real mode at physical address vector <<
 * 12 (Intel SDM vol. 3A, 9.4.4), so the trampoline is copied to a page
 * below 1 MiB, AP_TRAMPOLINE_PHYS (vector 0x08). From there it loads its
 * own GDT, enters protected mode, turns on PAE, loads CR3 with the
 * start-up page tables (below 4 GiB, since a 32-bit mov to CR3 cannot
 * reach further), sets EFER.LME and NXE, turns on paging and jumps to
 * 64-bit code, still at the low address. That code takes the stack, the C
 * entry and the CPU number from struct ap_start_params at the end of the
 * copy and jumps to the entry in the kernel's half.
 *
 * The start-up page tables are four pages from AP_TRAMPOLINE_PHYS: the
 * trampoline itself, then a PML4 whose upper half is the kernel's (its
 * entries never change after memory_init) and whose entry 0 leads through
 * a PDPT and a PD to one 2 MiB identity page over the first 2 MiB, so the
 * instruction after the one that turns on paging is still mapped.
 */
#ifndef KEEL_ARCH_X86_64_AP_START_H
#define KEEL_ARCH_X86_64_AP_START_H

#define AP_TRAMPOLINE_PHYS  0x8000
#define AP_TRAMPOLINE_PAGES 4 /* the code, PML4, PDPT, PD */
#define AP_STARTUP_VECTOR   (AP_TRAMPOLINE_PHYS >> 12)

/* Offsets in struct ap_start_params, for the assembly. */
#define AP_PARAM_CR3     0
#define AP_PARAM_STACK   8
#define AP_PARAM_ENTRY   16
#define AP_PARAM_CPU     24
#define AP_PARAM_STARTED 32

#ifndef __ASSEMBLER__
#include <stdint.h>

struct ap_start_params {
    uint64_t cr3;              /* the start-up PML4 (below 4 GiB) */
    uint64_t stack;            /* the AP's first RSP, in its boot stack */
    uint64_t entry;            /* void entry(uint64_t cpu), in the kernel's half */
    uint64_t cpu;              /* the AP's number (cpu_locals index) */
    volatile uint64_t started; /* set to 1 by the AP once in 64-bit mode */
};

/* The trampoline's bytes, to be copied to AP_TRAMPOLINE_PHYS, and where in
 * them the parameters are. */
extern const uint8_t ap_trampoline_start[], ap_trampoline_end[], ap_trampoline_params[];
#endif

#endif
