/*
 * heap_internal.h - block layout and the primitives every part of the heap
 * shares (mm/heap/heap.c, heap_free.c, heap_region.c, heap_check.c); not part
 * of the API.
 *
 * Blocks tile each region exactly, from the region's first block up to a
 * zero-size allocated "sentinel" block that closes it:
 *
 *   region:  [struct heap_region][block][block]...[block][sentinel]
 *   block:   [header word][payload ...................................]
 *   free:    [header word][next_free][prev_free] ...       [size footer]
 *
 * A block starts at an address that is 8 mod 16 and its size is a multiple of
 * 16, so every payload (block + 8) is 16-aligned and an allocated block costs
 * one 8-byte header. The header word holds the size (bits 4-47), FREE (bit 0),
 * PREV_FREE (bit 1: the block before this one is free) and a 16-bit check
 * tag (bits 48-63) hashed from the block's address, the other 48 bits and a
 * per-heap seed. A free block's last word repeats its size (the boundary
 * tag), so the block after it can find it; an allocated block uses that word
 * as payload, which is why PREV_FREE must say whether it is valid.
 *
 * Invariants, all verified by heap_check: no two free blocks are adjacent
 * (freeing merges at once, so a free block's neighbours are allocated or the
 * region's ends); every free block sits in exactly the list its size maps to;
 * bitmaps mark exactly the non-empty lists; the counters match the blocks.
 *
 * Size classes: sizes below SMALL_BLOCK (512) get one list per 16 bytes.
 * Above, first level f is the power of two (size in [2^(f+8), 2^(f+9))) and
 * second level s one of HEAP_SL_COUNT equal slices of it.
 *
 * The helpers are `static inline`: they run several times per allocation,
 * and each file that uses them must be able to inline them. The one shared
 * out-of-line function, heap_prev_free_block, is defined in heap_free.c.
 */
#ifndef KEEL_MM_HEAP_HEAP_INTERNAL_H
#define KEEL_MM_HEAP_HEAP_INTERNAL_H

#include <mm/heap/heap.h>

#define BLOCK_HEADER     8u  /* the header word before every payload */
#define FOOTER           8u  /* a free block's trailing copy of its size */
#define MIN_BLOCK        32u /* header + two list links + footer, in 16-byte steps */
#define BLOCK_ALIGN_OFFS 8u  /* block address mod HEAP_ALIGN, so the payload is aligned */

#define FLAG_FREE      1ull
#define FLAG_PREV_FREE 2ull
#define FLAG_RESERVED  12ull /* bits 2-3: always zero in a valid header */
#define SIZE_BITS      48
#define LOW_MASK       ((1ull << SIZE_BITS) - 1) /* size and flags */
#define SIZE_MASK      (LOW_MASK & ~15ull)
#define TAG_MASK       (~LOW_MASK)

/* Largest region: keeps every block size, even after merging, below 2^48. */
#define MAX_REGION ((uintptr_t)1 << 47)

/* Lists of sizes below SMALL_BLOCK are exact (16 bytes apart): first level 0. */
#define FL_SHIFT    (HEAP_SL_LOG2 + 4)
#define SMALL_BLOCK (1u << FL_SHIFT)

/* The header tag is the top 16 bits of (address << 16 ^ size/flags ^ seed)
 * times an odd constant (Knuth's multiplicative hashing with the golden
 * ratio): bit k of a product depends on bits 0..k of the factor, so the top
 * bits mix every bit of the 48-bit address (canonical addresses lose nothing
 * in the shift) and of the size and flags. One multiply: it runs ~10 times
 * per malloc/free pair. */
#define TAG_MULTIPLIER 0x9e3779b97f4a7c15ull
#define TAG_SEED_SALT  0x6b65656c68656170ull /* "keelheap" */

struct heap_block {
    uint64_t header;
    struct heap_block *next_free; /* free blocks only: the rest is payload */
    struct heap_block *prev_free;
};

struct heap_region {
    struct heap_region *next;
    uintptr_t end;               /* start + size as handed in: where growth would continue */
    struct heap_block *first;    /* first block, right after this header */
    struct heap_block *sentinel; /* zero-size allocated block closing the region */
};

/* Upper bound of the bookkeeping in a new region: its header, alignment of
 * the start (7) and of the first block (15), the sentinel and end slack (15). */
#define REGION_OVERHEAD (sizeof(struct heap_region) + 7 + 15 + 8 + 15)
/* Below this no region can hold its header, one block and the sentinel
 * (new_region checks the exact layout; this keeps its arithmetic in range). */
#define MIN_REGION (sizeof(struct heap_region) + MIN_BLOCK + BLOCK_HEADER)

