/*
 * ksyms.c - the kernel's own symbol table, as linked from .ksyms.
 *
 * The Makefile links the kernel twice: first with an empty table, then
 * with the table tools/gensyms.py generated from the first link. Both
 * define ksym_count, ksym_entries and ksym_names. They are referenced
 * weakly, so a kernel linked without any table still links and boots,
 * resolving nothing (backtraces then show bare addresses).
 */
#include <kernel/ksyms.h>

extern const uint64_t ksym_count __attribute__((weak));
extern const struct ksym_entry ksym_entries[] __attribute__((weak));
extern const char ksym_names[] __attribute__((weak));

const struct ksym_table *ksym_kernel_table(void)
{
    static struct ksym_table table;
    if (&ksym_count == NULL) /* weak and undefined: no table was linked */
        table = (struct ksym_table){0, NULL, NULL};
    else
        table = (struct ksym_table){ksym_count, ksym_entries, ksym_names};
    return &table;
}
