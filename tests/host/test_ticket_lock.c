/*
 * test_ticket_lock.c - host tests for the ticket lock under kernel/spinlock.h
 * (lib/ticket_lock.h), on real threads.
 *
 * Mutual exclusion: 4 pthreads each add 1 to a shared counter 100,000
 * times under the lock, with a read, a pause and a separate write, so that
 * without the lock updates are lost at once; the total must be exact.
 * Waiters yield the host core rather than spin (TICKET_LOCK_WAIT below).
 * FIFO: while the main thread holds the lock, waiters are started one at
 * a time, each only after the previous one has taken its ticket (next
 * counts them); on release they must get the lock in that order. Then the
 * single-threaded contracts: tickets are handed out and served in turn,
 * try-lock takes only a free lock, a forced release frees a lock whose
 * tickets will never be served, and the 32-bit tickets wrap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <string.h>

/* More threads than the host may have cores: a waiter yields its core, so
 * the thread whose ticket is served next gets to run (see the header). */
#define TICKET_LOCK_WAIT() sched_yield()
#include <lib/ticket_lock.h>

#define ADDERS          4
#define ADDS_PER_THREAD 100000
#define WAITERS         5
#define FIFO_ROUNDS     20

static struct ticket_lock lock;

static int setup(void **state)
{
    (void)state;
    memset(&lock, 0xA5, sizeof(lock)); /* garbage that ticket_lock_init must replace */
    ticket_lock_init(&lock);
    return 0;
}

/* ------------------------------------------------- mutual exclusion */

static volatile uint64_t counter;

static void *add_many(void *unused)
{
    (void)unused;
    for (int i = 0; i < ADDS_PER_THREAD; i++) {
        ticket_lock_acquire(&lock);
        uint64_t seen = counter;
        __asm__ volatile("pause"); /* widen the window a missing lock would leave open */
        counter = seen + 1;
        ticket_lock_release(&lock);
    }
    return NULL;
}

static void test_adders_count_exactly(void **state)
{
    (void)state;
    pthread_t adders[ADDERS];
    counter = 0;
    for (int i = 0; i < ADDERS; i++)
        assert_int_equal(pthread_create(&adders[i], NULL, add_many, NULL), 0);
    for (int i = 0; i < ADDERS; i++)
        assert_int_equal(pthread_join(adders[i], NULL), 0);
    assert_int_equal(counter, (uint64_t)ADDERS * ADDS_PER_THREAD);
    assert_false(ticket_lock_is_locked(&lock));
    assert_int_equal(lock.next, ADDERS * ADDS_PER_THREAD); /* one ticket per acquire */
    assert_int_equal(lock.owner, lock.next);
}

/* ------------------------------------------------------------- FIFO */

static int order[WAITERS];
static int served; /* written only under the lock */

static void *wait_and_note(void *arg)
{
    ticket_lock_acquire(&lock);
    order[served++] = (int)(intptr_t)arg;
    ticket_lock_release(&lock);
    return NULL;
}

/* Spin until `tickets` tickets are out (holder plus waiters). */
static void wait_for_tickets(uint32_t tickets)
{
    while (ticket_lock_queued(&lock) != tickets)
        sched_yield();
}

static void test_waiters_get_the_lock_in_ticket_order(void **state)
{
    (void)state;
    for (int round = 0; round < FIFO_ROUNDS; round++) {
        pthread_t waiters[WAITERS];
        served = 0;
        ticket_lock_acquire(&lock);
        for (int i = 0; i < WAITERS; i++) {
            assert_int_equal(pthread_create(&waiters[i], NULL, wait_and_note, (void *)(intptr_t)i),
                             0);
            wait_for_tickets((uint32_t)i + 2); /* the holder, the earlier waiters and this one */
        }
        assert_int_equal(served, 0); /* nobody got past the holder */
        ticket_lock_release(&lock);
        for (int i = 0; i < WAITERS; i++)
            assert_int_equal(pthread_join(waiters[i], NULL), 0);
        assert_int_equal(served, WAITERS);
        for (int i = 0; i < WAITERS; i++)
            assert_int_equal(order[i], i);
        assert_false(ticket_lock_is_locked(&lock));
    }
}

/* ------------------------------------------------- one thread's view */

static void test_tickets_are_served_in_turn(void **state)
{
    (void)state;
    assert_false(ticket_lock_is_locked(&lock));
    assert_int_equal(ticket_lock_acquire(&lock), 0);
    assert_true(ticket_lock_is_locked(&lock));
    assert_int_equal(ticket_lock_queued(&lock), 1);
    ticket_lock_release(&lock); /* hands over to ticket 1 */
    assert_int_equal(lock.owner, 1);
    assert_false(ticket_lock_is_locked(&lock));
    assert_int_equal(ticket_lock_acquire(&lock), 1);
    ticket_lock_release(&lock);
    assert_int_equal(lock.owner, 2);
    assert_int_equal(lock.next, 2);
}

static void test_try_takes_only_a_free_lock(void **state)
{
    (void)state;
    assert_true(ticket_lock_try(&lock));
    assert_true(ticket_lock_is_locked(&lock));
    assert_false(ticket_lock_try(&lock));
    assert_int_equal(ticket_lock_queued(&lock), 1); /* the refusal kept no ticket */
    ticket_lock_release(&lock);
    assert_false(ticket_lock_is_locked(&lock));
    assert_true(ticket_lock_try(&lock));
    ticket_lock_release(&lock);
}

/* A forced release skips the tickets of waiters that will never run (the
 * CPUs a panic stopped): the next acquire gets the lock at once. */
static void test_force_release_frees_a_stuck_lock(void **state)
{
    (void)state;
    ticket_lock_acquire(&lock);
    lock.next += 2; /* two stopped waiters' tickets */
    ticket_lock_force_release(&lock);
    assert_false(ticket_lock_is_locked(&lock));
    assert_int_equal(ticket_lock_acquire(&lock), 3);
    ticket_lock_release(&lock);
    assert_false(ticket_lock_is_locked(&lock));
}

static void test_tickets_wrap(void **state)
{
    (void)state;
    lock.next = lock.owner = UINT32_MAX - 1;
    for (int i = 0; i < 4; i++) {
        assert_false(ticket_lock_is_locked(&lock));
        ticket_lock_acquire(&lock);
        assert_int_equal(ticket_lock_queued(&lock), 1);
        assert_false(ticket_lock_try(&lock));
        ticket_lock_release(&lock);
    }
    assert_int_equal(lock.owner, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_tickets_are_served_in_turn, setup),
        cmocka_unit_test_setup(test_try_takes_only_a_free_lock, setup),
        cmocka_unit_test_setup(test_force_release_frees_a_stuck_lock, setup),
        cmocka_unit_test_setup(test_tickets_wrap, setup),
        cmocka_unit_test_setup(test_adders_count_exactly, setup),
        cmocka_unit_test_setup(test_waiters_get_the_lock_in_ticket_order, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
