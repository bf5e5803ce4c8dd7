/*
 * heap.h - Keel's general-purpose heap: a constant-time allocator over
 * memory ranges (two-level segregated fit, after Masmano et al.'s TLSF).
 *
 * Pure C over memory the caller hands in, with no globals: the kernel runs
 * one `struct heap` over its growing virtual heap region, and the host tests,
 * fuzzer and benchmark run the very same mm/heap files over malloc'ed buffers.
 * Not thread-safe: the caller serialises access (the kernel holds a lock).
 *
 * Guarantees:
 *  - Every pointer returned is aligned to HEAP_ALIGN (16) bytes, or to the
 *    requested alignment for heap_alloc_aligned.
 *  - heap_alloc, heap_free and in-place heap_realloc cost O(1): bitmaps and
 *    find-first-set pick a free list whose blocks are all big enough (good
 *    fit), and boundary tags merge a freed block with free neighbours at once.
 *    Checking that a pointer lies in the heap walks the region list, which
 *    holds one region for the kernel's contiguously growing heap.
 *  - Size 0 returns a unique minimal block, like most C libraries.
 *  - A request the heap cannot satisfy, even after ops.grow, returns NULL and
 *    calls ops.out_of_memory(ctx, size) first. Sizes near SIZE_MAX fail
 *    cleanly: no rounding ever overflows.
 *  - Each block header carries a 16-bit check tag computed from the block's
 *    address, size and state. heap_free or heap_realloc of a pointer outside
 *    the heap, of a block already free, or of a block whose header (or a
 *    neighbour's) fails its check calls ops.corruption(ctx, what, address)
 *    and leaves the heap untouched. A forged header passes the tag with
 *    probability 2^-16, and must then also pass the neighbour checks.
 *  - Memory is only ever written inside the regions handed in.
 */
#ifndef KEEL_MM_HEAP_HEAP_H
#define KEEL_MM_HEAP_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Alignment of every returned pointer: enough for any scalar type, and what
 * x86-64 SysV malloc guarantees. */
#define HEAP_ALIGN 16u

/* Largest request (size, or alignment) the heap will try to satisfy: 64 TiB,
 * far beyond any real region, and small enough that request + alignment +
 * bookkeeping can never overflow. */
#define HEAP_MAX_REQUEST ((size_t)1 << 46)

/* Free-list geometry (see mm/heap/heap_internal.h): HEAP_SL_COUNT linear
 * subdivisions of each power-of-two size class, for block sizes up to 2^48
 * bytes. */
#define HEAP_SL_LOG2  5
#define HEAP_SL_COUNT (1u << HEAP_SL_LOG2)
#define HEAP_FL_COUNT 40

struct heap_block;
struct heap_region;

/* How the heap talks to its owner. Every member may be NULL. */
struct heap_ops {
    void *ctx; /* passed back to every callback */
    /* Make at least min_bytes more memory usable and return how many bytes
     * were made usable (0 on failure), with *region_start set to where they
     * begin. The main case is memory that directly follows the end of a
     * region the heap already has (the kernel maps more pages above its heap
     * region): the heap then extends that region and merges the new space
     * with a free block at its end. Any other address becomes a new region.
     * min_bytes already includes the bookkeeping for a new region. Called
     * at most once per allocation, never re-entering the heap; fewer bytes
     * than asked are still added, but the allocation may then fail. */
    size_t (*grow)(void *ctx, size_t min_bytes, void **region_start);
    /* A broken invariant was found at address; `what` says which. The heap
     * has not modified anything. The kernel panics here; tests may return. */
    void (*corruption)(void *ctx, const char *what, const void *address);
    /* A request of `request` bytes failed even after grow; about to return
     * NULL. SIZE_MAX stands for a calloc whose n * size overflowed. */
    void (*out_of_memory)(void *ctx, size_t request);
};

struct heap {
    struct heap_ops ops;
    uint64_t tag_seed;                 /* mixed into every header's check tag */
    uint64_t fl_bitmap;                /* bit f: some list in sl_bitmap[f] is non-empty */
    uint32_t sl_bitmap[HEAP_FL_COUNT]; /* bit s: free_lists[f][s] is non-empty */
    struct heap_block *free_lists[HEAP_FL_COUNT][HEAP_SL_COUNT];
    struct heap_region *regions; /* singly linked, newest first; headers live in the regions */
    size_t total_bytes;          /* bytes of every region accepted, slack included */
    size_t used_bytes, free_bytes;
    size_t used_blocks, free_blocks;
    size_t region_count;
};

struct heap_stats {
    size_t used_bytes;         /* bytes in allocated blocks, 8-byte headers and rounding included */
    size_t free_bytes;         /* bytes in free blocks, headers included */
    size_t largest_free_block; /* payload of the largest free block: no bigger heap_alloc
                                  can succeed without growing */
    size_t block_count;        /* allocated blocks (live pointers) */
    size_t free_block_count;
    size_t region_count; /* regions added; contiguous growth extends one instead */
    size_t total_bytes;  /* bytes handed in; the rest beyond used + free is bookkeeping */
};

/* Start an empty heap (no regions yet) that reports to ops (copied; may be
 * NULL for no callbacks). */
void heap_init(struct heap *h, const struct heap_ops *ops);

/* Give the heap [start, start + size), any alignment and size. The range is
 * trimmed inward to the heap's alignment; a range too small to hold the
 * region bookkeeping plus one minimal block, or one overlapping a region the
 * heap already has, is refused (false) without writing anything. A range
 * starting exactly where a region ends extends that region. Nothing outside
 * the range is ever written. */
bool heap_add_region(struct heap *h, void *start, size_t size);

/* size bytes aligned to HEAP_ALIGN, or NULL (see the guarantees above). */
void *heap_alloc(struct heap *h, size_t size);
/* size bytes aligned to align, a power of two (up to HEAP_MAX_REQUEST); the
 * gap before an aligned block is kept as a free block. NULL, without any
 * callback, if align is not a power of two. */
void *heap_alloc_aligned(struct heap *h, size_t size, size_t align);
/* n * size zeroed bytes; NULL if the product overflows. */
void *heap_calloc(struct heap *h, size_t n, size_t size);
/* Return p (NULL is a no-op) to the heap. */
void heap_free(struct heap *h, void *p);
/* Resize p to size bytes, keeping the common prefix. Shrinks in place and
 * grows in place into a free next neighbour when it can; otherwise moves the
 * data to a new HEAP_ALIGN-aligned block (a larger alignment is not kept).
 * NULL p allocates; size 0 shrinks p to a minimal block. On failure returns
 * NULL and p stays valid and unchanged. */
void *heap_realloc(struct heap *h, void *p, size_t size);

/* Counters kept as the heap runs; largest_free_block walks one list. */
void heap_get_stats(const struct heap *h, struct heap_stats *stats);

/* Verify every invariant (listed in mm/heap/heap_internal.h); on failure write
 * a reason into why (if why_len > 0) and return false. Read-only; cost
 * O(blocks x list length). */
bool heap_check(const struct heap *h, char *why, size_t why_len);

#endif
