/*
 * test_random.h - the host tests' random numbers: xorshift64 (Marsaglia)
 * from a fixed seed, so a failing randomized run is the same run on every
 * host and every time. Each test program gets its own state.
 */
#ifndef KEEL_TESTS_HOST_TEST_RANDOM_H
#define KEEL_TESTS_HOST_TEST_RANDOM_H

#include <stdint.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static inline uint64_t rng_next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Uniform enough in [0, n) for tests; n > 0. */
static inline uint64_t rng_below(uint64_t n)
{
    return rng_next() % n;
}

#endif
