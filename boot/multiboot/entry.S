/*
 * entry.S - from the loader's 32-bit protected mode to 64-bit C.
 *
 * Every loader (GRUB with Multiboot 2, QEMU -kernel with Multiboot 1, Keel's
 * own BIOS loader with Multiboot 2) jumps to _start32 with paging off,
 * flat 32-bit segments, interrupts off, EAX = the protocol's magic value and
 * EBX = the physical address of its information block. From there:
 *
 *   1. zero .bss (it holds the boot stack and page tables), take a stack
 *   2. check the magic, that CPUID exists and that the CPU has long mode;
 *      on failure print a message on VGA and COM1 and halt (never reset)
 *   3. build page tables mapping the first 1 GiB twice with 2 MiB pages:
 *      identity (this code runs there) and at KERNEL_VMA (the C kernel)
 *   4. CR4.PAE, EFER.LME (+ EFER.NXE if the CPU has NX), CR0.PG|WP:
 *      the CPU is now in compatibility mode (Intel SDM vol. 3, 9.8.5)
 *   5. load a 64-bit GDT and far-jump into a 64-bit code segment
 *   6. jump to the higher half, switch to the boot stack's virtual address
 *      and call boot_main(magic, info) in C.
 *
 * This code runs before paging, so it uses physical addresses: .boot is
 * linked at its physical address, and symbols of the higher half are
 * converted with PHYS(). Registers, not memory, carry values until step 1 is
 * done, because step 1 overwrites the stack.
 */
#include <arch/x86_64/cpu_bits.h>
#include <boot/multiboot/protocol.h>
#include <drivers/serial/uart16550.h>
#include <drivers/vga/cursor.h>
#include <drivers/vga/vga.h>
#include <mm/layout.h>
#include <mm/paging.h>

#define PHYS(sym) ((sym) - KERNEL_VMA)

#define EFLAGS_ID (1 << 21)              /* writable iff CPUID exists */

/* The boot page tables: one page directory of 2 MiB pages maps
 * BOOT_MAPPED_BYTES, linked from PML4 entry 0 (identity) and from the PML4
 * and PDPT entries that KERNEL_VMA selects (bits 47..39 and 38..30). */
#define PML4_INDEX_HIGH ((KERNEL_VMA >> 39) & (PAGE_TABLE_ENTRIES - 1))
#define PDPT_INDEX_HIGH ((KERNEL_VMA >> 30) & (PAGE_TABLE_ENTRIES - 1))
#define PTE_SIZE 8
.if BOOT_MAPPED_BYTES != PAGE_TABLE_ENTRIES * PAGE_SIZE_2M
.error "BOOT_MAPPED_BYTES (mm/layout.h) must be what one page directory of 2 MiB pages maps"
.endif

#define BOOT_CODE_SELECTOR 0x08
#define BOOT_DATA_SELECTOR 0x10

#define VGA_CELLS (VGA_WIDTH * VGA_HEIGHT)
#define VGA_BLANK 0x0720                 /* ' ', light grey on black */
#define VGA_ERROR_ATTR 0x4F              /* white on red */
#define UART_TX_SPIN_LIMIT 100000        /* an absent UART must not hang us */

    .section .boot.text, "ax"
    .code32
    .global _start32
_start32:
    cli
    cld
    mov %eax, %ebp                       /* loader magic */
    mov %ebx, %esi                       /* information block (physical) */

    /* 1. Zero .bss with rep stosl (EDI, ECX, EAX), then take the stack. */
    mov $PHYS(__bss_start), %edi
    mov $PHYS(__bss_end), %ecx
    sub %edi, %ecx
    shr $2, %ecx
    xor %eax, %eax
    rep stosl
    mov $PHYS(boot_stack_top), %esp
    mov %ebp, PHYS(boot_loader_magic)
    mov %esi, PHYS(boot_loader_info)

    /* 2. Who started us, and can this CPU run a 64-bit kernel? */
    cmp $MULTIBOOT2_BOOTLOADER_MAGIC, %ebp
    je 1f
    cmp $MULTIBOOT1_BOOTLOADER_MAGIC, %ebp
    je 1f
    mov $msg_bad_magic, %esi
    jmp boot_fail
