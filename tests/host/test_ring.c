/*
 * test_ring.c - host tests for the single-producer/single-consumer byte ring
 * (lib/ring.c).
 *
 * Expected contents are computed here from the bytes the tests pushed (a
 * simple reference queue of their own), never read back from the ring's
 * internals. The last two tests run producer and consumer on two threads,
 * which is harsher than the kernel's one CPU: there the ordering has to
 * hold between CPUs, not only against the compiler. The second of them
 * waits for ring_free as the drivers do, and must lose nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/ring.h>

static struct byte_ring ring;

static int setup(void **state)
{
    (void)state;
    memset(&ring, 0xA5, sizeof(ring)); /* garbage that ring_init must replace */
    ring_init(&ring);
    return 0;
}

/* A byte pattern that differs between neighbours and between laps, so that
 * reordering or a stale slot shows. */
static uint8_t pattern(uint32_t i)
{
    return (uint8_t)(i * 167u + (i >> 8) * 13u + 1u);
}

static void expect_pop(uint8_t want)
{
    uint8_t got = (uint8_t)~want;
    assert_true(ring_pop(&ring, &got));
    assert_int_equal(got, want);
}

static void expect_empty(void)
{
    uint8_t untouched = 0x5C;
    assert_false(ring_pop(&ring, &untouched));
    assert_int_equal(untouched, 0x5C); /* *out is left alone when empty */
    assert_int_equal(ring_count(&ring), 0);
    assert_int_equal(ring_free(&ring), RING_CAPACITY);
}

static void test_init_is_empty(void **state)
{
    (void)state;
    expect_empty();
    assert_int_equal(ring_dropped(&ring), 0);
}

static void test_push_pop_order(void **state)
{
    (void)state;
    assert_true(ring_push(&ring, 'k'));
    assert_true(ring_push(&ring, 'e'));
    assert_true(ring_push(&ring, 'e'));
    assert_true(ring_push(&ring, 'l'));
    assert_int_equal(ring_count(&ring), 4);
    expect_pop('k');
    expect_pop('e');
    assert_int_equal(ring_count(&ring), 2);
    assert_true(ring_push(&ring, '!'));
    expect_pop('e');
    expect_pop('l');
    expect_pop('!');
    expect_empty();
}

static void test_all_byte_values(void **state)
{
    (void)state;
    for (unsigned v = 0; v < 256; v++)
        assert_true(ring_push(&ring, (uint8_t)v));
    for (unsigned v = 0; v < 256; v++)
        expect_pop((uint8_t)v);
    expect_empty();
}

/* When full, the NEW byte is dropped and counted; queued bytes survive. */
static void test_full_drops_newest(void **state)
{
    (void)state;
    for (uint32_t i = 0; i < RING_CAPACITY; i++)
        assert_true(ring_push(&ring, pattern(i)));
    assert_int_equal(ring_count(&ring), RING_CAPACITY);
    for (uint32_t i = 0; i < 10; i++) {
        assert_false(ring_push(&ring, 0xEE));
        assert_int_equal(ring_dropped(&ring), i + 1);
        assert_int_equal(ring_count(&ring), RING_CAPACITY);
    }
    /* One slot freed: exactly one more byte fits. */
    expect_pop(pattern(0));
    assert_true(ring_push(&ring, 0x42));
    assert_false(ring_push(&ring, 0x43));
    assert_int_equal(ring_dropped(&ring), 11);
    for (uint32_t i = 1; i < RING_CAPACITY; i++)
        expect_pop(pattern(i));
    expect_pop(0x42);
    expect_empty();
    assert_int_equal(ring_dropped(&ring), 11); /* popping does not reset it */
}

/* ring_free says exactly how many pushes succeed: the drivers rely on it
 * to leave a byte in the device rather than have it dropped. */
static void test_free_counts_room(void **state)
{
    (void)state;
    for (uint32_t i = 0; i < RING_CAPACITY; i++) {
        assert_int_equal(ring_free(&ring), RING_CAPACITY - i);
        assert_true(ring_push(&ring, pattern(i)));
    }
    assert_int_equal(ring_free(&ring), 0);
    assert_false(ring_push(&ring, 0xEE));
    assert_int_equal(ring_free(&ring), 0); /* a refused push takes no room */
    expect_pop(pattern(0));
    expect_pop(pattern(1));
    assert_int_equal(ring_free(&ring), 2);
    assert_true(ring_push(&ring, 0x41));
    assert_true(ring_push(&ring, 0x42));
    assert_int_equal(ring_free(&ring), 0);
    assert_int_equal(ring_dropped(&ring), 1);
}

/* Interleaved pushes and pops, starting empty with `dropped` bytes already
 * refused, against a reference queue kept by the test. */
static void run_against_reference(uint32_t rounds, uint32_t dropped)
{
    uint8_t reference[RING_CAPACITY];
    uint32_t ref_head = 0, ref_len = 0, next = 0;
    uint32_t seed = 12345;

    for (uint32_t r = 0; r < rounds; r++) {
        seed = seed * 1103515245u + 12345u;
        unsigned pushes = (seed >> 16) % 7, pops = (seed >> 24) % 7;
        for (unsigned i = 0; i < pushes; i++, next++) {
            bool room = ref_len < RING_CAPACITY;
            assert_int_equal(ring_free(&ring), RING_CAPACITY - ref_len);
            assert_int_equal(ring_push(&ring, pattern(next)), room);
            if (room)
                reference[(ref_head + ref_len++) % RING_CAPACITY] = pattern(next);
            else
                dropped++;
        }
        for (unsigned i = 0; i < pops && ref_len > 0; i++, ref_len--) {
            expect_pop(reference[ref_head]);
            ref_head = (ref_head + 1) % RING_CAPACITY;
        }
        assert_int_equal(ring_count(&ring), ref_len);
        assert_int_equal(ring_dropped(&ring), dropped);
    }
}

