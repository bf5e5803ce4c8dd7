/*
 * test_heap.c - the kernel heap in the running kernel: kmalloc over mapped
 * frames, growth on demand, reuse of freed memory, clean failure and the
 * panics for frees of pointers the heap does not own.
 */
#include <kernel/ktest.h>
#include <kernel/main.h>
#include <lib/string.h>
#include <mm/kheap.h>
#include <mm/layout.h>
#include <mm/memory.h>

static void check_heap(void)
{
    char why[128];
    if (!kheap_check(why, sizeof(why)))
        ktest_fail(__FILE__, __LINE__, "heap invariant broken: %s", why);
}

KTEST(heap_simple_allocation)
{
    uint64_t *a = kmalloc(sizeof(*a));
    uint64_t *b = kmalloc(sizeof(*b));
    KTEST_CHECK(a != NULL && b != NULL && a != b);
    KTEST_CHECK((uintptr_t)a >= HEAP_BASE && (uintptr_t)a < HEAP_BASE + HEAP_MAX_SIZE);
    KTEST_CHECK_EQ((uintptr_t)a % 16, 0);
    *a = 0x1122334455667788;
    *b = ~*a;
    KTEST_CHECK_EQ(*a, 0x1122334455667788);
    KTEST_CHECK_EQ(*b, ~0x1122334455667788ull);
    kfree(a);
    kfree(b);
    check_heap();
}

KTEST(heap_vector_grows_to_1000)
{
    uint64_t *v = NULL;
    size_t capacity = 0;
    for (uint64_t n = 0; n < 1000; n++) {
        if (n == capacity) {
            capacity = capacity ? capacity * 2 : 1;
            uint64_t *grown = krealloc(v, capacity * sizeof(*v));
            KTEST_CHECK(grown != NULL);
            v = grown;
        }
        v[n] = n * n;
    }
    uint64_t sum = 0;
    for (uint64_t n = 0; n < 1000; n++)
        sum += v[n];
    KTEST_CHECK_EQ(sum, 999ull * 1000 * 1999 / 6); /* sum of n^2 for n < 1000 */
    kfree(v);
    check_heap();
}

/* As many allocations as the heap has bytes, each freed before the next:
 * the same memory is reused, so the heap must not grow at all. */
KTEST(heap_reuses_freed_memory)
{
    struct kheap_stats before, after;
    kheap_get_stats(&before);
    for (size_t i = 0; i < before.mapped_bytes; i++) {
        volatile uint64_t *p = kmalloc(sizeof(*p));
        KTEST_CHECK(p != NULL);
        *p = i;
        kfree((void *)p);
    }
    kheap_get_stats(&after);
    KTEST_CHECK_EQ(after.mapped_bytes, before.mapped_bytes);
    KTEST_CHECK_EQ(after.heap.block_count, before.heap.block_count);
    check_heap();
}

/* One allocation lives through many short-lived ones and keeps its value. */
KTEST(heap_long_lived_among_short_lived)
{
    struct kheap_stats before, after;
    kheap_get_stats(&before);
    uint64_t *long_lived = kmalloc(sizeof(*long_lived));
    KTEST_CHECK(long_lived != NULL);
    *long_lived = 1;
    for (size_t i = 0; i < before.mapped_bytes; i++) {
        uint64_t *p = kmalloc(sizeof(*p));
        KTEST_CHECK(p != NULL);
        *p = i;
        kfree(p);
    }
    KTEST_CHECK_EQ(*long_lived, 1);
    kfree(long_lived);
    kheap_get_stats(&after);
    KTEST_CHECK_EQ(after.mapped_bytes, before.mapped_bytes);
    check_heap();
}

/* More than the initial mapping: the heap maps new frames, and the memory
 * is real (written and read back through every page). */
KTEST(heap_grows_on_demand)
{
    struct kheap_stats before, after;
    struct frame_stats frames_before, frames_after;
    kheap_get_stats(&before);
    frame_get_stats(kernel_frames(), &frames_before);
    size_t size = before.mapped_bytes + (4u << 20);
    uint8_t *big = kmalloc(size);
    KTEST_CHECK(big != NULL);
    kheap_get_stats(&after);
    frame_get_stats(kernel_frames(), &frames_after);
    KTEST_CHECK(after.mapped_bytes >= before.mapped_bytes + (4u << 20));
    KTEST_CHECK(frames_before.free - frames_after.free >=
                (after.mapped_bytes - before.mapped_bytes) / PAGE_SIZE);
    for (size_t i = 0; i < size; i += PAGE_SIZE)
        big[i] = (uint8_t)(i >> 12);
    for (size_t i = 0; i < size; i += PAGE_SIZE)
        KTEST_CHECK_EQ(big[i], (uint8_t)(i >> 12));
    kfree(big);
    check_heap();
}

KTEST(heap_mixed_sizes_and_alignments)
{
    void *blocks[64];
    for (unsigned i = 0; i < 64; i++) {
        size_t align = (size_t)1 << (i % 13); /* 1 .. 4096 */
        blocks[i] = kmalloc_aligned(1 + i * 37, align);
        KTEST_CHECK(blocks[i] != NULL);
        KTEST_CHECK_EQ((uintptr_t)blocks[i] % align, 0);
        memset(blocks[i], (int)i, 1 + i * 37);
    }
    for (unsigned i = 0; i < 64; i += 2)
        kfree(blocks[i]);
    for (unsigned i = 1; i < 64; i += 2) {
        const uint8_t *b = blocks[i];
        for (size_t j = 0; j < 1 + i * 37; j++)
            KTEST_CHECK_EQ(b[j], i);
        kfree(blocks[i]);
    }
    uint32_t *zeroed = kcalloc(1000, sizeof(*zeroed));
    KTEST_CHECK(zeroed != NULL);
    for (unsigned i = 0; i < 1000; i++)
        KTEST_CHECK_EQ(zeroed[i], 0);
    kfree(zeroed);
    check_heap();
}

/* Requests that cannot be met return NULL, are counted, and leave the heap
 * usable. */
KTEST(heap_exhaustion_returns_null)
{
    struct kheap_stats before, after;
    kheap_get_stats(&before);
    KTEST_CHECK(kmalloc((size_t)1 << 40) == NULL);   /* more than all RAM */
    KTEST_CHECK(kmalloc(HEAP_MAX_SIZE * 2) == NULL); /* more than the heap's address space */
    KTEST_CHECK(kcalloc(SIZE_MAX / 2, 4) == NULL);   /* n * size overflows */
    void *p = kmalloc(64);
    KTEST_CHECK(p != NULL);
    KTEST_CHECK(krealloc(p, (size_t)1 << 40) == NULL);
    kfree(p); /* still valid after the failed krealloc */
    kheap_get_stats(&after);
    KTEST_CHECK_EQ(after.failed_allocs, before.failed_allocs + 4);
    KTEST_CHECK_EQ(after.mapped_bytes, before.mapped_bytes);
    check_heap();
}

KTEST_SHOULD_PANIC(heap_double_free_panics, "KERNEL PANIC|heap: |at 0xffffc")
{
    void *p = kmalloc(32);
    kfree(p);
    kfree(p);
}

KTEST_SHOULD_PANIC(heap_free_of_foreign_pointer_panics, "KERNEL PANIC|heap: ")
{
    static uint64_t not_from_the_heap[4];
    kfree(&not_from_the_heap[2]);
}
