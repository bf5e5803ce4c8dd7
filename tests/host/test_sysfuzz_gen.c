/*
 * test_sysfuzz_gen.c - host tests for sysfuzz's call generator
 * (user/programs/sysfuzz_gen.c).
 *
 *   - the generator is xorshift64 exactly (a value worked out by hand), and
 *     the same seed gives the same calls, different seeds different ones;
 *   - every rule of fuzz_is_safe refuses its dangerous call and lets its
 *     harmless neighbour through, and every drawn call keeps the rules;
 *   - the draws are biased as promised: each kind of number and argument
 *     turns up at least as often as the bounds below, over CALLS calls.
 * The env describes a program as the kernel lays it out (a few pages at
 * KEEL_USER_BASE, the scratch area at the top of the break).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include <keel/syscall.h>
#include <user/programs/sysfuzz_gen.h>

#define CALLS       200000
#define OWN_PID     7
#define IMAGE_END   0x406000ull
#define SCRATCH     IMAGE_END
#define SCRATCH_LEN 0x4000ull
#define HEAP_END    (SCRATCH + SCRATCH_LEN)
#define STACK_TOP   KEEL_USER_STACK_TOP
#define STACK_PTR   (STACK_TOP - 0x100)
#define KERNEL_HALF 0xffff800000000000ull

static const uint64_t strings[] = {0x403000, 0x403010, 0x403020};
static const uint64_t argvs[] = {0x403100, 0x403140};

static const struct fuzz_env env = {
    .pid = OWN_PID,
    .image_start = KEEL_USER_BASE,
    .heap_end = HEAP_END,
    .scratch = SCRATCH,
    .scratch_size = SCRATCH_LEN,
    .strings = strings,
    .string_count = 3,
    .argvs = argvs,
    .argv_count = 2,
};

static struct fuzz_call call_of(int64_t number, uint64_t a0, uint64_t a1, uint64_t a2)
{
    struct fuzz_call c = {number, {a0, a1, a2, 0, 0, 0}};
    return c;
}

static bool safe(int64_t number, uint64_t a0, uint64_t a1, uint64_t a2)
{
    struct fuzz_call c = call_of(number, a0, a1, a2);
    return fuzz_is_safe(&c, &env);
}

/* ---------------------------------------------------------------- the generator */

static void test_xorshift_by_hand(void **state)
{
    (void)state;
    struct fuzz_rng rng = {1};
    /* x ^= x << 13: 0x2001; x ^= x >> 7: 0x2041; x ^= x << 17: 0x40822041. */
    assert_true(fuzz_next(&rng) == 0x40822041ull);
    assert_true(rng.state == 0x40822041ull);
}

static void test_every_seed_starts_nonzero(void **state)
{
    (void)state;
    for (uint64_t seed = 0; seed < 1000; seed++) {
        struct fuzz_rng rng;
        fuzz_seed(&rng, seed);
        assert_true(rng.state != 0);
    }
}

static void test_same_seed_same_calls(void **state)
{
    (void)state;
    struct fuzz_rng a, b;
    fuzz_seed(&a, 42);
    fuzz_seed(&b, 42);
    for (int i = 0; i < 10000; i++) {
        struct fuzz_call x, y;
        fuzz_draw(&a, &env, &x);
        fuzz_draw(&b, &env, &y);
        assert_memory_equal(&x, &y, sizeof(x));
    }
}

/* Neighbouring seeds give different sequences from the very first call. */
static void test_different_seeds_differ(void **state)
{
    (void)state;
    for (uint64_t seed = 0; seed < 64; seed++) {
        struct fuzz_rng a, b;
        fuzz_seed(&a, seed);
        fuzz_seed(&b, seed + 1);
        int same = 0;
        for (int i = 0; i < 16; i++) {
            struct fuzz_call x, y;
            fuzz_draw(&a, &env, &x);
            fuzz_draw(&b, &env, &y);
            same += memcmp(&x, &y, sizeof(x)) == 0;
        }
        assert_true(same < 2);
    }
}

/* ---------------------------------------------------------------- the rules */

static void test_rule_never_exit(void **state)
{
    (void)state;
    assert_false(safe(SYS_EXIT, 0, 0, 0));
    assert_true(safe(SYS_EXIT + (1ll << 32), 0, 0, 0)); /* an unknown number, not exit */
}

static void test_rule_kill(void **state)
{
    (void)state;
    assert_false(safe(SYS_KILL, OWN_PID, 0, 0));
    assert_false(safe(SYS_KILL, OWN_PID + (1ull << 32), 0, 0)); /* the kernel reads an int */
    assert_false(safe(SYS_KILL, 1, 0, 0));
    assert_false(safe(SYS_KILL, OWN_PID - 1, 0, 0)); /* an older process: maybe a parent */
    assert_false(safe(SYS_KILL, 0, 0, 0));
    assert_false(safe(SYS_KILL, (uint64_t)-1, 0, 0));
    assert_true(safe(SYS_KILL, OWN_PID + 1, 0, 0));
    assert_true(safe(SYS_KILL, (uint64_t)-2, 0, 0));
    assert_true(safe(SYS_KILL, 0x80000000, 0, 0)); /* INT_MIN */
}

