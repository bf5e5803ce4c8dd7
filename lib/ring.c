/*
 * ring.c - single-producer/single-consumer byte ring (see ring.h).
 *
 * Why the ordering matters on one CPU: the IRQ handler (producer) can
 * interrupt the main loop (consumer) between any two of its instructions,
 * and the CPU itself keeps program order as seen from the same core. The
 * danger is the compiler, which may reorder or merge plain memory accesses
 * as long as a single thread could not tell. So:
 *
 *  - push writes the slot, then publishes head with a release store: the
 *    compiler may not sink the slot write below the head update, so a
 *    consumer that sees the new head also sees the byte.
 *  - pop reads head with an acquire load before reading the slot: the slot
 *    read may not be hoisted above it, so it never reads a slot before the
 *    producer's byte is there.
 *  - pop reads the slot, then publishes tail with a release store: the slot
 *    read may not sink below it, otherwise a producer seeing the freed slot
 *    could overwrite the byte before the consumer had read it.
 *  - push reads tail with an acquire load, pairing with that release.
 *
 * On x86 these acquire loads and release stores are plain MOVs plus a
 * compiler barrier, so the interrupt path costs nothing extra; on the host,
 * where the tests run the two sides on two CPUs, the same builtins give the
 * cross-CPU ordering as well. Each side reads its own index relaxed, since
 * only it ever writes it.
 */
#include <lib/ring.h>

#define RING_MASK (RING_CAPACITY - 1)

void ring_init(struct byte_ring *r)
{
    __atomic_store_n(&r->head, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&r->tail, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&r->dropped, 0, __ATOMIC_RELAXED);
}

bool ring_push(struct byte_ring *r, uint8_t byte)
{
    uint32_t head = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
    uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);

    if (head - tail >= RING_CAPACITY) {
        /* Only the producer writes `dropped`, so load-add-store cannot lose
         * an increment; no atomic read-modify-write is needed. */
        uint32_t dropped = __atomic_load_n(&r->dropped, __ATOMIC_RELAXED);
        __atomic_store_n(&r->dropped, dropped + 1, __ATOMIC_RELAXED);
        return false;
    }
    r->data[head & RING_MASK] = byte;
    __atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
    return true;
}

bool ring_pop(struct byte_ring *r, uint8_t *out)
{
    uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
    uint32_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);

    if (head == tail)
        return false;
    *out = r->data[tail & RING_MASK];
    __atomic_store_n(&r->tail, tail + 1, __ATOMIC_RELEASE);
    return true;
}

uint32_t ring_count(const struct byte_ring *r)
{
    /* Tail first: head only grows, so a head read afterwards is at least as
     * new and the difference can never come out "negative" (huge). */
    uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
    uint32_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
    return head - tail;
}

uint32_t ring_free(const struct byte_ring *r)
{
    return RING_CAPACITY - ring_count(r);
}

uint32_t ring_dropped(const struct byte_ring *r)
{
    return __atomic_load_n(&r->dropped, __ATOMIC_RELAXED);
}