/* The indices are free-running: start them just below 2^32 so they wrap
 * during the run, both while the ring is nearly empty and while full. */
static void test_index_overflow(void **state)
{
    (void)state;
    ring.head = ring.tail = UINT32_MAX - 5;
    for (uint32_t i = 0; i < 20; i++) {
        assert_true(ring_push(&ring, pattern(i)));
        expect_pop(pattern(i));
    }
    expect_empty();

    ring.head = ring.tail = UINT32_MAX - 100;
    for (uint32_t i = 0; i < RING_CAPACITY; i++)
        assert_true(ring_push(&ring, pattern(i)));
    assert_int_equal(ring_count(&ring), RING_CAPACITY); /* head has wrapped, tail not */
    assert_false(ring_push(&ring, 0));
    for (uint32_t i = 0; i < RING_CAPACITY; i++)
        expect_pop(pattern(i));
    expect_empty();
    assert_int_equal(ring.head, RING_CAPACITY - 101); /* both wrapped past zero */

    ring.head = ring.tail = UINT32_MAX - 3 * RING_CAPACITY;
    run_against_reference(10000, 1); /* one drop above */
}

/* Many laps around the buffer starting from zero. */
static void test_many_cycles(void **state)
{
    (void)state;
    run_against_reference(200000, 0);
}

/* ------------------------------------------------------- two threads */

#define STRESS_BYTES 4000000u

struct stress {
    bool wait_for_room; /* the producer waits while ring_free is 0, as the drivers do */
    bool *accepted;     /* per pushed byte: did ring_push take it */
    uint32_t rejected;  /* pushes that returned false */
    bool producer_done; /* set (release) after the last push */
    uint8_t *received;  /* bytes popped, in order */
    uint32_t count;     /* how many */
};

static void *producer(void *arg)
{
    struct stress *s = arg;
    for (uint32_t i = 0; i < STRESS_BYTES; i++) {
        while (s->wait_for_room && ring_free(&ring) == 0)
            sched_yield();
        s->accepted[i] = ring_push(&ring, pattern(i));
        if (!s->accepted[i])
            s->rejected++;
        /* Now and then let the consumer catch up, so that the run spends
         * time both full and empty. */
        if (i % 65536 == 0)
            sched_yield();
    }
    __atomic_store_n(&s->producer_done, true, __ATOMIC_RELEASE);
    return NULL;
}

/* The consumer only records what it pops; the main thread matches that
 * against the accepted pushes once both threads have finished. */
static void *consumer(void *arg)
{
    struct stress *s = arg;
    uint8_t b;

    for (;;) {
        if (ring_pop(&ring, &b)) {
            s->received[s->count++] = b;
            continue;
        }
        /* Empty: finished only if the producer was done before this check
         * found the ring empty, so check done, then empty once more. */
        if (__atomic_load_n(&s->producer_done, __ATOMIC_ACQUIRE) && ring_count(&ring) == 0)
            break;
    }
    return NULL;
}

/* Producer and consumer on two threads; returns the bytes dropped. */
static uint32_t run_stress(bool wait_for_room)
{
    struct stress s = {.wait_for_room = wait_for_room};
    pthread_t prod, cons;
    uint32_t next = 0, mismatches = 0;

    s.accepted = calloc(STRESS_BYTES, sizeof(bool));
    s.received = malloc(STRESS_BYTES);
    assert_non_null(s.accepted);
    assert_non_null(s.received);

    assert_int_equal(pthread_create(&cons, NULL, consumer, &s), 0);
    assert_int_equal(pthread_create(&prod, NULL, producer, &s), 0);
    assert_int_equal(pthread_join(prod, NULL), 0);
    assert_int_equal(pthread_join(cons, NULL), 0);

    /* Every accepted byte arrived, in order, and nothing else did. */
    for (uint32_t i = 0; i < STRESS_BYTES; i++) {
        if (!s.accepted[i])
            continue;
        if (next >= s.count || s.received[next] != pattern(i))
            mismatches++;
        next++;
    }
    printf("  %u bytes: %u received, %u dropped\n", STRESS_BYTES, s.count, s.rejected);
    assert_int_equal(mismatches, 0);
    assert_int_equal(s.count, next);
    assert_int_equal(s.count + s.rejected, STRESS_BYTES);
    assert_int_equal(ring_dropped(&ring), s.rejected);
    expect_empty();
    free(s.accepted);
    free(s.received);
    return s.rejected;
}

static void test_two_thread_stress(void **state)
{
    (void)state;
    run_stress(false);
}

/* A producer that asks ring_free first and waits while the ring is full
 * (what the keyboard and serial drivers do by leaving the byte in the
 * device) loses nothing: every byte arrives, in order. */
static void test_two_thread_waiting_producer_loses_nothing(void **state)
{
    (void)state;
    assert_int_equal(run_stress(true), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_init_is_empty, setup),
        cmocka_unit_test_setup(test_push_pop_order, setup),
        cmocka_unit_test_setup(test_all_byte_values, setup),
        cmocka_unit_test_setup(test_full_drops_newest, setup),
        cmocka_unit_test_setup(test_free_counts_room, setup),
        cmocka_unit_test_setup(test_index_overflow, setup),
        cmocka_unit_test_setup(test_many_cycles, setup),
        cmocka_unit_test_setup(test_two_thread_stress, setup),
        cmocka_unit_test_setup(test_two_thread_waiting_producer_loses_nothing, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
