/*
 * ksyms.h - the symbol table linked into this kernel (ksyms.c), for
 * backtraces and fault reports to name functions (lib/symbols.h).
 */
#ifndef KEEL_KERNEL_KSYMS_H
#define KEEL_KERNEL_KSYMS_H

#include <lib/symbols.h>

/* The kernel's own table; empty, never NULL, when none was linked. */
const struct ksym_table *ksym_kernel_table(void);

#endif
