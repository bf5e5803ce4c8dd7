/*
 * memmap.c - normalising a raw memory map (see memmap.h).
 *
 * Method: a sweep over the "elementary intervals" of the input. Every region
 * start and end is a boundary; between two neighbouring boundaries the set of
 * covering regions does not change, so the whole interval has one type: the
 * largest (most restrictive) type among the regions covering it. Intervals
 * are produced left to right, so the output comes out sorted, and an interval
 * that touches the previous one with the same type just extends it.
 *
 * Each step scans all regions once to find both the type at the current
 * position and the next boundary, so the cost is O(count^2) time and O(1)
 * space: no allocation, no recursion, no scratch array, and no limit on
 * count. For the ~128 regions a firmware map has, that is ~32k comparisons.
 * The input is only read (the header allows reordering; we do not need it).
 *
 * Ends are exclusive and must fit in 64 bits, so a region reaching past
 * 2^64 - 1 is clipped to end there: the single byte at 0xFFFFFFFFFFFFFFFF can
 * never be described, which costs nothing in practice.
 */
#include <boot/memmap.h>

#include <stdbool.h>

#define ADDRESS_END UINT64_MAX /* exclusive end of the describable address space */
#define NO_TYPE     0          /* "no region covers this interval": below every enum mem_type */

/* Exclusive end of r, clipped so that it does not wrap past 2^64. */
static uint64_t region_end(const struct mem_region *r)
{
    uint64_t room = ADDRESS_END - r->base;
    return r->base + (r->length < room ? r->length : room);
}

/* Types outside the enum come from a confused loader: treat them as reserved,
 * so that memory nobody vouched for is never handed out. */
static unsigned checked_type(enum mem_type type)
{
    if (type < MEM_USABLE || type > MEM_BAD)
        return MEM_RESERVED;
    return type;
}

/* Type of the interval starting at pos (NO_TYPE if uncovered) and, in *next,
 * the smallest boundary above pos. Returns false when there is no such
 * boundary, i.e. pos is at or past the end of every region. */
static bool scan_at(const struct mem_region *regions, size_t count, uint64_t pos, unsigned *type,
                    uint64_t *next)
{
    bool found = false;

    *type = NO_TYPE;
    *next = ADDRESS_END;
    for (size_t i = 0; i < count; i++) {
        uint64_t start = regions[i].base;
        uint64_t end = region_end(&regions[i]);
        if (start >= end)
            continue; /* zero-length (possibly after clipping) */
        if (start <= pos && pos < end) {
            unsigned t = checked_type(regions[i].type);
            if (t > *type)
                *type = t;
        }
        uint64_t boundary = start > pos ? start : end;
        if (boundary > pos && (!found || boundary < *next)) {
            *next = boundary;
            found = true;
        }
    }
    return found;
}

/* Append `r` to out unless it is past capacity; returns the new count. */
static size_t emit(struct mem_region *out, size_t capacity, size_t n, const struct mem_region *r)
{
    if (n < capacity)
        out[n] = *r;
    return n + 1;
}

size_t memmap_normalize(struct mem_region *regions, size_t count, struct mem_region *out,
                        size_t capacity)
{
    struct mem_region pending = {0}; /* grows while intervals touch with equal type */
    bool have_pending = false;
    size_t n = 0;
    uint64_t pos = 0;
    uint64_t next;
    unsigned type;

    while (scan_at(regions, count, pos, &type, &next)) {
        if (type != NO_TYPE) {
            if (have_pending && pending.base + pending.length == pos &&
                (unsigned)pending.type == type) {
                pending.length += next - pos;
            } else {
                if (have_pending)
                    n = emit(out, capacity, n, &pending);
                pending.base = pos;
                pending.length = next - pos;
                pending.type = (enum mem_type)type;
                have_pending = true;
            }
        }
        pos = next;
    }
    if (have_pending)
        n = emit(out, capacity, n, &pending);
    return n;
}
