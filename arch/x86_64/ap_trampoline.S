/*
 * ap_trampoline.S - an application processor's way from the start-up IPI to
 * the kernel's C code (see ap_start.h). These bytes are data in the kernel
 * image: kernel/smp.c copies them to AP_TRAMPOLINE_PHYS, and every address
 * below is where a byte lands there (AT), not where it is linked.
 */
#include <arch/x86_64/ap_start.h>
#include <arch/x86_64/cpu_bits.h>

#define AT(label) (AP_TRAMPOLINE_PHYS + (label) - ap_trampoline_start)

#define CODE32 0x08
#define DATA   0x10
#define CODE64 0x18

    .section .rodata
    .balign 16
    .global ap_trampoline_start, ap_trampoline_end, ap_trampoline_params

    .code16
ap_trampoline_start:
    /* CS = 0x0800, IP = 0 (the start-up vector); DS = 0 makes AT() addresses usable. */
    cli
    cld
    xorw %ax, %ax
    movw %ax, %ds
    lgdtl AT(trampoline_gdtr)
    movl %cr0, %eax
    orl $CR0_PE, %eax
    movl %eax, %cr0
    ljmpl $CODE32, $AT(protected_mode)

    .code32
protected_mode:
    movw $DATA, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movl %cr4, %eax
    orl $CR4_PAE, %eax
    movl %eax, %cr4
    movl AT(ap_trampoline_params) + AP_PARAM_CR3, %eax
    movl %eax, %cr3
    movl $MSR_EFER, %ecx
    rdmsr
    orl $(EFER_LME | EFER_NXE), %eax
    wrmsr
    movl %cr0, %eax
    andl $~(CR0_CD | CR0_NW), %eax /* INIT leaves the caches off */
    orl $(CR0_PG | CR0_WP), %eax
    movl %eax, %cr0
    ljmpl $CODE64, $AT(long_mode)

    .code64
long_mode:
    movw $DATA, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movq $AT(ap_trampoline_params), %rbx
    movq AP_PARAM_STACK(%rbx), %rsp
    movq AP_PARAM_CPU(%rbx), %rdi
    movq AP_PARAM_ENTRY(%rbx), %rax
    movq $1, AP_PARAM_STARTED(%rbx)
    xorl %ebp, %ebp /* the end of every backtrace */
    callq *%rax     /* never returns */
1:  hlt
    jmp 1b

    .balign 8
trampoline_gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF /* CODE32: base 0, 4 GiB, 32-bit, execute/read */
    .quad 0x00CF92000000FFFF /* DATA: base 0, 4 GiB, read/write */
    .quad 0x00AF9A000000FFFF /* CODE64: L = 1 */
trampoline_gdt_end:
trampoline_gdtr:
    .word trampoline_gdt_end - trampoline_gdt - 1
    .long AT(trampoline_gdt)

    .balign 8
ap_trampoline_params:
    .fill 5, 8, 0 /* struct ap_start_params */
ap_trampoline_end:
