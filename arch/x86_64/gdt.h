/*
 * gdt.h - the kernel's 64-bit GDT and TSS.
 */
#ifndef KEEL_ARCH_X86_64_GDT_H
#define KEEL_ARCH_X86_64_GDT_H

#include <stdint.h>

#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_TSS         0x18

/* Interrupt Stack Table slots (1-based, as the IDT's IST field counts). */
#define IST_DOUBLE_FAULT  1
#define IST_NMI           2
#define IST_MACHINE_CHECK 3

/* Build and load the GDT and TSS (IST entries on small early stacks),
 * reload every segment register. */
void gdt_init(void);
/* Point IST slot `ist` (1-3) at a stack whose top is `top`. */
void gdt_set_ist_stack(unsigned ist, uintptr_t top);

#endif
