/*
 * frame.h - the general registers of struct interrupt_frame (idt.h), saved
 * and restored in its order, for the assembly entry paths: isr.S (every
 * interrupt and exception) and syscall.S (system calls, a program's first
 * entry). One definition, so the frame cannot differ between them.
 *
 * Assembly only: macros for GNU as.
 */
#ifndef KEEL_ARCH_X86_64_FRAME_H
#define KEEL_ARCH_X86_64_FRAME_H

#ifdef __ASSEMBLER__
/* GNU as macros, not C: */
/* clang-format off */
/* Push rax ... r15: r15 ends lowest, at the frame's start. */
.macro PUSH_GENERAL_REGISTERS
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
.endm

/* Pop them again, r15 first. */
.macro POP_GENERAL_REGISTERS
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
.endm
/* clang-format on */
#endif

#endif
