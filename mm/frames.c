/*
 * frames.c - physical frames: ranges of untouched frames plus a free list.
 *
 * See frames.h. The untouched ranges are the usable parts of the memory map
 * after exclusions, page-aligned inwards and sorted; frame_alloc takes the
 * lowest frame of the first non-empty range (O(1): a range is only ever
 * passed over once it is empty) unless a freed frame is waiting on the free
 * list, which is a stack linked through the first 8 bytes of each free
 * frame.
 */
#include <lib/errno.h>
#include <mm/frames.h>

#define FIRST_MANAGED_BYTE 0x100000ull /* the first MiB stays with the BIOS and the loader */

static uint64_t align_up(uint64_t value, uint64_t align)
{
    return (value + align - 1) & ~(align - 1);
}

static uint64_t align_down(uint64_t value, uint64_t align)
{
    return value & ~(align - 1);
}

/* Insert [start, end) into the sorted range list; false when it is full. */
static bool add_range(struct frame_allocator *fa, uint64_t start, uint64_t end)
{
    if (fa->range_count == FRAME_MAX_RANGES)
        return false;
    size_t i = fa->range_count;
    while (i > 0 && fa->untouched[i - 1].start > start) {
        fa->untouched[i] = fa->untouched[i - 1];
        i--;
    }
    fa->untouched[i] = (struct phys_range){start, end};
    fa->range_count++;
    return true;
}

/* Add [start, end) minus every excluded range (recursively splitting);
 * returns the number of frames that did not fit. */
static uint64_t add_without(struct frame_allocator *fa, uint64_t start, uint64_t end,
                            const struct phys_range *excluded, size_t excluded_count)
{
    for (size_t i = 0; i < excluded_count; i++) {
        const struct phys_range *x = &excluded[i];
        if (x->end <= start || x->start >= end)
            continue;
        uint64_t lost = 0;
        if (x->start > start)
            lost += add_without(fa, start, x->start, excluded + i + 1, excluded_count - i - 1);
        if (x->end < end)
            lost += add_without(fa, x->end, end, excluded + i + 1, excluded_count - i - 1);
        return lost;
    }
    end = align_down(end, PAGE_SIZE);
    if (start >= end) /* also keeps align_up from wrapping past 2^64 */
        return 0;
    start = align_up(start, PAGE_SIZE);
    if (start >= end)
        return 0;
    if (!add_range(fa, start, end))
        return (end - start) / PAGE_SIZE;
    fa->total_frames += (end - start) / PAGE_SIZE;
    return 0;
}

uint64_t frames_init(struct frame_allocator *fa, const struct boot_info *info,
                     const struct phys_range *excluded, size_t excluded_count,
                     void *(*phys_to_virt)(uint64_t phys))
{
    *fa = (struct frame_allocator){.phys_to_virt = phys_to_virt};
    uint64_t lost = 0;
    for (size_t i = 0; i < info->region_count; i++) {
        const struct mem_region *r = &info->regions[i];
        if (r->type != MEM_USABLE)
            continue;
        uint64_t start = r->base < FIRST_MANAGED_BYTE ? FIRST_MANAGED_BYTE : r->base;
        uint64_t end = r->base + r->length;
        if (start < end)
            lost += add_without(fa, start, end, excluded, excluded_count);
    }
    fa->free_frames = fa->total_frames;
    for (size_t i = 0; i < fa->range_count; i++)
        fa->managed[i] = fa->untouched[i];
    fa->managed_count = fa->range_count;
    return lost;
}

int frame_alloc(struct frame_allocator *fa, uint64_t *phys)
{
    if (fa->free_list) {
        *phys = fa->free_list;
        fa->free_list = *(const uint64_t *)fa->phys_to_virt(fa->free_list);
        fa->free_frames--;
        return 0;
    }
    while (fa->first_range < fa->range_count) {
        struct phys_range *r = &fa->untouched[fa->first_range];
        if (r->start < r->end) {
            *phys = r->start;
            r->start += PAGE_SIZE;
            fa->free_frames--;
            return 0;
        }
        fa->first_range++;
    }
    return -ENOMEM;
}

static bool is_managed(const struct frame_allocator *fa, uint64_t phys)
{
    for (size_t i = 0; i < fa->managed_count; i++)
        if (phys >= fa->managed[i].start && phys < fa->managed[i].end)
            return true;
    return false;
}

int frame_free(struct frame_allocator *fa, uint64_t phys)
{
    if (phys % PAGE_SIZE != 0 || !is_managed(fa, phys))
        return -EINVAL;
    *(uint64_t *)fa->phys_to_virt(phys) = fa->free_list;
    fa->free_list = phys;
    fa->free_frames++;
    return 0;
}

int frame_alloc_contiguous(struct frame_allocator *fa, uint64_t count, uint64_t align,
                           uint64_t *phys)
{
    if (count == 0 || align < PAGE_SIZE || (align & (align - 1)) != 0)
        return -EINVAL;
    for (size_t i = fa->first_range; i < fa->range_count; i++) {
        struct phys_range *r = &fa->untouched[i];
        uint64_t start = align_up(r->start, align);
        if (start < r->start || start >= r->end || (r->end - start) / PAGE_SIZE < count)
            continue;
        for (uint64_t skipped = r->start; skipped < start; skipped += PAGE_SIZE) {
            *(uint64_t *)fa->phys_to_virt(skipped) = fa->free_list; /* still free: keep them */
            fa->free_list = skipped;
        }
        r->start = start + count * PAGE_SIZE;
        fa->free_frames -= count;
        *phys = start;
        return 0;
    }
    return -ENOMEM;
}

void frame_get_stats(const struct frame_allocator *fa, struct frame_stats *stats)
{
    stats->total = fa->total_frames;
    stats->free = fa->free_frames;
    stats->used = fa->total_frames - fa->free_frames;
}
