/*
 * trampoline.S - from UEFI's 64-bit mode to the kernel's 32-bit Multiboot 2
 * entry: protected mode, paging off, EAX = magic, EBX = information block.
 *
 * Called by handover.c after ExitBootServices(), as
 *     trampoline(entry, info, stack_top)     (Microsoft x64: RCX, RDX, R8)
 * from a copy in a page below 1 GiB: the code ends up running 32-bit, where
 * EIP cannot name an address above 4 GiB, and everything here is
 * position-independent (RIP-relative) so the copy works wherever it lies.
 * The firmware's page tables map memory 1:1 (UEFI 2.10, 2.3.4), which is
 * what the switch below needs: the instructions around turning paging off
 * run at the same address before and after.
 *
 * The steps follow Intel SDM vol. 3A, 9.8.5.4 "Switching Out of IA-32e Mode
 * Operation" (10.8.5.4 in later editions): (1) switch to compatibility mode,
 * (2) clear CR0.PG, which also clears IA32_EFER.LMA, from an identity-mapped
 * page, (4) clear IA32_EFER.LME. Steps 3 and 5-6 (legacy page tables and
 * paging back on) are skipped: Multiboot 2 wants paging off.
 */
#include <arch/x86_64/cpu_bits.h>
#include <boot/multiboot/protocol.h>

#define CODE32_SELECTOR 0x08
#define DATA32_SELECTOR 0x10
/* 32-bit truncations of the bit masks, for `and` with a 32-bit immediate. */
#define CR0_PG_CLEAR   (~CR0_PG & 0xFFFFFFFF)
#define EFER_LME_CLEAR (~EFER_LME & 0xFFFFFFFF)
#define CR4_PCIDE_CLEAR (~CR4_PCIDE)

    .text
    .global trampoline_start, trampoline_end
    .code64
trampoline_start:
    cli                             /* no firmware handler may run from here on */
    mov %r8, %rsp                   /* a stack below 1 GiB, usable in 32-bit mode */
    mov %ecx, %edi                  /* entry and info survive the mode switch in */
    mov %edx, %esi                  /* EDI and ESI (RDMSR/WRMSR use EAX, ECX, EDX) */

    /* CR0.PG cannot be cleared while CR4.PCIDE is set (SDM vol. 3A, 4.10.1;
     * MOV to CR0 raises #GP): firmware may have turned PCIDs on. */
    mov %cr4, %rax
    and $CR4_PCIDE_CLEAR, %rax
    mov %rax, %cr4

    /* Our own GDT: the firmware's may have no 32-bit segments. Its base is
     * where this copy lies, so the descriptor is built on the stack. */
    lea gdt(%rip), %rax
    sub $16, %rsp
    movw $(gdt_end - gdt - 1), (%rsp)
    mov %rax, 2(%rsp)
    lgdt (%rsp)

    /* Step 1: a far return into a code segment with L = 0, D = 1 enters
     * compatibility mode with 32-bit operands (SDM vol. 3A, 5.2.1). */
    lea compatibility_mode(%rip), %rax
    pushq $CODE32_SELECTOR
    push %rax
    lretq

    .code32
compatibility_mode:
    /* Step 2: paging off. IA-32e mode is deactivated (EFER.LMA = 0), and the
     * CPU is in plain 32-bit protected mode; the next instruction is fetched
     * from the same, now physical, address. */
    mov %cr0, %eax
    and $CR0_PG_CLEAR, %eax
    mov %eax, %cr0

    /* Step 4: long mode off, so that the kernel's entry finds EFER.LME
     * clear, as on a BIOS machine, and sets it itself. */
    mov $MSR_EFER, %ecx
    rdmsr
    and $EFER_LME_CLEAR, %eax
    wrmsr

    /* Flat 32-bit data segments in every data segment register, as
     * Multiboot 2 requires (spec 3.3, "Machine state"). */
    mov $DATA32_SELECTOR, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov %ax, %ss

    /* The Multiboot 2 hand-over: magic in EAX, block in EBX (spec 3.3). */
    mov $MULTIBOOT2_BOOTLOADER_MAGIC, %eax
    mov %esi, %ebx
    jmp *%edi

    /* Flat 4 GiB segments: base 0, limit 0xFFFFF in 4 KiB units (G = 1).
     * Code: present, ring 0, execute/read, D = 1 (32-bit), L = 0.
     * Data: present, ring 0, read/write, B = 1. (SDM vol. 3A, 3.4.5.) */
    .p2align 3
gdt:
    .quad 0                         /* the null descriptor */
    .quad 0x00CF9A000000FFFF        /* CODE32_SELECTOR */
    .quad 0x00CF92000000FFFF        /* DATA32_SELECTOR */
gdt_end:
trampoline_end:
