/*
 * bench_heap.c - host benchmark of the kernel heap (mm/heap/heap.c) against the
 * host's libc malloc.
 *
 * Default mode prints `name: value` lines on stdout (progress on stderr):
 *  - Random actions, by the method published with the talc allocator
 *    (benches/src/random_actions.rs): each action is, with odds 1/7 a
 *    realloc of a random live block to uniform(1, 3 * max) bytes, 3/7 an
 *    allocation, 3/7 a free of a random live block (always an allocation
 *    while fewer than 300 are live). Sizes are uniform(4, uniform(16, max)),
 *    alignment 8 << (trailing zeros of a random 16-bit number / 2): 8 for 75%,
 *    16 for 19%, 32 for 4%, ... up to 2048. Score: successful actions in
 *    200 ms, the mean of TRIALS runs (Keel and libc alternating), each after
 *    a short warm-up, each on a fresh heap over a 256 MiB region touched
 *    beforehand.
 *      heap_random_actions_max<M>_keel, _libc, _ratio (keel / libc)
 *  - Heap efficiency, by talc's method (benches/src/heap_efficiency.rs):
 *    on a fresh heap, allocate (5/10: size as above with max 10000), free
 *    (1/10) and realloc (4/10, to uniform(1, 100000)) until the first
 *    failure; efficiency = live requested bytes / region bytes, over
 *    EFFICIENCY_TRIALS heaps. The region is talc's 128 MiB (its HEAP_SIZE,
 *    the size behind the published figures for dlmalloc, RLSF and talc),
 *    and a small heap of 4 MiB beside it: there blocks of up to 100 KB
 *    leave far less room to choose from, and the figure is lower.
 *      heap_efficiency_percent (128 MiB), heap_efficiency_4mib_percent
 *
 * `bench_heap --pairs LIVE COUNT [--libc]` sets up LIVE live blocks and then
 * runs pair_loop: COUNT times, free a random live block and allocate a new
 * one in its place. tools/bench_heap.py counts the instructions inside
 * pair_loop with callgrind (--toggle-collect=pair_loop).
 *
 * Build: gcc -std=gnu11 -O2 -Wall -Wextra -Werror -Iinclude \
 *            -o build/bench/bench_heap tools/bench_heap.c mm/heap/heap.c
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mm/heap/heap.h>

#define ARENA_BYTES        ((size_t)256 << 20)
#define EFFICIENCY_BYTES   ((size_t)128 << 20) /* talc: HEAP_SIZE */
#define EFFICIENCY_SMALL   ((size_t)4 << 20)
#define DURATION_NS        200000000ll /* talc: 200 ms per trial */
#define WARMUP_NS          2000000ll   /* talc: 2 ms warm-up */
#define TRIALS             5           /* talc: 7 */
#define MIN_LIVE           300         /* talc: RA_ALLOC_COUNT_ARENA */
#define REALLOC_MULTIPLIER 3           /* talc: RA_MAX_REALLOC_SIZE_MULTI */
#define ACTIONS_PER_CLOCK  100         /* actions between two clock reads */
#define EFFICIENCY_TRIALS  300
#define EFFICIENCY_MAX     10000 /* talc: HE_MAX_ALLOC_SIZE */
#define EFFICIENCY_REALLOC 10    /* talc: HE_MAX_REALLOC_SIZE_MULTI */
#define PAIR_TABLE         4096  /* precomputed (slot, size) pairs for pair_loop */
#define PAIR_MAX_SIZE      1000

/* ------------------------------------------------------------ randomness */

static uint64_t rng_state = 0x6b65656c;

