/*
 * const.h - writing a constant once for C and assembly alike.
 *
 * A header that both include holds preprocessor definitions only, with its
 * C parts inside #ifndef __ASSEMBLER__. The one thing the two languages
 * disagree on in a number is the type suffix: C needs `1ull << 63` to be
 * 64-bit (and `1 << 31` is undefined behaviour in it), the GNU assembler
 * knows no suffixes and computes in 64 bits anyway. ULL() adds the suffix
 * for C only.
 */
#ifndef KEEL_LIB_CONST_H
#define KEEL_LIB_CONST_H

#ifdef __ASSEMBLER__
#define ULL(x) x
#else
#define ULL(x) x##ull
#endif

/* Bit n as a 64-bit value (in C). */
#define BIT_ULL(n) (ULL(1) << (n))

#ifndef __ASSEMBLER__
/* The structure of type `type` whose field `member` is at ptr. */
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - __builtin_offsetof(type, member)))
#endif

#endif
