/*
 * heap.c - allocation for the two-level segregated fit heap (see heap.h;
 * the block layout and size classes are described in heap_internal.h).
 *
 * An allocation rounds its size up to the next slice boundary of its size
 * class first, so that any block in the list found is big enough ("good
 * fit", O(1): two find-first-set steps over the bitmaps); only when that
 * finds nothing does it scan the first few blocks of the exact list, to use
 * memory the rounding would skip, before asking ops.grow for more. The block
 * found is validated before it is unlinked, then carved: the request's bytes
 * stay allocated and a remainder big enough to be a block goes back to the
 * free lists.
 *
 * Freeing and resizing live in heap_free.c, regions in heap_region.c,
 * statistics and heap_check in heap_check.c.
 */
#include <mm/heap/heap_internal.h>

#include <lib/string.h>

/* How many blocks of the exact-size list to try after the good-fit search
 * failed: bounded, so the cost stays constant. */
#define FALLBACK_SCAN 16

/* ------------------------------------------------------------ free-list search */

/* The first list whose every block holds `size` bytes: size rounded up to
 * the next slice boundary. *fl may come out >= HEAP_FL_COUNT (no such list). */
static inline void class_for_request(size_t size, unsigned *fl, unsigned *sl)
{
    if (size >= SMALL_BLOCK)
        size += ((size_t)1 << (msb(size) - HEAP_SL_LOG2)) - 1;
    class_of(size, fl, sl);
}

/* A block at least `size` bytes from the first FALLBACK_SCAN entries of the
 * exact list, for sizes whose rounding skipped it. */
static struct heap_block *scan_exact_class(const struct heap *h, size_t size)
{
    unsigned fl, sl, tries = 0;
    if (size < SMALL_BLOCK)
        return NULL; /* exact lists: the rounded search already looked */
    class_of(size, &fl, &sl);
    for (struct heap_block *b = h->free_lists[fl][sl]; b && tries < FALLBACK_SCAN;
         b = b->next_free, tries++) {
        if (!in_heap(h, b))
            return NULL; /* a clobbered link: leave it to the validation */
        if (block_size(b) >= size)
            return b;
    }
    return NULL;
}

/* The head of the first non-empty list whose every block holds `size`
 * bytes, or NULL: two find-first-set steps over the bitmaps. */
static inline struct heap_block *good_fit(const struct heap *h, size_t size)
{
    unsigned fl, sl;
    class_for_request(size, &fl, &sl);
    if (fl >= HEAP_FL_COUNT)
        return NULL;
    uint32_t sl_map = h->sl_bitmap[fl] & (~0u << sl);
    if (!sl_map) {
        uint64_t fl_map = h->fl_bitmap & (~0ull << (fl + 1));
        if (!fl_map)
            return NULL;
        fl = (unsigned)__builtin_ctzll(fl_map);
        sl_map = h->sl_bitmap[fl];
    }
    return h->free_lists[fl][__builtin_ctz(sl_map)];
}

/* Unlink and return a free block of at least `size` bytes, or NULL. A list
 * entry that fails validation is reported and *corrupt set, untouched. */
static inline struct heap_block *take_free_block(struct heap *h, size_t size, bool *corrupt)
{
    unsigned fl, sl;
    struct heap_block *b = good_fit(h, size);

    if (!b && !(b = scan_exact_class(h, size)))
        return NULL;
    class_of(block_size(b), &fl, &sl);
    if (!header_valid(h, b) || !is_free(b) || block_size(b) < size ||
        !links_valid_at(h, b, fl, sl)) {
        if (h->ops.corruption)
            h->ops.corruption(h->ops.ctx, ERR_FREE_LIST, b);
        *corrupt = true;
        return NULL;
    }
    unlink_from(h, b, fl, sl);
    return b;
}

/* ------------------------------------------------------------ allocation */

/* Allocate the first `need` of the `size` bytes of unlisted free block b
 * (see carve) and count it; returns its payload. */
static inline void *use_block(struct heap *h, struct heap_block *b, size_t size, size_t need,
                              uint64_t prev_flag)
{
    size = carve(h, b, size, need, prev_flag);
    h->used_bytes += size;
    h->used_blocks++;
    return payload_of(b);
}

/* Ask ops.grow for room for a block of `size` bytes. */
static bool grow_heap(struct heap *h, size_t size)
{
    void *start = NULL;
    if (!h->ops.grow)
        return false;
    size_t got = h->ops.grow(h->ops.ctx, size + REGION_OVERHEAD, &start);
    return got && start && heap_add_region(h, start, got);
}

/* obtain_block's slow path: grow once and retry, or report. */
static struct heap_block *obtain_after_growth(struct heap *h, size_t size, size_t request)
{
    bool corrupt = false;
    struct heap_block *b = NULL;

    if (grow_heap(h, size))
        b = take_free_block(h, size, &corrupt);
    if (!b && !corrupt)
        report_out_of_memory(h, request);
    return b;
}

/* An unlisted free block of at least `size` bytes, growing the heap once if
 * needed; NULL (reported) on failure. */
static inline struct heap_block *obtain_block(struct heap *h, size_t size, size_t request)
{
    bool corrupt = false;
    struct heap_block *b = take_free_block(h, size, &corrupt);

    if (b || corrupt)
        return b;
    return obtain_after_growth(h, size, request);
}

void heap_init(struct heap *h, const struct heap_ops *ops)
{
    memset(h, 0, sizeof(*h));
    if (ops)
        h->ops = *ops;
    h->tag_seed = ((uint64_t)(uintptr_t)h * TAG_MULTIPLIER) ^ TAG_SEED_SALT;
}

void *heap_alloc(struct heap *h, size_t size)
{
    size_t need;
    if (!block_size_for(size, &need)) {
        report_out_of_memory(h, size);
        return NULL;
    }
    struct heap_block *b = obtain_block(h, need, size);
    return b ? use_block(h, b, block_size(b), need, 0) : NULL;
}

/* Search for need + align + MIN_BLOCK bytes: whatever the found block's
 * address, an aligned payload then fits after a gap of 0 or at least
 * MIN_BLOCK bytes, which is returned to the free lists. */
void *heap_alloc_aligned(struct heap *h, size_t size, size_t align)
{
    size_t need;
    if (align == 0 || (align & (align - 1)) != 0)
        return NULL;
    if (align <= HEAP_ALIGN)
        return heap_alloc(h, size);
    if (align > HEAP_MAX_REQUEST || !block_size_for(size, &need)) {
        report_out_of_memory(h, size);
        return NULL;
    }
    struct heap_block *b = obtain_block(h, need + align + MIN_BLOCK, size);
    if (!b)
        return NULL;
    uintptr_t payload = (uintptr_t)payload_of(b);
    size_t gap = ((payload + align - 1) & ~(uintptr_t)(align - 1)) - payload;
    if (gap != 0 && gap < MIN_BLOCK)
        gap += align;
    if (gap == 0)
        return use_block(h, b, block_size(b), need, 0);
    size_t rest = block_size(b) - gap;
    set_header(h, b, gap, FLAG_FREE);
    set_footer(b, gap);
    list_insert(h, b);
    return use_block(h, block_at(b, gap), rest, need, FLAG_PREV_FREE);
}

void *heap_calloc(struct heap *h, size_t n, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(n, size, &bytes)) {
        report_out_of_memory(h, SIZE_MAX);
        return NULL;
    }
    void *p = heap_alloc(h, bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}
