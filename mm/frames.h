/*
 * frames.h - the physical frame allocator: every usable 4 KiB frame.
 *
 * Frames come from the usable regions of struct boot_info's memory map,
 * minus the first MiB, the kernel image and whatever else the caller
 * excludes. Allocation and freeing of single frames are O(1): freed frames
 * form a list linked through the frames themselves, and frames never
 * handed out yet are taken from the front of their region (so nothing has
 * to be written to a frame before it is first used, and allocation order
 * is ascending, which early boot relies on). The allocator reaches frame
 * contents only through `phys_to_virt`, so host tests run it on a
 * simulated memory map.
 */
#ifndef KEEL_MM_FRAMES_H
#define KEEL_MM_FRAMES_H

#include <boot/boot_info.h>
#include <mm/paging.h> /* PAGE_SIZE: a frame is one page */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_MAX_RANGES 64

struct phys_range {
    uint64_t start; /* first byte */
    uint64_t end;   /* one past the last byte */
};

struct frame_stats {
    uint64_t total; /* frames managed */
    uint64_t free;
    uint64_t used; /* total - free */
};

struct frame_allocator {
    struct phys_range untouched[FRAME_MAX_RANGES]; /* never handed out, ascending */
    size_t range_count;
    size_t first_range; /* ranges before it are used up */
    uint64_t free_list; /* physical address of the first freed frame; 0 = none */
    uint64_t total_frames;
    uint64_t free_frames;
    struct phys_range managed[FRAME_MAX_RANGES]; /* every range handed to init, for checks */
    size_t managed_count;
    void *(*phys_to_virt)(uint64_t phys); /* to read and write free-list links */
};

/* Build the allocator from the usable regions of info's map, without the
 * first MiB and without the `excluded` ranges (kernel image, loader data).
 * Regions that do not fit into FRAME_MAX_RANGES are left out and counted:
 * the return value is the number of frames so lost (0 normally). */
uint64_t frames_init(struct frame_allocator *fa, const struct boot_info *info,
                     const struct phys_range *excluded, size_t excluded_count,
                     void *(*phys_to_virt)(uint64_t phys));
/* One frame, or -ENOMEM. */
int frame_alloc(struct frame_allocator *fa, uint64_t *phys);
/* `count` physically contiguous frames starting at a multiple of `align`
 * bytes (a power of two >= PAGE_SIZE), from the never-used ranges; frames
 * skipped for alignment go to the free list. -ENOMEM or -EINVAL. */
int frame_alloc_contiguous(struct frame_allocator *fa, uint64_t count, uint64_t align,
                           uint64_t *phys);
/* Give a frame back. -EINVAL (and nothing changes) if it is not a
 * frame-aligned address inside the managed ranges. */
int frame_free(struct frame_allocator *fa, uint64_t phys);
void frame_get_stats(const struct frame_allocator *fa, struct frame_stats *stats);

#endif
