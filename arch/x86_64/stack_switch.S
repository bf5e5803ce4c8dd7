/*
 * stack_switch.S - continue on another stack.
 *
 * void switch_stack(uint64_t new_top, void (*continuation)(void))
 *
 * Loads RSP with new_top, clears RBP (the end of the frame-pointer chain,
 * so backtraces stop cleanly) and calls continuation, which must not
 * return: nothing of the old stack is left to return to.
 */
    .text
    .global switch_stack
switch_stack:
    mov %rdi, %rsp
    xor %ebp, %ebp
    call *%rsi
1:  cli
    hlt
    jmp 1b
