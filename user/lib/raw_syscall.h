/*
 * raw_syscall.h - the `syscall` instruction with 0 to 6 arguments: the only
 * inline assembly of the runtime (user/lib/syscalls.c wraps each system
 * call by name on top of these).
 *
 * The convention (include/keel/syscall.h): the number in rax, the arguments
 * in rdi, rsi, rdx, r10, r8, r9, the result in rax. The CPU itself writes
 * the return address into rcx and rflags into r11, so both are clobbered;
 * "memory" because the kernel reads and writes through the pointers passed
 * (a buffer filled by read() must not be cached in a register across the
 * call). Every other register survives. GCC has no constraint letter for
 * r10, r8 and r9: register variables bind those, which is the documented
 * way to pin an operand to a register for an asm statement.
 */
#ifndef KEEL_USER_LIB_RAW_SYSCALL_H
#define KEEL_USER_LIB_RAW_SYSCALL_H

static inline long raw_syscall0(long number)
{
    long result;
    __asm__ volatile("syscall" : "=a"(result) : "a"(number) : "rcx", "r11", "memory");
    return result;
}

static inline long raw_syscall1(long number, long a1)
{
    long result;
    __asm__ volatile("syscall" : "=a"(result) : "a"(number), "D"(a1) : "rcx", "r11", "memory");
    return result;
}

static inline long raw_syscall2(long number, long a1, long a2)
{
    long result;
    __asm__ volatile("syscall"
                     : "=a"(result)
                     : "a"(number), "D"(a1), "S"(a2)
                     : "rcx", "r11", "memory");
    return result;
}

static inline long raw_syscall3(long number, long a1, long a2, long a3)
{
    long result;
    __asm__ volatile("syscall"
                     : "=a"(result)
                     : "a"(number), "D"(a1), "S"(a2), "d"(a3)
                     : "rcx", "r11", "memory");
    return result;
}

static inline long raw_syscall6(long number, long a1, long a2, long a3, long a4, long a5, long a6)
{
    long result;
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    register long r9 __asm__("r9") = a6;
    __asm__ volatile("syscall"
                     : "=a"(result)
                     : "a"(number), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return result;
}

#endif
