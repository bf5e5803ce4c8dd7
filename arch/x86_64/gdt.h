/*
 * gdt.h - the kernel's 64-bit GDT and TSS.
 */
#ifndef KEEL_ARCH_X86_64_GDT_H
#define KEEL_ARCH_X86_64_GDT_H

/* Selectors. The order is what syscall and sysret demand (SDM vol. 3A,
 * 5.8.8): syscall loads CS from STAR[47:32] and SS from that + 8; sysret
 * loads SS from STAR[63:48] + 8 and CS from STAR[63:48] + 16, both with
 * RPL 3. So: kernel code, kernel data, then user data before user code. */
#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_USER_DATA   0x18
#define GDT_USER_CODE   0x20
#define GDT_TSS         0x28
#define GDT_RPL_USER    3
#define USER_CS         (GDT_USER_CODE | GDT_RPL_USER)
#define USER_SS         (GDT_USER_DATA | GDT_RPL_USER)

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Interrupt Stack Table slots (1-based, as the IDT's IST field counts). */
#define IST_DOUBLE_FAULT  1
#define IST_NMI           2
#define IST_MACHINE_CHECK 3

/* Build and load the GDT and TSS (IST entries on small early stacks),
 * reload every segment register. */
void gdt_init(void);
/* The stack the running CPU switches to when an interrupt or exception
 * arrives in ring 3 (its TSS.RSP0): the running thread's kernel stack top.
 * Needs the GS base (percpu.h). */
void gdt_set_kernel_stack(uintptr_t top);
/* Point the boot CPU's IST slot `ist` (1-3) at a stack whose top is `top`. */
void gdt_set_ist_stack(unsigned ist, uintptr_t top);
/* Build and load application processor cpu's own GDT and TSS, its IST
 * slots 1-3 at ist_tops[0..2]; reload every segment register. */
void gdt_init_ap(unsigned cpu, const uintptr_t ist_tops[3]);

#endif /* __ASSEMBLER__ */

#endif
