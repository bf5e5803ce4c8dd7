/*
 * memmap.h - normalising a raw memory map.
 *
 * Loaders report regions unsorted, overlapping and split into pieces.
 * memmap_normalize() rewrites such a list into the canonical form that
 * struct boot_info promises (see boot_info.h).
 */
#ifndef KEEL_BOOT_MEMMAP_H
#define KEEL_BOOT_MEMMAP_H

#include <boot/boot_info.h>

/*
 * Normalise regions[0..count) into out[0..capacity): sorted by base, no
 * overlaps (an overlap takes the more restrictive, i.e. larger, type),
 * touching regions of equal type merged, zero-length regions dropped.
 * Returns the number of regions the result needs; when that exceeds
 * capacity, only the first `capacity` are written. `regions` may be
 * reordered. Regions that extend past 2^64 are clipped at 2^64 - 1.
 */
size_t memmap_normalize(struct mem_region *regions, size_t count, struct mem_region *out,
                        size_t capacity);

#endif
