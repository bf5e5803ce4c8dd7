/*
 * fuzz_heap.c - libFuzzer target for the kernel heap (mm/heap/heap.c).
 *
 * Build and run (clang only; libFuzzer supplies main):
 *   make build/fuzz/fuzz_heap && build/fuzz/fuzz_heap -max_total_time=60
 *
 * The first input byte picks the setting: the region's size and its start
 * offset (any alignment), and whether the heap may grow, contiguously or by
 * unrelated regions. The rest is a sequence of operations: allocate (plain,
 * aligned, zeroed), free, resize, and the two misuses the heap must always
 * catch without harm: an immediate double free and a misaligned pointer.
 * Each region is a malloc'ed buffer of exactly its size, so ASan traps any
 * write outside it. After every operation heap_check must pass; each live
 * block carries a pattern from its id, checked before it is freed or
 * resized and in a final sweep; a new block must not overlap a live one;
 * the statistics must match the live count.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mm/heap/heap.h>
#include <mm/paging.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

#define MAX_LIVE    256
#define MAX_REGIONS 64
#define GROW_CHUNK  PAGE_SIZE    /* growth comes in pages, as in the kernel */
#define GROW_ARENA  (256u << 10) /* contiguous growth: room after the first region */

struct live {
    uint8_t *p;
    size_t size;
    uint32_t id;
};

struct run {
    struct heap heap;
    struct live live[MAX_LIVE];
    size_t count;
    uint32_t next_id;
    int corruptions;
    const char *what;
    void *regions[MAX_REGIONS]; /* every buffer handed to the heap, to free at the end */
    size_t region_count;
    bool may_grow, contiguous;
    uint8_t *grow_arena; /* contiguous growth hands out consecutive chunks of this */
    size_t grow_used, grow_size;
};

static uint8_t pattern(uint32_t id, size_t i)
{
    return (uint8_t)(id * 131u + i * 7u + 1u);
}

static bool intact(const struct live *b)
{
    for (size_t i = 0; i < b->size; i++)
        if (b->p[i] != pattern(b->id, i))
            return false;
    return true;
}

static size_t grow(void *ctx, size_t min_bytes, void **start)
{
    struct run *r = ctx;
    size_t bytes = (min_bytes + GROW_CHUNK - 1) / GROW_CHUNK * GROW_CHUNK;

    if (!r->may_grow || bytes > GROW_ARENA)
        return 0;
    if (r->contiguous) {
        if (r->grow_used + bytes > r->grow_size)
            return 0;
        *start = r->grow_arena + r->grow_used;
        r->grow_used += bytes;
        return bytes;
    }
    if (r->region_count == MAX_REGIONS)
        return 0;
    *start = r->regions[r->region_count++] = malloc(bytes);
    return *start ? bytes : 0;
}

static void corruption(void *ctx, const char *what, const void *address)
{
    struct run *r = ctx;
    (void)address;
    r->corruptions++;
    r->what = what;
}

static void expect_sound(struct run *r)
{
    struct heap_stats s;
    CHECK(heap_check(&r->heap, NULL, 0));
    heap_get_stats(&r->heap, &s);
    CHECK(s.block_count == r->count);
    CHECK(s.used_bytes + s.free_bytes <= s.total_bytes);
    CHECK(r->corruptions == 0);
}

static void add_live(struct run *r, uint8_t *p, size_t size, uint32_t id, bool fresh)
{
    CHECK(((uintptr_t)p & (HEAP_ALIGN - 1)) == 0);
    for (size_t i = 0; i < r->count; i++) {
        const struct live *b = &r->live[i];
        CHECK(p + (size ? size : 1) <= b->p || b->p + (b->size ? b->size : 1) <= p);
    }
    if (fresh)
        for (size_t i = 0; i < size; i++)
            p[i] = pattern(id, i);
    r->live[r->count++] = (struct live){p, size, id};
}

static size_t take(const uint8_t **data, size_t *size)
{
    if (*size == 0)
        return 0;
    (*size)--;
    return *(*data)++;
}

static size_t take_size(const uint8_t **data, size_t *size)
{
    size_t low = take(data, size), high = take(data, size);
    return (high << 8 | low) >> (high >> 6) * 2; /* biased towards small sizes */
}

