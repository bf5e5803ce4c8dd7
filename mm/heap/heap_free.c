/*
 * heap_free.c - freeing and resizing: heap_free and heap_realloc, and the
 * checks a pointer handed back must pass first (see heap_internal.h for the
 * block layout).
 *
 * Everything a free or realloc relies on (the block's header, its
 * neighbours' headers, footers and list links) is validated before the first
 * write, so a corruption report leaves the heap exactly as it was. Then the
 * block merges at once with free neighbours (boundary tags find the one
 * before), which keeps the invariant that no two free blocks are adjacent.
 */
#include <mm/heap/heap_internal.h>

#include <lib/string.h>

/* ------------------------------------------------------------ validation */

/* links_valid_at for b's own list, whose class matters only if b is its head. */
static inline bool links_valid(const struct heap *h, const struct heap_block *b)
{
    unsigned fl = 0, sl = 0;
    if (!b->prev_free)
        class_of(block_size(b), &fl, &sl);
    return links_valid_at(h, b, fl, sl);
}

/* b, in region r, is a sound free block: header, size, footer and links.
 * Every free checks one or two neighbours this way, so this and
 * check_allocated are forced inline: GCC's own size limits would keep them
 * out of line in a file this small, costing calls on every heap_free. */
static inline __attribute__((always_inline)) bool
free_block_valid(const struct heap *h, const struct heap_region *r, const struct heap_block *b)
{
    if (!header_valid(h, b) || !is_free(b))
        return false;
    size_t size = block_size(b);
    if (size < MIN_BLOCK || size > (uintptr_t)r->sentinel - (uintptr_t)b)
        return false;
    return prev_footer(next_block(b)) == size && links_valid(h, b);
}

/* The free block before b (whose PREV_FREE is set) in region r, or NULL if
 * the footer below b or that block is unsound. */
struct heap_block *heap_prev_free_block(const struct heap *h, const struct heap_region *r,
                                        const struct heap_block *b)
{
    size_t size = prev_footer(b);
    if (size < MIN_BLOCK || (size & (HEAP_ALIGN - 1)) != 0 ||
        size > (uintptr_t)b - (uintptr_t)r->first)
        return NULL;
    struct heap_block *prev = block_at(b, 0 - size);
    return block_size(prev) == size && free_block_valid(h, r, prev) ? prev : NULL;
}

/* Why p cannot be freed or resized (NULL if it can): it must be the payload
 * of an allocated block with a valid header, in a region, and its neighbours
 * must be sound, since freeing writes to them. */
static inline __attribute__((always_inline)) const char *
check_allocated(const struct heap *h, const void *p, struct heap_block **out)
{
    struct heap_block *b = block_of(p);
    struct heap_region *r = region_of(h, b);

    if (((uintptr_t)p & (HEAP_ALIGN - 1)) != 0 || !r)
        return ERR_FOREIGN;
    if (!header_valid(h, b))
        return ERR_HEADER;
    if (is_free(b))
        return ERR_DOUBLE_FREE;
    size_t size = block_size(b);
    if (size < MIN_BLOCK || size > (uintptr_t)r->sentinel - (uintptr_t)b)
        return ERR_HEADER;
    struct heap_block *next = block_at(b, size);
    if (prev_is_free(next) ||
        (is_free(next) ? !free_block_valid(h, r, next) : !header_valid(h, next)))
        return ERR_NEXT;
    if (prev_is_free(b) && !heap_prev_free_block(h, r, b))
        return ERR_PREV;
    *out = b;
    return NULL;
}

/* The block of p, or NULL after reporting why p is not a live allocation. */
static struct heap_block *accept_pointer(struct heap *h, void *p)
{
    struct heap_block *b = NULL;
    const char *problem = check_allocated(h, p, &b);
    if (problem && h->ops.corruption)
        h->ops.corruption(h->ops.ctx, problem, p);
    return problem ? NULL : b;
}

/* ------------------------------------------------------------ block surgery */

/* Return allocated block b to the free lists, merged with free neighbours. */
static void release_block(struct heap *h, struct heap_block *b)
{
    size_t size = block_size(b);
    struct heap_block *next = block_at(b, size);

    h->used_bytes -= size;
    h->used_blocks--;
    if (is_free(next)) {
        list_remove(h, next);
        size += block_size(next);
    }
    if (prev_is_free(b)) {
        /* b's header stays behind inside the merged block: mark it free, so
         * that freeing b again is reported as a double free. */
        set_header(h, b, block_size(b), FLAG_FREE | FLAG_PREV_FREE);
        struct heap_block *prev = block_at(b, 0 - prev_footer(b));
        list_remove(h, prev);
        size += block_size(prev);
        b = prev;
    }
    make_free(h, b, size);
}

/* Shrink allocated block b to `need` bytes, giving the tail to a free next
 * neighbour or, if big enough, to a free block of its own. */
static void shrink_used(struct heap *h, struct heap_block *b, size_t need)
{
    size_t size = block_size(b), rest;
    struct heap_block *next = block_at(b, size);

    if (size == need)
        return;
    if (is_free(next)) {
        list_remove(h, next);
        rest = size - need + block_size(next);
    } else if (size - need >= MIN_BLOCK) {
        rest = size - need;
    } else {
        return;
    }
    set_header(h, b, need, b->header & FLAG_PREV_FREE);
    h->used_bytes -= size - need;
    make_free(h, block_at(b, need), rest);
}

/* Grow allocated block b to `need` bytes into a free next neighbour. */
static bool grow_in_place(struct heap *h, struct heap_block *b, size_t need)
{
    size_t size = block_size(b);
    struct heap_block *next = block_at(b, size);

    if (!is_free(next) || size + block_size(next) < need)
        return false;
    list_remove(h, next);
    size_t grown = carve(h, b, size + block_size(next), need, b->header & FLAG_PREV_FREE);
    h->used_bytes += grown - size;
    return true;
}

/* ------------------------------------------------------------ free and realloc */

void heap_free(struct heap *h, void *p)
{
    struct heap_block *b;
    if (p && (b = accept_pointer(h, p)))
        release_block(h, b);
}

void *heap_realloc(struct heap *h, void *p, size_t size)
{
    size_t need;
    if (!p)
        return heap_alloc(h, size);
    struct heap_block *b = accept_pointer(h, p);
    if (!b)
        return NULL;
    if (!block_size_for(size, &need)) {
        report_out_of_memory(h, size);
        return NULL;
    }
    if (need <= block_size(b)) {
        shrink_used(h, b, need);
        return p;
    }
    if (grow_in_place(h, b, need))
        return p;
    void *moved = heap_alloc(h, size);
    if (!moved)
        return NULL;
    /* need > the old block size, so the whole old payload fits. */
    memcpy(moved, p, block_size(b) - BLOCK_HEADER);
    release_block(h, b);
    return moved;
}
