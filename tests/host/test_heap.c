/*
 * test_heap.c - host tests for the kernel heap (mm/heap/heap.c).
 *
 * The heap runs over malloc'ed buffers, so AddressSanitizer sees any write
 * outside the regions it was given. Every test keeps its own account of what
 * it allocated (pointer, size, a fill pattern) and judges the heap by that
 * and by heap_check, not by the heap's internals: contents must survive,
 * live blocks must never overlap, statistics must agree with the test's
 * sums. Corruption tests snapshot the heap's state and memory and verify
 * that a reported error changed nothing; one test damages the internals on
 * purpose to see that heap_check notices.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mm/heap/heap.h>
#include <mm/paging.h> /* PAGE_SIZE: the kernel grows its heap in pages */

#define ARENA_BYTES (4u << 20) /* backing memory for most tests */
#define CANARY      0xC5
#define HEADER      8u /* per-block overhead the heap documents */

/* ---------------------------------------------------------- fixtures */

/* What the callbacks saw, and a bump allocator over an arena that the grow
 * callback hands out from: contiguous chunks like the kernel's page-mapped
 * region, or chunks with a gap between them (unrelated regions). */
struct recorder {
    int corruptions;
    const char *what;
    const void *where;
    int ooms;
    size_t oom_request;
    int grows;
    size_t grow_min;
    char *arena;
    size_t arena_size, arena_used;
    size_t grow_gap;    /* bytes skipped before each chunk: 0 = contiguous */
    size_t grow_budget; /* chunks still allowed; 0 = grow fails */
};

static struct heap heap;
static struct recorder rec;
static char *arena;

static size_t test_grow(void *ctx, size_t min_bytes, void **region_start)
{
    struct recorder *r = ctx;
    size_t bytes = (min_bytes + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;

    r->grows++;
    r->grow_min = min_bytes;
    if (r->grow_budget == 0 || r->arena_used + r->grow_gap + bytes > r->arena_size)
        return 0;
    r->grow_budget--;
    r->arena_used += r->grow_gap;
    *region_start = r->arena + r->arena_used;
    r->arena_used += bytes;
    return bytes;
}

static void test_corruption(void *ctx, const char *what, const void *address)
{
    struct recorder *r = ctx;
    r->corruptions++;
    r->what = what;
    r->where = address;
}

static void test_out_of_memory(void *ctx, size_t request)
{
    struct recorder *r = ctx;
    r->ooms++;
    r->oom_request = request;
}

static const struct heap_ops recording_ops = {
    .ctx = &rec,
    .grow = test_grow,
    .corruption = test_corruption,
    .out_of_memory = test_out_of_memory,
};

/* An empty heap with callbacks and an arena; no region yet, no growth. */
static int setup(void **state)
{
    (void)state;
    arena = malloc(ARENA_BYTES);
    if (!arena)
        return -1;
    memset(arena, 0xEE, ARENA_BYTES); /* garbage the heap must not rely on */
    memset(&rec, 0, sizeof(rec));
    rec.arena = arena;
    rec.arena_size = ARENA_BYTES;
    heap_init(&heap, &recording_ops);
    return 0;
}

/* As setup, with the first `bytes` of the arena added as a region. */
static int setup_region(void **state, size_t bytes)
{
    if (setup(state) != 0 || !heap_add_region(&heap, arena, bytes))
        return -1;
    rec.arena_used = bytes;
    return 0;
}

static int setup_64k(void **state)
{
    return setup_region(state, 64 << 10);
}

static int setup_1m(void **state)
{
    return setup_region(state, 1 << 20);
}

static int teardown(void **state)
{
    (void)state;
    free(arena);
    return 0;
}

static void expect_valid(void)
{
    char why[160] = "";
    bool ok = heap_check(&heap, why, sizeof(why));
    if (!ok)
        print_error("heap_check: %s\n", why);
    assert_true(ok);
}

static struct heap_stats stats(void)
{
    struct heap_stats s;
    heap_get_stats(&heap, &s);
    return s;
}

/* ---------------------------------------------------------- patterns */

static uint8_t pattern(uint32_t id, size_t i)
{
    return (uint8_t)(id * 131u + i * 7u + (i >> 8) + 1u);
}

static void fill(void *p, size_t size, uint32_t id)
{
    uint8_t *b = p;
    for (size_t i = 0; i < size; i++)
        b[i] = pattern(id, i);
}

static bool intact(const void *p, size_t size, uint32_t id)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < size; i++)
        if (b[i] != pattern(id, i))
            return false;
    return true;
}

/* A copy of everything a corruption report must leave alone. */
struct snapshot {
    struct heap state;
    char *memory;
};

static struct snapshot take_snapshot(void)
{
    struct snapshot s = {.state = heap, .memory = malloc(ARENA_BYTES)};
    assert_non_null(s.memory);
    memcpy(s.memory, arena, ARENA_BYTES);
    return s;
}