1:
    call check_cpuid
    call check_long_mode                 /* returns CPUID 0x80000001 EDX in EDX */
    mov %edx, %ebx

    /* 3. Page tables (in .bss, already zero). */
    call build_boot_page_tables

    /* 4. Enable PAE, long mode and paging. */
    mov $PHYS(boot_pml4), %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov $MSR_EFER, %ecx
    rdmsr
    or $EFER_LME, %eax
    test $CPUID_EXT_EDX_NX, %ebx         /* setting NXE without NX would #GP */
    jz 2f
    or $EFER_NXE, %eax
2:  wrmsr
    mov %cr0, %eax
    or $(CR0_PG | CR0_WP | CR0_PE), %eax
    mov %eax, %cr0

    /* 5. 64-bit code segment: the far jump loads CS with L = 1. */
    lgdt boot_gdt_pointer32
    ljmp $BOOT_CODE_SELECTOR, $long_mode_start

/* Halt with a message unless EFLAGS.ID can be toggled (CPUID exists). */
check_cpuid:
    pushfl
    pop %eax
    mov %eax, %ecx
    xor $EFLAGS_ID, %eax
    push %eax
    popfl
    pushfl
    pop %eax
    push %ecx                            /* restore the original EFLAGS */
    popfl
    xor %ecx, %eax
    test $EFLAGS_ID, %eax
    jz 1f
    ret
1:  mov $msg_no_cpuid, %esi
    jmp boot_fail

/* Halt with a message unless the CPU reports long mode. Returns the
 * extended feature flags (CPUID 0x80000001 EDX) in EDX. */
check_long_mode:
    mov $CPUID_EXT_MAX_LEAF, %eax
    cpuid
    cmp $CPUID_EXT_FEATURES, %eax
    jb 1f
    mov $CPUID_EXT_FEATURES, %eax
    cpuid
    test $CPUID_EXT_EDX_LM, %edx
    jz 1f
    ret
1:  mov $msg_no_long_mode, %esi
    jmp boot_fail

/* boot_pd maps 0..1 GiB with 2 MiB pages; it is reachable from PML4 entry 0
 * (identity) and from PML4 entry 511 / PDPT entry 510 (KERNEL_VMA). */
build_boot_page_tables:
    mov $PHYS(boot_pd), %edi
    mov $(PTE_PRESENT | PTE_WRITABLE | PTE_HUGE), %eax
    mov $PAGE_TABLE_ENTRIES, %ecx
1:  mov %eax, (%edi)                     /* high half of each entry stays 0 */
    add $PAGE_SIZE_2M, %eax
    add $PTE_SIZE, %edi
    loop 1b

    mov $(PHYS(boot_pd) + PTE_PRESENT + PTE_WRITABLE), %eax
    mov %eax, PHYS(boot_pdpt_low)
    mov %eax, PHYS(boot_pdpt_high) + PDPT_INDEX_HIGH * PTE_SIZE
    mov $(PHYS(boot_pdpt_low) + PTE_PRESENT + PTE_WRITABLE), %eax
    mov %eax, PHYS(boot_pml4)
    mov $(PHYS(boot_pdpt_high) + PTE_PRESENT + PTE_WRITABLE), %eax
    mov %eax, PHYS(boot_pml4) + PML4_INDEX_HIGH * PTE_SIZE
    ret

/* Show the NUL-terminated message at ESI on a blank VGA screen (white on
 * red, top line) and on COM1, then halt with interrupts off for good. */
boot_fail:
    mov %esi, %ebx
    mov $VGA_TEXT_BUFFER_PHYS, %edi
    mov $VGA_CELLS, %ecx
    mov $VGA_BLANK, %eax
    rep stosw
    mov $VGA_TEXT_BUFFER_PHYS, %edi
    mov $VGA_ERROR_ATTR, %ah
1:  lodsb
    test %al, %al
    jz 2f
    stosw
    jmp 1b
2:  call serial_init32
    mov %ebx, %esi
3:  lodsb
    test %al, %al
    jz 4f
    call serial_putc32
    jmp 3b
