/*
 * malloc.c - malloc and friends over mm/heap/ and brk() (see malloc.h).
 *
 * The heap asks for memory through its grow callback; each time the
 * program break moves up by whole pages right after the previous end, so
 * the heap extends one region instead of starting new ones.
 */
#include <lib/errno.h>
#include <mm/heap/heap.h>
#include <stdbool.h>
#include <stdint.h>
#include <user/lib/malloc.h>
#include <user/lib/stdio.h>
#include <user/lib/sys.h>

#define PAGE_SIZE 4096u

static struct heap heap;
static bool heap_ready;
static uintptr_t heap_end; /* the program break as this file last set it; 0: not asked yet */

/* Move the break up by at least min_bytes (MALLOC_GROW_MIN when that is
 * more, whole pages): the bytes gained, with *region_start where they begin;
 * 0 when the kernel refuses even min_bytes. */
static size_t grow(void *ctx, size_t min_bytes, void **region_start)
{
    (void)ctx;
    if (heap_end == 0)
        heap_end = (uintptr_t)brk(NULL);
    if (min_bytes > KEEL_BRK_MAX)
        return 0; /* the kernel would refuse: and the rounding below cannot overflow */
    size_t needed = (min_bytes + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1);
    size_t wanted = needed < MALLOC_GROW_MIN ? MALLOC_GROW_MIN : needed;
    uintptr_t start = heap_end;
    uintptr_t got = (uintptr_t)brk((void *)(start + wanted));
    if ((intptr_t)got < 0 || got < start + wanted) {
        wanted = needed; /* near the limit: ask for just what this request needs */
        got = (uintptr_t)brk((void *)(start + wanted));
        if ((intptr_t)got < 0 || got < start + wanted)
            return 0;
    }
    heap_end = got;
    *region_start = (void *)start;
    return got - start;
}

static void corruption(void *ctx, const char *what, const void *address)
{
    (void)ctx;
    dprintf(KEEL_STDERR, "malloc: %s at %p\n", what, address);
    abort();
}

static struct heap *user_heap(void)
{
    if (!heap_ready) {
        const struct heap_ops ops = {NULL, grow, corruption, NULL};
        heap_init(&heap, &ops);
        heap_ready = true;
    }
    return &heap;
}

void *malloc(size_t size)
{
    return heap_alloc(user_heap(), size);
}

void *calloc(size_t n, size_t size)
{
    return heap_calloc(user_heap(), n, size);
}

void *realloc(void *p, size_t size)
{
    return heap_realloc(user_heap(), p, size);
}

void free(void *p)
{
    heap_free(user_heap(), p);
}

bool malloc_check(char *why, size_t why_len)
{
    return heap_check(user_heap(), why, why_len);
}

size_t malloc_heap_bytes(void)
{
    struct heap_stats stats;
    heap_get_stats(user_heap(), &stats);
    return stats.total_bytes;
}

_Noreturn void abort(void)
{
    __builtin_trap();
}
