/*
 * sysfuzz_gen.c - drawing sysfuzz's system calls (see sysfuzz_gen.h).
 */
#include <keel/syscall.h>
#include <user/programs/sysfuzz_gen.h>

#define KERNEL_HALF      0xffff800000000000ull /* the first kernel address */
#define NON_CANONICAL    0x0000800000000000ull /* the first address past the lower half */
#define PAGE_SIZE        4096ull
#define STACK_GAP        (1ull << 20) /* unmapped below the stack */
#define SMALL_INT_RANGE  18           /* -1 .. 16 */
#define NUMBERS_PAST_END 16

/* splitmix64's finaliser: neighbouring seeds start far apart. */
static uint64_t mix(uint64_t x)
{
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

void fuzz_seed(struct fuzz_rng *rng, uint64_t seed)
{
    rng->state = mix(seed + 0x9e3779b97f4a7c15ull);
    if (rng->state == 0)
        rng->state = 0x9e3779b97f4a7c15ull;
}

uint64_t fuzz_next(struct fuzz_rng *rng)
{
    rng->state ^= rng->state << 13;
    rng->state ^= rng->state >> 7;
    rng->state ^= rng->state << 17;
    return rng->state;
}

/* Uniform enough in [0, n), n > 0. */
static uint64_t below(struct fuzz_rng *rng, uint64_t n)
{
    return fuzz_next(rng) % n;
}

static uint64_t pick(struct fuzz_rng *rng, const uint64_t *values, size_t count)
{
    return values[below(rng, count)];
}

#define PICK(rng, array) pick((rng), (array), sizeof(array) / sizeof((array)[0]))

/* ------------------------------------------------------------ numbers */

static int64_t draw_number(struct fuzz_rng *rng)
{
    static const uint64_t negative[] = {
        (uint64_t)-1,          (uint64_t)-2,          (uint64_t)-SYS_COUNT,
        0xffffffff80000000ull, 0x8000000000000000ull,
    };
    uint64_t roll = below(rng, 100);
    if (roll < 75)
        return (int64_t)below(rng, SYS_COUNT);
    if (roll < 83)
        return (int64_t)(SYS_COUNT + below(rng, NUMBERS_PAST_END));
    if (roll < 90)
        return (int64_t)(below(rng, 2) ? PICK(rng, negative) : fuzz_next(rng) | (1ull << 63));
    if (roll < 95)
        return (int64_t)((1ull << 32) + below(rng, SYS_COUNT));
    return (int64_t)fuzz_next(rng);
}

/* ------------------------------------------------------------ arguments */

static uint64_t valid_memory(struct fuzz_rng *rng, const struct fuzz_env *env)
{
    uint64_t roll = below(rng, 4);
    if (roll == 0 && env->string_count > 0)
        return env->strings[below(rng, env->string_count)];
    if (roll == 1 && env->argv_count > 0)
        return env->argvs[below(rng, env->argv_count)];
    if (roll == 2)
        return env->scratch;
    return env->scratch + below(rng, env->scratch_size);
}

static uint64_t kernel_address(struct fuzz_rng *rng)
{
    static const uint64_t known[] = {
        KERNEL_HALF,           FUZZ_KERNEL_TEXT,      0xffffffff80000000ull,
        0xffffc00000000000ull, 0xffffe00000000000ull, 0xfffffffffffff000ull,
    };
    if (below(rng, 2))
        return PICK(rng, known);
    return KERNEL_HALF + below(rng, 0ull - KERNEL_HALF);
}

/* A page (or a byte in one) that no program has mapped: page 0, below the
 * image, far above any break, the gap under the stack, the page above it. */
static uint64_t unmapped_user(struct fuzz_rng *rng, const struct fuzz_env *env)
{
    uint64_t stack_bottom = KEEL_USER_STACK_TOP - FUZZ_STACK_SIZE;
    uint64_t far_start = env->heap_end + KEEL_BRK_MAX;
    uint64_t far_end = stack_bottom - STACK_GAP;
    uint64_t offset = below(rng, 2) ? 0 : below(rng, PAGE_SIZE);
    switch (below(rng, 5)) {
    case 0:
        return 1 + below(rng, PAGE_SIZE - 1);
    case 1:
        return PAGE_SIZE + below(rng, (env->image_start - PAGE_SIZE) / PAGE_SIZE) * PAGE_SIZE +
               offset;
    case 2:
        return far_start + below(rng, (far_end - far_start) / PAGE_SIZE) * PAGE_SIZE + offset;
    case 3:
        return far_end + below(rng, STACK_GAP / PAGE_SIZE) * PAGE_SIZE + offset;
    default:
        return KEEL_USER_STACK_TOP + below(rng, KEEL_USER_LIMIT - KEEL_USER_STACK_TOP);
    }
}

static uint64_t near_limit(struct fuzz_rng *rng)
{
    static const uint64_t below_limit[] = {1, 2, 8, 16, PAGE_SIZE, PAGE_SIZE + 1};
    uint64_t roll = below(rng, 4);
    if (roll == 0)
        return KEEL_USER_LIMIT;
    if (roll == 1)
        return NON_CANONICAL - PICK(rng, below_limit);
    return KEEL_USER_LIMIT - PICK(rng, below_limit);
}

static uint64_t non_canonical(struct fuzz_rng *rng)
{
    return NON_CANONICAL + below(rng, KERNEL_HALF - NON_CANONICAL);
}

static uint64_t huge_length(struct fuzz_rng *rng)
{
    static const uint64_t huge[] = {
        UINT64_MAX,       UINT64_MAX - 1,    1ull << 63,     (1ull << 63) - 1,
        1ull << 32,       (1ull << 32) - 1,  1ull << 40,     KEEL_BRK_MAX + 1,
        KEEL_ARG_MAX + 1, KEEL_PATH_MAX + 1, 16 * PAGE_SIZE, 0x7fffffff,
    };
    return PICK(rng, huge);
}

/* With the argument before it as the start of a range: a length that takes
 * the range's end past 2^64 to a small number. Otherwise an address whose
 * range of a few bytes wraps. */
static uint64_t wrapping(struct fuzz_rng *rng, const uint64_t *previous)
{
    uint64_t small = 1 + below(rng, 2 * PAGE_SIZE);
    if (previous)
        return (0ull - *previous) + small;
    return 0ull - small;
}

static uint64_t draw_argument(struct fuzz_rng *rng, const struct fuzz_env *env,
                              const uint64_t *previous)
{
    uint64_t roll = below(rng, 100);
    if (roll < 12)
        return 0;
    if (roll < 24)
        return below(rng, SMALL_INT_RANGE) - 1;
    if (roll < 36)
        return valid_memory(rng, env);
    if (roll < 48)
        return kernel_address(rng);
    if (roll < 58)
        return unmapped_user(rng, env);
    if (roll < 66)
        return near_limit(rng);
    if (roll < 74)
        return non_canonical(rng);
    if (roll < 84)
        return huge_length(rng);
    if (roll < 92)
        return wrapping(rng, previous);
    return fuzz_next(rng);
}

/* ------------------------------------------------------------ the rules */

bool fuzz_is_own_memory(const struct fuzz_env *env, uint64_t addr)
{
    bool image_or_heap = addr >= env->image_start && addr < env->heap_end + KEEL_BRK_MAX;
    bool stack = addr >= KEEL_USER_STACK_TOP - FUZZ_STACK_SIZE && addr < KEEL_USER_STACK_TOP;
    return image_or_heap || stack;
}

/* Memory the kernel may write through: the scratch area, or not ours. */
static bool writable_by_kernel(const struct fuzz_env *env, uint64_t addr)
{
    bool scratch = addr >= env->scratch && addr < env->scratch + env->scratch_size;
    return scratch || !fuzz_is_own_memory(env, addr);
}

static bool is_env_string(const struct fuzz_env *env, uint64_t addr)
{
    for (size_t i = 0; i < env->string_count; i++) {
        if (env->strings[i] == addr)
            return true;
    }
    return false;
}

/* The kernel reads int arguments from the low 32 bits of their register. */
static int as_int(uint64_t arg)
{
    return (int)(uint32_t)arg;
}

static bool is_console(uint64_t fd)
{
    int n = as_int(fd);
    return n == KEEL_STDIN || n == KEEL_STDOUT || n == KEEL_STDERR;
}

bool fuzz_is_safe(const struct fuzz_call *call, const struct fuzz_env *env)
{
    const uint64_t *a = call->args;
    switch (call->number) {
    case SYS_EXIT:
        return false;
    case SYS_WRITE:
        return !is_console(a[0]) || a[2] == 0 || !fuzz_is_own_memory(env, a[1]);
    case SYS_READ:
        return !is_console(a[0]) && writable_by_kernel(env, a[1]);
    case SYS_CLOSE:
        return !is_console(a[0]);
    case SYS_STAT:
    case SYS_READDIR:
    case SYS_WAIT:
        return writable_by_kernel(env, a[1]);
    case SYS_SPAWN:
        return is_env_string(env, a[0]) || !fuzz_is_own_memory(env, a[0]);
    case SYS_KILL:
        return (as_int(a[0]) > env->pid && as_int(a[0]) != 1) || as_int(a[0]) < -1;
    case SYS_SLEEP:
        return a[0] <= FUZZ_SLEEP_MAX_MS;
    case SYS_BRK:
        return a[0] == 0 || a[0] >= env->heap_end;
    default:
        return true;
    }
}

bool fuzz_needs_restore(const struct fuzz_call *call, int64_t result)
{
    return call->number == SYS_CONSOLE_MODE && result >= 0;
}

void fuzz_draw(struct fuzz_rng *rng, const struct fuzz_env *env, struct fuzz_call *call)
{
    for (unsigned attempt = 0; attempt < FUZZ_MAX_REDRAWS; attempt++) {
        call->number = draw_number(rng);
        for (unsigned i = 0; i < FUZZ_ARGS; i++)
            call->args[i] = draw_argument(rng, env, i > 0 ? &call->args[i - 1] : NULL);
        if (fuzz_is_safe(call, env))
            return;
    }
    call->number = SYS_GETPID;
    for (unsigned i = 0; i < FUZZ_ARGS; i++)
        call->args[i] = 0;
}
