/*
 * heap_check.c - read-only views of a heap: heap_get_stats from the running
 * counters, and heap_check, which walks every list and every region block by
 * block to verify the invariants listed in heap_internal.h.
 *
 * heap_check never trusts a link further than the counters allow, so a
 * corrupted list (even a cycle) ends the walk with a reason instead of a hang.
 */
#include <mm/heap/heap_internal.h>

/* ------------------------------------------------------------ statistics */

void heap_get_stats(const struct heap *h, struct heap_stats *stats)
{
    size_t largest = 0;
    if (h->fl_bitmap) {
        unsigned fl = msb(h->fl_bitmap);
        unsigned sl = msb(h->sl_bitmap[fl]);
        for (const struct heap_block *b = h->free_lists[fl][sl]; b; b = b->next_free)
            if (block_size(b) > largest)
                largest = block_size(b);
    }
    stats->used_bytes = h->used_bytes;
    stats->free_bytes = h->free_bytes;
    stats->largest_free_block = largest ? largest - BLOCK_HEADER : 0;
    stats->block_count = h->used_blocks;
    stats->free_block_count = h->free_blocks;
    stats->region_count = h->region_count;
    stats->total_bytes = h->total_bytes;
}

/* ------------------------------------------------------------ heap_check */

struct check_totals {
    size_t used_bytes, free_bytes, used_blocks, free_blocks, listed_blocks;
};

/* Append text to buf[*n], stopping before the last byte of the buffer. */
static void append(char *buf, size_t len, size_t *n, const char *text)
{
    while (*text && *n + 1 < len)
        buf[(*n)++] = *text++;
}

/* Write "<what> at 0x<where>" into why (len bytes, NUL-terminated). */
static void describe(char *why, size_t len, const char *what, const void *where)
{
    static const char hex[] = "0123456789abcdef";
    char address[2 * sizeof(uintptr_t) + 1];
    size_t n = 0;

    if (len == 0)
        return;
    for (size_t i = 0; i < 2 * sizeof(uintptr_t); i++)
        address[i] = hex[((uintptr_t)where >> (4 * (2 * sizeof(uintptr_t) - 1 - i))) & 15];
    address[2 * sizeof(uintptr_t)] = '\0';
    append(why, len, &n, what);
    append(why, len, &n, " at 0x");
    append(why, len, &n, address);
    why[n] = '\0';
}

/* Is b an entry of the list its size maps to? */
static bool listed(const struct heap *h, const struct heap_block *b)
{
    unsigned fl, sl;
    size_t steps = 0;
    class_of(block_size(b), &fl, &sl);
    for (const struct heap_block *e = h->free_lists[fl][sl]; e && steps <= h->free_blocks;
         e = e->next_free, steps++)
        if (e == b)
            return true;
    return false;
}

/* One list: well linked, each entry a valid free block of this class. */
static const char *check_list(const struct heap *h, unsigned fl, unsigned sl, size_t *count,
                              const void **where)
{
    const struct heap_block *prev = NULL;
    unsigned efl, esl;

    for (const struct heap_block *b = h->free_lists[fl][sl]; b; prev = b, b = b->next_free) {
        *where = b;
        if (++*count > h->free_blocks)
            return "free lists hold more blocks than counted (a cycle?)";
        if (!region_of(h, b) || ((uintptr_t)b & (HEAP_ALIGN - 1)) != BLOCK_ALIGN_OFFS)
            return "free list entry outside the heap";
        if (!header_valid(h, b) || !is_free(b))
            return "free list entry is not a valid free block";
        class_of(block_size(b), &efl, &esl);
        if (efl != fl || esl != sl)
            return "free block in the wrong list";
        if (b->prev_free != prev)
            return "free list back link broken";
    }
    return NULL;
}

static const char *check_lists(const struct heap *h, size_t *count, const void **where)
{
    *where = h;
    if (h->fl_bitmap >> HEAP_FL_COUNT)
        return "first-level bitmap marks a level that does not exist";
    for (unsigned fl = 0; fl < HEAP_FL_COUNT; fl++) {
        if (((h->fl_bitmap >> fl) & 1) != (h->sl_bitmap[fl] != 0))
            return "first-level bitmap disagrees with the second level";
        for (unsigned sl = 0; sl < HEAP_SL_COUNT; sl++) {
            if (((h->sl_bitmap[fl] >> sl) & 1) != (h->free_lists[fl][sl] != NULL))
                return "second-level bitmap disagrees with its list";
            const char *problem = check_list(h, fl, sl, count, where);
            if (problem)
                return problem;
        }
    }
    return NULL;
}

/* One region: blocks tile [first, sentinel) exactly, flags and footers
 * agree, free blocks are listed and never adjacent. */
static const char *check_region(const struct heap *h, const struct heap_region *r,
                                struct check_totals *t, const void **where)
{
    uintptr_t first = (uintptr_t)r->first, sentinel = (uintptr_t)r->sentinel;
    bool prev_free = false;

    *where = r;
    if (first != block_start_from((uintptr_t)r + sizeof(*r)) || sentinel < first + MIN_BLOCK ||
        (sentinel & (HEAP_ALIGN - 1)) != BLOCK_ALIGN_OFFS || sentinel + BLOCK_HEADER > r->end)
        return "region header corrupt";
    for (const struct heap_block *b = r->first; (uintptr_t)b != sentinel; b = next_block(b)) {
        *where = b;
        size_t size = block_size(b);
        if (!header_valid(h, b))
            return "block header check failed";
        if (size < MIN_BLOCK || size > sentinel - (uintptr_t)b)
            return "block size out of range";
        if (prev_is_free(b) != prev_free)
            return "PREV_FREE flag disagrees with the block before";
        prev_free = is_free(b);
        if (!prev_free) {
            t->used_bytes += size, t->used_blocks++;
            continue;
        }
        if (prev_is_free(b))
            return "two adjacent free blocks";
        if (prev_footer(next_block(b)) != size)
            return "free block footer disagrees with its header";
        if (!listed(h, b))
            return "free block missing from its list";
        t->free_bytes += size, t->free_blocks++;
    }
    *where = r->sentinel;
    if (!header_valid(h, r->sentinel) || block_size(r->sentinel) != 0 || is_free(r->sentinel) ||
        prev_is_free(r->sentinel) != prev_free)
        return "region sentinel corrupt";
    return NULL;
}

static const char *check_totals(const struct heap *h, const struct check_totals *t)
{
    if (t->listed_blocks != t->free_blocks)
        return "free lists and regions disagree on the free blocks";
    if (t->free_blocks != h->free_blocks || t->free_bytes != h->free_bytes)
        return "free block counters wrong";
    if (t->used_blocks != h->used_blocks || t->used_bytes != h->used_bytes)
        return "allocated block counters wrong";
    if (t->used_bytes + t->free_bytes > h->total_bytes)
        return "blocks exceed the bytes handed in";
    return NULL;
}

bool heap_check(const struct heap *h, char *why, size_t why_len)
{
    struct check_totals t = {0};
    const void *where = h;
    size_t regions = 0;
    const char *problem = check_lists(h, &t.listed_blocks, &where);

    for (const struct heap_region *r = h->regions; r && !problem; r = r->next) {
        if (++regions > h->region_count) {
            problem = "more regions than counted";
            where = r;
        } else {
            problem = check_region(h, r, &t, &where);
        }
    }
    if (!problem && regions != h->region_count) {
        problem = "fewer regions than counted";
        where = h;
    }
    if (!problem && (problem = check_totals(h, &t)) != NULL)
        where = h;
    if (!problem)
        return true;
    describe(why, why_len, problem, where);
    return false;
}