static void expect_unchanged(struct snapshot *s)
{
    assert_memory_equal(&s->state, &heap, sizeof(heap));
    assert_memory_equal(s->memory, arena, ARENA_BYTES);
    free(s->memory);
}

static void expect_corruption(const char *what, const void *where)
{
    assert_int_equal(rec.corruptions, 1);
    assert_string_equal(rec.what, what);
    assert_ptr_equal(rec.where, where);
    rec.corruptions = 0;
}

/* ---------------------------------------------------------- basics */

static void test_empty_heap_fails_cleanly(void **state)
{
    (void)state;
    expect_valid();
    assert_null(heap_alloc(&heap, 1));
    assert_int_equal(rec.grows, 1); /* asked, but the budget is 0 */
    assert_int_equal(rec.ooms, 1);
    assert_int_equal(rec.oom_request, 1);
    struct heap_stats s = stats();
    assert_int_equal(s.region_count, 0);
    assert_int_equal(s.used_bytes + s.free_bytes + s.largest_free_block, 0);
    heap_free(&heap, NULL); /* no-op, no report */
    assert_int_equal(rec.corruptions, 0);
    expect_valid();
}

static void test_no_callbacks(void **state)
{
    struct heap bare;
    static char memory[4096];
    (void)state;
    heap_init(&bare, NULL);
    assert_null(heap_alloc(&bare, 16)); /* no grow, no out_of_memory: still just NULL */
    assert_true(heap_add_region(&bare, memory, sizeof(memory)));
    void *p = heap_alloc(&bare, 100);
    assert_non_null(p);
    heap_free(&bare, p);
    heap_free(&bare, p); /* a double free with nobody to tell: ignored, heap intact */
    assert_true(heap_check(&bare, NULL, 0));
}

static void test_alloc_free_merges_back(void **state)
{
    void *p[8];
    (void)state;
    struct heap_stats empty = stats();
    assert_int_equal(empty.free_block_count, 1);
    assert_int_equal(empty.block_count, 0);

    for (int i = 0; i < 8; i++) {
        p[i] = heap_alloc(&heap, 100 + (size_t)i * 40);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] % HEAP_ALIGN, 0);
        fill(p[i], 100 + (size_t)i * 40, (uint32_t)i);
        expect_valid();
    }
    assert_int_equal(stats().block_count, 8);
    /* Free in an order that merges with the previous, the next and both. */
    static const int order[] = {1, 3, 2, 6, 5, 0, 7, 4};
    for (int k = 0; k < 8; k++) {
        int i = order[k];
        assert_true(intact(p[i], 100 + (size_t)i * 40, (uint32_t)i));
        heap_free(&heap, p[i]);
        expect_valid();
    }
    struct heap_stats s = stats();
    assert_int_equal(s.free_block_count, 1);
    assert_int_equal(s.used_bytes, 0);
    assert_int_equal(s.free_bytes, empty.free_bytes);
    assert_int_equal(s.largest_free_block, empty.largest_free_block);
    assert_int_equal(rec.corruptions + rec.ooms, 0);
}

/* Size 0 gives distinct, freeable minimal blocks. */
static void test_zero_size(void **state)
{
    (void)state;
    void *a = heap_alloc(&heap, 0), *b = heap_alloc(&heap, 0);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    assert_int_equal(stats().block_count, 2);
    void *c = heap_alloc_aligned(&heap, 0, 256);
    assert_non_null(c);
    assert_int_equal((uintptr_t)c % 256, 0);
    void *d = heap_calloc(&heap, 0, 10);
    assert_non_null(d);
    expect_valid();
    heap_free(&heap, a);
    heap_free(&heap, b);
    heap_free(&heap, c);
    heap_free(&heap, d);
    expect_valid();
    assert_int_equal(stats().block_count, 0);
}

static void test_huge_sizes_fail_cleanly(void **state)
{
    static const size_t huge[] = {
        SIZE_MAX,     SIZE_MAX - 1,        SIZE_MAX - 15,        SIZE_MAX - 16,
        SIZE_MAX / 2, SIZE_MAX / 2 + 1,    HEAP_MAX_REQUEST + 1, (size_t)1 << 62,
        ARENA_BYTES,  (64 << 10) - HEADER, /* the whole region: no room for bookkeeping */
    };
    (void)state;
    void *keep = heap_alloc(&heap, 64);
    fill(keep, 64, 7);
    struct heap_stats before = stats();
    for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
        rec.ooms = 0;
        assert_null(heap_alloc(&heap, huge[i]));
        assert_int_equal(rec.ooms, 1);
        assert_int_equal(rec.oom_request, huge[i]);
        assert_null(heap_alloc_aligned(&heap, huge[i], 4096));
        assert_null(heap_calloc(&heap, 1, huge[i]));
        assert_null(heap_realloc(&heap, keep, huge[i]));
        expect_valid();
    }
    assert_null(heap_alloc_aligned(&heap, 16, (size_t)1 << 47)); /* beyond HEAP_MAX_REQUEST */
    assert_null(heap_alloc_aligned(&heap, 16, (size_t)1 << 63));
    assert_null(heap_alloc_aligned(&heap, SIZE_MAX, (size_t)1 << 63));
    struct heap_stats after = stats();
    assert_memory_equal(&before, &after, sizeof(before));
    assert_true(intact(keep, 64, 7)); /* a failed realloc leaves the block as it was */
    assert_int_equal(rec.corruptions, 0);
}