static void test_rule_sleep(void **state)
{
    (void)state;
    assert_true(safe(SYS_SLEEP, FUZZ_SLEEP_MAX_MS, 0, 0));
    assert_false(safe(SYS_SLEEP, FUZZ_SLEEP_MAX_MS + 1, 0, 0));
    assert_false(safe(SYS_SLEEP, UINT64_MAX, 0, 0));
}

static void test_rule_brk(void **state)
{
    (void)state;
    assert_true(safe(SYS_BRK, 0, 0, 0));
    assert_true(safe(SYS_BRK, HEAP_END, 0, 0));
    assert_true(safe(SYS_BRK, KERNEL_HALF, 0, 0));
    assert_false(safe(SYS_BRK, HEAP_END - 1, 0, 0));
    assert_false(safe(SYS_BRK, KEEL_USER_BASE, 0, 0));
    assert_false(safe(SYS_BRK, 1, 0, 0));
}

static void test_rule_console(void **state)
{
    (void)state;
    assert_false(safe(SYS_READ, KEEL_STDIN, SCRATCH, 16)); /* would wait for a key */
    assert_false(safe(SYS_READ, KEEL_STDOUT, SCRATCH, 16));
    assert_false(safe(SYS_READ, (1ull << 32) | KEEL_STDIN, SCRATCH, 16));
    assert_true(safe(SYS_READ, 3, SCRATCH, 16));
    assert_false(safe(SYS_CLOSE, KEEL_STDOUT, 0, 0));
    assert_false(safe(SYS_CLOSE, KEEL_STDERR, 0, 0));
    assert_true(safe(SYS_CLOSE, 3, 0, 0));
    assert_false(safe(SYS_WRITE, KEEL_STDOUT, SCRATCH, 16)); /* its own bytes on the screen */
    assert_false(safe(SYS_WRITE, KEEL_STDERR, strings[0], 6));
    assert_true(safe(SYS_WRITE, KEEL_STDOUT, SCRATCH, 0));
    assert_true(safe(SYS_WRITE, KEEL_STDOUT, KERNEL_HALF, 16));
    assert_true(safe(SYS_WRITE, 5, SCRATCH, 16));
}

/* What the kernel writes to lands in the scratch area or outside the program. */
static void test_rule_kernel_writes(void **state)
{
    (void)state;
    const int64_t writers[] = {SYS_READ, SYS_STAT, SYS_READDIR, SYS_WAIT};
    for (size_t i = 0; i < sizeof(writers) / sizeof(writers[0]); i++) {
        int64_t n = writers[i];
        assert_true(safe(n, 3, SCRATCH, 8));
        assert_true(safe(n, 3, SCRATCH + SCRATCH_LEN - 1, 8));
        assert_true(safe(n, 3, KERNEL_HALF, 8));
        assert_true(safe(n, 3, 0x1000, 8));
        assert_false(safe(n, 3, KEEL_USER_BASE, 8));                 /* its code */
        assert_false(safe(n, 3, SCRATCH - 8, 8));                    /* its data */
        assert_false(safe(n, 3, HEAP_END, 8));                       /* where the break may grow */
        assert_false(safe(n, 3, STACK_PTR, 8));                      /* its stack */
        assert_true(safe(n, 3, STACK_TOP - FUZZ_STACK_SIZE - 8, 8)); /* the gap below */
    }
}

static void test_rule_spawn(void **state)
{
    (void)state;
    assert_true(safe(SYS_SPAWN, strings[1], argvs[0], 0));
    assert_true(safe(SYS_SPAWN, KERNEL_HALF, argvs[0], 0));
    assert_true(safe(SYS_SPAWN, 0, 0, 0));
    assert_false(safe(SYS_SPAWN, SCRATCH, argvs[0], 0)); /* whatever lies there: itself? */
    assert_false(safe(SYS_SPAWN, strings[1] + 1, argvs[0], 0));
    assert_false(safe(SYS_SPAWN, STACK_PTR, 0, 0));
}

static void test_console_mode_is_restored(void **state)
{
    (void)state;
    struct fuzz_call c = call_of(SYS_CONSOLE_MODE, KEEL_CONSOLE_RAW, 0, 0);
    assert_true(fuzz_is_safe(&c, &env));
    assert_true(fuzz_needs_restore(&c, KEEL_CONSOLE_LINE));
    assert_false(fuzz_needs_restore(&c, -EINVAL));
    c.number = SYS_GETPID;
    assert_false(fuzz_needs_restore(&c, KEEL_CONSOLE_LINE));
}

static void test_drawn_calls_keep_the_rules(void **state)
{
    (void)state;
    struct fuzz_rng rng;
    fuzz_seed(&rng, 2024);
    for (int i = 0; i < CALLS; i++) {
        struct fuzz_call c;
        fuzz_draw(&rng, &env, &c);
        assert_true(fuzz_is_safe(&c, &env));
        assert_true(c.number != SYS_EXIT);
    }
}