/* splitmix64: fast and good enough to drive a benchmark. */
static uint64_t random_u64(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* uniform in [low, high) */
static size_t uniform(size_t low, size_t high)
{
    return low + (size_t)(random_u64() % (high - low));
}

static size_t generate_size(size_t max)
{
    return uniform(4, uniform(16, max));
}

static size_t generate_align(void)
{
    unsigned bits = (unsigned)(random_u64() & 0xffff);
    unsigned zeros = bits ? (unsigned)__builtin_ctz(bits) : 16;
    return (size_t)8 << (zeros / 2);
}

/* ------------------------------------------------------------ allocators */

struct allocator {
    void *(*alloc)(size_t size, size_t align);
    void (*free)(void *p);
    void *(*realloc)(void *p, size_t size);
};

static struct heap keel;
static char *arena;

static void *keel_alloc(size_t size, size_t align)
{
    return align <= HEAP_ALIGN ? heap_alloc(&keel, size) : heap_alloc_aligned(&keel, size, align);
}

static void keel_free(void *p)
{
    heap_free(&keel, p);
}

static void *keel_realloc(void *p, size_t size)
{
    return heap_realloc(&keel, p, size);
}

static void *libc_alloc(size_t size, size_t align)
{
    void *p = NULL;
    if (align <= 16)
        return malloc(size);
    return posix_memalign(&p, align, size) == 0 ? p : NULL;
}

static const struct allocator keel_allocator = {keel_alloc, keel_free, keel_realloc};
static const struct allocator libc_allocator = {libc_alloc, free, realloc};

static void keel_reset(size_t region_bytes)
{
    heap_init(&keel, NULL);
    if (!heap_add_region(&keel, arena, region_bytes)) {
        fprintf(stderr, "bench_heap: heap_add_region failed\n");
        exit(1);
    }
}

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000ll + t.tv_nsec;
}

/* ------------------------------------------------------------ random actions */

struct live_set {
    void **p;
    size_t *size;
    size_t count, capacity;
};

static void live_remove(struct live_set *live, size_t i)
{
    live->count--;
    live->p[i] = live->p[live->count];
    live->size[i] = live->size[live->count];
}

/* One talc random action; returns 1 if it succeeded. */
static long random_action(const struct allocator *a, struct live_set *live, size_t max)
{
    size_t action = uniform(0, 7);

    if (action == 6) {
        if (live->count == 0)
            return 0;
        size_t i = uniform(0, live->count);
        void *q = a->realloc(live->p[i], uniform(1, max * REALLOC_MULTIPLIER));
        if (!q)
            return 0;
        live->p[i] = q;
        return 1;
    }
    if (action < 3 || live->count < MIN_LIVE) {
        void *p =
            live->count < live->capacity ? a->alloc(generate_size(max), generate_align()) : NULL;
        if (!p)
            return 0;
        live->p[live->count++] = p;
        return 1;
    }
    size_t i = uniform(0, live->count);
    a->free(live->p[i]);
    live_remove(live, i);
    return 1;
}

static long random_actions_for(const struct allocator *a, struct live_set *live, size_t max,
                               long long duration_ns)
{
    long score = 0;
    long long start = now_ns();
    while (now_ns() - start < duration_ns)
        for (int k = 0; k < ACTIONS_PER_CLOCK; k++)
            score += random_action(a, live, max);
    return score;
}

/* One trial: warm up, count the successful actions of DURATION_NS, free
 * what is left. Keel's heap starts fresh each time. */
static long random_actions_trial(const struct allocator *a, struct live_set *live, size_t max)
{
    if (a == &keel_allocator)
        keel_reset(ARENA_BYTES);
    random_actions_for(a, live, max, WARMUP_NS);
    long score = random_actions_for(a, live, max, DURATION_NS);
    while (live->count > 0)
        a->free(live->p[--live->count]);
    return score;
}

/* Mean scores over TRIALS, Keel and libc taking turns so that a change in
 * machine load hits both alike. */
static void random_actions(size_t max, double *keel_score, double *libc_score)
{
    struct live_set live = {.capacity = 1 << 20};
    long keel_total = 0, libc_total = 0;

    live.p = malloc(live.capacity * sizeof(void *));
    live.size = malloc(live.capacity * sizeof(size_t));
    for (int trial = 0; trial < TRIALS; trial++) {
        keel_total += random_actions_trial(&keel_allocator, &live, max);
        libc_total += random_actions_trial(&libc_allocator, &live, max);
    }
    free(live.p);
    free(live.size);
    *keel_score = (double)keel_total / TRIALS;
    *libc_score = (double)libc_total / TRIALS;
}

/* ------------------------------------------------------------ efficiency */

