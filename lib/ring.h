/*
 * ring.h - a fixed-size byte queue from an interrupt handler to the main loop.
 *
 * Single producer (the keyboard IRQ handler pushes scancodes), single consumer
 * (the main loop pops them), no locks and no allocation. The producer only
 * ever writes `head` and the slots it fills; the consumer only ever writes
 * `tail`. So neither side needs to exclude the other, only to publish its
 * index after its slot access (see ring.c for the ordering), on one CPU or
 * two. Several producers or several consumers must take turns under a lock
 * of their own (the drivers and kernel/input.c each hold one).
 *
 * head and tail are free-running counters: slot = index & (RING_CAPACITY - 1),
 * the number of queued bytes is head - tail (unsigned arithmetic, correct
 * across the 2^32 wrap because the capacity divides 2^32), empty is
 * head == tail and full is head - tail == RING_CAPACITY. Any equal pair of
 * indices is a valid empty ring, which lets tests start near UINT32_MAX.
 *
 * When full, a push drops the NEW byte and counts it in `dropped`: bytes
 * already queued are never overwritten, so the consumer sees an in-order
 * prefix of the stream plus a count of what was lost. The drivers never let
 * it come to that: they ask ring_free first and, when the ring is full,
 * leave the byte in the device until the consumer has made room, so
 * `dropped` is a diagnostic that should stay 0.
 */
#ifndef KEEL_LIB_RING_H
#define KEEL_LIB_RING_H

#include <stdbool.h>
#include <stdint.h>

/* A power of two, so that masking maps the free-running indices to slots.
 * The UART can be held back, so for serial input the size only sets how
 * often that happens (a 200-line paste under QEMU: 17 times with 256
 * bytes, 0 to 3 with 4 KiB, in the same time). A keyboard cannot be made
 * to wait for long (its own buffer is about 16 bytes), so for it the ring
 * is what absorbs a burst: 4 KiB is a thousand key presses with Shift. */
#define RING_CAPACITY 4096u

_Static_assert((RING_CAPACITY & (RING_CAPACITY - 1)) == 0, "RING_CAPACITY must be a power of 2");

struct byte_ring {
    uint8_t data[RING_CAPACITY];
    /* volatile: shared with an interrupt handler, not hardware. Every access
     * in ring.c is an __atomic load or store anyway; volatile keeps a caller
     * that peeks at a field directly from reading a stale register copy. */
    volatile uint32_t head;    /* next slot to fill; written only by the producer */
    volatile uint32_t tail;    /* next slot to read; written only by the consumer */
    volatile uint32_t dropped; /* pushes refused because the ring was full; producer-owned */
};

/* Empty the ring and zero the drop count. Not safe while either side runs. */
void ring_init(struct byte_ring *r);
/* Producer: queue byte. Returns false, and counts the byte as dropped,
 * when the ring is full; queued bytes are never overwritten. */
bool ring_push(struct byte_ring *r, uint8_t byte);
/* Consumer: take the oldest byte into *out. Returns false, leaving *out
 * untouched, when the ring is empty. */
bool ring_pop(struct byte_ring *r, uint8_t *out);
/* Bytes queued now (0 .. RING_CAPACITY); a snapshot if the other side runs. */
uint32_t ring_count(const struct byte_ring *r);
/* Bytes that can be pushed now without a drop (RING_CAPACITY - ring_count).
 * Exact for the producer: the consumer can only make more room meanwhile. */
uint32_t ring_free(const struct byte_ring *r);
/* Bytes refused since ring_init (wraps at 2^32). */
uint32_t ring_dropped(const struct byte_ring *r);

#endif
