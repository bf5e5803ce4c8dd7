/*
 * heaptest.c - malloc, calloc, realloc and free under the real program
 * break: blocks of random sizes allocated, filled with a pattern of their
 * own, resized and freed in random order, every byte checked before it is
 * given back, and the heap's invariants verified along the way.
 *
 *   heaptest [rounds]     (default 10000)
 *
 * Ends with `heaptest: N rounds, N KiB from brk, heap intact` and status
 * 0, or names the first block whose contents changed (status 1).
 */
#include <stdint.h>
#include <user/lib/malloc.h>
#include <user/lib/parse.h>
#include <user/lib/stdio.h>
#include <user/lib/sys.h>

#define SLOTS          64
#define DEFAULT_ROUNDS 10000
#define MAX_ROUNDS     10000000
#define CHECK_EVERY    1000
#define LARGE_BLOCK    (256u << 10) /* now and then a block bigger than MALLOC_GROW_MIN */

struct slot {
    uint8_t *data;
    size_t size;
    uint8_t seed; /* the pattern: byte i is seed + i */
};

static struct slot slots[SLOTS];
static uint64_t random_state = 0x2545F4914F6CDD1Dull;

/* xorshift64 (Marsaglia): the same run every time. */
static uint64_t next_random(void)
{
    random_state ^= random_state << 13;
    random_state ^= random_state >> 7;
    random_state ^= random_state << 17;
    return random_state;
}

static size_t random_size(void)
{
    uint64_t r = next_random();
    if (r % 100 == 0)
        return LARGE_BLOCK + (size_t)(r >> 40) % LARGE_BLOCK;
    return (size_t)(r >> 32) % (r % 4 == 0 ? 4096 : 128);
}

static void fill(struct slot *s, size_t from)
{
    for (size_t i = from; i < s->size; i++)
        s->data[i] = (uint8_t)(s->seed + i);
}

/* Whether the first `size` bytes still hold the slot's pattern. */
static bool intact(const struct slot *s, size_t size)
{
    for (size_t i = 0; i < size; i++)
        if (s->data[i] != (uint8_t)(s->seed + i))
            return false;
    return true;
}

/* One random step on slot k: allocate, resize or free it. False if a block
 * was found changed or an allocation failed. */
static bool step(unsigned k)
{
    struct slot *s = &slots[k];
    if (s->data && !intact(s, s->size)) {
        dprintf(KEEL_STDERR, "heaptest: block %p (%zu bytes) was changed\n", s->data, s->size);
        return false;
    }
    uint64_t action = next_random() % 3;
    if (s->data && action == 0) {
        free(s->data);
        s->data = NULL;
        return true;
    }
    size_t size = random_size();
    if (s->data && action == 1) {
        uint8_t *moved = realloc(s->data, size);
        if (!moved)
            return size == 0;
        size_t kept = size < s->size ? size : s->size;
        s->data = moved;
        if (!intact(s, kept)) {
            dprintf(KEEL_STDERR, "heaptest: realloc to %zu bytes lost the contents\n", size);
            return false;
        }
        s->size = size;
        fill(s, kept);
        return true;
    }
    free(s->data);
    s->data = action == 2 ? calloc(1, size) : malloc(size);
    s->size = size;
    s->seed = (uint8_t)next_random();
    if (!s->data) {
        dprintf(KEEL_STDERR, "heaptest: no memory for %zu bytes\n", size);
        return false;
    }
    for (size_t i = 0; action == 2 && i < size; i++) {
        if (s->data[i] != 0) {
            dprintf(KEEL_STDERR, "heaptest: calloc gave a non-zero byte\n");
            return false;
        }
    }
    fill(s, 0);
    return true;
}

static bool check_heap(void)
{
    char why[96];
    if (malloc_check(why, sizeof(why)))
        return true;
    dprintf(KEEL_STDERR, "heaptest: heap broken: %s\n", why);
    return false;
}

int main(int argc, char **argv)
{
    uint64_t rounds = DEFAULT_ROUNDS;
    if (argc > 2 || (argc == 2 && !parse_u64(argv[1], MAX_ROUNDS, &rounds))) {
        dprintf(KEEL_STDERR, "usage: %s [rounds] (up to %d)\n", argv[0], MAX_ROUNDS);
        return 2;
    }
    for (uint64_t round = 1; round <= rounds; round++) {
        if (!step((unsigned)(next_random() % SLOTS)))
            return 1;
        if (round % CHECK_EVERY == 0 && !check_heap())
            return 1;
    }
    for (unsigned k = 0; k < SLOTS; k++) {
        if (slots[k].data && !intact(&slots[k], slots[k].size)) {
            dprintf(KEEL_STDERR, "heaptest: block %p was changed\n", slots[k].data);
            return 1;
        }
        free(slots[k].data);
    }
    if (!check_heap())
        return 1;
    printf("heaptest: %llu rounds, %zu KiB from brk, heap intact\n", (unsigned long long)rounds,
           malloc_heap_bytes() >> 10);
    return 0;
}
