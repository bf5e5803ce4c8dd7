/*
 * sysfuzz.c - count system calls with random numbers and arguments, which
 * the kernel must answer without crashing, hanging or harming anything but
 * the calls' own results; then one summary line.
 *
 *   sysfuzz [-v] <seed> <count>
 *
 * The calls come from user/programs/sysfuzz_gen.c (what is drawn, and the
 * rules that keep this program alive). -v prints each call before it is
 * made, so the last line before a kernel crash names the culprit. The
 * summary: `sysfuzz: N calls, N ok, N errors, by error number: EFAULT N,
 * ...; done`.
 */
#include <keel/syscall.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <stdbool.h>
#include <user/lib/parse.h>
#include <user/lib/raw_syscall.h>
#include <user/lib/stdio.h>
#include <user/lib/sys.h>
#include <user/programs/sysfuzz_gen.h>

#define SCRATCH_SIZE  (16u << 10)
#define MAX_CALLS     100000000ull
#define MAX_ERROR     4095 /* results -1 .. -4095 are errors; any other value is a result */
#define ERROR_NUMBERS 64   /* counted one by one; larger ones as "other" */
#define LONG_PATH_FILL                                                                             \
    "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"

/* Valid strings: each one is harmless to open, stat or spawn. */
static const char long_path[] = LONG_PATH_FILL LONG_PATH_FILL LONG_PATH_FILL; /* > KEEL_PATH_MAX */
static const char *const strings[] = {"README", "/", "true", "", "nonexistent", long_path};

/* argv arrays: a good one, an empty one, one with a bad pointer, and one
 * with more than KEEL_ARGC_MAX entries. */
static const char *const argv_true[] = {"true", NULL};
static const char *const argv_empty[] = {NULL};
static const char *const argv_bad[] = {"true", (const char *)FUZZ_KERNEL_TEXT, NULL};
static const char *const argv_many[KEEL_ARGC_MAX + 2] = {
    [0 ... KEEL_ARGC_MAX] = "x",
};

struct tally {
    uint64_t calls, ok, errors;
    uint64_t by_error[ERROR_NUMBERS + 1]; /* [ERROR_NUMBERS]: any larger error number */
};

/* The E... names, for the summary line. */
static const char *error_symbol(unsigned number)
{
    static const char *const names[ERROR_NUMBERS] = {
        [EPERM] = "EPERM",
        [ENOENT] = "ENOENT",
        [ESRCH] = "ESRCH",
        [EINTR] = "EINTR",
        [EIO] = "EIO",
        [E2BIG] = "E2BIG",
        [ENOEXEC] = "ENOEXEC",
        [EBADF] = "EBADF",
        [ECHILD] = "ECHILD",
        [EAGAIN] = "EAGAIN",
        [ENOMEM] = "ENOMEM",
        [EFAULT] = "EFAULT",
        [EBUSY] = "EBUSY",
        [EEXIST] = "EEXIST",
        [ENOTDIR] = "ENOTDIR",
        [EISDIR] = "EISDIR",
        [EINVAL] = "EINVAL",
        [EMFILE] = "EMFILE",
        [ENAMETOOLONG] = "ENAMETOOLONG",
        [ENOSYS] = "ENOSYS",
    };
    return number < ERROR_NUMBERS ? names[number] : NULL;
}

static void count_result(struct tally *t, int64_t result)
{
    t->calls++;
    if (result >= 0 || result < -MAX_ERROR) {
        t->ok++;
        return;
    }
    t->errors++;
    uint64_t number = (uint64_t)-result;
    t->by_error[number < ERROR_NUMBERS ? number : ERROR_NUMBERS]++;
}