static void test_calloc_zeroes_and_overflows(void **state)
{
    (void)state;
    char *dirty = heap_alloc(&heap, 4000);
    memset(dirty, 0xAB, 4000);
    heap_free(&heap, dirty);
    unsigned char *z = heap_calloc(&heap, 1000, 4); /* reuses the dirty block */
    assert_non_null(z);
    for (size_t i = 0; i < 4000; i++)
        assert_int_equal(z[i], 0);

    rec.ooms = 0;
    assert_null(heap_calloc(&heap, SIZE_MAX / 2 + 1, 2));
    assert_null(heap_calloc(&heap, 2, SIZE_MAX / 2 + 1));
    assert_null(heap_calloc(&heap, (size_t)1 << 32, (size_t)1 << 32));
    assert_null(heap_calloc(&heap, SIZE_MAX, SIZE_MAX));
    assert_int_equal(rec.ooms, 4);
    assert_int_equal(rec.oom_request, SIZE_MAX); /* overflow is reported as SIZE_MAX */
    void *zero = heap_calloc(&heap, SIZE_MAX, 0);
    assert_non_null(zero);
    heap_free(&heap, zero);
    heap_free(&heap, z);
    expect_valid();
}

/* Every power-of-two alignment, with several sizes, freed in mixed order. */
static void test_alignments(void **state)
{
    void *p[128];
    size_t n = 0;
    (void)state;
    for (size_t align = 1; align <= 65536; align <<= 1) {
        for (size_t size = 0; size < 300; size += 97) {
            void *q = heap_alloc_aligned(&heap, size, align);
            assert_non_null(q);
            assert_int_equal((uintptr_t)q % (align < HEAP_ALIGN ? HEAP_ALIGN : align), 0);
            fill(q, size, (uint32_t)n);
            assert_true(n < 128);
            p[n++] = q;
            expect_valid();
        }
    }
    for (size_t i = 0; i < n; i += 2) /* every other one, then the rest */
        heap_free(&heap, p[i]);
    expect_valid();
    for (size_t i = 1; i < n; i += 2)
        heap_free(&heap, p[i]);
    expect_valid();
    assert_int_equal(stats().free_block_count, 1);

    /* Not powers of two: refused without a report. */
    rec.ooms = 0;
    assert_null(heap_alloc_aligned(&heap, 16, 0));
    assert_null(heap_alloc_aligned(&heap, 16, 24));
    assert_null(heap_alloc_aligned(&heap, 16, 4097));
    assert_int_equal(rec.ooms + rec.corruptions, 0);
}

/* The gap in front of an aligned block is a free block, used again. */
static void test_aligned_gap_is_reused(void **state)
{
    (void)state;
    void *a = heap_alloc_aligned(&heap, 100, 4096);
    assert_non_null(a);
    struct heap_stats s = stats();
    assert_int_equal(s.block_count, 1);
    assert_true(s.free_block_count <= 2); /* gap (unless already aligned) and the tail */
    assert_true(s.used_bytes <= 100 + HEADER + 2 * HEAP_ALIGN);
    void *small = heap_alloc(&heap, 64); /* fits the gap: lands below a */
    if (s.free_block_count == 2)
        assert_true((uintptr_t)small < (uintptr_t)a);
    heap_free(&heap, a);
    heap_free(&heap, small);
    expect_valid();
    assert_int_equal(stats().free_block_count, 1);
}

/* ---------------------------------------------------------- regions */

/* Every size 0..200 at every start offset 0..15. The region sits at the end
 * of a malloc'ed buffer of exactly offset + size bytes, so ASan catches any
 * write past it; the offset bytes before it are canaries. */
