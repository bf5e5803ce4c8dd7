/*
 * stage2_entry.S - stage 2's way into 32-bit protected mode, and back out
 * to real mode whenever it needs the BIOS.
 *
 * Stage 1 jumps to stage2_start (STAGE2_ADDR, addresses.h) in real mode with
 * DL = boot drive and SI = the active partition's entry in the MBR. We load
 * a GDT, set CR0.PE, far-jump into 32-bit code, zero .bss and call
 * stage2_main(drive, partition_entry) in C.
 *
 * bios_call(vector, regs) (see bios.h) goes the other way for the length of
 * one BIOS interrupt: 32-bit code -> 16-bit protected mode (so the segment
 * caches hold real-mode-compatible 64 KiB limits, Intel SDM vol. 3 9.9.2)
 * -> CR0.PE = 0 -> real mode with the BIOS's interrupt vector table ->
 * `int` -> back. The stack stays where it is: it is below 64 KiB, so SP
 * addresses the same bytes in both modes.
 */
#include <arch/x86_64/cpu_bits.h>
#include <boot/bios/bios.h>
#include <boot/bios/bootimg.h>
#include <boot/bios/addresses.h>
#include <boot/multiboot/protocol.h>

#define CODE32_SELECTOR 0x08
#define DATA32_SELECTOR 0x10
#define CODE16_SELECTOR 0x18
#define DATA16_SELECTOR 0x20

/* What stage2.ld needs, as absolute symbols (a linker script cannot read
 * headers): where stage 2 is loaded, how long its file may be, where it
 * must end and the page size its variables are aligned to. */
    .global __stage2_addr, __stage2_max_bytes, __stage2_end, __page_size
    .set __stage2_addr, STAGE2_ADDR
    .set __page_size, PAGE_SIZE
    .set __stage2_max_bytes, BOOTIMG_STAGE2_MAX_SECTORS * BOOTIMG_SECTOR_SIZE
    .set __stage2_end, STAGE2_END

    .section .text16, "ax"
    .code16
    .global stage2_start
stage2_start:
    cli
    xor %ax, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $LOADER_STACK_TOP, %sp
    movzbl %dl, %edx                /* keep drive and partition entry in */
    movzwl %si, %esi                /* registers: C checks the image first */
    lgdtl gdt_pointer
    mov %cr0, %eax
    or $CR0_PE, %eax
    mov %eax, %cr0
    ljmpl $CODE32_SELECTOR, $protected_mode_start

    .code32
protected_mode_start:
    mov $DATA32_SELECTOR, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov %ax, %ss
    mov $LOADER_STACK_TOP, %esp
    mov %edx, %ebx                  /* rep stosb below uses EAX, ECX, EDI */
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    cld
    rep stosb
    push %esi                       /* stage2_main(drive, partition entry) */
    push %ebx
    call stage2_main
1:  cli
    hlt
    jmp 1b

/* void bios_call(uint8_t vector, struct bios_regs *regs) */
    .global bios_call
bios_call:
    push %ebp
    push %ebx
    push %esi
    push %edi
    mov 20(%esp), %eax
    mov %al, int_vector             /* patch the operand of `int` below */
    mov 24(%esp), %esi
    mov %esi, caller_regs
    mov $thunk_regs, %edi           /* copy *regs below 64 KiB, where */
    mov $BIOS_REGS_SIZE, %ecx       /* real-mode code can reach it */
    cld
    rep movsb
    mov %esp, saved_esp
    ljmp $CODE16_SELECTOR, $2f

    .code16
2:  mov $DATA16_SELECTOR, %ax       /* 64 KiB limits in every segment cache */
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov %ax, %ss
    mov %cr0, %eax
    and $~CR0_PE, %eax
    mov %eax, %cr0
    ljmp $0, $3f                    /* reload CS with a real-mode segment */
3:  xor %ax, %ax
    mov %ax, %ds
    mov %ax, %ss
    lidt realmode_idt_pointer       /* the BIOS's vectors at address 0 */

    mov thunk_regs + BIOS_REGS_ES, %ax
    mov %ax, %es
    mov thunk_regs + BIOS_REGS_EAX, %eax
    mov thunk_regs + BIOS_REGS_EBX, %ebx
    mov thunk_regs + BIOS_REGS_ECX, %ecx
    mov thunk_regs + BIOS_REGS_EDX, %edx
    mov thunk_regs + BIOS_REGS_ESI, %esi
    mov thunk_regs + BIOS_REGS_EDI, %edi
    mov thunk_regs + BIOS_REGS_EBP, %ebp
    pushw thunk_regs + BIOS_REGS_DS
    pop %ds                         /* last: the loads above need DS = 0 */
    sti                             /* disk services may wait for interrupts */
    .byte 0xCD                      /* int imm8; the immediate is patched */
int_vector:
    .byte 0x00
    cli
    /* DS belongs to the BIOS's answer: store through CS (= 0) instead. */
    mov %eax, %cs:thunk_regs + BIOS_REGS_EAX
    mov %ebx, %cs:thunk_regs + BIOS_REGS_EBX
    mov %ecx, %cs:thunk_regs + BIOS_REGS_ECX
    mov %edx, %cs:thunk_regs + BIOS_REGS_EDX
    mov %esi, %cs:thunk_regs + BIOS_REGS_ESI
    mov %edi, %cs:thunk_regs + BIOS_REGS_EDI
    mov %ebp, %cs:thunk_regs + BIOS_REGS_EBP
    mov %ds, %cs:thunk_regs + BIOS_REGS_DS
    mov %es, %cs:thunk_regs + BIOS_REGS_ES
    pushfl
    popl %cs:thunk_regs + BIOS_REGS_EFLAGS

    xor %ax, %ax
    mov %ax, %ds
    lgdtl gdt_pointer
    mov %cr0, %eax
    or $CR0_PE, %eax
    mov %eax, %cr0
    ljmpl $CODE32_SELECTOR, $4f

    .code32
4:  mov $DATA32_SELECTOR, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov %ax, %ss
    mov saved_esp, %esp
    mov $thunk_regs, %esi
    mov caller_regs, %edi
    mov $BIOS_REGS_SIZE, %ecx
    cld
    rep movsb
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    ret

/* void enter_kernel(uint32_t entry, uint32_t info) */
    .global enter_kernel
enter_kernel:
    cli
    mov 4(%esp), %ecx
    mov 8(%esp), %ebx
    mov $MULTIBOOT2_BOOTLOADER_MAGIC, %eax
    jmp *%ecx

/* Read-only: the descriptors come with their accessed bits set, so the CPU
 * never writes them back either (Intel SDM vol. 3 3.4.5.1). */
    .section .rodata
    .balign 8
gdt:
    .quad 0                         /* null descriptor */
    .quad 0x00CF9B000000FFFF        /* 0x08: 32-bit code, base 0, 4 GiB, accessed */
    .quad 0x00CF93000000FFFF        /* 0x10: 32-bit data, base 0, 4 GiB, accessed */
    .quad 0x00009B000000FFFF        /* 0x18: 16-bit code, base 0, 64 KiB */
    .quad 0x000093000000FFFF        /* 0x20: 16-bit data, base 0, 64 KiB */
gdt_end:
gdt_pointer:
    .word gdt_end - gdt - 1
    .long gdt
realmode_idt_pointer:
    .word 0x3FF                     /* 256 vectors of 4 bytes */
    .long 0

/* Written on every BIOS call: in .bss, away from the code (addresses.h). */
    .section .bss
    .balign 4
thunk_regs:
    .skip BIOS_REGS_SIZE
caller_regs:
    .skip 4
saved_esp:
    .skip 4
