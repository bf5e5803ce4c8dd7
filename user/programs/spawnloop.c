/*
 * spawnloop.c - start a program n times, one after the other, waiting for
 * each, and check that every one exited with status 0: spawn, exit, wait
 * and the reuse of process slots (n may be far above KEEL_PROC_MAX).
 *
 *   spawnloop <n> [program [args...]]
 *
 * The program is `true` unless named; its argv is the program's name and
 * the arguments given. The first failure (spawn or wait refused, a child
 * that exits with another status or is killed) is reported and ends the
 * loop with status 1.
 */
#include <lib/errno.h>
#include <user/lib/parse.h>
#include <user/lib/stdio.h>
#include <user/lib/sys.h>

#define MAX_CHILDREN 1000000

/* What a child's status means, in words. */
static void describe_status(int status, char *text, size_t size)
{
    if (KEEL_STATUS_WAS_KILLED(status) && KEEL_STATUS_CODE(status) == KEEL_KILLED_BY_REQUEST)
        snprintf(text, size, "was killed");
    else if (KEEL_STATUS_WAS_KILLED(status))
        snprintf(text, size, "was killed by exception %d", KEEL_STATUS_CODE(status));
    else
        snprintf(text, size, "exited with %d", KEEL_STATUS_CODE(status));
}

/* Run argv[0] once; 0, or a message already printed and 1. */
static int run_child(const char *const *argv, uint64_t round)
{
    int pid = spawn(argv[0], argv);
    if (pid < 0) {
        dprintf(KEEL_STDERR, "spawnloop: child %llu: spawn %s: %s\n", (unsigned long long)round,
                argv[0], error_name(pid));
        return 1;
    }
    int status = 0;
    int waited = wait(pid, &status);
    if (waited != pid) {
        dprintf(KEEL_STDERR, "spawnloop: child %llu: wait for pid %d: %s\n",
                (unsigned long long)round, pid, waited < 0 ? error_name(waited) : "another pid");
        return 1;
    }
    if (status != 0) {
        char text[48];
        describe_status(status, text, sizeof(text));
        dprintf(KEEL_STDERR, "spawnloop: child %llu (pid %d, %s) %s\n", (unsigned long long)round,
                pid, argv[0], text);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t count;
    if (argc < 2 || !parse_u64(argv[1], MAX_CHILDREN, &count)) {
        dprintf(KEEL_STDERR, "usage: %s <n> [program [args...]] (n up to %d)\n", argv[0],
                MAX_CHILDREN);
        return 2;
    }
    static const char *const default_argv[] = {"true", NULL};
    const char *const *child_argv = argc > 2 ? (const char *const *)&argv[2] : default_argv;
    for (uint64_t round = 1; round <= count; round++) {
        if (run_child(child_argv, round) != 0)
            return 1;
    }
    printf("spawnloop: %llu children, all exited 0\n", (unsigned long long)count);
    return 0;
}
