/*
 * switch.S - the context switch: leave one thread's stack, resume another's.
 *
 * void context_switch(uint64_t *save_rsp, uint64_t next_rsp)
 *
 * Called like any C function, so the System V ABI already lets it clobber
 * rax, rcx, rdx, rsi, rdi and r8-r11 (the caller saved what it needs of
 * them). It keeps what the callee must preserve: rbx, rbp, r12-r15 and rsp,
 * plus rflags, so each thread gets back its own interrupt flag. The
 * return address is already on the stack (the call pushed it), so the
 * saved stack pointer is all a suspended thread is: popping in the reverse
 * order and returning resumes it where it called context_switch.
 *
 * A new thread's stack is built by kernel/sched/thread.c to look as if it
 * had called context_switch from thread_trampoline, with the thread's
 * function in r12 and its argument in r13.
 */
    .text
    .global context_switch
context_switch:
    pushq %rbp                  /* callee-saved registers of the thread we leave */
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    pushfq                      /* its interrupt flag (callers switch with IF = 0) */
    movq %rsp, (%rdi)           /* *save_rsp: all that is needed to resume it */
    movq %rsi, %rsp             /* the other thread's stack from here on */
    popfq                       /* the same registers, its values, reverse order */
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret                         /* into its context_switch call, or the trampoline */

/*
 * thread_trampoline - where a new thread's first context_switch returns.
 * RSP is the stack's 16-byte aligned top, as the ABI wants before a call.
 */
    .global thread_trampoline
thread_trampoline:
    movq %r12, %rdi             /* thread_fn */
    movq %r13, %rsi             /* its argument */
    call thread_start           /* runs the function, then thread_exit: never returns */
    ud2
