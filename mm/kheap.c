/*
 * kheap.c - the kernel heap: mm/heap/heap.c over a region that grows by mapping
 * frames, behind a spinlock. See kheap.h.
 */
#include <kernel/console.h>
#include <kernel/panic.h>
#include <kernel/spinlock.h>
#include <mm/kheap.h>
#include <mm/layout.h>
#include <mm/memory.h>

static struct heap heap;
static struct spinlock heap_lock = SPINLOCK_INIT("heap_lock");
static size_t mapped_bytes; /* HEAP_BASE .. HEAP_BASE + mapped_bytes is mapped */
static size_t failed_allocs;

/* Map at least min_bytes more right after what is mapped: in steps of
 * KHEAP_GROW_MIN, but only as much as the request needs when memory is
 * short. Returns the bytes mapped, 0 if the frames or the address space
 * (HEAP_MAX_SIZE) run out. */
static size_t grow(void *ctx, size_t min_bytes, void **region_start)
{
    (void)ctx;
    uint64_t needed = (min_bytes + PAGE_SIZE - 1) / PAGE_SIZE;
    uint64_t wanted = needed < KHEAP_GROW_MIN / PAGE_SIZE ? KHEAP_GROW_MIN / PAGE_SIZE : needed;
    uint64_t room = (HEAP_MAX_SIZE - mapped_bytes) / PAGE_SIZE;
    struct frame_stats frames;
    frame_get_stats(kernel_frames(), &frames);
    if (needed > room || needed > frames.free)
        return 0; /* cannot succeed: do not map and unmap half of RAM to find out */
    if (wanted > room)
        wanted = room;
    uint64_t start = HEAP_BASE + mapped_bytes;
    if (memory_map_new_pages(start, wanted) != 0) {
        wanted = needed;
        if (memory_map_new_pages(start, wanted) != 0)
            return 0;
    }
    mapped_bytes += wanted * PAGE_SIZE;
    *region_start = (void *)(uintptr_t)start;
    return wanted * PAGE_SIZE;
}

static void corruption(void *ctx, const char *what, const void *address)
{
    (void)ctx;
    panic("heap: %s at %p", what, address);
}

static void out_of_memory(void *ctx, size_t request)
{
    (void)ctx;
    failed_allocs++;
    if (request == SIZE_MAX)
        kprintf("kmalloc: out of memory: kcalloc size overflows\n");
    else
        kprintf("kmalloc: out of memory: %zu bytes requested, %zu KiB mapped\n", request,
                mapped_bytes >> 10);
}

void kheap_init(void)
{
    const struct heap_ops ops = {NULL, grow, corruption, out_of_memory};
    heap_init(&heap, &ops);
    void *start;
    size_t bytes = grow(NULL, KHEAP_INITIAL_SIZE, &start);
    if (bytes == 0 || !heap_add_region(&heap, start, bytes))
        panic("no memory for the kernel heap (%u KiB)", KHEAP_INITIAL_SIZE >> 10);
}

void *kmalloc(size_t size)
{
    uint64_t flags = spin_lock_irqsave(&heap_lock);
    void *p = heap_alloc(&heap, size);
    spin_unlock_irqrestore(&heap_lock, flags);
    return p;
}

void *kmalloc_aligned(size_t size, size_t align)
{
    uint64_t flags = spin_lock_irqsave(&heap_lock);
    void *p = heap_alloc_aligned(&heap, size, align);
    spin_unlock_irqrestore(&heap_lock, flags);
    return p;
}

void *kcalloc(size_t n, size_t size)
{
    uint64_t flags = spin_lock_irqsave(&heap_lock);
    void *p = heap_calloc(&heap, n, size);
    spin_unlock_irqrestore(&heap_lock, flags);
    return p;
}

void *krealloc(void *p, size_t size)
{
    uint64_t flags = spin_lock_irqsave(&heap_lock);
    void *q = heap_realloc(&heap, p, size);
    spin_unlock_irqrestore(&heap_lock, flags);
    return q;
}

void kfree(void *p)
{
    uint64_t flags = spin_lock_irqsave(&heap_lock);
    heap_free(&heap, p);
    spin_unlock_irqrestore(&heap_lock, flags);
}

void kheap_get_stats(struct kheap_stats *stats)
{
    uint64_t flags = spin_lock_irqsave(&heap_lock);
    heap_get_stats(&heap, &stats->heap);
    stats->mapped_bytes = mapped_bytes;
    stats->failed_allocs = failed_allocs;
    spin_unlock_irqrestore(&heap_lock, flags);
}

bool kheap_check(char *why, size_t why_len)
{
    uint64_t flags = spin_lock_irqsave(&heap_lock);
    bool ok = heap_check(&heap, why, why_len);
    spin_unlock_irqrestore(&heap_lock, flags);
    return ok;
}
