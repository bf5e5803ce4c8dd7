/*
 * syscall.S - the way into the kernel from ring 3 by `syscall`, and the two
 * ways back: sysret, and iretq for a program's first entry.
 *
 * syscall (SDM vol. 3A, 5.8.8) saves RIP in RCX and RFLAGS in R11, clears
 * the RFLAGS bits in FMASK (IF among them, so no interrupt can arrive
 * before there is a kernel stack), loads the kernel's CS and SS and jumps
 * here, leaving RSP at the user's stack. The entry swaps in the kernel's GS
 * base, parks the user RSP in the CPU's struct cpu_local, takes the
 * thread's kernel stack and builds the same struct interrupt_frame that
 * isr.S builds (vector SYSCALL_FRAME_VECTOR, error code 0): one frame shape
 * for everything that entered from ring 3, so the system calls, the
 * exception path and a killed program all read the same registers.
 *
 * The way back: syscall_dispatch (kernel/proc/syscall.c) returns with
 * interrupts off, and non-zero when the frame must go back by iretq. sysret
 * loads RIP from RCX and would raise #GP in ring 0, on the user's stack, if
 * that address were not canonical; the lower half's last page is never
 * mapped (KEEL_USER_LIMIT), so no `syscall` can leave a non-canonical
 * return address, and the dispatcher still checks and takes iretq then.
 */
#include <arch/x86_64/frame.h>
#include <arch/x86_64/gdt.h>
#include <arch/x86_64/percpu.h>
#include <arch/x86_64/user_mode.h>

    .text
    .global syscall_entry
syscall_entry:
    swapgs                              /* GS: this CPU's struct cpu_local */
    movq %rsp, %gs:CPU_LOCAL_USER_RSP
    movq %gs:CPU_LOCAL_KERNEL_RSP, %rsp
    pushq $USER_SS                      /* the frame the CPU would push for an interrupt */
    pushq %gs:CPU_LOCAL_USER_RSP
    pushq %r11                          /* user RFLAGS */
    pushq $USER_CS
    pushq %rcx                          /* user RIP */
    pushq $0                            /* error code */
    pushq $SYSCALL_FRAME_VECTOR
    PUSH_GENERAL_REGISTERS              /* then what isr.S's interrupt_common saves */
    xorl %ebp, %ebp                     /* a backtrace ends here, not in user memory */
    movq %rsp, %rdi                     /* struct interrupt_frame * */
    call syscall_dispatch               /* returns with IF = 0; eax != 0: use iretq */
    testl %eax, %eax                    /* the flags survive the pops and lea below */
    POP_GENERAL_REGISTERS               /* rax is the result now */
    leaq 16(%rsp), %rsp                 /* vector and error code */
    jnz 1f
    movq (%rsp), %rcx                   /* RIP, RFLAGS and RSP from the frame */
    movq 16(%rsp), %r11
    movq 24(%rsp), %rsp
    swapgs                              /* the user's GS base again */
    sysretq
1:  swapgs
    iretq

/*
 * void user_enter(const struct interrupt_frame *frame) - start ring 3 from
 * a frame the kernel built (a program's first instruction): every
 * register from it, then iretq to its RIP, CS, RFLAGS, RSP and SS.
 * Called with interrupts off; the frame lies at the top of the thread's
 * kernel stack, which becomes empty once iretq has popped it.
 */
    .global user_enter
user_enter:
    movq %rdi, %rsp
    POP_GENERAL_REGISTERS
    addq $16, %rsp
    swapgs
    iretq