_Static_assert(BLOCK_HEADER + 2 * sizeof(void *) + FOOTER <= MIN_BLOCK &&
                   MIN_BLOCK % HEAP_ALIGN == 0,
               "a free block must hold its header, links and footer");

/* Footers are read and written as plain words over memory that was payload
 * or list links before: may_alias keeps the compiler from assuming they
 * cannot overlap. */
typedef uint64_t __attribute__((may_alias)) heap_word;

/* What ops.corruption is told (heap.c, heap_free.c, heap_region.c). */
static const char ERR_FOREIGN[] = "pointer not from this heap";
static const char ERR_DOUBLE_FREE[] = "double free";
static const char ERR_HEADER[] = "bad block header (overwritten, or pointer not from this heap)";
static const char ERR_NEXT[] = "block after this one is corrupt (overflow?)";
static const char ERR_PREV[] = "free block before this one is corrupt";
static const char ERR_FREE_LIST[] = "free list corrupt (write after free?)";
static const char ERR_REGION_END[] = "region sentinel corrupt";

/* Tell ops.out_of_memory that a request of `request` bytes is failing. */
static inline void report_out_of_memory(struct heap *h, size_t request)
{
    if (h->ops.out_of_memory)
        h->ops.out_of_memory(h->ops.ctx, request);
}

/* The free block before b (whose PREV_FREE is set) in region r, or NULL if
 * the footer below b or that block is unsound. Defined in heap_free.c. */
struct heap_block *heap_prev_free_block(const struct heap *h, const struct heap_region *r,
                                        const struct heap_block *b);

/* ------------------------------------------------------------ block words */

static inline struct heap_block *block_at(const void *base, size_t offset)
{
    return (struct heap_block *)((uintptr_t)base + offset);
}

static inline uint64_t tag_for(const struct heap *h, const struct heap_block *b, uint64_t low)
{
    uint64_t x = ((uint64_t)(uintptr_t)b << (64 - SIZE_BITS)) ^ low ^ h->tag_seed;
    return (x * TAG_MULTIPLIER) & TAG_MASK;
}

static inline void set_header(const struct heap *h, struct heap_block *b, size_t size,
                              uint64_t flags)
{
    uint64_t low = (uint64_t)size | flags;
    b->header = low | tag_for(h, b, low);
}

static inline bool header_valid(const struct heap *h, const struct heap_block *b)
{
    uint64_t low = b->header & LOW_MASK;
    return (low & FLAG_RESERVED) == 0 && (b->header & TAG_MASK) == tag_for(h, b, low);
}

static inline size_t block_size(const struct heap_block *b)
{
    return (size_t)(b->header & SIZE_MASK);
}

static inline bool is_free(const struct heap_block *b)
{
    return (b->header & FLAG_FREE) != 0;
}

static inline bool prev_is_free(const struct heap_block *b)
{
    return (b->header & FLAG_PREV_FREE) != 0;
}

static inline struct heap_block *next_block(const struct heap_block *b)
{
    return block_at(b, block_size(b));
}

/* The size in the footer just below b: valid only if prev_is_free(b). */
static inline size_t prev_footer(const struct heap_block *b)
{
    const heap_word *footer = (const heap_word *)((uintptr_t)b - FOOTER);
    return (size_t)*footer;
}

static inline void set_footer(struct heap_block *b, size_t size)
{
    *(heap_word *)((uintptr_t)b + size - FOOTER) = size;
}

static inline void set_prev_free(const struct heap *h, struct heap_block *b, bool prev_free)
{
    uint64_t flags = b->header & (LOW_MASK & ~SIZE_MASK & ~FLAG_PREV_FREE);
    set_header(h, b, block_size(b), flags | (prev_free ? FLAG_PREV_FREE : 0));
}

static inline void *payload_of(struct heap_block *b)
{
    return (void *)((uintptr_t)b + BLOCK_HEADER);
}

static inline struct heap_block *block_of(const void *payload)
{
    return block_at(payload, 0 - (size_t)BLOCK_HEADER);
}

/* Lowest block address (8 mod 16) at or above a. */
static inline uintptr_t block_start_from(uintptr_t a)
{
    return ((a - BLOCK_ALIGN_OFFS + HEAP_ALIGN - 1) & ~(uintptr_t)(HEAP_ALIGN - 1)) +
           BLOCK_ALIGN_OFFS;
}

/* ------------------------------------------------------------ size classes */

static inline unsigned msb(uint64_t x)
{
    return 63u - (unsigned)__builtin_clzll(x);
}

/* The list a free block of `size` bytes belongs in. */
static inline void class_of(size_t size, unsigned *fl, unsigned *sl)
{
    if (size < SMALL_BLOCK) {
        *fl = 0;
        *sl = (unsigned)(size >> 4);
        return;
    }
    unsigned top = msb(size);
    *fl = top - (FL_SHIFT - 1);
    *sl = (unsigned)(size >> (top - HEAP_SL_LOG2)) - HEAP_SL_COUNT;
}

