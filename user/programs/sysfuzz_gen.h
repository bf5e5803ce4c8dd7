/*
 * sysfuzz_gen.h - the system calls sysfuzz makes: drawn from a seeded
 * xorshift64 generator, biased toward the values that break argument
 * checks, and filtered so that the program survives them all.
 *
 * Pure: no system calls, no globals. The program describes its own memory
 * in a struct fuzz_env; fuzz_draw then gives one call at a time, the same
 * sequence for the same seed and env on every run and every machine, so a
 * failure is replayed by running sysfuzz again with the seed.
 *
 * The numbers: mostly the known ones (0 .. SYS_COUNT-1), then numbers just
 * past SYS_COUNT, negative ones, known ones plus 2^32 (a kernel that
 * truncates the number to 32 bits would run them) and any 64-bit value.
 * Each argument independently: 0; small integers (-1 .. 16: fds, pids,
 * modes); valid memory (the scratch area, the strings and argv arrays of
 * the env); kernel-half addresses; unmapped user pages; addresses just
 * below, at and above KEEL_USER_LIMIT; non-canonical addresses; huge
 * lengths; values that make the previous argument's range wrap around 2^64;
 * any 64-bit value.
 *
 * A drawn call that fuzz_is_safe refuses is drawn again: sysfuzz never
 * exits through it, never kills itself, pid 1, a pid below its own (a
 * parent, perhaps), 0 or -1 (which might one day mean a group or all),
 * never reads the console (it would wait for a key) or
 * closes it, never writes its own memory to the console (escape sequences
 * and all), never lets the kernel write into its own memory outside the
 * scratch area, never spawns anything but the env's harmless paths (so not
 * itself), never sleeps longer than FUZZ_SLEEP_MAX_MS, and never moves the
 * program break below env.heap_end. A console_mode call is fine as long as
 * the caller restores the previous mode at once (fuzz_needs_restore).
 */
#ifndef KEEL_USER_PROGRAMS_SYSFUZZ_GEN_H
#define KEEL_USER_PROGRAMS_SYSFUZZ_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FUZZ_ARGS         6
#define FUZZ_SLEEP_MAX_MS 4
#define FUZZ_MAX_REDRAWS  64                    /* then a getpid(), which is always safe */
#define FUZZ_STACK_SIZE   (64ull << 10)         /* the stack the kernel gives every program */
#define FUZZ_KERNEL_TEXT  0xffffffff80100000ull /* the kernel image, 1 MiB physical */

struct fuzz_rng {
    uint64_t state; /* never 0: xorshift would stay there */
};

/* Start the generator from seed; every seed (0 too) gives its own sequence. */
void fuzz_seed(struct fuzz_rng *rng, uint64_t seed);
/* The next 64-bit value of xorshift64 (Marsaglia, shifts 13, 7, 17). */
uint64_t fuzz_next(struct fuzz_rng *rng);

/* What sysfuzz knows about its own memory. Addresses are plain numbers. */
struct fuzz_env {
    int pid;                        /* its own */
    uint64_t image_start;           /* KEEL_USER_BASE: its segments begin here */
    uint64_t heap_end;              /* the break at start, scratch included: never lowered */
    uint64_t scratch, scratch_size; /* memory the kernel may write: at the top of the heap */
    const uint64_t *strings;        /* valid strings, each a harmless spawn path too */
    size_t string_count;
    const uint64_t *argvs; /* valid (or deliberately broken) argv arrays */
    size_t argv_count;
};

struct fuzz_call {
    int64_t number;
    uint64_t args[FUZZ_ARGS];
};

/* The next safe call (see above). */
void fuzz_draw(struct fuzz_rng *rng, const struct fuzz_env *env, struct fuzz_call *call);

/* Whether the call keeps every rule above. */
bool fuzz_is_safe(const struct fuzz_call *call, const struct fuzz_env *env);

/* Whether the call, having returned result, changed what the caller must
 * put back: the console mode (result is the mode to restore). */
bool fuzz_needs_restore(const struct fuzz_call *call, int64_t result);

/* Whether addr lies in the program's own memory: its image and anything the
 * break could cover (up to heap_end + KEEL_BRK_MAX), or its stack. */
bool fuzz_is_own_memory(const struct fuzz_env *env, uint64_t addr);

#endif