/* ---------------------------------------------------------------- the bias */

struct counts {
    unsigned known[SYS_COUNT];
    unsigned past_end, negative, truncating, numbers;
    unsigned zero, kernel, near_limit, non_canonical, wrap, scratch, env_string, page0, below_image,
        args;
};

static void count_argument(struct counts *n, const uint64_t *args, unsigned i)
{
    uint64_t a = args[i];
    n->args++;
    n->zero += a == 0;
    n->kernel += a >= KERNEL_HALF;
    n->near_limit += a >= KEEL_USER_LIMIT - 0x1001 && a <= KEEL_USER_LIMIT;
    n->non_canonical += a >= 0x0000800000000000ull && a < KERNEL_HALF;
    n->scratch += a >= SCRATCH && a < SCRATCH + SCRATCH_LEN;
    n->page0 += a > 0 && a < 0x1000;
    n->below_image += a >= 0x1000 && a < KEEL_USER_BASE;
    for (unsigned k = 0; k < 3; k++)
        n->env_string += a == strings[k];
    /* A range that wraps: the argument before it plus this one passes 2^64 to a small end. */
    if (i > 0 && args[i - 1] != 0 && args[i - 1] + a < args[i - 1] && args[i - 1] + a <= 0x2000)
        n->wrap++;
}

static void test_bias(void **state)
{
    (void)state;
    static struct counts n;
    struct fuzz_rng rng;
    fuzz_seed(&rng, 1);
    for (int i = 0; i < CALLS; i++) {
        struct fuzz_call c;
        fuzz_draw(&rng, &env, &c);
        n.numbers++;
        if (c.number >= 0 && c.number < SYS_COUNT)
            n.known[c.number]++;
        else if (c.number >= SYS_COUNT && c.number < SYS_COUNT + 16)
            n.past_end++;
        else if (c.number < 0)
            n.negative++;
        else if (c.number >= (1ll << 32) && c.number < (1ll << 32) + SYS_COUNT)
            n.truncating++;
        for (unsigned a = 0; a < FUZZ_ARGS; a++)
            count_argument(&n, c.args, a);
    }
    unsigned known = 0;
    for (unsigned s = 0; s < SYS_COUNT; s++) {
        known += n.known[s];
        if (s != SYS_EXIT)
            assert_true(n.known[s] > CALLS / 200); /* every call is exercised */
    }
    assert_int_equal(n.known[SYS_EXIT], 0);
    assert_true(known > CALLS * 6 / 10);
    assert_true(n.past_end > CALLS / 40);
    assert_true(n.negative > CALLS / 40);
    assert_true(n.truncating > CALLS / 50);
    assert_true(n.zero > n.args / 20);
    assert_true(n.kernel > n.args / 20);
    assert_true(n.near_limit > n.args / 50);
    assert_true(n.non_canonical > n.args / 50);
    assert_true(n.scratch > n.args / 50);
    assert_true(n.env_string > n.args / 200);
    assert_true(n.page0 > n.args / 100);
    assert_true(n.below_image > n.args / 200);
    assert_true(n.wrap > n.args / 100);
}

/* Huge lengths: each of the values that overflow a range check turns up. */
static void test_huge_lengths_turn_up(void **state)
{
    (void)state;
    const uint64_t wanted[] = {UINT64_MAX,        1ull << 63,       1ull << 32,
                               KEEL_PATH_MAX + 1, KEEL_ARG_MAX + 1, KEEL_BRK_MAX + 1};
    bool seen[6] = {false};
    struct fuzz_rng rng;
    fuzz_seed(&rng, 3);
    for (int i = 0; i < CALLS / 4; i++) {
        struct fuzz_call c;
        fuzz_draw(&rng, &env, &c);
        for (unsigned a = 0; a < FUZZ_ARGS; a++)
            for (unsigned w = 0; w < 6; w++)
                seen[w] |= c.args[a] == wanted[w];
    }
    for (unsigned w = 0; w < 6; w++)
        assert_true(seen[w]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xorshift_by_hand),
        cmocka_unit_test(test_every_seed_starts_nonzero),
        cmocka_unit_test(test_same_seed_same_calls),
        cmocka_unit_test(test_different_seeds_differ),
        cmocka_unit_test(test_rule_never_exit),
        cmocka_unit_test(test_rule_kill),
        cmocka_unit_test(test_rule_sleep),
        cmocka_unit_test(test_rule_brk),
        cmocka_unit_test(test_rule_console),
        cmocka_unit_test(test_rule_kernel_writes),
        cmocka_unit_test(test_rule_spawn),
        cmocka_unit_test(test_console_mode_is_restored),
        cmocka_unit_test(test_drawn_calls_keep_the_rules),
        cmocka_unit_test(test_bias),
        cmocka_unit_test(test_huge_lengths_turn_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