static void test_odd_tiny_regions(void **state)
{
    size_t smallest_accepted = SIZE_MAX, largest_refused = 0;
    (void)state;
    for (size_t size = 0; size <= 200; size++) {
        for (size_t offset = 0; offset < 16; offset++) {
            unsigned char *buffer = malloc(offset + size); /* exact size: ASan guards the end */
            unsigned char *start = buffer + offset;
            struct heap h;
            void *live[8];
            size_t n = 0;

            assert_non_null(buffer);
            memset(buffer, CANARY, offset + size);
            heap_init(&h, NULL);
            bool accepted = heap_add_region(&h, start, size);
            assert_true(heap_check(&h, NULL, 0));
            if (accepted) {
                smallest_accepted = size < smallest_accepted ? size : smallest_accepted;
                while (n < 8 && (live[n] = heap_alloc(&h, n * 8)) != NULL) {
                    memset(live[n], 0x11, n * 8); /* all of it: ASan checks the bounds */
                    n++;
                }
                assert_true(n >= 1);
                assert_true(heap_check(&h, NULL, 0));
                while (n > 0)
                    heap_free(&h, live[--n]);
                assert_true(heap_check(&h, NULL, 0));
            } else {
                largest_refused = size > largest_refused ? size : largest_refused;
                for (size_t i = 0; i < size; i++)
                    assert_int_equal(start[i], CANARY); /* a refused region is untouched */
            }
            for (size_t i = 0; i < offset; i++)
                assert_int_equal(buffer[i], CANARY);
            free(buffer);
        }
    }
    printf("  regions: smallest accepted %zu bytes, largest refused %zu bytes\n", smallest_accepted,
           largest_refused);
    assert_true(smallest_accepted >= 72); /* region header + minimal block + sentinel */
    assert_true(largest_refused <= 32 + 7 + 15 + 32 + 8 + 15); /* worst-case alignment waste */
}

static void test_region_overlap_refused_adjacent_extends(void **state)
{
    (void)state;
    assert_true(heap_add_region(&heap, arena, 8192));
    struct heap_stats s = stats();
    assert_int_equal(s.region_count, 1);
    assert_false(heap_add_region(&heap, arena + 4096, 8192)); /* overlaps */
    assert_false(heap_add_region(&heap, arena + 100, 100));   /* inside */
    assert_false(heap_add_region(&heap, NULL, 4096));
    assert_true(heap_add_region(&heap, arena + 8192, 8192)); /* adjacent: extends */
    struct heap_stats t = stats();
    assert_int_equal(t.region_count, 1);
    assert_int_equal(t.free_block_count, 1);
    assert_int_equal(t.free_bytes, s.free_bytes + 8192);
    assert_int_equal(t.total_bytes, 16384);
    assert_true(heap_add_region(&heap, arena + 20000 + 3, 5000)); /* unrelated, odd */
    assert_int_equal(stats().region_count, 2);
    expect_valid();
    /* Tiny extensions: kept as slack until they make up 16 bytes, which
     * join the free block at the end. */
    size_t free_before = stats().free_bytes;
    assert_true(heap_add_region(&heap, arena + 16384, 8));
    expect_valid();
    assert_int_equal(stats().free_bytes, free_before);
    assert_true(heap_add_region(&heap, arena + 16392, 8));
    expect_valid();
    assert_int_equal(stats().total_bytes, 16384 + 16 + 5000);
    assert_int_equal(stats().free_bytes, free_before + 16);
    /* Behind an allocated block, slack waits for a whole minimal block. */
    void *last = heap_alloc(&heap, stats().largest_free_block);
    assert_non_null(last);
    free_before = stats().free_bytes; /* the other region's */
    assert_true(heap_add_region(&heap, arena + 16400, 16));
    assert_int_equal(stats().free_bytes, free_before);
    assert_true(heap_add_region(&heap, arena + 16416, 16));
    assert_int_equal(stats().free_bytes, free_before + 32);
    expect_valid();
}

static void test_grow_contiguous(void **state)
{
    void *p[200];
    (void)state;
    rec.grow_budget = 1000;
    for (int i = 0; i < 200; i++) {
        p[i] = heap_alloc(&heap, 1000 + (size_t)i);
        assert_non_null(p[i]);
        fill(p[i], 1000 + (size_t)i, (uint32_t)i);
        expect_valid();
    }
    struct heap_stats s = stats();
    assert_int_equal(s.region_count, 1); /* every chunk extended the first */
    assert_int_equal(s.total_bytes, rec.arena_used);
    assert_true(rec.grows > 1 && rec.grows < 200);
    assert_true(s.free_bytes < 2 * PAGE_SIZE); /* growth only as needed */
    for (int i = 199; i >= 0; i--) {
        assert_true(intact(p[i], 1000 + (size_t)i, (uint32_t)i));
        heap_free(&heap, p[i]);
    }
    expect_valid();
    assert_int_equal(stats().free_block_count, 1);
    /* A block larger than all grown so far: grow is asked for enough. */
    int grows = rec.grows;
    void *big = heap_alloc(&heap, 500000);
    assert_non_null(big);
    assert_int_equal(rec.grows, grows + 1);
    assert_true(rec.grow_min >= 500000);
    expect_valid();
}