static void print_summary(const struct tally *t)
{
    printf("sysfuzz: %llu calls, %llu ok, %llu errors, by error number:",
           (unsigned long long)t->calls, (unsigned long long)t->ok, (unsigned long long)t->errors);
    const char *separator = " ";
    for (unsigned n = 0; n <= ERROR_NUMBERS; n++) {
        if (t->by_error[n] == 0)
            continue;
        const char *symbol = error_symbol(n);
        if (symbol)
            printf("%s%s %llu", separator, symbol, (unsigned long long)t->by_error[n]);
        else if (n < ERROR_NUMBERS)
            printf("%serror %u %llu", separator, n, (unsigned long long)t->by_error[n]);
        else
            printf("%sother %llu", separator, (unsigned long long)t->by_error[n]);
        separator = ", ";
    }
    printf("; done\n");
}

/* Put right what a call changed for the program: the console's mode, and a
 * child to reap (so none is left running or unwaited for). */
static void clean_up_after(const struct fuzz_call *call, int64_t result)
{
    if (fuzz_needs_restore(call, result))
        console_mode((int)result);
    if (call->number == SYS_SPAWN && result > 0) {
        int status;
        wait((int)result, &status);
    }
}

/* The scratch area on top of the break, so a kernel writing past its end
 * reaches nothing of ours; the env around it. False if brk refuses. */
static bool set_up(struct fuzz_env *env, uint64_t *string_addresses, uint64_t *argv_addresses)
{
    uint64_t start = (uint64_t)brk(NULL);
    uint64_t end = (uint64_t)brk((void *)(start + SCRATCH_SIZE));
    if (end < start + SCRATCH_SIZE || (int64_t)end < 0)
        return false;
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        string_addresses[i] = (uint64_t)strings[i];
    argv_addresses[0] = (uint64_t)argv_true;
    argv_addresses[1] = (uint64_t)argv_empty;
    argv_addresses[2] = (uint64_t)argv_bad;
    argv_addresses[3] = (uint64_t)argv_many;
    *env = (struct fuzz_env){
        .pid = getpid(),
        .image_start = KEEL_USER_BASE,
        .heap_end = end,
        .scratch = start,
        .scratch_size = SCRATCH_SIZE,
        .strings = string_addresses,
        .string_count = sizeof(strings) / sizeof(strings[0]),
        .argvs = argv_addresses,
        .argv_count = 4,
    };
    return true;
}

static int usage(const char *self)
{
    dprintf(KEEL_STDERR, "usage: %s [-v] <seed> <count> (count up to %llu)\n", self,
            (unsigned long long)MAX_CALLS);
    return 2;
}

int main(int argc, char **argv)
{
    bool verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    uint64_t seed, count;
    if (argc != 3 + verbose || !parse_u64(argv[1 + verbose], UINT64_MAX, &seed) ||
        !parse_u64(argv[2 + verbose], MAX_CALLS, &count))
        return usage(argv[0]);
    static uint64_t string_addresses[sizeof(strings) / sizeof(strings[0])], argv_addresses[4];
    struct fuzz_env env;
    if (!set_up(&env, string_addresses, argv_addresses)) {
        dprintf(KEEL_STDERR, "sysfuzz: no memory for the scratch area\n");
        return 1;
    }
    struct fuzz_rng rng;
    fuzz_seed(&rng, seed);
    static struct tally tally;
    for (uint64_t i = 0; i < count; i++) {
        struct fuzz_call call;
        fuzz_draw(&rng, &env, &call);
        const uint64_t *a = call.args;
        if (verbose)
            printf("sysfuzz: %llu: %lld(%#llx, %#llx, %#llx, %#llx, %#llx, %#llx)\n",
                   (unsigned long long)i, (long long)call.number, (unsigned long long)a[0],
                   (unsigned long long)a[1], (unsigned long long)a[2], (unsigned long long)a[3],
                   (unsigned long long)a[4], (unsigned long long)a[5]);
        int64_t result = raw_syscall6(call.number, (long)a[0], (long)a[1], (long)a[2], (long)a[3],
                                      (long)a[4], (long)a[5]);
        count_result(&tally, result);
        clean_up_after(&call, result);
    }
    print_summary(&tally);
    return 0;
}
