/*
 * crt0.S - where every program starts: _start, the ELF entry point.
 *
 * The kernel enters _start in ring 3 with rsp 16-byte aligned and pointing
 * at argc, then argv[0..argc-1] and a NULL (include/keel/syscall.h). _start
 * passes them to main(argc, argv) and ends the program with main's value
 * through exit(); nothing else runs before main (no constructors: .bss is
 * zeroed by the kernel, which maps it as fresh pages).
 */
    .section .text.start, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    xorl %ebp, %ebp         /* the outermost frame: a frame-pointer walk stops at 0 */
    movl (%rsp), %edi       /* argc, an 8-byte slot: main takes an int */
    leaq 8(%rsp), %rsi      /* argv: the pointers right above argc, NULL-terminated */
    andq $-16, %rsp         /* aligned already by the ABI; `call` must see it aligned */
    call main
    movl %eax, %edi         /* main's value is the exit status */
    call exit
    ud2                     /* exit does not return; if it did, fault rather than run on */
    .size _start, . - _start

    /* No executable stack wanted (ld would assume one without this note). */
    .section .note.GNU-stack, "", @progbits
