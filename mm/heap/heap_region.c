/*
 * heap_region.c - the memory ranges a heap manages (see heap_internal.h for
 * the block layout).
 *
 * Each region opens with a struct heap_region, its blocks tile the rest
 * exactly and a zero-size allocated sentinel block closes it, so walking
 * blocks stops at the sentinel and merging never crosses a region's end. A
 * region starts as one free block. A range handed in exactly where a region
 * ends extends that region (the kernel's heap grows upwards this way): the
 * old sentinel becomes free memory, merged with a free block before it.
 * Regions are capped at MAX_REGION bytes, so no block size reaches 2^48.
 */
#include <mm/heap/heap_internal.h>

/* Highest sentinel address (8 mod 16) whose header ends at or below end. */
static uintptr_t sentinel_below(uintptr_t end)
{
    return ((end - BLOCK_HEADER - BLOCK_ALIGN_OFFS) & ~(uintptr_t)(HEAP_ALIGN - 1)) +
           BLOCK_ALIGN_OFFS;
}

static void set_sentinel(struct heap *h, struct heap_region *r, uintptr_t at, bool prev_free)
{
    r->sentinel = (struct heap_block *)at;
    set_header(h, r->sentinel, 0, prev_free ? FLAG_PREV_FREE : 0);
}

static bool new_region(struct heap *h, uintptr_t begin, uintptr_t end)
{
    uintptr_t at = (begin + 7) & ~(uintptr_t)7; /* the region header holds pointers */
    uintptr_t first = block_start_from(at + sizeof(struct heap_region));
    uintptr_t sentinel = sentinel_below(end);

    if (sentinel < first || sentinel - first < MIN_BLOCK)
        return false;
    struct heap_region *r = (struct heap_region *)at;
    r->next = h->regions;
    r->end = end;
    r->first = (struct heap_block *)first;
    set_sentinel(h, r, sentinel, false);
    make_free(h, r->first, sentinel - first);
    h->regions = r;
    h->region_count++;
    h->total_bytes += end - begin;
    return true;
}

/* Extend r, which ends where [r->end, end) begins: the old sentinel becomes
 * a free block, merged with a free block before it. */
static bool extend_region(struct heap *h, struct heap_region *r, uintptr_t end)
{
    struct heap_block *old = r->sentinel;
    struct heap_block *prev = NULL;

    if (!header_valid(h, old) || block_size(old) != 0 || is_free(old)) {
        if (h->ops.corruption)
            h->ops.corruption(h->ops.ctx, ERR_REGION_END, old);
        return false;
    }
    if (prev_is_free(old) && !(prev = heap_prev_free_block(h, r, old))) {
        if (h->ops.corruption)
            h->ops.corruption(h->ops.ctx, ERR_PREV, old);
        return false;
    }
    if (end - (uintptr_t)r > MAX_REGION)
        end = (uintptr_t)r + MAX_REGION;
    h->total_bytes += end - r->end;
    r->end = end;
    /* Too little to join the free block before, or to be a block of its
     * own: keep it as slack until the next growth. */
    uintptr_t sentinel = sentinel_below(end);
    if (sentinel < (uintptr_t)old + (prev ? HEAP_ALIGN : MIN_BLOCK))
        return true;

    size_t size = sentinel - (uintptr_t)old;
    set_sentinel(h, r, sentinel, false);
    if (prev) {
        list_remove(h, prev);
        size += block_size(prev);
        old = prev;
    }
    make_free(h, old, size);
    return true;
}

bool heap_add_region(struct heap *h, void *start, size_t size)
{
    uintptr_t begin = (uintptr_t)start;
    struct heap_region *adjacent = NULL;

    if (!start || size == 0)
        return false;
    if (size > UINTPTR_MAX - begin)
        size = UINTPTR_MAX - begin; /* the end must not wrap */
    if (size > MAX_REGION)
        size = MAX_REGION;
    uintptr_t end = begin + size;
    for (struct heap_region *r = h->regions; r; r = r->next) {
        if (begin < r->end && (uintptr_t)r < end)
            return false; /* overlaps memory the heap already manages */
        if (r->end == begin)
            adjacent = r;
    }
    if (adjacent)
        return extend_region(h, adjacent, end);
    if (size < MIN_REGION)
        return false;
    return new_region(h, begin, end);
}