static void test_grow_unrelated_regions(void **state)
{
    void *p[100];
    (void)state;
    rec.grow_budget = 1000;
    rec.grow_gap = 64; /* never contiguous */
    for (int i = 0; i < 100; i++) {
        p[i] = heap_alloc_aligned(&heap, 3000, i % 3 ? 16 : 512);
        assert_non_null(p[i]);
        fill(p[i], 3000, (uint32_t)i);
        expect_valid();
    }
    struct heap_stats s = stats();
    assert_int_equal(s.region_count, (size_t)rec.grows);
    assert_true(s.region_count > 10);
    for (int i = 0; i < 100; i += 2)
        heap_free(&heap, p[i]);
    for (int i = 1; i < 100; i += 2) {
        assert_true(intact(p[i], 3000, (uint32_t)i));
        heap_free(&heap, p[i]);
    }
    expect_valid();
    assert_int_equal(stats().free_block_count, s.region_count); /* one per region */
}

/* When grow gives up: NULL, out_of_memory with the request, heap intact. */
static void test_exhaustion(void **state)
{
    size_t n = 0, requested = 0;
    void **live = malloc(100000 * sizeof(void *));
    (void)state;
    rec.grow_budget = 3;
    for (;;) {
        void *p = heap_alloc(&heap, 5000 + n % 77);
        if (!p)
            break;
        fill(p, 5000 + n % 77, (uint32_t)n);
        requested += 5000 + n % 77;
        live[n++] = p;
    }
    assert_int_equal(rec.ooms, 1);
    assert_int_equal(rec.oom_request, 5000 + n % 77);
    assert_int_equal(rec.grows, 4); /* three successful, one refused */
    expect_valid();
    struct heap_stats s = stats();
    assert_int_equal(s.block_count, n);
    assert_true(s.used_bytes >= requested + n * HEADER);
    assert_true(s.used_bytes <= requested + n * (HEADER + 2 * HEAP_ALIGN));
    assert_true(s.largest_free_block < 5000 + n % 77);
    assert_true(s.used_bytes + s.free_bytes <= s.total_bytes);
    assert_true(s.total_bytes - s.used_bytes - s.free_bytes <= s.region_count * 100);
    /* The largest free block can indeed be allocated whole. */
    if (s.largest_free_block > 0) {
        void *last = heap_alloc(&heap, s.largest_free_block);
        assert_non_null(last);
        heap_free(&heap, last);
    }
    for (size_t i = 0; i < n; i++) {
        assert_true(intact(live[i], 5000 + i % 77, (uint32_t)i));
        heap_free(&heap, live[i]);
    }
    expect_valid();
    assert_int_equal(stats().used_bytes, 0);
    free(live);
}

/* ---------------------------------------------------------- realloc */

static void test_realloc_in_place_and_moving(void **state)
{
    (void)state;
    char *a = heap_alloc(&heap, 100);
    fill(a, 100, 1);
    /* Next to free space: grows in place. */
    char *grown = heap_realloc(&heap, a, 3000);
    assert_ptr_equal(grown, a);
    assert_true(intact(a, 100, 1));
    expect_valid();
    fill(a, 3000, 2);
    /* Shrinks in place, returning the tail. */
    size_t used_before = stats().used_bytes;
    assert_ptr_equal(heap_realloc(&heap, a, 200), a);
    assert_true(intact(a, 200, 2));
    assert_true(stats().used_bytes < used_before - 2700);
    expect_valid();
    /* Blocked by a neighbour (the next allocation lands right after a):
     * moves, keeping the prefix. */
    char *wall = heap_alloc(&heap, 50);
    assert_ptr_equal(wall, a + 208); /* a's 200 bytes + header, 16-aligned */
    char *moved = heap_realloc(&heap, a, 5000);
    assert_non_null(moved);
    assert_ptr_not_equal(moved, a);
    assert_true(intact(moved, 200, 2));
    expect_valid();
    /* realloc(NULL) allocates; realloc(p, 0) keeps a minimal block. */
    char *fresh = heap_realloc(&heap, NULL, 70);
    assert_non_null(fresh);
    assert_ptr_equal(heap_realloc(&heap, fresh, 0), fresh);
    expect_valid();
    heap_free(&heap, fresh);
    heap_free(&heap, moved);
    heap_free(&heap, wall);
    expect_valid();
    assert_int_equal(stats().free_block_count, 1);
}

/* A realloc that must move but finds no memory keeps the original. */
static void test_realloc_failure_keeps_block(void **state)
{
    (void)state;
    char *a = heap_alloc(&heap, 1000);
    char *b = heap_alloc(&heap, 1000);
    fill(a, 1000, 3);
    rec.ooms = 0;
    assert_null(heap_realloc(&heap, a, 64000)); /* 64 KiB region, b in the way */
    assert_int_equal(rec.ooms, 1);
    assert_int_equal(rec.oom_request, 64000);
    assert_true(intact(a, 1000, 3));
    expect_valid();
    heap_free(&heap, a);
    heap_free(&heap, b);
    expect_valid();
}

/* ---------------------------------------------------------- corruption */