static void op_alloc(struct run *r, unsigned kind, const uint8_t **data, size_t *size)
{
    size_t bytes = take_size(data, size);
    size_t align = (size_t)1 << (take(data, size) % 13);
    uint8_t *p;

    if (r->count == MAX_LIVE)
        return;
    if (kind == 0) {
        p = heap_alloc(&r->heap, bytes);
    } else if (kind == 1) {
        p = heap_alloc_aligned(&r->heap, bytes, align);
        CHECK(!p || ((uintptr_t)p & (align - 1)) == 0);
    } else {
        size_t n = align;
        bytes /= n;
        p = heap_calloc(&r->heap, n, bytes);
        bytes *= n;
        for (size_t i = 0; p && i < bytes; i++)
            CHECK(p[i] == 0);
    }
    if (p)
        add_live(r, p, bytes, r->next_id++, true);
}

static void op_free(struct run *r, const uint8_t **data, size_t *size, bool twice)
{
    if (r->count == 0)
        return;
    size_t i = take(data, size) % r->count;
    struct live b = r->live[i];
    CHECK(intact(&b));
    r->live[i] = r->live[--r->count];
    heap_free(&r->heap, b.p);
    if (twice) {
        heap_free(&r->heap, b.p);
        CHECK(r->corruptions == 1 && strcmp(r->what, "double free") == 0);
        r->corruptions = 0;
    }
}

static void op_realloc(struct run *r, const uint8_t **data, size_t *size)
{
    if (r->count == 0)
        return;
    size_t i = take(data, size) % r->count;
    size_t bytes = take_size(data, size);
    struct live b = r->live[i];
    CHECK(intact(&b));
    uint8_t *q = heap_realloc(&r->heap, b.p, bytes);
    if (!q) {
        CHECK(intact(&b));
        return;
    }
    r->live[i] = r->live[--r->count];
    struct live kept = {q, bytes < b.size ? bytes : b.size, b.id};
    CHECK(intact(&kept));
    add_live(r, q, bytes, r->next_id++, true);
}

static void op_misaligned(struct run *r, const uint8_t **data, size_t *size)
{
    if (r->count == 0)
        return;
    struct live *b = &r->live[take(data, size) % r->count];
    size_t offset = 1 + take(data, size) % (HEAP_ALIGN - 1);
    heap_free(&r->heap, b->p + offset);
    CHECK(r->corruptions == 1 && strcmp(r->what, "pointer not from this heap") == 0);
    r->corruptions = 0;
    CHECK(intact(b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t region_sizes[] = {96, 1000, 8192, 65536};
    struct run *r = calloc(1, sizeof(*r));
    unsigned setting = (unsigned)take(&data, &size);
    size_t offset = setting >> 4, bytes = region_sizes[setting & 3];
    struct heap_ops ops = {.ctx = r, .grow = grow, .corruption = corruption};

    r->may_grow = setting & 4;
    r->contiguous = setting & 8;
    heap_init(&r->heap, &ops);
    /* The contiguous case: the first region is the start of the growth arena. */
    r->grow_size = offset + bytes + (r->contiguous ? GROW_ARENA : 0);
    r->grow_arena = r->regions[r->region_count++] = malloc(r->grow_size);
    r->grow_used = offset + bytes;
    CHECK(heap_add_region(&r->heap, r->grow_arena + offset, bytes));
    expect_sound(r);

    while (size > 0) {
        unsigned op = (unsigned)take(&data, &size) % 8;
        if (op < 3)
            op_alloc(r, op, &data, &size);
        else if (op < 5)
            op_free(r, &data, &size, false);
        else if (op == 5)
            op_realloc(r, &data, &size);
        else if (op == 6)
            op_free(r, &data, &size, true);
        else
            op_misaligned(r, &data, &size);
        expect_sound(r);
    }

    for (size_t i = 0; i < r->count; i++) {
        CHECK(intact(&r->live[i]));
        heap_free(&r->heap, r->live[i].p);
    }
    r->count = 0;
    expect_sound(r);
    struct heap_stats s;
    heap_get_stats(&r->heap, &s);
    CHECK(s.used_bytes == 0 && s.free_block_count == s.region_count);
    for (size_t i = 0; i < r->region_count; i++)
        free(r->regions[i]);
    free(r);
    return 0;
}
