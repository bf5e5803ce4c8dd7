/*
 * isr.S - the entry points of every interrupt and exception.
 *
 * The CPU pushes SS, RSP, RFLAGS, CS, RIP and, for some exceptions, an
 * error code (vectors 8, 10-14, 17, 21, 29, 30: Intel SDM vol. 3, table
 * 6-1). Each stub below makes the stack look the same for all vectors
 * (pushing 0 where the CPU pushed no error code), pushes its vector number
 * and jumps to interrupt_common, which saves every general register as
 * struct interrupt_frame (idt.h) and calls interrupt_dispatch(frame).
 *
 * From ring 3 (CS's RPL is 3) the entry and the exit swap the GS base
 * (percpu.h), and the entry closes SMAP (clac) in case the program had set
 * RFLAGS.AC; the frame keeps the program's RFLAGS for iretq.
 *
 * Alignment: in 64-bit mode the CPU aligns RSP to 16 bytes before pushing
 * its frame (SDM 6.14.2); 5 + 2 + 15 pushes of 8 bytes keep it aligned, so
 * the call into C sees the ABI's alignment.
 */

#include <arch/x86_64/frame.h>

    .text

.macro STUB_NO_ERROR vector
    .balign 16
interrupt_stub_\vector:
    pushq $0                        /* no error code from the CPU: a zero in its place */
    pushq $\vector
    jmp interrupt_common
.endm

.macro STUB_ERROR vector
    .balign 16
interrupt_stub_\vector:
    pushq $\vector                  /* the CPU pushed an error code already */
    jmp interrupt_common
.endm

interrupt_common:
    testb $3, 24(%rsp)              /* CS of the interrupted code: from ring 3? */
    jz 1f
    swapgs                          /* then GS gets the kernel's base (percpu.h) */
1:  PUSH_GENERAL_REGISTERS
    cld                             /* the ABI expects DF = 0 on function entry */
    testb $1, smap_on(%rip)         /* user code may have set RFLAGS.AC: shut SMAP again */
    jz 2f
    clac
2:  mov %rsp, %rdi                  /* struct interrupt_frame * */
    call interrupt_dispatch
    POP_GENERAL_REGISTERS
    add $16, %rsp                   /* vector and error code */
    testb $3, 8(%rsp)               /* back to ring 3? then its GS base again */
    jz 3f
    swapgs
3:  iretq

STUB_NO_ERROR 0
STUB_NO_ERROR 1
STUB_NO_ERROR 2
STUB_NO_ERROR 3
STUB_NO_ERROR 4
STUB_NO_ERROR 5
STUB_NO_ERROR 6
STUB_NO_ERROR 7
STUB_ERROR 8
STUB_NO_ERROR 9
STUB_ERROR 10
STUB_ERROR 11
STUB_ERROR 12
STUB_ERROR 13
STUB_ERROR 14
STUB_NO_ERROR 15
STUB_NO_ERROR 16
STUB_ERROR 17
STUB_NO_ERROR 18
STUB_NO_ERROR 19
STUB_NO_ERROR 20
STUB_ERROR 21
STUB_NO_ERROR 22
STUB_NO_ERROR 23
STUB_NO_ERROR 24
STUB_NO_ERROR 25
STUB_NO_ERROR 26
STUB_NO_ERROR 27
STUB_NO_ERROR 28
STUB_ERROR 29
STUB_ERROR 30
STUB_NO_ERROR 31
/* The 8259 PICs' IRQs 0-15, then the I/O APICs' lines 0-15 (idt.h). */
.irp vector, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47
STUB_NO_ERROR \vector
.endr
.irp vector, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63
STUB_NO_ERROR \vector
.endr
/* The local APIC's own vectors: timer, inter-processor interrupts, error, spurious (lapic.h). */
.irp vector, 240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251, 252, 253, 254, 255
STUB_NO_ERROR \vector
.endr

/* Addresses of the stubs for vectors 0-63, then for 240-255, for idt_init(). */
    .section .rodata
    .balign 8
    .global interrupt_stubs
interrupt_stubs:
.irp vector, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    .quad interrupt_stub_\vector
.endr
.irp vector, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47
    .quad interrupt_stub_\vector
.endr
.irp vector, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63
    .quad interrupt_stub_\vector
.endr
    .global local_interrupt_stubs
local_interrupt_stubs:
.irp vector, 240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251, 252, 253, 254, 255
    .quad interrupt_stub_\vector
.endr
