/*
 * malloc.h - the C allocation functions for programs, on Keel's own heap.
 *
 * The heap is mm/heap/ (two-level segregated fit, the kernel's allocator
 * compiled unchanged) over the program break: it starts empty and grows
 * with brk() in steps of at least MALLOC_GROW_MIN, up to the kernel's
 * KEEL_BRK_MAX. Pointers are 16-byte aligned; malloc(0) returns a unique
 * pointer; a request that cannot be met returns NULL. free() or realloc()
 * of a pointer malloc never gave, or a second free(), is caught by the
 * heap's checks: the program prints what it found and ends with abort().
 * Programs are single-threaded, so there is no lock.
 */
#ifndef KEEL_USER_LIB_MALLOC_H
#define KEEL_USER_LIB_MALLOC_H

#include <stdbool.h>
#include <stddef.h>

#define MALLOC_GROW_MIN (64u << 10)

void *malloc(size_t size);
void *calloc(size_t n, size_t size); /* NULL if n * size overflows */
void *realloc(void *p, size_t size); /* on NULL, p is still valid */
void free(void *p);

/* Verify every invariant of the heap (mm/heap/heap.h's heap_check); false
 * with the reason in why. */
bool malloc_check(char *why, size_t why_len);
/* Bytes the heap has taken from the program break so far. */
size_t malloc_heap_bytes(void);

/* End the program at once, as killed by an invalid opcode (ud2): the parent
 * sees a killed status, which no exit code could be mistaken for. */
_Noreturn void abort(void);

#endif