static void test_double_free(void **state)
{
    (void)state;
    char *a = heap_alloc(&heap, 64), *b = heap_alloc(&heap, 64), *c = heap_alloc(&heap, 64);
    char *d = heap_alloc(&heap, 64);

    heap_free(&heap, b);
    struct snapshot snap = take_snapshot();
    heap_free(&heap, b); /* alone in its list */
    expect_corruption("double free", b);
    expect_unchanged(&snap);

    heap_free(&heap, c); /* merges into b: c's header is now inside a free block */
    snap = take_snapshot();
    heap_free(&heap, c);
    expect_corruption("double free", c);
    assert_null(heap_realloc(&heap, c, 10));
    expect_corruption("double free", c);
    expect_unchanged(&snap);

    heap_free(&heap, a); /* b..c merged into a, merged with the next */
    snap = take_snapshot();
    heap_free(&heap, b);
    expect_corruption("double free", b);
    heap_free(&heap, a);
    expect_corruption("double free", a);
    expect_unchanged(&snap);
    expect_valid();
    heap_free(&heap, d);
    expect_valid();
    assert_int_equal(stats().free_block_count, 1);
}

static void test_foreign_pointers(void **state)
{
    int on_stack;
    struct heap other;
    static char other_memory[4096];
    (void)state;
    char *a = heap_alloc(&heap, 256);
    fill(a, 256, 9);
    char *outside = malloc(64);
    heap_init(&other, &recording_ops);
    assert_true(heap_add_region(&other, other_memory, sizeof(other_memory)));
    void *theirs = heap_alloc(&other, 32);

    struct snapshot snap = take_snapshot();
    heap_free(&heap, &on_stack);
    expect_corruption("pointer not from this heap", &on_stack);
    heap_free(&heap, outside);
    expect_corruption("pointer not from this heap", outside);
    heap_free(&heap, theirs);
    expect_corruption("pointer not from this heap", theirs);
    heap_free(&heap, a + 1); /* misaligned */
    expect_corruption("pointer not from this heap", a + 1);
    heap_free(&heap, arena + ARENA_BYTES - 16); /* beyond the region, inside the arena */
    expect_corruption("pointer not from this heap", arena + ARENA_BYTES - 16);
    for (int offset = 16; offset < 256; offset += 16) { /* inside a live block */
        heap_free(&heap, a + offset);
        assert_int_equal(rec.corruptions, 1);
        rec.corruptions = 0;
    }
    assert_null(heap_realloc(&heap, a + 32, 100));
    assert_int_equal(rec.corruptions, 1);
    rec.corruptions = 0;
    expect_unchanged(&snap);
    expect_valid();
    assert_true(intact(a, 256, 9));
    heap_free(&heap, a);
    heap_free(&other, theirs);
    assert_int_equal(rec.corruptions, 0);
    free(outside);
}

/* Overwritten headers (an underflow of a block, an overflow of the one
 * before) are caught before anything is written. */
static void test_overwritten_headers(void **state)
{
    (void)state;
    unsigned char *a = heap_alloc(&heap, 40), *b = heap_alloc(&heap, 40);
    unsigned char *c = heap_alloc(&heap, 40);
    heap_free(&heap, c); /* b's next neighbour is free: its footer matters too */

    for (int byte = 1; byte <= 8; byte++) {
        unsigned char saved = b[-byte];
        b[-byte] ^= 0x04; /* any one bit of b's header */
        struct snapshot snap = take_snapshot();
        heap_free(&heap, b);
        assert_int_equal(rec.corruptions, 1);
        heap_free(&heap, a); /* a's next neighbour (b) is damaged */
        assert_int_equal(rec.corruptions, 2);
        assert_string_equal(rec.what, "block after this one is corrupt (overflow?)");
        rec.corruptions = 0;
        expect_unchanged(&snap);
        char why[160];
        assert_false(heap_check(&heap, why, sizeof(why)));
        assert_non_null(strstr(why, " at 0x"));
        b[-byte] = saved;
        expect_valid();
    }
    heap_free(&heap, a);
    heap_free(&heap, b);
    expect_valid();
    assert_int_equal(rec.corruptions, 0);
}

/* A write after free that clobbers a free block's list links is caught when
 * the block is about to be reused, and nothing is changed. */
static void test_write_after_free(void **state)
{
    (void)state;
    void *a = heap_alloc(&heap, 200), *b = heap_alloc(&heap, 200);
    void *c = heap_alloc(&heap, 200);
    heap_free(&heap, b); /* between two allocated blocks: listed on its own */
    uint64_t saved[2];
    memcpy(saved, b, sizeof(saved));
    memset(b, 0x41, sizeof(saved)); /* the links */
    char why[160];
    assert_false(heap_check(&heap, why, sizeof(why)));
    struct snapshot snap = take_snapshot();
    assert_null(heap_alloc(&heap, 200));
    expect_corruption("free list corrupt (write after free?)", (char *)b - HEADER);
    heap_free(&heap, a); /* a's neighbour b is free and its links are bad */
    expect_corruption("block after this one is corrupt (overflow?)", a);
    expect_unchanged(&snap);
    memcpy(b, saved, sizeof(saved));
    expect_valid();
    heap_free(&heap, a);
    heap_free(&heap, c);
    expect_valid();
}

