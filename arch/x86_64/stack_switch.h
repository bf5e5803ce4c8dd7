/*
 * stack_switch.h - continue on another stack (stack_switch.S).
 */
#ifndef KEEL_ARCH_X86_64_STACK_SWITCH_H
#define KEEL_ARCH_X86_64_STACK_SWITCH_H

#include <stdint.h>

/* Load RSP with new_top and call continuation with RBP = 0 (the end of
 * the frame-pointer chain). continuation must not return. */
__attribute__((noreturn)) void switch_stack(uint64_t new_top, void (*continuation)(void));

#endif
