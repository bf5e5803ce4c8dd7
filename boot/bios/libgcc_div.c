/*
 * libgcc_div.c - 64-bit division for 32-bit code.
 *
 * A 32-bit x86 CPU divides at most 64 by 32 bits, so compilers turn 64-bit
 * `/` and `%` into calls to __udivdi3, __umoddi3 or (gcc, when both are
 * needed) __udivmoddi4, normally from libgcc or compiler-rt, which a
 * freestanding loader does not link. The formatter
 * divides 64-bit values when printing, so stage 2 provides them: plain
 * shift-and-subtract long division, one quotient bit per step.
 */
#include <stdint.h>

uint64_t __udivdi3(uint64_t dividend, uint64_t divisor);
uint64_t __umoddi3(uint64_t dividend, uint64_t divisor);
uint64_t __udivmoddi4(uint64_t dividend, uint64_t divisor, uint64_t *remainder);

static uint64_t divide(uint64_t dividend, uint64_t divisor, uint64_t *remainder)
{
    uint64_t quotient = 0, rest = 0;
    if (divisor == 0)
        __builtin_trap(); /* as a hardware divide by zero would */
    for (int bit = 63; bit >= 0; bit--) {
        rest = (rest << 1) | ((dividend >> bit) & 1);
        if (rest >= divisor) {
            rest -= divisor;
            quotient |= (uint64_t)1 << bit;
        }
    }
    *remainder = rest;
    return quotient;
}

uint64_t __udivdi3(uint64_t dividend, uint64_t divisor)
{
    uint64_t remainder;
    return divide(dividend, divisor, &remainder);
}

uint64_t __umoddi3(uint64_t dividend, uint64_t divisor)
{
    uint64_t remainder;
    divide(dividend, divisor, &remainder);
    return remainder;
}

uint64_t __udivmoddi4(uint64_t dividend, uint64_t divisor, uint64_t *remainder)
{
    uint64_t rest;
    uint64_t quotient = divide(dividend, divisor, &rest);
    if (remainder)
        *remainder = rest;
    return quotient;
}