/* heap_check itself must notice damage: a few hand-made breakages. */
static void test_check_notices_damage(void **state)
{
    char why[160];
    (void)state;
    void *a = heap_alloc(&heap, 100);
    heap.used_bytes++;
    assert_false(heap_check(&heap, why, sizeof(why)));
    assert_non_null(strstr(why, "counters"));
    heap.used_bytes--;
    heap.fl_bitmap |= 1ull << 30;
    assert_false(heap_check(&heap, why, sizeof(why)));
    heap.fl_bitmap &= ~(1ull << 30);
    heap.sl_bitmap[0] |= 1u;
    assert_false(heap_check(&heap, why, sizeof(why)));
    heap.sl_bitmap[0] &= ~1u;
    heap.region_count++;
    assert_false(heap_check(&heap, why, 8)); /* short buffer: truncated, terminated */
    assert_int_equal(strlen(why), 7);
    heap.region_count--;
    expect_valid();
    heap_free(&heap, a);
}

/* ---------------------------------------------------------- randomized */

struct live_block {
    char *p;
    size_t size;
    uint32_t id;
};

struct stress {
    struct live_block *live;
    size_t count, capacity;
    uint64_t rng;
    uint32_t next_id;
    size_t requested;
};

static uint64_t next_random(struct stress *s)
{
    s->rng ^= s->rng << 13;
    s->rng ^= s->rng >> 7;
    s->rng ^= s->rng << 17;
    return s->rng;
}

/* Mostly small, some medium, a few large: like a kernel's mix. */
static size_t random_size(struct stress *s)
{
    uint64_t r = next_random(s);
    switch (r % 20) {
    case 0:
        return (size_t)(r >> 8) % 20000;
    case 1:
    case 2:
    case 3:
    case 4:
        return (size_t)(r >> 8) % 2000;
    default:
        return (size_t)(r >> 8) % 200;
    }
}

/* The new block [p, p + size) must not overlap any live block. */
static void expect_disjoint(const struct stress *s, const char *p, size_t size)
{
    for (size_t i = 0; i < s->count; i++) {
        const struct live_block *b = &s->live[i];
        size_t span = size ? size : 1, other = b->size ? b->size : 1;
        assert_false(p < b->p + other && b->p < p + span);
    }
}

static void add_live(struct stress *s, char *p, size_t size)
{
    assert_true(s->count < s->capacity);
    expect_disjoint(s, p, size);
    fill(p, size, s->next_id);
    s->live[s->count++] = (struct live_block){p, size, s->next_id++};
    s->requested += size;
}

static void random_step(struct stress *s)
{
    uint64_t r = next_random(s);
    unsigned action = (unsigned)(r % 10);
    size_t size = random_size(s);

    if (s->count > 0 && (action < 3 || s->count == s->capacity)) {
        size_t i = (size_t)(r >> 32) % s->count;
        struct live_block b = s->live[i];
        assert_true(intact(b.p, b.size, b.id));
        heap_free(&heap, b.p);
        s->requested -= b.size;
        s->live[i] = s->live[--s->count];
    } else if (s->count > 0 && action < 5) {
        size_t i = (size_t)(r >> 32) % s->count;
        struct live_block b = s->live[i];
        assert_true(intact(b.p, b.size, b.id));
        char *q = heap_realloc(&heap, b.p, size);
        if (!q) {
            assert_true(intact(b.p, b.size, b.id));
            return;
        }
        assert_true(intact(q, size < b.size ? size : b.size, b.id));
        s->live[i] = s->live[--s->count];
        s->requested -= b.size;
        add_live(s, q, size);
    } else if (action < 7) {
        size_t align = (size_t)1 << ((r >> 40) % 13); /* 1 .. 4096 */
        char *q = heap_alloc_aligned(&heap, size, align);
        if (q) {
            assert_int_equal((uintptr_t)q % align, 0);
            add_live(s, q, size);
        }
    } else if (action < 8) {
        size_t n = 1 + (size_t)(r >> 40) % 8;
        char *q = heap_calloc(&heap, n, size / n);
        if (q) {
            for (size_t k = 0; k < n * (size / n); k++)
                assert_int_equal(q[k], 0);
            add_live(s, q, n * (size / n));
        }
    } else {
        char *q = heap_alloc(&heap, size);
        if (q) {
            assert_int_equal((uintptr_t)q % HEAP_ALIGN, 0);
            add_live(s, q, size);
        }
    }
}