/* Live requested bytes when the first allocation or realloc fails. */
static size_t fill_until_failure(struct live_set *live)
{
    size_t used = 0;
    for (;;) {
        size_t action = uniform(0, 10);
        if (action <= 4) {
            size_t size = generate_size(EFFICIENCY_MAX);
            void *p = keel_alloc(size, generate_align());
            if (!p || live->count == live->capacity)
                break;
            live->p[live->count] = p;
            live->size[live->count++] = size;
        } else if (action == 5 && live->count > 0) {
            size_t i = uniform(0, live->count);
            keel_free(live->p[i]);
            live_remove(live, i);
        } else if (action >= 6 && live->count > 0) {
            size_t i = uniform(0, live->count);
            size_t size = uniform(1, EFFICIENCY_MAX * EFFICIENCY_REALLOC);
            void *q = keel_realloc(live->p[i], size);
            if (!q)
                break;
            live->p[i] = q;
            live->size[i] = size;
        }
    }
    for (size_t i = 0; i < live->count; i++)
        used += live->size[i];
    return used;
}

static double heap_efficiency(size_t region_bytes)
{
    struct live_set live = {.capacity = 1 << 16};
    double used = 0, total = 0;

    live.p = malloc(live.capacity * sizeof(void *));
    live.size = malloc(live.capacity * sizeof(size_t));
    for (int trial = 0; trial < EFFICIENCY_TRIALS; trial++) {
        keel_reset(region_bytes);
        live.count = 0;
        used += (double)fill_until_failure(&live);
        total += (double)region_bytes;
    }
    free(live.p);
    free(live.size);
    return used / total * 100.0;
}

/* ------------------------------------------------------------ pairs */

struct pair {
    uint32_t slot;
    uint32_t size;
};

/* Measured by callgrind (--toggle-collect=pair_loop): free a live block,
 * allocate another in its slot; the table makes the loop itself cheap. */
__attribute__((noinline)) void pair_loop(const struct allocator *a, void **live,
                                         const struct pair *table, size_t count);

__attribute__((noinline)) void pair_loop(const struct allocator *a, void **live,
                                         const struct pair *table, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const struct pair *pr = &table[i & (PAIR_TABLE - 1)];
        a->free(live[pr->slot]);
        live[pr->slot] = a->alloc(pr->size, 8);
    }
}

static int run_pairs(size_t live_count, size_t count, bool use_libc)
{
    const struct allocator *a = use_libc ? &libc_allocator : &keel_allocator;
    void **live = malloc(live_count * sizeof(void *));
    struct pair *table = malloc(PAIR_TABLE * sizeof(*table));

    if (!use_libc)
        keel_reset(ARENA_BYTES);
    for (size_t i = 0; i < live_count; i++)
        if (!(live[i] = a->alloc(generate_size(PAIR_MAX_SIZE), 8)))
            return 1;
    for (size_t i = 0; i < PAIR_TABLE; i++)
        table[i] =
            (struct pair){(uint32_t)uniform(0, live_count), (uint32_t)generate_size(PAIR_MAX_SIZE)};
    pair_loop(a, live, table, count);
    for (size_t i = 0; i < live_count; i++)
        a->free(live[i]);
    printf("pairs_done: %zu\n", count);
    free(live);
    free(table);
    return 0;
}

/* ------------------------------------------------------------ main */

int main(int argc, char **argv)
{
    static const size_t maxima[] = {200, 1000, 3000, 10000, 30000};

    arena = malloc(ARENA_BYTES);
    if (!arena)
        return 1;
    if (argc >= 4 && strcmp(argv[1], "--pairs") == 0)
        return run_pairs(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0),
                         argc >= 5 && strcmp(argv[4], "--libc") == 0);
    if (argc > 1) {
        fprintf(stderr, "usage: bench_heap [--pairs LIVE COUNT [--libc]]\n");
        return 2;
    }
    memset(arena, 0xab, ARENA_BYTES); /* as talc does: no page faults inside the timing */

    for (size_t m = 0; m < sizeof(maxima) / sizeof(maxima[0]); m++) {
        fprintf(stderr, "random actions, max %zu ...\n", maxima[m]);
        double k, l;
        random_actions(maxima[m], &k, &l);
        printf("heap_random_actions_max%zu_keel: %.0f\n", maxima[m], k);
        printf("heap_random_actions_max%zu_libc: %.0f\n", maxima[m], l);
        printf("heap_random_actions_max%zu_ratio: %.2f\n", maxima[m], k / l);
        fflush(stdout);
    }
    fprintf(stderr, "efficiency ...\n");
    printf("heap_efficiency_percent: %.1f\n", heap_efficiency(EFFICIENCY_BYTES));
    printf("heap_efficiency_4mib_percent: %.1f\n", heap_efficiency(EFFICIENCY_SMALL));
    free(arena);
    return 0;
}
