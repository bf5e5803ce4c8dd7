/*
 * heap.c - two-level segregated fit allocator over memory regions (see heap.h).
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
 * second level s one of HEAP_SL_COUNT equal slices of it. An allocation
 * rounds its size up to the next slice boundary first, so that any block in
 * the list found is big enough ("good fit", O(1)); only when that finds
 * nothing does it scan the first few blocks of the exact list, to use memory
 * the rounding would skip before asking to grow.
 *
 * Everything a free or realloc relies on (the block's header, its
 * neighbours' headers, footers and list links) is validated before the first
 * write, so a corruption report leaves the heap exactly as it was.
 */
#include <keel/heap.h>
#include <keel/string.h>

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

/* How many blocks of the exact-size list to try after the good-fit search
 * failed: bounded, so the cost stays constant. */
#define FALLBACK_SCAN 16

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

static const char ERR_FOREIGN[] = "pointer not from this heap";
static const char ERR_DOUBLE_FREE[] = "double free";
static const char ERR_HEADER[] = "bad block header (overwritten, or pointer not from this heap)";
static const char ERR_NEXT[] = "block after this one is corrupt (overflow?)";
static const char ERR_PREV[] = "free block before this one is corrupt";
static const char ERR_FREE_LIST[] = "free list corrupt (write after free?)";
static const char ERR_REGION_END[] = "region sentinel corrupt";

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

/* The first list whose every block holds `size` bytes: size rounded up to
 * the next slice boundary. *fl may come out >= HEAP_FL_COUNT (no such list). */
static inline void class_for_request(size_t size, unsigned *fl, unsigned *sl)
{
    if (size >= SMALL_BLOCK)
        size += ((size_t)1 << (msb(size) - HEAP_SL_LOG2)) - 1;
    class_of(size, fl, sl);
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

static inline bool links_valid(const struct heap *h, const struct heap_block *b)
{
    unsigned fl = 0, sl = 0;
    if (!b->prev_free)
        class_of(block_size(b), &fl, &sl);
    return links_valid_at(h, b, fl, sl);
}

/* b, in region r, is a sound free block: header, size, footer and links. */
static inline bool free_block_valid(const struct heap *h, const struct heap_region *r,
                                    const struct heap_block *b)
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
static struct heap_block *prev_free_block(const struct heap *h, const struct heap_region *r,
                                          const struct heap_block *b)
{
    size_t size = prev_footer(b);
    if (size < MIN_BLOCK || (size & (HEAP_ALIGN - 1)) != 0 ||
        size > (uintptr_t)b - (uintptr_t)r->first)
        return NULL;
    struct heap_block *prev = block_at(b, 0 - size);
    return block_size(prev) == size && free_block_valid(h, r, prev) ? prev : NULL;
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

static void *use_block(struct heap *h, struct heap_block *b, size_t size, size_t need,
                       uint64_t prev_flag)
{
    size = carve(h, b, size, need, prev_flag);
    h->used_bytes += size;
    h->used_blocks++;
    return payload_of(b);
}

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

/* ------------------------------------------------------------ regions */

/* Lowest block address (8 mod 16) at or above a. */
static uintptr_t block_start_from(uintptr_t a)
{
    return ((a - BLOCK_ALIGN_OFFS + HEAP_ALIGN - 1) & ~(uintptr_t)(HEAP_ALIGN - 1)) +
           BLOCK_ALIGN_OFFS;
}

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
    if (prev_is_free(old) && !(prev = prev_free_block(h, r, old))) {
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

/* Ask ops.grow for room for a block of `size` bytes. */
static bool grow_heap(struct heap *h, size_t size)
{
    void *start = NULL;
    if (!h->ops.grow)
        return false;
    size_t got = h->ops.grow(h->ops.ctx, size + REGION_OVERHEAD, &start);
    return got && start && heap_add_region(h, start, got);
}

/* ------------------------------------------------------------ allocation */

static void report_out_of_memory(struct heap *h, size_t request)
{
    if (h->ops.out_of_memory)
        h->ops.out_of_memory(h->ops.ctx, request);
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

/* Why p cannot be freed or resized (NULL if it can): it must be the payload
 * of an allocated block with a valid header, in a region, and its neighbours
 * must be sound, since freeing writes to them. */
static const char *check_allocated(const struct heap *h, const void *p, struct heap_block **out)
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
    if (prev_is_free(b) && !prev_free_block(h, r, b))
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