static void expect_stats_match(const struct stress *s)
{
    struct heap_stats st = stats();
    assert_int_equal(st.block_count, s->count);
    assert_true(st.used_bytes >= s->requested + s->count * HEADER);
    assert_true(st.used_bytes + st.free_bytes <= st.total_bytes);
    assert_true(st.total_bytes - st.used_bytes - st.free_bytes <= st.region_count * 100);
}

/* `steps` random operations, heap_check every `check_every` steps; ends by
 * freeing everything, which must leave one free block per region. */
static void run_stress(uint64_t seed, size_t steps, size_t check_every, size_t capacity)
{
    struct stress s = {.capacity = capacity, .rng = seed};
    s.live = calloc(capacity, sizeof(*s.live));
    assert_non_null(s.live);
    for (size_t step = 1; step <= steps; step++) {
        random_step(&s);
        if (step % check_every == 0) {
            expect_valid();
            expect_stats_match(&s);
        }
    }
    expect_valid();
    while (s.count > 0) {
        struct live_block b = s.live[--s.count];
        assert_true(intact(b.p, b.size, b.id));
        heap_free(&heap, b.p);
    }
    expect_valid();
    struct heap_stats st = stats();
    assert_int_equal(st.free_block_count, st.region_count);
    assert_int_equal(st.used_bytes, 0);
    assert_int_equal(rec.corruptions, 0);
    printf("  seed %llu: %zu steps, %zu regions, %zu grows, %d out-of-memory\n",
           (unsigned long long)seed, steps, st.region_count, (size_t)rec.grows, rec.ooms);
    free(s.live);
}

/* heap_check after every step; a 1 MiB region that fills up at times. */
static void test_stress_checked_every_step(void **state)
{
    (void)state;
    run_stress(0x6b65656c, 20000, 1, 400);
}

/* A 64 KiB region: allocations fail often, and the heap stays sound. */
static void test_stress_small_region(void **state)
{
    (void)state;
    run_stress(99, 20000, 1, 400);
    assert_true(rec.ooms > 100);
}

/* A longer run checked every 1000 steps. */
static void test_stress_long(void **state)
{
    (void)state;
    run_stress(0x1234567887654321ull, 200000, 1000, 300);
}

/* Starting from nothing, growing contiguously page by page. */
static void test_stress_growing_contiguous(void **state)
{
    (void)state;
    rec.grow_budget = 100000;
    run_stress(42, 20000, 1, 400);
    assert_int_equal(stats().region_count, 1);
}

/* Growing by unrelated regions; the arena runs out, so allocations fail too. */
static void test_stress_growing_unrelated(void **state)
{
    (void)state;
    rec.grow_budget = 100000;
    rec.grow_gap = 48;
    run_stress(7, 20000, 1, 400);
    assert_true(stats().region_count > 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_empty_heap_fails_cleanly, setup, teardown),
        cmocka_unit_test(test_no_callbacks),
        cmocka_unit_test_setup_teardown(test_alloc_free_merges_back, setup_64k, teardown),
        cmocka_unit_test_setup_teardown(test_zero_size, setup_64k, teardown),
        cmocka_unit_test_setup_teardown(test_huge_sizes_fail_cleanly, setup_64k, teardown),
        cmocka_unit_test_setup_teardown(test_calloc_zeroes_and_overflows, setup_64k, teardown),
        cmocka_unit_test_setup_teardown(test_alignments, setup_1m, teardown),
        cmocka_unit_test_setup_teardown(test_aligned_gap_is_reused, setup_64k, teardown),
        cmocka_unit_test_setup_teardown(test_odd_tiny_regions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_region_overlap_refused_adjacent_extends, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_grow_contiguous, setup, teardown),
        cmocka_unit_test_setup_teardown(test_grow_unrelated_regions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exhaustion, setup_64k, teardown),
        cmocka_unit_test_setup_teardown(test_realloc_in_place_and_moving, setup_64k, teardown),
        cmocka_unit_test_setup_teardown(test_realloc_failure_keeps_block, setup_64k, teardown),
        cmocka_unit_test_setup_teardown(test_double_free, setup_64k, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_pointers, setup_64k, teardown),
        cmocka_unit_test_setup_teardown(test_overwritten_headers, setup_64k, teardown),
        cmocka_unit_test_setup_teardown(test_write_after_free, setup_64k, teardown),
        cmocka_unit_test_setup_teardown(test_check_notices_damage, setup_64k, teardown),
        cmocka_unit_test_setup_teardown(test_stress_checked_every_step, setup_1m, teardown),
        cmocka_unit_test_setup_teardown(test_stress_small_region, setup_64k, teardown),
        cmocka_unit_test_setup_teardown(test_stress_long, setup_1m, teardown),
        cmocka_unit_test_setup_teardown(test_stress_growing_contiguous, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stress_growing_unrelated, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
