/*
 * kheap.h - the kernel heap: kmalloc and friends over mm/heap/heap.c.
 *
 * The heap lives at HEAP_BASE (see layout.h) and grows upwards on demand:
 * when no free block fits, fresh frames are mapped (RW, NX) right after the
 * part already mapped, and the heap extends its region over them. Every
 * call takes a spinlock with interrupts off, so interrupt handlers may
 * allocate too.
 *
 * Failure is reported, never hidden: a request that cannot be met returns
 * NULL after logging "kmalloc: out of memory" with its size; freeing a
 * pointer the heap never handed out, or freeing one twice, panics with the
 * address.
 */
#ifndef KEEL_MM_KHEAP_H
#define KEEL_MM_KHEAP_H

#include <mm/heap/heap.h>
#include <stddef.h>

/* Bytes mapped when the heap starts, and the least it grows by. */
#define KHEAP_INITIAL_SIZE (1u << 20)
#define KHEAP_GROW_MIN     (256u << 10)

/* Start the heap with KHEAP_INITIAL_SIZE mapped; after memory_init. */
void kheap_init(void);

void *kmalloc(size_t size);
void *kmalloc_aligned(size_t size, size_t align); /* align: a power of two */
void *kcalloc(size_t n, size_t size);             /* NULL if n * size overflows */
void *krealloc(void *p, size_t size);             /* on NULL, p is still valid */
void kfree(void *p);

struct kheap_stats {
    struct heap_stats heap;
    size_t mapped_bytes;  /* bytes of HEAP_BASE.. backed by frames */
    size_t failed_allocs; /* requests answered with NULL */
};
void kheap_get_stats(struct kheap_stats *stats);

/* Verify every invariant of the heap; false with a reason in why. */
bool kheap_check(char *why, size_t why_len);

#endif
