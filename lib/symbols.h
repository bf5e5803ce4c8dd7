/*
 * symbols.h - resolve code addresses to `function+0xoffset`.
 *
 * The kernel carries a table of its own functions, generated at build time
 * by tools/gensyms.py from a first link of the kernel and linked into the
 * second (section .ksyms, at the end of .rodata so no code moves). Entries
 * are sorted by address; an entry covers [address, address + size), or,
 * when size is 0, everything up to the next entry. Lookup is a pure
 * function of the table, so the host tests run it on tables of their own.
 */
#ifndef KEEL_LIB_SYMBOLS_H
#define KEEL_LIB_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One function; 16 bytes, laid out exactly as tools/gensyms.py emits it. */
struct ksym_entry {
    uint64_t address;     /* first byte of the function */
    uint32_t size;        /* bytes it covers; 0 = up to the next entry */
    uint32_t name_offset; /* its NUL-terminated name, from the table's names */
};

struct ksym_table {
    uint64_t count;                   /* entries, ascending by address */
    const struct ksym_entry *entries; /* may be NULL when count is 0 */
    const char *names;                /* the names, one after another */
};

/* Find the function containing address: the last entry starting at or
 * before it, if address is within that entry's size. On success sets *name
 * and *offset (address - start; either pointer may be NULL) and returns
 * true; returns false, leaving them alone, when no entry covers address. */
bool ksym_lookup(const struct ksym_table *table, uint64_t address, const char **name,
                 uint64_t *offset);

/* Write address as "name+0x4f" (resolved in table) or,
 * when no function covers it, as "0x<hex>". Behaves like snprintf: at most
 * size - 1 characters and a NUL; returns the length of the full text. */
int ksym_format(const struct ksym_table *table, char *buf, size_t size, uint64_t address);

/* The same for a return address taken from a stack frame: the call that
 * pushed it may be the last instruction of its function (a call to a
 * noreturn function), so the address resolves as return_address - 1, the
 * call's last byte, and prints with the offset of return_address itself. */
int ksym_format_return(const struct ksym_table *table, char *buf, size_t size,
                       uint64_t return_address);

#endif