4:  mov $'\r', %al
    call serial_putc32
    mov $'\n', %al
    call serial_putc32
halt_forever:
    cli
    hlt
    jmp halt_forever                     /* an NMI can end hlt; halt again */

/* COM1 at 115200 baud, 8 data bits, no parity, 1 stop bit
 * (drivers/serial/uart16550.h, as serial.c programs it). */
serial_init32:
    mov $0x00, %al                       /* no interrupts */
    mov $UART_IER, %dx
    out %al, %dx
    mov $LCR_DLAB, %al                   /* DLAB = 1 to set the divisor */
    mov $UART_LCR, %dx
    out %al, %dx
    mov $(UART_DIVISOR_115200 & 0xFF), %al
    mov $UART_DIVISOR_LOW, %dx
    out %al, %dx
    mov $(UART_DIVISOR_115200 >> 8), %al
    mov $UART_DIVISOR_HIGH, %dx
    out %al, %dx
    mov $LCR_8N1, %al                    /* and DLAB = 0 again */
    mov $UART_LCR, %dx
    out %al, %dx
    mov $(MCR_DTR | MCR_RTS), %al
    mov $UART_MCR, %dx
    out %al, %dx
    ret

/* Send AL on COM1 once the transmit holding register is empty. */
serial_putc32:
    mov %eax, %edi
    mov $UART_TX_SPIN_LIMIT, %ecx
    mov $UART_LSR, %dx
1:  in %dx, %al
    test $LSR_THR_EMPTY, %al
    jnz 2f
    loop 1b
2:  mov %edi, %eax
    mov $UART_DATA, %dx
    out %al, %dx
    ret

    .code64
long_mode_start:
    /* 6. Data segments for 64-bit mode, then leave the identity mapping. */
    mov $BOOT_DATA_SELECTOR, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %eax, %eax
    mov %ax, %fs
    mov %ax, %gs
    movabs $higher_half_start, %rax
    jmp *%rax

    .section .boot.rodata, "a"
    /* The accessed bits are preset so the CPU never writes to this table. */
    .balign 8
boot_gdt:
    .quad 0                              /* the null descriptor */
    .quad 0x00209B0000000000             /* 0x08: code, present, ring 0, L = 1 */
    .quad 0x0000930000000000             /* 0x10: data, present, writable */
boot_gdt_end:

boot_gdt_pointer32:
    .short boot_gdt_end - boot_gdt - 1
    .long boot_gdt

msg_bad_magic:
    .asciz "Keel must be started by a Multiboot loader (bad magic in EAX)"
msg_no_cpuid:
    .asciz "Keel needs a 64-bit CPU: CPUID instruction not available"
msg_no_long_mode:
    .asciz "Keel needs a 64-bit CPU: long mode not available"

    .text
    .code64
higher_half_start:
    /* The GDT stays where it is; reload GDTR with its higher-half alias so
     * nothing depends on the identity mapping any more. */
    lgdt boot_gdt_pointer64(%rip)
    mov $boot_stack_top, %rsp
    xor %ebp, %ebp                       /* end of the frame-pointer chain */
    mov boot_loader_magic(%rip), %edi
    mov boot_loader_info(%rip), %esi
    call boot_main                       /* does not return */
1:  cli
    hlt
    jmp 1b

    .section .rodata
    .balign 8
boot_gdt_pointer64:
    .short boot_gdt_end - boot_gdt - 1
    .quad boot_gdt + KERNEL_VMA

    .bss
    .balign PAGE_SIZE
boot_pml4:
    .skip PAGE_SIZE
boot_pdpt_low:
    .skip PAGE_SIZE
boot_pdpt_high:
    .skip PAGE_SIZE
boot_pd:
    .skip PAGE_SIZE

    /* The boot stack has no guard page: an overflow would run into the page
     * tables below it. It is only used until kernel_main has the kernel's own
     * page tables and moves to the boot stack in the stack region
     * (mm/memory.c, switch_stack), which does have one. */
    .balign 16
boot_stack_bottom:
    .skip BOOT_STACK_SIZE
boot_stack_top:

boot_loader_magic:
    .long 0
boot_loader_info:
    .long 0