/* Block size for a request of `request` payload bytes, or false if the
 * request exceeds HEAP_MAX_REQUEST (checked first: nothing can overflow). */
static inline bool block_size_for(size_t request, size_t *size)
{
    if (request > HEAP_MAX_REQUEST)
        return false;
    size_t rounded = (request + BLOCK_HEADER + HEAP_ALIGN - 1) & ~(size_t)(HEAP_ALIGN - 1);
    *size = rounded < MIN_BLOCK ? MIN_BLOCK : rounded;
    return true;
}

/* ------------------------------------------------------------ regions */

/* The region whose blocks include address a, or NULL. */
static inline struct heap_region *region_of(const struct heap *h, const void *a)
{
    for (struct heap_region *r = h->regions; r; r = r->next)
        if ((uintptr_t)a >= (uintptr_t)r->first && (uintptr_t)a < (uintptr_t)r->sentinel)
            return r;
    return NULL;
}

/* p could be a block of this heap: block-aligned and inside a region. */
static inline bool in_heap(const struct heap *h, const void *p)
{
    return ((uintptr_t)p & (HEAP_ALIGN - 1)) == BLOCK_ALIGN_OFFS && region_of(h, p);
}

/* ------------------------------------------------------------ free lists */

static inline void list_insert(struct heap *h, struct heap_block *b)
{
    unsigned fl, sl;
    class_of(block_size(b), &fl, &sl);
    struct heap_block *head = h->free_lists[fl][sl];
    b->next_free = head;
    b->prev_free = NULL;
    if (head)
        head->prev_free = b;
    h->free_lists[fl][sl] = b;
    h->fl_bitmap |= 1ull << fl;
    h->sl_bitmap[fl] |= 1u << sl;
    h->free_bytes += block_size(b);
    h->free_blocks++;
}

/* Unlink b from its list, (fl, sl); the class is only read for the head,
 * the one entry whose removal can empty the list. */
static inline void unlink_from(struct heap *h, struct heap_block *b, unsigned fl, unsigned sl)
{
    if (b->next_free)
        b->next_free->prev_free = b->prev_free;
    if (b->prev_free) {
        b->prev_free->next_free = b->next_free;
    } else {
        h->free_lists[fl][sl] = b->next_free;
        if (!b->next_free) {
            h->sl_bitmap[fl] &= ~(1u << sl);
            if (!h->sl_bitmap[fl])
                h->fl_bitmap &= ~(1ull << fl);
        }
    }
    h->free_bytes -= block_size(b);
    h->free_blocks--;
}

static inline void list_remove(struct heap *h, struct heap_block *b)
{
    unsigned fl = 0, sl = 0;
    if (!b->prev_free)
        class_of(block_size(b), &fl, &sl);
    unlink_from(h, b, fl, sl);
}

/* b's list neighbours, or for the head its list (fl, sl), point back at it
 * (safe unlinking: a write after free that clobbered the links shows here,
 * before unlinking writes through them). */
static inline bool links_valid_at(const struct heap *h, const struct heap_block *b, unsigned fl,
                                  unsigned sl)
{
    if (b->prev_free) {
        if (!in_heap(h, b->prev_free) || b->prev_free->next_free != b)
            return false;
    } else if (h->free_lists[fl][sl] != b) {
        return false;
    }
    return !b->next_free || (in_heap(h, b->next_free) && b->next_free->prev_free == b);
}

/* ------------------------------------------------------------ block surgery */

/* Turn [b, b + size) into a listed free block. Its neighbours must be
 * allocated (so PREV_FREE of b is clear); the next one learns b is free. */
static inline void make_free(struct heap *h, struct heap_block *b, size_t size)
{
    set_header(h, b, size, FLAG_FREE);
    set_footer(b, size);
    set_prev_free(h, block_at(b, size), true);
    list_insert(h, b);
}

/* [b, b + size) is unlisted free memory followed by a block marked
 * PREV_FREE: make its first `need` bytes an allocated block, list the rest
 * if it can be a block of its own. Returns the allocated block's size. */
static inline size_t carve(struct heap *h, struct heap_block *b, size_t size, size_t need,
                           uint64_t prev_flag)
{
    if (size - need >= MIN_BLOCK) {
        struct heap_block *rest = block_at(b, need);
        set_header(h, rest, size - need, FLAG_FREE);
        set_footer(rest, size - need);
        list_insert(h, rest);
        size = need;
    } else {
        set_prev_free(h, block_at(b, size), false);
    }
    set_header(h, b, size, prev_flag);
    return size;
}

#endif
